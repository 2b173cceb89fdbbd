package community

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/casework"
	"oikos/internal/db"
	"oikos/internal/notify"
	"oikos/internal/referral"
)

// KindVolunteerMatched is the outbox kind of the email telling a volunteer
// they have been matched.
const KindVolunteerMatched = "volunteer_matched"

// matchRow is a match as stored, with what access and showing need.
type matchRow struct {
	Match
	schemeID, assignedTo string
	referralStatus       referral.Status
	facts                PersonFacts
}

// object is the match as the access policy sees it. A match whose
// referral has closed is over for its volunteer, ended or not.
func (m matchRow) object() auth.Object {
	return auth.Object{Kind: kindMatch, ID: m.ID, SchemeID: m.schemeID, AssignedTo: m.assignedTo, VolunteerID: m.VolunteerID,
		Ended: m.Status != matchActive || m.referralStatus == referral.Closed}
}

const matchColumns = `m.id, m.status, m.volunteer_id, u.name, m.referral_id, m.share_contact, m.share_what_matters, m.share_plan,
	m.started_on, m.ended_on, m.end_reason, m.created_at, m.scheme_id, COALESCE(r.assigned_to, ''), r.status,
	p.given_name, p.family_name, p.phone, p.email, p.postcode`

const matchFrom = ` FROM volunteer_matches m JOIN users u ON u.id = m.volunteer_id JOIN referrals r ON r.id = m.referral_id
	JOIN people p ON p.id = r.person_id`

func scanMatch(row interface{ Scan(...any) error }) (matchRow, error) {
	var m matchRow
	var ended sql.NullString
	var created int64
	f := &m.facts
	err := row.Scan(&m.ID, &m.Status, &m.VolunteerID, &m.VolunteerName, &m.ReferralID, &m.Share.ContactDetails, &m.Share.WhatMatters,
		&m.Share.Plan, &m.StartedOn, &ended, &m.EndReason, &created, &m.schemeID, &m.assignedTo, &m.referralStatus,
		&f.GivenName, &f.FamilyName, &f.Phone, &f.Email, &f.Postcode)
	if err != nil {
		return m, err
	}
	if ended.Valid {
		m.EndedOn = &ended.String
	}
	m.CreatedAt = db.Time(created)
	m.Contacts = []MatchContact{}
	return m, nil
}

// loadMatch reads a match through q, locking it on PostgreSQL for a write.
func loadMatch(ctx context.Context, q db.Querier, dialect db.Dialect, id string, lock bool) (matchRow, error) {
	if !plainID(id) {
		return matchRow{}, oikos.NotFound("Volunteer match")
	}
	query := "SELECT " + matchColumns + matchFrom + " WHERE m.id = $1"
	if lock && dialect == db.Postgres {
		query += " FOR UPDATE OF m"
	}
	m, err := scanMatch(q.QueryRowContext(ctx, query, id))
	if err == sql.ErrNoRows {
		return m, oikos.NotFound("Volunteer match")
	}
	return m, err
}

