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

// DefaultHashers sizes the pool from the processors Go may use: argon2id
// is CPU-bound, so more at once than there are processors only holds more
// memory for the same throughput. Four at most keeps the peak near 80 MiB.
// At about 50 ms a check, the queue of eight per slot drains in well under
// the two-second wait.
func DefaultHashers() *Hashers {
	n := min(runtime.GOMAXPROCS(0), 4)
	return NewHashers(n, 8*n, 2*time.Second)
}

var errBusy = &oikos.Error{Code: oikos.ERATELIMITED,
	Message: "Oikos is busy checking other sign-ins just now. Wait a few seconds and try again."}

// do runs fn when a slot is free, or refuses with errBusy.
func (h *Hashers) do(ctx context.Context, fn func()) error {
	select {
	case h.tickets <- struct{}{}:
	default:
		h.refused.Add(1)
		return errBusy
	}
	defer func() { <-h.tickets }()
	t := time.NewTimer(h.wait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
	case <-t.C:
		h.refused.Add(1)
		return errBusy
	case <-ctx.Done():
		// The caller has gone; nobody reads the answer.
		h.refused.Add(1)
		return errBusy
	}
	defer func() { <-h.slots }()
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

// Check is CheckPassword through the pool.
func (h *Hashers) Check(ctx context.Context, encoded, pw string) (bool, error) {
	var ok bool
	var err error
	if berr := h.do(ctx, func() { ok, err = CheckPassword(encoded, pw) }); berr != nil {
		return false, berr
	}
	return ok, err
}

// HasherStats describe a pool's work since it was made.
type HasherStats struct {
	Size        int   // computations at once
	Runs        int64 // computations done or running
	Refused     int64 // turned away busy
	MaxInFlight int64 // most ever running at once
}

// Stats reports the pool's work, for metrics and tests.
func (h *Hashers) Stats() HasherStats {
	return HasherStats{Size: cap(h.slots), Runs: h.runs.Load(), Refused: h.refused.Load(), MaxInFlight: h.maxSeen.Load()}
}
