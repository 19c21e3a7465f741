package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hivematrix/codex/auth"
	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/config"
	"github.com/hivematrix/codex/policy"
	"github.com/hivematrix/codex/seed"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// testConfig returns the default configuration with its files in a temporary directory.
func testConfig(t testing.TB) *config.Config {
	t.Helper()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.Database.ConnectionString = filepath.Join(dir, "instance", "codex.db")
	cfg.Auth.DevKeyFile = filepath.Join(dir, "instance", "dev-signing-key.pem")
	return cfg
}

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// testServer builds the server over db, filled with the demo data.
func testServer(t *testing.T, db *store.DB) *server {
	t.Helper()
	ctx := context.Background()
	if err := seed.Demo(ctx, policy.New(db.Services())); err != nil {
		t.Fatalf("seed.Demo: %v", err)
	}
	s, err := buildServer(ctx, testConfig(t), discardLog(), db)
	if err != nil {
		t.Fatalf("buildServer: %v", err)
	}
	return s
}

// do sends a request through the server's router.
func do(t *testing.T, h http.Handler, method, target, token string, body io.Reader, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, body)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func mint(t *testing.T, s *server, o auth.MintOptions) string {
	t.Helper()
	tok, err := s.verifier.Dev().Mint(o)
	if err != nil {
		t.Fatalf("Mint: %v", err)
	}
	return tok
}

func decodeHealth(t *testing.T, w *httptest.ResponseRecorder) health {
	t.Helper()
	var h health
	if err := json.Unmarshal(w.Body.Bytes(), &h); err != nil {
		t.Fatalf("GET /health body %q: %v", w.Body, err)
	}
	return h
}

func TestHealth(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		s, err := buildServer(context.Background(), testConfig(t), discardLog(), db)
		if err != nil {
			t.Fatal(err)
		}

		w := do(t, s.handler, "GET", "/health", "", nil)
		h := decodeHealth(t, w)
		if w.Code != http.StatusOK || h.Service != "codex" || h.Status != "healthy" || h.Checks["database"] != "ok" {
			t.Errorf("GET /health = %d %+v; want 200, codex, healthy, database ok", w.Code, h)
		}
		// The platform's alias, without a token.
		wa := do(t, s.handler, "GET", "/api/health", "", nil)
		if ha := decodeHealth(t, wa); wa.Code != http.StatusOK || ha.Service != "codex" || ha.Status != "healthy" {
			t.Errorf("GET /api/health = %d %+v; want 200, codex, healthy", wa.Code, ha)
		}
		if _, err := time.Parse(time.RFC3339, h.Timestamp); err != nil {
			t.Errorf("timestamp %q is not RFC 3339: %v", h.Timestamp, err)
		}
		if ct := w.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q; want application/json", ct)
		}

		db.Close()
		w = do(t, s.handler, "GET", "/health", "", nil)
		h = decodeHealth(t, w)
		if w.Code != http.StatusServiceUnavailable || h.Status != "unhealthy" || !strings.HasPrefix(h.Checks["database"], "error: ") {
			t.Errorf("GET /health with the database closed = %d %+v; want 503, unhealthy, database error: ...", w.Code, h)
		}
	})
}

// TestHealthHidesPassword checks that a failing PostgreSQL check does not show the
// password, even when the driver's error repeats the connection string.
func TestHealthHidesPassword(t *testing.T) {
	dsn := "postgres://codex:hunter2@127.0.0.1:1/codex"
	failing := pingFunc(func(context.Context) error {
		return errors.New("connect " + dsn + ": connection refused")
	})
	w := httptest.NewRecorder()
	healthHandler(failing, dsn, time.Now, nil).ServeHTTP(w, httptest.NewRequest("GET", "/health", nil))
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "connection refused") {
		t.Errorf("GET /health = %d %s; want 503 naming the error", w.Code, w.Body)
	}
	if strings.Contains(w.Body.String(), "hunter2") {
		t.Errorf("GET /health shows the password: %s", w.Body)
	}
}

type pingFunc func(context.Context) error

func (f pingFunc) Ping(ctx context.Context) error { return f(ctx) }