// complete reads what the match shows beyond its row: the person's words
// and plan when shared, and the contacts logged; then decides what of the
// person is shown.
func complete(ctx context.Context, q db.Querier, m *matchRow) error {
	if m.Share.WhatMatters {
		err := q.QueryRowContext(ctx, `SELECT what_matters FROM conversations WHERE referral_id = $1
			ORDER BY held_at DESC, created_at DESC, id LIMIT 1`, m.ReferralID).Scan(&m.facts.WhatMatters)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
	}
	if m.Share.Plan {
		var goals string
		err := q.QueryRowContext(ctx, "SELECT goals FROM plans WHERE referral_id = $1", m.ReferralID).Scan(&goals)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		if err == nil {
			var plan []casework.Goal
			if err := json.Unmarshal([]byte(goals), &plan); err != nil {
				return fmt.Errorf("plan of %s: %w", m.ReferralID, err)
			}
			m.facts.Plan = plan
		}
	}
	m.Person = SharePerson(m.Share, m.facts)
	rows, err := q.QueryContext(ctx, `SELECT id, on_date, minutes, mode, note, created_at FROM volunteer_contacts WHERE match_id = $1
		ORDER BY on_date DESC, created_at DESC, id`, m.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	var minutes int64
	for rows.Next() {
		var c MatchContact
		var created int64
		if err := rows.Scan(&c.ID, &c.Date, &c.Minutes, &c.Mode, &c.Note, &created); err != nil {
			return err
		}
		c.CreatedAt = db.Time(created)
		minutes += int64(c.Minutes)
		m.Contacts = append(m.Contacts, c)
	}
	m.Hours = hoursOf(minutes)
	return rows.Err()
}

// CreateMatch matches a volunteer to a referral's person (POST
// /api/v1/referrals/{id}/volunteer-matches): the person's link worker or a
// manager of the scheme; the referral in work and the person's record not
// restricted (409); the volunteer active in the same scheme with an
// in-date DBS check (else 422 naming volunteer_id). The volunteer is
// emailed a link, and nothing about the person.
func (v *Volunteering) CreateMatch(ctx context.Context, by oikos.Actor, p *auth.Principal, referralID string, in MatchInput) (Match, error) {
	id := db.NewID("vm")
	now := v.now()
	today := dayOf(now)
	var out Match
	err := v.DB.Tx(ctx, func(tx *sql.Tx) error {
		ref, err := loadReferral(ctx, tx, v.DB.Dialect, referralID, true)
		if err != nil {
			return err
		}
		if !mayWorkOn(p, ref) {
			return oikos.NotFound("Referral")
		}
		if err := in.Validate(); err != nil {
			return err
		}
		switch {
		case ref.Restricted:
			return refused("referral", "The person has asked for their record to be restricted, so no volunteer can be matched until that is lifted.")
		case ref.Status == referral.Received:
			return refused("referral", "Accept the referral before matching a volunteer.")
		case ref.Status == referral.Closed:
			return refused("referral", "This referral is closed, so no volunteer can be matched.")
		}
		u, ok, err := loadVolunteerUser(ctx, tx, in.VolunteerID)
		if err != nil {
			return err
		}
		var checked, expires sql.NullString
		var email string
		if ok && u.role == auth.Volunteer && u.active && u.schemeID == ref.SchemeID {
			err = tx.QueryRowContext(ctx, "SELECT v.dbs_checked_on, v.dbs_expires_on, u.email FROM volunteers v JOIN users u ON u.id = v.user_id WHERE v.user_id = $1",
				in.VolunteerID).Scan(&checked, &expires, &email)
			if err == sql.ErrNoRows {
				ok = false
			} else if err != nil {
				return err
			}
		} else {
			ok = false
		}
		if !ok {
			return oikos.Invalid(map[string]string{"volunteer_id": "No volunteer of this scheme has that id."})
		}
		switch DBSStatus(checked.String, expires.String, today) {
		case DBSMissing:
			return oikos.Invalid(map[string]string{"volunteer_id": "This volunteer has no DBS check recorded: record it before matching them with anyone."})
		case DBSExpired:
			return oikos.Invalid(map[string]string{"volunteer_id": "This volunteer's DBS check ran out on " + expires.String + ": it must be renewed before they are matched with anyone."})
		}
		ms := db.Millis(now)
		// The match carries its referral's person, for the volunteering
		// report to count people by (migration 0042).
		_, err = tx.ExecContext(ctx, `INSERT INTO volunteer_matches (id, referral_id, person_id, scheme_id, volunteer_id, status, share_contact,
			share_what_matters, share_plan, created_by, created_at, started_on, updated_at)
			VALUES ($1, $2, (SELECT person_id FROM referrals WHERE id = $2), $3, $4, 'active', $5, $6, $7, $8, $9, $10, $9)`,
			id, referralID, ref.SchemeID, in.VolunteerID, in.Share.ContactDetails, in.Share.WhatMatters, in.Share.Plan, by.UserID, ms, today)
		if db.IsUniqueViolation(err) {
			return refused("volunteer_id", "This volunteer is already matched with the person.")
		} else if err != nil {
			return err
		}
		if email != "" && in.VolunteerID != by.UserID {
			if m := v.matchedMessage(email, id); m.Validate() == nil {
				if err := notify.Enqueue(ctx, tx, m); err != nil {
					return err
				}
			}
		}
		if err := audit.Append(ctx, tx, v.DB.Dialect, auditEvent(by, now, audit.Create, kindMatch, id)); err != nil {
			return err
		}
		m, err := loadMatch(ctx, tx, v.DB.Dialect, id, false)
		if err != nil {
			return err
		}
		if err := complete(ctx, tx, &m); err != nil {
			return err
		}
		out = m.Match
		return nil
	})
	return out, err
}

// matchedMessage tells a volunteer they have someone to meet: a link, and
// nothing about the person (email is not a safe channel for it).
func (v *Volunteering) matchedMessage(to, matchID string) notify.Message {
	link := strings.TrimRight(v.BaseURL, "/") + "/volunteer-matches/" + url.PathEscape(matchID)
	return notify.Message{Kind: KindVolunteerMatched, To: to, Subject: "Oikos: you have been matched with someone to support",
		Body: "Hello,\n\nA link worker has matched you with someone to support. What they have shared with you, and how to get in touch, " +
			"is in Oikos (you will need to sign in):\n" + link + "\n\nTo protect the person's privacy, this email does not say who they are.\n\n" +
			"This message was sent automatically by Oikos. Replies are not read.\n"}
}

// mayWorkOn reports whether p may match volunteers to the referral and see
// its matches: the link worker it is assigned to, or a manager of its
// scheme.
func mayWorkOn(p *auth.Principal, ref refFacts) bool {
	if p == nil {
		return false
	}
	switch p.Role {
	case auth.Manager:
		return auth.Can(p, auth.ChangeAction, ref.object())
	case auth.LinkWorker:
		return ref.AssignedTo == p.UserID && auth.Can(p, auth.ChangeAction, ref.object())
	}
	return false
}

// MatchFilter narrows a list of matches.
type MatchFilter struct {
	ReferralID  string
	VolunteerID string
	// Status is "active", "ended" or "" for both.
	Status string
	PageQuery
}

// Matches lists the matches the caller may see (GET
// /api/v1/volunteer-matches): a volunteer, their own while they last; a
// link worker, those of their caseload; a manager, the scheme's. Newest
// first; the reads are audited in one append.
func (v *Volunteering) Matches(ctx context.Context, by oikos.Actor, p *auth.Principal, f MatchFilter) (Listing[Match], error) {
	out := Listing[Match]{Items: []Match{}}
	offset, limit, err := f.offset()
	if err != nil {
		return out, err
	}
	fields := map[string]string{}
	if f.Status != "" && f.Status != matchActive && f.Status != matchEnded {
		fields["status"] = "Status must be active or ended."
	}
	for name, val := range map[string]string{"referral_id": f.ReferralID, "volunteer_id": f.VolunteerID} {
		if val != "" && !plainID(val) {
			fields[name] = "No such id."
		}
	}
	if err := oikos.Invalid(fields); err != nil {
		return out, err
	}
	if p == nil {
		return out, oikos.NotFound("Volunteer matches")
	}
	conds := []string{"m.scheme_id = $1"}
	args := []any{p.SchemeID}
	add := func(cond string, val any) {
		args = append(args, val)
		conds = append(conds, strings.ReplaceAll(cond, "?", fmt.Sprintf("$%d", len(args))))
	}
	switch p.Role {
	case auth.Volunteer:
		add("m.volunteer_id = ?", p.UserID)
		conds = append(conds, "m.status = 'active'", "r.status <> 'closed'")
	case auth.LinkWorker:
		add("r.assigned_to = ?", p.UserID)
	case auth.Manager:
	default:
		return out, oikos.NotFound("Volunteer matches")
	}
	if f.ReferralID != "" {
		add("m.referral_id = ?", f.ReferralID)
	}
	if f.VolunteerID != "" {
		add("m.volunteer_id = ?", f.VolunteerID)
	}
	if f.Status != "" {
		add("m.status = ?", f.Status)
	}
	where := strings.Join(conds, " AND ")
	err = v.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*)"+matchFrom+" WHERE "+where, args...).Scan(&out.Total); err != nil {
			return err
		}
		n := len(args)
		rows, err := tx.QueryContext(ctx, "SELECT "+matchColumns+matchFrom+" WHERE "+where+
			fmt.Sprintf(" ORDER BY m.created_at DESC, m.id LIMIT $%d OFFSET $%d", n+1, n+2), append(args, limit, offset)...)
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
		events := make([]audit.Event, 0, len(found))
		for i := range found {
			if err := complete(ctx, tx, &found[i]); err != nil {
				return err
			}
			out.Items = append(out.Items, found[i].Match)
			events = append(events, auditEvent(by, now, audit.Read, kindMatch, found[i].ID))
		}
		out.Next = nextCursor(offset, len(out.Items), out.Total)
		return audit.AppendAll(ctx, tx, v.DB.Dialect, events)
	})
	return out, err
}

