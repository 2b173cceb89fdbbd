package casework

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/db"
	"oikos/internal/outcome"
	"oikos/internal/referral"
	"oikos/internal/taxonomy"
)

// ConversationModes are the ways a what-matters conversation is held.
var ConversationModes = []string{"phone", "in_person", "video", "home_visit"}

// Priorities of a need: 1 is the most pressing for the person.
const (
	PriorityHigh = 1
	PriorityLow  = 3
)

// PriorityLabel is a need's priority in words.
func PriorityLabel(p int) string {
	switch p {
	case 1:
		return "High"
	case 2:
		return "Medium"
	case 3:
		return "Low"
	}
	return ""
}

// NeedInput is one need the person talked about, with how much it matters.
type NeedInput struct {
	Code     string `json:"code"`
	Priority int    `json:"priority"`
}

// BaselineInput is one measure completed during the conversation.
type BaselineInput struct {
	Instrument string    `json:"instrument"`
	Answers    []float64 `json:"answers"`
}

// ConversationInput is the contract's what-matters conversation, with the
// person's interests and any baseline measures.
type ConversationInput struct {
	HeldAt      string          `json:"held_at"`
	Mode        string          `json:"mode"`
	Needs       []NeedInput     `json:"needs"`
	Strengths   []string        `json:"strengths"`
	WhatMatters string          `json:"what_matters"`
	Interests   string          `json:"interests,omitempty"`
	Notes       string          `json:"notes,omitempty"`
	Baseline    []BaselineInput `json:"baseline,omitempty"`
}

// Need is a need as recorded, with its label and domain for showing.
type Need struct {
	Code     string          `json:"code"`
	Priority int             `json:"priority"`
	Label    string          `json:"label"`
	Domain   taxonomy.Domain `json:"domain"`
}

// Measure is a measure recorded as entered; scoring is the outcome
// package's business.
type Measure struct {
	ID         string `json:"id"`
	Instrument string `json:"instrument"`
	Timepoint  string `json:"timepoint"`
	Answers    []int  `json:"answers"`
}

// Conversation is a what-matters conversation as recorded.
type Conversation struct {
	ID          string    `json:"id"`
	ReferralID  string    `json:"referral_id"`
	HeldAt      string    `json:"held_at"`
	Mode        string    `json:"mode"`
	Needs       []Need    `json:"needs"`
	Strengths   []string  `json:"strengths"`
	WhatMatters string    `json:"what_matters"`
	Interests   string    `json:"interests"`
	Notes       string    `json:"notes"`
	By          string    `json:"by"`
	CreatedAt   time.Time `json:"created_at"`
	// Baseline holds the measures recorded with it, when it is created.
	Baseline []Measure `json:"baseline,omitempty"`
}

// Limits on a conversation.
const (
	maxStrengths    = 30
	maxStrengthText = 200
)

// HeldOn reads when a conversation was held: a date (2026-03-27), or a
// time as the contract writes times (RFC 3339, 2026-03-27T14:30:00Z) or
// as a UK local time (2026-03-27T14:30). A conversation is kept by its
// day, so a time becomes the day it was in the UK. It may not be in the
// future; msg says what is wrong, or is "".
func HeldOn(s string, now time.Time) (day, msg string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", "Enter the date of the conversation, like 2026-03-27."
	}
	t, msg := ParseWhen(s, now)
	if msg != "" {
		if strings.HasPrefix(msg, "Enter a real date") {
			msg = "Enter the date of the conversation, like 2026-03-27, or when it was held, like 2026-03-27T14:30:00Z."
		} else {
			msg = "The date of the conversation must be today or in the past."
		}
		return "", msg
	}
	if len(s) == len(time.DateOnly) {
		return s, ""
	}
	return t.In(ukTime).Format(time.DateOnly), ""
}

