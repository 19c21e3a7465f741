// Package freshservice is a client for the Freshservice API v2, the PSA that Codex syncs
// companies (departments), contacts (requesters), tickets and assets from.
//
// The client pages through lists one page at a time so that a caller can commit as it goes,
// keeps under the account's rate limit with a client-side limiter, retries 429s (honouring
// Retry-After), 5xx answers and network errors with bounded exponential back-off, and
// tolerates malformed records: a record that does not decode is reported in
// Page.Skipped and the rest of its page is still delivered. Every error is a *codex.Error
// whose message starts with "freshservice: " and never contains the API key.
package freshservice

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
	"golang.org/x/time/rate"

	"github.com/hivematrix/codex/codex"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultRatePerMinute = 100 // the lowest Freshservice plan
	DefaultMaxRetries    = 5
	DefaultMinBackoff    = time.Second
	DefaultMaxBackoff    = time.Minute
	DefaultMaxRetryAfter = 2 * time.Minute
	DefaultTimeout       = time.Minute
)

// perPage is the largest page Freshservice serves.
const perPage = 100

// maxBody bounds how much of one response the client reads.
const maxBody = 64 << 20

// Config configures a Client. Zero fields take the defaults above.
type Config struct {
	// BaseURL is the API root, e.g. https://acme.freshservice.com/api/v2 (see BaseURLForDomain).
	BaseURL string
	// APIKey authenticates every request; it never appears in errors or logs.
	APIKey string
	// HTTPClient sends the requests; nil means a client with DefaultTimeout.
	HTTPClient *http.Client
	// RatePerMinute is the most requests the client sends in a minute.
	RatePerMinute int
	// MaxRetries is how often a failed request is retried; negative means never.
	MaxRetries int
	// MinBackoff and MaxBackoff bound the exponential back-off between retries.
	MinBackoff, MaxBackoff time.Duration
	// MaxRetryAfter caps the wait a 429 answer's Retry-After header may ask for.
	MaxRetryAfter time.Duration
	// Logger receives retry notices; nil discards them.
	Logger *slog.Logger
}

// BaseURLForDomain returns the API root of the Freshservice account called domain.
func BaseURLForDomain(domain string) string {
	return "https://" + domain + ".freshservice.com/api/v2"
}

// Client talks to one Freshservice account. It is safe for concurrent use.
type Client struct {
	base          *url.URL
	baseURL       string
	apiKey        string
	http          *http.Client
	limiter       *rate.Limiter
	maxRetries    int
	minBackoff    time.Duration
	maxBackoff    time.Duration
	maxRetryAfter time.Duration
	log           *slog.Logger
	secrets       []string
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
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: DefaultTimeout}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	baseURL := strings.TrimRight(cfg.BaseURL, "/")
	base, err := url.Parse(baseURL)
	if err != nil {
		base = &url.URL{}
	}
	c := &Client{
		base:          base,
		baseURL:       baseURL,
		apiKey:        cfg.APIKey,
		http:          cfg.HTTPClient,
		limiter:       rate.NewLimiter(rate.Every(time.Minute/time.Duration(cfg.RatePerMinute)), 1),
		maxRetries:    cfg.MaxRetries,
		minBackoff:    cfg.MinBackoff,
		maxBackoff:    cfg.MaxBackoff,
		maxRetryAfter: cfg.MaxRetryAfter,
		log:           cfg.Logger,
	}
	if cfg.APIKey != "" {
		c.secrets = []string{
			cfg.APIKey,
			url.QueryEscape(cfg.APIKey),
			base64.StdEncoding.EncodeToString([]byte(cfg.APIKey + ":X")),
		}
	}
	return c
}

// redact removes the API key, in every form it travels in, from s.
func (c *Client) redact(s string) string {
	for _, secret := range c.secrets {
		s = strings.ReplaceAll(s, secret, "[redacted]")
	}
	return s
}

// response is a successful answer.
type response struct {
	header http.Header
	body   []byte
}

// attemptError is a failed attempt that may be retried.
type attemptError struct {
	msg  string        // redacted
	wait time.Duration // what the server asked us to wait; 0 for our own back-off
}

func (e *attemptError) Error() string { return e.msg }

// Unwrap lets backoff.Retry see a server-requested wait.
func (e *attemptError) Unwrap() error {
	if e.wait > 0 {
		return &backoff.RetryAfterError{Duration: e.wait}
	}
	return nil
}

// do sends one logical request to rawURL, retrying as configured, and returns a 2xx answer
// or a *codex.Error. body, if not nil, is sent as JSON.
func (c *Client) do(ctx context.Context, method, rawURL string, body any) (*response, error) {
	if c.base.Scheme == "" || c.base.Host == "" {
		return nil, codex.Errorf(codex.Internal, "freshservice: BaseURL %q is not an absolute URL", c.redact(c.baseURL))
	}
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return nil, codex.Wrap(err, "freshservice: encoding %s body", method)
		}
	}
	path := rawURL
	if u, err := url.Parse(rawURL); err == nil {
		path = u.Path
	}
	attempts := 0
	op := func() (*response, error) {
		attempts++
		return c.attempt(ctx, method, rawURL, path, payload)
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
			c.log.WarnContext(ctx, "freshservice: retrying", "method", method, "path", path, "error", err.Error(), "wait", wait)
		}),
	)
	if err == nil {
		return resp, nil
	}
	if e, ok := errors.AsType[*codex.Error](err); ok {
		return nil, e
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return nil, &codex.Error{Code: codex.Unavailable, Message: fmt.Sprintf("freshservice: %s %s: %v", method, path, ctxErr), Err: ctxErr}
	}
	return nil, codex.Errorf(codex.Unavailable, "freshservice: %s %s: giving up after %d attempts: %s", method, path, attempts, c.redact(err.Error()))
}

