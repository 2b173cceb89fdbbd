package casework_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"oikos"
	"oikos/internal/casework"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/oikostest"
	"oikos/internal/referral"
)

func TestParseWhen(t *testing.T) {
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC) // 13:00 in London (summer time)
	tests := []struct {
		in   string
		want time.Time
		bad  bool
	}{
		{in: "2026-07-01", want: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)},
		{in: " 2026-06-30 ", want: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)},
		{in: "2026-07-01T12:30", want: time.Date(2026, 7, 1, 11, 30, 0, 0, time.UTC)}, // UK time
		{in: "2026-01-15T09:00", want: time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)},  // winter: UK = UTC
		{in: "2026-07-01T11:00:00Z", want: time.Date(2026, 7, 1, 11, 0, 0, 0, time.UTC)},
		{in: "2026-07-01T12:04:00Z", want: time.Date(2026, 7, 1, 12, 4, 0, 0, time.UTC)}, // within the clock grace
		{in: "2026-07-02", bad: true},
		{in: "2026-07-01T13:30", bad: true}, // 12:30 UTC: later than now
		{in: "2026-07-01T12:10:00Z", bad: true},
		{in: "", bad: true},
		{in: "yesterday", bad: true},
		{in: "2026-02-30", bad: true},
		{in: "1999-12-31", bad: true},
		{in: "01/07/2026", bad: true},
	}
	for _, tt := range tests {
		got, msg := casework.ParseWhen(tt.in, now)
		if tt.bad {
			if msg == "" {
				t.Errorf("%q: accepted as %v", tt.in, got)
			}
			continue
		}
		if msg != "" || !got.Equal(tt.want) {
			t.Errorf("%q: got %v %q, want %v", tt.in, got, msg, tt.want)
		}
	}
}

func TestContactValidate(t *testing.T) {
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		in     casework.ContactInput
		fields []string
	}{
		{"good", casework.ContactInput{At: "2026-07-01", Mode: "phone", DurationMinutes: 20, Note: "Talked about the lunch club."}, nil},
		{"zero minutes (a letter)", casework.ContactInput{At: "2026-06-01", Mode: "letter"}, nil},
		{"600 minutes", casework.ContactInput{At: "2026-06-01", Mode: "home_visit", DurationMinutes: 600}, nil},
		{"everything wrong", casework.ContactInput{At: "tomorrow", Mode: "pigeon", DurationMinutes: 601, Note: "a\x00b"},
			[]string{"at", "mode", "duration_minutes", "note"}},
		{"negative minutes", casework.ContactInput{At: "2026-06-01", Mode: "phone", DurationMinutes: -1}, []string{"duration_minutes"}},
		{"no date or mode", casework.ContactInput{}, []string{"at", "mode"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.in.Validate(now)
			f := fields(err)
			if len(f) != len(tt.fields) || (err != nil) != (len(tt.fields) > 0) {
				t.Fatalf("got %v, want %v", err, tt.fields)
			}
			for _, name := range tt.fields {
				if f[name] == "" {
					t.Errorf("no message for %s: %v", name, f)
				}
			}
		})
	}
}

