// Package casefile is how staff and the person reach a person's record: who
// may see which referral and connection, and as what (auth's rules applied
// to them), and the reads that gather a whole page of the record at once,
// in one read transaction with one batch of audit entries.
package casefile

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/casework"
	"oikos/internal/connection"
	"oikos/internal/db"
	"oikos/internal/fhir"
	"oikos/internal/org"
	"oikos/internal/outcome"
	"oikos/internal/privacy"
	"oikos/internal/referral"
	"oikos/internal/taxonomy"
)

// Reader reads case files. The stores are the application's, for the
// parts whose reads do more than read (measures score themselves on the
// way).
type Reader struct {
	DB       *db.DB
	Now      func() time.Time
	Outcomes *outcome.Store
}

// NewReader returns a Reader on d with the real clock.
func NewReader(d *db.DB, outcomes *outcome.Store) *Reader {
	return &Reader{DB: d, Now: time.Now, Outcomes: outcomes}
}

func (r *Reader) now() time.Time { return r.Now().UTC().Truncate(time.Millisecond) }

// Object is a referral as the access policy sees it.
func Object(ref referral.Referral) auth.Object {
	kind, id, assigned, created := ref.Object()
	return auth.Object{Kind: kind, ID: id, AssignedTo: assigned, CreatedBy: created, SchemeID: ref.SchemeID,
		InTriage: assigned == "" && ref.Status != referral.Closed}
}

// ConnectionObject is a connection as the access policy sees it.
func ConnectionObject(c connection.Connection) auth.Object {
	kind, id, orgID, assigned, created := c.Object()
	return auth.Object{Kind: kind, ID: id, OrganisationID: orgID, AssignedTo: assigned, CreatedBy: created, SchemeID: c.SchemeID}
}

// ForCaller shapes a referral for p: a referrer sees how it is going and
// the person as they sent them (never the person record, which may be
// someone's already known), never the notes.
func ForCaller(p *auth.Principal, ref referral.Referral) referral.Referral {
	if auth.SeesAsSent(p) {
		ref = ref.AsSent()
		ref.Notes = ""
	}
	return ref
}

// ConnectionForCaller shapes a connection for p: a provider sees what was
// sent to them, not the referral behind it.
func ConnectionForCaller(p *auth.Principal, c connection.Connection) connection.Connection {
	if auth.SeesAsProvider(p) {
		return c.ForProvider()
	}
	return c
}

// ScopeReferrals limits a referral list to what p may see, as auth.Can
// does one referral: a referrer what they referred; a link worker their
// caseload and their scheme's triage queue; a manager their scheme's.
func ScopeReferrals(p *auth.Principal, f *referral.Filter) {
	switch p.Role {
	case auth.Referrer:
		f.ReferrerUserID = p.UserID
	case auth.LinkWorker:
		f.VisibleTo = p.UserID
	case auth.Manager:
		// Managers alone see people whose record is restricted.
		f.ShowRestricted = true
	}
	if p.Role.InScheme() {
		f.InScheme, f.SchemeID = true, p.SchemeID
	}
}

// ScopeConnections limits a connection list to what p may see; ok is false
// when they may see none (a provider account without an organisation).
func ScopeConnections(p *auth.Principal, f *connection.Filter) (ok bool) {
	switch p.Role {
	case auth.Provider:
		f.OrganisationID = p.OrganisationID
		return p.OrganisationID != ""
	case auth.LinkWorker:
		f.AssignedTo = p.UserID
		f.InScheme, f.SchemeID = true, p.SchemeID
		return true
	case auth.Manager:
		f.InScheme, f.SchemeID = true, p.SchemeID
		f.ShowRestricted = true
		return true
	}
	return false
}

// Find loads the referral id that p may act on (act), or not-found, without
// recording the read: for a caller that records it with the rest of what
// it reads.
func (r *Reader) Find(ctx context.Context, p *auth.Principal, id string, act auth.Action) (referral.Referral, error) {
	ref, err := referral.Read(ctx, r.DB.R(), id)
	if err != nil {
		return ref, err
	}
	if !auth.Can(p, act, Object(ref)) {
		return referral.Referral{}, oikos.NotFound("Referral")
	}
	return ref, nil
}

// Open loads the referral id that p may act on (act), or not-found, and
// records the read of the person's record.
func (r *Reader) Open(ctx context.Context, p *auth.Principal, by oikos.Actor, id string, act auth.Action) (referral.Referral, error) {
	ref, err := r.Find(ctx, p, id, act)
	if err != nil {
		return ref, err
	}
	return ref, r.record(ctx, []audit.Event{r.read(by, "referral", ref.ID)})
}

