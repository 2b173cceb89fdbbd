package community

import (
	"slices"
	"strings"
	"time"

	"oikos"
	"oikos/internal/auth"
)

// Safeguarding comes first: anyone working with a person can raise a
// concern about them, which reaches the person's link worker and the
// scheme's managers at once. Managers keep the log: actions, who did what
// and when, and the outcome each concern closes with. Concerns are never
// deleted. The rules here are pure; concerns_store.go loads and saves.

// Concern categories and levels (CONTRACT.md, "Safeguarding").
var (
	ConcernCategories = []string{"self_neglect", "abuse_or_neglect", "self_harm_or_suicide", "domestic_abuse", "financial_abuse", "other"}
	ConcernLevels     = []string{"low", "medium", "high", "immediate"}
)

// LevelImmediate is the level that stands at the top of every page the
// person's link worker and the scheme's managers open until each has
// acknowledged it.
const LevelImmediate = "immediate"

// Concern statuses.
const (
	ConcernOpen   = "open"
	ConcernClosed = "closed"
)

// ConcernCategoryLabel is a category in words.
func ConcernCategoryLabel(c string) string {
	switch c {
	case "self_neglect":
		return "Self-neglect"
	case "abuse_or_neglect":
		return "Abuse or neglect"
	case "self_harm_or_suicide":
		return "Self-harm or suicide"
	case "domestic_abuse":
		return "Domestic abuse"
	case "financial_abuse":
		return "Financial abuse"
	case "other":
		return "Other"
	}
	return c
}

// Limits on what is written about a concern.
const (
	maxConcernText = 10000
	maxActionText  = 5000
	maxOutcomeText = 5000
)

// ConcernInput is the contract's new concern.
type ConcernInput struct {
	Category    string `json:"category"`
	Level       string `json:"level"`
	Description string `json:"description"`
}

// Validate checks a concern, naming every field at fault.
func (in *ConcernInput) Validate() error {
	f := map[string]string{}
	in.Category, in.Level, in.Description = strings.TrimSpace(in.Category), strings.TrimSpace(in.Level), strings.TrimSpace(in.Description)
	if !slices.Contains(ConcernCategories, in.Category) {
		f["category"] = "Category must be one of " + strings.Join(ConcernCategories, ", ") + "."
	}
	if !slices.Contains(ConcernLevels, in.Level) {
		f["level"] = "Level must be one of " + strings.Join(ConcernLevels, ", ") + "."
	}
	if in.Description == "" {
		f["description"] = "Say what you saw or heard, and when."
	} else {
		fieldText(f, "description", in.Description, maxConcernText, true)
	}
	return oikos.Invalid(f)
}

// ActionInput is an action on a concern: what was done, and optionally a
// new status; closing needs the outcome.
type ActionInput struct {
	Action  string `json:"action"`
	Status  string `json:"status,omitempty"`
	Outcome string `json:"outcome,omitempty"`
}

// Validate checks an action on a concern whose status is now current,
// naming every field at fault. An empty status keeps the current one;
// closing an open concern needs its outcome (an action on one already
// closed, a letter sent after, does not).
func (in *ActionInput) Validate(current string) error {
	f := map[string]string{}
	in.Action, in.Status, in.Outcome = strings.TrimSpace(in.Action), strings.TrimSpace(in.Status), strings.TrimSpace(in.Outcome)
	if in.Action == "" {
		f["action"] = "Say what was done."
	} else {
		fieldText(f, "action", in.Action, maxActionText, true)
	}
	if in.Status == "" {
		in.Status = current
	}
	switch in.Status {
	case ConcernClosed:
		if current != ConcernClosed && in.Outcome == "" {
			f["outcome"] = "Closing a concern needs its outcome: what was decided, and why."
		}
	case ConcernOpen:
	default:
		f["status"] = "Status must be open or closed."
	}
	fieldText(f, "outcome", in.Outcome, maxOutcomeText, true)
	return oikos.Invalid(f)
}

// RaiseFacts is what deciding who may raise a concern about a referral's
// person needs, gathered by the store.
type RaiseFacts struct {
	Referral auth.Object
	// MatchedVolunteers are the volunteers actively matched to the person
	// on this referral; ConnectedOrganisations the provider organisations
	// of services it has connected them to.
	MatchedVolunteers      []string
	ConnectedOrganisations []string
}

// MayRaise says whether p may raise a concern about a referral's person:
// anyone who works with them. That is their link worker (or any link
// worker who may see the referral, as one in triage who spoke to them), a
// manager of the scheme, a volunteer matched to them, or a provider of a
// service they are connected to.
func MayRaise(p *auth.Principal, f RaiseFacts) bool {
	if p == nil {
		return false
	}
	switch p.Role {
	case auth.Manager, auth.LinkWorker:
		return auth.Can(p, auth.ReadAction, f.Referral)
	case auth.Volunteer:
		return p.SchemeID == f.Referral.SchemeID && slices.Contains(f.MatchedVolunteers, p.UserID)
	case auth.Provider:
		return p.OrganisationID != "" && slices.Contains(f.ConnectedOrganisations, p.OrganisationID)
	}
	return false
}

// MayClose says whether p may close (or reopen) a concern they may act
// on: a scheme manager, who keeps the log. A link worker records actions.
func MayClose(p *auth.Principal) bool { return p != nil && p.Role == auth.Manager }

// MinutesBetween is the whole minutes from a to b, rounded down.
func MinutesBetween(a, b time.Time) int64 { return int64(b.Sub(a) / time.Minute) }

// ConcernAction is one thing done about a concern.
type ConcernAction struct {
	Position int       `json:"position"`
	Action   string    `json:"action"`
	Status   string    `json:"status"`
	Outcome  string    `json:"outcome,omitempty"`
	By       string    `json:"by"`
	ByName   string    `json:"by_name"`
	At       time.Time `json:"at"`
}

// Concern is a safeguarding concern as the contract shows it. Whoever
// raised it and may not act on it sees it without its actions and
// outcome: enough to know it was taken up.
type Concern struct {
	ID           string    `json:"id"`
	ReferralID   string    `json:"referral_id"`
	Reference    string    `json:"reference"`
	SchemeID     string    `json:"scheme_id"`
	Category     string    `json:"category"`
	Level        string    `json:"level"`
	Description  string    `json:"description"`
	Status       string    `json:"status"`
	RaisedBy     string    `json:"raised_by"`
	RaisedByName string    `json:"raised_by_name"`
	RaisedByRole string    `json:"raised_by_role"`
	RaisedAt     time.Time `json:"raised_at"`
	// FirstActionAt is when the first action was recorded, and
	// MinutesToFirstAction how long after raising that was.
	FirstActionAt        *time.Time      `json:"first_action_at"`
	MinutesToFirstAction *int64          `json:"minutes_to_first_action"`
	ClosedAt             *time.Time      `json:"closed_at"`
	ClosedBy             string          `json:"closed_by,omitempty"`
	Outcome              string          `json:"outcome,omitempty"`
	Actions              []ConcernAction `json:"actions,omitempty"`
	// Acknowledged says whether the caller has acknowledged it (for an
	// immediate-level concern, which stands at the top of their pages
	// until they do).
	Acknowledged bool `json:"acknowledged"`
}
