package syncer_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
	dattofake "github.com/hivematrix/codex/integrations/datto/fake"
	fsfake "github.com/hivematrix/codex/integrations/freshservice/fake"
	"github.com/hivematrix/codex/integrations/syncer"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// messyAccount is an upstream data set like a real MSP's: requesters nobody filed under a
// department, a department without an account number, machines with OEM placeholder
// serials and duplicate hostnames.
type messyAccount struct {
	noNumber                        int64 // the department without an account number
	byDomain, bySecondary, byTicket int64 // unfiled requesters placed by domain, secondary e-mail, ticket department
	lost                            int64 // an unfiled requester nothing places
	lostTicket, lostAsset           int64
	oemDevice, dupDevice, newDevice string
	noNumberSite                    string
	macDevice                       string
	macAsset                        int64
}

func newMessyAccount(e *env) *messyAccount {
	m := &messyAccount{}
	e.fs.Generate(2, 1, 0)
	d3 := e.fs.AddDepartment(fsfake.Department{Name: "NoNumber Ltd", Domains: []string{"nonumber.example"}})
	m.noNumber = d3.ID
	m.byDomain = e.fs.AddRequester(fsfake.Requester{FirstName: "Ann", PrimaryEmail: "ann@company0001.example", Active: true}).ID
	m.bySecondary = e.fs.AddRequester(fsfake.Requester{FirstName: "Bob", PrimaryEmail: "bob@mail.example",
		SecondaryEmails: []string{"bob@NoNumber.example"}, Active: true}).ID
	m.byTicket = e.fs.AddRequester(fsfake.Requester{FirstName: "Cy", PrimaryEmail: "cy@elsewhere.example", Active: true}).ID
	m.lost = e.fs.AddRequester(fsfake.Requester{FirstName: "Di", PrimaryEmail: "di@nowhere.example", Active: true}).ID
	dept2 := deptID(e, 2)
	at := time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)
	e.fs.AddTicket(fsfake.Ticket{Subject: "Printer", RequesterID: m.byTicket, DepartmentID: &dept2, Status: 2, Priority: 1, CreatedAt: at, UpdatedAt: at})
	m.lostTicket = e.fs.AddTicket(fsfake.Ticket{Subject: "Where am I", RequesterID: m.lost, Status: 2, Priority: 1, CreatedAt: at, UpdatedAt: at.Add(time.Minute)}).ID
	m.lostAsset = e.fs.AddAsset(fsfake.Asset{Name: "DI-LAPTOP", AssetTypeID: fsfake.DefaultAssetTypeID, UserID: &m.lost,
		Hostname: "DI-LAPTOP", SerialNumber: "To Be Filled By O.E.M.", AssetState: "In Use"}).ID
	// Company 1's machines: two with one OEM placeholder serial, two with one hostname.
	dept1 := deptID(e, 1)
	for _, a := range []struct{ host, serial string }{
		{"OEM-A", "To Be Filled By O.E.M."}, {"OEM-B", "To Be Filled By O.E.M."},
		{"DUP-PC", ""}, {"DUP-PC", "Default string"},
	} {
		e.fs.AddAsset(fsfake.Asset{Name: a.host, AssetTypeID: fsfake.DefaultAssetTypeID, DepartmentID: &dept1,
			Hostname: a.host, SerialNumber: a.serial, AssetState: "In Use"})
	}
	e.dt.Generate(2, 0)
	m.noNumberSite = e.dt.AddSite(dattofake.Site{Name: "NoNumber Ltd"}).UID
	site1 := siteUID(e, 1)
	m.oemDevice = e.dt.AddDevice(dattofake.Device{SiteUID: site1, Hostname: "OEM-A", SerialNumber: "To Be Filled By O.E.M."}).UID
	m.dupDevice = e.dt.AddDevice(dattofake.Device{SiteUID: site1, Hostname: "DUP-PC", SerialNumber: "Default string"}).UID
	m.newDevice = e.dt.AddDevice(dattofake.Device{SiteUID: site1, Hostname: "NEW-PC", SerialNumber: "0000000"}).UID
	// A machine the PSA and the RMM name differently, with a placeholder serial: one MAC.
	nic := e.dt.AddDevice(dattofake.Device{SiteUID: site1, Hostname: "DESKTOP-7Q2", SerialNumber: "System Serial Number"})
	m.macDevice = nic.UID
	mac := fmt.Sprintf("00-50-56-%02X-%02X-%02X", (nic.ID>>16)&0xff, (nic.ID>>8)&0xff, nic.ID&0xff)
	m.macAsset = e.fs.AddAsset(fsfake.Asset{Name: "Reception PC", AssetTypeID: fsfake.DefaultAssetTypeID, DepartmentID: &dept1,
		Hostname: "RECEPTION", SerialNumber: "System Serial Number", AssetState: "In Use",
		TypeFields: map[string]any{"mac_address_" + strconv.Itoa(fsfake.DefaultAssetTypeID): mac}}).ID
	return m
}

