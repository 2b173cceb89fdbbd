// Package fhirapi is Oikos's FHIR R4 face for GP systems, under /fhir: a
// ServiceRequest becomes a referral, a Task follows it, and a
// Communication carries the summary for the GP record once it closes.
package fhirapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

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
	// since dates the CapabilityStatement: what this server offers
	// changes only with a new build, so the start of this one.
	since time.Time
}

// New is the FHIR API on a.
func New(a *app.App) *API {
	now := time.Now
	if a.Config.Now != nil {
		now = a.Config.Now
	}
	return &API{app: a, log: a.Log, since: now()}
}

// IsFHIR reports whether a request path is under the FHIR base, where
// every answer is FHIR: resources, or OperationOutcomes for the rest.
func IsFHIR(path string) bool { return path == "/fhir" || strings.HasPrefix(path, "/fhir/") }

// Write answers with the FHIR resource v.
func Write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", fhir.ContentType+"; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// WriteProblem answers with p's OperationOutcome and status; a 401 also
// says, as HTTP asks, how to authenticate.
func WriteProblem(w http.ResponseWriter, p *fhir.Problem) {
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="oikos"`)
	}
	Write(w, p.Status, p.Outcome)
}

// Error answers any error met under /fhir with an OperationOutcome
// (fhir.ErrorOutcome): a *fhir.Problem as it is, an *oikos.Error with the
// status the rest of the API gives its code, anything else a bland 500
// that is logged here.
func (a *API) Error(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	var e *oikos.Error
	var p *fhir.Problem
	switch {
	case errors.As(err, &p):
	case errors.As(err, &e) && e.Code != oikos.EINTERNAL:
		status = httpx.StatusFor(e.Code)
		httpx.SetRetryAfter(w, e) // a 429 says when to try again, as elsewhere
	default:
		a.log.Error("internal error", "route", r.Pattern, "err", err)
	}
	WriteProblem(w, fhir.ErrorOutcome(err, status))
}

// Unrouted answers a request under /fhir that no route takes: 405 with
// the methods the address does take (allow, from the router), else 404.
func (a *API) Unrouted(w http.ResponseWriter, r *http.Request, allow []string) {
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		WriteProblem(w, fhir.OperationOutcome(http.StatusMethodNotAllowed, "not-supported",
			fmt.Sprintf("Oikos does not support %s here: this address takes %s.", r.Method, strings.Join(allow, ", ")), ""))
		return
	}
	WriteProblem(w, fhir.OperationOutcome(http.StatusNotFound, "not-found",
		"There is nothing at this address in Oikos's FHIR API: GET /fhir/metadata lists what there is.", ""))
}

func base(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/fhir"
}

// Metadata is the CapabilityStatement, which FHIR clients read before
// anything else; it needs no authentication.
func (a *API) Metadata(w http.ResponseWriter, r *http.Request) {
	Write(w, http.StatusOK, fhir.CapabilityStatement(base(r), a.since))
}

// CreateServiceRequest takes a ServiceRequest (or a Bundle of it and its Patient) as a referral from a GP.
func (a *API) CreateServiceRequest(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, fhir.ContentType) && !strings.HasPrefix(ct, "application/json") {
		Write(w, http.StatusUnsupportedMediaType, fhir.Outcome("not-supported", "Send the resource as JSON with Content-Type: application/fhir+json."))
		return
	}
	body, err := httpx.ReadBody(w, r)
	if err != nil {
		a.Error(w, r, err)
		return
	}
	in, prob := fhir.ParseServiceRequest(body)
	if prob != nil {
		a.Error(w, r, prob)
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
			a.Error(w, r, prob)
			return
		}
		first, err := a.app.Referrals.FindExternal(r.Context(), "fhir", fhir.ExternalID(sender(p), token))
		if err == nil {
			a.sentBefore(w, r, first)
			return
		}
		if oikos.ErrorCode(err) != oikos.ENOTFOUND {
			a.Error(w, r, err)
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
		a.Error(w, r, err)
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
		a.Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/fhir/ServiceRequest/"+fhir.ResourceID(first.ID))
	Write(w, http.StatusOK, fhir.ServiceRequestFor(casefile.ForCaller(p, first)))
}

// visible loads a referral the caller may read, recording the read, as
// the caller may see it. id is the referral's own id (fhir.ReadID or
// fhir.BasedOnSearch found it).
func (a *API) visible(r *http.Request, id string) (referral.Referral, error) {
	p := httpx.Principal(r)
	ref, err := a.app.CaseFiles.Open(r.Context(), p, httpx.Actor(r), id, auth.ReadAction)
	return casefile.ForCaller(p, ref), err
}

// read answers GET /fhir/{type}/{id}: the referral the id names, if the
// caller may read it, as find makes it into the resource.
func (a *API) read(w http.ResponseWriter, r *http.Request, resourceType string, find func(referral.Referral) (any, error)) {
	id, prob := fhir.ReadID(resourceType, r.PathValue("id"))
	if prob != nil {
		WriteProblem(w, prob)
		return
	}
	ref, err := a.visible(r, id)
	var res any
	if err == nil {
		res, err = find(ref)
	}
	if oikos.ErrorCode(err) == oikos.ENOTFOUND {
		// Whatever was not found, say which resource: the client asked
		// for a Task or a Communication, not a referral.
		err = fhir.OperationOutcome(http.StatusNotFound, "not-found", fmt.Sprintf("There is no %s with that id.", resourceType), "")
	}
	if err != nil {
		a.Error(w, r, err)
		return
	}
	Write(w, http.StatusOK, res)
}

// GetServiceRequest is a referral the caller may read, as the ServiceRequest.
func (a *API) GetServiceRequest(w http.ResponseWriter, r *http.Request) {
	a.read(w, r, "ServiceRequest", func(ref referral.Referral) (any, error) { return fhir.ServiceRequestFor(ref), nil })
}

// GetTask is the Task that follows a referral the caller may read: the
// resource a search's fullUrl names.
func (a *API) GetTask(w http.ResponseWriter, r *http.Request) {
	a.read(w, r, "Task", func(ref referral.Referral) (any, error) { return a.task(r, ref) })
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
// follows a ServiceRequest (fhir.BasedOnSearch): a searchset Bundle
// holding what find returns, empty when find answers not found, which is
// also the answer for a referral the caller may not see.
func (a *API) searchBasedOn(w http.ResponseWriter, r *http.Request, resourceType string, find func(id string) (any, error)) {
	id, prob := fhir.BasedOnSearch(resourceType, r.URL.Query(), r.Header.Get("Prefer"))
	if prob != nil {
		WriteProblem(w, prob)
		return
	}
	var found []any
	res, err := find(id)
	switch {
	case err == nil:
		found = append(found, res)
	case oikos.ErrorCode(err) == oikos.ENOTFOUND:
	default:
		a.Error(w, r, err)
		return
	}
	b, err := fhir.BasedOnSearchSet(base(r), resourceType, id, found...)
	if err != nil {
		a.Error(w, r, err)
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
// read (visible), as a Communication: not found while it is open or when the
// referral did not come in through FHIR.
func (a *API) communication(r *http.Request, ref referral.Referral) (fhir.Communication, error) {
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
	a.read(w, r, "Communication", func(ref referral.Referral) (any, error) { return a.communication(r, ref) })
}

// SearchCommunication finds the summary of a ServiceRequest (based-on=ServiceRequest/{id}).
func (a *API) SearchCommunication(w http.ResponseWriter, r *http.Request) {
	a.searchBasedOn(w, r, "Communication", func(id string) (any, error) {
		ref, err := a.visible(r, id)
		if err != nil {
			return nil, err
		}
		return a.communication(r, ref)
	})
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
