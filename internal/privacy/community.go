package privacy

import (
	"database/sql"
	"fmt"
	"strings"
	"time"

	"oikos/internal/db"
)

// What the community half of Oikos holds of a person (internal/community):
// safeguarding concerns about them, the volunteers matched to them with
// the contacts logged, and their invitation to become a peer mentor.

// ConcernWithheld is what the export says in place of a concern's words.
// A safeguarding record may name others (who harmed, who told) and telling
// the person, or whoever reads their copy, what it says could put someone
// at risk: such data is disclosed on request once a manager has checked
// that it would not (Data Protection Act 2018, Schedule 2 paragraph 16 and
// Schedule 3 Part 2). The export says that a concern was raised and where
// it stands, so the request can be made.
const ConcernWithheld = "What was raised, by whom, who read it and what was done are given on request, once a manager has checked that telling would put nobody at risk."

// Concern is a safeguarding concern about the person.
type Concern struct {
	RaisedAt time.Time  `json:"raised_at"`
	Status   string     `json:"status"`
	ClosedAt *time.Time `json:"closed_at"`
	Withheld string     `json:"withheld"`
}

// VolunteerMatch is a volunteer matched to the person, what was shared
// with them, and the contacts they logged.
type VolunteerMatch struct {
	Volunteer string             `json:"volunteer"`
	Status    string             `json:"status"`
	Shared    []string           `json:"shared"`
	StartedOn string             `json:"started_on"`
	EndedOn   *string            `json:"ended_on"`
	EndReason string             `json:"end_reason"`
	MadeBy    string             `json:"made_by"`
	Contacts  []VolunteerContact `json:"contacts"`
}

// VolunteerContact is one contact a volunteer logged with the person.
type VolunteerContact struct {
	Date    string `json:"date"`
	Minutes int    `json:"minutes"`
	Mode    string `json:"mode"`
	Note    string `json:"note"`
}

// MentorInvitation is the person's invitation to become a peer mentor,
// with each stage it reached.
type MentorInvitation struct {
	Stage     string        `json:"stage"`
	InvitedBy string        `json:"invited_by"`
	InvitedAt time.Time     `json:"invited_at"`
	Stages    []MentorStage `json:"stages"`
}

// MentorStage is one stage the invitation reached.
type MentorStage struct {
	Stage string    `json:"stage"`
	At    time.Time `json:"at"`
	By    string    `json:"by"`
}

func (r *reader) concerns(ref *Referral) error {
	ref.Concerns = []Concern{}
	return r.each(func(rows *sql.Rows) error {
		c := Concern{Withheld: ConcernWithheld}
		var raised int64
		var closed sql.NullInt64
		if err := rows.Scan(&raised, &c.Status, &closed); err != nil {
			return err
		}
		c.RaisedAt, c.ClosedAt = db.Time(raised), optionalTime(closed)
		ref.Concerns = append(ref.Concerns, c)
		return nil
	}, `SELECT raised_at, status, closed_at FROM concerns WHERE referral_id = $1 ORDER BY raised_at, id`, ref.ID)
}

