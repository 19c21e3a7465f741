package rest

import (
	"context"
	"net/http"
	"reflect"

	"github.com/hivematrix/codex/codex"
)

var triageParams = []filterParam[codex.TriageFilter]{
	textParam("source", "Items of this integration (freshservice, datto).", func(f *codex.TriageFilter) *string { return &f.Source }),
	textParam("entity", "Items of this entity (contact, asset, ticket).", func(f *codex.TriageFilter) *string { return &f.Entity }),
	textParam("reason", "unassigned (no company found) or ambiguous (matched more than one asset).", func(f *codex.TriageFilter) *string { return &f.Reason }),
}

// accountNumberRuns is the answer of POST /sync/account-numbers.
type accountNumberRuns struct {
	Runs []*codex.SyncRun `json:"runs"`
}

// triageRoutes are the triage list (upstream records the sync keeps without a company)
// and the admin actions on it; the policy gives them to admins only.
func (a *API) triageRoutes() []route {
	ts := a.svc.Triage
	page := func(ctx context.Context, f codex.TriageFilter, p codex.PageArgs) (*codex.Page[codex.TriageItem], error) {
		return ts.TriageItems(ctx, f, p)
	}
	l := list[codex.TriageFilter, codex.TriageItem, *codex.TriageItem]{
		name: "triage", params: triageParams, page: page,
		each: func(ctx context.Context, f codex.TriageFilter, fn func(*codex.TriageItem) error) error {
			n := 1000
			args := codex.PageArgs{First: &n}
			for {
				pg, err := page(ctx, f, args)
				if err != nil {
					return err
				}
				for _, it := range pg.Items {
					if err := fn(it); err != nil {
						return err
					}
				}
				if !pg.HasNextPage || len(pg.Cursors) == 0 {
					return nil
				}
				args.After = pg.Cursors[len(pg.Cursors)-1]
			}
		},
		view: func(t *codex.TriageItem) *codex.TriageItem { return t },
	}
	actions := func(w http.ResponseWriter, r *http.Request) (codex.SyncActions, bool) {
		sa, ok := a.sync.(codex.SyncActions)
		if !ok {
			a.problem(w, r, codex.Errorf(codex.Unavailable, "no integration is configured"))
		}
		return sa, ok
	}
	return []route{
		listRoute(a, l, "/triage", "List the upstream records kept without a company or held for an ambiguous match (admins)", "sync"),
		{method: http.MethodPost, pattern: "/triage/{id}/assign", op: "assignTriageItem", tag: "sync",
			summary: "Assign a triage item to a company (a contact brings its held tickets and assets), or an ambiguous asset to one of its candidates (admins)",
			body:    reflect.TypeFor[codex.TriageAssignment](), result: reflect.TypeFor[*codex.TriageOutcome](), status: http.StatusOK,
			handler: func(w http.ResponseWriter, r *http.Request) {
				id, err := pathID(r)
				if err != nil {
					a.problem(w, r, err)
					return
				}
				body, err := readObject(w, r)
				if err != nil {
					a.problem(w, r, err)
					return
				}
				var in codex.TriageAssignment
				if err := applyJSON(body, &in); err != nil {
					a.problem(w, r, err)
					return
				}
				sa, ok := actions(w, r)
				if !ok {
					return
				}
				var company, asset int64
				if in.CompanyID != nil {
					company = *in.CompanyID
				}
				if in.AssetID != nil {
					asset = *in.AssetID
				}
				out, err := sa.AssignTriage(r.Context(), id, company, asset)
				if err != nil {
					a.problem(w, r, err)
					return
				}
				writeJSON(w, http.StatusOK, out)
			}},
		{method: http.MethodPost, pattern: "/sync/account-numbers", op: "startAccountNumbering", tag: "sync",
			summary: "Number the client companies without an account number and push the numbers to every source, now (admins)",
			result:  reflect.TypeFor[accountNumberRuns](), status: http.StatusOK,
			handler: func(w http.ResponseWriter, r *http.Request) {
				sa, ok := actions(w, r)
				if !ok {
					return
				}
				p, err := principal(r.Context())
				if err != nil {
					a.problem(w, r, err)
					return
				}
				runs, err := sa.AccountNumbers(r.Context(), p.Actor())
				if err != nil {
					a.problem(w, r, err)
					return
				}
				writeJSON(w, http.StatusOK, accountNumberRuns{Runs: runs})
			}},
	}
}
