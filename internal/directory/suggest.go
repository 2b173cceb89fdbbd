package directory

// The narrow queries behind suggestions for a person: every active service
// within reach of their home with what ranking weighs (kept apart from the
// search files, which are tuned for a different shape of question), and
// which of their interests, in their own words, each service matches.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

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
	// day), and Access for its accessibility and languages; without them
	// the first phase reads only a covering index, never the wide rows.
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
// in one of q.Categories or match one of q.Interests, nearest first.
func (s *Store) Nearby(ctx context.Context, q NearbyQuery) ([]Nearby, error) {
	if q.WithinKm <= 0 {
		return nil, fmt.Errorf("nearby: radius %v", q.WithinKm)
	}
	a, b, c, d := postcode.BoundingBox(q.Origin, q.WithinKm)
	box := []any{a, b, c, d}
	matched := map[string]*Nearby{}
	byPK := map[int64]*Nearby{}
	order := []string{}
	// The box and every column read here come from one covering index
	// (services_suggest): a city's box holds thousands of services, and
	// reading their wide rows was most of the time.
	rows, err := s.DB.R().QueryContext(ctx, `SELECT s.pk, s.id, s.name, s.latitude, s.longitude, s.categories, s.days, s.cost_pence, s.capacity, s.citizen_led
		FROM services s WHERE s.latitude BETWEEN $1 AND $2 AND s.longitude BETWEEN $3 AND $4 AND s.status = 'active'`, box...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var n Nearby
		var lat, lon float64
		var cats string
		var cost, capacity sql.NullInt64
		if err := rows.Scan(&n.pk, &n.ID, &n.Name, &lat, &lon, &cats, &n.Days, &cost, &capacity, &n.CitizenLed); err != nil {
			rows.Close()
			return nil, err
		}
		n.DistanceKm = postcode.DistanceKm(q.Origin, postcode.Point{Lat: lat, Lon: lon})
		if n.DistanceKm > q.WithinKm {
			continue
		}
		n.Categories = strings.Fields(cats)
		if cost.Valid {
			n.CostPence = &cost.Int64
		}
		n.Capacity = intPtr(capacity)
		matched[n.ID] = &n
		byPK[n.pk] = &n
		order = append(order, n.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, w := range q.Interests {
		if err := s.matchInterest(ctx, w, box, matched, byPK); err != nil {
			return nil, err
		}
	}
	out := make([]Nearby, 0, len(order))
	for _, id := range order {
		n := matched[id]
		if n.Relevance > 0 || len(q.Categories) == 0 || slices.ContainsFunc(n.Categories, func(c string) bool { return slices.Contains(q.Categories, c) }) {
			out = append(out, *n)
		}
	}
	if q.Schedules {
		if err := s.attachSchedules(ctx, out); err != nil {
			return nil, err
		}
	}
	if q.Access {
		if err := s.attachAccess(ctx, out); err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(out, func(x, y Nearby) int {
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

// matchInterest adds one interest word's full-text score to the services
// in the box that match it. Interests are whole words, so no prefix:
// stemming finds "gardens" for "gardening".
func (s *Store) matchInterest(ctx context.Context, word string, box []any, byID map[string]*Nearby, byPK map[int64]*Nearby) error {
	var query string
	var arg any
	if s.DB.Dialect == "postgres" {
		query = `SELECT s.id, 0, ts_rank('{0.1, 0.25, 0.5, 1.0}', s.search_vector, query)::float8
			FROM services s, to_tsquery('english', $5) AS query
			WHERE s.search_vector @@ query AND s.latitude BETWEEN $1 AND $2 AND s.longitude BETWEEN $3 AND $4 AND s.status = 'active'`
		arg = word
	} else {
		// As in the search: the box's keys from a covering index, and the +
		// keeps SQLite from handing them to FTS5 one at a time. Only keys
		// come back: joining the services rows to name them read a wide row
		// for every match, most of the time this took.
		query = `SELECT '', rowid, -bm25(services_fts, 10.0, 4.0, 1.0)
			FROM services_fts
			WHERE services_fts MATCH $5 AND +rowid IN (SELECT pk FROM services WHERE latitude BETWEEN $1 AND $2 AND longitude BETWEEN $3 AND $4)`
		arg = `"` + word + `"`
	}
	rows, err := s.DB.R().QueryContext(ctx, query, append(slices.Clone(box), arg)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var pk int64
		var score float64
		if err := rows.Scan(&id, &pk, &score); err != nil {
			return err
		}
		n := byID[id]
		if id == "" {
			n = byPK[pk]
		}
		if n != nil && score > 0 {
			n.Relevance += score
			n.Matched = append(n.Matched, word)
		}
	}
	return rows.Err()
}

// attachSchedules loads the weekly sessions of the services listed.
func (s *Store) attachSchedules(ctx context.Context, list []Nearby) error {
	return eachChunk(ctx, s, list, "SELECT service_id, day, opens, closes FROM service_schedules WHERE service_id IN (%s) ORDER BY service_id, position",
		func(rows *sql.Rows, n func(id string) *Nearby) error {
			var id, opens, closes string
			var day int
			if err := rows.Scan(&id, &day, &opens, &closes); err != nil {
				return err
			}
			if day >= 1 && day <= 7 {
				v := n(id)
				v.Schedule = append(v.Schedule, Session{Day: Days[day-1], Opens: opens, Closes: closes})
			}
			return nil
		})
}

// attachAccess loads the accessibility and languages of the services listed.
func (s *Store) attachAccess(ctx context.Context, list []Nearby) error {
	return eachChunk(ctx, s, list, "SELECT id, accessibility, languages FROM services WHERE id IN (%s)",
		func(rows *sql.Rows, n func(id string) *Nearby) error {
			var id, access, langs string
			if err := rows.Scan(&id, &access, &langs); err != nil {
				return err
			}
			v := n(id)
			json.Unmarshal([]byte(access), &v.Accessibility)
			json.Unmarshal([]byte(langs), &v.Languages)
			return nil
		})
}

// eachChunk runs query (with %s for the placeholders) for the services
// listed, 500 at a time, handing each row to scan with a way to find the
// service by id.
func eachChunk(ctx context.Context, s *Store, list []Nearby, query string, scan func(rows *sql.Rows, n func(id string) *Nearby) error) error {
	index := make(map[string]int, len(list))
	for i, n := range list {
		index[n.ID] = i
	}
	find := func(id string) *Nearby { return &list[index[id]] }
	for start := 0; start < len(list); start += 500 {
		part := list[start:min(len(list), start+500)]
		ids := make([]any, len(part))
		marks := make([]string, len(part))
		for i, n := range part {
			ids[i] = n.ID
			marks[i] = "$" + strconv.Itoa(i+1)
		}
		rows, err := s.DB.R().QueryContext(ctx, fmt.Sprintf(query, strings.Join(marks, ", ")), ids...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := scan(rows, find); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// LoadServices loads full services by id, with their schedules, in the
// order asked; ids not found are left out.
func (s *Store) LoadServices(ctx context.Context, ids []string) ([]Service, error) {
	if len(ids) == 0 {
		return []Service{}, nil
	}
	args := make([]any, len(ids))
	marks := make([]string, len(ids))
	for i, id := range ids {
		args[i] = id
		marks[i] = "$" + strconv.Itoa(i+1)
	}
	rows, err := s.DB.R().QueryContext(ctx, "SELECT "+serviceColumns+" FROM services s JOIN organisations o ON o.id = s.organisation_id WHERE s.id IN ("+
		strings.Join(marks, ", ")+")", args...)
	if err != nil {
		return nil, err
	}
	byID := map[string]Service{}
	for rows.Next() {
		v, err := scanService(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		byID[v.ID] = v
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]Service, 0, len(ids))
	for _, id := range ids {
		if v, ok := byID[id]; ok {
			out = append(out, v)
		}
	}
	if err := s.attach(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}
