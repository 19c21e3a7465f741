package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/hivematrix/codex/codex"
)

// Subnets are added from a company's network page (/network/companies/{id}/subnets/new)
// and edited from their own (/network/subnets/{id}/edit); links are disconnected from a
// device's page.

type subnetFormData struct {
	Form      *form
	Company   *codex.Company
	Subnet    *codex.Subnet
	Locations []*codex.Location
}

func subnetValues(f *form, s *codex.Subnet, _ string) {
	v := f.Values
	v.Set("cidr", s.CIDR)
	v.Set("vlan", itoa(s.VLAN))
	v.Set("gateway", s.Gateway)
	v.Set("description", s.Description)
	if s.LocationID != nil {
		v.Set("location", strconv.FormatInt(*s.LocationID, 10))
	}
	f.Version = version(s.UpdatedAt)
}

// renderSubnetForm shows the form with the company's locations to pick from.
func (u *UI) renderSubnetForm(w http.ResponseWriter, r *http.Request, status int, f *form, c *codex.Company, s *codex.Subnet) {
	d := subnetFormData{Form: f, Company: c, Subnet: s}
	if ls, err := u.svc.Companies.LocationsByCompanies(r.Context(), []int64{c.ID}); err == nil {
		d.Locations = ls[0]
	}
	title := "Add subnet to " + c.Name
	if s != nil {
		title = "Edit subnet " + s.CIDR
	}
	u.render(w, r, status, "subnetform", title, "network", d)
}

// formLocation reads the location picker: nil for none, or an error at the field.
func formLocation(f *form) *int64 {
	s := strings.TrimSpace(f.Get("location"))
	if s == "" {
		return nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		f.Errors["location"] = "choose one of the company's locations"
		return nil
	}
	return &id
}

func (u *UI) subnetNew(w http.ResponseWriter, r *http.Request) {
	c, err := u.pathCompany(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.renderSubnetForm(w, r, http.StatusOK, newForm(), c, nil)
}

func (u *UI) subnetCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c, err := u.pathCompany(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	f := postedForm(r)
	s := &codex.Subnet{CompanyID: c.ID, CIDR: strings.TrimSpace(f.Get("cidr")), VLAN: f.optInt("vlan"),
		Gateway: strings.TrimSpace(f.Get("gateway")), Description: strings.TrimSpace(f.Get("description")), LocationID: formLocation(f)}
	if len(f.Errors) == 0 {
		err := u.svc.Network.CreateSubnet(ctx, s)
		if codex.ErrorCode(err) == codex.Forbidden {
			u.fail(w, r, err)
			return
		}
		if err != nil {
			f.fail(err)
		}
	}
	if len(f.Errors) > 0 || f.Message != "" {
		u.renderSubnetForm(w, r, statusOfForm(f), f, c, nil)
		return
	}
	redirect(w, r, "network/subnets/"+strconv.FormatInt(s.ID, 10)+"?flash="+url.QueryEscape("Subnet "+s.CIDR+" added."))
}

// subnetEditor edits a subnet (its company stays).
func (u *UI) subnetEditor() *editor[codex.Subnet, codex.SubnetPatch] {
	return &editor[codex.Subnet, codex.SubnetPatch]{
		u:         u,
		load:      withCompanyLabel(u, u.svc.Network.Subnet, func(s *codex.Subnet) int64 { return s.CompanyID }),
		values:    subnetValues,
		updatedAt: func(s *codex.Subnet) time.Time { return s.UpdatedAt },
		render: func(w http.ResponseWriter, r *http.Request, status int, f *form, s *codex.Subnet) {
			c, err := u.svc.Companies.Company(r.Context(), s.CompanyID)
			if err != nil {
				u.fail(w, r, err)
				return
			}
			u.renderSubnetForm(w, r, status, f, c, s)
		},
		patch: func(_ context.Context, f *form, s *codex.Subnet, _ string) codex.SubnetPatch {
			var p codex.SubnetPatch
			p.CIDR = f.str("cidr", s.CIDR)
			if n := f.optInt("vlan"); !sameInt(n, s.VLAN) {
				p.VLAN = &n
			}
			p.Gateway = f.str("gateway", s.Gateway)
			p.Description = f.str("description", s.Description)
			if l := formLocation(f); !sameID(l, s.LocationID) {
				if l == nil {
					l = new(int64) // 0 clears it
				}
				p.LocationID = l
			}
			return p
		},
		save: func(ctx context.Context, id int64, p codex.SubnetPatch, version string) error {
			p.ExpectedVersion = version
			_, err := u.svc.Network.UpdateSubnet(ctx, id, p)
			return err
		},
		saved: func(s *codex.Subnet) string { return "network/subnets/" + strconv.FormatInt(s.ID, 10) },
	}
}

func sameID(a, b *int64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

// equipmentDisconnect removes one of the device's links. A link that is no longer there
// (someone disconnected it since the page was loaded) is reported on the device's page.
func (u *UI) equipmentDisconnect(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := idParam(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	linkID, _ := strconv.ParseInt(chi.URLParam(r, "link"), 10, 64)
	d, err := u.loadEquipmentPage(ctx, id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	err = codex.Errorf(codex.Conflict, "that link is no longer there: someone disconnected it since you loaded the page")
	for _, l := range d.Links {
		if l.LinkID == linkID {
			err = u.svc.Network.DisconnectDevices(ctx, linkID)
			break
		}
	}
	switch codex.ErrorCode(err) {
	case "":
		redirect(w, r, "network/equipment/"+strconv.FormatInt(id, 10)+"?flash=Disconnected.")
	case codex.Conflict, codex.NotFound:
		d, lerr := u.loadEquipmentPage(ctx, id)
		if lerr != nil {
			u.fail(w, r, lerr)
			return
		}
		d.LinkError = codex.ErrorMessage(err)
		u.render(w, r, http.StatusConflict, "equipment", d.Device.Name, "network", d)
	default:
		u.fail(w, r, err)
	}
}
