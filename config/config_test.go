package config

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
)

// env returns a getenv over vars.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// writeConf writes an INI file into a temporary directory and returns its path.
func writeConf(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "codex.conf")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func mustLoad(t *testing.T, vars map[string]string) *Config {
	t.Helper()
	c, err := Load(env(vars))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

func TestDefaults(t *testing.T) {
	t.Chdir(t.TempDir()) // no instance/codex.conf here
	c := mustLoad(t, nil)
	if c.Source != "" {
		t.Errorf("Source = %q; want none", c.Source)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"listen", c.Server.Listen, "127.0.0.1:5010"}, // the development issuer: loopback only
		{"compression", c.Server.Compression, true},
		{"metrics listen", c.Metrics.Listen, ""},
		{"otel endpoint", c.Otel.Endpoint, ""},
		{"instance", c.Instance, "instance"},
		{"connection_string", c.Database.ConnectionString, "instance/codex.db"},
		{"demo_data", c.Database.DemoData, true},
		{"embedded", c.Database.Embedded(), true},
		{"interval", c.Scheduler.Interval, 4 * time.Hour},
		{"scheduler enabled", c.Scheduler.Enabled, true},
		{"dev issuer", c.Auth.DevIssuer(), true},
		{"dev_key_file", c.Auth.DevKeyFile, "instance/dev-signing-key.pem"},
		{"freshservice enabled", c.Integrations.FreshserviceEnabled(), false},
		{"log format", c.Log.Format, "auto"},
		{"roles", c.Auth.Roles == nil, true},
		{"gc_percent", c.Server.GCPercent, 400},
		{"memory_limit_mb", c.Server.MemoryLimitMB, 112},
		{"cache enabled", c.Cache.Enabled, true},
		{"cache size_mb", c.Cache.SizeMB, 32},
	}
	for _, tc := range checks {
		if tc.got != tc.want {
			t.Errorf("default %s = %v; want %v", tc.name, tc.got, tc.want)
		}
	}
	if out := c.String(); !strings.Contains(out, "gc_percent = 400\nmemory_limit_mb = 112\n") {
		t.Errorf("String() lacks the default gc_percent and memory_limit_mb:\n%s", out)
	}
}

func TestFileThenEnvironment(t *testing.T) {
	path := writeConf(t, `
; Codex test configuration
[server]
listen = 127.0.0.1:6000
request_timeout = 30s
gc_percent = 200
memory_limit_mb = 512

[database]
connection_string = postgres://codex:s3cr;t@db.internal:5432/codex?sslmode=disable
demo_data = false

[auth]
issuer = hivematrix-core
jwks_url = http://core:5000/.well-known/jwks.json

[auth.roles]
msp-admins = admin
msp-techs  = technician

[auth.services]
ledger    = read
brainhair = read, redact

[integrations]
freshservice_api_key = fs#key
freshservice_domain = acme
datto_api_key = dk
datto_api_secret = ds
datto_api_url = https://merlot-api.centrastage.net

[scheduler]
interval = 2h   # a comment after a space

[helm]
url = http://helm:5004

[cache]
enabled = false
size_mb = 32
`)
	c := mustLoad(t, map[string]string{
		"CODEX_CONFIG":             path,
		"CODEX_LISTEN":             ":7000",
		"CODEX_SCHEDULER_INTERVAL": "30m",
		"CODEX_AUTH_SERVICES":      "ledger=read,write; archive=none; sentinel=read,redact,cjis",
		"CODEX_DATTO_API_SECRET":   "", // empty: ignored
		"CODEX_MEMORY_LIMIT_MB":    "0",
		"CODEX_CACHE_SIZE_MB":      "128",
	})
	checks := []struct {
		name      string
		got, want any
	}{
		{"Source", c.Source, path},
		{"listen (env over file)", c.Server.Listen, ":7000"},
		{"request_timeout (file)", c.Server.RequestTimeout, 30 * time.Second},
		{"shutdown_timeout (default)", c.Server.ShutdownTimeout, 15 * time.Second},
		{"gc_percent (file)", c.Server.GCPercent, 200},
		{"memory_limit_mb (env 0 over file)", c.Server.MemoryLimitMB, 0},
		{"cache enabled (file)", c.Cache.Enabled, false},
		{"cache size_mb (env over file)", c.Cache.SizeMB, 128},
		{"password with ; kept", c.Database.ConnectionString, "postgres://codex:s3cr;t@db.internal:5432/codex?sslmode=disable"},
		{"api key with # kept", c.Integrations.FreshserviceAPIKey, "fs#key"},
		{"demo_data", c.Database.DemoData, false},
		{"embedded", c.Database.Embedded(), false},
		{"issuer", c.Auth.Issuer, "hivematrix-core"},
		{"dev issuer", c.Auth.DevIssuer(), false},
		{"role msp-techs", c.Auth.Roles["msp-techs"], codex.LevelTechnician},
		{"services replaced by env", len(c.Auth.Services), 3},
		{"sentinel grant", c.Auth.Services["sentinel"], codex.Grant{Read: true, Redact: true, CJIS: true}},
		{"ledger grant", c.Auth.Services["ledger"], codex.Grant{Read: true, Write: true}},
		{"archive grant", c.Auth.Services["archive"], codex.Grant{}},
		{"freshservice url", c.Integrations.FreshserviceURL(), "https://acme.freshservice.com/api/v2"},
		{"datto secret (file; empty env ignored)", c.Integrations.DattoAPISecret, "ds"},
		{"interval (env over file)", c.Scheduler.Interval, 30 * time.Minute},
		{"helm", c.Helm.URL, "http://helm:5004"},
	}
	for _, tc := range checks {
		if tc.got != tc.want {
			t.Errorf("%s = %v; want %v", tc.name, tc.got, tc.want)
		}
	}
}

