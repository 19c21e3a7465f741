package graph

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/graph/model"
)

// Connections.
//
// A top-level connection (Query.companies, ...) is one call of the service's list method
// with the caller's first/after/last/before; its cursors are the store's keyset cursors.
//
// A connection under an object (Company.contacts, ...) is loaded for every object of the
// level at once through a per-parent batch method, windowed to first+1 rows per parent
// (the extra row tells hasNextPage). Its cursors are positions; asking for a later page
// with `after` lists that one parent's rows from that position with the service's list
// method (one statement per parent, which is what paging one company's rows needs).
//
// totalCount is counted only when it is selected, and rows are loaded only when edges,
// nodes or pageInfo are, so the statements a request issues depend on its shape alone.

// Page sizes when first and last are left out.
const (
	defaultPageSize   = 50  // top-level connections
	defaultNestedSize = 100 // connections under an object
)

// list is one page of any connection, before it takes its GraphQL type.
type list[T any] struct {
	nodes   []*T
	cursors []string
	info    *model.PageInfo
	total   int
}

// selected reports whether the field being resolved selects any of names.
func selected(ctx context.Context, names ...string) bool {
	if graphql.GetFieldContext(ctx) == nil {
		return true
	}
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if slices.Contains(names, f.Name) {
			return true
		}
	}
	return false
}

// wantRows reports whether a connection's rows are selected.
func wantRows(ctx context.Context) bool { return selected(ctx, "edges", "nodes", "pageInfo") }

// pageArgs turns a top-level connection's arguments into PageArgs, refusing pages larger
// than the maximum.
func (r *Resolver) pageArgs(ctx context.Context, first *int, after *string, last *int, before *string) (codex.PageArgs, error) {
	p := codex.PageArgs{First: first, Last: last, WantTotal: selected(ctx, "totalCount")}
	if after != nil {
		p.After = *after
	}
	if before != nil {
		p.Before = *before
	}
	if _, err := p.Limit(defaultPageSize, r.opts.MaxPageSize); err != nil {
		return p, err
	}
	if !wantRows(ctx) {
		zero := 0
		p = codex.PageArgs{First: &zero, WantTotal: p.WantTotal}
	}
	return p, nil
}

// fromPage turns a service's page into a list, remembering its rows as one sibling group.
func fromPage[T any](ctx context.Context, pg *codex.Page[T]) *list[T] {
	remember(loadersFrom(ctx), pg.Items)
	info := &model.PageInfo{HasNextPage: pg.HasNextPage, HasPreviousPage: pg.HasPreviousPage}
	if n := len(pg.Cursors); n > 0 {
		info.StartCursor, info.EndCursor = &pg.Cursors[0], &pg.Cursors[n-1]
	}
	return &list[T]{nodes: pg.Items, cursors: pg.Cursors, info: info, total: pg.TotalCount}
}

// window is a nested connection's page: up to first rows from position offset.
type window struct {
	first, offset int
}

// window validates a nested connection's first and after.
func (r *Resolver) window(first *int, after *string) (window, error) {
	var v codex.Validation
	w := window{first: defaultNestedSize}
	if first != nil {
		w.first = *first
		v.Check(w.first >= 0 && w.first <= r.opts.MaxPageSize, "first", "must be between 0 and %d", r.opts.MaxPageSize)
	}
	if after != nil && *after != "" {
		pos, ok := parsePosition(*after)
		v.Check(ok, "after", "is not a valid cursor")
		w.offset = pos + 1
	}
	return w, v.Err()
}

// position returns the cursor of the row at pos (0-based) of a nested connection.
func position(pos int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("pos:" + strconv.Itoa(pos)))
}

func parsePosition(s string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(b), "pos:"))
	return n, err == nil && n >= 0 && strings.HasPrefix(string(b), "pos:")
}

// nestedList says how to load one kind of nested connection.
type nestedList[T any] struct {
	// rel names the relation ("company.contacts"); args (a codex filter) are part of the
	// loader's key, so fields with different arguments get different loaders.
	rel  string
	args any
	// rows loads up to limit rows of each parent, in key order.
	rows func(ctx context.Context, keys []int64, limit int) ([][]*T, error)
	// count counts each parent's rows; nil counts with page, one parent at a time.
	count func(ctx context.Context, keys []int64) ([]int, error)
	// page lists one parent's rows from an offset (for `after`).
	page func(ctx context.Context, key int64, p codex.PageArgs) (*codex.Page[T], error)
}

// nestedPlan is what a nested connection's field asks for: its loaders' argument key and
// whether it selects the total and the rows.
type nestedPlan struct {
	args                string
	wantTotal, wantRows bool
}

