package community

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strconv"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/csvsafe"
	"oikos/internal/db"
	"oikos/internal/report"
)

// The volunteering report: what a scheme's volunteers did in a period, for
// its managers and those who fund it. Every figure is counted in SQL; a
// count of people from 1 to 4 is hidden as null and listed in suppressed,
// with the rules of internal/report (suppress.go).
//
// A period is whole calendar months (report.ParsePeriod), and the report
// is the sum of its months, each protected as a report of its own, as the
// summary report is (internal/report, summary.go, "Disclosure control
// across periods"): a count is shown only where every one of its months
// shows it, so that no two periods a reader may choose differ by a hidden
// count. What each figure counts, month by month (the scheme's days, both
// included) and added up:
//   - volunteers_active: volunteers with a match that ran on at least one
//     day of the month (one active in three months counts in each);
//   - matches: matches made in the month;
//   - hours: the hours of contact volunteers logged in the month, to a
//     tenth; hidden with volunteers_active, since with one volunteer it is
//     theirs alone;
//   - people_supported: people with a match that ran in the month (a
//     person matched twice counts once in a month, and once in each month
//     they were supported).
//
// A match runs from the day it started to the day it ended, or to today:
// days to come are in no match yet, so a month after this one counts none.
//
// Two figures are of the period's last day, not added up:
//   - peer_mentors: volunteers of kind peer_mentor, with an active
//     account, whose profile was made by the end of the period;
//   - graduates_active: those of them who came through the graduate
//     pathway.
//
// graduates_active is part of peer_mentors; the peer mentors who are not
// graduates are a cell of that group although not published, so the two
// are protected together (report.ProtectGroup), lest peer_mentors minus
// graduates_active give away a count of 1 to 4.
//
// Speed: a closed month (one before this one on the scheme's clock) is
// counted once and kept in volunteering_months, so that a year's report
// counts only the month still open. The database's triggers (migration
// 0042) forget a kept month whenever a change of a match, or of whose
// record a matched referral is, would change its figures; hours are read
// from the days' totals (volunteer_days) every time, so a contact logged
// late for a closed month counts at once.

// VolunteeringReport is the contract's volunteering report. Pointers are
// null when hidden (listed in Suppressed).
type VolunteeringReport struct {
	Period           report.PeriodJSON `json:"period"`
	VolunteersActive *int              `json:"volunteers_active"`
	Matches          *int              `json:"matches"`
	Hours            *float64          `json:"hours"`
	PeopleSupported  *int              `json:"people_supported"`
	PeerMentors      *int              `json:"peer_mentors"`
	GraduatesActive  *int              `json:"graduates_active"`
	Suppressed       []string          `json:"suppressed"`
}

// VolunteeringCounts are the report's figures before disclosure control:
// one month's, or a period's.
type VolunteeringCounts struct {
	VolunteersActive, Matches, PeopleSupported, PeerMentors, GraduatesActive int
	Minutes                                                                  int64
}

// ProtectVolunteering hides what could point at someone in one month's
// figures, or a period's (see the top of this file): pure, so its cases
// are tested one by one.
func ProtectVolunteering(c VolunteeringCounts, period report.PeriodJSON) VolunteeringReport {
	out := VolunteeringReport{Period: period, Suppressed: []string{}}
	show := func(path string, n int) *int {
		if report.Small(n) {
			out.Suppressed = append(out.Suppressed, path)
			return nil
		}
		return &n
	}
	out.VolunteersActive = show("volunteers_active", c.VolunteersActive)
	out.Matches = show("matches", c.Matches)
	out.PeopleSupported = show("people_supported", c.PeopleSupported)
	if out.VolunteersActive != nil {
		h := hoursOf(c.Minutes)
		out.Hours = &h
	} else {
		out.Suppressed = append(out.Suppressed, "hours")
	}
	group := []report.Cell{{Path: "graduates_active", Count: c.GraduatesActive}, {Path: "peer_mentors_not_graduates", Count: c.PeerMentors - c.GraduatesActive}}
	report.ProtectGroup(group)
	if group[0].Suppressed {
		out.Suppressed = append(out.Suppressed, "graduates_active")
	} else {
		n := c.GraduatesActive
		out.GraduatesActive = &n
	}
	if report.Small(c.PeerMentors) || report.ExposedTotal(group) {
		out.Suppressed = append(out.Suppressed, "peer_mentors")
	} else {
		n := c.PeerMentors
		out.PeerMentors = &n
	}
	return out
}

