package rest

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/hivematrix/codex/codex"
)

// refKind says how a company reference was read.
type refKind int

const (
	// refID is Codex's own form: a database id ("id:N", or a bare number that is no
	// company's account number).
	refID refKind = iota
	// refAccount is the platform's form: an account number.
	refAccount
)

// companyByRef resolves a company reference as the platform's services send it, in a path
// segment or in a company_id parameter. The rule (README "Companies by account number"):
//
//  1. "id:N" always means the database id N.
//  2. Otherwise the reference is an account number when any company has it, whether or
//     not the caller may see that company: an account number the caller may not see is
//     a 404, never a fall back to another company whose id happens to be the same digits.
//  3. Otherwise a bare positive number is a database id, Codex's documented form.
//
// A reference never resolves to a company the caller may not see (the services' policy
// answers not found). The kind tells the caller which form matched, so a route can answer
// the platform's shape to the platform's form.
func (a *API) companyByRef(ctx context.Context, ref string) (*codex.Company, refKind, error) {
	ref = strings.TrimSpace(ref)
	notFound := codex.Errorf(codex.NotFound, "no company %q", ref)
	if ref == "" {
		return nil, refID, notFound
	}
	if s, ok := strings.CutPrefix(ref, "id:"); ok {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return nil, refID, notFound
		}
		c, err := a.svc.Companies.Company(ctx, id)
		return c, refID, err
	}
	c, err := a.svc.Companies.CompanyByAccountNumber(ctx, ref)
	if err == nil || codex.ErrorCode(err) != codex.NotFound {
		return c, refAccount, err
	}
	// Is it an account number of a company the caller may not see? Asked as the system,
	// and answered only as "not found", so nothing about that company leaks.
	sys := codex.WithPrincipal(ctx, codex.SystemPrincipal("company-ref"))
	if _, serr := a.svc.Companies.CompanyByAccountNumber(sys, ref); serr == nil {
		return nil, refAccount, notFound
	} else if codex.ErrorCode(serr) != codex.NotFound {
		return nil, refAccount, serr
	}
	id, perr := strconv.ParseInt(ref, 10, 64)
	if perr != nil || id <= 0 {
		return nil, refAccount, notFound
	}
	c, err = a.svc.Companies.Company(ctx, id)
	return c, refID, err
}

// companyInPath resolves the {id} segment of a company route by companyByRef and returns
// the company's id after checking it is visible.
func (a *API) companyInPath(r *http.Request) (int64, error) {
	c, _, err := a.companyByRef(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		return 0, err
	}
	return c.ID, nil
}
