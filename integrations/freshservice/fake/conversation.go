package fake

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Conversation is a reply or note as the fake stores and serves it.
type Conversation struct {
	ID        int64     `json:"id"`
	UserID    *int64    `json:"user_id"`
	TicketID  int64     `json:"ticket_id"`
	Body      string    `json:"body"`
	BodyText  string    `json:"body_text"`
	Incoming  bool      `json:"incoming"`
	Private   bool      `json:"private"`
	Source    int       `json:"source"`
	FromEmail *string   `json:"from_email"`
	ToEmails  []string  `json:"to_emails"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// TimeEntry is a time entry as the fake stores and serves it.
type TimeEntry struct {
	ID           int64      `json:"id"`
	TicketID     int64      `json:"-"`
	AgentID      *int64     `json:"agent_id"`
	Billable     bool       `json:"billable"`
	Note         string     `json:"note"`
	TimeSpent    string     `json:"time_spent"`
	TimerRunning bool       `json:"timer_running"`
	ExecutedAt   *time.Time `json:"executed_at"`
	StartTime    *time.Time `json:"start_time"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// Group is an agent group as the fake stores and serves it.
type Group struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// AddConversation stores c on its ticket, giving it an id when c.ID is 0, and returns it
// as stored. A note has Source 2; a reply 0.
func (s *Server) AddConversation(c Conversation) Conversation {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.ID == 0 {
		c.ID = s.conversations.newID()
	}
	stamp(&c.CreatedAt, &c.UpdatedAt, s.now())
	c.ToEmails = nonNil(slices.Clone(c.ToEmails))
	s.conversations.put(c.ID, &c)
	return c
}

// AddTimeEntry stores e on its ticket (e.TicketID), giving it an id when e.ID is 0.
func (s *Server) AddTimeEntry(e TimeEntry) TimeEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.ID == 0 {
		e.ID = s.timeEntries.newID()
	}
	stamp(&e.CreatedAt, &e.UpdatedAt, s.now())
	s.timeEntries.put(e.ID, &e)
	return e
}

// AddGroup stores g, giving it an id when g.ID is 0, and returns it as stored.
func (s *Server) AddGroup(g Group) Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g.ID == 0 {
		g.ID = s.groups.newID()
	}
	stamp(&g.CreatedAt, &g.UpdatedAt, s.now())
	s.groups.put(g.ID, &g)
	return g
}

// Conversations returns ticket id's stored conversations, oldest first.
func (s *Server) Conversations(ticketID int64) []Conversation {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Conversation
	for _, v := range s.conversations.rows(func(c *Conversation) bool { return c.TicketID == ticketID }) {
		out = append(out, *v.(*Conversation))
	}
	return out
}

// Ticket returns the stored ticket id.
func (s *Server) Ticket(id int64) (Ticket, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tickets.byID[id]
	if !ok {
		return Ticket{}, false
	}
	return t.clone(), true
}

// ticketOr404 returns the ticket of the {id} path value, or answers 404.
func (s *Server) ticketOr404(w http.ResponseWriter, r *http.Request) (*Ticket, bool) {
	id, _ := pathID(r, "id")
	t, ok := s.tickets.byID[id]
	if !ok {
		writeNotFound(w)
	}
	return t, ok
}

