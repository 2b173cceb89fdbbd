package oikostest

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"oikos/internal/auth"
)

// Keyring is the authenticator app of every user a test signs in: it keeps
// each one's two-factor key and recovery codes from their enrolment, and
// answers the security code page for their later sign-ins. The browser
// tests and SignIn share one, so a user enrolled in one is known to both.
type Keyring struct {
	// Now is the authenticator's clock; nil is the real one.
	Now func() time.Time

	mu   sync.Mutex
	keys map[string]*keys
}

func (k *Keyring) now() time.Time {
	if k.Now != nil {
		return k.Now()
	}
	return time.Now()
}

type keys struct {
	secret   string
	lastStep int64 // the last time step whose code was used
	recovery []string
}

// Enrolled records the key a user enrolled with, the time step of the code
// that confirmed it, and their recovery codes.
func (k *Keyring) Enrolled(email, secret string, step int64, recovery []string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.keys == nil {
		k.keys = map[string]*keys{}
	}
	k.keys[strings.ToLower(email)] = &keys{secret: secret, lastStep: step, recovery: recovery}
}

// Known reports whether the user has enrolled through this keyring.
func (k *Keyring) Known(email string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.keys[strings.ToLower(email)] != nil
}

// Code answers the security code page for a known user: the code of a time
// step not used yet (the server accepts the next step too, so none has to
// be waited for), or, failing that, a recovery code. It returns "" for a
// user it does not know.
func (k *Keyring) Code(email string) string {
	k.mu.Lock()
	defer k.mu.Unlock()
	u := k.keys[strings.ToLower(email)]
	if u == nil {
		return ""
	}
	now := auth.TOTPStep(k.now())
	step := now
	if u.lastStep >= step {
		// The server allows one step of clock skew either way.
		step = u.lastStep + 1
	}
	if step <= now+1 {
		if code, err := auth.TOTPCode(u.secret, step); err == nil {
			u.lastStep = step
			return code
		}
	}
	if len(u.recovery) == 0 {
		return ""
	}
	code := u.recovery[0]
	u.recovery = u.recovery[1:]
	return code
}

// Recovery takes one of the user's unused recovery codes ("" when none is
// left), as someone without their phone would.
func (k *Keyring) Recovery(email string) string {
	k.mu.Lock()
	defer k.mu.Unlock()
	u := k.keys[strings.ToLower(email)]
	if u == nil || len(u.recovery) == 0 {
		return ""
	}
	code := u.recovery[0]
	u.recovery = u.recovery[1:]
	return code
}

// Client is a signed-in session over HTTP: a cookie-keeping client that
// sends forms as a browser does from the server's own pages.
type Client struct {
	Base string // the server's address, http://HOST:PORT
	HTTP *http.Client
}

// Response is a page or document as the client received it.
type Response struct {
	Status int
	URL    *url.URL // where it came from, after any redirects
	Body   string
}

// Get fetches path, following redirects.
func (c *Client) Get(t testing.TB, path string) Response {
	t.Helper()
	resp, err := c.HTTP.Get(c.Base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return read(t, resp)
}

// Post sends a form to path as a same-origin browser would, following
// redirects.
func (c *Client) Post(t testing.TB, path string, form url.Values) Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.Base+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.Base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	return read(t, resp)
}

func read(t testing.TB, resp *http.Response) Response {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return Response{Status: resp.StatusCode, URL: resp.Request.URL, Body: string(b)}
}

var (
	secretPattern   = regexp.MustCompile(`id="totp-secret">([^<]+)<`)
	recoveryPattern = regexp.MustCompile(`(?s)id="recovery-codes">(.*?)</ul>`)
	itemPattern     = regexp.MustCompile(`<li>([^<]+)</li>`)
)

// SignIn signs a staff user in over HTTP through the sign-in pages, as a
// person with an authenticator app would: the password, then either the
// two-factor set-up (the first time, the key is kept in keys) or a
// security code from keys. It returns the signed-in client, which has
// landed on the home page.
func SignIn(t testing.TB, base, email, password string, keys *Keyring) *Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &Client{Base: base, HTTP: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	res := c.Post(t, "/sign-in", url.Values{"email": {email}, "password": {password}})
	switch res.URL.Path {
	case "/sign-in/two-factor":
		m := secretPattern.FindStringSubmatch(res.Body)
		if m == nil {
			t.Fatalf("sign in as %s: no key on the two-factor set-up page", email)
		}
		secret := strings.ReplaceAll(html.UnescapeString(m[1]), " ", "")
		step := auth.TOTPStep(time.Now())
		code, err := auth.TOTPCode(secret, step)
		if err != nil {
			t.Fatalf("sign in as %s: a code from key %q: %v", email, secret, err)
		}
		res = c.Post(t, "/sign-in/two-factor", url.Values{"code": {code}})
		m = recoveryPattern.FindStringSubmatch(res.Body)
		if m == nil {
			t.Fatalf("sign in as %s: no recovery codes after setting up two-factor sign-in (%d at %s)", email, res.Status, res.URL)
		}
		var recovery []string
		for _, li := range itemPattern.FindAllStringSubmatch(m[1], -1) {
			recovery = append(recovery, strings.TrimSpace(html.UnescapeString(li[1])))
		}
		keys.Enrolled(email, secret, step, recovery)
		res = c.Get(t, "/")
	case "/sign-in/code":
		code := keys.Code(email)
		if code == "" {
			t.Fatalf("sign in as %s: asked for a security code, and the keyring has none for them", email)
		}
		res = c.Post(t, "/sign-in/code", url.Values{"code": {code}})
	default:
		t.Fatalf("sign in as %s: landed on %s (%d), want the two-factor pages", email, res.URL, res.Status)
	}
	if res.Status != http.StatusOK || res.URL.Path != "/" {
		t.Fatalf("sign in as %s: landed on %s (%d), want the home page", email, res.URL, res.Status)
	}
	return c
}
