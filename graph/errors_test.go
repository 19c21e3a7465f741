package graph_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hivematrix/codex/graph"
)

func (e *env) testErrors(t *testing.T) {
	e.t = t
	e.mustFail("admin", `{ company(id: "garbage") { name } }`, nil, "BAD_USER_INPUT", "id")
	e.mustFail("admin", `{ node(id: "!!") { id } }`, nil, "BAD_USER_INPUT", "id")
	e.mustFail("admin", `{ companies(after: "bogus") { nodes { name } } }`, nil, "BAD_USER_INPUT", "after")
	e.mustFail("admin", `query($id: ID!) { company(id: $id) { contacts(after: "bogus") { nodes { name } } } }`,
		map[string]any{"id": gid("Company", e.fx.east)}, "BAD_USER_INPUT", "after")
	e.mustFail("admin", `{ companies(filter: {parentId: "nope"}) { totalCount } }`, nil, "BAD_USER_INPUT", "filter.parentId")
	e.mustFail("admin", `{ inside(cidr: "10.0.0.0/99") { name } }`, nil, "BAD_USER_INPUT", "cidr")
	e.mustFail("admin", `{ companies { nope } }`, nil, "GRAPHQL_VALIDATION_FAILED")

	// Page sizes: a clear error naming the argument, never a silent cap.
	e.mustFail("admin", `{ companies(first: 501) { nodes { name } } }`, nil, "BAD_USER_INPUT", "first")
	e.mustFail("admin", `{ companies(first: 100000) { nodes { name } } }`, nil, "BAD_USER_INPUT", "first")
	e.mustFail("admin", `query($n: Int) { companies(last: $n) { nodes { name } } }`, map[string]any{"n": 600}, "BAD_USER_INPUT", "last")
	e.mustFail("admin", `{ companies(first: -1) { nodes { name } } }`, nil, "BAD_USER_INPUT", "first")
	e.mustFail("admin", `{ companies(first: 2) { nodes { contacts(first: 100000) { nodes { name } } } } }`, nil, "BAD_USER_INPUT", "first")
	e.mustFail("admin", `{ search(query: "a", first: 1000) { companies { name } } }`, nil, "BAD_USER_INPUT", "first")
	e.ok("admin", `{ companies(first: 500) { nodes { name } } }`, nil)

	// Depth: 20 levels of parents, directly and through fragments.
	deep := "{ companies(first: 1) { nodes { " + strings.Repeat("parent { ", 18) + "name" + strings.Repeat(" }", 18) + " } } }"
	r := e.mustFail("admin", deep, nil, "DEPTH_LIMIT_EXCEEDED")
	if r.status != http.StatusOK {
		t.Errorf("depth limit under application/json: status %d; want 200 (a request error)", r.status)
	}
	frag := `query { companies(first: 1) { nodes { ...A } } }
		fragment A on Company { parent { ...B } }
		fragment B on Company { parent { ...C } }
		fragment C on Company { parent { ...D } }
		fragment D on Company { parent { parent { parent { parent { parent { parent { parent { parent { parent { name } } } } } } } } } }`
	e.mustFail("admin", frag, nil, "DEPTH_LIMIT_EXCEEDED")
	// Introspection is exempt: GraphiQL's type query nests ofType deeply.
	e.ok("admin", `{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name ofType { name ofType { name ofType { name ofType { name } } } } } } } } } } } }`, nil)

	// Complexity: an alias flood, and a large page of large pages.
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i < 500; i++ {
		b.WriteString(" a" + itoa(i) + `: companies(first: 50) { nodes { name } }`)
	}
	b.WriteString(" }")
	e.mustFail("admin", b.String(), nil, "COMPLEXITY_LIMIT_EXCEEDED")
	b.Reset()
	b.WriteString("query($id: ID!) {")
	for i := 0; i < 500; i++ {
		b.WriteString(" a" + itoa(i) + `: company(id: $id) { name }`)
	}
	b.WriteString(" }")
	e.mustFail("admin", b.String(), map[string]any{"id": gid("Company", e.fx.east)}, "COMPLEXITY_LIMIT_EXCEEDED")
	e.mustFail("admin", `{ companies(first: 500) { nodes { assets(first: 500) { nodes { name } } } } }`, nil, "COMPLEXITY_LIMIT_EXCEEDED")
	e.ok("admin", `{ companies(first: 100) { nodes { assets(first: 50) { nodes { name } } } } }`, nil)

	// Transports: GET with query parameters, automatic persisted queries, the explorer.
	const q = `{ companies(first: 1) { totalCount } }`
	get := func(params url.Values, accept string) result {
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/graphql?"+params.Encode(), nil)
		req.Header.Set("X-Test-As", "admin")
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		return e.send(req)
	}
	if r := get(url.Values{"query": {q}}, ""); num(r.Data, "companies.totalCount") != 17 {
		t.Errorf("GET ?query=: %+v", r)
	}
	sum := sha256.Sum256([]byte(q))
	ext := `{"persistedQuery":{"version":1,"sha256Hash":"` + hex.EncodeToString(sum[:]) + `"}}`
	if r := get(url.Values{"extensions": {ext}}, ""); r.code() != "PERSISTED_QUERY_NOT_FOUND" {
		t.Errorf("APQ before registration: code %q; want PERSISTED_QUERY_NOT_FOUND", r.code())
	}
	if r := get(url.Values{"query": {q}, "extensions": {ext}}, ""); len(r.Errors) > 0 {
		t.Errorf("APQ registration: %+v", r.Errors)
	}
	if r := get(url.Values{"extensions": {ext}}, "text/html,application/json"); num(r.Data, "companies.totalCount") != 17 {
		t.Errorf("APQ by hash: %+v", r)
	}
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/graphql", nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "text/html") {
		t.Errorf("browser GET /graphql: status %d, Content-Type %q; want the explorer", resp.StatusCode, ct)
	}

	// A request over its deadline is stopped with UNAVAILABLE.
	slow := serve(t, e.db, e.fx, graph.Options{Timeout: time.Nanosecond})
	if r := slow.do("admin", `{ companies { totalCount } }`, nil); r.code() != "UNAVAILABLE" {
		t.Errorf("timed-out request: code %q (%+v); want UNAVAILABLE", r.code(), r.Errors)
	}
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}
