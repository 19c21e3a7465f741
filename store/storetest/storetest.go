// Package storetest gives tests real, migrated Codex databases: a fresh SQLite file and a
// fresh PostgreSQL database per test, and a statement counter to prove that a code path
// issues a fixed number of statements.
//
// PostgreSQL comes from CODEX_TEST_POSTGRES_URL (default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable); each test creates its own
// database there and drops it when it ends. Without a reachable server the PostgreSQL
// tests are skipped with a message, except under CI=true, where that is a failure.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/hivematrix/codex/store"
)

// DefaultPostgresURL is the server used when CODEX_TEST_POSTGRES_URL is unset.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Dialects are the databases EachDB runs on, as named by store.DB.Dialect.
var Dialects = []string{"sqlite", "pg"}

// EachDB runs fn as the subtests "sqlite" and "postgres", each on a fresh migrated
// database.
func EachDB(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, Open(t, "sqlite")) })
	t.Run("postgres", func(t *testing.T) { fn(t, Open(t, "pg")) })
}

// Open returns a fresh migrated database of dialect ("sqlite", or "pg"/"postgres"),
// closed and removed when the test ends. Without a reachable PostgreSQL it skips the
// test, or fails it under CI=true.
func Open(t testing.TB, dialect string) *store.DB {
	t.Helper()
	dsn := Fresh(t, dialect)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("storetest.Open(%s): %v", dialect, err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("storetest.Open(%s): migrate: %v", dialect, err)
	}
	return db
}

// Fresh returns the connection string of a new, empty database of dialect (a file in
// the test's temporary directory, or a PostgreSQL database dropped when the test ends),
// for tests of migrations and of the command line.
func Fresh(t testing.TB, dialect string) string {
	t.Helper()
	switch dialect {
	case "sqlite":
		return filepath.Join(t.TempDir(), "codex.db")
	case "pg", "postgres", "postgresql":
		return createPostgres(t)
	}
	t.Fatalf("storetest: unknown dialect %q", dialect)
	return ""
}

// PostgresURL is the test server's URL, from CODEX_TEST_POSTGRES_URL or the default.
func PostgresURL() string {
	if u := os.Getenv("CODEX_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

// admin is the connection that creates and drops test databases, opened once per test
// binary.
var admin struct {
	once sync.Once
	db   *sql.DB
	err  error
}

func adminDB() (*sql.DB, error) {
	admin.once.Do(func() {
		db := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(PostgresURL()), pgdriver.WithDialTimeout(5*time.Second), pgdriver.WithReadTimeout(time.Minute)))
		db.SetMaxOpenConns(4)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			admin.err = err
			return
		}
		admin.db = db
	})
	return admin.db, admin.err
}

// createPostgres creates a database codex_test_<random>, drops it (WITH (FORCE)) when
// the test ends, and returns its URL.
func createPostgres(t testing.TB) string {
	t.Helper()
	base := PostgresURL()
	adm, err := adminDB()
	if err != nil {
		msg := fmt.Sprintf("PostgreSQL unavailable at %s: %v — set CODEX_TEST_POSTGRES_URL", redact(base), err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	name := "codex_test_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	if _, err := adm.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		if _, err := adm.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("CODEX_TEST_POSTGRES_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Counter counts the SQL statements a database runs.
type Counter struct {
	n       atomic.Int64
	mu      sync.Mutex
	queries []string
	key     *counterKey
}

type counterKey struct{}

// CountQueries installs a counter on db that counts every statement it runs from now on.
func CountQueries(db *store.DB) *Counter {
	c := &Counter{}
	db.AddQueryHook(c)
	return c
}

// CountQueriesIn installs a counter on db that counts only the statements run with a
// context returned by the counter's Context, so that concurrent work is not counted.
func CountQueriesIn(db *store.DB) *Counter {
	c := &Counter{key: &counterKey{}}
	db.AddQueryHook(c)
	return c
}

// Context marks ctx so that a counter made by CountQueriesIn counts its statements.
func (c *Counter) Context(ctx context.Context) context.Context {
	if c.key == nil {
		return ctx
	}
	return context.WithValue(ctx, c.key, true)
}

// Count returns the number of statements counted since the counter was made or reset.
func (c *Counter) Count() int { return int(c.n.Load()) }

// Reset sets the count to zero and forgets the statements.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n.Store(0)
	c.queries = nil
}

// Queries returns the statements counted, for a failure message.
func (c *Counter) Queries() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.queries...)
}

// String lists the statements counted, one a line.
func (c *Counter) String() string { return strings.Join(c.Queries(), "\n") }

// BeforeQuery implements bun.QueryHook.
func (c *Counter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

// AfterQuery implements bun.QueryHook.
func (c *Counter) AfterQuery(ctx context.Context, e *bun.QueryEvent) {
	if c.key != nil && ctx.Value(c.key) == nil {
		return
	}
	c.n.Add(1)
	c.mu.Lock()
	c.queries = append(c.queries, e.Query)
	c.mu.Unlock()
}
