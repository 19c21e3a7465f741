package codex

import (
	"context"
	"time"
)

// The services below are Codex's one API. The store implements them on PostgreSQL and
// SQLite; the policy layer implements them again over the store, deciding who may read
// and change what; the transports (GraphQL, REST, CSV, the sync engine) only ever hold
// the policy layer's implementation.
//
// Conventions: a missing or out-of-scope row is a NotFound error, never nil, nil. Batch
// lookups ("...ByIDs", "...ByCompanies") return one result per key, in key order, for the
// per-request dataloaders; a per-parent limit of 0 means no limit. Writes record an audit
// entry in the same transaction, with the principal and request id found in ctx.

// CompanyService manages companies, their tree, locations and settings.
type CompanyService interface {
	Company(ctx context.Context, id int64) (*Company, error)
	CompaniesByIDs(ctx context.Context, ids []int64) ([]*Company, []error)
	CompanyByAccountNumber(ctx context.Context, accountNumber string) (*Company, error)
	Companies(ctx context.Context, f CompanyFilter, p PageArgs) (*Page[Company], error)
	// EachCompany streams every matching company in order (CSV export), without paging.
	EachCompany(ctx context.Context, f CompanyFilter, fn func(*Company) error) error
	// ChildrenByParents returns the (unarchived) children of each parent, ordered by name;
	// columns, when not nil, names the only columns the caller reads (as CompanyFilter's).
	ChildrenByParents(ctx context.Context, parentIDs []int64, limit int, columns []string) ([][]*Company, error)
	// Ancestors returns the parent, grandparent, ... up to the root, nearest first.
	Ancestors(ctx context.Context, id int64) ([]*Company, error)
	// Descendants returns the subtree below id (not id itself), breadth first, to maxDepth levels (0 = all).
	Descendants(ctx context.Context, id int64, maxDepth int) ([]*Company, error)
	// EffectiveSettings merges the settings of the root, ..., the parent and the company itself.
	EffectiveSettings(ctx context.Context, id int64) (map[string]string, error)
	CreateCompany(ctx context.Context, c *Company) error
	UpdateCompany(ctx context.Context, id int64, patch CompanyPatch) (*Company, error)
	// MoveCompany re-parents a company (nil = make it a root); a cycle is an Invalid error.
	MoveCompany(ctx context.Context, id int64, parentID *int64) (*Company, error)
	ArchiveCompany(ctx context.Context, id int64) (*Company, error)
	RestoreCompany(ctx context.Context, id int64) (*Company, error)
	// AssetCountsByType returns, per company, how many unarchived assets of each type it has.
	AssetCountsByType(ctx context.Context, companyIDs []int64) ([][]TypeCount, error)
	// OpenTicketCounts returns, per company, the number of open or pending tickets.
	OpenTicketCounts(ctx context.Context, companyIDs []int64) ([]int, error)

	LocationsByCompanies(ctx context.Context, companyIDs []int64) ([][]*Location, error)
	Location(ctx context.Context, id int64) (*Location, error)
	CreateLocation(ctx context.Context, l *Location) error
	UpdateLocation(ctx context.Context, id int64, patch LocationPatch) (*Location, error)
	ArchiveLocation(ctx context.Context, id int64) (*Location, error)
}

// ContactService manages contacts and their company assignments.
type ContactService interface {
	Contact(ctx context.Context, id int64) (*Contact, error)
	ContactsByIDs(ctx context.Context, ids []int64) ([]*Contact, []error)
	Contacts(ctx context.Context, f ContactFilter, p PageArgs) (*Page[Contact], error)
	EachContact(ctx context.Context, f ContactFilter, fn func(*Contact) error) error
	// ContactsByCompanies returns the contacts serving each company (home or assigned),
	// with Designation set for that company, up to limit per company.
	ContactsByCompanies(ctx context.Context, companyIDs []int64, f ContactFilter, limit int) ([][]*Contact, error)
	// CountContactsByCompanies counts what ContactsByCompanies would return without a limit.
	CountContactsByCompanies(ctx context.Context, companyIDs []int64, f ContactFilter) ([]int, error)
	// CompaniesOfContacts returns each contact's assignments (home company included).
	CompaniesOfContacts(ctx context.Context, contactIDs []int64) ([][]ContactCompany, error)
	CreateContact(ctx context.Context, c *Contact) error
	UpdateContact(ctx context.Context, id int64, patch ContactPatch) (*Contact, error)
	ArchiveContact(ctx context.Context, id int64) (*Contact, error)
	RestoreContact(ctx context.Context, id int64) (*Contact, error)
	// AssignContact adds or changes the contact's designation at a company.
	AssignContact(ctx context.Context, contactID, companyID int64, d Designation) error
	// UnassignContact removes an assignment; the home company cannot be removed.
	UnassignContact(ctx context.Context, contactID, companyID int64) error
}

