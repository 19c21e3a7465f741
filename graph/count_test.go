package graph_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/hivematrix/codex/graph"
	"github.com/hivematrix/codex/seed"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// benchQuery reads a benchmark query and its variables from bench/queries/codex.
func benchQuery(t *testing.T, name string) (string, map[string]any) {
	t.Helper()
	dir := filepath.Join("..", "bench", "queries", "codex")
	q, err := os.ReadFile(filepath.Join(dir, name+".graphql"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, name+".vars.json"))
	if err != nil {
		t.Fatal(err)
	}
	var vars map[string]any
	if err := json.Unmarshal(b, &vars); err != nil {
		t.Fatalf("%s.vars.json: %v", name, err)
	}
	return string(q), vars
}

// TestStatementCounts runs the three benchmark queries on the synthetic data set with a
// small and a large page and counts the SQL statements: the counts must be equal, and at
// most one statement per relation level.
func TestStatementCounts(t *testing.T) {
	cases := []struct {
		query string
		vary  string // the variable that sets the page size
		max   int    // one statement per level
	}{
		// company, parent, children, contacts, assets, devices, links, peers
		{"q1", "assets", 8},
		// roots page, primary contacts, asset counts, children
		{"q2", "first", 4},
		// roots page, then contacts and children per level: 1 + 2 + 2 + 1
		{"q3", "first", 6},
	}
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		if err := seed.Scale(context.Background(), db.Bun(), 250); err != nil {
			t.Fatal(err)
		}
		// The client user belongs to root company 1, whose subtree holds company 3.
		e := serve(t, db, &fixture{east: 1}, graph.Options{MaxComplexity: 1 << 30})
		counter := storetest.CountQueries(db)
		for _, c := range cases {
			// The policy layer adds a few statements of its own for a client user (its
			// root, its subtree, a scope check), a constant: they must not grow either.
			for who, max := range map[string]int{"admin": c.max, "client": c.max + 3} {
				query, vars := benchQuery(t, c.query)
				var counts, sizes [2]int
				for i, size := range []int{10, 100} {
					vars[c.vary] = size
					counter.Reset()
					data := e.ok(who, query, vars)
					counts[i] = counter.Count()
					raw, _ := json.Marshal(data)
					sizes[i] = len(raw)
					if counts[i] > max {
						t.Errorf("%s as %s with %s=%d: %d statements, want at most %d:\n%s", c.query, who, c.vary, size, counts[i], max, counter)
					}
				}
				t.Logf("%s %s as %s: %s=10: %d statements (%d bytes); %s=100: %d statements (%d bytes)",
					db.Dialect(), c.query, who, c.vary, counts[0], sizes[0], c.vary, counts[1], sizes[1])
				if counts[0] != counts[1] {
					t.Errorf("%s as %s: %d statements with %s=10, %d with %s=100; want equal", c.query, who, counts[0], c.vary, counts[1], c.vary)
				}
				if who == "admin" && sizes[0] >= sizes[1] { // the client sees one tree only
					t.Errorf("%s as %s: the larger page returned no more data (%d bytes vs %d)", c.query, who, sizes[1], sizes[0])
				}
			}
		}
	})
}
