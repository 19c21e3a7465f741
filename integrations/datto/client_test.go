package datto_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/integrations/datto"
	"github.com/hivematrix/codex/integrations/datto/fake"
)

// newFake starts a fake Datto RMM that is closed when the test ends.
func newFake(t *testing.T) *fake.Server {
	t.Helper()
	f := fake.New()
	t.Cleanup(f.Close)
	return f
}

// newClient returns a client for f with back-off and rate limits small enough for tests.
func newClient(t *testing.T, f *fake.Server, edit ...func(*datto.Config)) *datto.Client {
	t.Helper()
	cfg := datto.Config{
		APIURL:         f.URL(),
		APIKey:         fake.APIKey,
		APISecret:      fake.APISecret,
		RatePerMinute:  600_000,
		MaxRetries:     5,
		MinBackoff:     5 * time.Millisecond,
		MaxBackoff:     40 * time.Millisecond,
		BlockedBackoff: 150 * time.Millisecond,
	}
	for _, e := range edit {
		e(&cfg)
	}
	return datto.New(cfg)
}

// allDevices lists every device of the account.
func allDevices(t *testing.T, c *datto.Client) []datto.Device {
	t.Helper()
	var out []datto.Device
	if err := c.Devices(t.Context(), func(p datto.Page[datto.Device]) error {
		out = append(out, p.Items...)
		return nil
	}); err != nil {
		t.Fatalf("Devices: %v", err)
	}
	return out
}

func TestDevicesPaging(t *testing.T) {
	tests := []struct {
		devices   int
		omitTotal bool
		wantSizes []int
		wantTotal int
	}{
		{0, false, nil, 0},
		{250, false, []int{250}, 250},
		{600, false, []int{250, 250, 100}, 600},
		{600, true, []int{250, 250, 100}, -1},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.devices, tt.omitTotal), func(t *testing.T) {
			f := newFake(t)
			f.Generate(1, tt.devices)
			f.OmitTotalCount(tt.omitTotal)
			c := newClient(t, f)
			var sizes []int
			seen := map[string]bool{}
			err := c.Devices(t.Context(), func(p datto.Page[datto.Device]) error {
				if p.Number != len(sizes) {
					t.Errorf("page Number = %d; want %d", p.Number, len(sizes))
				}
				if p.Total != tt.wantTotal {
					t.Errorf("page Total = %d; want %d", p.Total, tt.wantTotal)
				}
				sizes = append(sizes, len(p.Items))
				for _, d := range p.Items {
					if seen[d.UID] {
						t.Errorf("device %s listed twice", d.UID)
					}
					seen[d.UID] = true
				}
				return nil
			})
			if err != nil {
				t.Fatalf("Devices: %v", err)
			}
			if fmt.Sprint(sizes) != fmt.Sprint(tt.wantSizes) {
				t.Errorf("page sizes = %v; want %v", sizes, tt.wantSizes)
			}
			if got, want := f.Requests("/api/v2/account/devices"), max(1, len(tt.wantSizes)); got != want {
				t.Errorf("device requests = %d; want %d", got, want)
			}
			if got := f.Requests(fake.TokenPath); got != 1 {
				t.Errorf("token requests = %d; want 1", got)
			}
		})
	}
}

