package outcome_test

import (
	"maps"
	"strings"
	"testing"
	"time"

	"oikos/internal/outcome"
)

// The SWEMWBS conversion table as Warwick Medical School publishes it
// (raw total: metric score), written out again here so that an indexing
// slip in the code cannot agree with itself.
var publishedSWEMWBS = map[int]float64{
	7: 7.00, 8: 9.51, 9: 11.25, 10: 12.40, 11: 13.33, 12: 14.08, 13: 14.75, 14: 15.32, 15: 15.84, 16: 16.36,
	17: 16.88, 18: 17.43, 19: 17.98, 20: 18.59, 21: 19.25, 22: 19.98, 23: 20.73, 24: 21.54, 25: 22.35, 26: 23.21,
	27: 24.11, 28: 25.03, 29: 26.02, 30: 27.03, 31: 28.13, 32: 29.31, 33: 30.70, 34: 32.55, 35: 35.00,
}

func TestSWEMWBSMetric(t *testing.T) {
	for raw := 0; raw <= 40; raw++ {
		got, ok := outcome.SWEMWBSMetric(raw)
		want, published := publishedSWEMWBS[raw]
		if ok != published || got != want {
			t.Errorf("raw %d: got %v %v, want %v %v", raw, got, ok, want, published)
		}
	}
	prev := 0.0
	for raw := 7; raw <= 35; raw++ {
		m, _ := outcome.SWEMWBSMetric(raw)
		if m <= prev {
			t.Errorf("metric falls at raw %d: %v after %v", raw, m, prev)
		}
		prev = m
	}
}

func TestScoreAnswers(t *testing.T) {
	tests := []struct {
		name       string
		instrument string
		answers    []int
		want       outcome.Score
	}{
		// ONS4: each item is its own score, anxiety included as answered.
		{"ons4", "ons4", []int{7, 8, 6, 3}, outcome.Score{"life_satisfaction": 7, "worthwhile": 8, "happiness": 6, "anxiety": 3}},
		{"ons4 ends", "ons4", []int{0, 10, 0, 10}, outcome.Score{"life_satisfaction": 0, "worthwhile": 10, "happiness": 0, "anxiety": 10}},
		// SWEMWBS: the seven answers summed, then converted by the table.
		{"swemwbs none of the time", "swemwbs", []int{1, 1, 1, 1, 1, 1, 1}, outcome.Score{"raw": 7, "metric": 7.00}},
		{"swemwbs some of the time", "swemwbs", []int{3, 3, 3, 3, 3, 3, 3}, outcome.Score{"raw": 21, "metric": 19.25}},
		{"swemwbs mixed", "swemwbs", []int{4, 3, 3, 4, 4, 3, 4}, outcome.Score{"raw": 25, "metric": 22.35}},
		{"swemwbs one short of the top", "swemwbs", []int{5, 5, 5, 5, 5, 4, 5}, outcome.Score{"raw": 34, "metric": 32.55}},
		{"swemwbs all of the time", "swemwbs", []int{5, 5, 5, 5, 5, 5, 5}, outcome.Score{"raw": 35, "metric": 35.00}},
		// UCLA 3-item: summed, 3 (least lonely) to 9 (most).
		{"ucla3 least", "ucla3", []int{1, 1, 1}, outcome.Score{"total": 3}},
		{"ucla3 mixed", "ucla3", []int{2, 3, 1}, outcome.Score{"total": 6}},
		{"ucla3 most", "ucla3", []int{3, 3, 3}, outcome.Score{"total": 9}},
		{"loneliness_direct", "loneliness_direct", []int{2}, outcome.Score{"loneliness": 2}},
		{"friends none", "friends", []int{0}, outcome.Score{"close_friends": 0}},
		{"friends", "friends", []int{12}, outcome.Score{"close_friends": 12}},
		{"gp_appointments", "gp_appointments", []int{4}, outcome.Score{"appointments": 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := outcome.ScoreAnswers(tt.instrument, tt.answers)
			if err != nil || !maps.Equal(got, tt.want) {
				t.Fatalf("got %v %v, want %v", got, err, tt.want)
			}
		})
	}
}

func TestScoreAnswersRefusesWhatCheckRefuses(t *testing.T) {
	for _, tt := range []struct {
		instrument string
		answers    []int
	}{{"phq9", []int{1}}, {"ons4", []int{1, 2, 3}}, {"swemwbs", []int{0, 1, 1, 1, 1, 1, 1}}, {"ucla3", []int{1, 1, 4}}, {"friends", []int{-1}}} {
		if got, err := outcome.ScoreAnswers(tt.instrument, tt.answers); err == nil {
			t.Errorf("%s %v scored %v", tt.instrument, tt.answers, got)
		}
	}
}

