package portal

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"oikos/internal/audit"
	"oikos/internal/db"
	"oikos/internal/referral"
)

// HeldMeasure is a questionnaire the person answered, exactly as stored,
// for the page that shows them what is held about them.
type HeldMeasure struct {
	Instrument string
	Timepoint  string
	Answers    []float64
	// Score is what scoring stored for it, by name; empty until scored.
	Score      map[string]any
	RecordedAt time.Time
}

// Measures lists the measures recorded on one referral, oldest first, and
// audits the read. (Measures have no store of their own yet; this reads the
// rows as the casework store wrote them.)
func (s *Store) Measures(ctx context.Context, by referral.Actor, referralID string) ([]HeldMeasure, error) {
	var out []HeldMeasure
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT instrument, timepoint, answers, score, recorded_at FROM measures
			WHERE referral_id = $1 ORDER BY recorded_at, id`, referralID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m HeldMeasure
			var answers, score string
			var at int64
			if err := rows.Scan(&m.Instrument, &m.Timepoint, &answers, &score, &at); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(answers), &m.Answers); err != nil {
				return fmt.Errorf("measure answers of referral %s: %w", referralID, err)
			}
			if score != "" {
				if err := json.Unmarshal([]byte(score), &m.Score); err != nil {
					return fmt.Errorf("measure score of referral %s: %w", referralID, err)
				}
			}
			m.RecordedAt = db.Time(at)
			out = append(out, m)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return audit.Append(ctx, tx, s.DB.Dialect, audit.Event{At: s.now(), ActorID: by.UserID, Action: audit.Read,
			ObjectKind: "referral.measures", ObjectID: referralID, Client: by.Client})
	})
	return out, err
}
