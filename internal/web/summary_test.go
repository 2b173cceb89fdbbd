package web_test

import (
	"context"
	"oikos"
	"oikos/internal/referral"
	"strings"
	"testing"
	"time"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// fhirTaskText is the businessStatus text and lastModified of the Task
// that follows a FHIR referral.
func fhirTaskText(t *testing.T, f *fixture, srID string) (text, lastModified string) {
	t.Helper()
	res := f.fhir(auth.Referrer, "GET", "/fhir/Task?based-on=ServiceRequest/"+srID, "")
	b := mustFHIR(t, res, "Bundle")
	entries, _ := b["entry"].([]any)
	if len(entries) != 1 {
		t.Fatalf("task search: %s", res.body)
	}
	tk := entries[0].(map[string]any)["resource"].(map[string]any)
	bs, _ := tk["businessStatus"].(map[string]any)
	text, _ = bs["text"].(string)
	lastModified, _ = tk["lastModified"].(string)
	return text, lastModified
}

// TestClosingTheLoop: a referral from a GP system is connected to a
// walking group; its FHIR Task names the connection's state at each step;
// the referrer's pages show "connected to ...: attending" and nothing
// more; closing the referral completes the connection in the same
// transaction, and the GP summary (letter and Communication) carries the
// outcome, needs, sessions, change in measures and the SNOMED CT codes.
func TestClosingTheLoop(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		p := f.providers(t)
		res := f.fhir(auth.Referrer, "POST", "/fhir/ServiceRequest", fhirServiceRequest)
		if res.status != 201 {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		srID := mustFHIR(t, res, "ServiceRequest")["id"].(string)
		id := strings.ReplaceAll(srID, "-", "_")
		for _, step := range []string{`{"status":"accepted"}`, `{"user_id":"` + f.users[auth.LinkWorker].ID + `"}`} {
			path := "/api/v1/referrals/" + id + "/status"
			if strings.Contains(step, "user_id") {
				path = "/api/v1/referrals/" + id + "/assign"
			}
			if res := f.do(auth.LinkWorker, "POST", path, step); res.status != 200 {
				t.Fatalf("%s: %d %s", step, res.status, res.body)
			}
		}
		// The summary waits for the closure.
		if res := f.do(auth.LinkWorker, "GET", "/referrals/"+id+"/summary", ""); res.status != 409 || !strings.Contains(res.body, "still open") {
			t.Errorf("summary of an open referral: %d", res.status)
		}
		if res := f.fhir(auth.LinkWorker, "GET", "/fhir/Communication/"+srID, ""); res.status != 404 {
			t.Errorf("communication of an open referral: %d %s", res.status, res.body)
		}

		walk := f.connect(t, id, p.serviceA, "supported")
		choir := f.connect(t, id, p.serviceB, "active_signpost")
		text, first := fhirTaskText(t, f, srID)
		if text != "Accepted; connected to Riverside walk: waiting for an answer; connected to Community choir: waiting for an answer" || first == "" {
			t.Errorf("task after connecting: %q %q", text, first)
		}
		// As if sent a week ago, so that two sessions fit before today.
		if _, err := d.Exec(ctx, "UPDATE connections SET created_at = created_at - $1", int64(7*24*time.Hour/time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond) // a later lastModified
		if res := f.asToken(p.tokenA, "POST", "/api/v1/connections/"+walk+"/decision", `{"decision":"accepted"}`); res.status != 200 {
			t.Fatalf("accept: %d %s", res.status, res.body)
		}
		for _, day := range []time.Time{time.Now().AddDate(0, 0, -3), time.Now()} {
			body := `{"date":"` + day.Format(time.DateOnly) + `","attended":true}`
			if res := f.asToken(p.tokenA, "POST", "/api/v1/connections/"+walk+"/attendance", body); res.status != 200 {
				t.Fatalf("attendance: %d %s", res.status, res.body)
			}
		}
		if res := f.asToken(p.tokenA, "POST", "/api/v1/connections/"+walk+"/updates", `{"message":"Margaret brought cake."}`); res.status != 200 {
			t.Fatalf("update: %d %s", res.status, res.body)
		}
		text, later := fhirTaskText(t, f, srID)
		if !strings.Contains(text, "connected to Riverside walk: attending") || later <= first && later != first {
			t.Errorf("task after attending: %q %q (was %q)", text, later, first)
		}

		// The referrer sees the state, never the update or the note.
		for _, path := range []string{"/referrals/" + id, "/referrals/sent"} {
			res := f.do(auth.Referrer, "GET", path, "")
			if res.status != 200 || !strings.Contains(res.body, "Riverside walk: attending") || !strings.Contains(res.body, "Community choir: waiting for an answer") {
				t.Errorf("referrer's %s: %d", path, res.status)
			}
			if strings.Contains(res.body, "cake") {
				t.Errorf("referrer's %s shows the provider's update", path)
			}
		}
		// The link worker's caseload shows both and flags the choir,
		// unanswered for a week (five working days whatever today is).
		res = f.do(auth.LinkWorker, "GET", "/caseload", "")
		if !strings.Contains(res.body, "Riverside walk</a>: Attending") || !strings.Contains(res.body, "No answer after 5 working days") {
			t.Errorf("caseload: %s", res.body)
		}

		for _, m := range []string{`{"instrument":"ons4","timepoint":"baseline","answers":[4,5,3,7]}`, `{"instrument":"ons4","timepoint":"review","answers":[7,7,6,4]}`,
			`{"instrument":"ucla3","timepoint":"baseline","answers":[3,3,2]}`} {
			if res := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+id+"/measures", m); res.status != 201 {
				t.Fatalf("measure: %d %s", res.status, res.body)
			}
		}
		if res := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+id+"/status", `{"status":"closed","reason":"goals_met"}`); res.status != 200 {
			t.Fatalf("close: %d %s", res.status, res.body)
		}
		for cid, want := range map[string]string{walk: "completed", choir: "dropped"} {
			got := f.do(auth.Manager, "GET", "/api/v1/connections/"+cid, "").json(t)
			if got["status"] != want || got["reason"] != "referral closed" {
				t.Errorf("connection %s after closure: %v", cid, got)
			}
		}
		if kinds := f.outboxKinds(t, "choir@example.org"); kinds["connection_closed"] != 1 {
			t.Errorf("the choir was not told: %v", kinds)
		}
		// The providers see how it ended and why, and it leaves their queue.
		if res := f.asToken(p.tokenB, "GET", "/connections/"+choir, ""); !strings.Contains(res.body, "Did not start (referral closed)") {
			t.Errorf("the choir's page: %d %s", res.status, res.body)
		}
		if res := f.asToken(p.tokenA, "GET", "/connections/"+walk, ""); !strings.Contains(res.body, "Completed (referral closed)") {
			t.Errorf("the walk's page: %d", res.status)
		}
		if res := f.asToken(p.tokenB, "GET", "/connections", ""); strings.Contains(res.body, "/connections/"+choir) {
			t.Errorf("a closed connection is still in the choir's queue")
		}
		text, _ = fhirTaskText(t, f, srID)
		if text != "Closed: Goals met; connected to Riverside walk: completed; connected to Community choir: did not start" {
			t.Errorf("task after closure: %q", text)
		}

		// The letter, for the link worker and for the GP who referred.
		for _, role := range []auth.Role{auth.LinkWorker, auth.Referrer, auth.Manager} {
			res := f.do(role, "GET", "/referrals/"+id+"/summary", "")
			if res.status != 200 {
				t.Fatalf("%s's summary: %d %s", role, res.status, res.body)
			}
			// Codes only until the person chooses.
			for _, want := range []string{"871731000000106", "Referral to social prescribing service", "Goals met", "Margaret Hughes",
				"Codes only, until the person chooses"} {
				if !strings.Contains(res.body, want) {
					t.Errorf("%s's summary lacks %q", role, want)
				}
			}
			for _, private := range []string{"husband", "cake", "Riverside walk", "Life satisfaction"} {
				if strings.Contains(res.body, private) {
					t.Errorf("%s's summary shows %q", role, private)
				}
			}
			if strings.Contains(res.body, "UCLA") {
				t.Errorf("a measure with only a baseline is reported as a change")
			}
		}
		if res := f.asToken(f.otherLinkWorker(t), "GET", "/referrals/"+id+"/summary", ""); res.status != 404 {
			t.Errorf("another link worker reads the summary: %d", res.status)
		}
		for _, role := range []auth.Role{auth.Provider, auth.Commissioner, auth.Volunteer, auth.Admin} {
			if res := f.do(role, "GET", "/referrals/"+id+"/summary", ""); res.status != 404 && res.status != 403 {
				t.Errorf("%s reads the summary: %d", role, res.status)
			}
		}
		if res := f.do(auth.LinkWorker, "GET", "/referrals/"+id, ""); !strings.Contains(res.body, "/referrals/"+id+"/summary") {
			t.Errorf("no link to the summary on the closed referral's page")
		}

		// Codes only until the person chooses; then the summary in full.
		res = f.fhir(auth.Referrer, "GET", "/fhir/Communication/"+srID, "")
		if res.status != 200 || strings.Contains(res.body, "Riverside walk") || !strings.Contains(res.body, "as codes only") {
			t.Errorf("communication before the person chose: %d %s", res.status, res.body)
		}
		if _, err := referral.NewStore(d).SetGPShare(context.Background(), oikos.Actor{UserID: f.users[auth.LinkWorker].ID}, id, referral.GPShareFull); err != nil {
			t.Fatal(err)
		}
		for _, role := range []auth.Role{auth.LinkWorker, auth.Referrer, auth.Manager} {
			res := f.do(role, "GET", "/referrals/"+id+"/summary", "")
			for _, want := range []string{"871731000000106", "Goals met", "Loneliness", "Riverside walk", "completed", "Life satisfaction 4",
				"Life satisfaction 7", "Life satisfaction: better by 3", "The outcome summary in full"} {
				if !strings.Contains(res.body, want) {
					t.Errorf("%s's summary in full lacks %q", role, want)
				}
			}
			for _, private := range []string{"husband", "cake", "UCLA"} {
				if strings.Contains(res.body, private) {
					t.Errorf("%s's summary in full shows %q", role, private)
				}
			}
		}

		// The Communication, by id and by its ServiceRequest.
		res = f.fhir(auth.Referrer, "GET", "/fhir/Communication/"+srID, "")
		if res.status != 200 {
			t.Fatalf("communication: %d %s", res.status, res.body)
		}
		com := mustFHIR(t, res, "Communication")
		based, _ := com["basedOn"].([]any)
		subject, _ := com["subject"].(map[string]any)
		if com["status"] != "completed" || len(based) != 1 || based[0].(map[string]any)["reference"] != "ServiceRequest/"+srID || subject == nil ||
			!strings.Contains(res.body, `"system":"http://snomed.info/sct","code":"871731000000106"`) ||
			!strings.Contains(res.body, "Riverside walk (Riverside Walkers): completed, 2 sessions attended.") || strings.Contains(res.body, "husband") {
			t.Errorf("communication: %s", res.body)
		}
		res = f.fhir(auth.LinkWorker, "GET", "/fhir/Communication?based-on=ServiceRequest/"+srID, "")
		if b := mustFHIR(t, res, "Bundle"); b["total"] != float64(1) && !strings.Contains(res.body, `"total":1`) {
			t.Errorf("search: %s", res.body)
		}
		for _, role := range []auth.Role{auth.Provider, auth.Commissioner} {
			if res := f.fhir(role, "GET", "/fhir/Communication/"+srID, ""); res.status != 404 {
				t.Errorf("%s reads the communication: %d", role, res.status)
			}
		}
		mustOutcome(t, f.fhir(auth.Manager, "GET", "/fhir/Communication", ""), 400, "required", "")
	})
}

