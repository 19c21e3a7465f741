package graph

import (
	"context"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/graph/model"
)

func contactKey(c *codex.Contact) (int64, bool) { return c.ID, true }

// ID is the global id.
func (r *contactResolver) ID(_ context.Context, obj *codex.Contact) (string, error) {
	return globalID(typeContact, obj.ID), nil
}

// Company loads the home company.
func (r *contactResolver) Company(ctx context.Context, obj *codex.Contact) (*codex.Company, error) {
	return optional(companyOf(ctx, r.Resolver, obj, "Contact.company", func(c *codex.Contact) (int64, bool) { return c.CompanyID, true }))
}

// IsPrimary reports whether the contact is primary where it was listed.
func (r *contactResolver) IsPrimary(_ context.Context, obj *codex.Contact) (bool, error) {
	return obj.Designation == codex.DesignationPrimary, nil
}

// Companies loads every company the contact serves.
func (r *contactResolver) Companies(ctx context.Context, obj *codex.Contact) ([]*codex.ContactCompany, error) {
	return load(ctx, obj, "Contact.companies", "", contactKey, byParentsValues(loadersFrom(ctx), r.svc.Contacts.CompaniesOfContacts))
}

// Assets loads the assets the contact uses.
func (r *contactResolver) Assets(ctx context.Context, obj *codex.Contact) ([]*codex.Asset, error) {
	return load(ctx, obj, "Contact.assets", "", contactKey, byParents(loadersFrom(ctx), r.svc.Assets.AssetsByContacts))
}

// Company loads the company of an assignment.
func (r *contactCompanyResolver) Company(ctx context.Context, obj *codex.ContactCompany) (*codex.Company, error) {
	return optional(companyOf(ctx, r.Resolver, obj, "ContactCompany.company", func(cc *codex.ContactCompany) (int64, bool) { return cc.CompanyID, true }))
}

// contactFilter turns GraphQL contact filter and order into a codex filter.
func contactFilter(in *model.ContactFilter, o *model.ContactOrder) (codex.ContactFilter, error) {
	var f codex.ContactFilter
	if o != nil {
		f.Order = order(&o.Field, o.Direction.Value())
	}
	if in == nil {
		return f, nil
	}
	var v ids
	f.Search = val(in.Search)
	f.CompanyID = v.opt("filter.companyId", typeCompany, in.CompanyID.Value())
	f.SubtreeOf = v.opt("filter.subtreeOf", typeCompany, in.SubtreeOf.Value())
	f.Designation = in.Designation.Value()
	f.Role = val(in.Role)
	f.Email = val(in.Email)
	f.Active = in.Active.Value()
	f.IncludeArchived = val(in.IncludeArchived)
	return f, v.err()
}

// Contacts lists contacts.
func (r *queryResolver) Contacts(ctx context.Context, first *int, after *string, last *int, before *string,
	filter *model.ContactFilter, orderBy *model.ContactOrder) (*model.ContactConnection, error) {
	f, err := contactFilter(filter, orderBy)
	if err != nil {
		return nil, err
	}
	p, err := r.pageArgs(ctx, first, after, last, before)
	if err != nil {
		return nil, err
	}
	pg, err := r.svc.Contacts.Contacts(ctx, f, p)
	if err != nil {
		return nil, err
	}
	return contactConnection(fromPage(ctx, pg)), nil
}

// contactFields names the contact input fields whose codex names differ.
var contactFields = map[string]string{"phone": "phoneWork",
	"secondary_emails": "secondaryEmails", "employment_type": "employmentType"}

