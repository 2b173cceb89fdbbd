package main

// --mode golden: a check that a change to how suggestions are found leaves
// every answer as it was. It reads the SQLite database --mode suggestions
// built in --dir (run that once with --db sqlite --dir DIR first; it is
// rebuilt, with new ids, each time that mode runs) and asks for every
// referral's suggestions on a fixed day. The first run writes them to
// --golden FILE; later runs compare and name each referral whose
// suggestions differ. The calls audit and record unmet needs, as reads do.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"oikos/internal/app"
	"oikos/internal/db"
	"oikos/internal/referral"
)

func runGolden(ctx context.Context, o options, out io.Writer) error {
	if o.golden == "" {
		return errors.New("--mode golden needs --golden FILE")
	}
	path := filepath.Join(o.dir, fmt.Sprintf("suggest-%d-seed%d.db", o.services, o.seed))
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no suggestions database at %s: run --mode suggestions --db sqlite --dir %s first", path, o.dir)
	}
	d, err := openMigrated(ctx, "sqlite:"+path)
	if err != nil {
		return err
	}
	defer d.Close()
	ids, err := db.Strings(ctx, d.R(), "SELECT id FROM referrals ORDER BY id")
	if err != nil {
		return err
	}
	day := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	a := benchApp(d, app.Config{Now: func() time.Time { return day }})
	refs, s := a.Referrals, a.Suggester
	by := referral.Actor{UserID: "usr_golden", Client: "oikos-bench"}
	var got [][]byte
	for _, id := range ids {
		r, err := refs.Get(ctx, id)
		if err != nil {
			return err
		}
		answer, err := s.Suggest(ctx, by, r)
		if err != nil {
			return fmt.Errorf("referral %s: %w", id, err)
		}
		line, _ := json.Marshal(answer)
		got = append(got, line)
	}
	want, err := os.ReadFile(o.golden)
	if errors.Is(err, os.ErrNotExist) {
		if err := os.WriteFile(o.golden, append(bytes.Join(got, []byte("\n")), '\n'), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(out, "wrote %d referrals' suggestions to %s\n", len(got), o.golden)
		return nil
	}
	if err != nil {
		return err
	}
	wantLines := bytes.Split(bytes.TrimSuffix(want, []byte("\n")), []byte("\n"))
	if len(wantLines) != len(got) {
		return fmt.Errorf("%d referrals, %s holds %d: was the database built again?", len(got), o.golden, len(wantLines))
	}
	differ := 0
	for i := range got {
		if !bytes.Equal(got[i], wantLines[i]) {
			differ++
			if differ <= 10 {
				fmt.Fprintf(out, "referral %s: suggestions differ\n got %s\nwant %s\n", ids[i], clip(string(got[i]), 600), clip(string(wantLines[i]), 600))
			}
		}
	}
	if differ > 0 {
		return fmt.Errorf("%d of %d referrals' suggestions differ from %s", differ, len(got), o.golden)
	}
	fmt.Fprintf(out, "all %d referrals' suggestions are as in %s\n", len(got), o.golden)
	return nil
}
