package rest

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/hivematrix/codex/codex"
)

// The platform's ticket routes: what the assistant (Brainhair) and the dispatch board
// (Beacon) of HiveMatrix call, in the shapes their code reads. Tickets are named here by
// the PSA's ticket id (the number in the PSA's own URLs), companies by account number; the
// documented /api/tickets/{id} keeps Codex's own ids.

// TicketSync is what the platform's ticket routes need from the sync engine.
type TicketSync interface {
	// StartTickets starts a ticket-only PSA run in the background.
	StartTickets(ctx context.Context) (*codex.SyncRun, error)
	// SyncTicket fetches one ticket by its PSA id and stores it now.
	SyncTicket(ctx context.Context, externalID int64) (*codex.Ticket, error)
}

// PSAConfig describes the PSA to the platform (GET /api/psa/config).
type PSAConfig struct {
	// Provider is the PSA's name ("freshservice"); "" when none is configured.
	Provider string
	// WebDomain is the PSA's web host, e.g. acme.freshservice.com.
	WebDomain string
	// StatusNames are the account's ticket statuses by id (built-in and custom).
	StatusNames map[int]string
}

// psaAgentView is a PSA agent as GET /api/psa/agents lists it.
type psaAgentView struct {
	ID         int64  `json:"id"`
	ExternalID int64  `json:"external_id"`
	Source     string `json:"source"`
	Name       string `json:"name"`
	Email      string `json:"email"`
	JobTitle   string `json:"job_title"`
	Active     bool   `json:"active"`
}

// psaProvider is one provider of GET /api/psa/config.
type psaProvider struct {
	Name               string            `json:"name"`
	TicketURLTemplate  string            `json:"ticket_url_template"`
	CompanyURLTemplate string            `json:"company_url_template"`
	ContactURLTemplate string            `json:"contact_url_template"`
	GroupIDs           map[string]int64  `json:"group_ids"`
	Statuses           map[string]string `json:"statuses"`
}

// psaConfigView is the answer of GET /api/psa/config.
type psaConfigView struct {
	DefaultProvider *string                `json:"default_provider"`
	Providers       map[string]psaProvider `json:"providers"`
}

// platformTicket is a ticket as the platform's services read it.
type platformTicket struct {
	ID                     int64          `json:"id"` // the PSA's ticket id
	CodexID                int64          `json:"codex_id"`
	TicketNumber           string         `json:"ticket_number"`
	Subject                string         `json:"subject"`
	Description            string         `json:"description,omitempty"`
	DescriptionText        string         `json:"description_text"`
	Status                 string         `json:"status"`
	StatusID               int            `json:"status_id"`
	StatusText             string         `json:"status_text"`
	Priority               string         `json:"priority"`
	PriorityID             int            `json:"priority_id"`
	PriorityText           string         `json:"priority_text"`
	Type                   string         `json:"type"`
	CompanyID              *string        `json:"company_id"` // account number
	CompanyName            string         `json:"company_name"`
	CompanyComplianceLevel string         `json:"company_compliance_level"`
	RequesterEmail         string         `json:"requester_email"`
	RequesterName          string         `json:"requester_name"`
	ResponderID            *int64         `json:"responder_id"`
	GroupID                *int64         `json:"group_id"`
	Source                 string         `json:"source"`
	CreatedAt              string         `json:"created_at"`
	LastUpdatedAt          string         `json:"last_updated_at"`
	ClosedAt               *string        `json:"closed_at"`
	FRDueBy                *string        `json:"fr_due_by"`
	DueBy                  *string        `json:"due_by"`
	FirstRespondedAt       *string        `json:"first_responded_at"`
	AgentRespondedAt       *string        `json:"agent_responded_at"`
	TotalHoursSpent        float64        `json:"total_hours_spent"`
	Conversations          []conversation `json:"conversations,omitempty"`
	Notes                  []conversation `json:"notes,omitempty"`
}

// conversation is a reply or note of GET /api/ticket/{id}.
type conversation struct {
	ID        int64  `json:"id"`
	Kind      string `json:"kind"`
	Text      string `json:"text"`
	BodyText  string `json:"body_text"`
	Private   bool   `json:"private"`
	Incoming  bool   `json:"incoming"`
	UserID    *int64 `json:"user_id"`
	User      string `json:"user"`
	FromEmail string `json:"from_email"`
	CreatedAt string `json:"created_at"`
}

