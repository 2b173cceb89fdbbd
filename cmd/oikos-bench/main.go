// Command oikos-bench measures Oikos under load with the real HTTP handler
// on a loopback port, on SQLite and on a throwaway PostgreSQL cluster.
//
// --mode search (the default) builds a synthetic national directory and
// sends GET /api/v1/services from several concurrent clients with a
// realistic mix of queries. On PostgreSQL it then runs the same mix as one
// bare SQL statement per search, the way many open directories do
// (full-text match and haversine distance in SQL), and compares the two.
//
// --mode intake POSTs distinct, realistic referrals to /api/v1/referrals
// with a referrer's bearer token, and in the same run inserts the same rows
// straight through database/sql, one transaction each, under the same
// durable commits, and compares the two.
//
// --mode reports times GET /api/v1/reports/summary for a year of a national
// dataset (a million referrals over three years), cold and warm; --mode
// caseload times a link worker's caseload page (see reports.go, caseload.go).
//
// --mode suggestions times the services suggested for a person; --mode
// golden checks that a change leaves every suggestion as it was (see
// suggestions.go, golden.go).
//
// --mode people times a link worker finding a person among a million, by
// name, NHS number or date of birth (see people.go).
//
// --mode triage times the triage queue (GET /referrals) of a link worker
// with 10,000 referrals waiting in their scheme (see triage.go).
//
// --mode funds streams a national year of the personal budgets ledger as
// CSV and sends 200 purchases at one budget at once (see funds.go); --mode
// grants times the grants report and the citizen-led trend over a national
// programme, cold and warm (see grants.go).
//
// --mode volunteering times volunteer suggestions among 50,000 volunteers
// and the volunteering report over a year of 500,000 matches and
// 5,000,000 logged contacts (see volunteering.go).
//
//	go run ./cmd/oikos-bench [--mode search|intake|suggestions|golden|reports|caseload|people|triage|funds|grants|volunteering] [--services 100000] [--clients 8] [--duration 20s] [--rounds 1] [--db sqlite|postgres|both] [--dir DIR]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"oikos/cmd/oikos-bench/synthetic"
	"oikos/internal/app"
	"oikos/internal/db"
	"oikos/internal/outcome"
	"oikos/internal/web"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "oikos-bench:", err)
		os.Exit(1)
	}
}

