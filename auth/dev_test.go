package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hivematrix/codex/auth"
	"github.com/hivematrix/codex/codex"
)

// devVerifier builds a development-mode Verifier whose key lives in a temporary directory.
func devVerifier(t *testing.T, cfg auth.Config) *auth.Verifier {
	t.Helper()
	if cfg.DevKeyFile == "" {
		cfg.DevKeyFile = filepath.Join(t.TempDir(), "instance", "dev-signing-key.pem")
	}
	v := newVerifier(t, cfg, nil)
	if v.Dev() == nil {
		t.Fatal("Dev() = nil in development mode")
	}
	return v
}

// mint mints o with d or fails the test.
func mint(t *testing.T, d *auth.DevIssuer, o auth.MintOptions) string {
	t.Helper()
	token, err := d.Mint(o)
	if err != nil {
		t.Fatalf("Mint(%+v) error: %v", o, err)
	}
	return token
}

func TestDevIssuerRoundTrip(t *testing.T) {
	v := devVerifier(t, auth.Config{Services: map[string]codex.Grant{"ledger": {Read: true, Write: true}}})
	tests := []struct {
		name string
		opts auth.MintOptions
		want codex.Principal
	}{
		{"admin", auth.MintOptions{Email: "ada@example.com", Name: "Ada", Level: codex.LevelAdmin},
			codex.Principal{Subject: "ada@example.com", Email: "ada@example.com", Name: "Ada", Level: codex.LevelAdmin}},
		{"technician named by email", auth.MintOptions{Email: "tom@example.com", Level: codex.LevelTechnician},
			codex.Principal{Subject: "tom@example.com", Email: "tom@example.com", Name: "tom@example.com", Level: codex.LevelTechnician}},
		{"client", auth.MintOptions{Email: "cli@example.com", Level: codex.LevelClient, CompanyID: 3},
			codex.Principal{Subject: "cli@example.com", Email: "cli@example.com", Name: "cli@example.com", Level: codex.LevelClient, CompanyID: 3}},
		{"configured service", auth.MintOptions{Service: "ledger"},
			codex.Principal{Subject: "service:ledger", Name: "ledger", Service: "ledger", Grant: codex.Grant{Read: true, Write: true}}},
		{"unlisted service", auth.MintOptions{Service: "helm", TTL: time.Minute},
			codex.Principal{Subject: "service:helm", Name: "helm", Service: "helm", Grant: codex.Grant{Read: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := v.Verify(context.Background(), mint(t, v.Dev(), tt.opts))
			checkPrincipal(t, got, err, tt.want)
		})
	}
}

func TestDevIssuerClaims(t *testing.T) {
	v := devVerifier(t, auth.Config{})
	tests := []struct {
		opts    auth.MintOptions
		wantTTL time.Duration
		want    map[string]any
	}{
		{auth.MintOptions{Email: "cli@example.com", Level: codex.LevelClient, CompanyID: 3}, time.Hour,
			map[string]any{"iss": "codex-dev", "sub": "cli@example.com", "permission_level": "client", "company_id": 3.0}},
		{auth.MintOptions{Service: "helm"}, 5 * time.Minute,
			map[string]any{"iss": "codex-dev", "sub": "service:helm", "type": "service", "calling_service": "helm", "target_service": "codex"}},
		{auth.MintOptions{Email: "ada@example.com", Level: codex.LevelAdmin, Audience: "codex-api", TTL: 10 * time.Minute}, 10 * time.Minute,
			map[string]any{"aud": "codex-api", "permission_level": "admin"}},
	}
	for _, tt := range tests {
		token := mint(t, v.Dev(), tt.opts)
		var header, claims map[string]any
		segments := splitToken(t, token)
		decodeJSON(t, segments[0], &header)
		decodeJSON(t, segments[1], &claims)
		if header["alg"] != "RS256" || header["kid"] != v.Dev().KeyID() {
			t.Errorf("Mint(%+v) header = %v; want alg RS256, kid %s", tt.opts, header, v.Dev().KeyID())
		}
		for k, want := range tt.want {
			if claims[k] != want {
				t.Errorf("Mint(%+v) claim %s = %v; want %v", tt.opts, k, claims[k], want)
			}
		}
		for _, k := range []string{"iat", "nbf", "exp", "jti"} {
			if claims[k] == nil {
				t.Errorf("Mint(%+v) has no %s", tt.opts, k)
			}
		}
		if ttl, _ := claims["exp"].(float64); time.Duration(ttl-claims["iat"].(float64))*time.Second != tt.wantTTL {
			t.Errorf("Mint(%+v) lifetime = %vs; want %v", tt.opts, ttl-claims["iat"].(float64), tt.wantTTL)
		}
	}
}

func TestDevIssuerMintInvalid(t *testing.T) {
	v := devVerifier(t, auth.Config{})
	tests := []struct {
		name      string
		opts      auth.MintOptions
		wantField string
	}{
		{"no email", auth.MintOptions{Level: codex.LevelAdmin}, "email"},
		{"unknown level", auth.MintOptions{Email: "a@example.com", Level: "root"}, "level"},
		{"no level", auth.MintOptions{Email: "a@example.com"}, "level"},
		{"client without company", auth.MintOptions{Email: "a@example.com", Level: codex.LevelClient}, "company_id"},
		{"service with a level", auth.MintOptions{Service: "helm", Level: codex.LevelAdmin}, "level"},
		{"negative ttl", auth.MintOptions{Email: "a@example.com", Level: codex.LevelAdmin, TTL: -time.Minute}, "ttl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, err := v.Dev().Mint(tt.opts)
			if codex.ErrorCode(err) != codex.Invalid || codex.ErrorFields(err)[tt.wantField] == "" {
				t.Errorf("Mint(%+v) = %q, %v; want an invalid error on %s", tt.opts, token, err, tt.wantField)
			}
		})
	}
}

