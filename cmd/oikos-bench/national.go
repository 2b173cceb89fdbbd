package main

// A national-scale dataset for the report and caseload benchmarks: three
// years of referrals from a few hundred referring organisations all over
// the UK, the people referred (age band, sex, ethnicity, postcode), the
// measures taken at baseline and at reviews (scored by internal/outcome,
// as the application stores them), and the connections to community
// services with their answers and first sessions. Everything is drawn from
// one seed so that SQLite and PostgreSQL hold the same figures.
//
// Rows go straight in, many at a time: prepared multi-row INSERTs in big
// transactions with foreign keys off and synchronous=OFF on a connection of
// the generator's own (SQLite), COPY with the foreign-key triggers off in
// the loading session (PostgreSQL). What the application writes besides
// (status history, audit entries, contacts) is left out: the reports read
// the columns written here.

import (
	"context"
	"database/sql"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"oikos/cmd/oikos-bench/synthetic"
	"oikos/internal/db"
	"oikos/internal/outcome"
	"oikos/internal/referral"
	"oikos/internal/taxonomy"
)

// nationalSpec says how much to make.
type nationalSpec struct {
	referrals int
	services  int
	seed      int64
	// now is the end of the three years; referrals are received before it.
	now time.Time
	// people makes the dataset of the people search (people.go): names
	// drawn as a country's are, a fifth of the referrals in a second
	// scheme, and nothing recorded after the referral (no measures, no
	// connections).
	people bool
	// waiting adds that many referrals waiting for triage in the scheme,
	// received over the last 60 days and assigned to nobody, and half as
	// many in a second scheme (triage.go).
	waiting int
}

// nationalCounts is what was made.
type nationalCounts struct {
	people, referrals, measures, connections, organisations, linkWorkers int
	byStatus                                                             map[string]int
	took                                                                 time.Duration
}

// The tables written, with their columns in the order rows are built.
var nationalTables = []struct {
	name string
	cols []string
}{
	{"organisations", []string{"id", "name", "kind", "active", "created_at", "updated_at"}},
	{"users", []string{"id", "email", "name", "role", "organisation_id", "active", "created_at", "updated_at"}},
	{"people", []string{"id", "given_name", "family_name", "date_of_birth", "nhs_number", "postcode", "phone", "email", "age_band", "sex",
		"ethnicity", "created_at", "updated_at", "given_key", "family_key"}},
	{"referrals", []string{"id", "reference", "person_id", "status", "source_type", "source_organisation_id", "referrer_user_id",
		"referrer_name", "reasons", "urgency", "notes", "consent_given", "consent_share", "consent_by", "consent_at", "assigned_to",
		"closed_reason", "channel", "received_at", "first_contact_at", "closed_at", "updated_at", "scheme_id"}},
	{"measures", []string{"id", "referral_id", "instrument", "timepoint", "answers", "score", "recorded_at", "by_actor"}},
	{"connections", []string{"id", "referral_id", "service_id", "organisation_id", "kind", "status", "reason", "note_for_provider",
		"shared_contact", "created_by", "created_at", "decided_at", "first_attended_at", "closed_at", "updated_at", "scheme_id"}},
}

// rowSink writes a batch of rows, parents first, in one transaction.
// Before the first batch it drops the secondary indexes of the tables
// written, and it builds them again at the end: one sort per index is far
// quicker than keeping them up to date row by row under random ids.
type rowSink interface {
	dropIndexes(ctx context.Context) error
	write(ctx context.Context, b *batchedRows) error
	buildIndexes(ctx context.Context) error
	close() error
}

// bulkTables are the tables whose indexes are set aside for the load.
const bulkTables = "'people', 'referrals', 'measures', 'connections'"

// setAside drops the indexes named by list (name, definition) with conn
// and returns their definitions.
func setAside(ctx context.Context, exec func(ctx context.Context, q string) error, list [][2]string) ([]string, error) {
	var defs []string
	for _, ix := range list {
		if err := exec(ctx, "DROP INDEX "+ix[0]); err != nil {
			return nil, err
		}
		defs = append(defs, ix[1])
	}
	return defs, nil
}

// batchedRows holds rows per table until a flush.
type batchedRows struct {
	rows [][][]any
	held int
}

func (b *batchedRows) add(table int, row []any) {
	if b.rows == nil {
		b.rows = make([][][]any, len(nationalTables))
	}
	b.rows[table] = append(b.rows[table], row)
	b.held++
}

