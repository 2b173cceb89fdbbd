package grant

import (
	"errors"
	"strings"
	"testing"

	"oikos"
	"oikos/internal/directory"
)

func p(n int64) *int64 { return &n }

func fieldsOf(err error) map[string]string {
	var e *oikos.Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

func wantFields(t *testing.T, what any, err error, want ...string) {
	t.Helper()
	got := fieldsOf(err)
	if len(want) == 0 {
		if err != nil {
			t.Errorf("%+v refused: %v", what, err)
		}
		return
	}
	if oikos.ErrorCode(err) != oikos.EINVALID || len(got) != len(want) {
		t.Errorf("%+v: %v, want %v named", what, err, want)
		return
	}
	for _, f := range want {
		if got[f] == "" {
			t.Errorf("%+v: %v, want %s named", what, err, f)
		}
	}
}

func TestRoundState(t *testing.T) {
	for _, c := range []struct{ opens, closes, today, want string }{
		{"2026-04-01", "2026-04-30", "2026-03-31", Upcoming},
		{"2026-04-01", "2026-04-30", "2026-04-01", Open},
		{"2026-04-01", "2026-04-30", "2026-04-30", Open},
		{"2026-04-01", "2026-04-30", "2026-05-01", Closed},
		{"2026-04-01", "2026-04-01", "2026-04-01", Open},
	} {
		if got := RoundState(c.opens, c.closes, c.today); got != c.want {
			t.Errorf("%s..%s on %s: %s, want %s", c.opens, c.closes, c.today, got, c.want)
		}
		err := MayApply(c.opens, c.closes, c.today)
		if (err == nil) != (c.want == Open) || (err != nil && oikos.ErrorCode(err) != oikos.ECONFLICT) {
			t.Errorf("apply %s..%s on %s: %v", c.opens, c.closes, c.today, err)
		}
	}
}

func TestCheckRound(t *testing.T) {
	good := func() RoundInput {
		return RoundInput{Name: " Community  groups ", PotPence: p(8_500_000), OpensOn: "2026-04-01", ClosesOn: "2026-04-30",
			Needs: []string{"loneliness", "isolation", "loneliness"}, Areas: []string{"ex4", "EX 1"}}
	}
	in := good()
	wantFields(t, in, CheckRound(&in))
	if in.Name != "Community groups" || strings.Join(in.Needs, ",") != "loneliness,isolation" || strings.Join(in.Areas, ",") != "EX1,EX4" {
		t.Errorf("tidied %+v", in)
	}
	cases := []struct {
		change func(*RoundInput)
		field  string
	}{
		{func(r *RoundInput) { r.Name = "" }, "name"},
		{func(r *RoundInput) { r.PotPence = nil }, "pot_pence"},
		{func(r *RoundInput) { r.PotPence = p(0) }, "pot_pence"},
		{func(r *RoundInput) { r.PotPence = p(-1) }, "pot_pence"},
		{func(r *RoundInput) { r.PotPence = p(MaxPotPence + 1) }, "pot_pence"},
		{func(r *RoundInput) { r.OpensOn = "1 April" }, "opens_on"},
		{func(r *RoundInput) { r.ClosesOn = "2026-03-31" }, "closes_on"},
		{func(r *RoundInput) { r.ClosesOn = "" }, "closes_on"},
		{func(r *RoundInput) { r.Needs = nil }, "needs"},
		{func(r *RoundInput) { r.Needs = []string{"made_up"} }, "needs"},
		{func(r *RoundInput) { r.Areas = []string{"Exeter"} }, "areas"},
		{func(r *RoundInput) { r.Criteria = strings.Repeat("c", 5001) }, "criteria"},
	}
	for _, c := range cases {
		in := good()
		c.change(&in)
		wantFields(t, c.field, CheckRound(&in), c.field)
	}
	in = good()
	in.Areas = nil
	wantFields(t, "no areas: the whole scheme", CheckRound(&in))
}

func TestCheckApplication(t *testing.T) {
	good := func() ApplicationInput {
		return ApplicationInput{OrganisationID: "org_1", Title: "Lunch club", Summary: "Weekly lunch", Needs: []string{"loneliness"},
			AmountPence: p(500_000), StartsOn: "2026-06-01"}
	}
	in := good()
	wantFields(t, in, CheckApplication(&in, 1_000_000))
	cases := []struct {
		change func(*ApplicationInput)
		field  string
	}{
		{func(a *ApplicationInput) { a.OrganisationID = "" }, "organisation_id"},
		{func(a *ApplicationInput) { a.Title = " " }, "title"},
		{func(a *ApplicationInput) { a.Summary = "" }, "summary"},
		{func(a *ApplicationInput) { a.Needs = []string{} }, "needs"},
		{func(a *ApplicationInput) { a.Areas = []string{"nowhere at all"} }, "areas"},
		{func(a *ApplicationInput) { a.AmountPence = p(0) }, "amount_pence"},
		{func(a *ApplicationInput) { a.AmountPence = p(-100) }, "amount_pence"},
		{func(a *ApplicationInput) { a.AmountPence = p(1_000_001) }, "amount_pence"},
		{func(a *ApplicationInput) { a.StartsOn = "soon" }, "starts_on"},
	}
	for _, c := range cases {
		in := good()
		c.change(&in)
		wantFields(t, c.field, CheckApplication(&in, 1_000_000), c.field)
	}
}

func TestFitsRound(t *testing.T) {
	needs, areas := []string{"loneliness", "isolation"}, []string{"EX1", "EX4"}
	for _, c := range []struct {
		needs, areas []string
		fields       []string
	}{
		{[]string{"loneliness"}, []string{"EX4"}, nil},
		{[]string{"anxiety", "isolation"}, nil, nil},
		{[]string{"anxiety"}, []string{"EX4"}, []string{"needs"}},
		{[]string{"loneliness"}, []string{"EX4", "PL1"}, []string{"areas"}},
	} {
		in := ApplicationInput{Needs: c.needs, Areas: c.areas}
		wantFields(t, in, FitsRound(in, needs, areas), c.fields...)
	}
	wantFields(t, "a round for anywhere", FitsRound(ApplicationInput{Needs: []string{"loneliness"}, Areas: []string{"PL1"}}, needs, nil))
}

func TestCheckDecision(t *testing.T) {
	for _, c := range []struct {
		in     DecisionInput
		award  int64
		fields []string
	}{
		{DecisionInput{Decision: "awarded"}, 5000, nil},
		{DecisionInput{Decision: "awarded", AmountPence: p(3000)}, 3000, nil},
		{DecisionInput{Decision: "awarded", AmountPence: p(5001)}, 0, []string{"amount_pence"}},
		{DecisionInput{Decision: "awarded", AmountPence: p(0)}, 0, []string{"amount_pence"}},
		{DecisionInput{Decision: "awarded", AmountPence: p(-1)}, 0, []string{"amount_pence"}},
		{DecisionInput{Decision: "declined", Reason: "Outside the criteria"}, 0, nil},
		{DecisionInput{Decision: "declined"}, 0, []string{"reason"}},
		{DecisionInput{Decision: "declined", Reason: "x", AmountPence: p(1)}, 0, []string{"amount_pence"}},
		{DecisionInput{Decision: "maybe"}, 0, []string{"decision"}},
		{DecisionInput{Decision: "awarded", Score: func() *int { n := 101; return &n }()}, 0, []string{"score"}},
	} {
		in := c.in
		award, err := CheckDecision(&in, 5000)
		wantFields(t, c.in, err, c.fields...)
		if err == nil && award != c.award {
			t.Errorf("%+v: award %d, want %d", c.in, award, c.award)
		}
	}
	if MayDecide(Submitted) != nil || oikos.ErrorCode(MayDecide(Awarded)) != oikos.ECONFLICT || oikos.ErrorCode(MayDecide(Declined)) != oikos.ECONFLICT {
		t.Error("MayDecide")
	}
	if MayPay(Awarded) != nil || oikos.ErrorCode(MayPay(Submitted)) != oikos.ECONFLICT || oikos.ErrorCode(MayPay(Declined)) != oikos.ECONFLICT {
		t.Error("MayPay")
	}
}

func TestCheckPayment(t *testing.T) {
	for _, c := range []struct {
		in     PaymentInput
		fields []string
	}{
		{PaymentInput{p(100), "2026-04-01"}, nil},
		{PaymentInput{p(100), "2026-04-02"}, []string{"paid_on"}},
		{PaymentInput{p(0), "2026-04-01"}, []string{"amount_pence"}},
		{PaymentInput{nil, ""}, []string{"amount_pence", "paid_on"}},
	} {
		in := c.in
		wantFields(t, c.in, CheckPayment(&in, "2026-04-01"), c.fields...)
	}
}

func TestCountMonths(t *testing.T) {
	// Three months of 100 ms each: [0,100), [100,200), [200,300).
	months := [][2]int64{{0, 100}, {100, 200}, {200, 300}}
	led := func(at int64, status string) StatusChange {
		return StatusChange{At: at, Status: status, CitizenLed: true}
	}
	cases := []struct {
		name  string
		group GroupHistory
		want  []TrendMonth
	}{
		{"started in the second month, running since", GroupHistory{Changes: []StatusChange{led(150, "active")}},
			[]TrendMonth{{}, {Running: 1, Started: 1}, {Running: 1}}},
		{"closed in the third", GroupHistory{Changes: []StatusChange{led(50, "active"), led(250, "closed")}},
			[]TrendMonth{{Running: 1, Started: 1}, {Running: 1}, {Closed: 1, Stopped: 1}}},
		{"closed and reopened within a month counts as running", GroupHistory{Changes: []StatusChange{led(50, "active"), led(120, "closed"), led(180, "active")}},
			[]TrendMonth{{Running: 1, Started: 1}, {Running: 1}, {Running: 1}}},
		{"funded", GroupHistory{Funded: true, Changes: []StatusChange{led(50, "active")}},
			[]TrendMonth{{Running: 1, Started: 1, Funded: 1}, {Running: 1, Funded: 1}, {Running: 1, Funded: 1}}},
		{"stopped being citizen-led", GroupHistory{Changes: []StatusChange{led(50, "active"), {At: 150, Status: "active"}}},
			[]TrendMonth{{Running: 1, Started: 1}, {}, {}}},
		{"became citizen-led later", GroupHistory{Changes: []StatusChange{{At: 50, Status: "active"}, led(150, "active")}},
			[]TrendMonth{{}, {Running: 1}, {Running: 1}}},
		{"before the period", GroupHistory{Changes: []StatusChange{led(-50, "active"), led(-10, "closed")}},
			[]TrendMonth{{Closed: 1}, {Closed: 1}, {Closed: 1}}},
	}
	for _, c := range cases {
		got := CountMonths([]GroupHistory{c.group}, months)
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: month %d %+v, want %+v", c.name, i, got[i], c.want[i])
			}
		}
	}
}

