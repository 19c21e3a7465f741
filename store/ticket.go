package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/hivematrix/codex/codex"
)

// Tickets and alerts are written only by the sync engine, which saves each record it
// reads by (source, external id): SaveTicket and SaveAlert insert or update, in one
// transaction that first reads the existing row (the unique indexes are partial, so a
// portable ON CONFLICT would need their WHERE clause; reading first also gives the audit
// entry its "before" and skips writes that change nothing).

// Priorities and statuses sort by rank, not alphabetically.
const (
	ticketPriorityRank = "CASE ticket.priority WHEN 'low' THEN 1 WHEN 'medium' THEN 2 WHEN 'high' THEN 3 WHEN 'urgent' THEN 4 ELSE 0 END"
	ticketStatusRank   = "CASE ticket.status WHEN 'open' THEN 1 WHEN 'pending' THEN 2 WHEN 'resolved' THEN 3 WHEN 'closed' THEN 4 ELSE 0 END"
	alertPriorityRank  = "CASE alert.priority WHEN 'information' THEN 1 WHEN 'low' THEN 2 WHEN 'moderate' THEN 3 WHEN 'high' THEN 4 WHEN 'critical' THEN 5 ELSE 0 END"
)

var (
	ticketPriorities = map[codex.TicketPriority]int64{codex.PriorityLow: 1, codex.PriorityMedium: 2, codex.PriorityHigh: 3, codex.PriorityUrgent: 4}
	ticketStatuses   = map[codex.TicketStatus]int64{codex.TicketOpen: 1, codex.TicketPending: 2, codex.TicketResolved: 3, codex.TicketClosed: 4}
	alertPriorities  = map[codex.AlertPriority]int64{codex.AlertInformation: 1, codex.AlertLow: 2, codex.AlertModerate: 3, codex.AlertHigh: 4, codex.AlertCritical: 5}
)

var ticketEntity = &entity[codex.Ticket]{
	noun:  "ticket",
	alias: "ticket",
	keys: map[string]sortKey[codex.Ticket]{
		"created_at": {expr: "ticket.created_at", kind: kindTime, value: func(t *codex.Ticket) any { return t.CreatedAt }},
		"updated_at": {expr: "ticket.updated_at", kind: kindTime, value: func(t *codex.Ticket) any { return t.UpdatedAt }},
		"id":         {expr: "ticket.id", kind: kindInt},
		"priority":   {expr: ticketPriorityRank, kind: kindInt, value: func(t *codex.Ticket) any { return ticketPriorities[t.Priority] }},
		"status":     {expr: ticketStatusRank, kind: kindInt, value: func(t *codex.Ticket) any { return ticketStatuses[t.Status] }},
		"due_at": {expr: "ticket.due_at", kind: kindTime, nullable: true, value: func(t *codex.Ticket) any {
			if t.DueAt == nil {
				return nil
			}
			return *t.DueAt
		}},
	},
	allowed: codex.TicketOrders,
	def:     "created_at",
	defDesc: true,
	id:      func(t *codex.Ticket) int64 { return t.ID },
}

// ticketFilter returns the conditions of f.
func (db *DB) ticketFilter(f codex.TicketFilter) func(*bun.SelectQuery) *bun.SelectQuery {
	return func(q *bun.SelectQuery) *bun.SelectQuery {
		q = db.search(q, f.Search, db.likeAll("ticket.subject", "ticket.external_id", "ticket.description")...)
		if f.CompanyID != nil {
			q = q.Where("ticket.company_id = ?", *f.CompanyID)
		}
		if f.SubtreeOf != nil {
			q = inSubtree(q, "ticket.company_id", *f.SubtreeOf)
		}
		if f.RequesterID != nil {
			q = q.Where("ticket.requester_id = ?", *f.RequesterID)
		}
		if len(f.Status) > 0 {
			q = inIDs(q, "ticket.status", f.Status)
		}
		if len(f.Priority) > 0 {
			q = inIDs(q, "ticket.priority", f.Priority)
		}
		if f.OpenOnly {
			q = inIDs(q, "ticket.status", codex.OpenTicketStatuses)
		}
		if f.Source != "" {
			q = q.Where("ticket.source = ?", f.Source)
		}
		if f.UpdatedSince != nil {
			q = q.Where("ticket.updated_at >= ?", f.UpdatedSince.UTC())
		}
		if f.UpdatedBefore != nil {
			q = q.Where("ticket.updated_at < ?", f.UpdatedBefore.UTC())
		}
		if f.ExternalID != "" {
			q = q.Where("ticket.external_id = ?", f.ExternalID)
		}
		if f.ResponderRef != "" {
			q = q.Where("ticket.responder_ref = ?", f.ResponderRef)
		}
		if f.GroupRef != "" {
			q = q.Where("ticket.group_ref = ?", f.GroupRef)
		}
		q = notArchived(q, "ticket", f.IncludeArchived)
		return inScope(q, "ticket.company_id", f.Scope)
	}
}

