package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/hivematrix/codex/auth"
	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/policy"
	"github.com/hivematrix/codex/redact"
	"github.com/hivematrix/codex/seed"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// demoIdentifiers are the personal data in the demo's HIPAA and CJIS tickets: none may
// reach a redacting caller, whatever the path.
var demoIdentifiers = []string{
	"Aaron", "Miles (badge", "3317", "7743019", "555-0142", // Marion County Sheriff (CJIS)
	"Maria Gonzalez", "Gonzalez", "03/14/1961", "448812", "013-2219", "jenna.price@", // Cedar Valley (HIPAA)
	"Thomas Reed", "07/22/1958", "078-05-1120", "Adler", "013-2291", "192.168.21.20", // Riverside (HIPAA)
	"Linda Morales", "WX4471-0093", "Emily Shaw", "emily.shaw@",
}

// demoContactData are the personal data of the demo's CJIS and HIPAA contacts that a
// redacting caller gets replaced (first names stay: "Dale W.").
var demoContactData = []string{
	"Whitaker", "dwhitaker@", "555-0141", "O'Brien", "kobrien@", // sheriff
	"Okafor", "sokafor@", "555-0151", "Becker", "tbecker@", // clinic
}

// redactionServer is the server over the demo data with two redacting services:
// brainhair (read, redact) and sentinel (read, redact, cjis).
type redactionServer struct {
	t                   *testing.T
	s                   *server
	admin, bh, sentinel string
	sheriff, clinic     *codex.Company
}

func newRedactionServer(t *testing.T, db *store.DB) *redactionServer {
	t.Helper()
	ctx := context.Background()
	if err := seed.Demo(ctx, policy.New(db.Services())); err != nil {
		t.Fatalf("seed.Demo: %v", err)
	}
	cfg := testConfig(t)
	cfg.Auth.Services = map[string]codex.Grant{
		"brainhair": {Read: true, Redact: true},
		"sentinel":  {Read: true, Redact: true, CJIS: true},
	}
	s, err := buildServer(ctx, cfg, discardLog(), db)
	if err != nil {
		t.Fatal(err)
	}
	rs := &redactionServer{t: t, s: s,
		admin:    mint(t, s, auth.MintOptions{Email: seed.DemoAdmin, Level: codex.LevelAdmin}),
		bh:       mint(t, s, auth.MintOptions{Service: "brainhair"}),
		sentinel: mint(t, s, auth.MintOptions{Service: "sentinel"}),
	}
	sys := codex.WithPrincipal(ctx, codex.SystemPrincipal("test"))
	for _, c := range []struct {
		acc string
		dst **codex.Company
	}{{"ACC-1020", &rs.sheriff}, {"ACC-1030", &rs.clinic}} {
		page, err := db.Companies(sys, codex.CompanyFilter{AccountNumber: c.acc}, codex.PageArgs{})
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("company %s: %v", c.acc, err)
		}
		*c.dst = page.Items[0]
	}
	return rs
}

func (rs *redactionServer) get(token, path string, want int) string {
	rs.t.Helper()
	w := do(rs.t, rs.s.handler, http.MethodGet, path, token, nil)
	if w.Code != want {
		rs.t.Fatalf("GET %s = %d %s; want %d", path, w.Code, w.Body, want)
	}
	return w.Body.String()
}

func (rs *redactionServer) graphql(token, query string) map[string]any {
	rs.t.Helper()
	b, _ := json.Marshal(map[string]any{"query": query})
	w := do(rs.t, rs.s.handler, http.MethodPost, "/graphql", token, strings.NewReader(string(b)), "Content-Type", "application/json")
	var out map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		rs.t.Fatalf("POST /graphql %s = %d %s", query, w.Code, w.Body)
	}
	return out
}

// leaks returns the demo identifiers that appear in body.
func leaks(body string) []string {
	var found []string
	for _, id := range demoIdentifiers {
		if strings.Contains(body, id) {
			found = append(found, id)
		}
	}
	return found
}

