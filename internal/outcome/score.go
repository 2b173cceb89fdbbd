package outcome

import (
	"fmt"
	"math"
)

// Score is what an instrument's answers come to, by the names the contract
// gives them: ons4 {life_satisfaction, worthwhile, happiness, anxiety},
// swemwbs {raw, metric}, ucla3 {total}, loneliness_direct {loneliness},
// friends {close_friends}, gp_appointments {appointments}.
type Score map[string]float64

// swemwbsMetric converts a SWEMWBS raw score (the sum of the seven answers,
// 7 to 35) to its metric score: swemwbsMetric[raw-7]. The metric scores are
// the Rasch-based conversion table the scale's authors publish, which must
// be used so that scores compare across studies:
//
//	https://warwick.ac.uk/fac/med/research/platform/wemwbs/researchers/guidance/
//	(Stewart-Brown et al. 2009, Health and Quality of Life Outcomes 7:15,
//	doi:10.1186/1477-7525-7-15).
//
// Short Warwick Edinburgh Mental Wellbeing Scale (SWEMWBS) © NHS Health
// Scotland, University of Warwick and University of Edinburgh, 2008, all
// rights reserved. Free to use for non-commercial health purposes once
// registered with the University of Warwick; the notice above must go with
// every copy of the scale (it is shown with the questions, see Instrument.
// Attribution).
var swemwbsMetric = [...]float64{
	7.00, 9.51, 11.25, 12.40, 13.33, 14.08, 14.75, // raw 7-13
	15.32, 15.84, 16.36, 16.88, 17.43, 17.98, 18.59, // raw 14-20
	19.25, 19.98, 20.73, 21.54, 22.35, 23.21, 24.11, // raw 21-27
	25.03, 26.02, 27.03, 28.13, 29.31, 30.70, 32.55, // raw 28-34
	35.00, // raw 35
}

// SWEMWBSMetric converts a SWEMWBS raw score to its metric score, and
// reports false for a raw score outside 7 to 35.
func SWEMWBSMetric(raw int) (float64, bool) {
	if raw < 7 || raw > 35 {
		return 0, false
	}
	return swemwbsMetric[raw-7], true
}

// ScoreAnswers scores answers already checked against the instrument (see
// Check): every item of ONS4 on its own, SWEMWBS summed and converted, the
// UCLA items summed (3 to 9, higher is lonelier), and the single questions
// as answered.
func ScoreAnswers(instrument string, answers []int) (Score, error) {
	in, ok := InstrumentByCode(instrument)
	if !ok {
		return nil, fmt.Errorf("score: unknown instrument %q", instrument)
	}
	if len(answers) != len(in.Questions) {
		return nil, fmt.Errorf("score %s: %d answers for %d questions", instrument, len(answers), len(in.Questions))
	}
	sum := 0
	for i, a := range answers {
		if a < in.Min || a > in.Max {
			return nil, fmt.Errorf("score %s: answer %d is %d, outside %d to %d", instrument, i, a, in.Min, in.Max)
		}
		sum += a
	}
	one := float64(answers[0])
	switch instrument {
	case "ons4":
		return Score{"life_satisfaction": one, "worthwhile": float64(answers[1]), "happiness": float64(answers[2]),
			"anxiety": float64(answers[3])}, nil
	case "swemwbs":
		metric, _ := SWEMWBSMetric(sum)
		return Score{"raw": float64(sum), "metric": metric}, nil
	case "ucla3":
		return Score{"total": float64(sum)}, nil
	case "loneliness_direct":
		return Score{"loneliness": one}, nil
	case "friends":
		return Score{"close_friends": one}, nil
	case "gp_appointments":
		return Score{"appointments": one}, nil
	}
	return nil, fmt.Errorf("score: no scoring for instrument %q", instrument)
}

// Scoring checks answers from outside and scores them, naming the fields
// at fault as CheckAnswers does.
func Scoring(instrument string, answers []float64) ([]int, Score, map[string]string) {
	checked, problems := CheckAnswers(instrument, answers)
	if problems != nil {
		return nil, nil, problems
	}
	score, err := ScoreAnswers(instrument, checked)
	if err != nil {
		// Every instrument CheckAnswers knows is scored above.
		return nil, nil, map[string]string{"instrument": err.Error()}
	}
	return checked, score, nil
}

