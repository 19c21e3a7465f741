// Package datto is a client for the Datto RMM API v2, the RMM that Codex syncs sites,
// devices, hardware audits and alerts from, and pushes warranty dates, user-defined fields
// and site variables to.
//
// The client gets an OAuth token with the password grant, caches it, renews it before it
// expires and once more when a call answers 401. It pages through lists one page at a time
// so that a caller can commit as it goes, keeps under the account's rate limit with a
// client-side limiter, and retries 429s, rate-limit blocks (403), 5xx answers and network
// errors with bounded exponential back-off. A record that does not decode is reported in
// Page.Skipped and the rest of its page is still delivered. Every error is a *codex.Error
// whose message starts with "datto: " and never contains the API key, secret or token,
// except that an error returned by a caller's page callback comes back unchanged.
package datto

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v5"
	"golang.org/x/oauth2"
	"golang.org/x/time/rate"

	"github.com/hivematrix/codex/codex"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultRatePerMinute  = 540 // 90% of Datto's 600 a minute, below which no call is slowed
	DefaultMaxRetries     = 5
	DefaultMinBackoff     = time.Second
	DefaultMaxBackoff     = time.Minute
	DefaultMaxRetryAfter  = 2 * time.Minute
	DefaultBlockedBackoff = 5 * time.Minute // how long Datto blocks an abusive account
	DefaultTimeout        = time.Minute
)

// pageSize is the largest page Datto serves.
const pageSize = 250

// maxBody bounds how much of one response the client reads.
const maxBody = 64 << 20

// Config configures a Client. Zero fields take the defaults above.
type Config struct {
	// APIURL is the platform's root, e.g. https://merlot-api.centrastage.net.
	APIURL string
	// APIKey and APISecret are the API user's credentials; they never appear in errors or logs.
	APIKey, APISecret string
	// HTTPClient sends the requests; nil means a client with DefaultTimeout.
	HTTPClient *http.Client
	// RatePerMinute is the most requests the client sends in a minute, token requests included.
	RatePerMinute int
	// MaxRetries is how often a failed request is retried; negative means never.
	MaxRetries int
	// MinBackoff and MaxBackoff bound the exponential back-off between retries.
	MinBackoff, MaxBackoff time.Duration
	// MaxRetryAfter caps the wait a Retry-After header may ask for.
	MaxRetryAfter time.Duration
	// BlockedBackoff is the wait after Datto blocks the account for abuse (403 "rate limit").
	BlockedBackoff time.Duration
	// Logger receives retry notices; nil discards them.
	Logger *slog.Logger
}

// Client talks to one Datto RMM account. It is safe for concurrent use.
type Client struct {
	root           *url.URL
	apiURL         string // root without trailing slash
	apiKey         string
	apiSecret      string
	http           *http.Client
	limiter        *rate.Limiter
	maxRetries     int
	minBackoff     time.Duration
	maxBackoff     time.Duration
	maxRetryAfter  time.Duration
	blockedBackoff time.Duration
	log            *slog.Logger
	secrets        []string

	oauth    *oauth2.Config
	mu       sync.Mutex             // guards the token and serialises its renewal
	token    *oauth2.Token          // Expiry is when to renew: a little before the real one
	lastSeen atomic.Pointer[string] // the latest token, for redaction without mu
}

// New returns a Client for cfg, filling in defaults.
func New(cfg Config) *Client {
	if cfg.RatePerMinute <= 0 {
		cfg.RatePerMinute = DefaultRatePerMinute
	}
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = DefaultMaxRetries
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = DefaultMinBackoff
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(DefaultMaxBackoff, cfg.MinBackoff)
	}
	if cfg.MaxRetryAfter <= 0 {
		cfg.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if cfg.BlockedBackoff <= 0 {
		cfg.BlockedBackoff = DefaultBlockedBackoff
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: DefaultTimeout}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	apiURL := strings.TrimRight(cfg.APIURL, "/")
	root, err := url.Parse(apiURL)
	if err != nil {
		root = &url.URL{}
	}
	c := &Client{
		oauth: &oauth2.Config{
			// Datto's documented public client for the password grant.
			ClientID: "public-client", ClientSecret: "public",
			Endpoint: oauth2.Endpoint{TokenURL: apiURL + "/auth/oauth/token", AuthStyle: oauth2.AuthStyleInHeader},
		},
		root:           root,
		apiURL:         apiURL,
		apiKey:         cfg.APIKey,
		apiSecret:      cfg.APISecret,
		http:           cfg.HTTPClient,
		limiter:        rate.NewLimiter(rate.Every(time.Minute/time.Duration(cfg.RatePerMinute)), 1),
		maxRetries:     cfg.MaxRetries,
		minBackoff:     cfg.MinBackoff,
		maxBackoff:     cfg.MaxBackoff,
		maxRetryAfter:  cfg.MaxRetryAfter,
		blockedBackoff: cfg.BlockedBackoff,
		log:            cfg.Logger,
	}
	for _, s := range []string{cfg.APIKey, cfg.APISecret} {
		if s != "" {
			c.secrets = append(c.secrets, s, url.QueryEscape(s))
		}
	}
	return c
}

