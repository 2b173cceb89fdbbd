package grant

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"oikos"
	"oikos/internal/org"
	"oikos/internal/taxonomy"
)

// The rules of the grants programme, pure: what a round, an application,
// a decision and a payment must hold, and when a round is open. The
// store loads, checks with these and writes; whether the pot or the award
// has room is settled by the database inside the write.

// Application statuses.
const (
	Submitted = "submitted"
	Awarded   = "awarded"
	Declined  = "declined"
)

// Round states, by the UK date.
const (
	Upcoming = "upcoming"
	Open     = "open"
	Closed   = "closed"
)

// Limits: far above any real round, low enough that sums stay far inside
// int64 and a page stays small.
const (
	MaxPotPence = 100_000_000_00 // £100m
	maxName     = 200
	maxText     = 5000
	maxCodes    = 50
	MaxScore    = 100
)

// RoundState says whether a round is upcoming, open or closed on the UK
// day today (YYYY-MM-DD; dates compare as text).
func RoundState(opensOn, closesOn, today string) string {
	switch {
	case today < opensOn:
		return Upcoming
	case today > closesOn:
		return Closed
	}
	return Open
}

func checkText(f map[string]string, name, label, v string, limit int, multiline bool) {
	switch {
	case !oikos.PlainText(v, multiline):
		f[name] = label + " must not contain control characters."
	case utf8.RuneCountInString(v) > limit:
		f[name] = fmt.Sprintf("%s must be %d characters or fewer.", label, limit)
	}
}

func checkPence(f map[string]string, name string, v *int64, limit int64) {
	switch {
	case v == nil:
		f[name] = "Enter the amount in pence, as a whole number."
	case *v <= 0:
		f[name] = "The amount must be more than zero."
	case *v > limit:
		f[name] = "The amount is more than this programme allows."
	}
}

// checkDate checks a YYYY-MM-DD date, from 2000 to 2100.
func checkDate(f map[string]string, name, v, label string) (time.Time, bool) {
	if v == "" {
		f[name] = "Enter " + label + ", like 2026-04-01."
		return time.Time{}, false
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		f[name] = "Enter " + label + " as YYYY-MM-DD, like 2026-04-01."
		return d, false
	}
	if d.Year() < 2000 || d.Year() > 2100 {
		f[name] = "The date must be between 2000 and 2100."
		return d, false
	}
	return d, true
}

