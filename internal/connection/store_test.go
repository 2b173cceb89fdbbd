package connection_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/connection"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/oikostest"
	"oikos/internal/referral"
)

var (
	linkWorker   = referral.Actor{UserID: "usr_worker", Client: "test"}
	providerUser = referral.Actor{UserID: "usr_provider", Client: "test"}
)

// connWorld is two provider organisations with a service each, a link worker,
// and a referral in work assigned to them.
type connWorld struct {
	d            *db.DB
	store        *connection.Store
	referralID   string
	walk, choir  string // services of organisations A and B
	orgA, orgB   string
	clock        time.Time
	consentShare bool
}

func newConnWorld(t *testing.T, d *db.DB, share bool) *connWorld {
	t.Helper()
	ctx := context.Background()
	w := &connWorld{d: d, orgA: "org_a", orgB: "org_b", walk: "svc_walk", choir: "svc_choir",
		clock: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), consentShare: share}
	now := db.Millis(w.clock)
	oikostest.Exec(t, d, "INSERT INTO organisations (id, name, kind, email, created_at, updated_at) VALUES ('org_a', 'Ramblers', 'vcse', 'hello@ramblers.example', $1, $1)", now)
	oikostest.Exec(t, d, "INSERT INTO organisations (id, name, kind, created_at, updated_at) VALUES ('org_b', 'Choir Club', 'vcse', $1, $1)", now)
	oikostest.Exec(t, d, `INSERT INTO services (id, organisation_id, name, email, last_checked_at, created_at, updated_at)
		VALUES ('svc_walk', 'org_a', 'Riverside walk', '', $1, $1, $1), ('svc_choir', 'org_b', 'Community choir', 'choir@example.org', $1, $1, $1),
		('svc_gone', 'org_b', 'Closed club', '', $1, $1, $1)`, now)
	oikostest.Exec(t, d, "UPDATE services SET status = 'closed' WHERE id = 'svc_gone'")
	oikostest.Exec(t, d, `INSERT INTO users (id, email, name, role, organisation_id, created_at, updated_at) VALUES
		('usr_worker', 'linkWorker@example.org', 'Lee Worker', 'link_worker', NULL, $1, $1),
		('usr_provider', 'provider@ramblers.example', 'Pat Provider', 'provider', 'org_a', $1, $1)`, now)
	refs := referral.NewStore(d)
	r, err := refs.Create(ctx, linkWorker, referral.Input{
		Person:  referral.PersonInput{GivenName: "Margaret", FamilyName: "Hughes", DateOfBirth: "1948-05-02", Postcode: "EX4 4QJ", Phone: "01392 000000", Email: "margaret@example.org"},
		Source:  referral.SourceInput{Type: "gp"},
		Reasons: []string{"loneliness"},
		Consent: referral.ConsentInput{Given: true, ShareWithProviders: share},
	}, "", "api")
	if err != nil {
		t.Fatal(err)
	}
	w.referralID = r.ID
	w.store = connection.NewStore(d, "https://oikos.example")
	w.store.Now = func() time.Time { return w.clock }
	return w
}

