package main

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hivematrix/codex/store/storetest"
)

// assetRefs returns the script and stylesheet URLs of an HTML page, unescaped.
func assetRefs(page string) []string {
	var refs []string
	for _, m := range regexp.MustCompile(`<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		refs = append(refs, html.UnescapeString(m[1]))
	}
	return refs
}

// behindPrefix resolves ref as a browser would on page when the platform shell serves
// Codex below /codex (and strips the prefix before passing a request on), and returns
// the path Codex then receives; ok is false when the URL leaves the prefix.
func behindPrefix(page, ref string) (string, bool) {
	base, _ := url.Parse("https://platform.example/codex" + page)
	u, err := base.Parse(ref)
	if err != nil {
		return "", false
	}
	return strings.CutPrefix(u.Path, "/codex")
}

// TestDocsPage checks the REST reference page through the server's router: served
// without a token, under a strict CSP, with the OpenAPI document inside, and its files
// named relative to the page so they load behind the platform's path prefix.
func TestDocsPage(t *testing.T) {
	s, err := buildServer(context.Background(), testConfig(t), discardLog(), storetest.Open(t, "sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	w := do(t, s.handler, "GET", "/api/docs", "", nil)
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET /api/docs = %d %q; want 200 text/html", w.Code, w.Header().Get("Content-Type"))
	}
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self';") {
		t.Errorf("CSP = %q; want scripts from Codex only", csp)
	}
	page := w.Body.String()
	for _, want := range []string{`"operationId":"listCompanies"`, `"openapi":"3.0.3"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks the document's %s", want)
		}
	}
	refs := assetRefs(page)
	if len(refs) != 3 {
		t.Fatalf("the page loads %v; want Redoc, its start-up script and a stylesheet", refs)
	}
	for _, ref := range refs {
		if strings.HasPrefix(ref, "/") || strings.Contains(ref, "://") {
			t.Errorf("%s is not relative to the page", ref)
		}
		path, ok := behindPrefix("/api/docs", ref)
		if !ok {
			t.Errorf("%s leaves the /codex prefix", ref)
			continue
		}
		w := do(t, s.handler, "GET", path, "", nil, "Accept-Encoding", "gzip")
		if w.Code != http.StatusOK || w.Header().Get("Content-Encoding") != "gzip" || w.Body.Len() == 0 {
			t.Errorf("GET %s (from %s) = %d %q, %d bytes; want 200, gzipped", path, ref, w.Code, w.Header().Get("Content-Encoding"), w.Body.Len())
		}
		// Nothing on the page reaches outside Codex (the CSP would refuse it, and the
		// browser would report it): Redoc's footer logo on Redocly's CDN is replaced.
		if plain := do(t, s.handler, "GET", path, "", nil); strings.Contains(plain.Body.String(), "https://cdn.") {
			t.Errorf("GET %s loads something from a CDN", path)
		}
	}
	if w := do(t, s.handler, "GET", "/api/docs/assets/0000000000000000/redoc.standalone.js", "", nil); w.Code != http.StatusNotFound {
		t.Errorf("GET of an unknown version = %d; want 404", w.Code)
	}
	// The document for tools keeps requiring a token, like every other /api path.
	if w := do(t, s.handler, "GET", "/api/openapi.json", "", nil); w.Code != http.StatusUnauthorized {
		t.Errorf("GET /api/openapi.json without a token = %d; want 401", w.Code)
	}
}
