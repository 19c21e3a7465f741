package store

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/hivematrix/codex/codex"
)

// treeLockKey is the pg_advisory_xact_lock key that serializes company moves, so that two
// concurrent moves cannot together create a cycle that neither would alone.
const treeLockKey = 0x636f64657874 // "codext"

// maxTreeDepth bounds the recursive tree queries.
const maxTreeDepth = 1000

var companyEntity = &entity[codex.Company]{
	noun:   "company",
	alias:  "company",
	always: []string{"id", "parent_id"},
	fields: companyFields,
	keys: map[string]sortKey[codex.Company]{
		"name":       {expr: "company.name", kind: kindText, value: func(c *codex.Company) any { return c.Name }},
		"id":         {expr: "company.id", kind: kindInt},
		"created_at": {expr: "company.created_at", kind: kindTime, value: func(c *codex.Company) any { return c.CreatedAt }},
		"updated_at": {expr: "company.updated_at", kind: kindTime, value: func(c *codex.Company) any { return c.UpdatedAt }},
		"account_number": {expr: "company.account_number", kind: kindText, nullable: true, value: func(c *codex.Company) any {
			if c.AccountNumber == nil {
				return nil
			}
			return *c.AccountNumber
		}},
	},
	allowed: codex.CompanyOrders,
	def:     "name",
	id:      func(c *codex.Company) int64 { return c.ID },
}

var companyArchiver = &archiver[codex.Company]{
	noun:       "company",
	get:        getCompany,
	archivedAt: func(c *codex.Company) **time.Time { return &c.ArchivedAt },
	updatedAt:  func(c *codex.Company) *time.Time { return &c.UpdatedAt },
	companyID:  func(c *codex.Company) *int64 { return &c.ID },
}

// getCompany reads one company (archived or not); lock locks its row for an update.
func getCompany(ctx context.Context, idb bun.IDB, id int64, lock bool) (*codex.Company, error) {
	c := new(codex.Company)
	q := idb.NewSelect().Model(c).Where("company.id = ?", id)
	if lock {
		q = forUpdate(idb, q, "company")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, notFoundOr(err, "company", id)
	}
	return c, nil
}

// companyFilter returns the conditions of f.
func (db *DB) companyFilter(f codex.CompanyFilter) func(*bun.SelectQuery) *bun.SelectQuery {
	return func(q *bun.SelectQuery) *bun.SelectQuery {
		cols := []string{"company.name", "company.account_number", "company.description", db.jsonText("company.domains")}
		if f.SearchSkipsDescription {
			cols = slices.Delete(cols, 2, 3)
		}
		q = db.search(q, f.Search, db.likeAll(cols...)...)
		if f.ParentID != nil {
			q = q.Where("company.parent_id = ?", *f.ParentID)
		}
		if f.RootsOnly {
			q = q.Where("company.parent_id IS NULL")
		}
		if f.SubtreeOf != nil {
			q = inSubtree(q, "company.id", *f.SubtreeOf)
		}
		if len(f.Kind) > 0 {
			q = inIDs(q, "company.kind", f.Kind)
		}
		if len(f.Status) > 0 {
			q = inIDs(q, "company.status", f.Status)
		}
		if len(f.ComplianceLevel) > 0 {
			q = inIDs(q, "company.compliance_level", f.ComplianceLevel)
		}
		if a := strings.TrimSpace(f.AccountNumber); a != "" {
			q = q.Where("company.account_number = ?", a)
		}
		if f.OnlyArchived {
			q = q.Where("company.archived_at IS NOT NULL")
		} else {
			q = notArchived(q, "company", f.IncludeArchived)
		}
		return inScope(q, "company.id", f.Scope)
	}
}

// Company returns one company, archived or not.
func (db *DB) Company(ctx context.Context, id int64) (*codex.Company, error) {
	c, err := getCompany(ctx, db.bun, id, false)
	return c, translate(err)
}

