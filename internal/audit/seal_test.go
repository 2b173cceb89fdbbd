package audit_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"oikos/internal/audit"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

var testKey = []byte("a test key of at least thirty-two bytes")

// withKey seals what fn appends with k, then turns sealing off again.
func withKey(t *testing.T, k []byte, fn func()) {
	t.Helper()
	if err := audit.UseKey(k); err != nil {
		t.Fatal(err)
	}
	defer audit.ForgetKey()
	fn()
}

// recompute rewrites entry from (changing its actor) and every entry after
// it with hashes that chain again, as someone with write access to the
// database but without the key would. blank says whether they also clear
// the seals they cannot make.
func recompute(t *testing.T, d *db.DB, from int64, blank bool) {
	t.Helper()
	ctx := context.Background()
	rows, err := d.R().QueryContext(ctx, "SELECT id, at, actor_id, action, object_kind, object_id, client, prev_hash FROM audit_log ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		id int64
		e  audit.Event
		pv string
	}
	var all []row
	for rows.Next() {
		var r row
		var at int64
		if err := rows.Scan(&r.id, &at, &r.e.ActorID, &r.e.Action, &r.e.ObjectKind, &r.e.ObjectID, &r.e.Client, &r.pv); err != nil {
			t.Fatal(err)
		}
		r.e.At = db.Time(at)
		all = append(all, r)
	}
	rows.Close()
	var sqls []string
	prev := ""
	for _, r := range all {
		if r.id < from {
			continue
		}
		if prev == "" {
			prev = r.pv
			r.e.ActorID = "usr_mallory"
		}
		h := audit.Hash(prev, r.e)
		set := "actor_id = '" + r.e.ActorID + "', prev_hash = '" + prev + "', hash = '" + h + "'"
		if blank {
			set += ", mac = ''"
		}
		sqls = append(sqls, "UPDATE audit_log SET "+set+" WHERE id = "+strconv.FormatInt(r.id, 10))
		prev = h
	}
	tamper(t, d, sqls...)
}

func brokenAt(t *testing.T, err error, id int64, reason string) {
	t.Helper()
	var b *audit.BrokenError
	if !errors.As(err, &b) || b.ID != id || !strings.Contains(b.Reason, reason) {
		t.Fatalf("got %v, want entry %d broken: %s", err, id, reason)
	}
}

func TestKeyDetectsARecomputedChain(t *testing.T) {
	for _, blank := range []bool{false, true} {
		name := map[bool]string{false: "seals kept", true: "seals cleared"}[blank]
		t.Run(name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				ctx := context.Background()
				withKey(t, testKey, func() { appendN(t, d, 5) })
				r, err := audit.Check(ctx, d.R(), audit.CheckOptions{Key: testKey})
				if err != nil || r.Entries != 5 || r.Sealed != 5 || r.Unsealed != 0 {
					t.Fatalf("intact: %+v %v", r, err)
				}
				recompute(t, d, 3, blank)
				// The chain alone cannot tell.
				if n, err := audit.Verify(ctx, d.R()); err != nil || n != 5 {
					t.Fatalf("chain only: %d %v", n, err)
				}
				_, err = audit.Check(ctx, d.R(), audit.CheckOptions{Key: testKey})
				if blank {
					brokenAt(t, err, 3, "no seal though entries before it do")
				} else {
					brokenAt(t, err, 3, "seal does not match")
				}
			})
		})
	}
}

