package connection

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"oikos/internal/audit"
	"oikos/internal/db"
	"oikos/internal/directory"
	"oikos/internal/postcode"
	"oikos/internal/referral"
	"oikos/internal/taxonomy"
)

// Suggester finds services for a person, and keeps what suits them and
// the needs left unmet.
type Suggester struct {
	DB        *db.DB
	Directory *directory.Store
	Now       func() time.Time
	// Limit is how many suggestions to give.
	Limit int

	// reads groups the audited reads of concurrent requests into one
	// commit; one Suggester serves a database (package app builds it once).
	readsOnce sync.Once
	reads     *db.GroupCommit[*readRecord]
}

// NewSuggester returns a Suggester on d with the real clock.
func NewSuggester(d *db.DB) *Suggester {
	return &Suggester{DB: d, Directory: directory.NewStore(d), Now: time.Now, Limit: 20}
}

func (s *Suggester) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

// suggestZone is the clock the scheme's days are counted on.
var suggestZone = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/London"); err == nil {
		return loc
	}
	return time.UTC
}()

// Audit object kinds; the object id is the referral's.
const (
	kindSuggestions = "referral.suggestions"
	kindPreferences = "referral.preferences"
)

func (s *Suggester) auditEvent(ctx context.Context, tx *sql.Tx, by referral.Actor, action, kind, referralID string) error {
	return audit.Append(ctx, tx, s.DB.Dialect, audit.Event{At: s.now(), ActorID: by.UserID, Action: action,
		ObjectKind: kind, ObjectID: referralID, Client: by.Client})
}

// Suggestion is one service suggested, with why.
type Suggestion struct {
	directory.Service
	DistanceKm float64  `json:"distance_km"`
	Score      float64  `json:"score"`
	Reasons    []string `json:"reasons"`
	NeedsMet   []string `json:"needs_met"`
	// WithinReach, Suitable and WaitingList as Scored says.
	WithinReach bool `json:"within_reach"`
	Suitable    bool `json:"suitable"`
	WaitingList bool `json:"waiting_list"`
	// Previously is "declined" or "dropped" when the person was connected
	// to it before and it did not work out; ConnectionStatus is the status
	// of a connection to it still under way.
	Previously       string `json:"previously,omitempty"`
	ConnectionStatus string `json:"connection_status,omitempty"`
}

// NeedView is one of the person's needs as suggestions used it.
type NeedView struct {
	Code     string `json:"code"`
	Label    string `json:"label"`
	Priority int    `json:"priority"`
}

// Suggestions are the services suggested for a referral, and what they
// were chosen from.
type Suggestions struct {
	ReferralID string `json:"referral_id"`
	// Place is the postcode distances are measured from; empty when the
	// person's postcode could not be placed.
	Place string `json:"place"`
	// NeedsFrom says where the needs came from: "conversation" (the latest
	// what-matters conversation) or "referral" (its reasons, until then).
	NeedsFrom   string       `json:"needs_from"`
	Needs       []NeedView   `json:"needs"`
	Interests   string       `json:"interests"`
	Preferences Preferences  `json:"preferences"`
	Items       []Suggestion `json:"items"`
	// Considered is how many services were weighed.
	Considered int         `json:"considered"`
	Unmet      []UnmetNeed `json:"unmet_needs"`
}

// searchKm is how far to look: a little beyond how far they can travel, so
// that the nearest of what lies just outside can be shown as such.
func searchKm(maxKm float64) float64 { return maxKm + math.Min(math.Max(2, maxKm/2), 5) }

// Suggest ranks services for the referral's person and records the needs
// left unmet. The caller has checked the actor may see the referral.
//
// The person's details and the directory are read in one read
// transaction outside the write transaction, so that the directory
// queries (the slow part) never hold SQLite's one writer, and share one
// snapshot: on SQLite every commit elsewhere makes a reader drop what it
// had read, once per transaction rather than once per query. The read is
// then recorded in the audit log, with any unmet needs, in one short
// transaction, and nothing is returned unless that commits.
func (s *Suggester) Suggest(ctx context.Context, by referral.Actor, ref referral.Referral) (Suggestions, error) {
	return s.suggest(ctx, by, ref, nil)
}

