package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"oikos/cmd/oikos-bench/synthetic"
	"oikos/internal/directory"
	"oikos/internal/postcode"
	"oikos/internal/taxonomy"
)

// A request is one search in the mix, as URL parameters for the API and as
// what a bare SQL query needs (a place already turned into a point, as a
// directory would before querying).
type request struct {
	kind     string
	params   url.Values
	text     string
	cats     []string
	hasPlace bool
	lat, lon float64
	km       float64
}

// Query kinds, with their share of the mix.
const (
	kindTextPlace = "text+near+radius"
	kindPlaceCat  = "near+category"
	kindNeedPlace = "need+near"
	kindText      = "text only"
)

var kinds = []string{kindTextPlace, kindPlaceCat, kindNeedPlace, kindText}

var (
	mixTerms     = synthetic.Terms()
	mixDistricts = synthetic.Districts()
	radii        = []float64{2, 3, 5, 5, 8, 10, 10, 15, 20}
)

// nextRequest draws one search: 60% words near a place within 2–20 km,
// sometimes with the category they are about; 20% a category near a place;
// 10% a need near a place; 10% words alone. One search in twenty has a
// typo; places are districts or full postcodes, half and half.
func nextRequest(r *rand.Rand) request {
	v := url.Values{}
	q := request{params: v}
	x := r.Float64()
	switch {
	case x < 0.6:
		q.kind = kindTextPlace
	case x < 0.8:
		q.kind = kindPlaceCat
	case x < 0.9:
		q.kind = kindNeedPlace
	default:
		q.kind = kindText
	}
	if q.kind == kindTextPlace || q.kind == kindText {
		term := mixTerms[r.IntN(len(mixTerms))]
		q.text = term.Text
		if r.IntN(20) == 0 {
			q.text = typo(r, q.text)
		}
		v.Set("q", q.text)
		if q.kind == kindTextPlace && r.Float64() < 0.4 {
			q.cats = []string{term.Category}
			v.Set("category", term.Category)
		}
	}
	if q.kind == kindPlaceCat {
		c := taxonomy.Categories[r.IntN(len(taxonomy.Categories))].Code
		q.cats = []string{c}
		v.Set("category", c)
	}
	if q.kind == kindNeedPlace {
		n := taxonomy.Needs[r.IntN(len(taxonomy.Needs))].Code
		q.cats = taxonomy.CategoriesForNeeds([]string{n})
		v.Set("need", n)
	}
	if q.kind != kindText {
		district := mixDistricts[r.IntN(len(mixDistricts))]
		near := district
		if r.IntN(2) == 0 {
			const letters = "ABDEFGHJLNPQRSTUWXYZ"
			near = fmt.Sprintf("%s %d%c%c", district, r.IntN(10), letters[r.IntN(len(letters))], letters[r.IntN(len(letters))])
		}
		v.Set("near", near)
		q.hasPlace = true
		// No imported postcodes: a place is its district's centre, for
		// Oikos and for the bare query alike.
		p, _ := postcode.OutcodeCentre(district)
		q.lat, q.lon = p.Lat, p.Lon
		q.km = directory.DefaultRadiusKm
		if q.kind == kindTextPlace || r.IntN(2) == 0 {
			q.km = radii[r.IntN(len(radii))]
			v.Set("within_km", strconv.FormatFloat(q.km, 'f', -1, 64))
		}
	}
	return q
}

// typo drops or swaps a letter in the longest word.
func typo(r *rand.Rand, text string) string {
	words := strings.Fields(text)
	i := 0
	for j, w := range words {
		if len(w) > len(words[i]) {
			i = j
		}
	}
	w := []byte(words[i])
	if len(w) < 5 {
		return text
	}
	k := 1 + r.IntN(len(w)-2)
	if r.IntN(2) == 0 {
		w = append(w[:k:k], w[k+1:]...)
	} else {
		w[k], w[k+1] = w[k+1], w[k]
	}
	words[i] = string(w)
	return strings.Join(words, " ")
}

// sample is one timed search.
type sample struct {
	kind    string
	latency time.Duration
	rows    int
}

// result is a measured run.
type result struct {
	label       string
	unit        string // what one operation is, for the summary: "searches" if empty
	elapsed     time.Duration
	samples     []sample // sorted by latency
	errors      int
	firstErrors []string
	// Load averages (1 minute) before and after, from /proc/loadavg: other
	// work on the machine skews the figures.
	loadBefore, loadAfter string
	// cpu is the CPU time this whole process (server and clients) used
	// during the run: per operation it is a cost that other work on the
	// machine does not inflate, unlike latency and throughput.
	cpu time.Duration
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "?"
}