// CompaniesByIDs returns the companies with the given ids (archived or not) in key order,
// with one statement; a missing id gets a NotFound error at its index.
func (db *DB) CompaniesByIDs(ctx context.Context, ids []int64) ([]*codex.Company, []error) {
	return companyEntity.byIDs(ctx, db, ids, noFilter)
}

// CompanyByAccountNumber returns the company with an account number.
func (db *DB) CompanyByAccountNumber(ctx context.Context, accountNumber string) (*codex.Company, error) {
	a := strings.TrimSpace(accountNumber)
	c := new(codex.Company)
	if err := db.bun.NewSelect().Model(c).Where("company.account_number = ?", a).Scan(ctx); err != nil {
		return nil, translate(notFoundOr(err, "company with account number", strconv.Quote(a)))
	}
	return c, nil
}

// Companies lists companies.
func (db *DB) Companies(ctx context.Context, f codex.CompanyFilter, p codex.PageArgs) (*codex.Page[codex.Company], error) {
	pg, err := companyEntity.pageOf(ctx, db.bun, f.Order, p, f.Columns, db.companyFilter(f))
	return pg, translate(err)
}

// EachCompany calls fn for every matching company, in order.
func (db *DB) EachCompany(ctx context.Context, f codex.CompanyFilter, fn func(*codex.Company) error) error {
	return translate(companyEntity.each(ctx, db, f.Order, db.companyFilter(f), fn))
}

// ChildrenByParents returns the unarchived children of each parent, ordered by name, at
// most limit per parent (0 = all); columns, when not nil, are the only ones it loads
// besides the keys.
func (db *DB) ChildrenByParents(ctx context.Context, parentIDs []int64, limit int, columns []string) ([][]*codex.Company, error) {
	out, err := companyEntity.byParents(ctx, db, parentIDs, parents[codex.Company]{
		parent: "company.parent_id",
		of:     func(c *codex.Company) int64 { return *c.ParentID },
	}, codex.Order{}, limit, columns, func(q *bun.SelectQuery) *bun.SelectQuery {
		return notArchived(q, "company", false)
	})
	return out, translate(err)
}

// ancestorsSQL selects company ? (depth 0) and its ancestors up to the root, nearest first.
const ancestorsSQL = `WITH RECURSIVE up(id, parent_id, depth) AS (
  SELECT id, parent_id, 0 FROM companies WHERE id = ?
  UNION ALL
  SELECT c.id, c.parent_id, up.depth + 1 FROM companies AS c JOIN up ON c.id = up.parent_id WHERE up.depth < ?
)
SELECT company.*, up.depth AS _depth FROM companies AS company JOIN up ON up.id = company.id ORDER BY up.depth`

// selfAndAncestors returns company id followed by its ancestors, nearest first.
func selfAndAncestors(ctx context.Context, idb bun.IDB, id int64) ([]*codex.Company, error) {
	var rows []*codex.Company
	if err := idb.NewRaw(ancestorsSQL, id, maxTreeDepth).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	if len(rows) == 0 || rows[0].ID != id {
		return nil, notFound("company", id)
	}
	return rows, nil
}

// Ancestors returns the parent, grandparent, ... up to the root, nearest first.
func (db *DB) Ancestors(ctx context.Context, id int64) ([]*codex.Company, error) {
	rows, err := selfAndAncestors(ctx, db.bun, id)
	if err != nil {
		return nil, translate(err)
	}
	return rows[1:], nil
}

// descendantsSQL selects company ? (depth 0) and its unarchived descendants down to depth
// ?, breadth first and by name within a level.
const descendantsSQL = `WITH RECURSIVE down(id, depth) AS (
  SELECT id, 0 FROM companies WHERE id = ?
  UNION ALL
  SELECT c.id, down.depth + 1 FROM companies AS c JOIN down ON c.parent_id = down.id
  WHERE c.archived_at IS NULL AND down.depth < ?
)
SELECT company.*, down.depth AS _depth FROM companies AS company JOIN down ON down.id = company.id
ORDER BY down.depth, company.name, company.id`

