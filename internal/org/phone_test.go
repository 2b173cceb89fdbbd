package org

import (
	"strings"
	"testing"
)

func TestNormalisePhone(t *testing.T) {
	for _, tt := range []struct{ in, want, problem string }{
		{"", "", ""},
		{"  01632   960100 ", "01632 960100", ""},
		{"(01632) 960-100", "(01632) 960-100", ""},
		{"+44 1632 960100", "+44 1632 960100", ""},
		{"0800 123 4567", "0800 123 4567", ""},
		{"0163296010", "0163296010", ""},
		{"01632 96010", "01632 96010", ""},
		{"01632 9601", "", "10 or 11 figures"},
		{"01632 960100 123", "", "10 or 11 figures"},
		{"+44 01632 960100 1", "", "10 or 11 figures"},
		{"ring the office", "", "in figures"},
		{"01632+960100", "", "in figures"},
		{"01632\x00960100", "", "in figures"},
	} {
		got, problem := NormalisePhone(tt.in)
		if tt.problem == "" && (problem != "" || got != tt.want) {
			t.Errorf("NormalisePhone(%q) = %q, %q; want %q", tt.in, got, problem, tt.want)
		}
		if tt.problem != "" && !strings.Contains(problem, tt.problem) {
			t.Errorf("NormalisePhone(%q): problem %q, want one saying %q", tt.in, problem, tt.problem)
		}
	}
}
