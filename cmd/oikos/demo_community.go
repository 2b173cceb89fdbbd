package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"oikos/internal/app"
	"oikos/internal/community"
)

// loadDemoCommunity gives the demo scheme its volunteers, a health
// champion, matches with logged hours, a graduate peer mentor and a closed
// safeguarding concern (community.DemoSeed), after the caseload they work
// with. Run again, it leaves what is there.
func loadDemoCommunity(ctx context.Context, a *app.App, out io.Writer) error {
	ids := map[string]string{}
	var scheme string
	for _, email := range []string{"manager@oikos.example", "linkworker@oikos.example", "volunteer@oikos.example"} {
		u, err := a.Auth.GetUserByEmail(ctx, email)
		if err != nil {
			return err
		}
		ids[email], scheme = u.ID, u.SchemeID
	}
	if err := community.DemoSeed(ctx, a.DB, community.DemoInput{SchemeID: scheme, ManagerID: ids["manager@oikos.example"],
		LinkWorkerID: ids["linkworker@oikos.example"], VolunteerID: ids["volunteer@oikos.example"],
		Today: time.Now().UTC().Truncate(24 * time.Hour).Add(9 * time.Hour)}); err != nil {
		return fmt.Errorf("demo volunteers: %w", err)
	}
	fmt.Fprintln(out, "Demo volunteers: a health champion, befrienders, matches with logged visits, a graduate peer mentor and a closed safeguarding concern.")
	return nil
}
