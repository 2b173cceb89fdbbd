package community

import (
	"context"
	"database/sql"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/referral"
)

// Reads the pages need beyond the contract's routes: the volunteer
// accounts a manager may keep profiles for, how many concerns are open for
// someone's home page, and a referral's community section (its matches,
// open concerns and graduate invitation) in one call.

// Account is a volunteer's account in a manager's scheme, with the kind of
// profile it has ("" when none is kept yet).
type Account struct {
	UserID   string `json:"user_id"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Graduate bool   `json:"graduate"`
}

// maxAccounts bounds one list of accounts: a scheme has a few hundred
// volunteers, and a form's select no more.
const maxAccounts = 2000

// Accounts lists the active volunteer accounts of a manager's scheme, by
// name, with the kind of profile each has: to choose whom to keep a
// profile for, whom a volunteer is coordinated by, and which account a
// graduate signs in with. Accounts of volunteers are staff-like records
// (names), not people supported, and are not written to the audit log, as
// the users list is not. For the scheme's managers and link workers (who
// move a graduate on); anyone else is refused (404).
func (v *Volunteering) Accounts(ctx context.Context, p *auth.Principal) ([]Account, error) {
	out := []Account{}
	if p == nil || (p.Role != auth.Manager && p.Role != auth.LinkWorker) {
		return out, oikos.NotFound("Volunteers")
	}
	rows, err := v.DB.R().QueryContext(ctx, `SELECT u.id, u.name, COALESCE(v.kind, ''), COALESCE(v.graduate, false)
		FROM users u LEFT JOIN volunteers v ON v.user_id = u.id
		WHERE u.role = 'volunteer' AND u.active AND `+userSchemeSQL+` = $1 ORDER BY lower(u.name), u.id LIMIT $2`, p.SchemeID, maxAccounts)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a Account
		if err := rows.Scan(&a.UserID, &a.Name, &a.Kind, &a.Graduate); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// CountOpen counts the open concerns p works on, for their home page: a
// manager, the scheme's; a link worker, those about their caseload;
// anyone else, none. A count says nothing of anyone, so it is not
// audited; opening the list is.
func (s *Safeguarding) CountOpen(ctx context.Context, p *auth.Principal) (int, error) {
	if p == nil || (p.Role != auth.Manager && p.Role != auth.LinkWorker) {
		return 0, nil
	}
	q := "SELECT COUNT(*) FROM concerns c JOIN referrals r ON r.id = c.referral_id WHERE c.scheme_id = $1 AND c.status = 'open'"
	args := []any{p.SchemeID}
	if p.Role == auth.LinkWorker {
		q += " AND r.assigned_to = $2"
		args = append(args, p.UserID)
	}
	var n int
	err := s.DB.R().QueryRowContext(ctx, q, args...).Scan(&n)
	return n, err
}

// ReferralCommunity is what a referral's page shows of the community
// work with its person.
type ReferralCommunity struct {
	// OpenConcerns counts the open safeguarding concerns about the person
	// (on this referral or another of theirs in the scheme).
	OpenConcerns int
	// Matches are the referral's volunteer matches, active first, for
	// the person's link worker and the scheme's managers.
	Matches []Match
	// Invitation is the person's invitation to become a peer mentor, if
	// this referral made one.
	Invitation *Invitation
	// MayMatch says a volunteer may be matched now; MayInvite that the
	// person may be invited to become a peer mentor.
	MayMatch, MayInvite bool
}

// ForReferral reads a referral's community section for p: nothing (and no
// error) for whoever may not see the person or work on the referral; the
// open concerns for anyone who may see the person; the matches and the
// invitation for the person's link worker and the scheme's managers. The
// reads of matches and the invitation are audited in one append, in a
// write transaction only when there are any: most referral pages have
// neither, and the page's own reads are one write already.
func (v *Volunteering) ForReferral(ctx context.Context, by oikos.Actor, p *auth.Principal, referralID string) (ReferralCommunity, error) {
	out := ReferralCommunity{Matches: []Match{}}
	if p == nil || (p.Role != auth.Manager && p.Role != auth.LinkWorker) {
		return out, nil
	}
	var events []audit.Event
	err := v.DB.ReadTx(ctx, func(tx *sql.Tx) error {
		ref, err := loadReferral(ctx, tx, v.DB.Dialect, referralID, false)
		if err != nil {
			return err
		}
		if !auth.Can(p, auth.ReadAction, ref.object()) {
			return oikos.NotFound("Referral")
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM concerns c JOIN referrals r ON r.id = c.referral_id
			WHERE r.person_id = $1 AND c.scheme_id = $2 AND c.status = 'open'`, ref.PersonID, ref.SchemeID).Scan(&out.OpenConcerns); err != nil {
			return err
		}
		if !mayWorkOn(p, ref) {
			return nil
		}
		out.MayMatch = !ref.Restricted && ref.Status != referral.Received && ref.Status != referral.Closed
		rows, err := tx.QueryContext(ctx, "SELECT "+matchColumns+matchFrom+` WHERE m.referral_id = $1
			ORDER BY CASE m.status WHEN 'active' THEN 0 ELSE 1 END, m.created_at DESC, m.id LIMIT 100`, referralID)
		if err != nil {
			return err
		}
		var found []matchRow
		for rows.Next() {
			m, err := scanMatch(rows)
			if err != nil {
				rows.Close()
				return err
			}
			found = append(found, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		now := v.now()
		for i := range found {
			if err := complete(ctx, tx, &found[i]); err != nil {
				return err
			}
			out.Matches = append(out.Matches, found[i].Match)
			events = append(events, auditEvent(by, now, audit.Read, kindMatch, found[i].ID))
		}
		var invID string
		err = tx.QueryRowContext(ctx, "SELECT id FROM mentor_invitations WHERE referral_id = $1", referralID).Scan(&invID)
		switch {
		case err == sql.ErrNoRows:
			out.MayInvite = ref.Status == referral.Closed && ref.ClosedReason == "goals_met"
			if out.MayInvite {
				var other int
				if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM mentor_invitations i JOIN referrals r ON r.id = i.referral_id
					WHERE r.person_id = $1 AND i.stage <> 'declined'`, ref.PersonID).Scan(&other); err != nil {
					return err
				}
				out.MayInvite = other == 0
			}
		case err != nil:
			return err
		default:
			inv, err := loadInvitation(ctx, tx, v.DB.Dialect, invID, false)
			if err != nil {
				return err
			}
			out.Invitation = &inv.Invitation
			events = append(events, auditEvent(by, now, audit.Read, kindInvitation, invID))
		}
		return nil
	})
	if err != nil || len(events) == 0 {
		return out, err
	}
	return out, audit.RecordAll(ctx, v.DB, events)
}

// NextStages are the stages an invitation at stage may move to, in order.
func NextStages(stage string) []string { return append([]string(nil), mentorNext[stage]...) }

// MentorStageLabel is a stage in words.
func MentorStageLabel(stage string) string {
	switch stage {
	case StageInvited:
		return "Invited"
	case StageInterested:
		return "Interested"
	case StageTraining:
		return "In training"
	case StageActive:
		return "Active peer mentor"
	case StageDeclined:
		return "Declined"
	}
	return stage
}
