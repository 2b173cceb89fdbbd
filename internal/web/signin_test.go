package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

var secretPattern = regexp.MustCompile(`id="totp-secret">([A-Z2-7 ]+)<`)

// enrol signs b in as the user with the password and sets up TOTP,
// returning the TOTP secret and the recovery codes.
func enrol(t *testing.T, b *browser, email string) (string, []string) {
	t.Helper()
	res := b.post("/sign-in", url.Values{"email": {email}, "password": {testPassword}, "next": {"/account"}})
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/sign-in/two-factor") {
		t.Fatalf("password step: %d %q %s", res.status, res.header.Get("Location"), res.body)
	}
	partial := b.sessionCookie()
	page := b.get(res.header.Get("Location"))
	m := secretPattern.FindStringSubmatch(page.body)
	if page.status != 200 || m == nil || !strings.Contains(page.body, "<svg class=\"oikos-qr\"") {
		t.Fatalf("enrolment page: %d\n%s", page.status, page.body)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	// Home needs a full session; a half-signed-in browser is sent to sign in.
	if res := b.get("/account"); res.status != http.StatusSeeOther {
		t.Fatalf("account page before the second factor: %d", res.status)
	}
	if res := b.post("/sign-in/two-factor", url.Values{"code": {"000000"}}); res.status != 422 || !strings.Contains(res.body, "nhsuk-error-summary") {
		t.Fatalf("wrong enrolment code: %d", res.status)
	}
	code, _ := auth.TOTPCode(secret, auth.TOTPStep(time.Now()))
	res = b.post("/sign-in/two-factor", url.Values{"code": {code}, "next": {"/account"}})
	if res.status != 200 || !strings.Contains(res.body, `id="recovery-codes"`) {
		t.Fatalf("confirm enrolment: %d\n%s", res.status, res.body)
	}
	if b.sessionCookie() == partial || b.sessionCookie() == "" {
		t.Fatal("session secret not rotated at sign-in")
	}
	codes := regexp.MustCompile(`<li>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</li>`).FindAllStringSubmatch(res.body, -1)
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes shown", len(codes))
	}
	var out []string
	for _, c := range codes {
		out = append(out, c[1])
	}
	return secret, out
}

func TestSignInJourney(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		b := f.browser()
		if res := b.get("/admin/users"); res.status != http.StatusSeeOther || res.header.Get("Location") != "/sign-in?next=%2Fadmin%2Fusers" {
			t.Fatalf("signed out: %d %q", res.status, res.header.Get("Location"))
		}
		_, codes := enrol(t, b, "admin@example.org")
		if res := b.get("/admin/users"); res.status != 200 || !strings.Contains(res.body, "Test link_worker") {
			t.Fatalf("admin users page: %d", res.status)
		}
		if res := b.get("/"); !strings.Contains(res.body, "Hello, Test admin") {
			t.Fatal("admin home page")
		}
		if res := b.post("/sign-out", nil); res.status != http.StatusSeeOther {
			t.Fatalf("sign out: %d", res.status)
		}
		if res := b.get("/admin/users"); res.status != http.StatusSeeOther {
			t.Fatal("still signed in after signing out")
		}

		// Second sign-in: the code page, a wrong code, then a recovery code.
		res := b.post("/sign-in", url.Values{"email": {"ADMIN@example.org"}, "password": {testPassword}})
		if res.header.Get("Location") != "/sign-in/code" {
			t.Fatalf("enrolled user's password step goes to %q", res.header.Get("Location"))
		}
		if res := b.post("/sign-in/code", url.Values{"code": {"123456"}}); res.status != 401 || !strings.Contains(res.body, "That code is not right") {
			t.Fatalf("wrong code: %d", res.status)
		}
		if res := b.post("/sign-in/code", url.Values{"code": {strings.ToUpper(codes[3])}}); res.status != http.StatusSeeOther {
			t.Fatalf("recovery code: %d %s", res.status, res.body)
		}
		if res := b.get("/account"); res.status != 200 || !strings.Contains(res.body, "9 recovery codes left") {
			t.Fatalf("account: %d", res.status)
		}

		// A role without access to admin pages is told they do not exist.
		lw := f.browser()
		enrol(t, lw, "link_worker@example.org")
		if res := lw.get("/admin/users"); res.status != 404 {
			t.Fatalf("link worker on admin page: %d", res.status)
		}
		if res := lw.get("/"); !strings.Contains(res.body, "Your caseload") || strings.Contains(res.body, `href="/admin/users"`) {
			t.Fatal("link worker's home shows the wrong things")
		}
	})
}

