package main

import "testing"

func TestDefaultBaseURL(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080",
		"localhost:9000": "http://localhost:9000",
		"0.0.0.0:8081":   "http://127.0.0.1:8081",
		":8082":          "http://127.0.0.1:8082",
		"[::]:8083":      "http://127.0.0.1:8083",
		"[::1]:8084":     "http://[::1]:8084",
		"nonsense":       "http://127.0.0.1:8080",
	} {
		if got := defaultBaseURL(addr); got != want {
			t.Errorf("%q: %q, want %q", addr, got, want)
		}
	}
}
