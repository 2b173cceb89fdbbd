package budget

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"oikos"
)

// The rules of a budget, pure: what an allowance, a purchase, a decision
// and a reversal must hold, which purchases wait for a manager, and how
// the ledger adds up. The store loads, checks with these and writes.

// Entry kinds.
const (
	Allocation = "allocation"
	Purchase   = "purchase"
	Reversal   = "reversal"
)

// Entry statuses. Allocations and reversals are approved when written; a
// purchase is approved at once up to the scheme's threshold, else awaits a
// manager, who approves or refuses it.
const (
	Approved         = "approved"
	AwaitingApproval = "awaiting_approval"
	Refused          = "refused"
)

// DefaultThresholdPence is the approval threshold of a scheme that has
// not set its own: £50.
const DefaultThresholdPence = 5000

// Limits: far above any real budget or course, low enough that sums of
// thousands of entries stay far inside int64.
const (
	MaxAmountPence = 100_000_00 // £100,000
	maxText        = 500
	maxSupplier    = 200
)

// Totals are a budget's figures. Balance is what may still be committed:
// the allowance less what is spent and what awaits approval, so that
// purchases awaiting a decision can never together overspend.
type Totals struct {
	AllowancePence int64 `json:"allowance_pence"`
	SpentPence     int64 `json:"spent_pence"`
	PendingPence   int64 `json:"pending_pence"`
	BalancePence   int64 `json:"balance_pence"`
}

// StatusFor is the status a new purchase takes: approved at once up to
// the threshold, awaiting a manager above it.
func StatusFor(amountPence, thresholdPence int64) string {
	if amountPence > thresholdPence {
		return AwaitingApproval
	}
	return Approved
}

// Tally adds up a ledger: allocations make the allowance; approved
// purchases are spent and those awaiting approval pending (refused ones
// count for nothing); a reversal gives its purchase's amount back. It is
// how the totals the store keeps are checked against the entries.
func Tally(entries []Entry) Totals {
	var t Totals
	for _, e := range entries {
		switch e.Kind {
		case Allocation:
			t.AllowancePence += e.AmountPence
		case Purchase:
			switch e.Status {
			case Approved:
				t.SpentPence += e.AmountPence
			case AwaitingApproval:
				t.PendingPence += e.AmountPence
			}
		case Reversal:
			t.SpentPence -= e.AmountPence
		}
	}
	t.BalancePence = t.AllowancePence - t.SpentPence - t.PendingPence
	return t
}

// Pounds writes pence as a person reads money: "£50", "£12.50".
func Pounds(pence int64) string {
	sign := ""
	if pence < 0 {
		sign, pence = "-", -pence
	}
	if pence%100 == 0 {
		return sign + "£" + thousands(pence/100)
	}
	return fmt.Sprintf("%s£%s.%02d", sign, thousands(pence/100), pence%100)
}

// thousands writes a whole number of pounds with commas between each three
// figures, as people read money: 85,000 rather than 85000.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// checkAmount checks an amount of money in pence: given, more than zero,
// and not absurd.
func checkAmount(f map[string]string, name string, v *int64) {
	switch {
	case v == nil:
		f[name] = "Enter the amount in pence, as a whole number."
	case *v <= 0:
		f[name] = "The amount must be more than zero."
	case *v > MaxAmountPence:
		f[name] = "The amount must be no more than " + Pounds(MaxAmountPence) + "."
	}
}

// checkText checks free text from outside: plain, and not too long.
func checkText(f map[string]string, name, label, v string, limit int, multiline bool) {
	switch {
	case !oikos.PlainText(v, multiline):
		f[name] = label + " must not contain control characters."
	case utf8.RuneCountInString(v) > limit:
		f[name] = fmt.Sprintf("%s must be %d characters or fewer.", label, limit)
	}
}

// AllowanceInput is the body of PUT /referrals/{id}/budget.
type AllowanceInput struct {
	AllowancePence *int64 `json:"allowance_pence"`
	Purpose        string `json:"purpose"`
}

