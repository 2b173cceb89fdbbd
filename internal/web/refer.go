package web

import (
	"crypto/rand"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/referral"
	"oikos/internal/taxonomy"
	"oikos/internal/web/httpx"
)

// Referring: the public self-referral form and the professionals' form.

func needOptions() []option {
	var out []option
	for _, n := range taxonomy.Needs {
		out = append(out, option{Value: n.Code, Label: n.Label})
	}
	return out
}

// The public self-referral form. Bots are kept out without a third-party
// captcha and without ever making a person wait or send twice: a field
// people never see (a bot fills it in, and is thanked with nothing kept),
// and a limit on forms from one network (selfRefs). The form is not timed:
// a quick typist, or a browser filling in the boxes itself, sends it
// within seconds, and refusing them ("please check your details") turned
// away the people the form is for.
func (s *Server) selfReferralPage(w http.ResponseWriter, r *http.Request) {
	// form_id tells this form sent twice (a double click, a reload) from
	// another request about the same person.
	s.render(w, r, http.StatusOK, "self_referral", &page{Title: "Ask for support",
		Form: url.Values{"form_id": {rand.Text()}}, Data: selfReferralPage{Needs: needOptions()}})
}

func (s *Server) selfReferralPost(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	f := r.PostForm
	pg := &page{Title: "Ask for support", Form: f, Data: selfReferralPage{Needs: needOptions()}}
	if f.Get("website") != "" {
		// Only a bot fills the hidden field: thank it and keep nothing.
		s.render(w, r, http.StatusOK, "self_referral_done", &page{Title: "We have your request", Data: referenceGivenPage{Reference: "OIK-THANK-YOU", ContactBy: contactBy(f.Get("phone"), f.Get("email"))}})
		return
	}
	if !s.selfRefs.allow(httpx.ClientGroup(r), time.Now()) {
		s.formError(w, r, "self_referral", pg, &oikos.Error{Code: oikos.ERATELIMITED, Message: "Too many requests from your network in a short time. Wait a few minutes and try again."}, "given_name")
		return
	}
	// Someone asking for a friend or relative is told of their date of birth.
	whose := "your"
	if f.Get("who") == "someone_else" {
		whose = "their"
	}
	dob, dobErr := dateFromParts(f.Get("dob-day"), f.Get("dob-month"), f.Get("dob-year"), whose)
	in := selfReferral{
		Person: referral.PersonInput{GivenName: f.Get("given_name"), FamilyName: f.Get("family_name"), DateOfBirth: dob,
			Postcode: f.Get("postcode"), Phone: f.Get("phone"), Email: f.Get("email")},
		Reasons: f["reasons"], Notes: f.Get("notes"), OnBehalf: f.Get("who") == "someone_else", ReferrerName: f.Get("referrer_name"),
		Consent: referral.ConsentInput{Given: f.Get("consent") == "yes", ShareWithProviders: f.Get("share") == "yes"},
		Key:     strings.TrimSpace(f.Get("form_id")),
	}
	err := checkKey("form_id", in.Key)
	if err == nil {
		whom := "you"
		if in.OnBehalf {
			whom = "them"
		}
		err = checkContact(in.referral(httpx.ClientGroup(r)), whom)
	}
	var ref string
	if err == nil {
		ref, err = s.selfRefer(r, in)
	}
	done := referenceGivenPage{Reference: ref, ContactBy: contactBy(in.Person.Phone, in.Person.Email)}
	if errors.Is(err, referral.ErrAlreadyReceived) {
		// The same form sent again: the reference it was given.
		s.render(w, r, http.StatusOK, "self_referral_done", &page{Title: "We have your request", Data: done})
		return
	}
	if err != nil {
		err = referralFormErrors(err, dobErr)
		s.formError(w, r, "self_referral", pg, err, "given_name", "referrer_name", "given_name", "family_name", "dob-day", "postcode", "phone", "email",
			"reasons-"+taxonomy.Needs[0].Code, "consent")
		return
	}
	s.render(w, r, http.StatusCreated, "self_referral_done", &page{Title: "We have your request", Data: done})
}

