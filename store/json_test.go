package store

import (
	"encoding/json"
	"reflect"
	"testing"
)

// The fast JSON paths decode exactly as encoding/json does, and leave what they do not
// handle to it.
func TestJSONProviderMatchesEncodingJSON(t *testing.T) {
	inputs := []string{
		`null`, ` null `, `[]`, ` [ ] `, `["a"]`, `["a", "b"]`, `["a","b" ,"c"]`, `["a\"b"]`, `["\u00e9"]`,
		`["é", "x"]`, `["a",]`, `["a"`, `[1]`, `["a"] x`, "[\"\xff\"]", `{}`, `{"a": "1"}`, `{"a":"1","b":"2"}`,
		`{"a": "1", "a": "2"}`, `{"a": 1}`, `{"a": "1",}`, `{"a\n": "1"}`, `{"a": "\t"}`, `{"a"}`, `nullx`, `{"é": "ü"}`,
		"[\"a\x01\"]", `{"a": "1"} x`,
	}
	p := jsonProvider{}
	for _, in := range inputs {
		var gotS, wantS []string
		errGot, errWant := p.Unmarshal([]byte(in), &gotS), json.Unmarshal([]byte(in), &wantS)
		if (errGot == nil) != (errWant == nil) || !reflect.DeepEqual(gotS, wantS) || (gotS == nil) != (wantS == nil) {
			t.Errorf("[]string %q: got %#v, %v; want %#v, %v", in, gotS, errGot, wantS, errWant)
		}
		for _, start := range []map[string]string{nil, {"z": "0"}} {
			gotM, wantM := clone(start), clone(start)
			errGot, errWant := p.Unmarshal([]byte(in), &gotM), json.Unmarshal([]byte(in), &wantM)
			if (errGot == nil) != (errWant == nil) || !reflect.DeepEqual(gotM, wantM) || (gotM == nil) != (wantM == nil) {
				t.Errorf("map %q from %v: got %#v, %v; want %#v, %v", in, start, gotM, errGot, wantM, errWant)
			}
		}
	}
}

func clone(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	c := map[string]string{}
	for k, v := range m {
		c[k] = v
	}
	return c
}

// BenchmarkJSONColumn decodes typical JSON column values (a contact's roles, an asset's
// custom fields) with the provider bun uses and with encoding/json.
func BenchmarkJSONColumn(b *testing.B) {
	list := []byte(`["primary", "billing", "technical"]`)
	obj := []byte(`{"rack": "12", "owner": "front desk", "patch_day": "Sunday"}`)
	for _, c := range []struct {
		name      string
		unmarshal func([]byte, any) error
	}{{"provider", jsonProvider{}.Unmarshal}, {"encoding-json", json.Unmarshal}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var s []string
				var m map[string]string
				if c.unmarshal(list, &s) != nil || c.unmarshal(obj, &m) != nil {
					b.Fatal("decode failed")
				}
			}
		})
	}
}
