// Package rest serves Codex's documented /api paths: JSON over the same codex.Services
// (and so the same policy) as GraphQL, CSV export of every list, the UI shell's
// preference calls, and an OpenAPI description generated from the route table.
//
// Every route is one row of a table (routes.go) that both registers the chi route and
// describes it in /api/openapi.json. Errors become application/problem+json in one place,
// WriteProblem. The package never decides who may see what: it passes the principal the
// auth middleware stored in the context down to the services, whose policy layer decides.
package rest

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"sync"

	"github.com/go-chi/chi/v5"

	"github.com/hivematrix/codex/codex"
)

// Paging limits of the JSON lists. The documented "get all companies" call must return an
// MSP's whole client list in one page, hence a default far above GraphQL's.
const (
	DefaultLimit = 1000
	MaxLimit     = 10000
	// MaxBodyBytes is the largest request body accepted.
	MaxBodyBytes = 1 << 20
)

// Options configures the REST API.
type Options struct {
	// Logger receives failed requests (5xx in full, 401/403 briefly); nil means slog.Default().
	Logger *slog.Logger
	// Sync starts integration runs for POST /sync/{source}; nil answers 503 there.
	Sync codex.SyncStarter
	// Tickets changes tickets in the PSA (POST /ticket/{id}/update); nil answers 503 there.
	Tickets codex.TicketUpdater
	// TicketSync starts ticket-only runs (POST /sync/tickets) and syncs the ticket a webhook
	// names; nil answers 503 there.
	TicketSync TicketSync
	// PSA describes the PSA for GET /psa/config and names its statuses.
	PSA PSAConfig
	// Webhook checks the PSA's ticket webhook; an empty secret turns the webhook off.
	Webhook WebhookConfig
	// RequireIfMatch makes PATCH, PUT and DELETE of a row without If-Match a 428.
	RequireIfMatch bool
}

// API is the REST compatibility layer over one set of services.
type API struct {
	svc  codex.Services
	log  *slog.Logger
	sync codex.SyncStarter
	// The platform's ticket routes (psa.go, webhook.go).
	tickets    codex.TicketUpdater
	ticketSync TicketSync
	psa        PSAConfig
	webhook    WebhookConfig
	// requireIfMatch: see Options.RequireIfMatch.
	requireIfMatch bool
	tbl            []route
	mux            *chi.Mux // built by Routes; the 405 handler asks it which methods a path allows
	once           sync.Once
	doc            []byte
}

// New returns the REST API over svc, which should be the policy layer's services: this
// package applies no access rules of its own.
func New(svc codex.Services, opts Options) *API {
	a := &API{svc: svc, log: opts.Logger, sync: opts.Sync, tickets: opts.Tickets, ticketSync: opts.TicketSync,
		psa: opts.PSA, webhook: opts.Webhook, requireIfMatch: opts.RequireIfMatch}
	if a.log == nil {
		a.log = slog.Default()
	}
	a.tbl = a.routes()
	return a
}

// Routes returns the router to mount at /api. It expects the auth middleware to have put
// the principal in the request context, and RequestID to run before it.
func (a *API) Routes() chi.Router {
	r := chi.NewRouter()
	r.NotFound(a.notFound)
	r.MethodNotAllowed(a.methodNotAllowed)
	for i := range a.tbl {
		rt := &a.tbl[i]
		if !rt.public {
			r.Method(rt.method, rt.pattern, a.handle(rt))
		}
	}
	a.mux = r
	return r
}

// Public returns the routes served without a principal, keyed by their path under /api
// ("/public/user/theme", "/public/user/home-page"): the platform's shell and Core call
// them before anyone has signed in (or with a service token, which they do not need). The
// server mounts them without the auth middleware.
func (a *API) Public() map[string]http.Handler {
	out := map[string]http.Handler{}
	for i := range a.tbl {
		if a.tbl[i].public {
			out[a.tbl[i].pattern] = a.handle(&a.tbl[i])
		}
	}
	return out
}

// handle wraps a route's handler with the checks every route shares.
func (a *API) handle(rt *route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := checkQuery(rt, r.URL.Query()); err != nil {
			a.problem(w, r, err)
			return
		}
		rt.handler(w, r)
	})
}

func (a *API) problem(w http.ResponseWriter, r *http.Request, err error) {
	writeProblem(a.log, w, r, err)
}

// writeJSON writes v as a JSON response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	// Client data must not stay in shared or browser caches.
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// pathID reads the {id} path parameter. A malformed id names no row, so it is a 404.
func pathID(r *http.Request) (int64, error) {
	s := chi.URLParam(r, "id")
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, codex.Errorf(codex.NotFound, "no row with id %q", s)
	}
	return id, nil
}

// principal returns the caller, refusing a request that has none.
func principal(ctx context.Context) (*codex.Principal, error) {
	p := codex.PrincipalFrom(ctx)
	if p == nil {
		return nil, codex.Errorf(codex.Unauthenticated, "authentication required")
	}
	return p, nil
}