// needsList checks needs codes against the vocabulary, each once.
func needsList(f map[string]string, name string, codes []string) []string {
	out := []string{}
	if len(codes) > maxCodes {
		f[name] = fmt.Sprintf("Name at most %d needs.", maxCodes)
		return out
	}
	for _, c := range codes {
		c = strings.TrimSpace(c)
		if _, ok := taxonomy.NeedByCode(c); !ok {
			shown := c
			if !oikos.PlainText(c, false) || len(c) > 40 {
				shown = "one of them"
			}
			f[name] = fmt.Sprintf("%q is not a needs code: see /api/v1/needs for the list.", shown)
			return out
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		f[name] = "Choose at least one need."
	}
	return out
}

// areasList checks postcode districts ("EX4"), tidied, each once.
func areasList(f map[string]string, name string, areas []string) []string {
	out, msg := org.NormaliseAreas(areas, "scheme")
	if msg != "" {
		f[name] = msg
		return []string{}
	}
	if out == nil {
		out = []string{}
	}
	return out
}

// RoundInput is the body of POST /grant-rounds.
type RoundInput struct {
	Name     string   `json:"name"`
	PotPence *int64   `json:"pot_pence"`
	OpensOn  string   `json:"opens_on"`
	ClosesOn string   `json:"closes_on"`
	Criteria string   `json:"criteria"`
	Needs    []string `json:"needs"`
	Areas    []string `json:"areas"`
}

// CheckRound checks and tidies a round. Areas may be left empty: the
// round is then open to the whole of the scheme.
func CheckRound(in *RoundInput) error {
	f := map[string]string{}
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	in.Criteria = strings.TrimSpace(in.Criteria)
	in.OpensOn, in.ClosesOn = strings.TrimSpace(in.OpensOn), strings.TrimSpace(in.ClosesOn)
	if in.Name == "" {
		f["name"] = "Name the round, such as Community groups 2026."
	} else {
		checkText(f, "name", "The name", in.Name, maxName, false)
	}
	checkPence(f, "pot_pence", in.PotPence, MaxPotPence)
	opens, okOpen := checkDate(f, "opens_on", in.OpensOn, "the day the round opens")
	closes, okClose := checkDate(f, "closes_on", in.ClosesOn, "the day the round closes")
	if okOpen && okClose && closes.Before(opens) {
		f["closes_on"] = "The round must close on or after the day it opens."
	}
	checkText(f, "criteria", "The criteria", in.Criteria, maxText, true)
	in.Needs = needsList(f, "needs", in.Needs)
	in.Areas = areasList(f, "areas", in.Areas)
	return oikos.Invalid(f)
}

// ApplicationInput is the body of POST /grant-rounds/{id}/applications.
type ApplicationInput struct {
	OrganisationID string   `json:"organisation_id"`
	Title          string   `json:"title"`
	Summary        string   `json:"summary"`
	Needs          []string `json:"needs"`
	Areas          []string `json:"areas"`
	AmountPence    *int64   `json:"amount_pence"`
	StartsOn       string   `json:"starts_on"`
}

// CheckApplication checks and tidies an application to a round with the
// given pot: what it will run (title, summary), which needs, where, how
// much (no more than the pot) and when it starts. Areas may be left
// empty: then the round's.
func CheckApplication(in *ApplicationInput, potPence int64) error {
	f := map[string]string{}
	in.OrganisationID = strings.TrimSpace(in.OrganisationID)
	in.Title = strings.Join(strings.Fields(in.Title), " ")
	in.Summary = strings.TrimSpace(in.Summary)
	in.StartsOn = strings.TrimSpace(in.StartsOn)
	if in.OrganisationID == "" {
		f["organisation_id"] = "Say which organisation is applying."
	} else {
		checkText(f, "organisation_id", "The organisation", in.OrganisationID, 100, false)
	}
	if in.Title == "" {
		f["title"] = "Say what you will run, in a few words."
	} else {
		checkText(f, "title", "The title", in.Title, maxName, false)
	}
	if in.Summary == "" {
		f["summary"] = "Describe what you will run, for whom and where."
	} else {
		checkText(f, "summary", "The summary", in.Summary, maxText, true)
	}
	in.Needs = needsList(f, "needs", in.Needs)
	in.Areas = areasList(f, "areas", in.Areas)
	checkPence(f, "amount_pence", in.AmountPence, MaxPotPence)
	if f["amount_pence"] == "" && *in.AmountPence > potPence {
		f["amount_pence"] = "The amount is more than the round's whole pot."
	}
	checkDate(f, "starts_on", in.StartsOn, "the day the activity starts")
	return oikos.Invalid(f)
}

// FitsRound checks a checked application against its round: it must
// meet at least one of the round's needs, and work only in the round's
// areas (any, when the round names none).
func FitsRound(in ApplicationInput, needs, areas []string) error {
	f := map[string]string{}
	if !slices.ContainsFunc(in.Needs, func(n string) bool { return slices.Contains(needs, n) }) {
		f["needs"] = "Name at least one of the needs this round is for: " + strings.Join(needs, ", ") + "."
	}
	if len(areas) > 0 {
		for _, a := range in.Areas {
			if !slices.Contains(areas, a) {
				f["areas"] = a + " is outside this round's areas: " + strings.Join(areas, ", ") + "."
				break
			}
		}
	}
	return oikos.Invalid(f)
}

// DecisionInput is the body of POST /grant-applications/{id}/decision.
type DecisionInput struct {
	Decision    string `json:"decision"`
	AmountPence *int64 `json:"amount_pence"`
	Reason      string `json:"reason"`
	// Score is the panel's score, 0 to 100, if they keep one.
	Score *int `json:"score"`
}

// CheckDecision checks a decision on an application that asked for
// requested pence, and settles the award: the amount given, else what was
// asked; never more than was asked. A declined application awards
// nothing and may not name an amount.
func CheckDecision(in *DecisionInput, requested int64) (award int64, err error) {
	f := map[string]string{}
	in.Decision = strings.TrimSpace(in.Decision)
	in.Reason = strings.TrimSpace(in.Reason)
	switch in.Decision {
	case Awarded:
		if in.AmountPence == nil {
			award = requested
		} else {
			checkPence(f, "amount_pence", in.AmountPence, MaxPotPence)
			if f["amount_pence"] == "" {
				award = *in.AmountPence
				if award > requested {
					f["amount_pence"] = "An award may not be more than the application asked for."
				}
			}
		}
	case Declined:
		if in.AmountPence != nil {
			f["amount_pence"] = "A declined application is awarded nothing: leave the amount out."
		}
		if in.Reason == "" {
			f["reason"] = "Say why, so the applicant can learn from it."
		}
	default:
		f["decision"] = "Decision must be awarded or declined."
	}
	checkText(f, "reason", "The reason", in.Reason, maxText, true)
	if in.Score != nil && (*in.Score < 0 || *in.Score > MaxScore) {
		f["score"] = fmt.Sprintf("The score must be from 0 to %d.", MaxScore)
	}
	if err := oikos.Invalid(f); err != nil {
		return 0, err
	}
	return award, nil
}

// PaymentInput is the body of POST /grant-applications/{id}/payments.
type PaymentInput struct {
	AmountPence *int64 `json:"amount_pence"`
	PaidOn      string `json:"paid_on"`
}

// CheckPayment checks an instalment paid on a UK day no later than today.
// Whether it fits the award is the store's to say, inside the write.
func CheckPayment(in *PaymentInput, today string) error {
	f := map[string]string{}
	in.PaidOn = strings.TrimSpace(in.PaidOn)
	checkPence(f, "amount_pence", in.AmountPence, MaxPotPence)
	if _, ok := checkDate(f, "paid_on", in.PaidOn, "the day it was paid"); ok && in.PaidOn > today {
		f["paid_on"] = "Record a payment once it is made: the date may not be in the future."
	}
	return oikos.Invalid(f)
}

// MayApply says whether a round takes applications on the UK day today.
func MayApply(opensOn, closesOn, today string) error {
	switch RoundState(opensOn, closesOn, today) {
	case Upcoming:
		return &oikos.Error{Code: oikos.ECONFLICT, Message: "This round opens for applications on " + opensOn + "."}
	case Closed:
		return &oikos.Error{Code: oikos.ECONFLICT, Message: "This round closed for applications on " + closesOn + "."}
	}
	return nil
}

// MayDecide says whether an application can be decided: once only.
func MayDecide(status string) error {
	if status != Submitted {
		return &oikos.Error{Code: oikos.ECONFLICT, Message: "This application has already been " + status + "."}
	}
	return nil
}

// MayPay says whether an application can be paid: only an award.
func MayPay(status string) error {
	if status != Awarded {
		return &oikos.Error{Code: oikos.ECONFLICT, Message: "Only an award can be paid; this application is " + status + "."}
	}
	return nil
}
