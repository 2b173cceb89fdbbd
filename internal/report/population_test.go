package report

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"oikos"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/postcode"
	"oikos/internal/referral"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const samplePopulation = `# Illustrative figures
area,deprivation_decile,age_band,sex,ethnicity,population
EX4,3,,,,50000
EX4,,18_24,,,9000
EX4,3,,female,,25500
ex2 ,,,,,30000
EX2,,,,White,28000
PL1,1,,,,"12,000"
`

func TestParsePopulation(t *testing.T) {
	rows, err := ParsePopulation(strings.NewReader(samplePopulation))
	if err != nil {
		t.Fatal(err)
	}
	want := []PopulationRow{
		{Line: 3, Area: "EX4", DeprivationDecile: 3, People: 50000},
		{Line: 4, Area: "EX4", DeprivationDecile: 3, AgeBand: "18_24", People: 9000},
		{Line: 5, Area: "EX4", DeprivationDecile: 3, Sex: "female", People: 25500},
		{Line: 6, Area: "EX2", People: 30000},
		{Line: 7, Area: "EX2", Ethnicity: "white", People: 28000},
		{Line: 8, Area: "PL1", DeprivationDecile: 1, People: 12000},
	}
	if !slices.Equal(rows, want) {
		t.Errorf("rows:\n got %+v\nwant %+v", rows, want)
	}

	// Columns in another order, and the optional ones left out.
	rows, err = ParsePopulation(strings.NewReader("population,area\n100,TQ1\n"))
	if err != nil || len(rows) != 1 || rows[0].Area != "TQ1" || rows[0].People != 100 {
		t.Errorf("short header: %+v, %v", rows, err)
	}
}

func TestParsePopulationRefusesBadLines(t *testing.T) {
	const header = "area,deprivation_decile,age_band,sex,ethnicity,population\n"
	cases := []struct {
		name, csv, where string
	}{
		{"empty", "", "line 1"},
		{"header only", header, "line 2"},
		{"unknown column", "area,people\nEX4,1\n", "line 1, column people"},
		{"no population column", "area\nEX4\n", "line 1, column population"},
		{"repeated column", "area,area,population\nEX4,EX4,1\n", "line 1, column area"},
		{"no area", header + ",,,,,100\n", "line 2, column area"},
		{"full postcode", header + "EX4 6PX,,,,,100\n", "line 2, column area"},
		{"lsoa", header + "E01012345,,,,,100\n", "line 2, column area"},
		{"decile 0", header + "EX4,0,,,,100\n", "line 2, column deprivation_decile"},
		{"decile 11", header + "EX4,11,,,,100\n", "line 2, column deprivation_decile"},
		{"decile word", header + "EX4,low,,,,100\n", "line 2, column deprivation_decile"},
		{"two deciles", header + "EX4,3,,,,100\nEX4,4,18_24,,,10\n", "line 3, column deprivation_decile"},
		{"bad age band", header + "EX4,,,,,100\nEX4,,18-24,,,10\n", "line 3, column age_band"},
		{"bad sex", header + "EX4,,,,,100\nEX4,,,f,,10\n", "line 3, column sex"},
		{"bad ethnicity", header + "EX4,,,,,100\nEX4,,,,british,10\n", "line 3, column ethnicity"},
		{"two breakdowns", header + "EX4,,,,,100\nEX4,,18_24,male,,10\n", "line 3:"},
		{"negative", header + "EX4,,,,,-1\n", "line 2, column population"},
		{"fraction", header + "EX4,,,,,10.5\n", "line 2, column population"},
		{"blank population", header + "EX4,,,,,\n", "line 2, column population"},
		{"too many", header + "EX4,,,,,100000001\n", "line 2, column population"},
		{"repeat", header + "EX4,,,,,100\nEX1,,,,,5\nex4,,,,,100\n", "line 4:"},
		{"no total", header + "EX4,,,,,100\nEX1,,25_34,,,5\n", "line 3, column area"},
		{"short line", header + "EX4,,,,,100\nEX1,,\n", "line 3:"},
		{"bad quoting", header + "EX4,,,,,100\nEX1,\"x,,,,5\n", "line 3"},
		{"comment counted", "# note\n" + header + "EX4,,,,,x\n", "line 3, column population"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, err := ParsePopulation(strings.NewReader(c.csv))
			if err == nil {
				t.Fatalf("accepted: %+v", rows)
			}
			if oikos.ErrorCode(err) != oikos.EINVALID {
				t.Fatalf("error %v is not invalid", err)
			}
			if msg := oikos.ErrorMessage(err); !strings.HasPrefix(msg, c.where) {
				t.Errorf("message %q does not start with %q", msg, c.where)
			}
		})
	}
}

