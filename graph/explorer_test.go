package graph_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/graph"
	"github.com/hivematrix/codex/graph/generated"
)

// pageRef is a script or stylesheet the explorer page loads.
type pageRef struct {
	tag, url, integrity string
}

var refPattern = regexp.MustCompile(`<(script|link)\b[^>]*?\b(?:src|href)="([^"]*)"[^>]*?\bintegrity="([^"]*)"`)

// pageRefs lists the scripts and stylesheets of an explorer page, in order.
func pageRefs(t *testing.T, page string) []pageRef {
	t.Helper()
	var refs []pageRef
	for _, m := range refPattern.FindAllStringSubmatch(page, -1) {
		refs = append(refs, pageRef{m[1], html.UnescapeString(m[2]), html.UnescapeString(m[3])})
	}
	if len(refs) == 0 {
		t.Fatalf("the explorer page refers to no scripts or stylesheets:\n%s", page)
	}
	return refs
}

func fetch(t *testing.T, h http.Handler, target string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestExplorerHandler checks the explorer page and that every file it loads is served from
// Codex itself, whole, with its content type and a long cache lifetime.
func TestExplorerHandler(t *testing.T) {
	handlers := map[string]http.Handler{
		"ExplorerHandler": graph.ExplorerHandler("/graphql"),
		// NewHandler serves the page to a browser, and its files, wherever it is mounted.
		"NewHandler": graph.NewHandler(codex.Services{}, graph.Options{}),
	}
	for name, h := range handlers {
		t.Run(name, func(t *testing.T) {
			w := fetch(t, h, "/graphql", "Accept", "text/html,application/xhtml+xml")
			page := w.Body.String()
			if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "text/html; charset=utf-8" {
				t.Fatalf("GET /graphql = %d %q; want 200 text/html; charset=utf-8", w.Code, w.Header().Get("Content-Type"))
			}
			csp := w.Header().Get("Content-Security-Policy")
			for _, want := range []string{"script-src 'self';", "connect-src 'self';", "default-src 'none';"} {
				if !strings.Contains(csp, want) {
					t.Errorf("Content-Security-Policy = %q; want %s", csp, want)
				}
			}
			if strings.Contains(page, "<script>") || strings.Contains(page, "http://") || strings.Contains(page, "https://") {
				t.Errorf("the page has an inline script or an absolute URL:\n%s", page)
			}
			// Nothing pre-fills a header ("Bearer " + a pasted "Bearer …" made "Bearer
			// Bearer …"); the page talks to the endpoint it was served for, named relative
			// to itself; without the development issuer there is no sign-in button.
			if strings.Contains(page, "Bearer &#34;}") || strings.Contains(page, "data-headers") {
				t.Errorf("the page pre-fills a header:\n%s", page)
			}
			if want := `data-endpoint="graphql"`; !strings.Contains(page, want) {
				t.Errorf("the page lacks %s:\n%s", want, page)
			}
			if strings.Contains(page, `id="codex-signin"`) || !strings.Contains(page, `data-dev-token=""`) {
				t.Errorf("the page offers a development sign-in it was not given")
			}
			if !strings.Contains(page, `id="codex-token"`) {
				t.Errorf("the page has no token field")
			}

			refs := pageRefs(t, page)
			var scripts []string
			for _, ref := range refs {
				if ref.tag == "script" {
					scripts = append(scripts, path.Base(ref.url))
				}
				if strings.HasPrefix(ref.url, "/") {
					t.Errorf("%s is absolute: behind a proxy's path prefix it would miss", ref.url)
				}
				ref.url = "/" + ref.url // as a browser resolves it against /graphql
				checkAsset(t, h, ref)
			}
			want := []string{"react.production.min.js", "react-dom.production.min.js", "graphiql.min.js", "index.umd.js", "codex-explorer.js"}
			if strings.Join(scripts, " ") != strings.Join(want, " ") {
				t.Errorf("scripts = %v; want %v (React before GraphiQL before the plugin before the start-up script)", scripts, want)
			}
		})
	}
}

// checkAsset fetches one file the page refers to, plain and gzipped, and checks it.
func checkAsset(t *testing.T, h http.Handler, ref pageRef) {
	t.Helper()
	if !strings.HasPrefix(ref.url, "/graphql/assets/") {
		t.Errorf("%s is not served below /graphql/assets/", ref.url)
		return
	}
	wantType := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}[path.Ext(ref.url)]
	if (ref.tag == "script") != (path.Ext(ref.url) == ".js") || wantType == "" {
		t.Errorf("<%s> refers to %s", ref.tag, ref.url)
	}

	w := fetch(t, h, ref.url)
	body := w.Body.Bytes()
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != wantType {
		t.Fatalf("GET %s = %d %q; want 200 %q", ref.url, w.Code, w.Header().Get("Content-Type"), wantType)
	}
	if cc := w.Header().Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Errorf("GET %s: Cache-Control = %q; want a year, immutable", ref.url, cc)
	}
	if w.Header().Get("Content-Encoding") != "" || len(body) < 100 {
		t.Errorf("GET %s without Accept-Encoding: %d bytes, Content-Encoding %q; want the plain file",
			ref.url, len(body), w.Header().Get("Content-Encoding"))
	}
	sum := sha512.Sum384(body)
	if got := "sha384-" + base64.StdEncoding.EncodeToString(sum[:]); got != ref.integrity {
		t.Errorf("GET %s: body digest %s; the page's integrity attribute says %s", ref.url, got, ref.integrity)
	}

	gz := fetch(t, h, ref.url, "Accept-Encoding", "br, gzip")
	if gz.Header().Get("Content-Encoding") != "gzip" || gz.Header().Get("Content-Type") != wantType {
		t.Fatalf("GET %s accepting gzip: Content-Encoding %q, Content-Type %q; want gzip, %q",
			ref.url, gz.Header().Get("Content-Encoding"), gz.Header().Get("Content-Type"), wantType)
	}
	zr, err := gzip.NewReader(gz.Body)
	if err != nil {
		t.Fatalf("GET %s gzipped: %v", ref.url, err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(plain, body) {
		t.Errorf("GET %s gzipped: %v; want the same file gzipped (%d bytes, got %d)", ref.url, err, len(body), len(plain))
	}

	if w := fetch(t, h, ref.url, "If-None-Match", w.Header().Get("ETag")); w.Code != http.StatusNotModified {
		t.Errorf("GET %s with its ETag = %d; want 304", ref.url, w.Code)
	}
	// Another version of the file is not served: its URL may be cached for a year.
	dir, file := path.Split(strings.TrimPrefix(ref.url, "/graphql/assets/"))
	stale := "/graphql/assets/0000000000000000/" + strings.SplitN(dir, "/", 2)[1] + file
	if w := fetch(t, h, stale); w.Code != http.StatusNotFound {
		t.Errorf("GET %s = %d; want 404 for a version that is not the current one", stale, w.Code)
	}
}

// TestExplorerSignIn checks the page the server gets with the development sign-in: the
// button and the sign-in address, relative to the page.
func TestExplorerSignIn(t *testing.T) {
	w := fetch(t, graph.NewExplorer("/graphql", graph.ExplorerOptions{DevSignIn: true}), "/graphql", "Accept", "text/html")
	page := w.Body.String()
	for _, want := range []string{`id="codex-signin"`, `data-dev-token="graphql/dev-token"`, `id="codex-token"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s:\n%s", want, page)
		}
	}
}

// TestExplorerQuery checks that the explorer's first document is a valid operation on
// the schema.
func TestExplorerQuery(t *testing.T) {
	es := generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{}})
	doc, errs := gqlparser.LoadQuery(es.Schema(), graph.ExplorerQuery)
	if errs != nil || len(doc.Operations) != 1 {
		t.Errorf("ExplorerQuery does not validate: %v", errs)
	}
	page := fetch(t, graph.ExplorerHandler("/graphql"), "/graphql", "Accept", "text/html").Body.String()
	if !strings.Contains(page, html.EscapeString("companies(first: 10)")) {
		t.Errorf("the page does not carry ExplorerQuery")
	}
}
