package report

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"oikos/internal/connection"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// Differencing across periods. A reader may ask for any whole months, so
// the tests below ask for every period of a few months over random data
// and check, for every count of people, what a reader doing sums could
// learn: a count is shown for a period only where it is shown for each of
// its months, and is then their sum. So for any two periods one inside the
// other, both showing a count, the difference is the count of the months
// between, each shown in its own report: nothing any report hides.

// periodCounts is a published report's counts of people by path, nil where
// hidden.
type periodCounts map[string]*int

// checkDifferencing checks the rule over every period of n months, given
// the counts a report shows for months a..b (0-based, both included).
func checkDifferencing(t *testing.T, n int, report func(a, b int) periodCounts) {
	t.Helper()
	reports := map[[2]int]periodCounts{}
	for a := range n {
		for b := a; b < n; b++ {
			reports[[2]int{a, b}] = report(a, b)
		}
	}
	for a := range n {
		for b := a; b < n; b++ {
			p := reports[[2]int{a, b}]
			for path, v := range p {
				sum, hiddenIn := 0, -1
				for m := a; m <= b; m++ {
					mv, ok := reports[[2]int{m, m}][path]
					switch {
					case ok && mv == nil:
						hiddenIn = m
					case ok:
						sum += *mv
					}
				}
				switch {
				case hiddenIn >= 0 && v != nil:
					t.Fatalf("months %d..%d show %s = %d, though month %d hides it", a, b, path, *v, hiddenIn)
				case hiddenIn < 0 && v == nil:
					t.Fatalf("months %d..%d hide %s, though every month shows it", a, b, path)
				case v != nil && *v != sum:
					t.Fatalf("months %d..%d show %s = %d, not the sum of the months, %d", a, b, path, *v, sum)
				}
			}
			// Every period inside this one, and the one or two periods
			// that make up the difference: where both show a count, so do
			// the pieces, and they add up.
			for c := a; c <= b; c++ {
				for d := c; d <= b; d++ {
					if c == a && d == b {
						continue
					}
					q := reports[[2]int{c, d}]
					var pieces []periodCounts
					if c > a {
						pieces = append(pieces, reports[[2]int{a, c - 1}])
					}
					if d < b {
						pieces = append(pieces, reports[[2]int{d + 1, b}])
					}
					for path, v := range p {
						w, ok := q[path]
						if v == nil || !ok || w == nil {
							continue
						}
						diff := *v - *w
						for _, piece := range pieces {
							x, ok := piece[path]
							if !ok {
								continue
							}
							if x == nil {
								t.Fatalf("months %d..%d minus %d..%d gives %s = %d where a piece of the difference hides it", a, b, c, d, path, diff)
							}
							diff -= *x
						}
						if diff != 0 {
							t.Fatalf("months %d..%d minus %d..%d: %s does not add up (%d left)", a, b, c, d, path, diff)
						}
					}
				}
			}
		}
	}
}

// smallish draws a count, often small or zero, as in a small scheme's month.
func smallish(r *rand.Rand) int {
	return []int{0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 9, 12, 20}[r.IntN(14)]
}

var testMonth0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func monthsPeriod(a, b int) Period {
	return Period{From: testMonth0.AddDate(0, a, 0), To: testMonth0.AddDate(0, b+1, -1)}
}

func randomSummaryMonth(r *rand.Rand) raw {
	m := newRaw()
	sources := []string{"gp", "self", "nurse", "social_worker"}
	statuses := []string{"received", "accepted", "active", "closed"}
	for range smallish(r) + smallish(r) {
		m.referrals++
		m.bySource[sources[r.IntN(len(sources))]]++
		m.byStatus[statuses[r.IntN(len(statuses))]]++
		if r.IntN(3) > 0 {
			m.contacted++
			m.firstContact = mergeBuckets(m.firstContact, []bucket{{float64(r.IntN(50)), 1}})
		}
	}
	for range smallish(r) {
		m.connections++
		m.connByStatus[[]string{"sent", "accepted", "declined"}[r.IntN(3)]]++
	}
	for _, in := range []string{"ons4", "friends"} {
		pairs := smallish(r)
		improved := 0
		if pairs > 0 {
			improved = r.IntN(pairs + 1)
		}
		m.outcomes[in] = rawOutcome{pairs: pairs, improved: improved, baselineSum: float64(pairs * 3), latestSum: float64(pairs*3 + improved)}
	}
	return m
}

// summaryCounts are the summary's counts of people, read from its figures.
func summaryCounts(s *Summary) periodCounts {
	out := periodCounts{}
	for _, f := range s.Figures() {
		p := f.Path
		people := strings.HasPrefix(p, "referrals.by_") || strings.HasPrefix(p, "connections.by_status.") ||
			slices.Contains([]string{"referrals.total", "referrals.contacted", "connections.total"}, p) ||
			(strings.HasPrefix(p, "outcomes.") && (strings.HasSuffix(p, ".pairs") || strings.HasSuffix(p, ".improved")))
		if !people {
			continue
		}
		switch {
		case f.Note == NoteSuppressed:
			out[p] = nil
		case f.Value != "":
			n, err := strconv.Atoi(f.Value)
			if err != nil {
				panic(p + " is not a count: " + f.Value)
			}
			out[p] = &n
		}
	}
	return out
}

