package rest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/policy"
	"github.com/hivematrix/codex/rest"
	"github.com/hivematrix/codex/store"
)

// principalHeader names, in tests only, the principal a request runs as; it stands in for
// the bearer token the auth middleware verifies in production.
const principalHeader = "X-Test-As"

// fixture is a Codex server on a real database, routed like server.go routes it, with
// demo data and one principal per permission level.
type fixture struct {
	t   *testing.T
	db  *store.DB
	srv *httptest.Server
	sys context.Context // the system principal, for seeding through the store
	api *contract       // the OpenAPI document every response is checked against
	as  map[string]*codex.Principal

	acme, acmeEast, globex        *codex.Company
	jane                          *codex.Contact
	server, laptop, license, gsrv *codex.Asset
	router                        *codex.NetworkEquipment
	ticket                        *codex.Ticket
}

// Acme's id is fixed at 123 so that the documented calls run verbatim.
const acmeID = 123

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	return newFixtureWith(t, db, rest.Options{})
}

// newFixtureWith is newFixture with the API's options.
func newFixtureWith(t *testing.T, db *store.DB, opts rest.Options) *fixture {
	t.Helper()
	f := &fixture{t: t, db: db, sys: codex.WithPrincipal(context.Background(), codex.SystemPrincipal("test"))}
	api := rest.New(policy.New(db.Services()), opts)
	r := chi.NewRouter()
	r.Use(rest.RequestID)
	r.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(policy.WithRequestCache(r.Context())))
		})
	})
	for pattern, h := range api.Public() {
		r.Method(http.MethodGet, "/api"+pattern, h)
	}
	r.Group(func(r chi.Router) {
		r.Use(f.authenticate)
		r.Mount("/api", api.Routes())
	})
	f.srv = httptest.NewServer(r)
	t.Cleanup(f.srv.Close)
	f.api = loadContract(t, api, f.srv.URL+"/api")
	f.seed()
	return f
}

// authenticate puts the principal named by principalHeader in the context, as the auth
// middleware does for a verified token; without one the request has no principal.
func (f *fixture) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := f.as[r.Header.Get(principalHeader)]; p != nil {
			r = r.WithContext(codex.WithPrincipal(r.Context(), p))
		}
		next.ServeHTTP(w, r)
	})
}

func ptr[T any](v T) *T { return &v }

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

// seed creates Acme (123, HIPAA) with a child Acme East, Globex, their contacts, assets,
// equipment and a ticket, and the principals.
func (f *fixture) seed() {
	ctx := f.sys
	now := time.Now().UTC().Truncate(time.Second)
	f.acme = &codex.Company{ID: acmeID, Name: "Acme Corp", AccountNumber: ptr("A-100"), Kind: codex.KindClient,
		Status: codex.StatusActive, ComplianceLevel: codex.ComplianceHIPAA, BillingPlan: "gold",
		Address: codex.Address{Line1: "1 Main St", City: "Springfield", Country: "US"},
		Domains: []string{"acme.example"}, Settings: map[string]string{"tz": "America/Chicago"},
		CreatedAt: now, UpdatedAt: now}
	_, err := f.db.Bun().NewInsert().Model(f.acme).Exec(ctx)
	f.must(err)
	f.acme, err = f.db.Company(ctx, acmeID)
	f.must(err)
	f.acmeEast = &codex.Company{Name: "Acme East", ParentID: ptr(int64(acmeID)), AccountNumber: ptr("A-101")}
	f.must(f.db.CreateCompany(ctx, f.acmeEast))
	f.globex = &codex.Company{Name: "Globex", AccountNumber: ptr("G-200"), BillingPlan: "silver"}
	f.must(f.db.CreateCompany(ctx, f.globex))

	f.jane = &codex.Contact{CompanyID: acmeID, FirstName: "Jane", LastName: "Doe", Email: "jane@acme.example",
		PhoneWork: "555-0100", Active: true, Designation: codex.DesignationPrimary}
	f.must(f.db.CreateContact(ctx, f.jane))
	f.must(f.db.CreateContact(ctx, &codex.Contact{CompanyID: f.globex.ID, FirstName: "Hank", LastName: "Scorpio",
		Email: "hank@globex.example", Active: true}))

	f.server = &codex.Asset{CompanyID: acmeID, Name: "acme-dc1", Type: codex.AssetServer, SerialNumber: "SN-1",
		IPAddresses: []string{"10.0.0.5"}, WarrantyExpires: &codex.Date{Year: 2025, Month: 1, Day: 31}, Online: true,
		CustomFields: map[string]string{"rack": "r1"}}
	f.laptop = &codex.Asset{CompanyID: acmeID, Name: "acme-lt1", Type: codex.AssetLaptop, SerialNumber: "SN-2",
		IPAddresses: []string{"10.0.0.1"}, WarrantyExpires: &codex.Date{Year: 2027, Month: 6, Day: 1}}
	f.license = &codex.Asset{CompanyID: acmeID, Name: "Office 365", Type: codex.AssetLicense, LicenseKey: "SECRET-KEY-1",
		SeatsTotal: ptr(10), SeatsUsed: ptr(4)}
	f.gsrv = &codex.Asset{CompanyID: f.globex.ID, Name: "globex-srv", Type: codex.AssetServer, IPAddresses: []string{"10.0.0.5"}}
	for _, a := range []*codex.Asset{f.server, f.laptop, f.license, f.gsrv} {
		f.must(f.db.CreateAsset(ctx, a))
	}
	f.router = &codex.NetworkEquipment{CompanyID: acmeID, Name: "acme-gw", Type: codex.EquipmentRouter,
		IPAddress: "10.0.0.1", Model: "MX64"}
	f.must(f.db.CreateEquipment(ctx, f.router))
	f.must(f.db.CreateSubnet(ctx, &codex.Subnet{CompanyID: acmeID, CIDR: "10.0.0.0/24", Description: "LAN"}))
	f.ticket = &codex.Ticket{Source: "freshservice", ExternalID: "1001", CompanyID: acmeID, Subject: "Printer jam",
		Status: codex.TicketOpen, Priority: codex.PriorityHigh, Type: "Incident", CreatedAt: now, UpdatedAt: now}
	_, err = f.db.SaveTicket(ctx, f.ticket)
	f.must(err)
	_, err = f.db.SaveTicket(ctx, &codex.Ticket{Source: "freshservice", ExternalID: "1002", CompanyID: f.globex.ID,
		Subject: "VPN down", Status: codex.TicketClosed, Priority: codex.PriorityLow, CreatedAt: now, UpdatedAt: now})
	f.must(err)

	f.as = map[string]*codex.Principal{
		"admin":      {Subject: "u1", Email: "ada@example.com", Name: "Ada", Level: codex.LevelAdmin},
		"technician": {Subject: "u2", Email: "tom@example.com", Name: "Tom", Level: codex.LevelTechnician},
		"billing":    {Subject: "u3", Email: "bill@example.com", Name: "Bill", Level: codex.LevelBilling},
		"client":     {Subject: "u4", Email: "cleo@acme.example", Name: "Cleo", Level: codex.LevelClient, CompanyID: acmeID},
		"service":    {Subject: "service:ledger", Service: "ledger", Grant: codex.Grant{Read: true}},
		"redacted":   {Subject: "service:brainhair", Service: "brainhair", Grant: codex.Grant{Read: true, Redact: true}},
	}
}

