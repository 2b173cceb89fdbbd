package privacy_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"oikos/internal/auth"
	"oikos/internal/budget"
	"oikos/internal/casework"
	"oikos/internal/connection"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/notify"
	"oikos/internal/oikostest"
	"oikos/internal/outcome"
	"oikos/internal/portal"
	"oikos/internal/referral"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var (
	worker   = referral.Actor{UserID: "usr_worker", Client: "test"}
	manager  = referral.Actor{UserID: "usr_manager", Client: "test"}
	provider = referral.Actor{UserID: "usr_provider", Client: "test"}
)

// secrets are the person's details and every piece of free text written
// about them in the world below: none may survive erasure anywhere.
var secrets = []string{
	"Zephyrine", "Quillfeather", "9434765919", "07700 900461", "7700900461", "zeph.q@example.org", "1951-03-14", "EX4 6PX",
	"SECRET-NOTES", "SECRET-REASON", "SECRET-REFERRER", "SECRET-CONTACT", "SECRET-MATTERS", "SECRET-STRENGTH", "SECRET-INTEREST", "SECRET-CONVNOTE",
	"SECRET-GOAL", "SECRET-STEP", "SECRET-FORPROVIDER", "SECRET-FEEDBACK", "SECRET-DECLINE", "SECRET-DROPPED",
	"SECRET-PURPOSE", "SECRET-PURCHASE", "SECRET-REFUSAL", "SECRET-REVERSAL",
	"SECRET-LANGUAGE", "SECRET-ACCESS", "SECRET-KIN", "SECRET-RELATION", "07700 900999", "SECRET-REOPEN",
}

// world is a scheme with a link worker, a manager, a provider with two
// services, Zephyrine (whose record holds something in every table that
// can hold something of a person) and five others, so that the reports
// have figures large enough to show.
type world struct {
	d           *db.DB
	personID    string
	referralID  string
	refs        *referral.Store
	conns       *connection.Store
	walk, choir string
	crowd       []string // the other people's ids
}

// must stops the test on an error: must(f())(t).
func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// tomorrow is the UK date after now.
func ukDate(t time.Time) string {
	loc, _ := time.LoadLocation("Europe/London")
	return t.In(loc).Format(time.DateOnly)
}

