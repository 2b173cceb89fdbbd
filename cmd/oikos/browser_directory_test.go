package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// loadDemo runs `oikos demo` and returns the demo accounts' password. On
// SQLite it copies a database made once per test process instead (the
// admin startServerOn adds, then the demo): under the race detector the
// demo takes half a minute, and a dozen browser tests load it.
func loadDemo(t *testing.T, password *string) func(dbURL string) {
	return func(dbURL string) {
		t.Helper()
		if path, ok := strings.CutPrefix(dbURL, "sqlite:"); ok {
			template, pw := demoTemplate(t)
			for _, suffix := range []string{"", "-wal", "-shm"} {
				if err := os.Remove(path + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
					t.Fatal(err)
				}
				if b, err := os.ReadFile(template + suffix); err == nil {
					if err := os.WriteFile(path+suffix, b, 0o600); err != nil {
						t.Fatal(err)
					}
				}
			}
			*password = pw
			return
		}
		*password = runDemo(t, dbURL)
	}
}

// runDemo runs `oikos demo` on dbURL and returns the demo accounts'
// password.
func runDemo(t *testing.T, dbURL string) string {
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
	return m[1]
}

// demoDB is the SQLite database loadDemo copies, made by the first test
// that needs it and removed when the tests end (TestMain).
var demoDB struct {
	once     sync.Once
	dir      string
	path     string
	password string
	err      string
}

func demoTemplate(t *testing.T) (path, password string) {
	t.Helper()
	demoDB.once.Do(func() {
		dir, err := os.MkdirTemp("", "oikos-demo-template-")
		if err != nil {
			demoDB.err = err.Error()
			return
		}
		demoDB.dir = dir
		url := "sqlite:" + filepath.Join(dir, "demo.db")
		add := &env{getenv: func(string) string { return "" }, stdin: strings.NewReader(adminPassword + "\n"), stdout: io.Discard, stderr: io.Discard}
		if err := add.userAdd(context.Background(), []string{"--email", adminEmail, "--name", adminName,
			"--role", "admin", "--password-stdin", "--db", url}); err != nil {
			demoDB.err = "oikos user add: " + err.Error()
			return
		}
		demoDB.password = runDemo(t, url)
		demoDB.path = filepath.Join(dir, "demo.db")
	})
	if demoDB.path == "" {
		t.Fatalf("the demo database could not be made: %s", demoDB.err)
	}
	return demoDB.path, demoDB.password
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
	// Distances are explained, and the search ran within the default
	// 5 km, not the smallest choice (1 km found only EX4's own services).
	b.expectText("#distances-explained", "approximate")
	b.expectText("#within_km option[selected]", "Within 5 km")
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
