package main

// The scheme report at national scale: GET /api/v1/reports/summary for one
// year of the national dataset (see national.go), cold, from a new server
// process on a database nothing has read since the operating system's page
// cache was emptied (and, on PostgreSQL, since the cluster was restarted),
// then warm. With --explain, PostgreSQL's auto_explain logs the plans of
// the report's slow statements as they ran (ANALYZE, BUFFERS), and the same
// statements are timed and their plans shown on SQLite.

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"oikos/internal/app"
	"oikos/internal/auth"
	"oikos/internal/db"
)

// nationalMarker is kept beside a finished SQLite dataset: a database
// without it was interrupted and is made again.
type nationalMarker struct {
	Now                                      time.Time
	People, Referrals, Measures, Connections int
	Organisations, LinkWorkers, Services     int
	ByStatus                                 map[string]int
	GeneratedSeconds                         float64
}

func markerOf(spec nationalSpec, c nationalCounts) nationalMarker {
	return nationalMarker{Now: spec.now, People: c.people, Referrals: c.referrals, Measures: c.measures, Connections: c.connections,
		Organisations: c.organisations, LinkWorkers: c.linkWorkers, Services: spec.services, ByStatus: c.byStatus,
		GeneratedSeconds: c.took.Seconds()}
}

func (m nationalMarker) describe(out io.Writer) {
	fmt.Fprintf(out, "dataset: %d referrals (%v), %d people, %d measures, %d connections, %d services, %d referring organisations, %d link workers; generated in %.0fs; ends %s\n",
		m.Referrals, m.ByStatus, m.People, m.Measures, m.Connections, m.Services, m.Organisations, m.LinkWorkers, m.GeneratedSeconds,
		m.Now.Format(time.DateOnly))
}

// reportTiming is one request's figures.
type reportTiming struct {
	wall, serverCPU, dbCPU time.Duration
	bytes                  int
}

type reportSide struct {
	name, version string
	cold, warm    []reportTiming
	coldNote      string
	target        time.Duration
	// without is the same measured with the --without indexes set aside.
	without *reportSide
}

func runReports(ctx context.Context, o options, dbs []string, out io.Writer) error {
	fmt.Fprintf(out, "Oikos report benchmark: national dataset of %d referrals, %d services; GET /api/v1/reports/summary for one year, %d cold round(s) and %d warm; %d CPUs, %s, load %s\n",
		o.national, o.services, o.rounds, o.warm, runtime.NumCPU(), runtime.Version(), loadAverage())
	spec := nationalSpec{referrals: o.national, services: o.services, seed: o.seed, now: time.Now().UTC().Truncate(24 * time.Hour)}
	var sides []*reportSide
	var captured []capturedStatement
	sqlitePath := ""
	for _, which := range dbs {
		if err := ctx.Err(); err != nil {
			return err
		}
		var side *reportSide
		var err error
		if which == "sqlite" {
			side, sqlitePath, err = reportsSQLite(ctx, o, spec, out)
		} else {
			side, captured, err = reportsPostgres(ctx, o, spec, out)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", which, err)
		}
		sides = append(sides, side)
	}
	if o.explain && sqlitePath != "" {
		if len(captured) == 0 {
			fmt.Fprintf(out, "\n(--explain on SQLite uses the statements PostgreSQL logged: run with --db both)\n")
		} else if err := explainSQLite(ctx, sqlitePath, captured, out); err != nil {
			return fmt.Errorf("explain on sqlite: %w", err)
		}
	}
	fmt.Fprintf(out, "\n== Summary: GET /api/v1/reports/summary, one year of %d referrals over three years (load average now %s)\n", o.national, loadAverage())
	fmt.Fprintf(out, "%-18s %9s %9s %10s %10s %9s %9s  %s\n", "", "cold s", "worst s", "server CPU", "db CPU", "warm s", "target", "verdict")
	var all []*reportSide
	for _, s := range sides {
		all = append(all, s)
		if s.without != nil {
			all = append(all, s.without)
		}
	}
	for _, s := range all {
		if len(s.cold) == 0 {
			continue
		}
		best, worst := s.cold[0], s.cold[0]
		for _, t := range s.cold {
			if t.wall < best.wall {
				best = t
			}
			if t.wall > worst.wall {
				worst = t
			}
		}
		warm := time.Duration(0)
		if len(s.warm) > 0 {
			warm = slices.MinFunc(s.warm, func(a, b reportTiming) int { return int(a.wall - b.wall) }).wall
		}
		verdict := "meets"
		if median(s.cold) >= s.target {
			verdict = "MISSES"
		}
		dbCPU := "in process"
		if s.name != "SQLite" {
			dbCPU = secs(best.dbCPU)
		}
		fmt.Fprintf(out, "%-18s %9s %9s %10s %10s %9s %9s  %s (median cold %ss)\n", s.name+" "+s.version, secs(median(s.cold)), secs(worst.wall),
			secs(best.serverCPU), dbCPU, secs(warm), secs(s.target), verdict, secs(median(s.cold)))
		if s.coldNote != "" {
			fmt.Fprintf(out, "%18s %s\n", "", s.coldNote)
		}
	}
	fmt.Fprintf(out, "cold s is the median over the cold rounds; server CPU is the Oikos process's CPU time for the request (10 ms ticks),\n"+
		"db CPU PostgreSQL's backends'; the 2 CPUs are shared with other work, so wall time over CPU time means waiting (disk or CPU).\n")
	return nil
}

