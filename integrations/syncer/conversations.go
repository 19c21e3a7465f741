package syncer

import (
	"context"
	"strconv"
	"strings"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/integrations/freshservice"
)

// The PSA side of tickets: the agents and groups tickets are assigned to, each ticket's
// conversations and time entries, ticket-only runs, the webhook's single-ticket sync and
// writes of status and notes to Freshservice.
//
// Rate budget: conversations and time entries cost two list calls per ticket, so they are
// read only for tickets the run created or updated (the incremental ticket listing already
// leaves out tickets unchanged since the watermark), and every call goes through the
// client's limiter, which keeps to the account's requests per minute and honours 429s.

// Count keys of the PSA's agents, groups and ticket details.
const (
	countPSAAgent     = "psa_agent"
	countPSAGroup     = "psa_group"
	countTicketDetail = "ticket_detail"
)

// DefaultStatusNames are Freshservice's built-in ticket statuses.
var DefaultStatusNames = map[int]string{
	freshservice.StatusOpen: "Open", freshservice.StatusPending: "Pending",
	freshservice.StatusResolved: "Resolved", freshservice.StatusClosed: "Closed",
}

// statusName names a Freshservice status: the account's own names first (Config.StatusNames),
// then the built-in ones, else "Status N".
func (e *Engine) statusName(id int) string {
	if n, ok := e.statuses[id]; ok {
		return n
	}
	if n, ok := DefaultStatusNames[id]; ok {
		return n
	}
	return "Status " + strconv.Itoa(id)
}

// fsTicketPSA fills the PSA fields of t from ft.
func (e *Engine) fsTicketPSA(ft freshservice.Ticket, t *codex.Ticket) {
	prefix := "INC-"
	if strings.EqualFold(ft.Type, "Service Request") {
		prefix = "SR-"
	}
	t.TicketNumber = prefix + strconv.FormatInt(ft.ID, 10)
	t.DescriptionText = strings.TrimSpace(ft.DescriptionText)
	t.StatusID, t.StatusName, t.PriorityID = ft.Status, e.statusName(ft.Status), ft.Priority
	t.FRDueBy = utcPtr(ft.FRDueBy)
	t.ResponderRef, t.GroupRef = "", ""
	if ft.ResponderID != nil {
		t.ResponderRef = strconv.FormatInt(*ft.ResponderID, 10)
	}
	if ft.GroupID != nil {
		t.GroupRef = strconv.FormatInt(*ft.GroupID, 10)
	}
	if ft.Requester != nil {
		t.RequesterName, t.RequesterEmail = text(ft.Requester.Name), text(ft.Requester.Email)
	}
	if ft.Stats != nil {
		t.FirstRespondedAt, t.AgentRespondedAt = utcPtr(ft.Stats.FirstRespondedAt), utcPtr(ft.Stats.AgentRespondedAt)
	}
}

// psaTicketValues are the PSA fields a ticket's fingerprint covers besides ticketValues.
func psaTicketValues(t *codex.Ticket, into map[string]string) {
	into["ticket_number"], into["description_text"] = t.TicketNumber, t.DescriptionText
	into["requester_name"], into["requester_email"] = t.RequesterName, t.RequesterEmail
	into["responder_ref"], into["group_ref"] = t.ResponderRef, t.GroupRef
	into["status_id"], into["status_name"] = strconv.Itoa(t.StatusID), t.StatusName
	into["priority_id"] = strconv.Itoa(t.PriorityID)
	into["fr_due_by"], into["first_responded_at"] = timeText(t.FRDueBy), timeText(t.FirstRespondedAt)
	into["agent_responded_at"] = timeText(t.AgentRespondedAt)
}

