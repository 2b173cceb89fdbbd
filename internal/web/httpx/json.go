package httpx

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"oikos"
)

// ErrorBody is the contract's error shape.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is what an ErrorBody says.
type ErrorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// StatusFor maps an error code to its HTTP status: the one place this is
// decided.
func StatusFor(code string) int {
	switch code {
	case oikos.EMALFORMED:
		return http.StatusBadRequest
	case oikos.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case oikos.ENOTFOUND:
		return http.StatusNotFound
	case oikos.ECONFLICT:
		return http.StatusConflict
	case oikos.EINVALID:
		return http.StatusUnprocessableEntity
	case oikos.ERATELIMITED, oikos.ELOCKED:
		return http.StatusTooManyRequests
	case oikos.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

// SetRetryAfter tells a client refused with 429 how many seconds to wait
// (RFC 9110 §10.2.3), so well-behaved clients back off instead of retrying
// at once; e's own RetryAfter when it knows, else a minute.
func SetRetryAfter(w http.ResponseWriter, e *oikos.Error) {
	if StatusFor(e.Code) != http.StatusTooManyRequests {
		return
	}
	wait := e.RetryAfter
	if wait <= 0 {
		wait = time.Minute
	}
	w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
}

// WriteJSON answers with v as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// WriteError answers with the contract's error body for err, and reports
// whether it could: an error that is not *oikos.Error is a bug, for the
// caller to log and answer with a bland 500.
func WriteError(w http.ResponseWriter, err error) bool {
	var e *oikos.Error
	if !errors.As(err, &e) {
		return false
	}
	status := StatusFor(e.Code)
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="oikos"`)
	}
	SetRetryAfter(w, e)
	WriteJSON(w, status, ErrorBody{Error: ErrorDetail{Code: e.Code, Message: e.Message, Fields: e.Fields}})
	return true
}

// WriteInternal answers an API request that failed through a fault of
// ours.
func WriteInternal(w http.ResponseWriter) {
	WriteJSON(w, http.StatusInternalServerError, ErrorBody{Error: ErrorDetail{Code: oikos.EINTERNAL,
		Message: "Something went wrong on our side. It has been logged; please try again."}})
}

// MaxBody is the largest request body accepted by the API and forms.
const MaxBody = 1 << 20

// DecodeJSON reads one JSON object into v, refusing unknown fields, wrong
// types, trailing data, text that is not UTF-8 and bodies over MaxBody,
// each with a message that names the problem.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "application/fhir+json") {
		return &oikos.Error{Code: oikos.EMALFORMED, Message: "Send the body as JSON with Content-Type: application/json."}
	}
	body, err := ReadBody(w, r)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return &oikos.Error{Code: oikos.EMALFORMED, Message: "The body must hold one JSON object and nothing after it."}
	}
	return nil
}

// ReadBody reads a request's body, refusing one over MaxBody or that is
// not UTF-8 JSON text (checkJSONText).
func ReadBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		return nil, jsonProblem(err)
	}
	return body, checkJSONText(body)
}

func jsonProblem(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return &oikos.Error{Code: oikos.ETOOLARGE, Message: fmt.Sprintf("The body is larger than the %d-byte limit.", tooBig.Limit)}
	case errors.Is(err, io.EOF):
		return &oikos.Error{Code: oikos.EMALFORMED, Message: "The body is empty: send a JSON object."}
	case errors.As(err, &syntax):
		return &oikos.Error{Code: oikos.EMALFORMED, Message: fmt.Sprintf("The body is not valid JSON (at byte %d).", syntax.Offset)}
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return &oikos.Error{Code: oikos.EMALFORMED, Message: "The body must be a JSON object."}
		}
		msg := fmt.Sprintf("must be %s, not %s", jsonTypeName(typ.Type.Kind().String()), typ.Value)
		return &oikos.Error{Code: oikos.EMALFORMED, Message: fmt.Sprintf("Field %s %s.", field, msg), Fields: map[string]string{field: msg}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &oikos.Error{Code: oikos.EMALFORMED, Message: fmt.Sprintf("Unknown field %q.", field), Fields: map[string]string{field: "is not a known field"}}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &oikos.Error{Code: oikos.EMALFORMED, Message: "The body is not valid JSON: it ends too soon."}
	}
	return &oikos.Error{Code: oikos.EMALFORMED, Message: "The body could not be read as JSON."}
}

func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "a list"
	case "map", "struct":
		return "an object"
	}
	return "a number"
}

// List is the contract's list envelope.
type List[T any] struct {
	Items []T     `json:"items"`
	Total int     `json:"total"`
	Next  *string `json:"next"`
}

// NewList is a list of items of total, with next the position after them
// ("" at the end), made opaque.
func NewList[T any](items []T, total int, next string) List[T] {
	if items == nil {
		items = []T{}
	}
	l := List[T]{Items: items, Total: total}
	if next != "" {
		c := encodeCursor(next)
		l.Next = &c
	}
	return l
}

// EncodeOffset and DecodeOffset make a list position opaque.
func EncodeOffset(n int) string { return encodeCursor("o" + strconv.Itoa(n)) }

// DecodeOffset reads a position EncodeOffset made.
func DecodeOffset(s string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 2 || b[0] != 'o' {
		return 0, false
	}
	n, err := strconv.Atoi(string(b[1:]))
	return n, err == nil && n >= 0 && n <= 10_000_000
}

func encodeCursor(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// PageParams reads the contract's cursor and limit parameters.
func PageParams(r *http.Request) (after string, limit int, err error) {
	q := r.URL.Query()
	limit = 50
	if v := q.Get("limit"); v != "" {
		n, convErr := strconv.Atoi(v)
		if convErr != nil || n < 1 || n > 500 {
			return "", 0, &oikos.Error{Code: oikos.EINVALID, Message: "limit must be a whole number from 1 to 500.",
				Fields: map[string]string{"limit": "must be a whole number from 1 to 500"}}
		}
		limit = n
	}
	if v := q.Get("cursor"); v != "" {
		b, decErr := base64.RawURLEncoding.DecodeString(v)
		if decErr != nil {
			return "", 0, &oikos.Error{Code: oikos.EINVALID, Message: "cursor is not one this server gave out.",
				Fields: map[string]string{"cursor": "is not valid"}}
		}
		after = string(b)
	}
	return after, limit, nil
}

// OffsetParams reads the contract's cursor and limit for a list kept by
// position: where the page starts, and how long it is.
func OffsetParams(r *http.Request) (offset, limit int, err error) {
	_, limit, err = PageParams(r)
	if c := r.URL.Query().Get("cursor"); err == nil && c != "" {
		var ok bool
		if offset, ok = DecodeOffset(c); !ok {
			err = oikos.Invalid(map[string]string{"cursor": "is not valid"})
		}
	}
	return offset, limit, err
}

// OffsetList is a page of items from offset, of total, with the cursor
// of the next page when there is one.
func OffsetList[T any](items []T, total, offset int) List[T] {
	if items == nil {
		items = []T{}
	}
	l := List[T]{Items: items, Total: total}
	if offset+len(items) < total {
		next := EncodeOffset(offset + len(items))
		l.Next = &next
	}
	return l
}
