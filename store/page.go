package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/hivematrix/codex/codex"
)

// Lists use keyset pagination: rows are ordered by one sort key and the id, and a cursor
// holds the sort key and id of a row, so the next page is "the rows after this one" — a
// page stays correct while rows are inserted or removed elsewhere, unlike an offset.

// keyKind is the type of a sort key's values, for decoding cursors.
type keyKind int

const (
	kindText keyKind = iota
	kindInt
	kindTime
	kindDate
)

// sortKey is one orderable field of an entity.
type sortKey[T any] struct {
	expr     string // SQL expression, qualified with the entity's alias
	kind     keyKind
	nullable bool
	value    func(*T) any // the row's value: string, int64, time.Time or codex.Date; nil for NULL
}

// entity describes how to list one entity type.
type entity[T any] struct {
	noun    string    // "company", for messages
	alias   string    // the model's table alias
	cols    string    // columns selected besides alias.* (joined ones), or ""
	always  []string  // columns a projection keeps whatever the caller asked (keys read above the store)
	fields  fields[T] // columns scanned without bun's reflection (fastscan.go), or nil
	keys    map[string]sortKey[T]
	allowed []string
	def     string
	defDesc bool // an unset order sorts descending (newest first)
	id      func(*T) int64
}

// order validates o, defaulting to the entity's default order.
func (e *entity[T]) order(o codex.Order) (codex.Order, sortKey[T], error) {
	if o.Field == "" {
		o = codex.Order{Field: e.def, Desc: e.defDesc}
	}
	o, err := codex.CheckOrder(o, e.allowed, e.def)
	if err != nil {
		return o, sortKey[T]{}, err
	}
	return o, e.keys[o.Field], nil
}

// idExpr is the entity's qualified id column.
func (e *entity[T]) idExpr() string { return e.alias + ".id" }

// orderBy returns the ORDER BY list of key then id. NULLs sort last ascending and first
// descending on both databases (PostgreSQL's rule; SQLite's differs, so it is spelled out).
func (e *entity[T]) orderBy(k sortKey[T], desc bool) string {
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	id := e.idExpr()
	switch {
	case k.expr == id:
		return id + dir
	case k.nullable:
		return "(" + k.expr + " IS NULL)" + dir + ", " + k.expr + dir + ", " + id + dir
	default:
		return k.expr + dir + ", " + id + dir
	}
}

// after returns the condition selecting the rows strictly after cursor c in the order
// (k, id) with direction desc.
func (e *entity[T]) after(k sortKey[T], c *cursor, desc bool) (string, []any) {
	op := " > "
	if desc {
		op = " < "
	}
	id := e.idExpr()
	switch {
	case k.expr == id:
		return id + op + "?", []any{c.ID}
	case !k.nullable:
		return "(" + k.expr + ", " + id + ")" + op + "(?, ?)", []any{c.value, c.ID}
	case c.value == nil && !desc:
		return "(" + k.expr + " IS NULL AND " + id + op + "?)", []any{c.ID}
	case c.value == nil && desc:
		return "(" + k.expr + " IS NOT NULL OR " + id + op + "?)", []any{c.ID}
	case !desc:
		return "(" + k.expr + " IS NULL OR " + k.expr + op + "? OR (" + k.expr + " = ? AND " + id + op + "?))", []any{c.value, c.value, c.ID}
	default:
		return "(" + k.expr + " IS NOT NULL AND (" + k.expr + op + "? OR (" + k.expr + " = ? AND " + id + op + "?)))", []any{c.value, c.value, c.ID}
	}
}

// cursor is the decoded position of a row in an order.
type cursor struct {
	Field string          `json:"f"`
	Desc  bool            `json:"d,omitempty"`
	Value json.RawMessage `json:"v,omitempty"`
	ID    int64           `json:"i"`

	value any // Value decoded for the sort key's kind
}

