package rest

import (
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
)

func TestBoardTexts(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { x := now.Add(d); return &x }
	since := []struct {
		t    *time.Time
		want string
	}{
		{nil, "N/A"}, {at(-30 * time.Second), "Just now"}, {at(-5 * time.Minute), "5m ago"}, {at(-3 * time.Hour), "3h ago"},
		{at(-49 * time.Hour), "2d ago"}, {at(time.Second), "in the future"},
	}
	for _, tt := range since {
		if got := timeSince(now, tt.t); got != tt.want {
			t.Errorf("timeSince(%v) = %q; want %q", tt.t, got, tt.want)
		}
	}
	days := []struct {
		t    time.Time
		want string
	}{
		{now.Add(-time.Hour), "Today"}, {now.Add(-13 * time.Hour), "1 day old"}, {now.Add(-72 * time.Hour), "3 days old"},
		{now.Add(24 * time.Hour), "Future Date"},
	}
	for _, tt := range days {
		if got := daysOld(now, tt.t); got != tt.want {
			t.Errorf("daysOld(%v) = %q; want %q", tt.t, got, tt.want)
		}
	}
	fr := []struct {
		sr         bool
		due        *time.Time
		text, kind string
	}{
		{false, nil, "No FR Due Date", "sla-none"},
		{true, nil, "No Due Due Date", "sla-none"},
		{false, at(-90 * time.Minute), "FR Overdue by 1.5 hours", "sla-overdue"},
		{false, at(-3 * 24 * time.Hour), "FR Overdue by 3.0 days", "sla-overdue"},
		{false, at(30 * time.Minute), "30 min for FR", "sla-critical"},
		{false, at(45 * time.Second), "45 sec for FR", "sla-critical"},
		{false, at(5 * time.Hour), "5.0 hours for FR", "sla-warning"},
		{true, at(20 * time.Hour), "20.0 hours for Due", "sla-normal"},
		{false, at(60 * time.Hour), "2.5 days for FR", "sla-normal"},
	}
	for _, tt := range fr {
		text, kind := frSLA(now, tt.sr, tt.due)
		if text != tt.text || kind != tt.kind {
			t.Errorf("frSLA(sr %v, %v) = %q, %q; want %q, %q", tt.sr, tt.due, text, kind, tt.text, tt.kind)
		}
	}
	keys := map[string]string{"": "open", "Waiting on Customer": "waiting_customer", "On Hold": "on_hold",
		"Customer Replied": "customer_replied", "Job Complete - Bill": "job_complete_bill", "Pending HubSpot": "pending_hubspot"}
	for name, want := range keys {
		if got := statusKey(&codex.Ticket{Status: codex.TicketOpen, StatusName: name}); got != want {
			t.Errorf("statusKey(%q) = %q; want %q", name, got, want)
		}
	}
}

func TestBuildBoard(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	ticket := func(id string, status string, p codex.TicketPriority, updated time.Duration, edit ...func(*codex.Ticket)) *codex.Ticket {
		tk := &codex.Ticket{ExternalID: id, Status: codex.TicketOpen, StatusName: status, Priority: p, Type: "Incident",
			CompanyID: 1, CreatedAt: now.Add(-48 * time.Hour), UpdatedAt: now.Add(-updated)}
		for _, e := range edit {
			e(tk)
		}
		return tk
	}
	due := now.Add(20 * time.Hour)
	responded := now.Add(-time.Hour)
	acc := "ACC-1"
	b := buildBoard(now, []*codex.Ticket{
		ticket("1", "Open", codex.PriorityLow, time.Hour, func(t *codex.Ticket) { t.Type = "Service Request"; t.DueAt = &due }),
		ticket("2", "Open", codex.PriorityUrgent, 20*time.Minute, func(t *codex.Ticket) { t.FirstRespondedAt = &responded }),
		ticket("3", "Open", codex.PriorityUrgent, 31*time.Minute),
		ticket("4", "Open", codex.PriorityLow, 95*time.Hour),
		ticket("5", "Pending HubSpot", codex.PriorityUrgent, 300*time.Hour),
		ticket("6", "Customer Replied", codex.PriorityLow, 300*time.Hour),
		ticket("7", "On Hold", codex.PriorityMedium, time.Hour),
		ticket("8", "Scheduled Visit", codex.PriorityHigh, time.Hour, func(t *codex.Ticket) { t.ResponderRef = "55" }),
		ticket("9", "Job Complete - Bill", codex.PriorityHigh, time.Hour),
		ticket("10", "Resolved", codex.PriorityHigh, time.Hour, func(t *codex.Ticket) { t.Status = codex.TicketResolved }),
		ticket("11", "Waiting on Customer", codex.PriorityLow, time.Hour),
	}, map[int64]*string{1: &acc}, map[string]string{"55": "Sam"})

	want := map[string][]struct{ id, text, class string }{
		"1": {{"2", "Open (FR Met)", "sla-responded"}, {"4", "No FR Due Date", "sla-none"}, {"1", "20.0 hours for Due", "sla-normal"}},
		"2": {{"6", "Customer Replied (12d ago)", "sla-warning"}},
		"3": {{"3", "Update Overdue (Open, 31m ago)", "sla-critical"}},
		"4": {{"5", "Pending Hubspot (12d ago)", "sla-none"}, {"8", "Scheduled Visit (1h ago)", "sla-in-progress"},
			{"7", "On Hold (1h ago)", "sla-none"}, {"11", "Waiting on Customer", "sla-responded"}},
	}
	sections := map[string][]boardItem{"1": b.Section1, "2": b.Section2, "3": b.Section3, "4": b.Section4}
	for sec, items := range want {
		got := sections[sec]
		if len(got) != len(items) {
			t.Errorf("section%s = %d items; want %d: %+v", sec, len(got), len(items), got)
			continue
		}
		for i, w := range items {
			if g := got[i]; refNumber(w.id) == nil || g.ID != *refNumber(w.id) || g.SLAText != w.text || g.SLAClass != w.class {
				t.Errorf("section%s[%d] = %d %q %q; want %s %q %q", sec, i, g.ID, g.SLAText, g.SLAClass, w.id, w.text, w.class)
			}
		}
	}
	if b.TotalActive != 9 || b.Section4[1].AgentName != "Sam" || *b.Section4[1].CompanyID != "ACC-1" || b.Section1[0].PriorityRaw != 4 {
		t.Errorf("board = total %d, agent %q, company %v, priority %d; want 9, Sam, ACC-1, 4",
			b.TotalActive, b.Section4[1].AgentName, b.Section4[1].CompanyID, b.Section1[0].PriorityRaw)
	}
}
