package rest

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/hivematrix/codex/codex"
)

// The dispatch board (Beacon) reads GET /api/tickets/active: every active ticket in one of
// four sections, with its SLA computed here. The rule, as the board expects it:
//
//  1. Tickets whose status is closed, resolved or one of closedStatusKeys are not active.
//  2. Status "customer_replied" goes to section 2 ("Customer Replied (<updated>)", sla-warning).
//  3. Status "pending_hubspot" goes to section 4 ("Pending Hubspot (<updated>)", sla-none).
//  4. A ticket not updated within its priority's window (urgent 30 minutes, high 2 days,
//     medium 3 days, low 4 days) goes to section 3 ("Update Overdue (<status>, <updated>)",
//     sla-critical).
//  5. Status open, pending or update_needed goes to section 1: without a first response its
//     SLA counts down to fr_due_by (due_by for a Service Request): overdue (sla-overdue),
//     under 4 hours (sla-critical), under 12 (sla-warning), else sla-normal; with one it is
//     "<status> (FR Met)" (sla-responded).
//  6. Everything else goes to section 4: waiting_customer "Waiting on Customer (Agent:
//     <agent responded>)" (sla-responded), on_hold "On Hold (<updated>)" (sla-none), others
//     "<status> (<updated>)" (sla-in-progress).
//
// Each section is sorted by priority, highest first, then by last update, oldest first.
// Status keys are the PSA's status names in snake case (statusKey).

// closedStatusKeys are the statuses, besides resolved and closed, that are not active work.
var closedStatusKeys = []string{"closed", "resolved", "job_complete_bill", "billing_complete", "spam", "trash", "deleted"}

// updateWindows is how long a ticket of each priority may go without an update.
var updateWindows = map[codex.TicketPriority]time.Duration{
	codex.PriorityUrgent: 30 * time.Minute,
	codex.PriorityHigh:   48 * time.Hour,
	codex.PriorityMedium: 72 * time.Hour,
	codex.PriorityLow:    96 * time.Hour,
}

// First-response SLA thresholds.
const (
	frCriticalHours = 4
	frWarningHours  = 12
)

// statusAliases maps status names as accounts spell them to the board's keys.
var statusAliases = map[string]string{
	"waiting_on_customer": "waiting_customer", "awaiting_customer": "waiting_customer",
	"waiting_for_customer": "waiting_customer", "customer_responded": "customer_replied",
	"customer_reply": "customer_replied",
}

// statusKey is a ticket's status as the platform names it: the PSA's status name in snake
// case ("Waiting on Customer" -> "waiting_customer"), or the status category.
func statusKey(t *codex.Ticket) string {
	name := t.StatusName
	if name == "" {
		return string(t.Status)
	}
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(strings.TrimSpace(name)) {
		if ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') {
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
			under = false
		} else {
			under = true
		}
	}
	key := b.String()
	if alias, ok := statusAliases[key]; ok {
		return alias
	}
	return key
}

// boardItem is one ticket on the board, with the fields Beacon reads.
type boardItem struct {
	ID                     int64   `json:"id"` // the PSA's ticket id
	CodexID                int64   `json:"codex_id"`
	TicketNumber           string  `json:"ticket_number"`
	Subject                string  `json:"subject"`
	DescriptionText        string  `json:"description_text"`
	Status                 string  `json:"status"`
	StatusID               int     `json:"status_id"`
	StatusText             string  `json:"status_text"`
	Priority               string  `json:"priority"`
	PriorityID             int     `json:"priority_id"`
	PriorityRaw            int     `json:"priority_raw"`
	PriorityText           string  `json:"priority_text"`
	Type                   string  `json:"type"`
	TicketType             string  `json:"ticket_type"`
	CompanyID              *string `json:"company_id"` // the company's account number
	RequesterEmail         string  `json:"requester_email"`
	RequesterName          string  `json:"requester_name"`
	ResponderID            *int64  `json:"responder_id"`
	AgentName              string  `json:"agent_name"`
	GroupID                *int64  `json:"group_id"`
	Source                 string  `json:"source"`
	CreatedAtStr           string  `json:"created_at_str"`
	UpdatedAtStr           string  `json:"updated_at_str"`
	FRDueByStr             *string `json:"fr_due_by_str"`
	DueByStr               *string `json:"due_by_str"`
	FirstRespondedAtISO    *string `json:"first_responded_at_iso"`
	AgentRespondedAt       *string `json:"agent_responded_at"`
	UpdatedFriendly        string  `json:"updated_friendly"`
	CreatedDaysOld         string  `json:"created_days_old"`
	AgentRespondedFriendly string  `json:"agent_responded_friendly"`
	SLAText                string  `json:"sla_text"`
	SLAClass               string  `json:"sla_class"`
	TotalHoursSpent        float64 `json:"total_hours_spent"`
}

