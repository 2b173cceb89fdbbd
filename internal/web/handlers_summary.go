package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/fhir"
	"oikos/internal/outcome"
	"oikos/internal/referral"
	"oikos/internal/taxonomy"
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

// errStillOpen answers a summary asked for before the referral closed.
var errStillOpen = &oikos.Error{Code: oikos.ECONFLICT,
	Message: "The summary for the GP record is written when the referral closes. This referral is still open."}

// closureSummary gathers what the GP record is told of a closed referral
// the caller may read. Each part read is audited by its store.
func (s *Server) closureSummary(r *http.Request, ref referral.Referral) (fhir.ClosureSummary, error) {
	ctx, by := r.Context(), refActor(r)
	if ref.Status != referral.Closed {
		return fhir.ClosureSummary{}, errStillOpen
	}
	sum := fhir.ClosureSummary{Referral: referralFor(principal(r), ref), Outcome: referral.CloseReasonLabel(ref.ClosedReason), Scheme: s.app.Config.ServiceName}
	if ref.AssignedTo != "" {
		if u, err := s.auth.GetUser(ctx, ref.AssignedTo); err == nil {
			sum.LinkWorker = u.Name
		}
	}
	// Needs addressed: those talked about in the what-matters
	// conversations, else the reasons for the referral.
	conversations, err := s.cases.Conversations(ctx, by, ref.ID)
	if err != nil {
		return sum, err
	}
	for _, c := range conversations {
		for _, n := range c.Needs {
			if !slices.Contains(sum.NeedsAddressed, n.Label) {
				sum.NeedsAddressed = append(sum.NeedsAddressed, n.Label)
			}
		}
	}
	if len(sum.NeedsAddressed) == 0 {
		for _, code := range ref.Reasons {
			if n, ok := taxonomy.NeedByCode(code); ok {
				sum.NeedsAddressed = append(sum.NeedsAddressed, n.Label)
			}
		}
	}
	conns, err := s.conns.ForReferral(ctx, by, ref.ID)
	if err != nil {
		return sum, err
	}
	for _, c := range conns {
		sum.Activities = append(sum.Activities, fhir.Activity{Service: c.ServiceName, Organisation: c.OrganisationName,
			State: c.PlainState(), Sessions: c.SessionsAttended})
	}
	measures, err := s.outcomes.List(ctx, by, ref.ID)
	if err != nil {
		return sum, err
	}
	sum.Measures = measureChanges(measures)
	return sum, nil
}

// measureChanges compares, for each instrument, the baseline with the
// latest later answers, in words.
func measureChanges(taken []outcome.Measure) []fhir.MeasureChange {
	var out []fhir.MeasureChange
	for _, in := range outcome.Instruments {
		var baseline, latest outcome.Score
		for _, m := range taken {
			switch {
			case m.Instrument != in.Code || len(m.Score) == 0:
			case m.Timepoint == outcome.Baseline && baseline == nil:
				baseline = m.Score
			case m.Timepoint != outcome.Baseline && baseline != nil:
				latest = m.Score
			}
		}
		if baseline == nil || latest == nil {
			continue
		}
		out = append(out, fhir.MeasureChange{Instrument: in.Name, Baseline: scoresText(in, baseline), Latest: scoresText(in, latest),
			Change: changeText(in.Code, baseline, latest), Improved: outcome.Improved(in.Code, baseline, latest)})
	}
	return out
}

// scoresText is an instrument's compared scores in words, like "Life
// satisfaction 4, Anxiety 7".
func scoresText(in outcome.Instrument, score outcome.Score) string {
	var parts []string
	for _, c := range outcome.Changes[in.Code] {
		if v, ok := score[c.Score]; ok {
			parts = append(parts, scoreLabels[c.Score]+" "+strconv.FormatFloat(v, 'f', -1, 64))
		}
	}
	return strings.Join(parts, ", ")
}

// summaryPage is the printable letter for the GP record.
func (s *Server) summaryPage(w http.ResponseWriter, r *http.Request) {
	ref, err := s.visibleReferral(r, auth.ReadAction)
	var sum fhir.ClosureSummary
	if err == nil {
		sum, err = s.closureSummary(r, ref)
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	outcomeCode, hasOutcomeCode := sum.OutcomeCode()
	ref = sum.Referral // as the caller may see it: for a referrer, the person as they sent them
	s.render(w, r, http.StatusOK, "gp_summary", &page{Title: "Social prescribing summary for the GP record", Data: map[string]any{
		"Summary": sum, "Person": ref.Person, "NHS": referral.FormatNHSNumber(ref.Person.NHSNumber), "ClosedOn": formatDate(sum.ClosedOn()),
		"ReferralCode": sum.ReferralCode(), "OutcomeCode": outcomeCode, "HasOutcomeCode": hasOutcomeCode,
		"Received": ukDay(ref.ReceivedAt), "Source": referral.SourceLabel(ref.SourceType)}})
}

// fhirChannel reports whether a referral came in as a FHIR ServiceRequest:
// only those have a ServiceRequest for a Communication to be based on.
func (s *Server) fhirChannel(r *http.Request, referralID string) (bool, error) {
	var channel string
	err := s.db.R().QueryRowContext(r.Context(), "SELECT channel FROM referrals WHERE id = $1", referralID).Scan(&channel)
	return channel == "fhir", err
}

// fhirCommunication is the closure summary of a referral the caller may
// read, as a Communication: not found while it is open or when the
// referral did not come in through FHIR.
func (s *Server) fhirCommunication(r *http.Request, id string) (fhir.Communication, error) {
	ref, err := s.fhirVisible(r, id)
	if err != nil {
		return fhir.Communication{}, err
	}
	fromFHIR, err := s.fhirChannel(r, ref.ID)
	if err != nil {
		return fhir.Communication{}, err
	}
	if !fromFHIR || ref.Status != referral.Closed {
		return fhir.Communication{}, oikos.NotFound("Communication")
	}
	sum, err := s.closureSummary(r, ref)
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
	conns, err := s.conns.ForReferral(r.Context(), refActor(r), ref.ID)
	if err != nil {
		return nil, err
	}
	out := make([]fhir.ConnectionState, len(conns))
	for i, c := range conns {
		out[i] = fhir.ConnectionState{Service: c.ServiceName, State: c.PlainState()}
	}
	return out, nil
}
