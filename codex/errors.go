package codex

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Code classifies an Error. Each transport maps codes to its own form in one place.
type Code string

// The closed set of error codes.
const (
	Invalid         Code = "invalid"
	NotFound        Code = "not_found"
	Conflict        Code = "conflict"
	Unauthenticated Code = "unauthenticated"
	Forbidden       Code = "forbidden"
	Unavailable     Code = "unavailable"
	Internal        Code = "internal"
)

// Error is Codex's one error type: a code, a user-safe message and, for invalid input,
// a message per offending field (keys are the field names of the input, snake_case).
type Error struct {
	Code    Code
	Message string
	Fields  map[string]string
	// Err is the underlying cause; it is logged, never shown to callers.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	if len(e.Fields) > 0 {
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString(" (")
		for i, k := range keys {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(k + ": " + e.Fields[k])
		}
		b.WriteString(")")
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error with the given code and formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an internal error that keeps err as its logged cause.
func Wrap(err error, format string, args ...any) *Error {
	return &Error{Code: Internal, Message: fmt.Sprintf(format, args...), Err: err}
}

// ErrorCode returns the code of err: the code of the first *Error in its chain,
// Unavailable for context cancellation, and Internal otherwise.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// ErrorMessage returns the user-safe message of err; internal causes are hidden.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != Internal {
		return e.Message
	}
	return "internal error"
}

// ErrorFields returns the per-field messages of err, if any.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// IsNotFound reports whether err has the NotFound code.
func IsNotFound(err error) bool { return ErrorCode(err) == NotFound }

// Validation collects per-field problems of one input.
type Validation struct {
	fields map[string]string
}

// Add records a problem with field; the first problem per field wins.
func (v *Validation) Add(field, format string, args ...any) {
	if v.fields == nil {
		v.fields = map[string]string{}
	}
	if _, ok := v.fields[field]; !ok {
		v.fields[field] = fmt.Sprintf(format, args...)
	}
}

// Check records msg for field when ok is false.
func (v *Validation) Check(ok bool, field, format string, args ...any) {
	if !ok {
		v.Add(field, format, args...)
	}
}

// Err returns an Invalid error naming every field, or nil.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "invalid input", Fields: v.fields}
}
