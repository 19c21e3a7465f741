package rest

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

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
			params:  csvParams, result: plan, list: true, status: http.StatusOK,
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
		{method: http.MethodPost, pattern: "/billing-plans/import", op: "importBillingPlans", tag: "billing",
			summary: "Import the catalogue from CSV (the export's columns; id and timestamps ignored): each plan and term is added or replaced, all rows or none",
			result:  reflect.TypeFor[PlanImport](), status: http.StatusOK, handler: a.importPlans},
		{method: http.MethodGet, pattern: "/feature-options", tag: "billing",
			summary: "The options of the plans' features", result: reflect.TypeFor[*codex.FeatureOption](), list: true,
			params: csvParams, status: http.StatusOK,
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

// PlanImport is the answer of a catalogue import.
type PlanImport struct {
	Created  int `json:"created"`
	Replaced int `json:"replaced"`
}

// importPlans reads a CSV body with a header row of the plan's JSON names (as the export
// writes them); the features column holds a JSON object.
func (a *API) importPlans(w http.ResponseWriter, r *http.Request) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "text/csv" {
		a.problem(w, r, httpError(http.StatusUnsupportedMediaType, "unsupported_media_type",
			"the catalogue is imported as Content-Type: text/csv"))
		return
	}
	cr := csv.NewReader(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	records, err := cr.ReadAll()
	if err != nil || len(records) < 1 {
		a.problem(w, r, badRequest("invalid_csv", "the body is not CSV with a header row", nil))
		return
	}
	header := records[0]
	fields := jsonFieldTypes(reflect.TypeFor[codex.BillingPlan]())
	var plans []*codex.BillingPlan
	for n, rec := range records[1:] {
		body := map[string]json.RawMessage{}
		for i, name := range header {
			if i >= len(rec) || name == "id" || name == "created_at" || name == "updated_at" {
				continue
			}
			t, ok := fields[name]
			if !ok {
				a.problem(w, r, badRequest("invalid_csv", "unknown column "+strconv.Quote(name), map[string]string{name: "unknown column"}))
				return
			}
			v := strings.TrimSpace(rec[i])
			switch t.Kind() {
			case reflect.Float64:
				if v == "" {
					v = "0"
				}
				if _, err := strconv.ParseFloat(v, 64); err != nil {
					a.problem(w, r, badRequest("invalid_csv", fmt.Sprintf("row %d: %s is not a number", n+2, name), map[string]string{name: "not a number"}))
					return
				}
				body[name] = json.RawMessage(v)
			case reflect.Map:
				if v == "" {
					v = "{}"
				}
				body[name] = json.RawMessage(v)
			default:
				b, _ := json.Marshal(v)
				body[name] = b
			}
		}
		p := &codex.BillingPlan{}
		if err := applyJSON(body, p); err != nil {
			a.problem(w, r, err)
			return
		}
		plans = append(plans, p)
	}
	created, replaced, err := a.svc.Billing.ImportBillingPlans(r.Context(), plans)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, PlanImport{Created: created, Replaced: replaced})
}

// jsonFieldTypes maps the JSON names of a struct's fields to their types.
func jsonFieldTypes(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out[name] = f.Type
		}
	}
	return out
}
