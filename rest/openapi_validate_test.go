package rest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/hivematrix/codex/policy"
	"github.com/hivematrix/codex/rest"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// Every response a REST test receives is checked against the OpenAPI document the API
// serves (kin-openapi's openapi3filter): its status is documented, and its headers and
// body match the documented schema for its content type. The fixture's do calls it, so
// each test of a route is also a test of the document, including routes added later.

// contract holds the document and a router over it, for one server URL.
type contract struct {
	doc    *openapi3.T
	router routers.Router
}

// loadContract loads api's document, checks that it is valid OpenAPI 3 and routes it
// at baseURL (the server's /api).
func loadContract(t *testing.T, api *rest.API, baseURL string) *contract {
	t.Helper()
	b, err := json.Marshal(api.Document())
	if err != nil {
		t.Fatal(err)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(b)
	if err != nil {
		t.Fatalf("loading the OpenAPI document: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is not valid: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: baseURL}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatalf("routing the OpenAPI document: %v", err)
	}
	return &contract{doc: doc, router: router}
}

// check validates resp, the answer to req, against the document and reports a mismatch
// as a test error. A request the document does not route (an unknown path, a method a
// path lacks) is not checked: the tests of those expect a problem, which checkProblem
// covers. resp.Body can be read again afterwards.
func (c *contract) check(t testing.TB, req *http.Request, resp *http.Response) {
	t.Helper()
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	route, pathParams, err := c.router.FindRoute(req)
	if err != nil {
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req, PathParams: pathParams, Route: route,
		},
		Status:  resp.StatusCode,
		Header:  resp.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(req.Context(), in); err != nil {
		t.Errorf("%s %s = %d: the response does not match the OpenAPI document: %v\nbody: %.500s",
			req.Method, req.URL.RequestURI(), resp.StatusCode, err, body)
	}
}

// recorder is a testing.TB that keeps the errors reported to it.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// TestContractCatchesMismatches checks the check itself: responses that contradict the
// document are reported, and the real one passes.
func TestContractCatchesMismatches(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		good := f.expect(req{as: "admin", path: "/api/companies/123"}, http.StatusOK)
		company := decode[map[string]any](t, good)
		mutate := func(change func(map[string]any)) string {
			c := maps.Clone(company)
			change(c)
			b, _ := json.Marshal(c)
			return string(b)
		}
		cases := []struct {
			name, body, contentType string
			status                  int
			wantErr                 bool
		}{
			{"the real response", string(good), "application/json; charset=utf-8", 200, false},
			{"domains null", mutate(func(c map[string]any) { c["domains"] = nil }), "application/json", 200, true},
			{"settings null", mutate(func(c map[string]any) { c["settings"] = nil }), "application/json", 200, true},
			{"a required member missing", mutate(func(c map[string]any) { delete(c, "name") }), "application/json", 200, true},
			{"a value outside its enum", mutate(func(c map[string]any) { c["kind"] = "alien" }), "application/json", 200, true},
			{"an undocumented content type", string(good), "text/html", 200, true},
			{"a problem that is not one", `{"oops":true}`, "application/problem+json", 404, true},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				hr, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/api/companies/123", nil)
				resp := &http.Response{StatusCode: c.status, Header: http.Header{"Content-Type": {c.contentType}},
					Body: io.NopCloser(strings.NewReader(c.body))}
				rec := &recorder{TB: t}
				f.api.check(rec, hr, resp)
				if got := len(rec.errors) > 0; got != c.wantErr {
					t.Errorf("reported %v; want an error: %v", rec.errors, c.wantErr)
				}
			})
		}
	})
}

// TestOperationIDs checks that every operation has a unique, human name, and a few of
// them by name.
func TestOperationIDs(t *testing.T) {
	api := rest.New(policy.New(storetest.Open(t, "sqlite").Services()), rest.Options{})
	seen := map[string]string{}
	human := regexp.MustCompile(`^(list|get|create|replace|update|archive|restore|start|assign|import)[A-Z][A-Za-z]*$`)
	for path, item := range api.Document()["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			key := strings.ToUpper(method) + " " + path
			id, _ := op.(map[string]any)["operationId"].(string)
			if !human.MatchString(id) {
				t.Errorf("%s: operationId %q; want verb + noun, such as listCompanies", key, id)
			}
			if other, dup := seen[id]; dup {
				t.Errorf("operationId %q names both %s and %s", id, other, key)
			}
			seen[id] = key
		}
	}
	for id, key := range map[string]string{
		"listCompanies":           "GET /companies",
		"getCompany":              "GET /companies/{id}",
		"createCompany":           "POST /companies",
		"replaceCompany":          "PUT /companies/{id}",
		"updateCompany":           "PATCH /companies/{id}",
		"archiveCompany":          "DELETE /companies/{id}",
		"restoreAsset":            "POST /assets/{id}/restore",
		"listCompanyAssets":       "GET /companies/{id}/assets",
		"getNetworkEquipment":     "GET /network_equipment/{id}",
		"listCompanyDuplicateIPs": "GET /companies/{id}/duplicate_ips",
		"getSyncRun":              "GET /sync/runs/{id}",
		"startSync":               "POST /sync/{source}",
	} {
		if seen[id] != key {
			t.Errorf("operationId %s names %q; want %s", id, seen[id], key)
		}
	}
}

