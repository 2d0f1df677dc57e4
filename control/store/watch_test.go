package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
)

// watcher runs st.Watch and hands its events to the test.
type watcher struct {
	t      *testing.T
	events chan Event
	cancel context.CancelFunc
	done   chan error
}

func startWatch(t *testing.T, st *File) *watcher {
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

// next returns the next event (a generous bound: only a broken watch takes
// that long).
func (w *watcher) next() Event {
	w.t.Helper()
	select {
	case ev := <-w.events:
		return ev
	case <-time.After(10 * time.Second):
		w.t.Fatal("no event from Watch")
		return Event{}
	}
}

func (w *watcher) nextState() Event {
	w.t.Helper()
	ev := w.next()
	if ev.Err != nil || ev.State == nil {
		w.t.Fatalf("event %+v, want a state", ev)
	}
	return ev
}

// noPoll makes a File whose Watch sees changes through notifications
// only, so a test proves they are enough.
func noPoll(t *testing.T, path string) *File {
	t.Helper()
	st, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st.WatchPoll = time.Hour
	return st
}

func TestWatchDeliversTheStateThenEachChange(t *testing.T) {
	st := noPoll(t, filepath.Join(t.TempDir(), "state.json"))
	w := startWatch(t, st)
	if ev := w.nextState(); ev.Version != (Version{}) || len(ev.State.Vpcs) != 0 {
		t.Fatalf("first event %+v, want the empty state at the zero Version", ev)
	}
	arn := seed(t, st)
	if ev := w.nextState(); ev.Version.Revision != 1 || ev.Version.Digest == "" || ev.State.TargetGroupByArn(arn) == nil {
		t.Fatalf("after the first write: %+v", ev.Version)
	}
	// An update that changes nothing writes nothing and is not an event:
	// the next event is the next real change.
	if _, err := st.Update(func(*control.State) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Update(func(s *control.State) error { return register(s, arn, "10.0.0.5") }); err != nil {
		t.Fatal(err)
	}
	if ev := w.nextState(); ev.Version.Revision != 2 {
		t.Fatalf("after a no-op and a change: %v, want revision 2", ev.Version)
	}
}

// A backup restored over the state file can carry the revision the file
// has, with other content: it is a change all the same.
func TestWatchSeesOtherContentAtTheSameRevision(t *testing.T) {
	dir := t.TempDir()
	st := noPoll(t, filepath.Join(dir, "state.json"))
	arn := seed(t, st)
	if _, err := st.Update(func(s *control.State) error { return register(s, arn, "10.0.0.5") }); err != nil {
		t.Fatal(err)
	}
	// The "backup": another history that also reached revision 2.
	other, _ := OpenFile(filepath.Join(dir, "backup", "state.json"))
	arn2 := seed(t, other)
	if _, err := other.Update(func(s *control.State) error { return register(s, arn2, "10.0.0.99") }); err != nil {
		t.Fatal(err)
	}
	backup, _ := os.ReadFile(other.Path())

	w := startWatch(t, st)
	first := w.nextState()
	if first.Version.Revision != 2 {
		t.Fatalf("first event at %v", first.Version)
	}
	if err := os.WriteFile(st.Path(), backup, 0o600); err != nil { // cp backup state.json
		t.Fatal(err)
	}
	ev := w.nextState()
	if ev.Version.Revision != 2 || ev.Version.Digest == first.Version.Digest || ev.Version.Digest != digest(backup) {
		t.Fatalf("restored backup: %v (before %v)", ev.Version, first.Version)
	}
	if tg := ev.State.TargetGroupByArn(arn2); tg == nil || tg.Target("10.0.0.99") == nil {
		t.Fatal("the event does not carry the restored content")
	}
}

func TestWatchReportsADeletedFileAndItsReturn(t *testing.T) {
	st := noPoll(t, filepath.Join(t.TempDir(), "state.json"))
	seed(t, st)
	w := startWatch(t, st)
	good := w.nextState()
	if err := os.Rename(st.Path(), st.Path()+".moved"); err != nil {
		t.Fatal(err)
	}
	ev := w.next()
	if !errors.Is(ev.Err, ErrDeleted) || ev.State != nil {
		t.Fatalf("after the file was moved away: %+v, want ErrDeleted and no state", ev)
	}
	if want := "state file " + st.Path() + " was deleted or moved: "; !strings.HasPrefix(ev.Err.Error(), want) {
		t.Fatalf("message %q, want it to start %q", ev.Err, want)
	}
	// The same content back: delivered, so the caller knows it is fixed.
	if err := os.Rename(st.Path()+".moved", st.Path()); err != nil {
		t.Fatal(err)
	}
	if back := w.nextState(); back.Version != good.Version {
		t.Fatalf("back: %v, want %v", back.Version, good.Version)
	}
}

// Editors save by writing in place, by renaming a new file over the old,
// or by renaming the old one away and writing a new one: each is seen.
func TestWatchSurvivesEditorsReplacingTheFile(t *testing.T) {
	dir := t.TempDir()
	st := noPoll(t, filepath.Join(dir, "state.json"))
	arn := seed(t, st)
	w := startWatch(t, st)
	w.nextState()
	// Versions of the document to save, each with other content.
	docs := make([][]byte, 4)
	for i := range docs {
		if _, err := st.Update(func(s *control.State) error { return register(s, arn, "10.0.0."+string(rune('1'+i))) }); err != nil {
			t.Fatal(err)
		}
		docs[i], _ = os.ReadFile(st.Path())
		w.nextState()
	}
	saves := map[string]func(doc []byte) error{
		"in place": func(doc []byte) error { return os.WriteFile(st.Path(), doc, 0o600) },
		"rename over": func(doc []byte) error {
			tmp := filepath.Join(dir, ".state.json.swp")
			if err := os.WriteFile(tmp, doc, 0o600); err != nil {
				return err
			}
			return os.Rename(tmp, st.Path())
		},
		"backup and write": func(doc []byte) error {
			if err := os.Rename(st.Path(), st.Path()+"~"); err != nil {
				return err
			}
			return os.WriteFile(st.Path(), doc, 0o600)
		},
		"delete and write": func(doc []byte) error {
			if err := os.Remove(st.Path()); err != nil {
				return err
			}
			return os.WriteFile(st.Path(), doc, 0o600)
		},
	}
	i := 0
	for name, save := range saves {
		doc := docs[i%len(docs)]
		i++
		if err := save(doc); err != nil {
			t.Fatal(err)
		}
		// A delete-and-write may be seen in between as a deletion; what
		// counts is that the saved content arrives.
		for {
			ev := w.next()
			if errors.Is(ev.Err, ErrDeleted) && strings.Contains(name, "write") {
				continue
			}
			if ev.Err != nil || ev.Version.Digest != digest(doc) {
				t.Fatalf("%s: event %+v, want the saved content", name, ev)
			}
			break
		}
	}
}

// The directory may not exist when the watch starts (serve started before
// the first gwlbctl command), and may be removed and made again.
func TestWatchWaitsForTheDirectory(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "a", "b")
	st := noPoll(t, filepath.Join(dir, "state.json"))
	w := startWatch(t, st)
	if ev := w.nextState(); ev.Version != (Version{}) {
		t.Fatalf("first event %+v", ev)
	}
	if _, err := os.Stat(filepath.Join(base, "a")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("Watch created the directory")
	}
	seed(t, st) // makes a/b and the file
	if ev := w.nextState(); ev.Version.Revision != 1 {
		t.Fatalf("after the directory appeared: %v", ev.Version)
	}
	if err := os.RemoveAll(filepath.Join(base, "a")); err != nil {
		t.Fatal(err)
	}
	if ev := w.next(); !errors.Is(ev.Err, ErrDeleted) {
		t.Fatalf("after the directory was removed: %+v, want ErrDeleted", ev)
	}
	seed(t, st)
	if ev := w.nextState(); ev.Version.Revision != 1 || ev.State.Vpcs == nil {
		t.Fatalf("after the directory came back: %v", ev.Version)
	}
}

// check's decisions, call by call (no notifications involved): errors are
// delivered once per bad content, the state after an error always, and a
// vanished file is a deletion only when it is still missing at the next
// look.
func TestWatchDeliversEachErrorOnceAndTheRecovery(t *testing.T) {
	st, _ := OpenFile(filepath.Join(t.TempDir(), "state.json"))
	seed(t, st)
	var got []Event
	fw := &fileWatch{s: st, fn: func(ev Event) { got = append(got, ev) }}
	expect := func(step string, n int, ok func(Event) bool) {
		t.Helper()
		if len(got) != n || (ok != nil && !ok(got[n-1])) {
			t.Fatalf("%s: %d events %+v", step, len(got), got)
		}
	}
	isState := func(ev Event) bool { return ev.Err == nil && ev.State != nil }
	fw.check(true)
	expect("start", 1, isState)
	fw.check(false)
	expect("unchanged", 1, isState)

	good, _ := os.ReadFile(st.Path())
	os.WriteFile(st.Path(), []byte("{not json"), 0o600)
	fw.check(false)
	expect("corrupted", 2, func(ev Event) bool { return errors.Is(ev.Err, ErrCorrupt) })
	fw.check(false)
	fw.check(false)
	expect("still corrupted", 2, nil)
	os.WriteFile(st.Path(), good, 0o600)
	fw.check(false)
	expect("fixed with the content it had", 3, isState)

	os.Remove(st.Path())
	fw.check(false)
	expect("missing once", 3, nil)
	os.WriteFile(st.Path(), good, 0o600)
	fw.check(false)
	expect("back before the next look", 3, nil)
	os.Remove(st.Path())
	fw.check(false)
	fw.check(false)
	expect("missing twice", 4, func(ev Event) bool { return errors.Is(ev.Err, ErrDeleted) })
	fw.check(false)
	expect("still missing", 4, nil)
}
