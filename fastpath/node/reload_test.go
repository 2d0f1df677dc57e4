package node

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/atomicfile"
	"github.com/gwlbctl/gwlbctl/control/store"
	"github.com/gwlbctl/gwlbctl/fastpath/engine"
)

// reloadHarness runs a Reloader over a real state file.
type reloadHarness struct {
	t       *testing.T
	st      store.Store
	path    string
	pub     chan *Snapshot
	problem chan error
	wake    chan struct{}
}

// newReloadHarness writes testState (changed by init, if given) to a new
// state file and returns a started Reloader over it.
func newReloadHarness(t *testing.T, init func(*control.State)) (*reloadHarness, *Reloader) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.json")
	st, err := store.Open(path)
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
	h := &reloadHarness{t: t, st: st, path: path, pub: make(chan *Snapshot, 16), problem: make(chan error, 16), wake: make(chan struct{}, 1)}
	cfg := testNodeConfig(t)
	snapper := NewSnapshotter(cfg, nodeMAC, 0)
	r := &Reloader{
		Store: st,
		Build: func(s *control.State, rev uint64, now time.Time) (*Snapshot, error) {
			return snapper.Build(s, rev, now, neighbors)
		},
		Publish: func(_ string, _, s *Snapshot) { h.pub <- s },
		Problem: func(_ string, err error) { h.problem <- err },
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		Poll:    20 * time.Millisecond,
		Wake:    h.wake,
	}
	state, v, err := st.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(state, v); err != nil {
		t.Fatal(err)
	}
	h.next()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	select {
	case <-r.Watching():
	case <-time.After(10 * time.Second):
		t.Fatal("the watch did not start within 10 s")
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return h, r
}

// next waits for the next published snapshot.
func (h *reloadHarness) next() *Snapshot {
	h.t.Helper()
	select {
	case s := <-h.pub:
		return s
	case err := <-h.problem:
		h.t.Fatalf("problem reported instead of a snapshot: %v", err)
	case <-time.After(10 * time.Second):
		h.t.Fatal("no snapshot published within 10 s")
	}
	return nil
}

// nextProblem waits for the next problem report; nothing may be
// published meanwhile.
func (h *reloadHarness) nextProblem() error {
	h.t.Helper()
	select {
	case s := <-h.pub:
		h.t.Fatalf("snapshot at revision %d published instead of a problem", s.Config.Revision)
	case err := <-h.problem:
		return err
	case <-time.After(10 * time.Second):
		h.t.Fatal("no problem reported within 10 s")
	}
	return nil
}

func (h *reloadHarness) update(fn func(*control.State)) {
	h.t.Helper()
	if _, err := h.st.Update(func(s *control.State) error { fn(s); return nil }); err != nil {
		h.t.Fatal(err)
	}
}

func TestReloaderPublishesChanges(t *testing.T) {
	h, _ := newReloadHarness(t, nil)

	// Accept-like change: endpoint state.
	h.update(func(s *control.State) { s.Endpoints[0].Endpoint.State = control.EndpointStatePendingAcceptance })
	s := h.next()
	if s.Config.Revision != 2 || s.Config.Endpoints[0].State != engine.EndpointPendingAcceptance {
		t.Fatalf("revision %d endpoint %v", s.Config.Revision, s.Config.Endpoints[0].State)
	}

	// Deregistering with a short delay: draining now, gone when the delay
	// ends, without any further change to the state.
	until := control.Timestamp{Time: time.Now().Add(300 * time.Millisecond)}
	h.update(func(s *control.State) { s.TargetGroups[0].Targets[0].DrainUntil = &until })
	s = h.next()
	if got := targetByID(s.Config, "10.9.0.11:6081").State; got != engine.TargetDraining {
		t.Fatalf("deregistered target is %v, want draining", got)
	}
	s = h.next()
	if got := targetByID(s.Config, "10.9.0.11:6081").State; got != engine.TargetUnused || s.Config.Revision != 3 {
		t.Fatalf("after the delay the target is %v at revision %d, want gone at 3", got, s.Config.Revision)
	}
}

