package graph_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/graph"
	"github.com/hivematrix/codex/policy"
	"github.com/hivematrix/codex/store"
)

// The tests drive the real handler over HTTP, on both databases, with the policy layer
// in between and principals set by a small stand-in for the authentication middleware.

// principals are the callers a test can act as, by the X-Test-As header. The client
// user belongs to the fixture's East company; its principal is filled in per fixture.
func principals(fx *fixture) map[string]*codex.Principal {
	return map[string]*codex.Principal{
		"admin":   {Subject: "admin", Email: "ada@msp.example", Name: "Ada", Level: codex.LevelAdmin},
		"tech":    {Subject: "tech", Email: "tom@msp.example", Name: "Tom", Level: codex.LevelTechnician},
		"billing": {Subject: "billing", Email: "bill@msp.example", Name: "Bill", Level: codex.LevelBilling},
		"client":  {Subject: "client", Email: "carol@acme.example", Name: "Carol", Level: codex.LevelClient, CompanyID: fx.east},
		"service": {Subject: "service:brainhair", Service: "brainhair", Grant: codex.Grant{Read: true, Redact: true}, Redact: true},
	}
}

// env is one test database with the fixture, served by the GraphQL handler.
type env struct {
	t   *testing.T
	db  *store.DB
	srv *httptest.Server
	fx  *fixture
}

func newEnv(t *testing.T, db *store.DB, opts graph.Options) *env {
	t.Helper()
	fx := buildFixture(t, db.Services())
	return serve(t, db, fx, opts)
}

func serve(t *testing.T, db *store.DB, fx *fixture, opts graph.Options) *env {
	t.Helper()
	who := principals(fx)
	h := graph.NewHandler(policy.New(db.Services()), opts)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := policy.WithRequestCache(r.Context())
		if p, ok := who[r.Header.Get("X-Test-As")]; ok {
			ctx = codex.WithPrincipal(ctx, p)
		}
		h.ServeHTTP(w, r.WithContext(ctx))
	}))
	t.Cleanup(srv.Close)
	return &env{t: t, db: db, srv: srv, fx: fx}
}

// result is a GraphQL response.
type result struct {
	Data   map[string]any `json:"data"`
	Errors []gqlError     `json:"errors"`
	status int
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// code returns the extensions.code of the first error, or "".
func (r result) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	s, _ := r.Errors[0].Extensions["code"].(string)
	return s
}

// fields returns the extensions.fields of the first error.
func (r result) fields() map[string]any {
	if len(r.Errors) == 0 {
		return nil
	}
	f, _ := r.Errors[0].Extensions["fields"].(map[string]any)
	return f
}

// do posts an operation as who and decodes the answer.
func (e *env) do(who, query string, vars map[string]any) result {
	e.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Test-As", who)
	return e.send(req)
}

func (e *env) send(req *http.Request) result {
	e.t.Helper()
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var r result
	if err := json.Unmarshal(b, &r); err != nil {
		e.t.Fatalf("%s %s: status %d, not JSON: %s", req.Method, req.URL, resp.StatusCode, b)
	}
	r.status = resp.StatusCode
	return r
}

// ok posts an operation that must succeed and returns its data.
func (e *env) ok(who, query string, vars map[string]any) map[string]any {
	e.t.Helper()
	r := e.do(who, query, vars)
	if len(r.Errors) > 0 {
		e.t.Fatalf("as %s: %s\nerrors: %+v", who, oneLine(query), r.Errors)
	}
	return r.Data
}

func oneLine(q string) string {
	q = strings.Join(strings.Fields(q), " ")
	if len(q) > 160 {
		q = q[:160] + "..."
	}
	return q
}

// get walks a decoded JSON value by a dotted path ("company.children.0.name").
func get(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func str(v any, path string) string {
	s, _ := get(v, path).(string)
	return s
}

func num(v any, path string) int {
	f, _ := get(v, path).(float64)
	return int(f)
}

func list(v any, path string) []any {
	l, _ := get(v, path).([]any)
	return l
}

// names lists the "name" of each element of the list at path.
func names(v any, path string) []string {
	var out []string
	for _, x := range list(v, path) {
		out = append(out, str(x, "name"))
	}
	return out
}

// gid is the global id of row id of type typ, as the API encodes it.
func gid(typ string, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + strconv.FormatInt(id, 10)))
}

