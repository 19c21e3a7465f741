package codex

import "context"

// Totals are the dashboard's counts of the live rows a caller sees. A nil count is one
// the caller may not read (or did not ask for).
type Totals struct {
	// Clients counts client companies; Equipment network equipment; OpenTickets the
	// tickets open or pending; OpenAlerts the unresolved alerts.
	Clients, Contacts, Assets, Equipment, OpenTickets, OpenAlerts *int
}

// TotalsFilter says which counts Totals takes, and over which companies.
type TotalsFilter struct {
	// Companies, Contacts, Assets, Network and Tickets ask for the counts of those
	// resources (Tickets: open tickets and open alerts).
	Companies, Contacts, Assets, Network, Tickets bool
	// Scope, when not nil, limits every count to rows of these companies (a contact
	// counts when it serves one of them).
	Scope []int64
}

// The kinds of Expiry.
const (
	ExpiryWarranty = "warranty"
	ExpiryLicence  = "licence"
)

// Expiry is an asset's warranty or licence ending on Ends.
type Expiry struct {
	Asset *Asset
	// What is ExpiryWarranty or ExpiryLicence.
	What string
	Ends Date
}

// ExpiryFilter selects the warranties and licences ending on or after From and before
// Before, of live assets.
type ExpiryFilter struct {
	From, Before Date
	// Limit bounds each kind (warranties, licences); 0 means 200.
	Limit int
	Scope []int64
}

// DashboardService computes what the dashboard summarises, each in one statement rather
// than a count per list.
type DashboardService interface {
	// Totals counts the live rows of the resources f asks for.
	Totals(ctx context.Context, f TotalsFilter) (*Totals, error)
	// Expiring lists the warranties and licences ending in f's window, soonest first.
	Expiring(ctx context.Context, f ExpiryFilter) ([]*Expiry, error)
}
