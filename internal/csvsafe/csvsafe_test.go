package csvsafe

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

func TestCell(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"Walking group", "Walking group"},
		{"=HYPERLINK(\"http://evil.example\",\"x\")", "'=HYPERLINK(\"http://evil.example\",\"x\")"},
		{"=1+1", "'=1+1"},
		{"+44 7700 900123", "'+44 7700 900123"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"-", "'-"},
		{"+", "'+"},
		{"-.5", "'-.5"},
		{"-5.", "'-5."},
		{"-1e5", "'-1e5"},
		{"-Inf", "'-Inf"},
		{"- 3", "'- 3"},
		// Numbers stay numbers.
		{"-3", "-3"},
		{"-3.25", "-3.25"},
		{"+2", "+2"},
		{"0", "0"},
		{"12.5", "12.5"},
		// Only the first character matters.
		{"a=1", "a=1"},
		{" =1", " =1"},
		{"'=1", "'=1"},
	}
	for _, c := range cases {
		if got := Cell(c.in); got != c.want {
			t.Errorf("Cell(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestWriterEscapesEveryCell(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	rec := []string{"=cmd|' /C calc'!A0", "-3", "Friends of the Park"}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	if rec[0] != "=cmd|' /C calc'!A0" {
		t.Errorf("the caller's record was changed: %q", rec)
	}
	got, err := csv.NewReader(&buf).Read()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"'=cmd|' /C calc'!A0", "-3", "Friends of the Park"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("read back %q, want %q", got, want)
	}
}

// FuzzCell checks, for any text, that a cell a spreadsheet would run is
// written as text, that nothing else changes, and that the CSV reads back
// as written.
func FuzzCell(f *testing.F) {
	for _, s := range []string{"", "=1+1", "-3", "-3.5", "+44 1", "@x", "\tx", "\rx", "plain", "-", "1.", "'=x", "\"=x\"", "=a\n=b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Cell(s)
		switch {
		case got == s:
			if s != "" && risky(s[0]) && !number(s) {
				t.Fatalf("Cell(%q) left a risky cell as it was", s)
			}
		case got == "'"+s:
			if !risky(s[0]) {
				t.Fatalf("Cell(%q) quoted a harmless cell", s)
			}
		default:
			t.Fatalf("Cell(%q) = %q: neither unchanged nor quoted", s, got)
		}
		if got != "" && risky(got[0]) && !number(got) {
			t.Fatalf("Cell(%q) = %q still begins with %q", s, got, got[0])
		}
		if !strings.ContainsRune(s, '\r') { // encoding/csv turns \r\n into \n when reading
			var buf bytes.Buffer
			w := NewWriter(&buf)
			if err := w.Write([]string{s, "x"}); err != nil {
				return // not valid UTF-8 for csv, say: nothing written to check
			}
			w.Flush()
			back, err := csv.NewReader(&buf).Read()
			if err != nil || len(back) != 2 || back[0] != got {
				t.Fatalf("Cell(%q) read back as %q (%v), want %q", s, back, err, got)
			}
		}
	})
}
