package report

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"oikos"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/outcome"
)

func TestParsePeriod(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	cases := []struct {
		from, to         string
		wantFrom, wantTo string
		field            string
	}{
		{"2026-01-01", "2026-03-31", "2026-01-01", "2026-03-31", ""},
		// Whole months: the last twelve, this one included.
		{"", "", "2025-12-01", "2026-11-30", ""},
		{"", "2026-03-31", "2025-04-01", "2026-03-31", ""},
		{"2026-05-01", "", "2026-05-01", "2026-11-30", ""},
		{"2026-05-01", "2026-05-01", "2026-05-01", "2026-05-31", ""},
		// January to 1 February is January and February.
		{"2026-01-01", "2026-02-01", "2026-01-01", "2026-02-28", ""},
		{"2026-01-15", "2026-01-20", "2026-01-01", "2026-01-31", ""},
		{"2024-02-10", "2024-02-10", "2024-02-01", "2024-02-29", ""},
		{"2016-01-01", "2025-12-31", "2016-01-01", "2025-12-31", ""},
		{"2016-01-31", "2025-12-01", "2016-01-01", "2025-12-31", ""},
		{"2016-01-01", "2026-01-01", "", "", "to"},
		{"2026-05-02", "2026-05-01", "", "", "from"},
		{"2026-13-01", "2026-05-01", "", "", "from"},
		{"1/5/2026", "", "", "", "from"},
		{"2026-01-01", "tomorrow", "", "", "to"},
		{"0001-01-01", "0001-01-02", "", "", "from"},
	}
	for _, c := range cases {
		p, err := ParsePeriod(c.from, c.to, now)
		if c.field != "" {
			var e *oikos.Error
			if !errors.As(err, &e) || e.Code != oikos.EINVALID || e.Fields[c.field] == "" {
				t.Errorf("ParsePeriod(%q, %q) = %v, want a problem with %s", c.from, c.to, err, c.field)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParsePeriod(%q, %q): %v", c.from, c.to, err)
			continue
		}
		if got := p.From.Format(time.DateOnly) + " " + p.To.Format(time.DateOnly); got != c.wantFrom+" "+c.wantTo {
			t.Errorf("ParsePeriod(%q, %q) = %s", c.from, c.to, got)
		}
	}
}

func FuzzParsePeriod(f *testing.F) {
	for _, s := range [][2]string{{"2026-01-01", "2026-03-31"}, {"", ""}, {"2026-13-01", "x"}, {"9999-12-31", "0000-01-01"}} {
		f.Add(s[0], s[1])
	}
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, from, to string) {
		p, err := ParsePeriod(from, to, now)
		if err != nil {
			var e *oikos.Error
			if !errors.As(err, &e) || e.Code != oikos.EINVALID || len(e.Fields) == 0 {
				t.Fatalf("error %v is not a problem naming a field", err)
			}
			return
		}
		if p.From.After(p.To) || p.To.After(p.From.AddDate(MaxPeriod, 0, 0)) {
			t.Fatalf("accepted %v", p)
		}
		if p.From.Day() != 1 || p.To.AddDate(0, 0, 1).Day() != 1 {
			t.Fatalf("not whole months: %v", p)
		}
	})
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		hist []bucket
		want float64
	}{
		{nil, 0},
		{[]bucket{{3, 1}}, 3},
		{[]bucket{{1, 1}, {5, 1}}, 3},
		{[]bucket{{1, 2}, {4, 1}, {9, 1}}, 2.5},
		{[]bucket{{0, 4}, {10, 1}, {20, 4}}, 10},
	} {
		if got := median(c.hist); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.hist, got, c.want)
		}
	}
	got := mergeBuckets([]bucket{{1, 2}, {4, 1}, {9, 1}}, []bucket{{0, 1}, {4, 2}, {10, 3}})
	if want := []bucket{{0, 1}, {1, 2}, {4, 3}, {9, 1}, {10, 3}}; !slices.Equal(got, want) {
		t.Errorf("mergeBuckets = %v, want %v", got, want)
	}
}

// summarySeed writes referrals, connections, measures and services
// straight into the tables.
type summarySeed struct {
	t *testing.T
	d *db.DB
	n int
}

