package connection

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/db"
	"oikos/internal/directory"
	"oikos/internal/referral"
)

// What the person said suits them, which suggestions weigh. Until someone
// records it, the defaults stand: 5 km, any day and time, any cost, no
// particular access needs.

// DefaultMaxKm is how far a person is taken to travel until they say.
const DefaultMaxKm = 5

// Limits on preferences.
const (
	maxTravelKm   = 50
	maxCostLimit  = 1000_00 // £1,000 a session: more is a typo
	maxPrefsItems = 20
)

// TimeOfDay is a part of the day a person may be free.
type TimeOfDay struct {
	Code, Label string
	// From and To bound it, "HH:MM" on the 24-hour clock.
	From, To string
}

// TimesOfDay are the parts of the day, in order.
var TimesOfDay = []TimeOfDay{
	{"morning", "Mornings", "00:00", "12:00"},
	{"afternoon", "Afternoons", "12:00", "17:00"},
	{"evening", "Evenings", "17:00", "24:00"},
}

// AccessNeed is something a person needs of a place to be able to go, and
// the words a service's accessibility details use for it.
type AccessNeed struct {
	Code, Label string
	// Words: a service has it when its accessibility or languages hold
	// any of them.
	Words []string
}

// AccessNeeds are the access needs a person may give, in order.
var AccessNeeds = []AccessNeed{
	{"step_free", "Step-free or wheelchair access", []string{"step-free", "step free", "wheelchair", "level access", "ramp"}},
	{"accessible_toilet", "An accessible toilet", []string{"accessible toilet", "disabled toilet"}},
	{"hearing_loop", "A hearing loop", []string{"hearing loop", "induction loop"}},
	{"large_print", "Large print", []string{"large print"}},
	{"quiet_space", "A quiet space", []string{"quiet"}},
	{"blue_badge_parking", "Parking for Blue Badge holders", []string{"blue badge", "disabled parking"}},
	{"dementia_friendly", "Dementia friendly", []string{"dementia friendly", "dementia-friendly"}},
	{"bsl", "British Sign Language", []string{"british sign language", "bsl"}},
}

// AccessNeedByCode finds an access need.
func AccessNeedByCode(code string) (AccessNeed, bool) {
	i := slices.IndexFunc(AccessNeeds, func(a AccessNeed) bool { return a.Code == code })
	if i < 0 {
		return AccessNeed{}, false
	}
	return AccessNeeds[i], true
}

// TimeOfDayByCode finds a part of the day.
func TimeOfDayByCode(code string) (TimeOfDay, bool) {
	i := slices.IndexFunc(TimesOfDay, func(t TimeOfDay) bool { return t.Code == code })
	if i < 0 {
		return TimeOfDay{}, false
	}
	return TimesOfDay[i], true
}

