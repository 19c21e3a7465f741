// Package metrics exposes Codex's Prometheus metrics: HTTP requests by chi route pattern
// and GraphQL operation name, errors by code, SQL statements per request, the database
// pool, integration runs, the Helm shipping backlog and rate-limit refusals. Every label
// takes values from a bounded set: route patterns (never raw paths), operation names up
// to a cap (then "other"), error codes matching a code's shape.
package metrics

import (
	"context"
	"database/sql"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/uptrace/bun"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/reqinfo"
)

// MaxOperations is how many distinct GraphQL operation names get their own label value;
// later names are counted as "other", so a client inventing names cannot grow the
// series without bound.
const MaxOperations = 100

// Metrics is one registry of Codex's metrics. The zero value is not usable; call New.
type Metrics struct {
	reg *prometheus.Registry

	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	statements   *prometheus.HistogramVec
	errors       *prometheus.CounterVec
	syncRuns     *prometheus.CounterVec
	syncRecords  *prometheus.CounterVec
	syncDuration *prometheus.HistogramVec
	rateLimited  *prometheus.CounterVec

	operations *boundedSet
}

// New returns a registry holding the Go runtime and process collectors and Codex's own
// metrics, all prefixed codex_ (the runtime's go_ and process_).
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "codex_http_requests_total",
			Help: "HTTP requests answered, by method, chi route pattern, GraphQL operation name and status.",
		}, []string{"method", "route", "operation", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "codex_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method, chi route pattern and GraphQL operation name.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"method", "route", "operation"}),
		statements: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "codex_http_request_statements",
			Help:    "SQL statements run to answer one HTTP request, by chi route pattern and GraphQL operation name.",
			Buckets: []float64{0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64, 128, 256},
		}, []string{"route", "operation"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "codex_errors_total",
			Help: "Errors answered to callers, by transport (rest, graphql) and code (codex code or GraphQL extensions.code).",
		}, []string{"transport", "code"}),
		syncRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "codex_sync_runs_total",
			Help: "Integration runs finished, by source and status (succeeded, failed).",
		}, []string{"source", "status"}),
		syncRecords: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "codex_sync_records_total",
			Help: "Records handled by integration runs, by source and outcome (created, updated, unchanged, archived, conflicts, failed).",
		}, []string{"source", "outcome"}),
		syncDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "codex_sync_run_duration_seconds",
			Help:    "Duration of integration runs, by source.",
			Buckets: []float64{1, 5, 15, 30, 60, 120, 300, 600, 1200, 3600},
		}, []string{"source"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "codex_rate_limited_total",
			Help: "Requests refused by a rate limit, by scope.",
		}, []string{"scope"}),
		operations: &boundedSet{max: MaxOperations, seen: map[string]bool{}},
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.duration, m.statements, m.errors,
		m.syncRuns, m.syncRecords, m.syncDuration, m.rateLimited,
	)
	return m
}

// Registry returns the registry, for tests and for registering further collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus text (or OpenMetrics) format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, EnableOpenMetrics: true})
}

// WatchDB exports db's pool statistics (open, in use, idle, waits, closes) as
// go_sql_* series labelled db_name=name.
func (m *Metrics) WatchDB(name string, db *sql.DB) {
	m.reg.MustRegister(collectors.NewDBStatsCollector(db, name))
}

// WatchHelm exports the Helm shipper's backlog (records queued, not yet sent) and how
// many records it sent and dropped; stats is called at each scrape.
func (m *Metrics) WatchHelm(stats func() (queued, sent, dropped int64)) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "codex_helm_queued_records",
			Help: "Log records queued for Helm and not yet sent (the shipping backlog).",
		}, func() float64 { q, _, _ := stats(); return float64(q) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "codex_helm_sent_records_total",
			Help: "Log records Helm accepted.",
		}, func() float64 { _, s, _ := stats(); return float64(s) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "codex_helm_dropped_records_total",
			Help: "Log records lost: the queue was full or their batch failed.",
		}, func() float64 { _, _, d := stats(); return float64(d) }),
	)
}