// PublishVolunteering makes the report of a period from its months'
// counts, added up, and its peer mentors on its last day (mentors'
// PeerMentors and GraduatesActive): a figure of the months is hidden where
// any month hides it. Pure.
func PublishVolunteering(months []VolunteeringCounts, mentors VolunteeringCounts, period report.PeriodJSON) VolunteeringReport {
	var sum VolunteeringCounts
	hidden := map[string]bool{}
	for _, m := range months {
		sum.VolunteersActive += m.VolunteersActive
		sum.Matches += m.Matches
		sum.PeopleSupported += m.PeopleSupported
		sum.Minutes += m.Minutes
		m.PeerMentors, m.GraduatesActive = 0, 0
		for _, path := range ProtectVolunteering(m, period).Suppressed {
			hidden[path] = true
		}
	}
	sum.PeerMentors, sum.GraduatesActive = mentors.PeerMentors, mentors.GraduatesActive
	out := ProtectVolunteering(sum, period)
	for _, path := range out.Suppressed {
		hidden[path] = true
	}
	out.Suppressed = []string{}
	for _, f := range []struct {
		path string
		n    **int
	}{{"volunteers_active", &out.VolunteersActive}, {"matches", &out.Matches}, {"people_supported", &out.PeopleSupported}, {"hours", nil},
		{"graduates_active", &out.GraduatesActive}, {"peer_mentors", &out.PeerMentors}} {
		if !hidden[f.path] {
			continue
		}
		out.Suppressed = append(out.Suppressed, f.path)
		if f.n != nil {
			*f.n = nil
		} else {
			out.Hours = nil
		}
	}
	return out
}

// VolunteeringReport counts the report for a period (GET
// /api/v1/reports/volunteering?from&to): for the scheme's managers and
// commissioners, of their own scheme; anyone else is refused (404). The
// read of the report is audited (one entry: it holds nobody's record).
func (v *Volunteering) VolunteeringReport(ctx context.Context, by oikos.Actor, p *auth.Principal, period report.Period) (VolunteeringReport, error) {
	if p == nil || (p.Role != auth.Manager && p.Role != auth.Commissioner) {
		return VolunteeringReport{}, oikos.NotFound("Report")
	}
	from, to := period.From.Format(time.DateOnly), period.To.Format(time.DateOnly)
	months, mentors, err := v.countVolunteering(ctx, p.SchemeID, period, v.today(), true)
	if err != nil {
		return VolunteeringReport{}, err
	}
	out := PublishVolunteering(months, mentors, report.PeriodJSON{From: from, To: to})
	err = v.DB.Tx(ctx, func(tx *sql.Tx) error {
		return audit.Append(ctx, tx, v.DB.Dialect, auditEvent(by, v.now(), audit.Read, kindVolunteeringRept, "volunteering:"+from+".."+to))
	})
	return out, err
}

// volMonth is one calendar month of a report: its key (YYYY-MM) and its
// first and last days.
type volMonth struct{ key, from, to string }

func volMonths(p report.Period) []volMonth {
	var out []volMonth
	for _, m := range p.Months() {
		out = append(out, volMonth{key: m.From.Format("2006-01"), from: m.From.Format(time.DateOnly), to: m.To.Format(time.DateOnly)})
	}
	return out
}

// monthCount is a month's figures as counted or kept: the report's, and
// the volunteers and people of the matches still running at its end,
// from which the next month is counted (countOpenMonth).
type monthCount struct {
	VolunteeringCounts
	runningVolunteers, runningPeople int
}

