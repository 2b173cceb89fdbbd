package db

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestGroupCommitBatches has many callers write at once: each item is
// written exactly once, by one writer at a time, in batches of at most
// Max that start with the leader's own item, and callers do share batches.
func TestGroupCommitBatches(t *testing.T) {
	g := &GroupCommit[int]{Max: 8}
	var writing atomic.Int32
	var mu sync.Mutex
	written := map[int]int{}
	biggest := 0
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := g.Do(i, func(batch []int) {
				if writing.Add(1) != 1 {
					t.Error("two batches written at once")
				}
				defer writing.Add(-1)
				if batch[0] != i {
					t.Errorf("the leader %d's batch starts with %d", i, batch[0])
				}
				time.Sleep(time.Millisecond) // a commit's wait for the disk
				mu.Lock()
				defer mu.Unlock()
				for _, n := range batch {
					written[n]++
				}
				biggest = max(biggest, len(batch))
			})
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if written[i] != 1 {
				t.Errorf("item %d returned written %d times", i, written[i])
			}
		}()
	}
	wg.Wait()
	if len(written) != 200 {
		t.Fatalf("%d items written, want 200", len(written))
	}
	if biggest < 2 || biggest > 8 {
		t.Fatalf("biggest batch %d, want 2 to 8", biggest)
	}
}

// TestGroupCommitPanic: a write that panics answers its batch's other
// callers with ErrBatchAborted, the leader's panic goes on up, and the
// next batch is written.
func TestGroupCommitPanic(t *testing.T) {
	g := &GroupCommit[string]{Max: 4}
	release := make(chan struct{})
	started := make(chan struct{})
	leaderDone := make(chan any)
	go func() {
		defer func() { leaderDone <- recover() }()
		g.Do("leader", func([]string) {
			close(started)
			<-release // hold the lead while the others queue
		})
	}()
	<-started
	// Two callers queue behind the leader; the first leads the next batch,
	// which panics.
	results := make(chan error, 2)
	for _, name := range []string{"a", "b"} {
		go func() {
			defer func() {
				if r := recover(); r != nil {
					results <- errors.New("panicked")
				}
			}()
			results <- g.Do(name, func(batch []string) { panic("disk on fire") })
		}()
	}
	for {
		g.mu.Lock()
		n := len(g.waiting)
		g.mu.Unlock()
		if n == 2 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	if r := <-leaderDone; r != nil {
		t.Fatalf("the first leader panicked: %v", r)
	}
	got := map[string]int{}
	for range 2 {
		err := <-results
		switch {
		case errors.Is(err, ErrBatchAborted):
			got["aborted"]++
		case err != nil && err.Error() == "panicked":
			got["panicked"]++
		default:
			t.Fatalf("unexpected answer %v", err)
		}
	}
	if got["aborted"] != 1 || got["panicked"] != 1 {
		t.Fatalf("answers %v, want one aborted and one panicked", got)
	}
	// The lead was passed on: a later write goes through.
	done := make(chan error)
	go func() { done <- g.Do("later", func([]string) {}) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the lead was not passed on after a panic")
	}
}
