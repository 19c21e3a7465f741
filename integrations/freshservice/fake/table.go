package fake

import (
	"encoding/json"
	"slices"
)

// table keeps records in listing order, plus malformed raw records among them.
type table[T any] struct {
	next  int64
	order []row
	byID  map[int64]*T
}

// row is one listed record: a stored record's id, or a malformed raw record.
type row struct {
	id  int64
	raw json.RawMessage
}

func newTable[T any](firstID int64) table[T] {
	return table[T]{next: firstID, byID: map[int64]*T{}}
}

// newID returns an unused id.
func (t *table[T]) newID() int64 {
	for {
		id := t.next
		t.next++
		if _, taken := t.byID[id]; !taken {
			return id
		}
	}
}

// put stores v under id, appending it to the listing if it is new.
func (t *table[T]) put(id int64, v *T) {
	if _, ok := t.byID[id]; !ok {
		t.order = append(t.order, row{id: id})
	}
	t.byID[id] = v
	if id >= t.next {
		t.next = id + 1
	}
}

// addRaw appends a malformed record to the listing.
func (t *table[T]) addRaw(raw json.RawMessage) {
	t.order = append(t.order, row{raw: slices.Clone(raw)})
}

// remove deletes id; it reports whether it was there.
func (t *table[T]) remove(id int64) bool {
	if _, ok := t.byID[id]; !ok {
		return false
	}
	delete(t.byID, id)
	t.order = slices.DeleteFunc(t.order, func(r row) bool { return r.raw == nil && r.id == id })
	return true
}

// listing is a list to page through; at returns a record to encode (a *T, a wire form of
// one, or a json.RawMessage for a malformed record).
type listing interface {
	len() int
	at(i int) any
}

// items is a listing held in a slice.
type items []any

func (l items) len() int     { return len(l) }
func (l items) at(i int) any { return l[i] }

// tableListing lists a whole table without copying it.
type tableListing[T any] struct{ t *table[T] }

func (l tableListing[T]) len() int { return len(l.t.order) }
func (l tableListing[T]) at(i int) any {
	if r := l.t.order[i]; r.raw != nil {
		return r.raw
	} else {
		return l.t.byID[r.id]
	}
}

// all lists every record of the table.
func (t *table[T]) all() listing { return tableListing[T]{t} }

// rows returns the records that keep accepts, and every malformed record: each element is
// a *T or a json.RawMessage.
func (t *table[T]) rows(keep func(*T) bool) items {
	out := make([]any, 0, len(t.order))
	for _, r := range t.order {
		if r.raw != nil {
			out = append(out, r.raw)
			continue
		}
		v := t.byID[r.id]
		if keep == nil || keep(v) {
			out = append(out, v)
		}
	}
	return out
}
