package directory

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"math"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"oikos"
	"oikos/internal/postcode"
	"oikos/internal/taxonomy"
)

// Query is a directory search, as a person or the API asks it.
type Query struct {
	Text       string
	Categories []string
	Needs      []string
	Near       string  // a normalised postcode or district
	WithinKm   float64 // radius around Near; 0 means no limit
	Day        int     // 1 (Monday) … 7 (Sunday); 0 means any day
	FreeOnly   bool
	Offset     int
	Limit      int
}

// DefaultRadiusKm is used when a place is given without a radius, and is
// what the search page offers first. 5 km is a short bus ride or a long
// walk, about as far as most people referred go to a weekly group; and
// since places are usually known only by their postcode district's centre,
// it is also wide enough to reach the districts around a town's (Exeter's
// EX1, EX2 and EX4 centres are 1-3 km apart), where 1 km found only the
// services in the same district. Rural districts are larger: the page
// suggests a bigger distance when nothing is found.
const DefaultRadiusKm = 5

const (
	maxQueryText = 200
	maxRadiusKm  = 1000
)

func badParam(name, why string) error {
	return &oikos.Error{Code: oikos.EINVALID, Message: fmt.Sprintf("Parameter %s %s.", name, why), Fields: map[string]string{name: why}}
}

// ParseQuery reads a search from URL parameters (the contract's q,
// category, need, near, within_km, day, free, cursor and limit), naming the
// first parameter that is wrong.
func ParseQuery(v url.Values, defaultLimit int) (Query, error) {
	var q Query
	for name, values := range v {
		for _, s := range values {
			if !oikos.PlainText(s, false) {
				return q, badParam(name, "must be plain text without control characters")
			}
		}
	}
	q.Text = strings.Join(strings.Fields(v.Get("q")), " ")
	if utf8.RuneCountInString(q.Text) > maxQueryText {
		return q, badParam("q", fmt.Sprintf("must be %d characters or fewer", maxQueryText))
	}
	for _, c := range splitList(v["category"]) {
		if _, ok := taxonomy.CategoryByCode(c); !ok {
			return q, badParam("category", fmt.Sprintf("has an unknown code %q: see /api/v1/categories", truncate(c, 40)))
		}
		if !slices.Contains(q.Categories, c) {
			q.Categories = append(q.Categories, c)
		}
	}
	for _, n := range splitList(v["need"]) {
		if _, ok := taxonomy.NeedByCode(n); !ok {
			return q, badParam("need", fmt.Sprintf("has an unknown code %q: see /api/v1/needs", truncate(n, 40)))
		}
		if !slices.Contains(q.Needs, n) {
			q.Needs = append(q.Needs, n)
		}
	}
	if near := strings.TrimSpace(v.Get("near")); near != "" {
		pc, ok := postcode.NormalisePlace(near)
		if !ok {
			return q, badParam("near", "must be a UK postcode like EX1 1AA or a postcode district like EX1")
		}
		if _, known := postcode.OutcodeCentre(postcode.Outcode(pc)); !known {
			return q, badParam("near", "names a postcode district we do not know")
		}
		q.Near = pc
		q.WithinKm = DefaultRadiusKm
	}
	if s := strings.TrimSpace(v.Get("within_km")); s != "" {
		km, err := strconv.ParseFloat(s, 64)
		switch {
		case err != nil || math.IsNaN(km) || math.IsInf(km, 0):
			return q, badParam("within_km", "must be a number of kilometres")
		case km <= 0 || km > maxRadiusKm:
			return q, badParam("within_km", fmt.Sprintf("must be more than 0 and at most %d", maxRadiusKm))
		case q.Near == "":
			return q, badParam("within_km", "needs a place to measure from: give near as well")
		}
		q.WithinKm = km
	}
	if d := strings.TrimSpace(v.Get("day")); d != "" {
		if q.Day = DayNumber(d); q.Day == 0 {
			return q, badParam("day", "must be a day of the week, monday to sunday")
		}
	}
	if f := strings.TrimSpace(v.Get("free")); f != "" {
		switch strings.ToLower(f) {
		case "true", "1", "on", "yes":
			q.FreeOnly = true
		case "false", "0", "off", "no":
		default:
			return q, badParam("free", "must be true or false")
		}
	}
	q.Limit = defaultLimit
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			return q, badParam("limit", "must be a whole number from 1 to 500")
		}
		q.Limit = n
	}
	if s := v.Get("cursor"); s != "" {
		off, ok := DecodeCursor(s)
		if !ok {
			return q, badParam("cursor", "is not one this server gave out")
		}
		q.Offset = off
	}
	return q, nil
}