// encodeCursor returns the opaque cursor of row in order o.
func (e *entity[T]) encodeCursor(o codex.Order, k sortKey[T], row *T) string {
	c := cursor{Field: o.Field, Desc: o.Desc, ID: e.id(row)}
	if k.expr != e.idExpr() {
		var v any
		switch x := k.value(row).(type) {
		case time.Time:
			v = x.UTC().Format(time.RFC3339Nano)
		case codex.Date:
			v = x.String()
		default:
			v = x
		}
		c.Value, _ = json.Marshal(v)
	}
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor parses a cursor made by encodeCursor for order o; arg names the argument
// ("after" or "before") in the error.
func (e *entity[T]) decodeCursor(s, arg string, o codex.Order, k sortKey[T]) (*cursor, error) {
	bad := invalid(arg, "is not a valid cursor")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, bad
	}
	if c.Field != o.Field || c.Desc != o.Desc {
		return nil, invalid(arg, "belongs to another order")
	}
	if k.expr == e.idExpr() {
		return &c, nil
	}
	if len(c.Value) == 0 || string(c.Value) == "null" {
		if !k.nullable {
			return nil, bad
		}
		return &c, nil
	}
	switch k.kind {
	case kindInt:
		var n int64
		err = json.Unmarshal(c.Value, &n)
		c.value = n
	case kindText:
		var s string
		err = json.Unmarshal(c.Value, &s)
		c.value = s
	case kindTime:
		var s string
		if err = json.Unmarshal(c.Value, &s); err == nil {
			var t time.Time
			t, err = time.Parse(time.RFC3339Nano, s)
			c.value = t.UTC()
		}
	case kindDate:
		var s string
		if err = json.Unmarshal(c.Value, &s); err == nil {
			c.value, err = codex.ParseDate(s)
		}
	}
	if err != nil {
		return nil, bad
	}
	return &c, nil
}

// columns selects the columns proj names (see projection; nil: whole rows) and the
// entity's joined columns; for whole rows of an entity without joined columns, bun
// selects the model's own columns.
func (e *entity[T]) columns(q *bun.SelectQuery, proj []string) *bun.SelectQuery {
	if proj == nil && e.cols == "" {
		return q
	}
	return e.project(q, proj)
}

// projection returns the columns to select for a caller that reads only sel (nil: whole
// rows): sel, the entity's always columns and the sort key's column, or an INVALID error
// naming a column the table does not store.
func (e *entity[T]) projection(idb bun.IDB, sel []string, k sortKey[T]) ([]string, error) {
	if sel == nil {
		return nil, nil
	}
	t := idb.Dialect().Tables().Get(reflect.TypeFor[T]())
	cols := append(slices.Clone(e.always), sel...)
	if c, ok := strings.CutPrefix(k.expr, e.alias+"."); ok {
		cols = append(cols, c)
	}
	for _, c := range cols {
		if f, ok := t.FieldMap[c]; !ok || f.Tag.HasOption("scanonly") {
			return nil, invalid("columns", "%s has no column %q", e.noun, c)
		}
	}
	slices.Sort(cols)
	return slices.Compact(cols), nil
}

// project selects the columns proj names (whole rows when it is nil, spelled alias.* as
// a query that adds column expressions of its own needs) and the entity's joined columns.
func (e *entity[T]) project(q *bun.SelectQuery, proj []string) *bun.SelectQuery {
	if proj == nil {
		q = q.ColumnExpr(e.alias + ".*")
	} else {
		q = q.Column(proj...)
	}
	if e.cols != "" {
		q = q.ColumnExpr(e.cols)
	}
	return q
}

// page fetches one page of the rows build selects: one statement, plus one COUNT(*)
// when the total is wanted.
func (e *entity[T]) page(ctx context.Context, idb bun.IDB, o codex.Order, p codex.PageArgs,
	build func(*bun.SelectQuery) *bun.SelectQuery) (*codex.Page[T], error) {
	return e.pageOf(ctx, idb, o, p, nil, build)
}