func TestScoring(t *testing.T) {
	answers, score, problems := outcome.Scoring("ucla3", []float64{1, 2, 3})
	if problems != nil || len(answers) != 3 || score["total"] != 6 {
		t.Errorf("got %v %v %v", answers, score, problems)
	}
	for _, tt := range []struct {
		instrument string
		answers    []float64
		field      string
	}{{"nope", []float64{1}, "instrument"}, {"ons4", []float64{1}, "answers"}, {"swemwbs", []float64{1, 2, 3, 4, 5, 6, 1}, "answers[5]"}} {
		if _, score, problems := outcome.Scoring(tt.instrument, tt.answers); score != nil || problems[tt.field] == "" {
			t.Errorf("%s %v: got %v %v, want a problem with %s", tt.instrument, tt.answers, score, problems, tt.field)
		}
	}
}

func TestEveryInstrumentIsScoredAndCompared(t *testing.T) {
	for _, in := range outcome.Instruments {
		answers := make([]int, len(in.Questions))
		for i := range answers {
			answers[i] = in.Min
		}
		score, err := outcome.ScoreAnswers(in.Code, answers)
		if err != nil {
			t.Errorf("%s: %v", in.Code, err)
			continue
		}
		changes := outcome.Changes[in.Code]
		if len(changes) == 0 || outcome.Headline(in.Code) != changes[0].Score {
			t.Errorf("%s: no rule for meaningful change", in.Code)
		}
		for _, c := range changes {
			if _, ok := score[c.Score]; !ok || c.Threshold <= 0 || (c.Better != outcome.HigherIsBetter && c.Better != outcome.LowerIsBetter) {
				t.Errorf("%s: change rule %+v does not fit score %v", in.Code, c, score)
			}
		}
	}
	if outcome.Headline("phq9") != "" {
		t.Error("headline for an unknown instrument")
	}
}

func TestImproved(t *testing.T) {
	ons4 := func(life, worth, happy, anxious float64) outcome.Score {
		return outcome.Score{"life_satisfaction": life, "worthwhile": worth, "happiness": happy, "anxiety": anxious}
	}
	sw := func(metric float64) outcome.Score { return outcome.Score{"raw": 0, "metric": metric} }
	tests := []struct {
		name             string
		instrument       string
		baseline, latest outcome.Score
		want             bool
	}{
		{"swemwbs up 1.17", "swemwbs", sw(18.59), sw(19.76), true},
		{"swemwbs up exactly 1 in floating point", "swemwbs", sw(19.73), sw(20.73), true},
		{"swemwbs up 0.73 is within noise", "swemwbs", sw(19.25), sw(19.98), false},
		{"swemwbs down", "swemwbs", sw(22.35), sw(19.25), false},
		{"ons4 happier, the rest the same", "ons4", ons4(5, 5, 4, 6), ons4(5, 5, 5, 6), true},
		{"ons4 less anxious is better", "ons4", ons4(5, 5, 5, 8), ons4(5, 5, 5, 6), true},
		{"ons4 more anxious is worse", "ons4", ons4(5, 5, 5, 3), ons4(5, 5, 5, 5), false},
		{"ons4 happier but much more anxious", "ons4", ons4(5, 5, 3, 3), ons4(5, 5, 6, 5), false},
		{"ons4 unchanged", "ons4", ons4(5, 5, 5, 5), ons4(5, 5, 5, 5), false},
		{"ucla3 lower is better", "ucla3", outcome.Score{"total": 8}, outcome.Score{"total": 6}, true},
		{"ucla3 higher is worse", "ucla3", outcome.Score{"total": 5}, outcome.Score{"total": 7}, false},
		{"loneliness from often to occasionally", "loneliness_direct", outcome.Score{"loneliness": 1}, outcome.Score{"loneliness": 3}, true},
		{"loneliness from never to hardly ever", "loneliness_direct", outcome.Score{"loneliness": 5}, outcome.Score{"loneliness": 4}, false},
		{"one more friend", "friends", outcome.Score{"close_friends": 0}, outcome.Score{"close_friends": 1}, true},
		{"same friends", "friends", outcome.Score{"close_friends": 2}, outcome.Score{"close_friends": 2}, false},
		{"fewer GP appointments", "gp_appointments", outcome.Score{"appointments": 6}, outcome.Score{"appointments": 2}, true},
		{"more GP appointments", "gp_appointments", outcome.Score{"appointments": 2}, outcome.Score{"appointments": 3}, false},
		{"unscored baseline", "ucla3", outcome.Score{}, outcome.Score{"total": 3}, false},
		{"ons4 with an item missing", "ons4", outcome.Score{"happiness": 2}, ons4(9, 9, 9, 0), false},
		{"unknown instrument", "phq9", outcome.Score{"total": 20}, outcome.Score{"total": 2}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := outcome.Improved(tt.instrument, tt.baseline, tt.latest); got != tt.want {
				t.Errorf("Improved = %v, want %v (%+v)", got, tt.want, outcome.Compare(tt.instrument, tt.baseline, tt.latest))
			}
		})
	}
}

