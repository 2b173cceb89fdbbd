package fhir

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// Reads and searches. A referral's ServiceRequest, Task and Communication
// share one id, the referral's (ResourceID), so that a GP system holding
// one can find the others, and a Task's fullUrl in a search resolves with
// a read of /Task/{id}.

type resourceHead struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
}

// idPattern is R4's id type.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)

// ReadID is the referral a read of /{type}/{id} asks for, from the id in
// the path. An id that R4 would not allow names nothing: 404, the same as
// an id that names nothing here.
func ReadID(resourceType, id string) (string, *Problem) {
	if !idPattern.MatchString(id) || strings.Contains(id, "_") {
		return "", OperationOutcome(http.StatusNotFound, "not-found", fmt.Sprintf("There is no %s with that id.", resourceType), "")
	}
	return OikosID(id), nil
}

// searchParams are the parameters every search here understands besides
// based-on: FHIR's result parameters that change nothing for a search
// that finds at most one resource.
var searchParams = map[string]bool{"_format": true, "_count": true, "_summary": true, "_pretty": true, "_elements": true}

// BasedOnSearch reads a search for the resource that follows a
// ServiceRequest (GET /Task?based-on=ServiceRequest/{id}, and the same for
// Communication): it returns the referral's id. based-on may be written
// ServiceRequest/{id}, {base}/ServiceRequest/{id}, {id}, or with the type
// modifier (based-on:ServiceRequest={id}). Parameters Oikos does not
// support are ignored, as FHIR asks by default (search.html, "lenient"),
// unless the client sends Prefer: handling=strict, when they are refused.
func BasedOnSearch(resourceType string, q url.Values, prefer string) (string, *Problem) {
	var values []string
	var unknown []string
	for name, vs := range q {
		switch {
		case name == "based-on":
			values = append(values, vs...)
		case name == "based-on:ServiceRequest":
			for _, v := range vs {
				values = append(values, "ServiceRequest/"+v)
			}
		case !searchParams[name]:
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 && strictHandling(prefer) {
		sort.Strings(unknown)
		return "", OperationOutcome(http.StatusBadRequest, "not-supported",
			fmt.Sprintf("Oikos does not support the search parameter %s on %s: search by based-on=ServiceRequest/{id}.", truncate(strings.Join(unknown, ", "), 80), resourceType), "")
	}
	if len(values) != 1 || strings.Contains(values[0], ",") {
		return "", OperationOutcome(http.StatusBadRequest, "required",
			"Search for the "+resourceType+" by its ServiceRequest: based-on=ServiceRequest/{id}, once.", resourceType+".basedOn")
	}
	v := values[0]
	if i := strings.LastIndex(v, "/ServiceRequest/"); i >= 0 && strings.Contains(v[:i], "://") {
		v = v[i+1:] // an absolute reference: this server's base, or another's, which names nothing here
	}
	id, ok := strings.CutPrefix(v, "ServiceRequest/")
	if !ok && !strings.Contains(v, "/") {
		id, ok = v, true
	}
	if !ok || id == "" {
		return "", OperationOutcome(http.StatusBadRequest, "invalid",
			"based-on must name a ServiceRequest, like based-on=ServiceRequest/{id}.", resourceType+".basedOn")
	}
	return OikosID(id), nil
}

// strictHandling reads a Prefer header for handling=strict.
func strictHandling(prefer string) bool {
	for _, part := range strings.Split(prefer, ",") {
		for _, p := range strings.Split(part, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(k, "handling") && strings.EqualFold(strings.Trim(v, `"`), "strict") {
				return true
			}
		}
	}
	return false
}

// SearchSet is a searchset Bundle of the given resources, with fullUrls
// made from base (like "https://host/fhir"): each resolves with a read.
func SearchSet(base string, resources ...any) (Bundle, error) {
	total := len(resources)
	b := Bundle{ResourceType: "Bundle", Type: "searchset", Total: &total}
	for _, r := range resources {
		raw, err := json.Marshal(r)
		if err != nil {
			return b, err
		}
		var h resourceHead
		_ = json.Unmarshal(raw, &h)
		b.Entry = append(b.Entry, BundleEntry{FullURL: base + "/" + h.ResourceType + "/" + h.ID, Resource: raw, Search: &BundleSearch{Mode: "match"}})
	}
	return b, nil
}

// BasedOnSearchSet is the answer to BasedOnSearch: a searchset with a
// self link (the search as Oikos understood it) holding what was found.
func BasedOnSearchSet(base, resourceType, referralID string, found ...any) (Bundle, error) {
	b, err := SearchSet(base, found...)
	b.Link = []BundleLink{{Relation: "self", URL: base + "/" + resourceType + "?based-on=" + url.QueryEscape("ServiceRequest/"+ResourceID(referralID))}}
	return b, err
}
