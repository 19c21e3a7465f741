package rest

import (
	"context"
	"strconv"
	"strings"

	"github.com/hivematrix/codex/codex"
)

// companyByRef resolves a company reference as the platform's services send it, in a path
// segment or in a company_id parameter: an account number first, the platform's key for
// companies; "id:N" always means the database id N; a bare number that is no company's
// account number is read as a database id, Codex's own documented form. A reference never
// resolves to a company the caller may not see (the services' policy answers not found).
func (a *API) companyByRef(ctx context.Context, ref string) (*codex.Company, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, codex.Errorf(codex.NotFound, "no company %q", ref)
	}
	if s, ok := strings.CutPrefix(ref, "id:"); ok {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return nil, codex.Errorf(codex.NotFound, "no company %q", ref)
		}
		return a.svc.Companies.Company(ctx, id)
	}
	c, err := a.svc.Companies.CompanyByAccountNumber(ctx, ref)
	if err == nil || codex.ErrorCode(err) != codex.NotFound {
		return c, err
	}
	id, perr := strconv.ParseInt(ref, 10, 64)
	if perr != nil || id <= 0 {
		return nil, err
	}
	return a.svc.Companies.Company(ctx, id)
}
