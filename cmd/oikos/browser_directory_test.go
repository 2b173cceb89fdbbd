package main

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"
)

// loadDemo runs `oikos demo` and returns the demo accounts' password.
func loadDemo(t *testing.T, password *string) func(dbURL string) {
	return func(dbURL string) {
		t.Helper()
		var out bytes.Buffer
		e := &env{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: &out, stderr: io.Discard}
		if err := e.demo(context.Background(), []string{"--db", dbURL}); err != nil {
			t.Fatalf("oikos demo: %v", err)
		}
		m := regexp.MustCompile(`password for each: (\S+)\)`).FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("demo printed no password:\n%s", out.String())
		}
		*password = m[1]
	}
}

// TestBrowserDirectory: a person finds a walking group near them and opens
// its page; a community provider adds a service through the editor. Every
// page is checked with axe-core.
func TestBrowserDirectory(t *testing.T) {
	requireAxe(t)
	var password string
	base := startServer(t, loadDemo(t, &password))
	b := openTab(t, startBrowser(t), base)

	b.visit("/")
	b.follow("a", "^Find local support$")
	b.expectText("h1", "Find local support")
	b.fill("#q", "walking")
	b.fill("#near", "EX4 4QJ")
	b.follow("button", "^Search$")
	b.expectText("#results-heading", "near EX4 4QJ")
	first := b.texts(".nhsuk-card__link")
	if len(first) == 0 {
		b.fatalf("no results for walking near EX4 4QJ")
	}
	b.expectText(".nhsuk-card", "km from EX4 4QJ")
	b.follow(".nhsuk-card__link", regexp.QuoteMeta(first[0]))
	b.expectText("h1", first[0])
	b.expectText(".nhsuk-summary-list", "When")

	// A provider keeps their organisation's entries.
	b.visit("/sign-in")
	b.signIn("provider@oikos.example", password)
	b.enrolTOTP()
	b.follow("a", "saved my codes")
	b.visit("/directory/manage")
	b.expectText("h1", "Directory entries")
	b.follow("a", "^Add a service$")
	b.expectText("h1", "Add a service")
	b.follow("button", "^Add service$")
	b.expectText(".nhsuk-error-summary", "Enter the name of the service")
	b.fill("#name", "Greenway Tuesday Gardening")
	b.fill("#description", "Grow vegetables and flowers with friendly people. Tools and gloves provided; just come along.")
	b.click("#categories-nature_ecotherapy", "")
	b.fill("#location_name", "Greenway Allotments")
	b.fill("#postcode", "EX2 8NP")
	b.fill("#opens-tuesday", "10:00")
	b.fill("#closes-tuesday", "12:30")
	b.follow("button", "^Add service$")
	b.expectText("h1", "Greenway Tuesday Gardening")
	b.expectText(".nhsuk-summary-list", "Tuesday, 10:00 to 12:30")
	b.visit("/directory/manage/stale")
	b.expectText("h1", "Services to check")
}

// TestBrowserDirectoryWithoutJavaScript: searching works with scripts off.
func TestBrowserDirectoryWithoutJavaScript(t *testing.T) {
	requireAxe(t)
	var password string
	base := startServer(t, loadDemo(t, &password))
	b := openTab(t, startBrowser(t), base)
	b.disableScripts()
	b.visit("/directory")
	b.fill("#q", "choir")
	b.follow("button", "^Search$")
	if len(b.texts(".nhsuk-card__link")) == 0 {
		b.fatalf("no choirs found with scripts off")
	}
	if b.scriptsRan() {
		b.fatalf("scripts ran")
	}
}
