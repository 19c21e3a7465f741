// Package web serves Codex's pages for people: the dashboard, companies, contacts, assets,
// the network and its topology picture, the billing plans, settings and the sync centre
// with its triage list. The pages are server-rendered with html/template over the same
// codex.Services (the policy layer) as the APIs, so a page shows exactly what its
// principal gets from GraphQL or REST.
//
// Every URL the pages write is relative (each page carries a relative <base href>), so
// the UI works unchanged behind the HiveMatrix shell, which serves Codex under /codex/
// and proxies to Codex's / without saying so.
package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/hivematrix/codex/auth"
	"github.com/hivematrix/codex/codex"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Verifier verifies bearer tokens into principals; *auth.Verifier implements it.
type Verifier interface {
	Verify(ctx context.Context, raw string) (*codex.Principal, error)
}

// SyncRunner starts integration runs and names the configured sources; the sync engine
// implements it.
type SyncRunner interface {
	codex.SyncStarter
	Sources() []string
}

// Options configures the UI.
type Options struct {
	// Verifier checks the bearer tokens of requests and sessions. Required.
	Verifier Verifier
	// Dev is the development issuer, when no real issuer is configured: the sign-in page
	// then mints development tokens for a chosen role. Nil refuses development sign-in.
	Dev *auth.DevIssuer
	// OIDC, when its issuer and client are set, signs people in with the authorization
	// code flow.
	OIDC OIDCConfig
	// Export serves the REST routes (mounted at /api); the UI's CSV export links call it
	// with the page's principal.
	Export http.Handler
	// Sync runs integrations for the sync centre; nil hides "run now". When it also
	// implements codex.SyncActions (the sync engine does), the triage list assigns items
	// through it; otherwise the list is read-only.
	Sync SyncRunner
	// Secret keys the CSRF tokens; empty picks a random key (tokens then last as long as
	// the process).
	Secret []byte
	// Logger receives internal errors; nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// UI is the web UI's handler set.
type UI struct {
	svc    codex.Services
	opts   Options
	log    *slog.Logger
	pages  map[string]*template.Template
	static map[string]staticFile // by hashed name
	hashed map[string]string     // plain name -> hashed name
	secret []byte
	oidc   *oidcClient
	topo   topologyRenderer
	dash   *lru.Cache[string, cachedTotals]
}

type staticFile struct {
	body        []byte
	contentType string
}

// New builds the UI over svc. It panics if the embedded templates do not parse (a
// programming error every test run catches).
func New(svc codex.Services, opts Options) *UI {
	u, err := newUI(svc, opts)
	if err != nil {
		panic(err)
	}
	return u
}

func newUI(svc codex.Services, opts Options) (*UI, error) {
	u := &UI{svc: svc, opts: opts, log: opts.Logger, static: map[string]staticFile{}, hashed: map[string]string{}}
	if u.log == nil {
		u.log = slog.New(slog.DiscardHandler)
	}
	if u.opts.Now == nil {
		u.opts.Now = time.Now
	}
	u.dash, _ = lru.New[string, cachedTotals](256)
	u.secret = opts.Secret
	if len(u.secret) == 0 {
		u.secret = make([]byte, 32)
		rand.Read(u.secret)
	}
	if err := u.loadStatic(); err != nil {
		return nil, err
	}
	if err := u.loadTemplates(); err != nil {
		return nil, err
	}
	if opts.OIDC.enabled() {
		u.oidc = newOIDCClient(opts.OIDC)
	}
	return u, nil
}

// Paths are the top-level paths the UI serves; server.go mounts the UI on each.
var Paths = []string{"/", "/companies", "/contacts", "/assets", "/network", "/settings", "/billing", "/sync", "/signin", "/signout", "/static"}

// Mount serves the UI on r at each of Paths (and below them).
func (u *UI) Mount(r chi.Router) {
	h := u.Routes()
	// The UI routes on the full path with a router of its own.
	own := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, nil)))
	})
	for _, p := range Paths {
		r.Handle(p, own)
		if sub, ok := ownSubpaths[p]; ok {
			for _, s := range sub {
				r.Handle(s, own)
			}
		} else if p != "/" {
			r.Handle(p+"/*", own)
		}
	}
}

