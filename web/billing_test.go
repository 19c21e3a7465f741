package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// An admin adds a plan through the form, sees it in the table and the CSV export, and
// edits it; the domain validation's errors come back at their fields.
func TestBillingPlansAddEditExport(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, true)
		admin := f.token(codex.LevelAdmin, "")
		status, form, _ := f.get("/billing/new", admin)
		if status != http.StatusOK || !strings.Contains(form, `name="per_workstation_cost"`) {
			t.Fatalf("GET /billing/new = %d:\n%.2000s", status, form)
		}
		v := formValues(t, form)
		v.Set("plan_name", "Pro")
		v.Set("term_length", "1-Year")
		v.Set("support_level", "All Inclusive")
		v.Set("per_user_cost", "12.5")
		v.Set("per_server_cost", "125")
		v.Set("features", "antivirus=SentinelOne\nemail=Microsoft 365")
		status, body, h := f.post("/billing/new", admin, v)
		if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "../billing?") {
			t.Fatalf("POST /billing/new = %d, Location %q:\n%.2000s", status, h.Get("Location"), body)
		}
		p, err := f.svc.Billing.BillingPlanByName(f.sys, "pro", "1-year")
		if err != nil || p.PerUserCost != 12.5 || p.PerServerCost != 125 || p.SupportLevel != "All Inclusive" || p.Features["antivirus"] != "SentinelOne" {
			t.Fatalf("created plan = %+v, %v", p, err)
		}

		status, body, _ = f.get("/billing", admin)
		for _, want := range []string{"<td>Pro</td><td>1-Year</td>", `<td class="num">12.5</td>`, `href="billing/` + itoa(p.ID) + `/edit"`, `href="billing/export.csv"`, `href="billing/new"`, `aria-current="page">Billing`} {
			if status != http.StatusOK || !strings.Contains(body, want) {
				t.Errorf("GET /billing = %d, lacks %q:\n%.3000s", status, want, body)
			}
		}
		status, body, h = f.get("/billing/export.csv", admin)
		if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !strings.Contains(body, "plan_name") || !strings.Contains(body, "Pro,1-Year") {
			t.Errorf("billing CSV = %d %s:\n%.500s", status, h.Get("Content-Type"), body)
		}

		edit := "/billing/" + itoa(p.ID) + "/edit"
		_, form, _ = f.get(edit, admin)
		v = formValues(t, form)
		if v.Get("plan_name") != "Pro" || v.Get("per_server_cost") != "125" || !strings.Contains(v.Get("features"), "antivirus=SentinelOne") {
			t.Fatalf("edit form values: %v", v)
		}
		v.Set("per_user_cost", "14")
		if status, body, _ := f.post(edit, admin, v); status != http.StatusSeeOther {
			t.Fatalf("POST %s = %d:\n%.2000s", edit, status, body)
		}
		p2, _ := f.svc.Billing.BillingPlan(f.sys, p.ID)
		if p2.PerUserCost != 14 || p2.PerServerCost != 125 || p2.Features["email"] != "Microsoft 365" {
			t.Errorf("edited plan = %+v", p2)
		}

		// Bad input: a price that is no number, then the domain's own checks.
		v.Set("per_vm_cost", "lots")
		status, body, _ = f.post(edit, admin, v)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "must be a number") || !strings.Contains(body, `value="lots"`) {
			t.Errorf("POST unparsable price = %d:\n%.3000s", status, body)
		}
		v.Set("per_vm_cost", "1")
		v.Set("plan_name", " ")
		v.Set("per_switch_cost", "-5")
		status, body, _ = f.post(edit, admin, v)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "is required") || !strings.Contains(body, "must be between 0 and 999999999") ||
			!strings.Contains(body, `aria-describedby="e-per_switch_cost"`) || !strings.Contains(body, `aria-describedby="e-plan_name"`) {
			t.Errorf("POST invalid plan = %d:\n%.3000s", status, body)
		}
		if p3, _ := f.svc.Billing.BillingPlan(f.sys, p.ID); p3.PlanName != "Pro" || p3.PerVMCost != 0 || p3.PerSwitchCost != 0 {
			t.Errorf("a refused edit changed the plan: %+v", p3)
		}
		v = url.Values{"csrf": {match(t, csrfRe, form)}, "plan_name": {""}, "term_length": {""}}
		status, body, _ = f.post("/billing/new", admin, v)
		if status != http.StatusUnprocessableEntity || strings.Count(body, "is required") != 2 {
			t.Errorf("POST empty plan = %d:\n%.3000s", status, body)
		}
		if all, _ := f.svc.Billing.BillingPlans(f.sys); len(all) != 1 {
			t.Errorf("catalogue has %d plans; want 1", len(all))
		}
	})
}