type options struct {
	mode       string
	rounds     int
	services   int
	clients    int
	duration   time.Duration
	warmup     time.Duration
	which      string
	dir        string
	seed       int64
	cpuprofile string
	referrals  int
	// reports and caseload: the national dataset's size, warm requests,
	// requests timed, and whether to show the report's plans.
	national int
	warm     int
	requests int
	explain  bool
	serveDB  string
	without  string
	try      string
	setup    string
	golden   string
	// triage: referrals waiting in the scheme.
	waiting int
	// volunteering: the dataset's size.
	volunteers, matches, contacts int
	// dropCache: empty the page cache before each cold round.
	dropCache bool
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("oikos-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.StringVar(&o.mode, "mode", "search", "search (directory search), intake (referrals in), suggestions (services suggested for a person), golden, reports, caseload, people (finding a person), triage (the triage queue), funds (the budget ledger as CSV, purchases at once), grants (the grants report and citizen-led trend) or volunteering (volunteer suggestions and the volunteering report)")
	fs.IntVar(&o.referrals, "referrals", 300, "suggestions: people referred, each with a what-matters conversation")
	fs.IntVar(&o.rounds, "rounds", 1, "intake: measured rounds per database, each on fresh databases")
	fs.IntVar(&o.services, "services", 100_000, "search: services in the synthetic directory")
	fs.IntVar(&o.clients, "clients", 8, "concurrent clients")
	fs.DurationVar(&o.duration, "duration", 20*time.Second, "how long each measured run lasts")
	fs.DurationVar(&o.warmup, "warmup", 3*time.Second, "unmeasured warm-up before each run")
	fs.StringVar(&o.which, "db", "both", "sqlite, postgres or both")
	fs.StringVar(&o.dir, "dir", "", "keep the SQLite database here and reuse it next time (default: a temporary directory)")
	fs.IntVar(&o.national, "national", 0, "reports, caseload, people, triage: referrals in the national dataset (default 1000000 for reports, 100000 for caseload and triage, 1090000 for people: a million people)")
	fs.IntVar(&o.warm, "warm", 3, "reports, volunteering: warm requests after the cold ones")
	fs.IntVar(&o.requests, "requests", 200, "caseload, people, triage: requests timed (people: default 2000)")
	fs.BoolVar(&o.explain, "explain", false, "reports: show the plans of the report's slowest statements (PostgreSQL's auto_explain; the same statements on SQLite with --db both)")
	fs.StringVar(&o.without, "without", "", "reports: measure again with these indexes (comma-separated) set aside, then put them back")
	fs.StringVar(&o.try, "try", "", "reports: time the SQL in these files (comma-separated; PostgreSQL's form; $1 'swemwbs', $2 and $3 the year in ms) cold and warm and show its plan")
	fs.StringVar(&o.setup, "setup", "", "reports, PostgreSQL: run the SQL in this file after the load (one statement, e.g. an index to try)")
	fs.StringVar(&o.golden, "golden", "", "golden: the file of every referral's suggestions, written the first time and compared with after")
	fs.StringVar(&o.serveDB, "serve-db", "", "serve: the database the child server opens (used by the benchmark itself)")
	fs.IntVar(&o.waiting, "waiting", 10_000, "triage: referrals waiting for triage in the link worker's scheme (and half as many in another)")
	fs.IntVar(&o.volunteers, "volunteers", 50_000, "volunteering: volunteers in the scheme")
	fs.IntVar(&o.matches, "matches", 500_000, "volunteering: matches in the year")
	fs.IntVar(&o.contacts, "contacts", 5_000_000, "volunteering: contacts logged in the year")
	fs.BoolVar(&o.dropCache, "drop-cache", true, "volunteering, grants: empty the operating system's page cache before each cold round (needs root)")
	fs.Int64Var(&o.seed, "seed", 1, "seed for the directory and the query mix")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of each (intake: first) measured Oikos HTTP run to PREFIX[-intake]-sqlite.prof / -postgres.prof")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: oikos-bench [--mode search|intake] [--services N] [--clients N] [--duration D] [--rounds N] [--db sqlite|postgres|both] [--dir DIR]\n\nOptions:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.mode == "serve" {
		return serveChild(ctx, o.serveDB, o.cpuprofile, stdout)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if o.mode == "funds" && !set["national"] {
		o.national = 1_000_000
	}
	if o.mode == "grants" && !set["national"] {
		o.national = 300_000 // connections, as BenchmarkGrantsReport
	}
	if o.mode == "reports" || o.mode == "caseload" || o.mode == "people" || o.mode == "triage" {
		national, services := 1_000_000, 20_000
		switch o.mode {
		case "caseload":
			national, services = 100_000, 5_000
		case "triage":
			national, services = 100_000, 300
		case "people":
			// About 8% of referrals are of someone referred before.
			national, services = 1_090_000, 300
			if !set["requests"] {
				o.requests = 2000
			}
		}
		if !set["national"] {
			o.national = national
		}
		if !set["services"] {
			o.services = services
		}
		if !set["rounds"] {
			o.rounds = 3
		}
	}
	if o.mode == "volunteering" {
		if !set["referrals"] {
			o.referrals = 100
		}
		if !set["rounds"] {
			o.rounds = 3
		}
		if o.volunteers < 1 || o.matches < 1 || o.contacts < 0 || o.referrals < 1 || o.requests < 1 {
			return errors.New("--volunteers, --matches, --referrals and --requests must be positive, --contacts not negative")
		}
	}
	if o.services < 1 || o.clients < 1 || o.duration <= 0 || o.rounds < 1 {
		return errors.New("--services, --clients, --duration and --rounds must be positive")
	}
	if !slices.Contains([]string{"search", "intake", "suggestions", "golden", "reports", "caseload", "people", "triage", "funds", "grants", "volunteering"}, o.mode) {
		return fmt.Errorf("--mode must be search, intake, suggestions, golden, reports, caseload, people, triage, funds, grants or volunteering, not %q", o.mode)
	}
	dbs := map[string][]string{"sqlite": {"sqlite"}, "postgres": {"postgres"}, "both": {"sqlite", "postgres"}}[o.which]
	if dbs == nil {
		return fmt.Errorf("--db must be sqlite, postgres or both, not %q", o.which)
	}
	tmp, err := os.MkdirTemp("", "oikos-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if o.dir == "" {
		o.dir = tmp
	} else if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return err
	}

	if o.mode == "intake" {
		return runIntake(ctx, o, dbs, stdout)
	}
	if o.mode == "suggestions" {
		return runSuggestions(ctx, o, dbs, stdout)
	}
	if o.mode == "golden" {
		return runGolden(ctx, o, stdout)
	}
	serverProfile = o.cpuprofile
	if o.mode == "reports" {
		return runReports(ctx, o, dbs, stdout)
	}
	if o.mode == "caseload" {
		return runCaseload(ctx, o, dbs, stdout)
	}
	if o.mode == "people" {
		return runPeople(ctx, o, dbs, stdout)
	}
	if o.mode == "triage" {
		if o.waiting < 1 || o.requests < 1 {
			return errors.New("--waiting and --requests must be positive")
		}
		return runTriage(ctx, o, dbs, stdout)
	}
	if o.mode == "funds" {
		return runFunds(ctx, o, dbs, stdout)
	}
	if o.mode == "grants" {
		return runGrants(ctx, o, dbs, stdout)
	}
	if o.mode == "volunteering" {
		return runVolunteering(ctx, o, dbs, stdout)
	}
	fmt.Fprintf(stdout, "Oikos search benchmark: %d services, %d clients, %s per run (after %s warm-up), %d CPUs, GOMAXPROCS %d, %s\n",
		o.services, o.clients, o.duration, o.warmup, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
	var rep report
	rep.opts = o
	for _, which := range dbs {
		if err := ctx.Err(); err != nil {
			return err
		}
		var err error
		if which == "sqlite" {
			err = benchSQLite(ctx, o, stdout, &rep)
		} else {
			err = benchPostgres(ctx, o, stdout, &rep)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", which, err)
		}
	}
	rep.print(stdout)
	return nil
}

func benchSQLite(ctx context.Context, o options, out io.Writer, rep *report) error {
	path := filepath.Join(o.dir, fmt.Sprintf("oikos-bench-%d-seed%d.db", o.services, o.seed))
	d, err := openMigrated(ctx, "sqlite:"+path)
	if err != nil {
		return err
	}
	var have int
	if err := d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM services").Scan(&have); err != nil {
		d.Close()
		return err
	}
	if have >= o.services {
		fmt.Fprintf(out, "\n== SQLite: reusing %s (%d services)\n", path, have)
	} else {
		if have > 0 {
			// Partly filled (an interrupted run): start again.
			d.Close()
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(path + suffix)
			}
			if d, err = openMigrated(ctx, "sqlite:"+path); err != nil {
				return err
			}
		}
		fmt.Fprintf(out, "\n== SQLite: generating %d services into %s\n", o.services, path)
		if err := generate(ctx, d, o, out); err != nil {
			d.Close()
			return err
		}
		if _, err := d.Exec(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			d.Close()
			return err
		}
	}
	defer d.Close()
	var version string
	d.R().QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&version)
	rep.sqliteVersion = version
	res, err := benchHTTP(ctx, d, o, "sqlite", out)
	if err != nil {
		return err
	}
	rep.sqlite = &res
	return nil
}

