package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/store/etcdtest"
)

// startStoreWatch runs st.Watch and hands its events to the test.
func startStoreWatch(t *testing.T, st Store) *watcher {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &watcher{t: t, events: make(chan Event, 64), cancel: cancel, done: make(chan error, 1)}
	go func() { w.done <- st.Watch(ctx, func(ev Event) { w.events <- ev }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-w.done; err != nil {
			t.Errorf("Watch: %v", err)
		}
	})
	return w
}

// none checks that no event is pending: called after an event that
// follows the changes that must not be delivered.
func (w *watcher) none(what string) {
	w.t.Helper()
	select {
	case ev := <-w.events:
		w.t.Fatalf("%s: unexpected event %+v", what, ev)
	default:
	}
}

func TestEtcdWatchDeliversTheStateThenEachChange(t *testing.T) {
	srv := etcdtest.Start(t)
	st := openEtcd(t, srv.NewLocation(t))
	w := startStoreWatch(t, st)
	if ev := w.nextState(); ev.Version != (Version{}) || len(ev.State.Vpcs) != 0 {
		t.Fatalf("first event %+v, want the empty state at the zero Version", ev)
	}
	arn := seed(t, st)
	if ev := w.nextState(); ev.Version.Revision != 1 || ev.Version.Digest == "" || ev.State.TargetGroupByArn(arn) == nil {
		t.Fatalf("after the first write: %+v", ev.Version)
	}
	// A no-op update writes nothing; keys beside the state (a node's
	// registration) are not the state: the next event is the next change.
	if _, err := st.Update(func(*control.State) error { return nil }); err != nil {
		t.Fatal(err)
	}
	srv.Put(t, st.Prefix()+"/"+EtcdNodesDir+"node-a", []byte(`{"zone":"us-east-1a"}`))
	srv.Put(t, st.Prefix()+"/"+EtcdHealthDir+"node-a/tg/10.0.0.5", []byte(`healthy`))
	srv.Put(t, st.Prefix()+"/statefoo", []byte(`x`))
	if _, err := st.Update(func(s *control.State) error { return register(s, arn, "10.0.0.5") }); err != nil {
		t.Fatal(err)
	}
	if ev := w.nextState(); ev.Version.Revision != 2 {
		t.Fatalf("after a no-op, other keys and a change: %v, want revision 2", ev.Version)
	}
	w.none("after revision 2")
}

// Deleted -> ErrDeleted (never an empty state); the same content back is
// delivered; a corrupted document is delivered once, and the repair even
// when it is the content from before; content restored at the same
// revision is a change.
func TestEtcdWatchDeletionCorruptionAndRestore(t *testing.T) {
	srv := etcdtest.Start(t)
	st := openEtcd(t, srv.NewLocation(t))
	arn := seed(t, st)
	w := startStoreWatch(t, st)
	good := w.nextState()
	doc := srv.Get(t, st.Key())

	srv.Delete(t, st.Key())
	ev := w.next()
	if !errors.Is(ev.Err, ErrDeleted) || ev.State != nil || !strings.Contains(ev.Err.Error(), st.Key()) {
		t.Fatalf("after the key was deleted: %+v, want ErrDeleted naming the key", ev)
	}
	srv.Put(t, st.Key(), doc)
	if back := w.nextState(); back.Version != good.Version {
		t.Fatalf("back: %v, want %v", back.Version, good.Version)
	}

	srv.Put(t, st.Key(), []byte("{not json"))
	if ev := w.next(); !errors.Is(ev.Err, ErrCorrupt) {
		t.Fatalf("corrupted: %+v", ev)
	}
	srv.Put(t, st.Key(), []byte("{not json")) // the same bad content again: not delivered again
	srv.Put(t, st.Key(), doc)
	if ev := w.nextState(); ev.Version != good.Version {
		t.Fatalf("repaired with the content it had: %v", ev.Version)
	}

	// Another history that also reached revision 2.
	if _, err := st.Update(func(s *control.State) error { return register(s, arn, "10.0.0.5") }); err != nil {
		t.Fatal(err)
	}
	at2 := w.nextState()
	other := openEtcd(t, srv.NewLocation(t))
	arn2 := seed(t, other)
	if _, err := other.Update(func(s *control.State) error { return register(s, arn2, "10.0.0.99") }); err != nil {
		t.Fatal(err)
	}
	backup := srv.Get(t, other.Key())
	srv.Put(t, st.Key(), backup)
	ev = w.nextState()
	if ev.Version.Revision != 2 || ev.Version.Digest == at2.Version.Digest || ev.Version.Digest != digest(backup) {
		t.Fatalf("restored backup: %v (before %v)", ev.Version, at2.Version)
	}
	if tg := ev.State.TargetGroupByArn(arn2); tg == nil || tg.Target("10.0.0.99") == nil {
		t.Fatal("the event does not carry the restored content")
	}
}

