package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/casefile"
	"oikos/internal/fhir"
	"oikos/internal/referral"
)

// The FHIR R4 door for GP systems. A POSTed ServiceRequest becomes a
// referral from a GP through the same referral.Store.Create as the JSON
// API. Consent is the extension fhir.ConsentExtension with valueBoolean
// true. GP systems retry, so a ServiceRequest is known by its sender and
// its identifier: sent again, it makes no second referral, and the answer
// is the first one with 200 OK, as for a FHIR conditional create that
// finds a match (If-None-Exist: identifier=system|value works too).

func writeFHIR(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", fhir.ContentType+"; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// fhirError answers with an OperationOutcome; errors that are not
// *oikos.Error or *fhir.Problem are logged and answered with a bland 500.
func (s *Server) fhirError(w http.ResponseWriter, r *http.Request, err error) {
	var p *fhir.Problem
	if errors.As(err, &p) {
		writeFHIR(w, p.Status, p.Outcome)
		return
	}
	var e *oikos.Error
	if !errors.As(err, &e) {
		s.log.Error("internal error", "route", r.Pattern, "err", err)
		writeFHIR(w, http.StatusInternalServerError, fhir.Outcome("exception", "Something went wrong on our side. It has been logged; please try again."))
		return
	}
	status := statusFor(e.Code)
	switch {
	case e.Code == oikos.EINVALID && len(e.Fields) > 0:
		writeFHIR(w, status, fhir.ValidationOutcome(e.Fields))
	case e.Code == oikos.ENOTFOUND:
		writeFHIR(w, status, fhir.Outcome("not-found", e.Message))
	case e.Code == oikos.ETOOLARGE:
		writeFHIR(w, status, fhir.Outcome("too-costly", e.Message))
	case e.Code == oikos.EMALFORMED:
		writeFHIR(w, status, fhir.Outcome("structure", e.Message))
	default:
		writeFHIR(w, status, fhir.Outcome("processing", e.Message))
	}
}

func fhirBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/fhir"
}

func (s *Server) fhirCreateServiceRequest(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, fhir.ContentType) && !strings.HasPrefix(ct, "application/json") {
		writeFHIR(w, http.StatusUnsupportedMediaType, fhir.Outcome("not-supported", "Send the resource as JSON with Content-Type: application/fhir+json."))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		err = jsonProblem(err)
	} else {
		err = checkJSONText(body)
	}
	if err != nil {
		s.fhirError(w, r, err)
		return
	}
	in, prob := fhir.ParseServiceRequest(body)
	if prob != nil {
		s.fhirError(w, r, prob)
		return
	}
	p := principal(r)
	referrerID := ""
	if auth.RefersAsThemselves(p) {
		referrerID = p.UserID
		in.Source.OrganisationID = p.OrganisationID
	}
	in.ExternalID = fhir.ExternalID(fhirSender(p), in.ExternalID)
	if h := r.Header.Get("If-None-Exist"); h != "" {
		token, prob := fhir.IfNoneExist(h)
		if prob != nil {
			s.fhirError(w, r, prob)
			return
		}
		first, err := s.refs.FindExternal(r.Context(), "fhir", fhir.ExternalID(fhirSender(p), token))
		if err == nil {
			s.fhirSentBefore(w, r, first)
			return
		}
		if oikos.ErrorCode(err) != oikos.ENOTFOUND {
			s.fhirError(w, r, err)
			return
		}
	}
	ref, err := s.refs.Create(r.Context(), actorOf(r), in, referrerID, "fhir")
	if errors.Is(err, referral.ErrAlreadyReceived) {
		s.fhirSentBefore(w, r, ref)
		return
	}
	if err == nil {
		ref, err = s.refs.Get(r.Context(), ref.ID)
	}
	if err != nil {
		s.fhirError(w, r, err)
		return
	}
	w.Header().Set("Location", "/fhir/ServiceRequest/"+fhir.ResourceID(ref.ID))
	writeFHIR(w, http.StatusCreated, fhir.ServiceRequestFor(casefile.ForCaller(p, ref)))
}