// read is the audit entry of one read.
func (r *Reader) read(by oikos.Actor, kind, id string) audit.Event {
	return audit.Event{At: r.now(), ActorID: by.UserID, Action: audit.Read, ObjectKind: kind, ObjectID: id, Client: by.Client}
}

// record writes a request's audit entries together, in one transaction.
func (r *Reader) record(ctx context.Context, events []audit.Event) error {
	if len(events) == 0 {
		return nil
	}
	return audit.RecordAll(ctx, r.DB, events)
}

// File is a referral's page: what the caller may see of the referral and
// the work with the person.
type File struct {
	// Referral is as the caller may see it (ForCaller).
	Referral referral.Referral
	// CanChange: the caller may act on the referral.
	CanChange bool
	// Case is the work with the person, for a caseworker once the referral
	// is past triage; nil otherwise.
	Case *Case
	// Connections are the referral's, oldest first; a referrer sees each
	// as its Summary.
	Connections []connection.Connection
	// Updates are each connection's updates from its service, by
	// connection id (not for a referrer).
	Updates map[string][]connection.Event
	// Triage is for a caseworker who may change the referral; nil
	// otherwise.
	Triage *Triage
	// Rights is for a caseworker; nil otherwise.
	Rights *Rights
}

// Case is the casework on a referral.
type Case struct {
	Contacts      []casework.Contact
	Conversations []casework.Conversation
	Plan          casework.Plan
}

// Triage is what a referral's page offers at triage.
type Triage struct {
	// Match is the person the referral may be a duplicate of, with their
	// referrals, for the link worker to confirm or refuse.
	Match          *referral.Person
	MatchReferrals []referral.Referral
	// AssignedName is the name of the link worker it is assigned to.
	AssignedName string
	// Workers are the scheme's active link workers, for a manager to
	// assign it to (while it is open).
	Workers []auth.User
	// OtherOpen are the same person's other open referrals in the scheme
	// (referral.OtherOpenReferrals), oldest first, so that a second
	// referral is seen at once rather than worked twice.
	OtherOpen []OtherReferral
}

// OtherReferral is another open referral of the same person, and whether
// the caller may open it (it may be another link worker's).
type OtherReferral struct {
	Referral referral.Referral
	MayOpen  bool
}

// Rights is what the person's rights mean on the page: the state of their
// record, and whether the caller may give them a copy or act on a request.
type Rights struct {
	PersonID              string
	State                 privacy.State
	CanExport, CanRequest bool
}

