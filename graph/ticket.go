package graph

import (
	"context"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/graph/model"
)

// ID is the global id.
func (r *ticketResolver) ID(_ context.Context, obj *codex.Ticket) (string, error) {
	return globalID(typeTicket, obj.ID), nil
}

// Company loads the ticket's company.
func (r *ticketResolver) Company(ctx context.Context, obj *codex.Ticket) (*codex.Company, error) {
	return companyOf(ctx, r.Resolver, obj, "Ticket.company", func(t *codex.Ticket) (int64, bool) { return t.CompanyID, true })
}

// Requester loads the contact who raised the ticket.
func (r *ticketResolver) Requester(ctx context.Context, obj *codex.Ticket) (*codex.Contact, error) {
	return optional(load(ctx, obj, "Ticket.requester", "", func(t *codex.Ticket) (int64, bool) { return some(t.RequesterID) },
		byIDs(loadersFrom(ctx), r.svc.Contacts.ContactsByIDs)))
}

// ID is the global id.
func (r *alertResolver) ID(_ context.Context, obj *codex.Alert) (string, error) {
	return globalID(typeAlert, obj.ID), nil
}

// Company loads the alert's company.
func (r *alertResolver) Company(ctx context.Context, obj *codex.Alert) (*codex.Company, error) {
	return companyOf(ctx, r.Resolver, obj, "Alert.company", func(a *codex.Alert) (int64, bool) { return a.CompanyID, true })
}

// Asset loads the asset the alert is about.
func (r *alertResolver) Asset(ctx context.Context, obj *codex.Alert) (*codex.Asset, error) {
	return optional(load(ctx, obj, "Alert.asset", "", func(a *codex.Alert) (int64, bool) { return some(a.AssetID) },
		byIDs(loadersFrom(ctx), r.svc.Assets.AssetsByIDs)))
}

// ticketFilter turns GraphQL ticket filter and order into a codex filter.
func ticketFilter(in *model.TicketFilter, o *model.TicketOrder) (codex.TicketFilter, error) {
	var f codex.TicketFilter
	if o != nil {
		f.Order = order(&o.Field, o.Direction.Value())
	}
	if in == nil {
		return f, nil
	}
	var v ids
	f.Search = val(in.Search)
	f.CompanyID = v.opt("filter.companyId", typeCompany, in.CompanyID.Value())
	f.SubtreeOf = v.opt("filter.subtreeOf", typeCompany, in.SubtreeOf.Value())
	f.RequesterID = v.opt("filter.requesterId", typeContact, in.RequesterID.Value())
	f.Status = in.Status.Value()
	f.Priority = in.Priority.Value()
	f.OpenOnly = val(in.OpenOnly)
	if src := in.Source.Value(); src != nil {
		f.Source = valueOf(*src)
	}
	f.UpdatedSince = in.UpdatedSince.Value()
	f.IncludeArchived = val(in.IncludeArchived)
	return f, v.err()
}

// alertFilter turns GraphQL alert filter and order into a codex filter.
func alertFilter(in *model.AlertFilter, o *model.AlertOrder) (codex.AlertFilter, error) {
	var f codex.AlertFilter
	if o != nil {
		f.Order = order(&o.Field, o.Direction.Value())
	}
	if in == nil {
		return f, nil
	}
	var v ids
	f.CompanyID = v.opt("filter.companyId", typeCompany, in.CompanyID.Value())
	f.SubtreeOf = v.opt("filter.subtreeOf", typeCompany, in.SubtreeOf.Value())
	f.AssetID = v.opt("filter.assetId", typeAsset, in.AssetID.Value())
	f.Priority = in.Priority.Value()
	f.Resolved = in.Resolved.Value()
	return f, v.err()
}

// Tickets lists tickets.
func (r *queryResolver) Tickets(ctx context.Context, first *int, after *string, last *int, before *string,
	filter *model.TicketFilter, orderBy *model.TicketOrder) (*model.TicketConnection, error) {
	f, err := ticketFilter(filter, orderBy)
	if err != nil {
		return nil, err
	}
	p, err := r.pageArgs(ctx, first, after, last, before)
	if err != nil {
		return nil, err
	}
	pg, err := r.svc.Tickets.Tickets(ctx, f, p)
	if err != nil {
		return nil, err
	}
	return ticketConnection(fromPage(ctx, pg)), nil
}

// Alerts lists alerts.
func (r *queryResolver) Alerts(ctx context.Context, first *int, after *string, last *int, before *string,
	filter *model.AlertFilter, orderBy *model.AlertOrder) (*model.AlertConnection, error) {
	f, err := alertFilter(filter, orderBy)
	if err != nil {
		return nil, err
	}
	p, err := r.pageArgs(ctx, first, after, last, before)
	if err != nil {
		return nil, err
	}
	pg, err := r.svc.Tickets.Alerts(ctx, f, p)
	if err != nil {
		return nil, err
	}
	return alertConnection(fromPage(ctx, pg)), nil
}
