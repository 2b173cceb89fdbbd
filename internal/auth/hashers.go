package auth

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"

	"oikos"
)

// Hashers bounds the argon2id work a server does at once. Each hash or
// check holds PasswordParams.Memory (19 MiB by default) for its duration, so
// without a bound a flood of sign-ins grows memory without limit (300 at
// once took a server from 736 MiB to 5.4 GiB). A few run at a time; a short
// queue waits for them; anything beyond the queue, or waiting longer than
// a moment, is refused with errBusy (429) instead of piling up.
type Hashers struct {
	slots   chan struct{} // one per computation running
	tickets chan struct{} // one per computation running or queued
	wait    time.Duration

	runs, refused     atomic.Int64
	inFlight, maxSeen atomic.Int64
}

// NewHashers makes a pool of size computations at once, with queue more
// waiting at most wait each.
func NewHashers(size, queue int, wait time.Duration) *Hashers {
	size = max(size, 1)
	return &Hashers{slots: make(chan struct{}, size), tickets: make(chan struct{}, size+max(queue, 0)), wait: wait}
}

// DefaultHashers sizes the pool from the processors Go may use: half of
// them, so that however many sign-ins arrive, the other half is left for
// every other request (argon2id is CPU-bound: more at once would only hold
// more memory for the same throughput). Four at most keeps the peak near
// 80 MiB. At 50 to 100 ms a check, the queue of eight per slot drains well
// within the two-second wait.
func DefaultHashers() *Hashers {
	n := min(max(runtime.GOMAXPROCS(0)/2, 1), 4)
	return NewHashers(n, 8*n, 2*time.Second)
}

var errBusy = &oikos.Error{Code: oikos.ERATELIMITED, RetryAfter: 5 * time.Second,
	Message: "Oikos is busy checking other sign-ins just now. Wait a few seconds and try again."}

// lease is a place in the queue, then a slot: computations run in the
// slot one after another.
type lease struct {
	h               *Hashers
	queued, slotted bool
}

// queue takes a place in the queue, or refuses with errBusy at once when
// it is full. A place bounds the work done for a sign-in before its
// password is checked too, such as reading whether it is locked.
func (h *Hashers) queue() (*lease, error) {
	select {
	case h.tickets <- struct{}{}:
		return &lease{h: h, queued: true}, nil
	default:
		h.refused.Add(1)
		return nil, errBusy
	}
}

// wait waits for a slot, or refuses with errBusy when the wait is too
// long or the caller has gone (nobody would read the answer).
func (l *lease) wait(ctx context.Context) error {
	t := time.NewTimer(l.h.wait)
	defer t.Stop()
	select {
	case l.h.slots <- struct{}{}:
		l.slotted = true
		return nil
	case <-t.C:
	case <-ctx.Done():
	}
	l.h.refused.Add(1)
	return errBusy
}

// acquire is queue then wait.
func (h *Hashers) acquire(ctx context.Context) (*lease, error) {
	l, err := h.queue()
	if err != nil {
		return nil, err
	}
	if err := l.wait(ctx); err != nil {
		l.release()
		return nil, err
	}
	return l, nil
}

// run computes fn in the held slot.
func (l *lease) run(fn func()) {
	h := l.h
	n := h.inFlight.Add(1)
	for {
		seen := h.maxSeen.Load()
		if n <= seen || h.maxSeen.CompareAndSwap(seen, n) {
			break
		}
	}
	defer h.inFlight.Add(-1)
	h.runs.Add(1)
	fn()
}

// release frees the slot and the place; again is harmless.
func (l *lease) release() {
	if l.slotted {
		l.slotted = false
		<-l.h.slots
	}
	if l.queued {
		l.queued = false
		<-l.h.tickets
	}
}

// do runs fn when a slot is free, or refuses with errBusy.
func (h *Hashers) do(ctx context.Context, fn func()) error {
	l, err := h.acquire(ctx)
	if err != nil {
		return err
	}
	defer l.release()
	l.run(fn)
	return nil
}

// Hash is HashPassword through the pool.
func (h *Hashers) Hash(ctx context.Context, pw string, p PasswordParams) (string, error) {
	var hash string
	var err error
	if berr := h.do(ctx, func() { hash, err = HashPassword(pw, p) }); berr != nil {
		return "", berr
	}
	return hash, err
}

// check is CheckPassword in a held slot.
func (l *lease) check(encoded, pw string) (ok bool, err error) {
	l.run(func() { ok, err = CheckPassword(encoded, pw) })
	return ok, err
}

// HasherStats describe a pool's work since it was made.
type HasherStats struct {
	Size        int   // computations at once
	Runs        int64 // computations done or running (each a password checked or hashed)
	Refused     int64 // turned away busy
	MaxInFlight int64 // most ever running at once
}

// Stats reports the pool's work, for metrics and tests.
func (h *Hashers) Stats() HasherStats {
	return HasherStats{Size: cap(h.slots), Runs: h.runs.Load(), Refused: h.refused.Load(), MaxInFlight: h.maxSeen.Load()}
}
