package helm_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/helm"
)

// fakeHelm records the batches it receives.
type fakeHelm struct {
	mu      sync.Mutex
	batches []map[string]any
	auth    []string
	block   chan struct{} // when not nil, requests wait for it
	status  int
}

func newFakeHelm(t *testing.T) (*fakeHelm, *httptest.Server) {
	f := &fakeHelm{status: http.StatusOK}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != helm.IngestPath {
			http.NotFound(w, r)
			return
		}
		if f.block != nil {
			<-f.block
		}
		var b map[string]any
		if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.batches = append(f.batches, b)
		f.auth = append(f.auth, r.Header.Get("Authorization"))
		status := f.status
		f.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return f, srv
}

// logs returns every entry received, in order.
func (f *fakeHelm) logs() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []map[string]any
	for _, b := range f.batches {
		for _, l := range b["logs"].([]any) {
			out = append(out, l.(map[string]any))
		}
	}
	return out
}

func TestShipperSendsBatches(t *testing.T) {
	f, srv := newFakeHelm(t)
	s := helm.New(helm.Config{URL: srv.URL, Token: helm.StaticToken("svc-token"), BatchSize: 3, FlushEvery: time.Hour})
	log := slog.New(s.Handler()).With("component", "sync").WithGroup("run")
	ctx := codex.WithRequestID(codex.WithPrincipal(context.Background(), codex.SystemPrincipal("sync:datto")), "req-7")
	log.DebugContext(ctx, "not shipped below info")
	log.InfoContext(ctx, "run started", "id", 42, "api_key", "hunter2", slog.Group("client", "password", "pw", "host", "x"))
	log.WarnContext(ctx, "slow", "took", time.Second)
	log.ErrorContext(context.Background(), "failed", "error", errors.New("boom"), "request_id", "req-9", "user", "a@b.example")
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	logs := f.logs()
	if len(logs) != 3 {
		t.Fatalf("shipped %d records; want 3: %v", len(logs), logs)
	}
	f.mu.Lock()
	if len(f.batches) != 1 || f.batches[0]["service_name"] != "codex" || f.auth[0] != "Bearer svc-token" {
		t.Errorf("batches = %v, auth %v; want one batch of codex with the token", f.batches, f.auth)
	}
	f.mu.Unlock()
	first := logs[0]
	c := first["context"].(map[string]any)
	if first["level"] != "INFO" || first["message"] != "run started" || first["trace_id"] != "req-7" || first["user_id"] != "system:sync:datto" {
		t.Errorf("first = %v; want INFO with the request id and the principal", first)
	}
	if c["component"] != "sync" || c["run.id"] != float64(42) || c["run.api_key"] != "[redacted]" || c["run.client.password"] != "[redacted]" || c["run.client.host"] != "x" {
		t.Errorf("context = %v; want grouped keys with secrets redacted", c)
	}
	if _, err := time.Parse(time.RFC3339Nano, first["timestamp"].(string)); err != nil {
		t.Errorf("timestamp %v: %v", first["timestamp"], err)
	}
	if logs[1]["level"] != "WARNING" || logs[1]["context"].(map[string]any)["run.took"] != "1s" {
		t.Errorf("second = %v", logs[1])
	}
	if last := logs[2]; last["level"] != "ERROR" || last["trace_id"] != "req-9" || last["user_id"] != "a@b.example" ||
		last["context"].(map[string]any)["run.error"] != "boom" {
		t.Errorf("third = %v; want the error, trace and user from attributes", last)
	}
	if st := s.Stats(); st.Sent != 3 || st.Dropped != 0 {
		t.Errorf("stats = %+v", st)
	}
}

