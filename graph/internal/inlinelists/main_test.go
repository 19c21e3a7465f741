package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const marshaller = `func (ec *executionContext) marshalNAgent(ctx context.Context, sel ast.SelectionSet, v []*codex.Agent) graphql.Marshaler {
	for i := range v {
		f := func(i int) {
			if !isLen1 {
				defer wg.Done()
			}
			ret[i] = ec.marshalNAgent2(ctx, sel, v[i])
		}
		if isLen1 {
			f(i)
		} else {
			go f(i)
		}
	}
	wg.Wait()
}
`

func TestRewrite(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	p := write("ok.go", marshaller+marshaller)
	if err := rewrite(p); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	if strings.Contains(string(got), "go f(i)") || strings.Count(string(got), "\t\t\tf(i) // inlined") != 2 {
		t.Errorf("rewritten:\n%s", got)
	}
	if err := rewrite(p); err == nil {
		t.Error("a second run should fail: nothing left to rewrite")
	}

	// Another shape: the step must fail and leave the file alone.
	odd := strings.Replace(marshaller, "} else {\n\t\t\tgo f(i)", "} else { go f(i)", 1)
	p = write("odd.go", odd)
	if err := rewrite(p); err == nil || !strings.Contains(err.Error(), "changed shape") {
		t.Errorf("rewrite of another shape: %v", err)
	}
	if got, _ := os.ReadFile(p); string(got) != odd {
		t.Error("a failed rewrite changed the file")
	}
}

// TestGeneratedCodeIsRewritten fails when graph/generated was regenerated without this
// step (go generate ./graph runs both).
func TestGeneratedCodeIsRewritten(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "generated", "generated.go"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(src), "go f(i)") {
		t.Error("graph/generated/generated.go starts a goroutine per list element: run go generate ./graph")
	}
	if !strings.Contains(string(src), "// inlined by graph/internal/inlinelists") {
		t.Error("graph/generated/generated.go was not rewritten by inlinelists")
	}
}
