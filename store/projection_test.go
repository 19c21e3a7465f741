package store_test

import (
	"slices"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// Projections: the batch lookups by parent and the company list load only the columns a
// caller names (Columns), plus the keys and the sort key; nil Columns loads whole rows.

func TestProjections(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		t.Run("Contacts", func(t *testing.T) { testProjectContacts(t, db) })
		t.Run("Assets", func(t *testing.T) { testProjectAssets(t, db) })
		t.Run("Equipment", func(t *testing.T) { testProjectEquipment(t, db) })
		t.Run("Children", func(t *testing.T) { testProjectChildren(t, db) })
		t.Run("CompanyList", func(t *testing.T) { testProjectCompanyList(t, db) })
		t.Run("Invalid", func(t *testing.T) { testProjectInvalid(t, db) })
	})
}

// limits are the byParents paths: a per-parent limit (LATERAL on PostgreSQL, a window
// on SQLite) and none.
var limits = []int{3, 0}

func testProjectContacts(t *testing.T, db *store.DB) {
	c := ctx(t)
	home := newCompany(t, db, uniqueName("Proj Home"))
	other := newCompany(t, db, uniqueName("Proj Other"))
	full := func(ct *codex.Contact) {
		ct.Email = ct.FirstName + "@example.com"
		ct.Title = "Office Manager"
		ct.Notes = "prefers email"
		ct.PhoneWork = "555-0100"
	}
	bob := newContact(t, db, home.ID, "Bob Brown", full)
	ann := newContact(t, db, other.ID, "Ann Adams", full)
	if err := db.AssignContact(c, ann.ID, home.ID, codex.DesignationPrimary); err != nil {
		t.Fatal(err)
	}

	for _, limit := range limits {
		got, err := db.ContactsByCompanies(c, []int64{home.ID, 999999, other.ID}, codex.ContactFilter{Columns: []string{"email"}}, limit)
		if err != nil {
			t.Fatalf("ContactsByCompanies(email, limit %d): %v", limit, err)
		}
		if len(got) != 3 || len(got[0]) != 2 || got[1] == nil || len(got[1]) != 0 || len(got[2]) != 1 {
			t.Fatalf("ContactsByCompanies(email, limit %d) = %v; want [[Ann Bob] [] [Ann]]", limit, got)
		}
		// Ordered by name (the default order), whose column the projection keeps.
		if !slices.Equal(contactNames(got[0]), []string{"Ann Adams", "Bob Brown"}) {
			t.Errorf("limit %d: names at home = %v; want [Ann Adams Bob Brown] (the sort key is loaded)", limit, contactNames(got[0]))
		}
		a, b, a2 := got[0][0], got[0][1], got[2][0]
		want := []struct {
			name          string
			c             *codex.Contact
			id, companyID int64
			forCompany    int64
			designation   codex.Designation
			email         string
		}{
			{"Ann at home", a, ann.ID, other.ID, home.ID, codex.DesignationPrimary, ann.Email},
			{"Bob at home", b, bob.ID, home.ID, home.ID, codex.DesignationNone, bob.Email},
			{"Ann at her own company", a2, ann.ID, other.ID, other.ID, codex.DesignationNone, ann.Email},
		}
		for _, w := range want {
			ct := w.c
			if ct.ID != w.id || ct.CompanyID != w.companyID || ct.ForCompanyID != w.forCompany || ct.Designation != w.designation || ct.Email != w.email {
				t.Errorf("limit %d: %s = id %d company %d for %d %q %q; want id %d company %d for %d %q %q", limit, w.name,
					ct.ID, ct.CompanyID, ct.ForCompanyID, ct.Designation, ct.Email, w.id, w.companyID, w.forCompany, w.designation, w.email)
			}
			if ct.Notes != "" || ct.Title != "" || ct.PhoneWork != "" || ct.FirstName != "" || !ct.CreatedAt.IsZero() || ct.Active {
				t.Errorf("limit %d: %s has columns it did not ask for: notes %q title %q phone %q first %q created %v active %v",
					limit, w.name, ct.Notes, ct.Title, ct.PhoneWork, ct.FirstName, ct.CreatedAt, ct.Active)
			}
		}

		// Whole rows without Columns.
		whole, err := db.ContactsByCompanies(c, []int64{home.ID}, codex.ContactFilter{}, limit)
		if err != nil || len(whole[0]) != 2 {
			t.Fatalf("ContactsByCompanies(nil columns, limit %d) = %v, %v", limit, whole, err)
		}
		for _, ct := range whole[0] {
			if ct.Notes != "prefers email" || ct.Title != "Office Manager" || ct.PhoneWork != "555-0100" || ct.FirstName == "" ||
				ct.CreatedAt.IsZero() || !ct.Active || ct.ForCompanyID != home.ID {
				t.Errorf("limit %d: whole row %+v; want every column", limit, ct)
			}
		}

		// An empty, non-nil projection: the keys and the sort key only.
		keys, err := db.ContactsByCompanies(c, []int64{home.ID}, codex.ContactFilter{Columns: []string{}, Order: codex.Order{Field: "email", Desc: true}}, limit)
		if err != nil || len(keys[0]) != 2 {
			t.Fatalf("ContactsByCompanies(no columns, email desc, limit %d) = %v, %v", limit, keys, err)
		}
		if k := keys[0][0]; k.ID != bob.ID || k.Email != bob.Email || k.CompanyID != home.ID || k.ForCompanyID != home.ID || k.DisplayName != "" || k.Notes != "" {
			t.Errorf("limit %d: keys-only row %+v; want Bob first (email desc) with id, company, email only", limit, k)
		}
	}
}