// redact removes the credentials and the access token from s.
func (c *Client) redact(s string) string {
	for _, secret := range c.secrets {
		s = strings.ReplaceAll(s, secret, "[redacted]")
	}
	if tok := c.lastSeen.Load(); tok != nil && *tok != "" {
		s = strings.ReplaceAll(s, *tok, "[redacted]")
	}
	return s
}

// response is a successful answer.
type response struct {
	body []byte
}

// attemptError is a failed attempt that may be retried.
type attemptError struct {
	msg  string        // redacted
	wait time.Duration // a wait the server asked for (or a block lasts); 0 for our own back-off
}

func (e *attemptError) Error() string { return e.msg }

// Unwrap lets backoff.Retry see a server-requested wait.
func (e *attemptError) Unwrap() error {
	if e.wait > 0 {
		return &backoff.RetryAfterError{Duration: e.wait}
	}
	return nil
}

// request is one logical API call.
type request struct {
	method string
	url    string
	path   string // for messages
	body   []byte // JSON, or nil
	// idempotent requests are retried after 5xx answers and network errors; others only
	// after answers that say the request was not processed (429, rate-limit 403).
	idempotent bool
	renewed    bool // the token was renewed after a 401 already
}

// do sends a logical request, retrying as configured, and returns a 2xx answer or a
// *codex.Error. body, if not nil, is sent as JSON.
func (c *Client) do(ctx context.Context, method, rawURL string, body any) (*response, error) {
	if c.root.Scheme == "" || c.root.Host == "" {
		return nil, codex.Errorf(codex.Internal, "datto: APIURL %q is not an absolute URL", c.redact(c.apiURL))
	}
	req := &request{method: method, url: rawURL, path: rawURL, idempotent: method != http.MethodPut}
	if u, err := url.Parse(rawURL); err == nil {
		req.path = u.Path
	}
	if body != nil {
		var err error
		if req.body, err = json.Marshal(body); err != nil {
			return nil, codex.Wrap(err, "datto: encoding %s body", method)
		}
	}
	attempts := 0
	op := func() (*response, error) {
		attempts++
		return c.attempt(ctx, req)
	}
	b := &backoff.ExponentialBackOff{
		InitialInterval:     c.minBackoff,
		RandomizationFactor: 0.5,
		Multiplier:          2,
		MaxInterval:         c.maxBackoff,
	}
	resp, err := backoff.Retry(ctx, op,
		backoff.WithBackOff(b),
		backoff.WithMaxTries(uint(c.maxRetries+1)),
		backoff.WithMaxElapsedTime(0),
		backoff.WithNotify(func(err error, wait time.Duration) {
			c.log.WarnContext(ctx, "datto: retrying", "method", method, "path", req.path, "error", err.Error(), "wait", wait)
		}),
	)
	if err == nil {
		return resp, nil
	}
	if e, ok := errors.AsType[*codex.Error](err); ok {
		return nil, e
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return nil, &codex.Error{Code: codex.Unavailable, Message: fmt.Sprintf("datto: %s %s: %v", method, req.path, ctxErr), Err: ctxErr}
	}
	return nil, codex.Errorf(codex.Unavailable, "datto: %s %s: giving up after %d attempts: %s", method, req.path, attempts, c.redact(err.Error()))
}

