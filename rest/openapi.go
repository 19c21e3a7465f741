package rest

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/hivematrix/codex/codex"
)

// enums lists the values of the codex enumerations, for the schemas.
var enums = map[reflect.Type][]string{
	reflect.TypeFor[codex.CompanyKind]():     {"client", "vendor", "internal"},
	reflect.TypeFor[codex.CompanyStatus]():   {"active", "inactive"},
	reflect.TypeFor[codex.ComplianceLevel](): {"standard", "hipaa", "cjis"},
	reflect.TypeFor[codex.Designation]():     {"primary", "secondary", "none"},
	reflect.TypeFor[codex.AssetType]():       strs(codex.AssetTypes),
	reflect.TypeFor[codex.AssetStatus]():     {"active", "in_repair", "retired"},
	reflect.TypeFor[codex.EquipmentType]():   {"router", "switch", "firewall", "access_point", "other"},
	reflect.TypeFor[codex.TicketStatus]():    {"open", "pending", "resolved", "closed"},
	reflect.TypeFor[codex.TicketPriority]():  {"low", "medium", "high", "urgent"},
	reflect.TypeFor[codex.Theme]():           {"light", "dark"},
}

func strs[E ~string](es []E) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = string(e)
	}
	return out
}

// nullable are members that are null on purpose: an asset's secret_fields are null for a
// caller who may not see secrets (codex.Asset.StripSecrets), which is not the same as
// having none ({}).
var nullable = []string{"secret_fields"}

var pathParam = regexp.MustCompile(`\{([a-zA-Z_]+)\}`)

// openAPI serves the document, built once from the route table.
func (a *API) openAPI(w http.ResponseWriter, r *http.Request) {
	a.once.Do(func() {
		a.doc, _ = json.MarshalIndent(a.Document(), "", "  ")
	})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(a.doc)
}

// Document returns the OpenAPI 3 description of the routes: paths relative to the /api
// server, operations with their parameters, and component schemas derived from the Go
// types' json tags.
func (a *API) Document() map[string]any {
	schemas := map[string]any{}
	s := &schemaGen{schemas: schemas}
	in := &schemaGen{schemas: schemas, input: true}
	problem := s.of(reflect.TypeFor[Problem]())
	paths := map[string]any{}
	for _, rt := range a.tbl {
		item, _ := paths[rt.pattern].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.pattern] = item
		}
		op := map[string]any{
			"summary":     rt.summary,
			"operationId": operationID(rt),
			"tags":        []string{rt.tag},
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.pattern, -1) {
			schema := map[string]any{"type": "string"}
			if m[1] == "id" {
				schema = map[string]any{"type": "integer", "format": "int64"}
			}
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": schema})
		}
		for _, p := range append(slices.Clone(rt.params), redactParam) {
			params = append(params, queryParam(p))
		}
		if rt.ifMatch {
			params = append(params, map[string]any{"name": "If-Match", "in": "header", "schema": map[string]any{"type": "string"},
				"description": "The ETag of the row as you read it (or *): a write over a newer version is refused with 412; " +
					"a server run with require_if_match answers 428 without it."})
		}
		op["parameters"] = params
		if rt.body != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": in.of(rt.body)}}}
		}
		ok := map[string]any{"description": http.StatusText(rt.status)}
		if rt.result != nil {
			schema := s.of(rt.result)
			content := map[string]any{}
			if rt.list {
				schema = map[string]any{"type": "array", "items": schema}
				content["text/csv"] = map[string]any{"schema": map[string]any{"type": "string"}}
				ok["headers"] = map[string]any{
					"X-Total-Count": map[string]any{"description": "Rows matching the filters.", "schema": map[string]any{"type": "integer"}},
					"Link":          map[string]any{"description": `rel="next" and rel="prev" pages of the same query.`, "schema": map[string]any{"type": "string"}},
				}
			}
			content["application/json"] = map[string]any{"schema": schema}
			ok["content"] = content
		}
		if rt.etag {
			headers, _ := ok["headers"].(map[string]any)
			if headers == nil {
				headers = map[string]any{}
			}
			headers["ETag"] = map[string]any{"description": "The row's version: send it back as If-Match to change the row only if nobody else has.",
				"schema": map[string]any{"type": "string"}}
			ok["headers"] = headers
		}
		problemOf := func(desc string) map[string]any {
			return map[string]any{"description": desc,
				"content": map[string]any{"application/problem+json": map[string]any{"schema": problem}}}
		}
		responses := map[string]any{
			strconv.Itoa(rt.status): ok,
			"default":               problemOf("A problem (RFC 9457)."),
		}
		tooMany := problemOf("Too many requests from this principal (or, unauthenticated, this address): retry after Retry-After seconds.")
		tooMany["headers"] = map[string]any{"Retry-After": map[string]any{"description": "Seconds to wait before retrying.",
			"required": true, "schema": map[string]any{"type": "integer"}}}
		responses["429"] = tooMany
		if rt.ifMatch {
			responses["412"] = problemOf("If-Match does not match the row's current ETag: someone changed it since you read it.")
			responses["428"] = problemOf("This server requires If-Match on writes of a row, and the request has none.")
		}
		op["responses"] = responses
		if rt.public {
			op["security"] = []any{}
		}
		item[strings.ToLower(rt.method)] = op
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "Codex REST API", "version": "1",
			"description": "The documented /api paths of Codex, over the same services and policy as GraphQL."},
		"servers":  []any{map[string]any{"url": "/api"}},
		"security": []any{map[string]any{"bearer": []string{}}},
		"paths":    paths,
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{"bearer": map[string]any{
				"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
		},
	}
}

