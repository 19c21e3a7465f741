package store

import (
	"context"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/hivematrix/codex/codex"
)

var assetEntity = &entity[codex.Asset]{
	noun:   "asset",
	alias:  "asset",
	always: []string{"id", "company_id"},
	fields: assetFields,
	keys: map[string]sortKey[codex.Asset]{
		"name":          {expr: "asset.name", kind: kindText, value: func(a *codex.Asset) any { return a.Name }},
		"id":            {expr: "asset.id", kind: kindInt},
		"type":          {expr: "asset.type", kind: kindText, value: func(a *codex.Asset) any { return string(a.Type) }},
		"serial_number": {expr: "asset.serial_number", kind: kindText, value: func(a *codex.Asset) any { return a.SerialNumber }},
		"warranty_expires": {expr: "asset.warranty_expires", kind: kindDate, nullable: true, value: func(a *codex.Asset) any {
			if a.WarrantyExpires == nil {
				return nil
			}
			return *a.WarrantyExpires
		}},
		"last_seen": {expr: "asset.last_seen", kind: kindTime, nullable: true, value: func(a *codex.Asset) any {
			if a.LastSeen == nil {
				return nil
			}
			return *a.LastSeen
		}},
		"created_at": {expr: "asset.created_at", kind: kindTime, value: func(a *codex.Asset) any { return a.CreatedAt }},
		"updated_at": {expr: "asset.updated_at", kind: kindTime, value: func(a *codex.Asset) any { return a.UpdatedAt }},
	},
	allowed: codex.AssetOrders,
	def:     "name",
	id:      func(a *codex.Asset) int64 { return a.ID },
}

var assetArchiver = &archiver[codex.Asset]{
	noun:       "asset",
	get:        getAsset,
	archivedAt: func(a *codex.Asset) **time.Time { return &a.ArchivedAt },
	updatedAt:  func(a *codex.Asset) *time.Time { return &a.UpdatedAt },
	companyID:  func(a *codex.Asset) *int64 { return &a.CompanyID },
}

func getAsset(ctx context.Context, idb bun.IDB, id int64, lock bool) (*codex.Asset, error) {
	a := new(codex.Asset)
	q := idb.NewSelect().Model(a).Where("asset.id = ?", id)
	if lock {
		q = forUpdate(idb, q, "asset")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, notFoundOr(err, "asset", id)
	}
	return a, nil
}

// assetFilter returns the conditions of f, or an Invalid error for a bad ip_in.
func (db *DB) assetFilter(f codex.AssetFilter) (func(*bun.SelectQuery) *bun.SelectQuery, error) {
	var lo, hi string
	if f.IPIn != "" {
		var err error
		if lo, hi, err = ipRange("ip_in", f.IPIn); err != nil {
			return nil, err
		}
	}
	return func(q *bun.SelectQuery) *bun.SelectQuery {
		conds := db.likeAll("asset.name", "asset.serial_number", "asset.hostname", "asset.model")
		conds = append(conds, "EXISTS (SELECT 1 FROM asset_ips AS si WHERE si.asset_id = asset.id AND "+db.like("si.ip")+")")
		q = db.search(q, f.Search, conds...)
		if f.CompanyID != nil {
			q = q.Where("asset.company_id = ?", *f.CompanyID)
		}
		if f.SubtreeOf != nil {
			q = inSubtree(q, "asset.company_id", *f.SubtreeOf)
		}
		if len(f.Type) > 0 {
			q = inIDs(q, "asset.type", f.Type)
		}
		if len(f.Status) > 0 {
			q = inIDs(q, "asset.status", f.Status)
		}
		if f.WarrantyExpiresBefore != nil {
			q = q.Where("asset.warranty_expires < ?", *f.WarrantyExpiresBefore)
		}
		if f.Online != nil {
			q = q.Where("asset.online = ?", *f.Online)
		}
		if f.IPIn != "" {
			q = q.Where("EXISTS (SELECT 1 FROM asset_ips AS ri WHERE ri.asset_id = asset.id AND ri.ip_key BETWEEN ? AND ?)", lo, hi)
		}
		if f.ContactID != nil {
			q = q.Where("EXISTS (SELECT 1 FROM asset_contacts AS fc WHERE fc.asset_id = asset.id AND fc.contact_id = ?)", *f.ContactID)
		}
		if f.SerialNumber != "" {
			q = q.Where("asset.serial_number = ?", f.SerialNumber)
		}
		if f.Hostname != "" {
			q = q.Where(db.ciEqual("asset.hostname"), f.Hostname)
		}
		q = notArchived(q, "asset", f.IncludeArchived)
		return inScope(q, "asset.company_id", f.Scope)
	}, nil
}

