package auth_test

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/hivematrix/codex/auth"
	"github.com/hivematrix/codex/auth/authtest"
	"github.com/hivematrix/codex/codex"
)

// newVerifier builds a Verifier for cfg or fails the test.
func newVerifier(t *testing.T, cfg auth.Config, resolve auth.CompanyResolver) *auth.Verifier {
	t.Helper()
	v, err := auth.New(context.Background(), cfg, resolve)
	if err != nil {
		t.Fatalf("auth.New(%+v) error: %v", cfg, err)
	}
	return v
}

// keycloakConfig trusts kc with the client "codex" for client roles.
func keycloakConfig(kc *authtest.Server) auth.Config {
	return auth.Config{IssuerURL: kc.Issuer, RoleClient: "codex"}
}

// coreConfig trusts core through its bare JWKS URL.
func coreConfig(core *authtest.Server) auth.Config {
	return auth.Config{Issuer: core.Issuer, JWKSURL: core.JWKSURL}
}

// resolveAccounts knows two account numbers; "DOWN" stands for a failing store.
func resolveAccounts(ctx context.Context, account string) (int64, error) {
	switch account {
	case "ACME-001":
		return 17, nil
	case "00123":
		return 5, nil
	case "DOWN":
		return 0, codex.Errorf(codex.Unavailable, "store unavailable")
	}
	return 0, codex.Errorf(codex.NotFound, "company not found")
}

// checkError fails unless err is a *codex.Error with code and message.
func checkError(t *testing.T, err error, code codex.Code, msg string) {
	t.Helper()
	var e *codex.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T); want *codex.Error %s %q", err, err, code, msg)
	}
	if e.Code != code || e.Message != msg {
		t.Errorf("error = %s %q; want %s %q", e.Code, e.Message, code, msg)
	}
}

// checkPrincipal fails unless got equals want.
func checkPrincipal(t *testing.T, got *codex.Principal, err error, want codex.Principal) {
	t.Helper()
	if err != nil {
		t.Fatalf("Verify error: %v; want %+v", err, want)
	}
	if *got != want {
		t.Errorf("Verify = %+v; want %+v", *got, want)
	}
}

func TestVerifyKeycloakRoles(t *testing.T) {
	kc := authtest.NewKeycloak(t)
	v := newVerifier(t, keycloakConfig(kc), resolveAccounts)
	jane := codex.Principal{Subject: "f81d4fae-7dec-11d0-a765-00a0c91e6bf6", Email: "jane@example.com", Name: "Jane Doe"}
	with := func(level codex.Level, company int64) codex.Principal {
		p := jane
		p.Level, p.CompanyID = level, company
		return p
	}
	realm := func(roles ...string) map[string]any { return map[string]any{"roles": roles} }
	tests := []struct {
		name   string
		claims authtest.Claims
		want   codex.Principal
	}{
		{"realm admin", authtest.Claims{"realm_access": realm("offline_access", "admin")}, with(codex.LevelAdmin, 0)},
		{"highest role wins", authtest.Claims{"realm_access": realm("technician", "client", "billing")}, with(codex.LevelTechnician, 0)},
		{"role names ignore case", authtest.Claims{"realm_access": realm("Technician")}, with(codex.LevelTechnician, 0)},
		{"client role of RoleClient", authtest.Claims{
			"realm_access":    realm("offline_access"),
			"resource_access": map[string]any{"codex": realm("billing"), "account": realm("manage-account")},
		}, with(codex.LevelBilling, 0)},
		{"client user with company id", authtest.Claims{
			"realm_access":    realm("client"),
			"resource_access": map[string]any{"other-app": realm("admin")},
			"company_id":      42,
		}, with(codex.LevelClient, 42)},
		{"client user with account number", authtest.Claims{"realm_access": realm("client"), "company_id": "ACME-001"}, with(codex.LevelClient, 17)},
		{"name falls back to username", authtest.Claims{"realm_access": realm("admin"), "name": nil}, func() codex.Principal {
			p := with(codex.LevelAdmin, 0)
			p.Name = "jane"
			return p
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := v.Verify(context.Background(), kc.Mint(kc.Claims(tt.claims)))
			checkPrincipal(t, got, err, tt.want)
		})
	}
}

