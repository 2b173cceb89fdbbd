package web

import (
	"net/http"

	"oikos/internal/auth"
)

// addCaseworkRoutes registers contacts, the what-matters conversation, the
// plan and the caseload, as API and pages. Each handler then looks the
// referral up for a change: a link worker reaches their own caseload and
// the unassigned queue, never another's.
func (s *Server) addCaseworkRoutes(rt *router) {
	caseworkers := auth.Only(auth.LinkWorker, auth.Manager)
	rt.handle("POST /api/v1/referrals/{id}/contacts", caseworkers, caseWrite(s, http.StatusCreated, s.apiRecordContact))
	rt.handle("GET /api/v1/referrals/{id}/contacts", caseworkers, caseRead(s, s.apiContacts))
	rt.handle("POST /api/v1/referrals/{id}/conversations", caseworkers, caseWrite(s, http.StatusCreated, s.apiRecordConversation))
	rt.handle("GET /api/v1/referrals/{id}/conversations", caseworkers, caseRead(s, s.apiConversations))
	rt.handle("GET /api/v1/referrals/{id}/plan", caseworkers, caseRead(s, s.apiGetPlan))
	rt.handle("PUT /api/v1/referrals/{id}/plan", caseworkers, caseWrite(s, http.StatusOK, s.apiPutPlan))
	rt.handle("POST /api/v1/referrals/{id}/plan/progress", caseworkers, caseWrite(s, http.StatusOK, s.apiPlanProgress))

	rt.handle("GET /caseload", caseworkers, s.caseloadPage)
	rt.handle("GET /referrals/{id}/contacts/new", caseworkers, s.contactNew)
	rt.handle("POST /referrals/{id}/contacts/new", caseworkers, s.contactCreate)
	rt.handle("GET /referrals/{id}/conversation/new", caseworkers, s.conversationNew)
	rt.handle("POST /referrals/{id}/conversation/new", caseworkers, s.conversationCreate)
	rt.handle("GET /referrals/{id}/plan", caseworkers, s.planEdit)
	rt.handle("POST /referrals/{id}/plan", caseworkers, s.planSave)
}
