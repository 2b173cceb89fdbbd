package privacy

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/casework"
	"oikos/internal/connection"
	"oikos/internal/db"
	"oikos/internal/notify"
	"oikos/internal/referral"
	"oikos/internal/taxonomy"
)

// Export is everything held about one person (a subject access request):
// their details, each referral with all that hangs from it, their choices,
// their ways in, the messages sent to them, the requests they made and
// every entry of the audit log about their record.
type Export struct {
	GeneratedAt  time.Time       `json:"generated_at"`
	Person       Person          `json:"person"`
	Referrals    []Referral      `json:"referrals"`
	Reminders    *ReminderChoice `json:"reminders"`
	PortalAccess []Access        `json:"portal_access"`
	Messages     []Message       `json:"messages"`
	Requests     []Request       `json:"requests"`
	Audit        []AuditEntry    `json:"audit"`
}

// Person is the person's own row, every column.
type Person struct {
	ID               string `json:"id"`
	GivenName        string `json:"given_name"`
	FamilyName       string `json:"family_name"`
	DateOfBirth      string `json:"date_of_birth"`
	NHSNumber        string `json:"nhs_number"`
	Postcode         string `json:"postcode"`
	Phone            string `json:"phone"`
	Email            string `json:"email"`
	PreferredContact string `json:"preferred_contact"`
	AgeBand          string `json:"age_band"`
	Sex              string `json:"sex"`
	Ethnicity        string `json:"ethnicity"`
	// InterpreterLanguage, AccessNeeds and NextOfKin are as the link
	// worker recorded them (referral.Details).
	InterpreterLanguage string             `json:"interpreter_language"`
	AccessNeeds         []string           `json:"access_needs"`
	NextOfKin           referral.NextOfKin `json:"next_of_kin"`
	CreatedAt           time.Time          `json:"created_at"`
	UpdatedAt           time.Time          `json:"updated_at"`
	RestrictedAt        *time.Time         `json:"restricted_at"`
	ErasedAt            *time.Time         `json:"erased_at"`
}

// Referral is one referral and everything recorded under it.
type Referral struct {
	ID                 string   `json:"id"`
	Reference          string   `json:"reference"`
	Status             string   `json:"status"`
	SourceType         string   `json:"source_type"`
	SourceOrganisation string   `json:"source_organisation"`
	ReferrerName       string   `json:"referrer_name"`
	Reasons            []string `json:"reasons"`
	// ReasonText is the referrer's words for why (a GP's reason text).
	ReasonText string `json:"reason_text"`
	// GPShare is what the person chose to go back to the GP record.
	GPShare string `json:"gp_share"`
	Urgency string `json:"urgency"`
	Notes   string `json:"notes"`
	// ReferredAs is the person as the referral named them, which the
	// referrer sees.
	ReferredAs     SentPerson     `json:"referred_as"`
	ConsentGiven   bool           `json:"consent_given"`
	ConsentShare   bool           `json:"consent_share_with_providers"`
	ConsentBy      string         `json:"consent_by"`
	ConsentAt      time.Time      `json:"consent_at"`
	AssignedTo     string         `json:"assigned_to"`
	ClosedReason   string         `json:"closed_reason"`
	Channel        string         `json:"channel"`
	ReceivedAt     time.Time      `json:"received_at"`
	FirstContactAt *time.Time     `json:"first_contact_at"`
	ClosedAt       *time.Time     `json:"closed_at"`
	History        []Event        `json:"history"`
	Contacts       []Contact      `json:"contacts"`
	Conversations  []Conversation `json:"conversations"`
	Plan           *Plan          `json:"plan"`
	Measures       []Measure      `json:"measures"`
	Connections    []Connection   `json:"connections"`
	Preferences    *Preferences   `json:"preferences"`
	UnmetNeeds     []UnmetNeed    `json:"unmet_needs"`
	Budget         *Budget        `json:"budget"`
	// The community half (community.go).
	Concerns         []Concern         `json:"safeguarding_concerns"`
	VolunteerMatches []VolunteerMatch  `json:"volunteer_matches"`
	MentorInvitation *MentorInvitation `json:"mentor_invitation"`
}

