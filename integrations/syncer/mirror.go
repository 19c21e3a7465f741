package syncer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"time"

	"github.com/hivematrix/codex/codex"
)

// owner says who owns a mapped field, and so what a sync does with it.
type owner int

const (
	// pulled: the source owns the field. An upstream change is applied while Codex still
	// holds the snapshot's value, and recorded as a conflict when a person changed it.
	pulled owner = iota + 1
	// codexOwned: Codex owns the field. It is set from upstream at creation (and filled in
	// when blank at the first link), then pushed back whenever Codex's value differs from
	// the snapshot of the upstream value.
	codexOwned
	// initial: set from upstream at creation (and filled in when blank at the first link),
	// then Codex's to change; never compared again.
	initial
)

// field is one mapped field of entity T, changed through patch type P. Values travel as
// text in Codex's terms (see values.go), so that local, upstream and snapshot compare.
type field[T, P any] struct {
	name  string
	owner owner
	// unless names the source that owns a pulled field first: while the row also has a
	// reference of that source, this source treats the field as initial.
	unless string
	get    func(*T) string
	set    func(*P, string)
}

// record is one upstream record of a page, mapped.
type record[T any] struct {
	// extID is the record's id in the source; label names it in messages.
	extID, label string
	// values are the record's mapped fields. A field missing from values was not observed
	// by this listing (a Datto site's variables are read only when it is first linked):
	// its snapshot stays as it is.
	values map[string]string
	// build makes the new row for the record; err says why it cannot be created.
	build func() (*T, error)
	// matchID is the existing row a record without reference matches, found by match.
	matchID int64
	// upstream is the source's record itself, for pushes.
	upstream any
	// fp is the fingerprint of the listed values, taken before observe adds to them.
	fp string
	// observed is set once observe has run for the record.
	observed bool

	ref *codex.ExternalRef
	row *T
	// fresh is set when the record is new, newly linked or changed upstream.
	fresh bool
}

// mirror syncs one entity of one source: matching, the three-way pull, pushes and
// archiving, over the policy-wrapped services.
type mirror[T, P any] struct {
	r      *runner
	entity string // codex.EntityCompany, ...
	fields []field[T, P]

	load       func(ctx context.Context, ids []int64) ([]*T, []error)
	id         func(*T) int64
	archivedAt func(*T) *time.Time
	update     func(ctx context.Context, id int64, p P) error
	archive    func(ctx context.Context, id int64) error
	restore    func(ctx context.Context, id int64) error
	create     func(ctx context.Context, rows []*T, refs []*codex.ExternalRef) error
	// observe reads what the listing does not carry for records without a reference yet
	// (a device's audit, a site's variables) into their values, under the keys named in
	// observedKeys, which fingerprints leave out; nil reads nothing.
	observe      func(ctx context.Context, recs []*record[T]) error
	observedKeys []string
	// match sets matchID on records that have no reference yet; nil matches nothing.
	match func(ctx context.Context, recs []*record[T]) error
	// push writes the Codex-owned fields in changed (name -> Codex's value) upstream and
	// returns the ones it wrote; nil when the source takes no pushes.
	push    func(ctx context.Context, rec *record[T], row *T, changed map[string]string) ([]string, error)
	pushKey string
	// after runs when a record's row was created, linked or changed upstream, for what the
	// fields do not cover (a contact's further companies); nil when there is nothing.
	after func(ctx context.Context, rec *record[T], row *T) error
}