func TestCompare(t *testing.T) {
	got := outcome.Compare("ons4", outcome.Score{"life_satisfaction": 4, "worthwhile": 6, "happiness": 5, "anxiety": 7},
		outcome.Score{"life_satisfaction": 6, "worthwhile": 6, "happiness": 4, "anxiety": 2})
	want := []outcome.Movement{
		{Score: "life_satisfaction", Change: 2, Better: true, Meaningful: true},
		{Score: "worthwhile", Change: 0},
		{Score: "happiness", Change: -1, Worse: true, Meaningful: true},
		{Score: "anxiety", Change: 5, Better: true, Meaningful: true},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	if m := outcome.Compare("swemwbs", outcome.Score{"metric": 19.25}, outcome.Score{"metric": 19.98}); len(m) != 1 || m[0].Change != 0.73 || m[0].Meaningful {
		t.Errorf("swemwbs small rise: %+v", m)
	}
}

func TestNextReview(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 1, d, 10, 0, 0, 0, time.UTC) }
	weeks := func(n int) time.Duration { return time.Duration(n) * 7 * 24 * time.Hour }
	base := outcome.Taken{Timepoint: outcome.Baseline, At: day(5)}
	tests := []struct {
		name     string
		taken    []outcome.Taken
		now      time.Time
		wantNext time.Time
		wantDue  bool
	}{
		{"nothing taken", nil, day(5), time.Time{}, false},
		{"a review without a baseline is no start", []outcome.Taken{{outcome.Review, day(5)}}, day(5).Add(weeks(20)), time.Time{}, false},
		{"just after the baseline", []outcome.Taken{base}, day(6), day(5).Add(weeks(12)), false},
		{"a moment before twelve weeks", []outcome.Taken{base}, day(5).Add(weeks(12) - time.Millisecond), day(5).Add(weeks(12)), false},
		{"twelve weeks to the moment", []outcome.Taken{base}, day(5).Add(weeks(12)), day(5).Add(weeks(12)), true},
		{"long overdue", []outcome.Taken{base}, day(5).Add(weeks(30)), day(5).Add(weeks(12)), true},
		{"reviewed: the next is twelve weeks on", []outcome.Taken{base, {outcome.Review, day(5).Add(weeks(13))}}, day(5).Add(weeks(14)),
			day(5).Add(weeks(25)), false},
		{"reviewed, in any order", []outcome.Taken{{outcome.Review, day(5).Add(weeks(13))}, base}, day(5).Add(weeks(26)), day(5).Add(weeks(25)), true},
		{"exit: no more reviews", []outcome.Taken{base, {outcome.Exit, day(20)}}, day(5).Add(weeks(30)), time.Time{}, false},
		{"unknown timepoints are ignored", []outcome.Taken{base, {"later", day(5).Add(weeks(11))}}, day(5).Add(weeks(12)), day(5).Add(weeks(12)), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next, due := outcome.NextReview(tt.taken, tt.now)
			if !next.Equal(tt.wantNext) || due != tt.wantDue {
				t.Errorf("got %v %v, want %v %v", next, due, tt.wantNext, tt.wantDue)
			}
		})
	}
}

func TestReviewsDue(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ms := []outcome.Measure{
		{Instrument: "ucla3", Timepoint: outcome.Baseline, RecordedAt: start.Add(24 * time.Hour)},
		{Instrument: "ons4", Timepoint: outcome.Baseline, RecordedAt: start},
		{Instrument: "friends", Timepoint: outcome.Baseline, RecordedAt: start},
		{Instrument: "friends", Timepoint: outcome.Exit, RecordedAt: start.Add(24 * time.Hour)},
	}
	got := outcome.ReviewsDue(ms, start.Add(outcome.ReviewInterval))
	if len(got) != 2 || got[0].Instrument != "ons4" || !got[0].Now || got[1].Instrument != "ucla3" || got[1].Now ||
		!got[1].On.Equal(start.Add(24*time.Hour+outcome.ReviewInterval)) {
		t.Errorf("got %+v", got)
	}
}

func TestFormsCarryTheirWording(t *testing.T) {
	for _, in := range outcome.Instruments {
		if len(in.Ends) > 0 && len(in.Ends) != len(in.Questions) {
			t.Errorf("%s: %d scale ends for %d questions", in.Code, len(in.Ends), len(in.Questions))
		}
		if len(in.Options) == 0 && in.Max <= 10 && len(in.Ends) == 0 {
			t.Errorf("%s: a numbered scale without words for its ends", in.Code)
		}
	}
	ucla, _ := outcome.InstrumentByCode("ucla3")
	if ucla.Options[0].Label != "Hardly ever or never" || !strings.Contains(ucla.Intro, "how often (if at all)") {
		t.Errorf("UCLA wording: %+v", ucla)
	}
}
