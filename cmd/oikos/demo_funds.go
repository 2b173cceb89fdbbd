package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"oikos"
	"oikos/internal/app"
	"oikos/internal/auth"
	"oikos/internal/budget"
	"oikos/internal/directory"
	"oikos/internal/grant"
)

// The demo region's money: personal budgets with purchases (one waiting
// for the manager, one reversed), and a grants round beside the gap map
// with applications, awards, an instalment paid and a new group the grant
// started, plus a group that registered itself and was checked. Each part
// is added once; run again, the demo leaves it be.

func loadDemoFunds(ctx context.Context, a *app.App, out io.Writer) error {
	lw, err := a.Auth.GetUserByEmail(ctx, "linkworker@oikos.example")
	if err != nil {
		return err
	}
	mg, err := a.Auth.GetUserByEmail(ctx, "manager@oikos.example")
	if err != nil {
		return err
	}
	worker, manager := lw.Principal(), mg.Principal()
	if err := loadDemoBudgets(ctx, a, worker, manager); err != nil {
		return fmt.Errorf("demo budgets: %w", err)
	}
	if err := loadDemoGrants(ctx, a, manager); err != nil {
		return fmt.Errorf("demo grants: %w", err)
	}
	fmt.Fprintln(out, "Demo personal budgets and a grants round are in place.")
	return nil
}

func demoActor(p *auth.Principal) oikos.Actor { return oikos.Actor{UserID: p.UserID, Client: "demo"} }

