package httpx

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"

	"oikos"
)

// checkJSONText refuses a JSON body that is not valid UTF-8, or whose
// strings escape half of a UTF-16 surrogate pair ("\ud800" alone). Go's
// decoder would quietly turn either into U+FFFD, storing something other
// than what was sent; RFC 8259 requires UTF-8 and whole characters.
func checkJSONText(b []byte) error {
	if !utf8.Valid(b) {
		at := 0
		for at < len(b) {
			r, n := utf8.DecodeRune(b[at:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			at += n
		}
		return &oikos.Error{Code: oikos.EMALFORMED, Message: fmt.Sprintf("The body is not valid UTF-8 (at byte %d): send JSON text encoded as UTF-8.", at)}
	}
	inString := false
	for i := 0; i < len(b); i++ {
		if !inString {
			inString = b[i] == '"'
			continue
		}
		switch b[i] {
		case '"':
			inString = false
		case '\\':
			if r, ok := hex4(b, i+2); ok && b[i+1] == 'u' && utf16.IsSurrogate(r) {
				if low, ok := hex4(b, i+8); r < 0xdc00 && ok && b[i+6] == '\\' && b[i+7] == 'u' && low >= 0xdc00 && low <= 0xdfff {
					i += 11 // a whole pair
					continue
				}
				return &oikos.Error{Code: oikos.EMALFORMED, Message: fmt.Sprintf("The body escapes half a character (at byte %d): \\u%04x must be part of a surrogate pair.", i, r)}
			}
			i++ // the escaped character cannot end the string
		}
	}
	return nil
}

// hex4 reads the four hex digits at b[at:], if they are there.
func hex4(b []byte, at int) (rune, bool) {
	if at < 2 || at+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[at : at+4] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
