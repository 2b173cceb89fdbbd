package community

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/directory"
	"oikos/internal/postcode"
)

// VolunteerSuggestion is one volunteer suggested for a person, with why.
type VolunteerSuggestion struct {
	VolunteerID     string   `json:"volunteer_id"`
	Name            string   `json:"name"`
	Kind            string   `json:"kind"`
	DistanceKm      *float64 `json:"distance_km"`
	Score           float64  `json:"score"`
	Reasons         []string `json:"reasons"`
	SharedInterests []string `json:"shared_interests"`
	SharedLanguages []string `json:"shared_languages"`
	// FreeWhen are the times both the volunteer and the person are free.
	FreeWhen      []string `json:"free_when"`
	DBSExpiresOn  string   `json:"dbs_expires_on"`
	ActiveMatches int      `json:"active_matches"`
}

// VolunteerSuggestions are the volunteers suggested for a referral, and
// what they were chosen by.
type VolunteerSuggestions struct {
	ReferralID string `json:"referral_id"`
	// Place is the postcode distances are measured from ("" when the
	// person's postcode could not be placed).
	Place     string   `json:"place"`
	Interests []string `json:"interests"`
	Languages []string `json:"languages"`
	// FreeWhen are the times that suit the person (none: not said).
	FreeWhen []string              `json:"free_when"`
	Items    []VolunteerSuggestion `json:"items"`
	// Considered is how many volunteers with an in-date DBS check were
	// weighed.
	Considered int `json:"considered"`
}

// SuggestOptions are what a caller adds to what is held of the person.
type SuggestOptions struct {
	// Languages the person speaks or needs a volunteer to speak; the
	// person's record does not hold them yet.
	Languages []string
}

// Where to look. Volunteers travel to the person, so the search starts
// close and widens only until it has enough to choose from: each radius
// is a box of the one index (volunteers_suggest) read in order of
// latitude, so the cost follows how many volunteers live around the
// person, not how many the scheme has.
var suggestRadiiKm = []float64{3, 10, 25, 60}

// suggestEnough is how many candidates stop the widening: five times what
// is shown, so that ranking has a real choice among those near enough to
// visit. In a city the first box has them; in the country a wider one.
const suggestEnough = 100

// unplacedCap bounds the volunteers weighed for a person who cannot be
// placed (a postcode no centroid knows): ranked on interests, languages
// and times alone.
const unplacedCap = 5000

func (v *Volunteering) suggestLimit() int {
	if v.SuggestLimit <= 0 {
		return 20
	}
	return v.SuggestLimit
}

// VolunteerSuggestions ranks the scheme's volunteers for a referral's
// person (GET /api/v1/referrals/{id}/volunteer-suggestions): for the
// person's link worker and the scheme's managers, who may see the
// referral; for anyone else the referral is not found. Volunteers without
// an in-date DBS check are never offered, nor one already matched to the
// person. The read is audited.
func (v *Volunteering) VolunteerSuggestions(ctx context.Context, by oikos.Actor, p *auth.Principal, referralID string, opt SuggestOptions) (VolunteerSuggestions, error) {
	out := VolunteerSuggestions{ReferralID: referralID, Interests: []string{}, Languages: []string{}, FreeWhen: []string{}, Items: []VolunteerSuggestion{}}
	f := map[string]string{}
	out.Languages = tidyList(f, "languages", opt.Languages)
	if err := oikos.Invalid(f); err != nil {
		return out, err
	}
	today := v.today()
	err := v.DB.ReadTx(ctx, func(tx *sql.Tx) error {
		ref, err := loadReferral(ctx, tx, v.DB.Dialect, referralID, false)
		if err != nil {
			return err
		}
		if p == nil || (p.Role != auth.LinkWorker && p.Role != auth.Manager) || !auth.Can(p, auth.ReadAction, ref.object()) {
			return oikos.NotFound("Referral")
		}
		prof := SuggestProfile{Languages: out.Languages, Today: today}
		if ref.Postcode != "" {
			if prof.Home, prof.Located, err = directory.LocateWith(ctx, tx, ref.Postcode); err != nil {
				return err
			}
		}
		if prof.Located {
			out.Place = ref.Postcode
		}
		if prof.Interests, err = personInterests(ctx, tx, referralID); err != nil {
			return err
		}
		out.Interests = append(out.Interests, prof.Interests...)
		if prof.Available, err = personAvailability(ctx, tx, referralID); err != nil {
			return err
		}
		out.FreeWhen = append(out.FreeWhen, MaskPhrases(prof.Available)...)
		cands, err := v.candidates(ctx, tx, ref.SchemeID, prof, today)
		if err != nil {
			return err
		}
		out.Considered = len(cands)
		ranked := RankVolunteers(prof, cands)
		out.Items, err = v.showSuggestions(ctx, tx, referralID, prof, ranked)
		return err
	})
	if err != nil {
		return VolunteerSuggestions{}, err
	}
	err = v.DB.Tx(ctx, func(tx *sql.Tx) error {
		return audit.Append(ctx, tx, v.DB.Dialect, auditEvent(by, v.now(), audit.Read, kindVolSuggestions, referralID))
	})
	if err != nil {
		return VolunteerSuggestions{}, err
	}
	return out, nil
}