func TestLoadOrCreateDevIssuer(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "instance")
	path := filepath.Join(dir, "dev-signing-key.pem")

	first, err := auth.LoadOrCreateDevIssuer(path)
	if err != nil {
		t.Fatalf("LoadOrCreateDevIssuer(new) error: %v", err)
	}
	for _, f := range []struct {
		path string
		want os.FileMode
	}{{path, 0o600}, {dir, 0o700 | os.ModeDir}} {
		info, err := os.Stat(f.path)
		if err != nil {
			t.Fatalf("Stat(%s): %v", f.path, err)
		}
		if got := info.Mode(); got != f.want {
			t.Errorf("mode of %s = %v; want %v", f.path, got, f.want)
		}
	}
	pemBytes, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("ReadFile: %v", err)
	}

	second, err := auth.LoadOrCreateDevIssuer(path)
	if err != nil {
		t.Fatalf("LoadOrCreateDevIssuer(existing) error: %v", err)
	}
	if first.KeyID() != second.KeyID() {
		t.Errorf("reloaded KeyID() = %s; want %s (the same key)", second.KeyID(), first.KeyID())
	}
	if after, _ := os.ReadFile(path); string(after) != string(pemBytes) {
		t.Error("loading the key rewrote the key file")
	}

	// A token minted before a restart still verifies after it.
	token := mint(t, first, auth.MintOptions{Email: "ada@example.com", Level: codex.LevelAdmin})
	v := devVerifier(t, auth.Config{DevKeyFile: path})
	if _, err := v.Verify(context.Background(), token); err != nil {
		t.Errorf("Verify(token of the reloaded key) error: %v", err)
	}
}