// TestSchemasRequireWhatIsAlwaysThere checks that response schemas list their required
// members and request bodies have their own schemas that require none.
func TestSchemasRequireWhatIsAlwaysThere(t *testing.T) {
	api := rest.New(policy.New(storetest.Open(t, "sqlite").Services()), rest.Options{})
	doc := api.Document()
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	company := schemas["Company"].(map[string]any)
	required, _ := company["required"].([]string)
	for _, want := range []string{"id", "name", "domains", "settings", "address", "archived_at"} {
		if !slices.Contains(required, want) {
			t.Errorf("Company requires %v; want %s among them", required, want)
		}
	}
	if in, ok := schemas["CompanyInput"].(map[string]any); !ok || in["required"] != nil {
		t.Errorf("CompanyInput = %v; want a schema without required members", schemas["CompanyInput"])
	}
	post := doc["paths"].(map[string]any)["/companies"].(map[string]any)["post"].(map[string]any)
	body := post["requestBody"].(map[string]any)["content"].(map[string]any)["application/json"].(map[string]any)["schema"]
	if ref := body.(map[string]any)["$ref"]; ref != "#/components/schemas/CompanyInput" {
		t.Errorf("POST /companies body schema = %v; want CompanyInput", ref)
	}
	problem := schemas["Problem"].(map[string]any)["required"].([]string)
	if !slices.Contains(problem, "status") || slices.Contains(problem, "errors") {
		t.Errorf("Problem requires %v; want status, and not errors (omitted when empty)", problem)
	}
}

// TestOpenAPIConcurrencyAndLimits checks that the document declares optimistic
// concurrency and rate limits: If-Match on every write of a row, ETag on single-row
// answers, 412 and 428 on those writes, and 429 with Retry-After everywhere, all as
// problem+json; and that such answers validate against it (and wrong ones do not).
func TestOpenAPIConcurrencyAndLimits(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		paths := f.api.doc.Paths
		writes := 0
		for path, item := range paths.Map() {
			for method, op := range item.Operations() {
				key := method + " " + path
				tooMany := op.Responses.Status(http.StatusTooManyRequests)
				if tooMany == nil || tooMany.Value.Content.Get("application/problem+json") == nil {
					t.Errorf("%s does not declare 429 as problem+json", key)
				} else if h := tooMany.Value.Headers["Retry-After"]; h == nil || !h.Value.Required {
					t.Errorf("%s: 429 does not declare a required Retry-After header", key)
				}
				row := regexp.MustCompile(`^/(companies|contacts|assets|network_equipment)/\{id\}(/restore)?$`).MatchString(path)
				write := row && (method == http.MethodPatch || method == http.MethodPut || method == http.MethodDelete ||
					method == http.MethodPost && strings.HasSuffix(path, "/restore"))
				ifMatch := op.Parameters.GetByInAndName("header", "If-Match") != nil
				if ifMatch != write {
					t.Errorf("%s: If-Match header declared %v; want %v", key, ifMatch, write)
				}
				for _, status := range []int{http.StatusPreconditionFailed, http.StatusPreconditionRequired} {
					r := op.Responses.Status(status)
					if (r != nil) != write {
						t.Errorf("%s: %d declared %v; want %v", key, status, r != nil, write)
					}
					if r != nil && r.Value.Content.Get("application/problem+json") == nil {
						t.Errorf("%s: %d is not problem+json", key, status)
					}
				}
				if row && method != http.MethodPost || strings.HasSuffix(path, "/restore") {
					ok := op.Responses.Status(http.StatusOK)
					if ok == nil || ok.Value.Headers["ETag"] == nil {
						t.Errorf("%s: the 200 does not declare ETag", key)
					}
				}
				if write {
					writes++
				}
			}
		}
		if writes != 4*4 {
			t.Errorf("%d row writes declare If-Match; want 16 (PUT, PATCH, DELETE, restore of 4 resources)", writes)
		}

		// A real 412 validates; the same problem as a 429 validates only with Retry-After.
		path := "/api/contacts/" + strconv.FormatInt(f.jane.ID, 10)
		stale := f.expect(req{as: "admin", method: http.MethodPatch, path: path, body: `{"title":"x"}`,
			header: []string{"If-Match", `"2001-01-01T00:00:00Z"`}}, http.StatusPreconditionFailed)
		cases := []struct {
			name    string
			status  int
			header  http.Header
			wantErr bool
		}{
			{"412 problem", http.StatusPreconditionFailed, http.Header{}, false},
			{"428 problem", http.StatusPreconditionRequired, http.Header{}, false},
			{"429 with Retry-After", http.StatusTooManyRequests, http.Header{"Retry-After": {"60"}}, false},
			{"429 without Retry-After", http.StatusTooManyRequests, http.Header{}, true},
			{"429 with a Retry-After that is not seconds", http.StatusTooManyRequests, http.Header{"Retry-After": {"soon"}}, true},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				hr, _ := http.NewRequest(http.MethodPatch, f.srv.URL+path, nil)
				c.header.Set("Content-Type", "application/problem+json")
				resp := &http.Response{StatusCode: c.status, Header: c.header, Body: io.NopCloser(bytes.NewReader(stale))}
				rec := &recorder{TB: t}
				f.api.check(rec, hr, resp)
				if got := len(rec.errors) > 0; got != c.wantErr {
					t.Errorf("reported %v; want an error: %v", rec.errors, c.wantErr)
				}
			})
		}
	})
}
