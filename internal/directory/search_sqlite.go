package directory

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"
)

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

func (s *Store) candidatesSQLite(ctx context.Context, q Query, text string, bbox *[4]float64) ([]candidate, error) {
	if len(words(text)) == 0 {
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
		// Keep only matches inside the box before reading their rows: the
		// box's rowids come from the (covering) geo index, and a match
		// outside it is dropped by a lookup in that small set instead of
		// a read of its row. Without this a common word near a place reads
		// every match in the country. The + keeps SQLite from handing the
		// rowids to FTS5 one at a time.
		n := len(args)
		args = append(args, bbox[0], bbox[1], bbox[2], bbox[3])
		cond += fmt.Sprintf(" AND +services_fts.rowid IN (SELECT pk FROM services WHERE latitude BETWEEN $%d AND $%d AND longitude BETWEEN $%d AND $%d)",
			n+1, n+2, n+3, n+4)
	}
	// bm25 is lower for better matches; weights favour the name, then the
	// categories, then the description.
	rows, err := s.DB.R().QueryContext(ctx, `SELECT s.id, s.name, s.latitude, s.longitude, -bm25(services_fts, 10.0, 4.0, 1.0)
		FROM services_fts JOIN services s ON s.pk = services_fts.rowid
		WHERE services_fts MATCH $1 AND `+cond, args...)
	if err != nil {
		return nil, err
	}
	return scanCandidates(rows)
}

// relevantPageSQLite is relevantPage for words alone on SQLite. The
// ranking needs bm25 for every match, but nothing else does: the matches
// are scored in the full-text index alone (a common word matches a
// quarter of the directory, and reading each match's row doubled the
// cost), the services that are not active are left out by rowid, and only
// the best are joined to their rows, with any that tie with the last of
// them so that the order by name among equals is exact.
func (s *Store) relevantPageSQLite(ctx context.Context, q Query, text string, limit int) ([]candidate, int, error) {
	match, err := s.ftsMatch(ctx, text)
	if err != nil {
		return nil, 0, err
	}
	rows, err := s.DB.R().QueryContext(ctx, `WITH m AS MATERIALIZED (
			SELECT rowid AS pk, -bm25(services_fts, 10.0, 4.0, 1.0) AS relevance FROM services_fts
			WHERE services_fts MATCH $1 AND rowid NOT IN (SELECT pk FROM services WHERE status <> 'active'))
		SELECT s.id, s.name, s.latitude, s.longitude, m.relevance, (SELECT COUNT(*) FROM m)
		FROM m JOIN services s ON s.pk = m.pk
		WHERE m.relevance >= (SELECT relevance FROM m ORDER BY relevance DESC LIMIT 1 OFFSET $2)`, match, q.Offset+limit-1)
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
		c.Distance = -1
		best = append(best, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if best == nil {
		// Fewer matches than the end of this page: rank them all.
		return s.relevantPageAll(ctx, match, q.Offset, limit)
	}
	rank(best, true, false)
	return best[min(q.Offset, len(best)):min(q.Offset+limit, len(best))], total, nil
}

// relevantPageAll ranks every match, for when there are no more than a
// page's end of them.
func (s *Store) relevantPageAll(ctx context.Context, match string, offset, limit int) ([]candidate, int, error) {
	rows, err := s.DB.R().QueryContext(ctx, `SELECT s.id, s.name, s.latitude, s.longitude, -bm25(services_fts, 10.0, 4.0, 1.0)
		FROM services_fts JOIN services s ON s.pk = services_fts.rowid
		WHERE services_fts MATCH $1 AND s.status = 'active'`, match)
	if err != nil {
		return nil, 0, err
	}
	all, err := scanCandidates(rows)
	if err != nil {
		return nil, 0, err
	}
	for i := range all {
		all[i].Distance = -1
	}
	rank(all, true, false)
	return all[min(offset, len(all)):min(offset+limit, len(all))], len(all), nil
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

var vocabularies sync.Map // *db.DB → *vocabulary

func (s *Store) indexTerms(ctx context.Context) ([]string, error) {
	vv, _ := vocabularies.LoadOrStore(s.DB, &vocabulary{})
	v := vv.(*vocabulary)
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
	rows, err := s.DB.R().QueryContext(ctx, "SELECT term FROM services_vocab WHERE doc > 0 ORDER BY doc DESC, term")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	terms := []string{}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		terms = append(terms, t)
	}
	return terms, rows.Err()
}

// correctSpelling replaces words the index does not know with the closest
// word it does (within one edit for short words, two for longer).
func (s *Store) correctSpelling(ctx context.Context, text string) (string, bool, error) {
	if s.DB.Dialect == "postgres" {
		return s.correctSpellingPostgres(ctx, text)
	}
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
