package fhir

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"oikos/internal/referral"
)

func TestBasedOnSearch(t *testing.T) {
	for _, c := range []struct {
		query, prefer string
		want          string // the referral id, or "" for a refusal
		status        int
	}{
		{"based-on=ServiceRequest/ref-abc", "", "ref_abc", 0},
		{"based-on=ref-abc", "", "ref_abc", 0},
		{"based-on=" + url.QueryEscape("https://oikos.example.org/fhir/ServiceRequest/ref-abc"), "", "ref_abc", 0},
		{"based-on:ServiceRequest=ref-abc", "", "ref_abc", 0},
		{"based-on=ServiceRequest/ref-abc&_count=10&_format=json", "handling=strict", "ref_abc", 0},
		{"based-on=ServiceRequest/ref-abc&patient=Patient/1", "", "ref_abc", 0},
		{"based-on=ServiceRequest/ref-abc&patient=Patient/1", "return=minimal, handling=strict", "", 400},
		{"", "", "", 400},
		{"based-on=", "", "", 400},
		{"based-on=Patient/1", "", "", 400},
		{"based-on=ServiceRequest/a,ServiceRequest/b", "", "", 400},
		{"based-on=ServiceRequest/a&based-on=ServiceRequest/b", "", "", 400},
	} {
		q, _ := url.ParseQuery(c.query)
		got, p := BasedOnSearch("Task", q, c.prefer)
		if got != c.want || (p == nil) != (c.status == 0) || (p != nil && (p.Status != c.status || p.Outcome.Issue[0].Diagnostics == "")) {
			t.Errorf("%q %q: %q %+v", c.query, c.prefer, got, p)
		}
	}
}

func TestReadID(t *testing.T) {
	for id, want := range map[string]string{"ref-abc": "ref_abc", "ref-ABC.1": "ref_ABC.1", "ref_abc": "", "": "", "a b": "",
		strings.Repeat("a", 65): "", "ref-é": ""} {
		got, p := ReadID("Task", id)
		if got != want || (p == nil) != (want != "") || (p != nil && (p.Status != 404 || p.Outcome.Issue[0].Code != "not-found")) {
			t.Errorf("ReadID(%q) = %q, %+v", id, got, p)
		}
	}
}

// TestTaskFullURLResolves: the Task a search returns has the id a read
// of its fullUrl asks for, the referral's.
func TestTaskFullURLResolves(t *testing.T) {
	task := TaskFor(referral.Referral{ID: "ref_abc", Status: referral.Active})
	b, err := BasedOnSearchSet("https://oikos.example.org/fhir", "Task", "ref_abc", task)
	if err != nil {
		t.Fatal(err)
	}
	full := b.Entry[0].FullURL
	id, ok := strings.CutPrefix(full, "https://oikos.example.org/fhir/Task/")
	if !ok {
		t.Fatalf("fullUrl %s", full)
	}
	if got, p := ReadID("Task", id); p != nil || got != "ref_abc" {
		t.Errorf("fullUrl %s reads %q %+v", full, got, p)
	}
	raw, _ := json.Marshal(b)
	if !strings.Contains(string(raw), `"link":[{"relation":"self","url":"https://oikos.example.org/fhir/Task?based-on=ServiceRequest%2Fref-abc"}]`) {
		t.Errorf("%s", raw)
	}
}

func FuzzBasedOnSearch(f *testing.F) {
	for _, s := range []string{"based-on=ServiceRequest/ref-abc", "based-on=x&y=z", "based-on:ServiceRequest=a", "%zz", "based-on=https://x/ServiceRequest/1"} {
		f.Add(s, "handling=strict")
	}
	f.Fuzz(func(t *testing.T, query, prefer string) {
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		id, p := BasedOnSearch("Communication", q, prefer)
		if p != nil {
			if id != "" || p.Status != 400 || p.Outcome.Issue[0].Diagnostics == "" {
				t.Fatalf("%+v", p)
			}
			return
		}
		if id == "" || strings.Contains(id, "-") {
			t.Fatalf("%q gives id %q", query, id)
		}
	})
}
