package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/hivematrix/codex/codex"
)

// Addresses are kept as codex.IPKey text (32 hex digits of the 16-byte form), so "inside a
// prefix" is lo <= key <= hi and a duplicate is an equal key, on both databases.

var equipmentEntity = &entity[codex.NetworkEquipment]{
	noun:   "network equipment",
	alias:  "ne",
	always: []string{"id", "company_id"},
	fields: equipmentFields,
	keys: map[string]sortKey[codex.NetworkEquipment]{
		"name": {expr: "ne.name", kind: kindText, value: func(e *codex.NetworkEquipment) any { return e.Name }},
		"id":   {expr: "ne.id", kind: kindInt},
		"type": {expr: "ne.type", kind: kindText, value: func(e *codex.NetworkEquipment) any { return string(e.Type) }},
		// Addresses sort in address order, by key; equipment without one sorts last.
		"ip_address": {expr: "ne.ip_key", kind: kindText, nullable: true, value: func(e *codex.NetworkEquipment) any {
			if e.IPKey == "" {
				return nil
			}
			return e.IPKey
		}},
		"created_at": {expr: "ne.created_at", kind: kindTime, value: func(e *codex.NetworkEquipment) any { return e.CreatedAt }},
		"updated_at": {expr: "ne.updated_at", kind: kindTime, value: func(e *codex.NetworkEquipment) any { return e.UpdatedAt }},
	},
	allowed: codex.EquipmentOrders,
	def:     "name",
	id:      func(e *codex.NetworkEquipment) int64 { return e.ID },
}

var equipmentArchiver = &archiver[codex.NetworkEquipment]{
	noun:       "network_equipment",
	get:        getEquipment,
	archivedAt: func(e *codex.NetworkEquipment) **time.Time { return &e.ArchivedAt },
	updatedAt:  func(e *codex.NetworkEquipment) *time.Time { return &e.UpdatedAt },
	companyID:  func(e *codex.NetworkEquipment) *int64 { return &e.CompanyID },
}

func getEquipment(ctx context.Context, idb bun.IDB, id int64, lock bool) (*codex.NetworkEquipment, error) {
	e := new(codex.NetworkEquipment)
	q := idb.NewSelect().Model(e).Where("ne.id = ?", id)
	if lock {
		q = forUpdate(idb, q, "ne")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, notFoundOr(err, "network equipment", id)
	}
	return e, nil
}

// equipmentFilter returns the conditions of f, or an Invalid error for a bad ip_in.
func (db *DB) equipmentFilter(f codex.EquipmentFilter) (func(*bun.SelectQuery) *bun.SelectQuery, error) {
	var lo, hi string
	if f.IPIn != "" {
		var err error
		if lo, hi, err = ipRange("ip_in", f.IPIn); err != nil {
			return nil, err
		}
	}
	return func(q *bun.SelectQuery) *bun.SelectQuery {
		q = db.search(q, f.Search, db.likeAll("ne.name", "ne.ip_address", "ne.mac_address", "ne.serial",
			"ne.model", "ne.manufacturer", "ne.location")...)
		if f.CompanyID != nil {
			q = q.Where("ne.company_id = ?", *f.CompanyID)
		}
		if f.SubtreeOf != nil {
			q = inSubtree(q, "ne.company_id", *f.SubtreeOf)
		}
		if len(f.Type) > 0 {
			q = inIDs(q, "ne.type", f.Type)
		}
		if len(f.Status) > 0 {
			q = inIDs(q, "ne.status", f.Status)
		}
		if f.IPIn != "" {
			q = q.Where("ne.ip_key BETWEEN ? AND ?", lo, hi)
		}
		q = notArchived(q, "ne", f.IncludeArchived)
		return inScope(q, "ne.company_id", f.Scope)
	}, nil
}

// Equipment returns one device, archived or not.
func (db *DB) Equipment(ctx context.Context, id int64) (*codex.NetworkEquipment, error) {
	e, err := getEquipment(ctx, db.bun, id, false)
	return e, translate(err)
}

// EquipmentByIDs returns the devices with the given ids in key order.
func (db *DB) EquipmentByIDs(ctx context.Context, ids []int64) ([]*codex.NetworkEquipment, []error) {
	return equipmentEntity.byIDs(ctx, db, ids, noFilter)
}

