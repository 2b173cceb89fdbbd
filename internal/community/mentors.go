package community

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/directory"
	"oikos/internal/referral"
)

// The graduate pathway: "mentors will later include project graduates".
// When a referral closes with the person's goals met, their link worker
// may invite them to become a peer mentor; the invitation moves through
// stages, and a graduate who becomes active is a volunteer of kind
// peer_mentor, flagged as a graduate.

// Stages of the pathway.
const (
	StageInvited    = "invited"
	StageInterested = "interested"
	StageTraining   = "training"
	StageActive     = "active"
	StageDeclined   = "declined"
)

// MentorStages lists the stages in order.
var MentorStages = []string{StageInvited, StageInterested, StageTraining, StageActive, StageDeclined}

// mentorNext is where each stage may go. The way is one step at a time,
// and may be left (declined) at any step before it is done; active and
// declined are ends (a mentor who steps down stops being a volunteer:
// their account is closed, and the pathway keeps its history).
var mentorNext = map[string][]string{
	StageInvited:    {StageInterested, StageDeclined},
	StageInterested: {StageTraining, StageDeclined},
	StageTraining:   {StageActive, StageDeclined},
	StageActive:     {},
	StageDeclined:   {},
}

// CheckMentorStage says whether an invitation may move from one stage to
// another: an unknown stage is invalid (422 naming stage); a stage it may
// not reach from where it is, a conflict (409).
func CheckMentorStage(from, to string) error {
	if !slices.Contains(MentorStages, to) || to == StageInvited {
		return oikos.Invalid(map[string]string{"stage": "Stage must be interested, training, active or declined."})
	}
	if !slices.Contains(mentorNext[from], to) {
		msg := fmt.Sprintf("An invitation at the stage %q cannot move to %q.", from, to)
		if len(mentorNext[from]) == 0 {
			msg = fmt.Sprintf("This invitation is %s: it does not move on.", from)
		}
		return refused("stage", msg)
	}
	return nil
}

// StageInput moves an invitation on. UserID names the volunteer account
// the graduate signs in with, needed when they become active.
type StageInput struct {
	Stage  string `json:"stage"`
	UserID string `json:"user_id,omitempty"`
}

// StageChange is one step of an invitation's history.
type StageChange struct {
	Stage string    `json:"stage"`
	At    time.Time `json:"at"`
	By    string    `json:"by"`
}

// Invitation is a graduate's invitation to become a peer mentor.
type Invitation struct {
	ID          string        `json:"id"`
	Stage       string        `json:"stage"`
	ReferralID  string        `json:"referral_id"`
	PersonName  string        `json:"person_name"`
	VolunteerID *string       `json:"volunteer_id"`
	InvitedBy   string        `json:"invited_by"`
	InvitedAt   time.Time     `json:"invited_at"`
	StageAt     time.Time     `json:"stage_at"`
	History     []StageChange `json:"history"`
}

type invitationRow struct {
	Invitation
	ref refFacts
}

const invitationColumns = `i.id, i.stage, i.referral_id, i.volunteer_id, i.invited_by, i.invited_at, i.stage_at`

func loadInvitation(ctx context.Context, q db.Querier, dialect db.Dialect, id string, lock bool) (invitationRow, error) {
	var in invitationRow
	if !plainID(id) {
		return in, oikos.NotFound("Invitation")
	}
	query := "SELECT " + invitationColumns + " FROM mentor_invitations i WHERE i.id = $1"
	if lock && dialect == db.Postgres {
		query += " FOR UPDATE"
	}
	err := scanInvitation(q.QueryRowContext(ctx, query, id), &in.Invitation)
	if err == sql.ErrNoRows {
		return in, oikos.NotFound("Invitation")
	} else if err != nil {
		return in, err
	}
	in.ref, err = loadReferral(ctx, q, dialect, in.ReferralID, false)
	if err != nil {
		return in, err
	}
	in.PersonName = strings.TrimSpace(in.ref.GivenName + " " + in.ref.FamilyName)
	return in, invitationHistory(ctx, q, &in.Invitation)
}

