package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"

	"github.com/hivematrix/codex/codex"
)

// This file holds the sync engine's batch paths and bookkeeping beyond sync.go: lookups of
// many external references at once, linked imports that create a page of rows and their
// references in one transaction, sync conflicts, and the per-source run lock.

// refChunk bounds the keys of one IN (...) list.
const refChunk = 1000

// analyzeEvery is how many rows the sync's batch writes may add to a PostgreSQL database
// before the tables they fill are analyzed. During a first import the planner's
// statistics still describe empty tables, and it then picks plans that get slower with
// every page (a filter over all of a source's references instead of an index lookup);
// autovacuum analyzes too late for the run that filled them.
const analyzeEvery = 10000

// written counts, per database, the rows the batch writes added since the last analyze.
var written sync.Map // *DB -> *atomic.Int64

// noteWritten counts n rows added to tables and analyzes them every analyzeEvery rows.
// Analyzing is an optimization: its failure is not the write's.
func (db *DB) noteWritten(ctx context.Context, n int, tables ...string) {
	if !db.pg || n == 0 {
		return
	}
	c, _ := written.LoadOrStore(db, new(atomic.Int64))
	count := c.(*atomic.Int64)
	if count.Add(int64(n)) < analyzeEvery {
		return
	}
	count.Store(0)
	for _, t := range tables {
		_, _ = db.bun.ExecContext(ctx, "ANALYZE "+t)
	}
}

// ExternalRefsByExternalIDs returns the references of source's records of entity with the
// given external ids, one per key in key order (nil where there is none), with one
// statement per thousand keys.
func (db *DB) ExternalRefsByExternalIDs(ctx context.Context, source, entity string, externalIDs []string) ([]*codex.ExternalRef, error) {
	out := make([]*codex.ExternalRef, len(externalIDs))
	found := make(map[string]*codex.ExternalRef, len(externalIDs))
	keys := slices.Compact(slices.Sorted(slices.Values(externalIDs)))
	for chunk := range slices.Chunk(keys, refChunk) {
		var rows []*codex.ExternalRef
		err := db.bun.NewSelect().Model(&rows).
			Where("xref.source = ? AND xref.entity = ?", source, entity).
			Where("xref.external_id IN (?)", bun.In(chunk)).Scan(ctx)
		if err != nil {
			return nil, translate(err)
		}
		for _, r := range rows {
			found[r.ExternalID] = r
		}
	}
	for i, id := range externalIDs {
		out[i] = found[id]
	}
	return out, nil
}

// EachExternalRef calls fn with every reference of source's records of entity, in id
// order, reading a thousand at a time.
func (db *DB) EachExternalRef(ctx context.Context, source, entity string, fn func(*codex.ExternalRef) error) error {
	var after int64
	for {
		var rows []*codex.ExternalRef
		err := db.bun.NewSelect().Model(&rows).
			Where("xref.source = ? AND xref.entity = ? AND xref.id > ?", source, entity, after).
			OrderExpr("xref.id").Limit(refChunk).Scan(ctx)
		if err != nil {
			return translate(err)
		}
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(rows) < refChunk {
			return nil
		}
		after = rows[len(rows)-1].ID
	}
}

// checkRef validates one reference before it is written.
func checkRef(r *codex.ExternalRef, needEntityID bool) error {
	var v codex.Validation
	v.Check(strings.TrimSpace(r.Source) != "", "source", "is required")
	v.Check(strings.TrimSpace(r.Entity) != "", "entity", "is required")
	v.Check(!needEntityID || r.EntityID > 0, "entity_id", "is required")
	v.Check(strings.TrimSpace(r.ExternalID) != "", "external_id", "is required")
	return v.Err()
}

// refKey identifies a reference's outside record.
func refKey(r *codex.ExternalRef) string { return r.Source + "\x00" + r.Entity + "\x00" + r.ExternalID }