// sqliteSink writes through a connection of its own with the checks and
// waits a bulk load does not need: foreign keys off, no fsync, a big cache.
type sqliteSink struct {
	conn    *sql.DB
	indexes []string
}

func (s *sqliteSink) exec(ctx context.Context, q string) error {
	_, err := s.conn.ExecContext(ctx, q)
	return err
}

func (s *sqliteSink) dropIndexes(ctx context.Context) error {
	list, err := indexList(ctx, s.conn, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ("+bulkTables+")")
	if err != nil {
		return err
	}
	s.indexes, err = setAside(ctx, s.exec, list)
	return err
}

func (s *sqliteSink) buildIndexes(ctx context.Context) error {
	for _, def := range s.indexes {
		if err := s.exec(ctx, def); err != nil {
			return fmt.Errorf("%s: %w", def, err)
		}
	}
	return nil
}

func indexList(ctx context.Context, conn *sql.DB, q string) ([][2]string, error) {
	rows, err := conn.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var ix [2]string
		if err := rows.Scan(&ix[0], &ix[1]); err != nil {
			return nil, err
		}
		out = append(out, ix)
	}
	return out, rows.Err()
}

func newSQLiteSink(ctx context.Context, path string) (*sqliteSink, error) {
	conn, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(0)"+
		"&_pragma=synchronous(OFF)&_pragma=cache_size(-1000000)&_pragma=temp_store(MEMORY)")
	if err != nil {
		return nil, err
	}
	conn.SetMaxOpenConns(1)
	if err := conn.PingContext(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return &sqliteSink{conn: conn}, nil
}

// sqliteRowsPerInsert is how many rows one prepared INSERT carries.
const sqliteRowsPerInsert = 64

func insertSQL(table int, rows int) string {
	t := nationalTables[table]
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", t.name, strings.Join(t.cols, ", "))
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.cols)), ", ") + ")"
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	return b.String()
}

func (s *sqliteSink) write(ctx context.Context, b *batchedRows) error {
	if b.held == 0 {
		return nil
	}
	tx, err := s.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for table, rows := range b.rows {
		if len(rows) == 0 {
			continue
		}
		many, err := tx.PrepareContext(ctx, insertSQL(table, sqliteRowsPerInsert))
		if err != nil {
			return fmt.Errorf("%s: %w", nationalTables[table].name, err)
		}
		one, err := tx.PrepareContext(ctx, insertSQL(table, 1))
		if err != nil {
			return err
		}
		args := make([]any, 0, sqliteRowsPerInsert*len(nationalTables[table].cols))
		i := 0
		for ; i+sqliteRowsPerInsert <= len(rows); i += sqliteRowsPerInsert {
			args = args[:0]
			for _, r := range rows[i : i+sqliteRowsPerInsert] {
				args = append(args, r...)
			}
			if _, err := many.ExecContext(ctx, args...); err != nil {
				return fmt.Errorf("%s: %w", nationalTables[table].name, err)
			}
		}
		for ; i < len(rows); i++ {
			if _, err := one.ExecContext(ctx, rows[i]...); err != nil {
				return fmt.Errorf("%s: %w", nationalTables[table].name, err)
			}
		}
		many.Close()
		one.Close()
	}
	return tx.Commit()
}

func (s *sqliteSink) close() error {
	if _, err := s.conn.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		s.conn.Close()
		return err
	}
	return s.conn.Close()
}

// pgSink COPYs each batch in one transaction, with the foreign-key
// triggers off for the session (the cluster's user is its superuser).
type pgSink struct {
	conn    *pgx.Conn
	indexes []string
}

func (s *pgSink) exec(ctx context.Context, q string) error {
	_, err := s.conn.Exec(ctx, q)
	return err
}

// dropIndexes sets aside the indexes that back no constraint (primary
// keys and UNIQUE columns stay).
func (s *pgSink) dropIndexes(ctx context.Context) error {
	rows, err := s.conn.Query(ctx, "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN ("+bulkTables+
		") AND indexname NOT IN (SELECT conname FROM pg_constraint)")
	if err != nil {
		return err
	}
	var list [][2]string
	for rows.Next() {
		var ix [2]string
		if err := rows.Scan(&ix[0], &ix[1]); err != nil {
			rows.Close()
			return err
		}
		list = append(list, ix)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	s.indexes, err = setAside(ctx, s.exec, list)
	return err
}

func (s *pgSink) buildIndexes(ctx context.Context) error {
	if err := s.exec(ctx, "SET maintenance_work_mem = '1GB'"); err != nil {
		return err
	}
	for _, def := range s.indexes {
		if err := s.exec(ctx, def); err != nil {
			return fmt.Errorf("%s: %w", def, err)
		}
	}
	return nil
}

func newPGSink(ctx context.Context, url string) (*pgSink, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "SET session_replication_role = replica"); err != nil {
		conn.Close(ctx)
		return nil, err
	}
	return &pgSink{conn: conn}, nil
}

