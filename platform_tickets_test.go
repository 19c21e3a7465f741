package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/hivematrix/codex/auth"
	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/integrations/freshservice/fake"
	"github.com/hivematrix/codex/integrations/syncer"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// psaFixture is a fake Freshservice account with one client, its requester, two agents,
// two groups and tickets in every state the dispatch board tells apart.
type psaFixture struct {
	fs                                   *fake.Server
	dept                                 fake.Department
	tom, old                             fake.Agent
	helpdesk, pro                        fake.Group
	fresh, replied, stale, waiting, done fake.Ticket
	responded                            fake.Ticket
	note                                 fake.Conversation
}

const webhookSecret = "hook-secret-8c1f"

func newPSAFixture(t *testing.T) *psaFixture {
	t.Helper()
	f := &psaFixture{fs: fake.New()}
	t.Cleanup(f.fs.Close)
	fs := f.fs
	fs.SetStatuses(map[int]string{2: "Open", 3: "Pending", 4: "Resolved", 5: "Closed", 6: "Waiting on Customer", 8: "Customer Replied"})
	now := time.Now().UTC().Truncate(time.Second)
	ago := func(d time.Duration) *time.Time { x := now.Add(-d); return &x }
	in := func(d time.Duration) *time.Time { x := now.Add(d); return &x }

	f.dept = fs.AddDepartment(fake.Department{Name: "Acme Dental", CustomFields: map[string]any{syncer.AccountNumberField: "ACC-9001"}})
	jane := fs.AddRequester(fake.Requester{FirstName: "Jane", LastName: "Doe", PrimaryEmail: "jane@acme-dental.example",
		DepartmentIDs: []int64{f.dept.ID}, Active: true})
	f.tom = fs.AddAgent(fake.Agent{FirstName: "Tom", LastName: "Tech", Email: "tom@msp.example", JobTitle: "Engineer", Active: true})
	f.old = fs.AddAgent(fake.Agent{FirstName: "Olga", LastName: "Gone", Email: "olga@msp.example", Active: false})
	f.helpdesk = fs.AddGroup(fake.Group{Name: "Helpdesk"})
	f.pro = fs.AddGroup(fake.Group{Name: "Professional Services"})
	dept := &f.dept.ID
	add := func(tk fake.Ticket) fake.Ticket {
		tk.RequesterID, tk.DepartmentID = jane.ID, dept
		if tk.CreatedAt.IsZero() {
			tk.CreatedAt = now.Add(-72 * time.Hour)
		}
		return fs.AddTicket(tk)
	}
	f.fresh = add(fake.Ticket{Subject: "Printer offline", Description: "<p>The printer is offline</p>", DescriptionText: "The printer is offline",
		Status: 2, Priority: 3, FRDueBy: in(2 * time.Hour), DueBy: in(24 * time.Hour), GroupID: &f.helpdesk.ID, UpdatedAt: *ago(time.Hour)})
	f.replied = add(fake.Ticket{Subject: "Email bounce", Status: 8, Priority: 2, ResponderID: &f.tom.ID, UpdatedAt: *ago(10 * time.Minute)})
	f.stale = add(fake.Ticket{Subject: "Server down", Status: 2, Priority: 4, UpdatedAt: *ago(2 * time.Hour)})
	f.waiting = add(fake.Ticket{Subject: "New laptop", Type: "Service Request", Status: 6, Priority: 1, ResponderID: &f.old.ID,
		AgentRespondedAt: ago(3 * time.Hour), FirstRespondedAt: ago(3 * time.Hour), UpdatedAt: *ago(3 * time.Hour)})
	f.done = add(fake.Ticket{Subject: "Old issue", Status: 5, Priority: 1, UpdatedAt: *ago(24 * time.Hour), ClosedAt: ago(24 * time.Hour)})
	f.responded = add(fake.Ticket{Subject: "VPN slow", Status: 2, Priority: 2, ResponderID: &f.tom.ID, GroupID: &f.pro.ID,
		FirstRespondedAt: ago(30 * time.Minute), UpdatedAt: *ago(30 * time.Minute)})

	from := "jane@acme-dental.example"
	fs.AddConversation(fake.Conversation{TicketID: f.fresh.ID, UserID: &jane.ID, Incoming: true, Source: 0,
		BodyText: "Still offline this morning", FromEmail: &from, CreatedAt: now.Add(-50 * time.Minute)})
	f.note = fs.AddConversation(fake.Conversation{TicketID: f.fresh.ID, UserID: &f.tom.ID, Private: true, Source: 2,
		BodyText: "Checked the spooler", CreatedAt: now.Add(-40 * time.Minute)})
	fs.AddTimeEntry(fake.TimeEntry{TicketID: f.fresh.ID, AgentID: &f.tom.ID, TimeSpent: "01:30", Billable: true, Note: "remote session"})
	fs.AddTimeEntry(fake.TimeEntry{TicketID: f.fresh.ID, AgentID: &f.tom.ID, TimeSpent: "00:45", Billable: true})
	return f
}

