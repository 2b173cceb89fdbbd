package directory

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
)

// On PostgreSQL the words, widened with their synonyms, go through
// to_tsquery with the English configuration (stemming: "walk" finds
// "walking"), and a half-typed last word matches as a prefix.
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
	match, typed := tsQueries(ws)
	texts := []any{match}
	if typed != "" {
		texts = append(texts, typed)
	}
	cond, args := q.filterSQL(len(texts), bbox)
	rows, err := s.DB.R().QueryContext(ctx, `SELECT s.id, s.name, s.latitude, s.longitude, `+pgRelevance(typed != "")+`
		`+pgFrom(typed != "")+`
		WHERE s.search_vector @@ query AND `+cond, append(texts, args...)...)
	if err != nil {
		return nil, err
	}
	return scanCandidates(rows)
}

// tsQuery joins words with & (all must match), each widened with its
// synonyms (expand), the last as a prefix. Words hold only letters and
// digits, so nothing typed is read as syntax.
func tsQuery(ws []string) string { return tsExpr(expand(ws)) }

// tsQueries is tsQuery and, when synonyms widened it, the query for the
// words as typed (else "").
func tsQueries(ws []string) (match, typed string) {
	terms := expand(ws)
	if slices.ContainsFunc(terms, term.expanded) {
		typed = tsExpr(typedOnly(terms))
	}
	return tsExpr(terms), typed
}

// pgFrom is the services and the query ($1), and when synonyms widened
// it, the query for the words as typed ($2), each read once.
func pgFrom(typed bool) string {
	if typed {
		return "FROM services s, to_tsquery('english', $1) AS query, to_tsquery('english', $2) AS typed"
	}
	return "FROM services s, to_tsquery('english', $1) AS query"
}

// pgRelevance is ts_rank with weights for D, C, B, A (the name, A, counts
// most) against query, raised by typedFirst for a service matching the
// words as typed when synonyms widened them, as on SQLite. The test is on
// the row in hand, not an index.
func pgRelevance(typed bool) string {
	const rank = "ts_rank('{0.1, 0.25, 0.5, 1.0}', s.search_vector, query)::float8"
	if !typed {
		return rank
	}
	return rank + " * (CASE WHEN s.search_vector @@ typed THEN " + strconv.FormatFloat(typedFirst, 'f', -1, 64) + " ELSE 1.0 END)"
}

// relevantPage ranks by ts_rank, which weighs the name (A) most; names
// holding the words as typed (not only a synonym) come first.
func (s postgresText) relevantPage(ctx context.Context, q Query, text string, limit int) ([]candidate, int, error) {
	match, typed := tsQueries(words(text))
	texts, named := []any{match}, "query"
	if typed != "" {
		texts, named = append(texts, typed), "typed"
	}
	return s.rankedPage(ctx, q, limit, texts, func(cond string) string {
		return `SELECT s.id, s.name, s.latitude, s.longitude, ` + pgRelevance(typed != "") + ` AS relevance,
			ts_filter(s.search_vector, '{a}') @@ ` + named + ` AS named
		` + pgFrom(typed != "") + `
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
			if len(w) < 4 || slices.Contains(synonymWords, w) {
				continue // too short to guess at, or a word known to search
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
			} else if fixed, ok := correctWords([]string{w}, nil); ok {
				// No name has it: a word of synonyms.txt, as on SQLite
				// ("lonliness"), found though no service uses it.
				ws[i], changed = fixed, true
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
