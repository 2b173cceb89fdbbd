package web

import (
	"fmt"
	"reflect"
	"time"

	"oikos/internal/auth"
	"oikos/internal/budget"
	"oikos/internal/connection"
	"oikos/internal/directory"
	"oikos/internal/fhir"
	"oikos/internal/org"
	"oikos/internal/referral"
)

// pageData names the type of each page template's data (page.Data): one
// struct a page, nil for a page that shows none. render refuses data of
// another type, and TestEveryTemplateRenders renders each template with
// its type, so a field a template asks for and the data lacks fails the
// build or a test, never a person's visit.
var pageData = map[string]any{
	"about":                 nil,
	"account":               accountPage{},
	"answer":                detailView{},
	"answer_done":           answerDonePage{},
	"answer_gone":           answerGonePage{},
	"budget":                budgetPage{},
	"budgets":               approvalsPage{},
	"caseload":              caseloadPage{},
	"champion":              championPage{},
	"concern":               concernPage{},
	"concern_form":          concernForm{},
	"concerns":              concernsPage{},
	"connections":           queuePage{},
	"connections_detail":    detailView{},
	"connections_new":       connectPage{},
	"contact_form":          contactForm{},
	"conversation_form":     conversationForm{},
	"coverage":              coverageView{},
	"coverage_unmet":        unmetView{},
	"directory":             &searchPage{},
	"engagement":            engagementView{},
	"enrol":                 &enrolData{},
	"error":                 errorPage{},
	"gp_summary":            gpSummaryPage{},
	"grant_application":     applicationPage{},
	"grant_apply":           applyForm{},
	"grant_round":           roundPage{},
	"grant_round_form":      roundForm{},
	"grants":                grantsPage{},
	"grants_report":         grantsReportPage{},
	"group_register":        registerForm{},
	"group_register_done":   registeredPage{},
	"group_registrations":   registrationsPage{},
	"home":                  homePage{},
	"home_public":           nil,
	"manage_services":       managePage{},
	"measure_form":          measureFormPage{},
	"measures":              measuresView{},
	"my_code_print":         codePrintPage{},
	"my_export":             exportPage{},
	"my_link":               myLinkPage{},
	"my_link_sent":          linkSentPage{},
	"my_measure_form":       myMeasurePage{},
	"my_plan":               myPlanPage{},
	"my_plan_form":          myPlanFormPage{},
	"my_print":              planPrintPage{},
	"my_progress":           progressView{},
	"my_record":             myRecordPage{},
	"my_reminders":          myRemindersView{},
	"my_sign_in":            nil,
	"org_form":              orgFormPage{},
	"orgs":                  orgsPage{},
	"people":                peoplePage{},
	"person":                personPage{},
	"person_form":           personForm{},
	"person_erasure":        requestTarget{},
	"person_export":         exportPage{},
	"person_restriction":    requestTarget{},
	"plan_print":            planPrintPage{},
	"plan_form":             planForm{},
	"professional_referral": referFormPage{},
	"recovery_codes":        recoveryCodesPage{},
	"referral_close":        closePage{},
	"referral":              referralPage{},
	"referrals_sent":        sentPage{},
	"reminders":             reminderView{},
	"reports":               summaryView{},
	"self_referral":         selfReferralPage{},
	"self_referral_done":    referenceGivenPage{},
	"service":               servicePage{},
	"service_form":          &serviceForm{},
	"setup":                 setupPage{},
	"sign_in":               nil,
	"sign_in_code":          nil,
	"suggestions":           suggestionsView{},
	"triage":                triagePage{},
	"user_form":             userFormPage{},
	"users":                 usersPage{},
	"volunteer_details":     ownDetailsForm{},
	"volunteer_form":        volunteerForm{},
	"volunteer_match":       matchPage{},
	"volunteer_suggestions": volunteerSuggestionsPage{},
	"volunteering":          volunteeringPage{},
	"volunteering_report":   volunteeringView{},
	"volunteers":            volunteersPage{},
}

// checkPageData refuses data of another type than the template's. A page
// shown again with its problems (a refused form) may leave its data out.
func checkPageData(name string, data any) error {
	want, ok := pageData[name]
	if !ok {
		return fmt.Errorf("template %s has no page data type in pageData", name)
	}
	if data == nil {
		return nil
	}
	if reflect.TypeOf(data) != reflect.TypeOf(want) {
		return fmt.Errorf("template %s shows %T, not %T", name, want, data)
	}
	return nil
}

// The pages' own data, for those whose handlers build it in place.

type errorPage struct{ Message string }

