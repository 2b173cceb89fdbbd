package community

import (
	"context"

	"oikos/internal/report"
)

// What the tests of the volunteering report's kept months reach inside
// for: counting with or without them, and keeping a month as counted at
// a given gen.

func (v *Volunteering) CountVolunteeringMonths(ctx context.Context, scheme string, period report.Period, today string, kept bool) ([]VolunteeringCounts, VolunteeringCounts, error) {
	return v.countVolunteering(ctx, scheme, period, today, kept)
}

func (v *Volunteering) KeepMonth(ctx context.Context, scheme string, gen int64, month string, c VolunteeringCounts) error {
	return v.keepMonths(ctx, scheme, gen, []keptMonth{{month, monthCount{VolunteeringCounts: c}}})
}
