package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"

	"oikos/internal/db"
)

// cluster is a throwaway PostgreSQL cluster on a unix socket, started the
// way internal/db/dbtest starts the test cluster (which needs package
// testing, so cannot be used here): initdb with trust authentication, run
// as the postgres user when we are root. Durability is off for read
// benchmarks and on (PostgreSQL's defaults) for write benchmarks.
type cluster struct {
	dir, bin string
	port     int
	runAs    *syscall.Credential
	started  bool
}

func (c *cluster) url(name string) string {
	return fmt.Sprintf("postgres://app@/%s?host=%s&port=%d&sslmode=disable", name, c.dir, c.port)
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

func (c *cluster) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	if c.runAs != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.runAs}
	}
	cmd.Dir = c.dir
	return cmd
}

// startCluster makes and starts a cluster in a new temporary directory of
// its own (the postgres user must be able to reach it). durable keeps
// PostgreSQL's defaults: every commit waits for its WAL to reach the disk
// (fsync, synchronous_commit and full_page_writes on). On error it cleans
// up after itself.
func startCluster(durable bool) (c *cluster, err error) {
	c = &cluster{bin: findPGBin()}
	if c.bin == "" {
		return nil, errors.New("initdb not found on PATH or in /usr/lib/postgresql/*/bin (apt-get install postgresql)")
	}
	if c.dir, err = os.MkdirTemp("", "oikos-bench-pg-"); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			c.stop()
		}
	}()
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return c, errors.New("running as root and there is no postgres user to run PostgreSQL as")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.runAs = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(c.dir, uid, gid); err != nil {
			return c, err
		}
	}
	data := filepath.Join(c.dir, "data")
	if out, err := c.command("initdb", "-D", data, "-U", "app", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync").CombinedOutput(); err != nil {
		return c, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	for attempt := 0; attempt < 5; attempt++ {
		c.port = freePort()
		durability := "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
		if durable {
			durability = "-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
		}
		opts := fmt.Sprintf("-p %d -k %s -c listen_addresses='' %s -c max_connections=200", c.port, c.dir, durability)
		out, startErr := c.command("pg_ctl", "-D", data, "-l", filepath.Join(c.dir, "log"), "-w", "-s", "-o", opts, "start").CombinedOutput()
		if startErr == nil {
			c.started = true
			return c, nil
		}
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		err = fmt.Errorf("pg_ctl start: %v\n%s\n%s", startErr, out, log)
	}
	return c, err
}

// createDatabase makes an empty database in the cluster and returns its URL.
func (c *cluster) createDatabase(ctx context.Context, name string) (string, error) {
	admin, err := db.Open(ctx, c.url("postgres"))
	if err != nil {
		return "", err
	}
	defer admin.Close()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	return c.url(name), nil
}

// stop shuts the cluster down and deletes it.
func (c *cluster) stop() {
	if c == nil {
		return
	}
	if c.started {
		c.command("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "fast", "-w", "-s", "stop").Run()
		c.started = false
	}
	os.RemoveAll(c.dir)
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 54329
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
