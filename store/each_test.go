package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// TestEachAssetStreams checks the streamed export: every row in order, and many exports at
// once whose callbacks each run statements of their own (as the policy layer's lookups
// do) finish rather than wait forever for a connection held by another export.
func TestEachAssetStreams(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		c := ctx(t)
		co := newCompany(t, db, uniqueName("Stream"))
		const n = 25
		for i := range n {
			newAsset(t, db, co.ID, fmt.Sprintf("host-%02d", n-1-i))
		}
		f := codex.AssetFilter{CompanyID: &co.ID, Order: codex.Order{Field: "name"}}
		want := walk(t, db, f, 7, false)
		if len(want) != n {
			t.Fatalf("walk = %d assets; want %d", len(want), n)
		}

		c, cancel := context.WithTimeout(c, time.Minute)
		defer cancel()
		const exports = 20 // more than the pool's connections
		var wg sync.WaitGroup
		errs := make([]error, exports)
		got := make([][]int64, exports)
		for e := range exports {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[e] = db.EachAsset(c, f, func(a *codex.Asset) error {
					if _, err := db.Company(c, a.CompanyID); err != nil {
						return err
					}
					got[e] = append(got[e], a.ID)
					return nil
				})
			}()
		}
		wg.Wait()
		for e := range exports {
			if errs[e] != nil {
				t.Fatalf("export %d: %v", e, errs[e])
			}
			if fmt.Sprint(got[e]) != fmt.Sprint(want) {
				t.Errorf("export %d = %v; want %v", e, got[e], want)
			}
		}
	})
}