// CreateContact creates a contact.
func (r *mutationResolver) CreateContact(ctx context.Context, in model.CreateContactInput) (*model.ContactPayload, error) {
	var v ids
	c := &codex.Contact{
		CompanyID:       v.of("companyId", typeCompany, in.CompanyID),
		FirstName:       val(in.FirstName),
		LastName:        val(in.LastName),
		DisplayName:     val(in.DisplayName),
		Email:           val(in.Email),
		PhoneWork:       val(in.PhoneWork),
		PhoneMobile:     val(in.PhoneMobile),
		Title:           val(in.Title),
		Roles:           in.Roles.Value(),
		Active:          true,
		Notes:           val(in.Notes),
		Designation:     val(in.Designation),
		SecondaryEmails: in.SecondaryEmails.Value(),
		EmploymentType:  val(in.EmploymentType),
	}
	if a := in.Active.Value(); a != nil {
		c.Active = *a
	}
	if c.Roles == nil {
		c.Roles = []string{}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := r.svc.Contacts.CreateContact(ctx, c); err != nil {
		return nil, renameFields(err, contactFields)
	}
	return &model.ContactPayload{Contact: one(ctx, c)}, nil
}

// UpdateContact changes a contact.
func (r *mutationResolver) UpdateContact(ctx context.Context, in model.UpdateContactInput) (*model.ContactPayload, error) {
	var v ids
	id := v.of("id", typeContact, in.ID)
	p := codex.ContactPatch{
		FirstName:       patch(in.FirstName),
		LastName:        patch(in.LastName),
		DisplayName:     patch(in.DisplayName),
		Email:           patch(in.Email),
		PhoneWork:       patch(in.PhoneWork),
		PhoneMobile:     patch(in.PhoneMobile),
		Title:           patch(in.Title),
		Roles:           patchList(in.Roles),
		Active:          required(&v, "active", in.Active),
		Notes:           patch(in.Notes),
		Designation:     patch(in.Designation),
		SecondaryEmails: patchList(in.SecondaryEmails),
		EmploymentType:  patch(in.EmploymentType),
	}
	p.ExpectedVersion = val(in.ExpectedVersion)

	if s, set := in.CompanyID.ValueOK(); set {
		if s == nil {
			v.Add("companyId", "cannot be null")
		} else {
			p.CompanyID = v.opt("companyId", typeCompany, s)
		}
	}
	if p.Designation != nil && *p.Designation == "" {
		*p.Designation = codex.DesignationNone
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	c, err := r.svc.Contacts.UpdateContact(ctx, id, p)
	if err != nil {
		return nil, renameFields(err, contactFields)
	}
	return &model.ContactPayload{Contact: one(ctx, c)}, nil
}

// ArchiveContact archives a contact.
func (r *mutationResolver) ArchiveContact(ctx context.Context, in model.ByIDInput) (*model.ContactPayload, error) {
	c, err := byID(ctx, in, typeContact, r.svc.Contacts.ArchiveContact)
	if err != nil {
		return nil, err
	}
	return &model.ContactPayload{Contact: c}, nil
}

// RestoreContact restores an archived contact.
func (r *mutationResolver) RestoreContact(ctx context.Context, in model.ByIDInput) (*model.ContactPayload, error) {
	c, err := byID(ctx, in, typeContact, r.svc.Contacts.RestoreContact)
	if err != nil {
		return nil, err
	}
	return &model.ContactPayload{Contact: c}, nil
}

// AssignContact assigns a contact to a company with a designation.
func (r *mutationResolver) AssignContact(ctx context.Context, in model.AssignContactInput) (*model.ContactPayload, error) {
	var v ids
	contact := v.of("contactId", typeContact, in.ContactID)
	company := v.of("companyId", typeCompany, in.CompanyID)
	d := val(in.Designation)
	if d == "" {
		d = codex.DesignationNone
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := r.svc.Contacts.AssignContact(ctx, contact, company, d); err != nil {
		return nil, err
	}
	return r.contactPayload(ctx, contact)
}

// UnassignContact removes a contact from a company.
func (r *mutationResolver) UnassignContact(ctx context.Context, in model.UnassignContactInput) (*model.ContactPayload, error) {
	var v ids
	contact := v.of("contactId", typeContact, in.ContactID)
	company := v.of("companyId", typeCompany, in.CompanyID)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := r.svc.Contacts.UnassignContact(ctx, contact, company); err != nil {
		return nil, err
	}
	return r.contactPayload(ctx, contact)
}

func (r *mutationResolver) contactPayload(ctx context.Context, id int64) (*model.ContactPayload, error) {
	c, err := r.svc.Contacts.Contact(ctx, id)
	if err != nil {
		return nil, err
	}
	return &model.ContactPayload{Contact: one(ctx, c)}, nil
}