// SaveExternalRefs inserts or updates refs by (source, entity, external id) with one
// statement, every column included, and sets their ids. When refs names one outside
// record twice, the last one wins.
func (db *DB) SaveExternalRefs(ctx context.Context, refs []*codex.ExternalRef) error {
	if len(refs) == 0 {
		return nil
	}
	last := map[string]int{}
	for i, r := range refs {
		if err := checkRef(r, true); err != nil {
			return err
		}
		if r.SyncedAt.IsZero() {
			r.SyncedAt = db.now()
		}
		r.SyncedAt = utc(r.SyncedAt)
		r.GoneAt = utcp(r.GoneAt)
		last[refKey(r)] = i
	}
	rows := make([]*codex.ExternalRef, 0, len(last))
	for i, r := range refs {
		if last[refKey(r)] == i {
			r.ID = 0
			rows = append(rows, r)
		}
	}
	_, err := db.bun.NewInsert().Model(&rows).
		On("CONFLICT (source, entity, external_id) DO UPDATE").
		Set("entity_id = EXCLUDED.entity_id").
		Set("fingerprint = EXCLUDED.fingerprint").
		Set("synced_at = EXCLUDED.synced_at").
		Set("upstream = EXCLUDED.upstream").
		Set("gone_at = EXCLUDED.gone_at").
		Returning("id").Exec(ctx)
	if err != nil {
		return translate(err)
	}
	for _, r := range refs {
		r.ID = refs[last[refKey(r)]].ID
	}
	db.noteWritten(ctx, len(rows), "external_refs")
	return nil
}

// SaveSyncRunProblems records the per-record problems of run id.
func (db *DB) SaveSyncRunProblems(ctx context.Context, runID int64, problems []string) error {
	res, err := db.bun.NewUpdate().Model((*codex.SyncRun)(nil)).
		Set("problems = ?", jsonValue(problems)).Where("id = ?", runID).Exec(ctx)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("sync run", runID)
	}
	return nil
}

// jsonValue lets bun encode v as a JSON column value.
func jsonValue(v []string) any {
	if v == nil {
		return nil
	}
	return &jsonList{v}
}

// jsonList is a string list stored as JSON text.
type jsonList struct{ v []string }

// Value implements driver.Valuer.
func (l *jsonList) Value() (driver.Value, error) {
	b := []byte{'['}
	for i, s := range l.v {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return string(append(b, ']')), nil
}

// importRows writes rows and their references in one transaction: it checks that the
// companies named by refField (company_id, or a company's parent_id) exist, inserts the
// rows (setting their ids), lets children write what hangs off them, and gives each row
// an audit entry. The rows have been validated; table is where they go, for noteWritten.
func importRows[T any](ctx context.Context, db *DB, noun, table string, rows []*T, refs []*codex.ExternalRef,
	id func(*T) int64, companyID func(*T) *int64, refField string, refOf func(*T) *int64,
	children func(ctx context.Context, tx bun.Tx) error) error {
	if len(rows) != len(refs) {
		return codex.Errorf(codex.Internal, "import: %d rows but %d references", len(rows), len(refs))
	}
	if len(rows) == 0 {
		return nil
	}
	for _, r := range refs {
		if err := checkRef(r, false); err != nil {
			return err
		}
	}
	var companies []int64
	for _, r := range rows {
		if c := refOf(r); c != nil {
			companies = append(companies, *c)
		}
	}
	err := db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := mustExistAll(ctx, tx, "companies", refField, uniq(companies)); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(&rows).Returning("id").Exec(ctx); err != nil {
			return err
		}
		if children != nil {
			if err := children(ctx, tx); err != nil {
				return err
			}
		}
		now := db.now()
		entries := make([]*codex.AuditEntry, len(rows))
		actor, requestID := codex.PrincipalFrom(ctx).Actor(), codex.RequestIDFrom(ctx)
		for i, r := range rows {
			after, err := snapshot(r)
			if err != nil {
				return err
			}
			entries[i] = &codex.AuditEntry{Actor: actor, Action: actionCreate, Entity: noun, EntityID: id(r),
				CompanyID: companyID(r), After: after, RequestID: requestID, At: now}
		}
		if _, err := tx.NewInsert().Model(&entries).Exec(ctx); err != nil {
			return err
		}
		for i, r := range refs {
			r.EntityID = id(rows[i])
			if r.SyncedAt.IsZero() {
				r.SyncedAt = now
			}
			r.SyncedAt = utc(r.SyncedAt)
			r.GoneAt = utcp(r.GoneAt)
		}
		_, err := tx.NewInsert().Model(&refs).Returning("id").Exec(ctx)
		return err
	})
	if err != nil {
		for _, r := range refs {
			r.ID = 0
		}
		return err
	}
	db.noteWritten(ctx, len(rows), "external_refs", table)
	return nil
}

