package portal

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestNewCodeIsPrintableAndNormalises(t *testing.T) {
	shape := regexp.MustCompile(`^[` + codeAlphabet + `]{4}-[` + codeAlphabet + `]{4}-[` + codeAlphabet + `]{2}$`)
	seen := map[string]bool{}
	counts := map[rune]int{}
	for range 2000 {
		c := NewCode()
		if !shape.MatchString(c) {
			t.Fatalf("code %q is not shaped like K7QM-4TZP-XW", c)
		}
		n, ok := NormaliseCode(c)
		if !ok || FormatCode(n) != c {
			t.Fatalf("code %q normalises to %q %v", c, n, ok)
		}
		if seen[c] {
			t.Fatalf("code %q drawn twice", c)
		}
		seen[c] = true
		for _, r := range n {
			counts[r]++
		}
	}
	// Every character of the alphabet turns up, none wildly more than others
	// (20,000 draws from 26: about 770 each).
	for _, r := range codeAlphabet {
		if counts[r] < 500 || counts[r] > 1100 {
			t.Errorf("character %c drawn %d times", r, counts[r])
		}
	}
}

func TestNormaliseCode(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"K7QM-4TZP-XW", "K7QM4TZPXW", true},
		{"k7qm 4tzp xw", "K7QM4TZPXW", true},
		{"  K7QM4TZPXW  ", "K7QM4TZPXW", true},
		{"K7QM–4TZP–XW", "K7QM4TZPXW", true}, // en dashes from a word processor
		{"K7QM.4TZP.XW", "K7QM4TZPXW", true},
		{"K7QM-4TZP-X", "", false},     // too short
		{"K7QM-4TZP-XWA", "", false},   // too long
		{"K7QM-4TZP-X0", "", false},    // 0 is never in a code
		{"K7QM-4TZP-XO", "", false},    // nor O
		{"K7QM-4TZP-X1", "", false},    // nor 1
		{"K7QM-4TZP-XÉ", "", false},    // nor accents
		{"K7QM-4TZP-X\x00", "", false}, // nor control characters
		{"", "", false},
		{"----------", "", false},
		{strings.Repeat("A", 10000), "", false},
	} {
		got, ok := NormaliseCode(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NormaliseCode(%q) = %q %v, want %q %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestNormaliseDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"1948-05-02", "1948-05-02", true},
		{"1948-5-2", "1948-05-02", true},
		{"2/5/1948", "1948-05-02", true}, // British: day first
		{"02/05/1948", "1948-05-02", true},
		{"2 5 1948", "1948-05-02", true},
		{"2.5.1948", "1948-05-02", true},
		{" 1948-05-02 ", "1948-05-02", true},
		{"2000-02-29", "2000-02-29", true},
		{"1900-02-29", "", false}, // not a leap year
		{"1948-04-31", "", false},
		{"1948-13-01", "", false},
		{"1948-00-10", "", false},
		{"0-5-1948", "", false},
		{"2/5/48", "", false}, // two-digit years are ambiguous
		{"1948-05", "", false},
		{"1948-05-02-01", "", false},
		{"yesterday", "", false},
		{"-1/5/1948", "", false},
		{"", "", false},
		{"99999-01-01", "", false},
	} {
		got, ok := NormaliseDate(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NormaliseDate(%q) = %q %v, want %q %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestSessionExpiry(t *testing.T) {
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		lastSeen time.Time
		want     time.Time
	}{
		{"just signed in: idle timeout", start, start.Add(30 * time.Minute)},
		{"busy an hour later", start.Add(time.Hour), start.Add(90 * time.Minute)},
		{"busy near the end: the absolute limit", start.Add(11*time.Hour + 50*time.Minute), start.Add(12 * time.Hour)},
		{"exactly at the limit", start.Add(12 * time.Hour), start.Add(12 * time.Hour)},
	} {
		if got := sessionExpiry(start, tc.lastSeen); !got.Equal(tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestNeedsTouch(t *testing.T) {
	seen := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		after time.Duration
		want  bool
	}{{0, false}, {30 * time.Second, false}, {59 * time.Second, false}, {time.Minute, true}, {10 * time.Minute, true}} {
		if got := needsTouch(seen, seen.Add(tc.after)); got != tc.want {
			t.Errorf("after %v: %v", tc.after, got)
		}
	}
}
