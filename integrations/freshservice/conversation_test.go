package freshservice_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/integrations/freshservice"
	"github.com/hivematrix/codex/integrations/freshservice/fake"
)

func TestTicketConversationsTimeEntriesAndGroups(t *testing.T) {
	f := newFake(t)
	tk := f.AddTicket(fake.Ticket{Subject: "Printer"})
	other := f.AddTicket(fake.Ticket{Subject: "Other"})
	agent := int64(21000400009)
	for i := range 120 { // more than one page
		f.AddConversation(fake.Conversation{TicketID: tk.ID, BodyText: "reply", Source: i % 3})
	}
	f.AddConversation(fake.Conversation{TicketID: other.ID, BodyText: "not mine"})
	f.AddTimeEntry(fake.TimeEntry{TicketID: tk.ID, AgentID: &agent, TimeSpent: "01:30", Billable: true, Note: "onsite"})
	f.AddTimeEntry(fake.TimeEntry{TicketID: tk.ID, TimeSpent: "bad"})
	f.AddGroup(fake.Group{Name: "Helpdesk"})
	c := newClient(t, f)

	var convs []freshservice.Conversation
	if err := c.Conversations(t.Context(), tk.ID, func(p freshservice.Page[freshservice.Conversation]) error {
		convs = append(convs, p.Items...)
		return nil
	}); err != nil {
		t.Fatalf("Conversations: %v", err)
	}
	if len(convs) != 120 || convs[2].IsNote() != true || convs[0].IsNote() {
		t.Errorf("Conversations = %d items (third a note: %v); want 120, every third source 2 a note", len(convs), len(convs) > 2 && convs[2].IsNote())
	}

	var entries []freshservice.TimeEntry
	if err := c.TimeEntries(t.Context(), tk.ID, func(p freshservice.Page[freshservice.TimeEntry]) error {
		entries = append(entries, p.Items...)
		return nil
	}); err != nil {
		t.Fatalf("TimeEntries: %v", err)
	}
	if len(entries) != 2 {
		t.Fatalf("TimeEntries = %d; want 2", len(entries))
	}
	if m, ok := entries[0].Minutes(); m != 90 || !ok || *entries[0].AgentID != agent || entries[0].Note != "onsite" {
		t.Errorf("TimeEntries[0] = %+v (minutes %d, %v); want 90 minutes by %d", entries[0], m, ok, agent)
	}
	if m, ok := entries[1].Minutes(); m != 0 || ok {
		t.Errorf("Minutes of %q = %d, %v; want 0, false", entries[1].TimeSpent, m, ok)
	}

	var groups []freshservice.Group
	if err := c.Groups(t.Context(), func(p freshservice.Page[freshservice.Group]) error {
		groups = append(groups, p.Items...)
		return nil
	}); err != nil || len(groups) != 1 || groups[0].Name != "Helpdesk" {
		t.Errorf("Groups = %+v, %v; want Helpdesk", groups, err)
	}

	if err := c.Conversations(t.Context(), 999999, func(freshservice.Page[freshservice.Conversation]) error { return nil }); codex.ErrorCode(err) != codex.NotFound {
		t.Errorf("Conversations(missing ticket) = %v; want not_found", err)
	}
}

func TestUpdateTicketStatusAndAddNote(t *testing.T) {
	f := newFake(t)
	f.SetStatuses(map[int]string{2: "Open", 3: "Pending", 4: "Resolved", 5: "Closed", 6: "Waiting on Customer"})
	tk := f.AddTicket(fake.Ticket{Subject: "VPN", UpdatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	c := newClient(t, f)

	got, err := c.UpdateTicketStatus(t.Context(), tk.ID, 6)
	if err != nil || got.Status != 6 || !got.UpdatedAt.After(tk.UpdatedAt) {
		t.Errorf("UpdateTicketStatus(6) = %+v, %v; want status 6 and a later updated_at", got, err)
	}
	_, err = c.UpdateTicketStatus(t.Context(), tk.ID, 42)
	if codex.ErrorCode(err) != codex.Invalid || codex.ErrorFields(err)["status"] == "" {
		t.Errorf("UpdateTicketStatus(42) = %v; want invalid with a status field message", err)
	}
	if _, err := c.UpdateTicketStatus(t.Context(), 999999, 2); codex.ErrorCode(err) != codex.NotFound {
		t.Errorf("UpdateTicketStatus(missing) = %v; want not_found", err)
	}

	n, err := c.AddNote(t.Context(), tk.ID, "Rebooted the VPN concentrator", true)
	if err != nil || n.ID == 0 || !n.Private || !n.IsNote() || n.BodyText != "Rebooted the VPN concentrator" {
		t.Errorf("AddNote = %+v, %v; want a private note with the text", n, err)
	}
	if _, err := c.AddNote(t.Context(), tk.ID, " ", true); codex.ErrorCode(err) != codex.Invalid {
		t.Errorf("AddNote(blank) = %v; want invalid", err)
	}

	// A POST is not retried after a 5xx: the note may have been created.
	path := "/api/v2/tickets/" + strconv.FormatInt(tk.ID, 10) + "/notes"
	f.FailNextOn(http.MethodPost, path, 1, http.StatusBadGateway)
	before := f.Requests(path)
	if _, err := c.AddNote(t.Context(), tk.ID, "again", true); codex.ErrorCode(err) != codex.Unavailable {
		t.Errorf("AddNote after 502 = %v; want unavailable", err)
	}
	if n := f.Requests(path) - before; n != 1 {
		t.Errorf("AddNote after 502 sent %d requests; want 1 (no retry)", n)
	}
	if got := len(f.Conversations(tk.ID)); got != 1 {
		t.Errorf("fake holds %d notes; want 1", got)
	}
}
