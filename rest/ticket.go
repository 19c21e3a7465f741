package rest

import (
	"net/http"
	"reflect"
	"time"

	"github.com/hivematrix/codex/codex"
)

// TicketFilter parameters.
var ticketParams = []filterParam[codex.TicketFilter]{
	textParam("search", "Subject or description contains this text.", func(f *codex.TicketFilter) *string { return &f.Search }),
	idParam("company_id", "Tickets of this company.", func(f *codex.TicketFilter) **int64 { return &f.CompanyID }),
	idParam("subtree_of", "Tickets of any company in this company's subtree.",
		func(f *codex.TicketFilter) **int64 { return &f.SubtreeOf }),
	idParam("requester_id", "Tickets this contact requested.", func(f *codex.TicketFilter) **int64 { return &f.RequesterID }),
	enumParam("status", "Ticket statuses.", []codex.TicketStatus{codex.TicketOpen, codex.TicketPending, codex.TicketResolved, codex.TicketClosed},
		func(f *codex.TicketFilter) *[]codex.TicketStatus { return &f.Status }),
	enumParam("priority", "Ticket priorities.", []codex.TicketPriority{codex.PriorityLow, codex.PriorityMedium, codex.PriorityHigh, codex.PriorityUrgent},
		func(f *codex.TicketFilter) *[]codex.TicketPriority { return &f.Priority }),
	flagParam("open_only", "Only open or pending tickets.", func(f *codex.TicketFilter) *bool { return &f.OpenOnly }),
	textParam("source", "Tickets from this PSA (freshservice).", func(f *codex.TicketFilter) *string { return &f.Source }),
	timeParam("updated_since", "Tickets updated at or after this instant.",
		func(f *codex.TicketFilter) **time.Time { return &f.UpdatedSince }),
	flagParam("include_archived", "Include archived tickets.", func(f *codex.TicketFilter) *bool { return &f.IncludeArchived }),
	orderParam(codex.TicketOrders, func(f *codex.TicketFilter) *codex.Order { return &f.Order }),
}

func (a *API) ticketRoutes() []route {
	ts := a.svc.Tickets
	l := list[codex.TicketFilter, codex.Ticket, *codex.Ticket]{
		name: "tickets", params: ticketParams, page: ts.Tickets, each: ts.EachTicket,
		view: func(t *codex.Ticket) *codex.Ticket { return t },
	}
	nested := l
	nested.params = without(ticketParams, "company_id")
	nested.scope = func(r *http.Request, f *codex.TicketFilter) error {
		id, err := a.companyInPath(r)
		f.CompanyID = &id
		return err
	}
	all := listRoute(a, l, "/tickets", "List tickets (read only: the PSA owns them)", "tickets")
	all.params = append(all.params, envelopeParam)
	documented := all.handler
	all.handler = func(w http.ResponseWriter, r *http.Request) {
		envelope, err := wantsEnvelope(r)
		switch {
		case err != nil:
			a.problem(w, r, err)
		case envelope:
			a.platformTickets(w, r)
		default:
			documented(w, r)
		}
	}
	byCompany := listRoute(a, nested, "/companies/{id}/tickets", "List a company's tickets", "companies")
	paged := byCompany.handler
	byCompany.handler = func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("year") {
			a.ledgerTickets(w, r)
			return
		}
		paged(w, r)
	}
	return []route{
		all,
		byCompany,
		{method: http.MethodGet, pattern: "/tickets/{id}", summary: "Read a ticket", tag: "tickets",
			result: reflect.TypeFor[*codex.Ticket](), status: http.StatusOK,
			handler: func(w http.ResponseWriter, r *http.Request) {
				id, err := pathID(r)
				var t *codex.Ticket
				if err == nil {
					t, err = ts.Ticket(r.Context(), id)
				}
				if err != nil {
					a.problem(w, r, err)
					return
				}
				writeJSON(w, http.StatusOK, t)
			}},
	}
}