func TestKeyAfterAnUnsealedStart(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		appendN(t, d, 3)
		// No entry sealed yet: with a key, that is either a log never
		// written with it or one recomputed whole.
		_, err := audit.Check(ctx, d.R(), audit.CheckOptions{Key: testKey})
		brokenAt(t, err, 3, "no entry carries a seal")
		withKey(t, testKey, func() { appendN(t, d, 2) })
		r, err := audit.Check(ctx, d.R(), audit.CheckOptions{Key: testKey})
		if err != nil || r.Unsealed != 3 || r.Sealed != 2 {
			t.Fatalf("%+v %v", r, err)
		}
		_, err = audit.Check(ctx, d.R(), audit.CheckOptions{Key: []byte("another key, also thirty-two bytes long")})
		brokenAt(t, err, 4, "seal does not match")
		// Written without the key after sealed entries: the write is
		// refused, plainly, rather than breaking every later check.
		err = audit.Record(ctx, d, audit.Event{ActorID: "usr_a", Action: audit.Read, ObjectKind: "person", ObjectID: "per_1"})
		if !errors.Is(err, audit.ErrSealedWithoutKey) {
			t.Fatalf("an unsealed write after sealed entries: %v", err)
		}
		// One written anyway (by an older version, or by hand) is caught.
		var prev string
		if err := d.R().QueryRowContext(ctx, "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").Scan(&prev); err != nil {
			t.Fatal(err)
		}
		e := audit.Event{At: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), ActorID: "usr_a", Action: audit.Read, ObjectKind: "person", ObjectID: "per_1"}
		if _, err := d.Exec(ctx, `INSERT INTO audit_log (at, actor_id, action, object_kind, object_id, client, prev_hash, hash, mac)
			VALUES ($1, $2, $3, $4, $5, '', $6, $7, '')`, db.Millis(e.At), e.ActorID, e.Action, e.ObjectKind, e.ObjectID, prev, audit.Hash(prev, e)); err != nil {
			t.Fatal(err)
		}
		_, err = audit.Check(ctx, d.R(), audit.CheckOptions{Key: testKey})
		brokenAt(t, err, 6, "no seal though entries before it do")
	})
}

func TestUseKeyRefusesShortKeys(t *testing.T) {
	if err := audit.UseKey([]byte("short")); err == nil {
		audit.ForgetKey()
		t.Fatal("a 5-byte key was accepted")
	}
}

// TestConcurrentSealedAppends: appends racing on one database (several
// servers on one PostgreSQL) still make one chain, every entry sealed.
func TestConcurrentSealedAppends(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		withKey(t, testKey, func() {
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(func() {
					for range 10 {
						err := audit.Record(context.Background(), d, audit.Event{ActorID: "usr_a", Action: audit.Update, ObjectKind: "user", ObjectID: "usr_b"})
						if err != nil {
							t.Error(err)
						}
					}
				})
			}
			wg.Wait()
		})
		r, err := audit.Check(context.Background(), d.R(), audit.CheckOptions{Key: testKey})
		if err != nil || r.Entries != 40 || r.Sealed != 40 {
			t.Fatalf("%+v %v", r, err)
		}
	})
}

func TestAnchorsDetectTruncation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "anchors")
		a := &audit.Anchorer{DB: d, Path: path}
		if err := a.Open(ctx); err != nil {
			t.Fatal(err)
		}
		if err := a.Write(ctx); err != nil { // an empty log: nothing to anchor
			t.Fatal(err)
		}
		withKey(t, testKey, func() { appendN(t, d, 5) })
		for range 2 { // twice: the second finds nothing new
			if err := a.Write(ctx); err != nil {
				t.Fatal(err)
			}
		}
		withKey(t, testKey, func() { appendN(t, d, 2) })
		anchors, torn, err := audit.ReadAnchorFile(path)
		if err != nil || torn || len(anchors) != 1 || anchors[0].ID != 5 || anchors[0].MAC == "" {
			t.Fatalf("anchor file: %+v torn=%v %v", anchors, torn, err)
		}
		r, err := audit.Check(ctx, d.R(), audit.CheckOptions{Key: testKey, Anchors: anchors})
		if err != nil || r.Anchored != 1 || r.Latest.ID != 5 || r.Entries != 7 {
			t.Fatalf("intact: %+v %v", r, err)
		}
		// Cut from the end, back past the anchor: the chain still holds,
		// and the seals too, but the anchored entry is gone.
		tamper(t, d, "DELETE FROM audit_log WHERE id >= 4")
		if n, err := audit.Verify(ctx, d.R()); err != nil || n != 3 {
			t.Fatalf("chain only: %d %v", n, err)
		}
		if _, err := audit.Check(ctx, d.R(), audit.CheckOptions{Key: testKey}); err != nil {
			t.Fatalf("seals only: %v", err)
		}
		_, err = audit.Check(ctx, d.R(), audit.CheckOptions{Key: testKey, Anchors: anchors})
		brokenAt(t, err, 5, "entries were cut from the end")
	})
}

