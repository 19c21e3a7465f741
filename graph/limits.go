package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/hivematrix/codex/codex"
)

// Limits refuse an abusive operation before it runs: a page larger than the maximum
// (BAD_USER_INPUT naming the argument), a selection nested too deeply
// (DEPTH_LIMIT_EXCEEDED) and, through gqlgen's complexity extension and the cost model
// below, an operation that could return too many rows (COMPLEXITY_LIMIT_EXCEEDED).

// limits is a handler extension checking page sizes and depth.
type limits struct {
	maxDepth int
	maxPage  int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = limits{}

// ExtensionName implements graphql.HandlerExtension.
func (limits) ExtensionName() string { return "CodexLimits" }

// Validate implements graphql.HandlerExtension.
func (limits) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext implements graphql.OperationContextMutator.
func (l limits) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	op := oc.Operation
	if op == nil {
		return nil
	}
	if err := l.checkPages(op.SelectionSet, oc.Variables, map[string]bool{}); err != nil {
		return err
	}
	if d := depth(op.SelectionSet, map[string]bool{}); d > l.maxDepth {
		err := gqlerror.Errorf("the operation is nested %d levels deep, more than the limit of %d", d, l.maxDepth)
		setCode(err, "DEPTH_LIMIT_EXCEEDED")
		return err
	}
	return nil
}

// checkPages refuses a first or last argument outside 0..maxPage anywhere in set.
func (l limits) checkPages(set ast.SelectionSet, vars map[string]any, seen map[string]bool) *gqlerror.Error {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			for _, a := range s.Arguments {
				if a.Name != "first" && a.Name != "last" {
					continue
				}
				v, err := a.Value.Value(vars)
				if err != nil || v == nil {
					continue
				}
				if n, ok := toInt(v); ok && (n < 0 || n > int64(l.maxPage)) {
					err := gqlerror.Errorf("%s of %s must be between 0 and %d (asked for %d)", a.Name, s.Alias, l.maxPage, n)
					setCode(err, errorCodes[codex.Invalid])
					err.Extensions["fields"] = map[string]any{a.Name: fmt.Sprintf("must be between 0 and %d", l.maxPage)}
					err.Locations = []gqlerror.Location{{Line: a.Position.Line, Column: a.Position.Column}}
					return err
				}
			}
			if err := l.checkPages(s.SelectionSet, vars, seen); err != nil {
				return err
			}
		case *ast.InlineFragment:
			if err := l.checkPages(s.SelectionSet, vars, seen); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			if s.Definition == nil || seen[s.Name] {
				continue
			}
			seen[s.Name] = true
			if err := l.checkPages(s.Definition.SelectionSet, vars, seen); err != nil {
				return err
			}
		}
	}
	return nil
}

// depth returns how many fields deep set nests, fragments included. Introspection
// (__schema, __type) is exempt: GraphiQL's own query is deep by nature.
func depth(set ast.SelectionSet, path map[string]bool) int {
	deepest := 0
	for _, sel := range set {
		d := 0
		switch s := sel.(type) {
		case *ast.Field:
			if strings.HasPrefix(s.Name, "__") {
				continue
			}
			d = 1 + depth(s.SelectionSet, path)
		case *ast.InlineFragment:
			d = depth(s.SelectionSet, path)
		case *ast.FragmentSpread:
			if s.Definition == nil || path[s.Name] {
				continue
			}
			path[s.Name] = true
			d = depth(s.Definition.SelectionSet, path)
			delete(path, s.Name)
		}
		deepest = max(deepest, d)
	}
	return deepest
}

func toInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case float64:
		if n > math.MaxInt64 || n < math.MinInt64 {
			return math.MaxInt64, true
		}
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		if err != nil {
			f, ferr := n.Float64()
			if ferr != nil {
				return 0, false
			}
			return toInt(f)
		}
		return i, true
	}
	return 0, false
}

