package codex

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// The triage reasons.
const (
	// TriageUnassigned is a record no company could be found for: a requester none of
	// whose departments or e-mail domains Codex knows, or a ticket or asset of one.
	TriageUnassigned = "unassigned"
	// TriageAmbiguous is a record that matched more than one row (a device whose serial,
	// MAC or hostname several assets share): it is held rather than merged or duplicated.
	TriageAmbiguous = "ambiguous"
)

// TriageItem is an upstream record the sync keeps but could not place: it waits for an
// admin to assign it to a company (or, for an ambiguous match, to one of its candidates).
// It is not a contact, asset or ticket row yet, so nobody but an admin can see it.
type TriageItem struct {
	bun.BaseModel `bun:"table:triage_items,alias:triage" json:"-"`

	ID         int64  `bun:"id,pk,autoincrement" json:"id"`
	Source     string `bun:"source,notnull" json:"source"`
	Entity     string `bun:"entity,notnull" json:"entity"`
	ExternalID string `bun:"external_id,notnull" json:"external_id"`
	// Label names the record for people ("requester 42 (jo@example.com)").
	Label string `bun:"label,notnull" json:"label"`
	// Reason is TriageUnassigned or TriageAmbiguous; Detail says why in words.
	Reason string `bun:"reason,notnull" json:"reason"`
	// Requester is the external id of the requester a ticket or asset hangs on: assigning
	// the requester assigns them too.
	Requester string `bun:"requester,notnull" json:"requester,omitempty"`
	// Candidates are the ids of the companies (unassigned) or assets (ambiguous) that
	// matched more than once.
	Candidates []int64 `bun:"candidates,type:json" json:"candidates"`
	// Upstream holds the record's mapped values, in the sync engine's terms, from which
	// its row is created when it is assigned.
	Upstream map[string]string `bun:"upstream,type:json" json:"upstream"`
	// Fingerprint is the sync engine's fingerprint of the record as held, kept on the
	// reference its row gets, so the next run finds the record unchanged.
	Fingerprint string    `bun:"fingerprint,notnull" json:"-"`
	DetectedAt  time.Time `bun:"detected_at,notnull" json:"detected_at"`
	UpdatedAt   time.Time `bun:"updated_at,notnull" json:"updated_at"`
}

// TriageFilter selects triage items. Zero fields do not filter.
type TriageFilter struct {
	Source    string
	Entity    string
	Reason    string
	Requester string
	// ExternalID, with Source and Entity, selects one record's item.
	ExternalID string
}

// TriageStore holds the triage list and the account number mark. The policy layer gives
// both to admins (and the sync engine's system principal) only.
type TriageStore interface {
	// SaveTriageItems inserts or updates items by (source, entity, external id); it sets
	// their ids.
	SaveTriageItems(ctx context.Context, items []*TriageItem) error
	TriageItem(ctx context.Context, id int64) (*TriageItem, error)
	TriageItems(ctx context.Context, f TriageFilter, p PageArgs) (*Page[TriageItem], error)
	// DeleteTriageItems removes the items of source's records of entity with these
	// external ids (they were placed); it returns how many it removed.
	DeleteTriageItems(ctx context.Context, source, entity string, externalIDs []string) (int, error)
	// AssignAccountNumbers gives every client company that is not archived and has no
	// account number the next number of the mark, formatted with format (a fmt verb for
	// one integer, e.g. "%06d"), starting at start; a number some company already holds
	// is skipped. Numbers are never handed out twice. It returns the companies numbered.
	AssignAccountNumbers(ctx context.Context, format string, start int64) ([]*Company, error)
}

// CanTriage reports whether p may see and assign the triage list: admins and the system
// only. Records without a company carry no scope, so neither a client, a technician nor a
// service (which may have to get redacted data) may see them.
func (p *Principal) CanTriage() bool { return p.SeesSecrets() }

// TriageOutcome says what assigning a triage item created or linked.
type TriageOutcome struct {
	// Contacts, Tickets and Assets count the rows created or linked.
	Contacts int `json:"contacts"`
	Tickets  int `json:"tickets"`
	Assets   int `json:"assets"`
}

// TriageAssignment is what an admin decides for a triage item: a company for a record
// without one, or (for an ambiguous asset) the candidate asset it is.
type TriageAssignment struct {
	CompanyID *int64 `json:"company_id"`
	AssetID   *int64 `json:"asset_id"`
}

// SyncActions are the sync engine's admin actions besides runs; the sync engine
// implements it. Both check that the caller is an admin.
type SyncActions interface {
	// AssignTriage assigns triage item id: to a company (a contact with the tickets and
	// assets held with it, or a lone ticket or asset), or links an ambiguous asset to
	// one of its candidates.
	AssignTriage(ctx context.Context, id, companyID, assetID int64) (*TriageOutcome, error)
	// AccountNumbers numbers the client companies without an account number and pushes
	// the numbers to every configured source, one run per source.
	AccountNumbers(ctx context.Context, triggeredBy string) ([]*SyncRun, error)
	// TakeUpstream resolves conflict id by writing its upstream value to the row, as the
	// caller; a Conflict when the row's field changed since the conflict was recorded.
	TakeUpstream(ctx context.Context, id int64) (*SyncConflict, error)
}
