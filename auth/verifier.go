// Package auth verifies the bearer tokens Codex accepts and turns their claims into a
// *codex.Principal.
//
// A Verifier trusts exactly one issuer: Keycloak (OpenID discovery), HiveMatrix Core (a
// bare JWKS URL) or, when neither is configured, the development issuer whose RSA key
// lives in a local file. Signatures are checked by github.com/coreos/go-oidc/v3 against
// the issuer's keys; the time claims (with a clock skew), the issuer-specific claims and
// the mapping to permission levels are checked here.
package auth

import (
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4/jwt"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/hivematrix/codex/codex"
)

// Config is the [auth] section of the configuration. Set IssuerURL for Keycloak, Issuer
// and JWKSURL for HiveMatrix Core, or none of them for the development issuer.
type Config struct {
	// IssuerURL is an OpenID provider with discovery (Keycloak: {base}/realms/{realm}).
	// Tokens' `iss` must equal it exactly.
	IssuerURL string
	// Issuer is the `iss` of a bare-JWKS issuer (HiveMatrix Core: "hivematrix-core").
	Issuer string
	// JWKSURL is that issuer's key set ({core}/.well-known/jwks.json).
	JWKSURL string
	// Audience, when set, must appear in the token's `aud` (a string or an array).
	Audience string
	// ClockSkew is the leeway for exp, nbf and iat; zero means 60 seconds.
	ClockSkew time.Duration
	// RoleLevels maps Keycloak realm and client role names (case-insensitive) to levels;
	// nil means DefaultRoleLevels. The most privileged matching role wins.
	RoleLevels map[string]codex.Level
	// RoleClient is the client id whose resource_access roles are mapped too (optional).
	RoleClient string
	// CompanyClaim holds a client user's company: a numeric id or an account number;
	// empty means "company_id". A claim named "account_number" is accepted as well.
	CompanyClaim string
	// Services holds each calling service's rights by name; a service not listed may only read.
	Services map[string]codex.Grant
	// DevKeyFile is the development issuer's key; empty means DefaultDevKeyFile.
	DevKeyFile string
}

// CompanyResolver finds the id of the company with an account number, for client tokens
// that carry an account number rather than a company id.
type CompanyResolver func(ctx context.Context, accountNumber string) (int64, error)

// DefaultRoleLevels returns the role mapping used when Config.RoleLevels is nil: each
// level is granted by the role of the same name.
func DefaultRoleLevels() map[string]codex.Level {
	return map[string]codex.Level{
		"admin":      codex.LevelAdmin,
		"technician": codex.LevelTechnician,
		"billing":    codex.LevelBilling,
		"client":     codex.LevelClient,
	}
}

const (
	defaultClockSkew    = 60 * time.Second
	defaultCompanyClaim = "company_id"
	accountNumberClaim  = "account_number"
	// serviceName is Codex's name in the target_service claim of Core service tokens.
	serviceName = "codex"
	// maxTokenBytes bounds what is parsed; real tokens, even with many roles, are far smaller.
	maxTokenBytes = 32 << 10
	// fetchTimeout bounds discovery and key fetches: go-oidc shares one in-flight key
	// fetch between requests, so a hung fetch would stall every token with a new kid.
	fetchTimeout = 10 * time.Second
)

// signingAlgs are the algorithms accepted: asymmetric only, so a public key can never
// serve as an HMAC secret and "none" is never accepted.
var signingAlgs = []string{
	oidc.RS256, oidc.RS384, oidc.RS512,
	oidc.ES256, oidc.ES384, oidc.ES512,
	oidc.PS256, oidc.PS384, oidc.PS512,
	oidc.EdDSA,
}

// levelSource says which claims carry a person's level; each issuer is trusted for one.
type levelSource int

const (
	// fromPermissionLevel reads `permission_level` (HiveMatrix Core and the dev issuer).
	fromPermissionLevel levelSource = iota
	// fromRoles maps realm_access and resource_access roles (Keycloak).
	fromRoles
)

// Verifier checks bearer tokens from the configured issuer and maps them to principals.
type Verifier struct {
	cfg      Config
	issuer   string
	levels   levelSource
	roles    map[string]codex.Level
	verifier *oidc.IDTokenVerifier
	resolve  CompanyResolver
	dev      *DevIssuer
	// verified remembers recently verified tokens (by SHA-256), so a client that sends the
	// same token on every request pays for the signature check once a minute, not per call.
	verified *lru.Cache[[32]byte, verifiedToken]
}

// verifiedToken is a cached verification: the principal, valid until the token expires
// or the cache entry ages out, whichever comes first.
type verifiedToken struct {
	p     codex.Principal
	until time.Time
}

