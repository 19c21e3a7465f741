package graph

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vikstrous/dataloadgen"

	"github.com/hivematrix/codex/codex"
)

// Dataloaders.
//
// Every relation is loaded through a per-request dataloadgen loader whose fetch calls one
// batch method of codex.Services ("...ByIDs", "...ByCompanies", ...), so a relation of all
// the rows of a list costs one statement, however long the list.
//
// A plain dataloader batches whatever keys arrive within its wait window, so how many
// statements a request issues would depend on goroutine timing. Codex makes batching
// exact instead: every list a resolver or a fetch produces is remembered as a sibling
// group, and the first time a relation is loaded for one member of a group, the loader
// is asked for the keys of every member at once (the whole level), with a batch capacity
// equal to their number, so the batch is dispatched immediately and completely. The other
// siblings then find their values in the loader's cache. A request therefore issues one
// statement per relation and level, independent of page sizes and of scheduling, and no
// level waits for a timer. Objects outside any group (rare) fall back to the wait window.

// fallbackWait is how long a loader for objects outside any sibling group collects keys.
const fallbackWait = 2 * time.Millisecond

// Loaders is one request's set of dataloaders, created lazily: one per relation, argument
// set (a nested connection's filter, order and window) and sibling group.
type Loaders struct {
	svc codex.Services

	mu      sync.Mutex
	loaders map[loaderKey]any
	groups  map[any]*group
	// perSibling holds what a field works out once for a sibling group (sameForSiblings).
	perSibling map[siblingKey]any
	// plans is the billing plan catalogue, read once per request (Company.plan).
	plans    []*codex.BillingPlan
	plansErr error
	plansSet bool
}

// loaderKey names one loader: a relation, its arguments and the group it serves.
type loaderKey struct {
	rel   string
	args  string
	group *group
}

// group is a list of sibling objects (a []*T) produced together.
type group struct {
	members any
}

type loadersKey struct{}

// NewLoaders returns an empty set of loaders over svc, for one request.
func NewLoaders(svc codex.Services) *Loaders {
	return &Loaders{svc: svc, loaders: map[loaderKey]any{}, groups: map[any]*group{}, perSibling: map[siblingKey]any{}}
}

// WithLoaders returns a context carrying l.
func WithLoaders(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, loadersKey{}, l)
}

// LoaderMiddleware gives every request its own Loaders over svc. NewHandler installs it;
// it is exported for servers that mount the GraphQL executor themselves.
func LoaderMiddleware(svc codex.Services) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(WithLoaders(r.Context(), NewLoaders(svc))))
		})
	}
}

// loadersFrom returns the request's loaders; a request without them is a wiring mistake
// (the panic becomes an INTERNAL error).
func loadersFrom(ctx context.Context) *Loaders {
	if l, ok := ctx.Value(loadersKey{}).(*Loaders); ok {
		return l
	}
	panic("graph: no loaders in the request context (install graph.LoaderMiddleware)")
}

// remember records items as one sibling group and returns them.
func remember[T any](l *Loaders, items []*T) []*T {
	if len(items) == 0 {
		return items
	}
	g := &group{members: items}
	l.mu.Lock()
	for _, it := range items {
		if it == nil {
			continue
		}
		if _, ok := l.groups[it]; !ok {
			l.groups[it] = g
		}
	}
	l.mu.Unlock()
	return items
}

// rememberAll records the items of all lists as one sibling group (one level of a tree).
func rememberAll[T any](l *Loaders, lists [][]*T) {
	n := 0
	for _, list := range lists {
		n += len(list)
	}
	all := make([]*T, 0, n)
	for _, list := range lists {
		all = append(all, list...)
	}
	remember(l, all)
}

// fetchFunc is a dataloadgen fetch: one value and one error per key, in key order.
type fetchFunc[K comparable, V any] func(ctx context.Context, keys []K) ([]V, []error)

// load returns the value of relation rel (with arguments args) for obj, whose key is
// key(obj); ok false from key means obj has no such relation and yields the zero value.
// The first load of a relation for a member of a sibling group loads it for the whole
// group; fetch is called once per batch and must return values in key order.
func load[T any, K comparable, V any](ctx context.Context, obj *T, rel, args string,
	key func(*T) (K, bool), fetch fetchFunc[K, V]) (V, error) {
	k, ok := key(obj)
	if !ok {
		var zero V
		return zero, nil
	}
	return loaderFor(ctx, obj, rel, args, key, fetch).Load(ctx, k)
}

// loaderFor returns the loader of rel and args for obj's group, creating it (and asking it
// for the whole group's keys) on first use.
func loaderFor[T any, K comparable, V any](ctx context.Context, obj *T, rel, args string,
	key func(*T) (K, bool), fetch fetchFunc[K, V]) *dataloadgen.Loader[K, V] {
	l := loadersFrom(ctx)
	l.mu.Lock()
	defer l.mu.Unlock()
	g := l.groups[obj]
	lk := loaderKey{rel: rel, args: args, group: g}
	if ld, ok := l.loaders[lk]; ok {
		return ld.(*dataloadgen.Loader[K, V])
	}
	if g == nil {
		ld := dataloadgen.NewLoader(fetch, dataloadgen.WithWait(fallbackWait))
		l.loaders[lk] = ld
		return ld
	}
	members, _ := g.members.([]*T)
	seen := make(map[K]bool, len(members))
	keys := make([]K, 0, len(members))
	for _, m := range members {
		if mk, ok := key(m); ok && !seen[mk] {
			seen[mk] = true
			keys = append(keys, mk)
		}
	}
	if k, ok := key(obj); ok && !seen[k] {
		keys = append(keys, k) // obj is a member; this only guards against a mismatched group
	}
	// The batch holds exactly the group's keys, so adding the last one dispatches it.
	ld := dataloadgen.NewLoader(fetch, dataloadgen.WithBatchCapacity(len(keys)), dataloadgen.WithWait(fallbackWait))
	l.loaders[lk] = ld
	for _, k := range keys {
		ld.LoadThunk(ctx, k)
	}
	return ld
}

