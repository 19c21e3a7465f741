package store

import (
	"context"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/hivematrix/codex/codex"
)

// mustExist checks that row id of table exists, returning an Invalid error naming field
// ("company_id": "company 999 does not exist") when it does not. Checking before writing
// gives a better message than the foreign key violation, which stays as a safety net.
func mustExist(ctx context.Context, idb bun.IDB, table, field string, id int64) error {
	ok, err := idb.NewSelect().Table(table).Where("id = ?", id).Exists(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return invalid(field, "%s %d does not exist", nouns[table], id)
	}
	return nil
}

// mustExistAll checks that every id of table exists, with one statement.
func mustExistAll(ctx context.Context, idb bun.IDB, table, field string, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	var found []int64
	if err := idb.NewSelect().Table(table).Column("id").Where("id IN (?)", bun.In(ids)).Scan(ctx, &found); err != nil {
		return err
	}
	for _, id := range ids {
		if !slices.Contains(found, id) {
			return invalid(field, "%s %d does not exist", nouns[table], id)
		}
	}
	return nil
}

// archiver archives and restores rows of one entity.
type archiver[T any] struct {
	noun       string
	get        func(ctx context.Context, idb bun.IDB, id int64, lock bool) (*T, error)
	archivedAt func(*T) **time.Time
	updatedAt  func(*T) *time.Time
	companyID  func(*T) *int64
}

// set archives (archived true) or restores the row id, recording the change in the audit
// log. Archiving an archived row, or restoring a live one, changes nothing.
func (a *archiver[T]) set(ctx context.Context, db *DB, id int64, archived bool) (*T, error) {
	var out *T
	err := db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		row, err := a.get(ctx, tx, id, true)
		if err != nil {
			return err
		}
		out = row
		at := a.archivedAt(row)
		if (*at != nil) == archived {
			return nil
		}
		before := *row
		now := db.now()
		if archived {
			*at = &now
		} else {
			*at = nil
		}
		*a.updatedAt(row) = codex.NextWrite(*a.updatedAt(&before), now)
		if _, err := tx.NewUpdate().Model(row).Column("archived_at", "updated_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		action := actionRestore
		if archived {
			action = actionArchive
		}
		return db.audit(ctx, tx, action, a.noun, id, a.companyID(row), &before, row)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// without returns cols without the names in drop.
func without(cols []string, drop ...string) []string {
	return slices.DeleteFunc(slices.Clone(cols), func(c string) bool { return slices.Contains(drop, c) })
}
