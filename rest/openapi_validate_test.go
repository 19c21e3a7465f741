package rest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/hivematrix/codex/rest"
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
func (c *contract) check(t *testing.T, req *http.Request, resp *http.Response) {
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