func newWorld(t *testing.T, d *db.DB) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{d: d, refs: referral.NewStore(d), conns: connection.NewStore(d, "https://oikos.example"), walk: "svc_walk", choir: "svc_choir"}
	now := db.Millis(time.Now())
	oikostest.Exec(t, d, "INSERT INTO organisations (id, name, kind, email, created_at, updated_at) VALUES ('org_a', 'Ramblers', 'vcse', 'hello@ramblers.example', $1, $1)", now)
	oikostest.Exec(t, d, `INSERT INTO services (id, organisation_id, name, email, last_checked_at, created_at, updated_at)
		VALUES ('svc_walk', 'org_a', 'Riverside walk', '', $1, $1, $1), ('svc_choir', 'org_a', 'Community choir', 'choir@example.org', $1, $1, $1)`, now)
	oikostest.Exec(t, d, `INSERT INTO users (id, email, name, role, organisation_id, created_at, updated_at) VALUES
		('usr_worker', 'lee@example.org', 'Lee Worker', 'link_worker', NULL, $1, $1),
		('usr_manager', 'morgan@example.org', 'Morgan Manager', 'manager', NULL, $1, $1),
		('usr_provider', 'pat@ramblers.example', 'Pat Provider', 'provider', 'org_a', $1, $1)`, now)

	for i := range 5 {
		w.crowd = append(w.crowd, w.journey(t, referral.PersonInput{GivenName: "Crowd", FamilyName: fmt.Sprintf("Member%c", 'A'+i),
			DateOfBirth: fmt.Sprintf("19%d0-01-0%d", 4+i, 1+i), Postcode: "EX2 4AN"}, "gp", "").PersonID)
	}

	ref := w.journey(t, referral.PersonInput{GivenName: "Zephyrine", FamilyName: "Quillfeather", DateOfBirth: "1951-03-14",
		NHSNumber: "943 476 5919", Postcode: "EX4 6PX", Phone: "07700 900461", Email: "zeph.q@example.org"}, "family_friend", "SECRET-NOTES")
	w.personID, w.referralID = ref.PersonID, ref.ID
	cases := casework.NewStore(d)
	today := ukDate(time.Now())
	must(cases.RecordContact(ctx, worker, ref.ID, casework.ContactInput{At: today, Mode: "phone", DurationMinutes: 20, Note: "SECRET-CONTACT"}))(t)
	must(cases.RecordConversation(ctx, worker, ref.ID, casework.ConversationInput{HeldAt: today, Mode: "in_person",
		Needs: []casework.NeedInput{{Code: "loneliness", Priority: 1}}, Strengths: []string{"SECRET-STRENGTH"}, WhatMatters: "SECRET-MATTERS",
		Interests: "SECRET-INTEREST", Notes: "SECRET-CONVNOTE", Baseline: []casework.BaselineInput{{Instrument: "ucla3", Answers: []float64{3, 3, 2}}}}))(t)
	must(cases.SavePlan(ctx, worker, ref.ID, []casework.Goal{{Text: "SECRET-GOAL", Steps: []casework.Step{{Text: "SECRET-STEP", Owner: casework.OwnerPerson}}}}))(t)
	must(outcome.NewStore(d).Record(ctx, worker, ref.ID, "ucla3", outcome.Review, []float64{2, 1, 1}))(t)
	must(connection.NewSuggester(d).SavePreferences(ctx, worker, ref.ID, connection.PreferencesInput{Days: []string{"tuesday"},
		Accessibility: []string{"step_free"}}))(t)
	oikostest.Exec(t, d, `INSERT INTO unmet_needs (id, referral_id, need, priority, area, on_date, within_km, found, recorded_at)
		VALUES ('unm_1', $1, 'loneliness', 1, 'EX4', $2, 5, 0, $3)`, ref.ID, today, now)

	// A connection the provider takes, with a first session, attendance
	// and an update; another it declines; and a reminder by text.
	first := ukDate(time.Now().AddDate(0, 0, 2))
	c := must(w.conns.Create(ctx, worker, ref.ID, connection.CreateInput{ServiceID: w.walk, Kind: connection.Supported, Note: "SECRET-FORPROVIDER"}))(t)
	must(w.conns.DecideWithFirstSession(ctx, provider, c.ID, connection.Accepted, "", first))(t)
	attended := true
	must(w.conns.RecordAttendance(ctx, provider, c.ID, connection.AttendanceInput{Date: today, Attended: &attended}))(t)
	must(w.conns.SendUpdate(ctx, provider, c.ID, "SECRET-FEEDBACK: Zephyrine came and sang"))(t)
	must(w.conns.Close(ctx, provider, c.ID, connection.Dropped, "SECRET-DROPPED"))(t)
	c2 := must(w.conns.Create(ctx, worker, ref.ID, connection.CreateInput{ServiceID: w.choir, Kind: connection.Signpost}))(t)
	must(w.conns.Decide(ctx, provider, c2.ID, connection.Declined, "SECRET-DECLINE"))(t)
	must(w.conns.SetReminders(ctx, worker, ref.ID, connection.ReminderInput{Channel: "sms"}))(t)
	oikostest.Exec(t, d, "UPDATE connections SET status = 'accepted' WHERE id = $1", c.ID) // accepted again, for the reminder
	loc, _ := time.LoadLocation("Europe/London")
	dayBefore, _ := time.ParseInLocation(time.DateOnly, ukDate(time.Now().AddDate(0, 0, 1)), loc)
	if n := must(w.conns.SweepReminders(ctx, dayBefore.Add(10*time.Hour)))(t); n != 1 {
		t.Fatalf("%d reminders written", n)
	}

	// Their own pages: a code on paper, used, and a link by email.
	ps := portal.NewStore(d)
	code := must(ps.IssueCode(ctx, worker, ref.PersonID))(t)
	must(ps.RedeemCode(ctx, "127.0.0.1", code, "1951-03-14"))(t)
	if err := ps.EmailLink(ctx, worker, ref.PersonID, func(ctx context.Context, tx *sql.Tx, email, token string) error {
		return notify.Enqueue(ctx, tx, notify.Message{Kind: "portal_link", To: email, Subject: "Your link", Body: "https://oikos.example/my/link/" + token})
	}); err != nil {
		t.Fatal(err)
	}
	// A personal budget: an allowance, a purchase reversed, and one above
	// the threshold that a manager refused.
	bs := budget.NewStore(d)
	lw := &auth.Principal{UserID: worker.UserID, Role: auth.LinkWorker}
	mg := &auth.Principal{UserID: manager.UserID, Role: auth.Manager}
	allowance, small, big := int64(20000), int64(3000), int64(6000)
	must(bs.SetAllowance(ctx, lw, worker, ref.ID, budget.AllowanceInput{AllowancePence: &allowance, Purpose: "SECRET-PURPOSE"}))(t)
	bought := must(bs.Purchase(ctx, lw, worker, ref.ID, budget.PurchaseInput{ServiceID: w.choir, Description: "SECRET-PURCHASE", AmountPence: &small, Date: today}))(t)
	asked := must(bs.Purchase(ctx, lw, worker, ref.ID, budget.PurchaseInput{Supplier: "Gym", Description: "Membership", AmountPence: &big, Date: today}))(t)
	must(bs.Decide(ctx, mg, manager, asked.ID, budget.DecisionInput{Decision: budget.Refused, Reason: "SECRET-REFUSAL"}))(t)
	must(bs.Reverse(ctx, lw, worker, bought.ID, budget.ReversalInput{Reason: "SECRET-REVERSAL"}))(t)

	w.community(t, ref.ID)
	must(w.refs.Transition(ctx, worker, ref.ID, referral.Closed, "goals_met"))(t)
	// Reopened with a reason, and closed again.
	must(w.refs.Reopen(ctx, worker, ref.ID, "SECRET-REOPEN: she asked to come back"))(t)
	must(w.refs.Transition(ctx, worker, ref.ID, referral.Closed, "goals_met"))(t)
	// What the link worker records of her beyond the referral.
	oikostest.Exec(t, d, `UPDATE people SET interpreter_language = 'SECRET-LANGUAGE', access_needs = '["SECRET-ACCESS"]', next_of_kin_name = 'SECRET-KIN',
		next_of_kin_relationship = 'SECRET-RELATION', next_of_kin_phone = '07700 900999' WHERE id = $1`, w.personID)
	w.invite(t, ref.ID)
	if err := w.refs.RecordRead(ctx, manager, ref); err != nil {
		t.Fatal(err)
	}
	return w
}