// loadDemoBudgets gives three of the link worker's open cases a budget.
func loadDemoBudgets(ctx context.Context, a *app.App, worker, manager *auth.Principal) error {
	var have int
	if err := a.DB.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM budgets").Scan(&have); err != nil || have > 0 {
		return err
	}
	refs, err := demoStrings(ctx, a, `SELECT id FROM referrals WHERE channel = 'demo' AND assigned_to = $1 AND status IN ('contacted', 'active')
		ORDER BY received_at LIMIT 3`, worker.UserID)
	if err != nil || len(refs) == 0 {
		return err
	}
	courses, err := demoStrings(ctx, a, `SELECT s.id FROM services s JOIN service_categories c ON c.service_id = s.id
		WHERE c.category IN ('arts_creativity', 'nature_ecotherapy') AND s.status = 'active' ORDER BY s.name LIMIT 3`)
	if err != nil {
		return err
	}
	today := time.Now().Format(time.DateOnly)
	pence := func(n int64) *int64 { return &n }
	for i, ref := range refs {
		if _, err := a.Budgets.SetAllowance(ctx, worker, demoActor(worker), ref, budget.AllowanceInput{AllowancePence: pence(15000),
			Purpose: "Creative or eco-therapy courses, as agreed in the plan"}); err != nil {
			return err
		}
		first := budget.PurchaseInput{Supplier: "Northgate Clay Studio", Description: "6-week pottery taster course", AmountPence: pence(4500), Date: today}
		if i < len(courses) {
			first = budget.PurchaseInput{ServiceID: courses[i], AmountPence: pence(4000), Date: today}
		}
		bought, err := a.Budgets.Purchase(ctx, worker, demoActor(worker), ref, first)
		if err != nil {
			return err
		}
		switch i {
		case 0:
			// Above the threshold: waiting in the manager's queue.
			_, err = a.Budgets.Purchase(ctx, worker, demoActor(worker), ref, budget.PurchaseInput{Supplier: "Dartmoor Eco-therapy",
				Description: "10-week eco-therapy course", AmountPence: pence(8500), Date: today})
		case 1:
			// Above the threshold, approved by the manager.
			var big budget.PurchaseResult
			big, err = a.Budgets.Purchase(ctx, worker, demoActor(worker), ref, budget.PurchaseInput{Supplier: "Northgate Leisure",
				Description: "Swimming, 12 sessions", AmountPence: pence(6000), Date: today})
			if err == nil {
				_, err = a.Budgets.Decide(ctx, manager, demoActor(manager), big.ID, budget.DecisionInput{Decision: budget.Approved})
			}
		case 2:
			// A course cancelled: the money goes back by a reversal.
			_, err = a.Budgets.Reverse(ctx, worker, demoActor(worker), bought.ID, budget.ReversalInput{Reason: "The course was cancelled and refunded"})
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// loadDemoGrants opens a round where the gap map shows the most unmet
// need, with applications from the region's community organisations.
func loadDemoGrants(ctx context.Context, a *app.App, manager *auth.Principal) error {
	var have int
	if err := a.DB.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM grant_rounds").Scan(&have); err != nil || have > 0 {
		return err
	}
	gaps, err := a.Grants.SchemeGapMap(ctx, manager)
	if err != nil {
		return err
	}
	// The round's areas are those with the most unmet loneliness and
	// isolation: awards follow need.
	needs := []string{"loneliness", "isolation", "low_mood"}
	count := map[string]int{}
	for _, g := range gaps.Gaps {
		if g.Referrals != nil && (g.Need == "loneliness" || g.Need == "isolation" || g.Need == "low_mood") {
			count[g.Area] += *g.Referrals
		}
	}
	if len(count) == 0 {
		// Too few of those needs anywhere to show: the areas of any need.
		for _, g := range gaps.Gaps {
			if g.Referrals != nil {
				count[g.Area] += *g.Referrals
			}
		}
	}
	var areas []string
	for area := range count {
		areas = append(areas, area)
	}
	sort.Slice(areas, func(i, j int) bool {
		return count[areas[i]] > count[areas[j]] || count[areas[i]] == count[areas[j]] && areas[i] < areas[j]
	})
	if len(areas) > 4 {
		areas = areas[:4]
	}
	where := "EX4"
	if len(areas) > 0 {
		where = areas[0]
	}
	now := time.Now()
	day := func(days int) string { return now.AddDate(0, 0, days).Format(time.DateOnly) }
	pence := func(n int64) *int64 { return &n }
	round, err := a.Grants.CreateRound(ctx, manager, demoActor(manager), grant.RoundInput{Name: "Growing community groups 2026", PotPence: pence(8_500_000),
		OpensOn: day(-45), ClosesOn: day(30), Needs: needs, Areas: areas,
		Criteria: "Groups run by and for local people, meeting at least fortnightly, where the gap map shows people's needs go unmet."})
	if err != nil {
		return err
	}
	orgs, err := demoStrings(ctx, a, "SELECT id FROM organisations WHERE kind = 'vcse' AND active AND name <> 'Greenway Community Trust' ORDER BY name LIMIT 4")
	if err != nil || len(orgs) == 0 {
		return err
	}
	greenway, err := demoStrings(ctx, a, "SELECT id FROM organisations WHERE name = 'Greenway Community Trust'")
	if err != nil || len(greenway) == 0 {
		return err
	}
	applications := []struct {
		org, title, summary, need string
		asked                     int64
		decide                    *grant.DecisionInput
		paid                      int64
	}{
		{greenway[0], "Northgate lunch club", "A hot lunch and company every Thursday for people living alone, with lifts for those who need them.", "loneliness",
			600_000, &grant.DecisionInput{Decision: grant.Awarded, AmountPence: pence(500_000), Score: new(int), Reason: "Strong fit with the gap map"}, 250_000},
		{orgs[0], "Men's shed", "A workshop where men meet to make and mend, two mornings a week.", "isolation",
			800_000, &grant.DecisionInput{Decision: grant.Awarded, Reason: "Meets the largest gap"}, 0},
		{orgs[len(orgs)-1], "Evening choir", "A choir for people who have never sung, on Tuesday evenings.", "low_mood",
			400_000, &grant.DecisionInput{Decision: grant.Declined, Reason: "A choir already meets nearby; talk to us about joining up with it"}, 0},
		{orgs[len(orgs)/2], "Walk and talk", "Gentle walks with a coffee at the end, for people getting back out after illness.", "loneliness", 250_000, nil, 0},
	}
	for _, ap := range applications {
		applicant := &auth.Principal{UserID: "system", Role: auth.Provider, OrganisationID: ap.org}
		app, err := a.Grants.Apply(ctx, applicant, oikos.Actor{UserID: "system", Client: "demo"}, round.ID, grant.ApplicationInput{OrganisationID: ap.org,
			Title: ap.title, Summary: ap.summary, Needs: []string{ap.need}, Areas: []string{where}, AmountPence: pence(ap.asked), StartsOn: day(-20)})
		if err != nil {
			return fmt.Errorf("%s: %w", ap.title, err)
		}
		if ap.decide == nil {
			continue
		}
		if ap.decide.Score != nil {
			*ap.decide.Score = 8
		}
		if _, err := a.Grants.Decide(ctx, manager, demoActor(manager), app.ID, *ap.decide); err != nil {
			return fmt.Errorf("%s: %w", ap.title, err)
		}
		if ap.paid > 0 {
			if _, err := a.Grants.Pay(ctx, manager, demoActor(manager), app.ID, grant.PaymentInput{AmountPence: pence(ap.paid), PaidOn: day(-10)}); err != nil {
				return err
			}
		}
		if ap.title == "Northgate lunch club" {
			// The group the grant started, in the directory, naming its award.
			award := app.ID
			if _, err := a.Directory.Create(ctx, oikos.Actor{UserID: "system", Client: "demo"}, directory.Input{OrganisationID: ap.org,
				Name: "Northgate Lunch Club", Description: "A hot lunch and good company every Thursday at noon, for anyone living alone. Lifts can be arranged.",
				Categories: []string{"social_groups", "food_support"}, Postcode: where + " 1AA", LocationName: "St Mary's Hall",
				Schedule: []directory.Session{{Day: "thursday", Opens: "12:00", Closes: "14:00"}}, CitizenLed: true, StartedOn: day(-14),
				GrantApplicationID: &award}); err != nil {
				return fmt.Errorf("the funded group: %w", err)
			}
		}
	}
	// A group that registered itself, checked and listed by the manager.
	reg, err := a.Grants.Register(ctx, oikos.Actor{UserID: "anonymous", Client: "demo"}, grant.RegistrationInput{GroupName: "Northgate Knit and Natter",
		GroupDescription: "Neighbours who knit, crochet and chat.", ContactName: "Maureen Tozer", ContactEmail: "knitandnatter@example.net",
		Service: directory.Input{Name: "Tuesday knit and natter", Description: "Bring your knitting, or learn: tea, cake and good company every Tuesday afternoon.",
			Categories: []string{"social_groups", "hobbies_interests"}, Postcode: where + " 1AA", LocationName: "Northgate Library"}})
	if err != nil {
		return fmt.Errorf("the registration: %w", err)
	}
	_, err = a.Grants.DecideRegistration(ctx, manager, demoActor(manager), reg.ID, grant.RegistrationDecision{Decision: grant.Approved})
	return err
}

// demoStrings reads one column of strings.
func demoStrings(ctx context.Context, a *app.App, q string, args ...any) ([]string, error) {
	rows, err := a.DB.R().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
