package connection

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/db"
	"oikos/internal/notify"
	"oikos/internal/referral"
)

// CreateInput is the contract's new connection, with an optional note
// for the provider.
type CreateInput struct {
	ServiceID string `json:"service_id"`
	Kind      Kind   `json:"kind"`
	Note      string `json:"note,omitempty"`
}

// Validate checks and tidies a new connection, naming every field at fault.
func (in *CreateInput) Validate() error {
	f := map[string]string{}
	in.ServiceID = strings.TrimSpace(in.ServiceID)
	if in.ServiceID == "" {
		f["service_id"] = "Choose the service to connect the person to."
	} else if !oikos.PlainText(in.ServiceID, false) || utf8.RuneCountInString(in.ServiceID) > 100 {
		f["service_id"] = "No service has that id."
	}
	if !validKind(in.Kind) {
		f["kind"] = "Choose how the person will be connected: a signpost, an active signpost or a supported referral."
	}
	in.Note = strings.TrimSpace(in.Note)
	checkText(f, "note", in.Note, MaxNote)
	return oikos.Invalid(f)
}

// validID refuses ids that cannot be ours before they reach the database.
func validID(id string) bool {
	return id != "" && oikos.PlainText(id, false) && utf8.RuneCountInString(id) <= 100
}

// Create sends a referral to a service. The referral must be in work
// (accepted, contacted or active) and the service active. Only what the
// person agreed to share goes with it. The provider organisation is
// emailed, with a single-use link to answer without an account, in the
// same transaction.
func (s *Store) Create(ctx context.Context, by referral.Actor, referralID string, in CreateInput) (Connection, error) {
	if !validID(referralID) {
		return Connection{}, oikos.NotFound("Referral")
	}
	if err := in.Validate(); err != nil {
		return Connection{}, err
	}
	id := db.NewID("con")
	now := s.now()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		head, err := referral.Lock(ctx, tx, s.DB.Dialect, referralID)
		if err != nil {
			return err
		}
		var restricted bool
		var given, family, phone, email string
		if err := tx.QueryRowContext(ctx, `SELECT given_name, family_name, phone, email, restricted_at IS NOT NULL FROM people WHERE id = $1`,
			head.PersonID).Scan(&given, &family, &phone, &email, &restricted); err != nil {
			return err
		}
		if restricted {
			return refused("referral", "The person has asked for their record to be restricted, so no new connection can be made until that is lifted.")
		}
		switch head.Status {
		case referral.Received:
			return refused("referral", "Accept the referral before connecting the person to a service.")
		case referral.Closed:
			return refused("referral", "This referral is closed, so no new connection can be made.")
		}
		var svcStatus, orgID, svcName, svcEmail, orgEmail string
		err = tx.QueryRowContext(ctx, `SELECT sv.status, sv.organisation_id, sv.name, sv.email, o.email
			FROM services sv JOIN organisations o ON o.id = sv.organisation_id WHERE sv.id = $1`, in.ServiceID).
			Scan(&svcStatus, &orgID, &svcName, &svcEmail, &orgEmail)
		if err == sql.ErrNoRows {
			return oikos.Invalid(map[string]string{"service_id": "No service has that id."})
		} else if err != nil {
			return err
		}
		if svcStatus != "active" {
			return refused("service_id", "This service has closed, so the person cannot be connected to it.")
		}
		var open int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM connections WHERE referral_id = $1 AND service_id = $2
			AND status IN ('sent','accepted','waitlisted')`, referralID, in.ServiceID).Scan(&open); err != nil {
			return err
		}
		if open > 0 {
			return refused("service_id", "The person is already connected to this service.")
		}
		shared := Contact{}
		if head.ConsentShare {
			shared = Contact{Name: given + " " + family, Phone: phone, Email: email}
		}
		sharedJSON, _ := json.Marshal(shared)
		at := db.Millis(now)
		if _, err := tx.ExecContext(ctx, `INSERT INTO connections (id, referral_id, service_id, organisation_id, kind, status,
			note_for_provider, shared_contact, created_by, created_at, updated_at, scheme_id)
			VALUES ($1, $2, $3, $4, $5, 'sent', $6, $7, $8, $9, $9, (SELECT scheme_id FROM referrals WHERE id = $2))`,
			id, referralID, in.ServiceID, orgID, string(in.Kind), in.Note, string(sharedJSON), by.UserID, at); err != nil {
			return err
		}
		if err := s.event(ctx, tx, id, by, "sent", Sent, ""); err != nil {
			return err
		}
		to := orgEmail
		if to == "" {
			to = svcEmail
		}
		if to != "" {
			token, err := s.newLink(ctx, tx, id)
			if err != nil {
				return err
			}
			if err := s.send(ctx, tx, NewConnectionMessage(to, svcName, head.Reference, in.Kind, s.BaseURL, id, token)); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, by, audit.Create, referralID)
	})
	if err != nil {
		return Connection{}, err
	}
	return s.Get(ctx, id)
}

// send enqueues m in tx; an address that cannot take mail (a typing slip in
// the directory) must not stop the change that owes it, so it is skipped.
func (s *Store) send(ctx context.Context, tx *sql.Tx, m notify.Message) error {
	if m.Validate() != nil {
		return nil
	}
	return notify.Enqueue(ctx, tx, m)
}

func (s *Store) event(ctx context.Context, tx *sql.Tx, connectionID string, by referral.Actor, kind string, st Status, text string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO connection_events (connection_id, position, at, actor_id, kind, status, text)
		VALUES ($1, (SELECT COALESCE(MAX(position), -1) + 1 FROM connection_events WHERE connection_id = $1), $2, $3, $4, $5, $6)`, connectionID, db.Millis(s.now()), by.UserID, kind, string(st), text)
	return err
}

