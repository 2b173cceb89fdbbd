package report

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

func TestUnderReached(t *testing.T) {
	cases := []struct {
		name       string
		referred   int
		population int64
		overall    float64
		decile     int
		want       bool
	}{
		// Overall 2 per 1,000: 10,000 people should bring 20.
		{"at the rate", 20, 10000, 2, 5, false},
		{"just at three quarters", 15, 10000, 2, 5, false},
		{"below three quarters", 14, 10000, 2, 5, true},
		{"none at all", 0, 10000, 2, 0, true},
		// Deprived: 30 expected, so 20 is under three quarters (22.5).
		{"deprived, at the plain rate", 20, 10000, 2, 3, true},
		{"deprived decile 1", 22, 10000, 2, 1, true},
		{"deprived, reached", 23, 10000, 2, 2, false},
		{"decile 4 is not weighted", 20, 10000, 2, 4, false},
		// Too few expected to judge: 2,000 people at 2 per 1,000 is 4.
		{"too small to judge", 0, 2000, 2, 5, false},
		{"five expected is judged", 0, 2500, 2, 5, true},
		{"no population", 0, 0, 2, 1, false},
		{"no overall rate", 0, 10000, 0, 1, false},
	}
	for _, c := range cases {
		if got := UnderReached(c.referred, c.population, c.overall, c.decile); got != c.want {
			t.Errorf("%s: UnderReached(%d, %d, %v, %d) = %v, want %v", c.name, c.referred, c.population, c.overall, c.decile, got, c.want)
		}
	}
}

