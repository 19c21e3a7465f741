// Codex is the data hub of an MSP: companies in a parent/child tree, their contacts,
// assets, network equipment and topology, tickets and alerts, served over GraphQL and
// REST on one access policy. This package wires everything together explicitly and runs
// the sub-commands; `go run .` with no arguments serves.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/hivematrix/codex/auth"
	"github.com/hivematrix/codex/cache"
	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/config"
	"github.com/hivematrix/codex/graph"
	"github.com/hivematrix/codex/helm"
	"github.com/hivematrix/codex/integrations/syncer"
	"github.com/hivematrix/codex/policy"
	"github.com/hivematrix/codex/rest"
	"github.com/hivematrix/codex/seed"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/web"
)

func main() {
	warnUnknownEnv(os.Stderr, os.Environ())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// server is a running Codex: its configuration, database, token verifier and the HTTP
// handler over the policy layer.
type server struct {
	cfg      *config.Config
	log      *slog.Logger
	db       *store.DB
	verifier *auth.Verifier
	svc      codex.Services // the policy layer over the read cache (nil when off) over db
	cache    *cache.Cache
	sync     *syncer.Engine
	handler  http.Handler
	tel      *telemetry  // metrics and traces (telemetry.go)
	draining atomic.Bool // set when shutting down: /health/ready answers 503
}

// newServer opens and prepares the database (see openDatabase) and builds the server
// over it. The caller closes s.db.
func newServer(ctx context.Context, cfg *config.Config, log *slog.Logger) (*server, error) {
	db, err := openDatabase(ctx, cfg, log, true)
	if err != nil {
		return nil, err
	}
	s, err := buildServer(ctx, cfg, log, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// buildServer builds the token verifier, the policy layer over db and the routes.
func buildServer(ctx context.Context, cfg *config.Config, log *slog.Logger, db *store.DB) (*server, error) {
	verifier, err := auth.New(ctx, authConfig(cfg.Auth), companyResolver(db))
	if err != nil {
		return nil, err
	}
	s := &server{cfg: cfg, log: log, db: db, verifier: verifier}
	if cfg.Cache.Enabled {
		// Closed with db.
		if s.cache, err = cache.New(ctx, db, cache.Config{SizeMB: cfg.Cache.SizeMB, Logger: log}); err != nil {
			return nil, err
		}
	}
	s.svc = policy.New(s.cache.Services(db.Services()))
	if s.tel, err = newTelemetry(ctx, cfg, log, db); err != nil {
		return nil, err
	}
	if s.cache != nil {
		s.tel.metrics.WatchCache(s.cache)
	}
	fc, dc := syncer.ClientsFromConfig(cfg.Integrations, log, s.tel.clientTransport)
	s.sync = syncer.New(syncer.Config{Services: s.svc, Locker: db, Freshservice: fc, Datto: dc, Logger: log,
		AccountNumberFormat: cfg.Sync.AccountNumberFormat, AccountNumberStart: int64(cfg.Sync.AccountNumberStart),
		StatusNames: cfg.Integrations.FreshserviceStatuses, OnRunFinished: s.tel.metrics.SyncRunFinished})
	s.handler = s.tel.serverHandler(s.routes())
	return s, nil
}

// openDatabase opens the configured database (creating an SQLite file and its directory,
// private to the user), applies pending migrations and, when serving, loads the demo data into an empty
// embedded database.
func openDatabase(ctx context.Context, cfg *config.Config, log *slog.Logger, serving bool) (*store.DB, error) {
	dsn := cfg.Database.ConnectionString
	if err := ensureDir(cfg); err != nil {
		return nil, err
	}
	wait := time.Duration(0)
	if serving {
		wait = cfg.Database.StartupWait
	}
	db, err := openWithRetry(ctx, dsn, wait, log)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	level := slog.LevelDebug
	if serving {
		level = slog.LevelInfo
	}
	log.Log(ctx, level, "database ready", "dialect", db.Dialect(), "database", config.RedactDSN(dsn))
	if serving && cfg.Database.Embedded() && cfg.Database.DemoData {
		if err := loadDemoIfEmpty(ctx, db, log); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

// loadDemoIfEmpty writes the demo MSP into db when it holds no companies, so that the
// first `go run .` has something to show.
func loadDemoIfEmpty(ctx context.Context, db *store.DB, log *slog.Logger) error {
	empty, err := seed.IsEmpty(ctx, db.Bun())
	if err != nil || !empty {
		return err
	}
	start := time.Now()
	if err := seed.Demo(ctx, policy.New(db.Services())); err != nil {
		return err
	}
	log.Info("loaded demo data",
		"reason", "the embedded database was empty",
		"took", time.Since(start).Round(time.Millisecond),
		"try", "go run . token --email "+seed.DemoAdmin+" --level admin")
	return nil
}

// ensureDir creates the directory of an SQLite database file (0700) and the file itself
// (0600; SQLite gives its -wal and -shm files the same mode): they hold client data.
func ensureDir(cfg *config.Config) error {
	path := sqlitePath(cfg.Database.ConnectionString)
	if !cfg.Database.Embedded() || path == "" {
		return nil
	}
	if dir := sqliteDir(cfg.Database.ConnectionString); dir != "" {
		if err := mkdirPrivate(dir); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("database file: %w", err)
	}
	return f.Close()
}

// mkdirPrivate creates dir and its parents, 0700: it holds the database and keys.
func mkdirPrivate(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("database directory: %w", err)
	}
	return nil
}

// sqlitePath returns the file of an SQLite path or file: URI, or "" for an in-memory
// database.
func sqlitePath(dsn string) string {
	path, query, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	if path == "" || path == ":memory:" || strings.Contains(query, "mode=memory") {
		return ""
	}
	return path
}

// sqliteDir returns the directory of an SQLite database file, or "" for an in-memory
// database or the current directory.
func sqliteDir(dsn string) string {
	if dir := filepath.Dir(sqlitePath(dsn)); dir != "." {
		return dir
	}
	return ""
}

// authConfig turns the [auth] section into the verifier's configuration.
func authConfig(a config.Auth) auth.Config {
	return auth.Config{
		IssuerURL:    a.IssuerURL,
		Issuer:       a.Issuer,
		JWKSURL:      a.JWKSURL,
		Audience:     a.Audience,
		ClockSkew:    a.ClockSkew,
		RoleLevels:   a.Roles,
		RoleClient:   a.RoleClient,
		CompanyClaim: a.CompanyClaim,
		Services:     a.Services,
		DevKeyFile:   a.DevKeyFile,
	}
}

// companyResolver finds a client token's company by its account number.
func companyResolver(db *store.DB) auth.CompanyResolver {
	return func(ctx context.Context, account string) (int64, error) {
		c, err := db.CompanyByAccountNumber(ctx, account)
		if err != nil {
			return 0, err
		}
		return c.ID, nil
	}
}

// routes builds the HTTP handler:
//
//	GET  /health, /api/health     no token: database check
//	GET  /health/live             no token: the process is up
//	GET  /health/ready            no token: database reachable, migrations applied, not shutting down
//	GET  /metrics                 admin token: Prometheus metrics (also on [metrics] listen, without one)
//	GET  /.well-known/jwks.json   no token: the development issuer's keys (when it is on)
//	GET  /graphql (browser)       no token: the GraphQL explorer page, which holds no data
//	GET  /graphql/assets/...      no token: the explorer's scripts and styles (embedded)
//	POST /graphql/dev-token       no token: the explorer's development sign-in (only while the
//	                              development issuer is on; from this machine only, see auth.DevSignIn)
//	     /graphql                 token: GraphQL operations (POST, or GET with a query)
//	GET  /api/public/user/theme   no token: the UI shell's theme lookup
//	GET  /api/public/user/home-page no token: Core's home-page lookup
//	GET  /api/docs                no token: the REST reference page (Redoc), which holds no data
//	GET  /api/docs/assets/...     no token: its scripts and styles (embedded)
//	     /api/...                 token: the REST compatibility routes
//	POST /sync/tickets            token: the platform's ticket sync (also under /api)
//	GET  /sync/status/{job_id}    token: a ticket sync's progress (also under /api)
//	POST /webhooks/freshservice/ticket  PSA secret or HMAC: store that ticket now
//	GET  /billing-plans/api/...   token: the billing plan catalogue as Ledger reads it
//	GET  /debug/pprof/...         admin token: Go's runtime profiles (only with [server] pprof)
//	     /, /companies/..., ...   token or session cookie: the web UI (web.Paths), sign-in at /signin
func (s *server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(rest.RequestID, requestLog(s.log), s.tel.observe, corsMiddleware(s.cfg.Server.CORSOrigins),
		compression(s.cfg.Server), recoverer(s.log), requestTimeout(s.cfg.Server.RequestTimeout), requestCache)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		rest.WriteProblem(w, r, codex.Errorf(codex.NotFound, "no such path: %s", r.URL.Path))
	})

	health := healthHandler(s.db, s.cfg.Database.ConnectionString, time.Now, s.cacheStatus)
	r.Method(http.MethodGet, "/health", health)
	// The platform's services probe /api/health; same answer ({service, status, ...}).
	r.Method(http.MethodGet, "/api/health", health)
	r.Method(http.MethodGet, "/health/live", liveHandler())
	r.Method(http.MethodGet, "/health/ready", readyHandler(s.db, s.cfg.Database.ConnectionString, s.draining.Load))
	if dev := s.verifier.Dev(); dev != nil {
		r.With(perIP(s.cfg.Server.PublicRateLimit)).Method(http.MethodGet, "/.well-known/jwks.json", dev.JWKSHandler())
	}

	api := rest.New(s.svc, rest.Options{Logger: s.log, Sync: s.sync,
		Tickets: policy.NewTicketUpdater(s.db.Services(), s.sync), TicketSync: s.sync,
		PSA: psaConfig(s.cfg.Integrations), Webhook: webhookConfig(s.cfg.Integrations), RequireIfMatch: s.cfg.Server.RequireIfMatch})
	public := s.publicLimit()
	for pattern, h := range api.Public() {
		r.With(public).Method(http.MethodGet, "/api"+pattern, h)
	}
	r.Method(http.MethodPost, "/webhooks/freshservice/ticket", api.FreshserviceWebhook())
	docs := api.Docs()
	r.Handle("/api/docs", docs)
	r.Handle("/api/docs/assets/*", docs)

	verify := s.verifier.Middleware(rest.WriteProblem)
	limit := perPrincipal(s.cfg.Server.RateLimit)
	authenticated := func(next http.Handler) http.Handler { return verify(notePrincipal(limit(next))) }
	// Ledger reads the billing plan catalogue under its old home.
	r.Mount("/billing-plans/api", authenticated(api.BillingPlans()))
	gql := authenticated(graph.NewHandler(s.svc, graph.Options{Logger: s.log, Sync: s.sync,
		Tracer: s.tel.graphTracer(), FieldSpanThreshold: s.cfg.Otel.FieldThreshold}))
	dev := s.verifier.Dev()
	explorer := public(graph.NewExplorer("/graphql", graph.ExplorerOptions{DevSignIn: dev != nil}))
	if dev != nil {
		r.Method(http.MethodPost, "/graphql/dev-token", auth.DevSignIn{Issuer: dev, Email: seed.DemoAdmin,
			Audience: s.cfg.Auth.Audience, WriteProblem: rest.WriteProblem})
	}
	r.Handle("/graphql", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isExplorerRequest(r) {
			explorer.ServeHTTP(w, r)
			return
		}
		gql.ServeHTTP(w, r)
	}))
	r.Handle("/graphql/assets/*", explorer)
	r.Group(func(r chi.Router) {
		r.Use(authenticated)
		r.Mount("/api", api.Routes())
		r.Mount("/sync", api.SyncRoutes())
	})
	r.With(authenticated, adminOnly).Method(http.MethodGet, "/metrics", s.tel.metrics.Handler())
	web.New(s.svc, web.Options{
		Verifier: s.verifier, Dev: s.verifier.Dev(), Export: api.Routes(), Sync: s.sync, Logger: s.log,
		OIDC: web.OIDCConfig{IssuerURL: s.cfg.Auth.IssuerURL, ClientID: s.cfg.Auth.ClientID, ClientSecret: s.cfg.Auth.ClientSecret},
	}).Mount(r)
	if s.cfg.Server.Pprof {
		r.Group(func(r chi.Router) {
			r.Use(authenticated, adminOnly)
			r.Mount("/debug/pprof", pprofRoutes())
		})
	}
	return r
}