// Asset returns one asset, archived or not.
func (db *DB) Asset(ctx context.Context, id int64) (*codex.Asset, error) {
	a, err := getAsset(ctx, db.bun, id, false)
	return a, translate(err)
}

// AssetsByIDs returns the assets with the given ids in key order.
func (db *DB) AssetsByIDs(ctx context.Context, ids []int64) ([]*codex.Asset, []error) {
	return assetEntity.byIDs(ctx, db, ids, noFilter)
}

// Assets lists assets.
func (db *DB) Assets(ctx context.Context, f codex.AssetFilter, p codex.PageArgs) (*codex.Page[codex.Asset], error) {
	build, err := db.assetFilter(f)
	if err != nil {
		return nil, err
	}
	pg, err := assetEntity.page(ctx, db.bun, f.Order, p, build)
	return pg, translate(err)
}

// EachAsset calls fn for every matching asset, in order.
func (db *DB) EachAsset(ctx context.Context, f codex.AssetFilter, fn func(*codex.Asset) error) error {
	build, err := db.assetFilter(f)
	if err != nil {
		return err
	}
	return translate(assetEntity.each(ctx, db, f.Order, build, fn))
}

var assetsByCompany = parents[codex.Asset]{parent: "asset.company_id", of: func(a *codex.Asset) int64 { return a.CompanyID }}

// AssetsByCompanies returns each company's matching assets, at most limit per company.
func (db *DB) AssetsByCompanies(ctx context.Context, companyIDs []int64, f codex.AssetFilter, limit int) ([][]*codex.Asset, error) {
	build, err := db.assetFilter(f)
	if err != nil {
		return nil, err
	}
	out, err := assetEntity.byParents(ctx, db, companyIDs, assetsByCompany, f.Order, limit, f.Columns, build)
	return out, translate(err)
}

// CountAssetsByCompanies counts each company's matching assets.
func (db *DB) CountAssetsByCompanies(ctx context.Context, companyIDs []int64, f codex.AssetFilter) ([]int, error) {
	build, err := db.assetFilter(f)
	if err != nil {
		return nil, err
	}
	out, err := assetEntity.countByParents(ctx, db, companyIDs, "asset.company_id", build)
	return out, translate(err)
}

// assetOfContact is an asset loaded for one of its contacts.
type assetOfContact struct {
	codex.Asset  `bun:",extend"`
	ForContactID int64 `bun:"for_contact_id,scanonly"`
}

// AssetsByContacts returns the unarchived assets assigned to each contact, by name.
func (db *DB) AssetsByContacts(ctx context.Context, contactIDs []int64) ([][]*codex.Asset, error) {
	out := make([][]*codex.Asset, len(contactIDs))
	for i := range out {
		out[i] = []*codex.Asset{}
	}
	if len(contactIDs) == 0 {
		return out, nil
	}
	var rows []*assetOfContact
	err := db.bun.NewSelect().Model(&rows).
		ColumnExpr("asset.*").ColumnExpr("ac.contact_id AS for_contact_id").
		Join("JOIN asset_contacts AS ac ON ac.asset_id = asset.id").
		Where("ac.contact_id IN (?)", bun.In(uniq(contactIDs))).
		Where("asset.archived_at IS NULL").
		OrderExpr("ac.contact_id, asset.name, asset.id").
		Scan(ctx)
	if err != nil {
		return nil, translate(err)
	}
	m := map[int64][]*codex.Asset{}
	for _, r := range rows {
		a := r.Asset
		m[r.ForContactID] = append(m[r.ForContactID], &a)
	}
	for i, id := range contactIDs {
		if g, ok := m[id]; ok {
			out[i] = g
		}
	}
	return out, nil
}