// deptID returns the id of the i-th generated department.
func deptID(e *env, i int) int64 {
	e.t.Helper()
	for id := int64(21000100001); id < 21000100100; id++ {
		if d, ok := e.fs.Department(id); ok && d.Name == fsfake.CompanyName(i) {
			return id
		}
	}
	e.t.Fatalf("no department %d", i)
	return 0
}

// triage returns the triage list.
func (e *env) triage() []*codex.TriageItem {
	e.t.Helper()
	n := 1000
	pg, err := e.svc.Triage.TriageItems(e.ctx, codex.TriageFilter{}, codex.PageArgs{First: &n})
	if err != nil {
		e.t.Fatalf("TriageItems = %v", err)
	}
	return pg.Items
}

// kept counts the upstream records of source and entity Codex holds: linked to a row, or
// in triage.
func (e *env) kept(source, entity string) int {
	return e.count("external_refs", "source = '"+source+"' AND entity = '"+entity+"'") +
		e.count("triage_items", "source = '"+source+"' AND entity = '"+entity+"'")
}

func TestSyncKeepsEveryRecord(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		m := newMessyAccount(e)

		run := e.run(syncerAll)
		if run.Status != codex.SyncSucceeded || run.Failed != 0 {
			t.Fatalf("first run = %s, %d failed; problems %v", run.Status, run.Failed, run.Problems)
		}
		// Nothing dropped: every upstream record has a row or waits in triage.
		depts, reqs, tickets, assets := e.fs.Counts()
		sites, devs, _ := e.dt.Counts()
		for _, c := range []struct {
			source, entity string
			want           int
		}{
			{codex.SourceFreshservice, codex.EntityCompany, depts},
			{codex.SourceFreshservice, codex.EntityContact, reqs},
			{codex.SourceFreshservice, codex.EntityTicket, tickets},
			{codex.SourceFreshservice, codex.EntityAsset, assets},
			{codex.SourceDatto, codex.EntityCompany, sites},
			{codex.SourceDatto, codex.EntityAsset, devs},
		} {
			if got := e.kept(c.source, c.entity); got != c.want {
				t.Errorf("%s %s kept = %d; want %d (every upstream record)", c.source, c.entity, got, c.want)
			}
		}
		wantCounts(t, run, "freshservice contact", codex.SyncCounts{Created: 5, Unassigned: 1})
		wantCounts(t, run, "freshservice ticket", codex.SyncCounts{Created: 1, Unassigned: 1})
		wantCounts(t, run, "freshservice asset", codex.SyncCounts{Created: 5, Unassigned: 1})
		// OEM-A matched on hostname (its serial is a placeholder), DESKTOP-7Q2 on its MAC,
		// DUP-PC is held (two assets have that hostname), NEW-PC is new.
		wantCounts(t, run, "datto asset", codex.SyncCounts{Created: 1, Updated: 2, Merged: 2, Held: 1})
		if got, want := e.ref(codex.SourceDatto, codex.EntityAsset, m.macDevice).EntityID,
			e.ref(codex.SourceFreshservice, codex.EntityAsset, itoa(m.macAsset)).EntityID; got != want {
			t.Errorf("device %s -> asset %d; want %d (the PSA asset with its MAC)", m.macDevice, got, want)
		}

		var summary bytes.Buffer
		syncer.WriteSummary(&summary, run, time.Second)
		for _, re := range []string{`entity\s+created\s+updated\s+unchanged\s+archived\s+conflicts\s+failed\s+unassigned\s+held\s+merged`,
			`freshservice contact\s+5\s+0\s+0\s+0\s+0\s+0\s+1\s+0\s+0`, `datto asset\s+1\s+2\s+0\s+0\s+0\s+0\s+0\s+1\s+2`} {
			if !regexp.MustCompile(re).MatchString(summary.String()) {
				t.Errorf("summary lacks /%s/:\n%s", re, summary.String())
			}
		}

		// Placement: by domain, by secondary e-mail, by the ticket's department.
		c1, c2 := e.companyByAccount(fsfake.AccountNumber(1)), e.companyByAccount(fsfake.AccountNumber(2))
		noNumber := e.ref(codex.SourceFreshservice, codex.EntityCompany, itoa(m.noNumber)).EntityID
		for _, p := range []struct {
			requester, company int64
		}{{m.byDomain, c1.ID}, {m.bySecondary, noNumber}, {m.byTicket, c2.ID}} {
			c, err := e.svc.Contacts.Contact(e.ctx, e.ref(codex.SourceFreshservice, codex.EntityContact, itoa(p.requester)).EntityID)
			if err != nil || c.CompanyID != p.company {
				t.Errorf("requester %d -> %+v, %v; want company %d", p.requester, c, err, p.company)
			}
		}
		items := e.triage()
		if len(items) != 4 {
			t.Fatalf("triage = %d items; want the lost requester, its ticket and asset, the ambiguous device: %+v", len(items), items)
		}

		// Account numbers: the department without one gets the first, pushed to the
		// department's custom field and the site's variable in the same run.
		nn, _ := e.svc.Companies.Company(e.ctx, noNumber)
		if nn.AccountNumber == nil || *nn.AccountNumber != "000001" {
			t.Fatalf("NoNumber account number = %v; want 000001", nn.AccountNumber)
		}
		d, _ := e.fs.Department(m.noNumber)
		if d.CustomFields["account_number"] != "000001" {
			t.Errorf("department custom fields = %v; want account_number 000001 pushed", d.CustomFields)
		}
		if got := siteVariable(e, m.noNumberSite, dattofake.AccountNumberVariable); got != "000001" {
			t.Errorf("site variable = %q; want 000001 pushed", got)
		}

		again := e.run(syncerAll)
		wantNoChange(t, again)
		after := e.triage()
		if len(after) != 4 {
			t.Fatalf("triage after the second run = %d items; want 4", len(after))
		}
		// Held again unchanged, they are not written again.
		for i, it := range after {
			if !it.UpdatedAt.Equal(items[i].UpdatedAt) {
				t.Errorf("triage item %s %s rewritten at %v (was %v); want it left alone", it.Entity, it.ExternalID, it.UpdatedAt, items[i].UpdatedAt)
			}
		}

		// One action assigns the lost requester; its ticket and asset follow.
		admin := codex.WithPrincipal(context.Background(), &codex.Principal{Subject: "u1", Email: "ada@example.com", Level: codex.LevelAdmin})
		var contactItem, deviceItem *codex.TriageItem
		for _, it := range items {
			switch it.Entity {
			case codex.EntityContact:
				contactItem = it
			case codex.EntityAsset:
				if it.Reason == codex.TriageAmbiguous {
					deviceItem = it
				}
			}
		}
		tech := codex.WithPrincipal(context.Background(), &codex.Principal{Subject: "u2", Email: "tom@example.com", Level: codex.LevelTechnician})
		if _, err := e.engine.AssignTriage(tech, contactItem.ID, c2.ID, 0); codex.ErrorCode(err) != codex.Forbidden {
			t.Errorf("technician AssignTriage = %v; want forbidden", err)
		}
		out, err := e.engine.AssignTriage(admin, contactItem.ID, c2.ID, 0)
		if err != nil || *out != (syncer.TriageOutcome{Contacts: 1, Tickets: 1, Assets: 1}) {
			t.Fatalf("AssignTriage = %+v, %v; want the contact, its ticket and asset", out, err)
		}
		ticket := e.ref(codex.SourceFreshservice, codex.EntityTicket, itoa(m.lostTicket))
		tk, _ := e.svc.Tickets.Ticket(e.ctx, ticket.EntityID)
		asset := e.ref(codex.SourceFreshservice, codex.EntityAsset, itoa(m.lostAsset))
		as, _ := e.svc.Assets.Asset(e.ctx, asset.EntityID)
		if tk == nil || tk.CompanyID != c2.ID || tk.RequesterID == nil || as == nil || as.CompanyID != c2.ID {
			t.Errorf("ticket %+v, asset %+v; want both under company %d", tk, as, c2.ID)
		}
		if len(deviceItem.Candidates) != 2 {
			t.Fatalf("ambiguous device candidates = %v; want the two DUP-PC assets", deviceItem.Candidates)
		}
		if _, err := e.engine.AssignTriage(admin, deviceItem.ID, 0, 999999); codex.ErrorCode(err) != codex.Invalid {
			t.Errorf("AssignTriage to a non-candidate = %v; want invalid", err)
		}
		if _, err := e.engine.AssignTriage(admin, deviceItem.ID, 0, deviceItem.Candidates[0]); err != nil {
			t.Fatalf("AssignTriage(device) = %v", err)
		}
		if n := len(e.triage()); n != 0 {
			t.Errorf("triage after assigning = %d items; want none", n)
		}
		if got := e.ref(codex.SourceDatto, codex.EntityAsset, m.dupDevice).EntityID; got != deviceItem.Candidates[0] {
			t.Errorf("device linked to %d; want %d", got, deviceItem.Candidates[0])
		}
		third := e.run(codex.SourceFreshservice)
		wantNoChange(t, third)
		if third.Counts[codex.EntityContact].Unassigned != 0 {
			t.Errorf("third run counts = %+v; want nothing unassigned", third.Counts)
		}
	})
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// siteVariable returns a site variable's value on the fake.
func siteVariable(e *env, site, name string) string {
	for _, v := range e.dt.SiteVariables(site) {
		if v.Name == name {
			return v.Value
		}
	}
	return ""
}

