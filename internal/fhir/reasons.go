package fhir

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"oikos/internal/taxonomy"
)

// Why a GP refers. A reasonCode may be a SNOMED CT coding, an Oikos needs
// code, or words. Known codes and words become needs (taxonomy.Needs);
// whatever else the GP wrote is kept, in their words, as the referral's
// reason text for the link worker. A reason is never refused for not
// being understood: the person would lose their referral over a word.

// SNOMEDNeeds maps SNOMED CT concepts a GP system may send as a reason to
// the Oikos need each means. Only concepts whose meaning was checked are
// here: an id read wrongly would put a person in the wrong queue, so a
// code not found, or found with one source only, stays out and reaches
// the link worker as the GP's words instead. Each was checked against at
// least two public sources giving the same id and the same fully
// specified name:
//
//   - 422650009 Social isolation (finding): Synthea's SNOMED CT condition
//     codes (synthetichealth/synthea); OMOP/SDOH code lists on GitHub.
//   - 423315002 Limited social contact (finding): Synthea; the same lists.
//   - 267076002 Feeling lonely (finding): the FMUP HEADS2 loneliness
//     profile and the Belgian eHealth loneliness example (FHIR FSH, IG
//     publisher checked against tx.fhir.org).
//   - 105529008 Lives alone (finding): NHS Digital Logical Record
//     Architecture constraint "105529008 | lives alone |"; PRSB/NHS COVID
//     care-and-support data set ("105529008 |Lives alone (finding)|").
//   - 366979004 Depressed mood (finding), UK synonym "Low mood": Danish
//     and Korean FHIR questionnaires; clinical code maps on GitHub.
//   - 35489007 Depressive disorder (disorder): several code maps on GitHub.
//   - 48694002 Anxiety (finding): HL7 mCODE examples ("Anxiety (finding)").
//   - 193462001 Insomnia (disorder): clinical code maps on GitHub.
//   - 82423001 Chronic pain (finding): HL7 FHIR R4 example resources
//     (useContext "Chronic pain (finding)").
//   - 40979000 Lack of physical exercise (finding): HL7 Physical Activity
//     IG, ServiceRequest example (validated by the IG publisher).
//   - 414916001 Obesity (disorder): HL7 FHIR R4 example CarePlan
//     (goal.addresses "Obesity (disorder)").
//   - 160932005 Financial problem (finding): HL7 CodeX value sets
//     ("Financial problem (finding)").
//   - 105531004 Housing problem (finding): OMOP concept 4022661 mapped to
//     it; FHIR SDOH examples.
//   - 32911000 Homeless (finding): Synthea; HL7 SDOH examples.
//   - 73438004 Unemployed (finding): Synthea; C-CDA employment value set.
//   - 733423003 Food insecurity (finding): HL7 SDOH Clinical Care (Gravity)
//     value sets.
//
// Left out for want of a checked code: bereavement, caring, low
// confidence, fear of going out, purpose, hobbies, benefits, digital
// exclusion, learning and long-term conditions. The words below still
// find those needs.
var SNOMEDNeeds = map[string]string{
	"422650009": "isolation",
	"423315002": "lacking_social_networks",
	"267076002": "loneliness",
	"105529008": "lives_alone",
	"366979004": "low_mood",
	"35489007":  "low_mood",
	"48694002":  "anxiety",
	"193462001": "poor_sleep",
	"82423001":  "pain",
	"40979000":  "physical_inactivity",
	"414916001": "weight",
	"160932005": "money_worries",
	"105531004": "housing",
	"32911000":  "housing",
	"73438004":  "employment",
	"733423003": "food",
}

// reasonWords are words and phrases in a GP's text that name a need. A
// phrase is matched as whole words, in lower case; "not lonely" and
// "denies debt" are not matched (see NeedsInText).
var reasonWords = map[string]string{
	"isolation": "isolation", "isolated": "isolation", "social isolation": "isolation", "socially isolated": "isolation",
	"lonely": "loneliness", "loneliness": "loneliness", "lonesome": "loneliness",
	"lives alone": "lives_alone", "living alone": "lives_alone", "lives on her own": "lives_alone", "lives on his own": "lives_alone",
	"no friends": "lacking_social_networks", "few friends": "lacking_social_networks", "social network": "lacking_social_networks",
	"no hobbies": "no_hobbies", "hobbies": "no_hobbies",
	"carer": "caring_responsibilities", "caring": "caring_responsibilities", "cares for": "caring_responsibilities",
	"low mood": "low_mood", "depression": "low_mood", "depressed": "low_mood", "depressive": "low_mood",
	"anxiety": "anxiety", "anxious": "anxiety", "panic": "anxiety",
	"fear of going out": "fear_of_going_out", "housebound": "fear_of_going_out", "agoraphobia": "fear_of_going_out",
	"confidence": "low_confidence", "self-esteem": "low_confidence", "self esteem": "low_confidence",
	"no purpose": "lacking_purpose", "lack of purpose": "lacking_purpose", "lacking purpose": "lacking_purpose", "sense of purpose": "lacking_purpose",
	"bereavement": "bereavement", "bereaved": "bereavement", "grief": "bereavement", "grieving": "bereavement",
	"widow": "bereavement", "widowed": "bereavement", "widower": "bereavement",
	"sleep": "poor_sleep", "sleeping": "poor_sleep", "insomnia": "poor_sleep",
	"pain": "pain", "chronic pain": "pain",
	"inactive": "physical_inactivity", "inactivity": "physical_inactivity", "sedentary": "physical_inactivity",
	"exercise": "physical_inactivity", "physical activity": "physical_inactivity",
	"weight": "weight", "obese": "weight", "obesity": "weight", "overweight": "weight",
	"long-term condition": "long_term_condition", "long term condition": "long_term_condition", "chronic condition": "long_term_condition",
	"debt": "money_worries", "debts": "money_worries", "money": "money_worries", "arrears": "money_worries",
	"financial": "money_worries", "finances": "money_worries", "bills": "money_worries",
	"housing": "housing", "homeless": "housing", "homelessness": "housing", "eviction": "housing", "evicted": "housing",
	"unemployed": "employment", "unemployment": "employment", "job": "employment", "employment": "employment",
	"benefits": "benefits", "universal credit": "benefits",
	"food": "food", "hungry": "food", "food bank": "food", "foodbank": "food",
	"digital": "digital_exclusion", "internet": "digital_exclusion",
	"learning": "learning", "literacy": "learning", "skills": "learning",
}

