package connection

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"oikos/internal/directory"
	"oikos/internal/taxonomy"
)

// Suggestions rank the services around a person for their needs, their
// interests in their own words, where they live, when they are free, what
// they can pay and what access they need, remembering what worked or
// failed for them before. Rank is pure: the store gathers its inputs.

// NeedPriority is one need to meet, with how much it matters (1 is most).
type NeedPriority struct {
	Code     string `json:"code"`
	Priority int    `json:"priority"`
}

// Past is what became of an earlier connection of the person to a service.
type Past struct {
	Status string
}

// pastFailed reports whether an earlier connection did not work out.
func pastFailed(status string) bool { return status == "declined" || status == "dropped" }

// pastOpen reports whether a connection is still under way.
func pastOpen(status string) bool {
	switch status {
	case "proposed", "sent", "accepted", "waitlisted", "attending":
		return true
	}
	return false
}

// MostTelling picks, of several connections to one service, the one that
// says most: one under way, else one that failed, else one completed.
func MostTelling(statuses []string) string {
	best, rank := "", 0
	for _, st := range statuses {
		r := 1
		switch {
		case pastOpen(st):
			r = 4
		case pastFailed(st):
			r = 3
		case st == "completed":
			r = 2
		}
		if r > rank {
			best, rank = st, r
		}
	}
	return best
}

// Profile is what suggestions know of the person.
type Profile struct {
	Needs []NeedPriority
	// Interests are the words of their interests worth matching.
	Interests []string
	Prefs     Preferences
	// Past maps a service id to what became of their connections to it.
	Past map[string]Past
	// Age is how old they are (nil: not known), and Sex how they
	// describe themselves ("female", "male", "other", "not_stated", or ""
	// when nobody has asked): a service for other ages, or for women or
	// men only, is not suitable for them.
	Age *int
	Sex string
}

// Scored is a service with its score and the reasons for it.
type Scored struct {
	directory.Nearby
	Score   float64
	Reasons []string
	// NeedsMet are the person's needs its categories can meet.
	NeedsMet []string
	// WithinReach: no further than they said they can travel.
	WithinReach bool
	// Suitable: within reach, with space, at a time they can do, at a
	// price they can pay, with the access they need, and not tried and
	// failed before. Only suitable services count as meeting a need.
	Suitable    bool
	WaitingList bool
	// Previously is "declined" or "dropped" when an earlier connection to
	// it failed; Connection is the status of one still under way.
	Previously, Connection string
}

// Ranking weights. A suggestion is first about the person's needs (0.40):
// a service for their most pressing need outranks one that is merely
// close. Their interests in their own words come next (0.20), because a
// gardening club for a keen gardener is likelier to be taken up than a
// general one for the same need. Nearness (0.15) gives half its credit at
// 2 km, as the directory's search does. A time they are free (0.10) and
// the access they need (0.10) matter more than price (0.05), since most
// community activities are free or cheap. The six add up to 1; a service
// meeting more than one of the person's needs earns up to 0.1 more (a
// quarter of each further need's weight, a quarter at most), so that it
// edges ahead of one meeting the most pressing need alone.
//
// What makes a service unsuitable subtracts instead of hiding it, so the
// link worker (who may know better) still sees it, with the reason, but
// below every suitable one: a hard mismatch (too far, too dear, no access,
// never when they are free, failed before, already connected) subtracts
// 2, more than any service can score; being full subtracts 0.5, so a full
// service sinks below most open ones yet stays above the unsuitable, with
// its waiting list shown.
const (
	needWeight     = 0.40
	interestWeight = 0.20
	distanceWeight = 0.15
	whenWeight     = 0.10
	accessWeight   = 0.10
	costWeight     = 0.05

	halfCreditKm  = 2.0
	otherNeedsCut = 0.25 // each further need met counts a quarter of its weight…
	maxOthers     = 0.25 // …up to a quarter in all, so a service can score at most 1.1
	hardMismatch  = 2.0
	fullPenalty   = 0.5
	// conditionPenalty puts a group for people living with a condition
	// below the general ones meeting the same need, for someone with
	// nothing recorded of that condition: more than nearness or time can
	// make up, less than the need itself.
	conditionPenalty = 0.3
)

