package community

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"oikos"
	"oikos/internal/casework"
)

// A volunteer matched to a person sees only what the link worker chose to
// share: the person's first name always (they must know whom to meet),
// and, when shared, their contact details, what matters to them, and the
// steps of their plan given to a volunteer. The rules here are pure; the
// store reads what there is and lets these decide what is shown.

// Match statuses.
const (
	matchActive = "active"
	matchEnded  = "ended"
)

// Share is what the link worker shares with the volunteer.
type Share struct {
	ContactDetails bool `json:"contact_details"`
	WhatMatters    bool `json:"what_matters"`
	Plan           bool `json:"plan"`
}

// MatchInput is the contract's new match.
type MatchInput struct {
	VolunteerID string `json:"volunteer_id"`
	Share       Share  `json:"share"`
}

// Validate checks a new match's fields.
func (in *MatchInput) Validate() error {
	in.VolunteerID = strings.TrimSpace(in.VolunteerID)
	switch {
	case in.VolunteerID == "":
		return oikos.Invalid(map[string]string{"volunteer_id": "Choose the volunteer to match."})
	case !plainID(in.VolunteerID):
		return oikos.Invalid(map[string]string{"volunteer_id": "No volunteer of this scheme has that id."})
	}
	return nil
}

// PersonFacts is everything the store holds that a match might show.
type PersonFacts struct {
	GivenName, FamilyName, Phone, Email, Postcode string
	WhatMatters                                   string
	Plan                                          []casework.Goal
}

// SharedPerson is the person as their volunteer sees them: given_name,
// and only what was shared.
type SharedPerson struct {
	GivenName   string       `json:"given_name"`
	FamilyName  string       `json:"family_name,omitempty"`
	Phone       string       `json:"phone,omitempty"`
	Email       string       `json:"email,omitempty"`
	Postcode    string       `json:"postcode,omitempty"`
	WhatMatters string       `json:"what_matters,omitempty"`
	Plan        []SharedGoal `json:"plan,omitempty"`
}

// SharedGoal is a goal of the person's plan with the steps given to a
// volunteer.
type SharedGoal struct {
	GoalID string       `json:"goal_id"`
	Goal   string       `json:"goal"`
	Steps  []SharedStep `json:"steps"`
}

// SharedStep is one step of the plan a volunteer does.
type SharedStep struct {
	ID       string `json:"id"`
	Text     string `json:"text"`
	Due      string `json:"due,omitempty"`
	Done     bool   `json:"done"`
	Progress int    `json:"progress"`
}

// SharePerson is what a match shows of the person: their first name, and
// what share allows. Contact details are the family name, phone, email
// and postcode; the plan is the steps whose owner is a volunteer (with
// their goals), and nothing when no step is.
func SharePerson(share Share, f PersonFacts) SharedPerson {
	out := SharedPerson{GivenName: f.GivenName}
	if share.ContactDetails {
		out.FamilyName, out.Phone, out.Email, out.Postcode = f.FamilyName, f.Phone, f.Email, f.Postcode
	}
	if share.WhatMatters {
		out.WhatMatters = f.WhatMatters
	}
	if share.Plan {
		out.Plan = VolunteerSteps(f.Plan)
	}
	return out
}

// VolunteerSteps keeps, of a plan, the steps a volunteer owns, under
// their goals; goals with none are left out.
func VolunteerSteps(goals []casework.Goal) []SharedGoal {
	var out []SharedGoal
	for _, g := range goals {
		var steps []SharedStep
		for _, st := range g.Steps {
			if st.Owner == casework.OwnerVolunteer {
				steps = append(steps, SharedStep{ID: st.ID, Text: st.Text, Due: st.Due, Done: st.Done, Progress: st.Progress})
			}
		}
		if len(steps) > 0 {
			out = append(out, SharedGoal{GoalID: g.ID, Goal: g.Text, Steps: steps})
		}
	}
	return out
}

// ContactInput is a contact the volunteer logs.
type ContactInput struct {
	Date    string `json:"date"`
	Minutes int    `json:"minutes"`
	Mode    string `json:"mode"`
	Note    string `json:"note,omitempty"`
}

// VolunteerContactModes are the ways a volunteer is in touch with a person.
var VolunteerContactModes = []string{"in_person", "home_visit", "phone", "video", "message"}

// Limits on a contact.
const (
	maxContactMinutes = 12 * 60 // a whole day out together, no more
	maxContactNote    = 2000
	maxEndReason      = 500
)

// Validate checks a contact as of today, on a match that started on
// startedOn (dates YYYY-MM-DD): on or after the match began, not in the
// future, 1 to 720 minutes, a known mode.
func (in *ContactInput) Validate(startedOn, today string) error {
	f := map[string]string{}
	in.Date, in.Mode, in.Note = strings.TrimSpace(in.Date), strings.TrimSpace(in.Mode), strings.TrimSpace(in.Note)
	if _, ok := parseDay(in.Date); !ok {
		f["date"] = "Enter the date of the contact as YYYY-MM-DD, for example 2026-03-05."
	} else if in.Date > today {
		f["date"] = "The date of the contact cannot be in the future."
	} else if in.Date < startedOn {
		f["date"] = fmt.Sprintf("The date cannot be before the match began, on %s.", startedOn)
	}
	if in.Minutes < 1 || in.Minutes > maxContactMinutes {
		f["minutes"] = fmt.Sprintf("Minutes must be a whole number from 1 to %d.", maxContactMinutes)
	}
	if !slices.Contains(VolunteerContactModes, in.Mode) {
		f["mode"] = "Mode must be one of " + strings.Join(VolunteerContactModes, ", ") + "."
	}
	fieldText(f, "note", in.Note, maxContactNote, true)
	return oikos.Invalid(f)
}

// EndInput ends a match, saying why.
type EndInput struct {
	Reason string `json:"reason"`
}

// Validate checks the reason for ending.
func (in *EndInput) Validate() error {
	f := map[string]string{}
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Reason == "" {
		f["reason"] = "Say why the match is ending."
	} else {
		fieldText(f, "reason", in.Reason, maxEndReason, true)
	}
	return oikos.Invalid(f)
}

// MatchContact is one contact logged on a match.
type MatchContact struct {
	ID        string    `json:"id"`
	Date      string    `json:"date"`
	Minutes   int       `json:"minutes"`
	Mode      string    `json:"mode"`
	Note      string    `json:"note"`
	CreatedAt time.Time `json:"created_at"`
}

// Match is the contract's volunteer match: what the volunteer sees of the
// person (to staff as to the volunteer, so that a link worker sees what
// they shared), the contacts logged, and the match's course.
type Match struct {
	ID            string         `json:"id"`
	Status        string         `json:"status"`
	Person        SharedPerson   `json:"person"`
	VolunteerID   string         `json:"volunteer_id"`
	VolunteerName string         `json:"volunteer_name"`
	ReferralID    string         `json:"referral_id"`
	Share         Share          `json:"share"`
	StartedOn     string         `json:"started_on"`
	EndedOn       *string        `json:"ended_on"`
	EndReason     string         `json:"end_reason,omitempty"`
	Contacts      []MatchContact `json:"contacts"`
	Hours         float64        `json:"hours"`
	CreatedAt     time.Time      `json:"created_at"`
}