func getTicket(ctx context.Context, idb bun.IDB, id int64) (*codex.Ticket, error) {
	t := new(codex.Ticket)
	if err := idb.NewSelect().Model(t).Where("ticket.id = ?", id).Scan(ctx); err != nil {
		return nil, notFoundOr(err, "ticket", id)
	}
	return t, nil
}

// Ticket returns one ticket.
func (db *DB) Ticket(ctx context.Context, id int64) (*codex.Ticket, error) {
	t, err := getTicket(ctx, db.bun, id)
	return t, translate(err)
}

// TicketsByIDs returns the tickets with the given ids in key order.
func (db *DB) TicketsByIDs(ctx context.Context, ids []int64) ([]*codex.Ticket, []error) {
	return ticketEntity.byIDs(ctx, db, ids, noFilter)
}

// Tickets lists tickets, newest first unless f.Order says otherwise.
func (db *DB) Tickets(ctx context.Context, f codex.TicketFilter, p codex.PageArgs) (*codex.Page[codex.Ticket], error) {
	pg, err := ticketEntity.page(ctx, db.bun, f.Order, p, db.ticketFilter(f))
	return pg, translate(err)
}

// EachTicket calls fn for every matching ticket, in order.
func (db *DB) EachTicket(ctx context.Context, f codex.TicketFilter, fn func(*codex.Ticket) error) error {
	return translate(ticketEntity.each(ctx, db, f.Order, db.ticketFilter(f), fn))
}

var ticketsByCompany = parents[codex.Ticket]{parent: "ticket.company_id", of: func(t *codex.Ticket) int64 { return t.CompanyID }}

// TicketsByCompanies returns each company's matching tickets, at most limit per company.
func (db *DB) TicketsByCompanies(ctx context.Context, companyIDs []int64, f codex.TicketFilter, limit int) ([][]*codex.Ticket, error) {
	out, err := ticketEntity.byParents(ctx, db, companyIDs, ticketsByCompany, f.Order, limit, nil, db.ticketFilter(f))
	return out, translate(err)
}

// CountTicketsByCompanies counts each company's matching tickets.
func (db *DB) CountTicketsByCompanies(ctx context.Context, companyIDs []int64, f codex.TicketFilter) ([]int, error) {
	out, err := ticketEntity.countByParents(ctx, db, companyIDs, "ticket.company_id", db.ticketFilter(f))
	return out, translate(err)
}

// utc returns t in UTC at the stores' microsecond precision.
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// utcp is utc for an optional time.
func utcp(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := utc(*t)
	return &u
}

func normalizeTicket(t *codex.Ticket) {
	t.CreatedAt, t.UpdatedAt = utc(t.CreatedAt), utc(t.UpdatedAt)
	t.DueAt, t.ResolvedAt, t.ClosedAt, t.ArchivedAt = utcp(t.DueAt), utcp(t.ResolvedAt), utcp(t.ClosedAt), utcp(t.ArchivedAt)
	t.FRDueBy, t.FirstRespondedAt, t.AgentRespondedAt = utcp(t.FRDueBy), utcp(t.FirstRespondedAt), utcp(t.AgentRespondedAt)
}

