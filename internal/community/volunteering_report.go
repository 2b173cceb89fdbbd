package community

import (
	"context"
	"database/sql"
	"io"
	"strconv"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/csvsafe"
	"oikos/internal/report"
)

// The volunteering report: what a scheme's volunteers did in a period, for
// its managers and those who fund it. Every figure is counted in SQL; a
// count of people from 1 to 4 is hidden as null and listed in suppressed,
// with the rules of internal/report (suppress.go).
//
// What each figure counts, for a period of whole days from..to (the
// scheme's days, both included):
//   - volunteers_active: volunteers with a match that ran on at least one
//     day of the period;
//   - matches: matches made in the period;
//   - hours: the hours of contact volunteers logged in the period, to a
//     tenth; hidden with volunteers_active, since with one volunteer it is
//     theirs alone;
//   - people_supported: people with a match that ran in the period (a
//     person matched twice counts once);
//   - peer_mentors: volunteers of kind peer_mentor, with an active
//     account, whose profile was made by the end of the period;
//   - graduates_active: those of them who came through the graduate
//     pathway.
//
// graduates_active is part of peer_mentors; the peer mentors who are not
// graduates are a cell of that group although not published, so the two
// are protected together (report.ProtectGroup), lest peer_mentors minus
// graduates_active give away a count of 1 to 4.

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

// VolunteeringCounts are the report's figures before disclosure control.
type VolunteeringCounts struct {
	VolunteersActive, Matches, PeopleSupported, PeerMentors, GraduatesActive int
	Minutes                                                                  int64
}

// ProtectVolunteering hides what could point at someone (see the top of
// this file): pure, so its cases are tested one by one.
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

// VolunteeringReport counts the report for a period (GET
// /api/v1/reports/volunteering?from&to): for the scheme's managers and
// commissioners, of their own scheme; anyone else is refused (404). The
// read of the report is audited (one entry: it holds nobody's record).
func (v *Volunteering) VolunteeringReport(ctx context.Context, by oikos.Actor, p *auth.Principal, period report.Period) (VolunteeringReport, error) {
	if p == nil || (p.Role != auth.Manager && p.Role != auth.Commissioner) {
		return VolunteeringReport{}, oikos.NotFound("Report")
	}
	from, to := period.From.Format(time.DateOnly), period.To.Format(time.DateOnly)
	counts, err := v.countVolunteering(ctx, p.SchemeID, from, to)
	if err != nil {
		return VolunteeringReport{}, err
	}
	out := ProtectVolunteering(counts, report.PeriodJSON{From: from, To: to})
	err = v.DB.Tx(ctx, func(tx *sql.Tx) error {
		return audit.Append(ctx, tx, v.DB.Dialect, auditEvent(by, v.now(), audit.Read, kindVolunteeringRept, "volunteering:"+from+".."+to))
	})
	return out, err
}

// countVolunteering counts a scheme's figures, in one read snapshot: the
// matches from their report index, the hours from the days' totals kept
// with each contact (volunteer_days), never from the contacts themselves.
func (v *Volunteering) countVolunteering(ctx context.Context, scheme, from, to string) (VolunteeringCounts, error) {
	var c VolunteeringCounts
	end := period1End(to)
	err := v.DB.ReadTx(ctx, func(tx *sql.Tx) error {
		// A match ran in the period when it started by its end and had not
		// ended before its start. Volunteers and matches come from the
		// report index alone. The people are counted apart: the referrals
		// matched, each once and in order of id (IN builds that list), are
		// looked up in referrals_person_of in that order, a page at a time,
		// instead of once per match in random order. At 500,000 matches
		// this took the report from 8.6 s of server CPU to 4.3-4.7 on
		// SQLite; about 40% of what is left is its temporary b-trees for
		// DISTINCT going through a temporary file (temp_store=FILE).
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(DISTINCT volunteer_id), COUNT(CASE WHEN m.started_on >= $2 THEN 1 END)
			FROM volunteer_matches m WHERE m.scheme_id = $1 AND m.started_on <= $3 AND (m.ended_on IS NULL OR m.ended_on >= $2)`, scheme, from, to).
			Scan(&c.VolunteersActive, &c.Matches); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(DISTINCT r.person_id) FROM referrals r WHERE r.id IN (SELECT m.referral_id
			FROM volunteer_matches m WHERE m.scheme_id = $1 AND m.started_on <= $3 AND (m.ended_on IS NULL OR m.ended_on >= $2))`, scheme, from, to).
			Scan(&c.PeopleSupported); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(minutes), 0) FROM volunteer_days WHERE scheme_id = $1 AND on_date BETWEEN $2 AND $3`,
			scheme, from, to).Scan(&c.Minutes); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(CASE WHEN v.graduate THEN 1 END) FROM volunteers v JOIN users u ON u.id = v.user_id
			WHERE v.scheme_id = $1 AND v.kind = 'peer_mentor' AND u.active AND v.created_at < $2`, scheme, end).Scan(&c.PeerMentors, &c.GraduatesActive)
	})
	return c, err
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
