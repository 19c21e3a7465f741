package policy

import (
	"context"

	"github.com/hivematrix/codex/codex"
)

// Totals counts, within the caller's scope, only the resources it may read: the others
// are left out (nil), as the lists would refuse them.
func (s *service) Totals(ctx context.Context, f codex.TotalsFilter) (*codex.Totals, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	f.Companies = f.Companies && p.Can(codex.Read, codex.ResCompany)
	f.Contacts = f.Contacts && p.Can(codex.Read, codex.ResContact)
	f.Assets = f.Assets && p.Can(codex.Read, codex.ResAsset)
	f.Network = f.Network && p.Can(codex.Read, codex.ResNetwork)
	f.Tickets = f.Tickets && p.Can(codex.Read, codex.ResTicket)
	sc, err := s.scope(ctx, p)
	if err != nil {
		return nil, err
	}
	f.Scope = narrow(f.Scope, sc)
	return s.in.Dashboard.Totals(ctx, f)
}

// Expiring lists the expiries of the assets in the caller's scope, guarded like an asset
// list (secrets stripped, redaction applied).
func (s *service) Expiring(ctx context.Context, f codex.ExpiryFilter) ([]*codex.Expiry, error) {
	p, sc, err := s.readScope(ctx, codex.ResAsset)
	if err != nil {
		return nil, err
	}
	f.Scope = narrow(f.Scope, sc)
	out, err := s.in.Dashboard.Expiring(ctx, f)
	if err != nil {
		return nil, err
	}
	as := make([]*codex.Asset, len(out))
	for i, e := range out {
		as[i] = e.Asset
	}
	return out, s.guardAssets(ctx, p, true, as...)
}
