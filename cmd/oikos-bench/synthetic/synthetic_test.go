package synthetic_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"oikos/cmd/oikos-bench/synthetic"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/directory"
	"oikos/internal/postcode"
)

func TestDistrictsAreEveryDistrict(t *testing.T) {
	list := synthetic.Districts()
	if len(list) != 2973 {
		t.Errorf("found %d districts, want the 2,973 in outcodes.csv", len(list))
	}
	for _, d := range []string{"AB10", "EC1A", "EX4", "SW1A", "ZE3"} {
		if _, ok := postcode.OutcodeCentre(d); !ok {
			t.Errorf("%s has no centre", d)
		}
	}
}

func TestGenerate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if err := synthetic.Generate(ctx, d, 500, 7, nil); err != nil {
			t.Fatal(err)
		}
		var services, orgs, noCategories, badRows int
		r := d.R()
		if err := r.QueryRowContext(ctx, "SELECT COUNT(*) FROM services WHERE status = 'active'").Scan(&services); err != nil {
			t.Fatal(err)
		}
		if err := r.QueryRowContext(ctx, "SELECT COUNT(*) FROM organisations WHERE kind = 'vcse'").Scan(&orgs); err != nil {
			t.Fatal(err)
		}
		if err := r.QueryRowContext(ctx, `SELECT COUNT(*) FROM services s WHERE s.categories = '' OR s.category_labels = ''
			OR NOT EXISTS (SELECT 1 FROM service_categories c WHERE c.service_id = s.id)`).Scan(&noCategories); err != nil {
			t.Fatal(err)
		}
		// Every row is as the store would write it: a place, a full
		// postcode, days matching the schedule.
		if err := r.QueryRowContext(ctx, `SELECT COUNT(*) FROM services s WHERE s.latitude IS NULL OR s.postcode NOT LIKE '% ___'
			OR s.days <> COALESCE((SELECT SUM(DISTINCT CASE day WHEN 1 THEN 1 WHEN 2 THEN 2 WHEN 3 THEN 4 WHEN 4 THEN 8 WHEN 5 THEN 16 WHEN 6 THEN 32 ELSE 64 END)
				FROM service_schedules x WHERE x.service_id = s.id), 0)`).Scan(&badRows); err != nil {
			t.Fatal(err)
		}
		if services != 500 || orgs < 60 || orgs > 160 || noCategories != 0 || badRows != 0 {
			t.Fatalf("%d services, %d organisations, %d without categories, %d malformed", services, orgs, noCategories, badRows)
		}

		// Search finds what was generated: walks near where one is.
		var pc string
		if err := r.QueryRowContext(ctx, "SELECT postcode FROM services WHERE name LIKE '%Walk%' AND categories LIKE 'walking_groups%' ORDER BY id LIMIT 1").Scan(&pc); err != nil {
			t.Fatal(err)
		}
		s := directory.NewStore(d)
		for _, params := range []string{
			"q=walk&near=" + url.QueryEscape(postcode.Outcode(pc)) + "&within_km=5",
			"q=walk&near=" + url.QueryEscape(pc) + "&within_km=5",
			"category=walking_groups&near=" + url.QueryEscape(pc) + "&within_km=5",
			"q=walking",
		} {
			v, _ := url.ParseQuery(params)
			q, err := directory.ParseQuery(v, 50)
			if err != nil {
				t.Fatal(err)
			}
			res, err := s.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Items) == 0 {
				t.Errorf("%s: nothing found", params)
			}
			for _, h := range res.Items {
				if q.Near != "" && (h.DistanceKm == nil || *h.DistanceKm > 5) {
					t.Errorf("%s: %s has distance %v", params, h.Name, h.DistanceKm)
				}
				if len(h.Categories) == 0 || h.Organisation == "" || h.Description == "" {
					t.Errorf("%s: %s is incomplete: %+v", params, h.Name, h.Service)
				}
			}
		}

		// The search terms the benchmark uses find things (a few rare
		// activities may have no service among only 500).
		terms, missed := synthetic.Terms(), 0
		for _, term := range terms {
			res, err := s.Search(ctx, directory.Query{Text: term.Text, Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			if res.Total == 0 {
				missed++
			}
		}
		if missed > len(terms)/10 {
			t.Errorf("%d of %d search terms find nothing", missed, len(terms))
		}
	})
}

func TestGenerateIsDeterministic(t *testing.T) {
	ctx := context.Background()
	fingerprint := func(seed int64) string {
		d := dbtest.SQLite(t)
		if err := synthetic.Generate(ctx, d, 50, seed, nil); err != nil {
			t.Fatal(err)
		}
		rows, err := d.R().QueryContext(ctx, "SELECT id || name || description || categories || postcode || latitude FROM services ORDER BY pk")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var b strings.Builder
		for rows.Next() {
			var s string
			rows.Scan(&s)
			b.WriteString(s)
		}
		return b.String()
	}
	a, b, c := fingerprint(1), fingerprint(1), fingerprint(2)
	if a != b {
		t.Error("the same seed gave different directories")
	}
	if a == c {
		t.Error("different seeds gave the same directory")
	}
}