func scanInvitation(row interface{ Scan(...any) error }, in *Invitation) error {
	var volunteer sql.NullString
	var invited, stage int64
	if err := row.Scan(&in.ID, &in.Stage, &in.ReferralID, &volunteer, &in.InvitedBy, &invited, &stage); err != nil {
		return err
	}
	if volunteer.Valid {
		in.VolunteerID = &volunteer.String
	}
	in.InvitedAt, in.StageAt = db.Time(invited), db.Time(stage)
	return nil
}

func invitationHistory(ctx context.Context, q db.Querier, in *Invitation) error {
	in.History = []StageChange{}
	rows, err := q.QueryContext(ctx, "SELECT stage, at, by_user FROM mentor_stages WHERE invitation_id = $1 ORDER BY position", in.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c StageChange
		var at int64
		if err := rows.Scan(&c.Stage, &at, &c.By); err != nil {
			return err
		}
		c.At = db.Time(at)
		in.History = append(in.History, c)
	}
	return rows.Err()
}

func addStage(ctx context.Context, tx *sql.Tx, id, stage, by string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO mentor_stages (invitation_id, position, stage, by_user, at)
		VALUES ($1, (SELECT COALESCE(MAX(position), -1) + 1 FROM mentor_stages WHERE invitation_id = $1), $2, $3, $4)`, id, stage, by, db.Millis(at))
	return err
}

// InviteMentor invites the person of a referral closed with their goals
// met to become a peer mentor (POST /api/v1/referrals/{id}/mentor-invitation):
// their link worker or a manager of the scheme. A referral not closed with
// goals met, or a person already invited (and not declined), is a
// conflict.
func (v *Volunteering) InviteMentor(ctx context.Context, by oikos.Actor, p *auth.Principal, referralID string) (Invitation, error) {
	var out Invitation
	now := v.now()
	err := v.DB.Tx(ctx, func(tx *sql.Tx) error {
		ref, err := loadReferral(ctx, tx, v.DB.Dialect, referralID, true)
		if err != nil {
			return err
		}
		if !mayWorkOn(p, ref) {
			return oikos.NotFound("Referral")
		}
		if ref.Status != referral.Closed || ref.ClosedReason != "goals_met" {
			return refused("referral", "Only a person whose referral closed with their goals met can be invited to become a peer mentor.")
		}
		var open int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM mentor_invitations i JOIN referrals r ON r.id = i.referral_id
			WHERE (r.person_id = $1 AND i.stage <> 'declined') OR i.referral_id = $2`, ref.PersonID, referralID).Scan(&open); err != nil {
			return err
		}
		if open > 0 {
			return refused("referral", "This person has already been invited to become a peer mentor.")
		}
		id := db.NewID("mi")
		ms := db.Millis(now)
		if _, err := tx.ExecContext(ctx, `INSERT INTO mentor_invitations (id, referral_id, scheme_id, stage, invited_by, invited_at, stage_at, updated_at)
			VALUES ($1, $2, $3, 'invited', $4, $5, $5, $5)`, id, referralID, ref.SchemeID, by.UserID, ms); err != nil {
			if db.IsUniqueViolation(err) {
				return refused("referral", "This person has already been invited to become a peer mentor.")
			}
			return err
		}
		if err := addStage(ctx, tx, id, StageInvited, by.UserID, now); err != nil {
			return err
		}
		if err := audit.Append(ctx, tx, v.DB.Dialect, auditEvent(by, now, audit.Create, kindInvitation, id)); err != nil {
			return err
		}
		in, err := loadInvitation(ctx, tx, v.DB.Dialect, id, false)
		out = in.Invitation
		return err
	})
	return out, err
}

