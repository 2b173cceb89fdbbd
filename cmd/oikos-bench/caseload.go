package main

// A link worker's caseload page at scale: a national background of
// referrals (national.go, smaller by default) and one link worker with
// o.referrals people in their care, each made through the application's
// own stores as a link worker's day makes them: referred, assigned,
// contacted, most with a what-matters conversation and a plan with dated
// steps, many connected to services that answered and where they attended.
// Then GET /caseload with the worker's browser session, one request at a
// time from a new server process: server time is the latency on loopback.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"oikos/cmd/oikos-bench/synthetic"
	"oikos/internal/app"
	"oikos/internal/auth"
	"oikos/internal/casework"
	"oikos/internal/connection"
	"oikos/internal/db"
	"oikos/internal/referral"
	"oikos/internal/taxonomy"
)

// The benched link worker's email, by which they are found again.
const benchCaseworkerEmail = "caseload.worker@bench.example"

func caseworkerID(ctx context.Context, d *db.DB) (string, error) {
	var id string
	err := d.R().QueryRowContext(ctx, "SELECT id FROM users WHERE email = $1", benchCaseworkerEmail).Scan(&id)
	return id, err
}

type caseloadSide struct {
	name, version string
	latencies     []time.Duration
	cpuPerRequest time.Duration
	rows          int
}

func runCaseload(ctx context.Context, o options, dbs []string, out io.Writer) error {
	fmt.Fprintf(out, "Oikos caseload benchmark: one link worker with %d people in their care, over a background of %d referrals and %d services; %d requests of GET /caseload one at a time; %d CPUs, %s, load %s\n",
		o.referrals, o.national, o.services, o.requests, runtime.NumCPU(), runtime.Version(), loadAverage())
	spec := nationalSpec{referrals: o.national, services: o.services, seed: o.seed, now: time.Now().UTC().Truncate(24 * time.Hour)}
	var sides []*caseloadSide
	for _, which := range dbs {
		if err := ctx.Err(); err != nil {
			return err
		}
		var side *caseloadSide
		var err error
		if which == "sqlite" {
			side, err = caseloadSQLite(ctx, o, spec, out)
		} else {
			side, err = caseloadPostgres(ctx, o, spec, out)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", which, err)
		}
		sides = append(sides, side)
	}
	fmt.Fprintf(out, "\n== Summary: GET /caseload, %d people in the worker's care, %d requests one at a time (load average now %s)\n", o.referrals, o.requests, loadAverage())
	fmt.Fprintf(out, "%-18s %8s %8s %8s %8s %14s %6s  %s\n", "", "p50 ms", "p95 ms", "p99 ms", "max ms", "CPU/request ms", "rows", "target p95 < 50 ms")
	for _, s := range sides {
		l := s.latencies
		pct := func(p float64) time.Duration { return l[min(len(l)-1, int(p*float64(len(l))))] }
		verdict := "meets"
		if pct(0.95) >= 50*time.Millisecond {
			verdict = "MISSES"
		}
		fmt.Fprintf(out, "%-18s %8s %8s %8s %8s %14s %6d  %s\n", s.name+" "+s.version, ms(pct(0.5)), ms(pct(0.95)), ms(pct(0.99)), ms(l[len(l)-1]),
			ms(s.cpuPerRequest), s.rows, verdict)
	}
	fmt.Fprintf(out, "CPU/request is the server process's CPU time (with PostgreSQL's backends on PostgreSQL) over all requests, divided by their number.\n")
	return nil
}

func caseloadSQLite(ctx context.Context, o options, spec nationalSpec, out io.Writer) (*caseloadSide, error) {
	fmt.Fprintf(out, "\n== SQLite\n")
	path := fmt.Sprintf("%s/caseload-%d-%d-%d-seed%d.db", o.dir, o.referrals, spec.referrals, spec.services, spec.seed)
	var m nationalMarker
	if b, err := os.ReadFile(path + ".json"); err == nil && json.Unmarshal(b, &m) == nil {
		fmt.Fprintf(out, "reusing %s\n", path)
		d, err := openMigrated(ctx, "sqlite:"+path)
		if err != nil {
			return nil, err
		}
		d.Close()
	} else {
		for _, suffix := range []string{"", "-wal", "-shm", ".json"} {
			os.Remove(path + suffix)
		}
		d, err := openMigrated(ctx, "sqlite:"+path)
		if err != nil {
			return nil, err
		}
		sink, err := newSQLiteSink(ctx, path)
		if err != nil {
			d.Close()
			return nil, err
		}
		counts, err := generateNational(ctx, d, sink, spec, out)
		if cerr := sink.close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = addCaseload(ctx, d, o, out)
		}
		if err == nil {
			_, err = d.Exec(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
		}
		d.Close()
		if err != nil {
			return nil, err
		}
		m = markerOf(spec, counts)
		b, _ := json.MarshalIndent(m, "", "  ")
		if err := os.WriteFile(path+".json", b, 0o644); err != nil {
			return nil, err
		}
	}
	m.describe(out)
	side := &caseloadSide{name: "SQLite"}
	url := "sqlite:" + path
	if d, err := db.Open(ctx, url); err == nil {
		d.R().QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&side.version)
		d.Close()
	}
	return side, caseloadRequests(ctx, o, side, url, nil, out)
}

