package syncer_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store/storetest"
)

// TestScaleImport imports 2,000 companies, 20,000 contacts and 100,000 devices from the
// fakes into PostgreSQL and checks it takes under two minutes. It is slow, so it runs only
// when asked for:
//
//	CODEX_SCALE_TEST=1 go test -run TestScaleImport -v ./integrations/syncer/
func TestScaleImport(t *testing.T) {
	if testing.Short() || os.Getenv("CODEX_SCALE_TEST") != "1" {
		t.Skip("set CODEX_SCALE_TEST=1 to run the scale import")
	}
	const (
		companies   = 2000
		contacts    = 10 // per company
		devices     = 50 // per company
		budget      = 2 * time.Minute
		wantDevices = companies * devices
	)
	e := newEnv(t, storetest.Open(t, "pg"))
	start := time.Now()
	e.fs.Generate(companies, contacts, 0)
	e.dt.Generate(companies, devices)
	t.Logf("fakes generated in %v", time.Since(start).Round(time.Millisecond))

	start = time.Now()
	run, err := e.engine.Run(context.Background(), "all", "scale test")
	took := time.Since(start)
	if err != nil {
		t.Fatalf("Run = %v (%v)", err, problems(run))
	}
	t.Logf("first import of %d companies, %d contacts and %d devices: %v", companies, companies*contacts, wantDevices, took.Round(time.Millisecond))
	for k, c := range run.Counts {
		t.Logf("  %-24s %+v", k, c)
	}
	wantCounts(t, run, "freshservice company", codex.SyncCounts{Created: companies})
	wantCounts(t, run, "freshservice contact", codex.SyncCounts{Created: companies * contacts})
	wantCounts(t, run, "datto company", codex.SyncCounts{Updated: companies})
	wantCounts(t, run, "datto asset", codex.SyncCounts{Created: wantDevices})
	if took > budget {
		t.Errorf("first import took %v; want under %v", took, budget)
	}
	if n := e.count("assets", ""); n != wantDevices {
		t.Errorf("assets = %d; want %d", n, wantDevices)
	}

	start = time.Now()
	again, err := e.engine.Run(context.Background(), "all", "scale test")
	if err != nil {
		t.Fatalf("second Run = %v", err)
	}
	t.Logf("second run (no upstream change): %v", time.Since(start).Round(time.Millisecond))
	wantNoChange(t, again)
}
