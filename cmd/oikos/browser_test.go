package main

import (
	"strings"
	"testing"
)

// TestBrowserFoundation walks the foundation's first-day journey in a real
// browser against the real server: the administrator signs in and sets up
// two-factor sign-in, adds an organisation and a link worker, the link
// worker sets up their account from the link, and the administrator signs
// in again with a recovery code. Every page on the way is checked with
// axe-core against WCAG 2.2 A and AA.
func TestBrowserFoundation(t *testing.T) {
	requireAxe(t)
	// The server first, so that clean-up closes the browser before it.
	base := startServer(t)
	b := openTab(t, startBrowser(t), base)

	// The public home page.
	b.visit("/")
	b.expectText("h1", "support for what matters to you")

	// The administrator's first sign-in: password, then two-factor set-up.
	b.visit("/sign-in")
	b.signIn(adminEmail, adminPassword)
	recovery := b.enrolTOTP()
	b.follow("a", "saved my codes")
	b.expectPath("/")
	b.expectText("h1", "Hello, "+adminName)
	// The sign that TestBrowserWithoutJavaScript relies on.
	if !b.scriptsRan() {
		b.fatalf("the page's own script did not run")
	}

	// An organisation: the empty form is refused with an error summary
	// first, then a complete one is saved.
	b.visit("/admin/organisations")
	b.expectText("h1", "Organisations")
	b.follow("a", "^Add an organisation$")
	b.expectText("h1", "Add an organisation")
	b.follow("button", "^Add organisation$")
	b.expectText(".nhsuk-error-summary", "There is a problem")
	b.fill("#name", "Riverside Surgery")
	b.click("input[name=kind][value=gp_practice]", "")
	b.follow("button", "^Add organisation$")
	if !strings.HasPrefix(b.where(), b.base+"/admin/organisations/") {
		b.fatalf("want the new organisation's page")
	}
	b.expectText("h1", "Riverside Surgery")
	b.expectText(".nhsuk-notification-banner", "The organisation has been added.")

	// A link worker at that organisation, invited with a set-up link.
	b.visit("/admin/users")
	b.expectText("h1", "Users")
	b.follow("a", "^Add a user$")
	b.fill("#name", "Asha Patel")
	b.fill("#email", "asha@example.org")
	b.choose("#role", "Link worker")
	b.choose("#organisation_id", "Riverside Surgery")
	b.follow("button", "^Add user$")
	setupLink := b.text("#setup-link")
	if !strings.HasPrefix(setupLink, b.base+"/setup/") {
		b.fatalf("set-up link %q does not lead to %s/setup/", setupLink, b.base)
	}
	b.signOut()

	// The link worker chooses a password and sets up two-factor sign-in.
	b.visit(setupLink)
	b.expectText("h1", "Choose your password")
	b.fill("#password", "tea kettle on the windowsill")
	b.fill("#confirm", "tea kettle on the windowsill")
	b.follow("button", "^Save password$")
	b.enrolTOTP()
	b.follow("a", "saved my codes")
	b.expectPath("/")
	b.expectText("h1", "Hello, Asha Patel")
	b.expectText(".nhsuk-lede-text", "Link worker at Riverside Surgery")
	b.signOut()

	// The administrator again: this time the code page. The enrolment code
	// has used up the current time step (a code works once), so sign in
	// with a recovery code, as someone without their phone would.
	b.signIn(adminEmail, adminPassword)
	b.expectPath("/sign-in/code")
	b.expectText("h1", "Enter your security code")
	b.fill("#code", recovery[0])
	b.follow("button", "^Sign in$")
	b.expectPath("/")
	b.expectText("h1", "Hello, "+adminName)
}

// TestBrowserWithoutJavaScript checks that signing in and setting up
// two-factor sign-in work with scripts off: every page must.
func TestBrowserWithoutJavaScript(t *testing.T) {
	requireAxe(t)
	base := startServer(t)
	b := openTab(t, startBrowser(t), base)
	b.disableScripts()

	b.visit("/sign-in")
	b.signIn(adminEmail, adminPassword)
	b.enrolTOTP()
	b.follow("a", "saved my codes")
	b.expectText("h1", "Hello, "+adminName)

	// Prove the scripts really were off, or this test proves nothing.
	if b.scriptsRan() {
		t.Fatal("the page's own script ran, so this test did not try the pages without JavaScript")
	}
}
