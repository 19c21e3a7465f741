package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/graph"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// bomb is a document of n fragments, each spreading the next one twice through shape
// (a format with the fragment's number and the next one's, twice): 2^n fields from n
// lines.
func bomb(n int, shape string) string {
	var b strings.Builder
	b.WriteString("{ ...F0 }\n")
	for i := range n {
		fmt.Fprintf(&b, shape, i, i+1, i+1)
	}
	fmt.Fprintf(&b, "fragment F%d on Query { __typename }\n", n)
	return b.String()
}

// postQuery sends query to srv and returns the status, the first error's code and
// message, and how long the answer took.
func postQuery(t *testing.T, url, query string) (int, string, string, time.Duration) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	start := time.Now()
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	took := time.Since(start)
	var r struct {
		Errors []struct {
			Message    string
			Extensions map[string]any
		}
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("not JSON: %.200s", b)
	}
	if len(r.Errors) == 0 {
		return resp.StatusCode, "", "", took
	}
	code, _ := r.Errors[0].Extensions["code"].(string)
	return resp.StatusCode, code, r.Errors[0].Message, took
}

// TestHostileDocuments checks that documents built to exhaust the CPU before execution
// (fragment bombs, floods of aliases) are refused in milliseconds: every limit check is
// linear in the document, and the size checks run before gqlgen's validation, whose
// field-merging rule is quadratic. The times are logged (go test -v -run
// TestHostileDocuments ./graph) for the record.
func TestHostileDocuments(t *testing.T) {
	srv := httptest.NewServer(graph.NewHandler(codex.Services{}, graph.Options{}))
	defer srv.Close()
	distinct := func(n int) string {
		var b strings.Builder
		b.WriteString("{ ")
		for i := range n {
			fmt.Fprintf(&b, "a%d: __typename ", i)
		}
		return b.String() + "}"
	}
	manyFragments := func(n int) string {
		var b strings.Builder
		b.WriteString("{ ")
		for i := range n {
			fmt.Fprintf(&b, "...F%d ", i)
		}
		b.WriteString("}\n")
		for i := range n {
			fmt.Fprintf(&b, "fragment F%d on Query { a%d: __typename }\n", i, i)
		}
		return b.String()
	}
	cases := []struct {
		name, query, code string
	}{
		{"26-level fragment bomb", bomb(26, "fragment F%d on Query { a: __typename ...F%d ... on Query { ...F%d } }\n"), "COMPLEXITY_LIMIT_EXCEEDED"},
		{"fragment bomb through me", bomb(22, "fragment F%d on Query { me { email } ...F%d ...F%d }\n"), "COMPLEXITY_LIMIT_EXCEEDED"},
		{"8,000 aliases", "{ " + strings.Repeat("a: __typename ", 8000) + "}", "TOKEN_LIMIT_EXCEEDED"},
		{"4,000 me { email }", "{ " + strings.Repeat("me { email } ", 4000) + "}", "TOKEN_LIMIT_EXCEEDED"},
		{"1,999 aliases, under the token limit", "{ " + strings.Repeat("a: __typename ", 1999) + "}", "COMPLEXITY_LIMIT_EXCEEDED"},
		{"999 me { email }", "{ " + strings.Repeat("me { email } ", 999) + "}", "COMPLEXITY_LIMIT_EXCEEDED"},
		{"1,998 repeats in a sub-selection", "{ me { " + strings.Repeat("a: email ", 1998) + "} }", "COMPLEXITY_LIMIT_EXCEEDED"},
		{"2,047 fields from a small bomb", bomb(10, "fragment F%d on Query { a: __typename ...F%d ... on Query { ...F%d } }\n"), "COMPLEXITY_LIMIT_EXCEEDED"},
		{"2,500 distinct aliases", distinct(2500), "COMPLEXITY_LIMIT_EXCEEDED"},
		{"900 fragments side by side", manyFragments(900), "COMPLEXITY_LIMIT_EXCEEDED"},
		{"100 fragments side by side", manyFragments(100), ""},
		{"1,500 distinct aliases", distinct(1500), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, code, msg, took := postQuery(t, srv.URL, c.query)
			t.Logf("%d bytes: %d %s %q in %v", len(c.query), status, code, msg, took)
			if code != c.code {
				t.Errorf("code %q (%s); want %q", code, msg, c.code)
			}
			// Generous for a loaded CI machine; on a quiet one these take a few ms.
			if took > 500*time.Millisecond {
				t.Errorf("took %v; want a refusal in milliseconds", took)
			}
		})
	}
}

