// Package model holds the GraphQL-only types: the connections, edges, payloads and inputs
// gqlgen generates (models_gen.go), and the hand-written scalars and values below. Entities
// are codex's own types.
package model

import (
	"encoding/json"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/hivematrix/codex/codex"
)

// Node is any object with a global id; the generated code switches on the concrete type.
type Node interface{}

// IPHolder is an *codex.Asset or a *codex.NetworkEquipment: what holds an IP address
// (the IPHolder union). Like Node it has no methods, so the codex types need no marker.
type IPHolder interface{}

// SearchResult is the answer to `search`; each list is fetched only when it is selected.
type SearchResult struct {
	Query string
	First int
}

// MarshalDate writes a codex.Date as "YYYY-MM-DD".
func MarshalDate(d codex.Date) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		io.WriteString(w, strconv.Quote(d.String()))
	})
}

// UnmarshalDate reads "YYYY-MM-DD".
func UnmarshalDate(v any) (codex.Date, error) {
	s, ok := v.(string)
	if !ok {
		return codex.Date{}, codex.Errorf(codex.Invalid, "a Date must be a string YYYY-MM-DD, not %T", v)
	}
	d, err := codex.ParseDate(s)
	if err != nil {
		return codex.Date{}, codex.Errorf(codex.Invalid, "%s", err)
	}
	return d, nil
}

// MarshalDateTime writes a time as RFC 3339 in UTC.
func MarshalDateTime(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		io.WriteString(w, strconv.Quote(t.UTC().Format(time.RFC3339Nano)))
	})
}

// UnmarshalDateTime reads an RFC 3339 time.
func UnmarshalDateTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, codex.Errorf(codex.Invalid, "a DateTime must be an RFC 3339 string, not %T", v)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, codex.Errorf(codex.Invalid, "%q is not an RFC 3339 time", s)
	}
	return t, nil
}

// MarshalRawJSON writes stored JSON as it is (null when empty).
func MarshalRawJSON(m json.RawMessage) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		if len(m) == 0 {
			io.WriteString(w, "null")
			return
		}
		w.Write(m)
	})
}

// UnmarshalRawJSON accepts any JSON value.
func UnmarshalRawJSON(v any) (json.RawMessage, error) {
	return json.Marshal(v)
}
