package cache_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/hivematrix/codex/cache"
	"github.com/hivematrix/codex/codex"
)

// TestCloneSharesNothing fills every field of every cached type and checks that a clone
// shares no mutable memory with the original: no pointer, slice array or map in common.
// A field added to a row later is filled and checked too.
func TestCloneSharesNothing(t *testing.T) {
	for _, v := range []any{
		new(*codex.Company), new([]*codex.Company), new([][]*codex.Company),
		new(*codex.Contact), new([][]*codex.Contact),
		new(*codex.Asset), new([][]*codex.Asset),
		new(*codex.NetworkEquipment), new([][]*codex.NetworkEquipment),
		new([][]codex.LinkEnd), new([]int), new(map[string]string), new(*codex.Agent),
		new(*codex.Page[codex.Company]), new(*codex.Page[codex.Contact]),
	} {
		orig := reflect.ValueOf(v).Elem()
		fill(orig, 0)
		cp := reflect.ValueOf(cloneAny(orig.Interface()))
		if !reflect.DeepEqual(orig.Interface(), cp.Interface()) {
			t.Errorf("clone of %s differs from the original", orig.Type())
		}
		shared(t, orig.Type().String(), orig, cp)
	}
}

// cloneAny calls cache.Clone with v's dynamic type.
func cloneAny(v any) any {
	switch v := v.(type) {
	case *codex.Company:
		return cache.Clone(v)
	case []*codex.Company:
		return cache.Clone(v)
	case [][]*codex.Company:
		return cache.Clone(v)
	case *codex.Contact:
		return cache.Clone(v)
	case [][]*codex.Contact:
		return cache.Clone(v)
	case *codex.Asset:
		return cache.Clone(v)
	case [][]*codex.Asset:
		return cache.Clone(v)
	case *codex.NetworkEquipment:
		return cache.Clone(v)
	case [][]*codex.NetworkEquipment:
		return cache.Clone(v)
	case [][]codex.LinkEnd:
		return cache.Clone(v)
	case []int:
		return cache.Clone(v)
	case map[string]string:
		return cache.Clone(v)
	case *codex.Agent:
		return cache.Clone(v)
	case *codex.Page[codex.Company]:
		return cache.Clone(v)
	case *codex.Page[codex.Contact]:
		return cache.Clone(v)
	}
	panic("cloneAny: add " + reflect.TypeOf(v).String())
}

// fill sets every exported field of v to a non-zero value.
func fill(v reflect.Value, depth int) {
	if depth > 8 {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for i := range 2 {
			k := reflect.New(v.Type().Key()).Elem()
			fill(k, depth+1)
			if k.Kind() == reflect.String {
				k.SetString(k.String() + string(rune('a'+i)))
			}
			e := reflect.New(v.Type().Elem()).Elem()
			fill(e, depth+1)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), depth+1)
			}
		}
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(7)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(7)
	case reflect.Array:
		for i := range v.Len() {
			fill(v.Index(i), depth+1)
		}
	case reflect.Interface:
		v.Set(reflect.ValueOf(&[]int{1}))
	}
}

// shared fails the test where a and b share a pointer, a slice's array or a map.
func shared(t *testing.T, path string, a, b reflect.Value) {
	t.Helper()
	switch a.Kind() {
	case reflect.Pointer, reflect.Map:
		if a.IsNil() {
			return
		}
		if a.UnsafePointer() == b.UnsafePointer() {
			t.Errorf("%s: the clone shares the %s", path, a.Kind())
			return
		}
		if a.Kind() == reflect.Pointer {
			shared(t, path+".*", a.Elem(), b.Elem())
			return
		}
		it := a.MapRange()
		for it.Next() {
			shared(t, path+"[k]", it.Value(), b.MapIndex(it.Key()))
		}
	case reflect.Slice:
		if a.Len() == 0 {
			return
		}
		if a.UnsafePointer() == b.UnsafePointer() {
			t.Errorf("%s: the clone shares the slice's array", path)
			return
		}
		for i := range a.Len() {
			shared(t, path+"[i]", a.Index(i), b.Index(i))
		}
	case reflect.Interface:
		if !a.IsNil() {
			shared(t, path, a.Elem(), b.Elem())
		}
	case reflect.Struct:
		if a.Type() == reflect.TypeFor[time.Time]() {
			return // its *Location is never changed
		}
		for i := range a.NumField() {
			if a.Type().Field(i).IsExported() {
				shared(t, path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i))
			}
		}
	case reflect.Array:
		for i := range a.Len() {
			shared(t, path+"[i]", a.Index(i), b.Index(i))
		}
	}
}
