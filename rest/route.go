package rest

import (
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hivematrix/codex/codex"
)

// route is one row of the route table. The same rows register the chi routes and produce
// the OpenAPI document, so the two cannot drift apart; the query parameters they declare
// are also the only ones a request may carry.
type route struct {
	method  string
	pattern string // chi pattern relative to /api; {name} path parameters only
	summary string
	tag     string
	params  []param      // query parameters (path parameters come from the pattern)
	body    reflect.Type // request body schema; nil when the route takes none
	result  reflect.Type // success body schema; nil for none
	list    bool         // the result is a JSON array, and text/csv is offered
	status  int          // success status
	public  bool         // served without a principal, outside Routes (PublicTheme)
	op      string       // the OpenAPI operationId; derived from method and pattern when empty (operationID)
	etag    bool         // the success response is one row with its version as ETag
	ifMatch bool         // a write of one row: If-Match is honoured (412 on mismatch, 428 when required)
	handler http.HandlerFunc
}

// param is a query parameter: its name, documentation and OpenAPI type.
type param struct {
	name     string
	doc      string
	typ      string // string, integer or boolean
	format   string // date, date-time, cidr, email, int64
	enum     []string
	list     bool // several values, comma-separated or repeated
	required bool
}

// redactParam is accepted everywhere: the auth middleware reads it (see auth.Middleware).
var redactParam = param{name: "redact", typ: "boolean",
	doc: "Ask for PHI/CJIS-redacted data (like the X-Codex-Redact header); it can add redaction, never lift it."}

// checkQuery refuses a query carrying a parameter the route does not declare, naming it.
func checkQuery(rt *route, q url.Values) error {
	var unknown map[string]string
	for name := range q {
		if name == redactParam.name || slices.ContainsFunc(rt.params, func(p param) bool { return p.name == name }) {
			continue
		}
		if unknown == nil {
			unknown = map[string]string{}
		}
		unknown[name] = "unknown parameter"
	}
	if unknown == nil {
		return nil
	}
	names := make([]string, 0, len(unknown))
	for n := range unknown {
		names = append(names, n)
	}
	sort.Strings(names)
	return badRequest("unknown_parameter", "unknown query parameter: "+strings.Join(names, ", "), unknown)
}

// filterParam is a query parameter that sets a field of a list filter F.
type filterParam[F any] struct {
	param
	set func(f *F, values []string) error
}

// single returns the one value of a parameter, refusing repeats.
func single(name string, values []string) (string, error) {
	if len(values) != 1 {
		return "", paramError(name, "must be given once")
	}
	return values[0], nil
}

// paramError is a 400 naming a malformed query parameter.
func paramError(name, msg string) error {
	return badRequest("invalid_parameter", "query parameter "+name+" "+msg, map[string]string{name: msg})
}

// bindFilter sets the fields of f from the query parameters the route declares.
func bindFilter[F any](q url.Values, params []filterParam[F], f *F) error {
	for _, p := range params {
		if values, ok := q[p.name]; ok {
			if err := p.set(f, values); err != nil {
				return err
			}
		}
	}
	return nil
}

func docParams[F any](params []filterParam[F]) []param {
	out := make([]param, len(params))
	for i, p := range params {
		out[i] = p.param
	}
	return out
}

func parseID(name, s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id <= 0 {
		return 0, paramError(name, "must be a positive integer id")
	}
	return id, nil
}

func parseBool(name, s string) (bool, error) {
	b, err := strconv.ParseBool(strings.TrimSpace(s))
	if err != nil {
		return false, paramError(name, "must be true or false")
	}
	return b, nil
}

// idParam filters by a company, contact or other row id.
func idParam[F any](name, doc string, field func(*F) **int64) filterParam[F] {
	return filterParam[F]{param{name: name, doc: doc, typ: "integer", format: "int64"}, func(f *F, vs []string) error {
		s, err := single(name, vs)
		if err != nil {
			return err
		}
		id, err := parseID(name, s)
		if err != nil {
			return err
		}
		*field(f) = &id
		return nil
	}}
}

// flagParam sets a boolean filter field.
func flagParam[F any](name, doc string, field func(*F) *bool) filterParam[F] {
	return filterParam[F]{param{name: name, doc: doc, typ: "boolean"}, func(f *F, vs []string) error {
		s, err := single(name, vs)
		if err != nil {
			return err
		}
		b, err := parseBool(name, s)
		*field(f) = b
		return err
	}}
}

