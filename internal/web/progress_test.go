package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/referral"
)

// measureOn stores a measure as if given on day (YYYY-MM-DD), unscored as
// the what-matters conversation leaves its baseline, so that the reads
// score it.
func (f *fixture) measureOn(t testing.TB, refID, instrument, timepoint, day, answers string) {
	t.Helper()
	at, err := time.Parse(time.DateOnly, day)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Exec(context.Background(), `INSERT INTO measures (id, referral_id, instrument, timepoint, answers, score, recorded_at, by_actor)
		VALUES ($1, $2, $3, $4, $5, '{}', $6, 'usr_test')`, db.NewID("msr"), refID, instrument, timepoint, answers, at.Add(12*time.Hour).UnixMilli()); err != nil {
		t.Fatal(err)
	}
}

// staffBrowser is a browser signed in as role, without going through
// two-factor set-up, which the sign-in tests cover.
func (f *fixture) staffBrowser(t testing.TB, role auth.Role) *browser {
	t.Helper()
	token, err := f.auth.StartSession(context.Background(), f.users[role].ID, auth.StageFull, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	b := f.browser()
	u, _ := url.Parse(f.ts.URL)
	b.client.Jar.SetCookies(u, []*http.Cookie{{Name: "oikos_session", Value: token, Path: "/"}})
	return b
}

func expectAll(t *testing.T, what string, res response, status int, wants ...string) {
	t.Helper()
	if res.status != status {
		t.Errorf("%s: status %d, want %d\n%s", what, res.status, status, res.body)
		return
	}
	for _, want := range wants {
		if !strings.Contains(res.body, want) {
			t.Errorf("%s lacks %q", what, want)
		}
	}
}

func expectNone(t *testing.T, what string, res response, unwanted ...string) {
	t.Helper()
	for _, bad := range unwanted {
		if strings.Contains(res.body, bad) {
			t.Errorf("%s shows %q", what, bad)
		}
	}
}

func TestPersonSeesTheirOwnProgress(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		p := f.personWithPlan(t, "Margaret", "Hughes", "")
		q := f.personWithPlan(t, "Albert", "Quick", "")
		f.measureOn(t, p.ref.ID, "friends", "baseline", "2026-03-10", "[1]")
		f.measureOn(t, p.ref.ID, "friends", "review", "2026-06-10", "[3]")
		f.measureOn(t, p.ref.ID, "loneliness_direct", "baseline", "2026-03-10", "[1]")
		f.measureOn(t, p.ref.ID, "loneliness_direct", "review", "2026-06-10", "[2]")
		f.measureOn(t, q.ref.ID, "friends", "baseline", "2026-04-10", "[7]")

		// Nobody signed in: asked to sign in.
		if res := f.browser().get("/my/progress"); res.status != http.StatusSeeOther || res.header.Get("Location") != "/my/sign-in" {
			t.Errorf("anonymous: %d %q", res.status, res.header.Get("Location"))
		}

		b := f.signInWithCode(t, p.ref.ID)
		home := b.get("/my")
		// Both reviews are long past: the first questionnaire due is offered.
		expectAll(t, "home", home, 200, `<a href="/my/progress">Your progress</a>`,
			`<a href="/my/measures/new?instrument=loneliness_direct">Tell us how you are now</a>`)

		res := b.get("/my/progress")
		expectAll(t, "progress", res, 200, "<h1>Your progress</h1>",
			"You told us you had 1 close friend in March; now you have 3.",
			"You told us you felt lonely often or always in March; in June, some of the time.",
			`role="img"`, `aria-labelledby="progress-0-friends-title"`, "Close friends: 1 on 10 March 2026, then 3 on 10 June 2026. Higher is better.",
			`<caption class="nhsuk-table__caption nhsuk-table__caption--s">Your close friends: your answers as a table</caption>`,
			"<td class=\"nhsuk-table__cell\">Some of the time</td>", p.goalText, "How far along: 0 out of 10", "Steps done: 0 of 2",
			`href="/my/measures/new?instrument=friends">Tell us how you are now`, `<strong>Your progress</strong>`)
		// Never the jargon, never the other person.
		expectNone(t, "progress", res, "(baseline)", "Baseline", " baseline", "metric", "SWEMWBS", "7 close friends", q.goalText, "style=")

		// A step done shows in the count.
		if r := b.post("/my/goals/"+p.goal+"/steps/"+p.step, url.Values{"done": {"yes"}}); r.status != http.StatusSeeOther {
			t.Fatalf("mark done: %d", r.status)
		}
		expectAll(t, "progress after a step", b.get("/my/progress"), 200, "Steps done: 1 of 2")

		// The other person sees theirs, not Margaret's.
		other := f.signInWithCode(t, q.ref.ID)
		res = other.get("/my/progress")
		expectAll(t, "other's progress", res, 200, "You told us you had 7 close friends in April 2026.")
		expectNone(t, "other's progress", res, "1 close friend in March", p.goalText, "instrument=loneliness_direct\">Tell us")

		// Staff sessions do not open the person's pages, whatever role.
		for _, role := range []auth.Role{auth.LinkWorker, auth.Manager, auth.Admin} {
			sb := f.staffBrowser(t, role)
			if res := sb.get("/my/progress"); res.status != 404 {
				t.Errorf("%s on /my/progress: %d", role, res.status)
			}
			if res := sb.get("/my/measures/new?instrument=friends"); res.status != 404 {
				t.Errorf("%s on the person's form: %d", role, res.status)
			}
		}

		// The link worker sees the same picture on the measures page.
		lw := f.staffBrowser(t, auth.LinkWorker)
		res = lw.get("/referrals/" + p.ref.ID + "/measures")
		expectAll(t, "measures page", res, 200, `aria-labelledby="measures-friends-title"`, "Close friends: 1 on 10 March 2026, then 3 on 10 June 2026.",
			`aria-labelledby="measures-loneliness_direct-title"`)

		// The reads are audited as the person's.
		if n := f.auditCount(t, "person:"+p.ref.PersonID, "read", "referral.measures"); n == 0 {
			t.Error("the person's reads of their measures are not audited")
		}
	})
}

