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
// (Porter stemming makes "walk" find "walking"), or a synonym of it
// (expand), the last as a prefix so a half-typed word still finds.
func ftsQuery(text string) string { return ftsExpr(expand(words(text)), true) }

// ftsMatch is ftsQuery, except that a last word the index holds whole is
// not read as a prefix: only a half-typed word needs one. A prefix makes
// FTS5 merge the lists of every word that starts so ("club" → clubs,
// clubhouse…), in the search and again in bm25's count of matching
// services, which doubled the cost of a typical search; and a whole word
// ("art") is better not widened into others ("arthritis"). Whether the
// word is whole costs one seek in the index. A word with synonyms is
// whole: it is in synonyms.txt. typed is the query for the words as typed
// when synonyms widened it, else "".
func (s *Store) ftsMatch(ctx context.Context, text string) (match, typed string, err error) {
	terms := expand(words(text))
	if len(terms) == 0 {
		return "", "", nil
	}
	prefix := false
	if last := terms[len(terms)-1]; !last.expanded() && len(last.alts[0][0]) >= 3 {
		var one int
		err := s.DB.R().QueryRowContext(ctx, "SELECT 1 FROM services_fts WHERE services_fts MATCH $1 LIMIT 1", `"`+last.alts[0][0]+`"`).Scan(&one)
		switch {
		case err == sql.ErrNoRows:
			prefix = true
		case err != nil:
			return "", "", err
		}
	}
	match = ftsExpr(terms, prefix)
	if slices.ContainsFunc(terms, term.expanded) {
		typed = ftsExpr(typedOnly(terms), prefix)
	}
	return match, typed, nil
}

// typedFirst is the factor by which a service matching the words as typed
// has its relevance raised above one matching only their synonyms, so that
// "allotment" finds the allotment before the gardening clubs: otherwise a
// synonym in a name (weighed 10 to a description's 1 here, 4 to 1 on
// PostgreSQL) or a rarer word (bm25 counts rarer words more) comes first.
// 100 all but puts them in two tiers, the words as typed first, each in
// its own order, while a synonym-only service next door can still come
// before a weak match across the county (rank).
const typedFirst = 100.0

// sqliteRelevance is the SQL relevance of a match of services_fts, better
// when higher, with typed (an FTS5 query, $n) raising the services that
// match the words as typed; "" when they were not widened.
func sqliteRelevance(typed string, n int) string {
	const bm25 = "-bm25(services_fts, 10.0, 4.0, 1.0)"
	if typed == "" {
		return bm25
	}
	return fmt.Sprintf("%s * (CASE WHEN services_fts.rowid IN (SELECT rowid FROM services_fts WHERE services_fts MATCH $%d) THEN %g ELSE 1.0 END)",
		bm25, n, typedFirst)
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
	match, typed, err := s.ftsMatch(ctx, text)
	if err != nil {
		return nil, err
	}
	// With a place, only the few matches in its box are left to check for
	// the categories; as IN (…) every service in them nationwide would be
	// listed first.
	cond, args := q.filterWhere(1, nil, bbox != nil)
	args = append([]any{match}, args...)
	within := ""
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
		within = fmt.Sprintf(" AND rowid BETWEEN $%d AND $%d", n+1, n+2)
	}
	// bm25 is lower for better matches; weights favour the name, then the
	// categories, then the description.
	const bm25 = "-bm25(services_fts, 10.0, 4.0, 1.0)"
	near := func(relevance string, match string) ([]candidate, error) {
		args[0] = match
		rows, err := s.DB.R().QueryContext(ctx, `SELECT s.id, s.name, s.latitude, s.longitude, `+relevance+`
			FROM services_fts JOIN services s INDEXED BY services_by_key ON s.pk = services_fts.rowid
			WHERE services_fts MATCH $1 AND `+cond, args...)
		if err != nil {
			return nil, err
		}
		return scanCandidates(rows)
	}
	if typed == "" {
		return near(bm25, match)
	}
	// Synonyms widened the words. bm25 counts, once a search, every
	// service in the whole directory that holds each term of the query
	// (a synonym's list can be a few per cent of a national directory),
	// so it scores only the words as typed, which rank first (typedFirst);
	// the services found by a synonym alone, in the box, come after them,
	// those naming it before the rest, nearest first among equals.
	exact, err := near(fmt.Sprintf("%s * %g", bm25, typedFirst), typed)
	if err != nil {
		return nil, err
	}
	bySynonym, err := near(`CASE WHEN services_fts.rowid IN (
			SELECT rowid FROM services_fts WHERE services_fts MATCH '{name} : (' || $1 || ')'`+within+`) THEN 1.0 ELSE 0.5 END`, match)
	if err != nil {
		return nil, err
	}
	found := make(map[string]bool, len(exact))
	for _, c := range exact {
		found[c.ID] = true
	}
	for _, c := range bySynonym {
		if !found[c.ID] {
			exact = append(exact, c)
		}
	}
	return exact, nil
}