// triParam sets an optional boolean filter field (absent = either).
func triParam[F any](name, doc string, field func(*F) **bool) filterParam[F] {
	return filterParam[F]{param{name: name, doc: doc, typ: "boolean"}, func(f *F, vs []string) error {
		s, err := single(name, vs)
		if err != nil {
			return err
		}
		b, err := parseBool(name, s)
		*field(f) = &b
		return err
	}}
}

// textParam sets a string filter field.
func textParam[F any](name, doc string, field func(*F) *string) filterParam[F] {
	return filterParam[F]{param{name: name, doc: doc, typ: "string"}, func(f *F, vs []string) error {
		s, err := single(name, vs)
		if err != nil {
			return err
		}
		if len(s) > 500 {
			return paramError(name, "must be at most 500 characters")
		}
		*field(f) = strings.TrimSpace(s)
		return nil
	}}
}

// enumParam sets a list-of-values filter field: ?type=server,laptop or ?type=server&type=laptop.
func enumParam[F any, E ~string](name, doc string, allowed []E, field func(*F) *[]E) filterParam[F] {
	names := make([]string, len(allowed))
	for i, e := range allowed {
		names[i] = string(e)
	}
	return filterParam[F]{param{name: name, doc: doc, typ: "string", enum: names, list: true}, func(f *F, vs []string) error {
		var out []E
		for _, v := range vs {
			for _, s := range strings.Split(v, ",") {
				s = strings.TrimSpace(s)
				if !slices.Contains(names, s) {
					return paramError(name, "must be one of "+strings.Join(names, ", ")+" (got "+strconv.Quote(s)+")")
				}
				out = append(out, E(s))
			}
		}
		*field(f) = out
		return nil
	}}
}

// dateParam sets a YYYY-MM-DD filter field.
func dateParam[F any](name, doc string, field func(*F) **codex.Date) filterParam[F] {
	return filterParam[F]{param{name: name, doc: doc, typ: "string", format: "date"}, func(f *F, vs []string) error {
		s, err := single(name, vs)
		if err != nil {
			return err
		}
		d, err := codex.ParseDate(strings.TrimSpace(s))
		if err != nil {
			return paramError(name, "must be a date YYYY-MM-DD")
		}
		*field(f) = &d
		return nil
	}}
}

// timeParam sets an RFC 3339 timestamp filter field.
func timeParam[F any](name, doc string, field func(*F) **time.Time) filterParam[F] {
	return filterParam[F]{param{name: name, doc: doc, typ: "string", format: "date-time"}, func(f *F, vs []string) error {
		s, err := single(name, vs)
		if err != nil {
			return err
		}
		t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
		if err != nil {
			return paramError(name, "must be an RFC 3339 timestamp such as 2024-01-01T00:00:00Z")
		}
		*field(f) = &t
		return nil
	}}
}

// cidrParam sets a network prefix filter field.
func cidrParam[F any](name, doc string, field func(*F) *string) filterParam[F] {
	return filterParam[F]{param{name: name, doc: doc, typ: "string", format: "cidr"}, func(f *F, vs []string) error {
		s, err := single(name, vs)
		if err != nil {
			return err
		}
		p, err := codex.ParseCIDR(s)
		if err != nil {
			return paramError(name, "must be a CIDR prefix such as 10.0.0.0/24")
		}
		*field(f) = p.String()
		return nil
	}}
}

// orderParam sets the sort order: order_by=name, or order_by=-name for descending.
func orderParam[F any](allowed []string, field func(*F) *codex.Order) filterParam[F] {
	var values []string
	for _, a := range allowed {
		values = append(values, a, "-"+a)
	}
	return filterParam[F]{param{name: "order_by", typ: "string", enum: values,
		doc: "Sort field; prefix with - for descending. The id breaks ties."}, func(f *F, vs []string) error {
		s, err := single("order_by", vs)
		if err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		o := codex.Order{Field: strings.TrimPrefix(s, "-"), Desc: strings.HasPrefix(s, "-")}
		if !slices.Contains(allowed, o.Field) {
			return paramError("order_by", "must be one of "+strings.Join(allowed, ", ")+", optionally prefixed with -")
		}
		*field(f) = o
		return nil
	}}
}