// fhirSender is who a ServiceRequest's identifier belongs to: the caller's
// organisation, or the caller when they have none.
func fhirSender(p *auth.Principal) string {
	if p.OrganisationID != "" {
		return p.OrganisationID
	}
	return p.UserID
}

// fhirSentBefore answers a ServiceRequest received before with the first
// referral, 200 OK and its Location. A caller who may not read it (another
// user at the same organisation) learns only that it exists.
func (s *Server) fhirSentBefore(w http.ResponseWriter, r *http.Request, first referral.Referral) {
	p := principal(r)
	if !auth.Can(p, auth.ReadAction, casefile.Object(first)) {
		writeFHIR(w, http.StatusConflict, fhir.Outcome("duplicate",
			"A ServiceRequest with this identifier was received before from your organisation, so no second referral was made.", "ServiceRequest.identifier"))
		return
	}
	if err := s.refs.RecordRead(r.Context(), actorOf(r), first); err != nil {
		s.fhirError(w, r, err)
		return
	}
	w.Header().Set("Location", "/fhir/ServiceRequest/"+fhir.ResourceID(first.ID))
	writeFHIR(w, http.StatusOK, fhir.ServiceRequestFor(casefile.ForCaller(p, first)))
}

// fhirVisible loads a referral the caller may read, recording the read.
func (s *Server) fhirVisible(r *http.Request, id string) (referral.Referral, error) {
	ref, err := s.refs.Get(r.Context(), fhir.OikosID(id))
	if err != nil {
		return ref, err
	}
	if !auth.Can(principal(r), auth.ReadAction, casefile.Object(ref)) {
		return referral.Referral{}, oikos.NotFound("Referral")
	}
	if err := s.refs.RecordRead(r.Context(), actorOf(r), ref); err != nil {
		return referral.Referral{}, err
	}
	return casefile.ForCaller(principal(r), ref), nil
}

func (s *Server) fhirGetServiceRequest(w http.ResponseWriter, r *http.Request) {
	ref, err := s.fhirVisible(r, r.PathValue("id"))
	if err != nil {
		s.fhirError(w, r, err)
		return
	}
	writeFHIR(w, http.StatusOK, fhir.ServiceRequestFor(ref))
}

func (s *Server) fhirSearchTask(w http.ResponseWriter, r *http.Request) {
	s.fhirSearchBasedOn(w, r, "Task", func(id string) (any, error) {
		ref, err := s.fhirVisible(r, id)
		if err != nil {
			return nil, err
		}
		return s.fhirTask(r, ref)
	})
}

// fhirSearchBasedOn answers a search for the one resource of a type that
// follows a ServiceRequest (based-on=ServiceRequest/{id}): a searchset
// Bundle holding what find returns, empty when find answers not found.
func (s *Server) fhirSearchBasedOn(w http.ResponseWriter, r *http.Request, resourceType string, find func(id string) (any, error)) {
	id, ok := strings.CutPrefix(r.URL.Query().Get("based-on"), "ServiceRequest/")
	if !ok || id == "" {
		writeFHIR(w, http.StatusBadRequest, fhir.Outcome("required",
			"Search for the "+resourceType+" by its ServiceRequest: based-on=ServiceRequest/{id}.", resourceType+".basedOn"))
		return
	}
	var found []any
	res, err := find(id)
	var e *oikos.Error
	switch {
	case err == nil:
		found = append(found, res)
	case errors.As(err, &e) && e.Code == oikos.ENOTFOUND:
	default:
		s.fhirError(w, r, err)
		return
	}
	b, err := fhir.SearchSet(fhirBase(r), found...)
	if err != nil {
		s.fhirError(w, r, err)
		return
	}
	writeFHIR(w, http.StatusOK, b)
}

// fhirTask is the Task that follows a referral and its connections: the
// businessStatus names each connection's state, and lastModified is the
// last change to any of them.
func (s *Server) fhirTask(r *http.Request, ref referral.Referral) (fhir.Task, error) {
	conns, err := s.taskConnections(r, ref)
	if err != nil {
		return fhir.Task{}, err
	}
	last, err := s.conns.LastChange(r.Context(), ref.ID)
	if err != nil {
		return fhir.Task{}, err
	}
	return fhir.TaskFollowing(ref, conns, last), nil
}
