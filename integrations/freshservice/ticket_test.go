package freshservice_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/integrations/freshservice"
	"github.com/hivematrix/codex/integrations/freshservice/fake"
)

func TestTicketsUpdatedSince(t *testing.T) {
	f := newFake(t)
	r := f.AddRequester(fake.Requester{FirstName: "Jane", LastName: "Doe", PrimaryEmail: "jane@acme.example", WorkPhoneNumber: "555"})
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	resolved := base.Add(3 * time.Hour)
	// 150 tickets, updated one minute apart, added newest first so that the order the
	// client sees comes from order_type=asc and not from insertion.
	for i := 150; i >= 1; i-- {
		at := base.Add(time.Duration(i) * time.Minute)
		f.AddTicket(fake.Ticket{
			Subject: fmt.Sprintf("Ticket %d", i), RequesterID: r.ID, Status: freshservice.StatusResolved,
			Priority: freshservice.PriorityHigh, CreatedAt: at, UpdatedAt: at, ResolvedAt: &resolved,
		})
	}
	f.AddMalformed("tickets", `{"id":"x","subject":"broken"}`)
	c := newClient(t, f)

	tests := []struct {
		since       time.Time
		wantCount   int
		wantFirst   string
		wantSkipped int
	}{
		{time.Time{}, 150, "Ticket 1", 1},
		{base.Add(30 * time.Minute), 121, "Ticket 30", 1},
		{base.Add(200 * time.Minute), 0, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.since.Format(time.RFC3339), func(t *testing.T) {
			var got []freshservice.Ticket
			skipped := 0
			err := c.Tickets(t.Context(), tt.since, func(p freshservice.Page[freshservice.Ticket]) error {
				got = append(got, p.Items...)
				skipped += len(p.Skipped)
				return nil
			})
			if err != nil {
				t.Fatalf("Tickets: %v", err)
			}
			if len(got) != tt.wantCount || skipped != tt.wantSkipped {
				t.Fatalf("Tickets(%v) = %d tickets, %d skipped; want %d, %d", tt.since, len(got), skipped, tt.wantCount, tt.wantSkipped)
			}
			if len(got) == 0 {
				return
			}
			if got[0].Subject != tt.wantFirst {
				t.Errorf("first ticket = %q; want %q", got[0].Subject, tt.wantFirst)
			}
			for i := 1; i < len(got); i++ {
				if got[i].CreatedAt.Before(got[i-1].CreatedAt) {
					t.Fatalf("ticket %d created %v before ticket %d (%v); want oldest first", i, got[i].CreatedAt, i-1, got[i-1].CreatedAt)
				}
			}
			tk := got[0]
			if tk.Requester == nil || tk.Requester.Name != "Jane Doe" || tk.Requester.Email != "jane@acme.example" || tk.Requester.Phone != "555" {
				t.Errorf("ticket requester = %+v; want Jane Doe", tk.Requester)
			}
			if tk.Stats == nil || tk.Stats.ResolvedAt == nil || !tk.Stats.ResolvedAt.Equal(resolved) || tk.Stats.ClosedAt != nil {
				t.Errorf("ticket stats = %+v; want resolved at %v", tk.Stats, resolved)
			}
			if tk.Status != freshservice.StatusResolved || tk.Priority != freshservice.PriorityHigh || tk.Type != "Incident" {
				t.Errorf("ticket = %+v; want resolved, high, Incident", tk)
			}
		})
	}
}

func TestTicket(t *testing.T) {
	f := newFake(t)
	tk := f.AddTicket(fake.Ticket{Subject: "Printer on fire", Description: "<p>Help</p>", DescriptionText: "Help"})
	c := newClient(t, f)
	got, err := c.Ticket(t.Context(), tk.ID)
	if err != nil {
		t.Fatalf("Ticket(%d): %v", tk.ID, err)
	}
	if got.Subject != tk.Subject || got.DescriptionText != "Help" || got.Stats == nil {
		t.Errorf("Ticket(%d) = %+v; want %+v with stats", tk.ID, got, tk)
	}
	if _, err := c.Ticket(t.Context(), 999); !codex.IsNotFound(err) {
		t.Errorf("Ticket(999) error = %v; want not found", err)
	}
}
