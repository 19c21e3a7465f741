package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hivematrix/codex/auth"
	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/config"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// Redaction cost on whole requests: a 1,000-ticket CSV export and a 50-ticket GraphQL
// page, read by a service that gets redacted data (with the cjis grant, so CJIS text is
// redacted rather than withheld, the expensive case) and by an admin who reads the stored
// text. The tickets are spread over a standard, a HIPAA and a CJIS company and their text
// is made of the labelled corpus's sentences (redact/testdata/corpus.txt), two or three a
// ticket. Per-row figures are in BENCHMARKS.md; reproduce with
//
//	CI=true go test . -run '^$' -bench 'Redacted' -benchtime 20x
func BenchmarkRedactedExport(b *testing.B) {
	for _, dialect := range []string{"sqlite", "pg"} {
		b.Run(dialect, func(b *testing.B) {
			rs := newBenchServer(b, storetest.Open(b, dialect), 1000)
			for _, who := range []struct{ name, token string }{{"redacted", rs.service}, {"plain", rs.admin}} {
				b.Run(who.name, func(b *testing.B) {
					cpu := cpuTime()
					for b.Loop() {
						w := benchDo(rs.s.handler, http.MethodGet, "/api/tickets?format=csv", who.token, nil)
						if w.Code != http.StatusOK || strings.Count(w.Body.String(), "\n") < 1000 {
							b.Fatalf("export = %d, %d lines", w.Code, strings.Count(w.Body.String(), "\n"))
						}
					}
					b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "µs/row")
					b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N)/1000, "cpu-µs/row")
				})
			}
		})
	}
}

func BenchmarkRedactedGraphQLPage(b *testing.B) {
	for _, dialect := range []string{"sqlite", "pg"} {
		b.Run(dialect, func(b *testing.B) {
			rs := newBenchServer(b, storetest.Open(b, dialect), 1000)
			body := `{"query":"{ tickets(first: 50) { nodes { id subject description status compliance company { name } } } }"}`
			for _, who := range []struct{ name, token string }{{"redacted", rs.service}, {"plain", rs.admin}} {
				b.Run(who.name, func(b *testing.B) {
					cpu := cpuTime()
					for b.Loop() {
						w := benchDo(rs.s.handler, http.MethodPost, "/graphql", who.token, strings.NewReader(body), "Content-Type", "application/json")
						if w.Code != http.StatusOK || strings.Contains(w.Body.String(), `"errors"`) {
							b.Fatalf("page = %d %s", w.Code, w.Body)
						}
					}
					b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/50, "µs/row")
					b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N)/50, "cpu-µs/row")
				})
			}
		})
	}
}

type benchServer struct {
	s              *server
	admin, service string
}

// newBenchServer builds a server over db holding n tickets of three companies.
func newBenchServer(b *testing.B, db *store.DB, n int) *benchServer {
	b.Helper()
	ctx := codex.WithPrincipal(context.Background(), codex.SystemPrincipal("bench"))
	texts := corpusTexts(b)
	var companies []*codex.Company
	for i, level := range []codex.ComplianceLevel{codex.ComplianceStandard, codex.ComplianceHIPAA, codex.ComplianceCJIS} {
		c := &codex.Company{Name: fmt.Sprintf("Bench %d", i), ComplianceLevel: level}
		if err := db.CreateCompany(ctx, c); err != nil {
			b.Fatal(err)
		}
		companies = append(companies, c)
	}
	now := time.Now().UTC().Truncate(time.Second)
	for i := range n {
		t := &codex.Ticket{Source: "bench", ExternalID: fmt.Sprint(i), CompanyID: companies[i%3].ID,
			Subject:     texts[i%len(texts)][:min(60, len(texts[i%len(texts)]))],
			Description: texts[(i+7)%len(texts)] + " " + texts[(i+13)%len(texts)] + " " + texts[(i+29)%len(texts)],
			Status:      codex.TicketOpen, Priority: codex.PriorityMedium, Type: "Incident", CreatedAt: now, UpdatedAt: now}
		if _, err := db.SaveTicket(ctx, t); err != nil {
			b.Fatal(err)
		}
	}
	dir := b.TempDir()
	cfg := config.Default()
	cfg.Database.ConnectionString = filepath.Join(dir, "unused.db")
	cfg.Auth.DevKeyFile = filepath.Join(dir, "key.pem")
	cfg.Auth.Services = map[string]codex.Grant{"sentinel": {Read: true, Redact: true, CJIS: true}}
	s, err := buildServer(context.Background(), cfg, discardLog(), db)
	if err != nil {
		b.Fatal(err)
	}
	mintB := func(o auth.MintOptions) string {
		tok, err := s.verifier.Dev().Mint(o)
		if err != nil {
			b.Fatal(err)
		}
		return tok
	}
	return &benchServer{s: s, admin: mintB(auth.MintOptions{Email: "ada@example.com", Level: codex.LevelAdmin}),
		service: mintB(auth.MintOptions{Service: "sentinel"})}
}

// corpusTexts returns the corpus's texts without their labels.
func corpusTexts(b *testing.B) []string {
	f, err := os.Open("redact/testdata/corpus.txt")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	label := regexp.MustCompile(`\{\{[A-Z_]+:([^}]*)\}\}`)
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, label.ReplaceAllString(line, "$1"))
		}
	}
	return out
}

// cpuTime is the CPU time this process has used (user and system): on a machine shared
// with other work it measures a request's cost better than wall time. With PostgreSQL
// the server's own CPU is not counted.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchDo sends a request through the server's router.
func benchDo(h http.Handler, method, target, token string, body io.Reader, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, body)
	r.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}
