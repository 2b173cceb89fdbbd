package fhir

import (
	"slices"
	"testing"

	"oikos/internal/taxonomy"
)

// TestReasonTables: every SNOMED CT code and word maps to a need Oikos has.
func TestReasonTables(t *testing.T) {
	for code, need := range SNOMEDNeeds {
		if _, ok := taxonomy.NeedByCode(need); !ok {
			t.Errorf("SNOMED CT %s maps to %q, not a need", code, need)
		}
	}
	for word, need := range reasonWords {
		if _, ok := taxonomy.NeedByCode(need); !ok {
			t.Errorf("%q maps to %q, not a need", word, need)
		}
		if got := words(word); len(got) == 0 || len(got) > longestPhrase {
			t.Errorf("%q splits into %q", word, got)
		}
	}
	// The codes the issue names, checked (see SNOMEDNeeds for sources).
	if SNOMEDNeeds["422650009"] != "isolation" {
		t.Error("422650009 is social isolation")
	}
}

func TestNeedsInText(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"Isolated since bereavement", []string{"isolation", "bereavement"}},
		{"Lonely, lives alone, some debt", []string{"loneliness", "lives_alone", "money_worries"}},
		{"LOW MOOD and anxious", []string{"low_mood", "anxiety"}},
		{"Widowed last year; struggling with bills and housing", []string{"bereavement", "money_worries", "housing"}},
		{"not lonely, just bored", nil},
		{"denies debt; lonely", []string{"loneliness"}},
		{"lonely and lonely again", []string{"loneliness"}},
		{"self-esteem is low", []string{"low_confidence"}},
		{"Fear of falling", nil},
		{"", nil},
		{"  ", nil},
	} {
		if got := NeedsInText(c.text); !slices.Equal(got, c.want) {
			t.Errorf("NeedsInText(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestNeedCode(t *testing.T) {
	for in, want := range map[string]string{"loneliness": "loneliness", "Low Mood": "low_mood", " isolation ": "isolation",
		"DEBT": "money_worries", "Social isolation": "isolation", "low_mood": "low_mood", "boredom": "", "": "",
		"Isolated since bereavement": ""} {
		got, ok := NeedCode(in)
		if got != want || ok != (want != "") {
			t.Errorf("NeedCode(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestReadReasons(t *testing.T) {
	snomed := func(code, display string) Coding { return Coding{System: SNOMEDSystem, Code: code, Display: display} }
	for _, c := range []struct {
		name     string
		concepts []CodeableConcept
		needs    []string
		text     string
	}{
		{"a known SNOMED CT code", []CodeableConcept{{Coding: []Coding{snomed("422650009", "Social isolation")}}}, []string{"isolation"}, ""},
		{"a known code with the GP's words", []CodeableConcept{{Coding: []Coding{snomed("267076002", "")}, Text: "Lonely since moving"}},
			[]string{"loneliness"}, "Lonely since moving"},
		{"a known code, words naming the need", []CodeableConcept{{Coding: []Coding{snomed("105529008", "")}, Text: "Lives alone"}}, []string{"lives_alone"}, ""},
		{"a code from another system is read for its words", []CodeableConcept{{Coding: []Coding{{System: "http://read.info/ctv3", Code: "XaJ6P", Display: "Social isolation"}}}},
			[]string{"isolation"}, ""},
		{"unknown code, display kept", []CodeableConcept{{Coding: []Coding{snomed("129839007", "At risk for falls")}}}, nil, "At risk for falls"},
		{"unknown codes, none with words", []CodeableConcept{{Coding: []Coding{snomed("1", ""), {System: "urn:x", Code: "y"}}}}, nil,
			"SNOMED CT 1; y (urn:x)"},
		{"words with needs in them", []CodeableConcept{{Text: "Isolated since bereavement"}}, []string{"isolation", "bereavement"}, "Isolated since bereavement"},
		{"needs codes", []CodeableConcept{{Coding: []Coding{{System: NeedsSystem, Code: "housing"}}}, {Text: "debt"}}, []string{"housing", "money_worries"}, ""},
		{"the same twice", []CodeableConcept{{Text: "Fear of falling"}, {Text: "Fear  of falling"}, {Text: "lonely"}, {Text: "Lonely"}},
			[]string{"loneliness"}, "Fear of falling"},
		{"several lines", []CodeableConcept{{Text: "Fear of falling"}, {Text: "Lonely since moving"}}, []string{"loneliness"},
			"Fear of falling\nLonely since moving"},
		{"nothing", nil, nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := ReadReasons(c.concepts)
			if !slices.Equal(r.Needs, c.needs) || r.Text != c.text {
				t.Errorf("got %q %q, want %q %q", r.Needs, r.Text, c.needs, c.text)
			}
		})
	}
}

func FuzzNeedsInText(f *testing.F) {
	for _, s := range []string{"Isolated since bereavement", "not lonely", "low mood low", "self-esteem", "ÄÖÜ lonely", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := NeedsInText(s)
		for i, need := range got {
			if _, ok := taxonomy.NeedByCode(need); !ok || slices.Contains(got[:i], need) {
				t.Fatalf("%q gives %q", s, got)
			}
		}
		r := ReadReasons([]CodeableConcept{{Text: s}})
		if len(r.Needs) == 0 && r.Text == "" && len(words(s)) > 0 {
			t.Fatalf("%q lost: %+v", s, r)
		}
	})
}
