package store_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

func assetNames(as []*codex.Asset) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Name
	}
	return out
}

func TestAssets(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		t.Run("Lifecycle", func(t *testing.T) { testAssetLifecycle(t, db) })
		t.Run("Filters", func(t *testing.T) { testAssetFilters(t, db) })
		t.Run("Contacts", func(t *testing.T) { testAssetContacts(t, db) })
		t.Run("Batch", func(t *testing.T) { testAssetBatch(t, db) })
		t.Run("Rollback", func(t *testing.T) { testAssetRollback(t, db) })
	})
}

// ipsOf reads an asset's rows of asset_ips.
func ipsOf(t *testing.T, db *store.DB, assetID int64) []codex.AssetIP {
	t.Helper()
	var rows []codex.AssetIP
	if err := db.Bun().NewSelect().Model(&rows).Where("asset_id = ?", assetID).OrderExpr("ip_key").Scan(ctx(t)); err != nil {
		t.Fatal(err)
	}
	return rows
}

func testAssetLifecycle(t *testing.T, db *store.DB) {
	c := ctx(t)
	co := newCompany(t, db, uniqueName("Asset Co"))
	other := newCompany(t, db, uniqueName("Asset Other"))
	exp := codex.Date{Year: 2027, Month: 6, Day: 30}
	lic := newAsset(t, db, co.ID, "Office 365", func(a *codex.Asset) {
		a.Type = codex.AssetLicense
		a.SeatsTotal, a.SeatsUsed = intp(10), intp(7)
		a.LicenseExpires = &exp
		a.LicenseKey = "XXXX-SECRET"
		a.SecretFields = map[string]string{"admin_password": "hunter2"}
		a.CustomFields = map[string]string{"udf1": "blue"}
	})
	got, err := db.Asset(c, lic.ID)
	if err != nil {
		t.Fatal(err)
	}
	if *got.SeatsUsed != 7 || *got.LicenseExpires != exp || got.LicenseKey != "XXXX-SECRET" || got.CustomFields["udf1"] != "blue" || got.Status != codex.AssetActive {
		t.Errorf("Asset = %+v; want the licence as created", got)
	}
	e := lastAudit(t, db, "asset", lic.ID, "create")
	if field(t, e.After, "license_key") != "[redacted]" || field(t, e.After, "secret_fields").(map[string]any)["admin_password"] != "[redacted]" {
		t.Errorf("create audit shows secrets: %s", e.After)
	}

	pc := newAsset(t, db, co.ID, "PC-1", func(a *codex.Asset) {
		a.IPAddresses = []string{"10.20.1.5", "::ffff:10.20.1.5", "2001:db8::1"}
	})
	if want := []string{"10.20.1.5", "2001:db8::1"}; !slices.Equal(pc.IPAddresses, want) {
		t.Errorf("CreateAsset IPs = %v; want %v (normalized, deduplicated)", pc.IPAddresses, want)
	}
	if ips := ipsOf(t, db, pc.ID); len(ips) != 2 || ips[0].IP != "10.20.1.5" || ips[0].CompanyID != co.ID {
		t.Errorf("asset_ips = %+v; want 2 rows of company %d", ips, co.ID)
	}
	seen := time.Date(2026, 5, 1, 10, 0, 0, 0, time.FixedZone("CEST", 7200))
	ls := &seen
	up, err := db.UpdateAsset(c, pc.ID, codex.AssetPatch{IPAddresses: &[]string{"192.168.0.9"}, LastSeen: &ls, Online: boolp(true)})
	if err != nil {
		t.Fatal(err)
	}
	if up.Name != "PC-1" || !up.Online || !up.LastSeen.Equal(seen) || up.LastSeen.Location() != time.UTC {
		t.Errorf("UpdateAsset = %+v; want online, last seen %v in UTC, name kept", up, seen)
	}
	if ips := ipsOf(t, db, pc.ID); len(ips) != 1 || ips[0].IP != "192.168.0.9" {
		t.Errorf("asset_ips after update = %+v; want only 192.168.0.9", ips)
	}
	lastAudit(t, db, "asset", pc.ID, "update")
	if _, err := db.UpdateAsset(c, pc.ID, codex.AssetPatch{CompanyID: &other.ID}); err != nil {
		t.Fatal(err)
	}
	if ips := ipsOf(t, db, pc.ID); len(ips) != 1 || ips[0].CompanyID != other.ID {
		t.Errorf("asset_ips after a company move = %+v; want company %d", ips, other.ID)
	}
	_, err = db.UpdateAsset(c, pc.ID, codex.AssetPatch{IPAddresses: &[]string{"300.1.1.1"}})
	wantErr(t, "UpdateAsset(bad ip)", err, codex.Invalid, "ip_addresses")
	_, err = db.UpdateAsset(c, pc.ID, codex.AssetPatch{CompanyID: i64(999999)})
	wantErr(t, "UpdateAsset(unknown company)", err, codex.Invalid, "company_id")
	_, err = db.UpdateAsset(c, pc.ID, codex.AssetPatch{SeatsTotal: ptrTo(intp(3))})
	wantErr(t, "UpdateAsset(seats on a workstation)", err, codex.Invalid, "type")
	err = db.CreateAsset(c, &codex.Asset{CompanyID: 999999, Name: "x"})
	wantErr(t, "CreateAsset(unknown company)", err, codex.Invalid, "company_id")
	_, err = db.Asset(c, 999999)
	wantErr(t, "Asset(999999)", err, codex.NotFound, "")

	if _, err := db.ArchiveAsset(c, pc.ID); err != nil {
		t.Fatal(err)
	}
	lastAudit(t, db, "asset", pc.ID, "archive")
	if _, err := db.RestoreAsset(c, pc.ID); err != nil {
		t.Fatal(err)
	}
	lastAudit(t, db, "asset", pc.ID, "restore")
}

