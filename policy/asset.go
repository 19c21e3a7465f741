package policy

import (
	"context"
	"strings"

	"github.com/hivematrix/codex/codex"
)

func (s *service) Asset(ctx context.Context, id int64) (*codex.Asset, error) {
	p, sc, err := s.readScope(ctx, codex.ResAsset)
	if err != nil {
		return nil, err
	}
	a, err := s.in.Assets.Asset(ctx, id)
	if err != nil {
		return nil, err
	}
	if !inScope(sc, a.CompanyID) {
		return nil, notFound("asset", id)
	}
	return a, s.guardAssets(ctx, p, true, a)
}

func (s *service) AssetsByIDs(ctx context.Context, ids []int64) ([]*codex.Asset, []error) {
	p, sc, err := s.readScope(ctx, codex.ResAsset)
	if err != nil {
		return nil, repeat(err, len(ids))
	}
	as, errs := s.in.Assets.AssetsByIDs(ctx, ids)
	for i, a := range as {
		if a != nil && !inScope(sc, a.CompanyID) {
			if errs == nil {
				errs = make([]error, len(ids))
			}
			as[i], errs[i] = nil, notFound("asset", ids[i])
		}
	}
	if err := s.guardAssets(ctx, p, false, as...); err != nil {
		return nil, repeat(err, len(ids))
	}
	return as, errs
}

func (s *service) Assets(ctx context.Context, f codex.AssetFilter, pa codex.PageArgs) (*codex.Page[codex.Asset], error) {
	p, sc, err := s.readScope(ctx, codex.ResAsset)
	if err != nil {
		return nil, err
	}
	f.Scope = narrow(f.Scope, sc)
	page, err := s.in.Assets.Assets(ctx, f, pa)
	if err != nil {
		return nil, err
	}
	return page, s.guardAssets(ctx, p, true, page.Items...)
}

func (s *service) EachAsset(ctx context.Context, f codex.AssetFilter, fn func(*codex.Asset) error) error {
	p, sc, err := s.readScope(ctx, codex.ResAsset)
	if err != nil {
		return err
	}
	f.Scope = narrow(f.Scope, sc)
	return s.in.Assets.EachAsset(ctx, f, func(a *codex.Asset) error {
		if err := s.guardAssets(ctx, p, true, a); err != nil {
			return err
		}
		return fn(a)
	})
}

func (s *service) AssetsByCompanies(ctx context.Context, companyIDs []int64, f codex.AssetFilter, limit int) ([][]*codex.Asset, error) {
	p, sc, err := s.readScope(ctx, codex.ResAsset)
	if err != nil {
		return nil, err
	}
	groups, err := s.in.Assets.AssetsByCompanies(ctx, visibleKeys(sc, companyIDs), f, limit)
	if err != nil {
		return nil, err
	}
	return groups, s.guardAssets(ctx, p, false, flatten(groups)...)
}

func (s *service) CountAssetsByCompanies(ctx context.Context, companyIDs []int64, f codex.AssetFilter) ([]int, error) {
	_, sc, err := s.readScope(ctx, codex.ResAsset)
	if err != nil {
		return nil, err
	}
	return s.in.Assets.CountAssetsByCompanies(ctx, visibleKeys(sc, companyIDs), f)
}

func (s *service) AssetsByContacts(ctx context.Context, contactIDs []int64) ([][]*codex.Asset, error) {
	p, sc, err := s.readScope(ctx, codex.ResAsset)
	if err != nil {
		return nil, err
	}
	groups, err := s.in.Assets.AssetsByContacts(ctx, contactIDs)
	if err != nil {
		return nil, err
	}
	for i, g := range groups {
		groups[i] = keep(g, func(a *codex.Asset) bool { return inScope(sc, a.CompanyID) })
	}
	return groups, s.guardAssets(ctx, p, false, flatten(groups)...)
}