func TestPersonAnswersAQuestionnaire(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		p := f.personWithPlan(t, "Margaret", "Hughes", "")
		q := f.personWithPlan(t, "Albert", "Quick", "")
		b := f.signInWithCode(t, p.ref.ID)
		form := "/my/measures/new"

		// Choosing: the questionnaires by their plain names.
		expectAll(t, "chooser", b.get(form), 200, `<a href="/my/measures/new?instrument=ucla3">How connected you feel</a>`)
		if res := b.get(form + "?instrument=phq9"); res.status != 404 {
			t.Errorf("unknown questionnaire: %d", res.status)
		}

		// The published wording and answers; no timepoint to choose, no jargon.
		res := b.get(form + "?instrument=ucla3")
		expectAll(t, "ucla3 form", res, 200, "<h1>How connected you feel</h1>", "How often do you feel that you lack companionship?",
			"please say how often (if at all) you feel that way", ">Hardly ever or never</label>", ">Often</label>",
			`<input type="hidden" name="instrument" value="ucla3">`, "Send my answers", `action="/my/measures/new"`)
		expectNone(t, "ucla3 form", res, `type="radio" value="baseline"`, "baseline", "At a review", "UCLA")
		expectAll(t, "swemwbs form", b.get(form+"?instrument=swemwbs"), 200,
			"© NHS Health Scotland, University of Warwick and University of Edinburgh, 2008", "I&#39;ve been feeling useful")

		// Bad answers: 422, each question named, the answers given kept.
		res = b.post(form, url.Values{"instrument": {"ucla3"}, "answer-0": {"2"}, "answer-2": {"9"}})
		expectAll(t, "refused ucla3", res, 422, `href="#answer-1"`, `href="#answer-2"`,
			"Choose an answer for &#34;How often do you feel left out?&#34;", `name="answer-0" type="radio" value="2" checked`)
		expectNone(t, "refused ucla3", res, `href="#answer-0"`, `href="#timepoint"`)
		res = b.post(form, url.Values{"instrument": {"friends"}, "answer-0": {"lots"}})
		expectAll(t, "refused friends", res, 422, `href="#answer-0"`, "Enter a whole number from 0 to 100", `value="lots"`)
		if res := b.post(form, url.Values{"instrument": {"nope"}}); res.status != 422 || !strings.Contains(res.body, `href="#instrument"`) {
			t.Errorf("unknown questionnaire posted: %d", res.status)
		}
		if n := rowCount(t, d, "measures"); n != 0 {
			t.Fatalf("refusals wrote %d measures", n)
		}

		// Saved, by the person, as the start; then again, as a review,
		// whatever timepoint the form is made to send.
		answers := url.Values{"instrument": {"ucla3"}, "answer-0": {"3"}, "answer-1": {"2"}, "answer-2": {"3"}, "timepoint": {"exit"}}
		res = b.post(form, answers)
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/my/progress?saved=ucla3" {
			t.Fatalf("save: %d %q\n%s", res.status, res.header.Get("Location"), res.body)
		}
		expectAll(t, "after saving", b.get("/my/progress?saved=ucla3"), 200, "Thank you. Your answers about how connected you feel are saved.",
			"Your loneliness score was 8 in ")
		answers.Set("answer-0", "1")
		if res := b.post(form, answers); res.status != http.StatusSeeOther {
			t.Fatalf("second answers: %d", res.status)
		}
		var timepoints []string
		rows, err := d.R().QueryContext(context.Background(), "SELECT timepoint, by_actor, referral_id FROM measures ORDER BY recorded_at, id")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var tp, by, ref string
			if err := rows.Scan(&tp, &by, &ref); err != nil {
				t.Fatal(err)
			}
			if by != "person:"+p.ref.PersonID || ref != p.ref.ID {
				t.Errorf("recorded by %q on %q", by, ref)
			}
			timepoints = append(timepoints, tp)
		}
		rows.Close()
		if strings.Join(timepoints, ",") != "baseline,review" {
			t.Errorf("timepoints %v", timepoints)
		}
		if n := f.auditCount(t, "person:"+p.ref.PersonID, "create", "referral.measures"); n != 2 {
			t.Errorf("%d creates audited as the person, want 2", n)
		}
		// The link worker sees them.
		expectAll(t, "measures page", f.staffBrowser(t, auth.LinkWorker).get("/referrals/"+p.ref.ID+"/measures"), 200, "Total", "<td class=\"nhsuk-table__cell\">8</td>")

		// The other person's answers go to their own referral.
		other := f.signInWithCode(t, q.ref.ID)
		if res := other.post(form, url.Values{"instrument": {"friends"}, "answer-0": {"4"}}); res.status != http.StatusSeeOther {
			t.Fatalf("other's answers: %d", res.status)
		}
		var onQ int
		if err := d.R().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM measures WHERE referral_id = $1 AND by_actor = $2",
			q.ref.ID, "person:"+q.ref.PersonID).Scan(&onQ); err != nil || onQ != 1 {
			t.Errorf("other's measure: %d %v", onQ, err)
		}

		// A staff session cannot post as the person.
		before := rowCount(t, d, "measures")
		if res := f.staffBrowser(t, auth.LinkWorker).post(form, url.Values{"instrument": {"friends"}, "answer-0": {"4"}}); res.status != 404 {
			t.Errorf("staff post: %d", res.status)
		}
		if rowCount(t, d, "measures") != before {
			t.Error("a staff post wrote a measure")
		}

		// Once the support is closed there is nothing to answer.
		by := referral.Actor{UserID: f.users[auth.LinkWorker].ID, Client: "test"}
		if _, err := referral.NewStore(d).Transition(context.Background(), by, p.ref.ID, referral.Closed, "goals_met"); err != nil {
			t.Fatal(err)
		}
		if res := b.get(form + "?instrument=friends"); res.status != 404 || !strings.Contains(res.body, "no support open with us") {
			t.Errorf("closed: %d", res.status)
		}
		res = b.get("/my/progress")
		expectAll(t, "progress once closed", res, 200, "Your loneliness score went from 8 ")
		expectNone(t, "progress once closed", res, "Answer our questions")
	})
}