// pageOf is page for a caller that reads only the columns sel (see projection; nil: whole
// rows).
func (e *entity[T]) pageOf(ctx context.Context, idb bun.IDB, o codex.Order, p codex.PageArgs, sel []string,
	build func(*bun.SelectQuery) *bun.SelectQuery) (*codex.Page[T], error) {
	o, k, err := e.order(o)
	if err != nil {
		return nil, err
	}
	proj, err := e.projection(idb, sel, k)
	if err != nil {
		return nil, err
	}
	limit, err := p.Limit(DefaultPageSize, MaxPageSize)
	if err != nil {
		return nil, err
	}
	backward := p.Backward()

	var rows []*T
	q := e.columns(build(idb.NewSelect().Model(&rows)), proj)
	if p.After != "" {
		c, err := e.decodeCursor(p.After, "after", o, k)
		if err != nil {
			return nil, err
		}
		cond, args := e.after(k, c, o.Desc)
		q = q.Where(cond, args...)
	}
	if p.Before != "" {
		c, err := e.decodeCursor(p.Before, "before", o, k)
		if err != nil {
			return nil, err
		}
		cond, args := e.after(k, c, !o.Desc)
		q = q.Where(cond, args...)
	}
	q = q.OrderExpr(e.orderBy(k, o.Desc != backward)).Limit(limit + 1)
	if p.Offset > 0 && !backward {
		q = q.Offset(p.Offset)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}

	more := len(rows) > limit
	if more {
		rows = rows[:limit]
	}
	if backward {
		slices.Reverse(rows)
	}
	pg := &codex.Page[T]{Items: rows, Cursors: make([]string, len(rows))}
	if pg.Items == nil {
		pg.Items = []*T{}
	}
	for i, r := range rows {
		pg.Cursors[i] = e.encodeCursor(o, k, r)
	}
	if backward {
		pg.HasPreviousPage = more
		pg.HasNextPage = p.Before != ""
	} else {
		pg.HasNextPage = more
		pg.HasPreviousPage = p.After != "" || p.Offset > 0
	}
	if p.WantTotal {
		n, err := build(idb.NewSelect().Model((*T)(nil))).Count(ctx)
		if err != nil {
			return nil, err
		}
		pg.TotalCount = n
	}
	return pg, nil
}

