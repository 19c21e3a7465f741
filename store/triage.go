package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/uptrace/bun"

	"github.com/hivematrix/codex/codex"
)

// This file holds the triage list (records the sync keeps without a company) and the
// account number mark.

var triageEntity = &entity[codex.TriageItem]{
	noun:    "triage item",
	alias:   "triage",
	keys:    map[string]sortKey[codex.TriageItem]{"id": {expr: "triage.id", kind: kindInt}},
	allowed: []string{"id"},
	def:     "id",
	id:      func(t *codex.TriageItem) int64 { return t.ID },
}

func triageKey(t *codex.TriageItem) string {
	return t.Source + "\x00" + t.Entity + "\x00" + t.ExternalID
}

// SaveTriageItems inserts or updates items by (source, entity, external id) with one
// statement per thousand; an item seen again keeps its detection time.
func (db *DB) SaveTriageItems(ctx context.Context, items []*codex.TriageItem) error {
	if len(items) == 0 {
		return nil
	}
	now := db.now()
	last := map[string]int{}
	for i, t := range items {
		var v codex.Validation
		v.Check(t.Source != "", "source", "is required")
		v.Check(t.Entity != "", "entity", "is required")
		v.Check(t.ExternalID != "", "external_id", "is required")
		v.Check(t.Reason == codex.TriageUnassigned || t.Reason == codex.TriageAmbiguous, "reason", "must be unassigned or ambiguous")
		if err := v.Err(); err != nil {
			return err
		}
		if t.Candidates == nil {
			t.Candidates = []int64{}
		}
		if t.Upstream == nil {
			t.Upstream = map[string]string{}
		}
		t.DetectedAt, t.UpdatedAt = now, now
		last[triageKey(t)] = i
	}
	rows := make([]*codex.TriageItem, 0, len(last))
	for i, t := range items {
		if last[triageKey(t)] == i {
			t.ID = 0
			rows = append(rows, t)
		}
	}
	for chunk := range slices.Chunk(rows, refChunk) {
		_, err := db.bun.NewInsert().Model(&chunk).
			On("CONFLICT (source, entity, external_id) DO UPDATE").
			Set("label = EXCLUDED.label").
			Set("reason = EXCLUDED.reason").
			Set("requester = EXCLUDED.requester").
			Set("candidates = EXCLUDED.candidates").
			Set("upstream = EXCLUDED.upstream").
			Set("fingerprint = EXCLUDED.fingerprint").
			Set("updated_at = EXCLUDED.updated_at").
			Returning("id").Exec(ctx)
		if err != nil {
			return translate(err)
		}
	}
	for _, t := range items {
		t.ID = items[last[triageKey(t)]].ID
	}
	return nil
}

// TriageItem returns one triage item.
func (db *DB) TriageItem(ctx context.Context, id int64) (*codex.TriageItem, error) {
	t := new(codex.TriageItem)
	if err := db.bun.NewSelect().Model(t).Where("triage.id = ?", id).Scan(ctx); err != nil {
		return nil, translate(notFoundOr(err, "triage item", id))
	}
	return t, nil
}

// TriageItems lists triage items, oldest first.
func (db *DB) TriageItems(ctx context.Context, f codex.TriageFilter, p codex.PageArgs) (*codex.Page[codex.TriageItem], error) {
	pg, err := triageEntity.page(ctx, db.bun, codex.Order{}, p, func(q *bun.SelectQuery) *bun.SelectQuery {
		if f.Source != "" {
			q = q.Where("triage.source = ?", f.Source)
		}
		if f.Entity != "" {
			q = q.Where("triage.entity = ?", f.Entity)
		}
		if f.Reason != "" {
			q = q.Where("triage.reason = ?", f.Reason)
		}
		if f.Requester != "" {
			q = q.Where("triage.requester = ?", f.Requester)
		}
		if f.ExternalID != "" {
			q = q.Where("triage.external_id = ?", f.ExternalID)
		}
		return q
	})
	return pg, translate(err)
}