// FuzzMyMeasureForm posts anything as the person's questionnaire: a page
// naming the problem or the answers saved, never a 5xx, never a refusal
// that writes.
func FuzzMyMeasureForm(f *testing.F) {
	f.Add("instrument=ons4&answer-0=1&answer-1=2&answer-2=3&answer-3=4")
	f.Add("instrument=friends&timepoint=exit&answer-0=%2B3")
	f.Add("instrument=swemwbs&answer-0=9999999999999999999999&answer-6=-1")
	f.Add("instrument=ucla3&answer-0=1&answer-0=2&answer-1=3&answer-2=1")
	f.Add("instrument=loneliness_direct&answer-0=0")
	f.Add("instrument=&timepoint=%00")
	f.Add("%zz")
	d := dbtest.SQLite(f)
	fx := newFixture(f, d)
	p := fx.personWithPlan(f, "Margaret", "Hughes", "")
	b := fx.signInWithCode(f, p.ref.ID)
	f.Fuzz(func(t *testing.T, form string) {
		fx.t = t
		before := rowCount(t, d, "measures")
		req, _ := http.NewRequest(http.MethodPost, fx.ts.URL+"/my/measures/new", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", fx.ts.URL)
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		after := rowCount(t, d, "measures")
		switch {
		case resp.StatusCode >= 500:
			t.Fatalf("%q: status %d", form, resp.StatusCode)
		case resp.StatusCode == http.StatusSeeOther && !strings.HasPrefix(resp.Header.Get("Location"), "/my/progress?saved="):
			t.Fatalf("%q: redirected to %q", form, resp.Header.Get("Location"))
		case (resp.StatusCode == http.StatusSeeOther) != (after == before+1):
			t.Fatalf("%q: status %d but %d rows written", form, resp.StatusCode, after-before)
		}
	})
}