func (s *summarySeed) exec(q string, args ...any) {
	s.t.Helper()
	if _, err := s.d.Exec(context.Background(), q, args...); err != nil {
		s.t.Fatal(err)
	}
}

// refer adds a referral received at the time given, from source in
// organisation org (none when ""), now at status, first contacted after
// contactDays (none when negative). It returns the referral's id.
func (s *summarySeed) refer(at time.Time, source, org, status string, contactDays float64) string {
	s.t.Helper()
	s.n++
	person, ref := fmt.Sprintf("per_%d", s.n), fmt.Sprintf("ref_%d", s.n)
	ms := db.Millis(at)
	s.exec(`INSERT INTO people (id, given_name, family_name, date_of_birth, created_at, updated_at)
		VALUES ($1, 'A', 'B', '1950-01-01', $2, $2)`, person, ms)
	var orgID, contact any
	if org != "" {
		orgID = org
	}
	if contactDays >= 0 {
		contact = ms + int64(contactDays*86_400_000)
	}
	s.exec(`INSERT INTO referrals (id, reference, person_id, status, source_type, source_organisation_id, consent_given, consent_share, consent_by, consent_at, received_at, first_contact_at, updated_at)
		VALUES ($1, $1, $2, $3, $4, $5, TRUE, FALSE, 'person', $6, $6, $7, $6)`, ref, person, status, source, orgID, ms, contact)
	return ref
}

func (s *summarySeed) connect(ref, service, org, status string, at time.Time) {
	s.t.Helper()
	s.n++
	s.exec(`INSERT INTO connections (id, referral_id, service_id, organisation_id, kind, status, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, 'supported', $5, 'usr_lw', $6, $6)`, fmt.Sprintf("con_%d", s.n), ref, service, org, status, db.Millis(at))
}

func (s *summarySeed) measure(ref, instrument, timepoint string, at time.Time, score string) {
	s.t.Helper()
	s.n++
	var sc outcome.Score
	if err := json.Unmarshal([]byte(score), &sc); err != nil {
		s.t.Fatal(err)
	}
	err := s.d.Tx(context.Background(), func(tx *sql.Tx) error {
		return outcome.Insert(context.Background(), tx, ref, outcome.Measure{ID: fmt.Sprintf("mea_%d", s.n), Instrument: instrument,
			Timepoint: timepoint, Answers: []int{}, Score: sc, RecordedAt: at, By: "usr_lw"})
	})
	if err != nil {
		s.t.Fatal(err)
	}
}

func intp(n int) *int { return &n }

func show(p any) string {
	switch v := p.(type) {
	case *int:
		if v == nil {
			return "null"
		}
		return fmt.Sprint(*v)
	case *float64:
		if v == nil {
			return "null"
		}
		return FormatNumber(*v)
	}
	return fmt.Sprint(p)
}

