package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hivematrix/codex/auth"
	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// The server mounts the web UI next to the APIs: pages for people at /, /companies, …,
// while the API paths and unknown paths keep their problem+json answers.
func TestServerMountsTheWebUI(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		s := testServer(t, db)
		if w := do(t, s.handler, http.MethodGet, "/", "", nil); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "./signin?next=" {
			t.Errorf("GET / = %d to %q; want 303 to ./signin?next=", w.Code, w.Header().Get("Location"))
		}
		tok := mint(t, s, auth.MintOptions{Email: "ada@example.com", Level: codex.LevelAdmin})
		w := do(t, s.handler, http.MethodGet, "/companies?q=sheriff", tok, nil)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Marion County Sheriff") || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
			t.Errorf("GET /companies = %d %s", w.Code, w.Header().Get("Content-Type"))
		}
		if w := do(t, s.handler, http.MethodGet, "/signin", "", nil); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Development sign-in") {
			t.Errorf("GET /signin = %d", w.Code)
		}
		for _, p := range []string{"/nope", "/api/nope"} {
			w := do(t, s.handler, http.MethodGet, p, tok, nil)
			if w.Code != http.StatusNotFound || w.Header().Get("Content-Type") != "application/problem+json" {
				t.Errorf("GET %s = %d %s; want 404 problem+json", p, w.Code, w.Header().Get("Content-Type"))
			}
		}
	})
}
