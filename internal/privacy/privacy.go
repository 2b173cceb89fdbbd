// Package privacy owns the person's rights under UK GDPR: a copy of
// everything held about them (subject access), erasure and restriction on
// request, and erasure once the retention period has passed.
package privacy

import (
	"context"
	"database/sql"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/db"
	"oikos/internal/referral"
)

// Store reads and changes everything held about a person, across the
// tables of the other packages: the one place that knows where a person's
// data lies (see Tables).
type Store struct {
	DB  *db.DB
	Now func() time.Time
}

// NewStore returns a Store with the real clock.
func NewStore(d *db.DB) *Store { return &Store{DB: d, Now: time.Now} }

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

// Audit actions of this package, on the object kind "person".
const (
	ActionExport   = "export"
	ActionErase    = "erase"
	ActionRestrict = "restrict"
	ActionLift     = "lift_restriction"
)

// Kinds of request kept in person_requests.
const (
	RequestErasure     = "erasure"
	RequestRestriction = "restriction"
	RequestLift        = "lift_restriction"
)

// Table is one table that holds something of a person, with what the
// export shows of it and what erasure does to it. Every table with a
// person_id, referral_id or connection_id column must be listed (a test
// checks), so a table added later is not forgotten by either.
type Table struct {
	Name   string
	Export string // where it appears in the export
	Erase  string // what erasure does to it
}

// Tables lists where a person's data lies.
var Tables = []Table{
	{"people", "person", "details blanked (with interpreter, access needs and next of kin); postcode cut to its district; age band, sex and ethnicity kept for the reports"},
	{"referrals", "referrals", "notes, the referrer's reason text and name blanked; status, dates, source, reasons (needs codes) and the GP record choice kept"},
	{"referral_events", "referrals[].history", "reasons other than closing reasons blanked"},
	{"contacts", "referrals[].contacts", "notes blanked; when, how and how long kept"},
	{"conversations", "referrals[].conversations", "what matters, strengths, interests and notes blanked; needs kept"},
	{"plans", "referrals[].plan", "the words of goals and steps blanked; their shape and progress kept"},
	{"measures", "referrals[].measures", "kept: answers and scores are the outcome figures"},
	{"outcome_pairs", "referrals[].measures (figures made from them)", "kept"},
	{"unmet_needs", "referrals[].unmet_needs", "kept: need, district and date only"},
	{"referral_preferences", "referrals[].preferences", "deleted"},
	{"connections", "referrals[].connections", "shared contact details, notes and reasons blanked; status and dates kept"},
	{"connection_attendance", "referrals[].connections[].attendance", "kept"},
	{"connection_events", "referrals[].connections[].history", "words (provider feedback, reasons) blanked"},
	{"connection_links", "not shown: a provider's answer link, no data of the person", "deleted"},
	{"session_reminders", "referrals[].connections[].reminders", "deleted, with their messages"},
	{"reminder_choices", "reminders", "deleted"},
	{"person_access", "portal_access", "deleted: the person's sign-in links, codes and sessions end"},
	{"outbox", "messages", "messages to the person's email or phone, and their reminders, deleted"},
	{"budgets", "referrals[].budget", "purpose blanked; the allowance and totals kept for finance"},
	{"budget_entries", "referrals[].budget.entries", "descriptions and reasons blanked; kind, amount, supplier, dates and who kept: the finance ledger, append-only"},
	{"budget_decisions", "referrals[].budget.entries[].decision", "reasons blanked; the decision, who and when kept"},
	{"concerns", "referrals[].safeguarding_concerns (when raised and where it stands; the words on request, see ConcernWithheld)",
		"kept in full, and an open one refuses erasure: a safeguarding record is kept under the scheme's duty to protect (UK GDPR article 17(3)(b)) and never deleted"},
	{"concern_actions", "not shown: what was done about a concern, given on request (ConcernWithheld)", "kept in full, as its concern"},
	{"volunteer_matches", "referrals[].volunteer_matches", "the reason for ending blanked; the volunteer, what was shared and the dates kept"},
	{"volunteer_contacts", "referrals[].volunteer_matches[].contacts", "notes blanked; when, how and how long kept (the volunteering report counts them)"},
	{"mentor_invitations", "referrals[].mentor_invitation", "kept: the stage reached (the volunteering report counts graduates)"},
	{"person_requests", "requests", "kept: the record of what was asked and done (reasons hold no details)"},
	{"audit_log", "audit", "kept: who read or changed the record (ids only, no details)"},
}

// State reads where a person's record stands (restricted, erased), or 404.
func (s *Store) State(ctx context.Context, personID string) (State, error) {
	return readState(ctx, s.DB.R(), personID, false, s.DB.Dialect)
}

// ReadState is State through q: inside a transaction, or not.
func ReadState(ctx context.Context, q db.Querier, personID string, d db.Dialect) (State, error) {
	return readState(ctx, q, personID, false, d)
}

func readState(ctx context.Context, q db.Querier, personID string, lock bool, d db.Dialect) (State, error) {
	if !oikos.PlainText(personID, false) || len(personID) > 100 {
		return State{}, oikos.NotFound("Person")
	}
	query := "SELECT restricted_at, erased_at FROM people WHERE id = $1"
	if lock {
		query += d.ForUpdate()
	}
	var restricted, erased sql.NullInt64
	err := q.QueryRowContext(ctx, query, personID).Scan(&restricted, &erased)
	if err == sql.ErrNoRows {
		return State{}, oikos.NotFound("Person")
	}
	return State{RestrictedAt: optionalTime(restricted), ErasedAt: optionalTime(erased)}, err
}

func optionalTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := db.Time(v.Int64)
	return &t
}

func (s *Store) audit(ctx context.Context, tx *sql.Tx, by referral.Actor, action, personID string) error {
	return audit.Append(ctx, tx, s.DB.Dialect, audit.Event{At: s.now(), ActorID: by.UserID, Action: action,
		ObjectKind: "person", ObjectID: personID, Client: by.Client})
}
