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
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/hivematrix/codex/codex"
)

// Limits refuse an abusive operation before it runs: a document of more than maxTokens
// tokens (TOKEN_LIMIT_EXCEEDED) or more than maxFields fields once its fragments are
// expanded (COMPLEXITY_LIMIT_EXCEEDED), both before gqlgen validates it; a page larger
// than the maximum (BAD_USER_INPUT naming the argument), a selection nested too deeply
// (DEPTH_LIMIT_EXCEEDED) and, through gqlgen's complexity extension and the cost model
// below, an operation that could return too many rows (COMPLEXITY_LIMIT_EXCEEDED).
//
// Every walk here is linear in the document: a fragment's measures are computed once
// and reused at each of its spreads, so a document whose fragments spread the next one
// twice (2^n fields from n lines) costs n steps, not 2^n. The expanded field count is
// checked first, before validation, because gqlgen's validation rules and complexity
// walk expand fragments at every spread and compare fields pairwise: bounding the
// expanded size bounds them.

// limits is a handler extension checking the document's size, page sizes and depth.
type limits struct {
	maxDepth  int
	maxPage   int
	maxTokens int
	maxFields int
	// parsed holds the documents gqlgen has parsed and validated, which have passed the
	// size checks already.
	parsed graphql.Cache[*ast.QueryDocument]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = limits{}

// ExtensionName implements graphql.HandlerExtension.
func (limits) ExtensionName() string { return "CodexLimits" }

// Validate implements graphql.HandlerExtension.
func (limits) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters implements graphql.OperationParameterMutator: it refuses a
// document too large to validate before gqlgen parses and validates it.
func (l limits) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if params.Query == "" {
		return nil
	}
	if l.parsed != nil {
		if _, ok := l.parsed.Get(ctx, params.Query); ok {
			return nil
		}
	}
	return checkSize(params.Query, l.maxTokens, l.maxFields)
}

// checkSize refuses query when it has more than maxTokens tokens or more than maxFields
// fields with its fragments expanded. A document that does not parse passes: gqlgen
// reports the syntax error.
func checkSize(query string, maxTokens, maxFields int) *gqlerror.Error {
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, maxTokens)
	if err != nil {
		if strings.Contains(err.Error(), "exceeded token limit") {
			e := gqlerror.Errorf("the document has more than %d tokens, the limit", maxTokens)
			setCode(e, "TOKEN_LIMIT_EXCEEDED")
			return e
		}
		return nil
	}
	if len(doc.Fragments) > maxFragments {
		e := gqlerror.Errorf("the document defines %d fragments, more than the limit of %d", len(doc.Fragments), maxFragments)
		setCode(e, "COMPLEXITY_LIMIT_EXCEEDED")
		return e
	}
	m := newMeasure(doc.Fragments)
	for _, op := range doc.Operations {
		if n := m.fields(op.SelectionSet); n > maxFields {
			e := gqlerror.Errorf("the operation selects %s fields once its fragments are expanded, more than the limit of %d", countText(n), maxFields)
			setCode(e, "COMPLEXITY_LIMIT_EXCEEDED")
			return e
		}
	}
	for _, op := range doc.Operations {
		if name, n := m.repeats(op.SelectionSet); n > maxRepeats {
			e := gqlerror.Errorf("%q is selected %d times in one selection set, more than the limit of %d", name, n, maxRepeats)
			setCode(e, "COMPLEXITY_LIMIT_EXCEEDED")
			return e
		}
	}
	return nil
}

// maxRepeats is how many fields of one selection set may share a response name once its
// fragments are expanded. GraphQL merges them, and validation compares every pair of
// them (and of their sub-selections): 2,000 copies of `a: __typename` took 3 s to
// validate. Fragments that each select `id` next to one another stay far below it.
const maxRepeats = 32

// maxFragments is how many fragments a document may define: validation compares the
// fields of every pair of fragments spread in one selection set, so 900 one-field
// fragments side by side took 1.5 s.
const maxFragments = 100

func countText(n int) string {
	if n >= math.MaxInt32 {
		return "over 2 billion"
	}
	return fmt.Sprint(n)
}

// MutateOperationContext implements graphql.OperationContextMutator.
func (l limits) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	op := oc.Operation
	if op == nil {
		return nil
	}
	if err := l.checkPages(op.SelectionSet, oc.Variables, map[string]bool{}); err != nil {
		return err
	}
	if d := newMeasure(oc.Doc.Fragments).depth(op.SelectionSet); d > l.maxDepth {
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
			if seen[s.Name] {
				continue
			}
			seen[s.Name] = true
			def := s.Definition
			if def == nil {
				continue
			}
			if err := l.checkPages(def.SelectionSet, vars, seen); err != nil {
				return err
			}
		}
	}
	return nil
}

