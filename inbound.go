package main

import (
	"compress/flate"
	"io"
	"net/http"

	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/cors"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/hivematrix/codex/auth"
	"github.com/hivematrix/codex/config"
	"github.com/hivematrix/codex/rest"
)

// corsMiddleware lets the listed browser origins call the APIs with a bearer token.
// Preflights (OPTIONS with Access-Control-Request-Method) are answered here, before any
// token check: browsers never send credentials with them. With no origins it does nothing.
func corsMiddleware(origins []string) func(http.Handler) http.Handler {
	if len(origins) == 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	return cors.Handler(cors.Options{
		AllowedOrigins: origins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete},
		AllowedHeaders: []string{"Authorization", "Content-Type", "Accept", rest.RequestIDHeader, auth.RedactHeader, "traceparent", "tracestate"},
		ExposedHeaders: []string{rest.RequestIDHeader, "Content-Disposition", "Link"},
		MaxAge:         600,
	})
}

// compressedTypes are the responses worth compressing: Codex's JSON, CSV exports and pages.
var compressedTypes = []string{
	"application/json", "application/graphql-response+json", "application/problem+json",
	"text/csv", "text/html", "text/css", "text/javascript", "application/javascript",
}

// compression compresses those responses with zstd or gzip, whichever the client
// prefers of what it accepts (zstd on a tie), through chi's compressor with
// klauspost/compress's encoders, which are faster than the standard library's gzip.
// Off, it does nothing.
func compression(c config.Server) func(http.Handler) http.Handler {
	if !c.Compression {
		return func(next http.Handler) http.Handler { return next }
	}
	cmp := middleware.NewCompressor(flate.DefaultCompression, compressedTypes...)
	cmp.SetEncoder("gzip", func(w io.Writer, _ int) io.Writer {
		gw, err := gzip.NewWriterLevel(w, gzip.DefaultCompression)
		if err != nil {
			return nil
		}
		return gw
	})
	cmp.SetEncoder("zstd", func(w io.Writer, _ int) io.Writer {
		zw, err := zstd.NewWriter(w, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1),
			zstd.WithWindowSize(1<<20), zstd.WithLowerEncoderMem(true))
		if err != nil {
			return nil
		}
		return zw
	})
	return cmp.Handler
}