// contactOfAsset is a contact loaded for one of the assets assigned to it.
type contactOfAsset struct {
	codex.Contact `bun:",extend"`
	ForAssetID    int64 `bun:"for_asset_id,scanonly"`
}

// ContactsByAssets returns the unarchived contacts each asset is assigned to, by name.
func (db *DB) ContactsByAssets(ctx context.Context, assetIDs []int64) ([][]*codex.Contact, error) {
	out := make([][]*codex.Contact, len(assetIDs))
	for i := range out {
		out[i] = []*codex.Contact{}
	}
	if len(assetIDs) == 0 {
		return out, nil
	}
	var rows []*contactOfAsset
	err := db.bun.NewSelect().Model(&rows).
		ColumnExpr("contact.*").ColumnExpr(contactCols).ColumnExpr("ac.asset_id AS for_asset_id").
		Join("JOIN asset_contacts AS ac ON ac.contact_id = contact.id").
		Join(homeJoin).
		Where("ac.asset_id IN (?)", bun.In(uniq(assetIDs))).
		Where("contact.archived_at IS NULL").
		OrderExpr("ac.asset_id, contact.display_name, contact.id").
		Scan(ctx)
	if err != nil {
		return nil, translate(err)
	}
	m := map[int64][]*codex.Contact{}
	for _, r := range rows {
		c := r.Contact
		m[r.ForAssetID] = append(m[r.ForAssetID], &c)
	}
	for i, id := range assetIDs {
		if g, ok := m[id]; ok {
			out[i] = g
		}
	}
	return out, nil
}

// prepareAsset validates a and drops repeated addresses (after normalization
// "10.0.0.1" and "::ffff:10.0.0.1" are the same address).
func prepareAsset(a *codex.Asset) error {
	a.LastSeen = utcp(a.LastSeen)
	a.Defaults()
	if err := a.Validate(); err != nil {
		return err
	}
	if a.IPAddresses != nil {
		seen := map[string]bool{}
		ips := make([]string, 0, len(a.IPAddresses))
		for _, ip := range a.IPAddresses {
			if !seen[ip] {
				seen[ip] = true
				ips = append(ips, ip)
			}
		}
		a.IPAddresses = ips
	}
	return nil
}

// syncAssetIPs replaces the rows of asset_ips of a with its current addresses.
func syncAssetIPs(ctx context.Context, idb bun.IDB, a *codex.Asset, replace bool) error {
	if replace {
		if _, err := idb.NewDelete().TableExpr("asset_ips").Where("asset_id = ?", a.ID).Exec(ctx); err != nil {
			return err
		}
	}
	if len(a.IPAddresses) == 0 {
		return nil
	}
	rows := make([]codex.AssetIP, 0, len(a.IPAddresses))
	for _, s := range a.IPAddresses {
		ip, err := codex.ParseIP(s)
		if err != nil {
			return invalid("ip_addresses", "%q is not an IP address", s)
		}
		rows = append(rows, codex.AssetIP{AssetID: a.ID, IPKey: codex.IPKey(ip), CompanyID: a.CompanyID, IP: ip.String()})
	}
	_, err := idb.NewInsert().Model(&rows).Exec(ctx)
	return err
}

