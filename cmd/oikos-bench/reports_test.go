package main

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParsePGLog(t *testing.T) {
	log := `2026-11-23 17:00:00.000 UTC [12] LOG:  duration: 0.050 ms  statement: BEGIN READ ONLY
2026-11-23 17:00:00.100 UTC [12] LOG:  duration: 812.250 ms  plan:
	Query Text: SELECT status, COUNT(*) FROM connections
			WHERE created_at >= $1 AND created_at < $2 GROUP BY status
	HashAggregate  (cost=1.00..2.00 rows=6 width=16) (actual time=800.1..800.2 rows=6 loops=1)
2026-11-23 17:00:00.101 UTC [12] LOG:  duration: 812.500 ms  execute stmtcache_3: SELECT status, COUNT(*) FROM connections
			WHERE created_at >= $1 AND created_at < $2 GROUP BY status
2026-11-23 17:00:00.101 UTC [12] DETAIL:  Parameters: $1 = '1700000000000', $2 = 'it''s'
2026-11-23 17:00:00.150 UTC [12] LOG:  duration: 0.100 ms  bind <unnamed>: SELECT 1 WHERE $1 IS NULL
2026-11-23 17:00:00.150 UTC [12] DETAIL:  Parameters: $1 = NULL
2026-11-23 17:00:00.200 UTC [12] LOG:  duration: 3.000 ms  execute <unnamed>: SELECT 1 WHERE $1 IS NULL
2026-11-23 17:00:00.200 UTC [12] DETAIL:  Parameters: $1 = NULL
`
	got := parsePGLog(strings.NewReader(log))
	if len(got) != 3 {
		t.Fatalf("got %d statements, want 3: %+v", len(got), got)
	}
	c := got[1]
	if c.took != 812500*time.Microsecond || !strings.HasPrefix(c.sql, "SELECT status, COUNT(*) FROM connections\n") {
		t.Errorf("statement = %v %q", c.took, c.sql)
	}
	if want := []string{"'1700000000000'", "'it''s'"}; !reflect.DeepEqual(c.params, want) {
		t.Errorf("params = %q, want %q", c.params, want)
	}
	if !strings.Contains(c.plan, "HashAggregate") {
		t.Errorf("plan not paired: %q", c.plan)
	}
	if got[2].plan != "" || !reflect.DeepEqual(got[2].params, []string{"NULL"}) {
		t.Errorf("last = %+v", got[2])
	}
}

func TestParamValue(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want any
	}{{"NULL", nil}, {"'1700000000000'", int64(1700000000000)}, {"'swemwbs'", "swemwbs"}, {"'it''s'", "it's"}, {"''", ""}} {
		if got := paramValue(tc.in); got != tc.want {
			t.Errorf("paramValue(%s) = %#v, want %#v", tc.in, got, tc.want)
		}
	}
}

func TestToSQLite(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"SUM((b::json->>'metric')::float8)", "SUM(json_extract(b, '$.metric'))"},
		{"((l::json->>'total')::float8 - (b::json->>'total')::float8)", "(json_extract(l, '$.total') - json_extract(b, '$.total'))"},
		{"SELECT COUNT(*) FROM referrals", "SELECT COUNT(*) FROM referrals"},
	} {
		if got := toSQLite(tc.in); got != tc.want {
			t.Errorf("toSQLite(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWeightedDraw(t *testing.T) {
	w := newWeighted[string]("a", 1, "b", 0, "c", 3)
	if w.cum[len(w.cum)-1] != 1 {
		t.Fatalf("cumulative weights end at %v", w.cum)
	}
	seen := map[string]int{}
	r := rand.New(rand.NewPCG(1, 2))
	for range 4000 {
		seen[w.draw(r)]++
	}
	if seen["b"] != 0 || seen["a"] < 900 || seen["a"] > 1100 || seen["c"] < 2900 {
		t.Errorf("draws by weight: %v", seen)
	}
}
