package seed_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/seed"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// count returns the number of rows of table.
func count(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	n, err := db.Bun().NewSelect().Table(table).Count(context.Background())
	if err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func TestScaleCounts(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const n = 52 // rounded down to 50, like seed.sql
		if err := seed.Scale(ctx, db.Bun(), n); err != nil {
			t.Fatalf("Scale(%d): %v", n, err)
		}
		want := seed.ScaleCounts(n)
		if want.Companies != 50 {
			t.Fatalf("ScaleCounts(%d).Companies = %d; want 50", n, want.Companies)
		}
		tables := []struct {
			table string
			want  int
		}{
			{"companies", want.Companies},
			{"contacts", want.Contacts},
			{"contact_companies", want.Contacts},
			{"assets", want.Assets},
			{"asset_ips", 38 * want.Companies}, // every type but ups and license has an address
			{"network_equipment", want.Devices},
			{"network_links", want.Links},
			{"tickets", want.Tickets},
			{"subnets", want.Subnets},
		}
		for _, tc := range tables {
			if got := count(t, db, tc.table); got != tc.want {
				t.Errorf("rows in %s = %d; want %d", tc.table, got, tc.want)
			}
		}
		roots, err := db.Bun().NewSelect().Table("companies").Where("parent_id IS NULL").Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if roots != want.Companies/5 {
			t.Errorf("root companies = %d; want %d (20%%)", roots, want.Companies/5)
		}
		primaries, err := db.Bun().NewSelect().Table("contact_companies").Where("designation = 'primary'").Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if wantP := 50 + 50/3; primaries != wantP {
			t.Errorf("primary contacts = %d; want %d (one per company, two at every third)", primaries, wantP)
		}

		// The shape the benchmark queries rely on: company 3 has parent 1 and children 5, 10, 15.
		c3, err := db.Company(ctx, 3)
		if err != nil {
			t.Fatal(err)
		}
		if c3.ParentID == nil || *c3.ParentID != 1 {
			t.Errorf("Company(3).ParentID = %v; want 1", c3.ParentID)
		}
		var children []int64
		if err := db.Bun().NewSelect().Table("companies").Column("id").Where("parent_id = 3").Order("id").Scan(ctx, &children); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(children, []int64{5, 10, 15}) {
			t.Errorf("children of company 3 = %v; want [5 10 15]", children)
		}
		// Names and values follow seed.sql's formulas.
		c1, err := db.Company(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if c1.Name != "Apex Dental Group" || *c1.AccountNumber != "ACC-000001" || c1.BillingPlan != "enterprise" {
			t.Errorf("Company(1) = %q %q %q; want Apex Dental Group, ACC-000001, enterprise", c1.Name, *c1.AccountNumber, c1.BillingPlan)
		}
		a1, err := db.Asset(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if a1.Name != "WO-00001-01" || a1.SerialNumber != "SN-00000001-C4CA" || a1.WarrantyExpires.String() != "2021-02-07" {
			t.Errorf("Asset(1) = %q %q %v; want WO-00001-01, SN-00000001-C4CA, 2021-02-07", a1.Name, a1.SerialNumber, a1.WarrantyExpires)
		}

		// New rows get ids after the explicit ones.
		ctx = codex.WithPrincipal(ctx, codex.SystemPrincipal("test"))
		c := codex.Company{Name: "After the seed"}
		if err := db.CreateCompany(ctx, &c); err != nil {
			t.Fatalf("CreateCompany after Scale: %v", err)
		}
		if c.ID != 51 {
			t.Errorf("CreateCompany after Scale: id = %d; want 51", c.ID)
		}

		if err := seed.Scale(ctx, db.Bun(), 10); err == nil {
			t.Error("Scale on a non-empty database = nil error; want a refusal")
		}
	})
}

func TestReset(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := seed.Scale(ctx, db.Bun(), 10); err != nil {
			t.Fatal(err)
		}
		if err := seed.Reset(ctx, db.Bun()); err != nil {
			t.Fatalf("Reset: %v", err)
		}
		if empty, err := seed.IsEmpty(ctx, db.Bun()); err != nil || !empty {
			t.Fatalf("IsEmpty after Reset = %v, %v; want true", empty, err)
		}
		if err := seed.Scale(ctx, db.Bun(), 10); err != nil {
			t.Fatalf("Scale after Reset: %v", err)
		}
		if got := count(t, db, "companies"); got != 10 {
			t.Errorf("companies after Reset and Scale(10) = %d; want 10", got)
		}
	})
}

