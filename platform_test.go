package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hivematrix/codex/auth/authtest"
	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// The platform replay: each HiveMatrix service's calls to Codex, with the token that
// service sends (HiveMatrix Core's shapes, verified through a bare-JWKS issuer), through
// the real router on a seeded database, asserting every field the service reads with
// its JSON type. The calls and fields come from the services' public code
// (skelhammer/hivematrix-ledger app/codex_client.py and its billing pages,
// -knowledgetree sync_codex.py, -nexus and -core's preference lookups, -helm's health
// probe, -brainhair claude_tools/device_tools.py and codex_tools.py).

// platform is a Codex server trusting a fake HiveMatrix Core, on a seeded database.
type platform struct {
	t     *testing.T
	h     http.Handler
	db    *store.DB
	core  *authtest.Server
	acme  *codex.Company // account number "965"
	decoy *codex.Company // its account number is acme's id in digits
}

func newPlatform(t *testing.T, db *store.DB) *platform {
	t.Helper()
	core := authtest.NewCore(t)
	cfg := testConfig(t)
	cfg.Auth.Issuer, cfg.Auth.JWKSURL = core.Issuer, core.JWKSURL
	if cfg.Auth.Services == nil {
		cfg.Auth.Services = map[string]codex.Grant{}
	}
	cfg.Auth.Services["brainhair"] = codex.Grant{Read: true, Write: true}
	cfg.Auth.Services["redactor"] = codex.Grant{Read: true, Redact: true}
	p := &platform{t: t, core: core, db: db}
	s, err := buildServer(context.Background(), cfg, discardLog(), db)
	if err != nil {
		t.Fatal(err)
	}
	p.h = s.handler
	p.seed(db)
	return p
}

func (p *platform) seed(db *store.DB) {
	t := p.t
	ctx := codex.WithPrincipal(context.Background(), codex.SystemPrincipal("test"))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	acct := "965"
	p.acme = &codex.Company{Name: "Acme Dental", AccountNumber: &acct, Description: "Dental group",
		Domains: []string{"acme.example"}, BillingPlan: "managed-pro", ContractTerm: "36 months",
		ContractStart: &codex.Date{Year: 2024, Month: 1, Day: 1}, ContractEnd: &codex.Date{Year: 2026, Month: 12, Day: 31},
		SupportLevel: "All Inclusive", ProfitOrNonProfit: "Non-Profit", CompanyMainNumber: "555-0100",
		CompanyStartDate: &codex.Date{Year: 2019, Month: 5, Day: 1}, PhoneSystem: "Teams", EmailSystem: "Microsoft 365"}
	must(db.CreateCompany(ctx, p.acme))
	decoyAcct := strconv.FormatInt(p.acme.ID, 10)
	p.decoy = &codex.Company{Name: "Decoy Ltd", AccountNumber: &decoyAcct}
	must(db.CreateCompany(ctx, p.decoy))
	must(db.CreateLocation(ctx, &codex.Location{CompanyID: p.acme.ID, Name: "Main office", Phone: "555-0101",
		Address: codex.Address{Line1: "1 Main St", City: "Springfield", Region: "IL", PostalCode: "62701", Country: "US"}}))
	must(db.CreateContact(ctx, &codex.Contact{CompanyID: p.acme.ID, FirstName: "Jane", LastName: "Doe", Email: "jane@acme.example",
		Title: "Office manager", PhoneWork: "555-0102", PhoneMobile: "555-0103", Active: true,
		SecondaryEmails: []string{"jane.doe@home.example"}, EmploymentType: "Full Time"}))
	seen := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	backup := int64(549755813888)
	ws := &codex.Asset{CompanyID: p.acme.ID, Name: "ACME-WS1", Hostname: "ACME-WS1", Type: codex.AssetWorkstation,
		OperatingSystem: "Windows 11 Pro", IPAddresses: []string{"192.168.1.100"}, Online: true, LastSeen: &seen,
		ExtIPAddress: "203.0.113.45", LastLoggedInUser: "jsmith", Domain: "ACMECORP", AntivirusProduct: "Windows Defender",
		AntivirusStatus: "RunningAndUpToDate", PatchStatus: "FullyPatched", BackupDataBytes: &backup,
		CustomFields: map[string]string{"udf1": "Codex:965"},
		SecretFields: map[string]string{"udf2": "BitLocker: 123456-234567-345678-456789-567890-678901-789012-890123"}}
	must(db.CreateAsset(ctx, ws))
	must(db.CreateAsset(ctx, &codex.Asset{CompanyID: p.acme.ID, Name: "ACME-SRV", Hostname: "ACME-SRV", Type: codex.AssetServer,
		OperatingSystem: "Windows Server 2022", Online: false}))
	must(db.SaveExternalRef(ctx, &codex.ExternalRef{Entity: codex.EntityAsset, EntityID: ws.ID, Source: codex.SourceDatto,
		ExternalID: "dev-uid-1", SyncedAt: seen}))
	updated := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	closed := updated.Add(time.Hour)
	_, err := db.SaveTicket(ctx, &codex.Ticket{Source: codex.SourceFreshservice, ExternalID: "4711", CompanyID: p.acme.ID,
		Subject: "Printer down", Status: codex.TicketClosed, Priority: codex.PriorityLow, CreatedAt: updated.Add(-time.Hour),
		UpdatedAt: updated, ClosedAt: &closed})
	must(err)
	_, err = db.SaveTicket(ctx, &codex.Ticket{Source: codex.SourceFreshservice, ExternalID: "4712", CompanyID: p.acme.ID,
		Subject: "Old ticket", Status: codex.TicketClosed, Priority: codex.PriorityLow, CreatedAt: updated.AddDate(-2, 0, 0),
		UpdatedAt: updated.AddDate(-2, 0, 0), ClosedAt: ptr(closed.AddDate(-2, 0, 0))})
	must(err)
}