// fixture is a small MSP: two trees and a few stand-alone companies for paging.
//
//	Acme Holdings (ACC-1, hipaa)        Globex (ACC-9)
//	├── Acme East (ACC-2)               Pager 01 .. Pager 12
//	│   └── Acme East Lab (ACC-4)
//	└── Acme West (ACC-3)
type fixture struct {
	acme, east, west, lab, globex                  int64
	alice, bob, carol, gina                        int64
	eastServer, eastLicense, globexPC              int64
	eastFW, eastSW, globexFW, eastLink, eastSubnet int64
	eastLocation, eastTicket, eastAlert            int64
}

func buildFixture(t *testing.T, svc codex.Services) *fixture {
	t.Helper()
	ctx := codex.WithPrincipal(context.Background(), codex.SystemPrincipal("test"))
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("fixture: %s: %v", what, err)
		}
	}
	s := func(v string) *string { return &v }
	fx := &fixture{}
	company := func(name, account string, parent int64, level codex.ComplianceLevel, settings map[string]string) int64 {
		c := &codex.Company{Name: name, AccountNumber: s(account), ComplianceLevel: level, Settings: settings, Domains: []string{}}
		if parent != 0 {
			c.ParentID = &parent
		}
		must("company "+name, svc.Companies.CreateCompany(ctx, c))
		return c.ID
	}
	fx.acme = company("Acme Holdings", "ACC-1", 0, codex.ComplianceHIPAA, map[string]string{"patch_day": "Sunday", "backup": "nightly"})
	fx.east = company("Acme East", "ACC-2", fx.acme, codex.ComplianceHIPAA, map[string]string{"patch_day": "Monday"})
	fx.west = company("Acme West", "ACC-3", fx.acme, codex.ComplianceStandard, nil)
	fx.lab = company("Acme East Lab", "ACC-4", fx.east, codex.ComplianceStandard, nil)
	fx.globex = company("Globex", "ACC-9", 0, codex.ComplianceStandard, nil)
	for i := 1; i <= 12; i++ {
		company("Pager "+twoDigits(i), "PG-"+twoDigits(i), 0, codex.ComplianceStandard, nil)
	}

	contact := func(home int64, first, last, email string, d codex.Designation) int64 {
		c := &codex.Contact{CompanyID: home, FirstName: first, LastName: last, Email: email, Title: "Manager",
			Roles: []string{"primary"}, Active: true, Designation: d, PhoneWork: "+1-555-0100"}
		must("contact "+email, svc.Contacts.CreateContact(ctx, c))
		return c.ID
	}
	fx.alice = contact(fx.acme, "Alice", "Able", "alice@acme.example", codex.DesignationPrimary)
	fx.bob = contact(fx.acme, "Bob", "Baker", "bob@acme.example", codex.DesignationSecondary)
	fx.carol = contact(fx.east, "Carol", "Chen", "carol@acme.example", codex.DesignationPrimary)
	fx.gina = contact(fx.globex, "Gina", "Gray", "gina@globex.example", codex.DesignationPrimary)
	must("assign alice to east", svc.Contacts.AssignContact(ctx, fx.alice, fx.east, codex.DesignationSecondary))

	loc := &codex.Location{CompanyID: fx.east, Name: "East HQ", Phone: "+1-555-0199"}
	must("location", svc.Companies.CreateLocation(ctx, loc))
	fx.eastLocation = loc.ID

	date := func(s string) *codex.Date { d, _ := codex.ParseDate(s); return &d }
	asset := func(a codex.Asset) int64 {
		must("asset "+a.Name, svc.Assets.CreateAsset(ctx, &a))
		return a.ID
	}
	fx.eastServer = asset(codex.Asset{CompanyID: fx.east, Name: "EAST-SRV", Type: codex.AssetServer, SerialNumber: "S-EAST-1",
		Hostname: "east-srv", IPAddresses: []string{"10.1.0.10"}, WarrantyExpires: date("2026-01-15"), Online: true})
	total, used := 10, 4
	fx.eastLicense = asset(codex.Asset{CompanyID: fx.east, Name: "EAST-LIC", Type: codex.AssetLicense, SerialNumber: "L-EAST-1",
		LicenseKey: "KEY-SECRET-123", SeatsTotal: &total, SeatsUsed: &used,
		SecretFields: map[string]string{"bitlocker": "111-222-333"}, CustomFields: map[string]string{"tier": "gold"}})
	fx.globexPC = asset(codex.Asset{CompanyID: fx.globex, Name: "GLX-PC", Type: codex.AssetWorkstation, SerialNumber: "S-GLX-1",
		IPAddresses: []string{"10.9.0.5"}, WarrantyExpires: date("2030-06-01")})
	must("assign asset", svc.Assets.AssignAsset(ctx, fx.eastServer, []int64{fx.carol}))

	device := func(e codex.NetworkEquipment) int64 {
		must("device "+e.Name, svc.Network.CreateEquipment(ctx, &e))
		return e.ID
	}
	fx.eastFW = device(codex.NetworkEquipment{CompanyID: fx.east, Name: "EAST-FW", Type: codex.EquipmentFirewall, IPAddress: "10.1.0.1", Model: "FG-40F", LocationID: &fx.eastLocation})
	fx.eastSW = device(codex.NetworkEquipment{CompanyID: fx.east, Name: "EAST-SW", Type: codex.EquipmentSwitch, IPAddress: "10.1.0.2", Model: "CBS350"})
	fx.globexFW = device(codex.NetworkEquipment{CompanyID: fx.globex, Name: "GLX-FW", Type: codex.EquipmentFirewall, IPAddress: "10.9.0.1"})
	device(codex.NetworkEquipment{CompanyID: fx.globex, Name: "GLX-DUP", Type: codex.EquipmentOther, IPAddress: "10.9.0.5"})
	link := &codex.NetworkLink{AID: fx.eastFW, APort: "port1", BID: fx.eastSW, BPort: "gi1", Kind: codex.LinkEthernet, SpeedMbps: 1000}
	must("link", svc.Network.ConnectDevices(ctx, link))
	fx.eastLink = link.ID
	vlan := 10
	sn := &codex.Subnet{CompanyID: fx.east, CIDR: "10.1.0.0/24", VLAN: &vlan, Gateway: "10.1.0.1", Description: "East LAN"}
	must("subnet", svc.Network.CreateSubnet(ctx, sn))
	fx.eastSubnet = sn.ID

	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tk := &codex.Ticket{Source: "freshservice", ExternalID: "T-1", CompanyID: fx.east, RequesterID: &fx.carol,
		Subject: "Printer down, call Carol Chen at 555-867-5309", Description: "Mail carol@acme.example",
		Status: codex.TicketOpen, Priority: codex.PriorityHigh, Type: "Incident", CreatedAt: now, UpdatedAt: now}
	_, err := svc.Tickets.SaveTicket(ctx, tk)
	must("ticket", err)
	fx.eastTicket = tk.ID
	tk2 := &codex.Ticket{Source: "freshservice", ExternalID: "T-2", CompanyID: fx.globex, Subject: "Closed one",
		Status: codex.TicketClosed, Priority: codex.PriorityLow, Type: "Request", CreatedAt: now, UpdatedAt: now}
	_, err = svc.Tickets.SaveTicket(ctx, tk2)
	must("ticket 2", err)
	al := &codex.Alert{Source: "test", ExternalID: "A-1", CompanyID: fx.east, AssetID: &fx.eastServer,
		Priority: codex.AlertCritical, Message: "Disk almost full", RaisedAt: now, CreatedAt: now, UpdatedAt: now}
	_, err = svc.Tickets.SaveAlert(ctx, al)
	must("alert", err)
	fx.eastAlert = al.ID
	return fx
}

func twoDigits(i int) string {
	if i < 10 {
		return "0" + strconv.Itoa(i)
	}
	return strconv.Itoa(i)
}
