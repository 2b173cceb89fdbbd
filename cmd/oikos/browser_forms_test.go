package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"oikos/internal/auth"
	"oikos/internal/connection"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/directory"
	"oikos/internal/notify/notifytest"
	"oikos/internal/oikostest"
	"oikos/internal/referral"
)

// TestBrowserEveryForm sends every form on every page at least once, in a
// real browser against the real server on the demo database, as the
// person who uses it: with what a person would type, checking the answer
// (a page with a 2xx status that says it worked, and accessible), and,
// where a person types, first with a mistake, checking that the error
// summary names the field and leads to it. A form that is missing a field
// or an option fails here, not in front of a user. TestEveryFormIsTested
// keeps the list complete; formSteps says which step sends each form, and
// this test checks that it did.
func TestBrowserEveryForm(t *testing.T) {
	requireAxe(t)
	runFormSteps(t, dbtest.URL(t, db.SQLite), formsSteps)
}

// TestBrowserFormsOnPostgres runs, on PostgreSQL, the steps of
// TestBrowserEveryForm whose forms reach SQL that differs between the
// databases or locks rows there: directory search, triage and matching,
// suggestions and connections, a provider's answers in Oikos, erasure,
// reports.
func TestBrowserFormsOnPostgres(t *testing.T) {
	requireAxe(t)
	var steps []formsStep
	for _, s := range formsSteps {
		switch s.name {
		case "public-directory", "gp-referral", "manager-triage", "link-worker-triage", "link-worker-people", "link-worker-suggestions",
			"link-worker-connect", "provider-connection", "manager-rights", "manager-reports",
			// Budgets lock their row and grants their round and award
			// differently on PostgreSQL.
			"link-worker-budget", "manager-budgets", "public-group-registration", "manager-group-registrations",
			"manager-grant-round", "provider-grant-application", "manager-grant-decision", "provider-funded-group",
			// Volunteer suggestions, matches, concerns and the volunteering
			// report: SQL of their own on each database.
			"manager-volunteers", "link-worker-volunteers", "volunteer-own-pages", "safeguarding-concerns", "manager-volunteering-report":
			steps = append(steps, s)
		}
	}
	runFormSteps(t, dbtest.URL(t, db.Postgres), steps)
}

// runFormSteps runs steps in order on a database, then checks that each
// sent the forms formSteps lists for it.
func runFormSteps(t *testing.T, dbURL string, steps []formsStep) {
	start := time.Now()
	run := startFormsRun(t, dbURL)
	names := map[string]bool{}
	for _, s := range steps {
		names[s.name] = true
		t.Run(s.name, func(t *testing.T) { s.run(t, run) })
	}
	t.Run("every-form-sent", func(t *testing.T) { run.checkEveryForm(t, names) })
	t.Logf("%d forms sent in %s", len(run.log.sent), time.Since(start).Round(time.Second))
}

// formsFixtures are the people and services the steps work with, made
// before the server starts.
type formsFixtures struct {
	// walter is in the link worker's caseload with a plan, an email
	// address and a mobile number; he agreed to share them with services.
	walter referral.Referral
	// ivy is in the caseload, sent to the walk: the provider answers in
	// Oikos.
	ivy     referral.Referral
	ivyWalk connection.Connection
	// harold is in the caseload, sent to the garden club and the walk: the
	// provider answers from the links in the emails.
	harold       referral.Referral
	haroldGarden connection.Connection
	haroldWalk   connection.Connection
	// beryl waits for triage.
	beryl referral.Referral
	// edith is in the caseload; she asks for her record to be restricted
	// and then erased.
	edith referral.Referral
	// walterCourse is the purchase for Walter that waits for the manager.
	walterCourse string
	// The provider's services, near them all.
	walk, garden directory.Service
	// community: the volunteering and safeguarding steps' people.
	community communityFixtures
}

// providerEmail is where the demo provider's organisation takes referrals.
const providerEmail = "referrals@greenway.example"

