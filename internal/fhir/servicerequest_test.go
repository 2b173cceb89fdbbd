package fhir

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// gpRequest is a referral as a GP system sends it in FHIR's own terms: a
// SNOMED CT reason and one in words, and the person's consent as a
// contained Consent referenced from supportingInfo.
func gpRequest() map[string]any {
	return map[string]any{
		"resourceType": "ServiceRequest", "status": "active", "intent": "order", "priority": "routine",
		"identifier": []any{map[string]any{"system": "https://gp.example/referrals", "value": "GP-42"}},
		"contained": []any{
			map[string]any{"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1948-05-02",
				"identifier": []any{map[string]any{"system": NHSNumberSystem, "value": "9434765919"}},
				"name":       []any{map[string]any{"use": "official", "family": "Hughes", "given": []any{"Margaret"}}},
				"address":    []any{map[string]any{"use": "home", "postalCode": "EX4 4QJ"}},
				"telecom":    []any{map[string]any{"system": "phone", "use": "mobile", "value": "07700 900123"}}},
			map[string]any{"resourceType": "Consent", "id": "c1", "status": "active", "provision": map[string]any{"type": "permit"},
				"patient": map[string]any{"reference": "#p1"}},
		},
		"subject":        map[string]any{"reference": "#p1"},
		"supportingInfo": []any{map[string]any{"reference": "#c1"}},
		"requester":      map[string]any{"display": "Dr Okafor"},
		"reasonCode": []any{
			map[string]any{"coding": []any{map[string]any{"system": SNOMEDSystem, "code": "422650009", "display": "Social isolation"}}},
			map[string]any{"text": "Isolated since bereavement"},
		},
	}
}

func at(v any, path ...any) map[string]any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			v = v.(map[string]any)[k]
		case int:
			v = v.([]any)[k]
		}
	}
	return v.(map[string]any)
}

func body(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// inBundle is the request as a transaction Bundle: the Patient and the
// Consent as entries of their own, referenced by fullUrl.
func inBundle(sr map[string]any) map[string]any {
	pt, consent := at(sr, "contained", 0), at(sr, "contained", 1)
	delete(sr, "contained")
	delete(pt, "id")
	delete(consent, "id")
	sr["subject"] = map[string]any{"reference": "urn:uuid:7b0e7c6a-0000-4000-8000-000000000001"}
	sr["supportingInfo"] = []any{map[string]any{"reference": "urn:uuid:7b0e7c6a-0000-4000-8000-000000000003"}}
	consent["patient"] = map[string]any{"reference": "urn:uuid:7b0e7c6a-0000-4000-8000-000000000001"}
	entry := func(n int, res map[string]any) map[string]any {
		return map[string]any{"fullUrl": "urn:uuid:7b0e7c6a-0000-4000-8000-00000000000" + string(rune('0'+n)), "resource": res,
			"request": map[string]any{"method": "POST", "url": res["resourceType"]}}
	}
	return map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": []any{entry(1, pt), entry(2, sr), entry(3, consent)}}
}

func TestParseGPRequest(t *testing.T) {
	for _, c := range []struct {
		name       string
		change     func(m map[string]any) any
		needs      []string
		reasonText string
		share      bool
	}{
		{"contained Consent and SNOMED CT and words", nil, []string{"isolation", "bereavement"}, "Isolated since bereavement", false},
		{"as a transaction Bundle", func(m map[string]any) any { return inBundle(m) }, []string{"isolation", "bereavement"}, "Isolated since bereavement", false},
		{"Oikos's consent extension still works", func(m map[string]any) any {
			delete(m, "supportingInfo")
			m["contained"] = m["contained"].([]any)[:1]
			m["extension"] = []any{map[string]any{"url": ConsentExtension, "valueBoolean": true}, map[string]any{"url": ShareExtension, "valueBoolean": true}}
			return m
		}, []string{"isolation", "bereavement"}, "Isolated since bereavement", true},
		{"a reason Oikos does not know is kept in words", func(m map[string]any) any {
			m["reasonCode"] = []any{map[string]any{"text": "Fear of falling since a hip replacement"}}
			return m
		}, nil, "Fear of falling since a hip replacement", false},
		{"an unknown SNOMED CT code keeps its display", func(m map[string]any) any {
			m["reasonCode"] = []any{map[string]any{"coding": []any{map[string]any{"system": SNOMEDSystem, "code": "129839007", "display": "At risk for falls"}}}}
			return m
		}, nil, "At risk for falls", false},
		{"an unknown code without words is kept as a code", func(m map[string]any) any {
			m["reasonCode"] = []any{map[string]any{"coding": []any{map[string]any{"system": SNOMEDSystem, "code": "129839007"}}}}
			return m
		}, nil, "SNOMED CT 129839007", false},
		{"a need by name leaves no text", func(m map[string]any) any {
			m["reasonCode"] = []any{map[string]any{"text": "Loneliness"}, map[string]any{"coding": []any{map[string]any{"system": NeedsSystem, "code": "money_worries"}}}}
			return m
		}, []string{"loneliness", "money_worries"}, "", false},
		{"extensions on a primitive", func(m map[string]any) any {
			m["_status"] = map[string]any{"extension": []any{map[string]any{"url": "https://gp.example/ext", "valueString": "x"}}}
			at(m, "contained", 0)["_birthDate"] = map[string]any{"id": "b"}
			return m
		}, []string{"isolation", "bereavement"}, "Isolated since bereavement", false},
		{"a resource Oikos does not read, contained", func(m map[string]any) any {
			m["contained"] = append(m["contained"].([]any), map[string]any{"resourceType": "Observation", "id": "o1", "anything": "unread"})
			return m
		}, []string{"isolation", "bereavement"}, "Isolated since bereavement", false},
		{"a Practitioner contained as requester", func(m map[string]any) any {
			m["contained"] = append(m["contained"].([]any), map[string]any{"resourceType": "Practitioner", "id": "dr", "gender": "female",
				"name": []any{map[string]any{"family": "Okafor", "prefix": []any{"Dr"}}}})
			m["requester"] = map[string]any{"reference": "#dr", "display": "Dr Okafor"}
			return m
		}, []string{"isolation", "bereavement"}, "Isolated since bereavement", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var v any = gpRequest()
			if c.change != nil {
				v = c.change(v.(map[string]any))
			}
			in, p := ParseServiceRequest(body(t, v))
			if p != nil {
				t.Fatalf("%d %+v", p.Status, p.Outcome.Issue)
			}
			if !slices.Equal(in.Reasons, c.needs) || in.ReasonText != c.reasonText {
				t.Errorf("reasons %q, text %q; want %q, %q", in.Reasons, in.ReasonText, c.needs, c.reasonText)
			}
			if !in.Consent.Given || in.Consent.ShareWithProviders != c.share || in.Person.NHSNumber != "9434765919" ||
				in.Person.GivenName != "Margaret" || in.Source.Type != "gp" || in.Source.ReferrerName != "Dr Okafor" {
				t.Errorf("%+v", in)
			}
		})
	}
}