// CheckAllowance checks a new allowance against what the budget has
// already committed (spent and awaiting approval): it may not fall below
// that.
func CheckAllowance(in *AllowanceInput, held Totals) error {
	f := map[string]string{}
	in.Purpose = strings.TrimSpace(in.Purpose)
	checkAmount(f, "allowance_pence", in.AllowancePence)
	if f["allowance_pence"] == "" {
		if committed := held.SpentPence + held.PendingPence; *in.AllowancePence < committed {
			f["allowance_pence"] = fmt.Sprintf("The allowance cannot be less than the %s already spent or awaiting approval.", Pounds(committed))
		}
	}
	if in.Purpose == "" {
		f["purpose"] = "Say what the budget is for, as agreed in the person's plan."
	} else {
		checkText(f, "purpose", "The purpose", in.Purpose, maxText, true)
	}
	return oikos.Invalid(f)
}

// PurchaseInput is the body of POST /referrals/{id}/budget/purchases.
type PurchaseInput struct {
	ServiceID   string `json:"service_id"`
	Supplier    string `json:"supplier"`
	Description string `json:"description"`
	AmountPence *int64 `json:"amount_pence"`
	Date        string `json:"date"`
}

// CheckPurchase checks a purchase's fields on the UK day today. A supplier
// may be left out when a directory service is named (the store fills in
// the organisation that runs it). Whether there is money left is the
// store's to say, inside the write.
func CheckPurchase(in *PurchaseInput, today time.Time) error {
	f := map[string]string{}
	in.ServiceID = strings.TrimSpace(in.ServiceID)
	in.Supplier = strings.Join(strings.Fields(in.Supplier), " ")
	in.Description = strings.TrimSpace(in.Description)
	in.Date = strings.TrimSpace(in.Date)
	checkAmount(f, "amount_pence", in.AmountPence)
	if in.ServiceID != "" {
		checkText(f, "service_id", "The service", in.ServiceID, 100, false)
	}
	if in.Supplier == "" && in.ServiceID == "" {
		f["supplier"] = "Name the supplier, or choose a service from the directory."
	} else {
		checkText(f, "supplier", "The supplier", in.Supplier, maxSupplier, false)
	}
	if in.Description == "" && in.ServiceID == "" {
		f["description"] = "Say what was bought, such as a 10-week pottery course."
	} else {
		checkText(f, "description", "The description", in.Description, maxText, true)
	}
	if msg := checkDate(in.Date, today); msg != "" {
		f["date"] = msg
	}
	return oikos.Invalid(f)
}

// checkDate checks a purchase date: a real date, from 2000 and no more
// than a year ahead (a course may be booked ahead).
func checkDate(s string, today time.Time) string {
	if s == "" {
		return "Enter the date of the purchase, like 2026-03-02."
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return "Enter the date as YYYY-MM-DD, like 2026-03-02."
	}
	if d.Year() < 2000 {
		return "The date must be in or after 2000."
	}
	if d.After(today.AddDate(1, 0, 0)) {
		return "The date must be no more than a year ahead."
	}
	return ""
}

// DecisionInput is the body of POST /budget-purchases/{id}/decision.
type DecisionInput struct {
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
}

// CheckDecision checks a manager's decision: approved or refused, with a
// reason for a refusal, which the link worker and the person will read.
func CheckDecision(in *DecisionInput) error {
	f := map[string]string{}
	in.Decision = strings.TrimSpace(in.Decision)
	in.Reason = strings.TrimSpace(in.Reason)
	switch in.Decision {
	case Approved:
	case Refused:
		if in.Reason == "" {
			f["reason"] = "Say why the purchase is refused."
		}
	default:
		f["decision"] = "Decision must be approved or refused."
	}
	checkText(f, "reason", "The reason", in.Reason, maxText, true)
	return oikos.Invalid(f)
}