// A requester placed by a later run (here: its domain was added to a company) brings the
// ticket and asset held with it.
func TestPlacedLaterBringsItsRecords(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fs.Generate(1, 0, 0)
		later := e.fs.AddRequester(fsfake.Requester{FirstName: "Lee", PrimaryEmail: "lee@later.example", Active: true}).ID
		at := time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)
		ticket := e.fs.AddTicket(fsfake.Ticket{Subject: "VPN", RequesterID: later, Status: 2, Priority: 1, CreatedAt: at, UpdatedAt: at}).ID
		asset := e.fs.AddAsset(fsfake.Asset{Name: "LEE-PC", AssetTypeID: fsfake.DefaultAssetTypeID, UserID: &later, Hostname: "LEE-PC", AssetState: "In Use"}).ID

		run := e.run(codex.SourceFreshservice)
		for _, k := range []string{codex.EntityContact, codex.EntityTicket, codex.EntityAsset} {
			if run.Counts[k].Unassigned != 1 {
				t.Errorf("first run %s counts = %+v; want 1 unassigned", k, run.Counts[k])
			}
		}
		c1 := e.companyByAccount(fsfake.AccountNumber(1))
		if _, err := e.svc.Companies.UpdateCompany(e.ctx, c1.ID, codex.CompanyPatch{Domains: ptr(append(c1.Domains, "later.example"))}); err != nil {
			t.Fatal(err)
		}

		run = e.run(codex.SourceFreshservice)
		if c := run.Counts[codex.EntityContact]; c.Created != 1 || c.Unassigned != 0 {
			t.Errorf("second run contact counts = %+v; want Lee created", c)
		}
		contact := e.ref(codex.SourceFreshservice, codex.EntityContact, itoa(later)).EntityID
		tk, err := e.svc.Tickets.Ticket(e.ctx, e.ref(codex.SourceFreshservice, codex.EntityTicket, itoa(ticket)).EntityID)
		if err != nil || tk.CompanyID != c1.ID || tk.RequesterID == nil || *tk.RequesterID != contact {
			t.Errorf("ticket = %+v, %v; want company %d, requester %d", tk, err, c1.ID, contact)
		}
		a, err := e.svc.Assets.Asset(e.ctx, e.ref(codex.SourceFreshservice, codex.EntityAsset, itoa(asset)).EntityID)
		if err != nil || a.CompanyID != c1.ID {
			t.Errorf("asset = %+v, %v; want company %d", a, err, c1.ID)
		}
		if n := len(e.triage()); n != 0 {
			t.Errorf("triage = %d items; want none", n)
		}
		wantNoChange(t, e.run(codex.SourceFreshservice))
	})
}

