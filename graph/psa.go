package graph

import (
	"context"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/graph/generated"
)

// The PSA side of tickets: responder and group by their PSA ids, conversations and time
// entries per ticket, each one batch call per level through the request's loaders.

type ticketConversationResolver struct{ *Resolver }

// TicketConversation returns the TicketConversation resolver.
func (r *Resolver) TicketConversation() generated.TicketConversationResolver {
	return &ticketConversationResolver{r}
}

// Kind is "reply" or "note".
func (r *ticketConversationResolver) Kind(_ context.Context, obj *codex.TicketConversation) (string, error) {
	return string(obj.Kind), nil
}

// byRefs adapts a "...ByRefs" batch method to a loader fetch.
func byRefs[T any](f func(ctx context.Context, refs []codex.PSARef) ([]*T, error)) fetchFunc[codex.PSARef, *T] {
	return func(ctx context.Context, refs []codex.PSARef) ([]*T, []error) {
		rows, err := f(ctx, refs)
		if err != nil {
			return nil, []error{err}
		}
		return rows, nil
	}
}

// psaRef is the key of a PSA record a ticket names by its PSA id.
func psaRef(t *codex.Ticket, externalID string) (codex.PSARef, bool) {
	return codex.PSARef{Source: t.Source, ExternalID: externalID}, externalID != ""
}

// Responder loads the PSA agent the ticket is assigned to.
func (r *ticketResolver) Responder(ctx context.Context, obj *codex.Ticket) (*codex.PSAAgent, error) {
	return load(ctx, obj, "Ticket.responder", "", func(t *codex.Ticket) (codex.PSARef, bool) { return psaRef(t, t.ResponderRef) },
		byRefs(r.svc.PSA.PSAAgentsByRefs))
}

// Group loads the PSA group the ticket is assigned to.
func (r *ticketResolver) Group(ctx context.Context, obj *codex.Ticket) (*codex.PSAGroup, error) {
	return load(ctx, obj, "Ticket.group", "", func(t *codex.Ticket) (codex.PSARef, bool) { return psaRef(t, t.GroupRef) },
		byRefs(r.svc.PSA.PSAGroupsByRefs))
}

// Conversations loads the ticket's replies and notes.
func (r *ticketResolver) Conversations(ctx context.Context, obj *codex.Ticket) ([]*codex.TicketConversation, error) {
	out, err := load(ctx, obj, "Ticket.conversations", "", func(t *codex.Ticket) (int64, bool) { return t.ID, true },
		byParents(loadersFrom(ctx), r.svc.PSA.ConversationsByTickets))
	if out == nil {
		out = []*codex.TicketConversation{}
	}
	return out, err
}

// TimeEntries loads the ticket's time entries.
func (r *ticketResolver) TimeEntries(ctx context.Context, obj *codex.Ticket) ([]*codex.TicketTimeEntry, error) {
	out, err := load(ctx, obj, "Ticket.timeEntries", "", func(t *codex.Ticket) (int64, bool) { return t.ID, true },
		byParents(loadersFrom(ctx), r.svc.PSA.TimeEntriesByTickets))
	if out == nil {
		out = []*codex.TicketTimeEntry{}
	}
	return out, err
}
