package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/graph"
	"github.com/hivematrix/codex/policy"
	"github.com/hivematrix/codex/seed"
	"github.com/hivematrix/codex/store/storetest"
)

// BenchmarkQueries runs the benchmark's Q1–Q3 (bench/queries/codex) through the real
// handler and the policy layer as an admin, on SQLite and PostgreSQL (skipped without a
// server) seeded with seed.Scale(200):
//
//	go test ./graph -run '^$' -bench Queries -benchmem -count 5
func BenchmarkQueries(b *testing.B) {
	for _, dialect := range []string{"sqlite", "pg"} {
		b.Run(dialect, func(b *testing.B) {
			db := storetest.Open(b, dialect)
			if err := seed.Scale(context.Background(), db.Bun(), 200); err != nil {
				b.Fatal(err)
			}
			h := graph.NewHandler(policy.New(db.Services()), graph.Options{})
			admin := &codex.Principal{Subject: "u1", Email: "ada@example.com", Level: codex.LevelAdmin}
			for _, q := range []string{"q1", "q2", "q3"} {
				body := benchBody(b, q)
				b.Run(q, func(b *testing.B) {
					b.ReportAllocs()
					cpu := processCPU()
					for b.Loop() {
						r := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
						r.Header.Set("Content-Type", "application/json")
						r = r.WithContext(codex.WithPrincipal(policy.WithRequestCache(r.Context()), admin))
						w := httptest.NewRecorder()
						h.ServeHTTP(w, r)
						if w.Code != http.StatusOK || strings.Contains(w.Body.String(), `"errors"`) {
							b.Fatalf("%s: %d %s", q, w.Code, w.Body.String())
						}
					}
					b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
				})
			}
		})
	}
}

// processCPU is the user and system CPU time this process has used, in nanoseconds: on a
// shared machine a steadier figure than the wall time (it includes SQLite's work, not
// PostgreSQL's).
func processCPU() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// benchBody is the JSON request of bench/queries/codex/{q}.graphql with its variables.
func benchBody(b *testing.B, q string) []byte {
	dir := filepath.Join("..", "bench", "queries", "codex")
	query, err := os.ReadFile(filepath.Join(dir, q+".graphql"))
	if err != nil {
		b.Fatal(err)
	}
	vars, err := os.ReadFile(filepath.Join(dir, q+".vars.json"))
	if err != nil {
		b.Fatal(err)
	}
	body, err := json.Marshal(map[string]any{"query": string(query), "variables": json.RawMessage(vars)})
	if err != nil {
		b.Fatal(err)
	}
	return body
}
