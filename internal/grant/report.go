package grant

import (
	"context"
	"database/sql"
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/postcode"
	"oikos/internal/report"
)

// The grants report and the trend of citizen-led groups, for a scheme's
// managers and commissioners. Only people_connected counts people, so
// only it is suppressed when small (report.Small): the rest count money,
// rounds, organisations and groups, which identify no one.

// Report is the grants report for a period.
type Report struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Rounds int    `json:"rounds"`
	// AwardedPence is what was awarded in the period; PaidPence what was
	// paid in it.
	AwardedPence int64 `json:"awarded_pence"`
	PaidPence    int64 `json:"paid_pence"`
	// OrganisationsFunded had an award in the period.
	OrganisationsFunded int `json:"organisations_funded"`
	// GroupsCreated are services naming an award, started in the period
	// once the award was made: groups that did not exist before.
	GroupsCreated int `json:"groups_created"`
	// GroupsRunning are the services naming an award that were running at
	// the end of the period.
	GroupsRunning int `json:"groups_running"`
	// PeopleConnected is how many people of the scheme (counted by
	// referral, as the engagement report does) first attended a funded
	// group in the period; null when suppressed.
	PeopleConnected *int     `json:"people_connected"`
	Suppressed      []string `json:"suppressed"`
}

// reader checks p may read the scheme's reports, parses the period and
// gives its bounds in Unix milliseconds [start, end) of UK days.
func (s *Store) reportWindow(p *auth.Principal, from, to string) (report.Period, int64, int64, error) {
	if p == nil || !(p.Role == auth.Manager || p.Role == auth.Commissioner) {
		return report.Period{}, 0, 0, oikos.NotFound("Report")
	}
	period, err := report.ParsePeriod(from, to, s.now().In(ukZone))
	if err != nil {
		return period, 0, 0, err
	}
	return period, ukMidnight(period.From), ukMidnight(period.To.AddDate(0, 0, 1)), nil
}

func ukMidnight(day time.Time) int64 {
	return db.Millis(time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, ukZone))
}

func (s *Store) recordReport(ctx context.Context, by oikos.Actor, name string, p report.Period) error {
	return audit.Record(ctx, s.DB, audit.Event{ActorID: by.UserID, Action: audit.Read, ObjectKind: "report",
		ObjectID: name + ":" + p.From.Format(time.DateOnly) + ".." + p.To.Format(time.DateOnly), Client: by.Client})
}

// fundedSQL selects the services naming an award of a round of scheme $1.
const fundedSQL = `SELECT s.id FROM services s JOIN grant_applications a ON a.id = s.grant_application_id
	JOIN grant_rounds g ON g.id = a.round_id WHERE s.grant_application_id IS NOT NULL AND g.scheme_id = $1`

// GrantsReport counts the grants programme of p's scheme in a period
// (from and to as YYYY-MM-DD; the last twelve months when left out) and
// records the read.
func (s *Store) GrantsReport(ctx context.Context, p *auth.Principal, by oikos.Actor, from, to string) (Report, error) {
	period, start, end, err := s.reportWindow(p, from, to)
	if err != nil {
		return Report{}, err
	}
	fromDay, toDay := period.From.Format(time.DateOnly), period.To.Format(time.DateOnly)
	r := Report{From: fromDay, To: toDay, Suppressed: []string{}}
	scheme := p.SchemeID
	err = s.DB.ReadTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM grant_rounds WHERE scheme_id = $1 AND opens_on <= $2 AND closes_on >= $3",
			scheme, toDay, fromDay).Scan(&r.Rounds); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(a.awarded_pence), 0), COUNT(DISTINCT a.organisation_id)
			FROM grant_applications a JOIN grant_rounds g ON g.id = a.round_id
			WHERE a.status = 'awarded' AND a.decided_at >= $2 AND a.decided_at < $3 AND g.scheme_id = $1`,
			scheme, start, end).Scan(&r.AwardedPence, &r.OrganisationsFunded); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(p.amount_pence), 0) FROM grant_payments p
			JOIN grant_applications a ON a.id = p.application_id JOIN grant_rounds g ON g.id = a.round_id
			WHERE p.paid_on >= $2 AND p.paid_on <= $3 AND g.scheme_id = $1`, scheme, fromDay, toDay).Scan(&r.PaidPence); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM services s JOIN grant_applications a ON a.id = s.grant_application_id
			JOIN grant_rounds g ON g.id = a.round_id WHERE s.grant_application_id IS NOT NULL AND g.scheme_id = $1
			AND s.created_at >= $2 AND s.created_at < $3 AND s.created_at >= a.decided_at`, scheme, start, end).Scan(&r.GroupsCreated); err != nil {
			return err
		}
		running, err := runningAt(ctx, tx, fundedSQL, scheme, end)
		if err != nil {
			return err
		}
		r.GroupsRunning = running
		// People are counted by referral, as the engagement report counts
		// them: read from connections_attended alone, a national year
		// costs tens of milliseconds, where looking each referral's person
		// up costs a second, to count a person referred twice in the
		// period once rather than twice.
		var people int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(DISTINCT c.referral_id) FROM connections c
			WHERE c.service_id IN (`+fundedSQL+`) AND c.scheme_id = $1 AND c.first_attended_at >= $2 AND c.first_attended_at < $3`,
			scheme, start, end).Scan(&people); err != nil {
			return err
		}
		if report.Small(people) {
			r.Suppressed = append(r.Suppressed, "people_connected")
		} else {
			r.PeopleConnected = &people
		}
		return nil
	})
	if err != nil {
		return Report{}, err
	}
	return r, s.recordReport(ctx, by, "grants", period)
}

