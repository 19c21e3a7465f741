package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"
)

// The stale-read checker (issue 18): with --check-url, every write the platform
// scenarios make through Codex is verified. Before the write, the company is read through
// the other replica (so that replica has it cached, if it caches); after the write
// returns, it is read once through the replica that took the write, which must already
// answer the new value (read-your-writes), and then through the other replica until it
// answers the new value, for at most --stale-after. A read still answering an older value
// then is a stale read, and any stale read fails the run.
//
// Two workers may write the same company at once; a check whose write was overtaken by a
// later write to the same company is skipped (the later write's own check covers it).

// written is what a write request set: the company (its row id) and the new description.
type written struct {
	id    string
	value string
}

// staleResult is the checker's figures for one scenario.
type staleResult struct {
	Checks     int     `json:"checks"`
	Skipped    int     `json:"skipped_overtaken"`
	Stale      int     `json:"stale"`
	StaleSelf  int     `json:"stale_self"`
	Errors     int     `json:"errors"`
	VisibleP50 float64 `json:"visible_p50_ms"`
	VisibleP99 float64 `json:"visible_p99_ms"`
	VisibleMax float64 `json:"visible_max_ms"`
	FirstStale string  `json:"first_stale,omitempty"`
}

// staleChecker verifies writes; one per scenario.
type staleChecker struct {
	ctx         context.Context // the run's: checks outlive the measured window
	client      *http.Client
	auth        string
	self, other string // base URLs: the replica taking the writes, the one re-reading
	within      time.Duration

	wg      sync.WaitGroup
	mu      sync.Mutex
	seq     uint64
	latest  map[string]uint64 // company id -> sequence number of its latest write
	res     staleResult
	visible []time.Duration
}

func newStaleChecker(ctx context.Context, c *config, client *http.Client) *staleChecker {
	return &staleChecker{ctx: ctx, client: client, auth: "Bearer " + c.token, self: c.url, other: c.checkURL,
		within: c.staleAfter, latest: map[string]uint64{}}
}

// before is called before a write is sent: it records the write and warms the other
// replica's copy of the row. It returns the write's sequence number.
func (s *staleChecker) before(w *written) uint64 {
	s.mu.Lock()
	s.seq++
	n := s.seq
	s.latest[w.id] = n
	s.mu.Unlock()
	_, _ = s.read(s.ctx, s.other, w.id)
	return n
}

// after verifies a write that succeeded, in the background.
func (s *staleChecker) after(w *written, n uint64, done time.Time) {
	s.wg.Go(func() { s.verify(s.ctx, w, n, done) })
}

func (s *staleChecker) overtaken(w *written, n uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.latest[w.id] != n
}

func (s *staleChecker) verify(ctx context.Context, w *written, n uint64, done time.Time) {
	got, err := s.read(ctx, s.self, w.id)
	switch {
	case ctx.Err() != nil:
		return
	case err != nil:
		s.fail(&s.res.Errors, err.Error())
		return
	case got != w.value && !s.overtaken(w, n):
		s.fail(&s.res.StaleSelf, fmt.Sprintf("company %s through the writing replica right after its write: %q, want %q", w.id, got, w.value))
	}
	deadline := done.Add(s.within)
	for {
		got, err = s.read(ctx, s.other, w.id)
		now := time.Now()
		switch {
		case ctx.Err() != nil:
			return
		case err == nil && got == w.value:
			s.mu.Lock()
			s.res.Checks++
			s.visible = append(s.visible, now.Sub(done))
			s.mu.Unlock()
			return
		case s.overtaken(w, n):
			s.fail(&s.res.Skipped, "")
			return
		case now.After(deadline) && err != nil:
			s.fail(&s.res.Errors, err.Error())
			return
		case now.After(deadline):
			s.mu.Lock()
			s.res.Checks++
			s.mu.Unlock()
			s.fail(&s.res.Stale, fmt.Sprintf("company %s through the other replica %s after its write: %q, want %q",
				w.id, now.Sub(done).Round(time.Millisecond), got, w.value))
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// fail counts one event in *n and keeps the first message.
func (s *staleChecker) fail(n *int, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	*n++
	if s.res.FirstStale == "" && msg != "" {
		s.res.FirstStale = msg
	}
}

// result waits for the checks in flight and returns the figures.
func (s *staleChecker) result() staleResult {
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.res
	slices.Sort(s.visible)
	r.VisibleP50 = ms(percentile(s.visible, 50))
	r.VisibleP99 = ms(percentile(s.visible, 99))
	if len(s.visible) > 0 {
		r.VisibleMax = ms(s.visible[len(s.visible)-1])
	}
	return r
}

const descriptionQuery = `query($id: ID!) { company(id: $id) { description } }`

// read returns company id's description through the replica at base.
func (s *staleChecker) read(ctx context.Context, base, id string) (string, error) {
	body, _ := json.Marshal(map[string]any{"query": descriptionQuery,
		"variables": map[string]any{"id": globalID("Company", mustInt(id))}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/graphql", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", s.auth)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var r struct {
		Data struct {
			Company *struct{ Description string }
		}
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return "", fmt.Errorf("re-read of company %s: status %d: %w", id, resp.StatusCode, err)
	}
	if len(r.Errors) > 0 || r.Data.Company == nil {
		return "", fmt.Errorf("re-read of company %s: %v", id, r.Errors)
	}
	return r.Data.Company.Description, nil
}

func mustInt(s string) int64 {
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		panic(fmt.Sprintf("company id %q: %v", s, err)) // drawn from the pools by this program
	}
	return n
}
