package codex

import (
	"time"

	"github.com/uptrace/bun"
)

// TicketStatus is a PSA ticket's state.
type TicketStatus string

// The ticket statuses. Open and pending tickets count as open.
const (
	TicketOpen     TicketStatus = "open"
	TicketPending  TicketStatus = "pending"
	TicketResolved TicketStatus = "resolved"
	TicketClosed   TicketStatus = "closed"
)

// Valid reports whether s is a known status.
func (s TicketStatus) Valid() bool {
	return s == TicketOpen || s == TicketPending || s == TicketResolved || s == TicketClosed
}

// OpenTicketStatuses are the statuses that count as open.
var OpenTicketStatuses = []TicketStatus{TicketOpen, TicketPending}

// TicketPriority is a PSA ticket's priority.
type TicketPriority string

// The ticket priorities.
const (
	PriorityLow    TicketPriority = "low"
	PriorityMedium TicketPriority = "medium"
	PriorityHigh   TicketPriority = "high"
	PriorityUrgent TicketPriority = "urgent"
)

// Valid reports whether p is a known priority.
func (p TicketPriority) Valid() bool {
	return p == PriorityLow || p == PriorityMedium || p == PriorityHigh || p == PriorityUrgent
}

// Ticket is a PSA ticket mirrored into Codex.
type Ticket struct {
	bun.BaseModel `bun:"table:tickets,alias:ticket" json:"-"`

	ID          int64          `bun:"id,pk,autoincrement" json:"id"`
	Source      string         `bun:"source,notnull" json:"source"`
	ExternalID  string         `bun:"external_id,notnull" json:"external_id"`
	CompanyID   int64          `bun:"company_id,notnull" json:"company_id"`
	RequesterID *int64         `bun:"requester_id" json:"requester_id"`
	Subject     string         `bun:"subject,notnull" json:"subject"`
	Description string         `bun:"description,notnull" json:"description"`
	Status      TicketStatus   `bun:"status,notnull" json:"status"`
	Priority    TicketPriority `bun:"priority,notnull" json:"priority"`
	Type        string         `bun:"type,notnull" json:"type"`
	CreatedAt   time.Time      `bun:"created_at,notnull" json:"created_at"`
	UpdatedAt   time.Time      `bun:"updated_at,notnull" json:"updated_at"`
	DueAt       *time.Time     `bun:"due_at" json:"due_at"`
	ResolvedAt  *time.Time     `bun:"resolved_at" json:"resolved_at"`
	ClosedAt    *time.Time     `bun:"closed_at" json:"closed_at"`
	ArchivedAt  *time.Time     `bun:"archived_at" json:"archived_at"`

	// CompanyComplianceLevel is the compliance level of the ticket's company, filled by
	// the policy layer on every read so consumers can apply it themselves.
	CompanyComplianceLevel ComplianceLevel `bun:"-" json:"company_compliance_level"`
	// The PSA's view of the ticket (see migrations/20261203000015_tickets.go).

	// TicketNumber is the number people quote, e.g. "INC-123" or "SR-45".
	TicketNumber string `bun:"ticket_number,notnull" json:"ticket_number"`
	// DescriptionText is the plain text of the PSA's HTML description.
	DescriptionText string `bun:"description_text,notnull" json:"description_text"`
	RequesterName   string `bun:"requester_name,notnull" json:"requester_name"`
	RequesterEmail  string `bun:"requester_email,notnull" json:"requester_email"`
	// ResponderRef and GroupRef are the PSA ids of the assigned agent and group ("" when none).
	ResponderRef string `bun:"responder_ref,notnull" json:"responder_ref"`
	GroupRef     string `bun:"group_ref,notnull" json:"group_ref"`
	// StatusID and StatusName are the PSA's own status, custom ones included (Freshservice:
	// 2 Open, 3 Pending, 4 Resolved, 5 Closed, 6 on the account's own); Status is its category.
	StatusID   int    `bun:"status_id,notnull" json:"status_id"`
	StatusName string `bun:"status_name,notnull" json:"status_name"`
	// PriorityID is the PSA's priority number (1 Low to 4 Urgent).
	PriorityID       int        `bun:"priority_id,notnull" json:"priority_id"`
	FRDueBy          *time.Time `bun:"fr_due_by" json:"fr_due_by"`
	FirstRespondedAt *time.Time `bun:"first_responded_at" json:"first_responded_at"`
	AgentRespondedAt *time.Time `bun:"agent_responded_at" json:"agent_responded_at"`
	// TotalHoursSpent is the sum of the ticket's time entries.
	TotalHoursSpent float64 `bun:"total_hours_spent,notnull" json:"total_hours_spent"`
}