func TestDemo(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := seed.Demo(ctx, db.Services()); err != nil {
			t.Fatalf("Demo: %v", err)
		}
		ctx = codex.WithPrincipal(ctx, codex.SystemPrincipal("test"))

		all, err := db.Companies(ctx, codex.CompanyFilter{IncludeArchived: true}, codex.PageArgs{First: ptr(100), WantTotal: true})
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]*codex.Company{}
		kinds := map[codex.CompanyKind]int{}
		levels := map[codex.ComplianceLevel]int{}
		for _, c := range all.Items {
			byName[c.Name] = c
			kinds[c.Kind]++
			levels[c.ComplianceLevel]++
		}
		if kinds[codex.KindInternal] != 1 || kinds[codex.KindVendor] < 2 || kinds[codex.KindClient] < 12 {
			t.Errorf("companies by kind = %v; want 1 internal, at least 2 vendors and 12 clients", kinds)
		}
		if levels[codex.ComplianceHIPAA] == 0 || levels[codex.ComplianceCJIS] == 0 {
			t.Errorf("companies by compliance level = %v; want hipaa and cjis ones", levels)
		}

		// Settings: a clinic inherits the group's and overrides one.
		group, lakeview := byName["Bright Smile Dental Group"], byName["Bright Smile Dental - Lakeview"]
		if group == nil || lakeview == nil {
			t.Fatalf("the dental group or its Lakeview clinic is missing: %v", byName)
		}
		settings, err := db.EffectiveSettings(ctx, lakeview.ID)
		if err != nil {
			t.Fatal(err)
		}
		if settings["backup_window"] != "22:00-04:00" || settings["patch_day"] != "Saturday" {
			t.Errorf("EffectiveSettings(Lakeview) = %v; want backup_window inherited, patch_day overridden to Saturday", settings)
		}
		kids, err := db.ChildrenByParents(ctx, []int64{group.ID}, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(kids[0]) != 3 {
			t.Errorf("clinics of the dental group = %d; want 3", len(kids[0]))
		}

		// A contact serving several subsidiaries.
		serving, err := db.CompaniesOfContacts(ctx, []int64{contactID(t, db, "maria.chen@brightsmile.example")})
		if err != nil {
			t.Fatal(err)
		}
		if len(serving[0]) != 4 {
			t.Errorf("Maria Chen serves %d companies; want 4 (the group and its clinics)", len(serving[0]))
		}

		// Warranties running out within 30 days, licences with keys and secret fields.
		soon := codex.DateOf(time.Now()).AddDays(30)
		expiring, err := db.Assets(ctx, codex.AssetFilter{WarrantyExpiresBefore: &soon}, codex.PageArgs{First: ptr(100)})
		if err != nil {
			t.Fatal(err)
		}
		today := codex.DateOf(time.Now())
		upcoming := 0
		for _, a := range expiring.Items {
			if !a.WarrantyExpires.Before(today) {
				upcoming++
			}
		}
		if upcoming < 3 {
			t.Errorf("assets whose warranty ends within 30 days = %d; want at least 3", upcoming)
		}
		assets, err := db.Assets(ctx, codex.AssetFilter{}, codex.PageArgs{First: ptr(500)})
		if err != nil {
			t.Fatal(err)
		}
		types := map[codex.AssetType]bool{}
		keys, secrets := 0, 0
		for _, a := range assets.Items {
			types[a.Type] = true
			if a.LicenseKey != "" {
				keys++
			}
			if a.SecretFields["bitlocker_recovery_key"] != "" {
				secrets++
			}
		}
		for _, typ := range codex.AssetTypes {
			if !types[typ] {
				t.Errorf("no demo asset of type %s", typ)
			}
		}
		if keys == 0 || secrets == 0 {
			t.Errorf("licence keys = %d, BitLocker keys = %d; want some of each", keys, secrets)
		}

		// The topology, and the one deliberate duplicate address.
		law := byName["Harlow & Finch LLP"]
		dups, err := db.DuplicateIPs(ctx, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(dups) != 1 || dups[0].CompanyID != law.ID || dups[0].IP != "192.168.10.50" {
			t.Errorf("DuplicateIPs = %+v; want only 192.168.10.50 at Harlow & Finch", dups)
		}
		if n := count(t, db, "network_links"); n < 15 {
			t.Errorf("network links = %d; want a wired topology", n)
		}
		inside, err := db.Inside(ctx, 0, "10.20.0.0/16", nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(inside) < 10 {
			t.Errorf("Inside(10.20.0.0/16) = %d holders; want the Dayton plant's devices and assets", len(inside))
		}

		// Tickets in several states, and alerts.
		for _, st := range []codex.TicketStatus{codex.TicketOpen, codex.TicketPending, codex.TicketResolved} {
			page, err := db.Tickets(ctx, codex.TicketFilter{Status: []codex.TicketStatus{st}}, codex.PageArgs{First: ptr(1), WantTotal: true})
			if err != nil {
				t.Fatal(err)
			}
			if page.TotalCount < 3 {
				t.Errorf("%s tickets = %d; want at least 3", st, page.TotalCount)
			}
		}
		if n := count(t, db, "alerts"); n < 5 {
			t.Errorf("alerts = %d; want at least 5", n)
		}

		// Ada, dark theme; and everything audited as system:seed.
		ada, err := db.AgentByEmail(ctx, seed.DemoAdmin)
		if err != nil {
			t.Fatal(err)
		}
		if ada.PermissionLevel != codex.LevelAdmin || ada.Preferences.Theme != codex.ThemeDark {
			t.Errorf("agent %s = %s, theme %s; want admin, dark", seed.DemoAdmin, ada.PermissionLevel, ada.Preferences.Theme)
		}
		audit, err := db.AuditLog(ctx, codex.AuditFilter{}, codex.PageArgs{First: ptr(500), WantTotal: true})
		if err != nil {
			t.Fatal(err)
		}
		if audit.TotalCount < all.TotalCount {
			t.Errorf("audit entries = %d; want one per write at least", audit.TotalCount)
		}
		for _, e := range audit.Items {
			if e.Actor != "system:seed" {
				t.Fatalf("audit entry by %q; want system:seed", e.Actor)
			}
		}
	})
}

func contactID(t *testing.T, db *store.DB, email string) int64 {
	t.Helper()
	var id int64
	if err := db.Bun().NewSelect().Table("contacts").Column("id").Where("email = ?", email).Scan(context.Background(), &id); err != nil {
		t.Fatalf("contact %s: %v", email, err)
	}
	return id
}

func ptr[T any](v T) *T { return &v }
