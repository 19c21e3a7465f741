package graph

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/reqinfo"
)

// observe is the gqlgen extension that tells the server's middlewares about each
// operation (its name, the codes of the errors answered; see reqinfo), logs each error
// with its code, and, with a tracer, records a span for each resolver that took longer
// than fieldThreshold (a span per field would swamp the trace for little insight).
type observe struct {
	log            *slog.Logger
	tracer         trace.Tracer
	fieldThreshold time.Duration
}

var (
	_ graphql.HandlerExtension     = observe{}
	_ graphql.OperationInterceptor = observe{}
	_ graphql.ResponseInterceptor  = observe{}
	_ graphql.FieldInterceptor     = observe{}
)

func (observe) ExtensionName() string                   { return "CodexObserve" }
func (observe) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation records the operation's name.
func (o observe) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if oc := graphql.GetOperationContext(ctx); oc != nil {
		name := oc.OperationName
		if name == "" && oc.Operation != nil {
			name = oc.Operation.Name
		}
		reqinfo.From(ctx).SetOperation(name)
		if span := trace.SpanFromContext(ctx); span.IsRecording() && name != "" {
			span.SetAttributes(attribute.String("graphql.operation.name", name))
		}
	}
	return next(ctx)
}

// InterceptResponse records and logs the code of each error in the response, request
// errors (parsing, validation, limits) included.
func (o observe) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil {
		return nil
	}
	info := reqinfo.From(ctx)
	for _, e := range resp.Errors {
		code, _ := e.Extensions["code"].(string)
		if code == "" {
			code = "UNKNOWN"
		}
		info.AddError(code)
		level := slog.LevelInfo
		if code == errorCodes[codex.Internal] {
			level = slog.LevelWarn // the presenter has logged the cause at error level
		}
		o.log.Log(ctx, level, "graph: error", "request_id", codex.RequestIDFrom(ctx),
			"operation", info.Operation(), "code", code, "path", e.Path.String(), "message", e.Message)
	}
	return resp
}

// InterceptField times resolvers when a tracer is set, and records a span for each one
// slower than the threshold, backdated to its start.
func (o observe) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	if o.tracer == nil {
		return next(ctx)
	}
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !fc.IsResolver {
		return next(ctx)
	}
	start := time.Now()
	res, err := next(ctx)
	if took := time.Since(start); took >= o.fieldThreshold {
		_, span := o.tracer.Start(ctx, fmt.Sprintf("graphql.resolve %s.%s", fc.Object, fc.Field.Name),
			trace.WithTimestamp(start), trace.WithAttributes(
				attribute.String("graphql.field.path", fc.Path().String()),
				attribute.Int64("graphql.field.duration_ms", took.Milliseconds())))
		if err != nil {
			span.RecordError(err)
		}
		span.End(trace.WithTimestamp(start.Add(took)))
	}
	return res, err
}
