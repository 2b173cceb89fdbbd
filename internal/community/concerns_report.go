package community

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/report"
)

// How quickly concerns are taken up: of the concerns raised in a period,
// how many at each level, how many have been acted on and closed, and the
// median time from raising to the first action. Counts of 1 to 4 are
// hidden as the other reports hide them (internal/report, suppress.go),
// and the median with the count it rests on.

// ConcernFigures is the safeguarding report.
type ConcernFigures struct {
	Period  report.PeriodJSON `json:"period"`
	Raised  *int              `json:"raised"`
	ByLevel map[string]*int   `json:"by_level"`
	ActedOn *int              `json:"acted_on"`
	Closed  *int              `json:"closed"`
	// MedianMinutesToFirstAction is over the concerns acted on.
	MedianMinutesToFirstAction *float64 `json:"median_minutes_to_first_action"`
	Suppressed                 []string `json:"suppressed"`
}

// ConcernCounts are the figures before disclosure control: the level of
// each concern raised, whether it is closed, and the minutes to the first
// action of those acted on.
type ConcernCounts struct {
	ByLevel map[string]int
	Closed  int
	Minutes []int64
}

// ProtectConcerns hides what could point at someone. The levels add up to
// the concerns raised, and closed and still open do too: each is a group
// (report.ProtectGroup), and the total goes when it is small or the group
// gives it away.
func ProtectConcerns(c ConcernCounts, period report.PeriodJSON) ConcernFigures {
	return protectConcerns(c, period, nil)
}

// protectConcerns is ProtectConcerns with the paths already hidden (in a
// month of the period) marked so before the groups are protected.
func protectConcerns(c ConcernCounts, period report.PeriodJSON, hidden map[string]bool) ConcernFigures {
	out := ConcernFigures{Period: period, ByLevel: map[string]*int{}, Suppressed: []string{}}
	raised := 0
	var levels []report.Cell
	for _, l := range ConcernLevels {
		raised += c.ByLevel[l]
		path := "by_level." + l
		levels = append(levels, report.Cell{Path: path, Count: c.ByLevel[l], Suppressed: hidden[path]})
		if hidden[path] {
			out.Suppressed = append(out.Suppressed, path)
		}
	}
	out.Suppressed = append(out.Suppressed, report.ProtectGroup(levels)...)
	for i, l := range ConcernLevels {
		if !levels[i].Suppressed {
			n := levels[i].Count
			out.ByLevel[l] = &n
		} else {
			out.ByLevel[l] = nil
		}
	}
	// Closed and open are hidden together or not at all (a group of two).
	states := []report.Cell{{Path: "closed", Count: c.Closed, Suppressed: hidden["closed"]}, {Path: "open", Count: raised - c.Closed, Suppressed: hidden["closed"]}}
	report.ProtectGroup(states)
	if hidden["raised"] || report.Small(raised) || report.ExposedTotal(levels) || report.ExposedTotal(states) {
		out.Suppressed = append(out.Suppressed, "raised")
	} else {
		out.Raised = &raised
	}
	if states[0].Suppressed {
		out.Suppressed = append(out.Suppressed, "closed")
	} else {
		n := c.Closed
		out.Closed = &n
	}
	acted := len(c.Minutes)
	if hidden["acted_on"] || report.Small(acted) {
		out.Suppressed = append(out.Suppressed, "acted_on", "median_minutes_to_first_action")
	} else {
		out.ActedOn = &acted
		if acted > 0 {
			m := median(c.Minutes)
			out.MedianMinutesToFirstAction = &m
		}
	}
	return out
}

// median of whole minutes, to a tenth.
func median(v []int64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return float64(s[n/2])
	}
	return float64(s[n/2-1]+s[n/2]) / 2
}

// PublishConcerns makes the report of a period from its months' counts,
// as the volunteering report beside it is made (and the summary report):
// each count the sum of the months', hidden where any month hides it; the
// median is of every concern acted on in the period, shown with the
// count of them. Pure.
func PublishConcerns(months []ConcernCounts, period report.PeriodJSON) ConcernFigures {
	sum := ConcernCounts{ByLevel: map[string]int{}}
	hidden := map[string]bool{}
	for _, m := range months {
		for l, n := range m.ByLevel {
			sum.ByLevel[l] += n
		}
		sum.Closed += m.Closed
		sum.Minutes = append(sum.Minutes, m.Minutes...)
		for _, path := range ProtectConcerns(m, period).Suppressed {
			hidden[path] = true
		}
	}
	return protectConcerns(sum, period, hidden)
}

// ConcernReport counts the concerns raised in a period in the caller's
// scheme, month by month (the month of the scheme's day each was raised
// on): its managers and commissioners; anyone else is refused (404). The
// read is audited (one entry: it holds nobody's record).
func (s *Safeguarding) ConcernReport(ctx context.Context, by oikos.Actor, p *auth.Principal, period report.Period) (ConcernFigures, error) {
	if p == nil || (p.Role != auth.Manager && p.Role != auth.Commissioner) {
		return ConcernFigures{}, oikos.NotFound("Report")
	}
	from, to := period.From.Format(time.DateOnly), period.To.Format(time.DateOnly)
	start := time.Date(period.From.Year(), period.From.Month(), period.From.Day(), 0, 0, 0, 0, communityZone).UnixMilli()
	months := volMonths(period)
	counts := make([]ConcernCounts, len(months))
	index := map[string]int{}
	for i, m := range months {
		counts[i].ByLevel = map[string]int{}
		index[m.key] = i
	}
	err := s.DB.ReadTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT level, status, raised_at, first_action_at FROM concerns
			WHERE scheme_id = $1 AND raised_at >= $2 AND raised_at < $3`, p.SchemeID, start, period1End(to))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var level, status string
			var raised int64
			var first sql.NullInt64
			if err := rows.Scan(&level, &status, &raised, &first); err != nil {
				return err
			}
			i, ok := index[dayOf(db.Time(raised))[:7]]
			if !ok {
				continue // cannot be: the period is its months' days
			}
			c := &counts[i]
			c.ByLevel[level]++
			if status == ConcernClosed {
				c.Closed++
			}
			if first.Valid {
				c.Minutes = append(c.Minutes, MinutesBetween(db.Time(raised), db.Time(first.Int64)))
			}
		}
		return rows.Err()
	})
	if err != nil {
		return ConcernFigures{}, err
	}
	out := PublishConcerns(counts, report.PeriodJSON{From: from, To: to})
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		return audit.Append(ctx, tx, s.DB.Dialect, auditEvent(by, s.now(), audit.Read, "report", "safeguarding:"+from+".."+to))
	})
	return out, err
}
