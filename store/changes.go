package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Change tags name what a write changed, for the read cache (package cache): a row
// ("contacts#42"), the rows of a parent ("assets.company#7"), the whole of a table
// ("table:contacts"), or any row of a table ("companies.any": the tree reads, searches). The
// PostgreSQL triggers of migration 20261203000018 send the same tags with NOTIFY; on
// SQLite the store computes them from the pre-update hook of its own connections.
//
// The tables the cache reads, and the columns whose old and new values name the tags
// of a changed row.
var changeTables = map[string][]changeColumn{
	"companies":         {{"id", "companies#"}, {"parent_id", "companies.parent#"}},
	"contacts":          {{"id", "contacts#"}, {"company_id", "contacts.company#"}},
	"contact_companies": {{"contact_id", "contacts#"}, {"company_id", "contacts.company#"}},
	"assets":            {{"id", "assets#"}, {"company_id", "assets.company#"}},
	"network_equipment": {{"id", "network_equipment#"}, {"company_id", "network_equipment.company#"}},
	"network_links":     {{"a_id", "network_links.device#"}, {"b_id", "network_links.device#"}},
	"agents":            {{"email", "agents.email#"}},
}

// TableTag is the tag that flushes everything read from table.
func TableTag(table string) string { return "table:" + tagTable(table) }

// AnyTag is the tag every change of table sends: what depends on rows no key can name,
// such as the tree reads and a search, uses it.
func AnyTag(table string) string { return tagTable(table) + ".any" }

// tagTable is the table a table's tags name: contact_companies counts as contacts (a
// contact's assignments are part of what a contact list reads).
func tagTable(table string) string {
	if table == "contact_companies" {
		return "contacts"
	}
	return table
}

// EmailTag is the tag of the agent with an e-mail address: ASCII letters folded to lower
// case, as PostgreSQL's lower() does under the "C" collation. The cache does not keep
// addresses with other than ASCII characters.
func EmailTag(email string) string {
	b := []byte(strings.TrimSpace(email))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return "agents.email#" + string(b)
}

type changeColumn struct{ name, prefix string }

// maxPendingTags bounds the tags one SQLite transaction collects; beyond it the tables'
// tags stand for its rows (a bulk seed changes a table at once).
const maxPendingTags = 4096

// changeFeed hands the tags of committed SQLite writes to the cache.
type changeFeed struct {
	fn atomic.Pointer[func(tags []string)]
}

func (f *changeFeed) send(tags []string) {
	if fn := f.fn.Load(); fn != nil && len(tags) > 0 {
		(*fn)(tags)
	}
}

// OnChange makes the store call fn with the change tags of every write committed through
// this DB on SQLite, after the commit is visible to readers and before the write returns
// to its caller. On PostgreSQL writes are announced by NOTIFY instead (see package cache).
func (db *DB) OnChange(fn func(tags []string)) {
	if fn == nil {
		db.changes.fn.Store(nil)
		return
	}
	db.changes.fn.Store(&fn)
}

// DataVersion returns SQLite's PRAGMA data_version read on a connection of its own, which
// changes whenever another connection (of this process or another) has committed a write
// since the previous call. It is 0 on PostgreSQL and for an in-memory database.
func (db *DB) DataVersion(ctx context.Context) (int64, error) {
	if db.sqliteName == "" {
		return 0, nil
	}
	db.watchMu.Lock()
	defer db.watchMu.Unlock()
	if db.closed {
		return 0, errors.New("store: closed")
	}
	if db.watch == nil {
		w, err := sql.Open("sqlite", db.sqliteName)
		if err != nil {
			return 0, err
		}
		w.SetMaxOpenConns(1)
		w.SetConnMaxIdleTime(0)
		w.SetConnMaxLifetime(0)
		db.watch = w
	}
	var v int64
	err := db.watch.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v)
	return v, err
}

// AfterWrite makes the store call fn after each write transaction it commits (the read
// cache waits there until its PostgreSQL listener has seen the write).
func (db *DB) AfterWrite(fn func(ctx context.Context)) {
	if fn == nil {
		db.afterWrite.Store(nil)
		return
	}
	db.afterWrite.Store(&fn)
}

