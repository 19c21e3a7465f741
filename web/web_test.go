package web_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/hivematrix/codex/auth"
	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/policy"
	"github.com/hivematrix/codex/rest"
	"github.com/hivematrix/codex/seed"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
	"github.com/hivematrix/codex/web"
)

// fixture is the UI on a real database with the demo data, routed as server.go routes
// it (request ids, the policy's request cache, /api for the CSV exports), behind the
// development issuer.
type fixture struct {
	t   *testing.T
	db  *store.DB
	svc codex.Services
	dev *auth.DevIssuer
	ver *auth.Verifier
	srv *httptest.Server
	sys context.Context
}

// Each option adjusts the UI's options before it is built (e.g. to give it a sync engine).
func newFixture(t *testing.T, db *store.DB, withDev bool, options ...func(*fixture, *web.Options)) *fixture {
	t.Helper()
	ctx := context.Background()
	svc := policy.New(db.Services())
	if err := seed.Demo(ctx, svc); err != nil {
		t.Fatalf("seed.Demo: %v", err)
	}
	v, err := auth.New(ctx, auth.Config{DevKeyFile: filepath.Join(t.TempDir(), "dev.pem")}, func(ctx context.Context, account string) (int64, error) {
		c, err := db.CompanyByAccountNumber(ctx, account)
		if err != nil {
			return 0, err
		}
		return c.ID, nil
	})
	if err != nil {
		t.Fatalf("auth.New: %v", err)
	}
	f := &fixture{t: t, db: db, svc: svc, dev: v.Dev(), ver: v, sys: codex.WithPrincipal(ctx, codex.SystemPrincipal("test"))}
	api := rest.New(svc, rest.Options{})
	opts := web.Options{Verifier: v, Export: api.Routes()}
	if withDev {
		opts.Dev = v.Dev()
	}
	for _, o := range options {
		o(f, &opts)
	}
	r := chi.NewRouter()
	r.Use(rest.RequestID, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(policy.WithRequestCache(r.Context())))
		})
	})
	web.New(svc, opts).Mount(r)
	f.srv = httptest.NewServer(r)
	t.Cleanup(f.srv.Close)
	return f
}

// token mints a development token.
func (f *fixture) token(level codex.Level, company string) string {
	f.t.Helper()
	o := auth.MintOptions{Email: string(level) + "@example.com", Level: level}
	if company != "" {
		o.CompanyID = f.company(company).ID
	}
	tok, err := f.dev.Mint(o)
	if err != nil {
		f.t.Fatal(err)
	}
	return tok
}

func (f *fixture) company(account string) *codex.Company {
	f.t.Helper()
	c, err := f.db.CompanyByAccountNumber(f.sys, account)
	if err != nil {
		f.t.Fatalf("company %s: %v", account, err)
	}
	return c
}

// get fetches path with a bearer token, without following redirects.
func (f *fixture) get(path, token string) (int, string, http.Header) {
	f.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return f.do(req)
}

// post submits a form with a bearer token.
func (f *fixture) post(path, token string, form url.Values) (int, string, http.Header) {
	f.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return f.do(req)
}

func (f *fixture) do(req *http.Request) (int, string, http.Header) {
	f.t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
var versionRe = regexp.MustCompile(`name="version" value="([^"]*)"`)

func match(t *testing.T, re *regexp.Regexp, body string) string {
	t.Helper()
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in page:\n%.2000s", re, body)
	}
	return m[1]
}

func TestPagesRender(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, true)
		admin := f.token(codex.LevelAdmin, "")
		sheriff := f.company("ACC-1020")
		eq, err := f.svc.Network.EquipmentByCompanies(f.sys, []int64{sheriff.ID}, codex.EquipmentFilter{}, 100)
		if err != nil || len(eq[0]) == 0 {
			t.Fatalf("sheriff's equipment: %v", err)
		}
		sn, _ := f.svc.Network.SubnetsByCompanies(f.sys, []int64{sheriff.ID})
		id := itoa
		pages := []struct{ path, want string }{
			{"/?view=dashboard", "Expiring in the next 90 days"},
			{"/companies", "Marion County Sheriff"},
			{"/companies?q=sheriff&kind=client", "Marion County Sheriff"},
			{"/companies/tree?open=" + id(f.company("ACC-1001").ID), "Bright Smile Dental - Riverside"},
			{"/companies/" + id(sheriff.ID), "Effective settings"},
			{"/companies/" + id(sheriff.ID) + "/edit", `name="version"`},
			{"/companies/new", "Add company"},
			{"/contacts?q=ruiz", "Sandra Ruiz"},
			{"/assets?q=MCSO", "MCSO-MDT-07"},
			{"/network", "MCSO-FW01"},
			{"/network/companies/" + id(sheriff.ID), "<svg"},
			{"/network/equipment/" + id(eq[0][0].ID), "Links"},
			{"/settings", "Colour theme"},
			{"/sync", "Sync centre"},
		}
		if len(sn[0]) > 0 {
			pages = append(pages, struct{ path, want string }{"/network/subnets/" + id(sn[0][0].ID), "Free ranges"})
		}
		for _, p := range pages {
			status, body, h := f.get(p.path, admin)
			if status != http.StatusOK || !strings.Contains(body, p.want) {
				t.Errorf("GET %s = %d, want 200 with %q; body:\n%.1500s", p.path, status, p.want, body)
			}
			if !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'self'") {
				t.Errorf("GET %s: Content-Security-Policy = %q", p.path, h.Get("Content-Security-Policy"))
			}
		}
		status, body, h := f.get("/network/companies/"+id(sheriff.ID)+"/topology.dot", admin)
		if status != http.StatusOK || !strings.Contains(body, "MCSO-FW01") || !strings.Contains(body, "--") || !strings.HasPrefix(h.Get("Content-Type"), "text/vnd.graphviz") {
			t.Errorf("topology.dot = %d %s:\n%.500s", status, h.Get("Content-Type"), body)
		}
		status, body, _ = f.get("/network/companies/"+id(sheriff.ID)+"/topology.svg", admin)
		if status != http.StatusOK || !strings.HasPrefix(body, "<svg") || !strings.Contains(html.UnescapeString(body), "MCSO-CORE01") {
			t.Errorf("topology.svg = %d:\n%.500s", status, body)
		}
		status, body, h = f.get("/assets/export.csv?company_id="+id(sheriff.ID), admin)
		if status != http.StatusOK || !strings.Contains(body, "MCSO-MDT-07") || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
			t.Errorf("assets CSV = %d %s:\n%.500s", status, h.Get("Content-Type"), body)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

var (
	inputRe    = regexp.MustCompile(`<input [^>]*>`)
	textareaRe = regexp.MustCompile(`(?s)<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>`)
	selectRe   = regexp.MustCompile(`(?s)<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>`)
	selectedRe = regexp.MustCompile(`<option[^>]*selected[^>]*>([^<]*)</option>`)
)

func htmlUnescape(s string) string { return html.UnescapeString(s) }

var nextRe = regexp.MustCompile(`<a href="([^"]+)">Next →</a>`)

func regexpMust(s string) *regexp.Regexp { return regexp.MustCompile(s) }
