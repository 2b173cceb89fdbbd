package main

// Referral intake under load: clients POST distinct, realistic referrals
// to the real handler over loopback HTTP with a referrer's bearer token,
// and, in the same run, the same rows go straight into an empty database
// of the same schema through database/sql, one transaction per referral,
// as the bare baseline. Both sides commit with the same durability, which
// the report states.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"oikos/cmd/oikos-bench/synthetic"
	"oikos/internal/app"
	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/org"
	"oikos/internal/referral"
	"oikos/internal/taxonomy"
	"oikos/internal/web"
)

// Names, notes and sources for synthetic referrals.
var (
	givenNames = []string{"Margaret", "John", "Patricia", "David", "Susan", "Michael", "Linda", "Peter", "Janet", "Brian",
		"Aisha", "Mohammed", "Priya", "Tomasz", "Olena", "Kwame", "Siobhan", "Gareth", "Mei", "Ravi", "Ellie", "Jack",
		"Amelia", "Oliver", "Chloe", "Harry", "Fatima", "Yusuf", "Agnieszka", "Declan", "Rhiannon", "Callum", "Zara",
		"Kieran", "Bethany", "Stanley", "Doreen", "Wilfred", "Joan", "Ernest"}
	familyNames = []string{"Hughes", "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
		"Roberts", "Johnson", "Lewis", "Walker", "Robinson", "Wood", "Thompson", "White", "Watson", "Jackson", "Wright",
		"Green", "Harris", "Cooper", "King", "Lee", "Martin", "Clarke", "James", "Morgan", "Khan", "Patel", "Begum",
		"Nowak", "Kowalski", "O'Brien", "Murphy", "Okafor", "Mensah", "Chen", "Singh", "Ali", "Hussain", "Campbell",
		"Stewart", "Pritchard", "Trelawny", "Penhaligon", "Ashworth", "Fairweather"}
	referrerNames = []string{"Dr Okafor", "Dr Patel", "Dr Williams", "Nurse Jenkins", "Sam Reed, social worker", "Dr Chen",
		"Practice nurse Alison Grey", "District nurse Tom Hale", ""}
	professionalSources = []string{"gp", "gp", "gp", "gp", "nurse", "district_nurse", "social_worker", "other_professional", "voluntary_org"}
	referralNotes       = []string{
		"Lives alone since her husband died last year and rarely goes out.",
		"Recently retired and says the days feel empty. Keen on gardening.",
		"Frequent attender with low mood; would like to meet people.",
		"Carer for his wife who has dementia; needs a break and some support.",
		"Struggling with debt after losing work. Anxious about letters.",
		"New to the area, does not know anyone yet, interested in volunteering.",
		"Long-term back pain; wants to be more active but worried about falls.",
	}
	unitLetters = "ABDEFGHJLNPQRSTUWXYZ"
)

// nhsNumber draws a valid NHS number: nine digits (starting as issued
// numbers do in England and Wales) and the Modulus 11 check digit, drawn
// again when the check would be 10.
func nhsNumber(r *rand.Rand) string {
	for {
		d := make([]byte, 10)
		d[0] = "4679"[r.IntN(4)]
		for i := 1; i < 9; i++ {
			d[i] = byte('0' + r.IntN(10))
		}
		sum := 0
		for i := 0; i < 9; i++ {
			sum += int(d[i]-'0') * (10 - i)
		}
		check := 11 - sum%11
		if check == 11 {
			check = 0
		}
		if check == 10 {
			continue
		}
		d[9] = byte('0' + check)
		return string(d)
	}
}

