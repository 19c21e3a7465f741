package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hivematrix/codex/auth"
	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/config"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// The agreement test: REST (/api) and GraphQL (/graphql) are two transports over one
// policy layer, so for the same records and the same token they must return the same
// values. It runs through the router serve uses (buildServer), over real HTTP, with tokens
// signed by the development issuer, and compares every REST member with its GraphQL
// field, explicitly mapped below.

// fieldKind says how a REST member and its GraphQL field are compared.
type fieldKind int

const (
	asIs          fieldKind = iota // the same JSON value
	asEnum                         // REST "in_repair", GraphQL IN_REPAIR
	asInstant                      // RFC 3339 times, compared as instants
	asList                         // arrays; REST null and [] agree (GraphQL lists are non-null)
	asPairs                        // REST object, GraphQL [{key value}]; null and empty agree
	asSecretPairs                  // like asPairs, but null (hidden) differs from empty
	asSecret                       // a string that is null in GraphQL and "" in REST when hidden or unset
)

// agreedField maps one REST member to its GraphQL field.
type agreedField struct {
	rest string // the member, dotted for nested objects: address.city
	gql  string // the field's path in the GraphQL result: parent.databaseId
	sel  string // the GraphQL selection; empty means gql
	kind fieldKind
}

// agreedResource is one kind of record served by both transports.
type agreedResource struct {
	rest     string // the REST collection: /api/{rest}, /api/{rest}/{id}
	typ      string // the GraphQL type
	conn     string // the GraphQL connection listing them
	fields   []agreedField
	restOnly []string // REST members GraphQL does not have, with the reason in a comment
}

func mapField(rest, gql string, k fieldKind) agreedField {
	return agreedField{rest: rest, gql: gql, kind: k}
}

// mapRef maps a REST foreign key to the databaseId of a GraphQL object field.
func mapRef(rest, object string) agreedField {
	return agreedField{rest: rest, gql: object + ".databaseId", sel: object + " { databaseId }"}
}

func mapTimes(names ...string) []agreedField {
	var fs []agreedField
	for _, n := range names {
		gql, _ := strings.CutSuffix(n, "_at")
		fs = append(fs, mapField(n, lowerCamel(gql)+"At", asInstant))
	}
	return fs
}

func lowerCamel(snake string) string {
	parts := strings.Split(snake, "_")
	for i := 1; i < len(parts); i++ {
		parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
	}
	return strings.Join(parts, "")
}

