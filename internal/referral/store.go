package referral

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/db"
	"oikos/internal/org"
	"oikos/internal/postcode"
	"oikos/internal/taxonomy"
)

// PersonInput is the person as a referral names them.
type PersonInput struct {
	GivenName   string `json:"given_name"`
	FamilyName  string `json:"family_name"`
	DateOfBirth string `json:"date_of_birth"`
	NHSNumber   string `json:"nhs_number,omitempty"`
	Postcode    string `json:"postcode"`
	Phone       string `json:"phone,omitempty"`
	Email       string `json:"email,omitempty"`
}

// SourceInput is who the referral comes from.
type SourceInput struct {
	Type           string `json:"type"`
	OrganisationID string `json:"organisation_id,omitempty"`
	ReferrerName   string `json:"referrer_name,omitempty"`
}

// ConsentInput records the person's agreement.
type ConsentInput struct {
	Given              bool `json:"given"`
	ShareWithProviders bool `json:"share_with_providers"`
}

// Input is the contract's referral body.
type Input struct {
	Person  PersonInput `json:"person"`
	Source  SourceInput `json:"source"`
	Reasons []string    `json:"reasons"`
	// ReasonText is the referrer's own words for why, where they say
	// more than the reasons (needs codes) do or map to none: a GP
	// system's reasonCode text or an unknown code. A referral needs
	// reasons, or reason text, or both.
	ReasonText string       `json:"reason_text,omitempty"`
	Urgency    string       `json:"urgency,omitempty"`
	Notes      string       `json:"notes,omitempty"`
	Consent    ConsentInput `json:"consent"`
	// SchemeID names the scheme the referral is for; left out, it is the
	// scheme covering the person's postcode district (org.ChooseScheme).
	SchemeID string `json:"scheme_id,omitempty"`
	// ExternalID is the sending system's own id for the referral, unique
	// per channel (for FHIR, the sender and the ServiceRequest identifier).
	// A system that sends the same referral again makes no second one:
	// Create answers with the first and ErrAlreadyReceived.
	ExternalID string `json:"-"`
}

func text(f map[string]string, name, v string, limit int, multiline bool) {
	switch {
	case !oikos.PlainText(v, multiline):
		f[name] = "must not contain control characters"
	case utf8.RuneCountInString(v) > limit:
		f[name] = fmt.Sprintf("must be %d characters or fewer", limit)
	}
}

