package store

import (
	"context"
	"database/sql"
	"strconv"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/uptrace/bun"
)

// Prepared batch statements.
//
// bun writes every argument into the SQL text, so a batch lookup for other ids is a new
// statement that the database parses and plans again. The batch lookups (by ids, by
// parents, counts per parent) therefore keep their one varying part, the list of keys, out
// of the text: it is the statement's only parameter, an array ($1::bigint[]) on PostgreSQL
// and a JSON array read by json_each(?1) on SQLite. Everything else a lookup's text holds
// (filters, limits, a client's scope) is the same from one request to the next, so the
// text names a statement that is prepared once per connection (database/sql's *sql.Stmt
// re-prepares it on each connection of the pool as needed) and then only executed.
//
// Prepared statements are kept in a bounded LRU keyed by their text; a statement evicted
// while another goroutine is about to use it runs unprepared that once (see DB.runPrepared).

// stmtCacheSize bounds the prepared statements kept per pool. Codex's lookups have a few
// dozen shapes; filters a caller chooses (and clients' scopes) add a few each.
const stmtCacheSize = 512

// stmtCache is the pool's prepared statements by SQL text.
type stmtCache struct {
	mu    sync.Mutex
	stmts *lru.Cache[string, *sql.Stmt]
}

func newStmtCache() *stmtCache {
	c, err := lru.NewWithEvict(stmtCacheSize, func(_ string, s *sql.Stmt) { _ = s.Close() })
	if err != nil {
		panic(err) // only for a size <= 0
	}
	return &stmtCache{stmts: c}
}

// get returns the prepared statement for text, preparing it on first use.
func (c *stmtCache) get(ctx context.Context, sqldb *sql.DB, text string) (*sql.Stmt, error) {
	if s, ok := c.stmts.Get(text); ok {
		return s, nil
	}
	c.mu.Lock() // one goroutine prepares a given text; others wait for it
	defer c.mu.Unlock()
	if s, ok := c.stmts.Get(text); ok {
		return s, nil
	}
	s, err := sqldb.PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}
	c.stmts.Add(text, s)
	return s, nil
}

// evicted reports whether s is no longer the cached statement for text.
func (c *stmtCache) evicted(text string, s *sql.Stmt) bool {
	cur, ok := c.stmts.Peek(text)
	return !ok || cur != s
}

// keysParam returns the SQL of the key-list parameter, which the statement's text uses as
// "expr = ANY(<param>)" (PostgreSQL) or "expr IN (SELECT value FROM <param>)" (SQLite):
// see inKeys and keysTable.
func (db *DB) keysParam() bun.Safe {
	if db.pg {
		return bun.Safe("$1::bigint[]")
	}
	return bun.Safe("json_each(?1)")
}

// inKeys restricts expr to the keys of a batch statement (its only parameter).
func (db *DB) inKeys(q *bun.SelectQuery, expr string) *bun.SelectQuery {
	return q.Where("?", db.keysCond(expr))
}

// keysCond is the condition "expr is one of the batch statement's keys".
func (db *DB) keysCond(expr string) bun.Safe {
	if db.pg {
		return bun.Safe(expr + " = ANY(" + string(db.keysParam()) + ")")
	}
	return bun.Safe(expr + " IN (SELECT value FROM " + string(db.keysParam()) + ")")
}

// keysArg encodes keys as the batch statement's parameter: a PostgreSQL array literal or
// a JSON array.
func (db *DB) keysArg(keys []int64) string {
	open, close := byte('['), byte(']')
	if db.pg {
		open, close = '{', '}'
	}
	b := make([]byte, 0, 2+8*len(keys))
	b = append(b, open)
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, k, 10)
	}
	return string(append(b, close))
}

// scanKeys runs the batch statement q, whose only parameter is the key list (see inKeys),
// for keys and scans its rows into dest as bun would.
func (db *DB) scanKeys(ctx context.Context, q bun.Query, keys []int64, dest any) error {
	rows, err := db.queryKeys(ctx, q, keys)
	if err != nil {
		return err
	}
	return db.bun.ScanRows(ctx, rows, dest) // closes rows
}

// queryKeys runs the batch statement q for keys and returns its rows.
func (db *DB) queryKeys(ctx context.Context, q bun.Query, keys []int64) (*sql.Rows, error) {
	text, err := q.AppendQuery(db.bun.QueryGen(), nil)
	if err != nil {
		return nil, err
	}
	return db.runPrepared(ctx, string(text), db.keysArg(keys))
}

// runPrepared runs text with arg as a statement prepared and cached on the pool. The
// store's query hooks see it like any bun statement.
func (db *DB) runPrepared(ctx context.Context, text string, arg string) (rows *sql.Rows, err error) {
	ev := &bun.QueryEvent{DB: db.bun, Query: text, QueryArgs: []any{arg}, StartTime: time.Now()}
	for _, h := range db.hooks {
		ctx = h.BeforeQuery(ctx, ev)
	}
	defer func() {
		ev.Err = err
		for i := len(db.hooks) - 1; i >= 0; i-- {
			db.hooks[i].AfterQuery(ctx, ev)
		}
	}()
	s, err := db.stmts.get(ctx, db.bun.DB, text)
	if err != nil {
		return nil, err
	}
	rows, err = s.QueryContext(ctx, arg)
	if err != nil && db.stmts.evicted(text, s) {
		// Closed by an eviction between get and use (many other texts ran meanwhile):
		// run it unprepared this once rather than racing further evictions.
		return db.bun.DB.QueryContext(ctx, text, arg)
	}
	return rows, err
}

// AddQueryHook adds a bun query hook that sees every statement the store runs, the
// prepared batch statements included (bun's own hooks do not see those).
func (db *DB) AddQueryHook(h bun.QueryHook) {
	db.bun.AddQueryHook(h)
	db.hooks = append(db.hooks, h)
}
