package metrics

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/reqinfo"
)

func TestOperationNamesAreBounded(t *testing.T) {
	s := &boundedSet{max: 2, seen: map[string]bool{}}
	tests := []struct{ name, want string }{
		{"", ""},
		{"Companies", "Companies"},
		{"Tickets", "Tickets"},
		{"Companies", "Companies"},
		{"Third", "other"},
		{"not a name!", "invalid"},
		{strings.Repeat("a", 65), "invalid"},
	}
	for _, tc := range tests {
		if got := s.label(tc.name); got != tc.want {
			t.Errorf("label(%q) = %q; want %q", tc.name, got, tc.want)
		}
	}
}

// TestMiddlewareUsesRoutePatterns checks that requests are labelled by the chi route
// pattern, never the raw path, with the operation, error codes and statement count the
// handlers recorded.
func TestMiddlewareUsesRoutePatterns(t *testing.T) {
	m := New()
	r := chi.NewRouter()
	r.Use(m.Middleware)
	r.Get("/api/companies/{id}", func(w http.ResponseWriter, r *http.Request) {
		info := reqinfo.From(r.Context())
		info.AddStatement()
		info.AddStatement()
		info.AddError("not_found")
		w.WriteHeader(http.StatusNotFound)
	})
	r.Post("/graphql", func(w http.ResponseWriter, r *http.Request) {
		reqinfo.From(r.Context()).SetOperation("ListCompanies")
		reqinfo.From(r.Context()).AddError("BAD_USER_INPUT")
	})
	for _, target := range []string{"/api/companies/1", "/api/companies/2", "/nowhere"} {
		r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", target, nil))
	}
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/graphql", nil))

	checks := []struct {
		name string
		got  float64
		want float64
	}{
		{"requests by pattern", testutil.ToFloat64(m.requests.WithLabelValues("GET", "/api/companies/{id}", "", "404")), 2},
		{"unmatched", testutil.ToFloat64(m.requests.WithLabelValues("GET", "unmatched", "", "404")), 1},
		{"operation", testutil.ToFloat64(m.requests.WithLabelValues("POST", "/graphql", "ListCompanies", "200")), 1},
		{"rest errors", testutil.ToFloat64(m.errors.WithLabelValues("rest", "not_found")), 2},
		{"graphql errors", testutil.ToFloat64(m.errors.WithLabelValues("graphql", "BAD_USER_INPUT")), 1},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v; want %v", c.name, c.got, c.want)
		}
	}
	out := scrape(t, m)
	if strings.Contains(out, "/api/companies/1") {
		t.Errorf("a raw path is a label value:\n%s", out)
	}
	if !strings.Contains(out, `codex_http_request_statements_sum{operation="",route="/api/companies/{id}"} 4`) {
		t.Errorf("statements per request not counted:\n%s", grep(out, "statements"))
	}
}

func TestSyncHelmAndRateLimitMetrics(t *testing.T) {
	m := New()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	end := start.Add(90 * time.Second)
	m.SyncRunFinished(&codex.SyncRun{Source: "datto", Status: codex.SyncSucceeded, Created: 5, Failed: 1, StartedAt: start, FinishedAt: &end})
	m.SyncRunFinished(&codex.SyncRun{Source: "datto", Status: codex.SyncFailed, StartedAt: start, FinishedAt: &end})
	m.WatchHelm(func() (int64, int64, int64) { return 7, 100, 2 })
	m.RateLimitRefused("ip")
	m.RateLimitRefused("ip")
	var nilMetrics *Metrics
	nilMetrics.RateLimitRefused("ip") // other code may hold none

	out := scrape(t, m)
	for _, want := range []string{
		`codex_sync_runs_total{source="datto",status="succeeded"} 1`,
		`codex_sync_runs_total{source="datto",status="failed"} 1`,
		`codex_sync_records_total{outcome="created",source="datto"} 5`,
		`codex_sync_records_total{outcome="failed",source="datto"} 1`,
		`codex_sync_run_duration_seconds_sum{source="datto"} 180`,
		`codex_helm_queued_records 7`,
		`codex_helm_dropped_records_total 2`,
		`codex_rate_limited_total{scope="ip"} 2`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequestWithContext(context.Background(), "GET", "/metrics", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("GET /metrics = %d", w.Code)
	}
	return w.Body.String()
}

func grep(s, word string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
