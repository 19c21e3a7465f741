package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// The transports speak GraphQL over HTTP as its specification
// (https://graphql.github.io/graphql-over-http/draft/) and the graphql-http audit suite
// (graph/audit/run.sh) check it:
//
//   - operations by POST (application/json) and queries by GET (query parameters);
//     a mutation by GET is 405 with Allow: POST;
//   - a request that is not a well-formed GraphQL request (a body that is not JSON, a
//     batched array, a parameter of the wrong type, no query) is 400, whatever the Accept;
//   - a request error (the document does not parse or validate, a variable does not
//     coerce, a limit refuses it) is 200 under application/json and 400 under
//     application/graphql-response+json, and its body has no data entry;
//   - another method is 405 and a POST of another media type is 415, both with a JSON
//     body that says which are accepted.
//
// Every error body is {"errors": [...]}, with extensions.code.

const (
	contentTypeJSON            = "application/json"
	contentTypeGraphQLResponse = "application/graphql-response+json"

	// codeBadRequest is the extensions.code of a request that is not a well-formed
	// GraphQL-over-HTTP request.
	codeBadRequest = "BAD_REQUEST"
)

// postJSON is the POST transport (application/json operations). It writes a successful
// response as {"data":…} around the bytes the executor produced. gqlgen's transport
// passes the response through json.Marshal, which re-validates and re-compacts the whole
// data document: about a tenth of the CPU of a large query (a deep company tree) went to
// that second pass. The executor's data is JSON it wrote itself, so it is written as is;
// responses with errors or extensions go through json.Marshal.
type postJSON struct{}

var _ graphql.Transport = postJSON{}

// Supports reports whether r is a POST of a JSON operation.
func (postJSON) Supports(r *http.Request) bool {
	if r.Header.Get("Upgrade") != "" || r.Method != http.MethodPost {
		return false
	}
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mediaType == contentTypeJSON
}

// Do runs the operation in r's body.
func (postJSON) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	contentType := responseContentType(r)
	w.Header().Set("Content-Type", contentType)

	start := graphql.Now()
	body, err := readBody(w, r)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeRequestError(w, http.StatusRequestEntityTooLarge, &graphql.Response{Errors: gqlerror.List{requestError("REQUEST_TOO_LARGE",
				fmt.Sprintf("the request body is larger than the limit of %d bytes", tooLarge.Limit))}})
			return
		}
		writeBadRequest(w, "could not read the request body")
		return
	}
	params, msg := decodeBody(body)
	if msg != "" {
		writeBadRequest(w, msg)
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	execute(w, r, exec, params, contentType, false)
}

// getQuery is the GET transport: a query in the URL's query parameters (query,
// operationName, and variables and extensions as JSON), as automatic persisted queries
// and caches use. Mutations are refused: GET must be safe.
type getQuery struct{}

var _ graphql.Transport = getQuery{}

// Supports reports whether r is a GET.
func (getQuery) Supports(r *http.Request) bool {
	return r.Header.Get("Upgrade") == "" && r.Method == http.MethodGet
}

// Do runs the query in r's URL.
func (getQuery) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	contentType := responseContentType(r)
	w.Header().Set("Content-Type", contentType)

	start := graphql.Now()
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeBadRequest(w, "the URL's query string is malformed")
		return
	}
	params := &graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName"), Headers: r.Header}
	for _, p := range []struct {
		name string
		dst  *map[string]any
	}{{"variables", &params.Variables}, {"extensions", &params.Extensions}} {
		if v := q.Get(p.name); v != "" {
			if msg := decodeObject(p.name, []byte(v), p.dst); msg != "" {
				writeBadRequest(w, msg)
				return
			}
		}
	}
	if params.Query == "" && params.Extensions["persistedQuery"] == nil {
		writeBadRequest(w, "the request has no query parameter")
		return
	}
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	execute(w, r, exec, params, contentType, true)
}

// unsupported answers every request no other transport takes (it is added last): 415 for
// a POST of another media type, 405 for another method.
type unsupported struct{}

var _ graphql.Transport = unsupported{}

// Supports reports true: unsupported is the fallback.
func (unsupported) Supports(*http.Request) bool { return true }

// Do writes the refusal.
func (unsupported) Do(w http.ResponseWriter, r *http.Request, _ graphql.GraphExecutor) {
	w.Header().Set("Content-Type", responseContentType(r))
	if r.Method == http.MethodPost {
		w.Header().Set("Accept-Post", contentTypeJSON)
		what := "no Content-Type"
		if ct := r.Header.Get("Content-Type"); ct != "" {
			what = fmt.Sprintf("Content-Type %q", ct)
		}
		writeRequestError(w, http.StatusUnsupportedMediaType, &graphql.Response{Errors: gqlerror.List{
			badRequest("a POST to the GraphQL endpoint must be application/json (this one has %s)", what)}})
		return
	}
	w.Header().Set("Allow", "GET, POST, OPTIONS")
	writeRequestError(w, http.StatusMethodNotAllowed, &graphql.Response{Errors: gqlerror.List{
		badRequest("method %s is not allowed: send GraphQL operations by POST, or queries by GET", r.Method)}})
}