func TestCheckRegistration(t *testing.T) {
	good := func() RegistrationInput {
		return RegistrationInput{GroupName: "Knit and Natter", ContactName: "Jo", ContactEmail: "jo@example.org",
			Service: directory.Input{Name: "Knit", Description: "Knitting", Categories: []string{"hobbies_interests"}, Postcode: "EX1 2LE"}}
	}
	in := good()
	wantFields(t, in, CheckRegistration(&in))
	if !in.Service.CitizenLed {
		t.Error("a registered group's service is not citizen-led")
	}
	award := "gra_1"
	cases := []struct {
		change func(*RegistrationInput)
		field  string
	}{
		{func(r *RegistrationInput) { r.GroupName = "" }, "group_name"},
		{func(r *RegistrationInput) { r.ContactName = "" }, "contact_name"},
		{func(r *RegistrationInput) { r.ContactEmail = "" }, "contact_email"},
		{func(r *RegistrationInput) { r.ContactEmail = "not an address" }, "contact_email"},
		{func(r *RegistrationInput) { r.ContactPhone = "call me" }, "contact_phone"},
		{func(r *RegistrationInput) { r.Website = "javascript:alert(1)" }, "website"},
		{func(r *RegistrationInput) { r.Service.Postcode = "" }, "service.postcode"},
		{func(r *RegistrationInput) { r.Service.Postcode = "ZZ99 9ZZ" }, "service.postcode"},
		{func(r *RegistrationInput) { r.Service.Name = "" }, "service.name"},
		{func(r *RegistrationInput) { r.Service.GrantApplicationID = &award }, "service.grant_application_id"},
	}
	for _, c := range cases {
		in := good()
		c.change(&in)
		wantFields(t, c.field, CheckRegistration(&in), c.field)
	}
	in = good()
	in.ContactEmail, in.ContactPhone = "", "01392 123456"
	wantFields(t, "a phone instead of an email", CheckRegistration(&in))
}

