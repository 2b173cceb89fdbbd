package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// TestAuditKeyAndAnchor runs the commands as an operator would, with an
// audit key and an anchor file in the environment: entries written by the
// command line and by the server are sealed, the server anchors the log's
// tail at shutdown, and verify then notices entries cut from the end,
// which the chain alone does not.
func TestAuditKeyAndAnchor(t *testing.T) {
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			url := dbtest.URL(t, dialect)
			anchors := t.TempDir() + "/anchors"
			vars := map[string]string{"OIKOS_AUDIT_KEY": "0123456789abcdef0123456789abcdef", "OIKOS_AUDIT_ANCHOR": anchors, "OIKOS_DB": url}
			getenv := func(k string) string { return vars[k] }
			oikos := func(args ...string) (string, error) {
				var out, errOut bytes.Buffer
				err := run(context.Background(), args, getenv, strings.NewReader("a long enough password\n"), &out, &errOut)
				return out.String(), err
			}
			if _, err := oikos("migrate"); err != nil {
				t.Fatal(err)
			}
			for _, email := range []string{"a@example.org", "b@example.org"} {
				if _, err := oikos("user", "add", "--email", email, "--name", "A", "--role", "admin", "--password-stdin"); err != nil {
					t.Fatal(err)
				}
			}
			// Serve, then stop: the anchor is written at shutdown.
			ctx, cancel := context.WithCancel(context.Background())
			listening := make(chan string, 1)
			done := make(chan error, 1)
			var logged bytes.Buffer
			e := &env{getenv: getenv, stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &logged, listening: listening}
			go func() { done <- e.serve(ctx, []string{"--addr", "127.0.0.1:0"}) }()
			select {
			case <-listening:
			case err := <-done:
				t.Fatalf("serve: %v\n%s", err, logged.String())
			case <-time.After(30 * time.Second):
				t.Fatal("serve did not start")
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("serve: %v", err)
			}
			if !strings.Contains(logged.String(), "sealed with the audit key") {
				t.Errorf("serve did not say the log is sealed:\n%s", logged.String())
			}
			file, err := os.ReadFile(anchors)
			if err != nil || strings.Count(string(file), "\n") != 1 {
				t.Fatalf("anchor file: %v %q", err, file)
			}

			out, err := oikos("audit", "verify")
			if err != nil || !strings.Contains(out, "intact: 2 entries") || !strings.Contains(out, "Seals checked with the audit key on all 2 entries") ||
				!strings.Contains(out, "The log holds entry") {
				t.Fatalf("verify: %v\n%s", err, out)
			}
			// Without key or anchor, verify says what it cannot see.
			delete(vars, "OIKOS_AUDIT_KEY")
			delete(vars, "OIKOS_AUDIT_ANCHOR")
			out, err = oikos("audit", "verify")
			if err != nil || !strings.Contains(out, "Not checked: no audit key") || !strings.Contains(out, "Not checked: no anchor file") {
				t.Fatalf("verify without key or anchor: %v\n%s", err, out)
			}

			// Cut the last entry: the chain and the seals still hold; the
			// anchor does not.
			d, err := db.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			stmts := []string{"DROP TRIGGER audit_log_no_delete"}
			if dialect == db.Postgres {
				stmts = []string{"ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"}
			}
			for _, s := range append(stmts, "DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)") {
				if _, err := d.Exec(context.Background(), s); err != nil {
					t.Fatal(err)
				}
			}
			d.Close()
			if out, err := oikos("audit", "verify", "--audit-key", "0123456789abcdef0123456789abcdef"); err != nil {
				t.Fatalf("without the anchor the cut should go unseen: %v\n%s", err, out)
			}
			_, err = oikos("audit", "verify", "--audit-anchor", anchors)
			if err == nil || !strings.Contains(err.Error(), "entries were cut from the end") {
				t.Fatalf("verify with the anchor after a cut: %v", err)
			}
			if _, err := oikos("audit", "verify", "--audit-key", "short"); err == nil || !strings.Contains(err.Error(), "at least 32") {
				t.Fatalf("short key: %v", err)
			}
		})
	}
}