func testProjectAssets(t *testing.T, db *store.DB) {
	c := ctx(t)
	a := newCompany(t, db, uniqueName("Proj Assets A"))
	b := newCompany(t, db, uniqueName("Proj Assets B"))
	serial := func(as *codex.Asset) {
		as.SerialNumber = "SN-" + as.Name
		as.Hostname = as.Name + ".lan"
		as.Notes = "rack 4"
	}
	for _, n := range []string{"pc-4", "pc-2", "pc-1", "pc-3"} {
		newAsset(t, db, a.ID, n, serial)
	}
	newAsset(t, db, b.ID, "srv-1", serial)

	for _, limit := range limits {
		got, err := db.AssetsByCompanies(c, []int64{b.ID, a.ID}, codex.AssetFilter{Columns: []string{"name"}}, limit)
		if err != nil {
			t.Fatalf("AssetsByCompanies(name, limit %d): %v", limit, err)
		}
		wantA := []string{"pc-1", "pc-2", "pc-3", "pc-4"}
		if limit > 0 {
			wantA = wantA[:limit]
		}
		if !slices.Equal(assetNames(got[0]), []string{"srv-1"}) || !slices.Equal(assetNames(got[1]), wantA) {
			t.Fatalf("AssetsByCompanies(name, limit %d) = %v / %v; want [srv-1] / %v", limit, assetNames(got[0]), assetNames(got[1]), wantA)
		}
		for i, co := range []*codex.Company{b, a} {
			for _, as := range got[i] {
				if as.ID == 0 || as.CompanyID != co.ID {
					t.Errorf("limit %d: %s has id %d, company %d; want its keys (company %d)", limit, as.Name, as.ID, as.CompanyID, co.ID)
				}
				if as.SerialNumber != "" || as.Hostname != "" || as.Notes != "" || as.Type != "" || !as.CreatedAt.IsZero() {
					t.Errorf("limit %d: %s has columns it did not ask for: %+v", limit, as.Name, as)
				}
			}
		}
		whole, err := db.AssetsByCompanies(c, []int64{b.ID}, codex.AssetFilter{}, limit)
		if err != nil || len(whole[0]) != 1 {
			t.Fatalf("AssetsByCompanies(nil columns, limit %d) = %v, %v", limit, whole, err)
		}
		if as := whole[0][0]; as.SerialNumber != "SN-srv-1" || as.Hostname != "srv-1.lan" || as.Notes != "rack 4" || as.Type != codex.AssetWorkstation || as.CreatedAt.IsZero() {
			t.Errorf("limit %d: whole asset %+v; want every column", limit, as)
		}
		// Ordered by serial number: its column is loaded though not asked for.
		bySerial, err := db.AssetsByCompanies(c, []int64{a.ID}, codex.AssetFilter{Columns: []string{"hostname"}, Order: codex.Order{Field: "serial_number", Desc: true}}, limit)
		if err != nil || len(bySerial[0]) == 0 {
			t.Fatalf("AssetsByCompanies(hostname, serial desc, limit %d) = %v, %v", limit, bySerial, err)
		}
		if as := bySerial[0][0]; as.SerialNumber != "SN-pc-4" || as.Hostname != "pc-4.lan" || as.Name != "" {
			t.Errorf("limit %d: first by serial desc = %+v; want pc-4's serial and hostname, no name", limit, as)
		}
	}
}

