package community

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"oikos/internal/directory"
	"oikos/internal/postcode"
)

// Volunteer suggestions rank the scheme's volunteers for a person by the
// interests and languages they share, how near they live, and whether
// they are free when the person is, each with the reasons why, as service
// suggestions are. Rank is pure: the store gathers its inputs. A volunteer
// without an in-date DBS check is never offered, whatever else they share.

// SuggestProfile is what suggestions know of the person.
type SuggestProfile struct {
	// Located is set when Home places the person.
	Home    postcode.Point
	Located bool
	// Interests are their interests and strengths, as phrases in their
	// own words (InterestPhrases): matching takes the words of each.
	Interests []string
	// Languages they speak, or need a volunteer to speak.
	Languages []string
	// Available packs the days and times that suit them (PreferenceMask);
	// 0 when they have not said.
	Available int64
	// Today is the scheme's date (YYYY-MM-DD), for DBS checks.
	Today string
}

// VolunteerCandidate is a volunteer as ranking weighs them.
type VolunteerCandidate struct {
	UserID     string
	DistanceKm float64 // when the person and the volunteer are both placed
	Placed     bool
	Interests  []string // as the profile lists them ("walking football")
	// Stems are the stems of the interests' words (InterestTerms), when
	// the store read those rather than the interests: enough to rank by,
	// not to say which interests are shared.
	Stems     []string
	Languages []string
	Available int64
	// DBS dates, YYYY-MM-DD ("" when not held).
	DBSCheckedOn, DBSExpiresOn string
}

// RankedVolunteer is a candidate with its score and the reasons for it.
type RankedVolunteer struct {
	VolunteerCandidate
	Score float64
	// Reasons say why, in the order they weigh.
	Reasons []string
	// SharedInterests are the volunteer's interests that match the
	// person's words; SharedLanguages the languages they both speak;
	// Overlap the times both are free.
	SharedInterests []string
	SharedLanguages []string
	Overlap         int64
}

// Ranking weights. Shared interests weigh most (0.35): a befriending
// lasts when there is something to do and talk about together. The first
// shared interest earns 0.6 of that and each further one 0.2 more, so a
// volunteer who shares one interest outranks a stranger a few kilometres
// nearer. A shared
// language (0.25) comes next, and counts only when the person has said
// what they speak: for someone who needs a Polish speaker it is nearly
// everything, so a volunteer who speaks none of their languages loses 1,
// more than anything else can earn, and is shown below every one who does
// (with the reason: the link worker may know the person gets by in
// English); for anyone else it is not asked. Nearness (0.25) gives half
// its credit at 3 km, a short bus ride for a weekly visit. Being free when
// the person is (0.15) is the share of the person's times the volunteer
// can do; it counts only when the person has said when suits them.
const (
	volInterestWeight = 0.35
	volLanguageWeight = 0.25
	volDistanceWeight = 0.25
	volWhenWeight     = 0.15
	volHalfCreditKm   = 3.0
	volNoLanguage     = 1.0
	volFirstInterest  = 0.6
	volMoreInterests  = 0.2
	// maxFreePhrases bounds the times a reason lists.
	maxFreePhrases = 3
)

// RankVolunteers scores the candidates for the person, best first (ties:
// nearer, then id), each with its reasons. Candidates without an in-date
// DBS check on p.Today are left out.
func RankVolunteers(p SuggestProfile, cands []VolunteerCandidate) []RankedVolunteer {
	out := make([]RankedVolunteer, 0, len(cands))
	personStems := stems(p.Interests)
	warn := addDays(p.Today, DBSWarningDays)
	for _, c := range cands {
		if c.DBSCheckedOn == "" || c.DBSExpiresOn == "" || c.DBSExpiresOn < p.Today {
			continue // as DBSInDateOn, without a date sum per volunteer
		}
		out = append(out, scoreVolunteer(p, personStems, warn, c))
	}
	slices.SortFunc(out, func(a, b RankedVolunteer) int {
		if a.Score != b.Score {
			return cmp.Compare(b.Score, a.Score)
		}
		if a.Placed != b.Placed {
			if a.Placed {
				return -1
			}
			return 1
		}
		if a.DistanceKm != b.DistanceKm {
			return cmp.Compare(a.DistanceKm, b.DistanceKm)
		}
		return strings.Compare(a.UserID, b.UserID)
	})
	return out
}