// Validate checks and tidies a conversation, naming every field at fault
// (needs[1].code, baseline[0].answers[2], ...). It returns the needs and
// baseline answers ready to store.
func (in *ConversationInput) Validate(now time.Time) ([]Need, []Measure, error) {
	f := map[string]string{}
	if day, msg := HeldOn(in.HeldAt, now); msg != "" {
		f["held_at"] = msg
	} else {
		in.HeldAt = day
	}
	if !slices.Contains(ConversationModes, in.Mode) {
		f["mode"] = "Choose how the conversation was held: phone, in person, video or home visit."
	}
	var needs []Need
	seen := map[string]bool{}
	for i, n := range in.Needs {
		name := fmt.Sprintf("needs[%d]", i)
		need, ok := taxonomy.NeedByCode(n.Code)
		switch {
		case !ok:
			f[name+".code"] = fmt.Sprintf("Unknown need %q: see /api/v1/needs for the codes.", truncate(n.Code, 40))
		case seen[n.Code]:
			f[name+".code"] = need.Label + " is listed twice."
		}
		seen[n.Code] = true
		if n.Priority < PriorityHigh || n.Priority > PriorityLow {
			f[name+".priority"] = "Priority must be 1 (high), 2 (medium) or 3 (low)."
		}
		needs = append(needs, Need{Code: n.Code, Priority: n.Priority, Label: need.Label, Domain: need.Domain})
	}
	var strengths []string
	for i, st := range in.Strengths {
		if st = strings.TrimSpace(st); st == "" {
			continue
		}
		text(f, fmt.Sprintf("strengths[%d]", i), "A strength", st, maxStrengthText, false)
		strengths = append(strengths, st)
	}
	if len(strengths) > maxStrengths {
		f["strengths"] = fmt.Sprintf("List up to %d strengths.", maxStrengths)
	}
	in.Strengths = strengths
	in.WhatMatters, in.Interests, in.Notes = strings.TrimSpace(in.WhatMatters), strings.TrimSpace(in.Interests), strings.TrimSpace(in.Notes)
	if in.WhatMatters == "" {
		f["what_matters"] = "Write what matters to the person, in their own words."
	} else {
		text(f, "what_matters", "What matters", in.WhatMatters, 5000, true)
	}
	text(f, "interests", "Interests", in.Interests, 2000, true)
	text(f, "notes", "Notes", in.Notes, 5000, true)
	var measures []Measure
	instruments := map[string]bool{}
	for i, b := range in.Baseline {
		name := fmt.Sprintf("baseline[%d]", i)
		answers, problems := outcome.CheckAnswers(b.Instrument, b.Answers)
		for k, v := range problems {
			f[name+"."+k] = v
		}
		if instruments[b.Instrument] && problems["instrument"] == "" {
			f[name+".instrument"] = "Each measure can be recorded once at baseline."
		}
		instruments[b.Instrument] = true
		measures = append(measures, Measure{Instrument: b.Instrument, Timepoint: outcome.Baseline, Answers: answers})
	}
	if err := oikos.Invalid(f); err != nil {
		return nil, nil, err
	}
	if needs == nil {
		needs = []Need{}
	}
	if in.Strengths == nil {
		in.Strengths = []string{}
	}
	return needs, measures, nil
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// storedNeed is a need as the conversations table keeps it: labels and
// domains come from the vocabulary when read, so they stay current.
type storedNeed struct {
	Code     string `json:"code"`
	Priority int    `json:"priority"`
}

// RecordConversation records a what-matters conversation and any baseline
// measures taken in it, in one transaction.
func (s *Store) RecordConversation(ctx context.Context, by referral.Actor, referralID string, in ConversationInput) (Conversation, error) {
	now := s.now()
	needs, measures, err := in.Validate(now)
	if err != nil {
		return Conversation{}, err
	}
	c := Conversation{ID: db.NewID("cnv"), ReferralID: referralID, HeldAt: in.HeldAt, Mode: in.Mode, Needs: needs, Strengths: in.Strengths,
		WhatMatters: in.WhatMatters, Interests: in.Interests, Notes: in.Notes, By: by.UserID, CreatedAt: now}
	stored := make([]storedNeed, len(needs))
	for i, n := range needs {
		stored[i] = storedNeed{n.Code, n.Priority}
	}
	needsJSON, _ := json.Marshal(stored)
	strengthsJSON, _ := json.Marshal(in.Strengths)
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.openReferral(ctx, tx, referralID, "conversations"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO conversations (id, referral_id, held_at, mode, what_matters, strengths, interests, notes, needs, by_user, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, c.ID, referralID, c.HeldAt, c.Mode, c.WhatMatters, string(strengthsJSON),
			c.Interests, c.Notes, string(needsJSON), by.UserID, db.Millis(now)); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, by, audit.Create, kindConversation, referralID); err != nil {
			return err
		}
		for i := range measures {
			m := &measures[i]
			m.ID = db.NewID("msr")
			// Stored as given, scored when first read (outcome.Store.List).
			err := outcome.Insert(ctx, tx, referralID, outcome.Measure{ID: m.ID, Instrument: m.Instrument, Timepoint: m.Timepoint,
				Answers: m.Answers, RecordedAt: now, By: by.UserID})
			if db.IsUniqueViolation(err) {
				// A baseline is taken once (migration 0020): a second
				// conversation that repeats it is told so, not a 500.
				return oikos.Invalid(map[string]string{fmt.Sprintf("baseline[%d].instrument", i): "A baseline of this measure is already recorded for this referral. Record a review instead."})
			} else if err != nil {
				return err
			}
		}
		if len(measures) > 0 {
			return s.audit(ctx, tx, by, audit.Create, kindMeasures, referralID)
		}
		return nil
	})
	if err != nil {
		return Conversation{}, err
	}
	c.Baseline = measures
	return c, nil
}