func caseloadPostgres(ctx context.Context, o options, spec nationalSpec, out io.Writer) (*caseloadSide, error) {
	fmt.Fprintf(out, "\n== PostgreSQL: starting a throwaway cluster with durable commits\n")
	c, err := startCluster(true)
	if err != nil {
		return nil, err
	}
	defer c.stop()
	url, err := c.createDatabase(ctx, "oikos_caseload")
	if err != nil {
		return nil, err
	}
	d, err := openMigrated(ctx, url)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	side := &caseloadSide{name: "PostgreSQL"}
	d.R().QueryRowContext(ctx, "SHOW server_version").Scan(&side.version)
	if f := strings.Fields(side.version); len(f) > 0 {
		side.version = f[0]
	}
	sink, err := newPGSink(ctx, url)
	if err != nil {
		return nil, err
	}
	counts, err := generateNational(ctx, d, sink, spec, out)
	sink.close()
	if err != nil {
		return nil, err
	}
	if err := addCaseload(ctx, d, o, out); err != nil {
		return nil, err
	}
	if _, err := d.Exec(ctx, "VACUUM ANALYZE"); err != nil {
		return nil, err
	}
	markerOf(spec, counts).describe(out)
	return side, caseloadRequests(ctx, o, side, url, c, out)
}