// same reports whether a and b encode to the same JSON.
func same(a, b any) bool {
	x, err1 := snapshot(a)
	y, err2 := snapshot(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

// SaveTicket inserts or updates a ticket by (source, external id); a ticket without an
// external id is always inserted. It sets t.ID and reports whether it created the row.
func (db *DB) SaveTicket(ctx context.Context, t *codex.Ticket) (created bool, err error) {
	if err := t.Validate(); err != nil {
		return false, err
	}
	err = db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := mustExist(ctx, tx, "companies", "company_id", t.CompanyID); err != nil {
			return err
		}
		if t.RequesterID != nil {
			if err := mustExist(ctx, tx, "contacts", "requester_id", *t.RequesterID); err != nil {
				return err
			}
		}
		var old *codex.Ticket
		if t.ExternalID != "" {
			old = new(codex.Ticket)
			q := tx.NewSelect().Model(old).Where("ticket.source = ? AND ticket.external_id = ?", t.Source, t.ExternalID)
			if err := forUpdate(tx, q, "ticket").Scan(ctx); errors.Is(err, sql.ErrNoRows) {
				old = nil
			} else if err != nil {
				return err
			}
		}
		now := db.now()
		if t.UpdatedAt.IsZero() {
			t.UpdatedAt = now
		}
		if old == nil {
			t.ID, t.TotalHoursSpent = 0, 0
			if t.CreatedAt.IsZero() {
				t.CreatedAt = now
			}
			normalizeTicket(t)
			if _, err := tx.NewInsert().Model(t).Exec(ctx); err != nil {
				return err
			}
			created = true
			return db.audit(ctx, tx, actionCreate, "ticket", t.ID, &t.CompanyID, nil, t)
		}
		t.ID = old.ID
		if t.CreatedAt.IsZero() {
			t.CreatedAt = old.CreatedAt
		}
		// The hours are the sum of the time entries, which SaveTicketDetail writes.
		t.TotalHoursSpent = old.TotalHoursSpent
		normalizeTicket(t)
		normalizeTicket(old)
		if same(old, t) {
			return nil
		}
		if _, err := tx.NewUpdate().Model(t).WherePK().Exec(ctx); err != nil {
			return err
		}
		return db.audit(ctx, tx, actionUpdate, "ticket", t.ID, &t.CompanyID, old, t)
	})
	if err != nil {
		return false, err
	}
	return created, nil
}

// Alerts

var alertEntity = &entity[codex.Alert]{
	noun:  "alert",
	alias: "alert",
	keys: map[string]sortKey[codex.Alert]{
		"raised_at": {expr: "alert.raised_at", kind: kindTime, value: func(a *codex.Alert) any { return a.RaisedAt }},
		"id":        {expr: "alert.id", kind: kindInt},
		"priority":  {expr: alertPriorityRank, kind: kindInt, value: func(a *codex.Alert) any { return alertPriorities[a.Priority] }},
	},
	allowed: codex.AlertOrders,
	def:     "raised_at",
	defDesc: true,
	id:      func(a *codex.Alert) int64 { return a.ID },
}

// alertFilter returns the conditions of f.
func alertFilter(f codex.AlertFilter) func(*bun.SelectQuery) *bun.SelectQuery {
	return func(q *bun.SelectQuery) *bun.SelectQuery {
		if f.CompanyID != nil {
			q = q.Where("alert.company_id = ?", *f.CompanyID)
		}
		if f.SubtreeOf != nil {
			q = inSubtree(q, "alert.company_id", *f.SubtreeOf)
		}
		if f.AssetID != nil {
			q = q.Where("alert.asset_id = ?", *f.AssetID)
		}
		if len(f.Priority) > 0 {
			q = inIDs(q, "alert.priority", f.Priority)
		}
		if f.Resolved != nil {
			q = q.Where("alert.resolved = ?", *f.Resolved)
		}
		return inScope(q, "alert.company_id", f.Scope)
	}
}

