package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hivematrix/codex/codex"
)

type contactListData struct {
	Q          url.Values
	Page       *codex.Page[codex.Contact]
	Next, Prev string
	Export     string
	Roles      []string
}

// contactList serves /contacts: search, role filter, sort and keyset paging.
func (u *UI) contactList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := codex.ContactFilter{Search: q.Get("q"), Role: q.Get("role"), Order: codex.Order{Field: q.Get("sort"), Desc: q.Get("desc") == "1"}}
	exp := url.Values{}
	if id, err := strconv.ParseInt(q.Get("company"), 10, 64); err == nil {
		f.CompanyID = &id
		exp.Set("company_id", q.Get("company"))
	}
	if f.Search != "" {
		exp.Set("search", f.Search)
	}
	pg, err := u.svc.Contacts.Contacts(r.Context(), f, pageArgs(q, false))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d := contactListData{Q: q, Page: pg, Export: "contacts/export.csv?" + exp.Encode(), Roles: codex.ContactRoles}
	d.Next, d.Prev = pagerLinks("contacts", q, pg)
	u.render(w, r, http.StatusOK, "contacts", "Contacts", "contacts", d)
}

type contactPageData struct {
	Contact     *codex.Contact
	Assignments []contactAssignment
	Assets      []*codex.Asset
	Parents     []string
	Form        *form
}

type contactAssignment struct {
	Company     *codex.Company
	Designation codex.Designation
	Home        bool
}

