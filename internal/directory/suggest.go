package directory

// The narrow queries behind suggestions for a person: every active service
// within reach of their home with what ranking weighs (kept apart from the
// search files, which are tuned for a different shape of question), and
// which of their interests, in their own words, each service matches.

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"oikos/internal/db"
	"oikos/internal/postcode"
)

// NearbyQuery asks for the services around a place.
type NearbyQuery struct {
	Origin   postcode.Point
	WithinKm float64
	// Categories keeps services in any of them; a service outside them is
	// kept only when it matches an interest.
	Categories []string
	// Interests are words in the person's own words; each is looked up in
	// the full-text index on its own, so that a service matching any of
	// them is found and the reason can say which.
	Interests []string
	// Schedules asks for each service's weekly sessions (for times of
	// day), and Access for its accessibility and languages.
	Schedules, Access bool
}

// Nearby is a service around a place, with what suggestions weigh. It is
// lighter than a Service: LoadServices fetches the full ones to show.
type Nearby struct {
	ID         string
	Name       string
	DistanceKm float64
	Categories []string
	// Days packs the days it meets, Monday = 1; Schedule is loaded only
	// when asked for.
	Days          int
	Schedule      []Session
	CostPence     *int64
	Capacity      *int
	Accessibility []string
	Languages     []string
	CitizenLed    bool
	// MinAge, MaxAge and ForSex say whom it is for (nil: no limit; ForSex
	// "any", "female" or "male").
	MinAge, MaxAge *int
	ForSex         string
	// Relevance is the full-text score summed over the interests matched
	// (higher is better, comparable only within one query); Matched names
	// those interests.
	Relevance float64
	Matched   []string

	pk int64 // the row's key, which the SQLite full-text index knows it by
}

// maxInterests bounds the full-text lookups one suggestion makes.
const maxInterests = 8

// interestStopWords are words people use around their interests that say
// nothing about them ("I like walking and my dog"), on top of the search's
// stop words.
var interestStopWords = map[string]bool{
	"like": true, "likes": true, "liked": true, "love": true, "loves": true, "enjoy": true, "enjoys": true, "enjoyed": true,
	"used": true, "use": true, "would": true, "want": true, "wants": true, "going": true, "go": true, "get": true, "getting": true,
	"do": true, "doing": true, "does": true, "things": true, "thing": true, "people": true, "out": true, "about": true,
	"very": true, "really": true, "also": true, "but": true, "was": true, "has": true, "have": true, "had": true, "her": true,
	"his": true, "she": true, "he": true, "they": true, "them": true, "their": true, "once": true, "still": true, "again": true,
	"lot": true, "lots": true, "much": true, "more": true, "good": true, "well": true, "keen": true, "into": true, "interested": true,
}

// InterestWords picks the words of free text worth looking up: no stop
// words, no fillers, nothing shorter than three letters, each once, at
// most maxInterests.
func InterestWords(text string) []string {
	var out []string
	for _, w := range words(text) {
		if len([]rune(w)) < 3 || interestStopWords[w] || slices.Contains(out, w) {
			continue
		}
		out = append(out, w)
		if len(out) == maxInterests {
			break
		}
	}
	return out
}

