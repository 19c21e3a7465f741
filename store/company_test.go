package store_test

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

func companyNames(cs []*codex.Company) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return out
}

func TestCompanies(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		t.Run("CreateGetUpdateArchiveRestore", func(t *testing.T) { testCompanyLifecycle(t, db) })
		t.Run("Filters", func(t *testing.T) { testCompanyFilters(t, db) })
		t.Run("Errors", func(t *testing.T) { testCompanyErrors(t, db) })
		t.Run("Tree", func(t *testing.T) { testCompanyTree(t, db) })
		t.Run("Move", func(t *testing.T) { testCompanyMove(t, db) })
		t.Run("EffectiveSettings", func(t *testing.T) { testEffectiveSettings(t, db) })
		t.Run("Batch", func(t *testing.T) { testCompanyBatch(t, db) })
		t.Run("Locations", func(t *testing.T) { testLocations(t, db) })
	})
}

func testCompanyLifecycle(t *testing.T, db *store.DB) {
	c := ctx(t)
	start := codex.Date{Year: 2026, Month: 1, Day: 1}
	co := newCompany(t, db, "Acme Dental", func(co *codex.Company) {
		co.AccountNumber = strp(" ACME-1 ")
		co.ComplianceLevel = codex.ComplianceHIPAA
		co.Domains = []string{"acme.example"}
		co.Address = codex.Address{City: "Springfield"}
		co.ContractStart = &start
		co.Settings = map[string]string{"tz": "UTC"}
	})
	if co.ID == 0 || co.CreatedAt.IsZero() || co.CreatedAt.Location().String() != "UTC" {
		t.Fatalf("CreateCompany: id %d, created_at %v; want an id and a UTC time", co.ID, co.CreatedAt)
	}
	got, err := db.Company(c, co.ID)
	if err != nil {
		t.Fatal(err)
	}
	if *got.AccountNumber != "ACME-1" || got.Kind != codex.KindClient || got.Status != codex.StatusActive ||
		got.ComplianceLevel != codex.ComplianceHIPAA || got.Address.City != "Springfield" || !slices.Equal(got.Domains, []string{"acme.example"}) ||
		got.ContractStart == nil || *got.ContractStart != start || got.Settings["tz"] != "UTC" || !got.CreatedAt.Equal(co.CreatedAt) {
		t.Errorf("Company(%d) = %+v; want the created company with defaults", co.ID, got)
	}
	e := lastAudit(t, db, "company", co.ID, "create")
	if e.CompanyID == nil || *e.CompanyID != co.ID || field(t, e.After, "name") != "Acme Dental" || string(e.Before) != "null" {
		t.Errorf("create audit = %+v; want company_id %d, after.name, no before", e, co.ID)
	}

	up, err := db.UpdateCompany(c, co.ID, codex.CompanyPatch{Phone: strp("555-0100"), Kind: ptrTo(codex.KindVendor)})
	if err != nil {
		t.Fatal(err)
	}
	if up.Phone != "555-0100" || up.Kind != codex.KindVendor || up.Name != "Acme Dental" || *up.AccountNumber != "ACME-1" {
		t.Errorf("UpdateCompany = %+v; want phone and kind changed, the rest kept", up)
	}
	e = lastAudit(t, db, "company", co.ID, "update")
	if field(t, e.Before, "phone") != "" || field(t, e.After, "phone") != "555-0100" {
		t.Errorf("update audit before/after phone = %v/%v; want \"\"/555-0100", field(t, e.Before, "phone"), field(t, e.After, "phone"))
	}
	// Clearing the account number with an empty patch value.
	if up, err = db.UpdateCompany(c, co.ID, codex.CompanyPatch{AccountNumber: strp("")}); err != nil || up.AccountNumber != nil {
		t.Fatalf("UpdateCompany(clear account) = %v, %v; want nil account number", up, err)
	}
	// An empty patch changes nothing and writes no audit entry.
	n := len(auditOf(t, db, "company", co.ID))
	if _, err := db.UpdateCompany(c, co.ID, codex.CompanyPatch{}); err != nil {
		t.Fatal(err)
	}
	if got := len(auditOf(t, db, "company", co.ID)); got != n {
		t.Errorf("audit entries after an empty patch = %d; want %d", got, n)
	}

	arch, err := db.ArchiveCompany(c, co.ID)
	if err != nil || arch.ArchivedAt == nil {
		t.Fatalf("ArchiveCompany = %v, %v; want archived_at set", arch, err)
	}
	lastAudit(t, db, "company", co.ID, "archive")
	pg, err := db.Companies(c, codex.CompanyFilter{Search: "Acme Dental"}, codex.PageArgs{})
	if err != nil || len(pg.Items) != 0 {
		t.Errorf("Companies(default) after archive = %d rows, %v; want 0", len(pg.Items), err)
	}
	pg, err = db.Companies(c, codex.CompanyFilter{Search: "Acme Dental", IncludeArchived: true}, codex.PageArgs{})
	if err != nil || len(pg.Items) != 1 {
		t.Errorf("Companies(IncludeArchived) = %d rows, %v; want 1", len(pg.Items), err)
	}
	pg, err = db.Companies(c, codex.CompanyFilter{OnlyArchived: true, Scope: []int64{co.ID}}, codex.PageArgs{})
	if err != nil || len(pg.Items) != 1 {
		t.Errorf("Companies(OnlyArchived) = %d rows, %v; want 1", len(pg.Items), err)
	}
	res, err := db.RestoreCompany(c, co.ID)
	if err != nil || res.ArchivedAt != nil {
		t.Fatalf("RestoreCompany = %v, %v; want archived_at cleared", res, err)
	}
	lastAudit(t, db, "company", co.ID, "restore")
}

