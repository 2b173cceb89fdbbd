package referral

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"oikos/internal/db"
)

// Group commit (db.GroupCommit): referrals that arrive together share one
// transaction, with one statement per table, and each caller is answered
// only after its commit. A lone referral is a batch of one and waits for
// nobody.

// maxBatch bounds a batch, and so the time a transaction holds the writer.
const maxBatch = 64

// intake is one Create on its way into the database.
type intake struct {
	ctx     context.Context
	by      Actor
	in      Input
	channel string
	now     time.Time
	// r is the referral as it will be stored: ids are chosen up front, the
	// person and any possible match once written.
	r Referral
	// err is the answer when the referral was not made; existingID names
	// the first referral when err is ErrAlreadyReceived.
	err        error
	existingID string
	// done is set once err and r are the answer.
	done bool
}

// answer settles j's outcome.
func (j *intake) answer(err error) { j.err, j.done = err, true }

// intakeQueue batches referrals for their commit.
type intakeQueue struct {
	group db.GroupCommit[*intake]
	// prepared is the leader's: one leads at a time.
	prepared *intakeStatements
}

func newIntakeQueue() *intakeQueue {
	return &intakeQueue{group: db.GroupCommit[*intake]{Max: maxBatch}}
}

// The statements that write a batch.
const (
	organisationSQL = "SELECT 1 FROM organisations WHERE id = $1"
	sentBeforeSQL   = "SELECT id FROM referrals WHERE channel = $1 AND external_id = $2"
	// matchSQL looks only among the people the referral's own scheme
	// holds ($4): a likeness must not show one scheme's person to another's
	// link worker.
	matchSQL = `SELECT id, given_name, family_name, date_of_birth, nhs_number, postcode FROM people
		WHERE ((nhs_number <> '' AND nhs_number = $1) OR (lower(family_name) = lower($2) AND date_of_birth = $3))
		AND EXISTS (SELECT 1 FROM referrals r WHERE r.person_id = people.id AND r.scheme_id = $4)
		ORDER BY created_at, id LIMIT 50`
	insertPeopleSQL = `INSERT INTO people (id, given_name, family_name, date_of_birth, nhs_number, postcode, phone, email,
		age_band, created_at, updated_at, given_key, family_key) VALUES `
	insertReferralsSQL = `INSERT INTO referrals (id, reference, scheme_id, person_id, status, source_type, source_organisation_id, referrer_user_id,
		referrer_name, reasons, urgency, notes, consent_given, consent_share, consent_by, consent_at, possible_match_id, match_strength,
		channel, external_id, received_at, updated_at, sent_given_name, sent_family_name, sent_date_of_birth, sent_nhs_number, sent_postcode,
		sent_phone, sent_email, reason_text) VALUES `
	insertEventsSQL = `INSERT INTO referral_events (referral_id, position, at, actor_id, from_status, to_status) VALUES `
)

// intakeStatements are writeIntake's statements, prepared once on the
// write connection: parsing them afresh was a fifth of the time a batch
// held the writer. Inserts come in shapes of 1, 2, 4 … maxBatch rows, so
// that a few of a fixed set write any batch.
type intakeStatements struct {
	organisation, sentBefore, match *sql.Stmt
	// people, referrals and events map a shape (rows) to its INSERT.
	people, referrals, events map[int]*sql.Stmt
}

// statements prepares the intake statements the first time. Call it
// outside a transaction (see db.DB.Prepare).
func (q *intakeQueue) statements(ctx context.Context, d *db.DB) (*intakeStatements, error) {
	if q.prepared != nil {
		return q.prepared, nil
	}
	var all []*sql.Stmt
	var err error
	prepare := func(query string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		if st, err = d.Prepare(ctx, query); err == nil {
			all = append(all, st)
		}
		return st
	}
	st := &intakeStatements{organisation: prepare(organisationSQL), sentBefore: prepare(sentBeforeSQL), match: prepare(matchSQL),
		people: map[int]*sql.Stmt{}, referrals: map[int]*sql.Stmt{}, events: map[int]*sql.Stmt{}}
	for rows := 1; rows <= maxBatch; rows *= 2 {
		st.people[rows] = prepare(insertPeopleSQL + db.Rows(rows, 13))
		st.referrals[rows] = prepare(insertReferralsSQL + db.Rows(rows, 30))
		st.events[rows] = prepare(insertEventsSQL + db.Rows(rows, 6))
	}
	if err != nil {
		for _, s := range all {
			s.Close()
		}
		return nil, err
	}
	q.prepared = st
	return st, nil
}

