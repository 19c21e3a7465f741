package syncer_test

import (
	"slices"
	"strconv"
	"testing"

	"github.com/hivematrix/codex/codex"
	fsfake "github.com/hivematrix/codex/integrations/freshservice/fake"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

func TestFreshserviceFirstImportThenIdempotent(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fs.Generate(3, 2, 2)
		// A requester of two companies, and a ticket.
		d1, _ := e.fs.Department(21000100001)
		d2, _ := e.fs.Department(21000100002)
		both := e.fs.AddRequester(fsfake.Requester{FirstName: "Pat", LastName: "Both", PrimaryEmail: "pat@both.example",
			DepartmentIDs: []int64{d1.ID, d2.ID}, Active: true,
			SecondaryEmails: []string{"pat@home.example", "not an address", "pat@home.example"},
			CustomFields:    map[string]any{"employment_type": " Part Time "}})
		e.fs.AddTicket(fsfake.Ticket{Subject: "Printer", Status: 3, Priority: 4, RequesterID: both.ID, DepartmentID: &d1.ID})
		e.fs.AddTicket(fsfake.Ticket{Subject: "Custom status", Status: 7, Priority: 2, RequesterID: both.ID})

		run := e.run(codex.SourceFreshservice)
		if run.Status != codex.SyncSucceeded || run.ID == 0 {
			t.Fatalf("run = %+v; want a stored succeeded run", run)
		}
		wantCounts(t, run, codex.EntityCompany, codex.SyncCounts{Created: 3})
		wantCounts(t, run, codex.EntityContact, codex.SyncCounts{Created: 7})
		wantCounts(t, run, codex.EntityAsset, codex.SyncCounts{Created: 6})
		wantCounts(t, run, codex.EntityTicket, codex.SyncCounts{Created: 2})

		c1 := e.companyByAccount(fsfake.AccountNumber(1))
		if c1.Name != fsfake.CompanyName(1) || c1.Description != "Generated company 1" || len(c1.Domains) != 1 {
			t.Errorf("company 1 = %+v; want name, description and domain from the department", c1)
		}
		contact := e.ref(codex.SourceFreshservice, codex.EntityContact, strconv.FormatInt(both.ID, 10))
		of, err := e.svc.Contacts.CompaniesOfContacts(e.ctx, []int64{contact.EntityID})
		if err != nil || len(of[0]) != 2 {
			t.Errorf("CompaniesOfContacts(Pat) = %v, %v; want home and one further company", of, err)
		}
		pat, err := e.svc.Contacts.Contact(e.ctx, contact.EntityID)
		if err != nil || !slices.Equal(pat.SecondaryEmails, []string{"pat@home.example"}) || pat.EmploymentType != "Part Time" {
			t.Errorf("Pat = %q, %q (%v); want the valid secondary address once, Part Time", pat.SecondaryEmails, pat.EmploymentType, err)
		}
		gen, err := e.svc.Contacts.Contacts(e.ctx, codex.ContactFilter{Email: fsfake.ContactEmail(1, 1)}, codex.PageArgs{})
		if err != nil || len(gen.Items) != 1 || !slices.Equal(gen.Items[0].SecondaryEmails, []string{fsfake.ContactSecondaryEmail(1, 1)}) ||
			gen.Items[0].EmploymentType != "Full Time" {
			t.Errorf("generated contact (1,1) = %+v, %v; want its secondary address and Full Time", gen, err)
		}
		tickets, err := e.svc.Tickets.Tickets(e.ctx, codex.TicketFilter{Source: codex.SourceFreshservice, Order: codex.Order{Field: "id"}}, codex.PageArgs{})
		if err != nil || len(tickets.Items) != 2 {
			t.Fatalf("Tickets = %v, %v; want 2", tickets, err)
		}
		if tk := tickets.Items[0]; tk.Status != codex.TicketPending || tk.Priority != codex.PriorityUrgent || tk.CompanyID != c1.ID || tk.RequesterID == nil {
			t.Errorf("ticket 1 = %+v; want pending, urgent, at company 1, with its requester", tk)
		}
		if tk := tickets.Items[1]; tk.Status != codex.TicketOpen || tk.Priority != codex.PriorityMedium || tk.CompanyID != c1.ID {
			t.Errorf("ticket 2 = %+v; want a custom status as open, medium, at the requester's home company", tk)
		}
		if run.Watermark == nil {
			t.Errorf("run watermark = nil; want the latest ticket update")
		}
		assets, _ := e.svc.Assets.Assets(e.ctx, codex.AssetFilter{SerialNumber: fsfake.SerialNumber(2, 2)}, codex.PageArgs{})
		if len(assets.Items) != 1 || assets.Items[0].Hostname != fsfake.Hostname(2, 2) || assets.Items[0].WarrantyExpires == nil {
			t.Errorf("asset SN(2,2) = %+v; want hostname and warranty from type_fields", assets.Items)
		}

		again := e.run(codex.SourceFreshservice)
		wantNoChange(t, again)
		wantCounts(t, again, codex.EntityCompany, codex.SyncCounts{Unchanged: 3})
		wantCounts(t, again, codex.EntityContact, codex.SyncCounts{Unchanged: 7})
		if n := len(e.fs.Updates()); n != 0 {
			t.Errorf("pushes = %d (%+v); want none", n, e.fs.Updates())
		}

		// Both fields are Freshservice's: an upstream change is pulled, and never pushed.
		e.fs.EditRequester(both.ID, func(r *fsfake.Requester) {
			r.SecondaryEmails = []string{"pat@new.example"}
			r.CustomFields["employment_type"] = "Contractor"
		})
		e.run(codex.SourceFreshservice)
		pat, err = e.svc.Contacts.Contact(e.ctx, contact.EntityID)
		if err != nil || !slices.Equal(pat.SecondaryEmails, []string{"pat@new.example"}) || pat.EmploymentType != "Contractor" {
			t.Errorf("Pat after upstream edit = %q, %q (%v); want pat@new.example, Contractor", pat.SecondaryEmails, pat.EmploymentType, err)
		}
		if n := len(e.fs.Updates()); n != 0 {
			t.Errorf("pushes after upstream edit = %d (%+v); want none", n, e.fs.Updates())
		}
	})
}
