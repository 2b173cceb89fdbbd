package db

import (
	"errors"
	"slices"
	"sync"
)

// Group commit. A durable commit waits for the disk (an fsync of the
// SQLite WAL, a flush of the PostgreSQL WAL) and for the audit chain's
// tail, which only one transaction at a time may extend. Writes that
// arrive together can therefore share one transaction: the first caller
// leads, writes everything queued so far, commits once, and each caller
// returns only after that; writes arriving meanwhile queue for the next
// batch, which the next waiting caller leads. A lone write is a batch of
// one and waits for nobody. Referral intake and the audit of suggestion
// reads use it.

// GroupCommit queues writes of T into batches of at most Max, written by
// one caller at a time. The zero value is not ready: set Max.
type GroupCommit[T any] struct {
	Max int

	mu      sync.Mutex
	waiting []*groupWaiter[T]
	leading bool // a caller is writing a batch
}

type groupWaiter[T any] struct {
	item T
	// wake is closed once the batch holding item is written, or to hand
	// this caller the lead (then promoted is set first).
	wake     chan struct{}
	promoted bool
	written  bool
}

// ErrBatchAborted answers the callers of a batch whose write did not
// return (it panicked).
var ErrBatchAborted = errors.New("write batch aborted")

// Do queues item and returns once a batch holding it has been written:
// write is called with the batch, never by two callers at once, and must
// settle every item's answer itself (the items are the caller's to read
// afterwards). A leader's batch starts with its own item. Whatever write
// does, even panic, every caller returns and the lead passes on; Do
// returns ErrBatchAborted to the callers of a batch whose write did not
// return.
func (g *GroupCommit[T]) Do(item T, write func(batch []T)) error {
	w := &groupWaiter[T]{item: item, wake: make(chan struct{})}
	g.mu.Lock()
	g.waiting = append(g.waiting, w)
	if g.leading {
		g.mu.Unlock()
		<-w.wake
		if !w.promoted {
			return w.answer()
		}
	} else {
		g.leading = true
		g.mu.Unlock()
	}
	g.lead(w, write)
	return w.answer()
}

func (w *groupWaiter[T]) answer() error {
	if !w.written {
		return ErrBatchAborted
	}
	return nil
}

// lead writes one batch, self first (it was the first waiting when it
// took the lead), then hands the lead to whoever waits next.
func (g *GroupCommit[T]) lead(self *groupWaiter[T], write func([]T)) {
	g.mu.Lock()
	n := min(len(g.waiting), max(g.Max, 1))
	batch := slices.Clone(g.waiting[:n])
	g.waiting = g.waiting[n:]
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		if len(g.waiting) > 0 {
			next := g.waiting[0]
			next.promoted = true
			close(next.wake)
		} else {
			g.leading = false
		}
		g.mu.Unlock()
		for _, w := range batch {
			if w != self {
				close(w.wake)
			}
		}
	}()
	items := make([]T, len(batch))
	for i, w := range batch {
		items[i] = w.item
	}
	write(items)
	for _, w := range batch {
		w.written = true
	}
}