// Get finds a connection. Callers check access, then record the read with
// RecordRead.
func (s *Store) Get(ctx context.Context, id string) (Connection, error) {
	if !validID(id) {
		return Connection{}, oikos.NotFound("Connection")
	}
	c, err := scanConnection(s.DB.R().QueryRowContext(ctx, "SELECT "+connectionColumns+connectionFrom+" WHERE c.id = $1", id))
	if err == sql.ErrNoRows {
		return c, oikos.NotFound("Connection")
	}
	return c, err
}

// RecordRead writes a read of a connection (part of the person's record)
// to the audit log.
func (s *Store) RecordRead(ctx context.Context, by referral.Actor, c Connection) error {
	return audit.Record(ctx, s.DB, audit.Event{ActorID: by.UserID, Action: audit.Read, ObjectKind: auditKind, ObjectID: c.ReferralID, Client: by.Client})
}

// RecordListRead writes the read of a list of connections to the audit
// log, once for each person's record in it, in one transaction.
func (s *Store) RecordListRead(ctx context.Context, by referral.Actor, items []Connection) error {
	seen := map[string]bool{}
	var events []audit.Event
	for _, c := range items {
		if !seen[c.ReferralID] {
			seen[c.ReferralID] = true
			events = append(events, audit.Event{At: s.now(), ActorID: by.UserID, Action: audit.Read, ObjectKind: auditKind, ObjectID: c.ReferralID, Client: by.Client})
		}
	}
	if len(events) == 0 {
		return nil
	}
	return audit.RecordAll(ctx, s.DB, events)
}

// Filter scopes a list of connections. Every scope set must hold.
type Filter struct {
	// OrganisationID limits to connections to that organisation's services
	// (a provider's queue).
	OrganisationID string
	// AssignedTo limits to the caseload of that link worker.
	AssignedTo string
	ReferralID string
	// InScheme limits to the connections of one scheme's referrals
	// (SchemeID "" in a deployment without schemes).
	InScheme bool
	SchemeID string
	// Statuses limits to those statuses, when set.
	Statuses []Status
	// ShowRestricted includes people whose record is restricted at their
	// request, who are left out of lists unless a manager asks (or the
	// list is one referral's own).
	ShowRestricted bool
	Offset, Limit  int
}

// List returns connections newest first, with the total.
func (s *Store) List(ctx context.Context, f Filter) ([]Connection, int, error) {
	return list(ctx, s.DB.R(), f)
}

