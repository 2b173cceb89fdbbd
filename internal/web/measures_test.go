package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// asToken sends an API request with a bearer token of a user the fixture
// does not hold.
func (f *fixture) asToken(token, method, path, body string) response {
	f.t.Helper()
	req, _ := http.NewRequest(method, f.ts.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	return f.send(http.DefaultTransport, req)
}

// otherLinkWorker is a link worker in the same scheme to whom nothing is
// assigned; it returns their API token.
func (f *fixture) otherLinkWorker(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	u, err := f.auth.CreateUser(ctx, auth.Actor{UserID: "system"}, auth.UserInput{Email: "second.worker@example.org", Name: "Second Worker",
		Role: auth.LinkWorker, OrganisationID: f.orgID}, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := f.auth.CreateToken(ctx, auth.Actor{UserID: "system"}, u.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func TestMeasuresAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		id := acceptedReferral(t, f)
		path := "/api/v1/referrals/" + id + "/measures"

		// 201 with exactly the contract's {id, score}.
		res := f.do(auth.LinkWorker, "POST", path, `{"instrument":"ons4","timepoint":"baseline","answers":[4,5,3,7]}`)
		var rec map[string]json.RawMessage
		if res.status != 201 || json.Unmarshal([]byte(res.body), &rec) != nil || len(rec) != 2 || rec["id"] == nil {
			t.Fatalf("ons4: %d %s", res.status, res.body)
		}
		if got := string(rec["score"]); got != `{"anxiety":7,"happiness":3,"life_satisfaction":4,"worthwhile":5}` {
			t.Errorf("ons4 score %s", got)
		}
		for body, score := range map[string]string{
			`{"instrument":"swemwbs","timepoint":"baseline","answers":[3,3,3,3,3,3,3]}`: `{"id":"msr_","score":{"metric":19.25,"raw":21}}`,
			`{"instrument":"ucla3","timepoint":"baseline","answers":[3,2,3]}`:           `{"id":"msr_","score":{"total":8}}`,
			`{"instrument":"loneliness_direct","timepoint":"baseline","answers":[2]}`:   `{"id":"msr_","score":{"loneliness":2}}`,
			`{"instrument":"friends","timepoint":"baseline","answers":[0]}`:             `{"id":"msr_","score":{"close_friends":0}}`,
			`{"instrument":"gp_appointments","timepoint":"baseline","answers":[6]}`:     `{"id":"msr_","score":{"appointments":6}}`,
			`{"instrument":"ons4","timepoint":"review","answers":[6,6,5,4]}`:            `{"id":"msr_","score":{"anxiety":4,"happiness":5,"life_satisfaction":6,"worthwhile":6}}`,
		} {
			res := f.do(auth.LinkWorker, "POST", path, body)
			got := regexp.MustCompile(`"msr_[a-z2-7]+"`).ReplaceAllString(strings.TrimSpace(res.body), `"msr_"`)
			if res.status != 201 || got != score || res.header.Get("Location") != path {
				t.Errorf("%s: %d %s", body, res.status, res.body)
			}
		}
		// A manager records too.
		if res := f.do(auth.Manager, "POST", path, `{"instrument":"swemwbs","timepoint":"exit","answers":[5,5,5,5,5,5,5]}`); res.status != 201 ||
			!strings.Contains(res.body, `"score":{"metric":35,"raw":35}`) {
			t.Errorf("manager's exit: %d %s", res.status, res.body)
		}

		// Bad input: 422 naming the field, nothing written.
		for what, tc := range map[string]struct{ body, field string }{
			"too few answers":        {`{"instrument":"ons4","timepoint":"review","answers":[1,2,3]}`, "answers"},
			"too many answers":       {`{"instrument":"friends","timepoint":"review","answers":[1,2]}`, "answers"},
			"no answers":             {`{"instrument":"ucla3","timepoint":"review"}`, "answers"},
			"out of range":           {`{"instrument":"swemwbs","timepoint":"review","answers":[1,2,3,4,5,6,1]}`, "answers[5]"},
			"below range":            {`{"instrument":"ucla3","timepoint":"review","answers":[0,2,3]}`, "answers[0]"},
			"not whole":              {`{"instrument":"ons4","timepoint":"review","answers":[1,2,3.5,4]}`, "answers[2]"},
			"too many friends":       {`{"instrument":"friends","timepoint":"review","answers":[101]}`, "answers[0]"},
			"unknown instrument":     {`{"instrument":"phq9","timepoint":"baseline","answers":[1]}`, "instrument"},
			"no instrument":          {`{"timepoint":"baseline","answers":[1]}`, "instrument"},
			"unknown timepoint":      {`{"instrument":"friends","timepoint":"midway","answers":[1]}`, "timepoint"},
			"second baseline":        {`{"instrument":"friends","timepoint":"baseline","answers":[1]}`, "timepoint"},
			"review before baseline": {`{"instrument":"ucla3","timepoint":"review","answers":[1,1,1]}`, "timepoint"},
		} {
			if what == "review before baseline" {
				// A fresh referral has no baselines at all.
				res := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+acceptedReferral(t, f)+"/measures", tc.body)
				wantFields(t, what, res, tc.field)
				continue
			}
			wantFields(t, what, f.do(auth.LinkWorker, "POST", path, tc.body), tc.field)
		}
		for _, body := range []string{`{"instrument":"ons4","timepoint":"review","answers":["7",1,1,1]}`, `{"instrument":"ons4","answers":[1,2,3,4],"extra":1}`, `[1,2]`, ``} {
			if res := f.do(auth.LinkWorker, "POST", path, body); res.status != 400 {
				t.Errorf("%s: %d, want 400", body, res.status)
			}
		}

		// The list, oldest first, each scored.
		res = f.do(auth.LinkWorker, "GET", path, "")
		var list struct {
			Items []struct {
				Instrument, Timepoint string
				Answers               []int
				Score                 map[string]float64
				By                    string
			}
			Total int
		}
		if res.status != 200 || json.Unmarshal([]byte(res.body), &list) != nil || list.Total != 8 || len(list.Items) != 8 {
			t.Fatalf("list: %d %s", res.status, res.body)
		}
		if first := list.Items[0]; first.Instrument != "ons4" || first.Timepoint != "baseline" || first.Score["anxiety"] != 7 ||
			first.By != f.users[auth.LinkWorker].ID || len(first.Answers) != 4 {
			t.Errorf("first: %+v", first)
		}
		if got := auditCount(t, d, id, "referral.measures", "create"); got != 8 {
			t.Errorf("audited creates: %d", got)
		}
		if got := auditCount(t, d, id, "referral.measures", "read"); got != 1 {
			t.Errorf("audited reads: %d", got)
		}

		// Who may not: everyone but the link worker it is assigned to and
		// managers, each answered as if there were nothing there.
		other := f.otherLinkWorker(t)
		for _, method := range []string{"GET", "POST"} {
			body := `{"instrument":"friends","timepoint":"review","answers":[3]}`
			for _, role := range []auth.Role{auth.Referrer, auth.Provider, auth.Volunteer, auth.Commissioner, auth.Admin} {
				if res := f.do(role, method, path, body); res.status != 404 {
					t.Errorf("%s %s: %d", role, method, res.status)
				}
			}
			if res := f.asToken(other, method, path, body); res.status != 404 {
				t.Errorf("another link worker %s: %d %s", method, res.status, res.body)
			}
			if res := f.do(auth.LinkWorker, method, "/api/v1/referrals/ref_nobody/measures", body); res.status != 404 {
				t.Errorf("no such referral %s: %d", method, res.status)
			}
		}
		if res := f.do("", "GET", path, ""); res.status != 401 {
			t.Errorf("anonymous: %d", res.status)
		}

		// Closed: the record stays as it was.
		if res := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+id+"/status", `{"status":"closed","reason":"goals_met"}`); res.status != 200 {
			t.Fatalf("close: %d %s", res.status, res.body)
		}
		if res := f.do(auth.LinkWorker, "POST", path, `{"instrument":"friends","timepoint":"exit","answers":[3]}`); res.status != 409 {
			t.Errorf("closed: %d %s", res.status, res.body)
		}
		if got := auditCount(t, d, id, "referral.measures", "create"); got != 8 {
			t.Errorf("refusals written: %d creates", got)
		}
	})
}

func TestMeasurePages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		id := acceptedReferral(t, f)
		page := "/referrals/" + id + "/measures"
		lw := f.browser()
		enrol(t, lw, "link_worker@example.org")

		res := lw.get(page)
		if res.status != 200 || !strings.Contains(res.body, "No measures recorded yet") || !strings.Contains(res.body, `href="`+page+`/new?instrument=swemwbs"`) {
			t.Fatalf("empty measures page: %d\n%s", res.status, res.body)
		}
		if res := lw.get("/referrals/" + id); !strings.Contains(res.body, `href="`+page+`"`) {
			t.Errorf("the referral page does not link to its measures")
		}

		// Choosing a questionnaire.
		if res := lw.get(page + "/new"); res.status != 200 || !strings.Contains(res.body, `id="instrument" name="instrument" type="radio" value="ons4"`) {
			t.Errorf("chooser: %d\n%s", res.status, res.body)
		}
		if res := lw.get(page + "/new?instrument=phq9"); res.status != 422 || !strings.Contains(res.body, `href="#instrument"`) {
			t.Errorf("unknown questionnaire: %d", res.status)
		}

		// ONS4: the ONS's wording, every point a radio, the ends in words,
		// baseline chosen to start with.
		res = lw.get(page + "/new?instrument=ons4")
		for _, want := range []string{"Overall, how satisfied are you with your life nowadays?", "where 0 is &#39;not at all&#39; and 10 is &#39;completely&#39;",
			`id="answer-3" name="answer-3" type="radio" value="0"`, "0 – Not at all anxious", "10 – Completely anxious",
			`id="answer-0-11" name="answer-0" type="radio" value="10"`, `name="timepoint" type="radio" value="baseline" checked`,
			`<input type="hidden" name="instrument" value="ons4">`} {
			if res.status != 200 || !strings.Contains(res.body, want) {
				t.Errorf("ons4 form lacks %s (status %d)", want, res.status)
			}
		}
		// Unanswered questions are named in the summary; answers given stay.
		res = lw.post(page+"/new", url.Values{"instrument": {"ons4"}, "timepoint": {"baseline"}, "answer-0": {"7"}, "answer-2": {"11"}})
		for _, want := range []string{`href="#answer-1"`, `href="#answer-2"`, `href="#answer-3"`,
			"Choose an answer for &#34;Overall, how anxious did you feel yesterday?&#34;", `name="answer-0" type="radio" value="7" checked`} {
			if res.status != 422 || !strings.Contains(res.body, want) {
				t.Errorf("refused ons4 lacks %s (status %d)", want, res.status)
			}
		}
		if strings.Contains(res.body, `href="#answer-0"`) {
			t.Error("a given answer is reported as a problem")
		}
		res = lw.post(page+"/new", url.Values{"instrument": {"ons4"}, "timepoint": {"baseline"}, "answer-0": {"7"}, "answer-1": {"8"}, "answer-2": {"6"}, "answer-3": {"3"}})
		if res.status != http.StatusSeeOther || res.header.Get("Location") != page+"?done=ons4#ons4" {
			t.Fatalf("ons4: %d %q %s", res.status, res.header.Get("Location"), res.body)
		}

		// A review before a baseline is refused on the timepoint.
		res = lw.post(page+"/new", url.Values{"instrument": {"ucla3"}, "timepoint": {"review"}, "answer-0": {"1"}, "answer-1": {"2"}, "answer-2": {"3"}})
		if res.status != 422 || !strings.Contains(res.body, `href="#timepoint"`) || !strings.Contains(res.body, "Record a baseline of UCLA") {
			t.Errorf("review before baseline: %d", res.status)
		}
		// The UCLA form words its answers as the ONS does.
		if res := lw.get(page + "/new?instrument=ucla3"); !strings.Contains(res.body, ">Hardly ever or never</label>") ||
			!strings.Contains(res.body, "please say how often (if at all) you feel that way") {
			t.Errorf("ucla3 form:\n%s", res.body)
		}
		// SWEMWBS carries its notice.
		if res := lw.get(page + "/new?instrument=swemwbs"); !strings.Contains(res.body, "© NHS Health Scotland, University of Warwick and University of Edinburgh, 2008") ||
			!strings.Contains(res.body, ">None of the time</label>") {
			t.Errorf("swemwbs form lacks its wording or notice")
		}
		// Counts are typed; words are refused by name.
		res = lw.get(page + "/new?instrument=friends")
		if !strings.Contains(res.body, `<input class="nhsuk-input" id="answer-0" name="answer-0" type="text"`) {
			t.Errorf("friends form:\n%s", res.body)
		}
		res = lw.post(page+"/new", url.Values{"instrument": {"friends"}, "timepoint": {"baseline"}, "answer-0": {"three"}})
		if res.status != 422 || !strings.Contains(res.body, `href="#answer-0"`) || !strings.Contains(res.body, "Enter a whole number from 0 to 100") ||
			!strings.Contains(res.body, `value="three"`) {
			t.Errorf("friends in words: %d", res.status)
		}
		if res := lw.post(page+"/new", url.Values{"instrument": {"friends"}, "timepoint": {"baseline"}, "answer-0": {" 2 "}}); res.status != http.StatusSeeOther {
			t.Errorf("friends: %d %s", res.status, res.body)
		}
		if res := lw.post(page+"/new", url.Values{"instrument": {"nope"}}); res.status != 422 || !strings.Contains(res.body, `href="#instrument"`) {
			t.Errorf("unknown questionnaire posted: %d", res.status)
		}

		// Over time, compared with the start.
		if res := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+id+"/measures", `{"instrument":"ons4","timepoint":"review","answers":[8,8,6,1]}`); res.status != 201 {
			t.Fatal(res.body)
		}
		res = lw.get(page + "?done=ons4")
		for _, want := range []string{"ONS personal wellbeing (ONS4) recorded.", `<h2 id="ons4">`, "At the start", "At a review",
			"Improved", "Life satisfaction: better by 1; Anxiety: better by 2", `<h2 id="friends">`, "Next reviews"} {
			if res.status != 200 || !strings.Contains(res.body, want) {
				t.Errorf("measures page lacks %s (status %d)", want, res.status)
			}
		}
		if strings.Contains(res.body, "A review is due") {
			t.Error("a review due the day the baseline is taken")
		}

		// A baseline taken 13 weeks ago: its review is due.
		if _, err := d.Exec(context.Background(), `INSERT INTO measures (id, referral_id, instrument, timepoint, answers, score, recorded_at, by_actor)
			VALUES ('msr_old', $1, 'ucla3', 'baseline', '[3,3,2]', '{}', $2, 'usr_x')`, id, time.Now().Add(-13*7*24*time.Hour).UnixMilli()); err != nil {
			t.Fatal(err)
		}
		res = lw.get(page)
		if !strings.Contains(res.body, "A review is due") || !strings.Contains(res.body, `<a href="`+page+`/new?instrument=ucla3">Record a review of UCLA three-item loneliness scale</a>`) ||
			!strings.Contains(res.body, "<td class=\"nhsuk-table__cell\">8</td>") {
			t.Errorf("review due:\n%s", res.body)
		}
		// The caseload says so too, with a link to the measures.
		if res := lw.get("/caseload"); !strings.Contains(res.body, `<a href="`+page+`">Review of measures due</a>`) {
			t.Errorf("caseload without the review due:\n%s", res.body)
		}
		if res := lw.get(page + "/new?instrument=ucla3"); !strings.Contains(res.body, `value="review" checked`) {
			t.Error("after a baseline the form does not start at a review")
		}

		// The referrer made the referral but never sees measures.
		gp := f.browser()
		enrol(t, gp, "referrer@example.org")
		for _, p := range []string{page, page + "/new?instrument=ons4"} {
			if res := gp.get(p); res.status != 404 {
				t.Errorf("referrer %s: %d", p, res.status)
			}
		}
		if res := gp.get("/referrals/" + id); strings.Contains(res.body, page) {
			t.Error("the referrer is shown the link to measures")
		}

		// Closed: shown, not offered.
		if res := lw.post("/referrals/"+id+"/status", url.Values{"status": {"closed"}, "reason": {"goals_met"}}); res.status != http.StatusSeeOther {
			t.Fatalf("close: %d", res.status)
		}
		res = lw.get(page)
		if res.status != 200 || strings.Contains(res.body, "/measures/new") || strings.Contains(res.body, "A review is due") || !strings.Contains(res.body, "The referral is closed") {
			t.Errorf("closed measures page:\n%s", res.body)
		}
		if res := lw.get(page + "/new?instrument=ons4"); res.status != 409 {
			t.Errorf("form on a closed referral: %d", res.status)
		}
	})
}

// FuzzMeasureBody sends anything as a measure: a 4xx naming the field, or
// a measure stored; never a 5xx, never a refusal that writes.
func FuzzMeasureBody(f *testing.F) {
	f.Add(`{"instrument":"ons4","timepoint":"baseline","answers":[4,5,3,7]}`)
	f.Add(`{"instrument":"swemwbs","timepoint":"review","answers":[1,2,3,4,5,5,1]}`)
	f.Add(`{"instrument":"ucla3","timepoint":"exit","answers":[1,2,3.0000001]}`)
	f.Add(`{"instrument":"friends","timepoint":"baseline","answers":[1e308]}`)
	f.Add(`{"instrument":"gp_appointments","timepoint":"baseline","answers":[-0]}`)
	f.Add(`{"instrument":null,"timepoint":1,"answers":{}}`)
	f.Add(`{"instrument":"loneliness_direct","timepoint":"baseline","answers":[1e400]}`)
	fx, id, _ := caseworkFuzzFixture(f)
	f.Fuzz(func(t *testing.T, body string) {
		fx.t = t
		before := rowCount(t, fx.db, "measures")
		res := fx.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+id+"/measures", body)
		checkRefusal(t, res)
		if after := rowCount(t, fx.db, "measures"); (res.status == 201) != (after == before+1) {
			t.Fatalf("status %d but %d rows written", res.status, after-before)
		}
	})
}

// FuzzMeasureForm posts anything as the measure form: a page naming the
// problem or a measure saved, never a 5xx.
func FuzzMeasureForm(f *testing.F) {
	f.Add("instrument=ons4&timepoint=baseline&answer-0=1&answer-1=2&answer-2=3&answer-3=4")
	f.Add("instrument=friends&timepoint=review&answer-0=%2B3")
	f.Add("instrument=swemwbs&timepoint=baseline&answer-0=9999999999999999999999&answer-6=-1")
	f.Add("instrument=ucla3&answer-0=1&answer-0=2&timepoint=exit")
	f.Add("instrument=&timepoint=%00")
	f.Add("%zz")
	fx, id, lw := caseworkFuzzFixture(f)
	f.Fuzz(func(t *testing.T, form string) {
		fx.t = t
		req, _ := http.NewRequest(http.MethodPost, fx.ts.URL+"/referrals/"+id+"/measures/new", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", fx.ts.URL)
		resp, err := lw.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		switch {
		case resp.StatusCode >= 500:
			t.Fatalf("%q: status %d", form, resp.StatusCode)
		case resp.StatusCode == http.StatusSeeOther && !strings.HasPrefix(resp.Header.Get("Location"), "/referrals/"+id+"/measures?done="):
			t.Fatalf("%q: redirected to %q", form, resp.Header.Get("Location"))
		}
	})
}