// execute prepares and runs params: a request error is answered as such, a mutation sent
// by GET (get) is refused, and anything else runs.
func execute(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, params *graphql.RawParams, contentType string, get bool) {
	ctx := r.Context()
	oc, opErr := exec.CreateOperationContext(ctx, params)
	if opErr != nil {
		status := http.StatusOK
		if contentType == contentTypeGraphQLResponse {
			status = http.StatusBadRequest
		}
		writeRequestError(w, status, exec.DispatchError(graphql.WithOperationContext(ctx, oc), opErr))
		return
	}
	if get && oc.Operation != nil && oc.Operation.Operation != ast.Query {
		w.Header().Set("Allow", "POST")
		writeRequestError(w, http.StatusMethodNotAllowed, &graphql.Response{Errors: gqlerror.List{
			badRequest("a %s must be sent by POST: GET is for queries only", oc.Operation.Operation)}})
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	writeResponse(w, responses(ctx))
}

// decodeBody reads a POST body as one GraphQL request, or returns what is wrong with it
// in words a client can act on (never a Go type name).
func decodeBody(body []byte) (*graphql.RawParams, string) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return nil, "the request body is empty: send a JSON object with a query"
	case trimmed[0] == '[':
		return nil, "batched operations (a JSON array) are not supported: send one operation per request"
	case trimmed[0] != '{':
		if !json.Valid(trimmed) {
			return nil, "the request body is not valid JSON"
		}
		return nil, "the request body must be a JSON object with a query"
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &fields); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return nil, fmt.Sprintf("the request body is not valid JSON: %s (at byte %d)", syntax.Error(), syntax.Offset)
		}
		return nil, "the request body is not valid JSON"
	}
	params := &graphql.RawParams{}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"query", &params.Query}, {"operationName", &params.OperationName}} {
		if raw, ok := fields[f.name]; ok && !isNull(raw) {
			if err := json.Unmarshal(raw, f.dst); err != nil {
				return nil, f.name + " must be a string"
			}
		}
	}
	for _, f := range []struct {
		name string
		dst  *map[string]any
	}{{"variables", &params.Variables}, {"extensions", &params.Extensions}} {
		if raw, ok := fields[f.name]; ok && !isNull(raw) {
			if msg := decodeObject(f.name, raw, f.dst); msg != "" {
				return nil, msg
			}
		}
	}
	if params.Query == "" && params.Extensions["persistedQuery"] == nil {
		return nil, "the request has no query"
	}
	return params, ""
}

// decodeObject decodes the JSON object raw (a request's variables or extensions) into
// dst, numbers as json.Number as gqlgen expects.
func decodeObject(name string, raw []byte, dst *map[string]any) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return name + " must be a JSON object"
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		return name + " must be a JSON object"
	}
	return ""
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// MaxBodyBytes bounds a POSTed operation (query, variables and extensions), as REST
// bounds its bodies: a larger body is refused with 413 before more of it is read.
const MaxBodyBytes = 1 << 20

// readBody reads r's body up to MaxBodyBytes; a larger one is an *http.MaxBytesError,
// refused from its Content-Length alone when the caller sent one.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > MaxBodyBytes {
		return nil, &http.MaxBytesError{Limit: MaxBodyBytes}
	}
	return io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
}

// requestError is an error about the HTTP request itself, with its extensions.code.
func requestError(code, msg string) *gqlerror.Error {
	err := gqlerror.Errorf("%s", msg)
	setCode(err, code)
	return err
}

// responseContentType is application/graphql-response+json when the client accepts it
// before application/json, and application/json otherwise (gqlgen's default).
func responseContentType(r *http.Request) string {
	for part := range strings.SplitSeq(r.Header.Get("Accept"), ",") {
		mediaType, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mediaType {
		case contentTypeGraphQLResponse:
			return contentTypeGraphQLResponse
		case contentTypeJSON, "*/*", "application/*":
			return contentTypeJSON
		}
	}
	return contentTypeJSON
}

// badRequest is an error about the HTTP request itself, coded BAD_REQUEST.
func badRequest(format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	setCode(err, codeBadRequest)
	return err
}

// writeBadRequest answers 400 with msg.
func writeBadRequest(w http.ResponseWriter, msg string) {
	writeRequestError(w, http.StatusBadRequest, &graphql.Response{Errors: gqlerror.List{badRequest("%s", msg)}})
}

// requestErrorBody is a request error's body: errors (and extensions), and no data entry,
// since nothing ran.
type requestErrorBody struct {
	Errors     gqlerror.List  `json:"errors"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// writeRequestError writes resp's errors with status and no data entry.
func writeRequestError(w http.ResponseWriter, status int, resp *graphql.Response) {
	b, err := json.Marshal(requestErrorBody{Errors: resp.Errors, Extensions: resp.Extensions})
	if err != nil {
		b = []byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`)
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

var (
	dataOpen  = []byte(`{"data":`)
	dataClose = []byte(`}`)
)

// writeResponse writes resp: data alone around the executor's bytes, anything else
// through json.Marshal.
func writeResponse(w io.Writer, resp *graphql.Response) {
	if len(resp.Errors) == 0 && len(resp.Extensions) == 0 && resp.Label == "" && resp.Path == nil &&
		resp.HasNext == nil && len(resp.Data) > 0 {
		_, _ = w.Write(dataOpen) // net/http buffers the three writes
		_, _ = w.Write(resp.Data)
		_, _ = w.Write(dataClose)
		return
	}
	b, err := json.Marshal(resp)
	if err != nil {
		// The executor's data is not JSON: a bug, answered as gqlgen would.
		b, _ = json.Marshal(&graphql.Response{Errors: gqlerror.List{gqlerror.Errorf("unable to marshal the response: %v", err)}})
	}
	_, _ = w.Write(b)
}
