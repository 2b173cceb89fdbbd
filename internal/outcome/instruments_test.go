package outcome_test

import (
	"math"
	"slices"
	"testing"

	"oikos/internal/outcome"
)

func TestCheckAnswers(t *testing.T) {
	tests := []struct {
		name       string
		instrument string
		answers    []float64
		want       []int
		fields     []string
	}{
		{"ons4 in range", "ons4", []float64{0, 10, 7, 3}, []int{0, 10, 7, 3}, nil},
		{"ons4 too few", "ons4", []float64{1, 2, 3}, nil, []string{"answers"}},
		{"ons4 too many", "ons4", []float64{1, 2, 3, 4, 5}, nil, []string{"answers"}},
		{"ons4 above 10", "ons4", []float64{1, 11, 3, 4}, nil, []string{"answers[1]"}},
		{"ons4 fraction", "ons4", []float64{1, 2, 3.5, 4}, nil, []string{"answers[2]"}},
		{"ons4 negative", "ons4", []float64{-1, 2, 3, 4}, nil, []string{"answers[0]"}},
		{"ons4 not a number", "ons4", []float64{math.NaN(), 2, 3, math.Inf(1)}, nil, []string{"answers[0]", "answers[3]"}},
		{"swemwbs", "swemwbs", []float64{1, 2, 3, 4, 5, 5, 1}, []int{1, 2, 3, 4, 5, 5, 1}, nil},
		{"swemwbs zero", "swemwbs", []float64{0, 2, 3, 4, 5, 5, 1}, nil, []string{"answers[0]"}},
		{"swemwbs six", "swemwbs", []float64{1, 2, 3, 4, 5, 6, 1}, nil, []string{"answers[5]"}},
		{"ucla3", "ucla3", []float64{1, 3, 2}, []int{1, 3, 2}, nil},
		{"ucla3 four", "ucla3", []float64{1, 4, 2}, nil, []string{"answers[1]"}},
		{"loneliness_direct", "loneliness_direct", []float64{5}, []int{5}, nil},
		{"loneliness_direct 0", "loneliness_direct", []float64{0}, nil, []string{"answers[0]"}},
		{"friends 0", "friends", []float64{0}, []int{0}, nil},
		{"friends 101", "friends", []float64{101}, nil, []string{"answers[0]"}},
		{"gp_appointments two answers", "gp_appointments", []float64{1, 2}, nil, []string{"answers"}},
		{"gp_appointments none", "gp_appointments", nil, nil, []string{"answers"}},
		{"unknown", "phq9", []float64{1}, nil, []string{"instrument"}},
		{"empty name", "", nil, nil, []string{"instrument"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, f := outcome.CheckAnswers(tt.instrument, tt.answers)
			if len(tt.fields) == 0 {
				if len(f) != 0 || !slices.Equal(got, tt.want) {
					t.Fatalf("got %v %v, want %v", got, f, tt.want)
				}
				return
			}
			if got != nil || len(f) != len(tt.fields) {
				t.Fatalf("got %v %v, want problems with %v", got, f, tt.fields)
			}
			for _, name := range tt.fields {
				if f[name] == "" {
					t.Errorf("no message for %s: %v", name, f)
				}
			}
		})
	}
}

func TestInstrumentsAreWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, in := range outcome.Instruments {
		if seen[in.Code] || in.Name == "" || len(in.Questions) == 0 || in.Min >= in.Max {
			t.Errorf("%+v", in)
		}
		seen[in.Code] = true
		for i, o := range in.Options {
			if o.Value != in.Min+i || o.Label == "" {
				t.Errorf("%s option %d: %+v", in.Code, i, o)
			}
		}
		if len(in.Options) > 0 && len(in.Options) != in.Max-in.Min+1 {
			t.Errorf("%s: %d options for %d..%d", in.Code, len(in.Options), in.Min, in.Max)
		}
	}
	for _, code := range []string{"ons4", "swemwbs", "ucla3", "loneliness_direct", "friends", "gp_appointments"} {
		if _, ok := outcome.InstrumentByCode(code); !ok {
			t.Errorf("contract instrument %s missing", code)
		}
	}
	if in, _ := outcome.InstrumentByCode("swemwbs"); in.Attribution == "" {
		t.Error("SWEMWBS must carry its attribution")
	}
}
