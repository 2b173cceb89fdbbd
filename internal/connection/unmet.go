package connection

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"oikos/internal/db"
	"oikos/internal/taxonomy"
)

// Unmet needs: where a person has a pressing need and nothing suitable is
// within their reach, that is recorded (need, area, date, referral), once
// per referral, need and day, for the grants programme to count where
// community groups are missing.

// MinSuitable is how many suitable services within reach a need of
// priority 1 or 2 should have: with fewer there is no real choice, and
// the need is recorded as unmet.
const MinSuitable = 3

// UnmetNeed is a need for which too little suitable was within reach.
type UnmetNeed struct {
	Need     string `json:"need"`
	Label    string `json:"label"`
	Priority int    `json:"priority"`
	// Area is the postcode district the person lives in.
	Area string `json:"area"`
	// Found is how many suitable services were within reach.
	Found    int     `json:"found"`
	WithinKm float64 `json:"within_km"`
}

// FindUnmet lists the needs of priority 1 or 2 that fewer than min of the
// ranked services are suitable for. It is pure.
func FindUnmet(needs []NeedPriority, ranked []Scored, min int, area string, withinKm float64) []UnmetNeed {
	out := []UnmetNeed{}
	for _, n := range needs {
		if n.Priority < 1 || n.Priority > 2 {
			continue
		}
		found := 0
		for _, s := range ranked {
			if s.Suitable && slices.Contains(s.NeedsMet, n.Code) {
				found++
			}
		}
		if found < min {
			need, _ := taxonomy.NeedByCode(n.Code)
			out = append(out, UnmetNeed{Need: n.Code, Label: need.Label, Priority: n.Priority, Area: area, Found: found, WithinKm: withinKm})
		}
	}
	return out
}

// recordUnmet writes the unmet needs for a referral on a day: one row per
// need and day, holding the day's latest view (its priority may have been
// raised in a conversation since).
func recordUnmet(ctx context.Context, tx *sql.Tx, referralID string, on time.Time, unmet []UnmetNeed) error {
	day := on.In(suggestZone).Format(time.DateOnly)
	for _, u := range unmet {
		if _, err := tx.ExecContext(ctx, `INSERT INTO unmet_needs (id, referral_id, need, priority, area, on_date, within_km, found, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (referral_id, need, on_date) DO UPDATE SET priority = excluded.priority, area = excluded.area,
				within_km = excluded.within_km, found = excluded.found, recorded_at = excluded.recorded_at`,
			db.NewID("unm"), referralID, u.Need, u.Priority, u.Area, day, u.WithinKm, u.Found, db.Millis(on)); err != nil {
			return err
		}
	}
	return nil
}

// UnmetCount is how many referrals had a need unmet in an area.
type UnmetCount struct {
	Need      string `json:"need"`
	Area      string `json:"area"`
	Referrals int    `json:"referrals"`
}

// CountUnmet counts, for days from and to (YYYY-MM-DD, inclusive), the
// referrals left with each need unmet in each area, most first: the
// grants programme's view. It holds no one's details.
func (s *Suggester) CountUnmet(ctx context.Context, from, to string) ([]UnmetCount, error) {
	rows, err := s.DB.R().QueryContext(ctx, `SELECT need, area, COUNT(DISTINCT referral_id) FROM unmet_needs
		WHERE on_date BETWEEN $1 AND $2 GROUP BY need, area ORDER BY COUNT(DISTINCT referral_id) DESC, need, area`, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []UnmetCount{}
	for rows.Next() {
		var c UnmetCount
		if err := rows.Scan(&c.Need, &c.Area, &c.Referrals); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