// service mints a HiveMatrix Core service token: sub service:<name>, type service,
// calling/target service, five minutes.
func (p *platform) service(name string) string {
	now := time.Now()
	return p.core.Mint(authtest.Claims{"iss": p.core.Issuer, "sub": "service:" + name, "type": "service",
		"calling_service": name, "target_service": "codex", "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()})
}

// user mints a HiveMatrix Core user token with a permission level and no company claim.
func (p *platform) user(email, level string) string {
	now := time.Now()
	return p.core.Mint(authtest.Claims{"iss": p.core.Issuer, "sub": email, "jti": "j-" + email, "name": "Pat",
		"email": email, "preferred_username": email, "permission_level": level, "groups": []string{},
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})
}

// call replays one call and returns its status and decoded body.
func (p *platform) call(method, target, token, body string, header ...string) (int, any, http.Header) {
	p.t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	p.h.ServeHTTP(w, r)
	var v any
	_ = json.Unmarshal(w.Body.Bytes(), &v)
	return w.Code, v, w.Header()
}

// JSON types as Python's json module gives them to the services.
const (
	tString = "string"
	tNumber = "number"
	tBool   = "bool"
	tArray  = "array"
	tObject = "object"
	tNull   = "null"
)

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return tString
	case float64:
		return tNumber
	case bool:
		return tBool
	case []any:
		return tArray
	case map[string]any:
		return tObject
	}
	return tNull
}

// fields asserts that obj has every field with one of its allowed types ("string|null").
func fields(t *testing.T, call string, obj any, want map[string]string) {
	t.Helper()
	m, ok := obj.(map[string]any)
	if !ok {
		t.Errorf("%s: got %s %v; want an object", call, jsonType(obj), obj)
		return
	}
	for f, types := range want {
		v, present := m[f]
		if !present {
			t.Errorf("%s: no field %q", call, f)
			continue
		}
		if got := jsonType(v); !slices.Contains(strings.Split(types, "|"), got) {
			t.Errorf("%s: %s is %s (%v); want %s", call, f, got, v, types)
		}
	}
}

func firstItem(t *testing.T, call string, v any) any {
	t.Helper()
	l, ok := v.([]any)
	if !ok || len(l) == 0 {
		t.Fatalf("%s: got %v; want a non-empty array", call, v)
	}
	return l[0]
}

var (
	ledgerCompany = map[string]string{"account_number": tString, "name": tString, "description": tString,
		"billing_plan": tString, "contract_term_length": tString, "contract_start_date": tString,
		"contract_end_date": tString, "support_level": tString, "profit_or_non_profit": tString,
		"company_main_number": tString, "company_start_date": tString, "domains": tArray,
		"phone_system": tString, "email_system": tString}
	platformAssetFields = map[string]string{"id": tNumber, "hostname": tString, "hardware_type": tString,
		"operating_system": tString, "device_type": tString, "last_logged_in_user": tString,
		"antivirus_product": tString, "ext_ip_address": tString, "int_ip_address": tString, "domain": tString,
		"online": tBool, "last_seen": tString + "|" + tNull, "backup_usage_tb": tNumber, "backup_data_bytes": tNumber}
	platformContactFields = map[string]string{"id": tNumber, "name": tString, "email": tString, "title": tString,
		"employment_type": tString, "active": tBool, "mobile_phone_number": tString, "work_phone_number": tString,
		"secondary_emails": tArray}
	platformLocationFields = map[string]string{"id": tNumber, "name": tString, "address": tString, "phone_number": tString}
)