// Nearby lists the active services within q.WithinKm of q.Origin that are
// in one of q.Categories or match one of q.Interests, nearest first,
// reading through r (a read transaction, so that its queries share one
// snapshot of the database and what they have read of it).
func (s *Store) Nearby(ctx context.Context, r db.Querier, q NearbyQuery) ([]Nearby, error) {
	if q.WithinKm <= 0 {
		return nil, fmt.Errorf("nearby: radius %v", q.WithinKm)
	}
	snap, seen, err := s.suggestSnapshot(ctx, r)
	if err != nil {
		return nil, err
	}
	a, b, c, d := postcode.BoundingBox(q.Origin, q.WithinKm)
	// The same box and tests as a query on latitude and longitude BETWEEN
	// would make, on the rows sorted by latitude.
	inBox := snap.between(a, b)
	all := make([]Nearby, 0, len(inBox)/4)
	for i := range inBox {
		row := &inBox[i]
		if row.lon < c || row.lon > d {
			continue
		}
		km := postcode.DistanceKm(q.Origin, postcode.Point{Lat: row.lat, Lon: row.lon})
		if km > q.WithinKm {
			continue
		}
		n := Nearby{ID: row.id, Name: row.name, DistanceKm: km, Categories: row.categories, Days: row.days,
			CostPence: row.cost, Capacity: row.capacity, CitizenLed: row.citizenLed, MinAge: row.minAge, MaxAge: row.maxAge,
			ForSex: row.forSex, pk: row.pk}
		if q.Schedules {
			n.Schedule = row.schedule
		}
		if q.Access {
			n.Accessibility, n.Languages = row.accessibility, row.languages
		}
		all = append(all, n)
	}
	if len(all) > 0 {
		for _, w := range q.Interests {
			scores, err := s.wordScores(ctx, r, snap, seen, w)
			if err != nil {
				return nil, err
			}
			for i := range all {
				if score, ok := scores[all[i].pk]; ok && score > 0 {
					all[i].Relevance += score
					all[i].Matched = append(all[i].Matched, w)
				}
			}
		}
	}
	out := make([]Nearby, 0, len(all))
	for _, n := range all {
		if n.Relevance > 0 || len(q.Categories) == 0 || slices.ContainsFunc(n.Categories, func(c string) bool { return slices.Contains(q.Categories, c) }) {
			out = append(out, n)
		}
	}
	slices.SortFunc(out, func(x, y Nearby) int {
		switch {
		case x.DistanceKm < y.DistanceKm:
			return -1
		case x.DistanceKm > y.DistanceKm:
			return 1
		}
		return strings.Compare(x.ID, y.ID)
	})
	return out, nil
}

// LoadNearby loads the full services of those listed through r, with their
// schedules, in the order listed; any gone meanwhile are left out. The
// services shown are much the same from one person to the next in an
// area, and reading each one's rows from scattered pages was most of a
// suggestion's time, so the last maxShown loaded are kept until anything
// they hold changes (directory_version.details); the rest are read by
// their row keys.
func (s *Store) LoadNearby(ctx context.Context, r db.Querier, list []Nearby) ([]Service, error) {
	if len(list) == 0 {
		return []Service{}, nil
	}
	var details int64
	if err := r.QueryRowContext(ctx, "SELECT details FROM directory_version WHERE id = 1").Scan(&details); err != nil {
		return nil, err
	}
	c := s.caches().suggest
	byID := map[string]Service{}
	var args []any
	var marks []string
	c.shownMu.Lock()
	for _, n := range list {
		if v, ok := c.shown[n.ID]; ok && c.shownDetails == details {
			byID[n.ID] = v
			continue
		}
		args = append(args, n.pk)
		marks = append(marks, "$"+strconv.Itoa(len(args)))
	}
	c.shownMu.Unlock()
	var loaded []Service
	if len(args) > 0 {
		err := eachRow(ctx, r, "SELECT "+serviceColumns+" FROM services s JOIN organisations o ON o.id = s.organisation_id WHERE s.pk IN ("+
			strings.Join(marks, ", ")+")", func(rows *sql.Rows) error {
			v, err := scanService(rows)
			loaded = append(loaded, v)
			return err
		}, args...)
		if err == nil {
			err = attachWith(ctx, r, loaded)
		}
		if err != nil {
			return nil, err
		}
	}
	c.shownMu.Lock()
	if c.shown == nil || c.shownDetails != details || len(c.shown)+len(loaded) > maxShown {
		c.shown, c.shownDetails = map[string]Service{}, details
	}
	for _, v := range loaded {
		byID[v.ID] = v
		c.shown[v.ID] = v
	}
	c.shownMu.Unlock()
	out := make([]Service, 0, len(list))
	for _, n := range list {
		if v, ok := byID[n.ID]; ok {
			out = append(out, v)
		}
	}
	return out, nil
}

// maxShown bounds the full services kept (a few kilobytes each).
const maxShown = 10_000

// The compact rows suggestions start from. Reading the box around a person
// from the database cost most of a suggestion: thousands of index entries
// in a city, and on SQLite every commit (each suggestion audits its read)
// makes every reader map its pages afresh. The rows are few and small (a
// hundred thousand services take about 15 MB), so each server keeps them
// in memory, sorted by latitude, and before each use reads one number,
// directory_version, which a trigger counts up in the same transaction as
// any change to what the rows hold (migration 0017).

// compactService is what ranking needs of a service, as stored.
type compactService struct {
	pk         int64
	lat, lon   float64
	id, name   string
	categories []string
	days       int
	cost       *int64
	capacity   *int
	citizenLed bool
	// minAge, maxAge and forSex say whom it is for.
	minAge, maxAge *int
	forSex         string
	// schedule holds the sessions on days 1 to 7, in their order.
	schedule                 []Session
	accessibility, languages []string
}