func ptrTo[T any](v T) *T { return &v }

func testCompanyFilters(t *testing.T, db *store.DB) {
	c := ctx(t)
	root := newCompany(t, db, uniqueName("Filter Root"), func(co *codex.Company) { co.AccountNumber = strp(uniqueName("FR")) })
	kid := newCompany(t, db, uniqueName("Filter Kid"), under(root), func(co *codex.Company) {
		co.Kind = codex.KindVendor
		co.Domains = []string{"kidcorp.example"}
		co.Description = "Sells PRINTERS"
	})
	grand := newCompany(t, db, uniqueName("Filter Grand"), under(kid), func(co *codex.Company) {
		co.Status = codex.StatusInactive
		co.ComplianceLevel = codex.ComplianceCJIS
	})
	scope := []int64{root.ID, kid.ID, grand.ID}
	tests := []struct {
		name string
		f    codex.CompanyFilter
		want []int64
	}{
		{"search name, any case", codex.CompanyFilter{Search: "filter KID"}, []int64{kid.ID}},
		{"search description", codex.CompanyFilter{Search: "printers"}, []int64{kid.ID}},
		{"search domains", codex.CompanyFilter{Search: "kidcorp"}, []int64{kid.ID}},
		{"search account number", codex.CompanyFilter{Search: *root.AccountNumber}, []int64{root.ID}},
		{"search wildcard is literal", codex.CompanyFilter{Search: "%"}, nil},
		{"parent", codex.CompanyFilter{ParentID: &root.ID}, []int64{kid.ID}},
		{"roots only", codex.CompanyFilter{RootsOnly: true}, []int64{root.ID}},
		{"subtree", codex.CompanyFilter{SubtreeOf: &kid.ID}, []int64{kid.ID, grand.ID}},
		{"kind", codex.CompanyFilter{Kind: []codex.CompanyKind{codex.KindVendor}}, []int64{kid.ID}},
		{"status", codex.CompanyFilter{Status: []codex.CompanyStatus{codex.StatusInactive}}, []int64{grand.ID}},
		{"compliance", codex.CompanyFilter{ComplianceLevel: []codex.ComplianceLevel{codex.ComplianceCJIS, codex.ComplianceHIPAA}}, []int64{grand.ID}},
		{"account number", codex.CompanyFilter{AccountNumber: *root.AccountNumber}, []int64{root.ID}},
		{"empty scope", codex.CompanyFilter{Scope: []int64{}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f
			if f.Scope == nil {
				f.Scope = scope
			}
			pg, err := db.Companies(c, f, codex.PageArgs{WantTotal: true})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, co := range pg.Items {
				got = append(got, co.ID)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) || pg.TotalCount != len(tt.want) {
				t.Errorf("Companies(%+v) = %v (total %d); want %v", tt.f, got, pg.TotalCount, tt.want)
			}
		})
	}
	// Orders.
	pg, err := db.Companies(c, codex.CompanyFilter{Scope: scope, Order: codex.Order{Field: "name", Desc: true}}, codex.PageArgs{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := companyNames(pg.Items), []string{root.Name, kid.Name, grand.Name}; !slices.Equal(got, want) {
		t.Errorf("Companies(name desc) = %v; want %v", got, want)
	}
	pg, err = db.Companies(c, codex.CompanyFilter{Scope: scope, Order: codex.Order{Field: "account_number"}}, codex.PageArgs{})
	if err != nil {
		t.Fatal(err)
	}
	if got := pg.Items[0].ID; got != root.ID {
		t.Errorf("Companies(account_number) first = %d; want %d (NULLs last)", got, root.ID)
	}
	_, err = db.Companies(c, codex.CompanyFilter{Order: codex.Order{Field: "phone"}}, codex.PageArgs{})
	wantErr(t, "Companies(order phone)", err, codex.Invalid, "order_by")
	// EachCompany streams the same rows.
	var each []int64
	if err := db.EachCompany(c, codex.CompanyFilter{SubtreeOf: &root.ID}, func(co *codex.Company) error {
		each = append(each, co.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(each) != 3 {
		t.Errorf("EachCompany(subtree) = %v; want 3 companies", each)
	}
	got, err := db.CompanyByAccountNumber(c, *root.AccountNumber)
	if err != nil || got.ID != root.ID {
		t.Errorf("CompanyByAccountNumber = %v, %v; want %d", got, err, root.ID)
	}
	_, err = db.CompanyByAccountNumber(c, "NOPE")
	wantErr(t, "CompanyByAccountNumber(NOPE)", err, codex.NotFound, "")
}

func testCompanyErrors(t *testing.T, db *store.DB) {
	c := ctx(t)
	_, err := db.Company(c, 999999)
	wantErr(t, "Company(999999)", err, codex.NotFound, "")
	if got, want := codex.ErrorMessage(err), "company 999999 not found"; got != want {
		t.Errorf("Company(999999) message = %q; want %q", got, want)
	}
	acct := uniqueName("DUP")
	newCompany(t, db, "First", func(co *codex.Company) { co.AccountNumber = &acct })
	dup := &codex.Company{Name: "Second", AccountNumber: &acct}
	err = db.CreateCompany(c, dup)
	wantErr(t, "CreateCompany(duplicate account)", err, codex.Conflict, "account_number")
	if dup.ID != 0 {
		t.Errorf("failed CreateCompany left id %d; want 0", dup.ID)
	}
	other := newCompany(t, db, "Third")
	_, err = db.UpdateCompany(c, other.ID, codex.CompanyPatch{AccountNumber: &acct})
	wantErr(t, "UpdateCompany(duplicate account)", err, codex.Conflict, "account_number")

	err = db.CreateCompany(c, &codex.Company{Name: "Orphan", ParentID: i64(999999)})
	wantErr(t, "CreateCompany(unknown parent)", err, codex.Invalid, "parent_id")
	err = db.CreateCompany(c, &codex.Company{Name: "Bad contact", BillingContactID: i64(999999)})
	wantErr(t, "CreateCompany(unknown billing contact)", err, codex.Invalid, "billing_contact_id")
	err = db.CreateCompany(c, &codex.Company{Name: " "})
	wantErr(t, "CreateCompany(blank name)", err, codex.Invalid, "name")
	err = db.CreateCompany(c, &codex.Company{Name: "x", Kind: "reseller"})
	wantErr(t, "CreateCompany(bad kind)", err, codex.Invalid, "kind")
	_, err = db.UpdateCompany(c, 999999, codex.CompanyPatch{Name: strp("x")})
	wantErr(t, "UpdateCompany(999999)", err, codex.NotFound, "")
	_, err = db.ArchiveCompany(c, 999999)
	wantErr(t, "ArchiveCompany(999999)", err, codex.NotFound, "")
	_, err = db.Companies(c, codex.CompanyFilter{}, codex.PageArgs{After: "garbage"})
	wantErr(t, "Companies(after garbage)", err, codex.Invalid, "after")
	_, err = db.Companies(c, codex.CompanyFilter{}, codex.PageArgs{Before: "e30"})
	wantErr(t, "Companies(before {})", err, codex.Invalid, "before")
	_, err = db.Companies(c, codex.CompanyFilter{}, codex.PageArgs{First: intp(10001)})
	wantErr(t, "Companies(first 10001)", err, codex.Invalid, "first")
}

func testCompanyTree(t *testing.T, db *store.DB) {
	c := ctx(t)
	root := newCompany(t, db, uniqueName("Tree Root"))
	b := newCompany(t, db, "B", under(root))
	a := newCompany(t, db, "A", under(root))
	a1 := newCompany(t, db, "A1", under(a))
	b1 := newCompany(t, db, "B1", under(b))
	a1x := newCompany(t, db, "A1x", under(a1))
	gone := newCompany(t, db, "Gone", under(root))
	if _, err := db.ArchiveCompany(c, gone.ID); err != nil {
		t.Fatal(err)
	}

	anc, err := db.Ancestors(c, a1x.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := companyNames(anc), []string{"A1", "A", root.Name}; !slices.Equal(got, want) {
		t.Errorf("Ancestors(A1x) = %v; want %v", got, want)
	}
	if anc, err := db.Ancestors(c, root.ID); err != nil || len(anc) != 0 {
		t.Errorf("Ancestors(root) = %v, %v; want none", anc, err)
	}
	_, err = db.Ancestors(c, 999999)
	wantErr(t, "Ancestors(999999)", err, codex.NotFound, "")

	tests := []struct {
		depth int
		want  []string
	}{
		{0, []string{"A", "B", "A1", "B1", "A1x"}},
		{1, []string{"A", "B"}},
		{2, []string{"A", "B", "A1", "B1"}},
	}
	for _, tt := range tests {
		got, err := db.Descendants(c, root.ID, tt.depth)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(companyNames(got), tt.want) {
			t.Errorf("Descendants(root, %d) = %v; want %v", tt.depth, companyNames(got), tt.want)
		}
	}
	_, err = db.Descendants(c, 999999, 0)
	wantErr(t, "Descendants(999999)", err, codex.NotFound, "")
	_ = b1
}

func testCompanyMove(t *testing.T, db *store.DB) {
	c := ctx(t)
	root := newCompany(t, db, uniqueName("Move Root"))
	child := newCompany(t, db, "Child", under(root))
	grand := newCompany(t, db, "Grand", under(child))
	other := newCompany(t, db, uniqueName("Other Root"))

	cycles := []struct {
		name   string
		parent int64
	}{
		{"self", root.ID},
		{"child", child.ID},
		{"grandchild", grand.ID},
		{"unknown parent", 999999},
	}
	for _, tt := range cycles {
		_, err := db.MoveCompany(c, root.ID, &tt.parent)
		wantErr(t, "MoveCompany(root under "+tt.name+")", err, codex.Invalid, "parent_id")
	}
	if got, _ := db.Company(c, root.ID); got.ParentID != nil {
		t.Errorf("a rejected move changed the parent to %d", *got.ParentID)
	}

	moved, err := db.MoveCompany(c, child.ID, &other.ID)
	if err != nil {
		t.Fatal(err)
	}
	if moved.ParentID == nil || *moved.ParentID != other.ID {
		t.Errorf("MoveCompany(child under other) parent = %v; want %d", moved.ParentID, other.ID)
	}
	e := lastAudit(t, db, "company", child.ID, "move")
	if field(t, e.Before, "parent_id") != float64(root.ID) || field(t, e.After, "parent_id") != float64(other.ID) {
		t.Errorf("move audit parent before/after = %v/%v; want %d/%d", field(t, e.Before, "parent_id"), field(t, e.After, "parent_id"), root.ID, other.ID)
	}
	anc, _ := db.Ancestors(c, grand.ID)
	if got, want := companyNames(anc), []string{"Child", other.Name}; !slices.Equal(got, want) {
		t.Errorf("Ancestors(grand) after move = %v; want %v", got, want)
	}
	// Now root may go under grand's old branch? root is no longer above child: allowed.
	if _, err := db.MoveCompany(c, root.ID, &grand.ID); err != nil {
		t.Errorf("MoveCompany(root under grand) after child left = %v; want allowed", err)
	}
	made, err := db.MoveCompany(c, root.ID, nil)
	if err != nil || made.ParentID != nil {
		t.Errorf("MoveCompany(root, nil) = %v, %v; want a root", made, err)
	}
	_, err = db.MoveCompany(c, 999999, nil)
	wantErr(t, "MoveCompany(999999)", err, codex.NotFound, "")
}

func testEffectiveSettings(t *testing.T, db *store.DB) {
	c := ctx(t)
	top := newCompany(t, db, uniqueName("Settings Top"), func(co *codex.Company) {
		co.Settings = map[string]string{"timezone": "UTC", "sla": "gold", "portal": "on"}
	})
	mid := newCompany(t, db, "Settings Mid", under(top), func(co *codex.Company) {
		co.Settings = map[string]string{"sla": "silver"}
	})
	leaf := newCompany(t, db, "Settings Leaf", under(mid), func(co *codex.Company) {
		co.Settings = map[string]string{"portal": "off", "own": "yes"}
	})
	tests := []struct {
		id   int64
		want map[string]string
	}{
		{top.ID, map[string]string{"timezone": "UTC", "sla": "gold", "portal": "on"}},
		{mid.ID, map[string]string{"timezone": "UTC", "sla": "silver", "portal": "on"}},
		{leaf.ID, map[string]string{"timezone": "UTC", "sla": "silver", "portal": "off", "own": "yes"}},
	}
	for _, tt := range tests {
		got, err := db.EffectiveSettings(c, tt.id)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(got, tt.want) {
			t.Errorf("EffectiveSettings(%d) = %v; want %v", tt.id, got, tt.want)
		}
	}
	_, err := db.EffectiveSettings(c, 999999)
	wantErr(t, "EffectiveSettings(999999)", err, codex.NotFound, "")
}

func testCompanyBatch(t *testing.T, db *store.DB) {
	c := ctx(t)
	p1 := newCompany(t, db, uniqueName("Batch P1"))
	p2 := newCompany(t, db, uniqueName("Batch P2"))
	for _, n := range []string{"c", "a", "b"} {
		newCompany(t, db, n, under(p1))
	}
	archived := newCompany(t, db, "archived kid", under(p2))
	db.ArchiveCompany(c, archived.ID)

	counter := storetest.CountQueries(db)
	got, errs := db.CompaniesByIDs(c, []int64{p2.ID, 999999, p1.ID, p2.ID})
	if counter.Count() != 1 {
		t.Errorf("CompaniesByIDs ran %d statements; want 1:\n%s", counter.Count(), counter)
	}
	if got[0].ID != p2.ID || got[1] != nil || got[2].ID != p1.ID || got[3].ID != p2.ID {
		t.Errorf("CompaniesByIDs = %v; want [p2 nil p1 p2]", got)
	}
	if errs == nil || errs[0] != nil || !codex.IsNotFound(errs[1]) || errs[2] != nil {
		t.Errorf("CompaniesByIDs errs = %v; want NotFound for the missing key only", errs)
	}
	if got, errs := db.CompaniesByIDs(c, []int64{p1.ID}); errs != nil || len(got) != 1 {
		t.Errorf("CompaniesByIDs(found) = %v, %v; want one company, nil errors", got, errs)
	}

	counter.Reset()
	kids, err := db.ChildrenByParents(c, []int64{p2.ID, p1.ID, 999999}, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if counter.Count() != 1 {
		t.Errorf("ChildrenByParents ran %d statements; want 1", counter.Count())
	}
	if len(kids) != 3 || len(kids[0]) != 0 || kids[0] == nil || !slices.Equal(companyNames(kids[1]), []string{"a", "b", "c"}) || kids[2] == nil {
		t.Errorf("ChildrenByParents = %v; want [[] [a b c] []]", kids)
	}
	kids, err = db.ChildrenByParents(c, []int64{p1.ID, p2.ID}, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(companyNames(kids[0]), []string{"a", "b"}) || len(kids[1]) != 0 {
		t.Errorf("ChildrenByParents(limit 2) = %v; want [[a b] []]", kids)
	}

	newAsset(t, db, p1.ID, "pc1")
	newAsset(t, db, p1.ID, "pc2")
	newAsset(t, db, p1.ID, "srv", func(a *codex.Asset) { a.Type = codex.AssetServer })
	gone := newAsset(t, db, p1.ID, "gone", func(a *codex.Asset) { a.Type = codex.AssetServer })
	db.ArchiveAsset(c, gone.ID)
	counts, err := db.AssetCountsByType(c, []int64{p2.ID, p1.ID})
	if err != nil {
		t.Fatal(err)
	}
	want := []codex.TypeCount{{Type: codex.AssetServer, Count: 1}, {Type: codex.AssetWorkstation, Count: 2}}
	if len(counts[0]) != 0 || !slices.Equal(counts[1], want) {
		t.Errorf("AssetCountsByType = %v; want [[] %v]", counts, want)
	}
	for i, st := range []codex.TicketStatus{codex.TicketOpen, codex.TicketPending, codex.TicketClosed} {
		if _, err := db.SaveTicket(c, &codex.Ticket{Source: "test", ExternalID: uniqueName("T"), CompanyID: p2.ID,
			Subject: "s", Status: st, Priority: codex.PriorityLow}); err != nil {
			t.Fatal(i, err)
		}
	}
	open, err := db.OpenTicketCounts(c, []int64{p1.ID, p2.ID})
	if err != nil || !slices.Equal(open, []int{0, 2}) {
		t.Errorf("OpenTicketCounts = %v, %v; want [0 2]", open, err)
	}
	if empty, err := db.OpenTicketCounts(c, nil); err != nil || len(empty) != 0 {
		t.Errorf("OpenTicketCounts(nil) = %v, %v; want []", empty, err)
	}
}

func testLocations(t *testing.T, db *store.DB) {
	c := ctx(t)
	co := newCompany(t, db, uniqueName("Locations"))
	l := &codex.Location{CompanyID: co.ID, Name: "HQ", Address: codex.Address{City: "Shelbyville"}}
	if err := db.CreateLocation(c, l); err != nil {
		t.Fatal(err)
	}
	lastAudit(t, db, "location", l.ID, "create")
	branch := &codex.Location{CompanyID: co.ID, Name: "Branch"}
	if err := db.CreateLocation(c, branch); err != nil {
		t.Fatal(err)
	}
	err := db.CreateLocation(c, &codex.Location{CompanyID: 999999, Name: "x"})
	wantErr(t, "CreateLocation(unknown company)", err, codex.Invalid, "company_id")
	up, err := db.UpdateLocation(c, l.ID, codex.LocationPatch{Phone: strp("555")})
	if err != nil || up.Phone != "555" || up.Address.City != "Shelbyville" {
		t.Fatalf("UpdateLocation = %+v, %v; want phone set, address kept", up, err)
	}
	lastAudit(t, db, "location", l.ID, "update")
	if _, err := db.ArchiveLocation(c, branch.ID); err != nil {
		t.Fatal(err)
	}
	lastAudit(t, db, "location", branch.ID, "archive")
	got, err := db.Location(c, l.ID)
	if err != nil || got.Name != "HQ" {
		t.Errorf("Location = %v, %v", got, err)
	}
	locs, err := db.LocationsByCompanies(c, []int64{co.ID, 999999})
	if err != nil || len(locs[0]) != 1 || locs[0][0].ID != l.ID || len(locs[1]) != 0 {
		t.Errorf("LocationsByCompanies = %v, %v; want [[HQ] []]", locs, err)
	}
	_, err = db.Location(context.Background(), 999999)
	wantErr(t, "Location(999999)", err, codex.NotFound, "")
}
