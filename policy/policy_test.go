package policy_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/policy"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// world is a small tree with data of every sensitivity:
//
//	acme (root, standard) ── clinic (hipaa) ── lab (hipaa)
//	globex (root, cjis)
type world struct {
	svc                        codex.Services
	acme, clinic, lab, globex  *codex.Company
	jane                       *codex.Contact
	server                     *codex.Asset
	clinicTicket, globexTicket *codex.Ticket
	acmeTicket                 *codex.Ticket
	admin, tech, billing       context.Context
	client, ledger, brainhair  context.Context
	anonymous, clientOfMissing context.Context
}

func as(p *codex.Principal) context.Context {
	return policy.WithRequestCache(codex.WithPrincipal(context.Background(), p))
}

func build(t *testing.T, db *store.DB) *world {
	t.Helper()
	w := &world{svc: policy.New(db.Services())}
	w.admin = as(&codex.Principal{Email: "ada@msp.example", Level: codex.LevelAdmin})
	w.tech = as(&codex.Principal{Email: "tom@msp.example", Level: codex.LevelTechnician})
	w.billing = as(&codex.Principal{Email: "bill@msp.example", Level: codex.LevelBilling})
	w.ledger = as(&codex.Principal{Service: "ledger", Subject: "service:ledger", Grant: codex.Grant{Read: true}})
	w.brainhair = as(&codex.Principal{Service: "brainhair", Subject: "service:brainhair", Grant: codex.Grant{Read: true, Redact: true}})
	w.anonymous = context.Background()

	ctx := w.admin
	mk := func(name string, parent *codex.Company, level codex.ComplianceLevel) *codex.Company {
		c := &codex.Company{Name: name, ComplianceLevel: level, Description: "Contact Jane Doe at jane@clinic.example"}
		if parent != nil {
			c.ParentID = &parent.ID
		}
		if err := w.svc.Companies.CreateCompany(ctx, c); err != nil {
			t.Fatalf("CreateCompany(%s) = %v", name, err)
		}
		return c
	}
	w.acme = mk("Acme", nil, codex.ComplianceStandard)
	w.clinic = mk("Acme Clinic", w.acme, codex.ComplianceHIPAA)
	w.lab = mk("Acme Lab", w.clinic, codex.ComplianceHIPAA)
	w.globex = mk("Globex", nil, codex.ComplianceCJIS)

	w.jane = &codex.Contact{CompanyID: w.clinic.ID, FirstName: "Jane", LastName: "Doe", Email: "jane@clinic.example", PhoneWork: "555-867-5309", Active: true,
		SecondaryEmails: []string{"jane.doe@home.example", "jd@clinic.example"}, EmploymentType: "Full Time"}
	if err := w.svc.Contacts.CreateContact(ctx, w.jane); err != nil {
		t.Fatalf("CreateContact = %v", err)
	}
	seats := 10
	w.server = &codex.Asset{CompanyID: w.lab.ID, Name: "LAB-SRV", Type: codex.AssetLicense, SeatsTotal: &seats,
		LicenseKey: "XXXX-YYYY-ZZZZ", SecretFields: map[string]string{"bitlocker": "1234-5678"}}
	if err := w.svc.Assets.CreateAsset(ctx, w.server); err != nil {
		t.Fatalf("CreateAsset = %v", err)
	}
	sys := codex.WithPrincipal(context.Background(), codex.SystemPrincipal("test"))
	ticket := func(c *codex.Company, ext string) *codex.Ticket {
		tk := &codex.Ticket{Source: "freshservice", ExternalID: ext, CompanyID: c.ID, Subject: "Jane Doe cannot log in",
			Description: "Jane Doe (jane@clinic.example, 555-867-5309) SSN 123-45-6789 card 4111 1111 1111 1111",
			Status:      codex.TicketOpen, Priority: codex.PriorityHigh}
		if _, err := w.svc.Tickets.SaveTicket(sys, tk); err != nil {
			t.Fatalf("SaveTicket = %v", err)
		}
		return tk
	}
	w.clinicTicket = ticket(w.clinic, "1")
	w.globexTicket = ticket(w.globex, "2")
	w.acmeTicket = ticket(w.acme, "3")
	w.client = as(&codex.Principal{Email: "cat@clinic.example", Level: codex.LevelClient, CompanyID: w.clinic.ID})
	w.clientOfMissing = as(&codex.Principal{Email: "ghost@x.example", Level: codex.LevelClient, CompanyID: 999999})
	return w
}

