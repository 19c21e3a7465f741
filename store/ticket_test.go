package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

func TestTicketsAndAlerts(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		t.Run("Tickets", func(t *testing.T) { testTickets(t, db) })
		t.Run("Alerts", func(t *testing.T) { testAlerts(t, db) })
	})
}

func testTickets(t *testing.T, db *store.DB) {
	c := ctx(t)
	root := newCompany(t, db, uniqueName("Tk Root"))
	kid := newCompany(t, db, uniqueName("Tk Kid"), under(root))
	req := newContact(t, db, kid.ID, "Req Uester")
	t0 := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	tk := &codex.Ticket{Source: "freshservice", ExternalID: "1001", CompanyID: kid.ID, RequesterID: &req.ID,
		Subject: "Printer on fire", Status: codex.TicketOpen, Priority: codex.PriorityUrgent, Type: "Incident",
		CreatedAt: t0, UpdatedAt: t0}
	created, err := db.SaveTicket(c, tk)
	if err != nil || !created || tk.ID == 0 {
		t.Fatalf("SaveTicket(new) = %v, %v, id %d; want created", created, err, tk.ID)
	}
	lastAudit(t, db, "ticket", tk.ID, "create")
	id := tk.ID
	again := *tk
	again.ID = 0
	n := len(auditOf(t, db, "ticket", id))
	if created, err := db.SaveTicket(c, &again); err != nil || created || again.ID != id {
		t.Errorf("SaveTicket(unchanged) = %v, %v, id %d; want not created, id %d", created, err, again.ID, id)
	}
	if got := len(auditOf(t, db, "ticket", id)); got != n {
		t.Errorf("an unchanged save wrote %d audit entries; want none", got-n)
	}
	resolved := t0.Add(2 * time.Hour)
	upd := again
	upd.Status, upd.ResolvedAt, upd.UpdatedAt = codex.TicketResolved, &resolved, resolved
	if created, err := db.SaveTicket(c, &upd); err != nil || created || upd.ID != id {
		t.Fatalf("SaveTicket(update) = %v, %v; want updated in place", created, err)
	}
	e := lastAudit(t, db, "ticket", id, "update")
	if field(t, e.Before, "status") != "open" || field(t, e.After, "status") != "resolved" {
		t.Errorf("ticket update audit status = %v -> %v", field(t, e.Before, "status"), field(t, e.After, "status"))
	}
	got, err := db.Ticket(c, id)
	if err != nil || got.Status != codex.TicketResolved || !got.CreatedAt.Equal(t0) || !got.ResolvedAt.Equal(resolved) {
		t.Errorf("Ticket = %+v, %v; want resolved, created_at kept", got, err)
	}
	_, err = db.SaveTicket(c, &codex.Ticket{Source: "fs", CompanyID: 999999, Subject: "x", Status: codex.TicketOpen, Priority: codex.PriorityLow})
	wantErr(t, "SaveTicket(unknown company)", err, codex.Invalid, "company_id")
	_, err = db.SaveTicket(c, &codex.Ticket{Source: "fs", CompanyID: kid.ID, RequesterID: i64(999999), Subject: "x", Status: codex.TicketOpen, Priority: codex.PriorityLow})
	wantErr(t, "SaveTicket(unknown requester)", err, codex.Invalid, "requester_id")
	_, err = db.SaveTicket(c, &codex.Ticket{Source: "fs", CompanyID: kid.ID, Subject: "x", Status: "wontfix", Priority: codex.PriorityLow})
	wantErr(t, "SaveTicket(bad status)", err, codex.Invalid, "status")
	_, err = db.Ticket(c, 999999)
	wantErr(t, "Ticket(999999)", err, codex.NotFound, "")

	mk := func(ext, subject string, co int64, st codex.TicketStatus, pr codex.TicketPriority, at time.Time) *codex.Ticket {
		tk := &codex.Ticket{Source: "psa2", ExternalID: ext, CompanyID: co, Subject: subject, Status: st, Priority: pr, CreatedAt: at, UpdatedAt: at}
		if _, err := db.SaveTicket(c, tk); err != nil {
			t.Fatal(err)
		}
		return tk
	}
	a := mk("a", "VPN down", root.ID, codex.TicketPending, codex.PriorityHigh, t0.Add(time.Hour))
	b := mk("b", "New laptop", kid.ID, codex.TicketClosed, codex.PriorityLow, t0.Add(2*time.Hour))
	arch := mk("c", "Old", kid.ID, codex.TicketOpen, codex.PriorityLow, t0.Add(3*time.Hour))
	arch.ArchivedAt = ptrTo(t0.Add(4 * time.Hour))
	if _, err := db.SaveTicket(c, arch); err != nil {
		t.Fatal(err)
	}
	since := t0.Add(90 * time.Minute)
	scope := []int64{root.ID, kid.ID}
	tests := []struct {
		name string
		f    codex.TicketFilter
		want []int64
	}{
		{"newest first by default", codex.TicketFilter{}, []int64{b.ID, a.ID, upd.ID}},
		{"search", codex.TicketFilter{Search: "vpn"}, []int64{a.ID}},
		{"company", codex.TicketFilter{CompanyID: &kid.ID}, []int64{b.ID, upd.ID}},
		{"subtree", codex.TicketFilter{SubtreeOf: &kid.ID}, []int64{b.ID, upd.ID}},
		{"requester", codex.TicketFilter{RequesterID: &req.ID}, []int64{upd.ID}},
		{"status", codex.TicketFilter{Status: []codex.TicketStatus{codex.TicketClosed, codex.TicketResolved}}, []int64{b.ID, upd.ID}},
		{"priority", codex.TicketFilter{Priority: []codex.TicketPriority{codex.PriorityHigh}}, []int64{a.ID}},
		{"open only", codex.TicketFilter{OpenOnly: true}, []int64{a.ID}},
		{"source", codex.TicketFilter{Source: "freshservice"}, []int64{upd.ID}},
		{"updated since", codex.TicketFilter{UpdatedSince: &since}, []int64{b.ID, upd.ID}},
		{"include archived", codex.TicketFilter{CompanyID: &kid.ID, IncludeArchived: true}, []int64{arch.ID, b.ID, upd.ID}},
		{"oldest first", codex.TicketFilter{Order: codex.Order{Field: "created_at"}}, []int64{upd.ID, a.ID, b.ID}},
		{"due_at", codex.TicketFilter{Order: codex.Order{Field: "due_at"}}, []int64{upd.ID, a.ID, b.ID}},
		{"status rank", codex.TicketFilter{Order: codex.Order{Field: "status"}}, []int64{a.ID, upd.ID, b.ID}},
	}
	for _, tt := range tests {
		f := tt.f
		f.Scope = scope
		pg, err := db.Tickets(c, f, codex.PageArgs{WantTotal: true})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var got []int64
		for _, tk := range pg.Items {
			got = append(got, tk.ID)
		}
		if !slices.Equal(got, tt.want) || pg.TotalCount != len(tt.want) {
			t.Errorf("Tickets(%s) = %v (total %d); want %v", tt.name, got, pg.TotalCount, tt.want)
		}
	}
	byCo, err := db.TicketsByCompanies(c, []int64{kid.ID, root.ID}, codex.TicketFilter{}, 1)
	if err != nil || len(byCo[0]) != 1 || byCo[0][0].ID != b.ID || byCo[1][0].ID != a.ID {
		t.Errorf("TicketsByCompanies(limit 1) = %v, %v; want newest per company", byCo, err)
	}
	counts, err := db.CountTicketsByCompanies(c, []int64{root.ID, kid.ID}, codex.TicketFilter{})
	if err != nil || !slices.Equal(counts, []int{1, 2}) {
		t.Errorf("CountTicketsByCompanies = %v, %v; want [1 2]", counts, err)
	}
	byID, errs := db.TicketsByIDs(c, []int64{a.ID, 999999})
	if byID[0].ID != a.ID || !codex.IsNotFound(errs[1]) {
		t.Errorf("TicketsByIDs = %v, %v", byID, errs)
	}
	var each []int64
	if err := db.EachTicket(c, codex.TicketFilter{Scope: scope}, func(tk *codex.Ticket) error { each = append(each, tk.ID); return nil }); err != nil || len(each) != 3 {
		t.Errorf("EachTicket = %v, %v; want 3", each, err)
	}
}

