package db_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

var dialects = []db.Dialect{db.SQLite, db.Postgres}

// onlyOn lists the versions one dialect has no script for: changes to
// SQLite's own search structures (its FTS5 table and the indexes its
// search reads instead of rows), which PostgreSQL's tsvector search does
// without. Every other version is run by both.
var onlyOn = map[int]db.Dialect{
	4:  db.SQLite, // services_geo with status, id and name
	11: db.SQLite, // services_not_active, and categories, days, cost in services_geo
	19: db.SQLite, // keys ordered by place for the FTS5 index
}

// TestMigrationsOneScriptPerDialect checks the layout: every version
// resolves, for each dialect that runs it, to exactly one script (shared
// or its own, never both), under the same name on both, and a script both
// dialects run word for word is kept once, in migrations/shared.
func TestMigrationsOneScriptPerDialect(t *testing.T) {
	byDialect := map[db.Dialect]map[int]db.Migration{}
	versions := map[int]bool{}
	for _, d := range dialects {
		all, err := db.Migrations(d) // refuses a version found twice
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		byDialect[d] = map[int]db.Migration{}
		for _, m := range all {
			byDialect[d][m.Version] = m
			versions[m.Version] = true
		}
	}
	if len(versions) == 0 {
		t.Fatal("no migrations found")
	}
	for v := range versions {
		lite, onLite := byDialect[db.SQLite][v]
		pg, onPG := byDialect[db.Postgres][v]
		switch {
		case onlyOn[v] == db.SQLite && onPG, onlyOn[v] == db.Postgres && onLite:
			t.Errorf("version %04d is listed as %s only but both dialects have it: take it out of onlyOn", v, onlyOn[v])
		case onlyOn[v] == "" && !(onLite && onPG):
			t.Errorf("version %04d has a script for one dialect only: add the other's, or list it in onlyOn saying why", v)
		case onLite && onPG && lite.Name != pg.Name:
			t.Errorf("version %04d is named %q on SQLite and %q on PostgreSQL", v, lite.Name, pg.Name)
		case onLite && onPG && lite.SQL == pg.SQL && !inShared(t, v):
			t.Errorf("version %04d_%s is the same on both dialects: keep it once, in migrations/shared", v, lite.Name)
		}
	}
}

// inShared reports whether version v is a file in migrations/shared.
func inShared(t *testing.T, v int) bool {
	t.Helper()
	entries, err := os.ReadDir("migrations/shared")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), fmt.Sprintf("%04d_", v)) {
			return true
		}
	}
	return false
}

// TestReleasedMigrationsUnchanged checks that every released migration
// still resolves, on each dialect, to the very script it had when it
// shipped: a database that applied it will never run it again, so moving
// scripts about (as into migrations/shared) must leave each one as it was.
func TestReleasedMigrationsUnchanged(t *testing.T) {
	f, err := os.Open("testdata/released_migrations.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	resolved := map[db.Dialect][]db.Migration{}
	for _, d := range dialects {
		if resolved[d], err = db.Migrations(d); err != nil {
			t.Fatal(err)
		}
	}
	released := map[db.Dialect]int{}
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		line := lines.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var dialect, name, sum string
		var version int
		if _, err := fmt.Sscanf(line, "%s %d %s %s", &dialect, &version, &name, &sum); err != nil {
			t.Fatalf("testdata line %q: %v", line, err)
		}
		d := db.Dialect(dialect)
		released[d]++
		i := slices.IndexFunc(resolved[d], func(m db.Migration) bool { return m.Version == version })
		if i < 0 {
			t.Errorf("%s %04d_%s: released, but no longer found", d, version, name)
			continue
		}
		m := resolved[d][i]
		got := sha256.Sum256([]byte(m.SQL))
		if m.Name != name || hex.EncodeToString(got[:]) != sum {
			t.Errorf("%s %04d: released as %s with sha256 %s, now %s with %x: a released migration must not change",
				d, version, name, sum, m.Name, got)
		}
	}
	if err := lines.Err(); err != nil {
		t.Fatal(err)
	}
	if released[db.SQLite] == 0 || released[db.Postgres] == 0 {
		t.Fatalf("testdata lists %v released migrations; want some of each dialect", released)
	}
}

