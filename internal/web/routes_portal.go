package web

import "oikos/internal/auth"

// addPortalRoutes registers the person's own pages under /my and the link
// worker's actions that let a person in.
func (s *Server) addPortalRoutes(rt *router) {
	// Signing in: open to all; each step checks the link or code it is given.
	// Ten wrong codes from one address in ten minutes and it must wait.
	rt.handle("GET /my/sign-in", auth.Public, s.mySignInPage)
	rt.handle("POST /my/sign-in", auth.Public, s.mySignIn)
	rt.handle("GET /my/link/{token}", auth.Public, s.myLinkPage)
	rt.handle("POST /my/link/{token}", auth.Public, s.myLink)
	rt.handle("POST /my/sign-out", auth.Public, s.mySignOut)

	// The person's own pages, behind their own session.
	rt.handle("GET /my", auth.Person, s.myHome)
	rt.handle("POST /my/goals/{goal}", auth.Person, s.myProgress)
	rt.handle("POST /my/goals/{goal}/steps/{step}", auth.Person, s.myProgress)
	rt.handle("GET /my/record", auth.Person, s.myRecord)
	rt.handle("GET /my/progress", auth.Person, s.myProgressPage)
	rt.handle("GET /my/measures/new", auth.Person, s.myMeasureForm)
	rt.handle("POST /my/measures/new", auth.Person, s.myMeasureCreate)

	// The link worker gives the person a way in.
	caseworkers := auth.Only(auth.LinkWorker, auth.Manager)
	rt.handle("POST /referrals/{id}/portal/link", caseworkers, s.portalLink)
	rt.handle("POST /referrals/{id}/portal/code", caseworkers, s.portalCode)
}