// countVolunteering counts a scheme's figures for the months of a period,
// and its peer mentors on the period's last day. With kept, a closed
// month is read from volunteering_months where it is kept there, and
// counted and kept there where it is not, and the month still open is
// counted from the month before it; without, every month is counted from
// all its matches (the tests compare the two). today is the scheme's
// date.
func (v *Volunteering) countVolunteering(ctx context.Context, scheme string, period report.Period, today string, kept bool) ([]VolunteeringCounts, VolunteeringCounts, error) {
	months := volMonths(period)
	counts := make([]VolunteeringCounts, len(months))
	var mentors VolunteeringCounts
	var gen int64
	var keep []keptMonth
	err := v.DB.ReadTx(ctx, func(tx *sql.Tx) error {
		// One snapshot for all the months, the kept ones and those
		// counted (SQLite's read transactions are one already); counting a
		// month's people sorts a few hundred thousand ids on PostgreSQL:
		// in memory, not in temporary files.
		if v.DB.Dialect == db.Postgres {
			if _, err := tx.ExecContext(ctx, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"); err != nil {
				return err
			}
		}
		if err := v.DB.Dialect.SetLocal(ctx, tx, "work_mem", "64MB"); err != nil {
			return err
		}
		first, last := months[0], months[len(months)-1]
		known := map[string]monthCount{}
		if kept {
			// gen first: a change committed after it makes the months
			// counted here not kept (keepMonths).
			if err := tx.QueryRowContext(ctx, "SELECT COALESCE((SELECT gen FROM volunteering_changes WHERE scheme_id = $1), 0)", scheme).Scan(&gen); err != nil {
				return err
			}
			if err := readKept(ctx, tx, scheme, monthBefore(first.key), last.key, known); err != nil {
				return err
			}
		}
		minutes, err := minutesByMonth(ctx, tx, scheme, first.from, last.to)
		if err != nil {
			return err
		}
		for i, m := range months {
			closed := m.key < today[:7]
			c, ok := known[m.key]
			before, carried := known[monthBefore(m.key)]
			switch {
			case m.from > today:
				c = monthCount{} // no day of it has come
			case ok && closed:
			case kept && carried && !closed:
				if c, err = countOpenMonth(ctx, tx, scheme, m, before); err != nil {
					return err
				}
			default:
				if c, err = countMonth(ctx, tx, scheme, m); err != nil {
					return err
				}
				if kept && closed {
					known[m.key] = c
					keep = append(keep, keptMonth{m.key, c})
				}
			}
			counts[i] = c.VolunteeringCounts
			counts[i].Minutes = minutes[m.key]
		}
		return tx.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(CASE WHEN v.graduate THEN 1 END) FROM volunteers v JOIN users u ON u.id = v.user_id
			WHERE v.scheme_id = $1 AND v.kind = 'peer_mentor' AND u.active AND v.created_at < $2`, scheme, period1End(last.to)).Scan(&mentors.PeerMentors, &mentors.GraduatesActive)
	})
	if err != nil || len(keep) == 0 {
		return counts, mentors, err
	}
	return counts, mentors, v.keepMonths(ctx, scheme, gen, keep)
}

// monthBefore is the key of the month before key's (YYYY-MM).
func monthBefore(key string) string {
	t, err := time.Parse("2006-01", key)
	if err != nil {
		return ""
	}
	return t.AddDate(0, -1, 0).Format("2006-01")
}

// readKept reads a scheme's kept months from..to (keys) into known.
func readKept(ctx context.Context, tx *sql.Tx, scheme, from, to string, known map[string]monthCount) error {
	rows, err := tx.QueryContext(ctx, `SELECT month, volunteers_active, matches, people_supported, running_volunteers, running_people
		FROM volunteering_months WHERE scheme_id = $1 AND month >= $2 AND month <= $3`, scheme, from, to)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var c monthCount
		if err := rows.Scan(&key, &c.VolunteersActive, &c.Matches, &c.PeopleSupported, &c.runningVolunteers, &c.runningPeople); err != nil {
			return err
		}
		known[key] = c
	}
	return rows.Err()
}

// countMonth counts a month's matches, the volunteers in them and the
// people supported, from the matches alone (the report's index holds the
// volunteer and the person of each): a match ran in the month when it
// started by its end and had not ended before its start. And of those
// still running at its end (not ended by then), the volunteers and people.
func countMonth(ctx context.Context, tx *sql.Tx, scheme string, m volMonth) (monthCount, error) {
	var c monthCount
	err := tx.QueryRowContext(ctx, `SELECT COUNT(DISTINCT volunteer_id), COUNT(DISTINCT person_id), COUNT(CASE WHEN started_on >= $2 THEN 1 END),
		COUNT(DISTINCT CASE WHEN ended_on IS NULL OR ended_on > $3 THEN volunteer_id END), COUNT(DISTINCT CASE WHEN ended_on IS NULL OR ended_on > $3 THEN person_id END)
		FROM volunteer_matches WHERE scheme_id = $1 AND started_on <= $3 AND (ended_on IS NULL OR ended_on >= $2)`, scheme, m.from, m.to).
		Scan(&c.VolunteersActive, &c.PeopleSupported, &c.Matches, &c.runningVolunteers, &c.runningPeople)
	return c, err
}

// countOpenMonth counts the month still open from the month before it:
// the matches that ran in it are those still running at the end of the
// month before (whose volunteers and people were counted with it) and
// those started in it, a few days' or weeks' worth. So only those are
// read, each looked up by its volunteer and its person among the matches
// running into the month, to count the volunteers and people not counted
// already. The sum is what countMonth gives (the tests compare the two),
// in a few thousand index reads instead of a scan of every match running.
func countOpenMonth(ctx context.Context, tx *sql.Tx, scheme string, m volMonth, before monthCount) (monthCount, error) {
	var c monthCount
	var volunteers, people int
	err := tx.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM volunteer_matches b WHERE b.scheme_id = $1 AND b.started_on >= $2 AND b.started_on <= $3),
		(SELECT COUNT(DISTINCT b.volunteer_id) FROM volunteer_matches b WHERE b.scheme_id = $1 AND b.started_on >= $2 AND b.started_on <= $3
			AND NOT EXISTS (SELECT 1 FROM volunteer_matches a WHERE a.volunteer_id = b.volunteer_id AND a.scheme_id = $1 AND a.started_on < $2
				AND (a.ended_on IS NULL OR a.ended_on >= $2))),
		(SELECT COUNT(DISTINCT b.person_id) FROM volunteer_matches b WHERE b.scheme_id = $1 AND b.started_on >= $2 AND b.started_on <= $3
			AND NOT EXISTS (SELECT 1 FROM volunteer_matches a WHERE a.person_id = b.person_id AND a.scheme_id = $1 AND a.started_on < $2
				AND (a.ended_on IS NULL OR a.ended_on >= $2)))`, scheme, m.from, m.to).Scan(&c.Matches, &volunteers, &people)
	c.VolunteersActive = before.runningVolunteers + volunteers
	c.PeopleSupported = before.runningPeople + people
	return c, err
}

// minutesByMonth adds up the minutes logged in each month from..to, from
// the days' totals kept with each contact (volunteer_days): a year is 365
// rows whatever the millions of contacts behind them.
func minutesByMonth(ctx context.Context, tx *sql.Tx, scheme, from, to string) (map[string]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT substr(on_date, 1, 7) AS month, SUM(minutes) FROM volunteer_days
		WHERE scheme_id = $1 AND on_date BETWEEN $2 AND $3 GROUP BY substr(on_date, 1, 7)`, scheme, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var key string
		var n int64
		if err := rows.Scan(&key, &n); err != nil {
			return nil, err
		}
		out[key] = n
	}
	return out, rows.Err()
}

// keptMonth is a closed month's figures to keep.
type keptMonth struct {
	key string
	c   monthCount
}

// keepMonths keeps closed months counted from what was there when the
// scheme's gen was gen, unless a change has come since: it holds the
// scheme's volunteering_changes row (PostgreSQL: FOR UPDATE; SQLite: the
// write transaction is the only one), so a change committing after this
// waits, then forgets the months kept here (its trigger's DELETE sees
// them). A month already kept (by another server, counting at once) is
// left as it is: with the same gen it holds the same figures.
func (v *Volunteering) keepMonths(ctx context.Context, scheme string, gen int64, months []keptMonth) error {
	return v.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO volunteering_changes (scheme_id, gen) VALUES ($1, 0) ON CONFLICT (scheme_id) DO NOTHING", scheme); err != nil {
			return err
		}
		var now int64
		if err := tx.QueryRowContext(ctx, "SELECT gen FROM volunteering_changes WHERE scheme_id = $1"+v.DB.Dialect.ForUpdate(), scheme).Scan(&now); err != nil {
			return err
		}
		if now != gen {
			return nil
		}
		args := make([]any, 0, 8*len(months))
		at := db.Millis(v.now())
		for _, m := range months {
			args = append(args, scheme, m.key, m.c.VolunteersActive, m.c.Matches, m.c.PeopleSupported, m.c.runningVolunteers, m.c.runningPeople, at)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO volunteering_months (scheme_id, month, volunteers_active, matches, people_supported,
			running_volunteers, running_people, counted_at) VALUES `+db.Rows(len(months), 8)+` ON CONFLICT (scheme_id, month) DO NOTHING`, args...)
		return err
	})
}