// An operation is one timed request of a load: its kind, for the
// breakdown, and how to send it, returning how many rows it touched.
type operation struct {
	kind string
	run  func(context.Context) (int, error)
}

// searches draws the search mix for load, sending each search with do.
func searches(do func(context.Context, request) (int, error)) func(*rand.Rand) operation {
	return func(r *rand.Rand) operation {
		q := nextRequest(r)
		return operation{kind: q.kind, run: func(ctx context.Context) (int, error) { return do(ctx, q) }}
	}
}

// load runs clients goroutines, each sending operations one after another
// for d. Each client draws its operations from its own seeded source, so
// the same seed sends the same sequence; drawing is not timed.
func load(ctx context.Context, label string, clients int, d time.Duration, seed int64, draw func(*rand.Rand) operation) (result, error) {
	res := result{label: label, loadBefore: loadAverage()}
	cpuStart := processCPU()
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(seed), uint64(c)))
			var mine []sample
			var errs int
			var msgs []string
			for time.Now().Before(deadline) && ctx.Err() == nil {
				op := draw(r)
				t := time.Now()
				rows, err := op.run(ctx)
				lat := time.Since(t)
				if err != nil {
					if ctx.Err() != nil {
						break
					}
					errs++
					if len(msgs) < 3 {
						msgs = append(msgs, err.Error())
					}
					continue
				}
				mine = append(mine, sample{kind: op.kind, latency: lat, rows: rows})
			}
			mu.Lock()
			res.samples = append(res.samples, mine...)
			res.errors += errs
			res.firstErrors = append(res.firstErrors, msgs...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.cpu = processCPU() - cpuStart
	res.loadAfter = loadAverage()
	if err := ctx.Err(); err != nil {
		return res, err
	}
	slices.SortFunc(res.samples, func(a, b sample) int { return int(a.latency - b.latency) })
	return res, nil
}

type stats struct {
	n                  int
	perSecond          float64
	p50, p95, p99, max time.Duration
	mean               time.Duration
	empty              float64 // share with no results
	rows               float64 // mean rows returned
}

func (r result) stats(kind string) stats {
	var list []sample
	for _, s := range r.samples {
		if kind == "" || s.kind == kind {
			list = append(list, s)
		}
	}
	st := stats{n: len(list)}
	if len(list) == 0 {
		return st
	}
	pct := func(p float64) time.Duration { return list[min(len(list)-1, int(p*float64(len(list))))].latency }
	st.p50, st.p95, st.p99, st.max = pct(0.50), pct(0.95), pct(0.99), list[len(list)-1].latency
	var sum time.Duration
	empty, rows := 0, 0
	for _, s := range list {
		sum += s.latency
		rows += s.rows
		if s.rows == 0 {
			empty++
		}
	}
	st.mean = sum / time.Duration(len(list))
	st.perSecond = float64(len(list)) / r.elapsed.Seconds()
	st.empty = float64(empty) / float64(len(list))
	st.rows = float64(rows) / float64(len(list))
	return st
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)) }

func (r result) summary(out io.Writer) {
	st := r.stats("")
	unit := r.unit
	if unit == "" {
		unit = "searches"
	}
	fmt.Fprintf(out, "%s: %d %s in %.1fs = %.0f/s; p50 %s ms, p95 %s ms, p99 %s ms; %d errors; load average %s before, %s after\n",
		r.label, st.n, unit, r.elapsed.Seconds(), st.perSecond, ms(st.p50), ms(st.p95), ms(st.p99), r.errors, r.loadBefore, r.loadAfter)
	if st.n > 0 && r.cpu > 0 {
		per := r.cpu / time.Duration(st.n)
		one := strings.TrimSuffix(unit, "s")
		if strings.HasSuffix(unit, "ches") {
			one = strings.TrimSuffix(unit, "es")
		}
		fmt.Fprintf(out, "%s: this process's CPU %s ms per %s (%.2f of %d CPUs busy)", r.label, ms(per), one, r.cpu.Seconds()/r.elapsed.Seconds(), runtime.NumCPU())
		if strings.Contains(strings.ToLower(r.label), "sqlite") {
			// Server, database and clients are all this process.
			fmt.Fprintf(out, ", so about %.0f/s with the CPUs to itself\n", float64(runtime.NumCPU())*float64(time.Second)/float64(per))
		} else {
			fmt.Fprintf(out, ", not counting the PostgreSQL server's\n")
		}
	}
	for _, e := range r.firstErrors {
		fmt.Fprintf(out, "  error: %s\n", e)
	}
}