func testAssetFilters(t *testing.T, db *store.DB) {
	c := ctx(t)
	root := newCompany(t, db, uniqueName("AF Root"))
	kid := newCompany(t, db, uniqueName("AF Kid"), under(root))
	soon := codex.Date{Year: 2026, Month: 1, Day: 15}
	later := codex.Date{Year: 2030, Month: 1, Day: 1}
	srv := newAsset(t, db, root.ID, "Server One", func(a *codex.Asset) {
		a.Type = codex.AssetServer
		a.SerialNumber = "SRV-001"
		a.Hostname = "SRV01.corp.local"
		a.Model = "PowerEdge R750"
		a.Online = true
		a.WarrantyExpires = &soon
		a.IPAddresses = []string{"10.20.0.10"}
	})
	lap := newAsset(t, db, kid.ID, "Laptop Two", func(a *codex.Asset) {
		a.Type = codex.AssetLaptop
		a.Status = codex.AssetInRepair
		a.WarrantyExpires = &later
		a.IPAddresses = []string{"10.99.0.7", "fd00::7"}
	})
	ws := newAsset(t, db, kid.ID, "Desk Three", func(a *codex.Asset) { a.IPAddresses = []string{"10.20.255.255"} })
	gone := newAsset(t, db, kid.ID, "Gone Four", func(a *codex.Asset) { a.IPAddresses = []string{"10.20.0.11"} })
	if _, err := db.ArchiveAsset(c, gone.ID); err != nil {
		t.Fatal(err)
	}
	user := newContact(t, db, kid.ID, "Lap User")
	if err := db.AssignAsset(c, lap.ID, []int64{user.ID}); err != nil {
		t.Fatal(err)
	}
	scope := []int64{root.ID, kid.ID}
	tests := []struct {
		name string
		f    codex.AssetFilter
		want []int64
	}{
		{"search name", codex.AssetFilter{Search: "laptop"}, []int64{lap.ID}},
		{"search serial", codex.AssetFilter{Search: "srv-0"}, []int64{srv.ID}},
		{"search model", codex.AssetFilter{Search: "poweredge"}, []int64{srv.ID}},
		{"search ip", codex.AssetFilter{Search: "10.99."}, []int64{lap.ID}},
		{"company", codex.AssetFilter{CompanyID: &kid.ID}, []int64{lap.ID, ws.ID}},
		{"subtree", codex.AssetFilter{SubtreeOf: &root.ID}, []int64{srv.ID, lap.ID, ws.ID}},
		{"type", codex.AssetFilter{Type: []codex.AssetType{codex.AssetServer, codex.AssetLaptop}}, []int64{srv.ID, lap.ID}},
		{"status", codex.AssetFilter{Status: []codex.AssetStatus{codex.AssetInRepair}}, []int64{lap.ID}},
		{"warranty before", codex.AssetFilter{WarrantyExpiresBefore: &codex.Date{Year: 2026, Month: 2, Day: 1}}, []int64{srv.ID}},
		{"online", codex.AssetFilter{Online: boolp(true)}, []int64{srv.ID}},
		{"offline", codex.AssetFilter{Online: boolp(false)}, []int64{lap.ID, ws.ID}},
		{"ip in 10.20.0.0/16", codex.AssetFilter{IPIn: "10.20.0.0/16"}, []int64{srv.ID, ws.ID}},
		{"ip in one address", codex.AssetFilter{IPIn: "10.20.0.10"}, []int64{srv.ID}},
		{"ip in fd00::/8", codex.AssetFilter{IPIn: "fd00::/8"}, []int64{lap.ID}},
		{"contact", codex.AssetFilter{ContactID: &user.ID}, []int64{lap.ID}},
		{"serial", codex.AssetFilter{SerialNumber: "SRV-001"}, []int64{srv.ID}},
		{"hostname, any case", codex.AssetFilter{Hostname: "srv01.CORP.local"}, []int64{srv.ID}},
		{"include archived", codex.AssetFilter{CompanyID: &kid.ID, IncludeArchived: true}, []int64{lap.ID, ws.ID, gone.ID}},
		{"scope", codex.AssetFilter{Scope: []int64{root.ID}}, []int64{srv.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f
			if f.Scope == nil {
				f.Scope = scope
			}
			pg, err := db.Assets(c, f, codex.PageArgs{WantTotal: true})
			if err != nil {
				t.Fatal(err)
			}
			got := assetIDs(pg.Items)
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(got, want) || pg.TotalCount != len(want) {
				t.Errorf("Assets(%+v) = %v (total %d); want %v", tt.f, got, pg.TotalCount, want)
			}
		})
	}
	_, err := db.Assets(c, codex.AssetFilter{IPIn: "10.20.0.0/33"}, codex.PageArgs{})
	wantErr(t, "Assets(ip_in bad)", err, codex.Invalid, "ip_in")
	var n int
	if err := db.EachAsset(c, codex.AssetFilter{SubtreeOf: &root.ID}, func(*codex.Asset) error { n++; return nil }); err != nil || n != 3 {
		t.Errorf("EachAsset(subtree) = %d, %v; want 3", n, err)
	}
}

