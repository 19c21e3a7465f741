package storetest_test

import (
	"context"
	"sync"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

func TestCounter(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	all := storetest.CountQueries(db)
	mine := storetest.CountQueriesIn(db)
	c := mine.Context(context.Background())

	if _, err := db.Company(c, 1); !codex.IsNotFound(err) {
		t.Fatalf("Company(1) = %v; want NotFound", err)
	}
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() { defer wg.Done(); db.Company(context.Background(), 1) }()
	}
	wg.Wait()
	if got := mine.Count(); got != 1 {
		t.Errorf("context counter = %d; want 1:\n%s", got, mine)
	}
	if got := all.Count(); got != 4 {
		t.Errorf("global counter = %d; want 4", got)
	}
	all.Reset()
	if got := all.Count(); got != 0 || len(all.Queries()) != 0 {
		t.Errorf("after Reset: %d, %v; want 0", got, all.Queries())
	}
}

func TestEachDB(t *testing.T) {
	var ran []string
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ran = append(ran, db.Dialect())
		if err := db.Ping(context.Background()); err != nil {
			t.Error(err)
		}
	})
	if len(ran) == 0 || ran[0] != "sqlite" || (len(ran) == 2 && ran[1] != "pg") {
		t.Errorf("EachDB ran on %v; want [sqlite pg] (or [sqlite] without PostgreSQL)", ran)
	}
}
