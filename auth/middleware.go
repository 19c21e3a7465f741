package auth

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/hivematrix/codex/codex"
)

// RedactHeader asks for PHI/CJIS redaction on a request, like ?redact=true.
const RedactHeader = "X-Codex-Redact"

// BearerToken returns the token of an `Authorization: Bearer <token>` header; the scheme
// is case-insensitive. It reports false when there is no such header or it is empty.
func BearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// Middleware authenticates every request: it verifies the bearer token and stores the
// principal in the request context (codex.WithPrincipal). A request asking for redaction
// (?redact=true or the X-Codex-Redact header) gets a principal with Redact set.
//
// On failure it calls onError, which writes the response; for a 401 the middleware has
// already set WWW-Authenticate (RFC 6750). A nil onError writes a plain-text status.
func (v *Verifier) Middleware(onError func(w http.ResponseWriter, r *http.Request, err error)) func(http.Handler) http.Handler {
	if onError == nil {
		onError = plainError
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			raw, ok := BearerToken(r)
			if !ok {
				// No error code: the client may not have known authentication is required.
				w.Header().Set("WWW-Authenticate", `Bearer realm="codex"`)
				onError(w, r, unauthenticated(msgMissing, nil))
				return
			}
			p, err := v.Verify(r.Context(), raw)
			if err != nil {
				if codex.ErrorCode(err) == codex.Unauthenticated {
					w.Header().Set("WWW-Authenticate", `Bearer realm="codex", error="invalid_token", error_description="`+
						quotable(codex.ErrorMessage(err))+`"`)
				}
				onError(w, r, err)
				return
			}
			if wantsRedaction(r) && !p.Redact {
				cp := *p
				cp.Redact = true
				p = &cp
			}
			next.ServeHTTP(w, r.WithContext(codex.WithPrincipal(r.Context(), p)))
		})
	}
}

// wantsRedaction reports whether r asks for redaction. A request can only add redaction,
// never lift one that a service's grant forces.
func wantsRedaction(r *http.Request) bool {
	for _, s := range []string{r.URL.Query().Get("redact"), r.Header.Get(RedactHeader)} {
		if on, err := strconv.ParseBool(s); err == nil && on {
			return true
		}
	}
	return false
}

// quotable keeps the printable ASCII of s that may appear in an RFC 7230 quoted-string
// without escaping.
func quotable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return -1
		}
		return r
	}, s)
}

// plainError is Middleware's fallback when no onError is given.
func plainError(w http.ResponseWriter, _ *http.Request, err error) {
	status := http.StatusInternalServerError
	switch codex.ErrorCode(err) {
	case codex.Unauthenticated:
		status = http.StatusUnauthorized
	case codex.Forbidden:
		status = http.StatusForbidden
	case codex.Unavailable:
		status = http.StatusServiceUnavailable
	}
	http.Error(w, codex.ErrorMessage(err), status)
}