// TestDemoRedactedOnEveryPath reads the demo's tickets, contacts and assets as redacting
// services over REST JSON, CSV and GraphQL (lists, nested lists, node) and checks that no
// identifier of the HIPAA and CJIS tickets comes back, that CJIS text is withheld without
// the cjis grant, and that every row carries its company's compliance level.
func TestDemoRedactedOnEveryPath(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		rs := newRedactionServer(t, db)

		// The admin, not redacting, reads the stored text; so the checks below can fail.
		all := rs.get(rs.admin, "/api/tickets?limit=1000", http.StatusOK)
		if got := leaks(all); len(got) != len(demoIdentifiers) {
			t.Fatalf("admin reads %d of the %d demo identifiers; the demo changed", len(got), len(demoIdentifiers))
		}

		paths := []string{
			"/api/tickets?limit=1000",
			"/api/tickets?limit=1000&format=csv",
			fmt.Sprintf("/api/companies/%d/tickets", rs.sheriff.ID),
			fmt.Sprintf("/api/companies/%d/tickets?format=csv", rs.clinic.ID),
		}
		for _, token := range []string{rs.bh, rs.sentinel} {
			for _, p := range paths {
				if got := leaks(rs.get(token, p, http.StatusOK)); len(got) > 0 {
					t.Errorf("GET %s as a redacting service leaks %v", p, got)
				}
			}
			for _, p := range []string{"/api/contacts?limit=1000", "/api/contacts?format=csv"} {
				body := rs.get(token, p, http.StatusOK)
				for _, v := range demoContactData {
					if strings.Contains(body, v) {
						t.Errorf("GET %s as a redacting service leaks %q", p, v)
					}
				}
			}
			// The admin asking for redaction gets the same.
			if got := leaks(rs.get(rs.admin, "/api/tickets?limit=1000&redact=true", http.StatusOK)); len(got) > 0 {
				t.Errorf("GET /api/tickets?redact=true as the admin leaks %v", got)
			}
		}

		// Ticket 8 of the sheriff, over REST JSON: withheld without the cjis grant, redacted
		// with it; both carry the company's level.
		sheriffTickets := func(token string) []map[string]any {
			var rows []map[string]any
			body := rs.get(token, fmt.Sprintf("/api/tickets?company_id=%d", rs.sheriff.ID), http.StatusOK)
			if err := json.Unmarshal([]byte(body), &rows); err != nil {
				t.Fatalf("tickets: %v in %s", err, body)
			}
			return rows
		}
		for _, row := range sheriffTickets(rs.bh) {
			if row["description"] != redact.WithheldCJIS || row["subject"] != redact.WithheldCJIS {
				t.Errorf("brainhair: CJIS ticket %v = %q / %q; want both withheld", row["id"], row["subject"], row["description"])
			}
			if row["company_compliance_level"] != "cjis" {
				t.Errorf("brainhair: company_compliance_level = %v; want cjis", row["company_compliance_level"])
			}
		}
		var vpn string
		for _, row := range sheriffTickets(rs.sentinel) {
			if d, _ := row["description"].(string); strings.Contains(d, "VPN") {
				vpn = d
			}
		}
		for _, want := range []string{"Deputy <PERSON> (badge <BADGE_NUMBER>)", "driver licence <US_DRIVER_LICENSE>", "dispatch at <PHONE_NUMBER>"} {
			if !strings.Contains(vpn, want) {
				t.Errorf("sentinel: VPN ticket = %q; want it to contain %q", vpn, want)
			}
		}
		adminRows := sheriffTickets(rs.admin)
		if len(adminRows) == 0 || adminRows[0]["company_compliance_level"] != "cjis" {
			t.Errorf("admin: sheriff tickets carry %v; want company_compliance_level cjis", adminRows)
		}

		// CSV carries the level in its own column.
		records, err := csv.NewReader(strings.NewReader(rs.get(rs.bh,
			fmt.Sprintf("/api/tickets?format=csv&company_id=%d", rs.clinic.ID), http.StatusOK))).ReadAll()
		if err != nil || len(records) < 2 {
			t.Fatalf("clinic tickets CSV = %v, %v", records, err)
		}
		col := slices.Index(records[0], "company_compliance_level")
		if col < 0 || records[1][col] != "hipaa" {
			t.Errorf("CSV header %v, first row %v; want company_compliance_level hipaa", records[0], records[1])
		}

		// GraphQL: a list, a nested list and node, for both services.
		firstTicket := fmt.Sprint(int64(adminRows[0]["id"].(float64)))
		queries := []string{
			`{ tickets(first: 100) { nodes { subject description compliance company { complianceLevel } } } }`,
			fmt.Sprintf(`{ company(id: %q) { tickets(first: 50) { nodes { subject description compliance } } contacts(first: 50) { nodes { displayName email compliance } } assets(first: 50) { nodes { notes compliance } } } }`,
				graphID("Company", rs.clinic.ID)),
			fmt.Sprintf(`{ node(id: %q) { ... on Ticket { subject description compliance } } }`, graphID("Ticket", mustInt(t, firstTicket))),
			`{ companies(first: 50) { nodes { name tickets(first: 20) { nodes { description compliance requester { displayName email compliance } } } } } }`,
		}
		for _, token := range []string{rs.bh, rs.sentinel} {
			for _, q := range queries {
				out := rs.graphql(token, q)
				b, _ := json.Marshal(out)
				if out["errors"] != nil {
					t.Errorf("%s: errors %s", q, b)
				}
				if got := leaks(string(b)); len(got) > 0 {
					t.Errorf("GraphQL %s as a redacting service leaks %v", q, got)
				}
			}
		}
		out := rs.graphql(rs.bh, queries[2])
		node, _ := out["data"].(map[string]any)["node"].(map[string]any)
		if node["compliance"] != "CJIS" || node["description"] != redact.WithheldCJIS {
			t.Errorf("brainhair: node(ticket %s) = %v; want CJIS and the description withheld", firstTicket, node)
		}
		// The audit log holds before/after images that cannot be redacted reliably: a
		// redacting caller may not read it at all.
		out = rs.graphql(rs.bh, `{ auditLog(first: 5) { nodes { after } } }`)
		if errs, _ := out["errors"].([]any); len(errs) == 0 || out["data"] != nil && strings.Contains(fmt.Sprint(out["data"]), "Aaron") {
			t.Errorf("brainhair: auditLog = %v; want it refused", out)
		}
		out = rs.graphql(rs.admin, queries[1])
		b, _ := json.Marshal(out)
		if !strings.Contains(string(b), `"compliance":"HIPAA"`) || len(leaks(string(b))) == 0 {
			t.Errorf("admin: clinic via GraphQL = %s; want compliance HIPAA and the stored text", b)
		}
	})
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRedactedFieldsNotQueryable checks that a redacting caller can neither search nor
// filter nor sort by a field it gets redacted, in REST (JSON and CSV) and GraphQL, while a
// caller who reads the plain values still can.
func TestRedactedFieldsNotQueryable(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		rs := newRedactionServer(t, db)
		refused := []string{
			"/api/tickets?search=" + url.QueryEscape("Miles"),
			"/api/tickets?format=csv&search=Gonzalez",
			fmt.Sprintf("/api/companies/%d/tickets?search=badge", rs.sheriff.ID),
			"/api/contacts?search=ruiz",
			"/api/contacts?format=csv&search=ruiz",
			"/api/contacts?email=" + url.QueryEscape("sruiz@sheriff.marion.example"),
			"/api/contacts?order_by=email",
			"/api/contacts?order_by=-name",
			fmt.Sprintf("/api/companies/%d/contacts?search=ruiz", rs.sheriff.ID),
		}
		for _, p := range refused {
			body := rs.get(rs.bh, p, http.StatusForbidden)
			if !strings.Contains(body, "redact") {
				t.Errorf("GET %s as brainhair: problem %s does not say why", p, body)
			}
			rs.get(rs.admin, p, http.StatusOK)
		}
		// Company search leaves the (redacted) description out for a redacting caller:
		// "patrol" is only in the sheriff's description.
		if body := rs.get(rs.bh, "/api/companies?search=patrol", http.StatusOK); strings.Contains(body, "Sheriff") {
			t.Errorf("brainhair: company search matched a redacted description: %s", body)
		}
		if body := rs.get(rs.admin, "/api/companies?search=patrol", http.StatusOK); !strings.Contains(body, "Sheriff") {
			t.Errorf("admin: company search for patrol = %s; want the sheriff's office", body)
		}
		// An unordered contact list still works for the redacting caller, ordered by id.
		var rows []map[string]any
		if err := json.Unmarshal([]byte(rs.get(rs.bh, "/api/contacts?limit=1000", http.StatusOK)), &rows); err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(rows); i++ {
			if rows[i-1]["id"].(float64) > rows[i]["id"].(float64) {
				t.Fatalf("redacting caller's contacts are not in id order: %v before %v", rows[i-1]["id"], rows[i]["id"])
			}
		}

		for _, q := range []string{
			`{ tickets(filter: {search: "Miles"}) { totalCount } }`,
			`{ contacts(filter: {search: "ruiz"}) { totalCount } }`,
			`{ contacts(orderBy: {field: EMAIL}) { totalCount } }`,
			fmt.Sprintf(`{ company(id: %q) { tickets(filter: {search: "Miles"}) { nodes { id } } } }`, graphID("Company", rs.sheriff.ID)),
		} {
			out := rs.graphql(rs.bh, q)
			errs, _ := out["errors"].([]any)
			if len(errs) == 0 {
				t.Errorf("%s as brainhair: no error; want FORBIDDEN", q)
				continue
			}
			ext, _ := errs[0].(map[string]any)["extensions"].(map[string]any)
			if ext["code"] != "FORBIDDEN" {
				t.Errorf("%s as brainhair: errors %v; want extensions.code FORBIDDEN", q, errs)
			}
			if out := rs.graphql(rs.admin, q); out["errors"] != nil {
				t.Errorf("%s as the admin: %v", q, out["errors"])
			}
		}
	})
}
