package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"
)

// loadResult is one load scenario's figures; nil pointers are "not measured".
type loadResult struct {
	Name        string   `json:"name"`
	Conc        int      `json:"conc"`
	Requests    int      `json:"requests"`
	Errors      int      `json:"errors"`
	FirstError  string   `json:"first_error,omitempty"`
	Seconds     float64  `json:"seconds"`
	RPS         float64  `json:"rps"`
	P50ms       float64  `json:"p50_ms"`
	P99ms       float64  `json:"p99_ms"`
	ProbeP50ms  *float64 `json:"probe_p50_ms,omitempty"`
	SQLPerReq   *float64 `json:"sql_per_req,omitempty"`
	SQLUnderLd  *float64 `json:"sql_per_req_under_load,omitempty"`
	CPUmsPerReq *float64 `json:"cpu_ms_per_req,omitempty"`
	PeakRSSMB   *float64 `json:"peak_rss_mb,omitempty"`
	HWMMB       *float64 `json:"hwm_mb,omitempty"`
	BytesPerReq float64  `json:"bytes_per_req"`
	// Kinds breaks a mix down by request kind (measured window only).
	Kinds []kindResult `json:"kinds,omitempty"`
	// Stale is the stale-read checker's verdict on the window's writes (--check-url).
	Stale *staleResult `json:"stale,omitempty"`
}

// kindResult is one request kind's share of a mix.
type kindResult struct {
	Name     string  `json:"name"`
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
}

// newClient returns a keep-alive client for conc concurrent requests. Compression is
// off, as with wrk, so the server is not asked for gzip.
func newClient(conc int, timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			MaxIdleConns:        2 * conc,
			MaxIdleConnsPerHost: 2 * conc,
			IdleConnTimeout:     time.Minute,
			DisableCompression:  true,
		},
	}
}

// worker sends one request after another until ctx ends.
type worker struct {
	client *http.Client
	req    request
	auth   string
	buf    bytes.Buffer
	lat    []time.Duration
	errs   int
	first  string
	bytes  int64
	rng    *rand.Rand // draws a generated request's variables
	// kinds holds a generated request's latencies by its name, errs by name in kindErrs.
	kinds    map[string][]time.Duration
	kindErrs map[string]int
	// check, when set, verifies every write (the stale-read checker).
	check *staleChecker
}

var errorsKey = []byte(`"errors"`)

// do sends the request once; it returns false when ctx ended during it.
func (w *worker) do(ctx context.Context) bool {
	req := w.req
	if req.gen != nil {
		if w.rng == nil {
			w.rng = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
		}
		var err error
		if req, err = req.gen(w.rng); err != nil {
			w.fail("building the request: " + err.Error())
			return ctx.Err() == nil
		}
	}
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	r, err := http.NewRequestWithContext(ctx, req.method, req.url, body)
	if err != nil {
		panic(err) // the URL was built by this program
	}
	r.Header.Set("Authorization", w.auth)
	r.Header.Set("Accept", "application/json")
	if req.body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	var check *pending
	if w.check != nil && req.written != nil {
		check = w.check.before(req.written)
	}
	start := time.Now()
	resp, err := w.client.Do(r)
	if err == nil {
		w.buf.Reset()
		_, err = w.buf.ReadFrom(resp.Body)
		resp.Body.Close()
	}
	d := time.Since(start)
	if check != nil {
		// A write cut off by the end of the window may or may not have been applied:
		// it is not judged, but it still marks the writes it overlapped.
		ok := err == nil && resp.StatusCode == http.StatusOK && ctx.Err() == nil
		w.check.finish(check, ok, start.Add(d))
	}
	if ctx.Err() != nil {
		return false // cut off by the end of the window: not counted
	}
	w.lat = append(w.lat, d)
	if w.req.gen != nil {
		if w.kinds == nil {
			w.kinds, w.kindErrs = map[string][]time.Duration{}, map[string]int{}
		}
		w.kinds[req.name] = append(w.kinds[req.name], d)
		defer func(errs int) { w.kindErrs[req.name] += w.errs - errs }(w.errs)
	}
	switch {
	case err != nil:
		w.fail(err.Error())
	case resp.StatusCode != http.StatusOK:
		w.fail(fmt.Sprintf("status %d: %.300s", resp.StatusCode, w.buf.Bytes()))
	case req.graphQL && bytes.Contains(w.buf.Bytes(), errorsKey):
		w.fail(fmt.Sprintf("GraphQL errors: %.300s", w.buf.Bytes()))
	default:
		w.bytes += int64(w.buf.Len())
	}
	return true
}

func (w *worker) fail(msg string) {
	w.errs++
	if w.first == "" {
		w.first = msg
	}
}

// phase runs conc workers for d and returns them.
func phase(ctx context.Context, client *http.Client, req request, auth string, conc int, d time.Duration, check *staleChecker) []*worker {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	ws := make([]*worker, conc)
	var wg sync.WaitGroup
	for i := range ws {
		w := &worker{client: client, req: req, auth: auth, lat: make([]time.Duration, 0, 4096), check: check}
		ws[i] = w
		wg.Go(func() {
			for w.do(ctx) {
			}
		})
	}
	wg.Wait()
	return ws
}