func TestVerifyKeycloakWithoutRole(t *testing.T) {
	kc := authtest.NewKeycloak(t)
	v := newVerifier(t, keycloakConfig(kc), resolveAccounts)
	tests := []struct {
		name   string
		claims authtest.Claims
	}{
		{"no roles", authtest.Claims{}},
		{"only Keycloak's default roles", authtest.Claims{"realm_access": map[string]any{"roles": []string{"offline_access", "uma_authorization"}}}},
		{"another client's admin role", authtest.Claims{"resource_access": map[string]any{"other-app": map[string]any{"roles": []string{"admin"}}}}},
		// Keycloak levels come from roles only; an attribute mapped to this claim grants nothing.
		{"permission_level claim", authtest.Claims{"permission_level": "admin"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), kc.Mint(kc.Claims(tt.claims)))
			checkError(t, err, codex.Forbidden, "no Codex role")
		})
	}
}

func TestVerifyKeycloakCustomRoleLevels(t *testing.T) {
	kc := authtest.NewKeycloak(t)
	cfg := keycloakConfig(kc)
	cfg.RoleLevels = map[string]codex.Level{"msp-admins": codex.LevelAdmin, "helpdesk": codex.LevelTechnician}
	v := newVerifier(t, cfg, nil)
	tests := []struct {
		roles []string
		want  codex.Level
	}{
		{[]string{"helpdesk"}, codex.LevelTechnician},
		{[]string{"MSP-Admins", "helpdesk"}, codex.LevelAdmin},
	}
	for _, tt := range tests {
		got, err := v.Verify(context.Background(), kc.Mint(kc.Claims(authtest.Claims{"realm_access": map[string]any{"roles": tt.roles}})))
		if err != nil || got.Level != tt.want {
			t.Errorf("Verify(roles %q) = %v, %v; want level %s", tt.roles, got, err, tt.want)
		}
	}
	// The default names no longer apply once the mapping is configured.
	_, err := v.Verify(context.Background(), kc.Mint(kc.Claims(authtest.Claims{"realm_access": map[string]any{"roles": []string{"admin"}}})))
	checkError(t, err, codex.Forbidden, "no Codex role")
}

func TestVerifyCore(t *testing.T) {
	core := authtest.NewCore(t)
	v := newVerifier(t, coreConfig(core), resolveAccounts)
	jane := func(level codex.Level, company int64) codex.Principal {
		return codex.Principal{Subject: "jane", Email: "jane@example.com", Name: "Jane Doe", Level: level, CompanyID: company}
	}
	tests := []struct {
		name   string
		claims authtest.Claims
		want   codex.Principal
	}{
		{"admin", authtest.Claims{"permission_level": "admin", "groups": []string{"admins"}}, jane(codex.LevelAdmin, 0)},
		{"technician", authtest.Claims{"permission_level": "technician"}, jane(codex.LevelTechnician, 0)},
		{"billing, any case", authtest.Claims{"permission_level": " Billing "}, jane(codex.LevelBilling, 0)},
		{"company id for staff is ignored", authtest.Claims{"permission_level": "technician", "company_id": 9}, jane(codex.LevelTechnician, 0)},
		{"client, numeric company id", authtest.Claims{"permission_level": "client", "company_id": 42}, jane(codex.LevelClient, 42)},
		{"client, numeric string company id", authtest.Claims{"permission_level": "client", "company_id": "42"}, jane(codex.LevelClient, 42)},
		{"client, account number in company claim", authtest.Claims{"permission_level": "client", "company_id": "ACME-001"}, jane(codex.LevelClient, 17)},
		{"client, all-digit account_number claim", authtest.Claims{"permission_level": "client", "account_number": "00123"}, jane(codex.LevelClient, 5)},
		{"no name uses preferred_username", authtest.Claims{"permission_level": "admin", "name": nil}, func() codex.Principal {
			p := jane(codex.LevelAdmin, 0)
			p.Name = "jane"
			return p
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := v.Verify(context.Background(), core.Mint(core.Claims(tt.claims)))
			checkPrincipal(t, got, err, tt.want)
		})
	}
}