func TestRoutes(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		s := testServer(t, db)
		admin := mint(t, s, auth.MintOptions{Email: seed.DemoAdmin, Level: codex.LevelAdmin})

		tests := []struct {
			name, method, target, token string
			body                        string
			header                      []string
			status                      int
			contentType, contains       string
		}{
			{"companies", "GET", "/api/companies", admin, "", nil, 200, "application/json", "Bright Smile Dental Group"},
			{"companies without a token", "GET", "/api/companies", "", "", nil, 401, "application/problem+json", "missing bearer token"},
			{"companies with a bad token", "GET", "/api/companies", "not.a.token", "", nil, 401, "application/problem+json", ""},
			{"graphql", "POST", "/graphql", admin, `{"query":"{ companies(first: 2) { totalCount } }"}`,
				[]string{"Content-Type", "application/json"}, 200, "application/json", `"totalCount":`},
			{"graphql without a token", "POST", "/graphql", "", `{"query":"{ companies(first: 2) { totalCount } }"}`,
				[]string{"Content-Type", "application/json"}, 401, "application/problem+json", ""},
			{"graphql explorer", "GET", "/graphql", "", "", []string{"Accept", "text/html"}, 200, "text/html", "<html"},
			{"jwks", "GET", "/.well-known/jwks.json", "", "", nil, 200, "application/json", `"keys"`},
			{"public theme", "GET", "/api/public/user/theme?email=" + seed.DemoAdmin, "", "", nil, 200, "application/json", `"theme":"dark"`},
			{"unknown path", "GET", "/nowhere", "", "", nil, 404, "application/problem+json", "no such path"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				var body io.Reader
				if tc.body != "" {
					body = strings.NewReader(tc.body)
				}
				w := do(t, s.handler, tc.method, tc.target, tc.token, body, tc.header...)
				if w.Code != tc.status {
					t.Fatalf("%s %s = %d; want %d\n%s", tc.method, tc.target, w.Code, tc.status, w.Body)
				}
				if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, tc.contentType) {
					t.Errorf("Content-Type = %q; want %s", ct, tc.contentType)
				}
				if !strings.Contains(w.Body.String(), tc.contains) {
					t.Errorf("body lacks %q:\n%.500s", tc.contains, w.Body)
				}
				if w.Header().Get("X-Request-ID") == "" {
					t.Error("no X-Request-ID on the response")
				}
				if tc.status == 401 && !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("WWW-Authenticate = %q; want a Bearer challenge", w.Header().Get("WWW-Authenticate"))
				}
			})
		}

		// The caller's request id is kept.
		w := do(t, s.handler, "GET", "/health", "", nil, "X-Request-ID", "trace-42")
		if got := w.Header().Get("X-Request-ID"); got != "trace-42" {
			t.Errorf("X-Request-ID = %q; want the caller's trace-42", got)
		}
		// The platform's correlation id is echoed, and stands in for a missing request id;
		// without one, the request id is the correlation id.
		w = do(t, s.handler, "GET", "/health", "", nil, "X-Correlation-ID", "corr-7")
		if c, id := w.Header().Get("X-Correlation-ID"), w.Header().Get("X-Request-ID"); c != "corr-7" || id != "corr-7" {
			t.Errorf("X-Correlation-ID, X-Request-ID = %q, %q; want corr-7 twice", c, id)
		}
		w = do(t, s.handler, "GET", "/health", "", nil, "X-Correlation-ID", "corr-8", "X-Request-ID", "req-8")
		if c, id := w.Header().Get("X-Correlation-ID"), w.Header().Get("X-Request-ID"); c != "corr-8" || id != "req-8" {
			t.Errorf("X-Correlation-ID, X-Request-ID = %q, %q; want corr-8, req-8", c, id)
		}
		w = do(t, s.handler, "GET", "/health", "", nil)
		if c, id := w.Header().Get("X-Correlation-ID"), w.Header().Get("X-Request-ID"); c == "" || c != id {
			t.Errorf("X-Correlation-ID, X-Request-ID = %q, %q; want a new id twice", c, id)
		}
	})
}

