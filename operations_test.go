package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/hivematrix/codex/auth"
	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/seed"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

const listCompanies = `{"operationName":"ListCompanies","query":"query ListCompanies { companies(first: 2) { totalCount } }"}`

// TestMetricsEndpoint sends traffic through the real router and reads /metrics: admin
// tokens only, labelled by route pattern and operation name, with errors by code, the
// pool statistics and statements per request.
func TestMetricsEndpoint(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		s := testServer(t, db)
		admin := mint(t, s, auth.MintOptions{Email: seed.DemoAdmin, Level: codex.LevelAdmin})
		tech := mint(t, s, auth.MintOptions{Email: "tech@example.com", Level: codex.LevelTechnician})

		do(t, s.handler, "GET", "/api/companies", tech, nil)
		do(t, s.handler, "GET", "/api/companies/999999", tech, nil)
		do(t, s.handler, "POST", "/graphql", tech, strings.NewReader(listCompanies), "Content-Type", "application/json")
		do(t, s.handler, "POST", "/graphql", tech, strings.NewReader(`{"query":"{ nope }"}`), "Content-Type", "application/json")

		for _, tc := range []struct {
			token  string
			status int
		}{{"", 401}, {tech, 403}} {
			if w := do(t, s.handler, "GET", "/metrics", tc.token, nil); w.Code != tc.status {
				t.Errorf("GET /metrics with token %.10q = %d; want %d", tc.token, w.Code, tc.status)
			}
		}
		w := do(t, s.handler, "GET", "/metrics", admin, nil)
		if w.Code != http.StatusOK {
			t.Fatalf("GET /metrics as admin = %d %s", w.Code, w.Body)
		}
		out := w.Body.String()
		for _, want := range []string{
			`codex_http_requests_total{method="GET",operation="",route="/api/companies",status="200"} 1`,
			`codex_http_requests_total{method="GET",operation="",route="/api/companies/{id}",status="404"} 1`,
			`codex_http_requests_total{method="POST",operation="ListCompanies",route="/graphql",status="200"} 1`,
			`codex_errors_total{code="not_found",transport="rest"} 1`,
			`codex_errors_total{code="GRAPHQL_VALIDATION_FAILED",transport="graphql"} 1`,
			`go_sql_max_open_connections{db_name="codex"}`,
			`codex_http_request_statements_count{operation="ListCompanies",route="/graphql"} 1`,
			`codex_http_request_duration_seconds_bucket{method="GET",operation="",route="/api/companies",le="+Inf"} 1`,
		} {
			if !strings.Contains(out, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		if strings.Contains(out, "/api/companies/999999") {
			t.Error("/metrics holds a raw path")
		}
		if statementSum(out, `operation="ListCompanies",route="/graphql"`) < 1 {
			t.Errorf("no statements counted for ListCompanies:\n%s", grepLines(out, "statements_sum"))
		}
	})
}

func statementSum(out, labels string) float64 {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "codex_http_request_statements_sum{"+labels+"} ") {
			var f float64
			_ = json.Unmarshal([]byte(strings.Fields(l)[1]), &f)
			return f
		}
	}
	return -1
}

