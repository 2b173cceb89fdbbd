// Package httpx is what Oikos's HTTP faces share (the web pages and JSON
// API in package web, the FHIR and Open Referral APIs in fhirapi and
// orukapi): the route type with its access rule, who is calling, JSON in
// and out, and the one mapping of error codes to HTTP statuses.
package httpx

import (
	"context"
	"net/http"

	"oikos"
	"oikos/internal/auth"
)

// Route is one entry of the HTTP surface, with the rule that guards it.
type Route struct {
	Method  string
	Path    string
	Access  auth.Access
	Handler http.Handler
}

type ctxKey int

const (
	principalKey ctxKey = iota
	clientKey
)

// WithPrincipal is ctx carrying the signed-in caller.
func WithPrincipal(ctx context.Context, p *auth.Principal) context.Context {
	return context.WithValue(ctx, principalKey, p)
}

// Principal is the signed-in caller, or nil.
func Principal(r *http.Request) *auth.Principal {
	p, _ := r.Context().Value(principalKey).(*auth.Principal)
	return p
}

// WithClient is ctx carrying the caller's address, worked out once.
func WithClient(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientKey, addr)
}

// ClientAddress is the caller's address, in full, for the audit log.
func ClientAddress(r *http.Request) string {
	if a, ok := r.Context().Value(clientKey).(string); ok {
		return a
	}
	return r.RemoteAddr
}

// ClientGroup is what per-client limits count: the address, or its /64
// for IPv6.
func ClientGroup(r *http.Request) string { return auth.ClientGroup(ClientAddress(r)) }

// Actor is the caller as the audit log records them.
func Actor(r *http.Request) oikos.Actor {
	a := oikos.Actor{UserID: "anonymous", Client: ClientAddress(r)}
	if p := Principal(r); p != nil {
		a.UserID = p.UserID
	}
	return a
}
