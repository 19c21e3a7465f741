package freshservice_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/integrations/freshservice"
	"github.com/hivematrix/codex/integrations/freshservice/fake"
)

// newFake starts a fake Freshservice that is closed when the test ends.
func newFake(t *testing.T) *fake.Server {
	t.Helper()
	f := fake.New()
	t.Cleanup(f.Close)
	return f
}

// newClient returns a client for f with back-off and rate limits small enough for tests.
func newClient(t *testing.T, f *fake.Server, edit ...func(*freshservice.Config)) *freshservice.Client {
	t.Helper()
	cfg := freshservice.Config{
		BaseURL:       f.BaseURL(),
		APIKey:        fake.APIKey,
		RatePerMinute: 600_000,
		MaxRetries:    5,
		MinBackoff:    5 * time.Millisecond,
		MaxBackoff:    40 * time.Millisecond,
	}
	for _, e := range edit {
		e(&cfg)
	}
	return freshservice.New(cfg)
}

// collect gathers every page of a list.
func collect[T any](t *testing.T, list func(context.Context, func(freshservice.Page[T]) error) error) []freshservice.Page[T] {
	t.Helper()
	var pages []freshservice.Page[T]
	if err := list(t.Context(), func(p freshservice.Page[T]) error {
		pages = append(pages, p)
		return nil
	}); err != nil {
		t.Fatalf("list: %v", err)
	}
	return pages
}

func TestBaseURLForDomain(t *testing.T) {
	if got, want := freshservice.BaseURLForDomain("acme"), "https://acme.freshservice.com/api/v2"; got != want {
		t.Errorf("BaseURLForDomain(acme) = %q; want %q", got, want)
	}
}

func TestDepartmentsPaging(t *testing.T) {
	tests := []struct {
		n         int
		wantSizes []int
	}{
		{0, nil},
		{1, []int{1}},
		{100, []int{100}},
		{250, []int{100, 100, 50}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.n), func(t *testing.T) {
			f := newFake(t)
			for i := range tt.n {
				f.AddDepartment(fake.Department{Name: fmt.Sprintf("Dept %03d", i), CustomFields: map[string]any{"account_number": 1000 + i}})
			}
			c := newClient(t, f)
			pages := collect(t, c.Departments)
			var sizes []int
			seen := map[int64]bool{}
			for i, p := range pages {
				if p.Number != i+1 {
					t.Errorf("page %d Number = %d; want %d", i, p.Number, i+1)
				}
				sizes = append(sizes, len(p.Items))
				for _, d := range p.Items {
					if seen[d.ID] {
						t.Errorf("department %d listed twice", d.ID)
					}
					seen[d.ID] = true
				}
			}
			if !reflect.DeepEqual(sizes, tt.wantSizes) {
				t.Errorf("page sizes = %v; want %v", sizes, tt.wantSizes)
			}
			if got, want := f.Requests("/api/v2/departments"), max(1, len(tt.wantSizes)); got != want {
				t.Errorf("requests = %d; want %d", got, want)
			}
			if tt.n > 0 {
				d := pages[0].Items[0]
				if d.Name != "Dept 000" || d.CustomField("account_number") != "1000" || d.CreatedAt.IsZero() {
					t.Errorf("first department = %+v; want Dept 000 with account number 1000 and created_at", d)
				}
			}
		})
	}
}

func TestDepartment(t *testing.T) {
	f := newFake(t)
	d := f.AddDepartment(fake.Department{Name: "Acme", Domains: []string{"acme.example"}, CreatedAt: time.Date(2022, 8, 29, 14, 17, 32, 0, time.UTC)})
	c := newClient(t, f)

	got, err := c.Department(t.Context(), d.ID)
	if err != nil {
		t.Fatalf("Department(%d): %v", d.ID, err)
	}
	if got.ID != d.ID || got.Name != "Acme" || !reflect.DeepEqual(got.Domains, []string{"acme.example"}) ||
		!got.CreatedAt.Equal(d.CreatedAt) {
		t.Errorf("Department(%d) = %+v; want %+v", d.ID, got, d)
	}

	_, err = c.Department(t.Context(), 42)
	if code := codex.ErrorCode(err); code != codex.NotFound {
		t.Errorf("Department(42) error = %v (code %q); want code %q", err, code, codex.NotFound)
	}
}