func TestEnvironmentOnly(t *testing.T) {
	t.Chdir(t.TempDir())
	c := mustLoad(t, map[string]string{
		"CODEX_DATABASE_URL":          "postgres://postgres@127.0.0.1/codex",
		"CODEX_AUTH_ISSUER_URL":       "https://sso.example.com/realms/msp",
		"CODEX_AUTH_AUDIENCE":         "codex",
		"CODEX_AUTH_ROLES":            "codex-admin=admin;codex-billing=billing",
		"CODEX_FRESHSERVICE_API_KEY":  "k",
		"CODEX_FRESHSERVICE_BASE_URL": "http://127.0.0.1:9999/api/v2/",
		"CODEX_HELM_URL":              "https://helm.example.com",
		"CODEX_LOG_FORMAT":            "JSON",
		"CODEX_LOG_LEVEL":             "debug",
		"CODEX_SCHEDULER_ENABLED":     "off",
		"CODEX_GC_PERCENT":            " 10 ",
		"CODEX_MEMORY_LIMIT_MB":       "2048",
	})
	checks := []struct {
		name      string
		got, want any
	}{
		{"postgres", c.Database.Embedded(), false},
		{"issuer_url", c.Auth.IssuerURL, "https://sso.example.com/realms/msp"},
		{"audience", c.Auth.Audience, "codex"},
		{"roles", c.Auth.Roles["codex-billing"], codex.LevelBilling},
		{"freshservice url", c.Integrations.FreshserviceURL(), "http://127.0.0.1:9999/api/v2"},
		{"log format", c.Log.Format, "json"},
		{"log level", c.Log.Level, slog.LevelDebug},
		{"scheduler", c.Scheduler.Enabled, false},
		{"gc_percent (the minimum)", c.Server.GCPercent, 10},
		{"memory_limit_mb", c.Server.MemoryLimitMB, 2048},
	}
	for _, tc := range checks {
		if tc.got != tc.want {
			t.Errorf("%s = %v; want %v", tc.name, tc.got, tc.want)
		}
	}
}