// TestNoDevIssuerWithRealIssuer checks that a configured issuer turns the development
// issuer off: no JWKS route, and its tokens are refused.
func TestNoDevIssuerWithRealIssuer(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	devCfg := testConfig(t)
	dev, err := auth.LoadOrCreateDevIssuer(devCfg.Auth.DevKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	token, err := dev.Mint(auth.MintOptions{Email: seed.DemoAdmin, Level: codex.LevelAdmin})
	if err != nil {
		t.Fatal(err)
	}
	keys := httptest.NewServer(dev.JWKSHandler()) // a "real" issuer with other tokens
	defer keys.Close()
	cfg := testConfig(t)
	cfg.Auth.Issuer, cfg.Auth.JWKSURL = "hivematrix-core", keys.URL
	s, err := buildServer(context.Background(), cfg, discardLog(), db)
	if err != nil {
		t.Fatal(err)
	}
	if w := do(t, s.handler, "GET", "/.well-known/jwks.json", "", nil); w.Code != http.StatusNotFound {
		t.Errorf("GET /.well-known/jwks.json = %d; want 404 with a real issuer", w.Code)
	}
	if w := do(t, s.handler, "GET", "/api/companies", token, nil); w.Code != http.StatusUnauthorized {
		t.Errorf("GET /api/companies with a dev token = %d; want 401 with a real issuer", w.Code)
	}
}

// TestServeLoadsDemo calls what serve calls on a new embedded database: the demo data is
// loaded once, said so in the log, and not again on the next start.
func TestServeLoadsDemo(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t)
	cfg.Database.ConnectionString = filepath.Join(t.TempDir(), "new", "instance", "codex.db")

	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	s, err := newServer(ctx, cfg, log)
	if err != nil {
		t.Fatalf("newServer: %v", err)
	}
	if !strings.Contains(logs.String(), `"msg":"loaded demo data"`) {
		t.Errorf("log of the first start lacks \"loaded demo data\":\n%s", logs.String())
	}
	for path, mode := range map[string]os.FileMode{filepath.Dir(cfg.Database.ConnectionString): 0o700, cfg.Database.ConnectionString: 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Errorf("Stat(%s): %v", path, err)
			continue
		}
		if fi.Mode().Perm() != mode {
			t.Errorf("mode of %s = %v; want %v", path, fi.Mode().Perm(), mode)
		}
	}
	admin := mint(t, s, auth.MintOptions{Email: seed.DemoAdmin, Level: codex.LevelAdmin})
	var before []json.RawMessage
	w := do(t, s.handler, "GET", "/api/companies", admin, nil)
	if err := json.Unmarshal(w.Body.Bytes(), &before); err != nil || len(before) < 12 {
		t.Fatalf("GET /api/companies after the first start = %d companies (%v); want the demo's", len(before), err)
	}
	s.db.Close()

	logs.Reset()
	s, err = newServer(ctx, cfg, log)
	if err != nil {
		t.Fatalf("newServer (second start): %v", err)
	}
	defer s.db.Close()
	if strings.Contains(logs.String(), "loaded demo data") {
		t.Error("the second start loaded the demo data again")
	}
	var after []json.RawMessage
	w = do(t, s.handler, "GET", "/api/companies", admin, nil)
	if err := json.Unmarshal(w.Body.Bytes(), &after); err != nil || len(after) != len(before) {
		t.Errorf("companies after the second start = %d (%v); want %d", len(after), err, len(before))
	}
}

func TestServeWithoutDemoData(t *testing.T) {
	cfg := testConfig(t)
	cfg.Database.DemoData = false
	db, err := openDatabase(context.Background(), cfg, discardLog(), true)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if empty, err := seed.IsEmpty(context.Background(), db.Bun()); err != nil || !empty {
		t.Errorf("IsEmpty with demo_data = false: %v, %v; want an empty database", empty, err)
	}
}

// TestServeShutsDownGracefully runs serve on a real port and stops it as SIGTERM would.
func TestServeShutsDownGracefully(t *testing.T) {
	cfg := testConfig(t)
	cfg.Database.DemoData = false
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Server.Listen = ln.Addr().String()
	ln.Close()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, discardLog()) }()

	url := "http://" + cfg.Server.Listen + "/health"
	var resp *http.Response
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err = http.Get(url); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /health = %d; want 200", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after shutdown = %v; want nil", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not return after its context ended")
	}
}

