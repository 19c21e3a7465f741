package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// replicas fakes two Codex replicas over one database: PATCH /api/companies/N through
// the first sets a company's description; GraphQL company(id) reads it. The second
// replica answers the value written at least lag ago (a cache invalidated late), or
// never the new one when lag < 0 (a cache never invalidated); the first one answers
// the old value right after a write when selfStale is set.
type replicas struct {
	mu        sync.Mutex
	history   map[int64][]version // per company, oldest first
	lag       time.Duration
	selfStale bool
}

type version struct {
	value string
	at    time.Time
}

func (r *replicas) value(id int64, lag time.Duration, never bool) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	h := r.history[id]
	if never {
		return h[0].value
	}
	for i := len(h) - 1; i >= 0; i-- {
		if time.Since(h[i].at) >= lag {
			return h[i].value
		}
	}
	return h[0].value
}

func (r *replicas) server(t *testing.T, first bool) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Header.Get("Authorization") != "Bearer tok" {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		if req.Method == http.MethodPatch {
			var id int64
			fmt.Sscanf(req.URL.Path, "/api/companies/%d", &id)
			var body struct{ Description string }
			json.NewDecoder(req.Body).Decode(&body)
			r.mu.Lock()
			r.history[id] = append(r.history[id], version{body.Description, time.Now()})
			r.mu.Unlock()
			w.Write([]byte(`{}`))
			return
		}
		var q struct {
			Query     string
			Variables struct{ ID string }
		}
		json.NewDecoder(req.Body).Decode(&q)
		raw, _ := base64.StdEncoding.DecodeString(q.Variables.ID)
		var id int64
		fmt.Sscanf(string(raw), "Company:%d", &id)
		var v string
		switch {
		case first && r.selfStale:
			v = r.value(id, 0, true)
		case first:
			v = r.value(id, 0, false)
		default:
			v = r.value(id, r.lag, r.lag < 0)
		}
		json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"company": map[string]any{"description": v}}})
	}))
}

// check sends n writes through the first replica, as the load driver's workers do, and
// returns the checker's verdict.
func (r *replicas) check(t *testing.T, n int) staleResult {
	t.Helper()
	r.history = map[int64][]version{}
	for id := range int64(4) {
		r.history[id+1] = []version{{"old", time.Now().Add(-time.Hour)}}
	}
	a, b := r.server(t, true), r.server(t, false)
	defer a.Close()
	defer b.Close()
	c := &config{url: a.URL, checkURL: b.URL, token: "tok", staleAfter: 100 * time.Millisecond, target: "codex"}
	p := &pools{companies: []int64{1, 2, 3, 4}}
	bld := &builder{name: "write", target: "codex", base: a.URL, s: platformSpecs["codex"]["write"], pools: p}
	if err := json.Unmarshal([]byte(bld.s.body), &bld.tmpl); err != nil {
		t.Fatal(err)
	}
	client := newClient(4, 5*time.Second)
	check := newStaleChecker(context.Background(), c, client)
	w := &worker{client: client, req: request{name: "write", gen: bld.build}, auth: "Bearer tok", check: check,
		rng: rand.New(rand.NewPCG(1, 2))}
	for range n {
		w.do(context.Background())
	}
	if w.errs > 0 {
		t.Fatalf("writes failed: %s", w.first)
	}
	return check.result()
}

func TestStaleCheckerPassesAWriteVisibleInTime(t *testing.T) {
	r := &replicas{lag: 20 * time.Millisecond}
	got := r.check(t, 6)
	if got.Stale != 0 || got.StaleSelf != 0 || got.Errors != 0 {
		t.Fatalf("verdict = %+v; want no stale read", got)
	}
	if got.Checks+got.Skipped != 6 || got.Checks == 0 {
		t.Errorf("checks = %d, skipped %d; want the 6 writes checked", got.Checks, got.Skipped)
	}
	if got.VisibleMax < 20 || got.VisibleMax > 100 {
		t.Errorf("visible after max %.1f ms; want the replica's lag, 20 ms or a little more", got.VisibleMax)
	}
}

func TestStaleCheckerFailsAWriteNeverVisible(t *testing.T) {
	r := &replicas{lag: -1}
	got := r.check(t, 3)
	// A write overtaken by a later write to the same company is skipped, not judged.
	if got.Stale == 0 || got.Stale+got.Skipped != 3 || !strings.Contains(got.FirstStale, `want "bench write`) {
		t.Fatalf("verdict = %+v; want every write not overtaken a stale read through the other replica", got)
	}
}

func TestStaleCheckerFailsALateWrite(t *testing.T) {
	r := &replicas{lag: 150 * time.Millisecond}
	if got := r.check(t, 2); got.Stale == 0 || got.Stale+got.Skipped != 2 {
		t.Fatalf("verdict = %+v; want stale reads (visible only after 150 ms, the limit is 100 ms)", got)
	}
}

func TestStaleCheckerFailsAStaleReadOfOnesOwnWrite(t *testing.T) {
	r := &replicas{lag: 0, selfStale: true}
	if got := r.check(t, 1); got.StaleSelf != 1 {
		t.Fatalf("verdict = %+v; want a stale read through the writing replica", got)
	}
}
