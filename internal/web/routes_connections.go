package web

import (
	"oikos/internal/auth"
	"oikos/internal/connection"
)

// addConnectionRoutes registers social prescriptions: a link worker's
// connection of a person to a service, the provider's queue and answers,
// attendance, and the single-use links providers without accounts answer by.
func (s *Server) addConnectionRoutes(rt *router) {
	h := &connections{s: s, store: s.conns}
	caseworkers := auth.Only(auth.LinkWorker, auth.Manager)
	// Each handler then looks the connection up through auth.Can: a
	// provider reaches its own organisation's only, a link worker their
	// caseload's; anything else is not found.
	answerers := auth.Only(auth.Provider, auth.LinkWorker, auth.Manager)
	providers := auth.Only(auth.Provider, auth.Manager)

	rt.handle("POST /api/v1/referrals/{id}/connections", caseworkers, h.apiCreate)
	rt.handle("GET /api/v1/referrals/{id}/connections", caseworkers, h.apiForReferral)
	rt.handle("GET /api/v1/connections", answerers, h.apiList)
	rt.handle("GET /api/v1/connections/{id}", answerers, h.apiGet)
	rt.handle("POST /api/v1/connections/{id}/decision", answerers, apiChange(h, connection.RecordDecision, h.decide))
	rt.handle("POST /api/v1/connections/{id}/attendance", answerers, apiChange(h, connection.RecordAttendance, h.attend))
	rt.handle("POST /api/v1/connections/{id}/status", answerers, apiChange(h, connection.RecordClose, h.close))
	rt.handle("POST /api/v1/connections/{id}/updates", providers, apiChange(h, connection.RecordUpdate, h.update))

	rt.handle("GET /referrals/{id}/connections/new", caseworkers, h.newPage)
	rt.handle("POST /referrals/{id}/connections", caseworkers, h.createPage)
	rt.handle("GET /connections", providers, h.queuePage)
	rt.handle("GET /connections/{id}", answerers, h.detailPage)
	rt.handle("POST /connections/{id}/decision", answerers, h.pageChange(connection.RecordDecision, "decision", h.decideForm, "decision", "reason", "first_session"))
	rt.handle("POST /connections/{id}/attendance", answerers, h.pageChange(connection.RecordAttendance, "attendance", h.attendForm, "date", "attended"))
	rt.handle("POST /connections/{id}/status", answerers, h.pageChange(connection.RecordClose, "status", h.closeForm, "status", "close_reason"))
	rt.handle("POST /connections/{id}/update", providers, h.pageChange(connection.RecordUpdate, "update", h.updateForm, "message"))

	// The summary for the GP record when a referral closes: whoever may
	// read the referral (see handlers_summary.go).
	rt.handle("GET /referrals/{id}/summary", auth.Only(auth.Referrer, auth.LinkWorker, auth.Manager), s.summaryPage)

	// Answer links carry their own authority: the token is checked inside.
	rt.handle("GET /answer/{token}", auth.Public, h.answerPage)
	rt.handle("POST /answer/{token}", auth.Public, h.answer)
}