// Read gathers the referral id's page for p, or not-found when p may not
// read it: in one read transaction, and every read of the person's record
// it makes written to the audit log in one batch.
func (r *Reader) Read(ctx context.Context, p *auth.Principal, by oikos.Actor, id string) (File, error) {
	var f File
	var events []audit.Event
	err := r.DB.ReadTx(ctx, func(tx *sql.Tx) error {
		ref, err := referral.Read(ctx, tx, id)
		if err != nil {
			return err
		}
		if !auth.Can(p, auth.ReadAction, Object(ref)) {
			return oikos.NotFound("Referral")
		}
		events = append(events, r.read(by, "referral", ref.ID))
		f = File{Referral: ForCaller(p, ref), CanChange: auth.Can(p, auth.ChangeAction, Object(ref))}
		caseworker := auth.Caseworker(p) && f.CanChange
		if caseworker && ref.Status != referral.Received {
			c := &Case{}
			if c.Contacts, err = casework.ReadContacts(ctx, tx, ref.ID); err != nil {
				return err
			}
			if c.Conversations, err = casework.ReadConversations(ctx, tx, ref.ID); err != nil {
				return err
			}
			if c.Plan, err = casework.ReadPlan(ctx, tx, ref.ID); err != nil {
				return err
			}
			f.Case = c
			events = append(events, r.read(by, casework.KindContacts, ref.ID), r.read(by, casework.KindConversations, ref.ID),
				r.read(by, casework.KindPlan, ref.ID))
		}
		if caseworker {
			if f.Triage, err = r.triage(ctx, tx, p, ref); err != nil {
				return err
			}
			if f.Triage.Match != nil {
				events = append(events, r.read(by, "person", f.Triage.Match.ID))
			}
			ids, err := referral.ReadOtherOpenReferrals(ctx, tx, ref)
			if err != nil {
				return err
			}
			for _, id := range ids {
				other, err := referral.Read(ctx, tx, id)
				if err != nil {
					return err
				}
				f.Triage.OtherOpen = append(f.Triage.OtherOpen, OtherReferral{Referral: other, MayOpen: auth.Can(p, auth.ReadAction, Object(other))})
				events = append(events, r.read(by, "referral", id))
			}
		}
		if f.Connections, err = connection.ReadForReferral(ctx, tx, ref.ID); err != nil {
			return err
		}
		events = append(events, r.read(by, connection.AuditKind, ref.ID))
		if auth.SeesAsSent(p) {
			for i, c := range f.Connections {
				f.Connections[i] = c.Summary()
			}
		} else {
			f.Updates = map[string][]connection.Event{}
			for _, c := range f.Connections {
				all, err := connection.ReadEvents(ctx, tx, c.ID)
				if err != nil {
					return err
				}
				for _, e := range all {
					if e.Kind == "update" {
						f.Updates[c.ID] = append(f.Updates[c.ID], e)
					}
				}
			}
		}
		if auth.Caseworker(p) {
			if f.Rights, err = r.rights(ctx, tx, p, ref.PersonID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return File{}, err
	}
	return f, r.record(ctx, events)
}

func (r *Reader) triage(ctx context.Context, tx *sql.Tx, p *auth.Principal, ref referral.Referral) (*Triage, error) {
	t := &Triage{}
	if ref.PossibleMatchID != "" {
		m, err := referral.ReadPerson(ctx, tx, ref.PossibleMatchID)
		if err != nil {
			return nil, err
		}
		t.Match = &m
		if t.MatchReferrals, err = referral.ReadPersonReferrals(ctx, tx, m.ID); err != nil {
			return nil, err
		}
	}
	if ref.AssignedTo != "" {
		if u, err := auth.ReadUser(ctx, tx, ref.AssignedTo); err == nil {
			t.AssignedName = u.Name
		}
	}
	if auth.AssignsOthers(p) && ref.Status != referral.Closed {
		users, _, err := auth.ReadUsers(ctx, tx, auth.UserFilter{Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			if u.Role == auth.LinkWorker && u.Active && u.SchemeID == ref.SchemeID {
				t.Workers = append(t.Workers, u)
			}
		}
	}
	return t, nil
}

func (r *Reader) rights(ctx context.Context, q db.Querier, p *auth.Principal, personID string) (*Rights, error) {
	st, err := privacy.ReadState(ctx, q, personID, r.DB.Dialect)
	if err != nil {
		return nil, err
	}
	_, objs, err := personReferrals(ctx, q, personID)
	if err != nil {
		return nil, err
	}
	return &Rights{PersonID: personID, State: st, CanExport: privacy.MayExport(p, objs), CanRequest: privacy.MayChange(p, objs)}, nil
}

// personReferrals loads a person's referrals and how the access policy
// sees each. A person with none is not found: nobody on the staff reaches
// a person except through a referral.
func personReferrals(ctx context.Context, q db.Querier, personID string) ([]referral.Referral, []auth.Object, error) {
	refs, err := referral.ReadPersonReferrals(ctx, q, personID)
	if err != nil {
		return nil, nil, err
	}
	if len(refs) == 0 {
		return nil, nil, oikos.NotFound("Person")
	}
	objs := make([]auth.Object, len(refs))
	for i, ref := range refs {
		objs[i] = Object(ref)
	}
	return refs, objs, nil
}

// PersonReferrals loads a person's referrals (newest first) and how the
// access policy sees each; a person with none is not found.
func (r *Reader) PersonReferrals(ctx context.Context, personID string) ([]referral.Referral, []auth.Object, error) {
	return personReferrals(ctx, r.DB.R(), personID)
}

// Held is what is held about a person, as they see it on their own pages.
type Held struct {
	Person    referral.Person
	Referrals []HeldReferral
}

// HeldReferral is one referral's part of what is held.
type HeldReferral struct {
	Referral referral.Referral
	// SourceOrganisation names the organisation that referred, if any.
	SourceOrganisation string
	Contacts           []casework.Contact
	Conversations      []casework.Conversation
	Measures           []outcome.Measure
	Plan               casework.Plan
}

// PersonRecord gathers what is held about the person personID for them:
// their details and every referral's parts, read at once and audited in
// one batch (measures, which score themselves as they are read, each
// audit their own read).
func (r *Reader) PersonRecord(ctx context.Context, by oikos.Actor, personID string) (Held, error) {
	var h Held
	var events []audit.Event
	err := r.DB.ReadTx(ctx, func(tx *sql.Tx) error {
		var err error
		if h.Person, err = referral.ReadPerson(ctx, tx, personID); err != nil {
			return err
		}
		events = append(events, r.read(by, "person", h.Person.ID))
		refs, err := referral.ReadPersonReferrals(ctx, tx, h.Person.ID)
		if err != nil {
			return err
		}
		for _, ref := range refs {
			hr := HeldReferral{Referral: ref}
			if ref.SourceOrganisationID != "" {
				if name, err := org.Name(ctx, tx, ref.SourceOrganisationID); err == nil {
					hr.SourceOrganisation = name
				}
			}
			if hr.Contacts, err = casework.ReadContacts(ctx, tx, ref.ID); err != nil {
				return err
			}
			if hr.Conversations, err = casework.ReadConversations(ctx, tx, ref.ID); err != nil {
				return err
			}
			if hr.Plan, err = casework.ReadPlan(ctx, tx, ref.ID); err != nil {
				return err
			}
			events = append(events, r.read(by, "referral", ref.ID), r.read(by, casework.KindContacts, ref.ID),
				r.read(by, casework.KindConversations, ref.ID), r.read(by, casework.KindPlan, ref.ID))
			h.Referrals = append(h.Referrals, hr)
		}
		return nil
	})
	if err != nil {
		return Held{}, err
	}
	if err := r.record(ctx, events); err != nil {
		return Held{}, err
	}
	for i, hr := range h.Referrals {
		if h.Referrals[i].Measures, err = r.Outcomes.List(ctx, by, hr.Referral.ID); err != nil {
			return Held{}, err
		}
	}
	return h, nil
}

// errStillOpen answers a summary asked for before the referral closed.
var errStillOpen = &oikos.Error{Code: oikos.ECONFLICT,
	Message: "The summary for the GP record is written when the referral closes. This referral is still open."}

// Summary gathers what the GP record is told of the closed referral ref,
// which p may read (its read recorded already): the outcome, needs,
// services and scores in words, never notes, what the person said or what
// providers wrote. scheme names the service that writes it.
func (r *Reader) Summary(ctx context.Context, p *auth.Principal, by oikos.Actor, ref referral.Referral, scheme string) (fhir.ClosureSummary, error) {
	if ref.Status != referral.Closed {
		return fhir.ClosureSummary{}, errStillOpen
	}
	sum := fhir.ClosureSummary{Referral: ForCaller(p, ref), Outcome: referral.CloseReasonLabel(ref.ClosedReason), Scheme: scheme}
	var conversations []casework.Conversation
	var conns []connection.Connection
	err := r.DB.ReadTx(ctx, func(tx *sql.Tx) error {
		if ref.AssignedTo != "" {
			if u, err := auth.ReadUser(ctx, tx, ref.AssignedTo); err == nil {
				sum.LinkWorker = u.Name
			}
		}
		var err error
		if conversations, err = casework.ReadConversations(ctx, tx, ref.ID); err != nil {
			return err
		}
		conns, err = connection.ReadForReferral(ctx, tx, ref.ID)
		return err
	})
	if err == nil {
		err = r.record(ctx, []audit.Event{r.read(by, casework.KindConversations, ref.ID), r.read(by, connection.AuditKind, ref.ID)})
	}
	if err != nil {
		return sum, err
	}
	// Needs addressed: those talked about in the what-matters
	// conversations, else the reasons for the referral.
	for _, c := range conversations {
		for _, n := range c.Needs {
			if !slices.Contains(sum.NeedsAddressed, n.Label) {
				sum.NeedsAddressed = append(sum.NeedsAddressed, n.Label)
			}
		}
	}
	if len(sum.NeedsAddressed) == 0 {
		for _, code := range ref.Reasons {
			if n, ok := taxonomy.NeedByCode(code); ok {
				sum.NeedsAddressed = append(sum.NeedsAddressed, n.Label)
			}
		}
	}
	for _, c := range conns {
		sum.Activities = append(sum.Activities, fhir.Activity{Service: c.ServiceName, Organisation: c.OrganisationName,
			State: c.PlainState(), Sessions: c.SessionsAttended})
	}
	measures, err := r.Outcomes.List(ctx, by, ref.ID)
	if err != nil {
		return sum, err
	}
	sum.Measures = MeasureChanges(measures)
	return sum, nil
}
