package casework_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"oikos"
	"oikos/internal/casework"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/oikostest"
)

func goodConversation() casework.ConversationInput {
	return casework.ConversationInput{HeldAt: "2026-06-30", Mode: "home_visit",
		Needs:       []casework.NeedInput{{Code: "loneliness", Priority: 1}, {Code: "money_worries", Priority: 2}},
		Strengths:   []string{" Loves gardening ", "", "Good with people"},
		WhatMatters: "Seeing people again, and getting my garden back.", Interests: "Roses, crosswords"}
}

func TestConversationValidate(t *testing.T) {
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		change func(in *casework.ConversationInput)
		fields []string
	}{
		{"good", func(in *casework.ConversationInput) {}, nil},
		{"no needs or strengths", func(in *casework.ConversationInput) { in.Needs, in.Strengths = nil, nil }, nil},
		{"held today", func(in *casework.ConversationInput) { in.HeldAt = "2026-07-01" }, nil},
		{"held tomorrow", func(in *casework.ConversationInput) { in.HeldAt = "2026-07-02" }, []string{"held_at"}},
		{"held at a time", func(in *casework.ConversationInput) { in.HeldAt = "2026-06-30T10:00:00Z" }, nil},
		{"held at a time with a zone", func(in *casework.ConversationInput) { in.HeldAt = "2026-06-30T10:00:00+01:00" }, nil},
		{"held at a UK time", func(in *casework.ConversationInput) { in.HeldAt = "2026-06-30T10:00" }, nil},
		{"held later today", func(in *casework.ConversationInput) { in.HeldAt = "2026-07-01T18:00:00Z" }, []string{"held_at"}},
		{"held at no real time", func(in *casework.ConversationInput) { in.HeldAt = "2026-06-30T25:00:00Z" }, []string{"held_at"}},
		{"no date", func(in *casework.ConversationInput) { in.HeldAt = "" }, []string{"held_at"}},
		{"letter is not a conversation", func(in *casework.ConversationInput) { in.Mode = "letter" }, []string{"mode"}},
		{"unknown need", func(in *casework.ConversationInput) { in.Needs[1].Code = "boredom" }, []string{"needs[1].code"}},
		{"need twice", func(in *casework.ConversationInput) { in.Needs[1].Code = "loneliness" }, []string{"needs[1].code"}},
		{"priority 0 and 4", func(in *casework.ConversationInput) { in.Needs[0].Priority, in.Needs[1].Priority = 0, 4 },
			[]string{"needs[0].priority", "needs[1].priority"}},
		{"what matters is required", func(in *casework.ConversationInput) { in.WhatMatters = "  " }, []string{"what_matters"}},
		{"long strength", func(in *casework.ConversationInput) { in.Strengths[2] = strings.Repeat("a", 201) }, []string{"strengths[2]"}},
		{"too many strengths", func(in *casework.ConversationInput) { in.Strengths = strings.Split(strings.Repeat("a,", 31), ",") }, []string{"strengths"}},
		{"control characters", func(in *casework.ConversationInput) { in.Interests, in.Notes = "\x1b[2J", "ok\nfine\x07" }, []string{"interests", "notes"}},
		{"baseline ons4", func(in *casework.ConversationInput) {
			in.Baseline = []casework.BaselineInput{{Instrument: "ons4", Answers: []float64{5, 6, 4, 7}}, {Instrument: "ucla3", Answers: []float64{3, 3, 2}}}
		}, nil},
		{"baseline wrong", func(in *casework.ConversationInput) {
			in.Baseline = []casework.BaselineInput{{Instrument: "ons4", Answers: []float64{5, 11, 4, 7}}, {Instrument: "ons4", Answers: []float64{1}},
				{Instrument: "phq9", Answers: []float64{1}}}
		}, []string{"baseline[0].answers[1]", "baseline[1].answers", "baseline[1].instrument", "baseline[2].instrument"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := goodConversation()
			tt.change(&in)
			needs, measures, err := in.Validate(now)
			f := fields(err)
			if (err != nil) != (len(tt.fields) > 0) || len(f) != len(tt.fields) {
				t.Fatalf("got %v, want %v", err, tt.fields)
			}
			for _, name := range tt.fields {
				if f[name] == "" {
					t.Errorf("no message for %s: %v", name, f)
				}
			}
			if err == nil && (needs == nil || len(measures) != len(in.Baseline)) {
				t.Errorf("needs %v measures %v", needs, measures)
			}
		})
	}
	in := goodConversation()
	needs, _, _ := in.Validate(now)
	if len(in.Strengths) != 2 || in.Strengths[0] != "Loves gardening" || needs[1].Domain != "economic" || needs[0].Label != "Loneliness" {
		t.Errorf("tidied: %+v %+v", in.Strengths, needs)
	}
}

