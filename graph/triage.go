package graph

import (
	"context"
	"encoding/json"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/graph/generated"
	"github.com/hivematrix/codex/graph/model"
)

type triageItemResolver struct{ *Resolver }

// TriageItem resolves the fields of a triage item that need work.
func (r *Resolver) TriageItem() generated.TriageItemResolver { return &triageItemResolver{r} }

// Upstream is the held record's mapped fields as a JSON object.
func (r *triageItemResolver) Upstream(_ context.Context, obj *codex.TriageItem) (json.RawMessage, error) {
	if obj.Upstream == nil {
		return json.RawMessage(`{}`), nil
	}
	return json.Marshal(obj.Upstream)
}

// Triage lists the triage items (the policy lets admins only).
func (r *queryResolver) Triage(ctx context.Context, filter *codex.TriageFilter, first *int, after *string, last *int, before *string) (*model.TriageItemConnection, error) {
	p, err := r.pageArgs(ctx, first, after, last, before)
	if err != nil {
		return nil, err
	}
	pg, err := r.svc.Triage.TriageItems(ctx, orZero(filter), p)
	if err != nil {
		return nil, err
	}
	l := fromPage(ctx, pg)
	edges := make([]*model.TriageItemEdge, len(l.nodes))
	for i, n := range l.nodes {
		edges[i] = &model.TriageItemEdge{Cursor: l.cursors[i], Node: n}
	}
	return &model.TriageItemConnection{Edges: edges, Nodes: l.nodes, PageInfo: l.info, TotalCount: l.total}, nil
}

// syncActions returns the sync engine's admin actions, or Unavailable.
func (r *mutationResolver) syncActions() (codex.SyncActions, error) {
	sa, ok := r.opts.Sync.(codex.SyncActions)
	if !ok {
		return nil, codex.Errorf(codex.Unavailable, "no integration is configured")
	}
	return sa, nil
}

// AssignTriageItem assigns a triage item to a company, or an ambiguous asset to one of its
// candidates.
func (r *mutationResolver) AssignTriageItem(ctx context.Context, input model.AssignTriageItemInput) (*codex.TriageOutcome, error) {
	var d ids
	company := d.opt("companyId", typeCompany, input.CompanyID.Value())
	asset := d.opt("assetId", typeAsset, input.AssetID.Value())
	if err := d.err(); err != nil {
		return nil, err
	}
	sa, err := r.syncActions()
	if err != nil {
		return nil, err
	}
	return sa.AssignTriage(ctx, int64(input.ItemID), orZero(company), orZero(asset))
}

// AssignAccountNumbers numbers the client companies without an account number and pushes
// the numbers to every integration.
func (r *mutationResolver) AssignAccountNumbers(ctx context.Context) (*model.AccountNumbersPayload, error) {
	sa, err := r.syncActions()
	if err != nil {
		return nil, err
	}
	p := codex.PrincipalFrom(ctx)
	if p == nil {
		return nil, codex.Errorf(codex.Unauthenticated, "authentication required")
	}
	runs, err := sa.AccountNumbers(ctx, p.Actor())
	if err != nil {
		return nil, err
	}
	return &model.AccountNumbersPayload{Runs: runs}, nil
}
