package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// runAsOikos, set to 1 in its environment, makes this test binary run as
// the oikos command itself (see TestMain).
const runAsOikos = "OIKOS_TEST_RUN_AS_OIKOS"

func TestMain(m *testing.M) {
	// The durability tests run this test binary as their `oikos`: it holds
	// the whole program, built with the test's own flags (-race too), so
	// nothing more is compiled.
	if os.Getenv(runAsOikos) == "1" {
		main()
		os.Exit(0)
	}
	code := m.Run()
	if demoDB.dir != "" {
		os.RemoveAll(demoDB.dir)
	}
	dbtest.Stop()
	os.Exit(code)
}

// runOikos runs the program in-process and returns what it printed.
func runOikos(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(string) string { return "" }
	err = run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestHelpForEveryCommand(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--help"}, {"migrate", "--help"}, {"demo", "--help"}, {"user", "add", "--help"},
		{"token", "create", "--help"}, {"backup", "--help"}, {"audit", "verify", "--help"},
	} {
		_, stderr, err := runOikos(t, "", args...)
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(stderr, "Usage: oikos") {
			t.Errorf("%v: err %v, stderr %q", args, err, stderr)
		}
	}
	if out, _, err := runOikos(t, "", "help"); err != nil || !strings.Contains(out, "oikos serve") {
		t.Errorf("help: %v %q", err, out)
	}
	if _, _, err := runOikos(t, "", "frobnicate"); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("unknown command: %v", err)
	}
}

func TestCommandsOnBothDatabases(t *testing.T) {
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			url := dbtest.URL(t, dialect)
			if out, _, err := runOikos(t, "", "migrate", "--db", url); err != nil || !strings.Contains(out, "schema") && !strings.Contains(out, "Schema") {
				t.Fatalf("migrate: %v %q", err, out)
			}
			if out, _, err := runOikos(t, "", "migrate", "--db", url); err != nil || !strings.Contains(out, "up to date") {
				t.Fatalf("second migrate: %v %q", err, out)
			}
			out, _, err := runOikos(t, "", "demo", "--db", url)
			if err != nil || !strings.Contains(out, "admin@oikos.example") {
				t.Fatalf("demo: %v %q", err, out)
			}
			if _, _, err := runOikos(t, "", "demo", "--db", url); err != nil {
				t.Fatalf("demo is not idempotent: %v", err)
			}

			id, _, err := runOikos(t, "a long enough password\n", "user", "add", "--email", "ops@example.org", "--name", "Ops", "--role", "admin", "--password-stdin", "--db", url)
			if err != nil || !strings.HasPrefix(id, "usr_") {
				t.Fatalf("user add: %v %q", err, id)
			}
			_, _, err = runOikos(t, "", "user", "add", "--email", "ops@example.org", "--name", "Ops", "--role", "admin", "--db", url)
			if err == nil || !strings.Contains(err.Error(), "already exists") {
				t.Fatalf("duplicate user add: %v", err)
			}
			_, _, err = runOikos(t, "", "user", "add", "--email", "x@example.org", "--name", "X", "--role", "wizard", "--db", url)
			if err == nil || !strings.Contains(err.Error(), "--role") {
				t.Fatalf("bad role: %v", err)
			}
			_, stderr, err := runOikos(t, "", "user", "add", "--email", "new@example.org", "--name", "New Person", "--role", "admin", "--db", url)
			if err != nil || !strings.Contains(stderr, "/setup/") {
				t.Fatalf("user add without password should print a set-up link: %v %q", err, stderr)
			}

			token, _, err := runOikos(t, "", "token", "create", "--email", "ops@example.org", "--label", "script", "--db", url)
			if err != nil || !strings.HasPrefix(token, "oikos_") || strings.Count(token, "\n") != 1 {
				t.Fatalf("token create: %v %q", err, token)
			}
			if _, _, err := runOikos(t, "", "token", "create", "--email", "nobody@example.org", "--db", url); err == nil {
				t.Fatal("token for unknown user")
			}

			if out, _, err := runOikos(t, "", "audit", "verify", "--db", url); err != nil || !strings.Contains(out, "intact") {
				t.Fatalf("audit verify: %v %q", err, out)
			}
			tamperAuditLog(t, url, dialect)
			_, _, err = runOikos(t, "", "audit", "verify", "--db", url)
			if err == nil || !strings.Contains(err.Error(), "entry 2") {
				t.Fatalf("audit verify after tampering: %v", err)
			}
		})
	}
}

