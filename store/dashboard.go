package store

import (
	"context"
	"slices"

	"github.com/uptrace/bun"

	"github.com/hivematrix/codex/codex"
)

// Totals takes the counts f asks for in one statement of scalar subqueries, each with the
// conditions of its list (so a count equals the list's total count for the same scope).
func (db *DB) Totals(ctx context.Context, f codex.TotalsFilter) (*codex.Totals, error) {
	out := &codex.Totals{}
	q := db.bun.NewSelect()
	var dest []any
	count := func(on bool, into **int, alias string, model any, build func(*bun.SelectQuery) *bun.SelectQuery) {
		if !on {
			return
		}
		*into = new(int)
		q = q.ColumnExpr("(?) AS "+alias, build(db.bun.NewSelect().Model(model).ColumnExpr("count(*)")))
		dest = append(dest, *into)
	}
	count(f.Companies, &out.Clients, "clients", (*codex.Company)(nil),
		db.companyFilter(codex.CompanyFilter{Kind: []codex.CompanyKind{codex.KindClient}, Scope: f.Scope}))
	count(f.Contacts, &out.Contacts, "contacts", (*codex.Contact)(nil), db.contactFilter(codex.ContactFilter{Scope: f.Scope}, false))
	assets, err := db.assetFilter(codex.AssetFilter{Scope: f.Scope})
	if err != nil {
		return nil, err
	}
	count(f.Assets, &out.Assets, "assets", (*codex.Asset)(nil), assets)
	equipment, err := db.equipmentFilter(codex.EquipmentFilter{Scope: f.Scope})
	if err != nil {
		return nil, err
	}
	count(f.Network, &out.Equipment, "equipment", (*codex.NetworkEquipment)(nil), equipment)
	count(f.Tickets, &out.OpenTickets, "open_tickets", (*codex.Ticket)(nil), db.ticketFilter(codex.TicketFilter{OpenOnly: true, Scope: f.Scope}))
	resolved := false
	count(f.Tickets, &out.OpenAlerts, "open_alerts", (*codex.Alert)(nil), alertFilter(codex.AlertFilter{Resolved: &resolved, Scope: f.Scope}))
	if len(dest) == 0 {
		return out, nil
	}
	if err := q.Scan(ctx, dest...); err != nil {
		return nil, translate(err)
	}
	return out, nil
}

// Expiring lists the warranties and the licences (of licence assets) ending in f's
// window, soonest first: two statements, each a range scan of its date's index.
func (db *DB) Expiring(ctx context.Context, f codex.ExpiryFilter) ([]*codex.Expiry, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 200
	}
	var out []*codex.Expiry
	for _, k := range []struct {
		what, col string
		types     []codex.AssetType
		date      func(*codex.Asset) *codex.Date
	}{
		{codex.ExpiryWarranty, "asset.warranty_expires", nil, func(a *codex.Asset) *codex.Date { return a.WarrantyExpires }},
		{codex.ExpiryLicence, "asset.license_expires", []codex.AssetType{codex.AssetLicense}, func(a *codex.Asset) *codex.Date { return a.LicenseExpires }},
	} {
		var rows []*codex.Asset
		q := db.bun.NewSelect().Model(&rows).
			Where(k.col+" >= ?", f.From).Where(k.col+" < ?", f.Before).
			Where("asset.archived_at IS NULL")
		if k.types != nil {
			q = inIDs(q, "asset.type", k.types)
		}
		q = inScope(q, "asset.company_id", f.Scope)
		if err := q.OrderExpr(k.col + ", asset.id").Limit(limit).Scan(ctx); err != nil {
			return nil, translate(err)
		}
		for _, a := range rows {
			out = append(out, &codex.Expiry{Asset: a, What: k.what, Ends: *k.date(a)})
		}
	}
	sortExpiries(out)
	return out, nil
}

// sortExpiries orders expiries soonest first, warranties before licences on one day.
func sortExpiries(es []*codex.Expiry) {
	slices.SortStableFunc(es, func(a, b *codex.Expiry) int {
		switch {
		case a.Ends.Before(b.Ends):
			return -1
		case b.Ends.Before(a.Ends):
			return 1
		}
		return 0
	})
}