func TestMalformedRecordsAreSkipped(t *testing.T) {
	f := newFake(t)
	f.AddDepartment(fake.Department{Name: "First"})
	f.AddMalformed("departments", `{"id":"abc","name":"Id is a string"}`)
	f.AddDepartment(fake.Department{Name: "Second"})
	f.AddMalformed("departments", `{"name":"No id"}`)
	f.AddMalformed("departments", `"not an object"`)
	f.AddDepartment(fake.Department{Name: "Third"})
	c := newClient(t, f)

	pages := collect(t, c.Departments)
	if len(pages) != 1 {
		t.Fatalf("got %d pages; want 1", len(pages))
	}
	var names []string
	for _, d := range pages[0].Items {
		names = append(names, d.Name)
	}
	if want := []string{"First", "Second", "Third"}; !reflect.DeepEqual(names, want) {
		t.Errorf("items = %v; want %v", names, want)
	}
	type skip struct {
		Index int
		ID    string
	}
	var skips []skip
	for _, s := range pages[0].Skipped {
		skips = append(skips, skip{s.Index, s.ID})
		if s.Err == nil || len(s.Raw) == 0 {
			t.Errorf("skip %d has no error or raw record: %+v", s.Index, s)
		}
		if !strings.HasPrefix(s.Error(), "freshservice: record ") {
			t.Errorf("skip error %q; want a freshservice: prefix", s.Error())
		}
	}
	if want := []skip{{1, "abc"}, {3, ""}, {4, ""}}; !reflect.DeepEqual(skips, want) {
		t.Errorf("skipped = %+v; want %+v", skips, want)
	}
}

func TestCallbackErrorStopsPaging(t *testing.T) {
	f := newFake(t)
	for i := range 150 {
		f.AddDepartment(fake.Department{Name: fmt.Sprint("D", i)})
	}
	c := newClient(t, f)
	stop := errors.New("stop")
	err := c.Departments(t.Context(), func(freshservice.Page[freshservice.Department]) error { return stop })
	if err != stop {
		t.Errorf("Departments error = %v; want the callback's error", err)
	}
	if got := f.Requests("/api/v2/departments"); got != 1 {
		t.Errorf("requests = %d; want 1", got)
	}
}

func TestRetryAfter429(t *testing.T) {
	f := newFake(t)
	f.AddDepartment(fake.Department{Name: "Acme"})
	f.RateLimitNext(1, "1")
	c := newClient(t, f)

	start := time.Now()
	pages := collect(t, c.Departments)
	elapsed := time.Since(start)
	if len(pages) != 1 || len(pages[0].Items) != 1 {
		t.Errorf("pages = %+v; want one department", pages)
	}
	if elapsed < 900*time.Millisecond || elapsed > 5*time.Second {
		t.Errorf("listing took %v; want about the 1s of Retry-After", elapsed)
	}
	if got := f.Requests("/api/v2/departments"); got != 2 {
		t.Errorf("requests = %d; want 2", got)
	}
}

func TestRetryAfterIsCapped(t *testing.T) {
	f := newFake(t)
	f.AddDepartment(fake.Department{Name: "Acme"})
	f.RateLimitNext(1, "3600")
	c := newClient(t, f, func(c *freshservice.Config) { c.MaxRetryAfter = 50 * time.Millisecond })

	start := time.Now()
	collect(t, c.Departments)
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("listing took %v; want Retry-After capped at 50ms", elapsed)
	}
}

func TestRetryTransientFailures(t *testing.T) {
	tests := []struct {
		name         string
		inject       func(*fake.Server)
		maxRetries   int
		wantCode     codex.Code // "" for success
		wantRequests int
	}{
		{"429 without Retry-After backs off", func(f *fake.Server) { f.RateLimitNext(2, "") }, 5, "", 3},
		{"flaky 503 succeeds", func(f *fake.Server) { f.FailNext(3, http.StatusServiceUnavailable) }, 5, "", 4},
		{"502 then 500 succeeds", func(f *fake.Server) { f.FailNext(1, 502); f.FailNext(1, 500) }, 5, "", 3},
		{"503 past MaxRetries gives up", func(f *fake.Server) { f.FailNext(10, http.StatusServiceUnavailable) }, 2, codex.Unavailable, 3},
		{"429 past MaxRetries gives up", func(f *fake.Server) { f.RateLimitNext(10, "") }, 1, codex.Unavailable, 2},
		{"no retries when negative", func(f *fake.Server) { f.FailNext(1, http.StatusServiceUnavailable) }, -1, codex.Unavailable, 1},
		{"403 is not retried", func(f *fake.Server) { f.FailNext(1, http.StatusForbidden) }, 5, codex.Forbidden, 1},
		{"404 is not retried", func(f *fake.Server) { f.FailNext(1, http.StatusNotFound) }, 5, codex.NotFound, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.AddDepartment(fake.Department{Name: "Acme"})
			tt.inject(f)
			c := newClient(t, f, func(c *freshservice.Config) { c.MaxRetries = tt.maxRetries })
			err := c.Departments(t.Context(), func(freshservice.Page[freshservice.Department]) error { return nil })
			if got := codex.ErrorCode(err); got != tt.wantCode {
				t.Errorf("Departments error = %v (code %q); want code %q", err, got, tt.wantCode)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "freshservice: ") {
				t.Errorf("error %q; want a freshservice: prefix", err)
			}
			if got := f.Requests("/api/v2/departments"); got != tt.wantRequests {
				t.Errorf("requests = %d; want %d", got, tt.wantRequests)
			}
		})
	}
}

func TestContextCancelDuringBackoff(t *testing.T) {
	f := newFake(t)
	f.RateLimitNext(1, "30")
	c := newClient(t, f)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()

	start := time.Now()
	_, err := c.Department(ctx, 1)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Department error = %v; want context.DeadlineExceeded", err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("Department returned after %v; want soon after the deadline", elapsed)
	}
}

