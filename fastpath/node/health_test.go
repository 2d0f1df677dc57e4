package node

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/health"
	"github.com/gwlbctl/gwlbctl/control/store"
)

// stillClock is a health.Clock whose timers never fire: the checker takes
// its targets and holds but never probes, so the test decides every result.
type stillClock struct{ now time.Time }

func (c stillClock) Now() time.Time { return c.now }
func (c stillClock) AfterFunc(time.Duration, func()) health.Timer {
	return stillTimer{}
}

type stillTimer struct{}

func (stillTimer) Stop() bool { return true }

func newHealthHarness(t *testing.T, init func(*control.State)) (*nodeHealth, store.Store, *Snapshot, time.Time) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Update(func(s *control.State) error {
		*s = *testState()
		if init != nil {
			init(s)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	h := newNodeHealth(testNodeConfig(t), st, "node-7", slog.New(slog.NewTextHandler(io.Discard, nil)), stillClock{now})
	t.Cleanup(h.close)
	s, _, err := st.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	snap, err := NewSnapshotter(testNodeConfig(t), nodeMAC, 0).Build(s, 1, now, neighbors)
	if err != nil {
		t.Fatal(err)
	}
	return h, st, snap, now
}

func TestNodeHealthTargets(t *testing.T) {
	until := control.NewTimestamp(time.Now().Add(time.Hour))
	gone := control.NewTimestamp(time.Now().Add(-time.Second))
	h, st, snap, now := newHealthHarness(t, func(s *control.State) {
		tg := s.TargetGroups[0]
		tg.Targets = append(tg.Targets,
			&control.RegisteredTarget{Target: control.TargetDescription{Id: "10.9.0.21"}, DrainUntil: &until},
			&control.RegisteredTarget{Target: control.TargetDescription{Id: "10.9.0.22", AvailabilityZone: "us-east-1f"}},
			&control.RegisteredTarget{Target: control.TargetDescription{Id: "10.9.0.23"}, DrainUntil: &gone})
	})
	s, _, _ := st.Snapshot()
	// Before start (the TAP is down) the checker gets nothing.
	h.update(s, snap, now)
	if n := len(h.c.Snapshot()); n != 0 {
		t.Fatalf("%d targets checked before start", n)
	}
	h.start()
	key := func(id string) health.TargetKey {
		return health.TargetKey{Group: testTGArn, ID: id, Port: control.GenevePort}
	}
	for id, want := range map[string]struct {
		hold    health.Hold
		checked bool
		state   string
	}{
		testTarget:  {health.HoldNone, true, control.TargetHealthHealthy}, // resumes the recorded health
		"10.9.1.12": {health.HoldNone, true, control.TargetHealthInitial},
		"10.9.0.21": {health.HoldDraining, false, control.TargetHealthDraining},
		"10.9.0.22": {health.HoldZoneNotEnabled, false, control.TargetHealthUnused},
	} {
		s, ok := h.c.Status(key(id))
		if !ok || s.Hold != want.hold || s.Checked != want.checked || s.Health.State != want.state {
			t.Errorf("%s: %+v %v, want hold %v checked %v %s", id, s, ok, want.hold, want.checked, want.state)
		}
	}
	if _, ok := h.c.Status(key("10.9.0.23")); ok {
		t.Error("a target whose delay is over is checked")
	}
	// The snapshot takes a checked target's health from the checker, an
	// unchecked one's from the state.
	tg := s.TargetGroupByArn(testTGArn)
	if got := h.observed(tg, tg.Target(testTarget)); got.State != control.TargetHealthHealthy {
		t.Errorf("observed %s: %+v", testTarget, got)
	}
	// The target whose delay is over is removed from the state.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.pruneLoop(ctx); close(done) }()
	for {
		s, _, _ := st.Snapshot()
		if s.TargetGroupByArn(testTGArn).Target("10.9.0.23") == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
}

func TestNodeHealthRecordsTransitions(t *testing.T) {
	h, st, _, now := newHealthHarness(t, func(s *control.State) {
		s.TargetGroups[0].Attributes = []control.Attribute{{Key: control.AttrDeregistrationDelay, Value: "300"}}
	})
	failed := control.TargetHealth{State: control.TargetHealthUnhealthy, Reason: control.ReasonFailedHealthChecks, Description: health.DescFailedHealthChecks}
	ev := func(id string, to control.TargetHealth) health.Event {
		return health.Event{Time: now, Target: health.TargetKey{Group: testTGArn, ID: id, Port: control.GenevePort}, To: to}
	}
	// The CLI deregisters 10.9.1.12 while the node's result is on its way.
	if _, err := st.Update(func(s *control.State) error {
		_, err := s.DeregisterTargets(control.Env{Now: func() time.Time { return now }}, control.DeregisterTargetsInput{TargetGroupArn: testTGArn, Targets: []control.TargetDescription{{Id: "10.9.1.12"}}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	_, v0, _ := st.Snapshot()
	h.record([]health.Event{ev(testTarget, failed), ev("10.9.1.12", failed), ev("10.9.9.9", failed)})
	s, v1, _ := st.Snapshot()
	if v1.Revision != v0.Revision+1 {
		t.Fatalf("revision %d -> %d: want one write for the batch", v0.Revision, v1.Revision)
	}
	tg := s.TargetGroupByArn(testTGArn)
	var mine *control.HealthView
	for i, v := range tg.Target(testTarget).HealthViews {
		if v.Node == "node-7" {
			mine = &tg.Target(testTarget).HealthViews[i]
		}
	}
	if mine == nil || mine.Health != failed {
		t.Fatalf("views of %s: %+v, want node-7's %+v", testTarget, tg.Target(testTarget).HealthViews, failed)
	}
	if rt := tg.Target("10.9.1.12"); rt.DrainUntil == nil || len(rt.HealthViews) != 0 {
		t.Fatalf("the deregistered target was changed: %+v", rt)
	}
	// The same result again writes nothing.
	h.record([]health.Event{ev(testTarget, failed)})
	if _, v2, _ := st.Snapshot(); v2.Revision != v1.Revision {
		t.Fatalf("an unchanged health was written again (revision %d -> %d)", v1.Revision, v2.Revision)
	}
}

// TestHealthEventDetail: a target's health event in GET /events carries
// the deciding probe's detail.
func TestHealthEventDetail(t *testing.T) {
	st := testState()
	cfg := testNodeConfig(t)
	snapper := NewSnapshotter(cfg, nodeMAC, 0)
	prev, err := snapper.Build(st, 1, time.Now(), neighbors)
	if err != nil {
		t.Fatal(err)
	}
	failed := control.TargetHealth{State: control.TargetHealthUnhealthy, Reason: control.ReasonFailedHealthChecks, Description: health.DescFailedHealthChecks}
	snapper.Health = func(_ *control.TargetGroupRecord, rt *control.RegisteredTarget) control.TargetHealth {
		if rt.Target.Id == testTarget {
			return failed
		}
		return control.TargetHealth{}
	}
	snapper.Detail = func(_ *control.TargetGroupRecord, rt *control.RegisteredTarget) string { return "connection refused" }
	cur, err := snapper.Build(st, 1, time.Now(), neighbors)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, ev := range snapshotEvents("target health changed", prev, cur) {
		if ev.Target == testTarget {
			found = true
			if ev.To != control.TargetHealthUnhealthy || ev.Reason != control.ReasonFailedHealthChecks || !strings.HasSuffix(ev.Message, "(connection refused)") {
				t.Errorf("event %+v", ev)
			}
		}
	}
	if !found {
		t.Error("no event for the target that turned unhealthy")
	}
}

// TestNodeHealthOffWithoutTAP: without the TAP the node does not probe
// (its address is on no interface); targets keep their recorded health.
func TestNodeHealthOffWithoutTAP(t *testing.T) {
	cfg := testNodeConfig(t)
	cfg.Appliance.TAP = ""
	st, err := store.Open(filepath.Join(t.TempDir(), "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	h := newNodeHealth(cfg, st, "node-7", slog.New(slog.NewTextHandler(io.Discard, nil)), stillClock{time.Now()})
	defer h.close()
	s := testState()
	snap, err := NewSnapshotter(cfg, nodeMAC, 0).Build(s, 1, time.Now(), neighbors)
	if err != nil {
		t.Fatal(err)
	}
	h.start()
	h.update(s, snap, time.Now())
	if n := len(h.c.Snapshot()); n != 0 {
		t.Fatalf("%d targets checked without a TAP", n)
	}
	tg := s.TargetGroupByArn(testTGArn)
	if got := h.observed(tg, tg.Target(testTarget)); got.State != control.TargetHealthHealthy {
		t.Fatalf("observed %+v, want the recorded healthy", got)
	}
}