// Validate checks and tidies a referral, naming every field at fault with
// its path (person.nhs_number, consent.given, ...).
func (in *Input) Validate(now time.Time) error {
	f := map[string]string{}
	p := &in.Person
	in.SchemeID = strings.TrimSpace(in.SchemeID)
	if !oikos.PlainText(in.SchemeID, false) || len(in.SchemeID) > 100 {
		f["scheme_id"] = "No active social prescribing scheme has that id."
	}
	p.GivenName, p.FamilyName = strings.Join(strings.Fields(p.GivenName), " "), strings.Join(strings.Fields(p.FamilyName), " ")
	if p.GivenName == "" {
		f["person.given_name"] = "Enter the person's first name."
	} else {
		text(f, "person.given_name", p.GivenName, 100, false)
	}
	if p.FamilyName == "" {
		f["person.family_name"] = "Enter the person's last name."
	} else {
		text(f, "person.family_name", p.FamilyName, 100, false)
	}
	if _, msg := ParseBirthDate(p.DateOfBirth, now); msg != "" {
		f["person.date_of_birth"] = msg
	}
	p.DateOfBirth = strings.TrimSpace(p.DateOfBirth)
	if p.NHSNumber = NormaliseNHSNumber(p.NHSNumber); p.NHSNumber != "" && !ValidNHSNumber(p.NHSNumber) {
		f["person.nhs_number"] = "NHS number must be 10 digits that pass the NHS number check. Check it against a letter or the NHS App."
	}
	if pc, ok := postcode.Normalise(p.Postcode); ok {
		p.Postcode = pc
	} else {
		f["person.postcode"] = "Enter a real UK postcode, like EX1 1AA."
	}
	p.Phone, p.Email = strings.TrimSpace(p.Phone), strings.TrimSpace(p.Email)
	text(f, "person.phone", p.Phone, 40, false)
	text(f, "person.email", p.Email, 254, false)
	if p.Email != "" && (!strings.Contains(p.Email, "@") || strings.ContainsAny(p.Email, " <>")) {
		f["person.email"] = "Enter an email address like name@example.org."
	}
	if !slices.Contains(SourceTypes, in.Source.Type) {
		f["source.type"] = "Source type must be one of " + strings.Join(SourceTypes, ", ") + "."
	}
	text(f, "source.referrer_name", in.Source.ReferrerName, 200, false)
	text(f, "source.organisation_id", in.Source.OrganisationID, 100, false)
	in.ReasonText = strings.TrimSpace(in.ReasonText)
	text(f, "reason_text", in.ReasonText, 2000, true)
	if len(in.Reasons) == 0 && in.ReasonText == "" {
		f["reasons"] = "Choose at least one reason for the referral."
	}
	reasons := []string{} // [] in JSON, never null: a referral may have words only (ReasonText)
	for _, r := range in.Reasons {
		if _, ok := taxonomy.NeedByCode(r); !ok {
			f["reasons"] = fmt.Sprintf("Unknown reason %q: see /api/v1/needs for the codes.", truncate(r, 40))
			break
		}
		if !slices.Contains(reasons, r) {
			reasons = append(reasons, r)
		}
	}
	in.Reasons = reasons
	switch in.Urgency {
	case "":
		in.Urgency = "routine"
	case "routine", "urgent":
	default:
		f["urgency"] = "Urgency must be routine or urgent."
	}
	text(f, "notes", in.Notes, 5000, true)
	if !in.Consent.Given {
		f["consent.given"] = "The person must agree to the referral before it is made."
	}
	text(f, "external_id", in.ExternalID, 600, false)
	return oikos.Invalid(f)
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// Person is someone referred.
type Person struct {
	ID          string `json:"id,omitempty"`
	GivenName   string `json:"given_name"`
	FamilyName  string `json:"family_name"`
	DateOfBirth string `json:"date_of_birth"`
	NHSNumber   string `json:"nhs_number"`
	Postcode    string `json:"postcode"`
	Phone       string `json:"phone"`
	Email       string `json:"email"`
}

// Key is what matching compares of a person.
func (p Person) Key() PersonKey {
	return PersonKey{GivenName: p.GivenName, FamilyName: p.FamilyName, DateOfBirth: p.DateOfBirth, NHSNumber: p.NHSNumber, Postcode: p.Postcode}
}

// Referral is one referral with its person.
type Referral struct {
	ID                   string   `json:"id"`
	Reference            string   `json:"reference"`
	Status               Status   `json:"status"`
	SchemeID             string   `json:"scheme_id"`
	PersonID             string   `json:"person_id,omitempty"`
	Person               *Person  `json:"person,omitempty"`
	SourceType           string   `json:"source_type"`
	SourceOrganisationID string   `json:"source_organisation_id"`
	ReferrerUserID       string   `json:"-"`
	ReferrerName         string   `json:"referrer_name"`
	Reasons              []string `json:"reasons"`
	// ReasonText is the referrer's words for why (Input.ReasonText).
	ReasonText string `json:"reason_text,omitempty"`
	// GPShare is what the person chose to go back to the GP record.
	GPShare         GPShare `json:"gp_share"`
	Urgency         string  `json:"urgency"`
	Notes           string  `json:"notes,omitempty"`
	ConsentShare    bool    `json:"consent_share_with_providers"`
	AssignedTo      string  `json:"assigned_to"`
	PossibleMatchID string  `json:"possible_match_person_id,omitempty"`
	// MatchStrength is how strongly the person resembles the possible match.
	MatchStrength Strength `json:"match_strength,omitempty"`
	// Sent is the person as this referral named them, kept apart from the
	// person record (Person) so that whoever sent it is shown what they
	// sent and nothing more, whichever record it is reconciled with.
	Sent *Person `json:"referred_as,omitempty"`
	// ExternalID is the sender's own id for it, if the sender gave one.
	ExternalID   string `json:"-"`
	ClosedReason string `json:"closed_reason,omitempty"`
	// OtherOpenReferrals, when looked up (WithOtherOpenReferrals), are the
	// ids of the same person's other open referrals; nil, it is left out.
	OtherOpenReferrals *[]string  `json:"other_open_referrals,omitempty"`
	ReceivedAt         time.Time  `json:"received_at"`
	FirstContactAt     *time.Time `json:"first_contact_at"`
	ClosedAt           *time.Time `json:"closed_at"`
}

// AsSent is the referral as the one who sent it may see it: the person as
// they sent them, with no person record, no possible match, and so nothing
// about anyone already known. It holds however the referral is later
// reconciled, since it never reads the person record.
func (r Referral) AsSent() Referral {
	sent := Person{}
	if r.Sent != nil {
		sent = *r.Sent
	}
	sent.ID = ""
	r.Person, r.Sent, r.PersonID, r.PossibleMatchID, r.MatchStrength = &sent, nil, "", "", NotAlike
	r.OtherOpenReferrals = nil
	return r
}

// SentDiffers reports whether the person record now differs from what the
// referral sent, as it may once a link worker has reconciled the two.
func (r Referral) SentDiffers() bool {
	if r.Sent == nil || r.Person == nil || *r.Sent == (Person{}) {
		return false
	}
	p := *r.Person
	p.ID = ""
	return p != *r.Sent
}

// Store keeps people and referrals.
type Store struct {
	DB  *db.DB
	Now func() time.Time
	// OnChange, when set, runs inside the transaction of every status
	// change and assignment, so that what follows from it (a notification
	// in the outbox) is written with it or not at all.
	OnChange func(ctx context.Context, tx *sql.Tx, c Change) error
	// DefaultScheme is the configured scheme for referrals that no scheme
	// covers when there are several (OIKOS_DEFAULT_SCHEME).
	DefaultScheme string
	// intake groups concurrent Creates into one transaction.
	intakeOnce sync.Once
	intake     *intakeQueue
}

// Change is one status change or assignment of a referral.
type Change struct {
	ReferralID string
	From, To   Status
	// Reason is the closing reason, if any.
	Reason string
	// AssignedTo is set when the change is an assignment.
	AssignedTo string
	By         Actor
}

func (s *Store) changed(ctx context.Context, tx *sql.Tx, c Change) error {
	if s.OnChange == nil {
		return nil
	}
	return s.OnChange(ctx, tx, c)
}

// NewStore returns a Store with the real clock.
func NewStore(d *db.DB) *Store { return &Store{DB: d, Now: time.Now} }

func (s *Store) queue() *intakeQueue {
	s.intakeOnce.Do(func() { s.intake = newIntakeQueue() })
	return s.intake
}

// Actor is who acts, for the audit log.
type Actor = oikos.Actor

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

var referenceAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// newReference is a short code a person can read out on the phone.
func newReference() string {
	b := make([]byte, 8)
	rand.Read(b)
	out := []byte("OIK-")
	for i, c := range b {
		if i == 4 {
			out = append(out, '-')
		}
		out = append(out, referenceAlphabet[int(c)%len(referenceAlphabet)])
	}
	return string(out)
}

func (s *Store) auditTx(ctx context.Context, tx *sql.Tx, by Actor, action, kind, id string) error {
	return audit.Append(ctx, tx, s.DB.Dialect, audit.Event{At: s.now(), ActorID: by.UserID, Action: action, ObjectKind: kind, ObjectID: id, Client: by.Client})
}

// ErrAlreadyReceived answers a referral whose ExternalID was seen before on
// the same channel: Create returns the first referral with it.
var ErrAlreadyReceived = &oikos.Error{Code: oikos.ECONFLICT, Message: "This referral was received before: it is the same one, sent again.",
	Fields: map[string]string{"external_id": "A referral with this id was received before."}}

// Create records a referral from any door. Every referral gets a person
// record of its own, made from what it sent: it is never joined to
// someone already known, since naming a person (an NHS number, or a name,
// date of birth and postcode) proves nothing about the caller. A person
// who resembles one held is flagged instead (PossibleMatchID and
// MatchStrength) for a link worker to reconcile with ResolveMatch.
// referrerUserID is the signed-in referrer, if any.
//
// Referrals created at the same moment share one transaction and so one
// durable commit (see intakeQueue); each is still checked on its own and
// answered only once it is on disk.
func (s *Store) Create(ctx context.Context, by Actor, in Input, referrerUserID, channel string) (Referral, error) {
	now := s.now()
	if err := in.Validate(now); err != nil {
		return Referral{}, err
	}
	j := newIntake(ctx, by, in, referrerUserID, channel, now)
	s.queue().submit(ctx, s, j)
	if j.err == ErrAlreadyReceived {
		first, err := s.Get(ctx, j.existingID)
		if err != nil {
			return Referral{}, err
		}
		return first, ErrAlreadyReceived
	}
	if j.err != nil {
		return Referral{}, j.err
	}
	return j.r, nil
}

// newIntake is a validated referral on its way in, its ids chosen.
func newIntake(ctx context.Context, by Actor, in Input, referrerUserID, channel string, now time.Time) *intake {
	return &intake{ctx: ctx, by: by, in: in, channel: channel, now: now,
		r: Referral{ID: db.NewID("ref"), Reference: newReference(), Status: Received, SourceType: in.Source.Type,
			SourceOrganisationID: in.Source.OrganisationID, ReferrerUserID: referrerUserID, ReferrerName: in.Source.ReferrerName,
			Reasons: in.Reasons, ReasonText: in.ReasonText, Urgency: in.Urgency, Notes: in.Notes, ConsentShare: in.Consent.ShareWithProviders,
			ExternalID: in.ExternalID, ReceivedAt: now}}
}

// FindExternal finds the referral a sender knows by its own id.
func (s *Store) FindExternal(ctx context.Context, channel, externalID string) (Referral, error) {
	if externalID == "" || !oikos.PlainText(externalID, false) {
		return Referral{}, oikos.NotFound("Referral")
	}
	r, err := scanReferral(s.DB.R().QueryRowContext(ctx, "SELECT "+referralColumns+
		" FROM referrals r JOIN people p ON p.id = r.person_id WHERE r.channel = $1 AND r.external_id = $2", channel, externalID))
	if err == sql.ErrNoRows {
		return r, oikos.NotFound("Referral")
	}
	return r, err
}

// writeIntake writes a batch of referrals inside tx: each is checked (its
// organisation, whether its sender sent it before), its person made, and
// any likeness to someone held flagged, looking in the database and among
// the people made earlier in the same batch; then the rows of all of them go in with one statement per table,
// and their audit entries with one append to the chain. A referral refused
// for a reason the caller can act on gets its error in j.err and writes
// nothing; any other error fails the whole batch.
func (s *Store) writeIntake(ctx context.Context, tx *sql.Tx, st *intakeStatements, batch []*intake) error {
	orgs := map[string]bool{}
	sentBefore := map[string]string{} // external id → referral made earlier in the batch
	var made []matchable              // people made earlier in the batch
	var people, referrals, events []any
	var nPeople, nReferrals int
	var trail []audit.Event
	schemes := org.NewSchemeChooser(tx, s.DefaultScheme)
	for _, j := range batch {
		in, r := &j.in, &j.r
		scheme, err := schemes.Choose(ctx, in.SchemeID, in.Person.Postcode)
		if oikos.ErrorCode(err) == oikos.EINVALID {
			j.err = err
			continue
		} else if err != nil {
			return err
		}
		r.SchemeID = scheme
		if id := in.Source.OrganisationID; id != "" {
			exists, checked := orgs[id]
			if !checked {
				var one int
				err := tx.StmtContext(ctx, st.organisation).QueryRowContext(ctx, id).Scan(&one)
				if err != nil && err != sql.ErrNoRows {
					return err
				}
				exists = err == nil
				orgs[id] = exists
			}
			if !exists {
				j.err = oikos.Invalid(map[string]string{"source.organisation_id": "No organisation has that id."})
				continue
			}
		}
		if in.ExternalID != "" {
			first, seen := sentBefore[in.ExternalID]
			if !seen {
				err := tx.StmtContext(ctx, st.sentBefore).QueryRowContext(ctx, j.channel, in.ExternalID).Scan(&first)
				if err != nil && err != sql.ErrNoRows {
					return err
				}
			}
			if first != "" {
				j.err, j.existingID = ErrAlreadyReceived, first
				continue
			}
			sentBefore[in.ExternalID] = r.ID
		}
		key := PersonKey{in.Person.GivenName, in.Person.FamilyName, in.Person.DateOfBirth, in.Person.NHSNumber, in.Person.Postcode}
		possible, strength, err := matchPerson(ctx, tx.StmtContext(ctx, st.match), key, r.SchemeID)
		if err != nil {
			return err
		}
		possible, strength = matchAmong(made, key, r.SchemeID, possible, strength)
		// A person of its own, whoever it resembles (see Create).
		p := in.Person
		personID := db.NewID("per")
		born, _ := ParseBirthDate(p.DateOfBirth, j.now)
		people = append(people, personID, p.GivenName, p.FamilyName, p.DateOfBirth, p.NHSNumber,
			p.Postcode, p.Phone, p.Email, AgeBand(born, j.now), db.Millis(j.now), db.Millis(j.now), NameKey(p.GivenName), NameKey(p.FamilyName))
		nPeople++
		made = append(made, matchable{personID, key, r.SchemeID})
		trail = append(trail, audit.Event{At: j.now, ActorID: j.by.UserID, Action: audit.Create, ObjectKind: "person", ObjectID: personID, Client: j.by.Client})
		r.PersonID, r.PossibleMatchID, r.MatchStrength = personID, possible, strength
		r.Person = &Person{ID: personID, GivenName: p.GivenName, FamilyName: p.FamilyName, DateOfBirth: p.DateOfBirth, NHSNumber: p.NHSNumber,
			Postcode: p.Postcode, Phone: p.Phone, Email: p.Email}
		sent := *r.Person
		sent.ID = ""
		r.Sent = &sent
		at := db.Millis(j.now)
		referrals = append(referrals, r.ID, r.Reference, r.SchemeID, personID, string(Received), r.SourceType, nullable(r.SourceOrganisationID),
			nullable(r.ReferrerUserID), r.ReferrerName, strings.Join(r.Reasons, " "), r.Urgency, r.Notes, true, r.ConsentShare,
			consentBy(in.Source.Type), at, nullable(possible), string(strength), j.channel, in.ExternalID, at, at,
			p.GivenName, p.FamilyName, p.DateOfBirth, p.NHSNumber, p.Postcode, p.Phone, p.Email, r.ReasonText)
		nReferrals++
		events = append(events, r.ID, 0, at, j.by.UserID, "", string(Received))
		trail = append(trail, audit.Event{At: j.now, ActorID: j.by.UserID, Action: audit.Create, ObjectKind: "referral", ObjectID: r.ID, Client: j.by.Client})
	}
	if nReferrals == 0 {
		return nil
	}
	for _, rows := range []struct {
		shapes map[int]*sql.Stmt
		args   []any
		n      int
	}{{st.people, people, nPeople}, {st.referrals, referrals, nReferrals}, {st.events, events, nReferrals}} {
		if err := insertRows(ctx, tx, rows.shapes, rows.args, rows.n); err != nil {
			return err
		}
	}
	return audit.AppendAll(ctx, tx, s.DB.Dialect, trail)
}

// nullable stores "" as NULL, for optional references to other rows.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// consentBy says who gave consent, from who referred.
func consentBy(sourceType string) string {
	switch sourceType {
	case "self":
		return "person"
	case "family_friend":
		return "person, through family or friend"
	}
	return "person, as recorded by the referrer"
}

// matchPerson finds the person held whom a referral's person most
// resembles, and how strongly (NotAlike: nobody); of equally strong, the
// longest held. match is matchSQL, prepared.
func matchPerson(ctx context.Context, match *sql.Stmt, key PersonKey, scheme string) (possibleID string, strength Strength, err error) {
	rows, err := match.QueryContext(ctx, key.NHSNumber, key.FamilyName, key.DateOfBirth, scheme)
	if err != nil {
		return "", NotAlike, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var k PersonKey
		if err := rows.Scan(&id, &k.GivenName, &k.FamilyName, &k.DateOfBirth, &k.NHSNumber, &k.Postcode); err != nil {
			return "", NotAlike, err
		}
		if s := StrengthOf(key, k); s.Stronger(strength) {
			possibleID, strength = id, s
		}
	}
	return possibleID, strength, rows.Err()
}

const referralColumns = `r.id, r.reference, r.status, r.scheme_id, r.person_id, r.source_type, COALESCE(r.source_organisation_id, ''),
	COALESCE(r.referrer_user_id, ''), r.referrer_name, r.reasons, r.urgency, r.notes, r.consent_share, COALESCE(r.assigned_to, ''),
	COALESCE(r.possible_match_id, ''), r.match_strength, r.external_id, r.closed_reason, r.received_at, r.first_contact_at, r.closed_at,
	p.given_name, p.family_name, p.date_of_birth, p.nhs_number, p.postcode, p.phone, p.email,
	r.sent_given_name, r.sent_family_name, r.sent_date_of_birth, r.sent_nhs_number, r.sent_postcode, r.sent_phone, r.sent_email,
	r.reason_text, r.gp_share`

func scanReferral(row interface{ Scan(...any) error }) (Referral, error) {
	var r Referral
	var p, sent Person
	var reasons string
	var received int64
	var first, closed sql.NullInt64
	err := row.Scan(&r.ID, &r.Reference, &r.Status, &r.SchemeID, &r.PersonID, &r.SourceType, &r.SourceOrganisationID, &r.ReferrerUserID, &r.ReferrerName,
		&reasons, &r.Urgency, &r.Notes, &r.ConsentShare, &r.AssignedTo, &r.PossibleMatchID, &r.MatchStrength, &r.ExternalID, &r.ClosedReason,
		&received, &first, &closed, &p.GivenName, &p.FamilyName, &p.DateOfBirth, &p.NHSNumber, &p.Postcode, &p.Phone, &p.Email,
		&sent.GivenName, &sent.FamilyName, &sent.DateOfBirth, &sent.NHSNumber, &sent.Postcode, &sent.Phone, &sent.Email,
		&r.ReasonText, &r.GPShare)
	if err != nil {
		return r, err
	}
	p.ID = r.PersonID
	p.showErased()
	r.Person, r.Sent = &p, &sent
	r.Reasons = append([]string{}, strings.Fields(reasons)...)
	r.ReceivedAt = db.Time(received)
	if first.Valid {
		t := db.Time(first.Int64)
		r.FirstContactAt = &t
	}
	if closed.Valid {
		t := db.Time(closed.Int64)
		r.ClosedAt = &t
	}
	return r, nil
}

// Get finds a referral with its person. Callers check access, then record
// the read with RecordRead.
func (s *Store) Get(ctx context.Context, id string) (Referral, error) { return Read(ctx, s.DB.R(), id) }

// Read is Get through q: inside a transaction, or not.
func Read(ctx context.Context, q db.Querier, id string) (Referral, error) {
	if !oikos.PlainText(id, false) {
		return Referral{}, oikos.NotFound("Referral")
	}
	r, err := scanReferral(q.QueryRowContext(ctx, "SELECT "+referralColumns+" FROM referrals r JOIN people p ON p.id = r.person_id WHERE r.id = $1", id))
	if err == sql.ErrNoRows {
		return r, oikos.NotFound("Referral")
	}
	return r, err
}

// Channel reads the door a referral came in by ("fhir", "api", "web",
// "self", ...).
func (s *Store) Channel(ctx context.Context, id string) (string, error) {
	var channel string
	err := s.DB.R().QueryRowContext(ctx, "SELECT channel FROM referrals WHERE id = $1", id).Scan(&channel)
	if err == sql.ErrNoRows {
		return "", oikos.NotFound("Referral")
	}
	return channel, err
}

// Object is the referral as the access policy sees it.
func (r Referral) Object() (kind, id, assignedTo, createdBy string) {
	return "referral", r.ID, r.AssignedTo, r.ReferrerUserID
}

// RecordRead writes a read of a person's record to the audit log.
func (s *Store) RecordRead(ctx context.Context, by Actor, r Referral) error {
	return audit.Record(ctx, s.DB, audit.Event{ActorID: by.UserID, Action: audit.Read, ObjectKind: "referral", ObjectID: r.ID, Client: by.Client})
}

// RecordList writes to the audit log that a list showed these referrals:
// each shows a person's name and where their referral stands, so each is a
// read of that person's record, entered as a read of the referral (as
// RecordRead does) so that audit.ForObject finds it with the rest. The
// lists of one request are recorded together, one entry per referral, in
// one transaction: a page of 500 costs one write, not 500.
func (s *Store) RecordList(ctx context.Context, by Actor, lists ...[]Referral) error {
	now := s.now()
	seen := map[string]bool{}
	var events []audit.Event
	for _, list := range lists {
		for _, r := range list {
			if !seen[r.ID] {
				seen[r.ID] = true
				events = append(events, audit.Event{At: now, ActorID: by.UserID, Action: audit.Read, ObjectKind: "referral", ObjectID: r.ID, Client: by.Client})
			}
		}
	}
	return audit.RecordAll(ctx, s.DB, events)
}

// Filter scopes and narrows a referral list.
type Filter struct {
	Status Status
	// Open leaves closed referrals out.
	Open           bool
	AssignedTo     string
	ReferrerUserID string // only referrals this user made
	// VisibleTo limits to what a link worker may see: assigned to them, or
	// open and assigned to nobody yet (auth.Object.InTriage).
	VisibleTo string
	// InScheme limits to one scheme's referrals: SchemeID's ("" in a
	// deployment without schemes).
	InScheme bool
	SchemeID string
	// ShowRestricted includes people whose record is restricted at their
	// request, who are left out of lists unless a manager asks.
	ShowRestricted bool
	Offset, Limit  int
}

// where is the filter as SQL conditions on referrals r, with their
// arguments, and the order the list is read in.
func (f Filter) where() (where string, args []any, order string, err error) {
	conds := []string{"1 = 1"}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", fmt.Sprintf("$%d", len(args))))
	}
	for _, v := range []string{string(f.Status), f.AssignedTo, f.ReferrerUserID, f.VisibleTo, f.SchemeID} {
		if !oikos.PlainText(v, false) {
			return "", nil, "", oikos.Invalid(map[string]string{"filter": "must be plain text"})
		}
	}
	if f.InScheme {
		add("r.scheme_id = ?", f.SchemeID)
	}
	order = "r.received_at, r.id"
	switch f.Status {
	case "":
	case Received:
		// Written out, not a parameter, so that both databases use the
		// partial index of the queue (referrals_triage), read in order.
		conds = append(conds, "r.status = 'received'")
		order = "r.urgency DESC, r.received_at, r.id"
	default:
		add("r.status = ?", string(f.Status))
	}
	if f.Open {
		// Written out, for the partial index referrals_mine.
		conds = append(conds, "r.status <> 'closed'")
	}
	if f.AssignedTo != "" {
		add("r.assigned_to = ?", f.AssignedTo)
	}
	if f.ReferrerUserID != "" {
		add("r.referrer_user_id = ?", f.ReferrerUserID)
	}
	if f.VisibleTo != "" {
		add("(r.assigned_to = ? OR (r.assigned_to IS NULL AND r.status <> 'closed'))", f.VisibleTo)
	}
	if !f.ShowRestricted {
		conds = append(conds, "r.person_id NOT IN (SELECT id FROM people WHERE restricted_at IS NOT NULL)")
	}
	return strings.Join(conds, " AND "), args, order, nil
}

