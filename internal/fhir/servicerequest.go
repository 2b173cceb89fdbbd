package fhir

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"oikos/internal/referral"
)

// Reading a referral from a GP system: a ServiceRequest with its Patient
// contained, or a transaction Bundle holding both (and anything else the
// system sends along). The body is first checked against R4 (r4.go); then
// Oikos's own rules apply, each refusal naming the element by FHIRPath
// from the root of what was posted.

// ConsentHowTo says how a GP system states the person's consent.
const ConsentHowTo = `State the person's consent to the referral as a Consent resource contained in the ServiceRequest, ` +
	`with "status": "active" and "provision": {"type": "permit"}, and point to it from supportingInfo, ` +
	`like "supportingInfo": [{"reference": "#consent"}] (in a transaction Bundle the Consent may be an entry of its own). ` +
	`The extension ` + ConsentExtension + ` with "valueBoolean": true says the same.`

// located is a resource found in what was posted, with its FHIRPath.
type located struct {
	typ, path string
	raw       json.RawMessage
}

// ParseServiceRequest reads a ServiceRequest with a contained Patient, or a
// transaction Bundle holding a ServiceRequest and a Patient, into a
// referral from a GP. The person's consent is a contained (or bundled)
// Consent that is active and permits, referenced from supportingInfo, or
// the Oikos consent extension set to true. reasonCode may be SNOMED CT,
// Oikos needs codes or words (ReadReasons). The referral still goes
// through referral.Input.Validate in the store.
func ParseServiceRequest(body []byte) (referral.Input, *Problem) {
	root, p := readJSON(body)
	if p != nil {
		return referral.Input{}, p
	}
	var rt string
	if root.kind == 'o' {
		if n := root.get("resourceType"); n != nil && n.kind == 's' {
			rt = n.text
		}
	}
	if rt != "ServiceRequest" && rt != "Bundle" {
		what := "a JSON object without a resourceType"
		if rt != "" {
			what = fmt.Sprintf("resourceType %q", truncate(rt, 40))
		}
		return referral.Input{}, problem(http.StatusBadRequest, "invalid", "Expected a ServiceRequest or a transaction Bundle, not "+what+".", "resourceType")
	}
	var c checker
	c.resource(root, rt)
	if p := c.problem(); p != nil {
		return referral.Input{}, p
	}
	if rt == "ServiceRequest" {
		return readServiceRequest(body, "ServiceRequest", nil)
	}
	var b Bundle
	if err := json.Unmarshal(body, &b); err != nil {
		return referral.Input{}, unreadable("Bundle")
	}
	if b.Type != "transaction" {
		return referral.Input{}, problem(http.StatusUnprocessableEntity, "invalid",
			fmt.Sprintf("The Bundle must be a transaction (its type is %q): Oikos takes a referral as one transaction of creates.", b.Type), "Bundle.type")
	}
	bundled := map[string]located{} // by fullUrl and by Type/id
	var sr *located
	for i, e := range b.Entry {
		at := fmt.Sprintf("Bundle.entry[%d]", i)
		if len(e.Resource) == 0 {
			return referral.Input{}, problem(http.StatusUnprocessableEntity, "required", "Each entry of a transaction needs the resource to create.", at+".resource")
		}
		if e.Request == nil {
			return referral.Input{}, problem(http.StatusUnprocessableEntity, "required",
				`Each entry of a transaction needs a request saying what to do with it, like "request": {"method": "POST", "url": "Patient"} (rule bdl-3).`, at+".request")
		}
		if m := e.Request.Method; m != "POST" && m != "PUT" {
			return referral.Input{}, problem(http.StatusUnprocessableEntity, "not-supported",
				fmt.Sprintf("Oikos takes what a transaction sends: the request method must be POST (or PUT), not %s.", m), at+".request.method")
		}
		var h struct {
			ResourceType string `json:"resourceType"`
			ID           string `json:"id"`
		}
		_ = json.Unmarshal(e.Resource, &h) // checked by the walk
		l := located{typ: h.ResourceType, path: at + ".resource", raw: e.Resource}
		if h.ResourceType == "ServiceRequest" {
			if sr != nil {
				return referral.Input{}, problem(http.StatusUnprocessableEntity, "invalid", "The Bundle must hold exactly one ServiceRequest: one referral at a time.", at)
			}
			sr = &l
		}
		if e.FullURL != "" {
			bundled[e.FullURL] = l
		}
		if h.ID != "" {
			bundled[h.ResourceType+"/"+h.ID] = l
		}
	}
	if sr == nil {
		return referral.Input{}, problem(http.StatusUnprocessableEntity, "required", "The Bundle must hold a ServiceRequest: the referral.", "Bundle.entry")
	}
	return readServiceRequest(sr.raw, sr.path, bundled)
}

