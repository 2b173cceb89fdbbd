package main

import (
	"strconv"
	"testing"
	"time"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/oikostest"
	"oikos/internal/referral"
)

// The community steps of TestBrowserEveryForm: volunteers kept by the
// manager, matched by the link worker, the demo volunteer's own pages,
// safeguarding concerns raised by each who may and closed with an outcome,
// the graduate pathway and the volunteering report.

// communityFixtures are the community steps' own people.
type communityFixtures struct {
	// mabel's referral closed with her goals met: she is invited to become
	// a peer mentor.
	mabel referral.Referral
	// ninaID is a volunteer account the manager keeps no profile for yet.
	ninaID string
	// volunteerID is the demo volunteer's account.
	volunteerID string
	// mabelAccountID is the volunteer account Mabel signs in with once she
	// is an active peer mentor.
	mabelAccountID string
}

func (c *communityFixtures) prepare(t *testing.T, d *db.DB, lw auth.User) {
	t.Helper()
	c.mabel = oikostest.NewReferral(t, d, oikostest.Referral{Person: referral.PersonInput{GivenName: "Mabel", FamilyName: "Tregear",
		DateOfBirth: "1952-08-19", Postcode: "EX4 4QJ", Email: "mabel@example.net"}, Worker: &lw})
	if _, err := referral.NewStore(d).Transition(dbContext, oikostest.As(lw), c.mabel.ID, referral.Closed, "goals_met"); err != nil {
		t.Fatal(err)
	}
	c.volunteerID = oikostest.User(t, d, demoEmail(auth.Volunteer)).ID
	store := oikostest.FastHashing(auth.NewStore(d))
	for _, u := range []struct {
		into        *string
		email, name string
	}{{&c.ninaID, ninaEmail, "Nina Osei"}, {&c.mabelAccountID, "mabel.volunteer@oikos.example", "Mabel Tregear"}} {
		made, err := store.CreateUser(dbContext, auth.Actor{UserID: "system"}, auth.UserInput{Email: u.email, Name: u.name, Role: auth.Volunteer,
			OrganisationID: lw.OrganisationID}, ninaPassword)
		if err != nil {
			t.Fatal(err)
		}
		*u.into = made.ID
	}
}

// Nina signs in with these.
const (
	ninaEmail    = "nina.volunteer@oikos.example"
	ninaPassword = "apple crumble on a tuesday"
)

// stepManagerVolunteers: the manager keeps a profile for Nina, with a DBS
// renewal date that is no date first, then changes her interests.
func stepManagerVolunteers(t *testing.T, r *formsRun) {
	b := r.as(t, auth.Manager)
	b.visit("/volunteers")
	b.follow("a", "^Add a volunteer$")
	b.choose("#user_id", "Nina Osei")
	b.click("label", "^Befriender$")
	b.fill("#postcode", "EX4 4QJ")
	b.fill("#interests", "Walking, Reading")
	b.fill("#slot-0-from", "10:00")
	b.fill("#slot-0-to", "15:00")
	b.choose("#slot-0-day", "Tuesday")
	now := time.Now()
	b.fill("#dbs_checked-day", strconv.Itoa(now.Day()))
	b.fill("#dbs_checked-month", strconv.Itoa(int(now.Month())))
	b.fill("#dbs_checked-year", strconv.Itoa(now.Year()-1))
	b.fill("#dbs_expires-day", "31")
	b.fill("#dbs_expires-month", "2")
	b.fill("#dbs_expires-year", strconv.Itoa(now.Year()+2))
	b.sendBad("button", "^Save profile$", "dbs_expires-day", "")
	b.fill("#dbs_expires-day", "28")
	b.send("button", "^Save profile$")
	b.expectText("h1", "Nina Osei")
	b.expectText(".nhsuk-notification-banner", "profile is saved")
	b.fill("#interests", "Walking, Reading, Crosswords")
	b.send("button", "^Save profile$")
	b.visit("/volunteers")
	b.expectText("#volunteers", "Nina Osei")
}

// stepLinkWorkerVolunteers: the link worker finds a volunteer for Walter
// who speaks Polish (no one does), matches him with the demo volunteer,
// sharing his contact details and plan, raises a concern about him
// (forgetting what kind it is first) and records what was done.
func stepLinkWorkerVolunteers(t *testing.T, r *formsRun) {
	b := r.as(t, auth.LinkWorker)
	b.visit("/referrals/" + r.fx.walter.ID)
	b.follow("a", "^Find a volunteer$")
	b.fill("#languages", "Polish")
	b.send("button", "^Show volunteers$")
	b.click("#share-"+r.fx.community.volunteerID+"-plan", "")
	b.send("button", "^Match with Alan Brooks$")
	b.expectText(".nhsuk-notification-banner", "The volunteer is matched")
	b.visit("/referrals/" + r.fx.walter.ID)
	b.expectText("#volunteer-matches", "Alan Brooks")
	b.follow("a", "^Raise a safeguarding concern$")
	b.click("label", "^Low")
	b.fill("#description", "Walter mentioned a neighbour has been borrowing money and not paying it back.")
	b.sendBad("button", "^Raise the concern$", "category", "")
	b.click("label", "^Financial abuse$")
	b.send("button", "^Raise the concern$")
	b.expectText(".nhsuk-notification-banner", "Your concern has been raised")
	b.sendBad("button", "^Save$", "what", "")
	b.fill("#what", "Talked it through with Walter; he will tell the neighbour no more loans.")
	b.send("button", "^Save$")
	b.expectText("#concern-actions", "no more loans")
}