// board is the answer of GET /api/tickets/active.
type board struct {
	Section1     []boardItem `json:"section1"`
	Section2     []boardItem `json:"section2"`
	Section3     []boardItem `json:"section3"`
	Section4     []boardItem `json:"section4"`
	TotalActive  int         `json:"total_active"`
	LastUpdated  string      `json:"last_updated"`
	LastSyncTime *string     `json:"last_sync_time"`
}

// isoTime formats t as the PSA does (UTC, seconds, Z).
func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func isoPtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := isoTime(*t)
	return &s
}

// refNumber reads a PSA id kept as text; "" or a non-number is nil.
func refNumber(s string) *int64 {
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil || s == "" {
		return nil
	}
	return &n
}

// timeSince is "3d ago", "5h ago", "12m ago", "Just now", "in the future" or "N/A".
func timeSince(now time.Time, t *time.Time) string {
	if t == nil {
		return "N/A"
	}
	d := now.Sub(*t)
	switch {
	case d < 0:
		return "in the future"
	case d >= 24*time.Hour:
		return fmt.Sprintf("%dd ago", int(d/(24*time.Hour)))
	case d >= time.Hour:
		return fmt.Sprintf("%dh ago", int(d/time.Hour))
	case d >= time.Minute:
		return fmt.Sprintf("%dm ago", int(d/time.Minute))
	}
	return "Just now"
}

