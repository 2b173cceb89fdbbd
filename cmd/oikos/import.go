package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"oikos/internal/app"
	"oikos/internal/directory"
)

const importUsage = `Usage:
  oikos import oruk FILE|URL [--db URL] [--source NAME]   import an HSDS 3 / Open Referral UK document or API
  oikos import postcodes FILE [--db URL]                  import full postcodes from the ONS Postcode Directory CSV
  oikos import population FILE [--db URL]                 import population figures for the fair-coverage report

Run "oikos import oruk --help" or "oikos import postcodes --help" for the options.
`

// importCmd runs "oikos import oruk FILE|URL" and "oikos import postcodes FILE".
func (e *env) importCmd(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, importUsage)
		return errors.New(`import: say what to import: "oikos import oruk FILE|URL" or "oikos import postcodes FILE"`)
	}
	switch args[0] {
	case "oruk":
		return e.importORUK(ctx, args[1:])
	case "postcodes":
		return e.importPostcodes(ctx, args[1:])
	case "population":
		return e.importPopulation(ctx, args[1:])
	case "help", "-h", "-help", "--help":
		fmt.Fprint(e.stderr, importUsage)
		return flag.ErrHelp
	}
	return fmt.Errorf(`unknown import %q: try "oikos import oruk FILE|URL" or "oikos import postcodes FILE"`, args[0])
}

// positional parses flags around one positional argument, which may come
// before or after them, as in "oikos import oruk FILE --db URL".
func positional(fs *flag.FlagSet, args []string, what string) (string, error) {
	var arg string
	if len(args) > 0 && (args[0] == "-" || !strings.HasPrefix(args[0], "-")) {
		arg, args = args[0], args[1:]
	}
	if err := parse(fs, args); err != nil {
		return "", err
	}
	if arg == "" && fs.NArg() > 0 {
		arg = fs.Arg(0)
	}
	if arg == "" || fs.NArg() > 1 || (arg != fs.Arg(0) && fs.NArg() > 0) {
		return "", fmt.Errorf("%s: name one %s", fs.Name(), what)
	}
	return arg, nil
}

// readInput reads a file, or standard input for "-".
func (e *env) readInput(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(e.stdin)
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", name, errors.Unwrap(err))
	}
	return data, nil
}

func (e *env) importORUK(ctx context.Context, args []string) error {
	fs := e.flags("import oruk", "import oruk FILE|URL [--db URL] [--source NAME] [--page-size N]\n\n"+
		"Imports services and organizations from an HSDS 3.0 / Open Referral UK document (a service, an\n"+
		"organization, a service_at_location, a list page or a tabular package) or from an API's address,\n"+
		"walked page by page. FILE may be - for standard input. Importing again updates, never duplicates.")
	dbURL := e.dbFlag(fs)
	source := fs.String("source", "oruk", "name of the directory the records come from; records are matched on it and their ids")
	pageSize := fs.Int("page-size", 100, "per_page when walking an API")
	input, err := positional(fs, args, "file or URL to import")
	if err != nil {
		return err
	}
	if *source = strings.TrimSpace(*source); *source == "" || len(*source) > 100 {
		return errors.New("--source: give a short name for the directory, such as oruk")
	}
	if *pageSize < 1 || *pageSize > 1000 {
		return errors.New("--page-size: must be from 1 to 1000")
	}
	isURL := strings.HasPrefix(input, "http://") || strings.HasPrefix(input, "https://")
	var data []byte
	if !isURL {
		if data, err = e.readInput(input); err != nil {
			return err
		}
	}
	a, err := e.openApp(ctx, *dbURL, app.Config{})
	if err != nil {
		return err
	}
	defer a.DB.Close()
	imp := &directory.Importer{Directory: a.Directory, Orgs: a.Orgs, Source: *source,
		Actor: directory.Actor{UserID: "system", Client: "command line"}, PageSize: *pageSize}
	var rep directory.ImportReport
	if isURL {
		rep, err = imp.ImportURL(ctx, input)
	} else {
		rep, err = imp.ImportDocument(ctx, data)
	}
	if rep.Written() > 0 || len(rep.Rejected) > 0 || err == nil {
		printImportReport(e.stdout, input, *source, rep)
	}
	if err != nil {
		if !isURL {
			return fmt.Errorf("%s: %w", input, err)
		}
		return err
	}
	if rep.Written() == 0 && len(rep.Rejected) > 0 {
		return fmt.Errorf("nothing was imported: all %d records were rejected (listed above)", len(rep.Rejected))
	}
	return nil
}

func printImportReport(w io.Writer, input, source string, rep directory.ImportReport) {
	fmt.Fprintf(w, "Imported from %s (source %q):\n", input, source)
	fmt.Fprintf(w, "  organisations: %d created, %d updated\n", rep.OrganisationsCreated, rep.OrganisationsUpdated)
	fmt.Fprintf(w, "  services: %d created, %d updated\n", rep.ServicesCreated, rep.ServicesUpdated)
	fmt.Fprintf(w, "  rejected: %d\n", len(rep.Rejected))
	describe := func(p directory.ImportProblem) string {
		s := p.Kind + " " + p.ID
		if p.ID == "" {
			s = p.Kind + " (no id)"
		}
		if p.Name != "" {
			s += fmt.Sprintf(" %q", p.Name)
		}
		return s
	}
	if len(rep.Rejected) > 0 {
		fmt.Fprintln(w, "Rejected:")
		for _, p := range rep.Rejected {
			fmt.Fprintf(w, "  %s: %s\n", describe(p), p.Text)
		}
	}
	if len(rep.Notes) > 0 {
		fmt.Fprintln(w, "Imported with changes:")
		for _, p := range rep.Notes {
			fmt.Fprintf(w, "  %s: %s\n", describe(p), p.Text)
		}
	}
	for _, warning := range rep.Warnings {
		fmt.Fprintf(w, "Warning: %s\n", warning)
	}
	if rep.Written() == 0 && len(rep.Rejected) == 0 {
		fmt.Fprintln(w, "The document held no services or organizations.")
	}
}

func (e *env) importPostcodes(ctx context.Context, args []string) error {
	fs := e.flags("import postcodes", "import postcodes FILE [--db URL]\n\n"+
		"Imports full UK postcodes with their coordinates from the ONS Postcode Directory CSV (plain or\n"+
		"gzipped; columns pcds or pcd, lat and long). Postcodes without coordinates are skipped. Safe to\n"+
		"run again with a newer edition: existing postcodes are updated. FILE may be - for standard input.")
	dbURL := e.dbFlag(fs)
	input, err := positional(fs, args, "CSV file to import")
	if err != nil {
		return err
	}
	var r io.Reader = e.stdin
	if input != "-" {
		f, err := os.Open(input)
		if err != nil {
			return fmt.Errorf("cannot read %s: %w", input, errors.Unwrap(err))
		}
		defer f.Close()
		r = f
	}
	d, err := e.open(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer d.Close()
	const every = 250_000
	next := every
	rep, err := directory.ImportPostcodes(ctx, d, r, func(written int) {
		if written >= next {
			fmt.Fprintf(e.stderr, "… %d postcodes written\n", written)
			next += every
		}
	})
	if err != nil {
		if rep.Imported > 0 {
			fmt.Fprintf(e.stdout, "%d postcodes were written before the import stopped.\n", rep.Imported)
		}
		return fmt.Errorf("import postcodes from %s: %w", input, err)
	}
	fmt.Fprintf(e.stdout, "Imported %d postcodes from %s; skipped %d without coordinates and %d that could not be read.\n",
		rep.Imported, input, rep.NoLocation, rep.Invalid)
	return nil
}