// nextReferral draws one referral as a professional would send it: most
// with an NHS number (some written with spaces), a real postcode district,
// one to three reasons, sometimes a phone, an email and notes.
func nextReferral(r *rand.Rand, districts []string) referral.Input {
	born := time.Date(1935, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(72*365))
	in := referral.Input{
		Person: referral.PersonInput{
			GivenName:   givenNames[r.IntN(len(givenNames))],
			FamilyName:  familyNames[r.IntN(len(familyNames))],
			DateOfBirth: born.Format("2006-01-02"),
			Postcode: fmt.Sprintf("%s %d%c%c", districts[r.IntN(len(districts))], r.IntN(10),
				unitLetters[r.IntN(len(unitLetters))], unitLetters[r.IntN(len(unitLetters))]),
		},
		Source:  referral.SourceInput{Type: professionalSources[r.IntN(len(professionalSources))], ReferrerName: referrerNames[r.IntN(len(referrerNames))]},
		Consent: referral.ConsentInput{Given: true, ShareWithProviders: r.IntN(4) != 0},
	}
	if r.IntN(100) < 85 {
		n := nhsNumber(r)
		if r.IntN(3) == 0 {
			n = referral.FormatNHSNumber(n)
		}
		in.Person.NHSNumber = n
	}
	if r.IntN(10) < 7 {
		in.Person.Phone = fmt.Sprintf("07700 900%03d", r.IntN(1000))
	}
	if r.IntN(10) < 3 {
		in.Person.Email = strings.ToLower(strings.ReplaceAll(in.Person.GivenName+"."+in.Person.FamilyName, "'", "")) + "@example.org"
	}
	for range 1 + r.IntN(3) {
		code := taxonomy.Needs[r.IntN(len(taxonomy.Needs))].Code
		if !slices.Contains(in.Reasons, code) {
			in.Reasons = append(in.Reasons, code)
		}
	}
	if r.IntN(10) == 0 {
		in.Urgency = "urgent"
	}
	if r.IntN(10) < 6 {
		in.Notes = referralNotes[r.IntN(len(referralNotes))]
	}
	return in
}

// intakeSide is one measured side of a round: Oikos over HTTP, or the
// bare baseline.
type intakeRound struct {
	http, bare result
	// committed is what the database held after the HTTP run, against
	// the 201 answers the clients saw; chain is the audit entries checked.
	committed, answered, chain int
}

type intakeReport struct {
	opts       options
	sqlite, pg []intakeRound
	// durability states, per database, what a commit waits for.
	sqliteDurability, pgDurability string
	sqliteVersion, pgVersion       string
}

// A freshDB makes a new, empty, migrated database and returns its URL.
type freshDB func(ctx context.Context, name string) (string, error)

func runIntake(ctx context.Context, o options, dbs []string, stdout io.Writer) error {
	fmt.Fprintf(stdout, "Oikos referral intake benchmark: %d clients, %s per run (after %s warm-up), %d round(s), %d CPUs, GOMAXPROCS %d, %s\n",
		o.clients, o.duration, o.warmup, o.rounds, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
	rep := &intakeReport{opts: o}
	for _, which := range dbs {
		if err := ctx.Err(); err != nil {
			return err
		}
		var err error
		if which == "sqlite" {
			fmt.Fprintf(stdout, "\n== SQLite: fresh database files in %s\n", o.dir)
			fresh := func(ctx context.Context, name string) (string, error) {
				path := filepath.Join(o.dir, "intake-"+name+".db")
				for _, suffix := range []string{"", "-wal", "-shm"} {
					os.Remove(path + suffix)
				}
				return "sqlite:" + path, nil
			}
			rep.sqlite, err = intakeRounds(ctx, o, "sqlite", fresh, stdout, rep)
		} else {
			err = intakePostgres(ctx, o, stdout, rep)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", which, err)
		}
	}
	rep.print(stdout)
	return nil
}

func intakePostgres(ctx context.Context, o options, out io.Writer, rep *intakeReport) error {
	fmt.Fprintf(out, "\n== PostgreSQL: starting a throwaway cluster with durable commits\n")
	c, err := startCluster(true)
	if err != nil {
		return err
	}
	defer c.stop()
	fresh := func(ctx context.Context, name string) (string, error) { return c.createDatabase(ctx, "intake_"+name) }
	rep.pg, err = intakeRounds(ctx, o, "postgres", fresh, out, rep)
	return err
}

// intakeRounds alternates the two sides, each on a fresh database, so that
// both meet the same machine and neither starts with the other's rows.
func intakeRounds(ctx context.Context, o options, name string, fresh freshDB, out io.Writer, rep *intakeReport) ([]intakeRound, error) {
	var rounds []intakeRound
	for i := range o.rounds {
		var round intakeRound
		url, err := fresh(ctx, fmt.Sprintf("http%d", i))
		if err != nil {
			return nil, err
		}
		if err := intakeHTTP(ctx, url, o, name, i, out, rep, &round); err != nil {
			return nil, err
		}
		if url, err = fresh(ctx, fmt.Sprintf("bare%d", i)); err != nil {
			return nil, err
		}
		if round.bare, err = intakeBare(ctx, url, o, name, out); err != nil {
			return nil, err
		}
		rounds = append(rounds, round)
	}
	return rounds, nil
}

// referrerToken sets up a GP practice and a referrer there with an API
// token, as a GP system's connection would be.
func referrerToken(ctx context.Context, d *db.DB) (orgID, userID, token string, err error) {
	setup := auth.Actor{UserID: "system", Client: "oikos-bench"}
	a := benchApp(d, app.Config{})
	o, err := a.Orgs.Create(ctx, org.Actor(setup), org.Input{Name: "Riverside Surgery", Kind: "gp_practice"})
	if err != nil {
		return "", "", "", err
	}
	users := a.Auth
	u, err := users.CreateUser(ctx, setup, auth.UserInput{Email: "gp-system@riverside.example", Name: "Riverside GP system",
		Role: auth.Referrer, OrganisationID: o.ID}, "")
	if err != nil {
		return "", "", "", err
	}
	token, _, err = users.CreateToken(ctx, setup, u.ID, "oikos-bench")
	return o.ID, u.ID, token, err
}

// durability says what a commit waits for on d, read from the database.
func durability(ctx context.Context, q db.Querier, dialect db.Dialect) string {
	if dialect == db.SQLite {
		var mode string
		var sync int
		q.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode)
		q.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync)
		names := map[int]string{0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
		what := "each commit waits for the WAL to be fsynced"
		if sync < 2 {
			what = "commits are NOT synced: the last ones are lost on power failure"
		}
		return fmt.Sprintf("journal_mode=%s synchronous=%s (%s)", mode, names[sync], what)
	}
	var parts []string
	for _, setting := range []string{"fsync", "synchronous_commit", "full_page_writes", "wal_sync_method"} {
		var v string
		q.QueryRowContext(ctx, "SHOW "+setting).Scan(&v)
		parts = append(parts, setting+"="+v)
	}
	return strings.Join(parts, " ")
}

