package store_test

import (
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

func contactNames(cs []*codex.Contact) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name()
	}
	return out
}

func TestContacts(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		t.Run("Lifecycle", func(t *testing.T) { testContactLifecycle(t, db) })
		t.Run("Assignments", func(t *testing.T) { testContactAssignments(t, db) })
		t.Run("Filters", func(t *testing.T) { testContactFilters(t, db) })
		t.Run("Batch", func(t *testing.T) { testContactBatch(t, db) })
		t.Run("Rollback", func(t *testing.T) { testContactRollback(t, db) })
		t.Run("PlatformFields", func(t *testing.T) { testContactPlatformFields(t, db) })
	})
}

// testContactPlatformFields: secondary e-mails and the employment type round-trip through
// every read (bun's and the direct scan of a projection), patch, and are validated.
func testContactPlatformFields(t *testing.T, db *store.DB) {
	c := ctx(t)
	co := newCompany(t, db, uniqueName("Platform Co"))
	plain := newContact(t, db, co.ID, "Plain Person")
	ct := newContact(t, db, co.ID, "Grace Hopper", func(ct *codex.Contact) {
		ct.SecondaryEmails = []string{"grace@home.example", "gh@navy.example"}
		ct.EmploymentType = "Full Time"
	})
	want := []string{"grace@home.example", "gh@navy.example"}
	got, err := db.Contact(c, ct.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.SecondaryEmails, want) || got.EmploymentType != "Full Time" {
		t.Errorf("Contact = %q, %q; want %q, Full Time", got.SecondaryEmails, got.EmploymentType, want)
	}
	if got, _ := db.Contact(c, plain.ID); got.SecondaryEmails == nil || len(got.SecondaryEmails) != 0 || got.EmploymentType != "" {
		t.Errorf("plain Contact = %#v, %q; want [] and empty", got.SecondaryEmails, got.EmploymentType)
	}
	for _, cols := range [][]string{nil, {"employment_type"}, {"secondary_emails", "employment_type"}} {
		groups, err := db.ContactsByCompanies(c, []int64{co.ID}, codex.ContactFilter{Columns: cols}, 0)
		if err != nil || len(groups) != 1 {
			t.Fatalf("ContactsByCompanies(%v) = %v, %v", cols, groups, err)
		}
		found := false
		for _, g := range groups[0] {
			if g.ID != ct.ID {
				continue
			}
			found = true
			if g.EmploymentType != "Full Time" {
				t.Errorf("ContactsByCompanies(%v) employment = %q; want Full Time", cols, g.EmploymentType)
			}
			if cols == nil || slices.Contains(cols, "secondary_emails") {
				if !slices.Equal(g.SecondaryEmails, want) {
					t.Errorf("ContactsByCompanies(%v) secondary = %q; want %q", cols, g.SecondaryEmails, want)
				}
			}
		}
		if !found {
			t.Errorf("ContactsByCompanies(%v) misses the contact", cols)
		}
	}
	up, err := db.UpdateContact(c, ct.ID, codex.ContactPatch{SecondaryEmails: &[]string{}, EmploymentType: strp("Contractor")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ = db.Contact(c, ct.ID)
	if len(up.SecondaryEmails) != 0 || got.SecondaryEmails == nil || len(got.SecondaryEmails) != 0 || got.EmploymentType != "Contractor" {
		t.Errorf("after patch = %#v, %q; want [] and Contractor", got.SecondaryEmails, got.EmploymentType)
	}
	_, err = db.UpdateContact(c, ct.ID, codex.ContactPatch{SecondaryEmails: &[]string{"not an address"}})
	wantErr(t, "UpdateContact(bad secondary e-mail)", err, codex.Invalid, "secondary_emails")
	many := make([]string, codex.MaxItems+1)
	for i := range many {
		many[i] = "a" + strconv.Itoa(i) + "@example.com"
	}
	_, err = db.UpdateContact(c, ct.ID, codex.ContactPatch{SecondaryEmails: &many})
	wantErr(t, "UpdateContact(too many secondary e-mails)", err, codex.Invalid, "secondary_emails")
}

func testContactLifecycle(t *testing.T, db *store.DB) {
	c := ctx(t)
	co := newCompany(t, db, uniqueName("Contact Co"))
	ct := newContact(t, db, co.ID, "Ada Lovelace", func(ct *codex.Contact) {
		ct.Email = "ada@example.com"
		ct.Roles = []string{"technical", "billing"}
		ct.Designation = codex.DesignationPrimary
	})
	got, err := db.Contact(c, ct.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.DisplayName != "Ada Lovelace" || got.Designation != codex.DesignationPrimary || got.ForCompanyID != co.ID ||
		!slices.Equal(got.Roles, []string{"technical", "billing"}) || !got.Active {
		t.Errorf("Contact = %+v; want display name derived, designation primary, roles kept", got)
	}
	e := lastAudit(t, db, "contact", ct.ID, "create")
	if field(t, e.After, "designation") != "primary" {
		t.Errorf("create audit designation = %v; want primary", field(t, e.After, "designation"))
	}
	up, err := db.UpdateContact(c, ct.ID, codex.ContactPatch{Title: strp("CTO"), Designation: ptrTo(codex.DesignationSecondary)})
	if err != nil {
		t.Fatal(err)
	}
	if up.Title != "CTO" || up.Designation != codex.DesignationSecondary || up.Email != "ada@example.com" {
		t.Errorf("UpdateContact = %+v; want title and designation changed", up)
	}
	if got, _ := db.Contact(c, ct.ID); got.Designation != codex.DesignationSecondary {
		t.Errorf("Contact after designation patch = %q; want secondary", got.Designation)
	}
	e = lastAudit(t, db, "contact", ct.ID, "update")
	if field(t, e.Before, "designation") != "primary" || field(t, e.After, "designation") != "secondary" {
		t.Errorf("update audit designation = %v -> %v; want primary -> secondary", field(t, e.Before, "designation"), field(t, e.After, "designation"))
	}
	if _, err := db.ArchiveContact(c, ct.ID); err != nil {
		t.Fatal(err)
	}
	lastAudit(t, db, "contact", ct.ID, "archive")
	pg, _ := db.Contacts(c, codex.ContactFilter{CompanyID: &co.ID}, codex.PageArgs{})
	if len(pg.Items) != 0 {
		t.Errorf("Contacts after archive = %d; want 0", len(pg.Items))
	}
	pg, _ = db.Contacts(c, codex.ContactFilter{CompanyID: &co.ID, IncludeArchived: true}, codex.PageArgs{})
	if len(pg.Items) != 1 {
		t.Errorf("Contacts(IncludeArchived) = %d; want 1", len(pg.Items))
	}
	if _, err := db.RestoreContact(c, ct.ID); err != nil {
		t.Fatal(err)
	}
	lastAudit(t, db, "contact", ct.ID, "restore")

	err = db.CreateContact(c, &codex.Contact{CompanyID: 999999, FirstName: "No", LastName: "Body"})
	wantErr(t, "CreateContact(unknown company)", err, codex.Invalid, "company_id")
	if msg := codex.ErrorFields(err)["company_id"]; msg != "company 999999 does not exist" {
		t.Errorf("company_id message = %q; want %q", msg, "company 999999 does not exist")
	}
	err = db.CreateContact(c, &codex.Contact{CompanyID: co.ID, FirstName: "Bad", Email: "not an email"})
	wantErr(t, "CreateContact(bad email)", err, codex.Invalid, "email")
	_, err = db.Contact(c, 999999)
	wantErr(t, "Contact(999999)", err, codex.NotFound, "")
	_, err = db.UpdateContact(c, 999999, codex.ContactPatch{Title: strp("x")})
	wantErr(t, "UpdateContact(999999)", err, codex.NotFound, "")
}

func testContactAssignments(t *testing.T, db *store.DB) {
	c := ctx(t)
	home := newCompany(t, db, uniqueName("Home"))
	sub := newCompany(t, db, uniqueName("Sub"))
	next := newCompany(t, db, uniqueName("Next"))
	ct := newContact(t, db, home.ID, "Grace Hopper")

	if err := db.AssignContact(c, ct.ID, sub.ID, codex.DesignationPrimary); err != nil {
		t.Fatal(err)
	}
	e := lastAudit(t, db, "contact", ct.ID, "assign")
	if e.CompanyID == nil || *e.CompanyID != sub.ID || field(t, e.After, "designation") != "primary" {
		t.Errorf("assign audit = %+v; want company %d, designation primary", e, sub.ID)
	}
	// Listed for sub, the designation is the one at sub.
	pg, err := db.Contacts(c, codex.ContactFilter{CompanyID: &sub.ID}, codex.PageArgs{})
	if err != nil || len(pg.Items) != 1 || pg.Items[0].Designation != codex.DesignationPrimary || pg.Items[0].ForCompanyID != sub.ID {
		t.Fatalf("Contacts(sub) = %v, %v; want Grace, primary at sub", pg, err)
	}
	if got, _ := db.Contact(c, ct.ID); got.Designation != codex.DesignationNone {
		t.Errorf("home designation = %q; want none", got.Designation)
	}
	if err := db.AssignContact(c, ct.ID, sub.ID, codex.DesignationSecondary); err != nil {
		t.Fatal(err)
	}
	ccs, err := db.CompaniesOfContacts(c, []int64{ct.ID, 999999})
	if err != nil {
		t.Fatal(err)
	}
	if len(ccs[0]) != 2 || ccs[0][0].CompanyID != home.ID || ccs[0][1].CompanyID != sub.ID ||
		ccs[0][1].Designation != codex.DesignationSecondary || len(ccs[1]) != 0 {
		t.Errorf("CompaniesOfContacts = %+v; want [home, sub secondary] and []", ccs)
	}

	err = db.AssignContact(c, ct.ID, 999999, codex.DesignationNone)
	wantErr(t, "AssignContact(unknown company)", err, codex.Invalid, "company_id")
	err = db.AssignContact(c, 999999, sub.ID, codex.DesignationNone)
	wantErr(t, "AssignContact(unknown contact)", err, codex.NotFound, "")
	err = db.AssignContact(c, ct.ID, sub.ID, "boss")
	wantErr(t, "AssignContact(bad designation)", err, codex.Invalid, "designation")
	err = db.UnassignContact(c, ct.ID, home.ID)
	wantErr(t, "UnassignContact(home)", err, codex.Invalid, "company_id")
	err = db.UnassignContact(c, ct.ID, next.ID)
	wantErr(t, "UnassignContact(not assigned)", err, codex.NotFound, "")

	// Moving the home company moves the home assignment and keeps the designation.
	if _, err := db.UpdateContact(c, ct.ID, codex.ContactPatch{Designation: ptrTo(codex.DesignationPrimary)}); err != nil {
		t.Fatal(err)
	}
	moved, err := db.UpdateContact(c, ct.ID, codex.ContactPatch{CompanyID: &next.ID})
	if err != nil {
		t.Fatal(err)
	}
	if moved.CompanyID != next.ID || moved.Designation != codex.DesignationPrimary {
		t.Errorf("UpdateContact(move) = company %d, designation %q; want %d, primary", moved.CompanyID, moved.Designation, next.ID)
	}
	ccs, _ = db.CompaniesOfContacts(c, []int64{ct.ID})
	var got []int64
	for _, a := range ccs[0] {
		got = append(got, a.CompanyID)
	}
	if want := []int64{next.ID, sub.ID}; !slices.Equal(got, want) {
		t.Errorf("assignments after move = %v; want %v (home first, old home gone)", got, want)
	}
	// Moving home to a company the contact already serves keeps that designation.
	moved, err = db.UpdateContact(c, ct.ID, codex.ContactPatch{CompanyID: &sub.ID})
	if err != nil {
		t.Fatal(err)
	}
	if moved.Designation != codex.DesignationSecondary {
		t.Errorf("move to an assigned company: designation = %q; want secondary (kept from the assignment)", moved.Designation)
	}
	if err := db.UnassignContact(c, ct.ID, next.ID); err == nil {
		t.Errorf("UnassignContact(old home after move) = nil; want not assigned")
	}
	if err := db.AssignContact(c, ct.ID, home.ID, codex.DesignationNone); err != nil {
		t.Fatal(err)
	}
	if err := db.UnassignContact(c, ct.ID, home.ID); err != nil {
		t.Fatal(err)
	}
	e = lastAudit(t, db, "contact", ct.ID, "unassign")
	if field(t, e.Before, "company_id") != float64(home.ID) || string(e.After) != "null" {
		t.Errorf("unassign audit = before %s after %s; want the removed row, then null", e.Before, e.After)
	}
	_, err = db.UpdateContact(c, ct.ID, codex.ContactPatch{CompanyID: i64(999999)})
	wantErr(t, "UpdateContact(unknown company)", err, codex.Invalid, "company_id")
}

func testContactFilters(t *testing.T, db *store.DB) {
	c := ctx(t)
	root := newCompany(t, db, uniqueName("CF Root"))
	kid := newCompany(t, db, uniqueName("CF Kid"), under(root))
	outside := newCompany(t, db, uniqueName("CF Outside"))
	alan := newContact(t, db, root.ID, "Alan Turing", func(ct *codex.Contact) {
		ct.Email = "Alan@Example.com"
		ct.Roles = []string{"billing"}
		ct.Designation = codex.DesignationPrimary
		ct.PhoneWork = "+1 555 0100"
	})
	barb := newContact(t, db, kid.ID, "Barbara Liskov", func(ct *codex.Contact) {
		ct.Title = "Architect"
		ct.Active = false
	})
	carl := newContact(t, db, outside.ID, "Carl Sagan")
	if err := db.AssignContact(c, carl.ID, kid.ID, codex.DesignationSecondary); err != nil {
		t.Fatal(err)
	}
	scope := []int64{root.ID, kid.ID, outside.ID}
	tests := []struct {
		name string
		f    codex.ContactFilter
		want []int64
	}{
		{"search name", codex.ContactFilter{Search: "liskov"}, []int64{barb.ID}},
		{"search email", codex.ContactFilter{Search: "alan@example"}, []int64{alan.ID}},
		{"search phone", codex.ContactFilter{Search: "555 0100"}, []int64{alan.ID}},
		{"search title", codex.ContactFilter{Search: "architect"}, []int64{barb.ID}},
		{"company (home or assigned)", codex.ContactFilter{CompanyID: &kid.ID}, []int64{barb.ID, carl.ID}},
		{"subtree", codex.ContactFilter{SubtreeOf: &root.ID}, []int64{alan.ID, barb.ID, carl.ID}},
		{"designation at home", codex.ContactFilter{Designation: []codex.Designation{codex.DesignationPrimary}}, []int64{alan.ID}},
		{"designation at company", codex.ContactFilter{CompanyID: &kid.ID, Designation: []codex.Designation{codex.DesignationSecondary}}, []int64{carl.ID}},
		{"role", codex.ContactFilter{Role: "billing"}, []int64{alan.ID}},
		{"email, any case", codex.ContactFilter{Email: "alan@EXAMPLE.com"}, []int64{alan.ID}},
		{"inactive", codex.ContactFilter{Active: boolp(false)}, []int64{barb.ID}},
		{"scope by serving company", codex.ContactFilter{Scope: []int64{kid.ID}}, []int64{barb.ID, carl.ID}},
		{"empty scope", codex.ContactFilter{Scope: []int64{}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f
			if f.Scope == nil {
				f.Scope = scope
			}
			pg, err := db.Contacts(c, f, codex.PageArgs{WantTotal: true})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, ct := range pg.Items {
				got = append(got, ct.ID)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) || pg.TotalCount != len(tt.want) {
				t.Errorf("Contacts(%+v) = %v (total %d); want %v", tt.f, got, pg.TotalCount, tt.want)
			}
		})
	}
	var each []string
	if err := db.EachContact(c, codex.ContactFilter{SubtreeOf: &root.ID, Order: codex.Order{Field: "name", Desc: true}}, func(ct *codex.Contact) error {
		each = append(each, ct.Name())
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"Carl Sagan", "Barbara Liskov", "Alan Turing"}; !slices.Equal(each, want) {
		t.Errorf("EachContact(name desc) = %v; want %v", each, want)
	}
	stop := errors.New("stop")
	if err := db.EachContact(c, codex.ContactFilter{SubtreeOf: &root.ID}, func(*codex.Contact) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("EachContact(fn fails) = %v; want fn's error", err)
	}
}

func testContactBatch(t *testing.T, db *store.DB) {
	c := ctx(t)
	a := newCompany(t, db, uniqueName("Batch A"))
	b := newCompany(t, db, uniqueName("Batch B"))
	empty := newCompany(t, db, uniqueName("Batch Empty"))
	var aContacts []*codex.Contact
	for _, n := range []string{"Eve E", "Dan D", "Cat C", "Bob B"} {
		aContacts = append(aContacts, newContact(t, db, a.ID, n))
	}
	shared := newContact(t, db, b.ID, "Ann A")
	if err := db.AssignContact(c, shared.ID, a.ID, codex.DesignationPrimary); err != nil {
		t.Fatal(err)
	}

	counter := storetest.CountQueries(db)
	got, err := db.ContactsByCompanies(c, []int64{b.ID, empty.ID, a.ID}, codex.ContactFilter{}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if counter.Count() != 1 {
		t.Errorf("ContactsByCompanies ran %d statements; want 1", counter.Count())
	}
	if !slices.Equal(contactNames(got[0]), []string{"Ann A"}) || got[1] == nil || len(got[1]) != 0 ||
		!slices.Equal(contactNames(got[2]), []string{"Ann A", "Bob B", "Cat C"}) {
		t.Errorf("ContactsByCompanies(limit 3) = %v / %v / %v; want [Ann] [] [Ann Bob Cat]", contactNames(got[0]), contactNames(got[1]), contactNames(got[2]))
	}
	if got[2][0].Designation != codex.DesignationPrimary || got[2][0].ForCompanyID != a.ID || got[0][0].Designation != codex.DesignationNone {
		t.Errorf("Ann's designation at A = %q (for %d), at B = %q; want primary at A, none at B", got[2][0].Designation, got[2][0].ForCompanyID, got[0][0].Designation)
	}
	all, err := db.ContactsByCompanies(c, []int64{a.ID}, codex.ContactFilter{}, 0)
	if err != nil || len(all[0]) != 5 {
		t.Errorf("ContactsByCompanies(no limit) = %d, %v; want 5", len(all[0]), err)
	}
	prim, err := db.ContactsByCompanies(c, []int64{a.ID, b.ID}, codex.ContactFilter{Designation: []codex.Designation{codex.DesignationPrimary}}, 10)
	if err != nil || len(prim[0]) != 1 || len(prim[1]) != 0 {
		t.Errorf("ContactsByCompanies(primary) = %v, %v; want [[Ann] []]", prim, err)
	}
	counter.Reset()
	counts, err := db.CountContactsByCompanies(c, []int64{a.ID, empty.ID, b.ID}, codex.ContactFilter{})
	if err != nil || !slices.Equal(counts, []int{5, 0, 1}) || counter.Count() != 1 {
		t.Errorf("CountContactsByCompanies = %v, %v in %d statements; want [5 0 1] in 1", counts, err, counter.Count())
	}
	byID, errs := db.ContactsByIDs(c, []int64{aContacts[1].ID, 999999, shared.ID})
	if byID[0].ID != aContacts[1].ID || byID[1] != nil || byID[2].ID != shared.ID || errs == nil || !codex.IsNotFound(errs[1]) {
		t.Errorf("ContactsByIDs = %v, %v; want [Dan nil Ann] with NotFound for 999999", byID, errs)
	}
}

func testContactRollback(t *testing.T, db *store.DB) {
	c := ctx(t)
	co := newCompany(t, db, uniqueName("Rollback"))
	boom := errors.New("boom")
	store.SetFailpoint(db, func(name string) error {
		if name == "contact.inserted" || name == "contact.updated" {
			return boom
		}
		return nil
	})
	t.Cleanup(func() { store.SetFailpoint(db, nil) })

	before := auditCount(t, db)
	ct := &codex.Contact{CompanyID: co.ID, FirstName: "Half", LastName: "Way"}
	err := db.CreateContact(c, ct)
	if !errors.Is(err, boom) {
		t.Fatalf("CreateContact with a failing second step = %v; want boom", err)
	}
	pg, _ := db.Contacts(c, codex.ContactFilter{CompanyID: &co.ID, IncludeArchived: true}, codex.PageArgs{})
	var n int
	cnt, _ := db.Bun().NewSelect().Table("contacts").Where("company_id = ?", co.ID).Count(c)
	n += cnt
	if len(pg.Items) != 0 || n != 0 || ct.ID != 0 || auditCount(t, db) != before {
		t.Errorf("after a failed create: %d listed, %d rows, id %d, %d new audit entries; want nothing left behind",
			len(pg.Items), n, ct.ID, auditCount(t, db)-before)
	}

	store.SetFailpoint(db, nil)
	kept := newContact(t, db, co.ID, "Kept Person")
	other := newCompany(t, db, uniqueName("Rollback Other"))
	store.SetFailpoint(db, func(name string) error {
		if name == "contact.updated" {
			return boom
		}
		return nil
	})
	before = auditCount(t, db)
	_, err = db.UpdateContact(c, kept.ID, codex.ContactPatch{CompanyID: &other.ID, Title: strp("Moved")})
	if !errors.Is(err, boom) {
		t.Fatalf("UpdateContact with a failing second step = %v; want boom", err)
	}
	got, _ := db.Contact(c, kept.ID)
	ccs, _ := db.CompaniesOfContacts(c, []int64{kept.ID})
	if got.CompanyID != co.ID || got.Title != "" || len(ccs[0]) != 1 || ccs[0][0].CompanyID != co.ID || auditCount(t, db) != before {
		t.Errorf("after a failed update: company %d, title %q, assignments %v, %d new audit entries; want unchanged",
			got.CompanyID, got.Title, ccs[0], auditCount(t, db)-before)
	}
}

// auditCount counts every audit entry.
func auditCount(t *testing.T, db *store.DB) int {
	t.Helper()
	n, err := db.Bun().NewSelect().Table("audit_log").Count(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	return n
}