// SuggestReading is Suggest for a caller that has looked the referral up
// only to show its suggestions and has not recorded that read: it is
// audited with the suggestions', in the same transaction (one commit, not
// two), and not at all if the suggestions fail, since then nothing of the
// referral was shown.
func (s *Suggester) SuggestReading(ctx context.Context, by referral.Actor, ref referral.Referral) (Suggestions, error) {
	return s.suggest(ctx, by, ref, []audit.Event{{At: s.now(), ActorID: by.UserID, Action: audit.Read, ObjectKind: "referral", ObjectID: ref.ID, Client: by.Client}})
}

func (s *Suggester) suggest(ctx context.Context, by referral.Actor, ref referral.Referral, alsoRead []audit.Event) (Suggestions, error) {
	out := Suggestions{ReferralID: ref.ID, Items: []Suggestion{}, Unmet: []UnmetNeed{}, Needs: []NeedView{}}
	var unmet []UnmetNeed
	err := s.DB.ReadTx(ctx, func(tx *sql.Tx) error {
		var err error
		unmet, err = s.gather(ctx, tx, ref, &out)
		return err
	})
	if err != nil {
		return out, err
	}
	if unmet != nil {
		out.Unmet = unmet
	}
	now := s.now()
	rec := &readRecord{referralID: ref.ID, at: now, unmet: unmet, events: append(alsoRead, audit.Event{At: now, ActorID: by.UserID,
		Action: audit.Read, ObjectKind: kindSuggestions, ObjectID: ref.ID, Client: by.Client})}
	if err := s.record(ctx, rec); err != nil {
		return Suggestions{}, err
	}
	return out, nil
}

// Group commit. Every read of suggestions is audited, durably, before it
// is answered, and each commit waits for the disk and, on SQLite, makes
// every reader drop the pages it had read. Reads that finish together
// therefore share one transaction (db.GroupCommit, as referral intake
// does): the unmet needs and audit entries of everything queued so far,
// one commit, and each caller answered only after it. Nothing is answered
// before its audit entry is on disk: a power cut loses no read that was
// shown.

// maxReadBatch bounds a batch, and so the time it holds the writer.
const maxReadBatch = 64

// readRecord is what one read of suggestions writes.
type readRecord struct {
	ctx        context.Context
	referralID string
	at         time.Time
	unmet      []UnmetNeed
	events     []audit.Event
	// err is the answer once done is set.
	err  error
	done bool
}

// record writes rec, alone or with the others queued with it, and returns
// once it is committed or has failed.
func (s *Suggester) record(ctx context.Context, rec *readRecord) error {
	s.readsOnce.Do(func() { s.reads = &db.GroupCommit[*readRecord]{Max: maxReadBatch} })
	rec.ctx = ctx
	if err := s.reads.Do(rec, s.writeReads); err != nil || !rec.done {
		return cmp.Or(err, db.ErrBatchAborted)
	}
	return rec.err
}

// writeReads writes a batch in one transaction. A caller that left before
// its turn is skipped (it was shown nothing); the others' writes run
// without the leader's cancellation. If the batch fails before its
// commit, each read is written again on its own, so that one cannot fail
// the others.
func (s *Suggester) writeReads(batch []*readRecord) {
	var live []*readRecord
	for _, rec := range batch {
		if err := rec.ctx.Err(); err != nil {
			rec.err, rec.done = err, true
			continue
		}
		live = append(live, rec)
	}
	if len(live) == 0 {
		return
	}
	ctx := context.WithoutCancel(live[0].ctx)
	committing := false
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := writeReadRecords(ctx, tx, s.DB.Dialect, live); err != nil {
			return err
		}
		committing = true
		return nil
	})
	for _, rec := range live {
		if err != nil && !committing && len(live) > 1 {
			// The commit itself failed: trying again one by one would
			// most likely fail the same way; anything else, try alone.
			rec.err = s.DB.Tx(ctx, func(tx *sql.Tx) error { return writeReadRecords(ctx, tx, s.DB.Dialect, []*readRecord{rec}) })
		} else {
			rec.err = err
		}
		rec.done = true
	}
}