// SentPerson is the person's details as a referral gave them.
type SentPerson struct {
	GivenName   string `json:"given_name"`
	FamilyName  string `json:"family_name"`
	DateOfBirth string `json:"date_of_birth"`
	NHSNumber   string `json:"nhs_number"`
	Postcode    string `json:"postcode"`
	Phone       string `json:"phone"`
	Email       string `json:"email"`
}

// Event is one step of a referral's history.
type Event struct {
	At         time.Time `json:"at"`
	By         string    `json:"by"`
	FromStatus string    `json:"from_status"`
	ToStatus   string    `json:"to_status"`
	Reason     string    `json:"reason"`
	AssignedTo string    `json:"assigned_to"`
}

// Contact is one time the link worker and the person were in touch.
type Contact struct {
	At              time.Time `json:"at"`
	Mode            string    `json:"mode"`
	DurationMinutes int       `json:"duration_minutes"`
	Note            string    `json:"note"`
	Outcome         string    `json:"outcome"`
	By              string    `json:"by"`
}

// Conversation is a what-matters conversation.
type Conversation struct {
	HeldAt      string    `json:"held_at"`
	Mode        string    `json:"mode"`
	WhatMatters string    `json:"what_matters"`
	Strengths   []string  `json:"strengths"`
	Interests   string    `json:"interests"`
	Notes       string    `json:"notes"`
	Needs       []Need    `json:"needs"`
	By          string    `json:"by"`
	CreatedAt   time.Time `json:"created_at"`
}

// Need is a need named in a conversation.
type Need struct {
	Code     string `json:"code"`
	Label    string `json:"label"`
	Priority int    `json:"priority"`
}

// Plan is the person's plan.
type Plan struct {
	Goals     []casework.Goal `json:"goals"`
	UpdatedAt time.Time       `json:"updated_at"`
	UpdatedBy string          `json:"updated_by"`
}

// Measure is one completed questionnaire.
type Measure struct {
	Instrument string             `json:"instrument"`
	Timepoint  string             `json:"timepoint"`
	Answers    []float64          `json:"answers"`
	Score      map[string]float64 `json:"score"`
	RecordedAt time.Time          `json:"recorded_at"`
	By         string             `json:"by"`
}

// Connection is a social prescription with what the provider recorded.
type Connection struct {
	Service         string             `json:"service"`
	Organisation    string             `json:"organisation"`
	Kind            string             `json:"kind"`
	Status          string             `json:"status"`
	Reason          string             `json:"reason"`
	NoteForProvider string             `json:"note_for_provider"`
	SharedContact   connection.Contact `json:"shared_contact"`
	FirstSession    string             `json:"first_session"`
	CreatedBy       string             `json:"created_by"`
	CreatedAt       time.Time          `json:"created_at"`
	DecidedAt       *time.Time         `json:"decided_at"`
	FirstAttendedAt *time.Time         `json:"first_attended_at"`
	ClosedAt        *time.Time         `json:"closed_at"`
	Attendance      []Attendance       `json:"attendance"`
	History         []ConnectionEvent  `json:"history"`
	Reminders       []SentReminder     `json:"reminders"`
}

// Attendance is one session, attended or not.
type Attendance struct {
	Date       string `json:"date"`
	Attended   bool   `json:"attended"`
	RecordedBy string `json:"recorded_by"`
}

// ConnectionEvent is one thing that happened to a connection: the
// provider's answers and updates are the provider's feedback.
type ConnectionEvent struct {
	At     time.Time `json:"at"`
	Kind   string    `json:"kind"`
	Status string    `json:"status"`
	Text   string    `json:"text"`
	By     string    `json:"by"`
}

// SentReminder is a reminder of a first session written for the person.
type SentReminder struct {
	FirstSession string    `json:"first_session"`
	Channel      string    `json:"channel"`
	CreatedAt    time.Time `json:"created_at"`
}

