package main

// What the page benchmarks share (caseload.go, triage.go): a national
// dataset with more made on top of it through the application's stores,
// generated once into --dir and reused on SQLite, anew on a throwaway
// PostgreSQL cluster with durable commits; and a page timed one request
// at a time, with a signed-in user's browser session, from a new server
// process, so that server time is the latency on loopback.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"oikos/internal/app"
	"oikos/internal/auth"
	"oikos/internal/db"
)

// pageSide is one database's measurements of a page.
type pageSide struct {
	name, version string
	// latencies are sorted.
	latencies     []time.Duration
	cpuPerRequest time.Duration
	// links is how many links to referrals the page had.
	links int
}

// nationalDB makes the dataset of spec, with extra made on it, on one
// database (which: sqlite or postgres), and returns its URL, the
// throwaway cluster on PostgreSQL (for its CPU time), the side to fill,
// and what to call when done with it. file names the SQLite file in
// o.dir, kept with a marker beside it and reused next time.
func nationalDB(ctx context.Context, o options, spec nationalSpec, which, file string, extra func(context.Context, *db.DB) error,
	out io.Writer) (url string, c *cluster, side *pageSide, done func(), err error) {
	if which == "sqlite" {
		url, side, err = pageSQLite(ctx, o, spec, file, extra, out)
		return url, nil, side, func() {}, err
	}
	fmt.Fprintf(out, "\n== PostgreSQL: starting a throwaway cluster with durable commits\n")
	if c, err = startCluster(true); err != nil {
		return "", nil, nil, nil, err
	}
	defer func() {
		if err != nil {
			c.stop()
		}
	}()
	if url, err = c.createDatabase(ctx, "oikos_bench_page"); err != nil {
		return "", nil, nil, nil, err
	}
	d, err := openMigrated(ctx, url)
	if err != nil {
		return "", nil, nil, nil, err
	}
	defer d.Close()
	side = &pageSide{name: "PostgreSQL"}
	d.R().QueryRowContext(ctx, "SHOW server_version").Scan(&side.version)
	if f := strings.Fields(side.version); len(f) > 0 {
		side.version = f[0]
	}
	sink, err := newPGSink(ctx, url)
	if err != nil {
		return "", nil, nil, nil, err
	}
	counts, err := generateNational(ctx, d, sink, spec, out)
	sink.close()
	if err != nil {
		return "", nil, nil, nil, err
	}
	if err := extra(ctx, d); err != nil {
		return "", nil, nil, nil, err
	}
	if _, err := d.Exec(ctx, "VACUUM ANALYZE"); err != nil {
		return "", nil, nil, nil, err
	}
	markerOf(spec, counts).describe(out)
	return url, c, side, c.stop, nil
}

func pageSQLite(ctx context.Context, o options, spec nationalSpec, file string, extra func(context.Context, *db.DB) error,
	out io.Writer) (string, *pageSide, error) {
	fmt.Fprintf(out, "\n== SQLite\n")
	path := o.dir + "/" + file
	var m nationalMarker
	if b, err := os.ReadFile(path + ".json"); err == nil && json.Unmarshal(b, &m) == nil {
		fmt.Fprintf(out, "reusing %s\n", path)
		d, err := openMigrated(ctx, "sqlite:"+path)
		if err != nil {
			return "", nil, err
		}
		d.Close()
	} else {
		for _, suffix := range []string{"", "-wal", "-shm", ".json"} {
			os.Remove(path + suffix)
		}
		d, err := openMigrated(ctx, "sqlite:"+path)
		if err != nil {
			return "", nil, err
		}
		sink, err := newSQLiteSink(ctx, path)
		if err != nil {
			d.Close()
			return "", nil, err
		}
		counts, err := generateNational(ctx, d, sink, spec, out)
		if cerr := sink.close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = extra(ctx, d)
		}
		if err == nil {
			_, err = d.Exec(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
		}
		d.Close()
		if err != nil {
			return "", nil, err
		}
		m = markerOf(spec, counts)
		b, _ := json.MarshalIndent(m, "", "  ")
		if err := os.WriteFile(path+".json", b, 0o644); err != nil {
			return "", nil, err
		}
	}
	m.describe(out)
	side := &pageSide{name: "SQLite"}
	url := "sqlite:" + path
	if d, err := db.Open(ctx, url); err == nil {
		d.R().QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&side.version)
		d.Close()
	}
	return url, side, nil
}

// timePage signs userID in and times GET path from a new server process,
// requests times one at a time after 20 unmeasured, with the server's CPU
// time (and PostgreSQL's, when c is set) per request.
func timePage(ctx context.Context, side *pageSide, url string, c *cluster, userID, path string, requests int, out io.Writer) error {
	d, err := db.Open(ctx, url)
	if err != nil {
		return err
	}
	cookie, err := benchApp(d, app.Config{}).Auth.StartSession(ctx, userID, auth.StageFull, "oikos-bench")
	d.Close()
	if err != nil {
		return err
	}
	srv, err := startServer(ctx, url)
	if err != nil {
		return err
	}
	defer srv.stop()
	client := &http.Client{Timeout: time.Minute}
	get := func() (int, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.base+path, nil)
		if err != nil {
			return 0, err
		}
		req.AddCookie(&http.Cookie{Name: "oikos_session", Value: cookie})
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return 0, err
		}
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("GET %s: %s: %s", path, resp.Status, clip(string(body), 300))
		}
		return strings.Count(string(body), `href="/referrals/ref_`), nil
	}
	for range 20 {
		if _, err := get(); err != nil {
			return err
		}
	}
	cpu0, db0 := srv.cpu(), time.Duration(0)
	if c != nil {
		db0 = clusterCPU(c)
	}
	for range requests {
		start := time.Now()
		n, err := get()
		if err != nil {
			return err
		}
		side.latencies = append(side.latencies, time.Since(start))
		side.links = n
	}
	cpu := srv.cpu() - cpu0
	if c != nil {
		cpu += clusterCPU(c) - db0
	}
	side.cpuPerRequest = cpu / time.Duration(requests)
	slices.Sort(side.latencies)
	fmt.Fprintf(out, "%s: %d requests of GET %s, p50 %s ms, p95 %s ms; %d links to referrals on the page\n", side.name, len(side.latencies), path,
		ms(side.latencies[len(side.latencies)/2]), ms(side.latencies[len(side.latencies)*95/100]), side.links)
	return nil
}

// printPageSummary prints each side's figures against a target p95.
func printPageSummary(out io.Writer, sides []*pageSide, target time.Duration) {
	fmt.Fprintf(out, "%-18s %8s %8s %8s %8s %14s %6s  target p95 < %s ms\n", "", "p50 ms", "p95 ms", "p99 ms", "max ms", "CPU/request ms", "links",
		ms(target))
	for _, s := range sides {
		l := s.latencies
		pct := func(p float64) time.Duration { return l[min(len(l)-1, int(p*float64(len(l))))] }
		verdict := "meets"
		if pct(0.95) >= target {
			verdict = "MISSES"
		}
		fmt.Fprintf(out, "%-18s %8s %8s %8s %8s %14s %6d  %s\n", s.name+" "+s.version, ms(pct(0.5)), ms(pct(0.95)), ms(pct(0.99)), ms(l[len(l)-1]),
			ms(s.cpuPerRequest), s.links, verdict)
	}
	fmt.Fprintf(out, "CPU/request is the server process's CPU time (with PostgreSQL's backends on PostgreSQL) over all requests, divided by their number.\n")
}