func testAlerts(t *testing.T, db *store.DB) {
	c := ctx(t)
	co := newCompany(t, db, uniqueName("Alerts"))
	srv := newAsset(t, db, co.ID, "srv")
	pc := newAsset(t, db, co.ID, "pc")
	t0 := time.Date(2026, 4, 2, 8, 0, 0, 0, time.UTC)
	save := func(a *codex.Alert) bool {
		t.Helper()
		created, err := db.SaveAlert(c, a)
		if err != nil {
			t.Fatal(err)
		}
		return created
	}
	disk := &codex.Alert{Source: "datto", ExternalID: "u1", CompanyID: co.ID, AssetID: &srv.ID, Priority: codex.AlertCritical, Message: "disk full", RaisedAt: t0}
	if !save(disk) {
		t.Fatal("SaveAlert(new) created = false")
	}
	lastAudit(t, db, "alert", disk.ID, "create")
	cpu := &codex.Alert{Source: "datto", ExternalID: "u2", CompanyID: co.ID, AssetID: &srv.ID, Priority: codex.AlertLow, Message: "cpu", RaisedAt: t0.Add(time.Hour)}
	save(cpu)
	av := &codex.Alert{Source: "datto", ExternalID: "u3", CompanyID: co.ID, AssetID: &pc.ID, Priority: codex.AlertModerate, Message: "av", RaisedAt: t0.Add(2 * time.Hour)}
	save(av)
	res := *disk
	res.Resolved, res.ResolvedAt = true, ptrTo(t0.Add(30*time.Minute))
	if save(&res) || res.ID != disk.ID {
		t.Errorf("SaveAlert(resolve) created a row or changed id %d -> %d", disk.ID, res.ID)
	}
	lastAudit(t, db, "alert", disk.ID, "update")
	got, err := db.Alert(c, disk.ID)
	if err != nil || !got.Resolved || !got.RaisedAt.Equal(t0) {
		t.Errorf("Alert = %+v, %v; want resolved", got, err)
	}
	_, err = db.SaveAlert(c, &codex.Alert{Source: "datto", CompanyID: co.ID, AssetID: i64(999999), Priority: codex.AlertLow})
	wantErr(t, "SaveAlert(unknown asset)", err, codex.Invalid, "asset_id")
	_, err = db.Alert(c, 999999)
	wantErr(t, "Alert(999999)", err, codex.NotFound, "")

	tests := []struct {
		name string
		f    codex.AlertFilter
		want []int64
	}{
		{"newest first", codex.AlertFilter{CompanyID: &co.ID}, []int64{av.ID, cpu.ID, disk.ID}},
		{"subtree", codex.AlertFilter{SubtreeOf: &co.ID}, []int64{av.ID, cpu.ID, disk.ID}},
		{"asset", codex.AlertFilter{AssetID: &srv.ID}, []int64{cpu.ID, disk.ID}},
		{"priority", codex.AlertFilter{CompanyID: &co.ID, Priority: []codex.AlertPriority{codex.AlertModerate}}, []int64{av.ID}},
		{"unresolved", codex.AlertFilter{CompanyID: &co.ID, Resolved: boolp(false)}, []int64{av.ID, cpu.ID}},
		{"by priority rank", codex.AlertFilter{CompanyID: &co.ID, Order: codex.Order{Field: "priority", Desc: true}}, []int64{disk.ID, av.ID, cpu.ID}},
		{"scope", codex.AlertFilter{Scope: []int64{}}, nil},
	}
	for _, tt := range tests {
		pg, err := db.Alerts(c, tt.f, codex.PageArgs{})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var got []int64
		for _, a := range pg.Items {
			got = append(got, a.ID)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Alerts(%s) = %v; want %v", tt.name, got, tt.want)
		}
	}
	byAsset, err := db.AlertsByAssets(c, []int64{pc.ID, srv.ID, 999999}, codex.AlertFilter{}, 1)
	if err != nil || len(byAsset[0]) != 1 || byAsset[0][0].ID != av.ID || byAsset[1][0].ID != cpu.ID || len(byAsset[2]) != 0 {
		t.Errorf("AlertsByAssets(limit 1) = %v, %v", byAsset, err)
	}
	byCo, err := db.AlertsByCompanies(c, []int64{co.ID}, codex.AlertFilter{Resolved: boolp(true)}, 0)
	if err != nil || len(byCo[0]) != 1 || byCo[0][0].ID != disk.ID {
		t.Errorf("AlertsByCompanies(resolved) = %v, %v", byCo, err)
	}
}