// verifiedTTL bounds how long a verification is reused: a changed claim mapping, a
// resolver answer (account number -> company) or a revoked key takes effect within it.
const verifiedTTL = time.Minute

// New builds a Verifier for cfg. In discovery mode it fetches the provider's metadata, so
// the issuer must be reachable; in development mode it loads or creates the dev key.
// resolve turns account-number company claims into company ids; it may be nil when
// tokens carry numeric company ids only.
func New(ctx context.Context, cfg Config, resolve CompanyResolver) (*Verifier, error) {
	cfg, err := withDefaults(cfg)
	if err != nil {
		return nil, err
	}
	v := &Verifier{cfg: cfg, resolve: resolve, roles: map[string]codex.Level{}}
	v.verified, _ = lru.New[[32]byte, verifiedToken](4096)
	for role, level := range cfg.RoleLevels {
		v.roles[strings.ToLower(role)] = level
	}
	oc := &oidc.Config{
		ClientID:             cfg.Audience,
		SkipClientIDCheck:    cfg.Audience == "",
		SupportedSigningAlgs: signingAlgs,
		// exp, nbf and iat are checked in checkTimes: go-oidc has no leeway for exp,
		// a fixed 5-minute one for nbf, and ignores iat.
		SkipExpiryCheck: true,
	}
	httpCtx := oidc.ClientContext(ctx, &http.Client{
		Timeout:   fetchTimeout,
		Transport: statusTransport{http.DefaultTransport},
	})

	var keys oidc.KeySet
	switch {
	case cfg.IssuerURL != "":
		provider, err := oidc.NewProvider(httpCtx, cfg.IssuerURL)
		if err != nil {
			return nil, fmt.Errorf("auth: OpenID discovery for %s: %w", cfg.IssuerURL, err)
		}
		var meta struct {
			JWKSURI string `json:"jwks_uri"`
		}
		if err := provider.Claims(&meta); err != nil || meta.JWKSURI == "" {
			return nil, fmt.Errorf("auth: OpenID discovery for %s: no jwks_uri", cfg.IssuerURL)
		}
		v.issuer, v.levels = cfg.IssuerURL, fromRoles
		keys = oidc.NewRemoteKeySet(httpCtx, meta.JWKSURI)
	case cfg.JWKSURL != "":
		v.issuer, v.levels = cfg.Issuer, fromPermissionLevel
		keys = oidc.NewRemoteKeySet(httpCtx, cfg.JWKSURL)
	default:
		dev, err := LoadOrCreateDevIssuer(cfg.DevKeyFile)
		if err != nil {
			return nil, err
		}
		// A static key set rather than a remote one served by dev.JWKSHandler: the
		// verifier then works before the HTTP server listens, in `codex token` and in
		// tests, and verification still goes through oidc.NewVerifier like the others.
		v.dev, v.issuer, v.levels = dev, DevIssuerName, fromPermissionLevel
		keys = &oidc.StaticKeySet{PublicKeys: []crypto.PublicKey{dev.key.Public()}}
	}
	v.verifier = oidc.NewVerifier(v.issuer, recordingKeySet{keys}, oc)
	return v, nil
}

// withDefaults validates cfg and fills in its defaults.
func withDefaults(cfg Config) (Config, error) {
	switch {
	case cfg.IssuerURL != "" && (cfg.Issuer != "" || cfg.JWKSURL != ""):
		return cfg, errors.New("auth: set issuer_url (OpenID discovery) or issuer and jwks_url (bare JWKS), not both")
	case (cfg.Issuer == "") != (cfg.JWKSURL == ""):
		return cfg, errors.New("auth: issuer and jwks_url must be set together")
	case cfg.ClockSkew < 0:
		return cfg, errors.New("auth: clock_skew must not be negative")
	}
	if cfg.ClockSkew == 0 {
		cfg.ClockSkew = defaultClockSkew
	}
	if cfg.RoleLevels == nil {
		cfg.RoleLevels = DefaultRoleLevels()
	}
	for role, level := range cfg.RoleLevels {
		if !level.Valid() {
			return cfg, fmt.Errorf("auth: role %q maps to unknown level %q", role, level)
		}
	}
	if _, ok := cfg.Services[""]; ok {
		return cfg, errors.New("auth: a service grant has no service name")
	}
	if cfg.CompanyClaim == "" {
		cfg.CompanyClaim = defaultCompanyClaim
	}
	if cfg.DevKeyFile == "" {
		cfg.DevKeyFile = DefaultDevKeyFile
	}
	return cfg, nil
}

// Issuer returns the `iss` that tokens must carry.
func (v *Verifier) Issuer() string { return v.issuer }