// MentorStage moves an invitation on (POST /api/v1/mentor-pathway/{id}):
// the person's link worker or a manager of the scheme. Becoming active
// needs user_id, the graduate's volunteer account in the same scheme,
// whose profile becomes (or is made as) a peer mentor flagged graduate,
// in the same transaction.
func (v *Volunteering) MentorStage(ctx context.Context, by oikos.Actor, p *auth.Principal, id string, in StageInput) (Invitation, error) {
	var out Invitation
	now := v.now()
	in.Stage, in.UserID = strings.TrimSpace(in.Stage), strings.TrimSpace(in.UserID)
	err := v.DB.Tx(ctx, func(tx *sql.Tx) error {
		inv, err := loadInvitation(ctx, tx, v.DB.Dialect, id, true)
		if err != nil {
			return err
		}
		if !mayWorkOn(p, inv.ref) {
			return oikos.NotFound("Invitation")
		}
		if err := CheckMentorStage(inv.Stage, in.Stage); err != nil {
			return err
		}
		var volunteer any
		if in.Stage == StageActive {
			if err := v.makeGraduate(ctx, tx, by, inv, in.UserID, now); err != nil {
				return err
			}
			volunteer = in.UserID
		}
		ms := db.Millis(now)
		if _, err := tx.ExecContext(ctx, `UPDATE mentor_invitations SET stage = $1, stage_at = $2, updated_at = $2, volunteer_id = COALESCE($3, volunteer_id)
			WHERE id = $4`, in.Stage, ms, volunteer, id); err != nil {
			return err
		}
		if err := addStage(ctx, tx, id, in.Stage, by.UserID, now); err != nil {
			return err
		}
		if err := audit.Append(ctx, tx, v.DB.Dialect, auditEvent(by, now, audit.Update, kindInvitation, id)); err != nil {
			return err
		}
		done, err := loadInvitation(ctx, tx, v.DB.Dialect, id, false)
		out = done.Invitation
		return err
	})
	return out, err
}

// makeGraduate makes the graduate's volunteer profile a peer mentor's,
// flagged graduate; a profile not yet kept starts from the person's
// postcode, with no DBS check (so they are offered to nobody until a
// manager records one).
func (v *Volunteering) makeGraduate(ctx context.Context, tx *sql.Tx, by oikos.Actor, inv invitationRow, userID string, now time.Time) error {
	if userID == "" {
		return oikos.Invalid(map[string]string{"user_id": "Give the graduate's volunteer account (make one with the role volunteer first)."})
	}
	u, ok, err := loadVolunteerUser(ctx, tx, userID)
	if err != nil {
		return err
	}
	if !ok || u.role != auth.Volunteer || !u.active || u.schemeID != inv.ref.SchemeID {
		return oikos.Invalid(map[string]string{"user_id": "Choose an active volunteer account of the scheme."})
	}
	var taken int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM mentor_invitations WHERE volunteer_id = $1 AND id <> $2", userID, inv.ID).Scan(&taken); err != nil {
		return err
	}
	if taken > 0 {
		return oikos.Invalid(map[string]string{"user_id": "This account is already another graduate's."})
	}
	var kind string
	err = tx.QueryRowContext(ctx, "SELECT kind FROM volunteers WHERE user_id = $1", userID).Scan(&kind)
	ms := db.Millis(now)
	action := audit.Update
	switch {
	case err == sql.ErrNoRows:
		at, located, err := directory.LocateWith(ctx, tx, inv.ref.Postcode)
		if err != nil {
			return err
		}
		if !located {
			return oikos.Invalid(map[string]string{"user_id": "The graduate's postcode cannot be placed: keep their volunteer profile first, then make them active."})
		}
		action = audit.Create
		if _, err := tx.ExecContext(ctx, `INSERT INTO volunteers (user_id, scheme_id, kind, postcode, latitude, longitude, graduate, created_at, updated_at, updated_by)
			VALUES ($1, $2, 'peer_mentor', $3, $4, $5, true, $6, $6, $7)`, userID, u.schemeID, inv.ref.Postcode, at.Lat, at.Lon, ms, by.UserID); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		var coordinated int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM volunteers WHERE coordinator_id = $1", userID).Scan(&coordinated); err != nil {
			return err
		}
		if coordinated > 0 {
			return oikos.Invalid(map[string]string{"user_id": "This account is a health champion who coordinates others: give them another coordinator first."})
		}
		if _, err := tx.ExecContext(ctx, "UPDATE volunteers SET kind = 'peer_mentor', graduate = true, updated_at = $1, updated_by = $2 WHERE user_id = $3",
			ms, by.UserID, userID); err != nil {
			return err
		}
	}
	return audit.Append(ctx, tx, v.DB.Dialect, auditEvent(by, now, action, kindVolunteer, userID))
}

