package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/policy"
	"github.com/hivematrix/codex/rest"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/web"
)

// adminVerifier stands in for the token check in the benchmark: every request is an
// administrator's (the pages' work is measured, not the signature check).
type adminVerifier struct{}

func (adminVerifier) Verify(context.Context, string) (*codex.Principal, error) {
	return &codex.Principal{Subject: "bench@example.com", Email: "bench@example.com", Name: "Bench", Level: codex.LevelAdmin}, nil
}

// BenchmarkPages renders the heaviest pages server-side on a database loaded with
// `codex seed --scale N` (see BENCHMARKS.md):
//
//	CODEX_BENCH_DATABASE_URL='postgres://postgres@127.0.0.1:5432/bench?sslmode=disable' \
//	  go test ./web -run '^$' -bench Pages -benchtime 100x
//
// The company page and the topology are those of the company with the most network
// equipment (the largest topology).
func BenchmarkPages(b *testing.B) {
	dsn := os.Getenv("CODEX_BENCH_DATABASE_URL")
	if dsn == "" {
		b.Skip("set CODEX_BENCH_DATABASE_URL to a database loaded with `codex seed --scale 2000`")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var largest struct {
		CompanyID int64 `bun:"company_id"`
		N         int   `bun:"n"`
	}
	if err := db.Bun().NewSelect().TableExpr("network_equipment").ColumnExpr("company_id, count(*) AS n").
		Where("archived_at IS NULL").Group("company_id").OrderExpr("n DESC, company_id").Limit(1).Scan(ctx, &largest); err != nil {
		b.Fatal(err)
	}
	svc := policy.New(db.Services())
	r := benchRouter(svc, adminVerifier{})
	id := itoa(largest.CompanyID)
	b.Logf("largest topology: company %s with %d devices", id, largest.N)
	// The dashboard's first visit per audience in a minute: a new UI each time, so its
	// counts are not cached.
	for _, v := range []struct {
		name string
		ver  web.Verifier
	}{{"admin", adminVerifier{}}, {"client", clientVerifier{largest.CompanyID}}} {
		b.Run("dashboard_first_visit_"+v.name, func(b *testing.B) {
			var total time.Duration
			for i := 0; i < b.N; i++ {
				h := benchRouter(svc, v.ver)
				req := httptest.NewRequest(http.MethodGet, "/?view=dashboard", nil)
				req.Header.Set("Authorization", "Bearer x")
				w := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(w, req)
				total += time.Since(start)
				if w.Code != http.StatusOK {
					b.Fatalf("GET / = %d: %.500s", w.Code, w.Body)
				}
			}
			b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms/page")
		})
	}
	for _, p := range []struct{ name, path string }{
		{"dashboard", "/?view=dashboard"},
		{"company_page", "/companies/" + id},
		{"company_edit_form", "/companies/" + id + "/edit"},
		{"assets_list", "/assets"},
		{"companies_list", "/companies"},
		{"companies_list_search", "/companies?q=company+1&sort=updated_at&desc=1"},
		{"companies_list_page_2", ""},
		{"topology_page", "/network/companies/" + id},
		{"topology_svg", "/network/companies/" + id + "/topology.svg"},
	} {
		b.Run(p.name, func(b *testing.B) {
			path := p.path
			if path == "" {
				path = nextPage(b, r)
			}
			var total time.Duration
			for i := 0; i < b.N; i++ {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				req.Header.Set("Authorization", "Bearer x")
				w := httptest.NewRecorder()
				start := time.Now()
				r.ServeHTTP(w, req)
				total += time.Since(start)
				if w.Code != http.StatusOK {
					b.Fatalf("GET %s = %d: %.500s", path, w.Code, w.Body)
				}
			}
			b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms/page")
		})
	}
}

// clientVerifier makes every request a client user's of one company.
type clientVerifier struct{ companyID int64 }

func (v clientVerifier) Verify(context.Context, string) (*codex.Principal, error) {
	return &codex.Principal{Subject: "client@example.com", Email: "client@example.com", Name: "Client", Level: codex.LevelClient, CompanyID: v.companyID}, nil
}

// benchRouter is the UI routed as server.go routes it, behind ver.
func benchRouter(svc codex.Services, ver web.Verifier) http.Handler {
	r := chi.NewRouter()
	r.Use(rest.RequestID, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(policy.WithRequestCache(r.Context())))
		})
	})
	web.New(svc, web.Options{Verifier: ver}).Mount(r)
	return r
}

// nextPage returns the companies list's "Next" link.
func nextPage(b *testing.B, h http.Handler) string {
	req := httptest.NewRequest(http.MethodGet, "/companies", nil)
	req.Header.Set("Authorization", "Bearer x")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	m := nextRe.FindStringSubmatch(w.Body.String())
	if m == nil {
		b.Fatal("no next page link")
	}
	return "/" + htmlUnescape(m[1])
}