func benchPostgres(ctx context.Context, o options, out io.Writer, rep *report) error {
	fmt.Fprintf(out, "\n== PostgreSQL: starting a throwaway cluster\n")
	c, err := startCluster(false)
	if err != nil {
		return err
	}
	defer c.stop()
	url, err := c.createDatabase(ctx, "oikos_bench")
	if err != nil {
		return err
	}
	d, err := openMigrated(ctx, url)
	if err != nil {
		return err
	}
	defer d.Close()
	d.R().QueryRowContext(ctx, "SHOW server_version").Scan(&rep.pgVersion)
	if f := strings.Fields(rep.pgVersion); len(f) > 0 {
		rep.pgVersion = f[0]
	}
	fmt.Fprintf(out, "PostgreSQL %s in %s: generating %d services\n", rep.pgVersion, c.dir, o.services)
	if err := generate(ctx, d, o, out); err != nil {
		return err
	}
	// What autovacuum would soon do after a bulk load: statistics for the
	// planner and an up-to-date visibility map.
	start := time.Now()
	if _, err := d.Exec(ctx, "VACUUM ANALYZE"); err != nil {
		return err
	}
	fmt.Fprintf(out, "VACUUM ANALYZE: %.1fs\n", time.Since(start).Seconds())

	res, err := benchHTTP(ctx, d, o, "postgres", out)
	if err != nil {
		return err
	}
	rep.pgHTTP = &res
	bare, err := benchBareSQL(ctx, url, o, out)
	if err != nil {
		return err
	}
	rep.pgBare = &bare
	return nil
}

