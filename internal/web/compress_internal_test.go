package web

import (
	"strings"
	"testing"
)

func TestAcceptsGzip(t *testing.T) {
	for _, c := range []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"gzip, deflate, br, zstd", true},
		{"br;q=1.0, gzip;q=0.8, *;q=0.1", true},
		{"GZip ; Q=0.001", true},
		{"x-gzip", true},
		{"gzip;q=0", false},
		{"gzip;q=0.000", false},
		{"gzip;q=1.5", false},
		{"gzip;q=NaN", false},
		{"gzip;q=", false},
		{"identity", false},
		{"br", false},
		{"*", true},
		{"*;q=0", false},
		{"*, gzip;q=0", false},
		{"gzip;q=0, *", false},
		{"deflate, *;q=0.5", true},
		{"gzipped", false},
		{",,,;;;", false},
	} {
		if got := acceptsGzip(c.header); got != c.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", c.header, got, c.want)
		}
	}
}

// FuzzAcceptsGzip: whatever a client sends as Accept-Encoding, the answer
// is plain gzip only where gzip (or "*") is named with a weight above 0.
func FuzzAcceptsGzip(f *testing.F) {
	for _, s := range []string{"gzip", "gzip;q=0", "*;q=0.5", "br, gzip;q=0.8", "x-gzip;q=1", "gzip;q=1e-3", ";q=1", "gzip;;q=0.5;q=0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		got := acceptsGzip(header)
		lower := strings.ToLower(header)
		if got && !strings.Contains(lower, "gzip") && !strings.Contains(lower, "*") {
			t.Fatalf("acceptsGzip(%q) with neither gzip nor *", header)
		}
		if acceptsGzip(header) != got {
			t.Fatalf("acceptsGzip(%q) changes its mind", header)
		}
	})
}

func TestCompressibleType(t *testing.T) {
	for ct, want := range map[string]bool{"text/html; charset=utf-8": true, "application/fhir+json": true, "Application/JSON": true,
		"text/css; charset=utf-8": true, "image/png": false, "image/svg+xml": true, "application/octet-stream": false, "": false,
		"application/zip": false, "text/csv; charset=utf-8": true} {
		if compressibleType(ct) != want {
			t.Errorf("compressibleType(%q) = %v", ct, !want)
		}
	}
}
