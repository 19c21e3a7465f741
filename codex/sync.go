package codex

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// The integrations Codex syncs with, as named in sync runs and external references.
const (
	SourceFreshservice = "freshservice"
	SourceDatto        = "datto"
)

// The entities external references and sync conflicts name.
const (
	EntityCompany   = "company"
	EntityContact   = "contact"
	EntityAsset     = "asset"
	EntityEquipment = "equipment"
	EntityTicket    = "ticket"
	EntityAlert     = "alert"
)

// MaxSyncProblems bounds SyncRun.Problems; a run with more says how many it left out.
const MaxSyncProblems = 100

// SyncConflict records that an upstream change to a field met a different value a person
// had set in Codex: the change was not applied. It stays open until someone resolves it.
type SyncConflict struct {
	bun.BaseModel `bun:"table:sync_conflicts,alias:conflict" json:"-"`

	ID       int64  `bun:"id,pk,autoincrement" json:"id"`
	RunID    *int64 `bun:"run_id" json:"run_id"`
	Source   string `bun:"source,notnull" json:"source"`
	Entity   string `bun:"entity,notnull" json:"entity"`
	EntityID int64  `bun:"entity_id,notnull" json:"entity_id"`
	Field    string `bun:"field,notnull" json:"field"`
	// LocalValue is Codex's value, UpstreamValue the outside system's new one, BaseValue
	// the value both had when they last agreed.
	LocalValue    string     `bun:"local_value,notnull" json:"local_value"`
	UpstreamValue string     `bun:"upstream_value,notnull" json:"upstream_value"`
	BaseValue     string     `bun:"base_value,notnull" json:"base_value"`
	DetectedAt    time.Time  `bun:"detected_at,notnull" json:"detected_at"`
	ResolvedAt    *time.Time `bun:"resolved_at" json:"resolved_at"`
}

// SyncConflictFilter selects sync conflicts. Zero fields do not filter.
type SyncConflictFilter struct {
	Source   string
	Entity   string
	EntityID *int64
	// OpenOnly leaves out resolved conflicts.
	OpenOnly bool
}

// SyncStarter starts integration runs in the background; the sync engine implements it.
// Start checks that the caller in ctx may run integrations, and refuses with a Conflict
// while a run of the same source is in progress anywhere.
type SyncStarter interface {
	Start(ctx context.Context, source string) (*SyncRun, error)
}
