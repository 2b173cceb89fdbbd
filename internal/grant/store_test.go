package grant_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"oikos"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/directory"
	"oikos/internal/grant"
	"oikos/internal/report"
)

// monthEnd is the last day of day's month: reports cover whole months.
func monthEnd(day string) string {
	t, _ := time.Parse(time.DateOnly, day)
	return time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

func TestRoundsAndTheirGapMap(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		r := w.openRound(t, 1_000_000)
		if r.State != grant.Open || r.RemainingPence != 1_000_000 || !slices.Equal(r.Areas, []string{"EX1", "EX4"}) || r.SchemeID != "org_s1" {
			t.Fatalf("round %+v", r)
		}
		// The gap map shows loneliness in the round's areas only; EX1's two
		// referrals are hidden, as in the unmet needs report.
		var ex4, ex1 bool
		for _, g := range r.GapMap.Gaps {
			if g.Need != "loneliness" {
				t.Errorf("a need outside the round: %+v", g)
			}
			switch g.Area {
			case "EX4":
				ex4 = g.Referrals != nil && *g.Referrals == 7
			case "EX1":
				ex1 = g.Referrals == nil
			}
		}
		if !ex4 || !ex1 || !slices.Contains(r.GapMap.Suppressed, "gaps.EX1.loneliness.referrals") || r.GapMap.To != monthEnd(w.today) {
			body, _ := json.Marshal(r.GapMap)
			t.Errorf("gap map %s", body)
		}

		// The whole scheme's map, for choosing a round's needs and areas.
		whole := must(w.store.SchemeGapMap(ctx, manager))(t)
		if !slices.ContainsFunc(whole.Gaps, func(g report.UnmetGap) bool { return g.Area == "EX4" && g.Need == "loneliness" }) {
			t.Errorf("the scheme's gap map: %+v", whole)
		}
		if _, err := w.store.SchemeGapMap(ctx, provider); code(err) != oikos.ENOTFOUND {
			t.Errorf("a provider reads the scheme's gap map: %v", err)
		}

		// Who sees the round: the scheme's managers and commissioners,
		// and providers from anywhere; not another scheme, not a link worker.
		if got := must(w.store.Rounds(ctx, provider))(t); len(got) != 1 || len(got[0].GapMap.Gaps) != 2 {
			t.Errorf("provider's rounds: %+v", got)
		}
		if got := must(w.store.Rounds(ctx, commissioner))(t); len(got) != 1 {
			t.Errorf("commissioner's rounds: %d", len(got))
		}
		if got := must(w.store.Rounds(ctx, farManager))(t); len(got) != 0 {
			t.Errorf("another scheme's manager sees %d rounds", len(got))
		}
		if _, err := w.store.Round(ctx, farManager, r.ID); code(err) != oikos.ENOTFOUND {
			t.Errorf("another scheme's manager reads the round: %v", err)
		}
		if _, err := w.store.Rounds(ctx, worker); code(err) != oikos.ENOTFOUND {
			t.Errorf("a link worker lists rounds: %v", err)
		}
		if _, err := w.store.CreateRound(ctx, provider, actor(provider), grant.RoundInput{}); code(err) != oikos.ENOTFOUND {
			t.Errorf("a provider opens a round: %v", err)
		}
		_, err := w.store.CreateRound(ctx, manager, actor(manager), grant.RoundInput{Name: "x", PotPence: pence(0), OpensOn: day(5), ClosesOn: day(1),
			Needs: []string{"nonsense"}, Areas: []string{"not an area"}})
		for _, f := range []string{"pot_pence", "closes_on", "needs", "areas"} {
			if field(err, f) == "" {
				t.Errorf("bad round: %v, want %s named", err, f)
			}
		}
	})
}

