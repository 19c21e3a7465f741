package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/graph/model"
)

func assetKey(a *codex.Asset) (int64, bool) { return a.ID, true }

// ID is the global id.
func (r *assetResolver) ID(_ context.Context, obj *codex.Asset) (string, error) {
	return globalID(typeAsset, obj.ID), nil
}

// Company loads the owning company.
func (r *assetResolver) Company(ctx context.Context, obj *codex.Asset) (*codex.Company, error) {
	return companyOf(ctx, r.Resolver, obj, "Asset.company", func(a *codex.Asset) (int64, bool) { return a.CompanyID, true })
}

// LicenseKey is null when empty (the policy layer empties it for everyone but admins).
func (r *assetResolver) LicenseKey(_ context.Context, obj *codex.Asset) (*string, error) {
	if obj.LicenseKey == "" {
		return nil, nil
	}
	return &obj.LicenseKey, nil
}

// CustomFields lists the custom fields.
func (r *assetResolver) CustomFields(_ context.Context, obj *codex.Asset) ([]*model.KeyValue, error) {
	return keyValues(obj.CustomFields), nil
}

// SecretFields lists the secret fields; null when the policy layer removed them.
func (r *assetResolver) SecretFields(_ context.Context, obj *codex.Asset) ([]*model.KeyValue, error) {
	if obj.SecretFields == nil {
		return nil, nil
	}
	return keyValues(obj.SecretFields), nil
}

// AssignedContacts loads the contacts who use the asset.
func (r *assetResolver) AssignedContacts(ctx context.Context, obj *codex.Asset) ([]*codex.Contact, error) {
	return load(ctx, obj, "Asset.assignedContacts", "", assetKey, byParents(loadersFrom(ctx), r.svc.Assets.ContactsByAssets))
}

// Alerts loads a window of the asset's alerts (totalCount costs one statement per asset).
func (r *assetResolver) Alerts(ctx context.Context, obj *codex.Asset, first *int, after *string,
	filter *model.AlertFilter, orderBy *model.AlertOrder) (*model.AlertConnection, error) {
	f, err := alertFilter(filter, orderBy)
	if err != nil {
		return nil, err
	}
	f.CompanyID, f.SubtreeOf, f.AssetID = nil, nil, nil
	l, err := nested(ctx, r.Resolver, obj, assetKey, first, after, nestedList[codex.Alert]{
		rel: "Asset.alerts", args: f,
		rows: func(ctx context.Context, ids []int64, limit int) ([][]*codex.Alert, error) {
			return r.svc.Tickets.AlertsByAssets(ctx, ids, f, limit)
		},
		page: func(ctx context.Context, id int64, p codex.PageArgs) (*codex.Page[codex.Alert], error) {
			g := f
			g.AssetID = &id
			return r.svc.Tickets.Alerts(ctx, g, p)
		},
	})
	if err != nil {
		return nil, err
	}
	return alertConnection(l), nil
}

// assetFilter turns GraphQL asset filter and order into a codex filter.
func assetFilter(in *model.AssetFilter, o *model.AssetOrder) (codex.AssetFilter, error) {
	var f codex.AssetFilter
	if o != nil {
		f.Order = order(&o.Field, o.Direction.Value())
	}
	if in == nil {
		return f, nil
	}
	var v ids
	f.Search = val(in.Search)
	f.CompanyID = v.opt("filter.companyId", typeCompany, in.CompanyID.Value())
	f.SubtreeOf = v.opt("filter.subtreeOf", typeCompany, in.SubtreeOf.Value())
	f.Type = in.Type.Value()
	f.Status = in.Status.Value()
	f.WarrantyExpiresBefore = in.WarrantyExpiresBefore.Value()
	f.Online = in.Online.Value()
	f.IPIn = val(in.IPIn)
	f.ContactID = v.opt("filter.contactId", typeContact, in.ContactID.Value())
	f.SerialNumber = val(in.SerialNumber)
	f.Hostname = val(in.Hostname)
	f.IncludeArchived = val(in.IncludeArchived)
	return f, v.err()
}

// Assets lists assets.
func (r *queryResolver) Assets(ctx context.Context, first *int, after *string, last *int, before *string,
	filter *model.AssetFilter, orderBy *model.AssetOrder) (*model.AssetConnection, error) {
	f, err := assetFilter(filter, orderBy)
	if err != nil {
		return nil, err
	}
	p, err := r.pageArgs(ctx, first, after, last, before)
	if err != nil {
		return nil, err
	}
	pg, err := r.svc.Assets.Assets(ctx, f, p)
	if err != nil {
		return nil, err
	}
	return assetConnection(fromPage(ctx, pg)), nil
}

// nullable returns a patch field for a nullable column: nil when left out, a pointer to
// nil when null.
func nullable[T any](o graphql.Omittable[*T]) **T {
	p, set := o.ValueOK()
	if !set {
		return nil
	}
	return &p
}

