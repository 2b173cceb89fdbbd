// Package csvsafe writes CSV that spreadsheets open as data: a cell that a
// spreadsheet would run as a formula is written as text instead. Every CSV
// Oikos writes goes through it.
package csvsafe

import (
	"encoding/csv"
	"io"
)

// Cell makes one cell safe to open in a spreadsheet. Excel, LibreOffice and
// Google Sheets read a cell beginning with =, +, - or @ as a formula (and
// one beginning with a tab or carriage return may become one after they
// trim it), so text such as a service named "=HYPERLINK(...)" could run
// when a commissioner opens a report. Such a cell gets a leading single
// quote, which spreadsheets take to mean "this is text". A plain number
// ("-3", "+2.5") is left alone, so negative figures stay numbers.
func Cell(s string) string {
	if s == "" || !risky(s[0]) || number(s) {
		return s
	}
	return "'" + s
}

func risky(c byte) bool {
	switch c {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// number reports whether s is a plain decimal: an optional sign, digits,
// and optionally a point and more digits. Nothing a spreadsheet would
// read as anything but that number.
func number(s string) bool {
	if s[0] == '+' || s[0] == '-' {
		s = s[1:]
	}
	digits := func() int {
		n := 0
		for n < len(s) && s[n] >= '0' && s[n] <= '9' {
			n++
		}
		s = s[n:]
		return n
	}
	if digits() == 0 {
		return false
	}
	if s == "" {
		return true
	}
	if s[0] != '.' {
		return false
	}
	s = s[1:]
	return digits() > 0 && s == ""
}

// Writer is a csv.Writer that passes every cell through Cell.
type Writer struct {
	w   *csv.Writer
	rec []string
}

// NewWriter writes CSV to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: csv.NewWriter(w)} }

// Write writes one record, each cell made safe; the caller's slice is left
// as it was.
func (w *Writer) Write(record []string) error {
	w.rec = w.rec[:0]
	for _, c := range record {
		w.rec = append(w.rec, Cell(c))
	}
	return w.w.Write(w.rec)
}

// Flush writes any buffered data to the underlying writer.
func (w *Writer) Flush() { w.w.Flush() }

// Error reports any error from a Write or Flush before.
func (w *Writer) Error() error { return w.w.Error() }
