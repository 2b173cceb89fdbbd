package report

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"oikos"
	"oikos/internal/db"
)

// Fair coverage: how many people a scheme reaches per 1,000 who live in
// each area and group, so that a scheme sees whom it is missing. Counts are
// of people referred in the period (someone referred twice counts once),
// by the postcode district they live in and the age band, sex and
// ethnicity recorded for them; population figures are the denominators.

// Window is the days a report covers, From to To inclusive, on the UK
// clock.
type Window struct {
	From, To time.Time // midnight at the start of each day
}

// MaxWindowYears is the longest period a report covers.
const MaxWindowYears = 10

var coverageZone = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/London"); err == nil {
		return loc
	}
	return time.UTC
}()

// ParseWindow reads from and to (YYYY-MM-DD). Either may be blank: to
// defaults to today and from to a year before to. Problems are a 422
// naming the field.
func ParseWindow(from, to string, today time.Time) (Window, error) {
	bad := map[string]string{}
	day := func(field, s string) time.Time {
		t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), coverageZone)
		if err != nil {
			bad[field] = "Enter a real date in the form YYYY-MM-DD, like 2026-04-01"
		}
		return t
	}
	var w Window
	if strings.TrimSpace(to) == "" {
		t := today.In(coverageZone)
		w.To = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, coverageZone)
	} else {
		w.To = day("to", to)
	}
	if strings.TrimSpace(from) == "" {
		w.From = w.To.AddDate(-1, 0, 1)
	} else {
		w.From = day("from", from)
	}
	if len(bad) == 0 {
		switch {
		case w.From.After(w.To):
			bad["from"] = "The start date must be on or before the end date"
		case w.To.After(w.From.AddDate(MaxWindowYears, 0, 0)):
			bad["to"] = fmt.Sprintf("The period can be at most %d years long", MaxWindowYears)
		}
	}
	if err := oikos.Invalid(bad); err != nil {
		return Window{}, err
	}
	return w, nil
}

// Days gives the window's first and last day as YYYY-MM-DD.
func (w Window) Days() (from, to string) {
	return w.From.Format(time.DateOnly), w.To.Format(time.DateOnly)
}

// end is the first moment after the window.
func (w Window) end() time.Time { return w.To.AddDate(0, 0, 1) }

// The under-reached rule. A group is under-reached when it has fewer
// people referred than three quarters of what the scheme-wide rate,
// weighted for need, would bring from its population. Need is weighted by
// deprivation: people in the most deprived tenths of areas (deciles 1 to
// 3) live with more of what social prescribing is for (loneliness, debt,
// long-term conditions), so a fair scheme reaches them at a higher rate
// than average, here half as high again. A group is judged only when at
// least MinExpected people would be expected, so that a small area is not
// flagged on chance alone.
const (
	UnderReachedShare  = 0.75
	DeprivedNeedWeight = 1.5
	MinExpected        = 5.0
)

// NeedWeight is how many times the scheme-wide rate an area of the decile
// should reach: more where deprivation is greatest. 0 means not known.
func NeedWeight(decile int) float64 {
	if decile >= 1 && decile <= 3 {
		return DeprivedNeedWeight
	}
	return 1
}

// UnderReached applies the rule to a group: referred people from a
// population, against the scheme-wide rate per 1,000 and the group's
// deprivation decile (0 if it has none).
func UnderReached(referred int, population int64, overallRate float64, decile int) bool {
	if population <= 0 || overallRate <= 0 {
		return false
	}
	expected := overallRate * NeedWeight(decile) * float64(population) / 1000
	if expected < MinExpected {
		return false
	}
	return float64(referred) < UnderReachedShare*expected
}

// UnderReachedRule says the rule in words, for the report's readers.
const UnderReachedRule = "A group is under-reached when fewer people were referred than three quarters of what the scheme-wide rate would bring from its population, with that rate raised by half for areas in deprivation deciles 1 to 3, where need is greater. Groups where fewer than 5 referrals would be expected are not judged."

// Group is one row of a coverage table.
type Group struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	// DeprivationDecile is the area's decile (areas and deciles only).
	DeprivationDecile int `json:"deprivation_decile,omitempty"`
	// Referred is the number of people referred; null when suppressed.
	Referred *int `json:"referred"`
	// Population is the people living in the group; null when not known.
	Population *int64 `json:"population"`
	// RatePer1000 is Referred per 1,000 Population, to 2 decimal places.
	RatePer1000 *float64 `json:"rate_per_1000"`
	// UnderReached is the rule's answer; null when the group cannot be
	// judged (no population figures, or a suppressed count).
	UnderReached *bool `json:"under_reached"`

	count      int
	suppressed bool
}

