package policy

import (
	"context"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/redact"
)

// The PSA's agents and groups are read by whoever may read tickets; the conversations and
// time entries of a ticket by whoever may see that ticket, redacted like the ticket
// (conversation body_text and from_email, time entry note). Only the sync engine (a
// principal allowed to write tickets) saves them.

var _ codex.PSAService = (*service)(nil)

func (s *service) PSAAgents(ctx context.Context, source string) ([]*codex.PSAAgent, error) {
	if _, err := allow(ctx, codex.Read, codex.ResTicket); err != nil {
		return nil, err
	}
	return s.in.PSA.PSAAgents(ctx, source)
}

func (s *service) PSAGroups(ctx context.Context, source string) ([]*codex.PSAGroup, error) {
	if _, err := allow(ctx, codex.Read, codex.ResTicket); err != nil {
		return nil, err
	}
	return s.in.PSA.PSAGroups(ctx, source)
}

func (s *service) PSAAgentsByRefs(ctx context.Context, refs []codex.PSARef) ([]*codex.PSAAgent, error) {
	if _, err := allow(ctx, codex.Read, codex.ResTicket); err != nil {
		return nil, err
	}
	return s.in.PSA.PSAAgentsByRefs(ctx, refs)
}

func (s *service) PSAGroupsByRefs(ctx context.Context, refs []codex.PSARef) ([]*codex.PSAGroup, error) {
	if _, err := allow(ctx, codex.Read, codex.ResTicket); err != nil {
		return nil, err
	}
	return s.in.PSA.PSAGroupsByRefs(ctx, refs)
}

// visibleTickets returns, per ticket id, the ticket's company when the caller may see the
// ticket, and 0 otherwise.
func (s *service) visibleTickets(ctx context.Context, ids []int64) (*codex.Principal, []int64, error) {
	p, sc, err := s.readScope(ctx, codex.ResTicket)
	if err != nil {
		return nil, nil, err
	}
	sys := codex.WithPrincipal(ctx, codex.SystemPrincipal("policy"))
	ts, _ := s.in.Tickets.TicketsByIDs(sys, ids)
	companies := make([]int64, len(ids))
	for i, t := range ts {
		if t != nil && inScope(sc, t.CompanyID) {
			companies[i] = t.CompanyID
		}
	}
	return p, companies, nil
}

func (s *service) ConversationsByTickets(ctx context.Context, ticketIDs []int64) ([][]*codex.TicketConversation, error) {
	p, companies, err := s.visibleTickets(ctx, ticketIDs)
	if err != nil {
		return nil, err
	}
	groups, err := s.in.PSA.ConversationsByTickets(ctx, hidden(ticketIDs, companies))
	if err != nil {
		return nil, err
	}
	if !p.MustRedact() {
		return groups, nil
	}
	r, err := s.redactorsFor(ctx, companies)
	if err != nil {
		return nil, err
	}
	for i, g := range groups {
		for _, c := range g {
			c.BodyText = r.text(companies[i], c.BodyText)
			if r.has(companies[i], redact.Email) && c.FromEmail != "" {
				c.FromEmail = "<EMAIL_ADDRESS>"
			}
		}
	}
	return groups, nil
}

func (s *service) TimeEntriesByTickets(ctx context.Context, ticketIDs []int64) ([][]*codex.TicketTimeEntry, error) {
	p, companies, err := s.visibleTickets(ctx, ticketIDs)
	if err != nil {
		return nil, err
	}
	groups, err := s.in.PSA.TimeEntriesByTickets(ctx, hidden(ticketIDs, companies))
	if err != nil {
		return nil, err
	}
	if !p.MustRedact() {
		return groups, nil
	}
	r, err := s.redactorsFor(ctx, companies)
	if err != nil {
		return nil, err
	}
	for i, g := range groups {
		for _, e := range g {
			e.Note = r.text(companies[i], e.Note)
		}
	}
	return groups, nil
}

// hidden replaces the ids of tickets the caller may not see (company 0) by 0, which names
// no ticket.
func hidden(ids, companies []int64) []int64 {
	out := make([]int64, len(ids))
	for i, id := range ids {
		if companies[i] != 0 {
			out[i] = id
		}
	}
	return out
}

func (s *service) SavePSAAgent(ctx context.Context, a *codex.PSAAgent) (bool, error) {
	if _, err := allow(ctx, codex.Write, codex.ResTicket); err != nil {
		return false, err
	}
	return s.in.PSA.SavePSAAgent(ctx, a)
}

func (s *service) SavePSAGroup(ctx context.Context, g *codex.PSAGroup) (bool, error) {
	if _, err := allow(ctx, codex.Write, codex.ResTicket); err != nil {
		return false, err
	}
	return s.in.PSA.SavePSAGroup(ctx, g)
}

func (s *service) SaveTicketDetail(ctx context.Context, ticketID int64, d codex.TicketDetail) error {
	if _, err := allow(ctx, codex.Write, codex.ResTicket); err != nil {
		return err
	}
	return s.in.PSA.SaveTicketDetail(ctx, ticketID, d)
}

// ticketUpdater is the policy over a PSAWriter.
type ticketUpdater struct {
	svc *service
	w   codex.PSAWriter
}

// NewTicketUpdater returns the TicketUpdater that lets technicians, admins and services
// granted write change tickets in the PSA through w, on tickets they may see. inner is the
// store's services, as given to New. With w nil, every update answers Unavailable.
func NewTicketUpdater(inner codex.Services, w codex.PSAWriter) codex.TicketUpdater {
	return &ticketUpdater{svc: &service{in: inner}, w: w}
}

func (u *ticketUpdater) UpdateTicketInPSA(ctx context.Context, id int64, upd codex.TicketUpdate) (*codex.Ticket, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if !p.CanUpdatePSATickets() {
		return nil, codex.Errorf(codex.Forbidden, "you may not change tickets")
	}
	if _, err := u.svc.Ticket(ctx, id); err != nil {
		return nil, err
	}
	if upd.StatusID == nil && upd.Note == "" {
		var v codex.Validation
		v.Add("status", "give a status or notes (or both)")
		return nil, v.Err()
	}
	if u.w == nil {
		return nil, codex.Errorf(codex.Unavailable, "no PSA is configured")
	}
	// The caller saw t redacted, perhaps; the writer works on the stored row.
	sys := codex.WithPrincipal(ctx, codex.SystemPrincipal("policy"))
	stored, err := u.svc.in.Tickets.Ticket(sys, id)
	if err != nil {
		return nil, err
	}
	updated, err := u.w.UpdateTicket(ctx, stored, upd)
	if err != nil {
		return nil, err
	}
	return updated, u.svc.redactTickets(ctx, p, true, updated)
}