// journey takes a person referred today through to a closed referral with
// measures at the start and at review and a connection attended.
func (w *world) journey(t *testing.T, p referral.PersonInput, source, notes string) referral.Referral {
	t.Helper()
	ctx := context.Background()
	in := referral.Input{Person: p, Source: referral.SourceInput{Type: source}, Reasons: []string{"loneliness"},
		Notes: notes, Consent: referral.ConsentInput{Given: true, ShareWithProviders: true}}
	if notes != "" {
		in.Source.ReferrerName = "SECRET-REFERRER"
		in.ReasonText = "SECRET-REASON"
	}
	ref := must(w.refs.Create(ctx, worker, in, "", "api"))(t)
	must(w.refs.Transition(ctx, worker, ref.ID, referral.Accepted, ""))(t)
	must(w.refs.Assign(ctx, worker, ref.ID, worker.UserID))(t)
	if notes != "" {
		return ref // Zephyrine's record is filled by newWorld
	}
	must(w.refs.Transition(ctx, worker, ref.ID, referral.Contacted, ""))(t)
	m := outcome.NewStore(w.d)
	must(m.Record(ctx, worker, ref.ID, "ons4", outcome.Baseline, []float64{4, 5, 4, 6}))(t)
	must(m.Record(ctx, worker, ref.ID, "ons4", outcome.Review, []float64{7, 7, 6, 3}))(t)
	c := must(w.conns.Create(ctx, worker, ref.ID, connection.CreateInput{ServiceID: w.walk, Kind: connection.Signpost}))(t)
	must(w.conns.Decide(ctx, provider, c.ID, connection.Accepted, ""))(t)
	attended := true
	must(w.conns.RecordAttendance(ctx, provider, c.ID, connection.AttendanceInput{Date: ukDate(time.Now()), Attended: &attended}))(t)
	must(w.refs.Transition(ctx, worker, ref.ID, referral.Closed, "goals_met"))(t)
	return ref
}

// column is one column of one table.
type column struct{ table, name string }

// columns lists every column of every table in the database.
func columns(t *testing.T, d *db.DB) []column {
	t.Helper()
	ctx := context.Background()
	var out []column
	if d.Dialect == db.Postgres {
		rows, err := d.R().QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns c
			WHERE table_schema = current_schema() AND EXISTS (SELECT 1 FROM information_schema.tables t
				WHERE t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE')
			ORDER BY table_name, ordinal_position`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var c column
			if err := rows.Scan(&c.table, &c.name); err != nil {
				t.Fatal(err)
			}
			out = append(out, c)
		}
		return out
	}
	tables := must(db.Strings(ctx, d.R(), "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"))(t)
	for _, table := range tables {
		for _, name := range must(db.Strings(ctx, d.R(), "SELECT name FROM pragma_table_info($1)", table))(t) {
			out = append(out, column{table, name})
		}
	}
	return out
}

// scan finds the needles (case-insensitive) anywhere in the database: every
// column of every table, whatever its type, so that a table added later is
// searched too. It answers where each was found.
func scan(t *testing.T, d *db.DB, needles []string) map[string][]string {
	t.Helper()
	ctx := context.Background()
	found := map[string][]string{}
	var conds []string
	args := make([]any, len(needles))
	for i, n := range needles {
		args[i] = "%" + strings.ToLower(n) + "%"
	}
	for _, c := range columns(t, d) {
		conds = conds[:0]
		expr := fmt.Sprintf(`lower(CAST(%q AS TEXT))`, c.name)
		for i := range needles {
			conds = append(conds, fmt.Sprintf("%s LIKE $%d", expr, i+1))
		}
		values, err := db.Strings(ctx, d.R(), fmt.Sprintf(`SELECT %s FROM %q WHERE %s`, expr, c.table, strings.Join(conds, " OR ")), args...)
		if err != nil {
			t.Fatalf("scan %s.%s: %v", c.table, c.name, err)
		}
		for _, v := range values {
			for _, n := range needles {
				if strings.Contains(v, strings.ToLower(n)) {
					found[n] = append(found[n], c.table+"."+c.name)
				}
			}
		}
	}
	return found
}
