// Package web is Oikos's HTTP surface: every route (routes.go), the page
// templates on the NHS.UK design system, the JSON API helpers, static assets
// and the middleware that wraps them all (security headers, sessions,
// access, logs and metrics). Domain rules live in the domain packages.
package web

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"oikos/internal/auth"
	"oikos/internal/casework"
	"oikos/internal/db"
	"oikos/internal/directory"
	"oikos/internal/notify"
	"oikos/internal/org"
	"oikos/internal/portal"
	"oikos/internal/referral"
)

// Config is what a Server needs.
type Config struct {
	DB     *db.DB
	Auth   *auth.Store
	Logger *slog.Logger
	// SecureCookies marks cookies Secure and sends HSTS; set it when Oikos is
	// served over HTTPS (directly or behind a proxy that terminates TLS).
	SecureCookies bool
	// ServiceName is shown in the header.
	ServiceName string
	// Registry receives the server's metrics; nil makes a new one.
	Registry *prometheus.Registry
	// SignInsPerMinute caps sign-in attempts per client address (default 20).
	SignInsPerMinute int
	// BaseURL is where people reach this server, for links in emails
	// (default http://127.0.0.1:8080).
	BaseURL string
	// DefaultScheme is the scheme a referral belongs to when several
	// exist and none covers the person's district (default: the first).
	DefaultScheme string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed; from anywhere else the connection's address is the client.
	TrustedProxies []netip.Prefix
	// MetricsToken, when set, opens GET /metrics on this handler to
	// Authorization: Bearer MetricsToken; unset, /metrics here is 404 (serve
	// MetricsHandler on a listener of its own instead).
	MetricsToken string
}

// Server serves Oikos over HTTP.
type Server struct {
	cfg     Config
	db      *db.DB
	auth    *auth.Store
	orgs    *org.Store
	dir     *directory.Store
	refs    *referral.Store
	cases   *casework.Store
	portal  *portal.Store
	log     *slog.Logger
	pages   *pages
	static  *staticAssets
	metrics *metrics
	handler http.Handler
	routes  []Route
	signIns *rateLimiter
	// selfRefs limits public self-referrals per client address.
	selfRefs *rateLimiter

	cleanupOnce sync.Once
}

// New builds a Server and its routes.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ServiceName == "" {
		cfg.ServiceName = "Oikos"
	}
	if cfg.SignInsPerMinute == 0 {
		cfg.SignInsPerMinute = 20
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://127.0.0.1:8080"
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
		cfg: cfg, db: cfg.DB, auth: cfg.Auth, orgs: &org.Store{DB: cfg.DB}, dir: directory.NewStore(cfg.DB), refs: referral.NewStore(cfg.DB), log: cfg.Logger,
		cases: casework.NewStore(cfg.DB), portal: portal.NewStore(cfg.DB),
		pages: pg, static: static,
		// Per client address: generous for people, tight for scripts.
		signIns:  newRateLimiter(cfg.SignInsPerMinute, time.Minute),
		selfRefs: newRateLimiter(10, 10*time.Minute),
	}
	s.refs.DefaultScheme = cfg.DefaultScheme
	// Who is told of a referral's assignment, acceptance or closure is
	// written to the outbox in the same transaction as the change.
	s.refs.OnChange = (&notify.Notifier{BaseURL: cfg.BaseURL, Log: cfg.Logger}).OnReferralChange
	// A closing referral closes its open connections in the same transaction.
	tellPeople, closeConnections := s.refs.OnChange, s.connectionStore().OnReferralChange
	s.refs.OnChange = func(ctx context.Context, tx *sql.Tx, c referral.Change) error {
		if err := tellPeople(ctx, tx, c); err != nil {
			return err
		}
		return closeConnections(ctx, tx, c)
	}
	s.cases.Referrals = s.refs // a reached contact moves its referral on with these hooks
	s.metrics = newMetrics(cfg.Registry, cfg.DB)
	if cfg.Auth != nil && cfg.Auth.Hashers != nil {
		cfg.Registry.MustRegister(hasherCollector{cfg.Auth.Hashers})
	}
	rt := &router{mux: http.NewServeMux(), s: s}
	s.addRoutes(rt)
	s.routes = rt.routes
	rt.mux.HandleFunc("/", s.notFound) // anything unrouted: the 404 page

	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(s.crossOriginRefused))
	var h http.Handler = rt.mux
	h = s.withPrincipal(h)
	h = s.refuseUnreadablePaths(h)
	h = csrf.Handler(h)
	h = s.recoverPanics(h)
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
