package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/web/httpx"
)

const sessionCookie = "oikos_session"

type ctxKey int

const (
	sessionKey ctxKey = iota
	patternKey
)

// partialSession is a session part way through signing in, if any.
func partialSession(r *http.Request) (auth.Session, bool) {
	s, ok := r.Context().Value(sessionKey).(auth.Session)
	return s, ok
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// withPrincipal works out who is calling: an API bearer token, or a
// browser session cookie.
func (s *Server) withPrincipal(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" {
			next.ServeHTTP(w, r) // its bearer token is the metrics token, not a user's
			return
		}
		ctx := r.Context()
		if h := r.Header.Get("Authorization"); h != "" {
			scheme, token, _ := strings.Cut(h, " ")
			if !strings.EqualFold(scheme, "Bearer") {
				s.apiError(w, r, errBadAuthorization)
				return
			}
			u, err := s.auth.TokenUser(ctx, strings.TrimSpace(token))
			if err != nil {
				s.apiError(w, r, err)
				return
			}
			next.ServeHTTP(w, r.WithContext(httpx.WithPrincipal(ctx, u.Principal())))
			return
		}
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			sess, u, err := s.auth.LookupSession(ctx, c.Value)
			switch {
			case err != nil:
				s.clearSessionCookie(w)
			case sess.Stage == auth.StageFull:
				p := u.Principal()
				p.SessionHash = sess.TokenHash
				ctx = httpx.WithPrincipal(ctx, p)
			default:
				ctx = context.WithValue(ctx, sessionKey, sess)
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (s *Server) setSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode,
		// No Expires: the cookie ends with the browser, the session with
		// inactivity on the server.
	})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true,
		Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// contentSecurityPolicy allows nothing inline and nothing from elsewhere.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		// Set-up links carry a secret in the address: never send it onward.
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if r.TLS != nil || s.cfg.SecureCookies {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			// Pages hold personal data: keep them out of shared caches and
			// the browser's back-forward history after sign-out.
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic serving request", "route", r.Pattern, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				s.internalError(w, r)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// statusRecorder notes the status and size a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func newRequestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// observe logs each request and counts it in the metrics. Logs carry the
// route pattern, never the query string or form values, so no personal data.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := newRequestID()
		w.Header().Set("X-Request-Id", id)
		rec := &statusRecorder{ResponseWriter: w}
		// The mux sets r.Pattern only on the request it passes down, so the
		// gate writes the matched route back through this pointer.
		var pattern string
		r = r.WithContext(context.WithValue(r.Context(), patternKey, &pattern))
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		route := pattern
		if route == "" {
			route = "unmatched"
		}
		elapsed := time.Since(start)
		s.metrics.observe(r.Method, route, rec.status, elapsed)
		level := slog.LevelInfo
		if rec.status >= 500 {
			level = slog.LevelError
		}
		s.log.LogAttrs(r.Context(), level, "request",
			slog.String("id", id), slog.String("method", r.Method), slog.String("route", route),
			slog.Int("status", rec.status), slog.Int("bytes", rec.bytes),
			slog.Duration("duration", elapsed))
	})
}

// notePattern records the matched route for the request log; the gate calls
// it because only the mux knows the pattern.
func notePattern(r *http.Request) {
	if p, ok := r.Context().Value(patternKey).(*string); ok && r.Pattern != "" {
		*p = r.Pattern
	}
}

// rateLimiter is a fixed-window counter per key, held in memory: it guards
// public forms and the sign-in page against floods. (Failed sign-ins are
// counted in the database too, so locks hold across replicas.)
type rateLimiter struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	seen   map[string]*windowCount
}

type windowCount struct {
	start time.Time
	n     int
}

func newRateLimiter(limit int, window time.Duration) *rateLimiter {
	return &rateLimiter{limit: limit, window: window, seen: map[string]*windowCount{}}
}

// allow counts one request for key and reports whether it is within limits.
func (l *rateLimiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.seen[key]
	if c == nil || now.Sub(c.start) >= l.window {
		c = &windowCount{start: now}
		l.seen[key] = c
	}
	c.n++
	return c.n <= l.limit
}

func (l *rateLimiter) forgetIdle() {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	for k, c := range l.seen {
		if now.Sub(c.start) >= l.window {
			delete(l.seen, k)
		}
	}
}

// refuseUnreadablePaths answers 404 for addresses holding control
// characters or invalid UTF-8: nothing can live there, and such ids must
// never reach the database (PostgreSQL refuses NUL bytes).
func (s *Server) refuseUnreadablePaths(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !oikos.PlainText(r.URL.Path, false) {
			s.notFound(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}
