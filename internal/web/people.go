package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"oikos"

	"oikos/internal/auth"
	"oikos/internal/referral"
	"oikos/internal/web/httpx"
)

// People: finding a person by name, NHS number or date of birth, and
// their details as a link worker keeps them (CONTRACT.md, "The link
// worker's day"). Who may search and whom they find is the referral
// package's (MaySearchPeople, MayHandlePerson); what is not the caller's
// answers 404.

// peopleList is the answer to a search: the contract's list, and whether
// more people fit than are shown (narrow the search to see them).
type peopleList struct {
	httpx.List[referral.Found]
	More bool `json:"more"`
}

func (s *Server) apiPeople(w http.ResponseWriter, r *http.Request) {
	found, more, err := s.refs.People(r.Context(), httpx.Actor(r), httpx.Principal(r), r.URL.Query().Get("q"))
	s.reply(w, r, http.StatusOK, peopleList{List: httpx.NewList(found, len(found), ""), More: more}, err)
}

func (s *Server) apiPerson(w http.ResponseWriter, r *http.Request) {
	d, err := s.refs.PersonDetails(r.Context(), httpx.Actor(r), httpx.Principal(r), r.PathValue("id"))
	s.reply(w, r, http.StatusOK, d, err)
}

func (s *Server) apiPutPerson(w http.ResponseWriter, r *http.Request) {
	var in referral.Details
	err := httpx.DecodeJSON(w, r, &in)
	var d referral.Details
	if err == nil {
		d, err = s.refs.UpdatePersonDetails(r.Context(), httpx.Actor(r), httpx.Principal(r), r.PathValue("id"), in)
	}
	s.reply(w, r, http.StatusOK, d, err)
}

// apiReopen takes a closed referral back to accepted, within 90 days of
// its closing, with the reason why.
func (s *Server) apiReopen(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason string `json:"reason"`
	}
	ref, err := s.visibleReferral(r, auth.ChangeAction)
	if err == nil {
		err = httpx.DecodeJSON(w, r, &in)
	}
	if err == nil {
		ref, err = s.refs.Reopen(r.Context(), httpx.Actor(r), ref.ID, in.Reason)
	}
	s.reply(w, r, http.StatusOK, ref, err)
}

// Finding a person, on a page: the search box, and the people found with
// their referrals, each a link where the reader may open it.

// foundReferralView is one referral of a person found.
type foundReferralView struct {
	ID, Reference, Status string
	// Open is set when the reader may open the referral (their own, or
	// waiting for triage; a manager, any in the scheme).
	Open bool
}

// foundView is one person found.
type foundView struct {
	ID, Name, BornOn, NHS string
	// Open is set when the reader may see the person's details.
	Open      bool
	Referrals []foundReferralView
}

type peoplePage struct {
	Query    string
	Searched bool
	Found    []foundView
	More     bool
}

func newFoundViews(p *auth.Principal, found []referral.Found) []foundView {
	out := make([]foundView, 0, len(found))
	for _, f := range found {
		v := foundView{ID: f.ID, Name: f.GivenName + " " + f.FamilyName, BornOn: formatDate(f.DateOfBirth), NHS: referral.FormatNHSNumber(f.NHSNumber)}
		for _, r := range f.Referrals {
			open := auth.Can(p, auth.ReadAction, r.AccessObject())
			v.Open = v.Open || open
			v.Referrals = append(v.Referrals, foundReferralView{ID: r.ID, Status: r.Status.Label(), Open: open})
		}
		out = append(out, v)
	}
	return out
}

func (s *Server) peoplePage(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	pg := &page{Title: "Find a person", Form: url.Values{"q": {q}}}
	data := peoplePage{Query: q}
	if q == "" {
		pg.Data = data
		s.render(w, r, http.StatusOK, "people", pg)
		return
	}
	p := httpx.Principal(r)
	found, more, err := s.refs.People(r.Context(), httpx.Actor(r), p, q)
	if err != nil {
		pg.Data = data
		s.formError(w, r, "people", pg, err, "q", "q")
		return
	}
	data.Searched, data.Found, data.More = true, newFoundViews(p, found), more
	pg.Data = data
	s.render(w, r, http.StatusOK, "people", pg)
}

