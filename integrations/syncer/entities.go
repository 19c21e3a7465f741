package syncer

import (
	"context"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/hivematrix/codex/codex"
)

// The entities a mirror writes, over the policy-wrapped services; each source adds its
// fields, matching and pushes.

type (
	companyMirror   = mirror[codex.Company, codex.CompanyPatch]
	contactMirror   = mirror[codex.Contact, codex.ContactPatch]
	assetMirror     = mirror[codex.Asset, codex.AssetPatch]
	equipmentMirror = mirror[codex.NetworkEquipment, codex.EquipmentPatch]
)

func newCompanyMirror(r *runner) *companyMirror {
	s := r.e.svc
	return &companyMirror{
		r: r, entity: codex.EntityCompany,
		load:       s.Companies.CompaniesByIDs,
		id:         func(c *codex.Company) int64 { return c.ID },
		archivedAt: func(c *codex.Company) *time.Time { return c.ArchivedAt },
		update: func(ctx context.Context, id int64, p codex.CompanyPatch) error {
			_, err := s.Companies.UpdateCompany(ctx, id, p)
			return err
		},
		archive: func(ctx context.Context, id int64) error { _, err := s.Companies.ArchiveCompany(ctx, id); return err },
		restore: func(ctx context.Context, id int64) error { _, err := s.Companies.RestoreCompany(ctx, id); return err },
		create:  s.Sync.ImportCompanies,
	}
}

func newContactMirror(r *runner) *contactMirror {
	s := r.e.svc
	return &contactMirror{
		r: r, entity: codex.EntityContact,
		load:       s.Contacts.ContactsByIDs,
		id:         func(c *codex.Contact) int64 { return c.ID },
		archivedAt: func(c *codex.Contact) *time.Time { return c.ArchivedAt },
		update: func(ctx context.Context, id int64, p codex.ContactPatch) error {
			_, err := s.Contacts.UpdateContact(ctx, id, p)
			return err
		},
		archive: func(ctx context.Context, id int64) error { _, err := s.Contacts.ArchiveContact(ctx, id); return err },
		restore: func(ctx context.Context, id int64) error { _, err := s.Contacts.RestoreContact(ctx, id); return err },
		create:  s.Sync.ImportContacts,
	}
}

func newAssetMirror(r *runner) *assetMirror {
	s := r.e.svc
	return &assetMirror{
		r: r, entity: codex.EntityAsset,
		load:       s.Assets.AssetsByIDs,
		id:         func(a *codex.Asset) int64 { return a.ID },
		archivedAt: func(a *codex.Asset) *time.Time { return a.ArchivedAt },
		update: func(ctx context.Context, id int64, p codex.AssetPatch) error {
			_, err := s.Assets.UpdateAsset(ctx, id, p)
			return err
		},
		archive: func(ctx context.Context, id int64) error { _, err := s.Assets.ArchiveAsset(ctx, id); return err },
		restore: func(ctx context.Context, id int64) error { _, err := s.Assets.RestoreAsset(ctx, id); return err },
		create:  s.Sync.ImportAssets,
	}
}

func newEquipmentMirror(r *runner) *equipmentMirror {
	s := r.e.svc
	return &equipmentMirror{
		r: r, entity: codex.EntityEquipment,
		load:       s.Network.EquipmentByIDs,
		id:         func(e *codex.NetworkEquipment) int64 { return e.ID },
		archivedAt: func(e *codex.NetworkEquipment) *time.Time { return e.ArchivedAt },
		update: func(ctx context.Context, id int64, p codex.EquipmentPatch) error {
			_, err := s.Network.UpdateEquipment(ctx, id, p)
			return err
		},
		archive: func(ctx context.Context, id int64) error { _, err := s.Network.ArchiveEquipment(ctx, id); return err },
		restore: func(ctx context.Context, id int64) error { _, err := s.Network.RestoreEquipment(ctx, id); return err },
		create:  s.Sync.ImportEquipment,
	}
}

