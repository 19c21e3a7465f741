package graph

import (
	"context"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/graph/model"
)

// Loader relations are named "Type.field": each field has its own key function, so each
// has its own loader per sibling group.

func companyKey(c *codex.Company) (int64, bool) { return c.ID, true }

// one remembers a single object as a sibling group of its own, so that its relations are
// loaded at once rather than after the loaders' wait.
func one[T any](ctx context.Context, v *T) *T {
	if v != nil {
		remember(loadersFrom(ctx), []*T{v})
	}
	return v
}

// companyOf loads the company key(obj) for relation rel ("Asset.company").
func companyOf[T any](ctx context.Context, r *Resolver, obj *T, rel string, key func(*T) (int64, bool)) (*codex.Company, error) {
	return load(ctx, obj, rel, "", key, byIDs(loadersFrom(ctx), r.svc.Companies.CompaniesByIDs))
}

// ID is the global id.
func (r *companyResolver) ID(_ context.Context, obj *codex.Company) (string, error) {
	return globalID(typeCompany, obj.ID), nil
}

// Settings lists the company's own settings.
func (r *companyResolver) Settings(_ context.Context, obj *codex.Company) ([]*model.KeyValue, error) {
	return keyValues(obj.Settings), nil
}

// Parent loads the parent; above a client's root it is null.
func (r *companyResolver) Parent(ctx context.Context, obj *codex.Company) (*codex.Company, error) {
	return optional(companyOf(ctx, r.Resolver, obj, "Company.parent", func(c *codex.Company) (int64, bool) { return some(c.ParentID) }))
}

// Ancestors walks up through Parent, so a list's ancestors cost one statement per level.
func (r *companyResolver) Ancestors(ctx context.Context, obj *codex.Company) ([]*codex.Company, error) {
	out := []*codex.Company{}
	seen := map[int64]bool{obj.ID: true}
	for c := obj; ; {
		p, err := r.Parent(ctx, c)
		if err != nil || p == nil || seen[p.ID] {
			return out, err
		}
		seen[p.ID] = true
		out = append(out, p)
		c = p
	}
}

// Children loads the direct children.
func (r *companyResolver) Children(ctx context.Context, obj *codex.Company) ([]*codex.Company, error) {
	cols := fieldColumns(ctx, obj, "Company", companyColumns)
	return load(ctx, obj, "Company.children", columnsKey(cols), companyKey,
		byParents(loadersFrom(ctx), func(ctx context.Context, ids []int64) ([][]*codex.Company, error) {
			return r.svc.Companies.ChildrenByParents(ctx, ids, 0, cols)
		}))
}

// Descendants loads the subtree (one statement per company).
func (r *companyResolver) Descendants(ctx context.Context, obj *codex.Company, maxDepth *int) ([]*codex.Company, error) {
	depth := orZero(maxDepth)
	if depth < 0 {
		return nil, codex.Errorf(codex.Invalid, "maxDepth must not be negative")
	}
	l := loadersFrom(ctx)
	return load(ctx, obj, "Company.descendants", strconv.Itoa(depth), companyKey,
		eachKey(func(ctx context.Context, id int64) ([]*codex.Company, error) {
			d, err := r.svc.Companies.Descendants(ctx, id, depth)
			return remember(l, d), err
		}))
}

// EffectiveSettings loads the inherited settings (one statement per company).
func (r *companyResolver) EffectiveSettings(ctx context.Context, obj *codex.Company) ([]*model.KeyValue, error) {
	m, err := load(ctx, obj, "Company.effectiveSettings", "", companyKey, eachKey(r.svc.Companies.EffectiveSettings))
	return keyValues(m), err
}

// Locations loads the sites.
func (r *companyResolver) Locations(ctx context.Context, obj *codex.Company) ([]*codex.Location, error) {
	return load(ctx, obj, "Company.locations", "", companyKey, byParents(loadersFrom(ctx), r.svc.Companies.LocationsByCompanies))
}

