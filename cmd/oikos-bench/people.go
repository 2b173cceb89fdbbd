package main

// Finding a person among a million: --mode people fills a database with a
// million people referred over three years (national.go, with names drawn
// as a country's are: a long tail of surnames, the commonest about one
// person in eighty, a few with accents, apostrophes and hyphens), a fifth
// of them in a second scheme, and times a link worker's searches one at a
// time, through referral.Store.People (each answer's audit entry committed,
// durably, before it returns) since the people search has no HTTP route
// yet. The searches are what a link worker types: part of a surname, a
// whole name, "Hughes, Margaret", an NHS number with or without spaces, a
// date of birth in the ways people write one, a name with a date, two
// letters, and a name nobody has.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/referral"
)

// nameDrawer draws given and family names with weights falling with their
// rank (Zipf-like), as names in a population do.
type nameDrawer struct {
	given, family       []string
	givenCum, familyCum []float64
}

// Syllables of the invented names, which join the real ones so that there
// are tens of thousands of surnames, as in a country.
var (
	surnameHeads = []string{"Ash", "Brad", "Bur", "Carr", "Chal", "Col", "Dal", "Dun", "Ed", "Fair", "Fen", "Gar", "Gold", "Hal", "Hart",
		"Hol", "Ken", "Lang", "Lind", "Marl", "Mont", "Nor", "Pem", "Ral", "Red", "Rid", "Sal", "Shel", "Stan", "Sut", "Thorn", "Wal",
		"Wat", "Wes", "Whit", "Win", "Wood", "Yar", "Ab", "Bel", "Crom", "Dray", "El", "Fos", "Gren", "Hen", "Ing", "Jar", "Kel", "Lock",
		"Mer", "Nash", "Ock", "Pel", "Quen", "Ros", "Sel", "Tre", "Up", "Ver", "Wy", "Bram", "Cleve", "Dove", "Ever", "Frith", "Glad",
		"Hurl", "Ivel", "Jess", "Kirk", "Lud", "Mow", "Nether", "Orm", "Pryd", "Rook", "Scar", "Tam", "Ure", "Vane", "Wrax"}
	surnameMiddles = []string{"", "", "", "er", "in", "ing", "an", "el", "ow", "it", "ar", "en"}
	surnameTails   = []string{"ford", "ley", "ton", "well", "wood", "by", "field", "ham", "worth", "more", "cott", "den", "stone", "brook",
		"croft", "dale", "gate", "hurst", "land", "man", "ridge", "shaw", "wick", "son", "er", "s", "ock", "ard", "ing", "all", "ick"}
	givenHeads = []string{"A", "Be", "Ca", "Da", "E", "Fe", "Ga", "Ha", "I", "Ja", "Ka", "La", "Ma", "Na", "O", "Pa", "Ra", "Sa", "Ta",
		"Va", "Wi", "Ya", "Za", "Lu", "Mi", "No", "Ro", "Si", "Te", "Ju"}
	givenTails = []string{"na", "ra", "lie", "nie", "n", "ne", "ra", "sha", "la", "bel", "dan", "ric", "mon", "via", "ton", "lan", "rin",
		"tte", "ah", "ia", "o", "ey", "bert", "wyn"}
	// accented are real names written with what a keyboard makes hard:
	// accents, apostrophes, hyphens.
	accentedGiven  = []string{"Zoë", "Siân", "Renée", "Chloë", "José", "Łukasz", "Agnès", "Søren", "Dóra", "Ióna", "Seán", "Bríd"}
	accentedFamily = []string{"O'Brien", "Müller", "Núñez", "Smith-Jones", "D'Arcy", "Ó Súilleabháin", "Ní Bhriain", "Kowalczyk-Nowak",
		"Błaszczyk", "García", "Öztürk", "Le Brun", "MacDonald", "Van der Berg", "O'Neill", "Fitz-Gerald"}
)

