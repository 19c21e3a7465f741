package graph_test

import (
	"os"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestSchemaDescriptions checks that every type, field, argument, input field and enum
// value of schema.graphqls has a description.
func TestSchemaDescriptions(t *testing.T) {
	b, err := os.ReadFile("../schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	s, gerr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphqls", Input: string(b)})
	if gerr != nil {
		t.Fatal(gerr)
	}
	for name, def := range s.Types {
		if def.BuiltIn {
			continue
		}
		if def.Description == "" {
			t.Errorf("type %s has no description", name)
		}
		for _, f := range def.Fields {
			if len(f.Name) > 1 && f.Name[:2] == "__" {
				continue
			}
			if f.Description == "" {
				t.Errorf("%s.%s has no description", name, f.Name)
			}
			for _, a := range f.Arguments {
				if a.Description == "" {
					t.Errorf("%s.%s(%s:) has no description", name, f.Name, a.Name)
				}
			}
		}
		for _, v := range def.EnumValues {
			if v.Description == "" {
				t.Errorf("%s.%s has no description", name, v.Name)
			}
		}
	}
}