// ImportCompanies creates companies and their references in one transaction.
func (db *DB) ImportCompanies(ctx context.Context, rows []*codex.Company, refs []*codex.ExternalRef) error {
	now := db.now()
	for i, c := range rows {
		c.ID = 0
		if c.ParentID != nil && *c.ParentID == 0 {
			c.ParentID = nil
		}
		normalizeCompany(c)
		c.Defaults()
		if err := c.Validate(); err != nil {
			return rowError(i, err)
		}
		c.CreatedAt, c.UpdatedAt = now, now
	}
	err := importRows(ctx, db, "company", "companies", rows, refs,
		func(c *codex.Company) int64 { return c.ID },
		func(c *codex.Company) *int64 { return &c.ID },
		"parent_id", func(c *codex.Company) *int64 { return c.ParentID },
		nil)
	if err != nil {
		for _, c := range rows {
			c.ID = 0
		}
	}
	return translate(err)
}

// ImportContacts creates contacts, their home assignments and their references in one
// transaction.
func (db *DB) ImportContacts(ctx context.Context, rows []*codex.Contact, refs []*codex.ExternalRef) error {
	now := db.now()
	for i, c := range rows {
		c.ID = 0
		c.Defaults()
		if err := c.Validate(); err != nil {
			return rowError(i, err)
		}
		c.CreatedAt, c.UpdatedAt = now, now
	}
	err := importRows(ctx, db, "contact", "contacts", rows, refs,
		func(c *codex.Contact) int64 { return c.ID },
		func(c *codex.Contact) *int64 { return &c.CompanyID },
		"company_id", func(c *codex.Contact) *int64 { return &c.CompanyID },
		func(ctx context.Context, tx bun.Tx) error {
			homes := make([]*codex.ContactCompany, len(rows))
			for i, c := range rows {
				homes[i] = &codex.ContactCompany{ContactID: c.ID, CompanyID: c.CompanyID, Designation: c.Designation, CreatedAt: now}
				c.ForCompanyID = c.CompanyID
			}
			_, err := tx.NewInsert().Model(&homes).Exec(ctx)
			return err
		})
	if err != nil {
		for _, c := range rows {
			c.ID = 0
		}
	}
	return translate(err)
}

// ImportAssets creates assets, their addresses and their references in one transaction.
func (db *DB) ImportAssets(ctx context.Context, rows []*codex.Asset, refs []*codex.ExternalRef) error {
	now := db.now()
	for i, a := range rows {
		a.ID = 0
		if err := prepareAsset(a); err != nil {
			return rowError(i, err)
		}
		a.CreatedAt, a.UpdatedAt = now, now
	}
	err := importRows(ctx, db, "asset", "assets", rows, refs,
		func(a *codex.Asset) int64 { return a.ID },
		func(a *codex.Asset) *int64 { return &a.CompanyID },
		"company_id", func(a *codex.Asset) *int64 { return &a.CompanyID },
		func(ctx context.Context, tx bun.Tx) error {
			var ips []codex.AssetIP
			for _, a := range rows {
				for _, s := range a.IPAddresses {
					ip, err := codex.ParseIP(s)
					if err != nil {
						return invalid("ip_addresses", "%q is not an IP address", s)
					}
					ips = append(ips, codex.AssetIP{AssetID: a.ID, IPKey: codex.IPKey(ip), CompanyID: a.CompanyID, IP: ip.String()})
				}
			}
			if len(ips) == 0 {
				return nil
			}
			_, err := tx.NewInsert().Model(&ips).Exec(ctx)
			return err
		})
	if err != nil {
		for _, a := range rows {
			a.ID = 0
		}
	}
	return translate(err)
}

