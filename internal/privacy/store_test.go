package privacy_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/casework"
	"oikos/internal/connection"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/portal"
	"oikos/internal/privacy"
	"oikos/internal/referral"
	"oikos/internal/report"
)

func TestExportHoldsEverything(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		store := privacy.NewStore(d)
		must(store.Restrict(ctx, manager, w.personID, true, "Asked by phone while they check their record"))(t)
		must(store.Restrict(ctx, manager, w.personID, false, "Checked and found right"))(t)

		start := time.Now()
		x, err := store.Export(ctx, worker, w.personID)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("export of the fullest person: %s", time.Since(start))
		p := x.Person
		if p.GivenName != "Zephyrine" || p.FamilyName != "Quillfeather" || p.DateOfBirth != "1951-03-14" || p.NHSNumber != "9434765919" ||
			p.Postcode != "EX4 6PX" || p.Phone != "07700 900461" || p.Email != "zeph.q@example.org" || p.AgeBand == "" || p.ErasedAt != nil {
			t.Errorf("person %+v", p)
		}
		if len(x.Referrals) != 1 {
			t.Fatalf("%d referrals", len(x.Referrals))
		}
		r := x.Referrals[0]
		conns := r.Connections
		if len(conns) != 2 {
			t.Fatalf("%d connections", len(conns))
		}
		var feedback bool
		for _, e := range conns[0].History {
			feedback = feedback || strings.Contains(e.Text, "SECRET-FEEDBACK") && strings.Contains(e.By, "Pat Provider")
		}
		checks := map[string]bool{
			"referral notes and referrer": r.Notes == "SECRET-NOTES" && r.ReferrerName == "SECRET-REFERRER" && r.Status == "closed",
			"reason text":                 r.ReasonText == "SECRET-REASON",
			"history":                     len(r.History) >= 4 && r.History[len(r.History)-1].Reason == "goals_met",
			"reopening in the history": slices.ContainsFunc(r.History, func(e privacy.Event) bool {
				return e.FromStatus == "closed" && e.ToStatus == "accepted" && strings.HasPrefix(e.Reason, "SECRET-REOPEN")
			}),
			"interpreter, access needs and next of kin": p.InterpreterLanguage == "SECRET-LANGUAGE" && slices.Equal(p.AccessNeeds, []string{"SECRET-ACCESS"}) &&
				p.NextOfKin == referral.NextOfKin{Name: "SECRET-KIN", Relationship: "SECRET-RELATION", Phone: "07700 900999"},
			"assignment":               strings.Contains(r.AssignedTo, "Lee Worker"),
			"contacts":                 len(r.Contacts) == 1 && r.Contacts[0].Note == "SECRET-CONTACT" && strings.Contains(r.Contacts[0].By, "Lee Worker"),
			"conversations":            len(r.Conversations) == 1 && r.Conversations[0].WhatMatters == "SECRET-MATTERS" && r.Conversations[0].Needs[0].Label != "",
			"plan":                     r.Plan != nil && r.Plan.Goals[0].Text == "SECRET-GOAL" && r.Plan.Goals[0].Steps[0].Text == "SECRET-STEP",
			"measures and scores":      len(r.Measures) == 2 && len(r.Measures[1].Score) > 0 && len(r.Measures[1].Answers) == 3,
			"connection details":       conns[0].NoteForProvider == "SECRET-FORPROVIDER" && conns[0].SharedContact.Phone == "07700 900461",
			"attendance":               len(conns[0].Attendance) == 1 && conns[0].Attendance[0].Attended,
			"provider feedback":        feedback,
			"declined with its reason": conns[1].Status == "declined" && conns[1].Reason == "SECRET-DECLINE",
			"reminders written":        len(conns[0].Reminders) == 1 && conns[0].Reminders[0].Channel == "sms",
			"preferences":              r.Preferences != nil && slices.Equal(r.Preferences.Days, []string{"tuesday"}),
			"unmet needs":              len(r.UnmetNeeds) == 1 && r.UnmetNeeds[0].Area == "EX4",
			"budget and its ledger": r.Budget != nil && r.Budget.Purpose == "SECRET-PURPOSE" && len(r.Budget.Entries) == 4 &&
				r.Budget.Entries[1].Description == "SECRET-PURCHASE" && r.Budget.Entries[2].Decision != nil &&
				r.Budget.Entries[2].Decision.Reason == "SECRET-REFUSAL" && strings.Contains(r.Budget.Entries[2].Decision.By, "Morgan") &&
				r.Budget.Entries[3].Kind == "reversal" && r.Budget.Entries[3].Reason == "SECRET-REVERSAL",
			"reminder choice":           x.Reminders != nil && x.Reminders.Channel == "sms",
			"portal access":             len(x.PortalAccess) >= 2,
			"messages (email and text)": len(x.Messages) == 2,
			"requests":                  len(x.Requests) == 2 && x.Requests[0].Kind == privacy.RequestRestriction && strings.Contains(x.Requests[0].By, "Morgan"),
			"audit of reads and changes": auditHas(x.Audit, "create", "referral") && auditHas(x.Audit, "read", "referral") &&
				slices.ContainsFunc(x.Audit, func(e privacy.AuditEntry) bool { return e.What == "referral.plan" }) && auditHas(x.Audit, "sign_in", "person") && auditHas(x.Audit, "update", "referral.connections"),
			"audit of the person's own use": slices.ContainsFunc(x.Audit, func(e privacy.AuditEntry) bool { return e.By == "The person" }),
		}
		for what, ok := range checks {
			if !ok {
				t.Errorf("export lacks %s", what)
			}
		}

		// The export is itself audited.
		entries := must(audit.ForObject(ctx, d.R(), "person", w.personID, 100))(t)
		if entries[0].Action != privacy.ActionExport || entries[0].ActorID != worker.UserID {
			t.Errorf("last entry %+v, want the export", entries[0])
		}
		// Another person's record is not in it.
		body, _ := json.Marshal(x)
		if strings.Contains(string(body), "Crowd") || strings.Contains(string(body), w.crowd[0]) {
			t.Error("the export holds someone else's record")
		}
		if _, err := store.Export(ctx, worker, "per_nobody"); oikos.ErrorCode(err) != oikos.ENOTFOUND {
			t.Errorf("unknown person: %v", err)
		}
	})
}