// TestReplayLedger replays Ledger's codex_client.py.
func TestReplayLedger(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		p := newPlatform(t, db)
		tok := p.service("ledger")

		code, v, _ := p.call("GET", "/api/companies", tok, "")
		if code != 200 {
			t.Fatalf("GET /api/companies = %d %v", code, v)
		}
		var acme any
		for _, c := range v.([]any) {
			if c.(map[string]any)["account_number"] == "965" {
				acme = c
			}
		}
		fields(t, "GET /api/companies", acme, ledgerCompany)

		code, v, _ = p.call("GET", "/api/companies/965", tok, "")
		if code != 200 || v.(map[string]any)["name"] != "Acme Dental" {
			t.Fatalf("GET /api/companies/965 = %d %v; want Acme Dental", code, v)
		}
		fields(t, "GET /api/companies/965", v, ledgerCompany)
		if m := v.(map[string]any); m["contract_term_length"] != "36 months" || m["contract_end_date"] != "2026-12-31" {
			t.Errorf("contract fields = %v, %v; want 36 months, 2026-12-31", m["contract_term_length"], m["contract_end_date"])
		}

		code, v, _ = p.call("GET", "/api/companies/bulk?include_tickets=true&year=2025", tok, "")
		if code != 200 {
			t.Fatalf("GET /api/companies/bulk = %d %v", code, v)
		}
		var entry map[string]any
		for _, e := range v.([]any) {
			if e.(map[string]any)["company"].(map[string]any)["account_number"] == "965" {
				entry = e.(map[string]any)
			}
		}
		fields(t, "bulk", entry, map[string]string{"company": tObject, "assets": tArray, "contacts": tArray,
			"locations": tArray, "tickets": tArray})
		fields(t, "bulk company", entry["company"], ledgerCompany)
		fields(t, "bulk asset", firstItem(t, "bulk assets", entry["assets"]), platformAssetFields)
		fields(t, "bulk contact", firstItem(t, "bulk contacts", entry["contacts"]), platformContactFields)
		fields(t, "bulk location", firstItem(t, "bulk locations", entry["locations"]), platformLocationFields)
		tickets := entry["tickets"].([]any)
		if len(tickets) != 1 {
			t.Errorf("bulk tickets of 2025 = %v; want the one ticket updated in 2025", tickets)
		}
		fields(t, "bulk ticket", firstItem(t, "bulk tickets", tickets), map[string]string{"ticket_id": tNumber,
			"ticket_number": tString, "subject": tString, "last_updated_at": tString, "closed_at": tString})

		code, v, _ = p.call("GET", "/api/companies/965/assets", tok, "")
		if code != 200 || len(v.([]any)) != 2 {
			t.Fatalf("GET /api/companies/965/assets = %d %v; want 2 assets", code, v)
		}
		for _, a := range v.([]any) {
			fields(t, "assets", a, platformAssetFields)
			if _, ok := a.(map[string]any)["billing_type"]; ok {
				t.Errorf("asset carries billing_type: %v", a)
			}
		}
		code, v, _ = p.call("GET", "/api/companies/965/contacts", tok, "")
		if code != 200 {
			t.Fatalf("contacts = %d %v", code, v)
		}
		fields(t, "contacts", firstItem(t, "contacts", v), platformContactFields)
		wantJane(t, "contacts", firstItem(t, "contacts", v))
		code, v, _ = p.call("GET", "/api/companies/965/locations", tok, "")
		if code != 200 {
			t.Fatalf("locations = %d %v", code, v)
		}
		fields(t, "locations", firstItem(t, "locations", v), platformLocationFields)
		if a := firstItem(t, "locations", v).(map[string]any)["address"]; a != "1 Main St, Springfield, IL 62701, US" {
			t.Errorf("location address = %q; want one line", a)
		}
		// The ticket route answers by account number and accepts ?year= (its platform
		// fields are issue 15's).
		for _, target := range []string{"/api/companies/965/tickets", "/api/companies/965/tickets?year=2025"} {
			if code, v, _ = p.call("GET", target, tok, ""); code != 200 {
				t.Errorf("GET %s = %d %v; want 200", target, code, v)
			}
		}
	})
}