func TestRateLimiter(t *testing.T) {
	f := newFake(t)
	d := f.AddDepartment(fake.Department{Name: "Acme"})
	c := newClient(t, f, func(c *freshservice.Config) { c.RatePerMinute = 600 }) // one each 100ms

	start := time.Now()
	for range 4 {
		if _, err := c.Department(t.Context(), d.ID); err != nil {
			t.Fatal(err)
		}
	}
	if elapsed := time.Since(start); elapsed < 280*time.Millisecond {
		t.Errorf("4 requests at 600/min took %v; want at least 300ms", elapsed)
	}
}

func TestSecretsStayOutOfErrors(t *testing.T) {
	const key = "super-secret-key-123"
	// An upstream that echoes the credentials it got, as some proxies do.
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"description":"bad key %s (%s)","errors":[{"field":"api_key","message":"%s is invalid","code":"invalid_value"}]}`,
			key, r.Header.Get("Authorization"), key)
	}))
	t.Cleanup(echo.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	f := newFake(t)

	tests := []struct {
		name    string
		baseURL string
	}{
		{"wrong key", f.BaseURL()},
		{"echoing upstream", echo.URL + "/api/v2"},
		{"unreachable upstream", closed.URL + "/api/v2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := freshservice.New(freshservice.Config{BaseURL: tt.baseURL, APIKey: key, MaxRetries: 1, MinBackoff: time.Millisecond, RatePerMinute: 600_000})
			_, err := c.Department(t.Context(), 1)
			if err == nil {
				t.Fatal("Department succeeded; want an error")
			}
			for _, secret := range []string{key, "c3VwZXItc2VjcmV0LWtleS0xMjM6WA=="} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q contains the secret %q", err, secret)
				}
				for field, msg := range codex.ErrorFields(err) {
					if strings.Contains(msg, secret) {
						t.Errorf("error field %s = %q contains the secret", field, msg)
					}
				}
			}
		})
	}
}

func TestLinkToAnotherHostStaysOnTheConfiguredHost(t *testing.T) {
	var pages []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pages = append(pages, r.URL.RawQuery)
		if r.URL.Query().Get("page") == "1" {
			w.Header().Set("Link", `<https://vanity.example/api/v2/departments?page=2&per_page=100>; rel="next"`)
			fmt.Fprint(w, `{"departments":[{"id":1,"name":"A"}]}`)
			return
		}
		fmt.Fprint(w, `{"departments":[{"id":2,"name":"B"}]}`)
	}))
	t.Cleanup(srv.Close)
	c := freshservice.New(freshservice.Config{BaseURL: srv.URL + "/api/v2", APIKey: "k", RatePerMinute: 600_000})
	n := 0
	err := c.Departments(t.Context(), func(p freshservice.Page[freshservice.Department]) error {
		n += len(p.Items)
		return nil
	})
	if err != nil || n != 2 {
		t.Errorf("Departments = %d departments, err %v; want 2", n, err)
	}
	if want := []string{"page=1&per_page=100", "page=2&per_page=100"}; !reflect.DeepEqual(pages, want) {
		t.Errorf("configured host served %v; want %v", pages, want)
	}
}

func TestMissingBaseURL(t *testing.T) {
	c := freshservice.New(freshservice.Config{APIKey: "k"})
	start := time.Now()
	_, err := c.Department(t.Context(), 1)
	if codex.ErrorCode(err) != codex.Internal || time.Since(start) > time.Second {
		t.Errorf("Department without BaseURL: error %v after %v; want an internal error at once", err, time.Since(start))
	}
}

func TestGeneratedScale(t *testing.T) {
	if testing.Short() {
		t.Skip("scale test")
	}
	f := newFake(t)
	f.Generate(2000, 10, 50)
	depts, reqs, _, assets := f.Counts()
	if depts != 2000 || reqs != 20_000 || assets != 100_000 {
		t.Errorf("Counts() = %d departments, %d requesters, %d assets; want 2000, 20000, 100000", depts, reqs, assets)
	}

	c := newClient(t, f)
	n := 0
	byAccount := map[string]bool{}
	err := c.Departments(t.Context(), func(p freshservice.Page[freshservice.Department]) error {
		for _, d := range p.Items {
			n++
			byAccount[d.CustomField("account_number")] = true
		}
		return nil
	})
	if err != nil || n != 2000 || !byAccount[fake.AccountNumber(1)] || !byAccount[fake.AccountNumber(2000)] {
		t.Errorf("Departments = %d departments, err %v; want 2000 with account numbers %s..%s", n, err, fake.AccountNumber(1), fake.AccountNumber(2000))
	}
	n = 0
	err = c.Requesters(t.Context(), func(p freshservice.Page[freshservice.Requester]) error {
		n += len(p.Items)
		return nil
	})
	if err != nil || n != 20_000 {
		t.Errorf("Requesters = %d, err %v; want 20000", n, err)
	}
}
