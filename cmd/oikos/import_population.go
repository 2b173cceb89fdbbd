package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"oikos"
	"oikos/data/population"
	"oikos/internal/app"
	"oikos/internal/db"
	"oikos/internal/referral"
	"oikos/internal/report"
)

// importPopulation runs "oikos import population FILE": the denominators
// of the fair-coverage report, from a CSV (format in README.md).
func (e *env) importPopulation(ctx context.Context, args []string) error {
	fs := e.flags("import population", "import population FILE [--db URL]\n\n"+
		"Imports population figures for the fair-coverage report from a CSV with the header\n"+
		"area,deprivation_decile,age_band,sex,ethnicity,population (README.md describes it). Each\n"+
		"figure replaces the one held for the same area and group; others are kept. A file with a\n"+
		"mistake writes nothing and names the line and column. FILE may be - for standard input.")
	dbURL := e.dbFlag(fs)
	input, err := positional(fs, args, "CSV file to import")
	if err != nil {
		return err
	}
	data, err := e.readInput(input)
	if err != nil {
		return err
	}
	rows, err := report.ParsePopulation(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("%s: %s", input, oikos.ErrorMessage(err))
	}
	d, err := e.open(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer d.Close()
	rep, err := report.ImportPopulation(ctx, d, rows, time.Now())
	if err != nil {
		return fmt.Errorf("import population from %s: %w", input, err)
	}
	printPopulationReport(e.stdout, input, rep)
	return nil
}

func printPopulationReport(w io.Writer, input string, rep report.PopulationReport) {
	fmt.Fprintf(w, "Imported population figures for %d areas from %s: %d figures, %d new and %d replaced.\n",
		rep.Areas, input, rep.Rows, rep.Added, rep.Replaced)
}

// loadDemoPopulation loads the illustrative Devon figures that ship with
// Oikos, so the demo's fair-coverage report has denominators. Loading
// again replaces them with the same figures.
func loadDemoPopulation(ctx context.Context, d *db.DB, out io.Writer) error {
	rows, err := report.ParsePopulation(bytes.NewReader(population.DevonSample))
	if err != nil {
		return fmt.Errorf("the sample population figures: %w", err)
	}
	rep, err := report.ImportPopulation(ctx, d, rows, time.Now())
	if err != nil {
		return err
	}
	printPopulationReport(out, "the illustrative Devon sample (not ONS data)", rep)
	return nil
}

// loadDemoUnmetNeeds reads the suggestions for every open demo referral
// once, as its link worker would, so that the needs left without enough
// suitable support nearby are recorded for the unmet needs report. Run
// again the same day, it records nothing new (one row per referral, need
// and day).
func loadDemoUnmetNeeds(ctx context.Context, a *app.App, out io.Writer) error {
	d := a.DB
	ids, err := db.Strings(ctx, d.R(), "SELECT id FROM referrals WHERE channel = 'demo' AND status <> 'closed' ORDER BY received_at")
	if err != nil {
		return err
	}
	refs, suggester := a.Referrals, a.Suggester
	by := referral.Actor{UserID: "system", Client: "demo"}
	for _, id := range ids {
		ref, err := refs.Get(ctx, id)
		if err != nil {
			return err
		}
		if _, err := suggester.Suggest(ctx, by, ref); err != nil {
			return fmt.Errorf("demo suggestions for %s: %w", ref.Reference, err)
		}
	}
	var unmet int
	if err := d.R().QueryRowContext(ctx, "SELECT COUNT(DISTINCT referral_id) FROM unmet_needs").Scan(&unmet); err != nil {
		return err
	}
	fmt.Fprintf(out, "Unmet needs: suggestions read for %d open referrals; %d had a need with too little suitable support nearby.\n", len(ids), unmet)
	return nil
}
