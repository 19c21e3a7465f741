package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/hivematrix/codex/auth"
	"github.com/hivematrix/codex/auth/authtest"
	"github.com/hivematrix/codex/policy"
	"github.com/hivematrix/codex/rest"
	"github.com/hivematrix/codex/seed"
	"github.com/hivematrix/codex/store/storetest"
	"github.com/hivematrix/codex/web"
)

// With a real issuer and a client configured, signing in runs the OpenID Connect
// authorization-code flow against it (a fake Keycloak over real HTTP), and the session
// carries its access token; development sign-in is off.
func TestOIDCSignIn(t *testing.T) {
	kc := authtest.NewKeycloak(t)
	kc.LoginClaims = authtest.Claims{"email": "tess@example.com", "name": "Tess Tech", "realm_access": map[string]any{"roles": []string{"technician"}}}
	ctx := context.Background()
	db := storetest.Open(t, "sqlite")
	svc := policy.New(db.Services())
	if err := seed.Demo(ctx, svc); err != nil {
		t.Fatal(err)
	}
	v, err := auth.New(ctx, auth.Config{IssuerURL: kc.Issuer}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	r.Use(rest.RequestID)
	web.New(svc, web.Options{Verifier: v, OIDC: web.OIDCConfig{IssuerURL: kc.Issuer, ClientID: authtest.ClientID, ClientSecret: authtest.ClientSecret}}).Mount(r)
	srv := httptest.NewServer(r)
	defer srv.Close()

	b := newBrowser(t)
	resp, body := b.get(srv.URL + "/companies?q=sheriff")
	if resp.Request.URL.Path != "/signin" || strings.Contains(body, "Development sign-in") || !strings.Contains(body, "signin?start=1") {
		t.Fatalf("unauthenticated GET ended at %s:\n%.1500s", resp.Request.URL, body)
	}
	link := match(t, regexpMust(`href="(signin\?start=1[^"]*)"`), body)
	start, _ := resp.Request.URL.Parse(htmlUnescape(link))
	resp, body = b.get(start.String())
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/companies" || !strings.Contains(body, "Marion County Sheriff") ||
		!strings.Contains(body, "Tess Tech") || !strings.Contains(body, "(technician)") {
		t.Fatalf("after the OIDC flow: %d at %s:\n%.1500s", resp.StatusCode, resp.Request.URL, body)
	}
	// A callback with a state the browser did not start is refused.
	resp, _ = b.get(srv.URL + "/signin/callback?code=x&state=forged")
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("forged callback = %d; want 400", resp.StatusCode)
	}
	if resp, _ := b.c.PostForm(srv.URL+"/signin", url.Values{"email": {"ada@example.com"}, "level": {"admin"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("development sign-in with a real issuer = %d; want 403", resp.StatusCode)
	}
}
