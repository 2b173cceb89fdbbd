package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"

	"oikos/internal/app"
	"oikos/internal/privacy"
)

// retentionFlag adds --retention-years, defaulting to $OIKOS_RETENTION_YEARS,
// else privacy.DefaultRetentionYears.
func (e *env) retentionFlag(fs *flag.FlagSet) *int {
	def := privacy.DefaultRetentionYears
	if v := e.getenv("OIKOS_RETENTION_YEARS"); v != "" {
		// A bad value is reported by checkRetention after parsing, with
		// the flag's name; -1 cannot be meant.
		if n, err := strconv.Atoi(v); err == nil {
			def = n
		} else {
			def = -1
		}
	}
	return fs.Int("retention-years", def, "erase the details of people whose every referral closed more than this many years ago, daily (env OIKOS_RETENTION_YEARS)")
}

func checkRetention(years int) error {
	if err := privacy.CheckRetentionYears(years); err != nil {
		return fmt.Errorf("--retention-years (or OIKOS_RETENTION_YEARS): %w", err)
	}
	return nil
}

// retentionCmd is `oikos retention run`: the daily erasure, once, now.
func (e *env) retentionCmd(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "run" {
		return errors.New(`unknown retention command: try "oikos retention run --help"`)
	}
	fs := e.flags("retention run", "retention run [--retention-years N] [--db URL]")
	dbURL := e.dbFlag(fs)
	years := e.retentionFlag(fs)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if err := checkRetention(*years); err != nil {
		return err
	}
	a, err := e.openApp(ctx, *dbURL, app.Config{})
	if err != nil {
		return err
	}
	defer a.DB.Close()
	n, err := a.Privacy.RunRetention(ctx, *years)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Erased the details of %d people whose every referral closed more than %d years ago.\n", n, *years)
	return nil
}