var (
	companyResource = agreedResource{rest: "companies", typ: "Company", conn: "companies", fields: append([]agreedField{
		mapField("id", "databaseId", asIs),
		mapField("name", "name", asIs),
		mapField("account_number", "accountNumber", asIs),
		mapRef("parent_id", "parent"),
		mapField("kind", "kind", asEnum),
		mapField("status", "status", asEnum),
		mapField("compliance_level", "complianceLevel", asEnum),
		mapField("description", "description", asIs),
		mapField("phone", "phone", asIs),
		mapField("website", "website", asIs),
		mapField("domains", "domains", asList),
		{rest: "address.line1", gql: "address.line1", sel: "address { line1 }"},
		{rest: "address.line2", gql: "address.line2", sel: "address { line2 }"},
		{rest: "address.city", gql: "address.city", sel: "address { city }"},
		{rest: "address.region", gql: "address.region", sel: "address { region }"},
		{rest: "address.postal_code", gql: "address.postalCode", sel: "address { postalCode }"},
		{rest: "address.country", gql: "address.country", sel: "address { country }"},
		mapField("billing_plan", "billingPlan", asIs),
		mapField("contract_term", "contractTerm", asIs),
		mapField("contract_start", "contractStart", asIs),
		mapField("contract_end", "contractEnd", asIs),
		mapRef("billing_contact_id", "billingContact"),
		{rest: "settings", gql: "settings", sel: "settings { key value }", kind: asPairs},
		mapField("support_level", "supportLevel", asIs),
		mapField("profit_or_non_profit", "profitOrNonProfit", asIs),
		mapField("company_main_number", "companyMainNumber", asIs),
		mapField("company_start_date", "companyStartDate", asIs),
		mapField("phone_system", "phoneSystem", asIs),
		mapField("email_system", "emailSystem", asIs),
		// The platform's names of the contract fields: the same values.
		mapField("contract_term_length", "contractTerm", asIs),
		mapField("contract_start_date", "contractStart", asIs),
		mapField("contract_end_date", "contractEnd", asIs),
	}, mapTimes("created_at", "updated_at", "archived_at")...)}

	contactResource = agreedResource{rest: "contacts", typ: "Contact", conn: "contacts", fields: append([]agreedField{
		mapField("id", "databaseId", asIs),
		mapRef("company_id", "company"),
		mapField("name", "name", asIs),
		mapField("first_name", "firstName", asIs),
		mapField("last_name", "lastName", asIs),
		mapField("email", "email", asIs),
		mapField("phone", "phoneWork", asIs),
		mapField("phone_mobile", "phoneMobile", asIs),
		mapField("title", "title", asIs),
		mapField("roles", "roles", asList),
		mapField("secondary_emails", "secondaryEmails", asList),
		mapField("employment_type", "employmentType", asIs),
		mapField("is_primary", "isPrimary", asIs),
		mapField("designation", "designation", asEnum),
		mapField("active", "active", asIs),
		mapField("notes", "notes", asIs),
		mapField("company_compliance_level", "compliance", asEnum),
	}, mapTimes("created_at", "updated_at", "archived_at")...)}

	assetResource = agreedResource{rest: "assets", typ: "Asset", conn: "assets", fields: append([]agreedField{
		mapField("id", "databaseId", asIs),
		mapRef("company_id", "company"),
		mapField("name", "name", asIs),
		mapField("type", "type", asEnum),
		mapField("manufacturer", "manufacturer", asIs),
		mapField("model", "model", asIs),
		mapField("serial_number", "serialNumber", asIs),
		mapField("hostname", "hostname", asIs),
		mapField("operating_system", "operatingSystem", asIs),
		mapField("ip_addresses", "ipAddresses", asList),
		mapField("status", "status", asEnum),
		mapField("purchase_date", "purchaseDate", asIs),
		mapField("warranty_expires", "warrantyExpires", asIs),
		mapField("last_seen", "lastSeen", asInstant),
		mapField("online", "online", asIs),
		mapField("seats_total", "seatsTotal", asIs),
		mapField("seats_used", "seatsUsed", asIs),
		mapField("license_expires", "licenseExpires", asIs),
		mapField("license_key", "licenseKey", asSecret),
		{rest: "custom_fields", gql: "customFields", sel: "customFields { key value }", kind: asPairs},
		{rest: "secret_fields", gql: "secretFields", sel: "secretFields { key value }", kind: asSecretPairs},
		mapField("notes", "notes", asIs),
		mapField("company_compliance_level", "compliance", asEnum),
		mapField("ext_ip_address", "extIpAddress", asIs),
		mapField("last_logged_in_user", "lastLoggedInUser", asIs),
		mapField("domain", "domain", asIs),
		mapField("antivirus_product", "antivirusProduct", asIs),
		mapField("antivirus_status", "antivirusStatus", asIs),
		mapField("patch_status", "patchStatus", asIs),
		mapField("backup_data_bytes", "backupDataBytes", asIs),
	}, mapTimes("created_at", "updated_at", "archived_at")...)}

	ticketResource = agreedResource{rest: "tickets", typ: "Ticket", conn: "tickets", fields: append([]agreedField{
		mapField("id", "databaseId", asIs),
		mapField("source", "source", asEnum),
		mapField("external_id", "externalId", asIs),
		mapRef("company_id", "company"),
		mapRef("requester_id", "requester"),
		mapField("subject", "subject", asIs),
		mapField("description", "description", asIs),
		mapField("status", "status", asEnum),
		mapField("priority", "priority", asEnum),
		mapField("type", "type", asIs),
		mapField("company_compliance_level", "compliance", asEnum),
		mapField("ticket_number", "ticketNumber", asIs),
		mapField("description_text", "descriptionText", asIs),
		mapField("requester_name", "requesterName", asIs),
		mapField("requester_email", "requesterEmail", asIs),
		mapField("status_id", "statusId", asIs),
		mapField("status_name", "statusName", asIs),
		mapField("priority_id", "priorityId", asIs),
		mapField("total_hours_spent", "totalHoursSpent", asIs),
		{rest: "fr_due_by", gql: "frDueBy", kind: asInstant},
	}, mapTimes("created_at", "updated_at", "due_at", "resolved_at", "closed_at", "first_responded_at", "agent_responded_at")...),
		// Tickets are mirrored from the PSA and never archived in Codex; the GraphQL type
		// leaves the column out. The PSA ids of the responder and group are the objects
		// responder and group in GraphQL (null while the sync has not seen the agent).
		restOnly: []string{"archived_at", "responder_ref", "group_ref"},
	}

	agreedResources = []agreedResource{companyResource, contactResource, assetResource, ticketResource}
)