// column types fall into these families: the two databases name the same
// storage differently (INTEGER and BIGINT, REAL and DOUBLE PRECISION).
func typeFamily(declared string) string {
	t := strings.ToLower(strings.TrimSpace(declared))
	if i := strings.IndexByte(t, '('); i >= 0 {
		t = strings.TrimSpace(t[:i]) // varchar(20) is text
	}
	switch t {
	case "integer", "int", "bigint", "smallint":
		return "integer"
	case "real", "double precision", "float", "numeric":
		return "real"
	case "text", "varchar", "character varying", "character", "char":
		return "text"
	case "boolean", "bool":
		return "boolean"
	case "blob", "bytea":
		return "blob"
	case "":
		return "untyped"
	}
	return t
}

// schema is what the comparison sees of a migrated database.
type schema struct {
	tables  map[string]string            // name → "table" or "virtual"
	columns map[string]map[string]string // table → column → type family
	keys    map[string][]string          // "table primary key" or "table unique" → column lists
	indexes map[string]string            // created index name → "table (columns) [unique] [partial]"
}

func newSchema() schema {
	return schema{tables: map[string]string{}, columns: map[string]map[string]string{}, keys: map[string][]string{}, indexes: map[string]string{}}
}

func (s schema) column(table, name, declared string) {
	if s.columns[table] == nil {
		s.columns[table] = map[string]string{}
	}
	s.columns[table][name] = typeFamily(declared)
}

func indexShape(table string, columns []string, unique, partial bool) string {
	out := table + " (" + strings.Join(columns, ", ") + ")"
	if unique {
		out += " unique"
	}
	if partial {
		out += " partial"
	}
	return out
}

func readSQLiteSchema(t *testing.T, d *db.DB) schema {
	t.Helper()
	ctx := context.Background()
	s := newSchema()
	q := d.R()
	// Shadow tables (services_fts_data and the like) are the FTS5 table's
	// own storage, made and kept by SQLite: the virtual table stands for them.
	rows, err := q.QueryContext(ctx, `SELECT name, type FROM pragma_table_list WHERE schema = 'main'
		AND type IN ('table', 'virtual') AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name, kind string
		if err := rows.Scan(&name, &kind); err != nil {
			t.Fatal(err)
		}
		s.tables[name] = kind
	}
	rows.Close()
	for table := range s.tables {
		var pk []string
		each(t, q, `SELECT name, type, pk FROM pragma_table_info($1) ORDER BY pk, cid`, []any{table}, func(scan func(...any)) {
			var name, declared string
			var pos int
			scan(&name, &declared, &pos)
			s.column(table, name, declared)
			if pos > 0 {
				pk = append(pk, name)
			}
		})
		if len(pk) > 0 {
			s.keys[table+" primary key"] = []string{strings.Join(pk, ", ")}
		}
		type index struct {
			name, origin    string
			unique, partial bool
		}
		var indexes []index
		each(t, q, `SELECT name, "unique", origin, partial FROM pragma_index_list($1)`, []any{table}, func(scan func(...any)) {
			var ix index
			scan(&ix.name, &ix.unique, &ix.origin, &ix.partial)
			indexes = append(indexes, ix)
		})
		for _, ix := range indexes {
			var cols []string
			// cid -2 is an expression, which pragma_index_info leaves unnamed.
			each(t, q, `SELECT COALESCE(name, '(expression)') FROM pragma_index_info($1) ORDER BY seqno`, []any{ix.name}, func(scan func(...any)) {
				var c string
				scan(&c)
				cols = append(cols, c)
			})
			switch ix.origin {
			case "c": // CREATE INDEX
				s.indexes[ix.name] = indexShape(table, cols, ix.unique, ix.partial)
			case "u": // a UNIQUE constraint's automatic index, named by SQLite
				s.keys[table+" unique"] = append(s.keys[table+" unique"], strings.Join(cols, ", "))
			}
			// "pk": the primary key, read from pragma_table_info above
			// (an INTEGER PRIMARY KEY has no index to list).
		}
	}
	return s
}

func readPostgresSchema(t *testing.T, d *db.DB) schema {
	t.Helper()
	s := newSchema()
	q := d.R()
	each(t, q, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`, nil, func(scan func(...any)) {
		var name string
		scan(&name)
		s.tables[name] = "table"
	})
	each(t, q, `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public'`, nil, func(scan func(...any)) {
		var table, name, declared string
		scan(&table, &name, &declared)
		s.column(table, name, declared)
	})
	// Primary keys and UNIQUE constraints, with the indexes PostgreSQL
	// names for them (t_pkey, t_col_key), which SQLite names otherwise.
	constraintIndex := map[string]bool{}
	each(t, q, `SELECT c.conrelid::regclass::text, c.contype, c.conindid::regclass::text,
			(SELECT string_agg(a.attname, ', ' ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
				JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum)
		FROM pg_constraint c WHERE c.connamespace = 'public'::regnamespace AND c.contype IN ('p', 'u')`, nil, func(scan func(...any)) {
		var table, kind, index, cols string
		scan(&table, &kind, &index, &cols)
		constraintIndex[index] = true
		key := table + " unique"
		if kind == "p" {
			key = table + " primary key"
		}
		s.keys[key] = append(s.keys[key], cols)
	})
	each(t, q, `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'`, nil, func(scan func(...any)) {
		var table, name, def string
		scan(&table, &name, &def)
		if constraintIndex[name] {
			return
		}
		cols, partial, err := indexColumns(def)
		if err != nil {
			t.Fatalf("index %s: %v", name, err)
		}
		s.indexes[name] = indexShape(table, cols, strings.HasPrefix(def, "CREATE UNIQUE INDEX"), partial)
	})
	return s
}