func TestApplicationsAwardsAndPayments(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		s := w.store
		r := w.openRound(t, 100_000)

		a := must(s.Apply(ctx, provider, actor(provider), r.ID, application("org_cafe", 60_000)))(t)
		if a.Status != grant.Submitted || a.Organisation != "Bridge Café" || !slices.Equal(a.Areas, r.Areas) || a.GapMap == nil || len(a.GapMap.Gaps) != 2 {
			t.Fatalf("application %+v", a)
		}
		if _, err := s.Apply(ctx, provider, actor(provider), r.ID, application("org_choir", 1000)); field(err, "organisation_id") == "" {
			t.Errorf("applied for another organisation: %v", err)
		}
		if _, err := s.Apply(ctx, manager, actor(manager), r.ID, application("org_cafe", 1000)); field(err, "organisation_id") == "" {
			t.Errorf("a manager applied: %v", err)
		}
		for _, amount := range []int64{0, -5, 100_001} {
			if _, err := s.Apply(ctx, provider, actor(provider), r.ID, application("org_cafe", amount)); field(err, "amount_pence") == "" {
				t.Errorf("asked for %d: %v", amount, err)
			}
		}
		outside := application("org_cafe", 1000)
		outside.Areas, outside.Needs = []string{"PL1"}, []string{"anxiety"}
		_, err := s.Apply(ctx, provider, actor(provider), r.ID, outside)
		if field(err, "areas") == "" || field(err, "needs") == "" {
			t.Errorf("applied outside the round's needs and areas: %v", err)
		}
		b := must(s.Apply(ctx, otherProv, actor(otherProv), r.ID, application("org_choir", 50_000)))(t)

		// Outside the round's dates: a conflict.
		later := must(s.CreateRound(ctx, manager, actor(manager), grant.RoundInput{Name: "Next year", PotPence: pence(5000), OpensOn: day(30), ClosesOn: day(60),
			Needs: []string{"loneliness"}}))(t)
		if _, err := s.Apply(ctx, provider, actor(provider), later.ID, application("org_cafe", 1000)); code(err) != oikos.ECONFLICT {
			t.Errorf("applied before the round opened: %v", err)
		}
		past := must(s.CreateRound(ctx, manager, actor(manager), grant.RoundInput{Name: "Last year", PotPence: pence(5000), OpensOn: day(-60), ClosesOn: day(-30),
			Needs: []string{"loneliness"}}))(t)
		if _, err := s.Apply(ctx, provider, actor(provider), past.ID, application("org_cafe", 1000)); code(err) != oikos.ECONFLICT {
			t.Errorf("applied after the round closed: %v", err)
		}

		// Each provider sees its own application only; the manager both.
		if got := must(s.Applications(ctx, provider, r.ID))(t); len(got) != 1 || got[0].ID != a.ID {
			t.Errorf("provider sees %+v", got)
		}
		if _, err := s.Application(ctx, provider, b.ID); code(err) != oikos.ENOTFOUND {
			t.Errorf("provider reads another's application: %v", err)
		}
		if got := must(s.Applications(ctx, manager, r.ID))(t); len(got) != 2 {
			t.Errorf("manager sees %d", len(got))
		}

		// Decisions: only the scheme's managers; within the pot; once.
		if _, err := s.Decide(ctx, provider, actor(provider), a.ID, grant.DecisionInput{Decision: "awarded"}); code(err) != oikos.ENOTFOUND {
			t.Errorf("a provider decided: %v", err)
		}
		if _, err := s.Decide(ctx, farManager, actor(farManager), a.ID, grant.DecisionInput{Decision: "awarded"}); code(err) != oikos.ENOTFOUND {
			t.Errorf("another scheme's manager decided: %v", err)
		}
		if _, err := s.Decide(ctx, manager, actor(manager), a.ID, grant.DecisionInput{Decision: "awarded", AmountPence: pence(60_001)}); field(err, "amount_pence") == "" {
			t.Errorf("awarded more than asked: %v", err)
		}
		score := 80
		won := must(s.Decide(ctx, manager, actor(manager), a.ID, grant.DecisionInput{Decision: "awarded", Score: &score}))(t)
		if won.Status != grant.Awarded || won.AwardedPence != 60_000 || *won.Score != 80 || won.DecidedAt == nil {
			t.Errorf("awarded %+v", won)
		}
		if _, err := s.Decide(ctx, manager, actor(manager), a.ID, grant.DecisionInput{Decision: "declined", Reason: "Oops"}); code(err) != oikos.ECONFLICT {
			t.Errorf("decided twice: %v", err)
		}
		_, err = s.Decide(ctx, manager, actor(manager), b.ID, grant.DecisionInput{Decision: "awarded"})
		if !strings.Contains(field(err, "amount_pence"), "£400 left") {
			t.Errorf("awarded beyond the pot: %v", err)
		}
		if got := must(s.Application(ctx, manager, b.ID))(t); got.Status != grant.Submitted {
			t.Errorf("a refused award changed the application: %+v", got.Status)
		}
		part := must(s.Decide(ctx, manager, actor(manager), b.ID, grant.DecisionInput{Decision: "awarded", AmountPence: pence(40_000), Reason: "Part funded"}))(t)
		if part.AwardedPence != 40_000 {
			t.Errorf("part award %+v", part)
		}
		if round := must(s.Round(ctx, manager, r.ID))(t); round.AwardedPence != 100_000 || round.RemainingPence != 0 {
			t.Errorf("round after awards %+v", round)
		}

		// Payments in instalments, never beyond the award.
		if _, err := s.Pay(ctx, provider, actor(provider), a.ID, grant.PaymentInput{AmountPence: pence(1000), PaidOn: w.today}); code(err) != oikos.ENOTFOUND {
			t.Errorf("a provider paid: %v", err)
		}
		must(s.Pay(ctx, manager, actor(manager), a.ID, grant.PaymentInput{AmountPence: pence(30_000), PaidOn: w.today}))(t)
		if _, err := s.Pay(ctx, manager, actor(manager), a.ID, grant.PaymentInput{AmountPence: pence(30_001), PaidOn: w.today}); !strings.Contains(field(err, "amount_pence"), "£300 of the award") {
			t.Errorf("paid beyond the award: %v", err)
		}
		if _, err := s.Pay(ctx, manager, actor(manager), a.ID, grant.PaymentInput{AmountPence: pence(1), PaidOn: day(1)}); field(err, "paid_on") == "" {
			t.Errorf("paid tomorrow: %v", err)
		}
		paid := must(s.Pay(ctx, manager, actor(manager), a.ID, grant.PaymentInput{AmountPence: pence(30_000), PaidOn: w.today}))(t)
		if paid.PaidPence != 60_000 || len(paid.Payments) != 2 || paid.Payments[0].By != "Morgan Manager" {
			t.Errorf("paid %+v", paid)
		}
		c := must(s.Apply(ctx, provider, actor(provider), r.ID, application("org_cafe", 100)))(t)
		if _, err := s.Pay(ctx, manager, actor(manager), c.ID, grant.PaymentInput{AmountPence: pence(1), PaidOn: w.today}); code(err) != oikos.ECONFLICT {
			t.Errorf("paid an application not awarded: %v", err)
		}
		if _, err := s.Decide(ctx, manager, actor(manager), c.ID, grant.DecisionInput{Decision: "declined"}); field(err, "reason") == "" {
			t.Errorf("declined without a reason: %v", err)
		}
		must(s.Decide(ctx, manager, actor(manager), c.ID, grant.DecisionInput{Decision: "declined", Reason: "The pot is spent"}))(t)

		// The funded group's new service names its award; another's may not.
		in := directory.Input{OrganisationID: "org_cafe", Name: "Bridge lunch club", Description: "Lunch together every Wednesday.",
			Categories: []string{"befriending"}, Postcode: "EX4 4QJ", CitizenLed: true, GrantApplicationID: &a.ID}
		svc := must(w.dir.Create(ctx, directory.Actor{UserID: provider.UserID}, in))(t)
		if svc.GrantApplicationID == nil || *svc.GrantApplicationID != a.ID {
			t.Errorf("service %+v", svc.GrantApplicationID)
		}
		in.OrganisationID = "org_choir"
		if _, err := w.dir.Create(ctx, directory.Actor{UserID: otherProv.UserID}, in); field(err, "grant_application_id") == "" {
			t.Errorf("named another organisation's award: %v", err)
		}
		in.OrganisationID, in.GrantApplicationID = "org_cafe", &c.ID
		if _, err := w.dir.Create(ctx, directory.Actor{UserID: provider.UserID}, in); field(err, "grant_application_id") == "" {
			t.Errorf("named a declined application: %v", err)
		}
		if got := must(s.Application(ctx, provider, a.ID))(t); !slices.Equal(got.ServiceIDs, []string{svc.ID}) {
			t.Errorf("the award funds %v", got.ServiceIDs)
		}

		// The grants report counts it.
		// Three people attended the funded group: too few to show.
		attend := func(from, to int) {
			for i := from; i <= to; i++ {
				execSQL(t, d, `INSERT INTO connections (id, referral_id, service_id, organisation_id, kind, status, created_by, created_at,
					first_attended_at, updated_at, scheme_id) VALUES ($1, $2, $3, 'org_cafe', 'signpost', 'accepted', 'usr_lee', $4, $4, $4, 'org_s1')`,
					"con_"+strconv.Itoa(i), "ref_"+strconv.Itoa(i), svc.ID, time.Now().UnixMilli())
			}
		}
		attend(1, 3)
		rep := must(s.GrantsReport(ctx, manager, actor(manager), "", ""))(t)
		if rep.Rounds != 2 || rep.AwardedPence != 100_000 || rep.PaidPence != 60_000 || rep.OrganisationsFunded != 2 || rep.GroupsCreated != 1 ||
			rep.GroupsRunning != 1 || rep.PeopleConnected != nil || !slices.Equal(rep.Suppressed, []string{"people_connected"}) {
			t.Errorf("report %+v", rep)
		}
		var buf bytes.Buffer
		if err := rep.WriteCSV(&buf); err != nil || !strings.Contains(buf.String(), "awarded_pence,100000,") || !strings.Contains(buf.String(), "people_connected,,hidden") {
			t.Errorf("csv %s %v", buf.String(), err)
		}
		attend(4, 6)
		if rep := must(s.GrantsReport(ctx, commissioner, actor(commissioner), "", ""))(t); rep.PeopleConnected == nil || *rep.PeopleConnected != 6 || len(rep.Suppressed) != 0 {
			t.Errorf("six people: %+v", rep)
		}
		if far := must(s.GrantsReport(ctx, farManager, actor(farManager), "", ""))(t); far.Rounds != 0 || far.AwardedPence != 0 {
			t.Errorf("another scheme's report %+v", far)
		}
		if _, err := s.GrantsReport(ctx, provider, actor(provider), "", ""); code(err) != oikos.ENOTFOUND {
			t.Errorf("a provider read the report: %v", err)
		}
		if _, err := s.GrantsReport(ctx, manager, actor(manager), "2026-13-01", ""); field(err, "from") == "" {
			t.Errorf("bad period: %v", err)
		}
	})
}

