package referral

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"oikos/internal/db"
)

// Group commit. A durable commit waits for the disk (an fsync of the
// SQLite WAL, a flush of the PostgreSQL WAL) and for the audit chain's
// tail, which only one transaction at a time may extend. Referrals that
// arrive together therefore share one transaction: the first caller leads,
// writes everything queued so far with one statement per table, commits
// once, and answers each caller only after that commit. Referrals arriving
// meanwhile queue for the next batch, which the next waiting caller leads.
// A lone referral is a batch of one and waits for nobody.

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
	// person once matched.
	r Referral
	// err is the answer when the referral was not made; existingID names
	// the first referral when err is ErrAlreadyReceived.
	err        error
	existingID string
	// done is set once err and r are the answer.
	done bool
	// wake is closed once the referral is answered, or to hand this
	// caller the lead (then promoted is set first).
	wake     chan struct{}
	promoted bool
}

// answer settles j's outcome.
func (j *intake) answer(err error) { j.err, j.done = err, true }

// intakeQueue holds the referrals waiting for the batch being written.
type intakeQueue struct {
	mu      sync.Mutex
	waiting []*intake
	leading bool // a caller is writing a batch
	// prepared is the leader's: one leads at a time.
	prepared *intakeStatements
}

// The statements that write a batch.
const (
	organisationSQL = "SELECT 1 FROM organisations WHERE id = $1"
	sentBeforeSQL   = "SELECT id FROM referrals WHERE channel = $1 AND external_id = $2"
	matchSQL        = `SELECT id, given_name, family_name, date_of_birth, nhs_number, postcode FROM people
		WHERE (nhs_number <> '' AND nhs_number = $1) OR (lower(family_name) = lower($2) AND date_of_birth = $3) LIMIT 50`
	insertPeopleSQL = `INSERT INTO people (id, given_name, family_name, date_of_birth, nhs_number, postcode, phone, email,
		age_band, created_at, updated_at) VALUES `
	insertReferralsSQL = `INSERT INTO referrals (id, reference, person_id, status, source_type, source_organisation_id, referrer_user_id,
		referrer_name, reasons, urgency, notes, consent_given, consent_share, consent_by, consent_at, possible_match_id, channel, external_id,
		received_at, updated_at) VALUES `
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
		st.people[rows] = prepare(insertPeopleSQL + db.Rows(rows, 11))
		st.referrals[rows] = prepare(insertReferralsSQL + db.Rows(rows, 20))
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

var errBatchAborted = errors.New("referral batch aborted")

// submit writes j, alone or with the others queued with it, and returns
// once j is answered.
func (q *intakeQueue) submit(ctx context.Context, s *Store, j *intake) {
	q.mu.Lock()
	q.waiting = append(q.waiting, j)
	if q.leading {
		q.mu.Unlock()
		<-j.wake
		if !j.promoted {
			return
		}
	} else {
		q.leading = true
		q.mu.Unlock()
	}
	q.lead(ctx, s, j)
}

// lead writes one batch: everything waiting, self first (it was the
// first waiting when it took the lead), then hands the lead to whoever
// waits next.
func (q *intakeQueue) lead(ctx context.Context, s *Store, self *intake) {
	q.mu.Lock()
	n := min(len(q.waiting), maxBatch)
	batch := slices.Clone(q.waiting[:n])
	q.waiting = q.waiting[n:]
	q.mu.Unlock()
	// Whatever happens (even a panic), every caller is answered and the
	// lead passes on: nobody waits forever.
	defer func() {
		for _, j := range batch {
			if !j.done {
				j.err = errBatchAborted
			}
		}
		q.mu.Lock()
		if len(q.waiting) > 0 {
			next := q.waiting[0]
			next.promoted = true
			close(next.wake)
		} else {
			q.leading = false
		}
		q.mu.Unlock()
		for _, j := range batch {
			if j != self {
				close(j.wake)
			}
		}
	}()
	s.writeBatch(ctx, batch)
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
	id  string
	key PersonKey
}

// matchAmong matches a person against those made earlier in the same batch
// as matchPerson does against the database (same NHS number, or same
// family name and date of birth, then Compare), keeping a possible match
// already found there.
func matchAmong(made []matchable, key PersonKey, possible string) (sameID, possibleID string) {
	for _, m := range made {
		sameNHS := key.NHSNumber != "" && key.NHSNumber == m.key.NHSNumber
		if !sameNHS && (key.DateOfBirth != m.key.DateOfBirth || !strings.EqualFold(key.FamilyName, m.key.FamilyName)) {
			continue
		}
		switch Compare(key, m.key) {
		case SurelySame:
			return m.id, ""
		case PossibleMatch:
			if possible == "" {
				possible = m.id
			}
		}
	}
	return "", possible
}