// Breakdown is a table of groups whose counts add up to Total.
type Breakdown struct {
	Groups []Group `json:"groups"`
	Total  Group   `json:"total"`
}

// Coverage is the fair-coverage report.
type Coverage struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Overall is everyone referred from areas with population figures,
	// against the people living in them: the scheme-wide rate.
	Overall             Group     `json:"overall"`
	ByArea              Breakdown `json:"by_area"`
	ByDeprivationDecile Breakdown `json:"by_deprivation_decile"`
	ByAgeBand           Breakdown `json:"by_age_band"`
	BySex               Breakdown `json:"by_sex"`
	ByEthnicity         Breakdown `json:"by_ethnicity"`
	UnderReachedRule    string    `json:"under_reached_rule"`
	// Suppressed lists the paths of counts and rates not shown because
	// they could identify someone.
	Suppressed []string `json:"suppressed"`
}

// Keys of the rows that are not a group of the population.
const (
	KeyNotRecorded = "not_recorded" // no age band, sex or ethnicity recorded
	KeyOutside     = "outside"      // lives outside the areas with figures, or no postcode
	KeyTotal       = "total"
)

// referredSQL is the people referred in the window with their postcode
// district (people's postcodes are held normalised, "EX4 6PX", so the
// district is all but the last four characters).
const referredSQL = `SELECT p.id,
	CASE WHEN length(p.postcode) >= 5 THEN substr(p.postcode, 1, length(p.postcode) - 4) ELSE '' END AS area,
	p.age_band, p.sex, p.ethnicity
	FROM (SELECT DISTINCT person_id FROM referrals WHERE received_at >= $1 AND received_at < $2) rr
	JOIN people p ON p.id = rr.person_id`

type areaFigures struct {
	decile int
	people *int64
}

