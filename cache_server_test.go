package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hivematrix/codex/auth"
	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/config"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// TestReadCacheThroughREST reads a company twice over REST (the second time from the
// cache), changes it and reads the change at once, with the switch on and off.
func TestReadCacheThroughREST(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		for _, enabled := range []bool{true, false} {
			t.Run(fmt.Sprintf("enabled=%v", enabled), func(t *testing.T) {
				cfg := testConfig(t)
				cfg.Cache.Enabled = enabled
				s, err := buildServer(context.Background(), cfg, discardLog(), db)
				if err != nil {
					t.Fatal(err)
				}
				if (s.cache != nil) != enabled {
					t.Fatalf("cache = %v with enabled = %v", s.cache, enabled)
				}
				if s.cache != nil {
					t.Cleanup(s.cache.Close)
				}
				ctx := codex.WithPrincipal(context.Background(), &codex.Principal{Email: "a@b.example", Level: codex.LevelAdmin})
				c := &codex.Company{Name: "Cached"}
				if err := db.CreateCompany(ctx, c); err != nil {
					t.Fatal(err)
				}
				tok := mint(t, s, auth.MintOptions{Email: "ada@msp.example", Level: codex.LevelAdmin})
				path := fmt.Sprintf("/api/companies/%d", c.ID)
				counter := storetest.CountQueries(db)
				statements := func() int {
					counter.Reset()
					if w := do(t, s.handler, "GET", path, tok, nil); w.Code != http.StatusOK {
						t.Fatalf("GET %s = %d %s", path, w.Code, w.Body)
					}
					return counter.Count()
				}
				first, second := statements(), statements()
				if enabled && second >= first {
					t.Errorf("GET twice with the cache: %d then %d statements; want fewer the second time", first, second)
				}
				if !enabled && second != first {
					t.Errorf("GET twice without the cache: %d then %d statements; want the same", first, second)
				}
				name := "Renamed " + fmt.Sprint(enabled)
				if w := do(t, s.handler, "PATCH", path, tok, strings.NewReader(`{"name":"`+name+`"}`), "Content-Type", "application/json"); w.Code != http.StatusOK {
					t.Fatalf("PATCH %s = %d %s", path, w.Code, w.Body)
				}
				w := do(t, s.handler, "GET", path, tok, nil)
				var got struct{ Name string }
				if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || got.Name != name {
					t.Errorf("GET after PATCH = %s; want name %q", w.Body, name)
				}
				h := decodeHealth(t, do(t, s.handler, "GET", "/health", "", nil))
				if want := map[bool]string{true: "ok: ", false: "off"}[enabled]; !strings.HasPrefix(h.Checks["cache"], want) {
					t.Errorf("/health cache check = %q; want %q...", h.Checks["cache"], want)
				}
			})
		}
	})
}

func TestGCSettingsMakeRoomForTheCache(t *testing.T) {
	cfg := config.Default()
	if got := gcSettings(cfg).MemoryLimitMB; got != 112+48 {
		t.Errorf("memory limit with the cache on = %d MiB; want 160", got)
	}
	cfg.Cache.Enabled = false
	if got := gcSettings(cfg).MemoryLimitMB; got != 112 {
		t.Errorf("memory limit with the cache off = %d MiB; want 112", got)
	}
	cfg.Cache.Enabled, cfg.Server.MemoryLimitMB = true, 0
	if got := gcSettings(cfg).MemoryLimitMB; got != 0 {
		t.Errorf("no memory limit with the cache on = %d MiB; want 0 (none)", got)
	}
}
