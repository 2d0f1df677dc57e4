//go:build e2e

package main

// Running the traffic helpers: to completion (runHelperIn), in the
// background until the test stops them (startHelper), and the udp-hold
// helper driven round by round (startHold).

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// helperCmd returns a command running helper name with args inside ns.
func helperCmd(t testing.TB, ns, name string, args ...string) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns, self}, args...)...)
	cmd.Env = append(os.Environ(), helperEnv+"="+name)
	return cmd
}

// runHelperIn runs a helper to completion and returns its stdout.
func runHelperIn(t testing.TB, ns, name string, args ...string) string {
	t.Helper()
	cmd := helperCmd(t, ns, name, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helper %s in %s %v: %v\n%s%s", name, ns, args, err, out, stderr.String())
	}
	return string(out)
}

// background is a helper running until the test stops it.
type background struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	out    strings.Builder
	done   chan struct{}
	waitEr error
}

// startHelper starts a helper that prints "ready" once it listens, waits
// for that line and kills it at cleanup.
func startHelper(t testing.TB, ns, name string, args ...string) *background {
	t.Helper()
	return startBackground(t, helperCmd(t, ns, name, args...), "helper "+name+" in "+ns)
}

// startBackground is startHelper for a helper command built by the
// caller; what names it in failures.
func startBackground(t testing.TB, cmd *exec.Cmd, what string) *background {
	t.Helper()
	b := &background{cmd: cmd, done: make(chan struct{})}
	stdout, err := b.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	b.cmd.Stderr = os.Stderr
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.stop() })
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		first := true
		for sc.Scan() {
			if first {
				ready <- sc.Text() == "ready"
				first = false
				continue
			}
			b.mu.Lock()
			b.out.WriteString(sc.Text() + "\n")
			b.mu.Unlock()
		}
		if first {
			ready <- false
		}
		b.waitEr = b.cmd.Wait()
		close(b.done)
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatalf("%s did not start", what)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: no ready line in 10 s", what)
	}
	return b
}

// output returns what the helper printed after "ready".
func (b *background) output() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.out.String()
}

// wait waits up to d for the helper to exit by itself.
func (b *background) wait(d time.Duration) error {
	select {
	case <-b.done:
		return b.waitEr
	case <-time.After(d):
		return fmt.Errorf("still running after %v", d)
	}
}

func (b *background) stop() {
	select {
	case <-b.done:
		return
	default:
	}
	// ip netns exec execs the helper: the PID is the helper's own.
	b.cmd.Process.Kill()
	<-b.done
}

// endServe ends a serve the test started as a deployment stops one, with
// SIGTERM, so that it releases its locks and removes its socket; one that
// is still running after serveStopGrace gets SIGKILL (and the test says
// so). wait waits for the process to end.
func endServe(t testing.TB, p *os.Process, wait func() error) {
	t.Helper()
	if p.Signal(syscall.SIGTERM) != nil {
		wait()
		return
	}
	ended := make(chan struct{})
	go func() { wait(); close(ended) }()
	select {
	case <-ended:
		// Harmless once the process is reaped (Go then sends nothing);
		// it ends one whose Wait another goroutine still holds.
		p.Kill()
	case <-time.After(serveStopGrace):
		t.Errorf("serve pid %d still running %v after SIGTERM: killed", p.Pid, serveStopGrace)
		p.Kill()
		<-ended
	}
}

// serveStopGrace is how long endServe waits for serve to stop.
const serveStopGrace = 15 * time.Second

// holder drives a udp-hold helper.
type holder struct {
	t   testing.TB
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

func startHold(t testing.TB, ns, addr string, n int) *holder {
	t.Helper()
	h := &holder{t: t, cmd: helperCmd(t, ns, "udp-hold", addr, strconv.Itoa(n))}
	var err error
	if h.in, err = h.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := h.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	h.cmd.Stderr = os.Stderr
	if err := h.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.in.Close(); h.cmd.Process.Kill(); h.cmd.Wait() })
	h.out = bufio.NewScanner(stdout)
	if !h.out.Scan() || h.out.Text() != "ready" {
		t.Fatalf("udp-hold in %s did not start", ns)
	}
	return h
}

// round sends one datagram on every held flow and returns the totals.
func (h *holder) round() []probeResult {
	h.t.Helper()
	if _, err := io.WriteString(h.in, "\n"); err != nil {
		h.t.Fatal(err)
	}
	if !h.out.Scan() {
		h.t.Fatal("udp-hold exited")
	}
	var res []probeResult
	if err := json.Unmarshal(h.out.Bytes(), &res); err != nil {
		h.t.Fatalf("udp-hold: %v: %s", err, h.out.Text())
	}
	return res
}
