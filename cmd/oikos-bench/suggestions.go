package main

// Suggestions under load: a synthetic national directory, a few hundred
// people referred from all over the country, each with a what-matters
// conversation (needs at their priorities, interests in their own words)
// and a third with preferences, then clients GET
// /api/v1/referrals/{id}/suggestions over loopback HTTP with a manager's
// bearer token. Every request is a real one: the person's needs are read,
// the directory queried around their home, the ranking run, unmet needs
// written and the read audited.

import (
	"bytes"
	"context"
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
	"strings"
	"time"

	"oikos/cmd/oikos-bench/synthetic"
	"oikos/internal/app"
	"oikos/internal/auth"
	"oikos/internal/casework"
	"oikos/internal/connection"
	"oikos/internal/db"
	"oikos/internal/directory"
	"oikos/internal/org"
	"oikos/internal/referral"
	"oikos/internal/taxonomy"
	"oikos/internal/web"
)

// interestPhrases are interests as people put them.
var interestPhrases = []string{"gardening", "walking the dog", "painting and drawing", "singing in a choir", "local history", "birdwatching",
	"knitting", "football", "cooking", "reading crime novels", "fishing", "dancing", "photography", "computers", "swimming", "woodwork",
	"chess and card games", "yoga", "allotment", "crafts", ""}

type suggestReport struct {
	opts                      options
	sqlite, pg                *result
	sqliteVersion, pgVersion  string
	referrals                 int
	meanConsidered, meanItems float64
}

func runSuggestions(ctx context.Context, o options, dbs []string, stdout io.Writer) error {
	fmt.Fprintf(stdout, "Oikos suggestions benchmark: %d services, %d referrals, %d clients, %s per run (after %s warm-up), %d CPUs, GOMAXPROCS %d, %s\n",
		o.services, o.referrals, o.clients, o.duration, o.warmup, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
	rep := &suggestReport{opts: o}
	for _, which := range dbs {
		if err := ctx.Err(); err != nil {
			return err
		}
		var url string
		var stop func()
		if which == "sqlite" {
			path := filepath.Join(o.dir, fmt.Sprintf("suggest-%d-seed%d.db", o.services, o.seed))
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(path + suffix)
			}
			url = "sqlite:" + path
			fmt.Fprintf(stdout, "\n== SQLite: %s\n", path)
		} else {
			fmt.Fprintf(stdout, "\n== PostgreSQL: starting a throwaway cluster with durable commits\n")
			c, err := startCluster(true)
			if err != nil {
				return err
			}
			stop = c.stop
			if url, err = c.createDatabase(ctx, "oikos_suggest"); err != nil {
				c.stop()
				return err
			}
		}
		res, err := suggestOn(ctx, url, which, o, stdout, rep)
		if stop != nil {
			stop()
		}
		if err != nil {
			return fmt.Errorf("%s: %w", which, err)
		}
		if which == "sqlite" {
			rep.sqlite = &res
		} else {
			rep.pg = &res
		}
	}
	rep.print(stdout)
	return nil
}

// suggestOn fills one database and measures suggestions on it.
func suggestOn(ctx context.Context, url, name string, o options, out io.Writer, rep *suggestReport) (result, error) {
	d, err := openMigrated(ctx, url)
	if err != nil {
		return result{}, err
	}
	defer d.Close()
	if name == "sqlite" {
		d.R().QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&rep.sqliteVersion)
	} else {
		d.R().QueryRowContext(ctx, "SHOW server_version").Scan(&rep.pgVersion)
		if f := strings.Fields(rep.pgVersion); len(f) > 0 {
			rep.pgVersion = f[0]
		}
	}
	if err := generate(ctx, d, o, out); err != nil {
		return result{}, err
	}
	token, ids, err := suggestPeople(ctx, d, o, out)
	if err != nil {
		return result{}, err
	}
	if d.Dialect == db.Postgres {
		if _, err := d.Exec(ctx, "VACUUM ANALYZE"); err != nil {
			return result{}, err
		}
	} else if _, err := d.Exec(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return result{}, err
	}
	rep.referrals = len(ids)

	srv, err := web.New(benchApp(d, app.Config{}), web.Config{})
	if err != nil {
		return result{}, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{}, err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	base := "http://" + ln.Addr().String() + "/api/v1/referrals/"
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: 4 * o.clients, MaxIdleConnsPerHost: 4 * o.clients, DisableCompression: true}}
	defer client.CloseIdleConnections()
	draw := func(r *rand.Rand) operation {
		id := ids[r.IntN(len(ids))]
		return operation{kind: "suggestions", run: func(ctx context.Context) (int, error) {
			return getSuggestions(ctx, client, base+id+"/suggestions", token)
		}}
	}

	label := "Oikos HTTP (" + name + ")"
	fmt.Fprintf(out, "%s: warming up for %s\n", label, o.warmup)
	if _, err := load(ctx, label, o.clients, o.warmup, o.seed+1000, draw); err != nil {
		return result{}, err
	}
	var stopProfile func()
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile + "-suggest-" + name + ".prof")
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
	res, err := load(ctx, label, o.clients, o.duration, o.seed, draw)
	if stopProfile != nil {
		stopProfile()
	}
	if err != nil {
		return result{}, err
	}
	res.unit = "suggestion lists"
	res.summary(out)
	st := res.stats("")
	fmt.Fprintf(out, "%s: %.1f suggestions a list on average; %.0f%% of lists empty\n", label, st.rows, 100*st.empty)
	var unmet int
	d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM unmet_needs").Scan(&unmet)
	fmt.Fprintf(out, "%s: %d unmet needs recorded (one per referral, need and day) for %d referrals\n", label, unmet, len(ids))
	return res, nil
}

