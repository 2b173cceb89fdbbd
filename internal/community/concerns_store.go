package community

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/notify"
)

// Safeguarding keeps safeguarding concerns. Every function takes the
// caller as a principal and answers 404 for what they may not see; every
// read and write is in the audit log.
type Safeguarding struct {
	DB  *db.DB
	Now func() time.Time
	// BaseURL is where people reach Oikos, for the link in the email a
	// concern sends.
	BaseURL string
	// Log hears of an email that could not be formed (a user's address
	// that cannot take mail); nil means slog.Default().
	Log *slog.Logger
}

// NewSafeguarding returns a Safeguarding on d with the real clock.
func NewSafeguarding(d *db.DB) *Safeguarding { return &Safeguarding{DB: d, Now: time.Now} }

func (s *Safeguarding) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

func (s *Safeguarding) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// Audit object kind of a concern, and the action of acknowledging one.
const (
	kindConcern       = "concern"
	ActionAcknowledge = "acknowledge"
	// KindConcernRaised is the outbox kind of the email a concern sends.
	KindConcernRaised = "safeguarding_concern"
)

// concernRow is a concern as stored, with what access needs.
type concernRow struct {
	Concern
	assignedTo string
	closedBy   string
	outcome    string
}

func (c concernRow) object() auth.Object {
	return auth.Object{Kind: kindConcern, ID: c.ID, SchemeID: c.SchemeID, AssignedTo: c.assignedTo, CreatedBy: c.RaisedBy}
}

// concernColumns read a concern; the placeholder n is the caller's user
// id, for whether they have acknowledged it.
func concernColumns(n int) string {
	return fmt.Sprintf(`c.id, c.referral_id, r.reference, c.scheme_id, c.category, c.level, c.description, c.status, c.raised_by,
	COALESCE(u.name, ''), c.raised_by_role, c.raised_at, c.first_action_at, c.closed_at, c.closed_by, c.outcome, COALESCE(r.assigned_to, ''),
	EXISTS (SELECT 1 FROM concern_acknowledgements a WHERE a.concern_id = c.id AND a.user_id = $%d)`, n)
}

const concernFrom = ` FROM concerns c JOIN referrals r ON r.id = c.referral_id LEFT JOIN users u ON u.id = c.raised_by`

func scanConcern(row interface{ Scan(...any) error }) (concernRow, error) {
	var c concernRow
	var raised int64
	var first, closed sql.NullInt64
	err := row.Scan(&c.ID, &c.ReferralID, &c.Reference, &c.SchemeID, &c.Category, &c.Level, &c.Description, &c.Status, &c.RaisedBy,
		&c.RaisedByName, &c.RaisedByRole, &raised, &first, &closed, &c.closedBy, &c.outcome, &c.assignedTo, &c.Acknowledged)
	if err != nil {
		return c, err
	}
	c.RaisedAt = db.Time(raised)
	if first.Valid {
		t := db.Time(first.Int64)
		m := MinutesBetween(c.RaisedAt, t)
		c.FirstActionAt, c.MinutesToFirstAction = &t, &m
	}
	if closed.Valid {
		t := db.Time(closed.Int64)
		c.ClosedAt = &t
	}
	return c, nil
}

func loadConcern(ctx context.Context, q db.Querier, dialect db.Dialect, id, viewer string, lock bool) (concernRow, error) {
	if !plainID(id) {
		return concernRow{}, oikos.NotFound("Concern")
	}
	query := "SELECT " + concernColumns(1) + concernFrom + " WHERE c.id = $2"
	if lock && dialect == db.Postgres {
		query += " FOR UPDATE OF c"
	}
	c, err := scanConcern(q.QueryRowContext(ctx, query, viewer, id))
	if err == sql.ErrNoRows {
		return c, oikos.NotFound("Concern")
	}
	return c, err
}

