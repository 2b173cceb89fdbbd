package main

// --mode volunteering: the community half at national scale (issue 16).
// A scheme with o.volunteers volunteers spread over the country (a dense
// city of a fifth of them around Exeter, the rest in every postcode
// district; one in ten with a DBS check that ran out, one in twenty with
// none), and a year of volunteering: o.matches matches with people and
// o.contacts contacts logged in them, with the days' totals the
// application keeps beside each contact (volunteer_days).
//
// Two things are timed through the real HTTP handler, from a server
// process of its own:
//   - GET /api/v1/referrals/{id}/volunteer-suggestions for people referred
//     from all over the country (made through the stores, each with a
//     what-matters conversation, a third with the days that suit them),
//     one request at a time: p50/p95 and CPU per request;
//   - GET /api/v1/reports/volunteering for the year, cold (new server
//     process, page cache dropped, PostgreSQL restarted) and warm, as
//     --mode reports times the summary report, after the closed months
//     of the year are counted and kept as oikos serve's sweep keeps them
//     (that is timed too).
//
// Rows go in as national.go loads them: secondary indexes set aside, big
// transactions of prepared multi-row INSERTs on a connection of the
// loader's own (SQLite) or COPY (PostgreSQL), indexes built at the end.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"oikos/cmd/oikos-bench/synthetic"
	"oikos/internal/app"
	"oikos/internal/casework"
	"oikos/internal/community"
	"oikos/internal/connection"
	"oikos/internal/db"
	"oikos/internal/directory"
	"oikos/internal/postcode"
	"oikos/internal/referral"
)

// volSpec says how much to make.
type volSpec struct {
	volunteers, matches, contacts int
	seed                          int64
	// now ends the year of matches and contacts.
	now time.Time
}

// bulkTable is a table written in bulk, with its columns in row order.
type bulkTable struct {
	name string
	cols []string
}

// The tables of the volunteering dataset, parents first.
var volTables = []bulkTable{
	{"organisations", nationalTables[tOrganisations].cols},
	{"users", nationalTables[tUsers].cols},
	{"people", nationalTables[tPeople].cols},
	{"referrals", nationalTables[tReferrals].cols},
	{"volunteers", []string{"user_id", "scheme_id", "kind", "postcode", "latitude", "longitude", "skills", "interests", "languages", "terms",
		"availability", "available", "dbs_checked_on", "dbs_expires_on", "training", "coordinator_id", "graduate", "phone", "email", "created_at",
		"updated_at", "updated_by"}},
	{"volunteer_matches", []string{"id", "referral_id", "person_id", "scheme_id", "volunteer_id", "status", "share_contact", "share_what_matters", "share_plan",
		"created_by", "created_at", "started_on", "ended_at", "ended_on", "ended_by", "end_reason", "updated_at"}},
	{"volunteer_contacts", []string{"id", "match_id", "referral_id", "scheme_id", "volunteer_id", "on_date", "minutes", "mode", "note",
		"created_by", "created_at"}},
	{"volunteer_days", []string{"scheme_id", "on_date", "minutes", "contacts"}},
}

const (
	vOrganisations = iota
	vUsers
	vPeople
	vReferrals
	vVolunteers
	vMatches
	vContacts
	vDays
)

// volIndexedTables are the tables whose secondary indexes are set aside
// while loading.
const volIndexedTables = "'people', 'referrals', 'volunteers', 'volunteer_matches', 'volunteer_contacts'"

// volLoader writes batches of rows (one slice per volTables entry) in one
// transaction each.
type volLoader interface {
	listIndexes(ctx context.Context) ([][2]string, error)
	exec(ctx context.Context, q string) error
	write(ctx context.Context, rows [][][]any) error
	close() error
}

type sqliteVolLoader struct{ conn *sql.DB }

func (l *sqliteVolLoader) exec(ctx context.Context, q string) error {
	_, err := l.conn.ExecContext(ctx, q)
	return err
}