func (r *reader) volunteerMatches(ref *Referral) error {
	ref.VolunteerMatches = []VolunteerMatch{}
	var ids []string
	err := r.each(func(rows *sql.Rows) error {
		var m VolunteerMatch
		var id, vName, vRole, actor, name, role string
		var contact, matters, plan bool
		var ended sql.NullString
		if err := rows.Scan(&id, &vName, &vRole, &m.Status, &contact, &matters, &plan, &m.StartedOn, &ended, &m.EndReason, &actor, &name, &role); err != nil {
			return err
		}
		m.Volunteer, m.MadeBy = who("", vName, vRole), who(actor, name, role)
		if ended.Valid {
			m.EndedOn = &ended.String
		}
		m.Shared = []string{}
		for _, s := range []struct {
			on   bool
			what string
		}{{contact, "contact details"}, {matters, "what matters to them"}, {plan, "the steps of their plan for a volunteer"}} {
			if s.on {
				m.Shared = append(m.Shared, s.what)
			}
		}
		ids = append(ids, id)
		ref.VolunteerMatches = append(ref.VolunteerMatches, m)
		return nil
	}, `SELECT m.id, COALESCE(v.name, ''), COALESCE(v.role, ''), m.status, m.share_contact, m.share_what_matters, m.share_plan, m.started_on,
		m.ended_on, m.end_reason, m.created_by, `+actorSQL+`
		FROM volunteer_matches m LEFT JOIN users v ON v.id = m.volunteer_id LEFT JOIN users u ON u.id = m.created_by
		WHERE m.referral_id = $1 ORDER BY m.created_at, m.id`, ref.ID)
	if err != nil {
		return err
	}
	for i, id := range ids {
		m := &ref.VolunteerMatches[i]
		m.Contacts = []VolunteerContact{}
		err := r.each(func(rows *sql.Rows) error {
			var c VolunteerContact
			if err := rows.Scan(&c.Date, &c.Minutes, &c.Mode, &c.Note); err != nil {
				return err
			}
			m.Contacts = append(m.Contacts, c)
			return nil
		}, `SELECT on_date, minutes, mode, note FROM volunteer_contacts WHERE match_id = $1 ORDER BY on_date, created_at, id`, id)
		if err != nil {
			return err
		}
	}
	return nil
}

func (r *reader) mentorInvitation(ref *Referral) error {
	var id, actor, name, role string
	var m MentorInvitation
	var invited int64
	err := r.tx.QueryRowContext(r.ctx, `SELECT i.id, i.stage, i.invited_by, `+actorSQL+`, i.invited_at
		FROM mentor_invitations i LEFT JOIN users u ON u.id = i.invited_by WHERE i.referral_id = $1`, ref.ID).Scan(&id, &m.Stage, &actor, &name, &role, &invited)
	if err == sql.ErrNoRows {
		return nil
	} else if err != nil {
		return err
	}
	m.InvitedBy, m.InvitedAt, m.Stages = who(actor, name, role), db.Time(invited), []MentorStage{}
	err = r.each(func(rows *sql.Rows) error {
		var s MentorStage
		var at int64
		var by, name, role string
		if err := rows.Scan(&s.Stage, &at, &by, &name, &role); err != nil {
			return err
		}
		s.At, s.By = db.Time(at), who(by, name, role)
		m.Stages = append(m.Stages, s)
		return nil
	}, `SELECT s.stage, s.at, s.by_user, `+actorSQL+` FROM mentor_stages s LEFT JOIN users u ON u.id = s.by_user
		WHERE s.invitation_id = $1 ORDER BY s.position`, id)
	ref.MentorInvitation = &m
	return err
}

// communityAudit adds to an audit query the entries about the person's
// volunteer matches and mentor invitation, which the log keeps under their
// own ids: a condition for each kind, its ids as parameters after args.
// The entries about a safeguarding concern are not among them: they say
// who raised it and who read it, which is withheld with its words
// (ConcernWithheld).
func (r *reader) communityAudit(refIDs []string, args []any) ([]string, []any, error) {
	if len(refIDs) == 0 {
		return nil, args, nil
	}
	marks := make([]string, len(refIDs))
	refArgs := make([]any, len(refIDs))
	for i, id := range refIDs {
		marks[i], refArgs[i] = fmt.Sprintf("$%d", i+1), id
	}
	in := strings.Join(marks, ", ")
	var conds []string
	for _, k := range []struct{ kind, query string }{
		{"volunteer_match", "SELECT id FROM volunteer_matches WHERE referral_id IN (" + in + ")"},
		{"mentor_invitation", "SELECT id FROM mentor_invitations WHERE referral_id IN (" + in + ")"},
	} {
		ids, err := db.Strings(r.ctx, r.tx, k.query, refArgs...)
		if err != nil {
			return nil, nil, err
		}
		if len(ids) == 0 {
			continue
		}
		args = append(args, k.kind)
		kind := fmt.Sprintf("$%d", len(args))
		var objects []string
		for _, id := range ids {
			args = append(args, id)
			objects = append(objects, fmt.Sprintf("$%d", len(args)))
		}
		conds = append(conds, "(a.object_kind = "+kind+" AND a.object_id IN ("+strings.Join(objects, ", ")+"))")
	}
	return conds, args, nil
}