// view is the concern as p sees it: in full, with its actions, for those
// who act on it; without actions and outcome for whoever only raised it.
func (c *concernRow) view(ctx context.Context, q db.Querier, p *auth.Principal, withActions bool) error {
	if !auth.Can(p, auth.ChangeAction, c.object()) {
		return nil
	}
	c.ClosedBy, c.Outcome = c.closedBy, c.outcome
	if !withActions {
		return nil
	}
	c.Actions = []ConcernAction{}
	rows, err := q.QueryContext(ctx, `SELECT a.position, a.action, a.status, a.outcome, a.by_user, COALESCE(u.name, ''), a.at
		FROM concern_actions a LEFT JOIN users u ON u.id = a.by_user WHERE a.concern_id = $1 ORDER BY a.position`, c.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a ConcernAction
		var at int64
		if err := rows.Scan(&a.Position, &a.Action, &a.Status, &a.Outcome, &a.By, &a.ByName, &at); err != nil {
			return err
		}
		a.At = db.Time(at)
		c.Actions = append(c.Actions, a)
	}
	return rows.Err()
}

// raiseFacts gathers who works with the referral's person.
func raiseFacts(ctx context.Context, q db.Querier, ref refFacts) (RaiseFacts, error) {
	f := RaiseFacts{Referral: ref.object()}
	var err error
	if f.MatchedVolunteers, err = db.Strings(ctx, q, "SELECT volunteer_id FROM volunteer_matches WHERE referral_id = $1 AND status = 'active'", ref.ID); err != nil {
		return f, err
	}
	f.ConnectedOrganisations, err = db.Strings(ctx, q, "SELECT DISTINCT organisation_id FROM connections WHERE referral_id = $1 AND status <> 'declined'", ref.ID)
	return f, err
}

// RaiseConcern records a concern about a referral's person (POST
// /api/v1/referrals/{id}/concerns) by anyone who works with them
// (MayRaise); for anyone else the referral is not found. In the same
// transaction it emails the person's link worker and the scheme's
// managers a link, and nothing about the person or the concern.
func (s *Safeguarding) RaiseConcern(ctx context.Context, by oikos.Actor, p *auth.Principal, referralID string, in ConcernInput) (Concern, error) {
	var out Concern
	now := s.now()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		ref, err := loadReferral(ctx, tx, s.DB.Dialect, referralID, false)
		if err != nil {
			return err
		}
		facts, err := raiseFacts(ctx, tx, ref)
		if err != nil {
			return err
		}
		if !MayRaise(p, facts) {
			return oikos.NotFound("Referral")
		}
		if err := in.Validate(); err != nil {
			return err
		}
		id := db.NewID("sgc")
		ms := db.Millis(now)
		if _, err := tx.ExecContext(ctx, `INSERT INTO concerns (id, referral_id, scheme_id, category, level, description, status, raised_by, raised_by_role,
			raised_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, $9)`,
			id, referralID, ref.SchemeID, in.Category, in.Level, in.Description, by.UserID, string(p.Role), ms); err != nil {
			return err
		}
		// Whoever raised it has seen it.
		if _, err := tx.ExecContext(ctx, "INSERT INTO concern_acknowledgements (concern_id, user_id, at) VALUES ($1, $2, $3)", id, p.UserID, ms); err != nil {
			return err
		}
		if err := s.tell(ctx, tx, ref, id, p.UserID); err != nil {
			return err
		}
		if err := audit.Append(ctx, tx, s.DB.Dialect, auditEvent(by, now, audit.Create, kindConcern, id)); err != nil {
			return err
		}
		c, err := loadConcern(ctx, tx, s.DB.Dialect, id, p.UserID, false)
		if err != nil {
			return err
		}
		if err := c.view(ctx, tx, p, true); err != nil {
			return err
		}
		out = c.Concern
		return nil
	})
	return out, err
}