// Staff read the catalogue; only admins change it; client users are refused it, as the
// policy refuses them; a form without the page's CSRF token is refused.
func TestBillingPlansAccess(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, true)
		plan := &codex.BillingPlan{PlanName: "Basic", TermLength: "Month to Month", PerUserCost: 9}
		if err := f.svc.Billing.CreateBillingPlan(f.sys, plan); err != nil {
			t.Fatal(err)
		}
		tech, billing, client := f.token(codex.LevelTechnician, ""), f.token(codex.LevelBilling, ""), f.token(codex.LevelClient, "ACC-1001")
		for name, tok := range map[string]string{"technician": tech, "billing": billing} {
			status, body, _ := f.get("/billing", tok)
			if status != http.StatusOK || !strings.Contains(body, "<td>Basic</td>") || strings.Contains(body, "billing/new") || strings.Contains(body, "/edit") {
				t.Errorf("%s GET /billing = %d (want the read-only table):\n%.2000s", name, status, body)
			}
			for _, p := range []string{"/billing/new", "/billing/" + itoa(plan.ID) + "/edit"} {
				if status, _, _ := f.get(p, tok); status != http.StatusForbidden {
					t.Errorf("%s GET %s = %d; want 403", name, p, status)
				}
			}
		}
		// A technician's forged save is the policy's to refuse.
		v := url.Values{"csrf": {f.mintCSRFOf(codex.LevelTechnician)}, "plan_name": {"Basic"}, "term_length": {"Month to Month"}, "per_user_cost": {"0"}}
		if status, _, _ := f.post("/billing/"+itoa(plan.ID)+"/edit", tech, v); status != http.StatusForbidden {
			t.Errorf("technician POST edit = %d; want 403", status)
		}
		if status, _, _ := f.post("/billing/new", tech, v); status != http.StatusForbidden {
			t.Errorf("technician POST new = %d; want 403", status)
		}
		status, body, _ := f.get("/billing", client)
		if status != http.StatusForbidden {
			t.Errorf("client GET /billing = %d; want 403", status)
		}
		if strings.Contains(body, `href="billing"`) {
			t.Errorf("the client's navigation offers the billing plans")
		}
		if status, _, _ := f.get("/billing/export.csv", client); status != http.StatusForbidden {
			t.Errorf("client GET /billing/export.csv = %d; want 403", status)
		}
		// CSRF: no token, a forged one, another principal's.
		admin := f.token(codex.LevelAdmin, "")
		for _, tok := range []string{"", "forged", f.mintCSRFOf(codex.LevelTechnician)} {
			v := url.Values{"plan_name": {"Basic"}, "term_length": {"Month to Month"}, "per_user_cost": {"1"}}
			if tok != "" {
				v.Set("csrf", tok)
			}
			if status, _, _ := f.post("/billing/"+itoa(plan.ID)+"/edit", admin, v); status != http.StatusForbidden {
				t.Errorf("admin POST edit with csrf %q = %d; want 403", tok, status)
			}
		}
		if p, _ := f.svc.Billing.BillingPlan(f.sys, plan.ID); p.PerUserCost != 9 {
			t.Errorf("a refused form changed the plan: %+v", p)
		}
	})
}
