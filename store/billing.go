package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/uptrace/bun"

	"github.com/hivematrix/codex/codex"
)

// BillingPlans returns the catalogue by plan name and term.
func (db *DB) BillingPlans(ctx context.Context) ([]*codex.BillingPlan, error) {
	var out []*codex.BillingPlan
	err := db.bun.NewSelect().Model(&out).Order("plan.plan_name", "plan.term_length", "plan.id").Scan(ctx)
	return out, translate(err)
}

func (db *DB) getPlan(ctx context.Context, idb bun.IDB, id int64) (*codex.BillingPlan, error) {
	p := new(codex.BillingPlan)
	if err := idb.NewSelect().Model(p).Where("plan.id = ?", id).Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, codex.Errorf(codex.NotFound, "no billing plan %d", id)
		}
		return nil, translate(err)
	}
	return p, nil
}

// BillingPlan returns plan id.
func (db *DB) BillingPlan(ctx context.Context, id int64) (*codex.BillingPlan, error) {
	return db.getPlan(ctx, db.bun, id)
}

// BillingPlanByName returns the plan with a name and term, ignoring case.
func (db *DB) BillingPlanByName(ctx context.Context, name, term string) (*codex.BillingPlan, error) {
	p := new(codex.BillingPlan)
	err := db.bun.NewSelect().Model(p).
		Where("lower(plan.plan_name) = ?", strings.ToLower(strings.TrimSpace(name))).
		Where("lower(plan.term_length) = ?", strings.ToLower(strings.TrimSpace(term))).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, codex.Errorf(codex.NotFound, "no billing plan %q for the term %q", name, term)
	}
	return p, translate(err)
}

// CreateBillingPlan adds a plan, audited; a plan and term already in the catalogue is a
// conflict.
func (db *DB) CreateBillingPlan(ctx context.Context, p *codex.BillingPlan) error {
	p.ID = 0
	if err := p.Validate(); err != nil {
		return err
	}
	if p.Features == nil {
		p.Features = map[string]string{}
	}
	err := db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now := db.now()
		p.CreatedAt, p.UpdatedAt = now, now
		if _, err := tx.NewInsert().Model(p).Exec(ctx); err != nil {
			return err
		}
		return db.audit(ctx, tx, actionCreate, "billing_plan", p.ID, nil, nil, p)
	})
	if err != nil {
		p.ID = 0
	}
	return translate(err)
}

// ReplaceBillingPlan writes every field of plan id from p, audited.
func (db *DB) ReplaceBillingPlan(ctx context.Context, id int64, p *codex.BillingPlan) (*codex.BillingPlan, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	var out *codex.BillingPlan
	err := db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		cur, err := db.getPlan(ctx, tx, id)
		if err != nil {
			return err
		}
		next := *p
		next.ID, next.CreatedAt, next.UpdatedAt = id, cur.CreatedAt, db.now()
		if next.Features == nil {
			next.Features = map[string]string{}
		}
		if _, err := tx.NewUpdate().Model(&next).WherePK().ExcludeColumn("id", "created_at").Exec(ctx); err != nil {
			return err
		}
		out = &next
		return db.audit(ctx, tx, actionUpdate, "billing_plan", id, nil, cur, &next)
	})
	return out, translate(err)
}

// FeatureOptions returns the feature options by type and name.
func (db *DB) FeatureOptions(ctx context.Context) ([]*codex.FeatureOption, error) {
	var out []*codex.FeatureOption
	err := db.bun.NewSelect().Model(&out).Order("feature.feature_type", "feature.display_name").Scan(ctx)
	return out, translate(err)
}

// CreateFeatureOption adds a feature option, audited.
func (db *DB) CreateFeatureOption(ctx context.Context, f *codex.FeatureOption) error {
	f.ID = 0
	if err := f.Validate(); err != nil {
		return err
	}
	err := db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(f).Exec(ctx); err != nil {
			return err
		}
		return db.audit(ctx, tx, actionCreate, "feature_option", f.ID, nil, nil, f)
	})
	if err != nil {
		f.ID = 0
	}
	return translate(err)
}

// ImportBillingPlans adds or replaces (by plan name and term, ignoring case) every plan,
// in one transaction, each change audited.
func (db *DB) ImportBillingPlans(ctx context.Context, plans []*codex.BillingPlan) (created, replaced int, err error) {
	for i, p := range plans {
		if err := p.Validate(); err != nil {
			return 0, 0, codex.Errorf(codex.Invalid, "row %d: %v", i+1, err)
		}
		if p.Features == nil {
			p.Features = map[string]string{}
		}
	}
	err = db.tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		created, replaced = 0, 0
		now := db.now()
		for _, p := range plans {
			cur := new(codex.BillingPlan)
			err := tx.NewSelect().Model(cur).
				Where("lower(plan.plan_name) = ?", strings.ToLower(p.PlanName)).
				Where("lower(plan.term_length) = ?", strings.ToLower(p.TermLength)).Scan(ctx)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				p.ID, p.CreatedAt, p.UpdatedAt = 0, now, now
				if _, err := tx.NewInsert().Model(p).Exec(ctx); err != nil {
					return err
				}
				created++
				if err := db.audit(ctx, tx, actionCreate, "billing_plan", p.ID, nil, nil, p); err != nil {
					return err
				}
			case err != nil:
				return err
			default:
				p.ID, p.CreatedAt, p.UpdatedAt = cur.ID, cur.CreatedAt, now
				if _, err := tx.NewUpdate().Model(p).WherePK().ExcludeColumn("id", "created_at").Exec(ctx); err != nil {
					return err
				}
				replaced++
				if err := db.audit(ctx, tx, actionUpdate, "billing_plan", p.ID, nil, cur, p); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, translate(err)
	}
	return created, replaced, nil
}
