// Package grant owns the grants programme that grows community groups
// where the referral figures show unmet need: rounds with a pot, dates,
// criteria, needs and areas, each beside its gap map; applications from
// community organisations; awards within the pot and payments within the
// award; groups registering themselves; and the grants report.
package grant

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/directory"
	"oikos/internal/report"
)

// Store keeps rounds, applications, payments and registrations.
type Store struct {
	DB  *db.DB
	Now func() time.Time
	// Directory lists the service of a group whose registration is
	// approved.
	Directory *directory.Store
}

// NewStore returns a Store with the real clock.
func NewStore(d *db.DB) *Store { return &Store{DB: d, Now: time.Now, Directory: directory.NewStore(d)} }

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

// ukZone is the clock of the rounds' dates.
var ukZone = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/London"); err == nil {
		return loc
	}
	return time.UTC
}()

// today is the UK date now, YYYY-MM-DD.
func (s *Store) today() string { return s.now().In(ukZone).Format(time.DateOnly) }

// Audit object kinds: a grant's changes are audited for accountability;
// nothing here is about a person, so reads are not.
const (
	kindRound        = "grant_round"
	kindApplication  = "grant_application"
	kindRegistration = "group_registration"
)

func (s *Store) audit(ctx context.Context, tx *sql.Tx, by oikos.Actor, action, kind, id string) error {
	return audit.Append(ctx, tx, s.DB.Dialect, audit.Event{At: s.now(), ActorID: by.UserID, Action: action,
		ObjectKind: kind, ObjectID: id, Client: by.Client})
}

// GapMap is the unmet needs by area for a round's (or an application's)
// needs and areas, from the unmet needs report of the round's scheme over
// the year to the round's close (or to today, while it runs): where
// people had a pressing need and too little within reach. Small counts
// are suppressed exactly as in that report; showing only some of its
// cells reveals nothing it hides.
type GapMap struct {
	From       string            `json:"from"`
	To         string            `json:"to"`
	Gaps       []report.UnmetGap `json:"gaps"`
	Suppressed []string          `json:"suppressed"`
}

// Round is a grant round.
type Round struct {
	ID             string    `json:"id"`
	SchemeID       string    `json:"scheme_id"`
	Name           string    `json:"name"`
	PotPence       int64     `json:"pot_pence"`
	AwardedPence   int64     `json:"awarded_pence"`
	RemainingPence int64     `json:"remaining_pence"`
	OpensOn        string    `json:"opens_on"`
	ClosesOn       string    `json:"closes_on"`
	State          string    `json:"state"`
	Criteria       string    `json:"criteria"`
	Needs          []string  `json:"needs"`
	Areas          []string  `json:"areas"`
	Applications   int       `json:"applications"`
	GapMap         GapMap    `json:"gap_map"`
	CreatedAt      time.Time `json:"created_at"`
}

func (r Round) object() auth.Object {
	return auth.Object{Kind: auth.KindGrantRound, ID: r.ID, SchemeID: r.SchemeID}
}

// gapMaps computes gap maps, one report per scheme and period however
// many rounds and applications share it.
type gapMaps struct {
	d     *db.DB
	now   time.Time
	cache map[string]report.Unmet
}

func (s *Store) gapMaps() *gapMaps {
	return &gapMaps{d: s.DB, now: s.now().In(ukZone), cache: map[string]report.Unmet{}}
}

// of is the gap map for needs and areas (each all the scheme's when empty) in
// a scheme, over the year to closesOn or today, whichever is sooner.
func (g *gapMaps) of(ctx context.Context, scheme string, needs, areas []string, closesOn string) (GapMap, error) {
	to := min(closesOn, g.now.Format(time.DateOnly))
	p, err := report.ParsePeriod("", to, g.now)
	if err != nil {
		return GapMap{}, err
	}
	key := scheme + "|" + to
	u, ok := g.cache[key]
	if !ok {
		if u, err = report.UnmetReport(ctx, g.d, p, report.Viewer{SchemeID: scheme}); err != nil {
			return GapMap{}, err
		}
		g.cache[key] = u
	}
	out := GapMap{From: u.From, To: u.To, Gaps: []report.UnmetGap{}, Suppressed: []string{}}
	for _, gap := range u.Gaps {
		if (len(needs) == 0 || slices.Contains(needs, gap.Need)) && (len(areas) == 0 || slices.Contains(areas, gap.Area)) {
			out.Gaps = append(out.Gaps, gap)
			path := "gaps." + gap.Area + "." + gap.Need + ".referrals"
			if slices.Contains(u.Suppressed, path) {
				out.Suppressed = append(out.Suppressed, path)
			}
		}
	}
	return out, nil
}

const roundColumns = `g.id, g.scheme_id, g.name, g.pot_pence, g.awarded_pence, g.opens_on, g.closes_on, g.criteria, g.needs, g.areas, g.created_at,
	(SELECT COUNT(*) FROM grant_applications a WHERE a.round_id = g.id)`

