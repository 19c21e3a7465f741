// Package authtest runs fake token issuers over real HTTP for tests: a Keycloak realm
// with OpenID discovery and a HiveMatrix Core with a bare JWKS URL. Both sign RS256
// tokens with a kid, publish their keys, count key fetches and can rotate keys.
package authtest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Claims is a JWT claim set.
type Claims map[string]any

// Server is a fake token issuer served by an httptest.Server for the test's lifetime.
type Server struct {
	// Issuer is the `iss` of its tokens, and the IssuerURL for discovery on Keycloak.
	Issuer string
	// URL is the server's base URL.
	URL string
	// JWKSURL is where the public keys are published.
	JWKSURL string

	t       testing.TB
	keycl   bool
	fetches atomic.Int64
	mu      sync.Mutex
	keys    []signingKey // the last one signs; all are published
	down    bool
	codes   map[string]string // authorization codes not yet exchanged, to their redirect URI

	// LoginClaims are the overrides of Claims for the person the authorization endpoint
	// signs in (Keycloak only).
	LoginClaims Claims
}

type signingKey struct {
	priv *rsa.PrivateKey
	kid  string
}

// NewKeycloak starts a fake Keycloak realm "codex": discovery at
// {Issuer}/.well-known/openid-configuration, keys at {Issuer}/protocol/openid-connect/certs.
func NewKeycloak(t testing.TB) *Server {
	t.Helper()
	i := &Server{t: t, keycl: true}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	i.URL = srv.URL
	i.Issuer = srv.URL + "/realms/codex"
	i.JWKSURL = i.Issuer + "/protocol/openid-connect/certs"
	mux.HandleFunc("GET /realms/codex/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{
			"issuer":                                i.Issuer,
			"authorization_endpoint":                i.Issuer + "/protocol/openid-connect/auth",
			"token_endpoint":                        i.Issuer + "/protocol/openid-connect/token",
			"jwks_uri":                              i.JWKSURL,
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("GET /realms/codex/protocol/openid-connect/certs", i.serveJWKS)
	mux.HandleFunc("GET /realms/codex/protocol/openid-connect/auth", i.serveAuthorize)
	mux.HandleFunc("POST /realms/codex/protocol/openid-connect/token", i.serveToken)
	i.Rotate()
	return i
}

// Client is the OpenID client the fake Keycloak accepts in the authorization-code flow.
const (
	ClientID     = "codex"
	ClientSecret = "codex-secret"
)

// serveAuthorize signs the person of LoginClaims in at once (there is no login form)
// and sends the browser back to the client with a one-time code and its state.
func (i *Server) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != ClientID || q.Get("response_type") != "code" || q.Get("redirect_uri") == "" {
		http.Error(w, "bad authorization request", http.StatusBadRequest)
		return
	}
	code := rand.Text()
	i.mu.Lock()
	if i.codes == nil {
		i.codes = map[string]string{}
	}
	i.codes[code] = q.Get("redirect_uri")
	i.mu.Unlock()
	back, _ := url.Parse(q.Get("redirect_uri"))
	v := back.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// serveToken exchanges a code (once, for the client with its secret and the same
// redirect URI) for an access token and ID token carrying LoginClaims.
func (i *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	code := r.PostForm.Get("code")
	i.mu.Lock()
	redirect, known := i.codes[code]
	delete(i.codes, code)
	login := i.LoginClaims
	i.mu.Unlock()
	if id != ClientID || secret != ClientSecret || !known || redirect != r.PostForm.Get("redirect_uri") ||
		r.PostForm.Get("grant_type") != "authorization_code" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"error":"invalid_grant"}`))
		return
	}
	token := i.Mint(i.Claims(login))
	writeJSON(w, map[string]any{"access_token": token, "id_token": token, "token_type": "Bearer", "expires_in": 3600})
}

// NewCore starts a fake HiveMatrix Core: iss "hivematrix-core", keys at
// {URL}/.well-known/jwks.json, no discovery document.
func NewCore(t testing.TB) *Server {
	t.Helper()
	i := &Server{t: t, Issuer: "hivematrix-core"}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	i.URL = srv.URL
	i.JWKSURL = srv.URL + "/.well-known/jwks.json"
	mux.HandleFunc("GET /.well-known/jwks.json", i.serveJWKS)
	i.Rotate()
	return i
}

// serveJWKS publishes every key's public half.
func (i *Server) serveJWKS(w http.ResponseWriter, r *http.Request) {
	i.fetches.Add(1)
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.down {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return
	}
	var set jose.JSONWebKeySet
	for _, k := range i.keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.priv.Public(), KeyID: k.kid, Algorithm: "RS256", Use: "sig"})
	}
	writeJSON(w, set)
}

// Rotate adds a new signing key; older keys stay published, as during a Keycloak rotation.
func (i *Server) Rotate() {
	i.t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		i.t.Fatalf("authtest: generating key: %v", err)
	}
	thumb, err := (&jose.JSONWebKey{Key: priv.Public()}).Thumbprint(crypto.SHA256)
	if err != nil {
		i.t.Fatalf("authtest: key thumbprint: %v", err)
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	i.keys = append(i.keys, signingKey{priv: priv, kid: base64.RawURLEncoding.EncodeToString(thumb)})
}

// SetDown makes the key endpoint answer 503 (down) or serve keys again.
func (i *Server) SetDown(down bool) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.down = down
}

// JWKSFetches returns how many times the keys were fetched.
func (i *Server) JWKSFetches() int { return int(i.fetches.Load()) }

// KeyID returns the kid of the current signing key.
func (i *Server) KeyID() string { return i.current().kid }

// PublicKeyPEM returns the current public key as a PEM "PUBLIC KEY" block.
func (i *Server) PublicKeyPEM() []byte {
	i.t.Helper()
	der, err := x509.MarshalPKIXPublicKey(i.current().priv.Public())
	if err != nil {
		i.t.Fatalf("authtest: encoding public key: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func (i *Server) current() signingKey {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.keys[len(i.keys)-1]
}

// Claims returns a valid person's claim set for this issuer (iss, sub, names, iat, nbf,
// exp in an hour, jti; on Keycloak also azp, aud "account" and typ) with overrides
// applied: a nil value removes that claim.
func (i *Server) Claims(overrides Claims) Claims {
	now := time.Now()
	c := Claims{
		"iss":                i.Issuer,
		"sub":                "jane",
		"name":               "Jane Doe",
		"preferred_username": "jane",
		"email":              "jane@example.com",
		"iat":                now.Unix(),
		"nbf":                now.Unix(),
		"exp":                now.Add(time.Hour).Unix(),
		"jti":                rand.Text(),
	}
	if i.keycl {
		c["sub"] = "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"
		c["azp"] = "codex"
		c["aud"] = "account"
		c["typ"] = "Bearer"
		c["scope"] = "openid email profile"
	}
	maps.Copy(c, overrides)
	maps.DeleteFunc(c, func(_ string, v any) bool { return v == nil })
	return c
}

// Mint signs exactly c with the current key (RS256, with kid).
func (i *Server) Mint(c Claims) string {
	i.t.Helper()
	k := i.current()
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: k.priv, KeyID: k.kid}},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		i.t.Fatalf("authtest: signer: %v", err)
	}
	payload, err := json.Marshal(c)
	if err != nil {
		i.t.Fatalf("authtest: claims: %v", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		i.t.Fatalf("authtest: signing: %v", err)
	}
	token, err := jws.CompactSerialize()
	if err != nil {
		i.t.Fatalf("authtest: serializing: %v", err)
	}
	return token
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
