package codex

import (
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Designation is a contact's standing at one company it serves.
type Designation string

// The designations.
const (
	DesignationPrimary   Designation = "primary"
	DesignationSecondary Designation = "secondary"
	DesignationNone      Designation = "none"
)

// Valid reports whether d is a known designation.
func (d Designation) Valid() bool {
	return d == DesignationPrimary || d == DesignationSecondary || d == DesignationNone
}

// ContactRoles are the roles a contact may have (a set).
var ContactRoles = []string{"primary", "billing", "technical", "executive", "decision_maker", "security", "user", "other"}

// Contact is a person at a client: a home company and, optionally, further companies served.
type Contact struct {
	bun.BaseModel `bun:"table:contacts,alias:contact" json:"-"`

	ID          int64    `bun:"id,pk,autoincrement" json:"id"`
	CompanyID   int64    `bun:"company_id,notnull" json:"company_id"`
	FirstName   string   `bun:"first_name,notnull" json:"first_name"`
	LastName    string   `bun:"last_name,notnull" json:"last_name"`
	DisplayName string   `bun:"display_name,notnull" json:"display_name"`
	Email       string   `bun:"email,notnull" json:"email"`
	PhoneWork   string   `bun:"phone_work,notnull" json:"phone_work"`
	PhoneMobile string   `bun:"phone_mobile,notnull" json:"phone_mobile"`
	Title       string   `bun:"title,notnull" json:"title"`
	Roles       []string `bun:"roles,type:json" json:"roles"`
	Active      bool     `bun:"active,notnull" json:"active"`
	Notes       string   `bun:"notes,notnull" json:"notes"`
	// SecondaryEmails are further e-mail addresses of the contact (never null).
	SecondaryEmails []string `bun:"secondary_emails,type:json" json:"secondary_emails"`
	// EmploymentType is the contact's employment type as the PSA records it (free text,
	// e.g. "Full Time"; "" when unknown).
	EmploymentType string     `bun:"employment_type,notnull" json:"employment_type"`
	CreatedAt      time.Time  `bun:"created_at,notnull" json:"created_at"`
	UpdatedAt      time.Time  `bun:"updated_at,notnull" json:"updated_at"`
	ArchivedAt     *time.Time `bun:"archived_at" json:"archived_at"`

	// Designation is the contact's standing at the company it was listed for (its home
	// company when listed on its own). It lives in contact_companies, not in contacts.
	Designation Designation `bun:"designation,scanonly" json:"designation"`
	// ForCompanyID is the company a per-company list loaded this row for.
	ForCompanyID int64 `bun:"for_company_id,scanonly" json:"-"`
	// CompanyComplianceLevel is the compliance level of the company the row is listed
	// for (its home company on its own), filled by the policy layer on every read.
	CompanyComplianceLevel ComplianceLevel `bun:"-" json:"company_compliance_level"`
}

// Name returns the display name, or first and last name joined.
func (c *Contact) Name() string {
	if c.DisplayName != "" {
		return c.DisplayName
	}
	return strings.TrimSpace(c.FirstName + " " + c.LastName)
}

// Defaults derives unset fields: the display name from first/last names.
func (c *Contact) Defaults() {
	c.Email = strings.TrimSpace(c.Email)
	for i, e := range c.SecondaryEmails {
		c.SecondaryEmails[i] = strings.TrimSpace(e)
	}
	c.EmploymentType = strings.TrimSpace(c.EmploymentType)
	if c.DisplayName == "" {
		c.DisplayName = strings.TrimSpace(c.FirstName + " " + c.LastName)
	}
	if c.Designation == "" {
		c.Designation = DesignationNone
	}
}

// SplitName splits a full name into first and last names at the last space.
func SplitName(full string) (first, last string) {
	full = strings.TrimSpace(full)
	if i := strings.LastIndexByte(full, ' '); i > 0 {
		return strings.TrimSpace(full[:i]), full[i+1:]
	}
	return full, ""
}

// Validate checks a contact's fields.
func (c *Contact) Validate() error {
	var v Validation
	v.Check(c.CompanyID > 0, "company_id", "is required")
	v.Check(strings.TrimSpace(c.DisplayName) != "" || strings.TrimSpace(c.FirstName+c.LastName) != "", "name", "is required")
	if c.Email != "" {
		a, err := mail.ParseAddress(c.Email)
		v.Check(err == nil && a.Address == c.Email, "email", "%q is not an e-mail address", c.Email)
	}
	for _, e := range c.SecondaryEmails {
		a, err := mail.ParseAddress(e)
		v.Check(err == nil && a.Address == e, "secondary_emails", "%q is not an e-mail address", e)
	}
	for _, r := range c.Roles {
		v.Check(slices.Contains(ContactRoles, r), "roles", "%q is not a role (one of %v)", r, ContactRoles)
	}
	v.Check(c.Designation == "" || c.Designation.Valid(), "designation", "must be one of primary, secondary, none")
	v.Check(validPhone(c.PhoneWork), "phone", "%q is not a phone number", c.PhoneWork)
	v.Check(validPhone(c.PhoneMobile), "phone_mobile", "%q is not a phone number", c.PhoneMobile)
	checkLimits(&v, c)
	return v.Err()
}

func validPhone(p string) bool {
	if p == "" {
		return true
	}
	digits := 0
	for _, r := range p {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" +-().x/", r):
		default:
			return false
		}
	}
	return digits >= 3 && digits <= 20
}

// ContactCompany assigns a contact to a company it serves, with a designation there.
type ContactCompany struct {
	bun.BaseModel `bun:"table:contact_companies,alias:cc" json:"-"`

	ContactID   int64       `bun:"contact_id,pk" json:"contact_id"`
	CompanyID   int64       `bun:"company_id,pk" json:"company_id"`
	Designation Designation `bun:"designation,notnull" json:"designation"`
	CreatedAt   time.Time   `bun:"created_at,notnull" json:"created_at"`
}

// ContactFilter selects contacts. Zero fields do not filter.
type ContactFilter struct {
	Search          string // name, e-mail, phone, title
	CompanyID       *int64 // contacts serving this company (home or assigned)
	SubtreeOf       *int64 // contacts serving any company in this subtree
	Designation     []Designation
	Role            string
	Email           string
	Active          *bool
	IncludeArchived bool
	Scope           []int64
	// Columns, when not nil, names the only columns the caller will read, for the batch
	// lookups by company (a projection, not a filter: GraphQL sets it from the fields a
	// query selects). The rows hold those and the keys; every other field is left zero.
	Columns []string
	Order   Order
}

// ContactOrders are the orders a contact list accepts ("name" is the default).
var ContactOrders = []string{"name", "id", "email", "created_at", "updated_at"}
