package directory

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"oikos/internal/db"
)

// Services' keys, which are their full-text rowids, begin with the cell
// they are in (migration 0019 assigns them): 0.05° of latitude by 0.05° of
// longitude from 49°N 9°W, rows 0–254 and columns 0–255, clamped at the
// edges. geoCell must agree with the SQL there exactly.
const (
	cellOriginLat = 49.0
	cellOriginLon = -9.0
	cellsPerDeg   = 20
	cellShift     = 32
)

func cellRow(lat float64) int64 { return min(max(int64((lat-cellOriginLat)*cellsPerDeg), 0), 254) }
func cellCol(lon float64) int64 { return min(max(int64((lon-cellOriginLon)*cellsPerDeg), 0), 255) }

// geoCell is the cell of a place, as migration 0019 computes it.
func geoCell(lat, lon float64) int64 { return cellRow(lat)*256 + cellCol(lon) }

// cellRange is the rowids of every cell a box (south, north, west, east)
// touches: from the first to the last as one range, since FTS5 can start
// and stop a word's list at a rowid but only once; and the columns, to
// drop the rest of each latitude row.
func cellRange(box [4]float64) (lo, hi, west, east int64) {
	south, north := cellRow(box[0]), cellRow(box[1])
	west, east = cellCol(box[2]), cellCol(box[3])
	lo = (south*256 + west) << cellShift
	hi = (north*256+east)<<cellShift | (1<<cellShift - 1)
	return lo, hi, west, east
}

// maxCellRowsScanned bounds the ranges one search reads by key: a box
// taller than this (about 90 km) is read from the geo index instead.
const maxCellRowsScanned = 16

func cellRowsSpanned(box [4]float64) int64 { return cellRow(box[1]) - cellRow(box[0]) + 1 }

// cellRows is the keys of a box's cells, one range for each latitude row
// it spans.
func cellRows(box [4]float64) [][2]int64 {
	west, east := cellCol(box[2]), cellCol(box[3])
	var out [][2]int64
	for row := cellRow(box[0]); row <= cellRow(box[1]); row++ {
		out = append(out, [2]int64{(row*256 + west) << cellShift, (row*256+east)<<cellShift | (1<<cellShift - 1)})
	}
	return out
}

// ftsQuery turns search words into an FTS5 query: every word must match
// (Porter stemming makes "walk" find "walking"), each quoted so that
// nothing a person types is read as query syntax, the last as a prefix so
// a half-typed word still finds.
func ftsQuery(text string) string { return ftsWords(words(text), true) }

func ftsWords(ws []string, prefixLast bool) string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = `"` + w + `"`
		if prefixLast && i == len(ws)-1 && len(w) >= 3 {
			out[i] += "*"
		}
	}
	return strings.Join(out, " ")
}

// ftsMatch is ftsQuery, except that a last word the index holds whole is
// not read as a prefix: only a half-typed word needs one. A prefix makes
// FTS5 merge the lists of every word that starts so ("club" → clubs,
// clubhouse…), in the search and again in bm25's count of matching
// services, which doubled the cost of a typical search; and a whole word
// ("art") is better not widened into others ("arthritis"). Whether the
// word is whole costs one seek in the index.
func (s *Store) ftsMatch(ctx context.Context, text string) (string, error) {
	ws := words(text)
	if len(ws) == 0 {
		return "", nil
	}
	last := ws[len(ws)-1]
	if len(last) < 3 {
		return ftsWords(ws, false), nil
	}
	var one int
	err := s.DB.R().QueryRowContext(ctx, "SELECT 1 FROM services_fts WHERE services_fts MATCH $1 LIMIT 1", `"`+last+`"`).Scan(&one)
	switch {
	case err == sql.ErrNoRows:
		return ftsWords(ws, true), nil
	case err != nil:
		return "", err
	}
	return ftsWords(ws, false), nil
}