// tell emails the person's link worker and the scheme's managers, active,
// except whoever raised the concern.
func (s *Safeguarding) tell(ctx context.Context, tx *sql.Tx, ref refFacts, concernID, raisedBy string) error {
	to, err := db.Strings(ctx, tx, `SELECT DISTINCT u.email FROM users u WHERE u.active AND u.id <> $1 AND u.email <> ''
		AND (u.id = $2 OR (u.role = 'manager' AND `+userSchemeSQL+` = $3)) ORDER BY u.email`, raisedBy, ref.AssignedTo, ref.SchemeID)
	if err != nil {
		return err
	}
	for _, addr := range to {
		m := ConcernMessage(addr, s.BaseURL, concernID)
		if err := m.Validate(); err != nil {
			s.log().Warn("safeguarding concern email not sent: the address cannot take mail", "concern", concernID, "err", err)
			continue
		}
		if err := notify.Enqueue(ctx, tx, m); err != nil {
			return err
		}
	}
	return nil
}

// ConcernMessage is the email a new concern sends: that there is one and
// where to read it. Email is not a safe channel for it, so it says nothing
// of whom it is about, what was seen, its category or its level.
func ConcernMessage(to, baseURL, concernID string) notify.Message {
	link := strings.TrimRight(baseURL, "/") + "/concerns/" + url.PathEscape(concernID)
	return notify.Message{Kind: KindConcernRaised, To: to, Subject: "Oikos: a safeguarding concern has been raised",
		Body: "Hello,\n\nA safeguarding concern has been raised about someone you work with. Please read it in Oikos now " +
			"(you will need to sign in):\n" + link + "\n\nTo protect the person, this email does not say who it is about or what was seen.\n\n" +
			"This message was sent automatically by Oikos. Replies are not read.\n"}
}

// ConcernFilter narrows a list of concerns.
type ConcernFilter struct {
	Status     string // open, closed, or "" for both
	ReferralID string
	PageQuery
}

// Concerns lists the concerns the caller may see (GET /api/v1/concerns):
// a manager, the scheme's; a link worker, those of their caseload and
// those they raised; anyone else, those they raised. Open first, the most
// urgent first, then newest. The reads are audited in one append.
func (s *Safeguarding) Concerns(ctx context.Context, by oikos.Actor, p *auth.Principal, f ConcernFilter) (Listing[Concern], error) {
	out := Listing[Concern]{Items: []Concern{}}
	offset, limit, err := f.offset()
	if err != nil {
		return out, err
	}
	fields := map[string]string{}
	if f.Status != "" && f.Status != ConcernOpen && f.Status != ConcernClosed {
		fields["status"] = "Status must be open or closed."
	}
	if f.ReferralID != "" && !plainID(f.ReferralID) {
		fields["referral_id"] = "No referral has that id."
	}
	if err := oikos.Invalid(fields); err != nil {
		return out, err
	}
	if p == nil {
		return out, oikos.NotFound("Concerns")
	}
	var args []any
	var conds []string
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", fmt.Sprintf("$%d", len(args))))
	}
	switch p.Role {
	case auth.Manager:
		add("c.scheme_id = ?", p.SchemeID)
	case auth.LinkWorker:
		add("c.scheme_id = ?", p.SchemeID)
		add("(r.assigned_to = ? OR c.raised_by = ?)", p.UserID)
	default:
		add("c.raised_by = ?", p.UserID)
	}
	if f.Status != "" {
		add("c.status = ?", f.Status)
	}
	if f.ReferralID != "" {
		add("c.referral_id = ?", f.ReferralID)
	}
	where := strings.Join(conds, " AND ")
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*)"+concernFrom+" WHERE "+where, args...).Scan(&out.Total); err != nil {
			return err
		}
		n := len(args)
		rows, err := tx.QueryContext(ctx, "SELECT "+concernColumns(n+1)+concernFrom+" WHERE "+where+
			` ORDER BY CASE c.status WHEN 'open' THEN 0 ELSE 1 END,
			CASE c.level WHEN 'immediate' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END, c.raised_at DESC, c.id`+
			fmt.Sprintf(" LIMIT $%d OFFSET $%d", n+2, n+3), append(args, p.UserID, limit, offset)...)
		if err != nil {
			return err
		}
		var found []concernRow
		for rows.Next() {
			c, err := scanConcern(rows)
			if err != nil {
				rows.Close()
				return err
			}
			found = append(found, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		now := s.now()
		events := make([]audit.Event, 0, len(found))
		for i := range found {
			if err := found[i].view(ctx, tx, p, false); err != nil {
				return err
			}
			out.Items = append(out.Items, found[i].Concern)
			events = append(events, auditEvent(by, now, audit.Read, kindConcern, found[i].ID))
		}
		out.Next = nextCursor(offset, len(out.Items), out.Total)
		return audit.AppendAll(ctx, tx, s.DB.Dialect, events)
	})
	return out, err
}