func (s *Server) listConversations(w http.ResponseWriter, r *http.Request) {
	page, perPage, ok := paging(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.ticketOr404(w, r)
	if !ok {
		return
	}
	rows := s.conversations.rows(func(c *Conversation) bool { return c.TicketID == t.ID })
	writePage(w, r, "conversations", rows, page, perPage, nil)
}

func (s *Server) listTimeEntries(w http.ResponseWriter, r *http.Request) {
	page, perPage, ok := paging(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.ticketOr404(w, r)
	if !ok {
		return
	}
	rows := s.timeEntries.rows(func(e *TimeEntry) bool { return e.TicketID == t.ID })
	writePage(w, r, "time_entries", rows, page, perPage, nil)
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request) {
	page, perPage, ok := paging(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	writePage(w, r, "groups", s.groups.all(), page, perPage, nil)
}

// putTicket applies a ticket update; the fake accepts status, priority, responder_id and
// group_id, and refuses a status the account does not have.
func (s *Server) putTicket(w http.ResponseWriter, r *http.Request) {
	fields, body, ok := readBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	status := s.applyTicket(w, r, fields)
	id, _ := pathID(r, "id")
	s.updates = append(s.updates, Update{Kind: "ticket", ID: id, Body: body, Status: status})
}

func (s *Server) applyTicket(w http.ResponseWriter, r *http.Request, fields map[string]json.RawMessage) int {
	t, ok := s.ticketOr404(w, r)
	if !ok {
		return http.StatusNotFound
	}
	errs := unknownFields(fields, "status", "priority", "responder_id", "group_id", "subject", "description")
	next := t.clone()
	if decodeField(fields, "status", &next.Status, "Integer", &errs) && !s.validStatus(next.Status) {
		errs = append(errs, fieldError{"status", "It should be one of these values: '" + s.statusList() + "'", "invalid_value"})
	}
	if decodeField(fields, "priority", &next.Priority, "Integer", &errs) && (next.Priority < 1 || next.Priority > 4) {
		errs = append(errs, fieldError{"priority", "It should be one of these values: '1,2,3,4'", "invalid_value"})
	}
	decodeField(fields, "responder_id", &next.ResponderID, "Integer", &errs)
	decodeField(fields, "group_id", &next.GroupID, "Integer", &errs)
	decodeField(fields, "subject", &next.Subject, "String", &errs)
	decodeField(fields, "description", &next.Description, "String", &errs)
	if len(errs) > 0 {
		writeValidation(w, http.StatusBadRequest, errs...)
		return http.StatusBadRequest
	}
	now := s.now()
	next.UpdatedAt = now
	switch next.Status {
	case 4:
		if next.ResolvedAt == nil {
			next.ResolvedAt = &now
		}
	case 5:
		if next.ClosedAt == nil {
			next.ClosedAt = &now
		}
	}
	*t = next
	writeJSON(w, http.StatusOK, map[string]any{"ticket": s.ticketWire(t, map[string]bool{})})
	return http.StatusOK
}

// postNote adds a note to a ticket: body is required, private defaults to true.
func (s *Server) postNote(w http.ResponseWriter, r *http.Request) {
	fields, body, ok := readBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id, _ := pathID(r, "id")
	status := s.applyNote(w, r, fields)
	s.updates = append(s.updates, Update{Kind: "note", ID: id, Body: body, Status: status})
}

func (s *Server) applyNote(w http.ResponseWriter, r *http.Request, fields map[string]json.RawMessage) int {
	t, ok := s.ticketOr404(w, r)
	if !ok {
		return http.StatusNotFound
	}
	errs := unknownFields(fields, "body", "private", "user_id", "notify_emails", "incoming")
	c := Conversation{TicketID: t.ID, Private: true, Source: 2, ToEmails: []string{}}
	var text string
	if !decodeField(fields, "body", &text, "String", &errs) || strings.TrimSpace(text) == "" {
		errs = append(errs, fieldError{"body", "It should not be blank as this is a mandatory field", "missing_field"})
	}
	decodeField(fields, "private", &c.Private, "Boolean", &errs)
	decodeField(fields, "user_id", &c.UserID, "Integer", &errs)
	if len(errs) > 0 {
		writeValidation(w, http.StatusBadRequest, errs...)
		return http.StatusBadRequest
	}
	c.Body, c.BodyText = text, text
	c.ID = s.conversations.newID()
	c.CreatedAt, c.UpdatedAt = s.now(), s.now()
	s.conversations.put(c.ID, &c)
	t.UpdatedAt = s.now()
	writeJSON(w, http.StatusCreated, map[string]any{"conversation": c})
	return http.StatusCreated
}

// SetStatuses sets the account's ticket statuses (id to name); the defaults are 2 Open,
// 3 Pending, 4 Resolved and 5 Closed. A PUT with another status is refused.
func (s *Server) SetStatuses(statuses map[int]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.statuses = statuses
}

func (s *Server) validStatus(n int) bool {
	_, ok := s.statuses[n]
	return ok
}

func (s *Server) statusList() string {
	var ids []int
	for id := range s.statuses {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = jsonString(id)
	}
	return strings.Join(out, ",")
}
