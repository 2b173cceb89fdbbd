package outcome

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// A person's own view of their measures: what they told us at the start
// and what they tell us now, in plain words and without the instruments'
// jargon (no "baseline", no "metric score"). Better and worse are left to
// the numbers and the direction note, in the same neutral words either
// way: the person is not marked on how they feel.

// Sentence is one plain-English line about one instrument.
type Sentence struct {
	Instrument string
	Text       string
}

// plainNames are the instruments as the person reads their titles.
var plainNames = map[string]string{
	"ons4":              "How you feel about your life",
	"swemwbs":           "Your feelings and thoughts",
	"ucla3":             "How connected you feel",
	"loneliness_direct": "How often you feel lonely",
	"friends":           "Your close friends",
	"gp_appointments":   "Contact with your GP practice",
}

// PlainName is an instrument's title for the person it is about.
func PlainName(code string) string {
	if n, ok := plainNames[code]; ok {
		return n
	}
	return code
}

// scoreNames are the compared scores as the person reads them, in charts
// and tables.
var scoreNames = map[string]string{
	"life_satisfaction": "Satisfied with life",
	"worthwhile":        "Things you do are worthwhile",
	"happiness":         "Happy yesterday",
	"anxiety":           "Anxious yesterday",
	"metric":            "Wellbeing score",
	"total":             "Loneliness score",
	"loneliness":        "How often lonely",
	"close_friends":     "Close friends",
	"appointments":      "Times in touch with your GP practice",
}

// ScoreName is one score's name for the person.
func ScoreName(score string) string {
	if n, ok := scoreNames[score]; ok {
		return n
	}
	return strings.ReplaceAll(score, "_", " ")
}