// Preferences are the days, times, distance, cost and access needs that
// suit the person.
type Preferences struct {
	Days          []string  `json:"days"`
	Times         []string  `json:"times"`
	MaxKm         float64   `json:"max_km"`
	MaxCostPence  *int64    `json:"max_cost_pence"`
	Accessibility []string  `json:"accessibility"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// UnmetNeed is a need for which no suitable service was found nearby.
type UnmetNeed struct {
	Need   string `json:"need"`
	Label  string `json:"label"`
	Area   string `json:"area"`
	OnDate string `json:"on_date"`
}

// ReminderChoice is how the person wants to be reminded of sessions.
type ReminderChoice struct {
	Channel  string    `json:"channel"`
	ChosenBy string    `json:"chosen_by"`
	ChosenAt time.Time `json:"chosen_at"`
}

// Access is one of the person's sign-in links, codes or sessions (never
// the secret itself, which is not held).
type Access struct {
	Kind       string     `json:"kind"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	UsedAt     *time.Time `json:"used_at"`
	LastSeenAt *time.Time `json:"last_seen_at"`
}

// Message is an email or text message to the person.
type Message struct {
	Kind      string     `json:"kind"`
	Channel   string     `json:"channel"`
	To        string     `json:"to"`
	Subject   string     `json:"subject"`
	Body      string     `json:"body"`
	Status    string     `json:"status"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at"`
}

