package fhir

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"oikos/internal/referral"
	"oikos/internal/taxonomy"
)

const testSR = `{"resourceType":"ServiceRequest","status":"active","intent":"order","priority":"urgent",
 "extension":[{"url":"https://oikos.example/fhir/StructureDefinition/consent","valueBoolean":true},
   {"url":"https://oikos.example/fhir/StructureDefinition/share-with-providers","valueBoolean":true}],
 "contained":[{"resourceType":"Patient","id":"p1","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}],
   "name":[{"family":"Hughes","given":["Margaret","Ann"]}],"birthDate":"1948-05-02","address":[{"postalCode":"EX4 4QJ"}],
   "telecom":[{"system":"phone","value":"01392 000000"},{"system":"email","value":"m@example.org"}]}],
 "subject":{"reference":"#p1"},"requester":{"display":"Dr Okafor"},
 "reasonCode":[{"text":"Loneliness"},{"coding":[{"system":"http://snomed.info/sct","code":"1","display":"low mood"}]},{"text":"debt"}],
 "note":[{"text":"Rarely goes out."}]}`

func TestParseServiceRequest(t *testing.T) {
	in, p := ParseServiceRequest([]byte(testSR))
	if p != nil {
		t.Fatal(p)
	}
	want := referral.Input{
		Person:  referral.PersonInput{GivenName: "Margaret", FamilyName: "Hughes", DateOfBirth: "1948-05-02", NHSNumber: "9434765919", Postcode: "EX4 4QJ", Phone: "01392 000000", Email: "m@example.org"},
		Source:  referral.SourceInput{Type: "gp", ReferrerName: "Dr Okafor"},
		Reasons: []string{"loneliness", "low_mood", "money_worries"}, Urgency: "urgent", Notes: "Rarely goes out.",
		Consent: referral.ConsentInput{Given: true, ShareWithProviders: true},
	}
	a, _ := json.Marshal(in)
	b, _ := json.Marshal(want)
	if string(a) != string(b) {
		t.Fatalf("got  %s\nwant %s", a, b)
	}
}

func TestParseServiceRequestBundle(t *testing.T) {
	var sr map[string]any
	json.Unmarshal([]byte(testSR), &sr)
	pt := sr["contained"].([]any)[0]
	delete(sr, "contained")
	sr["subject"] = map[string]any{"reference": "urn:uuid:4f6a1c2e-0000-4000-8000-000000000001"}
	bundle, _ := json.Marshal(map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": []any{
		map[string]any{"fullUrl": "urn:uuid:4f6a1c2e-0000-4000-8000-000000000001", "resource": pt, "request": map[string]any{"method": "POST", "url": "Patient"}},
		map[string]any{"fullUrl": "urn:uuid:4f6a1c2e-0000-4000-8000-000000000002", "resource": sr, "request": map[string]any{"method": "POST", "url": "ServiceRequest"}},
	}})
	in, p := ParseServiceRequest(bundle)
	if p != nil {
		t.Fatal(p)
	}
	if in.Person.NHSNumber != "9434765919" || in.Person.GivenName != "Margaret" || len(in.Reasons) != 3 {
		t.Fatalf("%+v", in)
	}
}

