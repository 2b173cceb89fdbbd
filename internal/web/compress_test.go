package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httputil"
	"os"
	"regexp"
	"strings"
	"testing"

	"oikos/internal/db/dbtest"
)

// Compression is the same on either database: these tests use SQLite.

// rawGet fetches path with the given Accept-Encoding (and more headers),
// as sent: Go's transport neither asks for gzip itself nor unpacks it.
func (f *fixture) rawGet(path, acceptEncoding string, header ...string) (*http.Response, []byte) {
	f.t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.ts.URL+path, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp, body
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("bad gzip: %v", err)
	}
	return out
}

var assetRef = regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`)

// TestFirstVisitIsSmall measures what a first visit to the home page
// transfers, headers included, with a browser's Accept-Encoding: the page,
// its stylesheets, its script and the script it imports, and the icon.
// The issue asks for under 60 KB; uncompressed it is about 340 KB.
func TestFirstVisitIsSmall(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	const browser = "gzip, deflate, br, zstd"
	total, plain := 0, 0
	fetch := func(path string) []byte {
		t.Helper()
		resp, body := f.rawGet(path, browser)
		head, _ := httputil.DumpResponse(resp, false)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		sent := len(head) + len(body)
		total += sent
		if resp.Header.Get("Content-Encoding") == "gzip" {
			body = gunzip(t, body)
		}
		plain += len(body)
		t.Logf("%-56s %6d bytes sent (%s), %6d as stored", path, sent, resp.Header.Get("Content-Encoding"), len(body))
		return body
	}
	page := fetch("/")
	refs := assetRef.FindAllStringSubmatch(string(page), -1)
	if !strings.Contains(string(page), "vendor/nhsuk-frontend.min.css") {
		if os.Getenv("CI") != "" {
			t.Fatal("the NHS.UK frontend is not built in: run make assets")
		}
		t.Skip("the NHS.UK frontend is not built in (make assets)")
	}
	for _, m := range refs {
		body := fetch(m[1])
		if strings.HasSuffix(m[1], "/app.js") {
			// The module it imports, as the browser fetches it next.
			if imp := regexp.MustCompile(`from '\./([^']+)'`).FindStringSubmatch(string(body)); imp != nil {
				fetch(strings.TrimSuffix(m[1], "app.js") + imp[1])
			}
		}
	}
	t.Logf("first visit to the home page: %d bytes transferred (%.1f KB), %d bytes uncompressed", total, float64(total)/1024, plain)
	if total >= 60*1024 {
		t.Errorf("a first visit transfers %d bytes, want under 60 KB", total)
	}
}