// TestAgeBandsMatchReferral: every age band a person is given at referral
// is one the population files use.
func TestAgeBandsMatchReferral(t *testing.T) {
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for age := 0; age <= 120; age++ {
		band := referral.AgeBand(at.AddDate(-age, 0, -1), at)
		if _, ok := codeLabel(AgeBands, band); !ok {
			t.Errorf("age %d: band %q is not in AgeBands", age, band)
		}
	}
}

func FuzzParsePopulation(f *testing.F) {
	f.Add(samplePopulation)
	f.Add("population,area\n100,TQ1\n")
	f.Add("area,population\nEX4,1\nEX4,2\n")
	f.Add("area,sex,population\nEX4,,5\nEX4,male,\"3\"\n")
	f.Add("\ufeffarea,population\r\nEX4,1\r\n")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := ParsePopulation(strings.NewReader(in))
		if err != nil {
			if oikos.ErrorCode(err) != oikos.EINVALID || !strings.HasPrefix(oikos.ErrorMessage(err), "line ") {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		totals := map[string]bool{}
		for _, r := range rows {
			if pc, ok := postcode.NormalisePlace(r.Area); !ok || pc != r.Area || strings.Contains(pc, " ") || r.People < 0 || r.DeprivationDecile < 0 || r.DeprivationDecile > 10 {
				t.Fatalf("invalid row accepted: %+v", r)
			}
			groups := 0
			for _, g := range []string{r.AgeBand, r.Sex, r.Ethnicity} {
				if g != "" {
					groups++
				}
			}
			if groups > 1 {
				t.Fatalf("two breakdowns accepted: %+v", r)
			}
			if groups == 0 {
				totals[r.Area] = true
			}
		}
		for _, r := range rows {
			if !totals[r.Area] {
				t.Fatalf("area without a total accepted: %+v", r)
			}
		}
	})
}

func importCSV(t *testing.T, d *db.DB, csv string) PopulationReport {
	t.Helper()
	rows, err := ParsePopulation(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ImportPopulation(context.Background(), d, rows, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func populationHeld(t *testing.T, d *db.DB) map[string]int64 {
	t.Helper()
	rows, err := d.R().QueryContext(context.Background(), `SELECT p.area, COALESCE(a.deprivation_decile, 0), p.age_band, p.sex, p.ethnicity, p.people
		FROM population p JOIN population_areas a ON a.area = p.area`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var area, age, sex, eth string
		var decile int
		var n int64
		if err := rows.Scan(&area, &decile, &age, &sex, &eth, &n); err != nil {
			t.Fatal(err)
		}
		out[strings.Join([]string{area, string(rune('0' + decile)), age, sex, eth}, "|")] = n
	}
	return out
}

func TestImportPopulation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		rep := importCSV(t, d, samplePopulation)
		if rep != (PopulationReport{Areas: 3, Rows: 6, Added: 6}) {
			t.Errorf("first import: %+v", rep)
		}
		// Again, with a new total for EX4, no decile (keeps the earlier),
		// and an age band that was not there: the rest stays.
		rep = importCSV(t, d, "area,age_band,population\nEX4,,51000\nEX4,25_34,7000\n")
		if rep != (PopulationReport{Areas: 1, Rows: 2, Added: 1, Replaced: 1}) {
			t.Errorf("second import: %+v", rep)
		}
		want := map[string]int64{
			"EX4|3|||": 51000, "EX4|3|18_24||": 9000, "EX4|3|25_34||": 7000, "EX4|3||female|": 25500,
			"EX2|0|||": 30000, "EX2|0|||white": 28000, "PL1|1|||": 12000,
		}
		got := populationHeld(t, d)
		if len(got) != len(want) {
			t.Errorf("held %v, want %v", got, want)
		}
		for k, n := range want {
			if got[k] != n {
				t.Errorf("%s: %d, want %d", k, got[k], n)
			}
		}

		// A row the database refuses part way: nothing of the file is kept.
		bad := []PopulationRow{{Area: "TQ1", People: 5}, {Area: "EX4", People: 1}, {Area: "TQ2", People: -1}}
		if _, err := ImportPopulation(context.Background(), d, bad, time.Now()); err == nil {
			t.Fatal("a negative population was written")
		}
		if after := populationHeld(t, d); len(after) != len(want) || after["EX4|3|||"] != 51000 {
			t.Errorf("a failed import changed the figures: %v", after)
		}
	})
}
