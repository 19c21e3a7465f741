package store

import (
	"bytes"
	"encoding/json"
	"io"
	"unicode/utf8"

	"github.com/uptrace/bun/extra/bunjson"
)

// Codex's JSON columns (ip_addresses, domains, roles, tags, custom_fields, …) are lists of
// strings and string maps, and bun decodes each of them with encoding/json on every row it
// scans: a measurable share of the CPU of list pages and of CSV exports. jsonProvider
// decodes the plain cases itself (lists and maps of strings without escape sequences or
// invalid UTF-8) and hands everything else to encoding/json, with the same results: a JSON
// null leaves a nil slice or map, [] an empty slice, and object members are added to the
// map (made when nil), the last duplicate winning.
type jsonProvider struct{ bunjson.StdProvider }

func init() { bunjson.SetProvider(jsonProvider{}) }

func (p jsonProvider) Unmarshal(data []byte, v any) error {
	switch d := v.(type) {
	case *[]string:
		if s, ok := parseStrings(data); ok {
			*d = s
			return nil
		}
	case *map[string]string:
		if parseStringMap(data, d) {
			return nil
		}
	}
	return json.Unmarshal(data, v)
}

func (p jsonProvider) NewDecoder(r io.Reader) bunjson.Decoder { return json.NewDecoder(r) }

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// jsonString reads the string starting at b[i] (a quote) when it has no escapes, control
// characters or invalid UTF-8, returning it and the index after its closing quote.
func jsonString(b []byte, i int) (string, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return "", 0, false
	}
	start, ascii := i+1, true
	for j := start; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			if !ascii && !utf8.Valid(b[start:j]) {
				return "", 0, false
			}
			return string(b[start:j]), j + 1, true
		case c == '\\' || c < 0x20:
			return "", 0, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", 0, false
}

// isNull reports whether data is the JSON null.
func isNull(data []byte) (bool, bool) {
	i := skipSpace(data, 0)
	if len(data)-i >= 4 && string(data[i:i+4]) == "null" {
		return true, skipSpace(data, i+4) == len(data)
	}
	return false, true
}

// parseStrings decodes a JSON array of strings or null; ok is false for anything else.
func parseStrings(data []byte) ([]string, bool) {
	if null, ok := isNull(data); null || !ok {
		return nil, null && ok
	}
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '[' {
		return nil, false
	}
	// Without escapes every element is two quotes: size the list once.
	out := make([]string, 0, bytes.Count(data, []byte{'"'})/2)
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		return out, skipSpace(data, i+1) == len(data)
	}
	for {
		s, j, ok := jsonString(data, i)
		if !ok {
			return nil, false
		}
		out = append(out, s)
		i = skipSpace(data, j)
		if i >= len(data) {
			return nil, false
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case ']':
			return out, skipSpace(data, i+1) == len(data)
		default:
			return nil, false
		}
	}
}

// parseStringMap decodes a JSON object of strings or null into *m; false (with *m
// untouched) for anything else.
func parseStringMap(data []byte, m *map[string]string) bool {
	if null, ok := isNull(data); null || !ok {
		if null && ok {
			*m = nil
		}
		return null && ok
	}
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return false
	}
	type kv struct{ k, v string }
	var buf [16]kv
	pairs := buf[:0]
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		if skipSpace(data, i+1) != len(data) {
			return false
		}
	} else {
		for {
			k, j, ok := jsonString(data, i)
			if !ok {
				return false
			}
			j = skipSpace(data, j)
			if j >= len(data) || data[j] != ':' {
				return false
			}
			v, j, ok := jsonString(data, skipSpace(data, j+1))
			if !ok {
				return false
			}
			pairs = append(pairs, kv{k, v})
			i = skipSpace(data, j)
			if i >= len(data) {
				return false
			}
			if data[i] == '}' {
				if skipSpace(data, i+1) != len(data) {
					return false
				}
				break
			}
			if data[i] != ',' {
				return false
			}
			i = skipSpace(data, i+1)
		}
	}
	if *m == nil {
		*m = make(map[string]string, len(pairs))
	}
	for _, p := range pairs {
		(*m)[p.k] = p.v
	}
	return true
}
