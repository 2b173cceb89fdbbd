package main

import (
	"strconv"
	"testing"
	"time"
)

// TestBrowserCasework: a link worker, with JavaScript off, finds a person
// in their caseload, records a contact, the what-matters conversation with
// a baseline, and a new step of the plan, meeting each form's error
// messages on the way. Every page is checked with axe-core.
func TestBrowserCasework(t *testing.T) {
	requireAxe(t)
	var password, refID string
	base := startServer(t, loadDemo(t, &password), withPlan(t, &refID))
	b := openTab(t, startBrowser(t), base)
	b.disableScripts()

	b.visit("/sign-in")
	b.signIn("linkworker@oikos.example", password)
	b.enrolTOTP()
	b.follow("a", "saved my codes")
	b.follow("a", "^Caseload$")
	b.expectText("h1", "Your caseload")
	b.expectText("main", "Try the Tuesday chair exercise class")
	b.follow("a", "^Edith Marsh$")
	b.expectPath("/referrals/" + refID)

	now := time.Now()
	b.follow("a", "^Record a contact$")
	b.expectText("h1", "Record a contact")
	b.fill("#at-year", "2999")
	b.follow("button", "^Save contact$")
	b.expectText(".nhsuk-error-summary", "today or in the past")
	b.fill("#at-year", strconv.Itoa(now.Year()))
	b.click("label[for=mode-4]", "") // home visit
	b.fill("#duration_minutes", "50")
	b.fill("#note", "Met at home; keen to get out more.")
	b.follow("button", "^Save contact$")
	b.expectText(".nhsuk-notification-banner", "Contact recorded.")
	b.expectText("#contacts + table", "Home visit")
	b.expectText("main", "In contact")

	b.follow("a", "^Record the what-matters conversation$")
	b.expectText("h1", "What matters conversation")
	b.fill("#what_matters", "Being able to walk to the shops and see people.")
	b.fill("#strengths", "Determined\nGood neighbour")
	b.choose("#priority-loneliness", "High")
	b.choose("#ons4-0", "6")
	b.follow("button", "^Save conversation$")
	b.expectText(".nhsuk-error-summary", "whole number from 0 to 10")
	b.choose("#ons4-1", "7")
	b.choose("#ons4-2", "5")
	b.choose("#ons4-3", "3")
	b.follow("button", "^Save conversation$")
	b.expectText(".nhsuk-notification-banner", "What matters conversation recorded.")
	b.expectText(".nhsuk-inset-text", "walk to the shops")
	b.expectText("main", "Loneliness: High priority")

	b.follow("a", "^Change the plan$")
	b.expectText("h1", "Their plan")
	b.fill("#goal-0-step-2-text", "Ring the walking group")
	b.choose("#goal-0-step-2-owner", "Volunteer")
	b.fill("#goal-1-text", "Sing again")
	b.follow("button", "^Save plan$")
	b.expectText(".nhsuk-notification-banner", "Plan saved.")
	b.expectText("main", "Ring the walking group")
	b.expectText("main", "Sing again")

	b.visit("/caseload")
	b.expectText("main", "Edith Marsh")
	if b.scriptsRan() {
		t.Fatal("the pages ran their scripts, so this test did not try them without JavaScript")
	}
}
