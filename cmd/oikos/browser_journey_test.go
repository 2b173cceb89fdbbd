package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/notify/notifytest"
)

// TestBrowserJourney is the referrals issue's whole journey, on both
// databases, through the real binary and real email: a GP refers someone;
// a link worker accepts, records first contact and the what-matters
// conversation, writes a plan with the person and emails them a sign-in
// link; the person, in a browser of their own, signs in with the link and
// marks a step done; the link worker sees it, and the GP sees the status
// but none of what was said. Every page is checked with axe-core.
func TestBrowserJourney(t *testing.T) {
	requireAxe(t)
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) { journey(t, dbtest.URL(t, dialect)) })
	}
}

func journey(t *testing.T, dbURL string) {
	mailbox := notifytest.Start(t, notifytest.Options{})
	var password string
	base := startServerOn(t, dbURL, []string{"--smtp-url", mailbox.URL("oikos@example.org")}, loadDemo(t, &password))
	browser := startBrowser(t)

	// The GP refers Ruth.
	gp := openTab(t, browser, base)
	gp.visit("/sign-in")
	gp.signIn("gp@oikos.example", password)
	gp.enrolTOTP()
	gp.follow("a", "saved my codes")
	gp.follow("a", "^Make a referral$")
	gp.choose("#source_type", "GP")
	gp.fill("#given_name", "Ruth")
	gp.fill("#family_name", "Adebayo")
	gp.fill("#dob-day", "12")
	gp.fill("#dob-month", "3")
	gp.fill("#dob-year", "1950")
	gp.fill("#postcode", "EX1 1AA")
	gp.fill("#email", "ruth@example.net")
	gp.click("#reasons-loneliness", "")
	gp.fill("#notes", "Widowed last year; rarely leaves the house.")
	gp.click("#consent", "")
	gp.follow("button", "^Send referral$")
	gp.expectText("h1", "We have your request")
	reference := gp.text("#reference")
	gp.follow("a", "^your referrals$")
	gp.expectText("main", reference)
	gp.expectText("tbody", "Waiting for triage")

	// A link worker, in their own browser session, takes it on.
	staff, err := browser.Incognito()
	if err != nil {
		t.Fatalf("open a separate browser context: %v", err)
	}
	lw := openTab(t, staff, base)
	lw.visit("/sign-in")
	lw.signIn("linkworker@oikos.example", password)
	lw.enrolTOTP()
	lw.follow("a", "saved my codes")
	lw.follow("a", "^Triage queue$")
	lw.follow("a", "^Ruth Adebayo$")
	lw.expectText(".nhsuk-caption-l", reference)
	referralPath := lw.path()
	lw.follow("button", "^Accept and take on$")
	lw.expectText(".nhsuk-notification-banner", "in your caseload")

	lw.follow("a", "^Record a contact$")
	lw.click("label[for=mode]", "") // the first mode: phone
	lw.fill("#duration_minutes", "25")
	lw.follow("button", "^Save contact$")
	lw.expectText(".nhsuk-notification-banner", "Contact recorded.")

	lw.follow("a", "^Record the what-matters conversation$")
	lw.fill("#what_matters", "Having someone to talk to about gardening again.")
	lw.fill("#strengths", "Green fingers")
	lw.choose("#priority-loneliness", "High")
	lw.follow("button", "^Save conversation$")
	lw.expectText(".nhsuk-notification-banner", "What matters conversation recorded.")

	lw.follow("a", "^Write the plan$")
	lw.fill("#goal-0-text", "Get back to gardening with other people")
	lw.fill("#goal-0-step-0-text", "Visit the community garden on Saturday")
	lw.choose("#goal-0-step-0-owner", "The person")
	lw.follow("button", "^Save plan$")
	lw.expectText(".nhsuk-notification-banner", "Plan saved.")

	lw.follow("button", "^Email a sign-in link$")
	lw.expectText("h1", "Sign-in link sent")

	// The email arrives at Ruth's address, with a link and nothing about
	// why she was referred.
	link := waitForMail(t, mailbox, "ruth@example.net")
	if strings.Contains(link.Body, "gardening") || strings.Contains(link.Body, "Widowed") || strings.Contains(link.Body, "lonel") {
		t.Errorf("the sign-in email carries what was said:\n%s", link.Body)
	}
	path := regexp.MustCompile(`/my/link/[A-Za-z0-9_-]+`).FindString(link.Body)
	if path == "" {
		t.Fatalf("no sign-in link in the email:\n%s", link.Body)
	}
	// The GP was told by email that the referral was accepted.
	accepted := waitForMail(t, mailbox, "gp@oikos.example")
	if !strings.Contains(accepted.Body, reference) || strings.Contains(accepted.Body, "Ruth") {
		t.Errorf("the GP's email should name the reference and not the person:\n%s", accepted.Body)
	}

	// Ruth, on her own device, with JavaScript off.
	own, err := browser.Incognito()
	if err != nil {
		t.Fatalf("open a separate browser context: %v", err)
	}
	ruth := openTab(t, own, base)
	ruth.disableScripts()
	ruth.visit(path)
	ruth.follow("button", "^Continue$")
	ruth.expectPath("/my")
	ruth.expectText("main", "Visit the community garden on Saturday")
	ruth.follow("button", "^Mark as done")
	ruth.expectText(".nhsuk-notification-banner", "Your step is saved.")

	// The link worker sees the step done.
	lw.visit(referralPath)
	var done bool
	for _, item := range lw.texts("main li") {
		done = done || strings.Contains(item, "Visit the community garden") && strings.Contains(item, "Done")
	}
	if !done {
		lw.fatalf("the link worker does not see Ruth's step done")
	}

	// The GP sees where it has got to, and nothing that was said.
	gp.visit("/referrals/sent")
	gp.expectText("tbody", "In contact")
	gp.follow("a", "^Ruth Adebayo$")
	gp.expectText("main", "In contact")
	for _, private := range []string{"gardening", "Green fingers", "Visit the community garden", "Widowed"} {
		if strings.Contains(gp.text("main"), private) {
			gp.fatalf("the referrer sees %q", private)
		}
	}
}

// waitForMail waits for a message to the given address and returns it.
func waitForMail(t *testing.T, mailbox *notifytest.Server, to string) notifytest.Mail {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range mailbox.Mails() {
			for _, rcpt := range m.To {
				if strings.EqualFold(rcpt, to) {
					return m
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no email to %s arrived within 20s", to)
	return notifytest.Mail{}
}
