package web

import "oikos/internal/auth"

// addReminderRoutes registers reminders before a first session: the
// person's choice of reminders, kept by their link worker, and the date of
// a connection's first session.
func (s *Server) addReminderRoutes(rt *router) {
	h := &reminders{s: s, store: s.conns}
	caseworkers := auth.Only(auth.LinkWorker, auth.Manager)
	// The connection is then looked up through auth.Can, as for answers.
	answerers := auth.Only(auth.Provider, auth.LinkWorker, auth.Manager)

	rt.handle("GET /api/v1/referrals/{id}/reminders", caseworkers, h.apiGet)
	rt.handle("PUT /api/v1/referrals/{id}/reminders", caseworkers, h.apiPut)
	rt.handle("POST /api/v1/connections/{id}/first-session", answerers, h.apiFirstSession)

	rt.handle("GET /referrals/{id}/reminders", caseworkers, h.page)
	rt.handle("POST /referrals/{id}/reminders", caseworkers, h.save)
	rt.handle("POST /connections/{id}/first-session", answerers, h.firstSessionPage)

	// The person chooses for themselves on their own pages.
	rt.handle("GET /my/reminders", auth.Person, h.myPage)
	rt.handle("POST /my/reminders", auth.Person, h.mySave)
}
