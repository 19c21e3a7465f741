package policy

import (
	"context"
	"maps"
	"slices"

	"github.com/hivematrix/codex/codex"
)

func (s *service) Company(ctx context.Context, id int64) (*codex.Company, error) {
	p, sc, err := s.readScope(ctx, codex.ResCompany)
	if err != nil {
		return nil, err
	}
	if !inScope(sc, id) {
		return nil, notFound("company", id)
	}
	c, err := s.in.Companies.Company(ctx, id)
	if err != nil {
		return nil, err
	}
	return c, s.redactCompanies(ctx, p, c)
}

func (s *service) CompaniesByIDs(ctx context.Context, ids []int64) ([]*codex.Company, []error) {
	p, sc, err := s.readScope(ctx, codex.ResCompany)
	if err != nil {
		return nil, repeat(err, len(ids))
	}
	cs, errs := s.in.Companies.CompaniesByIDs(ctx, visibleKeys(sc, ids))
	for i, id := range ids {
		if !inScope(sc, id) {
			if errs == nil {
				errs = make([]error, len(ids))
			}
			cs[i], errs[i] = nil, notFound("company", id)
		}
	}
	if err := s.redactCompanies(ctx, p, cs...); err != nil {
		return nil, repeat(err, len(ids))
	}
	return cs, errs
}

func repeat(err error, n int) []error {
	errs := make([]error, n)
	for i := range errs {
		errs[i] = err
	}
	return errs
}

func (s *service) CompanyByAccountNumber(ctx context.Context, accountNumber string) (*codex.Company, error) {
	p, sc, err := s.readScope(ctx, codex.ResCompany)
	if err != nil {
		return nil, err
	}
	c, err := s.in.Companies.CompanyByAccountNumber(ctx, accountNumber)
	if err != nil {
		return nil, err
	}
	if !inScope(sc, c.ID) {
		return nil, codex.Errorf(codex.NotFound, "no company has account number %q", accountNumber)
	}
	return c, s.redactCompanies(ctx, p, c)
}

func (s *service) Companies(ctx context.Context, f codex.CompanyFilter, pa codex.PageArgs) (*codex.Page[codex.Company], error) {
	p, sc, err := s.readScope(ctx, codex.ResCompany)
	if err != nil {
		return nil, err
	}
	f.Scope = narrow(f.Scope, sc)
	f.SearchSkipsDescription = p.MustRedact()
	page, err := s.in.Companies.Companies(ctx, f, pa)
	if err != nil {
		return nil, err
	}
	return page, s.redactCompanies(ctx, p, page.Items...)
}

func (s *service) EachCompany(ctx context.Context, f codex.CompanyFilter, fn func(*codex.Company) error) error {
	p, sc, err := s.readScope(ctx, codex.ResCompany)
	if err != nil {
		return err
	}
	f.Scope = narrow(f.Scope, sc)
	f.SearchSkipsDescription = p.MustRedact()
	return s.in.Companies.EachCompany(ctx, f, func(c *codex.Company) error {
		if err := s.redactCompanies(ctx, p, c); err != nil {
			return err
		}
		return fn(c)
	})
}

func (s *service) ChildrenByParents(ctx context.Context, parentIDs []int64, limit int, columns []string) ([][]*codex.Company, error) {
	p, sc, err := s.readScope(ctx, codex.ResCompany)
	if err != nil {
		return nil, err
	}
	groups, err := s.in.Companies.ChildrenByParents(ctx, visibleKeys(sc, parentIDs), limit, columns)
	if err != nil {
		return nil, err
	}
	return groups, s.redactCompanies(ctx, p, flatten(groups)...)
}