// personInterests are the interests and strengths the latest
// what-matters conversation recorded, as phrases (InterestPhrases).
func personInterests(ctx context.Context, q db.Querier, referralID string) ([]string, error) {
	var interests, strengths string
	err := q.QueryRowContext(ctx, `SELECT interests, strengths FROM conversations WHERE referral_id = $1
		ORDER BY held_at DESC, created_at DESC, id LIMIT 1`, referralID).Scan(&interests, &strengths)
	if err == sql.ErrNoRows {
		return []string{}, nil
	} else if err != nil {
		return nil, err
	}
	var list []string
	if err := json.Unmarshal([]byte(strengths), &list); err != nil {
		return nil, fmt.Errorf("conversation strengths of %s: %w", referralID, err)
	}
	return InterestPhrases(interests, list), nil
}

// personAvailability packs the days and times the person said suit them.
func personAvailability(ctx context.Context, q db.Querier, referralID string) (int64, error) {
	var days, times string
	err := q.QueryRowContext(ctx, "SELECT days, times FROM referral_preferences WHERE referral_id = $1", referralID).Scan(&days, &times)
	if err == sql.ErrNoRows {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	var d, t []string
	if err := json.Unmarshal([]byte(days), &d); err != nil {
		return 0, err
	}
	if err := json.Unmarshal([]byte(times), &t); err != nil {
		return 0, err
	}
	return PreferenceMask(d, t), nil
}

// candidates reads the scheme's volunteers with an in-date DBS check
// around the person, from the volunteers_suggest index alone.
func (v *Volunteering) candidates(ctx context.Context, tx *sql.Tx, scheme string, prof SuggestProfile, today string) ([]VolunteerCandidate, error) {
	const cols = "user_id, latitude, longitude, dbs_expires_on, available, terms, languages"
	if !prof.Located {
		return v.scanCandidates(ctx, tx, prof, "SELECT "+cols+` FROM volunteers WHERE scheme_id = $1 AND dbs_expires_on >= $2
			ORDER BY user_id LIMIT `+fmt.Sprint(unplacedCap), -1, scheme, today)
	}
	var out []VolunteerCandidate
	for i, km := range suggestRadiiKm {
		a, b, c, d := postcode.BoundingBox(prof.Home, km)
		var err error
		out, err = v.scanCandidates(ctx, tx, prof, "SELECT "+cols+` FROM volunteers
			WHERE scheme_id = $1 AND latitude BETWEEN $2 AND $3 AND longitude BETWEEN $4 AND $5 AND dbs_expires_on >= $6`,
			km, scheme, a, b, c, d, today)
		if err != nil {
			return nil, err
		}
		if len(out) >= suggestEnough || i == len(suggestRadiiKm)-1 {
			break
		}
	}
	return out, nil
}

// scanCandidates reads candidates; within km of the person when km > 0.
func (v *Volunteering) scanCandidates(ctx context.Context, tx *sql.Tx, prof SuggestProfile, query string, km float64, args ...any) ([]VolunteerCandidate, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []VolunteerCandidate
	for rows.Next() {
		var c VolunteerCandidate
		var at postcode.Point
		var terms, languages string
		if err := rows.Scan(&c.UserID, &at.Lat, &at.Lon, &c.DBSExpiresOn, &c.Available, &terms, &languages); err != nil {
			return nil, err
		}
		if prof.Located {
			c.DistanceKm, c.Placed = postcode.DistanceKm(prof.Home, at), true
			if km > 0 && c.DistanceKm > km {
				continue
			}
		}
		// The profile holds both dates or neither (VolunteerInput.Validate),
		// and the query asked for a renewal date: the check was made.
		c.DBSCheckedOn = c.DBSExpiresOn
		c.Stems = strings.Fields(terms)
		if c.Stems == nil {
			c.Stems = []string{}
		}
		// Languages are weighed only for a person who said theirs.
		if len(prof.Languages) > 0 {
			if err := json.Unmarshal([]byte(languages), &c.Languages); err != nil {
				return nil, fmt.Errorf("volunteer %s languages: %w", c.UserID, err)
			}
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// showSuggestions loads, for the best ranked, what is shown of them, and
// ranks them again with their interests in their own words, so that the
// reasons can name them (the scores are the same: the words' stems are
// what was ranked). Volunteers no longer active and those already matched
// to this referral are left out, until the limit is reached.
func (v *Volunteering) showSuggestions(ctx context.Context, tx *sql.Tx, referralID string, prof SuggestProfile, ranked []RankedVolunteer) ([]VolunteerSuggestion, error) {
	out := []VolunteerSuggestion{}
	matched, err := db.Strings(ctx, tx, "SELECT volunteer_id FROM volunteer_matches WHERE referral_id = $1 AND status = 'active'", referralID)
	if err != nil {
		return nil, err
	}
	limit := v.suggestLimit()
	for start := 0; start < len(ranked) && len(out) < limit; start += limit * 2 {
		batch := ranked[start:min(len(ranked), start+limit*2)]
		ids := make([]any, len(batch))
		marks := make([]string, len(batch))
		for i, r := range batch {
			ids[i], marks[i] = r.UserID, fmt.Sprintf("$%d", i+1)
		}
		rows, err := tx.QueryContext(ctx, `SELECT u.id, u.name, v.kind, v.interests, v.languages,
			(SELECT COUNT(*) FROM volunteer_matches m WHERE m.volunteer_id = u.id AND m.status = 'active')
			FROM users u JOIN volunteers v ON v.user_id = u.id WHERE u.active AND u.role = 'volunteer' AND u.id IN (`+strings.Join(marks, ", ")+")", ids...)
		if err != nil {
			return nil, err
		}
		type shown struct {
			name, kind string
			active     int
		}
		found := map[string]shown{}
		var again []VolunteerCandidate
		for rows.Next() {
			var id, interests, languages string
			var s shown
			if err := rows.Scan(&id, &s.name, &s.kind, &interests, &languages, &s.active); err != nil {
				rows.Close()
				return nil, err
			}
			if slices.Contains(matched, id) {
				continue
			}
			found[id] = s
			c := batch[slices.IndexFunc(batch, func(r RankedVolunteer) bool { return r.UserID == id })].VolunteerCandidate
			c.Interests, c.Languages = []string{}, []string{}
			if err := json.Unmarshal([]byte(interests), &c.Interests); err != nil {
				rows.Close()
				return nil, fmt.Errorf("volunteer %s interests: %w", id, err)
			}
			if err := json.Unmarshal([]byte(languages), &c.Languages); err != nil {
				rows.Close()
				return nil, fmt.Errorf("volunteer %s languages: %w", id, err)
			}
			again = append(again, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for _, r := range RankVolunteers(prof, again) {
			s := found[r.UserID]
			item := VolunteerSuggestion{VolunteerID: r.UserID, Name: s.name, Kind: s.kind, Score: r.Score, Reasons: r.Reasons,
				SharedInterests: r.SharedInterests, SharedLanguages: r.SharedLanguages, FreeWhen: MaskPhrases(r.Overlap),
				DBSExpiresOn: r.DBSExpiresOn, ActiveMatches: s.active}
			if item.FreeWhen == nil {
				item.FreeWhen = []string{}
			}
			if r.Placed {
				km := math.Round(r.DistanceKm*100) / 100
				item.DistanceKm = &km
			}
			out = append(out, item)
			if len(out) == limit {
				break
			}
		}
	}
	return out, nil
}