func (l *sqliteVolLoader) listIndexes(ctx context.Context) ([][2]string, error) {
	return indexList(ctx, l.conn, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ("+volIndexedTables+")")
}

func bulkInsertSQL(t bulkTable, rows int) string {
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

func (l *sqliteVolLoader) write(ctx context.Context, batch [][][]any) error {
	tx, err := l.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for ti, rows := range batch {
		if len(rows) == 0 {
			continue
		}
		t := volTables[ti]
		many, err := tx.PrepareContext(ctx, bulkInsertSQL(t, sqliteRowsPerInsert))
		if err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		one, err := tx.PrepareContext(ctx, bulkInsertSQL(t, 1))
		if err != nil {
			return err
		}
		args := make([]any, 0, sqliteRowsPerInsert*len(t.cols))
		i := 0
		for ; i+sqliteRowsPerInsert <= len(rows); i += sqliteRowsPerInsert {
			args = args[:0]
			for _, r := range rows[i : i+sqliteRowsPerInsert] {
				args = append(args, r...)
			}
			if _, err := many.ExecContext(ctx, args...); err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
		}
		for ; i < len(rows); i++ {
			if _, err := one.ExecContext(ctx, rows[i]...); err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
		}
		many.Close()
		one.Close()
	}
	return tx.Commit()
}

func (l *sqliteVolLoader) close() error {
	if _, err := l.conn.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		l.conn.Close()
		return err
	}
	return l.conn.Close()
}

type pgVolLoader struct{ conn *pgx.Conn }

func (l *pgVolLoader) exec(ctx context.Context, q string) error {
	_, err := l.conn.Exec(ctx, q)
	return err
}

// listIndexes leaves out the indexes that back constraints (primary keys).
func (l *pgVolLoader) listIndexes(ctx context.Context) ([][2]string, error) {
	rows, err := l.conn.Query(ctx, "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN ("+
		volIndexedTables+") AND indexname NOT IN (SELECT conname FROM pg_constraint)")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list [][2]string
	for rows.Next() {
		var ix [2]string
		if err := rows.Scan(&ix[0], &ix[1]); err != nil {
			return nil, err
		}
		list = append(list, ix)
	}
	return list, rows.Err()
}

func (l *pgVolLoader) write(ctx context.Context, batch [][][]any) error {
	tx, err := l.conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	for ti, rows := range batch {
		if len(rows) == 0 {
			continue
		}
		t := volTables[ti]
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
	}
	return tx.Commit(ctx)
}

func (l *pgVolLoader) close() error { return l.conn.Close(context.Background()) }

// volGen draws the dataset.
type volGen struct {
	r     *rand.Rand
	spec  volSpec
	batch [][][]any
	now   int64
	// homes are the postcode districts volunteers live in, placed.
	homes []volHome
}

type volHome struct {
	code string
	at   postcode.Point
}

func (g *volGen) add(table int, row ...any) {
	g.batch[table] = append(g.batch[table], row)
}

func (g *volGen) held() int {
	n := 0
	for _, rows := range g.batch {
		n += len(rows)
	}
	return n
}

func (g *volGen) id(prefix string) string {
	var b [10]byte
	for i := range b {
		b[i] = byte(g.r.Uint32())
	}
	return prefix + "_" + benchIDEncoding.EncodeToString(b[:])
}

// volunteerID is volunteer i's user id, so matches can name one by number.
func volunteerID(i int) string { return fmt.Sprintf("usr_benchvol%07d", i) }

// The benched link worker of the volunteering dataset (the national
// dataset's first link worker, by the same id).
const benchVolLinkWorker = "usr_benchlw00000"

var volKinds = newWeighted[string]("volunteer", 50, "befriender", 35, "peer_mentor", 10, "health_champion", 5)

// generateVolunteering fills the database through loader.
func generateVolunteering(ctx context.Context, loader volLoader, spec volSpec, out io.Writer) error {
	began := time.Now()
	g := &volGen{r: rand.New(rand.NewPCG(uint64(spec.seed), 0x701)), spec: spec, batch: make([][][]any, len(volTables)), now: db.Millis(spec.now)}
	for _, code := range synthetic.Districts() {
		if at, ok := postcode.OutcodeCentre(code); ok {
			g.homes = append(g.homes, volHome{code, at})
		}
	}
	exeter, ok := postcode.OutcodeCentre("EX4")
	if !ok || len(g.homes) == 0 {
		return fmt.Errorf("volunteering dataset: postcode districts cannot be placed")
	}
	indexes, err := loader.listIndexes(ctx)
	if err != nil {
		return err
	}
	defs, err := setAside(ctx, loader.exec, indexes)
	if err != nil {
		return fmt.Errorf("setting indexes aside: %w", err)
	}
	flush := func(force bool) error {
		if g.held() == 0 || (!force && g.held() < 200_000) {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		err := loader.write(ctx, g.batch)
		g.batch = make([][][]any, len(volTables))
		return err
	}

	at := g.now - 2*365*day
	g.add(vOrganisations, benchSchemeID, "Bench National Social Prescribing Scheme", "scheme", true, at, at)
	g.add(vUsers, benchManagerID, "manager@bench.example", "Bench scheme manager", "manager", benchSchemeID, true, at, at)
	g.add(vUsers, benchVolLinkWorker, "link.worker.0@bench.example", "Bench link worker", "link_worker", benchSchemeID, true, at, at)

	// Volunteers: the first fifth around Exeter, the others anywhere; one
	// in twenty of them a health champion coordinating those after them.
	today := spec.now.Format(time.DateOnly)
	var champion any
	for i := range spec.volunteers {
		id := volunteerID(i)
		home := volHome{"EX4", exeter}
		p := jitterKm(g.r, exeter, 12)
		if i >= spec.volunteers/5 {
			home = g.homes[g.r.IntN(len(g.homes))]
			p = jitterKm(g.r, home.at, 3)
		}
		given, family := givenNames[g.r.IntN(len(givenNames))], familyNames[g.r.IntN(len(familyNames))]
		created := at + g.r.Int64N(365*day)
		g.add(vUsers, id, fmt.Sprintf("volunteer.%d@bench.example", i), given+" "+family, "volunteer", benchSchemeID, g.r.IntN(50) != 0, created, created)
		kind := volKinds.draw(g.r)
		var interests []string
		for range 1 + g.r.IntN(4) {
			if s := volInterests[g.r.IntN(len(volInterests))]; !slices.Contains(interests, s) {
				interests = append(interests, s)
			}
		}
		languages := []string{"English"}
		if g.r.IntN(10) == 0 {
			languages = append(languages, volLanguages[g.r.IntN(len(volLanguages))])
		}
		var slots []community.Slot
		for range 1 + g.r.IntN(3) {
			from := 9 + g.r.IntN(9)
			slots = append(slots, community.Slot{Day: directory.Days[g.r.IntN(len(directory.Days))], From: fmt.Sprintf("%02d:00", from),
				To: fmt.Sprintf("%02d:00", from+2)})
		}
		var checked, expires any
		switch k := g.r.IntN(20); {
		case k < 2: // ran out
			checked, expires = spec.now.AddDate(-4, 0, -g.r.IntN(300)).Format(time.DateOnly), spec.now.AddDate(-1, 0, -g.r.IntN(300)).Format(time.DateOnly)
		case k == 2: // none yet
		default:
			c := spec.now.AddDate(0, 0, -g.r.IntN(3*365))
			checked, expires = c.Format(time.DateOnly), c.AddDate(3, 0, 0).Format(time.DateOnly)
		}
		coordinator := champion
		if kind == "health_champion" {
			coordinator, champion = nil, id
		}
		g.add(vVolunteers, id, benchSchemeID, kind, fmt.Sprintf("%s %d%c%c", home.code, g.r.IntN(10), unitLetters[g.r.IntN(len(unitLetters))],
			unitLetters[g.r.IntN(len(unitLetters))]), p.Lat, p.Lon, `["Listening"]`, mustJSON(interests), mustJSON(languages),
			community.InterestTerms(interests), mustJSON(slots), community.SlotsMask(slots), checked, expires, `[]`, coordinator,
			kind == "peer_mentor" && g.r.IntN(4) == 0, fmt.Sprintf("07700 9%05d", g.r.IntN(100000)), "", created, created, benchManagerID)
		if err := flush(false); err != nil {
			return err
		}
	}

	// The year's matches: each referral has one or two (a second after the
	// first, with someone else), started on any day of the year, most
	// ended after a few months; their contacts fall while they ran.
	referrals := max(1, spec.matches*4/5)
	first := make([]int32, referrals)
	refIDs := make([]string, referrals)
	personIDs := make([]string, referrals)
	days := map[string][2]int64{}
	yearStart := spec.now.AddDate(-1, 0, 0)
	contactsMade := 0
	for k := range spec.matches {
		ri := k % referrals
		if k < referrals {
			refIDs[ri], personIDs[ri] = g.referral(k, yearStart)
		}
		vol := g.r.IntN(spec.volunteers)
		if k >= referrals && spec.volunteers > 1 {
			vol = (int(first[ri]) + 1 + g.r.IntN(spec.volunteers-1)) % spec.volunteers
		} else {
			first[ri] = int32(vol)
		}
		started := yearStart.AddDate(0, 0, g.r.IntN(365))
		var endedAt, endedOn any
		status, endedBy, reason := "active", "", ""
		last := spec.now.AddDate(0, 0, -1)
		if ends := started.AddDate(0, 0, int(g.logNormal(90, 0.6, 7, 720))); ends.Before(spec.now) && g.r.IntN(10) < 7 {
			status, endedBy, reason = "ended", benchVolLinkWorker, "Goals reached"
			endedAt, endedOn, last = db.Millis(ends)+10*3600_000, ends.Format(time.DateOnly), ends
		}
		mid, vid := g.id("vmt"), volunteerID(vol)
		created := db.Millis(started) + 9*3600_000
		g.add(vMatches, mid, refIDs[ri], personIDs[ri], benchSchemeID, vid, status, true, g.r.IntN(2) == 0, g.r.IntN(3) == 0, benchVolLinkWorker, created,
			started.Format(time.DateOnly), endedAt, endedOn, endedBy, reason, created)
		// This match's share of the contacts, so that they add up exactly.
		n := (k+1)*spec.contacts/spec.matches - k*spec.contacts/spec.matches
		span := int(last.Sub(started).Hours()/24) + 1
		for range n {
			on := started.AddDate(0, 0, g.r.IntN(span))
			if on.Format(time.DateOnly) > today {
				on = started
			}
			date := on.Format(time.DateOnly)
			minutes := 15 * (1 + g.r.IntN(8))
			g.add(vContacts, g.id("vct"), mid, refIDs[ri], benchSchemeID, vid, date, minutes,
				community.VolunteerContactModes[g.r.IntN(len(community.VolunteerContactModes))], "", vid, db.Millis(on)+15*3600_000)
			d := days[date]
			days[date] = [2]int64{d[0] + int64(minutes), d[1] + 1}
			contactsMade++
		}
		if err := flush(false); err != nil {
			return err
		}
		if (k+1)%100_000 == 0 {
			fmt.Fprintf(out, "volunteering dataset: %d matches, %d contacts (%.0fs)\n", k+1, contactsMade, time.Since(began).Seconds())
		}
	}
	for date, d := range days {
		g.add(vDays, benchSchemeID, date, d[0], d[1])
	}
	if err := flush(true); err != nil {
		return err
	}
	fmt.Fprintf(out, "volunteering dataset: %d volunteers, %d referrals, %d matches, %d contacts written in %.0fs; building the indexes again\n",
		spec.volunteers, referrals, spec.matches, contactsMade, time.Since(began).Seconds())
	built := time.Now()
	for _, def := range defs {
		if err := loader.exec(ctx, def); err != nil {
			return fmt.Errorf("%s: %w", def, err)
		}
	}
	fmt.Fprintf(out, "volunteering dataset: %d indexes in %.0fs\n", len(defs), time.Since(built).Seconds())
	return nil
}

// referral draws someone referred in the year before their match (k
// numbers the references, which are unique): the referral's id and the
// person's.
func (g *volGen) referral(k int, yearStart time.Time) (string, string) {
	received := db.Millis(yearStart) - g.r.Int64N(60*day)
	home := g.homes[g.r.IntN(len(g.homes))]
	band := ageBands.draw(g.r)
	recv := time.UnixMilli(received).UTC()
	born := recv.AddDate(-(band[0] + g.r.IntN(band[1]-band[0]+1)), 0, -g.r.IntN(365))
	given, family := givenNames[g.r.IntN(len(givenNames))], familyNames[g.r.IntN(len(familyNames))]
	pid, rid := g.id("per"), g.id("ref")
	pc := fmt.Sprintf("%s %d%c%c", home.code, g.r.IntN(10), unitLetters[g.r.IntN(len(unitLetters))], unitLetters[g.r.IntN(len(unitLetters))])
	g.add(vPeople, pid, given, family, born.Format(time.DateOnly), "", pc, "", "", referral.AgeBand(born, recv), sexes.draw(g.r),
		ethnicities.draw(g.r), received, received, referral.NameKey(given), referral.NameKey(family))
	ref := fmt.Sprintf("V%03d-%04d", k/10000%1000, k%10000)
	if k >= 10_000_000 {
		ref = fmt.Sprintf("V%d", k)
	}
	g.add(vReferrals, rid, ref, pid, "active", "gp", nil, nil, "", "loneliness", "routine", "", true, true, consentByFor("gp"), received,
		benchVolLinkWorker, "", "web", received, received+2*day, nil, received+2*day, benchSchemeID)
	return rid, pid
}

func (g *volGen) logNormal(median, sigma, lo, hi float64) float64 {
	return math.Max(lo, math.Min(hi, median*math.Exp(sigma*g.r.NormFloat64())))
}

// jitterKm moves p up to km in a random direction.
func jitterKm(r *rand.Rand, p postcode.Point, km float64) postcode.Point {
	d, a := km*math.Sqrt(r.Float64()), r.Float64()*2*math.Pi
	return postcode.Point{Lat: p.Lat + d*math.Cos(a)/111.0, Lon: p.Lon + d*math.Sin(a)/(111.0*math.Cos(p.Lat*math.Pi/180))}
}

var (
	volInterests = []string{"Gardening", "Walking", "Knitting", "Chess", "Cooking", "Baking", "Reading", "Music", "Singing", "Football", "Fishing",
		"Painting", "Crafts", "Local history", "Photography", "Cycling", "Swimming", "Dogs", "Films", "Theatre", "Quizzes", "Birdwatching", "Yoga", "Dancing"}
	volLanguages = []string{"Polish", "Urdu", "Punjabi", "Bengali", "Arabic", "Romanian", "Portuguese", "Welsh"}
)

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// volSide is one database's figures.
type volSide struct {
	name, version string
	suggest       []time.Duration
	suggestCPU    time.Duration
	suggested     int
	considered    int
	report        *reportSide
	reportBody    string
}

func runVolunteering(ctx context.Context, o options, dbs []string, out io.Writer) error {
	spec := volSpec{volunteers: o.volunteers, matches: o.matches, contacts: o.contacts, seed: o.seed, now: time.Now().UTC().Truncate(24 * time.Hour)}
	fmt.Fprintf(out, "Oikos volunteering benchmark: %d volunteers, a year of %d matches and %d contacts; %d volunteer suggestions one at a time for %d people; the volunteering report for the year, %d cold round(s) and %d warm; %d CPUs, %s, load %s\n",
		spec.volunteers, spec.matches, spec.contacts, o.requests, o.referrals, o.rounds, o.warm, runtime.NumCPU(), runtime.Version(), loadAverage())
	var sides []*volSide
	for _, which := range dbs {
		if err := ctx.Err(); err != nil {
			return err
		}
		var side *volSide
		var err error
		if which == "sqlite" {
			side, err = volunteeringSQLite(ctx, o, spec, out)
		} else {
			side, err = volunteeringPostgres(ctx, o, spec, out)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", which, err)
		}
		sides = append(sides, side)
	}
	fmt.Fprintf(out, "\n== Summary (load average now %s)\n", loadAverage())
	fmt.Fprintf(out, "Volunteer suggestions among %d volunteers, %d requests one at a time; target p95 < 50 ms\n", spec.volunteers, o.requests)
	fmt.Fprintf(out, "%-18s %8s %8s %8s %8s %14s %11s %10s  %s\n", "", "p50 ms", "p95 ms", "p99 ms", "max ms", "CPU/request ms", "considered", "suggested", "verdict")
	for _, s := range sides {
		verdict := "meets"
		if pct(s.suggest, 0.95) >= 50*time.Millisecond {
			verdict = "MISSES"
		}
		n := max(1, len(s.suggest))
		fmt.Fprintf(out, "%-18s %8s %8s %8s %8s %14s %11.0f %10.1f  %s\n", s.name+" "+s.version, ms(pct(s.suggest, 0.5)), ms(pct(s.suggest, 0.95)),
			ms(pct(s.suggest, 0.99)), ms(pct(s.suggest, 1)), ms(s.suggestCPU), float64(s.considered)/float64(n), float64(s.suggested)/float64(n), verdict)
	}
	fmt.Fprintf(out, "CPU/request is the server process's CPU time (with PostgreSQL's backends on PostgreSQL) over all requests, divided by their number;\n"+
		"considered: volunteers weighed per request; suggested: volunteers shown.\n")
	fmt.Fprintf(out, "\nThe volunteering report for one year: %d matches, %d contacts\n", spec.matches, spec.contacts)
	fmt.Fprintf(out, "%-18s %9s %9s %10s %10s %9s %9s  %s\n", "", "cold s", "worst s", "server CPU", "db CPU", "warm s", "target", "verdict")
	for _, s := range sides {
		r := s.report
		if r == nil || len(r.cold) == 0 {
			continue
		}
		worst := slices.MaxFunc(r.cold, func(a, b reportTiming) int { return int(a.wall - b.wall) })
		best := slices.MinFunc(r.cold, func(a, b reportTiming) int { return int(a.wall - b.wall) })
		warm := time.Duration(0)
		if len(r.warm) > 0 {
			warm = slices.MinFunc(r.warm, func(a, b reportTiming) int { return int(a.wall - b.wall) }).wall
		}
		verdict := "meets"
		if median(r.cold) >= r.target || worst.wall >= r.target || (len(r.warm) > 0 && warm >= r.target) {
			verdict = "MISSES"
		}
		dbCPU := "in process"
		if r.name != "SQLite" {
			dbCPU = secs(best.dbCPU)
		}
		fmt.Fprintf(out, "%-18s %9s %9s %10s %10s %9s %9s  %s\n", r.name+" "+r.version, secs(median(r.cold)), secs(worst.wall),
			secs(best.serverCPU), dbCPU, secs(warm), secs(r.target), verdict)
		if r.coldNote != "" {
			fmt.Fprintf(out, "%18s %s\n", "", r.coldNote)
		}
	}
	fmt.Fprintf(out, "cold s is the median over the cold rounds; server CPU the Oikos process's CPU time for the request (best cold round),\n"+
		"db CPU PostgreSQL's backends'; the verdict wants cold (median and worst) and warm under the target.\n")
	return nil
}

func volunteeringSQLite(ctx context.Context, o options, spec volSpec, out io.Writer) (*volSide, error) {
	fmt.Fprintf(out, "\n== SQLite\n")
	path := filepath.Join(o.dir, fmt.Sprintf("volunteering-%d-%d-%d-%d-seed%d.db", spec.volunteers, spec.matches, spec.contacts, o.referrals, spec.seed))
	marker := path + ".json"
	var m struct{ Now time.Time }
	if b, err := os.ReadFile(marker); err == nil && json.Unmarshal(b, &m) == nil {
		fmt.Fprintf(out, "reusing %s\n", path)
		spec.now = m.Now
		d, err := openMigrated(ctx, "sqlite:"+path)
		if err != nil {
			return nil, err
		}
		// The load's ANALYZE did not see indexes that migrations since
		// have added; without statistics of theirs SQLite's planner
		// passes them over for those it has figures for.
		_, err = d.Exec(ctx, "ANALYZE")
		d.Close()
		if err != nil {
			return nil, err
		}
	} else {
		for _, suffix := range []string{"", "-wal", "-shm", ".json"} {
			os.Remove(path + suffix)
		}
		fmt.Fprintf(out, "generating into %s\n", path)
		d, err := openMigrated(ctx, "sqlite:"+path)
		if err != nil {
			return nil, err
		}
		conn, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(0)"+
			"&_pragma=synchronous(OFF)&_pragma=cache_size(-1000000)&_pragma=temp_store(MEMORY)")
		if err != nil {
			d.Close()
			return nil, err
		}
		conn.SetMaxOpenConns(1)
		loader := &sqliteVolLoader{conn: conn}
		err = generateVolunteering(ctx, loader, spec, out)
		if cerr := loader.close(); err == nil {
			err = cerr
		}
		if err == nil {
			_, err = d.Exec(ctx, "ANALYZE")
		}
		d.Close()
		if err != nil {
			return nil, err
		}
		b, _ := json.Marshal(struct{ Now time.Time }{spec.now})
		if err := os.WriteFile(marker, b, 0o644); err != nil {
			return nil, err
		}
		if st, err := os.Stat(path); err == nil {
			fmt.Fprintf(out, "database file: %.0f MB\n", float64(st.Size())/1e6)
		}
	}
	side := &volSide{name: "SQLite"}
	url := "sqlite:" + path
	fresh := func() error {
		if !o.dropCache {
			return nil
		}
		return dropCaches()
	}
	return side, volunteeringRuns(ctx, o, spec, side, url, nil, 1500*time.Millisecond, fresh, out)
}

func volunteeringPostgres(ctx context.Context, o options, spec volSpec, out io.Writer) (*volSide, error) {
	fmt.Fprintf(out, "\n== PostgreSQL: starting a throwaway cluster\n")
	c, err := startCluster(false)
	if err != nil {
		return nil, err
	}
	defer c.stop()
	url, err := c.createDatabase(ctx, "oikos_volunteering")
	if err != nil {
		return nil, err
	}
	d, err := openMigrated(ctx, url)
	if err != nil {
		return nil, err
	}
	conn, err := pgx.Connect(ctx, url)
	if err == nil {
		_, err = conn.Exec(ctx, "SET session_replication_role = replica")
		if err == nil {
			_, err = conn.Exec(ctx, "SET maintenance_work_mem = '512MB'")
		}
	}
	if err != nil {
		d.Close()
		return nil, err
	}
	loader := &pgVolLoader{conn: conn}
	err = generateVolunteering(ctx, loader, spec, out)
	loader.close()
	if err == nil {
		start := time.Now()
		if _, err = d.Exec(ctx, "VACUUM ANALYZE"); err == nil {
			fmt.Fprintf(out, "VACUUM ANALYZE (what autovacuum does after a bulk load): %.1fs\n", time.Since(start).Seconds())
		}
	}
	var size string
	d.R().QueryRowContext(ctx, "SELECT pg_size_pretty(pg_database_size(current_database()))").Scan(&size)
	d.Close()
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "database size: %s\n", size)
	side := &volSide{name: "PostgreSQL"}
	fresh := func() error {
		if err := c.restart(); err != nil {
			return err
		}
		if !o.dropCache {
			return nil
		}
		return dropCaches()
	}
	return side, volunteeringRuns(ctx, o, spec, side, url, c, time.Second, fresh, out)
}

