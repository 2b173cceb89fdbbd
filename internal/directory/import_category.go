package directory

import (
	"slices"
	"strings"
	"unicode"

	"oikos/internal/taxonomy"
)

// Other directories tag services with their own vocabularies (LGA service
// types, OpenActive activities, home-grown lists). Oikos needs its own
// categories to match services to needs, so an import maps each term to a
// category: by the category's code or label, else by keywords.

// categoryKeywords are words that point to a category. A trailing "*"
// matches any word starting so ("walk*" matches "walks", "walking"); a
// phrase matches consecutive words. Words are lower case with punctuation
// removed ("men's" is "men s").
var categoryKeywords = []struct {
	category string
	words    []string
}{
	{"walking_groups", []string{"walk*", "ramble*", "rambling", "hike*", "hiking", "nordic walking"}},
	{"singing_groups", []string{"sing", "singing", "singers", "choir*", "choral"}},
	{"dementia_support", []string{"dementia", "alzheimer*", "memory cafe*", "memory loss"}},
	{"bereavement_support", []string{"bereave*", "grief", "grieving"}},
	{"befriending", []string{"befriend*", "friendly call*", "telephone friendship"}},
	{"carers_support", []string{"carer", "carers", "young carers", "respite"}},
	{"money_debt_advice", []string{"debt*", "money", "budget*", "financial", "finances", "welfare rights", "welfare benefits",
		"benefits advice", "benefit advice", "universal credit", "citizens advice", "pension credit", "bills"}},
	{"housing_advice", []string{"housing", "homeless*", "tenancy", "tenant*", "landlord*", "renting", "eviction*"}},
	{"mental_health_support", []string{"mental health", "counselling", "counseling", "counsellor*", "therapy", "therapies",
		"talking therapy", "talking therapies", "psychotherap*", "anxiety", "depression", "stress", "cbt", "mindfulness",
		"low mood", "psychological", "emotional wellbeing"}},
	{"food_support", []string{"food*", "foodbank*", "meal*", "cooking", "cookery", "pantry", "community fridge*", "community kitchen*"}},
	{"digital_inclusion", []string{"digital", "computer*", "internet", "tablet*", "smartphone*", "laptop*", "it skills", "get online"}},
	{"employment_support", []string{"employment", "job", "jobs", "jobseeker*", "cv", "cvs", "career*", "back to work",
		"unemploy*", "work club*"}},
	{"education_training", []string{"education*", "training", "course*", "learning", "learn", "esol", "adult learning",
		"qualification*", "literacy", "numeracy", "college"}},
	{"volunteering", []string{"volunteer*"}},
	{"nature_ecotherapy", []string{"garden*", "allotment*", "nature", "ecotherapy", "eco therapy", "conservation",
		"green gym*", "forest bathing", "woodland*", "outdoor*"}},
	{"arts_creativity", []string{"art", "arts", "artist*", "craft*", "creative", "creativity", "paint*", "pottery",
		"drama", "theatre", "music*", "photograph*", "knit*", "sewing", "drawing", "poetry"}},
	{"faith_groups", []string{"faith", "church*", "mosque*", "temple*", "synagogue*", "gurdwara*", "chapel*", "parish", "worship"}},
	{"support_groups", []string{"support group*", "peer support", "self help"}},
	{"social_groups", []string{"lunch club*", "coffee morning*", "social group*", "social club*", "men s shed*", "mens shed*",
		"friendship", "community cafe*", "tea dance*", "social", "socialising", "loneliness", "isolation"}},
	{"hobbies_interests", []string{"hobby", "hobbies", "book club*", "reading group*", "chess", "board game*", "bingo",
		"quiz*", "local history", "model railway*"}},
	{"physical_activity", []string{"exercise*", "fitness", "sport*", "gym", "gyms", "swim*", "yoga", "pilates", "tai chi",
		"danc*", "zumba", "physical activity", "physical activities", "football", "cycling", "bowls", "badminton",
		"tennis", "aerobics", "keep fit", "strength and balance"}},
}

// words splits text into lower-case words of letters and digits.
func termWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// keywordHits counts how often a keyword occurs in a word list.
func keywordHits(text []string, keyword string) int {
	kw := strings.Fields(keyword)
	hits := 0
	for i := 0; i+len(kw) <= len(text); i++ {
		match := true
		for j, k := range kw {
			w := text[i+j]
			if prefix, ok := strings.CutSuffix(k, "*"); ok {
				match = strings.HasPrefix(w, prefix)
			} else {
				match = w == k
			}
			if !match {
				break
			}
		}
		if match {
			hits++
		}
	}
	return hits
}

// bestKeywordCategory scores every category by keyword hits, the name
// counting three times the description, and returns the highest; ties go to
// the earlier entry of categoryKeywords, which lists specific before general.
func bestKeywordCategory(name, description string) (string, bool) {
	nameWords, descWords := termWords(name), termWords(description)
	best, bestScore := "", 0
	for _, entry := range categoryKeywords {
		score := 0
		for _, kw := range entry.words {
			score += 3*keywordHits(nameWords, kw) + keywordHits(descWords, kw)
		}
		if score > bestScore {
			best, bestScore = entry.category, score
		}
	}
	return best, bestScore > 0
}

// categoryForTerm maps one taxonomy term to an Oikos category: its code or
// name may be a category's code or label, else its words are keywords.
func categoryForTerm(t Term) (string, bool) {
	for _, text := range []string{t.Code, t.Name} {
		key := strings.Join(termWords(text), " ")
		if key == "" {
			continue
		}
		for _, c := range taxonomy.Categories {
			if key == strings.Join(termWords(c.Code), " ") || key == strings.Join(termWords(c.Label), " ") {
				return c.Code, true
			}
		}
	}
	return bestKeywordCategory(t.Name+" "+t.Code, "")
}

// MapCategories derives Oikos categories for an imported service: from its
// taxonomy terms when any of them maps, else the best keyword match in its
// name and description. fromText reports the fallback was used.
func MapCategories(terms []Term, name, description string) (categories []string, fromText bool) {
	for _, t := range terms {
		if c, ok := categoryForTerm(t); ok && !slices.Contains(categories, c) {
			categories = append(categories, c)
		}
	}
	if len(categories) > 0 {
		return categories, false
	}
	if c, ok := bestKeywordCategory(name, description); ok {
		return []string{c}, true
	}
	return nil, false
}
