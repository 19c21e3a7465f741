package syncer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/hivematrix/codex/codex"
)

// RunCLI runs `codex sync <source>` ("freshservice", "datto" or "all"): one run per
// source, with a progress bar per entity on a terminal and a plain line per entity (and
// every few seconds) otherwise, then a summary table of each run. It returns the first
// run's error after every source ran; a run that succeeded with failed records returns
// nil, and its summary says so.
func RunCLI(ctx context.Context, e *Engine, source string, out io.Writer, isTerminal bool) error {
	srcs, err := e.sources(source)
	if err != nil {
		return err
	}
	var errs []error
	for i, s := range srcs {
		if i > 0 {
			fmt.Fprintln(out)
		}
		p := newProgressPrinter(out, isTerminal)
		start := time.Now()
		run, err := e.RunWithProgress(ctx, s, "cli", p.report)
		p.done()
		if run == nil {
			fmt.Fprintf(out, "%s: %s\n", s, codex.ErrorMessage(err))
			errs = append(errs, err)
			continue
		}
		WriteSummary(out, run, time.Since(start))
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// WriteSummary writes a run's outcome: a status line, a table of counts per entity with
// a total, and its problems.
func WriteSummary(out io.Writer, run *codex.SyncRun, took time.Duration) {
	status := run.Status
	if run.Status == codex.SyncSucceeded && run.Failed > 0 {
		status = fmt.Sprintf("succeeded, but %d record(s) failed", run.Failed)
	}
	fmt.Fprintf(out, "%s sync %s in %v", run.Source, status, took.Round(time.Millisecond))
	if run.ID != 0 {
		fmt.Fprintf(out, " (run %d)", run.ID)
	}
	fmt.Fprintln(out)
	if run.Error != "" {
		fmt.Fprintf(out, "error: %s\n", run.Error)
	}
	// Numbers align right; the entity names, padded to one width, stay left.
	keys := slices.Sorted(maps.Keys(run.Counts))
	w := len("entity")
	for _, k := range keys {
		w = max(w, len(k))
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	// Unassigned and held records wait in the triage list; merged ones are among the updated.
	fmt.Fprintf(tw, "%-*s\tcreated\tupdated\tunchanged\tarchived\tconflicts\tfailed\tunassigned\theld\tmerged\t\n", w, "entity")
	var kept codex.SyncCounts
	for _, k := range keys {
		c := run.Counts[k]
		kept.Unassigned, kept.Held, kept.Merged = kept.Unassigned+c.Unassigned, kept.Held+c.Held, kept.Merged+c.Merged
		fmt.Fprintf(tw, "%-*s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", w, k, c.Created, c.Updated, c.Unchanged, c.Archived, c.Conflicts, c.Failed,
			c.Unassigned, c.Held, c.Merged)
	}
	fmt.Fprintf(tw, "%-*s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", w, "total", run.Created, run.Updated, run.Unchanged, run.Archived, run.Conflicts, run.Failed,
		kept.Unassigned, kept.Held, kept.Merged)
	tw.Flush()
	if len(run.Problems) > 0 {
		fmt.Fprintln(out, "problems:")
		for _, p := range run.Problems {
			fmt.Fprintf(out, "  - %s\n", p)
		}
	}
}

// progressPrinter shows the progress of a run.
type progressPrinter struct {
	out      io.Writer
	terminal bool
	entity   string
	bar      *progressbar.ProgressBar
	last     time.Time
}

func newProgressPrinter(out io.Writer, terminal bool) *progressPrinter {
	return &progressPrinter{out: out, terminal: terminal}
}

// every is how often plain output reports an entity still being listed.
const every = 5 * time.Second

func (p *progressPrinter) report(pr Progress) {
	label := pr.Source + " " + pr.Entity
	if !p.terminal {
		switch {
		case pr.Finished:
			fmt.Fprintf(p.out, "%s: %d records\n", label, pr.Done)
		case time.Since(p.last) >= every:
			p.last = time.Now()
			if pr.Total >= 0 {
				fmt.Fprintf(p.out, "%s: %d of %d\n", label, pr.Done, pr.Total)
			} else {
				fmt.Fprintf(p.out, "%s: %d\n", label, pr.Done)
			}
		}
		return
	}
	if p.bar == nil || p.entity != label {
		p.done()
		p.entity = label
		p.bar = progressbar.NewOptions(pr.Total,
			progressbar.OptionSetWriter(p.out),
			progressbar.OptionSetDescription(fmt.Sprintf("%-20s", label)),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetItsString("records"),
			progressbar.OptionShowIts(),
			progressbar.OptionSpinnerType(14),
		)
	}
	if pr.Total > 0 && int64(pr.Total) != p.bar.GetMax64() {
		p.bar.ChangeMax(pr.Total)
	}
	_ = p.bar.Set(pr.Done)
	if pr.Finished {
		p.done()
	}
}

// done finishes the current bar.
func (p *progressPrinter) done() {
	if p.bar != nil {
		_ = p.bar.Finish()
		fmt.Fprintln(p.out)
		p.bar = nil
	}
}