// MayDecide says whether a purchase can be decided: only a purchase, only
// once, and only one that waited for approval. status is its status now.
func MayDecide(kind, status string) error {
	switch {
	case kind != Purchase:
		return &oikos.Error{Code: oikos.ECONFLICT, Message: "Only a purchase can be approved or refused."}
	case status == AwaitingApproval:
		return nil
	case status == Approved || status == Refused:
		return &oikos.Error{Code: oikos.ECONFLICT, Message: "This purchase has already been " + status + "."}
	}
	return &oikos.Error{Code: oikos.ECONFLICT, Message: "This purchase cannot be decided."}
}

// ReversalInput is the body of POST /budget-purchases/{id}/reversal.
// ReferralID, when given (always by the page, which is reached under a
// referral's address; optionally by an API caller), is the referral the
// purchase must belong to: a purchase of another referral is not found,
// even one the caller may see, so a reversal is never posted to one
// person's budget from another person's page.
type ReversalInput struct {
	Reason     string `json:"reason"`
	ReferralID string `json:"referral_id,omitempty"`
}

// CheckReversal checks a reversal's reason.
func CheckReversal(in *ReversalInput) error {
	f := map[string]string{}
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Reason == "" {
		f["reason"] = "Say why the purchase is reversed, such as a refund for a cancelled course."
	} else {
		checkText(f, "reason", "The reason", in.Reason, maxText, true)
	}
	return oikos.Invalid(f)
}

// MayReverse says whether a purchase can be reversed: an approved
// purchase not already reversed. A purchase awaiting approval is refused
// by a manager instead; a refused one never took any money.
func MayReverse(kind, status string, reversed bool) error {
	switch {
	case kind != Purchase:
		return &oikos.Error{Code: oikos.ECONFLICT, Message: "Only a purchase can be reversed."}
	case reversed:
		return &oikos.Error{Code: oikos.ECONFLICT, Message: "This purchase has already been reversed."}
	case status == AwaitingApproval:
		return &oikos.Error{Code: oikos.ECONFLICT, Message: "This purchase is awaiting approval: a manager can refuse it instead."}
	case status != Approved:
		return &oikos.Error{Code: oikos.ECONFLICT, Message: "This purchase was refused, so there is nothing to reverse."}
	}
	return nil
}

// CheckThreshold checks a scheme's approval threshold: zero (every
// purchase needs approval) or more.
func CheckThreshold(pence *int64) error {
	f := map[string]string{}
	switch {
	case pence == nil:
		f["approval_threshold_pence"] = "Enter the threshold in pence, as a whole number."
	case *pence < 0:
		f["approval_threshold_pence"] = "The threshold must be zero or more."
	case *pence > MaxAmountPence:
		f["approval_threshold_pence"] = "The threshold must be no more than " + Pounds(MaxAmountPence) + "."
	}
	return oikos.Invalid(f)
}

// AppendCSVField appends one CSV field to line as encoding/csv writes it
// (quoted when it holds a comma, quote or line break, or starts with a
// space), and, for free text (safe), so that a spreadsheet never reads it
// as a formula. The finance ledger writes a million rows with it without
// making a string of each cell.
func AppendCSVField(line, field []byte, safe bool) []byte {
	formula := safe && len(field) > 0 && strings.IndexByte("=+-@\t\r", field[0]) >= 0
	// With the apostrophe in front, a leading space or tab is no longer
	// leading.
	quote := !formula && len(field) > 0 && (field[0] == ' ' || field[0] == '\t')
	for _, c := range field {
		if quote {
			break
		}
		quote = c == ',' || c == '"' || c == '\n' || c == '\r'
	}
	if quote {
		line = append(line, '"')
	}
	if formula {
		line = append(line, '\'')
	}
	for _, c := range field {
		if quote && c == '"' {
			line = append(line, '"')
		}
		line = append(line, c)
	}
	if quote {
		line = append(line, '"')
	}
	return line
}

// SafeCell writes free text for a CSV file so that a spreadsheet reads it
// as text, never as a formula (CONTRACT.md, "Robustness promises").
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
