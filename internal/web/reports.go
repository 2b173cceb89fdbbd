package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"oikos"
	"oikos/internal/chart"
	"oikos/internal/connection"
	"oikos/internal/outcome"
	"oikos/internal/referral"
	"oikos/internal/report"
	"oikos/internal/web/httpx"
)

// The scheme's summary report: the contract's JSON and CSV, and a page of
// charts with the same figures in tables, for managers and commissioners.
// Every figure is an aggregate with small counts hidden (internal/report),
// so a commissioner sees exactly what a manager sees.

// summaryReport reads the period from the query and counts the report.
func (s *Server) summaryReport(r *http.Request) (*report.Summary, error) {
	q := r.URL.Query()
	joinDates(q, "from", "to")
	p, err := report.ParsePeriod(q.Get("from"), q.Get("to"), time.Now())
	if err != nil {
		return nil, err
	}
	pr := httpx.Principal(r)
	return report.Summarise(r.Context(), s.db, p, report.Viewer{UserID: pr.UserID, Client: httpx.ClientAddress(r), SchemeID: pr.SchemeID})
}

// apiSummaryReport answers GET /api/v1/reports/summary: JSON, or CSV with
// format=csv.
func (s *Server) apiSummaryReport(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "csv" {
		s.apiError(w, r, oikos.Invalid(map[string]string{"format": "Format must be json or csv."}))
		return
	}
	sum, err := s.summaryReport(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if format == "csv" {
		s.writeSummaryCSV(w, r, sum)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, sum)
}

// summaryCSV answers the page's download link.
func (s *Server) summaryCSV(w http.ResponseWriter, r *http.Request) {
	sum, err := s.summaryReport(r)
	if err != nil {
		if oikos.ErrorCode(err) == oikos.EINVALID {
			s.renderError(w, r, http.StatusUnprocessableEntity, "Check the dates", "The dates of the report are not right: go back to the report and check them.")
			return
		}
		s.internalError(w, r)
		return
	}
	s.writeSummaryCSV(w, r, sum)
}

func (s *Server) writeSummaryCSV(w http.ResponseWriter, r *http.Request, sum *report.Summary) {
	var buf bytes.Buffer
	if err := sum.WriteCSV(&buf); err != nil {
		s.internalError(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="oikos-summary-%s-to-%s.csv"`, sum.Period.From, sum.Period.To))
	w.WriteHeader(http.StatusOK)
	buf.WriteTo(w)
}

// reportRow is one line of a table under a chart.
type reportRow struct {
	Path  string // the figure's path in the JSON and CSV
	Label string
	Value string // as written, or the note when hidden
	Note  bool   // Value is words, not a figure
}

// reportChart is a chart with its table: the same figures twice, one for
// the eye and one for a screen reader or a copy.
type reportChart struct {
	ID      string
	SVG     template.HTML
	Caption string
	Heading string // the table's value column
	Rows    []reportRow
}

// reportOutcome is one instrument's line in the outcomes table.
type reportOutcome struct {
	Code, Name, Score                                string
	Pairs, Baseline, Latest, Change, Improved, Share reportRow
}

// reportCharts are the report page's charts.
type reportCharts struct {
	Sources, Statuses, Connections, Improved, Services reportChart
}

// summaryView is the page's data.
type summaryView struct {
	Report      *report.Summary
	CSV         string
	Referrals   reportRow
	Contacted   reportRow
	Median      reportRow
	Connections reportRow
	Charts      reportCharts
	Outcomes    []reportOutcome
	Hidden      int
}

func (s *Server) reportsPage(w http.ResponseWriter, r *http.Request) {
	pg := &page{Title: "Scheme report", Form: r.URL.Query()}
	sum, err := s.summaryReport(r)
	if err != nil {
		var e *oikos.Error
		if !errors.As(err, &e) || e.Code != oikos.EINVALID {
			s.log.Error("summary report", "err", err)
			s.internalError(w, r)
			return
		}
		pg.Errors = e.Fields
		pg.ErrorOrder = dateBoxErrors(pg.Errors, fieldOrder(e.Fields, "from", "to"), "from", "to")
		s.render(w, r, http.StatusUnprocessableEntity, "reports", pg)
		return
	}
	splitDate(pg.Form, "from", sum.Period.From)
	splitDate(pg.Form, "to", sum.Period.To)
	pg.Data = summaryViewOf(sum)
	s.render(w, r, http.StatusOK, "reports", pg)
}

// figure writes a count, or the words for why there is none.
func figure(sum *report.Summary, path string, n *int) reportRow {
	if n != nil {
		return reportRow{Path: path, Value: strconv.Itoa(*n)}
	}
	return missing(sum, path)
}

func decimal(sum *report.Summary, path string, v *float64) reportRow {
	if v != nil {
		return reportRow{Path: path, Value: report.FormatNumber(*v)}
	}
	return missing(sum, path)
}

func missing(sum *report.Summary, path string) reportRow {
	for _, p := range sum.Suppressed {
		if p == path {
			return reportRow{Path: path, Value: report.NoteSuppressed, Note: true}
		}
	}
	return reportRow{Path: path, Value: report.NoteNoData, Note: true}
}

// breakdownChart draws one breakdown of counts, in the vocabulary's order,
// leaving out the zeros (the table keeps them).
func breakdownChart(sum *report.Summary, id, title, desc, prefix string, keys []string, counts map[string]*int, label func(string) string) reportChart {
	c := reportChart{ID: id, Caption: title, Heading: "Number"}
	var bars []chart.BarItem
	for _, k := range keys {
		n, ok := counts[k]
		if !ok {
			continue
		}
		row := figure(sum, prefix+"."+k, n)
		row.Label = label(k)
		c.Rows = append(c.Rows, row)
		switch {
		case n == nil:
			bars = append(bars, chart.BarItem{Label: row.Label, Missing: true, Note: row.Value})
		case *n > 0:
			bars = append(bars, chart.BarItem{Label: row.Label, Value: float64(*n)})
		}
	}
	c.SVG = chart.BarSVG(chart.BarChart{ID: id, Title: title, Desc: desc, Bars: bars})
	return c
}

func summaryViewOf(sum *report.Summary) summaryView {
	v := summaryView{Report: sum, Hidden: len(sum.Suppressed)}
	v.CSV = "/reports/summary.csv?" + url.Values{"from": {sum.Period.From}, "to": {sum.Period.To}}.Encode()
	v.Referrals = figure(sum, "referrals.total", sum.Referrals.Total)
	v.Contacted = figure(sum, "referrals.contacted", sum.Referrals.Contacted)
	v.Median = decimal(sum, "referrals.median_days_to_first_contact", sum.Referrals.MedianDaysToFirstContact)
	v.Connections = figure(sum, "connections.total", sum.Connections.Total)

	var statuses []string
	for _, st := range referral.Statuses {
		statuses = append(statuses, string(st))
	}
	v.Charts.Sources = breakdownChart(sum, "chart-sources", "Referrals by who made them",
		"Bar chart of the referrals received in the period, by the kind of person or organisation who referred. The table below has the same figures.",
		"referrals.by_source_type", referral.SourceTypes, sum.Referrals.BySourceType, referral.SourceLabel)
	v.Charts.Statuses = breakdownChart(sum, "chart-statuses", "Referrals by where they stand now",
		"Bar chart of the referrals received in the period, by their status today. The table below has the same figures.",
		"referrals.by_status", statuses, sum.Referrals.ByStatus, func(k string) string { return referral.Status(k).Label() })
	var connStatuses []string
	for _, st := range connection.Statuses {
		connStatuses = append(connStatuses, string(st))
	}
	v.Charts.Connections = breakdownChart(sum, "chart-connections", "Connections by where they stand now",
		"Bar chart of the connections to community services made in the period, by their status today. The table below has the same figures.",
		"connections.by_status", connStatuses, sum.Connections.ByStatus, func(k string) string { return connection.Status(k).Label() })

	// Outcomes: the share improved, on one scale for every instrument.
	improved := reportChart{ID: "chart-improved", Caption: "People whose answers improved meaningfully", Heading: "Share improved"}
	var bars []chart.BarItem
	for _, in := range outcome.Instruments {
		o := sum.Outcomes[in.Code]
		if o == nil {
			continue
		}
		p := "outcomes." + in.Code + "."
		row := reportOutcome{Code: in.Code, Name: in.Name, Score: scoreName(o.Score),
			Pairs: figure(sum, p+"pairs", o.Pairs), Baseline: decimal(sum, p+"baseline_mean", o.BaselineMean),
			Latest: decimal(sum, p+"latest_mean", o.LatestMean), Change: decimal(sum, p+"mean_change", o.MeanChange),
			Improved: figure(sum, p+"improved", o.Improved), Share: decimal(sum, p+"improved_share", o.ImprovedShare)}
		if o.ImprovedShare != nil {
			row.Share.Value = percent(*o.ImprovedShare)
		}
		v.Outcomes = append(v.Outcomes, row)
		share := row.Share
		share.Label = in.Name
		improved.Rows = append(improved.Rows, share)
		switch {
		case o.ImprovedShare != nil:
			bars = append(bars, chart.BarItem{Label: shortInstrument(in.Code), Value: *o.ImprovedShare * 100, Text: share.Value})
		default:
			bars = append(bars, chart.BarItem{Label: shortInstrument(in.Code), Missing: true, Note: share.Value})
		}
	}
	improved.SVG = chart.BarSVG(chart.BarChart{ID: improved.ID, Title: improved.Caption, Max: 100, Bars: bars,
		Desc: "Bar chart of the share of people, for each questionnaire, whose latest answers were better than their first by at least the questionnaire's meaningful change. The table below has the same figures."})
	v.Charts.Improved = improved

	svc := sum.Services
	services := reportChart{ID: "chart-services", Caption: "Community services in the directory", Heading: "Number", Rows: []reportRow{
		{Path: "services.total", Label: "Active services", Value: strconv.Itoa(svc.Total)},
		{Path: "services.citizen_led", Label: "Led by local people (citizen-led)", Value: strconv.Itoa(svc.CitizenLed)},
		{Path: "services.new_in_period", Label: "Started in the period", Value: strconv.Itoa(svc.NewInPeriod)},
	}}
	bars = nil
	for i, n := range []int{svc.Total, svc.CitizenLed, svc.NewInPeriod} {
		bars = append(bars, chart.BarItem{Label: services.Rows[i].Label, Value: float64(n)})
	}
	services.SVG = chart.BarSVG(chart.BarChart{ID: services.ID, Title: services.Caption, Bars: bars,
		Desc: "Bar chart of the community services active at the end of the period, those led by local people, and those started in the period. The table below has the same figures."})
	v.Charts.Services = services
	return v
}

func percent(share float64) string {
	return report.FormatNumber(float64(int(share*1000+0.5))/10) + "%"
}

// shortInstrument names an instrument briefly enough for a chart's side.
func shortInstrument(code string) string {
	return map[string]string{
		"ons4": "ONS4 life satisfaction", "swemwbs": "SWEMWBS wellbeing", "ucla3": "UCLA loneliness",
		"loneliness_direct": "How often lonely", "friends": "Close friends", "gp_appointments": "GP appointments",
	}[code]
}

// scoreName says in words which score the means are of.
func scoreName(score string) string {
	return map[string]string{
		"life_satisfaction": "life satisfaction (0 to 10, higher is better)", "metric": "metric score (7 to 35, higher is better)",
		"total": "total (3 to 9, lower is less lonely)", "loneliness": "answer (1 often lonely to 5 never)",
		"close_friends": "number of close friends", "appointments": "appointments in the last 3 months (fewer is better)",
	}[score]
}