// attempt sends the request once, renewing the token once after a 401, and classifies the
// outcome for backoff.Retry.
func (c *Client) attempt(ctx context.Context, req *request) (*response, error) {
	tok, err := c.accessToken(ctx)
	if err != nil {
		return nil, err
	}
	status, header, data, err := c.send(ctx, req, tok)
	if err != nil {
		return nil, err
	}
	if status == http.StatusUnauthorized && !req.renewed {
		req.renewed = true
		c.dropToken(tok)
		if tok, err = c.accessToken(ctx); err != nil {
			return nil, err
		}
		if status, header, data, err = c.send(ctx, req, tok); err != nil {
			return nil, err
		}
	}
	switch {
	case status >= 200 && status < 300:
		return &response{body: data}, nil
	case status == http.StatusTooManyRequests:
		wait, ok := retryAfter(header.Get("Retry-After"), time.Now())
		if ok {
			wait = min(wait, c.maxRetryAfter)
		}
		return nil, &attemptError{msg: "429 rate limited", wait: wait}
	case status == http.StatusForbidden && saysRateLimit(data):
		return nil, &attemptError{msg: "403 blocked for exceeding the rate limit", wait: c.blockedBackoff}
	case status >= 500 && req.idempotent:
		wait, ok := retryAfter(header.Get("Retry-After"), time.Now())
		if ok {
			wait = min(wait, c.maxRetryAfter)
		}
		return nil, &attemptError{msg: fmt.Sprintf("%d %s", status, http.StatusText(status)), wait: wait}
	default:
		return nil, backoff.Permanent(c.statusError(req.method, req.path, status, data))
	}
}

// send performs one HTTP exchange with the bearer token. A transport failure comes back as
// a retryable (or, for non-idempotent requests and cancellations, permanent) error.
func (c *Client) send(ctx context.Context, req *request, tok string) (int, http.Header, []byte, error) {
	if err := c.limiter.Wait(ctx); err != nil {
		return 0, nil, nil, backoff.Permanent(ctxError(ctx, err))
	}
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, req.url, body)
	if err != nil {
		return 0, nil, nil, backoff.Permanent(codex.Errorf(codex.Internal, "datto: %s %s: %s", req.method, req.path, c.redact(err.Error())))
	}
	hr.Header.Set("Authorization", "Bearer "+tok)
	hr.Header.Set("Accept", "application/json")
	hr.Header.Set("User-Agent", "hivematrix-codex")
	if id := codex.CorrelationIDFrom(ctx); id != "" {
		hr.Header.Set(codex.CorrelationIDHeader, id)
	}
	if req.body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	status, header, data, err := c.exchange(ctx, hr)
	if ae, ok := errors.AsType[*attemptError](err); ok && !req.idempotent {
		// The request may have been processed; the next sync run repeats it if not.
		err = backoff.Permanent(codex.Errorf(codex.Unavailable, "datto: %s %s: %s", req.method, req.path, ae.msg))
	}
	return status, header, data, err
}

// exchange sends hr and reads the answer; a failure is a retryable *attemptError unless the
// context ended.
func (c *Client) exchange(ctx context.Context, hr *http.Request) (int, http.Header, []byte, error) {
	resp, err := c.http.Do(hr)
	if err != nil {
		if ctx.Err() != nil {
			return 0, nil, nil, backoff.Permanent(ctxError(ctx, ctx.Err()))
		}
		return 0, nil, nil, &attemptError{msg: c.redact(err.Error())}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		if ctx.Err() != nil {
			return 0, nil, nil, backoff.Permanent(ctxError(ctx, ctx.Err()))
		}
		return 0, nil, nil, &attemptError{msg: "reading response: " + c.redact(err.Error())}
	}
	return resp.StatusCode, resp.Header, data, nil
}

// accessToken returns the cached token, requesting a new one with OAuth's password grant
// (golang.org/x/oauth2) when there is none or it is about to expire. Concurrent callers
// wait for one renewal. (oauth2.ReuseTokenSource would do the caching, but its
// TokenSource has no context: a renewal must stop with the sync run and wait for the rate
// limiter, so the cache here is a token and a mutex.)
func (c *Client) accessToken(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// Not Token.Valid: it treats any token within ten seconds of expiry as expired.
	if c.token != nil && time.Now().Before(c.token.Expiry) {
		return c.token.AccessToken, nil
	}
	if err := c.limiter.Wait(ctx); err != nil {
		return "", backoff.Permanent(ctxError(ctx, err))
	}
	octx := context.WithValue(ctx, oauth2.HTTPClient, c.http)
	tok, err := c.oauth.PasswordCredentialsToken(octx, c.apiKey, c.apiSecret)
	if err != nil {
		return "", c.tokenError(ctx, err)
	}
	lifetime := time.Until(tok.Expiry)
	if tok.Expiry.IsZero() {
		lifetime = time.Hour // no expires_in: assume Datto's usual hour
	}
	// Renew a tenth of the lifetime early, at most five minutes early.
	tok.Expiry = time.Now().Add(lifetime - min(lifetime/10, 5*time.Minute))
	c.token = tok
	c.lastSeen.Store(&tok.AccessToken)
	return tok.AccessToken, nil
}