func auditHas(entries []privacy.AuditEntry, action, what string) bool {
	return slices.ContainsFunc(entries, func(e privacy.AuditEntry) bool { return e.Action == action && e.What == what })
}

// TestTablesAreAllAccountedFor: every table that can hold something of a
// person (it has a person_id, referral_id or connection_id) is listed in
// privacy.Tables with what the export and erasure do with it, and every
// table listed exists. A table added later without a thought for the
// person's rights fails here.
func TestTablesAreAllAccountedFor(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		listed := map[string]bool{}
		for _, tb := range privacy.Tables {
			listed[tb.Name] = true
			if tb.Export == "" || tb.Erase == "" {
				t.Errorf("%s: say what the export and erasure do with it", tb.Name)
			}
		}
		exists := map[string]bool{}
		for _, c := range columns(t, d) {
			exists[c.table] = true
			if (c.name == "person_id" || c.name == "referral_id" || c.name == "connection_id") && !listed[c.table] {
				t.Errorf("table %s holds %s but privacy.Tables does not say what the export and erasure do with it", c.table, c.name)
				listed[c.table] = true
			}
		}
		for name := range listed {
			if !exists[name] {
				t.Errorf("privacy.Tables lists %s, which does not exist", name)
			}
		}
	})
}

// reports is every report's figures for the last year, as JSON.
func reports(t *testing.T, d *db.DB) map[string]string {
	t.Helper()
	ctx := context.Background()
	p, err := report.ParsePeriod("", "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	add := func(name string, v any, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b, _ := json.Marshal(v)
		out[name] = string(b)
	}
	s, err := report.Summarise(ctx, d, p, report.Viewer{})
	add("summary", s, err)
	c, err := report.CoverageReport(ctx, d, p, report.Viewer{})
	add("coverage", c, err)
	e, err := report.EngagementReport(ctx, d, p, report.Viewer{})
	add("engagement", e, err)
	u, err := report.UnmetReport(ctx, d, p, report.Viewer{})
	add("unmet", u, err)
	return out
}

