package graph_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

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
				400, "application/json", `json request body could not be decoded`, false},
			{"a syntax error", `{"query":"{ company( }"}`, "",
				422, "application/json", `"GRAPHQL_PARSE_FAILED"`, false},
			{"a validation error", `{"query":"{ nope }"}`, "",
				422, "application/json", `"GRAPHQL_VALIDATION_FAILED"`, false},
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
