package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hivematrix/codex/auth"
	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/seed"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// TestRateLimits checks the inbound limits through the real router: a principal past
// [server] rate_limit requests a minute gets 429 with Retry-After and a problem body,
// while another principal is still served; an IP past [server] public_rate_limit gets 429
// on the routes that need no token.
func TestRateLimits(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		s := testServer(t, db)
		s.cfg.Server.RateLimit, s.cfg.Server.PublicRateLimit = 5, 3
		h := s.routes()
		admin := mint(t, s, auth.MintOptions{Email: seed.DemoAdmin, Level: codex.LevelAdmin})
		tech := mint(t, s, auth.MintOptions{Email: "tom@example.com", Level: codex.LevelTechnician})
		var last int
		for range 6 {
			last = do(t, h, "GET", "/api/companies?limit=1", admin, nil).Code
		}
		w := do(t, h, "GET", "/api/companies?limit=1", admin, nil)
		if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" ||
			!strings.Contains(w.Body.String(), "too many requests") || w.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("request 7 of a principal limited to 5 = %d (request 6: %d), Retry-After %q, %s; want 429, Retry-After and a problem",
				w.Code, last, w.Header().Get("Retry-After"), w.Body)
		}
		if w := do(t, h, "POST", "/graphql", admin, strings.NewReader(`{"query":"{ __typename }"}`), "Content-Type", "application/json"); w.Code != http.StatusTooManyRequests {
			t.Errorf("GraphQL for the same principal = %d; want 429 (one budget per principal)", w.Code)
		}
		if w := do(t, h, "GET", "/api/companies?limit=1", tech, nil); w.Code != http.StatusOK {
			t.Errorf("another principal = %d; want 200", w.Code)
		}
		for range 3 {
			do(t, h, "GET", "/api/public/user/theme?email=x@example.com", "", nil)
		}
		w = do(t, h, "GET", "/api/public/user/theme?email=y@example.com", "", nil)
		if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
			t.Errorf("public request 4 of an IP limited to 3 = %d, Retry-After %q; want 429", w.Code, w.Header().Get("Retry-After"))
		}
		// Nexus asks for every page view's theme with its service token, from the one
		// address the anonymous budget is exhausted for: it is limited as a principal.
		nexus := mint(t, s, auth.MintOptions{Service: "nexus"})
		for i := range 5 {
			if w := do(t, h, "GET", "/api/public/user/theme?email=x@example.com", nexus, nil); w.Code != http.StatusOK {
				t.Fatalf("theme lookup %d with a service token = %d %s; want 200 (the principal's budget of 5)", i+1, w.Code, w.Body)
			}
		}
		if w := do(t, h, "GET", "/api/public/user/theme?email=x@example.com", nexus, nil); w.Code != http.StatusTooManyRequests {
			t.Errorf("theme lookup 6 with a service token limited to 5 = %d; want 429", w.Code)
		}
		if w := do(t, h, "GET", "/api/public/user/theme?email=x@example.com", "not-a-token", nil); w.Code != http.StatusTooManyRequests {
			t.Errorf("theme lookup with a token that does not verify = %d; want 429 (the address's budget)", w.Code)
		}
	})
}