func TestAnchorsDetectARewriteEvenWithTheKey(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "anchors")
		a := &audit.Anchorer{DB: d, Path: path}
		appendN(t, d, 4)
		if err := a.Write(ctx); err != nil {
			t.Fatal(err)
		}
		anchors, _, err := audit.ReadAnchorFile(path)
		if err != nil {
			t.Fatal(err)
		}
		recompute(t, d, 2, false) // unsealed log: the chain and seals say nothing
		_, err = audit.Check(ctx, d.R(), audit.CheckOptions{Anchors: anchors})
		brokenAt(t, err, 4, "differs from its anchor")
	})
}

func TestAnchorFileWithAnotherKey(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		withKey(t, testKey, func() { appendN(t, d, 2) })
		tail, ok, err := audit.Tail(ctx, d.R())
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		forged := tail
		forged.MAC = audit.Seal([]byte("another key, also thirty-two bytes long"), tail.Hash)
		_, err = audit.Check(ctx, d.R(), audit.CheckOptions{Key: testKey, Anchors: []audit.Anchor{forged}})
		brokenAt(t, err, 2, "anchor carries a seal that does not match")
	})
}

func TestOpenWarnsWhenTheLogLostItsAnchor(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "anchors")
		line := audit.Anchor{At: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), ID: 99, Hash: strings.Repeat("a", 64)}.String()
		if err := os.WriteFile(path, []byte("# anchors\n"+line+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		var logged bytes.Buffer
		a := &audit.Anchorer{DB: d, Path: path, Log: slog.New(slog.NewTextHandler(&logged, nil))}
		if err := a.Open(ctx); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(logged.String(), "entries were cut from the end") || !strings.Contains(logged.String(), "entry=99") {
			t.Errorf("no warning: %q", logged.String())
		}
		if err := (&audit.Anchorer{DB: d, Path: filepath.Join(t.TempDir(), "no", "such", "dir")}).Open(ctx); err == nil {
			t.Error("an anchor file that cannot be written was accepted")
		}
	})
}

func TestReadAnchors(t *testing.T) {
	h := strings.Repeat("0123456789abcdef", 4)
	good := "2026-11-23T09:00:00Z 17 " + h + " -\n"
	cases := []struct {
		name, in string
		n        int
		torn     bool
		err      string
	}{
		{"empty", "", 0, false, ""},
		{"one", good, 1, false, ""},
		{"comments and blanks", "# oikos audit anchors\n\n" + good + good, 2, false, ""},
		{"torn last line", good + "2026-11-23T09:01:00Z 18 " + h[:20], 1, true, ""},
		{"sealed", "2026-11-23T09:00:00Z 17 " + h + " " + h + "\n", 1, false, ""},
		{"three fields", "2026-11-23T09:00:00Z 17 " + h + "\n", 0, false, "line 1: want 4 fields"},
		{"bad time", good + "yesterday 17 " + h + " -\n", 0, false, "line 2: time"},
		{"bad id", "2026-11-23T09:00:00Z -1 " + h + " -\n", 0, false, "entry id"},
		{"upper-case hash", "2026-11-23T09:00:00Z 17 " + strings.ToUpper(h) + " -\n", 0, false, "hash"},
		{"short seal", "2026-11-23T09:00:00Z 17 " + h + " abc\n", 0, false, "seal"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, torn, err := audit.ReadAnchors(strings.NewReader(c.in))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err %v, want %q", err, c.err)
				}
				return
			}
			if err != nil || len(got) != c.n || torn != c.torn {
				t.Fatalf("%d anchors, torn %v, err %v; want %d, %v", len(got), torn, err, c.n, c.torn)
			}
		})
	}
}

// FuzzParseAnchor: any line the parser takes writes back as a line that
// parses to the same anchor; nothing panics.
func FuzzParseAnchor(f *testing.F) {
	h := strings.Repeat("0123456789abcdef", 4)
	for _, s := range []string{"2026-11-23T09:00:00Z 17 " + h + " -", "2026-11-23T09:00:00.5Z 17 " + h + " -", "2026-11-23T09:00:00+01:00 1 " + h + " " + h, "", "a b c d", "2026-11-23T09:00:00Z 9223372036854775807 " + h + " -"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		a, err := audit.ParseAnchor(line)
		if err != nil {
			return
		}
		b, err := audit.ParseAnchor(a.String())
		if err != nil || b != a {
			t.Fatalf("%q parsed to %+v, wrote %q, read back %+v (%v)", line, a, a.String(), b, err)
		}
	})
}
