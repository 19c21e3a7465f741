// Package helm ships Codex's logs to Helm, the HiveMatrix platform's log service, as an
// extra slog.Handler: records are queued without blocking the caller, sent in batches
// (every FlushEvery or BatchSize records) as
//
//	POST {helm}/api/logs/ingest
//	{"service_name": "codex", "logs": [{"level", "message", "timestamp", "context", "trace_id", "user_id"}]}
//
// with a service token, and dropped (and counted) when the queue is full or Helm cannot
// be reached: losing log lines is better than slowing Codex down. Attributes whose names
// suggest secrets (password, token, secret, api key, authorization, connection string)
// are replaced by "[redacted]" before they leave the process, and every message and text
// value goes through redact.Log, so personal data a log line picked up (a ticket subject
// in a sync problem, a name in a validation error) never reaches Helm.
package helm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/redact"
)

// IngestPath is Helm's log endpoint, below its root URL.
const IngestPath = "/api/logs/ingest"

// Defaults applied by New to zero Config fields.
const (
	DefaultBatchSize  = 100
	DefaultFlushEvery = 2 * time.Second
	DefaultQueueSize  = 10000
	DefaultTimeout    = 10 * time.Second
)

// TokenSource returns the bearer token for a batch.
type TokenSource func(ctx context.Context) (string, error)

// StaticToken is a TokenSource that always returns token.
func StaticToken(token string) TokenSource {
	return func(context.Context) (string, error) { return token, nil }
}

// CachedToken is a TokenSource that calls mint for a token and reuses it for ttl less a
// margin, for short-lived service tokens (HiveMatrix's last 5 minutes).
func CachedToken(mint func() (string, error), ttl time.Duration) TokenSource {
	var mu sync.Mutex
	var tok string
	var until time.Time
	return func(context.Context) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		if tok != "" && time.Now().Before(until) {
			return tok, nil
		}
		t, err := mint()
		if err != nil {
			return "", err
		}
		tok, until = t, time.Now().Add(ttl-min(ttl/5, time.Minute))
		return tok, nil
	}
}

// Config configures a Shipper.
type Config struct {
	// URL is Helm's root, e.g. http://localhost:5004.
	URL string
	// Token returns the service token sent with each batch; nil (or a failing source)
	// sends nothing: Helm is never called without authentication.
	Token TokenSource
	// Service is the service_name sent; empty means "codex".
	Service string
	// Level is the lowest level shipped; nil means info.
	Level slog.Leveler
	// BatchSize, FlushEvery and QueueSize tune batching; zero takes the defaults.
	BatchSize  int
	FlushEvery time.Duration
	QueueSize  int
	// HTTPClient sends the batches; nil means a client with DefaultTimeout.
	HTTPClient *http.Client
	// ErrorLog receives the shipper's own failures, at most one a minute. It must not
	// ship to Helm itself; nil discards them.
	ErrorLog *slog.Logger
}

// Entry is one log record as Helm takes it.
type Entry struct {
	Level     string         `json:"level"`
	Message   string         `json:"message"`
	Timestamp string         `json:"timestamp"`
	Context   map[string]any `json:"context"`
	TraceID   string         `json:"trace_id"`
	UserID    string         `json:"user_id"`
}

// batch is the body of one ingest request.
type batch struct {
	Service string  `json:"service_name"`
	Logs    []Entry `json:"logs"`
}

// Stats counts what a Shipper did.
type Stats struct {
	// Sent is how many records Helm accepted.
	Sent int64
	// Dropped is how many records were lost: the queue was full, or their batch failed.
	Dropped int64
	// Failed is how many batches failed.
	Failed int64
	// Queued is how many records wait to be sent now (the shipping backlog): queued, or
	// in a batch not yet posted.
	Queued int64
}

// Shipper batches records and sends them to Helm in the background.
type Shipper struct {
	cfg     Config
	url     string
	queue   chan Entry
	flush   chan chan struct{}
	stopped chan struct{}
	closing sync.Once
	done    chan struct{}

	sent, dropped, failed atomic.Int64
	backlog               atomic.Int64 // queued or batched, not yet posted
	lastComplaint         atomic.Int64 // unix seconds
}

