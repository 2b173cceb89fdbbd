package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-rod/rod/lib/proto"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// TestBrowserCommunityJourney is issue 16's "done means", in a real
// browser on both databases: a manager adds a volunteer, a link worker
// matches them with a person, the volunteer signs in, sees only that
// person, logs a visit and raises a concern; the link worker sees it at
// once and the manager closes it with an outcome; a graduate becomes an
// active peer mentor; the volunteering report counts it all.
func TestBrowserCommunityJourney(t *testing.T) {
	requireAxe(t)
	for _, d := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			r := startFormsRun(t, dbtest.URL(t, d))
			communityJourney(t, r)
		})
	}
}

func communityJourney(t *testing.T, r *formsRun) {
	fx := r.fx
	now := time.Now()
	manager := r.as(t, auth.Manager)
	before := reportFigure(manager, "Volunteers active")

	// The manager keeps Nina's profile.
	manager.visit("/volunteers/new")
	manager.choose("#user_id", "Nina Osei")
	manager.click("label", "^Befriender$")
	manager.fill("#postcode", "EX4 4QJ")
	manager.fill("#interests", "Walking")
	for box, v := range map[string]int{"#dbs_checked-day": 1, "#dbs_checked-month": int(now.Month()), "#dbs_checked-year": now.Year() - 1,
		"#dbs_expires-day": 1, "#dbs_expires-month": int(now.Month()), "#dbs_expires-year": now.Year() + 2} {
		manager.fill(box, strconv.Itoa(v))
	}
	manager.send("button", "^Save profile$")
	manager.expectText(".nhsuk-notification-banner", "profile is saved")

	// The link worker matches her with Walter, sharing his contact details.
	lw := r.as(t, auth.LinkWorker)
	lw.visit("/referrals/" + fx.walter.ID + "/volunteers")
	lw.send("button", "^Match with Nina Osei$")
	lw.expectText("h1", "Walter Penrose")

	// Nina signs in and sees Walter, nobody else.
	nina := r.tabFor(t, ninaEmail)
	nina.signIn(ninaEmail, ninaPassword)
	nina.visit("/volunteering")
	if got := nina.texts("#my-matches li"); len(got) != 1 || !strings.Contains(got[0], "Walter Penrose") {
		nina.fatalf("Nina's people: %q, want Walter alone", got)
	}
	for _, path := range []string{"/referrals/" + fx.walter.ID, "/referrals/" + fx.ivy.ID, "/connections/" + fx.ivyWalk.ID, "/caseload"} {
		nina.visit(path)
		if st := nina.state(); st.Status != 404 || strings.Contains(st.Body, "Ivy") {
			nina.fatalf("Nina opens %s: status %d", path, st.Status)
		}
	}
	nina.visit("/volunteering")
	nina.follow("a", "^Walter Penrose$")
	nina.expectText("#shared", "walter@example.net")
	nina.fill("#minutes", "75")
	nina.click("label", "^Home visit$")
	nina.fill("#note", "Tea and a walk round the garden.")
	nina.send("button", "^Log contact$")
	nina.expectText("#match-contacts", "1 hour 15 minutes")
	nina.follow("a", "^Raise a safeguarding concern$")
	nina.click("label", "^Self-neglect$")
	nina.click("label", "^High")
	nina.fill("#description", "The kitchen had no food and the heating was off; Walter said the boiler broke last week.")
	nina.send("button", "^Raise the concern$")
	nina.expectText(".nhsuk-notification-banner", "Your concern has been raised")
	concern := nina.path()

	// The link worker sees it at once: on her home page and in her log.
	lw.visit("/")
	lw.expectText("#open-concerns", "open safeguarding concern")
	lw.visit("/concerns")
	lw.expectText("#concerns", "Self-neglect: referral "+fx.walter.Reference)
	lw.visit("/referrals/" + fx.walter.ID)
	lw.expectText("#open-concerns", "open safeguarding concern")

	// The manager acts on it and closes it with an outcome.
	manager.visit(concern)
	manager.fill("#what", "Arranged an emergency boiler repair and a food parcel.")
	manager.click("label", "^Close it, with its outcome$")
	manager.fill("#outcome", "Heating fixed the next day; Walter referred to the food bank.")
	manager.send("button", "^Save$")
	manager.expectText(".nhsuk-notification-banner", "The concern is closed.")
	nina.visit(concern)
	nina.expectText("main", "closed")

	// Mabel, whose goals were met, becomes an active peer mentor.
	lw.visit("/referrals/" + fx.community.mabel.ID)
	lw.send("button", "^Invite them to become a peer mentor$")
	for _, stage := range []string{"Interested", "In training"} {
		lw.click("label", "^"+stage+"$")
		lw.send("button", "^Save their stage$")
		lw.expectText("#mentor-stage", stage)
	}
	lw.click("label", "^Active peer mentor$")
	lw.choose("#account_id", "Mabel Tregear")
	lw.send("button", "^Save their stage$")
	lw.expectText("#mentor-stage", "Active peer mentor")
	manager.visit("/volunteers")
	manager.expectText("#volunteers", "Mabel Tregear")
	manager.expectText("#volunteers", "a graduate of the scheme")
	manager.expectText("#volunteers", "Renew within 30 days")

	// The report counts Nina among the volunteers active.
	if after := reportFigure(manager, "Volunteers active"); after != before+1 {
		manager.fatalf("volunteers active: %d before, %d after, want one more", before, after)
	}

	// The health champion sees the volunteers she coordinates, Nina not
	// among them (nobody named her champion), and nobody they support.
	champion := r.tabFor(t, demoChampionEmail)
	champion.signIn(demoChampionEmail, r.password)
	champion.visit("/volunteering")
	champion.follow("a", "^Volunteers you coordinate$")
	champion.expectText("main", "Alan Brooks")
	// The demo's Tomasz Nowak, whom she coordinates, has a DBS check
	// running out within the month: flagged to her here (and by email).
	champion.expectText("main", "Tomasz Nowak")
	champion.expectText("main", "Renew within 30 days")
	if body := champion.state().Body; strings.Contains(body, "Walter") || strings.Contains(body, "Nina Osei") {
		champion.fatalf("the champion's page names someone supported, or a volunteer she does not coordinate")
	}
	fitsPhone(champion, "/volunteering/coordinated")

	// Every community page fits a phone 375 pixels wide.
	match := ""
	nina.visit("/volunteering")
	for _, href := range nina.hrefs("#my-matches a") {
		match = href
	}
	for b, paths := range map[*formTab][]string{
		nina:    {"/volunteering", "/volunteering/details", match, concern},
		lw:      {"/referrals/" + fx.walter.ID + "/volunteers", "/concerns", "/referrals/" + fx.walter.ID},
		manager: {"/volunteers", "/volunteers/new", "/reports/volunteering", concern},
	} {
		fitsPhone(b, paths...)
	}
}

