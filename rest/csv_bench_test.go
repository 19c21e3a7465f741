package rest_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/policy"
	"github.com/hivematrix/codex/rest"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// BenchmarkCSVAssets exports 100,000 assets as CSV through the real router and the policy
// layer on SQLite and PostgreSQL (skipped without a server), reporting rows/s and how far
// the heap grew while streaming:
//
//	go test ./rest -run '^$' -bench CSVAssets -benchtime 1x
func BenchmarkCSVAssets(b *testing.B) {
	for _, dialect := range []string{"sqlite", "pg"} {
		b.Run(dialect, func(b *testing.B) { benchmarkCSVAssets(b, storetest.Open(b, dialect)) })
	}
}

func benchmarkCSVAssets(b *testing.B, db *store.DB) {
	const n = 100_000
	seedAssets(b, db, n)

	admin := &codex.Principal{Subject: "u1", Email: "ada@example.com", Level: codex.LevelAdmin}
	api := rest.New(policy.New(db.Services()), rest.Options{})
	r := chi.NewRouter()
	r.Use(rest.RequestID)
	r.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(codex.WithPrincipal(policy.WithRequestCache(r.Context()), admin)))
		})
	})
	r.Mount("/api", api.Routes())
	srv := httptest.NewServer(r)
	b.Cleanup(srv.Close)

	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		peak := sampleHeap(b)

		start, cpu := time.Now(), processCPU()
		resp, err := http.Get(srv.URL + "/api/assets?format=csv")
		if err != nil {
			b.Fatal(err)
		}
		rows, bytes := 0, int64(0)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			rows++
			bytes += int64(len(sc.Bytes()) + 1)
		}
		resp.Body.Close()
		elapsed := time.Since(start)
		inuse, sys := peak()
		if err := sc.Err(); err != nil || rows != n+1 {
			b.Fatalf("CSV export: %d lines, %v; want %d", rows, err, n+1)
		}
		b.ReportMetric(float64(n)/elapsed.Seconds(), "rows/s")
		b.ReportMetric(float64(processCPU()-cpu)/1e6, "cpu-ms/export")
		b.ReportMetric(float64(inuse-before.HeapInuse)/(1<<20), "MiB-heap-growth")
		b.Logf("exported %d assets (%.1f MiB) in %v: %.0f rows/s; heap in use %.1f -> peak %.1f MiB (+%.1f), Sys %.1f -> %.1f MiB",
			n, float64(bytes)/(1<<20), elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(),
			mib(before.HeapInuse), mib(inuse), mib(inuse)-mib(before.HeapInuse), mib(before.Sys), mib(sys))
	}
}

// processCPU is the user and system CPU time this process (server, client and SQLite) has
// used, in nanoseconds: steadier than the wall time on a shared machine.
func processCPU() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func mib(v uint64) float64 { return float64(v) / (1 << 20) }

// sampleHeap polls the heap every few milliseconds until the returned function is called,
// which reports the peak HeapInuse and Sys seen.
func sampleHeap(b *testing.B) func() (inuse, sys uint64) {
	var stop atomic.Bool
	var wg sync.WaitGroup
	var peakInuse, peakSys uint64
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for !stop.Load() {
			runtime.ReadMemStats(&m)
			peakInuse, peakSys = max(peakInuse, m.HeapInuse), max(peakSys, m.Sys)
			time.Sleep(5 * time.Millisecond)
		}
	}()
	return func() (uint64, uint64) {
		stop.Store(true)
		wg.Wait()
		return peakInuse, peakSys
	}
}

// seedAssets bulk-inserts n assets spread over 100 companies.
func seedAssets(b *testing.B, db *store.DB, n int) {
	b.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	companies := make([]codex.Company, 100)
	for i := range companies {
		companies[i] = codex.Company{Name: fmt.Sprintf("Client %03d", i), Kind: codex.KindClient, Status: codex.StatusActive,
			ComplianceLevel: codex.ComplianceStandard, CreatedAt: now, UpdatedAt: now}
	}
	if _, err := db.Bun().NewInsert().Model(&companies).Exec(ctx); err != nil {
		b.Fatal(err)
	}
	const batch = 1000
	types := codex.AssetTypes
	for done := 0; done < n; done += batch {
		assets := make([]codex.Asset, min(batch, n-done))
		for i := range assets {
			k := done + i
			w := codex.Date{Year: 2024 + k%5, Month: time.Month(1 + k%12), Day: 1 + k%28}
			assets[i] = codex.Asset{CompanyID: companies[k%len(companies)].ID, Name: fmt.Sprintf("host-%06d", k),
				Type: types[k%(len(types)-1)], Manufacturer: "Dell", Model: "OptiPlex 7090", SerialNumber: fmt.Sprintf("SN%08d", k),
				Hostname: fmt.Sprintf("host-%06d.corp.example", k), OperatingSystem: "Windows 11 Pro",
				IPAddresses: []string{fmt.Sprintf("10.%d.%d.%d", k/65536%256, k/256%256, k%256)}, Status: codex.AssetActive,
				WarrantyExpires: &w, Online: k%3 == 0, CustomFields: map[string]string{"rack": fmt.Sprint(k % 40)},
				Notes: "seeded for the CSV benchmark", CreatedAt: now, UpdatedAt: now}
		}
		if _, err := db.Bun().NewInsert().Model(&assets).Exec(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