// selection is the GraphQL selection of every mapped field.
func (r agreedResource) selection() string {
	sels := make([]string, len(r.fields))
	for i, fd := range r.fields {
		sels[i] = fd.sel
		if sels[i] == "" {
			sels[i] = fd.gql
		}
	}
	return strings.Join(sels, " ")
}

// agreementCaller is a token and how its requests ask for redaction on each transport.
type agreementCaller struct {
	name       string
	mint       auth.MintOptions
	restQuery  string   // appended to REST URLs
	restHeader []string // name, value
	gqlQuery   string   // appended to /graphql
	gqlHeader  []string
	// What the caller must see, whatever the transport.
	client, secrets, redacted bool
}

// agreementFixture is a server over db with the records both transports are asked for.
type agreementFixture struct {
	t      *testing.T
	srv    *httptest.Server
	issuer *auth.DevIssuer

	acme, clinic, globex          int64 // Acme Health (HIPAA) > Acme Health Clinic; Globex
	carol, dave, hank             int64
	license, server, clinicPC, gx int64
	acmeTicket, clinicTicket, gxT int64
	ids                           map[string][]int64 // every record of each resource
	inAcme                        map[string][]int64 // those of the Acme subtree
}

const (
	ehrLicenseKey   = "EHR-SECRET-KEY-42"
	carolEmail      = "carol@acme-health.example"
	carolPhone      = "555-867-5309"
	ticketPHI       = "Printer down, call Carol Chen at " + carolPhone
	acmeDescription = "Front desk: Carol Chen, " + carolPhone
)