func newNameDrawer() *nameDrawer {
	n := &nameDrawer{}
	seen := map[string]bool{}
	add := func(list *[]string, name string) {
		if !seen[name] {
			seen[name] = true
			*list = append(*list, name)
		}
	}
	for _, f := range familyNames {
		add(&n.family, f)
	}
	for _, f := range accentedFamily {
		add(&n.family, f)
	}
	// Invented surnames in a fixed, shuffled order, so that their ranks
	// (and so their frequency) do not follow the alphabet.
	r := rand.New(rand.NewPCG(42, 42))
	var invented []string
	for _, h := range surnameHeads {
		for _, m := range surnameMiddles[3:] {
			for _, t := range surnameTails {
				invented = append(invented, h+m+t)
			}
		}
		for _, t := range surnameTails {
			invented = append(invented, h+t)
		}
	}
	r.Shuffle(len(invented), func(i, j int) { invented[i], invented[j] = invented[j], invented[i] })
	for _, f := range invented {
		add(&n.family, f)
	}
	for _, g := range givenNames {
		add(&n.given, g)
	}
	for _, g := range accentedGiven {
		add(&n.given, g)
	}
	var inventedGiven []string
	for _, h := range givenHeads {
		for _, t := range givenTails {
			inventedGiven = append(inventedGiven, h+t)
		}
	}
	r.Shuffle(len(inventedGiven), func(i, j int) { inventedGiven[i], inventedGiven[j] = inventedGiven[j], inventedGiven[i] })
	for _, g := range inventedGiven {
		add(&n.given, g)
	}
	// Weights 1/rank^s: the commonest surname about 1.3% (Smith is 1.3%
	// in England and Wales), the commonest first name about 2.5%.
	n.familyCum, n.givenCum = zipfCumulative(len(n.family), 0.7), zipfCumulative(len(n.given), 0.6)
	return n
}

func zipfCumulative(n int, s float64) []float64 {
	cum := make([]float64, n)
	total := 0.0
	for k := range n {
		total += 1 / math.Pow(float64(k+1), s)
		cum[k] = total
	}
	for k := range cum {
		cum[k] /= total
	}
	return cum
}

func (n *nameDrawer) draw(r *rand.Rand) (given, family string) {
	pick := func(list []string, cum []float64) string {
		return list[min(len(list)-1, sort.SearchFloat64s(cum, r.Float64()))]
	}
	return pick(n.given, n.givenCum), pick(n.family, n.familyCum)
}

// peopleSide is one database's measurements.
type peopleSide struct {
	name, version string
	people        int
	took          map[string][]time.Duration // by kind of search
	found         map[string]int
	more          map[string]int
	// cpu is the CPU time per search, of this process and (on
	// PostgreSQL) the cluster's: on a shared machine latency follows
	// the CPU a search needs and the load, and this alone not the load.
	// dbCPU is the cluster's part.
	cpu, dbCPU time.Duration
}

// A search as typed.
type peopleSearch struct{ kind, q string }

func runPeople(ctx context.Context, o options, dbs []string, out io.Writer) error {
	fmt.Fprintf(out, "Oikos people search benchmark: %d referrals (about %d people), %d searches one at a time through referral.Store.People; %d CPUs, %s, load %s\n",
		o.national, o.national*92/100, o.requests, runtime.NumCPU(), runtime.Version(), loadAverage())
	spec := nationalSpec{referrals: o.national, services: o.services, seed: o.seed, now: time.Now().UTC().Truncate(24 * time.Hour), people: true}
	var sides []*peopleSide
	for _, which := range dbs {
		if err := ctx.Err(); err != nil {
			return err
		}
		var side *peopleSide
		var err error
		if which == "sqlite" {
			side, err = peopleSQLite(ctx, o, spec, out)
		} else {
			side, err = peoplePostgres(ctx, o, spec, out)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", which, err)
		}
		sides = append(sides, side)
	}
	fmt.Fprintf(out, "\n== Summary: people search, %d searches one at a time (load average now %s); target p95 < 50 ms\n", o.requests, loadAverage())
	for _, s := range sides {
		fmt.Fprintf(out, "\n%s %s, %d people\n", s.name, s.version, s.people)
		fmt.Fprintf(out, "%-16s %6s %8s %8s %8s %8s %8s %6s\n", "search", "n", "p50 ms", "p95 ms", "p99 ms", "max ms", "found", "more")
		var all []time.Duration
		kinds := make([]string, 0, len(s.took))
		for k := range s.took {
			kinds = append(kinds, k)
		}
		slices.Sort(kinds)
		for _, k := range kinds {
			l := s.took[k]
			if !strings.HasPrefix(k, " ") {
				all = append(all, l...)
			}
			fmt.Fprintf(out, "%-16s %6d %8s %8s %8s %8s %8.1f %6d\n", k, len(l), ms(pct(l, 0.5)), ms(pct(l, 0.95)), ms(pct(l, 0.99)), ms(pct(l, 1)),
				float64(s.found[k])/float64(len(l)), s.more[k])
		}
		verdict := "meets"
		if pct(all, 0.95) >= 50*time.Millisecond {
			verdict = "MISSES"
		}
		fmt.Fprintf(out, "%-16s %6d %8s %8s %8s %8s  %s the target\n", "all", len(all), ms(pct(all, 0.5)), ms(pct(all, 0.95)), ms(pct(all, 0.99)), ms(pct(all, 1)), verdict)
		fmt.Fprintf(out, "CPU a search: %s ms (this process's and, on PostgreSQL, the cluster's %s ms, over all searches)\n", ms(s.cpu), ms(s.dbCPU))
	}
	fmt.Fprintf(out, "found: people answered per search (at most %d); more: searches that found more than that.\n", referral.MaxFound)
	fmt.Fprintf(out, "audit alone: one durable commit of one audit entry, the floor under every search (each search commits its entries once).\n")
	return nil
}

