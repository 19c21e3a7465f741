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

type assetListData struct {
	Q          url.Values
	Page       *codex.Page[codex.Asset]
	Next, Prev string
	Export     string
	Types      []codex.AssetType
}

// assetList serves /assets: search, type filter, sort and keyset paging.
func (u *UI) assetList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := codex.AssetFilter{Search: q.Get("q"), Order: codex.Order{Field: q.Get("sort"), Desc: q.Get("desc") == "1"}}
	exp := url.Values{}
	if t := q.Get("type"); t != "" {
		f.Type = []codex.AssetType{codex.AssetType(t)}
		exp.Set("type", t)
	}
	if id, err := strconv.ParseInt(q.Get("company"), 10, 64); err == nil {
		f.CompanyID = &id
		exp.Set("company_id", q.Get("company"))
	}
	if f.Search != "" {
		exp.Set("search", f.Search)
	}
	pg, err := u.svc.Assets.Assets(r.Context(), f, pageArgs(q, false))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d := assetListData{Q: q, Page: pg, Export: "assets/export.csv?" + exp.Encode(), Types: codex.AssetTypes}
	d.Next, d.Prev = pagerLinks("assets", q, pg)
	u.render(w, r, http.StatusOK, "assets", "Assets", "assets", d)
}

type assetPageData struct {
	Asset    *codex.Asset
	Company  *codex.Company
	Contacts []*codex.Contact // assigned to the asset
	People   []*codex.Contact // the company's contacts, to assign
	Assigned map[int64]bool
	Alerts   []*codex.Alert
}