func TestClientSeesOnlyItsSubtree(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		w := build(t, db)
		ctx := w.client
		for _, c := range []*codex.Company{w.acme, w.globex} {
			if _, err := w.svc.Companies.Company(ctx, c.ID); !codex.IsNotFound(err) {
				t.Errorf("client Company(%s) error = %v; want not found", c.Name, err)
			}
		}
		if _, err := w.svc.Companies.Company(ctx, w.lab.ID); err != nil {
			t.Errorf("client Company(lab) = %v; want it", err)
		}
		page, err := w.svc.Companies.Companies(ctx, codex.CompanyFilter{}, codex.PageArgs{WantTotal: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := names(page.Items); page.TotalCount != 2 || got != "Acme Clinic,Acme Lab" {
			t.Errorf("client Companies = %s (total %d); want Acme Clinic,Acme Lab (total 2)", got, page.TotalCount)
		}
		anc, err := w.svc.Companies.Ancestors(ctx, w.lab.ID)
		if err != nil || names(anc) != "Acme Clinic" {
			t.Errorf("client Ancestors(lab) = %s, %v; want Acme Clinic only (the tree ends at the client's root)", names(anc), err)
		}
		cs, errs := w.svc.Companies.CompaniesByIDs(ctx, []int64{w.acme.ID, w.clinic.ID, w.globex.ID})
		if cs[1] == nil || !codex.IsNotFound(errs[0]) || !codex.IsNotFound(errs[2]) {
			t.Errorf("client CompaniesByIDs = %v, %v; want only the clinic", cs, errs)
		}
		if _, err := w.svc.Companies.CompanyByAccountNumber(ctx, "nope"); !codex.IsNotFound(err) {
			t.Errorf("CompanyByAccountNumber(unknown) = %v; want not found", err)
		}
		if _, err := w.svc.Tickets.Ticket(ctx, w.globexTicket.ID); !codex.IsNotFound(err) {
			t.Errorf("client Ticket(globex) = %v; want not found", err)
		}
		tp, err := w.svc.Tickets.Tickets(ctx, codex.TicketFilter{}, codex.PageArgs{WantTotal: true})
		if err != nil || tp.TotalCount != 1 {
			t.Errorf("client Tickets total = %d, %v; want 1", tp.TotalCount, err)
		}
		groups, err := w.svc.Tickets.TicketsByCompanies(ctx, []int64{w.acme.ID, w.clinic.ID}, codex.TicketFilter{}, 0)
		if err != nil || len(groups[0]) != 0 || len(groups[1]) != 1 {
			t.Errorf("client TicketsByCompanies = %v, %v; want nothing for acme, one for the clinic", groups, err)
		}
		if _, err := w.svc.Audit.AuditLog(ctx, codex.AuditFilter{}, codex.PageArgs{}); codex.ErrorCode(err) != codex.Forbidden {
			t.Errorf("client AuditLog error = %v; want forbidden", err)
		}
		// A client whose company does not exist sees nothing at all.
		page, err = w.svc.Companies.Companies(w.clientOfMissing, codex.CompanyFilter{}, codex.PageArgs{WantTotal: true})
		if err != nil || page.TotalCount != 0 {
			t.Errorf("orphan client Companies total = %d, %v; want 0", page.TotalCount, err)
		}
	})
}

