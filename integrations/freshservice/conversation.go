package freshservice

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Conversation sources of Freshservice: how a reply or note was made.
const (
	ConversationSourceEmail   = 0
	ConversationSourceForm    = 1
	ConversationSourceNote    = 2
	ConversationSourceStatus  = 3
	ConversationSourceMeta    = 4
	ConversationSourceFeedbck = 5
	ConversationSourceForward = 6
)

// Conversation is a reply or note on a ticket (GET /tickets/{id}/conversations).
type Conversation struct {
	ID        int64     `json:"id"`
	UserID    *int64    `json:"user_id"`
	TicketID  int64     `json:"ticket_id"`
	Body      string    `json:"body"` // HTML
	BodyText  string    `json:"body_text"`
	Incoming  bool      `json:"incoming"`
	Private   bool      `json:"private"`
	Source    int       `json:"source"`
	FromEmail string    `json:"from_email"`
	ToEmails  []string  `json:"to_emails"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// IsNote reports whether c is a note rather than a reply.
func (c *Conversation) IsNote() bool { return c.Source == ConversationSourceNote }

// TimeEntry is time an agent logged on a ticket (GET /tickets/{id}/time_entries).
type TimeEntry struct {
	ID           int64      `json:"id"`
	AgentID      *int64     `json:"agent_id"`
	Billable     bool       `json:"billable"`
	Note         string     `json:"note"`
	TimeSpent    string     `json:"time_spent"` // "hh:mm"
	TimerRunning bool       `json:"timer_running"`
	ExecutedAt   *time.Time `json:"executed_at"`
	StartTime    *time.Time `json:"start_time"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// Minutes parses TimeSpent ("hh:mm"); a malformed value counts as 0 with ok false.
func (e *TimeEntry) Minutes() (minutes int, ok bool) {
	h, m, found := strings.Cut(strings.TrimSpace(e.TimeSpent), ":")
	hours, err1 := strconv.Atoi(h)
	mins, err2 := strconv.Atoi(m)
	if !found || err1 != nil || err2 != nil || hours < 0 || mins < 0 || mins > 59 {
		return 0, false
	}
	return hours*60 + mins, true
}

// Group is an agent group (GET /groups).
type Group struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Conversations calls fn with each page of ticket id's conversations, oldest first.
func (c *Client) Conversations(ctx context.Context, ticketID int64, fn func(Page[Conversation]) error) error {
	return list(ctx, c, fmt.Sprintf("/tickets/%d/conversations", ticketID), nil, "conversations",
		func(v *Conversation) int64 { return v.ID }, fn)
}

// TimeEntries calls fn with each page of ticket id's time entries.
func (c *Client) TimeEntries(ctx context.Context, ticketID int64, fn func(Page[TimeEntry]) error) error {
	return list(ctx, c, fmt.Sprintf("/tickets/%d/time_entries", ticketID), nil, "time_entries",
		func(v *TimeEntry) int64 { return v.ID }, fn)
}

// Groups calls fn with each page of agent groups.
func (c *Client) Groups(ctx context.Context, fn func(Page[Group]) error) error {
	return list(ctx, c, "/groups", nil, "groups", func(g *Group) int64 { return g.ID }, fn)
}

// UpdateTicketStatus sets ticket id's status (PUT /tickets/{id}) and returns the ticket as
// Freshservice answers it.
func (c *Client) UpdateTicketStatus(ctx context.Context, id int64, status int) (Ticket, error) {
	var t Ticket
	err := c.put(ctx, "/tickets/"+strconv.FormatInt(id, 10), map[string]any{"status": status}, "ticket", &t)
	return t, err
}

// AddNote adds a note to ticket id (POST /tickets/{id}/notes); private notes are for
// agents only. It returns the note as Freshservice answers it.
func (c *Client) AddNote(ctx context.Context, id int64, body string, private bool) (Conversation, error) {
	var n Conversation
	err := c.post(ctx, "/tickets/"+strconv.FormatInt(id, 10)+"/notes",
		map[string]any{"body": body, "private": private}, "conversation", &n)
	return n, err
}
