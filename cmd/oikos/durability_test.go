//go:build linux

package main

// Durability as an outside tester measures it: the real `oikos serve` runs
// as child processes, clients write referrals over HTTP with bearer tokens,
// servers are killed with SIGKILL mid-load and started again, backups are
// taken while writes flow, and afterwards the database is asked whether
// everything that was acknowledged is there and the audit chain holds.
//
// Run them alone with `go test -v -run Durability ./cmd/oikos/`; -v prints
// the figures. OIKOS_DURABILITY_ROUND (a Go duration, default 2s) is how
// long load runs between kills: raise it for a longer soak.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/notify"
	"oikos/internal/notify/notifytest"
	"oikos/internal/org"
	"oikos/internal/referral"
	"oikos/internal/taxonomy"
)

// roundLength is how long load runs between two kills.
func roundLength(t *testing.T) time.Duration {
	t.Helper()
	v := os.Getenv("OIKOS_DURABILITY_ROUND")
	if v == "" {
		return 2 * time.Second
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		t.Fatalf("OIKOS_DURABILITY_ROUND=%q: want a duration such as 10s", v)
	}
	return d
}

// oikosCommand is `oikos ARGS...` as a separate process: this test binary,
// which TestMain turns into the program. The developer's OIKOS_* settings
// are left out so that the flags say everything.
func oikosCommand(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OIKOS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, runAsOikos+"=1")
	// Should this test process die, its servers die with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	return cmd
}

// oikosRun runs a one-off command (audit verify, backup) to its end.
func oikosRun(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out, err := oikosCommand(t, args...).CombinedOutput()
	return string(out), err
}

// server is one `oikos serve` on a fixed address, across its restarts.
type server struct {
	t     *testing.T
	name  string
	base  string
	args  []string
	lives []*life
}

// life is one run of a server's process, from start to exit.
type life struct {
	cmd     *exec.Cmd
	out     *lockedBuffer
	started time.Time
	done    chan struct{}
	err     error // set before done closes
}

func newServer(t *testing.T, name, dbURL string, extra ...string) *server {
	t.Helper()
	addr := notifytest.FreeAddr(t)
	s := &server{t: t, name: name, base: "http://" + addr,
		args: append([]string{"serve", "--addr", addr, "--db", dbURL}, extra...)}
	t.Cleanup(func() {
		if l := s.current(); l != nil && !l.exited() {
			l.cmd.Process.Kill()
			<-l.done
		}
		for i, l := range s.lives {
			log := l.out.String()
			if strings.Contains(log, "DATA RACE") {
				t.Errorf("%s (run %d) reported a data race:\n%s", s.name, i+1, log)
			} else if t.Failed() {
				t.Logf("%s (run %d) log, last 4000 bytes:\n%s", s.name, i+1, tail(log, 4000))
			}
		}
	})
	return s
}

func head(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

func (s *server) current() *life {
	if len(s.lives) == 0 {
		return nil
	}
	return s.lives[len(s.lives)-1]
}

func (l *life) exited() bool {
	select {
	case <-l.done:
		return true
	default:
		return false
	}
}

// start starts the process without waiting for it to be ready, so that
// several servers can start at the same moment.
func (s *server) start() {
	s.t.Helper()
	l := &life{cmd: oikosCommand(s.t, s.args...), out: &lockedBuffer{}, done: make(chan struct{})}
	l.cmd.Stdout, l.cmd.Stderr = l.out, l.out
	l.started = time.Now()
	if err := l.cmd.Start(); err != nil {
		s.t.Fatalf("start %s: %v", s.name, err)
	}
	go func() { l.err = l.cmd.Wait(); close(l.done) }()
	s.lives = append(s.lives, l)
}

// ready waits until GET /readyz answers 200 and returns how long that took
// from the process's start.
func (s *server) ready() time.Duration {
	s.t.Helper()
	l := s.current()
	client := &http.Client{Timeout: time.Second}
	deadline := l.started.Add(60 * time.Second)
	for {
		resp, err := client.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				d := time.Since(l.started)
				if d > 2*time.Second {
					// Slow to be ready: show how far it got when, to tell
					// a busy machine from a wait on the database.
					s.t.Logf("%s took %s to be ready after starting at %s; its log begins:\n%s",
						s.name, d, l.started.UTC().Format("15:04:05.000"), head(l.out.String(), 2000))
				}
				return d
			}
		}
		if l.exited() {
			s.t.Fatalf("%s stopped before it was ready: %v\n%s", s.name, l.err, l.out)
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s not ready 60 s after starting\n%s", s.name, l.out)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// kill ends the process with SIGKILL: no shutdown, no flushing, nothing.
func (s *server) kill() {
	s.t.Helper()
	l := s.current()
	if err := l.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		s.t.Fatalf("kill %s: %v", s.name, err)
	}
	<-l.done
}

// stop asks the process to stop (SIGTERM) and requires a clean exit.
func (s *server) stop() {
	s.t.Helper()
	l := s.current()
	l.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-l.done:
		if l.err != nil {
			s.t.Errorf("%s did not stop cleanly on SIGTERM: %v", s.name, l.err)
		}
	case <-time.After(30 * time.Second):
		s.t.Errorf("%s did not stop within 30 s of SIGTERM", s.name)
	}
}