func scoreVolunteer(p SuggestProfile, personStems map[string]bool, warn string, c VolunteerCandidate) RankedVolunteer {
	r := RankedVolunteer{VolunteerCandidate: c, Reasons: []string{}, SharedInterests: []string{}, SharedLanguages: []string{}}

	// Interests: one shared interest earns most of the credit (something
	// to do together is what counts), each further one a little more.
	if len(personStems) > 0 {
		matched := map[string]bool{}
		if c.Interests == nil {
			for _, st := range c.Stems {
				if personStems[st] && !matched[st] {
					matched[st] = true
					r.SharedInterests = append(r.SharedInterests, st)
				}
			}
		}
		for _, interest := range c.Interests {
			hit := false
			for _, w := range directory.InterestWords(interest) {
				if st := Stem(w); personStems[st] {
					matched[st], hit = true, true
				}
			}
			if hit {
				r.SharedInterests = append(r.SharedInterests, interest)
			}
		}
		if len(matched) > 0 {
			r.Score += volInterestWeight * math.Min(1, volFirstInterest+volMoreInterests*float64(len(matched)-1))
			r.Reasons = append(r.Reasons, sharesInterests(r.SharedInterests))
		}
	}

	// Languages the person speaks.
	if len(p.Languages) > 0 {
		for _, want := range p.Languages {
			if slices.ContainsFunc(c.Languages, func(l string) bool { return strings.EqualFold(strings.TrimSpace(l), strings.TrimSpace(want)) }) {
				r.SharedLanguages = append(r.SharedLanguages, want)
			}
		}
		if len(r.SharedLanguages) > 0 {
			r.Score += volLanguageWeight * float64(len(r.SharedLanguages)) / float64(len(p.Languages))
			r.Reasons = append(r.Reasons, "Speaks "+sayAndWords(r.SharedLanguages))
		} else {
			r.Score -= volNoLanguage
			r.Reasons = append(r.Reasons, "Does not speak "+sayOrWords(p.Languages))
		}
	}

	// Distance.
	if p.Located && c.Placed {
		r.Score += volDistanceWeight / (1 + c.DistanceKm/volHalfCreditKm)
		if c.DistanceKm < 1 {
			r.Reasons = append(r.Reasons, "Lives less than 1 km away")
		} else {
			r.Reasons = append(r.Reasons, fmt.Sprintf("Lives %s km away", formatKm(c.DistanceKm)))
		}
	}

	// Times both are free.
	if p.Available != 0 {
		r.Overlap = p.Available & c.Available
		if n := maskCount(r.Overlap); n > 0 {
			r.Score += volWhenWeight * float64(n) / float64(maskCount(p.Available))
			r.Reasons = append(r.Reasons, "Free "+freePhrase(MaskPhrases(r.Overlap))+", which suit the person")
		} else if c.Available == 0 {
			r.Reasons = append(r.Reasons, "Has not said when they are free")
		} else {
			r.Reasons = append(r.Reasons, "Not free at the times that suit the person")
		}
	}

	if c.DBSExpiresOn <= warn {
		by := c.DBSExpiresOn
		if d, err := time.Parse(time.DateOnly, by); err == nil {
			by = d.Format("2 January 2006") // a reason is read by people
		}
		r.Reasons = append(r.Reasons, "DBS check to be renewed by "+by)
	}
	r.Score = math.Round(r.Score*1000) / 1000
	return r
}

// InterestTerms are the stems of the words of a volunteer's interests,
// each once, joined by spaces: what the suggestions index holds of them.
func InterestTerms(interests []string) string {
	var out []string
	for _, interest := range interests {
		for _, w := range directory.InterestWords(interest) {
			if st := Stem(w); st != "" && !slices.Contains(out, st) {
				out = append(out, st)
			}
		}
	}
	return strings.Join(out, " ")
}