func grepLines(s, word string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestMetricsListener checks /metrics on [metrics] listen: no token needed there.
func TestMetricsListener(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	cfg := testConfig(t)
	cfg.Metrics.Listen = "127.0.0.1:0"
	s, err := buildServer(context.Background(), cfg, discardLog(), db)
	if err != nil {
		t.Fatal(err)
	}
	addr, stop, err := s.serveMetrics(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "go_sql_open_connections") {
		t.Errorf("GET %s/metrics = %d %.200s; want 200 with the metrics", addr, resp.StatusCode, body)
	}
}

// TestSyncRunMetrics runs a sync against the fake RMM and finds it in the metrics.
func TestSyncRunMetrics(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	s, _ := syncServer(t, db)
	admin := mint(t, s, auth.MintOptions{Email: seed.DemoAdmin, Level: codex.LevelAdmin})
	ctx := codex.WithPrincipal(context.Background(), codex.SystemPrincipal("test"))
	if _, err := s.sync.Run(ctx, "datto", "test"); err != nil {
		t.Fatalf("sync: %v", err)
	}
	out := do(t, s.handler, "GET", "/metrics", admin, nil).Body.String()
	for _, want := range []string{`codex_sync_runs_total{source="datto",status="succeeded"} 1`, `codex_sync_records_total{outcome="created",source="datto"}`} {
		if !strings.Contains(out, want) {
			t.Errorf("/metrics lacks %s:\n%s", want, grepLines(out, "codex_sync"))
		}
	}
	if strings.Contains(out, `codex_sync_records_total{outcome="created",source="datto"} 0`) {
		t.Error("the run created nothing, by the metrics")
	}
}

type readyBody struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

// TestLiveAndReady checks /health/live and /health/ready: ready needs the database, every
// migration, and a server not shutting down; /health keeps its shape.
func TestLiveAndReady(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		s, err := buildServer(context.Background(), testConfig(t), discardLog(), db)
		if err != nil {
			t.Fatal(err)
		}
		ready := func() (int, readyBody) {
			w := do(t, s.handler, "GET", "/health/ready", "", nil)
			var b readyBody
			if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
				t.Fatalf("GET /health/ready body %q: %v", w.Body, err)
			}
			return w.Code, b
		}
		if w := do(t, s.handler, "GET", "/health/live", "", nil); w.Code != 200 || !strings.Contains(w.Body.String(), `"live"`) {
			t.Errorf("GET /health/live = %d %s; want 200 live", w.Code, w.Body)
		}
		if code, b := ready(); code != 200 || b.Status != "ready" {
			t.Errorf("GET /health/ready = %d %+v; want 200 ready", code, b)
		}

		ctx := context.Background()
		var last string
		if err := db.Bun().NewRaw("SELECT name FROM bun_migrations ORDER BY name DESC LIMIT 1").Scan(ctx, &last); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Bun().NewRaw("DELETE FROM bun_migrations WHERE name = ?", last).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if code, b := ready(); code != 503 || b.Checks["migrations"] != "1 pending" {
			t.Errorf("GET /health/ready with a migration pending = %d %+v; want 503, 1 pending", code, b)
		}
		if _, err := db.Bun().NewRaw("INSERT INTO bun_migrations (name, group_id, migrated_at) VALUES (?, 1, CURRENT_TIMESTAMP)", last).Exec(ctx); err != nil {
			t.Fatal(err)
		}

		s.draining.Store(true)
		if code, b := ready(); code != 503 || b.Checks["shutdown"] != "shutting down" {
			t.Errorf("GET /health/ready while shutting down = %d %+v; want 503", code, b)
		}
		if w := do(t, s.handler, "GET", "/health", "", nil); w.Code != 200 {
			t.Errorf("GET /health while shutting down = %d; want 200 (the platform's check is unchanged)", w.Code)
		}
		s.draining.Store(false)

		db.Close()
		if code, b := ready(); code != 503 || !strings.HasPrefix(b.Checks["database"], "error: ") {
			t.Errorf("GET /health/ready with the database closed = %d %+v; want 503", code, b)
		}
		if w := do(t, s.handler, "GET", "/health/live", "", nil); w.Code != 200 {
			t.Errorf("GET /health/live with the database closed = %d; want 200", w.Code)
		}
	})
}

// TestCORS checks the allow-list: a listed origin's preflight is answered without a
// token and its requests carry the headers; another origin gets none.
func TestCORS(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	cfg := testConfig(t)
	cfg.Server.CORSOrigins = []string{"https://ui.example.com"}
	s, err := buildServer(context.Background(), cfg, discardLog(), db)
	if err != nil {
		t.Fatal(err)
	}
	pre := do(t, s.handler, "OPTIONS", "/graphql", "", nil, "Origin", "https://ui.example.com",
		"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization, content-type")
	if pre.Code >= 300 || pre.Header().Get("Access-Control-Allow-Origin") != "https://ui.example.com" ||
		!strings.Contains(strings.ToLower(pre.Header().Get("Access-Control-Allow-Headers")), "authorization") {
		t.Errorf("preflight from a listed origin = %d %v; want 2xx allowing the origin and Authorization", pre.Code, pre.Header())
	}
	other := do(t, s.handler, "OPTIONS", "/graphql", "", nil, "Origin", "https://evil.example.com", "Access-Control-Request-Method", "POST")
	if got := other.Header().Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("preflight from another origin allowed %q", got)
	}
	admin := mint(t, s, auth.MintOptions{Email: seed.DemoAdmin, Level: codex.LevelAdmin})
	w := do(t, s.handler, "GET", "/api/companies", admin, nil, "Origin", "https://ui.example.com")
	if w.Code != 200 || w.Header().Get("Access-Control-Allow-Origin") != "https://ui.example.com" {
		t.Errorf("GET /api/companies from a listed origin = %d, allow-origin %q", w.Code, w.Header().Get("Access-Control-Allow-Origin"))
	}
}