// ownSubpaths are, for a path the UI shares with the server, the only paths below it the
// UI serves: the platform's ticket sync calls /sync/tickets and /sync/status/{job_id}
// (rest.API.SyncRoutes, mounted at /sync), so the sync centre does not take /sync/*.
var ownSubpaths = map[string][]string{
	"/sync": {"/sync/run", "/sync/conflicts/*", "/sync/triage", "/sync/triage/*"},
}

// Routes returns the UI's router, which routes on the full request path.
func (u *UI) Routes() http.Handler {
	r := chi.NewRouter()
	r.Use(securityHeaders, middleware.StripSlashes)
	r.Get("/static/{name}", u.serveStatic)
	r.Get("/signin", u.signinPage)
	r.Post("/signin", u.signinDev)
	r.Get("/signin/callback", u.signinCallback)
	r.Post("/signout", u.signout)
	r.Group(func(r chi.Router) {
		r.Use(u.authenticate, u.checkCSRF)
		r.Get("/", u.dashboard)
		r.Get("/companies", u.companyList)
		r.Get("/companies/tree", u.companyTree)
		r.Get("/companies/new", u.companyNew)
		r.Post("/companies/new", u.companyCreate)
		r.Get("/companies/{id}", u.companyPage)
		r.Get("/companies/{id}/edit", u.companyEdit)
		r.Post("/companies/{id}/edit", u.companyUpdate)
		r.Post("/companies/{id}/archive", u.companyArchive)
		r.Post("/companies/{id}/restore", u.companyRestore)
		r.Get("/companies/{id}/locations/new", u.locationNew)
		r.Post("/companies/{id}/locations/new", u.locationCreate)
		locations := u.locationEditor()
		r.Get("/companies/{id}/locations/{location}/edit", locations.edit)
		r.Post("/companies/{id}/locations/{location}/edit", locations.update)
		r.Post("/companies/{id}/locations/{location}/archive", u.locationArchive)
		r.Get("/contacts", u.contactList)
		r.Get("/contacts/export.csv", u.export("/contacts"))
		r.Get("/contacts/new", u.contactNew)
		r.Post("/contacts/new", u.contactCreate)
		r.Get("/contacts/{id}", u.contactPage)
		contacts := u.contactEditor()
		r.Get("/contacts/{id}/edit", contacts.edit)
		r.Post("/contacts/{id}/edit", contacts.update)
		r.Post("/contacts/{id}/assign", u.contactAssign)
		r.Get("/assets", u.assetList)
		r.Get("/assets/export.csv", u.export("/assets"))
		r.Get("/assets/new", u.assetNew)
		r.Post("/assets/new", u.assetCreate)
		r.Get("/assets/{id}", u.assetPage)
		assets := u.assetEditor()
		r.Get("/assets/{id}/edit", assets.edit)
		r.Post("/assets/{id}/edit", assets.update)
		r.Post("/assets/{id}/assign", u.assetAssign)
		r.Get("/network", u.networkList)
		r.Get("/network/companies/{id}", u.topologyPage)
		r.Get("/network/companies/{id}/topology.svg", u.topologySVG)
		r.Get("/network/companies/{id}/topology.dot", u.topologyDOT)
		r.Get("/network/equipment/new", u.equipmentNew)
		r.Post("/network/equipment/new", u.equipmentCreate)
		r.Get("/network/equipment/{id}", u.equipmentPage)
		devices := u.equipmentEditor()
		r.Get("/network/equipment/{id}/edit", devices.edit)
		r.Post("/network/equipment/{id}/edit", devices.update)
		r.Post("/network/equipment/{id}/connect", u.equipmentConnect)
		r.Post("/network/equipment/{id}/links/{link}/disconnect", u.equipmentDisconnect)
		r.Get("/network/companies/{id}/subnets/new", u.subnetNew)
		r.Post("/network/companies/{id}/subnets/new", u.subnetCreate)
		r.Get("/network/subnets/{id}", u.subnetPage)
		subnets := u.subnetEditor()
		r.Get("/network/subnets/{id}/edit", subnets.edit)
		r.Post("/network/subnets/{id}/edit", subnets.update)
		r.Get("/billing", u.planList)
		r.Get("/billing/export.csv", u.export("/billing-plans"))
		r.Get("/billing/new", u.planNew)
		r.Post("/billing/new", u.planCreate)
		r.Get("/billing/{id}/edit", u.planEdit)
		r.Post("/billing/{id}/edit", u.planUpdate)
		r.Get("/settings", u.settingsPage)
		r.Post("/settings", u.settingsSave)
		r.Get("/sync", u.syncPage)
		r.Post("/sync/run", u.syncRun)
		r.Post("/sync/conflicts/{id}", u.syncResolve)
		r.Post("/sync/conflicts/{id}/upstream", u.syncTakeUpstream)
		r.Get("/sync/triage", u.triagePage)
		r.Post("/sync/triage/{id}/assign", u.triageAssign)
	})
	return r
}

