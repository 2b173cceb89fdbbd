package web_test

import (
	"net/http"
	"strings"
	"testing"

	"oikos/internal/auth"
	"oikos/internal/db/dbtest"
)

func TestHealthReadyAndMetrics(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t), func(c *serverConfig) { c.MetricsToken = "scrape-secret" })
	if res := f.do("", "GET", "/healthz", ""); res.status != 200 {
		t.Errorf("healthz: %d", res.status)
	}
	if res := f.do("", "GET", "/readyz", ""); res.status != 200 {
		t.Errorf("readyz: %d", res.status)
	}
	f.do(auth.Admin, "GET", "/api/v1/organisations", "")
	req, _ := http.NewRequest("GET", f.ts.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer scrape-secret")
	res := f.send(http.DefaultTransport, req)
	for _, want := range []string{
		`oikos_password_hashes_total`,
		`oikos_http_requests_total{code="200",method="GET",route="GET /api/v1/organisations"} 1`,
		`oikos_http_request_duration_seconds_bucket{method="GET",route="GET /api/v1/organisations"`,
		`oikos_db_connections_open{pool="write"}`,
		`go_goroutines`,
	} {
		if !strings.Contains(res.body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	f.db.Close()
	if res := f.do("", "GET", "/readyz", ""); res.status != http.StatusServiceUnavailable {
		t.Errorf("readyz with the database closed: %d", res.status)
	}
}

// FuzzSignInForm posts arbitrary form bodies to the sign-in page: the
// answer is a page, never a 5xx.
func FuzzSignInForm(f *testing.F) {
	for _, seed := range []string{
		"email=admin%40example.org&password=x", "", "email=&password=", "email=%00&password=%ff",
		"email=" + strings.Repeat("a", 5000), "%%%", "next=%2F%2Fevil&email=a&password=b", "email=a&email=b",
	} {
		f.Add(seed)
	}
	// A limit no fuzzer reaches, so the rate limit does not hide the handler.
	fx := newFixture(f, dbtest.SQLite(f), func(c *serverConfig) { c.SignInsPerMinute = 1 << 30 })
	f.Fuzz(func(t *testing.T, body string) {
		req, _ := http.NewRequest("POST", fx.ts.URL+"/sign-in", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("status %d for %q", resp.StatusCode, body)
		}
	})
}

func BenchmarkListOrganisationsAPI(b *testing.B) {
	f := newFixture(b, dbtest.SQLite(b))
	for i := range 50 {
		f.do(auth.Admin, "POST", "/api/v1/organisations", `{"name":"Group `+string(rune('A'+i%26))+string(rune('a'+i/26))+`","kind":"vcse"}`)
	}
	req, _ := http.NewRequest("GET", f.ts.URL+"/api/v1/organisations", nil)
	req.Header.Set("Authorization", "Bearer "+f.tokens[auth.Admin])
	b.ResetTimer()
	for b.Loop() {
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
}

func BenchmarkSignedInHomePage(b *testing.B) {
	f := newFixture(b, dbtest.SQLite(b))
	req, _ := http.NewRequest("GET", f.ts.URL+"/", nil)
	req.Header.Set("Authorization", "Bearer "+f.tokens[auth.LinkWorker])
	b.ResetTimer()
	for b.Loop() {
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
}
