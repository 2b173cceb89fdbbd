package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/directory"
	"oikos/internal/notify/notifytest"
	"oikos/internal/oikostest"
	"oikos/internal/referral"
)

// withConnectable prepares, on top of the demo, a referral from the demo
// GP in the demo link worker's caseload (the person agreed to share their
// contact details with providers), and a walking group run by the demo
// provider's organisation, which has an email address for referrals.
func withConnectable(t *testing.T, refID *string) func(dbURL string) {
	return func(dbURL string) {
		t.Helper()
		ctx := context.Background()
		d, err := db.Open(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		lw := oikostest.User(t, d, "linkworker@oikos.example")
		gp := oikostest.User(t, d, "gp@oikos.example")
		provider := oikostest.User(t, d, "provider@oikos.example")
		if _, err := d.Exec(ctx, "UPDATE organisations SET email = 'referrals@greenway.example' WHERE id = $1", provider.OrganisationID); err != nil {
			t.Fatal(err)
		}
		// Near the person, free, and for both their reasons, so that it
		// is among their suggestions; on Wednesday mornings.
		oikostest.NewService(t, d, directory.Input{OrganisationID: provider.OrganisationID, Name: "Greenway Wednesday Walk",
			Description: "A gentle walk by the river for all abilities.", Postcode: "EX4 4QJ", Address: "Greenway Park gate"})
		ref := oikostest.NewReferral(t, d, oikostest.Referral{Referrer: &gp, Worker: &lw, ShareWithProviders: true,
			Person:  referral.PersonInput{GivenName: "Walter", FamilyName: "Penrose", DateOfBirth: "1946-02-14", Postcode: "EX4 4QJ", Phone: "07700 900123"},
			Reasons: []string{"loneliness", "physical_inactivity"}})
		*refID = ref.ID
	}
}

// TestBrowserConnections is the connections issue's "done means", on both
// databases, through the real binary and real email: a link worker opens
// a person's referral, sees suggestions with the reasons for each, and
// sends a supported connection to a walking group; the provider accepts
// from the link in the email, without signing in; signed in, the provider
// records two sessions; the link worker's caseload and the person's page
// show them attending, and the GP who referred sees "attending" and
// nothing more; the link worker closes the referral, the connection is
// completed with it, and the summary for the GP record shows the SNOMED CT
// codes. Every page is checked with axe-core.
func TestBrowserConnections(t *testing.T) {
	requireAxe(t)
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) { connections(t, dbtest.URL(t, dialect)) })
	}
}