func TestVerifyCoreWithoutRights(t *testing.T) {
	core := authtest.NewCore(t)
	v := newVerifier(t, coreConfig(core), resolveAccounts)
	tests := []struct {
		name     string
		claims   authtest.Claims
		wantCode codex.Code
		wantMsg  string
	}{
		{"no permission level", authtest.Claims{}, codex.Forbidden, "token has no permission level"},
		{"unknown permission level", authtest.Claims{"permission_level": "superuser"}, codex.Forbidden, "unknown permission level"},
		{"client with zero company id", authtest.Claims{"permission_level": "client", "company_id": 0}, codex.Forbidden, "client token has an unreadable company claim"},
		{"client with fractional company id", authtest.Claims{"permission_level": "client", "company_id": 4.5}, codex.Forbidden, "client token has an unreadable company claim"},
		{"client with unknown account", authtest.Claims{"permission_level": "client", "company_id": "NOPE-9"}, codex.Forbidden, "no company matches the token's account number"},
		{"account lookup fails", authtest.Claims{"permission_level": "client", "account_number": "DOWN"}, codex.Unavailable, "store unavailable"},
		{"person with a service subject", authtest.Claims{"permission_level": "admin", "sub": "service:ledger"}, codex.Forbidden, "a person's token names a service subject"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), core.Mint(core.Claims(tt.claims)))
			checkError(t, err, tt.wantCode, tt.wantMsg)
		})
	}
}

func TestVerifyClientWithoutResolver(t *testing.T) {
	core := authtest.NewCore(t)
	v := newVerifier(t, coreConfig(core), nil)
	_, err := v.Verify(context.Background(), core.Mint(core.Claims(authtest.Claims{"permission_level": "client", "company_id": "ACME-001"})))
	checkError(t, err, codex.Forbidden, "client token has no company")
}

// TestVerifyClientWithoutCompany: HiveMatrix Core's users outside the staff groups carry
// permission_level client and no company claim; they are signed in with no company.
func TestVerifyClientWithoutCompany(t *testing.T) {
	core := authtest.NewCore(t)
	v := newVerifier(t, coreConfig(core), nil)
	for _, c := range []authtest.Claims{
		{"permission_level": "client"},
		{"permission_level": "client", "company_id": nil, "account_number": json.RawMessage("null")},
	} {
		p, err := v.Verify(context.Background(), core.Mint(core.Claims(c)))
		if err != nil {
			t.Fatalf("Verify(%v) = %v; want a principal", c, err)
		}
		if p.Level != codex.LevelClient || p.CompanyID != 0 {
			t.Errorf("Verify(%v) = level %q company %d; want client, 0", c, p.Level, p.CompanyID)
		}
		if p.Can(codex.Read, codex.ResCompany) || !p.Can(codex.Write, codex.ResPreferences) {
			t.Errorf("client without company: may read companies %v, may write preferences %v; want false, true",
				p.Can(codex.Read, codex.ResCompany), p.Can(codex.Write, codex.ResPreferences))
		}
	}
}

func TestVerifyCompanyClaim(t *testing.T) {
	core := authtest.NewCore(t)
	cfg := coreConfig(core)
	cfg.CompanyClaim = "org"
	v := newVerifier(t, cfg, resolveAccounts)
	got, err := v.Verify(context.Background(), core.Mint(core.Claims(authtest.Claims{"permission_level": "client", "org": 8, "company_id": 9})))
	if err != nil || got.CompanyID != 8 {
		t.Errorf("Verify(org 8, company_id 9) = %v, %v; want company 8 from the configured claim", got, err)
	}
}

