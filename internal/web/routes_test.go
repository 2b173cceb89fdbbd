package web_test

import (
	"net/http"
	"strings"
	"testing"

	"oikos/internal/auth"
	"oikos/internal/db/dbtest"
)

// TestEveryRouteForEveryRole walks the whole router as each role and as an
// anonymous visitor. Every route must carry an access decision, and a caller
// the decision refuses must get 404 (or, anonymous, a request to sign in),
// never the handler. New routes are covered automatically.
func TestEveryRouteForEveryRole(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	routes := f.server.Routes()
	if len(routes) < 30 {
		t.Fatalf("only %d routes found", len(routes))
	}
	callers := append([]auth.Role{""}, auth.Roles...)
	for _, rt := range routes {
		if rt.Access.Name == "" {
			t.Errorf("%s %s has no access decision", rt.Method, rt.Path)
			continue
		}
		path := concretePath(rt.Path)
		for _, role := range callers {
			var p *auth.Principal
			if role != "" {
				p = f.users[role].Principal()
			}
			allowed := rt.Access.Allows(p)
			res := f.do(role, rt.Method, path, "")
			who := string(role)
			if who == "" {
				who = "anonymous"
			}
			switch {
			case res.status >= 500:
				t.Errorf("%s %s as %s: status %d", rt.Method, path, who, res.status)
			case allowed && res.status == http.StatusUnauthorized:
				t.Errorf("%s %s as %s: allowed by %q but got 401", rt.Method, path, who, rt.Access.Name)
			case !allowed && role == "" && (strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/fhir/")):
				if res.status != http.StatusUnauthorized {
					t.Errorf("%s %s as anonymous: status %d, want 401", rt.Method, path, res.status)
				}
			case !allowed && role == "" && rt.Method == http.MethodGet:
				signIn := "/sign-in?next="
				if rt.Access.IsPerson() {
					signIn = "/my/sign-in" // the person's own way in
				}
				if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), signIn) {
					t.Errorf("%s %s as anonymous: status %d to %q, want a redirect to sign in", rt.Method, path, res.status, res.header.Get("Location"))
				}
			case !allowed:
				if res.status != http.StatusNotFound {
					t.Errorf("%s %s as %s: status %d, want 404 (refused by %q)", rt.Method, path, who, res.status, rt.Access.Name)
				}
			}
		}
	}
}

// concretePath fills a route pattern's wildcards with a value that names
// nothing.
func concretePath(pattern string) string {
	var b strings.Builder
	for {
		i := strings.Index(pattern, "{")
		if i < 0 {
			b.WriteString(pattern)
			return b.String()
		}
		j := strings.Index(pattern[i:], "}")
		b.WriteString(pattern[:i])
		name := pattern[i+1 : i+j]
		switch {
		case name == "$":
		case strings.HasSuffix(name, "..."):
			b.WriteString("app.js")
		default:
			b.WriteString("nothing_here")
		}
		pattern = pattern[i+j+1:]
	}
}

func TestUnknownAddressesAnswer404(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	res := f.do("", http.MethodGet, "/no/such/page", "")
	if res.status != 404 || !strings.Contains(res.body, "Page not found") {
		t.Errorf("page: %d", res.status)
	}
	res = f.do(auth.Admin, http.MethodGet, "/api/v1/nothing", "")
	if code, _ := res.errorCode(t); res.status != 404 || code != "not_found" {
		t.Errorf("api: %d %s", res.status, res.body)
	}
}

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	for _, path := range []string{"/", "/sign-in", "/api/v1/me", "/nope"} {
		res := f.do("", http.MethodGet, path, "")
		for header, want := range map[string]string{
			"X-Content-Type-Options": "nosniff",
			"Referrer-Policy":        "no-referrer",
			"X-Frame-Options":        "DENY",
			"Cache-Control":          "no-store",
		} {
			if got := res.header.Get(header); got != want {
				t.Errorf("%s: %s = %q, want %q", path, header, got, want)
			}
		}
		csp := res.header.Get("Content-Security-Policy")
		for _, part := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, part) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, part)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP allows inline code", path)
		}
		if res.header.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS sent over plain HTTP", path)
		}
	}
	// Pages carry no inline script.
	home := f.do("", http.MethodGet, "/", "")
	if strings.Contains(home.body, "<script>") || strings.Contains(home.body, "onclick") {
		t.Error("inline script on the home page")
	}
}

func TestStaticAssetsAreCachedForAYear(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	home := f.do("", http.MethodGet, "/", "")
	i := strings.Index(home.body, `src="/static/`)
	if i < 0 {
		t.Fatal("no static script on the home page")
	}
	src := home.body[i+5:]
	src = src[:strings.Index(src, `"`)]
	res := f.do("", http.MethodGet, src, "")
	if res.status != 200 || !strings.Contains(res.header.Get("Cache-Control"), "immutable") {
		t.Errorf("%s: %d, Cache-Control %q", src, res.status, res.header.Get("Cache-Control"))
	}
	if ct := res.header.Get("Content-Type"); !strings.Contains(ct, "javascript") {
		t.Errorf("%s served as %q", src, ct)
	}
}

func TestCrossOriginFormPostsAreRefused(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	req, _ := http.NewRequest(http.MethodPost, f.ts.URL+"/sign-in", strings.NewReader("email=a%40b.org&password=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	res := f.send(http.DefaultTransport, req)
	if res.status != http.StatusForbidden {
		t.Errorf("cross-site post: %d", res.status)
	}
}
