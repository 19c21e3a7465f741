package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/hivematrix/codex/codex"
)

// A contact's designation lives in contact_companies, one row per company it serves, its
// home company included. Reads join the row of the company the contact is listed for:
// the home company, or the company of a per-company list.

// contactCols are the columns a contact read selects besides contact.*.
const contactCols = "COALESCE(cc.designation, 'none') AS designation, COALESCE(cc.company_id, contact.company_id) AS for_company_id"

// homeJoin joins a contact's home assignment.
const homeJoin = "LEFT JOIN contact_companies AS cc ON cc.contact_id = contact.id AND cc.company_id = contact.company_id"

var contactEntity = &entity[codex.Contact]{
	noun:   "contact",
	alias:  "contact",
	cols:   contactCols,
	always: []string{"id", "company_id"},
	fields: contactFields,
	keys: map[string]sortKey[codex.Contact]{
		"name":       {expr: "contact.display_name", kind: kindText, value: func(c *codex.Contact) any { return c.DisplayName }},
		"id":         {expr: "contact.id", kind: kindInt},
		"email":      {expr: "contact.email", kind: kindText, value: func(c *codex.Contact) any { return c.Email }},
		"created_at": {expr: "contact.created_at", kind: kindTime, value: func(c *codex.Contact) any { return c.CreatedAt }},
		"updated_at": {expr: "contact.updated_at", kind: kindTime, value: func(c *codex.Contact) any { return c.UpdatedAt }},
	},
	allowed: codex.ContactOrders,
	def:     "name",
	id:      func(c *codex.Contact) int64 { return c.ID },
}

var contactArchiver = &archiver[codex.Contact]{
	noun:       "contact",
	get:        getContact,
	archivedAt: func(c *codex.Contact) **time.Time { return &c.ArchivedAt },
	updatedAt:  func(c *codex.Contact) *time.Time { return &c.UpdatedAt },
	companyID:  func(c *codex.Contact) *int64 { return &c.CompanyID },
}

// getContact reads one contact with its home designation.
func getContact(ctx context.Context, idb bun.IDB, id int64, lock bool) (*codex.Contact, error) {
	c := new(codex.Contact)
	q := idb.NewSelect().Model(c).ColumnExpr("contact.*").ColumnExpr(contactCols).Join(homeJoin).Where("contact.id = ?", id)
	if lock {
		q = forUpdate(idb, q, "contact")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, notFoundOr(err, "contact", id)
	}
	return c, nil
}

// contactFilter returns the conditions of f. With batch set, the caller restricts
// cc.company_id to the companies it loads contacts for, and f.CompanyID is ignored.
func (db *DB) contactFilter(f codex.ContactFilter, batch bool) func(*bun.SelectQuery) *bun.SelectQuery {
	return func(q *bun.SelectQuery) *bun.SelectQuery {
		switch {
		case batch:
			q = q.Join("JOIN contact_companies AS cc ON cc.contact_id = contact.id")
		case f.CompanyID != nil:
			q = q.Join("JOIN contact_companies AS cc ON cc.contact_id = contact.id AND cc.company_id = ?", *f.CompanyID)
		default:
			q = q.Join(homeJoin)
		}
		q = db.search(q, f.Search, db.likeAll("contact.display_name", "contact.first_name", "contact.last_name",
			"contact.email", "contact.phone_work", "contact.phone_mobile", "contact.title")...)
		if f.SubtreeOf != nil {
			q = q.Where("EXISTS (SELECT 1 FROM contact_companies AS sc WHERE sc.contact_id = contact.id AND sc.company_id IN ("+subtreeSQL+"))", *f.SubtreeOf)
		}
		if len(f.Designation) > 0 {
			q = inIDs(q, "cc.designation", f.Designation)
		}
		if f.Role != "" {
			cond, arg := db.jsonHas("contact.roles")
			q = q.Where(cond, arg(f.Role))
		}
		if f.Email != "" {
			q = q.Where(db.ciEqual("contact.email"), f.Email)
		}
		if f.Active != nil {
			q = q.Where("contact.active = ?", *f.Active)
		}
		q = notArchived(q, "contact", f.IncludeArchived)
		// A contact is in scope when it serves a company in scope (home or assigned).
		if f.Scope != nil {
			if len(f.Scope) == 0 {
				q = q.Where("1 = 0")
			} else {
				q = q.Where("EXISTS (SELECT 1 FROM contact_companies AS xc WHERE xc.contact_id = contact.id AND xc.company_id IN (?))", bun.In(f.Scope))
			}
		}
		return q
	}
}

// Contact returns one contact with its designation at its home company.
func (db *DB) Contact(ctx context.Context, id int64) (*codex.Contact, error) {
	c, err := getContact(ctx, db.bun, id, false)
	return c, translate(err)
}