func connections(t *testing.T, dbURL string) {
	var password, refID string
	mailbox := notifytest.Start(t, notifytest.Options{})
	base := startServerOn(t, dbURL, []string{"--smtp-url", mailbox.URL("oikos@example.org")}, loadDemo(t, &password), withConnectable(t, &refID))
	browser := startBrowser(t)
	ctx := context.Background()
	d, err := db.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()

	lw := openTab(t, browser, base)
	lw.visit("/sign-in")
	lw.signIn("linkworker@oikos.example", password)
	lw.enrolTOTP()
	lw.follow("a", "saved my codes")
	lw.visit("/referrals/" + refID)
	lw.expectText("#connections + p", "Not connected to a service yet.")
	reference := strings.TrimPrefix(lw.text(".nhsuk-caption-l"), "Reference ")
	// The suggestions, each with why it suits Walter.
	lw.follow("a", "^Find activities and services$")
	lw.expectText("h1", "Find activities and services")
	card := ""
	for _, c := range lw.texts(".nhsuk-card") {
		if strings.Contains(c, "Greenway Wednesday Walk") {
			card = c
		}
	}
	for _, reason := range []string{"km away", "Free", "for loneliness"} {
		if !strings.Contains(strings.ToLower(card), strings.ToLower(reason)) {
			lw.fatalf("the walk's suggestion does not say %q:\n%s", reason, card)
		}
	}
	lw.visit("/referrals/" + refID)
	lw.follow("a", "^Connect to a service$")
	lw.fill("#q", "Greenway walk")
	lw.follow("button", "^Search$")
	lw.follow("a", "^Greenway Wednesday Walk$")
	lw.expectText("h1", "Greenway Wednesday Walk")
	lw.follow("button", "^Send to Greenway Wednesday Walk$")
	lw.expectText(".nhsuk-error-summary", "Choose how the person will be connected")
	lw.click("label[for=kind-3]", "") // supported
	lw.fill("#note", "Walter would like someone to meet him at the gate.")
	lw.follow("button", "^Send to Greenway Wednesday Walk$")
	lw.expectText(".nhsuk-notification-banner", "Connection sent.")
	lw.expectText("#connections + table", "Waiting for an answer")

	// The provider's email carries a single-use link; opening it shows
	// the referral, and only the button answers.
	body := waitForMail(t, mailbox, "referrals@greenway.example").Body
	if strings.Contains(body, "Walter") || strings.Contains(body, "gate") {
		t.Errorf("the provider's email names the person or the note:\n%s", body)
	}
	answerPath := regexp.MustCompile(`/answer/[A-Za-z0-9_-]+`).FindString(body)
	if answerPath == "" {
		t.Fatalf("no answer link in the email:\n%s", body)
	}
	link := base + answerPath
	anon, err := browser.Incognito()
	if err != nil {
		t.Fatal(err)
	}
	answer := openTab(t, anon, base)
	answer.disableScripts()
	answer.visit(link)
	answer.expectText("h1", "Referral to Greenway Wednesday Walk")
	answer.expectText("main", "Walter Penrose")
	answer.expectText("main", "meet him at the gate")
	answer.follow("button", "^Accept$")
	answer.expectText("h1", "Thank you")
	answer.expectText("main", "Accepted")
	answer.visit(link)
	answer.expectText("h1", "This link has already been used")

	// As if the referral went a week ago, so two sessions fit before today.
	if _, err := d.Exec(ctx, "UPDATE connections SET created_at = created_at - $1", int64(7*24*time.Hour/time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	staff, err := browser.Incognito()
	if err != nil {
		t.Fatal(err)
	}
	pv := openTab(t, staff, base)
	pv.disableScripts()
	pv.visit("/sign-in")
	pv.signIn("provider@oikos.example", password)
	pv.enrolTOTP()
	pv.follow("a", "saved my codes")
	pv.follow("a", "^Connections$")
	pv.expectText("h1", "Referrals to your services")
	pv.follow("a", "^"+regexp.QuoteMeta(reference)+"$") // the demo's own people are in the queue too
	pv.expectText("main", "07700 900123")
	for _, day := range []time.Time{time.Now().AddDate(0, 0, -3), time.Now()} {
		pv.fillDate("date", day)
		pv.click("label[for=attended]", "") // yes
		pv.follow("button", "^Save attendance$")
		pv.expectText(".nhsuk-notification-banner", "Attendance saved.")
		pv.expectText(".nhsuk-table", day.Format("2 January 2006"))
	}
	pv.expectText(".nhsuk-summary-list", "Attending")
	pv.fillDate("date", time.Now().AddDate(0, 0, 3))
	pv.follow("button", "^Save attendance$")
	pv.expectText(".nhsuk-error-summary", "today or in the past")
	pv.fill("#message", "Walter enjoyed both walks and has made a friend.")
	pv.follow("button", "^Send update$")
	pv.expectText(".nhsuk-notification-banner", "sent to the link worker")

	lw.visit("/referrals/" + refID)
	lw.expectText("#connections + table", "Attending")
	lw.expectText(".nhsuk-inset-text", "has made a friend")
	lw.visit("/caseload")
	lw.expectText("tbody", "Greenway Wednesday Walk: Attending")

	gpCtx, err := browser.Incognito()
	if err != nil {
		t.Fatal(err)
	}
	gp := openTab(t, gpCtx, base)
	gp.visit("/sign-in")
	gp.signIn("gp@oikos.example", password)
	gp.enrolTOTP()
	gp.follow("a", "saved my codes")
	gp.visit("/referrals/" + refID)
	gp.expectText("#connections + ul", "Connected to Greenway Wednesday Walk: attending")
	if main := gp.text("main"); strings.Contains(main, "made a friend") || strings.Contains(main, "gate") {
		t.Errorf("the referrer sees notes or updates:\n%s", main)
	}
	gp.visit("/referrals/sent")
	gp.expectText("tbody", "Greenway Wednesday Walk: attending")

	// Walter chooses to share the outcome summary in full with his GP
	// record. The link worker closes the referral: the walk is completed
	// with it, and the summary for the GP record carries the codes and,
	// as he chose, the activities.
	lw.visit("/referrals/" + refID)
	lw.click("label", "^The outcome summary in full")
	lw.follow("button", "^Save their choice$")
	lw.expectText(".nhsuk-notification-banner", "choice of what goes to their GP record is saved")
	lw.follow("a", "^Close referral$")
	lw.choose("#reason", "Goals met")
	lw.follow("button", "^Yes, close the referral$")
	lw.expectText(".nhsuk-notification-banner", "The referral is closed.")
	lw.expectText("#connections + table", "Completed")
	lw.follow("a", "^Summary for the GP record$")
	lw.expectText("h1", "Social prescribing summary for the GP record")
	lw.expectText("#codes + table", "871731000000106")
	lw.expectText("#codes + table", "Referral to social prescribing service")
	lw.expectText("#outcome + p", "Goals met")
	lw.expectText("#activities + table", "Greenway Wednesday Walk")
	lw.expectText("#activities + table", "completed")
	gp.visit("/referrals/" + refID)
	gp.expectText("#connections + ul", "Connected to Greenway Wednesday Walk: completed")
	gp.follow("a", "^Summary for the GP record$")
	gp.expectText("#codes + table", "871731000000106")
	if main := gp.text("main"); strings.Contains(main, "made a friend") || strings.Contains(main, "gate") {
		t.Errorf("the GP summary carries notes or updates:\n%s", main)
	}

	var kinds []string
	rows, err := d.R().QueryContext(ctx, "SELECT kind FROM outbox WHERE recipient = 'linkworker@oikos.example' ORDER BY created_at")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		rows.Scan(&k)
		kinds = append(kinds, k)
	}
	if got := strings.Join(kinds, " "); !strings.Contains(got, "connection_answer") || strings.Count(got, "connection_attendance") != 2 {
		t.Errorf("the link worker's emails: %s", got)
	}
}
