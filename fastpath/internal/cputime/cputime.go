// Package cputime measures the CPU time of the calling OS thread, for
// benchmarks that report cpu-ns next to wall-clock ns: on a shared machine
// other processes steal the core and inflate wall time, while the thread's
// CPU time counts only the cycles the benchmark loop got.
package cputime

import (
	"runtime"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// Thread returns the CPU time the calling OS thread has used (0 if the
// clock cannot be read).
func Thread() time.Duration {
	var ts syscall.Timespec
	const clockThreadCPUTime = 3 // CLOCK_THREAD_CPUTIME_ID
	if _, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		return 0
	}
	return time.Duration(ts.Nano())
}

// PerOp reports, next to ns/op, the thread's CPU time per operation as
// "cpu-ns/op". Call it after the setup and call the function it returns at
// the end (defer cputime.PerOp(b)()); it locks the goroutine to its thread
// in between.
func PerOp(b *testing.B) func() {
	runtime.LockOSThread()
	start := Thread()
	return func() {
		used := Thread() - start
		runtime.UnlockOSThread()
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}