func (s *service) ContactsByAssets(ctx context.Context, assetIDs []int64) ([][]*codex.Contact, error) {
	p, sc, err := s.readScope(ctx, codex.ResContact)
	if err != nil {
		return nil, err
	}
	groups, err := s.in.Assets.ContactsByAssets(ctx, assetIDs)
	if err != nil {
		return nil, err
	}
	for i, g := range groups {
		if groups[i], err = s.keepScoped(ctx, sc, g); err != nil {
			return nil, err
		}
	}
	return groups, s.redactContacts(ctx, p, false, flatten(groups)...)
}

// keep returns the rows of g for which ok holds.
func keep[T any](g []*T, ok func(*T) bool) []*T {
	out := g[:0:0]
	for _, x := range g {
		if ok(x) {
			out = append(out, x)
		}
	}
	return out
}

// secretWrite refuses a write of secret fields by someone who may not read them.
func secretWrite(p *codex.Principal, fields ...string) error {
	if len(fields) == 0 || p.MayWriteSecrets() {
		return nil
	}
	return &codex.Error{Code: codex.Forbidden,
		Message: "only an administrator may set secret fields (" + strings.Join(fields, ", ") + "): you cannot read them, so you would overwrite values you cannot see",
		Fields:  secretFieldMessages(fields)}
}

func secretFieldMessages(fields []string) map[string]string {
	out := make(map[string]string, len(fields))
	for _, f := range fields {
		out[f] = "only an administrator may set it"
	}
	return out
}

func (s *service) CreateAsset(ctx context.Context, a *codex.Asset) error {
	p, err := allow(ctx, codex.Write, codex.ResAsset)
	if err != nil {
		return err
	}
	var secrets []string
	if a.LicenseKey != "" {
		secrets = append(secrets, "license_key")
	}
	if len(a.SecretFields) > 0 {
		secrets = append(secrets, "secret_fields")
	}
	if err := secretWrite(p, secrets...); err != nil {
		return err
	}
	if err := s.in.Assets.CreateAsset(ctx, a); err != nil {
		return err
	}
	return s.guardAssets(ctx, p, true, a)
}

func (s *service) UpdateAsset(ctx context.Context, id int64, patch codex.AssetPatch) (*codex.Asset, error) {
	p, err := allow(ctx, codex.Write, codex.ResAsset)
	if err != nil {
		return nil, err
	}
	var secrets []string
	if patch.LicenseKey != nil {
		secrets = append(secrets, "license_key")
	}
	if patch.SecretFields != nil {
		secrets = append(secrets, "secret_fields")
	}
	if err := secretWrite(p, secrets...); err != nil {
		return nil, err
	}
	a, err := s.in.Assets.UpdateAsset(ctx, id, patch)
	if err != nil {
		return nil, err
	}
	return a, s.guardAssets(ctx, p, true, a)
}

func (s *service) ArchiveAsset(ctx context.Context, id int64) (*codex.Asset, error) {
	p, err := allow(ctx, codex.Write, codex.ResAsset)
	if err != nil {
		return nil, err
	}
	a, err := s.in.Assets.ArchiveAsset(ctx, id)
	if err != nil {
		return nil, err
	}
	return a, s.guardAssets(ctx, p, true, a)
}

func (s *service) RestoreAsset(ctx context.Context, id int64) (*codex.Asset, error) {
	p, err := allow(ctx, codex.Write, codex.ResAsset)
	if err != nil {
		return nil, err
	}
	a, err := s.in.Assets.RestoreAsset(ctx, id)
	if err != nil {
		return nil, err
	}
	return a, s.guardAssets(ctx, p, true, a)
}

func (s *service) AssignAsset(ctx context.Context, assetID int64, contactIDs []int64) error {
	if _, err := allow(ctx, codex.Write, codex.ResAsset); err != nil {
		return err
	}
	return s.in.Assets.AssignAsset(ctx, assetID, contactIDs)
}
