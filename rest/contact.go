package rest

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/hivematrix/codex/codex"
)

// Contact is a contact as the documented REST API shows it. It differs from codex.Contact:
// name is the display name (a body may give name alone, split into first and last names),
// phone is the work phone, and is_primary says whether the contact is the primary contact
// of the company it is listed for (its home company, or the company of a nested list).
type Contact struct {
	ID          int64    `json:"id"`
	CompanyID   int64    `json:"company_id"`
	Name        string   `json:"name"`
	FirstName   string   `json:"first_name"`
	LastName    string   `json:"last_name"`
	Email       string   `json:"email"`
	Phone       string   `json:"phone"`
	PhoneMobile string   `json:"phone_mobile"`
	Title       string   `json:"title"`
	Roles       []string `json:"roles"`
	// SecondaryEmails are the contact's further e-mail addresses ([] when none).
	SecondaryEmails []string `json:"secondary_emails"`
	// EmploymentType is the contact's employment type ("" when unknown).
	EmploymentType string            `json:"employment_type"`
	IsPrimary      bool              `json:"is_primary"`
	Designation    codex.Designation `json:"designation"`
	Active         bool              `json:"active"`
	Notes          string            `json:"notes"`
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
	ArchivedAt     *time.Time        `json:"archived_at"`
	// CompanyComplianceLevel is the level of the company the contact is listed for; read only.
	CompanyComplianceLevel codex.ComplianceLevel `json:"company_compliance_level"`
}

// contactView shows a codex contact in the documented shape.
func contactView(c *codex.Contact) Contact {
	return Contact{
		ID: c.ID, CompanyID: c.CompanyID, Name: c.Name(), FirstName: c.FirstName, LastName: c.LastName,
		Email: c.Email, Phone: c.PhoneWork, PhoneMobile: c.PhoneMobile, Title: c.Title, Roles: c.Roles,
		SecondaryEmails: c.SecondaryEmails, EmploymentType: c.EmploymentType,
		IsPrimary: c.Designation == codex.DesignationPrimary, Designation: c.Designation, Active: c.Active,
		Notes: c.Notes, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, ArchivedAt: c.ArchivedAt,
		CompanyComplianceLevel: c.CompanyComplianceLevel,
	}
}

// decodeContact applies a body in the documented shape to a copy of base: only the
// members present change the corresponding codex fields.
func decodeContact(base *codex.Contact, body map[string]json.RawMessage) (*codex.Contact, error) {
	v := contactView(base)
	if err := applyJSON(body, &v); err != nil {
		return nil, err
	}
	has := keys(body)
	c := *base
	if has["company_id"] {
		c.CompanyID = v.CompanyID
	}
	if has["first_name"] {
		c.FirstName = strings.TrimSpace(v.FirstName)
	}
	if has["last_name"] {
		c.LastName = strings.TrimSpace(v.LastName)
	}
	switch {
	case has["name"]:
		c.DisplayName = strings.TrimSpace(v.Name)
		if !has["first_name"] && !has["last_name"] {
			c.FirstName, c.LastName = codex.SplitName(v.Name)
		}
	case has["first_name"] || has["last_name"]:
		c.DisplayName = strings.TrimSpace(c.FirstName + " " + c.LastName)
	}
	if has["email"] {
		c.Email = v.Email
	}
	if has["phone"] {
		c.PhoneWork = strings.TrimSpace(v.Phone)
	}
	if has["phone_mobile"] {
		c.PhoneMobile = strings.TrimSpace(v.PhoneMobile)
	}
	if has["title"] {
		c.Title = v.Title
	}
	if has["roles"] {
		c.Roles = v.Roles
	}
	if has["active"] {
		c.Active = v.Active
	}
	if has["notes"] {
		c.Notes = v.Notes
	}
	if has["secondary_emails"] {
		c.SecondaryEmails = v.SecondaryEmails
		if c.SecondaryEmails == nil {
			c.SecondaryEmails = []string{}
		}
	}
	if has["employment_type"] {
		c.EmploymentType = strings.TrimSpace(v.EmploymentType)
	}
	var val codex.Validation
	switch {
	case has["designation"]:
		c.Designation = v.Designation
		if has["is_primary"] && v.IsPrimary != (v.Designation == codex.DesignationPrimary) {
			val.Add("is_primary", "contradicts designation %q", v.Designation)
		}
	case has["is_primary"] && v.IsPrimary:
		c.Designation = codex.DesignationPrimary
	case has["is_primary"] && c.Designation == codex.DesignationPrimary:
		c.Designation = codex.DesignationNone
	}
	if err := val.Err(); err != nil {
		return nil, err
	}
	return &c, check(&c)
}

// ContactFilter parameters.
var contactParams = []filterParam[codex.ContactFilter]{
	textParam("search", "Name, e-mail, phone or title contains this text.",
		func(f *codex.ContactFilter) *string { return &f.Search }),
	idParam("company_id", "Contacts serving this company (home or assigned).",
		func(f *codex.ContactFilter) **int64 { return &f.CompanyID }),
	idParam("subtree_of", "Contacts serving any company in this company's subtree.",
		func(f *codex.ContactFilter) **int64 { return &f.SubtreeOf }),
	enumParam("designation", "Designations.", []codex.Designation{codex.DesignationPrimary, codex.DesignationSecondary, codex.DesignationNone},
		func(f *codex.ContactFilter) *[]codex.Designation { return &f.Designation }),
	textParam("role", "Contacts with this role.", func(f *codex.ContactFilter) *string { return &f.Role }),
	textParam("email", "Exactly this e-mail address.", func(f *codex.ContactFilter) *string { return &f.Email }),
	triParam("active", "Only active (true) or inactive (false) contacts.",
		func(f *codex.ContactFilter) **bool { return &f.Active }),
	flagParam("include_archived", "Include archived contacts.",
		func(f *codex.ContactFilter) *bool { return &f.IncludeArchived }),
	orderParam(codex.ContactOrders, func(f *codex.ContactFilter) *codex.Order { return &f.Order }),
}

func (a *API) contactRoutes() []route {
	cs := a.svc.Contacts
	l := list[codex.ContactFilter, codex.Contact, Contact]{
		name: "contacts", params: contactParams, page: cs.Contacts, each: cs.EachContact, view: contactView,
	}
	nested := l
	nested.params = without(contactParams, "company_id")
	nested.scope = func(r *http.Request, f *codex.ContactFilter) error {
		id, err := a.companyInPath(r)
		f.CompanyID = &id
		return err
	}
	e := entity[codex.Contact, codex.ContactPatch, Contact]{
		noun: "contact", get: cs.Contact, create: cs.CreateContact, update: cs.UpdateContact,
		archive: cs.ArchiveContact, restore: cs.RestoreContact,
		// A contact created without saying otherwise is active.
		blank:  func() *codex.Contact { return &codex.Contact{Active: true, Designation: codex.DesignationNone} },
		decode: decodeContact,
		view:   contactView,
		id:     func(c *codex.Contact) int64 { return c.ID },
	}
	return append([]route{
		listRoute(a, l, "/contacts", "List contacts", "contacts"),
		listRoute(a, nested, "/companies/{id}/contacts", "List the contacts serving a company", "companies"),
	}, entityRoutes(a, e, "/contacts", "contacts")...)
}