// operationID is rt's operationId: rt.op, or a name derived from the method and the
// pattern as a person would call it. Each segment followed by a parameter is made
// singular; a DELETE archives (nothing is deleted):
//
//	GET    /companies                  listCompanies (a list)
//	GET    /companies/{id}             getCompany
//	GET    /companies/{id}/assets      listCompanyAssets
//	POST   /companies                  createCompany
//	PUT    /companies/{id}             replaceCompany
//	PATCH  /companies/{id}             updateCompany
//	DELETE /companies/{id}             archiveCompany
//	POST   /assets/{id}/restore        restoreAsset (an action after an id)
func operationID(rt route) string {
	if rt.op != "" {
		return rt.op
	}
	segs := strings.Split(strings.Trim(rt.pattern, "/"), "/")
	var words []string
	for i, seg := range segs {
		if strings.HasPrefix(seg, "{") {
			continue
		}
		if i+1 < len(segs) && strings.HasPrefix(segs[i+1], "{") {
			seg = singular(seg)
		}
		words = append(words, seg)
	}
	endsWithParam := strings.HasPrefix(segs[len(segs)-1], "{")
	verb := ""
	switch rt.method {
	case http.MethodGet:
		verb = "get"
		if rt.list {
			verb = "list"
		}
	case http.MethodPost:
		switch {
		case len(segs) >= 2 && strings.HasPrefix(segs[len(segs)-2], "{"):
			// an action on a row: POST /assets/{id}/restore
			verb, words = words[len(words)-1], words[:len(words)-1]
		default:
			verb = "create"
			words[len(words)-1] = singular(words[len(words)-1])
		}
	case http.MethodPut:
		verb = "replace"
		if !endsWithParam {
			verb = "update"
		}
	case http.MethodPatch:
		verb = "update"
	case http.MethodDelete:
		verb = "archive"
	default:
		verb = strings.ToLower(rt.method)
	}
	var b strings.Builder
	b.WriteString(verb)
	for _, w := range words {
		for part := range strings.SplitSeq(strings.NewReplacer(".", "_", "-", "_").Replace(w), "_") {
			if up, ok := acronyms[part]; ok {
				part = up
			} else if part != "" {
				part = strings.ToUpper(part[:1]) + part[1:]
			}
			b.WriteString(part)
		}
	}
	return b.String()
}

