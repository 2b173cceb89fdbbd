// Package outcome owns the measures a person completes (wellbeing,
// loneliness, friendships, use of general practice) and their scoring.
package outcome

import (
	"fmt"
	"math"
	"slices"
)

// Timepoints at which a measure is taken.
const (
	Baseline = "baseline"
	Review   = "review"
	Exit     = "exit"
)

// Timepoints lists them in journey order.
var Timepoints = []string{Baseline, Review, Exit}

// Option is one labelled answer on a scale.
type Option struct {
	Value int
	Label string
}

// Instrument is a questionnaire: its questions and the whole-number range
// every answer must fall in.
type Instrument struct {
	Code string
	Name string
	// Questions are asked in this order; answers come in the same order.
	Questions []string
	Min, Max  int
	// Options label the answers when the scale has words, not just numbers.
	Options []Option
	// Attribution must be shown wherever the questions are, when set.
	Attribution string
	// Intro is read or shown before the questions, as published.
	Intro string
	// Ends label the two ends of a numbered scale, question by question,
	// when the scale has no words for the points between.
	Ends []ScaleEnds
}

// ScaleEnds are the words for the lowest and highest answers.
type ScaleEnds struct{ Low, High string }

// Instruments lists every instrument the contract names.
var Instruments = []Instrument{
	// ONS4 wording, introduction and end labels as the ONS asks them on the
	// Annual Population Survey (GSS harmonised standard "Personal well-being",
	// https://gss.civilservice.gov.uk/policy-store/personal-well-being/).
	{Code: "ons4", Name: "ONS personal wellbeing (ONS4)", Min: 0, Max: 10, Questions: []string{
		"Overall, how satisfied are you with your life nowadays?",
		"Overall, to what extent do you feel that the things you do in your life are worthwhile?",
		"Overall, how happy did you feel yesterday?",
		"Overall, how anxious did you feel yesterday?",
	}, Intro: "Next I would like to ask you four questions about your feelings on aspects of your life. There are no right or wrong answers. " +
		"For each of these questions I'd like you to give an answer on a scale of 0 to 10, where 0 is 'not at all' and 10 is 'completely'.",
		Ends: []ScaleEnds{{"Not at all satisfied", "Completely satisfied"}, {"Not at all worthwhile", "Completely worthwhile"},
			{"Not at all happy", "Completely happy"}, {"Not at all anxious", "Completely anxious"}}},
	{Code: "swemwbs", Name: "Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS)", Min: 1, Max: 5,
		Questions: []string{
			"I've been feeling optimistic about the future",
			"I've been feeling useful",
			"I've been feeling relaxed",
			"I've been dealing with problems well",
			"I've been thinking clearly",
			"I've been feeling close to other people",
			"I've been able to make up my own mind about things",
		},
		Options: []Option{{1, "None of the time"}, {2, "Rarely"}, {3, "Some of the time"}, {4, "Often"}, {5, "All of the time"}},
		Intro: "Below are some statements about feelings and thoughts. " +
			"Please tick the box that best describes your experience of each over the last 2 weeks.",
		// The reproduction notice the copyright holders ask for on every copy.
		Attribution: "Short Warwick Edinburgh Mental Wellbeing Scale (SWEMWBS) © NHS Health Scotland, University of Warwick " +
			"and University of Edinburgh, 2008, all rights reserved."},
	// The loneliness questions, answers and introduction as the ONS
	// recommends them for adults (GSS "Loneliness indicators",
	// https://gss.civilservice.gov.uk/policy-store/loneliness-indicators/);
	// the introduction is the ONS's, counting only the questions asked here.
	{Code: "ucla3", Name: "UCLA three-item loneliness scale", Min: 1, Max: 3, Questions: []string{
		"How often do you feel that you lack companionship?",
		"How often do you feel left out?",
		"How often do you feel isolated from others?",
	}, Options: []Option{{1, "Hardly ever or never"}, {2, "Some of the time"}, {3, "Often"}},
		Intro: "The next three questions are about relationships with others. For each one, please say how often (if at all) you feel that way."},
	// Coded as the ONS lists the answers: 1 is the loneliest, 5 the least.
	{Code: "loneliness_direct", Name: "ONS direct loneliness question", Min: 1, Max: 5, Questions: []string{
		"How often do you feel lonely?",
	}, Options: []Option{{1, "Often or always"}, {2, "Some of the time"}, {3, "Occasionally"}, {4, "Hardly ever"}, {5, "Never"}},
		Intro: "The next question is about relationships with others. Please say how often (if at all) you feel that way."},
	{Code: "friends", Name: "Close friends", Min: 0, Max: 100, Questions: []string{
		"How many close friends do you have: people you feel at ease with and can talk to about what is on your mind?",
	}},
	{Code: "gp_appointments", Name: "GP appointments", Min: 0, Max: 100, Questions: []string{
		"How many times have you seen or spoken to your GP practice in the last 3 months?",
	}},
}

// InstrumentByCode finds an instrument.
func InstrumentByCode(code string) (Instrument, bool) {
	i := slices.IndexFunc(Instruments, func(in Instrument) bool { return in.Code == code })
	if i < 0 {
		return Instrument{}, false
	}
	return Instruments[i], true
}

// Codes lists the instrument codes.
func Codes() []string {
	out := make([]string, len(Instruments))
	for i, in := range Instruments {
		out[i] = in.Code
	}
	return out
}

// Check checks a set of answers: one per question, each a whole number in
// the instrument's range. It returns the answers as whole numbers, or the
// problems keyed by field ("answers", or "answers[2]" for one answer).
func (in Instrument) Check(answers []float64) ([]int, map[string]string) {
	f := map[string]string{}
	if len(answers) != len(in.Questions) {
		if len(in.Questions) == 1 {
			f["answers"] = "Give exactly 1 answer."
		} else {
			f["answers"] = fmt.Sprintf("Give exactly %d answers, one for each question.", len(in.Questions))
		}
		return nil, f
	}
	out := make([]int, len(answers))
	for i, a := range answers {
		if a != math.Trunc(a) || a < float64(in.Min) || a > float64(in.Max) {
			f[fmt.Sprintf("answers[%d]", i)] = fmt.Sprintf("Answer must be a whole number from %d to %d.", in.Min, in.Max)
			continue
		}
		out[i] = int(a)
	}
	if len(f) > 0 {
		return nil, f
	}
	return out, nil
}

// CheckAnswers finds the instrument and checks answers against it, naming
// the fields at fault ("instrument", "answers", "answers[1]").
func CheckAnswers(code string, answers []float64) ([]int, map[string]string) {
	in, ok := InstrumentByCode(code)
	if !ok {
		return nil, map[string]string{"instrument": fmt.Sprintf("Instrument must be one of %v.", Codes())}
	}
	return in.Check(answers)
}