// writeReadRecords writes the unmet needs of each read, then all their
// audit entries in one statement, in order.
func writeReadRecords(ctx context.Context, tx *sql.Tx, dialect db.Dialect, recs []*readRecord) error {
	var events []audit.Event
	for _, rec := range recs {
		if err := recordUnmet(ctx, tx, rec.referralID, rec.at, rec.unmet); err != nil {
			return err
		}
		events = append(events, rec.events...)
	}
	return audit.AppendAll(ctx, tx, dialect, events)
}

// gather reads, through r, what suggestions are made from, and ranks them
// into out; it returns the needs left unmet.
func (s *Suggester) gather(ctx context.Context, r db.Querier, ref referral.Referral, out *Suggestions) ([]UnmetNeed, error) {
	var home postcode.Point
	located := false
	if ref.Person != nil && ref.Person.Postcode != "" {
		var err error
		if home, located, err = directory.LocateWith(ctx, r, ref.Person.Postcode); err != nil {
			return nil, err
		}
	}
	needs, interests, err := latestNeeds(ctx, r, ref)
	if err != nil {
		return nil, err
	}
	out.NeedsFrom = "conversation"
	if len(needs) == 0 {
		out.NeedsFrom = "referral"
		for _, code := range ref.Reasons {
			needs = append(needs, NeedPriority{Code: code, Priority: 2})
		}
	}
	for _, n := range needs {
		need, _ := taxonomy.NeedByCode(n.Code)
		out.Needs = append(out.Needs, NeedView{Code: n.Code, Label: need.Label, Priority: n.Priority})
	}
	out.Interests = interests
	if out.Preferences, err = readPreferences(ctx, r, ref.ID); err != nil {
		return nil, err
	}
	past, err := pastOutcomes(ctx, r, ref.PersonID)
	if err != nil {
		return nil, err
	}
	age, sex, err := s.whoTheyAre(ctx, r, ref)
	if err != nil {
		return nil, err
	}
	if !located {
		return nil, nil
	}
	out.Place = ref.Person.Postcode
	codes := make([]string, len(needs))
	for i, n := range needs {
		codes[i] = n.Code
	}
	words := directory.InterestWords(interests)
	cands, err := s.Directory.Nearby(ctx, r, directory.NearbyQuery{Origin: home, WithinKm: searchKm(out.Preferences.MaxKm),
		Categories: taxonomy.CategoriesForNeeds(codes), Interests: words,
		Schedules: len(out.Preferences.Times) > 0, Access: len(out.Preferences.Accessibility) > 0})
	if err != nil {
		return nil, err
	}
	out.Considered = len(cands)
	profile := Profile{Needs: needs, Interests: words, Prefs: out.Preferences, Past: past, Age: age, Sex: sex}
	ranked := Rank(profile, cands)
	unmet := FindUnmet(needs, ranked, MinSuitable, postcode.Outcode(ref.Person.Postcode), out.Preferences.MaxKm)
	if out.Items, err = s.withServices(ctx, r, profile, ranked[:min(len(ranked), s.limit())]); err != nil {
		return nil, err
	}
	return unmet, nil
}

func (s *Suggester) limit() int {
	if s.Limit <= 0 {
		return 20
	}
	return s.Limit
}

