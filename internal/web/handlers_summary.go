package web

import (
	"net/http"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/fhir"
	"oikos/internal/referral"
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
// person said or what providers wrote. It exists once the referral is
// closed.

// summaryPage is the printable letter for the GP record.
func (s *Server) summaryPage(w http.ResponseWriter, r *http.Request) {
	ref, err := s.visibleReferral(r, auth.ReadAction)
	var sum fhir.ClosureSummary
	if err == nil {
		sum, err = s.files.Summary(r.Context(), principal(r), actorOf(r), ref, s.app.Config.ServiceName)
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
		Received: ukDay(ref.ReceivedAt), Source: referral.SourceLabel(ref.SourceType)}})
}

// fhirCommunication is the closure summary of a referral the caller may
// read, as a Communication: not found while it is open or when the
// referral did not come in through FHIR.
func (s *Server) fhirCommunication(r *http.Request, id string) (fhir.Communication, error) {
	ref, err := s.fhirVisible(r, id)
	if err != nil {
		return fhir.Communication{}, err
	}
	channel, err := s.refs.Channel(r.Context(), ref.ID)
	if err != nil {
		return fhir.Communication{}, err
	}
	if channel != "fhir" || ref.Status != referral.Closed {
		return fhir.Communication{}, oikos.NotFound("Communication")
	}
	sum, err := s.files.Summary(r.Context(), principal(r), actorOf(r), ref, s.app.Config.ServiceName)
	if err != nil {
		return fhir.Communication{}, err
	}
	return fhir.CommunicationFor(sum), nil
}

func (s *Server) fhirGetCommunication(w http.ResponseWriter, r *http.Request) {
	c, err := s.fhirCommunication(r, r.PathValue("id"))
	if err != nil {
		s.fhirError(w, r, err)
		return
	}
	writeFHIR(w, http.StatusOK, c)
}

func (s *Server) fhirSearchCommunication(w http.ResponseWriter, r *http.Request) {
	s.fhirSearchBasedOn(w, r, "Communication", func(id string) (any, error) { return s.fhirCommunication(r, id) })
}

// taskConnections are a referral's connections as its Task tells them,
// and when the referral or one of them last changed.
func (s *Server) taskConnections(r *http.Request, ref referral.Referral) ([]fhir.ConnectionState, error) {
	conns, err := s.conns.ForReferral(r.Context(), actorOf(r), ref.ID)
	if err != nil {
		return nil, err
	}
	out := make([]fhir.ConnectionState, len(conns))
	for i, c := range conns {
		out[i] = fhir.ConnectionState{Service: c.ServiceName, State: c.PlainState()}
	}
	return out, nil
}
