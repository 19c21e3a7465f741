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
func ClientsFromConfig(c config.Integrations, log *slog.Logger) (*freshservice.Client, *datto.Client) {
	hc := &http.Client{Transport: NewTransport(), Timeout: time.Minute}
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
