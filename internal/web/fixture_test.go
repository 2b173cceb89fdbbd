package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"oikos/internal/app"
	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/org"
	"oikos/internal/web"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// fixture is a running server on a real database with one user and one API
// token for every role.
type fixture struct {
	t      testing.TB
	db     *db.DB
	auth   *auth.Store
	server *web.Server
	ts     *httptest.Server
	orgID  string
	users  map[auth.Role]auth.User
	tokens map[auth.Role]string
	clock  time.Time
}

const testPassword = "a long enough password"

// firstScheme is the fixture's scheme, for rows a test writes straight
// into the database.
const firstScheme = "(SELECT id FROM organisations WHERE kind = 'scheme' ORDER BY created_at, id LIMIT 1)"

// serverConfig is the application's configuration and the HTTP layer's,
// for a test to change before the server is built.
type serverConfig struct {
	appConfig
	webConfig
}

type (
	appConfig = app.Config
	webConfig = web.Config
)

func newFixture(t testing.TB, d *db.DB, options ...func(*serverConfig)) *fixture {
	t.Helper()
	ctx := context.Background()
	cfg := serverConfig{appConfig: app.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}}
	for _, o := range options {
		o(&cfg)
	}
	a := app.New(d, cfg.appConfig)
	store := a.Auth
	store.PasswordParams = auth.PasswordParams{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32}
	store.Sleep = nil
	srv, err := web.New(a, cfg.webConfig)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, db: d, auth: store, server: srv, users: map[auth.Role]auth.User{}, tokens: map[auth.Role]string{}}
	f.ts = httptest.NewServer(srv)
	t.Cleanup(f.ts.Close)
	o, err := (&org.Store{DB: d}).Create(ctx, org.Actor{UserID: "system"}, org.Input{Name: "Northgate Scheme", Kind: "scheme"})
	if err != nil {
		t.Fatal(err)
	}
	f.orgID = o.ID
	for _, role := range auth.Roles {
		orgID := o.ID
		if role == auth.Admin {
			orgID = ""
		}
		u, err := store.CreateUser(ctx, auth.Actor{UserID: "system"}, auth.UserInput{
			Email: string(role) + "@example.org", Name: "Test " + string(role), Role: role, OrganisationID: orgID}, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		secret, _, err := store.CreateToken(ctx, auth.Actor{UserID: "system"}, u.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		f.users[role], f.tokens[role] = u, secret
	}
	return f
}

type response struct {
	status int
	header http.Header
	body   string
}

func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

// errorCode reads the contract's error body.
func (r response) errorCode(t testing.TB) (string, map[string]any) {
	t.Helper()
	e, _ := r.json(t)["error"].(map[string]any)
	if e == nil {
		t.Fatalf("no error object in %s", r.body)
	}
	fields, _ := e["fields"].(map[string]any)
	if msg, _ := e["message"].(string); msg == "" {
		t.Fatalf("error without a message: %s", r.body)
	}
	return e["code"].(string), fields
}

// do sends a request as role ("" for anonymous) with an API token.
func (f *fixture) do(role auth.Role, method, path, body string) response {
	f.t.Helper()
	req, err := http.NewRequest(method, f.ts.URL+path, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[role])
	}
	return f.send(http.DefaultTransport, req)
}

func (f *fixture) send(rt http.RoundTripper, req *http.Request) response {
	f.t.Helper()
	resp, err := rt.RoundTrip(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// browser is a cookie-keeping client that does not follow redirects, like a
// person's browser seen one step at a time.
type browser struct {
	f      *fixture
	client *http.Client
}

func (f *fixture) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{f: f, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (b *browser) get(path string) response {
	b.f.t.Helper()
	resp, err := b.client.Get(b.f.ts.URL + path)
	if err != nil {
		b.f.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

func (b *browser) post(path string, form url.Values) response {
	b.f.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.f.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// What a browser sends for a same-origin form.
	req.Header.Set("Origin", b.f.ts.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := b.client.Do(req)
	if err != nil {
		b.f.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

func (b *browser) sessionCookie() string {
	u, _ := url.Parse(b.f.ts.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == "oikos_session" {
			return c.Value
		}
	}
	return ""
}
