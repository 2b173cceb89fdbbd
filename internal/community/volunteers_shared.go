package community

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/referral"
)

// What the safeguarding and volunteering stores share: the scheme's clock,
// field checks, and a referral as the access policy sees it.

// communityZone is the clock a scheme's days are counted on: a DBS check
// runs out, and a visit happens, on a day in England.
var communityZone = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/London"); err == nil {
		return loc
	}
	return time.UTC
}()

// dayOf is the scheme's date of an instant, YYYY-MM-DD.
func dayOf(t time.Time) string { return t.In(communityZone).Format(time.DateOnly) }

// parseDay reads a strict YYYY-MM-DD date.
func parseDay(s string) (time.Time, bool) {
	if len(s) != len("2006-01-02") {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil
}

// addDays moves a YYYY-MM-DD date by n days.
func addDays(day string, n int) string {
	t, ok := parseDay(day)
	if !ok {
		return day
	}
	return t.AddDate(0, 0, n).Format(time.DateOnly)
}

// fieldText checks a piece of text a person typed: plain (no control
// characters; line breaks only when multiline) and at most limit
// characters.
func fieldText(f map[string]string, name, v string, limit int, multiline bool) {
	switch {
	case !oikos.PlainText(v, multiline):
		f[name] = "Must not contain control characters."
	case utf8.RuneCountInString(v) > limit:
		f[name] = fmt.Sprintf("Must be %d characters or fewer.", limit)
	}
}

// plainID refuses ids that cannot be ours before they reach the database.
func plainID(id string) bool {
	return id != "" && oikos.PlainText(id, false) && utf8.RuneCountInString(id) <= 100
}

// oneLine tidies a line of text: spaces collapsed, ends trimmed.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// auditEvent is one audit entry at a time.
func auditEvent(by oikos.Actor, at time.Time, action, kind, id string) audit.Event {
	return audit.Event{At: at, ActorID: by.UserID, Action: action, ObjectKind: kind, ObjectID: id, Client: by.Client}
}

// refFacts is what the community stores need of a referral: whom it
// belongs to, where it stands, and its person's details (only ever shown
// as a match's sharing allows).
type refFacts struct {
	ID, Reference, SchemeID, AssignedTo, ReferrerUserID, PersonID string
	Status                                                        referral.Status
	ClosedReason                                                  string
	GivenName, FamilyName, Postcode, Phone, Email                 string
	Restricted                                                    bool
}

// object is the referral as the access policy sees it (as the web layer's
// referralObject builds it).
func (r refFacts) object() auth.Object {
	return auth.Object{Kind: "referral", ID: r.ID, AssignedTo: r.AssignedTo, CreatedBy: r.ReferrerUserID, SchemeID: r.SchemeID,
		InTriage: r.AssignedTo == "" && r.Status != referral.Closed}
}

// loadReferral reads a referral's facts through q, locking its row on
// PostgreSQL when lock is set (a write that depends on its status). An id
// that is not a referral's is not found.
func loadReferral(ctx context.Context, q db.Querier, dialect db.Dialect, id string, lock bool) (refFacts, error) {
	var r refFacts
	if !plainID(id) {
		return r, oikos.NotFound("Referral")
	}
	query := `SELECT r.id, r.reference, r.scheme_id, COALESCE(r.assigned_to, ''), COALESCE(r.referrer_user_id, ''), r.person_id,
		r.status, r.closed_reason, p.given_name, p.family_name, p.postcode, p.phone, p.email, p.restricted_at IS NOT NULL
		FROM referrals r JOIN people p ON p.id = r.person_id WHERE r.id = $1`
	if lock && dialect == db.Postgres {
		query += " FOR UPDATE OF r"
	}
	err := q.QueryRowContext(ctx, query, id).Scan(&r.ID, &r.Reference, &r.SchemeID, &r.AssignedTo, &r.ReferrerUserID, &r.PersonID,
		&r.Status, &r.ClosedReason, &r.GivenName, &r.FamilyName, &r.Postcode, &r.Phone, &r.Email, &r.Restricted)
	if err == sql.ErrNoRows {
		return r, oikos.NotFound("Referral")
	}
	return r, err
}

// userSchemeSQL is a user's scheme, from the users row aliased u: their
// organisation when it is a scheme, else none (as auth reads it).
const userSchemeSQL = `COALESCE((SELECT o.id FROM organisations o WHERE o.id = u.organisation_id AND o.kind = 'scheme'), '')`

// refused is a request that the state of things does not allow: 409,
// naming the field.
func refused(field, msg string) error {
	return &oikos.Error{Code: oikos.ECONFLICT, Message: msg, Fields: map[string]string{field: msg}}
}

// nullDay stores an empty date as NULL.
func nullDay(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Listing is the contract's list shape.
type Listing[T any] struct {
	Items []T     `json:"items"`
	Total int     `json:"total"`
	Next  *string `json:"next"`
}

// PageQuery is where a list starts and how long it is: cursor is the opaque
// "next" of the page before ("" for the first); limit defaults to 50 and
// is at most 500.
type PageQuery struct {
	Cursor string
	Limit  int
}

// offset reads the page's cursor and limit.
func (p PageQuery) offset() (offset, limit int, err error) {
	limit = p.Limit
	switch {
	case limit == 0:
		limit = 50
	case limit < 0 || limit > 500:
		return 0, 0, oikos.Invalid(map[string]string{"limit": "Limit must be from 1 to 500."})
	}
	if p.Cursor != "" {
		n, ok := parseCursor(p.Cursor)
		if !ok {
			return 0, 0, oikos.Invalid(map[string]string{"cursor": "This cursor is not one a list gave."})
		}
		offset = n
	}
	return offset, limit, nil
}

// The cursor is the offset of the next page, written as "o" and digits:
// opaque to callers, who only hand it back.
func parseCursor(s string) (int, bool) {
	if len(s) < 2 || len(s) > 12 || s[0] != 'o' {
		return 0, false
	}
	n := 0
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// nextCursor is the cursor of the page after one at offset with n items,
// or nil at the end.
func nextCursor(offset, n, total int) *string {
	if offset+n >= total || n == 0 {
		return nil
	}
	s := fmt.Sprintf("o%d", offset+n)
	return &s
}
