package policy

import (
	"context"

	"github.com/hivematrix/codex/codex"
)

// The contact scope rule, one for every read (get, batch loaders, lists, nested lists,
// CSV): a contact is visible to a caller when it serves, as its home company or by
// assignment, a company in the caller's scope. A contact whose home company is outside the
// scope is shown as seen from the first company in scope that it serves (lowest id): its
// designation, compliance level and redaction are that company's. Nothing else of the
// other company shows through it: company_id still names the home company, but reading
// that company answers 404 (GraphQL's Contact.company is null), and its companies list
// holds only the companies in scope (CompaniesOfContacts).

// scopeContacts applies the rule to cs in place and reports which are visible. It costs
// one statement per call, and only when some contact's home company is out of scope.
func (s *service) scopeContacts(ctx context.Context, sc []int64, cs []*codex.Contact) ([]bool, error) {
	ok := make([]bool, len(cs))
	var away []int64
	var at []int
	for i, c := range cs {
		switch {
		case c == nil:
		case inScope(sc, c.CompanyID):
			ok[i] = true
		default:
			away, at = append(away, c.ID), append(at, i)
		}
	}
	if len(away) == 0 {
		return ok, nil
	}
	groups, err := s.in.Contacts.CompaniesOfContacts(ctx, away)
	if err != nil {
		return nil, err
	}
	for j, g := range groups {
		i := at[j]
		var first *codex.ContactCompany
		for k := range g {
			if inScope(sc, g[k].CompanyID) && (first == nil || g[k].CompanyID < first.CompanyID) {
				first = &g[k]
			}
		}
		if first != nil {
			cs[i].Designation, cs[i].ForCompanyID = first.Designation, first.CompanyID
			ok[i] = true
		}
	}
	return ok, nil
}

// keepScoped returns the contacts of cs that the rule shows, adjusted.
func (s *service) keepScoped(ctx context.Context, sc []int64, cs []*codex.Contact) ([]*codex.Contact, error) {
	ok, err := s.scopeContacts(ctx, sc, cs)
	if err != nil {
		return nil, err
	}
	out := cs[:0:0]
	for i, c := range cs {
		if ok[i] {
			out = append(out, c)
		}
	}
	return out, nil
}

func (s *service) Contact(ctx context.Context, id int64) (*codex.Contact, error) {
	p, sc, err := s.readScope(ctx, codex.ResContact)
	if err != nil {
		return nil, err
	}
	c, err := s.in.Contacts.Contact(ctx, id)
	if err != nil {
		return nil, err
	}
	ok, err := s.scopeContacts(ctx, sc, []*codex.Contact{c})
	if err != nil {
		return nil, err
	}
	if !ok[0] {
		return nil, notFound("contact", id)
	}
	return c, s.redactContacts(ctx, p, true, c)
}

func (s *service) ContactsByIDs(ctx context.Context, ids []int64) ([]*codex.Contact, []error) {
	p, sc, err := s.readScope(ctx, codex.ResContact)
	if err != nil {
		return nil, repeat(err, len(ids))
	}
	cs, errs := s.in.Contacts.ContactsByIDs(ctx, ids)
	ok, err := s.scopeContacts(ctx, sc, cs)
	if err != nil {
		return nil, repeat(err, len(ids))
	}
	for i, c := range cs {
		if c != nil && !ok[i] {
			if errs == nil {
				errs = make([]error, len(ids))
			}
			cs[i], errs[i] = nil, notFound("contact", ids[i])
		}
	}
	if err := s.redactContacts(ctx, p, false, cs...); err != nil {
		return nil, repeat(err, len(ids))
	}
	return cs, errs
}

func (s *service) Contacts(ctx context.Context, f codex.ContactFilter, pa codex.PageArgs) (*codex.Page[codex.Contact], error) {
	p, sc, err := s.readScope(ctx, codex.ResContact)
	if err != nil {
		return nil, err
	}
	if err := checkContactQuery(p, &f); err != nil {
		return nil, err
	}
	f.Scope = narrow(f.Scope, sc)
	page, err := s.in.Contacts.Contacts(ctx, f, pa)
	if err != nil {
		return nil, err
	}
	// The store's scope filter is the rule's (a contact serving a company in scope), so
	// every row stays; this shows each as seen from a company in scope.
	if _, err := s.scopeContacts(ctx, sc, page.Items); err != nil {
		return nil, err
	}
	return page, s.redactContacts(ctx, p, true, page.Items...)
}

