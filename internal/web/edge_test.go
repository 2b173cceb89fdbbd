package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/web"
)

// TestMetricsNeedASetting: /metrics is not public. Without a token it is
// not there; with one, only a scraper that sends it gets the figures; and
// MetricsHandler serves them for a listener of their own.
func TestMetricsNeedASetting(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	if res := f.do("", "GET", "/metrics", ""); res.status != 404 || strings.Contains(res.body, "go_goroutines") {
		t.Fatalf("no setting: %d", res.status)
	}
	if res := f.do(auth.Admin, "GET", "/metrics", ""); res.status != 404 {
		t.Fatalf("no setting, as an administrator: %d", res.status)
	}
	rec := httptest.NewRecorder()
	f.server.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "oikos_password_hashers ") {
		t.Fatalf("metrics handler: %d", rec.Code)
	}

	f = newFixture(t, dbtest.SQLite(t), func(c *serverConfig) { c.MetricsToken = "scrape-secret" })
	for _, h := range []string{"", "Bearer wrong", "Bearer scrape-secretx", "Basic scrape-secret", "Bearer " + f.tokens[auth.Admin]} {
		req, _ := http.NewRequest("GET", f.ts.URL+"/metrics", nil)
		if h != "" {
			req.Header.Set("Authorization", h)
		}
		res := f.send(http.DefaultTransport, req)
		if code, _ := res.errorCode(t); res.status != 401 || code != "unauthorized" || strings.Contains(res.body, "go_goroutines") {
			t.Errorf("Authorization %q: %d %s", h, res.status, res.body)
		}
	}
	req, _ := http.NewRequest("GET", f.ts.URL+"/metrics", nil)
	req.Header.Set("Authorization", "bearer scrape-secret")
	if res := f.send(http.DefaultTransport, req); res.status != 200 || !strings.Contains(res.body, "go_goroutines") {
		t.Fatalf("with the token: %d", res.status)
	}
}