// serviceClaims is a Core service token for name.
func serviceClaims(core *authtest.Server, name string, overrides authtest.Claims) authtest.Claims {
	c := core.Claims(authtest.Claims{
		"sub": "service:" + name, "type": "service", "calling_service": name, "target_service": "codex",
		"name": nil, "email": nil, "preferred_username": nil,
		"exp": time.Now().Add(5 * time.Minute).Unix(),
	})
	for k, v := range overrides {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

func TestVerifyService(t *testing.T) {
	core := authtest.NewCore(t)
	cfg := coreConfig(core)
	ledger := codex.Grant{Read: true, Write: true, Redact: true}
	cfg.Services = map[string]codex.Grant{"ledger": ledger, "archive": {Sync: true}}
	v := newVerifier(t, cfg, nil)
	tests := []struct {
		name   string
		claims authtest.Claims
		want   codex.Principal
	}{
		{"configured grant", serviceClaims(core, "ledger", nil),
			codex.Principal{Subject: "service:ledger", Name: "ledger", Service: "ledger", Grant: ledger, Redact: true}},
		{"configured grant without read", serviceClaims(core, "archive", nil),
			codex.Principal{Subject: "service:archive", Name: "archive", Service: "archive", Grant: codex.Grant{Sync: true}}},
		{"unlisted service reads only", serviceClaims(core, "helm", nil),
			codex.Principal{Subject: "service:helm", Name: "helm", Service: "helm", Grant: codex.Grant{Read: true}}},
		{"permission_level never applies", serviceClaims(core, "helm", authtest.Claims{"permission_level": "admin"}),
			codex.Principal{Subject: "service:helm", Name: "helm", Service: "helm", Grant: codex.Grant{Read: true}}},
		{"no calling_service or target_service", serviceClaims(core, "helm", authtest.Claims{"calling_service": nil, "target_service": nil}),
			codex.Principal{Subject: "service:helm", Name: "helm", Service: "helm", Grant: codex.Grant{Read: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := v.Verify(context.Background(), core.Mint(tt.claims))
			checkPrincipal(t, got, err, tt.want)
			if got != nil && (got.Level != "" || !got.IsService()) {
				t.Errorf("service principal Level = %q, IsService = %v; want no level, a service", got.Level, got.IsService())
			}
		})
	}
}

func TestVerifyServiceRefused(t *testing.T) {
	core := authtest.NewCore(t)
	v := newVerifier(t, coreConfig(core), nil)
	tests := []struct {
		name     string
		claims   authtest.Claims
		wantCode codex.Code
		wantMsg  string
	}{
		{"subject without prefix", serviceClaims(core, "ledger", authtest.Claims{"sub": "ledger"}), codex.Forbidden, "service token has no service name"},
		{"empty service name", serviceClaims(core, "ledger", authtest.Claims{"sub": "service:"}), codex.Forbidden, "service token has no service name"},
		{"calling_service differs", serviceClaims(core, "ledger", authtest.Claims{"calling_service": "helm"}), codex.Forbidden, "service token names two different services"},
		{"minted for another service", serviceClaims(core, "ledger", authtest.Claims{"target_service": "helm"}), codex.Unauthenticated, "token audience mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), core.Mint(tt.claims))
			checkError(t, err, tt.wantCode, tt.wantMsg)
		})
	}
}

// encodeSegment base64url-encodes v as JSON.
func encodeSegment(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("json.Marshal(%v): %v", v, err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hmacToken signs claims with HS256 using secret, as an attacker holding the public key would.
func hmacToken(t *testing.T, kid string, secret []byte, claims authtest.Claims) string {
	t.Helper()
	input := encodeSegment(t, map[string]string{"alg": "HS256", "typ": "JWT", "kid": kid}) + "." + encodeSegment(t, claims)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// unsignedToken is an `alg: none` token.
func unsignedToken(t *testing.T, kid string, claims authtest.Claims) string {
	t.Helper()
	return encodeSegment(t, map[string]string{"alg": "none", "typ": "JWT", "kid": kid}) + "." + encodeSegment(t, claims) + "."
}

// foreignToken signs claims with a key the issuer never published, under the issuer's kid.
func foreignToken(t *testing.T, kid string, claims authtest.Claims) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("rsa.GenerateKey: %v", err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: kid}}, nil)
	if err != nil {
		t.Fatalf("jose.NewSigner: %v", err)
	}
	payload, _ := json.Marshal(claims)
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	token, err := jws.CompactSerialize()
	if err != nil {
		t.Fatalf("CompactSerialize: %v", err)
	}
	return token
}

// tamper replaces the payload of a signed token, keeping its header and signature.
func tamper(t *testing.T, token string, claims authtest.Claims) string {
	t.Helper()
	parts := strings.Split(token, ".")
	parts[1] = encodeSegment(t, claims)
	return strings.Join(parts, ".")
}

func TestVerifyRefusesBadTokens(t *testing.T) {
	core := authtest.NewCore(t)
	coreV := newVerifier(t, coreConfig(core), nil)
	kc := authtest.NewKeycloak(t)
	kcCfg := keycloakConfig(kc)
	kcCfg.Audience = "codex-api"
	kcV := newVerifier(t, kcCfg, nil)
	dev, err := auth.LoadOrCreateDevIssuer(filepath.Join(t.TempDir(), "dev.pem"))
	if err != nil {
		t.Fatalf("LoadOrCreateDevIssuer: %v", err)
	}
	devToken, err := dev.Mint(auth.MintOptions{Email: "dev@example.com", Level: codex.LevelAdmin})
	if err != nil {
		t.Fatalf("Mint: %v", err)
	}

	now := time.Now()
	admin := func(overrides authtest.Claims) authtest.Claims {
		c := core.Claims(authtest.Claims{"permission_level": "admin"})
		for k, v := range overrides {
			if v == nil {
				delete(c, k)
			} else {
				c[k] = v
			}
		}
		return c
	}
	kcAdmin := func(aud any) authtest.Claims {
		return kc.Claims(authtest.Claims{"aud": aud, "realm_access": map[string]any{"roles": []string{"admin"}}})
	}
	technician := core.Mint(core.Claims(authtest.Claims{"permission_level": "technician"}))
	tests := []struct {
		name     string
		v        *auth.Verifier
		token    string
		wantCode codex.Code
		wantMsg  string
	}{
		{"empty", coreV, "  ", codex.Unauthenticated, "missing bearer token"},
		{"not a JWT", coreV, "opaque-access-token", codex.Unauthenticated, "malformed token"},
		{"five parts (JWE)", coreV, "a.b.c.d.e", codex.Unauthenticated, "malformed token"},
		{"header not base64", coreV, "%%%.e30.sig", codex.Unauthenticated, "malformed token"},
		{"header not JSON", coreV, base64.RawURLEncoding.EncodeToString([]byte("{alg")) + ".e30.sig", codex.Unauthenticated, "malformed token"},
		{"too long", coreV, technician + strings.Repeat("A", 40<<10), codex.Unauthenticated, "malformed token"},
		{"exp not a number", coreV, core.Mint(admin(authtest.Claims{"exp": "tomorrow"})), codex.Unauthenticated, "malformed token"},
		{"expired", coreV, core.Mint(admin(authtest.Claims{"exp": now.Add(-2 * time.Minute).Unix()})), codex.Unauthenticated, "token expired"},
		{"exp missing", coreV, core.Mint(admin(authtest.Claims{"exp": nil})), codex.Unauthenticated, "token has no expiry"},
		// go-oidc alone would accept an nbf up to 5 minutes ahead.
		{"nbf beyond skew", coreV, core.Mint(admin(authtest.Claims{"nbf": now.Add(2 * time.Minute).Unix()})), codex.Unauthenticated, "token not yet valid"},
		{"iat beyond skew", coreV, core.Mint(admin(authtest.Claims{"iat": now.Add(2 * time.Minute).Unix()})), codex.Unauthenticated, "token not yet valid"},
		{"wrong issuer, right key", coreV, core.Mint(admin(authtest.Claims{"iss": "evil-core"})), codex.Unauthenticated, "token issued by an unknown issuer"},
		{"issuer missing", coreV, core.Mint(admin(authtest.Claims{"iss": nil})), codex.Unauthenticated, "token issued by an unknown issuer"},
		{"audience string mismatch", kcV, kc.Mint(kcAdmin("account")), codex.Unauthenticated, "token audience mismatch"},
		{"audience array mismatch", kcV, kc.Mint(kcAdmin([]string{"account", "broker"})), codex.Unauthenticated, "token audience mismatch"},
		{"Keycloak ID token", kcV, kc.Mint(kc.Claims(authtest.Claims{"typ": "ID", "aud": "codex-api", "realm_access": map[string]any{"roles": []string{"admin"}}})), codex.Unauthenticated, "token is not an access token"},
		{"audience missing", kcV, kc.Mint(kcAdmin(nil)), codex.Unauthenticated, "token audience mismatch"},
		{"alg none", coreV, unsignedToken(t, core.KeyID(), admin(nil)), codex.Unauthenticated, "unsupported signing algorithm"},
		{"HS256 with the public key as secret", coreV, hmacToken(t, core.KeyID(), core.PublicKeyPEM(), admin(nil)), codex.Unauthenticated, "unsupported signing algorithm"},
		{"tampered payload", coreV, tamper(t, technician, admin(nil)), codex.Unauthenticated, "token signature invalid"},
		{"signed by another key under a known kid", coreV, foreignToken(t, core.KeyID(), admin(nil)), codex.Unauthenticated, "token signature invalid"},
		{"Keycloak token at Core", coreV, kc.Mint(kcAdmin("codex-api")), codex.Unauthenticated, "token issued by an unknown issuer"},
		{"dev token at Core", coreV, devToken, codex.Unauthenticated, "token issued by an unknown issuer"},
		{"dev token at Keycloak", kcV, devToken, codex.Unauthenticated, "token issued by an unknown issuer"},
		{"dev token claiming Core's issuer", coreV, tamper(t, devToken, admin(nil)), codex.Unauthenticated, "token signature invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := tt.v.Verify(context.Background(), tt.token)
			if p != nil {
				t.Errorf("Verify = %v; want no principal", p)
			}
			checkError(t, err, tt.wantCode, tt.wantMsg)
			if err != nil && strings.Contains(err.Error(), tt.token) && strings.TrimSpace(tt.token) != "" {
				t.Errorf("error %q contains the raw token", err)
			}
		})
	}
}

func TestVerifyClockSkew(t *testing.T) {
	core := authtest.NewCore(t)
	now := time.Now()
	tests := []struct {
		name   string
		skew   time.Duration
		claims authtest.Claims
		wantOK bool
	}{
		{"expired within default skew", 0, authtest.Claims{"exp": now.Add(-30 * time.Second).Unix()}, true},
		{"nbf within default skew", 0, authtest.Claims{"nbf": now.Add(30 * time.Second).Unix()}, true},
		{"iat within default skew", 0, authtest.Claims{"iat": now.Add(30 * time.Second).Unix()}, true},
		{"expired beyond configured skew", 10 * time.Second, authtest.Claims{"exp": now.Add(-30 * time.Second).Unix()}, false},
		{"expired within configured skew", 5 * time.Minute, authtest.Claims{"exp": now.Add(-4 * time.Minute).Unix()}, true},
		{"fractional times", 0, authtest.Claims{"iat": float64(now.Unix()) + 0.5, "exp": float64(now.Add(time.Hour).Unix()) + 0.25}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := coreConfig(core)
			cfg.ClockSkew = tt.skew
			v := newVerifier(t, cfg, nil)
			tt.claims["permission_level"] = "technician"
			_, err := v.Verify(context.Background(), core.Mint(core.Claims(tt.claims)))
			if got := err == nil; got != tt.wantOK {
				t.Errorf("Verify accepted = %v (err %v); want %v", got, err, tt.wantOK)
			}
		})
	}
}