// ShowScore writes a score as the person reads it: the SWEMWBS metric to
// one decimal place (the table's two decimals suggest a precision the
// scale does not have), everything else as the whole number it is.
func ShowScore(score string, v float64) string {
	if score == "metric" {
		return strconv.FormatFloat(math.Round(v*10)/10, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// ScoreRange is the lowest and highest a score can be, for a chart's
// axis. Counts have no top: the axis runs to the highest count given, and
// at least to 5 so that small counts do not fill the chart.
func ScoreRange(score string, values []float64) (lo, hi float64) {
	switch score {
	case "life_satisfaction", "worthwhile", "happiness", "anxiety":
		return 0, 10
	case "metric":
		return 7, 35
	case "total":
		return 3, 9
	case "loneliness":
		return 1, 5
	}
	hi = 5
	for _, v := range values {
		hi = max(hi, v)
	}
	return 0, hi
}

// numberedLabels lead the sentences for scores read as numbers.
var numberedLabels = map[string]string{
	"life_satisfaction": "How satisfied you feel with your life",
	"worthwhile":        "How worthwhile the things you do feel",
	"happiness":         "How happy you felt",
	"anxiety":           "How anxious you felt",
	"metric":            "Your wellbeing score",
	"total":             "Your loneliness score",
}

// ProgressSentences says, instrument by instrument, how a person's
// answers moved from the first time (their baseline, when there is one)
// to the latest. measures are one referral's, oldest first, as List gives
// them; months are named in loc (UTC when nil).
func ProgressSentences(measures []Measure, loc *time.Location) []Sentence {
	if loc == nil {
		loc = time.UTC
	}
	var out []Sentence
	for _, in := range Instruments {
		first, last := -1, -1
		for i, m := range measures {
			if m.Instrument != in.Code || len(m.Score) == 0 {
				continue
			}
			if first < 0 || (m.Timepoint == Baseline && measures[first].Timepoint != Baseline) {
				first = i
			}
			last = i
		}
		if first < 0 {
			continue
		}
		var texts []string
		if last == first || !measures[last].RecordedAt.After(measures[first].RecordedAt) {
			texts = onceSentences(in.Code, measures[last], loc)
		} else {
			texts = changeSentences(in.Code, measures[first], measures[last], loc)
		}
		for _, t := range texts {
			out = append(out, Sentence{Instrument: in.Code, Text: t})
		}
	}
	return out
}

// moment is when answers were given, in words: a month ("March"), with
// the year when the two answers compared fall in different years, or the
// day when they fall in the same month.
type moment struct {
	text string
	day  bool
}

// at puts the right preposition before a moment: "in March", "on 2 March".
func (m moment) at() string {
	if m.day {
		return "on " + m.text
	}
	return "in " + m.text
}

// moments names two times so that they read apart.
func moments(a, b time.Time, loc *time.Location) (moment, moment) {
	a, b = a.In(loc), b.In(loc)
	switch {
	case a.Year() != b.Year():
		return moment{text: a.Format("January 2006")}, moment{text: b.Format("January 2006")}
	case a.Month() == b.Month():
		return moment{text: a.Format("2 January"), day: true}, moment{text: b.Format("2 January"), day: true}
	}
	return moment{text: a.Format("January")}, moment{text: b.Format("January")}
}

// better says which way a score improves, in the words of the note that
// follows numbers.
func better(instrument, score string) string {
	for _, c := range Changes[instrument] {
		if c.Score == score && c.Better == LowerIsBetter {
			return "lower is better"
		}
	}
	return "higher is better"
}

func closeFriends(n float64) string {
	switch n {
	case 0:
		return "no close friends"
	case 1:
		return "1 close friend"
	}
	return ShowScore("close_friends", n) + " close friends"
}

func gpContact(n float64) string {
	switch n {
	case 0:
		return "not at all"
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return ShowScore("appointments", n) + " times"
}

// felt is the answer to "How often do you feel lonely?" in a sentence
// about the person; often is the answer's own words.
func felt(v float64) (sentence, often string) {
	switch v {
	case 1:
		return "you felt lonely often or always", "often or always"
	case 2:
		return "you felt lonely some of the time", "some of the time"
	case 3:
		return "you felt lonely occasionally", "occasionally"
	case 4:
		return "you hardly ever felt lonely", "hardly ever"
	case 5:
		return "you never felt lonely", "never"
	}
	return "you gave the answer " + ShowScore("loneliness", v), "the answer " + ShowScore("loneliness", v)
}

// onceSentences speak of a single set of answers.
func onceSentences(code string, m Measure, loc *time.Location) []string {
	when := moment{text: m.RecordedAt.In(loc).Format("January 2006")}
	switch code {
	case "friends":
		return []string{fmt.Sprintf("You told us you had %s %s.", closeFriends(m.Score["close_friends"]), when.at())}
	case "gp_appointments":
		return []string{gpOnce(m.Score["appointments"], when)}
	case "loneliness_direct":
		s, _ := felt(m.Score["loneliness"])
		return []string{fmt.Sprintf("You told us %s %s.", s, when.at())}
	}
	var out []string
	for _, c := range Changes[code] {
		if v, ok := m.Score[c.Score]; ok {
			out = append(out, fmt.Sprintf("%s was %s %s (%s).", numberedLabels[c.Score], ShowScore(c.Score, v), when.at(), better(code, c.Score)))
		}
	}
	return out
}

func gpOnce(n float64, when moment) string {
	if n == 0 {
		return fmt.Sprintf("You told us you had not been in touch with your GP practice in the 3 months to %s.", when.text)
	}
	return fmt.Sprintf("You told us you had been in touch with your GP practice %s in the 3 months to %s.", gpContact(n), when.text)
}

// changeSentences compare the first answers with the latest.
func changeSentences(code string, first, last Measure, loc *time.Location) []string {
	then, now := moments(first.RecordedAt, last.RecordedAt, loc)
	switch code {
	case "friends":
		a, b := first.Score["close_friends"], last.Score["close_friends"]
		start := fmt.Sprintf("You told us you had %s %s", closeFriends(a), then.at())
		switch {
		case a == b && a == 0:
			return []string{start + "; that is the same now."}
		case a == b:
			return []string{start + "; you still have " + ShowScore("close_friends", b) + "."}
		case b == 0:
			return []string{start + "; now you have none."}
		}
		return []string{start + "; now you have " + ShowScore("close_friends", b) + "."}
	case "gp_appointments":
		a, b := first.Score["appointments"], last.Score["appointments"]
		start := strings.TrimSuffix(gpOnce(a, then), ".")
		if a == b {
			return []string{fmt.Sprintf("%s; in the 3 months to %s, the same.", start, now.text)}
		}
		return []string{fmt.Sprintf("%s; in the 3 months to %s, %s.", start, now.text, gpContact(b))}
	case "loneliness_direct":
		a, b := first.Score["loneliness"], last.Score["loneliness"]
		s, _ := felt(a)
		_, often := felt(b)
		if a == b {
			often = "the same"
		}
		return []string{fmt.Sprintf("You told us %s %s; %s, %s.", s, then.at(), now.at(), often)}
	}
	var out []string
	for _, mv := range Compare(code, first.Score, last.Score) {
		label, note := numberedLabels[mv.Score], better(code, mv.Score)
		a, b := ShowScore(mv.Score, first.Score[mv.Score]), ShowScore(mv.Score, last.Score[mv.Score])
		switch {
		case a == b:
			out = append(out, fmt.Sprintf("%s was %s %s and the same %s (%s).", label, a, then.at(), now.at(), note))
		case !mv.Meaningful:
			out = append(out, fmt.Sprintf("%s was %s %s and %s %s, about the same (%s).", label, a, then.at(), b, now.at(), note))
		default:
			out = append(out, fmt.Sprintf("%s went from %s %s to %s %s (%s).", label, a, then.at(), b, now.at(), note))
		}
	}
	return out
}
