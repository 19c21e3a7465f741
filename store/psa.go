package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/hivematrix/codex/codex"
)

// The PSA's agents and groups, and the conversations and time entries of tickets, are
// written only by the sync engine. Agents and groups are saved by (source, external id);
// a ticket's conversations and time entries are replaced as a whole each time the sync
// reads them, which also drops what was deleted in the PSA.

// PSAAgents lists the PSA's agents of source ("" = every source), active first, then by name.
func (db *DB) PSAAgents(ctx context.Context, source string) ([]*codex.PSAAgent, error) {
	var out []*codex.PSAAgent
	q := db.bun.NewSelect().Model(&out).OrderExpr("psa_agent.active DESC, psa_agent.name, psa_agent.id")
	if source != "" {
		q = q.Where("psa_agent.source = ?", source)
	}
	return out, translate(q.Scan(ctx))
}

// PSAGroups lists the PSA's groups of source ("" = every source) by name.
func (db *DB) PSAGroups(ctx context.Context, source string) ([]*codex.PSAGroup, error) {
	var out []*codex.PSAGroup
	q := db.bun.NewSelect().Model(&out).OrderExpr("psa_group.name, psa_group.id")
	if source != "" {
		q = q.Where("psa_group.source = ?", source)
	}
	return out, translate(q.Scan(ctx))
}

// refKeys groups refs by source for IN lists.
func refKeys(refs []codex.PSARef) map[string][]string {
	out := map[string][]string{}
	for _, r := range refs {
		if r.ExternalID != "" && !slices.Contains(out[r.Source], r.ExternalID) {
			out[r.Source] = append(out[r.Source], r.ExternalID)
		}
	}
	return out
}

// byRefs loads the rows of a table keyed by (source, external id) and returns them in
// the order of refs, nil where there is none.
func byRefs[T any](ctx context.Context, db *DB, refs []codex.PSARef, alias string, key func(*T) codex.PSARef) ([]*T, error) {
	found := map[codex.PSARef]*T{}
	for source, ids := range refKeys(refs) {
		var rows []*T
		if err := db.bun.NewSelect().Model(&rows).
			Where(alias+".source = ?", source).Where(alias+".external_id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
			return nil, translate(err)
		}
		for _, r := range rows {
			found[key(r)] = r
		}
	}
	out := make([]*T, len(refs))
	for i, r := range refs {
		out[i] = found[r]
	}
	return out, nil
}

// PSAAgentsByRefs returns the agents named by refs, in key order, nil where none.
func (db *DB) PSAAgentsByRefs(ctx context.Context, refs []codex.PSARef) ([]*codex.PSAAgent, error) {
	return byRefs(ctx, db, refs, "psa_agent", func(a *codex.PSAAgent) codex.PSARef { return codex.PSARef{Source: a.Source, ExternalID: a.ExternalID} })
}

// PSAGroupsByRefs returns the groups named by refs, in key order, nil where none.
func (db *DB) PSAGroupsByRefs(ctx context.Context, refs []codex.PSARef) ([]*codex.PSAGroup, error) {
	return byRefs(ctx, db, refs, "psa_group", func(g *codex.PSAGroup) codex.PSARef { return codex.PSARef{Source: g.Source, ExternalID: g.ExternalID} })
}

// byTickets loads the rows of a per-ticket table for ticketIDs, grouped in key order.
func byTickets[T any](ctx context.Context, db *DB, ticketIDs []int64, alias, order string, ticket func(*T) int64) ([][]*T, error) {
	out := make([][]*T, len(ticketIDs))
	if len(ticketIDs) == 0 {
		return out, nil
	}
	var rows []*T
	if err := db.bun.NewSelect().Model(&rows).Where(alias+".ticket_id IN (?)", bun.In(ticketIDs)).
		OrderExpr(order).Scan(ctx); err != nil {
		return nil, translate(err)
	}
	pos := make(map[int64][]int, len(ticketIDs))
	for i, id := range ticketIDs {
		pos[id] = append(pos[id], i)
	}
	for _, r := range rows {
		for _, i := range pos[ticket(r)] {
			out[i] = append(out[i], r)
		}
	}
	return out, nil
}

// ConversationsByTickets returns each ticket's conversations, oldest first.
func (db *DB) ConversationsByTickets(ctx context.Context, ticketIDs []int64) ([][]*codex.TicketConversation, error) {
	return byTickets(ctx, db, ticketIDs, "conv", "conv.created_at, conv.id",
		func(c *codex.TicketConversation) int64 { return c.TicketID })
}

