// Package oikos holds what every part of Oikos shares: the error type that
// carries a code, a plain-English message and the fields at fault. Domain
// packages return it; the web layer maps its code to an HTTP status in one
// place.
package oikos

import (
	"errors"
	"fmt"
	"time"
)

// Error codes, each with one HTTP status (see web.statusFor).
const (
	EMALFORMED    = "malformed"       // 400: the request could not be read
	EUNAUTHORIZED = "unauthorized"    // 401: no or bad credentials
	ENOTFOUND     = "not_found"       // 404: absent, or not yours
	ECONFLICT     = "conflict"        // 409: duplicate, or illegal state change
	EINVALID      = "invalid"         // 422: fields fail validation
	ERATELIMITED  = "rate_limited"    // 429: too many attempts
	EINTERNAL     = "internal"        // 500: a bug
	ELOCKED       = "account_locked"  // 429: sign-in locked for a while
	ETOOLARGE     = "request_too_big" // 413
)

// Error is an error a person can be shown.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string // field name → why it is wrong
	// RetryAfter is how long to wait before trying again, for the
	// Retry-After header of a 429; zero leaves the web layer's default.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s: %s %v", e.Code, e.Message, e.Fields)
	}
	return e.Code + ": " + e.Message
}

// Errorf makes an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid makes a validation error from field problems; it returns nil when
// there are none, so callers can build the map and return Invalid(fields).
func Invalid(fields map[string]string) error {
	if len(fields) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "Some details need correcting.", Fields: fields}
}

// NotFound is the answer for anything absent or not the caller's to see.
func NotFound(what string) *Error {
	return &Error{Code: ENOTFOUND, Message: what + " was not found."}
}

// ErrorCode returns err's code, or EINTERNAL for errors that are not *Error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns err's message for a person, hiding internal detail.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Something went wrong on our side. Please try again."
}