// conditionGroups are categories of service for people living with a
// condition and those who care for them, with the needs that say a person
// is among them. A memory café is the right place for someone with
// dementia or their carer, and the wrong first suggestion for a lonely
// widow, though both are "social groups" (a new user saw "Singing for
// Memory" offered first to a bereaved, lonely woman). It is put lower,
// not ruled out: the link worker may know what is not recorded.
var conditionGroups = []struct {
	category, reason string
	needs            []string
}{
	{"dementia_support", "For people living with dementia and those who care for them: check it suits them", []string{"caring_responsibilities", "long_term_condition"}},
}

// priorityWeight is how much meeting a need of each priority is worth.
var priorityWeight = map[int]float64{1: 1.0, 2: 0.6, 3: 0.3}

// Rank scores every candidate for the person, best first (ties: nearer,
// then name, then id), each with its reasons.
func Rank(p Profile, cands []directory.Nearby) []Scored {
	maxRel := 0.0
	for _, c := range cands {
		maxRel = math.Max(maxRel, c.Relevance)
	}
	out := make([]Scored, len(cands))
	for i, c := range cands {
		out[i] = scoreService(p, c, maxRel)
	}
	slices.SortFunc(out, func(a, b Scored) int {
		if a.Score != b.Score {
			return cmp.Compare(b.Score, a.Score)
		}
		if a.DistanceKm != b.DistanceKm {
			return cmp.Compare(a.DistanceKm, b.DistanceKm)
		}
		if n := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); n != 0 {
			return n
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// scoreService weighs one service for the person.
func scoreService(p Profile, c directory.Nearby, maxRel float64) Scored {
	s := Scored{Nearby: c, Reasons: []string{}, NeedsMet: []string{}}
	hard := false
	mismatch := func(reason string) {
		hard = true
		s.Reasons = append(s.Reasons, reason)
	}

	// Needs: the most pressing need met counts in full, others a quarter.
	var weights []float64
	var labels []string
	for _, n := range p.Needs {
		need, ok := taxonomy.NeedByCode(n.Code)
		if !ok || !slices.ContainsFunc(c.Categories, func(cat string) bool { return slices.Contains(need.Categories, cat) }) {
			continue
		}
		s.NeedsMet = append(s.NeedsMet, n.Code)
		weights = append(weights, priorityWeight[n.Priority])
		labels = append(labels, strings.ToLower(need.Label))
	}
	if len(weights) > 0 {
		slices.Sort(weights)
		others := 0.0
		for _, w := range weights[:len(weights)-1] {
			others += otherNeedsCut * w
		}
		s.Score += needWeight * (weights[len(weights)-1] + math.Min(others, maxOthers))
		s.Reasons = append(s.Reasons, "For "+sayAnd(labels))
	}

	// Interests, in their own words.
	if c.Relevance > 0 && maxRel > 0 {
		s.Score += interestWeight * c.Relevance / maxRel
		quoted := make([]string, len(c.Matched))
		for i, w := range c.Matched {
			quoted[i] = "“" + w + "”"
		}
		noun := "interest"
		if len(quoted) > 1 {
			noun = "interests"
		}
		s.Reasons = append(s.Reasons, fmt.Sprintf("Matches their %s in %s", noun, sayAnd(quoted)))
	}

	// Distance.
	maxKm := p.Prefs.MaxKm
	if maxKm <= 0 {
		maxKm = DefaultMaxKm
	}
	s.Score += distanceWeight / (1 + c.DistanceKm/halfCreditKm)
	s.WithinReach = c.DistanceKm <= maxKm
	if s.WithinReach {
		s.Reasons = append(s.Reasons, directory.FormatKm(c.DistanceKm)+" away")
	} else {
		mismatch(fmt.Sprintf("%s away, further than the %s they can travel", directory.FormatKm(c.DistanceKm), directory.FormatKm(maxKm)))
	}

	// When they are free.
	switch fit, reason := whenFits(p.Prefs, c.Schedule, c.Days); fit {
	case fitYes:
		s.Score += whenWeight
		s.Reasons = append(s.Reasons, reason)
	case fitUnknown:
		s.Score += whenWeight / 2
		s.Reasons = append(s.Reasons, reason)
	case fitNo:
		mismatch(reason)
	}

	// Access.
	if len(p.Prefs.Accessibility) == 0 {
		s.Score += accessWeight
	} else {
		has := strings.ToLower(strings.Join(c.Accessibility, " | ") + " | " + strings.Join(c.Languages, " | "))
		var met, missing []string
		for _, code := range p.Prefs.Accessibility {
			a, ok := AccessNeedByCode(code)
			if !ok {
				continue
			}
			if slices.ContainsFunc(a.Words, func(w string) bool { return strings.Contains(has, w) }) {
				met = append(met, strings.ToLower(a.Label))
			} else {
				missing = append(missing, strings.ToLower(a.Label))
			}
		}
		if len(missing) == 0 {
			s.Score += accessWeight
			if len(met) > 0 {
				s.Reasons = append(s.Reasons, "Has "+sayAnd(met)+", as they need")
			}
		} else {
			mismatch("Does not say it has " + sayOr(missing))
		}
	}

	// Cost.
	switch {
	case c.CostPence == nil:
		s.Score += costWeight / 2
		s.Reasons = append(s.Reasons, "Cost not listed: ask them")
	case *c.CostPence == 0:
		s.Score += costWeight
		s.Reasons = append(s.Reasons, "Free")
	case p.Prefs.MaxCostPence != nil && *c.CostPence > *p.Prefs.MaxCostPence:
		if *p.Prefs.MaxCostPence == 0 {
			mismatch(fmt.Sprintf("Costs %s a session, and they are looking for free things", FormatPounds(*c.CostPence)))
		} else {
			mismatch(fmt.Sprintf("Costs %s a session, more than the %s they can pay", FormatPounds(*c.CostPence), FormatPounds(*p.Prefs.MaxCostPence)))
		}
	default:
		s.Score += costWeight / 2
		s.Reasons = append(s.Reasons, FormatPounds(*c.CostPence)+" a session")
	}

	// Space.
	if c.Capacity != nil && *c.Capacity == 0 {
		s.WaitingList = true
		s.Score -= fullPenalty
		s.Reasons = append(s.Reasons, "Full at the moment: waiting list")
	}

	// Whom it is for.
	if reason, outside := whoFor(p, c); reason != "" {
		if outside {
			mismatch(reason)
		} else {
			s.Reasons = append(s.Reasons, reason)
		}
	}

	// A group for people living with a condition.
	for _, g := range conditionGroups {
		if slices.Contains(c.Categories, g.category) && !slices.ContainsFunc(p.Needs, func(n NeedPriority) bool { return slices.Contains(g.needs, n.Code) }) {
			s.Score -= conditionPenalty
			s.Reasons = append(s.Reasons, g.reason)
		}
	}

	// What happened before.
	if past, ok := p.Past[c.ID]; ok {
		switch {
		case pastOpen(past.Status):
			s.Connection = past.Status
			mismatch("Already connected: " + pastStatusWords[past.Status])
		case past.Status == "declined":
			s.Previously = past.Status
			mismatch("Referred before and declined: talk it over before suggesting it again")
		case past.Status == "dropped":
			s.Previously = past.Status
			mismatch("Went before and stopped going: talk it over before suggesting it again")
		case past.Status == "completed":
			s.Reasons = append(s.Reasons, "Went before and completed it")
		}
	}

	if c.CitizenLed {
		s.Reasons = append(s.Reasons, "Run by local people")
	}
	if hard {
		s.Score -= hardMismatch
	}
	s.Suitable = !hard && !s.WaitingList
	s.Score = math.Round(s.Score*1e4) / 1e4
	return s
}

// whoFor says whether a service is for people like the person: the reason
// to give ("For women only", "For ages 16 to 25"), and whether they are
// outside it. Only what is known counts against them: a service for women
// is not ruled out for someone whose sex is not recorded, or who
// describes it otherwise, but the reason is given so the link worker can
// check; one for ages 16 to 25 is ruled out for someone of 85.
func whoFor(p Profile, c directory.Nearby) (reason string, outside bool) {
	var sex string
	var sexOut, ageOut bool
	switch c.ForSex {
	case "female":
		sex, sexOut = "For women only", p.Sex == "male"
	case "male":
		sex, sexOut = "For men only", p.Sex == "female"
	}
	ages := AgesLabel(c.MinAge, c.MaxAge)
	if ages != "" && p.Age != nil {
		ageOut = (c.MinAge != nil && *p.Age < *c.MinAge) || (c.MaxAge != nil && *p.Age > *c.MaxAge)
		if !ageOut {
			ages = "" // within it: nothing to say
		}
	}
	switch {
	case sexOut && ageOut:
		return sex + "; " + strings.ToLower(ages[:1]) + ages[1:], true
	case sexOut:
		return sex, true
	case ageOut:
		return ages, true
	case sex != "" && ages != "":
		return sex + "; " + strings.ToLower(ages[:1]) + ages[1:], false
	case sex != "":
		return sex, false
	}
	return ages, false
}

// AgesLabel says the ages a service is for: "For ages 16 to 25", "For
// ages 55 and over", "For ages up to 18"; "" when it is for any age.
func AgesLabel(min, max *int) string {
	switch {
	case min != nil && max != nil && *min == *max:
		return fmt.Sprintf("For age %d only", *min)
	case min != nil && max != nil:
		return fmt.Sprintf("For ages %d to %d", *min, *max)
	case min != nil && *min > 0:
		return fmt.Sprintf("For ages %d and over", *min)
	case max != nil:
		return fmt.Sprintf("For ages up to %d", *max)
	}
	return ""
}

// pastStatusWords say a connection's status in a sentence.
var pastStatusWords = map[string]string{
	"proposed": "proposed", "sent": "sent, waiting for an answer", "accepted": "accepted",
	"waitlisted": "on the waiting list", "attending": "attending",
}

type whenFit int

const (
	fitNo whenFit = iota
	fitYes
	fitUnknown
)

// whenFits says whether a service meets when the person is free, and why.
// Without its sessions, the days it meets (a bitmask, Monday = 1) decide,
// which is enough when they have not narrowed the time of day.
func whenFits(p Preferences, schedule []directory.Session, days int) (whenFit, string) {
	if len(schedule) == 0 {
		for n := 1; n <= 7 && days != 0; n++ {
			if days&(1<<(n-1)) != 0 {
				schedule = append(schedule, directory.Session{Day: directory.Days[n-1]})
			}
		}
		if len(schedule) == 0 {
			return fitUnknown, "Times not listed: ask them"
		}
	}
	anyTime := len(p.Days) == 0 && len(p.Times) == 0
	var fitting []directory.Session
	for _, sess := range schedule {
		if sessionFits(p, sess) {
			fitting = append(fitting, sess)
		}
	}
	if len(fitting) == 0 {
		return fitNo, "Meets " + meetingDays(schedule) + ", when you are not free"
	}
	if anyTime {
		return fitYes, "Meets " + meetingDays(schedule)
	}
	first := fitting[0]
	if first.Opens == "" {
		return fitYes, fmt.Sprintf("Meets on %ss, when they are free", directory.DayLabel(directory.DayNumber(first.Day)))
	}
	return fitYes, fmt.Sprintf("Meets on %ss, %s to %s, when they are free", directory.DayLabel(directory.DayNumber(first.Day)), first.Opens, first.Closes)
}

// sessionFits reports whether one weekly session falls on a day and in a
// part of the day the person can do.
func sessionFits(p Preferences, sess directory.Session) bool {
	if len(p.Days) > 0 && !slices.Contains(p.Days, sess.Day) {
		return false
	}
	if len(p.Times) == 0 || sess.Opens == "" {
		return true
	}
	for _, code := range p.Times {
		t, ok := TimeOfDayByCode(code)
		if ok && sess.Opens < t.To && sess.Closes > t.From {
			return true
		}
	}
	return false
}

// meetingDays lists the days a service meets: "on Tuesdays and Fridays".
func meetingDays(schedule []directory.Session) string {
	var days []int
	for _, sess := range schedule {
		if n := directory.DayNumber(sess.Day); n > 0 && !slices.Contains(days, n) {
			days = append(days, n)
		}
	}
	slices.Sort(days)
	if len(days) == 7 {
		return "every day"
	}
	names := make([]string, len(days))
	for i, n := range days {
		names[i] = directory.DayLabel(n) + "s"
	}
	return "on " + sayAnd(names)
}

func sayAnd(items []string) string { return sayList(items, "and") }

func sayOr(items []string) string { return sayList(items, "or") }

// sayList lists items as a sentence does: "a, b and c".
func sayList(items []string, word string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + word + " " + items[len(items)-1]
}