// TimeEntriesByTickets returns each ticket's time entries, oldest first.
func (db *DB) TimeEntriesByTickets(ctx context.Context, ticketIDs []int64) ([][]*codex.TicketTimeEntry, error) {
	return byTickets(ctx, db, ticketIDs, "te", "te.created_at, te.id",
		func(e *codex.TicketTimeEntry) int64 { return e.TicketID })
}

// SavePSAAgent inserts or updates an agent by (source, external id) and sets a.ID.
func (db *DB) SavePSAAgent(ctx context.Context, a *codex.PSAAgent) (bool, error) {
	return savePSA(ctx, db, a, "psa_agent", a.Source, a.ExternalID,
		func(r *codex.PSAAgent) (*int64, *time.Time, *time.Time) { return &r.ID, &r.CreatedAt, &r.UpdatedAt })
}

// SavePSAGroup inserts or updates a group by (source, external id) and sets g.ID.
func (db *DB) SavePSAGroup(ctx context.Context, g *codex.PSAGroup) (bool, error) {
	return savePSA(ctx, db, g, "psa_group", g.Source, g.ExternalID,
		func(r *codex.PSAGroup) (*int64, *time.Time, *time.Time) { return &r.ID, &r.CreatedAt, &r.UpdatedAt })
}

// savePSA is the read-then-write upsert of SavePSAAgent and SavePSAGroup, whose table
// alias is also their audit noun: it skips a write that changes nothing and audits the
// others. stamps returns a row's id and timestamps.
func savePSA[T any](ctx context.Context, db *DB, row *T, alias, source, externalID string,
	stamps func(*T) (*int64, *time.Time, *time.Time)) (bool, error) {
	var v codex.Validation
	v.Check(source != "", "source", "is required")
	v.Check(externalID != "", "external_id", "is required")
	if err := v.Err(); err != nil {
		return false, err
	}
	id, created, updated := stamps(row)
	isNew := false
	err := db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		old := new(T)
		q := tx.NewSelect().Model(old).Where(alias+".source = ? AND "+alias+".external_id = ?", source, externalID)
		if err := forUpdate(tx, q, alias).Scan(ctx); errors.Is(err, sql.ErrNoRows) {
			old = nil
		} else if err != nil {
			return err
		}
		now := db.now()
		if old == nil {
			*id, *created, *updated = 0, now, now
			if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
				return err
			}
			isNew = true
			return db.audit(ctx, tx, actionCreate, alias, *id, nil, nil, row)
		}
		oldID, oldCreated, oldUpdated := stamps(old)
		*oldCreated, *oldUpdated = utc(*oldCreated), utc(*oldUpdated)
		*id, *created, *updated = *oldID, *oldCreated, *oldUpdated
		if same(old, row) {
			return nil
		}
		*updated = now
		if _, err := tx.NewUpdate().Model(row).WherePK().Exec(ctx); err != nil {
			return err
		}
		return db.audit(ctx, tx, actionUpdate, alias, *id, nil, old, row)
	})
	return isNew, err
}

// SaveTicketDetail replaces a ticket's conversations and time entries and sets its total
// hours from the time entries, in one transaction.
func (db *DB) SaveTicketDetail(ctx context.Context, ticketID int64, d codex.TicketDetail) error {
	return db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := mustExist(ctx, tx, "tickets", "ticket_id", ticketID); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*codex.TicketConversation)(nil)).Where("ticket_id = ?", ticketID).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*codex.TicketTimeEntry)(nil)).Where("ticket_id = ?", ticketID).Exec(ctx); err != nil {
			return err
		}
		for _, c := range d.Conversations {
			c.ID, c.TicketID = 0, ticketID
			c.CreatedAt, c.UpdatedAt = utc(c.CreatedAt), utc(c.UpdatedAt)
			if c.Kind != codex.ConversationNote {
				c.Kind = codex.ConversationReply
			}
		}
		minutes := 0
		for _, e := range d.TimeEntries {
			e.ID, e.TicketID = 0, ticketID
			e.CreatedAt, e.UpdatedAt, e.ExecutedAt = utc(e.CreatedAt), utc(e.UpdatedAt), utcp(e.ExecutedAt)
			minutes += e.Minutes
		}
		if len(d.Conversations) > 0 {
			if _, err := tx.NewInsert().Model(&d.Conversations).Exec(ctx); err != nil {
				return err
			}
		}
		if len(d.TimeEntries) > 0 {
			if _, err := tx.NewInsert().Model(&d.TimeEntries).Exec(ctx); err != nil {
				return err
			}
		}
		_, err := tx.NewUpdate().Table("tickets").Set("total_hours_spent = ?", float64(minutes)/60).
			Where("id = ?", ticketID).Exec(ctx)
		return err
	})
}