func (s sqliteText) candidates(ctx context.Context, q Query, text string, bbox *[4]float64) ([]candidate, error) {
	if len(words(text)) == 0 {
		if bbox != nil && cellRowsSpanned(*bbox) <= maxCellRowsScanned {
			// Read the box's cells row by row from the index by key: the
			// geo index, by latitude then longitude, would read every
			// service in the box's latitude band across the whole country.
			ranges := cellRows(*bbox)
			values := make([]string, len(ranges))
			args := make([]any, 0, 2*len(ranges))
			for i, r := range ranges {
				values[i] = fmt.Sprintf("($%d, $%d)", 2*i+1, 2*i+2)
				args = append(args, r[0], r[1])
			}
			cond, condArgs := q.filterWhere(len(args), bbox, true)
			rows, err := s.DB.R().QueryContext(ctx, "WITH cells (lo, hi) AS (VALUES "+strings.Join(values, ", ")+
				") SELECT s.id, s.name, s.latitude, s.longitude, 0.0 FROM cells JOIN services s INDEXED BY services_by_key ON s.pk BETWEEN cells.lo AND cells.hi WHERE "+
				cond, append(args, condArgs...)...)
			if err != nil {
				return nil, err
			}
			return scanCandidates(rows)
		}
		cond, args := q.filterWhere(0, bbox, true)
		rows, err := s.DB.R().QueryContext(ctx, "SELECT s.id, s.name, s.latitude, s.longitude, 0.0 FROM services s WHERE "+cond, args...)
		if err != nil {
			return nil, err
		}
		return scanCandidates(rows)
	}
	match, err := s.ftsMatch(ctx, text)
	if err != nil {
		return nil, err
	}
	// With a place, only the few matches in its box are left to check for
	// the categories; as IN (…) every service in them nationwide would be
	// listed first.
	cond, args := q.filterWhere(1, nil, bbox != nil)
	args = append([]any{match}, args...)
	if bbox != nil {
		// Keep only matches in the box's cells before reading their rows or
		// scoring them. A service's rowid is its cell then a number
		// (migration 0019): FTS5 reads only the latitude rows the box spans,
		// and a match in a cell east or west of the box is dropped by
		// arithmetic on its rowid. Without this a common word near a place reads every match
		// in the country. The exact distance is checked after.
		lo, hi, west, east := cellRange(*bbox)
		n := len(args)
		args = append(args, lo, hi, west, east)
		cond += fmt.Sprintf(" AND services_fts.rowid BETWEEN $%d AND $%d AND (services_fts.rowid >> 32) %% 256 BETWEEN $%d AND $%d",
			n+1, n+2, n+3, n+4)
	}
	// bm25 is lower for better matches; weights favour the name, then the
	// categories, then the description.
	rows, err := s.DB.R().QueryContext(ctx, `SELECT s.id, s.name, s.latitude, s.longitude, -bm25(services_fts, 10.0, 4.0, 1.0)
		FROM services_fts JOIN services s INDEXED BY services_by_key ON s.pk = services_fts.rowid
		WHERE services_fts MATCH $1 AND `+cond, args...)
	if err != nil {
		return nil, err
	}
	return scanCandidates(rows)
}

// relevantPage ranks by bm25, weighing the name most. With filters the
// database ranks every match; for words alone, wordsPage does less.
func (s sqliteText) relevantPage(ctx context.Context, q Query, text string, limit int) ([]candidate, int, error) {
	if len(q.wantedCategories()) == 0 && q.Day == 0 && !q.FreeOnly {
		return s.wordsPage(ctx, q, text, limit)
	}
	return s.rankedPage(ctx, q, limit, ftsQuery(text), func(cond string) string {
		return `SELECT s.id, s.name, s.latitude, s.longitude, -bm25(services_fts, 10.0, 4.0, 1.0) AS relevance,
			services_fts.rowid IN (SELECT rowid FROM services_fts WHERE services_fts MATCH '{name} : (' || $1 || ')') AS named
		FROM services_fts JOIN services s ON s.pk = services_fts.rowid
		WHERE services_fts MATCH $1 AND ` + cond
	})
}

// wordQuery scores services by bm25, as relevantPage does. A whole word
// is quoted so that nothing in it is read as FTS5 syntax.
func (sqliteText) wordQuery(word string) (string, any) {
	return `SELECT rowid, -bm25(services_fts, 10.0, 4.0, 1.0) FROM services_fts WHERE services_fts MATCH $1`, `"` + word + `"`
}