// Match reads one match (GET /api/v1/volunteer-matches/{id}) for those
// who may see it; for anyone else, and for its volunteer once it has
// ended, it is not found. The read is audited.
func (v *Volunteering) Match(ctx context.Context, by oikos.Actor, p *auth.Principal, id string) (Match, error) {
	var out Match
	err := v.DB.Tx(ctx, func(tx *sql.Tx) error {
		m, err := loadMatch(ctx, tx, v.DB.Dialect, id, false)
		if err != nil {
			return err
		}
		if !auth.Can(p, auth.ReadAction, m.object()) {
			return oikos.NotFound("Volunteer match")
		}
		if err := complete(ctx, tx, &m); err != nil {
			return err
		}
		out = m.Match
		return audit.Append(ctx, tx, v.DB.Dialect, auditEvent(by, v.now(), audit.Read, kindMatch, id))
	})
	return out, err
}

// LogContact records a contact the matched volunteer had with the person
// (POST /api/v1/volunteer-matches/{id}/contacts): only they may, while the
// match lasts. The day's minutes in the scheme are kept with it, for the
// report.
func (v *Volunteering) LogContact(ctx context.Context, by oikos.Actor, p *auth.Principal, matchID string, in ContactInput) (MatchContact, error) {
	var out MatchContact
	now := v.now()
	err := v.DB.Tx(ctx, func(tx *sql.Tx) error {
		m, err := loadMatch(ctx, tx, v.DB.Dialect, matchID, true)
		if err != nil {
			return err
		}
		if p == nil || p.UserID != m.VolunteerID || !auth.Can(p, auth.ChangeAction, m.object()) {
			return oikos.NotFound("Volunteer match")
		}
		if err := in.Validate(m.StartedOn, dayOf(now)); err != nil {
			return err
		}
		out = MatchContact{ID: db.NewID("vc"), Date: in.Date, Minutes: in.Minutes, Mode: in.Mode, Note: in.Note, CreatedAt: now}
		if _, err := tx.ExecContext(ctx, `INSERT INTO volunteer_contacts (id, match_id, referral_id, scheme_id, volunteer_id, on_date, minutes, mode, note,
			created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, out.ID, m.ID, m.ReferralID, m.schemeID, m.VolunteerID,
			in.Date, in.Minutes, in.Mode, in.Note, by.UserID, db.Millis(now)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO volunteer_days (scheme_id, on_date, minutes, contacts) VALUES ($1, $2, $3, 1)
			ON CONFLICT (scheme_id, on_date) DO UPDATE SET minutes = volunteer_days.minutes + excluded.minutes, contacts = volunteer_days.contacts + 1`,
			m.schemeID, in.Date, in.Minutes); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE volunteer_matches SET updated_at = $1 WHERE id = $2", db.Millis(now), m.ID); err != nil {
			return err
		}
		return audit.Append(ctx, tx, v.DB.Dialect, auditEvent(by, now, audit.Update, kindMatch, m.ID))
	})
	return out, err
}

