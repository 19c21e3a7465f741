package auth_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hivematrix/codex/auth"
	"github.com/hivematrix/codex/auth/authtest"
	"github.com/hivematrix/codex/codex"
)

// splitToken returns the three segments of a compact JWS.
func splitToken(t *testing.T, token string) []string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d segments; want 3", len(parts))
	}
	return parts
}

// decodeJSON decodes a base64url JSON segment into v.
func decodeJSON(t *testing.T, seg string, v any) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatalf("decoding segment: %v", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("unmarshaling segment: %v", err)
	}
}

// coreConfigForDev is a Core configuration whose dev key path points into a temp dir,
// so a dev issuer can be created beside a real one.
func coreConfigForDev(t *testing.T) auth.Config {
	t.Helper()
	cfg := coreConfig(authtest.NewCore(t))
	cfg.DevKeyFile = t.TempDir() + "/dev.pem"
	return cfg
}

// problem is what the test's onError writes, standing in for the REST layer.
type problem struct {
	Code    codex.Code `json:"code"`
	Message string     `json:"message"`
}

// authServer serves, behind v's middleware, a handler that echoes the principal as JSON.
func authServer(t *testing.T, v *auth.Verifier) *httptest.Server {
	t.Helper()
	onError := func(w http.ResponseWriter, r *http.Request, err error) {
		status := map[codex.Code]int{codex.Unauthenticated: 401, codex.Forbidden: 403}[codex.ErrorCode(err)]
		if status == 0 {
			status = 500
		}
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(problem{Code: codex.ErrorCode(err), Message: codex.ErrorMessage(err)})
	}
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := codex.PrincipalFrom(r.Context())
		if p == nil {
			http.Error(w, "no principal", http.StatusTeapot)
			return
		}
		json.NewEncoder(w).Encode(p)
	})
	srv := httptest.NewServer(v.Middleware(onError)(echo))
	t.Cleanup(srv.Close)
	return srv
}

func TestMiddleware(t *testing.T) {
	core := authtest.NewCore(t)
	cfg := coreConfig(core)
	cfg.Services = map[string]codex.Grant{"vault": {Read: true, Redact: true}}
	v := newVerifier(t, cfg, nil)
	srv := authServer(t, v)

	admin := core.Mint(core.Claims(authtest.Claims{"permission_level": "admin"}))
	expired := core.Mint(core.Claims(authtest.Claims{"permission_level": "admin", "exp": time.Now().Add(-time.Hour).Unix()}))
	clientNoCompany := core.Mint(core.Claims(authtest.Claims{"permission_level": "client"}))
	vault := core.Mint(serviceClaims(core, "vault", nil))
	const realm = `Bearer realm="codex"`

	tests := []struct {
		name          string
		path          string
		header        http.Header
		wantStatus    int
		wantChallenge string
		wantMessage   string
		wantLevel     codex.Level
		wantRedact    bool
	}{
		{name: "no Authorization", path: "/", wantStatus: 401, wantChallenge: realm, wantMessage: "missing bearer token"},
		{name: "Basic scheme", path: "/", header: http.Header{"Authorization": {"Basic dXNlcjpwYXNz"}},
			wantStatus: 401, wantChallenge: realm, wantMessage: "missing bearer token"},
		{name: "empty bearer", path: "/", header: http.Header{"Authorization": {"Bearer "}},
			wantStatus: 401, wantChallenge: realm, wantMessage: "missing bearer token"},
		{name: "malformed", path: "/", header: http.Header{"Authorization": {"Bearer not-a-jwt"}},
			wantStatus: 401, wantChallenge: realm + `, error="invalid_token", error_description="malformed token"`, wantMessage: "malformed token"},
		{name: "expired", path: "/", header: http.Header{"Authorization": {"Bearer " + expired}},
			wantStatus: 401, wantChallenge: realm + `, error="invalid_token", error_description="token expired"`, wantMessage: "token expired"},
		{name: "platform client without company", path: "/", header: http.Header{"Authorization": {"Bearer " + clientNoCompany}},
			wantStatus: 200, wantLevel: codex.LevelClient},
		{name: "valid", path: "/", header: http.Header{"Authorization": {"Bearer " + admin}}, wantStatus: 200, wantLevel: codex.LevelAdmin},
		{name: "scheme in lower case", path: "/", header: http.Header{"Authorization": {"bearer " + admin}}, wantStatus: 200, wantLevel: codex.LevelAdmin},
		{name: "?redact=true", path: "/?redact=true", header: http.Header{"Authorization": {"Bearer " + admin}},
			wantStatus: 200, wantLevel: codex.LevelAdmin, wantRedact: true},
		{name: "redact header", path: "/", header: http.Header{"Authorization": {"Bearer " + admin}, "X-Codex-Redact": {"true"}},
			wantStatus: 200, wantLevel: codex.LevelAdmin, wantRedact: true},
		{name: "?redact=false", path: "/?redact=false", header: http.Header{"Authorization": {"Bearer " + admin}},
			wantStatus: 200, wantLevel: codex.LevelAdmin},
		{name: "grant redaction cannot be lifted", path: "/?redact=false", header: http.Header{"Authorization": {"Bearer " + vault}},
			wantStatus: 200, wantRedact: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, srv.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, vs := range tt.header {
				req.Header[k] = vs
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("GET %s: %v", tt.path, err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d; want %d", resp.StatusCode, tt.wantStatus)
			}
			if got := resp.Header.Get("WWW-Authenticate"); got != tt.wantChallenge {
				t.Errorf("WWW-Authenticate = %q; want %q", got, tt.wantChallenge)
			}
			if tt.wantStatus != 200 {
				var got problem
				if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
					t.Fatalf("decoding problem: %v", err)
				}
				if got.Message != tt.wantMessage {
					t.Errorf("problem message = %q; want %q", got.Message, tt.wantMessage)
				}
				return
			}
			var p codex.Principal
			if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
				t.Fatalf("decoding principal: %v", err)
			}
			if p.Level != tt.wantLevel || p.Redact != tt.wantRedact {
				t.Errorf("principal level %q, redact %v; want %q, %v", p.Level, p.Redact, tt.wantLevel, tt.wantRedact)
			}
		})
	}
}

func TestMiddlewareWithoutOnError(t *testing.T) {
	v := newVerifier(t, coreConfig(authtest.NewCore(t)), nil)
	h := v.Middleware(nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("status without onError = %d; want 401", resp.StatusCode)
	}
}

func TestBearerToken(t *testing.T) {
	tests := []struct {
		header    string
		wantToken string
		wantOK    bool
	}{
		{"", "", false},
		{"Bearer abc.def.ghi", "abc.def.ghi", true},
		{"bearer abc", "abc", true},
		{"BEARER   abc  ", "abc", true},
		{"Bearer", "", false},
		{"Bearer ", "", false},
		{"Basic dXNlcjpwYXNz", "", false},
		{"Bearerabc", "", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if tt.header != "" {
			r.Header.Set("Authorization", tt.header)
		}
		token, ok := auth.BearerToken(r)
		if token != tt.wantToken || ok != tt.wantOK {
			t.Errorf("BearerToken(%q) = %q, %v; want %q, %v", tt.header, token, ok, tt.wantToken, tt.wantOK)
		}
	}
}