func TestDefaultPathIsRead(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.Mkdir("instance", 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(DefaultPath, []byte("[server]\nlisten = :5999\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := mustLoad(t, nil)
	if c.Server.Listen != ":5999" || c.Source != DefaultPath {
		t.Errorf("Listen, Source = %q, %q; want :5999, %q", c.Server.Listen, c.Source, DefaultPath)
	}
}

func TestSecretsAreMasked(t *testing.T) {
	path := writeConf(t, `
[database]
connection_string = postgres://codex:hunter2@db:5432/codex?sslmode=disable
[integrations]
freshservice_api_key = fs-secret-key
freshservice_domain = acme
datto_api_key = datto-secret-key
datto_api_secret = datto-secret-secret
datto_api_url = https://merlot-api.centrastage.net
`)
	c := mustLoad(t, map[string]string{"CODEX_CONFIG": path})

	var logged strings.Builder
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("config", "config", c)
	for name, out := range map[string]string{"String()": c.String(), "LogValue": logged.String()} {
		for _, secret := range []string{"hunter2", "fs-secret-key", "datto-secret-key", "datto-secret-secret"} {
			if strings.Contains(out, secret) {
				t.Errorf("%s shows secret %q:\n%s", name, secret, out)
			}
		}
		for _, visible := range []string{"codex:********@db:5432", "acme", "merlot-api.centrastage.net"} {
			if !strings.Contains(out, visible) {
				t.Errorf("%s lacks %q:\n%s", name, visible, out)
			}
		}
	}
}

func TestRedactDSN(t *testing.T) {
	tests := []struct{ in, want string }{
		{"instance/codex.db", "instance/codex.db"},
		{"postgres://postgres@127.0.0.1/codex", "postgres://postgres@127.0.0.1/codex"},
		{"postgres://u:p@h/db?sslmode=disable", "postgres://u:********@h/db?sslmode=disable"},
		{"postgresql://u@h/db?password=p", "postgresql://u@h/db?password=********"},
		{"host=h user=u password=p dbname=d", "host=h user=u password=******** dbname=d"},
		{"postgres://u:p@h/db?sslmode=verify-full&sslpassword=keypass", "postgres://u:********@h/db?sslmode=verify-full&sslpassword=********"},
		{"host=h user=u password=p sslpassword=keypass", "host=h user=u password=******** sslpassword=********"},
	}
	for _, tc := range tests {
		if got := RedactDSN(tc.in); got != tc.want {
			t.Errorf("RedactDSN(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

func TestBadValues(t *testing.T) {
	tests := []struct {
		name string
		file string
		env  map[string]string
		want []string // substrings of the error
	}{
		{"bad listen", "", map[string]string{"CODEX_LISTEN": "5010"}, []string{"CODEX_LISTEN", `"5010" is not a listen address`}},
		{"bad interval", "", map[string]string{"CODEX_SCHEDULER_INTERVAL": "often"}, []string{"CODEX_SCHEDULER_INTERVAL", "not a duration"}},
		{"interval too short", "[scheduler]\ninterval = 5s\n", nil, []string{"[scheduler] interval", "too short"}},
		{"bad bool", "[database]\ndemo_data = maybe\n", nil, []string{"[database] demo_data", "not a boolean"}},
		{"unknown key", "[server]\nlisten = :1\nlistn = :2\n", nil, []string{`[server] unknown key "listn"`}},
		{"unknown section", "[servr]\nlisten = :1\n", nil, []string{"unknown section [servr]"}},
		{"key outside section", "listen = :1\n", nil, []string{`"listen" is outside any section`}},
		{"bad url", "", map[string]string{"CODEX_HELM_URL": "helm:5004"}, []string{"CODEX_HELM_URL", "not an http(s) URL"}},
		{"bad role level", "[auth.roles]\nboss = owner\n", nil, []string{"[auth.roles] boss", `"owner" is not a level`}},
		{"bad grant", "", map[string]string{"CODEX_AUTH_SERVICES": "ledger=read,admin"}, []string{"CODEX_AUTH_SERVICES", `"admin" is not a right`}},
		{"both issuers", "", map[string]string{"CODEX_AUTH_ISSUER_URL": "https://kc/realms/x", "CODEX_AUTH_ISSUER": "core", "CODEX_AUTH_JWKS_URL": "http://core/jwks"}, []string{"not both"}},
		{"issuer without jwks", "", map[string]string{"CODEX_AUTH_ISSUER": "hivematrix-core"}, []string{"issuer and jwks_url", "together"}},
		{"freshservice without domain", "", map[string]string{"CODEX_FRESHSERVICE_API_KEY": "k"}, []string{"freshservice_domain"}},
		{"datto half", "", map[string]string{"CODEX_DATTO_API_KEY": "k"}, []string{"datto_api_key and datto_api_secret", "datto_api_url"}},
		{"log level", "", map[string]string{"CODEX_LOG_LEVEL": "loud"}, []string{"CODEX_LOG_LEVEL", "not a log level"}},
		{"gc_percent not a number", "", map[string]string{"CODEX_GC_PERCENT": "abc"}, []string{"CODEX_GC_PERCENT", `"abc" is not a whole number`}},
		{"gc_percent too small", "", map[string]string{"CODEX_GC_PERCENT": "9"}, []string{"CODEX_GC_PERCENT", "9 is too small (at least 10)"}},
		{"gc_percent off", "[server]\ngc_percent = -1\n", nil, []string{"[server] gc_percent", "-1 is too small (at least 10)"}},
		{"gc_percent fraction", "[server]\ngc_percent = 150.5\n", nil, []string{"[server] gc_percent", "not a whole number"}},
		{"memory_limit_mb not a number", "[server]\nmemory_limit_mb = abc\n", nil, []string{"[server] memory_limit_mb", `"abc" is not a whole number`}},
		{"memory_limit_mb negative", "", map[string]string{"CODEX_MEMORY_LIMIT_MB": "-1"}, []string{"CODEX_MEMORY_LIMIT_MB", "-1 is too small (at least 0)"}},
		{"memory_limit_mb with unit", "", map[string]string{"CODEX_MEMORY_LIMIT_MB": "112MiB"}, []string{"CODEX_MEMORY_LIMIT_MB", "not a whole number"}},
		{"cache size_mb zero", "", map[string]string{"CODEX_CACHE_SIZE_MB": "0"}, []string{"CODEX_CACHE_SIZE_MB", "0 is too small (at least 1)"}},
		{"cache enabled not a bool", "[cache]\nenabled = maybe\n", nil, []string{"[cache] enabled"}},
		{"several at once", "[server]\nlisten = x\n[log]\nformat = xml\n", nil, []string{"[server] listen", "[log] format"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			vars := map[string]string{}
			for k, v := range tc.env {
				vars[k] = v
			}
			if tc.file != "" {
				vars["CODEX_CONFIG"] = writeConf(t, tc.file)
			}
			_, err := Load(env(vars))
			if err == nil {
				t.Fatalf("Load = nil error; want one mentioning %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Load error = %q; want it to mention %q", err, w)
				}
			}
		})
	}
}

func TestMissingExplicitFile(t *testing.T) {
	_, err := Load(env(map[string]string{"CODEX_CONFIG": filepath.Join(t.TempDir(), "nope.conf")}))
	if err == nil || !strings.Contains(err.Error(), "nope.conf") {
		t.Errorf("Load(missing CODEX_CONFIG file) = %v; want an error naming the file", err)
	}
}

func TestBadPostgresURLDoesNotLeakPassword(t *testing.T) {
	_, err := Load(env(map[string]string{"CODEX_DATABASE_URL": "postgres://u:hunter2@h:port/db"}))
	if err == nil {
		t.Fatal("Load(bad URL) = nil error")
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error shows the password: %v", err)
	}
}

// TestExampleFileIsComplete keeps instance/codex.conf.example in step with the bindings:
// it loads, and it mentions every key and environment variable.
func TestExampleFileIsComplete(t *testing.T) {
	path := filepath.Join("..", "instance", "codex.conf.example")
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Load(env(map[string]string{"CODEX_CONFIG": path})); err != nil {
		t.Errorf("the example does not load: %v", err)
	}
	var c Config
	for _, b := range c.bindings() {
		if !strings.Contains(string(text), b.key+" =") {
			t.Errorf("the example lacks [%s] %s", b.section, b.key)
		}
		if !strings.Contains(string(text), b.env) {
			t.Errorf("the example does not mention %s", b.env)
		}
	}
	for _, s := range []string{rolesEnv, servicesEnv, "[" + rolesSection + "]", "[" + servicesSection + "]", "CODEX_CONFIG"} {
		if !strings.Contains(string(text), s) {
			t.Errorf("the example does not mention %s", s)
		}
	}
}