func TestShipperFlushesOnTime(t *testing.T) {
	f, srv := newFakeHelm(t)
	s := helm.New(helm.Config{URL: srv.URL, Token: helm.StaticToken("t"), FlushEvery: 20 * time.Millisecond})
	defer s.Close(context.Background())
	slog.New(s.Handler()).Info("tick")
	deadline := time.Now().Add(5 * time.Second)
	for len(f.logs()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("record not shipped by the timer")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestShipperNeverBlocksAndCountsDrops(t *testing.T) {
	f, srv := newFakeHelm(t)
	f.block = make(chan struct{})
	s := helm.New(helm.Config{URL: srv.URL, BatchSize: 1, QueueSize: 2, FlushEvery: time.Hour})
	log := slog.New(s.Handler())
	start := time.Now()
	for range 100 {
		log.Info("burst")
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("logging 100 records with Helm stuck took %v; want no blocking", took)
	}
	close(f.block)
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := s.Stats()
	if st.Dropped == 0 || st.Sent+st.Dropped != 100 {
		t.Errorf("stats = %+v; want drops counted and every record accounted for", st)
	}
}

func TestShipperCountsFailedBatches(t *testing.T) {
	f, srv := newFakeHelm(t)
	f.status = http.StatusUnauthorized
	var complaints strings.Builder
	s := helm.New(helm.Config{URL: srv.URL, Token: helm.StaticToken("secret-token-value"),
		ErrorLog: slog.New(slog.NewTextHandler(&complaints, nil))})
	slog.New(s.Handler()).Info("x")
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Failed != 1 || st.Dropped != 1 {
		t.Errorf("stats = %+v; want a failed batch", st)
	}
	if got := complaints.String(); !strings.Contains(got, "401") || strings.Contains(got, "secret-token-value") {
		t.Errorf("complaint = %q; want the status, never the token", got)
	}
}

func TestCachedTokenReusesUntilNearExpiry(t *testing.T) {
	n := 0
	src := helm.CachedToken(func() (string, error) { n++; return "t", nil }, 5*time.Minute)
	for range 3 {
		if tok, err := src(context.Background()); err != nil || tok != "t" {
			t.Fatal(tok, err)
		}
	}
	if n != 1 {
		t.Errorf("minted %d tokens; want 1", n)
	}
}

// TestShipperRedactsPersonalData checks that the PHI/CJIS detectors run over every
// message and text value before it leaves the process, while host names, error codes
// and addresses of servers survive.
func TestShipperRedactsPersonalData(t *testing.T) {
	f, srv := newFakeHelm(t)
	s := helm.New(helm.Config{URL: srv.URL, Token: helm.StaticToken("t"), BatchSize: 1, FlushEvery: time.Hour})
	log := slog.New(s.Handler())
	log.Warn("sync problem on ticket: Deputy Aaron Miles (badge 3317) ran driver licence ORDL 7743019",
		"subject", "patient Maria Gonzalez DOB 03/14/1961 MRN 448812",
		"error", errors.New("call Jenna Price at (555) 013-2219"),
		"host", "MCSO-MDT-07 at 172.16.30.107 error 0x80070005")
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	logs := f.logs()
	if len(logs) != 1 {
		t.Fatalf("shipped %d records; want 1", len(logs))
	}
	b, _ := json.Marshal(logs[0])
	for _, leak := range []string{"Aaron", "3317", "7743019", "Maria", "03/14/1961", "448812", "Jenna", "013-2219"} {
		if strings.Contains(string(b), leak) {
			t.Errorf("shipped %s; want %q redacted", b, leak)
		}
	}
	if c := logs[0]["context"].(map[string]any); c["host"] != "MCSO-MDT-07 at 172.16.30.107 error 0x80070005" {
		t.Errorf("host = %v; want it unchanged", c["host"])
	}
}

// TestShipperReportsBacklog checks Stats.Queued, the backlog the server exports as
// codex_helm_queued_records: records waiting, in the queue or a batch not yet sent.
func TestShipperReportsBacklog(t *testing.T) {
	_, srv := newFakeHelm(t)
	s := helm.New(helm.Config{URL: srv.URL, Token: helm.StaticToken("t"), BatchSize: 100, FlushEvery: time.Hour})
	defer s.Close(context.Background())
	log := slog.New(s.Handler())
	for range 3 {
		log.Info("waiting")
	}
	if got := s.Stats().Queued; got != 3 {
		t.Errorf("Queued before a flush = %d; want 3", got)
	}
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Queued != 0 || st.Sent != 3 {
		t.Errorf("after a flush: %+v; want 0 queued, 3 sent", st)
	}
}
