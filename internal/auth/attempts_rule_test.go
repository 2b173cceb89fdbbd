package auth

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestReserveRule(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	at := func(m float64) time.Time { return t0.Add(time.Duration(m * float64(time.Minute))) }
	for _, c := range []struct {
		name   string
		before attempts
		now    time.Time
		want   attempts
		ok     bool
	}{
		{"first ever", attempts{}, at(0), attempts{1, at(0)}, true},
		{"second", attempts{1, at(0)}, at(1), attempts{2, at(1)}, true},
		{"fifth", attempts{4, at(0)}, at(3), attempts{5, at(3)}, true},
		{"sixth refused", attempts{5, at(3)}, at(4), attempts{5, at(3)}, false},
		{"refused just before the window ends", attempts{5, at(3)}, at(17.99), attempts{5, at(3)}, false},
		{"a window after the last: starts again", attempts{5, at(3)}, at(18), attempts{1, at(18)}, true},
		// A fixed window from the first attempt would start again at 15
		// and allow five more straight after the four at 14.
		{"no fresh window while attempts keep coming", attempts{4, at(14)}, at(15.5), attempts{5, at(15.5)}, true},
		{"given back to zero, still within the window", attempts{0, at(2)}, at(3), attempts{1, at(3)}, true},
		{"other limit", attempts{19, at(0)}, at(1), attempts{20, at(1)}, true},
	} {
		limit := accountAttemptLimit
		if c.name == "other limit" {
			limit = clientAttemptLimit
		}
		got, ok := reserve(c.before, c.now, limit)
		if got != c.want || ok != c.ok {
			t.Errorf("%s: got %+v %v, want %+v %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

// TestReserveRuleHoldsInEveryWindow replays attempts every 20 seconds for
// an hour and checks that no 15-minute span lets more than the limit by.
func TestReserveRuleHoldsInEveryWindow(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	var a attempts
	var through []time.Time
	for i := range 180 {
		now := t0.Add(time.Duration(i) * 20 * time.Second)
		var ok bool
		if a, ok = reserve(a, now, accountAttemptLimit); ok {
			through = append(through, now)
		}
	}
	for i := range through {
		n := 0
		for _, u := range through[i:] {
			if u.Sub(through[i]) < attemptWindow {
				n++
			}
		}
		if n > accountAttemptLimit {
			t.Fatalf("%d attempts let through in the 15 minutes from %v", n, through[i])
		}
	}
	if len(through) < 10 {
		t.Fatalf("only %d attempts in an hour: the lock never ends", len(through))
	}
}

func TestClientGroup(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"192.0.2.7", "192.0.2.7"},
		{"::ffff:192.0.2.7", "192.0.2.7"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"::1", "::/64"},
		{"not an address", "not an address"},
		{"", ""},
	} {
		if got := ClientGroup(c.in); got != c.want {
			t.Errorf("ClientGroup(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestHashersBoundAndQueue(t *testing.T) {
	const wait = 200 * time.Millisecond
	h := NewHashers(2, 1, wait)
	ctx := context.Background()
	// fill takes both slots until the returned func is called.
	fill := func() func() {
		release := make(chan struct{})
		started := make(chan struct{})
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				h.do(ctx, func() { started <- struct{}{}; <-release })
			}()
		}
		<-started
		<-started
		return func() { close(release); wg.Wait() }
	}

	free := fill()
	queued := make(chan error, 1)
	go func() { queued <- h.do(ctx, func() {}) }()
	time.Sleep(20 * time.Millisecond)
	start := time.Now()
	if err := h.do(ctx, func() { t.Error("ran beyond the queue") }); err != errBusy || time.Since(start) > wait/2 {
		t.Fatalf("beyond the queue: %v after %v, want refused at once", err, time.Since(start))
	}
	free()
	if err := <-queued; err != nil {
		t.Fatalf("the queued computation: %v", err)
	}

	free = fill()
	start = time.Now()
	if err := h.do(ctx, func() { t.Error("ran while the slots were full") }); err != errBusy || time.Since(start) < wait {
		t.Fatalf("waiting for a slot: %v after %v, want refused after %v", err, time.Since(start), wait)
	}
	free()

	st := h.Stats()
	if st.MaxInFlight != 2 || st.Runs != 5 || st.Refused != 2 || st.Size != 2 {
		t.Fatalf("stats %+v", st)
	}
}
