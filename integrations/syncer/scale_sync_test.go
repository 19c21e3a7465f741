package syncer_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
	fsfake "github.com/hivematrix/codex/integrations/freshservice/fake"
	"github.com/hivematrix/codex/store/storetest"
)

// TestScaleSync is the proof at scale: 2,000 companies, 20,000 requesters (a tenth of
// them unfiled), 50,000 PSA assets and 50,000 RMM devices (the same machines, matched
// on serial), 80,000 tickets, over real HTTP against both fakes with a 429 and a 503
// injected every few hundred requests and a Datto token that expires every 20 s. It runs
// a full first run that is killed half-way through the tickets and resumed, then an
// incremental run with nothing changed, and checks that every upstream record is kept
// once. CODEX_SCALE_FACTOR scales the sizes (default 1). Slow, so only when asked:
//
//	CODEX_SCALE_TEST=1 go test -run TestScaleSync -v -timeout 60m ./integrations/syncer/
func TestScaleSync(t *testing.T) {
	if testing.Short() || os.Getenv("CODEX_SCALE_TEST") != "1" {
		t.Skip("set CODEX_SCALE_TEST=1 to run the scale sync")
	}
	factor := 1.0
	if f, err := strconv.ParseFloat(os.Getenv("CODEX_SCALE_FACTOR"), 64); err == nil && f > 0 {
		factor = f
	}
	companies := max(10, int(2000*factor))
	const (
		contacts = 9  // filed requesters per company, plus one unfiled
		assets   = 25 // PSA assets per company; the RMM has the same machines
		tickets  = 40 // per company
	)
	e := newEnv(t, storetest.Open(t, "pg"))
	start := time.Now()
	e.fs.Generate(companies, contacts, assets)
	e.dt.Generate(companies, assets)
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 1; i <= companies; i++ {
		lost := e.fs.AddRequester(fsfake.Requester{FirstName: "Unfiled", LastName: strconv.Itoa(i),
			PrimaryEmail: fmt.Sprintf("unfiled%d@nowhere%d.example", i, i), Active: true}).ID
		dept := int64(21000100000 + i)
		for j := range tickets {
			tk := fsfake.Ticket{Subject: fmt.Sprintf("Ticket %d-%d", i, j), Status: 2, Priority: 1,
				CreatedAt: at, UpdatedAt: at.Add(time.Duration(i*tickets+j) * time.Second), DepartmentID: &dept,
				RequesterID: int64(21000200000 + (i-1)*contacts + 1 + j%contacts)}
			if j == 0 {
				tk.RequesterID, tk.DepartmentID = lost, nil // held with its unfiled requester
			}
			e.fs.AddTicket(tk)
		}
	}
	depts, reqs, nTickets, nAssets := e.fs.Counts()
	sites, devs, _ := e.dt.Counts()
	t.Logf("fakes: %d departments, %d requesters, %d tickets, %d assets; %d sites, %d devices (generated in %v)",
		depts, reqs, nTickets, nAssets, sites, devs, time.Since(start).Round(time.Millisecond))

	// Faults: a 429 and a 503 every 300 requests to each fake; the Datto token lives 20 s.
	var fsCalls, dtCalls atomic.Int64
	faults := func(r *http.Request) {
		if strings.HasPrefix(e.fs.URL(), "http://"+r.URL.Host) {
			switch n := fsCalls.Add(1); n % 300 {
			case 0:
				e.fs.RateLimitNext(1, "0")
			case 150:
				e.fs.FailNext(1, http.StatusServiceUnavailable)
			}
			return
		}
		switch n := dtCalls.Add(1); n % 300 {
		case 0:
			e.dt.RateLimitNext(1, "")
		case 150:
			e.dt.FailNext(1, http.StatusServiceUnavailable)
		}
	}
	e.dt.SetTokenLifetime(20 * time.Second)

	// The first Freshservice run is killed half-way through the tickets.
	ctx, cancel := context.WithCancel(context.Background())
	var ticketPages atomic.Int64
	e.onResponse(func(r *http.Request) {
		faults(r)
		if strings.HasSuffix(r.URL.Path, "/tickets") && ticketPages.Add(1) == int64(nTickets/100/2) {
			cancel()
		}
	})
	start = time.Now()
	_, err := e.engine.Run(ctx, codex.SourceFreshservice, "scale test")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("killed run = %v; want cancelled", err)
	}
	killed := time.Since(start)
	half := e.count("tickets", "")
	t.Logf("killed run: %v, %d tickets written", killed.Round(time.Millisecond), half)

	e.onResponse(faults)
	start = time.Now()
	run, err := e.engine.Run(context.Background(), "all", "scale test")
	took := time.Since(start)
	if err != nil {
		t.Fatalf("Run = %v (%v)", err, problems(run))
	}
	t.Logf("resumed full run: %v (+ %v killed); peak RSS %d MB; HTTP requests so far: Freshservice %d, Datto %d",
		took.Round(time.Millisecond), killed.Round(time.Millisecond), peakRSS()>>20, fsCalls.Load(), dtCalls.Load())
	for k, c := range run.Counts {
		t.Logf("  %-28s %+v", k, c)
	}
	if run.Failed != 0 {
		t.Errorf("failed = %d; want 0 (problems %v)", run.Failed, run.Problems)
	}
	for _, c := range []struct {
		source, entity string
		want           int
	}{
		{codex.SourceFreshservice, codex.EntityCompany, depts},
		{codex.SourceFreshservice, codex.EntityContact, reqs},
		{codex.SourceFreshservice, codex.EntityTicket, nTickets},
		{codex.SourceFreshservice, codex.EntityAsset, nAssets},
		{codex.SourceDatto, codex.EntityCompany, sites},
		{codex.SourceDatto, codex.EntityAsset, devs},
	} {
		if got := e.kept(c.source, c.entity); got != c.want {
			t.Errorf("%s %s kept = %d; want %d", c.source, c.entity, got, c.want)
		}
	}
	// No duplicates: one row per machine and per ticket.
	if n := e.count("assets", ""); n != nAssets {
		t.Errorf("assets = %d; want %d (PSA asset and RMM device merged)", n, nAssets)
	}
	if n, held := e.count("tickets", ""), e.count("triage_items", "entity = 'ticket'"); n+held != nTickets {
		t.Errorf("tickets = %d + %d held; want %d", n, held, nTickets)
	}
	if n := e.count("companies", "account_number IS NULL"); n != 0 {
		t.Errorf("companies without an account number = %d; want 0", n)
	}

	start = time.Now()
	again, err := e.engine.Run(context.Background(), "all", "scale test")
	if err != nil {
		t.Fatalf("second Run = %v", err)
	}
	inc := time.Since(start)
	t.Logf("incremental run (nothing changed): %v; peak RSS %d MB; HTTP requests in all: Freshservice %d, Datto %d",
		inc.Round(time.Millisecond), peakRSS()>>20, fsCalls.Load(), dtCalls.Load())
	wantNoChange(t, again)
	if inc > time.Minute {
		t.Errorf("incremental run took %v; want under 60 s", inc)
	}
}

// peakRSS returns the process's peak resident set size in bytes (Linux), or 0.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			f := strings.Fields(l)
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
