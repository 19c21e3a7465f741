package graph

import (
	"context"
	"strings"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/graph/generated"
	"github.com/hivematrix/codex/graph/model"
)

type billingPlanResolver struct{ *Resolver }

// BillingPlan returns the BillingPlan resolver.
func (r *Resolver) BillingPlan() generated.BillingPlanResolver { return &billingPlanResolver{r} }

// Features lists a plan's feature values.
func (r *billingPlanResolver) Features(_ context.Context, obj *codex.BillingPlan) ([]*model.KeyValue, error) {
	return keyValues(obj.Features), nil
}

// BillingPlans returns the catalogue.
func (r *queryResolver) BillingPlans(ctx context.Context) ([]*codex.BillingPlan, error) {
	return r.svc.Billing.BillingPlans(ctx)
}

// FeatureOptions returns the feature options.
func (r *queryResolver) FeatureOptions(ctx context.Context) ([]*codex.FeatureOption, error) {
	return r.svc.Billing.FeatureOptions(ctx)
}

// Plan returns the catalogue plan a company's billing plan and contract term name. The
// catalogue is small and read once per request, so a list of companies costs one
// statement, not one per company.
func (r *companyResolver) Plan(ctx context.Context, obj *codex.Company) (*codex.BillingPlan, error) {
	if obj.BillingPlan == "" {
		return nil, nil
	}
	plans, err := catalogue(ctx, r.svc)
	if codex.ErrorCode(err) == codex.Forbidden {
		return nil, nil // client users see their plan's name, not the catalogue's prices
	}
	if err != nil {
		return nil, err
	}
	for _, p := range plans {
		if strings.EqualFold(p.PlanName, obj.BillingPlan) && strings.EqualFold(p.TermLength, obj.ContractTerm) {
			return p, nil
		}
	}
	return nil, nil
}

// catalogue returns the request's copy of the billing plan catalogue.
func catalogue(ctx context.Context, svc codex.Services) ([]*codex.BillingPlan, error) {
	l := loadersFrom(ctx)
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.plansSet {
		l.plans, l.plansErr = svc.Billing.BillingPlans(ctx)
		l.plansSet = true
	}
	return l.plans, l.plansErr
}
