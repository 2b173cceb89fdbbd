// Package oikostest holds the fixtures Oikos's tests share, so each is
// written once: a scheme with one user per role, a referral at the stage a
// test needs, a service and a connection to it, and signing in as a role
// over HTTP. Only tests import it.
package oikostest

import (
	"context"
	"testing"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/casework"
	"oikos/internal/connection"
	"oikos/internal/db"
	"oikos/internal/directory"
	"oikos/internal/org"
	"oikos/internal/referral"
)

// System is the actor fixtures act as when no user is named.
var System = oikos.Actor{UserID: "system", Client: "test"}

// As is the actor for a user's own actions.
func As(u auth.User) oikos.Actor { return oikos.Actor{UserID: u.ID, Client: "test"} }

// Password is every fixture user's password.
const Password = "a long enough password"

// FastHashing makes an auth store hash passwords cheaply and answer failed
// sign-ins at once: fixtures and tests need speed, not protection.
func FastHashing(s *auth.Store) *auth.Store {
	s.PasswordParams = auth.PasswordParams{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32}
	s.Sleep = nil
	return s
}

// Scheme is a social prescribing scheme with one user for every role,
// each with an API token. The administrator belongs to no organisation.
type Scheme struct {
	Org    org.Organisation
	Users  map[auth.Role]auth.User
	Tokens map[auth.Role]string
}

// NewScheme makes a scheme called name, covering the given postcode
// districts (none: it covers nowhere, and referrals name it), with a user
// for every role: ROLE@DOMAIN, where domain is derived from the name's
// first word, and Password.
func NewScheme(t testing.TB, d *db.DB, name string, areas ...string) *Scheme {
	t.Helper()
	ctx := context.Background()
	o, err := (&org.Store{DB: d}).Create(ctx, System, org.Input{Name: name, Kind: "scheme", Areas: areas})
	if err != nil {
		t.Fatalf("scheme %s: %v", name, err)
	}
	users := FastHashing(auth.NewStore(d))
	s := &Scheme{Org: o, Users: map[auth.Role]auth.User{}, Tokens: map[auth.Role]string{}}
	for _, role := range auth.Roles {
		orgID := o.ID
		if role == auth.Admin {
			orgID = ""
		}
		u, err := users.CreateUser(ctx, System, auth.UserInput{Email: string(role) + "@" + domainOf(name), Name: "Test " + role.Label(),
			Role: role, OrganisationID: orgID}, Password)
		if err != nil {
			t.Fatalf("user for %s: %v", role, err)
		}
		secret, _, err := users.CreateToken(ctx, System, u.ID, "test")
		if err != nil {
			t.Fatalf("token for %s: %v", role, err)
		}
		s.Users[role], s.Tokens[role] = u, secret
	}
	return s
}

// domainOf makes an email domain from a scheme's name: "Northgate Scheme"
// gives northgate.example.
func domainOf(name string) string {
	word := []rune{}
	for _, r := range name {
		if r == ' ' {
			break
		}
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			word = append(word, r)
		}
	}
	if len(word) == 0 {
		return "example.org"
	}
	return string(word) + ".example"
}

// Margaret is the person a fixture referral is about unless a test names
// someone else: old enough, living alone in a district every scheme of the
// tests covers.
var Margaret = referral.PersonInput{GivenName: "Margaret", FamilyName: "Hughes", DateOfBirth: "1948-05-02", Postcode: "EX4 4QJ"}

// Referral describes a referral for NewReferral; the zero value is a GP's
// referral of Margaret for loneliness, received and waiting for triage.
type Referral struct {
	Person  referral.PersonInput // Margaret when empty
	Reasons []string             // loneliness when empty
	// ShareWithProviders: the person agreed to their contact details going
	// to the services they are connected to.
	ShareWithProviders bool
	// Referrer, when set, makes the referral as this user (a GP, say), who
	// then sees it among the referrals they sent; otherwise it comes from
	// an unnamed GP through the API.
	Referrer *auth.User
	// Worker, when set, accepts the referral as this link worker and puts
	// it in their caseload.
	Worker *auth.User
}

