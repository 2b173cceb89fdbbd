package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"oikos/internal/connection"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/notify/notifytest"
)

// TestBrowserReminders: on SQLite (the reminder sweep, choices and dates
// are tested on both databases in internal/connection and internal/web;
// the browser adds the pages, and CI time is finite), through the real server with
// a local GOV.UK Notify, the link worker records that Walter wants a text
// before his first session, signposts him to a walking group and records
// its answer with the date of his first session (a past date is refused
// by name); the day before, the reminder goes to Notify as a text that
// says the walk, the day, its hours and place, and nothing about him.
// Every page is checked with axe-core.
func TestBrowserReminders(t *testing.T) {
	requireAxe(t)
	for _, dialect := range []db.Dialect{db.SQLite} {
		t.Run(string(dialect), func(t *testing.T) { browserReminders(t, dbtest.URL(t, dialect)) })
	}
}

func browserReminders(t *testing.T, dbURL string) {
	var password, refID string
	notifyAPI := notifytest.StartNotify(t)
	base := startServerOn(t, dbURL, []string{"--notify-url", notifyAPI.URL, "--notify-key", notifyAPI.APIKey(), "--notify-sms-template", notifyAPI.TemplateID},
		loadDemo(t, &password), withConnectable(t, &refID))
	browser := startBrowser(t)
	ctx := context.Background()
	d, err := db.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()

	lw := openTab(t, browser, base)
	lw.disableScripts()
	lw.visit("/sign-in")
	lw.signIn("linkworker@oikos.example", password)
	lw.enrolTOTP()
	lw.follow("a", "saved my codes")
	lw.visit("/referrals/" + refID)
	lw.follow("a", "^Reminders before a first session$")
	lw.expectText("h1", "Reminders before a first session")
	lw.click("label", "^Text message to 07700 900123$")
	lw.follow("button", "^Save$")
	lw.expectText(".nhsuk-notification-banner", "choice of reminders is saved")

	lw.follow("a", "^Connect to a service$")
	lw.fill("#q", "Greenway walk")
	lw.follow("button", "^Search$")
	lw.follow("a", "^Greenway Wednesday Walk$")
	lw.click("label[for=kind]", "") // signpost: the link worker records the answer
	lw.follow("button", "^Send to Greenway Wednesday Walk$")
	lw.expectText(".nhsuk-notification-banner", "Connection sent.")
	lw.follow("#connections + table a", "^Greenway Wednesday Walk$")

	// The walk meets on Wednesdays: the first one at least two days away.
	london, _ := time.LoadLocation("Europe/London")
	first := time.Now().In(london).AddDate(0, 0, 2)
	for first.Weekday() != time.Wednesday {
		first = first.AddDate(0, 0, 1)
	}
	lw.click("label[for=decision]", "") // yes, they can go
	lw.fillDate("first_session", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
	lw.follow("button", "^Send answer$")
	lw.expectText(".nhsuk-error-summary", "The first session must be today or later.")
	lw.click("label[for=decision]", "")
	lw.fillDate("first_session", first)
	lw.follow("button", "^Send answer$")
	lw.expectText(".nhsuk-notification-banner", "Your answer is saved")
	lw.expectText(".nhsuk-summary-list", first.Format("2 January 2006"))

	// The day before, in the morning, the sweep writes the reminder and
	// the server's outbox worker sends it.
	y, m, day := first.Date()
	n, err := connection.NewStore(d, base).SweepReminders(ctx, time.Date(y, m, day-1, 10, 0, 0, 0, london))
	if err != nil || n != 1 {
		t.Fatalf("sweep wrote %d reminders: %v", n, err)
	}
	text := notifyAPI.Wait(t, 1, 20*time.Second)[0]
	body := text.Personalisation["body"]
	if text.PhoneNumber != "+447700900123" || !strings.Contains(body, "Greenway Wednesday Walk is tomorrow, "+first.Format("Monday 2 January")+", 10:00 to 11:30") ||
		!strings.Contains(body, "Greenway Park gate") || strings.Contains(body, "Walter") || strings.Contains(body, "lonel") {
		t.Errorf("Notify got %+v", text)
	}
}
