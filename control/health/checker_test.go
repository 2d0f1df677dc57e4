package health

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
)

// TestCheckerLifecycle: a TCP target goes initial -> healthy -> unhealthy
// -> healthy as its listener stops and starts, after exactly the
// thresholds' numbers of probes, one interval apart.
func TestCheckerLifecycle(t *testing.T) {
	h := newHarness(t, Options{})
	ln := newSwitchTCP(t)
	s := tcpSettings(ln.port, 3, 2)
	start := h.clock.Now()
	h.update(target("a", s))
	h.wantEvents("a ->initial/Elb.RegistrationInProgress (added)")
	st := h.status("a")
	if !st.Checked || !st.NextProbe.Equal(start) || st.Since != start {
		t.Fatalf("new target: %+v", st)
	}
	h.step(0, 1)
	h.wantEvents("a initial/Elb.RegistrationInProgress->initial/Elb.InitialHealthChecking (connected)")
	h.step(s.Interval, 1)
	h.wantEvents()
	if st := h.status("a"); st.Successes != 2 || st.Probes != 2 || !st.NextProbe.Equal(start.Add(2*s.Interval)) {
		t.Fatalf("after 2 successes: %+v", st)
	}
	h.step(s.Interval, 1)
	h.wantEvents("a initial/Elb.InitialHealthChecking->healthy (connected)")
	if st := h.status("a"); st.Health != (control.TargetHealth{State: "healthy"}) || !st.Since.Equal(start.Add(2*s.Interval)) {
		t.Fatalf("healthy: %+v", st)
	}

	ln.off()
	h.step(s.Interval, 1)
	h.wantEvents()
	if st := h.status("a"); st.Failures != 1 || st.Successes != 0 || st.LastProbe.Detail != "connection refused" {
		t.Fatalf("after one failure: %+v", st)
	}
	h.step(s.Interval, 1)
	h.wantEvents("a healthy->unhealthy/Target.FailedHealthChecks (connection refused)")
	if d := h.status("a").Health.Description; d != "Health checks failed" {
		t.Fatalf("description %q", d)
	}

	ln.on(t)
	h.step(s.Interval, 1)
	h.step(s.Interval, 1)
	h.wantEvents()
	h.step(s.Interval, 1)
	h.wantEvents("a unhealthy/Target.FailedHealthChecks->healthy (connected)")
	if st := h.status("a"); st.Probes != 8 || st.Skipped != 0 {
		t.Fatalf("probes %d skipped %d, want 8 and 0", st.Probes, st.Skipped)
	}
}

// TestCheckerReasons: each failure gives its reason code, and a
// black-holed target's hanging probe delays no other target's.
func TestCheckerReasons(t *testing.T) {
	h := newHarness(t, Options{})
	mismatch, _ := httpServer(t, statusCode(503))
	hole, received := blackhole(t)
	garbage := rawServer(t, "127.0.0.1", func(c net.Conn) {
		c.Read(make([]byte, 4096))
		c.Write([]byte("garbage\r\n\r\n"))
		c.Close()
	})
	refused := closedPort(t)
	targets := []Target{
		target("mismatch", httpSettings(mismatch, "200-399")),
		target("timeout", httpSettings(hole, "200-399")),
		target("garbage", httpSettings(garbage, "200")),
		target("refused", tcpSettings(refused, 2, 2)),
	}
	// One at a time, so that all are first due now.
	for i := range targets {
		h.update(targets[:i+1]...)
	}
	h.events()
	for round := 0; round < 2; round++ {
		// Three probes end while the black-holed one still hangs.
		for _, d := range h.step(0, 3) {
			if d.Target.ID == "timeout" {
				t.Fatalf("the black-holed probe ended early: %+v", d)
			}
		}
		<-received
		if st := h.status("timeout"); !st.InFlight {
			t.Fatalf("black-holed probe not in flight: %+v", st)
		}
		d := h.step(targets[1].Settings.Timeout, 1)[0]
		if d.Target.ID != "timeout" || d.Result.Reason != control.ReasonTimeout {
			t.Fatalf("want the timeout, got %+v", d)
		}
		h.clock.Advance(targets[1].Settings.Interval - targets[1].Settings.Timeout)
	}
	for _, tc := range []struct{ id, reason, desc, detail string }{
		{"mismatch", "Target.ResponseCodeMismatch", "Health checks failed with these codes: [503]", "status 503"},
		{"timeout", "Target.Timeout", "Request timed out", "timed out after 5s waiting for the response"},
		{"garbage", "Target.FailedHealthChecks", "Health checks failed", `malformed HTTP response "garbage"`},
		{"refused", "Target.FailedHealthChecks", "Health checks failed", "connection refused"},
	} {
		st := h.status(tc.id)
		if st.Health != (control.TargetHealth{State: "unhealthy", Reason: tc.reason, Description: tc.desc}) || st.LastProbe.Detail != tc.detail {
			t.Errorf("%s: %+v, last probe %q; want %s %q after %q", tc.id, st.Health, st.LastProbe.Detail, tc.reason, tc.desc, tc.detail)
		}
	}
}

