// Package taxonomy holds Oikos's shared vocabularies: the needs a person
// may have (across four domains) and the categories of community service,
// with the map from each need to the categories that can meet it. The
// categories are published as an Open Referral (HSDS) taxonomy.
package taxonomy

import "slices"

// Domain groups needs the way link workers think about them.
type Domain string

const (
	Social   Domain = "social"
	Mental   Domain = "mental"
	Physical Domain = "physical"
	Economic Domain = "economic"
)

// Need is one entry of the needs vocabulary. Codes are permanent: the list
// may grow, never shrink.
type Need struct {
	Code   string `json:"code"`
	Label  string `json:"label"`
	Domain Domain `json:"domain"`
	// Categories are the kinds of service that can help with this need.
	Categories []string `json:"categories"`
}

// Category is a kind of community service.
type Category struct {
	Code        string `json:"code"`
	Label       string `json:"label"`
	Description string `json:"description"`
}

// TaxonomyID and TaxonomyName identify Oikos's categories as an HSDS taxonomy.
const (
	TaxonomyID   = "oikos-categories"
	TaxonomyName = "Oikos community service categories"
)

// Categories lists every service category in display order.
var Categories = []Category{
	{"physical_activity", "Physical activity", "Exercise classes, sports, gentle movement, gyms and swimming."},
	{"walking_groups", "Walking groups", "Led walks at an easy pace, health walks and rambling groups."},
	{"singing_groups", "Singing groups", "Community choirs, singing for health and singing for the brain."},
	{"arts_creativity", "Arts and creativity", "Art classes, crafts, music, drama, writing and photography."},
	{"nature_ecotherapy", "Nature and eco-therapy", "Gardening, conservation, green gyms, forest bathing and allotments."},
	{"volunteering", "Volunteering", "Chances to give time and skills to others in the community."},
	{"employment_support", "Employment support", "Help with finding work, CVs, interviews and staying in work."},
	{"education_training", "Education and training", "Courses, adult learning, English classes and qualifications."},
	{"hobbies_interests", "Hobbies and interests", "Clubs and groups for shared interests: reading, games, crafts, history."},
	{"social_groups", "Social groups and lunch clubs", "Coffee mornings, lunch clubs, men's sheds and friendship groups."},
	{"faith_groups", "Faith groups", "Churches, mosques, temples and other faith communities that welcome newcomers."},
	{"support_groups", "Support groups", "Peer support for people living with the same condition or situation."},
	{"befriending", "Befriending", "Regular visits or calls from a volunteer befriender."},
	{"bereavement_support", "Bereavement support", "Support after the death of someone close."},
	{"money_debt_advice", "Money and debt advice", "Free advice on debt, benefits, budgeting and bills."},
	{"housing_advice", "Housing advice", "Help with renting, repairs, homelessness and moving home."},
	{"mental_health_support", "Mental health support", "Talking therapies, wellbeing courses and mental health peer support."},
	{"carers_support", "Carers support", "Advice, breaks and groups for people who look after someone."},
	{"dementia_support", "Dementia support", "Groups and advice for people living with dementia and their carers."},
	{"food_support", "Food support", "Food banks, community fridges, cooking classes and community meals."},
	{"digital_inclusion", "Digital skills", "Help using phones, computers and the internet, and devices to borrow."},
}

// Needs lists the needs vocabulary in display order.
var Needs = []Need{
	{"lacking_social_networks", "Lacking social networks", Social, []string{"social_groups", "hobbies_interests", "volunteering", "walking_groups", "singing_groups", "arts_creativity"}},
	{"isolation", "Social isolation", Social, []string{"befriending", "social_groups", "walking_groups", "hobbies_interests", "faith_groups"}},
	{"loneliness", "Loneliness", Social, []string{"befriending", "social_groups", "volunteering", "support_groups", "walking_groups", "singing_groups", "hobbies_interests"}},
	{"lives_alone", "Lives alone", Social, []string{"befriending", "social_groups", "food_support"}},
	{"no_hobbies", "No hobbies or interests", Social, []string{"hobbies_interests", "arts_creativity", "nature_ecotherapy", "singing_groups", "education_training"}},
	{"caring_responsibilities", "Caring responsibilities", Social, []string{"carers_support", "dementia_support", "support_groups"}},
	{"low_mood", "Low mood", Mental, []string{"mental_health_support", "arts_creativity", "nature_ecotherapy", "walking_groups", "physical_activity", "singing_groups"}},
	{"anxiety", "Anxiety", Mental, []string{"mental_health_support", "nature_ecotherapy", "support_groups", "arts_creativity"}},
	{"fear_of_going_out", "Fear of going out", Mental, []string{"befriending", "mental_health_support", "support_groups"}},
	{"low_confidence", "Low confidence or self-esteem", Mental, []string{"volunteering", "education_training", "arts_creativity", "support_groups", "mental_health_support"}},
	{"lacking_purpose", "Lacking purpose", Mental, []string{"volunteering", "employment_support", "education_training", "nature_ecotherapy"}},
	{"bereavement", "Bereavement", Mental, []string{"bereavement_support", "support_groups", "befriending", "faith_groups"}},
	{"poor_sleep", "Poor sleep", Physical, []string{"physical_activity", "walking_groups", "mental_health_support"}},
	{"pain", "Pain", Physical, []string{"physical_activity", "support_groups"}},
	{"physical_inactivity", "Physical inactivity", Physical, []string{"physical_activity", "walking_groups", "nature_ecotherapy"}},
	{"weight", "Weight", Physical, []string{"physical_activity", "walking_groups", "food_support"}},
	{"long_term_condition", "Long-term condition", Physical, []string{"support_groups", "physical_activity", "education_training"}},
	{"money_worries", "Debt or money worries", Economic, []string{"money_debt_advice"}},
	{"housing", "Housing", Economic, []string{"housing_advice"}},
	{"employment", "Employment", Economic, []string{"employment_support", "education_training", "volunteering"}},
	{"benefits", "Benefits", Economic, []string{"money_debt_advice"}},
	{"food", "Food", Economic, []string{"food_support"}},
	{"digital_exclusion", "Digital exclusion", Economic, []string{"digital_inclusion"}},
	{"learning", "Learning", Economic, []string{"education_training", "digital_inclusion"}},
}

var (
	categoryByCode = map[string]Category{}
	needByCode     = map[string]Need{}
)

func init() {
	for _, c := range Categories {
		categoryByCode[c.Code] = c
	}
	for _, n := range Needs {
		needByCode[n.Code] = n
	}
}

// CategoryByCode finds a category.
func CategoryByCode(code string) (Category, bool) {
	c, ok := categoryByCode[code]
	return c, ok
}

// NeedByCode finds a need.
func NeedByCode(code string) (Need, bool) {
	n, ok := needByCode[code]
	return n, ok
}

// CategoriesForNeeds is the union of the categories that meet any of the
// needs, in the order of Categories.
func CategoriesForNeeds(needs []string) []string {
	want := map[string]bool{}
	for _, code := range needs {
		for _, c := range needByCode[code].Categories {
			want[c] = true
		}
	}
	var out []string
	for _, c := range Categories {
		if want[c.Code] {
			out = append(out, c.Code)
		}
	}
	return out
}

// NeedsMetBy lists the needs a category helps with, for explaining matches.
func NeedsMetBy(category string) []string {
	var out []string
	for _, n := range Needs {
		if slices.Contains(n.Categories, category) {
			out = append(out, n.Code)
		}
	}
	return out
}