func TestSortAreas(t *testing.T) {
	got := []string{"PL1", "EX10", "EX2", "EX1", "TQ1", "EC1A", "EC1", "E1", "EX39"}
	sortAreas(got)
	want := []string{"E1", "EC1", "EC1A", "EX1", "EX2", "EX10", "EX39", "PL1", "TQ1"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// seed writes people and their referrals straight into the tables: the
// report reads only what the referral store would have written.
type seed struct {
	t  *testing.T
	d  *db.DB
	at time.Time
	n  int
}

// refer adds count people in postcode pc with the age band, sex and
// ethnicity given, each referred once at s.at.
func (s *seed) refer(count int, pc, age, sex, eth string) []string {
	s.t.Helper()
	var ids []string
	for range count {
		s.n++
		person, ref := fmt.Sprintf("per_%d", s.n), fmt.Sprintf("ref_%d", s.n)
		ms := db.Millis(s.at)
		if _, err := s.d.Exec(context.Background(), `INSERT INTO people (id, given_name, family_name, date_of_birth, postcode, age_band, sex, ethnicity, created_at, updated_at)
			VALUES ($1, 'A', 'B', '1950-01-01', $2, $3, $4, $5, $6, $6)`, person, pc, age, sex, eth, ms); err != nil {
			s.t.Fatal(err)
		}
		if _, err := s.d.Exec(context.Background(), `INSERT INTO referrals (id, reference, person_id, status, source_type, consent_given, consent_share, consent_by, consent_at, received_at, updated_at)
			VALUES ($1, $1, $2, 'received', 'gp', TRUE, FALSE, 'person', $3, $3, $3)`, ref, person, ms); err != nil {
			s.t.Fatal(err)
		}
		ids = append(ids, ref)
	}
	return ids
}

func period(t *testing.T, from, to string) Period {
	t.Helper()
	p, err := ParsePeriod(from, to, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func groupByKey(t *testing.T, b Breakdown, key string) Group {
	t.Helper()
	for _, g := range b.Groups {
		if g.Key == key {
			return g
		}
	}
	t.Fatalf("no group %q in %+v", key, b.Groups)
	return Group{}
}

func intOf(p *int) string {
	if p == nil {
		return "null"
	}
	return fmt.Sprint(*p)
}

func TestCoverageReport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		importCSV(t, d, `area,deprivation_decile,age_band,sex,ethnicity,population
EX1,2,,,,20000
EX1,,65_74,,,4000
EX1,,75_84,,,2000
EX1,,,female,,10400
EX1,,,male,,9600
EX2,7,,,,10000
EX2,,65_74,,,2000
EX2,,75_84,,,1000
EX2,,,female,,5200
EX2,,,male,,4800
EX3,7,,,,10000
EX4,7,,,,10000
PL1,,,,,5000
`)
		s := &seed{t: t, d: d, at: time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)}
		s.refer(20, "EX1 1AA", "65_74", "female", "")
		s.refer(10, "EX1 2BB", "75_84", "male", "white")
		s.refer(30, "EX2 5AA", "65_74", "female", "")
		s.refer(3, "EX3 4CC", "65_74", "", "")
		s.refer(8, "EX4 6PX", "", "", "")
		s.refer(12, "PL1 2AA", "25_34", "female", "")
		s.refer(6, "TQ1 3BD", "25_34", "male", "")
		s.refer(5, "", "", "", "")
		// Outside the window: not counted.
		s.at = time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)
		s.refer(50, "EX3 4CC", "", "", "")

		c, err := coverage(context.Background(), d, period(t, "2026-03-01", "2026-03-31"))
		if err != nil {
			t.Fatal(err)
		}
		// With figures: EX1 30, EX2 30, EX3 3, EX4 8, PL1 12 = 83 of 55,000.
		if intOf(c.Overall.Referred) != "83" || *c.Overall.Population != 55000 || *c.Overall.RatePer1000 != 1.51 {
			t.Errorf("overall: %s of %d at %v", intOf(c.Overall.Referred), *c.Overall.Population, *c.Overall.RatePer1000)
		}
		if intOf(c.ByArea.Total.Referred) != "94" {
			t.Errorf("everyone referred: %s, want 94", intOf(c.ByArea.Total.Referred))
		}
		var keys []string
		for _, g := range c.ByArea.Groups {
			keys = append(keys, g.Key+"="+intOf(g.Referred))
		}
		// EX3's 3 is small; decile 7 (EX2, EX3, EX4) is shown, so a second
		// of its areas is hidden, the smallest: EX4's 8. Outside is TQ1's 6
		// and 5 without a postcode.
		if want := []string{"EX1=30", "EX2=30", "EX3=null", "EX4=null", "PL1=12", "outside=11"}; !slices.Equal(keys, want) {
			t.Errorf("areas: %v, want %v", keys, want)
		}
		// EX1: decile 2, 20,000 people, expected 1.51*1.5*20 = 45: 30 is under 34.
		ex1 := groupByKey(t, c.ByArea, "EX1")
		if ex1.RatePer1000 == nil || *ex1.RatePer1000 != 1.5 || ex1.UnderReached == nil || !*ex1.UnderReached || ex1.DeprivationDecile != 2 {
			t.Errorf("EX1: %+v", ex1)
		}
		ex2 := groupByKey(t, c.ByArea, "EX2")
		if ex2.RatePer1000 == nil || *ex2.RatePer1000 != 3 || ex2.UnderReached == nil || *ex2.UnderReached {
			t.Errorf("EX2: %+v", ex2)
		}
		if ex3 := groupByKey(t, c.ByArea, "EX3"); ex3.RatePer1000 != nil || ex3.UnderReached != nil {
			t.Errorf("EX3's rate or judgement shows what was suppressed: %+v", ex3)
		}
		for _, p := range []string{"by_area.EX3.referred", "by_area.EX3.rate_per_1000", "by_area.EX4.referred"} {
			if !slices.Contains(c.Suppressed, p) {
				t.Errorf("%s not listed in suppressed %v", p, c.Suppressed)
			}
		}

		// Deciles: 2 is EX1 (30), 7 is EX2, EX3 and EX4 (41 of 30,000), PL1
		// and outside are not known (23).
		var deciles []string
		for _, g := range c.ByDeprivationDecile.Groups {
			deciles = append(deciles, g.Key+"="+intOf(g.Referred))
		}
		if want := []string{"2=30", "7=41", "not_known=23"}; !slices.Equal(deciles, want) {
			t.Errorf("deciles: %v, want %v", deciles, want)
		}
		if d7 := groupByKey(t, c.ByDeprivationDecile, "7"); *d7.Population != 30000 || *d7.RatePer1000 != 1.37 {
			t.Errorf("decile 7: %+v", d7)
		}

		// Age bands: only EX1 and EX2 have age figures: 60 people.
		if intOf(c.ByAgeBand.Total.Referred) != "60" {
			t.Errorf("age total %s, want 60", intOf(c.ByAgeBand.Total.Referred))
		}
		if g := groupByKey(t, c.ByAgeBand, "65_74"); intOf(g.Referred) != "50" || *g.Population != 6000 || *g.RatePer1000 != 8.33 {
			t.Errorf("65 to 74: %+v", g)
		}
		if g := groupByKey(t, c.ByAgeBand, "25_34"); intOf(g.Referred) != "0" || g.Population != nil || g.RatePer1000 != nil {
			t.Errorf("25 to 34 (no figures): %+v", g)
		}
		if g := groupByKey(t, c.BySex, "male"); intOf(g.Referred) != "10" || *g.Population != 14400 {
			t.Errorf("male: %+v", g)
		}
		// No area has ethnicity figures, so nobody is counted there.
		if intOf(c.ByEthnicity.Total.Referred) != "0" {
			t.Errorf("ethnicity total %s, want 0", intOf(c.ByEthnicity.Total.Referred))
		}
		assertNoDifferencing(t, c)
	})
}