// longestPhrase is the most words any reasonWords entry has.
var longestPhrase = func() int {
	n := 0
	for p := range reasonWords {
		n = max(n, len(strings.Fields(p)))
	}
	return n
}()

// negations, just before a word, say the need is absent.
var negations = []string{"not", "denies", "never"}

// words splits text into lower-case words, keeping hyphens and
// apostrophes within them.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '\''
	})
}

// NeedsInText finds the needs a GP's words name, in the order they
// appear: "Isolated since bereavement" is isolation and bereavement.
// Longer phrases win over the words in them ("low mood", not "low").
func NeedsInText(s string) []string {
	ws := words(s)
	var out []string
	for i := 0; i < len(ws); {
		matched := 0
		for n := min(longestPhrase, len(ws)-i); n > 0; n-- {
			need, ok := reasonWords[strings.Join(ws[i:i+n], " ")]
			if !ok {
				continue
			}
			matched = n
			if i > 0 && slices.Contains(negations, ws[i-1]) {
				break
			}
			if !slices.Contains(out, need) {
				out = append(out, need)
			}
			break
		}
		i += max(matched, 1)
	}
	return out
}

// NeedCode maps a reason written as a need (a code, a label or a plain
// word, any case) to a taxonomy.Needs code: the whole text is the need.
func NeedCode(s string) (string, bool) {
	w := strings.ToLower(strings.Join(strings.Fields(s), " "))
	if w == "" {
		return "", false
	}
	if code, ok := reasonWords[w]; ok {
		return code, true
	}
	for _, n := range taxonomy.Needs {
		if w == n.Code || w == strings.ReplaceAll(n.Code, "_", " ") || w == strings.ToLower(n.Label) {
			return n.Code, true
		}
	}
	return "", false
}

// Reasons are a referral's reasons as Oikos keeps them: needs, and the
// GP's words that say more than the needs do.
type Reasons struct {
	Needs []string
	// Text holds, one per line, each reason in the GP's words where those
	// words are more than a need's name, and each coded reason Oikos does
	// not know.
	Text string
}

// ReadReasons reads reasonCode concepts. A coding maps when it is a
// SNOMED CT concept in SNOMEDNeeds or an Oikos needs code; a concept with
// no coding that maps is read for words (its text, else its codings'
// displays). A concept's own text is kept unless it only names a need,
// and a concept that maps to nothing is kept whole, so no reason is lost.
func ReadReasons(concepts []CodeableConcept) Reasons {
	var r Reasons
	var lines []string
	add := func(needs ...string) {
		for _, n := range needs {
			if !slices.Contains(r.Needs, n) {
				r.Needs = append(r.Needs, n)
			}
		}
	}
	keep := func(line string) {
		line = strings.Join(strings.Fields(line), " ")
		if line != "" && !slices.Contains(lines, line) {
			lines = append(lines, line)
		}
	}
	for _, c := range concepts {
		var coded []string
		for _, cd := range c.Coding {
			switch cd.System {
			case SNOMEDSystem:
				if need, ok := SNOMEDNeeds[cd.Code]; ok {
					coded = append(coded, need)
				}
			case NeedsSystem, "":
				if need, ok := NeedCode(cd.Code); ok {
					coded = append(coded, need)
				}
			}
		}
		text := strings.TrimSpace(c.Text)
		if len(coded) > 0 {
			add(coded...)
			if _, bare := NeedCode(text); text != "" && !bare {
				keep(text)
			}
			continue
		}
		if text == "" {
			var displays []string
			for _, cd := range c.Coding {
				if d := strings.TrimSpace(cd.Display); d != "" {
					displays = append(displays, d)
				}
			}
			text = strings.Join(displays, "; ")
		}
		if need, bare := NeedCode(text); bare {
			add(need)
			continue
		}
		add(NeedsInText(text)...)
		if text == "" {
			// Codes alone, none known: keep them for the link worker to look up.
			var codes []string
			for _, cd := range c.Coding {
				if cd.Code != "" {
					codes = append(codes, codeName(cd))
				}
			}
			text = strings.Join(codes, "; ")
		}
		keep(text)
	}
	r.Text = strings.Join(lines, "\n")
	return r
}

// codeName is a coding without words, as a person can look it up.
func codeName(cd Coding) string {
	switch cd.System {
	case SNOMEDSystem:
		return "SNOMED CT " + cd.Code
	case "":
		return "code " + cd.Code
	}
	return fmt.Sprintf("%s (%s)", cd.Code, cd.System)
}
