package metrics

import (
	"context"
	"strings"
	"testing"

	"github.com/hivematrix/codex/cache"
	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store/storetest"
)

func TestCacheMetrics(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	c, err := cache.New(context.Background(), db, cache.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	svc := c.Services(db.Services())
	ctx := codex.WithPrincipal(context.Background(), &codex.Principal{Email: "a@b.example", Level: codex.LevelAdmin})
	for range 2 {
		if _, err := svc.Contacts.ContactsByCompanies(ctx, []int64{1, 2}, codex.ContactFilter{}, 0); err != nil {
			t.Fatal(err)
		}
	}
	m := New()
	m.WatchCache(c)
	out := scrape(t, m)
	for _, want := range []string{
		`codex_cache_hits_total{method="ContactsByCompanies"} 2`,
		`codex_cache_misses_total{method="ContactsByCompanies"} 2`,
		`codex_cache_stale_total{method="AgentByEmail"} 0`,
		"codex_cache_entries 2",
		"codex_cache_listener_up 1",
		"codex_cache_bytes ",
		"codex_cache_invalidations_total ",
		"codex_cache_flushes_total ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