// TestCheckerUpdate: a target that stays keeps its counts and schedule, a
// new one starts at initial, a removed one ends unused and is not probed.
func TestCheckerUpdate(t *testing.T) {
	h := newHarness(t, Options{})
	a, b := tcpSettings(tcpServer(t), 3, 2), tcpSettings(tcpServer(t), 3, 2)
	start := h.clock.Now()
	h.update(target("a", a))
	h.step(0, 1)
	h.events()
	h.clock.Advance(time.Second)
	h.update(target("a", a), target("b", b))
	h.wantEvents("b ->initial/Elb.RegistrationInProgress (added)")
	st := h.status("a")
	if st.Successes != 1 || st.Health.Reason != control.ReasonInitialHealthChecking || !st.NextProbe.Equal(start.Add(a.Interval)) {
		t.Fatalf("a after update: %+v", st)
	}
	// Thresholds change in place: a's count of 1 meets a threshold of 2 at
	// its next success.
	a.HealthyThreshold = 2
	h.update(target("a", a), target("b", b))
	h.wantEvents()
	h.step(0, 1) // b's first probe, due now
	h.step(a.Interval-time.Second, 1)
	h.wantEvents(
		"b initial/Elb.RegistrationInProgress->initial/Elb.InitialHealthChecking (connected)",
		"a initial/Elb.InitialHealthChecking->healthy (connected)")

	h.update(target("b", b))
	h.wantEvents("a healthy->unused/Target.NotRegistered (removed)")
	if _, ok := h.c.Status(TargetKey{Group: testGroup, ID: "a", Port: control.GenevePort}); ok {
		t.Fatal("a still known")
	}
	if p := h.clock.Pending(); len(p) != 1 || !p[0].Equal(h.status("b").NextProbe) {
		t.Fatalf("pending timers %v, want only b's", p)
	}
	// Back again: a fresh start.
	h.update(target("a", a), target("b", b))
	h.wantEvents("a ->initial/Elb.RegistrationInProgress (added)")
	if st := h.status("a"); st.Successes != 0 || st.Probes != 0 {
		t.Fatalf("re-added a: %+v", st)
	}
	// Same id, other port or group: other targets.
	other := target("a", a)
	other.Key.Port = 6082
	h.update(target("a", a), target("b", b), other)
	if ev := h.events(); len(ev) != 1 || !strings.HasPrefix(ev[0], "a ->initial") {
		t.Fatalf("events %v", ev)
	}
	if n := len(h.c.Snapshot()); n != 3 {
		t.Fatalf("%d targets", n)
	}
}

func TestCheckerUpdateErrors(t *testing.T) {
	h := newHarness(t, Options{})
	s := tcpSettings(tcpServer(t), 2, 2)
	h.update(target("a", s))
	h.events()
	err := h.c.Update([]Target{target("b", s), target("b", s)})
	if err == nil || !strings.Contains(err.Error(), "target b port 6081 of "+testGroup+" is given twice") {
		t.Fatalf("duplicate: %v", err)
	}
	if len(h.c.Snapshot()) != 1 || len(h.events()) != 0 {
		t.Fatal("a failed Update changed something")
	}
	h.c.Close()
	if err := h.c.Update(nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Update after Close: %v", err)
	}
	if len(h.c.Snapshot()) != 1 {
		t.Fatal("Snapshot after Close")
	}
}

