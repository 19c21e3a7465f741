package freshservice

import (
	"context"
	"net/url"
	"strconv"
	"time"
)

// Ticket statuses, priorities and sources of Freshservice; accounts add their own
// statuses from 6 on.
const (
	StatusOpen     = 2
	StatusPending  = 3
	StatusResolved = 4
	StatusClosed   = 5

	PriorityLow    = 1
	PriorityMedium = 2
	PriorityHigh   = 3
	PriorityUrgent = 4

	SourceEmail  = 1
	SourcePortal = 2
	SourcePhone  = 3
	SourceChat   = 4
	SourceWalkUp = 9
)

// Ticket is a Freshservice ticket as listed with include=requester,stats.
type Ticket struct {
	ID              int64          `json:"id"`
	Subject         string         `json:"subject"`
	Description     string         `json:"description"` // HTML
	DescriptionText string         `json:"description_text"`
	Status          int            `json:"status"`
	Priority        int            `json:"priority"`
	Source          int            `json:"source"`
	Type            string         `json:"type"`
	RequesterID     int64          `json:"requester_id"`
	ResponderID     *int64         `json:"responder_id"`
	GroupID         *int64         `json:"group_id"`
	DepartmentID    *int64         `json:"department_id"`
	DueBy           *time.Time     `json:"due_by"`
	FRDueBy         *time.Time     `json:"fr_due_by"`
	IsEscalated     bool           `json:"is_escalated"`
	CustomFields    map[string]any `json:"custom_fields"`
	CreatedAt       time.Time      `json:"created_at"`
	UpdatedAt       time.Time      `json:"updated_at"`
	// Requester is the ticket's requester in brief.
	Requester *TicketRequester `json:"requester"`
	// Stats holds the ticket's milestones.
	Stats *TicketStats `json:"stats"`
}

// TicketRequester is the requester summary that include=requester adds to a ticket.
type TicketRequester struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Email  string `json:"email"`
	Phone  string `json:"phone"`
	Mobile string `json:"mobile"`
}

// TicketStats is the milestones that include=stats adds to a ticket.
type TicketStats struct {
	FirstRespondedAt     *time.Time `json:"first_responded_at"`
	AgentRespondedAt     *time.Time `json:"agent_responded_at"`
	RequesterRespondedAt *time.Time `json:"requester_responded_at"`
	ResolvedAt           *time.Time `json:"resolved_at"`
	ClosedAt             *time.Time `json:"closed_at"`
}

// Tickets calls fn with each page of tickets updated at or after updatedSince, oldest first,
// each with its requester and stats. A zero updatedSince sends no updated_since filter;
// Freshservice then lists only recent tickets, so a full sync should pass an early date.
func (c *Client) Tickets(ctx context.Context, updatedSince time.Time, fn func(Page[Ticket]) error) error {
	q := url.Values{}
	if !updatedSince.IsZero() {
		q.Set("updated_since", updatedSince.UTC().Format(time.RFC3339))
	}
	q.Set("include", "requester,stats")
	q.Set("order_type", "asc")
	return list(ctx, c, "/tickets", q, "tickets", func(t *Ticket) int64 { return t.ID }, fn)
}

// Ticket returns the ticket with id, with its requester and stats, or a codex.NotFound error.
func (c *Client) Ticket(ctx context.Context, id int64) (Ticket, error) {
	var t Ticket
	err := c.get(ctx, "/tickets/"+strconv.FormatInt(id, 10)+"?include=requester,stats", "ticket", &t)
	return t, err
}
