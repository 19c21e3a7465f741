package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/hivematrix/codex/codex"
)

// companyFormData is the add/edit company form's model.
type companyFormData struct {
	Form     *form
	Company  *codex.Company // nil when adding
	Parents  []string       // the parent picker's suggestions
	Contacts []*codex.Contact
	Kinds    []string
	Statuses []string
	Levels   []string
}

func (u *UI) companyFormData(ctx context.Context, f *form, c *codex.Company) *companyFormData {
	d := &companyFormData{Form: f, Company: c, Parents: u.pickerOptions(ctx),
		Kinds: []string{"client", "vendor", "internal"}, Statuses: []string{"active", "inactive"}, Levels: []string{"standard", "hipaa", "cjis"}}
	if c != nil {
		if cs, err := u.svc.Contacts.ContactsByCompanies(ctx, []int64{c.ID}, codex.ContactFilter{}, 500); err == nil {
			d.Contacts = cs[0]
		}
	}
	return d
}

// companyValues fills a form from a company (and its primary contact).
func companyValues(f *form, c *codex.Company, parent string, primary int64) {
	v := f.Values
	v.Set("name", c.Name)
	v.Set("account_number", deref(c.AccountNumber).(string))
	v.Set("parent", parent)
	v.Set("kind", string(c.Kind))
	v.Set("status", string(c.Status))
	v.Set("compliance_level", string(c.ComplianceLevel))
	v.Set("description", c.Description)
	v.Set("phone", c.Phone)
	v.Set("website", c.Website)
	v.Set("domains", strings.Join(c.Domains, ", "))
	v.Set("address_line1", c.Address.Line1)
	v.Set("address_line2", c.Address.Line2)
	v.Set("address_city", c.Address.City)
	v.Set("address_region", c.Address.Region)
	v.Set("address_postal_code", c.Address.PostalCode)
	v.Set("address_country", c.Address.Country)
	v.Set("billing_plan", c.BillingPlan)
	v.Set("contract_term", c.ContractTerm)
	v.Set("contract_start", fmtDate(c.ContractStart))
	v.Set("contract_end", fmtDate(c.ContractEnd))
	if c.BillingContactID != nil {
		v.Set("billing_contact", strconv.FormatInt(*c.BillingContactID, 10))
	}
	if primary > 0 {
		v.Set("primary_contact", strconv.FormatInt(primary, 10))
	}
	v.Set("settings", fmtKV(c.Settings))
	f.Version = version(c.UpdatedAt)
}

func (u *UI) companyNew(w http.ResponseWriter, r *http.Request) {
	f := newForm()
	f.Values.Set("kind", "client")
	f.Values.Set("status", "active")
	f.Values.Set("compliance_level", "standard")
	if p := r.URL.Query().Get("parent"); p != "" {
		if id, err := strconv.ParseInt(p, 10, 64); err == nil {
			if c, err := u.svc.Companies.Company(r.Context(), id); err == nil {
				f.Values.Set("parent", companyLabel(c))
			}
		}
	}
	u.render(w, r, http.StatusOK, "companyform", "Add company", "companies", u.companyFormData(r.Context(), f, nil))
}

// companyCreate adds a company from the form.
func (u *UI) companyCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f := postedForm(r)
	c := &codex.Company{
		Name: strings.TrimSpace(f.Get("name")), Kind: codex.CompanyKind(f.Get("kind")), Status: codex.CompanyStatus(f.Get("status")),
		Description: f.Get("description"), Phone: strings.TrimSpace(f.Get("phone")), Website: strings.TrimSpace(f.Get("website")),
		Domains: f.list("domains"), BillingPlan: strings.TrimSpace(f.Get("billing_plan")), ContractTerm: strings.TrimSpace(f.Get("contract_term")),
		Address:  address(f),
		Settings: f.kvs("settings"),
	}
	if codex.PrincipalFrom(ctx).SeesSecrets() {
		c.ComplianceLevel = codex.ComplianceLevel(f.Get("compliance_level"))
	}
	if a := strings.TrimSpace(f.Get("account_number")); a != "" {
		c.AccountNumber = &a
	}
	if d := f.date("contract_start"); !d.IsZero() {
		c.ContractStart = &d
	}
	if d := f.date("contract_end"); !d.IsZero() {
		c.ContractEnd = &d
	}
	if pid, err := u.companyRef(ctx, f.Get("parent")); err != nil {
		f.Errors["parent"] = codex.ErrorMessage(err)
	} else if pid > 0 {
		c.ParentID = &pid
	}
	if len(f.Errors) == 0 {
		if err := u.svc.Companies.CreateCompany(ctx, c); err != nil {
			f.fail(err)
		}
	}
	if len(f.Errors) > 0 || f.Message != "" {
		if f.Message == "" {
			f.Message = "Please correct the marked fields."
		}
		u.render(w, r, http.StatusUnprocessableEntity, "companyform", "Add company", "companies", u.companyFormData(ctx, f, nil))
		return
	}
	redirect(w, r, "companies/"+strconv.FormatInt(c.ID, 10)+"?flash=Company+added.")
}

func address(f *form) codex.Address {
	return codex.Address{Line1: f.Get("address_line1"), Line2: f.Get("address_line2"), City: f.Get("address_city"),
		Region: f.Get("address_region"), PostalCode: f.Get("address_postal_code"), Country: f.Get("address_country")}
}

