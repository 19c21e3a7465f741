package store_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// The batch lookups are prepared statements whose one parameter is the key list: other
// keys run the same SQL text.

// keysParam is how the statement's text names its key list on db.
func keysParam(db *store.DB) string {
	if db.Dialect() == "pg" {
		return "$1::bigint[]"
	}
	return "json_each(?1)"
}

// sameText fails unless the counter saw n statements, all with the same text, which
// holds the key-list parameter and none of the keys in missing.
func sameText(t *testing.T, db *store.DB, what string, counter *storetest.Counter, n int, missing ...int64) {
	t.Helper()
	qs := counter.Queries()
	if len(qs) != n {
		t.Fatalf("%s ran %d statements; want %d:\n%s", what, len(qs), n, counter)
	}
	for _, q := range qs[1:] {
		if q != qs[0] {
			t.Errorf("%s ran different texts for other keys:\n%s\n%s", what, qs[0], q)
		}
	}
	if !strings.Contains(qs[0], keysParam(db)) {
		t.Errorf("%s text lacks the key-list parameter %s:\n%s", what, keysParam(db), qs[0])
	}
	for _, k := range missing {
		if strings.Contains(qs[0], fmt.Sprint(k)) {
			t.Errorf("%s text holds key %d:\n%s", what, k, qs[0])
		}
	}
}

func TestPreparedBatchStatements(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		c := ctx(t)
		p1 := newCompany(t, db, uniqueName("Prep P1"))
		p2 := newCompany(t, db, uniqueName("Prep P2"))
		p3 := newCompany(t, db, uniqueName("Prep P3"))
		for _, n := range []string{"Cat C", "Ann A", "Bob B"} {
			newContact(t, db, p1.ID, n)
		}
		newContact(t, db, p3.ID, "Dan D")
		const gone1, gone2 = 987654, 876543

		counter := storetest.CountQueries(db)
		got, errs := db.CompaniesByIDs(c, []int64{p2.ID, gone1, p1.ID, p2.ID})
		if len(got) != 4 || got[0] == nil || got[0].ID != p2.ID || got[1] != nil || got[2] == nil || got[2].ID != p1.ID || got[3] == nil || got[3].ID != p2.ID {
			t.Errorf("CompaniesByIDs(p2, missing, p1, p2) = %v; want [p2 nil p1 p2]", got)
		}
		if len(errs) != 4 || errs[0] != nil || !codex.IsNotFound(errs[1]) || errs[2] != nil || errs[3] != nil {
			t.Errorf("CompaniesByIDs errs = %v; want NotFound at index 1 only", errs)
		}
		got, errs = db.CompaniesByIDs(c, []int64{p3.ID, gone2})
		if len(got) != 2 || got[0] == nil || got[0].ID != p3.ID || got[0].Name != p3.Name || got[1] != nil || !codex.IsNotFound(errs[1]) {
			t.Errorf("CompaniesByIDs(p3, missing) = %v, %v; want [p3 nil] with NotFound", got, errs)
		}
		got, errs = db.CompaniesByIDs(c, []int64{p1.ID, p1.ID, p1.ID})
		if errs != nil || len(got) != 3 || got[0].ID != p1.ID || got[2].ID != p1.ID {
			t.Errorf("CompaniesByIDs(p1 thrice) = %v, %v; want p1 three times", got, errs)
		}
		sameText(t, db, "CompaniesByIDs", counter, 3, gone1, gone2)

		counter.Reset()
		f := codex.ContactFilter{}
		byCo, err := db.ContactsByCompanies(c, []int64{p1.ID, gone1, p1.ID}, f, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(byCo) != 3 || !slices.Equal(contactNames(byCo[0]), []string{"Ann A", "Bob B"}) || len(byCo[1]) != 0 || !slices.Equal(contactNames(byCo[2]), []string{"Ann A", "Bob B"}) {
			t.Errorf("ContactsByCompanies(p1, missing, p1) = %v; want [[Ann Bob] [] [Ann Bob]]", byCo)
		}
		byCo, err = db.ContactsByCompanies(c, []int64{p3.ID, p2.ID, gone2}, f, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(byCo) != 3 || !slices.Equal(contactNames(byCo[0]), []string{"Dan D"}) || len(byCo[1]) != 0 || len(byCo[2]) != 0 {
			t.Errorf("ContactsByCompanies(p3, p2, missing) = %v; want [[Dan] [] []]", byCo)
		}
		sameText(t, db, "ContactsByCompanies", counter, 2, gone1, gone2)

		counter.Reset()
		for _, tc := range []struct {
			keys []int64
			want []int
		}{
			{[]int64{p1.ID, gone1, p3.ID, p1.ID}, []int{3, 0, 1, 3}},
			{[]int64{p2.ID}, []int{0}},
		} {
			n, err := db.CountContactsByCompanies(c, tc.keys, f)
			if err != nil || !slices.Equal(n, tc.want) {
				t.Errorf("CountContactsByCompanies(%v) = %v, %v; want %v", tc.keys, n, err, tc.want)
			}
		}
		sameText(t, db, "CountContactsByCompanies", counter, 2, gone1)

		// Another filter is another text; no keys, no statement.
		counter.Reset()
		if _, err := db.ContactsByCompanies(c, []int64{p1.ID}, codex.ContactFilter{Active: boolp(true)}, 2); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ContactsByCompanies(c, []int64{p1.ID}, f, 2); err != nil {
			t.Fatal(err)
		}
		if qs := counter.Queries(); len(qs) != 2 || qs[0] == qs[1] {
			t.Errorf("ContactsByCompanies(active) and ContactsByCompanies() ran %d statements, same text %v; want 2 texts", len(qs), len(qs) == 2 && qs[0] == qs[1])
		}
		counter.Reset()
		if got, errs := db.CompaniesByIDs(c, nil); len(got) != 0 || errs != nil || counter.Count() != 0 {
			t.Errorf("CompaniesByIDs(nil) = %v, %v in %d statements; want nothing in 0", got, errs, counter.Count())
		}
	})
}

