package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"oikos"
	"oikos/internal/report"
	"oikos/internal/web/httpx"
)

// Fair coverage and unmet needs: JSON and CSV under /api/v1/reports, and
// pages with the same figures for managers and commissioners. Both are
// aggregates with small counts hidden (internal/report), so a
// commissioner sees exactly what a manager sees and never a person.

// reportPeriod reads from and to, and says who is reading for the audit.
func reportPeriod(r *http.Request) (report.Period, report.Viewer, error) {
	q := r.URL.Query()
	joinDates(q, "from", "to")
	p, err := report.ParsePeriod(q.Get("from"), q.Get("to"), time.Now())
	pr := httpx.Principal(r)
	return p, report.Viewer{UserID: pr.UserID, Client: httpx.ClientAddress(r), SchemeID: pr.SchemeID}, err
}

// csvReport is a report that writes itself as CSV.
type csvReport interface {
	WriteCSV(w io.Writer) error
}

// apiReport answers a report's API route: JSON, or CSV with format=csv.
func (s *Server) apiReport(w http.ResponseWriter, r *http.Request, name string, count func(r *http.Request, p report.Period, by report.Viewer) (csvReport, string, error)) {
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "csv" {
		s.apiError(w, r, oikos.Invalid(map[string]string{"format": "Format must be json or csv."}))
		return
	}
	p, by, err := reportPeriod(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	rep, period, err := count(r, p, by)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if format == "csv" {
		s.writeReportCSV(w, r, name, period, rep)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, rep)
}

// reportCSV answers a page's download link: errors as pages.
func (s *Server) reportCSV(w http.ResponseWriter, r *http.Request, name string, count func(r *http.Request, p report.Period, by report.Viewer) (csvReport, string, error)) {
	p, by, err := reportPeriod(r)
	if err != nil {
		s.renderError(w, r, http.StatusUnprocessableEntity, "Check the dates", "The dates of the report are not right: go back to the report and check them.")
		return
	}
	rep, period, err := count(r, p, by)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.writeReportCSV(w, r, name, period, rep)
}

func (s *Server) writeReportCSV(w http.ResponseWriter, r *http.Request, name, period string, rep csvReport) {
	var buf bytes.Buffer
	if err := rep.WriteCSV(&buf); err != nil {
		s.internalError(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="oikos-%s-%s.csv"`, name, period))
	w.WriteHeader(http.StatusOK)
	buf.WriteTo(w)
}

func (s *Server) countCoverage(r *http.Request, p report.Period, by report.Viewer) (csvReport, string, error) {
	c, err := report.CoverageReport(r.Context(), s.db, p, by)
	return c, c.From + "-to-" + c.To, err
}

func (s *Server) countUnmet(r *http.Request, p report.Period, by report.Viewer) (csvReport, string, error) {
	u, err := report.UnmetReport(r.Context(), s.db, p, by)
	return u, u.From + "-to-" + u.To, err
}

// reportPage renders a report page, or the period form with the problem
// (422) when from or to is wrong.
func (s *Server) showReport(w http.ResponseWriter, r *http.Request, name, title string, view func(r *http.Request, p report.Period, by report.Viewer) (any, error)) {
	pg := &page{Title: title, Form: r.URL.Query()}
	p, by, err := reportPeriod(r)
	if err != nil {
		var e *oikos.Error
		if !errors.As(err, &e) {
			s.pageError(w, r, err)
			return
		}
		pg.Errors = e.Fields
		pg.ErrorOrder = dateBoxErrors(pg.Errors, fieldOrder(e.Fields, "from", "to"), "from", "to")
		s.render(w, r, http.StatusUnprocessableEntity, name, pg)
		return
	}
	data, err := view(r, p, by)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	splitDate(pg.Form, "from", p.From.Format(time.DateOnly))
	splitDate(pg.Form, "to", p.To.Format(time.DateOnly))
	pg.Data = data
	s.render(w, r, http.StatusOK, name, pg)
}

// coverageRow is one line of a coverage table, as the page shows it.
type coverageRow struct {
	Label, Decile, Referred, Population, Rate, Expected string
	Hidden, UnderReached, Judged, Total                 bool
}

type coverageTable struct {
	ID, Title, GroupTitle string
	Decile                bool // the table has a decile column
	Rows                  []coverageRow
}

type coverageView struct {
	Report       report.Coverage
	Period       string
	CSV          string
	Overall      coverageRow
	Tables       []coverageTable
	UnderReached []string
	Hidden       bool
}

func (s *Server) coverageView(r *http.Request, p report.Period, by report.Viewer) (any, error) {
	c, err := report.CoverageReport(r.Context(), s.db, p, by)
	if err != nil {
		return nil, err
	}
	v := coverageView{Report: c, Period: periodWords(p), CSV: downloadLink("/reports/coverage.csv", c.From, c.To),
		Overall: coverageRowOf(c.Overall, false), Hidden: len(c.Suppressed) > 0}
	for _, t := range c.Tables() {
		ct := coverageTable{ID: strings.ReplaceAll(t.Name, "_", "-"), Title: t.Title, GroupTitle: t.GroupTitle,
			Decile: t.Name == "by_area"}
		for _, g := range t.Groups {
			ct.Rows = append(ct.Rows, coverageRowOf(g, false))
		}
		ct.Rows = append(ct.Rows, coverageRowOf(t.Total, true))
		v.Tables = append(v.Tables, ct)
	}
	for _, m := range c.UnderReachedGroups() {
		v.UnderReached = append(v.UnderReached, fmt.Sprintf("%s %s: %s per 1,000 people, where %s per 1,000 would be expected",
			strings.ToLower(m.Table.GroupTitle), m.Group.Label, report.NumberText(m.Group.RatePer1000), report.NumberText(m.Group.ExpectedPer1000)))
	}
	return v, nil
}

func coverageRowOf(g report.Group, total bool) coverageRow {
	row := coverageRow{Label: g.Label, Referred: report.NumberText(g.Referred), Population: thousands(report.NumberText(g.Population)),
		Rate: report.NumberText(g.RatePer1000), Expected: report.NumberText(g.ExpectedPer1000),
		Hidden: g.Hidden(), Judged: g.UnderReached != nil, UnderReached: g.UnderReached != nil && *g.UnderReached, Total: total}
	if g.DeprivationDecile > 0 {
		row.Decile = strconv.Itoa(g.DeprivationDecile)
	}
	return row
}

// unmetRow is one line of the unmet needs tables, as the page shows it.
type unmetRow struct {
	Area, Need, Referrals, Population, Rate string
	Hidden, Biggest                         bool
}

type unmetView struct {
	Report  report.Unmet
	Period  string
	CSV     string
	Needs   []unmetRow
	Gaps    []unmetRow
	Biggest []unmetRow
	Hidden  bool
}

func (s *Server) unmetView(r *http.Request, p report.Period, by report.Viewer) (any, error) {
	u, err := report.UnmetReport(r.Context(), s.db, p, by)
	if err != nil {
		return nil, err
	}
	v := unmetView{Report: u, Period: periodWords(p), CSV: downloadLink("/reports/unmet-needs.csv", u.From, u.To), Hidden: len(u.Suppressed) > 0}
	for _, n := range u.Needs {
		v.Needs = append(v.Needs, unmetRow{Need: n.Label, Referrals: report.NumberText(n.Referrals), Hidden: n.Referrals == nil})
	}
	for _, g := range u.Gaps {
		row := unmetRow{Area: g.Area, Need: g.Label, Referrals: report.NumberText(g.Referrals), Population: thousands(report.NumberText(g.Population)),
			Rate: report.NumberText(g.PerTenThousand), Hidden: g.Referrals == nil, Biggest: g.BiggestGap}
		v.Gaps = append(v.Gaps, row)
		if g.BiggestGap {
			v.Biggest = append(v.Biggest, row)
		}
	}
	return v, nil
}

func downloadLink(path, from, to string) string {
	return path + "?" + url.Values{"from": {from}, "to": {to}}.Encode()
}

// periodWords is a period as people say it: "1 April 2026 to 31 March 2027".
func periodWords(p report.Period) string {
	return p.From.Format("2 January 2006") + " to " + p.To.Format("2 January 2006")
}

// thousands puts commas in a whole number: 46120 is "46,120".
func thousands(n string) string {
	if len(n) <= 3 || strings.ContainsAny(n, ".-") {
		return n
	}
	var b strings.Builder
	lead := len(n) % 3
	if lead > 0 {
		b.WriteString(n[:lead])
	}
	for i := lead; i < len(n); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(n[i : i+3])
	}
	return b.String()
}

func (s *Server) apiCoverage(w http.ResponseWriter, r *http.Request) {
	s.apiReport(w, r, "coverage", s.countCoverage)
}

func (s *Server) apiUnmetNeeds(w http.ResponseWriter, r *http.Request) {
	s.apiReport(w, r, "unmet-needs", s.countUnmet)
}

func (s *Server) coveragePage(w http.ResponseWriter, r *http.Request) {
	s.showReport(w, r, "coverage", "Fair coverage", s.coverageView)
}

func (s *Server) coverageCSV(w http.ResponseWriter, r *http.Request) {
	s.reportCSV(w, r, "coverage", s.countCoverage)
}

func (s *Server) unmetNeedsPage(w http.ResponseWriter, r *http.Request) {
	s.showReport(w, r, "coverage_unmet", "Unmet needs by area", s.unmetView)
}

func (s *Server) unmetNeedsCSV(w http.ResponseWriter, r *http.Request) {
	s.reportCSV(w, r, "unmet-needs", s.countUnmet)
}
