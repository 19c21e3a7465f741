package rest

import (
	"context"
	"net/http"
	"reflect"
	"strconv"

	"github.com/hivematrix/codex/codex"
)

// CompanyFilter parameters, named like the GraphQL filter's fields.
var companyParams = []filterParam[codex.CompanyFilter]{
	textParam("search", "Name, account number, description or a domain contains this text.",
		func(f *codex.CompanyFilter) *string { return &f.Search }),
	idParam("parent_id", "Only the direct children of this company.",
		func(f *codex.CompanyFilter) **int64 { return &f.ParentID }),
	flagParam("roots_only", "Only companies without a parent.",
		func(f *codex.CompanyFilter) *bool { return &f.RootsOnly }),
	idParam("subtree_of", "This company and all its descendants.",
		func(f *codex.CompanyFilter) **int64 { return &f.SubtreeOf }),
	enumParam("kind", "Company kinds.", []codex.CompanyKind{codex.KindClient, codex.KindVendor, codex.KindInternal},
		func(f *codex.CompanyFilter) *[]codex.CompanyKind { return &f.Kind }),
	enumParam("status", "Company statuses.", []codex.CompanyStatus{codex.StatusActive, codex.StatusInactive},
		func(f *codex.CompanyFilter) *[]codex.CompanyStatus { return &f.Status }),
	enumParam("compliance_level", "Compliance levels.", complianceLevels,
		func(f *codex.CompanyFilter) *[]codex.ComplianceLevel { return &f.ComplianceLevel }),
	textParam("account_number", "Exactly this account number.",
		func(f *codex.CompanyFilter) *string { return &f.AccountNumber }),
	flagParam("include_archived", "Include archived companies.",
		func(f *codex.CompanyFilter) *bool { return &f.IncludeArchived }),
	flagParam("only_archived", "Only archived companies.",
		func(f *codex.CompanyFilter) *bool { return &f.OnlyArchived }),
	orderParam(codex.CompanyOrders, func(f *codex.CompanyFilter) *codex.Order { return &f.Order }),
}

var complianceLevels = []codex.ComplianceLevel{codex.ComplianceStandard, codex.ComplianceHIPAA, codex.ComplianceCJIS}

func (a *API) companies() list[codex.CompanyFilter, codex.Company, *codex.Company] {
	return list[codex.CompanyFilter, codex.Company, *codex.Company]{
		name: "companies", params: companyParams,
		page: a.svc.Companies.Companies, each: a.svc.Companies.EachCompany,
		view: func(c *codex.Company) *codex.Company { return c },
	}
}

func (a *API) companyRoutes() []route {
	cs := a.svc.Companies
	e := entity[codex.Company, codex.CompanyPatch, *codex.Company]{
		noun: "company", get: cs.Company, create: cs.CreateCompany, update: cs.UpdateCompany,
		archive: cs.ArchiveCompany, restore: cs.RestoreCompany,
		blank:  func() *codex.Company { return &codex.Company{} },
		decode: decodeRow[codex.Company],
		save:   a.saveCompany,
		view:   func(c *codex.Company) *codex.Company { return c },
		id:     func(c *codex.Company) int64 { return c.ID },
	}
	children := a.companies()
	children.name = "children"
	children.params = without(companyParams, "parent_id", "roots_only")
	children.scope = func(r *http.Request, f *codex.CompanyFilter) error {
		id, err := a.companyInPath(r)
		f.ParentID = &id
		return err
	}
	rts := []route{listRoute(a, a.companies(), "/companies", "List companies", "companies")}
	rts = append(rts, entityRoutes(a, e, "/companies", "companies")...)
	rts = append(rts,
		listRoute(a, children, "/companies/{id}/children", "List a company's direct children", "companies"),
		rowsRoute(a, "/companies/{id}/locations", "List a company's locations", "companies", "locations",
			func(ctx context.Context, id int64) ([]*codex.Location, error) {
				rows, err := cs.LocationsByCompanies(ctx, []int64{id})
				return first(rows), err
			}),
		route{method: http.MethodGet, pattern: "/companies/{id}/effective_settings", tag: "companies",
			summary: "A company's settings merged with those of its ancestors (the nearest wins)",
			result:  reflect.TypeFor[map[string]string](), status: http.StatusOK,
			handler: func(w http.ResponseWriter, r *http.Request) {
				id, err := pathID(r)
				var s map[string]string
				if err == nil {
					s, err = cs.EffectiveSettings(r.Context(), id)
				}
				if err != nil {
					a.problem(w, r, err)
					return
				}
				if s == nil {
					s = map[string]string{}
				}
				writeJSON(w, http.StatusOK, s)
			}},
	)
	return rts
}

