package helm_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hivematrix/codex/helm"
)

// fakeCore is HiveMatrix Core's /service-token over real HTTP: it checks the names and
// answers a JWT-shaped token with the given lifetime, numbered so a renewal shows.
type fakeCore struct {
	srv    *httptest.Server
	issued atomic.Int64
	ttl    time.Duration
	fail   atomic.Bool
}

func newFakeCore(t *testing.T, ttl time.Duration) *fakeCore {
	t.Helper()
	c := &fakeCore{ttl: ttl}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Calling string `json:"calling_service"`
			Target  string `json:"target_service"`
		}
		if r.Method != http.MethodPost || r.URL.Path != "/service-token" {
			http.NotFound(w, r)
			return
		}
		if json.NewDecoder(r.Body).Decode(&in) != nil || in.Calling == "" || in.Target == "" || c.fail.Load() {
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "calling_service and target_service are required"})
			return
		}
		n := c.issued.Add(1)
		claims, _ := json.Marshal(map[string]any{"sub": "service:" + in.Calling, "type": "service",
			"calling_service": in.Calling, "target_service": in.Target, "exp": time.Now().Add(c.ttl).Unix()})
		tok := fmt.Sprintf("eyJhbGciOiJSUzI1NiJ9.%s.sig%d", base64.RawURLEncoding.EncodeToString(claims), n)
		_ = json.NewEncoder(w).Encode(map[string]string{"token": tok})
	}))
	t.Cleanup(c.srv.Close)
	return c
}

// TestShippingAuthenticatesWithCore: every batch carries a token Core issued for
// codex -> helm; a token close to its expiry is renewed; when Core refuses, nothing is
// sent without authentication.
func TestShippingAuthenticatesWithCore(t *testing.T) {
	core := newFakeCore(t, 5*time.Minute)
	var mu sync.Mutex
	var auths []string
	helmSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auths = append(auths, r.Header.Get("Authorization"))
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(helmSrv.Close)

	s := helm.New(helm.Config{URL: helmSrv.URL, Token: helm.CoreToken(core.srv.URL, "codex", "helm", nil), FlushEvery: time.Hour})
	log := slog.New(s.Handler())
	ctx := context.Background()
	for range 2 {
		log.Info("hello")
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	got := append([]string(nil), auths...)
	mu.Unlock()
	if len(got) != 2 || got[0] == "" || got[0] != got[1] || got[0][:len("Bearer eyJ")] != "Bearer eyJ" {
		t.Fatalf("Authorization of two batches = %q; want the same Core token twice", got)
	}
	if n := core.issued.Load(); n != 1 {
		t.Errorf("Core issued %d tokens for two batches; want 1 (reused)", n)
	}

	// Core refuses: the batch is dropped, never sent without a token.
	core.fail.Store(true)
	src := helm.CoreToken(core.srv.URL, "codex", "helm", nil)
	if _, err := src(ctx); err == nil {
		t.Error("CoreToken with Core refusing = nil error; want Core's error")
	}
	s2 := helm.New(helm.Config{URL: helmSrv.URL, Token: src, FlushEvery: time.Hour})
	slog.New(s2.Handler()).Info("not shipped")
	_ = s2.Flush(ctx)
	s3 := helm.New(helm.Config{URL: helmSrv.URL, FlushEvery: time.Hour}) // no token source at all
	slog.New(s3.Handler()).Info("not shipped either")
	_ = s3.Flush(ctx)
	mu.Lock()
	n := len(auths)
	mu.Unlock()
	if n != 2 {
		t.Errorf("Helm got %d batches after Core refused / without a token source; want still 2", n)
	}
	if st := s2.Stats(); st.Failed != 1 || st.Dropped != 1 {
		t.Errorf("stats with Core refusing = %+v; want 1 failed batch, 1 dropped record", st)
	}
}

// TestCoreTokenRenewsBeforeExpiry: a token with little life left is asked for again.
func TestCoreTokenRenewsBeforeExpiry(t *testing.T) {
	core := newFakeCore(t, 2*time.Second) // renewed a fifth of its life (0.4s) before exp
	src := helm.CoreToken(core.srv.URL, "codex", "helm", nil)
	ctx := context.Background()
	a, err := src(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := src(ctx); b != a {
		t.Errorf("second token right away = %q; want the first reused", b)
	}
	time.Sleep(1700 * time.Millisecond)
	c, err := src(ctx)
	if err != nil || c == a {
		t.Errorf("token 0.3s before expiry = %q, %v; want a new one", c, err)
	}
	if n := core.issued.Load(); n != 2 {
		t.Errorf("Core issued %d tokens; want 2", n)
	}
}