// hrefs are the paths of the links matching selector.
func (b *formTab) hrefs(selector string) []string {
	b.t.Helper()
	p, done := b.step()
	defer done()
	res, err := p.Eval(`(sel) => Array.from(document.querySelectorAll(sel)).map(a => new URL(a.href).pathname)`, selector)
	if err != nil {
		b.fatalf("read links %s: %v", selector, err)
	}
	var out []string
	if err := res.Value.Unmarshal(&out); err != nil {
		b.fatalf("read links %s: %v", selector, err)
	}
	return out
}

// fitsPhone opens each page 375 pixels wide and fails if it scrolls
// sideways.
func fitsPhone(b *formTab, paths ...string) {
	b.t.Helper()
	p, done := b.step()
	err := p.SetViewport(&proto.EmulationSetDeviceMetricsOverride{Width: 375, Height: 800, DeviceScaleFactor: 1, Mobile: true})
	done()
	if err != nil {
		b.fatalf("narrow the window: %v", err)
	}
	for _, path := range paths {
		b.visit(path)
		p, done := b.step()
		res, err := p.Eval(`() => document.documentElement.scrollWidth`)
		done()
		if err != nil {
			b.fatalf("measure %s: %v", path, err)
		}
		if w := res.Value.Int(); w > 375 {
			b.t.Errorf("%s is %d pixels wide on a 375-pixel phone: it scrolls sideways", path, w)
		}
	}
}

// reportFigure reads a count from the volunteering report of the past
// year; -1 when it is hidden.
func reportFigure(b *formTab, label string) int {
	b.t.Helper()
	b.visit("/reports/volunteering")
	for _, row := range b.texts("#volunteering-figures .nhsuk-summary-list__row") {
		parts := strings.FieldsFunc(row, func(r rune) bool { return r == '\n' || r == '\t' })
		if len(parts) == 2 && strings.TrimSpace(parts[0]) == label {
			n, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(parts[1]), ",", ""))
			if err != nil {
				return -1
			}
			return n
		}
	}
	b.fatalf("the volunteering report has no %q", label)
	return 0
}
