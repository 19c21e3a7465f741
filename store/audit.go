package store

import (
	"context"
	"encoding/json"

	"github.com/uptrace/bun"

	"github.com/hivematrix/codex/codex"
)

// Audit actions.
const (
	actionCreate   = "create"
	actionUpdate   = "update"
	actionArchive  = "archive"
	actionRestore  = "restore"
	actionMove     = "move"
	actionAssign   = "assign"
	actionUnassign = "unassign"
	actionDelete   = "delete"
)

// Audit entities are named after their tables: company, location, contact, asset,
// network_equipment, network_link, subnet, ticket, alert, agent, sync_conflict.

// redacted replaces secret values in audit snapshots: the audit log is read more widely
// than the secrets themselves.
const redacted = "[redacted]"

// audit records one write in the audit log, inside the write's transaction. before and
// after are the row (or a small document) before and after the write; pass nil when
// there is none. The actor and request id come from ctx.
func (db *DB) audit(ctx context.Context, idb bun.IDB, action, noun string, id int64, companyID *int64, before, after any) error {
	e, err := db.auditEntry(ctx, action, noun, id, companyID, before, after)
	if err != nil {
		return err
	}
	_, err = idb.NewInsert().Model(e).Exec(ctx)
	return err
}

// auditEntry builds the audit entry of one write (see audit).
func (db *DB) auditEntry(ctx context.Context, action, noun string, id int64, companyID *int64, before, after any) (*codex.AuditEntry, error) {
	e := &codex.AuditEntry{
		Actor:     codex.PrincipalFrom(ctx).Actor(),
		Action:    action,
		Entity:    noun,
		EntityID:  id,
		CompanyID: companyID,
		RequestID: codex.RequestIDFrom(ctx),
		At:        db.now(),
	}
	var err error
	if e.Before, err = snapshot(before); err != nil {
		return nil, err
	}
	if e.After, err = snapshot(after); err != nil {
		return nil, err
	}
	return e, nil
}

// snapshot encodes v for the audit log, redacting secret fields.
func snapshot(v any) (json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	if a, ok := v.(*codex.Asset); ok {
		c := *a
		if c.LicenseKey != "" {
			c.LicenseKey = redacted
		}
		if len(c.SecretFields) > 0 {
			m := make(map[string]string, len(c.SecretFields))
			for k := range c.SecretFields {
				m[k] = redacted
			}
			c.SecretFields = m
		}
		v = &c
	}
	return json.Marshal(v)
}

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }

var auditEntity = &entity[codex.AuditEntry]{
	noun:    "audit entry",
	alias:   "audit",
	keys:    map[string]sortKey[codex.AuditEntry]{"id": {expr: "audit.id", kind: kindInt}},
	allowed: []string{"id"},
	def:     "id",
	defDesc: true,
	id:      func(a *codex.AuditEntry) int64 { return a.ID },
}

// AuditLog lists audit entries, newest first.
func (db *DB) AuditLog(ctx context.Context, f codex.AuditFilter, p codex.PageArgs) (*codex.Page[codex.AuditEntry], error) {
	pg, err := auditEntity.page(ctx, db.bun, codex.Order{}, p, func(q *bun.SelectQuery) *bun.SelectQuery {
		if f.Actor != "" {
			q = q.Where("audit.actor = ?", f.Actor)
		}
		if f.Entity != "" {
			q = q.Where("audit.entity = ?", f.Entity)
		}
		if f.EntityID != nil {
			q = q.Where("audit.entity_id = ?", *f.EntityID)
		}
		if f.Action != "" {
			q = q.Where("audit.action = ?", f.Action)
		}
		if f.Since != nil {
			q = q.Where("audit.at >= ?", f.Since.UTC())
		}
		return inScope(q, "audit.company_id", f.Scope)
	})
	return pg, translate(err)
}
