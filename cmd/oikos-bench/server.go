package main

// The Oikos server under test as a process of its own: oikos-bench runs
// itself with --mode serve, so that a cold measurement starts from a
// freshly opened database in a new process, and the server's CPU time can
// be read from /proc apart from the client's.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"oikos/internal/app"
	"oikos/internal/db"
	"oikos/internal/web"
)

// serveChild is the child's side: open the database (already migrated),
// serve the real handler on a loopback port, print the address, and stop
// when standard input closes.
func serveChild(ctx context.Context, url, profile string, stdout io.Writer) error {
	if profile != "" {
		stop, err := startCPUProfile(fmt.Sprintf("%s-server-%d.prof", profile, os.Getpid()))
		if err != nil {
			return err
		}
		defer stop()
	}
	d, err := db.Open(ctx, url)
	if err != nil {
		return err
	}
	defer d.Close()
	srv, err := web.New(benchApp(d, app.Config{}), web.Config{})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	fmt.Fprintf(stdout, "listening http://%s\n", ln.Addr())
	io.Copy(io.Discard, os.Stdin)
	return hs.Close()
}

// startCPUProfile profiles this process's CPU into the file at path
// until stop is called.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// serverProfile, when set, has each server process write a CPU profile
// to PREFIX-server-PID.prof.
var serverProfile string

// server is a running child.
type server struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	base  string
}

// startServer runs a new server process on the database at url.
func startServer(ctx context.Context, url string) (*server, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	args := []string{"--mode", "serve", "--serve-db", url}
	if serverProfile != "" {
		args = append(args, "--cpuprofile", serverProfile)
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, stdin: stdin}
	line, err := bufio.NewReader(out).ReadString('\n')
	if base, ok := strings.CutPrefix(strings.TrimSpace(line), "listening "); ok && err == nil {
		s.base = base
		return s, nil
	}
	s.stop()
	return nil, fmt.Errorf("server did not start: %q %v", line, err)
}

func (s *server) stop() {
	s.stdin.Close()
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}

// cpu is the server process's CPU time so far.
func (s *server) cpu() time.Duration { return procCPU(s.cmd.Process.Pid, false) }

// clockTicks is USER_HZ, 100 on Linux.
const clockTicks = 100

// procCPU reads a process's user and system time from /proc, with its
// reaped children's when children is set (0 if it cannot be read).
func procCPU(pid int, children bool) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name may hold spaces; the fields after it are plain.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	// utime, stime, cutime, cstime are fields 14-17, here 11-14.
	ticks := 0
	last := 12
	if children {
		last = 14
	}
	for i := 11; i <= last && i < len(f); i++ {
		n, _ := strconv.Atoi(f[i])
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks
}

// parentOf reads a process's parent id.
func parentOf(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	n, _ := strconv.Atoi(f[1])
	return n
}

// clusterCPU is the CPU time of a PostgreSQL cluster: the postmaster with
// its reaped backends, and the live backends.
func clusterCPU(c *cluster) time.Duration {
	b, err := os.ReadFile(filepath.Join(c.dir, "data", "postmaster.pid"))
	if err != nil {
		return 0
	}
	pm, _ := strconv.Atoi(strings.SplitN(string(b), "\n", 2)[0])
	total := procCPU(pm, true)
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || parentOf(pid) != pm {
			continue
		}
		total += procCPU(pid, false)
	}
	return total
}

// restart stops the cluster and starts it again on the same port, so the
// next queries find PostgreSQL's own buffers empty.
func (c *cluster) restart() error {
	data := filepath.Join(c.dir, "data")
	// The log goes to the file as before: a server writing to our pipe
	// would keep CombinedOutput waiting for as long as it runs.
	if out, err := c.command("pg_ctl", "-D", data, "-l", filepath.Join(c.dir, "log"), "-m", "fast", "-w", "-s", "restart").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		return fmt.Errorf("pg_ctl restart: %v\n%s\n%s", err, out, tail(string(log), 2000))
	}
	return nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// dropCaches empties the operating system's page cache (clean pages only,
// after a sync), so a cold read comes from the disk. It needs root; without
// it the benchmark says so and goes on with a fresh process only.
func dropCaches() error {
	exec.Command("sync").Run()
	err := os.WriteFile("/proc/sys/vm/drop_caches", []byte("1\n"), 0)
	if err != nil {
		return errors.New("cannot drop the page cache (" + err.Error() + "): cold means a new process only")
	}
	return nil
}
