package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hivematrix/codex/auth"
	"github.com/hivematrix/codex/auth/authtest"
	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store/storetest"
)

// TestExplorerIsPublic checks, through the server's router, that a browser without a
// token gets the GraphQL explorer and every file it loads from Codex itself.
func TestExplorerIsPublic(t *testing.T) {
	s, err := buildServer(context.Background(), testConfig(t), discardLog(), storetest.Open(t, "sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	w := do(t, s.handler, "GET", "/graphql", "", nil, "Accept", "text/html")
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("GET /graphql (browser) = %d %q; want 200 text/html", w.Code, w.Header().Get("Content-Type"))
	}
	refs := assetRefs(w.Body.String())
	if len(refs) < 5 {
		t.Fatalf("the explorer page loads %d files; want GraphiQL, React and the start-up script:\n%s", len(refs), w.Body)
	}
	for _, ref := range refs {
		if strings.HasPrefix(ref, "data:") {
			continue // the empty icon
		}
		// Behind the platform shell, which serves Codex at /codex/ and strips the prefix.
		url, ok := behindPrefix("/graphql", ref)
		if !ok {
			t.Errorf("%s leaves the /codex prefix", ref)
			continue
		}
		w := do(t, s.handler, "GET", url, "", nil)
		want := "text/css; charset=utf-8"
		if strings.HasSuffix(url, ".js") {
			want = "text/javascript; charset=utf-8"
		}
		if w.Code != http.StatusOK || w.Header().Get("Content-Type") != want || w.Body.Len() == 0 {
			t.Errorf("GET %s without a token = %d %q, %d bytes; want 200 %q", url, w.Code, w.Header().Get("Content-Type"), w.Body.Len(), want)
		}
	}
	// The router sends nothing else below /graphql to the explorer.
	if w := do(t, s.handler, "GET", "/graphql/assets/0000000000000000/graphiql/graphiql.min.js", "", nil); w.Code != http.StatusNotFound {
		t.Errorf("GET of an unknown version = %d; want 404", w.Code)
	}
}

// TestDevSignIn checks the explorer's development sign-in through the server's router:
// offered and answered while the development issuer is on, from this machine only, and
// its token is accepted by /graphql.
func TestDevSignIn(t *testing.T) {
	s, err := buildServer(context.Background(), testConfig(t), discardLog(), storetest.Open(t, "sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	page := do(t, s.handler, "GET", "/graphql", "", nil, "Accept", "text/html").Body.String()
	if !strings.Contains(page, `id="codex-signin"`) || !strings.Contains(page, `data-dev-token="graphql/dev-token"`) {
		t.Errorf("the explorer offers no development sign-in while the development issuer is on")
	}

	signIn := func(remote, host, contentType, body string, header ...string) *httptest.ResponseRecorder {
		t.Helper()
		r := httptest.NewRequest("POST", "/graphql/dev-token", strings.NewReader(body))
		r.RemoteAddr, r.Host = remote, host
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		w := httptest.NewRecorder()
		s.handler.ServeHTTP(w, r)
		return w
	}
	w := signIn("127.0.0.1:40000", "localhost:5010", "application/json", `{"level":"technician"}`)
	var got auth.DevToken
	if err := json.Unmarshal(w.Body.Bytes(), &got); w.Code != http.StatusOK || err != nil || got.Token == "" || got.Level != codex.LevelTechnician {
		t.Fatalf("sign-in = %d %s; want 200 with a technician's token", w.Code, w.Body)
	}
	if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q; want no-store", cc)
	}
	q := do(t, s.handler, "POST", "/graphql", got.Token, strings.NewReader(`{"query":"{ me { email permissionLevel } }"}`), "Content-Type", "application/json")
	if q.Code != http.StatusOK || !strings.Contains(q.Body.String(), `"permissionLevel":"TECHNICIAN"`) {
		t.Errorf("a query with the sign-in token = %d %s; want the technician's me", q.Code, q.Body)
	}

	for _, c := range []struct {
		name                            string
		remote, host, contentType, body string
		header                          []string
		status                          int
	}{
		{"from another machine", "192.0.2.7:40000", "codex.example:5010", "application/json", `{"level":"admin"}`, nil, 403},
		{"to a host name other than localhost (DNS rebinding)", "127.0.0.1:40000", "evil.example:5010", "application/json", `{"level":"admin"}`, nil, 403},
		{"cross-site", "127.0.0.1:40000", "localhost:5010", "application/json", `{"level":"admin"}`, []string{"Sec-Fetch-Site", "cross-site"}, 403},
		{"a form post", "127.0.0.1:40000", "localhost:5010", "application/x-www-form-urlencoded", `level=admin`, nil, 422},
		{"a client level", "[::1]:40000", "[::1]:5010", "application/json", `{"level":"client"}`, nil, 422},
	} {
		if w := signIn(c.remote, c.host, c.contentType, c.body, c.header...); w.Code != c.status || w.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("sign-in %s = %d %q %s; want %d problem+json", c.name, w.Code, w.Header().Get("Content-Type"), w.Body, c.status)
		}
	}
}

// TestDevSignInOffWithARealIssuer checks that a Codex with a real token issuer neither
// offers nor answers the development sign-in.
func TestDevSignInOffWithARealIssuer(t *testing.T) {
	cfg := testConfig(t)
	core := authtest.NewCore(t)
	cfg.Auth.Issuer, cfg.Auth.JWKSURL = core.Issuer, core.JWKSURL
	s, err := buildServer(context.Background(), cfg, discardLog(), storetest.Open(t, "sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	page := do(t, s.handler, "GET", "/graphql", "", nil, "Accept", "text/html").Body.String()
	if strings.Contains(page, `id="codex-signin"`) || !strings.Contains(page, `id="codex-token"`) {
		t.Errorf("with a real issuer the explorer must offer a token field and no sign-in button")
	}
	r := httptest.NewRequest("POST", "/graphql/dev-token", strings.NewReader(`{"level":"admin"}`))
	r.RemoteAddr, r.Host = "127.0.0.1:40000", "localhost:5010"
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	s.handler.ServeHTTP(w, r)
	if w.Code == http.StatusOK || strings.Contains(w.Body.String(), "eyJ") {
		t.Errorf("sign-in with a real issuer = %d %s; want a refusal", w.Code, w.Body)
	}
}
