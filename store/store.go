// Package store keeps Codex's data in PostgreSQL or in an embedded SQLite file behind
// one API: it implements every service of codex.Services with bun, portable SQL first and
// dialect-specific statements side by side where they must differ. Every write runs in one
// transaction together with its audit entry, and driver errors are translated into
// codex errors at the store's edge (see errors.go).
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver

	"github.com/hivematrix/codex/codex"
)

// Every service of codex.Services is implemented by *DB.
var (
	_ codex.CompanyService = (*DB)(nil)
	_ codex.ContactService = (*DB)(nil)
	_ codex.AssetService   = (*DB)(nil)
	_ codex.NetworkService = (*DB)(nil)
	_ codex.TicketService  = (*DB)(nil)
	_ codex.AgentService   = (*DB)(nil)
	_ codex.AuditService   = (*DB)(nil)
	_ codex.SyncStore      = (*DB)(nil)
)

// Page sizes: the default when a caller asks for neither first nor last, and the largest
// page the store returns (REST allows 10,000; GraphQL enforces its own, smaller maximum).
const (
	DefaultPageSize = 50
	MaxPageSize     = 10000
)

// DB is a Codex database: PostgreSQL or SQLite, reached through bun.
type DB struct {
	bun   *bun.DB
	pg    bool
	clock codex.Clock

	// migrateMu keeps this process's migrations one at a time; other processes are kept
	// out by bun's lock row (and the advisory lock on PostgreSQL).
	migrateMu sync.Mutex

	// failpoint, when set by a test, is called at named points inside write
	// transactions; an error it returns aborts the write there.
	failpoint func(name string) error

	// streams holds a token for each export streaming one statement (see entity.each),
	// so that at most half the pool is held by open exports: the rest stays free for
	// the statements their callbacks run (the policy layer's lookups) and other requests.
	streams chan struct{}

	stmts       *stmtCache      // prepared batch statements (prepared.go)
	directScans atomic.Int64    // batch statements scanned without bun (fastscan.go), for tests
	hooks       []bun.QueryHook // query hooks added through AddQueryHook

	sqliteName string                                    // the SQLite file's modernc DSN, for DataVersion
	changes    *changeFeed                               // SQLite writes' change tags (changes.go)
	afterWrite atomic.Pointer[func(ctx context.Context)] // see AfterWrite
	watchMu    sync.Mutex
	watch      *sql.DB  // DataVersion's connection
	onClose    []func() // see OnClose
	closed     bool
}

// Option configures a DB.
type Option func(*DB)

// WithClock makes the store read the time from clock (tests fix time with it).
func WithClock(clock codex.Clock) Option {
	return func(db *DB) { db.clock = clock }
}

// Open connects to the database named by dsn: a postgres:// or postgresql:// URL selects
// PostgreSQL; anything else is a SQLite file path or file: URI. Open does not migrate.
func Open(ctx context.Context, dsn string, opts ...Option) (*DB, error) {
	if strings.TrimSpace(dsn) == "" {
		return nil, errors.New("store: open: empty connection string")
	}
	var bdb *bun.DB
	feed := &changeFeed{}
	if IsPostgres(dsn) {
		sqldb := openPostgres(dsn)
		// bun's advice for PostgreSQL: a pool of 4 connections per CPU keeps every core
		// busy while some connections wait on the network or on locks, without
		// overrunning the server's max_connections (100 by default) for a few instances.
		n := 4 * runtime.GOMAXPROCS(0)
		sqldb.SetMaxOpenConns(n)
		sqldb.SetMaxIdleConns(n)
		sqldb.SetConnMaxIdleTime(5 * time.Minute)
		bdb = bun.NewDB(sqldb, pgdialect.New())
	} else {
		name, memory := sqliteDSN(dsn)
		if path, _, _ := strings.Cut(dsn, "?"); !memory && !strings.HasPrefix(path, "file:") {
			// A new embedded database may live in a directory that does not exist yet
			// (instance/ in a fresh clone).
			if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
				return nil, fmt.Errorf("store: open %s: %w", dsn, err)
			}
		}
		sqldb := openSQLiteFeed(name, feed)
		// With WAL, readers never block the writer nor each other, so a few connections
		// serve concurrent reads. Writes are serialized by SQLite: every transaction
		// begins IMMEDIATE (it takes the write lock at BEGIN, where busy_timeout waits
		// for it, instead of failing with SQLITE_BUSY when a read lock is upgraded).
		// An in-memory database exists once per connection, so it gets exactly one.
		n := max(4, runtime.GOMAXPROCS(0))
		if memory {
			n = 1
		}
		sqldb.SetMaxOpenConns(n)
		sqldb.SetMaxIdleConns(n)
		sqldb.SetConnMaxLifetime(0)
		sqldb.SetConnMaxIdleTime(0)
		bdb = bun.NewDB(sqldb, sqlitedialect.New())
	}
	db := New(bdb, opts...)
	db.changes = feed
	if !IsPostgres(dsn) {
		if name, memory := sqliteDSN(dsn); !memory {
			db.sqliteName = name
		}
	}
	if err := db.Ping(ctx); err != nil {
		bdb.Close()
		return nil, fmt.Errorf("store: open %s: %w", redactDSN(dsn), err)
	}
	return db, nil
}