// cliEnv returns a getenv for the command line with every file in a temporary directory.
func cliEnv(t *testing.T, vars ...string) func(string) string {
	t.Helper()
	dir := t.TempDir()
	conf := filepath.Join(dir, "codex.conf")
	if err := os.WriteFile(conf, []byte("; empty\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"CODEX_CONFIG":            conf,
		"CODEX_DATABASE_URL":      filepath.Join(dir, "instance", "codex.db"),
		"CODEX_AUTH_DEV_KEY_FILE": filepath.Join(dir, "instance", "dev-signing-key.pem"),
		"CODEX_LOG_LEVEL":         "warn",
	}
	for i := 0; i+1 < len(vars); i += 2 {
		env[vars[i]] = vars[i+1]
	}
	return func(k string) string { return env[k] }
}

// runCLI runs the command line and returns its exit status and output.
func runCLI(t *testing.T, env func(string) string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, env, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestCommandLine(t *testing.T) {
	env := cliEnv(t)
	tests := []struct {
		args   []string
		code   int
		output string // in stdout, or stderr when the command fails
	}{
		{[]string{"version"}, exitOK, "codex "},
		{[]string{"help"}, exitOK, "seed (--demo | --scale N)"},
		{[]string{"--help"}, exitOK, "Commands:"},
		{[]string{"help", "token"}, exitOK, "-email"},
		{[]string{"bogus"}, exitUsage, `unknown command "bogus"`},
		{[]string{"version", "extra"}, exitUsage, `unexpected argument "extra"`},
		{[]string{"seed"}, exitUsage, "exactly one of --demo and --scale"},
		{[]string{"seed", "--demo", "--scale", "10"}, exitUsage, "exactly one of"},
		{[]string{"seed", "--scale", "3"}, exitUsage, "at least 5"},
		{[]string{"seed", "--nope"}, exitUsage, "flag provided but not defined"},
		{[]string{"migrate", "sideways"}, exitUsage, "unexpected argument"},
		{[]string{"token", "--email", "ada@example.com"}, exitUsage, "--level"},
		{[]string{"token", "--email", "ada@example.com", "--level", "owner"}, exitUsage, "--level"},
		{[]string{"token", "--email", "c@example.com", "--level", "client"}, exitUsage, "--company: required for a client"},
		{[]string{"migrate"}, exitOK, "migration(s) applied"},
		{[]string{"migrate", "status"}, exitOK, "applied"},
		{[]string{"seed", "--scale", "10"}, exitOK, "seeded 10 companies, 100 contacts, 500 assets"},
		{[]string{"seed", "--demo"}, exitFailure, "already holds companies"},
		{[]string{"seed", "--demo", "--reset"}, exitOK, "loaded demo data"},
		{[]string{"token", "--email", "c@example.com", "--level", "client", "--company", "ACC-1001"}, exitOK, "eyJ"},
		{[]string{"token", "--email", "c@example.com", "--level", "client", "--company", "NOPE"}, exitUsage, "no company has that account number"},
		{[]string{"token", "--service", "ledger", "--ttl", "2m"}, exitOK, "eyJ"},
		{[]string{"config"}, exitOK, "listen = 127.0.0.1:5010"},
	}
	for _, tc := range tests {
		code, stdout, stderr := runCLI(t, env, tc.args...)
		out := stdout
		if code != exitOK {
			out = stderr
		}
		if code != tc.code || !strings.Contains(out, tc.output) {
			t.Errorf("codex %s = %d, %q; want %d and output containing %q\nstderr: %s",
				strings.Join(tc.args, " "), code, out, tc.code, tc.output, stderr)
		}
	}
}

func TestTokenIsAccepted(t *testing.T) {
	env := cliEnv(t)
	if code, _, stderr := runCLI(t, env, "migrate"); code != exitOK {
		t.Fatalf("codex migrate = %d: %s", code, stderr)
	}
	code, stdout, stderr := runCLI(t, env, "token", "--email", seed.DemoAdmin, "--level", "admin")
	if code != exitOK {
		t.Fatalf("codex token = %d: %s", code, stderr)
	}
	token := strings.TrimSpace(stdout)
	if strings.Count(token, ".") != 2 {
		t.Fatalf("codex token printed %q; want a JWT", token)
	}
	cfg, err := config.Load(env)
	if err != nil {
		t.Fatal(err)
	}
	v, err := auth.New(context.Background(), authConfig(cfg.Auth), nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := v.Verify(context.Background(), token)
	if err != nil || p.Email != seed.DemoAdmin || p.Level != codex.LevelAdmin {
		t.Errorf("Verify(codex token) = %v, %v; want %s as admin", p, err, seed.DemoAdmin)
	}
}

func TestTokenRefusedWithRealIssuer(t *testing.T) {
	env := cliEnv(t, "CODEX_AUTH_ISSUER_URL", "https://sso.example.com/realms/msp")
	code, _, stderr := runCLI(t, env, "token", "--email", seed.DemoAdmin, "--level", "admin")
	if code != exitFailure || !strings.Contains(stderr, "real token issuer is configured") {
		t.Errorf("codex token with a real issuer = %d, %q; want 1 and an explanation", code, stderr)
	}
}

func TestBadConfigFails(t *testing.T) {
	env := cliEnv(t, "CODEX_LISTEN", "nonsense", "CODEX_DATABASE_URL", "postgres://u:hunter2@h/db")
	code, _, stderr := runCLI(t, env, "config")
	if code != exitFailure || !strings.Contains(stderr, "CODEX_LISTEN") {
		t.Errorf("codex config with a bad CODEX_LISTEN = %d, %q; want 1 naming the variable", code, stderr)
	}
	env = cliEnv(t, "CODEX_DATABASE_URL", "postgres://u:hunter2@h/db", "CODEX_FRESHSERVICE_API_KEY", "fs-key", "CODEX_FRESHSERVICE_DOMAIN", "acme")
	code, stdout, _ := runCLI(t, env, "config")
	if code != exitOK || strings.Contains(stdout, "hunter2") || strings.Contains(stdout, "fs-key") {
		t.Errorf("codex config = %d and shows a secret:\n%s", code, stdout)
	}
}

func TestSQLiteDir(t *testing.T) {
	tests := []struct{ dsn, want string }{
		{"instance/codex.db", "instance"},
		{"codex.db", ""},
		{"file:data/x.db?mode=rwc", "data"},
		{":memory:", ""},
		{"file::memory:?cache=shared", ""},
		{"file:x.db?mode=memory", ""},
	}
	for _, tc := range tests {
		if got := sqliteDir(tc.dsn); got != tc.want {
			t.Errorf("sqliteDir(%q) = %q; want %q", tc.dsn, got, tc.want)
		}
	}
}

// TestPprof checks /debug/pprof/: absent unless [server] pprof is on, and then for
// administrators only.
func TestPprof(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	ctx := context.Background()
	if err := seed.Demo(ctx, policy.New(db.Services())); err != nil {
		t.Fatalf("seed.Demo: %v", err)
	}
	for _, on := range []bool{false, true} {
		cfg := testConfig(t)
		cfg.Server.Pprof = on
		s, err := buildServer(ctx, cfg, discardLog(), db)
		if err != nil {
			t.Fatalf("buildServer: %v", err)
		}
		admin := mint(t, s, auth.MintOptions{Email: seed.DemoAdmin, Level: codex.LevelAdmin})
		tech := mint(t, s, auth.MintOptions{Email: "tech@example.com", Level: codex.LevelTechnician})
		tests := []struct {
			target, token string
			status        int
			contains      string
		}{
			{"/debug/pprof/", admin, 200, "goroutine"},
			{"/debug/pprof/heap?debug=1", admin, 200, "heap profile"},
			{"/debug/pprof/cmdline", admin, 200, ""},
			{"/debug/pprof/", tech, 403, "administrators"},
			{"/debug/pprof/heap", tech, 403, "administrators"},
			{"/debug/pprof/", "", 401, ""},
		}
		for _, tc := range tests {
			want := tc.status
			if !on {
				want = 404
			}
			w := do(t, s.handler, "GET", tc.target, tc.token, nil)
			if w.Code != want {
				t.Errorf("pprof=%v: GET %s = %d; want %d\n%.300s", on, tc.target, w.Code, want, w.Body)
				continue
			}
			if on && !strings.Contains(w.Body.String(), tc.contains) {
				t.Errorf("pprof=%v: GET %s lacks %q:\n%.300s", on, tc.target, tc.contains, w.Body)
			}
		}
	}
}