// The checks of outside input never panic and name only fields they know.
func FuzzCheckApplication(f *testing.F) {
	f.Add("org_1", "Lunch club", "Weekly lunch", "loneliness", "EX4", int64(5000), "2026-06-01")
	f.Add("", "", "", "", "", int64(0), "")
	f.Add("\x00", "\xff", "=1", "made_up", "nowhere", int64(-1), "2026-02-30")
	known := map[string]bool{"organisation_id": true, "title": true, "summary": true, "needs": true, "areas": true, "amount_pence": true, "starts_on": true}
	f.Fuzz(func(t *testing.T, org, title, summary, need, area string, amount int64, starts string) {
		in := ApplicationInput{OrganisationID: org, Title: title, Summary: summary, Needs: []string{need}, Areas: []string{area}, AmountPence: &amount, StartsOn: starts}
		err := CheckApplication(&in, 1_000_000)
		if err == nil && (amount <= 0 || amount > 1_000_000) {
			t.Fatalf("accepted %d", amount)
		}
		for name := range fieldsOf(err) {
			if !known[name] {
				t.Fatalf("unknown field %s", name)
			}
		}
	})
}

func FuzzCheckRegistration(f *testing.F) {
	f.Add("Knit and Natter", "Jo", "jo@example.org", "", "https://knit.example", "Knit", "EX1 2LE")
	f.Add("", "", "", "", "", "", "")
	f.Add("\x00", "\xff", "@", "++", "javascript:x", "=cmd", "ZZ99")
	f.Fuzz(func(t *testing.T, group, contact, email, phone, website, service, pc string) {
		in := RegistrationInput{GroupName: group, ContactName: contact, ContactEmail: email, ContactPhone: phone, Website: website,
			Service: directory.Input{Name: service, Description: "x", Categories: []string{"befriending"}, Postcode: pc}}
		err := CheckRegistration(&in)
		if err != nil && oikos.ErrorCode(err) != oikos.EINVALID {
			t.Fatalf("%v", err)
		}
		if err == nil && (!oikos.PlainText(in.GroupName, false) || in.GroupName == "" || !in.Service.CitizenLed) {
			t.Fatalf("accepted %+v", in)
		}
	})
}