// volunteeringRuns makes the people to suggest volunteers for (unless
// they are there from a run before), times the suggestions, then the
// report cold and warm.
func volunteeringRuns(ctx context.Context, o options, spec volSpec, side *volSide, url string, c *cluster, target time.Duration, fresh func() error, out io.Writer) error {
	d, err := db.Open(ctx, url)
	if err != nil {
		return err
	}
	if d.Dialect == db.SQLite {
		d.R().QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&side.version)
	} else {
		d.R().QueryRowContext(ctx, "SHOW server_version").Scan(&side.version)
		if f := strings.Fields(side.version); len(f) > 0 {
			side.version = f[0]
		}
	}
	refs, err := suggestionReferrals(ctx, d, o, out)
	if err == nil {
		err = countClosedMonths(ctx, d, out)
	}
	d.Close()
	if err != nil {
		return err
	}
	token, err := benchToken(ctx, url, benchManagerID)
	if err != nil {
		return err
	}
	if err := timeSuggestions(ctx, o, side, url, c, token, refs, out); err != nil {
		return err
	}
	side.report = &reportSide{name: side.name, version: side.version, target: target}
	from, to := reportPeriod(spec.now)
	return reportRoundsAt(ctx, o, side.report, url, token, "/api/v1/reports/volunteering?from="+from+"&to="+to, fresh, c, out)
}