// stepVolunteerPages: the demo volunteer opens Walter's page, logs a
// visit (its length in words first), raises an immediate concern, corrects
// the times they are free and ends the match.
func stepVolunteerPages(t *testing.T, r *formsRun) {
	b := r.as(t, auth.Volunteer)
	b.visit("/volunteering")
	b.follow("a", "^Walter Penrose$")
	b.expectText("#shared", "walter@example.net")
	b.fill("#minutes", "an hour")
	b.sendBad("button", "^Log contact$", "minutes", "minutes")
	b.fill("#minutes", "60")
	b.send("button", "^Log contact$")
	b.expectText("#match-contacts", "1 hour")
	b.follow("a", "^Raise a safeguarding concern$")
	b.click("label", "^Self-neglect$")
	b.click("label", "^Immediate")
	b.sendBad("button", "^Raise the concern$", "description", "")
	b.fill("#description", "Walter had a fall this morning and is alone; I have called 111 and am staying with him.")
	b.send("button", "^Raise the concern$")
	b.expectText(".nhsuk-notification-banner", "Your concern has been raised")
	b.visit("/volunteering/details")
	b.fill("#slot-0-from", "25:00")
	b.sendBad("button", "^Save your details$", "slot-0-from", "")
	b.fill("#slot-0-from", "09:30")
	b.send("button", "^Save your details$")
	b.expectText(".nhsuk-notification-banner", "Your details are saved.")
	b.follow("a", "^Walter Penrose$")
	b.sendBad("button", "^End the match$", "reason", "")
	b.fill("#reason", "Walter's daughter has moved back home and visits daily.")
	b.send("button", "^End the match$")
	b.expectText(".nhsuk-notification-banner", "The match has ended")
}

// stepConcerns: the immediate concern stands at the top of the link
// worker's pages until she says she has read it; the manager closes it,
// saying the outcome only after being asked.
func stepConcerns(t *testing.T, r *formsRun) {
	lw := r.as(t, auth.LinkWorker)
	lw.visit("/caseload")
	lw.expectText("#immediate-concerns", "Immediate safeguarding concern")
	lw.follow("#immediate-concerns a", "")
	lw.send("button", "^I have read this concern$")
	lw.expectText(".nhsuk-notification-banner", "you have read this concern")
	concern := lw.path()
	lw.visit("/caseload")
	if n := len(lw.texts("#immediate-concerns")); n != 0 {
		lw.fatalf("the immediate concern is still shown after it was read")
	}

	m := r.as(t, auth.Manager)
	m.visit("/")
	m.follow("#open-concerns a", "")
	m.visit(concern)
	m.fill("#what", "Spoke to Walter's daughter; the GP is visiting tomorrow.")
	m.click("label", "^Close it, with its outcome$")
	m.sendBad("button", "^Save$", "outcome", "")
	m.fill("#outcome", "Walter is safe at home with his daughter; falls clinic referral made by the GP.")
	m.send("button", "^Save$")
	m.expectText(".nhsuk-notification-banner", "The concern is closed.")
	m.expectText("#outcome", "falls clinic")
}

// stepProviderConcern: the walk's provider raises a concern about Ivy.
func stepProviderConcern(t *testing.T, r *formsRun) {
	b := r.as(t, auth.Provider)
	b.visit("/connections/" + r.fx.ivyWalk.ID)
	b.follow("a", "^Raise a safeguarding concern$")
	b.click("label", "^Other$")
	b.fill("#description", "Ivy seemed confused about where she was on the walk today.")
	b.sendBad("button", "^Raise the concern$", "level", "")
	b.click("label", "^Medium")
	b.send("button", "^Raise the concern$")
	b.expectText(".nhsuk-notification-banner", "Your concern has been raised")
}

// stepGraduate: the link worker invites Mabel, whose goals were met, to
// become a peer mentor, and saves her stage (choosing none first).
func stepGraduate(t *testing.T, r *formsRun) {
	b := r.as(t, auth.LinkWorker)
	b.visit("/referrals/" + r.fx.community.mabel.ID)
	b.send("button", "^Invite them to become a peer mentor$")
	b.expectText(".nhsuk-notification-banner", "invited to become a peer mentor")
	b.sendBad("button", "^Save their stage$", "stage", "")
	b.click("label", "^Interested$")
	b.send("button", "^Save their stage$")
	b.expectText("#mentor-stage", "Interested")
}

// stepVolunteeringReport: the manager asks for the volunteering report
// from a day that is no date, then for the past year.
func stepVolunteeringReport(t *testing.T, r *formsRun) {
	b := r.as(t, auth.Manager)
	b.visit("/reports/volunteering")
	b.fill("#from-day", "last spring")
	b.sendBad("button", "^Show the report$", "from-day", "")
	now := time.Now().UTC()
	b.fillDate("from", now.AddDate(-1, 0, 0))
	b.fillDate("to", now)
	b.send("button", "^Show the report$")
	b.expectText("#volunteering-figures", "Volunteers active")
}