func (s *pgSink) write(ctx context.Context, b *batchedRows) error {
	if b.held == 0 {
		return nil
	}
	tx, err := s.conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	for table, rows := range b.rows {
		if len(rows) == 0 {
			continue
		}
		t := nationalTables[table]
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
	}
	return tx.Commit(ctx)
}

func (s *pgSink) close() error { return s.conn.Close(context.Background()) }

// Table positions in nationalTables.
const (
	tOrganisations = iota
	tUsers
	tPeople
	tReferrals
	tMeasures
	tConnections
)

// The link worker, manager and commissioner every dataset has, by id, so
// the benchmarks can sign them in.
const (
	benchSchemeID     = "org_benchscheme"
	benchScheme2ID    = "org_benchscheme2"
	benchManagerID    = "usr_benchmanager"
	benchCommissioner = "usr_benchcommissioner"
)

// weighted draws one of choices by their weights.
type weighted[T any] struct {
	choices []T
	cum     []float64
}

func newWeighted[T any](pairs ...any) weighted[T] {
	var w weighted[T]
	total := 0.0
	for i := 0; i < len(pairs); i += 2 {
		w.choices = append(w.choices, pairs[i].(T))
		total += toFloat(pairs[i+1])
		w.cum = append(w.cum, total)
	}
	for i := range w.cum {
		w.cum[i] /= total
	}
	return w
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case float64:
		return x
	}
	panic(fmt.Sprintf("weight %v", v))
}

func (w weighted[T]) draw(r *rand.Rand) T {
	u := r.Float64()
	for i, c := range w.cum {
		if u < c {
			return w.choices[i]
		}
	}
	return w.choices[len(w.choices)-1]
}

// Population mixes: who is referred to social prescribing is older and
// more often female than the population; ethnicity follows the 2021
// census's high-level groups, with some not stated.
var (
	ageBands = newWeighted[[2]int](
		[2]int{16, 17}, 1, [2]int{18, 24}, 5, [2]int{25, 34}, 9, [2]int{35, 44}, 11, [2]int{45, 54}, 14, [2]int{55, 64}, 16,
		[2]int{65, 74}, 18, [2]int{75, 84}, 17, [2]int{85, 99}, 9)
	sexes       = newWeighted[string]("female", 58, "male", 40, "", 2)
	ethnicities = newWeighted[string]("white", 78, "asian", 9, "black", 4, "mixed", 3, "other", 2, "", 4)
	sourceTypes = newWeighted[string]("gp", 44, "nurse", 8, "district_nurse", 3, "social_worker", 8, "other_professional", 8,
		"self", 13, "family_friend", 5, "voluntary_org", 8, "other", 3)
	channels         = newWeighted[string]("web", 60, "api", 25, "fhir", 15)
	connectionKinds  = newWeighted[string]("signpost", 30, "active_signpost", 30, "supported", 40)
	connectionCounts = newWeighted[int](0, 12, 1, 36, 2, 30, 3, 18, 4, 4)
	// Reasons a referral closed after the work began, and before it did.
	closedAfterWork  = newWeighted[string]("goals_met", 55, "disengaged", 18, "redirected", 8, "moved_away", 5, "died", 2, "other", 12)
	closedBeforeWork = newWeighted[string]("declined", 40, "not_appropriate", 25, "disengaged", 20, "redirected", 15)
)

// instrumentUse is how often an instrument is taken at baseline.
var instrumentUse = []struct {
	code string
	p    float64
}{{"swemwbs", 0.85}, {"friends", 0.35}, {"ucla3", 0.30}, {"ons4", 0.25}, {"loneliness_direct", 0.15}, {"gp_appointments", 0.15}}

// orgKindFor is the kind of organisation a source type refers from, or ""
// for people who refer themselves or someone close.
func orgKindFor(sourceType string, r *rand.Rand) string {
	switch sourceType {
	case "gp", "nurse":
		return "gp_practice"
	case "district_nurse":
		return "nhs_trust"
	case "social_worker":
		return "council"
	case "voluntary_org":
		return "vcse"
	case "other_professional", "other":
		return []string{"gp_practice", "nhs_trust", "council", "vcse"}[r.IntN(4)]
	}
	return ""
}

var benchIDEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// gen draws the dataset row by row.
type gen struct {
	r    *rand.Rand
	spec nationalSpec
	// sink is the batch being filled.
	sink      *batchedRows
	districts []string
	now       int64
	start     int64
	// referrers by organisation kind: organisation ids and a referrer user
	// for each.
	orgsByKind  map[string][]string
	referrerFor map[string]string
	workers     []string
	// services by postcode area, each {id, organisation id}.
	servicesByArea map[string][][2]string
	allServices    [][2]string
	counts         nationalCounts
	// people referred before, to refer some again.
	recentPeople []personRef
	// names draws names for the people search's dataset.
	names *nameDrawer
}

type personRef struct {
	id, area string
	z        float64
}

func (g *gen) id(prefix string) string {
	var b [10]byte
	for i := range b {
		b[i] = byte(g.r.Uint32())
	}
	return prefix + "_" + benchIDEncoding.EncodeToString(b[:])
}

func (g *gen) reference() string {
	alphabet := "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 8)
	for i := range b {
		b[i] = alphabet[g.r.IntN(len(alphabet))]
	}
	return string(b[:4]) + "-" + string(b[4:])
}

const day = int64(24 * time.Hour / time.Millisecond)

// logNormalDays draws a delay in days with the given median and spread.
func (g *gen) logNormalDays(median, sigma, lo, hi float64) float64 {
	d := median * math.Exp(sigma*g.r.NormFloat64())
	return math.Max(lo, math.Min(hi, d))
}

// generateNational fills d with the national dataset: the synthetic
// directory through the directory package, then the rest through sink.
func generateNational(ctx context.Context, d *db.DB, sink rowSink, spec nationalSpec, out io.Writer) (nationalCounts, error) {
	return generateNationalProfiled(ctx, d, sink, spec, out, "")
}

// generateNationalProfiled is generateNational with a CPU profile of this
// process written to PROFILE-national-DIALECT.prof when profile is set.
func generateNationalProfiled(ctx context.Context, d *db.DB, sink rowSink, spec nationalSpec, out io.Writer, profile string) (nationalCounts, error) {
	began := time.Now()
	if profile != "" {
		f, err := os.Create(profile + "-national-" + string(d.Dialect) + ".prof")
		if err != nil {
			return nationalCounts{}, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nationalCounts{}, err
		}
		defer pprof.StopCPUProfile()
	}
	g := &gen{r: rand.New(rand.NewPCG(uint64(spec.seed), 0x6e6174)), spec: spec, sink: &batchedRows{}, districts: synthetic.Districts(),
		now: db.Millis(spec.now), orgsByKind: map[string][]string{}, referrerFor: map[string]string{}, servicesByArea: map[string][][2]string{}}
	g.start = g.now - 3*365*day
	if spec.people {
		g.names = newNameDrawer()
	}
	g.counts.byStatus = map[string]int{}
	fmt.Fprintf(out, "national dataset: %d services in the synthetic directory\n", spec.services)
	if err := synthetic.Generate(ctx, d, spec.services, spec.seed, nil); err != nil {
		return g.counts, err
	}
	fmt.Fprintf(out, "national dataset: directory in %.1fs\n", time.Since(began).Seconds())
	if err := g.loadServices(ctx, d); err != nil {
		return g.counts, err
	}
	// Rows are drawn on one core while the last batch is written on the
	// other.
	batches := make(chan *batchedRows, 1)
	written := make(chan error, 1)
	go func() {
		var err error
		for b := range batches {
			if err == nil {
				err = sink.write(ctx, b)
			}
		}
		written <- err
	}()
	if err := sink.dropIndexes(ctx); err != nil {
		close(batches)
		<-written
		return g.counts, fmt.Errorf("setting indexes aside: %w", err)
	}
	g.organisations()
	const perBatch = 20_000
	last := time.Now()
	total := spec.referrals + spec.waiting + spec.waiting/2
	for i := range total {
		switch {
		case i < spec.referrals:
			g.referral("")
		case i < spec.referrals+spec.waiting:
			g.referral(benchSchemeID)
		default:
			g.referral(benchScheme2ID)
		}
		if (i+1)%perBatch == 0 || i == total-1 {
			if ctx.Err() != nil {
				break
			}
			batches <- g.sink
			g.sink = &batchedRows{}
			if time.Since(last) > 10*time.Second || i == total-1 {
				last = time.Now()
				fmt.Fprintf(out, "national dataset: %d referrals, %d measures, %d connections drawn (%.0fs)\n",
					g.counts.referrals, g.counts.measures, g.counts.connections, time.Since(began).Seconds())
			}
		}
	}
	close(batches)
	if err := <-written; err != nil {
		return g.counts, err
	}
	if err := ctx.Err(); err != nil {
		return g.counts, err
	}
	fmt.Fprintf(out, "national dataset: rows written in %.0fs; building the indexes again\n", time.Since(began).Seconds())
	if err := sink.buildIndexes(ctx); err != nil {
		return g.counts, err
	}
	// The report's outcome pairs, as recording each measure would have
	// written them.
	paired := time.Now()
	n, err := outcome.Rebuild(ctx, d)
	if err != nil {
		return g.counts, fmt.Errorf("pairing measures: %w", err)
	}
	fmt.Fprintf(out, "national dataset: %d outcome pairs in %.0fs\n", n, time.Since(paired).Seconds())
	g.counts.took = time.Since(began)
	fmt.Fprintf(out, "national dataset: written in %.0fs\n", g.counts.took.Seconds())
	return g.counts, nil
}