// List returns referrals oldest first, with the total. The triage queue
// (Status Received) lists urgent referrals first, then oldest first, as
// the referral form promises ("Urgent referrals are seen first").
func (s *Store) List(ctx context.Context, f Filter) ([]Referral, int, error) {
	where, args, order, err := f.where()
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.DB.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM referrals r WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	out, err := s.page(ctx, f, where, args, order)
	return out, total, err
}

// page reads one page of a list.
func (s *Store) page(ctx context.Context, f Filter, where string, args []any, order string) ([]Referral, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	n := len(args)
	rows, err := s.DB.R().QueryContext(ctx, "SELECT "+referralColumns+" FROM referrals r JOIN people p ON p.id = r.person_id WHERE "+where+
		fmt.Sprintf(" ORDER BY %s LIMIT $%d OFFSET $%d", order, n+1, n+2), append(args, limit, f.Offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Referral
	for rows.Next() {
		r, err := scanReferral(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Queue is a page of the triage queue (f with Status Received: urgent
// first, then oldest), with how many wait in all and how many of those
// have waited longer than promised: an urgent referral received before
// urgentBefore, any other before otherBefore (casework.TriageOverdueBefore).
// Both counts come from one reading of the queue's index.
func (s *Store) Queue(ctx context.Context, f Filter, urgentBefore, otherBefore time.Time) (page []Referral, total, overdue int, err error) {
	f.Status = Received
	where, args, order, err := f.where()
	if err != nil {
		return nil, 0, 0, err
	}
	n := len(args)
	err = s.DB.R().QueryRowContext(ctx, fmt.Sprintf(`SELECT COUNT(*), COALESCE(SUM(CASE WHEN (r.urgency = 'urgent' AND r.received_at < $%d)
		OR (r.urgency <> 'urgent' AND r.received_at < $%d) THEN 1 ELSE 0 END), 0) FROM referrals r WHERE `, n+1, n+2)+where,
		append(args, db.Millis(urgentBefore), db.Millis(otherBefore))...).Scan(&total, &overdue)
	if err != nil {
		return nil, 0, 0, err
	}
	page, err = s.page(ctx, f, where, args, order)
	return page, total, overdue, err
}

func (s *Store) addEvent(ctx context.Context, tx *sql.Tx, id string, by Actor, from, to Status, reason, assigned string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO referral_events (referral_id, position, at, actor_id, from_status, to_status, reason, assigned_to)
		VALUES ($1, (SELECT COALESCE(MAX(position), -1) + 1 FROM referral_events WHERE referral_id = $1), $2, $3, $4, $5, $6, $7)`,
		id, db.Millis(s.now()), by.UserID, string(from), string(to), reason, assigned)
	return err
}

// Transition moves a referral to a new status, refusing illegal changes
// with a conflict that says why.
func (s *Store) Transition(ctx context.Context, by Actor, id string, to Status, reason string) (Referral, error) {
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := s.TransitionTx(ctx, tx, by, id, to, reason)
		return err
	})
	if err != nil {
		return Referral{}, err
	}
	return s.Get(ctx, id)
}

// TransitionTx is Transition inside tx, for a workflow that changes
// something else with the status (a reached contact moves the referral to
// contacted): both commit or neither does. It returns the status the
// referral had.
func (s *Store) TransitionTx(ctx context.Context, tx *sql.Tx, by Actor, id string, to Status, reason string) (Status, error) {
	head, err := Lock(ctx, tx, s.DB.Dialect, id)
	if err != nil {
		return "", err
	}
	from := head.Status
	if err := CheckTransition(from, to, reason); err != nil {
		code := oikos.ECONFLICT
		if !slices.Contains(Statuses, to) {
			code = oikos.EINVALID
		}
		return from, &oikos.Error{Code: code, Message: err.Error(), Fields: map[string]string{"status": err.Error()}}
	}
	now := db.Millis(s.now())
	q := "UPDATE referrals SET status = $1, updated_at = $2"
	switch to {
	case Contacted:
		q += ", first_contact_at = COALESCE(first_contact_at, $2)"
	case Closed:
		q += ", closed_at = $2, closed_reason = $4"
	}
	q += " WHERE id = $3 AND status = $5"
	args := []any{string(to), now, id, reason, string(from)}
	if to != Closed {
		q = strings.Replace(q, " AND status = $5", " AND status = $4", 1)
		args = []any{string(to), now, id, string(from)}
	}
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return from, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return from, &oikos.Error{Code: oikos.ECONFLICT, Message: "The referral changed while you were working on it. Reload and try again."}
	}
	if err := s.addEvent(ctx, tx, id, by, from, to, reason, ""); err != nil {
		return from, err
	}
	if err := s.changed(ctx, tx, Change{ReferralID: id, From: from, To: to, Reason: reason, By: by}); err != nil {
		return from, err
	}
	return from, s.auditTx(ctx, tx, by, audit.Update, "referral", id)
}

// Reopen takes a closed referral back to accepted, within ReopenWithin of
// its closing (CheckReopen; later is a conflict). The closing stays in the
// history, followed by the reopening with its reason; the link worker it
// was assigned to keeps it.
func (s *Store) Reopen(ctx context.Context, by Actor, id, reason string) (Referral, error) {
	reason = strings.TrimSpace(reason)
	f := map[string]string{}
	if reason == "" {
		f["reason"] = "Say why the referral is being reopened."
	} else if !oikos.PlainText(reason, true) || utf8.RuneCountInString(reason) > MaxReopenReason {
		f["reason"] = fmt.Sprintf("Write the reason in %d characters or fewer, without control characters.", MaxReopenReason)
	}
	if err := oikos.Invalid(f); err != nil {
		return Referral{}, err
	}
	if !oikos.PlainText(id, false) {
		return Referral{}, oikos.NotFound("Referral")
	}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		q := "SELECT status, closed_at FROM referrals WHERE id = $1" + s.DB.Dialect.ForUpdate()
		var from Status
		var closed sql.NullInt64
		if err := tx.QueryRowContext(ctx, q, id).Scan(&from, &closed); err == sql.ErrNoRows {
			return oikos.NotFound("Referral")
		} else if err != nil {
			return err
		}
		var closedAt *time.Time
		if closed.Valid {
			t := db.Time(closed.Int64)
			closedAt = &t
		}
		now := s.now()
		if err := CheckReopen(from, closedAt, now); err != nil {
			return &oikos.Error{Code: oikos.ECONFLICT, Message: err.Error(), Fields: map[string]string{"status": err.Error()}}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE referrals SET status = $1, closed_at = NULL, closed_reason = '', updated_at = $2
			WHERE id = $3 AND status = $4`, string(Accepted), db.Millis(now), id, string(Closed)); err != nil {
			return err
		}
		if err := s.addEvent(ctx, tx, id, by, Closed, Accepted, reason, ""); err != nil {
			return err
		}
		if err := s.changed(ctx, tx, Change{ReferralID: id, From: Closed, To: Accepted, Reason: reason, By: by}); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, by, audit.Update, "referral", id)
	})
	if err != nil {
		return Referral{}, err
	}
	return s.Get(ctx, id)
}

// OtherOpenReferrals lists, oldest first, the ids of the open referrals in
// r's scheme that may be about the same person as r, r itself left out:
// those on the same person record, those on the record r is flagged as
// possibly being, and those flagged as possibly either. A second referral
// for someone is then seen at once, not worked twice. Callers have
// checked that the caller may see r; opening each is checked on its own.
func (s *Store) OtherOpenReferrals(ctx context.Context, r Referral) ([]string, error) {
	return ReadOtherOpenReferrals(ctx, s.DB.R(), r)
}

// ReadOtherOpenReferrals is OtherOpenReferrals through q, for a read of a
// whole page in one transaction (package casefile).
func ReadOtherOpenReferrals(ctx context.Context, q db.Querier, r Referral) ([]string, error) {
	people := []any{r.PersonID}
	if r.PossibleMatchID != "" && r.PossibleMatchID != r.PersonID {
		people = append(people, r.PossibleMatchID)
	}
	args := []any{r.SchemeID, r.ID}
	var marks []string
	for _, p := range people {
		args = append(args, p)
		marks = append(marks, fmt.Sprintf("$%d", len(args)))
	}
	in := strings.Join(marks, ", ")
	ids, err := db.Strings(ctx, q, `SELECT id FROM referrals WHERE scheme_id = $1 AND id <> $2 AND status <> 'closed'
		AND (person_id IN (`+in+`) OR possible_match_id IN (`+in+`)) ORDER BY received_at, id`, args...)
	if ids == nil {
		ids = []string{}
	}
	return ids, err
}

// WithOtherOpenReferrals is r with OtherOpenReferrals looked up, for
// those who may see the person record (never its referrer: AsSent leaves
// them out).
func (s *Store) WithOtherOpenReferrals(ctx context.Context, r Referral) (Referral, error) {
	ids, err := s.OtherOpenReferrals(ctx, r)
	r.OtherOpenReferrals = &ids
	return r, err
}

// RecordListRead writes the read of a list of referrals (each names a
// person) to the audit log in one append.
func (s *Store) RecordListRead(ctx context.Context, by Actor, items []Referral) error {
	if len(items) == 0 {
		return nil
	}
	now := s.now()
	events := make([]audit.Event, len(items))
	for i, r := range items {
		events[i] = audit.Event{At: now, ActorID: by.UserID, Action: audit.Read, ObjectKind: "referral", ObjectID: r.ID, Client: by.Client}
	}
	return audit.RecordAll(ctx, s.DB, events)
}

// Assign gives a referral to a link worker.
func (s *Store) Assign(ctx context.Context, by Actor, id, userID string) (Referral, error) {
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var role, workerScheme string
		var active bool
		if err := tx.QueryRowContext(ctx, `SELECT role, active,
			COALESCE((SELECT o.id FROM organisations o WHERE o.id = users.organisation_id AND o.kind = 'scheme'), '')
			FROM users WHERE id = $1`, userID).Scan(&role, &active, &workerScheme); err == sql.ErrNoRows || (err == nil && (role != "link_worker" || !active)) {
			return oikos.Invalid(map[string]string{"user_id": "Assign the referral to an active link worker."})
		} else if err != nil {
			return err
		}
		head, err := Lock(ctx, tx, s.DB.Dialect, id)
		if err != nil {
			return err
		}
		status := head.Status
		if workerScheme != head.SchemeID {
			return oikos.Invalid(map[string]string{"user_id": "Assign the referral to a link worker of its own scheme."})
		}
		if status == Closed {
			return &oikos.Error{Code: oikos.ECONFLICT, Message: "A closed referral cannot be assigned."}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE referrals SET assigned_to = $1, updated_at = $2 WHERE id = $3", userID, db.Millis(s.now()), id); err != nil {
			return err
		}
		if err := s.addEvent(ctx, tx, id, by, status, status, "assigned", userID); err != nil {
			return err
		}
		if err := s.changed(ctx, tx, Change{ReferralID: id, From: status, To: status, AssignedTo: userID, By: by}); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, by, audit.Update, "referral", id)
	})
	if err != nil {
		return Referral{}, err
	}
	return s.Get(ctx, id)
}