func median(ts []reportTiming) time.Duration {
	w := make([]time.Duration, len(ts))
	for i, t := range ts {
		w[i] = t.wall
	}
	slices.Sort(w)
	return w[len(w)/2]
}

func secs(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// reportPeriod is the year to the dataset's end.
func reportPeriod(now time.Time) (from, to string) {
	return now.AddDate(-1, 0, 0).Format(time.DateOnly), now.AddDate(0, 0, -1).Format(time.DateOnly)
}

// nationalSQLite makes (or finds made) the SQLite national dataset in
// o.dir and returns its path and what it holds.
func nationalSQLite(ctx context.Context, o options, spec nationalSpec, out io.Writer) (string, nationalMarker, error) {
	path := filepath.Join(o.dir, fmt.Sprintf("national-%d-%d-seed%d.db", spec.referrals, spec.services, spec.seed))
	var m nationalMarker
	if b, err := os.ReadFile(path + ".json"); err == nil && json.Unmarshal(b, &m) == nil {
		fmt.Fprintf(out, "reusing %s\n", path)
		start := time.Now()
		d, err := openMigrated(ctx, "sqlite:"+path)
		if err != nil {
			return "", m, err
		}
		d.Close()
		if took := time.Since(start); took > time.Second {
			fmt.Fprintf(out, "migrations brought it up to date in %.1fs\n", took.Seconds())
		}
		return path, m, nil
	}
	for _, suffix := range []string{"", "-wal", "-shm", ".json"} {
		os.Remove(path + suffix)
	}
	fmt.Fprintf(out, "generating into %s\n", path)
	d, err := openMigrated(ctx, "sqlite:"+path)
	if err != nil {
		return "", m, err
	}
	defer d.Close()
	sink, err := newSQLiteSink(ctx, path)
	if err != nil {
		return "", m, err
	}
	counts, err := generateNationalProfiled(ctx, d, sink, spec, out, o.cpuprofile)
	if cerr := sink.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", m, err
	}
	m = markerOf(spec, counts)
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(path+".json", b, 0o644); err != nil {
		return "", m, err
	}
	if st, err := os.Stat(path); err == nil {
		fmt.Fprintf(out, "database file: %.0f MB\n", float64(st.Size())/1e6)
	}
	return path, m, nil
}