// sqliteConnector opens modernc connections wrapped by changeConn.
type sqliteConnector struct {
	dsn  string
	feed *changeFeed
}

func (c *sqliteConnector) Connect(ctx context.Context) (driver.Conn, error) {
	inner, err := (&sqlite.Driver{}).Open(c.dsn)
	if err != nil {
		return nil, err
	}
	cc := &changeConn{conn: inner, feed: c.feed}
	if err := cc.loadColumns(ctx); err != nil {
		inner.Close()
		return nil, err
	}
	h := inner.(sqlite.HookRegisterer)
	h.RegisterPreUpdateHook(cc.preUpdate)
	h.RegisterRollbackHook(cc.rollback)
	return cc, nil
}

func (c *sqliteConnector) Driver() driver.Driver { return &sqlite.Driver{} }

// innerConn is what modernc's connection implements and changeConn passes on.
type innerConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// changeConn is a SQLite connection that collects the change tags of its writes in the
// pre-update hook and hands them to the feed once they are committed. database/sql calls
// IsValid whenever it takes the connection back: after an autocommit statement has
// finished (an Exec, or the Close of a query's rows) and after a transaction's Commit,
// in every case after the commit is visible and before the call returns to the writer.
// The tags of a rolled back transaction are dropped.
type changeConn struct {
	conn driver.Conn
	feed *changeFeed

	mu       sync.Mutex
	pending  map[string]struct{}
	flushAll bool     // the pending rows stand for whole tables or everything
	wrote    bool     // any row of any table changed
	contacts []int64  // contacts whose assignments' companies are tags too
	cols     colIndex // the change columns' positions, by table
	stale    bool     // cols no longer match the schema: reload them
}

// colIndex maps a change table to the positions of its change columns and its width.
type colIndex map[string]struct {
	pos   []int
	width int
}

func (c *changeConn) inner() innerConn { return c.conn.(innerConn) }

// loadColumns reads where the change columns are in each table.
func (c *changeConn) loadColumns(ctx context.Context) error {
	idx := colIndex{}
	for table, cols := range changeTables {
		rows, err := c.inner().QueryContext(ctx, "SELECT name FROM pragma_table_info('"+table+"')", nil)
		if err != nil {
			return err
		}
		var names []string
		dest := make([]driver.Value, 1)
		for rows.Next(dest) == nil {
			s, _ := dest[0].(string)
			names = append(names, s)
		}
		rows.Close()
		if len(names) == 0 {
			continue // not created yet: its rows flush the table
		}
		e := idx[table]
		e.width = len(names)
		for _, col := range cols {
			p := -1
			for i, n := range names {
				if n == col.name {
					p = i
				}
			}
			e.pos = append(e.pos, p)
		}
		idx[table] = e
	}
	c.mu.Lock()
	c.cols, c.stale = idx, false
	c.mu.Unlock()
	return nil
}

// preUpdate runs inside SQLite for every row a statement of this connection changes.
func (c *changeConn) preUpdate(d sqlite.SQLitePreUpdateData) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wrote = true
	cols, watched := changeTables[d.TableName]
	if !watched {
		for t := range changeTables {
			// A table being rebuilt under another name (a migration's
			// "contacts_new") becomes a cached table later: flush everything.
			if strings.Contains(d.TableName, t) {
				c.flushAll = true
				c.stale = true
			}
		}
		return
	}
	if c.pending == nil {
		c.pending = map[string]struct{}{}
	}
	if len(c.pending) >= maxPendingTags {
		c.pending[TableTag(d.TableName)] = struct{}{}
		return
	}
	e, ok := c.cols[d.TableName]
	if !ok || e.width != d.Count() {
		c.pending[TableTag(d.TableName)] = struct{}{}
		c.stale = true
		return
	}
	vals := make([]any, e.width)
	add := func(read func(...any) error) {
		clear(vals)
		// modernc stores each value in the slot itself (the variadic slice is vals).
		if err := read(vals...); err != nil {
			c.pending[TableTag(d.TableName)] = struct{}{}
			return
		}
		for i, col := range cols {
			p := e.pos[i]
			if p < 0 {
				c.pending[TableTag(d.TableName)] = struct{}{}
				continue
			}
			switch v := vals[p].(type) {
			case nil:
			case int64:
				c.pending[col.prefix+strconv.FormatInt(v, 10)] = struct{}{}
				if d.TableName == "contacts" && col.name == "id" {
					c.contacts = append(c.contacts, v)
				}
			case string:
				if col.name == "email" {
					c.pending[EmailTag(v)] = struct{}{}
				} else {
					c.pending[col.prefix+v] = struct{}{}
				}
			default:
				c.pending[TableTag(d.TableName)] = struct{}{}
			}
		}
	}
	if d.Op != sqlite3.SQLITE_INSERT {
		add(d.Old)
	}
	if d.Op != sqlite3.SQLITE_DELETE {
		add(d.New)
	}
	c.pending[AnyTag(d.TableName)] = struct{}{}
}