// ticketEnvelope is the platform's answer of GET /api/tickets.
type ticketEnvelope struct {
	Tickets []platformTicket `json:"tickets"`
	Count   int              `json:"count"`
	Total   int              `json:"total"`
	Offset  int              `json:"offset"`
	Limit   int              `json:"limit"`
}

// ledgerTicket is a ticket of GET /api/companies/{ref}/tickets?year=.
type ledgerTicket struct {
	TicketID        int64   `json:"ticket_id"`
	TicketNumber    string  `json:"ticket_number"`
	Subject         string  `json:"subject"`
	LastUpdatedAt   string  `json:"last_updated_at"`
	ClosedAt        *string `json:"closed_at"`
	TotalHoursSpent float64 `json:"total_hours_spent"`
}

// ticketUpdateBody is the body of POST /api/ticket/{id}/update.
type ticketUpdateBody struct {
	// Status is the PSA status id (a number) or its name ("pending", "Waiting on Customer").
	Status any `json:"status"`
	// Notes becomes a private note on the ticket.
	Notes string `json:"notes"`
}

// ticketUpdateResult is the answer of POST /api/ticket/{id}/update.
type ticketUpdateResult struct {
	Success  bool   `json:"success"`
	TicketID int64  `json:"ticket_id"`
	Message  string `json:"message"`
}

// syncJob is a ticket sync as POST /sync/tickets and GET /sync/status/{job_id} show it.
type syncJob struct {
	Success     *bool   `json:"success"`
	JobID       string  `json:"job_id"`
	ID          string  `json:"id"`
	Script      string  `json:"script"`
	Status      string  `json:"status"` // running, completed or failed
	StartedAt   string  `json:"started_at"`
	CompletedAt *string `json:"completed_at"`
	Output      string  `json:"output"`
	Error       *string `json:"error"`
	Message     string  `json:"message,omitempty"`
}

// envelopeParam selects the platform's envelope on GET /api/tickets.
var envelopeParam = param{name: "envelope", typ: "boolean",
	doc: "true answers the platform's {tickets, count, total, offset, limit}, with tickets named by their PSA id " +
		"and company_id as an id or account number; false the documented array. Without it, services granted " +
		"platform ([auth.services] brainhair = read, write, platform) get the envelope unless they ask for CSV; " +
		"everyone else gets the documented array."}

// wantsEnvelope applies the selection rule of envelopeParam.
func wantsEnvelope(r *http.Request) (bool, error) {
	if vs, ok := r.URL.Query()["envelope"]; ok {
		s, err := single("envelope", vs)
		if err != nil {
			return false, err
		}
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return false, paramError("envelope", "must be true or false")
		}
		return b, nil
	}
	if csv, err := wantsCSV(r); err != nil || csv {
		return false, err // CSV is the documented list's
	}
	p := codex.PrincipalFrom(r.Context())
	return p != nil && p.Service != "" && p.Grant.Platform, nil
}

// psaRoutes are the platform's PSA and ticket routes.
func (a *API) psaRoutes() []route {
	return []route{
		{method: http.MethodGet, pattern: "/psa/agents", summary: "List the PSA's agents (technicians), active first", tag: "psa",
			params: []param{{name: "provider", typ: "string", doc: "Agents of this PSA only (freshservice)."}},
			result: reflect.TypeFor[psaAgentView](), list: true, status: http.StatusOK, handler: a.psaAgents},
		{method: http.MethodGet, pattern: "/psa/config", summary: "The PSA's links and ids for the platform", tag: "psa",
			result: reflect.TypeFor[psaConfigView](), status: http.StatusOK, handler: a.psaConfig},
		{method: http.MethodGet, pattern: "/tickets/active", summary: "The dispatch board: active tickets in four sections with their SLA", tag: "tickets",
			params: []param{
				{name: "group_id", typ: "integer", format: "int64", doc: "Tickets of this PSA group only."},
				{name: "responder_id", typ: "integer", format: "int64", doc: "Tickets of this PSA agent only."},
			},
			result: reflect.TypeFor[board](), status: http.StatusOK, handler: a.activeTickets},
		{method: http.MethodGet, pattern: "/ticket/{id}", op: "getPSATicket", summary: "Read a ticket by its PSA id, with its conversations and notes", tag: "tickets",
			result: reflect.TypeFor[platformTicket](), status: http.StatusOK, handler: a.platformTicket},
		{method: http.MethodPost, pattern: "/ticket/{id}/update", op: "updatePSATicket", summary: "Change a ticket's status and/or add a private note, in the PSA first", tag: "tickets",
			body: reflect.TypeFor[ticketUpdateBody](), result: reflect.TypeFor[ticketUpdateResult](), status: http.StatusOK, handler: a.updateTicket},
		{method: http.MethodPost, pattern: "/sync/tickets", summary: "Start a ticket-only PSA sync in the background", tag: "sync",
			result: reflect.TypeFor[syncJob](), status: http.StatusOK, handler: a.startTicketSync},
		{method: http.MethodGet, pattern: "/sync/status/{job_id}", summary: "Follow a sync job started by POST /sync/tickets", tag: "sync",
			result: reflect.TypeFor[syncJob](), status: http.StatusOK, handler: a.syncStatus},
	}
}