// psaServer is the real server configured against the fixture's Freshservice, with the
// platform's services granted as they run: Brainhair reads and writes, Beacon reads and syncs.
func psaServer(t *testing.T, db *store.DB, f *psaFixture) *server {
	t.Helper()
	cfg := testConfig(t)
	cfg.Integrations.FreshserviceBaseURL = f.fs.BaseURL()
	cfg.Integrations.FreshserviceAPIKey = fake.APIKey
	cfg.Integrations.FreshserviceDomain = "acme"
	cfg.Integrations.FreshserviceStatuses = map[int]string{6: "Waiting on Customer", 8: "Customer Replied"}
	cfg.Integrations.FreshserviceWebhookSecret = webhookSecret
	cfg.Auth.Services = map[string]codex.Grant{
		"brainhair": {Read: true, Write: true, Platform: true},
		"beacon":    {Read: true, Sync: true},
	}
	s, err := buildServer(context.Background(), cfg, discardLog(), db)
	if err != nil {
		t.Fatalf("buildServer: %v", err)
	}
	t.Cleanup(func() { s.sync.Shutdown(context.Background()) })
	return s
}

// decode reads a JSON answer into v, failing on any other status.
func decode(t *testing.T, w interface {
	Result() *http.Response
}, body []byte, want int, v any) {
	t.Helper()
	if got := w.Result().StatusCode; got != want {
		t.Fatalf("status = %d %s; want %d", got, body, want)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
}

// jsonKind is the JSON type a consumer expects of a field.
type jsonKind string

const (
	kString    jsonKind = "string"
	kNumber    jsonKind = "number"
	kBool      jsonKind = "bool"
	kArray     jsonKind = "array"
	kObject    jsonKind = "object"
	kStringNil jsonKind = "string|null"
	kNumberNil jsonKind = "number|null"
)

// checkFields asserts that obj has every field with its kind, and returns how many it checked.
func checkFields(t *testing.T, what string, obj map[string]any, fields map[string]jsonKind) int {
	t.Helper()
	for name, kind := range fields {
		v, ok := obj[name]
		if !ok {
			t.Errorf("%s: no field %q (want %s)", what, name, kind)
			continue
		}
		var got jsonKind
		switch v.(type) {
		case string:
			got = kString
		case float64:
			got = kNumber
		case bool:
			got = kBool
		case []any:
			got = kArray
		case map[string]any:
			got = kObject
		case nil:
			got = "null"
		}
		if got == kind || (got == "null" && strings.HasSuffix(string(kind), "|null")) ||
			(got == kString && kind == kStringNil) || (got == kNumber && kind == kNumberNil) {
			continue
		}
		t.Errorf("%s: field %q = %v (%s); want %s", what, name, v, got, kind)
	}
	return len(fields)
}

// syncAll runs a whole Freshservice sync as an admin and waits for it.
func syncAll(t *testing.T, s *server, admin string) {
	t.Helper()
	w := do(t, s.handler, http.MethodPost, "/api/sync/freshservice", admin, nil)
	var started codex.SyncRun
	if w.Code != http.StatusAccepted || json.Unmarshal(w.Body.Bytes(), &started) != nil {
		t.Fatalf("POST /api/sync/freshservice = %d %s", w.Code, w.Body)
	}
	if run := waitRun(t, s, admin, started.ID); run.Status != codex.SyncSucceeded || run.Failed != 0 {
		t.Fatalf("sync = %s (failed %d, problems %v, error %q); want succeeded", run.Status, run.Failed, run.Problems, run.Error)
	}
}

func TestPlatformReplayBeacon(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newPSAFixture(t)
		s := psaServer(t, db, f)
		admin := mint(t, s, auth.MintOptions{Email: "ada@example.com", Level: codex.LevelAdmin})
		beacon := mint(t, s, auth.MintOptions{Service: "beacon"})
		checked := 0

		// Beacon's "Sync Tickets" button: POST /sync/tickets, then GET /sync/status/{job_id}
		// until completed. Its first run finds no companies yet, so sync everything first.
		syncAll(t, s, admin)
		w := do(t, s.handler, http.MethodPost, "/sync/tickets", beacon, nil)
		var job map[string]any
		decode(t, w, w.Body.Bytes(), http.StatusOK, &job)
		checked += checkFields(t, "POST /sync/tickets", job, map[string]jsonKind{"success": kBool, "job_id": kString})
		if job["success"] != true {
			t.Errorf("POST /sync/tickets success = %v; want true", job["success"])
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			w = do(t, s.handler, http.MethodGet, "/sync/status/"+job["job_id"].(string), beacon, nil)
			var st map[string]any
			decode(t, w, w.Body.Bytes(), http.StatusOK, &st)
			if st["status"] != "running" {
				checked += checkFields(t, "GET /sync/status", st, map[string]jsonKind{"status": kString, "error": kStringNil})
				if st["status"] != "completed" {
					t.Fatalf("sync job = %v; want completed", st)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("ticket sync still running after 30 s")
			}
			time.Sleep(50 * time.Millisecond)
		}
		// The same rows under /api (a static path: not /api/sync/{source}).
		w = do(t, s.handler, http.MethodPost, "/api/sync/tickets", beacon, nil)
		decode(t, w, w.Body.Bytes(), http.StatusOK, &job)
		for range 600 {
			w = do(t, s.handler, http.MethodGet, "/api/sync/status/"+job["job_id"].(string), beacon, nil)
			var st map[string]any
			decode(t, w, w.Body.Bytes(), http.StatusOK, &st)
			if st["status"] != "running" {
				if st["status"] != "completed" || st["success"] != true {
					t.Errorf("GET /api/sync/status = %v; want completed", st)
				}
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if w := do(t, s.handler, http.MethodGet, "/sync/status/999999", beacon, nil); w.Code != http.StatusNotFound {
			t.Errorf("GET /sync/status/999999 = %d; want 404", w.Code)
		}
		tech := mint(t, s, auth.MintOptions{Email: "tom@example.com", Level: codex.LevelTechnician})
		if w := do(t, s.handler, http.MethodPost, "/sync/tickets", tech, nil); w.Code != http.StatusForbidden {
			t.Errorf("technician POST /sync/tickets = %d; want 403", w.Code)
		}

		// GET /api/psa/config: the ticket link template.
		w = do(t, s.handler, http.MethodGet, "/api/psa/config", beacon, nil)
		var cfg map[string]any
		decode(t, w, w.Body.Bytes(), http.StatusOK, &cfg)
		checked += checkFields(t, "psa config", cfg, map[string]jsonKind{"default_provider": kString, "providers": kObject})
		provider, _ := cfg["providers"].(map[string]any)["freshservice"].(map[string]any)
		checked += checkFields(t, "psa config provider", provider, map[string]jsonKind{"ticket_url_template": kString, "group_ids": kObject})
		if got := provider["ticket_url_template"]; got != "https://acme.freshservice.com/a/tickets/{ticket_id}" {
			t.Errorf("ticket_url_template = %v", got)
		}
		if got := provider["group_ids"].(map[string]any)["Professional Services"]; got != float64(f.pro.ID) {
			t.Errorf("group_ids[Professional Services] = %v; want %d", got, f.pro.ID)
		}

		// GET /api/psa/agents: {external_id: name} of the active ones.
		w = do(t, s.handler, http.MethodGet, "/api/psa/agents", beacon, nil)
		var agents []map[string]any
		decode(t, w, w.Body.Bytes(), http.StatusOK, &agents)
		if len(agents) != 2 {
			t.Fatalf("agents = %v; want 2", agents)
		}
		for _, a := range agents {
			checked += checkFields(t, "psa agent", a, map[string]jsonKind{"external_id": kNumber, "name": kString, "active": kBool})
		}
		if agents[0]["external_id"] != float64(f.tom.ID) || agents[0]["name"] != "Tom Tech" || agents[1]["active"] != false {
			t.Errorf("agents = %v; want Tom Tech (active) first, then the inactive agent", agents)
		}

		// GET /api/tickets/active: the board.
		w = do(t, s.handler, http.MethodGet, "/api/tickets/active", beacon, nil)
		var b map[string]any
		decode(t, w, w.Body.Bytes(), http.StatusOK, &b)
		checked += checkFields(t, "board", b, map[string]jsonKind{"section1": kArray, "section2": kArray, "section3": kArray,
			"section4": kArray, "last_sync_time": kString})
		itemFields := map[string]jsonKind{
			"id": kNumber, "subject": kString, "requester_name": kString, "agent_name": kString, "priority_text": kString,
			"priority_raw": kNumber, "sla_text": kString, "sla_class": kString, "updated_friendly": kString,
			"created_days_old": kString, "first_responded_at_iso": kStringNil, "fr_due_by_str": kStringNil,
			"due_by_str": kStringNil, "type": kString, "description_text": kString, "created_at_str": kString,
			"updated_at_str": kString, "status_text": kString, "group_id": kNumberNil, "responder_id": kNumberNil,
		}
		type want struct {
			section string
			id      int64
			class   string
			text    string // the whole text, "*" standing for a number
			agent   string
		}
		wants := []want{
			{"section1", f.fresh.ID, "sla-critical", "* hours for FR", "Unassigned"},
			{"section1", f.responded.ID, "sla-responded", "Open (FR Met)", "Tom Tech"},
			{"section2", f.replied.ID, "sla-warning", "Customer Replied (*m ago)", "Tom Tech"},
			{"section3", f.stale.ID, "sla-critical", "Update Overdue (Open, 2h ago)", "Unassigned"},
			{"section4", f.waiting.ID, "sla-responded", "Waiting on Customer (Agent: 3h ago)", "Agent " + itoa(f.old.ID)},
		}
		total := 0
		for _, sec := range []string{"section1", "section2", "section3", "section4"} {
			total += len(b[sec].([]any))
		}
		if total != len(wants) {
			t.Errorf("board holds %d tickets; want %d (the closed one left out): %s", total, len(wants), w.Body)
		}
		for _, wt := range wants {
			var item map[string]any
			for _, it := range b[wt.section].([]any) {
				if m := it.(map[string]any); m["id"] == float64(wt.id) {
					item = m
				}
			}
			if item == nil {
				t.Errorf("%s lacks ticket %d: %s", wt.section, wt.id, w.Body)
				continue
			}
			checked += checkFields(t, "board item", item, itemFields)
			// "*" stands for a number that moves with the time the sync took (a slow machine).
			text, _ := item["sla_text"].(string)
			prefix, suffix, wild := strings.Cut(wt.text, "*")
			textOK := text == wt.text || (wild && strings.HasPrefix(text, prefix) && strings.HasSuffix(text, suffix))
			if item["sla_class"] != wt.class || !textOK || item["agent_name"] != wt.agent {
				t.Errorf("ticket %d = %v / %v / %v; want %s / %s / %s", wt.id, item["sla_class"], item["sla_text"], item["agent_name"], wt.class, wt.text, wt.agent)
			}
		}
		s1 := b["section1"].([]any)
		if len(s1) == 2 && s1[0].(map[string]any)["id"] != float64(f.fresh.ID) {
			t.Errorf("section1 starts with %v; want the high-priority ticket first", s1[0].(map[string]any)["id"])
		}
		if pro := s1[len(s1)-1].(map[string]any); pro["group_id"] != float64(f.pro.ID) || pro["responder_id"] != float64(f.tom.ID) {
			t.Errorf("responded ticket group/responder = %v/%v; want %d/%d", pro["group_id"], pro["responder_id"], f.pro.ID, f.tom.ID)
		}
		w = do(t, s.handler, http.MethodGet, "/api/tickets/active?responder_id="+itoa(f.tom.ID), beacon, nil)
		decode(t, w, w.Body.Bytes(), http.StatusOK, &b)
		if n := len(b["section1"].([]any)) + len(b["section2"].([]any)) + len(b["section3"].([]any)) + len(b["section4"].([]any)); n != 2 {
			t.Errorf("board of Tom = %d tickets; want 2", n)
		}
		t.Logf("Beacon replay: 5 calls, %d field checks", checked)
	})
}

func TestPlatformReplayBrainhair(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newPSAFixture(t)
		s := psaServer(t, db, f)
		admin := mint(t, s, auth.MintOptions{Email: "ada@example.com", Level: codex.LevelAdmin})
		brainhair := mint(t, s, auth.MintOptions{Service: "brainhair"})
		beacon := mint(t, s, auth.MintOptions{Service: "beacon"})
		syncAll(t, s, admin)
		checked := 0

		// get_tickets(company_id, status, limit): the envelope, by account number.
		w := do(t, s.handler, http.MethodGet, "/api/tickets?limit=50&company_id=ACC-9001&status=open", brainhair, nil)
		var env map[string]any
		decode(t, w, w.Body.Bytes(), http.StatusOK, &env)
		checked += checkFields(t, "tickets envelope", env, map[string]jsonKind{"tickets": kArray, "count": kNumber, "total": kNumber,
			"offset": kNumber, "limit": kNumber})
		tickets := env["tickets"].([]any)
		if len(tickets) != 5 || env["total"] != float64(5) || env["limit"] != float64(50) {
			t.Errorf("open tickets of ACC-9001 = %d (total %v, limit %v); want 5 of 5, limit 50", len(tickets), env["total"], env["limit"])
		}
		for _, it := range tickets {
			checked += checkFields(t, "ticket item", it.(map[string]any), map[string]jsonKind{"id": kNumber, "subject": kString,
				"status": kString, "priority": kString, "company_id": kStringNil, "last_updated_at": kString,
				"company_compliance_level": kString})
		}
		if first := tickets[0].(map[string]any); first["id"] != float64(f.replied.ID) || first["company_id"] != "ACC-9001" ||
			first["status"] != "customer_replied" {
			t.Errorf("first ticket = %v; want the most recently updated, %d, of ACC-9001, customer_replied", first, f.replied.ID)
		}
		// Codex's own documented call keeps its array.
		w = do(t, s.handler, http.MethodGet, "/api/tickets?limit=50&status=open", admin, nil)
		if !bytes.HasPrefix(bytes.TrimSpace(w.Body.Bytes()), []byte("[")) {
			t.Errorf("documented GET /api/tickets = %.80s; want the array", w.Body)
		}
		w = do(t, s.handler, http.MethodGet, "/api/tickets?limit=50&envelope=true", admin, nil)
		if w.Code != http.StatusOK || !bytes.Contains(w.Body.Bytes(), []byte(`"tickets"`)) {
			t.Errorf("GET /api/tickets?envelope=true = %d %.80s; want the envelope", w.Code, w.Body)
		}
		if w := do(t, s.handler, http.MethodGet, "/api/tickets?company_id=NOPE", brainhair, nil); w.Code != http.StatusNotFound {
			t.Errorf("unknown company reference = %d; want 404", w.Code)
		}

		// get_ticket(id): by the PSA id, with conversations and notes.
		w = do(t, s.handler, http.MethodGet, "/api/ticket/"+itoa(f.fresh.ID), brainhair, nil)
		var tk map[string]any
		decode(t, w, w.Body.Bytes(), http.StatusOK, &tk)
		checked += checkFields(t, "ticket", tk, map[string]jsonKind{"id": kNumber, "subject": kString, "status": kString,
			"priority": kString, "company_name": kString, "company_compliance_level": kString, "requester_name": kString,
			"requester_email": kString, "created_at": kString, "last_updated_at": kString, "description_text": kString,
			"notes": kArray, "conversations": kArray, "total_hours_spent": kNumber})
		if tk["requester_name"] != "Jane Doe" || tk["company_name"] != "Acme Dental" || tk["total_hours_spent"] != 2.25 ||
			tk["description_text"] != "The printer is offline" {
			t.Errorf("ticket = %v; want Jane Doe of Acme Dental, 2.25 hours, the description's text", tk)
		}
		notes := tk["notes"].([]any)
		if len(notes) != 1 || len(tk["conversations"].([]any)) != 1 {
			t.Fatalf("notes %v, conversations %v; want one of each", notes, tk["conversations"])
		}
		note := notes[0].(map[string]any)
		checked += checkFields(t, "note", note, map[string]jsonKind{"created_at": kString, "text": kString})
		if note["text"] != "Checked the spooler" || note["user"] != "Tom Tech" || note["private"] != true {
			t.Errorf("note = %v; want Tom Tech's private note", note)
		}
		if w := do(t, s.handler, http.MethodGet, "/api/ticket/424242", brainhair, nil); w.Code != http.StatusNotFound {
			t.Errorf("GET /api/ticket/424242 = %d; want 404", w.Code)
		}

		// update_ticket(id, status, notes): written to Freshservice first.
		body := `{"status":"pending","notes":"Replaced the toner"}`
		post := func(token, id, body string) (int, []byte) {
			w := do(t, s.handler, http.MethodPost, "/api/ticket/"+id+"/update", token, strings.NewReader(body), "Content-Type", "application/json")
			return w.Code, w.Body.Bytes()
		}
		code, out := post(brainhair, itoa(f.fresh.ID), body)
		var res map[string]any
		if code != http.StatusOK || json.Unmarshal(out, &res) != nil {
			t.Fatalf("update = %d %s; want 200", code, out)
		}
		checked += checkFields(t, "update", res, map[string]jsonKind{"success": kBool, "ticket_id": kNumber, "message": kString})
		if res["success"] != true || res["ticket_id"] != float64(f.fresh.ID) {
			t.Errorf("update = %v", res)
		}
		if got, _ := f.fs.Ticket(f.fresh.ID); got.Status != 3 {
			t.Errorf("Freshservice status after update = %d; want 3 (pending)", got.Status)
		}
		convs := f.fs.Conversations(f.fresh.ID)
		if last := convs[len(convs)-1]; last.BodyText != "Replaced the toner" || !last.Private {
			t.Errorf("Freshservice's last conversation = %+v; want the private note", last)
		}
		w = do(t, s.handler, http.MethodGet, "/api/ticket/"+itoa(f.fresh.ID), brainhair, nil)
		decode(t, w, w.Body.Bytes(), http.StatusOK, &tk)
		if tk["status"] != "pending" || len(tk["notes"].([]any)) != 2 {
			t.Errorf("after update: status %v, %d notes; want pending with 2 notes", tk["status"], len(tk["notes"].([]any)))
		}

		// The PSA refuses a status it lacks (Codex's configuration names 6 and 8; the
		// account then drops 8): a clear 400, nothing changed in Codex.
		f.fs.SetStatuses(map[int]string{2: "Open", 3: "Pending", 4: "Resolved", 5: "Closed", 6: "Waiting on Customer"})
		code, out = post(brainhair, itoa(f.fresh.ID), `{"status":"Customer Replied"}`)
		if code != http.StatusBadRequest && code != http.StatusUnprocessableEntity || !strings.Contains(string(out), "status") {
			t.Errorf("refused update = %d %s; want 400/422 naming status", code, out)
		}
		w = do(t, s.handler, http.MethodGet, "/api/ticket/"+itoa(f.fresh.ID), brainhair, nil)
		decode(t, w, w.Body.Bytes(), http.StatusOK, &tk)
		if tk["status"] != "pending" {
			t.Errorf("after a refused update: status %v; want pending still", tk["status"])
		}
		// Freshservice down: the ticket is gone there; nothing changes here.
		f.fs.DeleteTicket(f.stale.ID)
		if code, out := post(brainhair, itoa(f.stale.ID), `{"notes":"x"}`); code != http.StatusNotFound {
			t.Errorf("update of a ticket gone from the PSA = %d %s; want 404", code, out)
		}
		for _, tt := range []struct {
			name, token, body string
			want              int
		}{
			{"beacon may not write", beacon, body, http.StatusForbidden},
			{"billing may not write", mint(t, s, auth.MintOptions{Email: "bill@example.com", Level: codex.LevelBilling}), body, http.StatusForbidden},
			{"unknown status", brainhair, `{"status":"in_progress"}`, http.StatusUnprocessableEntity},
			{"nothing to do", brainhair, `{}`, http.StatusUnprocessableEntity},
			{"not an object", brainhair, `[1]`, http.StatusBadRequest},
		} {
			if code, out := post(tt.token, itoa(f.fresh.ID), tt.body); code != tt.want {
				t.Errorf("%s: update = %d %s; want %d", tt.name, code, out, tt.want)
			}
		}
		tech := mint(t, s, auth.MintOptions{Email: "tom@example.com", Level: codex.LevelTechnician})
		if code, out := post(tech, itoa(f.fresh.ID), `{"status":2}`); code != http.StatusOK {
			t.Errorf("technician update = %d %s; want 200", code, out)
		}
		sys := codex.WithPrincipal(context.Background(), codex.SystemPrincipal("test"))
		for _, actor := range []string{"system:psa-update by service:brainhair", "system:psa-update by tom@example.com"} {
			n := 10
			log, err := db.AuditLog(sys, codex.AuditFilter{Entity: "ticket", Actor: actor}, codex.PageArgs{First: &n})
			if err != nil || len(log.Items) == 0 || log.Items[0].Action != "update" {
				t.Errorf("audit log of %q = %v, %v; want the ticket update", actor, log, err)
			}
		}

		// psa agents.
		w = do(t, s.handler, http.MethodGet, "/api/psa/agents", brainhair, nil)
		var agents []map[string]any
		decode(t, w, w.Body.Bytes(), http.StatusOK, &agents)
		for _, a := range agents {
			checked += checkFields(t, "psa agent", a, map[string]jsonKind{"id": kNumber, "external_id": kNumber, "source": kString,
				"name": kString, "email": kString, "job_title": kString, "active": kBool})
		}
		t.Logf("Brainhair replay: 4 calls, %d field checks", checked)
	})
}