// TestCompression checks zstd and gzip on JSON and CSV, and none when not asked.
func TestCompression(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	s := testServer(t, db)
	admin := mint(t, s, auth.MintOptions{Email: seed.DemoAdmin, Level: codex.LevelAdmin})
	plain := do(t, s.handler, "GET", "/api/companies", admin, nil).Body.String()
	for _, tc := range []struct{ target, accept, want string }{
		{"/api/companies", "gzip", "gzip"},
		{"/api/companies", "gzip, zstd", "zstd"},
		{"/api/companies?format=csv", "gzip", "gzip"},
		{"/api/companies", "", ""},
	} {
		w := do(t, s.handler, "GET", tc.target, admin, nil, "Accept-Encoding", tc.accept)
		if got := w.Header().Get("Content-Encoding"); got != tc.want || w.Code != 200 {
			t.Errorf("GET %s with Accept-Encoding %q = %d, Content-Encoding %q; want %q", tc.target, tc.accept, w.Code, got, tc.want)
			continue
		}
		body := decompress(t, tc.want, w.Body.Bytes())
		if tc.target == "/api/companies" && body != plain {
			t.Errorf("%s-decoded body differs from the plain one", tc.want)
		}
		if strings.Contains(tc.target, "csv") && !strings.Contains(body, "account_number") {
			t.Errorf("decoded CSV %.100q lacks its header", body)
		}
	}
}

func decompress(t *testing.T, enc string, b []byte) string {
	t.Helper()
	var r io.Reader = bytes.NewReader(b)
	switch enc {
	case "gzip":
		zr, err := gzip.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	case "zstd":
		zr, err := zstd.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		r = zr
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: %v", enc, err)
	}
	return string(out)
}

// TestRequestLogCarriesPrincipalAndOperation reads the request log of a GraphQL request
// with an error: the principal, the operation name and the error's code are there.
func TestRequestLogCarriesPrincipalAndOperation(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	s, err := buildServer(context.Background(), testConfig(t), log, db)
	if err != nil {
		t.Fatal(err)
	}
	tech := mint(t, s, auth.MintOptions{Email: "tech@example.com", Level: codex.LevelTechnician})
	body := `{"operationName":"One","query":"query One { company(id: \"nope\") { name } }"}`
	do(t, s.handler, "POST", "/graphql", tech, strings.NewReader(body), "Content-Type", "application/json")
	var req, gerr map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) != nil {
			continue
		}
		switch m["msg"] {
		case "request":
			req = m
		case "graph: error":
			gerr = m
		}
	}
	if req == nil || req["principal"] != "tech@example.com (technician)" || req["operation"] != "One" || req["errors"] == nil {
		t.Errorf("request log = %v; want principal, operation One and the error codes\n%s", req, buf.String())
	}
	if gerr == nil || gerr["code"] == nil || gerr["operation"] != "One" {
		t.Errorf("GraphQL error log = %v; want its code and operation\n%s", gerr, buf.String())
	}
}

// TestServeWaitsForDatabase starts serve against a PostgreSQL address that answers
// only after a while (a compose stack starting): serve retries with back-off, logs it,
// and comes up once the database does.
func TestServeWaitsForDatabase(t *testing.T) {
	dsn, err := url.Parse(storetest.Fresh(t, "pg")) // skipped (or failed under CI) without PostgreSQL
	if err != nil {
		t.Fatal(err)
	}
	target := dsn.Host
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there yet: connections are refused

	var logs syncBuffer
	cfg := testConfig(t)
	dsn.Host = addr
	cfg.Database.ConnectionString = dsn.String()
	cfg.Database.StartupWait = 30 * time.Second
	done := make(chan error, 1)
	go func() {
		db, err := openDatabase(context.Background(), cfg, slog.New(slog.NewTextHandler(&logs, nil)), true)
		if err == nil {
			db.Close()
		}
		done <- err
	}()
	time.Sleep(1500 * time.Millisecond)
	proxy := startProxy(t, addr, target)
	defer proxy.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("openDatabase: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("openDatabase did not return after the database came up")
	}
	if !strings.Contains(logs.String(), "database not reachable yet; retrying") {
		t.Errorf("no retry was logged:\n%s", logs.String())
	}

	cfg.Database.StartupWait = 0
	dsn.Host = "127.0.0.1:1"
	cfg.Database.ConnectionString = dsn.String()
	start := time.Now()
	if _, err := openDatabase(context.Background(), cfg, discardLog(), true); err == nil || time.Since(start) > 5*time.Second {
		t.Errorf("with startup_wait 0: err %v after %v; want a quick failure", err, time.Since(start))
	}
}

// startProxy forwards TCP connections on addr to target.
func startProxy(t *testing.T, addr, target string) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				u, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer u.Close()
				go io.Copy(u, c) //nolint:errcheck
				io.Copy(c, u)    //nolint:errcheck
			}()
		}
	}()
	return ln
}

// syncBuffer is a bytes.Buffer safe for a logger in another goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