// Contacts loads a window of the contacts serving the company.
func (r *companyResolver) Contacts(ctx context.Context, obj *codex.Company, first *int, after *string,
	filter *model.ContactFilter, orderBy *model.ContactOrder) (*model.ContactConnection, error) {
	f, err := contactFilter(filter, orderBy)
	if err != nil {
		return nil, err
	}
	f.CompanyID, f.SubtreeOf = nil, nil
	f.Columns = nodeColumns(ctx, obj, "Contact", contactColumns)
	l, err := nested(ctx, r.Resolver, obj, companyKey, first, after, nestedList[codex.Contact]{
		rel: "Company.contacts", args: f,
		rows: func(ctx context.Context, ids []int64, limit int) ([][]*codex.Contact, error) {
			return r.svc.Contacts.ContactsByCompanies(ctx, ids, f, limit)
		},
		count: func(ctx context.Context, ids []int64) ([]int, error) {
			return r.svc.Contacts.CountContactsByCompanies(ctx, ids, f)
		},
		page: func(ctx context.Context, id int64, p codex.PageArgs) (*codex.Page[codex.Contact], error) {
			g := f
			g.CompanyID = &id
			return r.svc.Contacts.Contacts(ctx, g, p)
		},
	})
	if err != nil {
		return nil, err
	}
	return contactConnection(l), nil
}

// PrimaryContact loads the first primary contact by name.
func (r *companyResolver) PrimaryContact(ctx context.Context, obj *codex.Company) (*codex.Contact, error) {
	f := codex.ContactFilter{Designation: []codex.Designation{codex.DesignationPrimary}}
	cs, err := load(ctx, obj, "Company.primaryContact", "", companyKey,
		byParents(loadersFrom(ctx), func(ctx context.Context, ids []int64) ([][]*codex.Contact, error) {
			return r.svc.Contacts.ContactsByCompanies(ctx, ids, f, 1)
		}))
	if err != nil || len(cs) == 0 {
		return nil, err
	}
	return cs[0], nil
}

// BillingContact loads the contact who receives invoices.
func (r *companyResolver) BillingContact(ctx context.Context, obj *codex.Company) (*codex.Contact, error) {
	return optional(load(ctx, obj, "Company.billingContact", "", func(c *codex.Company) (int64, bool) { return some(c.BillingContactID) },
		byIDs(loadersFrom(ctx), r.svc.Contacts.ContactsByIDs)))
}

// Assets loads a window of the company's assets.
func (r *companyResolver) Assets(ctx context.Context, obj *codex.Company, first *int, after *string,
	filter *model.AssetFilter, orderBy *model.AssetOrder) (*model.AssetConnection, error) {
	f, err := assetFilter(filter, orderBy)
	if err != nil {
		return nil, err
	}
	f.CompanyID, f.SubtreeOf = nil, nil
	f.Columns = nodeColumns(ctx, obj, "Asset", assetColumns)
	l, err := nested(ctx, r.Resolver, obj, companyKey, first, after, nestedList[codex.Asset]{
		rel: "Company.assets", args: f,
		rows: func(ctx context.Context, ids []int64, limit int) ([][]*codex.Asset, error) {
			return r.svc.Assets.AssetsByCompanies(ctx, ids, f, limit)
		},
		count: func(ctx context.Context, ids []int64) ([]int, error) {
			return r.svc.Assets.CountAssetsByCompanies(ctx, ids, f)
		},
		page: func(ctx context.Context, id int64, p codex.PageArgs) (*codex.Page[codex.Asset], error) {
			g := f
			g.CompanyID = &id
			return r.svc.Assets.Assets(ctx, g, p)
		},
	})
	if err != nil {
		return nil, err
	}
	return assetConnection(l), nil
}