// staff are the accounts the load acts as.
type staff struct {
	referrerToken, managerToken, linkWorkerID string
}

// setUpStaff adds a scheme and a GP practice, a referrer at the practice,
// a manager and a link worker at the scheme, and API tokens for the
// referrer and the manager, straight through the stores.
func setUpStaff(t *testing.T, dbURL string) staff {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := migrate(ctx, d); err != nil {
		t.Fatal(err)
	}
	orgs := &org.Store{DB: d}
	by := org.Actor{UserID: "system", Client: "durability test"}
	scheme, err := orgs.Create(ctx, by, org.Input{Name: "Northgate Social Prescribing", Kind: "scheme"})
	if err != nil {
		t.Fatal(err)
	}
	gp, err := orgs.Create(ctx, by, org.Input{Name: "Riverside Surgery", Kind: "gp_practice"})
	if err != nil {
		t.Fatal(err)
	}
	store := auth.NewStore(d)
	user := func(email, name string, role auth.Role, orgID string) auth.User {
		u, err := store.CreateUser(ctx, cliActor, auth.UserInput{Email: email, Name: name, Role: role, OrganisationID: orgID}, "")
		if err != nil {
			t.Fatalf("add %s: %v", email, err)
		}
		return u
	}
	token := func(u auth.User) string {
		secret, _, err := store.CreateToken(ctx, cliActor, u.ID, "durability test")
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	referrer := user("gp@example.org", "Dr Tom Okafor", auth.Referrer, gp.ID)
	manager := user("manager@example.org", "Morgan Ellis", auth.Manager, scheme.ID)
	lw := user("asha@example.org", "Asha Patel", auth.LinkWorker, scheme.ID)
	return staff{referrerToken: token(referrer), managerToken: token(manager), linkWorkerID: lw.ID}
}

// load is clients writing referrals (and, when assigners run, a manager
// assigning each new referral to the link worker) across one or more
// servers, as through a load balancer that sends each request to the next
// server. It keeps what was acknowledged.
type load struct {
	t       *testing.T
	staff   staff
	servers []*server
	client  *http.Client
	next    atomic.Uint64
	stopped atomic.Bool
	wg      sync.WaitGroup
	// cut counts requests that got no answer: their server was killed
	// under them, or was down.
	cut atomic.Int64

	mu          sync.Mutex
	acked       []string // referrals answered 201, in order
	assignedAck []string // referrals whose assignment answered 200
	unexpected  []string // any other answer, which is a bug
	toAssign    chan string
}

func startLoad(t *testing.T, st staff, servers []*server, referrers, assigners int) *load {
	l := &load{t: t, staff: st, servers: servers,
		client:   &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}},
		toAssign: make(chan string, 1<<16)}
	for i := range referrers {
		l.wg.Add(1)
		go l.referrer(uint64(i), assigners > 0)
	}
	for range assigners {
		l.wg.Add(1)
		go l.assigner()
	}
	return l
}

// pick is the next server's base URL, round robin.
func (l *load) pick() string {
	return l.servers[int(l.next.Add(1)%uint64(len(l.servers)))].base
}

var (
	givenNames  = []string{"Margaret", "John", "Aisha", "Tomasz", "Olena", "Kwame", "Siobhan", "Mei", "Ravi", "Doreen"}
	familyNames = []string{"Hughes", "Smith", "Okafor", "Nowak", "Khan", "Begum", "Murphy", "Chen", "Pritchard", "Ashworth"}
)