// Preferences are what the person said suits them.
type Preferences struct {
	// Days they can do, monday … sunday; none means any day.
	Days []string `json:"days"`
	// Times of day they can do (morning, afternoon, evening); none means any.
	Times []string `json:"times"`
	// MaxKm is how far they can travel.
	MaxKm float64 `json:"max_km"`
	// MaxCostPence is the most they can pay a session; null means any cost.
	MaxCostPence *int64 `json:"max_cost_pence"`
	// Accessibility lists the access needs they have (AccessNeeds codes).
	Accessibility []string `json:"accessibility"`
	// Set tells recorded preferences from the defaults.
	Set       bool       `json:"set"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

// DefaultPreferences are what stands until the person says otherwise.
func DefaultPreferences() Preferences {
	return Preferences{Days: []string{}, Times: []string{}, MaxKm: DefaultMaxKm, Accessibility: []string{}}
}

// PreferencesInput is the body of PUT …/preferences. A field left out
// takes its default.
type PreferencesInput struct {
	Days          []string `json:"days"`
	Times         []string `json:"times"`
	MaxKm         *float64 `json:"max_km"`
	MaxCostPence  *int64   `json:"max_cost_pence"`
	Accessibility []string `json:"accessibility"`
}

// Validate checks the input, naming each field at fault (days[2],
// max_km, …), and returns the preferences to store, tidied: days in week
// order, each code once.
func (in PreferencesInput) Validate() (Preferences, error) {
	f := map[string]string{}
	p := DefaultPreferences()
	p.Set = true
	if len(in.Days) > 7 {
		f["days"] = "List each day at most once."
	}
	for i, d := range in.Days {
		n := directory.DayNumber(d)
		if n == 0 {
			f[fmt.Sprintf("days[%d]", i)] = "Each day must be monday to sunday."
			continue
		}
		if !slices.Contains(p.Days, directory.Days[n-1]) {
			p.Days = append(p.Days, directory.Days[n-1])
		}
	}
	slices.SortFunc(p.Days, func(a, b string) int { return directory.DayNumber(a) - directory.DayNumber(b) })
	if len(p.Days) == 7 {
		p.Days = []string{} // every day is any day
	}
	if len(in.Times) > len(TimesOfDay) {
		f["times"] = "List each time of day at most once."
	}
	for i, t := range in.Times {
		if _, ok := TimeOfDayByCode(strings.TrimSpace(t)); !ok {
			f[fmt.Sprintf("times[%d]", i)] = "Each time of day must be morning, afternoon or evening."
			continue
		}
		if t = strings.TrimSpace(t); !slices.Contains(p.Times, t) {
			p.Times = append(p.Times, t)
		}
	}
	slices.SortFunc(p.Times, func(a, b string) int {
		return slices.IndexFunc(TimesOfDay, func(t TimeOfDay) bool { return t.Code == a }) -
			slices.IndexFunc(TimesOfDay, func(t TimeOfDay) bool { return t.Code == b })
	})
	if len(p.Times) == len(TimesOfDay) {
		p.Times = []string{}
	}
	if in.MaxKm != nil {
		km := *in.MaxKm
		if math.IsNaN(km) || km <= 0 || km > maxTravelKm {
			f["max_km"] = fmt.Sprintf("How far they can travel must be more than 0 and at most %d km.", maxTravelKm)
		} else {
			p.MaxKm = math.Round(km*10) / 10
			if p.MaxKm == 0 {
				p.MaxKm = 0.1
			}
		}
	}
	if in.MaxCostPence != nil {
		if c := *in.MaxCostPence; c < 0 || c > maxCostLimit {
			f["max_cost_pence"] = "The most they can pay must be 0 (free only) or a price in pence up to £1,000, or left out for any cost."
		} else {
			p.MaxCostPence = &c
		}
	}
	if len(in.Accessibility) > maxPrefsItems {
		f["accessibility"] = fmt.Sprintf("List at most %d access needs.", maxPrefsItems)
	}
	for i, a := range in.Accessibility {
		a = strings.TrimSpace(a)
		if _, ok := AccessNeedByCode(a); !ok {
			f[fmt.Sprintf("accessibility[%d]", i)] = "Unknown access need: use one of " + accessCodes() + "."
			continue
		}
		if !slices.Contains(p.Accessibility, a) {
			p.Accessibility = append(p.Accessibility, a)
		}
	}
	if err := oikos.Invalid(f); err != nil {
		return Preferences{}, err
	}
	return p, nil
}

func accessCodes() string {
	codes := make([]string, len(AccessNeeds))
	for i, a := range AccessNeeds {
		codes[i] = a.Code
	}
	return strings.Join(codes, ", ")
}

// ParsePounds reads a price typed in pounds ("3", "£3.50", "3.5") as
// pence; empty means no limit. The message says what is wrong.
func ParsePounds(s string) (pence *int64, problem string) {
	bad := "Enter an amount in pounds, like 3 or 3.50, or leave it empty for any cost."
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, ""
	}
	if s = strings.TrimSpace(strings.TrimPrefix(s, "£")); s == "" {
		return nil, bad
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" {
		whole = "0"
	}
	if len(whole) > 7 || strings.Trim(whole, "0123456789") != "" || (hasFrac && (len(frac) == 0 || len(frac) > 2 || strings.Trim(frac, "0123456789") != "")) {
		return nil, bad
	}
	pounds, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return nil, bad
	}
	p := pounds * 100
	if hasFrac {
		if len(frac) == 1 {
			frac += "0"
		}
		n, _ := strconv.ParseInt(frac, 10, 64)
		p += n
	}
	return &p, ""
}

// FormatPounds writes pence as people say a price: "£3" or "£3.50".
func FormatPounds(pence int64) string {
	if pence%100 == 0 {
		return "£" + strconv.FormatInt(pence/100, 10)
	}
	return fmt.Sprintf("£%d.%02d", pence/100, pence%100)
}

// Preferences reads what the person said suits them, or the defaults.
// The read is audited.
func (s *Suggester) Preferences(ctx context.Context, by referral.Actor, referralID string) (Preferences, error) {
	var p Preferences
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := referral.ReadHead(ctx, tx, referralID); err != nil {
			return err
		}
		var err error
		if p, err = readPreferences(ctx, tx, referralID); err != nil {
			return err
		}
		return s.auditEvent(ctx, tx, by, audit.Read, kindPreferences, referralID)
	})
	return p, err
}

// SavePreferences replaces what the person said suits them; a closed
// referral's are kept as they were.
func (s *Suggester) SavePreferences(ctx context.Context, by referral.Actor, referralID string, in PreferencesInput) (Preferences, error) {
	p, err := in.Validate()
	if err != nil {
		return p, err
	}
	now := s.now()
	p.UpdatedAt = &now
	days, _ := json.Marshal(p.Days)
	times, _ := json.Marshal(p.Times)
	access, _ := json.Marshal(p.Accessibility)
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		head, err := referral.Lock(ctx, tx, s.DB.Dialect, referralID)
		if err != nil {
			return err
		}
		if head.Status == referral.Closed {
			return &oikos.Error{Code: oikos.ECONFLICT, Message: "This referral is closed, so what suits the person can no longer be changed."}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO referral_preferences (referral_id, days, times, max_km, max_cost_pence, accessibility, updated_at, updated_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (referral_id) DO UPDATE SET days = excluded.days, times = excluded.times, max_km = excluded.max_km,
				max_cost_pence = excluded.max_cost_pence, accessibility = excluded.accessibility, updated_at = excluded.updated_at,
				updated_by = excluded.updated_by`,
			referralID, string(days), string(times), p.MaxKm, p.MaxCostPence, string(access), db.Millis(now), by.UserID); err != nil {
			return err
		}
		return s.auditEvent(ctx, tx, by, audit.Update, kindPreferences, referralID)
	})
	if err != nil {
		return Preferences{}, err
	}
	return p, nil
}

// readPreferences reads a referral's preferences, or the defaults.
func readPreferences(ctx context.Context, q db.Querier, referralID string) (Preferences, error) {
	p := DefaultPreferences()
	var days, times, access string
	var cost sql.NullInt64
	var updated int64
	err := q.QueryRowContext(ctx, `SELECT days, times, max_km, max_cost_pence, accessibility, updated_at
		FROM referral_preferences WHERE referral_id = $1`, referralID).Scan(&days, &times, &p.MaxKm, &cost, &access, &updated)
	if err == sql.ErrNoRows {
		return p, nil
	}
	if err != nil {
		return p, err
	}
	for _, list := range []struct {
		stored string
		into   *[]string
	}{{days, &p.Days}, {times, &p.Times}, {access, &p.Accessibility}} {
		into := list.into
		if err := json.Unmarshal([]byte(list.stored), into); err != nil {
			return p, fmt.Errorf("preferences of %s: %w", referralID, err)
		}
		if *into == nil {
			*into = []string{}
		}
	}
	if cost.Valid {
		p.MaxCostPence = &cost.Int64
	}
	t := db.Time(updated)
	p.Set, p.UpdatedAt = true, &t
	return p, nil
}