// suggestSnapshot is the active, placed services at one directory version.
// Its rows and what they point to are shared by every request: read only.
type suggestSnapshot struct {
	version int64
	byLat   []compactService
	// words holds the full-text scores of interest words (wordScores).
	mu    sync.Mutex
	words map[string]map[int64]float64
}

// between returns the rows with a latitude from lo to hi.
func (p *suggestSnapshot) between(lo, hi float64) []compactService {
	from, _ := slices.BinarySearchFunc(p.byLat, lo, func(c compactService, lat float64) int { return cmp.Compare(c.lat, lat) })
	to := from
	for to < len(p.byLat) && p.byLat[to].lat <= hi {
		to++
	}
	return p.byLat[from:to]
}

// suggestCache holds one database's snapshot; mu lets one request load a
// new one while the others wait for it rather than load it too.
type suggestCache struct {
	mu   sync.Mutex
	snap atomic.Pointer[suggestSnapshot]
	// shown holds full services by id as LoadNearby read them, at the
	// details version shownDetails. They are shared: read only.
	shownMu      sync.Mutex
	shown        map[string]Service
	shownDetails int64
}

// directoryVersion reads the number that changes with every change to the
// rows suggestions keep.
func directoryVersion(ctx context.Context, r db.Querier) (int64, error) {
	var v int64
	err := r.QueryRowContext(ctx, "SELECT version FROM directory_version WHERE id = 1").Scan(&v)
	return v, err
}

