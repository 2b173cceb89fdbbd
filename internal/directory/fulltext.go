package directory

import (
	"context"

	"oikos/internal/db"
)

// textIndex is the part of search each database does its own way: SQLite
// with an FTS5 table whose keys follow place (search_sqlite.go),
// PostgreSQL with a weighted tsvector column and trigrams of names
// (search_postgres.go). Everything else about search is shared.
type textIndex interface {
	// candidates is a search's first phase: the services in bbox that
	// pass q's filters and match text (all of them when text has no
	// words), scored.
	candidates(ctx context.Context, q Query, text string, bbox *[4]float64) ([]candidate, error)
	// relevantPage is one page of the matches for text that pass q's
	// filters, best first (ties by name, then id, as rank orders them),
	// and how many match in all. Services whose names hold every word
	// come first: a name says what a service is, a description only
	// mentions things.
	relevantPage(ctx context.Context, q Query, text string, limit int) ([]candidate, int, error)
	// correctSpelling replaces the words of text that match nothing with
	// the closest words the directory holds; ok says whether any changed.
	correctSpelling(ctx context.Context, text string) (fixed string, ok bool, err error)
	// wordQuery is a query, with its one argument, scoring by key every
	// service matching one whole word (stemmed, no prefix).
	wordQuery(word string) (query string, arg any)
}

type (
	sqliteText   struct{ *Store }
	postgresText struct{ *Store }
)

// text is the full-text search of this store's database.
func (s *Store) text() textIndex {
	if s.DB.Dialect == db.Postgres {
		return postgresText{s}
	}
	return sqliteText{s}
}