// Alert returns one alert.
func (db *DB) Alert(ctx context.Context, id int64) (*codex.Alert, error) {
	a := new(codex.Alert)
	if err := db.bun.NewSelect().Model(a).Where("alert.id = ?", id).Scan(ctx); err != nil {
		return nil, translate(notFoundOr(err, "alert", id))
	}
	return a, nil
}

// Alerts lists alerts, most recently raised first unless f.Order says otherwise.
func (db *DB) Alerts(ctx context.Context, f codex.AlertFilter, p codex.PageArgs) (*codex.Page[codex.Alert], error) {
	pg, err := alertEntity.page(ctx, db.bun, f.Order, p, alertFilter(f))
	return pg, translate(err)
}

// AlertsByCompanies returns each company's matching alerts, at most limit per company.
func (db *DB) AlertsByCompanies(ctx context.Context, companyIDs []int64, f codex.AlertFilter, limit int) ([][]*codex.Alert, error) {
	out, err := alertEntity.byParents(ctx, db, companyIDs, parents[codex.Alert]{
		parent: "alert.company_id",
		of:     func(a *codex.Alert) int64 { return a.CompanyID },
	}, f.Order, limit, nil, alertFilter(f))
	return out, translate(err)
}

// AlertsByAssets returns each asset's matching alerts, at most limit per asset.
func (db *DB) AlertsByAssets(ctx context.Context, assetIDs []int64, f codex.AlertFilter, limit int) ([][]*codex.Alert, error) {
	out, err := alertEntity.byParents(ctx, db, assetIDs, parents[codex.Alert]{
		parent: "alert.asset_id",
		of:     func(a *codex.Alert) int64 { return *a.AssetID },
	}, f.Order, limit, nil, alertFilter(f))
	return out, translate(err)
}

func normalizeAlert(a *codex.Alert) {
	a.RaisedAt, a.CreatedAt, a.UpdatedAt = utc(a.RaisedAt), utc(a.CreatedAt), utc(a.UpdatedAt)
	a.ResolvedAt = utcp(a.ResolvedAt)
}

// SaveAlert inserts or updates an alert by (source, external id); an alert without an
// external id is always inserted. It sets a.ID and reports whether it created the row.
func (db *DB) SaveAlert(ctx context.Context, a *codex.Alert) (created bool, err error) {
	if err := a.Validate(); err != nil {
		return false, err
	}
	err = db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := mustExist(ctx, tx, "companies", "company_id", a.CompanyID); err != nil {
			return err
		}
		if a.AssetID != nil {
			if err := mustExist(ctx, tx, "assets", "asset_id", *a.AssetID); err != nil {
				return err
			}
		}
		var old *codex.Alert
		if a.ExternalID != "" {
			old = new(codex.Alert)
			q := tx.NewSelect().Model(old).Where("alert.source = ? AND alert.external_id = ?", a.Source, a.ExternalID)
			if err := forUpdate(tx, q, "alert").Scan(ctx); errors.Is(err, sql.ErrNoRows) {
				old = nil
			} else if err != nil {
				return err
			}
		}
		now := db.now()
		if a.RaisedAt.IsZero() {
			a.RaisedAt = now
		}
		if old == nil {
			a.ID = 0
			a.CreatedAt, a.UpdatedAt = now, now
			normalizeAlert(a)
			if _, err := tx.NewInsert().Model(a).Exec(ctx); err != nil {
				return err
			}
			created = true
			return db.audit(ctx, tx, actionCreate, "alert", a.ID, &a.CompanyID, nil, a)
		}
		a.ID, a.CreatedAt, a.UpdatedAt = old.ID, old.CreatedAt, old.UpdatedAt
		normalizeAlert(a)
		normalizeAlert(old)
		if same(old, a) {
			return nil
		}
		a.UpdatedAt = now
		if _, err := tx.NewUpdate().Model(a).WherePK().Exec(ctx); err != nil {
			return err
		}
		return db.audit(ctx, tx, actionUpdate, "alert", a.ID, &a.CompanyID, old, a)
	})
	if err != nil {
		return false, err
	}
	return created, nil
}