// TestCheckerHolds: a held target is not probed and shows the hold's
// health; when the hold ends, checking starts again from initial.
func TestCheckerHolds(t *testing.T) {
	h := newHarness(t, Options{})
	s := tcpSettings(tcpServer(t), 2, 2)
	tg := target("a", s)
	h.update(tg)
	h.step(0, 1)
	h.step(s.Interval, 1)
	h.events()
	for _, tc := range []struct {
		hold Hold
		want string
	}{
		{HoldDraining, "a healthy->draining/Target.DeregistrationInProgress (held: draining)"},
		{HoldNoListener, "a draining/Target.DeregistrationInProgress->unused/Target.NotInUse (held: no-listener)"},
		{HoldZoneNotEnabled, "a unused/Target.NotInUse->unused/Target.NotInUse (held: zone-not-enabled)"},
		{HoldNotRegistered, "a unused/Target.NotInUse->unused/Target.NotRegistered (held: not-registered)"},
	} {
		tg.Hold = tc.hold
		h.update(tg)
		h.wantEvents(tc.want)
		st := h.status("a")
		want, _ := tc.hold.Health()
		if st.Checked || st.Health != want || !st.NextProbe.IsZero() || len(h.clock.Pending()) != 0 {
			t.Fatalf("%v: %+v, pending %v", tc.hold, st, h.clock.Pending())
		}
	}
	h.clock.Advance(10 * s.Interval) // nothing is probed
	tg.Hold = HoldNone
	h.update(tg)
	h.wantEvents("a unused/Target.NotRegistered->initial/Elb.RegistrationInProgress (checks start again)")
	h.step(0, 1)
	h.step(s.Interval, 1)
	h.wantEvents(
		"a initial/Elb.RegistrationInProgress->initial/Elb.InitialHealthChecking (connected)",
		"a initial/Elb.InitialHealthChecking->healthy (connected)")
	if st := h.status("a"); st.Probes != 4 {
		t.Fatalf("%d probes, want 4", st.Probes)
	}
	// A new target may start held.
	held := target("b", s)
	held.Hold = HoldDraining
	h.update(tg, held)
	h.wantEvents("b ->draining/Target.DeregistrationInProgress (held: draining)")
}

// TestCheckerDropsStaleResults: a probe in flight when its target is held
// or changed is ended and its result ignored.
func TestCheckerDropsStaleResults(t *testing.T) {
	h := newHarness(t, Options{})
	hole, received := blackhole(t)
	tg := target("a", httpSettings(hole, "200"))
	h.update(tg)
	h.clock.Advance(0)
	<-received
	tg.Hold = HoldDraining
	h.update(tg)
	d := h.waitProbes(1)[0]
	if d.Applied || d.Result.Reason != control.ReasonInternalError || !strings.Contains(d.Result.Detail, "canceled") {
		t.Fatalf("held while probing: %+v", d)
	}
	if st := h.status("a"); st.Health.State != "draining" || st.LastProbe.Start != (time.Time{}) {
		t.Fatalf("status %+v", st)
	}
	// A change of port drops the result too.
	tg.Hold = HoldNone
	h.update(tg)
	h.clock.Advance(0)
	<-received
	tg.Settings.Port = closedPort(t)
	h.update(tg)
	if d := h.waitProbes(1)[0]; d.Applied {
		t.Fatalf("port changed while probing: %+v", d)
	}
	h.step(tg.Settings.Interval, 1)
	if st := h.status("a"); st.LastProbe.Detail != "connection refused" {
		t.Fatalf("after the port change: %+v", st)
	}
}

