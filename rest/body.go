package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hivematrix/codex/codex"
)

// readObject reads a request body that must be a JSON object of at most MaxBodyBytes,
// sent as application/json, and returns its members undecoded: a PATCH needs to tell an
// absent member from a null one, and a wrong type must be reported with its field.
func readObject(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && !(strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))) {
		return nil, httpError(http.StatusUnsupportedMediaType, "unsupported_media_type",
			"the request body must be sent as Content-Type: application/json")
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &statusError{status: http.StatusRequestEntityTooLarge, kind: "too_large",
				err: &codex.Error{Code: codex.Invalid, Message: fmt.Sprintf("the request body is larger than %d bytes", MaxBodyBytes)}}
		}
		return nil, badRequest("malformed_body", "could not read the request body", nil)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			return nil, badRequest("malformed_json", "the request body must be a JSON object", nil)
		}
		return nil, badRequest("malformed_json", "malformed JSON: "+err.Error(), nil)
	}
	if m == nil {
		return nil, badRequest("malformed_json", "the request body must be a JSON object", nil)
	}
	return m, nil
}

// keys returns the members present in a body.
func keys(body map[string]json.RawMessage) map[string]bool {
	out := make(map[string]bool, len(body))
	for k := range body {
		out[k] = true
	}
	return out
}

// readOnly are the representation fields a body may carry (a client may PUT back what it
// read) but that are never written.
var readOnly = []string{"id", "created_at", "updated_at", "archived_at"}

// jsonFields maps the JSON names of a struct type's fields to their indexes.
func jsonFields(t reflect.Type) map[string]int {
	out := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := jsonName(f)
		if name != "" {
			out[name] = i
		}
	}
	return out
}

// jsonName returns the JSON member name of a struct field, or "" when it has none.
func jsonName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	tag := f.Tag.Get("json")
	if tag == "-" {
		return ""
	}
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		name = f.Name
	}
	return name
}

// applyJSON sets the fields of *dst named by the members of body: null resets a field to
// its zero value, a nested object (an address) is merged into the field, everything else
// replaces it. Unknown members and values of the wrong type are a 400 naming the field;
// read-only members are ignored.
func applyJSON(body map[string]json.RawMessage, dst any) error {
	v := reflect.ValueOf(dst).Elem()
	fields := jsonFields(v.Type())
	problems := map[string]string{}
	for name, raw := range body {
		i, ok := fields[name]
		if !ok {
			problems[name] = "unknown field"
			continue
		}
		if slices.Contains(readOnly, name) {
			continue
		}
		fv := v.Field(i)
		if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			fv.SetZero()
			continue
		}
		nv := reflect.New(fv.Type())
		if merged(fv.Type()) {
			nv.Elem().Set(fv)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(nv.Interface()); err != nil {
			problems[name] = typeMessage(fv.Type(), err)
			continue
		}
		fv.Set(nv.Elem())
	}
	if len(problems) == 0 {
		return nil
	}
	names := make([]string, 0, len(problems))
	for n := range problems {
		names = append(names, n)
	}
	sort.Strings(names)
	return badRequest("invalid_field", "bad field in the request body: "+strings.Join(names, ", "), problems)
}

var (
	timeType = reflect.TypeFor[time.Time]()
	dateType = reflect.TypeFor[codex.Date]()
)

// merged reports whether a JSON object updates a field of type t member by member.
func merged(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t != timeType && t != dateType
}

// typeMessage says what a field of type t must be, for a value that failed to decode.
func typeMessage(t reflect.Type, err error) string {
	if msg, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "unknown member " + msg
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return "must be an RFC 3339 timestamp"
	case t == dateType:
		return "must be a date YYYY-MM-DD"
	}
	switch t.Kind() {
	case reflect.String:
		return "must be a string"
	case reflect.Bool:
		return "must be true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "must be an integer"
	case reflect.Slice:
		return "must be an array of " + kindName(t.Elem())
	case reflect.Map:
		return "must be an object of " + kindName(t.Elem())
	case reflect.Struct:
		return "must be an object"
	}
	return "has the wrong type"
}

func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "strings"
	case reflect.Bool:
		return "booleans"
	case reflect.Int, reflect.Int64:
		return "integers"
	}
	return "values"
}

// diffPatch fills the fields of *patch (a codex patch: pointers named like the row's
// fields) whose values differ between cur and want, and reports whether any did. Sending
// only real changes keeps the audit log truthful and lets a caller PUT back a row holding
// fields it may not change (a billing user's company, a technician's licence without its
// hidden key) as long as it leaves them alone. For nullable columns the patch's
// convention applies: a zero value clears them.
func diffPatch(cur, want, patch any) bool {
	cv, wv := reflect.ValueOf(cur).Elem(), reflect.ValueOf(want).Elem()
	pv := reflect.ValueOf(patch).Elem()
	return diffFields(cv, wv, pv)
}

// diffFields is diffPatch on values: cur and want rows (or nested structs such as an
// address), and the patch (or nested patch) to fill. A patch field that is not a
// pointer (ExpectedVersion) is not a row field and is left alone.
func diffFields(cv, wv, pv reflect.Value) bool {
	changed := false
	for i := 0; i < pv.NumField(); i++ {
		pf := pv.Type().Field(i)
		if pf.Type.Kind() != reflect.Pointer {
			continue
		}
		a, b := cv.FieldByName(pf.Name), wv.FieldByName(pf.Name)
		if !a.IsValid() || !b.IsValid() {
			panic("rest: patch field " + pv.Type().Name() + "." + pf.Name + " has no row field")
		}
		if same(a, b) {
			continue
		}
		elem := pf.Type.Elem() // the patch field is *X
		nv := reflect.New(elem)
		switch {
		case elem.Kind() == reflect.Struct && b.Kind() == reflect.Struct && elem != b.Type():
			// A nested patch (an address): only the members that differ.
			diffFields(a, b, nv.Elem())
		case b.Type() == elem:
			nv.Elem().Set(b)
		case b.Kind() == reflect.Pointer && b.Type().Elem() == elem:
			if !b.IsNil() {
				nv.Elem().Set(b.Elem())
			} // nil: the zero value clears the column
		default:
			panic("rest: patch field " + pv.Type().Name() + "." + pf.Name + " does not fit its row field")
		}
		pv.Field(i).Set(nv)
		changed = true
	}
	return changed
}

// same compares two field values as stored: instants by time, empty and nil lists alike.
func same(a, b reflect.Value) bool {
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return same(a.Elem(), b.Elem())
	case reflect.Slice, reflect.Map:
		if a.Len() == 0 && b.Len() == 0 {
			return true
		}
	case reflect.Struct:
		if a.Type() == timeType {
			return a.Interface().(time.Time).Equal(b.Interface().(time.Time))
		}
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}