func TestParseGPRequestRefusals(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(m map[string]any) any
		status int
		code   string
		expr   string
		says   string // in the diagnostics
	}{
		{"no consent at all", func(m map[string]any) any {
			delete(m, "supportingInfo")
			m["contained"] = m["contained"].([]any)[:1]
			return m
		}, 422, "required", "ServiceRequest.supportingInfo", `"provision": {"type": "permit"}`},
		{"Consent not yet active", func(m map[string]any) any { at(m, "contained", 1)["status"] = "proposed"; return m },
			422, "required", "ServiceRequest.contained[1].status", `once it is "active"`},
		{"Consent denies", func(m map[string]any) any { at(m, "contained", 1, "provision")["type"] = "deny"; return m },
			422, "business-rule", "ServiceRequest.contained[1].provision.type", "denies"},
		{"Consent without a provision", func(m map[string]any) any { delete(at(m, "contained", 1), "provision"); return m },
			422, "required", "ServiceRequest.contained[1].provision", "permit"},
		{"Consent for someone else", func(m map[string]any) any {
			at(m, "contained", 1)["patient"] = map[string]any{"reference": "Patient/someone-else"}
			return m
		}, 422, "invalid", "ServiceRequest.contained[1].patient", "someone other"},
		{"supportingInfo points nowhere", func(m map[string]any) any {
			m["supportingInfo"] = []any{map[string]any{"reference": "#nothing"}}
			return m
		}, 422, "invalid", "ServiceRequest.supportingInfo[0]", "does not contain"},
		{"Consent status not a code R4 has", func(m map[string]any) any { at(m, "contained", 1)["status"] = "yes"; return m },
			422, "code-invalid", "ServiceRequest.contained[1].status", "draft, proposed, active"},
		{"status bogus", func(m map[string]any) any { m["status"] = "bogus"; return m },
			422, "code-invalid", "ServiceRequest.status", "active"},
		{"intent bogus", func(m map[string]any) any { m["intent"] = "bogus"; return m },
			422, "code-invalid", "ServiceRequest.intent", "order"},
		{"priority bogus", func(m map[string]any) any { m["priority"] = "soonish"; return m },
			422, "code-invalid", "ServiceRequest.priority", "routine, urgent, asap, stat"},
		{"gender bogus", func(m map[string]any) any { at(m, "contained", 0)["gender"] = "F"; return m },
			422, "code-invalid", "ServiceRequest.contained[0].gender", "male, female, other, unknown"},
		{"telecom system bogus", func(m map[string]any) any { at(m, "contained", 0, "telecom", 0)["system"] = "mobile"; return m },
			422, "code-invalid", "ServiceRequest.contained[0].telecom[0].system", "phone"},
		{"status a number", func(m map[string]any) any { m["status"] = 1; return m },
			400, "structure", "ServiceRequest.status", "JSON string"},
		{"status missing", func(m map[string]any) any { delete(m, "status"); return m },
			422, "required", "ServiceRequest.status", "active"},
		{"status draft", func(m map[string]any) any { m["status"] = "draft"; return m },
			422, "business-rule", "ServiceRequest.status", "once it is active"},
		{"intent option", func(m map[string]any) any { m["intent"] = "option"; return m },
			422, "business-rule", "ServiceRequest.intent", "RequestGroup"},
		{"do not perform", func(m map[string]any) any { m["doNotPerform"] = true; return m },
			422, "business-rule", "ServiceRequest.doNotPerform", "not be made"},
		{"an unknown element", func(m map[string]any) any { m["reasonForReferral"] = "lonely"; return m },
			400, "structure", "ServiceRequest.reasonForReferral", "not an element of a ServiceRequest"},
		{"an unknown element in the Patient", func(m map[string]any) any { at(m, "contained", 0)["nhsNumber"] = "9434765919"; return m },
			400, "structure", "ServiceRequest.contained[0].nhsNumber", "not an element of a Patient"},
		{"an unknown element deep down", func(m map[string]any) any { at(m, "contained", 0, "name", 0)["surname"] = "Hughes"; return m },
			400, "structure", "ServiceRequest.contained[0].name[0].surname", "HumanName"},
		{"an unknown resource type", func(m map[string]any) any {
			m["contained"] = append(m["contained"].([]any), map[string]any{"resourceType": "Referral", "id": "r"})
			return m
		}, 400, "structure", "ServiceRequest.contained[2].resourceType", "not an R4 resource type"},
		{"one value for an array", func(m map[string]any) any { m["reasonCode"] = map[string]any{"text": "lonely"}; return m },
			400, "structure", "ServiceRequest.reasonCode", "JSON array"},
		{"an array for one value", func(m map[string]any) any { m["subject"] = []any{map[string]any{"reference": "#p1"}}; return m },
			400, "structure", "ServiceRequest.subject", "one value"},
		{"null", func(m map[string]any) any { m["priority"] = nil; return m },
			400, "structure", "ServiceRequest.priority", "null"},
		{"an empty element", func(m map[string]any) any { m["requester"] = map[string]any{}; return m },
			422, "invariant", "ServiceRequest.requester", "ele-1"},
		{"a malformed date", func(m map[string]any) any { at(m, "contained", 0)["birthDate"] = "02/05/1948"; return m },
			422, "value", "ServiceRequest.contained[0].birthDate", "YYYY-MM-DD"},
		{"a choice element by its FHIRPath", func(m map[string]any) any { m["occurrenceDateTime"] = "next week"; return m },
			422, "value", "ServiceRequest.occurrence.ofType(dateTime)", "date"},
		{"a modifier extension", func(m map[string]any) any {
			m["modifierExtension"] = []any{map[string]any{"url": "https://gp.example/not-really", "valueBoolean": true}}
			return m
		}, 422, "not-supported", "ServiceRequest.modifierExtension", "cannot be acted on"},
		{"implicit rules", func(m map[string]any) any { m["implicitRules"] = "https://gp.example/rules"; return m },
			422, "not-supported", "ServiceRequest.implicitRules", "cannot be acted on"},
		{"a Patient who died", func(m map[string]any) any { at(m, "contained", 0)["deceasedBoolean"] = true; return m },
			422, "business-rule", "ServiceRequest.contained[0].deceased.ofType(boolean)", "died"},
		{"a Patient record not in use", func(m map[string]any) any { at(m, "contained", 0)["active"] = false; return m },
			422, "business-rule", "ServiceRequest.contained[0].active", "not in use"},
		{"no reason", func(m map[string]any) any { delete(m, "reasonCode"); return m },
			422, "required", "ServiceRequest.reasonCode", "SNOMED CT"},
		{"a Bundle entry without its request", func(m map[string]any) any {
			b := inBundle(m)
			delete(at(b, "entry", 0), "request")
			return b
		}, 422, "required", "Bundle.entry[0].request", "bdl-3"},
		{"a Bundle entry to delete", func(m map[string]any) any {
			b := inBundle(m)
			at(b, "entry", 0, "request")["method"] = "DELETE"
			return b
		}, 422, "not-supported", "Bundle.entry[0].request.method", "POST"},
		{"a Bundle entry with a bad method", func(m map[string]any) any {
			b := inBundle(m)
			at(b, "entry", 0, "request")["method"] = "post"
			return b
		}, 422, "code-invalid", "Bundle.entry[0].request.method", "POST"},
		{"an unknown element in a Bundle entry", func(m map[string]any) any {
			b := inBundle(m)
			at(b, "entry", 1, "resource")["reasons"] = []any{"x"}
			return b
		}, 400, "structure", "Bundle.entry[1].resource.reasons", "not an element"},
		{"a Bundle's ServiceRequest without consent", func(m map[string]any) any {
			b := inBundle(m)
			delete(at(b, "entry", 1, "resource"), "supportingInfo")
			return b
		}, 422, "required", "Bundle.entry[1].resource.supportingInfo", "Consent"},
		{"a Bundle's Consent not active", func(m map[string]any) any {
			b := inBundle(m)
			at(b, "entry", 2, "resource")["status"] = "draft"
			return b
		}, 422, "required", "Bundle.entry[2].resource.status", "active"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, p := ParseServiceRequest(body(t, c.change(gpRequest())))
			if p == nil {
				t.Fatal("accepted")
			}
			iss := p.Outcome.Issue[0]
			if p.Status != c.status || iss.Code != c.code || iss.Severity != "error" || len(iss.Expression) == 0 || iss.Expression[0] != c.expr {
				t.Fatalf("%d %s %v: %s; want %d %s %s", p.Status, iss.Code, iss.Expression, iss.Diagnostics, c.status, c.code, c.expr)
			}
			if !strings.Contains(iss.Diagnostics, c.says) || strings.Contains(iss.Diagnostics, "json:") || strings.Contains(iss.Diagnostics, "unmarshal") {
				t.Errorf("diagnostics %q should say %q, in plain English", iss.Diagnostics, c.says)
			}
		})
	}
}

