package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"oikos"
	"oikos/internal/web/httpx"
)

// Reading forms: the posted values, dates in day, month and year boxes,
// and the rules' problems renamed to the boxes that hold them.

// fieldErrors lists field problems in a stable order: the order given first,
// then any others alphabetically.
func fieldOrder(errors map[string]string, order ...string) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range order {
		if _, ok := errors[f]; ok && !seen[f] {
			out = append(out, f)
			seen[f] = true
		}
	}
	var rest []string
	for f := range errors {
		if !seen[f] {
			rest = append(rest, f)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// parseForm reads a posted form with the body limit.
func parseForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, httpx.MaxBody)
	return r.ParseForm() == nil
}

// readForm reads a posted form, answering 400 when it cannot.
func (s *Server) readForm(w http.ResponseWriter, r *http.Request) bool {
	if !parseForm(w, r) {
		s.renderError(w, r, http.StatusBadRequest, "The form could not be read", "Go back and try again.")
		return false
	}
	return true
}

// renameFields gives an error's fields the ids of the form fields that hold
// them, so that the error summary links to the right box.
func renameFields(err error, rename func(string) string) error {
	var e *oikos.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	fields := map[string]string{}
	for k, v := range e.Fields {
		if _, taken := fields[rename(k)]; !taken {
			fields[rename(k)] = v
		}
	}
	return &oikos.Error{Code: e.Code, Message: e.Message, Fields: fields}
}

// dateParts joins day, month and year boxes into YYYY-MM-DD; boxes that
// are not numbers give a value the rules refuse.
func dateParts(f url.Values, name string) string {
	day, month, year := strings.TrimSpace(f.Get(name+"-day")), strings.TrimSpace(f.Get(name+"-month")), strings.TrimSpace(f.Get(name+"-year"))
	if day == "" && month == "" && year == "" {
		return ""
	}
	d, err1 := strconv.Atoi(day)
	m, err2 := strconv.Atoi(month)
	y, err3 := strconv.Atoi(year)
	if err1 != nil || err2 != nil || err3 != nil || d < 1 || d > 31 || m < 1 || m > 12 || y < 1000 || y > 9999 {
		return "invalid"
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
}

// todayParts fills a date's boxes with today.
func todayParts(f url.Values, name string) {
	loc := londonTime
	if loc == nil {
		loc = time.UTC
	}
	now := time.Now().In(loc)
	f.Set(name+"-day", strconv.Itoa(now.Day()))
	f.Set(name+"-month", strconv.Itoa(int(now.Month())))
	f.Set(name+"-year", strconv.Itoa(now.Year()))
}

// dateField is a date asked for in day, month and year boxes, named
// NAME-day, NAME-month and NAME-year.
type dateField struct {
	Name, Legend, Hint, Day, Month, Year, Error string
}

func newDateField(pg *page, name, legend, hint string) dateField {
	return dateField{Name: name, Legend: legend, Hint: hint, Day: pg.Form.Get(name + "-day"), Month: pg.Form.Get(name + "-month"),
		Year: pg.Form.Get(name + "-year"), Error: pg.Errors[name+"-day"]}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// dateFromParts joins the day, month and year boxes of a date of birth
// into YYYY-MM-DD. whose says whose date it is, in the words of the one
// filling in the form: "your" for the person themselves, "their" or "the
// person's" for someone else.
func dateFromParts(day, month, year, whose string) (string, string) {
	d, err1 := strconv.Atoi(strings.TrimSpace(day))
	m, err2 := strconv.Atoi(strings.TrimSpace(month))
	y, err3 := strconv.Atoi(strings.TrimSpace(year))
	if err1 != nil || err2 != nil || err3 != nil {
		if day == "" && month == "" && year == "" {
			return "", "Enter " + whose + " date of birth."
		}
		return "invalid", "Date of birth must be a real date, like 27 3 1950."
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d), ""
}

var (
	isoDay       = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`)
	isoTimeOrAlt = regexp.MustCompile(`,? or [^,.]*,? like \d{4}-\d{2}-\d{2}T[0-9:]+Z?`)
)

// dayMonthYear says the dates in a message as the NHS date input asks
// for them: "like 2026-03-27" becomes "like 27 3 2026", and what only the
// API takes (a date and time, "as YYYY-MM-DD") is left out.
func dayMonthYear(msg string) string {
	msg = isoTimeOrAlt.ReplaceAllString(msg, "")
	msg = strings.ReplaceAll(msg, " as YYYY-MM-DD", "")
	return isoDay.ReplaceAllStringFunc(msg, func(d string) string {
		t, err := time.Parse(time.DateOnly, d)
		if err != nil {
			return d
		}
		return fmt.Sprintf("%d %d %d", t.Day(), int(t.Month()), t.Year())
	})
}

// datesInWords writes the YYYY-MM-DD dates in text a program wrote (an
// event's record) as people read them: 4 November 1941.
func datesInWords(text string) string {
	return isoDay.ReplaceAllStringFunc(text, formatDate)
}

// birthDateWords says a date-of-birth problem from the rules, whose
// examples are written for the API (1950-03-27), in the day, month and
// year order of the boxes beside it.
func birthDateWords(msg string) string {
	return strings.Replace(msg, "like 1950-03-27", "like 27 3 1950", 1)
}

// joinDates sets each named value from its day, month and year boxes
// (NAME-day, NAME-month, NAME-year), as dateParts joins them, so that a
// handler reads one YYYY-MM-DD value. A value sent without boxes (an
// older form, a script) is left as it is.
func joinDates(f url.Values, names ...string) {
	for _, name := range names {
		if f.Has(name+"-day") || f.Has(name+"-month") || f.Has(name+"-year") {
			f.Set(name, dateParts(f, name))
		}
	}
}

// splitDate fills NAME-day, NAME-month and NAME-year from a YYYY-MM-DD
// value; an empty or unreadable one leaves the boxes empty.
func splitDate(f url.Values, name, date string) {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		f.Set(name+"-day", "")
		f.Set(name+"-month", "")
		f.Set(name+"-year", "")
		return
	}
	f.Set(name+"-day", strconv.Itoa(t.Day()))
	f.Set(name+"-month", strconv.Itoa(int(t.Month())))
	f.Set(name+"-year", strconv.Itoa(t.Year()))
}

// dateBoxErrors moves the problems with the named dates to their day box,
// where the error summary leads, in words that match the boxes.
func dateBoxErrors(fields map[string]string, order []string, names ...string) []string {
	for _, name := range names {
		if msg, ok := fields[name]; ok {
			delete(fields, name)
			if strings.Contains(msg, "YYYY-MM-DD") {
				msg = "Enter a real date, for example 27 3 2026."
			}
			fields[name+"-day"] = strings.Replace(msg, "like 2026-03-27", "like 27 3 2026", 1)
		}
	}
	out := make([]string, len(order))
	for i, k := range order {
		out[i] = k
		if slices.Contains(names, k) {
			out[i] = k + "-day"
		}
	}
	return out
}
