// Package connection owns social prescriptions: a person's referral sent to
// a community service, the provider's answer, attendance, closing the loop
// with the link worker and referrer, and the figures reports count.
package connection

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"oikos/internal/audit"
	"oikos/internal/db"
	"oikos/internal/referral"
)

// Contact is what the person agreed to share with a provider: nothing at
// all when they did not agree.
type Contact struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// Empty reports whether nothing is shared.
func (c Contact) Empty() bool { return c == Contact{} }

// Connection is one social prescription.
type Connection struct {
	ID               string  `json:"id"`
	ReferralID       string  `json:"referral_id"`
	Reference        string  `json:"reference"`
	ServiceID        string  `json:"service_id"`
	ServiceName      string  `json:"service_name"`
	OrganisationID   string  `json:"organisation_id"`
	OrganisationName string  `json:"organisation_name"`
	Kind             Kind    `json:"kind"`
	Status           Status  `json:"status"`
	Reason           string  `json:"reason"`
	NoteForProvider  string  `json:"note_for_provider"`
	SharedContact    Contact `json:"shared_contact"`
	// FirstSession is the date (YYYY-MM-DD) of the person's first
	// session, once the provider or link worker gives it.
	FirstSession string `json:"first_session,omitempty"`
	// SessionsAttended counts the sessions attended.
	SessionsAttended int        `json:"sessions_attended"`
	CreatedBy        string     `json:"created_by"`
	CreatedAt        time.Time  `json:"created_at"`
	DecidedAt        *time.Time `json:"decided_at"`
	FirstAttendedAt  *time.Time `json:"first_attended_at"`
	ClosedAt         *time.Time `json:"closed_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	// AssignedTo and ReferrerUserID are the referral's, for the access
	// policy; never sent.
	AssignedTo     string `json:"-"`
	ReferrerUserID string `json:"-"`
	// SchemeID is the referral's scheme, for the access policy.
	SchemeID string `json:"-"`
}

// Attending reports whether the person has been to a session and is
// still going.
func (c Connection) Attending() bool { return c.Status == Accepted && c.SessionsAttended > 0 }

// Object is the connection as the access policy sees it.
func (c Connection) Object() (kind, id, organisationID, assignedTo, createdBy string) {
	return "connection", c.ID, c.OrganisationID, c.AssignedTo, c.ReferrerUserID
}

// ForProvider is what a provider may see: the connection and what the
// person agreed to share, but nothing of the referral behind it beyond its
// reference.
func (c Connection) ForProvider() Connection {
	c.ReferralID = ""
	c.CreatedBy = ""
	return c
}

// Summary is the connection as the referrer sees it: where the person was
// connected and how it is going, never notes or reasons.
func (c Connection) Summary() Connection {
	return Connection{ID: c.ID, ServiceName: c.ServiceName, OrganisationName: c.OrganisationName, Kind: c.Kind, Status: c.Status,
		SessionsAttended: c.SessionsAttended, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// Store keeps connections.
type Store struct {
	DB  *db.DB
	Now func() time.Time
	// BaseURL is where people reach Oikos, for links in emails.
	BaseURL string
	// LinkTTL is how long an answer link in an email works.
	LinkTTL time.Duration
}

// DefaultLinkTTL is how long a provider's answer link works: two weeks is
// long enough for a volunteer-run group that meets weekly.
const DefaultLinkTTL = 14 * 24 * time.Hour

// NewStore returns a Store with the real clock.
func NewStore(d *db.DB, baseURL string) *Store {
	return &Store{DB: d, Now: time.Now, BaseURL: strings.TrimRight(baseURL, "/"), LinkTTL: DefaultLinkTTL}
}

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

// auditKind names the part of a person's record a connection is: the
// object id is the referral's, so one query finds all done to it.
const auditKind = "referral.connections"

// AuditKind is the audit object kind of a read of a referral's
// connections, for a caller that reads them itself (ReadForReferral).
const AuditKind = auditKind

func (s *Store) audit(ctx context.Context, tx *sql.Tx, by referral.Actor, action, referralID string) error {
	return audit.Append(ctx, tx, s.DB.Dialect, audit.Event{At: s.now(), ActorID: by.UserID, Action: action,
		ObjectKind: auditKind, ObjectID: referralID, Client: by.Client})
}

const connectionColumns = `c.id, c.referral_id, r.reference, c.service_id, sv.name, c.organisation_id, o.name, c.kind, c.status, c.reason,
	c.note_for_provider, c.shared_contact, c.created_by, c.created_at, c.decided_at, c.first_attended_at, c.closed_at, c.updated_at,
	COALESCE(r.assigned_to, ''), COALESCE(r.referrer_user_id, ''), c.scheme_id, c.first_session,
	(SELECT COUNT(*) FROM connection_attendance a WHERE a.connection_id = c.id AND a.attended)`

const connectionFrom = ` FROM connections c JOIN referrals r ON r.id = c.referral_id JOIN services sv ON sv.id = c.service_id
	JOIN organisations o ON o.id = c.organisation_id`

func optionalTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := db.Time(v.Int64)
	return &t
}

func scanConnection(row interface{ Scan(...any) error }) (Connection, error) {
	var c Connection
	var shared string
	var created, updated int64
	var decided, attended, closed sql.NullInt64
	err := row.Scan(&c.ID, &c.ReferralID, &c.Reference, &c.ServiceID, &c.ServiceName, &c.OrganisationID, &c.OrganisationName,
		&c.Kind, &c.Status, &c.Reason, &c.NoteForProvider, &shared, &c.CreatedBy, &created, &decided, &attended, &closed, &updated,
		&c.AssignedTo, &c.ReferrerUserID, &c.SchemeID, &c.FirstSession, &c.SessionsAttended)
	if err != nil {
		return c, err
	}
	_ = json.Unmarshal([]byte(shared), &c.SharedContact)
	c.CreatedAt, c.UpdatedAt = db.Time(created), db.Time(updated)
	c.DecidedAt, c.FirstAttendedAt, c.ClosedAt = optionalTime(decided), optionalTime(attended), optionalTime(closed)
	return c, nil
}
