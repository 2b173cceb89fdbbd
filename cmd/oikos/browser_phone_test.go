package main

import (
	"strings"
	"testing"
)

// TestBrowserLinkWorkersDayFitsAPhone opens the pages of the link worker's
// day on a 375 px wide phone, on the demo: the triage queue, the caseload,
// finding a
// person, their details and the form that corrects them, a referral with a
// connection, recording a contact, closing, the what-matters form and the
// suggestions; then the demo provider's queue, a connection and the
// services to check; and the manager's services to check, caseloads and
// engagement report, whose tables are wider than a phone and scroll
// inside their own container. None may scroll sideways or show a date as
// 2026-12-08, and each is
// checked with axe-core as it loads (openPhoneTab).
func TestBrowserLinkWorkersDayFitsAPhone(t *testing.T) {
	requireAxe(t)
	var password string
	base := startServer(t, loadDemo(t, &password))
	browser := startBrowser(t)
	lw := openPhoneTab(t, browser, base)
	lw.plainDates = true
	lw.signInFirstTime("linkworker@oikos.example", password)
	lw.visit("/referrals")
	lw.expectText("#waiting", "Urgent")
	lw.visit("/caseload")
	lw.visit("/people?q=Stan+Brimblecombe")
	lw.follow("a", "^Stan Brimblecombe$")
	lw.follow("a", "^Change their details$")
	lw.visit("/people?q=Stan+Brimblecombe")
	lw.follow("a", "^Referral: ")
	lw.expectText("#connections", "Connections")
	referral := lw.path()
	for _, page := range []string{"/contacts/new", "/close", "/conversation/new", "/suggestions"} {
		lw.visit(referral + page)
		// How long the page is on a phone: the what-matters form showed a
		// priority for every need, ticked or not (6,700 px), and the
		// suggestions a full form in every card (21,000 px).
		if h, err := lw.page.Eval(`() => document.documentElement.scrollHeight`); err == nil {
			t.Logf("%s is %d px tall at 375 px", page, h.Value.Int())
		}
	}
	if !strings.HasPrefix(referral, "/referrals/") {
		t.Fatalf("not a referral: %s", referral)
	}

	incognito, err := browser.Incognito()
	if err != nil {
		t.Fatal(err)
	}
	pv := openPhoneTab(t, incognito, base)
	pv.plainDates = true
	pv.signInFirstTime("provider@oikos.example", password)
	// Home: the demo's Reg Palk waits for Greenway's answer.
	pv.expectText("main", "1 person is waiting for your answer")
	pv.visit("/connections")
	pv.expectText("main", "Greenway Cuppa and Chat")
	pv.follow("main table a", "")
	pv.visit("/directory/manage")
	pv.expectText("main", "Greenway Riverside Health Walk")
	pv.visit("/directory/manage/stale")

	// The manager checks the whole scheme's services that need it, the
	// caseloads and the engagement report.
	managers, err := browser.Incognito()
	if err != nil {
		t.Fatal(err)
	}
	mg := openPhoneTab(t, managers, base)
	mg.plainDates = true
	mg.signInFirstTime("manager@oikos.example", password)
	mg.visit("/directory/manage/stale")
	mg.visit("/caseload")
	mg.visit("/reports/engagement")
	mg.expectText("main", "By service")
	// The tables are there, wider than the phone, and scroll within
	// their container (nhsuk-table-container) rather than the page.
	res, err := mg.page.Eval(`() => [...document.querySelectorAll('main table[data-table]')].map(t => {
		const c = t.closest('.nhsuk-table-container');
		return c && getComputedStyle(c).overflowX === 'auto' && c.clientWidth <= document.documentElement.clientWidth ? t.scrollWidth - c.clientWidth : -1;
	})`)
	if err != nil {
		mg.fatalf("measure the tables: %v", err)
	}
	tables := res.Value.Arr()
	if len(tables) != 2 {
		mg.fatalf("%d engagement tables, want 2 (by organisation and by service)", len(tables))
	}
	for i, over := range tables {
		switch {
		case over.Int() < 0:
			t.Errorf("engagement table %d is not in a scrolling nhsuk-table-container as wide as the page at most", i+1)
		case over.Int() == 0:
			t.Logf("engagement table %d fits 375 px", i+1)
		default:
			t.Logf("engagement table %d scrolls within its container by %d px", i+1, over.Int())
		}
	}
}