func TestPreparedLinksByDevices(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		c := ctx(t)
		co := newCompany(t, db, uniqueName("Prep Links"))
		sw := newDevice(t, db, co.ID, "Core", "10.8.0.1")
		ap := newDevice(t, db, co.ID, "AP", "10.8.0.2")
		fw := newDevice(t, db, co.ID, "FW", "10.8.0.3")
		for _, l := range []*codex.NetworkLink{
			{AID: sw.ID, APort: "1", BID: ap.ID, BPort: "eth0"},
			{AID: fw.ID, APort: "lan", BID: sw.ID, BPort: "2"},
		} {
			if err := db.ConnectDevices(c, l); err != nil {
				t.Fatal(err)
			}
		}
		counter := storetest.CountQueries(db)
		ends, err := db.LinksByDevices(c, []int64{sw.ID, 999999, ap.ID, sw.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(ends) != 4 || len(ends[0]) != 2 || len(ends[1]) != 0 || len(ends[2]) != 1 || len(ends[3]) != 2 {
			t.Fatalf("LinksByDevices(sw, missing, ap, sw) = %v; want 2, 0, 1, 2 ends", ends)
		}
		if ends[0][0].DeviceID != sw.ID || ends[0][0].LocalPort != "1" || ends[0][0].PeerID != ap.ID ||
			ends[0][1].LocalPort != "2" || ends[0][1].PeerID != fw.ID || ends[2][0].LocalPort != "eth0" || ends[2][0].PeerID != sw.ID {
			t.Errorf("LinksByDevices ends = %+v; want the core's ports 1 and 2, the AP's eth0", ends)
		}
		ends, err = db.LinksByDevices(c, []int64{fw.ID})
		if err != nil || len(ends) != 1 || len(ends[0]) != 1 || ends[0][0].LocalPort != "lan" || ends[0][0].PeerPort != "2" {
			t.Errorf("LinksByDevices(fw) = %v, %v; want its lan end", ends, err)
		}
		sameText(t, db, "LinksByDevices", counter, 2, 999999)
	})
}

