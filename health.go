package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/hivematrix/codex/config"
	"github.com/hivematrix/codex/store"
)

// pinger is what the health check needs of the database.
type pinger interface {
	Ping(ctx context.Context) error
}

// healthTimeout bounds each check, so a hung database answers 503 rather than nothing.
const healthTimeout = 3 * time.Second

// health is the body of GET /health.
type health struct {
	Service   string            `json:"service"`
	Status    string            `json:"status"`
	Timestamp string            `json:"timestamp"`
	Checks    map[string]string `json:"checks"`
}

// healthHandler answers GET /health without a token: 200 and "healthy" when every check
// passes, 503 and "unhealthy" otherwise, each check's result named in "checks". A failed
// check shows its error with the database password (from dsn) masked. cacheStatus, when
// not nil, describes the read cache (a bypassed cache is slower, not unhealthy).
func healthHandler(db pinger, dsn string, now func() time.Time, cacheStatus func() string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
		defer cancel()
		h := health{Service: "codex", Status: "healthy", Checks: map[string]string{"database": "ok"}}
		status := http.StatusOK
		if err := db.Ping(ctx); err != nil {
			h.Status, status = "unhealthy", http.StatusServiceUnavailable
			h.Checks["database"] = "error: " + maskPassword(err.Error(), dsn)
		}
		if cacheStatus != nil {
			h.Checks["cache"] = cacheStatus()
		}
		h.Timestamp = now().UTC().Format(time.RFC3339)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(h)
	})
}

// cacheStatus describes the read cache for /health: off, bypassed, or its counters.
func (s *server) cacheStatus() string {
	if s.cache == nil {
		return "off"
	}
	st := s.cache.Stats()
	if !st.ListenerUp {
		return "bypassed: not following the database's changes (reconnecting)"
	}
	var hits, misses, stale uint64
	for m := range st.Hits {
		hits, misses, stale = hits+st.Hits[m], misses+st.Misses[m], stale+st.Stale[m]
	}
	return fmt.Sprintf("ok: %d hits, %d misses (%d stale), %d entries, %.1f MB, %d invalidations, %d flushes",
		hits, misses, stale, st.Entries, float64(st.Bytes)/(1<<20), st.Invalidations, st.Flushes)
}

// maskPassword replaces the password of a PostgreSQL dsn wherever it appears in msg.
func maskPassword(msg, dsn string) string {
	if !config.IsPostgres(dsn) {
		return msg
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "the database is unreachable"
	}
	secrets := []string{u.Query().Get("password")}
	if p, ok := u.User.Password(); ok {
		secrets = append(secrets, p)
	}
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, config.Masked)
		}
	}
	return msg
}

// liveHandler answers GET /health/live: 200 while the process serves at all. A
// supervisor restarts the process when it fails; it checks nothing else, so that a
// database outage does not make every replica restart.
func liveHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write([]byte(`{"service":"codex","status":"live"}` + "\n"))
	})
}

// migrationChecker is what readiness needs of the database besides a ping.
type migrationChecker interface {
	pinger
	PendingMigrations(ctx context.Context) (int, error)
}

// readyHandler answers GET /health/ready: 200 and "ready" when the database answers,
// every migration is applied and the server is not shutting down; 503 and "not_ready"
// otherwise, each check named. A load balancer sends traffic to ready replicas only.
func readyHandler(db migrationChecker, dsn string, draining func() bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
		defer cancel()
		h := struct {
			Service string            `json:"service"`
			Status  string            `json:"status"`
			Checks  map[string]string `json:"checks"`
		}{"codex", "ready", map[string]string{"database": "ok", "migrations": "ok", "shutdown": "no"}}
		ok := true
		if err := db.Ping(ctx); err != nil {
			ok, h.Checks["database"] = false, "error: "+maskPassword(err.Error(), dsn)
			h.Checks["migrations"] = "unknown"
		} else if n, err := db.PendingMigrations(ctx); err != nil {
			ok, h.Checks["migrations"] = false, "error: "+maskPassword(err.Error(), dsn)
		} else if n > 0 {
			ok, h.Checks["migrations"] = false, fmt.Sprintf("%d pending", n)
		}
		if draining() {
			ok, h.Checks["shutdown"] = false, "shutting down"
		}
		status := http.StatusOK
		if !ok {
			h.Status, status = "not_ready", http.StatusServiceUnavailable
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(h)
	})
}

// openWithRetry opens the database; while a PostgreSQL server refuses connections or is
// starting up (a compose stack or a host booting), it retries with exponential back-off
// for up to wait, logging each failure. Other errors (a wrong password, a bad SQLite
// path) fail at once.
func openWithRetry(ctx context.Context, dsn string, wait time.Duration, log *slog.Logger) (*store.DB, error) {
	if wait <= 0 || !config.IsPostgres(dsn) {
		return store.Open(ctx, dsn)
	}
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxInterval = 250*time.Millisecond, 10*time.Second
	attempt := 0
	return backoff.Retry(ctx, func() (*store.DB, error) {
		attempt++
		db, err := store.Open(ctx, dsn)
		if err != nil && !databaseStarting(err) {
			return nil, backoff.Permanent(err)
		}
		return db, err
	}, backoff.WithBackOff(b), backoff.WithMaxElapsedTime(wait), backoff.WithNotify(func(err error, next time.Duration) {
		log.Warn("database not reachable yet; retrying", "attempt", attempt, "retry_in", next.Round(time.Millisecond),
			"gives_up_after", wait, "error", maskPassword(err.Error(), dsn))
	}))
}

// databaseStarting reports whether err means the server is not (yet) there: refused or
// reset connections, an unresolvable host (its container not up), or PostgreSQL's
// "the database system is starting up" (57P03).
func databaseStarting(err error) bool {
	var netErr net.Error
	var dnsErr *net.DNSError
	return errors.As(err, &netErr) || errors.As(err, &dnsErr) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || strings.Contains(err.Error(), "57P03")
}