// Descendants returns the unarchived subtree below id, breadth first, to maxDepth levels
// (0 = all).
func (db *DB) Descendants(ctx context.Context, id int64, maxDepth int) ([]*codex.Company, error) {
	if maxDepth <= 0 || maxDepth > maxTreeDepth {
		maxDepth = maxTreeDepth
	}
	var rows []*codex.Company
	if err := db.bun.NewRaw(descendantsSQL, id, maxDepth).Scan(ctx, &rows); err != nil {
		return nil, translate(err)
	}
	if len(rows) == 0 || rows[0].ID != id {
		return nil, notFound("company", id)
	}
	return rows[1:], nil
}

// EffectiveSettings merges the settings of the root, ..., the parent and the company
// itself: a nearer company's value wins.
func (db *DB) EffectiveSettings(ctx context.Context, id int64) (map[string]string, error) {
	rows, err := selfAndAncestors(ctx, db.bun, id)
	if err != nil {
		return nil, translate(err)
	}
	out := map[string]string{}
	for i := len(rows) - 1; i >= 0; i-- {
		for k, v := range rows[i].Settings {
			out[k] = v
		}
	}
	return out, nil
}

// normalizeCompany trims the account number before validation.
func normalizeCompany(c *codex.Company) {
	if c.AccountNumber != nil {
		a := strings.TrimSpace(*c.AccountNumber)
		if a != "" {
			c.AccountNumber = &a
		}
	}
	c.Name = strings.TrimSpace(c.Name)
}

// checkCompanyRefs checks the companies and contacts c refers to.
func checkCompanyRefs(ctx context.Context, idb bun.IDB, c *codex.Company, cols []string) error {
	if c.ParentID != nil && (cols == nil || slices.Contains(cols, "parent_id")) {
		if err := mustExist(ctx, idb, "companies", "parent_id", *c.ParentID); err != nil {
			return err
		}
	}
	if c.BillingContactID != nil && (cols == nil || slices.Contains(cols, "billing_contact_id")) {
		if err := mustExist(ctx, idb, "contacts", "billing_contact_id", *c.BillingContactID); err != nil {
			return err
		}
	}
	return nil
}

// CreateCompany inserts c, setting its id and timestamps.
func (db *DB) CreateCompany(ctx context.Context, c *codex.Company) error {
	c.ID = 0
	if c.ParentID != nil && *c.ParentID == 0 {
		c.ParentID = nil
	}
	normalizeCompany(c)
	c.Defaults()
	if err := c.Validate(); err != nil {
		return err
	}
	err := db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := checkCompanyRefs(ctx, tx, c, nil); err != nil {
			return err
		}
		now := db.now()
		c.CreatedAt, c.UpdatedAt = now, now
		if _, err := tx.NewInsert().Model(c).Exec(ctx); err != nil {
			return err
		}
		return db.audit(ctx, tx, actionCreate, "company", c.ID, &c.ID, nil, c)
	})
	if err != nil {
		c.ID = 0
	}
	return err
}

