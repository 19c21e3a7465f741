package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hivematrix/codex/auth"
	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/seed"
	"github.com/hivematrix/codex/store/storetest"
)

// BenchmarkCSVExportCompression measures what compression costs on the largest CSV
// export (every asset of 50 synthetic companies, 2,500 rows) through the real router:
//
//	go test -run '^$' -bench CSVExportCompression -benchtime 20x .
func BenchmarkCSVExportCompression(b *testing.B) {
	db := storetest.Open(b, "sqlite")
	if err := seed.Scale(context.Background(), db.Bun(), 50); err != nil {
		b.Fatal(err)
	}
	s, err := buildServer(context.Background(), testConfig(b), discardLog(), db)
	if err != nil {
		b.Fatal(err)
	}
	tok, err := s.verifier.Dev().Mint(auth.MintOptions{Email: seed.DemoAdmin, Level: codex.LevelAdmin})
	if err != nil {
		b.Fatal(err)
	}
	for _, enc := range []string{"", "gzip", "zstd"} {
		name := enc
		if name == "" {
			name = "identity"
		}
		b.Run(name, func(b *testing.B) {
			var size int
			for b.Loop() {
				r := httptest.NewRequest("GET", "/api/assets?format=csv", nil)
				r.Header.Set("Authorization", "Bearer "+tok)
				if enc != "" {
					r.Header.Set("Accept-Encoding", enc)
				}
				w := httptest.NewRecorder()
				s.handler.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("GET /api/assets?format=csv = %d", w.Code)
				}
				size = w.Body.Len()
			}
			b.ReportMetric(float64(size), "bytes/response")
		})
	}
}