func TestConversationStore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := casework.NewStore(d)
		ref := oikostest.AcceptedReferralOf(t, d, oikostest.Margaret).ID
		in := goodConversation()
		in.HeldAt = "2025-01-10"
		in.Baseline = []casework.BaselineInput{{Instrument: "ons4", Answers: []float64{5, 6, 4, 7}}}
		older, err := s.RecordConversation(ctx, worker, ref, in)
		if err != nil || older.ID == "" || len(older.Baseline) != 1 || older.Baseline[0].ID == "" {
			t.Fatalf("record: %+v %v", older, err)
		}
		newer := goodConversation()
		newer.HeldAt = time.Now().UTC().Format(time.DateOnly)
		newer.Strengths = nil
		if _, err := s.RecordConversation(ctx, worker, ref, newer); err != nil {
			t.Fatal(err)
		}
		list, err := s.Conversations(ctx, worker, ref)
		if err != nil || len(list) != 2 || list[1].ID != older.ID || list[0].HeldAt != newer.HeldAt {
			t.Fatalf("list: %+v %v", list, err)
		}
		got := list[1]
		if got.WhatMatters != in.WhatMatters || len(got.Needs) != 2 || got.Needs[0].Label != "Loneliness" || got.Needs[1].Priority != 2 ||
			len(got.Strengths) != 2 || got.Interests != "Roses, crosswords" || got.By != worker.UserID || got.Mode != "home_visit" {
			t.Fatalf("read back: %+v", got)
		}
		if list[0].Strengths == nil || len(list[0].Strengths) != 0 {
			t.Fatalf("no strengths should read as an empty list: %#v", list[0].Strengths)
		}
		var instrument, timepoint, answers, score string
		if err := d.R().QueryRowContext(ctx, "SELECT instrument, timepoint, answers, score FROM measures WHERE referral_id = $1", ref).
			Scan(&instrument, &timepoint, &answers, &score); err != nil || instrument != "ons4" || timepoint != "baseline" || answers != "[5,6,4,7]" || score != "{}" {
			t.Fatalf("measure row: %s %s %s %s %v", instrument, timepoint, answers, score, err)
		}

		// A bad baseline writes neither the conversation nor any measure.
		bad := goodConversation()
		bad.Baseline = []casework.BaselineInput{{Instrument: "ons4", Answers: []float64{1, 2, 3, 4}}, {Instrument: "swemwbs", Answers: []float64{9}}}
		if _, err := s.RecordConversation(ctx, worker, ref, bad); fields(err)["baseline[1].answers"] == "" {
			t.Fatalf("bad baseline: %v", err)
		}
		var n int
		d.R().QueryRowContext(ctx, "SELECT (SELECT COUNT(*) FROM measures) + (SELECT COUNT(*) FROM conversations)").Scan(&n)
		if n != 3 {
			t.Fatalf("half-written: %d rows", n)
		}
		closeReferral(t, d, ref)
		if _, err := s.RecordConversation(ctx, worker, ref, goodConversation()); oikos.ErrorCode(err) != oikos.ECONFLICT {
			t.Fatalf("closed: %v", err)
		}
		if _, err := s.Conversations(ctx, worker, "ref_nobody"); oikos.ErrorCode(err) != oikos.ENOTFOUND {
			t.Fatalf("unknown referral: %v", err)
		}
		assertAudit(t, d, ref, "referral.conversations", map[string]int{"read": 1, "create": 2})
		assertAudit(t, d, ref, "referral.measures", map[string]int{"create": 1})
	})
}

// TestHeldOn: a conversation is kept by its day in the UK, whichever way
// its time is written.
func TestHeldOn(t *testing.T) {
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct{ in, day string }{
		{"2026-06-30", "2026-06-30"},
		{" 2026-06-30 ", "2026-06-30"},
		{"2026-06-30T10:00:00Z", "2026-06-30"},
		{"2026-06-30T23:30:00Z", "2026-07-01"}, // half past midnight in London (BST)
		{"2026-07-01T00:30:00+02:00", "2026-06-30"},
		{"2026-01-15T23:30:00Z", "2026-01-15"}, // GMT in winter
		{"2026-06-30T10:00", "2026-06-30"},
		{"2026-07-01T12:03:00Z", "2026-07-01"}, // a few minutes' grace for clocks
		{"2026-07-01T13:00:00Z", ""},
		{"2026-07-02", ""},
		{"1999-12-31", ""},
		{"30/06/2026", ""},
		{"2026-06-30T10:00:00", ""},
		{"", ""},
	} {
		day, msg := casework.HeldOn(c.in, now)
		if day != c.day || (day == "") != (msg != "") {
			t.Errorf("HeldOn(%q) = %q, %q; want %q", c.in, day, msg, c.day)
		}
	}
}
