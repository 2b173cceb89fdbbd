package fhir

import (
	"fmt"
	"strings"
	"time"

	"oikos/internal/referral"
	"oikos/internal/taxonomy"
)

// The summary for the GP record when a referral closes: a FHIR
// Communication, based on the ServiceRequest the GP sent, and the same
// content as a printable letter. What it holds is the person's choice
// (referral.GPShare, PRSB social prescribing standard): the outcome
// summary in full, or codes only (the referral and outcome codes, and the
// outcome in the words of its code), which is also what goes until they
// choose.

// SNOMEDSystem is SNOMED CT's FHIR system URI.
const SNOMEDSystem = "http://snomed.info/sct"

// OutcomeExtension carries the referral's outcome as a CodeableConcept: an
// R4 Communication has no element of its own for it.
const OutcomeExtension = "https://oikos.example/fhir/StructureDefinition/social-prescribing-outcome"

// CloseReasonSystem codes why a referral closed (referral.CloseReasons).
const CloseReasonSystem = "https://oikos.example/fhir/CodeSystem/close-reason"

// The national SNOMED CT codes for social prescribing that NHS England asks
// link workers to record, checked against NHS material:
// https://www.transformationpartnersinhealthandcare.nhs.uk/our-work/personalised_care/arrs-roles/social-prescribing/faqs/
// ("871731000000106 – Referral to social prescribing service (procedure)",
// "871711000000103 – Social prescribing declined (situation)"), and the
// same two codes at
// https://www.socialrx.co.uk/blogs/blog/social-prescribing-snomed-codes-why-important
var (
	// SocialPrescribingReferral is coded for every referral summarised.
	SocialPrescribingReferral = Coding{System: SNOMEDSystem, Code: "871731000000106", Display: "Referral to social prescribing service"}
	// SocialPrescribingDeclined is the outcome when the person declined.
	SocialPrescribingDeclined = Coding{System: SNOMEDSystem, Code: "871711000000103", Display: "Social prescribing declined"}
)

// OutcomeSNOMED is the SNOMED CT code for a close reason, where a national
// one exists. Only "declined" has one: no code for goals met, disengaged,
// moved away and the rest was found in NHS material, and an invented or
// guessed code in a GP record is worse than none, so those outcomes go in
// words and in CloseReasonSystem.
func OutcomeSNOMED(closeReason string) (Coding, bool) {
	if closeReason == "declined" {
		return SocialPrescribingDeclined, true
	}
	return Coding{}, false
}

// Activity is one service the person was connected to, for the summary.
type Activity struct {
	Service      string
	Organisation string
	// State is how it ended, in plain words ("completed", "did not start").
	State    string
	Sessions int
}

// MeasureChange is one instrument's baseline and latest scores, in words.
type MeasureChange struct {
	Instrument string
	Baseline   string
	Latest     string
	// Change says how it moved, like "Life satisfaction: better by 2".
	Change   string
	Improved bool
}

// ClosureSummary is what the GP record is told when a referral closes.
type ClosureSummary struct {
	Referral referral.Referral
	// Outcome is the close reason in words.
	Outcome string
	// NeedsAddressed are the needs worked on, in words.
	NeedsAddressed []string
	Activities     []Activity
	Measures       []MeasureChange
	LinkWorker     string
	Scheme         string
}

// ReferralCode is the SNOMED CT code for the referral.
func (s ClosureSummary) ReferralCode() Coding { return SocialPrescribingReferral }

// OutcomeCode is the SNOMED CT code for the outcome, if there is one.
func (s ClosureSummary) OutcomeCode() (Coding, bool) { return OutcomeSNOMED(s.Referral.ClosedReason) }

// ClosedOn is the day the referral closed in the UK, YYYY-MM-DD.
func (s ClosureSummary) ClosedOn() string {
	if s.Referral.ClosedAt == nil {
		return ""
	}
	return s.Referral.ClosedAt.In(ukClock).Format(time.DateOnly)
}

// ukClock is the clock the GP practice reads.
var ukClock = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/London"); err == nil {
		return loc
	}
	return time.UTC
}()

// Full reports whether the person chose to share the summary in full;
// otherwise the GP record gets codes only.
func (s ClosureSummary) Full() bool { return s.Referral.GPShare.Full() }

// Shared says in words what the person chose to share.
func (s ClosureSummary) Shared() string { return s.Referral.GPShare.Label() }

// Lines are the summary as plain sentences, for the Communication's
// payload: the letter's content, in the letter's order. With codes only,
// the first line and a line saying so.
func (s ClosureSummary) Lines() []string {
	out := []string{"Social prescribing referral " + s.Referral.Reference + " closed on " + s.ClosedOn() + ". Outcome: " + s.Outcome + "."}
	if !s.Full() {
		why := "as the person chose"
		if s.Referral.GPShare == referral.GPShareUnset {
			why = "as the person has not chosen to share more"
		}
		return append(out, "Shared with the GP record as codes only, "+why+".")
	}
	if len(s.NeedsAddressed) > 0 {
		out = append(out, "Needs addressed: "+strings.Join(s.NeedsAddressed, ", ")+".")
	} else {
		out = append(out, "Needs addressed: none recorded.")
	}
	if len(s.Activities) == 0 {
		out = append(out, "Activities: none.")
	}
	for _, a := range s.Activities {
		out = append(out, fmt.Sprintf("Activity: %s (%s): %s, %s attended.", a.Service, a.Organisation, a.State, sessions(a.Sessions)))
	}
	if len(s.Measures) == 0 {
		out = append(out, "Measures: none repeated since the start.")
	}
	for _, m := range s.Measures {
		out = append(out, fmt.Sprintf("%s: %s at the start, %s at the latest. %s.", m.Instrument, m.Baseline, m.Latest, m.Change))
	}
	return out
}

