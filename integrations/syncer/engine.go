// Package syncer keeps Codex's copy of the PSA (Freshservice) and the RMM (Datto RMM)
// current, and writes back what Codex owns.
//
// A run of one source is a sync_runs row. It lists every entity of the source page by
// page and commits as it goes: each page's new rows are created, together with the
// external references that link them to their upstream records, in one transaction
// (codex.SyncStore's Import methods); changes go through the entity services one record
// at a time. The engine holds the policy-wrapped codex.Services and writes as the system
// principal "sync:<source>", so every write is authorized and audited like any other.
//
// Matching: a record is found by its external reference first, then by the entity's
// natural key (account number, e-mail, serial number, hostname), and created otherwise;
// re-processing a page is therefore safe, and a run that failed half-way is resumed by
// the next one.
//
// Field ownership: every mapped field has an owner (see ownership.go). Fields a source
// owns are pulled with a three-way comparison against the snapshot of the upstream
// values as last synced, kept on the external reference: an upstream change is applied
// only while Codex still holds the snapshot's value; when a person changed the field in
// Codex, the upstream change is recorded as a sync conflict and not applied. Fields Codex
// owns are set from upstream once, at creation, and pushed back whenever Codex's value
// differs from the snapshot; a failed push is retried by the next run.
//
// Nothing is lost: a record missing from a complete listing is archived (never deleted),
// and restored when it comes back. Deletions are inferred only at the end of a run in
// which every listing completed. A record no company can be found for, or whose match
// is ambiguous, is kept in the triage list until an admin assigns it (triage.go); every
// client company gets an account number, pushed to both sources (accountnumber.go).
package syncer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/integrations/datto"
	"github.com/hivematrix/codex/integrations/freshservice"
)

// SourceAll runs every configured source, Freshservice first.
const SourceAll = "all"

// DefaultAuditConcurrency is how many Datto device audits (and site variable reads) run at
// once for devices (and sites) seen for the first time.
const DefaultAuditConcurrency = 8

// Locker is the run lock: one holder of name at a time across every Codex sharing the
// database. *store.DB implements it (a PostgreSQL advisory lock, or a mutex on SQLite).
type Locker interface {
	TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error)
}

// Config configures an Engine.
type Config struct {
	// Services are the policy-wrapped services (policy.New(db.Services())).
	Services codex.Services
	// Locker serialises runs of one source.
	Locker Locker
	// Freshservice and Datto are the clients of the configured sources; nil disables one.
	Freshservice *freshservice.Client
	Datto        *datto.Client
	// Logger receives the sync events; nil discards them.
	Logger *slog.Logger
	// AuditConcurrency bounds concurrent device audits; 0 means DefaultAuditConcurrency.
	AuditConcurrency int
	// Writers is how many pages are written at once; 0 means 2 when the Locker is a
	// PostgreSQL database (it has a Dialect method saying "pg") and 1 otherwise: SQLite
	// serializes writes anyway.
	Writers int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// AccountNumberFormat formats the account numbers Codex hands out (one integer, e.g.
	// "%06d"); AccountNumberStart is the first. Zero values mean the defaults.
	AccountNumberFormat string
	AccountNumberStart  int64
	// StatusNames names the Freshservice account's own ticket statuses (6 on) by id; the
	// built-in ones (DefaultStatusNames) need not be listed.
	StatusNames map[int]string
	// OnRunFinished, when set, is called with each run of one source once its end is
	// recorded (the server counts runs, records and failures in its metrics).
	OnRunFinished func(*codex.SyncRun)
}

// Engine runs syncs. It is safe for concurrent use; runs of one source exclude each other
// through the Locker.
type Engine struct {
	svc      codex.Services
	locker   Locker
	fs       *freshservice.Client
	datto    *datto.Client
	log      *slog.Logger
	audits   int
	writers  int
	now      func() time.Time
	finished func(*codex.SyncRun)
	base     context.Context
	stop     context.CancelFunc
	inFlight sync.WaitGroup
	statuses map[int]string

	accountFormat string
	accountStart  int64
}