// rollback drops the tags of a rolled back transaction.
func (c *changeConn) rollback() {
	c.mu.Lock()
	c.pending, c.contacts, c.flushAll, c.wrote = nil, nil, false, false
	c.mu.Unlock()
}

// publish hands the committed tags to the feed; see changeConn.
func (c *changeConn) publish() {
	c.mu.Lock()
	tags := make([]string, 0, len(c.pending)+1)
	for t := range c.pending {
		tags = append(tags, t)
	}
	if c.flushAll {
		tags = append(tags, "flush")
	}
	contacts, wrote, stale := c.contacts, c.wrote, c.stale
	c.pending, c.contacts, c.flushAll, c.wrote = nil, nil, false, false
	c.mu.Unlock()
	if !wrote {
		return
	}
	if len(contacts) > 0 {
		// A contact's own change reaches the lists of every company it serves: those
		// it is assigned to now (an assignment removed in the same transaction sent
		// its own tag).
		tags = append(tags, c.assignedCompanies(contacts)...)
	}
	if stale {
		if err := c.loadColumns(context.Background()); err != nil {
			tags = append(tags, "flush")
		}
	}
	c.feed.send(tags)
}

// assignedCompanies returns the contacts.company tags of the companies the contacts serve.
func (c *changeConn) assignedCompanies(ids []int64) []string {
	if len(ids) > 500 {
		return []string{TableTag("contacts")}
	}
	var b strings.Builder
	b.WriteString("SELECT DISTINCT company_id FROM contact_companies WHERE contact_id IN (")
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	b.WriteByte(')')
	rows, err := c.inner().QueryContext(context.Background(), b.String(), nil)
	if err != nil {
		return []string{TableTag("contacts")}
	}
	defer rows.Close()
	var tags []string
	dest := make([]driver.Value, 1)
	for rows.Next(dest) == nil {
		if v, ok := dest[0].(int64); ok {
			tags = append(tags, "contacts.company#"+strconv.FormatInt(v, 10))
		}
	}
	return tags
}

func (c *changeConn) Prepare(query string) (driver.Stmt, error) { return c.conn.Prepare(query) }
func (c *changeConn) Begin() (driver.Tx, error) {
	return c.inner().BeginTx(context.Background(), driver.TxOptions{})
}

func (c *changeConn) Close() error {
	c.publish()
	return c.conn.Close()
}

func (c *changeConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.inner().BeginTx(ctx, opts)
}

func (c *changeConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.inner().PrepareContext(ctx, query)
}

func (c *changeConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.inner().ExecContext(ctx, query, args)
}

func (c *changeConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.inner().QueryContext(ctx, query, args)
}

func (c *changeConn) Ping(ctx context.Context) error { return c.inner().Ping(ctx) }

func (c *changeConn) ResetSession(ctx context.Context) error { return c.inner().ResetSession(ctx) }

// IsValid is where database/sql takes the connection back: see changeConn.
func (c *changeConn) IsValid() bool {
	c.publish()
	return c.inner().IsValid()
}

// openSQLiteFeed opens a pool of change-announcing SQLite connections to dsn.
func openSQLiteFeed(dsn string, feed *changeFeed) *sql.DB {
	return sql.OpenDB(&sqliteConnector{dsn: dsn, feed: feed})
}
