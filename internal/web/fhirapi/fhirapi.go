// Package fhirapi is Oikos's FHIR R4 face for GP systems, under /fhir: a
// ServiceRequest becomes a referral, a Task follows it, and a
// Communication carries the summary for the GP record once it closes.
package fhirapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"oikos"
	"oikos/internal/app"
	"oikos/internal/auth"
	"oikos/internal/casefile"
	"oikos/internal/fhir"
	"oikos/internal/referral"
	"oikos/internal/web/httpx"
)

// The FHIR R4 door for GP systems. A POSTed ServiceRequest becomes a
// referral from a GP through the same referral.Store.Create as the JSON
// API. Consent is the extension fhir.ConsentExtension with valueBoolean
// true. GP systems retry, so a ServiceRequest is known by its sender and
// its identifier: sent again, it makes no second referral, and the answer
// is the first one with 200 OK, as for a FHIR conditional create that
// finds a match (If-None-Exist: identifier=system|value works too).

// API serves the FHIR routes (package web lists them) on the
// application's stores.
type API struct {
	app *app.App
	log *slog.Logger
}

// New is the FHIR API on a.
func New(a *app.App) *API { return &API{app: a, log: a.Log} }

// Write answers with the FHIR resource v.
func Write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", fhir.ContentType+"; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// error answers with an OperationOutcome; errors that are not
// *oikos.Error or *fhir.Problem are logged and answered with a bland 500.
func (a *API) error(w http.ResponseWriter, r *http.Request, err error) {
	var p *fhir.Problem
	if errors.As(err, &p) {
		Write(w, p.Status, p.Outcome)
		return
	}
	var e *oikos.Error
	if !errors.As(err, &e) {
		a.log.Error("internal error", "route", r.Pattern, "err", err)
		Write(w, http.StatusInternalServerError, fhir.Outcome("exception", "Something went wrong on our side. It has been logged; please try again."))
		return
	}
	status := httpx.StatusFor(e.Code)
	switch {
	case e.Code == oikos.EINVALID && len(e.Fields) > 0:
		Write(w, status, fhir.ValidationOutcome(e.Fields))
	case e.Code == oikos.ENOTFOUND:
		Write(w, status, fhir.Outcome("not-found", e.Message))
	case e.Code == oikos.ETOOLARGE:
		Write(w, status, fhir.Outcome("too-costly", e.Message))
	case e.Code == oikos.EMALFORMED:
		Write(w, status, fhir.Outcome("structure", e.Message))
	default:
		Write(w, status, fhir.Outcome("processing", e.Message))
	}
}

func base(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/fhir"
}

// CreateServiceRequest takes a ServiceRequest (or a Bundle of it and its Patient) as a referral from a GP.
func (a *API) CreateServiceRequest(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, fhir.ContentType) && !strings.HasPrefix(ct, "application/json") {
		Write(w, http.StatusUnsupportedMediaType, fhir.Outcome("not-supported", "Send the resource as JSON with Content-Type: application/fhir+json."))
		return
	}
	body, err := httpx.ReadBody(w, r)
	if err != nil {
		a.error(w, r, err)
		return
	}
	in, prob := fhir.ParseServiceRequest(body)
	if prob != nil {
		a.error(w, r, prob)
		return
	}
	p := httpx.Principal(r)
	referrerID := ""
	if auth.RefersAsThemselves(p) {
		referrerID = p.UserID
		in.Source.OrganisationID = p.OrganisationID
	}
	in.ExternalID = fhir.ExternalID(sender(p), in.ExternalID)
	if h := r.Header.Get("If-None-Exist"); h != "" {
		token, prob := fhir.IfNoneExist(h)
		if prob != nil {
			a.error(w, r, prob)
			return
		}
		first, err := a.app.Referrals.FindExternal(r.Context(), "fhir", fhir.ExternalID(sender(p), token))
		if err == nil {
			a.sentBefore(w, r, first)
			return
		}
		if oikos.ErrorCode(err) != oikos.ENOTFOUND {
			a.error(w, r, err)
			return
		}
	}
	ref, err := a.app.Referrals.Create(r.Context(), httpx.Actor(r), in, referrerID, "fhir")
	if errors.Is(err, referral.ErrAlreadyReceived) {
		a.sentBefore(w, r, ref)
		return
	}
	if err == nil {
		ref, err = a.app.Referrals.Get(r.Context(), ref.ID)
	}
	if err != nil {
		a.error(w, r, err)
		return
	}
	w.Header().Set("Location", "/fhir/ServiceRequest/"+fhir.ResourceID(ref.ID))
	Write(w, http.StatusCreated, fhir.ServiceRequestFor(casefile.ForCaller(p, ref)))
}

// sender is who a ServiceRequest's identifier belongs to: the caller's
// organisation, or the caller when they have none.
func sender(p *auth.Principal) string {
	if p.OrganisationID != "" {
		return p.OrganisationID
	}
	return p.UserID
}