// A push of a new account number that fails is named in the run's report and made by the
// next run.
func TestAccountNumberPushRetried(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		d := e.fs.AddDepartment(fsfake.Department{Name: "Fresh Ltd"})
		e.fs.FailNextOn(http.MethodPut, "/api/v2/departments/"+itoa(d.ID), 3, http.StatusServiceUnavailable)

		run, err := e.engine.Run(context.Background(), codex.SourceFreshservice, "test")
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if c := run.Counts["push:department"]; c.Failed != 1 {
			t.Errorf("first run push counts = %+v; want 1 failed", c)
		}
		if !slices.ContainsFunc(run.Problems, func(p string) bool { return strings.Contains(p, "push:department") && strings.Contains(p, "Fresh Ltd") }) {
			t.Errorf("problems = %v; want the failed push named", run.Problems)
		}
		c := e.ref(codex.SourceFreshservice, codex.EntityCompany, itoa(d.ID)).EntityID
		co, _ := e.svc.Companies.Company(e.ctx, c)
		if co.AccountNumber == nil || *co.AccountNumber != "000001" {
			t.Fatalf("account number = %v; want 000001 in Codex despite the failed push", co.AccountNumber)
		}
		if got, _ := e.fs.Department(d.ID); got.CustomFields["account_number"] != nil {
			t.Fatalf("department custom fields = %v; want none yet", got.CustomFields)
		}

		run = e.run(codex.SourceFreshservice)
		if c := run.Counts["push:department"]; c.Updated != 1 || c.Failed != 0 {
			t.Errorf("second run push counts = %+v; want the push made", c)
		}
		if got, _ := e.fs.Department(d.ID); got.CustomFields["account_number"] != "000001" {
			t.Errorf("department custom fields = %v; want account_number 000001", got.CustomFields)
		}
		wantNoChange(t, e.run(codex.SourceFreshservice))
	})
}