// ImportEquipment creates network equipment and its references in one transaction.
func (db *DB) ImportEquipment(ctx context.Context, rows []*codex.NetworkEquipment, refs []*codex.ExternalRef) error {
	now := db.now()
	for i, e := range rows {
		e.ID = 0
		if e.LocationID != nil {
			return rowError(i, invalid("location_id", "cannot be set on import"))
		}
		e.LastSeen = utcp(e.LastSeen)
		e.Defaults()
		if err := e.Validate(); err != nil {
			return rowError(i, err)
		}
		e.CreatedAt, e.UpdatedAt = now, now
	}
	err := importRows(ctx, db, "network_equipment", "network_equipment", rows, refs,
		func(e *codex.NetworkEquipment) int64 { return e.ID },
		func(e *codex.NetworkEquipment) *int64 { return &e.CompanyID },
		"company_id", func(e *codex.NetworkEquipment) *int64 { return &e.CompanyID },
		nil)
	if err != nil {
		for _, e := range rows {
			e.ID = 0
		}
	}
	return translate(err)
}

// rowError prefixes the message of a validation error with the row it is about, so the
// caller of a batch can tell which row to drop.
func rowError(i int, err error) error {
	var e *codex.Error
	if errors.As(err, &e) {
		c := *e
		c.Message = "row " + strconv.Itoa(i) + ": " + e.Message
		return &c
	}
	return err
}

var conflictEntity = &entity[codex.SyncConflict]{
	noun:    "sync conflict",
	alias:   "conflict",
	keys:    map[string]sortKey[codex.SyncConflict]{"id": {expr: "conflict.id", kind: kindInt}},
	allowed: []string{"id"},
	def:     "id",
	defDesc: true,
	id:      func(c *codex.SyncConflict) int64 { return c.ID },
}

// conflictKey identifies the row and field of an open conflict.
func conflictKey(c *codex.SyncConflict) string {
	return c.Source + "\x00" + c.Entity + "\x00" + strconv.FormatInt(c.EntityID, 10) + "\x00" + c.Field
}

// SaveSyncConflicts records conflicts with one statement. An open conflict of the same row
// and field keeps its base value and detection time and takes the new local and upstream
// values and run.
func (db *DB) SaveSyncConflicts(ctx context.Context, conflicts []*codex.SyncConflict) error {
	if len(conflicts) == 0 {
		return nil
	}
	last := map[string]int{}
	now := db.now()
	for i, c := range conflicts {
		var v codex.Validation
		v.Check(c.Source != "", "source", "is required")
		v.Check(c.Entity != "", "entity", "is required")
		v.Check(c.EntityID > 0, "entity_id", "is required")
		v.Check(c.Field != "", "field", "is required")
		if err := v.Err(); err != nil {
			return err
		}
		if c.DetectedAt.IsZero() {
			c.DetectedAt = now
		}
		c.DetectedAt = utc(c.DetectedAt)
		c.ResolvedAt = nil
		last[conflictKey(c)] = i
	}
	rows := make([]*codex.SyncConflict, 0, len(last))
	for i, c := range conflicts {
		if last[conflictKey(c)] == i {
			c.ID = 0
			rows = append(rows, c)
		}
	}
	_, err := db.bun.NewInsert().Model(&rows).
		On("CONFLICT (source, entity, entity_id, field) WHERE resolved_at IS NULL DO UPDATE").
		Set("run_id = EXCLUDED.run_id").
		Set("local_value = EXCLUDED.local_value").
		Set("upstream_value = EXCLUDED.upstream_value").
		Returning("id").Exec(ctx)
	if err != nil {
		return translate(err)
	}
	for _, c := range conflicts {
		c.ID = conflicts[last[conflictKey(c)]].ID
	}
	return nil
}

