package node

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/gwlbctl/gwlbctl/control"
)

// StateSource reads the control plane's state and its revision.
type StateSource interface {
	Load() (*control.State, uint64, error)
}

// Reloader rebuilds and republishes the node's snapshot whenever the state
// file changes (fsnotify on its directory: the store replaces the file by
// rename, which a watch on the file itself would lose), when time alone
// changes the answer (a draining target's delay ends), and when a target's
// next hop gets resolved. Publishing swaps one pointer: workers keep their
// flow tables, so established flows survive every reload.
type Reloader struct {
	Path   string // the state file, watched through its directory
	Source StateSource
	// Build turns a state into a snapshot (Snapshotter.Build with the
	// node's neighbour lookup).
	Build func(st *control.State, rev uint64, now time.Time) (*Snapshot, error)
	// Publish hands a new snapshot to the workers.
	Publish func(*Snapshot)
	// Resolve is called every Poll with the next hops that have no MAC
	// yet: it reports whether any of them is known now (then the snapshot
	// is rebuilt) and otherwise asks the kernel to resolve them. Optional.
	Resolve func([]netip.Addr) bool
	// Refresh re-reads known next hops every second and reports a change
	// (an appliance replaced behind the same address). Optional.
	Refresh func() bool
	Log     *slog.Logger
	// Poll is how often time-based changes, neighbours and (as a fallback
	// for missed events) the file's mtime are checked; 200 ms by default.
	Poll time.Duration
	// Settle delays a reload after an event so that a burst of events (a
	// temp file written, synced, renamed) costs one rebuild; 20 ms default.
	Settle time.Duration

	last    *Snapshot
	lastRev uint64
	modTime time.Time
}

// Current returns the last published snapshot (nil before Start).
func (r *Reloader) Current() *Snapshot { return r.last }

// Start loads and publishes the first snapshot; errors here stop the node.
func (r *Reloader) Start() error {
	if r.Poll == 0 {
		r.Poll = 200 * time.Millisecond
	}
	if r.Settle == 0 {
		r.Settle = 20 * time.Millisecond
	}
	if r.Log == nil {
		r.Log = slog.Default()
	}
	return r.reload("start", true)
}

// reload rebuilds from the file; force rebuilds even when the revision
// did not change (time or neighbours changed).
func (r *Reloader) reload(why string, force bool) error {
	if fi, err := os.Stat(r.Path); err == nil {
		r.modTime = fi.ModTime()
	}
	st, rev, err := r.Source.Load()
	if err != nil {
		return err
	}
	if !force && r.last != nil && rev == r.lastRev {
		return nil
	}
	start := time.Now()
	snap, err := r.Build(st, rev, start)
	if err != nil {
		return err
	}
	r.Publish(snap)
	prev := r.last
	r.last, r.lastRev = snap, rev
	r.logChanges(why, prev, snap, time.Since(start))
	return nil
}

func (r *Reloader) logChanges(why string, prev, cur *Snapshot, took time.Duration) {
	c := cur.Config
	targets := map[string]int{}
	for _, t := range c.Targets {
		if t.IP.IsValid() {
			targets[t.State.String()]++
		}
	}
	eps := map[string]int{}
	for _, e := range c.Endpoints {
		eps[e.State.String()]++
	}
	r.Log.Info("node: config published", "why", why, "revision", c.Revision, "targets", targets, "endpoints", eps,
		"cross_zone", c.Attr.CrossZone, "stickiness", c.Attr.Stickiness.String(), "build", took.Round(time.Microsecond))
	if prev == nil || !equalStrings(prev.Warnings, cur.Warnings) {
		for _, w := range cur.Warnings {
			r.Log.Warn("node: " + w)
		}
	}
	if len(cur.Unresolved) > 0 && (prev == nil || len(prev.Unresolved) != len(cur.Unresolved)) {
		r.Log.Info("node: resolving next hops", "addresses", cur.Unresolved)
	}
}

// Run watches until ctx is done. Reload errors are logged and the last
// good snapshot stays in force: a state file being edited by hand into an
// invalid shape must not stop the traffic.
func (r *Reloader) Run(ctx context.Context) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	dir := filepath.Dir(r.Path)
	if err := w.Add(dir); err != nil {
		return err
	}
	base := filepath.Base(r.Path)
	poll := time.NewTicker(r.Poll)
	defer poll.Stop()
	var settle <-chan time.Time
	failing := false
	lastRefresh := time.Now()
	try := func(why string, force bool) {
		err := r.reload(why, force)
		switch {
		case err != nil && !failing:
			r.Log.Error("node: state file not applied; the previous config stays in force until it is fixed", "path", r.Path, "err", err)
			failing = true
		case err == nil && failing:
			r.Log.Info("node: state file applies again", "path", r.Path)
			failing = false
		}
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return errors.New("node: file watcher closed")
			}
			if filepath.Base(ev.Name) == base && settle == nil {
				settle = time.After(r.Settle)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return errors.New("node: file watcher closed")
			}
			r.Log.Warn("node: file watcher", "err", err)
		case <-settle:
			settle = nil
			try("state file changed", false)
		case now := <-poll.C:
			cur := r.last
			switch {
			case cur != nil && !cur.NextChange.IsZero() && !now.Before(cur.NextChange):
				try("deregistration delay ended", true)
			case cur != nil && len(cur.Unresolved) > 0 && r.Resolve != nil && r.Resolve(cur.Unresolved):
				try("next hop resolved", true)
			case r.Refresh != nil && now.Sub(lastRefresh) >= time.Second && func() bool { lastRefresh = now; return r.Refresh() }():
				try("next hop changed", true)
			default:
				if fi, err := os.Stat(r.Path); err == nil && !fi.ModTime().Equal(r.modTime) && settle == nil {
					try("state file changed (poll)", false)
				}
			}
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
