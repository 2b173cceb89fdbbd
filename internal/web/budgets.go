package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"oikos"
	"oikos/internal/budget"
	"oikos/internal/referral"
	"oikos/internal/web/httpx"
)

// Personal budgets: the link worker sets a person's allowance and records
// what is bought with it on the budget page; a manager approves or refuses
// purchases above the scheme's threshold; finance downloads the ledger.
// Who may see and do what is the budget store's (auth.Can on the budget's
// referral), so these handlers only read forms and render.

// API.

func (s *Server) apiGetBudget(w http.ResponseWriter, r *http.Request) {
	b, err := s.app.Budgets.Get(r.Context(), httpx.Principal(r), httpx.Actor(r), r.PathValue("id"))
	s.reply(w, r, http.StatusOK, b, err)
}

func (s *Server) apiPutBudget(w http.ResponseWriter, r *http.Request) {
	httpx.Handle(w, r, http.StatusOK, s.apiError, func(in budget.AllowanceInput) (budget.Budget, error) {
		return s.app.Budgets.SetAllowance(r.Context(), httpx.Principal(r), httpx.Actor(r), r.PathValue("id"), in)
	})
}

func (s *Server) apiBudgetPurchase(w http.ResponseWriter, r *http.Request) {
	httpx.Handle(w, r, http.StatusCreated, s.apiError, func(in budget.PurchaseInput) (budget.PurchaseResult, error) {
		return s.app.Budgets.Purchase(r.Context(), httpx.Principal(r), httpx.Actor(r), r.PathValue("id"), in)
	})
}

func (s *Server) apiBudgetDecision(w http.ResponseWriter, r *http.Request) {
	httpx.Handle(w, r, http.StatusOK, s.apiError, func(in budget.DecisionInput) (budget.Entry, error) {
		return s.app.Budgets.Decide(r.Context(), httpx.Principal(r), httpx.Actor(r), r.PathValue("id"), in)
	})
}

func (s *Server) apiBudgetReversal(w http.ResponseWriter, r *http.Request) {
	httpx.Handle(w, r, http.StatusCreated, s.apiError, func(in budget.ReversalInput) (budget.Entry, error) {
		return s.app.Budgets.Reverse(r.Context(), httpx.Principal(r), httpx.Actor(r), r.PathValue("id"), in)
	})
}

// apiBudgetApprovals lists the purchases waiting for the manager.
func (s *Server) apiBudgetApprovals(w http.ResponseWriter, r *http.Request) {
	items, err := s.app.Budgets.AwaitingApproval(r.Context(), httpx.Principal(r), httpx.Actor(r))
	s.reply(w, r, http.StatusOK, httpx.NewList(items, len(items), ""), err)
}

// apiBudgetLedger answers the finance ledger as JSON pages, or the whole
// period as CSV with format=csv.
func (s *Server) apiBudgetLedger(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("format") == "csv" {
		s.ledgerCSV(w, r)
		return
	}
	limit := 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			s.apiError(w, r, oikos.Invalid(map[string]string{"limit": "Limit must be a whole number from 1 to 500."}))
			return
		}
		limit = n
	}
	page, err := s.app.Budgets.Ledger(r.Context(), httpx.Principal(r), httpx.Actor(r), budget.LedgerQuery{From: q.Get("from"), To: q.Get("to"),
		Cursor: q.Get("cursor"), Limit: limit})
	s.reply(w, r, http.StatusOK, page, err)
}

// csvStart sets a CSV download's headers on its first byte, so that an
// error before it can still be answered as an error.
type csvStart struct {
	w       http.ResponseWriter
	name    string
	started bool
}

func (c *csvStart) Write(p []byte) (int, error) {
	if !c.started {
		c.started = true
		c.w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		c.w.Header().Set("Content-Disposition", `attachment; filename="`+c.name+`"`)
		c.w.WriteHeader(http.StatusOK)
	}
	return c.w.Write(p)
}

// ledgerCSV streams the finance ledger of a period (from, to) as CSV.
func (s *Server) ledgerCSV(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	name := "oikos-budget-ledger.csv"
	if from, to := q.Get("from"), q.Get("to"); from != "" || to != "" {
		name = fmt.Sprintf("oikos-budget-ledger-%s-to-%s.csv", safeName(from), safeName(to))
	}
	out := &csvStart{w: w, name: name}
	err := s.app.Budgets.WriteLedgerCSV(r.Context(), httpx.Principal(r), httpx.Actor(r), q.Get("from"), q.Get("to"), out)
	switch {
	case err == nil && !out.started:
		out.Write(nil) // an empty ledger is still a file
	case err != nil && !out.started:
		if isAPI(r.URL.Path) {
			s.apiError(w, r, err)
		} else {
			s.pageError(w, r, err)
		}
	case err != nil:
		// Cut short: the status is sent; the log says why.
		s.log.Error("ledger CSV cut short", "err", err)
	}
}

