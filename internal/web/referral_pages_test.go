package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

func selfReferralForm() url.Values {
	return url.Values{"who": {"me"},
		"given_name": {"Joan"}, "family_name": {"Pike"}, "dob-day": {"4"}, "dob-month": {"7"}, "dob-year": {"1941"},
		"postcode": {"ex2 5aa"}, "phone": {"01392 111111"}, "reasons": {"loneliness", "lives_alone"}, "consent": {"yes"}}
}

func TestSelfReferralReachesTriage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		anon := f.browser()
		if res := anon.get("/refer"); res.status != 200 || !strings.Contains(res.body, "Ask for support") {
			t.Fatalf("form: %d", res.status)
		}
		bad := selfReferralForm()
		bad.Del("consent")
		bad.Set("dob-year", "2090")
		bad.Set("postcode", "EX2")
		res := anon.post("/refer", bad)
		for _, want := range []string{`href="#consent"`, `href="#dob-day"`, `href="#postcode"`} {
			if !strings.Contains(res.body, want) {
				t.Errorf("refused form lacks %s (status %d)", want, res.status)
			}
		}
		bot := selfReferralForm()
		bot.Set("website", "http://spam.example")
		if res := anon.post("/refer", bot); res.status != 200 || strings.Contains(res.body, "OIK-") && !strings.Contains(res.body, "OIK-THANK-YOU") {
			t.Errorf("honeypot: %d", res.status)
		}
		// Sent the moment the page loaded, as a quick person or a browser's
		// autofill does (and carrying a "started" time from a page served
		// before the form stopped being timed): taken at the first press.
		quick := selfReferralForm()
		quick.Set("started", strconv.FormatInt(time.Now().Unix(), 10))
		res = anon.post("/refer", quick)
		ref := regexp.MustCompile(`id="reference">(OIK-[A-Z0-9-]+)<`).FindStringSubmatch(res.body)
		if res.status != 201 || ref == nil {
			t.Fatalf("self-referral: %d\n%s", res.status, res.body)
		}

		lw := f.browser()
		enrol(t, lw, "link_worker@example.org")
		queue := lw.get("/referrals")
		link := regexp.MustCompile(`href="(/referrals/ref_[a-z0-9]+)">Joan Pike<`).FindStringSubmatch(queue.body)
		if queue.status != 200 || link == nil || strings.Count(queue.body, "Pike") != 1 {
			t.Fatalf("triage queue (only one referral, the honeypot made none): %d\n%s", queue.status, queue.body)
		}
		if res := lw.get(link[1]); res.status != 200 || !strings.Contains(res.body, "Loneliness") || !strings.Contains(res.body, ref[1]) {
			t.Fatalf("referral page: %d", res.status)
		}
		if res := lw.post(link[1]+"/status", url.Values{"status": {"accepted"}}); res.status != http.StatusSeeOther {
			t.Fatalf("accept: %d %s", res.status, res.body)
		}
		if res := lw.get("/referrals"); !strings.Contains(res.body, "Joan Pike</a>: Accepted") {
			t.Fatalf("caseload after accepting:\n%s", res.body)
		}
		// Without a reason: the page again, asking for one beside the box.
		if res := lw.post(link[1]+"/status", url.Values{"status": {"closed"}}); res.status != 422 ||
			!strings.Contains(res.body, `id="reason-error"`) || !strings.Contains(res.body, "Choose why the referral is closing.") {
			t.Errorf("close without reason: %d", res.status)
		}
		if res := lw.post(link[1]+"/status", url.Values{"status": {"closed"}, "reason": {"redirected"}}); res.status != http.StatusSeeOther {
			t.Errorf("close: %d", res.status)
		}
	})
}