func TestSummary(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := &summarySeed{t: t, d: d}
		day := func(m time.Month, dd int) time.Time { return time.Date(2026, m, dd, 10, 0, 0, 0, time.UTC) }
		s.exec(`INSERT INTO organisations (id, name, kind, created_at, updated_at) VALUES
			('org_gp1', 'Practice One', 'gp_practice', 0, 0), ('org_gp2', 'Practice Two', 'gp_practice', 0, 0),
			('org_vcse', 'Walkers', 'vcse', 0, 0), ('org_arts', 'Arts', 'vcse', 0, 0)`)
		s.exec(`INSERT INTO services (id, organisation_id, name, citizen_led, started_on, status, last_checked_at, created_at, updated_at) VALUES
			('svc_walk', 'org_vcse', 'Walk', TRUE, '2026-02-01', 'active', 0, 0, 0),
			('svc_paint', 'org_arts', 'Paint', FALSE, '2020-01-01', 'active', 0, 0, 0),
			('svc_sing', 'org_arts', 'Sing', TRUE, '', 'active', 0, $1, 0),
			('svc_gone', 'org_arts', 'Gone', TRUE, '2026-03-01', 'closed', 0, 0, 0)`, db.Millis(day(3, 1)))

		// In the period (2026-01-01 to 2026-06-30): 20 from GPs (two
		// practices), 7 self-referrals, 2 from social workers (small).
		var refs []string
		for i := range 20 {
			org := "org_gp1"
			if i%2 == 1 {
				org = "org_gp2"
			}
			status := "closed"
			if i < 6 {
				status = "active"
			}
			refs = append(refs, s.refer(day(1, 1+i), "gp", org, status, float64(i%5+1)))
		}
		for i := range 7 {
			refs = append(refs, s.refer(day(2, 1+i), "self", "", "received", -1))
		}
		for i := range 2 {
			refs = append(refs, s.refer(day(3, 1+i), "social_worker", "", "accepted", 0.5))
		}
		// Outside the period: not counted.
		old := s.refer(time.Date(2025, 12, 31, 23, 59, 0, 0, time.UTC), "nurse", "", "closed", 1)
		s.refer(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), "nurse", "", "received", -1)

		// Connections: 8 attending-or-done, 3 declined (small), one outside.
		for i := range 8 {
			s.connect(refs[i], "svc_walk", "org_vcse", "completed", day(2, 1+i))
		}
		for i := range 3 {
			s.connect(refs[8+i], "svc_paint", "org_arts", "declined", day(2, 1+i))
		}
		s.connect(old, "svc_paint", "org_arts", "sent", time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC))

		// Friends: 6 pairs, 4 improved by at least one friend; the latest
		// follow-up in the period counts, and an earlier review is passed over.
		friends := [][2]int{{0, 2}, {1, 3}, {1, 1}, {2, 4}, {0, 1}, {3, 2}}
		for i, f := range friends {
			s.measure(refs[i], "friends", "baseline", day(1, 10), fmt.Sprintf(`{"close_friends": %d}`, f[0]))
			s.measure(refs[i], "friends", "review", day(3, 10), `{"close_friends": 9}`)
			s.measure(refs[i], "friends", "exit", day(5, 10), fmt.Sprintf(`{"close_friends": %d}`, f[1]))
		}
		// A follow-up with no baseline, and one after the period: no pair.
		s.measure(refs[10], "friends", "review", day(3, 10), `{"close_friends": 5}`)
		s.measure(refs[11], "friends", "baseline", day(3, 10), `{"close_friends": 5}`)
		s.measure(refs[11], "friends", "exit", time.Date(2026, 7, 2, 0, 0, 0, 0, time.UTC), `{"close_friends": 6}`)
		// ONS4: 5 pairs; improved means some item better and none worse.
		ons := [][2]string{
			{`{"life_satisfaction":4,"worthwhile":5,"happiness":4,"anxiety":6}`, `{"life_satisfaction":6,"worthwhile":5,"happiness":4,"anxiety":6}`}, // better
			{`{"life_satisfaction":4,"worthwhile":5,"happiness":4,"anxiety":6}`, `{"life_satisfaction":6,"worthwhile":5,"happiness":4,"anxiety":8}`}, // anxiety worse
			{`{"life_satisfaction":5,"worthwhile":5,"happiness":5,"anxiety":5}`, `{"life_satisfaction":5,"worthwhile":5,"happiness":5,"anxiety":3}`}, // anxiety better
			{`{"life_satisfaction":3,"worthwhile":5,"happiness":4,"anxiety":6}`, `{"life_satisfaction":3,"worthwhile":5,"happiness":4,"anxiety":6}`}, // same
			{`{"life_satisfaction":2,"worthwhile":5,"happiness":4,"anxiety":6}`, `{"life_satisfaction":7,"worthwhile":6,"happiness":5,"anxiety":5}`}, // better
		}
		for i, o := range ons {
			s.measure(refs[i], "ons4", "baseline", day(1, 10), o[0])
			s.measure(refs[i], "ons4", "review", day(4, 10), o[1])
		}
		// SWEMWBS: 3 pairs, too few to show.
		for i := range 3 {
			s.measure(refs[i], "swemwbs", "baseline", day(1, 10), `{"raw": 20, "metric": 18.59}`)
			s.measure(refs[i], "swemwbs", "review", day(4, 10), `{"raw": 22, "metric": 19.98}`)
		}

		p, err := ParsePeriod("2026-01-01", "2026-06-30", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		sum, err := Summarise(context.Background(), d, p, Viewer{UserID: "usr_manager", Client: "127.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		r := sum.Referrals
		got := map[string]string{
			"referrals.total":                        show(r.Total),
			"referrals.by_source_type.gp":            show(r.BySourceType["gp"]),
			"referrals.by_source_type.self":          show(r.BySourceType["self"]),
			"referrals.by_source_type.social_worker": show(r.BySourceType["social_worker"]),
			"referrals.by_source_type.nurse":         show(r.BySourceType["nurse"]),
			"referrals.distinct_sources":             fmt.Sprint(r.DistinctSources),
			"referrals.by_status.active":             show(r.ByStatus["active"]),
			"referrals.by_status.closed":             show(r.ByStatus["closed"]),
			"referrals.by_status.received":           show(r.ByStatus["received"]),
			"referrals.by_status.accepted":           show(r.ByStatus["accepted"]),
			"referrals.contacted":                    show(r.Contacted),
			"referrals.median":                       show(r.MedianDaysToFirstContact),
			"connections.total":                      show(sum.Connections.Total),
			"connections.by_status.completed":        show(sum.Connections.ByStatus["completed"]),
			"connections.by_status.declined":         show(sum.Connections.ByStatus["declined"]),
			"connections.by_status.sent":             show(sum.Connections.ByStatus["sent"]),
			"connections.partners_receiving":         fmt.Sprint(sum.Connections.PartnersReceiving),
			"friends.pairs":                          show(sum.Outcomes["friends"].Pairs),
			"friends.baseline_mean":                  show(sum.Outcomes["friends"].BaselineMean),
			"friends.latest_mean":                    show(sum.Outcomes["friends"].LatestMean),
			"friends.mean_change":                    show(sum.Outcomes["friends"].MeanChange),
			"friends.improved":                       show(sum.Outcomes["friends"].Improved),
			"ons4.pairs":                             show(sum.Outcomes["ons4"].Pairs),
			"ons4.baseline_mean":                     show(sum.Outcomes["ons4"].BaselineMean),
			"ons4.improved":                          show(sum.Outcomes["ons4"].Improved),
			"swemwbs.pairs":                          show(sum.Outcomes["swemwbs"].Pairs),
			"swemwbs.baseline_mean":                  show(sum.Outcomes["swemwbs"].BaselineMean),
			"ucla3.pairs":                            show(sum.Outcomes["ucla3"].Pairs),
			"ucla3.baseline_mean":                    show(sum.Outcomes["ucla3"].BaselineMean),
			"services":                               fmt.Sprint(sum.Services.Total, " ", sum.Services.CitizenLed, " ", sum.Services.NewInPeriod),
		}
		// Each month is protected on its own and the period shows a count
		// only where every month does (see Period): January has the 20 GP
		// referrals, February the 7 self-referrals, March the 2 from social
		// workers, so March hides those 2, and with them its total, its
		// accepted and its contacted: the period's total (29) is hidden,
		// else it minus January and February would give March's 2.
		want := map[string]string{
			"referrals.total":               "null", // March's total is 2
			"referrals.by_source_type.gp":   "20",
			"referrals.by_source_type.self": "7", // shown in February, its only month

			"referrals.by_source_type.social_worker": "null", // 2: small
			"referrals.by_source_type.nurse":         "0",
			"referrals.distinct_sources":             "2",
			"referrals.by_status.active":             "6",

			"referrals.by_status.closed":      "14",
			"referrals.by_status.received":    "7",
			"referrals.by_status.accepted":    "null", // 2: small
			"referrals.contacted":             "null", // 2 in March
			"referrals.median":                "null", // with it
			"connections.total":               "11",
			"connections.by_status.completed": "null", // second cell: 3 declined would be 11 - 8
			"connections.by_status.declined":  "null",
			"connections.by_status.sent":      "0",
			"connections.partners_receiving":  "2",
			// Each month's latest follow-up of each referral is a pair: the
			// 6 reviews in March (9 friends each) and the 6 exits in May.
			"friends.pairs":         "12",
			"friends.baseline_mean": "1.17",
			"friends.latest_mean":   "5.58",
			"friends.mean_change":   "4.42",
			"friends.improved":      "null", // 4 of May's 6 improved: small
			"ons4.pairs":            "5",
			"ons4.baseline_mean":    "3.6",
			"ons4.improved":         "null", // 3, small
			"swemwbs.pairs":         "null",
			"swemwbs.baseline_mean": "null",
			"ucla3.pairs":           "0",
			"ucla3.baseline_mean":   "null",
			// Walk started in the period, Sing was added in it; Gone is closed.
			"services": "3 2 2",
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s = %s, want %s", k, got[k], w)
			}
		}
		for _, p := range []string{
			"referrals.by_source_type.social_worker", "referrals.total",
			"referrals.by_status.accepted", "referrals.contacted", "referrals.median_days_to_first_contact",
			"connections.by_status.declined", "connections.by_status.completed",
			"outcomes.friends.improved", "outcomes.friends.improved_share",
			"outcomes.swemwbs.pairs", "outcomes.swemwbs.baseline_mean",
		} {
			if !slices.Contains(sum.Suppressed, p) {
				t.Errorf("suppressed %v lacks %s", sum.Suppressed, p)
			}
		}
		if slices.Contains(sum.Suppressed, "outcomes.ucla3.baseline_mean") {
			t.Errorf("a mean over no pairs is not suppressed, just absent")
		}

		// The JSON carries nulls for the hidden cells and the list.
		js, err := json.Marshal(sum)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []string{`"social_worker":null`, `"total":null`, `"total":11`, `"suppressed":["`, `"partners_receiving":2`,
			`"period":{"from":"2026-01-01","to":"2026-06-30"}`} {
			if !bytes.Contains(js, []byte(w)) {
				t.Errorf("JSON lacks %s: %s", w, js)
			}
		}

		// The CSV says the same.
		var buf bytes.Buffer
		if err := sum.WriteCSV(&buf); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		csvOf := map[string][2]string{}
		for _, row := range rows[1:] {
			csvOf[row[0]] = [2]string{row[1], row[2]}
		}
		for path, w := range map[string][2]string{
			"referrals.total":                        {"", NoteSuppressed},
			"referrals.by_source_type.self":          {"7", ""},
			"referrals.by_source_type.social_worker": {"", NoteSuppressed},
			"referrals.median_days_to_first_contact": {"", NoteSuppressed},
			"outcomes.friends.mean_change":           {"4.42", ""},
			"outcomes.ucla3.baseline_mean":           {"", NoteNoData},
			"services.citizen_led":                   {"2", ""},
			"period.from":                            {"2026-01-01", ""},
		} {
			if csvOf[path] != w {
				t.Errorf("CSV %s = %q, want %q", path, csvOf[path], w)
			}
		}
		if strings.Join(rows[0], ",") != "path,value,note" {
			t.Errorf("CSV header %v", rows[0])
		}

		// January and February alone: the 20 GP referrals, contacted after
		// 1..5 days (4 of each), their median 3 days from the months'
		// histograms added up; the 7 self-referrals not yet.
		early, err := Summarise(context.Background(), d, period(t, "2026-01-01", "2026-02-28"), Viewer{})
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(show(early.Referrals.Total), " ", show(early.Referrals.Contacted), " ", show(early.Referrals.MedianDaysToFirstContact)); got != "27 20 3" {
			t.Errorf("January and February: total, contacted, median = %s, want 27 20 3", got)
		}

		// The read is in the audit log, once, as a report.
		var n int
		if err := d.R().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_log
			WHERE object_kind = 'report' AND object_id = 'summary:2026-01-01..2026-06-30' AND actor_id = 'usr_manager'`).Scan(&n); err != nil || n != 1 {
			t.Errorf("audit entries %d, %v", n, err)
		}
	})
}

// An empty scheme reports zeros, not errors, and hides nothing.
func TestSummaryEmpty(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		p, _ := ParsePeriod("", "", time.Now())
		sum, err := Summarise(context.Background(), d, p, Viewer{})
		if err != nil {
			t.Fatal(err)
		}
		if show(sum.Referrals.Total) != "0" || sum.Referrals.MedianDaysToFirstContact != nil || len(sum.Suppressed) != 0 {
			t.Errorf("empty summary: %+v", sum)
		}
		_ = intp
	})
}