// TestConcurrentAwardsStayWithinThePot: thirty awards decided at once on a
// pot that holds five: exactly five, and the pot is never exceeded.
func TestConcurrentAwardsStayWithinThePot(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		s := w.store
		r := w.openRound(t, 50_000)
		const n = 30
		ids := make([]string, n)
		for i := range n {
			ids[i] = must(s.Apply(ctx, provider, actor(provider), r.ID, application("org_cafe", 10_000)))(t).ID
		}
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = s.Decide(ctx, manager, actor(manager), ids[i], grant.DecisionInput{Decision: "awarded"})
			}()
		}
		close(start)
		wg.Wait()
		awarded := 0
		for _, err := range errs {
			switch {
			case err == nil:
				awarded++
			case field(err, "amount_pence") != "":
			default:
				t.Errorf("an award failed other than by the pot: %v", err)
			}
		}
		round := must(s.Round(ctx, manager, r.ID))(t)
		if awarded != 5 || round.AwardedPence != 50_000 {
			t.Errorf("%d awarded, round says %d of %d", awarded, round.AwardedPence, round.PotPence)
		}
		// And payments at once on one award never exceed it.
		var won string
		for i, err := range errs {
			if err == nil {
				won = ids[i]
				break
			}
		}
		perrs := make([]error, n)
		start = make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, perrs[i] = s.Pay(ctx, manager, actor(manager), won, grant.PaymentInput{AmountPence: pence(3_000), PaidOn: w.today})
			}()
		}
		close(start)
		wg.Wait()
		paid := 0
		for _, err := range perrs {
			if err == nil {
				paid++
			} else if field(err, "amount_pence") == "" {
				t.Errorf("a payment failed other than by the award: %v", err)
			}
		}
		if a := must(s.Application(ctx, manager, won))(t); paid != 3 || a.PaidPence != 9_000 || len(a.Payments) != 3 {
			t.Errorf("%d payments; application paid %d with %d payments", paid, a.PaidPence, len(a.Payments))
		}
	})
}