func scanRound(row interface{ Scan(...any) error }, today string) (Round, error) {
	var r Round
	var needs, areas string
	var created int64
	err := row.Scan(&r.ID, &r.SchemeID, &r.Name, &r.PotPence, &r.AwardedPence, &r.OpensOn, &r.ClosesOn, &r.Criteria, &needs, &areas, &created, &r.Applications)
	r.Needs, r.Areas = fields(needs), fields(areas)
	r.RemainingPence = r.PotPence - r.AwardedPence
	r.State = RoundState(r.OpensOn, r.ClosesOn, today)
	r.CreatedAt = db.Time(created)
	return r, err
}

// fields splits a stored list, never nil.
func fields(s string) []string {
	out := strings.Fields(s)
	if out == nil {
		out = []string{}
	}
	return out
}

// plausibleID refuses what cannot be an id before it reaches the database.
func plausibleID(id string) bool {
	return id != "" && oikos.PlainText(id, false) && utf8.RuneCountInString(id) <= 100
}

// CreateRound opens a round in the manager's scheme.
func (s *Store) CreateRound(ctx context.Context, p *auth.Principal, by oikos.Actor, in RoundInput) (Round, error) {
	if p == nil || !auth.Can(p, auth.ChangeAction, auth.Object{Kind: auth.KindGrantRound, SchemeID: p.SchemeID}) {
		return Round{}, oikos.NotFound("Grant rounds")
	}
	if err := CheckRound(&in); err != nil {
		return Round{}, err
	}
	id := db.NewID("grr")
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO grant_rounds (id, scheme_id, name, pot_pence, opens_on, closes_on, criteria, needs, areas, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, id, p.SchemeID, in.Name, *in.PotPence, in.OpensOn, in.ClosesOn, in.Criteria,
			strings.Join(in.Needs, " "), strings.Join(in.Areas, " "), by.UserID, db.Millis(s.now()))
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, by, audit.Create, kindRound, id)
	})
	if err != nil {
		return Round{}, err
	}
	return s.Round(ctx, p, id)
}

// SchemeGapMap is the gap map of p's whole scheme, every need in every
// area, over the year to today: what a manager opening a round looks at
// to choose its needs and areas.
func (s *Store) SchemeGapMap(ctx context.Context, p *auth.Principal) (GapMap, error) {
	if p == nil || !auth.Can(p, auth.ChangeAction, auth.Object{Kind: auth.KindGrantRound, SchemeID: p.SchemeID}) {
		return GapMap{}, oikos.NotFound("Grant rounds")
	}
	return s.gapMaps().of(ctx, p.SchemeID, nil, nil, s.today())
}

// Round reads a round p may see, with its gap map.
func (s *Store) Round(ctx context.Context, p *auth.Principal, id string) (Round, error) {
	r, err := s.round(ctx, s.DB.R(), p, id)
	if err != nil {
		return r, err
	}
	r.GapMap, err = s.gapMaps().of(ctx, r.SchemeID, r.Needs, r.Areas, r.ClosesOn)
	return r, err
}

func (s *Store) round(ctx context.Context, q db.Querier, p *auth.Principal, id string) (Round, error) {
	if !plausibleID(id) {
		return Round{}, oikos.NotFound("Grant round")
	}
	r, err := scanRound(q.QueryRowContext(ctx, "SELECT "+roundColumns+" FROM grant_rounds g WHERE g.id = $1", id), s.today())
	if err == sql.ErrNoRows || (err == nil && !auth.Can(p, auth.ReadAction, r.object())) {
		return Round{}, oikos.NotFound("Grant round")
	}
	return r, err
}

// MaxRounds is the most rounds a list holds: far more than any scheme
// runs, so the list needs no pages.
const MaxRounds = 500

// Rounds lists the rounds p may see, newest first, each with its gap map:
// a scheme's managers and commissioners its own; providers every scheme's,
// to apply to.
func (s *Store) Rounds(ctx context.Context, p *auth.Principal) ([]Round, error) {
	if p == nil {
		return nil, oikos.NotFound("Grant rounds")
	}
	q := "SELECT " + roundColumns + " FROM grant_rounds g"
	var args []any
	switch {
	case p.Role == auth.Provider:
	case p.Role == auth.Manager || p.Role == auth.Commissioner:
		q += " WHERE g.scheme_id = $1"
		args = append(args, p.SchemeID)
	default:
		return nil, oikos.NotFound("Grant rounds")
	}
	rows, err := s.DB.R().QueryContext(ctx, q+" ORDER BY g.opens_on DESC, g.id LIMIT 500", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Round{}
	today := s.today()
	for rows.Next() {
		r, err := scanRound(rows, today)
		if err != nil {
			return nil, err
		}
		if auth.Can(p, auth.ReadAction, r.object()) {
			out = append(out, r)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	maps := s.gapMaps()
	for i := range out {
		if out[i].GapMap, err = maps.of(ctx, out[i].SchemeID, out[i].Needs, out[i].Areas, out[i].ClosesOn); err != nil {
			return nil, err
		}
	}
	return out, nil
}