// CoverageReport counts people referred in the window against the
// population figures, with small numbers suppressed.
func CoverageReport(ctx context.Context, d *db.DB, w Window) (Coverage, error) {
	from, to := w.Days()
	c := Coverage{From: from, To: to, UnderReachedRule: UnderReachedRule}
	args := []any{db.Millis(w.From), db.Millis(w.end())}
	q := d.R()

	areas := map[string]areaFigures{}
	rows, err := q.QueryContext(ctx, `SELECT a.area, a.deprivation_decile, p.people FROM population_areas a
		LEFT JOIN population p ON p.area = a.area AND p.age_band = '' AND p.sex = '' AND p.ethnicity = ''`)
	if err != nil {
		return c, err
	}
	for rows.Next() {
		var area string
		var decile, people sql.NullInt64
		if err := rows.Scan(&area, &decile, &people); err != nil {
			rows.Close()
			return c, err
		}
		f := areaFigures{decile: int(decile.Int64)}
		if people.Valid {
			f.people = &people.Int64
		}
		areas[area] = f
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return c, err
	}

	byArea, err := countGroups(ctx, q, `SELECT x.area, COUNT(*) FROM (`+referredSQL+`) x GROUP BY x.area`, args)
	if err != nil {
		return c, err
	}
	dimension := func(col string) (counts map[string]int, population map[string]int64, err error) {
		counts, err = countGroups(ctx, q, `SELECT x.`+col+`, COUNT(*) FROM (`+referredSQL+`) x
			WHERE EXISTS (SELECT 1 FROM population g WHERE g.area = x.area AND g.`+col+` <> '') GROUP BY x.`+col, args)
		if err != nil {
			return nil, nil, err
		}
		population = map[string]int64{}
		prs, err := q.QueryContext(ctx, `SELECT `+col+`, CAST(SUM(people) AS BIGINT) FROM population WHERE `+col+` <> '' GROUP BY `+col)
		if err != nil {
			return nil, nil, err
		}
		defer prs.Close()
		for prs.Next() {
			var k string
			var n int64
			if err := prs.Scan(&k, &n); err != nil {
				return nil, nil, err
			}
			population[k] = n
		}
		return counts, population, prs.Err()
	}

	// Areas, in the order of their names as people read them (EX2 before EX10).
	var overallCount int
	var overallPeople int64
	names := make([]string, 0, len(areas))
	for a := range areas {
		names = append(names, a)
	}
	sortAreas(names)
	outside := 0
	for a, n := range byArea {
		if f, ok := areas[a]; !ok || f.people == nil {
			outside += n
		}
	}
	deciles := map[int]*Group{}
	decileUnknown := outside
	for _, a := range names {
		f := areas[a]
		if f.people == nil {
			continue
		}
		n := byArea[a]
		overallCount += n
		overallPeople += *f.people
		c.ByArea.Groups = append(c.ByArea.Groups, Group{Key: a, Label: a, DeprivationDecile: f.decile, Population: valueRef(*f.people), count: n})
		if f.decile == 0 {
			decileUnknown += n
			continue
		}
		g := deciles[f.decile]
		if g == nil {
			g = &Group{Key: strconv.Itoa(f.decile), Label: decileLabel(f.decile), DeprivationDecile: f.decile, Population: valueRef(int64(0))}
			deciles[f.decile] = g
		}
		g.count += n
		*g.Population += *f.people
	}
	c.ByArea.Groups = append(c.ByArea.Groups, Group{Key: KeyOutside, Label: "Areas without population figures, or no postcode", count: outside})
	c.ByArea.Total = Group{Key: KeyTotal, Label: "Everyone referred", count: overallCount + outside}
	for k := 1; k <= 10; k++ {
		if g := deciles[k]; g != nil {
			c.ByDeprivationDecile.Groups = append(c.ByDeprivationDecile.Groups, *g)
		}
	}
	c.ByDeprivationDecile.Groups = append(c.ByDeprivationDecile.Groups, Group{Key: "not_known", Label: "Decile not known", count: decileUnknown})
	c.ByDeprivationDecile.Total = Group{Key: KeyTotal, Label: "Everyone referred", count: overallCount + outside}
	c.Overall = Group{Key: "overall", Label: "Scheme-wide", Population: valueRef(overallPeople), count: overallCount}

	for _, dim := range []struct {
		col   string
		codes []Code
		into  *Breakdown
	}{{"age_band", AgeBands, &c.ByAgeBand}, {"sex", Sexes, &c.BySex}, {"ethnicity", Ethnicities, &c.ByEthnicity}} {
		counts, population, err := dimension(dim.col)
		if err != nil {
			return c, err
		}
		total, known := 0, 0
		for _, code := range dim.codes {
			n := counts[code.Code]
			g := Group{Key: code.Code, Label: code.Label, count: n}
			if p, ok := population[code.Code]; ok {
				g.Population = valueRef(p)
			}
			dim.into.Groups = append(dim.into.Groups, g)
			known += n
		}
		for _, n := range counts {
			total += n
		}
		dim.into.Groups = append(dim.into.Groups, Group{Key: KeyNotRecorded, Label: "Not recorded", count: total - known})
		dim.into.Total = Group{Key: KeyTotal, Label: "Everyone referred from areas with these figures", count: total}
	}

	c.Suppressed = c.protect()
	c.finish()
	return c, nil
}

// protect suppresses small counts and, against differencing, a second
// count in any table whose total is shown; it returns the paths of the
// suppressed counts and rates. An area's count adds up with the others of
// its decile to the decile's, so each decile is a table too.
func (c *Coverage) protect() []string {
	cells := map[string]*Group{}
	var tables []sumTable
	add := func(name string, b *Breakdown) {
		t := sumTable{total: name + "." + KeyTotal}
		for i := range b.Groups {
			p := name + "." + b.Groups[i].Key
			cells[p] = &b.Groups[i]
			t.cells = append(t.cells, p)
		}
		cells[t.total] = &b.Total
		tables = append(tables, t)
	}
	add("by_area", &c.ByArea)
	add("by_deprivation_decile", &c.ByDeprivationDecile)
	add("by_age_band", &c.ByAgeBand)
	add("by_sex", &c.BySex)
	add("by_ethnicity", &c.ByEthnicity)
	cells["overall"] = &c.Overall
	// The scheme-wide count is the sum of the areas with figures; each
	// decile the sum of its areas, "decile not known" of the areas without
	// one and those outside.
	overall := sumTable{total: "overall"}
	inDecile := map[string][]string{}
	for _, g := range c.ByArea.Groups {
		k := "not_known"
		if g.DeprivationDecile > 0 {
			k = strconv.Itoa(g.DeprivationDecile)
		}
		inDecile[k] = append(inDecile[k], "by_area."+g.Key)
		if g.Key != KeyOutside {
			overall.cells = append(overall.cells, "by_area."+g.Key)
		}
	}
	tables = append(tables, overall)
	for _, k := range keysInOrder(inDecile) {
		tables = append(tables, sumTable{cells: inDecile[k], total: "by_deprivation_decile." + k})
	}
	return suppressTables(cells, tables)
}