// countClosedMonths counts and keeps the closed months of the year, as
// oikos serve's sweep does ahead of the first report (a second a minute):
// the report then counts the month still open. Timed, as what the first
// report would cost without the sweep.
func countClosedMonths(ctx context.Context, d *db.DB, out io.Writer) error {
	start := time.Now()
	a := benchApp(d, app.Config{BaseURL: "http://127.0.0.1"})
	n, err := a.Volunteering.CountClosedMonths(ctx, time.Now(), time.Hour)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "volunteering report: %d closed months counted and kept (what oikos serve's sweep does before the first report) in %.1fs, load %s\n",
		n, time.Since(start).Seconds(), loadAverage())
	return nil
}

// suggestionReferrals refers o.referrals people from all over the country
// through the stores, as a link worker's day does: accepted, assigned to
// the benched link worker, a what-matters conversation with interests,
// and for a third the days and times that suit them. Made once: a second
// run finds them.
func suggestionReferrals(ctx context.Context, d *db.DB, o options, out io.Writer) ([]string, error) {
	ids, err := db.Strings(ctx, d.R(), "SELECT referral_id FROM conversations c JOIN referrals r ON r.id = c.referral_id WHERE r.scheme_id = $1 ORDER BY referral_id",
		benchSchemeID)
	if err != nil || len(ids) >= o.referrals {
		return ids, err
	}
	start := time.Now()
	a := benchApp(d, app.Config{BaseURL: "http://127.0.0.1"})
	manager := referral.Actor{UserID: benchManagerID, Client: "oikos-bench"}
	worker := referral.Actor{UserID: benchVolLinkWorker, Client: "oikos-bench"}
	r := rand.New(rand.NewPCG(uint64(o.seed), 0x5e1))
	districts := synthetic.Districts()
	for i := len(ids); i < o.referrals; i++ {
		in := nextReferral(r, districts)
		// Half of them in the city where a fifth of the volunteers live.
		if i%2 == 0 {
			in.Person.Postcode = fmt.Sprintf("EX%d %d%c%c", 1+r.IntN(4), r.IntN(10), unitLetters[r.IntN(len(unitLetters))], unitLetters[r.IntN(len(unitLetters))])
		}
		ref, err := a.Referrals.Create(ctx, manager, in, "", "web")
		if err != nil {
			return nil, fmt.Errorf("referral %d: %w", i, err)
		}
		if _, err := a.Referrals.Transition(ctx, manager, ref.ID, referral.Accepted, ""); err != nil {
			return nil, err
		}
		if _, err := a.Referrals.Assign(ctx, manager, ref.ID, benchVolLinkWorker); err != nil {
			return nil, err
		}
		conv := casework.ConversationInput{HeldAt: time.Now().Format(time.DateOnly), Mode: "in_person", WhatMatters: "Getting out and meeting people.",
			Interests: interestPhrases[r.IntN(len(interestPhrases))], Strengths: []string{volInterests[r.IntN(len(volInterests))]}}
		for _, code := range in.Reasons {
			conv.Needs = append(conv.Needs, casework.NeedInput{Code: code, Priority: 1 + r.IntN(3)})
		}
		if _, err := a.Casework.RecordConversation(ctx, worker, ref.ID, conv); err != nil {
			return nil, fmt.Errorf("conversation %d: %w", i, err)
		}
		if r.IntN(3) == 0 {
			var p connection.PreferencesInput
			for _, day := range directory.Days {
				if r.IntN(2) == 0 {
					p.Days = append(p.Days, day)
				}
			}
			p.Times = []string{connection.TimesOfDay[r.IntN(len(connection.TimesOfDay))].Code}
			if _, err := a.Suggester.SavePreferences(ctx, worker, ref.ID, p); err != nil {
				return nil, fmt.Errorf("preferences %d: %w", i, err)
			}
		}
		ids = append(ids, ref.ID)
	}
	fmt.Fprintf(out, "referred %d people to suggest volunteers for, through the stores, in %.1fs\n", len(ids), time.Since(start).Seconds())
	return ids, nil
}

