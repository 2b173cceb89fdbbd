package report

import (
	"context"
	"database/sql"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"oikos/internal/audit"
	"oikos/internal/csvsafe"
	"oikos/internal/db"
)

// Fair coverage: how many people a scheme reaches per 1,000 who live in
// each area and group, so that a scheme sees whom it is missing. Counts are
// of people referred, month by month (someone referred twice in a month
// counts once, in two months once in each: see Period), by the postcode
// district they live in and the age band, sex and ethnicity recorded for
// them; population figures are the denominators.

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
	if !Judged(population, overallRate, decile) {
		return false
	}
	expected := overallRate * NeedWeight(decile) * float64(population) / 1000
	return float64(referred) < UnderReachedShare*expected
}

// Judged says whether the rule judges a group at all: at least
// MinExpected referrals are expected of it.
func Judged(population int64, overallRate float64, decile int) bool {
	return population > 0 && overallRate > 0 && overallRate*NeedWeight(decile)*float64(population)/1000 >= MinExpected
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
	// ExpectedPer1000 is the rate the rule expects of the group: the
	// scheme-wide rate, weighted for need. Given with UnderReached.
	ExpectedPer1000 *float64 `json:"expected_rate_per_1000,omitempty"`

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
	Period PeriodJSON `json:"period"`
	From   string     `json:"from"`
	To     string     `json:"to"`
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

// days are the period's first and last days as YYYY-MM-DD.
func (p Period) days() (from, to string) {
	return p.From.Format(time.DateOnly), p.To.Format(time.DateOnly)
}

// Keys of the rows that are not a group of the population.
const (
	KeyNotRecorded = "not_recorded" // no age band, sex or ethnicity recorded
	KeyOutside     = "outside"      // lives outside the areas with figures, or no postcode
	KeyTotal       = "total"
)

// cohortsSQL counts the people referred in the period by postcode
// district, age band, sex and ethnicity, in one pass over the period's
// referrals: every table of the report is a sum of these counts. People's
// postcodes are held normalised ("EX4 6PX"), so the district is all but
// the last four characters.
const cohortsSQL = `SELECT
	CASE WHEN length(p.postcode) >= 5 THEN substr(p.postcode, 1, length(p.postcode) - 4) ELSE '' END AS area,
	p.age_band, p.sex, p.ethnicity, COUNT(*)
	FROM people p
	WHERE p.id IN (SELECT person_id FROM referrals WHERE scheme_id = $3 AND received_at >= $1 AND received_at < $2)
	GROUP BY 1, 2, 3, 4`

// inSchemeAreas keeps the population of the areas scheme $1 covers, or of
// every area when it names none (a scheme that has not set its areas, or a
// deployment without schemes).
const inSchemeAreas = `(NOT EXISTS (SELECT 1 FROM scheme_areas WHERE scheme_id = $1)
	OR area IN (SELECT area FROM scheme_areas WHERE scheme_id = $1))`

// breakdownSQL gives, for each area, which breakdowns its figures have.
const breakdownSQL = `SELECT area,
	MAX(CASE WHEN age_band <> '' THEN 1 ELSE 0 END), MAX(CASE WHEN sex <> '' THEN 1 ELSE 0 END), MAX(CASE WHEN ethnicity <> '' THEN 1 ELSE 0 END)
	FROM population WHERE ` + inSchemeAreas + ` GROUP BY area`

type areaFigures struct {
	decile int
	people *int64
	// breakdown says whether the figures give age bands, sexes and
	// ethnicities.
	breakdown [3]bool
}

// populationFigures are the report's denominators, the same whatever the
// period: each area's figures, and the population of each age band, sex
// and ethnic group (dimension 0, 1, 2) in the areas that give it.
type populationFigures struct {
	areas map[string]areaFigures
	group [3]map[string]int
}

// cohort is a group of people referred: where they live and what is
// recorded of them (age band, sex, ethnicity).
type cohort struct {
	area  string
	group [3]string
}

// CoverageReport counts people referred in the period against the
// population figures, with small numbers suppressed, and notes the read in
// the audit log (an aggregate, so one entry for the report).
func CoverageReport(ctx context.Context, d *db.DB, p Period, by Viewer) (Coverage, error) {
	p.Scheme = by.SchemeID
	c, err := coverage(ctx, d, p)
	if err == nil {
		err = recordRead(ctx, d, by, "coverage:"+c.From+".."+c.To)
	}
	return c, err
}

// recordRead notes that someone read a report.
func recordRead(ctx context.Context, d *db.DB, by Viewer, object string) error {
	if by.UserID == "" {
		return nil
	}
	return audit.Record(ctx, d, audit.Event{ActorID: by.UserID, Action: audit.Read, ObjectKind: "report", ObjectID: object, Client: by.Client})
}

func coverage(ctx context.Context, d *db.DB, p Period) (Coverage, error) {
	pop := populationFigures{areas: map[string]areaFigures{}}
	for i := range pop.group {
		pop.group[i] = map[string]int{}
	}
	months := p.Months()
	cohorts := make([]map[cohort]int, len(months))
	err := d.ReadTx(ctx, func(tx *sql.Tx) error {
		err := eachRow(ctx, tx, `SELECT a.area, a.deprivation_decile, p.people FROM population_areas a
			LEFT JOIN population p ON p.area = a.area AND p.age_band = '' AND p.sex = '' AND p.ethnicity = ''
			WHERE `+strings.ReplaceAll(inSchemeAreas, "OR area IN", "OR a.area IN"), []any{p.Scheme}, func(rows *sql.Rows) error {
			var area string
			var decile, people sql.NullInt64
			if err := rows.Scan(&area, &decile, &people); err != nil {
				return err
			}
			f := areaFigures{decile: int(decile.Int64)}
			if people.Valid {
				f.people = &people.Int64
			}
			pop.areas[area] = f
			return nil
		})
		if err != nil {
			return err
		}
		err = eachRow(ctx, tx, breakdownSQL, []any{p.Scheme}, func(rows *sql.Rows) error {
			var area string
			var has [3]int
			if err := rows.Scan(&area, &has[0], &has[1], &has[2]); err != nil {
				return err
			}
			f := pop.areas[area]
			for i := range has {
				f.breakdown[i] = has[i] == 1
			}
			pop.areas[area] = f
			return nil
		})
		if err != nil {
			return err
		}
		err = eachRow(ctx, tx, `SELECT age_band, sex, ethnicity, CAST(SUM(people) AS BIGINT) FROM population
			WHERE (age_band <> '' OR sex <> '' OR ethnicity <> '') AND `+inSchemeAreas+` GROUP BY age_band, sex, ethnicity`, []any{p.Scheme}, func(rows *sql.Rows) error {
			var group [3]string
			var n int
			if err := rows.Scan(&group[0], &group[1], &group[2], &n); err != nil {
				return err
			}
			for i, v := range group {
				if v != "" {
					pop.group[i][v] += n
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for i, m := range months {
			cohorts[i] = map[cohort]int{}
			start, end := m.bounds()
			err := eachRow(ctx, tx, cohortsSQL, []any{start, end, m.Scheme}, func(rows *sql.Rows) error {
				var c cohort
				var n int
				if err := rows.Scan(&c.area, &c.group[0], &c.group[1], &c.group[2], &n); err != nil {
					return err
				}
				cohorts[i][c] += n
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Coverage{}, err
	}
	return publishCoverage(p, pop, cohorts), nil
}

// publishCoverage makes the report of a period from its months' counts:
// each count the sum of the months', hidden where any month hides it (see
// Period).
func publishCoverage(p Period, pop populationFigures, months []map[cohort]int) Coverage {
	sum := map[cohort]int{}
	hidden := map[string]bool{}
	for _, m := range months {
		for k, n := range m {
			sum[k] += n
		}
		c := buildCoverage(p, pop, m)
		cells, tables := c.tables()
		suppressTables(cells, tables)
		for path, g := range cells {
			if g.suppressed {
				hidden[path] = true
			}
		}
	}
	c := buildCoverage(p, pop, sum)
	cells, _ := c.tables()
	c.Suppressed = []string{}
	for _, path := range keysInOrder(cells) {
		if hidden[path] {
			cells[path].suppressed = true
			c.Suppressed = append(c.Suppressed, path+".referred", path+".rate_per_1000")
		}
	}
	c.finish()
	return c
}

// buildCoverage lays out the report's tables from counts of people, before
// anything is hidden.
func buildCoverage(p Period, pop populationFigures, cohorts map[cohort]int) Coverage {
	from, to := p.days()
	c := Coverage{Period: p.JSON(), From: from, To: to, UnderReachedRule: UnderReachedRule}
	areas := pop.areas
	byArea := map[string]int{}
	// Counts by dimension (0 age band, 1 sex, 2 ethnicity) and value, of
	// people in areas whose figures give that breakdown.
	var counts [3]map[string]int
	for i := range counts {
		counts[i] = map[string]int{}
	}
	for k, n := range cohorts {
		byArea[k.area] += n
		for i, v := range k.group {
			if areas[k.area].breakdown[i] {
				counts[i][v] += n
			}
		}
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

	for i, dim := range []struct {
		codes []Code
		into  *Breakdown
	}{{AgeBands, &c.ByAgeBand}, {Sexes, &c.BySex}, {Ethnicities, &c.ByEthnicity}} {
		total, known := 0, 0
		for _, code := range dim.codes {
			n := counts[i][code.Code]
			g := Group{Key: code.Code, Label: code.Label, count: n}
			if p, ok := pop.group[i][code.Code]; ok {
				g.Population = valueRef(int64(p))
			}
			dim.into.Groups = append(dim.into.Groups, g)
			known += n
		}
		for _, n := range counts[i] {
			total += n
		}
		dim.into.Groups = append(dim.into.Groups, Group{Key: KeyNotRecorded, Label: "Not recorded", count: total - known})
		dim.into.Total = Group{Key: KeyTotal, Label: "Everyone referred from areas with these figures", count: total}
	}
	return c
}

// tables names every count of the report by its path, and the sets of
// them that add up to another, for suppressTables: against differencing,
// a second count is hidden in any table whose total is shown. An area's
// count adds up with the others of its decile to the decile's, so each
// decile is a table too.
func (c *Coverage) tables() (map[string]*Group, []sumTable) {
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
	return cells, tables
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
			if judge && overall != nil && Judged(*g.Population, *overall, g.DeprivationDecile) {
				g.UnderReached = valueRef(UnderReached(g.count, *g.Population, *overall, g.DeprivationDecile))
				g.ExpectedPer1000 = valueRef(math.Round(*overall*NeedWeight(g.DeprivationDecile)*100) / 100)
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

// Table is a breakdown with its name in the JSON and its title.
type Table struct {
	Name, Title, GroupTitle string
	Breakdown
}

// Tables lists the report's breakdowns in the order the page and the CSV
// show them.
func (c Coverage) Tables() []Table {
	return []Table{
		{"by_area", "By postcode district", "Postcode district", c.ByArea},
		{"by_deprivation_decile", "By deprivation decile", "Deprivation decile", c.ByDeprivationDecile},
		{"by_age_band", "By age band", "Age band", c.ByAgeBand},
		{"by_sex", "By sex", "Sex", c.BySex},
		{"by_ethnicity", "By ethnic group", "Ethnic group", c.ByEthnicity},
	}
}

// Marked is a group the under-reached rule marks, with its table.
type Marked struct {
	Table Table
	Group Group
}

// UnderReachedGroups lists the groups the rule marks, table by table.
func (c Coverage) UnderReachedGroups() []Marked {
	var out []Marked
	for _, t := range c.Tables() {
		for _, g := range t.Groups {
			if g.UnderReached != nil && *g.UnderReached {
				out = append(out, Marked{t, g})
			}
		}
	}
	return out
}

// Hidden says whether the group's count is suppressed.
func (g Group) Hidden() bool { return g.Referred == nil }

// NumberText writes a count, rate or population as the CSV and the page
// both show it: whole numbers plain, rates to at most 2 decimal places,
// "" for null.
func NumberText[T int | int64 | float64](v *T) string {
	if v == nil {
		return ""
	}
	switch n := any(*v).(type) {
	case int:
		return strconv.Itoa(n)
	case int64:
		return strconv.FormatInt(n, 10)
	case float64:
		return strconv.FormatFloat(n, 'f', -1, 64)
	}
	return ""
}

// Judgement is the rule's answer in words.
func (g Group) Judgement() string {
	switch {
	case g.UnderReached == nil:
		return ""
	case *g.UnderReached:
		return "under-reached"
	}
	return "reached"
}

// NoteHidden is the CSV's note for a suppressed count.
const NoteHidden = "hidden to protect privacy"

// WriteCSV writes every table, one row per group, then the scheme-wide
// figures: the same figures as the JSON and the page.
func (c Coverage) WriteCSV(w io.Writer) error {
	cw := csvsafe.NewWriter(w)
	cw.Write([]string{"table", "key", "group", "deprivation_decile", "referred", "population", "rate_per_1000", "expected_rate_per_1000", "judgement", "note"})
	row := func(table string, g Group) {
		decile, note := "", ""
		if g.DeprivationDecile > 0 {
			decile = strconv.Itoa(g.DeprivationDecile)
		}
		if g.Hidden() {
			note = NoteHidden
		}
		cw.Write([]string{table, g.Key, g.Label, decile, NumberText(g.Referred), NumberText(g.Population), NumberText(g.RatePer1000),
			NumberText(g.ExpectedPer1000), g.Judgement(), note})
	}
	for _, t := range c.Tables() {
		for _, g := range t.Groups {
			row(t.Name, g)
		}
		row(t.Name, t.Total)
	}
	row("overall", c.Overall)
	cw.Flush()
	return cw.Error()
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

// eachRow runs a query and calls fn for each row.
func eachRow(ctx context.Context, q db.Querier, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
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