// volunteeringWindow is how many closed months the sweep keeps counted:
// those of the report a reader is first shown (the last twelve months,
// this one included), and one more.
const volunteeringWindow = 12

// CountClosedMonths counts and keeps the closed months of the last year
// (volunteeringWindow) that are not kept yet, of every scheme, until
// budget has gone by (at least one month each call), so that a report is
// quick from the first reader on; a report counts and keeps any it needs
// that are not. It answers how many months it kept. Part of the worker's
// sweep.
func (v *Volunteering) CountClosedMonths(ctx context.Context, now time.Time, budget time.Duration) (int, error) {
	began := time.Now()
	today := dayOf(now)
	t, _ := parseDay(today)
	thisMonth := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	window := report.Period{From: thisMonth.AddDate(0, -volunteeringWindow, 0), To: thisMonth.AddDate(0, 0, -1)}
	schemes, err := db.Strings(ctx, v.DB.R(), "SELECT id FROM organisations WHERE kind = 'scheme' UNION SELECT '' ORDER BY 1")
	if err != nil {
		return 0, err
	}
	have := map[[2]string]bool{}
	rows, err := v.DB.R().QueryContext(ctx, "SELECT scheme_id, month FROM volunteering_months WHERE month >= $1", window.From.Format("2006-01"))
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var k [2]string
		if err := rows.Scan(&k[0], &k[1]); err != nil {
			rows.Close()
			return 0, err
		}
		have[k] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	kept := 0
	for _, scheme := range schemes {
		for _, m := range window.Months() {
			if have[[2]string{scheme, m.From.Format("2006-01")}] {
				continue
			}
			if kept > 0 && time.Since(began) > budget {
				return kept, nil
			}
			m.Scheme = scheme
			if _, _, err := v.countVolunteering(ctx, scheme, m, today, true); err != nil {
				return kept, fmt.Errorf("count the volunteering of %s in %s: %w", scheme, m.From.Format("2006-01"), err)
			}
			kept++
		}
	}
	return kept, nil
}