func TestFreshserviceTicketWebhook(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newPSAFixture(t)
		s := psaServer(t, db, f)
		admin := mint(t, s, auth.MintOptions{Email: "ada@example.com", Level: codex.LevelAdmin})
		syncAll(t, s, admin)
		f.fs.EditTicket(f.fresh.ID, func(tk *fake.Ticket) { tk.Subject = "Printer offline again"; tk.Status = 8 })
		hook := func(body string, header ...string) (int, string) {
			w := do(t, s.handler, http.MethodPost, "/webhooks/freshservice/ticket", "", strings.NewReader(body), header...)
			return w.Code, w.Body.String()
		}
		if code, _ := hook(`{"ticket_id":1}`); code != http.StatusUnauthorized {
			t.Errorf("webhook without secret = %d; want 401", code)
		}
		if code, _ := hook(`{"ticket_id":1}`, "X-Codex-Webhook-Secret", "wrong"); code != http.StatusUnauthorized {
			t.Errorf("webhook with a wrong secret = %d; want 401", code)
		}
		code, out := hook(`{"ticket_id":"INC-`+itoa(f.fresh.ID)+`"}`, "X-Codex-Webhook-Secret", webhookSecret)
		if code != http.StatusOK {
			t.Fatalf("webhook = %d %s; want 200", code, out)
		}
		w := do(t, s.handler, http.MethodGet, "/api/ticket/"+itoa(f.fresh.ID), admin, nil)
		var tk map[string]any
		decode(t, w, w.Body.Bytes(), http.StatusOK, &tk)
		if tk["subject"] != "Printer offline again" || tk["status"] != "customer_replied" {
			t.Errorf("after the webhook: %v / %v; want the new subject and status", tk["subject"], tk["status"])
		}
		// An HMAC signature instead of the secret.
		body := []byte(`{"ticket_id":` + itoa(f.replied.ID) + `}`)
		mac := hmac.New(sha256.New, []byte(webhookSecret))
		mac.Write(body)
		if code, out := hook(string(body), "X-Codex-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil))); code != http.StatusOK {
			t.Errorf("signed webhook = %d %s; want 200", code, out)
		}
		if code, _ := hook(string(body), "X-Codex-Signature", "sha256=00"); code != http.StatusUnauthorized {
			t.Errorf("badly signed webhook = %d; want 401", code)
		}
		if code, _ := hook(`{"ticket_id":"abc"}`, "X-Codex-Webhook-Secret", webhookSecret); code != http.StatusBadRequest {
			t.Errorf("webhook without a ticket id = %d; want 400", code)
		}
		if code, _ := hook(`{"ticket_id":424242}`, "X-Codex-Webhook-Secret", webhookSecret); code != http.StatusNotFound {
			t.Errorf("webhook of a ticket the PSA lacks = %d; want 404", code)
		}
		// The billing service's yearly list, by account number (and by id:N).
		year := itoa(int64(time.Now().UTC().Year()))
		w = do(t, s.handler, http.MethodGet, "/api/companies/ACC-9001/tickets?year="+year, admin, nil)
		var yearly []map[string]any
		decode(t, w, w.Body.Bytes(), http.StatusOK, &yearly)
		if len(yearly) != 6 {
			t.Errorf("tickets of ACC-9001 in %s = %d; want 6", year, len(yearly))
		}
		for _, it := range yearly {
			checkFields(t, "yearly ticket", it, map[string]jsonKind{"ticket_id": kNumber, "ticket_number": kString, "subject": kString,
				"last_updated_at": kString, "closed_at": kStringNil, "total_hours_spent": kNumber})
			if it["ticket_id"] == float64(f.fresh.ID) && (it["total_hours_spent"] != 2.25 || it["ticket_number"] != "INC-"+itoa(f.fresh.ID)) {
				t.Errorf("yearly ticket %v; want 2.25 hours and INC-%d", it, f.fresh.ID)
			}
		}
		w = do(t, s.handler, http.MethodGet, "/api/companies/ACC-9001/tickets?year=1999", admin, nil)
		if strings.TrimSpace(w.Body.String()) != "[]" {
			t.Errorf("tickets of 1999 = %s; want []", w.Body)
		}
		if w := do(t, s.handler, http.MethodGet, "/api/companies/ACC-9001/tickets?year=abc", admin, nil); w.Code != http.StatusBadRequest {
			t.Errorf("year=abc = %d; want 400", w.Code)
		}

		// The allow-list: httptest's requests come from 192.0.2.1.
		s.cfg.Integrations.FreshserviceWebhookAllow = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
		s.handler = s.routes()
		if code, _ := hook(string(body), "X-Codex-Webhook-Secret", webhookSecret); code != http.StatusForbidden {
			t.Errorf("webhook from outside the allow-list = %d; want 403", code)
		}
	})
}