// suggestSnapshot returns the services as the database now holds them,
// loading them again only when the directory has changed, and the version
// r sees.
func (s *Store) suggestSnapshot(ctx context.Context, r db.Querier) (*suggestSnapshot, int64, error) {
	c := s.caches().suggest
	version, err := directoryVersion(ctx, r)
	if err != nil {
		return nil, 0, err
	}
	if p := c.snap.Load(); p != nil && p.version >= version {
		return p, version, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if p := c.snap.Load(); p != nil && p.version >= version {
		return p, version, nil
	}
	p, err := loadSnapshot(ctx, r, version)
	if err != nil {
		return nil, 0, err
	}
	c.snap.Store(p)
	return p, version, nil
}

// maxWords bounds the interest words a snapshot keeps scores for; past it
// they are all forgotten and looked up again as asked for.
const maxWords = 2000

// wordScores returns the full-text score, by key, of every service that
// matches an interest word. A score depends only on the directory (the
// service's text and the whole index's counts), so it is kept with the
// snapshot, which a change to any service's text replaces; a request that
// sees another version than the snapshot's reads it without keeping it.
// Interests are whole words, so no prefix: stemming finds "gardens" for
// "gardening".
func (s *Store) wordScores(ctx context.Context, r db.Querier, snap *suggestSnapshot, seen int64, word string) (map[int64]float64, error) {
	snap.mu.Lock()
	scores, ok := snap.words[word]
	snap.mu.Unlock()
	if ok {
		return scores, nil
	}
	query, arg := s.text().wordQuery(word)
	scores = map[int64]float64{}
	err := eachRow(ctx, r, query, func(rows *sql.Rows) error {
		var pk int64
		var score float64
		if err := rows.Scan(&pk, &score); err != nil {
			return err
		}
		scores[pk] = score
		return nil
	}, arg)
	if err != nil {
		return nil, err
	}
	if seen == snap.version {
		snap.mu.Lock()
		if len(snap.words) >= maxWords || snap.words == nil {
			snap.words = map[string]map[int64]float64{}
		}
		snap.words[word] = scores
		snap.mu.Unlock()
	}
	return scores, nil
}

// loadSnapshot reads every active, placed service's compact row, its
// sessions and its access. Each statement also reads the version: on
// PostgreSQL each sees the database as it is when it starts, so when the
// three disagree a change came between them and they are read again. With
// no rows the version is versionBefore, read earlier, so that a change
// made meanwhile loads them again next time.
func loadSnapshot(ctx context.Context, r db.Querier, versionBefore int64) (*suggestSnapshot, error) {
	for attempt := 0; ; attempt++ {
		p, consistent, err := readSnapshot(ctx, r, versionBefore)
		if err != nil || consistent || attempt == 3 {
			if !consistent {
				p.version = versionBefore
			}
			return p, err
		}
	}
}

// readSnapshot reads the rows once, and reports whether its three
// statements saw the same version.
func readSnapshot(ctx context.Context, r db.Querier, versionBefore int64) (*suggestSnapshot, bool, error) {
	p := &suggestSnapshot{version: versionBefore}
	versions := map[int64]bool{}
	byID := map[string]int{}
	// Services share a few sets of categories, of access and of languages,
	// and a few opening times: one copy of each.
	lists := map[string][]string{}
	list := func(stored string, parse func(string) []string) []string {
		v, ok := lists[stored]
		if !ok {
			v = slices.Clip(parse(stored))
			lists[stored] = v
		}
		return v
	}
	jsonList := func(stored string) []string {
		var v []string
		json.Unmarshal([]byte(stored), &v)
		return v
	}
	times := map[string]string{}
	intern := func(t string) string {
		if v, ok := times[t]; ok {
			return v
		}
		times[t] = t
		return t
	}
	sexes := map[string]string{}
	err := eachRow(ctx, r, `SELECT v.version, s.pk, s.latitude, s.longitude, s.id, s.name, s.categories, s.days, s.cost_pence, s.capacity, s.citizen_led,
		s.min_age, s.max_age, s.for_sex
		FROM services s CROSS JOIN directory_version v
		WHERE v.id = 1 AND s.status = 'active' AND s.latitude IS NOT NULL AND s.longitude IS NOT NULL ORDER BY s.latitude`,
		func(rows *sql.Rows) error {
			var c compactService
			var cats string
			var cost, capacity, minAge, maxAge sql.NullInt64
			var version int64
			var sex string
			if err := rows.Scan(&version, &c.pk, &c.lat, &c.lon, &c.id, &c.name, &cats, &c.days, &cost, &capacity, &c.citizenLed,
				&minAge, &maxAge, &sex); err != nil {
				return err
			}
			if _, ok := sexes[sex]; !ok {
				sexes[sex] = sex
			}
			c.minAge, c.maxAge, c.forSex = intPtr(minAge), intPtr(maxAge), sexes[sex]
			versions[version], p.version = true, version
			c.categories = list(cats, strings.Fields)
			if cost.Valid {
				c.cost = &cost.Int64
			}
			c.capacity = intPtr(capacity)
			p.byLat = append(p.byLat, c)
			return nil
		})
	if err != nil || len(p.byLat) == 0 {
		return p, true, err
	}
	slices.SortStableFunc(p.byLat, func(x, y compactService) int { return cmp.Compare(x.lat, y.lat) })
	for i, c := range p.byLat {
		byID[c.id] = i
	}
	err = eachRow(ctx, r, `SELECT v.version, s.id, s.accessibility, s.languages FROM services s CROSS JOIN directory_version v
		WHERE v.id = 1 AND s.status = 'active' AND s.latitude IS NOT NULL AND s.longitude IS NOT NULL`,
		func(rows *sql.Rows) error {
			var version int64
			var id, access, langs string
			if err := rows.Scan(&version, &id, &access, &langs); err != nil {
				return err
			}
			versions[version] = true
			if i, ok := byID[id]; ok {
				p.byLat[i].accessibility, p.byLat[i].languages = list(access, jsonList), list(langs, jsonList)
			}
			return nil
		})
	if err != nil {
		return p, true, err
	}
	err = eachRow(ctx, r, `SELECT v.version, sc.service_id, sc.day, sc.opens, sc.closes FROM service_schedules sc CROSS JOIN directory_version v
		WHERE v.id = 1 ORDER BY sc.service_id, sc.position`,
		func(rows *sql.Rows) error {
			var version int64
			var id, opens, closes string
			var day int
			if err := rows.Scan(&version, &id, &day, &opens, &closes); err != nil {
				return err
			}
			versions[version] = true
			if i, ok := byID[id]; ok && day >= 1 && day <= 7 {
				p.byLat[i].schedule = append(p.byLat[i].schedule, Session{Day: Days[day-1], Opens: intern(opens), Closes: intern(closes)})
			}
			return nil
		})
	for i := range p.byLat {
		p.byLat[i].schedule = slices.Clip(p.byLat[i].schedule)
	}
	return p, len(versions) <= 1, err
}

// eachRow runs query through r and hands each row to scan.
func eachRow(ctx context.Context, r db.Querier, query string, scan func(rows *sql.Rows) error, args ...any) error {
	rows, err := r.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
