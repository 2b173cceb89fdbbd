package fhir

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"oikos/internal/referral"
	"oikos/internal/taxonomy"
)

// Problem is a refused resource: the HTTP status and the OperationOutcome
// that explains it.
type Problem struct {
	Status  int
	Outcome OperationOutcome
}

func (p *Problem) Error() string {
	if len(p.Outcome.Issue) == 0 {
		return "invalid FHIR resource"
	}
	return p.Outcome.Issue[0].Diagnostics
}

// Outcome is an OperationOutcome with one error issue.
func Outcome(code, diagnostics string, expression ...string) OperationOutcome {
	return OperationOutcome{ResourceType: "OperationOutcome", Issue: []Issue{{Severity: "error", Code: code, Diagnostics: diagnostics, Expression: expression}}}
}

func problem(status int, code, diagnostics string, expression ...string) *Problem {
	return &Problem{Status: status, Outcome: Outcome(code, diagnostics, expression...)}
}

// fieldPaths maps referral.Input validation fields to FHIR paths.
var fieldPaths = map[string]string{
	"person.given_name":      "Patient.name[0].given[0]",
	"person.family_name":     "Patient.name[0].family",
	"person.date_of_birth":   "Patient.birthDate",
	"person.nhs_number":      "Patient.identifier",
	"person.postcode":        "Patient.address[0].postalCode",
	"person.phone":           "Patient.telecom",
	"person.email":           "Patient.telecom",
	"source.type":            "ServiceRequest.requester",
	"source.referrer_name":   "ServiceRequest.requester.display",
	"source.organisation_id": "ServiceRequest.requester",
	"reasons":                "ServiceRequest.reasonCode",
	"urgency":                "ServiceRequest.priority",
	"notes":                  "ServiceRequest.note",
	"consent.given":          "ServiceRequest.extension",
	"external_id":            "ServiceRequest.identifier",
}

// ValidationOutcome turns referral validation fields into a 422 outcome,
// one issue per field, in a stable order.
func ValidationOutcome(fields map[string]string) OperationOutcome {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := OperationOutcome{ResourceType: "OperationOutcome"}
	for _, k := range keys {
		path, ok := fieldPaths[k]
		if !ok {
			path = "ServiceRequest"
		}
		out.Issue = append(out.Issue, Issue{Severity: "error", Code: "invalid", Diagnostics: fields[k], Expression: []string{path}})
	}
	if len(out.Issue) == 0 {
		out.Issue = []Issue{{Severity: "error", Code: "invalid", Diagnostics: "The referral is not valid."}}
	}
	return out
}

// reasonSynonyms are plain words a GP system may send for a need.
var reasonSynonyms = map[string]string{
	"debt":             "money_worries",
	"money":            "money_worries",
	"lonely":           "loneliness",
	"social isolation": "isolation",
	"isolated":         "isolation",
	"depression":       "low_mood",
	"grief":            "bereavement",
	"carer":            "caring_responsibilities",
	"inactivity":       "physical_inactivity",
}

// NeedCode maps a reason in words (a code, a label or a plain word, any
// case) to a taxonomy.Needs code.
func NeedCode(s string) (string, bool) {
	w := strings.ToLower(strings.Join(strings.Fields(s), " "))
	if w == "" {
		return "", false
	}
	if code, ok := reasonSynonyms[w]; ok {
		return code, true
	}
	for _, n := range taxonomy.Needs {
		if w == n.Code || w == strings.ReplaceAll(n.Code, "_", " ") || w == strings.ToLower(n.Label) {
			return n.Code, true
		}
	}
	return "", false
}

func reasonOf(c CodeableConcept) (string, bool) {
	for _, cd := range c.Coding {
		if code, ok := NeedCode(cd.Code); ok && (cd.System == NeedsSystem || cd.System == "") {
			return code, true
		}
		if code, ok := NeedCode(cd.Display); ok {
			return code, true
		}
	}
	return NeedCode(c.Text)
}

