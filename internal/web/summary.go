package web

import (
	"net/http"

	"oikos/internal/auth"
	"oikos/internal/fhir"
	"oikos/internal/referral"
	"oikos/internal/web/httpx"
)

// The summary for the GP record when a referral closes: a printable letter
// at /referrals/{id}/summary and the FHIR Communication, built from one
// fhir.ClosureSummary so that they always say the same.
//
// Who may read it: whoever may read the referral (auth.Can ReadAction): a
// manager, the link worker it is assigned to, and the referrer who made it.
// The referrer is who the summary is for: it is what goes to the GP record,
// the same as the Communication the FHIR routes give them. It holds the
// outcome, needs, services and scores in words, never notes, what the
// person said or what providers wrote, and the needs, services and scores
// only if the person chose to share the summary in full (referral.GPShare);
// otherwise the codes and the outcome. It exists once the referral is
// closed.

// summaryPage is the printable letter for the GP record.
func (s *Server) summaryPage(w http.ResponseWriter, r *http.Request) {
	ref, err := s.visibleReferral(r, auth.ReadAction)
	var sum fhir.ClosureSummary
	if err == nil {
		sum, err = s.files.Summary(r.Context(), httpx.Principal(r), httpx.Actor(r), ref, s.app.Config.ServiceName)
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	outcomeCode, hasOutcomeCode := sum.OutcomeCode()
	ref = sum.Referral // as the caller may see it: for a referrer, the person as they sent them
	s.render(w, r, http.StatusOK, "gp_summary", &page{Title: "Social prescribing summary for the GP record", Data: gpSummaryPage{
		Summary: sum, Person: ref.Person, NHS: referral.FormatNHSNumber(ref.Person.NHSNumber), ClosedOn: formatDate(sum.ClosedOn()),
		ReferralCode: sum.ReferralCode(), OutcomeCode: outcomeCode, HasOutcomeCode: hasOutcomeCode,
		Received: ukDay(ref.ReceivedAt), Source: referral.SourceLabel(ref.SourceType), Chosen: ref.GPShare != referral.GPShareUnset}})
}