// Concern reads one concern (GET /api/v1/concerns/{id}) for those who may
// see it (auth.Can); the read is audited.
func (s *Safeguarding) Concern(ctx context.Context, by oikos.Actor, p *auth.Principal, id string) (Concern, error) {
	var out Concern
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		uid := ""
		if p != nil {
			uid = p.UserID
		}
		c, err := loadConcern(ctx, tx, s.DB.Dialect, id, uid, false)
		if err != nil {
			return err
		}
		if !auth.Can(p, auth.ReadAction, c.object()) {
			return oikos.NotFound("Concern")
		}
		if err := c.view(ctx, tx, p, true); err != nil {
			return err
		}
		out = c.Concern
		return audit.Append(ctx, tx, s.DB.Dialect, auditEvent(by, s.now(), audit.Read, kindConcern, id))
	})
	return out, err
}

// AddConcernAction records what was done about a concern (POST
// /api/v1/concerns/{id}/actions): the person's link worker or a manager
// of the scheme. Closing (and reopening) is a manager's, and closing
// needs the outcome (422 naming outcome). The first action's time is
// kept, for the time from raising to first action.
func (s *Safeguarding) AddConcernAction(ctx context.Context, by oikos.Actor, p *auth.Principal, id string, in ActionInput) (Concern, error) {
	var out Concern
	now := s.now()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		uid := ""
		if p != nil {
			uid = p.UserID
		}
		c, err := loadConcern(ctx, tx, s.DB.Dialect, id, uid, true)
		if err != nil {
			return err
		}
		if !auth.Can(p, auth.ChangeAction, c.object()) {
			return oikos.NotFound("Concern")
		}
		if err := in.Validate(c.Status); err != nil {
			return err
		}
		if in.Status != c.Status && !MayClose(p) {
			verb := "close"
			if in.Status == ConcernOpen {
				verb = "reopen"
			}
			return oikos.Invalid(map[string]string{"status": "Only a scheme manager can " + verb + " a concern: record what you did, and a manager will."})
		}
		ms := db.Millis(now)
		if _, err := tx.ExecContext(ctx, `INSERT INTO concern_actions (concern_id, position, action, status, outcome, by_user, at)
			VALUES ($1, (SELECT COALESCE(MAX(position), -1) + 1 FROM concern_actions WHERE concern_id = $1), $2, $3, $4, $5, $6)`,
			id, in.Action, in.Status, in.Outcome, by.UserID, ms); err != nil {
			return err
		}
		q := "UPDATE concerns SET first_action_at = COALESCE(first_action_at, $1), updated_at = $1, status = $2"
		args := []any{ms, in.Status}
		switch {
		case in.Status == ConcernClosed && c.Status == ConcernOpen:
			q += ", closed_at = $1, closed_by = $3, outcome = $4"
			args = append(args, by.UserID, in.Outcome)
		case in.Status == ConcernClosed && in.Outcome != "":
			q += ", outcome = $3"
			args = append(args, in.Outcome)
		case in.Status == ConcernOpen && c.Status == ConcernClosed:
			q += ", closed_at = NULL, closed_by = ''"
		}
		args = append(args, id)
		if _, err := tx.ExecContext(ctx, q+fmt.Sprintf(" WHERE id = $%d", len(args)), args...); err != nil {
			return err
		}
		if err := acknowledge(ctx, tx, id, p.UserID, ms); err != nil {
			return err
		}
		if err := audit.Append(ctx, tx, s.DB.Dialect, auditEvent(by, now, audit.Update, kindConcern, id)); err != nil {
			return err
		}
		done, err := loadConcern(ctx, tx, s.DB.Dialect, id, p.UserID, false)
		if err != nil {
			return err
		}
		if err := done.view(ctx, tx, p, true); err != nil {
			return err
		}
		out = done.Concern
		return nil
	})
	return out, err
}

