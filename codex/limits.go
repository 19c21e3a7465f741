package codex

import (
	"math"
	"reflect"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Limits on stored values, the same on both databases and checked by every entity's
// Validate (a 422 naming the field), so that no value reaches a database that would
// refuse it with its own error: PostgreSQL cannot index a text of more than about 2,700
// bytes ("index row size exceeds btree maximum"), has no year 0 or 10000 in its dates,
// stores 32-bit integers and refuses NUL characters; SQLite accepts all of these.
const (
	// MaxText is the length, in characters, of a one-line text field: names, e-mail
	// addresses, serial numbers, host names, phone numbers, models, address lines (255
	// characters are at most 1,020 bytes, well inside an index entry).
	MaxText = 255
	// MaxLongText is the length of free text: notes and descriptions.
	MaxLongText = 10000
	// MaxURL is the length of a URL (a web site, a management address).
	MaxURL = 2000
	// MaxItems is how many entries a list (domains, roles, IP addresses) or a map
	// (settings, custom fields) may hold.
	MaxItems = 100
	// MaxKey is the length of a map's key, MaxValue that of its value.
	MaxKey   = 100
	MaxValue = 2000
	// MinYear and MaxYear bound the years of dates and timestamps.
	MinYear = 1
	MaxYear = 9999
	// MaxInt is the largest integer a column holds (32-bit).
	MaxInt = math.MaxInt32
)

// longText and urlFields are the JSON names of the fields with the larger limits.
var (
	longText  = map[string]bool{"notes": true, "description": true}
	urlFields = map[string]bool{"website": true, "management_url": true}
)

// textLimit returns the length limit of the text field named name.
func textLimit(name string) int {
	switch {
	case longText[name]:
		return MaxLongText
	case urlFields[name]:
		return MaxURL
	}
	return MaxText
}

// limitField is one field of an entity the limits apply to.
type limitField struct {
	name  string // the JSON name, as errors name it
	index []int
}

var limitFields sync.Map // reflect.Type -> []limitField

// fieldsOf returns the fields of struct type t, nested structs (addresses) flattened as
// prefix_member, as the JSON and CSV shapes name them.
func fieldsOf(t reflect.Type) []limitField {
	if fs, ok := limitFields.Load(t); ok {
		return fs.([]limitField)
	}
	var walk func(t reflect.Type, prefix string, index []int) []limitField
	walk = func(t reflect.Type, prefix string, index []int) []limitField {
		var out []limitField
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" || name == "" {
				continue
			}
			idx := append(append([]int(nil), index...), i)
			if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeFor[time.Time]() && f.Type != reflect.TypeFor[Date]() {
				out = append(out, walk(f.Type, prefix+name+"_", idx)...)
				continue
			}
			out = append(out, limitField{name: prefix + name, index: idx})
		}
		return out
	}
	fs := walk(t, "", nil)
	limitFields.Store(t, fs)
	return fs
}

// checkLimits records in v every field of row (a pointer to an entity) outside the limits
// above.
func checkLimits(v *Validation, row any) {
	rv := reflect.ValueOf(row).Elem()
	for _, f := range fieldsOf(rv.Type()) {
		checkValue(v, f.name, rv.FieldByIndex(f.index))
	}
}

func checkValue(v *Validation, name string, fv reflect.Value) {
	switch x := fv.Interface().(type) {
	case string:
		checkText(v, name, x, textLimit(name))
	case []string:
		v.Check(len(x) <= MaxItems, name, "must have at most %d entries", MaxItems)
		for _, s := range x {
			checkText(v, name, s, MaxText)
		}
	case map[string]string:
		v.Check(len(x) <= MaxItems, name, "must have at most %d entries", MaxItems)
		for k, s := range x {
			checkText(v, name, k, MaxKey)
			checkText(v, name, s, MaxValue)
		}
	case *string:
		if x != nil {
			checkText(v, name, *x, textLimit(name))
		}
	case Date:
		checkDate(v, name, x)
	case *Date:
		if x != nil {
			checkDate(v, name, *x)
		}
	case time.Time:
		checkYear(v, name, x)
	case *time.Time:
		if x != nil {
			checkYear(v, name, *x)
		}
	case int:
		checkInt(v, name, int64(x))
	case *int:
		if x != nil {
			checkInt(v, name, int64(*x))
		}
	}
}

func checkText(v *Validation, name, s string, limit int) {
	if len(s) > limit && utf8.RuneCountInString(s) > limit {
		v.Add(name, "must be at most %d characters", limit)
		return
	}
	if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		v.Add(name, "must be UTF-8 text without NUL characters")
	}
}

func checkDate(v *Validation, name string, d Date) {
	if d.IsZero() {
		return
	}
	v.Check(d.Year >= MinYear && d.Year <= MaxYear && DateOf(d.Time()) == d, name,
		"must be a date between %04d-01-01 and %04d-12-31", MinYear, MaxYear)
}

func checkYear(v *Validation, name string, t time.Time) {
	if t.IsZero() {
		return
	}
	y := t.UTC().Year()
	v.Check(y >= MinYear && y <= MaxYear, name, "must be a time between the years %d and %d", MinYear, MaxYear)
}

func checkInt(v *Validation, name string, n int64) {
	v.Check(n >= -MaxInt-1 && n <= MaxInt, name, "must be between %d and %d", -MaxInt-1, MaxInt)
}
