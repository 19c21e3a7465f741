package syncer_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/integrations/datto"
	dattofake "github.com/hivematrix/codex/integrations/datto/fake"
	"github.com/hivematrix/codex/integrations/freshservice"
	fsfake "github.com/hivematrix/codex/integrations/freshservice/fake"
	"github.com/hivematrix/codex/integrations/syncer"
	"github.com/hivematrix/codex/policy"
	"github.com/hivematrix/codex/store"
)

// env is a sync engine over a real database and both fake servers, over real HTTP.
type env struct {
	t      *testing.T
	db     *store.DB
	svc    codex.Services // policy-wrapped, as the engine gets them
	fs     *fsfake.Server
	dt     *dattofake.Server
	engine *syncer.Engine
	ctx    context.Context // an admin's, for checks

	// afterResponse, when set, is called after each HTTP exchange of the engine's clients,
	// so a test can inject a fault in the middle of a listing.
	mu            sync.Mutex
	afterResponse func(*http.Request)
}

// transport keeps enough idle connections for the engine's concurrent audits.
var transport = syncer.NewTransport()

// hook calls the env's afterResponse after each exchange.
type hook struct{ e *env }

func (h hook) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := transport.RoundTrip(req)
	h.e.mu.Lock()
	fn := h.e.afterResponse
	h.e.mu.Unlock()
	if fn != nil {
		fn(req)
	}
	return resp, err
}

// onResponse sets the function called after each HTTP exchange.
func (e *env) onResponse(fn func(*http.Request)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.afterResponse = fn
}

// newEnv starts the fakes and an engine whose clients retry fast: two retries, with
// back-off and Retry-After waits of milliseconds.
func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	fs, dt := fsfake.New(), dattofake.New()
	t.Cleanup(fs.Close)
	t.Cleanup(dt.Close)
	svc := policy.New(db.Services())
	e := &env{t: t, db: db, svc: svc, fs: fs, dt: dt,
		ctx: codex.WithPrincipal(context.Background(), codex.SystemPrincipal("test"))}
	e.engine = e.newEngine()
	t.Cleanup(func() { _ = e.engine.Shutdown(context.Background()) })
	return e
}

// newEngine returns another engine over the same database and fakes, as a second Codex
// replica would have.
func (e *env) newEngine() *syncer.Engine {
	return syncer.New(syncer.Config{Services: e.svc, Locker: e.db, Freshservice: e.fsClient(), Datto: e.dattoClient()})
}

// fsClient returns a Freshservice client of the fake.
func (e *env) fsClient() *freshservice.Client {
	return freshservice.New(freshservice.Config{BaseURL: e.fs.BaseURL(), APIKey: fsfake.APIKey,
		HTTPClient:    &http.Client{Transport: hook{e}, Timeout: time.Minute},
		RatePerMinute: 1_000_000, MaxRetries: 2, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond,
		MaxRetryAfter: 20 * time.Millisecond})
}

// dattoClient returns a Datto client of the fake.
func (e *env) dattoClient() *datto.Client {
	return datto.New(datto.Config{APIURL: e.dt.URL(), APIKey: dattofake.APIKey, APISecret: dattofake.APISecret,
		HTTPClient:    &http.Client{Transport: hook{e}, Timeout: time.Minute},
		RatePerMinute: 1_000_000, MaxRetries: 2, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond,
		MaxRetryAfter: 20 * time.Millisecond, BlockedBackoff: 20 * time.Millisecond})
}

// run runs a sync of source and fails the test on an error.
func (e *env) run(source string) *codex.SyncRun {
	e.t.Helper()
	run, err := e.engine.Run(context.Background(), source, "test")
	if err != nil {
		e.t.Fatalf("Run(%s) = %v; problems %v", source, err, problems(run))
	}
	return run
}

func problems(run *codex.SyncRun) []string {
	if run == nil {
		return nil
	}
	return run.Problems
}

// counts returns the counts of entity key in run.
func counts(run *codex.SyncRun, key string) codex.SyncCounts { return run.Counts[key] }

// wantCounts checks the counts of entity key.
func wantCounts(t *testing.T, run *codex.SyncRun, key string, want codex.SyncCounts) {
	t.Helper()
	if got := run.Counts[key]; got != want {
		t.Errorf("%s run counts[%s] = %+v; want %+v (problems %v)", run.Source, key, got, want, run.Problems)
	}
}

// wantNoChange checks that run created, updated and archived nothing.
func wantNoChange(t *testing.T, run *codex.SyncRun) {
	t.Helper()
	if run.Created != 0 || run.Updated != 0 || run.Archived != 0 || run.Conflicts != 0 || run.Failed != 0 {
		t.Errorf("%s run = created %d updated %d archived %d conflicts %d failed %d; want no change (counts %+v, problems %v)",
			run.Source, run.Created, run.Updated, run.Archived, run.Conflicts, run.Failed, run.Counts, run.Problems)
	}
}

// companyByAccount returns the company with an account number.
func (e *env) companyByAccount(account string) *codex.Company {
	e.t.Helper()
	c, err := e.svc.Companies.CompanyByAccountNumber(e.ctx, account)
	if err != nil {
		e.t.Fatalf("CompanyByAccountNumber(%s) = %v", account, err)
	}
	return c
}

// ref returns the row id linked to an outside record.
func (e *env) ref(source, entity, externalID string) *codex.ExternalRef {
	e.t.Helper()
	r, err := e.svc.Sync.ExternalRef(e.ctx, source, entity, externalID)
	if err != nil {
		e.t.Fatalf("ExternalRef(%s, %s, %s) = %v", source, entity, externalID, err)
	}
	return r
}

// count counts rows of a table.
func (e *env) count(table string, where string) int {
	e.t.Helper()
	q := e.db.Bun().NewSelect().Table(table)
	if where != "" {
		q = q.Where(where)
	}
	n, err := q.Count(context.Background())
	if err != nil {
		e.t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func ptr[T any](v T) *T { return &v }
