package report

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"oikos"
	"oikos/internal/db"
	"oikos/internal/postcode"
)

// Population figures are the denominators of the fair-coverage report: how
// many people live in each area, in total and by age band, sex or
// ethnicity, with the area's deprivation decile. They come from a CSV that
// a scheme makes from census tables (format in README.md, "Population
// figures for fair-coverage reports").

// AgeBands are the age bands people are counted in, youngest first: the
// values referral.AgeBand gives (a test holds the two together).
var AgeBands = []Code{
	{"under_18", "Under 18"}, {"18_24", "18 to 24"}, {"25_34", "25 to 34"}, {"35_44", "35 to 44"},
	{"45_54", "45 to 54"}, {"55_64", "55 to 64"}, {"65_74", "65 to 74"}, {"75_84", "75 to 84"},
	{"85_plus", "85 and over"},
}

// Sexes are the values of people.sex, as the 2021 Census asked it.
var Sexes = []Code{{"female", "Female"}, {"male", "Male"}}

// Ethnicities are the values of people.ethnicity: the five high-level
// ethnic groups of the 2021 Census of England and Wales.
var Ethnicities = []Code{
	{"asian", "Asian, Asian British or Asian Welsh"},
	{"black", "Black, Black British, Black Welsh, Caribbean or African"},
	{"mixed", "Mixed or multiple ethnic groups"},
	{"white", "White"},
	{"other", "Other ethnic group"},
}

// Code is a group's code and the words shown for it.
type Code struct {
	Code, Label string
}

func codeLabel(codes []Code, code string) (string, bool) {
	for _, c := range codes {
		if c.Code == code {
			return c.Label, true
		}
	}
	return "", false
}

func codeList(codes []Code) string {
	var s []string
	for _, c := range codes {
		s = append(s, c.Code)
	}
	return strings.Join(s, ", ")
}

// PopulationRow is one line of a population file: the people living in an
// area, all of them (every group column blank) or one group of them.
type PopulationRow struct {
	Line int
	Area string
	// DeprivationDecile is 1 (most deprived tenth) to 10, or 0 if not given.
	DeprivationDecile       int
	AgeBand, Sex, Ethnicity string
	People                  int64
}

// maxPopulation bounds one row: more than the UK's population is a typo.
const maxPopulation = 100_000_000

// maxPopulationRows bounds a file: every district in the UK broken down
// every way is under 60,000 rows.
const maxPopulationRows = 500_000

var populationColumns = []string{"area", "deprivation_decile", "age_band", "sex", "ethnicity", "population"}