func openMigrated(ctx context.Context, url string) (*db.DB, error) {
	d, err := db.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if _, err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	if _, err := outcome.CatchUp(ctx, d); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func generate(ctx context.Context, d *db.DB, o options, out io.Writer) error {
	start := time.Now()
	progress := &everyNth{w: out, n: max(1, o.services/5000/5)}
	if err := synthetic.Generate(ctx, d, o.services, o.seed, progress); err != nil {
		return err
	}
	fmt.Fprintf(out, "generated %d services in %.1fs (%.0f services/s)\n", o.services, time.Since(start).Seconds(),
		float64(o.services)/time.Since(start).Seconds())
	return nil
}

// everyNth passes on one progress line in n.
type everyNth struct {
	w    io.Writer
	n, i int
}

func (e *everyNth) Write(p []byte) (int, error) {
	e.i++
	if e.i%e.n == 0 {
		return e.w.Write(p)
	}
	return len(p), nil
}

// benchApp is the application on d, as oikos serve builds it, quiet.
func benchApp(d *db.DB, cfg app.Config) *app.App {
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	return app.New(d, cfg)
}

// benchHTTP serves the directory with the real handler on a loopback port
// and measures GET /api/v1/services.
func benchHTTP(ctx context.Context, d *db.DB, o options, name string, out io.Writer) (result, error) {
	srv, err := web.New(benchApp(d, app.Config{}), web.Config{})
	if err != nil {
		return result{}, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{}, err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ErrorLog: nil}
	go hs.Serve(ln)
	defer hs.Close()
	base := "http://" + ln.Addr().String() + "/api/v1/services?"
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: 4 * o.clients, MaxIdleConnsPerHost: 4 * o.clients, DisableCompression: true}}
	defer client.CloseIdleConnections()
	do := func(ctx context.Context, q request) (int, error) { return httpSearch(ctx, client, base, q) }

	label := "Oikos HTTP (" + name + ")"
	fmt.Fprintf(out, "%s: warming up for %s\n", label, o.warmup)
	if _, err := load(ctx, label, o.clients, o.warmup, o.seed+1000, searches(do)); err != nil {
		return result{}, err
	}
	var stopProfile func()
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile + "-" + name + ".prof")
		if err != nil {
			return result{}, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return result{}, err
		}
		stopProfile = pprof.StopCPUProfile
	}
	fmt.Fprintf(out, "%s: measuring for %s with %d clients\n", label, o.duration, o.clients)
	res, err := load(ctx, label, o.clients, o.duration, o.seed, searches(do))
	if stopProfile != nil {
		stopProfile()
	}
	if err != nil {
		return result{}, err
	}
	res.summary(out)
	return res, nil
}

func httpSearch(ctx context.Context, client *http.Client, base string, q request) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+q.params.Encode(), nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET ?%s: %s: %s", q.params.Encode(), resp.Status, strings.TrimSpace(string(body)))
	}
	return countItems(body)
}