// countItems reads how many results an API page holds without decoding
// it all: the body ends {"items":[…],"total":N,…}, and a quote inside a
// string is always escaped, so the last `"total":` is the real one.
func countItems(body []byte) (int, error) {
	i := bytes.LastIndex(body, []byte(`"total":`))
	if i < 0 {
		return 0, fmt.Errorf("no total in the response")
	}
	rest := body[i+len(`"total":`):]
	j := bytes.IndexAny(rest, ",}")
	if j < 0 {
		return 0, fmt.Errorf("malformed total")
	}
	total, err := strconv.Atoi(string(bytes.TrimSpace(rest[:j])))
	if err != nil {
		return 0, err
	}
	return min(total, 50), nil
}

type report struct {
	opts                     options
	sqlite, pgHTTP, pgBare   *result
	sqliteVersion, pgVersion string
}

func (rep *report) print(out io.Writer) {
	fmt.Fprintf(out, "\n== Results: %d services, %d clients, %s each, GET /api/v1/services over loopback HTTP\n\n",
		rep.opts.services, rep.opts.clients, rep.opts.duration)
	fmt.Fprintf(out, "%-34s %9s %9s %8s %8s %8s %8s %7s %7s %6s\n", "", "searches", "per sec", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors", "empty", "rows")
	line := func(name string, r *result, kind string) {
		st := r.stats(kind)
		errs := strconv.Itoa(r.errors)
		if kind != "" {
			errs = ""
		}
		fmt.Fprintf(out, "%-34s %9d %9.0f %8s %8s %8s %8s %7s %6.0f%% %6.1f\n", name, st.n, st.perSecond, ms(st.p50), ms(st.p95), ms(st.p99), ms(st.max), errs, 100*st.empty, st.rows)
	}
	rows := []struct {
		name string
		r    *result
	}{
		{"SQLite " + rep.sqliteVersion + ", Oikos HTTP", rep.sqlite},
		{"PostgreSQL " + rep.pgVersion + ", Oikos HTTP", rep.pgHTTP},
		{"PostgreSQL " + rep.pgVersion + ", bare SQL", rep.pgBare},
	}
	for _, row := range rows {
		if row.r == nil {
			continue
		}
		line(row.name, row.r, "")
		for _, k := range kinds {
			line("  "+k, row.r, k)
		}
	}
	fmt.Fprintln(out, "\n(empty: share of searches with no results; rows: mean results returned, at most 50)")
	fmt.Fprint(out, "Load average (1 min) before/after each run:")
	for _, row := range rows {
		if row.r != nil {
			fmt.Fprintf(out, "  %s %s/%s;", row.name, row.r.loadBefore, row.r.loadAfter)
		}
	}
	fmt.Fprintf(out, "\n(%d CPUs. On SQLite the benchmark alone keeps about GOMAXPROCS+1 = %d threads busy; on PostgreSQL add up to one\n"+
		"server process per client. A load well above that means other work competed for the CPUs.)\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0)+1)

	fmt.Fprintln(out)
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT MET"
	}
	if rep.sqlite != nil {
		st := rep.sqlite.stats("")
		fmt.Fprintf(out, "Target SQLite p95 < 20 ms:            %s ms   %s\n", ms(st.p95), verdict(st.p95 < 20*time.Millisecond))
		fmt.Fprintf(out, "Target SQLite >= 500 searches/s:      %.0f/s   %s\n", st.perSecond, verdict(st.perSecond >= 500))
		fmt.Fprintf(out, "Target SQLite no errors:              %d   %s\n", rep.sqlite.errors, verdict(rep.sqlite.errors == 0))
	}
	if rep.pgHTTP != nil && rep.pgBare != nil {
		h, b := rep.pgHTTP.stats(""), rep.pgBare.stats("")
		r50, r95 := float64(h.p50)/float64(b.p50), float64(h.p95)/float64(b.p95)
		fmt.Fprintf(out, "PostgreSQL Oikos HTTP / bare SQL:     p50 %.2f (%s / %s ms), p95 %.2f (%s / %s ms), throughput %.2f×\n",
			r50, ms(h.p50), ms(b.p50), r95, ms(h.p95), ms(b.p95), h.perSecond/b.perSecond)
		fmt.Fprintf(out, "Target Oikos HTTP no slower (p50):    %s\n", verdict(r50 <= 1))
		fmt.Fprintf(out, "Target Oikos HTTP no slower (p95):    %s\n", verdict(r95 <= 1))
		fmt.Fprintf(out, "Target PostgreSQL no errors:          %d / %d   %s\n", rep.pgHTTP.errors, rep.pgBare.errors, verdict(rep.pgHTTP.errors+rep.pgBare.errors == 0))
	}
}