// intakeHTTP serves a fresh database with the real handler and measures
// POST /api/v1/referrals, then checks that every referral answered 201 is
// in the database and that the audit chain holds.
func intakeHTTP(ctx context.Context, url string, o options, name string, i int, out io.Writer, rep *intakeReport, round *intakeRound) error {
	d, err := openMigrated(ctx, url)
	if err != nil {
		return err
	}
	defer d.Close()
	if name == "sqlite" {
		rep.sqliteDurability = durability(ctx, d.R(), d.Dialect)
		d.R().QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&rep.sqliteVersion)
	} else {
		rep.pgDurability = durability(ctx, d.R(), d.Dialect)
		d.R().QueryRowContext(ctx, "SHOW server_version").Scan(&rep.pgVersion)
		if f := strings.Fields(rep.pgVersion); len(f) > 0 {
			rep.pgVersion = f[0]
		}
	}
	_, _, token, err := referrerToken(ctx, d)
	if err != nil {
		return err
	}
	// Requests are logged as `oikos serve` logs them, into the void.
	srv, err := web.New(benchApp(d, app.Config{}), web.Config{})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	endpoint := "http://" + ln.Addr().String() + "/api/v1/referrals"
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: 4 * o.clients, MaxIdleConnsPerHost: 4 * o.clients, DisableCompression: true}}
	defer client.CloseIdleConnections()
	districts := synthetic.Districts()
	draw := func(r *rand.Rand) operation {
		body, _ := json.Marshal(nextReferral(r, districts))
		return operation{kind: "referral", run: func(ctx context.Context) (int, error) { return postReferral(ctx, client, endpoint, token, body) }}
	}

	label := fmt.Sprintf("Oikos HTTP (%s) round %d", name, i+1)
	m, p := fsyncLatency(o.dir)
	fmt.Fprintf(out, "%s: a 4 KB write and fsync in %s takes %s ms (p95 %s ms)\n", label, o.dir, ms(m), ms(p))
	fmt.Fprintf(out, "%s: warming up for %s\n", label, o.warmup)
	warm, err := load(ctx, label, o.clients, o.warmup, o.seed+1000+int64(i), draw)
	if err != nil {
		return err
	}
	var stopProfile func()
	if o.cpuprofile != "" && i == 0 {
		f, err := os.Create(o.cpuprofile + "-intake-" + name + ".prof")
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		stopProfile = pprof.StopCPUProfile
	}
	fmt.Fprintf(out, "%s: measuring for %s with %d clients\n", label, o.duration, o.clients)
	res, err := load(ctx, label, o.clients, o.duration, o.seed+int64(i), draw)
	if stopProfile != nil {
		stopProfile()
	}
	if err != nil {
		return err
	}
	res.unit = "referrals"
	res.summary(out)
	round.http = res
	round.answered = len(warm.samples) + len(res.samples)
	if err := d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM referrals").Scan(&round.committed); err != nil {
		return err
	}
	if round.chain, err = audit.Verify(ctx, d.R()); err != nil {
		return fmt.Errorf("audit chain after the run: %w", err)
	}
	fmt.Fprintf(out, "%s: %d referrals answered 201, %d in the database; audit chain of %d entries holds\n", label, round.answered, round.committed, round.chain)
	if round.committed != round.answered {
		return fmt.Errorf("%d referrals answered 201 but %d in the database", round.answered, round.committed)
	}
	return nil
}