func TestDeviceFields(t *testing.T) {
	f := newFake(t)
	site := f.AddSite(fake.Site{Name: "Acme"})
	seen := time.Date(2025, 3, 4, 5, 6, 7, 890_000_000, time.UTC)
	var uids []string
	for _, format := range []string{fake.TimeMillis, fake.TimeISO, fake.TimeMillisString} {
		d := f.AddDevice(fake.Device{
			SiteUID: site.UID, Hostname: "ACME-PC-" + format, IntIPAddress: "10.0.0.5", ExtIPAddress: "203.0.113.9",
			OperatingSystem: "Windows 11", Online: true, LastSeen: seen, CreationDate: seen.Add(-time.Hour),
			UDF: map[string]string{"udf1": "Codex:1", "udf30": "x"}, WarrantyDate: "2026-12-31",
			AntivirusProduct: "Datto AV", AntivirusStatus: "RunningAndUpToDate", PatchStatus: "FullyPatched",
			TimeFormat: format,
		})
		uids = append(uids, d.UID)
	}
	c := newClient(t, f)
	got := allDevices(t, c)
	if len(got) != 3 {
		t.Fatalf("got %d devices; want 3", len(got))
	}
	for _, d := range got {
		if !d.LastSeen.Equal(seen) || !d.CreationDate.Equal(seen.Add(-time.Hour)) || !d.LastReboot.IsZero() {
			t.Errorf("%s: lastSeen %v, creationDate %v, lastReboot %v; want %v, an hour before, zero", d.Hostname, d.LastSeen, d.CreationDate, d.LastReboot, seen)
		}
		if d.SiteUID != site.UID || d.SiteName != "Acme" || d.SiteID != site.ID || !d.Online || d.DeviceClass != datto.ClassDevice ||
			d.DeviceType.Category != "Desktop" || d.IntIPAddress != "10.0.0.5" || d.ExtIPAddress != "203.0.113.9" {
			t.Errorf("device = %+v; want the fake's fields", d)
		}
		if d.UDF["udf1"] != "Codex:1" || d.UDF["udf30"] != "x" || d.UDF["udf2"] != "" {
			t.Errorf("udf = %v; want udf1 Codex:1, udf30 x, udf2 empty", d.UDF)
		}
		if w, ok := d.Warranty(); !ok || w != (codex.Date{Year: 2026, Month: 12, Day: 31}) {
			t.Errorf("Warranty() = %v, %v; want 2026-12-31", w, ok)
		}
		if d.Antivirus.AntivirusProduct != "Datto AV" || d.PatchManagement.PatchStatus != "FullyPatched" {
			t.Errorf("antivirus %+v, patch %+v; want the fake's", d.Antivirus, d.PatchManagement)
		}
	}
	one, err := c.Device(t.Context(), uids[1])
	if err != nil || one.UID != uids[1] || !one.LastSeen.Equal(seen) {
		t.Errorf("Device(%s) = %+v, %v; want it with lastSeen %v", uids[1], one, err, seen)
	}
	if _, err := c.Device(t.Context(), "nope"); !codex.IsNotFound(err) {
		t.Errorf("Device(nope) error = %v; want not found", err)
	}
}

func TestSitesAndSiteDevices(t *testing.T) {
	f := newFake(t)
	f.Generate(3, 5)
	c := newClient(t, f)
	var sites []datto.Site
	if err := c.Sites(t.Context(), func(p datto.Page[datto.Site]) error {
		sites = append(sites, p.Items...)
		return nil
	}); err != nil {
		t.Fatalf("Sites: %v", err)
	}
	if len(sites) != 3 || sites[1].Name != fake.CompanyName(2) || sites[1].DevicesStatus.NumberOfDevices != 5 ||
		sites[1].DevicesStatus.NumberOfOfflineDevices != 1 || sites[1].AccountUID == "" {
		t.Fatalf("sites = %+v; want 3 generated sites with 5 devices, 1 offline", sites)
	}
	var hosts []string
	if err := c.SiteDevices(t.Context(), sites[1].UID, func(p datto.Page[datto.Device]) error {
		for _, d := range p.Items {
			hosts = append(hosts, d.Hostname)
		}
		return nil
	}); err != nil {
		t.Fatalf("SiteDevices: %v", err)
	}
	if want := []string{fake.Hostname(2, 1), fake.Hostname(2, 2), fake.Hostname(2, 3), fake.Hostname(2, 4), fake.Hostname(2, 5)}; fmt.Sprint(hosts) != fmt.Sprint(want) {
		t.Errorf("SiteDevices hostnames = %v; want %v", hosts, want)
	}
	site, err := c.Site(t.Context(), sites[0].UID)
	if err != nil || site.Name != fake.CompanyName(1) {
		t.Errorf("Site(%s) = %+v, %v; want %s", sites[0].UID, site, err, fake.CompanyName(1))
	}
	err = c.SiteDevices(t.Context(), "missing", func(datto.Page[datto.Device]) error { return nil })
	if !codex.IsNotFound(err) {
		t.Errorf("SiteDevices(missing) error = %v; want not found", err)
	}
}