func acknowledge(ctx context.Context, tx *sql.Tx, concernID, userID string, ms int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO concern_acknowledgements (concern_id, user_id, at) VALUES ($1, $2, $3)
		ON CONFLICT (concern_id, user_id) DO NOTHING`, concernID, userID, ms)
	return err
}

// Acknowledge records that p has seen a concern, which takes an
// immediate-level one off the top of their pages: the person's link
// worker or a manager of the scheme. Audited.
func (s *Safeguarding) Acknowledge(ctx context.Context, by oikos.Actor, p *auth.Principal, id string) error {
	now := s.now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		uid := ""
		if p != nil {
			uid = p.UserID
		}
		c, err := loadConcern(ctx, tx, s.DB.Dialect, id, uid, false)
		if err != nil {
			return err
		}
		if !auth.Can(p, auth.ChangeAction, c.object()) {
			return oikos.NotFound("Concern")
		}
		if err := acknowledge(ctx, tx, id, p.UserID, db.Millis(now)); err != nil {
			return err
		}
		return audit.Append(ctx, tx, s.DB.Dialect, auditEvent(by, now, ActionAcknowledge, kindConcern, id))
	})
}

// ConcernAlert is an immediate-level concern the caller has not yet
// acknowledged: a link to it and its referral's reference, nothing more.
type ConcernAlert struct {
	ID         string    `json:"id"`
	ReferralID string    `json:"referral_id"`
	Reference  string    `json:"reference"`
	RaisedAt   time.Time `json:"raised_at"`
}

// Unacknowledged lists the open immediate-level concerns p must see
// before anything else, oldest first: a manager, the scheme's; a link
// worker, those about their caseload; nobody else has any. It holds no
// details of anyone (ids, a reference and a time), and is read on every
// page, so it is not written to the audit log; opening the concern is.
func (s *Safeguarding) Unacknowledged(ctx context.Context, p *auth.Principal) ([]ConcernAlert, error) {
	out := []ConcernAlert{}
	if p == nil || (p.Role != auth.Manager && p.Role != auth.LinkWorker) {
		return out, nil
	}
	q := `SELECT c.id, c.referral_id, r.reference, c.raised_at FROM concerns c JOIN referrals r ON r.id = c.referral_id
		WHERE c.scheme_id = $1 AND c.status = 'open' AND c.level = 'immediate'
		AND NOT EXISTS (SELECT 1 FROM concern_acknowledgements a WHERE a.concern_id = c.id AND a.user_id = $2)`
	if p.Role == auth.LinkWorker {
		q += " AND r.assigned_to = $2"
	}
	rows, err := s.DB.R().QueryContext(ctx, q+" ORDER BY c.raised_at, c.id LIMIT 50", p.SchemeID, p.UserID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a ConcernAlert
		var at int64
		if err := rows.Scan(&a.ID, &a.ReferralID, &a.Reference, &at); err != nil {
			return nil, err
		}
		a.RaisedAt = db.Time(at)
		out = append(out, a)
	}
	return out, rows.Err()
}

// OpenConcerns counts the open concerns about a referral's person, on
// this referral or another of theirs in its scheme, for the referral's
// open_concerns. The caller has checked that the reader may see the
// person.
func (s *Safeguarding) OpenConcerns(ctx context.Context, referralID string) (int, error) {
	if !plainID(referralID) {
		return 0, nil
	}
	var n int
	err := s.DB.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM concerns c JOIN referrals r ON r.id = c.referral_id
		JOIN referrals this ON this.person_id = r.person_id AND this.scheme_id = c.scheme_id
		WHERE this.id = $1 AND c.status = 'open'`, referralID).Scan(&n)
	return n, err
}
