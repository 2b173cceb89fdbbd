package directory

import (
	"context"
	"net/url"
	"testing"

	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// The cells migration 0019 gives services in SQL are the ones geoCell
// works out, at the edges and beyond them too; a service with no place is
// in a cell of its own that no box reaches; and keys stay unique.
func TestSQLiteKeysFollowCells(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	if _, err := d.Exec(ctx, `INSERT INTO organisations (id, name, kind, created_at, updated_at) VALUES ('org_cells', 'Cells', 'vcse', 0, 0)`); err != nil {
		t.Fatal(err)
	}
	places := [][2]float64{
		{50.7236, -3.5275}, {51.5074, -0.1278}, {60.80, -0.80}, {49.0, -9.0}, {49.05, -8.95},
		{48.2, -10.5}, {63.0, 3.5}, {54.999999, -2.000001}, {55.0, -2.0}, {51.4, 1.999},
	}
	for i, p := range places {
		if _, err := d.Exec(ctx, `INSERT INTO services (id, organisation_id, name, latitude, longitude, created_at, updated_at, last_checked_at)
			VALUES ($1, 'org_cells', 'Cell test', $2, $3, 0, 0, 0)`, "svc_cell"+string(rune('a'+i)), p[0], p[1]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.Exec(ctx, `INSERT INTO services (id, organisation_id, name, created_at, updated_at, last_checked_at)
		VALUES ('svc_nowhere', 'org_cells', 'Cell test', 0, 0, 0)`); err != nil {
		t.Fatal(err)
	}
	rows, err := d.R().QueryContext(ctx, `SELECT id, pk, latitude, longitude FROM services WHERE organisation_id = 'org_cells'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[int64]bool{}
	for rows.Next() {
		var id string
		var pk int64
		var lat, lon *float64
		if err := rows.Scan(&id, &pk, &lat, &lon); err != nil {
			t.Fatal(err)
		}
		want := int64(65535)
		if lat != nil {
			want = geoCell(*lat, *lon)
		}
		if pk>>cellShift != want {
			t.Errorf("%s at %v,%v: cell %d in SQL, %d in Go", id, deref(lat), deref(lon), pk>>cellShift, want)
		}
		if n := pk % (1 << cellShift); seen[n] {
			t.Errorf("%s: number %d used twice", id, n)
		}
		seen[pk%(1<<cellShift)] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

func deref(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}

// A service that moves is found near its new place and no longer near the
// old one, and its words are still in the index once, under its new key.
func TestSQLiteServiceMovesWithItsKey(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	s := NewStore(d)
	if _, err := d.Exec(ctx, `INSERT INTO organisations (id, name, kind, created_at, updated_at) VALUES ('org_move', 'Movers', 'vcse', 0, 0)`); err != nil {
		t.Fatal(err)
	}
	by := Actor{UserID: "usr_test", Client: "test"}
	v, err := s.Create(ctx, by, Input{OrganisationID: "org_move", Name: "Harbour Rowing Club", Description: "Rowing for all ages.",
		Categories: []string{"physical_activity"}, Postcode: "EX1 1AA"})
	if err != nil {
		t.Fatal(err)
	}
	found := func(near string) int {
		t.Helper()
		return foundBy(t, s, "q=rowing&within_km=10&near="+url.QueryEscape(near)) +
			foundBy(t, s, "category=physical_activity&within_km=10&near="+url.QueryEscape(near))
	}
	if found("EX1") != 2 || found("PL1") != 0 {
		t.Fatalf("before the move: near EX1 %d, near PL1 %d", found("EX1"), found("PL1"))
	}
	in := Input{OrganisationID: "org_move", Name: "Harbour Rowing Club", Description: "Rowing for all ages, now by the sea.",
		Categories: []string{"physical_activity"}, Postcode: "PL1 1AA"}
	if _, err := s.Update(ctx, by, v.ID, in); err != nil {
		t.Fatal(err)
	}
	if found("EX1") != 0 || found("PL1") != 2 {
		t.Errorf("after the move: near EX1 %d, near PL1 %d", found("EX1"), found("PL1"))
	}
	checkIndex(t, d)
}

// foundBy is how many services a search finds.
func foundBy(t *testing.T, s *Store, query string) int {
	t.Helper()
	vals, _ := url.ParseQuery(query)
	q, err := ParseQuery(vals, 50)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return res.Total
}

// checkIndex asks FTS5 to check its index against the services.
func checkIndex(t *testing.T, d *db.DB) {
	t.Helper()
	if _, err := d.Exec(context.Background(), `INSERT INTO services_fts (services_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
		t.Errorf("full-text index does not match the services: %v", err)
	}
}

// A search by words alone keeps its page until the directory changes,
// and sees at once a service added, renamed or closed.
func TestSQLiteWordsPagesFollowTheDirectory(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	s := NewStore(d)
	if _, err := d.Exec(ctx, `INSERT INTO organisations (id, name, kind, created_at, updated_at) VALUES ('org_words', 'Words', 'vcse', 0, 0)`); err != nil {
		t.Fatal(err)
	}
	by := Actor{UserID: "usr_test", Client: "test"}
	add := func(name string) Service {
		v, err := s.Create(ctx, by, Input{OrganisationID: "org_words", Name: name, Description: "Out on the water.",
			Categories: []string{"physical_activity"}, Postcode: "EX1 1AA"})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	first := add("Exe Rowing Club")
	if n := foundBy(t, s, "q=rowing"); n != 1 {
		t.Fatalf("one rowing club, found %d", n)
	}
	if n := foundBy(t, s, "q=rowing"); n != 1 {
		t.Fatalf("the same search again: found %d", n)
	}
	second := add("Topsham Rowing")
	if n := foundBy(t, s, "q=rowing"); n != 2 {
		t.Errorf("after adding a second: found %d, want 2", n)
	}
	in := Input{OrganisationID: "org_words", Name: "Topsham Paddlers", Description: "Out on the water.",
		Categories: []string{"physical_activity"}, Postcode: "EX1 1AA"}
	if _, err := s.Update(ctx, by, second.ID, in); err != nil {
		t.Fatal(err)
	}
	if n := foundBy(t, s, "q=rowing"); n != 1 {
		t.Errorf("after renaming one: found %d, want 1", n)
	}
	if _, err := d.Exec(ctx, "UPDATE services SET status = 'closed' WHERE id = $1", first.ID); err != nil {
		t.Fatal(err)
	}
	if n := foundBy(t, s, "q=rowing"); n != 0 {
		t.Errorf("after closing the last: found %d, want 0", n)
	}
}