// EquipmentList lists network equipment.
func (db *DB) EquipmentList(ctx context.Context, f codex.EquipmentFilter, p codex.PageArgs) (*codex.Page[codex.NetworkEquipment], error) {
	build, err := db.equipmentFilter(f)
	if err != nil {
		return nil, err
	}
	pg, err := equipmentEntity.page(ctx, db.bun, f.Order, p, build)
	return pg, translate(err)
}

// EachEquipment calls fn for every matching device, in order.
func (db *DB) EachEquipment(ctx context.Context, f codex.EquipmentFilter, fn func(*codex.NetworkEquipment) error) error {
	build, err := db.equipmentFilter(f)
	if err != nil {
		return err
	}
	return translate(equipmentEntity.each(ctx, db, f.Order, build, fn))
}

var equipmentByCompany = parents[codex.NetworkEquipment]{parent: "ne.company_id", of: func(e *codex.NetworkEquipment) int64 { return e.CompanyID }}

// EquipmentByCompanies returns each company's matching devices, at most limit per company.
func (db *DB) EquipmentByCompanies(ctx context.Context, companyIDs []int64, f codex.EquipmentFilter, limit int) ([][]*codex.NetworkEquipment, error) {
	build, err := db.equipmentFilter(f)
	if err != nil {
		return nil, err
	}
	out, err := equipmentEntity.byParents(ctx, db, companyIDs, equipmentByCompany, f.Order, limit, f.Columns, build)
	return out, translate(err)
}

// CountEquipmentByCompanies counts each company's matching devices.
func (db *DB) CountEquipmentByCompanies(ctx context.Context, companyIDs []int64, f codex.EquipmentFilter) ([]int, error) {
	build, err := db.equipmentFilter(f)
	if err != nil {
		return nil, err
	}
	out, err := equipmentEntity.countByParents(ctx, db, companyIDs, "ne.company_id", build)
	return out, translate(err)
}

// checkLocation checks that location id exists and belongs to company.
func checkLocation(ctx context.Context, idb bun.IDB, id *int64, companyID int64) error {
	if id == nil {
		return nil
	}
	ok, err := idb.NewSelect().Table("locations").Where("id = ? AND company_id = ?", *id, companyID).Exists(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return invalid("location_id", "location %d does not exist at company %d", *id, companyID)
	}
	return nil
}

// CreateEquipment inserts e.
func (db *DB) CreateEquipment(ctx context.Context, e *codex.NetworkEquipment) error {
	e.ID = 0
	e.LastSeen = utcp(e.LastSeen)
	e.Defaults()
	if err := e.Validate(); err != nil {
		return err
	}
	err := db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := mustExist(ctx, tx, "companies", "company_id", e.CompanyID); err != nil {
			return err
		}
		if err := checkLocation(ctx, tx, e.LocationID, e.CompanyID); err != nil {
			return err
		}
		now := db.now()
		e.CreatedAt, e.UpdatedAt = now, now
		if _, err := tx.NewInsert().Model(e).Exec(ctx); err != nil {
			return err
		}
		return db.audit(ctx, tx, actionCreate, "network_equipment", e.ID, &e.CompanyID, nil, e)
	})
	if err != nil {
		e.ID = 0
	}
	return err
}

