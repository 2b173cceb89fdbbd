package casefile

import (
	"context"
	"database/sql"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/casework"
	"oikos/internal/connection"
	"oikos/internal/referral"
)

// ActionPrint is the audit action of printing the plan, beside the reads
// it makes: who printed whose plan, and when, is found in the log.
const ActionPrint = "print"

// PrintedPlan is what the printed plan holds: the person's own plan and
// nothing more of their record (no notes, needs, contacts or measures).
type PrintedPlan struct {
	Referral referral.Referral
	// WhatMatters is what the person said matters to them, at the latest
	// what-matters conversation; "" before one is held.
	WhatMatters string
	Plan        casework.Plan
	// Connections are the activities the person was connected to, oldest
	// first.
	Connections []connection.Connection
}

// printed reads one referral's printed plan in tx, and adds the audit
// entries of the reads and of the printing to events.
func (r *Reader) printed(ctx context.Context, tx *sql.Tx, by oikos.Actor, ref referral.Referral, events *[]audit.Event) (PrintedPlan, error) {
	pp := PrintedPlan{Referral: ref}
	conversations, err := casework.ReadConversations(ctx, tx, ref.ID)
	if err != nil {
		return pp, err
	}
	if len(conversations) > 0 {
		pp.WhatMatters = conversations[0].WhatMatters
	}
	if pp.Plan, err = casework.ReadPlan(ctx, tx, ref.ID); err != nil {
		return pp, err
	}
	if pp.Connections, err = connection.ReadForReferral(ctx, tx, ref.ID); err != nil {
		return pp, err
	}
	printing := r.read(by, casework.KindPlan, ref.ID)
	printing.Action = ActionPrint
	*events = append(*events, r.read(by, "referral", ref.ID), r.read(by, casework.KindConversations, ref.ID),
		r.read(by, casework.KindPlan, ref.ID), r.read(by, connection.AuditKind, ref.ID), printing)
	return pp, nil
}

// PrintPlan reads referral id's plan for a caseworker p to print and give
// the person, or not-found when p is not a caseworker who may read it. The
// reads and the printing are audited in one batch.
func (r *Reader) PrintPlan(ctx context.Context, p *auth.Principal, by oikos.Actor, id string) (PrintedPlan, error) {
	var pp PrintedPlan
	var events []audit.Event
	err := r.DB.ReadTx(ctx, func(tx *sql.Tx) error {
		ref, err := referral.Read(ctx, tx, id)
		if err != nil {
			return err
		}
		if !auth.Caseworker(p) || !auth.Can(p, auth.ReadAction, Object(ref)) {
			return oikos.NotFound("Referral")
		}
		pp, err = r.printed(ctx, tx, by, ref, &events)
		return err
	})
	if err != nil {
		return PrintedPlan{}, err
	}
	return pp, r.record(ctx, events)
}

// PrintOwnPlans reads the plans of the person personID's open referrals
// (newest first) for them to print: a closed referral's plan is over. The
// reads and the printing are audited in one batch, with the person as by.
func (r *Reader) PrintOwnPlans(ctx context.Context, by oikos.Actor, personID string) ([]PrintedPlan, error) {
	out := []PrintedPlan{}
	var events []audit.Event
	err := r.DB.ReadTx(ctx, func(tx *sql.Tx) error {
		refs, err := referral.ReadPersonReferrals(ctx, tx, personID)
		if err != nil {
			return err
		}
		for _, ref := range refs {
			if ref.Status == referral.Closed {
				continue
			}
			pp, err := r.printed(ctx, tx, by, ref, &events)
			if err != nil {
				return err
			}
			out = append(out, pp)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, r.record(ctx, events)
}