func TestParseServiceRequestRefusals(t *testing.T) {
	for _, c := range []struct {
		name, from, to string
		status         int
		code, expr     string
	}{
		{"malformed", `{"resourceType"`, `{"resourceType"}`, 400, "invalid", ""},
		{"wrong type", `"resourceType":"ServiceRequest"`, `"resourceType":"Observation"`, 400, "invalid", "resourceType"},
		{"no subject", `"subject":{"reference":"#p1"},`, ``, 422, "required", "ServiceRequest.subject"},
		{"dangling subject", `"#p1"`, `"#p2"`, 422, "invalid", "ServiceRequest.subject"},
		{"no consent", `"valueBoolean":true},
   {"url":"https://oikos.example/fhir/StructureDefinition/share`, `"valueBoolean":false},
   {"url":"https://oikos.example/fhir/StructureDefinition/share`, 422, "required", "ServiceRequest.extension"},
		{"bad shape", `"birthDate":"1948-05-02"`, `"birthDate":1948`, 400, "structure", "ServiceRequest.contained[0].birthDate"},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := strings.Replace(testSR, c.from, c.to, 1)
			if body == testSR {
				t.Fatal("replacement did not apply")
			}
			_, p := ParseServiceRequest([]byte(body))
			if p == nil {
				t.Fatal("accepted")
			}
			iss := p.Outcome.Issue[0]
			if p.Status != c.status || iss.Code != c.code || iss.Severity != "error" || iss.Diagnostics == "" {
				t.Fatalf("%d %+v", p.Status, iss)
			}
			if c.expr != "" && (len(iss.Expression) != 1 || iss.Expression[0] != c.expr) {
				t.Fatalf("expression %v, want %s", iss.Expression, c.expr)
			}
		})
	}
	if _, p := ParseServiceRequest([]byte(`{"resourceType":"Bundle","type":"batch"}`)); p == nil || p.Status != http.StatusUnprocessableEntity {
		t.Errorf("batch bundle: %v", p)
	}
}

func TestTaskStatus(t *testing.T) {
	for _, c := range []struct {
		st     referral.Status
		reason string
		want   string
	}{
		{referral.Received, "", "requested"}, {referral.Accepted, "", "accepted"}, {referral.Contacted, "", "in-progress"},
		{referral.Active, "", "in-progress"}, {referral.Closed, "goals_met", "completed"}, {referral.Closed, "declined", "rejected"},
		{referral.Closed, "not_appropriate", "rejected"}, {referral.Closed, "redirected", "rejected"},
		{referral.Closed, "moved_away", "cancelled"}, {referral.Closed, "disengaged", "cancelled"}, {referral.Closed, "other", "cancelled"},
	} {
		if got := TaskStatus(c.st, c.reason); got != c.want {
			t.Errorf("TaskStatus(%s, %s) = %s, want %s", c.st, c.reason, got, c.want)
		}
	}
	task := TaskFor(referral.Referral{ID: "ref_r1", Status: referral.Closed, ClosedReason: "goals_met"})
	if task.BusinessStatus.Text != "Closed: Goals met" || task.BasedOn[0].Reference != "ServiceRequest/ref-r1" || task.Intent != "order" {
		t.Errorf("%+v", task)
	}
}

func TestResourceID(t *testing.T) {
	if got := ResourceID("ref_ab12"); got != "ref-ab12" || OikosID(got) != "ref_ab12" {
		t.Errorf("ResourceID: %s", got)
	}
}

func TestValidationOutcome(t *testing.T) {
	o := ValidationOutcome(map[string]string{"person.postcode": "Enter a real UK postcode, like EX1 1AA.", "person.nhs_number": "NHS number must be 10 digits"})
	if len(o.Issue) != 2 || o.Issue[0].Expression[0] != "Patient.identifier" || o.Issue[1].Expression[0] != "Patient.address[0].postalCode" {
		t.Fatalf("%+v", o)
	}
}

func FuzzParseServiceRequest(f *testing.F) {
	f.Add([]byte(testSR))
	f.Add([]byte(`{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient"}}]}`))
	f.Add([]byte(`{"resourceType":"ServiceRequest","subject":{"reference":"#x"},"contained":[1,{}]}`))
	f.Add([]byte(`null`))
	for _, seed := range fuzzSeeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, p := ParseServiceRequest(body)
		if p != nil {
			if len(p.Outcome.Issue) == 0 || p.Outcome.Issue[0].Diagnostics == "" || (p.Status != 400 && p.Status != 422) {
				t.Fatalf("bad problem %+v", p)
			}
			return
		}
		if !in.Consent.Given || (len(in.Reasons) == 0 && in.ReasonText == "") || in.Source.Type != "gp" {
			t.Fatalf("accepted without consent or reasons: %+v", in)
		}
		for _, need := range in.Reasons {
			if _, ok := taxonomy.NeedByCode(need); !ok {
				t.Fatalf("accepted with a need Oikos does not have: %q", need)
			}
		}
	})
}

