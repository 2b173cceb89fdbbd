package main

import (
	"html"
	"net/url"
	"strings"
	"testing"

	"oikos/internal/oikostest"
)

// TestSignInOverHTTP: every demo account signs in through the sign-in
// pages over HTTP, as oikostest.SignIn does for tests that need a role's
// session without a browser: setting up two-factor sign-in the first
// time, with a security code the second, landing on their home page; a
// signed-in session sends a form, and signs out.
func TestSignInOverHTTP(t *testing.T) {
	var password string
	base := startServer(t, loadDemo(t, &password))
	keys := &oikostest.Keyring{}
	for _, u := range demoUsers {
		for range 2 {
			c := oikostest.SignIn(t, base, u.email, password, keys)
			if res := c.Get(t, "/"); !strings.Contains(res.Body, "Hello, "+html.EscapeString(u.name)) {
				t.Errorf("%s's home page (%d) does not greet them", u.email, res.Status)
			}
		}
	}
	c := oikostest.SignIn(t, base, adminEmail, adminPassword, keys)
	if res := c.Post(t, "/account/tokens", url.Values{"label": {"Riverside Surgery clinical system"}}); res.Status != 201 || !strings.Contains(res.Body, `id="new-token"`) {
		t.Errorf("create a token: %d at %s", res.Status, res.URL)
	}
	if res := c.Post(t, "/sign-out", nil); res.URL.Path != "/sign-in" {
		t.Errorf("signing out landed on %s", res.URL)
	}
	if res := c.Get(t, "/account"); res.URL.Path != "/sign-in" {
		t.Errorf("after signing out, /account is %s (%d)", res.URL, res.Status)
	}
}
