package web

import (
	"strings"
	"testing"
)

// The provider's home card says how many wait for an answer, rather than
// that people "will appear here" while some already wait.
func TestProviderQueueCard(t *testing.T) {
	for n, want := range map[int]string{0: "Nobody is waiting", 1: "1 person is waiting", 7: "7 people are waiting"} {
		c := providerQueueCard(n)
		if !strings.HasPrefix(c.Text, want) || c.Href != "/connections" {
			t.Errorf("providerQueueCard(%d) = %+v, want text starting %q linking to the queue", n, c, want)
		}
		if n > 0 && strings.Contains(c.Text, "will appear here") {
			t.Errorf("providerQueueCard(%d) says people will appear while %d wait", n, n)
		}
	}
}

// Errors beside day, month and year boxes give their examples in that
// order, whatever the rules wrote for the API.
func TestDayMonthYear(t *testing.T) {
	for in, want := range map[string]string{
		"Date of birth must be a real date, like 1950-03-27.":                                                  "Date of birth must be a real date, like 27 3 1950.",
		"Enter a real date, like 2026-03-27, or a date and time, like 2026-03-27T14:30.":                       "Enter a real date, like 27 3 2026.",
		"Enter the date of the conversation, like 2026-03-27, or when it was held, like 2026-03-27T14:30:00Z.": "Enter the date of the conversation, like 27 3 2026.",
		"Enter the opening date as YYYY-MM-DD, like 2026-04-01.":                                               "Enter the opening date, like 1 4 2026.",
		"Enter the date of the purchase, like 2026-03-02.":                                                     "Enter the date of the purchase, like 2 3 2026.",
		"Start date must be a date like 2024-03-01.":                                                           "Start date must be a date like 1 3 2024.",
		"Choose a day.": "Choose a day.",
	} {
		if got := dayMonthYear(in); got != want {
			t.Errorf("dayMonthYear(%q) = %q, want %q", in, got, want)
		}
	}
}