// Company fields.

func companyName(o owner, unless string) field[codex.Company, codex.CompanyPatch] {
	return field[codex.Company, codex.CompanyPatch]{name: "name", owner: o, unless: unless,
		get: func(c *codex.Company) string { return c.Name },
		set: func(p *codex.CompanyPatch, v string) { p.Name = &v }}
}

func companyAccountNumber(o owner) field[codex.Company, codex.CompanyPatch] {
	return field[codex.Company, codex.CompanyPatch]{name: "account_number", owner: o,
		get: func(c *codex.Company) string { return ptrText(c.AccountNumber) },
		set: func(p *codex.CompanyPatch, v string) { p.AccountNumber = &v }}
}

func companyDescription(o owner) field[codex.Company, codex.CompanyPatch] {
	return field[codex.Company, codex.CompanyPatch]{name: "description", owner: o,
		get: func(c *codex.Company) string { return c.Description },
		set: func(p *codex.CompanyPatch, v string) { p.Description = &v }}
}

func companyDomains(o owner) field[codex.Company, codex.CompanyPatch] {
	return field[codex.Company, codex.CompanyPatch]{name: "domains", owner: o,
		get: func(c *codex.Company) string { return listText(c.Domains) },
		set: func(p *codex.CompanyPatch, v string) { l := parseList(v); p.Domains = &l }}
}

// Asset fields.

func assetString(name string, o owner, unless string, ptr func(*codex.Asset) *string, set func(*codex.AssetPatch, *string)) field[codex.Asset, codex.AssetPatch] {
	return field[codex.Asset, codex.AssetPatch]{name: name, owner: o, unless: unless,
		get: func(a *codex.Asset) string { return *ptr(a) },
		set: func(p *codex.AssetPatch, v string) { set(p, &v) }}
}

func assetName(o owner, unless string) field[codex.Asset, codex.AssetPatch] {
	return assetString("name", o, unless, func(a *codex.Asset) *string { return &a.Name },
		func(p *codex.AssetPatch, v *string) { p.Name = v })
}

func assetHostname(o owner, unless string) field[codex.Asset, codex.AssetPatch] {
	return assetString("hostname", o, unless, func(a *codex.Asset) *string { return &a.Hostname },
		func(p *codex.AssetPatch, v *string) { p.Hostname = v })
}

func assetSerial(o owner, unless string) field[codex.Asset, codex.AssetPatch] {
	return assetString("serial_number", o, unless, func(a *codex.Asset) *string { return &a.SerialNumber },
		func(p *codex.AssetPatch, v *string) { p.SerialNumber = v })
}

func assetCompany(o owner, unless string) field[codex.Asset, codex.AssetPatch] {
	return field[codex.Asset, codex.AssetPatch]{name: "company_id", owner: o, unless: unless,
		get: func(a *codex.Asset) string { return idText(a.CompanyID) },
		set: func(p *codex.AssetPatch, v string) { id := parseID(v); p.CompanyID = &id }}
}

func assetType(o owner) field[codex.Asset, codex.AssetPatch] {
	return field[codex.Asset, codex.AssetPatch]{name: "type", owner: o,
		get: func(a *codex.Asset) string { return string(a.Type) },
		set: func(p *codex.AssetPatch, v string) { t := codex.AssetType(v); p.Type = &t }}
}

func assetWarranty(o owner) field[codex.Asset, codex.AssetPatch] {
	return field[codex.Asset, codex.AssetPatch]{name: "warranty_expires", owner: o,
		get: func(a *codex.Asset) string { return dateText(a.WarrantyExpires) },
		set: func(p *codex.AssetPatch, v string) { p.WarrantyExpires = parseDate(v) }}
}

// take claims row id of entity for one record of the run and reports whether it was
// free: two records (of one page, or of pages written at once) never match one row.
func (r *runner) take(entity string, id int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if id == 0 || r.claims[entity][id] {
		return false
	}
	if r.claims == nil {
		r.claims = map[string]map[int64]bool{}
	}
	if r.claims[entity] == nil {
		r.claims[entity] = map[int64]bool{}
	}
	r.claims[entity][id] = true
	return true
}

