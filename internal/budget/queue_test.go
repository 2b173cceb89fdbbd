package budget_test

import (
	"testing"

	"oikos/internal/budget"
)

func TestParsePounds(t *testing.T) {
	for in, want := range map[string]int64{"45": 4500, "45.5": 4550, "£1,250.00": 125000, " 0.99 ": 99, ".5": 50, "0": 0, "£ 12": 1200} {
		if got, ok := budget.ParsePounds(in); !ok || got != want {
			t.Errorf("ParsePounds(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "£", "-5", "4.555", "12.", "ten", "1e3", "4.5.6", "1234567890", "+3", "١٢"} {
		if got, ok := budget.ParsePounds(in); ok {
			t.Errorf("ParsePounds(%q) = %d, want refused", in, got)
		}
	}
}

func FuzzParsePounds(f *testing.F) {
	for _, s := range []string{"45", "£1,250.00", "0.5", "-1", "9999999.99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := budget.ParsePounds(s)
		if ok && (p < 0 || p > 999_999_999_99) {
			t.Fatalf("ParsePounds(%q) = %d", s, p)
		}
		if ok && budget.Pounds(p) != "" {
			if back, ok2 := budget.ParsePounds(budget.Pounds(p)); !ok2 || back != p {
				t.Fatalf("%q → %d → %q → %d", s, p, budget.Pounds(p), back)
			}
		}
	})
}
