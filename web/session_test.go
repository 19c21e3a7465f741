package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// browser is an HTTP client with cookies that follows redirects, as a browser would.
type browser struct {
	t *testing.T
	c *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, c: &http.Client{Jar: jar}}
}

func (b *browser) get(u string) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.c.Get(u)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (b *browser) post(u string, v url.Values) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.c.PostForm(u, v)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

var (
	baseRe = regexp.MustCompile(`<base href="([^"]*)">`)
	linkRe = regexp.MustCompile(`(?:href|action|src)="([^"#]+)"`)
)

// The shell serves Codex at /codex/ and proxies to Codex's / without saying so. Through
// such a proxy a person signs in on the development page, follows redirects and links,
// submits forms and loads the stylesheet: every URL stays under /codex/.
func TestWorksBehindAPrefixStrippingProxy(t *testing.T) {
	f := newFixture(t, storetest.Open(t, "sqlite"), true)
	target, _ := url.Parse(f.srv.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	inner := proxy.Director
	proxy.Director = func(r *http.Request) {
		inner(r)
		r.URL.Path = strings.TrimPrefix(r.URL.Path, "/codex")
		if r.URL.Path == "" {
			r.URL.Path = "/"
		}
		r.URL.RawPath = ""
	}
	shell := http.NewServeMux()
	shell.Handle("/codex/", proxy)
	shell.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the browser left /codex/: %s %s", r.Method, r.URL)
		http.NotFound(w, r)
	})
	srv := httptest.NewServer(shell)
	defer srv.Close()

	b := newBrowser(t)
	resp, body := b.get(srv.URL + "/codex/companies?q=sheriff")
	if resp.Request.URL.Path != "/codex/signin" || !strings.Contains(body, "Development sign-in") {
		t.Fatalf("unauthenticated GET ended at %s:\n%.1000s", resp.Request.URL, body)
	}
	v := url.Values{"csrf": {match(t, csrfRe, body)}, "next": {resp.Request.URL.Query().Get("next")}, "email": {"ada@example.com"}, "level": {"admin"}}
	resp, body = b.post(srv.URL+"/codex/signin", v)
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/codex/companies" || !strings.Contains(body, "Marion County Sheriff") {
		t.Fatalf("after sign-in: %d at %s:\n%.1000s", resp.StatusCode, resp.Request.URL, body)
	}
	sheriff := f.company("ACC-1020")
	for _, page := range []string{"/codex/companies/" + itoa(sheriff.ID), "/codex/network/companies/" + itoa(sheriff.ID), "/codex/companies/" + itoa(sheriff.ID) + "/edit"} {
		resp, body = b.get(srv.URL + page)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d", page, resp.StatusCode)
		}
		base, err := resp.Request.URL.Parse(match(t, baseRe, body))
		if err != nil || base.Path != "/codex/" {
			t.Errorf("%s: base resolves to %v (%v); want /codex/", page, base, err)
		}
		for _, m := range linkRe.FindAllStringSubmatch(body, -1) {
			if m[1] == match(t, baseRe, body) {
				continue
			}
			ref, err := base.Parse(htmlUnescape(m[1]))
			if err != nil || !strings.HasPrefix(ref.Path, "/codex/") {
				t.Errorf("%s: link %q resolves to %v; want under /codex/", page, m[1], ref)
			}
		}
	}
	css := match(t, regexp.MustCompile(`href="(static/app\.[0-9a-f]+\.css)"`), body)
	resp, _ = b.get(srv.URL + "/codex/" + css)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("GET %s = %d, Cache-Control %q", css, resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	// A form posted through the proxy redirects back under the prefix.
	resp, body = b.get(srv.URL + "/codex/settings")
	resp, body = b.post(srv.URL+"/codex/settings", url.Values{"csrf": {match(t, csrfRe, body)}, "theme": {"dark"}, "color_theme": {"teal"}, "home_page": {"/companies"}})
	if resp.Request.URL.Path != "/codex/settings" || !strings.Contains(body, `data-theme="dark"`) || !strings.Contains(body, `data-color="teal"`) {
		t.Errorf("after saving settings: at %s:\n%.600s", resp.Request.URL, body)
	}
	// The home page preference applies to the root.
	if resp, _ = b.get(srv.URL + "/codex/"); resp.Request.URL.Path != "/codex/companies" {
		t.Errorf("GET /codex/ with home page /companies ended at %s", resp.Request.URL)
	}
	// Signing out forgets the session.
	resp, body = b.get(srv.URL + "/codex/settings")
	resp, _ = b.post(srv.URL+"/codex/signout", url.Values{"csrf": {match(t, csrfRe, body)}})
	if resp.Request.URL.Path != "/codex/signin" {
		t.Errorf("after sign-out: at %s", resp.Request.URL)
	}
	if resp, _ = b.get(srv.URL + "/codex/companies"); resp.Request.URL.Path != "/codex/signin" {
		t.Errorf("after sign-out, /codex/companies ended at %s", resp.Request.URL)
	}
}

func TestSessionCookie(t *testing.T) {
	f := newFixture(t, storetest.Open(t, "sqlite"), true)
	_, body, _ := f.get("/signin", "")
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/signin", strings.NewReader(url.Values{"csrf": {match(t, csrfRe, body)}, "email": {"tech@example.com"}, "level": {"technician"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-Proto", "https")
	status, _, h := f.do(req)
	c := h.Get("Set-Cookie")
	if status != http.StatusSeeOther || !strings.HasPrefix(c, "codex_session=") {
		t.Fatalf("sign-in = %d, Set-Cookie %q", status, c)
	}
	for _, want := range []string{"HttpOnly", "Secure", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(c, want) {
			t.Errorf("session cookie %q lacks %s", c, want)
		}
	}
	// A client user needs a company that exists.
	status, body, _ = f.post("/signin", "", url.Values{"csrf": {match(t, csrfRe, body)}, "email": {"c@example.com"}, "level": {"client"}, "company": {"ACC-404"}})
	if status != http.StatusBadRequest || !strings.Contains(body, "no company has the account number") {
		t.Errorf("client sign-in with an unknown company = %d:\n%.800s", status, body)
	}
	// A bad session is sent back to sign in, not shown an error.
	req, _ = http.NewRequest(http.MethodGet, f.srv.URL+"/companies", nil)
	req.AddCookie(&http.Cookie{Name: "codex_session", Value: "not-a-token"})
	status, _, h = f.do(req)
	if status != http.StatusSeeOther || h.Get("Location") != "./signin?next=companies" {
		t.Errorf("bad session: %d to %q", status, h.Get("Location"))
	}
	// The shell's bearer token works without any cookie.
	if status, body, _ := f.get("/companies", f.token(codex.LevelBilling, "")); status != http.StatusOK || !strings.Contains(body, "billing@example.com") {
		t.Errorf("bearer GET /companies = %d", status)
	}
}

func TestDevSignInRefusedWithARealIssuer(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, false)
		status, body, _ := f.get("/signin", "")
		if status != http.StatusOK || strings.Contains(body, "Development sign-in") {
			t.Errorf("GET /signin without the dev issuer = %d, offers development sign-in", status)
		}
		status, _, h := f.post("/signin", "", url.Values{"email": {"ada@example.com"}, "level": {"admin"}})
		if status != http.StatusForbidden || h.Get("Set-Cookie") != "" {
			t.Errorf("POST /signin without the dev issuer = %d, Set-Cookie %q; want 403 and none", status, h.Get("Set-Cookie"))
		}
	})
}