// Costs.
//
// An operation's complexity estimates the rows it can return. Scalars are free; an object
// costs 1 plus what is selected in it; a connection costs 1 plus its page size (first,
// last, or the default) times the cost of one row; another list costs 1 plus an assumed
// length of listLength (descendants: subtreeLength) times one element. A top-level field
// costs rootCost more, so a flood of aliased lookups adds up. Thus
// companies(first: 100) { nodes { assets(first: 50) { nodes { name } } } } costs about
// 100 × 50. A connection of which only totalCount is selected costs 1.

const (
	rootCost      = 25
	listLength    = 5
	subtreeLength = 50
)

// costKind is how a field's cost is computed.
type costKind int

const (
	costFree        costKind = iota // a scalar or enum
	costObject                      // 1 + child
	costPassthrough                 // child (edge.node, pageInfo)
	costPerRow                      // 1 + child (a connection's edges or nodes)
	costConnection                  // 1 + page size × child
	costList                        // 1 + listLength × child
	costSubtree                     // 1 + subtreeLength × child
)

// costs wraps the generated executable schema with the cost model.
type costs struct {
	graphql.ExecutableSchema
	kinds map[string]costKind // "Type.field"
}

// withCosts classifies every field of the schema once.
func withCosts(es graphql.ExecutableSchema) costs {
	c := costs{ExecutableSchema: es, kinds: map[string]costKind{}}
	s := es.Schema()
	for _, t := range s.Types {
		if t.Kind != ast.Object && t.Kind != ast.Interface {
			continue
		}
		for _, f := range t.Fields {
			c.kinds[t.Name+"."+f.Name] = classify(s, t, f)
		}
	}
	return c
}

func classify(s *ast.Schema, owner *ast.Definition, f *ast.FieldDefinition) costKind {
	target := s.Types[f.Type.Name()]
	if target == nil || (target.Kind != ast.Object && target.Kind != ast.Interface && target.Kind != ast.Union) {
		return costFree
	}
	switch {
	case strings.HasSuffix(target.Name, "Connection"):
		return costConnection
	case strings.HasSuffix(owner.Name, "Connection") && (f.Name == "edges" || f.Name == "nodes"):
		return costPerRow
	case strings.HasSuffix(owner.Name, "Edge") && f.Name == "node", target.Name == "PageInfo":
		return costPassthrough
	case owner.Name == "SearchResult":
		return costPerRow // Query.search multiplies by its first
	case f.Arguments.ForName("first") != nil || f.Arguments.ForName("ids") != nil:
		return costConnection // search, nodes
	case f.Name == "descendants":
		return costSubtree
	case f.Type.Elem != nil:
		return costList
	}
	return costObject
}

// Complexity implements graphql.ExecutableSchema with the cost model.
func (c costs) Complexity(_ context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
	kind, ok := c.kinds[typeName+"."+field]
	if !ok {
		return 0, false
	}
	base := 1
	if typeName == "Query" || typeName == "Mutation" {
		base = rootCost
	}
	one := max(child, 1)
	switch kind {
	case costFree:
		return 0, true
	case costPassthrough:
		return child, true
	case costPerRow:
		return sat(1, child), true
	case costConnection:
		if child == 0 {
			return base, true // only totalCount: one count per parent
		}
		n := int64(defaultNestedSize)
		if typeName == "Query" {
			n = defaultPageSize
		}
		if field == "nodes" {
			if ids, ok := args["ids"].([]any); ok {
				n = int64(len(ids))
			}
		}
		for _, a := range []string{"first", "last"} {
			if v, ok := toInt(args[a]); ok && v >= 0 {
				n = v
			}
		}
		return sat(base, mul(n, one)), true
	case costList:
		return sat(base, mul(listLength, one)), true
	case costSubtree:
		return sat(base, mul(subtreeLength, one)), true
	}
	return sat(base, child), true
}

// mul and sat compute costs without overflowing.
func mul(n int64, c int) int {
	if n > 0 && int64(c) > math.MaxInt32/n {
		return math.MaxInt32
	}
	return int(n) * c
}

func sat(a, b int) int {
	if a > math.MaxInt32-b {
		return math.MaxInt32
	}
	return a + b
}
