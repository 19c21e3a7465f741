package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/hivematrix/codex/codex"
)

// planMoney are the catalogue's price columns, in the order the table and the form show
// them: the plan's JSON name (also the form field and the validation's field key) and a
// label.
var planMoney = []struct{ Name, Label string }{
	{"per_user_cost", "Per user"},
	{"per_workstation_cost", "Per workstation"},
	{"per_server_cost", "Per server"},
	{"per_vm_cost", "Per VM"},
	{"per_switch_cost", "Per switch"},
	{"per_firewall_cost", "Per firewall"},
	{"per_hour_ticket_cost", "Per ticket hour"},
	{"backup_base_fee_workstation", "Backup base (workstation)"},
	{"backup_base_fee_server", "Backup base (server)"},
	{"backup_base_fee_tb", "Backup base (TB)"},
	{"backup_included_tb", "Backup included TB"},
	{"backup_per_tb_fee", "Backup per extra TB"},
}

// planPrices returns pointers to a plan's price fields by their JSON names.
func planPrices(p *codex.BillingPlan) map[string]*float64 {
	return map[string]*float64{
		"per_user_cost": &p.PerUserCost, "per_workstation_cost": &p.PerWorkstationCost,
		"per_server_cost": &p.PerServerCost, "per_vm_cost": &p.PerVMCost, "per_switch_cost": &p.PerSwitchCost,
		"per_firewall_cost": &p.PerFirewallCost, "per_hour_ticket_cost": &p.PerHourTicketCost,
		"backup_base_fee_workstation": &p.BackupBaseFeeWorkstation, "backup_base_fee_server": &p.BackupBaseFeeServer,
		"backup_base_fee_tb": &p.BackupBaseFeeTB, "backup_included_tb": &p.BackupIncludedTB, "backup_per_tb_fee": &p.BackupPerTBFee,
	}
}

// planRow is one plan of the table, its prices in planMoney's order.
type planRow struct {
	Plan   *codex.BillingPlan
	Prices []string
}

type planListData struct {
	Rows     []planRow
	Columns  []string
	CanWrite bool
}

// canWritePlans reports whether the page's principal may change the catalogue (to show
// the add and edit links; the policy layer decides on the write itself).
func canWritePlans(ctx context.Context) bool {
	return codex.PrincipalFrom(ctx).Can(codex.Write, codex.ResPlan)
}

// planList serves /billing: the catalogue by plan and term with the price columns. The
// policy refuses it to client users (403).
func (u *UI) planList(w http.ResponseWriter, r *http.Request) {
	plans, err := u.svc.Billing.BillingPlans(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d := planListData{CanWrite: canWritePlans(r.Context())}
	for _, c := range planMoney {
		d.Columns = append(d.Columns, c.Label)
	}
	for _, p := range plans {
		row := planRow{Plan: p}
		prices := planPrices(p)
		for _, c := range planMoney {
			row.Prices = append(row.Prices, money(*prices[c.Name]))
		}
		d.Rows = append(d.Rows, row)
	}
	u.render(w, r, http.StatusOK, "billing", "Billing plans", "billing", d)
}

// money formats a price without trailing zeros ("12.5", "0").
func money(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

type planFormData struct {
	Form   *form
	Plan   *codex.BillingPlan
	Prices []field
}

func (u *UI) planForm(f *form, p *codex.BillingPlan) planFormData {
	d := planFormData{Form: f, Plan: p}
	for _, c := range planMoney {
		d.Prices = append(d.Prices, field{F: f, Name: c.Name, Label: c.Label, Type: "text"})
	}
	return d
}

func planValues(f *form, p *codex.BillingPlan) {
	v := f.Values
	v.Set("plan_name", p.PlanName)
	v.Set("term_length", p.TermLength)
	v.Set("support_level", p.SupportLevel)
	prices := planPrices(p)
	for _, c := range planMoney {
		v.Set(c.Name, money(*prices[c.Name]))
	}
	v.Set("features", fmtKV(p.Features))
}

// planFromForm reads a submitted plan; fields that do not parse are marked on the form.
func planFromForm(f *form) *codex.BillingPlan {
	p := &codex.BillingPlan{PlanName: f.Get("plan_name"), TermLength: f.Get("term_length"), SupportLevel: f.Get("support_level")}
	prices := planPrices(p)
	for _, c := range planMoney {
		s := strings.TrimSpace(f.Get(c.Name))
		if s == "" {
			continue
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			f.Errors[c.Name] = "must be a number"
			continue
		}
		*prices[c.Name] = x
	}
	p.Features = f.kvs("features")
	return p
}

// planNew is the empty add form; the policy refuses a non-admin's save, not the form.
func (u *UI) planNew(w http.ResponseWriter, r *http.Request) {
	if !canWritePlans(r.Context()) {
		u.fail(w, r, codex.Errorf(codex.Forbidden, "only administrators change the billing plans"))
		return
	}
	u.render(w, r, http.StatusOK, "billingform", "Add billing plan", "billing", u.planForm(newForm(), nil))
}

func (u *UI) planCreate(w http.ResponseWriter, r *http.Request) {
	f := postedForm(r)
	p := planFromForm(f)
	if len(f.Errors) == 0 {
		if err := u.svc.Billing.CreateBillingPlan(r.Context(), p); err != nil {
			if codex.ErrorCode(err) == codex.Forbidden {
				u.fail(w, r, err)
				return
			}
			f.fail(err)
		}
	} else {
		f.Message = "Please correct the marked fields."
	}
	if len(f.Errors) > 0 || f.Message != "" {
		u.render(w, r, statusOfForm(f), "billingform", "Add billing plan", "billing", u.planForm(f, nil))
		return
	}
	redirect(w, r, "billing?flash=Plan+added.")
}

func (u *UI) planEdit(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r)
	var p *codex.BillingPlan
	if err == nil {
		p, err = u.svc.Billing.BillingPlan(r.Context(), id)
	}
	if err == nil && !canWritePlans(r.Context()) {
		err = codex.Errorf(codex.Forbidden, "only administrators change the billing plans")
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	f := newForm()
	planValues(f, p)
	u.render(w, r, http.StatusOK, "billingform", "Edit "+p.PlanName+" ("+p.TermLength+")", "billing", u.planForm(f, p))
}

// planUpdate replaces the plan with the form's fields (the form carries every field).
func (u *UI) planUpdate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := idParam(r)
	var cur *codex.BillingPlan
	if err == nil {
		cur, err = u.svc.Billing.BillingPlan(ctx, id)
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	f := postedForm(r)
	p := planFromForm(f)
	if len(f.Errors) == 0 {
		if _, err := u.svc.Billing.ReplaceBillingPlan(ctx, id, p); err != nil {
			if codex.ErrorCode(err) == codex.Forbidden {
				u.fail(w, r, err)
				return
			}
			f.fail(err)
		}
	} else {
		f.Message = "Please correct the marked fields."
	}
	if len(f.Errors) > 0 || f.Message != "" {
		u.render(w, r, statusOfForm(f), "billingform", "Edit "+cur.PlanName+" ("+cur.TermLength+")", "billing", u.planForm(f, cur))
		return
	}
	redirect(w, r, "billing?flash=Plan+saved.")
}
