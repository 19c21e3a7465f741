package store

import (
	"strings"

	"github.com/uptrace/bun"

	"github.com/hivematrix/codex/codex"
)

// This file holds the SQL fragments shared by the entity files. Where PostgreSQL and
// SQLite need different SQL, both forms sit next to each other here.

// like returns a case-insensitive "expr LIKE ?" for a pattern made by likePattern.
// PostgreSQL needs ILIKE; SQLite's LIKE already ignores ASCII case.
func (db *DB) like(expr string) string {
	if db.pg {
		return expr + " ILIKE ? ESCAPE '!'"
	}
	return expr + " LIKE ? ESCAPE '!'"
}

// jsonText returns a JSON column as text, for searching inside it.
func (db *DB) jsonText(expr string) string {
	if db.pg {
		return expr + "::text"
	}
	return expr
}

// jsonHas returns a condition true when the JSON array in expr contains the string ?.
func (db *DB) jsonHas(expr string) (string, func(string) any) {
	if db.pg {
		return expr + " @> ?::jsonb", func(s string) any { return jsonArray(s) }
	}
	return "EXISTS (SELECT 1 FROM json_each(" + expr + ") AS je WHERE je.value = ?)", func(s string) any { return s }
}

// ciEqual returns a case-insensitive "expr = ?" that uses the column's index: the
// lower(...) expression index on PostgreSQL, the NOCASE index on SQLite.
func (db *DB) ciEqual(expr string) string {
	if db.pg {
		return "lower(" + expr + ") = lower(?)"
	}
	return expr + " = ? COLLATE NOCASE"
}

// likePattern escapes s for LIKE ... ESCAPE '!' and wraps it in wildcards.
func likePattern(s string) string {
	r := strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")
	return "%" + r.Replace(s) + "%"
}

// jsonArray encodes a one-element JSON array of s.
func jsonArray(s string) string {
	b := []byte{'['}
	b = appendJSONString(b, s)
	return string(append(b, ']'))
}

func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xf])
		default:
			b = append(b, string(r)...)
		}
	}
	return append(b, '"')
}

// search adds a case-insensitive substring match of term: any of conds, each a condition
// with one placeholder for the LIKE pattern (made with db.like), must hold.
func (db *DB) search(q *bun.SelectQuery, term string, conds ...string) *bun.SelectQuery {
	term = strings.TrimSpace(term)
	if term == "" {
		return q
	}
	pat := likePattern(term)
	return q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		for _, c := range conds {
			q = q.WhereOr(c, pat)
		}
		return q
	})
}

// likeAll returns db.like(e) for each expression.
func (db *DB) likeAll(exprs ...string) []string {
	out := make([]string, len(exprs))
	for i, e := range exprs {
		out[i] = db.like(e)
	}
	return out
}

// ipRange parses the ip_in filter, a CIDR prefix or a single address, into its key range.
func ipRange(field, s string) (lo, hi string, err error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "/") {
		ip, err := codex.ParseIP(s)
		if err != nil {
			return "", "", invalid(field, "%q is not a CIDR prefix or an IP address", s)
		}
		k := codex.IPKey(ip)
		return k, k, nil
	}
	p, err := codex.ParseCIDR(s)
	if err != nil {
		return "", "", invalid(field, "%q is not a CIDR prefix", s)
	}
	lo, hi = codex.CIDRRange(p)
	return lo, hi, nil
}

// subtreeSQL selects the ids of company ? and all its descendants. UNION (not UNION ALL)
// ends the recursion even if bad data ever held a cycle.
const subtreeSQL = `WITH RECURSIVE subtree(id) AS (
  SELECT id FROM companies WHERE id = ?
  UNION
  SELECT c.id FROM companies AS c JOIN subtree AS s ON c.parent_id = s.id
) SELECT id FROM subtree`

// inSubtree restricts expr to the subtree of company id.
func inSubtree(q *bun.SelectQuery, expr string, id int64) *bun.SelectQuery {
	return q.Where(expr+" IN ("+subtreeSQL+")", id)
}

// inIDs restricts expr to ids; an empty list matches nothing.
func inIDs[T any](q *bun.SelectQuery, expr string, ids []T) *bun.SelectQuery {
	if len(ids) == 0 {
		return q.Where("1 = 0")
	}
	return q.Where(expr+" IN (?)", bun.In(ids))
}

// inScope restricts expr to the policy's scope: nil means no restriction; an empty,
// non-nil scope matches nothing.
func inScope(q *bun.SelectQuery, expr string, scope []int64) *bun.SelectQuery {
	if scope == nil {
		return q
	}
	return inIDs(q, expr, scope)
}

// notArchived hides archived rows unless include is set.
func notArchived(q *bun.SelectQuery, alias string, include bool) *bun.SelectQuery {
	if include {
		return q
	}
	return q.Where(alias + ".archived_at IS NULL")
}

// uniq returns ids without duplicates, in first-seen order.
func uniq(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