// AssetService manages assets and who uses them.
type AssetService interface {
	Asset(ctx context.Context, id int64) (*Asset, error)
	AssetsByIDs(ctx context.Context, ids []int64) ([]*Asset, []error)
	Assets(ctx context.Context, f AssetFilter, p PageArgs) (*Page[Asset], error)
	EachAsset(ctx context.Context, f AssetFilter, fn func(*Asset) error) error
	AssetsByCompanies(ctx context.Context, companyIDs []int64, f AssetFilter, limit int) ([][]*Asset, error)
	CountAssetsByCompanies(ctx context.Context, companyIDs []int64, f AssetFilter) ([]int, error)
	AssetsByContacts(ctx context.Context, contactIDs []int64) ([][]*Asset, error)
	ContactsByAssets(ctx context.Context, assetIDs []int64) ([][]*Contact, error)
	CreateAsset(ctx context.Context, a *Asset) error
	UpdateAsset(ctx context.Context, id int64, patch AssetPatch) (*Asset, error)
	ArchiveAsset(ctx context.Context, id int64) (*Asset, error)
	RestoreAsset(ctx context.Context, id int64) (*Asset, error)
	// AssignAsset replaces the set of contacts an asset is assigned to.
	AssignAsset(ctx context.Context, assetID int64, contactIDs []int64) error
}

// NetworkService manages network equipment, the topology and subnets.
type NetworkService interface {
	Equipment(ctx context.Context, id int64) (*NetworkEquipment, error)
	EquipmentByIDs(ctx context.Context, ids []int64) ([]*NetworkEquipment, []error)
	EquipmentList(ctx context.Context, f EquipmentFilter, p PageArgs) (*Page[NetworkEquipment], error)
	EachEquipment(ctx context.Context, f EquipmentFilter, fn func(*NetworkEquipment) error) error
	EquipmentByCompanies(ctx context.Context, companyIDs []int64, f EquipmentFilter, limit int) ([][]*NetworkEquipment, error)
	CountEquipmentByCompanies(ctx context.Context, companyIDs []int64, f EquipmentFilter) ([]int, error)
	CreateEquipment(ctx context.Context, e *NetworkEquipment) error
	UpdateEquipment(ctx context.Context, id int64, patch EquipmentPatch) (*NetworkEquipment, error)
	ArchiveEquipment(ctx context.Context, id int64) (*NetworkEquipment, error)
	RestoreEquipment(ctx context.Context, id int64) (*NetworkEquipment, error)

	// LinksByDevices returns each device's links seen from that device, ordered by port then id.
	LinksByDevices(ctx context.Context, deviceIDs []int64) ([][]LinkEnd, error)
	// LinksByCompanies returns the links between devices of each company.
	LinksByCompanies(ctx context.Context, companyIDs []int64) ([][]*NetworkLink, error)
	// ConnectDevices creates a link; both devices must belong to the same company.
	ConnectDevices(ctx context.Context, l *NetworkLink) error
	DisconnectDevices(ctx context.Context, linkID int64) error

	Subnet(ctx context.Context, id int64) (*Subnet, error)
	SubnetsByCompanies(ctx context.Context, companyIDs []int64) ([][]*Subnet, error)
	CreateSubnet(ctx context.Context, s *Subnet) error
	UpdateSubnet(ctx context.Context, id int64, patch SubnetPatch) (*Subnet, error)
	ArchiveSubnet(ctx context.Context, id int64) (*Subnet, error)
	// SubnetsOfDevices returns, per device, the narrowest subnet of its company containing its IP, or nil.
	SubnetsOfDevices(ctx context.Context, deviceIDs []int64) ([]*Subnet, error)
	// Inside lists the equipment and assets whose addresses fall inside cidr (within one company when companyID > 0).
	Inside(ctx context.Context, companyID int64, cidr string, scope []int64) ([]IPUser, error)
	// DuplicateIPs finds addresses used more than once within a company (companyID 0 = every company).
	DuplicateIPs(ctx context.Context, companyID int64, scope []int64) ([]DuplicateIP, error)
}

// TicketService reads tickets and alerts and lets the sync engine write them.
type TicketService interface {
	Ticket(ctx context.Context, id int64) (*Ticket, error)
	TicketsByIDs(ctx context.Context, ids []int64) ([]*Ticket, []error)
	Tickets(ctx context.Context, f TicketFilter, p PageArgs) (*Page[Ticket], error)
	EachTicket(ctx context.Context, f TicketFilter, fn func(*Ticket) error) error
	TicketsByCompanies(ctx context.Context, companyIDs []int64, f TicketFilter, limit int) ([][]*Ticket, error)
	CountTicketsByCompanies(ctx context.Context, companyIDs []int64, f TicketFilter) ([]int, error)
	// SaveTicket inserts or updates a ticket by (source, external id).
	SaveTicket(ctx context.Context, t *Ticket) (created bool, err error)

	Alert(ctx context.Context, id int64) (*Alert, error)
	Alerts(ctx context.Context, f AlertFilter, p PageArgs) (*Page[Alert], error)
	AlertsByCompanies(ctx context.Context, companyIDs []int64, f AlertFilter, limit int) ([][]*Alert, error)
	AlertsByAssets(ctx context.Context, assetIDs []int64, f AlertFilter, limit int) ([][]*Alert, error)
	// SaveAlert inserts or updates an alert by (source, external id).
	SaveAlert(ctx context.Context, a *Alert) (created bool, err error)
}