// indexColumns reads the columns of pg_indexes.indexdef, "CREATE INDEX n
// ON public.t USING btree (a, lower(b) DESC) INCLUDE (c) WHERE …". An
// INCLUDE column counts as one more column: SQLite, which has no INCLUDE,
// puts it at the end of the key for the same index-only read. Operator
// classes (name gin_trgm_ops) and orderings are left off; an expression
// reads as "(expression)", as SQLite lists it.
func indexColumns(def string) (cols []string, partial bool, err error) {
	_, rest, ok := strings.Cut(def, " USING ")
	open := strings.IndexByte(rest, '(')
	if !ok || open < 0 {
		return nil, false, fmt.Errorf("unexpected definition %q", def)
	}
	list, rest, err := parenthesised(rest[open:])
	if err != nil {
		return nil, false, err
	}
	if after, ok := strings.CutPrefix(rest, " INCLUDE "); ok {
		var included []string
		if included, rest, err = parenthesised(after); err != nil {
			return nil, false, err
		}
		list = append(list, included...)
	}
	for _, item := range list {
		word, _, _ := strings.Cut(strings.TrimSpace(item), " ")
		if strings.ContainsAny(word, "()") {
			word = "(expression)"
		}
		cols = append(cols, strings.Trim(word, `"`))
	}
	return cols, strings.HasPrefix(rest, " WHERE "), nil
}

// parenthesised splits "(a, f(b, c)) rest" into its top-level items and
// the rest.
func parenthesised(s string) (items []string, rest string, err error) {
	depth, start := 0, 1
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return append(items, s[start:i]), s[i+1:], nil
			}
		case ',':
			if depth == 1 {
				items = append(items, s[start:i])
				start = i + 1
			}
		}
	}
	return nil, "", fmt.Errorf("unbalanced parentheses in %q", s)
}

