package report

import (
	"context"
	"database/sql"
	"io"
	"sort"
	"strings"

	"oikos/internal/csvsafe"
	"oikos/internal/db"
	"oikos/internal/taxonomy"
)

// Unmet needs by area: where people had a pressing need and too little
// suitable support within reach (recorded when suggestions are read, see
// internal/connection/unmet.go). The biggest of these gaps tell a scheme
// and its grants programme where to help community groups start.

// BiggestGapsShown is how many of the largest gaps the report highlights.
const BiggestGapsShown = 5

// UnmetNeed is how many people referred had one need unmet in the period,
// across all areas.
type UnmetNeed struct {
	Need  string `json:"need"`
	Label string `json:"label"`
	// Referrals is null when suppressed.
	Referrals *int `json:"referrals"`

	count      int
	suppressed bool
}

// UnmetGap is one need in one area.
type UnmetGap struct {
	Area  string `json:"area"`
	Need  string `json:"need"`
	Label string `json:"label"`
	// Referrals is how many referrals had the need unmet; null when
	// suppressed.
	Referrals *int `json:"referrals"`
	// Population is the people living in the area, if known.
	Population *int64 `json:"population"`
	// PerTenThousand is Referrals per 10,000 people living in the area.
	PerTenThousand *float64 `json:"per_10000"`
	// BiggestGap marks the largest gaps: where to grow community groups.
	BiggestGap bool `json:"biggest_gap"`

	count      int
	suppressed bool
}

// Unmet is the unmet needs report.
type Unmet struct {
	Period PeriodJSON  `json:"period"`
	From   string      `json:"from"`
	To     string      `json:"to"`
	Needs  []UnmetNeed `json:"needs"`
	Gaps   []UnmetGap  `json:"gaps"`
	// Suppressed lists the paths of counts not shown because they could
	// identify someone: needs.NEED.referrals, gaps.AREA.NEED.referrals.
	Suppressed []string `json:"suppressed"`
}

// UnmetReport counts, for the period, the referrals left with each need
// unmet in each area, largest first, with small numbers suppressed, and
// notes the read in the audit log.
func UnmetReport(ctx context.Context, d *db.DB, p Period, by Viewer) (Unmet, error) {
	p.Scheme = by.SchemeID
	u, err := unmetNeeds(ctx, d, p)
	if err == nil {
		err = recordRead(ctx, d, by, "unmet-needs:"+u.From+".."+u.To)
	}
	return u, err
}

// unmetCounts are one month's unmet needs: referrals by need and area,
// and by need across areas (a referral counts once in a month for a need,
// though it may be in two areas on different days).
type unmetCounts struct {
	gaps  map[[2]string]int // need, area
	needs map[string]int
}