// nested resolves a connection under parent, whose id is id.
func nested[P, T any](ctx context.Context, r *Resolver, parent *P, id func(*P) (int64, bool),
	first *int, after *string, n nestedList[T]) (*list[T], error) {
	w, err := r.window(first, after)
	if err != nil {
		return nil, err
	}
	key, _ := id(parent)
	l := loadersFrom(ctx)
	// What the field asks for is the same under every sibling at this place of the
	// response: work it out once.
	plan := sameForSiblings(ctx, parent, "nested", func() nestedPlan {
		argsJSON, _ := json.Marshal(n.args)
		return nestedPlan{args: string(argsJSON), wantTotal: selected(ctx, "totalCount"), wantRows: wantRows(ctx)}
	})
	args, wantTotal := plan.args, plan.wantTotal
	out := &list[T]{nodes: []*T{}, cursors: []string{}, info: &model.PageInfo{HasPreviousPage: w.offset > 0}}

	// Start both loads before waiting on either.
	var rows func() ([]*T, error)
	var count func() (int, error)
	if wantTotal && n.count != nil {
		ld := loaderFor(ctx, parent, n.rel+".count", args, id, perKey(n.count))
		count = ld.LoadThunk(ctx, key)
	}
	if plan.wantRows && w.offset == 0 {
		limit := w.first + 1
		ld := loaderFor(ctx, parent, n.rel, args+"|"+strconv.Itoa(limit), id,
			byParents(l, func(ctx context.Context, keys []int64) ([][]*T, error) { return n.rows(ctx, keys, limit) }))
		rows = ld.LoadThunk(ctx, key)
	}

	counted := false
	switch {
	case rows != nil:
		items, err := rows()
		if err != nil {
			return nil, err
		}
		if len(items) > w.first {
			items, out.info.HasNextPage = items[:w.first], true
		}
		out.nodes = items
	case plan.wantRows: // a later page
		counted = wantTotal && n.count == nil
		pg, err := n.page(ctx, key, codex.PageArgs{First: &w.first, Offset: w.offset, WantTotal: counted})
		if err != nil {
			return nil, err
		}
		remember(l, pg.Items)
		out.nodes, out.info.HasNextPage, out.total = pg.Items, pg.HasNextPage, pg.TotalCount
	}
	if wantTotal && n.count == nil && !counted {
		zero := 0
		pg, err := n.page(ctx, key, codex.PageArgs{First: &zero, WantTotal: true})
		if err != nil {
			return nil, err
		}
		out.total = pg.TotalCount
	}
	out.cursors = make([]string, len(out.nodes))
	for i := range out.nodes {
		out.cursors[i] = position(w.offset + i)
	}
	if k := len(out.cursors); k > 0 {
		out.info.StartCursor, out.info.EndCursor = &out.cursors[0], &out.cursors[k-1]
	}
	if count != nil {
		if out.total, err = count(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// The connection types.

func companyConnection(l *list[codex.Company]) *model.CompanyConnection {
	edges := make([]*model.CompanyEdge, len(l.nodes))
	for i, n := range l.nodes {
		edges[i] = &model.CompanyEdge{Cursor: l.cursors[i], Node: n}
	}
	return &model.CompanyConnection{Edges: edges, Nodes: l.nodes, PageInfo: l.info, TotalCount: l.total}
}

func contactConnection(l *list[codex.Contact]) *model.ContactConnection {
	edges := make([]*model.ContactEdge, len(l.nodes))
	for i, n := range l.nodes {
		edges[i] = &model.ContactEdge{Cursor: l.cursors[i], Node: n}
	}
	return &model.ContactConnection{Edges: edges, Nodes: l.nodes, PageInfo: l.info, TotalCount: l.total}
}

func assetConnection(l *list[codex.Asset]) *model.AssetConnection {
	edges := make([]*model.AssetEdge, len(l.nodes))
	for i, n := range l.nodes {
		edges[i] = &model.AssetEdge{Cursor: l.cursors[i], Node: n}
	}
	return &model.AssetConnection{Edges: edges, Nodes: l.nodes, PageInfo: l.info, TotalCount: l.total}
}

func equipmentConnection(l *list[codex.NetworkEquipment]) *model.NetworkEquipmentConnection {
	edges := make([]*model.NetworkEquipmentEdge, len(l.nodes))
	for i, n := range l.nodes {
		edges[i] = &model.NetworkEquipmentEdge{Cursor: l.cursors[i], Node: n}
	}
	return &model.NetworkEquipmentConnection{Edges: edges, Nodes: l.nodes, PageInfo: l.info, TotalCount: l.total}
}

func ticketConnection(l *list[codex.Ticket]) *model.TicketConnection {
	edges := make([]*model.TicketEdge, len(l.nodes))
	for i, n := range l.nodes {
		edges[i] = &model.TicketEdge{Cursor: l.cursors[i], Node: n}
	}
	return &model.TicketConnection{Edges: edges, Nodes: l.nodes, PageInfo: l.info, TotalCount: l.total}
}

func alertConnection(l *list[codex.Alert]) *model.AlertConnection {
	edges := make([]*model.AlertEdge, len(l.nodes))
	for i, n := range l.nodes {
		edges[i] = &model.AlertEdge{Cursor: l.cursors[i], Node: n}
	}
	return &model.AlertConnection{Edges: edges, Nodes: l.nodes, PageInfo: l.info, TotalCount: l.total}
}

func auditConnection(l *list[codex.AuditEntry]) *model.AuditEntryConnection {
	edges := make([]*model.AuditEntryEdge, len(l.nodes))
	for i, n := range l.nodes {
		edges[i] = &model.AuditEntryEdge{Cursor: l.cursors[i], Node: n}
	}
	return &model.AuditEntryConnection{Edges: edges, Nodes: l.nodes, PageInfo: l.info, TotalCount: l.total}
}

func syncRunConnection(l *list[codex.SyncRun]) *model.SyncRunConnection {
	edges := make([]*model.SyncRunEdge, len(l.nodes))
	for i, n := range l.nodes {
		edges[i] = &model.SyncRunEdge{Cursor: l.cursors[i], Node: n}
	}
	return &model.SyncRunConnection{Edges: edges, Nodes: l.nodes, PageInfo: l.info, TotalCount: l.total}
}

func agentConnection(l *list[codex.Agent]) *model.AgentConnection {
	edges := make([]*model.AgentEdge, len(l.nodes))
	for i, n := range l.nodes {
		edges[i] = &model.AgentEdge{Cursor: l.cursors[i], Node: n}
	}
	return &model.AgentConnection{Edges: edges, Nodes: l.nodes, PageInfo: l.info, TotalCount: l.total}
}
