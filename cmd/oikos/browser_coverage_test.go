package main

import (
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBrowserCoverage: with the demo's people and its sample population
// figures, a manager opens the fair-coverage report and sees the
// scheme-wide rate and rates by group, meets the period form's error,
// downloads the CSV and finds in it the page's figures; then the unmet
// needs report. Every page is checked with axe-core.
func TestBrowserCoverage(t *testing.T) {
	requireAxe(t)
	var password string
	base := startServer(t, loadDemo(t, &password))
	b := openTab(t, startBrowser(t), base)

	b.visit("/sign-in")
	b.signIn("manager@oikos.example", password)
	b.enrolTOTP()
	b.follow("a", "saved my codes")

	b.visit("/reports/coverage")
	b.expectText("h1", "Fair coverage")
	// The demo's people among about 1.2 million in the sample's districts.
	if rate, err := strconv.ParseFloat(b.text(`[data-figure="overall-rate"]`), 64); err != nil || rate <= 0 || rate > 100 {
		b.fatalf("scheme-wide rate %q per 1,000 (%v)", b.text(`[data-figure="overall-rate"]`), err)
	}
	if n, err := strconv.Atoi(b.text(`[data-figure="overall-referred"]`)); err != nil || n < 24 {
		b.fatalf("%q people referred, want the demo's (%v)", b.text(`[data-figure="overall-referred"]`), err)
	}
	b.expectText("#under-reached", "per 1,000 people, where")
	b.expectText(`table[data-table="by-area"]`, "Under-reached")
	b.expectText(`table[data-table="by-area"]`, "EX4")
	b.expectText(`table[data-table="by-deprivation-decile"]`, "1 (most deprived)")
	b.expectText(`table[data-table="by-age-band"]`, "85 and over")
	b.expectText(`table[data-table="by-ethnicity"]`, "Not recorded")

	// Rates show beside the counts, and the page's tables and the CSV say
	// the same.
	tables := coverageTables(b)
	rates := 0
	for _, tb := range tables {
		for _, row := range tb.Rows {
			if _, err := strconv.ParseFloat(row[len(row)-2], 64); err == nil {
				rates++
			}
		}
	}
	if rates < 3 {
		b.fatalf("only %d rates shown in the tables", rates)
	}
	compareCoverageCSV(b, tables, fetchDownload(b))

	// A period the wrong way round is refused, naming the field.
	b.fillDate("from", time.Date(2026, 5, 2, 0, 0, 0, 0, time.UTC))
	b.fillDate("to", time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))
	b.follow("button", "^Show the report$")
	b.expectText(".nhsuk-error-summary", "The start date must be on or before the end date")
	b.expectText("h1", "Fair coverage")

	b.visit("/reports/coverage")
	b.follow("a", "^Unmet needs by area for the same period$")
	b.expectText("h1", "Unmet needs by area")
	b.expectText("main", "Biggest gaps")
	// The demo read its open referrals' suggestions: needs with too little
	// nearby are counted (areas' counts are small in a demo, so hidden).
	b.expectText(`table[data-table="needs"]`, "Loneliness")
	b.expectText(`table[data-table="gaps"]`, "hidden")
	if got := fetchDownload(b); !strings.HasPrefix(got, "table,area,need,need_label,referrals,population,per_10000,biggest_gap,note\n") {
		b.fatalf("unmet needs CSV starts %q", got[:min(len(got), 80)])
	}
}

// pageTable is a table of the page: its data-table name and its body's
// cells, as read.
type pageTable struct {
	ID   string     `json:"id"`
	Rows [][]string `json:"rows"`
}

func coverageTables(b *tab) []pageTable {
	b.t.Helper()
	p, done := b.step()
	defer done()
	res, err := p.Eval(`() => JSON.stringify(Array.from(document.querySelectorAll('table[data-table]')).map(t => ({
		id: t.dataset.table,
		rows: Array.from(t.tBodies[0].rows).map(r => Array.from(r.cells).map(c => c.textContent.replace(/\s+/g, ' ').trim()))})))`)
	if err != nil {
		b.fatalf("read the tables: %v", err)
	}
	var tables []pageTable
	if err := json.Unmarshal([]byte(res.Value.Str()), &tables); err != nil {
		b.fatalf("tables: %v", err)
	}
	return tables
}

// fetchDownload fetches the page's Download CSV link as the signed-in
// browser would.
func fetchDownload(b *tab) string {
	b.t.Helper()
	p, done := b.step()
	defer done()
	res, err := p.Eval(`async () => {
		const a = Array.from(document.querySelectorAll('a[download]')).find(a => a.textContent.includes('Download CSV'));
		const r = await fetch(a.href);
		return r.status + '\n' + await r.text();
	}`)
	if err != nil {
		b.fatalf("download the CSV: %v", err)
	}
	status, body, _ := strings.Cut(res.Value.Str(), "\n")
	if status != "200" {
		b.fatalf("the CSV answered %s: %s", status, body)
	}
	return body
}

// compareCoverageCSV checks every row of every table against the CSV's
// row for it, in order: group, count, population, rate and judgement.
func compareCoverageCSV(b *tab, tables []pageTable, body string) {
	b.t.Helper()
	records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		b.fatalf("the CSV: %v", err)
	}
	byTable := map[string][][]string{}
	for _, r := range records[1:] {
		id := strings.ReplaceAll(r[0], "_", "-")
		byTable[id] = append(byTable[id], r)
	}
	if len(tables) != 5 {
		b.fatalf("%d tables on the page, want 5", len(tables))
	}
	for _, tb := range tables {
		want := byTable[tb.ID]
		if len(want) != len(tb.Rows) {
			b.fatalf("table %s: %d rows on the page, %d in the CSV", tb.ID, len(tb.Rows), len(want))
		}
		for i, cells := range tb.Rows {
			row := want[i]
			if tb.ID != "by-area" { // only the areas' table has a decile column
				cells = append(cells[:1], append([]string{row[3]}, cells[1:]...)...)
			}
			got := []string{cells[0], cells[1], shownAs(cells[2]), strings.ReplaceAll(shownAs(cells[3]), ",", ""), shownAs(cells[4]), judgementOf(cells[5])}
			csvRow := []string{row[2], row[3], row[4], row[5], row[6], row[8]}
			if strings.Join(got, "|") != strings.Join(csvRow, "|") {
				b.fatalf("table %s row %d: page %q, CSV %q", tb.ID, i+1, got, csvRow)
			}
		}
	}
}

// shownAs maps the page's words for a missing figure to the CSV's blank.
func shownAs(cell string) string {
	if cell == "hidden" || cell == "no figures" {
		return ""
	}
	return cell
}

func judgementOf(cell string) string {
	switch {
	case strings.HasPrefix(cell, "Under-reached"):
		return "under-reached"
	case cell == "Reached":
		return "reached"
	}
	return ""
}