// TestReplayAccountNumberRule: an account number wins over an id; id:N is explicit; an
// account number the caller may not see never falls back to an id.
func TestReplayAccountNumberRule(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		p := newPlatform(t, db)
		tok := p.service("ledger")
		digits := strconv.FormatInt(p.acme.ID, 10)
		if _, v, _ := p.call("GET", "/api/companies/"+digits, tok, ""); v.(map[string]any)["name"] != "Decoy Ltd" {
			t.Errorf("GET /api/companies/%s = %v; want Decoy Ltd (whose account number it is)", digits, v)
		}
		if _, v, _ := p.call("GET", "/api/companies/id:"+digits, tok, ""); v.(map[string]any)["name"] != "Acme Dental" {
			t.Errorf("GET /api/companies/id:%s = %v; want Acme Dental", digits, v)
		}
		decoyID := strconv.FormatInt(p.decoy.ID, 10)
		if _, v, _ := p.call("GET", "/api/companies/"+decoyID, tok, ""); v.(map[string]any)["name"] != "Decoy Ltd" {
			t.Errorf("GET /api/companies/%s (no such account number) = %v; want Decoy Ltd by id", decoyID, v)
		}
		// By id, the nested lists keep Codex's documented shapes.
		if _, v, _ := p.call("GET", "/api/companies/id:"+digits+"/locations", tok, ""); jsonType(firstItem(t, "locations by id", v).(map[string]any)["address"]) != tObject {
			t.Errorf("locations by id = %v; want Codex's address object", v)
		}
		if code, _, _ := p.call("GET", "/api/companies/NOPE", tok, ""); code != 404 {
			t.Errorf("unknown account number = %d; want 404", code)
		}
	})
}

// wantJane checks the platform fields Codex stores for the seeded contact.
func wantJane(t *testing.T, call string, v any) {
	t.Helper()
	m := v.(map[string]any)
	if m["employment_type"] != "Full Time" || fmt.Sprint(m["secondary_emails"]) != "[jane.doe@home.example]" {
		t.Errorf("%s: employment_type, secondary_emails = %v, %v; want Full Time, [jane.doe@home.example]",
			call, m["employment_type"], m["secondary_emails"])
	}
}

// TestReplayContactRedaction: a redacting service never reads a real secondary address
// of a contact at a HIPAA company, on the platform's contact and user routes.
func TestReplayContactRedaction(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		p := newPlatform(t, db)
		ctx := codex.WithPrincipal(context.Background(), codex.SystemPrincipal("test"))
		acct := "977"
		clinic := &codex.Company{Name: "Clinic Health", AccountNumber: &acct, ComplianceLevel: codex.ComplianceHIPAA}
		if err := db.CreateCompany(ctx, clinic); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateContact(ctx, &codex.Contact{CompanyID: clinic.ID, FirstName: "Sam", LastName: "Poe",
			Email: "sam@clinic.example", SecondaryEmails: []string{"sam.poe@home.example", "sp@clinic.example"},
			EmploymentType: "Part Time", Active: true}); err != nil {
			t.Fatal(err)
		}
		for _, target := range []string{"/api/companies/977/contacts", "/api/companies/977/users", "/api/contacts"} {
			code, v, _ := p.call("GET", target, p.service("redactor"), "")
			if code != 200 {
				t.Fatalf("GET %s = %d %v", target, code, v)
			}
			body := fmt.Sprint(v)
			for _, real := range []string{"sam.poe@home.example", "sp@clinic.example", "sam@clinic.example"} {
				if strings.Contains(body, real) {
					t.Errorf("GET %s (redacting) shows %s: %s", target, real, body)
				}
			}
			if !strings.Contains(body, "<EMAIL_ADDRESS> <EMAIL_ADDRESS>") {
				t.Errorf("GET %s (redacting) = %s; want both secondary addresses redacted", target, body)
			}
		}
		code, v, _ := p.call("GET", "/api/companies/977/contacts", p.service("ledger"), "")
		if code != 200 || !strings.Contains(fmt.Sprint(v), "[sam.poe@home.example sp@clinic.example]") {
			t.Errorf("GET contacts (plain) = %d %v; want the stored secondary addresses", code, v)
		}
	})
}

