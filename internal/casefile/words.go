package casefile

import (
	"math"
	"strconv"
	"strings"

	"oikos/internal/fhir"
	"oikos/internal/outcome"
)

// ScoreLabels name the scores of the outcome measures, as column headings
// and in the words that compare them.
var ScoreLabels = map[string]string{"life_satisfaction": "Life satisfaction", "worthwhile": "Worthwhile", "happiness": "Happiness",
	"anxiety": "Anxiety", "raw": "Raw score", "metric": "Metric score", "total": "Total", "loneliness": "How often lonely",
	"close_friends": "Close friends", "appointments": "GP appointments"}

// MeasureChanges compares, for each instrument, the baseline with the
// latest later answers, in words.
func MeasureChanges(taken []outcome.Measure) []fhir.MeasureChange {
	var out []fhir.MeasureChange
	for _, in := range outcome.Instruments {
		var baseline, latest outcome.Score
		for _, m := range taken {
			switch {
			case m.Instrument != in.Code || len(m.Score) == 0:
			case m.Timepoint == outcome.Baseline && baseline == nil:
				baseline = m.Score
			case m.Timepoint != outcome.Baseline && baseline != nil:
				latest = m.Score
			}
		}
		if baseline == nil || latest == nil {
			continue
		}
		out = append(out, fhir.MeasureChange{Instrument: in.Name, Baseline: scoresText(in, baseline), Latest: scoresText(in, latest),
			Change: ChangeText(in.Code, baseline, latest), Improved: outcome.Improved(in.Code, baseline, latest)})
	}
	return out
}

// scoresText is an instrument's compared scores in words, like "Life
// satisfaction 4, Anxiety 7".
func scoresText(in outcome.Instrument, score outcome.Score) string {
	var parts []string
	for _, c := range outcome.Changes[in.Code] {
		if v, ok := score[c.Score]; ok {
			parts = append(parts, ScoreLabels[c.Score]+" "+strconv.FormatFloat(v, 'f', -1, 64))
		}
	}
	return strings.Join(parts, ", ")
}

// ChangeText says in words how a score moved from the baseline.
func ChangeText(code string, baseline, latest outcome.Score) string {
	var parts []string
	for _, mv := range outcome.Compare(code, baseline, latest) {
		size := strconv.FormatFloat(math.Abs(mv.Change), 'f', -1, 64)
		switch {
		case mv.Better:
			parts = append(parts, ScoreLabels[mv.Score]+": better by "+size)
		case mv.Worse:
			parts = append(parts, ScoreLabels[mv.Score]+": worse by "+size)
		}
	}
	if len(parts) == 0 {
		return "No meaningful change"
	}
	return strings.Join(parts, "; ")
}