// suggestPeople refers o.referrals people from districts all over the
// country, records a what-matters conversation for each and preferences
// for a third, and returns a manager's token and the referral ids.
func suggestPeople(ctx context.Context, d *db.DB, o options, out io.Writer) (string, []string, error) {
	start := time.Now()
	setup := auth.Actor{UserID: "system", Client: "oikos-bench"}
	a := benchApp(d, app.Config{})
	scheme, err := a.Orgs.Create(ctx, org.Actor(setup), org.Input{Name: "Bench Social Prescribing Scheme", Kind: "scheme"})
	if err != nil {
		return "", nil, err
	}
	users := a.Auth
	u, err := users.CreateUser(ctx, setup, auth.UserInput{Email: "manager@scheme.example", Name: "Scheme manager", Role: auth.Manager,
		OrganisationID: scheme.ID}, "")
	if err != nil {
		return "", nil, err
	}
	token, _, err := users.CreateToken(ctx, setup, u.ID, "oikos-bench")
	if err != nil {
		return "", nil, err
	}
	by := referral.Actor{UserID: u.ID, Client: "oikos-bench"}
	refs, work, sugg := a.Referrals, a.Casework, a.Suggester
	r := rand.New(rand.NewPCG(uint64(o.seed), 77))
	districts := synthetic.Districts()
	var ids []string
	for i := range o.referrals {
		in := nextReferral(r, districts)
		ref, err := refs.Create(ctx, by, in, "", "oikos-bench")
		if err != nil {
			return "", nil, fmt.Errorf("referral %d: %w", i, err)
		}
		if _, err := refs.Transition(ctx, by, ref.ID, referral.Accepted, ""); err != nil {
			return "", nil, err
		}
		conv := casework.ConversationInput{HeldAt: time.Now().Format(time.DateOnly), Mode: "phone", WhatMatters: "Getting out and meeting people.",
			Interests: interestPhrases[r.IntN(len(interestPhrases))]}
		for _, code := range in.Reasons {
			conv.Needs = append(conv.Needs, casework.NeedInput{Code: code, Priority: 1 + r.IntN(3)})
		}
		if extra := taxonomy.Needs[r.IntN(len(taxonomy.Needs))].Code; !slices.Contains(in.Reasons, extra) {
			conv.Needs = append(conv.Needs, casework.NeedInput{Code: extra, Priority: 1 + r.IntN(3)})
		}
		if _, err := work.RecordConversation(ctx, by, ref.ID, conv); err != nil {
			return "", nil, fmt.Errorf("conversation %d: %w", i, err)
		}
		if r.IntN(3) == 0 {
			km := []float64{2, 3, 5, 8, 10}[r.IntN(5)]
			p := connection.PreferencesInput{MaxKm: &km}
			for _, day := range directory.Days {
				if r.IntN(2) == 0 {
					p.Days = append(p.Days, day)
				}
			}
			if r.IntN(2) == 0 {
				p.Times = []string{connection.TimesOfDay[r.IntN(len(connection.TimesOfDay))].Code}
			}
			if r.IntN(3) == 0 {
				limit := int64(r.IntN(6) * 100)
				p.MaxCostPence = &limit
			}
			if r.IntN(4) == 0 {
				p.Accessibility = []string{connection.AccessNeeds[r.IntN(len(connection.AccessNeeds))].Code}
			}
			if _, err := sugg.SavePreferences(ctx, by, ref.ID, p); err != nil {
				return "", nil, fmt.Errorf("preferences %d: %w", i, err)
			}
		}
		ids = append(ids, ref.ID)
	}
	fmt.Fprintf(out, "referred %d people with conversations (a third with preferences) in %.1fs\n", len(ids), time.Since(start).Seconds())
	return token, ids, nil
}

// getSuggestions sends one request and counts the suggestions returned.
func getSuggestions(ctx context.Context, client *http.Client, url, token string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
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
		return 0, fmt.Errorf("GET %s: %s: %s", url, resp.Status, strings.TrimSpace(string(body)))
	}
	return bytes.Count(body, []byte(`"reasons":`)), nil
}

func (rep *suggestReport) print(out io.Writer) {
	fmt.Fprintf(out, "\n== Summary: GET /api/v1/referrals/{id}/suggestions, %d services, %d referrals, %d clients, %s\n",
		rep.opts.services, rep.referrals, rep.opts.clients, rep.opts.duration)
	fmt.Fprintf(out, "%-22s %10s %9s %9s %9s %9s\n", "", "lists/s", "p50 ms", "p95 ms", "p99 ms", "errors")
	for _, side := range []struct {
		name string
		res  *result
	}{{"SQLite " + rep.sqliteVersion, rep.sqlite}, {"PostgreSQL " + rep.pgVersion, rep.pg}} {
		if side.res == nil {
			continue
		}
		st := side.res.stats("")
		fmt.Fprintf(out, "%-22s %10.0f %9s %9s %9s %9d\n", side.name, st.perSecond, ms(st.p50), ms(st.p95), ms(st.p99), side.res.errors)
	}
	if rep.sqlite != nil {
		p95 := rep.sqlite.stats("").p95
		verdict := "meets"
		if p95 >= 50*time.Millisecond {
			verdict = "MISSES"
		}
		fmt.Fprintf(out, "Target: p95 under 50 ms on SQLite with %d clients: %s (%s ms)\n", rep.opts.clients, verdict, ms(p95))
	}
}