// fingerprint hashes mapped values, to tell an unchanged record cheaply; the keys in
// leave out are not hashed.
func fingerprint(values map[string]string, leaveOut ...string) string {
	h := sha256.New()
	for _, k := range slices.Sorted(maps.Keys(values)) {
		if slices.Contains(leaveOut, k) {
			continue
		}
		h.Write([]byte(k))
		h.Write([]byte{0})
		h.Write([]byte(values[k]))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// needsLinks reports whether a field's owner depends on the row's other references.
func (m *mirror[T, P]) needsLinks() bool {
	return slices.ContainsFunc(m.fields, func(f field[T, P]) bool { return f.unless != "" })
}

// ownerOf is f's owner for a row whose references are linked (source -> true).
func (m *mirror[T, P]) ownerOf(f field[T, P], linked map[string]bool) owner {
	if f.owner == pulled && f.unless != "" && linked[f.unless] {
		return initial
	}
	return f.owner
}

// outcome is what processing one record decided.
type outcome[P any] struct {
	patch     P
	changed   bool // patch sets something
	restore   bool
	conflicts []*codex.SyncConflict
	snapshot  map[string]string
	push      map[string]string
	refDirty  bool
}

// prepare takes the fingerprints of a page's records, finds which have no reference
// yet and observes those. It may run while the previous page is being written: page
// looks the references up again.
func (m *mirror[T, P]) prepare(ctx context.Context, recs []*record[T]) error {
	for _, rec := range recs {
		rec.fp = fingerprint(rec.values, m.observedKeys...)
	}
	if m.observe == nil || len(recs) == 0 {
		return nil
	}
	refs, err := m.r.e.svc.Sync.ExternalRefsByExternalIDs(ctx, m.r.source, m.entity, extIDs(recs))
	if err != nil {
		return err
	}
	var unlinked []*record[T]
	for i, rec := range recs {
		if refs[i] == nil {
			unlinked = append(unlinked, rec)
		}
	}
	return m.observeAll(ctx, unlinked)
}

// observeAll observes the records not observed yet.
func (m *mirror[T, P]) observeAll(ctx context.Context, recs []*record[T]) error {
	recs = slices.DeleteFunc(slices.Clone(recs), func(rec *record[T]) bool { return rec.observed })
	if m.observe == nil || len(recs) == 0 {
		return nil
	}
	if err := m.observe(ctx, recs); err != nil {
		return err
	}
	for _, rec := range recs {
		rec.observed = true
	}
	return nil
}

func extIDs[T any](recs []*record[T]) []string {
	ids := make([]string, len(recs))
	for i, rec := range recs {
		ids[i] = rec.extID
	}
	return ids
}

// page syncs one page of prepared records. It returns only errors that end the run.
func (m *mirror[T, P]) page(ctx context.Context, recs []*record[T]) error {
	r := m.r
	if len(recs) == 0 {
		return nil
	}
	ids := extIDs(recs)
	r.markSeen(m.entity, ids...)
	refs, err := r.e.svc.Sync.ExternalRefsByExternalIDs(ctx, r.source, m.entity, ids)
	if err != nil {
		return err
	}
	var unlinked []*record[T]
	for i, rec := range recs {
		rec.ref, rec.matchID, rec.row, rec.fresh = refs[i], 0, nil, false
		if rec.fp == "" {
			rec.fp = fingerprint(rec.values, m.observedKeys...)
		}
		if rec.ref == nil {
			unlinked = append(unlinked, rec)
		}
	}
	if len(unlinked) > 0 {
		if err := m.observeAll(ctx, unlinked); err != nil {
			return err
		}
		if m.match != nil {
			if err := m.match(ctx, unlinked); err != nil {
				return err
			}
		}
	}

	// Load the rows of linked and matched records (an unchanged record of a source that
	// takes no pushes needs none), and the other references of changed ones.
	var rowIDs, freshIDs []int64
	for _, rec := range recs {
		switch {
		case rec.ref != nil:
			changed := rec.fp != rec.ref.Fingerprint || rec.ref.GoneAt != nil
			if changed {
				freshIDs = append(freshIDs, rec.ref.EntityID)
			}
			if changed || m.push != nil {
				rowIDs = append(rowIDs, rec.ref.EntityID)
			}
		case rec.matchID != 0:
			rowIDs = append(rowIDs, rec.matchID)
			freshIDs = append(freshIDs, rec.matchID)
		}
	}
	rows := map[int64]*T{}
	links := map[int64]map[string]bool{}
	if len(rowIDs) > 0 {
		got, errs := m.load(ctx, rowIDs)
		for i, row := range got {
			if row != nil {
				rows[rowIDs[i]] = row
			} else if errs != nil && errs[i] != nil && fatal(errs[i]) {
				return errs[i]
			}
		}
	}
	if len(freshIDs) > 0 && m.needsLinks() {
		all, err := r.e.svc.Sync.ExternalRefsByEntity(ctx, m.entity, freshIDs)
		if err != nil {
			return err
		}
		for i, rs := range all {
			l := map[string]bool{}
			for _, x := range rs {
				l[x.Source] = true
			}
			links[freshIDs[i]] = l
		}
	}

	var creates []*record[T]
	var saveRefs []*codex.ExternalRef
	var conflicts []*codex.SyncConflict
	for _, rec := range recs {
		if rec.ref == nil && rec.matchID == 0 {
			creates = append(creates, rec)
			continue
		}
		rowID := rec.matchID
		if rec.ref != nil {
			rowID = rec.ref.EntityID
			if rec.fp == rec.ref.Fingerprint && rec.ref.GoneAt == nil && m.push == nil {
				r.add(m.entity, func(c *codex.SyncCounts) { c.Unchanged++ })
				continue
			}
		}
		row, ok := rows[rowID]
		if !ok {
			r.failed(ctx, m.entity, rec.label, codex.Errorf(codex.NotFound, "its Codex %s %d no longer exists", m.entity, rowID))
			continue
		}
		rec.row = row
		o := m.decide(rec, row, links[rowID])
		ok, err := m.apply(ctx, rec, row, o)
		if err != nil {
			return err
		}
		if !ok {
			rec.row = nil
			continue
		}
		conflicts = append(conflicts, o.conflicts...)
		if o.refDirty {
			saveRefs = append(saveRefs, rec.ref)
		}
	}
	if len(conflicts) > 0 {
		for _, c := range conflicts {
			c.RunID = &r.run.ID
		}
		if err := r.e.svc.Sync.SaveSyncConflicts(ctx, conflicts); err != nil {
			return err
		}
	}
	if len(saveRefs) > 0 {
		if err := r.e.svc.Sync.SaveExternalRefs(ctx, saveRefs); err != nil {
			return err
		}
	}
	if err := m.createAll(ctx, creates); err != nil {
		return err
	}
	for _, rec := range recs {
		if rec.row != nil && rec.fresh && m.after != nil {
			if err := m.after(ctx, rec, rec.row); err != nil {
				if fatal(err) {
					return err
				}
				r.failed(ctx, m.entity, rec.label, err)
			}
		}
	}
	return nil
}

// decide compares a linked (or newly matched) record with its row.
func (m *mirror[T, P]) decide(rec *record[T], row *T, linked map[string]bool) *outcome[P] {
	o := &outcome[P]{}
	first := rec.ref == nil
	if first {
		rec.ref = &codex.ExternalRef{Source: m.r.source, Entity: m.entity, ExternalID: rec.extID, EntityID: m.id(row)}
		o.refDirty = true
	}
	ref := rec.ref
	base := ref.Upstream
	o.snapshot = maps.Clone(base)
	if o.snapshot == nil {
		o.snapshot = map[string]string{}
	}
	fp := rec.fp
	if ref.GoneAt != nil {
		// The record is back: restore the row if the sync archived it.
		if at := m.archivedAt(row); at != nil && !at.Before(*ref.GoneAt) {
			o.restore = true
		}
		ref.GoneAt = nil
		o.refDirty = true
	}
	fresh := first || fp != ref.Fingerprint
	rec.fresh = fresh
	for _, f := range m.fields {
		up, seen := rec.values[f.name]
		local := f.get(row)
		own := m.ownerOf(f, linked)
		if seen && fresh {
			switch {
			case first && own == pulled:
				if local != up {
					f.set(&o.patch, up)
					o.changed = true
				}
			case first && local == "" && up != "":
				// initial and Codex-owned fields: fill in a blank at the first link.
				f.set(&o.patch, up)
				o.changed = true
				local = up
			case !first && own == pulled && up != base[f.name]:
				switch b := base[f.name]; {
				case local == b:
					f.set(&o.patch, up)
					o.changed = true
				case local == up:
					// Codex and the source agree already.
				default:
					o.conflicts = append(o.conflicts, &codex.SyncConflict{
						Source: m.r.source, Entity: m.entity, EntityID: m.id(row), Field: f.name,
						LocalValue: local, UpstreamValue: up, BaseValue: b,
					})
				}
			}
			o.snapshot[f.name] = up
		}
		if own == codexOwned && m.push != nil {
			if s, ok := o.snapshot[f.name]; ok && local != s {
				if o.push == nil {
					o.push = map[string]string{}
				}
				o.push[f.name] = local
			}
		}
	}
	if fresh {
		o.refDirty = true
		ref.Fingerprint = fp
	}
	ref.Upstream = o.snapshot
	return o
}

// apply carries out an outcome: restore, update, pushes. ok is false when the record
// failed (and was counted); err is returned only when the run must end.
func (m *mirror[T, P]) apply(ctx context.Context, rec *record[T], row *T, o *outcome[P]) (ok bool, err error) {
	r := m.r
	id := m.id(row)
	if o.restore {
		if err := m.restore(ctx, id); err != nil {
			if fatal(err) {
				return false, err
			}
			r.failed(ctx, m.entity, rec.label, err)
			return false, nil
		}
	}
	if o.changed {
		if err := m.update(ctx, id, o.patch); err != nil {
			if fatal(err) {
				return false, err
			}
			r.failed(ctx, m.entity, rec.label, err)
			return false, nil
		}
	}
	first := rec.matchID != 0
	r.add(m.entity, func(c *codex.SyncCounts) {
		switch {
		case o.changed || o.restore || first:
			c.Updated++
		default:
			c.Unchanged++
		}
		c.Conflicts += len(o.conflicts)
	})
	if len(o.push) > 0 {
		pushed, err := m.push(ctx, rec, row, o.push)
		for _, f := range pushed {
			rec.ref.Upstream[f] = o.push[f]
		}
		if len(pushed) > 0 {
			after := maps.Clone(rec.values)
			for _, f := range pushed {
				if _, observed := after[f]; observed {
					after[f] = o.push[f]
				}
			}
			rec.ref.Fingerprint = fingerprint(after, m.observedKeys...)
			o.refDirty = true
		}
		switch {
		case err != nil && fatal(err) && ctx.Err() != nil:
			return false, err
		case err != nil:
			r.failed(ctx, m.pushKey, rec.label, err)
		case len(pushed) > 0:
			r.add(m.pushKey, func(c *codex.SyncCounts) { c.Updated++ })
		}
	}
	return true, nil
}

// createAll creates the rows of records without a match: the whole page in one
// transaction, or one by one when that fails, so that one bad record fails alone.
func (m *mirror[T, P]) createAll(ctx context.Context, recs []*record[T]) error {
	r := m.r
	var rows []*T
	var refs []*codex.ExternalRef
	var ok []*record[T]
	for _, rec := range recs {
		row, err := rec.build()
		if item := asHeld(err); item != nil {
			item.Fingerprint = rec.fp
			if err := r.hold(ctx, m.entity, item); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			r.failed(ctx, m.entity, rec.label, err)
			continue
		}
		values := maps.Clone(rec.values)
		if values == nil {
			values = map[string]string{}
		}
		rec.ref = &codex.ExternalRef{Source: r.source, Entity: m.entity, ExternalID: rec.extID,
			Fingerprint: rec.fp, Upstream: values}
		rows, refs, ok = append(rows, row), append(refs, rec.ref), append(ok, rec)
	}
	if len(rows) == 0 {
		return nil
	}
	err := m.create(ctx, rows, refs)
	if err == nil {
		for i, rec := range ok {
			rec.row, rec.fresh = rows[i], true
		}
		r.add(m.entity, func(c *codex.SyncCounts) { c.Created += len(rows) })
		return nil
	}
	if fatal(err) || len(rows) == 1 {
		if fatal(err) {
			return err
		}
		r.failed(ctx, m.entity, ok[0].label, err)
		return nil
	}
	for i, rec := range ok {
		if err := m.create(ctx, rows[i:i+1], refs[i:i+1]); err != nil {
			if fatal(err) {
				return err
			}
			r.failed(ctx, m.entity, rec.label, err)
			continue
		}
		rec.row, rec.fresh = rows[i], true
		r.add(m.entity, func(c *codex.SyncCounts) { c.Created++ })
	}
	return nil
}

// archiver infers deletions of one entity after a complete listing.
type archiver interface {
	entityName() string
	archiveGone(ctx context.Context, refs []*codex.ExternalRef) error
}

func (m *mirror[T, P]) entityName() string { return m.entity }

// archiveGone handles references whose records a complete listing did not hold: each is
// marked gone, and a row whose every reference is gone is archived (a row a person
// archived is left as it is).
func (m *mirror[T, P]) archiveGone(ctx context.Context, refs []*codex.ExternalRef) error {
	r := m.r
	ids := make([]int64, len(refs))
	for i, ref := range refs {
		ids[i] = ref.EntityID
	}
	rows, errs := m.load(ctx, ids)
	all, err := r.e.svc.Sync.ExternalRefsByEntity(ctx, m.entity, ids)
	if err != nil {
		return err
	}
	now := r.e.now().UTC()
	var save []*codex.ExternalRef
	for i, ref := range refs {
		row := rows[i]
		if row == nil {
			if errs != nil && fatal(errs[i]) {
				return errs[i]
			}
			continue
		}
		ref.GoneAt = &now
		save = append(save, ref)
		elsewhere := slices.ContainsFunc(all[i], func(x *codex.ExternalRef) bool {
			return x.Source != r.source && x.GoneAt == nil
		})
		if elsewhere || m.archivedAt(row) != nil {
			continue
		}
		if err := m.archive(ctx, ref.EntityID); err != nil {
			if fatal(err) {
				return err
			}
			r.failed(ctx, m.entity, m.entity+" "+ref.ExternalID, err)
			save = save[:len(save)-1]
			continue
		}
		r.add(m.entity, func(c *codex.SyncCounts) { c.Archived++ })
	}
	return r.e.svc.Sync.SaveExternalRefs(ctx, save)
}

// archiveMissing infers the deletions of every entity listed to the end in this run.
func (r *runner) archiveMissing(ctx context.Context) error {
	for _, a := range r.archivers {
		entity := a.entityName()
		if !slices.Contains(r.listed, entity) {
			continue
		}
		if why, ok := r.incomplete[entity]; ok {
			r.problem(ctx, "%s: deletions not inferred this run: %s", entity, why)
			continue
		}
		seen := r.seen[entity]
		var gone []*codex.ExternalRef
		err := r.e.svc.Sync.EachExternalRef(ctx, r.source, entity, func(x *codex.ExternalRef) error {
			if x.GoneAt == nil && !seen[x.ExternalID] {
				gone = append(gone, x)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for chunk := range slices.Chunk(gone, 500) {
			if err := a.archiveGone(ctx, chunk); err != nil {
				return err
			}
		}
	}
	return nil
}