func TestSummaryDifferencing(t *testing.T) {
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 7))
		const n = 6
		months := make([]raw, n)
		for i := range months {
			months[i] = randomSummaryMonth(r)
		}
		checkDifferencing(t, n, func(a, b int) periodCounts {
			return summaryCounts(publishMonths(monthsPeriod(a, b), months[a:b+1], whole{}))
		})
	}
}

func TestCoverageDifferencing(t *testing.T) {
	pop := populationFigures{areas: map[string]areaFigures{
		"EX1": {decile: 2, people: valueRef(int64(20000)), breakdown: [3]bool{true, true, true}},
		"EX2": {decile: 2, people: valueRef(int64(8000)), breakdown: [3]bool{true, true, false}},
		"EX4": {decile: 7, people: valueRef(int64(30000)), breakdown: [3]bool{false, true, false}},
		"PL1": {decile: 0, people: valueRef(int64(5000))},
		"TQ1": {decile: 4},
	}, group: [3]map[string]int{{"65_74": 9000, "75_84": 4000}, {"female": 30000, "male": 28000}, {"white": 18000, "asian": 1000}}}
	areas := []string{"EX1", "EX2", "EX4", "PL1", "TQ1", "ZZ9", ""}
	for seed := range uint64(200) {
		r := rand.New(rand.NewPCG(seed, 11))
		const n = 5
		months := make([]map[cohort]int, n)
		for i := range months {
			months[i] = map[cohort]int{}
			for range smallish(r) + smallish(r) + smallish(r) {
				k := cohort{area: areas[r.IntN(len(areas))], group: [3]string{
					[]string{"65_74", "75_84", ""}[r.IntN(3)], []string{"female", "male", ""}[r.IntN(3)], []string{"white", "asian", "black"}[r.IntN(3)]}}
				months[i][k]++
			}
		}
		checkDifferencing(t, n, func(a, b int) periodCounts {
			c := publishCoverage(monthsPeriod(a, b), pop, months[a:b+1])
			out := periodCounts{"overall": c.Overall.Referred}
			for _, tb := range c.Tables() {
				for _, g := range append(tb.Groups, tb.Total) {
					out[tb.Name+"."+g.Key] = g.Referred
				}
			}
			return out
		})
	}
}

func TestUnmetDifferencing(t *testing.T) {
	population := map[string]*int64{"EX1": valueRef(int64(20000)), "EX2": nil, "PL1": valueRef(int64(5000))}
	for seed := range uint64(200) {
		r := rand.New(rand.NewPCG(seed, 13))
		const n = 5
		months := make([]unmetCounts, n)
		for i := range months {
			months[i] = unmetCounts{gaps: map[[2]string]int{}, needs: map[string]int{}}
			for range smallish(r) + smallish(r) {
				// A referral in one area with one or two needs unmet.
				area := []string{"EX1", "EX2", "PL1"}[r.IntN(3)]
				for _, need := range [][]string{{"loneliness"}, {"debt"}, {"loneliness", "housing"}}[r.IntN(3)] {
					months[i].gaps[[2]string{need, area}]++
					months[i].needs[need]++
				}
			}
		}
		checkDifferencing(t, n, func(a, b int) periodCounts {
			u := publishUnmet(monthsPeriod(a, b), months[a:b+1], population)
			out := periodCounts{}
			for _, need := range u.Needs {
				out["needs."+need.Need] = need.Referrals
			}
			for _, g := range u.Gaps {
				out[g.path()] = g.Referrals
			}
			return out
		})
	}
}

