package outcome

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/db"
	"oikos/internal/referral"
)

// Store records measures against referrals and reads them back scored.
type Store struct {
	DB  *db.DB
	Now func() time.Time
}

// NewStore returns a Store with the real clock.
func NewStore(d *db.DB) *Store { return &Store{DB: d, Now: time.Now} }

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

// auditKind names this part of a person's record in the audit log; the
// object id is the referral's, as for the rest of the casework.
const auditKind = "referral.measures"

// Measure is one completed instrument, scored.
type Measure struct {
	ID         string    `json:"id"`
	Instrument string    `json:"instrument"`
	Timepoint  string    `json:"timepoint"`
	Answers    []int     `json:"answers"`
	Score      Score     `json:"score"`
	RecordedAt time.Time `json:"recorded_at"`
	By         string    `json:"by"`
}

// Recorded is the contract's answer to a new measure.
type Recorded struct {
	ID    string `json:"id"`
	Score Score  `json:"score"`
}

// checkTimepoint names the problem with a timepoint, or "".
func checkTimepoint(tp string) string {
	if slices.Contains(Timepoints, tp) {
		return ""
	}
	return "Timepoint must be baseline, review or exit."
}

// Record checks, scores and stores one completed instrument. A review or an
// exit needs a baseline of the same instrument first, and there is one
// baseline per instrument, so that change is always measured from the
// start; a closed referral's record is kept as it was. Bad input is refused
// field by field (instrument, timepoint, answers, answers[2]).
func (s *Store) Record(ctx context.Context, by referral.Actor, referralID, instrument, timepoint string, answers []float64) (Recorded, error) {
	checked, score, problems := Scoring(instrument, answers)
	if msg := checkTimepoint(timepoint); msg != "" {
		if problems == nil {
			problems = map[string]string{}
		}
		problems["timepoint"] = msg
	}
	if problems != nil {
		return Recorded{}, oikos.Invalid(problems)
	}
	out := Recorded{ID: db.NewID("msr"), Score: score}
	now := s.now()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		// Locked, so that two first baselines sent at once, or a measure
		// and the referral's closing, queue up.
		head, err := referral.Lock(ctx, tx, s.DB.Dialect, referralID)
		if err != nil {
			return err
		}
		status := head.Status
		if status == referral.Closed {
			return &oikos.Error{Code: oikos.ECONFLICT, Message: "This referral is closed, so no more measures can be recorded."}
		}
		var baselines int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM measures WHERE referral_id = $1 AND instrument = $2 AND timepoint = $3`,
			referralID, instrument, Baseline).Scan(&baselines); err != nil {
			return err
		}
		in, _ := InstrumentByCode(instrument)
		switch {
		case timepoint == Baseline && baselines > 0:
			return secondBaseline(in)
		case timepoint != Baseline && baselines == 0:
			return oikos.Invalid(map[string]string{"timepoint": fmt.Sprintf(
				"Record a baseline of %s before a %s, so that there is a start to compare with.", in.Name, timepoint)})
		}
		err = Insert(ctx, tx, referralID, Measure{ID: out.ID, Instrument: instrument, Timepoint: timepoint, Answers: checked,
			Score: score, RecordedAt: now, By: by.UserID})
		if db.IsUniqueViolation(err) {
			// Another baseline was saved a moment ago (migration 0020).
			return secondBaseline(in)
		} else if err != nil {
			return err
		}
		return s.audit(ctx, tx, by, audit.Create, referralID)
	})
	if err != nil {
		return Recorded{}, err
	}
	return out, nil
}

// List reads a referral's measures, oldest first, each scored. Rows stored
// unscored (the what-matters conversation writes its baseline answers as
// given) are scored on the way and the score kept. The read is audited.
func (s *Store) List(ctx context.Context, by referral.Actor, referralID string) ([]Measure, error) {
	var out []Measure
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := referral.ReadHead(ctx, tx, referralID); err != nil {
			return err
		}
		var err error
		if out, err = s.read(ctx, tx, referralID); err != nil {
			return err
		}
		return s.audit(ctx, tx, by, audit.Read, referralID)
	})
	return out, err
}

// read loads and scores the measures inside tx, writing back scores that
// were missing.
func (s *Store) read(ctx context.Context, tx *sql.Tx, referralID string) ([]Measure, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, instrument, timepoint, answers, score, recorded_at, by_actor FROM measures
		WHERE referral_id = $1 ORDER BY recorded_at, id`, referralID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Measure{}
	var unscored []int
	for rows.Next() {
		var m Measure
		var answers, score string
		var at int64
		if err := rows.Scan(&m.ID, &m.Instrument, &m.Timepoint, &answers, &score, &at, &m.By); err != nil {
			return nil, err
		}
		m.RecordedAt = db.Time(at)
		if err := json.Unmarshal([]byte(answers), &m.Answers); err != nil {
			return nil, fmt.Errorf("measure %s answers: %w", m.ID, err)
		}
		if err := json.Unmarshal([]byte(score), &m.Score); err != nil {
			return nil, fmt.Errorf("measure %s score: %w", m.ID, err)
		}
		if len(m.Score) == 0 {
			unscored = append(unscored, len(out))
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	for _, i := range unscored {
		m := &out[i]
		score, err := ScoreAnswers(m.Instrument, m.Answers)
		if err != nil {
			// Kept unscored and shown as given: a row no rule accepts now
			// is not a reason to hide the rest of the record.
			continue
		}
		m.Score = score
		scoreJSON, _ := json.Marshal(score)
		if _, err := tx.ExecContext(ctx, `UPDATE measures SET score = $1 WHERE id = $2`, string(scoreJSON), m.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Due is a review that falls due for one instrument.
type Due struct {
	Instrument string    `json:"instrument"`
	On         time.Time `json:"on"`
	// Now is set once the day has come.
	Now bool `json:"now"`
}

// ReviewsDue says, for each instrument with a baseline and no exit, when
// its next review falls due (see NextReview), soonest first.
func ReviewsDue(measures []Measure, now time.Time) []Due {
	taken := map[string][]Taken{}
	for _, m := range measures {
		taken[m.Instrument] = append(taken[m.Instrument], Taken{Timepoint: m.Timepoint, At: m.RecordedAt})
	}
	var out []Due
	for _, in := range Instruments {
		if next, due := NextReview(taken[in.Code], now); !next.IsZero() {
			out = append(out, Due{Instrument: in.Code, On: next, Now: due})
		}
	}
	slices.SortStableFunc(out, func(a, b Due) int { return a.On.Compare(b.On) })
	return out
}

// ReviewsDue reads a referral's measures and says which reviews fall due,
// none once the referral is closed. The read is audited.
func (s *Store) ReviewsDue(ctx context.Context, by referral.Actor, referralID string) ([]Due, error) {
	var out []Due
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		head, err := referral.ReadHead(ctx, tx, referralID)
		if err != nil {
			return err
		}
		status := head.Status
		measures, err := s.read(ctx, tx, referralID)
		if err != nil {
			return err
		}
		if status != referral.Closed {
			out = ReviewsDue(measures, s.now())
		}
		return s.audit(ctx, tx, by, audit.Read, referralID)
	})
	return out, err
}

func (s *Store) audit(ctx context.Context, tx *sql.Tx, by referral.Actor, action, referralID string) error {
	return audit.Append(ctx, tx, s.DB.Dialect, audit.Event{At: s.now(), ActorID: by.UserID, Action: action,
		ObjectKind: auditKind, ObjectID: referralID, Client: by.Client})
}

// secondBaseline refuses a baseline where one is already recorded.
func secondBaseline(in Instrument) error {
	return oikos.Invalid(map[string]string{"timepoint": fmt.Sprintf(
		"A baseline of %s is already recorded for this referral. Record a review or an exit instead.", in.Name)})
}
