package codex

import "slices"

// MaxPageSize is the largest page a GraphQL connection returns; larger requests are refused.
const MaxPageSize = 500

// Order is a sort order for a list: a field name the entity accepts, and its direction.
// Every order ends with the id as a tie-breaker, so pages are stable.
type Order struct {
	Field string
	Desc  bool
}

// CheckOrder validates o against the fields allowed for an entity, defaulting to def.
func CheckOrder(o Order, allowed []string, def string) (Order, error) {
	if o.Field == "" {
		o.Field = def
	}
	if !slices.Contains(allowed, o.Field) {
		var v Validation
		v.Add("order_by", "must be one of %v", allowed)
		return o, v.Err()
	}
	return o, nil
}

// PageArgs asks for one page of a list: forward with First/After, backward with Last/Before
// (Relay cursors), or by Offset (the REST compatibility layer). Cursors are opaque strings
// made by the store.
type PageArgs struct {
	First  *int
	After  string
	Last   *int
	Before string
	Offset int
	// WantTotal asks for the total count of matching rows (one more statement).
	WantTotal bool
}

// Page is one page of a list with what a Relay connection needs.
type Page[T any] struct {
	Items           []*T
	Cursors         []string
	TotalCount      int
	HasNextPage     bool
	HasPreviousPage bool
}

// Limit returns how many rows a, with default def and maximum max, asks for, or an error
// naming the argument when it is out of range.
func (a PageArgs) Limit(def, max int) (int, error) {
	var v Validation
	if a.First != nil && a.Last != nil {
		v.Add("first", "cannot be combined with last")
	}
	n := def
	if a.First != nil {
		n = *a.First
		v.Check(n >= 0 && n <= max, "first", "must be between 0 and %d", max)
	}
	if a.Last != nil {
		n = *a.Last
		v.Check(n >= 0 && n <= max, "last", "must be between 0 and %d", max)
	}
	v.Check(a.Offset >= 0 && a.Offset <= MaxOffset, "offset", "must be between 0 and %d (page further with cursors)", MaxOffset)
	return n, v.Err()
}

// MaxOffset is the largest offset a page may start at: deeper pages are read with
// cursors, which cost the same at any depth (an offset makes the database skip rows).
const MaxOffset = 1_000_000

// Backward reports whether a pages backward (last/before).
func (a PageArgs) Backward() bool { return a.Last != nil || (a.Before != "" && a.First == nil) }