// EndMatch ends a match, saying why (POST
// /api/v1/volunteer-matches/{id}/end): the person's link worker, a manager
// of the scheme, or the volunteer. The match and its contacts are kept; its
// volunteer no longer sees it. Ending twice is a conflict.
func (v *Volunteering) EndMatch(ctx context.Context, by oikos.Actor, p *auth.Principal, matchID string, in EndInput) (Match, error) {
	var out Match
	now := v.now()
	err := v.DB.Tx(ctx, func(tx *sql.Tx) error {
		m, err := loadMatch(ctx, tx, v.DB.Dialect, matchID, true)
		if err != nil {
			return err
		}
		if !auth.Can(p, auth.ChangeAction, m.object()) {
			return oikos.NotFound("Volunteer match")
		}
		if err := in.Validate(); err != nil {
			return err
		}
		if m.Status != matchActive {
			return refused("status", "This match has already ended.")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE volunteer_matches SET status = 'ended', ended_at = $1, ended_on = $2, ended_by = $3, end_reason = $4,
			updated_at = $1 WHERE id = $5 AND status = 'active'`, db.Millis(now), dayOf(now), by.UserID, in.Reason, m.ID); err != nil {
			return err
		}
		if err := audit.Append(ctx, tx, v.DB.Dialect, auditEvent(by, now, audit.Update, kindMatch, m.ID)); err != nil {
			return err
		}
		ended, err := loadMatch(ctx, tx, v.DB.Dialect, m.ID, false)
		if err != nil {
			return err
		}
		if err := complete(ctx, tx, &ended); err != nil {
			return err
		}
		out = ended.Match
		if p.Role == auth.Volunteer {
			// Once ended the match is no longer theirs to see: the answer
			// says only that it ended.
			out.Person = SharedPerson{GivenName: out.Person.GivenName}
		}
		return nil
	})
	return out, err
}

// EndedWithReferral is the reason given to matches ended because their
// referral closed.
const EndedWithReferral = "The referral closed."

// OnReferralChange ends the volunteer matches of a referral that closes,
// inside the closing's transaction: a referral.Store OnChange hook for the
// application to chain with the others. A volunteer no longer sees a
// match on a closed referral anyway; ending it keeps the report honest.
func (v *Volunteering) OnReferralChange(ctx context.Context, tx *sql.Tx, c referral.Change) error {
	if c.To != referral.Closed || c.From == referral.Closed {
		return nil
	}
	now := v.now()
	ids, err := db.Strings(ctx, tx, "SELECT id FROM volunteer_matches WHERE referral_id = $1 AND status = 'active' ORDER BY id", c.ReferralID)
	if err != nil || len(ids) == 0 {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE volunteer_matches SET status = 'ended', ended_at = $1, ended_on = $2, ended_by = $3, end_reason = $4,
		updated_at = $1 WHERE referral_id = $5 AND status = 'active'`, db.Millis(now), dayOf(now), c.By.UserID, EndedWithReferral, c.ReferralID); err != nil {
		return err
	}
	events := make([]audit.Event, len(ids))
	for i, id := range ids {
		events[i] = auditEvent(c.By, now, audit.Update, kindMatch, id)
	}
	return audit.AppendAll(ctx, tx, v.DB.Dialect, events)
}
