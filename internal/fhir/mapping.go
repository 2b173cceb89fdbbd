package fhir

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"oikos/internal/referral"
	"oikos/internal/taxonomy"
)

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
	// The GP's own words, kept where they said more than the needs.
	for _, line := range strings.Split(ref.ReasonText, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			sr.ReasonCode = append(sr.ReasonCode, CodeableConcept{Text: line})
		}
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