// referralBody is a professional's referral for someone new.
func referralBody(r *rand.Rand) []byte {
	in := referral.Input{
		Person: referral.PersonInput{
			GivenName: givenNames[r.IntN(len(givenNames))], FamilyName: familyNames[r.IntN(len(familyNames))],
			DateOfBirth: time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(60*365)).Format("2006-01-02"),
			Postcode:    fmt.Sprintf("LS%d %d%c%c", 1+r.IntN(28), r.IntN(10), 'A'+rune(r.IntN(20)), 'A'+rune(r.IntN(20))),
		},
		Source:  referral.SourceInput{Type: "gp"},
		Reasons: []string{taxonomy.Needs[r.IntN(len(taxonomy.Needs))].Code},
		Consent: referral.ConsentInput{Given: true},
		Notes:   "Lives alone since her husband died last year and rarely goes out.",
	}
	body, _ := json.Marshal(in)
	return body
}

// post sends a JSON body with a bearer token and reads the answer. err is
// set only when no answer came.
func (l *load) post(url, token string, body []byte) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := l.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	return resp.StatusCode, got, err
}

func (l *load) noAnswer() {
	l.cut.Add(1)
	// The server is down: a load balancer would send the next request
	// elsewhere; with one server, wait for it a moment.
	time.Sleep(5 * time.Millisecond)
}

func (l *load) wrong(what string, status int, body []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.unexpected = append(l.unexpected, fmt.Sprintf("%s: %d %s", what, status, tail(string(body), 300)))
}

func (l *load) referrer(seed uint64, assign bool) {
	defer l.wg.Done()
	r := rand.New(rand.NewPCG(seed, uint64(time.Now().UnixNano())))
	for !l.stopped.Load() {
		status, body, err := l.post(l.pick()+"/api/v1/referrals", l.staff.referrerToken, referralBody(r))
		if err != nil {
			l.noAnswer()
			continue
		}
		var created struct {
			ID string `json:"id"`
		}
		if status != http.StatusCreated || json.Unmarshal(body, &created) != nil || created.ID == "" {
			l.wrong("POST /api/v1/referrals", status, body)
			continue
		}
		l.mu.Lock()
		l.acked = append(l.acked, created.ID)
		l.mu.Unlock()
		if assign {
			select {
			case l.toAssign <- created.ID:
			default: // the assigners are behind: this one stays unassigned
			}
		}
	}
}

// assigner assigns each new referral to the link worker, once: a request
// that got no answer is not tried again, so that no referral can owe two
// emails and a second email is always a double send.
func (l *load) assigner() {
	defer l.wg.Done()
	body, _ := json.Marshal(map[string]string{"user_id": l.staff.linkWorkerID})
	for !l.stopped.Load() {
		var id string
		select {
		case id = <-l.toAssign:
		case <-time.After(50 * time.Millisecond):
			continue
		}
		status, got, err := l.post(l.pick()+"/api/v1/referrals/"+id+"/assign", l.staff.managerToken, body)
		switch {
		case err != nil:
			l.noAnswer()
		case status != http.StatusOK:
			l.wrong("POST /api/v1/referrals/{id}/assign", status, got)
		default:
			l.mu.Lock()
			l.assignedAck = append(l.assignedAck, id)
			l.mu.Unlock()
		}
	}
}

func (l *load) ackedSoFar() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.acked)
}

// stop ends the load, letting requests in flight get their answers, and
// fails the test on any answer other than the expected ones.
func (l *load) stop() {
	l.stopped.Store(true)
	l.wg.Wait()
	l.client.CloseIdleConnections()
	for i, u := range l.unexpected {
		if i == 5 {
			l.t.Errorf("… and %d more unexpected answers", len(l.unexpected)-5)
			break
		}
		l.t.Errorf("unexpected answer under load: %s", u)
	}
	if len(l.acked) == 0 {
		l.t.Fatal("no referral was acknowledged: the load did not run")
	}
}