func TestVerifyAudience(t *testing.T) {
	kc := authtest.NewKeycloak(t)
	cfg := keycloakConfig(kc)
	cfg.Audience = "codex-api"
	v := newVerifier(t, cfg, nil)
	for _, aud := range []any{"codex-api", []string{"account", "codex-api"}} {
		token := kc.Mint(kc.Claims(authtest.Claims{"aud": aud, "realm_access": map[string]any{"roles": []string{"admin"}}}))
		if _, err := v.Verify(context.Background(), token); err != nil {
			t.Errorf("Verify(aud %v) error: %v; want accepted", aud, err)
		}
	}
}

func TestVerifyKeyRotation(t *testing.T) {
	for _, tt := range []struct {
		name   string
		server func(testing.TB) *authtest.Server
		claims authtest.Claims
		config func(*authtest.Server) auth.Config
	}{
		{"keycloak", authtest.NewKeycloak, authtest.Claims{"realm_access": map[string]any{"roles": []string{"admin"}}}, keycloakConfig},
		{"core", authtest.NewCore, authtest.Claims{"permission_level": "admin"}, coreConfig},
	} {
		t.Run(tt.name, func(t *testing.T) {
			iss := tt.server(t)
			v := newVerifier(t, tt.config(iss), nil)
			verify := func(token string, wantFetches int) {
				t.Helper()
				if _, err := v.Verify(context.Background(), token); err != nil {
					t.Fatalf("Verify error: %v", err)
				}
				if got := iss.JWKSFetches(); got != wantFetches {
					t.Errorf("JWKSFetches() = %d; want %d", got, wantFetches)
				}
			}
			oldToken := iss.Mint(iss.Claims(tt.claims))
			verify(oldToken, 1)
			verify(oldToken, 1) // cached

			oldKID := iss.KeyID()
			iss.Rotate()
			if iss.KeyID() == oldKID {
				t.Fatalf("Rotate kept kid %s", oldKID)
			}
			verify(iss.Mint(iss.Claims(tt.claims)), 2) // unknown kid: refetched
			verify(oldToken, 2)                        // the old key is still published
		})
	}
}