// CreateAsset creates an asset.
func (r *mutationResolver) CreateAsset(ctx context.Context, in model.CreateAssetInput) (*model.AssetPayload, error) {
	var v ids
	a := &codex.Asset{
		CompanyID:       v.of("companyId", typeCompany, in.CompanyID),
		Name:            in.Name,
		Type:            val(in.Type),
		Manufacturer:    val(in.Manufacturer),
		Model:           val(in.Model),
		SerialNumber:    val(in.SerialNumber),
		Hostname:        val(in.Hostname),
		OperatingSystem: val(in.OperatingSystem),
		IPAddresses:     in.IPAddresses.Value(),
		Status:          val(in.Status),
		PurchaseDate:    in.PurchaseDate.Value(),
		WarrantyExpires: in.WarrantyExpires.Value(),
		LastSeen:        in.LastSeen.Value(),
		Online:          val(in.Online),
		SeatsTotal:      in.SeatsTotal.Value(),
		SeatsUsed:       in.SeatsUsed.Value(),
		LicenseExpires:  in.LicenseExpires.Value(),
		LicenseKey:      val(in.LicenseKey),
		CustomFields:    fromKeyValues(&v, "customFields", in.CustomFields.Value()),
		SecretFields:    fromKeyValues(&v, "secretFields", in.SecretFields.Value()),
		Notes:           val(in.Notes),
	}
	if a.IPAddresses == nil {
		a.IPAddresses = []string{}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := r.svc.Assets.CreateAsset(ctx, a); err != nil {
		return nil, err
	}
	return &model.AssetPayload{Asset: one(ctx, a)}, nil
}

// UpdateAsset changes an asset.
func (r *mutationResolver) UpdateAsset(ctx context.Context, in model.UpdateAssetInput) (*model.AssetPayload, error) {
	var v ids
	id := v.of("id", typeAsset, in.ID)
	p := codex.AssetPatch{
		Name:            required(&v, "name", in.Name),
		Type:            required(&v, "type", in.Type),
		Manufacturer:    patch(in.Manufacturer),
		Model:           patch(in.Model),
		SerialNumber:    patch(in.SerialNumber),
		Hostname:        patch(in.Hostname),
		OperatingSystem: patch(in.OperatingSystem),
		IPAddresses:     patchList(in.IPAddresses),
		Status:          required(&v, "status", in.Status),
		PurchaseDate:    patch(in.PurchaseDate),
		WarrantyExpires: patch(in.WarrantyExpires),
		LastSeen:        nullable(in.LastSeen),
		Online:          required(&v, "online", in.Online),
		SeatsTotal:      nullable(in.SeatsTotal),
		SeatsUsed:       nullable(in.SeatsUsed),
		LicenseExpires:  patch(in.LicenseExpires),
		LicenseKey:      patch(in.LicenseKey),
		CustomFields:    patchMap(&v, "customFields", in.CustomFields),
		SecretFields:    patchMap(&v, "secretFields", in.SecretFields),
		Notes:           patch(in.Notes),
	}
	p.ExpectedVersion = val(in.ExpectedVersion)

	if s, set := in.CompanyID.ValueOK(); set {
		if s == nil {
			v.Add("companyId", "cannot be null")
		} else {
			p.CompanyID = v.opt("companyId", typeCompany, s)
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	a, err := r.svc.Assets.UpdateAsset(ctx, id, p)
	if err != nil {
		return nil, err
	}
	return &model.AssetPayload{Asset: one(ctx, a)}, nil
}

// ArchiveAsset archives an asset.
func (r *mutationResolver) ArchiveAsset(ctx context.Context, in model.ByIDInput) (*model.AssetPayload, error) {
	a, err := byID(ctx, in, typeAsset, r.svc.Assets.ArchiveAsset)
	if err != nil {
		return nil, err
	}
	return &model.AssetPayload{Asset: a}, nil
}

// RestoreAsset restores an archived asset.
func (r *mutationResolver) RestoreAsset(ctx context.Context, in model.ByIDInput) (*model.AssetPayload, error) {
	a, err := byID(ctx, in, typeAsset, r.svc.Assets.RestoreAsset)
	if err != nil {
		return nil, err
	}
	return &model.AssetPayload{Asset: a}, nil
}

// AssignAsset replaces the contacts an asset is assigned to.
func (r *mutationResolver) AssignAsset(ctx context.Context, in model.AssignAssetInput) (*model.AssetPayload, error) {
	var v ids
	id := v.of("assetId", typeAsset, in.AssetID)
	contacts := v.list("contactIds", typeContact, in.ContactIds)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := r.svc.Assets.AssignAsset(ctx, id, contacts); err != nil {
		return nil, err
	}
	a, err := r.svc.Assets.Asset(ctx, id)
	if err != nil {
		return nil, err
	}
	return &model.AssetPayload{Asset: one(ctx, a)}, nil
}