// insertRows writes n rows, their values flattened in args, with as few
// of the prepared shapes as add up to n.
func insertRows(ctx context.Context, tx *sql.Tx, shapes map[int]*sql.Stmt, args []any, n int) error {
	if n == 0 {
		return nil
	}
	cols := len(args) / n
	for rows := maxBatch; n > 0; rows /= 2 {
		for ; n >= rows; n -= rows {
			if _, err := tx.StmtContext(ctx, shapes[rows]).ExecContext(ctx, args[:rows*cols]...); err != nil {
				return err
			}
			args = args[rows*cols:]
		}
	}
	return nil
}

// submit writes j, alone or with the others queued with it, and returns
// once j is answered.
func (q *intakeQueue) submit(ctx context.Context, s *Store, j *intake) {
	err := q.group.Do(j, func(batch []*intake) { s.writeBatch(ctx, batch) })
	if err != nil && !j.done {
		j.answer(err)
	}
}

// writeBatch writes a batch in one transaction. One caller leaving does not
// cancel the others' referrals, so the transaction runs without the
// leader's cancellation; a caller that left before its turn is skipped. If
// the batch fails before its commit, each referral is written again on its
// own, so that one bad referral cannot fail the others.
func (s *Store) writeBatch(ctx context.Context, batch []*intake) {
	var live []*intake
	for _, j := range batch {
		if err := j.ctx.Err(); err != nil {
			j.answer(err)
			continue
		}
		live = append(live, j)
	}
	if len(live) == 0 {
		return
	}
	ctx = context.WithoutCancel(ctx)
	st, err := s.queue().statements(ctx, s.DB)
	if err != nil {
		for _, j := range live {
			j.answer(err)
		}
		return
	}
	if len(live) == 1 {
		s.createAlone(ctx, st, live[0])
		return
	}
	committing := false
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.writeIntake(ctx, tx, st, live); err != nil {
			return err
		}
		committing = true
		return nil
	})
	switch {
	case err == nil:
		for _, j := range live {
			j.answer(j.err) // nil, or why it was refused
		}
	case committing:
		// The commit itself failed: nothing was written, and trying again
		// one by one would most likely fail the same way.
		for _, j := range live {
			j.answer(err)
		}
	default:
		for _, j := range live {
			s.createAlone(ctx, st, j)
		}
	}
}

// createAlone writes one referral in a transaction of its own. When a
// sender's id is taken between the check and the insert (another server
// wrote the same referral at the same moment), the second attempt finds
// the first referral.
func (s *Store) createAlone(ctx context.Context, st *intakeStatements, j *intake) {
	for attempt := 0; ; attempt++ {
		j.err, j.existingID = nil, ""
		err := s.DB.Tx(ctx, func(tx *sql.Tx) error { return s.writeIntake(ctx, tx, st, []*intake{j}) })
		if err != nil && attempt == 0 && j.in.ExternalID != "" && db.IsUniqueViolation(err) {
			continue
		}
		if err != nil {
			j.err = err
		}
		j.answer(j.err)
		return
	}
}

// matchable is a person made earlier in the same batch, for matching.
type matchable struct {
	id     string
	key    PersonKey
	scheme string
}

// matchAmong looks for a likeness among the people made earlier in the
// same batch, as matchPerson does in the database (same NHS number, or same
// family name and date of birth, then StrengthOf), keeping what was found
// there unless one here is stronger. Only people of the same scheme count.
func matchAmong(made []matchable, key PersonKey, scheme, possibleID string, strength Strength) (string, Strength) {
	for _, m := range made {
		if m.scheme != scheme {
			continue
		}
		sameNHS := key.NHSNumber != "" && key.NHSNumber == m.key.NHSNumber
		if !sameNHS && (key.DateOfBirth != m.key.DateOfBirth || !strings.EqualFold(key.FamilyName, m.key.FamilyName)) {
			continue
		}
		if s := StrengthOf(key, m.key); s.Stronger(strength) {
			possibleID, strength = m.id, s
		}
	}
	return possibleID, strength
}