func (w *connWorld) accept(t *testing.T) {
	t.Helper()
	refs := referral.NewStore(w.d)
	if _, err := refs.Transition(context.Background(), linkWorker, w.referralID, referral.Accepted, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := refs.Assign(context.Background(), linkWorker, w.referralID, "usr_worker"); err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, err error, code, field string) {
	t.Helper()
	var e *oikos.Error
	if err == nil || oikos.ErrorCode(err) != code {
		t.Fatalf("got %v, want %s", err, code)
	}
	if field != "" {
		e, _ = err.(*oikos.Error)
		if e == nil || e.Fields[field] == "" {
			t.Fatalf("got %v, want the field %s named", err, field)
		}
	}
}

type mailRow struct{ kind, to, subject, body string }

func sentMail(t *testing.T, d *db.DB) []mailRow {
	t.Helper()
	rows, err := d.R().QueryContext(context.Background(), "SELECT kind, recipient, subject, body FROM outbox ORDER BY created_at, id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []mailRow
	for rows.Next() {
		var m mailRow
		if err := rows.Scan(&m.kind, &m.to, &m.subject, &m.body); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// mailOf is the outbox's messages of one kind.
func mailOf(t *testing.T, d *db.DB, kind string) []mailRow {
	var out []mailRow
	for _, m := range sentMail(t, d) {
		if m.kind == kind {
			out = append(out, m)
		}
	}
	return out
}

// answerToken reads the answer link's token from an email body.
func answerToken(t *testing.T, body string) string {
	t.Helper()
	i := strings.Index(body, "/answer/")
	if i < 0 {
		t.Fatalf("no answer link in %q", body)
	}
	return strings.Fields(body[i+len("/answer/"):])[0]
}

func truly() *bool { b := true; return &b }

func TestConnectionJourney(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newConnWorld(t, d, true)
		in := connection.CreateInput{ServiceID: w.walk, Kind: connection.Supported, Note: "She would like someone to meet her at the gate."}
		_, err := w.store.Create(ctx, linkWorker, w.referralID, in)
		wantErr(t, err, oikos.ECONFLICT, "referral") // still received
		w.accept(t)
		_, err = w.store.Create(ctx, linkWorker, w.referralID, connection.CreateInput{ServiceID: "svc_gone", Kind: connection.Signpost})
		wantErr(t, err, oikos.ECONFLICT, "service_id")
		_, err = w.store.Create(ctx, linkWorker, w.referralID, connection.CreateInput{ServiceID: "svc_nothing", Kind: "hug"})
		wantErr(t, err, oikos.EINVALID, "kind")
		_, err = w.store.Create(ctx, linkWorker, w.referralID, connection.CreateInput{ServiceID: "svc_nothing", Kind: connection.Signpost})
		wantErr(t, err, oikos.EINVALID, "service_id")
		_, err = w.store.Create(ctx, linkWorker, w.referralID, connection.CreateInput{ServiceID: w.walk, Kind: connection.Signpost, Note: strings.Repeat("x", 501)})
		wantErr(t, err, oikos.EINVALID, "note")

		c, err := w.store.Create(ctx, linkWorker, w.referralID, in)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != connection.Sent || c.OrganisationID != w.orgA || c.SharedContact.Name != "Margaret Hughes" || c.SharedContact.Phone == "" ||
			c.NoteForProvider != in.Note || c.Reference == "" {
			t.Fatalf("%+v", c)
		}
		_, err = w.store.Create(ctx, linkWorker, w.referralID, in)
		wantErr(t, err, oikos.ECONFLICT, "service_id")

		mail := sentMail(t, d)
		if len(mail) != 1 || mail[0].to != "hello@ramblers.example" || mail[0].kind != connection.KindConnectionSent {
			t.Fatalf("outbox %+v", mail)
		}
		if strings.Contains(mail[0].body, "Margaret") || strings.Contains(mail[0].body, "gate") {
			t.Errorf("the email names the person or the note: %s", mail[0].body)
		}

		// Attendance before acceptance, then the answer, then twice.
		_, err = w.store.RecordAttendance(ctx, providerUser, c.ID, connection.AttendanceInput{Date: "2026-03-02", Attended: truly()})
		wantErr(t, err, oikos.ECONFLICT, "date")
		_, err = w.store.Decide(ctx, providerUser, c.ID, connection.Declined, "")
		wantErr(t, err, oikos.EINVALID, "reason")
		if c, err = w.store.Decide(ctx, providerUser, c.ID, connection.Accepted, ""); err != nil || c.Status != connection.Accepted || c.DecidedAt == nil {
			t.Fatalf("%+v %v", c, err)
		}
		_, err = w.store.Decide(ctx, providerUser, c.ID, connection.Declined, "full")
		wantErr(t, err, oikos.ECONFLICT, "decision")

		w.clock = w.clock.AddDate(0, 0, 9)
		_, err = w.store.RecordAttendance(ctx, providerUser, c.ID, connection.AttendanceInput{Date: "2026-03-12", Attended: truly()})
		wantErr(t, err, oikos.EINVALID, "date")
		_, err = w.store.RecordAttendance(ctx, providerUser, c.ID, connection.AttendanceInput{Date: "2026-03-05"})
		wantErr(t, err, oikos.EINVALID, "attended")
		no := false
		for _, a := range []connection.AttendanceInput{{Date: "2026-03-04", Attended: &no}, {Date: "2026-03-09", Attended: truly()}, {Date: "2026-03-04", Attended: truly()}} {
			if c, err = w.store.RecordAttendance(ctx, providerUser, c.ID, a); err != nil {
				t.Fatal(err)
			}
		}
		if c.SessionsAttended != 2 || c.FirstAttendedAt == nil || c.FirstAttendedAt.Format(time.DateOnly) != "2026-03-04" || !c.Attending() {
			t.Fatalf("%+v", c)
		}
		sessions, err := w.store.Sessions(ctx, c.ID)
		if err != nil || len(sessions) != 2 || !sessions[0].Attended {
			t.Fatalf("%+v %v", sessions, err)
		}
		if _, err := w.store.SendUpdate(ctx, providerUser, c.ID, "Margaret has joined the Tuesday group."); err != nil {
			t.Fatal(err)
		}
		_, err = w.store.SendUpdate(ctx, providerUser, c.ID, " ")
		wantErr(t, err, oikos.EINVALID, "message")
		_, err = w.store.Close(ctx, providerUser, c.ID, connection.Declined, "")
		wantErr(t, err, oikos.EINVALID, "status")
		if c, err = w.store.Close(ctx, providerUser, c.ID, connection.Completed, ""); err != nil || c.Status != connection.Completed || c.ClosedAt == nil {
			t.Fatalf("%+v %v", c, err)
		}
		_, err = w.store.RecordAttendance(ctx, providerUser, c.ID, connection.AttendanceInput{Date: "2026-03-10", Attended: truly()})
		wantErr(t, err, oikos.ECONFLICT, "date")

		events, err := w.store.Events(ctx, c.ID)
		if err != nil || len(events) != 7 || events[0].Kind != "sent" || events[0].By != "Lee Worker" || events[5].Text != "Margaret has joined the Tuesday group." {
			t.Fatalf("%d %+v %v", len(events), events, err)
		}
		// The link linkWorker heard of the answer, three sessions, the update and the close.
		kinds := map[string]int{}
		for _, m := range sentMail(t, d) {
			if m.kind == connection.KindConnectionSent {
				continue
			}
			if m.to != "linkWorker@example.org" {
				t.Errorf("told %s: %+v", m.to, m)
			}
			if strings.Contains(m.body, "Tuesday group") {
				t.Errorf("the update's words went by email: %s", m.body)
			}
			kinds[m.kind]++
		}
		if kinds[connection.KindConnectionAnswer] != 2 || kinds[connection.KindConnectionAttended] != 3 || kinds[connection.KindConnectionUpdate] != 1 {
			t.Errorf("messages %v", kinds)
		}
		list, err := w.store.ForReferral(ctx, linkWorker, w.referralID)
		if err != nil || len(list) != 1 || list[0].ID != c.ID {
			t.Fatalf("%+v %v", list, err)
		}
		entries, err := audit.ForObject(ctx, d.R(), "referral.connections", w.referralID, 100)
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]int{}
		for _, e := range entries {
			actions[e.Action]++
		}
		if actions[audit.Create] != 1 || actions[audit.Update] != 6 || actions[audit.Read] != 1 {
			t.Errorf("audit %v", actions)
		}
		if _, err := audit.Verify(ctx, d.R()); err != nil {
			t.Error(err)
		}
	})
}

func TestConsentAndScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newConnWorld(t, d, false)
		w.accept(t)
		walk, err := w.store.Create(ctx, linkWorker, w.referralID, connection.CreateInput{ServiceID: w.walk, Kind: connection.ActiveSignpost})
		if err != nil {
			t.Fatal(err)
		}
		if !walk.SharedContact.Empty() {
			t.Fatalf("shared without consent: %+v", walk.SharedContact)
		}
		choir, err := w.store.Create(ctx, linkWorker, w.referralID, connection.CreateInput{ServiceID: w.choir, Kind: connection.Signpost})
		if err != nil {
			t.Fatal(err)
		}
		// Organisation B has no email: the service's own address is used.
		mail := sentMail(t, d)
		if len(mail) != 2 || mail[1].to != "choir@example.org" {
			t.Fatalf("%+v", mail)
		}
		for _, m := range mail {
			if strings.Contains(m.body, "01392") || strings.Contains(m.body, "Hughes") {
				t.Errorf("personal details by email: %s", m.body)
			}
		}
		a, total, err := w.store.List(ctx, connection.Filter{OrganisationID: w.orgA})
		if err != nil || total != 1 || a[0].ID != walk.ID {
			t.Fatalf("%+v %d %v", a, total, err)
		}
		b, _, _ := w.store.List(ctx, connection.Filter{OrganisationID: w.orgB, Statuses: []connection.Status{connection.Sent}})
		if len(b) != 1 || b[0].ID != choir.ID {
			t.Fatalf("%+v", b)
		}
		// Counted as listed, reading none.
		for f, want := range map[*connection.Filter]int{
			{OrganisationID: w.orgB, Statuses: []connection.Status{connection.Sent}}:     1,
			{OrganisationID: w.orgB, Statuses: []connection.Status{connection.Accepted}}: 0,
			{AssignedTo: "usr_worker"}: 2,
		} {
			if n, err := w.store.Count(ctx, *f); err != nil || n != want {
				t.Errorf("Count(%+v) = %d, %v; want %d", *f, n, err, want)
			}
		}
		if _, err := w.store.Count(ctx, connection.Filter{OrganisationID: "a\x00b"}); err == nil {
			t.Error("Count with a control character in its filter")
		}
		mine, total, _ := w.store.List(ctx, connection.Filter{AssignedTo: "usr_worker"})
		if total != 2 || len(mine) != 2 {
			t.Fatalf("%+v", mine)
		}
		none, total, _ := w.store.List(ctx, connection.Filter{AssignedTo: "usr_other"})
		if total != 0 || len(none) != 0 {
			t.Fatalf("%+v", none)
		}
		if err := w.store.RecordListRead(ctx, providerUser, append(a, b...)); err != nil {
			t.Fatal(err)
		}
		entries, err := audit.ForObject(ctx, d.R(), "referral.connections", w.referralID, 100)
		if err != nil || len(entries) != 3 || entries[0].Action != audit.Read || entries[0].ActorID != "usr_provider" {
			t.Errorf("one read of the record for the list of two: %+v %v", entries, err)
		}
		_, err = w.store.Get(ctx, "con_guess")
		wantErr(t, err, oikos.ENOTFOUND, "")
	})
}

