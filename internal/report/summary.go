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
// What each figure counts, for a period of whole months from..to (UTC,
// both days included), month by month and added up (see Period):
//   - referrals: those received in the period; by_status is where they stand
//     now; distinct_sources the organisations they came from;
//     median_days_to_first_contact over those contacted (to a tenth of a day).
//   - connections: those made in the period, by where they stand now;
//     partners_receiving the organisations they went to.
//   - outcomes: for each instrument, the pairs of a person's first baseline
//     and their latest review or exit measure recorded in a month (one pair
//     per referral and month); the means of the instrument's headline score
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

// Period is the days a report covers, both included: whole calendar
// months, from the first day of one to the last day of another.
type Period struct {
	From, To time.Time
	// Scheme is the scheme whose figures are counted (CONTRACT.md,
	// "Schemes"): the reader's, set from the Viewer; "" in a deployment
	// without schemes.
	Scheme string
}

// MaxPeriod is the longest period a report covers.
const MaxPeriod = 10 // years

// Disclosure control across periods. Hiding counts of 1 to 4 in each
// report is not enough when a reader may choose the period: January shows
// 10 referrals from nurses and January to 1 February shows 11, so one was
// referred on 1 February, though any report of February alone would hide
// it. Two rules close this:
//
//   - Periods are whole calendar months (ParsePeriod widens the dates
//     asked for), so any two periods differ by whole months.
//   - A report for several months is the sum of its months, each month
//     protected as a report of its own (small counts hidden, and a second
//     count where a total would give a small one away): every count is
//     the sum of the month's counts, and a count is shown only where every
//     one of its months shows it. Counts of people are therefore counted
//     month by month and added up (someone referred in two months counts
//     in each; an outcome pair is each month's latest follow-up).
//
// So whatever a reader subtracts, a longer period minus a shorter one is
// the sum of the months between, each shown in its own report; a count
// hidden in any month (small, or hidden to protect another) is hidden in
// every period that includes that month, and nothing hidden is recovered.
// The price: a count hidden in one month is hidden in every longer period
// that includes it, even where the longer period's count is large.
// Figures that are not counts of people (organisations, services) are
// counted over the whole period and never hidden.