func reportsSQLite(ctx context.Context, o options, spec nationalSpec, out io.Writer) (*reportSide, string, error) {
	fmt.Fprintf(out, "\n== SQLite\n")
	path, m, err := nationalSQLite(ctx, o, spec, out)
	if err != nil {
		return nil, "", err
	}
	m.describe(out)
	url := "sqlite:" + path
	token, err := benchToken(ctx, url, benchManagerID)
	if err != nil {
		return nil, "", err
	}
	side := &reportSide{name: "SQLite", target: 3 * time.Second}
	if d, err := db.Open(ctx, url); err == nil {
		d.R().QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&side.version)
		d.Close()
	}
	from, to := reportPeriod(m.Now)
	fresh := func() error { return dropCaches() }
	if err := reportRounds(ctx, o, side, url, token, from, to, fresh, nil, out); err != nil {
		return side, path, err
	}
	err = withoutIndexes(ctx, o, url, side, out, func(without *reportSide) error {
		return reportRounds(ctx, o, without, url, token, from, to, fresh, nil, out)
	})
	if err == nil && o.try != "" {
		err = tryStatement(ctx, o, url, m.Now, fresh, out)
	}
	return side, path, err
}

// withoutIndexes measures again with the indexes named by --without set
// aside, and puts them back: the figures with and without them, on the
// same data.
func withoutIndexes(ctx context.Context, o options, url string, side *reportSide, out io.Writer, measure func(*reportSide) error) error {
	if o.without == "" {
		return nil
	}
	d, err := db.Open(ctx, url)
	if err != nil {
		return err
	}
	defer d.Close()
	var defs []string
	for _, name := range strings.Split(o.without, ",") {
		q := "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = $1"
		if d.Dialect == db.Postgres {
			q = "SELECT indexdef FROM pg_indexes WHERE indexname = $1"
		}
		var def string
		if err := d.R().QueryRowContext(ctx, q, strings.TrimSpace(name)).Scan(&def); err != nil {
			return fmt.Errorf("--without %s: %w", name, err)
		}
		if _, err := d.Exec(ctx, "DROP INDEX "+strings.TrimSpace(name)); err != nil {
			return err
		}
		defs = append(defs, def)
	}
	fmt.Fprintf(out, "\n%s without %s:\n", side.name, o.without)
	without := &reportSide{name: side.name, version: side.version + " without " + o.without, target: side.target}
	err = measure(without)
	side.without = without
	for _, def := range defs {
		if _, rerr := d.Exec(ctx, def); rerr != nil && err == nil {
			err = rerr
		}
	}
	if d.Dialect == db.Postgres && err == nil {
		_, err = d.Exec(ctx, "VACUUM ANALYZE measures")
	}
	return err
}

func reportsPostgres(ctx context.Context, o options, spec nationalSpec, out io.Writer) (*reportSide, []capturedStatement, error) {
	fmt.Fprintf(out, "\n== PostgreSQL: starting a throwaway cluster\n")
	c, err := startCluster(false)
	if err != nil {
		return nil, nil, err
	}
	defer c.stop()
	url, err := c.createDatabase(ctx, "oikos_reports")
	if err != nil {
		return nil, nil, err
	}
	d, err := openMigrated(ctx, url)
	if err != nil {
		return nil, nil, err
	}
	side := &reportSide{name: "PostgreSQL", target: 2 * time.Second}
	d.R().QueryRowContext(ctx, "SHOW server_version").Scan(&side.version)
	if f := strings.Fields(side.version); len(f) > 0 {
		side.version = f[0]
	}
	sink, err := newPGSink(ctx, url)
	if err != nil {
		d.Close()
		return nil, nil, err
	}
	counts, err := generateNationalProfiled(ctx, d, sink, spec, out, o.cpuprofile)
	sink.close()
	if err != nil {
		d.Close()
		return nil, nil, err
	}
	if o.setup != "" {
		b, err := os.ReadFile(o.setup)
		if err == nil {
			start := time.Now()
			_, err = d.Exec(ctx, string(b))
			fmt.Fprintf(out, "ran %s in %.1fs\n", o.setup, time.Since(start).Seconds())
		}
		if err != nil {
			d.Close()
			return nil, nil, fmt.Errorf("--setup: %w", err)
		}
	}
	start := time.Now()
	if _, err := d.Exec(ctx, "VACUUM ANALYZE"); err != nil {
		d.Close()
		return nil, nil, err
	}
	fmt.Fprintf(out, "VACUUM ANALYZE (what autovacuum does after a bulk load): %.1fs\n", time.Since(start).Seconds())
	var size string
	d.R().QueryRowContext(ctx, "SELECT pg_size_pretty(pg_database_size(current_database()))").Scan(&size)
	d.Close()
	m := markerOf(spec, counts)
	m.describe(out)
	fmt.Fprintf(out, "database size: %s\n", size)
	token, err := benchToken(ctx, url, benchManagerID)
	if err != nil {
		return nil, nil, err
	}
	from, to := reportPeriod(spec.now)
	fresh := func() error {
		if err := c.restart(); err != nil {
			return err
		}
		return dropCaches()
	}
	if err := reportRounds(ctx, o, side, url, token, from, to, fresh, c, out); err != nil {
		return side, nil, err
	}
	err = withoutIndexes(ctx, o, url, side, out, func(without *reportSide) error {
		return reportRounds(ctx, o, without, url, token, from, to, fresh, c, out)
	})
	if err != nil {
		return side, nil, err
	}
	if o.try != "" {
		if err := tryStatement(ctx, o, url, spec.now, fresh, out); err != nil {
			return side, nil, err
		}
	}
	if !o.explain {
		return side, nil, nil
	}
	captured, err := explainPostgres(ctx, c, url, token, from, to, out)
	return side, captured, err
}

