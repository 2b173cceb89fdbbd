package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/web"
)

// TestSignInFlood is the probe's flood, kept in CI: a real server with real
// argon2id costs takes 200 wrong passwords at once for one account, each
// from its own address behind a trusted proxy, then 60 at once for as many
// unknown accounts. At most 5 passwords of the account are checked; the
// hashers never run more than their size at once, so memory stays bounded;
// and searches and other database routes stay fast throughout (on
// PostgreSQL the old code froze them all at 20 failures).
func TestSignInFlood(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		proxies, _ := web.ParseTrustedProxies("127.0.0.0/8, ::1")
		f := newFixture(t, d, func(c *serverConfig) { c.TrustedProxies = proxies })
		f.auth.PasswordParams = auth.DefaultPasswordParams
		ctx := context.Background()
		target := f.users[auth.Referrer]
		if err := f.auth.SetPassword(ctx, auth.Actor{UserID: "system"}, target.ID, testPassword); err != nil {
			t.Fatal(err)
		}
		hashers := f.auth.Hashers

		// The same requests with no flood, for comparison.
		search := func(i int) (time.Duration, bool) {
			req, _ := http.NewRequest("GET", f.ts.URL+"/api/v1/services?q=walking", nil)
			if i%2 == 1 {
				req, _ = http.NewRequest("GET", f.ts.URL+"/api/v1/users", nil)
				req.Header.Set("Authorization", "Bearer "+f.tokens[auth.Admin])
			}
			start := time.Now()
			resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
			took := time.Since(start)
			if err != nil {
				return took, false
			}
			resp.Body.Close()
			return took, resp.StatusCode == 200
		}
		var quiet time.Duration
		for i := range 10 {
			took, _ := search(i)
			quiet = max(quiet, took)
		}

		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		baseline := ms.HeapInuse
		var peak atomic.Uint64
		stop := make(chan struct{})
		var watchers sync.WaitGroup
		watchers.Add(2)
		go func() {
			defer watchers.Done()
			var ms runtime.MemStats
			for {
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
				select {
				case <-stop:
					return
				case <-time.After(10 * time.Millisecond):
				}
			}
		}()
		// Meanwhile, someone searches the directory and an administrator
		// lists users, one request after another.
		var slowest atomic.Int64
		var searches, searchErrors atomic.Int64
		go func() {
			defer watchers.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				took, ok := search(i)
				if !ok {
					searchErrors.Add(1)
				}
				searches.Add(1)
				if int64(took) > slowest.Load() {
					slowest.Store(int64(took))
				}
				time.Sleep(10 * time.Millisecond)
			}
		}()

		flood := func(n int, email func(i int) string) map[int]int {
			var mu sync.Mutex
			statuses := map[int]int{}
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					form := url.Values{"email": {email(i)}, "password": {fmt.Sprintf("wrong guess %d", i)}}
					req, _ := http.NewRequest("POST", f.ts.URL+"/sign-in", strings.NewReader(form.Encode()))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					// Half from IPv4, half from IPv6 addresses in different /64s.
					addr := fmt.Sprintf("198.51.%d.%d", i/250, i%250+1)
					if i%2 == 1 {
						addr = fmt.Sprintf("2001:db8:%x::%x", i, i)
					}
					req.Header.Set("X-Forwarded-For", addr)
					client := &http.Client{Timeout: 60 * time.Second}
					resp, err := client.Do(req)
					status := 0
					if err == nil {
						status = resp.StatusCode
						resp.Body.Close()
					}
					mu.Lock()
					statuses[status]++
					mu.Unlock()
				}()
			}
			wg.Wait()
			return statuses
		}

		start := time.Now()
		before := hashers.Stats().Runs
		one := flood(200, func(int) string { return target.Email })
		checked := hashers.Stats().Runs - before
		oneTook := time.Since(start)

		start = time.Now()
		before = hashers.Stats().Runs
		many := flood(60, func(i int) string { return fmt.Sprintf("nobody%d@example.org", i) })
		manyChecked := hashers.Stats().Runs - before
		manyTook := time.Since(start)

		close(stop)
		watchers.Wait()
		st := hashers.Stats()
		slow := time.Duration(slowest.Load())
		grew := int64(peak.Load()) - int64(baseline)
		t.Logf("%s: one account, 200 at once: %d checked, answers %v, %v", d.Dialect, checked, one, oneTook.Round(time.Millisecond))
		t.Logf("%s: 60 unknown accounts at once: %d checked, answers %v, %v", d.Dialect, manyChecked, many, manyTook.Round(time.Millisecond))
		t.Logf("%s: hashers %d, most at once %d, refused busy %d; heap in use %d MiB before, peak %d MiB (+%d MiB); %d searches, slowest %v (%v with no flood)",
			d.Dialect, st.Size, st.MaxInFlight, st.Refused, baseline>>20, peak.Load()>>20, grew>>20, searches.Load(), slow.Round(time.Millisecond), quiet.Round(time.Millisecond))

		if checked > 5 || one[http.StatusUnauthorized] > 5 {
			t.Errorf("%d passwords checked for one account (%d answered 401), want at most 5", checked, one[http.StatusUnauthorized])
		}
		if one[http.StatusUnauthorized]+one[http.StatusTooManyRequests] != 200 {
			t.Errorf("answers to the one-account flood: %v, want only 401 and 429", one)
		}
		if many[http.StatusUnauthorized]+many[http.StatusTooManyRequests] != 60 || int64(many[http.StatusUnauthorized]) != manyChecked {
			t.Errorf("answers to the many-account flood: %v with %d checked, want 401 for each checked and 429 for the rest", many, manyChecked)
		}
		if st.MaxInFlight > int64(st.Size) {
			t.Errorf("%d hashes ran at once, more than the %d hashers", st.MaxInFlight, st.Size)
		}
		// Each hash holds 19 MiB, and the garbage collector may keep as much
		// again; 60 at once would need 1.1 GiB. Allow the pool's share twice
		// over and 150 MiB for the requests themselves.
		if limit := int64(st.Size)*2*2*19<<20 + 150<<20; grew > limit {
			t.Errorf("heap grew %d MiB during the flood, more than %d MiB", grew>>20, limit>>20)
		}
		if slow > 2*time.Second || searches.Load() < 5 || searchErrors.Load() > 0 {
			t.Errorf("searches during the flood: %d, %d failed, slowest %v (want all under 2 s)", searches.Load(), searchErrors.Load(), slow)
		}
	})
}
