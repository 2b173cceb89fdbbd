package directory

import (
	"context"
	"database/sql"
	"errors"
	"strings"
)

// On PostgreSQL the words go through websearch_to_tsquery with the English
// configuration (stemming: "walk" finds "walking"), and a half-typed last
// word matches as a prefix.
func (s postgresText) candidates(ctx context.Context, q Query, text string, bbox *[4]float64) ([]candidate, error) {
	ws := words(text)
	if len(ws) == 0 {
		cond, args := q.filterSQL(0, bbox)
		rows, err := s.DB.R().QueryContext(ctx, "SELECT s.id, s.name, s.latitude, s.longitude, 0.0::float8 FROM services s WHERE "+cond, args...)
		if err != nil {
			return nil, err
		}
		return scanCandidates(rows)
	}
	cond, args := q.filterSQL(1, bbox)
	// ts_rank with weights for D, C, B, A: name (A) counts most.
	rows, err := s.DB.R().QueryContext(ctx, `SELECT s.id, s.name, s.latitude, s.longitude,
			ts_rank('{0.1, 0.25, 0.5, 1.0}', s.search_vector, query)::float8
		FROM services s, to_tsquery('english', $1) AS query
		WHERE s.search_vector @@ query AND `+cond, append([]any{tsQuery(ws)}, args...)...)
	if err != nil {
		return nil, err
	}
	return scanCandidates(rows)
}

// tsQuery joins words with & (all must match), the last as a prefix. Words
// hold only letters and digits, so nothing typed is read as syntax.
func tsQuery(ws []string) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w
		if i == len(ws)-1 && len(w) >= 3 {
			parts[i] += ":*"
		}
	}
	return strings.Join(parts, " & ")
}

// relevantPage ranks by ts_rank, which weighs the name (A) most.
func (s postgresText) relevantPage(ctx context.Context, q Query, text string, limit int) ([]candidate, int, error) {
	return s.rankedPage(ctx, q, limit, tsQuery(words(text)), func(cond string) string {
		return `SELECT s.id, s.name, s.latitude, s.longitude,
			ts_rank('{0.1, 0.25, 0.5, 1.0}', s.search_vector, query)::float8 AS relevance,
			ts_filter(s.search_vector, '{a}') @@ query AS named
		FROM services s, to_tsquery('english', $1) AS query
		WHERE s.search_vector @@ query AND ` + cond
	})
}

// wordQuery scores active services by ts_rank.
func (postgresText) wordQuery(word string) (string, any) {
	return `SELECT s.pk, ts_rank('{0.1, 0.25, 0.5, 1.0}', s.search_vector, query)::float8
			FROM services s, to_tsquery('english', $1) AS query WHERE s.search_vector @@ query AND s.status = 'active'`, word
}

// correctSpelling finds, for each word with no match, the most similar
// word in service names and categories by trigram word similarity
// (pg_trgm, through its GIN index), when it is close enough to be a typo.
func (s postgresText) correctSpelling(ctx context.Context, text string) (string, bool, error) {
	ws := words(text)
	changed := false
	err := s.DB.ReadTx(ctx, func(tx *sql.Tx) error {
		// The default threshold (0.6) misses a dropped letter in a short
		// word ("walkng" is 0.57 like "walking").
		if _, err := tx.ExecContext(ctx, "SET LOCAL pg_trgm.word_similarity_threshold = 0.5"); err != nil {
			return err
		}
		for i, w := range ws {
			if len(w) < 4 {
				continue
			}
			var hits int
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM services WHERE search_vector @@ to_tsquery('english', $1) LIMIT 1) x", w).Scan(&hits); err != nil {
				return err
			}
			if hits > 0 {
				continue
			}
			var best string
			err := tx.QueryRowContext(ctx, `SELECT word FROM (
					SELECT DISTINCT lower(regexp_split_to_table(name, '[^[:alnum:]]+')) AS word
					FROM (SELECT name FROM services WHERE $1 <% name LIMIT 200) named
				) words WHERE length(word) >= 3
				ORDER BY similarity(word, $1) DESC, word LIMIT 1`, w).Scan(&best)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if best != "" && best != w && similarEnough(w, best) {
				ws[i], changed = best, true
			}
		}
		return nil
	})
	return strings.Join(ws, " "), changed, err
}

// similarEnough keeps corrections to plausible typos: within one edit for
// short words, two for longer ones, ignoring a word's ending ("walks").
func similarEnough(typed, known string) bool {
	limit := 1
	if len(typed) >= 6 {
		limit = 2
	}
	if editDistance(typed, known, limit) <= limit {
		return true
	}
	return len(known) > len(typed) && editDistance(typed, known[:len(typed)], limit) <= limit
}
