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
// answers the new value. A read sent --stale-after (100 ms) or more after the write
// returned that still answers an older value is a stale read, and any stale read fails
// the run. "Visible after" is when the first read answering the new value returned.
//
// Two workers may write the same company at once; a check whose write overlapped another
// write to the same company, or was overtaken by a later one, is skipped (which value
// must win is unknown, or the later write's own check covers it).

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

	wg       sync.WaitGroup
	mu       sync.Mutex
	seq      uint64
	latest   map[string]uint64     // company id -> sequence number of its latest write
	inFlight map[string][]*pending // company id -> its writes awaiting an answer
	res      staleResult
	visible  []time.Duration
}

func newStaleChecker(ctx context.Context, c *config, client *http.Client) *staleChecker {
	return &staleChecker{ctx: ctx, client: client, auth: "Bearer " + c.token, self: c.url, other: c.checkURL,
		within: c.staleAfter, latest: map[string]uint64{}, inFlight: map[string][]*pending{}}
}

// pending is one write being checked.
type pending struct {
	w *written
	n uint64 // its sequence number
	// overlapped is set when another write to the same company was in flight at the same
	// time: which of the two committed last is unknown, so neither can be judged.
	overlapped bool
}

// before is called before a write is sent: it records the write and warms the other
// replica's copy of the row.
func (s *staleChecker) before(w *written) *pending {
	s.mu.Lock()
	s.seq++
	p := &pending{w: w, n: s.seq}
	s.latest[w.id] = p.n
	for _, q := range s.inFlight[w.id] {
		q.overlapped, p.overlapped = true, true
	}
	s.inFlight[w.id] = append(s.inFlight[w.id], p)
	s.mu.Unlock()
	_, _ = s.read(s.ctx, s.other, w.id)
	return p
}

// finish is called when a write's answer has arrived; a write that succeeded is verified
// in the background.
func (s *staleChecker) finish(p *pending, ok bool, done time.Time) {
	s.mu.Lock()
	s.inFlight[p.w.id] = slices.DeleteFunc(s.inFlight[p.w.id], func(q *pending) bool { return q == p })
	if len(s.inFlight[p.w.id]) == 0 {
		delete(s.inFlight, p.w.id)
	}
	s.mu.Unlock()
	if ok {
		s.wg.Go(func() { s.verify(s.ctx, p, done) })
	}
}

// overtaken reports whether p can no longer be judged: another write to its company
// overlapped it or came after it.
func (s *staleChecker) overtaken(p *pending) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return p.overlapped || s.latest[p.w.id] != p.n
}

func (s *staleChecker) verify(ctx context.Context, p *pending, done time.Time) {
	w := p.w
	got, err := s.read(ctx, s.self, w.id)
	switch {
	case ctx.Err() != nil:
		return
	case err != nil:
		s.fail(&s.res.Errors, err.Error())
		return
	case got != w.value && !s.overtaken(p):
		s.fail(&s.res.StaleSelf, fmt.Sprintf("company %s through the writing replica right after its write: %q, want %q", w.id, got, w.value))
	}
	deadline := done.Add(s.within)
	for {
		sent := time.Now()
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
		case s.overtaken(p):
			s.fail(&s.res.Skipped, "")
			return
		case sent.After(deadline) && err != nil:
			s.fail(&s.res.Errors, err.Error())
			return
		case sent.After(deadline): // a read sent after the deadline still answered the old value
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