// adminOnly refuses every principal but administrators (and the system) with 403.
func adminOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !codex.PrincipalFrom(r.Context()).SeesSecrets() {
			rest.WriteProblem(w, r, codex.Errorf(codex.Forbidden, "%s is for administrators", r.URL.Path))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// pprofRoutes serves net/http/pprof below the mount point (the package also registers
// itself on http.DefaultServeMux, which Codex never serves): the index, the named
// profiles (heap, goroutine, allocs, …), and the CPU profile and execution trace, which
// run for ?seconds= (bounded by [server] request_timeout).
func pprofRoutes() http.Handler {
	r := chi.NewRouter()
	r.HandleFunc("/", pprof.Index)
	r.HandleFunc("/cmdline", pprof.Cmdline)
	r.HandleFunc("/profile", pprof.Profile)
	r.HandleFunc("/symbol", pprof.Symbol)
	r.HandleFunc("/trace", pprof.Trace)
	r.HandleFunc("/{name}", func(w http.ResponseWriter, r *http.Request) {
		pprof.Handler(chi.URLParam(r, "name")).ServeHTTP(w, r)
	})
	return r
}

// isExplorerRequest reports whether r is a browser opening /graphql rather than an
// operation sent by GET.
func isExplorerRequest(r *http.Request) bool {
	q := r.URL.Query()
	return r.Method == http.MethodGet && strings.Contains(r.Header.Get("Accept"), "text/html") &&
		q.Get("query") == "" && q.Get("extensions") == ""
}

// requestCache lets the policy layer compute a client's scope once per request.
func requestCache(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(policy.WithRequestCache(r.Context())))
	})
}