func unmetNeeds(ctx context.Context, d *db.DB, p Period) (Unmet, error) {
	months := p.Months()
	counts := make([]unmetCounts, len(months))
	population := map[string]*int64{}
	err := d.ReadTx(ctx, func(tx *sql.Tx) error {
		for i, m := range months {
			from, to := m.days()
			counts[i] = unmetCounts{gaps: map[[2]string]int{}}
			err := eachRow(ctx, tx, `SELECT u.need, u.area, COUNT(DISTINCT u.referral_id), MAX(p.people)
				FROM unmet_needs u JOIN referrals r ON r.id = u.referral_id
				LEFT JOIN population p ON p.area = u.area AND p.age_band = '' AND p.sex = '' AND p.ethnicity = ''
				WHERE u.on_date BETWEEN $1 AND $2 AND r.scheme_id = $3 GROUP BY u.need, u.area`, []any{from, to, m.Scheme}, func(rows *sql.Rows) error {
				var need, area string
				var n int
				var people *int64
				if err := rows.Scan(&need, &area, &n, &people); err != nil {
					return err
				}
				counts[i].gaps[[2]string{need, area}] = n
				population[area] = people
				return nil
			})
			if err != nil {
				return err
			}
			if counts[i].needs, err = countGroups(ctx, tx, `SELECT u.need, COUNT(DISTINCT u.referral_id) FROM unmet_needs u
				JOIN referrals r ON r.id = u.referral_id
				WHERE u.on_date BETWEEN $1 AND $2 AND r.scheme_id = $3 GROUP BY u.need`, []any{from, to, m.Scheme}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Unmet{}, err
	}
	return publishUnmet(p, counts, population), nil
}

// publishUnmet makes the report of a period from its months' counts: each
// count the sum of the months', hidden where any month hides it (see
// Period).
func publishUnmet(p Period, months []unmetCounts, population map[string]*int64) Unmet {
	sum := unmetCounts{gaps: map[[2]string]int{}, needs: map[string]int{}}
	hidden := map[string]bool{}
	for _, m := range months {
		for k, n := range m.gaps {
			sum.gaps[k] += n
		}
		addCounts(sum.needs, m.needs)
		u := buildUnmet(p, m, population)
		for _, path := range u.protect() {
			hidden[path] = true
		}
	}
	u := buildUnmet(p, sum, population)
	for i := range u.Needs {
		if path := "needs." + u.Needs[i].Need + ".referrals"; hidden[path] {
			u.Needs[i].suppressed = true
			u.Suppressed = append(u.Suppressed, path)
		}
	}
	for i := range u.Gaps {
		if path := u.Gaps[i].path(); hidden[path] {
			u.Gaps[i].suppressed = true
			u.Suppressed = append(u.Suppressed, path)
		}
	}
	sort.Strings(u.Suppressed)
	u.finish()
	return u
}

// buildUnmet lays out the report from counts, before anything is hidden:
// needs largest first.
func buildUnmet(p Period, c unmetCounts, population map[string]*int64) Unmet {
	from, to := p.days()
	u := Unmet{Period: p.JSON(), From: from, To: to, Needs: []UnmetNeed{}, Gaps: []UnmetGap{}, Suppressed: []string{}}
	for k, n := range c.gaps {
		u.Gaps = append(u.Gaps, UnmetGap{Need: k[0], Area: k[1], Label: needLabel(k[0]), Population: population[k[1]], count: n})
	}
	// A fixed order before protect: which of two equal cells is hidden
	// second must not depend on a map's order.
	sort.Slice(u.Gaps, func(i, j int) bool { return u.Gaps[i].path() < u.Gaps[j].path() })
	for need, n := range c.needs {
		u.Needs = append(u.Needs, UnmetNeed{Need: need, Label: needLabel(need), count: n})
	}
	sort.Slice(u.Needs, func(i, j int) bool {
		if u.Needs[i].count != u.Needs[j].count {
			return u.Needs[i].count > u.Needs[j].count
		}
		return u.Needs[i].Need < u.Needs[j].Need
	})
	return u
}

// protect suppresses small counts and protects each need's areas, which
// add up to the need's total (a referral has one area for a need on a
// day; on different days it is counted once in the total and could be in
// two areas, which only makes the areas add up to more).
func (u *Unmet) protect() []string {
	suppressed := []string{}
	total := map[string]*UnmetNeed{}
	for i := range u.Needs {
		n := &u.Needs[i]
		total[n.Need] = n
		if Small(n.count) {
			n.suppressed = true
			suppressed = append(suppressed, "needs."+n.Need+".referrals")
		}
	}
	byNeed := map[string][]int{}
	for i, g := range u.Gaps {
		byNeed[g.Need] = append(byNeed[g.Need], i)
	}
	for _, need := range keysInOrder(byNeed) {
		var cells []Cell
		for _, i := range byNeed[need] {
			cells = append(cells, Cell{Path: u.Gaps[i].path(), Count: u.Gaps[i].count})
		}
		if t := total[need]; t != nil && t.suppressed {
			// The need's total is hidden: nothing to difference from, but
			// the small cells are still small.
			for i := range cells {
				cells[i].Suppressed = Small(cells[i].Count)
			}
		} else {
			ProtectGroup(cells)
			if t := total[need]; t != nil && ExposedTotal(cells) {
				t.suppressed = true
				suppressed = append(suppressed, "needs."+need+".referrals")
			}
		}
		for k, i := range byNeed[need] {
			if cells[k].Suppressed {
				u.Gaps[i].suppressed = true
				suppressed = append(suppressed, cells[k].Path)
			}
		}
	}
	sort.Strings(suppressed)
	return suppressed
}

func (g UnmetGap) path() string { return "gaps." + g.Area + "." + g.Need + ".referrals" }

// finish shows what may be shown, orders the gaps largest first (hidden
// ones last, in a fixed order that says nothing of their size) and marks
// the biggest.
func (u *Unmet) finish() {
	for i := range u.Needs {
		if !u.Needs[i].suppressed {
			u.Needs[i].Referrals = valueRef(u.Needs[i].count)
		}
	}
	for i := range u.Gaps {
		g := &u.Gaps[i]
		if g.suppressed {
			continue
		}
		g.Referrals = valueRef(g.count)
		if g.Population != nil && *g.Population > 0 {
			r := float64(g.count) * 10000 / float64(*g.Population)
			g.PerTenThousand = valueRef(float64(int64(r*100+0.5)) / 100)
		}
	}
	OrderGaps(u.Gaps)
	for i := 0; i < len(u.Gaps) && i < BiggestGapsShown; i++ {
		if u.Gaps[i].Referrals == nil {
			break
		}
		u.Gaps[i].BiggestGap = true
	}
}

// OrderGaps sorts gaps largest first by the counts shown, then by area and
// need; suppressed gaps go last, by area and need only, so that their
// place does not hint at their size.
func OrderGaps(gaps []UnmetGap) {
	sort.SliceStable(gaps, func(i, j int) bool {
		a, b := gaps[i], gaps[j]
		if (a.Referrals == nil) != (b.Referrals == nil) {
			return a.Referrals != nil
		}
		if a.Referrals != nil && *a.Referrals != *b.Referrals {
			return *a.Referrals > *b.Referrals
		}
		if a.Area != b.Area {
			areas := []string{a.Area, b.Area}
			sortAreas(areas)
			return areas[0] == a.Area
		}
		return a.Need < b.Need
	})
}

// WriteCSV writes the needs' totals, then every gap, largest first: the
// same figures as the JSON and the page.
func (u Unmet) WriteCSV(w io.Writer) error {
	cw := csvsafe.NewWriter(w)
	cw.Write([]string{"table", "area", "need", "need_label", "referrals", "population", "per_10000", "biggest_gap", "note"})
	note := func(n *int) string {
		if n == nil {
			return NoteHidden
		}
		return ""
	}
	for _, n := range u.Needs {
		cw.Write([]string{"needs", "", n.Need, n.Label, NumberText(n.Referrals), "", "", "", note(n.Referrals)})
	}
	for _, g := range u.Gaps {
		biggest := ""
		if g.BiggestGap {
			biggest = "yes"
		}
		cw.Write([]string{"gaps", g.Area, g.Need, g.Label, NumberText(g.Referrals), NumberText(g.Population), NumberText(g.PerTenThousand), biggest, note(g.Referrals)})
	}
	cw.Flush()
	return cw.Error()
}

// BiggestGaps are the gaps the report marks, largest first.
func (u Unmet) BiggestGaps() []UnmetGap {
	var out []UnmetGap
	for _, g := range u.Gaps {
		if g.BiggestGap {
			out = append(out, g)
		}
	}
	return out
}

func needLabel(code string) string {
	if n, ok := taxonomy.NeedByCode(code); ok {
		return n.Label
	}
	return strings.ReplaceAll(code, "_", " ")
}