// tryStatement times another way to write one of the report's statements
// (each file's SQL, PostgreSQL's form, with $1 = 'swemwbs', $2 and $3 the
// year's bounds in milliseconds) from cold and warm, and shows its plan.
func tryStatement(ctx context.Context, o options, url string, now time.Time, fresh func() error, out io.Writer) error {
	for _, file := range strings.Split(o.try, ",") {
		if err := tryFile(ctx, file, url, now, fresh, out); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
	}
	return nil
}

func tryFile(ctx context.Context, file, url string, now time.Time, fresh func() error, out io.Writer) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	q := strings.TrimSpace(string(b))
	from, to := reportPeriod(now)
	f, _ := time.Parse(time.DateOnly, from)
	t, _ := time.Parse(time.DateOnly, to)
	args := []any{"swemwbs", db.Millis(f), db.Millis(t.AddDate(0, 0, 1))}
	fresh()
	d, err := db.Open(ctx, url)
	if err != nil {
		return err
	}
	defer d.Close()
	explain := "EXPLAIN (ANALYZE, BUFFERS) "
	if d.Dialect == db.SQLite {
		q, explain = toSQLite(q), "EXPLAIN QUERY PLAN "
	}
	fmt.Fprintf(out, "\n== %s: trying %s\n%s\n", d.Dialect, file, q)
	for i := range 3 {
		start := time.Now()
		var vals [4]any
		if err := d.R().QueryRowContext(ctx, q, args...).Scan(&vals[0], &vals[1], &vals[2], &vals[3]); err != nil {
			return err
		}
		what := "warm"
		if i == 0 {
			what = "cold"
		}
		fmt.Fprintf(out, "%s: %ss -> %v\n", what, secs(time.Since(start)), vals)
	}
	rows, err := d.R().QueryContext(ctx, explain+q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		fmt.Fprintf(out, "%v\n", vals[len(vals)-1])
	}
	return rows.Err()
}

// benchToken makes an API token for one of the dataset's users.
func benchToken(ctx context.Context, url, userID string) (string, error) {
	d, err := db.Open(ctx, url)
	if err != nil {
		return "", err
	}
	defer d.Close()
	token, _, err := benchApp(d, app.Config{}).Auth.CreateToken(ctx, auth.Actor{UserID: "system", Client: "oikos-bench"}, userID, "oikos-bench")
	return token, err
}

// reportRounds runs o.rounds cold requests, each from a new server process
// after fresh() (which empties what caches it can), then o.warm more on
// the last one.
func reportRounds(ctx context.Context, o options, side *reportSide, url, token, from, to string, fresh func() error, c *cluster, out io.Writer) error {
	return reportRoundsAt(ctx, o, side, url, token, "/api/v1/reports/summary?from="+from+"&to="+to, fresh, c, out)
}

