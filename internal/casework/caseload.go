package casework

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/connection"
	"oikos/internal/db"
	"oikos/internal/outcome"
	"oikos/internal/referral"
)

// Next actions by stage, when no step of the plan is due.
const (
	ActionFirstContact = "Make first contact"
	ActionConversation = "Hold the what-matters conversation"
	ActionPlan         = "Write the plan with them"
	ActionReview       = "Review progress with them"
)

// Stage is what a link worker knows of where a case has got to.
type Stage struct {
	Contacted       bool
	HadConversation bool
	Goals           []Goal
}

// NextAction is the next thing to do for a person: the earliest step of
// their plan with a due date that is not done, else the next stage of the
// work, else the first step not done, else a review. due is the step's due
// date, when there is one.
func NextAction(st Stage) (action, due string) {
	var first string
	for _, g := range st.Goals {
		if g.Done {
			continue
		}
		for _, s := range g.Steps {
			if s.Done {
				continue
			}
			if s.Due != "" && (due == "" || s.Due < due) {
				action, due = s.Text, s.Due
			}
			if first == "" {
				first = s.Text
			}
		}
	}
	switch {
	case due != "":
		return action, due
	case !st.Contacted:
		return ActionFirstContact, ""
	case !st.HadConversation:
		return ActionConversation, ""
	case len(st.Goals) == 0:
		return ActionPlan, ""
	case first != "":
		return first, ""
	}
	return ActionReview, ""
}

// Case is one person in a caseload.
type Case struct {
	ReferralID        string          `json:"referral_id"`
	Reference         string          `json:"reference"`
	PersonName        string          `json:"person_name"`
	Status            referral.Status `json:"status"`
	AssignedTo        string          `json:"assigned_to"`
	AssignedName      string          `json:"assigned_name"`
	ReceivedAt        time.Time       `json:"received_at"`
	DaysSinceReferral int             `json:"days_since_referral"`
	LastContact       *time.Time      `json:"last_contact"`
	NextAction        string          `json:"next_action"`
	NextDue           string          `json:"next_due,omitempty"`
	// Overdue is set when the next step's due date has passed.
	Overdue bool `json:"overdue"`
	// ReviewDue is the day (YYYY-MM-DD, UK) the person's wellbeing and
	// loneliness measures fell due to be taken again (outcome.NextReview,
	// the earliest of their questionnaires), once that day has come; ""
	// while none is due.
	ReviewDue string `json:"review_due,omitempty"`
	// PlanChangedByPerson is the day (YYYY-MM-DD, UK) the person last
	// changed their plan from their own pages, while theirs is its latest
	// change: the link worker's next save of the plan clears it.
	PlanChangedByPerson string `json:"plan_changed_by_person,omitempty"`
	// Connections are every service the person was connected to, oldest
	// first, in any state.
	Connections []CaseConnection `json:"connections"`
}

// CaseConnection is one connection as the caseload shows it.
type CaseConnection struct {
	ID               string            `json:"id"`
	ServiceName      string            `json:"service_name"`
	Status           connection.Status `json:"status"`
	SessionsAttended int               `json:"sessions_attended"`
	SentAt           time.Time         `json:"sent_at"`
	// NoAnswer flags a connection still without an answer after
	// connection.ChaseAfter working days (connection.Overdue).
	NoAnswer bool `json:"no_answer"`
}

// Label is the connection's state in words (connection.StateLabel).
func (c CaseConnection) Label() string {
	return connection.Connection{Status: c.Status, SessionsAttended: c.SessionsAttended}.StateLabel()
}

