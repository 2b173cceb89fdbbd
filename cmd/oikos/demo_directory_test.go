package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"oikos/internal/db"
	"oikos/internal/directory"
	"oikos/internal/postcode"
	"oikos/internal/taxonomy"
)

func TestDemoDirectoryData(t *testing.T) {
	orgs := map[string]bool{}
	for _, o := range demoDirectoryOrgs {
		if orgs[o.id] {
			t.Errorf("organisation %s listed twice", o.id)
		}
		orgs[o.id] = true
	}
	used := map[string]bool{}
	ids := map[string]bool{}
	for _, s := range demoDirectoryServices {
		if ids[s.id] {
			t.Errorf("service id %s used twice", s.id)
		}
		ids[s.id] = true
		if !orgs[s.org] {
			t.Errorf("%s: unknown organisation %q", s.id, s.org)
		}
		used[s.org] = true
		in, err := s.input("org_test", demoOrg{})
		if err != nil {
			t.Errorf("%s: %v", s.id, err)
			continue
		}
		if err := in.Validate(); err != nil {
			t.Errorf("%s: %v", s.id, err)
		}
		if n := strings.Count(s.desc, ". ") + 1; n < 2 || n > 5 {
			t.Errorf("%s: description has about %d sentences, want 2 to 4", s.id, n)
		}
		// A group whose words say it is for women or for men says so in
		// for_sex, so that suggestions can tell (Men's Sheds welcome all).
		words := strings.ToLower(s.who + " " + s.desc)
		want := "any"
		switch {
		case strings.Contains(words, "women-only") || strings.HasPrefix(strings.ToLower(s.who), "women") || strings.Contains(words, "session for women"):
			want = "female"
		case strings.HasPrefix(strings.ToLower(s.who), "men ") || strings.Contains(words, "where men can") || strings.Contains(words, "with other men"):
			want = "male"
		}
		if in.ForSex != want {
			t.Errorf("%s: for %q, but its words say %q", s.id, in.ForSex, want)
		}
	}
	for id := range orgs {
		if !used[id] {
			t.Errorf("organisation %s runs no services", id)
		}
	}
	for key, v := range demoVenues {
		pc, ok := postcode.Normalise(v.postcode)
		if !ok || pc != v.postcode {
			t.Errorf("venue %s: postcode %q is not in standard form", key, v.postcode)
		}
		if _, ok := postcode.OutcodeCentre(postcode.Outcode(pc)); !ok {
			t.Errorf("venue %s: unknown district in %q", key, v.postcode)
		}
	}
}

func TestDemoDirectoryLoads(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "o.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := loadDemoDirectory(ctx, d, &out); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("Directory: %d services from %d organisations.\n", len(demoDirectoryServices), len(demoDirectoryOrgs))
	if out.String() != want {
		t.Errorf("printed %q, want %q", out.String(), want)
	}

	store := directory.NewStore(d)
	all, total, err := store.List(ctx, directory.ListFilter{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	if total < 160 || total != len(demoDirectoryServices) || len(all) != total {
		t.Fatalf("%d services stored (%d listed), want %d and at least 160", total, len(all), len(demoDirectoryServices))
	}
	perCategory := map[string]int{}
	for _, s := range all {
		for _, c := range s.Categories {
			perCategory[c]++
		}
		if s.Latitude == nil || s.Longitude == nil {
			t.Errorf("%s (%s) has no location", s.Name, s.Postcode)
		}
		if s.Source != demoSource || s.SourceID == "" {
			t.Errorf("%s: source %q/%q", s.Name, s.Source, s.SourceID)
		}
	}
	for _, c := range taxonomy.Categories {
		if perCategory[c.Code] < 5 {
			t.Errorf("category %s has %d services, want at least 5", c.Code, perCategory[c.Code])
		}
	}
	stale, _, err := store.List(ctx, directory.ListFilter{StaleBefore: time.Now().Add(-directory.StaleAfter), Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(stale) < 5 {
		t.Errorf("%d stale services, want at least 5", len(stale))
	}

	// Loading again updates in place.
	if err := loadDemoDirectory(ctx, d, &out); err != nil {
		t.Fatal(err)
	}
	_, again, err := store.List(ctx, directory.ListFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if again != total {
		t.Errorf("after loading twice: %d services, want %d", again, total)
	}
	var orgCount int
	if err := d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM organisations WHERE source = $1", demoSource).Scan(&orgCount); err != nil {
		t.Fatal(err)
	}
	if orgCount != len(demoDirectoryOrgs) {
		t.Errorf("after loading twice: %d organisations, want %d", orgCount, len(demoDirectoryOrgs))
	}
	stale2, _, err := store.List(ctx, directory.ListFilter{StaleBefore: time.Now().Add(-directory.StaleAfter), Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(stale2) != len(stale) {
		t.Errorf("after loading twice: %d stale services, want %d", len(stale2), len(stale))
	}
}
