package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"oikos/internal/app"
	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/org"
	"oikos/internal/outcome"
	"oikos/internal/referral"
)

// The demo scheme's past year: about four hundred invented people referred
// over the last twelve months, most of them seen, connected to community
// groups, measured at the start and at review, and closed, so that the
// scheme reports show believable figures rather than a page of "fewer than
// 5". They belong to two invented link workers, never to the demo link
// worker, whose caseload stays the short one of demo_casework.go.
//
// The rows are written straight into the tables in one transaction (a few
// thousand of them), which keeps `oikos demo` to a second or two; they are
// history, so no audit entries are made for them. Like the demo caseload
// they carry channel 'demo', and external ids "history-N" mark them so a
// second run adds nothing.

const demoHistoryCount = 400

var demoHistoryWorkers = []struct{ email, name string }{
	{"rowan.hext@oikos.example", "Rowan Hext"},
	{"sam.daw@oikos.example", "Sam Daw"},
}

// demoHistoryPractices are GP practices and other referrers beyond those
// the demo already has.
var demoHistoryOrgs = []org.Input{
	{Name: "Exe Valley Practice", Kind: "gp_practice"},
	{Name: "Tamar Street Surgery", Kind: "gp_practice"},
	{Name: "Torbay Road Health Centre", Kind: "gp_practice"},
	{Name: "Moorland Medical Group", Kind: "gp_practice"},
	{Name: "Devon Age Friends", Kind: "vcse"},
}

var (
	demoGivenF   = []string{"Ann", "Barbara", "Carol", "Deborah", "Elsie", "Fiona", "Gwen", "Helen", "Irene", "Jean", "Karen", "Lorna", "Mary", "Nicola", "Pat", "Rachel", "Sue", "Tracy", "Valerie", "Wendy", "Zara", "Amira", "Mei", "Agnieszka"}
	demoGivenM   = []string{"Alan", "Brian", "Clive", "David", "Eric", "Frank", "George", "Harold", "Ian", "John", "Keith", "Len", "Martin", "Neil", "Owen", "Paul", "Roger", "Steve", "Trevor", "Wayne", "Yusuf", "Kwame", "Tomasz", "Arjun"}
	demoFamily   = []string{"Ashworth", "Bidder", "Channon", "Dart", "Endacott", "Frost", "Gammon", "Hext", "Isaac", "Jewell", "Kingdon", "Lethbridge", "Mallett", "Northcott", "Oxenham", "Passmore", "Quick", "Rowe", "Stoneman", "Tapper", "Uglow", "Vanstone", "Westaway", "Yelland"}
	demoDistrict = []string{"EX1", "EX2", "EX4", "EX4", "EX2", "EX8", "EX10", "EX14", "EX16", "EX20", "EX31", "EX32", "EX39", "EX5", "EX7", "EX15",
		"PL1", "PL4", "PL19", "PL21", "TQ1", "TQ2", "TQ9", "TQ12", "TQ14"}
	demoReasons = [][]string{
		{"loneliness", "lives_alone"}, {"low_mood", "lacking_purpose"}, {"isolation", "fear_of_going_out"}, {"bereavement", "loneliness"},
		{"money_worries", "anxiety"}, {"physical_inactivity", "weight"}, {"caring_responsibilities", "poor_sleep"}, {"lacking_social_networks", "low_confidence"},
		{"long_term_condition", "no_hobbies"}, {"housing", "benefits"}, {"employment", "learning"}, {"digital_exclusion", "loneliness"},
	}
)

// demoPick chooses from weighted choices.
func demoPick[T any](r *rand.Rand, choices []T, weights []int) T {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := r.IntN(total)
	for i, w := range weights {
		if n < w {
			return choices[i]
		}
		n -= w
	}
	return choices[len(choices)-1]
}