// referenceGivenPage thanks whoever sent a referral, with its reference.
type referenceGivenPage struct {
	Reference string
	// ContactBy is how the link worker will get in touch, from what was
	// given: "phone", "email" or "phone or email".
	ContactBy string
}

type selfReferralPage struct{ Needs []option }

type referFormPage struct{ Needs, Sources []option }

type triagePage struct {
	// Waiting is one page of the queue: the First to the Last (from 1)
	// of Total, page Page.
	Waiting            []waitingView
	Total, First, Last int
	Page               int
	PrevURL, NextURL   string
	// Overdue is how many of all waiting have waited too long.
	Overdue int
	// Mine are the caller's first open referrals, of MineTotal.
	Mine      []referral.Referral
	MineTotal int
}

type referralPage struct {
	Referral referral.Referral
	Reasons  []string
	// ReasonLines are the referrer's own words for why (a GP's reason
	// text that mapped to no need), a line each.
	ReasonLines     []string
	GPShare         gpShareView
	CloseReasons    []option
	NHS, Source     string
	StatusLabel     string
	Mine, CanChange bool
	Case            *caseView
	Connections     *referralConnectionsView
	Triage          *triageView
	Rights          rights
	// ReopenUntil is the last day the closed referral may be reopened, ""
	// when the reader may not reopen it.
	ReopenUntil string
	// Community is the volunteers, safeguarding and graduate pathway
	// sections, for the person's link worker and the scheme's managers.
	Community *communityView
}

type gpSummaryPage struct {
	Summary          fhir.ClosureSummary
	Person           *referral.Person
	NHS, ClosedOn    string
	ReferralCode     fhir.Coding
	OutcomeCode      fhir.Coding
	HasOutcomeCode   bool
	Received, Source string
	// Chosen is whether the person has chosen what is shared (Summary.Full
	// says which): until they do, codes only.
	Chosen bool
}

type caseloadPage struct {
	Groups  []caseGroup
	Manager bool
	Workers []option
	Count   int
}

// connectPage finds a service and sends the connection to it.
type connectPage struct {
	Referral referral.Referral
	// Connect is the form for the service chosen, if one is.
	Connect  *connectForm
	Results  []directory.Hit
	Searched bool
}

type queuePage struct{ Sections []queueSection }

type answerDonePage struct{ connection.Connection }

// answerGonePage says why an answer link no longer works: "used",
// "expired" or "unknown".
type answerGonePage struct{ Why string }

type myLinkPage struct {
	// Token is the link's, or "" when it does not work.
	Token string
}

type myPlanPage struct {
	Name     string
	Plans    []myPlan
	Progress []option
	Due      string
	// Budgets are the person's personal budgets: allowance, purchases
	// and what is left.
	Budgets []budget.Budget
}

// myPlanFormPage is the page where the person adds or rewords a goal or
// a step (ownFormPage).
type myPlanFormPage struct {
	Heading, Label, Hint, Button, Action, Back string
	// Goal is the goal a step is towards, shown above the box.
	Goal string
	// Plan is the reference of the plan a new goal goes into.
	Plan string
}

type myRecordPage struct {
	Person      referral.Person
	BornOn, NHS string
	Referrals   []heldReferral
}

type codePrintPage struct {
	Referral                   referral.Referral
	Code, SignInAddress, Until string
}

type linkSentPage struct {
	Referral referral.Referral
	To       string
}

type homePage struct {
	Cards        []card
	Organisation string
	// OpenConcerns counts the open safeguarding concerns the user acts on.
	OpenConcerns int
}

type accountPage struct {
	User              auth.User
	Organisation      string
	Tokens            []auth.Token
	RecoveryCodesLeft int
	Sessions          int
	// NewToken is shown once, just after it is made.
	NewToken string
}

type recoveryCodesPage struct {
	Codes []string
	Next  string
}

type setupPage struct{ Name, Email, Action string }

type orgsPage struct {
	Items []org.Organisation
	Total int
	Next  string
}

type orgFormPage struct {
	Kinds  []option
	Action string
	// Org is the organisation edited, nil when adding one.
	Org *org.Organisation
}

type usersPage struct {
	Items    []auth.User
	Total    int
	Next     string
	OrgNames map[string]string
}

type userFormPage struct {
	Roles, Orgs []option
	Action      string
	// User is the user edited, nil when adding one.
	User *auth.User
	// SetupLink is shown once, just after it is made.
	SetupLink string
}

type managePage struct {
	Items []directory.Service
	Total int
	Stale bool
	Next  string
	Now   time.Time
}

type sentPage struct {
	Sent        []referral.Referral
	Total       int
	Now         time.Time
	Connections map[string][]connection.Connection
}
