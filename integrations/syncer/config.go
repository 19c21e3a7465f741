package syncer

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/hivematrix/codex/config"
	"github.com/hivematrix/codex/integrations/datto"
	"github.com/hivematrix/codex/integrations/freshservice"
)

// ClientsFromConfig returns the clients of the configured integrations (nil for one that
// is not configured). They share one transport that keeps enough idle connections for the
// engine's concurrent audits, and keep the clients' default rate limits and retries.
// Each wrap, in order, wraps that transport (the server's tracing adds client spans).
func ClientsFromConfig(c config.Integrations, log *slog.Logger, wrap ...func(http.RoundTripper) http.RoundTripper) (*freshservice.Client, *datto.Client) {
	var rt http.RoundTripper = NewTransport()
	for _, w := range wrap {
		rt = w(rt)
	}
	hc := &http.Client{Transport: rt, Timeout: time.Minute}
	var fc *freshservice.Client
	var dc *datto.Client
	if c.FreshserviceEnabled() {
		fc = freshservice.New(freshservice.Config{BaseURL: c.FreshserviceURL(), APIKey: c.FreshserviceAPIKey, HTTPClient: hc, Logger: log})
	}
	if c.DattoEnabled() {
		dc = datto.New(datto.Config{APIURL: c.DattoAPIURL, APIKey: c.DattoAPIKey, APISecret: c.DattoAPISecret, HTTPClient: hc, Logger: log})
	}
	return fc, dc
}
