package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uptrace/bun"
)

// SetStmtCacheSize shrinks (or grows) the prepared statements db keeps, for tests of
// eviction; statements beyond the new size are evicted (and closed) at once.
func SetStmtCacheSize(db *DB, n int) { db.stmts.stmts.Resize(n) }

// StmtCacheLen is the number of prepared statements db keeps.
func StmtCacheLen(db *DB) int { return db.stmts.stmts.Len() }

// openSQLite opens an SQLite database in the test's temporary directory, not migrated.
func openSQLite(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "stmts.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// sumOf runs s, a statement summing the values of its JSON array parameter plus a
// constant, and returns the sum.
func sumOf(t *testing.T, s *sql.Stmt, arg string) (int64, error) {
	t.Helper()
	var n int64
	err := s.QueryRowContext(context.Background(), arg).Scan(&n)
	return n, err
}

func sumText(i int) string {
	return fmt.Sprintf("SELECT %d + COALESCE(SUM(value), 0) FROM json_each(?1)", i)
}

func TestStmtCacheDefaultSize(t *testing.T) {
	db := openSQLite(t)
	c := newStmtCache()
	ctx := context.Background()
	for i := range stmtCacheSize + 1 {
		if _, err := c.get(ctx, db.bun.DB, sumText(i)); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.stmts.Len(); n != stmtCacheSize || stmtCacheSize != 512 {
		t.Errorf("cache holds %d statements after %d texts (stmtCacheSize %d); want 512", n, stmtCacheSize+1, stmtCacheSize)
	}
	if _, ok := c.stmts.Peek(sumText(0)); ok {
		t.Errorf("the least recently used text is still cached past the bound")
	}
}

func TestStmtCacheEviction(t *testing.T) {
	db := openSQLite(t)
	sqldb := db.bun.DB
	ctx := context.Background()
	c := newStmtCache()
	c.stmts.Resize(2)

	s0, err := c.get(ctx, sqldb, sumText(0))
	if err != nil {
		t.Fatal(err)
	}
	if again, err := c.get(ctx, sqldb, sumText(0)); err != nil || again != s0 {
		t.Fatalf("second get = %p, %v; want the cached statement %p", again, err, s0)
	}
	if c.evicted(sumText(0), s0) {
		t.Fatal("evicted(cached statement) = true")
	}
	if n, err := sumOf(t, s0, "[1,2]"); err != nil || n != 3 {
		t.Fatalf("s0([1,2]) = %d, %v; want 3", n, err)
	}

	// Two more texts push the first out of a cache of two; it is closed.
	for i := 1; i <= 2; i++ {
		if _, err := c.get(ctx, sqldb, sumText(i)); err != nil {
			t.Fatal(err)
		}
	}
	if !c.evicted(sumText(0), s0) {
		t.Fatal("evicted(s0) = false after two newer texts in a cache of two")
	}
	if _, err := sumOf(t, s0, "[1]"); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("s0 after eviction: %v; want a closed statement", err)
	}

	// Asked for again, the text is prepared anew, and the new statement works.
	s0b, err := c.get(ctx, sqldb, sumText(0))
	if err != nil {
		t.Fatal(err)
	}
	if s0b == s0 || c.evicted(sumText(0), s0b) || !c.evicted(sumText(0), s0) {
		t.Errorf("re-prepared = %p (old %p), evicted(new) %v; want a new cached statement", s0b, s0, c.evicted(sumText(0), s0b))
	}
	if n, err := sumOf(t, s0b, "[4,5]"); err != nil || n != 9 {
		t.Errorf("re-prepared s0([4,5]) = %d, %v; want 9", n, err)
	}
	if n := c.stmts.Len(); n != 2 {
		t.Errorf("cache holds %d statements; want 2", n)
	}
	// A text that does not prepare is an error and is not cached.
	if _, err := c.get(ctx, sqldb, "SELECT FROM nowhere ?1"); err == nil {
		t.Error("get(bad SQL) = nil error")
	}
	if n := c.stmts.Len(); n != 2 {
		t.Errorf("cache holds %d statements after a failed prepare; want 2", n)
	}
}

// TestQueryKeysAfterEviction runs runPrepared over texts that evict one another from a cache
// of one: each call prepares its text again and returns the right rows, and the query
// hooks see every statement with its key list.
func TestQueryKeysAfterEviction(t *testing.T) {
	db := openSQLite(t)
	SetStmtCacheSize(db, 1)
	var seen []string
	db.hooks = append(db.hooks, hookFunc(func(text string, args []any) { seen = append(seen, fmt.Sprint(text, args)) }))
	ctx := context.Background()
	for round := range 2 {
		for i := range 3 {
			rows, err := db.runPrepared(ctx, sumText(i), db.keysArg([]int64{10, 20}))
			if err != nil {
				t.Fatalf("round %d, text %d: %v", round, i, err)
			}
			var n int64
			for rows.Next() {
				if err := rows.Scan(&n); err != nil {
					t.Fatal(err)
				}
			}
			if err := rows.Close(); err != nil {
				t.Fatal(err)
			}
			if want := int64(30 + i); n != want {
				t.Errorf("round %d, text %d = %d; want %d", round, i, n, want)
			}
		}
	}
	if len(seen) != 6 || seen[0] != sumText(0)+"[[10,20]]" {
		t.Errorf("hooks saw %q; want 6 statements, the first %q", seen, sumText(0)+"[[10,20]]")
	}
	if n := StmtCacheLen(db); n != 1 {
		t.Errorf("cache holds %d statements; want 1", n)
	}
}

// hookFunc is a bun query hook calling a function after each statement.
type hookFunc func(text string, args []any)

func (h hookFunc) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (h hookFunc) AfterQuery(_ context.Context, e *bun.QueryEvent) { h(e.Query, e.QueryArgs) }