func TestSenderIdentifier(t *testing.T) {
	for _, c := range []struct {
		name string
		ids  []Identifier
		want string
	}{
		{"none", nil, ""},
		{"system and value", []Identifier{{System: "https://gp.example/referrals", Value: "GP-1"}}, "https://gp.example/referrals|GP-1"},
		{"value without a system is skipped", []Identifier{{Value: "GP-1"}, {System: "urn:x", Value: "7"}}, "urn:x|7"},
		{"Oikos's own reference is skipped", []Identifier{{System: ReferenceSystem, Value: "OIK-AAAA-BBBB"}}, ""},
		{"a value may hold a bar", []Identifier{{System: "urn:x", Value: "a|b"}}, "urn:x|a|b"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := senderToken(c.ids)
			if got != c.want {
				t.Fatalf("senderToken = %q, want %q", got, c.want)
			}
			if got == "" {
				return
			}
			id, ok := senderIdentifier(ExternalID("org_abc", got))
			if !ok || id.System+"|"+id.Value != got {
				t.Errorf("round trip: %+v %v", id, ok)
			}
		})
	}
	if ExternalID("org_abc", "") != "" {
		t.Error("no identifier, no external id")
	}
	sr := ServiceRequestFor(referral.Referral{ID: "ref_1", Reference: "OIK-AAAA-BBBB", ExternalID: "org_abc|urn:x|7"})
	if len(sr.Identifier) != 2 || sr.Identifier[0] != (Identifier{System: "urn:x", Value: "7"}) || sr.Identifier[1].System != ReferenceSystem {
		t.Errorf("identifiers of the resource read back: %+v", sr.Identifier)
	}
}

func TestIfNoneExist(t *testing.T) {
	for header, want := range map[string]string{
		"identifier=https://gp.example/referrals|GP-1":     "https://gp.example/referrals|GP-1",
		"identifier=https%3A%2F%2Fgp.example%2Fr%7CGP%2B1": "https://gp.example/r|GP+1",
		"identifier=urn:x|a|b":                             "urn:x|a|b",
		"identifier=GP-1":                                  "",
		"identifier=|GP-1":                                 "",
		"identifier=urn:x|":                                "",
		"name=Hughes":                                      "",
		"identifier=urn:x|1&identifier=urn:x|2":            "",
		"identifier=urn:x|1&_id=2":                         "",
		"%zz":                                              "",
		"":                                                 "",
	} {
		got, p := IfNoneExist(header)
		if got != want || (p == nil) != (want != "") {
			t.Errorf("IfNoneExist(%q) = %q, %v; want %q", header, got, p, want)
		}
		if p != nil && (p.Status != http.StatusBadRequest || p.Outcome.Issue[0].Code != "not-supported") {
			t.Errorf("IfNoneExist(%q): %+v", header, p)
		}
	}
}

func FuzzIfNoneExist(f *testing.F) {
	for _, seed := range []string{"identifier=https://gp.example/referrals|GP-1", "identifier=a%7Cb", "identifier=|", "x=1&identifier=a|b", "%", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		token, p := IfNoneExist(header)
		if p != nil {
			if token != "" || p.Status != http.StatusBadRequest || len(p.Outcome.Issue) != 1 || p.Outcome.Issue[0].Diagnostics == "" {
				t.Fatalf("bad problem %q %+v", token, p)
			}
			return
		}
		system, value, ok := strings.Cut(token, "|")
		if !ok || system == "" || value == "" {
			t.Fatalf("accepted %q as %q", header, token)
		}
		if id, ok := senderIdentifier(ExternalID("org_x", token)); !ok || id.System != system || id.Value != value {
			t.Fatalf("%q does not round-trip: %+v", token, id)
		}
	})
}