// reportRoundsAt is reportRounds for the report at path.
func reportRoundsAt(ctx context.Context, o options, side *reportSide, url, token, path string, fresh func() error, c *cluster, out io.Writer) error {
	for round := range o.rounds {
		if err := fresh(); err != nil {
			if side.coldNote == "" {
				side.coldNote = err.Error()
				fmt.Fprintf(out, "%s\n", err)
			}
		}
		srv, err := startServer(ctx, url)
		if err != nil {
			return err
		}
		t, body, err := timedGet(ctx, srv, c, path, token)
		if err != nil {
			srv.stop()
			return err
		}
		side.cold = append(side.cold, t)
		fmt.Fprintf(out, "%s cold %d: GET %s: %ss (server CPU %ss", side.name, round+1, path, secs(t.wall), secs(t.serverCPU))
		if c != nil {
			fmt.Fprintf(out, ", PostgreSQL CPU %ss", secs(t.dbCPU))
		}
		fmt.Fprintf(out, "), %d bytes, load %s\n", t.bytes, loadAverage())
		if round == 0 {
			fmt.Fprintf(out, "answer: %s\n", clip(body, 1500))
		}
		if round == o.rounds-1 {
			for i := range o.warm {
				t, _, err := timedGet(ctx, srv, c, path, token)
				if err != nil {
					srv.stop()
					return err
				}
				side.warm = append(side.warm, t)
				fmt.Fprintf(out, "%s warm %d: %ss (server CPU %ss", side.name, i+1, secs(t.wall), secs(t.serverCPU))
				if c != nil {
					fmt.Fprintf(out, ", PostgreSQL CPU %ss", secs(t.dbCPU))
				}
				fmt.Fprintf(out, ")\n")
			}
		}
		srv.stop()
	}
	return nil
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// timedGet sends one authorised GET and times it, with the CPU the server
// process (and the cluster, if any) spent meanwhile.
func timedGet(ctx context.Context, srv *server, c *cluster, path, token string) (reportTiming, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.base+path, nil)
	if err != nil {
		return reportTiming{}, "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	client := &http.Client{Timeout: 10 * time.Minute}
	cpu0, db0 := srv.cpu(), time.Duration(0)
	if c != nil {
		db0 = clusterCPU(c)
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return reportTiming{}, "", err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	t := reportTiming{wall: time.Since(start), serverCPU: srv.cpu() - cpu0, bytes: len(body)}
	if c != nil {
		t.dbCPU = clusterCPU(c) - db0
	}
	if err != nil {
		return t, "", err
	}
	if resp.StatusCode != http.StatusOK {
		return t, "", fmt.Errorf("GET %s: %s: %s", path, resp.Status, clip(strings.TrimSpace(string(body)), 500))
	}
	return t, string(body), nil
}

// capturedStatement is one statement PostgreSQL logged while answering
// the report, with its parameters and how long it took there.
type capturedStatement struct {
	took   time.Duration
	sql    string
	params []string
	plan   string
}

// explainPostgres turns on auto_explain (plans with ANALYZE and BUFFERS of
// every statement over 20 ms) and statement logging with parameters, asks
// for the report once more from cold, and prints the slowest statements
// with their plans. The timings of this run include auto_explain's own
// overhead and are not the benchmark's.
func explainPostgres(ctx context.Context, c *cluster, url, token, from, to string, out io.Writer) ([]capturedStatement, error) {
	fmt.Fprintf(out, "\n== PostgreSQL: plans of the report's statements (auto_explain, ANALYZE, BUFFERS; cold)\n")
	// One session, so that the LOAD makes auto_explain's settings known.
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, err
	}
	for _, s := range []string{"LOAD 'auto_explain'", "ALTER SYSTEM SET session_preload_libraries = 'auto_explain'", "ALTER SYSTEM SET auto_explain.log_min_duration = '20ms'",
		"ALTER SYSTEM SET auto_explain.log_analyze = on", "ALTER SYSTEM SET auto_explain.log_buffers = on",
		"ALTER SYSTEM SET log_min_duration_statement = 0", "ALTER SYSTEM SET log_parameter_max_length = -1"} {
		if _, err := conn.Exec(ctx, s); err != nil {
			conn.Close(ctx)
			return nil, fmt.Errorf("%s: %w", s, err)
		}
	}
	conn.Close(ctx)
	logPath := filepath.Join(c.dir, "log")
	if err := c.restart(); err != nil {
		return nil, err
	}
	dropCaches()
	before, _ := os.Stat(logPath)
	srv, err := startServer(ctx, url)
	if err != nil {
		return nil, err
	}
	t, _, err := timedGet(ctx, srv, c, "/api/v1/reports/summary?from="+from+"&to="+to, token)
	srv.stop()
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "with auto_explain: %ss\n", secs(t.wall))
	f, err := os.Open(logPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if before != nil {
		f.Seek(before.Size(), io.SeekStart)
	}
	stmts := parsePGLog(f)
	slices.SortFunc(stmts, func(a, b capturedStatement) int { return int(b.took - a.took) })
	var total time.Duration
	for _, s := range stmts {
		total += s.took
	}
	fmt.Fprintf(out, "%d statements logged, %ss in all; the slowest:\n", len(stmts), secs(total))
	for i, s := range stmts {
		if i == 6 || s.took < 20*time.Millisecond {
			break
		}
		fmt.Fprintf(out, "\n-- %d. %s ms\n%s\n-- parameters: %s\n", i+1, strconv.FormatFloat(float64(s.took)/1e6, 'f', 1, 64),
			strings.TrimSpace(s.sql), strings.Join(s.params, ", "))
		if s.plan != "" {
			fmt.Fprintf(out, "%s\n", s.plan)
		}
	}
	return stmts, nil
}

var (
	logEntry    = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`)
	logDuration = regexp.MustCompile(`LOG:  duration: ([0-9.]+) ms  (?:execute [^:]*|statement): (.*)$`)
	logPlan     = regexp.MustCompile(`LOG:  duration: ([0-9.]+) ms  plan:$`)
	logParams   = regexp.MustCompile(`DETAIL:  [Pp]arameters: (.*)$`)
	logParam    = regexp.MustCompile(`\$\d+ = (NULL|'(?:[^']|'')*')`)
)