func TestGroupsRegisterThemselves(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		s := w.store
		anon := oikos.Actor{UserID: "anonymous", Client: "198.51.100.7"}
		form := grant.RegistrationInput{GroupName: "Heavitree Knit and Natter", GroupDescription: "We knit, we talk, we drink tea.",
			ContactName: "Jo Bloggs", ContactEmail: "jo@example.org",
			Service: directory.Input{Name: "Knit and natter", Description: "Bring your needles, or borrow ours.", Categories: []string{"hobbies_interests"},
				Postcode: "EX1 2LE", Schedule: []directory.Session{{Day: "thursday", Opens: "14:00", Closes: "16:00"}}}}

		_, err := s.Register(ctx, anon, grant.RegistrationInput{Service: directory.Input{Categories: []string{"nonsense"}}})
		for _, f := range []string{"group_name", "contact_name", "contact_email", "service.name", "service.description", "service.categories", "service.postcode"} {
			if field(err, f) == "" {
				t.Errorf("empty form: %v, want %s named", err, f)
			}
		}
		reg := must(s.Register(ctx, anon, form))(t)
		if reg.Status != grant.Pending || reg.SchemeID != "org_s1" || !reg.Service.CitizenLed || reg.OrganisationID != nil {
			t.Fatalf("registered %+v", reg)
		}
		if _, err := s.Register(ctx, anon, form); code(err) != oikos.ECONFLICT || field(err, "group_name") == "" {
			t.Errorf("registered twice: %v", err)
		}
		// It waits, unlisted, for a manager of the scheme covering EX1.
		if n := count(t, d, "SELECT COUNT(*) FROM services WHERE name = 'Knit and natter'"); n != 0 {
			t.Errorf("listed before the check: %d", n)
		}
		if got := must(s.Registrations(ctx, manager, ""))(t); len(got) != 1 || got[0].ID != reg.ID {
			t.Errorf("queue %+v", got)
		}
		if got := must(s.Registrations(ctx, farManager, ""))(t); len(got) != 0 {
			t.Errorf("another scheme's queue holds %d", len(got))
		}
		if _, err := s.DecideRegistration(ctx, farManager, actor(farManager), reg.ID, grant.RegistrationDecision{Decision: "approved"}); code(err) != oikos.ENOTFOUND {
			t.Errorf("another scheme's manager approved: %v", err)
		}
		if _, err := s.DecideRegistration(ctx, commissioner, actor(commissioner), reg.ID, grant.RegistrationDecision{Decision: "approved"}); code(err) != oikos.ENOTFOUND {
			t.Errorf("a commissioner approved: %v", err)
		}
		done := must(s.DecideRegistration(ctx, manager, actor(manager), reg.ID, grant.RegistrationDecision{Decision: "approved"}))(t)
		if done.Status != grant.Approved || done.OrganisationID == nil || done.ServiceID == nil {
			t.Fatalf("approved %+v", done)
		}
		svc := must(w.dir.Get(ctx, *done.ServiceID))(t)
		if svc.Status != "active" || !svc.CitizenLed || svc.Organisation != "Heavitree Knit and Natter" || len(svc.Schedule) != 1 {
			t.Errorf("listed %+v", svc)
		}
		if _, err := s.DecideRegistration(ctx, manager, actor(manager), reg.ID, grant.RegistrationDecision{Decision: "declined", Reason: "x"}); code(err) != oikos.ECONFLICT {
			t.Errorf("decided twice: %v", err)
		}
		// Declining needs a reason and lists nothing.
		form.GroupName = "Another group"
		other := must(s.Register(ctx, anon, form))(t)
		if _, err := s.DecideRegistration(ctx, manager, actor(manager), other.ID, grant.RegistrationDecision{Decision: "declined"}); field(err, "reason") == "" {
			t.Errorf("declined without a reason: %v", err)
		}
		must(s.DecideRegistration(ctx, manager, actor(manager), other.ID, grant.RegistrationDecision{Decision: "declined", Reason: "Not a group in our area"}))(t)
		if n := count(t, d, "SELECT COUNT(*) FROM organisations WHERE name = 'Another group'"); n != 0 {
			t.Errorf("a declined group became an organisation")
		}

		// The citizen-led trend counts the new group in this month, and the
		// registration waiting earlier.
		trend := must(s.CitizenLedTrend(ctx, manager, actor(manager), "", ""))(t)
		last := trend.Months[len(trend.Months)-1]
		if len(trend.Months) < 12 || last.Running != 1 || last.Started != 1 || last.AwaitingCheck != 0 {
			t.Errorf("trend %+v", trend.Months[len(trend.Months)-2:])
		}
		if far := must(s.CitizenLedTrend(ctx, farManager, actor(farManager), "", ""))(t); far.Months[len(far.Months)-1].Running != 0 {
			t.Errorf("Plymouth counts an Exeter group: %+v", far.Months[len(far.Months)-1])
		}
		var buf bytes.Buffer
		if err := trend.WriteCSV(&buf); err != nil || !strings.HasPrefix(buf.String(), "month,running,closed,started,stopped,funded,awaiting_check\n") {
			t.Errorf("csv %q %v", buf.String(), err)
		}
		// Closing the group shows as stopped, then closed.
		must(0, w.dir.SetStatus(ctx, directory.Actor{UserID: manager.UserID}, svc.ID, "closed"))(t)
		last = must(s.CitizenLedTrend(ctx, manager, actor(manager), "", ""))(t).Months[len(trend.Months)-1]
		if last.Running != 0 || last.Closed != 1 || last.Stopped != 0 {
			// Started and stopped in the same month: it was never running at
			// a month's end before.
			t.Errorf("after closing %+v", last)
		}
	})
}

func count(t *testing.T, d *db.DB, q string) int {
	t.Helper()
	var n int
	if err := d.R().QueryRowContext(context.Background(), q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
