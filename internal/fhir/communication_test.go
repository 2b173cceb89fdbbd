package fhir

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"oikos/internal/referral"
)

func TestOutcomeSNOMED(t *testing.T) {
	for _, reason := range referral.CloseReasons {
		c, ok := OutcomeSNOMED(reason)
		switch {
		case reason == "declined":
			if !ok || c.System != SNOMEDSystem || c.Code != "871711000000103" || c.Display != "Social prescribing declined" {
				t.Errorf("declined: %+v %v", c, ok)
			}
		case ok:
			// Only codes checked against NHS material may be sent.
			t.Errorf("%s has a code %+v: check it against NHS material first", reason, c)
		}
	}
	if SocialPrescribingReferral.Code != "871731000000106" || SocialPrescribingReferral.System != "http://snomed.info/sct" {
		t.Errorf("referral code %+v", SocialPrescribingReferral)
	}
}

func closedReferral(reason string) referral.Referral {
	// 23:30 UTC on 29 June is 00:30 on the 30th in the UK (summer time).
	closed := time.Date(2026, 6, 29, 23, 30, 0, 0, time.UTC)
	return referral.Referral{ID: "ref_abc", Reference: "OIK-ABCD-EFGH", Status: referral.Closed, ClosedReason: reason, ClosedAt: &closed,
		Reasons: []string{"loneliness"}, Person: &referral.Person{GivenName: "Margaret", FamilyName: "Hughes", NHSNumber: "9434765919"},
		GPShare: referral.GPShareFull}
}

func TestCommunicationFor(t *testing.T) {
	sum := ClosureSummary{Referral: closedReferral("goals_met"), Outcome: "Goals met", NeedsAddressed: []string{"Loneliness", "Low mood"},
		Activities: []Activity{{Service: "Riverside walk", Organisation: "Ramblers", State: "completed", Sessions: 6},
			{Service: "Choir", Organisation: "Choir Club", State: "did not start"}},
		Measures:   []MeasureChange{{Instrument: "UCLA three-item loneliness scale", Baseline: "Total 8", Latest: "Total 5", Change: "Total: better by 3", Improved: true}},
		LinkWorker: "Lee Worker", Scheme: "Oikos"}
	c := CommunicationFor(sum)
	raw, _ := json.Marshal(c)
	got := string(raw)
	for _, want := range []string{
		`"resourceType":"Communication","id":"ref-abc"`,
		`"basedOn":[{"reference":"ServiceRequest/ref-abc"}]`,
		`"status":"completed"`,
		`"subject":{"identifier":{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"},"display":"Margaret Hughes"}`,
		`"topic":{"coding":[{"system":"http://snomed.info/sct","code":"871731000000106","display":"Referral to social prescribing service"}]`,
		`"valueCodeableConcept":{"coding":[{"system":"https://oikos.example/fhir/CodeSystem/close-reason","code":"goals_met","display":"Goals met"}],"text":"Goals met"}`,
		`"sent":"2026-06-29T23:30:00Z"`,
		`"sender":{"display":"Lee Worker, Oikos"}`,
		`Social prescribing referral OIK-ABCD-EFGH closed on 2026-06-30. Outcome: Goals met.`,
		`Needs addressed: Loneliness, Low mood.`,
		`Activity: Riverside walk (Ramblers): completed, 6 sessions attended.`,
		`Activity: Choir (Choir Club): did not start, 0 sessions attended.`,
		`UCLA three-item loneliness scale: Total 8 at the start, Total 5 at the latest. Total: better by 3.`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %s\nin %s", want, got)
		}
	}

	declined := CommunicationFor(ClosureSummary{Referral: closedReferral("declined"), Outcome: "Declined support"})
	outcome := declined.Extension[0].ValueCodeableConcept
	if outcome.Coding[0].Code != "871711000000103" || outcome.Coding[0].System != SNOMEDSystem {
		t.Errorf("declined outcome %+v", outcome)
	}
	lines := strings.Join(ClosureSummary{Referral: closedReferral("declined"), Outcome: "Declined support"}.Lines(), " ")
	if !strings.Contains(lines, "Activities: none.") || !strings.Contains(lines, "Measures: none repeated") || !strings.Contains(lines, "none recorded") {
		t.Errorf("an empty summary: %s", lines)
	}
}

func TestTaskFollowing(t *testing.T) {
	ref := referral.Referral{ID: "ref_abc", Status: referral.Active}
	last := time.Date(2026, 6, 1, 9, 30, 0, 0, time.UTC)
	task := TaskFollowing(ref, []ConnectionState{{"Riverside walk", "attending"}, {"Choir", "waiting for an answer"}}, last)
	if task.BusinessStatus.Text != "Working together; connected to Riverside walk: attending; connected to Choir: waiting for an answer" ||
		task.LastModified != "2026-06-01T09:30:00Z" || task.Status != "in-progress" {
		t.Errorf("%+v %+v", task, task.BusinessStatus)
	}
	plain := TaskFollowing(ref, nil, time.Time{})
	if plain.BusinessStatus.Text != "Working together" || plain.LastModified != "" {
		t.Errorf("without connections: %+v", plain)
	}
}

// TestCommunicationCodesOnly: the person chooses what the GP record gets.
// With codes only (chosen, or not chosen yet) the Communication keeps
// the codes and the outcome in the words of its code, and nothing else:
// no needs worked on, services, sessions or scores.
func TestCommunicationCodesOnly(t *testing.T) {
	full := ClosureSummary{Referral: closedReferral("declined"), Outcome: "Declined support", NeedsAddressed: []string{"Bereavement"},
		Activities: []Activity{{Service: "Riverside walk", Organisation: "Ramblers", State: "completed", Sessions: 6}},
		Measures:   []MeasureChange{{Instrument: "ONS4", Baseline: "4", Latest: "7", Change: "better by 3"}}}
	for _, c := range []struct {
		share referral.GPShare
		line  string
	}{
		{referral.GPShareCodes, "Shared with the GP record as codes only, as the person chose."},
		{referral.GPShareUnset, "Shared with the GP record as codes only, as the person has not chosen to share more."},
	} {
		sum := full
		sum.Referral.GPShare = c.share
		if sum.Full() {
			t.Fatalf("%q shares in full", c.share)
		}
		raw, _ := json.Marshal(CommunicationFor(sum))
		got := string(raw)
		for _, want := range []string{`"code":"871731000000106"`, `"code":"871711000000103"`, `"code":"declined"`, "Outcome: Declined support.", c.line} {
			if !strings.Contains(got, want) {
				t.Errorf("%q: lacks %s in %s", c.share, want, got)
			}
		}
		for _, never := range []string{"Bereavement", "Riverside", "Ramblers", "sessions", "ONS4", "better by"} {
			if strings.Contains(got, never) {
				t.Errorf("%q: shares %q: %s", c.share, never, got)
			}
		}
	}
	sum := full
	sum.Referral.GPShare = referral.GPShareFull
	if raw, _ := json.Marshal(CommunicationFor(sum)); !strings.Contains(string(raw), "Riverside walk") || !strings.Contains(string(raw), "Bereavement") {
		t.Errorf("in full: %s", raw)
	}
}