// NewReferral makes a referral as r describes and returns it as stored.
func NewReferral(t testing.TB, d *db.DB, r Referral) referral.Referral {
	t.Helper()
	ctx := context.Background()
	in := referral.Input{Person: r.Person, Source: referral.SourceInput{Type: "gp"}, Reasons: r.Reasons,
		Consent: referral.ConsentInput{Given: true, ShareWithProviders: r.ShareWithProviders}}
	if in.Person == (referral.PersonInput{}) {
		in.Person = Margaret
	}
	if len(in.Reasons) == 0 {
		in.Reasons = []string{"loneliness"}
	}
	by, referrerID, channel := System, "", "api"
	if r.Referrer != nil {
		by, referrerID, channel = As(*r.Referrer), r.Referrer.ID, "web"
		in.Source.OrganisationID = r.Referrer.OrganisationID
	}
	refs := referral.NewStore(d)
	ref, err := refs.Create(ctx, by, in, referrerID, channel)
	if err != nil {
		t.Fatalf("referral of %s %s: %v", in.Person.GivenName, in.Person.FamilyName, err)
	}
	if r.Worker != nil {
		lw := As(*r.Worker)
		if _, err := refs.Transition(ctx, lw, ref.ID, referral.Accepted, ""); err != nil {
			t.Fatalf("accept %s: %v", ref.ID, err)
		}
		if _, err := refs.Assign(ctx, lw, ref.ID, r.Worker.ID); err != nil {
			t.Fatalf("assign %s: %v", ref.ID, err)
		}
	}
	got, err := refs.Get(ctx, ref.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// AcceptedReferral is a GP's referral of Margaret that the link worker has
// accepted and taken on.
func AcceptedReferral(t testing.TB, d *db.DB, worker auth.User) referral.Referral {
	t.Helper()
	return NewReferral(t, d, Referral{Worker: &worker})
}

// NewService adds an active service to the directory as in describes it,
// filling in what it leaves out: a description, walking groups, free, in
// the community hall, on Wednesday mornings.
func NewService(t testing.TB, d *db.DB, in directory.Input) directory.Service {
	t.Helper()
	if in.Description == "" {
		in.Description = "A friendly group that welcomes newcomers: " + in.Name + "."
	}
	if len(in.Categories) == 0 {
		in.Categories = []string{"walking_groups"}
	}
	if in.CostPence == nil {
		free := int64(0)
		in.CostPence = &free
	}
	if in.Address == "" {
		in.Address = "The community hall"
	}
	if len(in.Schedule) == 0 {
		in.Schedule = []directory.Session{{Day: "wednesday", Opens: "10:00", Closes: "11:30"}}
	}
	s, err := directory.NewStore(d).Create(context.Background(), System, in)
	if err != nil {
		t.Fatalf("service %s: %v", in.Name, err)
	}
	return s
}

// NewConnection sends the referral to the service as the link worker,
// supported, as a referral with a connection needs. The service's
// organisation is emailed a link to answer when it has an address.
func NewConnection(t testing.TB, d *db.DB, worker auth.User, referralID, serviceID string) connection.Connection {
	t.Helper()
	c, err := connection.NewStore(d, "").Create(context.Background(), As(worker), referralID,
		connection.CreateInput{ServiceID: serviceID, Kind: connection.Supported})
	if err != nil {
		t.Fatalf("connect %s to %s: %v", referralID, serviceID, err)
	}
	return c
}

// ConnectedReferral is an accepted referral, in the worker's caseload, of
// a person who agreed to share their contact details, sent to the service.
func ConnectedReferral(t testing.TB, d *db.DB, worker auth.User, serviceID string) (referral.Referral, connection.Connection) {
	t.Helper()
	ref := NewReferral(t, d, Referral{Worker: &worker, ShareWithProviders: true,
		Person: referral.PersonInput{GivenName: "Walter", FamilyName: "Penrose", DateOfBirth: "1946-02-14", Postcode: "EX4 4QJ", Phone: "07700 900123"}})
	return ref, NewConnection(t, d, worker, ref.ID, serviceID)
}

// User finds a user by email address, failing the test if there is none.
func User(t testing.TB, d *db.DB, email string) auth.User {
	t.Helper()
	u, err := auth.NewStore(d).GetUserByEmail(context.Background(), email)
	if err != nil {
		t.Fatalf("user %s: %v", email, err)
	}
	return u
}

// Plan is the plan a fixture referral gets unless a test writes its own:
// one goal, with a step for the person (due in 2030) and one for the link
// worker.
func Plan() []casework.Goal {
	return []casework.Goal{{Text: "Feel steadier on my feet", Steps: []casework.Step{
		{Text: "Try the Tuesday chair exercise class", Owner: casework.OwnerPerson, Due: "2030-05-01"},
		{Text: "Book a falls check with the practice nurse", Owner: casework.OwnerLinkWorker},
	}}}
}

// SavePlan writes the referral's plan as its link worker, Plan() when
// goals is empty.
func SavePlan(t testing.TB, d *db.DB, worker auth.User, referralID string, goals ...casework.Goal) casework.Plan {
	t.Helper()
	if len(goals) == 0 {
		goals = Plan()
	}
	p, err := casework.NewStore(d).SavePlan(context.Background(), As(worker), referralID, goals)
	if err != nil {
		t.Fatalf("plan for %s: %v", referralID, err)
	}
	return p
}