// A person's details page, and the form that corrects them.

// personPage shows a person's details and the referrals the reader may
// open.
type personPage struct {
	Person referral.Details
	BornOn string
	NHS    string
	// Labels of the recorded choices, "" when not recorded.
	Sex, Ethnicity, PreferredContact string
	Referrals                        []referral.Referral
}

func (s *Server) personPage(w http.ResponseWriter, r *http.Request) {
	p := httpx.Principal(r)
	d, err := s.refs.PersonDetails(r.Context(), httpx.Actor(r), p, r.PathValue("id"))
	var shown []referral.Referral
	if err == nil {
		var refs []referral.Referral
		var objs []auth.Object
		refs, objs, err = s.files.PersonReferrals(r.Context(), d.ID)
		for i, ref := range refs {
			if auth.Can(p, auth.ReadAction, objs[i]) {
				shown = append(shown, ref)
			}
		}
		if err == nil {
			err = s.refs.RecordListRead(r.Context(), httpx.Actor(r), shown)
		}
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	notice := ""
	if r.URL.Query().Get("done") == "saved" {
		notice = "Their details are saved."
	}
	s.render(w, r, http.StatusOK, "person", &page{Title: d.GivenName + " " + d.FamilyName, Notice: notice, Data: personPage{
		Person: d, BornOn: formatDate(d.DateOfBirth), NHS: referral.FormatNHSNumber(d.NHSNumber), Sex: sexLabel(d.Sex),
		Ethnicity: ethnicityLabel(d.Ethnicity), PreferredContact: contactPreferenceLabel(d.PreferredContact), Referrals: shown}})
}

func sexLabel(v string) string {
	return map[string]string{"female": "Female", "male": "Male", "other": "Another way", "not_stated": "Prefers not to say"}[v]
}

func ethnicityLabel(v string) string {
	return map[string]string{"asian": "Asian or Asian British", "black": "Black, Black British, Caribbean or African",
		"mixed": "Mixed or multiple ethnic groups", "white": "White", "other": "Another ethnic group", "not_stated": "Prefers not to say"}[v]
}

func contactPreferenceLabel(v string) string {
	return map[string]string{"phone": "Phone call", "text": "Text message", "email": "Email", "letter": "Letter"}[v]
}

// choiceOptions are the options of an optional choice, "not asked yet"
// first.
func choiceOptions(values []string, label func(string) string, notAsked string) []option {
	out := []option{{Value: "", Label: notAsked}}
	for _, v := range values {
		out = append(out, option{Value: v, Label: label(v)})
	}
	return out
}

// personForm is the form that corrects a person's details.
type personForm struct {
	ID, Name                         string
	Sexes, Ethnicities, ContactPrefs []option
}

func newPersonForm(pg *page, id, name string) {
	pg.Title = "Change " + name + "'s details"
	pg.Data = personForm{ID: id, Name: name,
		Sexes:        choiceOptions(referral.Sexes, sexLabel, "Not asked yet"),
		Ethnicities:  choiceOptions(referral.Ethnicities, ethnicityLabel, "Not asked yet"),
		ContactPrefs: choiceOptions(referral.ContactPreferences, contactPreferenceLabel, "No preference recorded")}
}

// detailsToForm is a person's details as the form's boxes.
func detailsToForm(d referral.Details) url.Values {
	f := url.Values{"given_name": {d.GivenName}, "family_name": {d.FamilyName}, "nhs_number": {referral.FormatNHSNumber(d.NHSNumber)},
		"postcode": {d.Postcode}, "phone": {d.Phone}, "email": {d.Email}, "sex": {d.Sex}, "ethnicity": {d.Ethnicity},
		"preferred_contact": {d.PreferredContact}, "interpreter_language": {d.InterpreterLanguage},
		"access_needs": {strings.Join(d.AccessNeeds, "\n")}, "kin_name": {d.NextOfKin.Name},
		"kin_relationship": {d.NextOfKin.Relationship}, "kin_phone": {d.NextOfKin.Phone}}
	if t, err := time.Parse(time.DateOnly, d.DateOfBirth); err == nil {
		f.Set("dob-day", strconv.Itoa(t.Day()))
		f.Set("dob-month", strconv.Itoa(int(t.Month())))
		f.Set("dob-year", strconv.Itoa(t.Year()))
	}
	return f
}

// personFields are the form's boxes for the rules' fields.
var personFields = map[string]string{"date_of_birth": "dob-day", "next_of_kin.name": "kin_name",
	"next_of_kin.relationship": "kin_relationship", "next_of_kin.phone": "kin_phone"}

// personFieldOrder is the order of the form's boxes, for the summary.
var personFieldOrder = []string{"given_name", "family_name", "dob-day", "nhs_number", "postcode", "phone", "email", "preferred_contact",
	"sex", "ethnicity", "interpreter_language", "access_needs", "kin_name", "kin_relationship", "kin_phone"}

func (s *Server) personEdit(w http.ResponseWriter, r *http.Request) {
	d, err := s.refs.PersonDetails(r.Context(), httpx.Actor(r), httpx.Principal(r), r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &page{Form: detailsToForm(d)}
	newPersonForm(pg, d.ID, d.GivenName+" "+d.FamilyName)
	s.render(w, r, http.StatusOK, "person_form", pg)
}

func (s *Server) personSave(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	f := r.PostForm
	id := r.PathValue("id")
	dob, dobErr := dateFromParts(f.Get("dob-day"), f.Get("dob-month"), f.Get("dob-year"), "their")
	in := referral.Details{GivenName: f.Get("given_name"), FamilyName: f.Get("family_name"), DateOfBirth: dob, NHSNumber: f.Get("nhs_number"),
		Postcode: f.Get("postcode"), Phone: f.Get("phone"), Email: f.Get("email"), Sex: f.Get("sex"), Ethnicity: f.Get("ethnicity"),
		PreferredContact: f.Get("preferred_contact"), InterpreterLanguage: f.Get("interpreter_language"),
		AccessNeeds: strings.Split(strings.ReplaceAll(f.Get("access_needs"), "\r\n", "\n"), "\n"),
		NextOfKin:   referral.NextOfKin{Name: f.Get("kin_name"), Relationship: f.Get("kin_relationship"), Phone: f.Get("kin_phone")}}
	_, err := s.refs.UpdatePersonDetails(r.Context(), httpx.Actor(r), httpx.Principal(r), id, in)
	if err == nil {
		http.Redirect(w, r, "/people/"+id+"?done=saved", http.StatusSeeOther)
		return
	}
	if oikos.ErrorCode(err) == oikos.ENOTFOUND {
		s.pageError(w, r, err)
		return
	}
	err = renameFields(err, func(k string) string { return cmpOr(personFields[k], k) })
	if e, ok := err.(*oikos.Error); ok && e.Fields["dob-day"] != "" {
		// The boxes' own words, in their day, month and year order.
		e.Fields["dob-day"] = birthDateWords(cmpOr(dobErr, e.Fields["dob-day"]))
	}
	pg := &page{Form: f}
	// The name as held, not as typed, heads the form.
	name := strings.TrimSpace(f.Get("given_name") + " " + f.Get("family_name"))
	if held, herr := s.refs.PersonDetails(r.Context(), httpx.Actor(r), httpx.Principal(r), id); herr == nil {
		name = held.GivenName + " " + held.FamilyName
	}
	newPersonForm(pg, id, name)
	s.formError(w, r, "person_form", pg, err, "given_name", personFieldOrder...)
}