// TestCoverageResistsDifferencing builds many small areas and checks that
// no suppressed count can be worked out from the published ones.
func TestCoverageResistsDifferencing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		var csv strings.Builder
		csv.WriteString("area,deprivation_decile,age_band,population\n")
		counts := []int{0, 1, 2, 7, 3, 12, 4, 9, 1, 30, 5, 2}
		for i := range counts {
			fmt.Fprintf(&csv, "EX%d,%d,,%d\nEX%d,,18_24,%d\nEX%d,,85_plus,%d\n", i+1, i%4+1, 8000+i*100, i+1, 900, i+1, 300)
		}
		importCSV(t, d, csv.String())
		s := &seed{t: t, d: d, at: time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)}
		for i, n := range counts {
			age := "18_24"
			if i%3 == 0 {
				age = "85_plus"
			}
			s.refer(n, fmt.Sprintf("EX%d 1AA", i+1), age, "", "")
		}
		s.refer(1, "TQ1 1AA", "18_24", "", "")
		c, err := coverage(context.Background(), d, period(t, "2026-03-01", "2026-03-31"))
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Suppressed) == 0 {
			t.Fatal("nothing suppressed")
		}
		assertNoDifferencing(t, c)
	})
}

// assertNoDifferencing plays the attacker: it knows every published count
// and every sum the report implies (each table adds up to its total, each
// decile to its areas, the scheme-wide count to the areas with figures),
// solves every sum with one unknown left, repeats until nothing more
// falls out, and fails if a small count was recovered.
func assertNoDifferencing(t *testing.T, c Coverage) {
	t.Helper()
	known := map[string]int{}
	cellOf := func(path string, g Group) string {
		if g.Referred != nil {
			known[path] = *g.Referred
		}
		return path
	}
	var sums [][]string // the last path is the sum of the others
	table := func(name string, b Breakdown) {
		var row []string
		for _, g := range b.Groups {
			row = append(row, cellOf(name+"."+g.Key, g))
		}
		sums = append(sums, append(row, cellOf(name+".total", b.Total)))
	}
	table("by_area", c.ByArea)
	table("by_deprivation_decile", c.ByDeprivationDecile)
	table("by_age_band", c.ByAgeBand)
	table("by_sex", c.BySex)
	table("by_ethnicity", c.ByEthnicity)
	var withFigures []string
	inDecile := map[string][]string{}
	for _, g := range c.ByArea.Groups {
		k := "not_known"
		if g.DeprivationDecile > 0 {
			k = fmt.Sprint(g.DeprivationDecile)
		}
		inDecile[k] = append(inDecile[k], "by_area."+g.Key)
		if g.Key != KeyOutside {
			withFigures = append(withFigures, "by_area."+g.Key)
		}
	}
	sums = append(sums, append(withFigures, cellOf("overall", c.Overall)))
	for k, areas := range inDecile {
		sums = append(sums, append(areas, "by_deprivation_decile."+k))
	}
	recovered := solveSums(known, sums)
	for _, p := range c.Suppressed {
		cell, _, _ := strings.Cut(strings.TrimSuffix(strings.TrimSuffix(p, ".referred"), ".rate_per_1000"), "#")
		if n, ok := recovered[cell]; ok && n > 0 {
			t.Errorf("suppressed %s recovered by differencing: %d", cell, n)
		}
	}
}

