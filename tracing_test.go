package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/hivematrix/codex/auth"
	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/config"
	"github.com/hivematrix/codex/integrations/datto/fake"
	"github.com/hivematrix/codex/policy"
	"github.com/hivematrix/codex/seed"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// syncServerWith is syncServer (Datto against a fake RMM) with changes to the configuration.
func syncServerWith(t *testing.T, db *store.DB, change func(*config.Config)) (*server, *fake.Server) {
	t.Helper()
	rmm := fake.New()
	t.Cleanup(rmm.Close)
	rmm.Generate(2, 2)
	cfg := testConfig(t)
	cfg.Integrations.DattoAPIURL = rmm.URL()
	cfg.Integrations.DattoAPIKey = fake.APIKey
	cfg.Integrations.DattoAPISecret = fake.APISecret
	change(cfg)
	s, err := buildServer(context.Background(), cfg, discardLog(), db)
	if err != nil {
		t.Fatalf("buildServer: %v", err)
	}
	t.Cleanup(func() { s.sync.Shutdown(context.Background()) })
	return s, rmm
}

// fakeCollector is an OTLP/HTTP collector: it decodes the protobuf export requests
// posted to /v1/traces and keeps their spans.
type fakeCollector struct {
	mu    sync.Mutex
	spans []*tracepb.Span
}

func newFakeCollector(t *testing.T) (*fakeCollector, *httptest.Server) {
	t.Helper()
	c := &fakeCollector{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
			http.Error(w, "want a protobuf POST to /v1/traces", http.StatusBadRequest)
			return
		}
		body, _ := io.ReadAll(r.Body)
		var req coltrace.ExportTraceServiceRequest
		if err := proto.Unmarshal(body, &req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		c.mu.Lock()
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				c.spans = append(c.spans, ss.Spans...)
			}
		}
		c.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		out, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
		_, _ = w.Write(out)
	}))
	t.Cleanup(srv.Close)
	return c, srv
}

func (c *fakeCollector) find(pred func(*tracepb.Span) bool) *tracepb.Span {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.spans {
		if pred(s) {
			return s
		}
	}
	return nil
}

func (c *fakeCollector) names() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, s := range c.spans {
		out = append(out, s.Name)
	}
	return out
}

// TestTracesReachCollector turns [otel] on against a fake collector and checks the
// spans: the server span named after the route and continuing the caller's trace, SQL
// statements under it, slow GraphQL resolvers (a threshold of 1ns makes every one slow),
// and the outgoing calls to the RMM.
func TestTracesReachCollector(t *testing.T) {
	col, srv := newFakeCollector(t)
	db := storetest.Open(t, "sqlite")
	if err := seed.Demo(context.Background(), policy.New(db.Services())); err != nil {
		t.Fatal(err)
	}
	s, _ := syncServerWith(t, db, func(cfg *config.Config) {
		cfg.Otel.Endpoint = srv.URL
		cfg.Otel.FieldThreshold = time.Nanosecond
	})
	admin := mint(t, s, auth.MintOptions{Email: seed.DemoAdmin, Level: codex.LevelAdmin})
	const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	w := do(t, s.handler, "POST", "/graphql", admin, strings.NewReader(listCompanies),
		"Content-Type", "application/json", "traceparent", parent)
	if w.Code != http.StatusOK {
		t.Fatalf("POST /graphql = %d %s", w.Code, w.Body)
	}
	ctx := codex.WithPrincipal(context.Background(), codex.SystemPrincipal("test"))
	if _, err := s.sync.Run(ctx, "datto", "test"); err != nil {
		t.Fatalf("sync: %v", err)
	}
	if err := s.tel.shutdown(context.Background()); err != nil {
		t.Fatalf("flushing spans: %v", err)
	}

	server := col.find(func(s *tracepb.Span) bool { return s.Name == "POST /graphql" })
	if server == nil {
		t.Fatalf("no server span named POST /graphql among %q", col.names())
	}
	if got := server.TraceId; len(got) != 16 || got[0] != 0x4b || server.Kind != tracepb.Span_SPAN_KIND_SERVER {
		t.Errorf("server span trace %x kind %v; want the caller's trace 4bf92f35…, kind server", got, server.Kind)
	}
	checks := []struct {
		what string
		pred func(*tracepb.Span) bool
	}{
		{"an SQL statement in the request's trace", func(s *tracepb.Span) bool {
			return string(s.TraceId) == string(server.TraceId) && hasAttr(s, "db.statement")
		}},
		{"a GraphQL resolver span", func(s *tracepb.Span) bool { return s.Name == "graphql.resolve Query.companies" }},
		{"a client span to the RMM", func(s *tracepb.Span) bool { return s.Kind == tracepb.Span_SPAN_KIND_CLIENT }},
	}
	for _, c := range checks {
		if col.find(c.pred) == nil {
			t.Errorf("no span for %s among %q", c.what, col.names())
		}
	}
}

func hasAttr(s *tracepb.Span, key string) bool {
	for _, a := range s.Attributes {
		if a.Key == key {
			return true
		}
	}
	return false
}

// TestTracingOffByDefault checks that no exporter is built without [otel] endpoint.
func TestTracingOffByDefault(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	s, err := buildServer(context.Background(), testConfig(t), discardLog(), db)
	if err != nil {
		t.Fatal(err)
	}
	if s.tel.tracing || s.tel.graphTracer() != nil {
		t.Error("tracing is on without [otel] endpoint")
	}
}
