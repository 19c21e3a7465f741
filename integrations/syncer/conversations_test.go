package syncer_test

import (
	"strconv"
	"testing"

	"github.com/hivematrix/codex/codex"
	fsfake "github.com/hivematrix/codex/integrations/freshservice/fake"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// TestFreshserviceAgentsGroupsAndTicketDetails checks that a run syncs agents and groups
// (unchanged ones are not written again) and reads conversations and time entries only for
// the tickets it created or updated: the incremental part of the rate budget.
func TestFreshserviceAgentsGroupsAndTicketDetails(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fs.Generate(1, 1, 0)
		d, _ := e.fs.Department(21000100001)
		req := e.fs.AddRequester(fsfake.Requester{FirstName: "Ria", LastName: "Quest", PrimaryEmail: "ria@x.example", DepartmentIDs: []int64{d.ID}, Active: true})
		tom := e.fs.AddAgent(fsfake.Agent{FirstName: "Tom", LastName: "Tech", Email: "tom@msp.example", Active: true})
		e.fs.AddGroup(fsfake.Group{Name: "Helpdesk"})
		a := e.fs.AddTicket(fsfake.Ticket{Subject: "A", RequesterID: req.ID, DepartmentID: &d.ID, ResponderID: &tom.ID, Status: 7})
		b := e.fs.AddTicket(fsfake.Ticket{Subject: "B", RequesterID: req.ID, DepartmentID: &d.ID})
		e.fs.AddConversation(fsfake.Conversation{TicketID: a.ID, BodyText: "hello", Incoming: true})
		e.fs.AddTimeEntry(fsfake.TimeEntry{TicketID: a.ID, TimeSpent: "02:15"})

		run := e.run(codex.SourceFreshservice)
		wantCounts(t, run, "psa_agent", codex.SyncCounts{Created: 1})
		wantCounts(t, run, "psa_group", codex.SyncCounts{Created: 1})
		wantCounts(t, run, "ticket_detail", codex.SyncCounts{Updated: 2})
		ref := e.ref(codex.SourceFreshservice, codex.EntityTicket, strconv.FormatInt(a.ID, 10))
		tk, err := e.svc.Tickets.Ticket(e.ctx, ref.EntityID)
		if err != nil || tk.TotalHoursSpent != 2.25 || tk.StatusID != 7 || tk.StatusName != "Status 7" ||
			tk.ResponderRef != strconv.FormatInt(tom.ID, 10) || tk.TicketNumber != "INC-"+strconv.FormatInt(a.ID, 10) {
			t.Errorf("ticket A = %+v, %v", tk, err)
		}
		convs, _ := e.svc.PSA.ConversationsByTickets(e.ctx, []int64{tk.ID})
		if len(convs[0]) != 1 || convs[0][0].BodyText != "hello" || !convs[0][0].Incoming {
			t.Errorf("conversations of A = %v", convs[0])
		}

		// Only B changes: only B's details are read again; agents and groups are unchanged.
		e.fs.EditTicket(b.ID, func(tk *fsfake.Ticket) { tk.Subject = "B2" })
		aPath := "/api/v2/tickets/" + strconv.FormatInt(a.ID, 10) + "/conversations"
		bPath := "/api/v2/tickets/" + strconv.FormatInt(b.ID, 10) + "/conversations"
		aBefore, bBefore := e.fs.Requests(aPath), e.fs.Requests(bPath)
		run = e.run(codex.SourceFreshservice)
		wantCounts(t, run, "psa_agent", codex.SyncCounts{Unchanged: 1})
		wantCounts(t, run, "psa_group", codex.SyncCounts{Unchanged: 1})
		wantCounts(t, run, "ticket_detail", codex.SyncCounts{Updated: 1})
		if e.fs.Requests(aPath) != aBefore || e.fs.Requests(bPath) != bBefore+1 {
			t.Errorf("conversation reads: A %d -> %d, B %d -> %d; want A unread, B read once",
				aBefore, e.fs.Requests(aPath), bBefore, e.fs.Requests(bPath))
		}
	})
}