// tamperAuditLog changes the second audit entry behind the log's back.
func tamperAuditLog(t *testing.T, url string, dialect db.Dialect) {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	stmts := []string{"DROP TRIGGER audit_log_no_update"}
	if dialect == db.Postgres {
		stmts = []string{"ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"}
	}
	stmts = append(stmts, "UPDATE audit_log SET actor_id = 'someone_else' WHERE id = 2")
	for _, s := range stmts {
		if _, err := d.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBackupSQLiteWhileServing(t *testing.T) {
	dir := t.TempDir()
	url := "sqlite:" + filepath.Join(dir, "live.db")
	if _, _, err := runOikos(t, "", "demo", "--db", url); err != nil {
		t.Fatal(err)
	}
	addr, stop := serveInProcess(t, url)
	defer stop()
	if resp, err := http.Get("http://" + addr + "/readyz"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("readyz: %v", err)
	}
	file := filepath.Join(dir, "copy.db")
	out, _, err := runOikos(t, "", "backup", file, "--db", url)
	if err != nil || !strings.Contains(out, "Backed up") {
		t.Fatalf("backup: %v %q", err, out)
	}
	// The copy is a working database with the same accounts.
	if out, _, err := runOikos(t, "", "token", "create", "--email", "admin@oikos.example", "--db", "sqlite:"+file); err != nil || !strings.HasPrefix(out, "oikos_") {
		t.Fatalf("using the backup: %v %q", err, out)
	}
	if _, _, err := runOikos(t, "", "backup", file, "--db", url); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("backup over an existing file: %v", err)
	}
	if _, _, err := runOikos(t, "", "backup", "--db", url); err == nil {
		t.Fatal("backup without a file name succeeded")
	}
}

func TestBackupPostgres(t *testing.T) {
	url := dbtest.URL(t, db.Postgres)
	file := filepath.Join(t.TempDir(), "pg.dump")
	out, _, err := runOikos(t, "", "backup", file, "--db", url)
	if _, lookErr := lookPGDump(); lookErr != nil {
		if err == nil || !strings.Contains(err.Error(), "pg_dump was not found") {
			t.Fatalf("without pg_dump: %v", err)
		}
		return
	}
	if err != nil || !strings.Contains(out, "Backed up") {
		t.Fatalf("backup: %v %q", err, out)
	}
}

// serveInProcess runs `oikos serve` on a free port and returns its address and
// a function that stops it, failing the test unless shutdown is clean.
func serveInProcess(t *testing.T, url string) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	listening := make(chan string, 1)
	done := make(chan error, 1)
	var stderr bytes.Buffer
	e := &env{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &stderr, listening: listening}
	go func() { done <- e.serve(ctx, []string{"--addr", "127.0.0.1:0", "--db", url}) }()
	select {
	case addr := <-listening:
		return addr, func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("serve returned %v", err)
				}
			case <-time.After(30 * time.Second):
				t.Error("serve did not shut down")
			}
		}
	case err := <-done:
		t.Fatalf("serve: %v\n%s", err, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	cancel()
	return "", nil
}

func TestGracefulShutdownFinishesRequests(t *testing.T) {
	url := "sqlite:" + filepath.Join(t.TempDir(), "o.db")
	addr, stop := serveInProcess(t, url)
	// A request in flight when shutdown starts still gets its answer.
	got := make(chan int, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			got <- 0
			return
		}
		resp.Body.Close()
		got <- resp.StatusCode
	}()
	if code := <-got; code != 200 {
		t.Fatalf("healthz: %d", code)
	}
	stop()
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Fatal("server still answering after shutdown")
	}

}

// TestServeMetricsSettings: /metrics is not public. With --metrics-addr it
// is served there; on the main address it needs OIKOS_METRICS_TOKEN, and
// without the token it is not there at all.
func TestServeMetricsSettings(t *testing.T) {
	url := "sqlite:" + filepath.Join(t.TempDir(), "o.db")
	get := func(u, token string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", u, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return resp.StatusCode, b.String()
	}

	addr, stop := serveInProcess(t, url)
	if code, _ := get("http://"+addr+"/metrics", ""); code != 404 {
		t.Errorf("no setting: /metrics %d", code)
	}
	stop()

	ctx, cancel := context.WithCancel(context.Background())
	listening, metricsListening := make(chan string, 1), make(chan string, 1)
	settings := map[string]string{"OIKOS_METRICS_TOKEN": "scrape-secret", "OIKOS_TRUSTED_PROXIES": "10.0.0.0/8"}
	e := &env{getenv: func(k string) string { return settings[k] }, stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{},
		listening: listening, metricsListening: metricsListening}
	done := make(chan error, 1)
	go func() {
		done <- e.serve(ctx, []string{"--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--db", url})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	var main, metrics string
	for main == "" || metrics == "" {
		select {
		case main = <-listening:
		case metrics = <-metricsListening:
		case err := <-done:
			t.Fatalf("serve: %v", err)
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not start")
		}
	}
	if code, body := get("http://"+metrics+"/metrics", ""); code != 200 || !strings.Contains(body, "oikos_password_hashers") {
		t.Errorf("metrics listener: %d", code)
	}
	if code, _ := get("http://"+metrics+"/", ""); code != 404 {
		t.Errorf("metrics listener serves more than /metrics: %d", code)
	}
	if code, _ := get("http://"+main+"/metrics", ""); code != 401 {
		t.Errorf("main address without the token: %d", code)
	}
	if code, body := get("http://"+main+"/metrics", "scrape-secret"); code != 200 || !strings.Contains(body, "go_goroutines") {
		t.Errorf("main address with the token: %d", code)
	}
}

func TestServeRefusesBadTrustedProxies(t *testing.T) {
	_, _, err := runOikos(t, "", "serve", "--addr", "127.0.0.1:0", "--trusted-proxies", "10.0.0.0/8,proxy.internal",
		"--db", "sqlite:"+filepath.Join(t.TempDir(), "o.db"))
	if err == nil || !strings.Contains(err.Error(), "--trusted-proxies") || !strings.Contains(err.Error(), "proxy.internal") {
		t.Fatalf("bad --trusted-proxies: %v", err)
	}
}