// tokenError classifies a failed token request for backoff.Retry: 429 and 5xx answers and
// network failures are retried; a rejected key or secret is not.
func (c *Client) tokenError(ctx context.Context, err error) error {
	re, ok := errors.AsType[*oauth2.RetrieveError](err)
	if !ok || re.Response == nil {
		if ctx.Err() != nil {
			return backoff.Permanent(ctxError(ctx, ctx.Err()))
		}
		if strings.Contains(err.Error(), "access_token") { // a 2xx answer without a token
			return backoff.Permanent(codex.Errorf(codex.Unavailable, "datto: token answer has no access_token"))
		}
		return &attemptError{msg: "token request: " + c.redact(err.Error())}
	}
	status := re.Response.StatusCode
	switch {
	case status == http.StatusTooManyRequests:
		wait, _ := retryAfter(re.Response.Header.Get("Retry-After"), time.Now())
		return &attemptError{msg: "token request: 429 rate limited", wait: min(wait, c.maxRetryAfter)}
	case status >= 500:
		return &attemptError{msg: fmt.Sprintf("token request: %d %s", status, http.StatusText(status))}
	case status == http.StatusBadRequest || status == http.StatusUnauthorized:
		return backoff.Permanent(codex.Errorf(codex.Unauthenticated, "datto: token request rejected (%d): check the API key and secret", status))
	default:
		return backoff.Permanent(c.statusError(http.MethodPost, "/auth/oauth/token", status, re.Body))
	}
}

// dropToken forgets tok if it is still the cached token, so the next call renews it.
func (c *Client) dropToken(tok string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != nil && c.token.AccessToken == tok {
		c.token = nil
	}
}

// ctxError wraps a cancellation so callers can still test it with errors.Is.
func ctxError(ctx context.Context, err error) *codex.Error {
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	return &codex.Error{Code: codex.Unavailable, Message: "datto: " + err.Error(), Err: err}
}

// retryAfter parses a Retry-After header: delay seconds or an HTTP date.
func retryAfter(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(h); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), time.Millisecond), true
	}
	return 0, false
}

// saysRateLimit reports whether a 403 body blames the rate limit, as Datto's block of an
// abusive account does, rather than missing permissions.
func saysRateLimit(body []byte) bool {
	b := strings.ToLower(string(body))
	for _, s := range []string{"rate limit", "rate-limit", "ratelimit", "too many requests"} {
		if strings.Contains(b, s) {
			return true
		}
	}
	return false
}

// statusError turns a non-retryable answer into a *codex.Error.
func (c *Client) statusError(method, path string, status int, body []byte) *codex.Error {
	var a struct {
		Message          string `json:"message"`
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	_ = json.Unmarshal(body, &a) // a body that is not JSON leaves a empty
	text := http.StatusText(status)
	switch {
	case a.Message != "":
		text = a.Message
	case a.ErrorDescription != "":
		text = a.ErrorDescription
	case a.Error != "":
		text = a.Error
	}
	if len(text) > 200 {
		text = text[:200] + "..."
	}
	return &codex.Error{
		Code:    statusCode(status),
		Message: c.redact(fmt.Sprintf("datto: %s %s: %d %s", method, path, status, text)),
	}
}

// statusCode maps an HTTP status of Datto to a Codex error code.
func statusCode(status int) codex.Code {
	switch {
	case status == http.StatusBadRequest || status == http.StatusUnprocessableEntity:
		return codex.Invalid
	case status == http.StatusUnauthorized:
		return codex.Unauthenticated
	case status == http.StatusForbidden:
		return codex.Forbidden
	case status == http.StatusNotFound:
		return codex.NotFound
	case status == http.StatusConflict:
		return codex.Conflict
	case status >= 500:
		return codex.Unavailable
	default:
		return codex.Internal
	}
}

// api returns the URL of an API path such as "/account/sites".
func (c *Client) api(path string) string { return c.apiURL + "/api/v2" + path }

// getJSON fetches path into v.
func (c *Client) getJSON(ctx context.Context, path string, v any) error {
	resp, err := c.do(ctx, http.MethodGet, c.api(path), nil)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(resp.body, v); err != nil {
		return codex.Errorf(codex.Unavailable, "datto: GET %s: decoding answer: %v", path, err)
	}
	return nil
}