func postReferral(ctx context.Context, client *http.Client, endpoint, token string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusCreated {
		return 0, fmt.Errorf("POST: %s: %s", resp.Status, strings.TrimSpace(string(got)))
	}
	if !bytes.Contains(got, []byte(`"status":"received"`)) {
		return 0, fmt.Errorf("POST: unexpected answer %s", got)
	}
	return 1, nil
}

// bareSQLite opens a database/sql pool on path with exactly the settings
// Oikos's own write connection has (read back from it, so that both sides
// commit alike): one connection, transactions that begin IMMEDIATE, as
// anyone writing to SQLite from several goroutines must.
func bareSQLite(ctx context.Context, path string, d *db.DB) (*sql.DB, error) {
	var sync int
	if err := d.R().QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
		return nil, err
	}
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(" +
		strconv.Itoa(sync) + ")&_txlock=immediate"
	pool, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	pool.SetMaxOpenConns(1)
	pool.SetMaxIdleConns(1)
	return pool, nil
}

// intakeBare inserts the rows Oikos writes for a new person's referral
// (the person, the referral, its first event and two audit entries chained
// on the log's tail) straight through database/sql, one transaction per
// referral, with the same clients and the same durability.
func intakeBare(ctx context.Context, url string, o options, name string, out io.Writer) (result, error) {
	d, err := openMigrated(ctx, url)
	if err != nil {
		return result{}, err
	}
	orgID, userID, _, err := referrerToken(ctx, d)
	if err != nil {
		d.Close()
		return result{}, err
	}
	var pool *sql.DB
	if d.Dialect == db.SQLite {
		pool, err = bareSQLite(ctx, strings.TrimPrefix(url, "sqlite:"), d)
	} else {
		pool, err = sql.Open("pgx", url)
		if err == nil {
			pool.SetMaxOpenConns(o.clients)
			pool.SetMaxIdleConns(o.clients)
		}
	}
	d.Close()
	if err != nil {
		return result{}, err
	}
	defer pool.Close()
	dialect := db.Dialect(name)
	districts := synthetic.Districts()
	draw := func(r *rand.Rand) operation {
		in := nextReferral(r, districts)
		in.Source.OrganisationID = orgID
		if err := in.Validate(time.Now()); err != nil {
			panic(err) // the generator makes valid referrals only
		}
		return operation{kind: "referral", run: func(ctx context.Context) (int, error) {
			return 1, bareInsert(ctx, pool, dialect, in, userID)
		}}
	}
	label := fmt.Sprintf("bare database/sql (%s)", name)
	fmt.Fprintf(out, "%s: warming up for %s\n", label, o.warmup)
	if _, err := load(ctx, label, o.clients, o.warmup, o.seed+1000, draw); err != nil {
		return result{}, err
	}
	fmt.Fprintf(out, "%s: measuring for %s with %d clients\n", label, o.duration, o.clients)
	res, err := load(ctx, label, o.clients, o.duration, o.seed, draw)
	if err != nil {
		return result{}, err
	}
	res.unit = "referrals"
	res.summary(out)
	return res, nil
}

