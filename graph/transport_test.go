package graph_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/graph"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// TestTransport checks the POST transport: statuses, content types and bodies as the
// GraphQL-over-HTTP spec and gqlgen's own transport give them.
func TestTransport(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, graph.Options{})
		post := func(t *testing.T, body, accept string) (int, string, string) {
			t.Helper()
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Test-As", "admin")
			if accept != "" {
				req.Header.Set("Accept", accept)
			}
			resp, err := e.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
		}
		cases := []struct {
			name, body, accept string
			status             int
			contentType        string
			want               string // a substring of the body
			exact              bool
		}{
			{"data only, written as is", `{"query":"{ company(id: \"` + gid("Company", e.fx.globex) + `\") { name accountNumber } }"}`, "",
				200, "application/json", `{"data":{"company":{"name":"Globex","accountNumber":"ACC-9"}}}`, true},
			{"data and errors", `{"query":"{ a: company(id: \"` + gid("Company", e.fx.globex) + `\") { name } b: company(id: \"nope\") { name } }"}`, "",
				200, "application/json", `"errors":[`, false},
			{"a body that is not JSON", `{"query":`, "",
				400, "application/json", `{"errors":[{"message":"the request body is not valid JSON: unexpected end of JSON input (at byte 9)","extensions":{"code":"BAD_REQUEST"}}]}`, true},
			{"a syntax error", `{"query":"{ company( }"}`, "",
				200, "application/json", `"GRAPHQL_PARSE_FAILED"`, false},
			{"a validation error", `{"query":"{ nope }"}`, "",
				200, "application/json", `"GRAPHQL_VALIDATION_FAILED"`, false},
			{"a syntax error, graphql-response+json", `{"query":"{ company( }"}`, "application/graphql-response+json",
				400, "application/graphql-response+json", `"GRAPHQL_PARSE_FAILED"`, false},
			{"application/json preferred", `{"query":"{ __typename }"}`, "application/json, application/graphql-response+json",
				200, "application/json", `{"data":{"__typename":"Query"}}`, true},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				status, ct, body := post(t, c.body, c.accept)
				if status != c.status || ct != c.contentType {
					t.Errorf("status %d, Content-Type %q; want %d, %q (body %s)", status, ct, c.status, c.contentType, body)
				}
				if c.exact && body != c.want || !c.exact && !strings.Contains(body, c.want) {
					t.Errorf("body %s; want %s%s", body, map[bool]string{true: "", false: "one containing "}[c.exact], c.want)
				}
			})
		}

		t.Run("data with escaped text is valid JSON", func(t *testing.T) {
			// Schema descriptions hold quotes, backticks and non-ASCII text.
			_, _, body := post(t, `{"query":"{ __schema { types { name description fields { name description } } } }"}`, "")
			if !strings.HasPrefix(body, `{"data":{"__schema":`) || !json.Valid([]byte(body)) || !strings.Contains(body, `\"`) {
				t.Errorf("not a data-only JSON document with escaped quotes: %.300s", body)
			}
		})
	})
}