// TestCheckerUnavailable: a target that cannot be checked is unavailable
// (Elb.InternalError) with the reason in the event, and is not probed.
func TestCheckerUnavailable(t *testing.T) {
	h := newHarness(t, Options{})
	good := tcpSettings(tcpServer(t), 2, 2)
	bad := good
	bad.Interval = time.Second
	noAddr := target("c", good)
	noAddr.Addr = netip.MustParseAddr("2001:db8::1")
	fromGroup := TargetOf(&control.TargetGroup{TargetGroupArn: testGroup, TargetGroupName: "tg", HealthCheckPort: "traffic-port"}, "d", control.GenevePort, loopback, HoldNone)
	h.update(target("a", bad))
	h.update(target("a", bad), noAddr)
	h.update(target("a", bad), noAddr, fromGroup)
	for i, ev := range h.c.Events(0).Events {
		want := []string{"interval 1s must be whole seconds", "is not an IPv4 address", "traffic-port"}[i]
		if ev.To != Unavailable() || !strings.Contains(ev.Detail, want) {
			t.Errorf("event %+v, want unavailable with %q", ev, want)
		}
	}
	if p := h.clock.Pending(); len(p) != 0 {
		t.Fatalf("unavailable targets scheduled: %v", p)
	}
	h.events()
	h.update(target("a", good), noAddr, fromGroup)
	h.wantEvents("a unavailable/Elb.InternalError->initial/Elb.RegistrationInProgress (checks start again)")

	// Probes that cannot be sent: unavailable after the unhealthy threshold.
	h2 := newHarness(t, Options{Dialer: NewDialer(netip.MustParseAddr("192.0.2.1"), "")})
	h2.update(target("e", good))
	h2.step(0, 1)
	h2.step(good.Interval, 1)
	h2.events()
	if st := h2.status("e"); st.Health != Unavailable() || !strings.Contains(st.LastProbe.Detail, "cannot assign requested address") {
		t.Fatalf("no source address: %+v", st)
	}
}

// TestCheckerSpread: 300 targets added at once are first probed evenly
// over the interval, then each every interval.
func TestCheckerSpread(t *testing.T) {
	h := newHarness(t, Options{EventLogSize: 2048})
	s := tcpSettings(tcpServer(t), 2, 2)
	s.Interval = 5 * time.Second
	var targets []Target
	for i := range 300 {
		targets = append(targets, target(fmt.Sprintf("t%03d", i), s))
	}
	start := h.clock.Now()
	h.update(targets...)
	due := func(i int) time.Time { return start.Add(s.Interval * time.Duration(i) / 300) }
	first := map[string]time.Time{}
	for _, st := range h.c.Snapshot() {
		i, _ := strconv.Atoi(st.Target.ID[1:])
		if !st.NextProbe.Equal(due(i)) {
			t.Fatalf("%s first due at +%v, want +%v", st.Target.ID, st.NextProbe.Sub(start), due(i).Sub(start))
		}
		first[st.Target.ID] = st.NextProbe
	}
	// One probe is due in each 1/300 of the interval.
	h.step(0, 1)
	h.step(due(1).Sub(h.clock.Now())-1, 0)
	h.step(1, 1)
	h.step(due(299).Sub(h.clock.Now())-1, 297)
	h.step(1, 1)
	h.step(start.Add(s.Interval).Sub(h.clock.Now()), 1) // t000's second probe
	for _, st := range h.c.Snapshot() {
		n := 1
		if st.Target.ID == "t000" {
			n = 2
		}
		if want := first[st.Target.ID].Add(time.Duration(n) * s.Interval); !st.NextProbe.Equal(want) || st.Probes != uint64(n) {
			t.Fatalf("%s: %d probes, next at +%v, want %d and +%v", st.Target.ID, st.Probes, st.NextProbe.Sub(start), n, want.Sub(start))
		}
	}
}

// TestCheckerSkipsWhileInFlight: with the timeout equal to the interval, a
// hanging probe makes the next one skipped (and counted), not stacked.
func TestCheckerSkipsWhileInFlight(t *testing.T) {
	h := newHarness(t, Options{})
	hole, received := blackhole(t)
	s := httpSettings(hole, "200")
	s.Interval, s.Timeout = 5*time.Second, 5*time.Second
	h.update(target("a", s))
	h.clock.Advance(0)
	<-received
	// At +5s the next probe is due before the first one's timeout fires.
	d := h.step(5*time.Second, 1)[0]
	if d.Result.Reason != control.ReasonTimeout {
		t.Fatalf("%+v", d)
	}
	if st := h.status("a"); st.Probes != 1 || st.Skipped != 1 || !st.NextProbe.Equal(h.clock.Now().Add(5*time.Second)) {
		t.Fatalf("status %+v", st)
	}
}