// byIDs adapts a "...ByIDs" batch method: the rows it returns form one sibling group.
func byIDs[T any](l *Loaders, f func(ctx context.Context, ids []int64) ([]*T, []error)) fetchFunc[int64, *T] {
	return func(ctx context.Context, ids []int64) ([]*T, []error) {
		items, errs := f(ctx, ids)
		remember(l, items)
		return items, errs
	}
}

// byParents adapts a per-parent batch method: all rows it returns form one sibling group.
func byParents[T any](l *Loaders, f func(ctx context.Context, keys []int64) ([][]*T, error)) fetchFunc[int64, []*T] {
	return func(ctx context.Context, keys []int64) ([][]*T, []error) {
		lists, err := f(ctx, keys)
		if err != nil {
			return nil, []error{err}
		}
		rememberAll(l, lists)
		return lists, nil
	}
}

// byParentsValues adapts a per-parent batch method returning values (links, assignments),
// turning them into pointers so that they can form a sibling group.
func byParentsValues[T any](l *Loaders, f func(ctx context.Context, keys []int64) ([][]T, error)) fetchFunc[int64, []*T] {
	return byParents(l, func(ctx context.Context, keys []int64) ([][]*T, error) {
		lists, err := f(ctx, keys)
		if err != nil {
			return nil, err
		}
		out := make([][]*T, len(lists))
		for i, list := range lists {
			out[i] = make([]*T, len(list))
			for j := range list {
				out[i][j] = &list[j]
			}
		}
		return out, nil
	})
}

// perKey adapts a batch method returning one plain value per key (counts, subnets).
func perKey[K comparable, V any](f func(ctx context.Context, keys []K) ([]V, error)) fetchFunc[K, V] {
	return func(ctx context.Context, keys []K) ([]V, []error) {
		vs, err := f(ctx, keys)
		if err != nil {
			return nil, []error{err}
		}
		return vs, nil
	}
}

// eachKey adapts a method with no batch form: it is called once per key (used only for
// relations meant for one object at a time, such as a company's descendants).
func eachKey[K comparable, V any](f func(ctx context.Context, key K) (V, error)) fetchFunc[K, V] {
	return func(ctx context.Context, keys []K) ([]V, []error) {
		vs := make([]V, len(keys))
		errs := make([]error, len(keys))
		for i, k := range keys {
			vs[i], errs[i] = f(ctx, k)
		}
		return vs, errs
	}
}

// optional turns a NotFound error into a nil result: a relation to a row that is gone or
// out of the caller's reach is null, like a row that never existed.
func optional[T any](v *T, err error) (*T, error) {
	if codex.IsNotFound(err) {
		return nil, nil
	}
	return v, err
}

// some is the key function of relations keyed by a nullable id.
func some(id *int64) (int64, bool) {
	if id == nil || *id == 0 {
		return 0, false
	}
	return *id, true
}

// sameForSiblings returns compute's result for the field being resolved under parent
// (what names the computation), computed once for all of parent's siblings at the same
// place in the response: GraphQL merges the selections of a response path, so a field
// has the same arguments and selection under each sibling there. (One group can appear
// at several places, e.g. under two aliases of one relation, hence the path in the key.)
// A parent outside any group (or none: a root field) computes its own.
func sameForSiblings[V any](ctx context.Context, parent any, what string, compute func() V) V {
	fc := graphql.GetFieldContext(ctx)
	l, ok := ctx.Value(loadersKey{}).(*Loaders)
	if !ok || parent == nil || fc == nil {
		return compute()
	}
	l.mu.Lock()
	g := l.groups[parent]
	l.mu.Unlock()
	if g == nil {
		return compute()
	}
	key := siblingKey{group: g, path: responsePath(fc), what: what}
	l.mu.Lock()
	v, ok := l.perSibling[key]
	l.mu.Unlock()
	if ok {
		return v.(V)
	}
	out := compute()
	l.mu.Lock()
	l.perSibling[key] = out
	l.mu.Unlock()
	return out
}

// siblingKey names a computation for a field under the members of one group at one
// response path.
type siblingKey struct {
	group *group
	path  string
	what  string
}

// responsePath is fc's path in the response without list indices: "company.children.contacts".
func responsePath(fc *graphql.FieldContext) string {
	var keys []string
	for f := fc; f != nil; f = f.Parent {
		if f.Index == nil && f.Field.Field != nil {
			keys = append(keys, f.Field.Alias)
		}
	}
	slices.Reverse(keys)
	return strings.Join(keys, ".")
}