func newAgreementFixture(t *testing.T, db *store.DB) *agreementFixture {
	t.Helper()
	// The configuration is read as serve reads it, from a file: the development issuer's
	// key, and a service whose grant forces redaction.
	dir := t.TempDir()
	conf := filepath.Join(dir, "codex.conf")
	key := filepath.Join(dir, "dev-signing-key.pem")
	text := "[auth]\ndev_key_file = " + key + "\n\n[auth.services]\nbrainhair = read, redact\n"
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(func(k string) string {
		if k == "CODEX_CONFIG" {
			return conf
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	if g := cfg.Auth.Services["brainhair"]; !g.Read || !g.Redact || g.Write {
		t.Fatalf("[auth.services] brainhair = %+v; want read and redact", g)
	}
	issuer, err := auth.LoadOrCreateDevIssuer(cfg.Auth.DevKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	s, err := buildServer(context.Background(), cfg, discardLog(), db)
	if err != nil {
		t.Fatal(err)
	}
	fx := &agreementFixture{t: t, srv: httptest.NewServer(s.handler), issuer: issuer}
	t.Cleanup(fx.srv.Close)
	fx.seed(db.Services())
	return fx
}

// seed writes the records through the store as the system.
func (fx *agreementFixture) seed(svc codex.Services) {
	t := fx.t
	ctx := codex.WithPrincipal(context.Background(), codex.SystemPrincipal("test"))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("seeding: %v", err)
		}
	}
	s := func(v string) *string { return &v }
	n := func(v int) *int { return &v }
	date := func(v string) *codex.Date {
		d, err := codex.ParseDate(v)
		must(err)
		return &d
	}
	at := func(v string) *time.Time {
		tm, err := time.Parse(time.RFC3339, v)
		must(err)
		return &tm
	}

	acme := &codex.Company{Name: "Acme Health", AccountNumber: s("AH-1"), ComplianceLevel: codex.ComplianceHIPAA,
		Description: acmeDescription, Phone: "+1-555-0100", Website: "https://acme-health.example",
		Domains: []string{"acme-health.example"}, BillingPlan: "gold", ContractTerm: "12 months",
		ContractStart: date("2025-01-01"), ContractEnd: date("2026-12-31"),
		Address:  codex.Address{Line1: "1 Main St", Line2: "Suite 2", City: "Springfield", Region: "IL", PostalCode: "62701", Country: "US"},
		Settings: map[string]string{"patch_day": "Sunday", "backup": "nightly"}}
	must(svc.Companies.CreateCompany(ctx, acme))
	clinic := &codex.Company{Name: "Acme Health Clinic", AccountNumber: s("AH-2"), ParentID: &acme.ID,
		Kind: codex.KindClient, Description: "Walk-in clinic"}
	must(svc.Companies.CreateCompany(ctx, clinic))
	globex := &codex.Company{Name: "Globex", AccountNumber: s("GX-1"), Kind: codex.KindVendor, Status: codex.StatusInactive,
		Description: "Hank Scorpio, hank@globex.example"}
	must(svc.Companies.CreateCompany(ctx, globex))
	fx.acme, fx.clinic, fx.globex = acme.ID, clinic.ID, globex.ID

	contact := func(c *codex.Contact) int64 {
		must(svc.Contacts.CreateContact(ctx, c))
		return c.ID
	}
	fx.carol = contact(&codex.Contact{CompanyID: acme.ID, FirstName: "Carol", LastName: "Chen", Email: carolEmail,
		PhoneWork: carolPhone, PhoneMobile: "555-123-4567", Title: "Office manager", Roles: []string{"primary", "billing"},
		Active: true, Notes: "Carol Chen keeps the server room key", Designation: codex.DesignationPrimary})
	fx.dave = contact(&codex.Contact{CompanyID: clinic.ID, FirstName: "Dave", LastName: "Diaz", Email: "dave@clinic.example",
		PhoneWork: "555-222-3333", Active: true, Designation: codex.DesignationSecondary})
	fx.hank = contact(&codex.Contact{CompanyID: globex.ID, FirstName: "Hank", LastName: "Scorpio", Email: "hank@globex.example",
		Active: false, Designation: codex.DesignationPrimary})
	_, err := svc.Companies.UpdateCompany(ctx, acme.ID, codex.CompanyPatch{BillingContactID: &fx.carol})
	must(err)

	asset := func(a *codex.Asset) int64 {
		must(svc.Assets.CreateAsset(ctx, a))
		return a.ID
	}
	fx.license = asset(&codex.Asset{CompanyID: acme.ID, Name: "Acme EHR licence", Type: codex.AssetLicense,
		Manufacturer: "EHRCo", LicenseKey: ehrLicenseKey, SeatsTotal: n(10), SeatsUsed: n(4), LicenseExpires: date("2027-03-31"),
		SecretFields: map[string]string{"admin_password": "hunter2"}, Notes: "Registered to Carol Chen, " + carolEmail})
	fx.server = asset(&codex.Asset{CompanyID: acme.ID, Name: "ACME-DC1", Type: codex.AssetServer, Manufacturer: "Dell",
		Model: "R650", SerialNumber: "SN-DC1", Hostname: "acme-dc1", OperatingSystem: "Windows Server 2022",
		IPAddresses: []string{"10.0.0.5", "10.0.1.5"}, Status: codex.AssetInRepair, PurchaseDate: date("2023-02-01"),
		WarrantyExpires: date("2026-02-01"), LastSeen: at("2025-03-01T10:00:00Z"), Online: true,
		CustomFields: map[string]string{"rack": "R1"}, SecretFields: map[string]string{"bitlocker": "111-222-333"}})
	fx.clinicPC = asset(&codex.Asset{CompanyID: clinic.ID, Name: "CLINIC-PC1", Type: codex.AssetWorkstation,
		SerialNumber: "SN-PC1", IPAddresses: []string{"10.2.0.7"}})
	fx.gx = asset(&codex.Asset{CompanyID: globex.ID, Name: "GLX-SRV", Type: codex.AssetServer, SerialNumber: "SN-GX"})

	ticket := func(tk *codex.Ticket) int64 {
		_, err := svc.Tickets.SaveTicket(ctx, tk)
		must(err)
		return tk.ID
	}
	base := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	fx.acmeTicket = ticket(&codex.Ticket{Source: "freshservice", ExternalID: "1001", CompanyID: acme.ID, RequesterID: &fx.carol,
		Subject: ticketPHI, Description: "Patient export failed; mail " + carolEmail,
		Status: codex.TicketOpen, Priority: codex.PriorityHigh, Type: "Incident",
		CreatedAt: base, UpdatedAt: base.Add(time.Hour), DueAt: at("2025-03-03T12:00:00Z")})
	fx.clinicTicket = ticket(&codex.Ticket{Source: "freshservice", ExternalID: "1002", CompanyID: clinic.ID,
		Subject: "Scanner offline", Status: codex.TicketClosed, Priority: codex.PriorityLow, Type: "Request",
		CreatedAt: base.Add(-24 * time.Hour), UpdatedAt: base, ResolvedAt: at("2025-02-28T18:00:00Z"), ClosedAt: &base})
	fx.gxT = ticket(&codex.Ticket{Source: "freshservice", ExternalID: "1003", CompanyID: globex.ID, RequesterID: &fx.hank,
		Subject: "VPN down for Hank Scorpio", Status: codex.TicketPending, Priority: codex.PriorityUrgent,
		CreatedAt: base.Add(-48 * time.Hour), UpdatedAt: base})

	fx.ids = map[string][]int64{
		"companies": {fx.acme, fx.clinic, fx.globex},
		"contacts":  {fx.carol, fx.dave, fx.hank},
		"assets":    {fx.license, fx.server, fx.clinicPC, fx.gx},
		"tickets":   {fx.acmeTicket, fx.clinicTicket, fx.gxT},
	}
	fx.inAcme = map[string][]int64{
		"companies": {fx.acme, fx.clinic},
		"contacts":  {fx.carol, fx.dave},
		"assets":    {fx.license, fx.server, fx.clinicPC},
		"tickets":   {fx.acmeTicket, fx.clinicTicket},
	}
}

func (fx *agreementFixture) callers() []agreementCaller {
	admin := auth.MintOptions{Email: "ada@msp.example", Level: codex.LevelAdmin}
	return []agreementCaller{
		{name: "admin", mint: admin, secrets: true},
		{name: "technician", mint: auth.MintOptions{Email: "tom@msp.example", Level: codex.LevelTechnician}},
		{name: "client", mint: auth.MintOptions{Email: "cleo@acme-health.example", Level: codex.LevelClient, CompanyID: fx.acme}, client: true},
		{name: "redacting service", mint: auth.MintOptions{Service: "brainhair"}, redacted: true},
		// An admin asking for redaction: ?redact=true on REST, the header on GraphQL, and
		// the other way round.
		{name: "admin with redact=true", mint: admin, restQuery: "redact=true", gqlHeader: []string{auth.RedactHeader, "true"},
			secrets: true, redacted: true},
		{name: "admin with X-Codex-Redact", mint: admin, restHeader: []string{auth.RedactHeader, "true"}, gqlQuery: "redact=true",
			secrets: true, redacted: true},
	}
}

// agreedRecord is one record as both transports return it, normalized field by field.
type agreedRecord struct {
	rest, gql map[string]any // by REST member
}

// TestRESTAndGraphQLAgree checks that, for each caller, REST and GraphQL return the same
// records with the same values, and that those values obey the policy: a client sees its
// subtree only, secrets reach admins only, redaction applies when the grant or the request
// asks for it.
func TestRESTAndGraphQLAgree(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		fx := newAgreementFixture(t, db)
		seen := map[string]map[string]map[int64]agreedRecord{} // caller > resource > id
		for _, c := range fx.callers() {
			t.Run(c.name, func(t *testing.T) {
				a := &agreement{t: t, fx: fx, c: c, token: fx.mint(t, c.mint)}
				seen[c.name] = map[string]map[int64]agreedRecord{}
				for _, r := range agreedResources {
					seen[c.name][r.rest] = a.compareList(r)
					a.compareEach(r)
				}
				a.checkPolicy(seen[c.name])
			})
		}

		// Redaction asked for by an admin gives the values a redacting grant gives.
		redactable := map[string][]string{
			"companies": {"description"},
			"contacts":  {"name", "first_name", "last_name", "email", "phone", "phone_mobile", "title", "notes", "secondary_emails"},
			"assets":    {"notes"},
			"tickets":   {"subject", "description"},
		}
		want := seen["redacting service"]
		if len(want) != len(agreedResources) {
			t.Fatalf("the redacting service's records are missing: %d resources", len(want))
		}
		for _, name := range []string{"admin with redact=true", "admin with X-Codex-Redact"} {
			for res, members := range redactable {
				for id, w := range want[res] {
					got, ok := seen[name][res][id]
					if !ok {
						t.Errorf("%s: %s %d missing", name, res, id)
						continue
					}
					for _, m := range members {
						if !reflect.DeepEqual(got.rest[m], w.rest[m]) || !reflect.DeepEqual(got.gql[m], w.rest[m]) {
							t.Errorf("%s %d %s: %s gets REST %#v, GraphQL %#v; the redacting service gets %#v",
								res, id, m, name, got.rest[m], got.gql[m], w.rest[m])
						}
					}
				}
			}
		}
	})
}