type resourceHead struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
}

// ParseServiceRequest reads a ServiceRequest with a contained Patient, or a
// transaction Bundle holding a ServiceRequest and a Patient, into a
// referral from a GP. Consent is the consent extension set to true.
// The referral still goes through referral.Input.Validate in the store.
func ParseServiceRequest(body []byte) (referral.Input, *Problem) {
	var head resourceHead
	if err := json.Unmarshal(body, &head); err != nil {
		return referral.Input{}, problem(http.StatusBadRequest, "invalid", "The body is not valid FHIR JSON: send one ServiceRequest or transaction Bundle as application/fhir+json.")
	}
	var sr ServiceRequest
	var patient *Patient
	switch head.ResourceType {
	case "ServiceRequest":
		if err := json.Unmarshal(body, &sr); err != nil {
			return referral.Input{}, problem(http.StatusBadRequest, "structure", "The ServiceRequest does not have the FHIR R4 shape: "+err.Error(), "ServiceRequest")
		}
		if sr.Subject == nil || sr.Subject.Reference == "" {
			return referral.Input{}, problem(http.StatusUnprocessableEntity, "required", "The ServiceRequest needs a subject: a reference to a contained Patient, like \"#patient\".", "ServiceRequest.subject")
		}
		ref := sr.Subject.Reference
		for i, raw := range sr.Contained {
			var h resourceHead
			if json.Unmarshal(raw, &h) != nil || h.ResourceType != "Patient" || "#"+h.ID != ref {
				continue
			}
			var p Patient
			if err := json.Unmarshal(raw, &p); err != nil {
				return referral.Input{}, problem(http.StatusBadRequest, "structure", "The contained Patient does not have the FHIR R4 shape: "+err.Error(), fmt.Sprintf("ServiceRequest.contained[%d]", i))
			}
			patient = &p
			break
		}
	case "Bundle":
		var b Bundle
		if err := json.Unmarshal(body, &b); err != nil {
			return referral.Input{}, problem(http.StatusBadRequest, "structure", "The Bundle does not have the FHIR R4 shape: "+err.Error(), "Bundle")
		}
		if b.Type != "transaction" {
			return referral.Input{}, problem(http.StatusUnprocessableEntity, "invalid", "The Bundle must be a transaction.", "Bundle.type")
		}
		patients := map[string]*Patient{}
		found := false
		for i, e := range b.Entry {
			var h resourceHead
			if json.Unmarshal(e.Resource, &h) != nil {
				return referral.Input{}, problem(http.StatusBadRequest, "structure", "Each Bundle entry needs a resource.", fmt.Sprintf("Bundle.entry[%d].resource", i))
			}
			switch h.ResourceType {
			case "ServiceRequest":
				if found {
					return referral.Input{}, problem(http.StatusUnprocessableEntity, "invalid", "The Bundle must hold exactly one ServiceRequest.", fmt.Sprintf("Bundle.entry[%d]", i))
				}
				if err := json.Unmarshal(e.Resource, &sr); err != nil {
					return referral.Input{}, problem(http.StatusBadRequest, "structure", "The ServiceRequest does not have the FHIR R4 shape: "+err.Error(), fmt.Sprintf("Bundle.entry[%d].resource", i))
				}
				found = true
			case "Patient":
				var p Patient
				if err := json.Unmarshal(e.Resource, &p); err != nil {
					return referral.Input{}, problem(http.StatusBadRequest, "structure", "The Patient does not have the FHIR R4 shape: "+err.Error(), fmt.Sprintf("Bundle.entry[%d].resource", i))
				}
				if e.FullURL != "" {
					patients[e.FullURL] = &p
				}
				if p.ID != "" {
					patients["Patient/"+p.ID] = &p
				}
			}
		}
		if !found {
			return referral.Input{}, problem(http.StatusUnprocessableEntity, "required", "The Bundle must hold a ServiceRequest.", "Bundle.entry")
		}
		if sr.Subject == nil || sr.Subject.Reference == "" {
			return referral.Input{}, problem(http.StatusUnprocessableEntity, "required", "The ServiceRequest needs a subject: the fullUrl of the Patient in the Bundle.", "ServiceRequest.subject")
		}
		patient = patients[sr.Subject.Reference]
	default:
		return referral.Input{}, problem(http.StatusBadRequest, "invalid", fmt.Sprintf("Expected a ServiceRequest or a transaction Bundle, not resourceType %q.", truncate(head.ResourceType, 40)), "resourceType")
	}
	if patient == nil {
		return referral.Input{}, problem(http.StatusUnprocessableEntity, "invalid", fmt.Sprintf("The subject %q does not point at a Patient sent with the request.", truncate(sr.Subject.Reference, 80)), "ServiceRequest.subject")
	}
	return toInput(sr, *patient)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func toInput(sr ServiceRequest, p Patient) (referral.Input, *Problem) {
	in := referral.Input{Source: referral.SourceInput{Type: "gp"}}
	consent := false
	for _, e := range sr.Extension {
		switch e.URL {
		case ConsentExtension:
			consent = e.ValueBoolean != nil && *e.ValueBoolean
		case ShareExtension:
			in.Consent.ShareWithProviders = e.ValueBoolean != nil && *e.ValueBoolean
		}
	}
	if !consent {
		return in, problem(http.StatusUnprocessableEntity, "required", "consent is required: add the extension "+ConsentExtension+" with valueBoolean true once the person has agreed to the referral.", "ServiceRequest.extension")
	}
	in.Consent.Given = true
	if len(sr.ReasonCode) == 0 {
		return in, problem(http.StatusUnprocessableEntity, "required", "Give at least one reason for the referral in reasonCode, like \"loneliness\" or \"low mood\".", "ServiceRequest.reasonCode")
	}
	for i, c := range sr.ReasonCode {
		code, ok := reasonOf(c)
		if !ok {
			return in, problem(http.StatusUnprocessableEntity, "invalid", "This reason is not one Oikos knows: use a need from /api/v1/needs, like \"loneliness\", \"low mood\", \"isolation\" or \"debt\".", fmt.Sprintf("ServiceRequest.reasonCode[%d]", i))
		}
		if !slices.Contains(in.Reasons, code) {
			in.Reasons = append(in.Reasons, code)
		}
	}
	if sr.Requester != nil {
		in.Source.ReferrerName = sr.Requester.Display
	}
	switch sr.Priority {
	case "urgent", "asap", "stat":
		in.Urgency = "urgent"
	default:
		in.Urgency = "routine"
	}
	var notes []string
	for _, n := range sr.Note {
		if t := strings.TrimSpace(n.Text); t != "" {
			notes = append(notes, t)
		}
	}
	in.Notes = strings.Join(notes, "\n\n")
	in.ExternalID = senderToken(sr.Identifier)
	for _, id := range p.Identifier {
		if id.System == NHSNumberSystem {
			in.Person.NHSNumber = id.Value
		}
	}
	if len(p.Name) > 0 {
		if len(p.Name[0].Given) > 0 {
			in.Person.GivenName = p.Name[0].Given[0]
		}
		in.Person.FamilyName = p.Name[0].Family
	}
	in.Person.DateOfBirth = p.BirthDate
	if len(p.Address) > 0 {
		in.Person.Postcode = p.Address[0].PostalCode
	}
	for _, t := range p.Telecom {
		switch t.System {
		case "phone", "sms":
			if in.Person.Phone == "" {
				in.Person.Phone = t.Value
			}
		case "email":
			if in.Person.Email == "" {
				in.Person.Email = t.Value
			}
		}
	}
	return in, nil
}

// senderToken is the sender's own identifier for a ServiceRequest as a
// FHIR token, "system|value": the first identifier with both, other than
// the reference Oikos itself gives (a resource read back and posted
// again). A value without a system names nothing for sure and is ignored.
func senderToken(ids []Identifier) string {
	for _, id := range ids {
		if id.System != "" && id.Value != "" && id.System != ReferenceSystem {
			return id.System + "|" + id.Value
		}
	}
	return ""
}

// ExternalID is how Oikos keeps a sender's identifier token: under the
// sender (an organisation or user id), because two GP practices running
// the same clinical system may number their referrals alike. Oikos ids
// hold no "|", and a URI (the system) cannot, so it splits back cleanly.
func ExternalID(sender, token string) string {
	if token == "" {
		return ""
	}
	return sender + "|" + token
}

// senderIdentifier turns an ExternalID back into the sender's identifier.
func senderIdentifier(externalID string) (Identifier, bool) {
	_, token, ok := strings.Cut(externalID, "|")
	if !ok {
		return Identifier{}, false
	}
	system, value, ok := strings.Cut(token, "|")
	return Identifier{System: system, Value: value}, ok && system != "" && value != ""
}

// IfNoneExist reads a conditional create's If-None-Exist header, which
// Oikos answers for one search parameter: identifier=system|value. It
// returns the identifier as a token, or a Problem for anything else.
func IfNoneExist(header string) (string, *Problem) {
	q, err := url.ParseQuery(header)
	token := q.Get("identifier")
	system, value, _ := strings.Cut(token, "|")
	if err != nil || len(q) != 1 || len(q["identifier"]) != 1 || system == "" || value == "" || !utf8.ValidString(token) {
		return "", problem(http.StatusBadRequest, "not-supported",
			"If-None-Exist supports one search: identifier=system|value, the identifier the ServiceRequest carries.")
	}
	return token, nil
}

// ResourceID is an Oikos id (prefix_base32) as a FHIR id, which may not
// hold underscores: "ref_abc" becomes "ref-abc".
func ResourceID(id string) string { return strings.ReplaceAll(id, "_", "-") }

// OikosID reverses ResourceID. Oikos ids never hold a hyphen.
func OikosID(id string) string { return strings.ReplaceAll(id, "-", "_") }

func instant(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func boolPtr(b bool) *bool { return &b }

// PatientFor is the referral's person as a Patient with the given id.
func PatientFor(p *referral.Person, id string) Patient {
	pt := Patient{ResourceType: "Patient", ID: id}
	if p == nil {
		return pt
	}
	if p.NHSNumber != "" {
		pt.Identifier = []Identifier{{System: NHSNumberSystem, Value: p.NHSNumber}}
	}
	if p.GivenName != "" || p.FamilyName != "" {
		n := HumanName{Family: p.FamilyName}
		if p.GivenName != "" {
			n.Given = []string{p.GivenName}
		}
		pt.Name = []HumanName{n}
	}
	pt.BirthDate = p.DateOfBirth
	if p.Postcode != "" {
		pt.Address = []Address{{PostalCode: p.Postcode}}
	}
	if p.Phone != "" {
		pt.Telecom = append(pt.Telecom, ContactPoint{System: "phone", Value: p.Phone})
	}
	if p.Email != "" {
		pt.Telecom = append(pt.Telecom, ContactPoint{System: "email", Value: p.Email})
	}
	return pt
}

func patientRef(ref referral.Referral) *Reference {
	r := &Reference{}
	if p := ref.Person; p != nil {
		r.Display = strings.TrimSpace(p.GivenName + " " + p.FamilyName)
		if p.NHSNumber != "" {
			r.Identifier = &Identifier{System: NHSNumberSystem, Value: p.NHSNumber}
		}
	}
	if r.Display == "" && r.Identifier == nil {
		r.Display = "Person referred, " + ref.Reference
	}
	return r
}

// ServiceRequestFor is a referral as a ServiceRequest, its person contained.
func ServiceRequestFor(ref referral.Referral) ServiceRequest {
	sr := ServiceRequest{ResourceType: "ServiceRequest", ID: ResourceID(ref.ID), Status: "active", Intent: "order", Priority: "routine"}
	if ref.Status == referral.Closed {
		sr.Status = "completed"
	}
	if ref.Urgency == "urgent" {
		sr.Priority = "urgent"
	}
	pt, _ := json.Marshal(PatientFor(ref.Person, "patient"))
	sr.Contained = []json.RawMessage{pt}
	sr.Subject = &Reference{Reference: "#patient"}
	sr.Extension = []Extension{{URL: ConsentExtension, ValueBoolean: boolPtr(true)}, {URL: ShareExtension, ValueBoolean: boolPtr(ref.ConsentShare)}}
	if id, ok := senderIdentifier(ref.ExternalID); ok {
		sr.Identifier = append(sr.Identifier, id)
	}
	if ref.Reference != "" {
		sr.Identifier = append(sr.Identifier, Identifier{System: ReferenceSystem, Value: ref.Reference})
	}
	if !ref.ReceivedAt.IsZero() {
		sr.AuthoredOn = instant(ref.ReceivedAt)
	}
	if ref.ReferrerName != "" {
		sr.Requester = &Reference{Display: ref.ReferrerName}
	}
	for _, code := range ref.Reasons {
		label := code
		if n, ok := taxonomy.NeedByCode(code); ok {
			label = n.Label
		}
		sr.ReasonCode = append(sr.ReasonCode, CodeableConcept{Coding: []Coding{{System: NeedsSystem, Code: code, Display: label}}, Text: label})
	}
	if ref.Notes != "" {
		sr.Note = []Annotation{{Text: ref.Notes}}
	}
	return sr
}

// TaskStatus is the FHIR Task.status for a referral's status and, when
// closed, its close reason.
func TaskStatus(st referral.Status, closedReason string) string {
	switch st {
	case referral.Received:
		return "requested"
	case referral.Accepted:
		return "accepted"
	case referral.Contacted, referral.Active:
		return "in-progress"
	case referral.Closed:
		switch closedReason {
		case "goals_met":
			return "completed"
		case "declined", "not_appropriate", "redirected":
			return "rejected"
		}
		return "cancelled"
	}
	return "requested"
}

// TaskFor is the Task that follows a referral.
func TaskFor(ref referral.Referral) Task {
	t := Task{ResourceType: "Task", ID: ResourceID(ref.ID), Status: TaskStatus(ref.Status, ref.ClosedReason), Intent: "order",
		BasedOn: []Reference{{Reference: "ServiceRequest/" + ResourceID(ref.ID)}}, For: patientRef(ref)}
	label := ref.Status.Label()
	if ref.Status == referral.Closed && ref.ClosedReason != "" {
		label += ": " + referral.CloseReasonLabel(ref.ClosedReason)
	}
	t.BusinessStatus = &CodeableConcept{Coding: []Coding{{System: StatusSystem, Code: string(ref.Status), Display: ref.Status.Label()}}, Text: label}
	if !ref.ReceivedAt.IsZero() {
		t.AuthoredOn = instant(ref.ReceivedAt)
	}
	return t
}

// SearchSet is a searchset Bundle of the given resources, with fullUrls
// made from base (like "https://host/fhir").
func SearchSet(base string, resources ...any) (Bundle, error) {
	total := len(resources)
	b := Bundle{ResourceType: "Bundle", Type: "searchset", Total: &total}
	for _, r := range resources {
		raw, err := json.Marshal(r)
		if err != nil {
			return b, err
		}
		var h resourceHead
		_ = json.Unmarshal(raw, &h)
		b.Entry = append(b.Entry, BundleEntry{FullURL: base + "/" + h.ResourceType + "/" + h.ID, Resource: raw, Search: &BundleSearch{Mode: "match"}})
	}
	return b, nil
}
