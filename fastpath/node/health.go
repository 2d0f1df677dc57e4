package node

import (
	"context"
	"log/slog"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/health"
	"github.com/gwlbctl/gwlbctl/control/store"
)

// nodeHealth runs a node's health checks: a control/health Checker on the
// Go runtime (never on a forwarding lcore) whose probes leave from the
// node's address on the appliance network through the appliance port's
// TAP, so they take the data's path and source address and pass the
// engine's exception path, not its counters. It checks the targets AWS
// would check (the target group the node's listener forwards to, targets
// in an enabled zone), taken from every snapshot the node builds; each
// transition wakes the reloader, whose next snapshot carries the new
// health to the workers (Snapshotter.Health reads the checker), and is
// recorded in the state under the node's id (control.State.SetTargetHealth,
// one store update per batch of transitions, never per probe).
type nodeHealth struct {
	c     *health.Checker
	node  string // the node id the recorded health is keyed by
	store store.Store
	log   *slog.Logger
	// wake tells the reloader that a target's health changed.
	wake chan struct{}
	// prune is signalled when a target's deregistration delay is over:
	// the node removes it from the state (control.State.Prune).
	prune chan struct{}
	// Until start, while the TAP is still down, update only keeps the
	// latest state for start to apply.
	started   bool
	off       bool // no TAP: no checks
	lastState *control.State
	lastSnap  *Snapshot
}

// newNodeHealth returns the health checking of a node whose config is
// cfg, recording into st under the node id; clock nil is the wall clock.
func newNodeHealth(cfg *Config, st store.Store, node string, log *slog.Logger, clock health.Clock) *nodeHealth {
	var src netip.Addr
	if cfg.nodeIP.IsValid() {
		src = cfg.nodeIP.Addr()
	}
	h := &nodeHealth{node: node, store: st, log: log, wake: make(chan struct{}, 1), prune: make(chan struct{}, 1)}
	if cfg.Appliance.TAP == "" {
		// No interface holds the node's address, and probes through the
		// host's routes would test another path (or leave the machine).
		log.Warn("node: without appliance.tap the node does not health check: targets keep the health recorded in the state")
		h.off = true
	}
	h.c = health.NewChecker(health.Options{Dialer: health.NewDialer(src, cfg.Appliance.TAP), Clock: clock, Logger: log})
	return h
}

// observed is the checker's health of a registered target for the
// snapshot: a target the checker does not probe (yet) takes the health
// recorded in the state.
func (h *nodeHealth) observed(tg *control.TargetGroupRecord, rt *control.RegisteredTarget) control.TargetHealth {
	if s, ok := h.c.Status(targetKey(tg, rt)); ok && s.Checked {
		return s.Health
	}
	v, _ := rt.RecordedHealth()
	return v.Health
}

// detail is what the checker's last probe of a checked target found.
func (h *nodeHealth) detail(tg *control.TargetGroupRecord, rt *control.RegisteredTarget) string {
	if s, ok := h.c.Status(targetKey(tg, rt)); ok && s.Checked {
		return s.LastProbe.Detail
	}
	return ""
}

// targetKey is a registered target's key in the checker.
func targetKey(tg *control.TargetGroupRecord, rt *control.RegisteredTarget) health.TargetKey {
	port := control.GenevePort
	if rt.Target.Port != nil {
		port = *rt.Target.Port
	}
	return health.TargetKey{Group: tg.TargetGroup.TargetGroupArn, ID: rt.Target.Id, Port: port}
}