// relevantPage ranks by bm25, weighing the name most. With filters the
// database ranks every match; for words alone, wordsPage does less.
func (s sqliteText) relevantPage(ctx context.Context, q Query, text string, limit int) ([]candidate, int, error) {
	if len(q.wantedCategories()) == 0 && q.Day == 0 && !q.FreeOnly {
		return s.wordsPage(ctx, q, text, limit)
	}
	terms := expand(words(text))
	match, named := ftsExpr(terms, true), "$1"
	texts := []any{match}
	if slices.ContainsFunc(terms, term.expanded) {
		// Names hold the words as typed, not a synonym, to come first.
		texts, named = append(texts, ftsExpr(typedOnly(terms), true)), "$2"
	}
	return s.rankedPage(ctx, q, limit, texts, func(cond string) string {
		relevance := sqliteRelevance("", 0)
		if len(texts) > 1 {
			relevance = sqliteRelevance("$2", 2)
		}
		return `SELECT s.id, s.name, s.latitude, s.longitude, ` + relevance + ` AS relevance,
			services_fts.rowid IN (SELECT rowid FROM services_fts WHERE services_fts MATCH '{name} : (' || ` + named + ` || ')') AS named
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
	match, typed, err := s.ftsMatch(ctx, text)
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
	page, total, err := s.rankWordsSQLite(ctx, match, typed, q.Offset, limit)
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

// rankWordsSQLite ranks the matches for an FTS5 query for one page; typed
// is the query for the words as typed when synonyms widened match, else "".
// Names holding the words come first.
func (s *Store) rankWordsSQLite(ctx context.Context, match, typed string, offset, limit int) ([]candidate, int, error) {
	if typed != "" {
		return s.rankWidenedSQLite(ctx, match, typed, offset, limit)
	}
	end := offset + limit
	named, inNames, err := s.bestMatches(ctx, "{name} : ("+match+")", end)
	if err != nil {
		return nil, 0, err
	}
	if inNames >= end {
		total, err := s.countMatches(ctx, match)
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
	list := appendNew(named, best, len(named)+len(best))
	return list[min(offset, len(list)):min(end, len(list))], total, nil
}

// rankWidenedSQLite is rankWordsSQLite for words widened by synonyms, in
// tiers: the matches for the words as typed, ranked as without synonyms;
// then services whose names hold a synonym, by bm25 of their names; then
// the rest, in the index's order. bm25 counts, once a search, every service
// holding each term of its query across the whole directory, and a
// synonym's list can be a few per cent of a national directory: scoring
// every match of the widened words made a search for "lonely" among
// 1,000,000 services ten times slower (0.6 s, not 50 ms).
func (s *Store) rankWidenedSQLite(ctx context.Context, match, typed string, offset, limit int) ([]candidate, int, error) {
	end := offset + limit
	list, _, err := s.rankWordsSQLite(ctx, typed, "", 0, end)
	if err != nil {
		return nil, 0, err
	}
	total, err := s.countMatches(ctx, match)
	if err != nil {
		return nil, 0, err
	}
	if len(list) < end {
		named, _, err := s.bestMatches(ctx, "{name} : ("+match+")", end)
		if err != nil {
			return nil, 0, err
		}
		list = appendNew(list, named, end)
	}
	if len(list) < end {
		rows, err := s.DB.R().QueryContext(ctx, `SELECT s.id, s.name, s.latitude, s.longitude, 0.0
			FROM services_fts JOIN services s INDEXED BY services_by_key ON s.pk = services_fts.rowid
			WHERE services_fts MATCH $1 AND s.status = 'active' LIMIT $2`, match, end+len(list))
		if err != nil {
			return nil, 0, err
		}
		rest, err := scanCandidates(rows)
		if err != nil {
			return nil, 0, err
		}
		for i := range rest {
			rest[i].Distance = -1
		}
		list = appendNew(list, rest, end)
	}
	return list[min(offset, len(list)):min(end, len(list))], total, nil
}

// appendNew appends to list the candidates of more it does not hold, up to
// n in all.
func appendNew(list, more []candidate, n int) []candidate {
	in := make(map[string]bool, len(list))
	for _, c := range list {
		in[c.ID] = true
	}
	for _, c := range more {
		if len(list) >= n {
			break
		}
		if !in[c.ID] {
			in[c.ID] = true
			list = append(list, c)
		}
	}
	return list
}

// countMatches counts the active services matching an FTS5 query, in the
// index alone.
func (s *Store) countMatches(ctx context.Context, match string) (int, error) {
	var total int
	err := s.DB.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM services_fts
		WHERE services_fts MATCH $1 AND rowid NOT IN (SELECT pk FROM services WHERE status <> 'active')`, match).Scan(&total)
	return total, err
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

// endings are what stemming takes off the words people type. The index
// holds stems ("garden" for "gardening"), so a typo in a long form
// ("gardning") is three edits from its stem and was never corrected,
// while it is one from the stem with its ending ("gardening"); a short
// one ("walkng") was, to the bare stem ("walk").
var endings = []string{"", "s", "es", "ed", "ing", "er", "ers"}

// correctWords is the pure part of spelling correction: each word of ws of
// four letters or more that is neither a word of synonyms.txt nor a stem,
// or a stem and an ending, of stems (the index's terms, most common first)
// becomes the closest of those, within one edit (two from six letters).
// Among equally close words, a word of synonyms.txt wins (a real word,
// and one people look for), then one sharing the first letter, then the
// more common.
func correctWords(ws, stems []string) (string, bool) {
	changed := false
	index := make(map[string]bool, len(stems))
	for _, k := range stems {
		index[k] = true
	}
	for i, w := range ws {
		if index[w] || len(w) < 4 || slices.Contains(synonymWords, w) {
			continue
		}
		limit := 1
		if len(w) >= 6 {
			limit = 2
		}
		best, bestDist := "", limit+1
		// try considers stem+ending, and reports whether w is it.
		try := func(stem, ending string) bool {
			if abs(len(stem)+len(ending)-len(w)) > limit {
				return false
			}
			k := stem + ending
			d := editDistance(w, k, limit)
			if d == 0 {
				best = w
				return true
			}
			if d < bestDist || (d == bestDist && d <= limit && k[0] == w[0] && best[0] != w[0]) {
				best, bestDist = k, d
			}
			return false
		}
		known := false
		for _, k := range synonymWords {
			if known = try(k, ""); known {
				break
			}
		}
		for _, k := range stems {
			if known {
				break
			}
			for _, e := range endings {
				if known = try(k, e); known {
					break
				}
			}
		}
		if !known && best != "" {
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