// TestGraphQLOverHTTP checks the cases the graphql-http audit suite (graph/audit/run.sh)
// found wrong: statuses, content types, the absence of data on request errors and
// readable messages for malformed requests. Nothing here reaches a resolver.
func TestGraphQLOverHTTP(t *testing.T) {
	h := graph.NewHandler(codex.Services{}, graph.Options{MaxDepth: 3, MaxComplexity: 100})
	srv := httptest.NewServer(h)
	defer srv.Close()

	const gqlResponse = "application/graphql-response+json"
	cases := []struct {
		name                      string
		method, query, body       string // query: the URL's raw query
		contentType, accept       string
		status                    int
		wantContentType, wantCode string
		wantMessage               string // a substring of the first error's message
		wantHeader                [2]string
	}{
		{name: "validation error under application/json is 200",
			method: "POST", body: `{"query":"{ nope }"}`, contentType: "application/json",
			status: 200, wantContentType: "application/json", wantCode: "GRAPHQL_VALIDATION_FAILED"},
		{name: "validation error under graphql-response+json is 400",
			method: "POST", body: `{"query":"{ nope }"}`, contentType: "application/json", accept: gqlResponse,
			status: 400, wantContentType: gqlResponse, wantCode: "GRAPHQL_VALIDATION_FAILED"},
		{name: "variable coercion failure under application/json is 200",
			method: "POST", body: `{"query":"query Q($id: ID!) { company(id: $id) { name } }","variables":{"id":{"a":1}}}`, contentType: "application/json",
			status: 200, wantContentType: "application/json", wantCode: "GRAPHQL_VALIDATION_FAILED"},
		{name: "depth refusal under graphql-response+json is 400",
			method: "POST", body: `{"query":"{ companies { nodes { address { city } } } }"}`, contentType: "application/json", accept: gqlResponse,
			status: 400, wantContentType: gqlResponse, wantCode: "DEPTH_LIMIT_EXCEEDED"},
		{name: "depth refusal under application/json is 200",
			method: "POST", body: `{"query":"{ companies { nodes { address { city } } } }"}`, contentType: "application/json",
			status: 200, wantContentType: "application/json", wantCode: "DEPTH_LIMIT_EXCEEDED"},
		{name: "complexity refusal under graphql-response+json is 400",
			method: "POST", body: `{"query":"{ companies(first: 500) { totalCount nodes { id } } }"}`, contentType: "application/json", accept: gqlResponse,
			status: 400, wantContentType: gqlResponse, wantCode: "COMPLEXITY_LIMIT_EXCEEDED"},
		{name: "mutation by GET is 405 with Allow: POST",
			method: "GET", query: "query=" + url.QueryEscape("mutation { __typename }"), accept: gqlResponse,
			status: 405, wantContentType: gqlResponse, wantCode: "BAD_REQUEST", wantMessage: "must be sent by POST",
			wantHeader: [2]string{"Allow", "POST"}},
		{name: "query by GET runs",
			method: "GET", query: "query=" + url.QueryEscape("{ __typename }"),
			status: 200, wantContentType: "application/json"},
		{name: "GET without a query is 400",
			method: "GET", accept: "application/json",
			status: 400, wantContentType: "application/json", wantCode: "BAD_REQUEST", wantMessage: "no query"},
		{name: "GET with variables that are not an object is 400",
			method: "GET", query: "query=" + url.QueryEscape("{ __typename }") + "&variables=%5B%5D",
			status: 400, wantContentType: "application/json", wantCode: "BAD_REQUEST", wantMessage: "variables must be a JSON object"},
		{name: "POST without Content-Type is 415 in JSON",
			method: "POST", body: `{"query":"{ __typename }"}`,
			status: 415, wantContentType: "application/json", wantCode: "BAD_REQUEST", wantMessage: "must be application/json",
			wantHeader: [2]string{"Accept-Post", "application/json"}},
		{name: "POST of text/plain is 415 in JSON",
			method: "POST", body: `{ __typename }`, contentType: "text/plain", accept: gqlResponse,
			status: 415, wantContentType: gqlResponse, wantCode: "BAD_REQUEST", wantMessage: `"text/plain"`},
		{name: "another method is 405 in JSON",
			method: "PUT", body: `{"query":"{ __typename }"}`, contentType: "application/json",
			status: 405, wantContentType: "application/json", wantCode: "BAD_REQUEST",
			wantHeader: [2]string{"Allow", "GET, POST, OPTIONS"}},
		{name: "a batched array is 400 and says so",
			method: "POST", body: `[{"query":"{ __typename }"},{"query":"{ __typename }"}]`, contentType: "application/json",
			status: 400, wantContentType: "application/json", wantCode: "BAD_REQUEST", wantMessage: "batched operations"},
		{name: "a query that is not a string is 400",
			method: "POST", body: `{"query":7}`, contentType: "application/json",
			status: 400, wantContentType: "application/json", wantCode: "BAD_REQUEST", wantMessage: "query must be a string"},
		{name: "a misspelt query is 400",
			method: "POST", body: `{"qeury":"{ __typename }"}`, contentType: "application/json",
			status: 400, wantContentType: "application/json", wantCode: "BAD_REQUEST", wantMessage: "no query"},
		{name: "an empty body is 400",
			method: "POST", contentType: "application/json",
			status: 400, wantContentType: "application/json", wantCode: "BAD_REQUEST", wantMessage: "empty"},
		{name: "JSON that is not an object is 400",
			method: "POST", body: `"{ __typename }"`, contentType: "application/json",
			status: 400, wantContentType: "application/json", wantCode: "BAD_REQUEST", wantMessage: "must be a JSON object"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			target := srv.URL
			if c.query != "" {
				target += "?" + c.query
			}
			req, _ := http.NewRequest(c.method, target, strings.NewReader(c.body))
			if c.contentType != "" {
				req.Header.Set("Content-Type", c.contentType)
			}
			if c.accept != "" {
				req.Header.Set("Accept", c.accept)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != c.status || resp.Header.Get("Content-Type") != c.wantContentType {
				t.Errorf("status %d, Content-Type %q; want %d, %q (body %s)",
					resp.StatusCode, resp.Header.Get("Content-Type"), c.status, c.wantContentType, raw)
			}
			if c.wantHeader[0] != "" && resp.Header.Get(c.wantHeader[0]) != c.wantHeader[1] {
				t.Errorf("%s = %q; want %q", c.wantHeader[0], resp.Header.Get(c.wantHeader[0]), c.wantHeader[1])
			}
			var body map[string]json.RawMessage
			if err := json.Unmarshal(raw, &body); err != nil {
				t.Fatalf("body is not a JSON object: %s", raw)
			}
			if c.wantCode == "" {
				if _, ok := body["errors"]; ok {
					t.Errorf("errors in %s; want none", raw)
				}
				return
			}
			if _, ok := body["data"]; ok {
				t.Errorf("a request error has a data entry: %s", raw)
			}
			var errs []gqlError
			if err := json.Unmarshal(body["errors"], &errs); err != nil || len(errs) == 0 {
				t.Fatalf("no errors list in %s", raw)
			}
			if code := errs[0].Extensions["code"]; code != c.wantCode || !strings.Contains(errs[0].Message, c.wantMessage) {
				t.Errorf("error %q, code %v; want code %s and a message containing %q", errs[0].Message, code, c.wantCode, c.wantMessage)
			}
			if strings.Contains(errs[0].Message, "graphql.") || strings.Contains(errs[0].Message, "Go ") {
				t.Errorf("message names a Go type: %q", errs[0].Message)
			}
		})
	}
}