// referralFormErrors renames a referral's field errors (person.postcode,
// consent.given, ...) to the ids of the form fields that hold them, so the
// error summary links to the right box; dobErr replaces the date-of-birth
// message when the day, month and year boxes could not be read at all.
func referralFormErrors(err error, dobErr string) error {
	var e *oikos.Error
	if !errors.As(err, &e) || e.Fields == nil {
		return err
	}
	fields := map[string]string{}
	for k, v := range e.Fields {
		k = strings.TrimPrefix(k, "person.")
		switch k {
		case "date_of_birth":
			k, v = "dob-day", birthDateWords(v)
		case "reasons":
			k = "reasons-" + taxonomy.Needs[0].Code
		case "consent.given":
			k = "consent"
		case "source.type":
			k = "source_type"
		case "source.referrer_name":
			k = "referrer_name"
		}
		fields[k] = v
	}
	if dobErr != "" {
		fields["dob-day"] = dobErr
	}
	return &oikos.Error{Code: e.Code, Message: e.Message, Fields: fields}
}

// The triage queue and a referral's page, for link workers and managers.

// The professional referral form, for referrers, link workers and managers:
// short, for people under time pressure.

func sourceOptions() []option {
	out := []option{{Value: "", Label: "Choose who is referring"}}
	for _, t := range referral.SourceTypes {
		if t == "self" {
			continue
		}
		out = append(out, option{Value: t, Label: referral.SourceLabel(t)})
	}
	return out
}

func (s *Server) referFormData() referFormPage {
	return referFormPage{Needs: needOptions(), Sources: sourceOptions()}
}

func (s *Server) professionalReferralPage(w http.ResponseWriter, r *http.Request) {
	form := url.Values{}
	if auth.RefersAsThemselves(httpx.Principal(r)) {
		form.Set("source_type", "gp")
	}
	// form_id tells this form sent twice (a double click, a reload of the
	// answer) from another referral of the same person.
	form.Set("form_id", rand.Text())
	s.render(w, r, http.StatusOK, "professional_referral", &page{Title: "Make a referral", Form: form, Data: s.referFormData()})
}

func (s *Server) professionalReferralPost(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	f := r.PostForm
	p := httpx.Principal(r)
	dob, dobErr := dateFromParts(f.Get("dob-day"), f.Get("dob-month"), f.Get("dob-year"), "the person's")
	in := referral.Input{
		Person: referral.PersonInput{GivenName: f.Get("given_name"), FamilyName: f.Get("family_name"), DateOfBirth: dob,
			NHSNumber: f.Get("nhs_number"), Postcode: f.Get("postcode"), Phone: f.Get("phone"), Email: f.Get("email")},
		Source:  referral.SourceInput{Type: f.Get("source_type"), OrganisationID: p.OrganisationID, ReferrerName: p.Name},
		Reasons: f["reasons"], Notes: f.Get("notes"), Urgency: f.Get("urgency"),
		Consent: referral.ConsentInput{Given: f.Get("consent") == "yes", ShareWithProviders: f.Get("share") == "yes"},
	}
	referrerID := ""
	if auth.RefersAsThemselves(p) {
		referrerID = p.UserID
	}
	key := strings.TrimSpace(f.Get("form_id"))
	in.ExternalID = sentAgainKey(p.UserID, key, in)
	err := checkKey("form_id", key)
	if err == nil {
		err = checkContact(in, "them")
	}
	var ref referral.Referral
	if err == nil {
		ref, err = s.refs.Create(r.Context(), httpx.Actor(r), in, referrerID, "web")
	}
	done := &page{Title: "Referral sent", Data: referenceGivenPage{Reference: ref.Reference, ContactBy: contactBy(in.Person.Phone, in.Person.Email)}}
	if errors.Is(err, referral.ErrAlreadyReceived) {
		// The same form sent again: the referral it made, not a second.
		s.render(w, r, http.StatusOK, "self_referral_done", done)
		return
	}
	if err != nil {
		err = referralFormErrors(err, dobErr)
		s.formError(w, r, "professional_referral", &page{Title: "Make a referral", Form: f, Data: s.referFormData()}, err,
			"given_name", "given_name", "family_name", "dob-day", "nhs_number", "postcode", "phone", "email", "source_type", "reasons-"+taxonomy.Needs[0].Code, "consent")
		return
	}
	s.render(w, r, http.StatusCreated, "self_referral_done", done)
}