// killRounds runs the load for a round, kills one server with SIGKILL,
// starts it again and waits until it is ready, rounds times (server i%n
// in round i), then lets the load run one more round against the
// restarted servers. It returns the restart-to-ready times.
func killRounds(t *testing.T, l *load, servers []*server, rounds int) []time.Duration {
	t.Helper()
	var times []time.Duration
	for i := range rounds {
		l.round(fmt.Sprintf("round %d", i+1))
		s := servers[i%len(servers)]
		s.kill()
		s.start()
		times = append(times, s.ready())
	}
	l.round("the round after the last restart")
	return times
}

// round lets the load run for roundLength, and longer if need be until
// at least 20 more referrals have been acknowledged, so that a kill always
// lands on writes in flight even on a slow, busy machine.
func (l *load) round(name string) {
	l.t.Helper()
	const enough = 20
	start, before := time.Now(), len(l.ackedSoFar())
	time.Sleep(roundLength(l.t))
	for len(l.ackedSoFar())-before < enough {
		if time.Since(start) > time.Minute {
			l.t.Fatalf("%s: %d referrals acknowledged in a minute", name, len(l.ackedSoFar())-before)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// missing returns the acknowledged referrals that dbURL does not hold.
func missing(t *testing.T, dbURL string, acked []string) []string {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ids, err := db.Strings(ctx, d.R(), "SELECT id FROM referrals")
	if err != nil {
		t.Fatal(err)
	}
	held := make(map[string]bool, len(ids))
	for _, id := range ids {
		held[id] = true
	}
	var lost []string
	for _, id := range acked {
		if !held[id] {
			lost = append(lost, id)
		}
	}
	return lost
}

// auditIntact runs `oikos audit verify` and returns how many entries it
// checked.
func auditIntact(t *testing.T, dbURL string) int {
	t.Helper()
	out, err := oikosRun(t, "audit", "verify", "--db", dbURL)
	var n int
	if err != nil || !strings.Contains(out, "intact") {
		t.Errorf("oikos audit verify: %v\n%s", err, out)
	} else if _, err := fmt.Sscanf(out[strings.Index(out, "intact"):], "intact: %d", &n); err != nil {
		t.Errorf("oikos audit verify said %q", out)
	}
	return n
}

func seconds(ds []time.Duration) string {
	var s []string
	for _, d := range ds {
		s = append(s, fmt.Sprintf("%.2f", d.Seconds()))
	}
	return strings.Join(s, ", ") + " s"
}

// TestDurabilityKill kills `oikos serve` with SIGKILL under concurrent
// referral writes three times, starting it again each time, and then finds
// every referral that was answered 201 and the audit chain intact.
func TestDurabilityKill(t *testing.T) {
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			dbURL := dbtest.URL(t, dialect)
			st := setUpStaff(t, dbURL)
			s := newServer(t, "oikos serve", dbURL)
			s.start()
			first := s.ready()
			const kills = 3
			l := startLoad(t, st, []*server{s}, 4, 0)
			loadStart := time.Now()
			times := killRounds(t, l, []*server{s}, kills)
			l.stop()
			took := time.Since(loadStart)
			s.stop()

			lost := missing(t, dbURL, l.acked)
			entries := auditIntact(t, dbURL)
			t.Logf("%s: %d SIGKILLs under load from 4 clients for %.1f s, %d referrals acknowledged (%.0f/s), %d lost, "+
				"%d requests unanswered (cut off or refused while down); first start to ready %.2f s, restart to ready %s; audit chain of %d entries intact",
				dialect, kills, took.Seconds(), len(l.acked), float64(len(l.acked))/took.Seconds(), len(lost), l.cut.Load(),
				first.Seconds(), seconds(times), entries)
			if len(lost) > 0 {
				t.Errorf("%d acknowledged referrals lost, such as %v", len(lost), lost[:min(5, len(lost))])
			}
			for _, d := range times {
				// Ready in a fraction of a second on a quiet machine; the
				// bound allows for a race-instrumented build on a busy one.
				if d > 20*time.Second {
					t.Errorf("restart to ready took %s", d)
				}
			}
		})
	}
}