func TestMalformedRecordsAreSkipped(t *testing.T) {
	f := newFake(t)
	f.Generate(1, 3)
	f.AddMalformed("devices", `{"uid":"bad-1","lastSeen":"yesterday"}`)
	f.AddMalformed("devices", `{"hostname":"no uid"}`)
	f.AddMalformed("devices", `{"uid":"bad-2","udf":{"udf1":7}}`)
	f.AddMalformed("sites", `{"uid":42,"name":"uid is a number"}`)
	c := newClient(t, f)

	var items, skipped []string
	err := c.Devices(t.Context(), func(p datto.Page[datto.Device]) error {
		for _, d := range p.Items {
			items = append(items, d.Hostname)
		}
		for _, s := range p.Skipped {
			skipped = append(skipped, fmt.Sprintf("%d:%s", s.Index, s.ID))
			if s.Err == nil || !strings.HasPrefix(s.Error(), "datto: record ") {
				t.Errorf("skip = %+v; want a datto: error", s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Devices: %v", err)
	}
	if want := []string{fake.Hostname(1, 1), fake.Hostname(1, 2), fake.Hostname(1, 3)}; fmt.Sprint(items) != fmt.Sprint(want) {
		t.Errorf("devices = %v; want %v", items, want)
	}
	if want := []string{"3:bad-1", "4:", "5:bad-2"}; fmt.Sprint(skipped) != fmt.Sprint(want) {
		t.Errorf("skipped = %v; want %v", skipped, want)
	}

	var sites, siteSkips int
	if err := c.Sites(t.Context(), func(p datto.Page[datto.Site]) error {
		sites += len(p.Items)
		siteSkips += len(p.Skipped)
		return nil
	}); err != nil || sites != 1 || siteSkips != 1 {
		t.Errorf("Sites = %d sites, %d skipped, err %v; want 1, 1, nil", sites, siteSkips, err)
	}
}

func TestTokenExpiresMidIteration(t *testing.T) {
	f := newFake(t)
	f.Generate(1, 600)
	c := newClient(t, f)
	n := 0
	err := c.Devices(t.Context(), func(p datto.Page[datto.Device]) error {
		n += len(p.Items)
		if p.Number == 0 {
			f.ExpireTokens()
		}
		return nil
	})
	if err != nil || n != 600 {
		t.Fatalf("Devices = %d devices, err %v; want 600", n, err)
	}
	if got := f.Requests(fake.TokenPath); got != 2 {
		t.Errorf("token requests = %d; want 2", got)
	}
	if got := f.Requests("/api/v2/account/devices"); got != 4 {
		t.Errorf("device requests = %d; want 4 (3 pages and the one that met the expired token)", got)
	}
}

func TestTokenRenewedBeforeExpiry(t *testing.T) {
	f := newFake(t)
	f.Generate(1, 1)
	f.SetTokenLifetime(time.Second) // the client renews it after 0.9s
	c := newClient(t, f)
	allDevices(t, c)
	time.Sleep(950 * time.Millisecond)
	allDevices(t, c)
	if got := f.Requests(fake.TokenPath); got != 2 {
		t.Errorf("token requests = %d; want 2", got)
	}
	if got := f.Requests("/api/v2/account/devices"); got != 2 {
		t.Errorf("device requests = %d; want 2 (no call met an expired token)", got)
	}
}

func TestUnauthorizedAfterRenewalFails(t *testing.T) {
	tokens, calls := 0, 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == fake.TokenPath {
			tokens++
			w.Header().Set("Content-Type", "application/json") // as Datto answers
			fmt.Fprintf(w, `{"access_token":"t%d","token_type":"bearer","expires_in":359999}`, tokens)
			return
		}
		calls++
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":"invalid_token"}`)
	}))
	t.Cleanup(srv.Close)
	c := datto.New(datto.Config{APIURL: srv.URL, APIKey: "k", APISecret: "s", RatePerMinute: 600_000, MinBackoff: time.Millisecond})
	_, err := c.Site(t.Context(), "x")
	if code := codex.ErrorCode(err); code != codex.Unauthenticated {
		t.Errorf("Site error = %v (code %q); want %q", err, code, codex.Unauthenticated)
	}
	if tokens != 2 || calls != 2 {
		t.Errorf("token requests %d, calls %d; want 2 and 2", tokens, calls)
	}
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name         string
		inject       func(*fake.Server)
		maxRetries   int
		wantCode     codex.Code
		wantRequests int
		minElapsed   time.Duration
	}{
		{"429 without Retry-After backs off", func(f *fake.Server) { f.RateLimitNext(2, "") }, 5, "", 3, 0},
		{"429 with Retry-After waits", func(f *fake.Server) { f.RateLimitNext(1, "1") }, 5, "", 2, 900 * time.Millisecond},
		{"403 rate-limit block waits", func(f *fake.Server) { f.BlockNext(1) }, 5, "", 2, 140 * time.Millisecond},
		{"plain 403 is forbidden", func(f *fake.Server) { f.FailNext(1, http.StatusForbidden) }, 5, codex.Forbidden, 1, 0},
		{"flaky 503 succeeds", func(f *fake.Server) { f.FailNext(3, http.StatusServiceUnavailable) }, 5, "", 4, 0},
		{"500 past MaxRetries gives up", func(f *fake.Server) { f.FailNext(10, http.StatusInternalServerError) }, 2, codex.Unavailable, 3, 0},
		{"400 is not retried", func(f *fake.Server) { f.FailNext(1, http.StatusBadRequest) }, 5, codex.Invalid, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.Generate(1, 2)
			tt.inject(f)
			c := newClient(t, f, func(c *datto.Config) { c.MaxRetries = tt.maxRetries })
			start := time.Now()
			err := c.Devices(t.Context(), func(datto.Page[datto.Device]) error { return nil })
			elapsed := time.Since(start)
			if got := codex.ErrorCode(err); got != tt.wantCode {
				t.Errorf("Devices error = %v (code %q); want code %q", err, got, tt.wantCode)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "datto: ") {
				t.Errorf("error %q; want a datto: prefix", err)
			}
			if got := f.Requests("/api/v2/account/devices"); got != tt.wantRequests {
				t.Errorf("requests = %d; want %d", got, tt.wantRequests)
			}
			if elapsed < tt.minElapsed {
				t.Errorf("took %v; want at least %v", elapsed, tt.minElapsed)
			}
		})
	}
}

