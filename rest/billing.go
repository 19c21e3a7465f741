package rest

import (
	"net/http"
	"reflect"
	"slices"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/hivematrix/codex/codex"
)

// The billing plan catalogue: Codex's /api paths (Brainhair's tools), and the paths the
// platform's Ledger reads under /billing-plans/api (see BillingPlans).

func (a *API) billingRoutes() []route {
	plan := reflect.TypeFor[*codex.BillingPlan]()
	return []route{
		{method: http.MethodGet, pattern: "/billing-plans", tag: "billing",
			summary: "The billing plan catalogue, by plan and term (JSON, or CSV with format=csv)",
			params:  []param{formatParam}, result: plan, list: true, status: http.StatusOK,
			handler: func(w http.ResponseWriter, r *http.Request) {
				rows, err := a.svc.Billing.BillingPlans(r.Context())
				if err != nil {
					a.problem(w, r, err)
					return
				}
				writeRows(a, w, r, "billing_plans", rows)
			}},
		{method: http.MethodPost, pattern: "/billing-plans", tag: "billing",
			summary: "Add a plan and term to the catalogue (admins and write-granted services)",
			body:    plan, result: plan, status: http.StatusCreated, handler: a.createPlan},
		{method: http.MethodPut, pattern: "/billing-plans/{id}", tag: "billing",
			summary: "Replace a plan: absent fields are reset (admins and write-granted services)",
			body:    plan, result: plan, status: http.StatusOK, handler: a.replacePlan},
		{method: http.MethodGet, pattern: "/feature-options", tag: "billing",
			summary: "The options of the plans' features", result: reflect.TypeFor[*codex.FeatureOption](), list: true,
			params: []param{formatParam}, status: http.StatusOK,
			handler: func(w http.ResponseWriter, r *http.Request) {
				rows, err := a.svc.Billing.FeatureOptions(r.Context())
				if err != nil {
					a.problem(w, r, err)
					return
				}
				writeRows(a, w, r, "feature_options", rows)
			}},
		{method: http.MethodPost, pattern: "/feature-options", tag: "billing",
			summary: "Add a feature option (admins and write-granted services)",
			body:    reflect.TypeFor[*codex.FeatureOption](), result: reflect.TypeFor[*codex.FeatureOption](),
			status: http.StatusCreated, handler: a.createFeature},
	}
}

// decodePlan reads a plan body; id and timestamps are not the caller's to set.
func decodePlan(w http.ResponseWriter, r *http.Request) (*codex.BillingPlan, error) {
	body, err := readObject(w, r)
	if err != nil {
		return nil, err
	}
	for _, k := range []string{"id", "created_at", "updated_at"} {
		delete(body, k)
	}
	p := &codex.BillingPlan{}
	if err := applyJSON(body, p); err != nil {
		return nil, err
	}
	return p, nil
}

func (a *API) createPlan(w http.ResponseWriter, r *http.Request) {
	p, err := decodePlan(w, r)
	if err == nil {
		err = a.svc.Billing.CreateBillingPlan(r.Context(), p)
	}
	if err != nil {
		a.problem(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, p)
}

func (a *API) replacePlan(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var p, out *codex.BillingPlan
	if err == nil {
		p, err = decodePlan(w, r)
	}
	if err == nil {
		out, err = a.svc.Billing.ReplaceBillingPlan(r.Context(), id, p)
	}
	if err != nil {
		a.problem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) createFeature(w http.ResponseWriter, r *http.Request) {
	body, err := readObject(w, r)
	f := &codex.FeatureOption{}
	if err == nil {
		delete(body, "id")
		err = applyJSON(body, f)
	}
	if err == nil {
		err = a.svc.Billing.CreateFeatureOption(r.Context(), f)
	}
	if err != nil {
		a.problem(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, f)
}

// BillingPlans returns the router the server mounts, behind the auth middleware, at
// /billing-plans/api: the paths the platform's Ledger reads the catalogue from.
//
//	GET /plans                      {plans: [plan, ...]}
//	GET /plans/{name}/{term}        {plan: plan}  (404 when the catalogue has no such plan)
//	GET /feature-options            {features: {feature type: [option, ...]}}
//	GET /feature-categories         {categories: [feature type, ...]}
func (a *API) BillingPlans() http.Handler {
	r := chi.NewRouter()
	r.NotFound(a.notFound)
	r.Get("/plans", func(w http.ResponseWriter, r *http.Request) {
		rows, err := a.svc.Billing.BillingPlans(r.Context())
		if err != nil {
			a.problem(w, r, err)
			return
		}
		if rows == nil {
			rows = []*codex.BillingPlan{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"plans": rows})
	})
	r.Get("/plans/{name}/{term}", func(w http.ResponseWriter, r *http.Request) {
		p, err := a.svc.Billing.BillingPlanByName(r.Context(), chi.URLParam(r, "name"), chi.URLParam(r, "term"))
		if err != nil {
			a.problem(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"plan": p})
	})
	r.Get("/feature-options", func(w http.ResponseWriter, r *http.Request) {
		rows, err := a.svc.Billing.FeatureOptions(r.Context())
		if err != nil {
			a.problem(w, r, err)
			return
		}
		// Ledger reads the options grouped by category (feature type).
		byType := map[string][]*codex.FeatureOption{}
		for _, f := range rows {
			byType[f.FeatureType] = append(byType[f.FeatureType], f)
		}
		writeJSON(w, http.StatusOK, map[string]any{"features": byType})
	})
	r.Get("/feature-categories", func(w http.ResponseWriter, r *http.Request) {
		rows, err := a.svc.Billing.FeatureOptions(r.Context())
		if err != nil {
			a.problem(w, r, err)
			return
		}
		cats := []string{}
		for _, f := range rows {
			if !slices.Contains(cats, f.FeatureType) {
				cats = append(cats, f.FeatureType)
			}
		}
		w.Header().Set("X-Total-Count", strconv.Itoa(len(cats)))
		writeJSON(w, http.StatusOK, map[string]any{"categories": cats})
	})
	return r
}