func TestAnswerLinks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newConnWorld(t, d, true)
		w.accept(t)
		c, err := w.store.Create(ctx, linkWorker, w.referralID, connection.CreateInput{ServiceID: w.walk, Kind: connection.Supported})
		if err != nil {
			t.Fatal(err)
		}
		token := answerToken(t, sentMail(t, d)[0].body)
		if _, err := w.store.OpenLink(ctx, "test", token); err != nil {
			t.Fatal(err)
		}
		_, err = w.store.OpenLink(ctx, "test", token+"x")
		wantErr(t, err, oikos.ENOTFOUND, "")
		_, err = w.store.AnswerByLink(ctx, "test", token, "decline", "")
		wantErr(t, err, oikos.EINVALID, "reason")
		// The refused answer left the link unused.
		got, err := w.store.AnswerByLink(ctx, "test", token, "accept", "")
		if err != nil || got.Status != connection.Accepted || got.ID != c.ID {
			t.Fatalf("%+v %v", got, err)
		}
		if _, err := w.store.AnswerByLink(ctx, "test", token, "accept", ""); err != connection.ErrLinkUsed {
			t.Fatalf("reuse: %v", err)
		}
		if _, err := w.store.OpenLink(ctx, "test", token); err != connection.ErrLinkUsed {
			t.Fatalf("open after use: %v", err)
		}
		// A fresh link came for the next session, and records attendance today.
		links := mailOf(t, d, connection.KindConnectionLink)
		if len(links) != 1 || links[0].to != "hello@ramblers.example" {
			t.Fatalf("%+v", links)
		}
		next := answerToken(t, links[0].body)
		if got, err = w.store.AnswerByLink(ctx, "test", next, "attended", ""); err != nil || got.SessionsAttended != 1 {
			t.Fatalf("%+v %v", got, err)
		}
		// Links expire after 14 days.
		links = mailOf(t, d, connection.KindConnectionLink)
		if len(links) != 2 {
			t.Fatalf("%+v", links)
		}
		third := answerToken(t, links[0].body)
		if third == next {
			third = answerToken(t, links[1].body)
		}
		w.clock = w.clock.Add(connection.DefaultLinkTTL)
		if _, err := w.store.OpenLink(ctx, "test", third); err != connection.ErrLinkExpired {
			t.Fatalf("expired: %v", err)
		}
		if _, err := w.store.AnswerByLink(ctx, "test", third, "attended", ""); err != connection.ErrLinkExpired {
			t.Fatalf("expired: %v", err)
		}
	})
}