// TestReplayKnowledgeTree replays sync_codex.py.
func TestReplayKnowledgeTree(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		p := newPlatform(t, db)
		tok := p.service("knowledgetree")
		code, v, _ := p.call("GET", "/api/companies", tok, "")
		if code != 200 {
			t.Fatalf("companies = %d", code)
		}
		for _, c := range v.([]any) {
			fields(t, "companies", c, map[string]string{"name": tString, "account_number": tString})
		}
		code, v, _ = p.call("GET", "/api/companies/965/users", tok, "")
		if code != 200 {
			t.Fatalf("users = %d %v", code, v)
		}
		fields(t, "users", firstItem(t, "users", v), map[string]string{"name": tString, "email": tString, "title": tString,
			"mobile_phone_number": tString, "work_phone_number": tString, "active": tBool})
		wantJane(t, "users", firstItem(t, "users", v))
		code, v, _ = p.call("GET", "/api/companies/965/assets", tok, "")
		if code != 200 {
			t.Fatalf("assets = %d", code)
		}
		fields(t, "assets", firstItem(t, "assets", v), map[string]string{"hostname": tString, "operating_system": tString,
			"hardware_type": tString, "int_ip_address": tString, "ext_ip_address": tString, "last_logged_in_user": tString,
			"online": tBool, "last_seen": tString + "|" + tNull, "domain": tString})
	})
}

// TestReplayNexusAndCore replays the shell's preference calls: Nexus's theme lookup and
// settings, Core's home-page lookup, with their service tokens, and a platform client
// user (no company claim) on their own settings.
func TestReplayNexusAndCore(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		p := newPlatform(t, db)
		pat := p.user("pat@client.example", "client")

		code, v, _ := p.call("GET", "/api/my/settings", pat, "")
		if code != 200 {
			t.Fatalf("client without company GET /api/my/settings = %d %v; want 200", code, v)
		}
		fields(t, "settings", v, map[string]string{"theme_preference": tString, "preferred_color_theme": tString,
			"home_page_preference": tString, "knowledgetree_view_preference": tString})
		if v.(map[string]any)["knowledgetree_view_preference"] != "grid" {
			t.Errorf("knowledgetree view default = %v; want grid", v.(map[string]any)["knowledgetree_view_preference"])
		}
		for _, body := range []string{`{"theme_preference":"dark"}`, `{"preferred_color_theme":"bee"}`,
			`{"home_page_preference":"knowledgetree"}`, `{"knowledgetree_view_preference":"hierarchy"}`} {
			if code, v, _ = p.call("PUT", "/api/my/settings", pat, body); code != 200 {
				t.Errorf("client PUT %s = %d %v; want 200", body, code, v)
			}
		}
		// ...and nothing else.
		if code, _, _ = p.call("GET", "/api/companies", pat, ""); code != 403 {
			t.Errorf("client without company GET /api/companies = %d; want 403", code)
		}

		for _, tok := range []string{p.service("nexus"), ""} {
			code, v, _ = p.call("GET", "/api/public/user/theme?email=pat@client.example", tok, "")
			if code != 200 {
				t.Fatalf("theme = %d %v", code, v)
			}
			fields(t, "theme", v, map[string]string{"theme": tString, "color_theme": tString})
			if m := v.(map[string]any); m["theme"] != "dark" || m["color_theme"] != "bee" {
				t.Errorf("theme = %v; want dark, bee", m)
			}
		}
		// Known and unknown addresses get the same shape and source.
		_, known, _ := p.call("GET", "/api/public/user/theme?email=pat@client.example", "", "")
		_, unknown, _ := p.call("GET", "/api/public/user/theme?email=nobody@client.example", "", "")
		if known.(map[string]any)["source"] != unknown.(map[string]any)["source"] {
			t.Errorf("theme sources known %v / unknown %v; want the same", known, unknown)
		}
		if c := unknown.(map[string]any)["color_theme"]; !slices.Contains(codex.NexusColorThemes, c.(string)) {
			t.Errorf("unknown person's colour %v is not in Nexus's vocabulary", c)
		}

		code, v, _ = p.call("GET", "/api/public/user/home-page?email=pat@client.example", p.service("core"), "")
		if code != 200 {
			t.Fatalf("home-page = %d %v", code, v)
		}
		fields(t, "home-page", v, map[string]string{"home_page": tString, "source": tString, "email": tString})
		if v.(map[string]any)["home_page"] != "knowledgetree" {
			t.Errorf("home page = %v; want knowledgetree", v)
		}
	})
}