// wordsPage is relevantPage for words alone on SQLite. Services
// whose names hold every word come first, best bm25 first among them, and
// then the rest by bm25: a name says what a service is, a description
// only mentions things. The order also keeps the common case cheap. bm25
// costs about 1.4 µs for every match it scores, and a common word
// ("lunch", "club") is in the text of a quarter of the directory but the
// names of a tenth of those, so when the names alone fill the page only
// they are scored (a 40 ms search became about 6 ms); the rest are only
// counted.
func (s sqliteText) wordsPage(ctx context.Context, q Query, text string, limit int) ([]candidate, int, error) {
	match, err := s.ftsMatch(ctx, text)
	if err != nil {
		return nil, 0, err
	}
	// The same words draw the same page until the directory changes: a
	// few common searches ("walking group", "lunch club") are much of
	// what people type, and ranking a word in a tenth of the directory
	// costs 20-40 ms. directory_version counts every change to a service's
	// words, status or name in the same transaction (migration 0017), so
	// a page kept for the version read before it was ranked is never
	// stale.
	var version int64
	if err := s.DB.R().QueryRowContext(ctx, "SELECT version FROM directory_version WHERE id = 1").Scan(&version); err != nil {
		return nil, 0, err
	}
	key := wordsPageKey{match: match, offset: q.Offset, limit: limit}
	cache := s.caches().words
	if page, total, ok := cache.get(key, version); ok {
		return page, total, nil
	}
	page, total, err := s.rankWordsSQLite(ctx, match, q.Offset, limit)
	if err != nil {
		return nil, 0, err
	}
	cache.put(key, version, page, total)
	return slices.Clone(page), total, nil
}

// wordsPageKey names one page of a search by words alone.
type wordsPageKey struct {
	match         string
	offset, limit int
}

type wordsPage struct {
	page  []candidate
	total int
}

// wordsPages keeps the pages of searches by words alone for one version
// of a database's directory; a newer version empties it.
type wordsPages struct {
	mu      sync.Mutex
	version int64
	pages   map[wordsPageKey]wordsPage
}

// maxWordsPages bounds the pages kept: about 5 KB each.
const maxWordsPages = 2000

func (c *wordsPages) get(key wordsPageKey, version int64) ([]candidate, int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.pages[key]
	if !ok || c.version != version {
		return nil, 0, false
	}
	return slices.Clone(p.page), p.total, true
}

func (c *wordsPages) put(key wordsPageKey, version int64, page []candidate, total int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case version < c.version:
		return // ranked from an older directory than the pages kept
	case version > c.version || len(c.pages) >= maxWordsPages:
		clear(c.pages)
		c.version = version
	}
	c.pages[key] = wordsPage{page: slices.Clone(page), total: total}
}