// TestParseGPRequestEveryFault: one answer names every fault, so a GP
// system's developer can fix them in one go; unreadable wins the status.
func TestParseGPRequestEveryFault(t *testing.T) {
	m := gpRequest()
	m["status"] = "bogus"
	at(m, "contained", 0)["gender"] = "F"
	m["colour"] = "blue"
	_, p := ParseServiceRequest(body(t, m))
	if p == nil || p.Status != 400 || len(p.Outcome.Issue) != 3 {
		t.Fatalf("%+v", p)
	}
	var exprs []string
	for _, iss := range p.Outcome.Issue {
		exprs = append(exprs, iss.Expression[0])
	}
	slices.Sort(exprs)
	if want := []string{"ServiceRequest.colour", "ServiceRequest.contained[0].gender", "ServiceRequest.status"}; !slices.Equal(exprs, want) {
		t.Errorf("%v", exprs)
	}
}

func TestReadJSONRefusals(t *testing.T) {
	for _, c := range []struct{ name, body, says string }{
		{"duplicate keys", `{"resourceType":"ServiceRequest","status":"active","status":"draft"}`, "appears twice"},
		{"not JSON", `{"resourceType":`, "not valid JSON"},
		{"trailing data", `{"resourceType":"ServiceRequest"} {}`, "not valid JSON"},
		{"not UTF-8", "{\"resourceType\":\"Service\xffRequest\"}", "UTF-8"},
		{"too deep", strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100), "deeper"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, p := ParseServiceRequest([]byte(c.body))
			if p == nil || p.Status != 400 || !strings.Contains(p.Outcome.Issue[0].Diagnostics, c.says) {
				t.Fatalf("%+v", p)
			}
		})
	}
}

