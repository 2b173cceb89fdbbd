package budget

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"oikos"
)

func p(n int64) *int64 { return &n }

func fieldsOf(err error) map[string]string {
	var e *oikos.Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

func TestStatusFor(t *testing.T) {
	cases := []struct {
		amount, threshold int64
		want              string
	}{
		{1, 5000, Approved},
		{4999, 5000, Approved},
		{5000, 5000, Approved},
		{5001, 5000, AwaitingApproval},
		{1, 0, AwaitingApproval},
		{100_000_00, 100_000_00, Approved},
	}
	for _, c := range cases {
		if got := StatusFor(c.amount, c.threshold); got != c.want {
			t.Errorf("%d under %d: %s, want %s", c.amount, c.threshold, got, c.want)
		}
	}
}

func TestTally(t *testing.T) {
	e := func(kind, status string, amount int64) Entry {
		return Entry{Kind: kind, Status: status, AmountPence: amount}
	}
	cases := []struct {
		name    string
		entries []Entry
		want    Totals
	}{
		{"nothing", nil, Totals{}},
		{"an allowance", []Entry{e(Allocation, Approved, 10000)}, Totals{10000, 0, 0, 10000}},
		{"raised and lowered", []Entry{e(Allocation, Approved, 10000), e(Allocation, Approved, 5000), e(Allocation, Approved, -3000)}, Totals{12000, 0, 0, 12000}},
		{"spent and pending", []Entry{e(Allocation, Approved, 10000), e(Purchase, Approved, 3000), e(Purchase, AwaitingApproval, 6000)}, Totals{10000, 3000, 6000, 1000}},
		{"refused counts for nothing", []Entry{e(Allocation, Approved, 10000), e(Purchase, Refused, 6000)}, Totals{10000, 0, 0, 10000}},
		{"a reversal gives back", []Entry{e(Allocation, Approved, 10000), e(Purchase, Approved, 3000), e(Reversal, Approved, 3000)}, Totals{10000, 0, 0, 10000}},
	}
	for _, c := range cases {
		if got := Tally(c.entries); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestPoundsAndSafeCell(t *testing.T) {
	for pence, want := range map[int64]string{0: "£0", 5000: "£50", 1250: "£12.50", 7: "£0.07", -14000: "-£140", 100_000_00: "£100,000",
		85_000_00: "£85,000", 123_456_789_01: "£123,456,789.01", 999_99: "£999.99", 1000_00: "£1,000", -1234_50: "-£1,234.50"} {
		if got := Pounds(pence); got != want {
			t.Errorf("Pounds(%d) = %s, want %s", pence, got, want)
		}
	}
	for in, want := range map[string]string{"": "", "Clay Studio": "Clay Studio", "=SUM(A1)": "'=SUM(A1)", "+44": "'+44", "-1": "'-1",
		"@here": "'@here", "\tx": "'\tx", "\rx": "'\rx", "a=b": "a=b"} {
		if got := SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// AppendCSVField writes what encoding/csv reads back: the field itself,
// or for free text the field a spreadsheet takes as text.
func TestAppendCSVField(t *testing.T) {
	for _, c := range []struct {
		in   string
		safe bool
		want string
	}{
		{"plain", true, "plain"},
		{"", true, ""},
		{"a,b", true, `"a,b"`},
		{`say "hi"`, true, `"say ""hi"""`},
		{"two\nlines", true, "\"two\nlines\""},
		{" leading", true, `" leading"`},
		{"=SUM(A1)", true, "'=SUM(A1)"},
		{"=SUM(A1,B1)", true, `"'=SUM(A1,B1)"`},
		{"-5", false, "-5"},
		{"-5", true, "'-5"},
		{"\tx", true, "'\tx"},
		{"\tx", false, "\"\tx\""},
	} {
		if got := string(AppendCSVField(nil, []byte(c.in), c.safe)); got != c.want {
			t.Errorf("%q (safe %v): %q, want %q", c.in, c.safe, got, c.want)
		}
	}
}

func FuzzAppendCSVField(f *testing.F) {
	for _, s := range []string{"plain", "a,b", `"q"`, "=1+1", " x", "\tx", "\r\n", "@", ""} {
		f.Add(s, "second", true)
	}
	f.Fuzz(func(t *testing.T, a, b string, safe bool) {
		if !utf8.ValidString(a) || !utf8.ValidString(b) {
			return
		}
		line := AppendCSVField(nil, []byte(a), safe)
		line = AppendCSVField(append(line, ','), []byte(b), safe)
		got, err := csv.NewReader(bytes.NewReader(append(line, '\n'))).Read()
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		want := []string{a, b}
		if safe {
			want = []string{SafeCell(a), SafeCell(b)}
		}
		for i := range want {
			// The reader turns a quoted CRLF into LF, as it should.
			want[i] = strings.ReplaceAll(want[i], "\r\n", "\n")
		}
		if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
			t.Fatalf("%q read back as %q, want %q", line, got, want)
		}
	})
}

func TestCheckAllowance(t *testing.T) {
	held := Totals{AllowancePence: 10000, SpentPence: 3000, PendingPence: 2000}
	cases := []struct {
		in     AllowanceInput
		fields []string
	}{
		{AllowanceInput{p(10000), "Courses"}, nil},
		{AllowanceInput{p(5000), "Exactly what is committed"}, nil},
		{AllowanceInput{p(4999), "Below"}, []string{"allowance_pence"}},
		{AllowanceInput{nil, "x"}, []string{"allowance_pence"}},
		{AllowanceInput{p(0), "x"}, []string{"allowance_pence"}},
		{AllowanceInput{p(-1), "x"}, []string{"allowance_pence"}},
		{AllowanceInput{p(MaxAmountPence + 1), "x"}, []string{"allowance_pence"}},
		{AllowanceInput{p(6000), "  "}, []string{"purpose"}},
		{AllowanceInput{p(6000), strings.Repeat("a", 501)}, []string{"purpose"}},
		{AllowanceInput{p(6000), "bad\x00"}, []string{"purpose"}},
	}
	for _, c := range cases {
		in := c.in
		checkFields(t, in, CheckAllowance(&in, held), c.fields)
	}
}

func checkFields(t *testing.T, in any, err error, want []string) {
	t.Helper()
	got := fieldsOf(err)
	if len(want) == 0 {
		if err != nil {
			t.Errorf("%+v refused: %v", in, err)
		}
		return
	}
	if oikos.ErrorCode(err) != oikos.EINVALID || len(got) != len(want) {
		t.Errorf("%+v: %v, want %v named", in, err, want)
		return
	}
	for _, f := range want {
		if got[f] == "" {
			t.Errorf("%+v: %v, want %s named", in, err, f)
		}
	}
}

func TestCheckPurchase(t *testing.T) {
	today := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		in     PurchaseInput
		fields []string
	}{
		{PurchaseInput{Supplier: "Clay Studio", Description: "Pottery", AmountPence: p(3000), Date: "2026-03-02"}, nil},
		{PurchaseInput{ServiceID: "svc_1", AmountPence: p(3000), Date: "2026-03-02"}, nil},
		{PurchaseInput{Supplier: "A", Description: "B", AmountPence: p(1), Date: "2027-03-02"}, nil},
		{PurchaseInput{Supplier: "A", Description: "B", AmountPence: p(1), Date: "2027-03-03"}, []string{"date"}},
		{PurchaseInput{Supplier: "A", Description: "B", AmountPence: p(1), Date: "1999-12-31"}, []string{"date"}},
		{PurchaseInput{Supplier: "A", Description: "B", AmountPence: p(1), Date: "2026-02-30"}, []string{"date"}},
		{PurchaseInput{Supplier: "A", Description: "B", AmountPence: p(1)}, []string{"date"}},
		{PurchaseInput{Supplier: "A", Description: "B", AmountPence: p(0), Date: "2026-03-02"}, []string{"amount_pence"}},
		{PurchaseInput{Supplier: "A", Description: "B", AmountPence: p(-100), Date: "2026-03-02"}, []string{"amount_pence"}},
		{PurchaseInput{Supplier: "A", Description: "B", Date: "2026-03-02"}, []string{"amount_pence"}},
		{PurchaseInput{Description: "B", AmountPence: p(1), Date: "2026-03-02"}, []string{"supplier"}},
		{PurchaseInput{Supplier: "A", AmountPence: p(1), Date: "2026-03-02"}, []string{"description"}},
		{PurchaseInput{Supplier: strings.Repeat("s", 201), Description: "B", AmountPence: p(1), Date: "2026-03-02"}, []string{"supplier"}},
		{PurchaseInput{ServiceID: "svc\x01x", AmountPence: p(1), Date: "2026-03-02"}, []string{"service_id"}},
		{PurchaseInput{}, []string{"amount_pence", "supplier", "description", "date"}},
	}
	for _, c := range cases {
		in := c.in
		checkFields(t, in, CheckPurchase(&in, today), c.fields)
	}
	in := PurchaseInput{Supplier: "  Clay   Studio ", Description: " Pottery ", AmountPence: p(1), Date: " 2026-03-02 "}
	if CheckPurchase(&in, today) != nil || in.Supplier != "Clay Studio" || in.Description != "Pottery" || in.Date != "2026-03-02" {
		t.Errorf("not tidied: %+v", in)
	}
}

func TestDecisionsAndReversals(t *testing.T) {
	for _, c := range []struct {
		in     DecisionInput
		fields []string
	}{
		{DecisionInput{Decision: "approved"}, nil},
		{DecisionInput{Decision: "refused", Reason: "Not in the plan"}, nil},
		{DecisionInput{Decision: "refused"}, []string{"reason"}},
		{DecisionInput{Decision: "maybe"}, []string{"decision"}},
		{DecisionInput{}, []string{"decision"}},
		{DecisionInput{Decision: "approved", Reason: strings.Repeat("r", 501)}, []string{"reason"}},
	} {
		in := c.in
		checkFields(t, in, CheckDecision(&in), c.fields)
	}
	checkFields(t, "reason", CheckReversal(&ReversalInput{Reason: "Refunded"}), nil)
	checkFields(t, "no reason", CheckReversal(&ReversalInput{Reason: " "}), []string{"reason"})

	conflict := func(err error) bool { return oikos.ErrorCode(err) == oikos.ECONFLICT }
	for _, c := range []struct {
		kind, status string
		ok           bool
	}{
		{Purchase, AwaitingApproval, true},
		{Purchase, Approved, false},
		{Purchase, Refused, false},
		{Allocation, Approved, false},
		{Reversal, Approved, false},
	} {
		err := MayDecide(c.kind, c.status)
		if (err == nil) != c.ok || (err != nil && !conflict(err)) {
			t.Errorf("decide %s %s: %v", c.kind, c.status, err)
		}
	}
	for _, c := range []struct {
		kind, status string
		reversed     bool
		ok           bool
	}{
		{Purchase, Approved, false, true},
		{Purchase, Approved, true, false},
		{Purchase, AwaitingApproval, false, false},
		{Purchase, Refused, false, false},
		{Allocation, Approved, false, false},
		{Reversal, Approved, false, false},
	} {
		err := MayReverse(c.kind, c.status, c.reversed)
		if (err == nil) != c.ok || (err != nil && !conflict(err)) {
			t.Errorf("reverse %s %s %v: %v", c.kind, c.status, c.reversed, err)
		}
	}
	for _, c := range []struct {
		v  *int64
		ok bool
	}{{p(0), true}, {p(5000), true}, {nil, false}, {p(-1), false}, {p(MaxAmountPence + 1), false}} {
		if err := CheckThreshold(c.v); (err == nil) != c.ok {
			t.Errorf("threshold %v: %v", c.v, err)
		}
	}
}

func TestCursor(t *testing.T) {
	c := cursor{1767225600000, "ref_a:b", 7}
	back, ok := readCursor(c.String())
	if !ok || back != c {
		t.Errorf("round trip: %+v %v", back, ok)
	}
	for _, bad := range []string{"", "!!", cursor{1, "", 2}.String(), "eDpi", "MToy"} {
		if _, ok := readCursor(bad); ok {
			t.Errorf("%q read as a cursor", bad)
		}
	}
}

// The checks take anything from outside without panicking, and name only
// the fields they know.
func FuzzCheckPurchase(f *testing.F) {
	f.Add("svc_1", "Clay Studio", "Pottery", int64(3000), "2026-03-02")
	f.Add("", "", "", int64(0), "")
	f.Add("x\x00", "=cmd", "\xff", int64(-1), "2026-02-30")
	known := map[string]bool{"service_id": true, "supplier": true, "description": true, "amount_pence": true, "date": true}
	today := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, service, supplier, description string, amount int64, date string) {
		in := PurchaseInput{ServiceID: service, Supplier: supplier, Description: description, AmountPence: &amount, Date: date}
		err := CheckPurchase(&in, today)
		if err == nil {
			if amount <= 0 || amount > MaxAmountPence || !oikos.PlainText(in.Supplier, false) || !oikos.PlainText(in.Description, true) {
				t.Fatalf("accepted %+v", in)
			}
			return
		}
		for name := range fieldsOf(err) {
			if !known[name] {
				t.Fatalf("unknown field %s", name)
			}
		}
	})
}

func FuzzReadCursor(f *testing.F) {
	f.Add(cursor{1767225600000, "ref_abc", 3}.String())
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		if c, ok := readCursor(s); ok {
			if back, _ := readCursor(c.String()); back != c {
				t.Fatalf("%q", s)
			}
		}
	})
}

// appendLedgerLine refuses a row whose text holds the separator rather
// than writing its columns askew.
func TestAppendLedgerLine(t *testing.T) {
	ok := "1767225600000,bud_1,2026-01-01,purchase,approved,100,\x1fR-1\x1fShop\x1f\x1fA, b\x1fLee"
	got, err := appendLedgerLine(nil, []byte(ok), nil)
	if err != nil || string(got) != `2026-01-01T00:00:00Z,bud_1,2026-01-01,purchase,approved,100,,R-1,Shop,,"A, b",Lee` {
		t.Errorf("%s %v", got, err)
	}
	for _, bad := range []string{"", "x,a\x1fb", "1,bud_1", "1,a\x1fb\x1fc\x1fd\x1fe", "1,a\x1fb\x1fc\x1fd\x1fe\x1ff\x1fg"} {
		if _, err := appendLedgerLine(nil, []byte(bad), nil); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