// safeName keeps the digits and dashes of a date for a file name.
func safeName(s string) string {
	return strings.Map(func(c rune) rune {
		if c >= '0' && c <= '9' || c == '-' {
			return c
		}
		return -1
	}, s)
}

// Pages.

// budgetPage is a person's budget as their link worker works with it.
type budgetPage struct {
	Referral referral.Referral
	Budget   budget.Budget
	// Open is whether the referral is open: a closed one's budget can
	// only be read, and reversed for a refund.
	Open bool
	// Services are the directory services the person is connected to,
	// to buy from.
	Services []option
	Date     dateField
	// Threshold is the scheme's approval threshold, in words.
	Threshold string
}

func (s *Server) budgetPageOf(w http.ResponseWriter, r *http.Request) {
	ref, err := s.caseReferral(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	form := url.Values{}
	todayParts(form, "date")
	notice := map[string]string{"allowance": "The allowance is saved.", "approved": "The purchase is recorded.",
		"awaiting_approval": "The purchase is recorded. It is above the approval threshold, so a manager will approve or refuse it.",
		"reversal":          "The reversal is recorded and the money is back in the budget."}[r.URL.Query().Get("done")]
	s.renderBudget(w, r, ref, &page{Form: form, Notice: notice}, http.StatusOK)
}

func (s *Server) renderBudget(w http.ResponseWriter, r *http.Request, ref referral.Referral, pg *page, status int) {
	b, err := s.app.Budgets.Get(r.Context(), httpx.Principal(r), httpx.Actor(r), ref.ID)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	services := []option{{Value: "", Label: "None: a supplier named below"}}
	if ref.Status != referral.Closed {
		conns, err := s.conns.ForReferral(r.Context(), httpx.Actor(r), ref.ID)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		seen := map[string]bool{}
		for _, c := range conns {
			if !seen[c.ServiceID] {
				seen[c.ServiceID] = true
				services = append(services, option{Value: c.ServiceID, Label: c.ServiceName})
			}
		}
	}
	if pg.Form.Get("allowance") == "" && pg.Errors == nil && b.AllowancePence > 0 {
		pg.Form.Set("allowance", strings.TrimPrefix(budget.Pounds(b.AllowancePence), "£"))
		pg.Form.Set("purpose", b.Purpose)
	}
	pg.Title = "Personal budget"
	pg.Data = budgetPage{Referral: ref, Budget: b, Open: ref.Status != referral.Closed, Services: services,
		Date: newDateField(pg, "date", "Date of the purchase", "For example, 15 3 2026"), Threshold: budget.Pounds(b.ApprovalThresholdPence)}
	s.render(w, r, status, "budget", pg)
}

// budgetFieldNames gives the budget store's fields the boxes that hold them.
func budgetFieldNames(k string) string {
	return cmpOr(map[string]string{"allowance_pence": "allowance", "amount_pence": "amount", "date": "date-day"}[k], k)
}

// poundsField reads a box of pounds into pence, noting a problem against
// the box; nil when it is empty or wrong.
func poundsField(f url.Values, name string, problems map[string]string) *int64 {
	v := strings.TrimSpace(f.Get(name))
	if v == "" {
		return nil
	}
	p, ok := budget.ParsePounds(v)
	if !ok {
		problems[name] = "Enter an amount in pounds, like 45 or 12.50."
		return nil
	}
	return &p
}

// withRules adds the rules' problems (err, from a pure check of the same
// input) to the form's own, so that a person sees them all at once; a box
// the form already found wrong keeps the form's message.
func withRules(problems map[string]string, err error, rename func(string) string) error {
	var e *oikos.Error
	if errors.As(err, &e) {
		for k, v := range e.Fields {
			if _, ok := problems[rename(k)]; !ok {
				problems[rename(k)] = v
			}
		}
	}
	return oikos.Invalid(problems)
}

// budgetFormError shows the budget page again with the problems of a form.
func (s *Server) budgetFormError(w http.ResponseWriter, r *http.Request, ref referral.Referral, err error, order ...string) {
	var e *oikos.Error
	if !errors.As(err, &e) || e.Code == oikos.ENOTFOUND {
		s.pageError(w, r, err)
		return
	}
	err = renameFields(err, budgetFieldNames)
	errors.As(err, &e)
	pg := &page{Form: r.PostForm, Errors: map[string]string{}}
	for k, v := range e.Fields {
		pg.Errors[k] = v
	}
	if len(pg.Errors) == 0 {
		pg.Errors[order[0]] = e.Message
	}
	pg.ErrorOrder = fieldOrder(pg.Errors, order...)
	s.renderBudget(w, r, ref, pg, httpx.StatusFor(e.Code))
}

func (s *Server) budgetAllowance(w http.ResponseWriter, r *http.Request) {
	ref, ok := s.openCase(w, r)
	if !ok || !s.readForm(w, r) {
		return
	}
	problems := map[string]string{}
	in := budget.AllowanceInput{AllowancePence: poundsField(r.PostForm, "allowance", problems), Purpose: r.PostForm.Get("purpose")}
	required(r.PostForm, "allowance", problems, "Enter the allowance in pounds, like 150.")
	var err error
	if len(problems) > 0 {
		check := in
		if check.AllowancePence == nil {
			check.AllowancePence = new(int64)
			*check.AllowancePence = 1
		}
		err = withRules(problems, budget.CheckAllowance(&check, budget.Totals{}), budgetFieldNames)
	} else {
		_, err = s.app.Budgets.SetAllowance(r.Context(), httpx.Principal(r), httpx.Actor(r), ref.ID, in)
	}
	if err != nil {
		s.budgetFormError(w, r, ref, err, "allowance", "purpose")
		return
	}
	http.Redirect(w, r, "/referrals/"+ref.ID+"/budget?done=allowance", http.StatusSeeOther)
}

func (s *Server) budgetPurchase(w http.ResponseWriter, r *http.Request) {
	ref, ok := s.openCase(w, r)
	if !ok || !s.readForm(w, r) {
		return
	}
	f := r.PostForm
	problems := map[string]string{}
	in := budget.PurchaseInput{ServiceID: f.Get("service_id"), Supplier: f.Get("supplier"), Description: f.Get("description"),
		AmountPence: poundsField(f, "amount", problems), Date: dateParts(f, "date")}
	if in.Date == "invalid" {
		problems["date-day"] = "Enter the date of the purchase as a real date, like 15 3 2026."
	}
	required(f, "amount", problems, "Enter what it cost, in pounds.")
	var res budget.PurchaseResult
	var err error
	if len(problems) > 0 {
		check := in
		if check.Date == "invalid" {
			check.Date = ""
		}
		err = withRules(problems, budget.CheckPurchase(&check, time.Now()), budgetFieldNames)
	} else {
		res, err = s.app.Budgets.Purchase(r.Context(), httpx.Principal(r), httpx.Actor(r), ref.ID, in)
	}
	if err != nil {
		s.budgetFormError(w, r, ref, err, "service_id", "supplier", "description", "amount", "date-day")
		return
	}
	http.Redirect(w, r, "/referrals/"+ref.ID+"/budget?done="+res.Status+"#ledger", http.StatusSeeOther)
}

func (s *Server) budgetReversal(w http.ResponseWriter, r *http.Request) {
	ref, err := s.caseReferral(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if !s.readForm(w, r) {
		return
	}
	entry := r.PathValue("entry")
	_, err = s.app.Budgets.Reverse(r.Context(), httpx.Principal(r), httpx.Actor(r), entry, budget.ReversalInput{Reason: r.PostForm.Get("reason"), ReferralID: ref.ID})
	if err != nil {
		// Each purchase has its own reason box.
		err = renameFields(err, func(k string) string { return k + "-" + entry })
		s.budgetFormError(w, r, ref, err, "reason-"+entry)
		return
	}
	http.Redirect(w, r, "/referrals/"+ref.ID+"/budget?done=reversal#ledger", http.StatusSeeOther)
}

// The scheme's approval threshold.

func (s *Server) apiGetBudgetSettings(w http.ResponseWriter, r *http.Request) {
	out, err := s.app.Budgets.SchemeSettings(r.Context(), httpx.Principal(r), r.PathValue("id"))
	s.reply(w, r, http.StatusOK, out, err)
}

func (s *Server) apiPutBudgetSettings(w http.ResponseWriter, r *http.Request) {
	httpx.Handle(w, r, http.StatusOK, s.apiError, func(in budget.SettingsInput) (budget.Settings, error) {
		return s.app.Budgets.SetSchemeSettings(r.Context(), httpx.Principal(r), httpx.Actor(r), r.PathValue("id"), in)
	})
}

// budgetSettings saves the threshold from the budgets page.
func (s *Server) budgetSettings(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	problems := map[string]string{}
	in := budget.SettingsInput{ApprovalThresholdPence: poundsField(r.PostForm, "threshold", problems)}
	required(r.PostForm, "threshold", problems, "Enter the threshold in pounds, like 50.")
	var err error
	if len(problems) > 0 {
		err = oikos.Invalid(problems)
	} else {
		_, err = s.app.Budgets.SetSchemeSettings(r.Context(), httpx.Principal(r), httpx.Actor(r), httpx.Principal(r).SchemeID, in)
	}
	var e *oikos.Error
	if errors.As(err, &e) && e.Code != oikos.ENOTFOUND {
		err = renameFields(err, func(string) string { return "threshold" })
		errors.As(err, &e)
		s.renderApprovals(w, r, &page{Form: r.PostForm, Errors: e.Fields, ErrorOrder: []string{"threshold"}}, httpx.StatusFor(e.Code))
		return
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/budgets?done=threshold", http.StatusSeeOther)
}

// approvalsPage is the manager's queue of purchases to decide, and the
// finance ledger's download.
type approvalsPage struct {
	Waiting []budget.Waiting
	// Downloads are the ledger's periods finance usually asks for, as
	// links to the CSV.
	Downloads []option
	// Settings hold the scheme's approval threshold.
	Settings budget.Settings
}

func (s *Server) budgetApprovals(w http.ResponseWriter, r *http.Request) {
	notice := map[string]string{"approved": "The purchase is approved.", "refused": "The purchase is refused.",
		"threshold": "The approval threshold is saved."}[r.URL.Query().Get("done")]
	s.renderApprovals(w, r, &page{Notice: notice}, http.StatusOK)
}

func (s *Server) renderApprovals(w http.ResponseWriter, r *http.Request, pg *page, status int) {
	p := httpx.Principal(r)
	items, err := s.app.Budgets.AwaitingApproval(r.Context(), p, httpx.Actor(r))
	var settings budget.Settings
	if err == nil {
		settings, err = s.app.Budgets.SchemeSettings(r.Context(), p, p.SchemeID)
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if pg.Form == nil {
		pg.Form = url.Values{"threshold": {strings.TrimPrefix(budget.Pounds(settings.ApprovalThresholdPence), "£")}}
	}
	pg.Title = "Personal budgets"
	today := ukToday()
	t, _ := time.Parse(time.DateOnly, today)
	month := t.Format("2006-01") + "-01"
	last := t.AddDate(0, -1, -t.Day()+1)
	yearStart := t.AddDate(0, -11, -t.Day()+1)
	pg.Data = approvalsPage{Waiting: items, Settings: settings, Downloads: []option{
		{Value: "/budgets/ledger.csv?from=" + month + "&to=" + today, Label: "This month so far"},
		{Value: "/budgets/ledger.csv?from=" + last.Format(time.DateOnly) + "&to=" + last.AddDate(0, 1, -1).Format(time.DateOnly), Label: "Last month"},
		{Value: "/budgets/ledger.csv?from=" + yearStart.Format(time.DateOnly) + "&to=" + today, Label: "The last 12 months"},
	}}
	s.render(w, r, status, "budgets", pg)
}

func (s *Server) budgetDecision(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	id := r.PathValue("id")
	in := budget.DecisionInput{Decision: r.PostForm.Get("decision"), Reason: r.PostForm.Get("reason")}
	_, err := s.app.Budgets.Decide(r.Context(), httpx.Principal(r), httpx.Actor(r), id, in)
	var e *oikos.Error
	if errors.As(err, &e) && e.Code != oikos.ENOTFOUND {
		err = renameFields(err, func(k string) string { return k + "-" + id })
		errors.As(err, &e)
		pg := &page{Form: r.PostForm, Errors: map[string]string{}}
		for k, v := range e.Fields {
			pg.Errors[k] = v
		}
		if len(pg.Errors) == 0 {
			pg.Errors["decision-"+id] = e.Message
		}
		pg.ErrorOrder = fieldOrder(pg.Errors, "decision-"+id, "reason-"+id)
		// The boxes of the other purchases stay empty.
		pg.Form = url.Values{"decision-" + id: {in.Decision}, "reason-" + id: {in.Reason}}
		s.renderApprovals(w, r, pg, httpx.StatusFor(e.Code))
		return
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/budgets?done="+in.Decision, http.StatusSeeOther)
}

// myBudgets are the person's budgets on their own pages.
func (s *Server) myBudgets(r *http.Request) ([]budget.Budget, error) {
	return s.app.Budgets.ForPerson(r.Context(), personActor(r), personOf(r))
}