func TestErasureLeavesNoTrace(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		store := privacy.NewStore(d)
		for s, where := range scan(t, d, secrets) {
			if len(where) == 0 {
				t.Errorf("the world never held %q, so the scan proves nothing about it", s)
			}
		}
		if len(scan(t, d, secrets)) != len(secrets) {
			t.Errorf("the world holds only some of the secrets: %v", scan(t, d, secrets))
		}

		// Refused: a reason naming her; a referral still open.
		err := store.Erase(ctx, manager, w.personID, "Zephyrine Quillfeather asked by letter")
		if oikos.ErrorCode(err) != oikos.EINVALID {
			t.Fatalf("reason with her name: %v", err)
		}
		again := must(w.refs.Create(ctx, worker, referral.Input{Person: referral.PersonInput{GivenName: "Zephyrine", FamilyName: "Quillfeather",
			DateOfBirth: "1951-03-14", NHSNumber: "9434765919", Postcode: "EX4 6PX"}, Source: referral.SourceInput{Type: "self"},
			Reasons: []string{"anxiety"}, Consent: referral.ConsentInput{Given: true}}, "", "api"))(t)
		// A referral never joins a record held by itself: the link worker
		// says it is the same person.
		again = must(w.refs.ResolveMatch(ctx, worker, again.ID, true))(t)
		if again.PersonID != w.personID {
			t.Fatalf("the second referral is on %s, not her record %s", again.PersonID, w.personID)
		}
		if err := store.Erase(ctx, manager, w.personID, "Asked by letter"); oikos.ErrorCode(err) != oikos.ECONFLICT {
			t.Fatalf("erased with a referral open: %v", err)
		}
		must(w.refs.Transition(ctx, worker, again.ID, referral.Closed, "declined"))(t)

		totals := reports(t, d)
		if !strings.Contains(totals["summary"], `"total":7`) {
			t.Fatalf("the summary does not count the seven referrals: %s", totals["summary"])
		}
		var entries int
		if err := d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log").Scan(&entries); err != nil {
			t.Fatal(err)
		}
		counts := rowCounts(t, d)

		start := time.Now()
		if err := store.Erase(ctx, manager, w.personID, "Asked by letter dated 3 March"); err != nil {
			t.Fatal(err)
		}
		t.Logf("erasure of the fullest person: %s", time.Since(start))
		if left := scan(t, d, secrets); len(left) > 0 {
			t.Errorf("erasure left the person's details behind: %v", left)
		}
		after := reports(t, d)
		for name, was := range totals {
			if after[name] != was {
				t.Errorf("the %s report changed:\nbefore %s\nafter  %s", name, was, after[name])
			}
		}
		// Rows are kept, but for what erasure deletes outright.
		gone := map[string]bool{"person_access": true, "reminder_choices": true, "referral_preferences": true, "session_reminders": true,
			"connection_links": true, "outbox": true}
		for table, n := range rowCounts(t, d) {
			switch {
			case table == "audit_log" || table == "person_requests":
				if n <= counts[table] {
					t.Errorf("%s: %d rows, was %d: the erasure is not recorded", table, n, counts[table])
				}
			case gone[table]:
			case n != counts[table]:
				t.Errorf("%s: %d rows, was %d", table, n, counts[table])
			}
		}
		if n, err := audit.Verify(ctx, d.R()); err != nil || n <= entries {
			t.Errorf("audit verify: %d entries, %v", n, err)
		}

		st := must(store.State(ctx, w.personID))(t)
		if !st.Erased() || st.Restricted() {
			t.Errorf("state %+v", st)
		}
		x := must(store.Export(ctx, manager, w.personID))(t)
		if x.Person.Postcode != "EX4" || x.Person.AgeBand == "" || len(x.Referrals) != 2 || len(x.Referrals[0].Measures) != 2 ||
			x.Referrals[0].Plan == nil || len(x.Referrals[0].Plan.Goals[0].Steps) != 1 || x.Referrals[0].Plan.Goals[0].Steps[0].Owner != casework.OwnerPerson {
			t.Errorf("erasure took what the reports count: %+v", x)
		}
		if b := x.Referrals[0].Budget; b == nil || len(b.Entries) != 4 || b.AllowancePence != 20000 || b.Entries[1].AmountPence != 3000 ||
			b.Entries[1].Supplier != "Ramblers" || b.Entries[2].Decision == nil || b.Entries[2].Decision.Decision != "refused" {
			t.Errorf("erasure took the finance ledger: %+v", b)
		}
		if len(x.PortalAccess) != 0 || len(x.Messages) != 0 || x.Reminders != nil || !auditHas(x.Audit, privacy.ActionErase, "person") {
			t.Errorf("after erasure: access %v, messages %v, reminders %v", x.PortalAccess, x.Messages, x.Reminders)
		}
		ref := must(w.refs.Get(ctx, w.referralID))(t)
		if ref.Person.FamilyName != referral.ErasedName {
			t.Errorf("an erased person is named %q", ref.Person.FamilyName)
		}
		if err := store.Erase(ctx, manager, w.personID, "Asked again"); oikos.ErrorCode(err) != oikos.ECONFLICT {
			t.Errorf("erased twice: %v", err)
		}
		if _, err := store.Restrict(ctx, manager, w.personID, true, "Asked"); oikos.ErrorCode(err) != oikos.ECONFLICT {
			t.Errorf("restricted after erasure: %v", err)
		}
		// The others are untouched.
		for _, id := range w.crowd {
			if x := must(store.Export(ctx, manager, id))(t); x.Person.GivenName != "Crowd" || x.Person.ErasedAt != nil {
				t.Errorf("someone else was erased: %+v", x.Person)
			}
		}
	})
}