func TestWritesFollowTheMatrix(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		w := build(t, db)
		name, plan := "Renamed", "premium"
		tests := []struct {
			who   string
			ctx   context.Context
			patch codex.CompanyPatch
			want  codex.Code
		}{
			{"technician name", w.tech, codex.CompanyPatch{Name: &name}, ""},
			{"technician billing plan", w.tech, codex.CompanyPatch{BillingPlan: &plan}, codex.Forbidden},
			{"billing billing plan", w.billing, codex.CompanyPatch{BillingPlan: &plan}, ""},
			{"billing name", w.billing, codex.CompanyPatch{Name: &name}, codex.Forbidden},
			{"client billing plan", w.client, codex.CompanyPatch{BillingPlan: &plan}, codex.Forbidden},
			{"client name of own company", w.client, codex.CompanyPatch{Name: &name}, codex.Forbidden},
			{"read-only service", w.ledger, codex.CompanyPatch{BillingPlan: &plan}, codex.Forbidden},
			{"anonymous", w.anonymous, codex.CompanyPatch{Name: &name}, codex.Unauthenticated},
			{"admin both", w.admin, codex.CompanyPatch{Name: &name, BillingPlan: &plan}, ""},
		}
		for _, tt := range tests {
			_, err := w.svc.Companies.UpdateCompany(tt.ctx, w.clinic.ID, tt.patch)
			if got := codex.ErrorCode(err); got != tt.want {
				t.Errorf("%s: UpdateCompany error = %v; want code %q", tt.who, err, tt.want)
			}
		}
		asset := &codex.Asset{CompanyID: w.acme.ID, Name: "PC-1", Type: codex.AssetWorkstation}
		if err := w.svc.Assets.CreateAsset(w.billing, asset); codex.ErrorCode(err) != codex.Forbidden {
			t.Errorf("billing CreateAsset = %v; want forbidden", err)
		}
		if err := w.svc.Assets.CreateAsset(w.client, asset); codex.ErrorCode(err) != codex.Forbidden {
			t.Errorf("client CreateAsset = %v; want forbidden", err)
		}
		if err := w.svc.Assets.CreateAsset(w.tech, asset); err != nil {
			t.Errorf("technician CreateAsset = %v; want ok", err)
		}
		sys := &codex.Ticket{Source: "x", ExternalID: "9", CompanyID: w.acme.ID, Subject: "s", Status: codex.TicketOpen, Priority: codex.PriorityLow}
		if _, err := w.svc.Tickets.SaveTicket(w.tech, sys); codex.ErrorCode(err) != codex.Forbidden {
			t.Errorf("technician SaveTicket = %v; want forbidden (tickets belong to the PSA)", err)
		}
		if _, err := w.svc.Sync.StartSyncRun(w.tech, "datto", "tom"); codex.ErrorCode(err) != codex.Forbidden {
			t.Errorf("technician StartSyncRun = %v; want forbidden", err)
		}
		dark := codex.ThemeDark
		if _, err := w.svc.Agents.UpdatePreferences(w.client, "cat@clinic.example", codex.PreferencesPatch{Theme: &dark}); err != nil {
			t.Errorf("client UpdatePreferences(self) = %v; want ok", err)
		}
		if _, err := w.svc.Agents.UpdatePreferences(w.client, "ada@msp.example", codex.PreferencesPatch{Theme: &dark}); codex.ErrorCode(err) != codex.Forbidden {
			t.Errorf("client UpdatePreferences(other) = %v; want forbidden", err)
		}
		if _, err := w.svc.Agents.UpdatePreferences(w.ledger, "ada@msp.example", codex.PreferencesPatch{Theme: &dark}); codex.ErrorCode(err) != codex.Forbidden {
			t.Errorf("service UpdatePreferences = %v; want forbidden", err)
		}

		// Every write records the principal.
		page, err := w.svc.Audit.AuditLog(w.admin, codex.AuditFilter{Entity: "company", EntityID: &w.clinic.ID}, codex.PageArgs{})
		if err != nil {
			t.Fatal(err)
		}
		actors := map[string]bool{}
		for _, e := range page.Items {
			actors[e.Actor] = true
		}
		for _, a := range []string{"ada@msp.example", "tom@msp.example", "bill@msp.example"} {
			if !actors[a] {
				t.Errorf("audit actors for the clinic = %v; want %s", actors, a)
			}
		}
	})
}

func TestSecretsOnlyForAdmins(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		w := build(t, db)
		for _, tc := range []struct {
			who  string
			ctx  context.Context
			want bool
		}{{"admin", w.admin, true}, {"technician", w.tech, false}, {"billing", w.billing, false}, {"client", w.client, false}, {"service", w.ledger, false}} {
			a, err := w.svc.Assets.Asset(tc.ctx, w.server.ID)
			if err != nil {
				t.Fatalf("%s Asset = %v", tc.who, err)
			}
			got := a.LicenseKey != "" && a.SecretFields["bitlocker"] != ""
			if got != tc.want {
				t.Errorf("%s sees secrets = %v (key %q, fields %v); want %v", tc.who, got, a.LicenseKey, a.SecretFields, tc.want)
			}
			groups, err := w.svc.Assets.AssetsByCompanies(tc.ctx, []int64{w.lab.ID}, codex.AssetFilter{}, 0)
			if err != nil || len(groups[0]) != 1 || (groups[0][0].LicenseKey != "") != tc.want {
				t.Errorf("%s AssetsByCompanies secrets = %v; want %v", tc.who, groups, tc.want)
			}
		}
		// The audit log must not leak the key to a technician.
		page, err := w.svc.Audit.AuditLog(w.tech, codex.AuditFilter{Entity: "asset"}, codex.PageArgs{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Items {
			if strings.Contains(string(e.After), "XXXX-YYYY") || strings.Contains(string(e.After), "1234-5678") {
				t.Errorf("technician audit entry shows a secret: %s", e.After)
			}
		}
	})
}

