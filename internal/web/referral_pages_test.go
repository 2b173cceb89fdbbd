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

// The professional form sent twice (a double click, a reload of the
// answer) is one referral: the repeat shows the same reference. A fresh
// form for the same person is another referral.
func TestProfessionalReferralSentTwiceIsOne(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		gp := f.browser()
		enrol(t, gp, "referrer@example.org")
		formID := regexp.MustCompile(`name="form_id" value="([^"]+)"`)
		page := gp.get("/referrals/new")
		id := formID.FindStringSubmatch(page.body)
		if page.status != 200 || id == nil {
			t.Fatalf("the form has no form_id: %d", page.status)
		}
		form := selfReferralForm()
		form.Del("who")
		form.Set("source_type", "gp")
		form.Set("form_id", id[1])
		reference := regexp.MustCompile(`id="reference">(OIK-[A-Z0-9-]+)<`)
		first, again := gp.post("/referrals/new", form), gp.post("/referrals/new", form)
		r1, r2 := reference.FindStringSubmatch(first.body), reference.FindStringSubmatch(again.body)
		if first.status != 201 || again.status != 200 || r1 == nil || r2 == nil || r1[1] != r2[1] {
			t.Fatalf("the same form sent twice: %d then %d, references %v and %v", first.status, again.status, r1, r2)
		}
		other := formID.FindStringSubmatch(gp.get("/referrals/new").body)
		if other == nil || other[1] == id[1] {
			t.Fatalf("a fresh form has the same form_id")
		}
		form.Set("form_id", other[1])
		if res := gp.post("/referrals/new", form); res.status != 201 || strings.Contains(res.body, r1[1]) {
			t.Errorf("the same person on a fresh form: %d", res.status)
		}
		var n int
		d.R().QueryRowContext(t.Context(), "SELECT COUNT(*) FROM referrals WHERE channel = 'web' AND sent_family_name = 'Pike'").Scan(&n)
		if n != 2 {
			t.Errorf("%d referrals from two forms, one sent twice; want 2", n)
		}
	})
}

// Both referral forms need a way to reach the person: a phone number or
// an email address, the refusal beside the phone box saying what to do,
// with the other mistakes; the thank-you page promises only what was
// given. The API keeps them optional, as the contract says.
func TestReferralFormsNeedAWayToReachThePerson(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		anon := f.browser()
		gp := f.browser()
		enrol(t, gp, "referrer@example.org")
		self := selfReferralForm()
		self.Del("phone")
		self.Del("consent")
		res := anon.post("/refer", self)
		if res.status != 422 || !strings.Contains(res.body, `href="#phone"`) || !strings.Contains(res.body, "Give a phone number or an email address") ||
			!strings.Contains(res.body, `href="#consent"`) {
			t.Errorf("self-referral without phone or email: %d\n%s", res.status, res.body)
		}
		self.Set("consent", "yes")
		self.Set("email", "joan@example.net")
		res = anon.post("/refer", self)
		if res.status != 201 || !strings.Contains(res.body, "by email") || strings.Contains(res.body, "write") || strings.Contains(res.body, "by phone") {
			t.Errorf("self-referral with an email address only: %d\n%s", res.status, res.body)
		}

		pro := selfReferralForm()
		pro.Del("who")
		pro.Set("source_type", "gp")
		pro.Set("phone", "  ")
		if res := gp.post("/referrals/new", pro); res.status != 422 || !strings.Contains(res.body, `href="#phone"`) ||
			!strings.Contains(res.body, "so a link worker can contact them") {
			t.Errorf("GP referral without phone or email: %d\n%s", res.status, res.body)
		}
		pro.Set("phone", "01392 111111")
		if res := gp.post("/referrals/new", pro); res.status != 201 || !strings.Contains(res.body, "contact the person by phone") {
			t.Errorf("GP referral with a phone number: %d\n%s", res.status, res.body)
		}
		var n int
		d.R().QueryRowContext(t.Context(), "SELECT COUNT(*) FROM referrals WHERE sent_family_name = 'Pike'").Scan(&n)
		if n != 2 {
			t.Errorf("%d referrals kept; want 2, none from the refused forms", n)
		}
	})
}