func TestSignInRefusals(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := f.browser()
	if res := b.post("/sign-in", url.Values{}); res.status != 422 || !strings.Contains(res.body, "Enter your email address") || !strings.Contains(res.body, "Enter your password") {
		t.Fatalf("empty form: %d", res.status)
	}
	if res := b.post("/sign-in", url.Values{"email": {"admin@example.org"}, "password": {"wrong"}}); res.status != 401 || !strings.Contains(res.body, "not right") {
		t.Fatalf("wrong password: %d", res.status)
	}
	if res := b.post("/sign-in", url.Values{"email": {"a\x00b"}, "password": {"x"}}); res.status != 401 {
		t.Fatalf("control characters: %d", res.status)
	}
	for range 4 {
		b.post("/sign-in", url.Values{"email": {"admin@example.org"}, "password": {"wrong"}})
	}
	res := b.post("/sign-in", url.Values{"email": {"admin@example.org"}, "password": {testPassword}})
	if res.status != http.StatusTooManyRequests || !strings.Contains(res.body, "wait") {
		t.Fatalf("locked account: %d", res.status)
	}
	if wait, _ := strconv.Atoi(res.header.Get("Retry-After")); wait < 60 || wait > 15*60 {
		t.Fatalf("locked account: Retry-After %q, want the minutes left of the lock", res.header.Get("Retry-After"))
	}
	// Pages of the second step without a first step send you back.
	if res := f.browser().get("/sign-in/code"); res.status != http.StatusSeeOther || res.header.Get("Location") != "/sign-in" {
		t.Fatalf("code page without a session: %d", res.status)
	}
	// Only local addresses are followed after sign-in.
	for _, next := range []string{"https://evil.example/", "//evil.example", "/\\evil.example"} {
		res := b.post("/sign-in", url.Values{"email": {"manager@example.org"}, "password": {testPassword}, "next": {next}})
		if loc := res.header.Get("Location"); strings.Contains(loc, "evil") {
			t.Fatalf("next %q kept: %q", next, loc)
		}
	}
}

func TestSignInFloodIsRateLimited(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := f.browser()
	limited := false
	for i := range 25 {
		res := b.post("/sign-in", url.Values{"email": {"someone" + string(rune('a'+i)) + "@example.org"}, "password": {"x"}})
		if res.status == http.StatusTooManyRequests {
			limited = true
			break
		}
	}
	if !limited {
		t.Fatal("25 sign-in attempts in a minute from one address were all answered")
	}
}

func TestAdminPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		b := f.browser()
		enrol(t, b, "admin@example.org")

		if res := b.post("/admin/organisations", url.Values{"name": {""}}); res.status != 422 ||
			!strings.Contains(res.body, "Enter the organisation") || !strings.Contains(res.body, `href="#kind"`) {
			t.Fatalf("empty organisation form: %d", res.status)
		}
		if res := b.post("/admin/organisations", url.Values{"name": {"Greenway Trust"}, "kind": {"vcse"}, "phone": {"ring us"}}); res.status != 422 ||
			!strings.Contains(res.body, `href="#phone"`) || !strings.Contains(res.body, "in figures") {
			t.Fatalf("a phone number in words: %d", res.status)
		}
		res := b.post("/admin/organisations", url.Values{"name": {"Greenway Trust"}, "kind": {"vcse"}, "phone": {" 01632  960100 "}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("create organisation: %d %s", res.status, res.body)
		}
		orgPage := res.header.Get("Location")
		if res := b.get(orgPage); !strings.Contains(res.body, "The organisation has been added") || !strings.Contains(res.body, `value="Greenway Trust"`) ||
			!strings.Contains(res.body, `value="01632 960100"`) {
			t.Fatal("organisation page after create")
		}
		orgPath := strings.Split(orgPage, "?")[0]
		if res := b.post(orgPath, url.Values{"name": {"Northgate Scheme"}, "kind": {"vcse"}}); res.status != 409 || !strings.Contains(res.body, "already exists") {
			t.Fatalf("rename to a taken name: %d", res.status)
		}
		if res := b.post(orgPath+"/deactivate", nil); res.status != http.StatusSeeOther {
			t.Fatalf("deactivate: %d", res.status)
		}
		if res := b.get("/admin/organisations"); !strings.Contains(res.body, "Deactivated") {
			t.Fatal("deactivated organisation not marked")
		}

		res = b.post("/admin/users", url.Values{"name": {"Asha Patel"}, "email": {"asha@example.org"}, "role": {"link_worker"}, "organisation_id": {f.orgID}})
		link := regexp.MustCompile(`id="setup-link">([^<]+)<`).FindStringSubmatch(res.body)
		if res.status != 200 || link == nil {
			t.Fatalf("create user: %d\n%s", res.status, res.body)
		}
		if res := b.post("/admin/users", url.Values{"name": {"Asha Again"}, "email": {"ASHA@example.org"}, "role": {"link_worker"}, "organisation_id": {f.orgID}}); res.status != 409 {
			t.Fatalf("duplicate email: %d", res.status)
		}

		// The new user follows the set-up link, chooses a password and
		// goes straight on to set up two-factor sign-in.
		newcomer := f.browser()
		setupPath := link[1][strings.Index(link[1], "/setup/"):]
		if res := newcomer.get(setupPath); res.status != 200 || !strings.Contains(res.body, "Welcome, Asha Patel") {
			t.Fatalf("set-up page: %d", res.status)
		}
		if res := newcomer.post(setupPath, url.Values{"password": {"short"}, "confirm": {"short"}}); res.status != 422 {
			t.Fatalf("short password: %d", res.status)
		}
		if res := newcomer.post(setupPath, url.Values{"password": {testPassword}, "confirm": {"different"}}); res.status != 422 {
			t.Fatalf("mismatched passwords: %d", res.status)
		}
		res = newcomer.post(setupPath, url.Values{"password": {testPassword}, "confirm": {testPassword}})
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/sign-in/two-factor" {
			t.Fatalf("set password: %d %q", res.status, res.header.Get("Location"))
		}
		if res := f.browser().get(setupPath); res.status != 404 {
			t.Fatalf("used set-up link: %d", res.status)
		}

		// Deactivating a signed-in user ends their session at once.
		lw := f.browser()
		enrol(t, lw, "link_worker@example.org")
		if res := b.post("/admin/users/"+f.users[auth.LinkWorker].ID+"/deactivate", nil); res.status != http.StatusSeeOther {
			t.Fatalf("deactivate user: %d", res.status)
		}
		if res := lw.get("/account"); res.status != http.StatusSeeOther {
			t.Fatalf("deactivated user still signed in: %d", res.status)
		}
		if _, err := f.auth.CheckPassword(context.Background(), "link_worker@example.org", testPassword, "1.2.3.4"); err == nil {
			t.Fatal("deactivated user can sign in")
		}
	})
}

func TestAccountTokens(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	b := f.browser()
	enrol(t, b, "referrer@example.org")
	res := b.post("/account/tokens", url.Values{"label": {"Practice system"}})
	tok := regexp.MustCompile(`id="new-token">(oikos_[A-Za-z0-9_-]+)<`).FindStringSubmatch(res.body)
	if res.status != 201 || tok == nil {
		t.Fatalf("create token: %d", res.status)
	}
	req, _ := http.NewRequest("GET", f.ts.URL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+tok[1])
	if res := f.send(http.DefaultTransport, req); res.status != 200 {
		t.Fatalf("new token: %d", res.status)
	}
	if res := b.get("/account"); strings.Contains(res.body, tok[1]) {
		t.Fatal("token shown a second time")
	}
	tokens, _ := f.auth.ListTokens(context.Background(), f.users[auth.Referrer].ID)
	var newest string
	for _, tk := range tokens {
		if tk.Label == "Practice system" {
			newest = tk.ID
		}
	}
	other := f.browser()
	enrol(t, other, "provider@example.org")
	if res := other.post("/account/tokens/"+newest+"/revoke", nil); res.status != 404 {
		t.Fatalf("revoking another user's token: %d", res.status)
	}
	if res := b.post("/account/tokens/"+newest+"/revoke", nil); res.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.status)
	}
	if res := f.send(http.DefaultTransport, req.Clone(context.Background())); res.status != 401 {
		t.Fatalf("revoked token: %d", res.status)
	}
}