// MentorInvitation reads one invitation, for the person's link worker and
// the scheme's managers. The read is audited.
func (v *Volunteering) MentorInvitation(ctx context.Context, by oikos.Actor, p *auth.Principal, id string) (Invitation, error) {
	var out Invitation
	err := v.DB.Tx(ctx, func(tx *sql.Tx) error {
		inv, err := loadInvitation(ctx, tx, v.DB.Dialect, id, false)
		if err != nil {
			return err
		}
		if !mayWorkOn(p, inv.ref) {
			return oikos.NotFound("Invitation")
		}
		out = inv.Invitation
		return audit.Append(ctx, tx, v.DB.Dialect, auditEvent(by, v.now(), audit.Read, kindInvitation, id))
	})
	return out, err
}

// MentorInvitations lists the invitations a manager's scheme made (a link
// worker: those of their caseload), newest first, optionally at one
// stage. The reads are audited in one append.
func (v *Volunteering) MentorInvitations(ctx context.Context, by oikos.Actor, p *auth.Principal, stage string, page PageQuery) (Listing[Invitation], error) {
	out := Listing[Invitation]{Items: []Invitation{}}
	offset, limit, err := page.offset()
	if err != nil {
		return out, err
	}
	if stage != "" && !slices.Contains(MentorStages, stage) {
		return out, oikos.Invalid(map[string]string{"stage": "Stage must be one of " + strings.Join(MentorStages, ", ") + "."})
	}
	if p == nil || (p.Role != auth.Manager && p.Role != auth.LinkWorker) {
		return out, oikos.NotFound("Invitations")
	}
	where, args := "i.scheme_id = $1", []any{p.SchemeID}
	if p.Role == auth.LinkWorker {
		where, args = where+" AND r.assigned_to = $2", append(args, p.UserID)
	}
	if stage != "" {
		args = append(args, stage)
		where += fmt.Sprintf(" AND i.stage = $%d", len(args))
	}
	err = v.DB.Tx(ctx, func(tx *sql.Tx) error {
		from := " FROM mentor_invitations i JOIN referrals r ON r.id = i.referral_id WHERE " + where
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*)"+from, args...).Scan(&out.Total); err != nil {
			return err
		}
		n := len(args)
		ids, err := db.Strings(ctx, tx, "SELECT i.id"+from+fmt.Sprintf(" ORDER BY i.invited_at DESC, i.id LIMIT $%d OFFSET $%d", n+1, n+2), append(args, limit, offset)...)
		if err != nil {
			return err
		}
		now := v.now()
		events := make([]audit.Event, 0, len(ids))
		for _, id := range ids {
			inv, err := loadInvitation(ctx, tx, v.DB.Dialect, id, false)
			if err != nil {
				return err
			}
			out.Items = append(out.Items, inv.Invitation)
			events = append(events, auditEvent(by, now, audit.Read, kindInvitation, id))
		}
		out.Next = nextCursor(offset, len(out.Items), out.Total)
		return audit.AppendAll(ctx, tx, v.DB.Dialect, events)
	})
	return out, err
}
