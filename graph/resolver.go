package graph

import (
	"sort"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/graph/generated"
	"github.com/hivematrix/codex/graph/model"
)

// Resolver is the root of the resolvers: the services every field calls, and the options.
type Resolver struct {
	svc  codex.Services
	opts Options
}

// Each GraphQL type with resolver fields has its resolver type, all sharing the root.
type (
	queryResolver            struct{ *Resolver }
	mutationResolver         struct{ *Resolver }
	searchResultResolver     struct{ *Resolver }
	companyResolver          struct{ *Resolver }
	locationResolver         struct{ *Resolver }
	contactResolver          struct{ *Resolver }
	contactCompanyResolver   struct{ *Resolver }
	assetResolver            struct{ *Resolver }
	networkEquipmentResolver struct{ *Resolver }
	linkEndResolver          struct{ *Resolver }
	networkLinkResolver      struct{ *Resolver }
	subnetResolver           struct{ *Resolver }
	duplicateIPResolver      struct{ *Resolver }
	ipUserResolver           struct{ *Resolver }
	ticketResolver           struct{ *Resolver }
	alertResolver            struct{ *Resolver }
	agentResolver            struct{ *Resolver }
	preferencesResolver      struct{ *Resolver }
	syncRunResolver          struct{ *Resolver }
	auditEntryResolver       struct{ *Resolver }
)

var _ generated.ResolverRoot = (*Resolver)(nil)

// Query returns the Query resolver.
func (r *Resolver) Query() generated.QueryResolver { return &queryResolver{r} }

// Mutation returns the Mutation resolver.
func (r *Resolver) Mutation() generated.MutationResolver { return &mutationResolver{r} }

// SearchResult returns the SearchResult resolver.
func (r *Resolver) SearchResult() generated.SearchResultResolver { return &searchResultResolver{r} }

// Company returns the Company resolver.
func (r *Resolver) Company() generated.CompanyResolver { return &companyResolver{r} }

// Location returns the Location resolver.
func (r *Resolver) Location() generated.LocationResolver { return &locationResolver{r} }

// Contact returns the Contact resolver.
func (r *Resolver) Contact() generated.ContactResolver { return &contactResolver{r} }

// ContactCompany returns the ContactCompany resolver.
func (r *Resolver) ContactCompany() generated.ContactCompanyResolver {
	return &contactCompanyResolver{r}
}

// Asset returns the Asset resolver.
func (r *Resolver) Asset() generated.AssetResolver { return &assetResolver{r} }

// NetworkEquipment returns the NetworkEquipment resolver.
func (r *Resolver) NetworkEquipment() generated.NetworkEquipmentResolver {
	return &networkEquipmentResolver{r}
}

// LinkEnd returns the LinkEnd resolver.
func (r *Resolver) LinkEnd() generated.LinkEndResolver { return &linkEndResolver{r} }

// NetworkLink returns the NetworkLink resolver.
func (r *Resolver) NetworkLink() generated.NetworkLinkResolver { return &networkLinkResolver{r} }

// Subnet returns the Subnet resolver.
func (r *Resolver) Subnet() generated.SubnetResolver { return &subnetResolver{r} }

// DuplicateIP returns the DuplicateIP resolver.
func (r *Resolver) DuplicateIP() generated.DuplicateIPResolver { return &duplicateIPResolver{r} }

// IPUser returns the IPUser resolver.
func (r *Resolver) IPUser() generated.IPUserResolver { return &ipUserResolver{r} }

// Ticket returns the Ticket resolver.
func (r *Resolver) Ticket() generated.TicketResolver { return &ticketResolver{r} }

// Alert returns the Alert resolver.
func (r *Resolver) Alert() generated.AlertResolver { return &alertResolver{r} }

// Agent returns the Agent resolver.
func (r *Resolver) Agent() generated.AgentResolver { return &agentResolver{r} }

// Preferences returns the Preferences resolver.
func (r *Resolver) Preferences() generated.PreferencesResolver { return &preferencesResolver{r} }

// SyncRun returns the SyncRun resolver.
func (r *Resolver) SyncRun() generated.SyncRunResolver { return &syncRunResolver{r} }

// AuditEntry returns the AuditEntry resolver.
func (r *Resolver) AuditEntry() generated.AuditEntryResolver { return &auditEntryResolver{r} }

// Conversions shared by the resolvers.

// keyValues lists a string map as key/value pairs sorted by key.
func keyValues(m map[string]string) []*model.KeyValue {
	out := make([]*model.KeyValue, 0, len(m))
	for k, v := range m {
		out = append(out, &model.KeyValue{Key: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// fromKeyValues turns key/value input into a map, refusing repeated keys.
func fromKeyValues(v *ids, field string, kvs []*model.KeyValueInput) map[string]string {
	m := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		if _, dup := m[kv.Key]; dup {
			v.Add(field, "repeats the key %q", kv.Key)
		}
		m[kv.Key] = kv.Value
	}
	return m
}

// val returns the value of an optional input, or the zero value.
func val[T any](o graphql.Omittable[*T]) T {
	if p := o.Value(); p != nil {
		return *p
	}
	var zero T
	return zero
}

// orZero returns *p, or the zero value for nil.
func orZero[T any](p *T) T {
	if p != nil {
		return *p
	}
	var zero T
	return zero
}

// patch returns a patch field for an omittable input: nil when left out, a pointer to the
// value when set and to the zero value (clear) when null.
func patch[T any](o graphql.Omittable[*T]) *T {
	p, set := o.ValueOK()
	if !set {
		return nil
	}
	if p == nil {
		var zero T
		return &zero
	}
	v := *p
	return &v
}

// required is patch for a field that cannot be cleared: null is an error.
func required[T any](v *ids, field string, o graphql.Omittable[*T]) *T {
	p, set := o.ValueOK()
	if set && p == nil {
		v.Add(field, "cannot be null")
		return nil
	}
	return patch(o)
}

// patchList returns a patch for an omittable list: nil when left out, empty when null.
func patchList[T any](o graphql.Omittable[[]T]) *[]T {
	l, set := o.ValueOK()
	if !set {
		return nil
	}
	if l == nil {
		l = []T{}
	}
	return &l
}

// patchMap returns a patch for omittable key/value input: nil when left out, an empty map
// when null.
func patchMap(v *ids, field string, o graphql.Omittable[[]*model.KeyValueInput]) *map[string]string {
	l, set := o.ValueOK()
	if !set {
		return nil
	}
	m := fromKeyValues(v, field, l)
	return &m
}

// order turns a GraphQL order into a codex order; field is the enum value (NAME, ...).
func order[F ~string](field *F, dir *model.OrderDirection) codex.Order {
	if field == nil {
		return codex.Order{}
	}
	o := codex.Order{Field: strings.ToLower(string(*field))}
	if dir != nil {
		o.Desc = *dir == model.OrderDirectionDesc
	}
	return o
}