// AgentService manages staff users and their preferences.
type AgentService interface {
	Agent(ctx context.Context, id int64) (*Agent, error)
	AgentByEmail(ctx context.Context, email string) (*Agent, error)
	// EnsureAgent creates or refreshes the agent record of an authenticated person.
	EnsureAgent(ctx context.Context, p *Principal) (*Agent, error)
	UpdatePreferences(ctx context.Context, email string, patch PreferencesPatch) (*Agent, error)
	Agents(ctx context.Context, p PageArgs) (*Page[Agent], error)
}

// AuditService reads the audit log.
type AuditService interface {
	AuditLog(ctx context.Context, f AuditFilter, p PageArgs) (*Page[AuditEntry], error)
}

// SyncStore is what the sync engine needs beyond the entity services.
type SyncStore interface {
	ExternalRef(ctx context.Context, source, entity, externalID string) (*ExternalRef, error)
	ExternalRefsByEntity(ctx context.Context, entity string, entityIDs []int64) ([][]*ExternalRef, error)
	SaveExternalRef(ctx context.Context, r *ExternalRef) error
	StartSyncRun(ctx context.Context, source, triggeredBy string) (*SyncRun, error)
	FinishSyncRun(ctx context.Context, run *SyncRun) error
	SyncRun(ctx context.Context, id int64) (*SyncRun, error)
	SyncRuns(ctx context.Context, source string, p PageArgs) (*Page[SyncRun], error)
	LastSyncRun(ctx context.Context, source string, status string) (*SyncRun, error)
	// SaveSyncRunProblems records the per-record problems of a run (see SyncRun.Problems).
	SaveSyncRunProblems(ctx context.Context, runID int64, problems []string) error

	// ExternalRefsByExternalIDs returns the references of outside records of one source
	// and entity, one per key in key order, nil for a record Codex does not know.
	ExternalRefsByExternalIDs(ctx context.Context, source, entity string, externalIDs []string) ([]*ExternalRef, error)
	// EachExternalRef calls fn with every reference of one source and entity, in id order.
	EachExternalRef(ctx context.Context, source, entity string, fn func(*ExternalRef) error) error
	// SaveExternalRefs inserts or updates references by (source, entity, external id),
	// every column included, in one transaction; it sets their ids.
	SaveExternalRefs(ctx context.Context, refs []*ExternalRef) error

	// The Import methods create rows mirrored from an outside system together with their
	// references (refs[i] links rows[i]; the store sets its EntityID), in one transaction,
	// audited like single creates: all of them or none.
	ImportCompanies(ctx context.Context, rows []*Company, refs []*ExternalRef) error
	ImportContacts(ctx context.Context, rows []*Contact, refs []*ExternalRef) error
	ImportAssets(ctx context.Context, rows []*Asset, refs []*ExternalRef) error
	ImportEquipment(ctx context.Context, rows []*NetworkEquipment, refs []*ExternalRef) error

	// SaveSyncConflicts records conflicts; an open conflict of the same row and field is
	// updated in place rather than repeated. It sets their ids.
	SaveSyncConflicts(ctx context.Context, conflicts []*SyncConflict) error
	SyncConflicts(ctx context.Context, f SyncConflictFilter, p PageArgs) (*Page[SyncConflict], error)
	// SyncConflict returns one conflict, open or resolved.
	SyncConflict(ctx context.Context, id int64) (*SyncConflict, error)
	// ResolveSyncConflict marks a conflict resolved (resolving it twice changes nothing).
	ResolveSyncConflict(ctx context.Context, id int64) (*SyncConflict, error)
}

// Services bundles every service, as the transports receive them.
type Services struct {
	Companies CompanyService
	Contacts  ContactService
	Assets    AssetService
	Network   NetworkService
	Tickets   TicketService
	Agents    AgentService
	Audit     AuditService
	Sync      SyncStore
	// Triage is the triage list and account number mark (triage.go).
	Triage  TriageStore
	PSA     PSAService
	Billing BillingService
	// Dashboard is the dashboard's counts and expiry list (dashboard.go).
	Dashboard DashboardService
}

// Clock returns the current time; the store uses it so tests can fix time.
type Clock func() time.Time