func testProjectEquipment(t *testing.T, db *store.DB) {
	c := ctx(t)
	co := newCompany(t, db, uniqueName("Proj Equipment"))
	newDevice(t, db, co.ID, "Switch B", "10.9.0.2")
	newDevice(t, db, co.ID, "Switch A", "10.9.0.1")
	for _, limit := range limits {
		got, err := db.EquipmentByCompanies(c, []int64{co.ID}, codex.EquipmentFilter{Columns: []string{"name"}}, limit)
		if err != nil || len(got[0]) != 2 {
			t.Fatalf("EquipmentByCompanies(name, limit %d) = %v, %v", limit, got, err)
		}
		if e := got[0][0]; e.Name != "Switch A" || e.ID == 0 || e.CompanyID != co.ID || e.IPAddress != "" || e.Type != "" {
			t.Errorf("limit %d: projected device %+v; want name and keys only", limit, e)
		}
		whole, err := db.EquipmentByCompanies(c, []int64{co.ID}, codex.EquipmentFilter{}, limit)
		if err != nil || len(whole[0]) != 2 || whole[0][0].IPAddress != "10.9.0.1" || whole[0][0].Type != codex.EquipmentSwitch {
			t.Errorf("EquipmentByCompanies(nil columns, limit %d) = %v, %v; want whole rows", limit, whole, err)
		}
	}
}

func testProjectChildren(t *testing.T, db *store.DB) {
	c := ctx(t)
	p1 := newCompany(t, db, uniqueName("Proj Parent 1"))
	p2 := newCompany(t, db, uniqueName("Proj Parent 2"))
	desc := func(co *codex.Company) { co.Description = "a site"; co.Phone = "555-0199" }
	for _, n := range []string{"kid c", "kid a", "kid b"} {
		newCompany(t, db, n, under(p1), desc)
	}
	newCompany(t, db, "kid z", under(p2), desc)

	for _, limit := range []int{2, 0} {
		got, err := db.ChildrenByParents(c, []int64{p2.ID, 999999, p1.ID}, limit, []string{"name"})
		if err != nil {
			t.Fatalf("ChildrenByParents(name, limit %d): %v", limit, err)
		}
		wantP1 := []string{"kid a", "kid b", "kid c"}
		if limit > 0 {
			wantP1 = wantP1[:limit]
		}
		if len(got) != 3 || !slices.Equal(companyNames(got[0]), []string{"kid z"}) || got[1] == nil || len(got[1]) != 0 ||
			!slices.Equal(companyNames(got[2]), wantP1) {
			t.Fatalf("ChildrenByParents(name, limit %d) = %v; want [[kid z] [] %v]", limit, got, wantP1)
		}
		for i, p := range []*codex.Company{p2, nil, p1} {
			for _, k := range got[i] {
				if k.ID == 0 || k.ParentID == nil || *k.ParentID != p.ID {
					t.Errorf("limit %d: %s has id %d, parent %v; want its keys (parent %d)", limit, k.Name, k.ID, k.ParentID, p.ID)
				}
				if k.Description != "" || k.Phone != "" || k.Kind != "" || !k.CreatedAt.IsZero() {
					t.Errorf("limit %d: %s has columns it did not ask for: %+v", limit, k.Name, k)
				}
			}
		}
		whole, err := db.ChildrenByParents(c, []int64{p2.ID}, limit, nil)
		if err != nil || len(whole[0]) != 1 {
			t.Fatalf("ChildrenByParents(nil columns, limit %d) = %v, %v", limit, whole, err)
		}
		if k := whole[0][0]; k.Description != "a site" || k.Phone != "555-0199" || k.Kind != codex.KindClient || k.CreatedAt.IsZero() {
			t.Errorf("limit %d: whole child %+v; want every column", limit, k)
		}
	}
}