// TestCrossOriginRefusalsSpeakTheAPI: a refused cross-site request to the
// API answers the API's error body, and under /fhir an OperationOutcome.
func TestCrossOriginRefusalsSpeakTheAPI(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	for _, c := range []struct{ path, contentType, want string }{
		{"/api/v1/organisations", "application/json", `"code":"cross_origin"`},
		{"/fhir/ServiceRequest", "application/fhir+json", `"resourceType":"OperationOutcome"`},
		{"/sign-in", "text/html", "This form could not be sent"},
	} {
		req, _ := http.NewRequest(http.MethodPost, f.ts.URL+c.path, strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Origin", "https://evil.example")
		res := f.send(http.DefaultTransport, req)
		if res.status != http.StatusForbidden || !strings.HasPrefix(res.header.Get("Content-Type"), c.contentType) || !strings.Contains(res.body, c.want) {
			t.Errorf("%s: %d %q %s", c.path, res.status, res.header.Get("Content-Type"), res.body)
		}
	}
}

// TestJSONMustBeUTF8: bytes that are not UTF-8, or half a surrogate pair,
// inside a JSON string are refused, not stored as U+FFFD.
func TestJSONMustBeUTF8(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	for _, body := range []string{"{\"name\":\"Caf\xe9\",\"kind\":\"vcse\"}", `{"name":"Caf\udce9","kind":"vcse"}`} {
		res := f.do(auth.Admin, "POST", "/api/v1/organisations", body)
		if code, _ := res.errorCode(t); res.status != 400 || code != "malformed" {
			t.Errorf("%q: %d %s", body, res.status, res.body)
		}
	}
	if res := f.do(auth.Admin, "POST", "/api/v1/organisations", `{"name":"Café 😀 \ud83d\ude00","kind":"vcse"}`); res.status != 201 {
		t.Errorf("UTF-8 and a whole surrogate pair: %d %s", res.status, res.body)
	}
	req, _ := http.NewRequest("POST", f.ts.URL+"/fhir/ServiceRequest", strings.NewReader("{\"resourceType\":\"ServiceRequest\",\"note\":[{\"text\":\"\xff\"}]}"))
	req.Header.Set("Content-Type", "application/fhir+json")
	req.Header.Set("Authorization", "Bearer "+f.tokens[auth.Referrer])
	if res := f.send(http.DefaultTransport, req); res.status != 400 || !strings.Contains(res.body, "OperationOutcome") || !strings.Contains(res.body, "UTF-8") {
		t.Errorf("FHIR: %d %s", res.status, res.body)
	}
}

// TestTrustedProxies: behind a trusted proxy each person is counted by
// their own address (so one guesser does not lock out the office), and an
// IPv6 /64 counts as one; from anywhere else X-Forwarded-For is ignored.
func TestTrustedProxies(t *testing.T) {
	proxies, _ := web.ParseTrustedProxies("127.0.0.0/8, ::1")
	f := newFixture(t, dbtest.SQLite(t), func(c *serverConfig) { c.TrustedProxies = proxies; c.SignInsPerMinute = 3 })
	post := func(xff string) int {
		form := url.Values{"email": {"nobody@example.org"}, "password": {"wrong"}}
		req, _ := http.NewRequest("POST", f.ts.URL+"/sign-in", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", xff)
		return f.send(http.DefaultTransport, req).status
	}
	for range 3 {
		post("2001:db8:1:2::1")
	}
	// The same /64, another address: the same bucket.
	if s := post("2001:db8:1:2:ffff::9"); s != 429 {
		t.Fatalf("fourth attempt from one /64: %d", s)
	}
	// Someone else behind the proxy is not held up.
	if s := post("203.0.113.5"); s != 401 {
		t.Fatalf("another person behind the proxy: %d", s)
	}
	// A header the client wrote itself, left of the proxy's, changes nothing.
	if s := post("203.0.113.77, 2001:db8:1:2::1"); s != 429 {
		t.Fatalf("spoofed entry before the real one: %d", s)
	}

	// Without trusted proxies, the header is not believed.
	g := newFixture(t, dbtest.SQLite(t), func(c *serverConfig) { c.SignInsPerMinute = 2 })
	statuses := []int{}
	for i := range 3 {
		form := url.Values{"email": {"nobody@example.org"}, "password": {"wrong"}}
		req, _ := http.NewRequest("POST", g.ts.URL+"/sign-in", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", "203.0.113."+string(rune('1'+i)))
		statuses = append(statuses, g.send(http.DefaultTransport, req).status)
	}
	if statuses[2] != 429 {
		t.Fatalf("X-Forwarded-For believed from an untrusted peer: %v", statuses)
	}
}

// TestNextWithATab: the address a browser reads as another site's is not
// followed after signing in.
func TestNextWithATab(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	for _, next := range []string{"/\t/evil.example/x", "/\n/evil.example", "/%2F/evil.example", "\\/evil.example"} {
		b := f.browser()
		res := b.post("/sign-in", url.Values{"email": {"manager@example.org"}, "password": {testPassword}, "next": {next}})
		if loc := res.header.Get("Location"); res.status != http.StatusSeeOther || strings.Contains(loc, "evil") {
			t.Fatalf("next %q: %d %q", next, res.status, loc)
		}
	}
}

// TestTokensMadeForYouAreYours: a token an administrator makes for someone
// is listed on that person's account page, and they may revoke it.
func TestTokensMadeForYouAreYours(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		lw := f.users[auth.LinkWorker]
		res := f.do(auth.Admin, "POST", "/api/v1/users/"+lw.ID+"/tokens", `{"label":"Made by the admin"}`)
		if res.status != 201 {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		id, _ := res.json(t)["id"].(string)
		b := f.browser()
		enrol(t, b, lw.Email)
		page := b.get("/account")
		if page.status != 200 || !strings.Contains(page.body, "Made by the admin") || !strings.Contains(page.body, "/account/tokens/"+id+"/revoke") {
			t.Fatalf("account page does not list the token %s:\n%s", id, page.body)
		}
		if !regexp.MustCompile(`Made by the admin</td>\s*<td[^>]*>[^<]+</td>\s*<td[^>]*>Never</td>`).MatchString(page.body) {
			t.Errorf("token row lacks created and last used")
		}
		if res := b.post("/account/tokens/"+id+"/revoke", nil); res.status != http.StatusSeeOther {
			t.Fatalf("revoke: %d", res.status)
		}
	})
}

// TestBusyHashersAnswer429: when every password hasher is busy, signing in
// says so plainly with 429, rather than queueing without end.
func TestBusyHashersAnswer429(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	f.auth.Hashers = auth.NewHashers(1, 0, time.Millisecond)
	// Something slow takes the one hasher.
	go f.auth.Hashers.Hash(context.Background(), "x", auth.PasswordParams{Memory: 16 * 1024, Time: 40, Threads: 1, KeyLen: 32})
	for f.auth.Hashers.Stats().Runs == 0 {
		time.Sleep(time.Millisecond)
	}
	res := f.browser().post("/sign-in", url.Values{"email": {"manager@example.org"}, "password": {testPassword}})
	if res.status != http.StatusTooManyRequests || !strings.Contains(res.body, "busy") || !strings.Contains(res.body, "nhsuk-error-summary") {
		t.Fatalf("sign-in with the hashers busy: %d\n%s", res.status, res.body)
	}
	if f.auth.Hashers.Stats().Refused == 0 {
		t.Fatal("nothing refused")
	}
}
