package rest

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/hivematrix/codex/codex"
)

// WebhookConfig checks the PSA's ticket webhook (POST /webhooks/freshservice/ticket).
type WebhookConfig struct {
	// Secret is shared with the PSA's workflow: the request carries it in the
	// X-Codex-Webhook-Secret header, or signs its body with it in X-Codex-Signature
	// ("sha256=" + hex HMAC-SHA256). Empty turns the webhook off (404).
	Secret string
	// AllowFrom, when not empty, lists the networks the webhook may come from.
	AllowFrom []netip.Prefix
}

// webhookBody is what the PSA's workflow sends: the ticket's id, as a number, a numeric
// string or the PSA's display form ("INC-123", "#SR-45").
type webhookBody struct {
	TicketID json.RawMessage `json:"ticket_id"`
}

// webhookResult is the answer of the ticket webhook.
type webhookResult struct {
	Success  bool  `json:"success"`
	TicketID int64 `json:"ticket_id"`
	CodexID  int64 `json:"codex_id"`
}

// FreshserviceWebhook serves POST /webhooks/freshservice/ticket, mounted without the token
// middleware: the PSA authenticates with the shared secret (or an HMAC of the body) and,
// when configured, its address. It fetches the named ticket from the PSA and stores it now,
// so the board does not wait for the schedule.
func (a *API) FreshserviceWebhook() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := a.serveWebhook(w, r); err != nil {
			a.problem(w, r, err)
		}
	})
}

func (a *API) serveWebhook(w http.ResponseWriter, r *http.Request) error {
	if a.webhook.Secret == "" {
		return codex.Errorf(codex.NotFound, "no such path: %s", r.URL.Path)
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return httpError(http.StatusMethodNotAllowed, "method_not_allowed", "use POST")
	}
	if len(a.webhook.AllowFrom) > 0 && !allowed(r.RemoteAddr, a.webhook.AllowFrom) {
		return codex.Errorf(codex.Forbidden, "the webhook is not accepted from this address")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		return badRequest("malformed_body", "could not read the request body", nil)
	}
	if !a.webhookSigned(r, body) {
		return codex.Errorf(codex.Unauthenticated, "missing or wrong webhook secret or signature")
	}
	var b webhookBody
	if err := json.Unmarshal(body, &b); err != nil || len(b.TicketID) == 0 {
		return badRequest("malformed_json", "the body must be a JSON object with ticket_id", map[string]string{"ticket_id": "is required"})
	}
	id, ok := webhookTicketID(b.TicketID)
	if !ok {
		return badRequest("invalid_body", "ticket_id is not a ticket id", map[string]string{"ticket_id": "must be a number or INC-123"})
	}
	if a.ticketSync == nil {
		return codex.Errorf(codex.Unavailable, "no PSA is configured")
	}
	ctx := codex.WithPrincipal(r.Context(), codex.SystemPrincipal("webhook:freshservice"))
	t, err := a.ticketSync.SyncTicket(ctx, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, webhookResult{Success: true, TicketID: id, CodexID: t.ID})
	return nil
}

// webhookSigned checks the shared secret or the HMAC of the body, in constant time.
func (a *API) webhookSigned(r *http.Request, body []byte) bool {
	secret := []byte(a.webhook.Secret)
	if s := r.Header.Get("X-Codex-Webhook-Secret"); s != "" {
		return subtle.ConstantTimeCompare([]byte(s), secret) == 1
	}
	sig, ok := strings.CutPrefix(r.Header.Get("X-Codex-Signature"), "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// webhookTicketID reads a ticket id: 123, "123", "INC-123" or "#SR-123".
func webhookTicketID(raw json.RawMessage) (int64, bool) {
	var n int64
	if err := json.Unmarshal(raw, &n); err == nil {
		return n, n > 0
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, false
	}
	s = strings.TrimPrefix(strings.TrimSpace(s), "#")
	if i := strings.LastIndexByte(s, '-'); i >= 0 {
		s = s[i+1:]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

// allowed reports whether the request's address is in one of the networks.
func allowed(remote string, nets []netip.Prefix) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	for _, p := range nets {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}