func (s *service) EachContact(ctx context.Context, f codex.ContactFilter, fn func(*codex.Contact) error) error {
	p, sc, err := s.readScope(ctx, codex.ResContact)
	if err != nil {
		return err
	}
	if err := checkContactQuery(p, &f); err != nil {
		return err
	}
	f.Scope = narrow(f.Scope, sc)
	return s.in.Contacts.EachContact(ctx, f, func(c *codex.Contact) error {
		if _, err := s.scopeContacts(ctx, sc, []*codex.Contact{c}); err != nil {
			return err
		}
		if err := s.redactContacts(ctx, p, true, c); err != nil {
			return err
		}
		return fn(c)
	})
}

func (s *service) ContactsByCompanies(ctx context.Context, companyIDs []int64, f codex.ContactFilter, limit int) ([][]*codex.Contact, error) {
	p, sc, err := s.readScope(ctx, codex.ResContact)
	if err != nil {
		return nil, err
	}
	if err := checkContactQuery(p, &f); err != nil {
		return nil, err
	}
	groups, err := s.in.Contacts.ContactsByCompanies(ctx, visibleKeys(sc, companyIDs), f, limit)
	if err != nil {
		return nil, err
	}
	return groups, s.redactContacts(ctx, p, false, flatten(groups)...)
}

func (s *service) CountContactsByCompanies(ctx context.Context, companyIDs []int64, f codex.ContactFilter) ([]int, error) {
	p, sc, err := s.readScope(ctx, codex.ResContact)
	if err != nil {
		return nil, err
	}
	if err := checkContactQuery(p, &f); err != nil {
		return nil, err
	}
	return s.in.Contacts.CountContactsByCompanies(ctx, visibleKeys(sc, companyIDs), f)
}

func (s *service) CompaniesOfContacts(ctx context.Context, contactIDs []int64) ([][]codex.ContactCompany, error) {
	_, sc, err := s.readScope(ctx, codex.ResContact)
	if err != nil {
		return nil, err
	}
	groups, err := s.in.Contacts.CompaniesOfContacts(ctx, contactIDs)
	if err != nil || sc == nil {
		return groups, err
	}
	for i, g := range groups {
		kept := g[:0:0]
		for _, cc := range g {
			if inScope(sc, cc.CompanyID) {
				kept = append(kept, cc)
			}
		}
		groups[i] = kept
	}
	return groups, nil
}

func (s *service) CreateContact(ctx context.Context, c *codex.Contact) error {
	p, err := allow(ctx, codex.Write, codex.ResContact)
	if err != nil {
		return err
	}
	if err := s.in.Contacts.CreateContact(ctx, c); err != nil {
		return err
	}
	return s.redactContacts(ctx, p, true, c)
}

func (s *service) UpdateContact(ctx context.Context, id int64, patch codex.ContactPatch) (*codex.Contact, error) {
	p, err := allow(ctx, codex.Write, codex.ResContact)
	if err != nil {
		return nil, err
	}
	c, err := s.in.Contacts.UpdateContact(ctx, id, patch)
	if err != nil {
		return nil, err
	}
	return c, s.redactContacts(ctx, p, true, c)
}

func (s *service) ArchiveContact(ctx context.Context, id int64) (*codex.Contact, error) {
	p, err := allow(ctx, codex.Write, codex.ResContact)
	if err != nil {
		return nil, err
	}
	c, err := s.in.Contacts.ArchiveContact(ctx, id)
	if err != nil {
		return nil, err
	}
	return c, s.redactContacts(ctx, p, true, c)
}

func (s *service) RestoreContact(ctx context.Context, id int64) (*codex.Contact, error) {
	p, err := allow(ctx, codex.Write, codex.ResContact)
	if err != nil {
		return nil, err
	}
	c, err := s.in.Contacts.RestoreContact(ctx, id)
	if err != nil {
		return nil, err
	}
	return c, s.redactContacts(ctx, p, true, c)
}

func (s *service) AssignContact(ctx context.Context, contactID, companyID int64, d codex.Designation) error {
	if _, err := allow(ctx, codex.Write, codex.ResContact); err != nil {
		return err
	}
	return s.in.Contacts.AssignContact(ctx, contactID, companyID, d)
}

func (s *service) UnassignContact(ctx context.Context, contactID, companyID int64) error {
	if _, err := allow(ctx, codex.Write, codex.ResContact); err != nil {
		return err
	}
	return s.in.Contacts.UnassignContact(ctx, contactID, companyID)
}
