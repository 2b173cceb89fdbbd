package referral_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/referral"
)

func TestNameKey(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Hughes", "hughes"},
		{"  Zoë ", "zoe"},
		{"O'Brien-Hughes", "obrienhughes"},
		{"O’Brien", "obrien"},
		{"Mary Anne", "maryanne"},
		{"de la Cruz", "delacruz"},
		{"Łukasz Żółć", "lukaszzolc"},
		{"Ærøskøbing", "aeroskobing"},
		{"Strauß", "strauss"},
		{"Ştefan Ţurcanu", "stefanturcanu"},
		{"Siân Llŷr", "sianllyr"},
		{"Þórr", "thorr"},
		{"ИВАН Петров", "иванпетров"},
		{"ΝΙΚΟΣ", "νικοσ"},
		{"李", "李"},
		{"St. John, Jr", "stjohnjr"},
		{"", ""},
	} {
		if got := referral.NameKey(tt.in); got != tt.want {
			t.Errorf("NameKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// foldedRunes is every rune the key changes, with a few that it keeps.
func foldedRunes() []rune {
	var out []rune
	for r := rune(0); r < 0x2000; r++ {
		if referral.NameKey(string(r)) != string(r) {
			out = append(out, r)
		}
	}
	return append(out, 'a', 'z', 'é', 'ж', '李', '0')
}

// One pass of the table must equal the chain of replace() calls the
// database makes: nothing a rune folds to is folded again.
func TestNameKeyIsIdempotent(t *testing.T) {
	for _, r := range foldedRunes() {
		k := referral.NameKey(string(r))
		if again := referral.NameKey(k); again != k {
			t.Errorf("%q folds to %q, which folds again to %q", r, k, again)
		}
	}
}

// The fold migration 0030 ran over the people held (NameKeySQL) agrees
// with NameKey for every letter folded, on both databases; and intake
// writes the keys of the names it stores.
func TestNameKeySQLAgrees(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		migration, err := os.ReadFile(filepath.Join("..", "db", "migrations", string(d.Dialect), "0030_link_workers_day.sql"))
		if err != nil {
			t.Fatal(err)
		}
		if want := "UPDATE people SET given_key = " + referral.NameKeySQL(string(d.Dialect), "given_name") + ",\n\tfamily_key = " +
			referral.NameKeySQL(string(d.Dialect), "family_name") + "\n"; !strings.Contains(string(migration), want) {
			t.Errorf("the migration does not hold NameKeySQL(%q): regenerate it", d.Dialect)
		}
		ctx := context.Background()
		runes := foldedRunes()
		var names []string
		for i := 0; i < len(runes); i += 12 {
			chunk := string(runes[i:min(i+12, len(runes))])
			names = append(names, "X"+chunk+" y-'z", strings.ToUpper(chunk))
		}
		names = append(names, "Zoë O'Brien-Hughes", "Mary Anne", "")
		query := "SELECT " + referral.NameKeySQL(string(d.Dialect), "CAST($1 AS TEXT)")
		for _, n := range names {
			var got string
			if err := d.R().QueryRowContext(ctx, query, n).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if want := referral.NameKey(n); got != want {
				t.Errorf("%q: database %q, NameKey %q", n, got, want)
			}
		}
		r, err := referral.NewStore(d).Create(ctx, gp, referral.Input{Person: referral.PersonInput{GivenName: "Zoë", FamilyName: "O'Brien-Hughes",
			DateOfBirth: "1990-01-31", Postcode: "EX4 4QJ"}, Source: referral.SourceInput{Type: "gp"}, Reasons: []string{"loneliness"},
			Consent: referral.ConsentInput{Given: true}}, "", "api")
		if err != nil {
			t.Fatal(err)
		}
		var gk, fk string
		if err := d.R().QueryRowContext(ctx, "SELECT given_key, family_key FROM people WHERE id = $1", r.PersonID).Scan(&gk, &fk); err != nil ||
			gk != "zoe" || fk != "obrienhughes" {
			t.Fatalf("intake keys %q %q %v", gk, fk, err)
		}
	})
}