// TestReloaderAppliesOtherContentAtTheSameRevision: a backup restored over
// the state file may carry the revision the node runs, with other content;
// it is applied (the node compared revisions alone and ignored it).
func TestReloaderAppliesOtherContentAtTheSameRevision(t *testing.T) {
	// The backup: another history that reached the same revision with the
	// endpoint rejected.
	other, err := store.Open(filepath.Join(t.TempDir(), "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Update(func(s *control.State) error {
		*s = *testState()
		s.Endpoints[0].Endpoint.State = control.EndpointStateRejected
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	backup, err := os.ReadFile(other.Describe())
	if err != nil {
		t.Fatal(err)
	}
	h, _ := newReloadHarness(t, nil)
	if err := atomicfile.Write(h.path, backup, 0o600); err != nil { // mv backup state.json
		t.Fatal(err)
	}
	s := h.next()
	if s.Config.Revision != 1 || s.Config.Endpoints[0].State != engine.EndpointRejected {
		t.Fatalf("restored backup: revision %d endpoint %v; want revision 1, rejected", s.Config.Revision, s.Config.Endpoints[0].State)
	}
}

// TestReloaderKeepsTheLastGoodConfig: a deleted state file is reported as
// deleted (not as a missing load balancer), a corrupted one as unreadable,
// one without the node's load balancer as not applied; nothing is
// published meanwhile, and the state that follows is.
func TestReloaderKeepsTheLastGoodConfig(t *testing.T) {
	h, _ := newReloadHarness(t, nil)
	good, err := os.ReadFile(h.path)
	if err != nil {
		t.Fatal(err)
	}

	if err := os.Remove(h.path); err != nil {
		t.Fatal(err)
	}
	if err := h.nextProblem(); !errors.Is(err, store.ErrDeleted) {
		t.Fatalf("deleted state file reported as %v, want store.ErrDeleted", err)
	}
	if err := atomicfile.Write(h.path, good, 0o600); err != nil {
		t.Fatal(err)
	}
	if s := h.next(); s.Config.Revision != 1 {
		t.Fatalf("state back at revision %d, want 1", s.Config.Revision)
	}

	if err := atomicfile.Write(h.path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := h.nextProblem(); !errors.Is(err, store.ErrCorrupt) {
		t.Fatalf("corrupted state file reported as %v, want store.ErrCorrupt", err)
	}
	if err := atomicfile.Write(h.path, good, 0o600); err != nil {
		t.Fatal(err)
	}
	h.next()

	h.update(func(s *control.State) { s.LoadBalancers = nil })
	if err := h.nextProblem(); err == nil || !strings.Contains(err.Error(), `load balancer "gwlb-a" is not in the state file`) {
		t.Fatalf("state without the load balancer reported as %v", err)
	}
	h.update(func(s *control.State) { *s = *testState() })
	if s := h.next(); s.Config.Endpoints[0].State != engine.EndpointAvailable {
		t.Fatalf("fixed state not applied: %v", s.Config.Endpoints[0].State)
	}
}

// TestReloaderIgnoresViewsAndOtherFiles: neither a read of the state nor
// another file in its directory publishes anything.
func TestReloaderIgnoresViewsAndOtherFiles(t *testing.T) {
	h, _ := newReloadHarness(t, nil)
	if err := os.WriteFile(filepath.Join(filepath.Dir(h.path), "other.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	_ = h.st.View(func(*control.State) error { return nil })
	// A change after them is the next thing published.
	h.update(func(s *control.State) { s.Endpoints[0].Endpoint.State = control.EndpointStateRejected })
	if s := h.next(); s.Config.Revision != 2 {
		t.Fatalf("first publication after a view and another file: revision %d, want 2", s.Config.Revision)
	}
}

// TestReloadOnWake: a health transition (Wake) republishes the state in
// force, with nothing changed in the store.
func TestReloadOnWake(t *testing.T) {
	h, _ := newReloadHarness(t, nil)
	h.wake <- struct{}{}
	s := h.next()
	if s.Config.Revision != 1 {
		t.Fatalf("revision %d after a wake, want the one in force (1)", s.Config.Revision)
	}
}