func TestRedactionByComplianceLevel(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		w := build(t, db)
		c, err := w.svc.Contacts.Contact(w.brainhair, w.jane.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Name() != "Jane D." || c.Email != "<EMAIL_ADDRESS>" || c.PhoneWork != "<PHONE_NUMBER>" {
			t.Errorf("redacted hipaa contact = %q %q %q; want Jane D., <EMAIL_ADDRESS>, <PHONE_NUMBER>", c.Name(), c.Email, c.PhoneWork)
		}
		// Secondary addresses are e-mail addresses too: every one is redacted.
		if !slices.Equal(c.SecondaryEmails, []string{"<EMAIL_ADDRESS>", "<EMAIL_ADDRESS>"}) || c.EmploymentType != "Full Time" {
			t.Errorf("redacted hipaa contact secondary e-mails, employment = %q, %q; want every address redacted, Full Time",
				c.SecondaryEmails, c.EmploymentType)
		}
		groups, err := w.svc.Contacts.ContactsByCompanies(w.brainhair, []int64{w.clinic.ID}, codex.ContactFilter{}, 0)
		if err != nil || len(groups) != 1 || len(groups[0]) == 0 {
			t.Fatalf("ContactsByCompanies = %v, %v", groups, err)
		}
		for _, lc := range groups[0] {
			for _, e := range lc.SecondaryEmails {
				if strings.Contains(e, "@") {
					t.Errorf("redacted list shows secondary address %q", e)
				}
			}
		}
		plain, _ := w.svc.Contacts.Contact(w.ledger, w.jane.ID)
		if plain.Name() != "Jane Doe" || plain.Email != "jane@clinic.example" {
			t.Errorf("unredacted contact = %q %q; want the stored values", plain.Name(), plain.Email)
		}
		if !slices.Equal(plain.SecondaryEmails, []string{"jane.doe@home.example", "jd@clinic.example"}) {
			t.Errorf("unredacted secondary e-mails = %q; want the stored ones", plain.SecondaryEmails)
		}
		tk, err := w.svc.Tickets.Ticket(w.brainhair, w.clinicTicket.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, leak := range []string{"Doe", "jane@clinic.example", "867-5309", "123-45-6789", "4111 1111"} {
			if strings.Contains(tk.Subject+tk.Description, leak) {
				t.Errorf("hipaa ticket redacted = %q / %q; still contains %q", tk.Subject, tk.Description, leak)
			}
		}
		// Standard level: only SSN, cards, IBAN, passport and licence numbers.
		std, err := w.svc.Tickets.Ticket(w.brainhair, w.acmeTicket.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(std.Description, "jane@clinic.example") || strings.Contains(std.Description, "123-45-6789") || strings.Contains(std.Description, "4111 1111") {
			t.Errorf("standard ticket redacted = %q; want e-mail kept, SSN and card removed", std.Description)
		}
		// Asking for redaction works for people too, and the stored data is unchanged.
		asked := as(&codex.Principal{Email: "ada@msp.example", Level: codex.LevelAdmin, Redact: true})
		list, err := w.svc.Tickets.Tickets(asked, codex.TicketFilter{CompanyID: &w.globex.ID}, codex.PageArgs{})
		if err != nil || len(list.Items) != 1 || strings.Contains(list.Items[0].Description, "jane@clinic.example") {
			t.Errorf("cjis ticket for a redacting admin = %v, %v; want the e-mail redacted", list, err)
		}
		again, _ := w.svc.Tickets.Ticket(w.admin, w.globexTicket.ID)
		if !strings.Contains(again.Description, "123-45-6789") {
			t.Errorf("stored description changed by redaction: %q", again.Description)
		}
		if _, err := w.svc.Audit.AuditLog(w.brainhair, codex.AuditFilter{}, codex.PageArgs{}); codex.ErrorCode(err) != codex.Forbidden {
			t.Errorf("redacting service AuditLog = %v; want forbidden", err)
		}
	})
}

func names(cs []*codex.Company) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return strings.Join(out, ",")
}

// TestRedactedExportLoadsEachCompanyOnce checks that streaming tickets to a redacting
// caller looks up each company's level and contacts once per request, not once per row.
func TestRedactedExportLoadsEachCompanyOnce(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		w := build(t, db)
		sys := codex.WithPrincipal(context.Background(), codex.SystemPrincipal("test"))
		statements := func(tickets int) int {
			for i := 0; i < tickets; i++ {
				tk := &codex.Ticket{Source: "freshservice", ExternalID: "more-" + strings.Repeat("x", i+1), CompanyID: w.clinic.ID,
					Subject: "Jane Doe again", Status: codex.TicketOpen, Priority: codex.PriorityLow}
				if _, err := w.svc.Tickets.SaveTicket(sys, tk); err != nil {
					t.Fatalf("SaveTicket = %v", err)
				}
			}
			counter := storetest.CountQueries(db)
			n := 0
			request := as(codex.PrincipalFrom(w.brainhair)) // a new request each time
			err := w.svc.Tickets.EachTicket(request, codex.TicketFilter{CompanyID: &w.clinic.ID}, func(tk *codex.Ticket) error {
				n++
				if strings.Contains(tk.Subject, "Doe") {
					t.Errorf("streamed ticket subject %q is not redacted", tk.Subject)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d tickets streamed with %d statements", n, counter.Count())
			return counter.Count()
		}
		few, many := statements(0), statements(20)
		if many != few {
			t.Errorf("statements for a redacted export: %d with 1 ticket, %d with 21; want the same", few, many)
		}
	})
}