// ParsePopulation reads a population CSV. Lines starting with # are
// comments. The header names the columns, in any order: area and
// population are needed, deprivation_decile, age_band, sex and ethnicity
// may be left out. It checks every row and answers the first problem as
// an *oikos.Error naming the line and column, so nothing is written from
// a file with a mistake in it.
func ParsePopulation(r io.Reader) ([]PopulationRow, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, populationError(1, "", "The file is empty: it needs a header line such as "+strings.Join(populationColumns, ","))
	}
	if err != nil {
		return nil, csvError(err)
	}
	headerLine, _ := cr.FieldPos(0)
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(populationColumns, h) {
			line, _ := cr.FieldPos(i)
			return nil, populationError(line, h, fmt.Sprintf("Unknown column %q: the columns are %s", shorten(h, 40), strings.Join(populationColumns, ", ")))
		}
		if _, dup := col[h]; dup {
			line, _ := cr.FieldPos(i)
			return nil, populationError(line, h, fmt.Sprintf("The column %s is named twice", h))
		}
		col[h] = i
	}
	for _, need := range []string{"area", "population"} {
		if _, ok := col[need]; !ok {
			return nil, populationError(headerLine, need, fmt.Sprintf("The header has no %s column", need))
		}
	}

	var rows []PopulationRow
	seen := map[string]int{}      // area|age|sex|ethnicity → line
	decile := map[string][2]int{} // area → decile, line it was given on
	totals := map[string]bool{}   // areas with a total row
	firstLine := map[string]int{} // area → first line
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rows) >= maxPopulationRows {
			return nil, populationError(line, "", fmt.Sprintf("The file has more than %d rows", maxPopulationRows))
		}
		field := func(name string) string {
			i, ok := col[name]
			if !ok || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		if len(rec) != len(header) {
			return nil, populationError(line, "", fmt.Sprintf("The line has %d values but the header names %d columns", len(rec), len(header)))
		}
		row := PopulationRow{Line: line}

		area, ok := postcode.NormalisePlace(field("area"))
		switch {
		case field("area") == "":
			return nil, populationError(line, "area", "Enter the area: a postcode district such as EX4")
		case !ok || strings.Contains(area, " "):
			return nil, populationError(line, "area", fmt.Sprintf("%q is not a postcode district: give the first half of a postcode, such as EX4 or PL21", shorten(field("area"), 20)))
		}
		row.Area = area

		if s := field("deprivation_decile"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > 10 {
				return nil, populationError(line, "deprivation_decile", "The deprivation decile must be a whole number from 1 (most deprived) to 10, or blank")
			}
			row.DeprivationDecile = n
			if prev, ok := decile[area]; ok && prev[0] != n {
				return nil, populationError(line, "deprivation_decile", fmt.Sprintf("%s has deprivation decile %d here but %d on line %d: an area has one decile", area, n, prev[0], prev[1]))
			}
			decile[area] = [2]int{n, line}
		}

		groups := 0
		for _, g := range []struct {
			name  string
			codes []Code
			into  *string
		}{{"age_band", AgeBands, &row.AgeBand}, {"sex", Sexes, &row.Sex}, {"ethnicity", Ethnicities, &row.Ethnicity}} {
			v := strings.ToLower(field(g.name))
			if v == "" {
				continue
			}
			if _, ok := codeLabel(g.codes, v); !ok {
				return nil, populationError(line, g.name, fmt.Sprintf("%q is not a %s: use one of %s, or leave it blank for everyone", shorten(v, 20), strings.ReplaceAll(g.name, "_", " "), codeList(g.codes)))
			}
			*g.into = v
			groups++
		}
		if groups > 1 {
			return nil, populationError(line, "", "Give one breakdown per line: an age band, a sex or an ethnicity, not more than one (leave all three blank for the area's total)")
		}

		n, err := strconv.ParseInt(strings.ReplaceAll(field("population"), ",", ""), 10, 64)
		if err != nil || n < 0 || n > maxPopulation {
			return nil, populationError(line, "population", "The population must be a whole number of people, 0 or more")
		}
		row.People = n

		key := strings.Join([]string{area, row.AgeBand, row.Sex, row.Ethnicity}, "|")
		if prev, ok := seen[key]; ok {
			return nil, populationError(line, "", fmt.Sprintf("This line repeats line %d: the same area and group", prev))
		}
		seen[key] = line
		if groups == 0 {
			totals[area] = true
		}
		if _, ok := firstLine[area]; !ok {
			firstLine[area] = line
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, populationError(headerLine+1, "", "The file has a header but no figures")
	}
	for i := range rows {
		if !totals[rows[i].Area] {
			return nil, populationError(firstLine[rows[i].Area], "area", fmt.Sprintf("%s has no total: add a line for it with age_band, sex and ethnicity left blank", rows[i].Area))
		}
		// Every row of an area carries the decile given on any of them.
		if d, ok := decile[rows[i].Area]; ok {
			rows[i].DeprivationDecile = d[0]
		}
	}
	return rows, nil
}

// populationError is the error for a bad line: the column is the field
// named, so the command line and the API say both where and what.
func populationError(line int, column, message string) error {
	where := fmt.Sprintf("line %d", line)
	if column != "" {
		where += ", column " + column
	}
	return &oikos.Error{Code: oikos.EINVALID, Message: where + ": " + message,
		Fields: map[string]string{where: message}}
}

// shorten cuts what is echoed back from a file to n characters.
func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return populationError(pe.Line, "", "The line is not valid CSV: "+pe.Err.Error())
	}
	return err
}

// PopulationReport says what an import wrote.
type PopulationReport struct {
	Areas, Rows, Added, Replaced int
}

// ImportPopulation writes population rows in one transaction: each row
// replaces the figure held for the same area and group, other figures are
// kept (so the age, sex and ethnicity tables may come in separate files).
// A blank deprivation decile keeps the area's earlier one.
func ImportPopulation(ctx context.Context, d *db.DB, rows []PopulationRow, now time.Time) (PopulationReport, error) {
	rep := PopulationReport{Rows: len(rows)}
	ms := db.Millis(now)
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		areas := map[string]bool{}
		for _, r := range rows {
			if areas[r.Area] {
				continue
			}
			areas[r.Area] = true
			var decile any
			if r.DeprivationDecile > 0 {
				decile = r.DeprivationDecile
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO population_areas (area, deprivation_decile, updated_at) VALUES ($1, $2, $3)
				ON CONFLICT (area) DO UPDATE SET deprivation_decile = COALESCE(excluded.deprivation_decile, population_areas.deprivation_decile),
					updated_at = excluded.updated_at`, r.Area, decile, ms); err != nil {
				return err
			}
		}
		rep.Areas = len(areas)
		for _, r := range rows {
			res, err := tx.ExecContext(ctx, `UPDATE population SET people = $1, updated_at = $2
				WHERE area = $3 AND age_band = $4 AND sex = $5 AND ethnicity = $6`, r.People, ms, r.Area, r.AgeBand, r.Sex, r.Ethnicity)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				rep.Replaced++
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO population (area, age_band, sex, ethnicity, people, updated_at) VALUES ($1, $2, $3, $4, $5, $6)`,
				r.Area, r.AgeBand, r.Sex, r.Ethnicity, r.People, ms); err != nil {
				return err
			}
			rep.Added++
		}
		return nil
	})
	if err != nil {
		return PopulationReport{}, err
	}
	return rep, nil
}
