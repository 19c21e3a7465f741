package main

import (
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/httprate"

	"github.com/hivematrix/codex/auth"
	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/rest"
)

// Inbound rate limits (go-chi/httprate: a sliding window counter per key, kept in
// memory, so each replica limits on its own). Authenticated routes are limited per
// principal, after the token is verified; the routes that need no token per client IP.
// A refused request gets 429, a problem+json body and Retry-After.

// perPrincipal limits each principal to perMinute requests a minute; 0 is no limit.
func perPrincipal(perMinute int) func(http.Handler) http.Handler {
	return limiter(perMinute, func(r *http.Request) (string, error) {
		p := codex.PrincipalFrom(r.Context())
		if p == nil {
			return "ip:" + clientIP(r), nil
		}
		return "principal:" + p.Subject, nil
	})
}

// publicLimit limits the routes that need no token. A caller presenting a valid bearer
// token is limited as that principal, with the authenticated budget: Nexus asks for the
// theme of every page view of every user with its one service token from one address,
// and the per-address budget meant for anonymous callers would throttle the whole
// platform's shell. Anyone else (no token, or one that does not verify) is limited by
// address with the public budget.
func (s *server) publicLimit() func(http.Handler) http.Handler {
	byIP := perIP(s.cfg.Server.PublicRateLimit)
	byPrincipal := perPrincipal(s.cfg.Server.RateLimit)
	return func(next http.Handler) http.Handler {
		anonymous, authenticated := byIP(next), byPrincipal(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if raw, ok := auth.BearerToken(r); ok {
				if p, err := s.verifier.Verify(r.Context(), raw); err == nil {
					authenticated.ServeHTTP(w, r.WithContext(codex.WithPrincipal(r.Context(), p)))
					return
				}
			}
			anonymous.ServeHTTP(w, r)
		})
	}
}

// perIP limits each client address to perMinute requests a minute; 0 is no limit.
func perIP(perMinute int) func(http.Handler) http.Handler {
	return limiter(perMinute, func(r *http.Request) (string, error) { return clientIP(r), nil })
}

func limiter(perMinute int, key httprate.KeyFunc) func(http.Handler) http.Handler {
	if perMinute <= 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	return httprate.LimitBy(perMinute, time.Minute, key, httprate.WithLimitHandler(tooManyRequests(perMinute)))
}

// clientIP is the connection's address (IPv6 by /64). X-Forwarded-For is not trusted: a
// caller could name any address in it and escape the limit.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return httprate.CanonicalizeIP(host)
}

func tooManyRequests(perMinute int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if w.Header().Get("Retry-After") == "" {
			w.Header().Set("Retry-After", "60")
		}
		rest.WriteProblem(w, r, rest.TooManyRequests("too many requests: at most "+strconv.Itoa(perMinute)+
			" a minute; retry after the number of seconds in Retry-After"))
	}
}