// UpdateCompany applies patch to company id.
func (db *DB) UpdateCompany(ctx context.Context, id int64, patch codex.CompanyPatch) (*codex.Company, error) {
	var out *codex.Company
	err := db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		c, err := getCompany(ctx, tx, id, true)
		if err != nil {
			return err
		}
		out = c
		if err := codex.CheckVersion(patch.ExpectedVersion, c.UpdatedAt); err != nil {
			return err
		}
		before := *c
		cols := patch.Apply(c)
		if len(cols) == 0 {
			return nil
		}
		normalizeCompany(c)
		c.Defaults()
		if err := c.Validate(); err != nil {
			return err
		}
		if err := checkCompanyRefs(ctx, tx, c, cols); err != nil {
			return err
		}
		c.UpdatedAt = codex.NextWrite(before.UpdatedAt, db.now())
		if _, err := tx.NewUpdate().Model(c).Column(append(cols, "updated_at")...).WherePK().Exec(ctx); err != nil {
			return err
		}
		return db.audit(ctx, tx, actionUpdate, "company", c.ID, &c.ID, &before, c)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// MoveCompany re-parents company id under parentID (nil or 0 makes it a root). Moving a
// company under itself or one of its descendants is an Invalid error on parent_id.
func (db *DB) MoveCompany(ctx context.Context, id int64, parentID *int64) (*codex.Company, error) {
	if parentID != nil && *parentID == 0 {
		parentID = nil
	}
	var out *codex.Company
	err := db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if db.pg {
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", int64(treeLockKey)); err != nil {
				return err
			}
		}
		c, err := getCompany(ctx, tx, id, true)
		if err != nil {
			return err
		}
		out = c
		if parentID != nil {
			p := *parentID
			if p == id {
				return invalid("parent_id", "a company cannot be its own parent")
			}
			if err := mustExist(ctx, tx, "companies", "parent_id", p); err != nil {
				return err
			}
			below, err := tx.NewSelect().Table("companies").Where("id = ?", p).Where("id IN ("+subtreeSQL+")", id).Exists(ctx)
			if err != nil {
				return err
			}
			if below {
				return invalid("parent_id", "company %d is below company %d: the move would make a cycle", p, id)
			}
		}
		if equalID(c.ParentID, parentID) {
			return nil
		}
		before := *c
		c.ParentID = parentID
		c.UpdatedAt = codex.NextWrite(before.UpdatedAt, db.now())
		if _, err := tx.NewUpdate().Model(c).Column("parent_id", "updated_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		return db.audit(ctx, tx, actionMove, "company", c.ID, &c.ID, &before, c)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func equalID(a, b *int64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// ArchiveCompany archives company id.
func (db *DB) ArchiveCompany(ctx context.Context, id int64) (*codex.Company, error) {
	return companyArchiver.set(ctx, db, id, true)
}

// RestoreCompany restores an archived company.
func (db *DB) RestoreCompany(ctx context.Context, id int64) (*codex.Company, error) {
	return companyArchiver.set(ctx, db, id, false)
}

// AssetCountsByType returns, per company, how many unarchived assets of each type it has,
// ordered by type, with one statement.
func (db *DB) AssetCountsByType(ctx context.Context, companyIDs []int64) ([][]codex.TypeCount, error) {
	out := make([][]codex.TypeCount, len(companyIDs))
	for i := range out {
		out[i] = []codex.TypeCount{}
	}
	if len(companyIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		CompanyID int64           `bun:"company_id"`
		Type      codex.AssetType `bun:"type"`
		N         int             `bun:"n"`
	}
	err := db.bun.NewSelect().TableExpr("assets AS asset").
		ColumnExpr("asset.company_id, asset.type, count(*) AS n").
		Where("asset.company_id IN (?)", bun.In(uniq(companyIDs))).
		Where("asset.archived_at IS NULL").
		GroupExpr("asset.company_id, asset.type").
		OrderExpr("asset.company_id, asset.type").
		Scan(ctx, &rows)
	if err != nil {
		return nil, translate(err)
	}
	m := map[int64][]codex.TypeCount{}
	for _, r := range rows {
		m[r.CompanyID] = append(m[r.CompanyID], codex.TypeCount{Type: r.Type, Count: r.N})
	}
	for i, id := range companyIDs {
		if g, ok := m[id]; ok {
			out[i] = g
		}
	}
	return out, nil
}

// OpenTicketCounts returns, per company, the number of its open or pending tickets.
func (db *DB) OpenTicketCounts(ctx context.Context, companyIDs []int64) ([]int, error) {
	out, err := ticketEntity.countByParents(ctx, db, companyIDs, "ticket.company_id", func(q *bun.SelectQuery) *bun.SelectQuery {
		return notArchived(inIDs(q, "ticket.status", codex.OpenTicketStatuses), "ticket", false)
	})
	return out, translate(err)
}

// noFilter selects every row.
func noFilter(q *bun.SelectQuery) *bun.SelectQuery { return q }

// Locations

var locationEntity = &entity[codex.Location]{
	noun:  "location",
	alias: "location",
	keys: map[string]sortKey[codex.Location]{
		"name": {expr: "location.name", kind: kindText, value: func(l *codex.Location) any { return l.Name }},
		"id":   {expr: "location.id", kind: kindInt},
	},
	allowed: []string{"name", "id"},
	def:     "name",
	id:      func(l *codex.Location) int64 { return l.ID },
}

var locationArchiver = &archiver[codex.Location]{
	noun:       "location",
	get:        getLocation,
	archivedAt: func(l *codex.Location) **time.Time { return &l.ArchivedAt },
	updatedAt:  func(l *codex.Location) *time.Time { return &l.UpdatedAt },
	companyID:  func(l *codex.Location) *int64 { return &l.CompanyID },
}

func getLocation(ctx context.Context, idb bun.IDB, id int64, lock bool) (*codex.Location, error) {
	l := new(codex.Location)
	q := idb.NewSelect().Model(l).Where("location.id = ?", id)
	if lock {
		q = forUpdate(idb, q, "location")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, notFoundOr(err, "location", id)
	}
	return l, nil
}

// LocationsByCompanies returns each company's unarchived locations, by name.
func (db *DB) LocationsByCompanies(ctx context.Context, companyIDs []int64) ([][]*codex.Location, error) {
	out, err := locationEntity.byParents(ctx, db, companyIDs, parents[codex.Location]{
		parent: "location.company_id",
		of:     func(l *codex.Location) int64 { return l.CompanyID },
	}, codex.Order{}, 0, nil, func(q *bun.SelectQuery) *bun.SelectQuery { return notArchived(q, "location", false) })
	return out, translate(err)
}

// Location returns one location.
func (db *DB) Location(ctx context.Context, id int64) (*codex.Location, error) {
	l, err := getLocation(ctx, db.bun, id, false)
	return l, translate(err)
}

// CreateLocation inserts l.
func (db *DB) CreateLocation(ctx context.Context, l *codex.Location) error {
	l.ID = 0
	if err := l.Validate(); err != nil {
		return err
	}
	err := db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := mustExist(ctx, tx, "companies", "company_id", l.CompanyID); err != nil {
			return err
		}
		now := db.now()
		l.CreatedAt, l.UpdatedAt = now, now
		if _, err := tx.NewInsert().Model(l).Exec(ctx); err != nil {
			return err
		}
		return db.audit(ctx, tx, actionCreate, "location", l.ID, &l.CompanyID, nil, l)
	})
	if err != nil {
		l.ID = 0
	}
	return err
}

// UpdateLocation applies patch to location id.
func (db *DB) UpdateLocation(ctx context.Context, id int64, patch codex.LocationPatch) (*codex.Location, error) {
	var out *codex.Location
	err := db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		l, err := getLocation(ctx, tx, id, true)
		if err != nil {
			return err
		}
		out = l
		if err := codex.CheckVersion(patch.ExpectedVersion, l.UpdatedAt); err != nil {
			return err
		}
		before := *l
		cols := patch.Apply(l)
		if len(cols) == 0 {
			return nil
		}
		if err := l.Validate(); err != nil {
			return err
		}
		l.UpdatedAt = codex.NextWrite(before.UpdatedAt, db.now())
		if _, err := tx.NewUpdate().Model(l).Column(append(cols, "updated_at")...).WherePK().Exec(ctx); err != nil {
			return err
		}
		return db.audit(ctx, tx, actionUpdate, "location", l.ID, &l.CompanyID, &before, l)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ArchiveLocation archives location id.
func (db *DB) ArchiveLocation(ctx context.Context, id int64) (*codex.Location, error) {
	return locationArchiver.set(ctx, db, id, true)
}