// PriorityText is the priority as the PSA shows it: "Low", "Medium", "High" or "Urgent".
func (t *Ticket) PriorityText() string {
	switch t.Priority {
	case PriorityMedium:
		return "Medium"
	case PriorityHigh:
		return "High"
	case PriorityUrgent:
		return "Urgent"
	}
	return "Low"
}

// StatusText is the PSA's name of the ticket's status, or its category capitalised.
func (t *Ticket) StatusText() string {
	if t.StatusName != "" {
		return t.StatusName
	}
	switch t.Status {
	case TicketPending:
		return "Pending"
	case TicketResolved:
		return "Resolved"
	case TicketClosed:
		return "Closed"
	}
	return "Open"
}

// Validate checks a ticket's fields.
func (t *Ticket) Validate() error {
	var v Validation
	v.Check(t.CompanyID > 0, "company_id", "is required")
	v.Check(t.Source != "", "source", "is required")
	v.Check(t.Subject != "", "subject", "is required")
	v.Check(t.Status.Valid(), "status", "must be one of open, pending, resolved, closed")
	v.Check(t.Priority.Valid(), "priority", "must be one of low, medium, high, urgent")
	return v.Err()
}

// TicketFilter selects tickets. Zero fields do not filter.
type TicketFilter struct {
	Search       string
	CompanyID    *int64
	SubtreeOf    *int64
	RequesterID  *int64
	Status       []TicketStatus
	Priority     []TicketPriority
	OpenOnly     bool
	Source       string
	UpdatedSince *time.Time
	// UpdatedBefore keeps tickets updated before this instant.
	UpdatedBefore *time.Time
	// ExternalID, ResponderRef and GroupRef match the PSA's ids exactly.
	ExternalID      string
	ResponderRef    string
	GroupRef        string
	IncludeArchived bool
	Scope           []int64
	Order           Order
}

// TicketOrders are the orders a ticket list accepts ("created_at" descending is usual).
var TicketOrders = []string{"created_at", "updated_at", "id", "priority", "status", "due_at"}

// AlertPriority is an RMM alert's priority.
type AlertPriority string

// The alert priorities, as Datto RMM names them.
const (
	AlertCritical    AlertPriority = "critical"
	AlertHigh        AlertPriority = "high"
	AlertModerate    AlertPriority = "moderate"
	AlertLow         AlertPriority = "low"
	AlertInformation AlertPriority = "information"
)

// Valid reports whether p is a known alert priority.
func (p AlertPriority) Valid() bool {
	switch p {
	case AlertCritical, AlertHigh, AlertModerate, AlertLow, AlertInformation:
		return true
	}
	return false
}

// Alert is an RMM alert on an asset.
type Alert struct {
	bun.BaseModel `bun:"table:alerts,alias:alert" json:"-"`

	ID         int64         `bun:"id,pk,autoincrement" json:"id"`
	Source     string        `bun:"source,notnull" json:"source"`
	ExternalID string        `bun:"external_id,notnull" json:"external_id"`
	CompanyID  int64         `bun:"company_id,notnull" json:"company_id"`
	AssetID    *int64        `bun:"asset_id" json:"asset_id"`
	Priority   AlertPriority `bun:"priority,notnull" json:"priority"`
	Message    string        `bun:"message,notnull" json:"message"`
	Resolved   bool          `bun:"resolved,notnull" json:"resolved"`
	RaisedAt   time.Time     `bun:"raised_at,notnull" json:"raised_at"`
	ResolvedAt *time.Time    `bun:"resolved_at" json:"resolved_at"`
	CreatedAt  time.Time     `bun:"created_at,notnull" json:"created_at"`
	UpdatedAt  time.Time     `bun:"updated_at,notnull" json:"updated_at"`
}

// Validate checks an alert's fields.
func (a *Alert) Validate() error {
	var v Validation
	v.Check(a.CompanyID > 0, "company_id", "is required")
	v.Check(a.Source != "", "source", "is required")
	v.Check(a.Priority.Valid(), "priority", "must be one of critical, high, moderate, low, information")
	return v.Err()
}

// AlertFilter selects alerts. Zero fields do not filter.
type AlertFilter struct {
	CompanyID *int64
	SubtreeOf *int64
	AssetID   *int64
	Priority  []AlertPriority
	Resolved  *bool
	Scope     []int64
	Order     Order
}

// AlertOrders are the orders an alert list accepts.
var AlertOrders = []string{"raised_at", "id", "priority"}