// rankWordsSQLite ranks the matches for an FTS5 query for one page.
func (s *Store) rankWordsSQLite(ctx context.Context, match string, offset, limit int) ([]candidate, int, error) {
	end := offset + limit
	named, inNames, err := s.bestMatches(ctx, "{name} : ("+match+")", end)
	if err != nil {
		return nil, 0, err
	}
	if inNames >= end {
		var total int
		err := s.DB.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM services_fts
			WHERE services_fts MATCH $1 AND rowid NOT IN (SELECT pk FROM services WHERE status <> 'active')`, match).Scan(&total)
		if err != nil {
			return nil, 0, err
		}
		return named[offset:end], total, nil
	}
	// Fewer named matches than the page's end: all of them are in named,
	// and the best of the others are among the best end of all matches.
	best, total, err := s.bestMatches(ctx, match, end)
	if err != nil {
		return nil, 0, err
	}
	inNamed := make(map[string]bool, len(named))
	for _, c := range named {
		inNamed[c.ID] = true
	}
	for _, c := range best {
		if !inNamed[c.ID] {
			named = append(named, c)
		}
	}
	return named[min(offset, len(named)):min(end, len(named))], total, nil
}

// bestMatches ranks the active services that match an FTS5 query and
// returns the best end of them (more when some tie with the last, so that
// the order by name among equals is exact; all when there are fewer), and
// how many match in all. The matches are scored in the full-text index
// alone, services that are not active are left out by rowid, and only the
// best are joined to their rows.
func (s *Store) bestMatches(ctx context.Context, match string, end int) ([]candidate, int, error) {
	rows, err := s.DB.R().QueryContext(ctx, `WITH m AS MATERIALIZED (
			SELECT rowid AS pk, -bm25(services_fts, 10.0, 4.0, 1.0) AS relevance FROM services_fts
			WHERE services_fts MATCH $1 AND rowid NOT IN (SELECT pk FROM services WHERE status <> 'active'))
		SELECT s.id, s.name, s.latitude, s.longitude, m.relevance, (SELECT COUNT(*) FROM m)
		FROM m JOIN services s INDEXED BY services_by_key ON s.pk = m.pk
		WHERE m.relevance >= (SELECT relevance FROM m ORDER BY relevance DESC LIMIT 1 OFFSET $2)`, match, end-1)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var best []candidate
	total := 0
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.ID, &c.Name, &c.Lat, &c.Lon, &c.Relevance, &total); err != nil {
			return nil, 0, err
		}
		best = append(best, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if best == nil {
		// Fewer matches than end: rank them all.
		rows, err := s.DB.R().QueryContext(ctx, `SELECT s.id, s.name, s.latitude, s.longitude, -bm25(services_fts, 10.0, 4.0, 1.0)
			FROM services_fts JOIN services s ON s.pk = services_fts.rowid
			WHERE services_fts MATCH $1 AND s.status = 'active'`, match)
		if err != nil {
			return nil, 0, err
		}
		if best, err = scanCandidates(rows); err != nil {
			return nil, 0, err
		}
		total = len(best)
	}
	for i := range best {
		best[i].Distance = -1
	}
	rank(best, true, false)
	return best, total, nil
}

// vocabulary caches a database's index terms for spelling correction,
// which only runs when a search finds nothing. Reading them scans the
// whole index (a tenth of a second for 100,000 services), so one search
// refreshes a stale list while the others go on with the old one instead
// of queueing behind it.
type vocabulary struct {
	mu         sync.Mutex
	terms      []string
	fetched    time.Time
	refreshing bool
}

func (s *Store) indexTerms(ctx context.Context) ([]string, error) {
	v := s.caches().vocab
	v.mu.Lock()
	if v.terms != nil && (v.refreshing || time.Since(v.fetched) < time.Minute) {
		terms := v.terms
		v.mu.Unlock()
		return terms, nil
	}
	v.refreshing = true
	v.mu.Unlock()
	terms, err := s.readIndexTerms(ctx)
	v.mu.Lock()
	defer v.mu.Unlock()
	v.refreshing = false
	if err != nil {
		return nil, err
	}
	v.terms, v.fetched = terms, time.Now()
	return terms, nil
}

func (s *Store) readIndexTerms(ctx context.Context) ([]string, error) {
	// Most common first, so that among equally close words the likelier wins.
	terms, err := db.Strings(ctx, s.DB.R(), "SELECT term FROM services_vocab WHERE doc > 0 ORDER BY doc DESC, term")
	if terms == nil && err == nil {
		terms = []string{} // read: an empty index is not "not read yet"
	}
	return terms, err
}

// correctSpelling replaces words the index does not know with the closest
// word it does (within one edit for short words, two for longer).
func (s sqliteText) correctSpelling(ctx context.Context, text string) (string, bool, error) {
	terms, err := s.indexTerms(ctx)
	if err != nil {
		return "", false, err
	}
	fixed, ok := correctWords(words(text), terms)
	return fixed, ok, nil
}

// correctWords is the pure part of spelling correction. known is ordered
// most common first; among equally close words, one sharing the first
// letter wins, then the more common.
func correctWords(ws, known []string) (string, bool) {
	changed := false
	index := make(map[string]bool, len(known))
	for _, k := range known {
		index[k] = true
	}
	for i, w := range ws {
		if index[w] || len(w) < 4 {
			continue
		}
		limit := 1
		if len(w) >= 6 {
			limit = 2
		}
		best, bestDist := "", limit+1
		for _, k := range known {
			if abs(len(k)-len(w)) > limit {
				continue
			}
			d := editDistance(w, k, limit)
			if d > limit {
				continue
			}
			if d < bestDist || (d == bestDist && k[0] == w[0] && (best == "" || best[0] != w[0])) {
				best, bestDist = k, d
			}
		}
		if best != "" {
			ws[i], changed = best, true
		}
	}
	return strings.Join(ws, " "), changed
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// editDistance counts the edits between a and b: insertions, deletions,
// substitutions and swaps of neighbouring letters (the commonest typo),
// giving up (returning limit+1) once it must exceed limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	before := make([]int, len(rb)+1) // row i-2, for swaps
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], before[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		before, prev, cur = prev, cur, before
	}
	return prev[len(rb)]
}
