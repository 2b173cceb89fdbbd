package outcome

import "time"

// ReviewInterval is how long after the baseline (or the last review) the
// measures are taken again. Twelve weeks is our choice: long enough for a
// plan to have started to work, short enough to come before most people
// leave the scheme. It is not taken from any of the instruments.
const ReviewInterval = 12 * 7 * 24 * time.Hour

// Taken is when an instrument was answered, and at which timepoint.
type Taken struct {
	Timepoint string
	At        time.Time
}

// NextReview says when an instrument should next be taken again: one
// ReviewInterval after its latest baseline or review. There is none before
// a baseline, nor once an exit is recorded. Due reports whether that day
// has come by now.
func NextReview(taken []Taken, now time.Time) (next time.Time, due bool) {
	var last time.Time
	baseline := false
	for _, t := range taken {
		switch t.Timepoint {
		case Exit:
			return time.Time{}, false
		case Baseline:
			baseline = true
		case Review:
		default:
			continue
		}
		if t.At.After(last) {
			last = t.At
		}
	}
	if !baseline {
		return time.Time{}, false
	}
	next = last.Add(ReviewInterval)
	return next, !now.Before(next)
}
