package main

import (
	"context"
	"encoding/csv"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// TestBrowserReports: on SQLite (the report's SQL is tested on both
// databases in internal/report and internal/web), with the demo's year of history,
// the scheme manager opens the scheme report and sees figures and charts;
// the CSV the page offers says exactly what the page says; a commissioner
// sees the same aggregates and gets "page not found" for a person's
// referral. Every page is checked with axe-core.
func TestBrowserReports(t *testing.T) {
	requireAxe(t)
	for _, dialect := range []db.Dialect{db.SQLite} {
		t.Run(string(dialect), func(t *testing.T) { browseReports(t, dbtest.URL(t, dialect)) })
	}
}

func browseReports(t *testing.T, dbURL string) {
	var password string
	base := startServerOn(t, dbURL, nil, loadDemo(t, &password))
	browser := startBrowser(t)

	mgr := openTab(t, browser, base)
	mgr.visit("/sign-in")
	mgr.signIn("manager@oikos.example", password)
	mgr.enrolTOTP()
	mgr.follow("a", "saved my codes")
	mgr.follow("a", "^Reports$")
	mgr.expectText("h1", "Scheme report")
	if n, err := strconv.Atoi(reportFigures(mgr)["services.total"]); err != nil || n < 20 {
		mgr.fatalf("services.total reads %q, want at least 20", reportFigures(mgr)["services.total"])
	}

	// The eleven whole months before this one, all within the demo's year
	// (this month, still young, may hold so few referrals that its total,
	// and so the year's, is hidden). The form's dates come back widened to
	// whole months.
	now := time.Now().UTC()
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	mgr.fillDate("from", thisMonth.AddDate(0, -11, 10))
	mgr.fillDate("to", thisMonth.AddDate(0, 0, -3))
	mgr.follow("button", "^Show the report$")
	mgr.expectText("main", "From "+thisMonth.AddDate(0, -11, 0).Format("2 January 2006")+" to "+thisMonth.AddDate(0, 0, -1).Format("2 January 2006"))
	figures := reportFigures(mgr)

	// Believable figures: hundreds of referrals and connections over the
	// months. The breakdowns show what every month shows (a count small in
	// one month is hidden in the whole period), so they are only checked
	// to be a number or "hidden".
	for path, least := range map[string]int{"referrals.total": 300, "connections.total": 200} {
		n, err := strconv.Atoi(figures[path])
		if err != nil || n < least {
			mgr.fatalf("%s reads %q, want at least %d", path, figures[path], least)
		}
	}
	for path, v := range figures {
		if _, err := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64); err != nil && v != "hidden" && v != "no data" {
			mgr.fatalf("%s reads %q", path, v)
		}
	}
	if n := len(mgr.texts("svg[role=img] title")); n < 5 {
		mgr.fatalf("%d charts, want 5", n)
	}
	// Hidden figures draw no bar: the largest of each breakdown, at least,
	// are shown.
	if bars := mgr.texts("svg[role=img] rect"); len(bars) < 3 {
		mgr.fatalf("%d bars in the charts", len(bars))
	}

	// The CSV, fetched as the download link would, matches the page.
	href := mgr.attribute("a[download]", "href")
	rows := fetchCSV(mgr, href)
	checked := 0
	for _, row := range rows[1:] {
		path, value, note := row[0], row[1], row[2]
		shown, ok := figures[path]
		if !ok {
			continue
		}
		checked++
		want := value
		if note != "" {
			want = note
		}
		if strings.HasSuffix(path, "improved_share") && value != "" {
			v, _ := strconv.ParseFloat(value, 64)
			got, _ := strconv.ParseFloat(strings.TrimSuffix(shown, "%"), 64)
			if math.Abs(got-v*100) > 0.05 {
				mgr.fatalf("%s: page %q, CSV %q", path, shown, value)
			}
			continue
		}
		if shown != want {
			mgr.fatalf("%s: page %q, CSV %q", path, shown, want)
		}
	}
	if checked < 40 {
		mgr.fatalf("only %d figures of the CSV are on the page", checked)
	}

	// A shorter period through the form.
	mgr.fillDate("from", time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	mgr.fillDate("to", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	mgr.follow("button", "^Show the report$")
	mgr.expectText(".nhsuk-error-summary", "at most 10 years")

	// The commissioner sees the same aggregates, and never a person.
	other, err := browser.Incognito()
	if err != nil {
		t.Fatalf("open a separate browser context: %v", err)
	}
	com := openTab(t, other, base)
	com.visit("/sign-in")
	com.signIn("commissioner@oikos.example", password)
	com.enrolTOTP()
	com.follow("a", "saved my codes")
	com.follow("a", "^Reports$")
	com.visit("/reports?from=" + thisMonth.AddDate(0, -11, 0).Format(time.DateOnly) + "&to=" + thisMonth.AddDate(0, 0, -1).Format(time.DateOnly))
	theirs := reportFigures(com)
	for path, v := range figures {
		if theirs[path] != v {
			com.fatalf("%s: commissioner sees %q, manager %q", path, theirs[path], v)
		}
	}
	d, err := db.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var refID string
	if err := d.R().QueryRowContext(context.Background(), "SELECT id FROM referrals WHERE channel = 'demo' ORDER BY id LIMIT 1").Scan(&refID); err != nil {
		t.Fatal(err)
	}
	com.visit("/referrals/" + refID)
	com.expectText("h1", "Page not found")
}

// reportFigures reads every figure on a report page by its path.
func reportFigures(b *tab) map[string]string {
	b.t.Helper()
	p, done := b.step()
	defer done()
	res, err := p.Eval(`() => Object.fromEntries(Array.from(document.querySelectorAll('[data-path]')).map(e => [e.dataset.path, e.textContent.trim()]))`)
	if err != nil {
		b.fatalf("read the figures: %v", err)
	}
	out := map[string]string{}
	for k, v := range res.Value.Map() {
		out[k] = v.Str()
	}
	if len(out) < 40 {
		b.fatalf("only %d figures on the page", len(out))
	}
	return out
}

// attribute reads an attribute of the first element matching selector.
func (b *tab) attribute(selector, name string) string {
	b.t.Helper()
	p, done := b.step()
	defer done()
	v, err := b.element(p, selector, "").Attribute(name)
	if err != nil || v == nil {
		b.fatalf("read %s of %s: %v", name, selector, err)
	}
	return *v
}

// fetchCSV fetches a CSV with the page's own session, as its link would.
func fetchCSV(b *tab, href string) [][]string {
	b.t.Helper()
	p, done := b.step()
	defer done()
	res, err := p.Eval(`async (href) => {
		const r = await fetch(href, {credentials: 'same-origin'});
		return r.status + '\n' + (r.headers.get('content-type') || '') + '\n' + await r.text();
	}`, href)
	if err != nil {
		b.fatalf("fetch %s: %v", href, err)
	}
	status, rest, _ := strings.Cut(res.Value.Str(), "\n")
	ctype, body, _ := strings.Cut(rest, "\n")
	if status != "200" || !strings.HasPrefix(ctype, "text/csv") {
		b.fatalf("fetch %s: %s %s", href, status, ctype)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(rows) < 2 || strings.Join(rows[0], ",") != "path,value,note" {
		b.fatalf("CSV from %s: %v\n%s", href, err, body)
	}
	return rows
}