func each(t *testing.T, q db.Querier, query string, args []any, fn func(scan func(...any))) {
	t.Helper()
	rows, err := q.QueryContext(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	for rows.Next() {
		fn(func(dest ...any) {
			if err := rows.Scan(dest...); err != nil {
				t.Fatal(err)
			}
		})
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// differences lists, one line each, what one schema has that the other
// has not or has otherwise.
func differences(lite, pg schema) []string {
	var out []string
	both := func(a, b map[string]string, what string) {
		for name, x := range a {
			y, ok := b[name]
			switch {
			case !ok:
				out = append(out, fmt.Sprintf("%s %s: SQLite only (%s)", what, name, x))
			case x != y:
				out = append(out, fmt.Sprintf("%s %s: SQLite %s, PostgreSQL %s", what, name, x, y))
			}
		}
		for name, y := range b {
			if _, ok := a[name]; !ok {
				out = append(out, fmt.Sprintf("%s %s: PostgreSQL only (%s)", what, name, y))
			}
		}
	}
	both(lite.tables, pg.tables, "table")
	flatten := func(s schema) map[string]string {
		m := map[string]string{}
		for table, cols := range s.columns {
			if _, ok := s.tables[table]; !ok {
				continue // a shadow table's columns
			}
			for name, family := range cols {
				m[table+"."+name] = family
			}
		}
		return m
	}
	liteCols, pgCols := flatten(lite), flatten(pg)
	for name := range liteCols {
		table, _, _ := strings.Cut(name, ".")
		if _, ok := pg.tables[table]; !ok {
			delete(liteCols, name) // the table's own line says it all
		}
	}
	for name := range pgCols {
		table, _, _ := strings.Cut(name, ".")
		if _, ok := lite.tables[table]; !ok {
			delete(pgCols, name)
		}
	}
	both(liteCols, pgCols, "column")
	keys := func(s schema) map[string]string {
		m := map[string]string{}
		for k, lists := range s.keys {
			table, _, _ := strings.Cut(k, " ")
			if _, ok := s.tables[table]; !ok {
				continue
			}
			sorted := slices.Clone(lists)
			slices.Sort(sorted)
			m[k] = "(" + strings.Join(sorted, "), (") + ")"
		}
		return m
	}
	both(keys(lite), keys(pg), "key")
	both(lite.indexes, pg.indexes, "index")
	slices.Sort(out)
	return out
}

// intended are the differences between the two schemas that are meant,
// each with why. Anything else the comparison finds is a migration that
// did not make the same change on both databases.
var intended = map[string]string{
	// Full-text search: SQLite keeps an FTS5 table over services (and a
	// vocabulary table over it, for spelling correction); PostgreSQL a
	// weighted tsvector column with a GIN index, and trigrams of names for
	// typos (migration 0002).
	"table services_fts: SQLite only (virtual)":                         "FTS5",
	"table services_vocab: SQLite only (virtual)":                       "FTS5",
	"column services.search_vector: PostgreSQL only (tsvector)":         "tsvector",
	"index services_search: PostgreSQL only (services (search_vector))": "tsvector",
	"index services_name_trgm: PostgreSQL only (services (name))":       "pg_trgm",
	// SQLite's search reads indexes instead of rows where PostgreSQL reads
	// its own way (migrations 0004, 0011, 0019): a wider geo index, a list
	// of the services not active, keys ordered by place for the FTS5 index
	// and the counter that numbers them.
	"index services_geo: SQLite services (latitude, longitude, status, categories, days, cost_pence, id, name), PostgreSQL services (latitude, longitude)": "SQLite search",
	"index services_not_active: SQLite only (services (status) partial)":                                                                                   "SQLite search",
	"index services_by_key: SQLite only (services (pk, status, latitude, longitude, categories, days, cost_pence, id, name))":                              "SQLite search",
	"table services_key_seq: SQLite only (table)":                                                                                                          "SQLite search",
}

// TestSchemasMatch migrates a fresh SQLite and a fresh PostgreSQL database
// and compares their tables, columns (by type family), keys and indexes:
// the two must differ only where intended says.
func TestSchemasMatch(t *testing.T) {
	ctx := context.Background()
	lite := readSQLiteSchema(t, dbtest.SQLite(t))
	pgDB, err := db.Open(ctx, dbtest.EmptyURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pgDB.Close()
	if _, err := pgDB.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	pg := readPostgresSchema(t, pgDB)
	if len(lite.tables) < 10 || len(pg.tables) < 10 || len(pg.indexes) < 10 {
		t.Fatalf("read %d SQLite tables, %d PostgreSQL tables and %d indexes: the schema readers are broken", len(lite.tables), len(pg.tables), len(pg.indexes))
	}
	found := map[string]bool{}
	for _, d := range differences(lite, pg) {
		found[d] = true
		if _, ok := intended[d]; !ok {
			t.Errorf("unintended difference: %s", d)
		}
	}
	for d := range intended {
		if !found[d] {
			t.Errorf("intended difference no longer found (take it out of the list): %s", d)
		}
	}
	t.Logf("%d tables, %d indexes; %d intended differences", len(pg.tables), len(pg.indexes), len(intended))
}

func TestIndexColumns(t *testing.T) {
	for _, c := range []struct {
		def     string
		cols    string
		partial bool
	}{
		{"CREATE INDEX a ON public.t USING btree (x, y)", "x, y", false},
		{"CREATE UNIQUE INDEX a ON public.t USING btree (x DESC, lower(y)) WHERE (z <> 'a'::text)", "x, (expression)", true},
		{"CREATE INDEX a ON public.t USING btree (x, id) INCLUDE (score)", "x, id, score", false},
		{"CREATE INDEX a ON public.t USING gin (name gin_trgm_ops)", "name", false},
		{`CREATE INDEX a ON public.t USING btree ("order", coalesce(a, (b)::text))`, "order, (expression)", false},
	} {
		cols, partial, err := indexColumns(c.def)
		if err != nil || strings.Join(cols, ", ") != c.cols || partial != c.partial {
			t.Errorf("indexColumns(%q) = %q, %v, %v; want %q, %v", c.def, cols, partial, err, c.cols, c.partial)
		}
	}
	if _, _, err := indexColumns("CREATE INDEX a ON t USING btree (x"); err == nil {
		t.Error("an unbalanced definition was read")
	}
}