// TestCheckerIntervalChange: a new interval applies from the last probe.
func TestCheckerIntervalChange(t *testing.T) {
	h := newHarness(t, Options{})
	s := tcpSettings(tcpServer(t), 2, 2)
	s.Interval = 30 * time.Second
	start := h.clock.Now()
	h.update(target("a", s))
	h.step(0, 1)
	h.clock.Advance(12 * time.Second)
	s.Interval = 10 * time.Second
	h.update(target("a", s))
	if st := h.status("a"); !st.NextProbe.Equal(h.clock.Now()) {
		t.Fatalf("next at +%v, want now (+12s): the last probe was 12s ago", st.NextProbe.Sub(start))
	}
	h.step(0, 1)
	s.Interval = 60 * time.Second
	h.update(target("a", s))
	if st := h.status("a"); !st.NextProbe.Equal(start.Add(72 * time.Second)) {
		t.Fatalf("next at +%v, want +72s", st.NextProbe.Sub(start))
	}
}

// TestCheckerRecorded: a health recorded by a previous run is resumed.
func TestCheckerRecorded(t *testing.T) {
	h := newHarness(t, Options{})
	ln := newSwitchTCP(t)
	s := tcpSettings(ln.port, 5, 2)
	a, b := target("a", s), target("b", s)
	a.Recorded = control.TargetHealth{State: control.TargetHealthHealthy}
	b.Recorded = control.TargetHealth{State: control.TargetHealthDraining, Reason: control.ReasonDeregistrationInProgress}
	h.update(a)
	h.update(a, b)
	h.wantEvents("a ->healthy (added, resuming the recorded health)", "b ->initial/Elb.RegistrationInProgress (added)")
	ln.off()
	h.step(0, 2)
	h.step(s.Interval, 2)
	if st := h.status("a"); st.Health.State != control.TargetHealthUnhealthy {
		t.Fatalf("resumed healthy target after 2 failures: %+v", st)
	}
}

// TestCheckerClose: Close ends probes in flight and returns.
func TestCheckerClose(t *testing.T) {
	h := newHarness(t, Options{})
	hole, received := blackhole(t)
	s := httpSettings(hole, "200")
	s.Timeout, s.Interval = 120*time.Second, 300*time.Second
	h.update(target("a", s))
	h.clock.Advance(0)
	<-received
	h.c.Close() // the fake clock never reaches the timeout
	if d := h.waitProbes(1)[0]; d.Applied {
		t.Fatalf("result applied after Close: %+v", d)
	}
	if p := h.clock.Pending(); len(p) != 0 {
		t.Fatalf("timers left: %v", p)
	}
	h.c.Close()
}

func TestCheckerWaitEvents(t *testing.T) {
	h := newHarness(t, Options{})
	got := make(chan EventPage)
	cursor := h.c.Cursor()
	go func() {
		p, _ := h.c.WaitEvents(context.Background(), cursor)
		got <- p
	}()
	h.update(target("a", tcpSettings(tcpServer(t), 2, 2)))
	p := <-got
	if len(p.Events) != 1 || p.Events[0].To != Initial() || p.Events[0].Time != h.clock.Now() || p.Next != cursor+1 {
		t.Fatalf("%+v", p)
	}
}

// TestCheckerRealClock runs the checker on the wall clock: the first probe
// of a single new target is due at once.
func TestCheckerRealClock(t *testing.T) {
	var buf safeBuffer
	c := NewChecker(Options{Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	defer c.Close()
	if err := c.Update([]Target{target("a", tcpSettings(tcpServer(t), 2, 2))}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var cursor uint64
	for {
		p, err := c.WaitEvents(ctx, cursor)
		if err != nil {
			t.Fatal(err)
		}
		cursor = p.Next
		if last := p.Events[len(p.Events)-1]; last.To.Reason == control.ReasonInitialHealthChecking {
			break
		}
	}
	c.Close()
	log := buf.String()
	for _, want := range []string{"target health changed", "target=a", "to=initial", "reason=Elb.InitialHealthChecking", `detail=connected`, "seq=1"} {
		if !strings.Contains(log, want) {
			t.Fatalf("log lacks %q:\n%s", want, log)
		}
	}
}
