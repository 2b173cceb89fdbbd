// Package web is Oikos's HTTP surface: every route with its access rule
// (routes.go), the pages on the NHS.UK design system with their typed data
// (page_data.go), the JSON API, static assets and the middleware that
// wraps them all (security headers, sessions, access, logs and metrics).
// The FHIR and Open Referral faces are packages of their own (fhirapi,
// orukapi) over httpx; the rules live in the domain packages, reached
// through the stores of one app.App.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"oikos/internal/app"
	"oikos/internal/auth"
	"oikos/internal/casefile"
	"oikos/internal/casework"
	"oikos/internal/community"
	"oikos/internal/connection"
	"oikos/internal/db"
	"oikos/internal/directory"
	"oikos/internal/org"
	"oikos/internal/outcome"
	"oikos/internal/portal"
	"oikos/internal/privacy"
	"oikos/internal/referral"
	"oikos/internal/web/fhirapi"
	"oikos/internal/web/orukapi"
)

// Config is what the HTTP layer needs beyond the application.
type Config struct {
	// SecureCookies marks cookies Secure and sends HSTS; set it when Oikos is
	// served over HTTPS (directly or behind a proxy that terminates TLS).
	SecureCookies bool
	// Registry receives the server's metrics; nil makes a new one.
	Registry *prometheus.Registry
	// SignInsPerMinute caps sign-in attempts per client address (default 20).
	SignInsPerMinute int
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed; from anywhere else the connection's address is the client.
	TrustedProxies []netip.Prefix
	// MetricsToken, when set, opens GET /metrics on this handler to
	// Authorization: Bearer MetricsToken; unset, /metrics here is 404 (serve
	// MetricsHandler on a listener of its own instead).
	MetricsToken string
}

// Server serves Oikos over HTTP. Its stores are the application's: it
// builds none of its own.
type Server struct {
	cfg      Config
	app      *app.App
	db       *db.DB
	auth     *auth.Store
	orgs     *org.Store
	dir      *directory.Store
	refs     *referral.Store
	cases    *casework.Store
	conns    *connection.Store
	suggest  *connection.Suggester
	outcomes *outcome.Store
	portal   *portal.Store
	privacy  *privacy.Store
	files    *casefile.Reader
	safe     *community.Safeguarding
	vol      *community.Volunteering
	fhir     *fhirapi.API
	oruk     *orukapi.API
	log      *slog.Logger
	pages    *pages
	static   *staticAssets
	metrics  *metrics
	handler  http.Handler
	mux      *http.ServeMux
	routes   []Route
	// access is each route's rule, by "METHOD PATH".
	access  map[string]auth.Access
	signIns *rateLimiter
	// selfRefs limits public self-referrals per client address.
	selfRefs *rateLimiter
	// codeFailures counts the person's wrong sign-in codes per client
	// address: ten in ten minutes and it must wait.
	codeFailures *failureThrottle
}

// New builds a Server and its routes on the application a.
func New(a *app.App, cfg Config) (*Server, error) {
	if cfg.SignInsPerMinute == 0 {
		cfg.SignInsPerMinute = 20
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	static, err := loadStatic()
	if err != nil {
		return nil, err
	}
	pg, err := loadPages(static.Prefix)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg, app: a, db: a.DB, auth: a.Auth, orgs: a.Orgs, dir: a.Directory, refs: a.Referrals, cases: a.Casework,
		conns: a.Connections, suggest: a.Suggester, outcomes: a.Outcomes, portal: a.Portal, privacy: a.Privacy, files: a.CaseFiles, log: a.Log,
		safe: a.Safeguarding, vol: a.Volunteering,
		fhir: fhirapi.New(a), oruk: orukapi.New(a), pages: pg, static: static,
		// Per client address: generous for people, tight for scripts.
		signIns:      newRateLimiter(cfg.SignInsPerMinute, time.Minute),
		selfRefs:     newRateLimiter(10, 10*time.Minute),
		codeFailures: newFailureThrottle(10, 10*time.Minute),
	}
	s.metrics = newMetrics(cfg.Registry, a.DB)
	if a.Auth != nil && a.Auth.Hashers != nil {
		cfg.Registry.MustRegister(hasherCollector{a.Auth.Hashers})
	}
	rt := &router{mux: http.NewServeMux(), s: s}
	s.addRoutes(rt)
	s.routes, s.mux = rt.routes, rt.mux
	s.access = map[string]auth.Access{}
	for _, route := range rt.routes {
		s.access[route.Method+" "+route.Path] = route.Access
	}
	rt.mux.HandleFunc("/", s.notFound) // anything unrouted: the 404 page

	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(s.crossOriginRefused))
	var h http.Handler = rt.mux
	h = s.withPrincipal(h)
	h = s.refuseUnreadablePaths(h)
	h = csrf.Handler(h)
	h = s.recoverPanics(h)
	h = s.compress(h)
	h = s.securityHeaders(h)
	h = s.withClient(h)
	h = s.observe(h)
	s.handler = h
	return s, nil
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Housekeeping deletes expired sessions every few minutes until ctx ends.
func (s *Server) Housekeeping(ctx context.Context) {
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	for {
		if err := s.auth.DeleteExpiredSessions(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("delete expired sessions", "err", err)
		}
		if err := s.portal.DeleteExpired(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("delete expired sign-in links, codes and sessions of people", "err", err)
		}
		s.signIns.forgetIdle()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