// Dev returns the development issuer, or nil when a real issuer is configured.
func (v *Verifier) Dev() *DevIssuer { return v.dev }

// The messages of refused tokens: safe to show, and specific enough to act on.
const (
	msgMissing     = "missing bearer token"
	msgMalformed   = "malformed token"
	msgNoExpiry    = "token has no expiry"
	msgExpired     = "token expired"
	msgNotYetValid = "token not yet valid"
	msgIssuer      = "token issued by an unknown issuer"
	msgAudience    = "token audience mismatch"
	msgSignature   = "token signature invalid"
	msgAlgorithm   = "unsupported signing algorithm"
	msgKeys        = "token signing keys unavailable"
	msgNotAccess   = "token is not an access token"
)

// unauthenticated returns the error for a refused token; cause is logged, never shown.
func unauthenticated(msg string, cause error) *codex.Error {
	return &codex.Error{Code: codex.Unauthenticated, Message: msg, Err: cause}
}

// forbidden returns the error for a valid token that grants no access to Codex.
func forbidden(msg string, cause error) *codex.Error {
	return &codex.Error{Code: codex.Forbidden, Message: msg, Err: cause}
}

// Verify checks raw (a compact JWS, without the "Bearer " prefix) and returns its
// principal. Errors are *codex.Error: Unauthenticated for a token that must not be
// trusted, Forbidden for a trusted token without rights in Codex, Unavailable when the
// issuer's keys cannot be fetched.
func (v *Verifier) Verify(ctx context.Context, raw string) (*codex.Principal, error) {
	key := sha256.Sum256([]byte(raw))
	now := time.Now()
	if hit, ok := v.verified.Get(key); ok {
		if now.Before(hit.until) {
			p := hit.p
			return &p, nil
		}
		v.verified.Remove(key)
	}
	c, err := v.verify(ctx, raw)
	if err != nil {
		return nil, err
	}
	p, err := v.principal(ctx, c)
	if err != nil {
		return nil, err
	}
	until := now.Add(verifiedTTL)
	if c.Expiry != nil && c.Expiry.Time().Before(until) {
		until = c.Expiry.Time()
	}
	v.verified.Add(key, verifiedToken{p: *p, until: until})
	return p, nil
}

// verify checks the token's form, signature, issuer, audience and times, and returns
// its verified claims.
func (v *Verifier) verify(ctx context.Context, raw string) (*claims, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, unauthenticated(msgMissing, nil)
	}
	if len(raw) > maxTokenBytes {
		return nil, unauthenticated(msgMalformed, fmt.Errorf("token is %d bytes long", len(raw)))
	}
	alg, unverifiedIss, err := peek(raw)
	if err != nil {
		return nil, unauthenticated(msgMalformed, err)
	}
	if !slices.Contains(signingAlgs, alg) {
		return nil, unauthenticated(msgAlgorithm, fmt.Errorf("alg %q", alg))
	}
	rec := &sigCheck{}
	tok, err := v.verifier.Verify(context.WithValue(ctx, sigCheckKey{}, rec), raw)
	if err != nil {
		return nil, v.explain(err, rec, unverifiedIss)
	}
	c := &claims{}
	if err := tok.Claims(c); err != nil {
		return nil, unauthenticated(msgMalformed, err)
	}
	if err := tok.Claims(&c.all); err != nil {
		return nil, unauthenticated(msgMalformed, err)
	}
	if err := checkTimes(c, time.Now(), v.cfg.ClockSkew); err != nil {
		return nil, err
	}
	if v.levels == fromRoles && c.Typ != "" && !strings.EqualFold(c.Typ, "Bearer") {
		// Keycloak signs ID and other tokens with the realm key too; only access
		// tokens ("typ": "Bearer") may be presented as bearer tokens.
		return nil, unauthenticated(msgNotAccess, fmt.Errorf("typ %q", c.Typ))
	}
	return c, nil
}

// peek reads the header's alg and the payload's iss without verifying anything: the
// alg decides whether to verify at all, and the iss only picks the error message.
func peek(raw string) (alg, iss string, err error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return "", "", fmt.Errorf("token has %d parts; want 3", len(parts))
	}
	var header struct {
		Alg string `json:"alg"`
	}
	if err := decodeSegment(parts[0], &header); err != nil {
		return "", "", fmt.Errorf("header: %w", err)
	}
	var payload struct {
		Iss any `json:"iss"`
	}
	if err := decodeSegment(parts[1], &payload); err != nil {
		return "", "", fmt.Errorf("payload: %w", err)
	}
	iss, _ = payload.Iss.(string)
	return header.Alg, iss, nil
}