// NetworkEquipment loads a window of the company's devices.
func (r *companyResolver) NetworkEquipment(ctx context.Context, obj *codex.Company, first *int, after *string,
	filter *model.NetworkEquipmentFilter, orderBy *model.NetworkEquipmentOrder) (*model.NetworkEquipmentConnection, error) {
	f, err := equipmentFilter(filter, orderBy)
	if err != nil {
		return nil, err
	}
	f.CompanyID, f.SubtreeOf = nil, nil
	f.Columns = nodeColumns(ctx, obj, "NetworkEquipment", equipmentColumns)
	l, err := nested(ctx, r.Resolver, obj, companyKey, first, after, nestedList[codex.NetworkEquipment]{
		rel: "Company.networkEquipment", args: f,
		rows: func(ctx context.Context, ids []int64, limit int) ([][]*codex.NetworkEquipment, error) {
			return r.svc.Network.EquipmentByCompanies(ctx, ids, f, limit)
		},
		count: func(ctx context.Context, ids []int64) ([]int, error) {
			return r.svc.Network.CountEquipmentByCompanies(ctx, ids, f)
		},
		page: func(ctx context.Context, id int64, p codex.PageArgs) (*codex.Page[codex.NetworkEquipment], error) {
			g := f
			g.CompanyID = &id
			return r.svc.Network.EquipmentList(ctx, g, p)
		},
	})
	if err != nil {
		return nil, err
	}
	return equipmentConnection(l), nil
}

// NetworkLinks loads the links between the company's devices.
func (r *companyResolver) NetworkLinks(ctx context.Context, obj *codex.Company) ([]*codex.NetworkLink, error) {
	return load(ctx, obj, "Company.networkLinks", "", companyKey, byParents(loadersFrom(ctx), r.svc.Network.LinksByCompanies))
}

// Subnets loads the company's networks.
func (r *companyResolver) Subnets(ctx context.Context, obj *codex.Company) ([]*codex.Subnet, error) {
	return load(ctx, obj, "Company.subnets", "", companyKey, byParents(loadersFrom(ctx), r.svc.Network.SubnetsByCompanies))
}

// Tickets loads a window of the company's tickets.
func (r *companyResolver) Tickets(ctx context.Context, obj *codex.Company, first *int, after *string,
	filter *model.TicketFilter, orderBy *model.TicketOrder) (*model.TicketConnection, error) {
	f, err := ticketFilter(filter, orderBy)
	if err != nil {
		return nil, err
	}
	f.CompanyID, f.SubtreeOf = nil, nil
	l, err := nested(ctx, r.Resolver, obj, companyKey, first, after, nestedList[codex.Ticket]{
		rel: "Company.tickets", args: f,
		rows: func(ctx context.Context, ids []int64, limit int) ([][]*codex.Ticket, error) {
			return r.svc.Tickets.TicketsByCompanies(ctx, ids, f, limit)
		},
		count: func(ctx context.Context, ids []int64) ([]int, error) {
			return r.svc.Tickets.CountTicketsByCompanies(ctx, ids, f)
		},
		page: func(ctx context.Context, id int64, p codex.PageArgs) (*codex.Page[codex.Ticket], error) {
			g := f
			g.CompanyID = &id
			return r.svc.Tickets.Tickets(ctx, g, p)
		},
	})
	if err != nil {
		return nil, err
	}
	return ticketConnection(l), nil
}

// Alerts loads a window of the alerts on the company's assets (totalCount costs one
// statement per company: there is no batch count of alerts).
func (r *companyResolver) Alerts(ctx context.Context, obj *codex.Company, first *int, after *string,
	filter *model.AlertFilter, orderBy *model.AlertOrder) (*model.AlertConnection, error) {
	f, err := alertFilter(filter, orderBy)
	if err != nil {
		return nil, err
	}
	f.CompanyID, f.SubtreeOf, f.AssetID = nil, nil, nil
	l, err := nested(ctx, r.Resolver, obj, companyKey, first, after, nestedList[codex.Alert]{
		rel: "Company.alerts", args: f,
		rows: func(ctx context.Context, ids []int64, limit int) ([][]*codex.Alert, error) {
			return r.svc.Tickets.AlertsByCompanies(ctx, ids, f, limit)
		},
		page: func(ctx context.Context, id int64, p codex.PageArgs) (*codex.Page[codex.Alert], error) {
			g := f
			g.CompanyID = &id
			return r.svc.Tickets.Alerts(ctx, g, p)
		},
	})
	if err != nil {
		return nil, err
	}
	return alertConnection(l), nil
}

