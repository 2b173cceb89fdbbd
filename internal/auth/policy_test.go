package auth

import "testing"

func TestAccessAllows(t *testing.T) {
	admin := &Principal{UserID: "u1", Role: Admin}
	worker := &Principal{UserID: "u2", Role: LinkWorker}
	cases := []struct {
		access Access
		p      *Principal
		want   bool
	}{
		{Public, nil, true},
		{Public, worker, true},
		{SignedIn, nil, false},
		{SignedIn, worker, true},
		{Only(Admin), admin, true},
		{Only(Admin), worker, false},
		{Only(Admin), nil, false},
		{Only(Manager, LinkWorker), worker, true},
	}
	for _, c := range cases {
		if got := c.access.Allows(c.p); got != c.want {
			t.Errorf("%s allows %+v = %v, want %v", c.access.Name, c.p, got, c.want)
		}
	}
}

func TestCan(t *testing.T) {
	admin := &Principal{UserID: "u_admin", Role: Admin, OrganisationID: "o1"}
	manager := &Principal{UserID: "u_mgr", Role: Manager, OrganisationID: "o1", SchemeID: "o1"}
	worker := &Principal{UserID: "u_lw", Role: LinkWorker, OrganisationID: "o1", SchemeID: "o1"}
	otherManager := &Principal{UserID: "u_mgr2", Role: Manager, OrganisationID: "o5", SchemeID: "o5"}
	otherWorker := &Principal{UserID: "u_lw2", Role: LinkWorker, OrganisationID: "o5", SchemeID: "o5"}
	commissioner := &Principal{UserID: "u_c", Role: Commissioner, OrganisationID: "o2"}
	sameOrgUser := Object{Kind: "user", ID: "u_other", OrganisationID: "o1"}
	otherOrgUser := Object{Kind: "user", ID: "u_far", OrganisationID: "o9"}
	org := Object{Kind: "organisation", ID: "o1"}
	cases := []struct {
		name string
		p    *Principal
		act  Action
		obj  Object
		want bool
	}{
		{"anonymous sees no user", nil, ReadAction, sameOrgUser, false},
		{"anonymous sees no organisation", nil, ReadAction, org, false},
		{"admin reads any user", admin, ReadAction, otherOrgUser, true},
		{"admin changes any user", admin, ChangeAction, otherOrgUser, true},
		{"admin changes organisations", admin, ChangeAction, org, true},
		{"manager reads own organisation's users", manager, ReadAction, sameOrgUser, true},
		{"manager may not read another organisation's users", manager, ReadAction, otherOrgUser, false},
		{"manager may not change users", manager, ChangeAction, sameOrgUser, false},
		{"worker reads self", worker, ReadAction, Object{Kind: "user", ID: "u_lw", OrganisationID: "o1"}, true},
		{"worker may not change self through admin", worker, ChangeAction, Object{Kind: "user", ID: "u_lw"}, false},
		{"worker may not read a colleague", worker, ReadAction, sameOrgUser, false},
		{"commissioner reads organisations", commissioner, ReadAction, org, true},
		{"commissioner may not change organisations", commissioner, ChangeAction, org, false},
		{"unknown kinds are refused", admin, ReadAction, Object{Kind: "mystery"}, false},
		{"admin does not read referrals", admin, ReadAction, Object{Kind: "referral"}, false},
		{"manager reads any referral of the scheme", manager, ReadAction, Object{Kind: "referral", AssignedTo: "u_x", SchemeID: "o1"}, true},
		{"manager never reads another scheme's referral", otherManager, ReadAction, Object{Kind: "referral", AssignedTo: "u_x", SchemeID: "o1"}, false},
		{"manager never changes another scheme's referral", otherManager, ChangeAction, Object{Kind: "referral", InTriage: true, SchemeID: "o1"}, false},
		{"link worker reads own caseload", worker, ChangeAction, Object{Kind: "referral", AssignedTo: "u_lw", SchemeID: "o1"}, true},
		{"link worker reads the triage queue", worker, ReadAction, Object{Kind: "referral", InTriage: true, SchemeID: "o1"}, true},
		{"link worker never reads another scheme's triage queue", otherWorker, ReadAction, Object{Kind: "referral", InTriage: true, SchemeID: "o1"}, false},
		{"link worker never reads their old case moved to another scheme", otherWorker, ReadAction, Object{Kind: "referral", AssignedTo: "u_lw2", SchemeID: "o1"}, false},
		{"link worker never reads a closed, never-assigned referral", worker, ReadAction, Object{Kind: "referral", SchemeID: "o1"}, false},
		{"without schemes, all are in none", &Principal{UserID: "u_lw3", Role: LinkWorker}, ReadAction, Object{Kind: "referral", InTriage: true}, true},
		{"link worker may not read a colleague's case", worker, ReadAction, Object{Kind: "referral", AssignedTo: "u_x"}, false},
		{"referrer reads own referral", &Principal{UserID: "u_gp", Role: Referrer}, ReadAction, Object{Kind: "referral", CreatedBy: "u_gp"}, true},
		{"referrer may not change it", &Principal{UserID: "u_gp", Role: Referrer}, ChangeAction, Object{Kind: "referral", CreatedBy: "u_gp"}, false},
		{"referrer may not read another's", &Principal{UserID: "u_gp", Role: Referrer}, ReadAction, Object{Kind: "referral", CreatedBy: "u_x"}, false},
		{"commissioner never sees a referral", commissioner, ReadAction, Object{Kind: "referral"}, false},
		{"anyone reads a service", nil, ReadAction, Object{Kind: "service", OrganisationID: "o9"}, false},
		{"staff read any service", commissioner, ReadAction, Object{Kind: "service", OrganisationID: "o9"}, true},
		{"provider changes own organisation's service", &Principal{UserID: "p", Role: Provider, OrganisationID: "o1"}, ChangeAction, Object{Kind: "service", OrganisationID: "o1"}, true},
		{"provider may not change another's service", &Principal{UserID: "p", Role: Provider, OrganisationID: "o1"}, ChangeAction, Object{Kind: "service", OrganisationID: "o2"}, false},
		{"manager changes any service", manager, ChangeAction, Object{Kind: "service", OrganisationID: "o9"}, true},
		{"link worker may not change services", worker, ChangeAction, Object{Kind: "service", OrganisationID: "o1"}, false},
		{"provider sees a connection to its organisation", &Principal{UserID: "p", Role: Provider, OrganisationID: "o1"}, ChangeAction, Object{Kind: "connection", OrganisationID: "o1"}, true},
		{"provider never sees another organisation's connection", &Principal{UserID: "p", Role: Provider, OrganisationID: "o1"}, ReadAction, Object{Kind: "connection", OrganisationID: "o2"}, false},
		{"provider without an organisation sees none", &Principal{UserID: "p", Role: Provider}, ReadAction, Object{Kind: "connection"}, false},
		{"link worker sees their caseload's connection", worker, ChangeAction, Object{Kind: "connection", OrganisationID: "o9", AssignedTo: "u_lw", SchemeID: "o1"}, true},
		{"link worker never sees a colleague's connection", worker, ReadAction, Object{Kind: "connection", AssignedTo: "u_x"}, false},
		{"link worker never sees an unassigned case's connection", worker, ReadAction, Object{Kind: "connection"}, false},
		{"manager sees any connection of the scheme", manager, ChangeAction, Object{Kind: "connection", OrganisationID: "o9", SchemeID: "o1"}, true},
		{"manager never sees another scheme's connection", otherManager, ReadAction, Object{Kind: "connection", OrganisationID: "o9", SchemeID: "o1"}, false},
		{"referrer never sees a connection itself", &Principal{UserID: "u_gp", Role: Referrer}, ReadAction, Object{Kind: "connection", CreatedBy: "u_gp"}, false},
		{"admin never sees a connection", admin, ReadAction, Object{Kind: "connection", OrganisationID: "o1"}, false},
		{"commissioner never sees a connection", commissioner, ReadAction, Object{Kind: "connection", OrganisationID: "o2"}, false},

		// Safeguarding concerns.
		{"manager acts on the scheme's concern", manager, ChangeAction, Object{Kind: "concern", SchemeID: "o1", AssignedTo: "u_x", CreatedBy: "u_v"}, true},
		{"manager never sees another scheme's concern", otherManager, ReadAction, Object{Kind: "concern", SchemeID: "o1"}, false},
		{"link worker acts on a concern about their person", worker, ChangeAction, Object{Kind: "concern", SchemeID: "o1", AssignedTo: "u_lw"}, true},
		{"link worker never sees a colleague's person's concern", worker, ReadAction, Object{Kind: "concern", SchemeID: "o1", AssignedTo: "u_x"}, false},
		{"link worker never sees an unassigned person's concern", worker, ReadAction, Object{Kind: "concern", SchemeID: "o1"}, false},
		{"link worker of another scheme never sees it", otherWorker, ReadAction, Object{Kind: "concern", SchemeID: "o1", AssignedTo: "u_lw2"}, false},
		{"a volunteer reads the concern they raised", &Principal{UserID: "u_v", Role: Volunteer, SchemeID: "o1"}, ReadAction, Object{Kind: "concern", SchemeID: "o1", CreatedBy: "u_v"}, true},
		{"a volunteer may not act on the concern they raised", &Principal{UserID: "u_v", Role: Volunteer, SchemeID: "o1"}, ChangeAction, Object{Kind: "concern", SchemeID: "o1", CreatedBy: "u_v"}, false},
		{"a provider reads the concern they raised", &Principal{UserID: "p", Role: Provider, OrganisationID: "o7"}, ReadAction, Object{Kind: "concern", SchemeID: "o1", CreatedBy: "p"}, true},
		{"a volunteer never reads another's concern", &Principal{UserID: "u_v", Role: Volunteer, SchemeID: "o1"}, ReadAction, Object{Kind: "concern", SchemeID: "o1", CreatedBy: "u_w"}, false},
		{"admin never sees a concern", admin, ReadAction, Object{Kind: "concern", SchemeID: "o1"}, false},
		{"commissioner never sees a concern", commissioner, ReadAction, Object{Kind: "concern", SchemeID: "o2"}, false},

		// Volunteer matches.
		{"manager sees the scheme's match", manager, ChangeAction, Object{Kind: "volunteer_match", SchemeID: "o1", VolunteerID: "u_v"}, true},
		{"manager never sees another scheme's match", otherManager, ReadAction, Object{Kind: "volunteer_match", SchemeID: "o1"}, false},
		{"link worker sees their person's match", worker, ChangeAction, Object{Kind: "volunteer_match", SchemeID: "o1", AssignedTo: "u_lw"}, true},
		{"link worker never sees a colleague's person's match", worker, ReadAction, Object{Kind: "volunteer_match", SchemeID: "o1", AssignedTo: "u_x"}, false},
		{"volunteer sees their own match", &Principal{UserID: "u_v", Role: Volunteer, SchemeID: "o1"}, ChangeAction, Object{Kind: "volunteer_match", SchemeID: "o1", VolunteerID: "u_v"}, true},
		{"volunteer never sees their ended match", &Principal{UserID: "u_v", Role: Volunteer, SchemeID: "o1"}, ReadAction, Object{Kind: "volunteer_match", SchemeID: "o1", VolunteerID: "u_v", Ended: true}, false},
		{"volunteer never sees another's match", &Principal{UserID: "u_v", Role: Volunteer, SchemeID: "o1"}, ReadAction, Object{Kind: "volunteer_match", SchemeID: "o1", VolunteerID: "u_w"}, false},
		{"health champion never sees their volunteer's match itself", &Principal{UserID: "u_hc", Role: Volunteer, SchemeID: "o1"}, ReadAction, Object{Kind: "volunteer_match", SchemeID: "o1", VolunteerID: "u_v", CoordinatorID: "u_hc"}, false},
		{"volunteer of another scheme never sees it", &Principal{UserID: "u_v", Role: Volunteer, SchemeID: "o5"}, ReadAction, Object{Kind: "volunteer_match", SchemeID: "o1", VolunteerID: "u_v"}, false},
		{"provider never sees a match", &Principal{UserID: "p", Role: Provider, OrganisationID: "o1"}, ReadAction, Object{Kind: "volunteer_match", SchemeID: "o1", VolunteerID: "p"}, false},
		{"commissioner never sees a match", commissioner, ReadAction, Object{Kind: "volunteer_match", SchemeID: "o2"}, false},

		// Volunteer profiles.
		{"manager keeps the scheme's volunteers", manager, ChangeAction, Object{Kind: "volunteer", SchemeID: "o1", VolunteerID: "u_v"}, true},
		{"manager never sees another scheme's volunteer", otherManager, ReadAction, Object{Kind: "volunteer", SchemeID: "o1", VolunteerID: "u_v"}, false},
		{"volunteer reads and corrects their own profile", &Principal{UserID: "u_v", Role: Volunteer, SchemeID: "o1"}, ChangeAction, Object{Kind: "volunteer", SchemeID: "o1", VolunteerID: "u_v"}, true},
		{"health champion reads their volunteer", &Principal{UserID: "u_hc", Role: Volunteer, SchemeID: "o1"}, ReadAction, Object{Kind: "volunteer", SchemeID: "o1", VolunteerID: "u_v", CoordinatorID: "u_hc"}, true},
		{"health champion may not change their volunteer", &Principal{UserID: "u_hc", Role: Volunteer, SchemeID: "o1"}, ChangeAction, Object{Kind: "volunteer", SchemeID: "o1", VolunteerID: "u_v", CoordinatorID: "u_hc"}, false},
		{"volunteer never reads another volunteer", &Principal{UserID: "u_w", Role: Volunteer, SchemeID: "o1"}, ReadAction, Object{Kind: "volunteer", SchemeID: "o1", VolunteerID: "u_v", CoordinatorID: "u_hc"}, false},
		{"link worker never reads a volunteer profile", worker, ReadAction, Object{Kind: "volunteer", SchemeID: "o1", VolunteerID: "u_v"}, false},
		{"a volunteer's own profile in another scheme is not theirs to see", &Principal{UserID: "u_v", Role: Volunteer, SchemeID: "o5"}, ReadAction, Object{Kind: "volunteer", SchemeID: "o1", VolunteerID: "u_v"}, false},
	}
	for _, c := range cases {
		if got := Can(c.p, c.act, c.obj); got != c.want {
			t.Errorf("%s: got %v", c.name, got)
		}
	}
}
