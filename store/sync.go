package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/uptrace/bun"

	"github.com/hivematrix/codex/codex"
)

// External references and sync runs are the sync engine's bookkeeping, not changes to
// Codex's data, so they are not audited; the writes the engine makes through the entity
// services are.

// ExternalRef returns the reference of an outside record.
func (db *DB) ExternalRef(ctx context.Context, source, entity, externalID string) (*codex.ExternalRef, error) {
	r := new(codex.ExternalRef)
	err := db.bun.NewSelect().Model(r).
		Where("xref.source = ? AND xref.entity = ? AND xref.external_id = ?", source, entity, externalID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, codex.Errorf(codex.NotFound, "no %s %s with external id %q", source, entity, externalID)
	}
	if err != nil {
		return nil, translate(err)
	}
	return r, nil
}

// ExternalRefsByEntity returns the references of each row of entity, by source.
func (db *DB) ExternalRefsByEntity(ctx context.Context, entity string, entityIDs []int64) ([][]*codex.ExternalRef, error) {
	out := make([][]*codex.ExternalRef, len(entityIDs))
	for i := range out {
		out[i] = []*codex.ExternalRef{}
	}
	if len(entityIDs) == 0 {
		return out, nil
	}
	var rows []*codex.ExternalRef
	if err := db.bun.NewSelect().Model(&rows).Where("xref.entity = ?", entity).
		Where("xref.entity_id IN (?)", bun.In(uniq(entityIDs))).
		OrderExpr("xref.entity_id, xref.source, xref.id").Scan(ctx); err != nil {
		return nil, translate(err)
	}
	m := map[int64][]*codex.ExternalRef{}
	for _, r := range rows {
		m[r.EntityID] = append(m[r.EntityID], r)
	}
	for i, id := range entityIDs {
		if g, ok := m[id]; ok {
			out[i] = g
		}
	}
	return out, nil
}

// SaveExternalRef records that row r.EntityID of r.Entity mirrors record r.ExternalID of
// r.Source: it updates the reference of that outside record, or else the row's reference
// to that source, or inserts one. It sets r.ID (and r.SyncedAt when unset).
func (db *DB) SaveExternalRef(ctx context.Context, r *codex.ExternalRef) error {
	if err := checkRef(r, true); err != nil {
		return err
	}
	if r.SyncedAt.IsZero() {
		r.SyncedAt = db.now()
	}
	r.SyncedAt, r.GoneAt = utc(r.SyncedAt), utcp(r.GoneAt)
	return db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		old := new(codex.ExternalRef)
		err := tx.NewSelect().Model(old).
			Where("xref.source = ? AND xref.entity = ? AND xref.external_id = ?", r.Source, r.Entity, r.ExternalID).
			WhereOr("xref.entity = ? AND xref.entity_id = ? AND xref.source = ?", r.Entity, r.EntityID, r.Source).
			OrderExpr("CASE WHEN xref.external_id = ? THEN 0 ELSE 1 END", r.ExternalID).Limit(1).Scan(ctx)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			r.ID = 0
			_, err = tx.NewInsert().Model(r).Exec(ctx)
			return err
		case err != nil:
			return err
		}
		r.ID = old.ID
		_, err = tx.NewUpdate().Model(r).Column("entity_id", "external_id", "fingerprint", "synced_at", "upstream", "gone_at").WherePK().Exec(ctx)
		return err
	})
}

var syncRunEntity = &entity[codex.SyncRun]{
	noun:    "sync run",
	alias:   "run",
	keys:    map[string]sortKey[codex.SyncRun]{"id": {expr: "run.id", kind: kindInt}},
	allowed: []string{"id"},
	def:     "id",
	defDesc: true,
	id:      func(r *codex.SyncRun) int64 { return r.ID },
}

// StartSyncRun records the start of a run of source.
func (db *DB) StartSyncRun(ctx context.Context, source, triggeredBy string) (*codex.SyncRun, error) {
	if strings.TrimSpace(source) == "" {
		return nil, invalid("source", "is required")
	}
	r := &codex.SyncRun{Source: source, Status: codex.SyncRunning, TriggeredBy: triggeredBy, StartedAt: db.now()}
	if _, err := db.bun.NewInsert().Model(r).Exec(ctx); err != nil {
		return nil, translate(err)
	}
	return r, nil
}

// FinishSyncRun records the end of run: its counts, error and status (failed when
// run.Error is set and the status is still running, succeeded otherwise), and sets
// run.FinishedAt.
func (db *DB) FinishSyncRun(ctx context.Context, run *codex.SyncRun) error {
	if run.Status == "" || run.Status == codex.SyncRunning {
		run.Status = codex.SyncSucceeded
		if run.Error != "" {
			run.Status = codex.SyncFailed
		}
	}
	if run.Status != codex.SyncSucceeded && run.Status != codex.SyncFailed {
		return invalid("status", "must be succeeded or failed")
	}
	now := db.now()
	run.FinishedAt = &now
	run.Watermark = utcp(run.Watermark)
	cols := []string{"status", "finished_at", "created", "updated", "unchanged", "archived", "failed", "conflicts", "counts", "error", "watermark"}
	if run.Problems != nil {
		// Problems saved during the run stay unless the run carries its own.
		cols = append(cols, "problems")
	}
	res, err := db.bun.NewUpdate().Model(run).Column(cols...).WherePK().Exec(ctx)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("sync run", run.ID)
	}
	return nil
}

// SyncRun returns one run.
func (db *DB) SyncRun(ctx context.Context, id int64) (*codex.SyncRun, error) {
	r := new(codex.SyncRun)
	if err := db.bun.NewSelect().Model(r).Where("run.id = ?", id).Scan(ctx); err != nil {
		return nil, translate(notFoundOr(err, "sync run", id))
	}
	return r, nil
}

// SyncRuns lists the runs of source ("" = every source), newest first.
func (db *DB) SyncRuns(ctx context.Context, source string, p codex.PageArgs) (*codex.Page[codex.SyncRun], error) {
	pg, err := syncRunEntity.page(ctx, db.bun, codex.Order{}, p, func(q *bun.SelectQuery) *bun.SelectQuery {
		if source != "" {
			q = q.Where("run.source = ?", source)
		}
		return q
	})
	return pg, translate(err)
}

// LastSyncRun returns the latest run of source with status ("" = any status).
func (db *DB) LastSyncRun(ctx context.Context, source string, status string) (*codex.SyncRun, error) {
	r := new(codex.SyncRun)
	q := db.bun.NewSelect().Model(r).Where("run.source = ?", source)
	if status != "" {
		q = q.Where("run.status = ?", status)
	}
	if err := q.OrderExpr("run.started_at DESC, run.id DESC").Limit(1).Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			if status == "" {
				return nil, codex.Errorf(codex.NotFound, "no sync run of %s", source)
			}
			return nil, codex.Errorf(codex.NotFound, "no %s sync run of %s", status, source)
		}
		return nil, translate(err)
	}
	return r, nil
}
