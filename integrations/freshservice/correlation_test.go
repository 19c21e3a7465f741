package freshservice_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/integrations/freshservice"
)

// TestCorrelationIDIsSent: a call made on a request's behalf carries its X-Correlation-ID.
func TestCorrelationIDIsSent(t *testing.T) {
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get(codex.CorrelationIDHeader)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"department":{"id":7,"name":"Acme"}}`))
	}))
	t.Cleanup(srv.Close)
	c := freshservice.New(freshservice.Config{BaseURL: srv.URL, APIKey: "k", MaxRetries: -1})
	ctx := codex.WithCorrelationID(t.Context(), "corr-42")
	if _, err := c.Department(ctx, 7); err != nil {
		t.Fatal(err)
	}
	if id := <-got; id != "corr-42" {
		t.Errorf("X-Correlation-ID sent = %q; want corr-42", id)
	}
}
