package api

import (
	"runtime"
	"syscall"
)

// listingJobs hands work to the listing threads that wait for it.
var listingJobs = make(chan func(niced bool))

// inBackground runs fn on a listing thread, at nice ListingNice, and waits
// for it. A listing thread is an OS thread locked to a goroutine that
// never unlocks it: it keeps its priority, and does one job after
// another; a new one starts only when every other is busy (as many as
// listings run at once). Threads are kept rather than ended with each
// job: with one started and ended per listing, serve's worker lcore
// waited 387 ms on its CPU's run queue in TestAPIListingLoad's listing
// phases against 141 ms in its idle ones. It reports whether the thread's
// priority could be set (fn runs either way).
func inBackground(fn func()) bool {
	done := make(chan bool)
	job := func(niced bool) {
		fn()
		done <- niced
	}
	select {
	case listingJobs <- job:
	default:
		go listingThread(job)
	}
	return <-done
}

// listingThread runs first, then every job it receives, on its own
// thread at nice ListingNice.
func listingThread(first func(niced bool)) {
	runtime.LockOSThread()
	niced := syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), ListingNice) == nil
	for job := first; ; job = <-listingJobs {
		job(niced)
	}
}