// sentBefore answers a ServiceRequest received before with the first
// referral, 200 OK and its Location. A caller who may not read it (another
// user at the same organisation) learns only that it exists.
func (a *API) sentBefore(w http.ResponseWriter, r *http.Request, first referral.Referral) {
	p := httpx.Principal(r)
	if !auth.Can(p, auth.ReadAction, casefile.Object(first)) {
		Write(w, http.StatusConflict, fhir.Outcome("duplicate",
			"A ServiceRequest with this identifier was received before from your organisation, so no second referral was made.", "ServiceRequest.identifier"))
		return
	}
	if err := a.app.Referrals.RecordRead(r.Context(), httpx.Actor(r), first); err != nil {
		a.error(w, r, err)
		return
	}
	w.Header().Set("Location", "/fhir/ServiceRequest/"+fhir.ResourceID(first.ID))
	Write(w, http.StatusOK, fhir.ServiceRequestFor(casefile.ForCaller(p, first)))
}

// visible loads a referral the caller may read, recording the read, as
// the caller may see it.
func (a *API) visible(r *http.Request, id string) (referral.Referral, error) {
	p := httpx.Principal(r)
	ref, err := a.app.CaseFiles.Open(r.Context(), p, httpx.Actor(r), fhir.OikosID(id), auth.ReadAction)
	return casefile.ForCaller(p, ref), err
}

// GetServiceRequest is a referral the caller may read, as the ServiceRequest.
func (a *API) GetServiceRequest(w http.ResponseWriter, r *http.Request) {
	ref, err := a.visible(r, r.PathValue("id"))
	if err != nil {
		a.error(w, r, err)
		return
	}
	Write(w, http.StatusOK, fhir.ServiceRequestFor(ref))
}

// SearchTask finds the Task that follows a ServiceRequest (based-on=ServiceRequest/{id}).
func (a *API) SearchTask(w http.ResponseWriter, r *http.Request) {
	a.searchBasedOn(w, r, "Task", func(id string) (any, error) {
		ref, err := a.visible(r, id)
		if err != nil {
			return nil, err
		}
		return a.task(r, ref)
	})
}

// searchBasedOn answers a search for the one resource of a type that
// follows a ServiceRequest (based-on=ServiceRequest/{id}): a searchset
// Bundle holding what find returns, empty when find answers not found.
func (a *API) searchBasedOn(w http.ResponseWriter, r *http.Request, resourceType string, find func(id string) (any, error)) {
	id, ok := strings.CutPrefix(r.URL.Query().Get("based-on"), "ServiceRequest/")
	if !ok || id == "" {
		Write(w, http.StatusBadRequest, fhir.Outcome("required",
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
		a.error(w, r, err)
		return
	}
	b, err := fhir.SearchSet(base(r), found...)
	if err != nil {
		a.error(w, r, err)
		return
	}
	Write(w, http.StatusOK, b)
}

// task is the Task that follows a referral and its connections: the
// businessStatus names each connection's state, and lastModified is the
// last change to any of them.
func (a *API) task(r *http.Request, ref referral.Referral) (fhir.Task, error) {
	conns, err := a.taskConnections(r, ref)
	if err != nil {
		return fhir.Task{}, err
	}
	last, err := a.app.Connections.LastChange(r.Context(), ref.ID)
	if err != nil {
		return fhir.Task{}, err
	}
	return fhir.TaskFollowing(ref, conns, last), nil
}

// communication is the closure summary of a referral the caller may
// read, as a Communication: not found while it is open or when the
// referral did not come in through FHIR.
func (a *API) communication(r *http.Request, id string) (fhir.Communication, error) {
	ref, err := a.visible(r, id)
	if err != nil {
		return fhir.Communication{}, err
	}
	channel, err := a.app.Referrals.Channel(r.Context(), ref.ID)
	if err != nil {
		return fhir.Communication{}, err
	}
	if channel != "fhir" || ref.Status != referral.Closed {
		return fhir.Communication{}, oikos.NotFound("Communication")
	}
	sum, err := a.app.CaseFiles.Summary(r.Context(), httpx.Principal(r), httpx.Actor(r), ref, a.app.Config.ServiceName)
	if err != nil {
		return fhir.Communication{}, err
	}
	return fhir.CommunicationFor(sum), nil
}

// GetCommunication is the summary for the GP record of a closed referral.
func (a *API) GetCommunication(w http.ResponseWriter, r *http.Request) {
	c, err := a.communication(r, r.PathValue("id"))
	if err != nil {
		a.error(w, r, err)
		return
	}
	Write(w, http.StatusOK, c)
}

// SearchCommunication finds the summary of a ServiceRequest (based-on=ServiceRequest/{id}).
func (a *API) SearchCommunication(w http.ResponseWriter, r *http.Request) {
	a.searchBasedOn(w, r, "Communication", func(id string) (any, error) { return a.communication(r, id) })
}

// taskConnections are a referral's connections as its Task tells them,
// and when the referral or one of them last changed.
func (a *API) taskConnections(r *http.Request, ref referral.Referral) ([]fhir.ConnectionState, error) {
	conns, err := a.app.Connections.ForReferral(r.Context(), httpx.Actor(r), ref.ID)
	if err != nil {
		return nil, err
	}
	out := make([]fhir.ConnectionState, len(conns))
	for i, c := range conns {
		out[i] = fhir.ConnectionState{Service: c.ServiceName, State: c.PlainState()}
	}
	return out, nil
}
