package auth

import "testing"

func TestCanFunds(t *testing.T) {
	manager := &Principal{UserID: "u_mgr", Role: Manager, OrganisationID: "s1", SchemeID: "s1"}
	otherManager := &Principal{UserID: "u_mgr2", Role: Manager, OrganisationID: "s2", SchemeID: "s2"}
	worker := &Principal{UserID: "u_lw", Role: LinkWorker, OrganisationID: "s1", SchemeID: "s1"}
	otherWorker := &Principal{UserID: "u_lw2", Role: LinkWorker, OrganisationID: "s2", SchemeID: "s2"}
	provider := &Principal{UserID: "u_p", Role: Provider, OrganisationID: "o_group"}
	commissioner := &Principal{UserID: "u_c", Role: Commissioner, OrganisationID: "s1", SchemeID: "s1"}
	admin := &Principal{UserID: "u_a", Role: Admin}
	referrer := &Principal{UserID: "u_gp", Role: Referrer, OrganisationID: "o_gp"}
	volunteer := &Principal{UserID: "u_v", Role: Volunteer, OrganisationID: "s1", SchemeID: "s1"}

	mine := Object{Kind: KindBudget, SchemeID: "s1", AssignedTo: "u_lw"}
	colleagues := Object{Kind: KindBudget, SchemeID: "s1", AssignedTo: "u_x"}
	triage := Object{Kind: KindBudget, SchemeID: "s1", InTriage: true}
	approval := Object{Kind: KindBudgetApproval, SchemeID: "s1"}
	settings := Object{Kind: KindBudgetSettings, SchemeID: "s1"}
	round := Object{Kind: KindGrantRound, SchemeID: "s1"}
	ownApp := Object{Kind: KindGrantApplication, SchemeID: "s1", OrganisationID: "o_group"}
	otherApp := Object{Kind: KindGrantApplication, SchemeID: "s1", OrganisationID: "o_else"}
	award := Object{Kind: KindGrantAward, SchemeID: "s1"}
	registration := Object{Kind: KindGroupRegistration, SchemeID: "s1"}
	cases := []struct {
		name string
		p    *Principal
		act  Action
		obj  Object
		want bool
	}{
		{"anonymous sees no budget", nil, ReadAction, mine, false},
		{"link worker reads their caseload's budget", worker, ReadAction, mine, true},
		{"link worker spends from their caseload's budget", worker, ChangeAction, mine, true},
		{"link worker never reads a colleague's case's budget", worker, ReadAction, colleagues, false},
		{"link worker reads a triage referral's budget", worker, ReadAction, triage, true},
		{"link worker never spends from a triage referral's budget", worker, ChangeAction, triage, false},
		{"link worker of another scheme sees nothing", otherWorker, ReadAction, Object{Kind: KindBudget, SchemeID: "s1", AssignedTo: "u_lw2"}, false},
		{"manager reads any budget of the scheme", manager, ReadAction, colleagues, true},
		{"manager changes any budget of the scheme", manager, ChangeAction, colleagues, true},
		{"manager of another scheme sees no budget", otherManager, ReadAction, colleagues, false},
		{"commissioner never sees a budget", commissioner, ReadAction, mine, false},
		{"admin never sees a budget", admin, ReadAction, mine, false},
		{"referrer never sees a budget", referrer, ReadAction, mine, false},
		{"provider never sees a budget", provider, ReadAction, mine, false},
		{"volunteer never sees a budget", volunteer, ReadAction, mine, false},
		{"manager approves purchases of the scheme", manager, ChangeAction, approval, true},
		{"manager of another scheme does not", otherManager, ChangeAction, approval, false},
		{"link worker never approves, even their own", worker, ChangeAction, approval, false},
		{"manager reads the scheme's finance ledger", manager, ReadAction, Object{Kind: KindBudgetLedger, SchemeID: "s1"}, true},
		{"link worker never reads the finance ledger", worker, ReadAction, Object{Kind: KindBudgetLedger, SchemeID: "s1"}, false},
		{"commissioner never reads the finance ledger", commissioner, ReadAction, Object{Kind: KindBudgetLedger, SchemeID: "s1"}, false},
		{"manager sets the scheme's threshold", manager, ChangeAction, settings, true},
		{"admin sets any scheme's threshold", admin, ChangeAction, settings, true},
		{"link worker reads the threshold", worker, ReadAction, settings, true},
		{"link worker never sets it", worker, ChangeAction, settings, false},
		{"another scheme's manager never sets it", otherManager, ChangeAction, settings, false},
		{"manager runs the scheme's rounds", manager, ChangeAction, round, true},
		{"manager of another scheme does not", otherManager, ReadAction, round, false},
		{"provider reads a round to apply", provider, ReadAction, round, true},
		{"provider never changes a round", provider, ChangeAction, round, false},
		{"commissioner reads the scheme's rounds", commissioner, ReadAction, round, true},
		{"commissioner never changes them", commissioner, ChangeAction, round, false},
		{"link worker has no business with grants", worker, ReadAction, round, false},
		{"provider applies for their own organisation", provider, ChangeAction, ownApp, true},
		{"provider never applies for another", provider, ChangeAction, otherApp, false},
		{"provider never reads another's application", provider, ReadAction, otherApp, false},
		{"manager reads the scheme's applications", manager, ReadAction, otherApp, true},
		{"manager never applies", manager, ChangeAction, ownApp, false},
		{"manager of another scheme never reads them", otherManager, ReadAction, ownApp, false},
		{"manager decides and pays", manager, ChangeAction, award, true},
		{"manager of another scheme never decides", otherManager, ChangeAction, award, false},
		{"provider never decides", provider, ChangeAction, award, false},
		{"admin never decides", admin, ChangeAction, award, false},
		{"manager checks registrations of the scheme", manager, ChangeAction, registration, true},
		{"manager of another scheme does not", otherManager, ReadAction, registration, false},
		{"without schemes, all are in none", &Principal{UserID: "m", Role: Manager}, ChangeAction, Object{Kind: KindGrantAward}, true},
	}
	for _, c := range cases {
		if got := Can(c.p, c.act, c.obj); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}