func TestEngagementDifferencing(t *testing.T) {
	services := []connection.Figure{
		{ServiceID: "svc_walk", ServiceName: "Walk", OrganisationID: "org_a", OrganisationName: "A"},
		{ServiceID: "svc_run", ServiceName: "Run", OrganisationID: "org_a", OrganisationName: "A"},
		{ServiceID: "svc_sing", ServiceName: "Sing", OrganisationID: "org_b", OrganisationName: "B"},
	}
	for seed := range uint64(200) {
		r := rand.New(rand.NewPCG(seed, 17))
		const n = 5
		months := make([]connection.Figures, n)
		used := map[string]bool{}
		for i := range months {
			orgs := map[string]*connection.Figure{}
			for _, s := range services {
				received := smallish(r) + smallish(r)
				if received == 0 {
					continue
				}
				used[s.ServiceID] = true
				f := s
				f.Received = received
				f.Accepted = r.IntN(received + 1)
				f.Completed = r.IntN(f.Accepted + 1)
				f.AttendedOnce = r.IntN(received + 1)
				months[i].Services = append(months[i].Services, f)
				o := orgs[s.OrganisationID]
				if o == nil {
					o = &connection.Figure{OrganisationID: s.OrganisationID, OrganisationName: s.OrganisationName}
					orgs[s.OrganisationID] = o
				}
				o.Received += f.Received
				o.Accepted += f.Accepted
				o.Completed += f.Completed
				o.AttendedOnce += f.AttendedOnce
			}
			for _, id := range []string{"org_a", "org_b"} {
				if o := orgs[id]; o != nil {
					months[i].Organisations = append(months[i].Organisations, *o)
				}
			}
		}
		checkDifferencing(t, n, func(a, b int) periodCounts {
			// The whole period's lines: every service and organisation
			// with a connection in one of its months.
			var whole connection.Figures
			orgs := map[string]bool{}
			for _, s := range services {
				for _, m := range months[a : b+1] {
					if slices.ContainsFunc(m.Services, func(f connection.Figure) bool { return f.ServiceID == s.ServiceID }) {
						whole.Services = append(whole.Services, s)
						if !orgs[s.OrganisationID] {
							orgs[s.OrganisationID] = true
							whole.Organisations = append(whole.Organisations, connection.Figure{OrganisationID: s.OrganisationID, OrganisationName: s.OrganisationName})
						}
						break
					}
				}
			}
			e := PublishEngagement(monthsPeriod(a, b), months[a:b+1], whole)
			out := periodCounts{}
			for list, lines := range map[string][]EngagementLine{"services": e.Services, "organisations": e.Organisations} {
				for _, l := range lines {
					id := l.ServiceID
					if list == "organisations" {
						id = l.OrganisationID
					}
					for c, col := range EngagementColumns {
						out[engagementPath(list, id, col)] = *l.counts()[c]
					}
				}
			}
			return out
		})
	}
}

// TestDifferencingTheProbe is the attack the probe made, on both
// databases: January shows 10 referrals of women from nurses in decile 1
// areas; one more on 1 February. Asking for January to 1 February gives
// January and February, which hide the nurses' count, the women's and the
// decile's, as February alone does: the one referral is not recovered.
func TestDifferencingTheProbe(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		importCSV(t, d, "area,deprivation_decile,age_band,sex,ethnicity,population\nEX1,1,,,,20000\nEX1,,,female,,10400\nEX1,,,male,,9600\nEX2,6,,,,30000\nEX2,,,female,,15000\nEX2,,,male,,15000\n")
		s := &seed{t: t, d: d, at: time.Date(2026, 1, 10, 10, 0, 0, 0, time.UTC)}
		nurse := func(ids []string) {
			for _, id := range ids {
				if _, err := d.Exec(context.Background(), "UPDATE referrals SET source_type = 'nurse' WHERE id = $1", id); err != nil {
					t.Fatal(err)
				}
			}
		}
		nurse(s.refer(10, "EX1 1AA", "75_84", "female", "white"))
		s.refer(12, "EX2 2AA", "65_74", "male", "white")
		s.refer(8, "EX2 2AA", "65_74", "female", "white")
		s.at = time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
		nurse(s.refer(1, "EX1 1AA", "75_84", "female", "white"))
		s.refer(9, "EX2 2AA", "65_74", "male", "white")

		ctx := context.Background()
		jan, janToFeb1 := period(t, "2026-01-01", "2026-01-31"), period(t, "2026-01-01", "2026-02-01")
		if janToFeb1.To.Format(time.DateOnly) != "2026-02-28" {
			t.Fatalf("January to 1 February: %v", janToFeb1)
		}
		for _, c := range []struct {
			p                     Period
			nurse, female, decile string
		}{
			{jan, "10", "18", "10"},
			{janToFeb1, "null", "null", "null"},
			{period(t, "2026-02-01", "2026-02-28"), "null", "null", "null"},
		} {
			sum, err := Summarise(ctx, d, c.p, Viewer{})
			if err != nil {
				t.Fatal(err)
			}
			cov, err := CoverageReport(ctx, d, c.p, Viewer{})
			if err != nil {
				t.Fatal(err)
			}
			got := fmt.Sprint(show(sum.Referrals.BySourceType["nurse"]), " ", show(groupByKey(t, cov.BySex, "female").Referred), " ",
				show(groupByKey(t, cov.ByDeprivationDecile, "1").Referred))
			if want := c.nurse + " " + c.female + " " + c.decile; got != want {
				t.Errorf("%s..%s: nurses, women, decile 1 = %s, want %s", cov.From, cov.To, got, want)
			}
			if cov.Period.From != c.p.From.Format(time.DateOnly) || sum.Period.To != c.p.To.Format(time.DateOnly) {
				t.Errorf("period %+v %+v", cov.Period, sum.Period)
			}
		}
	})
}