// ParsePeriod reads from and to (YYYY-MM-DD) and widens them to whole
// months: from to the first day of its month, to to the last day of its.
// A missing to is this month; a missing from is eleven months before to's
// (the last twelve months, this one included). Problems are keyed "from"
// and "to".
func ParsePeriod(from, to string, now time.Time) (Period, error) {
	f := map[string]string{}
	var p Period
	p.To = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if to = strings.TrimSpace(to); to != "" {
		t, err := time.Parse(time.DateOnly, to)
		if err != nil {
			f["to"] = "Enter the end date as YYYY-MM-DD, for example 2026-03-31."
		}
		p.To = t
	}
	p.From = monthStart(p.To).AddDate(0, -11, 0)
	if from = strings.TrimSpace(from); from != "" {
		t, err := time.Parse(time.DateOnly, from)
		if err != nil {
			f["from"] = "Enter the start date as YYYY-MM-DD, for example 2025-04-01."
		}
		p.From = t
	}
	if len(f) == 0 {
		after := p.From.After(p.To)
		p.From, p.To = monthStart(p.From), monthStart(p.To).AddDate(0, 1, -1)
		switch {
		case after:
			f["from"] = "The start date must be on or before the end date."
		case p.monthCount() > MaxPeriod*12:
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

// monthStart is the first day of t's month.
func monthStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// MonthPeriod is the whole month that holds t.
func MonthPeriod(t time.Time) Period {
	from := monthStart(t)
	return Period{From: from, To: from.AddDate(0, 1, -1)}
}

func (p Period) monthCount() int {
	return (p.To.Year()-p.From.Year())*12 + int(p.To.Month()) - int(p.From.Month()) + 1
}

// Months splits the period into its calendar months, in order.
func (p Period) Months() []Period {
	var out []Period
	for m := monthStart(p.From); !m.After(p.To); m = m.AddDate(0, 1, 0) {
		month := MonthPeriod(m)
		month.Scheme = p.Scheme
		out = append(out, month)
	}
	return out
}

// JSON is the period as reports show it.
func (p Period) JSON() PeriodJSON {
	return PeriodJSON{From: p.From.Format(time.DateOnly), To: p.To.Format(time.DateOnly)}
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
	p.Scheme = by.SchemeID
	s, err := summarise(ctx, d, p)
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

// raw holds the counts before disclosure control: one month's, or the
// sum of the months of a period (add).
type raw struct {
	referrals, contacted int
	bySource, byStatus   map[string]int
	// firstContact counts the waits to first contact, by tenths of a day.
	firstContact []bucket
	connections  int
	connByStatus map[string]int
	outcomes     map[string]rawOutcome
}

type rawOutcome struct {
	pairs, improved        int
	baselineSum, latestSum float64
}

func newRaw() raw {
	return raw{bySource: map[string]int{}, byStatus: map[string]int{}, connByStatus: map[string]int{}, outcomes: map[string]rawOutcome{}}
}

// add adds a month's counts to r.
func (r *raw) add(m raw) {
	r.referrals += m.referrals
	r.contacted += m.contacted
	addCounts(r.bySource, m.bySource)
	addCounts(r.byStatus, m.byStatus)
	r.firstContact = mergeBuckets(r.firstContact, m.firstContact)
	r.connections += m.connections
	addCounts(r.connByStatus, m.connByStatus)
	for k, o := range m.outcomes {
		t := r.outcomes[k]
		t.pairs += o.pairs
		t.improved += o.improved
		t.baselineSum += o.baselineSum
		t.latestSum += o.latestSum
		r.outcomes[k] = t
	}
}

func addCounts(into, from map[string]int) {
	for k, n := range from {
		into[k] += n
	}
}

// mergeBuckets adds two histograms sorted by value into one.
func mergeBuckets(a, b []bucket) []bucket {
	out := make([]bucket, 0, len(a)+len(b))
	for len(a) > 0 || len(b) > 0 {
		switch {
		case len(b) == 0 || (len(a) > 0 && a[0].value < b[0].value):
			out, a = append(out, a[0]), a[1:]
		case len(a) == 0 || b[0].value < a[0].value:
			out, b = append(out, b[0]), b[1:]
		default:
			out, a, b = append(out, bucket{a[0].value, a[0].count + b[0].count}), a[1:], b[1:]
		}
	}
	return out
}

// whole holds the figures counted over the whole period: organisations
// and services, not people, so never hidden nor split by month.
type whole struct {
	distinctSources, partners int
	services, citizenLed, new int
}

func summarise(ctx context.Context, d *db.DB, p Period) (*Summary, error) {
	months := p.Months()
	counts := make([]raw, len(months))
	var w whole
	err := d.ReadTx(ctx, func(tx *sql.Tx) error {
		// Grouping a year's organisations and sorting its waits to first
		// contact take a few megabytes each on PostgreSQL: in memory, not
		// in temporary files, for this transaction only.
		if err := d.Dialect.SetLocal(ctx, tx, "work_mem", "64MB"); err != nil {
			return err
		}
		for i, m := range months {
			counts[i] = newRaw()
			for _, step := range []func(context.Context, *sql.Tx, db.Dialect, Period, *raw) error{
				countReferrals, countFirstContact, countConnections, countOutcomes,
			} {
				if err := step(ctx, tx, d.Dialect, m, &counts[i]); err != nil {
					return err
				}
			}
		}
		return countWhole(ctx, tx, d.Dialect, p, &w)
	})
	if err != nil {
		return nil, fmt.Errorf("summary report: %w", err)
	}
	return publishMonths(p, counts, w), nil
}

// publishMonths makes the report of a period from its months' counts:
// each count the sum of the months', hidden where any month hides it.
func publishMonths(p Period, months []raw, w whole) *Summary {
	sum, hidden := newRaw(), hider{}
	for _, m := range months {
		sum.add(m)
		for path := range suppressSummary(m) {
			hidden.hide(path)
		}
	}
	return publishSummary(p, sum, w, hidden)
}

func countReferrals(ctx context.Context, tx *sql.Tx, d db.Dialect, p Period, r *raw) error {
	from, to := p.bounds()
	rows, err := tx.QueryContext(ctx, `SELECT source_type, status, COUNT(*) FROM referrals
		WHERE scheme_id = $3 AND received_at >= $1 AND received_at < $2 GROUP BY source_type, status`, from, to, p.Scheme)
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
	return rows.Err()
}

// countWhole counts the period's organisations and services.
func countWhole(ctx context.Context, tx *sql.Tx, d db.Dialect, p Period, w *whole) error {
	from, to := p.bounds()
	if err := tx.QueryRowContext(ctx, distinctSQL(d, "source_organisation_id", "referrals", "received_at"), from, to, p.Scheme).Scan(&w.distinctSources); err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, distinctSQL(d, "organisation_id", "connections", "created_at"), from, to, p.Scheme).Scan(&w.partners); err != nil {
		return err
	}
	return countServices(ctx, tx, d, p, w)
}

// distinctSQL counts the distinct values of column in table's rows of
// scheme $3 with at in [$1, $2), each database its quickest way.
func distinctSQL(d db.Dialect, column, table, at string) string {
	return d.CountDistinct(column, table, fmt.Sprintf("scheme_id = $3 AND %[1]s >= $1 AND %[1]s < $2", at))
}

// dayTenths is a tenth of a day in milliseconds: waiting times are counted
// in SQL into tenths of a day, and the median read from those counts.
const dayTenths = 8_640_000

func countFirstContact(ctx context.Context, tx *sql.Tx, _ db.Dialect, p Period, r *raw) error {
	from, to := p.bounds()
	rows, err := tx.QueryContext(ctx, `SELECT (first_contact_at - received_at) / $3 AS tenths, COUNT(*) FROM referrals
		WHERE scheme_id = $4 AND received_at >= $1 AND received_at < $2 AND first_contact_at IS NOT NULL
		GROUP BY tenths ORDER BY tenths`, from, to, dayTenths, p.Scheme)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var b bucket
		if err := rows.Scan(&b.value, &b.count); err != nil {
			return err
		}
		r.firstContact = append(r.firstContact, b)
		r.contacted += b.count
	}
	return rows.Err()
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

func countConnections(ctx context.Context, tx *sql.Tx, d db.Dialect, p Period, r *raw) error {
	from, to := p.bounds()
	rows, err := tx.QueryContext(ctx, `SELECT status, COUNT(*) FROM connections
		WHERE scheme_id = $3 AND created_at >= $1 AND created_at < $2 GROUP BY status`, from, to, p.Scheme)
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
	return rows.Err()
}

// countOutcomes sums the period's outcome pairs (outcome.PairTotals):
// each referral's latest review or exit in the period with its baseline,
// compared when the measure was recorded (migration 0021).
func countOutcomes(ctx context.Context, tx *sql.Tx, _ db.Dialect, p Period, r *raw) error {
	from, to := p.bounds()
	totals, err := outcome.PairTotals(ctx, tx, p.Scheme, from, to)
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
func countServices(ctx context.Context, tx *sql.Tx, _ db.Dialect, p Period, r *whole) error {
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

// group protects the cells of one breakdown of a total, hiding what
// ProtectGroup hides. It reports whether the total must be hidden too.
func (h hider) group(prefix string, keys []string, counts map[string]int) bool {
	cells := make([]Cell, len(keys))
	for i, k := range keys {
		cells[i] = Cell{Path: prefix + "." + k, Count: counts[k]}
	}
	h.hide(ProtectGroup(cells)...)
	return ExposedTotal(cells)
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

// suppressSummary works out which figures of one month's counts to hide.
func suppressSummary(r raw) hider {
	h := hider{}

	// Referrals: one total split two ways.
	exposed1 := h.group("referrals.by_source_type", keysOf(referral.SourceTypes, r.bySource), r.bySource)
	exposed2 := h.group("referrals.by_status", keysOf(referralStatuses(), r.byStatus), r.byStatus)
	if Small(r.referrals) || exposed1 || exposed2 {
		h.hide("referrals.total")
	}
	// The contacted and the not yet contacted split the total: protect that
	// split too, so that neither gives the other away.
	split := []Cell{{Path: "referrals.contacted", Count: r.contacted}, {Path: "referrals.not_contacted", Count: r.referrals - r.contacted}}
	ProtectGroup(split)
	if split[0].Suppressed {
		h.hide(split[0].Path)
	}
	if Small(r.contacted) {
		h.hide("referrals.median_days_to_first_contact")
	}

	// Connections.
	if exposed := h.group("connections.by_status", keysOf(connectionStatuses(), r.connByStatus), r.connByStatus); Small(r.connections) || exposed {
		h.hide("connections.total")
	}

	// Outcomes: pairs, and within them the improved and the rest.
	for _, in := range outcome.Instruments {
		o := r.outcomes[in.Code]
		path := "outcomes." + in.Code
		if Small(o.pairs) {
			h.hide(path+".pairs", path+".baseline_mean", path+".latest_mean", path+".mean_change", path+".improved", path+".improved_share")
			continue
		}
		split := []Cell{{Path: path + ".improved", Count: o.improved}, {Path: path + ".not_improved", Count: o.pairs - o.improved}}
		ProtectGroup(split)
		if split[0].Suppressed {
			h.hide(path+".improved", path+".improved_share")
		}
	}
	return h
}

// publishSummary makes the report from counts, hiding the figures h names.
func publishSummary(p Period, r raw, w whole, h hider) *Summary {
	s := &Summary{Period: p.JSON(), Outcomes: map[string]*OutcomeFigures{}}
	count := func(path string, n int) *int {
		if h[path] {
			return nil
		}
		return &n
	}
	counts := func(prefix string, keys []string, m map[string]int) map[string]*int {
		out := make(map[string]*int, len(keys))
		for _, k := range keys {
			out[k] = count(prefix+"."+k, m[k])
		}
		return out
	}

	s.Referrals = ReferralFigures{
		Total:           count("referrals.total", r.referrals),
		BySourceType:    counts("referrals.by_source_type", keysOf(referral.SourceTypes, r.bySource), r.bySource),
		ByStatus:        counts("referrals.by_status", keysOf(referralStatuses(), r.byStatus), r.byStatus),
		DistinctSources: w.distinctSources,
		Contacted:       count("referrals.contacted", r.contacted),
	}
	if r.contacted > 0 && !h["referrals.median_days_to_first_contact"] {
		s.Referrals.MedianDaysToFirstContact = round(median(r.firstContact)/10, 1)
	}
	s.Connections = ConnectionFigures{
		Total:             count("connections.total", r.connections),
		ByStatus:          counts("connections.by_status", keysOf(connectionStatuses(), r.connByStatus), r.connByStatus),
		PartnersReceiving: w.partners,
	}
	for _, in := range outcome.Instruments {
		o := r.outcomes[in.Code]
		path := "outcomes." + in.Code
		f := &OutcomeFigures{Score: outcome.Headline(in.Code), Pairs: count(path+".pairs", o.pairs)}
		s.Outcomes[in.Code] = f
		if f.Pairs == nil || o.pairs == 0 {
			continue
		}
		n := float64(o.pairs)
		f.BaselineMean = round(o.baselineSum/n, 2)
		f.LatestMean = round(o.latestSum/n, 2)
		f.MeanChange = round(o.latestSum/n-o.baselineSum/n, 2)
		if f.Improved = count(path+".improved", o.improved); f.Improved != nil {
			f.ImprovedShare = round(float64(o.improved)/n, 3)
		}
	}
	s.Services = ServiceFigures{Total: w.services, CitizenLed: w.citizenLed, NewInPeriod: w.new}
	s.Suppressed = h.list()
	return s
}
