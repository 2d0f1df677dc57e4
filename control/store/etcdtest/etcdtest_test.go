package etcdtest

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// The main goroutine keeps the main thread, which Go never ends (a locked
// goroutine returning on it wedges it instead): the goroutine the test
// below locks then runs on a thread that does end.
func init() { runtime.LockOSThread() }

// TestServerOutlivesTheThreadThatStartedIt starts the server from a
// goroutine that locks its OS thread and returns without unlocking it, so
// Go ends that thread: etcd's Pdeathsig must not fire then (it did, and the
// end-to-end tests that change namespaces after starting etcd lost it).
func TestServerOutlivesTheThreadThatStartedIt(t *testing.T) {
	bin := Binary()
	if bin == "" {
		t.Skip("etcd not installed: install Debian's etcd-server package (make deps)")
	}
	type result struct {
		s   *Server
		err error
	}
	done := make(chan result, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		s, err := start(t, bin, Options{})
		done <- result{s, err}
	}()
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	// Each locked goroutine that returns ends one more thread; the one that
	// ran the starting goroutine is gone by now, these make sure of others.
	for range 8 {
		ended := make(chan struct{})
		go func() { runtime.LockOSThread(); close(ended) }()
		<-ended
	}
	select {
	case <-r.s.exited:
		t.Fatalf("etcd exited after the thread that started it ended: %s", r.s.Log())
	case <-time.After(500 * time.Millisecond):
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := r.s.client.Put(ctx, "/alive", "yes"); err != nil {
		t.Fatalf("etcd does not answer after the thread that started it ended: %v", err)
	}
}
