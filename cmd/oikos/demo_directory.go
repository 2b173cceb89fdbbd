package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"oikos/internal/db"
	"oikos/internal/directory"
	"oikos/internal/org"
)

// The demo directory: invented community organisations and services across
// Exeter and Devon, so that search, maps, referrals and reports have
// something believable to show. Every name, venue, phone number and address
// is made up; phone numbers are from Ofcom's ranges kept for drama, web and
// email addresses use example.org, and postcodes are well formed and in
// real Devon districts but not real delivery points.
//
// It is an Open Referral UK (HSDS 3.0) document, a list of organizations
// with their services, loaded by the importer behind `oikos import oruk`.
// What HSDS has no field for (citizen-led, start date, places free) is in
// attributes of Oikos's service details taxonomy (directory.ServiceDetailTerm).
//
//go:embed demodata/directory.json
var demoDirectoryJSON []byte

// demoSource marks the demo's organisations and services, so that loading
// them again updates rather than duplicates them.
const demoSource = "oikos-demo"

// demoDirectoryAsOf is the day the document's assured dates were written
// against: a service assured on 2026-03-01 had last been checked nine
// months before it.
var demoDirectoryAsOf = time.Date(2026, time.December, 1, 0, 0, 0, 0, time.UTC)

// loadDemoDirectory creates or updates the demo organisations and services.
// Running it again changes nothing but the timestamps.
func loadDemoDirectory(ctx context.Context, d *db.DB, out io.Writer) error {
	doc, err := demoDirectoryDocument(time.Now())
	if err != nil {
		return err
	}
	imp := &directory.Importer{Directory: directory.NewStore(d), Orgs: &org.Store{DB: d}, Source: demoSource,
		Actor: directory.Actor{UserID: "system", Client: "demo"}}
	report, err := imp.ImportDocument(ctx, doc)
	if err != nil {
		return fmt.Errorf("demo directory: %w", err)
	}
	// The document is Oikos's own: anything the importer had to refuse or
	// change is a mistake in it.
	if problems := append(report.Rejected, report.Notes...); len(problems) > 0 {
		p := problems[0]
		return fmt.Errorf("demo directory: %s %s (%s): %s (%d problems in all)", p.Kind, p.ID, p.Name, p.Text, len(problems))
	}
	fmt.Fprintf(out, "Directory: %d services from %d organisations.\n", report.ServicesCreated+report.ServicesUpdated,
		report.OrganisationsCreated+report.OrganisationsUpdated)
	return nil
}

// demoDirectoryDocument is the document with every assured date moved on by
// the time since demoDirectoryAsOf, so that the services it shows as checked
// months ago are as overdue whenever the demo is loaded.
func demoDirectoryDocument(now time.Time) ([]byte, error) {
	var orgs []map[string]any
	dec := json.NewDecoder(bytes.NewReader(demoDirectoryJSON))
	dec.UseNumber() // keeps prices and ages as written
	if err := dec.Decode(&orgs); err != nil {
		return nil, fmt.Errorf("demo directory: %w", err)
	}
	asOf := demoDirectoryAsOf
	months := (now.Year()-asOf.Year())*12 + int(now.Month()-asOf.Month())
	days := now.Day() - asOf.Day()
	for _, o := range orgs {
		services, _ := o["services"].([]any)
		for _, s := range services {
			svc, _ := s.(map[string]any)
			text, ok := svc["assured_date"].(string)
			if !ok {
				continue
			}
			assured, err := time.Parse(time.DateOnly, text)
			if err != nil {
				return nil, fmt.Errorf("demo directory: service %v: assured_date %q is not a date", svc["id"], text)
			}
			svc["assured_date"] = assured.AddDate(0, months, days).Format(time.DateOnly)
		}
	}
	return json.Marshal(orgs)
}