// claimed reports whether row id of entity was claimed by a record of the run.
func (r *runner) claimed(entity string, id int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.claims[entity][id]
}

// linkedTo returns the ids among ids that have a reference of source.
func (r *runner) linkedTo(ctx context.Context, entity string, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	refs, err := r.e.svc.Sync.ExternalRefsByEntity(ctx, entity, ids)
	if err != nil {
		return nil, err
	}
	for i, rs := range refs {
		for _, x := range rs {
			if x.Source == r.source {
				out[ids[i]] = true
			}
		}
	}
	return out, nil
}

// rowsOf maps the source's external ids of entity to Codex row ids, for the given
// external ids.
func (r *runner) rowsOf(ctx context.Context, entity string, extIDs []string) (map[string]int64, error) {
	out := map[string]int64{}
	if len(extIDs) == 0 {
		return out, nil
	}
	refs, err := r.e.svc.Sync.ExternalRefsByExternalIDs(ctx, r.source, entity, extIDs)
	if err != nil {
		return nil, err
	}
	for i, x := range refs {
		if x != nil {
			out[extIDs[i]] = x.EntityID
		}
	}
	return out, nil
}

// matchAssets links records without a reference to the asset of their company that is
// the same machine: the one with the record's serial number (OEM placeholders do not
// count), else one with a MAC address of the record (as the other source last reported
// the asset's), else the one with its hostname, among the assets no record of the source is
// linked to. When a key finds more than one such asset the record is held for triage
// rather than merged into one of them or duplicated. Only the candidates' references are
// read, so that a first import, where nothing matches, stays cheap.
func (r *runner) matchAssets(ctx context.Context, recs []*record[codex.Asset]) error {
	var companies []int64
	for _, rec := range recs {
		companies = append(companies, parseID(rec.values["company_id"]))
	}
	companies = uniqIDs(companies)
	if len(companies) == 0 {
		return nil
	}
	lists, err := r.e.svc.Assets.AssetsByCompanies(ctx, companies, codex.AssetFilter{IncludeArchived: true}, 0)
	if err != nil {
		return err
	}
	byCompany := map[int64][]*codex.Asset{}
	for i, l := range lists {
		byCompany[companies[i]] = l
	}
	macs, err := r.assetMACs(ctx, recs, byCompany)
	if err != nil {
		return err
	}
	keys := []struct {
		name string
		of   func(*codex.Asset) string
	}{
		{"serial_number", func(a *codex.Asset) string { return usableSerial(a.SerialNumber) }},
		{"mac_addresses", func(a *codex.Asset) string { return macs[a.ID] }},
		{"hostname", func(a *codex.Asset) string { return strings.TrimSpace(a.Hostname) }},
	}
	// cands[i][k] are the assets key k of record i finds.
	cands := make([][][]int64, len(recs))
	var all []int64
	for i, rec := range recs {
		assets := byCompany[parseID(rec.values["company_id"])]
		cands[i] = make([][]int64, len(keys))
		for k, key := range keys {
			v := rec.values[key.name]
			if key.name == "serial_number" {
				v = usableSerial(v)
			}
			if v == "" {
				continue
			}
			for _, a := range assets {
				if key.name == "mac_addresses" && sharesMAC(key.of(a), v) || strings.EqualFold(key.of(a), v) {
					cands[i][k] = append(cands[i][k], a.ID)
				}
			}
			all = append(all, cands[i][k]...)
		}
	}
	linked, err := r.linkedTo(ctx, codex.EntityAsset, uniqIDs(all))
	if err != nil {
		return err
	}
	var matched []string
	for i, rec := range recs {
		for k := range keys {
			free := slices.DeleteFunc(slices.Clone(cands[i][k]), func(id int64) bool {
				return linked[id] || r.claimed(codex.EntityAsset, id)
			})
			if len(free) == 0 {
				continue
			}
			if len(free) > 1 {
				why := held(codex.EntityAsset, rec.extID, rec.label, codex.TriageAmbiguous, "", rec.values, free)
				rec.build = func() (*codex.Asset, error) { return nil, why }
				break
			}
			if r.take(codex.EntityAsset, free[0]) {
				rec.matchID = free[0]
				matched = append(matched, rec.extID)
				r.add(codex.EntityAsset, func(c *codex.SyncCounts) { c.Merged++ })
			}
			break
		}
	}
	return r.placed(ctx, codex.EntityAsset, matched)
}

