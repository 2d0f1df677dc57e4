package node

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/store"
	"github.com/gwlbctl/gwlbctl/fastpath/engine"
)

// reloadHarness runs a Reloader over a real state file.
type reloadHarness struct {
	t     *testing.T
	st    *store.File
	mu    sync.Mutex
	snaps []*Snapshot
	pub   chan *Snapshot
}

func newReloadHarness(t *testing.T) (*reloadHarness, *Reloader) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.json")
	st, err := store.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Update(func(s *control.State) error { *s = *testState(); return nil }); err != nil {
		t.Fatal(err)
	}
	h := &reloadHarness{t: t, st: st, pub: make(chan *Snapshot, 16)}
	cfg := testNodeConfig(t)
	snapper := NewSnapshotter(cfg, nodeMAC)
	r := &Reloader{
		Path:   st.Path(),
		Source: storeSource{st},
		Build: func(s *control.State, rev uint64, now time.Time) (*Snapshot, error) {
			return snapper.Build(s, rev, now, neighbors)
		},
		Publish: func(s *Snapshot) { h.pub <- s },
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		Poll:    20 * time.Millisecond,
	}
	return h, r
}

// next waits for the next published snapshot.
func (h *reloadHarness) next(within time.Duration) *Snapshot {
	h.t.Helper()
	select {
	case s := <-h.pub:
		return s
	case <-time.After(within):
		h.t.Fatalf("no snapshot published within %v", within)
		return nil
	}
}

func (h *reloadHarness) none(during time.Duration) {
	h.t.Helper()
	select {
	case s := <-h.pub:
		h.t.Fatalf("unexpected snapshot at revision %d", s.Config.Revision)
	case <-time.After(during):
	}
}

func (h *reloadHarness) update(fn func(*control.State)) time.Time {
	h.t.Helper()
	if _, err := h.st.Update(func(s *control.State) error { fn(s); return nil }); err != nil {
		h.t.Fatal(err)
	}
	return time.Now()
}

func TestReloaderPublishesChangesWithinASecond(t *testing.T) {
	h, r := newReloadHarness(t)
	if err := r.Start(); err != nil {
		t.Fatal(err)
	}
	first := h.next(time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	defer func() { cancel(); <-done }()
	time.Sleep(50 * time.Millisecond) // the watch is in place

	// Accept-like change: endpoint state.
	written := h.update(func(s *control.State) { s.Endpoints[0].Endpoint.State = control.EndpointStatePendingAcceptance })
	s := h.next(time.Second)
	if took := time.Since(written); took > time.Second {
		t.Errorf("published after %v", took)
	}
	if s.Config.Revision <= first.Config.Revision || s.Config.Endpoints[0].State != engine.EndpointPendingAcceptance {
		t.Fatalf("revision %d endpoint %v", s.Config.Revision, s.Config.Endpoints[0].State)
	}

	// Deregistering with a short delay: draining now, gone when the delay
	// ends, without any further change to the file.
	until := control.Timestamp{Time: time.Now().Add(300 * time.Millisecond)}
	h.update(func(s *control.State) { s.TargetGroups[0].Targets[0].DrainUntil = &until })
	s = h.next(time.Second)
	if got := targetByID(s.Config, "10.9.0.11:6081").State; got != engine.TargetDraining {
		t.Fatalf("deregistered target is %v, want draining", got)
	}
	s = h.next(time.Second)
	if got := targetByID(s.Config, "10.9.0.11:6081").State; got != engine.TargetUnused {
		t.Fatalf("after the delay the target is %v, want gone", got)
	}

	// A corrupted file is not applied; the last good config stays until
	// the file is fixed.
	if err := os.WriteFile(r.Path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.none(300 * time.Millisecond)
	if err := os.Remove(r.Path); err != nil {
		t.Fatal(err)
	}
	h.update(func(s *control.State) { *s = *testState() })
	s = h.next(time.Second)
	if s.Config.Endpoints[0].State != engine.EndpointAvailable {
		t.Fatalf("fixed file not applied: %v", s.Config.Endpoints[0].State)
	}
}

func TestReloaderIgnoresOtherFilesAndUnchangedRevisions(t *testing.T) {
	h, r := newReloadHarness(t)
	if err := r.Start(); err != nil {
		t.Fatal(err)
	}
	h.next(time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	defer func() { cancel(); <-done }()
	time.Sleep(50 * time.Millisecond)
	// Another file in the directory, and the lock file the store uses.
	if err := os.WriteFile(filepath.Join(filepath.Dir(r.Path), "other.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A view takes no lock and writes nothing.
	_ = h.st.View(func(*control.State) error { return nil })
	h.none(300 * time.Millisecond)
}