// TestReplayHelm: Helm's health probe, and the correlation id the platform passes along.
func TestReplayHelm(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		p := newPlatform(t, db)
		for _, path := range []string{"/health", "/api/health"} {
			code, v, h := p.call("GET", path, "", "", "X-Correlation-ID", "helm-1")
			if code != 200 {
				t.Errorf("GET %s = %d", path, code)
			}
			fields(t, path, v, map[string]string{"status": tString, "service": tString})
			if h.Get("X-Correlation-ID") != "helm-1" {
				t.Errorf("GET %s: X-Correlation-ID = %q; want helm-1 echoed", path, h.Get("X-Correlation-ID"))
			}
		}
	})
}

// TestReplayBrainhair replays Brainhair's company and device tools.
func TestReplayBrainhair(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		p := newPlatform(t, db)
		tok := p.service("brainhair")
		code, v, _ := p.call("GET", "/api/companies/965", tok, "")
		if code != 200 {
			t.Fatalf("company = %d", code)
		}
		fields(t, "company", v, ledgerCompany)
		for path, want := range map[string]map[string]string{
			"/api/companies/965/assets":    platformAssetFields,
			"/api/companies/965/contacts":  platformContactFields,
			"/api/companies/965/locations": platformLocationFields,
		} {
			code, v, _ = p.call("GET", path, tok, "")
			if code != 200 {
				t.Fatalf("GET %s = %d %v", path, code, v)
			}
			fields(t, path, firstItem(t, path, v), want)
		}

		device := map[string]string{"id": tString, "name": tString, "company_id": tString, "company_name": tString,
			"status": tString, "os": tString, "ip_address": tString, "last_seen": tString + "|" + tNull}
		code, v, _ = p.call("GET", "/api/rmm/devices?company_id=965&status=online", tok, "")
		if code != 200 {
			t.Fatalf("rmm devices = %d %v", code, v)
		}
		fields(t, "rmm devices", v, map[string]string{"devices": tArray, "count": tNumber})
		m := v.(map[string]any)
		if m["count"] != float64(1) {
			t.Errorf("online devices of 965 = %v; want 1 (the RMM-managed workstation)", m)
		}
		d := firstItem(t, "devices", m["devices"])
		fields(t, "device item", d, device)
		if d.(map[string]any)["id"] != "dev-uid-1" || d.(map[string]any)["company_id"] != "965" {
			t.Errorf("device = %v; want dev-uid-1 of 965", d)
		}
		if code, v, _ = p.call("GET", "/api/rmm/devices?company_id=965&status=offline", tok, ""); v.(map[string]any)["count"] != float64(0) {
			t.Errorf("offline devices = %d %v; want none", code, v)
		}
		if code, _, _ = p.call("GET", "/api/rmm/devices?status=sleeping", tok, ""); code != 400 {
			t.Errorf("status=sleeping = %d; want 400", code)
		}

		code, v, _ = p.call("GET", "/api/rmm/device/dev-uid-1", tok, "")
		if code != 200 {
			t.Fatalf("rmm device = %d %v", code, v)
		}
		fields(t, "rmm device", v, map[string]string{"last_logged_in_user": tString, "domain": tString, "antivirus": tString,
			"patch_status": tString, "backup_data_bytes": tNumber, "udf": tObject})
		if _, ok := v.(map[string]any)["secret_udf"]; ok {
			t.Errorf("a service reads secret UDFs: %v", v)
		}
		_, v, _ = p.call("GET", "/api/rmm/device/dev-uid-1", p.user("ada@msp.example", "admin"), "")
		if s, ok := v.(map[string]any)["secret_udf"].(map[string]any); !ok || s["udf2"] == nil {
			t.Errorf("admin's device = %v; want the secret UDFs", v)
		}
		if code, _, _ = p.call("GET", "/api/rmm/device/nope", tok, ""); code != 404 {
			t.Errorf("unknown device = %d; want 404", code)
		}
	})
}

func ptr[T any](v T) *T { return &v }