func (s *service) Ancestors(ctx context.Context, id int64) ([]*codex.Company, error) {
	p, sc, err := s.readScope(ctx, codex.ResCompany)
	if err != nil {
		return nil, err
	}
	if !inScope(sc, id) {
		return nil, notFound("company", id)
	}
	all, err := s.in.Companies.Ancestors(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []*codex.Company
	for _, c := range all {
		if !inScope(sc, c.ID) {
			break // a client's view of the tree ends at its own root
		}
		out = append(out, c)
	}
	return out, s.redactCompanies(ctx, p, out...)
}

func (s *service) Descendants(ctx context.Context, id int64, maxDepth int) ([]*codex.Company, error) {
	p, sc, err := s.readScope(ctx, codex.ResCompany)
	if err != nil {
		return nil, err
	}
	if !inScope(sc, id) {
		return nil, notFound("company", id)
	}
	cs, err := s.in.Companies.Descendants(ctx, id, maxDepth)
	if err != nil {
		return nil, err
	}
	return cs, s.redactCompanies(ctx, p, cs...)
}

func (s *service) EffectiveSettings(ctx context.Context, id int64) (map[string]string, error) {
	_, sc, err := s.readScope(ctx, codex.ResCompany)
	if err != nil {
		return nil, err
	}
	if !inScope(sc, id) {
		return nil, notFound("company", id)
	}
	if sc == nil {
		return s.in.Companies.EffectiveSettings(ctx, id)
	}
	// One scope rule everywhere: a client sees nothing from above its subtree, so the
	// settings inherited from companies outside it are left out of the merge.
	c, err := s.in.Companies.Company(ctx, id)
	if err != nil {
		return nil, err
	}
	ancestors, err := s.in.Companies.Ancestors(ctx, id)
	if err != nil {
		return nil, err
	}
	merged := map[string]string{}
	for i := len(ancestors) - 1; i >= 0; i-- {
		if inScope(sc, ancestors[i].ID) {
			maps.Copy(merged, ancestors[i].Settings)
		}
	}
	maps.Copy(merged, c.Settings)
	return merged, nil
}

// companyFields are the columns a new company sets, for the field-level write check.
func companyFields(c *codex.Company) []string {
	fields := []string{"name"}
	if c.BillingPlan != "" {
		fields = append(fields, "billing_plan")
	}
	if c.ContractTerm != "" {
		fields = append(fields, "contract_term")
	}
	if c.ContractStart != nil {
		fields = append(fields, "contract_start")
	}
	if c.ContractEnd != nil {
		fields = append(fields, "contract_end")
	}
	if c.BillingContactID != nil {
		fields = append(fields, "billing_contact_id")
	}
	return fields
}

func writeCompanyFields(ctx context.Context, fields []string) error {
	p, err := principal(ctx)
	if err != nil {
		return err
	}
	if ok, field := p.CanWriteCompanyFields(fields); !ok {
		if slices.Contains(codex.BillingFields, field) {
			return codex.Errorf(codex.Forbidden, "you may not change the billing field %s", field)
		}
		return codex.Errorf(codex.Forbidden, "you may not change the company field %s", field)
	}
	return nil
}

func (s *service) CreateCompany(ctx context.Context, c *codex.Company) error {
	if err := writeCompanyFields(ctx, companyFields(c)); err != nil {
		return err
	}
	return s.in.Companies.CreateCompany(ctx, c)
}

func (s *service) UpdateCompany(ctx context.Context, id int64, patch codex.CompanyPatch) (*codex.Company, error) {
	cur, err := s.Company(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := writeCompanyFields(ctx, patch.Fields()); err != nil {
		return nil, err
	}
	if l := patch.ComplianceLevel; l != nil && l.Rank() < cur.ComplianceLevel.Rank() {
		if p, _ := principal(ctx); !p.MayLowerCompliance() {
			return nil, codex.Errorf(codex.Forbidden, "only an administrator may lower a company's compliance level (from %s to %s): it lifts the redaction of its data", cur.ComplianceLevel, *l)
		}
		// The level is compared again with the row the store locks, so a concurrent
		// raise is not lowered by a caller who saw the old level.
		if patch.ExpectedVersion == "" {
			patch.ExpectedVersion = cur.Version()
		}
	}
	return s.in.Companies.UpdateCompany(ctx, id, patch)
}

func (s *service) MoveCompany(ctx context.Context, id int64, parentID *int64) (*codex.Company, error) {
	if _, err := allow(ctx, codex.Write, codex.ResCompany); err != nil {
		return nil, err
	}
	return s.in.Companies.MoveCompany(ctx, id, parentID)
}

func (s *service) ArchiveCompany(ctx context.Context, id int64) (*codex.Company, error) {
	if _, err := allow(ctx, codex.Write, codex.ResCompany); err != nil {
		return nil, err
	}
	return s.in.Companies.ArchiveCompany(ctx, id)
}

func (s *service) RestoreCompany(ctx context.Context, id int64) (*codex.Company, error) {
	if _, err := allow(ctx, codex.Write, codex.ResCompany); err != nil {
		return nil, err
	}
	return s.in.Companies.RestoreCompany(ctx, id)
}

func (s *service) AssetCountsByType(ctx context.Context, companyIDs []int64) ([][]codex.TypeCount, error) {
	_, sc, err := s.readScope(ctx, codex.ResAsset)
	if err != nil {
		return nil, err
	}
	return s.in.Companies.AssetCountsByType(ctx, visibleKeys(sc, companyIDs))
}

func (s *service) OpenTicketCounts(ctx context.Context, companyIDs []int64) ([]int, error) {
	_, sc, err := s.readScope(ctx, codex.ResTicket)
	if err != nil {
		return nil, err
	}
	return s.in.Companies.OpenTicketCounts(ctx, visibleKeys(sc, companyIDs))
}

func (s *service) LocationsByCompanies(ctx context.Context, companyIDs []int64) ([][]*codex.Location, error) {
	_, sc, err := s.readScope(ctx, codex.ResLocation)
	if err != nil {
		return nil, err
	}
	return s.in.Companies.LocationsByCompanies(ctx, visibleKeys(sc, companyIDs))
}

func (s *service) Location(ctx context.Context, id int64) (*codex.Location, error) {
	_, sc, err := s.readScope(ctx, codex.ResLocation)
	if err != nil {
		return nil, err
	}
	l, err := s.in.Companies.Location(ctx, id)
	if err != nil {
		return nil, err
	}
	if !inScope(sc, l.CompanyID) {
		return nil, notFound("location", id)
	}
	return l, nil
}

func (s *service) CreateLocation(ctx context.Context, l *codex.Location) error {
	if _, err := allow(ctx, codex.Write, codex.ResLocation); err != nil {
		return err
	}
	return s.in.Companies.CreateLocation(ctx, l)
}

func (s *service) UpdateLocation(ctx context.Context, id int64, patch codex.LocationPatch) (*codex.Location, error) {
	if _, err := allow(ctx, codex.Write, codex.ResLocation); err != nil {
		return nil, err
	}
	return s.in.Companies.UpdateLocation(ctx, id, patch)
}

func (s *service) ArchiveLocation(ctx context.Context, id int64) (*codex.Location, error) {
	if _, err := allow(ctx, codex.Write, codex.ResLocation); err != nil {
		return nil, err
	}
	return s.in.Companies.ArchiveLocation(ctx, id)
}