// New wraps an open bun database (PostgreSQL or SQLite dialect).
func New(bdb *bun.DB, opts ...Option) *DB {
	db := &DB{bun: bdb, pg: bdb.Dialect().Name() == dialect.PG, clock: time.Now, stmts: newStmtCache(), changes: &changeFeed{}}
	n := bdb.Stats().MaxOpenConnections
	if n <= 0 { // unlimited
		n = 32
	}
	db.streams = make(chan struct{}, n/2)
	for _, opt := range opts {
		opt(db)
	}
	return db
}

// IsPostgres reports whether dsn selects PostgreSQL.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// sqlitePragmas are applied to every SQLite connection as it opens.
var sqlitePragmas = []string{"busy_timeout(5000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)"}

// sqliteDSN turns a path or file: URI into a modernc DSN carrying Codex's pragmas and
// IMMEDIATE transactions; parameters the caller already set win. It reports whether the
// database lives in memory.
func sqliteDSN(dsn string) (name string, memory bool) {
	path, query, _ := strings.Cut(dsn, "?")
	q, err := url.ParseQuery(query)
	if err != nil {
		q = url.Values{}
	}
	set := map[string]bool{}
	for _, p := range q["_pragma"] {
		k, _, _ := strings.Cut(p, "(")
		set[strings.ToLower(strings.TrimSpace(k))] = true
	}
	for _, p := range sqlitePragmas {
		k, _, _ := strings.Cut(p, "(")
		if !set[k] {
			q.Add("_pragma", p)
		}
	}
	if q.Get("_txlock") == "" {
		q.Set("_txlock", "immediate")
	}
	memory = path == ":memory:" || path == "file::memory:" || q.Get("mode") == "memory"
	return path + "?" + q.Encode(), memory
}

// redactDSN hides a password in a connection string for error messages.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Close closes the connection pool.
// It first calls the OnClose functions.
func (db *DB) Close() error {
	db.watchMu.Lock()
	onClose := db.onClose
	db.onClose = nil
	db.closed = true
	db.watchMu.Unlock()
	for _, fn := range onClose {
		fn()
	}
	db.watchMu.Lock()
	if db.watch != nil {
		db.watch.Close()
		db.watch = nil
	}
	db.watchMu.Unlock()
	return db.bun.Close()
}

// OnClose makes Close call fn before it closes the pool (the read cache stops there).
func (db *DB) OnClose(fn func()) {
	db.watchMu.Lock()
	defer db.watchMu.Unlock()
	db.onClose = append(db.onClose, fn)
}

// Dialect names the database: "pg" or "sqlite".
func (db *DB) Dialect() string {
	if db.pg {
		return "pg"
	}
	return "sqlite"
}

// Bun returns the underlying bun database, for the bulk seeder and tests.
func (db *DB) Bun() *bun.DB { return db.bun }

// Ping checks that the database answers (the /health check).
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.bun.NewRaw("SELECT 1").Scan(ctx, &one); err != nil {
		return translate(err)
	}
	return nil
}

// Services returns the store as every Codex service.
func (db *DB) Services() codex.Services {
	return codex.Services{
		Companies: db,
		Contacts:  db,
		Assets:    db,
		Network:   db,
		Tickets:   db,
		Agents:    db,
		Audit:     db,
		Sync:      db,
		Triage:    db,
		PSA:       db,
		Billing:   db,
		Dashboard: db,
	}
}

// now is the store's clock in UTC, at the microsecond precision both databases keep.
func (db *DB) now() time.Time {
	return db.clock().UTC().Truncate(time.Microsecond)
}

// tx runs fn in one transaction and translates its error.
// After a commit it calls the AfterWrite function, if any.
func (db *DB) tx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	err := db.bun.RunInTx(ctx, nil, fn)
	if err == nil {
		if after := db.afterWrite.Load(); after != nil {
			(*after)(ctx)
		}
	}
	return translate(err)
}

// fail calls the test failpoint called name, if any.
func (db *DB) fail(name string) error {
	if db.failpoint == nil {
		return nil
	}
	return db.failpoint(name)
}

// forUpdate locks the rows a read-modify-write reads, on PostgreSQL. SQLite needs no row
// locks: its write transactions are serialized from BEGIN IMMEDIATE on.
func forUpdate(idb bun.IDB, q *bun.SelectQuery, alias string) *bun.SelectQuery {
	if idb.Dialect().Name() == dialect.PG {
		return q.For("UPDATE OF " + alias)
	}
	return q
}