// sumTable is a set of cells that add up to another, the total.
type sumTable struct {
	cells []string
	total string
}

// suppressTables marks small counts suppressed, then protects every table
// until no table needs more: suppressing a cell in one table can leave a
// lone suppressed cell in another it belongs to. A total that would give
// its hidden cells away is suppressed too.
func suppressTables(cells map[string]*Group, tables []sumTable) []string {
	for _, g := range cells {
		if Small(g.count) {
			g.suppressed = true
		}
	}
	for round := 0; round < 100; round++ {
		changed := false
		for _, t := range tables {
			if cells[t.total].suppressed {
				// Nothing to difference from; the cells' own smallness was
				// dealt with above.
				continue
			}
			group := make([]Cell, 0, len(t.cells))
			for _, p := range t.cells {
				group = append(group, Cell{Path: p, Count: cells[p].count, Suppressed: cells[p].suppressed})
			}
			for _, p := range ProtectGroup(group) {
				if g := cells[p]; !g.suppressed {
					g.suppressed = true
					changed = true
				}
			}
			if ExposedTotal(group) {
				cells[t.total].suppressed = true
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	var out []string
	for _, p := range keysInOrder(cells) {
		if cells[p].suppressed {
			out = append(out, p+".referred", p+".rate_per_1000")
		}
	}
	return out
}

// finish fills in what the page and API show: counts that may be shown,
// rates from them, and the under-reached rule's answer.
func (c *Coverage) finish() {
	overall := ratePer1000(c.Overall.count, c.Overall.Population)
	fill := func(g *Group, judge bool) {
		if g.suppressed {
			return
		}
		g.Referred = valueRef(g.count)
		if r := ratePer1000(g.count, g.Population); r != nil {
			g.RatePer1000 = valueRef(math.Round(*r*100) / 100)
			if judge && overall != nil {
				g.UnderReached = valueRef(UnderReached(g.count, *g.Population, *overall, g.DeprivationDecile))
			}
		}
	}
	fill(&c.Overall, false)
	for _, b := range []*Breakdown{&c.ByArea, &c.ByDeprivationDecile, &c.ByAgeBand, &c.BySex, &c.ByEthnicity} {
		for i := range b.Groups {
			fill(&b.Groups[i], true)
		}
		fill(&b.Total, false)
	}
}

func ratePer1000(n int, population *int64) *float64 {
	if population == nil || *population <= 0 {
		return nil
	}
	return valueRef(float64(n) * 1000 / float64(*population))
}

func decileLabel(d int) string {
	switch d {
	case 1:
		return "1 (most deprived)"
	case 10:
		return "10 (least deprived)"
	}
	return strconv.Itoa(d)
}

func countGroups(ctx context.Context, q db.Querier, query string, args []any) (map[string]int, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] += n
	}
	return out, rows.Err()
}

// sortAreas orders postcode districts as people read them: by letters,
// then by number (EX2 before EX10), then by any final letter.
func sortAreas(areas []string) {
	split := func(a string) (string, int, string) {
		i := strings.IndexAny(a, "0123456789")
		if i < 0 {
			return a, 0, ""
		}
		j := i
		for j < len(a) && a[j] >= '0' && a[j] <= '9' {
			j++
		}
		n, _ := strconv.Atoi(a[i:j])
		return a[:i], n, a[j:]
	}
	sort.Slice(areas, func(i, j int) bool {
		li, ni, si := split(areas[i])
		lj, nj, sj := split(areas[j])
		if li != lj {
			return li < lj
		}
		if ni != nj {
			return ni < nj
		}
		return si < sj
	})
}

func keysInOrder[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// valueRef is a pointer to a copy of v, for the JSON fields that may be null.
func valueRef[T any](v T) *T { return &v }