// auditLockKey is audit's chain lock on PostgreSQL: the baseline
// serialises its appends the same way.
const auditLockKey = 7_140_000_002

func bareInsert(ctx context.Context, pool *sql.DB, dialect db.Dialect, in referral.Input, userID string) error {
	tx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := time.Now().UTC().Truncate(time.Millisecond)
	personID, referralID := db.NewID("per"), db.NewID("ref")
	p := in.Person
	if _, err := tx.ExecContext(ctx, `INSERT INTO people (id, given_name, family_name, date_of_birth, nhs_number, postcode, phone, email, age_band, created_at, updated_at,
		given_key, family_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12)`, personID, p.GivenName, p.FamilyName, p.DateOfBirth, p.NHSNumber, p.Postcode,
		p.Phone, p.Email, "", db.Millis(now), referral.NameKey(p.GivenName), referral.NameKey(p.FamilyName)); err != nil {
		return err
	}
	// The person as sent goes with the referral too, as the real intake
	// keeps it, so that the two write the same.
	if _, err := tx.ExecContext(ctx, `INSERT INTO referrals (id, reference, person_id, status, source_type, source_organisation_id, referrer_user_id,
		referrer_name, reasons, urgency, notes, consent_given, consent_share, consent_by, consent_at, channel, received_at, updated_at,
		sent_given_name, sent_family_name, sent_date_of_birth, sent_nhs_number, sent_postcode, sent_phone, sent_email)
		VALUES ($1, $2, $3, 'received', $4, $5, $6, $7, $8, $9, $10, true, $11, $12, $13, 'api', $13, $13, $14, $15, $16, $17, $18, $19, $20)`,
		referralID, "BENCH-"+referralID, personID, in.Source.Type, in.Source.OrganisationID, userID, in.Source.ReferrerName,
		strings.Join(in.Reasons, " "), in.Urgency, in.Notes, in.Consent.ShareWithProviders, "person, as recorded by the referrer", db.Millis(now),
		p.GivenName, p.FamilyName, p.DateOfBirth, p.NHSNumber, p.Postcode, p.Phone, p.Email); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO referral_events (referral_id, position, at, actor_id, from_status, to_status) VALUES ($1, 0, $2, $3, '', 'received')`,
		referralID, db.Millis(now), userID); err != nil {
		return err
	}
	if err := dialect.LockTx(ctx, tx, auditLockKey); err != nil {
		return err
	}
	prev := strings.Repeat("0", 64)
	if err := tx.QueryRowContext(ctx, "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").Scan(&prev); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	for _, e := range []audit.Event{
		{At: now, ActorID: userID, Action: audit.Create, ObjectKind: "person", ObjectID: personID, Client: "127.0.0.1"},
		{At: now, ActorID: userID, Action: audit.Create, ObjectKind: "referral", ObjectID: referralID, Client: "127.0.0.1"},
	} {
		hash := audit.Hash(prev, e)
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, actor_id, action, object_kind, object_id, client, prev_hash, hash)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, db.Millis(e.At), e.ActorID, e.Action, e.ObjectKind, e.ObjectID, e.Client, prev, hash); err != nil {
			return err
		}
		prev = hash
	}
	return tx.Commit()
}

// fsyncLatency times small synced writes in dir, as a commit makes them:
// the floor under a durable commit, and the sign of other work on the
// disk.
func fsyncLatency(dir string) (median, p95 time.Duration) {
	f, err := os.CreateTemp(dir, "fsync-probe-")
	if err != nil {
		return 0, 0
	}
	defer os.Remove(f.Name())
	defer f.Close()
	page := make([]byte, 4096)
	var times []time.Duration
	for i := range 50 {
		t := time.Now()
		f.WriteAt(page, int64(i)*4096)
		f.Sync()
		times = append(times, time.Since(t))
	}
	slices.Sort(times)
	return times[len(times)/2], times[len(times)*95/100]
}

// spread is the lowest, median and highest of a figure across rounds.
func spread(xs []float64) (lo, mid, hi float64) {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[0], s[len(s)/2], s[len(s)-1]
}

func (rep *intakeReport) print(out io.Writer) {
	o := rep.opts
	fmt.Fprintf(out, "\n== Results: POST /api/v1/referrals over loopback HTTP vs the same rows through database/sql, %d clients, %s per run, %d round(s)\n\n",
		o.clients, o.duration, o.rounds)
	fmt.Fprintf(out, "%-40s %9s %9s %8s %8s %8s %8s %7s %11s\n", "", "referrals", "per sec", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors", "load before/after")
	line := func(name string, r result) {
		st := r.stats("")
		fmt.Fprintf(out, "%-40s %9d %9.0f %8s %8s %8s %8s %7d %11s\n", name, st.n, st.perSecond, ms(st.p50), ms(st.p95), ms(st.p99), ms(st.max), r.errors,
			r.loadBefore+"/"+r.loadAfter)
	}
	type side struct {
		name, version, durability string
		rounds                    []intakeRound
	}
	for _, sd := range []side{{"SQLite", rep.sqliteVersion, rep.sqliteDurability, rep.sqlite}, {"PostgreSQL", rep.pgVersion, rep.pgDurability, rep.pg}} {
		if len(sd.rounds) == 0 {
			continue
		}
		for i, r := range sd.rounds {
			line(fmt.Sprintf("%s %s, Oikos HTTP, round %d", sd.name, sd.version, i+1), r.http)
			line(fmt.Sprintf("%s %s, bare SQL, round %d", sd.name, sd.version, i+1), r.bare)
		}
	}
	fmt.Fprintf(out, "\nCommit durability, the same on both sides:\n")
	if rep.sqlite != nil {
		fmt.Fprintf(out, "  SQLite:     %s\n", rep.sqliteDurability)
	}
	if rep.pg != nil {
		fmt.Fprintf(out, "  PostgreSQL: %s\n", rep.pgDurability)
	}
	fmt.Fprintf(out, "Bare SQL: database/sql, one transaction per referral writing the rows Oikos writes for a new person (person, referral,\n"+
		"first event, two audit entries on the chain's tail); on SQLite through one connection with BEGIN IMMEDIATE, on PostgreSQL\n"+
		"through %d pooled connections under the audit chain's advisory lock.\n", o.clients)
	fmt.Fprintf(out, "(%d CPUs shared with the clients, which run in this process; a load average well above %d means other work competed.)\n\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0)+1)

	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT MET"
	}
	for _, sd := range []side{{"SQLite", rep.sqliteVersion, "", rep.sqlite}, {"PostgreSQL", rep.pgVersion, "", rep.pg}} {
		if len(sd.rounds) == 0 {
			continue
		}
		var rates, p95s, bares, ratios []float64
		errs := 0
		for _, r := range sd.rounds {
			h, b := r.http.stats(""), r.bare.stats("")
			rates = append(rates, h.perSecond)
			p95s = append(p95s, float64(h.p95)/float64(time.Millisecond))
			bares = append(bares, b.perSecond)
			ratios = append(ratios, h.perSecond/b.perSecond)
			errs += r.http.errors + r.bare.errors
		}
		lo, mid, hi := spread(rates)
		fmt.Fprintf(out, "%-11s Oikos HTTP referrals/s: median %.0f (%.0f–%.0f)\n", sd.name, mid, lo, hi)
		lo, mid, hi = spread(p95s)
		fmt.Fprintf(out, "%-11s Oikos HTTP p95 ms:      median %.2f (%.2f–%.2f)\n", sd.name, mid, lo, hi)
		lo, mid, hi = spread(bares)
		fmt.Fprintf(out, "%-11s bare SQL referrals/s:   median %.0f (%.0f–%.0f)\n", sd.name, mid, lo, hi)
		rlo, rmid, rhi := spread(ratios)
		fmt.Fprintf(out, "%-11s Oikos HTTP / bare SQL:  median %.2f (%.2f–%.2f)\n", sd.name, rmid, rlo, rhi)
		if sd.name == "SQLite" {
			_, m, _ := spread(rates)
			fmt.Fprintf(out, "Target SQLite >= 1000 referrals/s (median):     %s\n", verdict(m >= 1000))
		}
		fmt.Fprintf(out, "Target %s at least half the bare rate (median): %s\n", sd.name, verdict(rmid >= 0.5))
		fmt.Fprintf(out, "Target %s no errors:                           %s\n\n", sd.name, verdict(errs == 0))
	}
}