// stems are the stems of interest words, as a set.
// stems are the stems of the words worth matching in phrases.
func stems(phrases []string) map[string]bool {
	out := map[string]bool{}
	for _, p := range phrases {
		for _, w := range directory.InterestWords(p) {
			if st := Stem(w); st != "" {
				out[st] = true
			}
		}
	}
	return out
}

// maxPersonInterests caps the phrases a person's interests give.
const maxPersonInterests = 12

// InterestPhrases are a person's interests and strengths as they said
// them: the interests text and each strength split at line breaks,
// commas, semicolons and slashes, never at spaces, so "Good baker / Kind
// neighbour" gives "Good baker" and "Kind neighbour" for people to read;
// each phrase once whatever its case, at most maxPersonInterests.
func InterestPhrases(interests string, strengths []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, text := range append([]string{interests}, strengths...) {
		for _, p := range strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune("\n\r,;/", r) }) {
			p = strings.Join(strings.Fields(p), " ")
			key := strings.ToLower(p)
			if p == "" || seen[key] || len(directory.InterestWords(p)) == 0 {
				continue
			}
			seen[key] = true
			out = append(out, p)
			if len(out) == maxPersonInterests {
				return out
			}
		}
	}
	return out
}

// Stem cuts a lower-case English word to a stem that its common forms
// share: "walking", "walks" and "walker" to "walk"; "knitting" to "knit";
// "dance", "dances" and "dancing" to "danc". It is deliberately small:
// interests are short, everyday words, and a miss costs only a reason not
// given.
func Stem(w string) string {
	w = strings.ToLower(strings.TrimSpace(w))
	if strings.HasSuffix(w, "ss") {
		return w // "class", "chess": not plurals
	}
	for _, suffix := range []string{"ing", "ers", "er", "ies", "es", "ed", "s"} {
		base, ok := strings.CutSuffix(w, suffix)
		if !ok || len([]rune(base)) < 3 {
			continue
		}
		switch {
		case suffix == "ies":
			base += "y" // "hobbies" → "hobby"
		case suffix == "es" && !hasAnySuffix(base, "ch", "sh", "x", "s", "z"):
			base += "e" // "games" → "game", cut below as "game" is
		}
		// "knitt" → "knit", "swimm" → "swim"; "fall", "buzz", "stuff" stay.
		if n := len(base); n >= 4 && base[n-1] == base[n-2] && !strings.ContainsRune("aeioulszf", rune(base[n-1])) {
			base = base[:n-1]
		}
		w = base
		break
	}
	if len(w) >= 4 && strings.HasSuffix(w, "e") {
		w = w[:len(w)-1] // "dance" meets "dancing" as "danc"
	}
	return w
}

func hasAnySuffix(s string, suffixes ...string) bool {
	return slices.ContainsFunc(suffixes, func(x string) bool { return strings.HasSuffix(s, x) })
}

func sharesInterests(list []string) string {
	quoted := make([]string, len(list))
	for i, s := range list {
		quoted[i] = "“" + s + "”"
	}
	if len(quoted) == 1 {
		return "Shares an interest in " + quoted[0]
	}
	return "Shares interests in " + sayAndWords(quoted)
}

// sayAndWords joins words as a sentence does: "a", "a and b", "a, b and c".
func sayAndWords(list []string) string { return joinWords(list, "and") }

func sayOrWords(list []string) string { return joinWords(list, "or") }

func joinWords(list []string, last string) string {
	switch len(list) {
	case 0:
		return ""
	case 1:
		return list[0]
	}
	return strings.Join(list[:len(list)-1], ", ") + " " + last + " " + list[len(list)-1]
}

// freePhrase says up to maxFreePhrases times, and how many more.
func freePhrase(phrases []string) string {
	if len(phrases) <= maxFreePhrases {
		return "on " + sayAndWords(phrases)
	}
	return fmt.Sprintf("on %s and %d more times", strings.Join(phrases[:maxFreePhrases], ", "), len(phrases)-maxFreePhrases)
}

// formatKm writes a distance to a tenth of a kilometre.
func formatKm(km float64) string { return fmt.Sprintf("%.1f", math.Round(km*10)/10) }