// parsePGLog reads the statements and auto_explain plans from a server
// log: an entry starts with a timestamp and runs on over the lines after.
func parsePGLog(r io.Reader) []capturedStatement {
	var entries []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Text()
		if logEntry.MatchString(line) || len(entries) == 0 {
			entries = append(entries, line)
		} else {
			entries[len(entries)-1] += "\n" + line
		}
	}
	var out []capturedStatement
	var plans []string
	// Parameters belong to the entry just before them: a statement's, or
	// a parse or bind step's, which is not kept.
	afterStatement := false
	for _, e := range entries {
		first, rest, _ := strings.Cut(e, "\n")
		wasStatement := afterStatement
		afterStatement = false
		switch {
		case logPlan.MatchString(first):
			plans = append(plans, rest)
		case logDuration.MatchString(first):
			afterStatement = true
			m := logDuration.FindStringSubmatch(first)
			ms, _ := strconv.ParseFloat(m[1], 64)
			sql := m[2]
			if rest != "" {
				sql += "\n" + rest
			}
			out = append(out, capturedStatement{took: time.Duration(ms * 1e6), sql: sql})
		case logParams.MatchString(first) && wasStatement:
			m := logParams.FindStringSubmatch(first)
			for _, p := range logParam.FindAllStringSubmatch(m[1], -1) {
				out[len(out)-1].params = append(out[len(out)-1].params, p[1])
			}
		}
	}
	// auto_explain logs a plan just before the statement's duration line;
	// pair them by the query text the plan carries.
	for _, p := range plans {
		for i := range out {
			if out[i].plan == "" && strings.Contains(p, firstLine(out[i].sql)) {
				out[i].plan = p
				break
			}
		}
	}
	return out
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(l)
}

// paramValue turns a logged parameter back into a value: NULL, or the
// quoted text (numbers are passed as text; SQLite compares by affinity).
func paramValue(p string) any {
	if p == "NULL" {
		return nil
	}
	s := strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(p, "'"), "'"), "''", "'")
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	return s
}