// TestReplayBillingPlans: Brainhair's catalogue tools write plans (as a write-granted
// service), Ledger reads them where it always did; billing users and read-only services
// may not write, and every change is audited.
func TestReplayBillingPlans(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		p := newPlatform(t, db)
		brainhair, ledger := p.service("brainhair"), p.service("ledger")
		plan := `{"plan_name":"Managed Pro","term_length":"3-Year","support_level":"All Inclusive","per_user_cost":12.5,
			"per_workstation_cost":30,"per_server_cost":120,"per_vm_cost":60,"per_switch_cost":10,"per_firewall_cost":25,
			"per_hour_ticket_cost":150,"backup_base_fee_tb":5,"backup_included_tb":1,"backup_per_tb_fee":15,
			"features":{"antivirus":"SentinelOne"}}`
		for who, tok := range map[string]string{"a billing user": p.user("bill@msp.example", "billing"),
			"a technician": p.user("tech@msp.example", "technician"), "a read-only service": ledger} {
			if code, v, _ := p.call("POST", "/api/billing-plans", tok, plan); code != 403 {
				t.Errorf("POST /api/billing-plans as %s = %d %v; want 403", who, code, v)
			}
		}
		code, v, _ := p.call("POST", "/api/billing-plans", brainhair, plan)
		if code != 201 {
			t.Fatalf("POST /api/billing-plans as brainhair = %d %v; want 201", code, v)
		}
		id := strconv.Itoa(int(v.(map[string]any)["id"].(float64)))
		if code, _, _ = p.call("POST", "/api/billing-plans", p.user("ada@msp.example", "admin"), plan); code != 409 {
			t.Errorf("the same plan and term again = %d; want 409", code)
		}
		if code, v, _ = p.call("POST", "/api/billing-plans", brainhair, `{"plan_name":"","term_length":"x","per_user_cost":-1}`); code != 400 && code != 422 {
			t.Errorf("an invalid plan = %d %v; want 400 or 422", code, v)
		}
		code, v, _ = p.call("PUT", "/api/billing-plans/"+id, brainhair, strings.Replace(plan, `"per_user_cost":12.5`, `"per_user_cost":14`, 1))
		if code != 200 || v.(map[string]any)["per_user_cost"] != float64(14) {
			t.Errorf("PUT /api/billing-plans/%s = %d %v; want 200 with 14", id, code, v)
		}
		if code, _, _ = p.call("POST", "/api/feature-options", brainhair, `{"feature_type":"antivirus","display_name":"SentinelOne"}`); code != 201 {
			t.Errorf("POST /api/feature-options = %d; want 201", code)
		}

		planFields := map[string]string{"plan_name": tString, "term_length": tString, "support_level": tString,
			"per_user_cost": tNumber, "per_workstation_cost": tNumber, "per_server_cost": tNumber, "per_vm_cost": tNumber,
			"per_switch_cost": tNumber, "per_firewall_cost": tNumber, "per_hour_ticket_cost": tNumber,
			"backup_base_fee_tb": tNumber, "backup_included_tb": tNumber, "backup_per_tb_fee": tNumber}
		code, v, _ = p.call("GET", "/billing-plans/api/plans", ledger, "")
		if code != 200 {
			t.Fatalf("GET /billing-plans/api/plans = %d %v", code, v)
		}
		fields(t, "plans", firstItem(t, "plans", v.(map[string]any)["plans"]), planFields)
		code, v, _ = p.call("GET", "/billing-plans/api/plans/Managed%20Pro/3-Year", ledger, "")
		if code != 200 {
			t.Fatalf("GET /billing-plans/api/plans/{name}/{term} = %d %v", code, v)
		}
		fields(t, "plan", v.(map[string]any)["plan"], planFields)
		if c := v.(map[string]any)["plan"].(map[string]any)["per_user_cost"]; c != float64(14) {
			t.Errorf("per_user_cost = %v; want 14", c)
		}
		if code, _, _ = p.call("GET", "/billing-plans/api/plans/Nope/1-Year", ledger, ""); code != 404 {
			t.Errorf("unknown plan = %d; want 404", code)
		}
		if code, _, _ = p.call("GET", "/billing-plans/api/plans", "", ""); code != 401 {
			t.Errorf("plans without a token = %d; want 401", code)
		}
		code, v, _ = p.call("GET", "/billing-plans/api/feature-options", ledger, "")
		fields(t, "feature options", v, map[string]string{"features": tObject})
		if av, _ := v.(map[string]any)["features"].(map[string]any)["antivirus"].([]any); code != 200 || len(av) != 1 {
			t.Errorf("feature options = %d %v; want antivirus: [SentinelOne]", code, v)
		}
		code, v, _ = p.call("GET", "/billing-plans/api/feature-categories", ledger, "")
		if cats := v.(map[string]any)["categories"].([]any); code != 200 || len(cats) != 1 || cats[0] != "antivirus" {
			t.Errorf("feature categories = %d %v; want [antivirus]", code, v)
		}

		// CSV export of the catalogue.
		r := httptest.NewRequest("GET", "/api/billing-plans?format=csv", nil)
		r.Header.Set("Authorization", "Bearer "+ledger)
		w := httptest.NewRecorder()
		p.h.ServeHTTP(w, r)
		if lines := strings.Split(strings.TrimSpace(w.Body.String()), "\n"); w.Code != 200 || len(lines) != 2 ||
			!strings.Contains(lines[0], "plan_name") || !strings.Contains(lines[1], "Managed Pro") {
			t.Errorf("CSV export = %d %q; want a header and one plan", w.Code, w.Body.String())
		}

		// CSV import of the export: the existing plan is replaced, a new one added, all or nothing.
		exported := w.Body.String()
		lines := strings.SplitN(exported, "\n", 2)
		withNew := lines[0] + "\n" + strings.Replace(lines[1], "Managed Pro", "Managed Basic", 1) + lines[1]
		csvCall := func(tok, body string) (int, any) {
			r := httptest.NewRequest("POST", "/api/billing-plans/import", strings.NewReader(body))
			r.Header.Set("Authorization", "Bearer "+tok)
			r.Header.Set("Content-Type", "text/csv")
			w := httptest.NewRecorder()
			p.h.ServeHTTP(w, r)
			var v any
			_ = json.Unmarshal(w.Body.Bytes(), &v)
			return w.Code, v
		}
		if code, v := csvCall(ledger, withNew); code != 403 {
			t.Errorf("import as a read-only service = %d %v; want 403", code, v)
		}
		bad := lines[0] + "\n" + strings.Replace(lines[1], "Managed Pro", "Broken", 1) + strings.Replace(lines[1], ",14,", ",fourteen,", 1)
		if code, v := csvCall(brainhair, bad); code != 400 || !strings.Contains(fmt.Sprint(v), "per_user_cost") {
			t.Errorf("import with a bad number = %d %v; want 400 naming per_user_cost", code, v)
		}
		code, v = csvCall(brainhair, withNew)
		if m, _ := v.(map[string]any); code != 200 || m["created"] != float64(1) || m["replaced"] != float64(1) {
			t.Errorf("import = %d %v; want 1 created, 1 replaced", code, v)
		}
		if _, v, _ = p.call("GET", "/billing-plans/api/plans/Broken/3-Year", ledger, ""); v.(map[string]any)["plan"] != nil {
			t.Errorf("a rejected import left a plan behind: %v", v)
		}
		if code, v, _ = p.call("GET", "/billing-plans/api/plans/managed%20basic/3-year", ledger, ""); code != 200 {
			t.Errorf("imported plan (any case) = %d %v; want 200", code, v)
		}

		// GraphQL: the catalogue, and a company's plan through its billing plan and term.
		ctx0 := codex.WithPrincipal(context.Background(), codex.SystemPrincipal("test"))
		if _, err := db.UpdateCompany(ctx0, p.acme.ID, codex.CompanyPatch{BillingPlan: ptr("Managed Pro"), ContractTerm: ptr("3-Year")}); err != nil {
			t.Fatal(err)
		}
		q := `{"query":"{ billingPlans { planName termLength perUserCost features { key value } } featureOptions { featureType displayName } companies(first: 10) { edges { node { accountNumber plan { planName perUserCost } } } } }"}`
		code, v, _ = p.call("POST", "/graphql", p.user("ada@msp.example", "admin"), q)
		data, _ := v.(map[string]any)["data"].(map[string]any)
		if code != 200 || data == nil || len(data["billingPlans"].([]any)) != 2 || len(data["featureOptions"].([]any)) != 1 {
			t.Fatalf("GraphQL billing = %d %v", code, v)
		}
		for _, e := range data["companies"].(map[string]any)["edges"].([]any) {
			n := e.(map[string]any)["node"].(map[string]any)
			switch n["accountNumber"] {
			case "965":
				if pl, _ := n["plan"].(map[string]any); pl == nil || pl["planName"] != "Managed Pro" || pl["perUserCost"] != float64(14) {
					t.Errorf("Acme's plan = %v; want Managed Pro at 14", n["plan"])
				}
			default:
				if n["plan"] != nil {
					t.Errorf("%v's plan = %v; want null (no such plan)", n["accountNumber"], n["plan"])
				}
			}
		}

		// Audited: the create, the update and the import's two changes.
		ctx := codex.WithPrincipal(context.Background(), codex.SystemPrincipal("test"))
		pg, err := db.AuditLog(ctx, codex.AuditFilter{Entity: "billing_plan"}, codex.PageArgs{})
		if err != nil || len(pg.Items) != 4 {
			t.Errorf("audit of billing plans = %v, %v; want 4 entries", pg, err)
		}
	})
}