// UpdateEquipment applies patch to device id. A device linked to others cannot move to
// another company: links join devices of one company.
func (db *DB) UpdateEquipment(ctx context.Context, id int64, patch codex.EquipmentPatch) (*codex.NetworkEquipment, error) {
	var out *codex.NetworkEquipment
	err := db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		e, err := getEquipment(ctx, tx, id, true)
		if err != nil {
			return err
		}
		out = e
		if err := codex.CheckVersion(patch.ExpectedVersion, e.UpdatedAt); err != nil {
			return err
		}
		before := *e
		cols := patch.Apply(e)
		if len(cols) == 0 {
			return nil
		}
		e.LastSeen = utcp(e.LastSeen)
		e.Defaults()
		if err := e.Validate(); err != nil {
			return err
		}
		if e.CompanyID != before.CompanyID {
			if err := mustExist(ctx, tx, "companies", "company_id", e.CompanyID); err != nil {
				return err
			}
			linked, err := tx.NewSelect().Table("network_links").Where("a_id = ? OR b_id = ?", id, id).Exists(ctx)
			if err != nil {
				return err
			}
			if linked {
				return invalid("company_id", "the device is linked to other devices of its company; disconnect it first")
			}
		}
		if slices.Contains(cols, "location_id") || e.CompanyID != before.CompanyID {
			if err := checkLocation(ctx, tx, e.LocationID, e.CompanyID); err != nil {
				return err
			}
		}
		e.UpdatedAt = codex.NextWrite(before.UpdatedAt, db.now())
		if _, err := tx.NewUpdate().Model(e).Column(append(cols, "updated_at")...).WherePK().Exec(ctx); err != nil {
			return err
		}
		return db.audit(ctx, tx, actionUpdate, "network_equipment", e.ID, &e.CompanyID, &before, e)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ArchiveEquipment archives device id.
func (db *DB) ArchiveEquipment(ctx context.Context, id int64) (*codex.NetworkEquipment, error) {
	return equipmentArchiver.set(ctx, db, id, true)
}

// RestoreEquipment restores an archived device.
func (db *DB) RestoreEquipment(ctx context.Context, id int64) (*codex.NetworkEquipment, error) {
	return equipmentArchiver.set(ctx, db, id, false)
}

// linksSQL lists the links of devices (the batch's keys) as seen from each device: both directions of
// the stored (a < b) link, so each device sees its own port first.
const linksSQL = `SELECT nl.id AS link_id, nl.a_id AS device_id, nl.a_port AS local_port, nl.b_id AS peer_id, nl.b_port AS peer_port, nl.kind, nl.speed_mbps
FROM network_links AS nl WHERE ?
UNION ALL
SELECT nl.id, nl.b_id, nl.b_port, nl.a_id, nl.a_port, nl.kind, nl.speed_mbps
FROM network_links AS nl WHERE ?
ORDER BY 2, 3, 1`

// LinksByDevices returns each device's links seen from that device, by port then id.
func (db *DB) LinksByDevices(ctx context.Context, deviceIDs []int64) ([][]codex.LinkEnd, error) {
	out := make([][]codex.LinkEnd, len(deviceIDs))
	for i := range out {
		out[i] = []codex.LinkEnd{}
	}
	if len(deviceIDs) == 0 {
		return out, nil
	}
	var rows []codex.LinkEnd
	q := db.bun.NewRaw(linksSQL, db.keysCond("nl.a_id"), db.keysCond("nl.b_id"))
	if err := db.scanKeys(ctx, q, uniq(deviceIDs), &rows); err != nil {
		return nil, translate(err)
	}
	m := map[int64][]codex.LinkEnd{}
	for _, r := range rows {
		m[r.DeviceID] = append(m[r.DeviceID], r)
	}
	for i, id := range deviceIDs {
		if g, ok := m[id]; ok {
			out[i] = g
		}
	}
	return out, nil
}

// LinksByCompanies returns the links between devices of each company, by id.
func (db *DB) LinksByCompanies(ctx context.Context, companyIDs []int64) ([][]*codex.NetworkLink, error) {
	out := make([][]*codex.NetworkLink, len(companyIDs))
	for i := range out {
		out[i] = []*codex.NetworkLink{}
	}
	if len(companyIDs) == 0 {
		return out, nil
	}
	var rows []*codex.NetworkLink
	if err := db.bun.NewSelect().Model(&rows).Where("nl.company_id IN (?)", bun.In(uniq(companyIDs))).
		OrderExpr("nl.company_id, nl.id").Scan(ctx); err != nil {
		return nil, translate(err)
	}
	m := map[int64][]*codex.NetworkLink{}
	for _, r := range rows {
		m[r.CompanyID] = append(m[r.CompanyID], r)
	}
	for i, id := range companyIDs {
		if g, ok := m[id]; ok {
			out[i] = g
		}
	}
	return out, nil
}

// ConnectDevices links two devices of one company; the link is stored with AID < BID and
// takes the devices' company.
func (db *DB) ConnectDevices(ctx context.Context, l *codex.NetworkLink) error {
	l.ID = 0
	l.Normalize()
	if err := l.Validate(); err != nil {
		return err
	}
	err := db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var devs []codex.NetworkEquipment
		if err := tx.NewSelect().Model(&devs).Column("id", "company_id").
			Where("ne.id IN (?)", bun.In([]int64{l.AID, l.BID})).Scan(ctx); err != nil {
			return err
		}
		company := map[int64]int64{}
		for _, d := range devs {
			company[d.ID] = d.CompanyID
		}
		for field, id := range map[string]int64{"a_id": l.AID, "b_id": l.BID} {
			if _, ok := company[id]; !ok {
				return invalid(field, "network equipment %d does not exist", id)
			}
		}
		if company[l.AID] != company[l.BID] {
			return invalid("b_id", "network equipment %d and %d belong to different companies", l.AID, l.BID)
		}
		l.CompanyID = company[l.AID]
		l.CreatedAt = db.now()
		if _, err := tx.NewInsert().Model(l).Exec(ctx); err != nil {
			return err
		}
		return db.audit(ctx, tx, actionCreate, "network_link", l.ID, &l.CompanyID, nil, l)
	})
	if err != nil {
		l.ID = 0
	}
	return err
}