// placeholderSerials are the serial numbers firmware reports when the maker left none.
var placeholderSerials = []string{
	"to be filled by o.e.m.", "to be filled by oem", "default string", "system serial number",
	"chassis serial number", "base board serial number", "0123456789", "1234567890", "123456789",
	"none", "n/a", "na", "not specified", "not applicable", "not available", "unknown", "invalid",
	"serial", "default", "oem", "o.e.m.", "empty", "null", "-",
}

// usableSerial returns a serial number that tells one machine from another, or "" for a
// blank one, an OEM placeholder, or one made of a single repeated character ("0000000",
// "xxxxxx").
func usableSerial(s string) string {
	s = strings.TrimSpace(s)
	l := strings.ToLower(s)
	if l == "" || slices.Contains(placeholderSerials, l) || strings.Trim(l, l[:1]) == "" {
		return ""
	}
	return s
}

// pick sets each record's matchID to its first candidate that no record of the source is
// linked to and no other record of the page took.
func pick[T any](ctx context.Context, r *runner, entity string, recs []*record[T], cands [][]int64, all []int64) error {
	linked, err := r.linkedTo(ctx, entity, all)
	if err != nil {
		return err
	}
	for i, rec := range recs {
		for _, id := range cands[i] {
			if !linked[id] && r.take(entity, id) {
				rec.matchID = id
				break
			}
		}
	}
	return nil
}

// uniqIDs returns the distinct non-zero ids, in first-seen order.
func uniqIDs(ids []int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// assetMACs returns the MAC addresses the sources last reported for the assets of the
// records' companies (from their references' snapshots), when a record has any.
func (r *runner) assetMACs(ctx context.Context, recs []*record[codex.Asset], byCompany map[int64][]*codex.Asset) (map[int64]string, error) {
	var ids []int64
	for _, rec := range recs {
		if rec.values["mac_addresses"] == "" {
			continue
		}
		for _, a := range byCompany[parseID(rec.values["company_id"])] {
			ids = append(ids, a.ID)
		}
	}
	ids = uniqIDs(ids)
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	refs, err := r.e.svc.Sync.ExternalRefsByEntity(ctx, codex.EntityAsset, ids)
	if err != nil {
		return nil, err
	}
	for i, rs := range refs {
		var all []string
		for _, x := range rs {
			if m := x.Upstream["mac_addresses"]; m != "" {
				all = append(all, parseList(m)...)
			}
		}
		slices.Sort(all)
		out[ids[i]] = listText(slices.Compact(all))
	}
	return out, nil
}

// sharesMAC reports whether two lists of MAC addresses have one in common.
func sharesMAC(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	for _, m := range parseList(b) {
		if slices.Contains(parseList(a), m) {
			return true
		}
	}
	return false
}

// macList returns the usable MAC addresses among ms, normalized (lower-case, colons),
// sorted and comma-separated: blanks, all-zero and broadcast addresses are left out.
func macList(ms ...string) string {
	var out []string
	for _, m := range ms {
		hw, err := net.ParseMAC(strings.TrimSpace(m))
		if err != nil || len(hw) != 6 {
			continue
		}
		s := hw.String()
		if s == "00:00:00:00:00:00" || s == "ff:ff:ff:ff:ff:ff" {
			continue
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return listText(slices.Compact(out))
}