func (fx *formsFixtures) prepare(t *testing.T) func(dbURL string) {
	return func(dbURL string) {
		t.Helper()
		d, err := db.Open(dbContext, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		lw := oikostest.User(t, d, demoEmail(auth.LinkWorker))
		gp := oikostest.User(t, d, demoEmail(auth.Referrer))
		provider := oikostest.User(t, d, demoEmail(auth.Provider))
		if _, err := d.Exec(dbContext, "UPDATE organisations SET email = $1 WHERE id = $2", providerEmail, provider.OrganisationID); err != nil {
			t.Fatal(err)
		}
		fx.walk = oikostest.NewService(t, d, directory.Input{OrganisationID: provider.OrganisationID, Name: "Greenway Wednesday Walk", Postcode: "EX4 4QJ"})
		fx.garden = oikostest.NewService(t, d, directory.Input{OrganisationID: provider.OrganisationID, Name: "Greenway Garden Club", Postcode: "EX4 4QJ",
			Categories: []string{"nature_ecotherapy"}})
		person := func(given, family, born string) referral.PersonInput {
			return referral.PersonInput{GivenName: given, FamilyName: family, DateOfBirth: born, Postcode: "EX4 4QJ",
				Phone: "07700 900" + born[2:4] + born[5:6], Email: strings.ToLower(given) + "@example.net"}
		}
		fx.walter = oikostest.NewReferral(t, d, oikostest.Referral{Person: person("Walter", "Penrose", "1946-02-14"),
			Reasons: []string{"loneliness", "physical_inactivity"}, ShareWithProviders: true, Referrer: &gp, Worker: &lw})
		oikostest.SavePlan(t, d, lw, fx.walter.ID)
		fx.ivy = oikostest.NewReferral(t, d, oikostest.Referral{Person: person("Ivy", "Treloar", "1939-06-30"), ShareWithProviders: true, Worker: &lw})
		fx.ivyWalk = oikostest.NewConnection(t, d, lw, fx.ivy.ID, fx.walk.ID)
		fx.harold = oikostest.NewReferral(t, d, oikostest.Referral{Person: person("Harold", "Dunstan", "1944-10-05"), Worker: &lw})
		fx.haroldGarden = oikostest.NewConnection(t, d, lw, fx.harold.ID, fx.garden.ID)
		fx.haroldWalk = oikostest.NewConnection(t, d, lw, fx.harold.ID, fx.walk.ID)
		fx.beryl = oikostest.NewReferral(t, d, oikostest.Referral{Person: person("Beryl", "Cottrell", "1950-01-23")})
		fx.edith = oikostest.NewReferral(t, d, oikostest.Referral{Person: person("Edith", "Marrack", "1943-11-09"), Worker: &lw})
		fx.community.prepare(t, d, lw)
	}
}

// formsBudget bounds TestBrowserEveryForm's use of the browser: it meets
// every form, so it needs longer than one journey.
const formsBudget = 8 * time.Minute

// startFormsRun starts the server (with a mailbox for its email) on the
// demo database with the fixtures, and the browser.
func startFormsRun(t *testing.T, dbURL string) *formsRun {
	t.Helper()
	r := &formsRun{keys: &oikostest.Keyring{}, log: &formLog{}, fx: &formsFixtures{}, sessions: map[string]*formSession{}, checked: map[string]bool{}, broken: map[string]bool{}}
	r.patterns = formPatterns(expectedForms(t))
	r.mailbox = notifytest.Start(t, notifytest.Options{})
	r.base = startServerOn(t, dbURL, []string{"--smtp-url", r.mailbox.URL("oikos@example.org")}, loadDemo(t, &r.password), r.fx.prepare(t))
	r.browser = startBrowserFor(t, formsBudget)
	return r
}

// checkEveryForm checks that each of the steps sent, and had accepted, the
// forms formSteps lists for it.
func (r *formsRun) checkEveryForm(t *testing.T, steps map[string]bool) {
	all := expectedForms(t)
	got := r.log.keys(all)
	want := map[string]string{}
	for key, file := range all {
		if steps[formSteps[key]] {
			want[key] = file
		}
	}
	var missing []string
	for key := range want {
		step := formSteps[key]
		sent, okBy := got[key], ""
		var failures []string
		for _, s := range sent {
			if s.ok {
				okBy = s.step
				if s.step == step {
					break
				}
			} else {
				failures = append(failures, fmt.Sprintf("%s: %d %s", s.step, s.status, prefixed("", s.errors)))
			}
		}
		switch {
		case okBy == "" && len(failures) > 0:
			missing = append(missing, fmt.Sprintf("%s: refused every time (%s)", key, strings.Join(failures, "; ")))
		case okBy == "":
			missing = append(missing, fmt.Sprintf("%s: never sent (formSteps says by %q)", key, step))
		case step != "" && okBy != step:
			missing = append(missing, fmt.Sprintf("%s: sent by %q, but formSteps says by %q", key, okBy, step))
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Error(m)
	}
	var stray []string
	for key, sent := range got {
		if _, ok := all[key]; !ok && !strings.HasSuffix(key, "the answer to a form") {
			stray = append(stray, fmt.Sprintf("%s (by %s)", key, sent[0].step))
		}
	}
	sort.Strings(stray)
	if len(stray) > 0 {
		t.Errorf("forms sent from pages formPages does not list:\n\t%s", strings.Join(stray, "\n\t"))
	}
	t.Logf("%d of %d forms sent and accepted", len(want)-len(missing), len(want))
}

// formsStep is one step of TestBrowserEveryForm.
type formsStep struct {
	name string
	run  func(t *testing.T, r *formsRun)
}

// formsSteps are the steps in the order they run: later ones use what
// earlier ones made (the GP's referral is triaged, Asha's account is
// looked after).
var formsSteps = []formsStep{
	{"public-directory", stepPublicDirectory},
	{"public-self-referral", stepSelfReferral},
	{"admin-sign-in", stepAdminSignIn},
	{"admin-organisations", stepAdminOrganisations},
	{"admin-users", stepAdminUsers},
	{"gp-referral", stepGPReferral},
	{"gp-account", stepAccount},
	{"manager-triage", stepManagerTriage},
	{"link-worker-triage", stepLinkWorkerTriage},
	{"link-worker-casework", stepCasework},
	{"link-worker-people", stepPeople},
	{"link-worker-measures", stepMeasures},
	{"link-worker-suggestions", stepSuggestions},
	{"link-worker-connect", stepConnect},
	{"link-worker-reminders", stepReminders},
	{"link-worker-budget", stepBudget},
	{"manager-budgets", stepBudgetApprovals},
	{"link-worker-gp-share", stepGPShare},
	{"person-own-pages", stepPersonPages},
	{"provider-connection", stepProviderConnection},
	{"provider-answer-links", stepAnswerLinks},
	{"provider-directory", stepProviderDirectory},
	{"public-group-registration", stepGroupRegistration},
	{"manager-group-registrations", stepGroupRegistrations},
	{"manager-grant-round", stepGrantRound},
	{"provider-grant-application", stepGrantApplication},
	{"manager-grant-decision", stepGrantDecision},
	{"provider-funded-group", stepFundedGroup},
	{"manager-rights", stepManagerRights},
	{"manager-reports", stepManagerReports},
	{"commissioner-reports", stepCommissionerReports},
	{"manager-volunteers", stepManagerVolunteers},
	{"link-worker-volunteers", stepLinkWorkerVolunteers},
	{"volunteer-own-pages", stepVolunteerPages},
	{"safeguarding-concerns", stepConcerns},
	{"provider-concern", stepProviderConcern},
	{"link-worker-graduate", stepGraduate},
	{"manager-volunteering-report", stepVolunteeringReport},
	{"sign-out", stepSignOut},
}

// stepPublicDirectory: someone searches the directory for a walk near them,
// first near a place that is not a postcode.
func stepPublicDirectory(t *testing.T, r *formsRun) {
	b := r.tabFor(t, "someone looking for support")
	b.visit("/directory")
	b.fill("#q", "walking")
	b.fill("#near", "Narnia")
	b.sendBad("button", "^Search$", "near", "postcode")
	b.fill("#near", "EX4 4QJ")
	b.send("button", "^Search$")
	b.expectText("#results-heading", "near EX4 4QJ")
	b.expectText("main", "Greenway Wednesday Walk")
}

// stepSelfReferral: a son asks for support for his mother, forgetting to
// agree first.
func stepSelfReferral(t *testing.T, r *formsRun) {
	b := r.tabFor(t, "someone asking for support")
	b.visit("/refer")
	// Her son fills it in for her, and says who he is.
	b.click("label", "^A friend or relative")
	b.fill("#referrer_name", "Tom Pike, her son")
	b.fill("#given_name", "Joan")
	b.fill("#family_name", "Pike")
	b.fill("#dob-day", "4")
	b.fill("#dob-month", "7")
	b.fill("#dob-year", "1941")
	b.fill("#postcode", "EX2 5AA")
	b.click("#reasons-loneliness", "")
	// Sent at once, as a quick person or a browser's autofill does: no wait.
	b.sendBad("button", "^Send$", "consent", "agree")
	// Neither a phone number nor an email address: no way to reach her.
	b.expectError("phone", "Give a phone number or an email address")
	b.fill("#phone", "01392 000111")
	b.click("#consent", "")
	b.send("button", "^Send$")
	b.expectText("h1", "We have your request")
	b.expectText("main", "within 5 working days by phone")
}

// stepAdminSignIn: the administrator mistypes their password, then sets
// up two-factor sign-in, mistyping the first code.
func stepAdminSignIn(t *testing.T, r *formsRun) {
	b := r.tabFor(t, adminEmail)
	b.visit("/sign-in")
	b.fill("#email", adminEmail)
	b.fill("#password", "not the password")
	b.sendBad("button", "^Continue$", "email", "")
	b.fill("#password", adminPassword)
	b.send("button", "^Continue$")
	b.enrol(adminEmail, true)
	b.expectText("h1", "Hello, "+adminName)
	b.s.signedIn = true
}

// admin is the administrator the command line made, signed in.
func (r *formsRun) admin(t *testing.T) *formTab {
	b := r.tabFor(t, adminEmail)
	if !b.s.signedIn {
		b.signIn(adminEmail, adminPassword)
	}
	return b
}

// stepAdminOrganisations: the administrator adds an organisation, renames
// it, deactivates and reactivates it.
func stepAdminOrganisations(t *testing.T, r *formsRun) {
	b := r.admin(t)
	b.visit("/admin/organisations/new")
	b.sendBad("button", "^Add organisation$", "name", "")
	b.fill("#name", "Riverside Surgery Branch")
	b.click("input[name=kind][value=gp_practice]", "")
	b.send("button", "^Add organisation$")
	b.expectText("h1", "Riverside Surgery Branch")
	b.expectText(".nhsuk-notification-banner", "The organisation has been added.")
	b.fill("#name", "")
	b.sendBad("button", "^Save changes$", "name", "")
	b.fill("#name", "Riverside Surgery Branch Site")
	b.fill("#phone", "ring the surgery")
	b.sendBad("button", "^Save changes$", "phone", "in figures")
	b.fill("#phone", "01632 960 222")
	b.send("button", "^Save changes$")
	b.expectText("h1", "Riverside Surgery Branch Site")
	b.send("button", "^Deactivate organisation$")
	b.expectText("main", "Deactivated")
	b.send("button", "^Reactivate organisation$")
	b.expectText("main", "Deactivate organisation")
}

// stepAdminUsers: the administrator adds a link worker, who sets up her
// account from the link; then changes her details and uses every button
// of her access.
func stepAdminUsers(t *testing.T, r *formsRun) {
	b := r.admin(t)
	b.visit("/admin/users/new")
	b.sendBad("button", "^Add user$", "name", "")
	b.fill("#name", "Asha Patel")
	b.fill("#email", "asha@example.org")
	b.choose("#role", "Link worker")
	b.choose("#organisation_id", "Northgate Social Prescribing")
	b.send("button", "^Add user$")
	setup := b.text("#setup-link")
	if !strings.HasPrefix(setup, r.base+"/setup/") {
		b.fatalf("set-up link %q does not lead to %s/setup/", setup, r.base)
	}

	// Asha chooses a password and sets up two-factor sign-in.
	asha := r.tabFor(t, "asha@example.org")
	asha.visit(strings.TrimPrefix(setup, r.base))
	asha.fill("#password", "tea kettle on the windowsill")
	asha.fill("#confirm", "tea kettle on the sill")
	asha.sendBad("button", "^Save password$", "confirm", "")
	asha.fill("#password", "tea kettle on the windowsill")
	asha.fill("#confirm", "tea kettle on the windowsill")
	asha.send("button", "^Save password$")
	asha.enrol("asha@example.org", false)
	asha.expectText("h1", "Hello, Asha Patel")

	// The administrator looks after her account.
	b.visit("/admin/users")
	b.follow("a", "^Asha Patel$")
	ashaPage := b.path()
	b.fill("#name", "Asha Patel-Jones")
	b.fill("#email", "not an email address")
	b.sendBad("button", "^Save changes$", "email", "")
	b.fill("#email", "asha@example.org")
	b.send("button", "^Save changes$")
	b.expectText("h1", "Asha Patel-Jones")
	b.send("button", "^Sign them out everywhere$")
	b.send("button", "^Reset two-factor sign-in$")
	b.send("button", "^Make a new set-up link$")
	b.expectText("#setup-link", r.base+"/setup/")
	b.visit(ashaPage)
	b.send("button", "^Deactivate user$")
	b.expectText("main", "Deactivated")
	b.send("button", "^Reactivate user$")
	b.expectText("main", "Deactivate user")
}

// stepGPReferral: the GP refers someone the scheme knows already.
func stepGPReferral(t *testing.T, r *formsRun) {
	b := r.as(t, auth.Referrer)
	known := demoPeople[2] // known to the scheme already, so the link worker checks the match
	b.follow("a", "^Make a referral$")
	b.sendBad("button", "^Send referral$", "given_name", "")
	b.choose("#source_type", "GP")
	b.fill("#given_name", known.given)
	b.fill("#family_name", known.family)
	b.fill("#dob-day", known.born[8:])
	b.fill("#dob-month", known.born[5:7])
	b.fill("#dob-year", known.born[:4])
	b.fill("#postcode", known.postcode)
	b.fill("#email", "aisha.r@example.net")
	b.click("#reasons-money_worries", "")
	b.click("#consent", "")
	b.send("button", "^Send referral$")
	b.expectText("h1", "We have your request")
}

// stepAccount: the GP makes and revokes an API token, signs out
// everywhere, and signs in again with a security code.
func stepAccount(t *testing.T, r *formsRun) {
	b := r.as(t, auth.Referrer)
	b.visit("/account")
	b.fill("#label", strings.Repeat("Riverside Surgery clinical system ", 10))
	b.sendBad("button", "^Create token$", "label", "")
	b.fill("#label", "Riverside Surgery clinical system")
	b.send("button", "^Create token$")
	b.expectText("#new-token", "")
	b.visit("/account")
	b.send("button", "^Revoke")
	b.expectText("tbody", "Revoked")
	b.send("button", "^Sign out everywhere$")
	b.expectPath("/sign-in")
	b.s.signedIn = false

	// Signing in again asks for a code: a wrong one first.
	b.fill("#email", demoEmail(auth.Referrer))
	b.fill("#password", r.password)
	b.send("button", "^Continue$")
	b.expectPath("/sign-in/code")
	b.fill("#code", "123456")
	b.sendBad("button", "^Sign in$", "code", "")
	b.fill("#code", r.keys.Code(demoEmail(auth.Referrer)))
	b.send("button", "^Sign in$")
	b.expectPath("/")
	b.s.signedIn = true
}

// stepManagerTriage: the manager assigns a waiting referral, and picks a
// link worker's caseload.
func stepManagerTriage(t *testing.T, r *formsRun) {
	b := r.as(t, auth.Manager)
	b.visit("/referrals/" + r.fx.beryl.ID)
	b.choose("#user_id", "Priya Shah")
	b.send("button", "^Assign$")
	b.expectText("main", "Link worker: Priya Shah")
	b.visit("/caseload")
	b.choose("#worker", "Priya Shah")
	b.send("button", "^Show$")
	b.expectText("main", "Walter Penrose")
}

// stepLinkWorkerTriage: the link worker accepts the waiting referral, and
// confirms the GP's referral is about someone known.
func stepLinkWorkerTriage(t *testing.T, r *formsRun) {
	b := r.as(t, auth.LinkWorker)
	b.visit("/referrals/" + r.fx.beryl.ID)
	b.send("button", "^Accept and take on$")
	b.expectText(".nhsuk-notification-banner", "in your caseload")

	// The GP's referral of someone known: the same person.
	known := demoPeople[2]
	b.visit("/referrals")
	b.follow("a", "^"+known.given+" "+known.family+"$")
	b.expectText(".nhsuk-warning-callout", "Possibly known already")
	b.send("button", "^Yes, the same person$")
	b.expectText(".nhsuk-notification-banner", "now on the record we already held")
}

// stepCasework: the link worker records a contact and the what-matters
// conversation, and adds to Walter's plan.
func stepCasework(t *testing.T, r *formsRun) {
	b := r.as(t, auth.LinkWorker)
	b.visit("/referrals/" + r.fx.walter.ID)
	b.follow("a", "^Record a contact$")
	b.fill("#at-year", "2999")
	b.sendBad("button", "^Save contact$", "at-day", "today or in the past")
	b.fill("#at-year", fmt.Sprint(time.Now().Year()))
	b.click("label", "^No answer$")
	b.send("button", "^Save contact$")
	b.expectText(".nhsuk-notification-banner", "not reached this time")
	b.expectText("#contacts + table", "No answer")
	b.follow("a", "^Record a contact$")
	b.click("label[for=mode-4]", "") // home visit
	b.fill("#duration_minutes", "50")
	b.fill("#note", "Met at home; keen to get out more.")
	b.send("button", "^Save contact$")
	b.expectText(".nhsuk-notification-banner", "Contact recorded.")

	b.follow("a", "^Record the what-matters conversation$")
	b.fill("#what_matters", "Being able to walk to the shops and see people.")
	b.fill("#strengths", "Determined\nGood neighbour")
	b.choose("#priority-loneliness", "High")
	b.choose("#ons4-0", "6")
	b.sendBad("button", "^Save conversation$", "ons4-1", "whole number from 0 to 10")
	b.choose("#ons4-1", "7")
	b.choose("#ons4-2", "5")
	b.choose("#ons4-3", "3")
	b.send("button", "^Save conversation$")
	b.expectText(".nhsuk-notification-banner", "What matters conversation recorded.")

	b.follow("a", "^Change the plan$")
	b.fill("#goal-0-step-2-text", "Ring the walking group")
	b.choose("#goal-0-step-2-owner", "Volunteer")
	// Due by the end of next month, in the NHS date boxes.
	due := time.Now().AddDate(0, 2, -time.Now().Day())
	b.fill("#goal-0-step-2-due", strconv.Itoa(due.Day()))
	b.fill("#goal-0-step-2-due-month", strconv.Itoa(int(due.Month())))
	b.fill("#goal-0-step-2-due-year", strconv.Itoa(due.Year()))
	b.fill("#goal-1-step-0-text", "Join the community choir")
	b.sendBad("button", "^Save plan$", "goal-1-text", "Write the goal")
	b.fill("#goal-1-text", "Sing again")
	b.send("button", "^Save plan$")
	b.expectText(".nhsuk-notification-banner", "Plan saved.")
	b.expectText("main", "Ring the walking group")
}

// stepPeople: the link worker finds Walter, first by a mistyped NHS
// number, and records how he likes to be contacted and who his next of
// kin is, first with a date of birth that does not exist.
func stepPeople(t *testing.T, r *formsRun) {
	b := r.as(t, auth.LinkWorker)
	b.visit("/people")
	b.fill("#q", "943 476 5918")
	b.sendBad("button", "^Find a person$", "q", "")
	b.fill("#q", "Walter Penrose")
	b.send("button", "^Find a person$")
	b.expectText("#results", "1 person found")
	b.follow("a", "^Walter Penrose$")
	b.follow("a", "^Change their details$")
	b.fill("#dob-day", "31")
	b.fill("#dob-month", "2")
	b.sendBad("button", "^Save details$", "dob-day", "")
	b.fill("#dob-day", "14")
	b.click("label", "^Text message$")
	b.fill("#access_needs", "Large print")
	b.fill("#kin_name", "Ruth Penrose")
	b.fill("#kin_relationship", "Daughter")
	b.fill("#kin_phone", "07700 900777")
	b.click("label", "^Male$")
	b.send("button", "^Save details$")
	b.expectText(".nhsuk-notification-banner", "Their details are saved.")
	b.expectText("main", "Ruth Penrose (Daughter)")
}

// stepMeasures: the link worker chooses a questionnaire and records it.
func stepMeasures(t *testing.T, r *formsRun) {
	b := r.as(t, auth.LinkWorker)
	b.visit("/referrals/" + r.fx.walter.ID + "/measures/new")
	b.click("label", "^UCLA three-item loneliness scale")
	b.send("button", "^Continue$")
	b.sendBad("main form button", "", "", "")
	b.answerEach("main form")
	b.send("main form button", "")
	b.expectText(".nhsuk-notification-banner", "recorded")
}

// stepSuggestions: the link worker saves what suits Walter and sends him
// to the walk from its card among his suggestions.
func stepSuggestions(t *testing.T, r *formsRun) {
	b := r.as(t, auth.LinkWorker)
	b.visit("/referrals/" + r.fx.walter.ID + "/suggestions")
	b.expectText("h1", "Find activities and services")
	b.fill("#max_km", "far")
	b.sendBad("button", "^Save what suits them$", "max_km", "")
	b.fill("#max_km", "8")
	b.send("button", "^Save what suits them$")

	// Send Walter to the walk from its card, as the page offers.
	b.visit("/referrals/" + r.fx.walter.ID + "/suggestions")
	card := `.nhsuk-card:has(a[href="/directory/services/` + r.fx.walk.ID + `"])`
	if len(b.texts(card)) == 0 {
		b.fatalf("the walk is not among Walter's suggestions")
	}
	b.follow(card+" a", "^Send to Greenway Wednesday Walk$")
	if kinds := b.texts(".nhsuk-radios__item label"); len(kinds) != len(connection.Kinds) {
		b.t.Errorf("%s: the walk's Send form offers %d ways to connect Walter (%q), want %d", b.where(), len(kinds), kinds, len(connection.Kinds))
	} else {
		b.click(".nhsuk-radios__item label", "^Supported referral$")
	}
	b.fill("textarea[name=note]", "Walter would like someone to meet him at the gate.")
	b.send("main form button", "^Send to Greenway Wednesday Walk$")
	b.expectText(".nhsuk-notification-banner", "Connection sent.")
}

// stepConnect: the link worker finds the garden club and sends Walter to
// it from its page.
func stepConnect(t *testing.T, r *formsRun) {
	b := r.as(t, auth.LinkWorker)
	b.visit("/referrals/" + r.fx.walter.ID)
	b.follow("a", "^Connect to a service$")
	b.fill("#q", "Greenway garden")
	b.send("button", "^Search$")
	b.follow("a", "^Greenway Garden Club$")
	b.expectText("h1", "Greenway Garden Club")
	b.sendBad("button", "^Send to Greenway Garden Club$", "kind", "Choose how the person will be connected")
	b.click("label", "^Active signpost$")
	b.send("button", "^Send to Greenway Garden Club$")
	b.expectText(".nhsuk-notification-banner", "Connection sent.")
}

// stepReminders: the link worker records that Walter wants text reminders.
func stepReminders(t *testing.T, r *formsRun) {
	b := r.as(t, auth.LinkWorker)
	b.visit("/referrals/" + r.fx.walter.ID + "/reminders")
	b.click("label", "^Text message to ")
	b.send("button", "^Save$")
}

// stepBudget: the link worker gives Walter a personal budget (mistyping
// the amount first), buys a course above the approval threshold and a
// smaller one (forgetting the cost first), and reverses the smaller one
// (forgetting the reason first).
func stepBudget(t *testing.T, r *formsRun) {
	b := r.as(t, auth.LinkWorker)
	b.visit("/referrals/" + r.fx.walter.ID)
	b.follow("a", "^Personal budget$")
	b.fill("#allowance", "lots")
	b.fill("#purpose", "Creative and eco-therapy courses, as agreed in his plan")
	b.sendBad("button", "^Save the allowance$", "allowance", "pounds")
	b.fill("#allowance", "150")
	b.send("button", "^Save the allowance$")
	b.expectText("#allowance-total", "£150")
	b.fill("#supplier", "Exeter Clay Studio")
	b.fill("#description", "10-week pottery course")
	b.sendBad("button", "^Record the purchase$", "amount", "cost")
	b.fill("#supplier", "Exeter Clay Studio")
	b.fill("#description", "10-week pottery course")
	b.fill("#amount", "60")
	b.send("button", "^Record the purchase$")
	b.expectText(".nhsuk-notification-banner", "manager will approve")
	// The course is the second line of the ledger, after the allowance.
	r.fx.walterCourse = strings.TrimPrefix(b.attribute("#ledger ~ table tbody tr:nth-child(2)", "id"), "entry-")
	b.fill("#supplier", "Greenway Garden Club")
	b.fill("#description", "Seeds and gloves")
	b.fill("#amount", "12.50")
	b.send("button", "^Record the purchase$")
	b.expectText("#balance-total", "£77.50")
	b.click("summary", "^Reverse Seeds and gloves")
	b.sendBad("button", "^Reverse the purchase", "", "")
	// The box with the problem is shown open.
	b.fill("textarea[name=reason]", "The club gave them free")
	b.send("button", "^Reverse the purchase")
	b.expectText("#balance-total", "£90")
}

// stepBudgetApprovals: the manager refuses the course without a reason,
// then approves it; and raises the scheme's approval threshold,
// mistyping it first.
func stepBudgetApprovals(t *testing.T, r *formsRun) {
	b := r.as(t, auth.Manager)
	b.visit("/budgets")
	card := "#waiting-" + r.fx.walterCourse
	b.expectText(card, "10-week pottery course")
	b.click(card+" label", "^Refuse$")
	b.sendBad(card+" button", "^Save the decision", "reason-"+r.fx.walterCourse, "Say why")
	b.click(card+" label", "^Approve$")
	b.send(card+" button", "^Save the decision")
	b.expectText(".nhsuk-notification-banner", "approved")
	b.fill("#threshold", "fifty")
	b.sendBad("button", "^Save the threshold$", "threshold", "pounds")
	b.fill("#threshold", "60")
	b.send("button", "^Save the threshold$")
	b.expectText(".nhsuk-notification-banner", "threshold is saved")
}

// stepGPShare: the link worker records what Walter wants sent back to
// his GP record, first forgetting to choose; the GP who referred him sees
// which he chose.
func stepGPShare(t *testing.T, r *formsRun) {
	b := r.as(t, auth.LinkWorker)
	b.visit("/referrals/" + r.fx.walter.ID)
	b.sendBad("button", "^Save their choice$", "gp_share", "Choose what the person wants")
	b.click("label", "^Codes only")
	b.send("button", "^Save their choice$")
	b.expectText(".nhsuk-notification-banner", "choice of what goes to their GP record is saved")
	gp := r.as(t, auth.Referrer)
	gp.visit("/referrals/" + r.fx.walter.ID)
	gp.expectText("#gp-share", "Codes only, as the person chose")
}

// stepPersonPages: Walter signs in with a printed code (mistyping his
// date of birth), uses every form of his own pages, signs out, and signs
// in again with an emailed link.
func stepPersonPages(t *testing.T, r *formsRun) {
	lw := r.as(t, auth.LinkWorker)
	lw.visit("/referrals/" + r.fx.walter.ID)
	lw.send("button", "^Print a sign-in code$")
	code := lw.text("#sign-in-code")

	p := r.tabFor(t, "walter")
	p.visit("/my/sign-in")
	p.fill("#code", code)
	p.fill("#dob-day", "15")
	p.fill("#dob-month", "2")
	p.fill("#dob-year", "1946")
	// A wrong date of birth: which of the two is wrong is not said.
	p.sendBad("button", "^Continue$", "code", "not right")
	p.fill("#code", code)
	p.fill("#dob-day", "14")
	p.send("button", "^Continue$")
	p.expectPath("/my")
	p.send("button", "^Mark as done")
	p.expectText(".nhsuk-notification-banner", "Your step is saved.")
	p.send("button", "^Mark as not done")
	p.choose("select[name=progress]", "4")
	p.send("button", "^Save how far along you are")
	p.expectText(".nhsuk-notification-banner", "Your progress is saved.")
	// Walter adds a goal and a step of his own, and rewords both, each
	// first sent empty or too long.
	p.follow("a", "^Add a goal")
	p.sendBad("button", "^Add goal$", "text", "Write your goal")
	p.fill("#text", "Play bowls again")
	p.send("button", "^Add goal$")
	p.expectText(".nhsuk-notification-banner", "Your goal is added.")
	p.follow("a", "^Change the words\\s*of your goal")
	p.fill("#text", strings.Repeat("Walk further every week. ", 30))
	p.sendBad("button", "^Save goal$", "text", "500 characters or fewer")
	p.fill("#text", "Walk a little further every week")
	p.send("button", "^Save goal$")
	p.expectText(".nhsuk-notification-banner", "Your goal is reworded.")
	p.follow("a", "^Add a step")
	p.sendBad("button", "^Add step$", "text", "Write the step")
	p.fill("#text", "Walk to the post office and back")
	p.send("button", "^Add step$")
	p.expectText(".nhsuk-notification-banner", "Your step is added.")
	p.follow("a", "^Change the words\\s*of the step")
	p.fill("#text", " ")
	p.sendBad("button", "^Save step$", "text", "Write the step")
	p.fill("#text", "Walk to the park with my neighbour")
	p.send("button", "^Save step$")
	p.expectText(".nhsuk-notification-banner", "Your step is reworded.")
	p.follow("a", "^Print your plan$")
	p.expectText("main", "Walk to the park with my neighbour")
	p.visit("/my/progress")
	p.follow("a", "^How often you feel lonely$")
	p.sendBad("button", "^Send my answers$", "", "Choose an answer")
	p.click("label", "^Some of the time$")
	p.send("button", "^Send my answers$")
	p.visit("/my/reminders")
	p.click("label", "^Email to ")
	p.send("button", "^Save$")
	p.send(".nhsuk-header__account-button", "^Sign out$")
	p.expectPath("/my/sign-in")

	// A sign-in link by email instead.
	lw.visit("/referrals/" + r.fx.walter.ID)
	lw.send("button", "^Email a sign-in link$")
	lw.expectText("h1", "Sign-in link sent")
	link := linkIn(t, waitForMailAbout(t, r.mailbox, "walter@example.net"), `/my/link/[A-Za-z0-9_-]+`)
	p.visit(link)
	p.send("button", "^Continue$")
	p.expectPath("/my")
}

// stepProviderConnection: the provider answers Ivy's referral in Oikos
// and uses every form of it, with a mistake in each first.
func stepProviderConnection(t *testing.T, r *formsRun) {
	b := r.as(t, auth.Provider)
	b.visit("/connections/" + r.fx.ivyWalk.ID)
	b.click("label", "^No, we cannot take them$")
	b.sendBad("button", "^Send answer$", "reason", "")
	b.click("label", "^Yes, we can take them$")
	b.fill("#reason", "")
	b.send("button", "^Send answer$")
	b.fill("#first_session-day", "next Tuesday")
	b.sendBad("button", "^Save date$", "first_session-day", "real date")
	b.fillDate("first_session", time.Now().AddDate(0, 0, 7))
	b.send("button", "^Save date$")
	b.fillDate("date", time.Now().AddDate(0, 0, 3))
	b.click("label[for=attended]", "")
	b.sendBad("button", "^Save attendance$", "date-day", "today or in the past")
	b.fillDate("date", time.Now())
	b.send("button", "^Save attendance$")
	b.expectText(".nhsuk-notification-banner", "Attendance saved.")
	b.sendBad("button", "^Send update$", "message", "")
	b.fill("#message", "Ivy enjoyed the walk and will come again.")
	b.send("button", "^Send update$")
	b.sendBad("button", "^Save$", "status", "")
	b.click("label", "^Completed")
	b.send("button", "^Save$")
}

// stepAnswerLinks: a provider without an account answers from the links in
// the emails: accepts, records a session, declines another.
func stepAnswerLinks(t *testing.T, r *formsRun) {
	b := r.tabFor(t, "a provider without an account")
	ref := r.fx.harold.Reference
	accept := linkIn(t, waitForMailAbout(t, r.mailbox, providerEmail, "Greenway Garden Club", ref), `/answer/[A-Za-z0-9_-]+`)
	b.visit(accept)
	b.send("button", "^Accept$")
	b.expectText("h1", "Thank you")
	attend := linkIn(t, waitForMailAbout(t, r.mailbox, providerEmail, "record attendance", "Greenway Garden Club", ref), `/answer/[A-Za-z0-9_-]+`)
	b.visit(attend)
	b.send("button", "^They came to a session today$")
	b.expectText("h1", "Thank you")
	decline := linkIn(t, waitForMailAbout(t, r.mailbox, providerEmail, "a new referral to Greenway Wednesday Walk", ref), `/answer/[A-Za-z0-9_-]+`)
	b.visit(decline)
	b.sendBad("button", "^Decline$", "reason", "")
	b.fill("#reason", "The walk is full until spring.")
	b.send("button", "^Decline$")
	b.expectText("h1", "Thank you")
}

// stepProviderDirectory: the provider adds a service, checks, closes and
// reopens it, and edits its hours.
func stepProviderDirectory(t *testing.T, r *formsRun) {
	b := r.as(t, auth.Provider)
	b.visit("/directory/manage/new")
	b.sendBad("button", "^Add service$", "name", "Enter the name of the service")
	b.fill("#name", "Greenway Tuesday Gardening")
	b.fill("#description", "Grow vegetables and flowers with friendly people. Tools and gloves provided; just come along.")
	b.click("#categories-nature_ecotherapy", "")
	b.fill("#location_name", "Greenway Allotments")
	b.fill("#postcode", "EX2 8NP")
	b.fill("#opens-tuesday", "10:00")
	b.fill("#closes-tuesday", "12:30")
	b.send("button", "^Add service$")
	b.expectText("h1", "Greenway Tuesday Gardening")
	b.send("button", "^Mark as checked today$")
	b.send("button", "^Mark as closed$")
	b.send("button", "^Reopen$")
	b.follow("a", "^Edit$")
	b.fill("#closes-tuesday", "9:00")
	b.sendBad("button", "^Save", "closes-tuesday", "")
	b.fill("#closes-tuesday", "13:00")
	b.send("button", "^Save")
	b.expectText(".nhsuk-summary-list", "Tuesday, 10:00 to 13:00")
	// It runs as a monthly course too, on the same weekday each month.
	b.follow("a", "^Edit$")
	b.click("label", "^Once a month, on the same weekday")
	b.dateBoxes("course_start", time.Now().AddDate(0, 0, 10))
	b.fill("#course_time", "18:30")
	b.fill("#course_minutes", "an hour and a half")
	b.sendBad("button", "^Save", "course_minutes", "minutes")
	b.fill("#course_minutes", "90")
	b.fill("#course_sessions", "6")
	b.send("button", "^Save")
	b.expectText("#next-sessions", "6:30pm to 8pm")
}

// dateBoxes fills a date's day, month and year boxes.
func (b *formTab) dateBoxes(name string, d time.Time) {
	b.fill("#"+name+"-day", fmt.Sprint(d.Day()))
	b.fill("#"+name+"-month", fmt.Sprint(int(d.Month())))
	b.fill("#"+name+"-year", fmt.Sprint(d.Year()))
}

// stepGroupRegistration: a knitting group registers itself and its first
// activity, forgetting its name first.
func stepGroupRegistration(t *testing.T, r *formsRun) {
	b := r.tabFor(t, "a community group")
	b.visit("/groups/register")
	b.fill("#contact_name", "Maureen Tozer")
	b.fill("#contact_email", "maureen@example.net")
	b.fill("#service_name", "Tuesday knit and natter")
	b.fill("#service_description", "Bring your knitting, or learn: tea, cake and good company every Tuesday afternoon.")
	b.click("#categories-social_groups", "")
	b.fill("#service_location_name", "St Sidwell's Centre")
	b.fill("#service_postcode", "EX4 6NN")
	b.sendBad("button", "^Register the group$", "group_name", "group's name")
	b.fill("#group_name", "Exeter Knit and Natter")
	b.send("button", "^Register the group$")
	b.expectText("h1", "Exeter Knit and Natter is registered")
}

// stepGroupRegistrations: the manager declines the group without a
// reason, then approves it: it is listed in the directory.
func stepGroupRegistrations(t *testing.T, r *formsRun) {
	b := r.as(t, auth.Manager)
	b.visit("/groups/registrations")
	b.expectText("main", "Exeter Knit and Natter")
	b.click("label", "^Decline$")
	b.sendBad("button", "^Save the decision", "", "")
	b.click("label", "^Approve and list$")
	b.send("button", "^Save the decision")
	b.expectText(".nhsuk-notification-banner", "listed in the directory")
	b.visit("/directory?q=knit")
	b.expectText("main", "Tuesday knit and natter")
}

// stepGrantRound: the manager opens a round beside the gap map,
// forgetting its name first.
func stepGrantRound(t *testing.T, r *formsRun) {
	b := r.as(t, auth.Manager)
	b.visit("/grants")
	b.follow("a", "^Open a grant round$")
	b.expectText("#gap-map", "Gap map")
	b.fill("#pot", "20000")
	b.dateBoxes("closes_on", time.Now().AddDate(0, 1, 0))
	b.click("#needs-loneliness", "")
	b.fill("#areas", "EX4")
	b.sendBad("button", "^Open the round$", "name", "")
	b.fill("#name", "Growing groups in Exeter")
	b.send("button", "^Open the round$")
	b.expectText("h1", "Growing groups in Exeter")
	b.expectText("#pot", "£20,000")
}

// stepGrantApplication: the provider applies for its own organisation,
// mistyping the amount first.
func stepGrantApplication(t *testing.T, r *formsRun) {
	b := r.as(t, auth.Provider)
	b.visit("/grants")
	b.follow("a", "^Growing groups in Exeter$")
	b.follow("a", "^Apply for a grant$")
	b.fill("#title", "Greenway lunch club")
	b.fill("#summary", "A weekly lunch club for older people living alone in Exeter, with transport for those who need it.")
	b.click("#needs-loneliness", "")
	b.fill("#areas", "EX4")
	b.fill("#amount", "three thousand")
	b.dateBoxes("starts_on", time.Now().AddDate(0, 2, 0))
	b.sendBad("button", "^Send the application$", "amount", "pounds")
	b.fill("#amount", "3000")
	b.send("button", "^Send the application$")
	b.expectText(".nhsuk-notification-banner", "application is sent")
}

// stepGrantDecision: the manager declines without a reason, then awards
// the grant; pays more than the award, then an instalment; and reads the
// grants report, mistyping its start first.
func stepGrantDecision(t *testing.T, r *formsRun) {
	b := r.as(t, auth.Manager)
	b.visit("/grants")
	b.follow("a", "^Growing groups in Exeter$")
	b.follow("a", "^Greenway lunch club$")
	b.expectText("#gap-map", "Gap map")
	b.click("label", "^Decline$")
	b.sendBad("button", "^Save the decision$", "reason", "Say why")
	b.click("label", "^Award a grant$")
	b.fill("#reason", "")
	b.fill("#amount", "2500")
	b.fill("#score", "8")
	b.send("button", "^Save the decision$")
	b.expectText(".nhsuk-notification-banner", "awarded")
	b.fill("#payment", "5000")
	b.sendBad("button", "^Record the payment$", "payment", "")
	b.fill("#payment", "1000")
	b.send("button", "^Record the payment$")
	b.expectText("#awarded", "£1,000 paid")
	b.visit("/reports/grants")
	b.fill("#from-day", "last spring")
	b.sendBad("button", "^Show the report$", "from-day", "")
	now := time.Now().UTC()
	b.fillDate("from", now.AddDate(0, -11, 0))
	b.fillDate("to", now)
	b.send("button", "^Show the report$")
	b.expectText("#grants-report", "Organisations funded")
}

// stepFundedGroup: the provider lists the lunch club its grant pays for,
// naming the award: the service page says so.
func stepFundedGroup(t *testing.T, r *formsRun) {
	b := r.as(t, auth.Provider)
	b.visit("/grants")
	b.follow("a", "^Growing groups in Exeter$")
	b.follow("a", "^Greenway lunch club$")
	award := b.text("#reference")
	b.visit("/directory/manage/new")
	b.fill("#name", "Greenway Lunch Club")
	b.fill("#description", "A hot lunch and company every Thursday, for anyone living alone. Transport can be arranged.")
	b.click("#categories-social_groups", "")
	b.fill("#postcode", "EX4 4QJ")
	b.fill("#grant_application_id", award)
	// A start date that is no real day, said back in day, month and year.
	b.fill("#started_on-day", "31")
	b.fill("#started_on-month", "2")
	b.fill("#started_on-year", "2025")
	b.sendBad("button", "^Add service$", "started_on-day", "like 1 3 2024")
	b.fillDate("started_on", time.Now())
	b.send("button", "^Add service$")
	b.expectText("#funding", "community grant")
}

// stepManagerRights: the manager restricts Edith's record and lifts the
// restriction, closes her referral and erases her details.
func stepManagerRights(t *testing.T, r *formsRun) {
	b := r.as(t, auth.Manager)
	b.visit("/referrals/" + r.fx.edith.ID)
	b.follow("a", "^Restrict their record$")
	b.sendBad("button", "^Restrict their record$", "reason", "Say why")
	b.fill("#reason", "Rang on Monday to ask while she checks her record")
	b.send("button", "^Restrict their record$")
	b.expectText(".nhsuk-notification-banner", "Processing of the person's record is restricted.")
	b.follow("a", "^Lift the restriction of their record$")
	b.sendBad("button", "^Lift the restriction$", "reason", "")
	b.fill("#reason", "She is content with the record")
	b.send("button", "^Lift the restriction$")
	b.expectText(".nhsuk-notification-banner", "The restriction is lifted.")
	// Closing asks first; closed by mistake, it is reopened, then closed.
	b.follow("a", "^Close referral$")
	b.sendBad("button", "^Yes, close the referral$", "reason", "")
	b.choose("#reason", "Goals met")
	b.send("button", "^Yes, close the referral$")
	b.expectText(".nhsuk-notification-banner", "The referral is closed.")
	b.sendBad("button", "^Reopen referral$", "reopen_reason", "")
	b.fill("#reopen_reason", "Closed by mistake: she asked for her details to be erased first")
	b.send("button", "^Reopen referral$")
	b.expectText(".nhsuk-notification-banner", "The referral is open again")
	b.follow("a", "^Close referral$")
	b.choose("#reason", "Goals met")
	b.send("button", "^Yes, close the referral$")
	b.expectText(".nhsuk-notification-banner", "The referral is closed.")
	b.follow("a", "^Erase their details$")
	b.sendBad("button", "^Erase their details$", "reason", "")
	b.fill("#reason", "Asked in writing, letter of 3 March")
	b.send("button", "^Erase their details$")
	b.expectText(".nhsuk-notification-banner", "details are erased")
}

// stepManagerReports: the manager asks for the scheme report for too long
// a period, then for half a year.
func stepManagerReports(t *testing.T, r *formsRun) {
	b := r.as(t, auth.Manager)
	b.visit("/reports")
	b.fillDate("from", time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	b.fillDate("to", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	b.sendBad("button", "^Show the report$", "to-day", "at most 10 years")
	now := time.Now().UTC()
	b.fillDate("from", now.AddDate(0, -6, 0))
	b.fillDate("to", now.AddDate(0, -1, 0))
	b.send("button", "^Show the report$")
}

// stepCommissionerReports: the commissioner chooses the period of each
// report that has one.
func stepCommissionerReports(t *testing.T, r *formsRun) {
	b := r.as(t, auth.Commissioner)
	now := time.Now().UTC()
	for _, page := range []string{"/reports/coverage", "/reports/unmet-needs", "/reports/engagement"} {
		b.visit(page)
		b.fill("#from-day", "last spring")
		b.sendBad("button", "^Show the report$", "from-day", "")
		b.fillDate("from", now.AddDate(0, -6, 0))
		b.fillDate("to", now.AddDate(0, -1, 0))
		b.send("button", "^Show the report$")
	}
}

// stepSignOut: the administrator signs out.
func stepSignOut(t *testing.T, r *formsRun) {
	b := r.admin(t)
	b.visit("/account")
	b.send(".nhsuk-header__account-button", "^Sign out$")
	b.expectPath("/sign-in")
	b.expectText(".nhsuk-notification-banner", "You have signed out.")
	b.s.signedIn = false
}