// A watch resuming from a revision etcd has compacted away reads the key
// again and delivers the latest content, then follows from there.
func TestEtcdWatchRecoversFromCompaction(t *testing.T) {
	srv := etcdtest.Start(t)
	st := openEtcd(t, srv.NewLocation(t))
	arn := seed(t, st)
	var got []Event
	w := &etcdWatch{s: st, fn: func(ev Event) { got = append(got, ev) }}
	rev, ok := w.read(context.Background(), true)
	if !ok || len(got) != 1 || got[0].Version.Revision != 1 {
		t.Fatalf("first read: %v %+v", ok, got)
	}
	for _, ip := range []string{"10.0.0.1", "10.0.0.2", "10.0.0.3"} {
		if _, err := st.Update(func(s *control.State) error { return register(s, arn, ip) }); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := srv.Client().Get(ctx, st.Key())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Client().Compact(ctx, resp.Header.Revision); err != nil {
		t.Fatal(err)
	}
	// The resumed watch ends on the compaction without delivering; the
	// read that follows delivers revision 4.
	w.follow(srv.Client().Watch(clientv3.WithRequireLeader(ctx), st.Key(), clientv3.WithRev(rev+1)))
	if len(got) != 1 {
		t.Fatalf("the compacted watch delivered %+v", got[1:])
	}
	if _, ok := w.read(ctx, false); !ok || len(got) != 2 || got[1].Version.Revision != 4 {
		t.Fatalf("after the compaction: %+v", got)
	}

	// And Watch as a whole starts after a compaction and follows.
	ww := startStoreWatch(t, st)
	if ev := ww.nextState(); ev.Version.Revision != 4 {
		t.Fatalf("watch start: %v", ev.Version)
	}
	if _, err := st.Update(func(s *control.State) error { return register(s, arn, "10.0.0.4") }); err != nil {
		t.Fatal(err)
	}
	if ev := ww.nextState(); ev.Version.Revision != 5 {
		t.Fatalf("after a compaction and a change: %v", ev.Version)
	}
}

// etcd stopped under a watch and started again with its data: the watch
// picks up where it was and delivers the next change.
func TestEtcdWatchFollowsEtcdThroughARestart(t *testing.T) {
	srv := etcdtest.Start(t)
	st := openEtcd(t, srv.NewLocation(t))
	arn := seed(t, st)
	w := startStoreWatch(t, st)
	w.nextState()
	srv.Restart(t)
	if _, err := st.Update(func(s *control.State) error { return register(s, arn, "10.0.0.5") }); err != nil {
		t.Fatal(err)
	}
	// A read that failed while etcd was away may come first.
	for {
		ev := w.next()
		if ev.Err != nil && !errors.Is(ev.Err, ErrDeleted) && strings.Contains(ev.Err.Error(), srv.Endpoint) {
			continue
		}
		if ev.Err != nil || ev.Version.Revision != 2 {
			t.Fatalf("after the restart: %+v, want revision 2", ev)
		}
		break
	}
}
