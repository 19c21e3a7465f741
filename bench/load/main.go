// Command load drives a running Codex with the benchmark's requests and reports what
// issue 7 asks of it: requests per second, p50 and p99 latency, SQL statements per
// request, the server's CPU per request and its resident memory.
//
// Scenarios (default: all, in this order):
//
//	csv   GET /api/assets?format=csv: the export of every asset (100,000 at --scale 2000),
//	      one export at a time: rows/s and the server's RSS growth during the export
//	rest  GET /api/assets?company_id=N: one company's assets as JSON
//	q1    POST /graphql with bench/queries/codex/q1.graphql + q1.vars.json (company page)
//	q2    the same with q2 (list page)
//	q3    the same with q3 (deep tree)
//
// The platform workload (issue 18; platform.go, bench/platform.sh), against Codex or, with
// --target postgraphile, PostGraphile v5: q1r q2r q3r theme search export write mix, each
// request with variables drawn at random from pools read from --pool-db before the run.
//
// Each load scenario runs --warmup unmeasured, then --duration measured with --conc
// clients in a closed loop over keep-alive connections (like wrk), then a sequential
// probe of --probe requests. SQL statements per request are the pg_stat_statements calls
// in the server's database during the probe divided by its requests (exact: nothing else
// is in flight), read when --db is a PostgreSQL URL whose database has the extension;
// otherwise "n/a". CPU and memory are read from /proc/<--pid>: user+system CPU during the
// measured window per request, the highest VmRSS sampled every 20 ms during the window,
// and VmHWM (the process's lifetime peak) at its end.
//
//	go run ./bench/load --token "$(codex token --email bench@example.com --level admin)" \
//	    --pid "$(pgrep -n codex)" --db "$CODEX_DATABASE_URL" q1 q2 q3
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// config holds the command line.
type config struct {
	url       string
	token     string
	queries   string
	conc      int
	duration  time.Duration
	warmup    time.Duration
	probe     int
	pid       int
	db        string
	company   int
	csvRuns   int
	jsonOut   string
	label     string
	scenarios []string
	// the platform workload (platform.go)
	target          string
	platformQueries string
	poolDB          string
	mix             string
	checkURL        string        // the stale-read checker's other replica (stale.go)
	staleAfter      time.Duration // how long a write may take to be visible there
}

var allScenarios = []string{"csv", "rest", "q1", "q2", "q3"}

func parseFlags(args []string) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.StringVar(&c.url, "url", "http://127.0.0.1:5010", "Codex's base `URL`")
	fs.StringVar(&c.token, "token", os.Getenv("CODEX_TOKEN"), "bearer `token` (default $CODEX_TOKEN): `codex token --email E --level admin`")
	fs.StringVar(&c.queries, "queries", "bench/queries/codex", "`dir`ectory of qN.graphql + qN.vars.json")
	fs.IntVar(&c.conc, "conc", 16, "concurrent clients")
	fs.DurationVar(&c.duration, "duration", 15*time.Second, "measured time per scenario")
	fs.DurationVar(&c.warmup, "warmup", 3*time.Second, "unmeasured time before each measurement")
	fs.IntVar(&c.probe, "probe", 50, "sequential requests per scenario for the exact SQL statements per request (0: skip)")
	fs.IntVar(&c.pid, "pid", 0, "the server's process `id`, for CPU and RSS (0: not measured)")
	fs.StringVar(&c.db, "db", os.Getenv("CODEX_DATABASE_URL"), "the server's database (default $CODEX_DATABASE_URL); SQL statements are counted when it is PostgreSQL")
	fs.IntVar(&c.company, "company", 3, "company `id` of the REST list")
	fs.IntVar(&c.csvRuns, "csv-runs", 3, "CSV exports, one after another")
	fs.StringVar(&c.jsonOut, "json", "", "also write the results to this `file` as JSON")
	fs.StringVar(&c.label, "label", "codex", "label of this run in the output (e.g. codex-postgres, codex-sqlite)")
	fs.StringVar(&c.target, "target", "codex", "the server: codex or postgraphile (only the platform scenarios)")
	fs.StringVar(&c.platformQueries, "platform-queries", "bench/queries/platform", "`dir`ectory of the platform scenarios' <target>/<name>.graphql")
	fs.StringVar(&c.poolDB, "pool-db", "", "PostgreSQL database to draw the platform scenarios' ids, e-mails and prefixes from (default --db)")
	fs.StringVar(&c.checkURL, "check-url", "", "another Codex replica's base `URL` on the same database: every write is re-read through it, and through --url right after (the stale-read checker; Codex only)")
	fs.DurationVar(&c.staleAfter, "stale-after", 100*time.Millisecond, "a re-read through --check-url still answering the old value this long after the write is a stale read (it fails the run)")
	fs.StringVar(&c.mix, "mix", "", "the platform mix as name=weight,... (default "+mixText(platformMix)+")")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: load [flags] [%s ...]\n", strings.Join(append(slices.Clone(allScenarios), platformScenarios...), " | "))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	c.scenarios = fs.Args()
	if len(c.scenarios) == 0 {
		c.scenarios = allScenarios
	}
	if c.poolDB == "" {
		c.poolDB = c.db
	}
	if _, ok := platformSpecs[c.target]; !ok {
		return nil, fmt.Errorf("unknown --target %q (want codex or postgraphile)", c.target)
	}
	for _, s := range c.scenarios {
		switch {
		case slices.Contains(platformScenarios, s):
		case !slices.Contains(allScenarios, s):
			return nil, fmt.Errorf("unknown scenario %q (want %s)", s, strings.Join(append(slices.Clone(allScenarios), platformScenarios...), ", "))
		case c.target != "codex":
			return nil, fmt.Errorf("scenario %s runs against Codex only (--target %s)", s, c.target)
		}
	}
	if _, err := parseMix(c.mix); err != nil {
		return nil, err
	}
	switch {
	case c.token == "" && c.target == "codex":
		return nil, errors.New("no token: pass --token or set CODEX_TOKEN (`codex token --email bench@example.com --level admin`)")
	case c.conc < 1:
		return nil, errors.New("--conc must be at least 1")
	}
	c.url = strings.TrimRight(c.url, "/")
	c.checkURL = strings.TrimRight(c.checkURL, "/")
	if c.checkURL != "" && c.target != "codex" {
		return nil, errors.New("--check-url is for Codex replicas (--target codex)")
	}
	return c, nil
}

