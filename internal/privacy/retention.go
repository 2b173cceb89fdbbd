package privacy

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"oikos"
	"oikos/internal/db"
	"oikos/internal/referral"
)

// retentionActor is who erases at the end of the retention period.
var retentionActor = referral.Actor{UserID: "system", Client: "retention"}

// RetentionReason is the reason kept for an erasure at the end of the
// retention period.
func RetentionReason(years int) string {
	return fmt.Sprintf("The retention period of %d years after the last referral closed has passed.", years)
}

// RetentionDue lists the people, not yet erased, every one of whose
// referrals closed before cutoff.
func (s *Store) RetentionDue(ctx context.Context, cutoff time.Time) ([]string, error) {
	return db.Strings(ctx, s.DB.R(), `SELECT r.person_id FROM referrals r JOIN people p ON p.id = r.person_id
		WHERE p.erased_at IS NULL
		-- Someone an open referral may be about (a possible match not yet
		-- checked) is kept until a link worker has said.
		AND NOT EXISTS (SELECT 1 FROM referrals o WHERE o.possible_match_id = r.person_id AND o.status <> 'closed')
		GROUP BY r.person_id
		HAVING SUM(CASE WHEN r.status = 'closed' AND r.closed_at < $1 THEN 0 ELSE 1 END) = 0 ORDER BY r.person_id`, db.Millis(cutoff))
}

// RunRetention erases, exactly as an erasure on request does, the people
// whose every referral closed more than years ago, each in a transaction
// of its own. It answers how many it erased. Someone referred again since
// the list was read is left alone.
func (s *Store) RunRetention(ctx context.Context, years int) (int, error) {
	if err := CheckRetentionYears(years); err != nil {
		return 0, err
	}
	due, err := s.RetentionDue(ctx, RetentionCutoff(s.now(), years))
	if err != nil {
		return 0, err
	}
	erased := 0
	for _, id := range due {
		err := s.Erase(ctx, retentionActor, id, RetentionReason(years))
		switch {
		case err == nil:
			erased++
		case oikos.ErrorCode(err) == oikos.ECONFLICT:
			// Referred again, or erased by a manager, since the list.
		default:
			return erased, fmt.Errorf("erase %s: %w", id, err)
		}
	}
	return erased, nil
}

// ukDay is the date in the UK, which names a day's run.
func ukDay(t time.Time) string {
	if loc, err := time.LoadLocation("Europe/London"); err == nil {
		t = t.In(loc)
	}
	return t.Format(time.DateOnly)
}

// RunToday runs the retention erasure if no server on this database has
// run it today: the day's row in retention_runs is claimed first, so of
// several servers started together only one runs it. It answers whether
// this call ran it, and how many people it erased.
func (s *Store) RunToday(ctx context.Context, years int) (bool, int, error) {
	if err := CheckRetentionYears(years); err != nil {
		return false, 0, err
	}
	now := s.now()
	day := ukDay(now)
	res, err := s.DB.Exec(ctx, `INSERT INTO retention_runs (day, started_at) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING`, day, db.Millis(now))
	if err != nil {
		return false, 0, fmt.Errorf("claim the retention run of %s: %w", day, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return false, 0, nil
	}
	erased, err := s.RunRetention(ctx, years)
	if _, ferr := s.DB.Exec(ctx, "UPDATE retention_runs SET finished_at = $1, erased = $2 WHERE day = $3", db.Millis(s.now()), erased, day); err == nil {
		err = ferr
	}
	return true, erased, err
}

// RetentionCheckEvery is how often a server looks whether today's run is
// done: often enough that a day is not missed when servers restart.
const RetentionCheckEvery = time.Hour

// Daily runs the retention erasure once a day until ctx ends, logging what
// it did. A failed run is logged and tried again the next day.
func (s *Store) Daily(ctx context.Context, years int, log *slog.Logger) {
	t := time.NewTicker(RetentionCheckEvery)
	defer t.Stop()
	for {
		ran, erased, err := s.RunToday(ctx, years)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("retention: erasing people past the retention period failed", "err", err, "erased", erased)
		case ran:
			log.Info("retention: erased the people whose last referral closed more than the retention period ago",
				"years", years, "erased", erased)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
