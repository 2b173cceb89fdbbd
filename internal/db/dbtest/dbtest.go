// Package dbtest gives tests real databases: a fresh SQLite file, and a fresh
// database in a throwaway PostgreSQL cluster started once per test binary.
// Nothing is mocked.
package dbtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"oikos/internal/db"
)

// Each runs fn once on SQLite and once on PostgreSQL, as subtests.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns a migrated database in a new file, closed when t ends.
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	return open(t, "sqlite:"+filepath.Join(t.TempDir(), "oikos.db"))
}

// URL returns the address of a new, empty, migrated database of the given
// dialect, for tests that start the whole program.
func URL(t testing.TB, d db.Dialect) string {
	t.Helper()
	if d == db.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "oikos.db")
	}
	return createDatabase(t, "oikos_template")
}

// EmptyURL returns the address of a new PostgreSQL database with no schema
// at all, for tests of a first start (several servers migrating at once)
// or of restoring a backup.
func EmptyURL(t testing.TB) string {
	t.Helper()
	return createDatabase(t, "template0")
}

func createDatabase(t testing.TB, template string) string {
	t.Helper()
	c := cluster(t)
	name := fmt.Sprintf("t%d_%d", os.Getpid(), dbCounter.Add(1))
	admin, err := db.Open(context.Background(), c.url("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.R().ExecContext(context.Background(), "CREATE DATABASE "+name+" TEMPLATE "+template); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	return c.url(name)
}

// Postgres returns a migrated database in the shared throwaway cluster. When
// PostgreSQL is not installed it skips loudly, except under CI=true where it
// fails: CI must always test both databases.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	return open(t, URL(t, db.Postgres))
}

func open(t testing.TB, url string) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return d
}

var dbCounter atomic.Int64

type pgCluster struct {
	dir  string
	port int
	bin  string
	err  error
	skip string
}

func (c *pgCluster) url(name string) string {
	return fmt.Sprintf("postgres://app@/%s?host=%s&port=%d&sslmode=disable", name, c.dir, c.port)
}

var (
	clusterOnce sync.Once
	theCluster  *pgCluster
)

func cluster(t testing.TB) *pgCluster {
	t.Helper()
	clusterOnce.Do(func() { theCluster = startCluster() })
	c := theCluster
	if c.skip != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required in CI: %s", c.skip)
		}
		fmt.Fprintf(os.Stderr, "\n*** SKIPPING POSTGRESQL TESTS: %s ***\n\n", c.skip)
		t.Skip("PostgreSQL not available: " + c.skip)
	}
	if c.err != nil {
		t.Fatalf("start PostgreSQL test cluster: %v", c.err)
	}
	return c
}

// Stop shuts the cluster down; call it from TestMain after m.Run.
func Stop() {
	if theCluster == nil || theCluster.dir == "" {
		return
	}
	cmd := pgCommand(theCluster, filepath.Join(theCluster.bin, "pg_ctl"), "-D", filepath.Join(theCluster.dir, "data"), "-m", "immediate", "-w", "-s", "stop")
	cmd.Run()
	os.RemoveAll(theCluster.dir)
}

// Main runs a package's tests and then stops the cluster if one started.
func Main(m *testing.M) {
	code := m.Run()
	Stop()
	os.Exit(code)
}

func findPGBin() string {
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p)
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) > 0 {
		return filepath.Dir(matches[len(matches)-1])
	}
	return ""
}

// runAs holds the credential for running PostgreSQL: root may not, so as
// root the cluster runs as the postgres user.
var runAs *syscall.Credential

func pgCommand(c *pgCluster, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	if runAs != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: runAs}
	}
	cmd.Dir = c.dir
	return cmd
}

func startCluster() *pgCluster {
	c := &pgCluster{bin: findPGBin()}
	if c.bin == "" {
		c.skip = "initdb not found on PATH or in /usr/lib/postgresql/*/bin (apt-get install postgresql)"
		return c
	}
	dir, err := os.MkdirTemp("", "oikos-pg-")
	if err != nil {
		c.err = err
		return c
	}
	c.dir = dir
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			c.skip = "running as root and there is no postgres user to run PostgreSQL as"
			return c
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		runAs = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			c.err = err
			return c
		}
	}
	data := filepath.Join(dir, "data")
	if out, err := pgCommand(c, filepath.Join(c.bin, "initdb"), "-D", data, "-U", "app", "-A", "trust",
		"-E", "UTF8", "--locale=C.UTF-8", "--no-sync").CombinedOutput(); err != nil {
		c.err = fmt.Errorf("initdb: %v\n%s", err, out)
		return c
	}
	for attempt := 0; attempt < 5; attempt++ {
		c.port = freePort()
		opts := fmt.Sprintf("-p %d -k %s -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", c.port, dir)
		out, err := pgCommand(c, filepath.Join(c.bin, "pg_ctl"), "-D", data, "-l", filepath.Join(dir, "log"), "-w", "-s", "-o", opts, "start").CombinedOutput()
		if err == nil {
			c.err = nil
			break
		}
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		c.err = fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	if c.err != nil {
		return c
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	admin, err := db.Open(ctx, c.url("postgres"))
	if err != nil {
		c.err = err
		return c
	}
	defer admin.Close()
	if _, err := admin.R().ExecContext(ctx, "CREATE DATABASE oikos_template"); err != nil {
		c.err = err
		return c
	}
	tmpl, err := db.Open(ctx, c.url("oikos_template"))
	if err != nil {
		c.err = err
		return c
	}
	_, err = tmpl.Migrate(ctx)
	tmpl.Close()
	c.err = err
	return c
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 54329
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