// Caseload lists a scheme's open referrals assigned to a link worker, or
// to any of its link workers when assignedTo is empty, with each person's next action and
// last contact: those with a step due come first, soonest first, then the
// longest waiting. Each case carries its connections, flagged when still
// without an answer after 5 working days. Two queries, whatever the size
// of the caseload (the cases, then all their connections); the view is
// audited in one write, an entry for the caseload and one for each person.
func (s *Store) Caseload(ctx context.Context, by referral.Actor, scheme, assignedTo string) ([]Case, error) {
	if !oikos.PlainText(assignedTo, false) || !oikos.PlainText(scheme, false) {
		return nil, oikos.Invalid(map[string]string{"assigned_to": "must be a user id"})
	}
	q := `SELECT r.id, r.reference, r.status, r.assigned_to, COALESCE(u.name, ''), p.given_name, p.family_name, r.received_at,
		r.first_contact_at, (SELECT MAX(c.at) FROM contacts c WHERE c.referral_id = r.id),
		(SELECT COUNT(*) FROM conversations v WHERE v.referral_id = r.id), COALESCE(pl.goals, '[]'),
		COALESCE(pl.updated_by, ''), COALESCE(pl.updated_at, 0)
		FROM referrals r JOIN people p ON p.id = r.person_id LEFT JOIN users u ON u.id = r.assigned_to
		LEFT JOIN plans pl ON pl.referral_id = r.id
		WHERE r.status <> 'closed' AND r.assigned_to IS NOT NULL`
	cq := `SELECT c.referral_id, c.id, sv.name, c.status, c.created_at,
		(SELECT COUNT(*) FROM connection_attendance a WHERE a.connection_id = c.id AND a.attended)
		FROM connections c JOIN referrals r ON r.id = c.referral_id JOIN services sv ON sv.id = c.service_id
		WHERE r.status <> 'closed' AND r.assigned_to IS NOT NULL`
	mq := `SELECT m.referral_id, m.instrument, m.timepoint, m.recorded_at
		FROM measures m JOIN referrals r ON r.id = m.referral_id
		WHERE r.status <> 'closed' AND r.assigned_to IS NOT NULL`
	q += " AND r.scheme_id = $1"
	cq += " AND r.scheme_id = $1"
	mq += " AND r.scheme_id = $1"
	args := []any{scheme}
	if assignedTo != "" {
		// A link worker's own caseload leaves out the people whose record
		// is restricted at their request; managers (everyone's) see them.
		q += " AND r.assigned_to = $2 AND r.person_id NOT IN (SELECT id FROM people WHERE restricted_at IS NOT NULL)"
		cq += " AND r.assigned_to = $2"
		mq += " AND r.assigned_to = $2"
		args = append(args, assignedTo)
	}
	cq += " ORDER BY c.created_at, c.id"
	now := s.now()
	today := now.In(ukTime).Format(time.DateOnly)
	var out []Case
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c Case
			var given, family, goals, planBy string
			var received, planAt int64
			var first, last sql.NullInt64
			var conversations int
			if err := rows.Scan(&c.ReferralID, &c.Reference, &c.Status, &c.AssignedTo, &c.AssignedName, &given, &family, &received,
				&first, &last, &conversations, &goals, &planBy, &planAt); err != nil {
				return err
			}
			if strings.HasPrefix(planBy, "person:") {
				c.PlanChangedByPerson = db.Time(planAt).In(ukTime).Format(time.DateOnly)
			}
			c.PersonName = given + " " + family
			c.ReceivedAt = db.Time(received)
			c.DaysSinceReferral = int(now.Sub(c.ReceivedAt).Hours() / 24)
			if last.Valid {
				t := db.Time(last.Int64)
				c.LastContact = &t
			}
			// Reached, that is: a call nobody answered is a last contact
			// tried, not a first contact made.
			st := Stage{Contacted: first.Valid, HadConversation: conversations > 0}
			if err := json.Unmarshal([]byte(goals), &st.Goals); err != nil {
				return fmt.Errorf("plan of referral %s: %w", c.ReferralID, err)
			}
			c.NextAction, c.NextDue = NextAction(st)
			c.Overdue = c.NextDue != "" && c.NextDue < today
			out = append(out, c)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		if err := s.caseConnections(ctx, tx, cq, args, now, out); err != nil {
			return err
		}
		if err := caseReviews(ctx, tx, mq, args, now, out); err != nil {
			return err
		}
		whose := assignedTo
		if whose == "" {
			whose = "all"
		}
		// The caseload as a whole, then each person on it: their name, stage
		// and last contact are a read of their record, found by
		// audit.ForObject with the referral's other reads.
		events := []audit.Event{{At: now, ActorID: by.UserID, Action: audit.Read, ObjectKind: "caseload", ObjectID: whose, Client: by.Client}}
		for _, c := range out {
			events = append(events, audit.Event{At: now, ActorID: by.UserID, Action: audit.Read, ObjectKind: "referral", ObjectID: c.ReferralID, Client: by.Client})
		}
		return audit.AppendAll(ctx, tx, s.DB.Dialect, events)
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.NextDue != "") != (b.NextDue != "") {
			return a.NextDue != ""
		}
		if a.NextDue != b.NextDue {
			return a.NextDue < b.NextDue
		}
		if !a.ReceivedAt.Equal(b.ReceivedAt) {
			return a.ReceivedAt.Before(b.ReceivedAt)
		}
		return a.ReferralID < b.ReferralID
	})
	if out == nil {
		out = []Case{}
	}
	return out, nil
}

// caseReviews reads when every case's measures were taken, in one query,
// and flags the cases whose review has fallen due.
func caseReviews(ctx context.Context, tx *sql.Tx, q string, args []any, now time.Time, cases []Case) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	taken := map[string]map[string][]outcome.Taken{} // referral → instrument → when
	for rows.Next() {
		var referralID, instrument string
		var t outcome.Taken
		var at int64
		if err := rows.Scan(&referralID, &instrument, &t.Timepoint, &at); err != nil {
			return err
		}
		t.At = db.Time(at)
		if taken[referralID] == nil {
			taken[referralID] = map[string][]outcome.Taken{}
		}
		taken[referralID][instrument] = append(taken[referralID][instrument], t)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range cases {
		cases[i].ReviewDue = ReviewDue(taken[cases[i].ReferralID], now)
	}
	return nil
}

// ReviewDue is the UK day the earliest of a person's questionnaires fell
// due to be taken again (outcome.NextReview), or "" when none is due by
// now.
func ReviewDue(taken map[string][]outcome.Taken, now time.Time) string {
	var earliest time.Time
	for _, t := range taken {
		if next, due := outcome.NextReview(t, now); due && (earliest.IsZero() || next.Before(earliest)) {
			earliest = next
		}
	}
	if earliest.IsZero() {
		return ""
	}
	return earliest.In(ukTime).Format(time.DateOnly)
}

// caseConnections reads the connections of every case in one query and
// hands each case its own.
func (s *Store) caseConnections(ctx context.Context, tx *sql.Tx, q string, args []any, now time.Time, cases []Case) error {
	index := make(map[string]int, len(cases))
	for i, c := range cases {
		index[c.ReferralID] = i
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var referralID string
		var c CaseConnection
		var sent int64
		if err := rows.Scan(&referralID, &c.ID, &c.ServiceName, &c.Status, &sent, &c.SessionsAttended); err != nil {
			return err
		}
		c.SentAt = db.Time(sent)
		c.NoAnswer = connection.Overdue(connection.Connection{Status: c.Status, CreatedAt: c.SentAt}, now)
		if i, ok := index[referralID]; ok {
			cases[i].Connections = append(cases[i].Connections, c)
		}
	}
	return rows.Err()
}
