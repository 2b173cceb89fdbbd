package oikos

import "testing"

func TestPlainText(t *testing.T) {
	cases := []struct {
		s         string
		multiline bool
		want      bool
	}{
		{"Riverside Surgery", false, true},
		{"Café Ōkami – 東京", false, true},
		{"", false, true},
		{"a\x00b", false, false},
		{"a\x00b", true, false},
		{"line\nbreak", false, false},
		{"line\nbreak", true, true},
		{"bell\x07", true, false},
		{"\xff\xfe", false, false},
		{"del\x7f", false, false},
	}
	for _, c := range cases {
		if got := PlainText(c.s, c.multiline); got != c.want {
			t.Errorf("PlainText(%q, %v) = %v", c.s, c.multiline, got)
		}
	}
}
