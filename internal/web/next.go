package web

import (
	"net/url"
	"strings"
)

// safeNext is the one check on a destination taken from a request (the
// "next" of signing in): it returns next when it can only lead to a page of
// this site, and "/" otherwise.
//
// Browsers are lenient where Go is strict: they drop tabs and line breaks
// anywhere in a URL, trim spaces and control characters, and read "\" as
// "/", so "/\t/evil.example" and "/\evil.example" both become
// "//evil.example", another site. Rather than predict every such reading,
// only printable ASCII is accepted (what this server writes into a next: a
// request URI, already percent-encoded), with no backslash, and the result
// must parse as a path-only reference starting with exactly one slash, also
// once percent-decoded.
func safeNext(next string) string {
	if next == "" || len(next) > 2048 || next[0] != '/' || strings.HasPrefix(next, "//") {
		return "/"
	}
	for i := 0; i < len(next); i++ {
		if c := next[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Opaque != "" || u.User != nil || u.Host != "" ||
		!strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") || strings.ContainsFunc(u.Path, unsafeInPath) {
		return "/"
	}
	// Back to signing in or out would loop or undo what was just done.
	if u.Path == "/sign-in" || strings.HasPrefix(u.Path, "/sign-in/") || u.Path == "/sign-out" {
		return "/"
	}
	return next
}

// unsafeInPath is what a decoded path must not hold: a backslash, or a
// control character a browser might drop.
func unsafeInPath(r rune) bool { return r == '\\' || r < ' ' || r == 0x7f }