func TestLoadOrCreateDevIssuerRefusesBadKeys(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		data string
	}{
		{"not PEM", "hello"},
		{"public key", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"},
		{"corrupt private key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name+".pem")
			if err := os.WriteFile(path, []byte(tt.data), 0o600); err != nil {
				t.Fatal(err)
			}
			if d, err := auth.LoadOrCreateDevIssuer(path); err == nil {
				t.Errorf("LoadOrCreateDevIssuer(%s) = %v; want an error", tt.name, d)
			}
			if got, _ := os.ReadFile(path); string(got) != tt.data {
				t.Errorf("LoadOrCreateDevIssuer(%s) overwrote the file", tt.name)
			}
		})
	}
}

func TestDevIssuerJWKSHandler(t *testing.T) {
	v := devVerifier(t, auth.Config{})
	srv := httptest.NewServer(v.Dev().JWKSHandler())
	t.Cleanup(srv.Close)

	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatalf("GET jwks: %v", err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatalf("decoding jwks: %v", err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("GET jwks = %d %s; want 200 application/json", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if len(set.Keys) != 1 {
		t.Fatalf("jwks has %d keys; want 1", len(set.Keys))
	}
	key := set.Keys[0]
	if key["kid"] != v.Dev().KeyID() || key["kty"] != "RSA" || key["alg"] != "RS256" || key["n"] == nil {
		t.Errorf("jwks key = %v; want RSA RS256 public key with kid %s", key, v.Dev().KeyID())
	}
	for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
		if _, ok := key[private]; ok {
			t.Errorf("jwks key publishes private member %q", private)
		}
	}

	// Another service configured like Core, but pointed at the dev JWKS, accepts dev tokens.
	remote := newVerifier(t, auth.Config{Issuer: auth.DevIssuerName, JWKSURL: srv.URL}, nil)
	token := mint(t, v.Dev(), auth.MintOptions{Email: "ada@example.com", Level: codex.LevelBilling})
	if p, err := remote.Verify(context.Background(), token); err != nil || p.Level != codex.LevelBilling {
		t.Errorf("Verify through the served JWKS = %v, %v; want billing", p, err)
	}
}

func TestDevTokensRefusedWithRealIssuer(t *testing.T) {
	// Development mode is off as soon as a real issuer is configured.
	core := coreConfigForDev(t)
	v := newVerifier(t, core, nil)
	if v.Dev() != nil {
		t.Fatal("Dev() != nil with a real issuer configured")
	}
	dev, err := auth.LoadOrCreateDevIssuer(core.DevKeyFile)
	if err != nil {
		t.Fatalf("LoadOrCreateDevIssuer: %v", err)
	}
	_, err = v.Verify(context.Background(), mint(t, dev, auth.MintOptions{Email: "ada@example.com", Level: codex.LevelAdmin}))
	var e *codex.Error
	if !errors.As(err, &e) || e.Code != codex.Unauthenticated {
		t.Errorf("Verify(dev token) error = %v; want unauthenticated", err)
	}
}

// TestVerifyCacheEndsWithToken checks that a remembered verification never outlives the
// token: after its exp, the same token is refused even though it was accepted before.
func TestVerifyCacheEndsWithToken(t *testing.T) {
	v := devVerifier(t, auth.Config{ClockSkew: time.Millisecond})
	raw := mint(t, v.Dev(), auth.MintOptions{Email: "ada@example.com", Level: codex.LevelAdmin, TTL: time.Second})
	first, err := v.Verify(context.Background(), raw)
	if err != nil {
		t.Fatalf("Verify(fresh token) = %v", err)
	}
	first.Redact = true // callers may change their copy
	again, err := v.Verify(context.Background(), raw)
	if err != nil || again.Redact || again.Email != "ada@example.com" {
		t.Fatalf("Verify(same token again) = %+v, %v; want an unchanged principal", again, err)
	}
	time.Sleep(1100 * time.Millisecond)
	if _, err := v.Verify(context.Background(), raw); codex.ErrorCode(err) != codex.Unauthenticated {
		t.Errorf("Verify(expired, previously accepted token) error = %v; want unauthenticated", err)
	}
}
