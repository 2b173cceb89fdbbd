package web

import "oikos/internal/auth"

// addRoutes is the whole HTTP surface in one place: every route, who may
// reach it, and its handler. Object-level checks (this referral, that
// connection) happen in the handlers through package casefile and
// auth.Can; what is not the caller's answers 404.
func (s *Server) addRoutes(rt *router) {
	var (
		admin        = auth.Only(auth.Admin)
		managers     = auth.Only(auth.Manager)
		caseworkers  = auth.Only(auth.LinkWorker, auth.Manager)
		referrers    = auth.Only(auth.Referrer, auth.LinkWorker, auth.Manager)
		editors      = auth.Only(auth.Admin, auth.Manager, auth.Provider)
		providers    = auth.Only(auth.Provider, auth.Manager)
		answerers    = auth.Only(auth.Provider, auth.LinkWorker, auth.Manager)
		reportReader = auth.Only(auth.Manager, auth.Commissioner)
	)

	// Operations.
	rt.handle("GET /healthz", auth.Public, s.healthz)
	rt.handle("GET /readyz", auth.Public, s.readyz)
	rt.handle("GET /metrics", auth.Public, s.metricsPage)
	rt.handle("GET /static/{version}/{path...}", auth.Public, s.staticFile)
	rt.handle("GET /favicon.ico", auth.Public, s.favicon)

	// Pages anyone may see.
	rt.handle("GET /{$}", auth.Public, s.home)
	rt.handle("GET /about", auth.Public, s.aboutPage)
	rt.handle("GET /accessibility", auth.Public, s.accessibilityPage)

	// Signing in: open to all, each step checks the partial session it needs.
	rt.handle("GET /sign-in", auth.Public, s.signInPage)
	rt.handle("POST /sign-in", auth.Public, s.signIn)
	rt.handle("GET /sign-in/code", auth.Public, s.codePage)
	rt.handle("POST /sign-in/code", auth.Public, s.code)
	rt.handle("GET /sign-in/two-factor", auth.Public, s.enrolPage)
	rt.handle("POST /sign-in/two-factor", auth.Public, s.enrol)
	rt.handle("POST /sign-out", auth.Public, s.signOut)
	rt.handle("GET /setup/{token}", auth.Public, s.setupPage)
	rt.handle("POST /setup/{token}", auth.Public, s.setup)

	// Your own account.
	rt.handle("GET /account", auth.SignedIn, s.account)
	rt.handle("POST /account/tokens", auth.SignedIn, s.createOwnToken)
	rt.handle("POST /account/tokens/{id}/revoke", auth.SignedIn, s.revokeOwnToken)
	rt.handle("POST /account/sign-out-everywhere", auth.SignedIn, s.signOutEverywhere)

	// Administration.
	rt.handle("GET /admin/organisations", admin, s.adminOrgs)
	rt.handle("GET /admin/organisations/new", admin, s.adminNewOrg)
	rt.handle("POST /admin/organisations", admin, s.adminCreateOrg)
	rt.handle("GET /admin/organisations/{id}", admin, s.adminOrg)
	rt.handle("POST /admin/organisations/{id}", admin, s.adminUpdateOrg)
	rt.handle("POST /admin/organisations/{id}/deactivate", admin, s.adminDeactivateOrg)
	rt.handle("POST /admin/organisations/{id}/reactivate", admin, s.adminReactivateOrg)
	rt.handle("GET /admin/users", admin, s.adminUsers)
	rt.handle("GET /admin/users/new", admin, s.adminNewUser)
	rt.handle("POST /admin/users", admin, s.adminCreateUser)
	rt.handle("GET /admin/users/{id}", admin, s.adminUser)
	rt.handle("POST /admin/users/{id}", admin, s.adminUpdateUser)
	rt.handle("POST /admin/users/{id}/deactivate", admin, s.adminDeactivateUser)
	rt.handle("POST /admin/users/{id}/reactivate", admin, s.adminReactivateUser)
	rt.handle("POST /admin/users/{id}/reset-two-factor", admin, s.adminResetTwoFactor)
	rt.handle("POST /admin/users/{id}/sign-out-everywhere", admin, s.adminSignOutUser)
	rt.handle("POST /admin/users/{id}/setup-link", admin, s.adminNewSetupLink)
	rt.handle("GET /api/v1/me", auth.SignedIn, s.apiMe)
	rt.handle("GET /api/v1/organisations", auth.SignedIn, s.apiListOrgs)
	rt.handle("POST /api/v1/organisations", admin, s.apiCreateOrg)
	rt.handle("GET /api/v1/organisations/{id}", auth.SignedIn, s.apiGetOrg)
	rt.handle("PUT /api/v1/organisations/{id}", admin, s.apiUpdateOrg)
	rt.handle("GET /api/v1/users", auth.Only(auth.Admin, auth.Manager), s.apiListUsers)
	rt.handle("POST /api/v1/users", admin, s.apiCreateUser)
	rt.handle("GET /api/v1/users/{id}", auth.SignedIn, s.apiGetUser)
	rt.handle("PUT /api/v1/users/{id}", admin, s.apiUpdateUser)
	rt.handle("DELETE /api/v1/users/{id}", admin, s.apiDeactivateUser)
	rt.handle("POST /api/v1/users/{id}/tokens", auth.SignedIn, s.apiCreateToken)
	rt.handle("DELETE /api/v1/tokens/{id}", auth.SignedIn, s.apiRevokeToken)

	// The community directory: public search and service pages, and the
	// editor for those who keep entries.
	rt.handle("GET /directory", auth.Public, s.directoryPage)
	rt.handle("GET /directory/services/{id}", auth.Public, s.servicePage)
	rt.handle("GET /directory/manage", editors, s.manageServices)
	rt.handle("GET /directory/manage/stale", editors, s.manageStale)
	rt.handle("GET /directory/manage/new", editors, s.manageNew)
	rt.handle("POST /directory/manage/new", editors, s.manageCreate)
	rt.handle("GET /directory/manage/{id}", editors, s.manageEdit)
	rt.handle("POST /directory/manage/{id}", editors, s.manageUpdate)
	rt.handle("POST /directory/manage/{id}/checked", editors, s.manageChecked)
	rt.handle("POST /directory/manage/{id}/close", editors, s.manageClose)
	rt.handle("POST /directory/manage/{id}/reopen", editors, s.manageReopen)
	rt.handle("GET /api/v1/categories", auth.Public, s.apiCategories)
	rt.handle("GET /api/v1/needs", auth.Public, s.apiNeeds)
	rt.handle("GET /api/v1/services", auth.Public, s.apiSearchServices)
	rt.handle("POST /api/v1/services", editors, s.apiCreateService)
	rt.handle("GET /api/v1/services/{id}", auth.Public, s.apiGetService)
	rt.handle("PUT /api/v1/services/{id}", editors, s.apiUpdateService)
	rt.handle("DELETE /api/v1/services/{id}", editors, s.apiCloseService)
	rt.handle("POST /api/v1/services/{id}/checked", editors, s.apiCheckService)

	// Open Referral UK (HSDS 3.0): the directory as open data, read-only
	// and public, for other directories.
	rt.handle("GET /oruk", auth.Public, s.oruk.Root)
	rt.handle("GET /oruk/{$}", auth.Public, s.oruk.Root)
	rt.handle("GET /oruk/services", auth.Public, s.oruk.Services)
	rt.handle("GET /oruk/services/{id}", auth.Public, s.oruk.Service)
	rt.handle("GET /oruk/organizations", auth.Public, s.oruk.Organizations)
	rt.handle("GET /oruk/organizations/{id}", auth.Public, s.oruk.Organization)
	rt.handle("GET /oruk/taxonomies", auth.Public, s.oruk.Taxonomies)
	rt.handle("GET /oruk/taxonomies/{id}", auth.Public, s.oruk.Taxonomy)
	rt.handle("GET /oruk/taxonomy_terms", auth.Public, s.oruk.TaxonomyTerms)
	rt.handle("GET /oruk/taxonomy_terms/{id}", auth.Public, s.oruk.TaxonomyTerm)
	rt.handle("GET /oruk/service_at_locations", auth.Public, s.oruk.ServiceAtLocations)
	rt.handle("GET /oruk/service_at_locations/{id}", auth.Public, s.oruk.ServiceAtLocation)
	rt.handle("GET /oruk/{path...}", auth.Public, s.oruk.NotFound)
	// Browsers ask before a page elsewhere reads the open data (CORS).
	rt.handle("OPTIONS /oruk", auth.Public, s.oruk.Preflight)
	rt.handle("OPTIONS /oruk/{path...}", auth.Public, s.oruk.Preflight)

	// Referrals from every door.
	rt.handle("POST /api/v1/referrals", referrers, s.apiCreateReferral)
	rt.handle("GET /api/v1/referrals", referrers, s.apiListReferrals)
	rt.handle("GET /api/v1/referrals/{id}", referrers, s.apiGetReferral)
	rt.handle("POST /api/v1/referrals/{id}/assign", caseworkers, s.apiAssignReferral)
	rt.handle("POST /api/v1/referrals/{id}/status", caseworkers, s.apiReferralStatus)
	rt.handle("POST /api/v1/referrals/{id}/reopen", caseworkers, s.apiReopen)
	rt.handle("POST /api/v1/self-referrals", auth.Public, s.apiSelfReferral)
	rt.handle("GET /refer", auth.Public, s.selfReferralPage)
	rt.handle("POST /refer", auth.Public, s.selfReferralPost)
	rt.handle("GET /referrals", caseworkers, s.triagePage)
	rt.handle("GET /referrals/new", referrers, s.professionalReferralPage)
	rt.handle("GET /referrals/sent", referrers, s.sentReferralsPage)
	rt.handle("POST /referrals/new", referrers, s.professionalReferralPost)
	rt.handle("GET /referrals/{id}", referrers, s.referralPage)
	rt.handle("POST /referrals/{id}/status", caseworkers, s.referralAction)
	rt.handle("GET /referrals/{id}/close", caseworkers, s.referralClosePage)
	rt.handle("POST /referrals/{id}/close", caseworkers, s.referralClose)
	rt.handle("POST /referrals/{id}/reopen", caseworkers, s.referralReopen)
	rt.handle("POST /referrals/{id}/assign", caseworkers, s.referralAssign)
	rt.handle("POST /referrals/{id}/match", caseworkers, s.referralMatch)
	// The summary for the GP record when a referral closes: whoever may
	// read the referral.
	rt.handle("GET /referrals/{id}/summary", referrers, s.summaryPage)
	// What of it goes to the GP record: the person's choice, which their
	// link worker records.
	rt.handle("POST /api/v1/referrals/{id}/gp-share", caseworkers, s.apiGPShare)
	rt.handle("POST /referrals/{id}/gp-share", caseworkers, s.referralGPShare)

	// FHIR R4, for GP systems: what the server offers (open to all, as
	// FHIR clients read it first), a ServiceRequest sent with a bearer
	// token, followed as a Task, and the closing summary as a
	// Communication. Anything else under /fhir is answered by
	// Server.notFound: 405 or 404, as an OperationOutcome.
	rt.handle("GET /fhir/metadata", auth.Public, s.fhir.Metadata)
	rt.handle("POST /fhir/ServiceRequest", referrers, s.fhir.CreateServiceRequest)
	rt.handle("GET /fhir/ServiceRequest/{id}", referrers, s.fhir.GetServiceRequest)
	rt.handle("GET /fhir/Task", referrers, s.fhir.SearchTask)
	rt.handle("GET /fhir/Task/{id}", referrers, s.fhir.GetTask)
	rt.handle("GET /fhir/Communication", referrers, s.fhir.SearchCommunication)
	rt.handle("GET /fhir/Communication/{id}", referrers, s.fhir.GetCommunication)

	// Casework: contacts, the what-matters conversation, the plan and the
	// caseload. A link worker reaches their own caseload and the
	// unassigned queue, never another's.
	rt.handle("POST /api/v1/referrals/{id}/contacts", caseworkers, s.apiRecordContact)
	rt.handle("GET /api/v1/referrals/{id}/contacts", caseworkers, s.apiContacts)
	rt.handle("POST /api/v1/referrals/{id}/conversations", caseworkers, s.apiRecordConversation)
	rt.handle("GET /api/v1/referrals/{id}/conversations", caseworkers, s.apiConversations)
	rt.handle("GET /api/v1/referrals/{id}/plan", caseworkers, s.apiGetPlan)
	rt.handle("PUT /api/v1/referrals/{id}/plan", caseworkers, s.apiPutPlan)
	rt.handle("POST /api/v1/referrals/{id}/plan/progress", caseworkers, s.apiPlanProgress)
	rt.handle("GET /caseload", caseworkers, s.caseloadPage)
	rt.handle("GET /referrals/{id}/contacts/new", caseworkers, s.contactNew)
	rt.handle("POST /referrals/{id}/contacts/new", caseworkers, s.contactCreate)
	rt.handle("GET /referrals/{id}/conversation/new", caseworkers, s.conversationNew)
	rt.handle("POST /referrals/{id}/conversation/new", caseworkers, s.conversationCreate)
	rt.handle("GET /referrals/{id}/plan", caseworkers, s.planEdit)
	rt.handle("POST /referrals/{id}/plan", caseworkers, s.planSave)
	rt.handle("GET /referrals/{id}/plan/print", caseworkers, s.planPrint)

	// Outcome measures: never for referrers.
	rt.handle("POST /api/v1/referrals/{id}/measures", caseworkers, s.apiRecordMeasure)
	rt.handle("GET /api/v1/referrals/{id}/measures", caseworkers, s.apiListMeasures)
	rt.handle("GET /referrals/{id}/measures", caseworkers, s.measuresPage)
	rt.handle("GET /referrals/{id}/measures/new", caseworkers, s.measureNew)
	rt.handle("POST /referrals/{id}/measures/new", caseworkers, s.measureCreate)

	// Suggestions: services ranked for the person, with reasons, and what
	// suits them.
	rt.handle("GET /api/v1/referrals/{id}/suggestions", caseworkers, s.apiSuggestions)
	rt.handle("GET /api/v1/referrals/{id}/preferences", caseworkers, s.apiGetPreferences)
	rt.handle("PUT /api/v1/referrals/{id}/preferences", caseworkers, s.apiPutPreferences)
	rt.handle("GET /referrals/{id}/suggestions", caseworkers, s.suggestionsPage)
	rt.handle("POST /referrals/{id}/suggestions/preferences", caseworkers, s.savePreferences)

	// Connections (social prescriptions): the link worker sends, the
	// provider of the service answers. Each connection is then looked up
	// for the caller: a provider reaches its own organisation's only, a
	// link worker their caseload's.
	rt.handle("POST /api/v1/referrals/{id}/connections", caseworkers, s.apiCreateConnection)
	rt.handle("GET /api/v1/referrals/{id}/connections", caseworkers, s.apiReferralConnections)
	rt.handle("GET /api/v1/connections", answerers, s.apiListConnections)
	rt.handle("GET /api/v1/connections/{id}", answerers, s.apiGetConnection)
	rt.handle("POST /api/v1/connections/{id}/decision", answerers, s.apiDecide)
	rt.handle("POST /api/v1/connections/{id}/attendance", answerers, s.apiAttend)
	rt.handle("POST /api/v1/connections/{id}/status", answerers, s.apiClose)
	rt.handle("POST /api/v1/connections/{id}/updates", providers, s.apiUpdate)
	rt.handle("GET /referrals/{id}/connections/new", caseworkers, s.connectionNewPage)
	rt.handle("POST /referrals/{id}/connections", caseworkers, s.connectionCreate)
	rt.handle("GET /connections", providers, s.connectionQueuePage)
	rt.handle("GET /connections/{id}", answerers, s.connectionPage)
	rt.handle("POST /connections/{id}/decision", answerers, s.connectionDecision)
	rt.handle("POST /connections/{id}/attendance", answerers, s.connectionAttendance)
	rt.handle("POST /connections/{id}/status", answerers, s.connectionStatus)
	rt.handle("POST /connections/{id}/update", providers, s.connectionUpdate)
	// Answer links carry their own authority: the token is checked inside.
	rt.handle("GET /answer/{token}", auth.Public, s.answerPage)
	rt.handle("POST /answer/{token}", auth.Public, s.answer)

	// Reminders before a first session.
	rt.handle("GET /api/v1/referrals/{id}/reminders", caseworkers, s.apiGetReminders)
	rt.handle("PUT /api/v1/referrals/{id}/reminders", caseworkers, s.apiPutReminders)
	rt.handle("POST /api/v1/connections/{id}/first-session", answerers, s.apiFirstSession)
	rt.handle("GET /referrals/{id}/reminders", caseworkers, s.remindersPage)
	rt.handle("POST /referrals/{id}/reminders", caseworkers, s.remindersSave)
	rt.handle("POST /connections/{id}/first-session", answerers, s.firstSessionPage)

	// The person's own pages under /my, behind their own session, and the
	// link worker's ways of letting them in. Signing in is open to all:
	// each step checks the link or code it is given.
	rt.handle("GET /my/sign-in", auth.Public, s.mySignInPage)
	rt.handle("POST /my/sign-in", auth.Public, s.mySignIn)
	rt.handle("GET /my/link/{token}", auth.Public, s.myLinkPage)
	rt.handle("POST /my/link/{token}", auth.Public, s.myLink)
	rt.handle("POST /my/sign-out", auth.Public, s.mySignOut)
	rt.handle("GET /my", auth.Person, s.myHome)
	rt.handle("POST /my/goals/{goal}", auth.Person, s.myProgress)
	rt.handle("POST /my/goals/{goal}/steps/{step}", auth.Person, s.myProgress)
	rt.handle("GET /my/goals/new", auth.Person, s.myNewGoalForm)
	rt.handle("POST /my/goals/new", auth.Person, s.myNewGoal)
	rt.handle("GET /my/goals/{goal}/edit", auth.Person, s.myGoalWordsForm)
	rt.handle("POST /my/goals/{goal}/edit", auth.Person, s.myGoalWords)
	rt.handle("GET /my/goals/{goal}/steps/new", auth.Person, s.myNewStepForm)
	rt.handle("POST /my/goals/{goal}/steps/new", auth.Person, s.myNewStep)
	rt.handle("GET /my/goals/{goal}/steps/{step}/edit", auth.Person, s.myStepWordsForm)
	rt.handle("POST /my/goals/{goal}/steps/{step}/edit", auth.Person, s.myStepWords)
	rt.handle("GET /my/print", auth.Person, s.myPrint)
	rt.handle("GET /my/record", auth.Person, s.myRecord)
	rt.handle("GET /my/progress", auth.Person, s.myProgressPage)
	rt.handle("GET /my/measures/new", auth.Person, s.myMeasureForm)
	rt.handle("POST /my/measures/new", auth.Person, s.myMeasureCreate)
	rt.handle("GET /my/reminders", auth.Person, s.myRemindersPage)
	rt.handle("POST /my/reminders", auth.Person, s.myRemindersSave)
	rt.handle("GET /my/export", auth.Person, s.myExportPage)
	rt.handle("GET /my/export.json", auth.Person, s.myExportJSON)
	rt.handle("POST /referrals/{id}/portal/link", caseworkers, s.portalLink)
	rt.handle("POST /referrals/{id}/portal/code", caseworkers, s.portalCode)

	// Finding a person and keeping their details: link workers and
	// managers, for the people with a referral in their scheme.
	rt.handle("GET /api/v1/people", caseworkers, s.apiPeople)
	rt.handle("GET /api/v1/people/{id}", caseworkers, s.apiPerson)
	rt.handle("PUT /api/v1/people/{id}", caseworkers, s.apiPutPerson)
	rt.handle("GET /people", caseworkers, s.peoplePage)
	rt.handle("GET /people/{id}", caseworkers, s.personPage)
	rt.handle("GET /people/{id}/edit", caseworkers, s.personEdit)
	rt.handle("POST /people/{id}/edit", caseworkers, s.personSave)

	// The person's rights: a copy of everything held (their link worker
	// and managers), erasure and restriction on request (managers).
	rt.handle("GET /api/v1/people/{id}/export", caseworkers, s.apiPersonExport)
	rt.handle("POST /api/v1/people/{id}/erasure", managers, s.apiErasure)
	rt.handle("POST /api/v1/people/{id}/restriction", managers, s.apiRestriction)
	rt.handle("GET /people/{id}/export", caseworkers, s.personExportPage)
	rt.handle("GET /people/{id}/erasure", managers, s.erasurePage)
	rt.handle("POST /people/{id}/erasure", managers, s.erasureConfirm)
	rt.handle("GET /people/{id}/restriction", managers, s.restrictionPage)
	rt.handle("POST /people/{id}/restriction", managers, s.restrictionConfirm)

	// Personal budgets: the link worker sets the allowance and records
	// purchases for their caseload; a scheme's managers decide those above
	// its threshold and download the ledger for finance.
	rt.handle("GET /api/v1/referrals/{id}/budget", caseworkers, s.apiGetBudget)
	rt.handle("PUT /api/v1/referrals/{id}/budget", caseworkers, s.apiPutBudget)
	rt.handle("POST /api/v1/referrals/{id}/budget/purchases", caseworkers, s.apiBudgetPurchase)
	rt.handle("GET /api/v1/budget-purchases", managers, s.apiBudgetApprovals)
	rt.handle("POST /api/v1/budget-purchases/{id}/decision", managers, s.apiBudgetDecision)
	rt.handle("POST /api/v1/budget-purchases/{id}/reversal", caseworkers, s.apiBudgetReversal)
	rt.handle("GET /api/v1/budgets/ledger", managers, s.apiBudgetLedger)
	rt.handle("GET /referrals/{id}/budget", caseworkers, s.budgetPageOf)
	rt.handle("POST /referrals/{id}/budget", caseworkers, s.budgetAllowance)
	rt.handle("POST /referrals/{id}/budget/purchases", caseworkers, s.budgetPurchase)
	rt.handle("POST /referrals/{id}/budget/purchases/{entry}/reversal", caseworkers, s.budgetReversal)
	rt.handle("GET /budgets", managers, s.budgetApprovals)
	rt.handle("POST /budgets/purchases/{id}/decision", managers, s.budgetDecision)
	rt.handle("GET /budgets/ledger.csv", managers, s.ledgerCSV)
	rt.handle("POST /budgets/settings", managers, s.budgetSettings)
	rt.handle("GET /api/v1/schemes/{id}/budget-settings", auth.Only(auth.Admin, auth.Manager, auth.LinkWorker), s.apiGetBudgetSettings)
	rt.handle("PUT /api/v1/schemes/{id}/budget-settings", auth.Only(auth.Admin, auth.Manager), s.apiPutBudgetSettings)

	// Grants for community groups: a scheme's managers open rounds beside
	// the gap map, decide and pay; community organisations (providers)
	// read rounds and apply for their own organisation; commissioners
	// read. Groups register themselves, and a manager checks them.
	grantReaders := auth.Only(auth.Manager, auth.Provider, auth.Commissioner)
	rt.handle("POST /api/v1/grant-rounds", managers, s.apiCreateRound)
	rt.handle("GET /api/v1/grant-rounds", grantReaders, s.apiListRounds)
	rt.handle("GET /api/v1/grant-rounds/{id}", grantReaders, s.apiGetRound)
	rt.handle("POST /api/v1/grant-rounds/{id}/applications", auth.Only(auth.Provider), s.apiApply)
	rt.handle("GET /api/v1/grant-rounds/{id}/applications", providers, s.apiRoundApplications)
	rt.handle("GET /api/v1/grant-applications/{id}", providers, s.apiGetApplication)
	rt.handle("POST /api/v1/grant-applications/{id}/decision", managers, s.apiDecideApplication)
	rt.handle("POST /api/v1/grant-applications/{id}/payments", managers, s.apiPayAward)
	rt.handle("GET /api/v1/reports/grants", reportReader, s.apiGrantsReport)
	rt.handle("GET /api/v1/reports/citizen-led", reportReader, s.apiCitizenLedTrend)
	rt.handle("POST /api/v1/group-registrations", auth.Public, s.apiRegisterGroup)
	rt.handle("GET /api/v1/group-registrations", managers, s.apiListRegistrations)
	rt.handle("POST /api/v1/group-registrations/{id}/decision", managers, s.apiDecideRegistration)
	rt.handle("GET /grants", grantReaders, s.grantsPage)
	rt.handle("GET /grants/rounds/new", managers, s.roundNew)
	rt.handle("POST /grants/rounds", managers, s.roundCreate)
	rt.handle("GET /grants/rounds/{id}", grantReaders, s.roundPage)
	rt.handle("GET /grants/rounds/{id}/apply", auth.Only(auth.Provider), s.applyNew)
	rt.handle("POST /grants/rounds/{id}/applications", auth.Only(auth.Provider), s.applyCreate)
	rt.handle("GET /grants/applications/{id}", providers, s.applicationPage)
	rt.handle("POST /grants/applications/{id}/decision", managers, s.applicationDecision)
	rt.handle("POST /grants/applications/{id}/payments", managers, s.applicationPayment)
	rt.handle("GET /groups/register", auth.Public, s.registerPage)
	rt.handle("POST /groups/register", auth.Public, s.registerPost)
	rt.handle("GET /groups/registrations", managers, s.registrationsPage)
	rt.handle("POST /groups/registrations/{id}/decision", managers, s.registrationDecision)
	rt.handle("GET /reports/grants", reportReader, s.grantsReportPage)
	rt.handle("GET /reports/grants.csv", reportReader, s.grantsReportCSV)
	rt.handle("GET /reports/citizen-led.csv", reportReader, s.citizenLedCSV)

	// Reports: aggregates with small numbers hidden, so managers and
	// commissioners see the same.
	rt.handle("GET /api/v1/reports/summary", reportReader, s.apiSummaryReport)
	rt.handle("GET /reports", reportReader, s.reportsPage)
	rt.handle("GET /reports/summary.csv", reportReader, s.summaryCSV)
	rt.handle("GET /api/v1/reports/coverage", reportReader, s.apiCoverage)
	rt.handle("GET /api/v1/reports/unmet-needs", reportReader, s.apiUnmetNeeds)
	rt.handle("GET /reports/coverage", reportReader, s.coveragePage)
	rt.handle("GET /reports/coverage.csv", reportReader, s.coverageCSV)
	rt.handle("GET /reports/unmet-needs", reportReader, s.unmetNeedsPage)
	rt.handle("GET /reports/unmet-needs.csv", reportReader, s.unmetNeedsCSV)
	rt.handle("GET /api/v1/reports/engagement", reportReader, s.apiEngagement)
	rt.handle("GET /reports/engagement", reportReader, s.engagementPage)
	rt.handle("GET /reports/engagement.csv", reportReader, s.engagementCSV)

	// The community half (issue 16). Safeguarding first: anyone who works
	// with the person raises a concern (the policy is community.MayRaise);
	// the person's link worker and the scheme's managers act on it, and a
	// manager closes it with an outcome. Others see those they raised.
	var (
		raisers    = auth.Only(auth.LinkWorker, auth.Manager, auth.Volunteer, auth.Provider)
		volunteers = auth.Only(auth.Volunteer)
		matchers   = auth.Only(auth.LinkWorker, auth.Manager, auth.Volunteer)
		keepers    = auth.Only(auth.Manager, auth.Volunteer)
	)
	rt.handle("POST /api/v1/referrals/{id}/concerns", raisers, s.apiRaiseConcern)
	rt.handle("GET /api/v1/concerns", raisers, s.apiConcerns)
	rt.handle("GET /api/v1/concerns/{id}", raisers, s.apiConcern)
	rt.handle("POST /api/v1/concerns/{id}/actions", caseworkers, s.apiConcernAction)
	rt.handle("POST /api/v1/concerns/{id}/acknowledge", caseworkers, s.apiAcknowledgeConcern)
	rt.handle("GET /api/v1/reports/safeguarding", reportReader, s.apiSafeguardingReport)
	rt.handle("GET /concerns", raisers, s.concernsPage)
	rt.handle("GET /concerns/{id}", raisers, s.concernPage)
	rt.handle("POST /concerns/{id}/actions", caseworkers, s.concernAction)
	rt.handle("POST /concerns/{id}/acknowledge", caseworkers, s.concernAcknowledge)
	rt.handle("GET /referrals/{id}/concerns/new", caseworkers, s.concernNew)
	rt.handle("POST /referrals/{id}/concerns/new", caseworkers, s.concernCreate)
	rt.handle("GET /volunteer-matches/{id}/concern", volunteers, s.matchConcernNew)
	rt.handle("POST /volunteer-matches/{id}/concern", volunteers, s.matchConcernCreate)
	rt.handle("GET /connections/{id}/concern", answerers, s.connectionConcernNew)
	rt.handle("POST /connections/{id}/concern", answerers, s.connectionConcernCreate)

	// Volunteers: profiles kept by managers, read by the volunteer and
	// their health champion; matches with people, of which the volunteer
	// sees only their own and only what was shared; the graduate pathway;
	// the volunteering report.
	rt.handle("GET /api/v1/volunteers", keepers, s.apiVolunteers)
	rt.handle("GET /api/v1/volunteers/{user_id}", keepers, s.apiVolunteer)
	rt.handle("PUT /api/v1/volunteers/{user_id}", managers, s.apiSaveVolunteer)
	rt.handle("PATCH /api/v1/volunteers/{user_id}", volunteers, s.apiOwnDetails)
	rt.handle("GET /api/v1/coordinated-volunteers", keepers, s.apiCoordinated)
	rt.handle("GET /api/v1/referrals/{id}/volunteer-suggestions", caseworkers, s.apiVolunteerSuggestions)
	rt.handle("POST /api/v1/referrals/{id}/volunteer-matches", caseworkers, s.apiCreateMatch)
	rt.handle("GET /api/v1/volunteer-matches", matchers, s.apiMatches)
	rt.handle("GET /api/v1/volunteer-matches/{id}", matchers, s.apiMatch)
	rt.handle("POST /api/v1/volunteer-matches/{id}/contacts", volunteers, s.apiLogContact)
	rt.handle("POST /api/v1/volunteer-matches/{id}/end", matchers, s.apiEndMatch)
	rt.handle("POST /api/v1/referrals/{id}/mentor-invitation", caseworkers, s.apiInviteMentor)
	rt.handle("GET /api/v1/mentor-pathway", caseworkers, s.apiMentorInvitations)
	rt.handle("GET /api/v1/mentor-pathway/{id}", caseworkers, s.apiMentorInvitation)
	rt.handle("POST /api/v1/mentor-pathway/{id}", caseworkers, s.apiMentorStage)
	rt.handle("GET /api/v1/reports/volunteering", reportReader, s.apiVolunteeringReport)
	rt.handle("GET /volunteers", managers, s.volunteersPage)
	rt.handle("GET /volunteers/new", managers, s.volunteerNew)
	rt.handle("POST /volunteers/new", managers, s.volunteerCreate)
	rt.handle("GET /volunteers/{user_id}", managers, s.volunteerEdit)
	rt.handle("POST /volunteers/{user_id}", managers, s.volunteerSave)
	rt.handle("GET /volunteering", volunteers, s.volunteeringPage)
	rt.handle("GET /volunteering/details", volunteers, s.ownDetailsPage)
	rt.handle("POST /volunteering/details", volunteers, s.ownDetailsSave)
	rt.handle("GET /volunteering/coordinated", volunteers, s.championPage)
	rt.handle("GET /volunteer-matches/{id}", matchers, s.matchPageGet)
	rt.handle("POST /volunteer-matches/{id}/contacts", volunteers, s.matchContact)
	rt.handle("POST /volunteer-matches/{id}/end", matchers, s.matchEnd)
	rt.handle("GET /referrals/{id}/volunteers", caseworkers, s.volunteerSuggestionsPage)
	rt.handle("POST /referrals/{id}/volunteers", caseworkers, s.matchCreate)
	rt.handle("POST /referrals/{id}/mentor-invitation", caseworkers, s.mentorInvite)
	rt.handle("POST /referrals/{id}/mentor-pathway", caseworkers, s.mentorStagePage)
	rt.handle("GET /reports/volunteering", reportReader, s.volunteeringReportPage)
	rt.handle("GET /reports/volunteering.csv", reportReader, s.volunteeringCSV)
}