// SyncConflicts lists conflicts, newest first.
func (db *DB) SyncConflicts(ctx context.Context, f codex.SyncConflictFilter, p codex.PageArgs) (*codex.Page[codex.SyncConflict], error) {
	pg, err := conflictEntity.page(ctx, db.bun, codex.Order{}, p, func(q *bun.SelectQuery) *bun.SelectQuery {
		if f.Source != "" {
			q = q.Where("conflict.source = ?", f.Source)
		}
		if f.Entity != "" {
			q = q.Where("conflict.entity = ?", f.Entity)
		}
		if f.EntityID != nil {
			q = q.Where("conflict.entity_id = ?", *f.EntityID)
		}
		if f.OpenOnly {
			q = q.Where("conflict.resolved_at IS NULL")
		}
		return q
	})
	return pg, translate(err)
}

// SyncConflict returns conflict id.
func (db *DB) SyncConflict(ctx context.Context, id int64) (*codex.SyncConflict, error) {
	c := new(codex.SyncConflict)
	if err := db.bun.NewSelect().Model(c).Where("conflict.id = ?", id).Scan(ctx); err != nil {
		return nil, translate(notFoundOr(err, "sync conflict", id))
	}
	return c, nil
}

// ResolveSyncConflict marks conflict id resolved, recording who did in the audit log.
func (db *DB) ResolveSyncConflict(ctx context.Context, id int64) (*codex.SyncConflict, error) {
	var out *codex.SyncConflict
	err := db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		c := new(codex.SyncConflict)
		q := tx.NewSelect().Model(c).Where("conflict.id = ?", id)
		if err := forUpdate(tx, q, "conflict").Scan(ctx); err != nil {
			return notFoundOr(err, "sync conflict", id)
		}
		out = c
		if c.ResolvedAt != nil {
			return nil
		}
		before := *c
		now := db.now()
		c.ResolvedAt = &now
		if _, err := tx.NewUpdate().Model(c).Column("resolved_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		return db.audit(ctx, tx, "resolve", "sync_conflict", c.ID, nil, &before, c)
	})
	if err != nil {
		return nil, translate(err)
	}
	return out, nil
}

// localLocks are the process-local run locks of SQLite databases, by database and name.
var localLocks sync.Map // lockKey -> *sync.Mutex

type lockKey struct {
	db   *DB
	name string
}

// TryLock takes the lock called name without waiting: ok is false when another holder
// has it. Call unlock to release it. On PostgreSQL it is a session advisory lock
// (pg_try_advisory_lock(hashtext(name))) held on a dedicated connection, so exactly one
// process of all that share the database holds it, and it is released if the process
// dies; on SQLite it is a mutex local to this process.
func (db *DB) TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error) {
	if !db.pg {
		m, _ := localLocks.LoadOrStore(lockKey{db, name}, new(sync.Mutex))
		mu := m.(*sync.Mutex)
		if !mu.TryLock() {
			return nil, false, nil
		}
		var once sync.Once
		return func() { once.Do(mu.Unlock) }, true, nil
	}
	conn, err := db.bun.Conn(ctx)
	if err != nil {
		return nil, false, translate(err)
	}
	if err := conn.NewRaw("SELECT pg_try_advisory_lock(hashtext(?))", name).Scan(ctx, &ok); err != nil {
		conn.Close()
		return nil, false, translate(err)
	}
	if !ok {
		conn.Close()
		return nil, false, nil
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			var released bool
			if err := conn.NewRaw("SELECT pg_advisory_unlock(hashtext(?))", name).Scan(ctx, &released); err != nil || !released {
				// The session may still hold the lock: do not hand it back to the pool,
				// where it would keep the lock for whoever gets it next.
				_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			}
			conn.Close()
		})
	}, true, nil
}
