package codex

import (
	"encoding/json"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Theme is the UI theme a person prefers.
type Theme string

// The themes.
const (
	ThemeLight Theme = "light"
	ThemeDark  Theme = "dark"
)

// Preferences are one staff member's UI settings, as the UI shell (Nexus) reads them.
type Preferences struct {
	Theme             Theme             `json:"theme_preference"`
	ColorTheme        string            `json:"preferred_color_theme"`
	HomePage          string            `json:"home_page_preference"`
	KnowledgeTreeView string            `json:"knowledgetree_view_preference"`
	UI                map[string]string `json:"ui_settings,omitempty"`
	Notifications     map[string]bool   `json:"notification_settings,omitempty"`
}

// ColorThemes are the colour themes accepted: Codex's own documented ones first, then the
// platform shell's (Nexus) that Codex did not have.
var ColorThemes = []string{"default", "blue", "green", "purple", "orange", "red", "teal", "high-contrast",
	"gold", "yellow", "matrix", "bee"}

// NexusColorThemes are the colour themes the platform's shell (Nexus) paints; it discards
// any other value.
var NexusColorThemes = []string{"purple", "blue", "green", "orange", "gold", "red", "yellow", "matrix", "bee"}

// NexusColorTheme returns c in Nexus's vocabulary: itself when Nexus has it, otherwise
// Nexus's default, purple (Codex's "default", "teal" and "high-contrast" have no Nexus
// counterpart).
func NexusColorTheme(c string) string {
	if slices.Contains(NexusColorThemes, c) {
		return c
	}
	return "purple"
}

// HomePageSlugs are the services the platform's Core redirects to after sign-in.
var HomePageSlugs = []string{"beacon", "knowledgetree", "codex", "ledger", "helm", "brainhair", "resolve", "archive", "nexus"}

// DefaultHomePage is the platform's first choice of home page (Core falls back to beacon).
const DefaultHomePage = "beacon"

// HomePageSlug returns a home-page preference as the slug Core redirects to: a slug is
// itself; a Codex path ("/ledger/invoices") gives its first segment when that names a
// service, and anything else (including "/") the default, beacon.
func HomePageSlug(home string) string {
	seg := strings.Trim(home, "/")
	seg, _, _ = strings.Cut(seg, "/")
	if slices.Contains(HomePageSlugs, seg) {
		return seg
	}
	return DefaultHomePage
}

// KnowledgeTreeViews are the views KnowledgeTree offers ("list" is Codex's earlier value).
var KnowledgeTreeViews = []string{"grid", "tree", "hierarchy", "list"}

// DefaultPreferences are what a person without stored preferences gets.
func DefaultPreferences() Preferences {
	return Preferences{Theme: ThemeLight, ColorTheme: "default", HomePage: "/", KnowledgeTreeView: "grid"}
}

// Validate checks preferences, naming the JSON field at fault.
func (p *Preferences) Validate() error {
	var v Validation
	v.Check(p.Theme == ThemeLight || p.Theme == ThemeDark, "theme_preference", "must be light or dark")
	v.Check(slices.Contains(ColorThemes, p.ColorTheme), "preferred_color_theme", "must be one of %v", ColorThemes)
	v.Check(p.HomePage == "" || (len(p.HomePage) <= 200 && p.HomePage[0] == '/') || slices.Contains(HomePageSlugs, p.HomePage),
		"home_page_preference", "must be a path starting with / or one of %v", HomePageSlugs)
	v.Check(p.KnowledgeTreeView == "" || slices.Contains(KnowledgeTreeViews, p.KnowledgeTreeView),
		"knowledgetree_view_preference", "must be one of %v", KnowledgeTreeViews)
	return v.Err()
}

// Agent is a staff member (or client user) known to Codex, keyed by the identity provider's e-mail.
type Agent struct {
	bun.BaseModel `bun:"table:agents,alias:agent" json:"-"`

	ID              int64       `bun:"id,pk,autoincrement" json:"id"`
	Email           string      `bun:"email,notnull" json:"email"`
	Name            string      `bun:"name,notnull" json:"name"`
	PermissionLevel Level       `bun:"permission_level,notnull" json:"permission_level"`
	CompanyID       *int64      `bun:"company_id" json:"company_id"`
	Preferences     Preferences `bun:"preferences,type:json" json:"preferences"`
	LastSeenAt      *time.Time  `bun:"last_seen_at" json:"last_seen_at"`
	CreatedAt       time.Time   `bun:"created_at,notnull" json:"created_at"`
	UpdatedAt       time.Time   `bun:"updated_at,notnull" json:"updated_at"`
}

// Validate checks an agent's fields.
func (a *Agent) Validate() error {
	var v Validation
	addr, err := mail.ParseAddress(a.Email)
	v.Check(err == nil && addr.Address == a.Email, "email", "%q is not an e-mail address", a.Email)
	v.Check(a.PermissionLevel.Valid(), "permission_level", "must be one of admin, technician, billing, client")
	if err := a.Preferences.Validate(); err != nil {
		for f, m := range ErrorFields(err) {
			v.Add(f, "%s", m)
		}
	}
	return v.Err()
}

// ExternalRef records that a Codex row mirrors a record in an outside system.
type ExternalRef struct {
	bun.BaseModel `bun:"table:external_refs,alias:xref" json:"-"`

	ID          int64     `bun:"id,pk,autoincrement" json:"id"`
	Entity      string    `bun:"entity,notnull" json:"entity"`
	EntityID    int64     `bun:"entity_id,notnull" json:"entity_id"`
	Source      string    `bun:"source,notnull" json:"source"`
	ExternalID  string    `bun:"external_id,notnull" json:"external_id"`
	Fingerprint string    `bun:"fingerprint,notnull" json:"fingerprint"`
	SyncedAt    time.Time `bun:"synced_at,notnull" json:"synced_at"`
	// Upstream is the sync engine's snapshot of the outside record's mapped fields as last
	// synced (pulled or pushed), in Codex's terms: the base of its three-way comparison.
	Upstream map[string]string `bun:"upstream,type:json" json:"upstream"`
	// GoneAt is when the sync engine found the outside record missing from a complete
	// listing and archived the row because of it; nil while the record exists.
	GoneAt *time.Time `bun:"gone_at" json:"gone_at"`
}

// The sync run statuses.
const (
	SyncRunning   = "running"
	SyncSucceeded = "succeeded"
	SyncFailed    = "failed"
)

// SyncCounts are the per-entity outcomes of a sync run.
type SyncCounts struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Archived  int `json:"archived"`
	Conflicts int `json:"conflicts"`
	Failed    int `json:"failed"`
	// Unassigned counts records kept in triage for lack of a company; Held the records
	// held there because they matched ambiguously; Merged the records linked to a row
	// another source created (one machine seen by the PSA and the RMM).
	Unassigned int `json:"unassigned"`
	Held       int `json:"held"`
	Merged     int `json:"merged"`
}