// rowCounts counts the rows of every table.
func rowCounts(t *testing.T, d *db.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, c := range columns(t, d) {
		if _, done := out[c.table]; done {
			continue
		}
		var n int
		if err := d.R().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM "`+c.table+`"`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[c.table] = n
	}
	return out
}

func TestRestrictionHidesFromLists(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		store := privacy.NewStore(d)
		// Her record in work again: a new referral, accepted and assigned.
		ref := must(w.refs.Create(ctx, worker, referral.Input{Person: referral.PersonInput{GivenName: "Zephyrine", FamilyName: "Quillfeather",
			DateOfBirth: "1951-03-14", NHSNumber: "9434765919", Postcode: "EX4 6PX", Phone: "07700 900461", Email: "zeph.q@example.org"},
			Source: referral.SourceInput{Type: "self"}, Reasons: []string{"anxiety"}, Consent: referral.ConsentInput{Given: true, ShareWithProviders: true}}, "", "api"))(t)
		ref = must(w.refs.ResolveMatch(ctx, worker, ref.ID, true))(t) // the link worker: the same person
		must(w.refs.Transition(ctx, worker, ref.ID, referral.Accepted, ""))(t)
		must(w.refs.Assign(ctx, worker, ref.ID, worker.UserID))(t)
		conn := must(w.conns.Create(ctx, worker, ref.ID, connection.CreateInput{ServiceID: w.walk, Kind: connection.Signpost}))(t)

		listed := func(showRestricted bool) (referrals, cases, conns bool) {
			t.Helper()
			items, _, err := w.refs.List(ctx, referral.Filter{ShowRestricted: showRestricted, Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			referrals = slices.ContainsFunc(items, func(r referral.Referral) bool { return r.PersonID == w.personID })
			whose := worker.UserID
			if showRestricted {
				whose = "" // a manager's view of every caseload
			}
			caseload := must(casework.NewStore(d).Caseload(ctx, worker, ref.SchemeID, whose))(t)
			cases = slices.ContainsFunc(caseload, func(c casework.Case) bool { return c.ReferralID == ref.ID })
			cs, _, err := w.conns.List(ctx, connection.Filter{OrganisationID: "org_a", ShowRestricted: showRestricted, Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			conns = slices.ContainsFunc(cs, func(c connection.Connection) bool { return c.ID == conn.ID })
			return
		}
		if r, c, cs := listed(false); !r || !c || !cs {
			t.Fatalf("not listed before the restriction: %v %v %v", r, c, cs)
		}

		if _, err := store.Restrict(ctx, manager, w.personID, true, "Quillfeather asked"); oikos.ErrorCode(err) != oikos.EINVALID {
			t.Errorf("reason with her name: %v", err)
		}
		st := must(store.Restrict(ctx, manager, w.personID, true, "Asked by phone on 3 March"))(t)
		if !st.Restricted() {
			t.Fatalf("state %+v", st)
		}
		if _, err := store.Restrict(ctx, manager, w.personID, true, "Asked again"); oikos.ErrorCode(err) != oikos.ECONFLICT {
			t.Errorf("restricted twice: %v", err)
		}
		if r, c, cs := listed(false); r || c || cs {
			t.Errorf("listed while restricted: referrals %v, caseload %v, provider's queue %v", r, c, cs)
		}
		if r, c, cs := listed(true); !r || !c || !cs {
			t.Errorf("a manager's lists lack her: referrals %v, caseload %v, connections %v", r, c, cs)
		}
		// Her own referral still shows its connections; the record stays.
		if cs := must(w.conns.ForReferral(ctx, worker, ref.ID))(t); len(cs) != 1 {
			t.Errorf("%d connections on her referral", len(cs))
		}
		// No new connections, no emailed sign-in link, no reminders.
		_, err := w.conns.Create(ctx, worker, ref.ID, connection.CreateInput{ServiceID: w.choir, Kind: connection.Signpost})
		if oikos.ErrorCode(err) != oikos.ECONFLICT {
			t.Errorf("connection made while restricted: %v", err)
		}
		err = portal.NewStore(d).EmailLink(ctx, worker, w.personID, nil)
		if oikos.ErrorCode(err) != oikos.ECONFLICT {
			t.Errorf("sign-in link emailed while restricted: %v", err)
		}
		first := ukDate(time.Now().AddDate(0, 0, 2))
		must(w.conns.DecideWithFirstSession(ctx, provider, conn.ID, connection.Accepted, "", first))(t)
		loc, _ := time.LoadLocation("Europe/London")
		dayBefore, _ := time.ParseInLocation(time.DateOnly, ukDate(time.Now().AddDate(0, 0, 1)), loc)
		if n := must(w.conns.SweepReminders(ctx, dayBefore.Add(10*time.Hour)))(t); n != 0 {
			t.Errorf("%d reminders written while restricted", n)
		}

		must(store.Restrict(ctx, manager, w.personID, false, "They are content with the record now"))(t)
		if _, err := store.Restrict(ctx, manager, w.personID, false, "Again"); oikos.ErrorCode(err) != oikos.ECONFLICT {
			t.Errorf("lifted twice: %v", err)
		}
		if r, c, cs := listed(false); !r || !c || !cs {
			t.Errorf("not listed once lifted: %v %v %v", r, c, cs)
		}
		if n := must(w.conns.SweepReminders(ctx, dayBefore.Add(10*time.Hour)))(t); n != 1 {
			t.Errorf("%d reminders once lifted", n)
		}
		x := must(store.Export(ctx, manager, w.personID))(t)
		if len(x.Requests) != 2 || !auditHas(x.Audit, privacy.ActionRestrict, "person") || !auditHas(x.Audit, privacy.ActionLift, "person") {
			t.Errorf("requests %+v", x.Requests)
		}
	})
}