// once sends the request one time, within 30 seconds.
func once(ctx context.Context, client *http.Client, req request, auth string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	w := &worker{client: client, req: req, auth: auth}
	if !w.do(ctx) {
		return fmt.Errorf("no answer: %w", ctx.Err())
	}
	if w.errs > 0 {
		return errors.New(w.first)
	}
	return nil
}

// runLoad measures one scenario: warm-up, the measured window with CPU, RSS and SQL
// counters around it, then the sequential probe.
func runLoad(ctx context.Context, c *config, req request, proc process, stmts *statementCounter) (loadResult, error) {
	client := newClient(c.conc, 30*time.Second)
	defer client.CloseIdleConnections()
	auth := "Bearer " + c.token
	res := loadResult{Name: req.name, Conc: c.conc}

	// One request first: a scenario that fails outright is reported, not measured.
	if err := once(ctx, client, req, auth); err != nil {
		return res, fmt.Errorf("the first request failed: %w", err)
	}
	if c.warmup > 0 {
		phase(ctx, client, req, auth, c.conc, c.warmup, nil)
	}

	calls0, sqlErr := stmts.calls(ctx)
	cpu0, cpuErr := proc.cpuTicks()
	sampler := proc.sampleRSS(20 * time.Millisecond)
	start := time.Now()
	var check *staleChecker
	if c.checkURL != "" {
		// Its re-reads use their own connections, so they do not queue behind the load.
		checkClient := newClient(c.conc, 10*time.Second)
		defer checkClient.CloseIdleConnections()
		check = newStaleChecker(ctx, c, checkClient)
	}
	ws := phase(ctx, client, req, auth, c.conc, c.duration, check)
	elapsed := time.Since(start)
	peak := sampler.stop()
	cpu1, cpuErr1 := proc.cpuTicks()
	calls1, sqlErr1 := stmts.calls(ctx)
	if err := ctx.Err(); err != nil {
		return res, err
	}

	var lat []time.Duration
	var size int64
	for _, w := range ws {
		lat = append(lat, w.lat...)
		res.Errors += w.errs
		size += w.bytes
		if res.FirstError == "" {
			res.FirstError = w.first
		}
	}
	res.Kinds = kindResults(ws)
	if check != nil {
		// Waits for the checks still in flight.
		st := check.result()
		res.Stale = &st
	}
	res.Requests = len(lat)
	res.Seconds = elapsed.Seconds()
	if res.Requests == 0 {
		return res, fmt.Errorf("no request completed in %s", c.duration)
	}
	res.RPS = float64(res.Requests) / res.Seconds
	slices.Sort(lat)
	res.P50ms = ms(percentile(lat, 50))
	res.P99ms = ms(percentile(lat, 99))
	if ok := res.Requests - res.Errors; ok > 0 {
		res.BytesPerReq = float64(size) / float64(ok)
	}
	if cpuErr == nil && cpuErr1 == nil {
		res.CPUmsPerReq = ptr(float64(cpu1-cpu0) * 1000 / clockTicks / float64(res.Requests))
	}
	if peak > 0 {
		res.PeakRSSMB = ptr(mb(peak))
	}
	if hwm, err := proc.hwm(); err == nil {
		res.HWMMB = ptr(mb(hwm))
	}
	if sqlErr == nil && sqlErr1 == nil && stmts != nil {
		// Requests still in flight when the window closed inflate this by at most conc/requests.
		res.SQLUnderLd = ptr(float64(calls1-calls0) / float64(res.Requests))
	}

	if c.probe > 0 {
		probe := &worker{client: client, req: req, auth: auth}
		for range 5 { // unmeasured: the connection and the server's caches are warm
			probe.do(ctx)
		}
		probe.lat, probe.errs = probe.lat[:0], 0
		p0, err0 := stmts.calls(ctx)
		for range c.probe {
			if !probe.do(ctx) {
				return res, ctx.Err()
			}
		}
		p1, err1 := stmts.calls(ctx)
		slices.Sort(probe.lat)
		res.ProbeP50ms = ptr(ms(percentile(probe.lat, 50)))
		if stmts != nil && err0 == nil && err1 == nil {
			res.SQLPerReq = ptr(float64(p1-p0) / float64(c.probe))
		}
		res.Errors += probe.errs
		if res.FirstError == "" {
			res.FirstError = probe.first
		}
	}
	return res, nil
}

// kindResults merges the workers' per-kind latencies, by name; nil when there is a
// single kind (not a mix).
func kindResults(ws []*worker) []kindResult {
	lat, errs := map[string][]time.Duration{}, map[string]int{}
	for _, w := range ws {
		for k, l := range w.kinds {
			lat[k] = append(lat[k], l...)
			errs[k] += w.kindErrs[k]
		}
	}
	if len(lat) < 2 {
		return nil
	}
	var out []kindResult
	for _, k := range slices.Sorted(maps.Keys(lat)) {
		l := lat[k]
		slices.Sort(l)
		out = append(out, kindResult{Name: k, Requests: len(l), Errors: errs[k], P50ms: ms(percentile(l, 50)), P99ms: ms(percentile(l, 99))})
	}
	return out
}

// percentile returns the nearest-rank p-th percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p/100*float64(len(sorted))+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func mb(bytes int64) float64 { return float64(bytes) / (1 << 20) }

func ptr[T any](v T) *T { return &v }
