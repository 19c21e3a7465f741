package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/uptrace/bun/extra/bunotel"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/config"
	"github.com/hivematrix/codex/metrics"
	"github.com/hivematrix/codex/reqinfo"
	"github.com/hivematrix/codex/store"
)

// telemetry is a server's metrics and, when [otel] endpoint is set, its tracer.
type telemetry struct {
	metrics *metrics.Metrics
	// tracer is a no-op provider unless tracing is on.
	tracer  trace.TracerProvider
	tracing bool
	// shutdown flushes and stops the span exporter.
	shutdown func(context.Context) error
}

// propagator reads and writes W3C traceparent headers.
var propagator = propagation.TraceContext{}

// newTelemetry builds the metrics over db and, with [otel] endpoint, a tracer provider
// exporting over OTLP/HTTP; it adds db's statement counter and SQL spans.
func newTelemetry(ctx context.Context, cfg *config.Config, log *slog.Logger, db *store.DB) (*telemetry, error) {
	t := &telemetry{metrics: metrics.New(), tracer: noop.NewTracerProvider(), shutdown: func(context.Context) error { return nil }}
	t.metrics.WatchDB("codex", db.Bun().DB)
	db.AddQueryHook(metrics.StatementHook{})
	if cfg.Otel.Endpoint == "" {
		return t, nil
	}
	url := strings.TrimRight(cfg.Otel.Endpoint, "/") + "/v1/traces"
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(url))
	if err != nil {
		return nil, fmt.Errorf("otel: %w", err)
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithResource(resource.NewSchemaless(
			attribute.String("service.name", "codex"),
			attribute.String("service.version", version()))),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(cfg.Otel.SampleRatio))),
	)
	t.tracer, t.tracing, t.shutdown = tp, true, tp.Shutdown
	db.AddQueryHook(bunotel.NewQueryHook(bunotel.WithTracerProvider(tp), bunotel.WithDBName("codex")))
	log.Info("sending traces", "endpoint", url, "sample_ratio", cfg.Otel.SampleRatio,
		"graphql_field_threshold", cfg.Otel.FieldThreshold)
	return t, nil
}

// graphTracer is the tracer for GraphQL's slow-resolver spans, or nil when tracing is off.
func (t *telemetry) graphTracer() trace.Tracer {
	if !t.tracing {
		return nil
	}
	return t.tracer.Tracer("github.com/hivematrix/codex/graph")
}

// serverHandler wraps the routes in a server span per request (continuing a caller's
// traceparent) when tracing is on.
func (t *telemetry) serverHandler(h http.Handler) http.Handler {
	if !t.tracing {
		return h
	}
	return otelhttp.NewHandler(h, "codex", otelhttp.WithTracerProvider(t.tracer), otelhttp.WithPropagators(propagator))
}

// clientTransport wraps the integrations' transport in client spans when tracing is on.
func (t *telemetry) clientTransport(rt http.RoundTripper) http.RoundTripper {
	if !t.tracing {
		return rt
	}
	return otelhttp.NewTransport(rt, otelhttp.WithTracerProvider(t.tracer), otelhttp.WithPropagators(propagator))
}

// observe measures each request (metrics.Middleware) and, once the router has matched
// it, names its server span after the route pattern rather than the raw path.
func (t *telemetry) observe(next http.Handler) http.Handler {
	measured := t.metrics.Middleware(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		measured.ServeHTTP(w, r)
		if span := trace.SpanFromContext(r.Context()); span.IsRecording() {
			route := metrics.RoutePattern(r)
			span.SetName(r.Method + " " + route)
			span.SetAttributes(attribute.String("http.route", route))
			if op := reqinfo.From(r.Context()).Operation(); op != "" {
				span.SetAttributes(attribute.String("graphql.operation.name", op))
			}
		}
	})
}

// notePrincipal records the authenticated principal for the request log.
func notePrincipal(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := codex.PrincipalFrom(r.Context()); p != nil {
			reqinfo.From(r.Context()).SetPrincipal(p.String())
		}
		next.ServeHTTP(w, r)
	})
}

// serveMetrics serves /metrics without a token on [metrics] listen, when set, until
// the returned stop is called; addr is the address it listens on ("" when off).
func (s *server) serveMetrics(ctx context.Context) (addr string, stop func(), err error) {
	if s.cfg.Metrics.Listen == "" {
		return "", func() {}, nil
	}
	ln, err := net.Listen("tcp", s.cfg.Metrics.Listen)
	if err != nil {
		return "", nil, fmt.Errorf("metrics listener: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.tel.metrics.Handler())
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	go func() { _ = hs.Serve(ln) }()
	s.log.Info("serving metrics without a token", "url", "http://"+displayAddr(ln.Addr())+"/metrics")
	return ln.Addr().String(), func() { _ = hs.Shutdown(context.WithoutCancel(ctx)) }, nil
}
