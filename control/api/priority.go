package api

import (
	"runtime"
	"syscall"
)

// inBackground runs fn on an OS thread of its own at nice ListingNice and
// waits for it. The thread is locked and never unlocked, so it ends with
// fn's goroutine and its priority ends with it; threads the runtime starts
// meanwhile come from its template thread, not from this one. It reports
// whether the thread's priority could be set (fn runs either way).
func inBackground(fn func()) bool {
	done := make(chan bool)
	go func() {
		runtime.LockOSThread()
		ok := syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), ListingNice) == nil
		fn()
		done <- ok
	}()
	return <-done
}

// threadNice is the calling thread's nice value.
func threadNice() (int, error) {
	// getpriority(2) returns 20-nice, as the raw system call does.
	p, err := syscall.Getpriority(syscall.PRIO_PROCESS, syscall.Gettid())
	return 20 - p, err
}