func (fx *agreementFixture) mint(t *testing.T, o auth.MintOptions) string {
	t.Helper()
	tok, err := fx.issuer.Mint(o)
	if err != nil {
		t.Fatalf("Mint(%+v): %v", o, err)
	}
	return tok
}

// agreement compares the two transports for one caller.
type agreement struct {
	t     *testing.T
	fx    *agreementFixture
	c     agreementCaller
	token string
}

// restGet fetches /api{path} and returns the status, the decoded body and the headers.
func (a *agreement) restGet(path string) (int, any, http.Header) {
	a.t.Helper()
	url := a.fx.srv.URL + "/api" + path
	if a.c.restQuery != "" {
		url += "?" + a.c.restQuery
	}
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+a.token)
	setHeaders(req, a.c.restHeader)
	return a.send(req)
}

// gqlPost runs a GraphQL operation and returns its data; errors fail the test.
func (a *agreement) gqlPost(query string, vars map[string]any) map[string]any {
	a.t.Helper()
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	url := a.fx.srv.URL + "/graphql"
	if a.c.gqlQuery != "" {
		url += "?" + a.c.gqlQuery
	}
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Content-Type", "application/json")
	setHeaders(req, a.c.gqlHeader)
	status, body, _ := a.send(req)
	res, _ := body.(map[string]any)
	if status != http.StatusOK || res["errors"] != nil {
		a.t.Fatalf("POST /graphql %s = %d %v", strings.Join(strings.Fields(query), " "), status, body)
	}
	data, _ := res["data"].(map[string]any)
	return data
}