func (g *gen) loadServices(ctx context.Context, d *db.DB) error {
	rows, err := d.R().QueryContext(ctx, "SELECT id, organisation_id, postcode FROM services WHERE status = 'active'")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, org, pc string
		if err := rows.Scan(&id, &org, &pc); err != nil {
			return err
		}
		s := [2]string{id, org}
		g.allServices = append(g.allServices, s)
		a := postcodeArea(pc)
		g.servicesByArea[a] = append(g.servicesByArea[a], s)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(g.allServices) == 0 {
		return fmt.Errorf("national dataset: no active services to connect people to")
	}
	return nil
}

// postcodeArea is a postcode's area letters ("EX" of "EX1 1AA").
func postcodeArea(pc string) string {
	for i, c := range pc {
		if c < 'A' || c > 'Z' {
			return pc[:i]
		}
	}
	return pc
}

// organisations makes the scheme, its manager, commissioner and link
// workers (one for about 900 referrals, some 300 a year each), and a few
// hundred referring organisations with a referrer each.
func (g *gen) organisations() {
	at := g.start - 30*day
	g.sink.add(tOrganisations, []any{benchSchemeID, "Bench National Social Prescribing Scheme", "scheme", true, at, at})
	if g.spec.people || g.spec.waiting > 0 {
		g.sink.add(tOrganisations, []any{benchScheme2ID, "Bench Second Social Prescribing Scheme", "scheme", true, at, at})
	}
	g.sink.add(tUsers, []any{benchManagerID, "manager@bench.example", "Bench scheme manager", "manager", benchSchemeID, true, at, at})
	g.sink.add(tUsers, []any{benchCommissioner, "commissioner@bench.example", "Bench commissioner", "commissioner", benchSchemeID, true, at, at})
	for i := range max(5, g.spec.referrals/900) {
		id := fmt.Sprintf("usr_benchlw%05d", i)
		name := givenNames[i%len(givenNames)] + " " + familyNames[(i/len(givenNames))%len(familyNames)]
		g.sink.add(tUsers, []any{id, fmt.Sprintf("link.worker.%d@bench.example", i), name, "link_worker", benchSchemeID, true, at, at})
		g.workers = append(g.workers, id)
	}
	g.counts.linkWorkers = len(g.workers)
	kinds := []struct {
		kind, label string
		n           int
	}{{"gp_practice", "Medical Practice", 230}, {"nhs_trust", "NHS Trust community services", 20}, {"council", "Council adult social care", 20},
		{"vcse", "Community Action", 40}}
	for _, k := range kinds {
		for i := range k.n {
			id := fmt.Sprintf("org_bench%s%03d", strings.ReplaceAll(k.kind, "_", ""), i)
			dist := g.districts[g.r.IntN(len(g.districts))]
			name := fmt.Sprintf("%s %s %s (bench %d)", familyNames[g.r.IntN(len(familyNames))], dist, k.label, i)
			g.sink.add(tOrganisations, []any{id, name, k.kind, true, at, at})
			user := fmt.Sprintf("usr_benchref%s%03d", strings.ReplaceAll(k.kind, "_", ""), i)
			g.sink.add(tUsers, []any{user, fmt.Sprintf("referrer.%s.%d@bench.example", k.kind, i), referrerNames[g.r.IntN(len(referrerNames)-1)],
				"referrer", id, true, at, at})
			g.orgsByKind[k.kind] = append(g.orgsByKind[k.kind], id)
			g.referrerFor[id] = user
			g.counts.organisations++
		}
	}
}

