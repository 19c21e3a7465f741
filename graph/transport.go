package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// postJSON is the POST transport (application/json operations, the GraphQL-over-HTTP
// POST). It behaves as gqlgen's transport.POST — the same statuses, content types and
// error bodies — but writes a successful response as {"data":…} around the bytes the
// executor produced. gqlgen's transport passes the response through json.Marshal, which
// re-validates and re-compacts the whole data document: about a tenth of the CPU of a
// large query (a deep company tree) went to that second pass. The executor's data is
// JSON it wrote itself, so it is written as is; responses with errors or extensions go
// through json.Marshal as before.
type postJSON struct{}

var _ graphql.Transport = postJSON{}

const (
	contentTypeJSON            = "application/json"
	contentTypeGraphQLResponse = "application/graphql-response+json"
)

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
	ctx := r.Context()
	contentType := responseContentType(r)
	w.Header().Set("Content-Type", contentType)

	params := &graphql.RawParams{Headers: r.Header}
	start := graphql.Now()
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	body, err := readBody(w, r)
	if err != nil {
		var tooLarge *http.MaxBytesError
		status, code := http.StatusBadRequest, "BAD_REQUEST"
		msg := "could not read the request body"
		if errors.As(err, &tooLarge) {
			status, code = http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE"
			msg = fmt.Sprintf("the request body is larger than the limit of %d bytes", tooLarge.Limit)
		}
		w.WriteHeader(status)
		writeResponse(w, exec.DispatchError(ctx, gqlerror.List{requestError(code, msg)}))
		return
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(params); err != nil {
		// The decoder's message names the offset and the kind of error, never the body:
		// echoing what the caller sent would make any malformed body cost twice its size.
		w.WriteHeader(http.StatusBadRequest)
		writeResponse(w, exec.DispatchError(ctx, gqlerror.List{
			requestError("BAD_REQUEST", "json request body could not be decoded: "+decodeProblem(err))}))
		return
	}

	oc, opErr := exec.CreateOperationContext(ctx, params)
	if opErr != nil {
		if errcode.GetErrorKind(opErr) == errcode.KindProtocol {
			if contentType == contentTypeGraphQLResponse {
				w.WriteHeader(http.StatusBadRequest)
			} else {
				w.WriteHeader(http.StatusUnprocessableEntity)
			}
		}
		writeResponse(w, exec.DispatchError(graphql.WithOperationContext(ctx, oc), opErr))
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	writeResponse(w, responses(ctx))
}

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

// decodeProblem describes a JSON decoding error without quoting the input.
func decodeProblem(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("invalid JSON at byte %d", syntax.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("%s must be %s, not %s", typ.Field, typ.Type, typ.Value)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the body ends early"
	}
	return "not a JSON object"
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