// Direction says which way a score moves when things get better.
type Direction int

const (
	HigherIsBetter Direction = 1
	LowerIsBetter  Direction = -1
)

// Change is the rule for one score: which way is better and how big a move
// counts as a meaningful change for one person.
type Change struct {
	Score     string
	Better    Direction
	Threshold float64
}

// Changes lists, for each instrument, the scores compared between a
// person's baseline and their latest answers, in the order shown.
//
// Where the thresholds come from:
//   - SWEMWBS metric: 1 point, the lower end of the 1 to 3 points that
//     meet the thresholds for important change for one person in Shah et
//     al. 2018, "Responsiveness of the Short Warwick Edinburgh Mental
//     Well-Being Scale (SWEMWBS): evaluation in a clinical sample", Health
//     and Quality of Life Outcomes 16:239 (1 standard error of measurement
//     was 1.03 points there).
//   - Everything else is our choice: the smallest step each scale can
//     show (1 point on the 0 to 10 ONS4 scales, 1 on the UCLA total, one
//     answer along the direct loneliness scale, one more close friend, one
//     fewer GP appointment in 3 months). No published individual-level
//     threshold was found for them; reports should say so.
//
// Which way is better: higher ONS4 satisfaction, worthwhile and happiness,
// lower ONS4 anxiety; higher SWEMWBS; lower UCLA total (3 is least lonely);
// higher direct loneliness answer (as coded, 1 is "often or always" and 5
// is "never"); more close friends; fewer GP appointments.
var Changes = map[string][]Change{
	"ons4": {
		{"life_satisfaction", HigherIsBetter, 1}, {"worthwhile", HigherIsBetter, 1},
		{"happiness", HigherIsBetter, 1}, {"anxiety", LowerIsBetter, 1},
	},
	"swemwbs":           {{"metric", HigherIsBetter, 1}},
	"ucla3":             {{"total", LowerIsBetter, 1}},
	"loneliness_direct": {{"loneliness", HigherIsBetter, 1}},
	"friends":           {{"close_friends", HigherIsBetter, 1}},
	"gp_appointments":   {{"appointments", LowerIsBetter, 1}},
}

// Headline is the one score a report may average for an instrument: its
// first compared score (for ONS4, life satisfaction: our choice, as the ONS
// reports the four side by side).
func Headline(instrument string) string {
	if c := Changes[instrument]; len(c) > 0 {
		return c[0].Score
	}
	return ""
}

// Movement is how one score moved, in the direction of better: positive is
// better, negative worse. Meaningful says whether the move reached the
// threshold either way.
type Movement struct {
	Score      string
	Change     float64
	Better     bool
	Worse      bool
	Meaningful bool
}

// tolerance absorbs floating-point error in differences of two-decimal
// metric scores (20.73 - 19.73 is not exactly 1).
const tolerance = 1e-9

// Compare says how each compared score moved from baseline to latest.
// Scores missing from either side are left out.
func Compare(instrument string, baseline, latest Score) []Movement {
	var out []Movement
	for _, c := range Changes[instrument] {
		b, ok1 := baseline[c.Score]
		l, ok2 := latest[c.Score]
		if !ok1 || !ok2 {
			continue
		}
		d := (l - b) * float64(c.Better)
		d = math.Round(d*100) / 100 // scores carry two decimals at most
		m := Movement{Score: c.Score, Change: d}
		m.Meaningful = math.Abs(d) >= c.Threshold-tolerance
		m.Better = m.Meaningful && d > 0
		m.Worse = m.Meaningful && d < 0
		out = append(out, m)
	}
	return out
}

// Improved reports whether a person's latest answers show a meaningful
// improvement on their baseline: the instrument's score moved at least its
// threshold in the better direction. For ONS4, whose four items are
// reported separately, it means at least one item improved meaningfully and
// none got meaningfully worse (our choice, so that better happiness does
// not hide much worse anxiety).
func Improved(instrument string, baseline, latest Score) bool {
	moves := Compare(instrument, baseline, latest)
	if len(moves) == 0 || len(moves) != len(Changes[instrument]) {
		return false
	}
	better := false
	for _, m := range moves {
		if m.Worse {
			return false
		}
		better = better || m.Better
	}
	return better
}
