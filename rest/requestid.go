package rest

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"

	"github.com/hivematrix/codex/codex"
)

// RequestIDHeader carries the request id, in the request (optional) and in every response.
const RequestIDHeader = "X-Request-ID"

// RequestID is middleware that gives every request an id: the caller's X-Request-ID when
// it is safe (1 to 128 letters, digits and - _ . : characters, as UUIDs and trace ids
// are), otherwise a new random one. The id is
// set on the response before anything else is written and stored in the context
// (codex.WithRequestID), where the logs, problem bodies and the audit log find it.
//
// The platform's X-Correlation-ID is handled alongside: a sane one is kept (and, when the
// caller sent no X-Request-ID, also serves as the request id), otherwise the request id
// stands in; it is echoed on the response and stored in the context
// (codex.WithCorrelationID) for the request log and the outgoing calls.
func RequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		corr := r.Header.Get(codex.CorrelationIDHeader)
		if !saneRequestID(corr) {
			corr = ""
		}
		id := r.Header.Get(RequestIDHeader)
		switch {
		case saneRequestID(id):
		case corr != "":
			id = corr
		default:
			id = newRequestID()
		}
		if corr == "" {
			corr = id
		}
		w.Header().Set(RequestIDHeader, id)
		w.Header().Set(codex.CorrelationIDHeader, corr)
		ctx := codex.WithCorrelationID(codex.WithRequestID(r.Context(), id), corr)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// saneRequestID reports whether a caller's id may be echoed into headers, logs and the
// audit log: no quotes, angle brackets, slashes or spaces that could forge a log line or
// inject markup where the audit log is shown.
func saneRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand panics instead)
	return hex.EncodeToString(b[:])
}