func TestContactStore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := casework.NewStore(d)
		refs := referral.NewStore(d)
		ref := oikostest.AcceptedReferralOf(t, d, oikostest.Margaret).ID

		list, err := s.Contacts(ctx, worker, ref)
		if err != nil || list == nil || len(list) != 0 {
			t.Fatalf("empty: %v %v", list, err)
		}
		today := time.Now().UTC().Format(time.DateOnly)
		first, err := s.RecordContact(ctx, worker, ref, casework.ContactInput{At: today, Mode: "phone", DurationMinutes: 15, Note: " Left a message. "})
		if err != nil || first.ID == "" || first.Note != "Left a message." {
			t.Fatalf("record: %+v %v", first, err)
		}
		r, _ := refs.Get(ctx, ref)
		if r.FirstContactAt == nil || r.FirstContactAt.Before(r.ReceivedAt) {
			t.Fatalf("first contact %v, received %v", r.FirstContactAt, r.ReceivedAt)
		}
		firstAt := *r.FirstContactAt
		later := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
		if _, err := s.RecordContact(ctx, worker, ref, casework.ContactInput{At: later, Mode: "in_person", DurationMinutes: 45}); err != nil {
			t.Fatal(err)
		}
		if r, _ := refs.Get(ctx, ref); !r.FirstContactAt.Equal(firstAt) {
			t.Fatalf("first contact moved to %v", r.FirstContactAt)
		}
		list, err = s.Contacts(ctx, worker, ref)
		if err != nil || len(list) != 2 || list[0].Mode != "in_person" || list[1].ID != first.ID || list[1].By != worker.UserID {
			t.Fatalf("list: %+v %v", list, err)
		}
		if _, err := s.RecordContact(ctx, worker, ref, casework.ContactInput{At: today, Mode: "carrier pigeon"}); fields(err)["mode"] == "" {
			t.Fatalf("bad mode: %v", err)
		}
		if _, err := s.RecordContact(ctx, worker, "ref_nobody", casework.ContactInput{At: today, Mode: "phone"}); oikos.ErrorCode(err) != oikos.ENOTFOUND {
			t.Fatalf("unknown referral: %v", err)
		}
		closeReferral(t, d, ref)
		if _, err := s.RecordContact(ctx, worker, ref, casework.ContactInput{At: today, Mode: "phone"}); oikos.ErrorCode(err) != oikos.ECONFLICT {
			t.Fatalf("closed: %v", err)
		}
		if list, _ := s.Contacts(ctx, worker, ref); len(list) != 2 {
			t.Fatalf("refused writes wrote: %d", len(list))
		}
		assertAudit(t, d, ref, "referral.contacts", map[string]int{"read": 3, "create": 2})
	})
}

// A call nobody answered is recorded but is no contact: only a reached
// contact marks the first contact and moves the referral on to contacted,
// in the same transaction as the contact.
func TestContactOutcomes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := casework.NewStore(d)
		refs := referral.NewStore(d)
		var changes []referral.Change
		refs.OnChange = func(ctx context.Context, tx *sql.Tx, c referral.Change) error {
			changes = append(changes, c)
			return nil
		}
		s.Referrals = refs
		ref := oikostest.AcceptedReferralOf(t, d, oikostest.Margaret).ID
		today := time.Now().UTC().Format(time.DateOnly)

		for _, outcome := range []string{"no_answer", "left_message", "wrong_number"} {
			c, err := s.RecordContact(ctx, worker, ref, casework.ContactInput{At: today, Mode: "phone", Outcome: outcome})
			if err != nil || c.Outcome != outcome {
				t.Fatalf("%s: %+v %v", outcome, c, err)
			}
		}
		if r, _ := refs.Get(ctx, ref); r.FirstContactAt != nil || r.Status != referral.Accepted || len(changes) != 0 {
			t.Fatalf("unanswered calls counted: %+v %v", r, changes)
		}
		if _, err := s.RecordContact(ctx, worker, ref, casework.ContactInput{At: today, Mode: "phone", Outcome: "answered"}); fields(err)["outcome"] == "" {
			t.Fatalf("bad outcome: %v", err)
		}
		// Reached (the default): first contact, and contacted, at once.
		c, err := s.RecordContact(ctx, worker, ref, casework.ContactInput{At: today, Mode: "phone", DurationMinutes: 10})
		if err != nil || c.Outcome != casework.OutcomeReached {
			t.Fatalf("reached: %+v %v", c, err)
		}
		r, _ := refs.Get(ctx, ref)
		if r.FirstContactAt == nil || r.Status != referral.Contacted || len(changes) != 1 || changes[0].To != referral.Contacted {
			t.Fatalf("after reaching them: %+v %v", r, changes)
		}
		// Reached again: nothing more to move.
		if _, err := s.RecordContact(ctx, worker, ref, casework.ContactInput{At: today, Mode: "in_person"}); err != nil || len(changes) != 1 {
			t.Fatalf("again: %v %v", err, changes)
		}
		list, err := s.Contacts(ctx, worker, ref)
		if err != nil || len(list) != 5 {
			t.Fatalf("list: %+v %v", list, err)
		}
		outcomes := map[string]int{}
		for _, c := range list {
			outcomes[c.Outcome]++
		}
		if outcomes["reached"] != 2 || outcomes["no_answer"] != 1 || outcomes["wrong_number"] != 1 {
			t.Fatalf("outcomes %v", outcomes)
		}

		// When the status cannot move (its hook fails), the contact is not
		// kept either: one transaction.
		other := oikostest.AcceptedReferralOf(t, d, oikostest.Margaret).ID
		refs.OnChange = func(ctx context.Context, tx *sql.Tx, c referral.Change) error { return errors.New("outbox full") }
		if _, err := s.RecordContact(ctx, worker, other, casework.ContactInput{At: today, Mode: "phone"}); err == nil {
			t.Fatal("recorded although the status could not move")
		}
		if list, _ := s.Contacts(ctx, worker, other); len(list) != 0 {
			t.Fatalf("half stored: %+v", list)
		}
		if r, _ := refs.Get(ctx, other); r.FirstContactAt != nil || r.Status != referral.Accepted {
			t.Fatalf("half moved: %+v", r)
		}
	})
}

