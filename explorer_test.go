package main

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hivematrix/codex/store/storetest"
)

// TestExplorerIsPublic checks, through the server's router, that a browser without a
// token gets the GraphQL explorer and every file it loads from Codex itself.
func TestExplorerIsPublic(t *testing.T) {
	s, err := buildServer(context.Background(), testConfig(t), discardLog(), storetest.Open(t, "sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	w := do(t, s.handler, "GET", "/graphql", "", nil, "Accept", "text/html")
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("GET /graphql (browser) = %d %q; want 200 text/html", w.Code, w.Header().Get("Content-Type"))
	}
	refs := regexp.MustCompile(`<(?:script|link)\b[^>]*?\b(?:src|href)="(/[^"]*)"`).FindAllStringSubmatch(w.Body.String(), -1)
	if len(refs) < 5 {
		t.Fatalf("the explorer page loads %d files; want GraphiQL, React and the start-up script:\n%s", len(refs), w.Body)
	}
	for _, m := range refs {
		url := html.UnescapeString(m[1])
		w := do(t, s.handler, "GET", url, "", nil)
		want := "text/css; charset=utf-8"
		if strings.HasSuffix(url, ".js") {
			want = "text/javascript; charset=utf-8"
		}
		if w.Code != http.StatusOK || w.Header().Get("Content-Type") != want || w.Body.Len() == 0 {
			t.Errorf("GET %s without a token = %d %q, %d bytes; want 200 %q", url, w.Code, w.Header().Get("Content-Type"), w.Body.Len(), want)
		}
	}
	// The router sends nothing else below /graphql to the explorer.
	if w := do(t, s.handler, "GET", "/graphql/assets/0000000000000000/graphiql/graphiql.min.js", "", nil); w.Code != http.StatusNotFound {
		t.Errorf("GET of an unknown version = %d; want 404", w.Code)
	}
}
