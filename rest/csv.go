package rest

import (
	"encoding"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hivematrix/codex/codex"
)

// csvFlushRows is how many rows are buffered before a CSV export flushes to the client.
const csvFlushRows = 1000

// column is one CSV column: the JSON name of a field (address_city for a nested field)
// and how to write its value as the JSON shows it.
type column struct {
	name  string
	index []int
	enc   func(reflect.Value) string
}

var columnCache sync.Map // reflect.Type -> []column

// columnsOf returns the CSV columns of a representation type: its JSON fields, in order,
// with nested objects (addresses) flattened into prefix_member columns.
func columnsOf(t reflect.Type) []column {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if cols, ok := columnCache.Load(t); ok {
		return cols.([]column)
	}
	cols := appendColumns(nil, t, "", nil)
	columnCache.Store(t, cols)
	return cols
}

func appendColumns(cols []column, t reflect.Type, prefix string, index []int) []column {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := jsonName(f)
		if name == "" {
			continue
		}
		idx := append(slices.Clone(index), i)
		if merged(f.Type) {
			cols = appendColumns(cols, f.Type, prefix+name+"_", idx)
			continue
		}
		cols = append(cols, column{name: prefix + name, index: idx, enc: encoder(f.Type)})
	}
	return cols
}

var textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()

// encoder returns how a value of type t is written in a CSV cell: as its JSON value, with
// strings unquoted, null empty, lists joined with ';' and maps as JSON.
func encoder(t reflect.Type) func(reflect.Value) string {
	switch {
	case t.Kind() == reflect.Pointer:
		elem := encoder(t.Elem())
		return func(v reflect.Value) string {
			if v.IsNil() {
				return ""
			}
			return elem(v.Elem())
		}
	case t == timeType:
		return func(v reflect.Value) string { return v.Interface().(time.Time).Format(time.RFC3339Nano) }
	case t.Implements(textMarshaler):
		return func(v reflect.Value) string {
			b, _ := v.Interface().(encoding.TextMarshaler).MarshalText()
			return string(b)
		}
	}
	switch t.Kind() {
	case reflect.String:
		return func(v reflect.Value) string { return v.String() }
	case reflect.Bool:
		return func(v reflect.Value) string { return strconv.FormatBool(v.Bool()) }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(v reflect.Value) string { return strconv.FormatInt(v.Int(), 10) }
	case reflect.Slice:
		elem := encoder(t.Elem())
		return func(v reflect.Value) string {
			parts := make([]string, v.Len())
			for i := range parts {
				parts[i] = elem(v.Index(i))
			}
			return strings.Join(parts, ";")
		}
	case reflect.Map:
		return func(v reflect.Value) string {
			if v.IsNil() {
				return ""
			}
			b, _ := json.Marshal(v.Interface())
			return string(b)
		}
	}
	return func(v reflect.Value) string {
		b, _ := json.Marshal(v.Interface())
		if s, err := strconv.Unquote(string(b)); err == nil {
			return s
		}
		return string(b)
	}
}

// streamCSV writes the rows run emits as CSV, flushing every csvFlushRows rows, so an
// export of any size holds one row in memory. The header is written with the first row
// (or at the end of an empty export): an error before then still gets a problem response.
// An error after rows went out aborts the connection, so a client cannot mistake a
// truncated export for a complete one.
func streamCSV[R any](a *API, w http.ResponseWriter, r *http.Request, name string, run func(emit func(R) error) error) {
	cols := columnsOf(reflect.TypeFor[R]())
	cw := csv.NewWriter(w)
	rc := http.NewResponseController(w)
	record := make([]string, len(cols))
	rows := 0
	start := func() error {
		h := w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		for i, c := range cols {
			record[i] = c.name
		}
		return cw.Write(record)
	}
	err := run(func(row R) error {
		if rows == 0 {
			if err := start(); err != nil {
				return err
			}
		}
		v := reflect.ValueOf(row)
		for v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
		for i, c := range cols {
			record[i] = c.enc(v.FieldByIndex(c.index))
		}
		if err := cw.Write(record); err != nil {
			return err
		}
		rows++
		if rows%csvFlushRows == 0 {
			cw.Flush()
			if err := cw.Error(); err != nil {
				return err
			}
			_ = rc.Flush()
		}
		return nil
	})
	if err == nil && rows == 0 {
		err = start()
	}
	if err == nil {
		cw.Flush()
		err = cw.Error()
	}
	if err == nil {
		return
	}
	if rows == 0 {
		a.problem(w, r, err)
		return
	}
	a.log.ErrorContext(r.Context(), "rest: CSV export aborted", "request_id", codex.RequestIDFrom(r.Context()),
		"path", r.URL.Path, "rows", rows, "err", err)
	panic(http.ErrAbortHandler)
}
