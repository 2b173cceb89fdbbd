package outcome_test

import (
	"slices"
	"testing"
	"time"

	"oikos/internal/outcome"
)

// taken is a scored measure given on a day (YYYY-MM-DD, noon UTC).
func taken(t *testing.T, instrument, timepoint, day string, answers ...int) outcome.Measure {
	t.Helper()
	at, err := time.Parse(time.DateOnly, day)
	if err != nil {
		t.Fatal(err)
	}
	score, err := outcome.ScoreAnswers(instrument, answers)
	if err != nil {
		t.Fatal(err)
	}
	return outcome.Measure{Instrument: instrument, Timepoint: timepoint, Answers: answers, Score: score, RecordedAt: at.Add(12 * time.Hour)}
}

func TestProgressSentences(t *testing.T) {
	const b, r, x = outcome.Baseline, outcome.Review, outcome.Exit
	tests := []struct {
		name     string
		measures func(t *testing.T) []outcome.Measure
		want     []string
	}{
		{"friends more", func(t *testing.T) []outcome.Measure {
			return []outcome.Measure{taken(t, "friends", b, "2026-03-04", 1), taken(t, "friends", r, "2026-06-01", 3)}
		}, []string{"You told us you had 1 close friend in March; now you have 3."}},
		{"friends fewer, said plainly", func(t *testing.T) []outcome.Measure {
			return []outcome.Measure{taken(t, "friends", b, "2026-03-04", 3), taken(t, "friends", r, "2026-06-01", 2)}
		}, []string{"You told us you had 3 close friends in March; now you have 2."}},
		{"friends none to none", func(t *testing.T) []outcome.Measure {
			return []outcome.Measure{taken(t, "friends", b, "2026-03-04", 0), taken(t, "friends", r, "2026-06-01", 0)}
		}, []string{"You told us you had no close friends in March; that is the same now."}},
		{"friends the same", func(t *testing.T) []outcome.Measure {
			return []outcome.Measure{taken(t, "friends", b, "2026-03-04", 2), taken(t, "friends", r, "2026-06-01", 2)}
		}, []string{"You told us you had 2 close friends in March; you still have 2."}},
		{"friends down to none", func(t *testing.T) []outcome.Measure {
			return []outcome.Measure{taken(t, "friends", b, "2026-03-04", 1), taken(t, "friends", r, "2026-06-01", 0)}
		}, []string{"You told us you had 1 close friend in March; now you have none."}},
		{"one measure only", func(t *testing.T) []outcome.Measure {
			return []outcome.Measure{taken(t, "friends", b, "2026-03-04", 1)}
		}, []string{"You told us you had 1 close friend in March 2026."}},
		{"across a new year the years are named", func(t *testing.T) []outcome.Measure {
			return []outcome.Measure{taken(t, "friends", b, "2025-12-04", 1), taken(t, "friends", r, "2026-02-01", 2)}
		}, []string{"You told us you had 1 close friend in December 2025; now you have 2."}},
		{"in the same month the days are named", func(t *testing.T) []outcome.Measure {
			return []outcome.Measure{taken(t, "loneliness_direct", b, "2026-04-02", 2), taken(t, "loneliness_direct", r, "2026-04-24", 3)}
		}, []string{"You told us you felt lonely some of the time on 2 April; on 24 April, occasionally."}},
		{"swemwbs better", func(t *testing.T) []outcome.Measure {
			// raw 21 is 19.25, raw 26 is 23.21 on the published table.
			return []outcome.Measure{taken(t, "swemwbs", b, "2026-01-10", 3, 3, 3, 3, 3, 3, 3), taken(t, "swemwbs", r, "2026-04-10", 4, 4, 4, 4, 4, 3, 3)}
		}, []string{"Your wellbeing score went from 19.3 in January to 23.2 in April (higher is better)."}},
		{"swemwbs worse", func(t *testing.T) []outcome.Measure {
			return []outcome.Measure{taken(t, "swemwbs", b, "2026-01-10", 4, 4, 4, 4, 4, 3, 3), taken(t, "swemwbs", r, "2026-04-10", 3, 3, 3, 3, 3, 3, 3)}
		}, []string{"Your wellbeing score went from 23.2 in January to 19.3 in April (higher is better)."}},
		{"swemwbs too small a move to count", func(t *testing.T) []outcome.Measure {
			// raw 21 is 19.25, raw 22 is 19.98: under the 1 point that counts.
			return []outcome.Measure{taken(t, "swemwbs", b, "2026-01-10", 3, 3, 3, 3, 3, 3, 3), taken(t, "swemwbs", r, "2026-04-10", 4, 3, 3, 3, 3, 3, 3)}
		}, []string{"Your wellbeing score was 19.3 in January and 20.0 in April, about the same (higher is better)."}},
		{"loneliness direct", func(t *testing.T) []outcome.Measure {
			return []outcome.Measure{taken(t, "loneliness_direct", b, "2026-01-10", 1), taken(t, "loneliness_direct", r, "2026-04-10", 2)}
		}, []string{"You told us you felt lonely often or always in January; in April, some of the time."}},
		{"loneliness direct the same", func(t *testing.T) []outcome.Measure {
			return []outcome.Measure{taken(t, "loneliness_direct", b, "2026-01-10", 4), taken(t, "loneliness_direct", r, "2026-04-10", 4)}
		}, []string{"You told us you hardly ever felt lonely in January; in April, the same."}},
		{"loneliness direct never, once", func(t *testing.T) []outcome.Measure {
			return []outcome.Measure{taken(t, "loneliness_direct", b, "2026-01-10", 5)}
		}, []string{"You told us you never felt lonely in January 2026."}},
		{"ucla3 lower is better", func(t *testing.T) []outcome.Measure {
			return []outcome.Measure{taken(t, "ucla3", b, "2026-01-10", 3, 3, 2), taken(t, "ucla3", x, "2026-05-10", 1, 2, 1)}
		}, []string{"Your loneliness score went from 8 in January to 4 in May (lower is better)."}},
		{"ons4 each item, anxiety the other way", func(t *testing.T) []outcome.Measure {
			return []outcome.Measure{taken(t, "ons4", b, "2026-02-10", 4, 5, 6, 7), taken(t, "ons4", r, "2026-05-10", 6, 5, 5, 4)}
		}, []string{
			"How satisfied you feel with your life went from 4 in February to 6 in May (higher is better).",
			"How worthwhile the things you do feel was 5 in February and the same in May (higher is better).",
			"How happy you felt went from 6 in February to 5 in May (higher is better).",
			"How anxious you felt went from 7 in February to 4 in May (lower is better).",
		}},
		{"ons4 once", func(t *testing.T) []outcome.Measure {
			return []outcome.Measure{taken(t, "ons4", b, "2026-02-10", 4, 5, 6, 7)}
		}, []string{
			"How satisfied you feel with your life was 4 in February 2026 (higher is better).",
			"How worthwhile the things you do feel was 5 in February 2026 (higher is better).",
			"How happy you felt was 6 in February 2026 (higher is better).",
			"How anxious you felt was 7 in February 2026 (lower is better).",
		}},
		{"gp contact", func(t *testing.T) []outcome.Measure {
			return []outcome.Measure{taken(t, "gp_appointments", b, "2026-02-10", 5), taken(t, "gp_appointments", r, "2026-05-10", 1)}
		}, []string{"You told us you had been in touch with your GP practice 5 times in the 3 months to February; in the 3 months to May, once."}},
		{"gp contact none, then twice", func(t *testing.T) []outcome.Measure {
			return []outcome.Measure{taken(t, "gp_appointments", b, "2026-02-10", 0), taken(t, "gp_appointments", r, "2026-05-10", 2)}
		}, []string{"You told us you had not been in touch with your GP practice in the 3 months to February; in the 3 months to May, twice."}},
		{"gp contact the same", func(t *testing.T) []outcome.Measure {
			return []outcome.Measure{taken(t, "gp_appointments", b, "2026-02-10", 3), taken(t, "gp_appointments", r, "2026-05-10", 3)}
		}, []string{"You told us you had been in touch with your GP practice 3 times in the 3 months to February; in the 3 months to May, the same."}},
		{"the latest of several is compared with the start", func(t *testing.T) []outcome.Measure {
			return []outcome.Measure{taken(t, "friends", b, "2026-01-04", 0), taken(t, "friends", r, "2026-03-01", 1), taken(t, "friends", x, "2026-06-01", 4)}
		}, []string{"You told us you had no close friends in January; now you have 4."}},
		{"instruments in their usual order, unscored rows left out", func(t *testing.T) []outcome.Measure {
			unscored := taken(t, "ucla3", b, "2026-01-01", 1, 1, 1)
			unscored.Score = nil
			return []outcome.Measure{taken(t, "friends", b, "2026-03-04", 1), unscored, taken(t, "loneliness_direct", b, "2026-03-04", 3)}
		}, []string{"You told us you felt lonely occasionally in March 2026.", "You told us you had 1 close friend in March 2026."}},
		{"nothing yet", func(*testing.T) []outcome.Measure { return nil }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range outcome.ProgressSentences(tt.measures(t), nil) {
				got = append(got, s.Text)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// Months are named where the person lives: late on 31 March in UTC is
// already April in a zone ahead of it.
func TestProgressSentencesMonthsInTheGivenZone(t *testing.T) {
	zone := time.FixedZone("ahead", 2*60*60)
	first := taken(t, "friends", outcome.Baseline, "2026-01-15", 1)
	last := taken(t, "friends", outcome.Review, "2026-03-31", 2)
	last.RecordedAt = last.RecordedAt.Add(11 * time.Hour) // 23:00 UTC
	got := outcome.ProgressSentences([]outcome.Measure{first, last}, zone)
	if len(got) != 1 || got[0].Text != "You told us you had 1 close friend in January; now you have 2." || got[0].Instrument != "friends" {
		t.Errorf("got %q", got)
	}
}

func TestShowScoreAndRange(t *testing.T) {
	for _, tt := range []struct {
		score string
		v     float64
		want  string
	}{{"metric", 19.25, "19.3"}, {"metric", 35, "35.0"}, {"metric", 20.73, "20.7"}, {"close_friends", 3, "3"}, {"anxiety", 0, "0"}} {
		if got := outcome.ShowScore(tt.score, tt.v); got != tt.want {
			t.Errorf("ShowScore(%s, %v) = %q, want %q", tt.score, tt.v, got, tt.want)
		}
	}
	for _, tt := range []struct {
		score  string
		values []float64
		lo, hi float64
	}{{"anxiety", nil, 0, 10}, {"metric", []float64{40}, 7, 35}, {"total", nil, 3, 9}, {"loneliness", nil, 1, 5},
		{"close_friends", []float64{1, 2}, 0, 5}, {"close_friends", []float64{12, 3}, 0, 12}, {"appointments", nil, 0, 5}} {
		if lo, hi := outcome.ScoreRange(tt.score, tt.values); lo != tt.lo || hi != tt.hi {
			t.Errorf("ScoreRange(%s, %v) = %v..%v, want %v..%v", tt.score, tt.values, lo, hi, tt.lo, tt.hi)
		}
	}
	for _, in := range outcome.Instruments {
		if outcome.PlainName(in.Code) == in.Code {
			t.Errorf("%s has no plain name", in.Code)
		}
		for _, c := range outcome.Changes[in.Code] {
			if outcome.ScoreName(c.Score) == c.Score {
				t.Errorf("%s has no plain name", c.Score)
			}
		}
	}
}
