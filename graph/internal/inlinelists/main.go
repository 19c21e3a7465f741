// Command inlinelists rewrites gqlgen's generated executor (graph/generated/generated.go)
// so that the elements of a list of objects are marshalled one after another on the
// goroutine resolving the list, instead of on a new goroutine each. It runs as the second
// step of `go generate ./graph` (see graph/generate.go), so the committed code is always
// exactly what the two steps produce.
//
// Why: gqlgen starts a goroutine for every element of every list of objects, whatever
// the elements' fields are. A deep company tree of 1,000 contacts meant 1,000 goroutines
// per request, and their start-up and stack growth (runtime.newstack, copystack) took
// 11–30% of Codex's CPU under the benchmark's load (BENCHMARKS.md). Concurrency between
// siblings buys nothing here: Codex's dataloaders batch a whole level of siblings at the
// first sibling's load (graph/loader.go), so the other siblings find their rows in the
// loader's cache. The fields of one object still resolve concurrently (gqlgen's
// FieldSet.Dispatch), so a company's contacts and children load in parallel.
//
// The rewrite replaces each `go f(i)` of the list marshallers' template with `f(i)`; the
// surrounding WaitGroup stays balanced (every f still calls Done). It fails, changing
// nothing, when the template no longer has that shape (a gqlgen upgrade), so the step
// cannot silently stop applying.
package main

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
)

// spawn is the line starting one element's goroutine in gqlgen's list marshallers, inside
// `if isLen1 { f(i) } else { go f(i) }`.
var spawn = regexp.MustCompile(`(?m)^(\t+)} else \{\n(\t+)go f\(i\)\n`)

func main() {
	path := "generated/generated.go"
	if len(os.Args) > 1 {
		path = os.Args[1]
	}
	if err := rewrite(path); err != nil {
		fmt.Fprintln(os.Stderr, "inlinelists:", err)
		os.Exit(1)
	}
}

func rewrite(path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	n := len(spawn.FindAllIndex(src, -1))
	if n == 0 {
		if bytes.Contains(src, []byte("go f(i)")) {
			return fmt.Errorf("%s: gqlgen's list template changed shape; update the rewrite", path)
		}
		return fmt.Errorf("%s: no list marshaller found (is this gqlgen's executor?)", path)
	}
	out := spawn.ReplaceAll(src, []byte("${1}} else {\n${2}f(i) // inlined by graph/internal/inlinelists\n"))
	if bytes.Contains(out, []byte("go f(i)")) {
		return fmt.Errorf("%s: a list marshaller of another shape starts goroutines; update the rewrite", path)
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		return err
	}
	fmt.Printf("inlinelists: %s: %d list marshallers now run their elements in order\n", path, n)
	return nil
}
