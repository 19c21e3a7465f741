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

// A company's locations are listed on its page; these handlers add, edit and archive
// them (/companies/{id}/locations/new, /companies/{id}/locations/{location}/edit and
// /archive).

type locationFormData struct {
	Form     *form
	Company  *codex.Company
	Location *codex.Location
}

func locationValues(f *form, l *codex.Location) {
	v := f.Values
	v.Set("name", l.Name)
	v.Set("address_line1", l.Address.Line1)
	v.Set("address_line2", l.Address.Line2)
	v.Set("address_city", l.Address.City)
	v.Set("address_region", l.Address.Region)
	v.Set("address_postal_code", l.Address.PostalCode)
	v.Set("address_country", l.Address.Country)
	v.Set("phone", l.Phone)
	v.Set("notes", l.Notes)
	f.Version = version(l.UpdatedAt)
}

func (u *UI) renderLocationForm(w http.ResponseWriter, r *http.Request, status int, f *form, c *codex.Company, l *codex.Location) {
	title := "Add location to " + c.Name
	if l != nil {
		title = "Edit location " + l.Name
	}
	u.render(w, r, status, "locationform", title, "companies", locationFormData{Form: f, Company: c, Location: l})
}

// locationNew serves the add form under the company of the path.
func (u *UI) locationNew(w http.ResponseWriter, r *http.Request) {
	c, err := u.pathCompany(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.renderLocationForm(w, r, http.StatusOK, newForm(), c, nil)
}

func (u *UI) locationCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c, err := u.pathCompany(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	f := postedForm(r)
	l := &codex.Location{CompanyID: c.ID, Name: strings.TrimSpace(f.Get("name")), Address: address(f),
		Phone: strings.TrimSpace(f.Get("phone")), Notes: f.Get("notes")}
	if err := u.svc.Companies.CreateLocation(ctx, l); err != nil {
		if codex.ErrorCode(err) == codex.Forbidden {
			u.fail(w, r, err)
			return
		}
		f.fail(err)
		u.renderLocationForm(w, r, statusOfForm(f), f, c, nil)
		return
	}
	redirect(w, r, "companies/"+strconv.FormatInt(c.ID, 10)+"?flash="+url.QueryEscape("Location "+l.Name+" added."))
}

// pathCompany is the company of the path's {id}, as the caller sees it.
func (u *UI) pathCompany(r *http.Request) (*codex.Company, error) {
	id, err := idParam(r)
	if err != nil {
		return nil, err
	}
	return u.svc.Companies.Company(r.Context(), id)
}

// locationEditor edits a location.
func (u *UI) locationEditor() *editor[codex.Location, codex.LocationPatch] {
	return &editor[codex.Location, codex.LocationPatch]{
		u:         u,
		param:     "location",
		load:      withCompanyLabel(u, u.svc.Companies.Location, func(l *codex.Location) int64 { return l.CompanyID }),
		values:    func(f *form, l *codex.Location, _ string) { locationValues(f, l) },
		updatedAt: func(l *codex.Location) time.Time { return l.UpdatedAt },
		render: func(w http.ResponseWriter, r *http.Request, status int, f *form, l *codex.Location) {
			c, err := u.svc.Companies.Company(r.Context(), l.CompanyID)
			if err != nil {
				u.fail(w, r, err)
				return
			}
			u.renderLocationForm(w, r, status, f, c, l)
		},
		patch: func(_ context.Context, f *form, l *codex.Location, _ string) codex.LocationPatch {
			var p codex.LocationPatch
			p.Name = f.str("name", l.Name)
			if a := address(f); a != l.Address {
				p.Address = codex.WholeAddress(a)
			}
			p.Phone = f.str("phone", l.Phone)
			p.Notes = f.str("notes", l.Notes)
			return p
		},
		save: func(ctx context.Context, id int64, p codex.LocationPatch, version string) error {
			p.ExpectedVersion = version
			_, err := u.svc.Companies.UpdateLocation(ctx, id, p)
			return err
		},
		saved: func(l *codex.Location) string { return "companies/" + strconv.FormatInt(l.CompanyID, 10) },
	}
}

// locationArchive archives a location and returns to its company's page.
func (u *UI) locationArchive(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	e := u.locationEditor()
	id, err := e.rowID(r)
	var l *codex.Location
	if err == nil {
		l, err = u.svc.Companies.Location(ctx, id)
	}
	if err == nil {
		l, err = u.svc.Companies.ArchiveLocation(ctx, id)
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "companies/"+strconv.FormatInt(l.CompanyID, 10)+"?flash="+url.QueryEscape("Location "+l.Name+" archived."))
}