func setHeaders(req *http.Request, header []string) {
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
}

func (a *agreement) send(req *http.Request) (int, any, http.Header) {
	a.t.Helper()
	resp, err := a.fx.srv.Client().Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		a.t.Fatalf("%s %s = %d, not JSON: %s", req.Method, req.URL, resp.StatusCode, b)
	}
	return resp.StatusCode, v, resp.Header
}

// compareList lists r through both transports: the same rows in the same order, the same
// total and the same values. It returns the rows by id.
func (a *agreement) compareList(r agreedResource) map[int64]agreedRecord {
	t := a.t
	t.Helper()
	status, body, h := a.restGet("/" + r.rest)
	rows, ok := body.([]any)
	if status != http.StatusOK || !ok {
		t.Fatalf("GET /api/%s = %d %v; want 200 and an array", r.rest, status, body)
	}
	data := a.gqlPost(fmt.Sprintf("{ %s(first: 500) { totalCount nodes { %s } } }", r.conn, r.selection()), nil)
	conn, _ := data[r.conn].(map[string]any)
	nodes, _ := conn["nodes"].([]any)

	if got, want := h.Get("X-Total-Count"), fmt.Sprint(conn["totalCount"]); got != want {
		t.Errorf("%s: REST X-Total-Count %s, GraphQL totalCount %s", r.rest, got, want)
	}
	restIDs, gqlIDs := idsOf(rows, "id"), idsOf(nodes, "databaseId")
	if !slices.Equal(restIDs, gqlIDs) {
		t.Fatalf("%s: REST lists ids %v, GraphQL %v", r.rest, restIDs, gqlIDs)
	}
	want := a.fx.ids[r.rest]
	if a.c.client {
		want = a.fx.inAcme[r.rest]
	}
	if got := slices.Sorted(slices.Values(restIDs)); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
		t.Errorf("%s: both transports list ids %v; want %v", r.rest, got, want)
	}
	out := map[int64]agreedRecord{}
	for i := range rows {
		rec := a.compare(r, fmt.Sprintf("%s[%d]", r.rest, i), rows[i], nodes[i])
		out[restIDs[i]] = rec
	}
	return out
}