// RateLimitRefused counts one request refused by the rate limit of scope (for example
// "ip" or "principal"). Safe on a nil *Metrics.
func (m *Metrics) RateLimitRefused(scope string) {
	if m != nil {
		m.rateLimited.WithLabelValues(scope).Inc()
	}
}

// SyncRunFinished counts a finished integration run, its records by outcome and its
// duration. Safe on a nil *Metrics.
func (m *Metrics) SyncRunFinished(run *codex.SyncRun) {
	if m == nil || run == nil {
		return
	}
	status := run.Status
	if status != codex.SyncSucceeded {
		status = codex.SyncFailed
	}
	m.syncRuns.WithLabelValues(run.Source, status).Inc()
	for outcome, n := range map[string]int{"created": run.Created, "updated": run.Updated, "unchanged": run.Unchanged,
		"archived": run.Archived, "conflicts": run.Conflicts, "failed": run.Failed} {
		m.syncRecords.WithLabelValues(run.Source, outcome).Add(float64(n))
	}
	if run.FinishedAt != nil {
		m.syncDuration.WithLabelValues(run.Source).Observe(run.FinishedAt.Sub(run.StartedAt).Seconds())
	}
}

// Middleware measures each request once it is answered. It must run inside chi's router
// (r.Use), so that the route pattern is known after the request; it reads the
// reqinfo.Info an outer middleware installed (the operation name, error codes,
// statement count), and installs one itself when there is none.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := reqinfo.From(r.Context())
		if info == nil {
			var ctx context.Context
			ctx, info = reqinfo.New(r.Context())
			r = r.WithContext(ctx)
		}
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		status := ww.Status()
		if status == 0 {
			status = http.StatusOK
		}
		route := RoutePattern(r)
		op := m.operations.label(info.Operation())
		m.requests.WithLabelValues(r.Method, route, op, strconv.Itoa(status)).Inc()
		m.duration.WithLabelValues(r.Method, route, op).Observe(time.Since(start).Seconds())
		m.statements.WithLabelValues(route, op).Observe(float64(info.Statements()))
		transport := "rest"
		if route == "/graphql" {
			transport = "graphql"
		}
		for _, code := range info.Errors() {
			m.errors.WithLabelValues(transport, codeLabel(code)).Inc()
		}
	})
}

// RoutePattern is the chi route pattern that matched r ("/api/companies/{id}"), or
// "unmatched"; it is complete once the router has served r.
func RoutePattern(r *http.Request) string {
	if rc := chi.RouteContext(r.Context()); rc != nil {
		if p := rc.RoutePattern(); p != "" && p != "/*" {
			return p
		}
	}
	return "unmatched"
}

// StatementHook is a bun query hook counting each statement into the request's
// reqinfo.Info (see store.DB.AddQueryHook, which also sees prepared statements).
type StatementHook struct{}

// BeforeQuery implements bun.QueryHook.
func (StatementHook) BeforeQuery(ctx context.Context, ev *bun.QueryEvent) context.Context {
	reqinfo.From(ctx).AddStatement()
	return ctx
}

// AfterQuery implements bun.QueryHook.
func (StatementHook) AfterQuery(context.Context, *bun.QueryEvent) {}

var (
	graphName = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]{0,63}$`)
	codeShape = regexp.MustCompile(`^[A-Za-z_]{1,40}$`)
)

// codeLabel keeps an error code as a label when it has a code's shape.
func codeLabel(code string) string {
	if codeShape.MatchString(code) {
		return code
	}
	return "other"
}

// boundedSet admits up to max distinct GraphQL names as label values.
type boundedSet struct {
	mu   sync.Mutex
	max  int
	seen map[string]bool
}

// label returns name as a label value: "" for an anonymous operation (or none), "invalid"
// for a string that is no GraphQL name, "other" once max names have been admitted.
func (s *boundedSet) label(name string) string {
	switch {
	case name == "":
		return ""
	case !graphName.MatchString(name):
		return "invalid"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen[name] {
		return name
	}
	if len(s.seen) >= s.max {
		return "other"
	}
	s.seen[name] = true
	return name
}