func unreadable(path string) *Problem {
	return problem(http.StatusBadRequest, "structure", "The resource could not be read as FHIR R4.", path)
}

// readServiceRequest reads a ServiceRequest that passed the R4 check, at
// path, with the other resources of its Bundle (nil when posted alone).
func readServiceRequest(raw json.RawMessage, path string, bundled map[string]located) (referral.Input, *Problem) {
	var sr ServiceRequest
	if err := json.Unmarshal(raw, &sr); err != nil {
		return referral.Input{}, unreadable(path)
	}
	contained := map[string]located{}
	for i, c := range sr.Contained {
		var h struct {
			ResourceType string `json:"resourceType"`
			ID           string `json:"id"`
		}
		_ = json.Unmarshal(c, &h)
		if h.ID != "" {
			contained["#"+h.ID] = located{typ: h.ResourceType, path: fmt.Sprintf("%s.contained[%d]", path, i), raw: c}
		}
	}
	// resolve finds what a reference points at: a contained resource
	// ("#id"), or another entry of the Bundle (its fullUrl or Type/id).
	resolve := func(ref string) (located, bool) {
		if strings.HasPrefix(ref, "#") {
			l, ok := contained[ref]
			return l, ok
		}
		l, ok := bundled[ref]
		return l, ok
	}
	if p := requestRules(sr, path); p != nil {
		return referral.Input{}, p
	}
	if sr.Subject == nil || sr.Subject.Reference == "" {
		how := `a reference to a contained Patient, like "#patient"`
		if bundled != nil {
			how = "the fullUrl of the Patient in the Bundle"
		}
		return referral.Input{}, problem(http.StatusUnprocessableEntity, "required", "The ServiceRequest needs a subject: "+how+".", path+".subject")
	}
	pl, ok := resolve(sr.Subject.Reference)
	if !ok || pl.typ != "Patient" {
		return referral.Input{}, problem(http.StatusUnprocessableEntity, "invalid",
			fmt.Sprintf("The subject %q does not point at a Patient sent with the request.", truncate(sr.Subject.Reference, 80)), path+".subject")
	}
	var patient Patient
	if err := json.Unmarshal(pl.raw, &patient); err != nil {
		return referral.Input{}, unreadable(pl.path)
	}
	if p := patientRules(patient, pl.path); p != nil {
		return referral.Input{}, p
	}
	in := referral.Input{Source: referral.SourceInput{Type: "gp"}}
	share, p := consentOf(sr, path, pl, resolve)
	if p != nil {
		return in, p
	}
	in.Consent = referral.ConsentInput{Given: true, ShareWithProviders: share}
	reasons := ReadReasons(sr.ReasonCode)
	if len(reasons.Needs) == 0 && reasons.Text == "" {
		return in, problem(http.StatusUnprocessableEntity, "required",
			`Give at least one reason for the referral in reasonCode: a SNOMED CT coding, or the reason in words, like {"text": "Isolated since bereavement"}.`,
			path+".reasonCode")
	}
	in.Reasons, in.ReasonText = reasons.Needs, reasons.Text
	return fillInput(in, sr, patient), nil
}

// requestRules are Oikos's rules on the ServiceRequest itself, beyond R4's.
func requestRules(sr ServiceRequest, path string) *Problem {
	switch {
	case sr.Status == "":
		return problem(http.StatusUnprocessableEntity, "required", `The ServiceRequest needs a status: "active" for a referral to act on.`, path+".status")
	case sr.Status != "active":
		return problem(http.StatusUnprocessableEntity, "business-rule",
			fmt.Sprintf(`Oikos acts on a ServiceRequest whose status is "active"; this one is %q. Send it once it is active.`, sr.Status), path+".status")
	case sr.Intent == "":
		return problem(http.StatusUnprocessableEntity, "required", `The ServiceRequest needs an intent, like "order".`, path+".intent")
	case sr.Intent == "option":
		return problem(http.StatusUnprocessableEntity, "business-rule",
			`An intent of "option" is one choice within a RequestGroup, not a request to act on: send the referral with intent "order".`, path+".intent")
	case sr.DoNotPerform != nil && *sr.DoNotPerform:
		return problem(http.StatusUnprocessableEntity, "business-rule",
			"doNotPerform is true: this ServiceRequest asks that the referral not be made, so Oikos makes none.", path+".doNotPerform")
	}
	return nil
}

