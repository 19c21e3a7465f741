package graph_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/graph"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// addPSATickets stores n PSA tickets of east (HIPAA) and globex, each assigned to one of
// two agents and groups, with a reply, a note and a time entry each.
func addPSATickets(t *testing.T, db *store.DB, fx *fixture, n int) {
	t.Helper()
	ctx := codex.WithPrincipal(context.Background(), codex.SystemPrincipal("test"))
	for i, name := range []string{"Tom Tech", "Una Agent"} {
		if _, err := db.SavePSAAgent(ctx, &codex.PSAAgent{Source: "freshservice", ExternalID: fmt.Sprint(100 + i), Name: name, Active: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SavePSAGroup(ctx, &codex.PSAGroup{Source: "freshservice", ExternalID: fmt.Sprint(200 + i), Name: "Group " + name}); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now().UTC()
	for i := range n {
		company := fx.east
		if i%2 == 1 {
			company = fx.globex
		}
		tk := &codex.Ticket{Source: "freshservice", ExternalID: fmt.Sprint(5000 + i), CompanyID: company, Subject: fmt.Sprint("PSA ", i),
			Status: codex.TicketOpen, Priority: codex.PriorityMedium, StatusID: 6, StatusName: "Waiting on Customer",
			ResponderRef: fmt.Sprint(100 + i%2), GroupRef: fmt.Sprint(200 + i%2), CreatedAt: now, UpdatedAt: now}
		if _, err := db.SaveTicket(ctx, tk); err != nil {
			t.Fatal(err)
		}
		d := codex.TicketDetail{
			Conversations: []*codex.TicketConversation{
				{Source: "freshservice", ExternalID: fmt.Sprint(7000 + 2*i), Kind: codex.ConversationReply, Incoming: true,
					BodyText: "Please call carol@acme.example", FromEmail: "carol@acme.example", CreatedAt: now, UpdatedAt: now},
				{Source: "freshservice", ExternalID: fmt.Sprint(7001 + 2*i), Kind: codex.ConversationNote, Private: true,
					AuthorRef: "100", BodyText: "Called back", CreatedAt: now.Add(time.Minute), UpdatedAt: now},
			},
			TimeEntries: []*codex.TicketTimeEntry{{Source: "freshservice", ExternalID: fmt.Sprint(9000 + i), AgentRef: "100",
				Minutes: 90, Billable: true, Note: "onsite", CreatedAt: now, UpdatedAt: now}},
		}
		if err := db.SaveTicketDetail(ctx, tk.ID, d); err != nil {
			t.Fatal(err)
		}
	}
}

const psaTicketsQuery = `query($first: Int!) { tickets(first: $first, filter: {source: FRESHSERVICE}) { nodes {
  subject ticketNumber statusId statusName priorityId totalHoursSpent
  responder { name externalId active } group { name }
  conversations { kind bodyText fromEmail private incoming }
  timeEntries { minutes agentRef note } } } }`

// TestTicketPSAFields checks the PSA fields of tickets, that their relations cost one
// statement per relation whatever the page size, and that a redacted reader gets
// conversations redacted like the ticket.
func TestTicketPSAFields(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, graph.Options{})
		addPSATickets(t, db, e.fx, 20)
		counter := storetest.CountQueries(db)
		var counts [2]int
		for i, first := range []int{2, 20} {
			counter.Reset()
			data := e.ok("admin", psaTicketsQuery, map[string]any{"first": first})
			counts[i] = counter.Count()
			nodes := get(data, "tickets.nodes").([]any)
			if len(nodes) != first {
				t.Fatalf("first %d: %d nodes", first, len(nodes))
			}
			node := nodes[0].(map[string]any)
			if get(node, "statusName") != "Waiting on Customer" || get(node, "statusId") != float64(6) ||
				get(node, "totalHoursSpent") != 1.5 || get(node, "responder.name") == nil || get(node, "group.name") == nil {
				t.Errorf("ticket = %v", node)
			}
			if got := len(get(node, "conversations").([]any)); got != 2 || get(node, "conversations.1.kind") != "note" {
				t.Errorf("conversations = %v; want a reply then a note", get(node, "conversations"))
			}
			if get(node, "timeEntries.0.minutes") != float64(90) {
				t.Errorf("timeEntries = %v", get(node, "timeEntries"))
			}
		}
		if counts[0] != counts[1] {
			t.Errorf("statements: %d for 2 tickets, %d for 20; want equal (no N+1)\n%s", counts[0], counts[1], counter)
		}

		// The redacting service: east is HIPAA, so e-mail addresses go; globex is standard.
		data := e.ok("service", psaTicketsQuery, map[string]any{"first": 20})
		var east, globex int
		for _, n := range get(data, "tickets.nodes").([]any) {
			reply := get(n, "conversations.0").(map[string]any)
			if reply["fromEmail"] == "<EMAIL_ADDRESS>" && !strings.Contains(reply["bodyText"].(string), "carol@acme.example") {
				east++
			} else if reply["fromEmail"] == "carol@acme.example" {
				globex++
			}
		}
		if east != 10 || globex != 10 {
			t.Errorf("redacted replies: %d of east redacted, %d of globex kept; want 10 and 10", east, globex)
		}
		// A client of east sees only its subtree's tickets, and their conversations.
		data = e.ok("client", psaTicketsQuery, map[string]any{"first": 50})
		psa := 0
		for _, n := range get(data, "tickets.nodes").([]any) {
			if subject, _ := n.(map[string]any)["subject"].(string); strings.HasPrefix(subject, "PSA ") {
				psa++
			}
		}
		if psa != 10 {
			t.Errorf("client sees %d PSA tickets; want east's 10", psa)
		}
	})
}
