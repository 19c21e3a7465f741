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
	if !needsCopy(rv.Type()) {
		return v
	}
	out := reflect.New(rv.Type()).Elem()
	copyInto(out, rv)
	return out.Interface().(T)
}

var timeType = reflect.TypeFor[time.Time]()

// flat caches, per type, whether a value of it holds no references (a plain copy is
// deep).
var flat sync.Map // reflect.Type -> bool

func needsCopy(t reflect.Type) bool {
	if v, ok := flat.Load(t); ok {
		return !v.(bool)
	}
	need := refs(t, map[reflect.Type]bool{})
	flat.Store(t, !need)
	return need
}

// refs reports whether t holds references; seen breaks the recursion of recursive types.
func refs(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return true
	case reflect.Array:
		return refs(t.Elem(), seen)
	case reflect.Struct:
		if t == timeType {
			return false
		}
		for i := range t.NumField() {
			if refs(t.Field(i).Type, seen) {
				return true
			}
		}
	}
	return false
}

// copyInto sets dst (settable, of src's type) to a deep copy of src.
func copyInto(dst, src reflect.Value) {
	t := src.Type()
	if !needsCopy(t) {
		dst.Set(src)
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(t.Elem())
		copyInto(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(t, src.Len(), src.Len())
		if needsCopy(t.Elem()) {
			for i := range src.Len() {
				copyInto(s.Index(i), src.Index(i))
			}
		} else {
			reflect.Copy(s, src)
		}
		dst.Set(s)
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(t, src.Len())
		it := src.MapRange()
		for it.Next() {
			k := reflect.New(t.Key()).Elem()
			copyInto(k, it.Key())
			v := reflect.New(t.Elem()).Elem()
			copyInto(v, it.Value())
			m.SetMapIndex(k, v)
		}
		dst.Set(m)
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		e := src.Elem()
		v := reflect.New(e.Type()).Elem()
		copyInto(v, e)
		dst.Set(v)
	case reflect.Array:
		for i := range src.Len() {
			copyInto(dst.Index(i), src.Index(i))
		}
	case reflect.Struct:
		dst.Set(src) // the flat fields, then the deep ones again
		for i := range t.NumField() {
			if needsCopy(t.Field(i).Type) {
				copyInto(dst.Field(i), src.Field(i))
			}
		}
	default:
		dst.Set(src)
	}
}

// sizeOf estimates the bytes v holds, for the cache's bound.
func sizeOf(v any) int {
	if v == nil {
		return 0
	}
	return size(reflect.ValueOf(v))
}

func size(v reflect.Value) int {
	return int(v.Type().Size()) + refSize(v)
}

// refSize is what v's references hold, beyond v's own size.
func refSize(v reflect.Value) int {
	t := v.Type()
	n := 0
	switch t.Kind() {
	case reflect.String:
		return v.Len()
	case reflect.Pointer:
		if !v.IsNil() {
			n += size(v.Elem())
		}
	case reflect.Interface:
		if !v.IsNil() {
			n += size(v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			n += size(v.Index(i))
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			n += size(it.Key()) + size(it.Value()) + 16
		}
	case reflect.Array:
		for i := range v.Len() {
			n += refSize(v.Index(i))
		}
	case reflect.Struct:
		for i := range t.NumField() {
			n += refSize(v.Field(i))
		}
	}
	return n
}