// pgJSONScore is how the report reads a score on PostgreSQL; toSQLite
// writes it as the report does on SQLite.
var pgJSONScore = regexp.MustCompile(`\(([A-Za-z_.]+)::json->>'([a-z_]+)'\)::float8`)

func toSQLite(q string) string { return pgJSONScore.ReplaceAllString(q, "json_extract($1, '$$.$2')") }

func paramValues(params []string) []any {
	args := make([]any, len(params))
	for i, p := range params {
		args[i] = paramValue(p)
	}
	return args
}

// explainSQLite runs the statements PostgreSQL logged for the report on
// the SQLite dataset, cold, timing each and showing the plans of the
// slowest.
func explainSQLite(ctx context.Context, path string, stmts []capturedStatement, out io.Writer) error {
	fmt.Fprintf(out, "\n== SQLite: the report's statements as PostgreSQL logged them, timed on SQLite from cold, with EXPLAIN QUERY PLAN\n")
	dropCaches()
	conn, err := sql.Open("sqlite", "file:"+path+"?_pragma=query_only(1)&_pragma=mmap_size(268435456)")
	if err != nil {
		return err
	}
	defer conn.Close()
	type timed struct {
		s    capturedStatement
		took time.Duration
		err  error
	}
	var runs []timed
	seen := map[string]bool{}
	for _, s := range stmts {
		text := toSQLite(strings.TrimSpace(s.sql))
		s.sql = text
		if seen[text] || !isReportQuery(text) {
			continue
		}
		seen[text] = true
		start := time.Now()
		err := drain(ctx, conn, text, paramValues(s.params))
		runs = append(runs, timed{s, time.Since(start), err})
	}
	slices.SortFunc(runs, func(a, b timed) int { return int(b.took - a.took) })
	var total time.Duration
	for _, r := range runs {
		total += r.took
	}
	fmt.Fprintf(out, "%d statements, %ss in all on SQLite; the slowest:\n", len(runs), secs(total))
	for i, r := range runs {
		if i == 6 {
			break
		}
		fmt.Fprintf(out, "\n-- %d. %s ms on SQLite (%s ms on PostgreSQL)\n%s\n", i+1, strconv.FormatFloat(float64(r.took)/1e6, 'f', 1, 64),
			strconv.FormatFloat(float64(r.s.took)/1e6, 'f', 1, 64), strings.TrimSpace(r.s.sql))
		if r.err != nil {
			fmt.Fprintf(out, "-- does not run on SQLite as logged: %v\n", r.err)
			continue
		}
		plan, err := queryPlan(ctx, conn, strings.TrimSpace(r.s.sql), paramValues(r.s.params))
		if err != nil {
			fmt.Fprintf(out, "-- EXPLAIN QUERY PLAN: %v\n", err)
			continue
		}
		fmt.Fprintf(out, "%s", plan)
	}
	return nil
}

// isReportQuery leaves out what every request does (sessions, tokens,
// the audit log).
func isReportQuery(q string) bool {
	l := strings.ToLower(q)
	if !strings.HasPrefix(l, "select") && !strings.HasPrefix(l, "with") {
		return false
	}
	for _, skip := range []string{"api_tokens", "sessions", "audit_log", "audit_events", "users u", "from users"} {
		if strings.Contains(l, skip) {
			return false
		}
	}
	return true
}

func drain(ctx context.Context, conn *sql.DB, q string, args []any) error {
	rows, err := conn.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	for i := range vals {
		vals[i] = new(any)
	}
	for rows.Next() {
		if err := rows.Scan(vals...); err != nil {
			return err
		}
	}
	return rows.Err()
}

// queryPlan renders SQLite's EXPLAIN QUERY PLAN as an indented tree.
func queryPlan(ctx context.Context, conn *sql.DB, q string, args []any) (string, error) {
	rows, err := conn.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	depth := map[int64]int{}
	var b strings.Builder
	for rows.Next() {
		var id, parent, unused int64
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return "", err
		}
		depth[id] = depth[parent] + 1
		fmt.Fprintf(&b, "%s%s\n", strings.Repeat("  ", depth[id]), detail)
	}
	return b.String(), rows.Err()
}