// currentCompany loads the company of an edit form with its parent label and primary contact.
func (u *UI) currentCompany(ctx context.Context, id int64) (*codex.Company, string, int64, error) {
	c, err := u.svc.Companies.Company(ctx, id)
	if err != nil {
		return nil, "", 0, err
	}
	parent := ""
	if c.ParentID != nil {
		if p, err := u.svc.Companies.Company(ctx, *c.ParentID); err == nil {
			parent = companyLabel(p)
		} else {
			parent = "#" + strconv.FormatInt(*c.ParentID, 10)
		}
	}
	var primary int64
	if cs, err := u.svc.Contacts.ContactsByCompanies(ctx, []int64{id}, codex.ContactFilter{Designation: []codex.Designation{codex.DesignationPrimary}}, 1); err == nil && len(cs[0]) > 0 {
		primary = cs[0][0].ID
	}
	return c, parent, primary, nil
}

func (u *UI) companyEdit(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	c, parent, primary, err := u.currentCompany(r.Context(), id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	f := newForm()
	companyValues(f, c, parent, primary)
	u.render(w, r, http.StatusOK, "companyform", "Edit "+c.Name, "companies", u.companyFormData(r.Context(), f, c))
}

// companyUpdate saves an edit: only the fields that changed are sent, so a technician's
// form does not touch billing fields and a stale form is refused.
func (u *UI) companyUpdate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := idParam(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	c, parent, primary, err := u.currentCompany(ctx, id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	f := postedForm(r)
	if !f.checkVersion(c.UpdatedAt) {
		fresh := newForm()
		companyValues(fresh, c, parent, primary)
		fresh.Conflict, fresh.Message = true, f.Message
		u.render(w, r, http.StatusConflict, "companyform", "Edit "+c.Name, "companies", u.companyFormData(ctx, fresh, c))
		return
	}
	var p codex.CompanyPatch
	p.Name = f.str("name", c.Name)
	p.AccountNumber = f.str("account_number", deref(c.AccountNumber).(string))
	if k := f.str("kind", string(c.Kind)); k != nil {
		p.Kind = ptr(codex.CompanyKind(*k))
	}
	if s := f.str("status", string(c.Status)); s != nil {
		p.Status = ptr(codex.CompanyStatus(*s))
	}
	if codex.PrincipalFrom(ctx).SeesSecrets() {
		if l := f.str("compliance_level", string(c.ComplianceLevel)); l != nil {
			p.ComplianceLevel = ptr(codex.ComplianceLevel(*l))
		}
	}
	p.Description = f.str("description", c.Description)
	p.Phone = f.str("phone", c.Phone)
	p.Website = f.str("website", c.Website)
	if d := f.list("domains"); !sameList(d, c.Domains) {
		p.Domains = &d
	}
	if a := address(f); a != c.Address {
		p.Address = codex.WholeAddress(a)
	}
	p.BillingPlan = f.str("billing_plan", c.BillingPlan)
	p.ContractTerm = f.str("contract_term", c.ContractTerm)
	p.ContractStart = f.datePatch("contract_start", c.ContractStart)
	p.ContractEnd = f.datePatch("contract_end", c.ContractEnd)
	if s := f.str("billing_contact", deref2(c.BillingContactID)); s != nil {
		bid, _ := strconv.ParseInt(*s, 10, 64)
		p.BillingContactID = &bid
	}
	if s := f.kvs("settings"); !sameMap(s, c.Settings) {
		p.Settings = &s
	}
	var newParent *int64
	moveParent := false
	if strings.TrimSpace(f.Get("parent")) != parent {
		pid, err := u.companyRef(ctx, f.Get("parent"))
		if err != nil {
			f.Errors["parent"] = codex.ErrorMessage(err)
		} else {
			moveParent = true
			if pid > 0 {
				newParent = &pid
			}
		}
	}
	primaryID, _ := strconv.ParseInt(f.Get("primary_contact"), 10, 64)
	if len(f.Errors) == 0 {
		p.ExpectedVersion = f.Version
		err = u.applyCompanyEdit(ctx, id, p, moveParent, newParent, primary, primaryID)
		if err != nil {
			f.fail(err)
		}
	}
	if len(f.Errors) > 0 || f.Message != "" {
		if f.Message == "" {
			f.Message = "Please correct the marked fields."
		}
		u.render(w, r, statusOfForm(f), "companyform", "Edit "+c.Name, "companies", u.companyFormData(ctx, f, c))
		return
	}
	redirect(w, r, "companies/"+strconv.FormatInt(id, 10)+"?flash=Saved.")
}

func (u *UI) applyCompanyEdit(ctx context.Context, id int64, p codex.CompanyPatch, move bool, parent *int64, oldPrimary, newPrimary int64) error {
	if len(p.Fields()) > 0 {
		if _, err := u.svc.Companies.UpdateCompany(ctx, id, p); err != nil {
			return err
		}
	}
	if move {
		if _, err := u.svc.Companies.MoveCompany(ctx, id, parent); err != nil {
			return err
		}
	}
	if newPrimary != oldPrimary {
		if oldPrimary > 0 {
			if err := u.svc.Contacts.AssignContact(ctx, oldPrimary, id, codex.DesignationSecondary); err != nil {
				return err
			}
		}
		if newPrimary > 0 {
			if err := u.svc.Contacts.AssignContact(ctx, newPrimary, id, codex.DesignationPrimary); err != nil {
				return err
			}
		}
	}
	return nil
}

func deref2(id *int64) string {
	if id == nil {
		return ""
	}
	return strconv.FormatInt(*id, 10)
}

// statusOfForm is the status a re-rendered form answers with.
func statusOfForm(f *form) int {
	switch {
	case f.Conflict:
		return http.StatusConflict
	case len(f.Errors) > 0:
		return http.StatusUnprocessableEntity
	}
	return http.StatusBadRequest
}