// report is everything one invocation measured, as written by --json.
type report struct {
	Label     string       `json:"label"`
	URL       string       `json:"url"`
	Conc      int          `json:"conc"`
	Duration  string       `json:"duration"`
	Warmup    string       `json:"warmup"`
	Database  string       `json:"database"`
	Start     time.Time    `json:"start"`
	Load      []loadResult `json:"load"`
	CSV       []csvResult  `json:"csv,omitempty"`
	SQLCounts string       `json:"sql_counts"`
}

func run(ctx context.Context, args []string, out io.Writer) error {
	c, err := parseFlags(args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	stmts, why := openStatementCounter(ctx, c.db)
	if stmts != nil {
		defer stmts.Close()
	}
	rep := report{Label: c.label, URL: c.url, Conc: c.conc, Duration: c.duration.String(), Warmup: c.warmup.String(),
		Database: redactDSN(c.db), Start: time.Now().UTC(), SQLCounts: why}
	proc := process(c.pid)

	fmt.Fprintf(out, "# %s: %s, %d clients, %s warm-up + %s measured per scenario, probe %d sequential requests\n",
		c.label, c.url, c.conc, c.warmup, c.duration, c.probe)
	fmt.Fprintf(out, "# database %s; SQL statements: %s; server pid %s\n", rep.Database, why, pidText(c.pid))
	var pl *pools
	if slices.ContainsFunc(c.scenarios, func(s string) bool { return slices.Contains(platformScenarios, s) }) {
		if pl, err = loadPools(ctx, c); err != nil {
			return err
		}
		fmt.Fprintf(out, "# target %s; pools: %d companies, %d roots (%d cursors), %d agent e-mails, %d search prefixes; mix %s\n",
			c.target, len(pl.companies), len(pl.roots), len(pl.rootCursors), len(pl.emails), len(pl.prefixes), mixText(mustMix(c.mix)))
	}
	header := false
	var staleErr error // the stale-read checker's verdict fails the run, after the report
	for _, s := range c.scenarios {
		if err := ctx.Err(); err != nil {
			return err
		}
		if s == "csv" {
			res, err := runCSV(ctx, c, proc)
			if err != nil {
				return fmt.Errorf("csv: %w", err)
			}
			rep.CSV = res
			printCSV(out, res)
			continue
		}
		var req request
		if slices.Contains(platformScenarios, s) {
			req, err = platformRequest(c, pl, s)
		} else {
			req, err = scenarioRequest(c, s)
		}
		if err != nil {
			return err
		}
		res, err := runLoad(ctx, c, req, proc, stmts)
		if err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
		if !header {
			printLoadHeader(out)
			header = true
		}
		printLoad(out, res)
		rep.Load = append(rep.Load, res)
		if st := res.Stale; st != nil && (st.Stale > 0 || st.StaleSelf > 0) && staleErr == nil {
			staleErr = fmt.Errorf("%s: %d stale reads through the other replica, %d through the writing replica: %s",
				s, st.Stale, st.StaleSelf, st.FirstStale)
		}
	}
	if c.jsonOut != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(c.jsonOut, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	return staleErr
}

// request is one scenario's HTTP request, sent again and again.
type request struct {
	name   string
	method string
	url    string
	body   []byte
	// graphQL responses are 200 even when they fail: their body must hold no "errors".
	graphQL bool
	// gen, when set, draws a new request (random variables) for every send.
	gen func(*rand.Rand) (request, error)
	// written, on a write, is what it sets (for the stale-read checker).
	written *written
}

func scenarioRequest(c *config, s string) (request, error) {
	if s == "rest" {
		return request{name: s, method: http.MethodGet, url: fmt.Sprintf("%s/api/assets?company_id=%d", c.url, c.company)}, nil
	}
	q, err := os.ReadFile(filepath.Join(c.queries, s+".graphql"))
	if err != nil {
		return request{}, err
	}
	vars, err := os.ReadFile(filepath.Join(c.queries, s+".vars.json"))
	if err != nil {
		return request{}, err
	}
	body, err := json.Marshal(struct {
		Query     string          `json:"query"`
		Variables json.RawMessage `json:"variables"`
	}{string(q), vars})
	if err != nil {
		return request{}, fmt.Errorf("%s.vars.json: %w", s, err)
	}
	return request{name: s, method: http.MethodPost, url: c.url + "/graphql", body: body, graphQL: true}, nil
}

func printLoadHeader(out io.Writer) {
	fmt.Fprintf(out, "%-6s %5s %9s %8s %8s %8s %7s %9s %11s %12s %8s\n",
		"query", "conc", "req/s", "p50 ms", "p99 ms", "c=1 ms", "errors", "SQL/req", "CPU ms/req", "peak RSS MB", "HWM MB")
}

func printLoad(out io.Writer, r loadResult) {
	fmt.Fprintf(out, "%-6s %5d %9.1f %8.2f %8.2f %8s %7d %9s %11s %12s %8s\n",
		r.Name, r.Conc, r.RPS, r.P50ms, r.P99ms, optF(r.ProbeP50ms, 2), r.Errors, optF(r.SQLPerReq, 2),
		optF(r.CPUmsPerReq, 3), optF(r.PeakRSSMB, 1), optF(r.HWMMB, 1))
	if r.FirstError != "" {
		fmt.Fprintf(out, "       first error: %s\n", r.FirstError)
	}
	if st := r.Stale; st != nil && st.Checks+st.Skipped+st.Errors+st.StaleSelf > 0 { // a scenario with writes
		fmt.Fprintf(out, "       stale-read check: %d writes re-read through the other replica, %d stale there, %d stale through the writing replica, %d overtaken, %d errors; visible after p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
			st.Checks, st.Stale, st.StaleSelf, st.Skipped, st.Errors, st.VisibleP50, st.VisibleP99, st.VisibleMax)
		if st.FirstStale != "" {
			fmt.Fprintf(out, "       first problem: %s\n", st.FirstStale)
		}
	}
	for _, k := range r.Kinds {
		fmt.Fprintf(out, "       %-7s %5.1f%% of requests, p50 %.2f ms, p99 %.2f ms, %d errors\n",
			k.Name, 100*float64(k.Requests)/float64(r.Requests), k.P50ms, k.P99ms, k.Errors)
	}
}

// optF formats an optional figure; nil is "n/a".
func optF(v *float64, prec int) string {
	if v == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.*f", prec, *v)
}

func pidText(pid int) string {
	if pid == 0 {
		return "not given (no CPU/RSS)"
	}
	return fmt.Sprint(pid)
}

// redactDSN hides a password in a connection string.
func redactDSN(dsn string) string {
	if dsn == "" {
		return "(not given)"
	}
	if i := strings.Index(dsn, "://"); i >= 0 {
		if at := strings.Index(dsn[i+3:], "@"); at >= 0 {
			userinfo := dsn[i+3 : i+3+at]
			if c := strings.Index(userinfo, ":"); c >= 0 {
				return dsn[:i+3] + userinfo[:c] + ":xxxxx" + dsn[i+3+at:]
			}
		}
	}
	return dsn
}

// mixText formats a mix as name=weight,...
func mixText(ws []weighted) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = fmt.Sprintf("%s=%d", w.name, w.weight)
	}
	return strings.Join(parts, ",")
}

// mustMix is parseMix of a mix parseFlags has checked.
func mustMix(s string) []weighted {
	ws, err := parseMix(s)
	if err != nil {
		panic(err)
	}
	return ws
}