// New starts a Shipper; call Close to flush and stop it.
func New(cfg Config) *Shipper {
	if cfg.Service == "" {
		cfg.Service = "codex"
	}
	if cfg.Level == nil {
		cfg.Level = slog.LevelInfo
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	if cfg.FlushEvery <= 0 {
		cfg.FlushEvery = DefaultFlushEvery
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = DefaultQueueSize
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: DefaultTimeout}
	}
	if cfg.ErrorLog == nil {
		cfg.ErrorLog = slog.New(slog.DiscardHandler)
	}
	s := &Shipper{
		cfg:     cfg,
		url:     strings.TrimRight(cfg.URL, "/") + IngestPath,
		queue:   make(chan Entry, cfg.QueueSize),
		flush:   make(chan chan struct{}),
		stopped: make(chan struct{}),
		done:    make(chan struct{}),
	}
	go s.loop()
	return s
}

// Stats returns the counts so far.
func (s *Shipper) Stats() Stats {
	return Stats{Sent: s.sent.Load(), Dropped: s.dropped.Load(), Failed: s.failed.Load(), Queued: s.backlog.Load()}
}

// Flush sends what is queued now and waits for it, or for ctx to end.
func (s *Shipper) Flush(ctx context.Context) error {
	ack := make(chan struct{})
	select {
	case s.flush <- ack:
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-ack:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close sends what is queued and stops the shipper; records handled afterwards are
// dropped. It waits for the last batch, or for ctx to end.
func (s *Shipper) Close(ctx context.Context) error {
	s.closing.Do(func() { close(s.stopped) })
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// enqueue queues e without blocking; a full queue drops it.
func (s *Shipper) enqueue(e Entry) {
	select {
	case <-s.stopped:
		s.dropped.Add(1)
		return
	default:
	}
	select {
	case s.queue <- e:
		s.backlog.Add(1)
	default:
		s.dropped.Add(1)
	}
}

// loop collects batches and sends them.
func (s *Shipper) loop() {
	defer close(s.done)
	tick := time.NewTicker(s.cfg.FlushEvery)
	defer tick.Stop()
	var pending []Entry
	send := func() {
		for len(pending) > 0 {
			n := min(len(pending), s.cfg.BatchSize)
			s.post(pending[:n])
			s.backlog.Add(-int64(n))
			pending = pending[n:]
		}
		pending = nil
	}
	drain := func() {
		for {
			select {
			case e := <-s.queue:
				pending = append(pending, e)
			default:
				return
			}
		}
	}
	for {
		select {
		case e := <-s.queue:
			pending = append(pending, e)
			if len(pending) >= s.cfg.BatchSize {
				send()
			}
		case <-tick.C:
			send()
		case ack := <-s.flush:
			drain()
			send()
			close(ack)
		case <-s.stopped:
			drain()
			send()
			return
		}
	}
}

// post sends one batch.
func (s *Shipper) post(entries []Entry) {
	ctx, cancel := context.WithTimeout(context.Background(), DefaultTimeout)
	defer cancel()
	err := s.postErr(ctx, entries)
	if err == nil {
		s.sent.Add(int64(len(entries)))
		return
	}
	s.failed.Add(1)
	s.dropped.Add(int64(len(entries)))
	now := time.Now().Unix()
	if last := s.lastComplaint.Load(); now-last >= 60 && s.lastComplaint.CompareAndSwap(last, now) {
		s.cfg.ErrorLog.Warn("helm: shipping logs failed; dropping them", "error", err.Error(),
			"records", len(entries), "dropped_total", s.dropped.Load())
	}
}

func (s *Shipper) postErr(ctx context.Context, entries []Entry) error {
	body, err := json.Marshal(batch{Service: s.cfg.Service, Logs: entries})
	if err != nil {
		return fmt.Errorf("encoding: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "hivematrix-codex")
	// Helm takes logs only from authenticated services: without a token, nothing is sent.
	if s.cfg.Token == nil {
		return errors.New("no service token for Helm: set [helm] token or [helm] core_url")
	}
	tok, err := s.cfg.Token(ctx)
	if err != nil {
		return fmt.Errorf("getting a service token: %w", err)
	}
	if tok == "" {
		return errors.New("getting a service token: empty token")
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		var ue interface{ Unwrap() error }
		if errors.As(err, &ue) {
			err = ue.Unwrap() // the URL error repeats the URL; keep the cause
		}
		return fmt.Errorf("POST %s: %w", IngestPath, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return fmt.Errorf("POST %s: %s", IngestPath, resp.Status)
	}
	return nil
}

// Handler returns the slog.Handler that feeds the shipper. Combine it with the console
// handler with slog.NewMultiHandler.
func (s *Shipper) Handler() slog.Handler { return &handler{s: s} }

// handler turns records into entries.
type handler struct {
	s      *Shipper
	attrs  []slog.Attr // from WithAttrs, already qualified by their groups
	groups string      // "a.b." prefix of the open groups
}

func (h *handler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.s.cfg.Level.Level() }

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	e := Entry{
		Level:     levelName(r.Level),
		Message:   redact.Log(r.Message),
		Timestamp: r.Time.UTC().Format(time.RFC3339Nano),
		Context:   make(map[string]any, len(h.attrs)+r.NumAttrs()),
		TraceID:   codex.CorrelationIDFrom(ctx),
	}
	if e.TraceID == "" {
		e.TraceID = codex.RequestIDFrom(ctx)
	}
	if p := codex.PrincipalFrom(ctx); p != nil {
		e.UserID = p.Actor()
	}
	for _, a := range h.attrs {
		put(e.Context, a.Key, a.Value)
	}
	r.Attrs(func(a slog.Attr) bool {
		// A record's own request_id and user attributes stand in for the context's.
		switch v := a.Value.Resolve(); {
		case a.Key == "request_id" && v.Kind() == slog.KindString && e.TraceID == "":
			e.TraceID = v.String()
		case a.Key == "user" && v.Kind() == slog.KindString && e.UserID == "":
			e.UserID = v.String()
		}
		addAttr(e.Context, h.groups, a)
		return true
	})
	h.s.enqueue(e)
	return nil
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	n := &handler{s: h.s, groups: h.groups, attrs: append([]slog.Attr(nil), h.attrs...)}
	m := map[string]any{}
	for _, a := range attrs {
		addAttr(m, h.groups, a)
	}
	for k, v := range m {
		n.attrs = append(n.attrs, slog.Any(k, v))
	}
	return n
}

func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &handler{s: h.s, attrs: h.attrs, groups: h.groups + name + "."}
}

// addAttr puts a (flattening groups into dotted keys) into m.
func addAttr(m map[string]any, prefix string, a slog.Attr) {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return
	}
	if a.Value.Kind() == slog.KindGroup {
		p := prefix
		if a.Key != "" {
			p += a.Key + "."
		}
		for _, g := range a.Value.Group() {
			addAttr(m, p, g)
		}
		return
	}
	put(m, prefix+a.Key, a.Value)
}

// put stores v under key, redacted when the key names a secret.
func put(m map[string]any, key string, v slog.Value) {
	if secretKey(key) {
		m[key] = "[redacted]"
		return
	}
	switch v.Kind() {
	case slog.KindString:
		m[key] = redact.Log(v.String())
	case slog.KindInt64:
		m[key] = v.Int64()
	case slog.KindUint64:
		m[key] = v.Uint64()
	case slog.KindFloat64:
		m[key] = v.Float64()
	case slog.KindBool:
		m[key] = v.Bool()
	case slog.KindDuration:
		m[key] = v.Duration().String()
	case slog.KindTime:
		m[key] = v.Time().UTC().Format(time.RFC3339Nano)
	default:
		switch x := v.Any().(type) {
		case error:
			m[key] = redact.Log(x.Error())
		case fmt.Stringer:
			m[key] = redact.Log(x.String())
		case json.Marshaler:
			m[key] = x
		default:
			m[key] = redact.Log(fmt.Sprint(x))
		}
	}
}

// secretWords are the parts of attribute names whose values are never shipped.
var secretWords = []string{"password", "passwd", "secret", "token", "api_key", "apikey", "authorization", "cookie", "connection_string", "dsn"}

func secretKey(key string) bool {
	k := strings.ToLower(key)
	for _, w := range secretWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// levelName names a level the way HiveMatrix's Python services do.
func levelName(l slog.Level) string {
	switch {
	case l >= slog.LevelError:
		return "ERROR"
	case l >= slog.LevelWarn:
		return "WARNING"
	case l >= slog.LevelInfo:
		return "INFO"
	}
	return "DEBUG"
}