// measure computes a document's depth and expanded field count, each fragment's once.
// A fragment met again while it is being measured (a cycle, which validation refuses)
// counts as nothing.
type measure struct {
	fragments map[string]*ast.FragmentDefinition
	depths    map[string]int
	counts    map[string]int
	tops      map[string]map[string]int
	checked   map[string]bool
	busy      map[string]bool
}

func newMeasure(fragments ast.FragmentDefinitionList) *measure {
	byName := make(map[string]*ast.FragmentDefinition, len(fragments))
	for _, f := range fragments {
		if _, dup := byName[f.Name]; !dup {
			byName[f.Name] = f
		}
	}
	return &measure{fragments: byName, depths: map[string]int{}, counts: map[string]int{},
		tops: map[string]map[string]int{}, checked: map[string]bool{}, busy: map[string]bool{}}
}

// depth returns how many fields deep set nests, fragments included. Introspection
// (__schema, __type) is exempt: GraphiQL's own query is deep by nature.
func (m *measure) depth(set ast.SelectionSet) int {
	deepest := 0
	for _, sel := range set {
		d := 0
		switch s := sel.(type) {
		case *ast.Field:
			if strings.HasPrefix(s.Name, "__") {
				continue
			}
			d = 1 + m.depth(s.SelectionSet)
		case *ast.InlineFragment:
			d = m.depth(s.SelectionSet)
		case *ast.FragmentSpread:
			d = m.spread(s.Name, m.depths, m.depth)
		}
		deepest = max(deepest, d)
	}
	return deepest
}

// fields returns how many fields set selects with its fragments expanded, saturating at
// math.MaxInt32.
func (m *measure) fields(set ast.SelectionSet) int {
	n := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			n = sat(n, sat(1, m.fields(s.SelectionSet)))
		case *ast.InlineFragment:
			n = sat(n, m.fields(s.SelectionSet))
		case *ast.FragmentSpread:
			n = sat(n, m.spread(s.Name, m.counts, m.fields))
		}
	}
	return n
}

// repeats returns the response name selected most often in one selection set anywhere
// in set, and how often. Call it after fields has bounded the expanded size: the work is
// linear in that size.
func (m *measure) repeats(set ast.SelectionSet) (string, int) {
	name, most := "", 0
	for k, n := range m.top(set) {
		if n > most || (n == most && k < name) {
			name, most = k, n
		}
	}
	if sub, n := m.nestedRepeats(set); n > most {
		name, most = sub, n
	}
	return name, most
}

// nestedRepeats is repeats over the sub-selections of set's fields and fragments.
func (m *measure) nestedRepeats(set ast.SelectionSet) (string, int) {
	name, most := "", 0
	keep := func(k string, n int) {
		if n > most {
			name, most = k, n
		}
	}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if len(s.SelectionSet) > 0 {
				keep(m.repeats(s.SelectionSet))
			}
		case *ast.InlineFragment:
			keep(m.nestedRepeats(s.SelectionSet))
		case *ast.FragmentSpread:
			def := m.fragments[s.Name]
			if def == nil || m.checked[s.Name] {
				continue
			}
			m.checked[s.Name] = true
			keep(m.nestedRepeats(def.SelectionSet))
		}
	}
	return name, most
}

// top counts the response names set selects at its own level, fragments expanded.
func (m *measure) top(set ast.SelectionSet) map[string]int {
	counts := map[string]int{}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			counts[s.Alias]++
		case *ast.InlineFragment:
			for k, n := range m.top(s.SelectionSet) {
				counts[k] += n
			}
		case *ast.FragmentSpread:
			for k, n := range m.fragmentTop(s.Name) {
				counts[k] += n
			}
		}
	}
	return counts
}

// fragmentTop is top of fragment name, computed once.
func (m *measure) fragmentTop(name string) map[string]int {
	if c, ok := m.tops[name]; ok {
		return c
	}
	def := m.fragments[name]
	if def == nil || m.busy[name] {
		return nil
	}
	m.busy[name] = true
	c := m.top(def.SelectionSet)
	delete(m.busy, name)
	m.tops[name] = c
	return c
}

// spread returns the measure of fragment name from memo, computing it with f the first
// time.
func (m *measure) spread(name string, memo map[string]int, f func(ast.SelectionSet) int) int {
	if v, ok := memo[name]; ok {
		return v
	}
	def := m.fragments[name]
	if def == nil || m.busy[name] {
		return 0
	}
	m.busy[name] = true
	v := f(def.SelectionSet)
	delete(m.busy, name)
	memo[name] = v
	return v
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
