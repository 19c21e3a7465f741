package syncer_test

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/integrations/syncer"
	"github.com/hivematrix/codex/store/storetest"
)

func TestRunCLIPlain(t *testing.T) {
	e := newEnv(t, storetest.Open(t, "sqlite"))
	e.fs.Generate(2, 1, 1)
	e.fs.AddMalformed("departments", `{"id":"x1","name":5}`)
	e.dt.Generate(2, 2)
	var out bytes.Buffer
	if err := syncer.RunCLI(context.Background(), e.engine, "all", &out, false); err != nil {
		t.Fatalf("RunCLI = %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"freshservice company: 3 records\n",
		"freshservice sync succeeded, but 1 record(s) failed in ",
		"datto sync succeeded in ",
		"problems:\n  - company: malformed record skipped",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	// The table: a header, a row per entity and a total.
	rows := map[string]string{
		"company":   `company\s+2\s+0\s+0\s+0\s+0\s+1`,
		"total fs":  `total\s+6\s+0\s+0\s+0\s+0\s+1`,
		"asset":     `asset\s+2\s+2\s+0\s+0\s+0\s+0`,
		"header":    `entity\s+created\s+updated\s+unchanged\s+archived\s+conflicts\s+failed`,
		"datto tot": `total\s+2\s+4\s+0\s+0\s+0\s+0`,
	}
	for name, re := range rows {
		if !regexp.MustCompile(re).MatchString(got) {
			t.Errorf("output lacks the %s row /%s/:\n%s", name, re, got)
		}
	}
	if strings.Contains(got, "\r") {
		t.Errorf("plain output has carriage returns (a progress bar):\n%q", got)
	}
}

func TestRunCLITerminalAndInProgress(t *testing.T) {
	e := newEnv(t, storetest.Open(t, "sqlite"))
	e.fs.Generate(150, 0, 0)
	var out bytes.Buffer
	if err := syncer.RunCLI(context.Background(), e.engine, "freshservice", &out, true); err != nil {
		t.Fatalf("RunCLI = %v\n%s", err, out.String())
	}
	if got := out.String(); !strings.Contains(got, "\r") || !strings.Contains(got, "freshservice company") {
		t.Errorf("terminal output = %q; want a progress bar", got)
	}

	// A second sync while one runs says so and fails.
	inside, release := make(chan struct{}), make(chan struct{})
	go func() {
		_, _ = e.engine.RunWithProgress(context.Background(), "freshservice", "other", func(syncer.Progress) {
			select {
			case <-inside:
			default:
				close(inside)
				<-release
			}
		})
	}()
	<-inside
	out.Reset()
	err := syncer.RunCLI(context.Background(), e.engine, "freshservice", &out, false)
	close(release)
	if codex.ErrorCode(err) != codex.Conflict || !strings.Contains(out.String(), "a freshservice sync is already running") {
		t.Errorf("RunCLI during a run = %v, %q; want the in-progress conflict", err, out.String())
	}
	if err := syncer.RunCLI(context.Background(), e.engine, "psa", &out, false); codex.ErrorCode(err) != codex.Invalid {
		t.Errorf("RunCLI(psa) = %v; want invalid", err)
	}
}

func TestSchedulerRunsEachSourceUntilCancelled(t *testing.T) {
	e := newEnv(t, storetest.Open(t, "sqlite"))
	e.fs.Generate(1, 0, 0)
	e.dt.Generate(1, 1)
	ctx, cancel := context.WithCancel(context.Background())
	s := &syncer.Scheduler{Engine: e.engine, Interval: 30 * time.Millisecond, FirstDelay: 5 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)}
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		fs, _ := e.svc.Sync.SyncRuns(e.ctx, "freshservice", codex.PageArgs{WantTotal: true})
		dt, _ := e.svc.Sync.SyncRuns(e.ctx, "datto", codex.PageArgs{WantTotal: true})
		if fs.TotalCount >= 2 && dt.TotalCount >= 2 {
			if fs.Items[0].TriggeredBy != "schedule" {
				t.Errorf("triggered by %q; want schedule", fs.Items[0].TriggeredBy)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("runs: freshservice %d, datto %d; want at least 2 each", fs.TotalCount, dt.TotalCount)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("scheduler did not stop")
	}
}
