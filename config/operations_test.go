package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestListenDependsOnIssuer(t *testing.T) {
	t.Chdir(t.TempDir())
	tests := []struct {
		name string
		vars map[string]string
		want string
	}{
		{"development issuer", nil, "127.0.0.1:5010"},
		{"real issuer", map[string]string{"CODEX_AUTH_ISSUER_URL": "https://sso.example.com/realms/msp"}, ":5010"},
		{"told to", map[string]string{"CODEX_LISTEN": ":5010"}, ":5010"},
	}
	for _, tc := range tests {
		if got := mustLoad(t, tc.vars).Server.Listen; got != tc.want {
			t.Errorf("%s: listen = %q; want %q", tc.name, got, tc.want)
		}
	}
}

func TestInstanceDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "codex.conf"), []byte("[log]\nlevel = debug\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := mustLoad(t, map[string]string{"CODEX_INSTANCE": dir})
	checks := []struct{ name, got, want string }{
		{"source", c.Source, filepath.Join(dir, "codex.conf")},
		{"database", c.Database.ConnectionString, filepath.Join(dir, "codex.db")},
		{"dev key", c.Auth.DevKeyFile, filepath.Join(dir, "dev-signing-key.pem")},
		{"instance", c.Instance, dir},
		{"log level (from the instance's file)", c.Log.Level.String(), "DEBUG"},
	}
	for _, tc := range checks {
		if tc.got != tc.want {
			t.Errorf("%s = %q; want %q", tc.name, tc.got, tc.want)
		}
	}
}

func TestOperationsKeys(t *testing.T) {
	c := mustLoad(t, map[string]string{
		"CODEX_CONFIG":               writeConf(t, "[metrics]\nlisten = 127.0.0.1:9090\n[otel]\nendpoint = http://collector:4318\n"),
		"CODEX_CORS_ORIGINS":         "https://ui.example.com, http://localhost:3000/",
		"CODEX_COMPRESSION":          "false",
		"CODEX_OTEL_FIELD_THRESHOLD": "10ms",
		"CODEX_OTEL_SAMPLE_RATIO":    "0.25",
	})
	if want := []string{"https://ui.example.com", "http://localhost:3000"}; !slices.Equal(c.Server.CORSOrigins, want) {
		t.Errorf("cors origins = %q; want %q", c.Server.CORSOrigins, want)
	}
	if c.Server.Compression || c.Metrics.Listen != "127.0.0.1:9090" || c.Otel.Endpoint != "http://collector:4318" ||
		c.Otel.FieldThreshold.Milliseconds() != 10 || c.Otel.SampleRatio != 0.25 {
		t.Errorf("operations keys = %+v %+v %+v; want compression off, the listen, endpoint, 10ms and 0.25", c.Server, c.Metrics, c.Otel)
	}
	for _, bad := range []map[string]string{
		{"CODEX_CORS_ORIGINS": "*"},
		{"CODEX_CORS_ORIGINS": "ui.example.com"},
		{"CODEX_OTEL_SAMPLE_RATIO": "2"},
		{"CODEX_METRICS_LISTEN": "9090"},
	} {
		if _, err := Load(env(bad)); err == nil {
			t.Errorf("Load(%v) succeeded; want an error", bad)
		}
	}
}

func TestUnknownEnv(t *testing.T) {
	got := UnknownEnv([]string{"CODEX_LISTEN=:1", "CODEX_LISTEM=:2", "CODEX_INSTANCE=x", "HOME=/root",
		"CODEX_DATABASE_URL=x", "CODEX_DB_URL=y", "CODEX_TEST_POSTGRES_URL=z", "CODEX_AUTH_ROLES=a=admin"})
	if want := []string{"CODEX_DB_URL", "CODEX_LISTEM"}; !slices.Equal(got, want) {
		t.Errorf("UnknownEnv = %q; want %q", got, want)
	}
	if s := Default().String(); !strings.Contains(s, "[otel]") || !strings.Contains(s, "[metrics]") {
		t.Errorf("String() lacks [otel] or [metrics]:\n%s", s)
	}
}
