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

// TestBrowserEveryRolesDay is issue 15's "done means": each role's whole
// day, as one story, on the demo on both databases, every tab a phone 375
// px wide, so that every page visited is checked with axe-core and fails
// if it scrolls sideways (openPhoneTab). The GP refers Winifred urgently;
// the link worker finds her at the top of triage above the routine
// referrals, takes her on, finds her by name, records a call nobody
// answered and then one that reached her, holds the what-matters
// conversation and sends her to a group from the suggestions page; the
// provider accepts with a date for her first session; Winifred signs in
// from the emailed link and sees the group, that date, and her link
// worker with how to reach them; the link worker closes the referral
// after confirming, and reopens it; the GP sees where it has got to.
func TestBrowserEveryRolesDay(t *testing.T) {
	requireAxe(t)
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) { everyRolesDay(t, dbtest.URL(t, dialect)) })
	}
}

func everyRolesDay(t *testing.T, dbURL string) {
	mailbox := notifytest.Start(t, notifytest.Options{})
	var password string
	base := startServerOn(t, dbURL, []string{"--smtp-url", mailbox.URL("oikos@example.org")}, loadDemo(t, &password))
	browser := startBrowser(t)
	inOwnBrowser := func() *tab {
		t.Helper()
		own, err := browser.Incognito()
		if err != nil {
			t.Fatalf("open a separate browser context: %v", err)
		}
		return openPhoneTab(t, own, base)
	}

	// The GP refers Winifred, urgently.
	gp := openPhoneTab(t, browser, base)
	gp.signInFirstTime("gp@oikos.example", password)
	gp.visit("/referrals/new") // the header menu folds away on a phone
	gp.choose("#source_type", "GP")
	gp.fill("#given_name", "Winifred")
	gp.fill("#family_name", "Hext")
	gp.fill("#dob-day", "4")
	gp.fill("#dob-month", "7")
	gp.fill("#dob-year", "1944")
	gp.fill("#postcode", "EX4 1AA")
	gp.fill("#phone", "07700 900456")
	gp.fill("#email", "winifred@example.net")
	gp.click("#reasons-loneliness", "")
	gp.fill("#notes", "Lost her husband in the spring; has stopped going out.")
	gp.click("#consent", "")
	gp.click("label", "^They agree to their contact details being shared")
	gp.click("label", "^Urgent$")
	gp.follow("button", "^Send referral$")
	gp.expectText("h1", "We have your request")
	reference := gp.text("#reference")

	// The link worker's triage: Winifred, though the newest, comes above
	// every routine referral, however long those have waited.
	lw := inOwnBrowser()
	lw.signInFirstTime("linkworker@oikos.example", password)
	lw.visit("/referrals")
	queue := lw.texts("#waiting > li")
	at, routineSeen := -1, false
	for i, item := range queue {
		urgent := strings.Contains(item, "Urgent")
		if urgent && routineSeen {
			lw.fatalf("an urgent referral (%q) comes below a routine one", item)
		}
		routineSeen = routineSeen || !urgent
		if strings.HasPrefix(item, "Winifred Hext") {
			at = i
		}
	}
	if at < 0 || !strings.Contains(queue[at], "Urgent") || !strings.Contains(queue[at], "Loneliness") {
		lw.fatalf("Winifred is not in the queue marked urgent with her reason: %q", queue)
	}
	if !routineSeen {
		lw.fatalf("the demo queue has no routine referral to put Winifred above: %q", queue)
	}
	lw.follow("#waiting a", "^Winifred Hext$")
	lw.expectText(".nhsuk-caption-l", reference)
	lw.follow("button", "^Accept and take on$")
	lw.expectText(".nhsuk-notification-banner", "in your caseload")

	// Later, she finds Winifred by name among everyone the scheme holds.
	lw.visit("/people")
	lw.fill("#q", "winifred hext")
	lw.follow("main button", "^Find a person$")
	lw.follow("a", "^Winifred Hext$")
	lw.expectText("main", "4 July 1944")
	lw.follow("main a", "^"+regexp.QuoteMeta(reference)+"$")
	referralPath := lw.path()

	// She calls; nobody answers. She calls again and they talk.
	lw.follow("a", "^Record a contact$")
	lw.click("label", "^No answer$")
	lw.follow("button", "^Save contact$")
	lw.expectText(".nhsuk-notification-banner", "not reached this time")
	lw.expectText("#contacts + table", "No answer")
	if status := lw.text("main .nhsuk-tag"); strings.Contains(status, "In contact") {
		lw.fatalf("a call nobody answered moved the referral on: %q", status)
	}
	lw.follow("a", "^Record a contact$")
	lw.click("label[for=mode]", "") // the first mode: phone
	lw.fill("#duration_minutes", "30")
	lw.follow("button", "^Save contact$")
	lw.expectText(".nhsuk-notification-banner", "Contact recorded.")
	lw.expectText("main .nhsuk-tag", "In contact")

	lw.follow("a", "^Record the what-matters conversation$")
	lw.fill("#what_matters", "Company over a cup of tea, and getting out of the house again.")
	lw.fill("#strengths", "Baker\nGood listener")
	lw.choose("#priority-loneliness", "High")
	lw.follow("button", "^Save conversation$")
	lw.expectText(".nhsuk-notification-banner", "What matters conversation recorded.")

	// She sends Winifred to the demo provider's tea group from its card
	// among the suggestions.
	lw.follow("a", "^Find activities and services$")
	found := false
	for _, c := range lw.texts(".nhsuk-card") {
		found = found || strings.Contains(c, "Greenway Cuppa and Chat")
	}
	if !found {
		lw.fatalf("Greenway Cuppa and Chat is not among Winifred's suggestions")
	}
	lw.follow(".nhsuk-card a", "^Send to Greenway Cuppa and Chat$")
	lw.click(".nhsuk-radios__item label", "^Supported referral$")
	lw.fill("textarea[name=note]", "Winifred would like to be met at the door the first time.")
	lw.follow("main form button", "^Send to Greenway Cuppa and Chat$")
	lw.expectText(".nhsuk-notification-banner", "Connection sent.")
	lw.expectText("#connections + table", "Waiting for an answer")

	// The provider answers: yes, with a date for the first session.
	firstSession := time.Now().AddDate(0, 0, 6)
	pv := inOwnBrowser()
	pv.signInFirstTime("provider@oikos.example", password)
	pv.visit("/connections")
	pv.follow("a", "^"+regexp.QuoteMeta(reference)+"$")
	pv.expectText("main", "07700 900456")
	pv.click("label", "^Yes, we can take them$")
	pv.fillDate("first_session", firstSession)
	pv.follow("button", "^Send answer$")
	pv.expectText(".nhsuk-summary-list", "Accepted")
	lw.visit(referralPath)
	lw.expectText("#connections + table", "Accepted")

	// Winifred signs in from the link the link worker emails her, and sees
	// the group, her first session and who her link worker is.
	lw.follow("button", "^Email a sign-in link$")
	lw.expectText("h1", "Sign-in link sent")
	mail := waitForMail(t, mailbox, "winifred@example.net")
	signInLink := regexp.MustCompile(`/my/link/[A-Za-z0-9_-]+`).FindString(mail.Body)
	if signInLink == "" {
		t.Fatalf("no sign-in link in the email:\n%s", mail.Body)
	}
	winifred := inOwnBrowser()
	winifred.disableScripts()
	winifred.visit(signInLink)
	winifred.follow("button", "^Continue$")
	winifred.expectPath("/my")
	winifred.expectText("main", "Greenway Cuppa and Chat")
	winifred.expectText("main", firstSession.Format("2 January 2006"))
	// Where it meets, from the directory, beside the date.
	winifred.expectText("main", "Where: Greenway Community Hall, Cowick Street, EX4 1AA")
	if firstSession.Weekday() == time.Tuesday {
		winifred.expectText("main", "10:00 to 12:00")
	}
	winifred.expectText("#your-link-worker-"+reference, "To reach them, ring 01632 960100 or email")
	for _, private := range []string{"Lost her husband", "stopped going out"} {
		if strings.Contains(winifred.text("main"), private) {
			winifred.fatalf("the person's page shows the referrer's notes: %q", private)
		}
	}

	// The link worker closes the referral, after saying why, and, since
	// Winifred rings to say she wants more help, reopens it.
	lw.visit(referralPath)
	lw.follow("a", "^Close referral$")
	lw.expectText("h1", "Close")
	lw.choose("#reason", "Goals met")
	lw.follow("button", "^Yes, close the referral$")
	lw.expectText(".nhsuk-notification-banner", "The referral is closed.")
	lw.fill("#reopen_reason", "She rang: she would like help with her garden too")
	lw.follow("button", "^Reopen referral$")
	lw.expectText(".nhsuk-notification-banner", "The referral is open again")

	// The GP sees where it has got to, and nothing that was said.
	gp.visit("/referrals/sent")
	gp.expectText("tbody", reference)
	gp.follow("a", "^Winifred Hext$")
	for _, private := range []string{"cup of tea", "Baker", "met at the door", "garden"} {
		if strings.Contains(gp.text("main"), private) {
			gp.fatalf("the referrer sees %q", private)
		}
	}
}
