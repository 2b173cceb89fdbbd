package oikos

import (
	"unicode"
	"unicode/utf8"
)

// PlainText reports whether s is valid UTF-8 free of control characters
// (tabs and line breaks are allowed when multiline). Everything a person
// types passes; what does not is refused at the edge, because PostgreSQL
// rejects NUL bytes and invalid UTF-8 outright.
func PlainText(s string, multiline bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if multiline && (r == '\n' || r == '\r' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}