// splitList accepts a repeated parameter or a comma-separated one.
func splitList(values []string) []string {
	var out []string
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// EncodeCursor and DecodeCursor make a results offset opaque.
func EncodeCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("o" + strconv.Itoa(offset)))
}

func DecodeCursor(s string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 2 || b[0] != 'o' {
		return 0, false
	}
	n, err := strconv.Atoi(string(b[1:]))
	if err != nil || n < 0 || n > 1_000_000 {
		return 0, false
	}
	return n, true
}

// Hit is one search result with why it matched.
type Hit struct {
	Service
	DistanceKm *float64 `json:"distance_km,omitempty"`
	Reasons    []string `json:"reasons"`
	Score      float64  `json:"-"`
}

// Results is one page of a search.
type Results struct {
	Items []Hit
	Total int
	// Next is the offset of the next page, or -1 at the end.
	Next int
	// Corrected is the search text actually used when the words given found
	// nothing and close spellings did.
	Corrected string
	// Place is where distances were measured from.
	Place string
}

// candidate is a service as the first phase of a search sees it: just
// enough to filter by distance and to rank.
type candidate struct {
	ID        string
	Name      string
	Lat, Lon  *float64
	Relevance float64 // higher is better; 0 without text
	Distance  float64 // km; -1 when not measured

	score     float64 // set by rank
	lowerName string  // set by rank
}

// wantedCategories is the union of the categories asked for and those that
// meet the needs asked for.
func (q Query) wantedCategories() []string {
	cats := slices.Clone(q.Categories)
	for _, c := range taxonomy.CategoriesForNeeds(q.Needs) {
		if !slices.Contains(cats, c) {
			cats = append(cats, c)
		}
	}
	return cats
}

// Ranking weights: with search words, how well the text matches matters
// most, and nearness breaks near-ties (0.7 text, 0.3 distance); a service
// 2 km away scores half of one on the doorstep, so a close, decent match
// beats a perfect match across the county. Without words, nearest first.
const (
	textWeight     = 0.7
	distanceWeight = 0.3
	halfScoreKm    = 2.0
)

