package health

import "time"

// Clock is the checker's source of time: when probes are due, when a probe
// times out, and the timestamps of events and probe results. Tests inject a
// fake one; RealClock is the default.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f once, d from now, unless the returned Timer is
	// stopped first. f must not be called with any lock of the caller's
	// held: the checker's callbacks take its lock. A fake clock may call f
	// synchronously from the goroutine that advances it; the checker's
	// callbacks never block.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc call.
type Timer interface {
	// Stop prevents the call if it has not happened yet and reports
	// whether it did so.
	Stop() bool
}

// RealClock is the wall clock (time.Now, time.AfterFunc).
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// AfterFunc is time.AfterFunc: f runs in its own goroutine.
func (RealClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }
