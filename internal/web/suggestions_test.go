package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/directory"
)

// suggestionServices adds services around the person of referralBody
// (EX4 4QJ): a free befriending scheme, a garden club with a fee, and a
// walking group that will be declined. It returns their ids by name.
func suggestionServices(t testing.TB, f *fixture) map[string]string {
	t.Helper()
	ds := directory.NewStore(f.db)
	free, fee := int64(0), int64(250)
	ids := map[string]string{}
	for _, in := range []directory.Input{
		{Name: "Belmont befriending", Description: "A volunteer visits or calls every week.", Categories: []string{"befriending"}, Postcode: "EX4 4QJ",
			Schedule: []directory.Session{{Day: "tuesday", Opens: "10:00", Closes: "12:00"}}, CostPence: &free},
		{Name: "Exeter garden club", Description: "Gardening together on the community allotment.", Categories: []string{"hobbies_interests"},
			Postcode: "EX4 6PX", Schedule: []directory.Session{{Day: "thursday", Opens: "14:00", Closes: "16:00"}}, CostPence: &fee},
		{Name: "Riverside walk", Description: "A gentle led walk by the river.", Categories: []string{"walking_groups"}, Postcode: "EX4 3SR",
			Schedule: []directory.Session{{Day: "friday", Opens: "10:00", Closes: "11:00"}}, CostPence: &free},
	} {
		in.OrganisationID = f.orgID
		v, err := ds.Create(context.Background(), directory.Actor{UserID: "system"}, in)
		if err != nil {
			t.Fatal(err)
		}
		ids[in.Name] = v.ID
	}
	return ids
}

type suggestionsBody struct {
	NeedsFrom string `json:"needs_from"`
	Items     []struct {
		ID          string   `json:"id"`
		Name        string   `json:"name"`
		Reasons     []string `json:"reasons"`
		Suitable    bool     `json:"suitable"`
		Previously  string   `json:"previously"`
		DistanceKm  float64  `json:"distance_km"`
		WaitingList bool     `json:"waiting_list"`
	} `json:"items"`
	Unmet []struct {
		Need, Area string
		Found      int
	} `json:"unmet_needs"`
}

func TestSuggestionsAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ids := suggestionServices(t, f)
		id := acceptedReferral(t, f)
		path := "/api/v1/referrals/" + id + "/suggestions"
		if res := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+id+"/conversations", `{"held_at":"2026-01-12","mode":"phone",
			"needs":[{"code":"loneliness","priority":1},{"code":"money_worries","priority":2}],"what_matters":"Seeing people","interests":"gardening and birds"}`); res.status != 201 {
			t.Fatalf("conversation: %d %s", res.status, res.body)
		}
		// The walk was tried and declined.
		if _, err := d.Exec(context.Background(), `INSERT INTO connections (id, referral_id, service_id, organisation_id, kind, status, created_by, created_at, updated_at)
			VALUES ('con_test', $1, $2, $3, 'signpost', 'declined', 'system', $4, $4)`, id, ids["Riverside walk"], f.orgID, time.Now().UnixMilli()); err != nil {
			t.Fatal(err)
		}

		referralReads := auditCount(t, d, id, "referral", "read")
		res := f.do(auth.LinkWorker, "GET", path, "")
		var got suggestionsBody
		if res.status != 200 || json.Unmarshal([]byte(res.body), &got) != nil || got.NeedsFrom != "conversation" || len(got.Items) != 3 {
			t.Fatalf("suggestions: %d %s", res.status, res.body)
		}
		byName := map[string]int{}
		for i, it := range got.Items {
			byName[it.Name] = i
			if len(it.Reasons) == 0 || it.ID == "" {
				t.Errorf("%s without reasons or id: %+v", it.Name, it)
			}
		}
		befriending, garden, walk := got.Items[byName["Belmont befriending"]], got.Items[byName["Exeter garden club"]], got.Items[byName["Riverside walk"]]
		for _, want := range []string{"For loneliness", "Free", "Meets on Tuesdays", "0.1 km away"} {
			if !slices.Contains(befriending.Reasons, want) {
				t.Errorf("befriending: reasons %q lack %q", befriending.Reasons, want)
			}
		}
		if !slices.Contains(garden.Reasons, "Matches their interest in “gardening”") || !slices.Contains(garden.Reasons, "£2.50 a session") {
			t.Errorf("garden club: %q", garden.Reasons)
		}
		if walk.Previously != "declined" || walk.Suitable || !slices.Contains(walk.Reasons, "Referred before and declined: talk it over before suggesting it again") ||
			byName["Riverside walk"] != 2 {
			t.Errorf("declined walk: %+v at %d", walk, byName["Riverside walk"])
		}
		// Nothing for money worries in reach, and only two suitable for
		// loneliness: both recorded, once a day however often it is read.
		var unmet []string
		for _, u := range got.Unmet {
			unmet = append(unmet, u.Need+" "+u.Area)
		}
		if !slices.Equal(unmet, []string{"loneliness EX4", "money_worries EX4"}) {
			t.Errorf("unmet %+v", got.Unmet)
		}
		f.do(auth.Manager, "GET", path, "")
		if n := rowCount(t, d, "unmet_needs"); n != 2 {
			t.Errorf("%d unmet need rows, want 2", n)
		}
		if n := auditCount(t, d, id, "referral.suggestions", "read"); n != 2 {
			t.Errorf("%d suggestion reads audited", n)
		}
		// Each read of the suggestions also audits the read of the referral
		// (in the same transaction).
		if n := auditCount(t, d, id, "referral", "read"); n != referralReads+2 {
			t.Errorf("%d referral reads audited after two suggestion reads, want %d", n, referralReads+2)
		}

		// Preferences: defaults, saved, read back, then followed.
		prefs := "/api/v1/referrals/" + id + "/preferences"
		if res := f.do(auth.LinkWorker, "GET", prefs, ""); res.status != 200 || !strings.Contains(res.body, `"max_km":5`) || !strings.Contains(res.body, `"set":false`) {
			t.Errorf("default preferences: %d %s", res.status, res.body)
		}
		res = f.do(auth.LinkWorker, "PUT", prefs, `{"days":["thursday"],"times":["afternoon"],"max_km":3,"max_cost_pence":300,"accessibility":[]}`)
		if res.status != 200 || !strings.Contains(res.body, `"days":["thursday"]`) || !strings.Contains(res.body, `"set":true`) {
			t.Fatalf("save preferences: %d %s", res.status, res.body)
		}
		if res := f.do(auth.LinkWorker, "GET", prefs, ""); res.status != 200 || !strings.Contains(res.body, `"max_cost_pence":300`) {
			t.Errorf("read back: %d %s", res.status, res.body)
		}
		json.Unmarshal([]byte(f.do(auth.LinkWorker, "GET", path, "").body), &got)
		if got.Items[0].Name != "Exeter garden club" || !slices.Contains(got.Items[0].Reasons, "Meets on Thursdays, 14:00 to 16:00, when they are free") {
			t.Errorf("after preferences: %+v", got.Items[0])
		}
		for what, tc := range map[string]struct{ body, field string }{
			"unknown day":    {`{"days":["monday","caturday"]}`, "days[1]"},
			"unknown time":   {`{"times":["night"]}`, "times[0]"},
			"too far":        {`{"max_km":500}`, "max_km"},
			"no distance":    {`{"max_km":0}`, "max_km"},
			"negative cost":  {`{"max_cost_pence":-1}`, "max_cost_pence"},
			"unknown access": {`{"accessibility":["lift"]}`, "accessibility[0]"},
		} {
			wantFields(t, what, f.do(auth.LinkWorker, "PUT", prefs, tc.body), tc.field)
		}
		for _, body := range []string{`{"days":"monday"}`, `{"max_km":"5"}`, `{"extra":1}`, `[]`, ``} {
			if res := f.do(auth.LinkWorker, "PUT", prefs, body); res.status != 400 {
				t.Errorf("%s: %d, want 400", body, res.status)
			}
		}

		// Nobody else sees any of it, not even that it exists, and a refused
		// read is no read.
		suggestionReads, referralReads := auditCount(t, d, id, "referral.suggestions", "read"), auditCount(t, d, id, "referral", "read")
		other := f.otherLinkWorker(t)
		for _, tc := range []struct{ method, path, body string }{{"GET", path, ""}, {"GET", prefs, ""}, {"PUT", prefs, `{}`}} {
			for _, role := range []auth.Role{auth.Referrer, auth.Provider, auth.Volunteer, auth.Commissioner, auth.Admin} {
				if res := f.do(role, tc.method, tc.path, tc.body); res.status != 404 {
					t.Errorf("%s %s as %s: %d, want 404", tc.method, tc.path, role, res.status)
				}
			}
			if res := f.asToken(other, tc.method, tc.path, tc.body); res.status != 404 {
				t.Errorf("%s %s as another link worker: %d", tc.method, tc.path, res.status)
			}
		}
		if res := f.do(auth.LinkWorker, "GET", "/api/v1/referrals/ref_nobody/suggestions", ""); res.status != 404 {
			t.Errorf("unknown referral: %d", res.status)
		}
		if n := auditCount(t, d, id, "referral.suggestions", "read"); n != suggestionReads {
			t.Errorf("refused reads audited as suggestion reads: %d, want %d", n, suggestionReads)
		}
		if n := auditCount(t, d, id, "referral", "read"); n != referralReads {
			t.Errorf("refused reads audited as referral reads: %d, want %d", n, referralReads)
		}
	})
}

// linkWorkerBrowser is the fixture's link worker signed in, past two-factor
// set-up, which the sign-in tests cover.
func linkWorkerBrowser(t testing.TB, f *fixture) *browser {
	t.Helper()
	token, err := f.auth.StartSession(context.Background(), f.users[auth.LinkWorker].ID, auth.StageFull, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	b := f.browser()
	u, _ := url.Parse(f.ts.URL)
	b.client.Jar.SetCookies(u, []*http.Cookie{{Name: "oikos_session", Value: token}})
	return b
}

func TestSuggestionsPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		suggestionServices(t, f)
		id := acceptedReferral(t, f)
		lw := linkWorkerBrowser(t, f)
		if res := lw.get("/referrals/" + id); res.status != 200 || !strings.Contains(res.body, `href="/referrals/`+id+`/suggestions">Find activities and services`) {
			t.Errorf("referral page link: %d", res.status)
		}
		page := "/referrals/" + id + "/suggestions"
		referralReads, suggestionReads := auditCount(t, d, id, "referral", "read"), auditCount(t, d, id, "referral.suggestions", "read")
		res := lw.get(page)
		if auditCount(t, d, id, "referral", "read") != referralReads+1 || auditCount(t, d, id, "referral.suggestions", "read") != suggestionReads+1 {
			t.Errorf("the page's read of the referral and of its suggestions not each audited once")
		}
		for _, want := range []string{"Find activities and services", "Belmont befriending", "For loneliness and low mood", "0.1 km away",
			"From the reasons for referral", "These are the defaults", "Save what suits them", `name="max_km"`} {
			if !strings.Contains(res.body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		if res.status != 200 || strings.Contains(res.body, "<script>") || strings.Contains(res.body, "style=") {
			t.Errorf("page: %d", res.status)
		}

		// Problems named on the form, nothing saved.
		res = lw.post(page+"/preferences", url.Values{"max_km": {"far"}, "max_cost": {"a fiver"}, "days": {"monday", "caturday"}})
		if res.status != 422 || !strings.Contains(res.body, `href="#max_km"`) || !strings.Contains(res.body, `href="#max_cost"`) ||
			!strings.Contains(res.body, `href="#days"`) || !strings.Contains(res.body, `value="far"`) {
			t.Errorf("bad form: %d", res.status)
		}
		res = lw.post(page+"/preferences", url.Values{"max_km": {"2.5"}, "max_cost": {"£3"}, "days": {"tuesday", "friday"}, "times": {"morning"},
			"accessibility": {"step_free"}})
		if res.status != 303 || res.header.Get("Location") != page+"?saved=1" {
			t.Fatalf("save: %d %s", res.status, res.body)
		}
		res = lw.get(page + "?saved=1")
		for _, want := range []string{"What suits them is saved", "Up to 2.5 km", "Tuesdays, Fridays, mornings", "Up to £3 a session",
			"Step-free or wheelchair access", "Meets on Tuesdays, 10:00 to 12:00, when they are free", `value="3"`, `id="days-friday" name="days" type="checkbox" value="friday" checked`} {
			if !strings.Contains(res.body, want) {
				t.Errorf("saved page lacks %q", want)
			}
		}

		// A referrer's browser does not find the page.
		if res := f.do(auth.Referrer, "GET", page, ""); res.status != 404 {
			t.Errorf("referrer: %d", res.status)
		}
	})
}

// FuzzPreferencesBody sends anything as preferences: a 4xx naming the
// field or preferences that read back, never a 5xx.
func FuzzPreferencesBody(f *testing.F) {
	fuzzPutReadsBack(f, "preferences",
		`{"days":["tuesday","friday"],"times":["morning"],"max_km":3,"max_cost_pence":500,"accessibility":["step_free"]}`,
		`{"days":["Tuesday","tuesday",""],"max_km":0.04,"max_cost_pence":null}`,
		`{"times":["night"],"max_km":-1,"max_cost_pence":-5,"accessibility":["lift"]}`,
		`{"max_km":1e400}`,
		`{"days":[null]}`)
}

// FuzzPreferencesForm posts anything as the preferences form: the page
// with the problem named, or a redirect, never a 5xx.
func FuzzPreferencesForm(f *testing.F) {
	f.Add("max_km=5&days=tuesday&times=morning&max_cost=3.50&accessibility=step_free")
	f.Add("max_km=far&max_cost=%C2%A3&days=caturday&times=night&accessibility=lift")
	f.Add("max_km=-0&max_cost=.&days=&days=monday&days=monday")
	f.Add("max_km=1e309&max_cost=99999999.99")
	fx, id, lw := caseworkFuzzFixture(f)
	f.Fuzz(func(t *testing.T, form string) {
		fx.t = t
		values, err := url.ParseQuery(form)
		if err != nil {
			return
		}
		res := lw.post("/referrals/"+id+"/suggestions/preferences", values)
		if res.status != 303 && res.status != 422 && res.status != 400 {
			t.Fatalf("status %d for %q", res.status, form)
		}
		if res.status == 422 && !strings.Contains(res.body, "There is a problem") {
			t.Fatalf("422 without the problem named, for %q", form)
		}
	})
}

// TestSuggestionsPageSendsAConnection sends a connection from a card on
// the suggestions page, as a link worker would: the card leads to a form
// that offers each kind
// of connection, says how long the note may be, and what it sends is
// taken.
func TestSuggestionsPageSendsAConnection(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		id := acceptedReferral(t, f)
		services := suggestionServices(t, f)
		lw := f.browser()
		enrol(t, lw, "link_worker@example.org")
		res := lw.get("/referrals/" + id + "/suggestions")
		if res.status != 200 {
			t.Fatalf("page: %d", res.status)
		}
		if strings.Contains(res.body, "%!") {
			t.Errorf("a value is missing from the page: %s", res.body[strings.Index(res.body, "%!"):][:40])
		}
		svc := services["Belmont befriending"]
		link := "/referrals/" + id + "/connections/new?service_id=" + svc
		if !strings.Contains(res.body, `href="`+link+`"`) {
			t.Fatalf("the card does not lead to its send form")
		}
		res = lw.get(link)
		form := res.body[strings.Index(res.body, `<input type="hidden" name="service_id" value="`+svc+`">`):]
		form = form[:strings.Index(form, "</form>")]
		for _, want := range []string{`name="kind" type="radio" value="signpost"`, `value="active_signpost"`, `value="supported"`,
			"Up to 500 characters", `name="note"`} {
			if !strings.Contains(form, want) {
				t.Errorf("the card's form lacks %s", want)
			}
		}
		sent := lw.post("/referrals/"+id+"/connections", url.Values{"service_id": {svc}, "kind": {"active_signpost"}, "note": {"Tuesdays suit her."}})
		if sent.status != http.StatusSeeOther || !strings.Contains(sent.header.Get("Location"), "done=connection") {
			t.Fatalf("send: %d %s", sent.status, sent.header.Get("Location"))
		}
		list := f.do(auth.LinkWorker, "GET", "/api/v1/referrals/"+id+"/connections", "")
		if list.status != 200 || !strings.Contains(list.body, svc) || !strings.Contains(list.body, "active_signpost") {
			t.Errorf("connections: %d %s", list.status, list.body)
		}
	})
}