// TestTriageOverdue: a routine referral is overdue after 5 working days
// waiting, an urgent one after 1; weekends do not count.
func TestTriageOverdue(t *testing.T) {
	monday := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		urgency string
		days    int
		want    bool
	}{
		{"routine", 0, false},
		{"routine", 7, false}, // the next Monday: 5 working days
		{"routine", 8, true},
		{"urgent", 1, false},
		{"urgent", 2, true},
		{"urgent", 5, true},
	} {
		if got := casework.TriageOverdue(c.urgency, monday, monday.AddDate(0, 0, c.days)); got != c.want {
			t.Errorf("%s after %d days: overdue %v, want %v", c.urgency, c.days, got, c.want)
		}
	}
	friday := time.Date(2026, 3, 6, 10, 0, 0, 0, time.UTC)
	if casework.TriageOverdue("urgent", friday, friday.AddDate(0, 0, 3)) {
		t.Error("urgent, Friday to Monday: overdue over a weekend")
	}
}

// TestTriageOverdueBefore: the moment that counts a queue's overdue
// referrals in SQL agrees with TriageOverdue for every referral, on every
// day of the week, either side of midnight and of the clocks changing.
func TestTriageOverdueBefore(t *testing.T) {
	for _, start := range []time.Time{
		time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC),   // a Monday in GMT
		time.Date(2026, 3, 25, 23, 30, 0, 0, time.UTC), // the clocks go forward on the Sunday after
		time.Date(2026, 7, 10, 23, 30, 0, 0, time.UTC), // a Friday, 00:30 on Saturday in BST
		time.Date(2026, 10, 23, 0, 15, 0, 0, time.UTC), // the clocks go back that weekend
	} {
		for day := range 9 {
			now := start.AddDate(0, 0, day)
			for _, urgency := range []string{"urgent", "routine"} {
				before := casework.TriageOverdueBefore(urgency, now)
				// Every half hour over the last three weeks.
				for received := now; received.After(now.AddDate(0, 0, -21)); received = received.Add(-30 * time.Minute) {
					if want := casework.TriageOverdue(urgency, received, now); received.Before(before) != want {
						t.Fatalf("%s, now %s, received %s: before %s says %v, TriageOverdue %v", urgency, now, received, before, !want, want)
					}
				}
			}
		}
	}
}
