package main

import (
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/reqinfo"
	"github.com/hivematrix/codex/rest"
)

// requestLog logs every request once it is answered: method, path, status, bytes,
// duration, request id, and what the handlers recorded in the request's reqinfo.Info
// (which it installs): the principal, the GraphQL operation name, the codes of the errors
// answered and how many SQL statements ran. Health checks, which load balancers send
// every few seconds, are logged at debug level.
func requestLog(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			ctx, info := reqinfo.New(r.Context())
			r = r.WithContext(ctx)
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			next.ServeHTTP(ww, r)
			status := ww.Status()
			if status == 0 {
				status = http.StatusOK // nothing written: net/http answers 200
			}
			level := slog.LevelInfo
			switch {
			case status >= 500:
				level = slog.LevelError
			case strings.HasPrefix(r.URL.Path, "/health") && status == http.StatusOK:
				level = slog.LevelDebug
			}
			attrs := []slog.Attr{
				slog.String("request_id", codex.RequestIDFrom(r.Context())),
				slog.String("correlation_id", codex.CorrelationIDFrom(r.Context())),
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", status),
				slog.Int("bytes", ww.BytesWritten()),
				slog.Duration("duration", time.Since(start)),
				slog.String("remote", r.RemoteAddr),
			}
			if p := info.Principal(); p != "" {
				attrs = append(attrs, slog.String("principal", p))
			}
			if op := info.Operation(); op != "" {
				attrs = append(attrs, slog.String("operation", op))
			}
			if errs := info.Errors(); len(errs) > 0 {
				attrs = append(attrs, slog.Any("errors", errs))
			}
			if n := info.Statements(); n > 0 {
				attrs = append(attrs, slog.Int64("statements", n))
			}
			log.LogAttrs(r.Context(), level, "request", attrs...)
		})
	}
}

// recoverer turns a panicking handler into a logged 500 problem, instead of a dropped
// connection; http.ErrAbortHandler keeps its meaning.
func recoverer(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				v := recover()
				if v == nil {
					return
				}
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(r.Context(), "panic while serving a request",
					"request_id", codex.RequestIDFrom(r.Context()), "method", r.Method, "path", r.URL.Path,
					"panic", v, "stack", string(debug.Stack()))
				rest.WriteProblem(w, r, codex.Errorf(codex.Internal, "internal error"))
			}()
			next.ServeHTTP(w, r)
		})
	}
}