// runningAt counts the services a query selects (its one argument the
// scheme) whose status just before end was active.
func runningAt(ctx context.Context, tx *sql.Tx, services, scheme string, end int64) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT e.service_id, e.status FROM service_status_events e
		WHERE e.service_id IN (`+services+`) AND e.at < $2 ORDER BY e.service_id, e.at, e.id`, scheme, end)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	last := map[string]string{}
	for rows.Next() {
		var id, status string
		if err := rows.Scan(&id, &status); err != nil {
			return 0, err
		}
		last[id] = status
	}
	n := 0
	for _, st := range last {
		if st == "active" {
			n++
		}
	}
	return n, rows.Err()
}

// WriteCSV writes the report as "path,value,note", as the summary report
// does: a suppressed figure has no value and the note "hidden".
func (r Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"path", "value", "note"})
	row := func(path, v string) { cw.Write([]string{path, v, ""}) }
	row("period.from", r.From)
	row("period.to", r.To)
	row("rounds", strconv.Itoa(r.Rounds))
	row("awarded_pence", strconv.FormatInt(r.AwardedPence, 10))
	row("paid_pence", strconv.FormatInt(r.PaidPence, 10))
	row("organisations_funded", strconv.Itoa(r.OrganisationsFunded))
	row("groups_created", strconv.Itoa(r.GroupsCreated))
	row("groups_running", strconv.Itoa(r.GroupsRunning))
	if r.PeopleConnected != nil {
		row("people_connected", strconv.Itoa(*r.PeopleConnected))
	} else {
		cw.Write([]string{"people_connected", "", report.NoteSuppressed})
	}
	cw.Flush()
	return cw.Error()
}

// Trend is the citizen-led groups of a scheme's areas month by month.
type Trend struct {
	From   string       `json:"from"`
	To     string       `json:"to"`
	Months []TrendMonth `json:"months"`
}

// TrendMonth counts the citizen-led groups by the status each had at the
// end of the month (Running, Closed), what changed in it (Started,
// Stopped), those running on a grant, and the groups that had registered
// themselves and were waiting to be checked.
type TrendMonth struct {
	Month         string `json:"month"`
	Running       int    `json:"running"`
	Closed        int    `json:"closed"`
	Started       int    `json:"started"`
	Stopped       int    `json:"stopped"`
	Funded        int    `json:"funded"`
	AwaitingCheck int    `json:"awaiting_check"`
}

// StatusChange is a service's status from a moment on.
type StatusChange struct {
	At         int64
	Status     string
	CitizenLed bool
}

// GroupHistory is one service's changes, oldest first.
type GroupHistory struct {
	Changes []StatusChange
	Funded  bool
}

// CountMonths counts groups month by month: months are the [start, end)
// bounds of each, in order, as Unix milliseconds. It is pure: the store
// reads the histories. A group counts in a month as what it was at the
// month's end, and only while it was citizen-led.
func CountMonths(groups []GroupHistory, months [][2]int64) []TrendMonth {
	out := make([]TrendMonth, len(months))
	for _, g := range groups {
		for m, bounds := range months {
			start, end := bounds[0], bounds[1]
			var now, before *StatusChange
			for i := range g.Changes {
				c := &g.Changes[i]
				if c.At < end {
					now = c
				}
				if c.At < start {
					before = c
				}
			}
			if now == nil {
				continue
			}
			if now.CitizenLed {
				if now.Status == "active" {
					out[m].Running++
					if g.Funded {
						out[m].Funded++
					}
				} else {
					out[m].Closed++
				}
			}
			first := g.Changes[0]
			if first.At >= start && first.At < end && first.CitizenLed && first.Status == "active" {
				out[m].Started++
			}
			if before != nil && before.Status == "active" && before.CitizenLed && now.Status != "active" {
				out[m].Stopped++
			}
		}
	}
	return out
}

// monthsOf lists the months of a period with their UK bounds.
func monthsOf(p report.Period) ([]string, [][2]int64) {
	var names []string
	var bounds [][2]int64
	m := time.Date(p.From.Year(), p.From.Month(), 1, 0, 0, 0, 0, time.UTC)
	for !m.After(p.To) {
		next := m.AddDate(0, 1, 0)
		names = append(names, m.Format("2006-01"))
		bounds = append(bounds, [2]int64{ukMidnight(m), ukMidnight(next)})
		m = next
	}
	return names, bounds
}

// CitizenLedTrend counts the citizen-led groups in p's scheme's areas (all
// of them in a deployment without schemes, or for a scheme that names no
// areas) month by month over a period, and records the read.
func (s *Store) CitizenLedTrend(ctx context.Context, p *auth.Principal, by oikos.Actor, from, to string) (Trend, error) {
	period, _, _, err := s.reportWindow(p, from, to)
	if err != nil {
		return Trend{}, err
	}
	names, bounds := monthsOf(period)
	t := Trend{From: period.From.Format(time.DateOnly), To: period.To.Format(time.DateOnly), Months: []TrendMonth{}}
	var groups []GroupHistory
	var pending [][2]int64
	err = s.DB.ReadTx(ctx, func(tx *sql.Tx) error {
		areas, err := db.Strings(ctx, tx, "SELECT area FROM scheme_areas WHERE scheme_id = $1", p.SchemeID)
		if err != nil {
			return err
		}
		// Every change of every service that was ever citizen-led; a
		// service the history has not seen (written with triggers off)
		// counts as started when made.
		rows, err := tx.QueryContext(ctx, `SELECT e.service_id, e.at, e.id, e.status, e.citizen_led, s.postcode, s.grant_application_id IS NOT NULL
			FROM service_status_events e JOIN services s ON s.id = e.service_id
			WHERE e.service_id IN (SELECT service_id FROM service_status_events WHERE citizen_led)
			UNION ALL
			SELECT s.id, s.created_at, 0, s.status, s.citizen_led, s.postcode, s.grant_application_id IS NOT NULL FROM services s
			WHERE s.citizen_led AND NOT EXISTS (SELECT 1 FROM service_status_events e WHERE e.service_id = s.id)
			ORDER BY 1, 2, 3`)
		if err != nil {
			return err
		}
		defer rows.Close()
		var current string
		for rows.Next() {
			var id, status, pc string
			var at, seq int64
			var led, funded bool
			if err := rows.Scan(&id, &at, &seq, &status, &led, &pc, &funded); err != nil {
				return err
			}
			if len(areas) > 0 && !slices.Contains(areas, postcode.Outcode(pc)) {
				continue
			}
			if id != current {
				groups = append(groups, GroupHistory{Funded: funded})
				current = id
			}
			g := &groups[len(groups)-1]
			g.Changes = append(g.Changes, StatusChange{At: at, Status: status, CitizenLed: led})
		}
		if err := rows.Err(); err != nil {
			return err
		}
		regs, err := tx.QueryContext(ctx, "SELECT created_at, COALESCE(decided_at, 0) FROM group_registrations WHERE scheme_id = $1", p.SchemeID)
		if err != nil {
			return err
		}
		defer regs.Close()
		for regs.Next() {
			var created, decided int64
			if err := regs.Scan(&created, &decided); err != nil {
				return err
			}
			pending = append(pending, [2]int64{created, decided})
		}
		return regs.Err()
	})
	if err != nil {
		return Trend{}, err
	}
	t.Months = CountMonths(groups, bounds)
	for m := range t.Months {
		t.Months[m].Month = names[m]
		end := bounds[m][1]
		for _, r := range pending {
			if r[0] < end && (r[1] == 0 || r[1] >= end) {
				t.Months[m].AwaitingCheck++
			}
		}
	}
	return t, s.recordReport(ctx, by, "citizen-led", period)
}

// WriteCSV writes the trend, one row a month.
func (t Trend) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"month", "running", "closed", "started", "stopped", "funded", "awaiting_check"})
	for _, m := range t.Months {
		cw.Write([]string{m.Month, strconv.Itoa(m.Running), strconv.Itoa(m.Closed), strconv.Itoa(m.Started), strconv.Itoa(m.Stopped),
			strconv.Itoa(m.Funded), strconv.Itoa(m.AwaitingCheck)})
	}
	cw.Flush()
	return cw.Error()
}