// rank orders candidates: by blended score when there is search text, by
// distance when there is only a place, else by name. It is pure. Each
// candidate's score and lower-case name are worked out once, not in every
// comparison: a common word can match ten thousand services.
func rank(cands []candidate, hasText, hasPlace bool) {
	maxRel := 0.0
	for _, c := range cands {
		maxRel = math.Max(maxRel, c.Relevance)
	}
	for i := range cands {
		c := &cands[i]
		c.score = 0
		if hasText && maxRel > 0 {
			c.score += textWeight * c.Relevance / maxRel
		}
		if hasPlace && c.Distance >= 0 {
			c.score += distanceWeight * 1 / (1 + c.Distance/halfScoreKm)
		}
		c.lowerName = strings.ToLower(c.Name)
	}
	slices.SortFunc(cands, func(a, b candidate) int {
		switch {
		case hasText:
			if a.score != b.score {
				return cmp.Compare(b.score, a.score)
			}
		case hasPlace:
			if a.Distance != b.Distance {
				return cmp.Compare(a.Distance, b.Distance)
			}
		}
		if a.lowerName != b.lowerName {
			return strings.Compare(a.lowerName, b.lowerName)
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// reasons explains in plain words why a service is in the results.
func reasons(v Service, q Query, distance float64, textUsed string) []string {
	var out []string
	if textUsed != "" {
		if expandedText(textUsed) {
			// It may match a synonym only (synonyms.txt): say so.
			out = append(out, fmt.Sprintf("Matches your search for “%s”, or a word meaning much the same", textUsed))
		} else {
			out = append(out, fmt.Sprintf("Matches your search for “%s”", textUsed))
		}
	}
	for _, c := range v.Categories {
		if slices.Contains(q.Categories, c) {
			cat, _ := taxonomy.CategoryByCode(c)
			out = append(out, "In the category "+cat.Label)
		}
	}
	for _, n := range q.Needs {
		need, _ := taxonomy.NeedByCode(n)
		for _, c := range v.Categories {
			if slices.Contains(need.Categories, c) {
				out = append(out, "Can help with "+strings.ToLower(need.Label))
				break
			}
		}
	}
	if distance >= 0 {
		out = append(out, DistanceFrom(distance, q.Near, v.Postcode))
	}
	if q.Day > 0 {
		for _, s := range v.Schedule {
			if DayNumber(s.Day) == q.Day {
				out = append(out, fmt.Sprintf("Meets on %s, %s to %s", DayLabel(q.Day), s.Opens, s.Closes))
				break
			}
		}
	}
	if v.Free() {
		out = append(out, "Free")
	}
	if v.Capacity != nil && *v.Capacity == 0 {
		out = append(out, "Full at the moment: ask about the waiting list")
	}
	if out == nil {
		out = []string{}
	}
	return out
}

// DistanceFrom says how far a service is from the place searched from, as
// roughly as it is known. Places are mostly known by their postcode
// district's centre (every service in EX4 is "0.1 km" from EX4 4QJ when
// only districts are known), so a service in the same district is "in
// your area", and other distances are whole kilometres, "about" them.
// The search page says how distances are measured.
func DistanceFrom(km float64, place, servicePostcode string) string {
	area := postcode.Outcode(place)
	if servicePostcode != "" && postcode.Outcode(servicePostcode) == area {
		if km < 2 {
			return "In your area (" + area + ")"
		}
		return fmt.Sprintf("In your area (%s), about %s away", area, roughKm(km))
	}
	if km < 1 {
		return "Nearby, less than 1 km from " + place
	}
	return fmt.Sprintf("About %s from %s", roughKm(km), place)
}

// roughKm is a distance in whole kilometres, at least 1.
func roughKm(km float64) string {
	return fmt.Sprintf("%.0f km", math.Max(1, math.Round(km)))
}

// FormatKm writes a distance the way people say it.
func FormatKm(km float64) string {
	if km < 0.95 {
		return fmt.Sprintf("%.1f km", math.Max(km, 0.1))
	}
	if km < 10 {
		return fmt.Sprintf("%.1f km", km)
	}
	return fmt.Sprintf("%.0f km", km)
}

// stopWords carry no meaning in a search; PostgreSQL's English
// configuration drops them too, so both databases treat them alike.
var stopWords = map[string]bool{
	"a": true, "an": true, "and": true, "the": true, "or": true, "not": true, "of": true, "for": true, "in": true,
	"on": true, "at": true, "to": true, "with": true, "is": true, "are": true, "be": true, "i": true, "me": true,
	"my": true, "we": true, "our": true, "it": true, "near": true, "by": true, "from": true, "some": true, "any": true,
}

// words splits search text into the words a full-text index knows.
func words(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	}) {
		if !stopWords[w] {
			out = append(out, w)
		}
	}
	return out
}

// filterSQL is the WHERE clause shared by both databases' first phase,
// with $n placeholders numbered after the first `first` arguments.
func (q Query) filterSQL(first int, bbox *[4]float64) (string, []any) {
	return q.filterWhere(first, bbox, false)
}

// filterWhere is filterSQL; with catsInRow the categories are checked in
// the service's own list of codes (services.categories, written with
// service_categories in the same transaction), which SQLite's geo index
// carries: a place's services are then filtered without a lookup each.
func (q Query) filterWhere(first int, bbox *[4]float64, catsInRow bool) (string, []any) {
	conds := []string{"s.status = 'active'"}
	var args []any
	next := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(first+len(args))
	}
	if cats := q.wantedCategories(); len(cats) > 0 && catsInRow {
		// Codes are separated by spaces and none holds another
		// (TestNoCategoryCodeHoldsAnother), so finding one is enough.
		tests := make([]string, len(cats))
		for i, c := range cats {
			tests[i] = "instr(s.categories, " + next(c) + ") > 0"
		}
		conds = append(conds, "("+strings.Join(tests, " OR ")+")")
	} else if len(cats) > 0 {
		marks := make([]string, len(cats))
		for i, c := range cats {
			marks[i] = next(c)
		}
		if bbox != nil {
			// With a place the box is the selective part: probe each
			// service in it for the categories. As IN (…), SQLite would
			// visit every service in the categories across the country
			// and look each up by id, which is 10-50 times slower.
			conds = append(conds, "EXISTS (SELECT 1 FROM service_categories c WHERE c.service_id = s.id AND c.category IN ("+strings.Join(marks, ", ")+"))")
		} else {
			conds = append(conds, "s.id IN (SELECT service_id FROM service_categories WHERE category IN ("+strings.Join(marks, ", ")+"))")
		}
	}
	if q.Day > 0 {
		conds = append(conds, "(s.days & "+next(1<<(q.Day-1))+") <> 0")
	}
	if q.FreeOnly {
		conds = append(conds, "s.cost_pence = 0")
	}
	if bbox != nil {
		conds = append(conds, "s.latitude BETWEEN "+next(bbox[0])+" AND "+next(bbox[1])+
			" AND s.longitude BETWEEN "+next(bbox[2])+" AND "+next(bbox[3]))
	}
	return strings.Join(conds, " AND "), args
}

// sqliteSearchSlots bounds the searches running at once on SQLite. The
// database is a file mapped into this process and the engine is Go, so a
// search is all CPU here: running more at once than there are CPUs to run
// them only interleaves them, and the switching, lock hand-offs and cache
// misses cost a tenth of the throughput with 8 clients on 2 CPUs. Waiting
// for a slot is part of a search's time, as the benchmark measures it.
// (PostgreSQL does its work in its own processes.)
var sqliteSearchSlots = make(chan struct{}, runtime.GOMAXPROCS(0)+1)

// Search runs a query: a first phase in SQL finds and scores candidates
// (full text, categories, needs, day, cost, a box around the place), then
// exact distances, ranking and the page are worked out here, and only the
// page's services are loaded in full.
func (s *Store) Search(ctx context.Context, q Query) (Results, error) {
	res := Results{Next: -1, Place: q.Near}
	if s.DB.Dialect.InProcess() {
		select {
		case sqliteSearchSlots <- struct{}{}:
			defer func() { <-sqliteSearchSlots }()
		case <-ctx.Done():
			return res, ctx.Err()
		}
	}
	var origin postcode.Point
	var bbox *[4]float64
	hasPlace := q.Near != ""
	if hasPlace {
		p, ok, err := s.Locate(ctx, q.Near)
		if err != nil {
			return res, err
		}
		if !ok {
			return res, badParam("near", "names a place we cannot find")
		}
		origin = p
		if q.WithinKm > 0 {
			a, b, c, d := postcode.BoundingBox(p, q.WithinKm)
			bbox = &[4]float64{a, b, c, d}
		}
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	hasText := len(words(q.Text)) > 0
	if !hasText && !hasPlace {
		return s.searchByName(ctx, q, limit)
	}
	if !hasPlace {
		return s.searchByRelevance(ctx, q, limit)
	}

	textUsed := q.Text
	text := s.text()
	cands, err := text.candidates(ctx, q, q.Text, bbox)
	if err != nil {
		return res, err
	}
	if hasText && len(cands) == 0 {
		// Nothing for the words as typed: try close spellings.
		if fixed, ok, err := text.correctSpelling(ctx, q.Text); err != nil {
			return res, err
		} else if ok {
			if cands, err = text.candidates(ctx, q, fixed, bbox); err != nil {
				return res, err
			}
			if len(cands) > 0 {
				res.Corrected, textUsed = fixed, fixed
			}
		}
	}
	kept := cands[:0]
	for _, c := range cands {
		c.Distance = -1
		if hasPlace {
			if c.Lat == nil || c.Lon == nil {
				continue
			}
			c.Distance = postcode.DistanceKm(origin, postcode.Point{Lat: *c.Lat, Lon: *c.Lon})
			if q.WithinKm > 0 && c.Distance > q.WithinKm {
				continue
			}
		}
		kept = append(kept, c)
	}
	rank(kept, hasText, hasPlace)
	res.Total = len(kept)
	if q.Offset >= len(kept) {
		res.Items = []Hit{}
		return res, nil
	}
	page := kept[q.Offset:min(len(kept), q.Offset+limit)]
	if q.Offset+limit < len(kept) {
		res.Next = q.Offset + limit
	}
	services, err := s.loadMany(ctx, page)
	if err != nil {
		return res, err
	}
	res.Items = make([]Hit, len(page))
	for i, c := range page {
		h := Hit{Service: services[c.ID], Score: c.Relevance}
		if hasPlace {
			d := math.Round(c.Distance*100) / 100
			h.DistanceKm = &d
		}
		h.Reasons = reasons(h.Service, q, c.Distance, textUsed)
		res.Items[i] = h
	}
	return res, nil
}

// searchByName lists matching services alphabetically, all in SQL: with no
// words and no place there is nothing to rank by.
func (s *Store) searchByName(ctx context.Context, q Query, limit int) (Results, error) {
	res := Results{Next: -1}
	cond, args := q.filterSQL(0, nil)
	if err := s.DB.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM services s WHERE "+cond, args...).Scan(&res.Total); err != nil {
		return res, err
	}
	n := len(args)
	args = append(args, limit, q.Offset)
	rows, err := s.DB.R().QueryContext(ctx, "SELECT "+serviceColumns+" FROM services s JOIN organisations o ON o.id = s.organisation_id WHERE "+
		cond+" ORDER BY lower(s.name), s.id LIMIT $"+strconv.Itoa(n+1)+" OFFSET $"+strconv.Itoa(n+2), args...)
	if err != nil {
		return res, err
	}
	defer rows.Close()
	var list []Service
	for rows.Next() {
		v, err := scanService(rows)
		if err != nil {
			return res, err
		}
		list = append(list, v)
	}
	if err := rows.Err(); err != nil {
		return res, err
	}
	if err := s.attach(ctx, list); err != nil {
		return res, err
	}
	res.Items = make([]Hit, len(list))
	for i, v := range list {
		res.Items[i] = Hit{Service: v, Reasons: reasons(v, q, -1, "")}
	}
	if q.Offset+limit < res.Total {
		res.Next = q.Offset + limit
	}
	return res, nil
}

// searchByRelevance answers words without a place. The order is then by
// relevance alone (rank's blend reduces to it), so the database sorts,
// counts and pages: a common word can match a tenth of the directory, and
// handing every match to Go costs more than the search itself.
func (s *Store) searchByRelevance(ctx context.Context, q Query, limit int) (Results, error) {
	res := Results{Next: -1}
	textUsed := q.Text
	text := s.text()
	page, total, err := text.relevantPage(ctx, q, q.Text, limit)
	if err != nil {
		return res, err
	}
	if total == 0 {
		// Nothing for the words as typed: try close spellings.
		if fixed, ok, err := text.correctSpelling(ctx, q.Text); err != nil {
			return res, err
		} else if ok {
			if page, total, err = text.relevantPage(ctx, q, fixed, limit); err != nil {
				return res, err
			}
			if total > 0 {
				res.Corrected, textUsed = fixed, fixed
			}
		}
	}
	res.Total = total
	if q.Offset+limit < total {
		res.Next = q.Offset + limit
	}
	services, err := s.loadMany(ctx, page)
	if err != nil {
		return res, err
	}
	res.Items = make([]Hit, len(page))
	for i, c := range page {
		h := Hit{Service: services[c.ID], Score: c.Relevance}
		h.Reasons = reasons(h.Service, q, -1, textUsed)
		res.Items[i] = h
	}
	return res, nil
}

// rankedPage is relevantPage run by the database: from is the SELECT of
// the matches (id, name, latitude, longitude, relevance, named) for texts,
// its $1 (and $2…), given the condition of q's filters, whose arguments
// follow.
func (s *Store) rankedPage(ctx context.Context, q Query, limit int, texts []any, from func(cond string) string) ([]candidate, int, error) {
	cond, args := q.filterSQL(len(texts), nil)
	args = append(slices.Clone(texts), args...)
	sel := from(cond)
	n := len(args)
	rows, err := s.DB.R().QueryContext(ctx, "SELECT m.*, COUNT(*) OVER () FROM ("+sel+") m ORDER BY m.named DESC, m.relevance DESC, lower(m.name), m.id"+
		" LIMIT $"+strconv.Itoa(n+1)+" OFFSET $"+strconv.Itoa(n+2), append(args, limit, q.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var page []candidate
	total := 0
	for rows.Next() {
		var c candidate
		var named bool
		if err := rows.Scan(&c.ID, &c.Name, &c.Lat, &c.Lon, &c.Relevance, &named, &total); err != nil {
			return nil, 0, err
		}
		c.Distance = -1
		page = append(page, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(page) == 0 && q.Offset > 0 {
		// Past the end: the count still says how many there are.
		if err := s.DB.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM ("+sel+") m", args...).Scan(&total); err != nil {
			return nil, 0, err
		}
	}
	return page, total, nil
}

// loadMany loads full services for a page of candidates.
func (s *Store) loadMany(ctx context.Context, page []candidate) (map[string]Service, error) {
	out := make(map[string]Service, len(page))
	if len(page) == 0 {
		return out, nil
	}
	args := make([]any, len(page))
	marks := make([]string, len(page))
	for i, c := range page {
		args[i] = c.ID
		marks[i] = "$" + strconv.Itoa(i+1)
	}
	rows, err := s.DB.R().QueryContext(ctx, "SELECT "+serviceColumns+" FROM services s JOIN organisations o ON o.id = s.organisation_id WHERE s.id IN ("+
		strings.Join(marks, ", ")+")", args...)
	if err != nil {
		return nil, err
	}
	var list []Service
	for rows.Next() {
		v, err := scanService(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		list = append(list, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := s.attach(ctx, list); err != nil {
		return nil, err
	}
	for _, v := range list {
		out[v.ID] = v
	}
	return out, nil
}

func scanCandidates(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}) ([]candidate, error) {
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.ID, &c.Name, &c.Lat, &c.Lon, &c.Relevance); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