func testAssetContacts(t *testing.T, db *store.DB) {
	c := ctx(t)
	co := newCompany(t, db, uniqueName("AC Co"))
	a1 := newAsset(t, db, co.ID, "A1")
	a2 := newAsset(t, db, co.ID, "A2")
	x := newContact(t, db, co.ID, "Xavier X", func(ct *codex.Contact) { ct.Designation = codex.DesignationPrimary })
	y := newContact(t, db, co.ID, "Yolanda Y")
	if err := db.AssignAsset(c, a1.ID, []int64{y.ID, x.ID, y.ID}); err != nil {
		t.Fatal(err)
	}
	e := lastAudit(t, db, "asset", a1.ID, "assign")
	if ids := field(t, e.After, "contact_ids").([]any); len(ids) != 2 {
		t.Errorf("assign audit after = %s; want two contact ids", e.After)
	}
	if err := db.AssignAsset(c, a2.ID, []int64{x.ID}); err != nil {
		t.Fatal(err)
	}
	err := db.AssignAsset(c, a2.ID, []int64{x.ID, 999999})
	wantErr(t, "AssignAsset(unknown contact)", err, codex.Invalid, "contact_ids")
	err = db.AssignAsset(c, 999999, []int64{x.ID})
	wantErr(t, "AssignAsset(unknown asset)", err, codex.NotFound, "")

	byContact, err := db.AssetsByContacts(c, []int64{y.ID, 999999, x.ID})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(assetNames(byContact[0]), []string{"A1"}) || len(byContact[1]) != 0 || !slices.Equal(assetNames(byContact[2]), []string{"A1", "A2"}) {
		t.Errorf("AssetsByContacts = %v; want [[A1] [] [A1 A2]]", byContact)
	}
	byAsset, err := db.ContactsByAssets(c, []int64{a2.ID, a1.ID})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(contactNames(byAsset[0]), []string{"Xavier X"}) || !slices.Equal(contactNames(byAsset[1]), []string{"Xavier X", "Yolanda Y"}) ||
		byAsset[0][0].Designation != codex.DesignationPrimary {
		t.Errorf("ContactsByAssets = %v; want [[Xavier] [Xavier Yolanda]] with Xavier primary", byAsset)
	}
	if err := db.AssignAsset(c, a1.ID, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.ContactsByAssets(c, []int64{a1.ID}); len(got[0]) != 0 {
		t.Errorf("ContactsByAssets after unassigning all = %v; want []", got[0])
	}
}

func testAssetBatch(t *testing.T, db *store.DB) {
	c := ctx(t)
	a := newCompany(t, db, uniqueName("AB A"))
	b := newCompany(t, db, uniqueName("AB B"))
	for _, n := range []string{"d", "b", "a", "c"} {
		newAsset(t, db, a.ID, n)
	}
	srv := newAsset(t, db, b.ID, "z-server", func(as *codex.Asset) { as.Type = codex.AssetServer })
	counter := storetest.CountQueries(db)
	got, err := db.AssetsByCompanies(c, []int64{b.ID, 999999, a.ID}, codex.AssetFilter{}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if counter.Count() != 1 {
		t.Errorf("AssetsByCompanies ran %d statements; want 1", counter.Count())
	}
	if !slices.Equal(assetNames(got[0]), []string{"z-server"}) || len(got[1]) != 0 || got[1] == nil || !slices.Equal(assetNames(got[2]), []string{"a", "b"}) {
		t.Errorf("AssetsByCompanies(limit 2) = %v; want [[z-server] [] [a b]]", got)
	}
	got, err = db.AssetsByCompanies(c, []int64{a.ID}, codex.AssetFilter{Order: codex.Order{Field: "name", Desc: true}}, 0)
	if err != nil || !slices.Equal(assetNames(got[0]), []string{"d", "c", "b", "a"}) {
		t.Errorf("AssetsByCompanies(name desc, no limit) = %v, %v", got, err)
	}
	counts, err := db.CountAssetsByCompanies(c, []int64{a.ID, b.ID}, codex.AssetFilter{Type: []codex.AssetType{codex.AssetServer}})
	if err != nil || !slices.Equal(counts, []int{0, 1}) {
		t.Errorf("CountAssetsByCompanies(servers) = %v, %v; want [0 1]", counts, err)
	}
	byID, errs := db.AssetsByIDs(c, []int64{srv.ID, 999999})
	if byID[0].ID != srv.ID || byID[1] != nil || !codex.IsNotFound(errs[1]) {
		t.Errorf("AssetsByIDs = %v, %v", byID, errs)
	}
}

func testAssetRollback(t *testing.T, db *store.DB) {
	c := ctx(t)
	co := newCompany(t, db, uniqueName("Asset Rollback"))
	boom := errors.New("boom")
	store.SetFailpoint(db, func(name string) error {
		if name == "asset.inserted" {
			return boom
		}
		return nil
	})
	t.Cleanup(func() { store.SetFailpoint(db, nil) })
	before := auditCount(t, db)
	a := &codex.Asset{CompanyID: co.ID, Name: "Half", IPAddresses: []string{"10.1.1.1"}}
	if err := db.CreateAsset(c, a); !errors.Is(err, boom) {
		t.Fatalf("CreateAsset with a failing second step = %v; want boom", err)
	}
	n, _ := db.Bun().NewSelect().Table("assets").Where("company_id = ?", co.ID).Count(c)
	ips, _ := db.Bun().NewSelect().Table("asset_ips").Where("company_id = ?", co.ID).Count(c)
	if n != 0 || ips != 0 || a.ID != 0 || auditCount(t, db) != before {
		t.Errorf("after a failed create: %d assets, %d addresses, id %d, %d audit entries; want nothing", n, ips, a.ID, auditCount(t, db)-before)
	}
}