func TestVerifyKeysUnavailable(t *testing.T) {
	core := authtest.NewCore(t)
	v := newVerifier(t, coreConfig(core), nil)
	token := core.Mint(core.Claims(authtest.Claims{"permission_level": "admin"}))

	core.SetDown(true)
	_, err := v.Verify(context.Background(), token)
	checkError(t, err, codex.Unavailable, "token signing keys unavailable")

	core.SetDown(false)
	// go-oidc's key set hands a finished fetch's result to any caller that arrives before
	// the fetching goroutine has released it (it signals the waiters first), so the first
	// Verify after recovery may still see the 503 when that goroutine is slow to run, as
	// on a loaded machine. What must hold is that Verify recovers, without restarting.
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := v.Verify(context.Background(), token)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Verify after recovery error: %v; want accepted", err)
		}
		checkError(t, err, codex.Unavailable, "token signing keys unavailable")
		time.Sleep(10 * time.Millisecond)
	}
}

func TestNew(t *testing.T) {
	kc := authtest.NewKeycloak(t)
	core := authtest.NewCore(t)
	gone := httptest.NewServer(nil)
	gone.Close()
	devKey := filepath.Join(t.TempDir(), "instance", "dev.pem")
	tests := []struct {
		name       string
		cfg        auth.Config
		wantIssuer string
		wantDev    bool
		wantErr    string
	}{
		{"keycloak", auth.Config{IssuerURL: kc.Issuer}, kc.Issuer, false, ""},
		{"core", auth.Config{Issuer: core.Issuer, JWKSURL: core.JWKSURL}, "hivematrix-core", false, ""},
		{"development", auth.Config{DevKeyFile: devKey}, "codex-dev", true, ""},
		{"both modes", auth.Config{IssuerURL: kc.Issuer, Issuer: "hivematrix-core", JWKSURL: core.JWKSURL}, "", false, "not both"},
		{"issuer without jwks_url", auth.Config{Issuer: "hivematrix-core"}, "", false, "set together"},
		{"jwks_url without issuer", auth.Config{JWKSURL: core.JWKSURL}, "", false, "set together"},
		{"negative skew", auth.Config{IssuerURL: kc.Issuer, ClockSkew: -time.Second}, "", false, "clock_skew"},
		{"unknown role level", auth.Config{IssuerURL: kc.Issuer, RoleLevels: map[string]codex.Level{"root": "god"}}, "", false, "unknown level"},
		{"discovery unreachable", auth.Config{IssuerURL: gone.URL + "/realms/codex"}, "", false, "discovery"},
		{"discovery issuer mismatch", auth.Config{IssuerURL: kc.URL + "/realms/other"}, "", false, "discovery"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := auth.New(context.Background(), tt.cfg, nil)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("New error = %v; want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("New error: %v", err)
			}
			if got := v.Issuer(); got != tt.wantIssuer {
				t.Errorf("Issuer() = %q; want %q", got, tt.wantIssuer)
			}
			if got := v.Dev() != nil; got != tt.wantDev {
				t.Errorf("Dev() != nil = %v; want %v", got, tt.wantDev)
			}
		})
	}
}
