package policy

import (
	"context"

	"github.com/hivematrix/codex/codex"
)

func (s *service) Contact(ctx context.Context, id int64) (*codex.Contact, error) {
	p, sc, err := s.readScope(ctx, codex.ResContact)
	if err != nil {
		return nil, err
	}
	c, err := s.in.Contacts.Contact(ctx, id)
	if err != nil {
		return nil, err
	}
	if !inScope(sc, c.CompanyID) {
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
	for i, c := range cs {
		if c != nil && !inScope(sc, c.CompanyID) {
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