// solveSums works out unknown cells from sums with one unknown left.
func solveSums(known map[string]int, sums [][]string) map[string]int {
	recovered := map[string]int{}
	for changed := true; changed; {
		changed = false
		for _, s := range sums {
			total, parts := s[len(s)-1], s[:len(s)-1]
			var unknown []string
			sum := 0
			for _, p := range parts {
				if n, ok := known[p]; ok {
					sum += n
				} else {
					unknown = append(unknown, p)
				}
			}
			tn, totalKnown := known[total]
			switch {
			case totalKnown && len(unknown) == 1:
				known[unknown[0]], recovered[unknown[0]] = tn-sum, tn-sum
				changed = true
			case !totalKnown && len(unknown) == 0:
				known[total], recovered[total] = sum, sum
				changed = true
			}
		}
	}
	return recovered
}

// TestSolveSumsRecoversALoneCell: the attacker above does find a cell
// hidden alone, so its silence in the tests means something.
func TestSolveSumsRecoversALoneCell(t *testing.T) {
	known := map[string]int{"a": 10, "total": 13, "x": 7, "y": 2}
	got := solveSums(known, [][]string{{"a", "b", "total"}, {"b", "c", "x"}, {"c", "y", "z"}})
	if got["b"] != 3 || got["c"] != 4 || got["z"] != 6 {
		t.Errorf("recovered %v, want b=3 through the total, then c=4 and z=6", got)
	}
}

// BenchmarkCoverage counts a year of a large scheme on SQLite: n people
// referred (OIKOS_BENCH_PEOPLE, default 20,000) across the sample's
// districts, with the sample population figures.
func BenchmarkCoverage(b *testing.B) {
	n := 20000
	if s := os.Getenv("OIKOS_BENCH_PEOPLE"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	d := dbtest.SQLite(b)
	ctx := context.Background()
	data, err := os.ReadFile("../../data/population/devon-sample.csv")
	if err != nil {
		b.Fatal(err)
	}
	rows, err := ParsePopulation(bytes.NewReader(data))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := ImportPopulation(ctx, d, rows, time.Now()); err != nil {
		b.Fatal(err)
	}
	var areas []string
	for _, r := range rows {
		if !slices.Contains(areas, r.Area) {
			areas = append(areas, r.Area)
		}
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	err = d.Tx(ctx, func(tx *sql.Tx) error {
		for i := range n {
			ms := db.Millis(start.Add(time.Duration(i%360*24) * time.Hour))
			person := fmt.Sprintf("per_%d", i)
			if _, err := tx.ExecContext(ctx, `INSERT INTO people (id, given_name, family_name, date_of_birth, postcode, age_band, sex, ethnicity, created_at, updated_at)
				VALUES ($1, 'A', 'B', '1950-01-01', $2, $3, $4, $5, $6, $6)`, person, areas[i%len(areas)]+" 1AA", AgeBands[i%9].Code,
				Sexes[i%2].Code, Ethnicities[i%5].Code, ms); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO referrals (id, reference, person_id, status, source_type, consent_given, consent_share, consent_by, consent_at, received_at, updated_at)
				VALUES ($1, $1, $2, 'received', 'gp', TRUE, FALSE, 'person', $3, $3, $3)`, fmt.Sprintf("ref_%d", i), person, ms); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// As a database in use would be: its pages in the file, not the WAL.
	if _, err := d.Exec(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		b.Fatal(err)
	}
	p, err := ParsePeriod("2026-01-01", "2026-12-31", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	// The machine is shared: CPU time of this process per report says
	// more than the time on the wall.
	cpu := func() time.Duration {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	b.ResetTimer()
	before := cpu()
	for b.Loop() {
		if _, err := coverage(ctx, d, p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpu()-before).Milliseconds())/float64(b.N), "cpu-ms/op")
}