// ContactsByIDs returns the contacts with the given ids in key order.
func (db *DB) ContactsByIDs(ctx context.Context, ids []int64) ([]*codex.Contact, []error) {
	return contactEntity.byIDs(ctx, db, ids, func(q *bun.SelectQuery) *bun.SelectQuery { return q.Join(homeJoin) })
}

// Contacts lists contacts; with f.CompanyID, the designation is the one at that company.
func (db *DB) Contacts(ctx context.Context, f codex.ContactFilter, p codex.PageArgs) (*codex.Page[codex.Contact], error) {
	pg, err := contactEntity.page(ctx, db.bun, f.Order, p, db.contactFilter(f, false))
	return pg, translate(err)
}

// EachContact calls fn for every matching contact, in order.
func (db *DB) EachContact(ctx context.Context, f codex.ContactFilter, fn func(*codex.Contact) error) error {
	return translate(contactEntity.each(ctx, db, f.Order, db.contactFilter(f, false), fn))
}

var contactsByCompany = parents[codex.Contact]{
	parent: "cc.company_id",
	outer:  "contact.for_company_id",
	of:     func(c *codex.Contact) int64 { return c.ForCompanyID },
}

// ContactsByCompanies returns the contacts serving each company (home or assigned), with
// Designation and ForCompanyID set for that company, at most limit per company.
func (db *DB) ContactsByCompanies(ctx context.Context, companyIDs []int64, f codex.ContactFilter, limit int) ([][]*codex.Contact, error) {
	out, err := contactEntity.byParents(ctx, db, companyIDs, contactsByCompany, f.Order, limit, f.Columns, db.contactFilter(f, true))
	return out, translate(err)
}

// CountContactsByCompanies counts the contacts serving each company.
func (db *DB) CountContactsByCompanies(ctx context.Context, companyIDs []int64, f codex.ContactFilter) ([]int, error) {
	out, err := contactEntity.countByParents(ctx, db, companyIDs, "cc.company_id", db.contactFilter(f, true))
	return out, translate(err)
}

// CompaniesOfContacts returns each contact's assignments, its home company first.
func (db *DB) CompaniesOfContacts(ctx context.Context, contactIDs []int64) ([][]codex.ContactCompany, error) {
	out := make([][]codex.ContactCompany, len(contactIDs))
	for i := range out {
		out[i] = []codex.ContactCompany{}
	}
	if len(contactIDs) == 0 {
		return out, nil
	}
	var rows []codex.ContactCompany
	err := db.bun.NewSelect().Model(&rows).
		Join("JOIN contacts AS contact ON contact.id = cc.contact_id").
		Where("cc.contact_id IN (?)", bun.In(uniq(contactIDs))).
		OrderExpr("cc.contact_id, CASE WHEN cc.company_id = contact.company_id THEN 0 ELSE 1 END, cc.company_id").
		Scan(ctx)
	if err != nil {
		return nil, translate(err)
	}
	m := map[int64][]codex.ContactCompany{}
	for _, r := range rows {
		m[r.ContactID] = append(m[r.ContactID], r)
	}
	for i, id := range contactIDs {
		if g, ok := m[id]; ok {
			out[i] = g
		}
	}
	return out, nil
}

// CreateContact inserts c and its home assignment, with c.Designation (default none).
func (db *DB) CreateContact(ctx context.Context, c *codex.Contact) error {
	c.ID = 0
	c.Defaults()
	if err := c.Validate(); err != nil {
		return err
	}
	err := db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := mustExist(ctx, tx, "companies", "company_id", c.CompanyID); err != nil {
			return err
		}
		now := db.now()
		c.CreatedAt, c.UpdatedAt = now, now
		if _, err := tx.NewInsert().Model(c).Exec(ctx); err != nil {
			return err
		}
		if err := db.fail("contact.inserted"); err != nil {
			return err
		}
		home := &codex.ContactCompany{ContactID: c.ID, CompanyID: c.CompanyID, Designation: c.Designation, CreatedAt: now}
		if _, err := tx.NewInsert().Model(home).Exec(ctx); err != nil {
			return err
		}
		c.ForCompanyID = c.CompanyID
		return db.audit(ctx, tx, actionCreate, "contact", c.ID, &c.CompanyID, nil, c)
	})
	if err != nil {
		c.ID = 0
	}
	return err
}