// TestPreparedStatementsSurviveEviction runs more statement texts than a small cache
// holds (each limit is a text of its own), twice: evicted statements are closed and
// prepared again when next used, and every lookup returns the right rows.
func TestPreparedStatementsSurviveEviction(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		c := ctx(t)
		store.SetStmtCacheSize(db, 2)
		a := newCompany(t, db, uniqueName("Evict A"))
		b := newCompany(t, db, uniqueName("Evict B"))
		names := []string{"Ann A", "Bob B", "Cat C", "Dan D", "Eve E", "Fay F"}
		for _, n := range names {
			newContact(t, db, a.ID, n)
		}
		newContact(t, db, b.ID, "Gus G")

		counter := storetest.CountQueries(db)
		const maxLimit = 8
		for round := range 2 {
			for limit := 1; limit <= maxLimit; limit++ {
				got, err := db.ContactsByCompanies(c, []int64{b.ID, a.ID}, codex.ContactFilter{}, limit)
				if err != nil {
					t.Fatalf("round %d: ContactsByCompanies(limit %d): %v", round, limit, err)
				}
				want := names[:min(limit, len(names))]
				if !slices.Equal(contactNames(got[0]), []string{"Gus G"}) || !slices.Equal(contactNames(got[1]), want) {
					t.Errorf("round %d: ContactsByCompanies(limit %d) = %v / %v; want [Gus G] / %v", round, limit, contactNames(got[0]), contactNames(got[1]), want)
				}
				// A statement of another kind in between evicts one more.
				if byID, errs := db.CompaniesByIDs(c, []int64{a.ID, int64(900000 + limit)}); byID[0] == nil || byID[0].ID != a.ID || !codex.IsNotFound(errs[1]) {
					t.Errorf("round %d: CompaniesByIDs = %v, %v", round, byID, errs)
				}
			}
		}
		texts := map[string]bool{}
		for _, q := range counter.Queries() {
			texts[q] = true
		}
		if len(texts) != maxLimit+1 {
			t.Errorf("ran %d distinct texts; want %d (one per limit, and CompaniesByIDs)", len(texts), maxLimit+1)
		}
		if n := store.StmtCacheLen(db); n != 2 {
			t.Errorf("cache holds %d statements; want 2", n)
		}
	})
}

// TestPreparedConcurrentEviction has many goroutines run lookups whose texts keep evicting
// one another from a small cache: a statement closed by eviction between its lookup and
// its use runs unprepared, so every lookup succeeds.
func TestPreparedConcurrentEviction(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		c := ctx(t)
		store.SetStmtCacheSize(db, 2)
		co := newCompany(t, db, uniqueName("Evict Concurrent"))
		names := []string{"Ann A", "Bob B", "Cat C", "Dan D"}
		for _, n := range names {
			newContact(t, db, co.ID, n)
		}
		const workers, rounds, texts = 8, 40, 4
		var wg sync.WaitGroup
		errs := make(chan error, workers*rounds)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := range rounds {
					limit := (w+r)%texts + 1
					got, err := db.ContactsByCompanies(c, []int64{co.ID}, codex.ContactFilter{}, limit)
					switch {
					case err != nil:
						errs <- fmt.Errorf("limit %d: %w", limit, err)
					case !slices.Equal(contactNames(got[0]), names[:limit]):
						errs <- fmt.Errorf("limit %d: %v; want %v", limit, contactNames(got[0]), names[:limit])
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		n := 0
		for err := range errs {
			if n++; n <= 5 {
				t.Error(err)
			}
		}
		if n > 5 {
			t.Errorf("… %d failures in all", n)
		}
	})
}