// pct is the p-th quantile of l (1: the largest).
func pct(l []time.Duration, p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

func peopleSQLite(ctx context.Context, o options, spec nationalSpec, out io.Writer) (*peopleSide, error) {
	fmt.Fprintf(out, "\n== SQLite\n")
	path := fmt.Sprintf("%s/people-%d-seed%d.db", o.dir, spec.referrals, spec.seed)
	var m nationalMarker
	if b, err := os.ReadFile(path + ".json"); err == nil && json.Unmarshal(b, &m) == nil {
		fmt.Fprintf(out, "reusing %s\n", path)
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
			_, err = d.Exec(ctx, "ANALYZE")
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
	d, err := openMigrated(ctx, "sqlite:"+path)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	side := &peopleSide{name: "SQLite"}
	d.R().QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&side.version)
	return side, peopleSearches(ctx, o, d, nil, side, out)
}

func peoplePostgres(ctx context.Context, o options, spec nationalSpec, out io.Writer) (*peopleSide, error) {
	fmt.Fprintf(out, "\n== PostgreSQL: starting a throwaway cluster with durable commits\n")
	c, err := startCluster(true)
	if err != nil {
		return nil, err
	}
	defer c.stop()
	url, err := c.createDatabase(ctx, "oikos_people")
	if err != nil {
		return nil, err
	}
	d, err := openMigrated(ctx, url)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	side := &peopleSide{name: "PostgreSQL"}
	d.R().QueryRowContext(ctx, "SHOW server_version").Scan(&side.version)
	if f := strings.Fields(side.version); len(f) > 0 {
		side.version = f[0]
	}
	sink, err := newPGSink(ctx, url)
	if err != nil {
		return nil, err
	}
	_, err = generateNational(ctx, d, sink, spec, out)
	sink.close()
	if err != nil {
		return nil, err
	}
	if _, err := d.Exec(ctx, "VACUUM ANALYZE"); err != nil {
		return nil, err
	}
	return side, peopleSearches(ctx, o, d, c, side, out)
}

// peopleSearches draws the searches from people held, warms up, and times
// o.requests of them one at a time.
func peopleSearches(ctx context.Context, o options, d *db.DB, c *cluster, side *peopleSide, out io.Writer) error {
	if err := d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM people").Scan(&side.people); err != nil {
		return err
	}
	searches, err := drawSearches(ctx, d, o.seed, o.requests)
	if err != nil {
		return err
	}
	s := referral.NewStore(d)
	p := &auth.Principal{UserID: "usr_benchlw00000", Role: auth.LinkWorker, SchemeID: benchSchemeID}
	by := referral.Actor{UserID: p.UserID, Client: "oikos-bench"}
	warm := min(len(searches), max(50, o.requests/10))
	fmt.Fprintf(out, "%d people; warming up with %d searches\n", side.people, warm)
	for _, q := range searches[:warm] {
		if _, _, err := s.People(ctx, by, p, q.q); err != nil {
			return fmt.Errorf("%q: %w", q.q, err)
		}
	}
	side.took, side.found, side.more = map[string][]time.Duration{}, map[string]int{}, map[string]int{}
	dbCPU := func() time.Duration {
		if c == nil {
			return 0
		}
		return clusterCPU(c)
	}
	if o.cpuprofile != "" {
		stop, err := startCPUProfile(fmt.Sprintf("%s-people-%s.prof", o.cpuprofile, d.Dialect))
		if err != nil {
			return err
		}
		defer stop()
	}
	cpu0, db0 := procCPU(os.Getpid(), false), dbCPU()
	for _, q := range searches {
		if err := ctx.Err(); err != nil {
			return err
		}
		start := time.Now()
		found, more, err := s.People(ctx, by, p, q.q)
		took := time.Since(start)
		if err != nil {
			return fmt.Errorf("%q: %w", q.q, err)
		}
		side.took[q.kind] = append(side.took[q.kind], took)
		side.found[q.kind] += len(found)
		if more {
			side.more[q.kind]++
		}
	}
	side.dbCPU = (dbCPU() - db0) / time.Duration(len(searches))
	side.cpu = (procCPU(os.Getpid(), false)-cpu0)/time.Duration(len(searches)) + side.dbCPU
	fmt.Fprintf(out, "%d searches: p50 %s ms, p95 %s ms, CPU %s ms a search\n", len(searches), ms(pct(flatten(side.took), 0.5)),
		ms(pct(flatten(side.took), 0.95)), ms(side.cpu))
	// The floor under every search: its audit entry's durable commit,
	// alone, the same number of times as the commonest kind of search.
	n := 0
	for _, l := range side.took {
		n = max(n, len(l))
	}
	for range n {
		start := time.Now()
		if err := audit.Record(ctx, d, audit.Event{ActorID: by.UserID, Action: audit.Read, ObjectKind: "person", ObjectID: "per_bench", Client: by.Client}); err != nil {
			return err
		}
		side.took[" audit alone"] = append(side.took[" audit alone"], time.Since(start))
	}
	return nil
}