// acronyms are written in capitals inside operation ids.
var acronyms = map[string]string{"ip": "IP", "ips": "IPs", "json": "JSON", "openapi": "OpenAPI"}

// singular turns a collection's name into one row's: companies -> company, assets ->
// asset; network_equipment stays.
func singular(s string) string {
	switch {
	case strings.HasSuffix(s, "ies"):
		return strings.TrimSuffix(s, "ies") + "y"
	case strings.HasSuffix(s, "s") && !strings.HasSuffix(s, "ss"):
		return strings.TrimSuffix(s, "s")
	}
	return s
}

func queryParam(p param) map[string]any {
	schema := map[string]any{"type": p.typ}
	if p.format != "" {
		schema["format"] = p.format
	}
	if len(p.enum) > 0 {
		schema["enum"] = p.enum
	}
	if p.list {
		schema = map[string]any{"type": "array", "items": schema}
	}
	out := map[string]any{"name": p.name, "in": "query", "description": p.doc, "schema": schema}
	if p.list {
		out["style"], out["explode"] = "form", false
	}
	if p.required {
		out["required"] = true
	}
	return out
}

// schemaGen derives JSON schemas from Go types, naming each struct in components.
// A response schema requires every property the type always writes (those without
// omitempty); a request body's (input) is a separate schema, {Name}Input, that requires
// none, since a body may leave out any member (PATCH changes only what it names, POST and
// PUT take defaults, and the server answers a missing required value with a problem).
type schemaGen struct {
	schemas map[string]any
	input   bool
}

func (s *schemaGen) of(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == dateType:
		return map[string]any{"type": "string", "format": "date"}
	case t == reflect.TypeFor[json.RawMessage]():
		return map[string]any{}
	}
	switch t.Kind() {
	case reflect.Pointer:
		inner := s.of(t.Elem())
		if t.Elem().Kind() == reflect.Struct && !slices.Contains([]reflect.Type{timeType, dateType}, t.Elem()) {
			return inner // a row, not a nullable field
		}
		out := map[string]any{"nullable": true}
		for k, v := range inner {
			out[k] = v
		}
		return out
	case reflect.String:
		out := map[string]any{"type": "string"}
		if e, ok := enums[t]; ok {
			out["enum"] = e
		}
		return out
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return map[string]any{"type": "integer", "format": "int64"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": s.of(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": s.of(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := t.Name()
		if s.input {
			name += "Input"
		}
		ref := map[string]any{"$ref": "#/components/schemas/" + name}
		if _, done := s.schemas[name]; done {
			return ref
		}
		s.schemas[name] = nil // reserve against recursion
		props := map[string]any{}
		var required []string
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			n := jsonName(f)
			if n == "" {
				continue
			}
			if _, opts, _ := strings.Cut(f.Tag.Get("json"), ","); !s.input && !strings.Contains(","+opts+",", ",omitempty,") {
				required = append(required, n)
			}
			p := s.of(f.Type)
			if slices.Contains(readOnly, n) {
				p = withKey(p, "readOnly", true)
			}
			if slices.Contains(nullable, n) {
				p = withKey(p, "nullable", true)
			}
			props[n] = p
		}
		schema := map[string]any{"type": "object", "properties": props}
		if len(required) > 0 {
			schema["required"] = required
		}
		s.schemas[name] = schema
		return ref
	}
	return map[string]any{}
}

// withKey returns schema with one more keyword; a $ref cannot take siblings in 3.0, so it
// is wrapped in allOf.
func withKey(schema map[string]any, k string, v any) map[string]any {
	if _, ok := schema["$ref"]; ok {
		return map[string]any{"allOf": []any{schema}, k: v}
	}
	out := map[string]any{k: v}
	for kk, vv := range schema {
		out[kk] = vv
	}
	return out
}
