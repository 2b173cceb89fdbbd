package main

// --mode grants times the grants report and the citizen-led trend through
// the HTTP API over a national programme (grantbench.FillNational, the
// data the grant package's BenchmarkGrantsReport reads: three years of
// 20,000 services in 400 districts, 400 funded by 20 rounds' awards, and
// --national referrals each connected to a service), on each database:
// each route cold (a new server process, and on PostgreSQL a restarted
// cluster, after dropping the page cache where the machine lets us) in
// --rounds rounds, then --warm times on the last server. Target: under
// 1 s on PostgreSQL.

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"oikos"
	"oikos/internal/app"
	"oikos/internal/auth"
	"oikos/internal/grant/grantbench"
	"oikos/internal/org"
)

func runGrants(ctx context.Context, o options, dbs []string, out io.Writer) error {
	fmt.Fprintf(out, "Oikos grants benchmark: the grants report and the citizen-led trend for three years of a national programme (20,000 services, 400 funded, %d connections); %d cold round(s) and %d warm; %d CPUs, %s, load %s\n",
		o.national, o.rounds, o.warm, runtime.NumCPU(), runtime.Version(), loadAverage())
	type row struct {
		side, route string
		cold, warm  []time.Duration
	}
	var rows []*row
	for _, which := range dbs {
		if err := ctx.Err(); err != nil {
			return err
		}
		var url string
		var c *cluster
		drop := func() error {
			if !o.dropCache {
				return nil
			}
			return dropCaches()
		}
		fresh := drop
		if which == "sqlite" {
			path := filepath.Join(o.dir, "grants.db")
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(path + suffix)
			}
			url = "sqlite:" + path
			fmt.Fprintf(out, "\n== SQLite\n")
		} else {
			fmt.Fprintf(out, "\n== PostgreSQL: starting a throwaway cluster\n")
			var err error
			if c, err = startCluster(false); err != nil {
				return err
			}
			defer c.stop()
			if url, err = c.createDatabase(ctx, "oikos_grants"); err != nil {
				return err
			}
			fresh = func() error {
				if err := c.restart(); err != nil {
					return err
				}
				return drop()
			}
		}
		managerID, err := fillGrants(ctx, url, o.national, out)
		if err != nil {
			return fmt.Errorf("%s: %w", which, err)
		}
		token, err := benchToken(ctx, url, managerID)
		if err != nil {
			return err
		}
		from := time.Now().AddDate(-3, 0, 0).Format(time.DateOnly)
		routes := []string{"/api/v1/reports/grants?from=" + from, "/api/v1/reports/citizen-led?from=" + from}
		mine := make([]*row, len(routes))
		for i, r := range routes {
			mine[i] = &row{side: which, route: r}
		}
		rows = append(rows, mine...)
		for round := range o.rounds {
			if err := fresh(); err != nil && round == 0 {
				fmt.Fprintf(out, "(not quite cold: %v)\n", err)
			}
			srv, err := startServer(ctx, url)
			if err != nil {
				return err
			}
			for i, path := range routes {
				t, body, err := timedGet(ctx, srv, c, path, token)
				if err != nil {
					srv.stop()
					return err
				}
				mine[i].cold = append(mine[i].cold, t.wall)
				fmt.Fprintf(out, "%s cold %d: GET %s: %ss (server CPU %ss", which, round+1, path, secs(t.wall), secs(t.serverCPU))
				if c != nil {
					fmt.Fprintf(out, ", PostgreSQL CPU %ss", secs(t.dbCPU))
				}
				fmt.Fprintf(out, "), %d bytes, load %s\n", t.bytes, loadAverage())
				if round == 0 {
					fmt.Fprintf(out, "answer: %s\n", clip(body, 400))
				}
			}
			if round == o.rounds-1 {
				for range o.warm {
					for i, path := range routes {
						t, _, err := timedGet(ctx, srv, c, path, token)
						if err != nil {
							srv.stop()
							return err
						}
						mine[i].warm = append(mine[i].warm, t.wall)
					}
				}
			}
			srv.stop()
		}
	}
	fmt.Fprintf(out, "\n== Summary (load average now %s)\n%-9s %-60s %9s %9s %9s\n", loadAverage(), "", "route", "cold s", "worst s", "warm s")
	for _, r := range rows {
		warm := "-"
		if len(r.warm) > 0 {
			warm = secs(slices.Min(r.warm))
		}
		verdict := ""
		if r.side == "postgres" {
			verdict = "meets 1 s"
			if mid := medianDur(r.cold); mid >= time.Second {
				verdict = "MISSES 1 s"
			}
		}
		fmt.Fprintf(out, "%-9s %-60s %9s %9s %9s  %s\n", r.side, clip(r.route, 60), secs(medianDur(r.cold)), secs(slices.Max(r.cold)), warm, verdict)
	}
	fmt.Fprintf(out, "cold s is the median over the cold rounds, warm s the best warm request; the 2 CPUs are shared with other work.\n")
	return nil
}

func medianDur(ts []time.Duration) time.Duration {
	s := slices.Clone(ts)
	slices.Sort(s)
	return s[len(s)/2]
}

// fillGrants makes a scheme, its manager, a link worker and a provider
// with its organisation, writes the national programme for them, and
// answers the manager's id.
func fillGrants(ctx context.Context, url string, connections int, out io.Writer) (string, error) {
	d, err := openMigrated(ctx, url)
	if err != nil {
		return "", err
	}
	defer d.Close()
	a := app.New(d, app.Config{Quiet: true})
	system := oikos.Actor{UserID: "system", Client: "bench"}
	scheme, err := a.Orgs.Create(ctx, system, org.Input{Name: "Bench Scheme", Kind: "scheme"})
	if err != nil {
		return "", err
	}
	group, err := a.Orgs.Create(ctx, system, org.Input{Name: "Bench Group", Kind: "vcse"})
	if err != nil {
		return "", err
	}
	user := func(role auth.Role, email, orgID string) (string, error) {
		u, err := a.Auth.CreateUser(ctx, system, auth.UserInput{Email: email, Name: string(role), Role: role, OrganisationID: orgID}, "")
		return u.ID, err
	}
	var ids [3]string
	for i, u := range []struct {
		role         auth.Role
		email, orgID string
	}{{auth.Manager, "manager@bench.example", scheme.ID}, {auth.LinkWorker, "worker@bench.example", scheme.ID}, {auth.Provider, "provider@bench.example", group.ID}} {
		if ids[i], err = user(u.role, u.email, u.orgID); err != nil {
			return "", err
		}
	}
	began := time.Now()
	if err := grantbench.FillNational(ctx, d, grantbench.Options{Connections: connections, SchemeID: scheme.ID, ManagerID: ids[0], WorkerID: ids[1],
		ProviderID: ids[2]}); err != nil {
		return "", err
	}
	fmt.Fprintf(out, "national programme written in %s\n", time.Since(began).Round(time.Millisecond))
	return ids[0], nil
}