// AssetCounts loads the number of assets per type.
func (r *companyResolver) AssetCounts(ctx context.Context, obj *codex.Company) ([]*codex.TypeCount, error) {
	counts, err := load(ctx, obj, "Company.assetCounts", "", companyKey, perKey(r.svc.Companies.AssetCountsByType))
	out := make([]*codex.TypeCount, len(counts))
	for i := range counts {
		out[i] = &counts[i]
	}
	return out, err
}

// OpenTicketCount loads the number of open and pending tickets.
func (r *companyResolver) OpenTicketCount(ctx context.Context, obj *codex.Company) (int, error) {
	return load(ctx, obj, "Company.openTicketCount", "", companyKey, perKey(r.svc.Companies.OpenTicketCounts))
}

// Location fields.

// ID is the global id.
func (r *locationResolver) ID(_ context.Context, obj *codex.Location) (string, error) {
	return globalID(typeLocation, obj.ID), nil
}

// Company loads the location's company.
func (r *locationResolver) Company(ctx context.Context, obj *codex.Location) (*codex.Company, error) {
	return companyOf(ctx, r.Resolver, obj, "Location.company", func(l *codex.Location) (int64, bool) { return l.CompanyID, true })
}

// locationOf finds location id among the locations of company companyID, loading the
// locations of the whole level's companies at once (there is no batch by location id).
func locationOf[T any](ctx context.Context, r *Resolver, obj *T, rel string, company func(*T) int64, location func(*T) *int64) (*codex.Location, error) {
	id := location(obj)
	if id == nil {
		return nil, nil
	}
	locs, err := load(ctx, obj, rel, "", func(o *T) (int64, bool) { return company(o), true },
		byParents(loadersFrom(ctx), r.svc.Companies.LocationsByCompanies))
	if err != nil {
		return nil, err
	}
	for _, l := range locs {
		if l.ID == *id {
			return l, nil
		}
	}
	return nil, nil
}

// companyFilter turns GraphQL company filter and order into a codex filter.
func companyFilter(in *model.CompanyFilter, o *model.CompanyOrder) (codex.CompanyFilter, error) {
	var f codex.CompanyFilter
	if o != nil {
		f.Order = order(&o.Field, o.Direction.Value())
	}
	if in == nil {
		return f, nil
	}
	var v ids
	f.Search = val(in.Search)
	f.ParentID = v.opt("filter.parentId", typeCompany, in.ParentID.Value())
	f.RootsOnly = val(in.RootsOnly)
	f.SubtreeOf = v.opt("filter.subtreeOf", typeCompany, in.SubtreeOf.Value())
	f.Kind = in.Kind.Value()
	f.Status = in.Status.Value()
	f.ComplianceLevel = in.ComplianceLevel.Value()
	f.AccountNumber = val(in.AccountNumber)
	f.IncludeArchived = val(in.IncludeArchived)
	f.OnlyArchived = val(in.OnlyArchived)
	return f, v.err()
}

// Queries.

// Company returns one company, or null.
func (r *queryResolver) Company(ctx context.Context, id string) (*codex.Company, error) {
	var v ids
	n := v.of("id", typeCompany, id)
	if err := v.err(); err != nil {
		return nil, err
	}
	c, err := optional(r.svc.Companies.Company(ctx, n))
	return one(ctx, c), err
}

// CompanyByAccountNumber returns the company with an account number, or null.
func (r *queryResolver) CompanyByAccountNumber(ctx context.Context, accountNumber string) (*codex.Company, error) {
	c, err := optional(r.svc.Companies.CompanyByAccountNumber(ctx, accountNumber))
	return one(ctx, c), err
}

// Companies lists companies.
func (r *queryResolver) Companies(ctx context.Context, first *int, after *string, last *int, before *string,
	filter *model.CompanyFilter, orderBy *model.CompanyOrder) (*model.CompanyConnection, error) {
	f, err := companyFilter(filter, orderBy)
	if err != nil {
		return nil, err
	}
	p, err := r.pageArgs(ctx, first, after, last, before)
	if err != nil {
		return nil, err
	}
	f.Columns = nodeColumns(ctx, nil, "Company", companyColumns)
	pg, err := r.svc.Companies.Companies(ctx, f, p)
	if err != nil {
		return nil, err
	}
	return companyConnection(fromPage(ctx, pg)), nil
}

