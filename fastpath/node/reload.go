package node

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/store"
)

// Reloader rebuilds and republishes the node's snapshot whenever the
// store's state changes (Store.Watch: by content, so a restored backup
// with the same revision is applied too), when time alone changes the
// answer (a draining target's delay ends), and when a target's next hop
// gets resolved or changes. Publishing swaps one pointer: workers keep
// their flow tables, so established flows survive every reload. A state
// that cannot be read (deleted, corrupted) or served (its load balancer
// gone) is reported once and the last good snapshot stays in force.
type Reloader struct {
	Store store.Store
	// Build turns a state into a snapshot (Snapshotter.Build with the
	// node's neighbour lookup).
	Build func(st *control.State, rev uint64, now time.Time) (*Snapshot, error)
	// Publish hands a new snapshot to the workers; why says what caused
	// it, prev is the snapshot it replaces (nil the first time).
	Publish func(why string, prev, cur *Snapshot)
	// Problem reports, once per cause, that the state is not applied
	// (nil: logged only).
	Problem func(msg string, err error)
	// Resolve is called every Poll with the next hops that have no MAC
	// yet: it reports whether any of them is known now (then the snapshot
	// is rebuilt) and otherwise asks the kernel to resolve them. Optional.
	Resolve func([]netip.Addr) bool
	// Refresh re-reads known next hops every second and reports a change
	// (an appliance replaced behind the same address). Optional.
	Refresh func() bool
	// Endpoints is called every Poll: it resolves the next hops routed
	// endpoints missed and reports whether their neighbours changed
	// (then the snapshot is rebuilt). Optional.
	Endpoints func() bool
	Log       *slog.Logger
	// Wake, when not nil, asks for a rebuild on the state in force: a
	// target's health changed (the health checker's transitions).
	Wake <-chan struct{}
	// Poll is how often time-based changes and neighbours are checked;
	// 200 ms by default.
	Poll time.Duration

	state    *control.State // the last good state
	version  store.Version
	last     *Snapshot
	watching chan struct{}
	once     sync.Once
}

// Watching is closed once Run's watch has delivered its first state:
// changes from then on are seen.
func (r *Reloader) Watching() <-chan struct{} {
	r.once.Do(func() { r.watching = make(chan struct{}) })
	return r.watching
}

// Start builds and publishes the first snapshot from st at version v (the
// state the node started with); errors here stop the node.
func (r *Reloader) Start(st *control.State, v store.Version) error {
	if r.Poll == 0 {
		r.Poll = 200 * time.Millisecond
	}
	if r.Log == nil {
		r.Log = slog.Default()
	}
	r.state, r.version = st, v
	return r.rebuild("start")
}

// rebuild builds a snapshot from the last good state and publishes it.
func (r *Reloader) rebuild(why string) error {
	start := time.Now()
	snap, err := r.Build(r.state, r.version.Revision, start)
	if err != nil {
		return err
	}
	prev := r.last
	r.last = snap
	r.Publish(why, prev, snap)
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
		"cross_zone", c.Attr.CrossZone, "stickiness", c.Attr.Stickiness.String(), "inner_mtu", c.InnerLimit(), "build", took.Round(time.Microsecond))
	for _, w := range cur.Warnings {
		if prev == nil || !containsString(prev.Warnings, w) {
			r.Log.Warn("node: " + w)
		}
	}
	if len(cur.Unresolved) > 0 && (prev == nil || len(prev.Unresolved) != len(cur.Unresolved)) {
		r.Log.Info("node: resolving next hops", "addresses", cur.Unresolved)
	}
}

// Run follows the store until ctx is done. It returns an error only when
// the store cannot be watched at all.
func (r *Reloader) Run(ctx context.Context) error {
	var (
		mu      sync.Mutex
		pending *store.Event
	)
	kick := make(chan struct{}, 1)
	watchErr := make(chan error, 1)
	r.Watching()
	watching := r.watching
	first := true
	go func() {
		watchErr <- r.Store.Watch(ctx, func(ev store.Event) {
			if first {
				first = false
				defer close(watching)
			}
			mu.Lock()
			pending = &ev
			mu.Unlock()
			select {
			case kick <- struct{}{}:
			default:
			}
		})
	}()
	poll := time.NewTicker(r.Poll)
	defer poll.Stop()
	failing := false
	problem := func(msg string, err error) {
		r.Log.Error("node: "+msg, "store", r.Store.Describe(), "err", err, "revision_in_force", r.last.Config.Revision)
		if r.Problem != nil {
			r.Problem(msg, err)
		}
	}
	lastRefresh := time.Now()
	for {
		select {
		case <-ctx.Done():
			<-watchErr
			return nil
		case err := <-watchErr:
			if ctx.Err() != nil {
				return nil
			}
			return err
		case <-kick:
			mu.Lock()
			ev := pending
			pending = nil
			mu.Unlock()
			if ev == nil {
				continue
			}
			if ev.Err != nil {
				failing = true
				if errors.Is(ev.Err, store.ErrDeleted) {
					problem("the state was deleted or moved away; the last good config stays in force until it is back", ev.Err)
				} else {
					problem("the state cannot be read; the last good config stays in force until it is fixed", ev.Err)
				}
				continue
			}
			if ev.Version == r.version && !failing {
				continue // the state the node runs (Watch's first delivery)
			}
			prevState, prevVersion := r.state, r.version
			r.state, r.version = ev.State, ev.Version
			why := "state changed"
			if failing {
				why = "state back"
			}
			if err := r.rebuild(why); err != nil {
				r.state, r.version = prevState, prevVersion
				failing = true
				problem("the state is not applied; the last good config stays in force until it is fixed", err)
				continue
			}
			if failing {
				r.Log.Info("node: the state applies again", "store", r.Store.Describe(), "revision", ev.Version.Revision)
				failing = false
			}
		case <-r.Wake:
			if err := r.rebuild("target health changed"); err != nil {
				problem("the config could not be rebuilt; the last good one stays in force", err)
			}
		case now := <-poll.C:
			cur := r.last
			var why string
			switch {
			case !cur.NextChange.IsZero() && !now.Before(cur.NextChange):
				why = "deregistration delay ended"
			case len(cur.Unresolved) > 0 && r.Resolve != nil && r.Resolve(cur.Unresolved):
				why = "next hop resolved"
			case r.Refresh != nil && now.Sub(lastRefresh) >= time.Second:
				lastRefresh = now
				if r.Refresh() {
					why = "next hop changed"
				}
			}
			if why == "" && r.Endpoints != nil && r.Endpoints() {
				why = "endpoint next hop resolved"
			}
			if why != "" {
				if err := r.rebuild(why); err != nil {
					problem("the config could not be rebuilt; the last good one stays in force", err)
				}
			}
		}
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