func (u *UI) contactPage(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d, err := u.loadContactPage(r.Context(), id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.render(w, r, http.StatusOK, "contact", d.Contact.Name(), "contacts", d)
}

func (u *UI) loadContactPage(ctx context.Context, id int64) (*contactPageData, error) {
	c, err := u.svc.Contacts.Contact(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &contactPageData{Contact: c, Parents: u.pickerOptions(ctx), Form: newForm()}
	as, err := u.svc.Contacts.CompaniesOfContacts(ctx, []int64{id})
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(as[0]))
	for i, a := range as[0] {
		ids[i] = a.CompanyID
	}
	cos, _ := u.svc.Companies.CompaniesByIDs(ctx, ids)
	for i, a := range as[0] {
		if i < len(cos) && cos[i] != nil {
			d.Assignments = append(d.Assignments, contactAssignment{Company: cos[i], Designation: a.Designation, Home: a.CompanyID == c.CompanyID})
		}
	}
	if assets, err := u.svc.Assets.AssetsByContacts(ctx, []int64{id}); err == nil {
		d.Assets = assets[0]
	}
	return d, nil
}

// contactAssign assigns the contact to a further company with a designation.
func (u *UI) contactAssign(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := idParam(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	f := postedForm(r)
	cid, err := u.companyRef(ctx, f.Get("company"))
	if err == nil && cid == 0 {
		err = codex.Errorf(codex.Invalid, "choose a company")
	}
	if err == nil {
		err = u.svc.Contacts.AssignContact(ctx, id, cid, codex.Designation(f.Get("designation")))
	}
	if err != nil {
		d, lerr := u.loadContactPage(ctx, id)
		if lerr != nil {
			u.fail(w, r, lerr)
			return
		}
		f.fail(err)
		if codex.ErrorCode(err) == codex.NotFound {
			f.Errors["company"] = codex.ErrorMessage(err)
		}
		d.Form = f
		u.render(w, r, http.StatusUnprocessableEntity, "contact", d.Contact.Name(), "contacts", d)
		return
	}
	redirect(w, r, "contacts/"+strconv.FormatInt(id, 10)+"?flash=Assigned.")
}

type contactFormData struct {
	Form    *form
	Contact *codex.Contact
	Parents []string
	Roles   []string
}

func contactValues(f *form, c *codex.Contact, company string) {
	v := f.Values
	v.Set("company", company)
	v.Set("first_name", c.FirstName)
	v.Set("last_name", c.LastName)
	v.Set("display_name", c.DisplayName)
	v.Set("email", c.Email)
	v.Set("phone_work", c.PhoneWork)
	v.Set("phone_mobile", c.PhoneMobile)
	v.Set("title", c.Title)
	v["roles"] = c.Roles
	if c.Active {
		v.Set("active", "on")
	}
	v.Set("notes", c.Notes)
	f.Version = version(c.UpdatedAt)
}

func (u *UI) contactForm(ctx context.Context, f *form, c *codex.Contact) contactFormData {
	return contactFormData{Form: f, Contact: c, Parents: u.pickerOptions(ctx), Roles: codex.ContactRoles}
}

func (u *UI) contactNew(w http.ResponseWriter, r *http.Request) {
	f := newForm()
	f.Values.Set("active", "on")
	if id, err := strconv.ParseInt(r.URL.Query().Get("company"), 10, 64); err == nil {
		if c, err := u.svc.Companies.Company(r.Context(), id); err == nil {
			f.Values.Set("company", companyLabel(c))
		}
	}
	u.render(w, r, http.StatusOK, "contactform", "Add contact", "contacts", u.contactForm(r.Context(), f, nil))
}

func (u *UI) contactCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f := postedForm(r)
	c := &codex.Contact{FirstName: strings.TrimSpace(f.Get("first_name")), LastName: strings.TrimSpace(f.Get("last_name")),
		DisplayName: strings.TrimSpace(f.Get("display_name")), Email: strings.TrimSpace(f.Get("email")),
		PhoneWork: strings.TrimSpace(f.Get("phone_work")), PhoneMobile: strings.TrimSpace(f.Get("phone_mobile")),
		Title: strings.TrimSpace(f.Get("title")), Roles: f.Values["roles"], Active: f.Get("active") != "", Notes: f.Get("notes")}
	u.createUnder(ctx, f, func(id int64) { c.CompanyID = id }, func() error { return u.svc.Contacts.CreateContact(ctx, c) })
	if len(f.Errors) > 0 || f.Message != "" {
		u.render(w, r, statusOfForm(f), "contactform", "Add contact", "contacts", u.contactForm(ctx, f, nil))
		return
	}
	redirect(w, r, "contacts/"+strconv.FormatInt(c.ID, 10)+"?flash=Contact+added.")
}

// contactEditor edits a contact (its home company, names, channels, roles, notes).
func (u *UI) contactEditor() *editor[codex.Contact, codex.ContactPatch] {
	return &editor[codex.Contact, codex.ContactPatch]{
		u:         u,
		load:      withCompanyLabel(u, u.svc.Contacts.Contact, func(x *codex.Contact) int64 { return x.CompanyID }),
		values:    contactValues,
		updatedAt: func(c *codex.Contact) time.Time { return c.UpdatedAt },
		render: func(w http.ResponseWriter, r *http.Request, status int, f *form, c *codex.Contact) {
			u.render(w, r, status, "contactform", "Edit "+c.Name(), "contacts", u.contactForm(r.Context(), f, c))
		},
		patch: func(ctx context.Context, f *form, c *codex.Contact, label string) codex.ContactPatch {
			var p codex.ContactPatch
			p.CompanyID = u.movedTo(ctx, f, label, "choose the contact's home company")
			p.FirstName = f.str("first_name", c.FirstName)
			p.LastName = f.str("last_name", c.LastName)
			p.DisplayName = f.str("display_name", c.DisplayName)
			p.Email = f.str("email", c.Email)
			p.PhoneWork = f.str("phone_work", c.PhoneWork)
			p.PhoneMobile = f.str("phone_mobile", c.PhoneMobile)
			p.Title = f.str("title", c.Title)
			if roles := f.Values["roles"]; !sameList(roles, c.Roles) {
				p.Roles = &roles
			}
			if active := f.Get("active") != ""; active != c.Active {
				p.Active = &active
			}
			p.Notes = f.str("notes", c.Notes)
			return p
		},
		save: func(ctx context.Context, id int64, p codex.ContactPatch, version string) error {
			p.ExpectedVersion = version
			_, err := u.svc.Contacts.UpdateContact(ctx, id, p)
			return err
		},
		saved: func(c *codex.Contact) string { return "contacts/" + strconv.FormatInt(c.ID, 10) },
	}
}