// TestSummaryDeclined: a person who declined is coded with the national
// code for it, and a referral made on the web form has no Communication.
func TestSummaryDeclined(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		id := acceptedReferral(t, f)
		if res := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+id+"/status", `{"status":"closed","reason":"declined"}`); res.status != 200 {
			t.Fatalf("close: %d %s", res.status, res.body)
		}
		res := f.do(auth.LinkWorker, "GET", "/referrals/"+id+"/summary", "")
		// Until the person chooses, the codes and the outcome only.
		for _, want := range []string{"871731000000106", "871711000000103", "Social prescribing declined", "Declined support",
			`id="codes-only"`, "has not chosen to share more", "Codes only, until the person chooses"} {
			if !strings.Contains(res.body, want) {
				t.Errorf("summary lacks %q", want)
			}
		}
		if strings.Contains(res.body, `id="activities"`) {
			t.Errorf("codes only, yet the summary has the activities")
		}
		// The link worker records the person's choice; the summary follows it.
		if res := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+id+"/gp-share", `{"gp_share":"full"}`); res.status != 200 {
			t.Fatalf("choose full: %d %s", res.status, res.body)
		}
		res = f.do(auth.LinkWorker, "GET", "/referrals/"+id+"/summary", "")
		for _, want := range []string{"871711000000103", "The outcome summary in full", "The person was not connected to a service."} {
			if !strings.Contains(res.body, want) {
				t.Errorf("summary in full lacks %q", want)
			}
		}
		if res := f.fhir(auth.LinkWorker, "GET", "/fhir/Communication/"+strings.ReplaceAll(id, "_", "-"), ""); res.status != 404 {
			t.Errorf("a web referral's communication: %d", res.status)
		}
	})
}