// compareEach reads every record of r by id, in reach or not, through both transports.
func (a *agreement) compareEach(r agreedResource) {
	t := a.t
	t.Helper()
	inReach := a.fx.ids[r.rest]
	if a.c.client {
		inReach = a.fx.inAcme[r.rest]
	}
	query := fmt.Sprintf("query($id: ID!) { node(id: $id) { __typename ... on %s { %s } } }", r.typ, r.selection())
	result := "node"
	if r.typ == "Company" {
		query = fmt.Sprintf("query($id: ID!) { company(id: $id) { %s } }", r.selection())
		result = "company"
	}
	for _, id := range a.fx.ids[r.rest] {
		status, body, _ := a.restGet(fmt.Sprintf("/%s/%d", r.rest, id))
		node := a.gqlPost(query, map[string]any{"id": graphID(r.typ, id)})[result]
		what := fmt.Sprintf("%s %d", r.rest, id)
		if !slices.Contains(inReach, id) {
			// Out of reach: not found on both, without saying it exists.
			if status != http.StatusNotFound || node != nil {
				t.Errorf("%s (out of reach): REST %d %v, GraphQL %v; want 404 and null", what, status, body, node)
			}
			continue
		}
		if status != http.StatusOK || node == nil {
			t.Errorf("%s: REST %d %v, GraphQL %v; want 200 and the record on both", what, status, body, node)
			continue
		}
		a.compare(r, what, body, node)
	}
}

// graphID is the GraphQL id of row id of type typ (see graph/id.go).
func graphID(typ string, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + strconv.FormatInt(id, 10)))
}

func idsOf(rows []any, member string) []int64 {
	ids := make([]int64, len(rows))
	for i, row := range rows {
		n, _ := lookupPath(row, member)
		f, _ := n.(float64)
		ids[i] = int64(f)
	}
	return ids
}

// compare checks one record field by field and returns its normalized values. Every REST
// member must be mapped (or listed as REST-only), so that a member added to one transport
// and not the other is noticed.
func (a *agreement) compare(r agreedResource, what string, restRow, gqlRow any) agreedRecord {
	t := a.t
	t.Helper()
	rec := agreedRecord{rest: map[string]any{}, gql: map[string]any{}}
	for _, fd := range r.fields {
		rv, ok := lookupPath(restRow, fd.rest)
		if !ok {
			t.Errorf("%s: REST has no member %s", what, fd.rest)
			continue
		}
		gv, ok := lookupPath(gqlRow, fd.gql)
		if !ok {
			t.Errorf("%s: GraphQL has no field %s", what, fd.gql)
			continue
		}
		rn, gn := normalizeValue(fd.kind, rv, true), normalizeValue(fd.kind, gv, false)
		if !reflect.DeepEqual(rn, gn) {
			t.Errorf("%s: REST %s = %#v, GraphQL %s = %#v", what, fd.rest, rv, fd.gql, gv)
		}
		rec.rest[fd.rest], rec.gql[fd.rest] = rn, gn
	}
	mapped := map[string]bool{}
	for _, fd := range r.fields {
		mapped[fd.rest] = true
	}
	for _, m := range r.restOnly {
		mapped[m] = true
	}
	for _, m := range restMembers(restRow, "", mapped) {
		if !mapped[m] {
			t.Errorf("%s: REST member %s is not compared with GraphQL; map it in agreement_test.go", what, m)
		}
	}
	return rec
}

// restMembers lists the members of a REST object, descending into nested objects whose
// members are mapped one by one (address).
func restMembers(v any, prefix string, mapped map[string]bool) []string {
	obj, _ := v.(map[string]any)
	var out []string
	for k, x := range obj {
		name := prefix + k
		if nested, ok := x.(map[string]any); ok && !mapped[name] {
			out = append(out, restMembers(nested, name+".", mapped)...)
			continue
		}
		out = append(out, name)
	}
	return out
}