// Request is a request about the person's rights that was acted on.
type Request struct {
	Kind   string    `json:"kind"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
	By     string    `json:"by"`
}

// AuditEntry is one read or change of the person's record.
type AuditEntry struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Action string    `json:"action"`
	What   string    `json:"what"`
	ID     string    `json:"object_id"`
}

// Export gathers everything held about a person from one consistent
// snapshot and records the export in the audit log. Callers check who may
// have it (MayExport, or the person themselves).
func (s *Store) Export(ctx context.Context, by referral.Actor, personID string) (Export, error) {
	if !oikos.PlainText(personID, false) || len(personID) > 100 {
		return Export{}, oikos.NotFound("Person")
	}
	out := Export{GeneratedAt: s.now()}
	err := s.DB.ReadTx(ctx, func(tx *sql.Tx) error {
		r := &reader{ctx: ctx, tx: tx}
		return r.export(personID, &out)
	})
	if err != nil {
		return Export{}, err
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error { return s.audit(ctx, tx, by, ActionExport, personID) })
	return out, err
}

// reader reads one person's export inside a read transaction, keeping the
// first error so that each section reads straight through.
type reader struct {
	ctx context.Context
	tx  *sql.Tx
}

// actorSQL names the person who did something, from an actor id column
// joined to users as alias u: see who.
const actorSQL = "COALESCE(u.name, ''), COALESCE(u.role, '')"

// who says who an actor is: a user by name and role; the person
// themselves; or Oikos itself.
func who(id, name, role string) string {
	switch {
	case name != "":
		return name + " (" + auth.Role(role).Label() + ")"
	case strings.HasPrefix(id, "person:"):
		return "The person"
	case id == "system":
		return "Oikos"
	case id == "anonymous":
		return "Someone not signed in"
	case strings.HasPrefix(id, "link:"):
		return "A provider, through an answer link"
	}
	return id
}

// each runs a query and scan for every row.
func (r *reader) each(scan func(rows *sql.Rows) error, q string, args ...any) error {
	rows, err := r.tx.QueryContext(r.ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (r *reader) export(personID string, out *Export) error {
	p := &out.Person
	var created, updated int64
	var restricted, erased sql.NullInt64
	var needs string
	err := r.tx.QueryRowContext(r.ctx, `SELECT id, given_name, family_name, date_of_birth, nhs_number, postcode, phone, email,
		preferred_contact, age_band, sex, ethnicity, interpreter_language, access_needs, next_of_kin_name, next_of_kin_relationship,
		next_of_kin_phone, created_at, updated_at, restricted_at, erased_at FROM people WHERE id = $1`, personID).
		Scan(&p.ID, &p.GivenName, &p.FamilyName, &p.DateOfBirth, &p.NHSNumber, &p.Postcode, &p.Phone, &p.Email, &p.PreferredContact,
			&p.AgeBand, &p.Sex, &p.Ethnicity, &p.InterpreterLanguage, &needs, &p.NextOfKin.Name, &p.NextOfKin.Relationship,
			&p.NextOfKin.Phone, &created, &updated, &restricted, &erased)
	if err == sql.ErrNoRows {
		return oikos.NotFound("Person")
	} else if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(needs), &p.AccessNeeds); err != nil || p.AccessNeeds == nil {
		p.AccessNeeds = []string{}
	}
	p.CreatedAt, p.UpdatedAt = db.Time(created), db.Time(updated)
	p.RestrictedAt, p.ErasedAt = optionalTime(restricted), optionalTime(erased)

	if err := r.referrals(personID, out); err != nil {
		return fmt.Errorf("referrals: %w", err)
	}
	for i := range out.Referrals {
		if err := r.referralParts(&out.Referrals[i]); err != nil {
			return fmt.Errorf("referral %s: %w", out.Referrals[i].ID, err)
		}
	}
	for _, section := range []struct {
		name string
		read func(string, *Export) error
	}{{"reminders", r.reminders}, {"portal access", r.access}, {"messages", r.messages}, {"requests", r.requests}, {"audit", r.audit}} {
		if err := section.read(personID, out); err != nil {
			return fmt.Errorf("%s: %w", section.name, err)
		}
	}
	return nil
}

func (r *reader) referrals(personID string, out *Export) error {
	out.Referrals = []Referral{}
	return r.each(func(rows *sql.Rows) error {
		var ref Referral
		var reasons, name, role string
		var consentAt, received int64
		var first, closed sql.NullInt64
		if err := rows.Scan(&ref.ID, &ref.Reference, &ref.Status, &ref.SourceType, &ref.SourceOrganisation, &ref.ReferrerName, &reasons,
			&ref.Urgency, &ref.Notes, &ref.ConsentGiven, &ref.ConsentShare, &ref.ConsentBy, &consentAt, &ref.AssignedTo, &name, &role,
			&ref.ClosedReason, &ref.Channel, &received, &first, &closed, &ref.ReferredAs.GivenName, &ref.ReferredAs.FamilyName,
			&ref.ReferredAs.DateOfBirth, &ref.ReferredAs.NHSNumber, &ref.ReferredAs.Postcode, &ref.ReferredAs.Phone, &ref.ReferredAs.Email,
			&ref.ReasonText, &ref.GPShare); err != nil {
			return err
		}
		if ref.AssignedTo != "" {
			ref.AssignedTo = who(ref.AssignedTo, name, role)
		}
		ref.Reasons = strings.Fields(reasons)
		ref.ConsentAt, ref.ReceivedAt = db.Time(consentAt), db.Time(received)
		ref.FirstContactAt, ref.ClosedAt = optionalTime(first), optionalTime(closed)
		out.Referrals = append(out.Referrals, ref)
		return nil
	}, `SELECT r.id, r.reference, r.status, r.source_type, COALESCE(o.name, ''), r.referrer_name, r.reasons, r.urgency, r.notes,
		r.consent_given, r.consent_share, r.consent_by, r.consent_at, COALESCE(r.assigned_to, ''), `+actorSQL+`,
		r.closed_reason, r.channel, r.received_at, r.first_contact_at, r.closed_at,
		r.sent_given_name, r.sent_family_name, r.sent_date_of_birth, r.sent_nhs_number, r.sent_postcode, r.sent_phone, r.sent_email,
		r.reason_text, r.gp_share
		FROM referrals r LEFT JOIN organisations o ON o.id = r.source_organisation_id LEFT JOIN users u ON u.id = r.assigned_to
		WHERE r.person_id = $1 ORDER BY r.received_at, r.id`, personID)
}

// referralParts reads what hangs from one referral.
func (r *reader) referralParts(ref *Referral) error {
	for _, part := range []struct {
		name string
		read func(*Referral) error
	}{{"history", r.history}, {"contacts", r.contacts}, {"conversations", r.conversations}, {"plan", r.plan},
		{"measures", r.measures}, {"connections", r.connections}, {"preferences", r.preferences}, {"unmet needs", r.unmet},
		{"safeguarding concerns", r.concerns}, {"volunteer matches", r.volunteerMatches}, {"mentor invitation", r.mentorInvitation},
		{"budget", r.budget}} {
		if err := part.read(ref); err != nil {
			return fmt.Errorf("%s: %w", part.name, err)
		}
	}
	return nil
}

func (r *reader) history(ref *Referral) error {
	ref.History = []Event{}
	return r.each(func(rows *sql.Rows) error {
		var e Event
		var at int64
		var actor, name, role, assigned, aName, aRole string
		if err := rows.Scan(&at, &actor, &name, &role, &e.FromStatus, &e.ToStatus, &e.Reason, &assigned, &aName, &aRole); err != nil {
			return err
		}
		e.At, e.By = db.Time(at), who(actor, name, role)
		if assigned != "" {
			e.AssignedTo = who(assigned, aName, aRole)
		}
		ref.History = append(ref.History, e)
		return nil
	}, `SELECT e.at, e.actor_id, `+actorSQL+`, e.from_status, e.to_status, e.reason, e.assigned_to, COALESCE(a.name, ''), COALESCE(a.role, '')
		FROM referral_events e LEFT JOIN users u ON u.id = e.actor_id LEFT JOIN users a ON a.id = e.assigned_to
		WHERE e.referral_id = $1 ORDER BY e.position`, ref.ID)
}

func (r *reader) contacts(ref *Referral) error {
	ref.Contacts = []Contact{}
	return r.each(func(rows *sql.Rows) error {
		var c Contact
		var at int64
		var actor, name, role string
		if err := rows.Scan(&at, &c.Mode, &c.DurationMinutes, &c.Note, &c.Outcome, &actor, &name, &role); err != nil {
			return err
		}
		c.At, c.By = db.Time(at), who(actor, name, role)
		ref.Contacts = append(ref.Contacts, c)
		return nil
	}, `SELECT c.at, c.mode, c.duration_minutes, c.note, c.outcome, c.by_user, `+actorSQL+`
		FROM contacts c LEFT JOIN users u ON u.id = c.by_user WHERE c.referral_id = $1 ORDER BY c.at, c.id`, ref.ID)
}

func (r *reader) conversations(ref *Referral) error {
	ref.Conversations = []Conversation{}
	return r.each(func(rows *sql.Rows) error {
		var c Conversation
		var strengths, needs, actor, name, role string
		var created int64
		if err := rows.Scan(&c.HeldAt, &c.Mode, &c.WhatMatters, &strengths, &c.Interests, &c.Notes, &needs, &actor, &name, &role, &created); err != nil {
			return err
		}
		c.By, c.CreatedAt = who(actor, name, role), db.Time(created)
		if err := json.Unmarshal([]byte(strengths), &c.Strengths); err != nil {
			return fmt.Errorf("strengths: %w", err)
		}
		var stored []struct {
			Code     string `json:"code"`
			Priority int    `json:"priority"`
		}
		if err := json.Unmarshal([]byte(needs), &stored); err != nil {
			return fmt.Errorf("needs: %w", err)
		}
		c.Needs = []Need{}
		for _, n := range stored {
			label := n.Code
			if known, ok := taxonomy.NeedByCode(n.Code); ok {
				label = known.Label
			}
			c.Needs = append(c.Needs, Need{Code: n.Code, Label: label, Priority: n.Priority})
		}
		if c.Strengths == nil {
			c.Strengths = []string{}
		}
		ref.Conversations = append(ref.Conversations, c)
		return nil
	}, `SELECT c.held_at, c.mode, c.what_matters, c.strengths, c.interests, c.notes, c.needs, c.by_user, `+actorSQL+`, c.created_at
		FROM conversations c LEFT JOIN users u ON u.id = c.by_user WHERE c.referral_id = $1 ORDER BY c.created_at, c.id`, ref.ID)
}

func (r *reader) plan(ref *Referral) error {
	var goals, actor, name, role string
	var updated int64
	err := r.tx.QueryRowContext(r.ctx, `SELECT pl.goals, pl.updated_at, pl.updated_by, `+actorSQL+`
		FROM plans pl LEFT JOIN users u ON u.id = pl.updated_by WHERE pl.referral_id = $1`, ref.ID).Scan(&goals, &updated, &actor, &name, &role)
	if err == sql.ErrNoRows {
		return nil
	} else if err != nil {
		return err
	}
	p := &Plan{UpdatedAt: db.Time(updated), UpdatedBy: who(actor, name, role)}
	if err := json.Unmarshal([]byte(goals), &p.Goals); err != nil {
		return err
	}
	if p.Goals == nil {
		p.Goals = []casework.Goal{}
	}
	ref.Plan = p
	return nil
}

func (r *reader) measures(ref *Referral) error {
	ref.Measures = []Measure{}
	return r.each(func(rows *sql.Rows) error {
		var m Measure
		var answers, score, actor, name, role string
		var at int64
		if err := rows.Scan(&m.Instrument, &m.Timepoint, &answers, &score, &at, &actor, &name, &role); err != nil {
			return err
		}
		m.RecordedAt, m.By = db.Time(at), who(actor, name, role)
		if err := json.Unmarshal([]byte(answers), &m.Answers); err != nil {
			return fmt.Errorf("answers: %w", err)
		}
		if err := json.Unmarshal([]byte(score), &m.Score); err != nil {
			return fmt.Errorf("score: %w", err)
		}
		ref.Measures = append(ref.Measures, m)
		return nil
	}, `SELECT m.instrument, m.timepoint, m.answers, m.score, m.recorded_at, m.by_actor, `+actorSQL+`
		FROM measures m LEFT JOIN users u ON u.id = m.by_actor WHERE m.referral_id = $1 ORDER BY m.recorded_at, m.id`, ref.ID)
}

func (r *reader) connections(ref *Referral) error {
	ref.Connections = []Connection{}
	var ids []string
	err := r.each(func(rows *sql.Rows) error {
		var c Connection
		var id, shared, actor, name, role string
		var created int64
		var decided, attended, closed sql.NullInt64
		if err := rows.Scan(&id, &c.Service, &c.Organisation, &c.Kind, &c.Status, &c.Reason, &c.NoteForProvider, &shared, &c.FirstSession,
			&actor, &name, &role, &created, &decided, &attended, &closed); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(shared), &c.SharedContact); err != nil {
			return fmt.Errorf("shared contact: %w", err)
		}
		c.CreatedBy, c.CreatedAt = who(actor, name, role), db.Time(created)
		c.DecidedAt, c.FirstAttendedAt, c.ClosedAt = optionalTime(decided), optionalTime(attended), optionalTime(closed)
		ids = append(ids, id)
		ref.Connections = append(ref.Connections, c)
		return nil
	}, `SELECT c.id, sv.name, o.name, c.kind, c.status, c.reason, c.note_for_provider, c.shared_contact, c.first_session,
		c.created_by, `+actorSQL+`, c.created_at, c.decided_at, c.first_attended_at, c.closed_at
		FROM connections c JOIN services sv ON sv.id = c.service_id JOIN organisations o ON o.id = c.organisation_id
		LEFT JOIN users u ON u.id = c.created_by WHERE c.referral_id = $1 ORDER BY c.created_at, c.id`, ref.ID)
	if err != nil {
		return err
	}
	for i, id := range ids {
		if err := r.connectionParts(id, &ref.Connections[i]); err != nil {
			return err
		}
	}
	return nil
}

func (r *reader) connectionParts(id string, c *Connection) error {
	c.Attendance, c.History, c.Reminders = []Attendance{}, []ConnectionEvent{}, []SentReminder{}
	err := r.each(func(rows *sql.Rows) error {
		var a Attendance
		var actor, name, role string
		if err := rows.Scan(&a.Date, &a.Attended, &actor, &name, &role); err != nil {
			return err
		}
		a.RecordedBy = who(actor, name, role)
		c.Attendance = append(c.Attendance, a)
		return nil
	}, `SELECT a.date, a.attended, a.recorded_by, `+actorSQL+`
		FROM connection_attendance a LEFT JOIN users u ON u.id = a.recorded_by WHERE a.connection_id = $1 ORDER BY a.date`, id)
	if err != nil {
		return err
	}
	err = r.each(func(rows *sql.Rows) error {
		var e ConnectionEvent
		var at int64
		var actor, name, role string
		if err := rows.Scan(&at, &e.Kind, &e.Status, &e.Text, &actor, &name, &role); err != nil {
			return err
		}
		e.At, e.By = db.Time(at), who(actor, name, role)
		c.History = append(c.History, e)
		return nil
	}, `SELECT e.at, e.kind, e.status, e.text, e.actor_id, `+actorSQL+`
		FROM connection_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.connection_id = $1 ORDER BY e.position`, id)
	if err != nil {
		return err
	}
	return r.each(func(rows *sql.Rows) error {
		var s SentReminder
		var at int64
		if err := rows.Scan(&s.FirstSession, &s.Channel, &at); err != nil {
			return err
		}
		s.CreatedAt = db.Time(at)
		c.Reminders = append(c.Reminders, s)
		return nil
	}, `SELECT first_session, channel, created_at FROM session_reminders WHERE connection_id = $1 ORDER BY created_at`, id)
}

func (r *reader) preferences(ref *Referral) error {
	var days, times, access string
	var updated int64
	p := &Preferences{}
	var cost sql.NullInt64
	err := r.tx.QueryRowContext(r.ctx, `SELECT days, times, max_km, max_cost_pence, accessibility, updated_at
		FROM referral_preferences WHERE referral_id = $1`, ref.ID).Scan(&days, &times, &p.MaxKm, &cost, &access, &updated)
	if err == sql.ErrNoRows {
		return nil
	} else if err != nil {
		return err
	}
	for _, list := range []struct {
		stored string
		into   *[]string
	}{{days, &p.Days}, {times, &p.Times}, {access, &p.Accessibility}} {
		if err := json.Unmarshal([]byte(list.stored), list.into); err != nil {
			return err
		}
	}
	if cost.Valid {
		p.MaxCostPence = &cost.Int64
	}
	p.UpdatedAt = db.Time(updated)
	ref.Preferences = p
	return nil
}

func (r *reader) unmet(ref *Referral) error {
	ref.UnmetNeeds = []UnmetNeed{}
	return r.each(func(rows *sql.Rows) error {
		var u UnmetNeed
		if err := rows.Scan(&u.Need, &u.Area, &u.OnDate); err != nil {
			return err
		}
		u.Label = u.Need
		if n, ok := taxonomy.NeedByCode(u.Need); ok {
			u.Label = n.Label
		}
		ref.UnmetNeeds = append(ref.UnmetNeeds, u)
		return nil
	}, `SELECT need, area, on_date FROM unmet_needs WHERE referral_id = $1 ORDER BY on_date, need`, ref.ID)
}

func (r *reader) reminders(personID string, out *Export) error {
	var c ReminderChoice
	var actor, name, role string
	var at int64
	err := r.tx.QueryRowContext(r.ctx, `SELECT rc.channel, rc.chosen_by, `+actorSQL+`, rc.chosen_at
		FROM reminder_choices rc LEFT JOIN users u ON u.id = rc.chosen_by WHERE rc.person_id = $1`, personID).Scan(&c.Channel, &actor, &name, &role, &at)
	if err == sql.ErrNoRows {
		return nil
	} else if err != nil {
		return err
	}
	c.ChosenBy, c.ChosenAt = who(actor, name, role), db.Time(at)
	out.Reminders = &c
	return nil
}

func (r *reader) access(personID string, out *Export) error {
	out.PortalAccess = []Access{}
	return r.each(func(rows *sql.Rows) error {
		var a Access
		var created, expires int64
		var used, seen sql.NullInt64
		if err := rows.Scan(&a.Kind, &created, &expires, &used, &seen); err != nil {
			return err
		}
		a.CreatedAt, a.ExpiresAt, a.UsedAt, a.LastSeenAt = db.Time(created), db.Time(expires), optionalTime(used), optionalTime(seen)
		out.PortalAccess = append(out.PortalAccess, a)
		return nil
	}, `SELECT kind, created_at, expires_at, used_at, last_seen_at FROM person_access WHERE person_id = $1 ORDER BY created_at`, personID)
}

// messagesSQL finds the outbox rows to a person: those to their email
// address or mobile number, and the reminders written for them.
// Notifications to staff name a referral by its reference, never the
// person, so they are not the person's messages.
const messagesSQL = ` FROM outbox WHERE (recipient <> '' AND (lower(recipient) = lower($1) OR recipient = $2))
	OR id IN (SELECT sr.outbox_id FROM session_reminders sr JOIN connections c ON c.id = sr.connection_id
		JOIN referrals r ON r.id = c.referral_id WHERE r.person_id = $3)`

// recipients are the addresses a person's messages go to: their email as
// held and their phone as a text message is addressed.
func recipients(email, phone string) (string, string) {
	mobile, err := notify.NormaliseUKMobile(phone)
	if err != nil {
		mobile = ""
	}
	return strings.TrimSpace(email), mobile
}

func (r *reader) messages(personID string, out *Export) error {
	out.Messages = []Message{}
	email, mobile := recipients(out.Person.Email, out.Person.Phone)
	return r.each(func(rows *sql.Rows) error {
		var m Message
		var created int64
		var sent sql.NullInt64
		if err := rows.Scan(&m.Kind, &m.Channel, &m.To, &m.Subject, &m.Body, &m.Status, &created, &sent); err != nil {
			return err
		}
		m.CreatedAt, m.SentAt = db.Time(created), optionalTime(sent)
		out.Messages = append(out.Messages, m)
		return nil
	}, `SELECT kind, channel, recipient, subject, body, status, created_at, sent_at`+messagesSQL+` ORDER BY created_at, id`, email, mobile, personID)
}

func (r *reader) requests(personID string, out *Export) error {
	out.Requests = []Request{}
	return r.each(func(rows *sql.Rows) error {
		var q Request
		var at int64
		var actor, name, role string
		if err := rows.Scan(&q.Kind, &q.Reason, &at, &actor, &name, &role); err != nil {
			return err
		}
		q.At, q.By = db.Time(at), who(actor, name, role)
		out.Requests = append(out.Requests, q)
		return nil
	}, `SELECT q.kind, q.reason, q.at, q.by_actor, `+actorSQL+`
		FROM person_requests q LEFT JOIN users u ON u.id = q.by_actor WHERE q.person_id = $1 ORDER BY q.at, q.id`, personID)
}

// auditKinds lists the kinds of object in the audit log, one index probe
// each (a loose index scan), so that the person's entries are then found
// through the (object_kind, object_id) index for every kind of record that
// carries a referral's id, including kinds added after this was written.
const auditKinds = `WITH RECURSIVE k (kind) AS (
	SELECT MIN(object_kind) FROM audit_log
	UNION ALL
	SELECT (SELECT MIN(object_kind) FROM audit_log WHERE object_kind > k.kind) FROM k WHERE k.kind IS NOT NULL)
	SELECT kind FROM k WHERE kind IS NOT NULL`

func (r *reader) audit(personID string, out *Export) error {
	out.Audit = []AuditEntry{}
	kinds, err := db.Strings(r.ctx, r.tx, auditKinds)
	if err != nil {
		return err
	}
	// The person's own entries, and those of every part of their
	// referrals (object kinds "referral" and "referral.*" carry the
	// referral's id).
	args := []any{personID}
	conds := []string{"(a.object_kind = 'person' AND a.object_id = $1)"}
	var refKinds, refIDs []string
	for _, k := range kinds {
		if k == "referral" || strings.HasPrefix(k, "referral.") {
			args = append(args, k)
			refKinds = append(refKinds, fmt.Sprintf("$%d", len(args)))
		}
	}
	for _, ref := range out.Referrals {
		args = append(args, ref.ID)
		refIDs = append(refIDs, fmt.Sprintf("$%d", len(args)))
	}
	if len(refKinds) > 0 && len(refIDs) > 0 {
		conds = append(conds, "(a.object_kind IN ("+strings.Join(refKinds, ", ")+") AND a.object_id IN ("+strings.Join(refIDs, ", ")+"))")
	}
	ids := make([]string, len(out.Referrals))
	for i, ref := range out.Referrals {
		ids[i] = ref.ID
	}
	more, args, err := r.communityAudit(ids, args)
	if err != nil {
		return err
	}
	conds = append(conds, more...)
	return r.each(func(rows *sql.Rows) error {
		var e AuditEntry
		var at int64
		var actor, name, role string
		if err := rows.Scan(&at, &actor, &name, &role, &e.Action, &e.What, &e.ID); err != nil {
			return err
		}
		e.At, e.By = db.Time(at), who(actor, name, role)
		out.Audit = append(out.Audit, e)
		return nil
	}, `SELECT a.at, a.actor_id, `+actorSQL+`, a.action, a.object_kind, a.object_id
		FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id WHERE `+strings.Join(conds, " OR ")+` ORDER BY a.id`, args...)
}