// CreateAsset inserts a and its addresses.
func (db *DB) CreateAsset(ctx context.Context, a *codex.Asset) error {
	a.ID = 0
	if err := prepareAsset(a); err != nil {
		return err
	}
	err := db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := mustExist(ctx, tx, "companies", "company_id", a.CompanyID); err != nil {
			return err
		}
		now := db.now()
		a.CreatedAt, a.UpdatedAt = now, now
		if _, err := tx.NewInsert().Model(a).Exec(ctx); err != nil {
			return err
		}
		if err := db.fail("asset.inserted"); err != nil {
			return err
		}
		if err := syncAssetIPs(ctx, tx, a, false); err != nil {
			return err
		}
		return db.audit(ctx, tx, actionCreate, "asset", a.ID, &a.CompanyID, nil, a)
	})
	if err != nil {
		a.ID = 0
	}
	return err
}

// UpdateAsset applies patch to asset id, keeping its addresses in asset_ips in step.
func (db *DB) UpdateAsset(ctx context.Context, id int64, patch codex.AssetPatch) (*codex.Asset, error) {
	var out *codex.Asset
	err := db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		a, err := getAsset(ctx, tx, id, true)
		if err != nil {
			return err
		}
		out = a
		if err := codex.CheckVersion(patch.ExpectedVersion, a.UpdatedAt); err != nil {
			return err
		}
		before := *a
		cols := patch.Apply(a)
		if len(cols) == 0 {
			return nil
		}
		if err := prepareAsset(a); err != nil {
			return err
		}
		moved := a.CompanyID != before.CompanyID
		if moved {
			if err := mustExist(ctx, tx, "companies", "company_id", a.CompanyID); err != nil {
				return err
			}
		}
		a.UpdatedAt = codex.NextWrite(before.UpdatedAt, db.now())
		if _, err := tx.NewUpdate().Model(a).Column(append(cols, "updated_at")...).WherePK().Exec(ctx); err != nil {
			return err
		}
		if moved || slices.Contains(cols, "ip_addresses") {
			if err := syncAssetIPs(ctx, tx, a, true); err != nil {
				return err
			}
		}
		return db.audit(ctx, tx, actionUpdate, "asset", a.ID, &a.CompanyID, &before, a)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ArchiveAsset archives asset id.
func (db *DB) ArchiveAsset(ctx context.Context, id int64) (*codex.Asset, error) {
	return assetArchiver.set(ctx, db, id, true)
}

// RestoreAsset restores an archived asset.
func (db *DB) RestoreAsset(ctx context.Context, id int64) (*codex.Asset, error) {
	return assetArchiver.set(ctx, db, id, false)
}

// assetContacts is the audit document of an asset's contact assignments.
type assetContacts struct {
	ContactIDs []int64 `json:"contact_ids"`
}

// AssignAsset replaces the set of contacts asset id is assigned to.
func (db *DB) AssignAsset(ctx context.Context, assetID int64, contactIDs []int64) error {
	ids := uniq(contactIDs)
	slices.Sort(ids)
	return db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		a, err := getAsset(ctx, tx, assetID, true)
		if err != nil {
			return err
		}
		if err := mustExistAll(ctx, tx, "contacts", "contact_ids", ids); err != nil {
			return err
		}
		var old []int64
		if err := tx.NewSelect().TableExpr("asset_contacts").Column("contact_id").
			Where("asset_id = ?", assetID).OrderExpr("contact_id").Scan(ctx, &old); err != nil {
			return err
		}
		if slices.Equal(old, ids) {
			return nil
		}
		if _, err := tx.NewDelete().TableExpr("asset_contacts").Where("asset_id = ?", assetID).Exec(ctx); err != nil {
			return err
		}
		if len(ids) > 0 {
			rows := make([]codex.AssetContact, len(ids))
			for i, id := range ids {
				rows[i] = codex.AssetContact{AssetID: assetID, ContactID: id}
			}
			if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
				return err
			}
		}
		if old == nil {
			old = []int64{}
		}
		return db.audit(ctx, tx, actionAssign, "asset", assetID, &a.CompanyID, assetContacts{old}, assetContacts{ids})
	})
}
