package syncer

import (
	"context"
	"slices"

	"github.com/hivematrix/codex/codex"
)

// TakeUpstream resolves conflict id the other way from ResolveSyncConflict: the upstream
// value is written to the row's field, as the caller (so the audit log names who took
// it), with the version of the row as read, and the conflict is marked resolved. Only
// admins may. The row's field must still hold the conflict's local value: when it changed
// since (a person edited it again), the error is a Conflict and nothing is written.
//
// The reference's snapshot of the field is set to the value taken, so the next run of
// the source finds Codex, snapshot and source agreeing and raises no conflict; a later
// upstream change is pulled as usual. While a run of the conflict's source is in progress
// the error is a Conflict too, so the two never write the row at once.
func (e *Engine) TakeUpstream(ctx context.Context, id int64) (*codex.SyncConflict, error) {
	p := codex.PrincipalFrom(ctx)
	if p == nil {
		return nil, codex.Errorf(codex.Unauthenticated, "authentication required")
	}
	if !p.Can(codex.Write, codex.ResSync) {
		return nil, codex.Errorf(codex.Forbidden, "only admins may resolve sync conflicts")
	}
	c, err := e.svc.Sync.SyncConflict(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.ResolvedAt != nil {
		return nil, codex.Errorf(codex.Conflict, "sync conflict %d is already resolved", id)
	}
	unlock, ok, err := e.locker.TryLock(ctx, lockName(c.Source))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, codex.Errorf(codex.Conflict, "a %s sync is running: take upstream's value once it has finished", c.Source)
	}
	defer unlock()

	if err := e.takeField(ctx, c); err != nil {
		return nil, err
	}
	if err := e.setSnapshot(ctx, c); err != nil {
		return nil, err
	}
	return e.svc.Sync.ResolveSyncConflict(ctx, id)
}

// takeField writes the conflict's upstream value to its row, through the field mapping
// of the conflict's source and entity.
func (e *Engine) takeField(ctx context.Context, c *codex.SyncConflict) error {
	s := e.svc
	switch c.Source + "/" + c.Entity {
	case codex.SourceFreshservice + "/" + codex.EntityCompany, codex.SourceDatto + "/" + codex.EntityCompany:
		fields := fsCompanyFields
		if c.Source == codex.SourceDatto {
			fields = dattoCompanyFields
		}
		return takeField(ctx, c, fields, s.Companies.CompaniesByIDs, (*codex.Company).Version,
			func(ctx context.Context, id int64, p codex.CompanyPatch, version string) error {
				p.ExpectedVersion = version
				_, err := s.Companies.UpdateCompany(ctx, id, p)
				return err
			})
	case codex.SourceFreshservice + "/" + codex.EntityContact:
		return takeField(ctx, c, fsContactFields, s.Contacts.ContactsByIDs, (*codex.Contact).Version,
			func(ctx context.Context, id int64, p codex.ContactPatch, version string) error {
				p.ExpectedVersion = version
				_, err := s.Contacts.UpdateContact(ctx, id, p)
				return err
			})
	case codex.SourceFreshservice + "/" + codex.EntityAsset, codex.SourceDatto + "/" + codex.EntityAsset:
		fields := fsAssetFields
		if c.Source == codex.SourceDatto {
			fields = dattoAssetFields
		}
		return takeField(ctx, c, fields, s.Assets.AssetsByIDs, (*codex.Asset).Version,
			func(ctx context.Context, id int64, p codex.AssetPatch, version string) error {
				p.ExpectedVersion = version
				_, err := s.Assets.UpdateAsset(ctx, id, p)
				return err
			})
	case codex.SourceDatto + "/" + codex.EntityEquipment:
		return takeField(ctx, c, dattoEquipmentFields, s.Network.EquipmentByIDs, (*codex.NetworkEquipment).Version,
			func(ctx context.Context, id int64, p codex.EquipmentPatch, version string) error {
				p.ExpectedVersion = version
				_, err := s.Network.UpdateEquipment(ctx, id, p)
				return err
			})
	}
	return codex.Errorf(codex.Invalid, "%s does not sync %s rows", c.Source, c.Entity)
}

// takeField sets field c.Field of row c.EntityID to c.UpstreamValue, when the row still
// holds c.LocalValue; a row already holding the upstream value is left as it is.
func takeField[T, P any](ctx context.Context, c *codex.SyncConflict, fields []field[T, P],
	load func(context.Context, []int64) ([]*T, []error), version func(*T) string,
	update func(ctx context.Context, id int64, p P, version string) error) error {
	i := slices.IndexFunc(fields, func(f field[T, P]) bool { return f.name == c.Field })
	if i < 0 {
		return codex.Errorf(codex.Invalid, "%s does not sync the %s field %q", c.Source, c.Entity, c.Field)
	}
	f := fields[i]
	rows, errs := load(ctx, []int64{c.EntityID})
	if len(rows) != 1 || rows[0] == nil {
		if len(errs) == 1 && errs[0] != nil {
			return errs[0]
		}
		return codex.Errorf(codex.NotFound, "%s %d not found", c.Entity, c.EntityID)
	}
	row := rows[0]
	switch local := f.get(row); local {
	case c.UpstreamValue:
		return nil
	case c.LocalValue:
	default:
		return &codex.Error{Code: codex.Conflict, Err: codex.ErrChanged,
			Message: "the " + c.Entity + "'s " + c.Field + " changed since the conflict was recorded: it is now " +
				quote(local) + ", not " + quote(c.LocalValue) + "; edit the " + c.Entity + " or keep Codex's value"}
	}
	var p P
	f.set(&p, c.UpstreamValue)
	return update(ctx, c.EntityID, p, version(row))
}

// setSnapshot records the value taken as the source's last-seen value of the field.
func (e *Engine) setSnapshot(ctx context.Context, c *codex.SyncConflict) error {
	all, err := e.svc.Sync.ExternalRefsByEntity(ctx, c.Entity, []int64{c.EntityID})
	if err != nil {
		return err
	}
	for _, refs := range all {
		for _, ref := range refs {
			if ref.Source != c.Source {
				continue
			}
			if v, ok := ref.Upstream[c.Field]; ok && v == c.UpstreamValue {
				return nil
			}
			if ref.Upstream == nil {
				ref.Upstream = map[string]string{}
			}
			ref.Upstream[c.Field] = c.UpstreamValue
			return e.svc.Sync.SaveExternalRefs(ctx, []*codex.ExternalRef{ref})
		}
	}
	return nil
}

// quote shows a value in a message; an empty one as "(blank)".
func quote(v string) string {
	if v == "" {
		return "(blank)"
	}
	return `"` + v + `"`
}
