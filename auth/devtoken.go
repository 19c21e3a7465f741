package auth

import (
	"encoding/json"
	"mime"
	"net"
	"net/http"
	"time"

	"github.com/hivematrix/codex/codex"
)

// DevSignIn is the development sign-in behind the GraphQL explorer's button: the server
// mounts it (POST /graphql/dev-token) only while the development issuer is on, that is
// when no real token issuer is configured. It mints what `codex token` would mint, for
// the same person, to a browser on this machine:
//
//   - only over a loopback connection, with a Host header naming localhost or an IP
//     address (a page on another site cannot reach it by pointing its own name at
//     127.0.0.1);
//   - only for application/json, which a cross-site page cannot send without a CORS
//     preflight that Codex never grants, and never for a request its browser marks
//     cross-site (Sec-Fetch-Site);
//   - a person's token (admin, technician or billing) for an hour.
type DevSignIn struct {
	Issuer *DevIssuer
	// Email is the person the tokens name (the demo data's administrator).
	Email string
	// Audience is the configured [auth] audience, if any.
	Audience string
	// WriteProblem answers a refusal (rest.WriteProblem).
	WriteProblem func(http.ResponseWriter, *http.Request, error)
}

// devSignInTTL is a development sign-in token's lifetime.
const devSignInTTL = time.Hour

// DevToken is DevSignIn's answer.
type DevToken struct {
	Token     string      `json:"token"`
	Level     codex.Level `json:"level"`
	Email     string      `json:"email"`
	ExpiresAt time.Time   `json:"expires_at"`
}

// ServeHTTP mints a token for the level in the body: {"level": "technician"}.
func (s DevSignIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := checkLocal(r); err != nil {
		s.WriteProblem(w, r, err)
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		s.WriteProblem(w, r, codex.Errorf(codex.Invalid, "send the level as application/json: {\"level\": \"admin\"}"))
		return
	}
	var body struct {
		Level codex.Level `json:"level"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10)).Decode(&body); err != nil {
		s.WriteProblem(w, r, codex.Errorf(codex.Invalid, "the body must be a JSON object such as {\"level\": \"admin\"}"))
		return
	}
	if body.Level == "" {
		body.Level = codex.LevelAdmin
	}
	switch body.Level {
	case codex.LevelAdmin, codex.LevelTechnician, codex.LevelBilling:
	default:
		err := codex.Errorf(codex.Invalid, "level must be admin, technician or billing")
		err.Fields = map[string]string{"level": "must be admin, technician or billing (for a client, use codex token --company)"}
		s.WriteProblem(w, r, err)
		return
	}
	expires := time.Now().Add(devSignInTTL)
	tok, err := s.Issuer.Mint(MintOptions{Email: s.Email, Level: body.Level, Audience: s.Audience, TTL: devSignInTTL})
	if err != nil {
		s.WriteProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(DevToken{Token: tok, Level: body.Level, Email: s.Email, ExpiresAt: expires.UTC().Truncate(time.Second)})
}

// checkLocal refuses a request that does not come from a browser on this machine.
func checkLocal(r *http.Request) error {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return codex.Errorf(codex.Forbidden, "the development sign-in answers this machine only; use `codex token`")
	}
	name := r.Host
	if h, _, err := net.SplitHostPort(r.Host); err == nil {
		name = h
	}
	if name != "localhost" && net.ParseIP(name) == nil {
		return codex.Errorf(codex.Forbidden, "the development sign-in answers requests to localhost or an IP address only")
	}
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return codex.Errorf(codex.Forbidden, "the development sign-in refuses cross-site requests")
	}
	return nil
}