// req is one request: who sends it, and optionally a body (a string is sent as is,
// anything else as JSON) and extra headers as name, value pairs.
type req struct {
	as     string
	method string
	path   string
	body   any
	header []string
}

// do sends a request to the fixture's server and checks the response against the
// OpenAPI document.
func (f *fixture) do(r req) *http.Response {
	f.t.Helper()
	var body io.Reader
	if r.body != nil {
		s, ok := r.body.(string)
		if !ok {
			b, err := json.Marshal(r.body)
			f.must(err)
			s = string(b)
		}
		body = strings.NewReader(s)
	}
	if r.method == "" {
		r.method = http.MethodGet
	}
	hr, err := http.NewRequest(r.method, f.srv.URL+r.path, body)
	f.must(err)
	if r.as != "" {
		hr.Header.Set(principalHeader, r.as)
	}
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(r.header); i += 2 {
		hr.Header.Set(r.header[i], r.header[i+1])
	}
	resp, err := http.DefaultClient.Do(hr)
	f.must(err)
	f.api.check(f.t, hr, resp)
	f.t.Cleanup(func() { resp.Body.Close() })
	if resp.Header.Get("X-Request-ID") == "" {
		f.t.Errorf("%s %s: no X-Request-ID in the response", r.method, r.path)
	}
	return resp
}

// expect sends r, checks the status and returns the body.
func (f *fixture) expect(r req, status int) []byte {
	f.t.Helper()
	resp := f.do(r)
	b, err := io.ReadAll(resp.Body)
	f.must(err)
	if resp.StatusCode != status {
		f.t.Fatalf("%s %s as %q = %d %s; want %d", orGet(r.method), r.path, r.as, resp.StatusCode, b, status)
	}
	return b
}

func orGet(m string) string {
	if m == "" {
		return http.MethodGet
	}
	return m
}

// decode unmarshals a JSON body.
func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	return v
}

// problem checks that a response is a problem with the status, naming field in its
// errors when field is not empty, and returns it.
func (f *fixture) problem(r req, status int, field string) rest.Problem {
	f.t.Helper()
	resp := f.do(r)
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		f.t.Fatalf("%s %s as %q = %d %s; want %d", orGet(r.method), r.path, r.as, resp.StatusCode, b, status)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		f.t.Errorf("%s %s: Content-Type = %q; want application/problem+json", orGet(r.method), r.path, ct)
	}
	p := decode[rest.Problem](f.t, b)
	if p.Status != status || p.Type == "" || p.Title == "" || p.RequestID != resp.Header.Get("X-Request-ID") {
		f.t.Errorf("%s %s: problem = %+v; want status %d, a type, a title and the request id %q",
			orGet(r.method), r.path, p, status, resp.Header.Get("X-Request-ID"))
	}
	if field != "" {
		if _, ok := p.Errors[field]; !ok {
			f.t.Errorf("%s %s: problem errors = %v; want one for %q", orGet(r.method), r.path, p.Errors, field)
		}
	}
	return p
}