// withServices loads the full services of the ranked ones to show, and
// scores them again with all they hold (the ranking of the many may have
// gone by the days a service meets; its reasons now give the times).
func (s *Suggester) withServices(ctx context.Context, r db.Querier, p Profile, ranked []Scored) ([]Suggestion, error) {
	nearby := make([]directory.Nearby, len(ranked))
	for i, sc := range ranked {
		nearby[i] = sc.Nearby
	}
	services, err := s.Directory.LoadNearby(ctx, r, nearby)
	if err != nil {
		return nil, err
	}
	full := make([]directory.Nearby, 0, len(services))
	byID := make(map[string]directory.Service, len(services))
	for i, v := range services {
		byID[v.ID] = v
		n := ranked[slices.IndexFunc(ranked, func(r Scored) bool { return r.ID == v.ID })].Nearby
		n.Schedule, n.Accessibility, n.Languages = services[i].Schedule, services[i].Accessibility, services[i].Languages
		full = append(full, n)
	}
	out := make([]Suggestion, 0, len(ranked))
	for _, r := range Rank(p, full) {
		out = append(out, Suggestion{Service: byID[r.ID], DistanceKm: math.Round(r.DistanceKm*100) / 100, Score: r.Score, Reasons: r.Reasons,
			NeedsMet: r.NeedsMet, WithinReach: r.WithinReach, Suitable: r.Suitable, WaitingList: r.WaitingList,
			Previously: r.Previously, ConnectionStatus: r.Connection})
	}
	return out, nil
}

// whoTheyAre reads the person's age today (nil when their date of birth
// is not held) and sex as recorded.
func (s *Suggester) whoTheyAre(ctx context.Context, r db.Querier, ref referral.Referral) (*int, string, error) {
	var sex string
	if ref.PersonID != "" {
		err := r.QueryRowContext(ctx, "SELECT sex FROM people WHERE id = $1", ref.PersonID).Scan(&sex)
		if err != nil && err != sql.ErrNoRows {
			return nil, "", err
		}
	}
	if ref.Person == nil || ref.Person.DateOfBirth == "" {
		return nil, sex, nil
	}
	born, err := time.Parse(time.DateOnly, ref.Person.DateOfBirth)
	if err != nil {
		return nil, sex, nil
	}
	age := referral.Age(born, s.now().In(suggestZone))
	return &age, sex, nil
}

// latestNeeds reads the needs and interests of the referral's latest
// what-matters conversation; none when there has been none.
func latestNeeds(ctx context.Context, r db.Querier, ref referral.Referral) ([]NeedPriority, string, error) {
	var stored, interests string
	err := r.QueryRowContext(ctx, `SELECT needs, interests FROM conversations WHERE referral_id = $1
		ORDER BY held_at DESC, created_at DESC, id LIMIT 1`, ref.ID).Scan(&stored, &interests)
	if err == sql.ErrNoRows {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	var needs []NeedPriority
	if err := json.Unmarshal([]byte(stored), &needs); err != nil {
		return nil, "", fmt.Errorf("conversation needs of %s: %w", ref.ID, err)
	}
	return needs, strings.TrimSpace(interests), nil
}

// pastOutcomes reads what became of the person's connections, on any of
// their referrals, by service.
func pastOutcomes(ctx context.Context, r db.Querier, personID string) (map[string]Past, error) {
	out := map[string]Past{}
	if personID == "" {
		return out, nil
	}
	rows, err := r.QueryContext(ctx, `SELECT c.service_id, c.status FROM connections c
		JOIN referrals r ON r.id = c.referral_id WHERE r.person_id = $1`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byService := map[string][]string{}
	for rows.Next() {
		var service, status string
		if err := rows.Scan(&service, &status); err != nil {
			return nil, err
		}
		byService[service] = append(byService[service], status)
	}
	for service, statuses := range byService {
		out[service] = Past{Status: MostTelling(statuses)}
	}
	return out, rows.Err()
}