// TestDurabilityBackupUnderLoad takes `oikos backup` while referrals are
// being written, restores it into a fresh database, and checks the copy:
// every referral acknowledged before the backup began is in it, nothing is
// in it that the live database lacks, foreign keys hold, the audit chain
// verifies, and a server started on it serves the referrals.
func TestDurabilityBackupUnderLoad(t *testing.T) {
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			var pgRestore string
			if dialect == db.Postgres {
				_, dumpErr := lookPGDump()
				var restoreErr error
				pgRestore, restoreErr = lookPGRestore()
				if dumpErr != nil || restoreErr != nil {
					requireTool(t, "pg_dump and pg_restore", "apt-get install postgresql-client")
				}
			}
			dbURL := dbtest.URL(t, dialect)
			st := setUpStaff(t, dbURL)
			s := newServer(t, "oikos serve", dbURL)
			s.start()
			s.ready()
			l := startLoad(t, st, []*server{s}, 4, 0)
			l.round("before the backup")

			file := filepath.Join(t.TempDir(), "backup")
			before := l.ackedSoFar()
			if len(before) == 0 {
				t.Fatal("no referral acknowledged before the backup")
			}
			start := time.Now()
			out, err := oikosRun(t, "backup", file, "--db", dbURL)
			took := time.Since(start)
			during := len(l.ackedSoFar()) - len(before)
			if err != nil || !strings.Contains(out, "Backed up") {
				t.Fatalf("oikos backup: %v\n%s", err, out)
			}
			time.Sleep(roundLength(t) / 2)
			l.stop()
			s.stop()
			info, err := os.Stat(file)
			if err != nil {
				t.Fatal(err)
			}

			// Restore as an operator would: SQLite's copy is itself a
			// database; PostgreSQL's goes into a new, empty one.
			var copyURL string
			switch dialect {
			case db.SQLite:
				restored := filepath.Join(t.TempDir(), "restored.db")
				if err := os.Rename(file, restored); err != nil {
					t.Fatal(err)
				}
				copyURL = "sqlite:" + restored
			case db.Postgres:
				copyURL = dbtest.EmptyURL(t)
				cmd := exec.Command(pgRestore, "--no-owner", "--exit-on-error", "--single-transaction", "--dbname", copyURL, file)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("pg_restore: %v\n%s", err, out)
				}
			}
			if lost := missing(t, copyURL, before); len(lost) > 0 {
				t.Errorf("%d of %d referrals acknowledged before the backup began are not in it, such as %v", len(lost), len(before), lost[:min(5, len(lost))])
			}
			copied := referralIDs(t, copyURL)
			if extra := missing(t, dbURL, copied); len(extra) > 0 {
				t.Errorf("the copy holds %d referrals the live database does not, such as %v", len(extra), extra[:min(5, len(extra))])
			}
			checkForeignKeys(t, dialect, dbURL, copyURL)
			entries := auditIntact(t, copyURL)

			// The copy serves: a referral from before the backup reads back
			// through the API (and its read is audited on top of the copied
			// chain, which must still verify).
			r := newServer(t, "oikos serve on the restored copy", copyURL)
			r.start()
			r.ready()
			req, _ := http.NewRequest(http.MethodGet, r.base+"/api/v1/referrals/"+before[len(before)-1], nil)
			req.Header.Set("Authorization", "Bearer "+st.referrerToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET a referral from the restored copy: %d", resp.StatusCode)
			}
			r.stop()
			auditIntact(t, copyURL)

			t.Logf("%s: backup of %.1f MB (%d referrals, audit chain of %d entries) in %.2f s while 4 clients wrote; "+
				"%d referrals acknowledged during the backup, %d before it began, all %d in the restored copy; %s",
				dialect, float64(info.Size())/1e6, len(copied), entries, took.Seconds(), during, len(before), len(before), strings.TrimSpace(out))
		})
	}
}

func referralIDs(t *testing.T, dbURL string) []string {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ids, err := db.Strings(ctx, d.R(), "SELECT id FROM referrals")
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// checkForeignKeys checks that the copy's rows satisfy every foreign key:
// SQLite by foreign_key_check; PostgreSQL by having as many validated
// foreign keys as the live database (pg_restore adds each after the data,
// checking every row, and --exit-on-error stops at the first that fails).
func checkForeignKeys(t *testing.T, dialect db.Dialect, liveURL, copyURL string) {
	t.Helper()
	ctx := context.Background()
	count := func(url string) int {
		d, err := db.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		var n int
		if dialect == db.SQLite {
			rows, err := d.R().QueryContext(ctx, "PRAGMA foreign_key_check")
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				n++
			}
			var ok string
			if err := d.R().QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
				t.Errorf("integrity_check of %s: %v %q", url, err, ok)
			}
			return n
		}
		if err := d.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM pg_constraint WHERE contype = 'f' AND convalidated").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	switch live, copied := count(liveURL), count(copyURL); {
	case dialect == db.SQLite && copied != 0:
		t.Errorf("the restored copy has %d rows breaking a foreign key", copied)
	case dialect == db.Postgres && (copied != live || live == 0):
		t.Errorf("the restored copy has %d validated foreign keys, the live database %d", copied, live)
	}
}