// each streams every row build selects, in order o, from one statement: rows are scanned
// and handed to fn one at a time, so memory stays bounded whatever the size of the export
// and reading the database overlaps with fn's work (encoding, writing to the client).
// fn may run other statements (the policy layer's lookups), which take other connections
// of the pool; so that exports can never hold every connection while their callbacks
// wait for one, at most half the pool streams (db.streams). Beyond that, and on a pool of
// one connection (an in-memory SQLite database), the rows come in keyset pages of 1,000
// instead, one short statement each.
func (e *entity[T]) each(ctx context.Context, sdb *DB, o codex.Order,
	build func(*bun.SelectQuery) *bun.SelectQuery, fn func(*T) error) error {
	select {
	case sdb.streams <- struct{}{}:
		defer func() { <-sdb.streams }()
	default:
		return e.eachPage(ctx, sdb.bun, o, build, fn)
	}
	db := sdb.bun
	o, k, err := e.order(o)
	if err != nil {
		return err
	}
	q := e.columns(build(db.NewSelect().Model((*T)(nil))), nil).OrderExpr(e.orderBy(k, o.Desc))
	rows, err := q.Rows(ctx)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		row := new(T)
		if err := db.ScanRow(ctx, rows, row); err != nil {
			return err
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rows.Close()
}

// eachPage is each in keyset pages of 1,000 rows, one statement per page.
func (e *entity[T]) eachPage(ctx context.Context, idb bun.IDB, o codex.Order,
	build func(*bun.SelectQuery) *bun.SelectQuery, fn func(*T) error) error {
	const batch = 1000
	n := batch
	p := codex.PageArgs{First: &n}
	for {
		pg, err := e.page(ctx, idb, o, p, build)
		if err != nil {
			return err
		}
		for _, r := range pg.Items {
			if err := fn(r); err != nil {
				return err
			}
		}
		if !pg.HasNextPage || len(pg.Cursors) == 0 {
			return nil
		}
		p.After = pg.Cursors[len(pg.Cursors)-1]
	}
}

// byIDs loads the rows with the given ids in one statement and returns them in key order,
// with a NotFound error for each missing key (errs is nil when every key was found).
func (e *entity[T]) byIDs(ctx context.Context, db *DB, ids []int64,
	build func(*bun.SelectQuery) *bun.SelectQuery) ([]*T, []error) {
	out := make([]*T, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	q := db.inKeys(e.columns(build(db.bun.NewSelect().Model((*T)(nil))), nil), e.idExpr())
	rows, err := scanRows(ctx, db, q, uniq(ids), e.fields)
	if err != nil {
		errs := make([]error, len(ids))
		for i := range errs {
			errs[i] = translate(err)
		}
		return out, errs
	}
	found := make(map[int64]*T, len(rows))
	for _, r := range rows {
		found[e.id(r)] = r
	}
	var errs []error
	for i, id := range ids {
		if r, ok := found[id]; ok {
			out[i] = r
			continue
		}
		if errs == nil {
			errs = make([]error, len(ids))
		}
		errs[i] = notFound(e.noun, id)
	}
	return out, errs
}

// parents describes a per-parent batch lookup: parent is the SQL expression of the parent
// key in the inner query, outer the same key in the outer query over it (they differ when
// the key comes from a joined table), of reads it from a row.
type parents[T any] struct {
	parent string
	outer  string
	of     func(*T) int64
}

// byParents loads the rows of many parents in one statement and returns them grouped in
// key order (an empty slice for a parent without rows). A limit > 0 keeps the first limit
// rows of each parent in order o (LATERAL … LIMIT on PostgreSQL, ROW_NUMBER() OVER
// (PARTITION BY parent) on SQLite). sel, when not nil, names the only columns the caller
// reads (see projection): the rows hold those, and every other field is left zero.
func (e *entity[T]) byParents(ctx context.Context, db *DB, keys []int64, pp parents[T], o codex.Order, limit int,
	sel []string, build func(*bun.SelectQuery) *bun.SelectQuery) ([][]*T, error) {
	out := make([][]*T, len(keys))
	for i := range out {
		out[i] = []*T{}
	}
	if len(keys) == 0 {
		return out, nil
	}
	o, k, err := e.order(o)
	if err != nil {
		return nil, err
	}
	proj, err := e.projection(db.bun, sel, k)
	if err != nil {
		return nil, err
	}
	if pp.outer == "" {
		pp.outer = pp.parent
	}
	orderBy := e.orderBy(k, o.Desc)
	idb := db.bun
	var q *bun.SelectQuery
	if limit > 0 && db.pg {
		// PostgreSQL: one index-ordered LIMIT per parent through LATERAL. The window form
		// below makes the planner join every candidate row first (a hash join over the
		// whole table for contacts), which is many times slower on a list page.
		inner := e.project(build(idb.NewSelect().Model((*T)(nil))), proj)
		inner = inner.Where(pp.parent + " = _k.id").OrderExpr(orderBy).Limit(limit)
		q = idb.NewSelect().Model((*T)(nil)).
			ModelTableExpr("unnest(?) AS _k(id) CROSS JOIN LATERAL (?) AS "+e.alias, db.keysParam(), inner).
			ColumnExpr(e.alias + ".*").
			OrderExpr(pp.outer + ", " + orderBy)
	} else if limit > 0 {
		inner := e.project(build(idb.NewSelect().Model((*T)(nil))), proj)
		inner = inner.ColumnExpr("ROW_NUMBER() OVER (PARTITION BY " + pp.parent + " ORDER BY " + orderBy + ") AS _rn")
		inner = db.inKeys(inner, pp.parent)
		q = idb.NewSelect().Model((*T)(nil)).
			ModelTableExpr("(?) AS "+e.alias, inner).
			ColumnExpr(e.alias+".*").
			Where(e.alias+"._rn <= ?", limit).
			OrderExpr(pp.outer + ", " + orderBy)
	} else {
		q = db.inKeys(e.columns(build(idb.NewSelect().Model((*T)(nil))), proj), pp.parent).OrderExpr(pp.parent + ", " + orderBy)
	}
	rows, err := scanRows(ctx, db, q, uniq(keys), e.fields)
	if err != nil {
		return nil, err
	}
	groups := make(map[int64][]*T, len(keys))
	for _, r := range rows {
		p := pp.of(r)
		groups[p] = append(groups[p], r)
	}
	for i, key := range keys {
		if g, ok := groups[key]; ok {
			out[i] = g
		}
	}
	return out, nil
}

// countByParents counts the rows build selects per parent key, in key order, with one
// GROUP BY statement.
func (e *entity[T]) countByParents(ctx context.Context, db *DB, keys []int64, parent string,
	build func(*bun.SelectQuery) *bun.SelectQuery) ([]int, error) {
	out := make([]int, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	var counts []struct {
		K int64 `bun:"k"`
		N int   `bun:"n"`
	}
	q := build(db.bun.NewSelect().Model((*T)(nil))).
		ColumnExpr(parent + " AS k").ColumnExpr("count(*) AS n").GroupExpr(parent)
	if err := db.scanKeys(ctx, db.inKeys(q, parent), uniq(keys), &counts); err != nil {
		return nil, err
	}
	m := make(map[int64]int, len(counts))
	for _, c := range counts {
		m[c.K] = c.N
	}
	for i, k := range keys {
		out[i] = m[k]
	}
	return out, nil
}
