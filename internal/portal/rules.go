package portal

import (
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// How long each kind of access lasts.
const (
	// LinkLifetime: an emailed link is for signing in today or tomorrow.
	LinkLifetime = 24 * time.Hour
	// CodeLifetime: a code on paper has to survive the post and a
	// fortnight on the kitchen table.
	CodeLifetime = 14 * 24 * time.Hour
	// IdleTimeout ends a session left alone, as on a shared computer.
	IdleTimeout = 30 * time.Minute
	// MaxSessionAge ends every session, however busy.
	MaxSessionAge = 12 * time.Hour
	// touchEvery limits last-seen writes to one a minute per session.
	touchEvery = time.Minute
)

// Kinds of row in person_access.
const (
	KindLink    = "link"
	KindCode    = "code"
	KindSession = "session"
)

// codeAlphabet leaves out characters easily mistaken for one another when
// printed, handwritten or read aloud: 0 and O, 1, I and L, 5 and S, 8 and B,
// U (for V).
const codeAlphabet = "ACDEFGHJKMNPQRTVWXYZ234679"

// codeLength is the number of characters in a code: 26^10 ≈ 1.4e14
// possibilities, and a guess must also come with the right date of birth.
const codeLength = 10

// NewCode returns a fresh random code, formatted for paper.
func NewCode() string {
	out := make([]byte, 0, codeLength)
	var b [1]byte
	// Rejection sampling keeps every character equally likely: bytes at or
	// above the largest multiple of the alphabet's size are drawn again.
	limit := byte(256 - 256%len(codeAlphabet))
	for len(out) < codeLength {
		rand.Read(b[:])
		if b[0] >= limit {
			continue
		}
		out = append(out, codeAlphabet[int(b[0])%len(codeAlphabet)])
	}
	return FormatCode(string(out))
}

// FormatCode groups a normalised code as people read it: K7QM-4TZP-XW.
func FormatCode(code string) string {
	if len(code) != codeLength {
		return code
	}
	return code[:4] + "-" + code[4:8] + "-" + code[8:]
}

// NormaliseCode turns what a person typed into the code's canonical form:
// capitals, without the dashes and spaces. It reports false when what is
// left cannot be a code, so nothing is looked up for it.
func NormaliseCode(s string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '-' || r == ' ' || r == '.' || r == '\t' || r == '\u00a0' || r == '\u2010' || r == '\u2013':
			continue
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		}
		if b.Len() >= codeLength || !strings.ContainsRune(codeAlphabet, r) {
			return "", false
		}
		b.WriteRune(r)
	}
	if b.Len() != codeLength {
		return "", false
	}
	return b.String(), true
}

// NormaliseDate reads a date as people write it (2 1 1950, 02/01/1950,
// 1950-1-2, 1950-01-02; day before month, British style) and returns it as
// YYYY-MM-DD, or false when it is not a real date.
func NormaliseDate(s string) (string, bool) {
	s = strings.Join(strings.Fields(s), "-")
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '/' || r == '.' })
	if len(parts) != 3 || len(s)-len(strings.Join(parts, "")) != 2 {
		return "", false // a part missing, or separators doubled or at an end
	}
	var n [3]int
	for i, p := range parts {
		if len(p) > 4 {
			return "", false
		}
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return "", false
		}
		n[i] = v
	}
	year, month, day := n[2], n[1], n[0]
	if len(parts[0]) == 4 {
		year, month, day = n[0], n[1], n[2]
	} else if len(parts[2]) != 4 {
		return "", false
	}
	if year < 1000 || month < 1 || month > 12 || day < 1 || day > 31 {
		return "", false
	}
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if t.Day() != day {
		return "", false // 31 April and the like roll over
	}
	return fmt.Sprintf("%04d-%02d-%02d", year, month, day), true
}

// sessionExpiry is when a session ends if nothing more happens: idle
// timeout after the last activity, but never past its absolute age.
func sessionExpiry(created, lastSeen time.Time) time.Time {
	idle, absolute := lastSeen.Add(IdleTimeout), created.Add(MaxSessionAge)
	if idle.Before(absolute) {
		return idle
	}
	return absolute
}

// needsTouch reports whether a session seen at lastSeen should have its
// activity written again at now: at most once a minute, so a page with
// several requests does not write for each.
func needsTouch(lastSeen, now time.Time) bool { return now.Sub(lastSeen) >= touchEvery }
