package rest

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/reqinfo"
)

// Problem is the body of every error response (RFC 9457, application/problem+json).
type Problem struct {
	// Type identifies the kind of problem: urn:codex:problem:<kind>.
	Type string `json:"type"`
	// Title is the short, fixed description of the status.
	Title string `json:"title"`
	// Status repeats the HTTP status code.
	Status int `json:"status"`
	// Detail says what went wrong with this request, safe to show to the caller.
	Detail string `json:"detail"`
	// Errors names each offending field or query parameter with its message.
	Errors map[string]string `json:"errors,omitempty"`
	// RequestID is the request's X-Request-ID, for finding it in the logs and the audit log.
	RequestID string `json:"request_id"`
}

// statusError is a transport-level problem: one the HTTP layer finds (a malformed body, an
// unknown query parameter, a wrong content type) or a domain error shown with another
// status than its code's usual one (invalid preferences are a 400, not a 422).
type statusError struct {
	status int
	kind   string
	err    error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

// badRequest is a 400 with per-field (or per-parameter) messages.
func badRequest(kind, msg string, fields map[string]string) error {
	return &statusError{status: http.StatusBadRequest, kind: kind,
		err: &codex.Error{Code: codex.Invalid, Message: msg, Fields: fields}}
}

// httpError is a problem with a status that has no codex code (413, 415, 405).
func httpError(status int, kind, msg string) error {
	return &statusError{status: status, kind: kind, err: &codex.Error{Code: codex.Invalid, Message: msg}}
}

// TooManyRequests is the problem of a request refused by a rate limit (429).
func TooManyRequests(msg string) error {
	return &statusError{status: http.StatusTooManyRequests, kind: "too_many_requests",
		err: &codex.Error{Code: codex.Unavailable, Message: msg}}
}

// asBadRequest shows an invalid domain error as a 400 (the preferences contract).
func asBadRequest(err error) error {
	if codex.ErrorCode(err) == codex.Invalid {
		return &statusError{status: http.StatusBadRequest, kind: "invalid", err: err}
	}
	return err
}

// codeStatus maps each codex error code to its HTTP status.
var codeStatus = map[codex.Code]int{
	codex.Invalid:         http.StatusUnprocessableEntity,
	codex.NotFound:        http.StatusNotFound,
	codex.Conflict:        http.StatusConflict,
	codex.Unauthenticated: http.StatusUnauthorized,
	codex.Forbidden:       http.StatusForbidden,
	codex.Unavailable:     http.StatusServiceUnavailable,
	codex.Internal:        http.StatusInternalServerError,
}

// WriteProblem writes err as an application/problem+json response. It is the one place
// where codex error codes become HTTP statuses: invalid 422, not_found 404, conflict 409,
// unauthenticated 401, forbidden 403, unavailable 503, internal 500. Problems the HTTP
// layer finds itself (malformed JSON, bad query parameters, wrong content type, a body
// too large) carry their own status. Internal errors are logged in full with the request
// id and shown as a generic message. The auth middleware uses it for its 401 and 403.
func WriteProblem(w http.ResponseWriter, r *http.Request, err error) {
	writeProblem(slog.Default(), w, r, err)
}

func writeProblem(log *slog.Logger, w http.ResponseWriter, r *http.Request, err error) {
	ctx := r.Context()
	rid := codex.RequestIDFrom(ctx)
	if rid == "" {
		rid = w.Header().Get(RequestIDHeader)
	}
	var (
		status int
		kind   string
		se     *statusError
		mbe    *http.MaxBytesError
	)
	code := codex.ErrorCode(err)
	switch {
	case errors.As(err, &se):
		status, kind = se.status, se.kind
	case errors.Is(err, codex.ErrChanged):
		// A write whose If-Match was current when read but not when written.
		status, kind = http.StatusPreconditionFailed, "precondition_failed"
	case errors.As(err, &mbe):
		status, kind = http.StatusRequestEntityTooLarge, "too_large"
		err = &codex.Error{Code: codex.Invalid, Message: "the request body is larger than 1 MiB", Err: err}
	case code == codex.Internal && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)):
		status, kind = http.StatusServiceUnavailable, string(codex.Unavailable)
		err = &codex.Error{Code: codex.Unavailable, Message: "the request was cancelled or timed out", Err: err}
	case err == nil || codeStatus[code] == 0:
		status, kind = http.StatusInternalServerError, string(codex.Internal)
	default:
		status, kind = codeStatus[code], string(code)
	}
	p := Problem{
		Type:      "urn:codex:problem:" + kind,
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    codex.ErrorMessage(err),
		Errors:    codex.ErrorFields(err),
		RequestID: rid,
	}
	reqinfo.From(ctx).AddError(kind)
	switch {
	case status >= 500:
		log.ErrorContext(ctx, "rest: request failed", "request_id", rid, "method", r.Method,
			"path", r.URL.Path, "status", status, "principal", codex.PrincipalFrom(ctx).String(), "err", err)
	case status == http.StatusForbidden || status == http.StatusUnauthorized:
		log.InfoContext(ctx, "rest: request refused", "request_id", rid, "method", r.Method,
			"path", r.URL.Path, "status", status, "principal", codex.PrincipalFrom(ctx).String(), "err", err)
	}
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	h.Del("Content-Disposition")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

// notFound answers a path no route matches.
func (a *API) notFound(w http.ResponseWriter, r *http.Request) {
	a.problem(w, r, &statusError{status: http.StatusNotFound, kind: string(codex.NotFound),
		err: codex.Errorf(codex.NotFound, "no route %s", r.URL.Path)})
}

// methodNotAllowed answers a known path with a method it does not serve, listing the
// methods it does in the Allow header.
func (a *API) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if rctx := chi.RouteContext(r.Context()); rctx != nil && rctx.RoutePath != "" {
		path = rctx.RoutePath
	}
	var allowed []string
	if a.mux != nil {
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			if a.mux.Match(chi.NewRouteContext(), m, path) {
				allowed = append(allowed, m)
			}
		}
	}
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	a.problem(w, r, httpError(http.StatusMethodNotAllowed, "method_not_allowed",
		r.Method+" is not allowed here; allowed: "+strings.Join(allowed, ", ")))
}