func flatten(m map[string][]time.Duration) []time.Duration {
	var out []time.Duration
	for k, l := range m {
		if !strings.HasPrefix(k, " ") {
			out = append(out, l...)
		}
	}
	return out
}

// drawSearches makes n searches, in a fixed order from seed, about people
// held in the benched scheme (and now and then nobody).
func drawSearches(ctx context.Context, d *db.DB, seed int64, n int) ([]peopleSearch, error) {
	rows, err := d.R().QueryContext(ctx, `SELECT p.given_name, p.family_name, p.date_of_birth, p.nhs_number FROM people p
		WHERE p.id > $1 AND EXISTS (SELECT 1 FROM referrals r WHERE r.person_id = p.id AND r.scheme_id = $2) ORDER BY p.id LIMIT $3`,
		"per_m", benchSchemeID, n)
	if err != nil {
		return nil, err
	}
	type held struct{ given, family, born, nhs string }
	var sample []held
	for rows.Next() {
		var h held
		if err := rows.Scan(&h.given, &h.family, &h.born, &h.nhs); err != nil {
			rows.Close()
			return nil, err
		}
		sample = append(sample, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(sample) == 0 {
		return nil, fmt.Errorf("no people in scheme %s", benchSchemeID)
	}
	r := rand.New(rand.NewPCG(uint64(seed), 0x9e0))
	prefix := func(s string, k int) string {
		rs := []rune(strings.ToLower(s))
		return string(rs[:min(len(rs), k)])
	}
	dates := []string{"2/1/2006", "02/01/2006", "2006-01-02", "2 January 2006", "2 Jan 06"}
	kinds := newWeighted[string]("surname_prefix", 25, "surname", 10, "full_name", 15, "surname_given", 5, "parts", 5, "nhs", 15,
		"birth", 12, "name_birth", 8, "two_letters", 3, "nobody", 2)
	out := make([]peopleSearch, 0, n)
	for i := range n {
		h := sample[i%len(sample)]
		kind := kinds.draw(r)
		born, _ := time.Parse(time.DateOnly, h.born)
		var q string
		switch kind {
		case "surname_prefix":
			q = prefix(h.family, 3+r.IntN(3))
		case "surname":
			q = h.family
		case "full_name":
			q = h.given + " " + h.family
		case "surname_given":
			q = h.family + ", " + h.given
		case "parts":
			q = prefix(h.given, 3) + " " + prefix(h.family, 3)
		case "nhs":
			if h.nhs == "" {
				kind, q = "surname", h.family
			} else if r.IntN(2) == 0 {
				q = referral.FormatNHSNumber(h.nhs)
			} else {
				q = h.nhs
			}
		case "birth":
			q = born.Format(dates[r.IntN(len(dates))])
		case "name_birth":
			q = h.family + " " + born.Format(dates[r.IntN(len(dates)-1)])
		case "two_letters":
			q = prefix(h.family, 2)
		case "nobody":
			q = []string{"Zzyzx", "Qwertyuiop", "Xanthoudakis"}[r.IntN(3)]
		}
		out = append(out, peopleSearch{kind: kind, q: q})
	}
	return out, nil
}
