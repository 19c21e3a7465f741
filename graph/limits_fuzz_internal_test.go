package graph

import (
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// FuzzLimitChecks checks the checks that run before validation: they never panic, take
// time linear in the document (a fragment bomb is measured, not expanded), and a document
// they accept has at most the limit of fields once expanded.
func FuzzLimitChecks(f *testing.F) {
	for _, s := range []string{
		`{ __typename }`,
		`{ ...F0 } fragment F0 on Query { a: __typename ...F1 ...F1 } fragment F1 on Query { __typename }`,
		`{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }`,
		`{ me { email email email } }`,
		`query Q($n: Int) { companies(first: $n) { nodes { name children { name } } } }`,
		`{ a: me { email } a: me { name } ... on Query { a: me { email } } }`,
		`{ ...Missing }`,
		`{ company(`,
		strings.Repeat("{ a ", 50) + strings.Repeat("}", 50),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if len(q) > 1<<16 {
			return
		}
		start := time.Now()
		err := checkSize(q, 10000, 2000)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("checkSize took %v on %q", d, q)
		}
		doc, perr := parser.ParseQueryWithTokenLimit(&ast.Source{Input: q}, 10000)
		if perr != nil {
			return
		}
		m := newMeasure(doc.Fragments)
		for _, op := range doc.Operations {
			_ = m.depth(op.SelectionSet)
			if n := m.fields(op.SelectionSet); err == nil && n > 2000 {
				t.Fatalf("checkSize accepted %d expanded fields: %q", n, q)
			}
		}
	})
}