// getAssignment reads the assignment of contact at company, or nil.
func getAssignment(ctx context.Context, idb bun.IDB, contactID, companyID int64) (*codex.ContactCompany, error) {
	a := new(codex.ContactCompany)
	err := idb.NewSelect().Model(a).Where("cc.contact_id = ? AND cc.company_id = ?", contactID, companyID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return a, nil
}

// setAssignment inserts or updates the assignment of contact at company.
func (db *DB) setAssignment(ctx context.Context, idb bun.IDB, contactID, companyID int64, d codex.Designation) error {
	res, err := idb.NewUpdate().TableExpr("contact_companies").Set("designation = ?", d).
		Where("contact_id = ? AND company_id = ?", contactID, companyID).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	_, err = idb.NewInsert().Model(&codex.ContactCompany{ContactID: contactID, CompanyID: companyID, Designation: d, CreatedAt: db.now()}).Exec(ctx)
	return err
}

// UpdateContact applies patch to contact id. A new CompanyID moves the home assignment
// (keeping the designation, unless the patch sets one); Designation sets the designation
// at the home company.
func (db *DB) UpdateContact(ctx context.Context, id int64, patch codex.ContactPatch) (*codex.Contact, error) {
	var out *codex.Contact
	err := db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		c, err := getContact(ctx, tx, id, true)
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
		c.Defaults()
		if err := c.Validate(); err != nil {
			return err
		}
		moved := c.CompanyID != before.CompanyID
		if moved {
			if err := mustExist(ctx, tx, "companies", "company_id", c.CompanyID); err != nil {
				return err
			}
		}
		c.UpdatedAt = codex.NextWrite(before.UpdatedAt, db.now())
		if _, err := tx.NewUpdate().Model(c).Column(append(without(cols, "designation"), "updated_at")...).WherePK().Exec(ctx); err != nil {
			return err
		}
		if err := db.fail("contact.updated"); err != nil {
			return err
		}
		if moved {
			if _, err := tx.NewDelete().TableExpr("contact_companies").
				Where("contact_id = ? AND company_id = ?", id, before.CompanyID).Exec(ctx); err != nil {
				return err
			}
			existing, err := getAssignment(ctx, tx, id, c.CompanyID)
			if err != nil {
				return err
			}
			if existing != nil && patch.Designation == nil {
				c.Designation = existing.Designation
			} else if err := db.setAssignment(ctx, tx, id, c.CompanyID, c.Designation); err != nil {
				return err
			}
		} else if patch.Designation != nil {
			if err := db.setAssignment(ctx, tx, id, c.CompanyID, c.Designation); err != nil {
				return err
			}
		}
		c.ForCompanyID = c.CompanyID
		return db.audit(ctx, tx, actionUpdate, "contact", c.ID, &c.CompanyID, &before, c)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ArchiveContact archives contact id.
func (db *DB) ArchiveContact(ctx context.Context, id int64) (*codex.Contact, error) {
	return contactArchiver.set(ctx, db, id, true)
}

// RestoreContact restores an archived contact.
func (db *DB) RestoreContact(ctx context.Context, id int64) (*codex.Contact, error) {
	return contactArchiver.set(ctx, db, id, false)
}

// AssignContact adds or changes the contact's designation at a company (none when d is
// empty). At the home company it changes the home designation.
func (db *DB) AssignContact(ctx context.Context, contactID, companyID int64, d codex.Designation) error {
	if d == "" {
		d = codex.DesignationNone
	}
	if !d.Valid() {
		return invalid("designation", "must be one of primary, secondary, none")
	}
	return db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := getContact(ctx, tx, contactID, true); err != nil {
			return err
		}
		if err := mustExist(ctx, tx, "companies", "company_id", companyID); err != nil {
			return err
		}
		existing, err := getAssignment(ctx, tx, contactID, companyID)
		if err != nil {
			return err
		}
		if existing != nil && existing.Designation == d {
			return nil
		}
		if err := db.setAssignment(ctx, tx, contactID, companyID, d); err != nil {
			return err
		}
		after, err := getAssignment(ctx, tx, contactID, companyID)
		if err != nil {
			return err
		}
		var before any
		if existing != nil {
			before = existing
		}
		return db.audit(ctx, tx, actionAssign, "contact", contactID, &companyID, before, after)
	})
}

// UnassignContact removes the contact's assignment to a company other than its home.
func (db *DB) UnassignContact(ctx context.Context, contactID, companyID int64) error {
	return db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		c, err := getContact(ctx, tx, contactID, true)
		if err != nil {
			return err
		}
		if c.CompanyID == companyID {
			return invalid("company_id", "is the contact's home company; move the contact instead")
		}
		existing, err := getAssignment(ctx, tx, contactID, companyID)
		if err != nil {
			return err
		}
		if existing == nil {
			return codex.Errorf(codex.NotFound, "contact %d is not assigned to company %d", contactID, companyID)
		}
		if _, err := tx.NewDelete().TableExpr("contact_companies").
			Where("contact_id = ? AND company_id = ?", contactID, companyID).Exec(ctx); err != nil {
			return err
		}
		return db.audit(ctx, tx, actionUnassign, "contact", contactID, &companyID, existing, nil)
	})
}
