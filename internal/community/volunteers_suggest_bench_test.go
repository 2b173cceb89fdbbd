package community_test

// Volunteer suggestions among 50,000 volunteers of one scheme, on SQLite:
// the issue asks for p95 under 50 ms. The volunteers are spread over every
// UK postcode district, with a dense city of 10,000 around Exeter, where
// half the people asked about live; 10% have a DBS check that ran out and
// 5% none. Each call is the whole of VolunteerSuggestions, its audited
// read committed included. The figures are reported as p50-ms, p95-ms and
// max-ms:
//
//	go test ./internal/community -run XXX -bench VolunteerSuggestions -benchtime 400x

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/community"
	"oikos/internal/db"
	"oikos/internal/postcode"
	"oikos/internal/referral"
)

const benchVolunteers = 50_000

var bench struct {
	once    sync.Once
	dir     string
	d       *db.DB
	v       *community.Volunteering
	manager *auth.Principal
	refs    []string
	err     error
}

// cleanupBench removes the benchmark's database, from TestMain.
func cleanupBench() {
	if bench.d != nil {
		bench.d.Close()
	}
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
}

type district struct {
	code string
	at   postcode.Point
}

func districts(tb testing.TB) []district {
	f, err := os.Open(filepath.Join("..", "postcode", "data", "outcodes.csv"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	var out []district
	for _, r := range rows[1:] {
		lat, err1 := strconv.ParseFloat(r[1], 64)
		lon, err2 := strconv.ParseFloat(r[2], 64)
		if err1 == nil && err2 == nil && lat != 0 {
			out = append(out, district{r[0], postcode.Point{Lat: lat, Lon: lon}})
		}
	}
	return out
}

// jitter moves p up to km in a random direction.
func jitter(rng *rand.Rand, p postcode.Point, km float64) postcode.Point {
	r, a := km*math.Sqrt(rng.Float64()), rng.Float64()*2*math.Pi
	return postcode.Point{Lat: p.Lat + r*math.Cos(a)/111.0, Lon: p.Lon + r*math.Sin(a)/(111.0*math.Cos(p.Lat*math.Pi/180))}
}

var (
	benchInterests = []string{"Gardening", "Walking", "Knitting", "Chess", "Cooking", "Baking", "Reading", "Music", "Singing", "Football", "Fishing",
		"Painting", "Crafts", "Local history", "Photography", "Cycling", "Swimming", "Dogs", "Films", "Theatre", "Quizzes", "Birdwatching", "Yoga", "Dancing"}
	benchLanguages = []string{"Polish", "Urdu", "Punjabi", "Bengali", "Arabic", "Romanian", "Portuguese", "Welsh"}
	benchDays      = []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
)

func seedBench(tb testing.TB) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(16, 50_000))
	dir, err := os.MkdirTemp("", "oikos-volunteer-bench")
	if err != nil {
		tb.Fatal(err)
	}
	bench.dir = dir
	d, err := db.Open(ctx, "sqlite:"+filepath.Join(dir, "bench.db"))
	if err != nil {
		tb.Fatal(err)
	}
	bench.d = d
	if _, err := d.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	execSQL(tb, d, `INSERT INTO organisations (id, name, kind, created_at, updated_at) VALUES ('org_s', 'National Befriending', 'scheme', 1, 1)`)
	execSQL(tb, d, `INSERT INTO users (id, email, name, role, organisation_id, created_at, updated_at) VALUES
		('usr_mgr', 'mgr@example.org', 'Manager', 'manager', 'org_s', 1, 1), ('usr_lw', 'lw@example.org', 'Worker', 'link_worker', 'org_s', 1, 1)`)
	bench.manager = &auth.Principal{UserID: "usr_mgr", Role: auth.Manager, OrganisationID: "org_s", SchemeID: "org_s"}
	all := districts(tb)
	exeter, _ := postcode.OutcodeCentre("EX4")

	// Small batches: SQLite's cost of numbered parameters grows with
	// their count squared.
	const batch = 100
	for start := 0; start < benchVolunteers; start += batch {
		var users, vols []any
		n := min(batch, benchVolunteers-start)
		for i := start; i < start+n; i++ {
			id := fmt.Sprintf("usr_v%06d", i)
			users = append(users, id, id+"@example.org", fmt.Sprintf("Volunteer %d", i), "volunteer", "org_s", 1, 1)
			home := district{"EX4", exeter}
			at := jitter(rng, exeter, 12)
			if i >= 10_000 {
				home = all[rng.IntN(len(all))]
				at = jitter(rng, home.at, 3)
			}
			var interests []string
			for range 1 + rng.IntN(4) {
				interests = append(interests, benchInterests[rng.IntN(len(benchInterests))])
			}
			languages := []string{"English"}
			if rng.IntN(10) == 0 {
				languages = append(languages, benchLanguages[rng.IntN(len(benchLanguages))])
			}
			var slots []community.Slot
			for range 1 + rng.IntN(3) {
				from := 9 + rng.IntN(9)
				slots = append(slots, community.Slot{Day: benchDays[rng.IntN(7)], From: fmt.Sprintf("%02d:00", from), To: fmt.Sprintf("%02d:00", from+2)})
			}
			var checked, expires any
			switch k := rng.IntN(20); {
			case k < 2: // ran out
				checked, expires = "2022-06-01", "2025-06-01"
			case k == 2: // none
			default:
				checked, expires = "2025-01-15", fmt.Sprintf("%d-0%d-15", 2027+rng.IntN(3), 1+rng.IntN(9))
			}
			vols = append(vols, id, "org_s", "befriender", home.code+" 1AA", at.Lat, at.Lon, marshalJSON(interests), marshalJSON(languages),
				marshalJSON(slots), community.SlotsMask(slots), checked, expires, 1, 1, "seed", community.InterestTerms(interests))
		}
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, "INSERT INTO users (id, email, name, role, organisation_id, created_at, updated_at) VALUES "+db.Rows(n, 7), users...); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO volunteers (user_id, scheme_id, kind, postcode, latitude, longitude, interests, languages,
				availability, available, dbs_checked_on, dbs_expires_on, created_at, updated_at, updated_by, terms) VALUES `+db.Rows(n, 16), vols...)
			return err
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := d.Exec(ctx, "ANALYZE"); err != nil {
		tb.Fatal(err)
	}

	// The people: half in Exeter, half anywhere, with interests and times.
	refs := referral.NewStore(d)
	by := oikos.Actor{UserID: "usr_lw", Client: "bench"}
	for i := range 40 {
		pc := fmt.Sprintf("EX%d 1AA", 1+i%4)
		if i%2 == 1 {
			pc = all[rng.IntN(len(all))].code + " 1AA"
		}
		r, err := refs.Create(ctx, by, referral.Input{
			Person:  referral.PersonInput{GivenName: "Person", FamilyName: strconv.Itoa(i), DateOfBirth: "1950-01-01", Postcode: pc},
			Source:  referral.SourceInput{Type: "gp"},
			Reasons: []string{"loneliness"}, Consent: referral.ConsentInput{Given: true}, SchemeID: "org_s",
		}, "", "api")
		if err != nil {
			tb.Fatalf("referral at %s: %v", pc, err)
		}
		execSQL(tb, d, `INSERT INTO conversations (id, referral_id, held_at, mode, what_matters, strengths, interests, notes, needs, by_user, created_at)
			VALUES ($1, $2, '2026-01-10', 'in_person', '', '[]', $3, '', '[]', 'usr_lw', 1)`, fmt.Sprintf("cv%d", i), r.ID,
			benchInterests[i%len(benchInterests)]+" and "+benchInterests[(i*7)%len(benchInterests)])
		execSQL(tb, d, `INSERT INTO referral_preferences (referral_id, days, times, max_km, accessibility, updated_at, updated_by)
			VALUES ($1, $2, '["afternoon"]', 5, '[]', 1, 'usr_lw')`, r.ID, `["`+benchDays[i%7]+`"]`)
		bench.refs = append(bench.refs, r.ID)
	}
	bench.v = community.NewVolunteering(d)
	bench.v.Now = func() time.Time { return time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) }
}

func BenchmarkVolunteerSuggestions(b *testing.B) {
	bench.once.Do(func() { seedBench(b) })
	if bench.v == nil {
		b.Fatal("seeding failed")
	}
	ctx := context.Background()
	by := oikos.Actor{UserID: "usr_mgr", Client: "bench"}
	took := make([]time.Duration, 0, b.N)
	considered := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		got, err := bench.v.VolunteerSuggestions(ctx, by, bench.manager, bench.refs[i%len(bench.refs)], community.SuggestOptions{})
		took = append(took, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		if len(got.Items) == 0 {
			b.Fatalf("no volunteers suggested for %s", bench.refs[i%len(bench.refs)])
		}
		considered += got.Considered
	}
	b.StopTimer()
	slices.Sort(took)
	at := func(q float64) float64 {
		return float64(took[min(len(took)-1, int(q*float64(len(took))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.5), "p50-ms")
	b.ReportMetric(at(0.95), "p95-ms")
	b.ReportMetric(float64(took[len(took)-1].Microseconds())/1000, "max-ms")
	b.ReportMetric(float64(considered)/float64(b.N), "considered/op")
}

func marshalJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
