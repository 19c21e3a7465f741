package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hivematrix/codex/config"
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
// check shows its error with the database password (from dsn) masked.
func healthHandler(db pinger, dsn string, now func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
		defer cancel()
		h := health{Service: "codex", Status: "healthy", Checks: map[string]string{"database": "ok"}}
		status := http.StatusOK
		if err := db.Ping(ctx); err != nil {
			h.Status, status = "unhealthy", http.StatusServiceUnavailable
			h.Checks["database"] = "error: " + maskPassword(err.Error(), dsn)
		}
		h.Timestamp = now().UTC().Format(time.RFC3339)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(h)
	})
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
