package report

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/connection"
	"oikos/internal/db"
	"oikos/internal/outcome"
	"oikos/internal/referral"
)

// The summary report: what a scheme did in a period, for its managers and
// those who fund it. Every figure is an aggregate, counted in SQL; counts of
// people from 1 to 4 are hidden (see suppress.go).
//
// What each figure counts, for a period of whole days from..to (UTC, both
// included):
//   - referrals: those received in the period; by_status is where they stand
//     now; distinct_sources the organisations they came from;
//     median_days_to_first_contact over those contacted (to a tenth of a day).
//   - connections: those made in the period, by where they stand now;
//     partners_receiving the organisations they went to.
//   - outcomes: for each instrument, the pairs of a person's first baseline
//     and their latest review or exit measure recorded in the period (one
//     pair per referral); the means of the instrument's headline score
//     (outcome.Headline: ONS4 life satisfaction); improved is how many
//     pairs improved by at least the instrument's meaningful change
//     (outcome.Improved, when the measure was recorded), improved_share
//     that as a share of pairs.
//   - services: active directory entries on the last day, the citizen-led
//     among them, and those started in the period (their started_on date,
//     or when they were added where it is not known).
//
// Counts of organisations and services are not counts of people and are
// shown whatever their size. A mean or median over fewer than 5 people is
// hidden with the count it rests on.

// Period is the days a report covers, both included.
type Period struct {
	From, To time.Time
}

// MaxPeriod is the longest period a report covers.
const MaxPeriod = 10 // years

// ParsePeriod reads from and to (YYYY-MM-DD). A missing to is today; a
// missing from is a year before to (the last twelve months to that day).
// Problems are keyed "from" and "to".
func ParsePeriod(from, to string, now time.Time) (Period, error) {
	f := map[string]string{}
	var p Period
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	p.To = today
	if to = strings.TrimSpace(to); to != "" {
		t, err := time.Parse(time.DateOnly, to)
		if err != nil {
			f["to"] = "Enter the end date as YYYY-MM-DD, for example 2026-03-31."
		}
		p.To = t
	}
	p.From = p.To.AddDate(-1, 0, 1)
	if from = strings.TrimSpace(from); from != "" {
		t, err := time.Parse(time.DateOnly, from)
		if err != nil {
			f["from"] = "Enter the start date as YYYY-MM-DD, for example 2025-04-01."
		}
		p.From = t
	}
	if len(f) == 0 {
		switch {
		case p.From.After(p.To):
			f["from"] = "The start date must be on or before the end date."
		case p.To.After(p.From.AddDate(MaxPeriod, 0, 0)):
			f["to"] = fmt.Sprintf("A report covers at most %d years.", MaxPeriod)
		case p.From.Year() < 1900 || p.To.Year() > 9998:
			f["from"] = "Enter a date between 1900 and 9998."
		}
	}
	if len(f) > 0 {
		return Period{}, oikos.Invalid(f)
	}
	return p, nil
}

// bounds are the period's first and last instants, in milliseconds, the
// last one excluded.
func (p Period) bounds() (int64, int64) {
	return db.Millis(p.From), db.Millis(p.To.AddDate(0, 0, 1))
}

// Summary is the contract's summary report. Pointers are null when hidden
// (listed in Suppressed) or when there is nothing to measure.
type Summary struct {
	Period      PeriodJSON                 `json:"period"`
	Referrals   ReferralFigures            `json:"referrals"`
	Connections ConnectionFigures          `json:"connections"`
	Outcomes    map[string]*OutcomeFigures `json:"outcomes"`
	Services    ServiceFigures             `json:"services"`
	Suppressed  []string                   `json:"suppressed"`
}

// PeriodJSON is the period as the report shows it.
type PeriodJSON struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// ReferralFigures count the referrals received in the period.
type ReferralFigures struct {
	Total                    *int            `json:"total"`
	BySourceType             map[string]*int `json:"by_source_type"`
	DistinctSources          int             `json:"distinct_sources"`
	ByStatus                 map[string]*int `json:"by_status"`
	MedianDaysToFirstContact *float64        `json:"median_days_to_first_contact"`
	Contacted                *int            `json:"contacted"`
}

// ConnectionFigures count the connections made in the period.
type ConnectionFigures struct {
	Total             *int            `json:"total"`
	ByStatus          map[string]*int `json:"by_status"`
	PartnersReceiving int             `json:"partners_receiving"`
}

