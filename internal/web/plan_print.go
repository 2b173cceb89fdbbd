package web

import (
	"context"
	"net/http"
	"time"

	"oikos/internal/casefile"
	"oikos/internal/web/httpx"
)

// The plan printed for the person: from the referral page by their link
// worker, or from their own pages by them. It holds their plan and nothing
// else of their record, in large type, without the site's header, menus
// and buttons on paper (app.css); reading it for printing is audited.

// printedPlanView is one plan as printed.
type printedPlanView struct {
	Name, Reference, PrintedOn string
	WhatMatters                []string
	Goals                      []myGoal
	Activities                 []myActivity
	// reach is who their link worker is and how to reach them (reachOf).
	reach
}

type planPrintPage struct {
	Plans []printedPlanView
	// Back is the referral's page, for a link worker.
	Back string
}

// newPrintedPlan shapes a plan for printing, as the person reads it.
func (s *Server) newPrintedPlan(ctx context.Context, pp casefile.PrintedPlan) (printedPlanView, error) {
	ref := pp.Referral
	services, err := s.activityServices(ctx, pp.Connections, ukToday())
	if err != nil {
		return printedPlanView{}, err
	}
	v := printedPlanView{Name: ref.Person.GivenName + " " + ref.Person.FamilyName, Reference: ref.Reference, PrintedOn: dayOf(time.Now()),
		WhatMatters: paragraphs(pp.WhatMatters), Goals: planGoals(pp.Plan.Goals), Activities: newActivities(pp.Connections, services, ukToday())}
	v.reach = s.reachOf(ctx, ref)
	return v, nil
}

// planPrint is the printable plan of a referral, for its caseworkers.
func (s *Server) planPrint(w http.ResponseWriter, r *http.Request) {
	pp, err := s.files.PrintPlan(r.Context(), httpx.Principal(r), httpx.Actor(r), r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v, err := s.newPrintedPlan(r.Context(), pp)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "plan_print", &page{Title: "Plan for " + v.Name, Data: planPrintPage{
		Plans: []printedPlanView{v}, Back: "/referrals/" + pp.Referral.ID}})
}

// myPrint is the person's own plans, printable.
func (s *Server) myPrint(w http.ResponseWriter, r *http.Request) {
	pps, err := s.files.PrintOwnPlans(r.Context(), personActor(r), personOf(r))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	plans := make([]printedPlanView, 0, len(pps))
	for _, pp := range pps {
		v, err := s.newPrintedPlan(r.Context(), pp)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		plans = append(plans, v)
	}
	s.render(w, r, http.StatusOK, "my_print", &page{Title: "Your plan to print", Data: planPrintPage{Plans: plans}})
}