// receivedAt draws when a referral came in: more each year as the scheme
// grows (density rising linearly by 60% over the three years), mostly on
// weekdays in working hours.
func (g *gen) receivedAt() int64 {
	// Inverse of the cumulative density of 1 + 0.6t on [0,1], normalised.
	u := g.r.Float64()
	a, b := 1.0, 0.6
	t := (-a + math.Sqrt(a*a+2*b*u*(a+b/2))) / b
	at := g.start + int64(t*float64(g.now-g.start))
	at -= at % day
	wd := time.UnixMilli(at).UTC().Weekday()
	if (wd == time.Saturday || wd == time.Sunday) && g.r.IntN(5) != 0 {
		if wd == time.Saturday {
			at -= day
		} else {
			at += day
		}
	}
	at += int64(8*3600_000) + g.r.Int64N(10*3600_000)
	if at >= g.now {
		at = g.now - 1 - g.r.Int64N(6*3600_000)
	}
	return at
}

// person draws someone new, or now and then someone referred before.
func (g *gen) person(received int64) personRef {
	if len(g.recentPeople) > 1000 && g.r.IntN(100) < 8 {
		return g.recentPeople[g.r.IntN(len(g.recentPeople))]
	}
	band := ageBands.draw(g.r)
	age := band[0] + g.r.IntN(band[1]-band[0]+1)
	recv := time.UnixMilli(received).UTC()
	born := recv.AddDate(-age, 0, -g.r.IntN(365))
	dist := g.districts[g.r.IntN(len(g.districts))]
	p := personRef{id: g.id("per"), area: postcodeArea(dist), z: g.r.NormFloat64()}
	given, family := givenNames[g.r.IntN(len(givenNames))], familyNames[g.r.IntN(len(familyNames))]
	if g.spec.people {
		given, family = g.names.draw(g.r)
	}
	nhs := ""
	if g.r.IntN(100) < 85 {
		nhs = nhsNumber(g.r)
	}
	phone, email := "", ""
	if g.r.IntN(10) < 7 {
		phone = fmt.Sprintf("07700 9%05d", g.r.IntN(100000))
	}
	if g.r.IntN(10) < 3 {
		email = strings.ToLower(strings.ReplaceAll(given+"."+family, "'", "")) + fmt.Sprintf("%d@example.org", g.r.IntN(1000))
	}
	pc := fmt.Sprintf("%s %d%c%c", dist, g.r.IntN(10), unitLetters[g.r.IntN(len(unitLetters))], unitLetters[g.r.IntN(len(unitLetters))])
	g.sink.add(tPeople, []any{p.id, given, family, born.Format(time.DateOnly), nhs, pc, phone, email, referral.AgeBand(born, recv),
		sexes.draw(g.r), ethnicities.draw(g.r), received, received, referral.NameKey(given), referral.NameKey(family)})
	g.counts.people++
	if len(g.recentPeople) < 20_000 {
		g.recentPeople = append(g.recentPeople, p)
	} else {
		g.recentPeople[g.r.IntN(len(g.recentPeople))] = p
	}
	return p
}

