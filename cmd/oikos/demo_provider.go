package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"oikos/internal/app"
	"oikos/internal/connection"
	"oikos/internal/directory"
	"oikos/internal/referral"
)

// The demo provider (provider@oikos.example, Greenway Community Trust) has
// services of its own and people sent to them, so that its queue, its
// answers and its directory entries have something to show. Loaded last,
// so that the year of history and its reports are as they were.

// demoProviderServices are Greenway's own services, near the demo's people
// in Exeter.
var demoProviderServices = []directory.Input{
	{Name: "Greenway Cuppa and Chat", Description: "Tea, cake and good company every Tuesday morning. Come on your own or bring a friend; nobody has to join in with anything.",
		Categories: []string{"befriending", "social_groups"}, Address: "Greenway Community Hall, Cowick Street", Postcode: "EX4 1AA",
		Schedule: []directory.Session{{Day: "tuesday", Opens: "10:00", Closes: "12:00"}}},
	{Name: "Greenway Riverside Health Walk", Description: "A gentle hour's walk along the river with trained walk leaders, at the pace of the slowest walker. Benches on the way.",
		Categories: []string{"walking_groups"}, Address: "Meet at the Quay steps", Postcode: "EX2 4AN",
		Schedule: []directory.Session{{Day: "thursday", Opens: "10:30", Closes: "11:30"}}},
}

// demoProviderPeople are the demo caseload's people sent to Greenway, by
// index in demoPeople, with the service (index above) and whether Greenway
// has taken them on yet: Stan Brimblecombe and Sandra Gill are going, Reg
// Palk waits for an answer.
var demoProviderPeople = []struct {
	person, service int
	accepted        bool
}{{7, 0, true}, {13, 1, true}, {16, 0, false}}

func loadDemoProvider(ctx context.Context, a *app.App, out io.Writer) error {
	provider, err := a.Auth.GetUserByEmail(ctx, "provider@oikos.example")
	if err != nil {
		return err
	}
	lw, err := a.Auth.GetUserByEmail(ctx, "linkworker@oikos.example")
	if err != nil {
		return err
	}
	var have int
	// Known by the first service's name: the demo's grants give Greenway
	// a service of its own too.
	if err := a.DB.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM services WHERE organisation_id = $1 AND name = $2",
		provider.OrganisationID, demoProviderServices[0].Name).Scan(&have); err != nil {
		return err
	}
	if have > 0 {
		return nil // loaded before
	}
	free := int64(0)
	var ids []string
	for _, in := range demoProviderServices {
		in.OrganisationID, in.CostPence = provider.OrganisationID, &free
		svc, err := a.Directory.Create(ctx, directory.Actor{UserID: provider.ID, Client: "demo"}, in)
		if err != nil {
			return fmt.Errorf("demo service %s: %w", in.Name, err)
		}
		ids = append(ids, svc.ID)
	}
	worker := referral.Actor{UserID: lw.ID, Client: "demo"}
	answerer := referral.Actor{UserID: provider.ID, Client: "demo"}
	firstSession := time.Now().AddDate(0, 0, 5).Format(time.DateOnly)
	sent := 0
	for i, p := range demoProviderPeople {
		person := demoPeople[p.person]
		var refID string
		err := a.DB.R().QueryRowContext(ctx, `SELECT r.id FROM referrals r JOIN people pe ON pe.id = r.person_id
			WHERE r.channel = 'demo' AND r.assigned_to = $1 AND r.status <> 'closed' AND pe.given_name = $2 AND pe.family_name = $3`,
			lw.ID, person.given, person.family).Scan(&refID)
		if err != nil {
			return fmt.Errorf("demo referral of %s %s: %w", person.given, person.family, err)
		}
		c, err := a.Connections.Create(ctx, worker, refID, connection.CreateInput{ServiceID: ids[p.service], Kind: connection.Supported,
			Note: "Would like someone to say hello at the door the first time."})
		if err != nil {
			return fmt.Errorf("demo connection for %s %s: %w", person.given, person.family, err)
		}
		if p.accepted {
			if _, err := a.Connections.DecideWithFirstSession(ctx, answerer, c.ID, connection.Accepted, "", firstSession); err != nil {
				return fmt.Errorf("demo answer for %s %s: %w", person.given, person.family, err)
			}
		}
		if err := backdateDemoConnection(ctx, a, c.ID, time.Duration(9-3*i)*24*time.Hour); err != nil {
			return err
		}
		sent++
	}
	fmt.Fprintf(out, "Greenway Community Trust: %d services, %d people sent to them.\n", len(ids), sent)
	return nil
}

// backdateDemoConnection moves a demo connection's history back, as if it
// was sent ago and answered (if it was) a day later: otherwise the
// provider's queue shows every one sent at the moment the demo loaded.
func backdateDemoConnection(ctx context.Context, a *app.App, id string, ago time.Duration) error {
	sent, answered := ago.Milliseconds(), (ago - 24*time.Hour).Milliseconds()
	for _, stmt := range []string{
		`UPDATE connections SET created_at = created_at - $1, decided_at = decided_at - $2, updated_at = updated_at - $2 WHERE id = $3`,
		`UPDATE connection_events SET at = at - (CASE WHEN position = (SELECT MIN(position) FROM connection_events WHERE connection_id = $3) THEN CAST($1 AS BIGINT) ELSE CAST($2 AS BIGINT) END) WHERE connection_id = $3`,
	} {
		if _, err := a.DB.Exec(ctx, stmt, sent, answered, id); err != nil {
			return fmt.Errorf("backdate demo connection %s: %w", id, err)
		}
	}
	return nil
}
