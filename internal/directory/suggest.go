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
}

// Nearby is a service around a place, with what suggestions weigh. It is
// lighter than a Service: LoadServices fetches the full ones to show.
type Nearby struct {
	ID            string
	Name          string
	DistanceKm    float64
	Categories    []string
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
	order := []string{}
	// The box comes from the geo index; the wide columns are read only
	// for the services in it.
	rows, err := s.DB.R().QueryContext(ctx, `SELECT s.id, s.name, s.latitude, s.longitude, s.categories, s.cost_pence, s.capacity,
			s.accessibility, s.languages, s.citizen_led
		FROM services s WHERE s.latitude BETWEEN $1 AND $2 AND s.longitude BETWEEN $3 AND $4 AND s.status = 'active'`, box...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var n Nearby
		var lat, lon float64
		var cats, access, langs string
		var cost, capacity sql.NullInt64
		if err := rows.Scan(&n.ID, &n.Name, &lat, &lon, &cats, &cost, &capacity, &access, &langs, &n.CitizenLed); err != nil {
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
		json.Unmarshal([]byte(access), &n.Accessibility)
		json.Unmarshal([]byte(langs), &n.Languages)
		matched[n.ID] = &n
		order = append(order, n.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, w := range q.Interests {
		if err := s.matchInterest(ctx, w, box, matched); err != nil {
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
	if err := s.attachSchedules(ctx, out); err != nil {
		return nil, err
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
// in the box that match it (a prefix, so "garden" finds "gardening").
func (s *Store) matchInterest(ctx context.Context, word string, box []any, into map[string]*Nearby) error {
	var query string
	var arg any
	if s.DB.Dialect == "postgres" {
		query = `SELECT s.id, ts_rank('{0.1, 0.25, 0.5, 1.0}', s.search_vector, query)::float8
			FROM services s, to_tsquery('english', $5) AS query
			WHERE s.search_vector @@ query AND s.latitude BETWEEN $1 AND $2 AND s.longitude BETWEEN $3 AND $4 AND s.status = 'active'`
		arg = word + ":*"
	} else {
		// As in the search: the box's rowids from the covering geo index,
		// and the + keeps SQLite from handing them to FTS5 one at a time.
		query = `SELECT s.id, -bm25(services_fts, 10.0, 4.0, 1.0)
			FROM services_fts JOIN services s ON s.pk = services_fts.rowid
			WHERE services_fts MATCH $5 AND +services_fts.rowid IN (SELECT pk FROM services WHERE latitude BETWEEN $1 AND $2 AND longitude BETWEEN $3 AND $4)`
		arg = `"` + word + `"*`
	}
	rows, err := s.DB.R().QueryContext(ctx, query, append(slices.Clone(box), arg)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var score float64
		if err := rows.Scan(&id, &score); err != nil {
			return err
		}
		if n := into[id]; n != nil && score > 0 {
			n.Relevance += score
			n.Matched = append(n.Matched, word)
		}
	}
	return rows.Err()
}

// attachSchedules loads the weekly sessions of the services listed.
func (s *Store) attachSchedules(ctx context.Context, list []Nearby) error {
	index := make(map[string]int, len(list))
	for start := 0; start < len(list); start += 500 {
		part := list[start:min(len(list), start+500)]
		ids := make([]any, len(part))
		marks := make([]string, len(part))
		for i, n := range part {
			index[n.ID] = start + i
			ids[i] = n.ID
			marks[i] = "$" + strconv.Itoa(i+1)
		}
		rows, err := s.DB.R().QueryContext(ctx, "SELECT service_id, day, opens, closes FROM service_schedules WHERE service_id IN ("+
			strings.Join(marks, ", ")+") ORDER BY service_id, position", ids...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, opens, closes string
			var day int
			if err := rows.Scan(&id, &day, &opens, &closes); err != nil {
				rows.Close()
				return err
			}
			if day >= 1 && day <= 7 {
				n := &list[index[id]]
				n.Schedule = append(n.Schedule, Session{Day: Days[day-1], Opens: opens, Closes: closes})
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
