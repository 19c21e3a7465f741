package syncer

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/hivematrix/codex/codex"
)

// Scheduler defaults.
const (
	DefaultInterval   = 4 * time.Hour
	DefaultFirstDelay = time.Minute
	// DefaultJitter spreads runs by up to a tenth of the interval either way, so that
	// replicas started together do not all try at once (the lock lets one run anyway).
	DefaultJitter = 0.1
)

// Scheduler runs each configured source every Interval while Run's context lasts. With
// several Codex replicas each runs a scheduler; the run lock lets one of them run a source
// and the others skip that turn.
type Scheduler struct {
	// Engine runs the syncs.
	Engine *Engine
	// Interval is the time between two runs of a source; 0 means DefaultInterval.
	Interval time.Duration
	// FirstDelay is the wait before the first runs, so that starting Codex stays quick;
	// 0 means DefaultFirstDelay.
	FirstDelay time.Duration
	// Jitter is the fraction of the wait added or taken at random; 0 means DefaultJitter,
	// a negative value none.
	Jitter float64
	// Logger receives the scheduler's events; nil discards them.
	Logger *slog.Logger
}

// NewScheduler returns a scheduler of e's sources every interval.
func NewScheduler(e *Engine, interval time.Duration, log *slog.Logger) *Scheduler {
	return &Scheduler{Engine: e, Interval: interval, Logger: log}
}

// Run runs the schedule until ctx ends, then waits for the runs in progress to stop (they
// are cancelled with ctx and recorded as failed).
func (s *Scheduler) Run(ctx context.Context) {
	interval, first, jitter := s.Interval, s.FirstDelay, s.Jitter
	if interval <= 0 {
		interval = DefaultInterval
	}
	if first <= 0 {
		first = DefaultFirstDelay
	}
	if jitter == 0 {
		jitter = DefaultJitter
	}
	log := s.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var wg sync.WaitGroup
	for _, source := range s.Engine.Sources() {
		wg.Go(func() {
			wait := spread(first, jitter)
			for {
				select {
				case <-ctx.Done():
					return
				case <-time.After(wait):
				}
				run, err := s.Engine.Run(ctx, source, "schedule")
				switch {
				case codex.ErrorCode(err) == codex.Conflict && run == nil:
					log.Info("sync: scheduled run skipped: another run of the source is in progress", "source", source)
				case err != nil && ctx.Err() != nil:
					return
				case err != nil:
					log.Error("sync: scheduled run failed", "source", source, "error", err.Error())
				}
				wait = spread(interval, jitter)
			}
		})
	}
	log.Info("sync: scheduler started", "sources", s.Engine.Sources(), "interval", interval)
	wg.Wait()
}

// spread returns d moved at random by up to jitter·d either way.
func spread(d time.Duration, jitter float64) time.Duration {
	if jitter <= 0 {
		return d
	}
	return d + time.Duration((rand.Float64()*2-1)*jitter*float64(d))
}
