package node

import (
	"io"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/store"
)

// TestResolveNowPublishesAsNextHopsAnswer: the start-time wait publishes a
// snapshot each time some of the first snapshot's next hops answer, and
// reports those still unresolved; nothing is published while none answers.
func TestResolveNowPublishesAsNextHopsAnswer(t *testing.T) {
	known := map[netip.Addr][6]byte{}
	lookup := func(a netip.Addr) ([6]byte, bool) { m, ok := known[a]; return m, ok }
	answers := true
	var published []*Snapshot
	snapper := NewSnapshotter(testNodeConfig(t), nodeMAC, 0)
	r := &Reloader{
		Build: func(s *control.State, rev uint64, now time.Time) (*Snapshot, error) {
			return snapper.Build(s, rev, now, lookup)
		},
		Publish: func(_ string, _, s *Snapshot) { published = append(published, s) },
		// One address answers per call, as ARP replies arrive one by one.
		Resolve: func(addrs []netip.Addr) bool {
			if !answers {
				return false
			}
			known[addrs[0]] = macOf(byte(len(known) + 1))
			return true
		},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if err := r.Start(testState(), store.Version{Revision: 3}); err != nil {
		t.Fatal(err)
	}
	first := r.last.Unresolved
	if len(first) == 0 {
		t.Fatal("the test state's first snapshot has no unresolved next hop")
	}

	answers = false
	if left := r.resolveNow(); len(left) != len(first) || len(published) != 1 {
		t.Fatalf("nobody answered: %v left, %d snapshots published; want %v, only the first", left, len(published), first)
	}
	answers = true
	for i := 1; i <= len(first); i++ {
		left := r.resolveNow()
		if len(left) != len(first)-i || len(published) != 1+i {
			t.Fatalf("after %d answers: %v left, %d snapshots published", i, left, len(published))
		}
	}
	for _, tg := range r.last.Config.Targets {
		if tg.NextHopMAC == ([6]byte{}) {
			t.Errorf("target %s has no MAC in the last snapshot", tg.ID)
		}
	}
}