func (a *API) psaAgents(w http.ResponseWriter, r *http.Request) {
	agents, err := a.svc.PSA.PSAAgents(r.Context(), r.URL.Query().Get("provider"))
	if err != nil {
		a.problem(w, r, err)
		return
	}
	out := make([]psaAgentView, 0, len(agents))
	for _, ag := range agents {
		v := psaAgentView{ID: ag.ID, Source: ag.Source, Name: ag.Name, Email: ag.Email, JobTitle: ag.JobTitle, Active: ag.Active}
		if n := refNumber(ag.ExternalID); n != nil {
			v.ExternalID = *n
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) psaConfig(w http.ResponseWriter, r *http.Request) {
	out := psaConfigView{Providers: map[string]psaProvider{}}
	if a.psa.Provider == "" {
		if _, err := principal(r.Context()); err != nil {
			a.problem(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	groups, err := a.svc.PSA.PSAGroups(r.Context(), a.psa.Provider)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	p := psaProvider{Name: "Freshservice", GroupIDs: map[string]int64{}, Statuses: map[string]string{}}
	if a.psa.WebDomain != "" {
		base := "https://" + a.psa.WebDomain
		p.TicketURLTemplate = base + "/a/tickets/{ticket_id}"
		p.CompanyURLTemplate = base + "/a/admin/departments/{company_id}"
		p.ContactURLTemplate = base + "/a/requesters/{contact_id}"
	}
	for _, g := range groups {
		if n := refNumber(g.ExternalID); n != nil {
			p.GroupIDs[g.Name] = *n
		}
	}
	for id, name := range a.psa.StatusNames {
		p.Statuses[strconv.Itoa(id)] = name
	}
	out.DefaultProvider = &a.psa.Provider
	out.Providers[a.psa.Provider] = p
	writeJSON(w, http.StatusOK, out)
}

// companiesOf loads the companies of tickets, keyed by id; companies the caller may not
// see are left out.
func (a *API) companiesOf(ctx context.Context, ts []*codex.Ticket) (map[int64]*codex.Company, error) {
	var ids []int64
	seen := map[int64]bool{}
	for _, t := range ts {
		if !seen[t.CompanyID] {
			seen[t.CompanyID] = true
			ids = append(ids, t.CompanyID)
		}
	}
	out := map[int64]*codex.Company{}
	if len(ids) == 0 {
		return out, nil
	}
	cs, errs := a.svc.Companies.CompaniesByIDs(ctx, ids)
	for i, c := range cs {
		if c != nil && (errs == nil || errs[i] == nil) {
			out[ids[i]] = c
		} else if errs != nil && errs[i] != nil && !codex.IsNotFound(errs[i]) {
			return nil, errs[i]
		}
	}
	return out, nil
}

// platformTicketOf shows t as the platform reads it.
func platformTicketOf(t *codex.Ticket, c *codex.Company) platformTicket {
	id := t.ID
	if n := refNumber(t.ExternalID); n != nil {
		id = *n
	}
	priority := t.PriorityID
	if priority == 0 {
		priority = int(ticketPriorityNumber[t.Priority])
	}
	p := platformTicket{
		ID: id, CodexID: t.ID, TicketNumber: t.TicketNumber, Subject: t.Subject, DescriptionText: t.DescriptionText,
		Status: statusKey(t), StatusID: t.StatusID, StatusText: t.StatusText(),
		Priority: string(t.Priority), PriorityID: priority, PriorityText: t.PriorityText(), Type: t.Type,
		RequesterEmail: t.RequesterEmail, RequesterName: t.RequesterName,
		ResponderID: refNumber(t.ResponderRef), GroupID: refNumber(t.GroupRef), Source: t.Source,
		CreatedAt: isoTime(t.CreatedAt), LastUpdatedAt: isoTime(t.UpdatedAt), ClosedAt: isoPtr(t.ClosedAt),
		FRDueBy: isoPtr(t.FRDueBy), DueBy: isoPtr(t.DueAt), FirstRespondedAt: isoPtr(t.FirstRespondedAt),
		AgentRespondedAt: isoPtr(t.AgentRespondedAt), TotalHoursSpent: t.TotalHoursSpent,
		CompanyComplianceLevel: string(codex.ComplianceCJIS), // unknown company: the strictest level
	}
	if p.DescriptionText == "" {
		p.DescriptionText = t.Description
	}
	if c != nil {
		p.CompanyID, p.CompanyName, p.CompanyComplianceLevel = c.AccountNumber, c.Name, string(c.ComplianceLevel)
	}
	return p
}

// platformTickets serves GET /api/tickets in the platform's envelope.
func (a *API) platformTickets(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	var f codex.TicketFilter
	if ref, ok := q["company_id"]; ok {
		s, err := single("company_id", ref)
		var c *codex.Company
		if err == nil {
			c, _, err = a.companyByRef(ctx, s)
		}
		if err != nil {
			a.problem(w, r, err)
			return
		}
		f.CompanyID = &c.ID
	}
	rest := without(ticketParams, "company_id")
	if err := bindFilter(q, rest, &f); err != nil {
		a.problem(w, r, err)
		return
	}
	if !q.Has("order") {
		f.Order = codex.Order{Field: "updated_at", Desc: true}
	}
	if !q.Has("limit") {
		q.Set("limit", "50")
	}
	args, err := pageArgs(q)
	if err == nil && (args.After != "" || args.Before != "") {
		err = paramError("after", "is not offered with envelope=true: page with offset")
	}
	if err != nil {
		a.problem(w, r, err)
		return
	}
	page, err := a.svc.Tickets.Tickets(ctx, f, args)
	if err != nil {
		a.problem(w, r, asBadRequest(err))
		return
	}
	companies, err := a.companiesOf(ctx, page.Items)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	out := ticketEnvelope{Tickets: make([]platformTicket, 0, len(page.Items)), Count: len(page.Items),
		Total: page.TotalCount, Offset: args.Offset, Limit: *args.First}
	for _, t := range page.Items {
		out.Tickets = append(out.Tickets, platformTicketOf(t, companies[t.CompanyID]))
	}
	writeJSON(w, http.StatusOK, out)
}

// ticketByPSAID finds the ticket the PSA calls {id}.
func (a *API) ticketByPSAID(r *http.Request) (*codex.Ticket, error) {
	s := chi.URLParam(r, "id")
	if n := refNumber(s); n == nil || *n <= 0 {
		return nil, codex.Errorf(codex.NotFound, "no ticket %q", s)
	}
	one := 1
	page, err := a.svc.Tickets.Tickets(r.Context(), codex.TicketFilter{ExternalID: s, IncludeArchived: true}, codex.PageArgs{First: &one})
	if err != nil {
		return nil, err
	}
	if len(page.Items) == 0 {
		return nil, codex.Errorf(codex.NotFound, "no ticket with PSA id %s", s)
	}
	return page.Items[0], nil
}

func (a *API) platformTicket(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t, err := a.ticketByPSAID(r)
	var companies map[int64]*codex.Company
	var convs [][]*codex.TicketConversation
	if err == nil {
		companies, err = a.companiesOf(ctx, []*codex.Ticket{t})
	}
	if err == nil {
		convs, err = a.svc.PSA.ConversationsByTickets(ctx, []int64{t.ID})
	}
	if err != nil {
		a.problem(w, r, err)
		return
	}
	var refs []codex.PSARef
	for _, c := range convs[0] {
		refs = append(refs, codex.PSARef{Source: c.Source, ExternalID: c.AuthorRef})
	}
	authors, err := a.svc.PSA.PSAAgentsByRefs(ctx, refs)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	p := platformTicketOf(t, companies[t.CompanyID])
	p.Description = t.Description
	p.Conversations, p.Notes = []conversation{}, []conversation{}
	for i, c := range convs[0] {
		v := conversation{Kind: string(c.Kind), Text: c.BodyText, BodyText: c.BodyText, Private: c.Private,
			Incoming: c.Incoming, UserID: refNumber(c.AuthorRef), FromEmail: c.FromEmail, CreatedAt: isoTime(c.CreatedAt)}
		if n := refNumber(c.ExternalID); n != nil {
			v.ID = *n
		}
		switch {
		case authors[i] != nil:
			v.User = authors[i].Name
		case c.Incoming:
			v.User = p.RequesterName
		}
		if c.Kind == codex.ConversationNote {
			p.Notes = append(p.Notes, v)
		} else {
			p.Conversations = append(p.Conversations, v)
		}
	}
	writeJSON(w, http.StatusOK, p)
}

// statusID reads the status of an update body: a PSA status id, or a status name or key
// the PSA has ("pending", "Waiting on Customer", "waiting_customer").
func (a *API) statusID(raw json.RawMessage) (*int, error) {
	bad := func() error {
		names := slices.Sorted(maps.Values(a.statusNames()))
		return &codex.Error{Code: codex.Invalid, Message: "unknown ticket status",
			Fields: map[string]string{"status": "must be one of the PSA's statuses: " + strings.Join(names, ", ")}}
	}
	var n int
	if err := json.Unmarshal(raw, &n); err == nil {
		if _, ok := a.statusNames()[n]; !ok {
			return nil, bad()
		}
		return &n, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, &codex.Error{Code: codex.Invalid, Message: "invalid ticket status",
			Fields: map[string]string{"status": "must be a status id or name"}}
	}
	want := statusKey(&codex.Ticket{StatusName: s})
	for id, name := range a.statusNames() {
		if statusKey(&codex.Ticket{StatusName: name}) == want {
			return &id, nil
		}
	}
	return nil, bad()
}

// statusNames are the PSA's statuses by id.
func (a *API) statusNames() map[int]string {
	if len(a.psa.StatusNames) > 0 {
		return a.psa.StatusNames
	}
	return map[int]string{2: "Open", 3: "Pending", 4: "Resolved", 5: "Closed"}
}

func (a *API) updateTicket(w http.ResponseWriter, r *http.Request) {
	body, err := readObject(w, r)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	var u codex.TicketUpdate
	var v codex.Validation
	for k := range body {
		switch k {
		case "status", "notes", "assigned_to":
		default:
			v.Add(k, "unknown field")
		}
	}
	if raw, ok := body["status"]; ok && string(raw) != "null" {
		if u.StatusID, err = a.statusID(raw); err != nil {
			a.problem(w, r, err)
			return
		}
	}
	if raw, ok := body["notes"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &u.Note); err != nil {
			v.Add("notes", "must be a string")
		}
		u.Note = strings.TrimSpace(u.Note)
	}
	if _, ok := body["assigned_to"]; ok {
		v.Add("assigned_to", "is not supported: assign the ticket in the PSA")
	}
	if err := v.Err(); err != nil {
		a.problem(w, r, err)
		return
	}
	t, err := a.ticketByPSAID(r)
	if err == nil && a.tickets == nil {
		err = codex.Errorf(codex.Unavailable, "no PSA is configured")
	}
	if err == nil {
		_, err = a.tickets.UpdateTicketInPSA(r.Context(), t.ID, u)
	}
	if err != nil {
		a.problem(w, r, err)
		return
	}
	id, _ := strconv.ParseInt(t.ExternalID, 10, 64)
	writeJSON(w, http.StatusOK, ticketUpdateResult{Success: true, TicketID: id, Message: "Ticket updated in " + t.Source})
}

func (a *API) activeTickets(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	f := codex.TicketFilter{OpenOnly: true, Order: codex.Order{Field: "updated_at"}}
	for name, field := range map[string]*string{"group_id": &f.GroupRef, "responder_id": &f.ResponderRef} {
		if vs, ok := q[name]; ok {
			s, err := single(name, vs)
			if err == nil && refNumber(s) == nil {
				err = paramError(name, "must be a PSA id")
			}
			if err != nil {
				a.problem(w, r, err)
				return
			}
			*field = s
		}
	}
	var tickets []*codex.Ticket
	err := a.svc.Tickets.EachTicket(ctx, f, func(t *codex.Ticket) error {
		tickets = append(tickets, t)
		return nil
	})
	var companies map[int64]*codex.Company
	var agents []*codex.PSAAgent
	if err == nil {
		companies, err = a.companiesOf(ctx, tickets)
	}
	if err == nil {
		agents, err = a.svc.PSA.PSAAgents(ctx, "")
	}
	if err != nil {
		a.problem(w, r, err)
		return
	}
	accounts := map[int64]*string{}
	for id, c := range companies {
		accounts[id] = c.AccountNumber
	}
	names := map[string]string{}
	for _, ag := range agents {
		if ag.Active {
			names[ag.ExternalID] = ag.Name
		}
	}
	b := buildBoard(time.Now(), tickets, accounts, names)
	if run, err := a.svc.Sync.LastSyncRun(ctx, codex.SourceFreshservice, codex.SyncSucceeded); err == nil && run.FinishedAt != nil {
		b.LastSyncTime = isoPtr(run.FinishedAt)
	}
	writeJSON(w, http.StatusOK, b)
}

// syncJobOf shows a run as a sync job.
func syncJobOf(run *codex.SyncRun) syncJob {
	id := strconv.FormatInt(run.ID, 10)
	j := syncJob{JobID: id, ID: id, Script: "tickets", StartedAt: isoTime(run.StartedAt), CompletedAt: isoPtr(run.FinishedAt)}
	switch run.Status {
	case codex.SyncSucceeded:
		j.Status, j.Success = "completed", new(true)
	case codex.SyncFailed:
		j.Status, j.Success = "failed", new(false)
		j.Error = &run.Error
	default:
		j.Status = "running"
	}
	j.Output = "created " + strconv.Itoa(run.Created) + ", updated " + strconv.Itoa(run.Updated) +
		", unchanged " + strconv.Itoa(run.Unchanged) + ", failed " + strconv.Itoa(run.Failed)
	return j
}

func (a *API) startTicketSync(w http.ResponseWriter, r *http.Request) {
	if a.ticketSync == nil {
		a.problem(w, r, codex.Errorf(codex.Unavailable, "no PSA is configured"))
		return
	}
	run, err := a.ticketSync.StartTickets(r.Context())
	if err != nil {
		a.problem(w, r, err)
		return
	}
	j := syncJobOf(run)
	j.Success, j.Message = new(true), "ticket sync started in the background"
	writeJSON(w, http.StatusOK, j)
}

func (a *API) syncStatus(w http.ResponseWriter, r *http.Request) {
	s := chi.URLParam(r, "job_id")
	id, err := strconv.ParseInt(s, 10, 64)
	var run *codex.SyncRun
	if err != nil || id <= 0 {
		err = codex.Errorf(codex.NotFound, "no sync job %q", s)
	} else {
		run, err = a.svc.Sync.SyncRun(r.Context(), id)
	}
	if err != nil {
		a.problem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, syncJobOf(run))
}

// ledgerTickets serves GET /api/companies/{ref}/tickets?year=: the company's tickets last
// updated in that year (UTC), by the company's account number or id.
func (a *API) ledgerTickets(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	year, err := strconv.Atoi(strings.TrimSpace(q.Get("year")))
	if err != nil || year < 1970 || year > 9999 || len(q["year"]) != 1 {
		a.problem(w, r, paramError("year", "must be a year such as 2025"))
		return
	}
	c, _, err := a.companyByRef(ctx, chi.URLParam(r, "id"))
	if err != nil {
		a.problem(w, r, err)
		return
	}
	since := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	before := since.AddDate(1, 0, 0)
	f := codex.TicketFilter{CompanyID: &c.ID, UpdatedSince: &since, UpdatedBefore: &before, IncludeArchived: true,
		Order: codex.Order{Field: "updated_at"}}
	out := []ledgerTicket{}
	err = a.svc.Tickets.EachTicket(ctx, f, func(t *codex.Ticket) error {
		id := t.ID
		if n := refNumber(t.ExternalID); n != nil {
			id = *n
		}
		out = append(out, ledgerTicket{TicketID: id, TicketNumber: t.TicketNumber, Subject: t.Subject,
			LastUpdatedAt: isoTime(t.UpdatedAt), ClosedAt: isoPtr(t.ClosedAt), TotalHoursSpent: t.TotalHoursSpent})
		return nil
	})
	if err != nil {
		a.problem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// rootPatterns are the routes the platform also calls outside /api, as the old Codex served
// them: its dispatch board starts and follows ticket syncs at /sync/....
var rootPatterns = []string{"/sync/tickets", "/sync/status/{job_id}"}

// SyncRoutes returns the router to mount at /sync (behind the token middleware) for the
// routes of rootPatterns; the same rows are served under /api.
func (a *API) SyncRoutes() chi.Router {
	r := chi.NewRouter()
	r.NotFound(a.notFound)
	for i := range a.tbl {
		if slices.Contains(rootPatterns, a.tbl[i].pattern) {
			r.Method(a.tbl[i].method, strings.TrimPrefix(a.tbl[i].pattern, "/sync"), a.handle(&a.tbl[i]))
		}
	}
	return r
}
