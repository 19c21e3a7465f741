package policy

import (
	"context"

	"github.com/hivematrix/codex/codex"
)

func (s *service) Ticket(ctx context.Context, id int64) (*codex.Ticket, error) {
	p, sc, err := s.readScope(ctx, codex.ResTicket)
	if err != nil {
		return nil, err
	}
	t, err := s.in.Tickets.Ticket(ctx, id)
	if err != nil {
		return nil, err
	}
	if !inScope(sc, t.CompanyID) {
		return nil, notFound("ticket", id)
	}
	return t, s.redactTickets(ctx, p, true, t)
}

func (s *service) TicketsByIDs(ctx context.Context, ids []int64) ([]*codex.Ticket, []error) {
	p, sc, err := s.readScope(ctx, codex.ResTicket)
	if err != nil {
		return nil, repeat(err, len(ids))
	}
	ts, errs := s.in.Tickets.TicketsByIDs(ctx, ids)
	for i, t := range ts {
		if t != nil && !inScope(sc, t.CompanyID) {
			if errs == nil {
				errs = make([]error, len(ids))
			}
			ts[i], errs[i] = nil, notFound("ticket", ids[i])
		}
	}
	if err := s.redactTickets(ctx, p, false, ts...); err != nil {
		return nil, repeat(err, len(ids))
	}
	return ts, errs
}

func (s *service) Tickets(ctx context.Context, f codex.TicketFilter, pa codex.PageArgs) (*codex.Page[codex.Ticket], error) {
	p, sc, err := s.readScope(ctx, codex.ResTicket)
	if err != nil {
		return nil, err
	}
	if err := checkTicketQuery(p, &f); err != nil {
		return nil, err
	}
	f.Scope = narrow(f.Scope, sc)
	page, err := s.in.Tickets.Tickets(ctx, f, pa)
	if err != nil {
		return nil, err
	}
	return page, s.redactTickets(ctx, p, true, page.Items...)
}

func (s *service) EachTicket(ctx context.Context, f codex.TicketFilter, fn func(*codex.Ticket) error) error {
	p, sc, err := s.readScope(ctx, codex.ResTicket)
	if err != nil {
		return err
	}
	if err := checkTicketQuery(p, &f); err != nil {
		return err
	}
	f.Scope = narrow(f.Scope, sc)
	return s.in.Tickets.EachTicket(ctx, f, func(t *codex.Ticket) error {
		if err := s.redactTickets(ctx, p, true, t); err != nil {
			return err
		}
		return fn(t)
	})
}

func (s *service) TicketsByCompanies(ctx context.Context, companyIDs []int64, f codex.TicketFilter, limit int) ([][]*codex.Ticket, error) {
	p, sc, err := s.readScope(ctx, codex.ResTicket)
	if err != nil {
		return nil, err
	}
	if err := checkTicketQuery(p, &f); err != nil {
		return nil, err
	}
	groups, err := s.in.Tickets.TicketsByCompanies(ctx, visibleKeys(sc, companyIDs), f, limit)
	if err != nil {
		return nil, err
	}
	return groups, s.redactTickets(ctx, p, false, flatten(groups)...)
}

func (s *service) CountTicketsByCompanies(ctx context.Context, companyIDs []int64, f codex.TicketFilter) ([]int, error) {
	p, sc, err := s.readScope(ctx, codex.ResTicket)
	if err != nil {
		return nil, err
	}
	if err := checkTicketQuery(p, &f); err != nil {
		return nil, err
	}
	return s.in.Tickets.CountTicketsByCompanies(ctx, visibleKeys(sc, companyIDs), f)
}

func (s *service) SaveTicket(ctx context.Context, t *codex.Ticket) (bool, error) {
	if _, err := allow(ctx, codex.Write, codex.ResTicket); err != nil {
		return false, err
	}
	return s.in.Tickets.SaveTicket(ctx, t)
}

func (s *service) Alert(ctx context.Context, id int64) (*codex.Alert, error) {
	p, sc, err := s.readScope(ctx, codex.ResTicket)
	if err != nil {
		return nil, err
	}
	a, err := s.in.Tickets.Alert(ctx, id)
	if err != nil {
		return nil, err
	}
	if !inScope(sc, a.CompanyID) {
		return nil, notFound("alert", id)
	}
	return a, s.redactAlerts(ctx, p, a)
}

func (s *service) Alerts(ctx context.Context, f codex.AlertFilter, pa codex.PageArgs) (*codex.Page[codex.Alert], error) {
	p, sc, err := s.readScope(ctx, codex.ResTicket)
	if err != nil {
		return nil, err
	}
	f.Scope = narrow(f.Scope, sc)
	page, err := s.in.Tickets.Alerts(ctx, f, pa)
	if err != nil {
		return nil, err
	}
	return page, s.redactAlerts(ctx, p, page.Items...)
}

func (s *service) AlertsByCompanies(ctx context.Context, companyIDs []int64, f codex.AlertFilter, limit int) ([][]*codex.Alert, error) {
	p, sc, err := s.readScope(ctx, codex.ResTicket)
	if err != nil {
		return nil, err
	}
	groups, err := s.in.Tickets.AlertsByCompanies(ctx, visibleKeys(sc, companyIDs), f, limit)
	if err != nil {
		return nil, err
	}
	return groups, s.redactAlerts(ctx, p, flatten(groups)...)
}

func (s *service) AlertsByAssets(ctx context.Context, assetIDs []int64, f codex.AlertFilter, limit int) ([][]*codex.Alert, error) {
	p, sc, err := s.readScope(ctx, codex.ResTicket)
	if err != nil {
		return nil, err
	}
	groups, err := s.in.Tickets.AlertsByAssets(ctx, assetIDs, f, limit)
	if err != nil {
		return nil, err
	}
	for i, g := range groups {
		groups[i] = keep(g, func(a *codex.Alert) bool { return inScope(sc, a.CompanyID) })
	}
	return groups, s.redactAlerts(ctx, p, flatten(groups)...)
}

func (s *service) SaveAlert(ctx context.Context, a *codex.Alert) (bool, error) {
	if _, err := allow(ctx, codex.Write, codex.ResTicket); err != nil {
		return false, err
	}
	return s.in.Tickets.SaveAlert(ctx, a)
}