// patientRules refuse a Patient whose modifiers say the record is not one
// to refer.
func patientRules(p Patient, path string) *Problem {
	switch {
	case p.Active != nil && !*p.Active:
		return problem(http.StatusUnprocessableEntity, "business-rule",
			"The Patient record is marked not in use (active is false): send the person's current record.", path+".active")
	case (p.DeceasedBoolean != nil && *p.DeceasedBoolean) || p.DeceasedDateTime != "":
		expr := path + ".deceased.ofType(boolean)"
		if p.DeceasedDateTime != "" {
			expr = path + ".deceased.ofType(dateTime)"
		}
		return problem(http.StatusUnprocessableEntity, "business-rule", "The Patient is recorded as having died, so Oikos makes no referral.", expr)
	}
	return nil
}

// consentOf finds the person's consent: the Oikos extension set to true,
// or a Consent (contained, or in the Bundle) referenced from
// supportingInfo that is active and permits. A Consent that denies, or is
// not active, or is about someone else, is refused with a reason. It
// returns whether the person agreed to share with providers (the Oikos
// extension; no FHIR element says it).
func consentOf(sr ServiceRequest, path string, patient located, resolve func(string) (located, bool)) (share bool, p *Problem) {
	given, extFalse := false, false
	for _, e := range sr.Extension {
		switch e.URL {
		case ConsentExtension:
			if e.ValueBoolean != nil && *e.ValueBoolean {
				given = true
			} else {
				extFalse = true
			}
		case ShareExtension:
			share = e.ValueBoolean != nil && *e.ValueBoolean
		}
	}
	var notYet *Problem // a Consent that does not (yet) say yes
	for i, ref := range sr.SupportingInfo {
		at := fmt.Sprintf("%s.supportingInfo[%d]", path, i)
		l, ok := resolve(ref.Reference)
		if !ok {
			if strings.HasPrefix(ref.Reference, "#") {
				return false, problem(http.StatusUnprocessableEntity, "invalid",
					fmt.Sprintf("%s points at %q, which the ServiceRequest does not contain.", at, truncate(ref.Reference, 80)), at)
			}
			continue // a record held elsewhere: nothing Oikos reads
		}
		if l.typ != "Consent" {
			continue
		}
		var c Consent
		if err := json.Unmarshal(l.raw, &c); err != nil {
			return false, unreadable(l.path)
		}
		if c.Patient != nil && c.Patient.Reference != "" {
			if pl, ok := resolve(c.Patient.Reference); !ok || pl.path != patient.path {
				return false, problem(http.StatusUnprocessableEntity, "invalid",
					"The Consent is about someone other than the ServiceRequest's subject: its patient must be the person referred.", l.path+".patient")
			}
		}
		provision := ""
		if c.Provision != nil {
			provision = c.Provision.Type
		}
		switch {
		case c.Status == "active" && provision == "deny":
			return false, problem(http.StatusUnprocessableEntity, "business-rule",
				"The Consent denies: the person has not agreed to the referral, so Oikos makes none.", l.path+".provision.type")
		case c.Status == "active" && provision == "permit":
			given = true
		case c.Status != "active" && notYet == nil:
			notYet = problem(http.StatusUnprocessableEntity, "required",
				fmt.Sprintf(`The Consent's status is %q: it counts as the person's consent once it is "active". `, c.Status)+ConsentHowTo, l.path+".status")
		case notYet == nil:
			notYet = problem(http.StatusUnprocessableEntity, "required",
				`The Consent does not say what it permits: give it "provision": {"type": "permit"}. `+ConsentHowTo, l.path+".provision")
		}
	}
	switch {
	case given:
		return share, nil
	case notYet != nil:
		return false, notYet
	case extFalse:
		return false, problem(http.StatusUnprocessableEntity, "required",
			"The consent extension says the person has not agreed: Oikos makes a referral only once they have. "+ConsentHowTo, path+".extension")
	}
	return false, problem(http.StatusUnprocessableEntity, "required", "The person's consent to the referral is missing. "+ConsentHowTo, path+".supportingInfo")
}

// fillInput copies the request's and the patient's details into a referral.
func fillInput(in referral.Input, sr ServiceRequest, p Patient) referral.Input {
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
	return in
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