// psaTicketFromValues sets the PSA fields of t from values that psaTicketValues made (a
// held ticket's stored upstream values, when triage assigns it).
func psaTicketFromValues(v map[string]string, t *codex.Ticket) {
	t.TicketNumber, t.DescriptionText = v["ticket_number"], v["description_text"]
	t.RequesterName, t.RequesterEmail = v["requester_name"], v["requester_email"]
	t.ResponderRef, t.GroupRef = v["responder_ref"], v["group_ref"]
	t.StatusID, _ = strconv.Atoi(v["status_id"])
	t.StatusName = v["status_name"]
	t.PriorityID, _ = strconv.Atoi(v["priority_id"])
	t.FRDueBy, t.FirstRespondedAt = parseTime(v["fr_due_by"]), parseTime(v["first_responded_at"])
	t.AgentRespondedAt = parseTime(v["agent_responded_at"])
}

// fsAgentsAndGroups syncs the PSA's agents and groups into their own tables; a record
// that matches its row is counted unchanged and not written.
func (r *runner) fsAgentsAndGroups(ctx context.Context, fs *freshservice.Client) error {
	err := fs.Agents(ctx, func(p freshservice.Page[freshservice.Agent]) error {
		r.skippedFS(ctx, countPSAAgent, p.Skipped)
		rows := make([]*codex.PSAAgent, len(p.Items))
		refs := make([]codex.PSARef, len(p.Items))
		for i, a := range p.Items {
			rows[i] = &codex.PSAAgent{Source: r.source, ExternalID: strconv.FormatInt(a.ID, 10),
				Name: strings.TrimSpace(a.FirstName + " " + a.LastName), Email: text(a.Email),
				JobTitle: text(a.JobTitle), Active: a.Active}
			refs[i] = codex.PSARef{Source: r.source, ExternalID: rows[i].ExternalID}
		}
		old, err := r.e.svc.PSA.PSAAgentsByRefs(ctx, refs)
		if err != nil {
			return err
		}
		for i, row := range rows {
			if o := old[i]; o != nil && o.Name == row.Name && o.Email == row.Email && o.JobTitle == row.JobTitle && o.Active == row.Active {
				r.add(countPSAAgent, func(c *codex.SyncCounts) { c.Unchanged++ })
				continue
			}
			if err := r.saved(ctx, countPSAAgent, "agent "+row.ExternalID, func() (bool, error) { return r.e.svc.PSA.SavePSAAgent(ctx, row) }); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return fs.Groups(ctx, func(p freshservice.Page[freshservice.Group]) error {
		r.skippedFS(ctx, countPSAGroup, p.Skipped)
		rows := make([]*codex.PSAGroup, len(p.Items))
		refs := make([]codex.PSARef, len(p.Items))
		for i, g := range p.Items {
			rows[i] = &codex.PSAGroup{Source: r.source, ExternalID: strconv.FormatInt(g.ID, 10),
				Name: text(g.Name), Description: text(g.Description)}
			refs[i] = codex.PSARef{Source: r.source, ExternalID: rows[i].ExternalID}
		}
		old, err := r.e.svc.PSA.PSAGroupsByRefs(ctx, refs)
		if err != nil {
			return err
		}
		for i, row := range rows {
			if o := old[i]; o != nil && o.Name == row.Name && o.Description == row.Description {
				r.add(countPSAGroup, func(c *codex.SyncCounts) { c.Unchanged++ })
				continue
			}
			if err := r.saved(ctx, countPSAGroup, "group "+row.ExternalID, func() (bool, error) { return r.e.svc.PSA.SavePSAGroup(ctx, row) }); err != nil {
				return err
			}
		}
		return nil
	})
}

// saved counts the outcome of one save; only a fatal error stops the run.
func (r *runner) saved(ctx context.Context, key, label string, save func() (bool, error)) error {
	created, err := save()
	switch {
	case fatal(err):
		return err
	case err != nil:
		r.failed(ctx, key, label, err)
	case created:
		r.add(key, func(c *codex.SyncCounts) { c.Created++ })
	default:
		r.add(key, func(c *codex.SyncCounts) { c.Updated++ })
	}
	return nil
}

// ticketDetail reads ticket externalID's conversations and time entries from Freshservice.
func ticketDetail(ctx context.Context, fs *freshservice.Client, source string, externalID int64) (codex.TicketDetail, error) {
	var d codex.TicketDetail
	err := fs.Conversations(ctx, externalID, func(p freshservice.Page[freshservice.Conversation]) error {
		for _, c := range p.Items {
			conv := &codex.TicketConversation{Source: source, ExternalID: strconv.FormatInt(c.ID, 10),
				Kind: codex.ConversationReply, Private: c.Private, Incoming: c.Incoming,
				FromEmail: text(c.FromEmail), BodyText: strings.TrimSpace(c.BodyText),
				CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
			if c.IsNote() {
				conv.Kind = codex.ConversationNote
			}
			if c.UserID != nil {
				conv.AuthorRef = strconv.FormatInt(*c.UserID, 10)
			}
			d.Conversations = append(d.Conversations, conv)
		}
		return nil
	})
	if err != nil {
		return d, err
	}
	err = fs.TimeEntries(ctx, externalID, func(p freshservice.Page[freshservice.TimeEntry]) error {
		for _, e := range p.Items {
			minutes, _ := e.Minutes()
			te := &codex.TicketTimeEntry{Source: source, ExternalID: strconv.FormatInt(e.ID, 10),
				Minutes: minutes, Billable: e.Billable, Note: strings.TrimSpace(e.Note),
				ExecutedAt: utcPtr(e.ExecutedAt), CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
			if e.AgentID != nil {
				te.AgentRef = strconv.FormatInt(*e.AgentID, 10)
			}
			d.TimeEntries = append(d.TimeEntries, te)
		}
		return nil
	})
	return d, err
}

// changedTicket is a ticket the run created or updated: its Codex id and Freshservice id.
type changedTicket struct {
	id         int64
	externalID int64
}

// fsTicketDetails pulls the conversations and time entries of the tickets the run changed.
func (r *runner) fsTicketDetails(ctx context.Context, fs *freshservice.Client, changed []changedTicket) error {
	for i, ct := range changed {
		label := "ticket " + strconv.FormatInt(ct.externalID, 10)
		d, err := ticketDetail(ctx, fs, r.source, ct.externalID)
		if err == nil {
			err = r.e.svc.PSA.SaveTicketDetail(ctx, ct.id, d)
		}
		switch {
		case fatal(err) || ctx.Err() != nil:
			return err
		case err != nil:
			r.failed(ctx, countTicketDetail, label, err)
		default:
			r.add(countTicketDetail, func(c *codex.SyncCounts) { c.Updated++ })
		}
		r.report(countTicketDetail, i+1, len(changed), i+1 == len(changed))
	}
	return nil
}

// fsTicketsOnly is a ticket-only run: agents and groups, then the tickets changed since the
// watermark with their details.
func (r *runner) fsTicketsOnly(ctx context.Context) error {
	if err := r.loadTriage(ctx); err != nil {
		return err
	}
	if err := r.fsAgentsAndGroups(ctx, r.e.fs); err != nil {
		return err
	}
	if err := r.fsTickets(ctx, r.e.fs); err != nil {
		return err
	}
	return r.placeByTickets(ctx)
}

// StartTickets starts a ticket-only Freshservice run in the background (the platform's
// "sync tickets" button) and returns it while it runs. It takes the same lock as a whole
// Freshservice run and moves the same watermark; the caller must be allowed to run
// integrations.
func (e *Engine) StartTickets(ctx context.Context) (*codex.SyncRun, error) {
	return e.start(ctx, codex.SourceFreshservice, true)
}

// SyncTicket fetches one Freshservice ticket (by its Freshservice id) and stores it with its
// conversations and time entries now, outside any run: the webhook calls it so the board
// does not wait for the schedule. It returns the stored ticket.
func (e *Engine) SyncTicket(ctx context.Context, externalID int64) (*codex.Ticket, error) {
	if e.fs == nil {
		return nil, codex.Errorf(codex.Unavailable, "freshservice is not configured")
	}
	ft, err := e.fs.Ticket(ctx, externalID)
	if err != nil {
		return nil, err
	}
	return e.storeTicket(ctx, ft)
}

// storeTicket saves ft and its details as the system principal of the Freshservice sync.
// A write on a person's or service's behalf is audited as "system:psa-update by <them>".
func (e *Engine) storeTicket(ctx context.Context, ft freshservice.Ticket) (*codex.Ticket, error) {
	job := "sync:" + codex.SourceFreshservice
	if p := codex.PrincipalFrom(ctx); p != nil && !p.System {
		job = "psa-update by " + p.Actor()
	}
	sys := codex.WithPrincipal(ctx, codex.SystemPrincipal(job))
	r := &runner{e: e, source: codex.SourceFreshservice}
	var depts, requesters []string
	if ft.DepartmentID != nil {
		depts = append(depts, strconv.FormatInt(*ft.DepartmentID, 10))
	}
	requesters = append(requesters, strconv.FormatInt(ft.RequesterID, 10))
	deptCompany, err := r.rowsOf(sys, codex.EntityCompany, depts)
	if err != nil {
		return nil, err
	}
	contacts, err := r.rowsOf(sys, codex.EntityContact, requesters)
	if err != nil {
		return nil, err
	}
	homes, err := r.homeCompanies(sys, requesters)
	if err != nil {
		return nil, err
	}
	t := fsTicket(ft, deptCompany, contacts, homes)
	e.fsTicketPSA(ft, t)
	if t.CompanyID == 0 {
		return nil, codex.Errorf(codex.Invalid, "ticket %d: neither its department nor its requester is known to Codex", ft.ID)
	}
	if _, err := e.svc.Tickets.SaveTicket(sys, t); err != nil {
		return nil, err
	}
	values := ticketValues(t)
	ref := &codex.ExternalRef{Source: codex.SourceFreshservice, Entity: codex.EntityTicket, ExternalID: strconv.FormatInt(ft.ID, 10),
		EntityID: t.ID, Fingerprint: fingerprint(values), Upstream: values}
	if err := e.svc.Sync.SaveExternalRefs(sys, []*codex.ExternalRef{ref}); err != nil {
		return nil, err
	}
	d, err := ticketDetail(ctx, e.fs, codex.SourceFreshservice, ft.ID)
	if err != nil {
		return nil, err
	}
	if err := e.svc.PSA.SaveTicketDetail(sys, t.ID, d); err != nil {
		return nil, err
	}
	return e.svc.Tickets.Ticket(sys, t.ID)
}

var _ codex.PSAWriter = (*Engine)(nil)

// UpdateTicket writes u to Freshservice (PUT the status, POST a private note), then stores
// the ticket as Freshservice now has it. When Freshservice refuses or fails, the error
// says so and Codex is left as it was. The policy has already allowed the caller.
func (e *Engine) UpdateTicket(ctx context.Context, t *codex.Ticket, u codex.TicketUpdate) (*codex.Ticket, error) {
	if e.fs == nil {
		return nil, codex.Errorf(codex.Unavailable, "freshservice is not configured")
	}
	if t.Source != codex.SourceFreshservice {
		return nil, codex.Errorf(codex.Invalid, "ticket %d does not come from freshservice", t.ID)
	}
	id, err := strconv.ParseInt(t.ExternalID, 10, 64)
	if err != nil {
		return nil, codex.Errorf(codex.Invalid, "ticket %d has no freshservice id", t.ID)
	}
	if u.StatusID != nil {
		if _, err := e.fs.UpdateTicketStatus(ctx, id, *u.StatusID); err != nil {
			return nil, psaError(err)
		}
	}
	if u.Note != "" {
		if _, err := e.fs.AddNote(ctx, id, u.Note, true); err != nil {
			return nil, psaError(err)
		}
	}
	ft, err := e.fs.Ticket(ctx, id)
	if err != nil {
		return nil, psaError(err)
	}
	return e.storeTicket(ctx, ft)
}

// psaError reports a Freshservice failure of a write: a refusal keeps its code and field
// messages; anything else is Unavailable (a 502 to the caller, not a 500).
func psaError(err error) error {
	switch codex.ErrorCode(err) {
	case codex.Invalid, codex.Conflict, codex.NotFound:
		return err
	}
	return &codex.Error{Code: codex.Unavailable, Message: "the PSA did not accept the change: " + codex.ErrorMessage(err), Err: err}
}