// lookupPath walks a dotted path. It reports false when an object lacks a member; a null on
// the way is a null value (a parent out of reach, a company without a billing contact).
func lookupPath(v any, path string) (any, bool) {
	for _, k := range strings.Split(path, ".") {
		if v == nil {
			return nil, true
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = obj[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// normalizeValue brings a REST value (fromREST) or a GraphQL value to the form both are
// compared in. Only the REST side's spellings of "none" are folded: GraphQL must answer
// null for a hidden secret and [] for an empty list, as its schema says.
func normalizeValue(k fieldKind, v any, fromREST bool) any {
	switch k {
	case asEnum:
		if s, ok := v.(string); ok && fromREST {
			return strings.ToUpper(s)
		}
	case asInstant:
		if s, ok := v.(string); ok {
			tm, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return "unparsable time " + s
			}
			return tm.UTC().Format(time.RFC3339Nano)
		}
	case asList:
		if v == nil && fromREST {
			return []any{}
		}
	case asPairs, asSecretPairs:
		if v == nil {
			if k == asPairs && fromREST {
				return map[string]any{}
			}
			return nil
		}
		if kvs, ok := v.([]any); ok && !fromREST {
			m := map[string]any{}
			for _, kv := range kvs {
				key, _ := lookupPath(kv, "key")
				value, _ := lookupPath(kv, "value")
				m[fmt.Sprint(key)] = value
			}
			return m
		}
	case asSecret:
		if v == "" && fromREST {
			return nil
		}
	}
	return v
}

// checkPolicy checks, on both transports, what the caller may see: the assertions above
// only say the transports agree, these say they agree on the right values.
func (a *agreement) checkPolicy(rows map[string]map[int64]agreedRecord) {
	t, fx := a.t, a.fx
	t.Helper()
	for side, pick := range map[string]func(agreedRecord) map[string]any{
		"REST":    func(r agreedRecord) map[string]any { return r.rest },
		"GraphQL": func(r agreedRecord) map[string]any { return r.gql },
	} {
		license := pick(rows["assets"][fx.license])
		server := pick(rows["assets"][fx.server])
		carol := pick(rows["contacts"][fx.carol])
		acme := pick(rows["companies"][fx.acme])
		ticket := pick(rows["tickets"][fx.acmeTicket])

		// Secrets: admins only.
		var wantKey, wantSecrets, wantBitlocker any
		if a.c.secrets {
			wantKey = ehrLicenseKey
			wantSecrets = map[string]any{"admin_password": "hunter2"}
			wantBitlocker = map[string]any{"bitlocker": "111-222-333"}
		}
		if license["license_key"] != wantKey || !reflect.DeepEqual(license["secret_fields"], wantSecrets) ||
			!reflect.DeepEqual(server["secret_fields"], wantBitlocker) {
			t.Errorf("%s: licence key %#v, secret fields %#v and %#v; want %#v, %#v and %#v",
				side, license["license_key"], license["secret_fields"], server["secret_fields"], wantKey, wantSecrets, wantBitlocker)
		}
		if !reflect.DeepEqual(server["custom_fields"], map[string]any{"rack": "R1"}) {
			t.Errorf("%s: custom fields %#v; want them for everyone", side, server["custom_fields"])
		}

		// Redaction: Acme Health is a HIPAA company.
		if a.c.redacted {
			if carol["email"] != "<EMAIL_ADDRESS>" || carol["phone"] != "<PHONE_NUMBER>" || carol["name"] == "Carol Chen" || carol["last_name"] != "C." {
				t.Errorf("%s: Carol = %v; want her name, e-mail and phone redacted", side, carol)
			}
			for what, s := range map[string]any{"ticket subject": ticket["subject"], "ticket description": ticket["description"],
				"company description": acme["description"], "asset notes": license["notes"]} {
				text := fmt.Sprint(s)
				if strings.Contains(text, carolPhone) || strings.Contains(text, carolEmail) || strings.Contains(text, "Carol Chen") || !strings.Contains(text, "<") {
					t.Errorf("%s: %s = %q; want it redacted", side, what, text)
				}
			}
		} else {
			if carol["email"] != carolEmail || carol["phone"] != carolPhone || carol["name"] != "Carol Chen" {
				t.Errorf("%s: Carol = %v; want her as stored", side, carol)
			}
			if ticket["subject"] != ticketPHI || acme["description"] != acmeDescription {
				t.Errorf("%s: ticket subject %q, company description %q; want them as stored", side, ticket["subject"], acme["description"])
			}
		}
	}
}