// daysOld is "Today", "1 day old", "N days old" or "Future Date", by calendar days in UTC.
func daysOld(now, t time.Time) string {
	day := func(x time.Time) time.Time {
		y, m, d := x.UTC().Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	n := int(day(now).Sub(day(t)).Hours() / 24)
	switch {
	case n < 0:
		return "Future Date"
	case n == 0:
		return "Today"
	case n == 1:
		return "1 day old"
	}
	return fmt.Sprintf("%d days old", n)
}

// frSLA is the first-response SLA text and class of a ticket due at due.
func frSLA(now time.Time, serviceRequest bool, due *time.Time) (string, string) {
	prefix := "FR"
	if serviceRequest {
		prefix = "Due"
	}
	if due == nil {
		return "No " + prefix + " Due Date", "sla-none"
	}
	secs := due.Sub(now).Seconds()
	hours := secs / 3600
	var formatted string
	switch abs := math.Abs(secs); {
	case abs >= 2*24*3600:
		formatted = fmt.Sprintf("%.1f days", hours/24)
	case abs >= 3600:
		formatted = fmt.Sprintf("%.1f hours", hours)
	case abs >= 60:
		formatted = fmt.Sprintf("%.0f min", secs/60)
	default:
		formatted = fmt.Sprintf("%.0f sec", secs)
	}
	switch {
	case hours < 0:
		return prefix + " Overdue by " + strings.TrimLeft(formatted, "-"), "sla-overdue"
	case hours < frCriticalHours:
		return formatted + " for " + prefix, "sla-critical"
	case hours < frWarningHours:
		return formatted + " for " + prefix, "sla-warning"
	}
	return formatted + " for " + prefix, "sla-normal"
}

// boardAgent names the agent a ticket is assigned to: the active PSA agent's name,
// "Agent <id>" for an id the board does not know, or "Unassigned".
func boardAgent(t *codex.Ticket, agents map[string]string) string {
	if t.ResponderRef == "" {
		return "Unassigned"
	}
	if n, ok := agents[t.ResponderRef]; ok {
		return n
	}
	return "Agent " + t.ResponderRef
}

// buildBoard sorts active tickets into the board's sections. accounts maps company ids to
// account numbers; agents maps active PSA agents' ids to names.
func buildBoard(now time.Time, tickets []*codex.Ticket, accounts map[int64]*string, agents map[string]string) board {
	b := board{Section1: []boardItem{}, Section2: []boardItem{}, Section3: []boardItem{}, Section4: []boardItem{}}
	for _, t := range tickets {
		key := statusKey(t)
		if t.Status == codex.TicketResolved || t.Status == codex.TicketClosed || slices.Contains(closedStatusKeys, key) {
			continue
		}
		b.TotalActive++
		updated := timeSince(now, &t.UpdatedAt)
		status := t.StatusText()
		overdue := now.Sub(t.UpdatedAt) > cmp.Or(updateWindows[t.Priority], 72*time.Hour)
		var section *[]boardItem
		var text, class string
		switch {
		case key == "customer_replied":
			section, text, class = &b.Section2, "Customer Replied ("+updated+")", "sla-warning"
		case key == "pending_hubspot":
			section, text, class = &b.Section4, "Pending Hubspot ("+updated+")", "sla-none"
		case overdue:
			section, text, class = &b.Section3, "Update Overdue ("+status+", "+updated+")", "sla-critical"
		case key == "open" || key == "pending" || key == "update_needed":
			section = &b.Section1
			if t.FirstRespondedAt == nil {
				sr := strings.EqualFold(t.Type, "Service Request")
				due := t.FRDueBy
				if sr {
					due = t.DueAt
				}
				text, class = frSLA(now, sr, due)
			} else {
				text, class = status+" (FR Met)", "sla-responded"
			}
		case key == "waiting_customer":
			section, text, class = &b.Section4, "Waiting on Customer", "sla-responded"
			if f := timeSince(now, t.AgentRespondedAt); f != "N/A" {
				text += " (Agent: " + f + ")"
			}
		case key == "on_hold":
			section, text, class = &b.Section4, "On Hold ("+updated+")", "sla-none"
		default:
			section, text, class = &b.Section4, status+" ("+updated+")", "sla-in-progress"
		}
		*section = append(*section, boardItemOf(now, t, key, text, class, accounts, agents))
	}
	for _, s := range []*[]boardItem{&b.Section1, &b.Section2, &b.Section3, &b.Section4} {
		slices.SortStableFunc(*s, func(x, y boardItem) int {
			return cmp.Or(cmp.Compare(y.PriorityRaw, x.PriorityRaw), cmp.Compare(x.UpdatedAtStr, y.UpdatedAtStr))
		})
	}
	b.LastUpdated = now.UTC().Format(time.RFC3339Nano)
	return b
}

func boardItemOf(now time.Time, t *codex.Ticket, key, text, class string, accounts map[int64]*string, agents map[string]string) boardItem {
	id := t.ID
	if n := refNumber(t.ExternalID); n != nil {
		id = *n
	}
	requester := t.RequesterName
	if requester == "" {
		requester = "N/A"
	}
	priority := t.PriorityID
	if priority == 0 {
		priority = int(ticketPriorityNumber[t.Priority])
	}
	return boardItem{
		ID: id, CodexID: t.ID, TicketNumber: t.TicketNumber, Subject: t.Subject, DescriptionText: t.DescriptionText,
		Status: key, StatusID: t.StatusID, StatusText: t.StatusText(),
		Priority: string(t.Priority), PriorityID: priority, PriorityRaw: priority, PriorityText: t.PriorityText(),
		Type: t.Type, TicketType: t.Type, CompanyID: accounts[t.CompanyID],
		RequesterEmail: t.RequesterEmail, RequesterName: requester,
		ResponderID: refNumber(t.ResponderRef), AgentName: boardAgent(t, agents), GroupID: refNumber(t.GroupRef),
		Source: t.Source, CreatedAtStr: isoTime(t.CreatedAt), UpdatedAtStr: isoTime(t.UpdatedAt),
		FRDueByStr: isoPtr(t.FRDueBy), DueByStr: isoPtr(t.DueAt), FirstRespondedAtISO: isoPtr(t.FirstRespondedAt),
		AgentRespondedAt: isoPtr(t.AgentRespondedAt), UpdatedFriendly: timeSince(now, &t.UpdatedAt),
		CreatedDaysOld: daysOld(now, t.CreatedAt), AgentRespondedFriendly: timeSince(now, t.AgentRespondedAt),
		SLAText: text, SLAClass: class, TotalHoursSpent: t.TotalHoursSpent,
	}
}

// ticketPriorityNumber is the PSA's number of each priority, for tickets without one.
var ticketPriorityNumber = map[codex.TicketPriority]int64{
	codex.PriorityLow: 1, codex.PriorityMedium: 2, codex.PriorityHigh: 3, codex.PriorityUrgent: 4,
}