func (u *UI) assetPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := idParam(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	a, err := u.svc.Assets.Asset(ctx, id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d := assetPageData{Asset: a, Assigned: map[int64]bool{}}
	d.Company, _ = u.svc.Companies.Company(ctx, a.CompanyID)
	if cs, err := u.svc.Assets.ContactsByAssets(ctx, []int64{id}); err == nil {
		d.Contacts = cs[0]
		for _, c := range cs[0] {
			d.Assigned[c.ID] = true
		}
	}
	if ps, err := u.svc.Contacts.ContactsByCompanies(ctx, []int64{a.CompanyID}, codex.ContactFilter{}, 500); err == nil {
		d.People = ps[0]
	}
	if as, err := u.svc.Tickets.AlertsByAssets(ctx, []int64{id}, codex.AlertFilter{}, 20); err == nil {
		d.Alerts = as[0]
	}
	u.render(w, r, http.StatusOK, "asset", a.Name, "assets", d)
}

type assetFormData struct {
	Form     *form
	Asset    *codex.Asset
	Parents  []string
	Types    []codex.AssetType
	Statuses []string
}

func (u *UI) assetForm(ctx context.Context, f *form, a *codex.Asset) assetFormData {
	return assetFormData{Form: f, Asset: a, Parents: u.pickerOptions(ctx), Types: codex.AssetTypes, Statuses: []string{"active", "in_repair", "retired"}}
}

func itoa(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

func assetValues(f *form, a *codex.Asset, company string) {
	v := f.Values
	v.Set("company", company)
	v.Set("name", a.Name)
	v.Set("type", string(a.Type))
	v.Set("status", string(a.Status))
	v.Set("manufacturer", a.Manufacturer)
	v.Set("model", a.Model)
	v.Set("serial_number", a.SerialNumber)
	v.Set("hostname", a.Hostname)
	v.Set("operating_system", a.OperatingSystem)
	v.Set("ip_addresses", strings.Join(a.IPAddresses, ", "))
	v.Set("purchase_date", fmtDate(a.PurchaseDate))
	v.Set("warranty_expires", fmtDate(a.WarrantyExpires))
	v.Set("seats_total", itoa(a.SeatsTotal))
	v.Set("seats_used", itoa(a.SeatsUsed))
	v.Set("license_expires", fmtDate(a.LicenseExpires))
	v.Set("license_key", a.LicenseKey)
	v.Set("custom_fields", fmtKV(a.CustomFields))
	v.Set("secret_fields", fmtKV(a.SecretFields))
	v.Set("notes", a.Notes)
	f.Version = version(a.UpdatedAt)
}

func (u *UI) assetNew(w http.ResponseWriter, r *http.Request) {
	f := newForm()
	f.Values.Set("type", "workstation")
	f.Values.Set("status", "active")
	if id, err := strconv.ParseInt(r.URL.Query().Get("company"), 10, 64); err == nil {
		if c, err := u.svc.Companies.Company(r.Context(), id); err == nil {
			f.Values.Set("company", companyLabel(c))
		}
	}
	u.render(w, r, http.StatusOK, "assetform", "Add asset", "assets", u.assetForm(r.Context(), f, nil))
}

func (u *UI) assetCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f := postedForm(r)
	a := &codex.Asset{Name: strings.TrimSpace(f.Get("name")), Type: codex.AssetType(f.Get("type")), Status: codex.AssetStatus(f.Get("status")),
		Manufacturer: strings.TrimSpace(f.Get("manufacturer")), Model: strings.TrimSpace(f.Get("model")),
		SerialNumber: strings.TrimSpace(f.Get("serial_number")), Hostname: strings.TrimSpace(f.Get("hostname")),
		OperatingSystem: strings.TrimSpace(f.Get("operating_system")), IPAddresses: f.list("ip_addresses"),
		SeatsTotal: f.optInt("seats_total"), SeatsUsed: f.optInt("seats_used"), CustomFields: f.kvs("custom_fields"), Notes: f.Get("notes")}
	for k, dst := range map[string]**codex.Date{"purchase_date": &a.PurchaseDate, "warranty_expires": &a.WarrantyExpires, "license_expires": &a.LicenseExpires} {
		if d := f.date(k); !d.IsZero() {
			*dst = &d
		}
	}
	if codex.PrincipalFrom(ctx).SeesSecrets() {
		a.LicenseKey = strings.TrimSpace(f.Get("license_key"))
		a.SecretFields = f.kvs("secret_fields")
	}
	u.createUnder(ctx, f, func(id int64) { a.CompanyID = id }, func() error { return u.svc.Assets.CreateAsset(ctx, a) })
	if len(f.Errors) > 0 || f.Message != "" {
		u.render(w, r, statusOfForm(f), "assetform", "Add asset", "assets", u.assetForm(ctx, f, nil))
		return
	}
	redirect(w, r, "assets/"+strconv.FormatInt(a.ID, 10)+"?flash=Asset+added.")
}

func sameInt(a, b *int) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

// assetEditor edits an asset; only administrators' forms carry the secret fields.
func (u *UI) assetEditor() *editor[codex.Asset, codex.AssetPatch] {
	return &editor[codex.Asset, codex.AssetPatch]{
		u:         u,
		load:      withCompanyLabel(u, u.svc.Assets.Asset, func(x *codex.Asset) int64 { return x.CompanyID }),
		values:    assetValues,
		updatedAt: func(a *codex.Asset) time.Time { return a.UpdatedAt },
		render: func(w http.ResponseWriter, r *http.Request, status int, f *form, a *codex.Asset) {
			u.render(w, r, status, "assetform", "Edit "+a.Name, "assets", u.assetForm(r.Context(), f, a))
		},
		patch: func(ctx context.Context, f *form, a *codex.Asset, label string) codex.AssetPatch {
			var p codex.AssetPatch
			p.CompanyID = u.movedTo(ctx, f, label, "choose the asset's company")
			p.Name = f.str("name", a.Name)
			if t := f.str("type", string(a.Type)); t != nil {
				p.Type = ptr(codex.AssetType(*t))
			}
			if s := f.str("status", string(a.Status)); s != nil {
				p.Status = ptr(codex.AssetStatus(*s))
			}
			p.Manufacturer = f.str("manufacturer", a.Manufacturer)
			p.Model = f.str("model", a.Model)
			p.SerialNumber = f.str("serial_number", a.SerialNumber)
			p.Hostname = f.str("hostname", a.Hostname)
			p.OperatingSystem = f.str("operating_system", a.OperatingSystem)
			if ips := f.list("ip_addresses"); !sameList(ips, a.IPAddresses) {
				p.IPAddresses = &ips
			}
			p.PurchaseDate = f.datePatch("purchase_date", a.PurchaseDate)
			p.WarrantyExpires = f.datePatch("warranty_expires", a.WarrantyExpires)
			p.LicenseExpires = f.datePatch("license_expires", a.LicenseExpires)
			if n := f.optInt("seats_total"); !sameInt(n, a.SeatsTotal) {
				p.SeatsTotal = &n
			}
			if n := f.optInt("seats_used"); !sameInt(n, a.SeatsUsed) {
				p.SeatsUsed = &n
			}
			if cf := f.kvs("custom_fields"); !sameMap(cf, a.CustomFields) {
				p.CustomFields = &cf
			}
			if codex.PrincipalFrom(ctx).SeesSecrets() {
				p.LicenseKey = f.str("license_key", a.LicenseKey)
				if sf := f.kvs("secret_fields"); !sameMap(sf, a.SecretFields) {
					p.SecretFields = &sf
				}
			}
			p.Notes = f.str("notes", a.Notes)
			return p
		},
		save: func(ctx context.Context, id int64, p codex.AssetPatch, version string) error {
			p.ExpectedVersion = version
			_, err := u.svc.Assets.UpdateAsset(ctx, id, p)
			return err
		},
		saved: func(a *codex.Asset) string { return "assets/" + strconv.FormatInt(a.ID, 10) },
	}
}

// assetAssign replaces the contacts the asset is assigned to with those ticked.
func (u *UI) assetAssign(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	f := postedForm(r)
	ids := []int64{}
	for _, s := range f.Values["contact"] {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			ids = append(ids, n)
		}
	}
	if err := u.svc.Assets.AssignAsset(r.Context(), id, ids); err != nil {
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "assets/"+strconv.FormatInt(id, 10)+"?flash=Assignment+saved.")
}
