package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"oikos/internal/auth"
	"oikos/internal/db/dbtest"
)

// What a new user met walking through the product (issue 15): dates shown
// in words and typed in day, month and year boxes, errors that say whose
// date and in which order, sentences with a subject, the urgent tag where
// the referrer looks.

// isoDate is a date as a computer writes it, in a page's visible text.
var isoDate = regexp.MustCompile(`>[^<]*\b\d{4}-\d{2}-\d{2}\b[^<]*<`)

func TestDateOfBirthErrorsSayWhoseAndDayMonthYear(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	gp := f.browser()
	enrol(t, gp, "referrer@example.org")
	form := selfReferralForm()
	form.Del("who")
	form.Set("source_type", "gp")
	form.Set("urgency", "urgent")
	for _, c := range []struct{ day, month, year, want string }{
		{"", "", "", "Enter the person's date of birth."},
		{"31", "2", "1950", "Date of birth must be a real date, like 27 3 1950."},
		{"4", "Nov", "1941", "Date of birth must be a real date, like 27 3 1950."},
	} {
		form.Set("dob-day", c.day)
		form.Set("dob-month", c.month)
		form.Set("dob-year", c.year)
		res := gp.post("/referrals/new", form)
		if body := html.UnescapeString(res.body); res.status != 422 || !strings.Contains(body, `href="#dob-day">`+c.want) || strings.Contains(body, "1950-03-27") {
			t.Errorf("GP's form, date of birth %q %q %q: %d, want %q beside the boxes", c.day, c.month, c.year, res.status, c.want)
		}
	}
	// Someone asking for themselves is told of theirs; for a relative, of
	// the relative's.
	anon := f.browser()
	self := selfReferralForm()
	self.Set("dob-day", "")
	self.Set("dob-month", "")
	self.Set("dob-year", "")
	for who, want := range map[string]string{"me": "Enter your date of birth.", "someone_else": "Enter their date of birth."} {
		self.Set("who", who)
		self.Set("referrer_name", map[string]string{"me": "", "someone_else": "Sue Brown, her daughter"}[who])
		if res := anon.post("/refer", self); res.status != 422 || !strings.Contains(html.UnescapeString(res.body), want) {
			t.Errorf("self-referral by %s with no date of birth: %d, want %q", who, res.status, want)
		}
	}

	// Sent: the GP's list marks it urgent, and the referral shows the date
	// of birth in words.
	form.Set("dob-day", "4")
	form.Set("dob-month", "11")
	form.Set("dob-year", "1941")
	if res := gp.post("/referrals/new", form); res.status != 201 {
		t.Fatalf("send: %d", res.status)
	}
	sent := gp.get("/referrals/sent")
	if !strings.Contains(sent.body, `<strong class="nhsuk-tag nhsuk-tag--red">Urgent</strong>`) {
		t.Errorf("the GP's sent list does not mark the urgent referral:\n%s", sent.body)
	}
	link := regexp.MustCompile(`href="(/referrals/ref_[^"]+)"`).FindStringSubmatch(sent.body)
	if link == nil {
		t.Fatalf("no link to the referral in:\n%s", sent.body)
	}
	page := gp.get(link[1])
	if page.status != 200 || !strings.Contains(page.body, "4 November 1941") || isoDate.MatchString(page.body) {
		t.Errorf("referral page: %d, date of birth not in words (%q)", page.status, isoDate.FindString(page.body))
	}
}

// The service form asks when a group started in day, month and year
// boxes, says a date that is no real day in that order, and fills the
// boxes again to edit; the API keeps its one started_on field.
func TestServiceStartDateIsAnNHSDateInput(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	prov := f.browser()
	enrol(t, prov, "provider@example.org")
	if res := prov.get("/directory/manage/new"); !strings.Contains(res.body, `name="started_on-day"`) || strings.Contains(res.body, "2021-09-01") {
		t.Fatalf("the form does not ask for the start date in boxes")
	}
	form := url.Values{"name": {"Riverside Choir"}, "description": {"Sing with friends. No auditions."}, "categories": {"singing_groups"},
		"postcode": {"ex2 4aa"}, "cost": {"free"}, "started_on-day": {"31"}, "started_on-month": {"2"}, "started_on-year": {"2021"}}
	res := prov.post("/directory/manage/new", form)
	if body := html.UnescapeString(res.body); res.status != 422 || !strings.Contains(body, `href="#started_on-day">Start date must be a real date, like 1 3 2024.`) {
		t.Fatalf("a start date that is no day: %d", res.status)
	}
	form.Set("started_on-day", "1")
	form.Set("started_on-month", "9")
	res = prov.post("/directory/manage/new", form)
	if res.status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	id := strings.TrimPrefix(res.header.Get("Location"), "/directory/services/")
	if got := f.do(auth.Provider, "GET", "/api/v1/services/"+id, "").json(t)["started_on"]; got != "2021-09-01" {
		t.Errorf("API started_on = %v", got)
	}
	edit := prov.get("/directory/manage/" + id)
	for _, want := range []string{`name="started_on-day" type="text" inputmode="numeric" value="1"`, `name="started_on-month" type="text" inputmode="numeric" value="9"`} {
		if !strings.Contains(edit.body, want) {
			t.Errorf("edit form lacks %s", want)
		}
	}
}

// A postcode the directory cannot read is said in a sentence with a
// subject, not the API's "must be a UK postcode".
func TestDirectorySearchErrorsAreSentences(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	anon := f.browser()
	for q, want := range map[string]string{
		"near=nowhere":                "Enter a UK postcode, like EX4 3SR, or the first part of one, like EX4.",
		"q=walk&near=EX4&within_km=x": "The distance must be a number of kilometres.",
		"q=walk&within_km=5&near=":    "",
	} {
		res := anon.get("/directory?" + q)
		body := html.UnescapeString(res.body)
		if strings.Contains(body, "Error:</span> must") || (want != "" && (res.status != 422 || !strings.Contains(body, want))) {
			t.Errorf("%s: %d, want %q", q, res.status, want)
		}
	}
}

// "Your caseload" on the triage page lists the people still being worked
// with, not those whose referral has closed.
func TestTriageCaseloadLeavesClosedOut(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	var ids []string
	for _, name := range []string{"Closedfirst", "Stillopen"} {
		id := f.do(auth.Referrer, "POST", "/api/v1/referrals", strings.Replace(referralBody, `"Margaret"`, `"`+name+`"`, 1)).json(t)["id"].(string)
		if res := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+id+"/assign", `{"user_id":"`+f.users[auth.LinkWorker].ID+`"}`); res.status != 200 {
			t.Fatalf("assign: %d %s", res.status, res.body)
		}
		ids = append(ids, id)
	}
	if res := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+ids[0]+"/status", `{"status":"closed","reason":"goals_met"}`); res.status != 200 {
		t.Fatalf("close: %d %s", res.status, res.body)
	}
	lw := f.browser()
	enrol(t, lw, "link_worker@example.org")
	page := lw.get("/referrals")
	open, closed := strings.Index(page.body, "Stillopen Hughes"), strings.Index(page.body, "Closedfirst Hughes")
	if open < 0 || closed >= 0 {
		t.Errorf("caseload on the triage page: open at %d, closed at %d; want only the open one", open, closed)
	}
}
