package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The administrator every browser test starts with, created through the
// command line as an operator would.
const (
	adminEmail    = "admin@example.org"
	adminName     = "Ada Admin"
	adminPassword = "correct horse battery staple"
)

// lockedBuffer collects the server's log. The server writes from many
// goroutines, so a plain bytes.Buffer would race.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startServer runs the real `oikos serve` in-process on a fresh SQLite
// database with one administrator, and returns its base URL
// (http://127.0.0.1:PORT). The server is shut down gracefully when the test
// ends, and the test fails if shutdown does not return cleanly.
//
// Each prepare function runs against the database before the server starts,
// to load what a test needs (the demo data, say).
func startServer(t *testing.T, prepare ...func(dbURL string)) string {
	t.Helper()
	return startServerOn(t, "sqlite:"+filepath.Join(t.TempDir(), "oikos.db"), nil, prepare...)
}

// startServerOn is startServer on the given database (SQLite or
// PostgreSQL), with extra flags for `oikos serve` (an SMTP server, say).
func startServerOn(t *testing.T, dbURL string, serveArgs []string, prepare ...func(dbURL string)) string {
	t.Helper()
	// Ignore the developer's OIKOS_* settings: the flags say everything.
	getenv := func(string) string { return "" }
	log := &lockedBuffer{}

	add := &env{getenv: getenv, stdin: strings.NewReader(adminPassword + "\n"), stdout: io.Discard, stderr: log}
	if err := add.userAdd(context.Background(), []string{"--email", adminEmail, "--name", adminName,
		"--role", "admin", "--password-stdin", "--db", dbURL}); err != nil {
		t.Fatalf("oikos user add: %v\n%s", err, log)
	}

	for _, p := range prepare {
		p(dbURL)
	}

	listening := make(chan string, 1)
	srv := &env{getenv: getenv, stdin: strings.NewReader(""), stdout: io.Discard, stderr: log, listening: listening}
	ctx, cancel := context.WithCancel(context.Background())
	// serveErr is written once, before stopped is closed; both the start-up
	// wait and the clean-up read it after stopped.
	var serveErr error
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		serveErr = srv.serve(ctx, append([]string{"--addr", "127.0.0.1:0", "--db", dbURL}, serveArgs...))
	}()

	t.Cleanup(func() {
		cancel()
		select {
		case <-stopped:
			if serveErr != nil {
				t.Errorf("oikos serve did not shut down cleanly: %v", serveErr)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("oikos serve did not stop within 30s of being asked to")
		}
		if t.Failed() {
			t.Logf("server log:\n%s", log)
		}
	})

	var addr string
	select {
	case addr = <-listening:
	case <-stopped:
		t.Fatalf("oikos serve stopped before listening: %v\n%s", serveErr, log)
	case <-time.After(30 * time.Second):
		t.Fatalf("oikos serve did not start listening within 30s\n%s", log)
	}
	return "http://" + addr
}

// requireTool reports a missing test dependency. Under CI a missing tool
// is a broken build, so it fails; on a developer's machine the test is
// skipped, loudly, so nobody mistakes a skip for a pass.
func requireTool(t *testing.T, what, hint string) {
	t.Helper()
	msg := fmt.Sprintf("%s is not available: %s", what, hint)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	fmt.Fprintf(os.Stderr, "\n*** SKIPPING %s: %s ***\n\n", t.Name(), msg)
	t.Skip(msg)
}
