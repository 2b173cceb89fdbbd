package report

import (
	"io"
	"strconv"

	"oikos/internal/csvsafe"
	"oikos/internal/outcome"
	"oikos/internal/referral"
)

// The summary as CSV: one row per figure, "path,value,note", the path as
// in the JSON (dots), in the order the page shows them. A hidden figure has
// no value and the note "hidden"; a figure with nothing to measure
// (a mean over no pairs) has no value and the note "no data".

// Figure is one line of the summary.
type Figure struct {
	Path  string
	Value string // as written: a whole number or a decimal; "" when null
	Note  string // why there is no value
}

// Notes for figures without a value.
const (
	// A hidden figure reads "hidden", not "fewer than 5": a second cell
	// hidden so that a total does not give a small one away may be large.
	NoteSuppressed = "hidden"
	NoteNoData     = "no data"
)

// Figures lists every figure of the summary, in order.
func (s *Summary) Figures() []Figure {
	hidden := map[string]bool{}
	for _, p := range s.Suppressed {
		hidden[p] = true
	}
	var out []Figure
	text := func(path, v string) { out = append(out, Figure{Path: path, Value: v}) }
	count := func(path string, n *int) {
		switch {
		case n != nil:
			text(path, strconv.Itoa(*n))
		case hidden[path]:
			out = append(out, Figure{Path: path, Note: NoteSuppressed})
		default:
			out = append(out, Figure{Path: path, Note: NoteNoData})
		}
	}
	number := func(path string, v *float64) {
		if v != nil {
			text(path, FormatNumber(*v))
			return
		}
		count(path, nil)
	}
	plain := func(path string, n int) { text(path, strconv.Itoa(n)) }

	text("period.from", s.Period.From)
	text("period.to", s.Period.To)
	r := s.Referrals
	count("referrals.total", r.Total)
	for _, k := range keysOf(referral.SourceTypes, r.BySourceType) {
		count("referrals.by_source_type."+k, r.BySourceType[k])
	}
	plain("referrals.distinct_sources", r.DistinctSources)
	for _, k := range keysOf(referralStatuses(), r.ByStatus) {
		count("referrals.by_status."+k, r.ByStatus[k])
	}
	count("referrals.contacted", r.Contacted)
	number("referrals.median_days_to_first_contact", r.MedianDaysToFirstContact)
	c := s.Connections
	count("connections.total", c.Total)
	for _, k := range keysOf(connectionStatuses(), c.ByStatus) {
		count("connections.by_status."+k, c.ByStatus[k])
	}
	plain("connections.partners_receiving", c.PartnersReceiving)
	for _, in := range outcome.Instruments {
		o := s.Outcomes[in.Code]
		if o == nil {
			continue
		}
		p := "outcomes." + in.Code + "."
		text(p+"score", o.Score)
		count(p+"pairs", o.Pairs)
		number(p+"baseline_mean", o.BaselineMean)
		number(p+"latest_mean", o.LatestMean)
		number(p+"mean_change", o.MeanChange)
		count(p+"improved", o.Improved)
		number(p+"improved_share", o.ImprovedShare)
	}
	plain("services.total", s.Services.Total)
	plain("services.citizen_led", s.Services.CitizenLed)
	plain("services.new_in_period", s.Services.NewInPeriod)
	return out
}

// FormatNumber writes a decimal as the report does: no more digits than
// it holds, no exponent.
func FormatNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// WriteCSV writes the summary as CSV.
func (s *Summary) WriteCSV(w io.Writer) error {
	cw := csvsafe.NewWriter(w)
	if err := cw.Write([]string{"path", "value", "note"}); err != nil {
		return err
	}
	for _, f := range s.Figures() {
		if err := cw.Write([]string{f.Path, f.Value, f.Note}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