// requestTimeout bounds each request's context; handlers see ctx.Done() and stop.
func requestTimeout(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// serve runs the HTTP server until ctx ends (SIGINT or SIGTERM), then shuts down
// gracefully: in-flight requests get cfg.Server.ShutdownTimeout to finish.
func serve(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	tuneGC(gcSettings(cfg), os.Getenv)
	var shipper *helm.Shipper
	if cfg.Helm.URL != "" {
		tokens := helmToken(cfg)
		if tokens == nil {
			log.Warn("helm: no service token ([helm] token or core_url): logs will not be shipped")
		}
		shipper = helm.New(helm.Config{URL: cfg.Helm.URL, Token: tokens, Level: cfg.Log.Level, ErrorLog: log})
		defer shipper.Close(context.WithoutCancel(ctx))
		log = slog.New(slog.NewMultiHandler(log.Handler(), shipper.Handler()))
		log.Info("shipping logs to helm", "url", cfg.Helm.URL)
	}
	s, err := newServer(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer s.db.Close()
	defer s.tel.shutdown(context.WithoutCancel(ctx)) //nolint:errcheck // flushing spans is best effort
	if shipper != nil {
		s.tel.metrics.WatchHelm(func() (int64, int64, int64) {
			st := shipper.Stats()
			return st.Queued, st.Sent, st.Dropped
		})
	}

	ln, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		return err
	}
	_, stopMetrics, err := s.serveMetrics(ctx)
	if err != nil {
		ln.Close()
		return err
	}
	defer stopMetrics()
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		// A slow reader cannot hold a handler past the request's own bound.
		WriteTimeout: cfg.Server.RequestTimeout + 10*time.Second,
		IdleTimeout:  2 * time.Minute,
		ErrorLog:     slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:  func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	issuer := s.verifier.Issuer()
	if s.verifier.Dev() != nil {
		issuer += " (development issuer: `go run . token --email " + seed.DemoAdmin + " --level admin` mints a token)"
	}
	log.Info("codex listening", "addr", ln.Addr().String(), "version", version(), "issuer", issuer,
		"url", "http://"+displayAddr(ln.Addr())+"/health")

	if cfg.Scheduler.Enabled && len(s.sync.Sources()) > 0 {
		log.Info("integration schedule", "sources", s.sync.Sources(), "every", cfg.Scheduler.Interval)
		go syncer.NewScheduler(s.sync, cfg.Scheduler.Interval, log).Run(ctx)
	}

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.draining.Store(true)
	log.Info("shutting down", "grace", cfg.Server.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.Server.ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		// Requests still in flight after the grace (slow readers): cut them off, and still
		// stop the integration runs cleanly below.
		log.Warn("requests still in flight after the grace period were cut off", "err", err)
		_ = hs.Close()
	}
	sctx2, cancel2 := context.WithTimeout(context.WithoutCancel(ctx), cfg.Server.ShutdownTimeout)
	defer cancel2()
	if err := s.sync.Shutdown(sctx2); err != nil {
		log.Warn("integration runs did not stop in time", "err", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// displayAddr turns a listener address into one a person can paste into a browser.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// newLogger returns the process logger: text on a terminal, JSON otherwise, unless the
// configuration says which.
func newLogger(w io.Writer, lc config.Log) *slog.Logger {
	opts := &slog.HandlerOptions{Level: lc.Level, ReplaceAttr: readableDurations}
	format := lc.Format
	if format == "auto" {
		format = "json"
		if f, ok := w.(*os.File); ok {
			if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
				format = "text"
			}
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// readableDurations logs durations as "1.5s" rather than JSON's nanoseconds.
func readableDurations(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		a.Value = slog.StringValue(a.Value.Duration().String())
	}
	return a
}

// helmToken is the service token sent with log batches: the configured one; one asked of
// HiveMatrix Core ([helm] core_url), as the platform's services do; or, with the
// development issuer on, a short-lived token it mints for the service "codex". With none
// of these, nil: the shipper then sends nothing (never unauthenticated).
func helmToken(cfg *config.Config) helm.TokenSource {
	if cfg.Helm.Token != "" {
		return helm.StaticToken(cfg.Helm.Token)
	}
	if cfg.Helm.CoreURL != "" {
		return helm.CoreToken(cfg.Helm.CoreURL, "codex", "helm", nil)
	}
	if cfg.Auth.IssuerURL != "" || cfg.Auth.JWKSURL != "" {
		return nil
	}
	return helm.CachedToken(func() (string, error) {
		dev, err := auth.LoadOrCreateDevIssuer(cfg.Auth.DevKeyFile)
		if err != nil {
			return "", err
		}
		return dev.Mint(auth.MintOptions{Service: "codex", TTL: 5 * time.Minute})
	}, 4*time.Minute)
}

// tuneGC applies [server] gc_percent and memory_limit_mb to the Go runtime, unless the
// GOGC or GOMEMLIMIT variables (which the runtime reads itself) are set.
func tuneGC(c config.Server, getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(c.GCPercent)
	}
	if getenv("GOMEMLIMIT") == "" && c.MemoryLimitMB > 0 {
		debug.SetMemoryLimit(int64(c.MemoryLimitMB) << 20)
	}
}

// gcSettings are the [server] settings tuneGC applies: with the read cache on, the memory
// limit is raised by one and a half times the cache's size. A full cache is live data the
// collector cannot free (and its Go objects take more than their estimated weight), so
// the limit must grow or the collector runs all the time; but under load the process
// fills its limit with garbage, and the resident size is the limit plus the binary's
// pages (about 37 MB). Measured at seed scale 2000 with the cache full (bench/platform.sh,
// q1r then q2r and search): a 64 MB cache under a 160 MiB limit made the collector thrash
// (q2r 276 req/s at 6.5 ms of CPU a request, slower than without the cache); a 32 MB cache
// under the same limit, q2r 599 req/s at 3.0 ms, q1r 720, RSS 194-196 MB. So the default is
// 32 MB and 112 + 48 MiB.
func gcSettings(cfg *config.Config) config.Server {
	s := cfg.Server
	if cfg.Cache.Enabled && s.MemoryLimitMB > 0 {
		s.MemoryLimitMB += cfg.Cache.SizeMB * 3 / 2
	}
	return s
}

// psaConfig describes the configured PSA to the platform's ticket routes.
func psaConfig(c config.Integrations) rest.PSAConfig {
	if !c.FreshserviceEnabled() {
		return rest.PSAConfig{}
	}
	names := maps.Clone(syncer.DefaultStatusNames)
	maps.Copy(names, c.FreshserviceStatuses)
	web := c.FreshserviceWebDomain
	if web == "" && c.FreshserviceDomain != "" {
		web = c.FreshserviceDomain + ".freshservice.com"
	}
	return rest.PSAConfig{Provider: codex.SourceFreshservice, WebDomain: web, StatusNames: names}
}

// webhookConfig is the PSA ticket webhook's check.
func webhookConfig(c config.Integrations) rest.WebhookConfig {
	return rest.WebhookConfig{Secret: c.FreshserviceWebhookSecret, AllowFrom: c.FreshserviceWebhookAllow}
}