// referral draws one referral and what followed it up to now: accepted
// after a day or two, first contact after about a week (a long tail),
// the work beginning soon after and lasting about four months (some much
// longer), one in ten closed before the work began. Its status is
// wherever that story has got to by now. A referral waitingIn a scheme
// was received in the last 60 days and waits there for triage, assigned
// to nobody.
func (g *gen) referral(waitingIn string) {
	received := g.receivedAt()
	if waitingIn != "" {
		received = g.now - 1 - g.r.Int64N(60*day)
	}
	p := g.person(received)
	source := sourceTypes.draw(g.r)
	var orgID, referrerID any
	referrerName := ""
	if kind := orgKindFor(source, g.r); kind != "" {
		orgs := g.orgsByKind[kind]
		// A few practices refer far more than others.
		o := orgs[int(float64(len(orgs))*math.Pow(g.r.Float64(), 1.6))]
		orgID = o
		if g.r.IntN(2) == 0 {
			referrerID = g.referrerFor[o]
		}
		referrerName = referrerNames[g.r.IntN(len(referrerNames))]
	}
	var reasons []string
	for range 1 + g.r.IntN(3) {
		code := taxonomy.Needs[g.r.IntN(len(taxonomy.Needs))].Code
		if !strings.Contains(" "+strings.Join(reasons, " ")+" ", " "+code+" ") {
			reasons = append(reasons, code)
		}
	}
	urgency := "routine"
	if g.r.IntN(10) == 0 {
		urgency = "urgent"
	}
	notes := ""
	if g.r.IntN(10) < 6 {
		notes = referralNotes[g.r.IntN(len(referralNotes))]
	}
	worker := g.workers[g.r.IntN(len(g.workers))]

	accepted := received + int64(g.logNormalDays(1, 0.8, 0.05, 20)*float64(day))
	firstContact := accepted + int64(g.logNormalDays(5, 0.9, 0.1, 120)*float64(day))
	workStarts := firstContact + int64(g.logNormalDays(7, 0.6, 0, 60)*float64(day))
	closes := workStarts + int64(g.logNormalDays(110, 0.55, 14, 900)*float64(day))
	closedEarly := g.r.IntN(10) == 0
	if closedEarly {
		closes = received + int64(g.logNormalDays(10, 0.8, 1, 90)*float64(day))
		firstContact, workStarts = math.MaxInt64, math.MaxInt64
		if g.r.IntN(2) == 0 {
			firstContact = min(closes, accepted+int64(g.logNormalDays(4, 0.7, 0.1, 60)*float64(day)))
		}
	}
	if waitingIn != "" {
		accepted, firstContact, workStarts, closes = math.MaxInt64, math.MaxInt64, math.MaxInt64, math.MaxInt64
	}
	status := "received"
	switch {
	case closes <= g.now:
		status = "closed"
	case workStarts <= g.now:
		status = "active"
	case firstContact <= g.now:
		status = "contacted"
	case accepted <= g.now:
		status = "accepted"
	}
	var assigned, firstAt, closedAt any
	closedReason := ""
	updated := received
	if waitingIn == "" && (status != "received" || g.r.IntN(3) == 0) {
		assigned = worker
		updated = min(accepted, g.now-1)
	}
	if firstContact <= g.now {
		firstAt = firstContact
		updated = firstContact
	}
	if status == "closed" {
		closedAt = closes
		updated = closes
		if closedEarly {
			closedReason = closedBeforeWork.draw(g.r)
		} else {
			closedReason = closedAfterWork.draw(g.r)
		}
	}
	id := g.id("ref")
	scheme := benchSchemeID
	if g.spec.people && g.r.IntN(5) == 0 {
		scheme = benchScheme2ID
	}
	if waitingIn != "" {
		scheme = waitingIn
	}
	g.sink.add(tReferrals, []any{id, g.reference(), p.id, status, source, orgID, referrerID, referrerName, strings.Join(reasons, " "), urgency,
		notes, true, g.r.IntN(4) != 0, consentByFor(source), received, assigned, closedReason, channels.draw(g.r), received, firstAt, closedAt, updated, scheme})
	g.counts.referrals++
	g.counts.byStatus[status]++
	if workStarts > g.now || g.spec.people {
		return
	}
	end := g.now
	if status == "closed" {
		end = closes
	}
	gain := 0.35 + 0.5*g.r.NormFloat64()
	g.measures(id, worker, p, workStarts, end, status == "closed", gain)
	g.connections(id, worker, p, workStarts, end)
}

func consentByFor(source string) string {
	switch source {
	case "self":
		return "person"
	case "family_friend":
		return "person, through family or friend"
	}
	return "person, as recorded by the referrer"
}

// measures records a baseline for six in ten people whose work began,
// then reviews every twelve weeks or so while it lasts (not all are done)
// and often an exit when it closes. Answers follow the person's own level
// (z) and how much better things get for them (gain, reached over about
// four months).
func (g *gen) measures(referralID, worker string, p personRef, workStarts, end int64, closed bool, gain float64) {
	if g.r.Float64() >= 0.6 {
		return
	}
	baselineAt := workStarts + g.r.Int64N(7*day)
	if baselineAt >= end {
		return
	}
	var taken []string
	for _, in := range instrumentUse {
		if g.r.Float64() < in.p {
			taken = append(taken, in.code)
		}
	}
	if len(taken) == 0 {
		taken = []string{"swemwbs"}
	}
	effectAt := func(at int64) float64 {
		return gain * math.Min(1, float64(at-baselineAt)/float64(120*day))
	}
	for _, code := range taken {
		g.measure(referralID, worker, code, outcome.Baseline, baselineAt, p.z, 0)
		at := baselineAt
		for {
			at += int64((12*7 + g.r.IntN(21) - 7)) * day
			if at >= end {
				break
			}
			if g.r.IntN(100) < 55 {
				g.measure(referralID, worker, code, outcome.Review, at, p.z, effectAt(at))
			}
		}
		if closed && g.r.IntN(100) < 50 {
			g.measure(referralID, worker, code, outcome.Exit, end, p.z, effectAt(end))
		}
	}
}

