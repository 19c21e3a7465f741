package graph

import (
	"strconv"

	"context"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/graph/model"
)

// Node returns the object a global id names, or null when it does not exist or is out of
// the caller's reach (the two look the same).
func (r *queryResolver) Node(ctx context.Context, id string) (model.Node, error) {
	typ, n, ok := parseGlobalID(id)
	if !ok {
		return nil, &codex.Error{Code: codex.Invalid, Message: "invalid input", Fields: map[string]string{"id": "is not a global id"}}
	}
	node, err := r.fetchNode(ctx, typ, n)
	if codex.IsNotFound(err) {
		return nil, nil
	}
	return node, err
}

// Contact returns a contact by global id, or null.
func (r *queryResolver) Contact(ctx context.Context, id string) (*codex.Contact, error) {
	return byGlobalID(ctx, id, typeContact, r.svc.Contacts.Contact)
}

// Asset returns an asset by global id, or null.
func (r *queryResolver) Asset(ctx context.Context, id string) (*codex.Asset, error) {
	return byGlobalID(ctx, id, typeAsset, r.svc.Assets.Asset)
}

// Ticket returns a ticket by global id, or null.
func (r *queryResolver) Ticket(ctx context.Context, id string) (*codex.Ticket, error) {
	return byGlobalID(ctx, id, typeTicket, r.svc.Tickets.Ticket)
}

// byGlobalID reads the row of type typ that id names, or nil when it does not exist or
// is out of the caller's reach; an id of another type is invalid input.
func byGlobalID[T any](ctx context.Context, id, typ string, get func(context.Context, int64) (*T, error)) (*T, error) {
	var v ids
	n := v.of("id", typ, id)
	if err := v.err(); err != nil {
		return nil, err
	}
	row, err := optional(get(ctx, n))
	return one(ctx, row), err
}

// fetchNode reads row n of type typ; a nil *T becomes an untyped nil.
func (r *queryResolver) fetchNode(ctx context.Context, typ string, n int64) (model.Node, error) {
	switch typ {
	case typeCompany:
		return node(ctx, r.svc.Companies.Company, n)
	case typeLocation:
		return node(ctx, r.svc.Companies.Location, n)
	case typeContact:
		return node(ctx, r.svc.Contacts.Contact, n)
	case typeAsset:
		return node(ctx, r.svc.Assets.Asset, n)
	case typeNetworkEquipment:
		return node(ctx, r.svc.Network.Equipment, n)
	case typeSubnet:
		return node(ctx, r.svc.Network.Subnet, n)
	case typeTicket:
		return node(ctx, r.svc.Tickets.Ticket, n)
	case typeAlert:
		return node(ctx, r.svc.Tickets.Alert, n)
	case typeAgent:
		return node(ctx, r.svc.Agents.Agent, n)
	case typeSyncRun:
		return node(ctx, r.svc.Sync.SyncRun, n)
	}
	return nil, codex.Errorf(codex.NotFound, "no such object")
}

func node[T any](ctx context.Context, get func(context.Context, int64) (*T, error), id int64) (model.Node, error) {
	v, err := get(ctx, id)
	if err != nil || v == nil {
		return nil, err
	}
	return one(ctx, v), nil
}

// Nodes returns the objects several global ids name, in order.
func (r *queryResolver) Nodes(ctx context.Context, ids []string) ([]model.Node, error) {
	if len(ids) > r.opts.MaxPageSize {
		return nil, &codex.Error{Code: codex.Invalid, Message: "invalid input",
			Fields: map[string]string{"ids": "must hold at most " + strconv.Itoa(r.opts.MaxPageSize) + " ids"}}
	}
	out := make([]model.Node, len(ids))
	for i, id := range ids {
		n, err := r.Node(ctx, id)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

// Search finds companies, contacts, assets and devices; each list is read only when it
// is selected.
func (r *queryResolver) Search(ctx context.Context, query string, first *int) (*model.SearchResult, error) {
	n := 10
	if first != nil {
		n = *first
	}
	var v codex.Validation
	v.Check(n >= 0 && n <= r.opts.MaxPageSize, "first", "must be between 0 and %d", r.opts.MaxPageSize)
	v.Check(len(query) <= 200, "query", "must be at most 200 characters")
	if err := v.Err(); err != nil {
		return nil, err
	}
	return &model.SearchResult{Query: query, First: n}, nil
}

// Companies lists the matching companies.
func (r *searchResultResolver) Companies(ctx context.Context, obj *model.SearchResult) ([]*codex.Company, error) {
	pg, err := r.svc.Companies.Companies(ctx, codex.CompanyFilter{Search: obj.Query}, codex.PageArgs{First: &obj.First})
	if err != nil {
		return nil, err
	}
	return remember(loadersFrom(ctx), pg.Items), nil
}

// Contacts lists the matching contacts.
func (r *searchResultResolver) Contacts(ctx context.Context, obj *model.SearchResult) ([]*codex.Contact, error) {
	pg, err := r.svc.Contacts.Contacts(ctx, codex.ContactFilter{Search: obj.Query}, codex.PageArgs{First: &obj.First})
	if err != nil {
		return nil, err
	}
	return remember(loadersFrom(ctx), pg.Items), nil
}

// Assets lists the matching assets.
func (r *searchResultResolver) Assets(ctx context.Context, obj *model.SearchResult) ([]*codex.Asset, error) {
	pg, err := r.svc.Assets.Assets(ctx, codex.AssetFilter{Search: obj.Query}, codex.PageArgs{First: &obj.First})
	if err != nil {
		return nil, err
	}
	return remember(loadersFrom(ctx), pg.Items), nil
}

// NetworkEquipment lists the matching devices.
func (r *searchResultResolver) NetworkEquipment(ctx context.Context, obj *model.SearchResult) ([]*codex.NetworkEquipment, error) {
	pg, err := r.svc.Network.EquipmentList(ctx, codex.EquipmentFilter{Search: obj.Query}, codex.PageArgs{First: &obj.First})
	if err != nil {
		return nil, err
	}
	return remember(loadersFrom(ctx), pg.Items), nil
}