// filterWhere is the WHERE clause of connections c joined with referrals r
// that f scopes them to, with its arguments.
func filterWhere(f Filter) (string, []any, error) {
	conds := []string{"1 = 1"}
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", fmt.Sprintf("$%d", len(args))))
	}
	for _, v := range []string{f.OrganisationID, f.AssignedTo, f.ReferralID, f.SchemeID} {
		if !oikos.PlainText(v, false) {
			return "", nil, oikos.Invalid(map[string]string{"filter": "must be plain text"})
		}
	}
	if f.OrganisationID != "" {
		add("c.organisation_id = ?", f.OrganisationID)
	}
	if f.AssignedTo != "" {
		add("r.assigned_to = ?", f.AssignedTo)
	}
	if f.ReferralID != "" {
		add("c.referral_id = ?", f.ReferralID)
	}
	if f.InScheme {
		add("c.scheme_id = ?", f.SchemeID)
	}
	if len(f.Statuses) > 0 {
		var in []string
		for _, st := range f.Statuses {
			args = append(args, string(st))
			in = append(in, fmt.Sprintf("$%d", len(args)))
		}
		conds = append(conds, "c.status IN ("+strings.Join(in, ", ")+")")
	}
	if !f.ShowRestricted {
		conds = append(conds, "r.person_id NOT IN (SELECT id FROM people WHERE restricted_at IS NOT NULL)")
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// countConnections counts the connections a filterWhere clause scopes to.
const countConnections = "SELECT COUNT(*) FROM connections c JOIN referrals r ON r.id = c.referral_id"

// Count is how many connections f scopes to, reading none of them: a
// figure that names nobody (the provider's home card).
func (s *Store) Count(ctx context.Context, f Filter) (int, error) {
	where, args, err := filterWhere(f)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.DB.R().QueryRowContext(ctx, countConnections+where, args...).Scan(&n)
	return n, err
}

func list(ctx context.Context, q db.Querier, f Filter) ([]Connection, int, error) {
	where, args, err := filterWhere(f)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := q.QueryRowContext(ctx, countConnections+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	n := len(args)
	rows, err := q.QueryContext(ctx, "SELECT "+connectionColumns+connectionFrom+where+
		fmt.Sprintf(" ORDER BY c.created_at DESC, c.id LIMIT $%d OFFSET $%d", n+1, n+2), append(args, limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Connection{}
	for rows.Next() {
		c, err := scanConnection(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	return out, total, rows.Err()
}

// ForReferral lists a referral's connections, oldest first, recording the
// read on the person's record.
func (s *Store) ForReferral(ctx context.Context, by referral.Actor, referralID string) ([]Connection, error) {
	items, err := ReadForReferral(ctx, s.DB.R(), referralID)
	if err != nil {
		return nil, err
	}
	if err := audit.Record(ctx, s.DB, audit.Event{ActorID: by.UserID, Action: audit.Read, ObjectKind: auditKind, ObjectID: referralID, Client: by.Client}); err != nil {
		return nil, err
	}
	return items, nil
}

// ReadForReferral is ForReferral through q, unaudited: the caller audits
// the read (AuditKind).
func ReadForReferral(ctx context.Context, q db.Querier, referralID string) ([]Connection, error) {
	items, _, err := list(ctx, q, Filter{ReferralID: referralID, ShowRestricted: true, Limit: 500})
	if err != nil {
		return nil, err
	}
	for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
		items[i], items[j] = items[j], items[i]
	}
	return items, nil
}

// load reads a connection inside tx, locking its row on PostgreSQL so two
// answers to the same connection queue up; SQLite has one writer already.
func (s *Store) load(ctx context.Context, tx *sql.Tx, id string) (Connection, error) {
	if !validID(id) {
		return Connection{}, oikos.NotFound("Connection")
	}
	q := "SELECT " + connectionColumns + connectionFrom + " WHERE c.id = $1" + s.DB.Dialect.ForUpdateOf("c")
	c, err := scanConnection(tx.QueryRowContext(ctx, q, id))
	if err == sql.ErrNoRows {
		return c, oikos.NotFound("Connection")
	}
	return c, err
}

// change runs fn on a connection inside one transaction and answers the
// connection as it is after.
func (s *Store) change(ctx context.Context, id string, fn func(tx *sql.Tx, c Connection) error) (Connection, error) {
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		c, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		return fn(tx, c)
	})
	if err != nil {
		return Connection{}, err
	}
	return s.Get(ctx, id)
}

// Decide records the provider's answer: accepted, declined (with a reason)
// or waitlisted.
func (s *Store) Decide(ctx context.Context, by referral.Actor, id string, decision Status, reason string) (Connection, error) {
	return s.change(ctx, id, func(tx *sql.Tx, c Connection) error { return s.decide(ctx, tx, by, c, decision, reason) })
}

func (s *Store) decide(ctx context.Context, tx *sql.Tx, by referral.Actor, c Connection, decision Status, reason string) error {
	reason = strings.TrimSpace(reason)
	f := map[string]string{}
	checkText(f, "reason", reason, MaxReason)
	if err := oikos.Invalid(f); err != nil {
		return err
	}
	if err := CheckDecision(c.Status, decision, reason); err != nil {
		return err
	}
	now := db.Millis(s.now())
	res, err := tx.ExecContext(ctx, `UPDATE connections SET status = $1, reason = $2, decided_at = $3, updated_at = $3
		WHERE id = $4 AND status = $5`, string(decision), reason, now, c.ID, string(c.Status))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return refused("decision", "The connection changed while you were working on it. Reload and try again.")
	}
	if err := s.event(ctx, tx, c.ID, by, "decision", decision, reason); err != nil {
		return err
	}
	if err := s.tellLinkWorker(ctx, tx, by, c, func(to string) notify.Message {
		return DecisionMessage(to, c.ServiceName, c.Reference, decision, s.BaseURL, c.ReferralID)
	}); err != nil {
		return err
	}
	return s.audit(ctx, tx, by, audit.Update, c.ReferralID)
}

// AttendanceInput is the contract's attendance body. Attended is a pointer
// so that a body without it is refused rather than taken as "missed".
type AttendanceInput struct {
	Date     string `json:"date"`
	Attended *bool  `json:"attended"`
}

// Session is one session's attendance.
type Session struct {
	Date     string `json:"date"`
	Attended bool   `json:"attended"`
}

// RecordAttendance records a session attended or missed. Recording the
// same date again corrects it.
func (s *Store) RecordAttendance(ctx context.Context, by referral.Actor, id string, in AttendanceInput) (Connection, error) {
	return s.change(ctx, id, func(tx *sql.Tx, c Connection) error { return s.attend(ctx, tx, by, c, in) })
}

func (s *Store) attend(ctx context.Context, tx *sql.Tx, by referral.Actor, c Connection, in AttendanceInput) error {
	f := map[string]string{}
	date, msg := ParseSessionDate(in.Date, c.CreatedAt, s.now())
	if msg != "" {
		f["date"] = msg
	}
	if in.Attended == nil {
		f["attended"] = "Say whether the person attended."
	}
	if err := oikos.Invalid(f); err != nil {
		return err
	}
	if err := CheckAttendance(c.Status); err != nil {
		return err
	}
	now := db.Millis(s.now())
	if _, err := tx.ExecContext(ctx, `INSERT INTO connection_attendance (connection_id, date, attended, recorded_by, recorded_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (connection_id, date) DO UPDATE
		SET attended = excluded.attended, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at`,
		c.ID, date, *in.Attended, by.UserID, now); err != nil {
		return err
	}
	var first sql.NullString
	if err := tx.QueryRowContext(ctx, "SELECT MIN(date) FROM connection_attendance WHERE connection_id = $1 AND attended", c.ID).Scan(&first); err != nil {
		return err
	}
	var firstAt any
	if first.Valid {
		d, err := time.Parse(time.DateOnly, first.String)
		if err != nil {
			return err
		}
		firstAt = db.Millis(d)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE connections SET first_attended_at = $1, updated_at = $2 WHERE id = $3", firstAt, now, c.ID); err != nil {
		return err
	}
	word := "missed"
	if *in.Attended {
		word = "attended"
	}
	if err := s.event(ctx, tx, c.ID, by, "attendance", c.Status, date+" "+word); err != nil {
		return err
	}
	if err := s.tellLinkWorker(ctx, tx, by, c, func(to string) notify.Message {
		return AttendanceMessage(to, c.ServiceName, c.Reference, date, *in.Attended, s.BaseURL, c.ReferralID)
	}); err != nil {
		return err
	}
	return s.audit(ctx, tx, by, audit.Update, c.ReferralID)
}

// Sessions lists a connection's attendance, oldest first.
func (s *Store) Sessions(ctx context.Context, id string) ([]Session, error) {
	rows, err := s.DB.R().QueryContext(ctx, "SELECT date, attended FROM connection_attendance WHERE connection_id = $1 ORDER BY date", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Session{}
	for rows.Next() {
		var v Session
		if err := rows.Scan(&v.Date, &v.Attended); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Close marks an accepted connection completed or dropped.
func (s *Store) Close(ctx context.Context, by referral.Actor, id string, to Status, reason string) (Connection, error) {
	return s.change(ctx, id, func(tx *sql.Tx, c Connection) error {
		reason = strings.TrimSpace(reason)
		f := map[string]string{}
		checkText(f, "reason", reason, MaxReason)
		if err := oikos.Invalid(f); err != nil {
			return err
		}
		if err := CheckClose(c.Status, to); err != nil {
			return err
		}
		now := db.Millis(s.now())
		if _, err := tx.ExecContext(ctx, `UPDATE connections SET status = $1, reason = $2, closed_at = $3, updated_at = $3 WHERE id = $4`,
			string(to), reason, now, c.ID); err != nil {
			return err
		}
		if err := s.event(ctx, tx, c.ID, by, "status", to, reason); err != nil {
			return err
		}
		if err := s.tellLinkWorker(ctx, tx, by, c, func(addr string) notify.Message {
			return DecisionMessage(addr, c.ServiceName, c.Reference, to, s.BaseURL, c.ReferralID)
		}); err != nil {
			return err
		}
		return s.audit(ctx, tx, by, audit.Update, c.ReferralID)
	})
}

// SendUpdate keeps a short message from the provider for the link worker,
// and emails them that there is one (not what it says: email is not a safe
// channel for what a provider may write about a person).
func (s *Store) SendUpdate(ctx context.Context, by referral.Actor, id, message string) (Connection, error) {
	return s.change(ctx, id, func(tx *sql.Tx, c Connection) error {
		message = strings.TrimSpace(message)
		f := map[string]string{}
		if message == "" {
			f["message"] = "Write the update for the link worker."
		} else {
			checkText(f, "message", message, MaxUpdate)
		}
		if err := oikos.Invalid(f); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE connections SET updated_at = $1 WHERE id = $2", db.Millis(s.now()), c.ID); err != nil {
			return err
		}
		if err := s.event(ctx, tx, c.ID, by, "update", c.Status, message); err != nil {
			return err
		}
		if err := s.tellLinkWorker(ctx, tx, by, c, func(to string) notify.Message {
			return UpdateMessage(to, c.ServiceName, c.Reference, s.BaseURL, c.ReferralID)
		}); err != nil {
			return err
		}
		return s.audit(ctx, tx, by, audit.Update, c.ReferralID)
	})
}

// Event is one thing that happened to a connection.
type Event struct {
	At     time.Time `json:"at"`
	Kind   string    `json:"kind"` // sent, decision, attendance, status, update
	Status Status    `json:"status"`
	Text   string    `json:"text"`
	By     string    `json:"by"`
}

// Events lists what happened to a connection, oldest first.
func (s *Store) Events(ctx context.Context, id string) ([]Event, error) {
	return ReadEvents(ctx, s.DB.R(), id)
}

// ReadEvents is Events through q: inside a transaction, or not.
func ReadEvents(ctx context.Context, q db.Querier, id string) ([]Event, error) {
	rows, err := q.QueryContext(ctx, `SELECT e.at, e.kind, e.status, e.text, COALESCE(u.name, e.actor_id)
		FROM connection_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.connection_id = $1 ORDER BY e.position`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		var at int64
		if err := rows.Scan(&at, &e.Kind, &e.Status, &e.Text, &e.By); err != nil {
			return nil, err
		}
		e.At = db.Time(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// tellLinkWorker emails the referral's link worker (or whoever made the
// connection, when nobody is assigned) about a change, unless they made
// it themselves.
func (s *Store) tellLinkWorker(ctx context.Context, tx *sql.Tx, by referral.Actor, c Connection, msg func(to string) notify.Message) error {
	who := c.AssignedTo
	if who == "" {
		who = c.CreatedBy
	}
	if who == "" || who == by.UserID {
		return nil
	}
	var email string
	err := tx.QueryRowContext(ctx, "SELECT email FROM users WHERE id = $1 AND active", who).Scan(&email)
	if err == sql.ErrNoRows {
		return nil
	} else if err != nil {
		return err
	}
	return s.send(ctx, tx, msg(email))
}