// period1End is the first instant after the day to, in milliseconds on
// the scheme's clock.
func period1End(to string) int64 {
	t, ok := parseDay(to)
	if !ok {
		return 0
	}
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, communityZone).UnixMilli()
}

// WriteCSV writes the report as CSV, one row per figure ("figure,value,
// note"), as the summary report does: a hidden figure has no value and
// the note "hidden".
func (r VolunteeringReport) WriteCSV(w io.Writer) error {
	cw := csvsafe.NewWriter(w)
	hidden := map[string]bool{}
	for _, p := range r.Suppressed {
		hidden[p] = true
	}
	rows := [][]string{{"figure", "value", "note"}, {"period.from", r.Period.From, ""}, {"period.to", r.Period.To, ""}}
	count := func(path string, n *int) {
		switch {
		case n != nil:
			rows = append(rows, []string{path, strconv.Itoa(*n), ""})
		case hidden[path]:
			rows = append(rows, []string{path, "", report.NoteSuppressed})
		default:
			rows = append(rows, []string{path, "", report.NoteNoData})
		}
	}
	count("volunteers_active", r.VolunteersActive)
	count("matches", r.Matches)
	if r.Hours != nil {
		rows = append(rows, []string{"hours", report.FormatNumber(*r.Hours), ""})
	} else {
		count("hours", nil)
	}
	count("people_supported", r.PeopleSupported)
	count("peer_mentors", r.PeerMentors)
	count("graduates_active", r.GraduatesActive)
	for _, row := range rows {
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