// Add adds o to c.
func (c *SyncCounts) Add(o SyncCounts) {
	c.Created += o.Created
	c.Updated += o.Updated
	c.Unchanged += o.Unchanged
	c.Archived += o.Archived
	c.Conflicts += o.Conflicts
	c.Failed += o.Failed
	c.Unassigned += o.Unassigned
	c.Held += o.Held
	c.Merged += o.Merged
}

// SyncRun is one run of an integration.
type SyncRun struct {
	bun.BaseModel `bun:"table:sync_runs,alias:run" json:"-"`

	ID          int64                 `bun:"id,pk,autoincrement" json:"id"`
	Source      string                `bun:"source,notnull" json:"source"`
	Status      string                `bun:"status,notnull" json:"status"`
	TriggeredBy string                `bun:"triggered_by,notnull" json:"triggered_by"`
	StartedAt   time.Time             `bun:"started_at,notnull" json:"started_at"`
	FinishedAt  *time.Time            `bun:"finished_at" json:"finished_at"`
	Created     int                   `bun:"created,notnull" json:"created"`
	Updated     int                   `bun:"updated,notnull" json:"updated"`
	Unchanged   int                   `bun:"unchanged,notnull" json:"unchanged"`
	Archived    int                   `bun:"archived,notnull" json:"archived"`
	Failed      int                   `bun:"failed,notnull" json:"failed"`
	Conflicts   int                   `bun:"conflicts,notnull" json:"conflicts"`
	Counts      map[string]SyncCounts `bun:"counts,type:json" json:"counts"`
	Error       string                `bun:"error,notnull" json:"error"`
	Watermark   *time.Time            `bun:"watermark" json:"watermark"`
	// Problems lists what went wrong with single records of a run that went on: skipped
	// malformed records, rejected writes, failed pushes (at most MaxSyncProblems).
	Problems []string `bun:"problems,type:json" json:"problems"`
}

// AuditEntry records one write: who changed what, from what to what, in which request.
type AuditEntry struct {
	bun.BaseModel `bun:"table:audit_log,alias:audit" json:"-"`

	ID        int64           `bun:"id,pk,autoincrement" json:"id"`
	Actor     string          `bun:"actor,notnull" json:"actor"`
	Action    string          `bun:"action,notnull" json:"action"`
	Entity    string          `bun:"entity,notnull" json:"entity"`
	EntityID  int64           `bun:"entity_id,notnull" json:"entity_id"`
	CompanyID *int64          `bun:"company_id" json:"company_id"`
	Before    json.RawMessage `bun:"before,type:json" json:"before"`
	After     json.RawMessage `bun:"after,type:json" json:"after"`
	RequestID string          `bun:"request_id,notnull" json:"request_id"`
	At        time.Time       `bun:"at,notnull" json:"at"`
}

// AuditFilter selects audit entries.
type AuditFilter struct {
	Actor    string
	Entity   string
	EntityID *int64
	Action   string
	Since    *time.Time
	Scope    []int64
}