// New returns an Engine for cfg. Call Shutdown to stop runs started in the background.
func New(cfg Config) *Engine {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.AuditConcurrency <= 0 {
		cfg.AuditConcurrency = DefaultAuditConcurrency
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Writers <= 0 {
		cfg.Writers = 1
		if d, ok := cfg.Locker.(interface{ Dialect() string }); ok && d.Dialect() == "pg" {
			cfg.Writers = 2
		}
	}
	if cfg.AccountNumberFormat == "" {
		cfg.AccountNumberFormat = DefaultAccountNumberFormat
	}
	if cfg.AccountNumberStart <= 0 {
		cfg.AccountNumberStart = DefaultAccountNumberStart
	}
	base, stop := context.WithCancel(context.Background())
	return &Engine{
		svc: cfg.Services, locker: cfg.Locker, fs: cfg.Freshservice, datto: cfg.Datto,
		log: cfg.Logger, audits: cfg.AuditConcurrency, writers: cfg.Writers, now: cfg.Now, finished: cfg.OnRunFinished, base: base, stop: stop,
		accountFormat: cfg.AccountNumberFormat, accountStart: cfg.AccountNumberStart,
		statuses: cfg.StatusNames,
	}
}

// Sources returns the configured sources, in the order "all" runs them.
func (e *Engine) Sources() []string {
	var out []string
	if e.fs != nil {
		out = append(out, codex.SourceFreshservice)
	}
	if e.datto != nil {
		out = append(out, codex.SourceDatto)
	}
	return out
}

// sources resolves a source argument ("freshservice", "datto" or "all").
func (e *Engine) sources(source string) ([]string, error) {
	switch source {
	case SourceAll:
		s := e.Sources()
		if len(s) == 0 {
			return nil, codex.Errorf(codex.Invalid, "no integration is configured: set [integrations] freshservice_api_key or datto_api_key")
		}
		return s, nil
	case codex.SourceFreshservice:
		if e.fs == nil {
			return nil, codex.Errorf(codex.Invalid, "freshservice is not configured: set [integrations] freshservice_api_key")
		}
	case codex.SourceDatto:
		if e.datto == nil {
			return nil, codex.Errorf(codex.Invalid, "datto is not configured: set [integrations] datto_api_key and datto_api_secret")
		}
	default:
		return nil, &codex.Error{Code: codex.Invalid, Message: "unknown sync source",
			Fields: map[string]string{"source": fmt.Sprintf("%q is not one of freshservice, datto, all", source)}}
	}
	return []string{source}, nil
}

// Progress reports how far a run has got through one entity's listing.
type Progress struct {
	Source string
	// Entity is the count key being listed ("company", "contact", ...).
	Entity string
	// Done is how many records have been processed; Total how many the listing holds, or
	// -1 when the source does not say.
	Done, Total int
	// Finished is set on the last report of an entity.
	Finished bool
}

// Run syncs source ("freshservice", "datto" or "all") now and returns the finished run.
// triggeredBy names who asked ("cli", "schedule", an e-mail). A run that failed is
// returned together with its error. When another run of the source holds the lock, the
// error is a codex.Conflict ("a freshservice sync is already running") and no run is
// recorded. For "all" the sources run one after the other and the run returned is their
// sum (not stored; its ID is 0); the first error is returned after every source ran.
func (e *Engine) Run(ctx context.Context, source, triggeredBy string) (*codex.SyncRun, error) {
	return e.RunWithProgress(ctx, source, triggeredBy, nil)
}

// RunWithProgress is Run, calling progress (if not nil) as pages are processed.
func (e *Engine) RunWithProgress(ctx context.Context, source, triggeredBy string, progress func(Progress)) (*codex.SyncRun, error) {
	srcs, err := e.sources(source)
	if err != nil {
		return nil, err
	}
	if len(srcs) == 1 && source != SourceAll {
		r, err := e.acquire(ctx, srcs[0], triggeredBy)
		if err != nil {
			return nil, err
		}
		return r.execute(ctx, progress)
	}
	total := &codex.SyncRun{Source: SourceAll, TriggeredBy: triggeredBy, StartedAt: e.now().UTC(), Counts: map[string]codex.SyncCounts{}}
	var errs []error
	for _, s := range srcs {
		run, err := e.RunWithProgress(ctx, s, triggeredBy, progress)
		if err != nil {
			errs = append(errs, err)
		}
		if run != nil {
			addRun(total, run)
		}
	}
	total.Status = codex.SyncSucceeded
	if err := errors.Join(errs...); err != nil {
		total.Status, total.Error = codex.SyncFailed, err.Error()
	}
	end := e.now().UTC()
	total.FinishedAt = &end
	return total, errors.Join(errs...)
}

// addRun adds run's counts and problems to total, prefixing entity keys with the source.
func addRun(total, run *codex.SyncRun) {
	for k, c := range run.Counts {
		total.Counts[run.Source+" "+k] = c
	}
	total.Created += run.Created
	total.Updated += run.Updated
	total.Unchanged += run.Unchanged
	total.Archived += run.Archived
	total.Conflicts += run.Conflicts
	total.Failed += run.Failed
	for _, p := range run.Problems {
		total.Problems = append(total.Problems, run.Source+": "+p)
	}
}

// Start starts a run of one source in the background and returns it while it runs. The
// caller in ctx must be allowed to run integrations. It refuses with a codex.Conflict
// when a run of the source is in progress, here or in another Codex sharing the database.
// The run goes on after ctx ends; Shutdown stops it.
func (e *Engine) Start(ctx context.Context, source string) (*codex.SyncRun, error) {
	return e.start(ctx, source, false)
}

// start is Start; ticketsOnly limits a Freshservice run to agents, groups and tickets.
func (e *Engine) start(ctx context.Context, source string, ticketsOnly bool) (*codex.SyncRun, error) {
	p := codex.PrincipalFrom(ctx)
	if p == nil {
		return nil, codex.Errorf(codex.Unauthenticated, "authentication required")
	}
	if !p.Can(codex.Write, codex.ResSync) {
		return nil, codex.Errorf(codex.Forbidden, "you may not start integration runs")
	}
	srcs, err := e.sources(source)
	if err != nil {
		return nil, err
	}
	if len(srcs) != 1 || source == SourceAll {
		return nil, &codex.Error{Code: codex.Invalid, Message: "start one source at a time",
			Fields: map[string]string{"source": "must be freshservice or datto"}}
	}
	r, err := e.acquire(ctx, srcs[0], p.Actor())
	if err != nil {
		return nil, err
	}
	r.ticketsOnly = ticketsOnly
	started := *r.run
	e.inFlight.Add(1)
	go func() {
		defer e.inFlight.Done()
		_, _ = r.execute(e.base, nil) // the outcome is logged and stored in the run
	}()
	return &started, nil
}

// Shutdown cancels the runs started in the background and waits for them to record their
// end, or for ctx to end.
func (e *Engine) Shutdown(ctx context.Context) error {
	e.stop()
	done := make(chan struct{})
	go func() { e.inFlight.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// lockName is the run lock of source; PostgreSQL hashes it with hashtext.
func lockName(source string) string { return "codex-sync:" + source }

// acquire takes the run lock of source and records the start of a run.
func (e *Engine) acquire(ctx context.Context, source, triggeredBy string) (*runner, error) {
	unlock, ok, err := e.locker.TryLock(ctx, lockName(source))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, codex.Errorf(codex.Conflict, "a %s sync is already running", source)
	}
	sys := codex.WithPrincipal(context.WithoutCancel(ctx), codex.SystemPrincipal("sync:"+source))
	if err := e.failStale(sys, source); err != nil {
		unlock()
		return nil, err
	}
	run, err := e.svc.Sync.StartSyncRun(sys, source, triggeredBy)
	if err != nil {
		unlock()
		return nil, err
	}
	return &runner{e: e, source: source, run: run, unlock: unlock}, nil
}

// failStale marks runs of source still "running" as failed: whoever ran them is gone,
// since we hold the lock they would hold.
func (e *Engine) failStale(ctx context.Context, source string) error {
	for range 100 {
		run, err := e.svc.Sync.LastSyncRun(ctx, source, codex.SyncRunning)
		if codex.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		run.Status, run.Error = codex.SyncFailed, "interrupted: the process running it stopped before it finished"
		if err := e.svc.Sync.FinishSyncRun(ctx, run); err != nil {
			return err
		}
		e.log.Warn("sync: marked an interrupted run failed", "source", source, "run", run.ID)
	}
	return nil
}

// runner is one run of one source.
type runner struct {
	e        *Engine
	source   string
	run      *codex.SyncRun
	unlock   func()
	progress func(Progress)
	// ticketsOnly limits a Freshservice run to agents, groups and tickets (StartTickets).
	ticketsOnly bool

	mu         sync.Mutex
	counts     map[string]*codex.SyncCounts
	problems   []string
	moreProbs  int
	seen       map[string]map[string]bool // entity -> external ids listed
	incomplete map[string]string          // entity -> why its deletions cannot be inferred
	claims     map[string]map[int64]bool  // entity -> rows matched by a record this run
	listed     []string                   // entities listed to the end, in order
	archivers  []archiver                 // the entities whose deletions are inferred, in order
	watermark  *time.Time
	tri        *triageState // triage.go
	accounts   []string     // account numbers handed out this run (accountnumber.go)
	mode       string       // "" for a full run, modeAccountNumbers
}

// execute runs the sync and records its end. ctx bounds the run.
func (r *runner) execute(ctx context.Context, progress func(Progress)) (*codex.SyncRun, error) {
	defer r.unlock()
	r.progress = progress
	r.counts = map[string]*codex.SyncCounts{}
	r.seen = map[string]map[string]bool{}
	r.incomplete = map[string]string{}
	ctx = codex.WithPrincipal(ctx, codex.SystemPrincipal("sync:"+r.source))
	log := r.e.log.With("source", r.source, "run", r.run.ID)
	log.Info("sync: run started", "triggered_by", r.run.TriggeredBy)
	start := time.Now()

	var err error
	switch {
	case r.mode == modeAccountNumbers:
		err = r.accountNumbersOnly(ctx)
	case r.source == codex.SourceFreshservice:
		if r.ticketsOnly {
			err = r.fsTicketsOnly(ctx)
		} else {
			err = r.freshservice(ctx)
		}
	case r.source == codex.SourceDatto:
		err = r.datto(ctx)
	}
	if err == nil {
		err = r.archiveMissing(ctx)
	}
	r.finish(err)
	// Record the end even when ctx was cancelled (Shutdown, Ctrl-C).
	if ferr := r.e.svc.Sync.FinishSyncRun(context.WithoutCancel(ctx), r.run); ferr != nil {
		log.Error("sync: recording the end of the run failed", "error", ferr.Error())
		if err == nil {
			err = ferr
		}
	}
	if r.e.finished != nil {
		r.e.finished(r.run)
	}
	attrs := []any{"status", r.run.Status, "duration", time.Since(start).Round(time.Millisecond),
		"created", r.run.Created, "updated", r.run.Updated, "unchanged", r.run.Unchanged,
		"archived", r.run.Archived, "conflicts", r.run.Conflicts, "failed", r.run.Failed}
	if err != nil {
		log.Error("sync: run failed", append(attrs, "error", err.Error())...)
		return r.run, err
	}
	if r.run.Failed > 0 {
		log.Warn("sync: run succeeded with failed records", attrs...)
	} else {
		log.Info("sync: run succeeded", attrs...)
	}
	return r.run, nil
}

// finish copies the counts and problems into the run and sets its status.
func (r *runner) finish(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	run := r.run
	run.Counts = map[string]codex.SyncCounts{}
	run.Created, run.Updated, run.Unchanged, run.Archived, run.Conflicts, run.Failed = 0, 0, 0, 0, 0, 0
	for _, k := range slices.Sorted(maps.Keys(r.counts)) {
		c := *r.counts[k]
		run.Counts[k] = c
		run.Created += c.Created
		run.Updated += c.Updated
		run.Unchanged += c.Unchanged
		run.Archived += c.Archived
		run.Conflicts += c.Conflicts
		run.Failed += c.Failed
	}
	run.Problems = slices.Clone(r.problems)
	if r.moreProbs > 0 {
		run.Problems = append(run.Problems, fmt.Sprintf("... and %d more", r.moreProbs))
	}
	if run.Problems == nil {
		run.Problems = []string{}
	}
	if err != nil {
		run.Status, run.Error = codex.SyncFailed, errorText(err)
		return
	}
	run.Status, run.Error = codex.SyncSucceeded, ""
	if r.watermark != nil {
		run.Watermark = r.watermark
	}
}

// errorText is the text of a run's error as stored: the whole message, cause included,
// since the clients' errors never carry credentials.
func errorText(err error) string {
	if errors.Is(err, context.Canceled) {
		return "cancelled: " + err.Error()
	}
	return err.Error()
}

// count returns the counts of key, creating them.
func (r *runner) count(key string) *codex.SyncCounts {
	c, ok := r.counts[key]
	if !ok {
		c = &codex.SyncCounts{}
		r.counts[key] = c
	}
	return c
}

// add applies fn to the counts of key.
func (r *runner) add(key string, fn func(*codex.SyncCounts)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fn(r.count(key))
}

// problem records a per-record problem of the run and logs it.
func (r *runner) problem(ctx context.Context, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	r.e.log.WarnContext(ctx, "sync: "+msg, "source", r.source, "run", r.run.ID)
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.problems) < codex.MaxSyncProblems {
		r.problems = append(r.problems, msg)
	} else {
		r.moreProbs++
	}
}

// failed counts a record of key that could not be synced, with the reason.
func (r *runner) failed(ctx context.Context, key, what string, err error) {
	r.add(key, func(c *codex.SyncCounts) { c.Failed++ })
	r.problem(ctx, "%s %s: %s", key, what, errorText(err))
}

// markSeen records that entity's listing holds the external ids.
func (r *runner) markSeen(entity string, ids ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.seen[entity]
	if !ok {
		s = map[string]bool{}
		r.seen[entity] = s
	}
	for _, id := range ids {
		s[id] = true
	}
}

// skipped counts the malformed records of a page as failed. A record whose id could not
// be read leaves the listing incomplete: its row might be archived wrongly.
func (r *runner) skipped(ctx context.Context, entity, key string, errs []error, ids []string) {
	for i, err := range errs {
		r.add(key, func(c *codex.SyncCounts) { c.Failed++ })
		r.problem(ctx, "%s: malformed record skipped: %v", key, err)
		if ids[i] == "" {
			r.mu.Lock()
			r.incomplete[entity] = "a malformed record without a readable id was skipped"
			r.mu.Unlock()
		} else {
			r.markSeen(entity, ids[i])
		}
	}
}

// listed records that entity's listing reached its end.
func (r *runner) listedAll(entity string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.listed = append(r.listed, entity)
}

// report calls the progress function, if any.
func (r *runner) report(entity string, done, total int, finished bool) {
	if r.progress != nil {
		r.progress(Progress{Source: r.source, Entity: entity, Done: done, Total: total, Finished: finished})
	}
}

// fatal reports whether err ends the run rather than one record: the database or the
// caller's rights failing, or cancellation, as opposed to one record being rejected.
func fatal(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	switch codex.ErrorCode(err) {
	case codex.Invalid, codex.NotFound, codex.Conflict:
		return false
	}
	return true
}

// NewTransport returns an HTTP transport for the integrations' clients that keeps enough
// idle connections per host for the engine's concurrent audits: the default transport
// keeps two, and would open (and close) a connection for most audit requests.
func NewTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 4 * DefaultAuditConcurrency
	return t
}