func testProjectCompanyList(t *testing.T, db *store.DB) {
	c := ctx(t)
	parent := newCompany(t, db, uniqueName("Proj List"))
	// Created in the reverse of name order, so that created_at and name orders differ.
	for _, n := range []string{"list d", "list c", "list b", "list a"} {
		newCompany(t, db, n, under(parent), func(co *codex.Company) { co.Description = "listed" })
	}
	for _, desc := range []bool{false, true} {
		f := codex.CompanyFilter{ParentID: &parent.ID, Columns: []string{"name"}, Order: codex.Order{Field: "created_at", Desc: desc}}
		want := []string{"list d", "list c", "list b", "list a"}
		if desc {
			slices.Reverse(want)
		}
		first, err := db.Companies(c, f, codex.PageArgs{First: intp(2), WantTotal: true})
		if err != nil {
			t.Fatalf("Companies(created_at desc=%v, first 2): %v", desc, err)
		}
		if !slices.Equal(companyNames(first.Items), want[:2]) || !first.HasNextPage || first.HasPreviousPage || first.TotalCount != 4 {
			t.Fatalf("Companies(created_at desc=%v, first 2) = %v next %v prev %v total %d; want %v, a next page, total 4",
				desc, companyNames(first.Items), first.HasNextPage, first.HasPreviousPage, first.TotalCount, want[:2])
		}
		for _, co := range first.Items {
			if co.CreatedAt.IsZero() || co.ParentID == nil || *co.ParentID != parent.ID || co.ID == 0 {
				t.Errorf("desc=%v: %s created %v parent %v id %d; want the sort key and the keys loaded", desc, co.Name, co.CreatedAt, co.ParentID, co.ID)
			}
			if co.Description != "" || co.Kind != "" || !co.UpdatedAt.IsZero() {
				t.Errorf("desc=%v: %s has columns it did not ask for: %+v", desc, co.Name, co)
			}
		}
		next, err := db.Companies(c, f, codex.PageArgs{First: intp(2), After: first.Cursors[len(first.Cursors)-1]})
		if err != nil {
			t.Fatalf("Companies(created_at desc=%v, after): %v", desc, err)
		}
		if !slices.Equal(companyNames(next.Items), want[2:]) || next.HasNextPage || !next.HasPreviousPage {
			t.Errorf("Companies(created_at desc=%v, after page 1) = %v next %v prev %v; want %v, the last page",
				desc, companyNames(next.Items), next.HasNextPage, next.HasPreviousPage, want[2:])
		}
		back, err := db.Companies(c, f, codex.PageArgs{Last: intp(2), Before: next.Cursors[0]})
		if err != nil {
			t.Fatalf("Companies(created_at desc=%v, before): %v", desc, err)
		}
		if !slices.Equal(companyNames(back.Items), want[:2]) {
			t.Errorf("Companies(created_at desc=%v, last 2 before page 2) = %v; want %v", desc, companyNames(back.Items), want[:2])
		}
	}

	// The default order (name) keeps the name even when it is not asked for.
	byName, err := db.Companies(c, codex.CompanyFilter{ParentID: &parent.ID, Columns: []string{"description"}}, codex.PageArgs{First: intp(3)})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(companyNames(byName.Items), []string{"list a", "list b", "list c"}) || byName.Items[0].Description != "listed" || !byName.Items[0].CreatedAt.IsZero() {
		t.Errorf("Companies(description, by name) = %v, first %+v; want names and descriptions only", companyNames(byName.Items), byName.Items[0])
	}
	whole, err := db.Companies(c, codex.CompanyFilter{ParentID: &parent.ID}, codex.PageArgs{First: intp(1)})
	if err != nil || len(whole.Items) != 1 || whole.Items[0].Description != "listed" || whole.Items[0].CreatedAt.IsZero() || whole.Items[0].Kind != codex.KindClient {
		t.Errorf("Companies(nil columns) = %v, %v; want whole rows", whole, err)
	}
}

func testProjectInvalid(t *testing.T, db *store.DB) {
	c := ctx(t)
	co := newCompany(t, db, uniqueName("Proj Invalid"))
	newContact(t, db, co.ID, "Cy Invalid")
	newAsset(t, db, co.ID, "inv-1")
	newCompany(t, db, "inv kid", under(co))
	ids := []int64{co.ID}
	for _, limit := range limits {
		for _, col := range []string{"nope", "designation", "for_company_id"} {
			_, err := db.ContactsByCompanies(c, ids, codex.ContactFilter{Columns: []string{"email", col}}, limit)
			wantErr(t, "ContactsByCompanies(columns "+col+")", err, codex.Invalid, "columns")
		}
		_, err := db.AssetsByCompanies(c, ids, codex.AssetFilter{Columns: []string{"nope"}}, limit)
		wantErr(t, "AssetsByCompanies(columns nope)", err, codex.Invalid, "columns")
		_, err = db.EquipmentByCompanies(c, ids, codex.EquipmentFilter{Columns: []string{"nope"}}, limit)
		wantErr(t, "EquipmentByCompanies(columns nope)", err, codex.Invalid, "columns")
		_, err = db.ChildrenByParents(c, ids, limit, []string{"name", "nope"})
		wantErr(t, "ChildrenByParents(columns nope)", err, codex.Invalid, "columns")
	}
	_, err := db.Companies(c, codex.CompanyFilter{Columns: []string{"nope"}}, codex.PageArgs{})
	wantErr(t, "Companies(columns nope)", err, codex.Invalid, "columns")
	// A column of another table is not one of the company's.
	_, err = db.Companies(c, codex.CompanyFilter{Columns: []string{"email"}, Order: codex.Order{Field: "created_at"}}, codex.PageArgs{})
	wantErr(t, "Companies(columns email)", err, codex.Invalid, "columns")
}