// saveCompany writes a company change. The parent changes through MoveCompany (a
// separate store call that checks for cycles), so a request changing both the parent and
// other fields makes two writes. To keep "a failed request changes nothing", the move is
// checked first without writing (the new parent exists and is not below the company),
// the fields are written next (where conflicts and field rights fail), and the move last;
// should the move still fail, the fields are written back.
func (a *API) saveCompany(ctx context.Context, cur, want *codex.Company, version string) (*codex.Company, error) {
	cs := a.svc.Companies
	var p codex.CompanyPatch
	changed := diffPatch(cur, want, &p)
	p.ExpectedVersion = version
	moved := !same(reflect.ValueOf(cur.ParentID), reflect.ValueOf(want.ParentID))
	if moved && want.ParentID != nil {
		if err := a.checkMove(ctx, cur.ID, *want.ParentID); err != nil {
			return nil, err
		}
	}
	saved := cur
	if changed {
		var err error
		if saved, err = cs.UpdateCompany(ctx, cur.ID, p); err != nil {
			return nil, err
		}
	}
	if !moved {
		return saved, nil
	}
	c, err := cs.MoveCompany(ctx, cur.ID, want.ParentID)
	if err != nil && changed {
		var back codex.CompanyPatch
		if diffPatch(saved, cur, &back) {
			if _, uerr := cs.UpdateCompany(ctx, cur.ID, back); uerr != nil {
				a.log.ErrorContext(ctx, "rest: could not undo a company update after a failed move",
					"request_id", codex.RequestIDFrom(ctx), "company_id", cur.ID, "err", uerr)
			}
		}
	}
	return c, err
}

// checkMove reports, without writing, why company id could not move under parent.
func (a *API) checkMove(ctx context.Context, id, parent int64) error {
	bad := func(msg string) error {
		return &codex.Error{Code: codex.Invalid, Message: "invalid input", Fields: map[string]string{"parent_id": msg}}
	}
	if _, err := a.svc.Companies.Company(ctx, parent); err != nil {
		if codex.IsNotFound(err) {
			return bad("no such company")
		}
		return err
	}
	above, err := a.svc.Companies.Ancestors(ctx, parent)
	if err != nil {
		return err
	}
	for _, c := range above {
		if c.ID == id {
			return bad("the new parent is below this company: the move would make a cycle")
		}
	}
	return nil
}

// without returns params minus the named ones (those a nested route's path sets).
func without[F any](params []filterParam[F], names ...string) []filterParam[F] {
	var out []filterParam[F]
outer:
	for _, p := range params {
		for _, n := range names {
			if p.name == n {
				continue outer
			}
		}
		out = append(out, p)
	}
	return out
}

func first[T any](rows [][]T) []T {
	if len(rows) == 0 {
		return nil
	}
	return rows[0]
}

// rowsRoute is a small, unpaged list under a company (locations, subnets, duplicate IPs),
// with the same JSON/CSV choice as the big lists.
func rowsRoute[R any](a *API, pattern, summary, tag, name string, load func(ctx context.Context, companyID int64) ([]R, error)) route {
	return route{method: http.MethodGet, pattern: pattern, summary: summary, tag: tag,
		params: csvParams, result: reflect.TypeFor[R](), list: true, status: http.StatusOK,
		handler: func(w http.ResponseWriter, r *http.Request) {
			id, err := a.companyInPath(r)
			var rows []R
			if err == nil {
				rows, err = load(r.Context(), id)
			}
			if err != nil {
				a.problem(w, r, err)
				return
			}
			writeRows(a, w, r, name, rows)
		}}
}

// writeRows answers a loaded list as JSON or CSV.
func writeRows[R any](a *API, w http.ResponseWriter, r *http.Request, name string, rows []R) {
	csv, err := wantsCSV(r)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	if csv {
		streamCSV(a, w, r, name, func(emit func(R) error) error {
			for _, row := range rows {
				if err := emit(row); err != nil {
					return err
				}
			}
			return nil
		})
		return
	}
	if rows == nil {
		rows = []R{}
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(len(rows)))
	writeJSON(w, http.StatusOK, rows)
}
