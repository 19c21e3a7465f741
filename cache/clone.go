package cache

import (
	"reflect"
	"sync"
	"time"
)

// The policy layer redacts the rows it returns in place, so every caller gets its own
// deep copy of a cached value: clone copies through pointers, slices, maps and interfaces
// (strings are immutable and shared; a time.Time's *Location is never changed). Being
// reflective, it copies a field added to a row later without anyone remembering to.

// clone returns a deep copy of v.
func clone[T any](v T) T {
	rv := reflect.ValueOf(&v).Elem()
	p := planOf(rv.Type())
	if !p.deep {
		return v
	}
	out := reflect.New(rv.Type()).Elem()
	copyWith(p, out, rv)
	return out.Interface().(T)
}

var timeType = reflect.TypeFor[time.Time]()

// plan is how to deep-copy a value of one type, worked out once per type.
type plan struct {
	t      reflect.Type
	deep   bool        // the type holds references: a plain copy is not deep
	elem   *plan       // of a pointer's, slice's, array's or map's elements
	key    *plan       // of a map's keys
	fields []fieldPlan // a struct's fields that hold references
	walk   bool        // the type holds references or strings (sizeOf looks inside)
	walked []fieldPlan // a struct's fields that hold references or strings
}

type fieldPlan struct {
	i int
	p *plan
}

var plans sync.Map // reflect.Type -> *plan

func planOf(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	p := build(t, map[reflect.Type]*plan{})
	plans.Store(t, p)
	return p
}

// build works out t's plan; seen holds the plans being built (recursive types).
func build(t reflect.Type, seen map[reflect.Type]*plan) *plan {
	if p, ok := seen[t]; ok {
		return p
	}
	p := &plan{t: t}
	seen[t] = p
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		p.elem = build(t.Elem(), seen)
		p.deep = t.Kind() != reflect.Array || p.elem.deep
		p.walk = t.Kind() != reflect.Array || p.elem.walk
	case reflect.Map:
		p.key, p.elem = build(t.Key(), seen), build(t.Elem(), seen)
		p.deep, p.walk = true, true
	case reflect.Interface:
		p.deep, p.walk = true, true
	case reflect.String:
		p.walk = true
	case reflect.Struct:
		if t == timeType {
			break // its *Location is never changed
		}
		for i := range t.NumField() {
			f := build(t.Field(i).Type, seen)
			if f.deep || f == p {
				p.fields = append(p.fields, fieldPlan{i, f})
			}
			if f.walk || f == p {
				p.walked = append(p.walked, fieldPlan{i, f})
			}
		}
		p.deep, p.walk = len(p.fields) > 0, len(p.walked) > 0
	}
	return p
}

// copyWith sets dst (settable, of src's type) to a deep copy of src.
func copyWith(p *plan, dst, src reflect.Value) {
	if !p.deep {
		dst.Set(src)
		return
	}
	switch p.t.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		n := reflect.New(p.t.Elem())
		copyWith(p.elem, n.Elem(), src.Elem())
		dst.Set(n)
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(p.t, src.Len(), src.Len())
		if p.elem.deep {
			for i := range src.Len() {
				copyWith(p.elem, s.Index(i), src.Index(i))
			}
		} else {
			reflect.Copy(s, src)
		}
		dst.Set(s)
	case reflect.Array:
		for i := range src.Len() {
			copyWith(p.elem, dst.Index(i), src.Index(i))
		}
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(p.t, src.Len())
		it := src.MapRange()
		for it.Next() {
			k := reflect.New(p.t.Key()).Elem()
			copyWith(p.key, k, it.Key())
			v := reflect.New(p.t.Elem()).Elem()
			copyWith(p.elem, v, it.Value())
			m.SetMapIndex(k, v)
		}
		dst.Set(m)
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		e := src.Elem()
		v := reflect.New(e.Type()).Elem()
		copyWith(planOf(e.Type()), v, e)
		dst.Set(v)
	case reflect.Struct:
		dst.Set(src) // every field, then the ones holding references again
		for _, f := range p.fields {
			copyWith(f.p, dst.Field(f.i), src.Field(f.i))
		}
	}
}

// sizeOf estimates the bytes v holds, for the cache's bound.
func sizeOf(v any) int {
	if v == nil {
		return 0
	}
	rv := reflect.ValueOf(v)
	return size(planOf(rv.Type()), rv)
}

func size(p *plan, v reflect.Value) int {
	return int(p.t.Size()) + refSize(p, v)
}

// refSize is what v's references and strings hold, beyond v's own size.
func refSize(p *plan, v reflect.Value) int {
	if !p.walk {
		return 0
	}
	n := 0
	switch p.t.Kind() {
	case reflect.String:
		return v.Len()
	case reflect.Pointer:
		if !v.IsNil() {
			n += size(p.elem, v.Elem())
		}
	case reflect.Interface:
		if !v.IsNil() {
			e := v.Elem()
			n += size(planOf(e.Type()), e)
		}
	case reflect.Slice:
		n += v.Len() * int(p.elem.t.Size())
		for i := range v.Len() {
			n += refSize(p.elem, v.Index(i))
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			n += size(p.key, it.Key()) + size(p.elem, it.Value()) + 16
		}
	case reflect.Array:
		for i := range v.Len() {
			n += refSize(p.elem, v.Index(i))
		}
	case reflect.Struct:
		for _, f := range p.walked {
			n += refSize(f.p, v.Field(f.i))
		}
	}
	return n
}