func TestServiceFigures(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newConnWorld(t, d, true)
		w.accept(t)
		// Three people's connections: accepted and attended after 3 days,
		// accepted and attended after 7, and declined; and one to B.
		ids := []string{w.referralID}
		for i, name := range []string{"Ann", "Bob"} {
			ids = append(ids, oikostest.AcceptedReferralOf(t, d, referral.PersonInput{GivenName: name, FamilyName: "Smith",
				DateOfBirth: "1950-01-0" + string(rune('1'+i)), Postcode: "EX4 4QJ"}).ID)
		}
		start := w.clock
		var made []connection.Connection
		for _, id := range ids {
			c, err := w.store.Create(ctx, linkWorker, id, connection.CreateInput{ServiceID: w.walk, Kind: connection.Signpost})
			if err != nil {
				t.Fatal(err)
			}
			made = append(made, c)
		}
		if _, err := w.store.Create(ctx, linkWorker, ids[0], connection.CreateInput{ServiceID: w.choir, Kind: connection.Signpost}); err != nil {
			t.Fatal(err)
		}
		w.clock = w.clock.AddDate(0, 0, 10)
		for i, days := range []int{3, 7} {
			if _, err := w.store.Decide(ctx, providerUser, made[i].ID, connection.Accepted, ""); err != nil {
				t.Fatal(err)
			}
			date := start.AddDate(0, 0, days).Format(time.DateOnly)
			if _, err := w.store.RecordAttendance(ctx, providerUser, made[i].ID, connection.AttendanceInput{Date: date, Attended: truly()}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.store.Close(ctx, providerUser, made[0].ID, connection.Completed, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := w.store.Decide(ctx, providerUser, made[2].ID, connection.Declined, "Full"); err != nil {
			t.Fatal(err)
		}
		f, err := w.store.ServiceFigures(ctx, made[0].SchemeID, start, start.AddDate(0, 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Services) != 2 || len(f.Organisations) != 2 {
			t.Fatalf("%+v", f)
		}
		choir, walk := f.Services[0], f.Services[1]
		if walk.ServiceID != w.walk || walk.Received != 3 || walk.Accepted != 2 || walk.AttendedOnce != 2 || walk.Completed != 1 ||
			walk.MedianDaysToAttend == nil || *walk.MedianDaysToAttend != 5 {
			t.Errorf("walk %+v", walk)
		}
		if choir.Received != 1 || choir.Accepted != 0 || choir.MedianDaysToAttend != nil {
			t.Errorf("choir %+v", choir)
		}
		if ramblers := f.Organisations[1]; ramblers.OrganisationID != w.orgA || ramblers.Received != 3 {
			t.Errorf("ramblers %+v", ramblers)
		}
		if f, _ := w.store.ServiceFigures(ctx, made[0].SchemeID, start.AddDate(0, 0, 1), start.AddDate(0, 0, 30)); len(f.Services) != 0 {
			t.Errorf("outside the period: %+v", f)
		}
	})
}