func TestProfessionalReferralForm(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	gp := f.browser()
	enrol(t, gp, "referrer@example.org")
	if res := gp.get("/referrals/new"); res.status != 200 || !strings.Contains(res.body, "Make a referral") {
		t.Fatalf("form: %d", res.status)
	}
	form := selfReferralForm()
	form.Del("who")
	form.Set("source_type", "gp")
	form.Set("nhs_number", "943 476 5918")
	form.Set("notes", "Recently bereaved.")
	if res := gp.post("/referrals/new", form); res.status != 422 || !strings.Contains(res.body, `href="#nhs_number"`) {
		t.Fatalf("bad NHS number: %d", res.status)
	}
	form.Set("nhs_number", "943 476 5919")
	res := gp.post("/referrals/new", form)
	if res.status != 201 || !strings.Contains(res.body, "Referral sent") {
		t.Fatalf("send: %d\n%s", res.status, res.body)
	}
	// The referrer sees the status, never the notes, and cannot move it on.
	list := f.do(auth.Referrer, "GET", "/api/v1/referrals", "").json(t)["items"].([]any)
	id := list[0].(map[string]any)["id"].(string)
	page := gp.get("/referrals/" + id)
	if page.status != 200 || strings.Contains(page.body, "Recently bereaved") || strings.Contains(page.body, "Accept and take on") || !strings.Contains(page.body, "Waiting for triage") {
		t.Fatalf("referrer's page: %d\n%s", page.status, page.body)
	}
	if res := gp.get("/referrals"); res.status != 404 {
		t.Errorf("referrer on the triage queue: %d", res.status)
	}
	// Their own list shows the referral and its status; a link worker's
	// list of what they sent does not show it.
	sent := gp.get("/referrals/sent")
	if sent.status != 200 || !strings.Contains(sent.body, `href="/referrals/`+id+`"`) || !strings.Contains(sent.body, "Waiting for triage") {
		t.Fatalf("referrer's sent list: %d\n%s", sent.status, sent.body)
	}
	lw := f.browser()
	enrol(t, lw, "link_worker@example.org")
	if other := lw.get("/referrals/sent"); other.status != 200 || strings.Contains(other.body, id) {
		t.Errorf("a link worker's sent list shows the GP's referral: %d", other.status)
	}
}

// A friend or relative who fills in the form for someone says who they
// are, and the link worker sees it beside "Referred by"; a name too long
// to be one is refused beside its box, and nothing is kept.
func TestSelfReferralSaysWhoFilledItIn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		anon := f.browser()
		form := selfReferralForm()
		form.Set("who", "someone_else")
		form.Set("referrer_name", strings.Repeat("Sue Brown, his daughter ", 20))
		if res := anon.post("/refer", form); res.status != 422 || !strings.Contains(res.body, `href="#referrer_name"`) {
			t.Fatalf("a name too long: %d", res.status)
		}
		form.Set("referrer_name", "Sue Brown, his daughter")
		if res := anon.post("/refer", form); res.status != 201 {
			t.Fatalf("on behalf: %d\n%s", res.status, res.body)
		}
		lw := f.browser()
		enrol(t, lw, "link_worker@example.org")
		queue := lw.get("/referrals")
		link := regexp.MustCompile(`href="(/referrals/ref_[a-z0-9]+)">Joan Pike<`).FindStringSubmatch(queue.body)
		if link == nil || strings.Count(queue.body, "Pike") != 1 {
			t.Fatalf("triage queue: one referral, none from the refused form:\n%s", queue.body)
		}
		if res := lw.get(link[1]); !strings.Contains(res.body, "Sue Brown, his daughter") {
			t.Fatalf("referral page does not say who filled it in: %d\n%s", res.status, res.body)
		}
		// Filled in for themselves, a name typed in the box is not kept
		// as someone else's.
		own := selfReferralForm()
		own.Set("given_name", "Ivy")
		own.Set("referrer_name", "Ivy Lane")
		if res := anon.post("/refer", own); res.status != 201 {
			t.Fatalf("for themselves: %d", res.status)
		}
		queue = lw.get("/referrals")
		link = regexp.MustCompile(`href="(/referrals/ref_[a-z0-9]+)">Ivy Pike<`).FindStringSubmatch(queue.body)
		if link == nil {
			t.Fatalf("Ivy's referral not in the queue")
		}
		if res := lw.get(link[1]); strings.Contains(res.body, "Ivy Lane") {
			t.Fatalf("a self-referral carries a referrer's name")
		}
	})
}