// timeSuggestions asks for each person's volunteer suggestions, one
// request at a time from a new server process, after a warm-up.
func timeSuggestions(ctx context.Context, o options, side *volSide, url string, c *cluster, token string, refs []string, out io.Writer) error {
	if len(refs) == 0 {
		return fmt.Errorf("no people to suggest volunteers for")
	}
	srv, err := startServer(ctx, url)
	if err != nil {
		return err
	}
	defer srv.stop()
	client := &http.Client{Timeout: time.Minute}
	get := func(ref string) (considered, items int, err error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.base+"/api/v1/referrals/"+ref+"/volunteer-suggestions", nil)
		if err != nil {
			return 0, 0, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			return 0, 0, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return 0, 0, err
		}
		if resp.StatusCode != http.StatusOK {
			return 0, 0, fmt.Errorf("GET volunteer suggestions of %s: %s: %s", ref, resp.Status, clip(string(body), 300))
		}
		var got community.VolunteerSuggestions
		if err := json.Unmarshal(body, &got); err != nil {
			return 0, 0, err
		}
		return got.Considered, len(got.Items), nil
	}
	for i := range min(20, len(refs)) {
		if _, _, err := get(refs[i]); err != nil {
			return err
		}
	}
	cpu0, db0 := srv.cpu(), time.Duration(0)
	if c != nil {
		db0 = clusterCPU(c)
	}
	for i := range o.requests {
		start := time.Now()
		considered, items, err := get(refs[i%len(refs)])
		if err != nil {
			return err
		}
		side.suggest = append(side.suggest, time.Since(start))
		side.considered += considered
		side.suggested += items
	}
	cpu := srv.cpu() - cpu0
	if c != nil {
		cpu += clusterCPU(c) - db0
	}
	side.suggestCPU = cpu / time.Duration(max(1, o.requests))
	fmt.Fprintf(out, "%s: volunteer suggestions, %d requests: p50 %s ms, p95 %s ms, %.1f suggested of %.0f considered on average (load %s)\n", side.name,
		len(side.suggest), ms(pct(side.suggest, 0.5)), ms(pct(side.suggest, 0.95)), float64(side.suggested)/float64(max(1, o.requests)),
		float64(side.considered)/float64(max(1, o.requests)), loadAverage())
	return nil
}