// OutcomeFigures compare baseline with latest on one instrument.
type OutcomeFigures struct {
	Score         string   `json:"score"`
	Pairs         *int     `json:"pairs"`
	BaselineMean  *float64 `json:"baseline_mean"`
	LatestMean    *float64 `json:"latest_mean"`
	MeanChange    *float64 `json:"mean_change"`
	Improved      *int     `json:"improved"`
	ImprovedShare *float64 `json:"improved_share"`
}

// ServiceFigures count directory entries (not people: never hidden).
type ServiceFigures struct {
	Total       int `json:"total"`
	CitizenLed  int `json:"citizen_led"`
	NewInPeriod int `json:"new_in_period"`
}

// Viewer is who reads a report: for the audit log, and for the scheme
// whose figures they see (a scheme's managers and commissioners see only
// its own; SchemeID is "" in a deployment without schemes).
type Viewer struct {
	UserID   string
	Client   string
	SchemeID string
}

// Summarise counts the summary report for a period, hides small numbers,
// and notes the read in the audit log (an aggregate, not a person's
// record, so one entry for the report).
func Summarise(ctx context.Context, d *db.DB, p Period, by Viewer) (*Summary, error) {
	s, err := summarise(ctx, d, p, by.SchemeID)
	if err != nil {
		return nil, err
	}
	if by.UserID != "" {
		err := audit.Record(ctx, d, audit.Event{ActorID: by.UserID, Action: audit.Read, ObjectKind: "report",
			ObjectID: "summary:" + s.Period.From + ".." + s.Period.To, Client: by.Client})
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

// raw holds the counts before disclosure control.
type raw struct {
	referrals, contacted      int
	bySource, byStatus        map[string]int
	distinctSources           int
	medianDays                float64
	connections               int
	connByStatus              map[string]int
	partners                  int
	outcomes                  map[string]rawOutcome
	services, citizenLed, new int
}

type rawOutcome struct {
	pairs, improved        int
	baselineSum, latestSum float64
}

func summarise(ctx context.Context, d *db.DB, p Period, scheme string) (*Summary, error) {
	r := raw{bySource: map[string]int{}, byStatus: map[string]int{}, connByStatus: map[string]int{}, outcomes: map[string]rawOutcome{}}
	err := d.ReadTx(ctx, func(tx *sql.Tx) error {
		// Grouping a year's organisations and sorting its waits to first
		// contact take a few megabytes each on PostgreSQL: in memory, not
		// in temporary files, for this transaction only.
		if err := d.Dialect.SetLocal(ctx, tx, "work_mem", "64MB"); err != nil {
			return err
		}
		for _, step := range []func(context.Context, *sql.Tx, db.Dialect, Period, string, *raw) error{
			countReferrals, countFirstContact, countConnections, countOutcomes, countServices,
		} {
			if err := step(ctx, tx, d.Dialect, p, scheme, &r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("summary report: %w", err)
	}
	return protect(p, r), nil
}

func countReferrals(ctx context.Context, tx *sql.Tx, d db.Dialect, p Period, scheme string, r *raw) error {
	from, to := p.bounds()
	rows, err := tx.QueryContext(ctx, `SELECT source_type, status, COUNT(*) FROM referrals
		WHERE scheme_id = $3 AND received_at >= $1 AND received_at < $2 GROUP BY source_type, status`, from, to, scheme)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var source, status string
		var n int
		if err := rows.Scan(&source, &status, &n); err != nil {
			return err
		}
		r.referrals += n
		r.bySource[source] += n
		r.byStatus[status] += n
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return tx.QueryRowContext(ctx, distinctSQL(d, "source_organisation_id", "referrals", "received_at"), from, to, scheme).Scan(&r.distinctSources)
}

// distinctSQL counts the distinct values of column in table's rows of
// scheme $3 with at in [$1, $2), each database its quickest way.
func distinctSQL(d db.Dialect, column, table, at string) string {
	return d.CountDistinct(column, table, fmt.Sprintf("scheme_id = $3 AND %[1]s >= $1 AND %[1]s < $2", at))
}

// dayTenths is a tenth of a day in milliseconds: waiting times are counted
// in SQL into tenths of a day, and the median read from those counts.
const dayTenths = 8_640_000

func countFirstContact(ctx context.Context, tx *sql.Tx, _ db.Dialect, p Period, scheme string, r *raw) error {
	from, to := p.bounds()
	rows, err := tx.QueryContext(ctx, `SELECT (first_contact_at - received_at) / $3 AS tenths, COUNT(*) FROM referrals
		WHERE scheme_id = $4 AND received_at >= $1 AND received_at < $2 AND first_contact_at IS NOT NULL
		GROUP BY tenths ORDER BY tenths`, from, to, dayTenths, scheme)
	if err != nil {
		return err
	}
	defer rows.Close()
	var hist []bucket
	for rows.Next() {
		var b bucket
		if err := rows.Scan(&b.value, &b.count); err != nil {
			return err
		}
		hist = append(hist, b)
		r.contacted += b.count
	}
	if err := rows.Err(); err != nil {
		return err
	}
	r.medianDays = median(hist) / 10
	return nil
}

// bucket is how many values there are of one value.
type bucket struct {
	value float64
	count int
}

// median of a histogram sorted by value: the middle value, or the mean of
// the two middle ones.
func median(hist []bucket) float64 {
	n := 0
	for _, b := range hist {
		n += b.count
	}
	if n == 0 {
		return 0
	}
	at := func(k int) float64 { // the k-th value, from 0
		for _, b := range hist {
			if k < b.count {
				return b.value
			}
			k -= b.count
		}
		return hist[len(hist)-1].value
	}
	if n%2 == 1 {
		return at(n / 2)
	}
	return (at(n/2-1) + at(n/2)) / 2
}

func countConnections(ctx context.Context, tx *sql.Tx, d db.Dialect, p Period, scheme string, r *raw) error {
	from, to := p.bounds()
	rows, err := tx.QueryContext(ctx, `SELECT status, COUNT(*) FROM connections
		WHERE scheme_id = $3 AND created_at >= $1 AND created_at < $2 GROUP BY status`, from, to, scheme)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return err
		}
		r.connections += n
		r.connByStatus[status] += n
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return tx.QueryRowContext(ctx, distinctSQL(d, "organisation_id", "connections", "created_at"), from, to, scheme).Scan(&r.partners)
}

// countOutcomes sums the period's outcome pairs (outcome.PairTotals):
// each referral's latest review or exit in the period with its baseline,
// compared when the measure was recorded (migration 0021).
func countOutcomes(ctx context.Context, tx *sql.Tx, _ db.Dialect, p Period, scheme string, r *raw) error {
	from, to := p.bounds()
	totals, err := outcome.PairTotals(ctx, tx, scheme, from, to)
	if err != nil {
		return fmt.Errorf("outcomes: %w", err)
	}
	for _, in := range outcome.Instruments {
		t := totals[in.Code]
		r.outcomes[in.Code] = rawOutcome{pairs: t.Pairs, improved: t.Improved, baselineSum: t.BaselineSum, latestSum: t.LatestSum}
	}
	return nil
}

// countServices counts the directory, which every scheme shares.
func countServices(ctx context.Context, tx *sql.Tx, _ db.Dialect, p Period, _ string, r *raw) error {
	from, to := p.bounds()
	return tx.QueryRowContext(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN citizen_led THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN (started_on <> '' AND started_on >= $3 AND started_on <= $4)
			OR (started_on = '' AND created_at >= $1) THEN 1 ELSE 0 END), 0)
		FROM services WHERE status = 'active' AND created_at < $2`,
		from, to, p.From.Format(time.DateOnly), p.To.Format(time.DateOnly)).Scan(&r.services, &r.citizenLed, &r.new)
}

// hider collects what a report hides.
type hider map[string]bool

func (h hider) hide(paths ...string) {
	for _, p := range paths {
		h[p] = true
	}
}

// list is the hidden paths, sorted, never null in JSON.
func (h hider) list() []string {
	out := make([]string, 0, len(h))
	for p := range h {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// group protects the cells of one breakdown of a total: the cells come
// back as counts, null where hidden. It reports whether the total must be
// hidden too.
func (h hider) group(prefix string, keys []string, counts map[string]int) (map[string]*int, bool) {
	cells := make([]Cell, len(keys))
	for i, k := range keys {
		cells[i] = Cell{Path: prefix + "." + k, Count: counts[k]}
	}
	h.hide(ProtectGroup(cells)...)
	out := make(map[string]*int, len(keys))
	for _, c := range cells {
		out[c.Path[len(prefix)+1:]] = shown(c)
	}
	return out, ExposedTotal(cells)
}

func shown(c Cell) *int {
	if c.Suppressed {
		return nil
	}
	n := c.Count
	return &n
}

// referralStatuses and connectionStatuses are the statuses in journey
// order, the order reports show them.
func referralStatuses() []string {
	out := make([]string, len(referral.Statuses))
	for i, st := range referral.Statuses {
		out[i] = string(st)
	}
	return out
}

func connectionStatuses() []string {
	out := make([]string, len(connection.Statuses))
	for i, st := range connection.Statuses {
		out[i] = string(st)
	}
	return out
}

// keysOf lists the known codes, then any others the data holds, sorted.
func keysOf[V any](known []string, counts map[string]V) []string {
	out := append([]string(nil), known...)
	var extra []string
	for k := range counts {
		if !slices.Contains(known, k) {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	return append(out, extra...)
}

func round(x float64, places int) *float64 {
	f := math.Pow(10, float64(places))
	v := math.Round(x*f) / f
	return &v
}

// protect turns the raw counts into the published report.
func protect(p Period, r raw) *Summary {
	h := hider{}
	s := &Summary{Period: PeriodJSON{From: p.From.Format(time.DateOnly), To: p.To.Format(time.DateOnly)}, Outcomes: map[string]*OutcomeFigures{}}

	// Referrals: one total split two ways.
	bySource, exposed1 := h.group("referrals.by_source_type", keysOf(referral.SourceTypes, r.bySource), r.bySource)
	byStatus, exposed2 := h.group("referrals.by_status", keysOf(referralStatuses(), r.byStatus), r.byStatus)
	total := Cell{Path: "referrals.total", Count: r.referrals, Suppressed: Small(r.referrals) || exposed1 || exposed2}
	if total.Suppressed {
		h.hide(total.Path)
	}
	s.Referrals = ReferralFigures{Total: shown(total), BySourceType: bySource, ByStatus: byStatus, DistinctSources: r.distinctSources}
	contacted := Cell{Path: "referrals.contacted", Count: r.contacted}
	// The contacted and the not yet contacted split the total: protect that
	// split too, so that neither gives the other away.
	split := []Cell{contacted, {Path: "referrals.not_contacted", Count: r.referrals - r.contacted}}
	hiddenSplit := ProtectGroup(split)
	if slices.Contains(hiddenSplit, contacted.Path) {
		h.hide(contacted.Path)
	}
	s.Referrals.Contacted = shown(split[0])
	switch {
	case r.contacted >= MinCount:
		s.Referrals.MedianDaysToFirstContact = round(r.medianDays, 1)
	case r.contacted > 0:
		h.hide("referrals.median_days_to_first_contact")
	}

	// Connections.
	connByStatus, exposed := h.group("connections.by_status", keysOf(connectionStatuses(), r.connByStatus), r.connByStatus)
	conns := Cell{Path: "connections.total", Count: r.connections, Suppressed: Small(r.connections) || exposed}
	if conns.Suppressed {
		h.hide(conns.Path)
	}
	s.Connections = ConnectionFigures{Total: shown(conns), ByStatus: connByStatus, PartnersReceiving: r.partners}

	// Outcomes: pairs, and within them the improved and the rest.
	for _, in := range outcome.Instruments {
		o := r.outcomes[in.Code]
		path := "outcomes." + in.Code
		f := &OutcomeFigures{Score: outcome.Headline(in.Code)}
		s.Outcomes[in.Code] = f
		pairs := Cell{Path: path + ".pairs", Count: o.pairs}
		if Small(o.pairs) {
			h.hide(pairs.Path, path+".baseline_mean", path+".latest_mean", path+".mean_change", path+".improved", path+".improved_share")
			continue
		}
		f.Pairs = shown(pairs)
		if o.pairs == 0 {
			continue
		}
		n := float64(o.pairs)
		f.BaselineMean = round(o.baselineSum/n, 2)
		f.LatestMean = round(o.latestSum/n, 2)
		f.MeanChange = round(o.latestSum/n-o.baselineSum/n, 2)
		split := []Cell{{Path: path + ".improved", Count: o.improved}, {Path: path + ".not_improved", Count: o.pairs - o.improved}}
		ProtectGroup(split)
		if split[0].Suppressed {
			h.hide(path+".improved", path+".improved_share")
			continue
		}
		f.Improved = shown(split[0])
		f.ImprovedShare = round(float64(o.improved)/n, 3)
	}

	s.Services = ServiceFigures{Total: r.services, CitizenLed: r.citizenLed, NewInPeriod: r.new}
	s.Suppressed = h.list()
	return s
}