// update gives the checker the targets of snap's target group in st at
// now: checked, or held (draining, unused) as control.TargetHealthAt
// decides. A target whose delay is over asks for a prune.
func (h *nodeHealth) update(st *control.State, snap *Snapshot, now time.Time) {
	tg := st.TargetGroupByArn(snap.TargetGroupArn)
	if tg != nil && slices.ContainsFunc(tg.Targets, func(rt *control.RegisteredTarget) bool { return rt.Gone(now) }) {
		select {
		case h.prune <- struct{}{}:
		default:
		}
	}
	if h.off {
		return
	}
	if !h.started {
		h.lastState, h.lastSnap = st, snap
		return
	}
	var targets []health.Target
	if tg != nil {
		for _, rt := range tg.Targets {
			if rt.Gone(now) {
				continue
			}
			addr, err := netip.ParseAddr(rt.Target.Id)
			if err != nil || !addr.Is4() {
				continue // the snapshot warns of it
			}
			hold := health.HoldNone
			switch d := st.TargetHealthAt(tg, rt, control.TargetHealth{State: control.TargetHealthHealthy}, now); {
			case d.State == control.TargetHealthDraining:
				hold = health.HoldDraining
			case d.State == control.TargetHealthUnused && len(tg.TargetGroup.LoadBalancerArns) == 0:
				hold = health.HoldNoListener
			case d.State == control.TargetHealthUnused:
				hold = health.HoldZoneNotEnabled
			}
			k := targetKey(tg, rt)
			t := health.TargetOf(&tg.TargetGroup, k.ID, k.Port, addr, hold)
			rec, _ := rt.RecordedHealth()
			t.Recorded = rec.Health
			targets = append(targets, t)
		}
	}
	if err := h.c.Update(targets); err != nil && err != health.ErrClosed {
		h.log.Error("node: health checker update", "err", err)
	}
}

// run follows the checker's transitions until ctx is done: each batch
// wakes the reloader and is recorded in the state.
func (h *nodeHealth) run(ctx context.Context) {
	go h.pruneLoop(ctx)
	cursor := h.c.Cursor()
	for {
		page, err := h.c.WaitEvents(ctx, cursor)
		if err != nil {
			return
		}
		cursor = page.Next
		select {
		case h.wake <- struct{}{}:
		default:
		}
		var recs []health.Event
		for _, ev := range page.Events {
			if recorded(ev.To.State) {
				recs = append(recs, ev)
			}
		}
		if page.Missed > 0 {
			// Too many at once for the log: record what the checker
			// holds now instead.
			recs = recs[:0]
			for _, s := range h.c.Snapshot() {
				if s.Checked {
					recs = append(recs, health.Event{Time: s.Since, Target: s.Target, To: s.Health})
				}
			}
		}
		h.record(recs)
	}
}

// recorded reports whether a health state is the checker's own result
// (what the node records), not one the control plane decides from the
// state (draining, unused).
func recorded(state string) bool {
	return state != control.TargetHealthDraining && state != control.TargetHealthUnused
}

// record writes the transitions into the state, re-read under the store's
// lock: a target the CLI has deregistered or removed meanwhile is left as
// the CLI left it (SetTargetHealth refuses it).
func (h *nodeHealth) record(evs []health.Event) {
	if len(evs) == 0 {
		return
	}
	n := 0
	_, err := h.store.Update(func(st *control.State) error {
		n = 0
		for _, ev := range evs {
			if st.SetTargetHealth(ev.Target.Group, ev.Target.ID, h.node, ev.To, ev.Time) {
				n++
			}
		}
		return nil
	})
	if err != nil {
		h.log.Error("node: recording target health in the state", "store", h.store.Describe(), "transitions", len(evs), "err", err)
		return
	}
	if n > 0 {
		h.log.Debug("node: target health recorded", "node_id", h.node, "targets", n)
	}
}

// pruneLoop removes targets whose deregistration delay is over from the
// state (nobody else does until the next register or deregister).
func (h *nodeHealth) pruneLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.prune:
			now := time.Now()
			n := 0
			if _, err := h.store.Update(func(st *control.State) error {
				n = 0
				for _, tg := range st.TargetGroups {
					for _, rt := range tg.Targets {
						if rt.Gone(now) {
							n++
						}
					}
				}
				st.Prune(now)
				return nil
			}); err != nil {
				h.log.Error("node: removing targets whose deregistration delay is over", "store", h.store.Describe(), "err", err)
			} else if n > 0 {
				h.log.Info("node: removed targets whose deregistration delay is over", "targets", strconv.Itoa(n))
			}
		}
	}
}

// start begins probing, with the targets of the last update: once the
// node forwards, so that probes find the TAP up. It must be called before
// the reloader runs (update and start are not safe for concurrent use).
func (h *nodeHealth) start() {
	h.started = true
	if h.lastState != nil {
		h.update(h.lastState, h.lastSnap, time.Now())
		h.lastState, h.lastSnap = nil, nil
	}
}

// close stops all probing.
func (h *nodeHealth) close() { h.c.Close() }