// Conversations lists a referral's what-matters conversations, newest
// first. The read is audited.
func (s *Store) Conversations(ctx context.Context, by referral.Actor, referralID string) ([]Conversation, error) {
	var out []Conversation
	err := s.read(ctx, by, referralID, kindConversation, func(tx *sql.Tx) (err error) {
		out, err = ReadConversations(ctx, tx, referralID)
		return err
	})
	return out, err
}

// ReadConversations is Conversations through q, unaudited: the caller
// audits the read (KindConversations).
func ReadConversations(ctx context.Context, q db.Querier, referralID string) ([]Conversation, error) {
	return queryAll(ctx, q, func(rows *sql.Rows) (Conversation, error) {
		return scanConversation(rows, referralID)
	}, `SELECT id, held_at, mode, what_matters, strengths, interests, notes, needs, by_user, created_at
		FROM conversations WHERE referral_id = $1 ORDER BY held_at DESC, created_at DESC, id`, referralID)
}

func scanConversation(rows *sql.Rows, referralID string) (Conversation, error) {
	c := Conversation{ReferralID: referralID, Strengths: []string{}, Needs: []Need{}}
	var strengths, needs string
	var created int64
	if err := rows.Scan(&c.ID, &c.HeldAt, &c.Mode, &c.WhatMatters, &strengths, &c.Interests, &c.Notes, &needs, &c.By, &created); err != nil {
		return c, err
	}
	c.CreatedAt = db.Time(created)
	var stored []storedNeed
	if err := json.Unmarshal([]byte(needs), &stored); err != nil {
		return c, fmt.Errorf("conversation %s needs: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(strengths), &c.Strengths); err != nil {
		return c, fmt.Errorf("conversation %s strengths: %w", c.ID, err)
	}
	if c.Strengths == nil {
		c.Strengths = []string{}
	}
	for _, n := range stored {
		need, _ := taxonomy.NeedByCode(n.Code)
		c.Needs = append(c.Needs, Need{Code: n.Code, Priority: n.Priority, Label: need.Label, Domain: need.Domain})
	}
	return c, nil
}