func TestContextCancelDuringBlock(t *testing.T) {
	f := newFake(t)
	f.BlockNext(1)
	c := newClient(t, f, func(c *datto.Config) { c.BlockedBackoff = time.Hour })
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Site(ctx, "x")
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Errorf("Site error = %v after %v; want context.DeadlineExceeded soon", err, time.Since(start))
	}
}

func TestRateLimiter(t *testing.T) {
	f := newFake(t)
	site := f.AddSite(fake.Site{Name: "Acme"})
	c := newClient(t, f, func(c *datto.Config) { c.RatePerMinute = 600 }) // one each 100ms
	start := time.Now()
	for range 3 {
		if _, err := c.Site(t.Context(), site.UID); err != nil {
			t.Fatal(err)
		}
	}
	// 1 token request and 3 calls.
	if elapsed := time.Since(start); elapsed < 280*time.Millisecond {
		t.Errorf("4 requests at 600/min took %v; want at least 300ms", elapsed)
	}
}

func TestSecretsStayOutOfErrors(t *testing.T) {
	// An upstream that echoes what it got, as some proxies do.
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path == fake.TokenPath {
			w.Header().Set("Content-Type", "application/json") // as Datto answers
			fmt.Fprint(w, `{"access_token":"tok-SECRET-123","token_type":"bearer","expires_in":359999}`)
			return
		}
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"message":"not found for %s %s %s"}`, r.Header.Get("Authorization"), body, r.URL)
	}))
	t.Cleanup(echo.Close)
	echoToken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `{"message":"user %s with password %s may not"}`, r.PostForm.Get("username"), r.PostForm.Get("password"))
	}))
	t.Cleanup(echoToken.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	f := newFake(t)

	tests := []struct {
		name, url string
	}{
		{"bad credentials", f.URL()},
		{"echoing API", echo.URL},
		{"echoing token endpoint", echoToken.URL},
		{"unreachable", closed.URL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := datto.New(datto.Config{APIURL: tt.url, APIKey: fake.APIKey, APISecret: "wrong-" + fake.APISecret, RatePerMinute: 600_000, MaxRetries: 1, MinBackoff: time.Millisecond})
			_, err := c.Site(t.Context(), "x")
			if err == nil {
				t.Fatal("Site succeeded; want an error")
			}
			for _, secret := range []string{fake.APIKey, fake.APISecret, "tok-SECRET-123"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q contains the secret %q", err, secret)
				}
			}
		})
	}
	c := datto.New(datto.Config{APIURL: f.URL(), APIKey: fake.APIKey, APISecret: "wrong", RatePerMinute: 600_000})
	if _, err := c.Site(t.Context(), "x"); codex.ErrorCode(err) != codex.Unauthenticated {
		t.Errorf("bad credentials error = %v; want code %q", err, codex.Unauthenticated)
	}
}

func TestNextPageOnAnotherHostStaysOnTheConfiguredHost(t *testing.T) {
	var pages []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == fake.TokenPath {
			w.Header().Set("Content-Type", "application/json") // as Datto answers
			fmt.Fprint(w, `{"access_token":"t","token_type":"bearer","expires_in":359999}`)
			return
		}
		pages = append(pages, r.URL.RawQuery)
		if r.URL.Query().Get("page") == "0" {
			fmt.Fprint(w, `{"pageDetails":{"count":1,"nextPageUrl":"https://elsewhere.example/api/v2/account/sites?max=250&page=1"},"sites":[{"uid":"s1"}]}`)
			return
		}
		fmt.Fprint(w, `{"pageDetails":{"count":1,"nextPageUrl":null},"sites":[{"uid":"s2"}]}`)
	}))
	t.Cleanup(srv.Close)
	c := datto.New(datto.Config{APIURL: srv.URL, APIKey: "k", APISecret: "s", RatePerMinute: 600_000})
	n := 0
	err := c.Sites(t.Context(), func(p datto.Page[datto.Site]) error {
		n += len(p.Items)
		return nil
	})
	if err != nil || n != 2 {
		t.Errorf("Sites = %d sites, err %v; want 2", n, err)
	}
	if want := []string{"max=250&page=0", "max=250&page=1"}; fmt.Sprint(pages) != fmt.Sprint(want) {
		t.Errorf("configured host served %v; want %v", pages, want)
	}
}

func TestMissingAPIURL(t *testing.T) {
	c := datto.New(datto.Config{APIKey: "k", APISecret: "s"})
	start := time.Now()
	_, err := c.Site(t.Context(), "x")
	if codex.ErrorCode(err) != codex.Internal || time.Since(start) > time.Second {
		t.Errorf("Site without APIURL: error %v after %v; want an internal error at once", err, time.Since(start))
	}
}

func TestGeneratedScale(t *testing.T) {
	if testing.Short() {
		t.Skip("scale test")
	}
	f := newFake(t)
	f.Generate(2000, 50)
	if sites, devices, _ := f.Counts(); sites != 2000 || devices != 100_000 {
		t.Errorf("Counts() = %d sites, %d devices; want 2000, 100000", sites, devices)
	}
	c := newClient(t, f)
	n := 0
	if err := c.Sites(t.Context(), func(p datto.Page[datto.Site]) error {
		n += len(p.Items)
		return nil
	}); err != nil || n != 2000 {
		t.Errorf("Sites = %d, err %v; want 2000", n, err)
	}
}

// TestExpiringTokenIsRenewed serves tokens that live two seconds: the client renews
// each before it expires (a tenth of its lifetime early) and never sends a stale one.
func TestExpiringTokenIsRenewed(t *testing.T) {
	var mu sync.Mutex
	tokens, stale := 0, 0
	issued := map[string]time.Time{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.URL.Path == fake.TokenPath {
			if user, pass, ok := r.BasicAuth(); !ok || user != "public-client" || pass != "public" || r.FormValue("grant_type") != "password" || r.FormValue("username") != "k" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			tokens++
			tok := fmt.Sprintf("t%d", tokens)
			issued[tok] = time.Now().Add(2 * time.Second)
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"access_token":%q,"token_type":"bearer","expires_in":2}`, tok)
			return
		}
		exp, ok := issued[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
		if !ok || time.Now().After(exp) {
			stale++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"uid":"s1","name":"Site"}`)
	}))
	t.Cleanup(srv.Close)
	c := datto.New(datto.Config{APIURL: srv.URL, APIKey: "k", APISecret: "s", RatePerMinute: 600_000, MinBackoff: time.Millisecond})
	deadline := time.Now().Add(3500 * time.Millisecond)
	calls := 0
	for time.Now().Before(deadline) {
		if _, err := c.Site(t.Context(), "s1"); err != nil {
			t.Fatalf("Site: %v", err)
		}
		calls++
		time.Sleep(50 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if tokens < 2 || tokens > 3 || stale != 0 {
		t.Errorf("%d calls over 3.5s with 2s tokens: %d token requests, %d calls met an expired token; want 2 or 3 (renewed at 1.8s), and none", calls, tokens, stale)
	}
}