// attempt sends the request once and classifies the outcome for backoff.Retry.
func (c *Client) attempt(ctx context.Context, method, rawURL, path string, payload []byte) (*response, error) {
	if err := c.limiter.Wait(ctx); err != nil {
		return nil, backoff.Permanent(ctxError(ctx, err))
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, body)
	if err != nil {
		return nil, backoff.Permanent(codex.Errorf(codex.Internal, "freshservice: %s %s: %s", method, path, c.redact(err.Error())))
	}
	req.SetBasicAuth(c.apiKey, "X")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "hivematrix-codex")
	if id := codex.CorrelationIDFrom(ctx); id != "" {
		req.Header.Set(codex.CorrelationIDHeader, id)
	}
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, backoff.Permanent(ctxError(ctx, ctx.Err()))
		}
		return nil, &attemptError{msg: c.redact(err.Error())}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		if ctx.Err() != nil {
			return nil, backoff.Permanent(ctxError(ctx, ctx.Err()))
		}
		return nil, &attemptError{msg: "reading response: " + c.redact(err.Error())}
	}
	switch s := resp.StatusCode; {
	case s >= 200 && s < 300:
		return &response{header: resp.Header, body: data}, nil
	case s == http.StatusTooManyRequests:
		wait, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now())
		if ok {
			wait = min(wait, c.maxRetryAfter)
		}
		return nil, &attemptError{msg: "429 rate limited", wait: wait}
	case s >= 500 && method == http.MethodPost:
		// A POST creates something (a note): the failed attempt may have created it, so
		// retrying could create it twice.
		return nil, backoff.Permanent(codex.Errorf(codex.Unavailable, "freshservice: %s %s: %d %s", method, path, s, http.StatusText(s)))
	case s >= 500:
		wait, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now())
		if ok {
			wait = min(wait, c.maxRetryAfter)
		}
		return nil, &attemptError{msg: fmt.Sprintf("%d %s", s, http.StatusText(s)), wait: wait}
	default:
		return nil, backoff.Permanent(c.statusError(method, path, s, data))
	}
}

// ctxError wraps a cancellation so callers can still test it with errors.Is.
func ctxError(ctx context.Context, err error) *codex.Error {
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	return &codex.Error{Code: codex.Unavailable, Message: "freshservice: " + err.Error(), Err: err}
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

// apiError is the body of a Freshservice error answer.
type apiError struct {
	Description string `json:"description"`
	Message     string `json:"message"`
	Code        string `json:"code"`
	Errors      []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
		Code    string `json:"code"`
	} `json:"errors"`
}

// statusError turns a non-retryable answer into a *codex.Error.
func (c *Client) statusError(method, path string, status int, body []byte) *codex.Error {
	var a apiError
	_ = json.Unmarshal(body, &a) // a body that is not JSON leaves a empty
	text := http.StatusText(status)
	switch {
	case a.Description != "":
		text = a.Description
	case a.Message != "":
		text = a.Message
	}
	e := &codex.Error{
		Code:    statusCode(status),
		Message: c.redact(fmt.Sprintf("freshservice: %s %s: %d %s", method, path, status, text)),
	}
	for _, fe := range a.Errors {
		if e.Fields == nil {
			e.Fields = map[string]string{}
		}
		field := fe.Field
		if field == "" {
			field = "base"
		}
		msg := fe.Message
		if msg == "" {
			msg = fe.Code
		}
		e.Fields[field] = c.redact(msg)
	}
	return e
}

// statusCode maps an HTTP status of Freshservice to a Codex error code.
func statusCode(status int) codex.Code {
	switch status {
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return codex.Invalid
	case http.StatusUnauthorized:
		return codex.Unauthenticated
	case http.StatusForbidden:
		return codex.Forbidden
	case http.StatusNotFound:
		return codex.NotFound
	case http.StatusConflict:
		return codex.Conflict
	default:
		return codex.Internal
	}
}

// get fetches one object wrapped in key (e.g. {"department":{...}}) into v.
func (c *Client) get(ctx context.Context, path, key string, v any) error {
	resp, err := c.do(ctx, http.MethodGet, c.baseURL+path, nil)
	if err != nil {
		return err
	}
	return c.unwrap(http.MethodGet, path, resp.body, key, v)
}

// put sends body to path and decodes the answer wrapped in key into v.
func (c *Client) put(ctx context.Context, path string, body any, key string, v any) error {
	resp, err := c.do(ctx, http.MethodPut, c.baseURL+path, body)
	if err != nil {
		return err
	}
	return c.unwrap(http.MethodPut, path, resp.body, key, v)
}

// post sends body to path and decodes the answer wrapped in key into v. It is not
// retried after a 5xx answer (see attempt).
func (c *Client) post(ctx context.Context, path string, body any, key string, v any) error {
	resp, err := c.do(ctx, http.MethodPost, c.baseURL+path, body)
	if err != nil {
		return err
	}
	return c.unwrap(http.MethodPost, path, resp.body, key, v)
}

// unwrap decodes body[key] into v.
func (c *Client) unwrap(method, path string, body []byte, key string, v any) error {
	var env map[string]json.RawMessage
	if err := json.Unmarshal(body, &env); err != nil {
		return codex.Errorf(codex.Unavailable, "freshservice: %s %s: answer is not a JSON object", method, path)
	}
	raw, ok := env[key]
	if !ok {
		return codex.Errorf(codex.Unavailable, "freshservice: %s %s: answer has no %q", method, path, key)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return codex.Errorf(codex.Unavailable, "freshservice: %s %s: decoding %q: %v", method, path, key, err)
	}
	return nil
}
