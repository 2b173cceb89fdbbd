package main

// The triage queue at scale: --mode triage adds o.waiting referrals
// waiting for triage in the scheme (received over the last 60 days, one
// in ten urgent, assigned to nobody) and half as many in a second scheme
// to a national background of referrals (national.go), then times GET
// /referrals as one of the scheme's link workers sees it, with their
// browser session, one request at a time from a new server process
// (page.go).

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"time"

	"oikos/internal/db"
)

// benchLinkWorkerID is the first of the national dataset's link workers.
const benchLinkWorkerID = "usr_benchlw00000"

func runTriage(ctx context.Context, o options, dbs []string, out io.Writer) error {
	fmt.Fprintf(out, "Oikos triage benchmark: %d referrals waiting in the scheme (and %d in another), over a background of %d referrals; %d requests of GET /referrals one at a time as a link worker; %d CPUs, %s, load %s\n",
		o.waiting, o.waiting/2, o.national, o.requests, runtime.NumCPU(), runtime.Version(), loadAverage())
	spec := nationalSpec{referrals: o.national, services: o.services, seed: o.seed, now: time.Now().UTC().Truncate(24 * time.Hour), waiting: o.waiting}
	file := fmt.Sprintf("triage-%d-%d-%d-seed%d.db", o.waiting, spec.referrals, spec.services, spec.seed)
	var sides []*pageSide
	for _, which := range dbs {
		if err := ctx.Err(); err != nil {
			return err
		}
		url, c, side, done, err := nationalDB(ctx, o, spec, which, file, func(context.Context, *db.DB) error { return nil }, out)
		if err == nil {
			if err = countWaiting(ctx, url, out); err == nil {
				err = timePage(ctx, side, url, c, benchLinkWorkerID, "/referrals", o.requests, out)
			}
			done()
		}
		if err != nil {
			return fmt.Errorf("%s: %w", which, err)
		}
		sides = append(sides, side)
	}
	fmt.Fprintf(out, "\n== Summary: GET /referrals (triage) with %d referrals waiting in the link worker's scheme, %d requests one at a time (load average now %s)\n",
		o.waiting, o.requests, loadAverage())
	printPageSummary(out, sides, 100*time.Millisecond)
	return nil
}

// countWaiting says how many referrals wait in each scheme, urgent or not.
func countWaiting(ctx context.Context, url string, out io.Writer) error {
	d, err := db.Open(ctx, url)
	if err != nil {
		return err
	}
	defer d.Close()
	rows, err := d.R().QueryContext(ctx, `SELECT scheme_id, urgency, COUNT(*) FROM referrals WHERE status = 'received' AND assigned_to IS NULL
		GROUP BY scheme_id, urgency ORDER BY scheme_id, urgency`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var scheme, urgency string
		var n int
		if err := rows.Scan(&scheme, &urgency, &n); err != nil {
			return err
		}
		fmt.Fprintf(out, "waiting for triage in %s: %d %s\n", scheme, n, urgency)
	}
	return rows.Err()
}
