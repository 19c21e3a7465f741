package codex

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// BillingPlan is one row of the billing plan catalogue: a plan under one contract term,
// with its per-item prices. Ledger (the platform's billing service) prices invoices from
// it; a company's billing_plan and contract_term name a plan and term.
type BillingPlan struct {
	bun.BaseModel `bun:"table:billing_plans,alias:plan" json:"-"`

	ID           int64  `bun:"id,pk,autoincrement" json:"id"`
	PlanName     string `bun:"plan_name,notnull" json:"plan_name"`
	TermLength   string `bun:"term_length,notnull" json:"term_length"`
	SupportLevel string `bun:"support_level,notnull" json:"support_level"`

	PerUserCost        float64 `bun:"per_user_cost,notnull" json:"per_user_cost"`
	PerWorkstationCost float64 `bun:"per_workstation_cost,notnull" json:"per_workstation_cost"`
	PerServerCost      float64 `bun:"per_server_cost,notnull" json:"per_server_cost"`
	PerVMCost          float64 `bun:"per_vm_cost,notnull" json:"per_vm_cost"`
	PerSwitchCost      float64 `bun:"per_switch_cost,notnull" json:"per_switch_cost"`
	PerFirewallCost    float64 `bun:"per_firewall_cost,notnull" json:"per_firewall_cost"`
	PerHourTicketCost  float64 `bun:"per_hour_ticket_cost,notnull" json:"per_hour_ticket_cost"`

	BackupBaseFeeWorkstation float64 `bun:"backup_base_fee_workstation,notnull" json:"backup_base_fee_workstation"`
	BackupBaseFeeServer      float64 `bun:"backup_base_fee_server,notnull" json:"backup_base_fee_server"`
	BackupBaseFeeTB          float64 `bun:"backup_base_fee_tb,notnull" json:"backup_base_fee_tb"`
	BackupIncludedTB         float64 `bun:"backup_included_tb,notnull" json:"backup_included_tb"`
	BackupPerTBFee           float64 `bun:"backup_per_tb_fee,notnull" json:"backup_per_tb_fee"`

	// Features are the plan's feature values by feature type ("antivirus": "SentinelOne").
	Features  map[string]string `bun:"features,type:json" json:"features"`
	CreatedAt time.Time         `bun:"created_at,notnull" json:"created_at"`
	UpdatedAt time.Time         `bun:"updated_at,notnull" json:"updated_at"`
}

// Validate checks a plan's fields: a name and term, no negative price.
func (b *BillingPlan) Validate() error {
	var v Validation
	b.PlanName, b.TermLength, b.SupportLevel = strings.TrimSpace(b.PlanName), strings.TrimSpace(b.TermLength), strings.TrimSpace(b.SupportLevel)
	v.Check(b.PlanName != "" && len(b.PlanName) <= 100, "plan_name", "is required (at most 100 characters)")
	v.Check(b.TermLength != "" && len(b.TermLength) <= 50, "term_length", "is required (at most 50 characters)")
	v.Check(len(b.SupportLevel) <= 100, "support_level", "is at most 100 characters")
	for name, x := range map[string]float64{"per_user_cost": b.PerUserCost, "per_workstation_cost": b.PerWorkstationCost,
		"per_server_cost": b.PerServerCost, "per_vm_cost": b.PerVMCost, "per_switch_cost": b.PerSwitchCost,
		"per_firewall_cost": b.PerFirewallCost, "per_hour_ticket_cost": b.PerHourTicketCost,
		"backup_base_fee_workstation": b.BackupBaseFeeWorkstation, "backup_base_fee_server": b.BackupBaseFeeServer,
		"backup_base_fee_tb": b.BackupBaseFeeTB, "backup_included_tb": b.BackupIncludedTB, "backup_per_tb_fee": b.BackupPerTBFee} {
		v.Check(x >= 0 && x < 1e9, name, "must be between 0 and 999999999")
	}
	return v.Err()
}

// FeatureOption is a choice a plan's feature can take ("antivirus": "SentinelOne").
type FeatureOption struct {
	bun.BaseModel `bun:"table:feature_options,alias:feature" json:"-"`

	ID          int64  `bun:"id,pk,autoincrement" json:"id"`
	FeatureType string `bun:"feature_type,notnull" json:"feature_type"`
	DisplayName string `bun:"display_name,notnull" json:"display_name"`
	Description string `bun:"description,notnull" json:"description"`
}

// Validate checks a feature option.
func (f *FeatureOption) Validate() error {
	var v Validation
	f.FeatureType, f.DisplayName = strings.TrimSpace(f.FeatureType), strings.TrimSpace(f.DisplayName)
	v.Check(f.FeatureType != "" && len(f.FeatureType) <= 100, "feature_type", "is required (at most 100 characters)")
	v.Check(f.DisplayName != "" && len(f.DisplayName) <= 150, "display_name", "is required (at most 150 characters)")
	return v.Err()
}

// BillingService is the billing plan catalogue. Everyone who reads billing data reads it;
// only admins and services granted writes change it (see Principal.Can, ResPlan).
type BillingService interface {
	BillingPlans(ctx context.Context) ([]*BillingPlan, error)
	BillingPlan(ctx context.Context, id int64) (*BillingPlan, error)
	// BillingPlanByName returns the plan with a name and term (case-insensitive).
	BillingPlanByName(ctx context.Context, name, term string) (*BillingPlan, error)
	CreateBillingPlan(ctx context.Context, p *BillingPlan) error
	// ReplaceBillingPlan writes every field of plan id from p.
	ReplaceBillingPlan(ctx context.Context, id int64, p *BillingPlan) (*BillingPlan, error)
	// ImportBillingPlans adds or replaces (by plan name and term) every plan given, in one
	// transaction: all of them or none.
	ImportBillingPlans(ctx context.Context, plans []*BillingPlan) (created, replaced int, err error)
	FeatureOptions(ctx context.Context) ([]*FeatureOption, error)
	CreateFeatureOption(ctx context.Context, f *FeatureOption) error
}