// decodeSegment decodes one base64url segment of a compact JWS holding a JSON object.
func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// explain turns a go-oidc verification error into a Codex error. It relies on what the
// key set recorded rather than on go-oidc's error strings.
func (v *Verifier) explain(err error, rec *sigCheck, unverifiedIss string) error {
	switch {
	case rec.err != nil && keysUnavailable(rec.err):
		return &codex.Error{Code: codex.Unavailable, Message: msgKeys, Err: err}
	case rec.err != nil && unverifiedIss != v.issuer:
		// Another issuer's keys are unknown here, so its tokens fail the signature check;
		// saying which claim is wrong helps whoever configured the caller.
		return unauthenticated(msgIssuer, err)
	case rec.err != nil:
		return unauthenticated(msgSignature, err)
	case rec.payload == nil:
		// go-oidc refused the token before asking for its signature to be checked.
		return unauthenticated(msgMalformed, err)
	}
	// The signature is valid, so a check on the verified claims failed.
	var c claims
	if json.Unmarshal(rec.payload, &c) != nil {
		return unauthenticated(msgMalformed, err)
	}
	if c.Issuer != v.issuer {
		return unauthenticated(msgIssuer, err)
	}
	if v.cfg.Audience != "" && !c.Audience.Contains(v.cfg.Audience) {
		return unauthenticated(msgAudience, err)
	}
	return unauthenticated(msgMalformed, err)
}

// checkTimes enforces exp (required: go-jose accepts a token without one), then nbf,
// exp and iat with the clock skew through go-jose's ValidateWithLeeway.
func checkTimes(c *claims, now time.Time, skew time.Duration) error {
	if c.Expiry == nil {
		return unauthenticated(msgNoExpiry, nil)
	}
	err := c.Claims.ValidateWithLeeway(jwt.Expected{Time: now}, skew)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, jwt.ErrExpired):
		return unauthenticated(msgExpired, fmt.Errorf("expired at %s", c.Expiry.Time().UTC()))
	case errors.Is(err, jwt.ErrNotValidYet):
		return unauthenticated(msgNotYetValid, fmt.Errorf("nbf is %s", c.NotBefore.Time().UTC()))
	case errors.Is(err, jwt.ErrIssuedInTheFuture):
		return unauthenticated(msgNotYetValid, fmt.Errorf("iat is in the future: %s", c.IssuedAt.Time().UTC()))
	default:
		return unauthenticated(msgMalformed, err)
	}
}

// sigCheck records what the key set saw during one Verify call.
type sigCheck struct {
	// payload is the verified payload, set when the signature was valid.
	payload []byte
	// err is the key set's error, set when it was not.
	err error
}

type sigCheckKey struct{}

// recordingKeySet wraps a go-oidc key set and records its result in the sigCheck carried
// by the context, so that a failed Verify can be explained precisely.
type recordingKeySet struct{ oidc.KeySet }

// VerifySignature implements oidc.KeySet.
func (k recordingKeySet) VerifySignature(ctx context.Context, jws string) ([]byte, error) {
	payload, err := k.KeySet.VerifySignature(ctx, jws)
	if rec, ok := ctx.Value(sigCheckKey{}).(*sigCheck); ok {
		rec.payload, rec.err = payload, err
	}
	return payload, err
}

// keysUnavailable reports whether err means the issuer's keys could not be fetched,
// rather than that no key matched.
func keysUnavailable(err error) bool {
	var uerr *url.Error
	return errors.As(err, &uerr) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// statusTransport turns a non-2xx answer from the issuer into an error, so that a key
// fetch against a failing issuer surfaces as *url.Error (see keysUnavailable).
type statusTransport struct{ base http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (t statusTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		resp.Body.Close()
		return nil, fmt.Errorf("issuer answered %s", resp.Status)
	}
	return resp, nil
}

// claims are the token claims Codex reads.
type claims struct {
	jwt.Claims
	Email             string `json:"email"`
	Name              string `json:"name"`
	PreferredUsername string `json:"preferred_username"`
	// Typ is Keycloak's token kind: "Bearer" for access tokens, "ID" for ID tokens.
	Typ string `json:"typ"`
	// PermissionLevel is set by HiveMatrix Core and the dev issuer.
	PermissionLevel string `json:"permission_level"`
	// Type is "service" on service tokens.
	Type           string `json:"type"`
	CallingService string `json:"calling_service"`
	TargetService  string `json:"target_service"`
	// RealmAccess and ResourceAccess carry Keycloak roles.
	RealmAccess    roleList            `json:"realm_access"`
	ResourceAccess map[string]roleList `json:"resource_access"`

	// all holds every claim, for the configurable company claim.
	all map[string]json.RawMessage
}

// roleList is Keycloak's {"roles": [...]} object.
type roleList struct {
	Roles []string `json:"roles"`
}