// securityHeaders sets the Content-Security-Policy and friends on every page: scripts
// and images only from Codex itself (the pages have no script; the inline SVG of a
// topology needs none). Inline styles stay allowed because the platform's shell injects
// its stylesheet into every page's <head>.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "+
			"img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// loadStatic reads the embedded assets and names each by its content hash
// ("app.3f2a9c1d.css"), so they can be cached forever.
func (u *UI) loadStatic() error {
	return fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := path.Base(p)
		sum := sha256.Sum256(body)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:4]) + ext
		ct := "application/octet-stream"
		switch ext {
		case ".css":
			ct = "text/css; charset=utf-8"
		case ".js":
			ct = "text/javascript; charset=utf-8"
		case ".svg":
			ct = "image/svg+xml"
		}
		u.static[hashed] = staticFile{body: body, contentType: ct}
		u.hashed[name] = hashed
		return nil
	})
}

func (u *UI) serveStatic(w http.ResponseWriter, r *http.Request) {
	f, ok := u.static[chi.URLParam(r, "name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.contentType)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(f.body)
}

// loadTemplates parses each page template together with the layout.
func (u *UI) loadTemplates() error {
	funcs := template.FuncMap{
		"static":      func(name string) string { return "static/" + u.hashed[name] },
		"date":        fmtDate,
		"time":        fmtTime,
		"deref":       deref,
		"join":        strings.Join,
		"split":       strings.Fields,
		"add":         func(a, b int) int { return a + b },
		"has":         func(list []string, s string) bool { return contains(list, s) },
		"kv":          fmtKV,
		"signinToken": func(any) string { return u.mac("signin") },
		"fld":         func(f *form, name, label, typ string) field { return field{F: f, Name: name, Label: label, Type: typ} },
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return err
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	u.pages = map[string]*template.Template{}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return fmt.Errorf("web: template %s: %w", base, err)
		}
		u.pages[strings.TrimSuffix(base, ".html")] = t
	}
	return nil
}

// field is one labelled input of a form, for the "input" template.
type field struct {
	F                 *form
	Name, Label, Type string
}

// view is what every page template receives.
type view struct {
	Title    string
	Base     string // the relative path from this page to the UI's root, ending in "/"
	Nav      string // the active section
	User     *codex.Principal
	Prefs    codex.Preferences
	CSRF     string
	IsAdmin  bool
	CanWrite bool
	// CanEditNetwork shows the network's write actions (subnets, disconnecting links).
	CanEditNetwork bool
	// SeesPlans shows the billing plans in the navigation (staff; the policy refuses
	// the catalogue to client users).
	SeesPlans bool
	Flash     string
	Error     string
	Dev       bool
	Data      any
}

// render writes page with data, wrapped in the layout.
func (u *UI) render(w http.ResponseWriter, r *http.Request, status int, page, title, nav string, data any) {
	v := u.newView(r, title, nav, data)
	u.renderView(w, r, status, page, v)
}

func (u *UI) newView(r *http.Request, title, nav string, data any) *view {
	p := codex.PrincipalFrom(r.Context())
	v := &view{Title: title, Base: relBase(r.URL.Path), Nav: nav, User: p, Data: data, Prefs: codex.DefaultPreferences()}
	if p != nil {
		v.CSRF = u.csrfToken(p)
		v.IsAdmin = p.SeesSecrets()
		v.CanWrite = p.Can(codex.Write, codex.ResCompany) || p.Can(codex.Write, codex.ResBilling)
		v.CanEditNetwork = p.Can(codex.Write, codex.ResNetwork)
		_, scoped := p.ScopeRoot()
		v.SeesPlans = p.Can(codex.Read, codex.ResBilling) && !scoped
		v.Prefs = u.preferences(r.Context(), p)
	}
	v.Flash = r.URL.Query().Get("flash")
	v.Dev = u.opts.Dev != nil
	return v
}

func (u *UI) renderView(w http.ResponseWriter, r *http.Request, status int, page string, v *view) {
	t, ok := u.pages[page]
	if !ok {
		u.fail(w, r, codex.Errorf(codex.Internal, "no template %s", page))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		u.log.ErrorContext(r.Context(), "web: render", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail shows an error page with the status of err's code; internal causes are logged.
func (u *UI) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	if status >= 500 {
		u.log.ErrorContext(r.Context(), "web: request failed", "path", r.URL.Path, "err", err)
	}
	v := u.newView(r, http.StatusText(status), "", nil)
	v.Error = codex.ErrorMessage(err)
	u.renderView(w, r, status, "error", v)
}

// statusOf maps an error code to an HTTP status (the UI's one place for it).
func statusOf(err error) int {
	switch codex.ErrorCode(err) {
	case codex.Invalid:
		return http.StatusBadRequest
	case codex.NotFound:
		return http.StatusNotFound
	case codex.Conflict:
		return http.StatusConflict
	case codex.Unauthenticated:
		return http.StatusUnauthorized
	case codex.Forbidden:
		return http.StatusForbidden
	case codex.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// relBase returns the relative path from the page at urlPath to the UI's root:
// "./" for "/", "../" for "/companies/12", "../../" for "/companies/12/edit".
func relBase(urlPath string) string {
	depth := strings.Count(urlPath, "/") - 1
	if depth <= 0 {
		return "./"
	}
	return strings.Repeat("../", depth)
}

// redirect sends a 303 to target, a path relative to the UI's root ("companies/12"),
// written relative to the current page so it works behind a prefix-stripping proxy.
// (http.Redirect would turn it into an absolute path.)
func redirect(w http.ResponseWriter, r *http.Request, target string) {
	w.Header().Set("Location", relBase(r.URL.Path)+target)
	w.WriteHeader(http.StatusSeeOther)
}

// idParam parses the {id} path parameter.
func idParam(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, codex.Errorf(codex.NotFound, "no such page")
	}
	return id, nil
}

// export serves a list's CSV through the REST routes, with this page's principal.
func (u *UI) export(apiPath string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if u.opts.Export == nil {
			u.fail(w, r, codex.Errorf(codex.Unavailable, "export is not available"))
			return
		}
		q := r.URL.Query()
		q.Set("format", "csv")
		r2 := r.Clone(context.WithValue(r.Context(), chi.RouteCtxKey, nil))
		r2.URL.Path = apiPath
		r2.URL.RawPath = ""
		r2.URL.RawQuery = q.Encode()
		u.opts.Export.ServeHTTP(w, r2)
	}
}

func fmtDate(d any) string {
	switch v := d.(type) {
	case *codex.Date:
		if v == nil {
			return ""
		}
		return v.String()
	case codex.Date:
		return v.String()
	}
	return ""
}

func fmtTime(t any) string {
	switch v := t.(type) {
	case *time.Time:
		if v == nil {
			return ""
		}
		return v.UTC().Format("2006-01-02 15:04")
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.UTC().Format("2006-01-02 15:04")
	}
	return ""
}

func deref(v any) any {
	switch p := v.(type) {
	case *string:
		if p == nil {
			return ""
		}
		return *p
	case *int64:
		if p == nil {
			return ""
		}
		return *p
	case *int:
		if p == nil {
			return ""
		}
		return *p
	}
	return v
}

func fmtKV(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortStrings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "=" + m[k] + "\n")
	}
	return b.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// errIs reports whether err carries code.
func errIs(err error, code codex.Code) bool {
	var e *codex.Error
	return errors.As(err, &e) && e.Code == code
}