func TestCompression(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	seedORUKDirectory(t, f.db, f.orgID)
	varies := func(resp *http.Response) bool {
		for _, v := range resp.Header.Values("Vary") {
			if strings.Contains(v, "Accept-Encoding") {
				return true
			}
		}
		return false
	}

	// Pages and JSON (the API's, FHIR's, Open Referral's) are gzipped
	// for a client that takes gzip, and the same as sent plain.
	for _, path := range []string{"/", "/directory", "/oruk/taxonomy_terms?per_page=50", "/fhir/metadata", "/oruk/services"} {
		plainResp, plain := f.rawGet(path, "")
		resp, body := f.rawGet(path, "gzip")
		if resp.StatusCode != 200 || plainResp.StatusCode != 200 {
			t.Fatalf("%s: %d, %d", path, resp.StatusCode, plainResp.StatusCode)
		}
		if resp.Header.Get("Content-Encoding") != "gzip" || !varies(resp) || resp.Header.Get("Content-Type") != plainResp.Header.Get("Content-Type") {
			t.Errorf("%s with gzip: %v", path, resp.Header)
			continue
		}
		if plainResp.Header.Get("Content-Encoding") != "" || !varies(plainResp) {
			t.Errorf("%s without gzip: %v", path, plainResp.Header)
		}
		if !bytes.Equal(gunzip(t, body), plain) {
			t.Errorf("%s: gzipped body differs from the plain one", path)
		}
		if len(body) >= len(plain) {
			t.Errorf("%s: %d bytes gzipped, %d plain", path, len(body), len(plain))
		}
	}
	// What the client refuses, or leaves to "*", as RFC 9110 says.
	for ae, want := range map[string]string{"gzip;q=0": "", "identity": "", "br": "", "*": "gzip", "br, *;q=0.1": "gzip",
		"GZIP;Q=0.5": "gzip", "x-gzip": "gzip", "*, gzip;q=0": "", "gzip;q=zero": ""} {
		if resp, _ := f.rawGet("/fhir/metadata", ae); resp.Header.Get("Content-Encoding") != want {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", ae, resp.Header.Get("Content-Encoding"), want)
		}
	}
	// Small answers go as they are.
	if resp, body := f.rawGet("/healthz", "gzip"); resp.Header.Get("Content-Encoding") != "" || len(body) > 1024 {
		t.Errorf("/healthz: %v", resp.Header)
	}

	// Static files: compressed once, with their own ETag; a browser that
	// holds one is answered 304 either way.
	resp, page := f.rawGet("/", "")
	var css, png string
	for _, m := range assetRef.FindAllStringSubmatch(string(page), -1) {
		if strings.HasSuffix(m[1], "nhsuk-frontend.min.css") {
			css = m[1]
			png = strings.TrimSuffix(m[1], "nhsuk-frontend.min.css") + "assets/images/nhsuk-icon-180.png"
		}
	}
	if css == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("the NHS.UK frontend is not built in: run make assets")
		}
		t.Skipf("the NHS.UK frontend is not built in (make assets): %d", resp.StatusCode)
	}
	gzResp, gz := f.rawGet(css, "gzip")
	plainResp, plain := f.rawGet(css, "")
	gzTag, plainTag := gzResp.Header.Get("ETag"), plainResp.Header.Get("ETag")
	if gzResp.Header.Get("Content-Encoding") != "gzip" || !varies(gzResp) || !bytes.Equal(gunzip(t, gz), plain) ||
		!strings.HasPrefix(gzResp.Header.Get("Content-Type"), "text/css") || gzResp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("stylesheet gzipped: %v", gzResp.Header)
	}
	if plainResp.Header.Get("Content-Encoding") != "" || gzTag == "" || plainTag == "" || gzTag == plainTag || strings.HasPrefix(gzTag, "W/") {
		t.Errorf("stylesheet ETags: %q gzipped, %q plain", gzTag, plainTag)
	}
	t.Logf("stylesheet: %d bytes, %d gzipped", len(plain), len(gz))
	for _, c := range []struct{ ae, tag string }{{"gzip", gzTag}, {"", plainTag}} {
		resp, body := f.rawGet(css, c.ae, "If-None-Match", c.tag)
		if resp.StatusCode != http.StatusNotModified || len(body) != 0 || resp.Header.Get("ETag") != c.tag {
			t.Errorf("If-None-Match %s with Accept-Encoding %q: %d %v", c.tag, c.ae, resp.StatusCode, resp.Header)
		}
	}
	// The other representation's tag does not match.
	if resp, _ := f.rawGet(css, "gzip", "If-None-Match", plainTag); resp.StatusCode != 200 {
		t.Errorf("the plain tag matched the gzipped file: %d", resp.StatusCode)
	}
	// A range is of the bytes as stored.
	if resp, body := f.rawGet(css, "gzip", "Range", "bytes=0-99"); resp.StatusCode != http.StatusPartialContent || len(body) != 100 ||
		resp.Header.Get("Content-Encoding") != "" || !bytes.Equal(body, plain[:100]) {
		t.Errorf("range: %d %v", resp.StatusCode, resp.Header)
	}
	// An image that is compressed already goes as it is.
	if resp, body := f.rawGet(png, "gzip"); resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "" || !bytes.HasPrefix(body, []byte("\x89PNG")) ||
		resp.Header.Get("ETag") == "" {
		t.Errorf("png: %d %v", resp.StatusCode, resp.Header)
	}
	if resp, _ := f.rawGet(strings.TrimSuffix(css, "nhsuk-frontend.min.css")+"nothing.css", "gzip"); resp.StatusCode != 404 {
		t.Errorf("a file that is not there: %d", resp.StatusCode)
	}
}
