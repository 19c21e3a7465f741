package codex

import (
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// CompanyKind says what a company is to the MSP.
type CompanyKind string

// The company kinds.
const (
	KindClient   CompanyKind = "client"
	KindVendor   CompanyKind = "vendor"
	KindInternal CompanyKind = "internal"
)

// Valid reports whether k is a known kind.
func (k CompanyKind) Valid() bool { return k == KindClient || k == KindVendor || k == KindInternal }

// CompanyStatus says whether the MSP currently serves a company.
type CompanyStatus string

// The company statuses.
const (
	StatusActive   CompanyStatus = "active"
	StatusInactive CompanyStatus = "inactive"
)

// Valid reports whether s is a known status.
func (s CompanyStatus) Valid() bool { return s == StatusActive || s == StatusInactive }

// Address is a postal address, embedded in companies and locations.
type Address struct {
	Line1      string `bun:"line1" json:"line1"`
	Line2      string `bun:"line2" json:"line2"`
	City       string `bun:"city" json:"city"`
	Region     string `bun:"region" json:"region"`
	PostalCode string `bun:"postal_code" json:"postal_code"`
	Country    string `bun:"country" json:"country"`
}

// Company is a client, vendor or the MSP itself, in a parent/child tree of any depth.
type Company struct {
	bun.BaseModel `bun:"table:companies,alias:company" json:"-"`

	ID               int64             `bun:"id,pk,autoincrement" json:"id"`
	Name             string            `bun:"name,notnull" json:"name"`
	AccountNumber    *string           `bun:"account_number" json:"account_number"`
	ParentID         *int64            `bun:"parent_id" json:"parent_id"`
	Kind             CompanyKind       `bun:"kind,notnull" json:"kind"`
	Status           CompanyStatus     `bun:"status,notnull" json:"status"`
	ComplianceLevel  ComplianceLevel   `bun:"compliance_level,notnull" json:"compliance_level"`
	Description      string            `bun:"description,notnull" json:"description"`
	Phone            string            `bun:"phone,notnull" json:"phone"`
	Website          string            `bun:"website,notnull" json:"website"`
	Domains          []string          `bun:"domains,type:json" json:"domains"`
	Address          Address           `bun:"embed:address_" json:"address"`
	BillingPlan      string            `bun:"billing_plan,notnull" json:"billing_plan"`
	ContractTerm     string            `bun:"contract_term,notnull" json:"contract_term"`
	ContractStart    *Date             `bun:"contract_start" json:"contract_start"`
	ContractEnd      *Date             `bun:"contract_end" json:"contract_end"`
	BillingContactID *int64            `bun:"billing_contact_id" json:"billing_contact_id"`
	Settings         map[string]string `bun:"settings,type:json" json:"settings"`
	// The platform's profile fields (HiveMatrix services read them).
	SupportLevel      string     `bun:"support_level,notnull" json:"support_level"`
	ProfitOrNonProfit string     `bun:"profit_or_non_profit,notnull" json:"profit_or_non_profit"`
	CompanyMainNumber string     `bun:"company_main_number,notnull" json:"company_main_number"`
	CompanyStartDate  *Date      `bun:"company_start_date" json:"company_start_date"`
	PhoneSystem       string     `bun:"phone_system,notnull" json:"phone_system"`
	EmailSystem       string     `bun:"email_system,notnull" json:"email_system"`
	CreatedAt         time.Time  `bun:"created_at,notnull" json:"created_at"`
	UpdatedAt         time.Time  `bun:"updated_at,notnull" json:"updated_at"`
	ArchivedAt        *time.Time `bun:"archived_at" json:"archived_at"`
}

// FieldAlias is a second JSON name for a field: the name the HiveMatrix platform's
// services read for a value Codex documents under its own name.
type FieldAlias struct {
	Alias, Field string
}

// CompanyAliases are the platform's names for company fields (Ledger reads the contract).
var CompanyAliases = []FieldAlias{
	{"contract_term_length", "contract_term"},
	{"contract_start_date", "contract_start"},
	{"contract_end_date", "contract_end"},
}

// JSONAliases returns CompanyAliases (REST's CSV export adds the same columns).
func (Company) JSONAliases() []FieldAlias { return CompanyAliases }

// MarshalJSON writes a company with its own fields and, besides, the contract fields
// under the platform's names (CompanyAliases): Codex's documented shape stays, and the
// platform's reads work.
func (c Company) MarshalJSON() ([]byte, error) {
	type plain Company // without this method
	return json.Marshal(struct {
		plain
		ContractTermLength string `json:"contract_term_length"`
		ContractStartDate  *Date  `json:"contract_start_date"`
		ContractEndDate    *Date  `json:"contract_end_date"`
	}{plain(c), c.ContractTerm, c.ContractStart, c.ContractEnd})
}

// BillingFields are the company fields a billing user may change.
var BillingFields = []string{"billing_plan", "contract_term", "contract_start", "contract_end", "billing_contact_id", "support_level"}

// Defaults fills unset enumerations with their defaults before validation.
func (c *Company) Defaults() {
	if c.Kind == "" {
		c.Kind = KindClient
	}
	if c.Status == "" {
		c.Status = StatusActive
	}
	if c.ComplianceLevel == "" {
		c.ComplianceLevel = ComplianceStandard
	}
}

// Validate checks a company's own fields (references are checked by the store).
func (c *Company) Validate() error {
	var v Validation
	v.Check(strings.TrimSpace(c.Name) != "", "name", "is required")
	v.Check(len(c.Name) <= 200, "name", "must be at most 200 characters")
	if c.AccountNumber != nil {
		a := strings.TrimSpace(*c.AccountNumber)
		v.Check(a != "", "account_number", "must not be blank (omit it instead)")
		v.Check(len(a) <= 64, "account_number", "must be at most 64 characters")
	}
	v.Check(c.Kind.Valid(), "kind", "must be one of client, vendor, internal")
	v.Check(c.Status.Valid(), "status", "must be one of active, inactive")
	v.Check(c.ComplianceLevel.Valid(), "compliance_level", "must be one of standard, hipaa, cjis")
	if c.Website != "" {
		u, err := url.Parse(c.Website)
		v.Check(err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "", "website", "must be an http(s) URL")
	}
	for _, d := range c.Domains {
		v.Check(validDomain(d), "domains", "%q is not a domain name", d)
	}
	if c.ContractStart != nil && c.ContractEnd != nil {
		v.Check(!c.ContractEnd.Before(*c.ContractStart), "contract_end", "must not be before contract_start")
	}
	if c.ParentID != nil && *c.ParentID == c.ID && c.ID != 0 {
		v.Add("parent_id", "a company cannot be its own parent")
	}
	for k := range c.Settings {
		v.Check(k != "" && len(k) <= 100, "settings", "keys must be 1..100 characters")
	}
	checkLimits(&v, c)
	return v.Err()
}

func validDomain(d string) bool {
	if d == "" || len(d) > 253 || !strings.Contains(d, ".") {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// Location is one site of a multi-site company.
type Location struct {
	bun.BaseModel `bun:"table:locations,alias:location" json:"-"`

	ID         int64      `bun:"id,pk,autoincrement" json:"id"`
	CompanyID  int64      `bun:"company_id,notnull" json:"company_id"`
	Name       string     `bun:"name,notnull" json:"name"`
	Address    Address    `bun:"embed:address_" json:"address"`
	Phone      string     `bun:"phone,notnull" json:"phone"`
	Notes      string     `bun:"notes,notnull" json:"notes"`
	CreatedAt  time.Time  `bun:"created_at,notnull" json:"created_at"`
	UpdatedAt  time.Time  `bun:"updated_at,notnull" json:"updated_at"`
	ArchivedAt *time.Time `bun:"archived_at" json:"archived_at"`
}

// Validate checks a location's fields.
func (l *Location) Validate() error {
	var v Validation
	v.Check(l.CompanyID > 0, "company_id", "is required")
	v.Check(strings.TrimSpace(l.Name) != "", "name", "is required")
	checkLimits(&v, l)
	return v.Err()
}

// CompanyFilter selects companies. Zero fields do not filter.
type CompanyFilter struct {
	Search          string            // name, account number, description, domains
	ParentID        *int64            // direct children of this company
	RootsOnly       bool              // companies without a parent
	SubtreeOf       *int64            // this company and all its descendants
	Kind            []CompanyKind     //
	Status          []CompanyStatus   //
	ComplianceLevel []ComplianceLevel //
	AccountNumber   string            //
	IncludeArchived bool              // archived rows are hidden unless asked for
	OnlyArchived    bool              //
	// Scope, set by the policy layer, limits results to these company ids (nil = all).
	Scope []int64
	Order Order
	// Columns, when not nil, names the only columns the caller will read from the list
	// (a projection, not a filter: GraphQL sets it from the fields a query selects). The
	// rows hold those, the keys and the sort key; every other field is left zero.
	Columns []string

	// SearchSkipsDescription keeps the description out of Search: the policy layer sets
	// it for callers who get descriptions redacted, which must not be able to probe them.
	SearchSkipsDescription bool
}

// Orders a company list accepts ("name" is the default).
var CompanyOrders = []string{"name", "id", "created_at", "updated_at", "account_number"}