// loadDemoHistory adds the year of past referrals once; run again, it
// leaves them be.
func loadDemoHistory(ctx context.Context, a *app.App, out io.Writer) error {
	d, users := a.DB, a.Auth
	var have int
	if err := d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM referrals WHERE channel = 'demo' AND external_id LIKE 'history-%'").Scan(&have); err != nil {
		return err
	}
	if have > 0 {
		return nil
	}
	manager, err := users.GetUserByEmail(ctx, "manager@oikos.example")
	if err != nil {
		return err
	}
	var workers []string
	for _, w := range demoHistoryWorkers {
		u, err := users.GetUserByEmail(ctx, w.email)
		if err != nil {
			u, err = users.CreateUser(ctx, cliActor, auth.UserInput{Email: w.email, Name: w.name, Role: auth.LinkWorker,
				OrganisationID: manager.OrganisationID}, demoPassword()+demoPassword())
			if err != nil {
				return fmt.Errorf("demo link worker %s: %w", w.email, err)
			}
		}
		workers = append(workers, u.ID)
	}
	orgIDs := map[string]string{}
	orgs := a.Orgs
	for _, o := range demoHistoryOrgs {
		created, err := orgs.Create(ctx, org.Actor{UserID: "system", Client: "demo"}, o)
		if err != nil {
			// Made by an earlier run that stopped part way: find it.
			if err := d.R().QueryRowContext(ctx, "SELECT id FROM organisations WHERE lower(name) = lower($1)", o.Name).Scan(&created.ID); err != nil {
				return fmt.Errorf("demo organisation %s: %w", o.Name, err)
			}
		}
		orgIDs[o.Name] = created.ID
	}
	byKind := map[string][]string{}
	rows, err := d.R().QueryContext(ctx, "SELECT id, kind FROM organisations WHERE active ORDER BY name")
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, kind string
		if err := rows.Scan(&id, &kind); err != nil {
			rows.Close()
			return err
		}
		byKind[kind] = append(byKind[kind], id)
	}
	rows.Close()
	type service struct{ id, org string }
	var services []service
	rows, err = d.R().QueryContext(ctx, "SELECT id, organisation_id FROM services WHERE status = 'active' ORDER BY id LIMIT 40")
	if err != nil {
		return err
	}
	for rows.Next() {
		var s service
		if err := rows.Scan(&s.id, &s.org); err != nil {
			rows.Close()
			return err
		}
		services = append(services, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	r := rand.New(rand.NewPCG(13, 17))
	today := time.Now().UTC().Truncate(24 * time.Hour)
	ms := db.Millis
	day := 24 * time.Hour
	sourceOrg := func(source string) any {
		pick := func(kind string) any {
			if ids := byKind[kind]; len(ids) > 0 {
				return ids[r.IntN(len(ids))]
			}
			return nil
		}
		switch source {
		case "gp", "nurse":
			return pick("gp_practice")
		case "district_nurse":
			return pick("nhs_trust")
		case "social_worker":
			return pick("council")
		case "voluntary_org":
			return pick("vcse")
		case "other_professional":
			return pick([]string{"council", "nhs_trust"}[r.IntN(2)])
		}
		return nil
	}

	counts := map[string]int{}
	err = d.Tx(ctx, func(tx *sql.Tx) error {
		exec := func(q string, args ...any) error {
			_, err := tx.ExecContext(ctx, q, args...)
			return err
		}
		measure := func(refID, instrument, timepoint string, at time.Time, by string, answers []int) error {
			score, err := outcome.ScoreAnswers(instrument, answers)
			if err != nil {
				return fmt.Errorf("demo %s answers %v: %w", instrument, answers, err)
			}
			counts["measures"]++
			return outcome.Insert(ctx, tx, refID, outcome.Measure{ID: db.NewID("mea"), Instrument: instrument, Timepoint: timepoint,
				Answers: answers, Score: score, RecordedAt: at, By: by})
		}
		for i := range demoHistoryCount {
			// Arrivals spread over the year, the oldest first, at office hours.
			received := today.Add(-time.Duration(365-i*365/demoHistoryCount) * day).Add(time.Duration(8*60+r.IntN(9*60)) * time.Minute)
			age := today.Sub(received)
			sex := demoPick(r, []string{"female", "male"}, []int{58, 42})
			given := demoGivenF[r.IntN(len(demoGivenF))]
			if sex == "male" {
				given = demoGivenM[r.IntN(len(demoGivenM))]
			}
			family := demoFamily[r.IntN(len(demoFamily))]
			years := demoPick(r, []int{20, 30, 40, 50, 60, 70, 80, 88}, []int{6, 9, 11, 14, 17, 20, 16, 7}) + r.IntN(9)
			born := received.AddDate(-years, -r.IntN(12), -r.IntN(28))
			ethnicity := demoPick(r, []string{"white", "asian", "black", "mixed", "other"}, []int{90, 4, 2, 3, 1})
			postcode := fmt.Sprintf("%s %d%c%c", demoDistrict[r.IntN(len(demoDistrict))], 1+r.IntN(9), 'A'+rune(r.IntN(20)), 'A'+rune(r.IntN(20)))
			personID, refID := db.NewID("per"), db.NewID("ref")
			if err := exec(`INSERT INTO people (id, given_name, family_name, date_of_birth, postcode, age_band, sex, ethnicity, created_at, updated_at,
				given_key, family_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11)`, personID, given, family, born.Format(time.DateOnly), postcode,
				referral.AgeBand(born, received), sex, ethnicity, ms(received), referral.NameKey(given), referral.NameKey(family)); err != nil {
				return err
			}
			source := demoPick(r, referral.SourceTypes, []int{40, 9, 5, 10, 6, 14, 8, 6, 2})
			consentBy := "referrer"
			if source == "self" {
				consentBy = "person"
			}
			worker := workers[i%len(workers)]

			// How far each got: the recent are still in hand, the rest
			// mostly closed; a few were never taken on.
			status := referral.Closed
			switch {
			case age < 10*day:
				status = demoPick(r, []referral.Status{referral.Received, referral.Accepted, referral.Contacted}, []int{3, 2, 2})
			case age < 40*day:
				status = demoPick(r, []referral.Status{referral.Contacted, referral.Active}, []int{1, 3})
			case age < 130*day:
				status = demoPick(r, []referral.Status{referral.Active, referral.Closed}, []int{3, 1})
			}
			neverTaken := status == referral.Closed && r.IntN(100) < 7
			var firstContact, closedAt any
			var contactAt time.Time
			events := []struct {
				at       time.Time
				from, to referral.Status
				reason   string
			}{}
			assigned := any(nil)
			clock := received
			move := func(days int, to referral.Status, reason string) {
				from := referral.Received
				if len(events) > 0 {
					from = events[len(events)-1].to
				}
				clock = clock.Add(time.Duration(days)*day + time.Duration(r.IntN(240))*time.Minute)
				events = append(events, struct {
					at       time.Time
					from, to referral.Status
					reason   string
				}{clock, from, to, reason})
			}
			closedReason := ""
			switch {
			case neverTaken:
				closedReason = demoPick(r, []string{"not_appropriate", "redirected", "declined"}, []int{2, 2, 1})
				move(1+r.IntN(3), referral.Closed, closedReason)
			case status != referral.Received:
				move(r.IntN(3), referral.Accepted, "")
				assigned = worker
				if status != referral.Accepted {
					move(demoPick(r, []int{1, 2, 3, 4, 5, 7, 10, 14}, []int{8, 12, 14, 12, 9, 6, 3, 2}), referral.Contacted, "")
					contactAt = clock
					firstContact = ms(clock)
				}
				if status == referral.Active || status == referral.Closed {
					move(3+r.IntN(8), referral.Active, "")
				}
				if status == referral.Closed {
					closedReason = demoPick(r, []string{"goals_met", "disengaged", "moved_away", "declined", "other"}, []int{68, 16, 5, 6, 5})
					move(80+r.IntN(70), referral.Closed, closedReason)
					if clock.After(today) {
						clock = today.Add(-time.Duration(1+r.IntN(5)) * day)
						events[len(events)-1].at = clock
					}
				}
			}
			if status == referral.Closed {
				closedAt = ms(clock)
			}
			urgency := "routine"
			if r.IntN(12) == 0 {
				urgency = "urgent"
			}
			reasons := demoReasons[r.IntN(len(demoReasons))]
			// The history belongs to the demo's scheme, the first made.
			if err := exec(`INSERT INTO referrals (id, reference, person_id, status, source_type, source_organisation_id, referrer_name, reasons, urgency,
					consent_given, consent_share, consent_by, consent_at, assigned_to, closed_reason, external_id, channel, received_at, first_contact_at, closed_at, updated_at,
					sent_given_name, sent_family_name, sent_date_of_birth, sent_postcode, scheme_id)
				VALUES ($1, $2, $3, $4, $5, $6, '', $7, $8, TRUE, $9, $10, $11, $12, $13, $14, 'demo', $11, $15, $16, $17, $18, $19, $20, $21,
					(SELECT id FROM organisations WHERE kind = 'scheme' ORDER BY created_at, id LIMIT 1))`,
				refID, fmt.Sprintf("OIK-H%03d-%04d", i/100, i), personID, string(status), source, sourceOrg(source), strings.Join(reasons, " "), urgency,
				r.IntN(5) != 0, consentBy, ms(received), assigned, closedReason, fmt.Sprintf("history-%d", i), firstContact, closedAt, ms(clock),
				given, family, born.Format(time.DateOnly), postcode); err != nil {
				return err
			}
			counts["referrals"]++
			counts[string(status)]++
			if err := exec(`INSERT INTO referral_events (referral_id, position, at, actor_id, from_status, to_status) VALUES ($1, 0, $2, 'system', '', 'received')`,
				refID, ms(received)); err != nil {
				return err
			}
			for k, e := range events {
				if err := exec(`INSERT INTO referral_events (referral_id, position, at, actor_id, from_status, to_status, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
					refID, k+1, ms(e.at), worker, string(e.from), string(e.to), e.reason); err != nil {
					return err
				}
			}
			if firstContact == nil {
				continue
			}
			if err := exec(`INSERT INTO contacts (id, referral_id, at, mode, duration_minutes, note, by_user, created_at) VALUES ($1, $2, $3, $4, $5, '', $6, $3)`,
				db.NewID("con"), refID, ms(contactAt), []string{"phone", "in_person", "home_visit"}[r.IntN(3)], 15+r.IntN(45), worker); err != nil {
				return err
			}
			if status != referral.Active && status != referral.Closed {
				continue
			}

			// Baseline at the what-matters conversation, a review twelve
			// weeks on, and the last answers when it closed: mostly better,
			// some the same, a few worse.
			baseAt := contactAt.Add(time.Duration(3+r.IntN(6)) * day)
			outlook := demoPick(r, []int{2, 1, 0, -1}, []int{45, 30, 17, 8}) // how well it went
			clamp := func(v, lo, hi int) int { return max(lo, min(hi, v)) }
			nudge := func(v, lo, hi, towards int) int {
				step := 0
				if outlook > 0 {
					step = r.IntN(outlook+1) * towards
				} else if outlook < 0 {
					step = -r.IntN(2) * towards
				}
				return clamp(v+step, lo, hi)
			}
			base := map[string][]int{
				"ons4":              {3 + r.IntN(4), 3 + r.IntN(4), 3 + r.IntN(4), 4 + r.IntN(5)},
				"swemwbs":           {2 + r.IntN(2), 2 + r.IntN(2), 1 + r.IntN(3), 2 + r.IntN(2), 2 + r.IntN(3), 1 + r.IntN(3), 2 + r.IntN(3)},
				"ucla3":             {2 + r.IntN(2), 2 + r.IntN(2), 2 + r.IntN(2)},
				"loneliness_direct": {1 + r.IntN(3)},
				"friends":           {demoPick(r, []int{0, 1, 2, 3, 4}, []int{25, 30, 25, 12, 8})},
				"gp_appointments":   {1 + r.IntN(6)},
			}
			later := func() map[string][]int {
				o := base["ons4"]
				s := make([]int, 7)
				for k, v := range base["swemwbs"] {
					s[k] = nudge(v, 1, 5, 1)
				}
				u := make([]int, 3)
				for k, v := range base["ucla3"] {
					u[k] = nudge(v, 1, 3, -1)
				}
				return map[string][]int{
					"ons4":              {nudge(o[0], 0, 10, 1), nudge(o[1], 0, 10, 1), nudge(o[2], 0, 10, 1), nudge(o[3], 0, 10, -1)},
					"swemwbs":           s,
					"ucla3":             u,
					"loneliness_direct": {nudge(base["loneliness_direct"][0], 1, 5, 1)},
					"friends":           {nudge(base["friends"][0], 0, 100, 1)},
					"gp_appointments":   {nudge(base["gp_appointments"][0], 0, 100, -1)},
				}
			}
			for _, in := range outcome.Instruments {
				if err := measure(refID, in.Code, outcome.Baseline, baseAt, worker, base[in.Code]); err != nil {
					return err
				}
			}
			reviewAt := baseAt.Add(84 * day)
			if reviewAt.Before(today) && (closedAt == nil || ms(reviewAt) < closedAt.(int64)) {
				review := later()
				for _, code := range []string{"ons4", "swemwbs", "friends"} {
					if err := measure(refID, code, outcome.Review, reviewAt, worker, review[code]); err != nil {
						return err
					}
				}
			}
			if status == referral.Closed && closedReason != "disengaged" {
				exit := later()
				for _, in := range outcome.Instruments {
					if err := measure(refID, in.Code, outcome.Exit, clock.Add(-time.Hour), worker, exit[in.Code]); err != nil {
						return err
					}
				}
			}

			// One or two connections to community groups, each at its
			// own stage.
			for k := range 1 + r.IntN(2) {
				if len(services) == 0 {
					break
				}
				svc := services[r.IntN(len(services))]
				made := baseAt.Add(time.Duration(2+r.IntN(12)+k*20) * day)
				if !made.Before(today) {
					continue
				}
				st := demoPick(r, []string{"completed", "accepted", "dropped", "declined", "waitlisted", "sent"}, []int{38, 24, 12, 9, 8, 9})
				if status == referral.Closed && (st == "accepted" || st == "sent" || st == "waitlisted") {
					st = demoPick(r, []string{"completed", "dropped"}, []int{3, 1})
				}
				var decided, attended, closed any
				at := made
				// The days to each stage are drawn as the stage was
				// picked (so the history's other draws stay as they were);
				// a stage that would fall after today has not happened
				// yet, and an open referral's connection waits at the
				// stage before it.
				var toDecision, toAttendance, toClose time.Duration
				if st != "sent" {
					toDecision = time.Duration(1+r.IntN(6)) * day
				}
				if st == "accepted" || st == "completed" || st == "dropped" {
					toAttendance = time.Duration(2+r.IntN(8)) * day
				}
				if st == "completed" || st == "dropped" || st == "declined" {
					toClose = time.Duration(20+r.IntN(50)) * day
				}
				if st != "sent" {
					if next := at.Add(toDecision); next.Before(today) || status == referral.Closed {
						at, decided = next, ms(next)
					} else {
						st = "sent"
					}
				}
				if st == "accepted" || st == "completed" || st == "dropped" {
					if next := at.Add(toAttendance); next.Before(today) || status == referral.Closed {
						at, attended = next, ms(next)
					} else {
						st = "accepted"
					}
				}
				if st == "completed" || st == "dropped" || st == "declined" {
					at = at.Add(toClose)
					if at.After(today) {
						at = today.Add(-day)
					}
					closed = ms(at)
				}
				if err := exec(`INSERT INTO connections (id, referral_id, service_id, organisation_id, kind, status, created_by, created_at, decided_at, first_attended_at, closed_at, updated_at,
						scheme_id)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, (SELECT scheme_id FROM referrals WHERE id = $2))`,
					db.NewID("cnx"), refID, svc.id, svc.org, demoPick(r, []string{"signpost", "active_signpost", "supported"}, []int{3, 4, 3}), st,
					worker, ms(made), decided, attended, closed, ms(at)); err != nil {
					return err
				}
				counts["connections"]++
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("demo history: %w", err)
	}
	fmt.Fprintf(out, "Demo history: %d people referred over the past year (%d closed), %d connections, %d measures, with link workers %s and %s\n",
		counts["referrals"], counts["closed"], counts["connections"], counts["measures"], demoHistoryWorkers[0].name, demoHistoryWorkers[1].name)
	return nil
}
