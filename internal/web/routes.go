package web

import (
	"context"
	"net/http"

	"oikos/internal/auth"
)

// addRoutes is the whole HTTP surface in one place. Every route names who
// may reach it; object-level checks happen in the handlers through auth.Can.
func (s *Server) addRoutes(rt *router) {
	admin := auth.Only(auth.Admin)

	// Operations.
	rt.handle("GET /healthz", auth.Public, s.healthz)
	rt.handle("GET /readyz", auth.Public, s.readyz)
	rt.handle("GET /metrics", auth.Public, s.metricsPage(s.MetricsHandler()))
	rt.handle("GET /static/{version}/{path...}", auth.Public, s.static.serve)
	rt.handle("GET /favicon.ico", auth.Public, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, s.static.Prefix+"/vendor/assets/images/favicon.ico", http.StatusMovedPermanently)
	})

	// Pages anyone may see.
	rt.handle("GET /{$}", auth.Public, s.home)
	rt.handle("GET /about", auth.Public, s.staticPage("About Oikos"))
	rt.handle("GET /accessibility", auth.Public, s.staticPage("Accessibility statement"))

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

	// Administration pages.
	rt.handle("GET /admin/organisations", admin, s.adminOrgs)
	rt.handle("GET /admin/organisations/new", admin, s.adminNewOrg)
	rt.handle("POST /admin/organisations", admin, s.adminCreateOrg)
	rt.handle("GET /admin/organisations/{id}", admin, s.adminOrg)
	rt.handle("POST /admin/organisations/{id}", admin, s.adminUpdateOrg)
	rt.handle("POST /admin/organisations/{id}/deactivate", admin, s.adminSetOrgActive(false))
	rt.handle("POST /admin/organisations/{id}/reactivate", admin, s.adminSetOrgActive(true))
	rt.handle("GET /admin/users", admin, s.adminUsers)
	rt.handle("GET /admin/users/new", admin, s.adminNewUser)
	rt.handle("POST /admin/users", admin, s.adminCreateUser)
	rt.handle("GET /admin/users/{id}", admin, s.adminUser)
	rt.handle("POST /admin/users/{id}", admin, s.adminUpdateUser)
	rt.handle("POST /admin/users/{id}/deactivate", admin, s.adminUserAction(func(ctx context.Context, by auth.Actor, id string) error {
		return s.auth.SetActive(ctx, by, id, false)
	}, "deactivated"))
	rt.handle("POST /admin/users/{id}/reactivate", admin, s.adminUserAction(func(ctx context.Context, by auth.Actor, id string) error {
		return s.auth.SetActive(ctx, by, id, true)
	}, "reactivated"))
	rt.handle("POST /admin/users/{id}/reset-two-factor", admin, s.adminUserAction(s.auth.ResetTwoFactor, "reset"))
	rt.handle("POST /admin/users/{id}/sign-out-everywhere", admin, s.adminUserAction(func(ctx context.Context, by auth.Actor, id string) error {
		_, err := s.auth.RevokeSessions(ctx, by, id)
		return err
	}, "signed-out"))
	rt.handle("POST /admin/users/{id}/setup-link", admin, s.adminNewSetupLink)

	// The community directory: public search and service pages, and the
	// editor for those who keep entries.
	editors := auth.Only(auth.Admin, auth.Manager, auth.Provider)
	rt.handle("GET /directory", auth.Public, s.directoryPage)
	rt.handle("GET /directory/services/{id}", auth.Public, s.servicePage)
	rt.handle("GET /directory/manage", editors, s.manageList(false))
	rt.handle("GET /directory/manage/stale", editors, s.manageList(true))
	rt.handle("GET /directory/manage/new", editors, s.manageNew)
	rt.handle("POST /directory/manage/new", editors, s.manageCreate)
	rt.handle("GET /directory/manage/{id}", editors, s.manageEdit)
	rt.handle("POST /directory/manage/{id}", editors, s.manageUpdate)
	rt.handle("POST /directory/manage/{id}/checked", editors, s.manageAction("checked"))
	rt.handle("POST /directory/manage/{id}/close", editors, s.manageAction("closed"))
	rt.handle("POST /directory/manage/{id}/reopen", editors, s.manageAction("reopened"))
	rt.handle("GET /api/v1/categories", auth.Public, s.apiCategories)
	rt.handle("GET /api/v1/needs", auth.Public, s.apiNeeds)
	rt.handle("GET /api/v1/services", auth.Public, s.apiSearchServices)
	rt.handle("POST /api/v1/services", editors, s.apiCreateService)
	rt.handle("GET /api/v1/services/{id}", auth.Public, s.apiGetService)
	rt.handle("PUT /api/v1/services/{id}", editors, s.apiUpdateService)
	rt.handle("DELETE /api/v1/services/{id}", editors, s.apiCloseService)
	rt.handle("POST /api/v1/services/{id}/checked", editors, s.apiCheckService)

	// Referrals from every door.
	referrers := auth.Only(auth.Referrer, auth.LinkWorker, auth.Manager)
	caseworkers := auth.Only(auth.LinkWorker, auth.Manager)
	rt.handle("POST /api/v1/referrals", referrers, s.apiCreateReferral)
	rt.handle("GET /api/v1/referrals", referrers, s.apiListReferrals)
	rt.handle("GET /api/v1/referrals/{id}", referrers, s.apiGetReferral)
	rt.handle("POST /api/v1/referrals/{id}/assign", caseworkers, s.apiAssignReferral)
	rt.handle("POST /api/v1/referrals/{id}/status", caseworkers, s.apiReferralStatus)
	rt.handle("POST /api/v1/self-referrals", auth.Public, s.apiSelfReferral)
	s.addFHIRRoutes(rt)
	rt.handle("GET /refer", auth.Public, s.selfReferralPage)
	rt.handle("POST /refer", auth.Public, s.selfReferralPost)
	rt.handle("GET /referrals", caseworkers, s.triagePage)
	rt.handle("GET /referrals/new", referrers, s.professionalReferralPage)
	rt.handle("GET /referrals/sent", referrers, s.sentReferralsPage)
	rt.handle("POST /referrals/new", referrers, s.professionalReferralPost)
	rt.handle("GET /referrals/{id}", referrers, s.referralPage)
	rt.handle("POST /referrals/{id}/status", caseworkers, s.referralAction)
	rt.handle("POST /referrals/{id}/assign", caseworkers, s.referralAssign)
	rt.handle("POST /referrals/{id}/match", caseworkers, s.referralMatch)
	s.addCaseworkRoutes(rt)
	s.addPortalRoutes(rt)
	s.addMeasureRoutes(rt)
	s.addSuggestionRoutes(rt)
	s.addConnectionRoutes(rt)
	s.addReminderRoutes(rt)
	s.addReportRoutes(rt)
	s.addCoverageRoutes(rt)
	s.addEngagementRoutes(rt)
	s.addPrivacyRoutes(rt)

	// Open Referral UK: the directory, published for other directories.
	s.addORUKRoutes(rt)

	// JSON API.
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
}
