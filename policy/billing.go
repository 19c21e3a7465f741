package policy

import (
	"context"

	"github.com/hivematrix/codex/codex"
)

// Billing plans are read like billing fields (staff, services with reads; client users
// read their own company's plan through the company) and written by admins and
// write-granted services only.

var _ codex.BillingService = (*service)(nil)

func (s *service) BillingPlans(ctx context.Context) ([]*codex.BillingPlan, error) {
	if err := readPlans(ctx); err != nil {
		return nil, err
	}
	return s.in.Billing.BillingPlans(ctx)
}

func (s *service) BillingPlan(ctx context.Context, id int64) (*codex.BillingPlan, error) {
	if err := readPlans(ctx); err != nil {
		return nil, err
	}
	return s.in.Billing.BillingPlan(ctx, id)
}

func (s *service) BillingPlanByName(ctx context.Context, name, term string) (*codex.BillingPlan, error) {
	if err := readPlans(ctx); err != nil {
		return nil, err
	}
	return s.in.Billing.BillingPlanByName(ctx, name, term)
}

func (s *service) CreateBillingPlan(ctx context.Context, p *codex.BillingPlan) error {
	if _, err := allow(ctx, codex.Write, codex.ResPlan); err != nil {
		return err
	}
	return s.in.Billing.CreateBillingPlan(ctx, p)
}

func (s *service) ReplaceBillingPlan(ctx context.Context, id int64, p *codex.BillingPlan) (*codex.BillingPlan, error) {
	if _, err := allow(ctx, codex.Write, codex.ResPlan); err != nil {
		return nil, err
	}
	return s.in.Billing.ReplaceBillingPlan(ctx, id, p)
}

func (s *service) FeatureOptions(ctx context.Context) ([]*codex.FeatureOption, error) {
	if err := readPlans(ctx); err != nil {
		return nil, err
	}
	return s.in.Billing.FeatureOptions(ctx)
}

func (s *service) CreateFeatureOption(ctx context.Context, f *codex.FeatureOption) error {
	if _, err := allow(ctx, codex.Write, codex.ResPlan); err != nil {
		return err
	}
	return s.in.Billing.CreateFeatureOption(ctx, f)
}

// readPlans allows the catalogue to whoever reads billing data, except client users
// (whose plan reaches them through their company only).
func readPlans(ctx context.Context) error {
	p, err := allow(ctx, codex.Read, codex.ResBilling)
	if err != nil {
		return err
	}
	if _, scoped := p.ScopeRoot(); scoped {
		return codex.Errorf(codex.Forbidden, "you may not read billing plans")
	}
	return nil
}

func (s *service) ImportBillingPlans(ctx context.Context, plans []*codex.BillingPlan) (int, int, error) {
	if _, err := allow(ctx, codex.Write, codex.ResPlan); err != nil {
		return 0, 0, err
	}
	return s.in.Billing.ImportBillingPlans(ctx, plans)
}
