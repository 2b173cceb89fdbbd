package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"oikos"
)

// The routes that keep the service running: health, readiness and
// metrics.

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.db.Ping(ctx); err != nil {
		s.log.Warn("readiness check failed", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database not answering\n"))
		return
	}
	w.Write([]byte("ready\n"))
}

// metricsPage is /metrics on the main listener: there only when a metrics
// token is configured, and only to a scraper that sends it.
func (s *Server) metricsPage(w http.ResponseWriter, r *http.Request) {
	if s.cfg.MetricsToken == "" {
		s.notFound(w, r)
		return
	}
	// Comparing digests takes the same time whatever the token's length.
	want := sha256.Sum256([]byte(s.cfg.MetricsToken))
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	got := sha256.Sum256([]byte(strings.TrimSpace(token)))
	if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		s.apiError(w, r, &oikos.Error{Code: oikos.EUNAUTHORIZED, Message: "Send the metrics token (OIKOS_METRICS_TOKEN) as Authorization: Bearer TOKEN."})
		return
	}
	s.MetricsHandler().ServeHTTP(w, r)
}

// staticFile serves the embedded assets.
func (s *Server) staticFile(w http.ResponseWriter, r *http.Request) { s.static.serve(w, r) }

// favicon sends browsers that ask at the root to the icon's place.
func (s *Server) favicon(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, s.static.Prefix+"/vendor/assets/images/favicon.ico", http.StatusMovedPermanently)
}
