package codex

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// ConversationKind tells a reply (sent to or from the requester) from a note.
type ConversationKind string

// The conversation kinds.
const (
	ConversationReply ConversationKind = "reply"
	ConversationNote  ConversationKind = "note"
)

// TicketConversation is one reply or note on a PSA ticket, as the sync pulled it.
type TicketConversation struct {
	bun.BaseModel `bun:"table:ticket_conversations,alias:conv" json:"-"`

	ID         int64            `bun:"id,pk,autoincrement" json:"id"`
	TicketID   int64            `bun:"ticket_id,notnull" json:"ticket_id"`
	Source     string           `bun:"source,notnull" json:"source"`
	ExternalID string           `bun:"external_id,notnull" json:"external_id"`
	Kind       ConversationKind `bun:"kind,notnull" json:"kind"`
	// Private notes are for agents only; public notes and replies reach the requester.
	Private bool `bun:"private,notnull" json:"private"`
	// Incoming is true for what the requester sent.
	Incoming bool `bun:"incoming,notnull" json:"incoming"`
	// AuthorRef is the PSA id of the person who wrote it (an agent or a requester).
	AuthorRef string    `bun:"author_ref,notnull" json:"author_ref"`
	FromEmail string    `bun:"from_email,notnull" json:"from_email"`
	BodyText  string    `bun:"body_text,notnull" json:"body_text"`
	CreatedAt time.Time `bun:"created_at,notnull" json:"created_at"`
	UpdatedAt time.Time `bun:"updated_at,notnull" json:"updated_at"`
}

// TicketTimeEntry is time an agent logged on a PSA ticket.
type TicketTimeEntry struct {
	bun.BaseModel `bun:"table:ticket_time_entries,alias:te" json:"-"`

	ID         int64      `bun:"id,pk,autoincrement" json:"id"`
	TicketID   int64      `bun:"ticket_id,notnull" json:"ticket_id"`
	Source     string     `bun:"source,notnull" json:"source"`
	ExternalID string     `bun:"external_id,notnull" json:"external_id"`
	AgentRef   string     `bun:"agent_ref,notnull" json:"agent_ref"`
	Minutes    int        `bun:"minutes,notnull" json:"minutes"`
	Billable   bool       `bun:"billable,notnull" json:"billable"`
	Note       string     `bun:"note,notnull" json:"note"`
	ExecutedAt *time.Time `bun:"executed_at" json:"executed_at"`
	CreatedAt  time.Time  `bun:"created_at,notnull" json:"created_at"`
	UpdatedAt  time.Time  `bun:"updated_at,notnull" json:"updated_at"`
}

// PSAAgent is a technician as the PSA knows them (not a Codex user: see Agent).
type PSAAgent struct {
	bun.BaseModel `bun:"table:psa_agents,alias:psa_agent" json:"-"`

	ID         int64     `bun:"id,pk,autoincrement" json:"id"`
	Source     string    `bun:"source,notnull" json:"source"`
	ExternalID string    `bun:"external_id,notnull" json:"external_id"`
	Name       string    `bun:"name,notnull" json:"name"`
	Email      string    `bun:"email,notnull" json:"email"`
	JobTitle   string    `bun:"job_title,notnull" json:"job_title"`
	Active     bool      `bun:"active,notnull" json:"active"`
	CreatedAt  time.Time `bun:"created_at,notnull" json:"created_at"`
	UpdatedAt  time.Time `bun:"updated_at,notnull" json:"updated_at"`
}

// PSAGroup is a PSA agent group (a queue such as "Helpdesk" or "Professional Services").
type PSAGroup struct {
	bun.BaseModel `bun:"table:psa_groups,alias:psa_group" json:"-"`

	ID          int64     `bun:"id,pk,autoincrement" json:"id"`
	Source      string    `bun:"source,notnull" json:"source"`
	ExternalID  string    `bun:"external_id,notnull" json:"external_id"`
	Name        string    `bun:"name,notnull" json:"name"`
	Description string    `bun:"description,notnull" json:"description"`
	CreatedAt   time.Time `bun:"created_at,notnull" json:"created_at"`
	UpdatedAt   time.Time `bun:"updated_at,notnull" json:"updated_at"`
}

// PSARef names a PSA record by its source and PSA id, the key of agents and groups.
type PSARef struct {
	Source     string
	ExternalID string
}

// TicketUpdate is a change a person or service asks the PSA to make to a ticket: a new
// status (by the PSA's status id) and/or a private note.
type TicketUpdate struct {
	StatusID *int
	Note     string
}

// TicketDetail is what the sync pulled for one ticket besides the ticket itself.
type TicketDetail struct {
	Conversations []*TicketConversation
	TimeEntries   []*TicketTimeEntry
}

// PSAService reads and (for the sync engine) writes the PSA's agents, groups and the
// conversations and time entries of tickets. Reads follow the ticket rules of the policy.
type PSAService interface {
	PSAAgents(ctx context.Context, source string) ([]*PSAAgent, error)
	PSAGroups(ctx context.Context, source string) ([]*PSAGroup, error)
	// PSAAgentsByRefs and PSAGroupsByRefs return rows in key order, nil where none.
	PSAAgentsByRefs(ctx context.Context, refs []PSARef) ([]*PSAAgent, error)
	PSAGroupsByRefs(ctx context.Context, refs []PSARef) ([]*PSAGroup, error)
	// ConversationsByTickets and TimeEntriesByTickets return each ticket's rows, oldest first.
	ConversationsByTickets(ctx context.Context, ticketIDs []int64) ([][]*TicketConversation, error)
	TimeEntriesByTickets(ctx context.Context, ticketIDs []int64) ([][]*TicketTimeEntry, error)

	SavePSAAgent(ctx context.Context, a *PSAAgent) (created bool, err error)
	SavePSAGroup(ctx context.Context, g *PSAGroup) (created bool, err error)
	// SaveTicketDetail replaces a ticket's conversations and time entries with d and sets
	// its total hours from the time entries.
	SaveTicketDetail(ctx context.Context, ticketID int64, d TicketDetail) error
}

// TicketUpdater changes tickets in the PSA on a caller's behalf; the policy layer
// implements it over a PSAWriter.
type TicketUpdater interface {
	// UpdateTicketInPSA writes u to the PSA first, then stores what the PSA answered. When
	// the PSA refuses or fails, nothing changes in Codex.
	UpdateTicketInPSA(ctx context.Context, ticketID int64, u TicketUpdate) (*Ticket, error)
}

// PSAWriter writes ticket changes to the PSA and stores the result in Codex; the sync
// engine implements it. It is called after the policy has allowed the change.
type PSAWriter interface {
	UpdateTicket(ctx context.Context, t *Ticket, u TicketUpdate) (*Ticket, error)
}