// DisconnectDevices deletes a link.
func (db *DB) DisconnectDevices(ctx context.Context, linkID int64) error {
	return db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		l := new(codex.NetworkLink)
		if err := forUpdate(tx, tx.NewSelect().Model(l).Where("nl.id = ?", linkID), "nl").Scan(ctx); err != nil {
			return notFoundOr(err, "network link", linkID)
		}
		if _, err := tx.NewDelete().TableExpr("network_links").Where("id = ?", linkID).Exec(ctx); err != nil {
			return err
		}
		return db.audit(ctx, tx, actionDelete, "network_link", l.ID, &l.CompanyID, l, nil)
	})
}

// Subnets

var subnetArchiver = &archiver[codex.Subnet]{
	noun:       "subnet",
	get:        getSubnet,
	archivedAt: func(s *codex.Subnet) **time.Time { return &s.ArchivedAt },
	updatedAt:  func(s *codex.Subnet) *time.Time { return &s.UpdatedAt },
	companyID:  func(s *codex.Subnet) *int64 { return &s.CompanyID },
}

func getSubnet(ctx context.Context, idb bun.IDB, id int64, lock bool) (*codex.Subnet, error) {
	s := new(codex.Subnet)
	q := idb.NewSelect().Model(s).Where("sn.id = ?", id)
	if lock {
		q = forUpdate(idb, q, "sn")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, notFoundOr(err, "subnet", id)
	}
	return s, nil
}

// Subnet returns one subnet.
func (db *DB) Subnet(ctx context.Context, id int64) (*codex.Subnet, error) {
	s, err := getSubnet(ctx, db.bun, id, false)
	return s, translate(err)
}

// SubnetsByCompanies returns each company's unarchived subnets in address order, wider
// networks before the networks inside them.
func (db *DB) SubnetsByCompanies(ctx context.Context, companyIDs []int64) ([][]*codex.Subnet, error) {
	out := make([][]*codex.Subnet, len(companyIDs))
	for i := range out {
		out[i] = []*codex.Subnet{}
	}
	if len(companyIDs) == 0 {
		return out, nil
	}
	var rows []*codex.Subnet
	if err := db.bun.NewSelect().Model(&rows).Where("sn.company_id IN (?)", bun.In(uniq(companyIDs))).
		Where("sn.archived_at IS NULL").OrderExpr("sn.company_id, sn.lo_key, sn.hi_key DESC, sn.id").Scan(ctx); err != nil {
		return nil, translate(err)
	}
	m := map[int64][]*codex.Subnet{}
	for _, r := range rows {
		m[r.CompanyID] = append(m[r.CompanyID], r)
	}
	for i, id := range companyIDs {
		if g, ok := m[id]; ok {
			out[i] = g
		}
	}
	return out, nil
}