func clampRound(v float64, lo, hi int) int {
	n := int(math.Round(v))
	return max(lo, min(hi, n))
}

// answers draws one instrument's answers for someone at level z with
// effect e (both in standard deviations; higher is better).
func (g *gen) answers(code string, z, e float64) []int {
	n := g.r.NormFloat64
	switch code {
	case "swemwbs":
		a := make([]int, 7)
		for i := range a {
			a[i] = clampRound(2.6+0.55*z+0.7*e+0.6*n(), 1, 5)
		}
		return a
	case "ons4":
		return []int{clampRound(5+1.6*z+1.6*e+n(), 0, 10), clampRound(5.6+1.4*z+1.4*e+n(), 0, 10),
			clampRound(5.2+1.6*z+1.5*e+1.2*n(), 0, 10), clampRound(5.4-1.4*z-1.5*e+1.5*n(), 0, 10)}
	case "ucla3":
		a := make([]int, 3)
		for i := range a {
			a[i] = clampRound(2.2-0.45*z-0.5*e+0.5*n(), 1, 3)
		}
		return a
	case "loneliness_direct":
		return []int{clampRound(2.6+0.9*z+0.9*e+0.7*n(), 1, 5)}
	case "friends":
		return []int{clampRound(1.6+0.9*z+1.3*e+n(), 0, 100)}
	case "gp_appointments":
		return []int{clampRound(2.8-0.8*z-1.0*e+1.2*n(), 0, 100)}
	}
	panic("no answers for " + code)
}

func (g *gen) measure(referralID, worker, code, timepoint string, at int64, z, e float64) {
	answers := g.answers(code, z, e)
	score, err := outcome.ScoreAnswers(code, answers)
	if err != nil {
		panic(err) // the answers above are always in range
	}
	a, _ := json.Marshal(answers)
	s, _ := json.Marshal(score)
	g.sink.add(tMeasures, []any{g.id("msr"), referralID, code, timepoint, string(a), string(s), at, worker})
	g.counts.measures++
}

// connections sends the person to none to four services near them over
// the first month of the work; each is answered within two weeks (most
// accepted, some waitlisted or declined), most accepted people attend a
// first session within three weeks, and the connection ends completed or
// dropped after one to four months.
func (g *gen) connections(referralID, worker string, p personRef, workStarts, end int64) {
	for range connectionCounts.draw(g.r) {
		created := workStarts + g.r.Int64N(30*day)
		if created >= end {
			continue
		}
		svcs := g.servicesByArea[p.area]
		if len(svcs) == 0 || g.r.IntN(20) == 0 {
			svcs = g.allServices
		}
		svc := svcs[g.r.IntN(len(svcs))]
		status := "sent"
		var decided, attended, closed any
		updated := created
		decidedAt := created + int64(g.logNormalDays(3, 0.8, 0.05, 30)*float64(day))
		if decidedAt < g.now {
			decided, updated = decidedAt, decidedAt
			switch u := g.r.IntN(100); {
			case u < 9:
				status, closed = "declined", decidedAt
			case u < 19:
				status = "waitlisted"
			default:
				status = "accepted"
			}
		}
		if status == "accepted" && g.r.IntN(100) < 85 {
			first := decidedAt + int64(g.logNormalDays(7, 0.6, 1, 60)*float64(day))
			first -= first % day
			if first < g.now {
				attended, updated = first, first
				ends := first + int64(g.logNormalDays(70, 0.5, 14, 365)*float64(day))
				if ends < g.now {
					status, closed, updated = "completed", ends, ends
					if g.r.IntN(100) < 35 {
						status = "dropped"
					}
				}
			}
		} else if status == "accepted" {
			ends := decidedAt + int64(g.logNormalDays(20, 0.5, 3, 120)*float64(day))
			if ends < g.now {
				status, closed, updated = "dropped", ends, ends
			}
		}
		g.sink.add(tConnections, []any{g.id("con"), referralID, svc[0], svc[1], connectionKinds.draw(g.r), status, "", "", "{}", worker,
			created, decided, attended, closed, updated, benchSchemeID})
		g.counts.connections++
	}
}