// DeleteTriageItems removes the items of source's records of entity with these external
// ids.
func (db *DB) DeleteTriageItems(ctx context.Context, source, entity string, externalIDs []string) (int, error) {
	n := 0
	keys := slices.Compact(slices.Sorted(slices.Values(externalIDs)))
	for chunk := range slices.Chunk(keys, refChunk) {
		res, err := db.bun.NewDelete().Model((*codex.TriageItem)(nil)).
			Where("source = ? AND entity = ?", source, entity).
			Where("external_id IN (?)", bun.In(chunk)).Exec(ctx)
		if err != nil {
			return n, translate(err)
		}
		k, _ := res.RowsAffected()
		n += int(k)
	}
	return n, nil
}

// accountNumberMark names the mark of company account numbers.
const accountNumberMark = "company"

// checkAccountNumberFormat reports whether format formats one integer and nothing else.
func checkAccountNumberFormat(format string) error {
	a, b := fmt.Sprintf(format, 1), fmt.Sprintf(format, 2)
	if format == "" || a == b || strings.Contains(a, "%!") {
		return &codex.Error{Code: codex.Invalid, Message: "invalid account number format",
			Fields: map[string]string{"account_number_format": fmt.Sprintf("%q must format one integer, like %%06d", format)}}
	}
	return nil
}

// AssignAccountNumbers numbers every client company that is not archived and has none,
// in id order, in one transaction that holds the mark; each change is audited.
func (db *DB) AssignAccountNumbers(ctx context.Context, format string, start int64) ([]*codex.Company, error) {
	if err := checkAccountNumberFormat(format); err != nil {
		return nil, err
	}
	var out []*codex.Company
	err := db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		out = nil
		// Take the mark first, so that two assignments never hand out one number.
		if _, err := tx.NewRaw("INSERT INTO account_number_marks (name, high_water) VALUES (?, 0) ON CONFLICT (name) DO NOTHING", accountNumberMark).Exec(ctx); err != nil {
			return err
		}
		q := tx.NewRaw("SELECT high_water FROM account_number_marks WHERE name = ?", accountNumberMark)
		if db.pg {
			q = tx.NewRaw("SELECT high_water FROM account_number_marks WHERE name = ? FOR UPDATE", accountNumberMark)
		}
		var mark int64
		if err := q.Scan(ctx, &mark); err != nil {
			return err
		}
		var ids []int64
		err := tx.NewSelect().Table("companies").Column("id").
			Where("kind = ?", codex.KindClient).Where("archived_at IS NULL").
			Where("(account_number IS NULL OR account_number = '')").OrderExpr("id").Scan(ctx, &ids)
		if err != nil || len(ids) == 0 {
			return err
		}
		next := max(mark+1, start)
		for _, id := range ids {
			c, err := getCompany(ctx, tx, id, true)
			if err != nil {
				return err
			}
			if c.AccountNumber != nil && *c.AccountNumber != "" {
				continue
			}
			var number string
			for {
				number = fmt.Sprintf(format, next)
				next++
				taken, err := tx.NewSelect().Table("companies").Where("account_number = ?", number).Exists(ctx)
				if err != nil {
					return err
				}
				if !taken {
					break
				}
			}
			before := *c
			c.AccountNumber = &number
			c.UpdatedAt = db.now()
			if _, err := tx.NewUpdate().Model(c).Column("account_number", "updated_at").WherePK().Exec(ctx); err != nil {
				return err
			}
			if err := db.audit(ctx, tx, actionUpdate, "company", c.ID, &c.ID, &before, c); err != nil {
				return err
			}
			out = append(out, c)
		}
		_, err = tx.NewRaw("UPDATE account_number_marks SET high_water = ? WHERE name = ?", next-1, accountNumberMark).Exec(ctx)
		return err
	})
	if err != nil {
		return nil, translate(err)
	}
	return out, nil
}