// Mutations.

// address turns address input into an address (fields left out are empty).
func address(in *model.AddressInput) codex.Address {
	if in == nil {
		return codex.Address{}
	}
	return codex.Address{
		Line1: val(in.Line1), Line2: val(in.Line2), City: val(in.City),
		Region: val(in.Region), PostalCode: val(in.PostalCode), Country: val(in.Country),
	}
}

// patchAddress returns the address patch of an omittable address input.
func patchAddress(o graphql.Omittable[*model.AddressInput]) *codex.AddressPatch {
	in, set := o.ValueOK()
	if !set {
		return nil
	}
	return codex.WholeAddress(address(in))
}

// CreateCompany creates a company.
func (r *mutationResolver) CreateCompany(ctx context.Context, in model.CreateCompanyInput) (*model.CompanyPayload, error) {
	var v ids
	c := &codex.Company{
		Name:             in.Name,
		AccountNumber:    in.AccountNumber.Value(),
		ParentID:         v.opt("parentId", typeCompany, in.ParentID.Value()),
		Kind:             val(in.Kind),
		Status:           val(in.Status),
		ComplianceLevel:  val(in.ComplianceLevel),
		Description:      val(in.Description),
		Phone:            val(in.Phone),
		Website:          val(in.Website),
		Domains:          in.Domains.Value(),
		Address:          address(in.Address.Value()),
		BillingPlan:      val(in.BillingPlan),
		ContractTerm:     val(in.ContractTerm),
		ContractStart:    in.ContractStart.Value(),
		ContractEnd:      in.ContractEnd.Value(),
		BillingContactID: v.opt("billingContactId", typeContact, in.BillingContactID.Value()),
		Settings:         fromKeyValues(&v, "settings", in.Settings.Value()),

		SupportLevel:      val(in.SupportLevel),
		ProfitOrNonProfit: val(in.ProfitOrNonProfit),
		CompanyMainNumber: val(in.CompanyMainNumber),
		CompanyStartDate:  in.CompanyStartDate.Value(),
		PhoneSystem:       val(in.PhoneSystem),
		EmailSystem:       val(in.EmailSystem),
	}
	if c.Domains == nil {
		c.Domains = []string{}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := r.svc.Companies.CreateCompany(ctx, c); err != nil {
		return nil, err
	}
	return &model.CompanyPayload{Company: one(ctx, c)}, nil
}

// UpdateCompany changes a company's fields.
func (r *mutationResolver) UpdateCompany(ctx context.Context, in model.UpdateCompanyInput) (*model.CompanyPayload, error) {
	var v ids
	id := v.of("id", typeCompany, in.ID)
	p := codex.CompanyPatch{
		Name:             required(&v, "name", in.Name),
		AccountNumber:    patch(in.AccountNumber),
		Kind:             required(&v, "kind", in.Kind),
		Status:           required(&v, "status", in.Status),
		ComplianceLevel:  required(&v, "complianceLevel", in.ComplianceLevel),
		Description:      patch(in.Description),
		Phone:            patch(in.Phone),
		Website:          patch(in.Website),
		Domains:          patchList(in.Domains),
		Address:          patchAddress(in.Address),
		BillingPlan:      patch(in.BillingPlan),
		ContractTerm:     patch(in.ContractTerm),
		ContractStart:    patch(in.ContractStart),
		ContractEnd:      patch(in.ContractEnd),
		BillingContactID: v.omit("billingContactId", typeContact, in.BillingContactID),
		Settings:         patchMap(&v, "settings", in.Settings),

		SupportLevel:      patch(in.SupportLevel),
		ProfitOrNonProfit: patch(in.ProfitOrNonProfit),
		CompanyMainNumber: patch(in.CompanyMainNumber),
		CompanyStartDate:  patch(in.CompanyStartDate),
		PhoneSystem:       patch(in.PhoneSystem),
		EmailSystem:       patch(in.EmailSystem),
	}
	p.ExpectedVersion = val(in.ExpectedVersion)

	if err := v.err(); err != nil {
		return nil, err
	}
	c, err := r.svc.Companies.UpdateCompany(ctx, id, p)
	if err != nil {
		return nil, err
	}
	return &model.CompanyPayload{Company: one(ctx, c)}, nil
}

// MoveCompany re-parents a company.
func (r *mutationResolver) MoveCompany(ctx context.Context, in model.MoveCompanyInput) (*model.CompanyPayload, error) {
	var v ids
	id := v.of("id", typeCompany, in.ID)
	parent := v.opt("parentId", typeCompany, in.ParentID.Value())
	if err := v.err(); err != nil {
		return nil, err
	}
	c, err := r.svc.Companies.MoveCompany(ctx, id, parent)
	if err != nil {
		return nil, err
	}
	return &model.CompanyPayload{Company: one(ctx, c)}, nil
}

// ArchiveCompany archives a company.
func (r *mutationResolver) ArchiveCompany(ctx context.Context, in model.ByIDInput) (*model.CompanyPayload, error) {
	return companyPayload(ctx, in, r.svc.Companies.ArchiveCompany)
}

// RestoreCompany restores an archived company.
func (r *mutationResolver) RestoreCompany(ctx context.Context, in model.ByIDInput) (*model.CompanyPayload, error) {
	return companyPayload(ctx, in, r.svc.Companies.RestoreCompany)
}

func companyPayload(ctx context.Context, in model.ByIDInput, f func(context.Context, int64) (*codex.Company, error)) (*model.CompanyPayload, error) {
	c, err := byID(ctx, in, typeCompany, f)
	if err != nil {
		return nil, err
	}
	return &model.CompanyPayload{Company: c}, nil
}

// byID decodes a ByIdInput of type typ and calls f with the row id.
func byID[T any](ctx context.Context, in model.ByIDInput, typ string, f func(context.Context, int64) (*T, error)) (*T, error) {
	var v ids
	id := v.of("id", typ, in.ID)
	if err := v.err(); err != nil {
		return nil, err
	}
	x, err := f(ctx, id)
	return one(ctx, x), err
}

// CreateLocation creates a location.
func (r *mutationResolver) CreateLocation(ctx context.Context, in model.CreateLocationInput) (*model.LocationPayload, error) {
	var v ids
	l := &codex.Location{
		CompanyID: v.of("companyId", typeCompany, in.CompanyID),
		Name:      in.Name,
		Address:   address(in.Address.Value()),
		Phone:     val(in.Phone),
		Notes:     val(in.Notes),
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := r.svc.Companies.CreateLocation(ctx, l); err != nil {
		return nil, err
	}
	return &model.LocationPayload{Location: one(ctx, l)}, nil
}

// UpdateLocation changes a location.
func (r *mutationResolver) UpdateLocation(ctx context.Context, in model.UpdateLocationInput) (*model.LocationPayload, error) {
	var v ids
	id := v.of("id", typeLocation, in.ID)
	p := codex.LocationPatch{
		Name:    required(&v, "name", in.Name),
		Address: patchAddress(in.Address),
		Phone:   patch(in.Phone),
		Notes:   patch(in.Notes),
	}
	p.ExpectedVersion = val(in.ExpectedVersion)

	if err := v.err(); err != nil {
		return nil, err
	}
	l, err := r.svc.Companies.UpdateLocation(ctx, id, p)
	if err != nil {
		return nil, err
	}
	return &model.LocationPayload{Location: one(ctx, l)}, nil
}

// ArchiveLocation archives a location.
func (r *mutationResolver) ArchiveLocation(ctx context.Context, in model.ByIDInput) (*model.LocationPayload, error) {
	l, err := byID(ctx, in, typeLocation, r.svc.Companies.ArchiveLocation)
	if err != nil {
		return nil, err
	}
	return &model.LocationPayload{Location: l}, nil
}
