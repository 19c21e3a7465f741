package datto

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Time is a Datto timestamp. Datto sends epoch milliseconds, as a number or (on some
// accounts) a numeric string, and some accounts send ISO-8601 strings; null and "" are the
// zero Time. It encodes back as epoch milliseconds, or null when zero.
type Time struct {
	time.Time
}

// isoLayouts are the ISO-8601 forms Time accepts; a form without a zone is taken as UTC.
var isoLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	time.DateOnly,
}

// UnmarshalJSON decodes epoch milliseconds (number or numeric string), an ISO-8601 string,
// or null.
func (t *Time) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*t = Time{}
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		v, err := ParseTime(s)
		if err != nil {
			return err
		}
		*t = v
		return nil
	}
	v, err := parseMillis(string(b))
	if err != nil {
		return fmt.Errorf("datto: time %s is not epoch milliseconds", b)
	}
	*t = v
	return nil
}

// MarshalJSON encodes epoch milliseconds, or null for the zero Time.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(strconv.FormatInt(t.UnixMilli(), 10)), nil
}

// ParseTime reads a Datto timestamp given as text: epoch milliseconds or ISO-8601; "" is the
// zero Time.
func ParseTime(s string) (Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Time{}, nil
	}
	if v, err := parseMillis(s); err == nil {
		return v, nil
	}
	for _, layout := range isoLayouts {
		if v, err := time.Parse(layout, s); err == nil {
			return Time{v.UTC()}, nil
		}
	}
	return Time{}, fmt.Errorf("datto: time %q is neither epoch milliseconds nor ISO-8601", s)
}

// parseMillis reads epoch milliseconds, allowing a fraction or exponent (1.7e12).
func parseMillis(s string) (Time, error) {
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return Time{time.UnixMilli(ms).UTC()}, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != f || f > 1e16 || f < -1e16 {
		return Time{}, fmt.Errorf("not epoch milliseconds")
	}
	return Time{time.UnixMilli(int64(f)).UTC()}, nil
}
