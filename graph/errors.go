package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/hivematrix/codex/codex"
)

// The extensions.code of each codex error code.
var errorCodes = map[codex.Code]string{
	codex.Invalid:         "BAD_USER_INPUT",
	codex.NotFound:        "NOT_FOUND",
	codex.Conflict:        "CONFLICT",
	codex.Unauthenticated: "UNAUTHENTICATED",
	codex.Forbidden:       "FORBIDDEN",
	codex.Unavailable:     "UNAVAILABLE",
	codex.Internal:        "INTERNAL",
}

// presentError is the one place errors take their GraphQL form: a user-safe message and
// extensions.code (plus extensions.fields for invalid input). Internal errors are logged
// in full with the request id and shown as "internal error". Errors gqlgen and the limits
// raise before execution (validation, depth, complexity, persisted queries) keep their
// codes.
func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		out := graphql.DefaultErrorPresenter(ctx, err)
		var ce *codex.Error
		switch {
		case errors.As(err, &ce) && ce.Code != codex.Internal:
			setCode(out, errorCodes[ce.Code])
			out.Message = ce.Message
			if len(ce.Fields) > 0 {
				fields := make(map[string]any, len(ce.Fields))
				for k, msg := range ce.Fields {
					fields[graphName(k)] = msg
				}
				out.Extensions["fields"] = fields
				out.Message = ce.Message + ": " + describeFields(fields)
			}
		case ce == nil && out.Extensions["code"] != nil:
			// Already classified (validation, parsing, limits, persisted queries).
		case errors.Is(err, context.DeadlineExceeded):
			setCode(out, errorCodes[codex.Unavailable])
			out.Message = "the request took too long and was stopped"
		case errors.Is(err, context.Canceled):
			setCode(out, errorCodes[codex.Unavailable])
			out.Message = "the request was cancelled"
		case ce == nil && isGQLError(err) && errors.Unwrap(err) == nil:
			// gqlgen's own message about the query or its result ("must not be null").
			setCode(out, errorCodes[codex.Internal])
		default:
			log.ErrorContext(ctx, "graph: internal error", "request_id", codex.RequestIDFrom(ctx),
				"path", out.Path.String(), "error", err.Error())
			setCode(out, errorCodes[codex.Internal])
			out.Message = "internal error"
		}
		return out
	}
}

// renameFields returns err with its field names translated by names (codex's name ->
// the GraphQL input's), for the few inputs whose names differ from codex's.
func renameFields(err error, names map[string]string) error {
	var ce *codex.Error
	if !errors.As(err, &ce) || len(ce.Fields) == 0 {
		return err
	}
	out := *ce
	out.Fields = make(map[string]string, len(ce.Fields))
	for k, msg := range ce.Fields {
		if n, ok := names[k]; ok {
			k = n
		}
		out.Fields[k] = msg
	}
	return &out
}

// recoverPanic logs a resolver's panic with its stack and answers INTERNAL.
func recoverPanic(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, v any) error {
		log.ErrorContext(ctx, "graph: panic", "request_id", codex.RequestIDFrom(ctx),
			"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		err := gqlerror.Errorf("internal error")
		setCode(err, errorCodes[codex.Internal])
		return err
	}
}

func setCode(e *gqlerror.Error, code string) {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions["code"] = code
}

func isGQLError(err error) bool {
	_, ok := err.(*gqlerror.Error)
	return ok
}

// graphName turns a codex field name ("account_number", "filter.company_id") into the
// GraphQL input field's name ("accountNumber", "filter.companyId").
func graphName(field string) string {
	parts := strings.Split(field, ".")
	for i, p := range parts {
		words := strings.Split(p, "_")
		for j := 1; j < len(words); j++ {
			if words[j] != "" {
				words[j] = strings.ToUpper(words[j][:1]) + words[j][1:]
			}
		}
		parts[i] = strings.Join(words, "")
	}
	return strings.Join(parts, ".")
}

// describeFields lists field messages in a stable order for the error message.
func describeFields(fields map[string]any) string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %v", k, fields[k])
	}
	return strings.Join(parts, "; ")
}