// TestBodyLimit checks that a POSTed operation larger than 1 MiB is refused with 413 and
// a short answer, with or without a Content-Length, and that a malformed body is a 400
// that does not echo it.
func TestBodyLimit(t *testing.T) {
	srv := httptest.NewServer(graph.NewHandler(codex.Services{}, graph.Options{}))
	defer srv.Close()
	big := `{"query":"{ __typename }","variables":{"x":"` + strings.Repeat("x", graph.MaxBodyBytes) + `"}}`
	cases := []struct {
		name    string
		body    io.Reader
		status  int
		code    string
		chunked bool
	}{
		{"over the limit with a Content-Length", strings.NewReader(big), 413, "REQUEST_TOO_LARGE", false},
		{"over the limit, chunked", io.MultiReader(strings.NewReader(big)), 413, "REQUEST_TOO_LARGE", true},
		{"malformed", strings.NewReader(`{"query": "` + strings.Repeat("y", 100000)), 400, "BAD_REQUEST", false},
		{"not an object", strings.NewReader(`["` + strings.Repeat("z", 100000) + `"]`), 400, "BAD_REQUEST", false},
		{"at the limit", strings.NewReader(`{"query":"{ __typename }"}` + strings.Repeat(" ", graph.MaxBodyBytes-26)), 200, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, srv.URL, c.body)
			req.Header.Set("Content-Type", "application/json")
			if c.chunked {
				req.ContentLength = -1
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			var r struct {
				Errors []struct {
					Message    string
					Extensions map[string]any
				}
			}
			_ = json.Unmarshal(b, &r)
			code := ""
			if len(r.Errors) > 0 {
				code, _ = r.Errors[0].Extensions["code"].(string)
			}
			if resp.StatusCode != c.status || code != c.code {
				t.Errorf("%d %q; want %d %q (%.300s)", resp.StatusCode, code, c.status, c.code, b)
			}
			if len(b) > 1000 {
				t.Errorf("the answer has %d bytes; want no echo of the body", len(b))
			}
		})
	}
}

// TestExpectedVersion checks optimistic concurrency in GraphQL: an entity's version
// changes with each write; an update with the version read succeeds, one with an older
// version is a CONFLICT that writes nothing.
func TestExpectedVersion(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, graph.Options{})
		id := gid("Company", e.fx.globex)
		const read = `query($id: ID!) { node(id: $id) { ... on Company { version description } } }`
		const upd = `mutation($in: UpdateCompanyInput!) { updateCompany(input: $in) { company { version description } } }`
		v0 := str(e.ok("admin", read, map[string]any{"id": id}), "node.version")
		if v0 == "" {
			t.Fatal("no version")
		}
		d := e.ok("tech", upd, map[string]any{"in": map[string]any{"id": id, "description": "first", "expectedVersion": v0}})
		v1 := str(d, "updateCompany.company.version")
		if v1 == "" || v1 == v0 {
			t.Fatalf("version after a write = %q (was %q); want a new one", v1, v0)
		}
		r := e.mustFail("tech", upd, map[string]any{"in": map[string]any{"id": id, "description": "second", "expectedVersion": v0}}, "CONFLICT")
		if len(r.Errors) > 0 && !strings.Contains(r.Errors[0].Message, "changed by someone else") {
			t.Errorf("message %q; want it to say the company changed", r.Errors[0].Message)
		}
		if got := str(e.ok("admin", read, map[string]any{"id": id}), "node.description"); got != "first" {
			t.Errorf("description %q after a refused update; want %q", got, "first")
		}
		// Without expectedVersion, the last write wins as before.
		e.ok("tech", upd, map[string]any{"in": map[string]any{"id": id, "description": "third"}})
	})
}

// TestSecretWrites checks that a technician cannot set an asset's secret fields through
// GraphQL (FORBIDDEN naming them) while an admin can, and that only an admin lowers a
// company's compliance level.
func TestSecretWrites(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, graph.Options{})
		lic := gid("Asset", e.fx.eastLicense)
		const upd = `mutation($in: UpdateAssetInput!) { updateAsset(input: $in) { asset { name } } }`
		e.mustFail("tech", upd, map[string]any{"in": map[string]any{"id": lic, "licenseKey": "MINE"}}, "FORBIDDEN", "licenseKey")
		e.mustFail("tech", upd, map[string]any{"in": map[string]any{"id": lic, "secretFields": []any{map[string]any{"key": "pin", "value": "0"}}}}, "FORBIDDEN", "secretFields")
		e.mustFail("tech", `mutation { createAsset(input: {companyId: "`+gid("Company", e.fx.east)+`", name: "Visio", type: LICENSE, licenseKey: "K"}) { asset { name } } }`, nil, "FORBIDDEN", "licenseKey")
		e.ok("tech", upd, map[string]any{"in": map[string]any{"id": lic, "notes": "renewed"}})
		e.ok("admin", upd, map[string]any{"in": map[string]any{"id": lic, "licenseKey": "NEW"}})

		const comp = `mutation($in: UpdateCompanyInput!) { updateCompany(input: $in) { company { complianceLevel } } }`
		id := gid("Company", e.fx.globex)
		e.ok("tech", comp, map[string]any{"in": map[string]any{"id": id, "complianceLevel": "CJIS"}})
		e.mustFail("tech", comp, map[string]any{"in": map[string]any{"id": id, "complianceLevel": "STANDARD"}}, "FORBIDDEN")
		e.ok("admin", comp, map[string]any{"in": map[string]any{"id": id, "complianceLevel": "STANDARD"}})
	})
}