// addCaseload gives one link worker o.referrals people, through the stores.
func addCaseload(ctx context.Context, d *db.DB, o options, out io.Writer) error {
	start := time.Now()
	setup := auth.Actor{UserID: "system", Client: "oikos-bench"}
	a := benchApp(d, app.Config{BaseURL: "http://127.0.0.1"})
	users := a.Auth
	u, err := users.CreateUser(ctx, setup, auth.UserInput{Email: benchCaseworkerEmail, Name: "Casey Worker", Role: auth.LinkWorker,
		OrganisationID: benchSchemeID}, "")
	if err != nil {
		return err
	}
	benchCaseworkerID := u.ID
	manager := referral.Actor{UserID: benchManagerID, Client: "oikos-bench"}
	worker := referral.Actor{UserID: benchCaseworkerID, Client: "oikos-bench"}
	refs, work, conns := a.Referrals, a.Casework, a.Connections
	r := rand.New(rand.NewPCG(uint64(o.seed), 0xca5e))
	districts := synthetic.Districts()
	var services []string
	rows, err := d.R().QueryContext(ctx, "SELECT id FROM services WHERE status = 'active' ORDER BY id LIMIT 2000")
	if err != nil {
		return err
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		services = append(services, id)
	}
	rows.Close()
	today := time.Now()
	connected := 0
	for i := range o.referrals {
		ref, err := refs.Create(ctx, manager, nextReferral(r, districts), "", "web")
		if err != nil {
			return fmt.Errorf("referral %d: %w", i, err)
		}
		if _, err := refs.Transition(ctx, manager, ref.ID, referral.Accepted, ""); err != nil {
			return err
		}
		if _, err := refs.Assign(ctx, manager, ref.ID, benchCaseworkerID); err != nil {
			return fmt.Errorf("assign %d: %w", i, err)
		}
		// One in eight is still waiting for a first contact.
		if r.IntN(8) == 0 {
			continue
		}
		for k := range 1 + r.IntN(5) {
			at := today.AddDate(0, 0, -7*k-r.IntN(7)).Format(time.DateOnly)
			in := casework.ContactInput{At: at, Mode: casework.ContactModes[r.IntN(len(casework.ContactModes))], DurationMinutes: 10 + r.IntN(50),
				Note: "Talked about how the week went."}
			// The first moves the referral on to contacted.
			if _, err := work.RecordContact(ctx, worker, ref.ID, in); err != nil {
				return fmt.Errorf("contact %d: %w", i, err)
			}
		}
		if r.IntN(10) < 2 {
			continue
		}
		conv := casework.ConversationInput{HeldAt: today.AddDate(0, 0, -r.IntN(30)).Format(time.DateOnly), Mode: "in_person",
			WhatMatters: "Getting out and meeting people again.", Strengths: []string{"Good with people"}, Interests: interestPhrases[r.IntN(len(interestPhrases))]}
		for _, code := range []string{taxonomy.Needs[r.IntN(len(taxonomy.Needs))].Code, taxonomy.Needs[r.IntN(len(taxonomy.Needs))].Code} {
			if !slices.ContainsFunc(conv.Needs, func(n casework.NeedInput) bool { return n.Code == code }) {
				conv.Needs = append(conv.Needs, casework.NeedInput{Code: code, Priority: 1 + r.IntN(3)})
			}
		}
		if _, err := work.RecordConversation(ctx, worker, ref.ID, conv); err != nil {
			return fmt.Errorf("conversation %d: %w", i, err)
		}
		if _, err := refs.Transition(ctx, worker, ref.ID, referral.Active, ""); err != nil {
			return err
		}
		if r.IntN(10) < 8 {
			var goals []casework.Goal
			for g := range 1 + r.IntN(3) {
				goal := casework.Goal{Text: fmt.Sprintf("Goal %d: get out of the house more", g+1), Progress: r.IntN(5)}
				for st := range 1 + r.IntN(3) {
					step := casework.Step{Text: fmt.Sprintf("Step %d: try the group on Tuesday", st+1), Owner: "person", Done: r.IntN(3) == 0}
					if r.IntN(2) == 0 {
						step.Due = today.AddDate(0, 0, r.IntN(60)-20).Format(time.DateOnly)
					}
					goal.Steps = append(goal.Steps, step)
				}
				goals = append(goals, goal)
			}
			if _, err := work.SavePlan(ctx, worker, ref.ID, goals); err != nil {
				return fmt.Errorf("plan %d: %w", i, err)
			}
		}
		for range r.IntN(4) {
			c, err := conns.Create(ctx, worker, ref.ID, connection.CreateInput{ServiceID: services[r.IntN(len(services))],
				Kind: []connection.Kind{"signpost", "active_signpost", "supported"}[r.IntN(3)]})
			if err != nil {
				return fmt.Errorf("connection %d: %w", i, err)
			}
			connected++
			switch r.IntN(4) {
			case 0: // no answer yet
			case 1:
				if _, err := conns.Decide(ctx, manager, c.ID, connection.Waitlisted, ""); err != nil {
					return fmt.Errorf("waitlist %d: %w", i, err)
				}
			default:
				if _, err := conns.Decide(ctx, manager, c.ID, connection.Accepted, ""); err != nil {
					return fmt.Errorf("accept %d: %w", i, err)
				}
				attended := r.IntN(3) != 0
				if _, err := conns.RecordAttendance(ctx, manager, c.ID, connection.AttendanceInput{Date: today.Format(time.DateOnly), Attended: &attended}); err != nil {
					return fmt.Errorf("attendance %d: %w", i, err)
				}
			}
		}
	}
	fmt.Fprintf(out, "the benched link worker's caseload: %d people, %d connections, made through the stores in %.1fs\n", o.referrals, connected,
		time.Since(start).Seconds())
	return nil
}

// caseloadRequests signs the worker in and times GET /caseload from a new
// server process, after a short warm-up.
func caseloadRequests(ctx context.Context, o options, side *caseloadSide, url string, c *cluster, out io.Writer) error {
	d, err := db.Open(ctx, url)
	if err != nil {
		return err
	}
	worker, err := caseworkerID(ctx, d)
	if err != nil {
		d.Close()
		return fmt.Errorf("the benched link worker: %w", err)
	}
	cookie, err := benchApp(d, app.Config{}).Auth.StartSession(ctx, worker, auth.StageFull, "oikos-bench")
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
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.base+"/caseload", nil)
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
			return 0, fmt.Errorf("GET /caseload: %s: %s", resp.Status, clip(string(body), 300))
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
	for range o.requests {
		start := time.Now()
		n, err := get()
		if err != nil {
			return err
		}
		side.latencies = append(side.latencies, time.Since(start))
		side.rows = n
	}
	cpu := srv.cpu() - cpu0
	if c != nil {
		cpu += clusterCPU(c) - db0
	}
	side.cpuPerRequest = cpu / time.Duration(o.requests)
	slices.Sort(side.latencies)
	fmt.Fprintf(out, "%s: %d requests, p50 %s ms, p95 %s ms; %d links to referrals on the page\n", side.name, len(side.latencies),
		ms(side.latencies[len(side.latencies)/2]), ms(side.latencies[len(side.latencies)*95/100]), side.rows)
	return nil
}
