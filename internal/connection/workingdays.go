package connection

import "time"

// Overdue reports whether a connection has waited ChaseAfter (5) working
// days or more without an answer: still sent, counted in UK working days
// (Monday to Friday) with WorkingDaysBetween from the day it was sent. Bank
// holidays are not taken out: the flag is a prompt to chase, and a day
// early over Easter or Christmas does no harm. A provider's answer of any
// kind (a place, a waiting list, a no) ends the wait.
func Overdue(c Connection, now time.Time) bool {
	return NeedsChasing(c.Status, c.CreatedAt, now)
}

// WaitingDays is how many working days a connection still without an
// answer has waited; 0 once it is answered.
func WaitingDays(c Connection, now time.Time) int {
	if c.Status != Sent {
		return 0
	}
	return WorkingDaysBetween(c.CreatedAt, now)
}