// fuzzSeeds are the new shapes, for FuzzParseServiceRequest.
var fuzzSeeds = func() []string {
	var out []string
	for _, change := range []func(m map[string]any) any{
		func(m map[string]any) any { return m },
		func(m map[string]any) any { return inBundle(m) },
		func(m map[string]any) any { m["status"] = "bogus"; return m },
		func(m map[string]any) any { m["status"] = 7; return m },
		func(m map[string]any) any { at(m, "contained", 1)["status"] = "proposed"; return m },
		func(m map[string]any) any { m["occurrenceDateTime"] = "2024-13-01"; return m },
		func(m map[string]any) any {
			m["reasonCode"] = []any{map[string]any{"coding": []any{map[string]any{"system": SNOMEDSystem, "code": "267076002"}}, "text": "not lonely, just bored"}}
			return m
		},
		func(m map[string]any) any {
			at(m, "contained", 0)["_given"] = []any{nil, map[string]any{"id": "x"}}
			return m
		},
	} {
		b, _ := json.Marshal(change(gpRequest()))
		out = append(out, string(b))
	}
	return out
}()

// BenchmarkParseServiceRequest: the strict R4 walk costs a referral's
// intake little beside its durable commit.
func BenchmarkParseServiceRequest(b *testing.B) {
	raw := []byte(fuzzSeeds[0])
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, p := ParseServiceRequest(raw); p != nil {
			b.Fatal(p)
		}
	}
}