func sessions(n int) string {
	if n == 1 {
		return "1 session"
	}
	return fmt.Sprintf("%d sessions", n)
}

// Communication is the FHIR R4 resource, with the elements Oikos writes.
type Communication struct {
	ResourceType string                 `json:"resourceType"`
	ID           string                 `json:"id,omitempty"`
	Extension    []CodeableExtension    `json:"extension,omitempty"`
	BasedOn      []Reference            `json:"basedOn,omitempty"`
	Status       string                 `json:"status"`
	Subject      *Reference             `json:"subject,omitempty"`
	Topic        *CodeableConcept       `json:"topic,omitempty"`
	Sent         string                 `json:"sent,omitempty"`
	Sender       *Reference             `json:"sender,omitempty"`
	ReasonCode   []CodeableConcept      `json:"reasonCode,omitempty"`
	Payload      []CommunicationPayload `json:"payload,omitempty"`
}

// CodeableExtension is an extension whose value is a CodeableConcept.
type CodeableExtension struct {
	URL                  string           `json:"url"`
	ValueCodeableConcept *CodeableConcept `json:"valueCodeableConcept,omitempty"`
}

// CommunicationPayload is one part of what a Communication says.
type CommunicationPayload struct {
	ContentString string `json:"contentString"`
}

// OutcomeConcept is the outcome as a CodeableConcept: the SNOMED CT code
// where one exists, Oikos's close reason always, and the words.
func (s ClosureSummary) OutcomeConcept() CodeableConcept {
	cc := CodeableConcept{Text: s.Outcome}
	if c, ok := s.OutcomeCode(); ok {
		cc.Coding = append(cc.Coding, c)
	}
	if s.Referral.ClosedReason != "" {
		cc.Coding = append(cc.Coding, Coding{System: CloseReasonSystem, Code: s.Referral.ClosedReason, Display: s.Outcome})
	}
	return cc
}

// CommunicationFor is the closure summary as a Communication, based on the
// referral's ServiceRequest and about its person. Its id is the
// referral's, as the Task's is.
func CommunicationFor(s ClosureSummary) Communication {
	ref := s.Referral
	outcome := s.OutcomeConcept()
	c := Communication{ResourceType: "Communication", ID: ResourceID(ref.ID), Status: "completed",
		BasedOn:   []Reference{{Reference: "ServiceRequest/" + ResourceID(ref.ID)}},
		Subject:   patientRef(ref),
		Topic:     &CodeableConcept{Coding: []Coding{SocialPrescribingReferral}, Text: "Social prescribing referral"},
		Extension: []CodeableExtension{{URL: OutcomeExtension, ValueCodeableConcept: &outcome}},
	}
	if ref.ClosedAt != nil {
		c.Sent = instant(*ref.ClosedAt)
	}
	if s.Scheme != "" || s.LinkWorker != "" {
		c.Sender = &Reference{Display: strings.Trim(s.LinkWorker+", "+s.Scheme, ", ")}
	}
	for _, code := range ref.Reasons {
		c.ReasonCode = append(c.ReasonCode, needConcept(code))
	}
	for _, line := range s.Lines() {
		c.Payload = append(c.Payload, CommunicationPayload{ContentString: line})
	}
	return c
}

func needConcept(code string) CodeableConcept {
	label := code
	if n, ok := taxonomy.NeedByCode(code); ok {
		label = n.Label
	}
	return CodeableConcept{Coding: []Coding{{System: NeedsSystem, Code: code, Display: label}}, Text: label}
}

// ConnectionState is one of a referral's connections as its Task tells
// it: the service and how it is going in plain words, never notes.
type ConnectionState struct {
	Service string
	State   string
}

// TaskFollowing is the Task for a referral (TaskFor) that also follows its
// connections: each service and its state are added to the
// businessStatus text, and lastModified is the last change to the
// referral or any of its connections, so a GP system polling the Task
// sees every step.
func TaskFollowing(ref referral.Referral, conns []ConnectionState, lastModified time.Time) Task {
	t := TaskFor(ref)
	if len(conns) > 0 {
		parts := make([]string, len(conns))
		for i, c := range conns {
			parts[i] = "connected to " + c.Service + ": " + c.State
		}
		t.BusinessStatus.Text += "; " + strings.Join(parts, "; ")
	}
	if !lastModified.IsZero() {
		t.LastModified = instant(lastModified)
	}
	return t
}