// lookPGRestore finds pg_restore where lookPGDump finds pg_dump.
func lookPGRestore() (string, error) {
	if p, err := exec.LookPath("pg_restore"); err == nil {
		return p, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_restore")
	if len(matches) > 0 {
		return matches[len(matches)-1], nil
	}
	return "", fmt.Errorf("pg_restore not found")
}

// TestDurabilitySeveralServers starts three `oikos serve` on one new,
// empty PostgreSQL database at the same moment (all migrate at once), runs
// referral writes and assignments across them as a load balancer would,
// kills one server at a time with SIGKILL and starts it again, and then
// finds nothing lost, the audit chain unbroken, and each assignment's
// email delivered once by the three servers' outbox workers.
func TestDurabilitySeveralServers(t *testing.T) {
	dbURL := dbtest.EmptyURL(t)
	smtp := notifytest.Start(t, notifytest.Options{})
	const n = 3
	var servers []*server
	for i := range n {
		servers = append(servers, newServer(t, fmt.Sprintf("server %d", i+1), dbURL,
			"--smtp-url", smtp.URL("oikos@example.org"), "--base-url", "https://oikos.example.org"))
	}
	for _, s := range servers {
		s.start()
	}
	var firstStart []time.Duration
	for _, s := range servers {
		firstStart = append(firstStart, s.ready())
	}
	ctx := context.Background()
	d, err := db.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	checkMigratedOnce(t, d)

	st := setUpStaff(t, dbURL)
	const referrers, assigners, kills = 6, 3, 3
	l := startLoad(t, st, servers, referrers, assigners)
	loadStart := time.Now()
	times := killRounds(t, l, servers, kills)
	l.stop()
	loadTook := time.Since(loadStart)

	stranded := waitForOutbox(t, d)
	for _, s := range servers {
		s.stop()
	}
	lost := missing(t, dbURL, l.acked)
	if len(lost) > 0 {
		t.Errorf("%d acknowledged referrals lost, such as %v", len(lost), lost[:min(5, len(lost))])
	}
	entries := auditIntact(t, dbURL)
	delivered, duplicates, strandedDelivered := checkSentOnce(t, d, smtp.Mails(), l.assignedAck, stranded)
	if stranded > kills {
		t.Errorf("%d messages stranded mid-send, more than the %d kills could explain", stranded, kills)
	}
	t.Logf("postgres, %d servers: started together on an empty database, ready in %s; %d SIGKILLs (one server at a time) "+
		"under %d referring and %d assigning clients for %.1f s; %d referrals acknowledged (%.0f/s), %d lost, %d requests unanswered (cut off or refused while down); "+
		"restart to ready %s; %d assignments acknowledged, %d emails delivered, %d sent twice, %d left claimed mid-send by a kill (%d of them delivered before it); audit chain of %d entries intact",
		n, seconds(firstStart), kills, referrers, assigners, loadTook.Seconds(), len(l.acked), float64(len(l.acked))/loadTook.Seconds(),
		len(lost), l.cut.Load(), seconds(times), len(l.assignedAck), delivered, duplicates, stranded, strandedDelivered, entries)
}

// checkMigratedOnce checks that servers migrating together applied every
// migration exactly once and agree on the version.
func checkMigratedOnce(t *testing.T, d *db.DB) {
	t.Helper()
	all, err := db.Migrations(db.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	var rows, distinct int
	if err := d.R().QueryRowContext(context.Background(), "SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations").Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if rows != len(all) || distinct != len(all) {
		t.Errorf("schema_migrations holds %d rows (%d versions); want each of the %d migrations once", rows, distinct, len(all))
	}
}

// waitForOutbox waits until every message has been dealt with, and returns
// how many are left "sending": claimed by a server that was killed before
// it recorded the send. Such a message goes out again when its claim
// lapses (5 minutes), since it may or may not have gone the first time.
func waitForOutbox(t *testing.T, d *db.DB) (stranded int) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(60 * time.Second)
	var last []string
	steady := time.Now()
	for {
		pending, err := db.Strings(ctx, d.R(), "SELECT id FROM outbox WHERE status = 'pending'")
		if err != nil {
			t.Fatal(err)
		}
		sending, err := db.Strings(ctx, d.R(), "SELECT id FROM outbox WHERE status = 'sending' ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(sending, last) {
			last, steady = sending, time.Now()
		}
		// A live worker sends a message in milliseconds: one that stays
		// "sending" for two seconds has lost its worker.
		if len(pending) == 0 && (len(sending) == 0 || time.Since(steady) > 2*time.Second) {
			return len(sending)
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 60 s the outbox still has %d pending and %d sending messages", len(pending), len(sending))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

var assignedSubject = regexp.MustCompile(`^Oikos: referral (\S+) is assigned to you$`)

// checkSentOnce checks the outbox against what the SMTP server received:
// no message delivered twice, none delivered that the outbox does not
// hold, every sent message delivered, and every acknowledged assignment
// owing exactly one email that arrived (or is stranded by a kill).
func checkSentOnce(t *testing.T, d *db.DB, mails []notifytest.Mail, assigned []string, stranded int) (delivered, duplicates, strandedDelivered int) {
	t.Helper()
	ctx := context.Background()
	type row struct{ status, subject string }
	outbox := map[string]row{}
	rows, err := d.R().QueryContext(ctx, "SELECT id, status, subject FROM outbox WHERE kind = $1", notify.KindReferralAssigned)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var r row
		if err := rows.Scan(&id, &r.status, &r.subject); err != nil {
			t.Fatal(err)
		}
		outbox[id] = r
	}
	rows.Close()

	times := map[string]int{} // outbox id -> deliveries
	for _, m := range mails {
		// Message-ID: <OUTBOX_ID.oikos@DOMAIN>
		id, _, _ := strings.Cut(strings.Trim(m.Header.Get("Message-ID"), "<> "), ".oikos@")
		if _, ok := outbox[id]; !ok {
			t.Errorf("an email arrived that the outbox does not hold: Message-ID %q, subject %q", m.Header.Get("Message-ID"), m.Subject)
			continue
		}
		times[id]++
	}
	perReference := map[string][]string{}
	for id, r := range outbox {
		switch got := times[id]; {
		case got > 1:
			duplicates++
			t.Errorf("message %s (%s) delivered %d times", id, r.subject, got)
		case got == 0 && r.status == notify.StatusSent:
			t.Errorf("message %s marked sent but never arrived", id)
		case r.status != notify.StatusSent && r.status != notify.StatusSending:
			t.Errorf("message %s is %s", id, r.status)
		}
		delivered += min(times[id], 1)
		if r.status == notify.StatusSending && times[id] > 0 {
			strandedDelivered++ // the kill came after the mail server took it
		}
		if m := assignedSubject.FindStringSubmatch(r.subject); m != nil {
			perReference[m[1]] = append(perReference[m[1]], id)
		} else {
			t.Errorf("message %s has subject %q", id, r.subject)
		}
	}
	refs := map[string]string{}
	rs, err := d.R().QueryContext(ctx, "SELECT id, reference FROM referrals")
	if err != nil {
		t.Fatal(err)
	}
	for rs.Next() {
		var id, ref string
		if err := rs.Scan(&id, &ref); err != nil {
			t.Fatal(err)
		}
		refs[id] = ref
	}
	rs.Close()
	for ref, ids := range perReference {
		if len(ids) > 1 {
			t.Errorf("referral %s owes %d assignment emails; it was assigned once", ref, len(ids))
		}
	}
	unsent := 0
	for _, id := range assigned {
		ids := perReference[refs[id]]
		switch {
		case len(ids) == 0:
			t.Errorf("referral %s was assigned (200) but no email was written to the outbox", id)
		case times[ids[0]] == 0:
			unsent++
		}
	}
	if unsent > stranded {
		t.Errorf("%d acknowledged assignments' emails never arrived; only %d are stranded by kills", unsent, stranded)
	}
	if len(assigned) == 0 {
		t.Error("no assignment was acknowledged: the test proves nothing about the outbox")
	}
	return delivered, duplicates, strandedDelivered
}
