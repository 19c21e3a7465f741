package store_test

import (
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

func TestPSAAgentsGroupsAndTicketDetail(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		c := ctx(t)
		// Agents: insert, unchanged (no audit), update; listed active first, then by name.
		tom := &codex.PSAAgent{Source: "freshservice", ExternalID: "11", Name: "Tom Tech", Email: "tom@msp.example", Active: true}
		if created, err := db.SavePSAAgent(c, tom); err != nil || !created || tom.ID == 0 {
			t.Fatalf("SavePSAAgent(new) = %v, %v", created, err)
		}
		n := len(auditOf(t, db, "psa_agent", tom.ID))
		same := &codex.PSAAgent{Source: "freshservice", ExternalID: "11", Name: "Tom Tech", Email: "tom@msp.example", Active: true}
		if created, err := db.SavePSAAgent(c, same); err != nil || created || same.ID != tom.ID {
			t.Errorf("SavePSAAgent(unchanged) = %v, %v, id %d; want not created, id %d", created, err, same.ID, tom.ID)
		}
		if got := len(auditOf(t, db, "psa_agent", tom.ID)); got != n {
			t.Errorf("unchanged save wrote %d audit entries; want none", got-n)
		}
		gone := &codex.PSAAgent{Source: "freshservice", ExternalID: "12", Name: "Abe Away", Active: false}
		amy := &codex.PSAAgent{Source: "freshservice", ExternalID: "13", Name: "Amy Able", Active: true}
		for _, a := range []*codex.PSAAgent{gone, amy} {
			if _, err := db.SavePSAAgent(c, a); err != nil {
				t.Fatal(err)
			}
		}
		tom.JobTitle = "Lead"
		if created, err := db.SavePSAAgent(c, tom); err != nil || created {
			t.Errorf("SavePSAAgent(changed) = %v, %v", created, err)
		}
		lastAudit(t, db, "psa_agent", tom.ID, "update")
		list, err := db.PSAAgents(c, "freshservice")
		if err != nil || len(list) != 3 || list[0].Name != "Amy Able" || list[1].JobTitle != "Lead" || list[2].Name != "Abe Away" {
			t.Errorf("PSAAgents = %v, %v; want Amy, Tom (Lead), then the inactive Abe", list, err)
		}
		if _, err := db.SavePSAAgent(c, &codex.PSAAgent{Source: "freshservice"}); codex.ErrorCode(err) != codex.Invalid {
			t.Errorf("SavePSAAgent(no external id) = %v; want invalid", err)
		}
		refs := []codex.PSARef{{Source: "freshservice", ExternalID: "13"}, {Source: "freshservice", ExternalID: "99"}, {Source: "other", ExternalID: "11"}, {Source: "freshservice", ExternalID: "11"}}
		byRef, err := db.PSAAgentsByRefs(c, refs)
		if err != nil || len(byRef) != 4 || byRef[0].Name != "Amy Able" || byRef[1] != nil || byRef[2] != nil || byRef[3].ID != tom.ID {
			t.Errorf("PSAAgentsByRefs = %v, %v; want Amy, nil, nil, Tom in key order", byRef, err)
		}
		g := &codex.PSAGroup{Source: "freshservice", ExternalID: "21", Name: "Helpdesk"}
		if _, err := db.SavePSAGroup(c, g); err != nil {
			t.Fatal(err)
		}
		if groups, err := db.PSAGroupsByRefs(c, []codex.PSARef{{Source: "freshservice", ExternalID: "21"}}); err != nil || groups[0].Name != "Helpdesk" {
			t.Errorf("PSAGroupsByRefs = %v, %v", groups, err)
		}

		// A ticket's detail is replaced as a whole and sets its hours; SaveTicket keeps them.
		co := newCompany(t, db, uniqueName("PSA Co"))
		t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
		tk := &codex.Ticket{Source: "freshservice", ExternalID: "5001", CompanyID: co.ID, Subject: "Printer",
			Status: codex.TicketOpen, Priority: codex.PriorityHigh, StatusID: 6, StatusName: "Waiting on Customer",
			ResponderRef: "11", FRDueBy: &t0, CreatedAt: t0, UpdatedAt: t0}
		if _, err := db.SaveTicket(c, tk); err != nil {
			t.Fatal(err)
		}
		other := &codex.Ticket{Source: "freshservice", ExternalID: "5002", CompanyID: co.ID, Subject: "Other",
			Status: codex.TicketOpen, Priority: codex.PriorityLow, CreatedAt: t0, UpdatedAt: t0}
		if _, err := db.SaveTicket(c, other); err != nil {
			t.Fatal(err)
		}
		conv := func(id string, at time.Time, kind codex.ConversationKind) *codex.TicketConversation {
			return &codex.TicketConversation{Source: "freshservice", ExternalID: id, Kind: kind, BodyText: "text " + id, CreatedAt: at, UpdatedAt: at}
		}
		entry := func(id string, minutes int) *codex.TicketTimeEntry {
			return &codex.TicketTimeEntry{Source: "freshservice", ExternalID: id, Minutes: minutes, CreatedAt: t0, UpdatedAt: t0}
		}
		d := codex.TicketDetail{
			Conversations: []*codex.TicketConversation{conv("c2", t0.Add(2*time.Hour), codex.ConversationNote), conv("c1", t0.Add(time.Hour), codex.ConversationReply)},
			TimeEntries:   []*codex.TicketTimeEntry{entry("e1", 90), entry("e2", 45)},
		}
		if err := db.SaveTicketDetail(c, tk.ID, d); err != nil {
			t.Fatalf("SaveTicketDetail: %v", err)
		}
		convs, err := db.ConversationsByTickets(c, []int64{other.ID, tk.ID, 0})
		if err != nil || len(convs) != 3 || len(convs[0]) != 0 || len(convs[1]) != 2 || convs[1][0].ExternalID != "c1" || convs[1][1].Kind != codex.ConversationNote || convs[2] != nil {
			t.Errorf("ConversationsByTickets = %v, %v; want none, c1 then the note c2, none", convs, err)
		}
		got, _ := db.Ticket(c, tk.ID)
		if got.TotalHoursSpent != 2.25 || got.StatusName != "Waiting on Customer" || got.FRDueBy == nil || !got.FRDueBy.Equal(t0) {
			t.Errorf("ticket = hours %v, status %q, fr_due_by %v; want 2.25, Waiting on Customer, %v", got.TotalHoursSpent, got.StatusName, got.FRDueBy, t0)
		}
		// The sync saves the ticket again without hours: they stay.
		again := *tk
		again.ID, again.TotalHoursSpent, again.Subject = 0, 0, "Printer (again)"
		if _, err := db.SaveTicket(c, &again); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Ticket(c, tk.ID); got.TotalHoursSpent != 2.25 || got.Subject != "Printer (again)" {
			t.Errorf("after SaveTicket: hours %v, subject %q; want 2.25 kept, the new subject", got.TotalHoursSpent, got.Subject)
		}
		// Replacing drops what the PSA no longer has.
		if err := db.SaveTicketDetail(c, tk.ID, codex.TicketDetail{TimeEntries: []*codex.TicketTimeEntry{entry("e3", 30)}}); err != nil {
			t.Fatal(err)
		}
		convs, _ = db.ConversationsByTickets(c, []int64{tk.ID})
		entries, _ := db.TimeEntriesByTickets(c, []int64{tk.ID})
		if got, _ := db.Ticket(c, tk.ID); len(convs[0]) != 0 || len(entries[0]) != 1 || got.TotalHoursSpent != 0.5 {
			t.Errorf("after replacing: %d conversations, %d entries, %v hours; want 0, 1, 0.5", len(convs[0]), len(entries[0]), got.TotalHoursSpent)
		}
		if err := db.SaveTicketDetail(c, 999999, d); codex.ErrorCode(err) != codex.Invalid {
			t.Errorf("SaveTicketDetail(missing ticket) = %v; want invalid", err)
		}
		// Filters by PSA ids and update window.
		one := 10
		page, err := db.Tickets(c, codex.TicketFilter{ResponderRef: "11", ExternalID: "5001"}, codex.PageArgs{First: &one})
		if err != nil || len(page.Items) != 1 || page.Items[0].ID != tk.ID {
			t.Errorf("Tickets(responder 11, external 5001) = %v, %v", page, err)
		}
		before := t0
		if page, _ := db.Tickets(c, codex.TicketFilter{CompanyID: &co.ID, UpdatedBefore: &before}, codex.PageArgs{First: &one}); len(page.Items) != 0 {
			t.Errorf("Tickets(updated before %v) = %d; want 0", t0, len(page.Items))
		}
	})
}