// CreateSubnet inserts s.
func (db *DB) CreateSubnet(ctx context.Context, s *codex.Subnet) error {
	s.ID = 0
	if err := s.Validate(); err != nil {
		return err
	}
	err := db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := mustExist(ctx, tx, "companies", "company_id", s.CompanyID); err != nil {
			return err
		}
		if err := checkLocation(ctx, tx, s.LocationID, s.CompanyID); err != nil {
			return err
		}
		now := db.now()
		s.CreatedAt, s.UpdatedAt = now, now
		if _, err := tx.NewInsert().Model(s).Exec(ctx); err != nil {
			return err
		}
		return db.audit(ctx, tx, actionCreate, "subnet", s.ID, &s.CompanyID, nil, s)
	})
	if err != nil {
		s.ID = 0
	}
	return err
}

// UpdateSubnet applies patch to subnet id.
func (db *DB) UpdateSubnet(ctx context.Context, id int64, patch codex.SubnetPatch) (*codex.Subnet, error) {
	var out *codex.Subnet
	err := db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		s, err := getSubnet(ctx, tx, id, true)
		if err != nil {
			return err
		}
		out = s
		if err := codex.CheckVersion(patch.ExpectedVersion, s.UpdatedAt); err != nil {
			return err
		}
		before := *s
		cols := patch.Apply(s)
		if len(cols) == 0 {
			return nil
		}
		if err := s.Validate(); err != nil {
			return err
		}
		if slices.Contains(cols, "location_id") {
			if err := checkLocation(ctx, tx, s.LocationID, s.CompanyID); err != nil {
				return err
			}
		}
		s.UpdatedAt = codex.NextWrite(before.UpdatedAt, db.now())
		if _, err := tx.NewUpdate().Model(s).Column(append(cols, "updated_at")...).WherePK().Exec(ctx); err != nil {
			return err
		}
		return db.audit(ctx, tx, actionUpdate, "subnet", s.ID, &s.CompanyID, &before, s)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ArchiveSubnet archives subnet id.
func (db *DB) ArchiveSubnet(ctx context.Context, id int64) (*codex.Subnet, error) {
	return subnetArchiver.set(ctx, db, id, true)
}

// subnetOfDevice is a subnet loaded for a device inside it.
type subnetOfDevice struct {
	codex.Subnet `bun:",extend"`
	DeviceID     int64 `bun:"device_id,scanonly"`
}

// SubnetsOfDevices returns, per device, the narrowest unarchived subnet of its company
// that contains its address, or nil.
func (db *DB) SubnetsOfDevices(ctx context.Context, deviceIDs []int64) ([]*codex.Subnet, error) {
	out := make([]*codex.Subnet, len(deviceIDs))
	if len(deviceIDs) == 0 {
		return out, nil
	}
	var rows []*subnetOfDevice
	// Prefixes nest or are disjoint, so among those containing an address the narrowest
	// has the highest first key (and, for equal ones, the lowest last key).
	err := db.bun.NewSelect().Model(&rows).
		ColumnExpr("sn.*").ColumnExpr("ne.id AS device_id").
		Join("JOIN network_equipment AS ne ON ne.company_id = sn.company_id AND ne.ip_key BETWEEN sn.lo_key AND sn.hi_key").
		Where("ne.id IN (?)", bun.In(uniq(deviceIDs))).
		Where("sn.archived_at IS NULL").
		OrderExpr("ne.id, sn.lo_key DESC, sn.hi_key ASC, sn.id").
		Scan(ctx)
	if err != nil {
		return nil, translate(err)
	}
	m := map[int64]*codex.Subnet{}
	for _, r := range rows {
		if _, ok := m[r.DeviceID]; !ok {
			s := r.Subnet
			m[r.DeviceID] = &s
		}
	}
	for i, id := range deviceIDs {
		out[i] = m[id]
	}
	return out, nil
}

// ipConds returns the company and scope restriction of the address queries on col, as
// " AND ..." conditions and their arguments.
func ipConds(col string, companyID int64, scope []int64) (string, []any) {
	var sb strings.Builder
	var args []any
	if companyID > 0 {
		sb.WriteString(" AND " + col + " = ?")
		args = append(args, companyID)
	}
	switch {
	case scope == nil:
	case len(scope) == 0:
		sb.WriteString(" AND 1 = 0")
	default:
		sb.WriteString(" AND " + col + " IN (?)")
		args = append(args, bun.In(scope))
	}
	return sb.String(), args
}

// Inside lists the unarchived equipment and assets with an address inside cidr (a prefix
// or one address), within one company when companyID > 0 and within scope, in address
// order. (bun writes a UNION with parenthesized members, which SQLite rejects, so the
// address queries are written out.)
func (db *DB) Inside(ctx context.Context, companyID int64, cidr string, scope []int64) ([]codex.IPUser, error) {
	lo, hi, err := ipRange("cidr", cidr)
	if err != nil {
		return nil, err
	}
	neCond, neArgs := ipConds("ne.company_id", companyID, scope)
	aCond, aArgs := ipConds("aip.company_id", companyID, scope)
	query := `SELECT u.kind, u.id, u.name, u.ip FROM (
  SELECT 'network_equipment' AS kind, ne.id, ne.name, ne.ip_address AS ip, ne.ip_key AS k
  FROM network_equipment AS ne
  WHERE ne.archived_at IS NULL AND ne.ip_key BETWEEN ? AND ?` + neCond + `
  UNION ALL
  SELECT 'asset', asset.id, asset.name, aip.ip, aip.ip_key
  FROM asset_ips AS aip JOIN assets AS asset ON asset.id = aip.asset_id
  WHERE asset.archived_at IS NULL AND aip.ip_key BETWEEN ? AND ?` + aCond + `
) AS u ORDER BY u.k, u.kind, u.id`
	args := append(append(append([]any{lo, hi}, neArgs...), lo, hi), aArgs...)
	rows := []codex.IPUser{}
	if err := db.bun.NewRaw(query, args...).Scan(ctx, &rows); err != nil {
		return nil, translate(err)
	}
	return rows, nil
}

// ipHolder is one use of an address, for DuplicateIPs.
type ipHolder struct {
	CompanyID int64  `bun:"company_id"`
	K         string `bun:"k"`
	Kind      string `bun:"kind"`
	ID        int64  `bun:"id"`
	Name      string `bun:"name"`
	IP        string `bun:"ip"`
}

// DuplicateIPs finds addresses used more than once within a company by unarchived assets
// and equipment (companyID 0 = every company), within scope, with every holder.
func (db *DB) DuplicateIPs(ctx context.Context, companyID int64, scope []int64) ([]codex.DuplicateIP, error) {
	neCond, neArgs := ipConds("ne.company_id", companyID, scope)
	aCond, aArgs := ipConds("aip.company_id", companyID, scope)
	query := `WITH used AS (
  SELECT ne.company_id, ne.ip_key AS k, 'network_equipment' AS kind, ne.id, ne.name, ne.ip_address AS ip
  FROM network_equipment AS ne
  WHERE ne.archived_at IS NULL AND ne.ip_key IS NOT NULL` + neCond + `
  UNION ALL
  SELECT aip.company_id, aip.ip_key, 'asset', asset.id, asset.name, aip.ip
  FROM asset_ips AS aip JOIN assets AS asset ON asset.id = aip.asset_id
  WHERE asset.archived_at IS NULL` + aCond + `
)
SELECT u.company_id, u.k, u.kind, u.id, u.name, u.ip FROM used AS u
JOIN (SELECT company_id, k FROM used GROUP BY company_id, k HAVING count(*) > 1) AS d
  ON d.company_id = u.company_id AND d.k = u.k
ORDER BY u.company_id, u.k, u.kind, u.id`
	var rows []ipHolder
	if err := db.bun.NewRaw(query, append(neArgs, aArgs...)...).Scan(ctx, &rows); err != nil {
		return nil, translate(err)
	}
	out := []codex.DuplicateIP{}
	var lastCompany int64
	var lastKey string
	for _, r := range rows {
		if len(out) == 0 || r.CompanyID != lastCompany || r.K != lastKey {
			out = append(out, codex.DuplicateIP{CompanyID: r.CompanyID, IP: r.IP, Holders: []codex.IPUser{}})
			lastCompany, lastKey = r.CompanyID, r.K
		}
		d := &out[len(out)-1]
		d.Holders = append(d.Holders, codex.IPUser{Kind: r.Kind, ID: r.ID, Name: r.Name, IP: r.IP})
	}
	return out, nil
}
