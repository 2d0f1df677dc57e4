package health

import (
	"bytes"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
)

const testGroup = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/0123456789abcdef"

// harness is a checker on a fake clock, with every ended probe on a channel.
type harness struct {
	t      *testing.T
	c      *Checker
	clock  *fakeClock
	probes chan ProbeDone
	cursor uint64
}

func newHarness(t *testing.T, opt Options) *harness {
	h := &harness{t: t, clock: newFakeClock(), probes: make(chan ProbeDone, 4096)}
	opt.Clock = h.clock
	opt.OnProbe = func(d ProbeDone) { h.probes <- d }
	h.c = NewChecker(opt)
	t.Cleanup(h.c.Close)
	return h
}

// waitProbes returns the next n ended probes. The guard only turns a hang
// into a failure; nothing waits on time.
func (h *harness) waitProbes(n int) []ProbeDone {
	h.t.Helper()
	var out []ProbeDone
	guard := time.After(30 * time.Second)
	for len(out) < n {
		select {
		case d := <-h.probes:
			out = append(out, d)
		case <-guard:
			h.t.Fatalf("%d of %d probes ended", len(out), n)
		}
	}
	return out
}

// step advances the clock by d and waits for n probes to end.
func (h *harness) step(d time.Duration, n int) []ProbeDone {
	h.t.Helper()
	h.clock.Advance(d)
	return h.waitProbes(n)
}

// events returns the events since the last call, as "ID from->to (detail)".
func (h *harness) events() []string {
	p := h.c.Events(h.cursor)
	h.cursor = p.Next
	var out []string
	for _, e := range p.Events {
		out = append(out, fmt.Sprintf("%s %s->%s (%s)", e.Target.ID, short(e.From), short(e.To), e.Detail))
	}
	return out
}

func (h *harness) wantEvents(want ...string) {
	h.t.Helper()
	got := h.events()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		h.t.Fatalf("events:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func (h *harness) status(id string) TargetStatus {
	h.t.Helper()
	st, ok := h.c.Status(TargetKey{Group: testGroup, ID: id, Port: control.GenevePort})
	if !ok {
		h.t.Fatalf("no target %s", id)
	}
	return st
}

func (h *harness) update(targets ...Target) {
	h.t.Helper()
	if err := h.c.Update(targets); err != nil {
		h.t.Fatal(err)
	}
}

// target is a checked target on loopback.
func target(id string, s Settings) Target {
	return Target{Key: TargetKey{Group: testGroup, ID: id, Port: control.GenevePort}, Addr: loopback, Settings: s}
}

func tcpSettings(port, healthy, unhealthy int) Settings {
	s := DefaultSettings()
	s.Port, s.HealthyThreshold, s.UnhealthyThreshold = port, healthy, unhealthy
	return s
}

func httpSettings(port int, matcher string) Settings {
	s := tcpSettings(port, 2, 2)
	s.Protocol, s.Path, s.Matcher = ProtocolHTTP, "/", mustMatcher(matcher)
	return s
}

// switchTCP is a TCP health listener that can be turned off (refusing
// connections) and on again on the same port.
type switchTCP struct {
	port int
	ln   net.Listener
}

func newSwitchTCP(t *testing.T) *switchTCP {
	s := &switchTCP{}
	s.listen(t, "127.0.0.1:0")
	s.port = portOf(t, s.ln.Addr())
	t.Cleanup(func() { s.ln.Close() })
	return s
}

func (s *switchTCP) listen(t *testing.T, addr string) {
	ln, err := net.Listen("tcp4", addr)
	if err != nil {
		t.Fatal(err)
	}
	s.ln = ln
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
}

func (s *switchTCP) off()            { s.ln.Close() }
func (s *switchTCP) on(t *testing.T) { s.listen(t, "127.0.0.1:"+strconv.Itoa(s.port)) }

// safeBuffer is a bytes.Buffer for concurrent writers.
type safeBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *safeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *safeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
