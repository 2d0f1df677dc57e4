package health

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
)

// Options configure a Checker. The zero Options are usable.
type Options struct {
	Dialer Dialer // nil: NewDialer(netip.Addr{}, ""), any source address
	Clock  Clock  // nil: RealClock
	// EventLogSize is how many events the checker keeps
	// (0: DefaultEventLogSize).
	EventLogSize int
	// Logger, when not nil, gets one Info record per event.
	Logger *slog.Logger
	// OnProbe, when not nil, is called when a probe ends, after its result
	// is applied (or dropped), from the probe's goroutine (concurrently for
	// different targets). It must not block.
	OnProbe func(ProbeDone)
}

// ProbeDone tells OnProbe about a probe that ended.
type ProbeDone struct {
	Target TargetKey
	Result Result
	// Applied is false when the result was dropped: the target changed
	// (hold, address, what a probe does), was removed, or the checker was
	// closed while the probe ran.
	Applied bool
}

// ErrClosed is Update's error after Close.
var ErrClosed = errors.New("health checker is closed")

// Checker probes a set of targets, each at its group's interval, and keeps
// each target's health by GWLB's rules. Every probe runs in its own
// goroutine under its own timeout, so a slow or black-holed target delays
// no other. A Checker is safe for concurrent use.
type Checker struct {
	clock   Clock
	prober  Prober
	events  *EventLog
	logger  *slog.Logger
	onProbe func(ProbeDone)

	ctx    context.Context // canceled by Close: ends probes in flight
	cancel context.CancelFunc
	wg     sync.WaitGroup // probes in flight

	mu      sync.Mutex
	targets map[TargetKey]*entry
	closed  bool
}

// entry is one target's state in the checker.
type entry struct {
	t     Target
	m     machine
	timer Timer
	due   time.Time // when the next probe is due; zero: none scheduled
	sched uint64    // bumped on every (re)arm: a stale timer's tick does nothing
	// gen is bumped whenever what a probe does changes (settings, address,
	// hold): the result of a probe started before is dropped.
	gen      uint64
	abort    func() // cancels the probe in flight
	inflight bool
	removed  bool
	probes   uint64
	skipped  uint64
	last     Result
}

func (e *entry) checked() bool { return e.t.Hold == HoldNone && e.t.problem() == nil }

// NewChecker returns a checker with no targets; Update gives it some.
func NewChecker(o Options) *Checker {
	c := &Checker{
		clock:   o.Clock,
		prober:  Prober{Dialer: o.Dialer, Clock: o.Clock},
		events:  NewEventLog(o.EventLogSize),
		logger:  o.Logger,
		onProbe: o.OnProbe,
		targets: map[TargetKey]*entry{},
	}
	if c.clock == nil {
		c.clock = RealClock{}
		c.prober.Clock = c.clock
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c
}

// Update replaces the checker's target set. A target that stays (same key)
// keeps its health, counts and schedule, taking its new settings (a change
// of interval reschedules it from its last probe; a change of what a probe
// does drops the result of a probe in flight). A new target starts at
// initial (or resumes Target.Recorded), or in the health its hold or its
// invalid settings give. A removed target ends with an event to unused
// (Target.NotRegistered) and is forgotten. New targets' first probes are
// spread evenly over their interval, in the order given, so that many
// targets added at once are not probed in one burst; each is then probed
// every interval from its first probe.
//
// Update fails, changing nothing, if two targets have the same key, or
// after Close.
func (c *Checker) Update(targets []Target) error {
	seen := make(map[TargetKey]bool, len(targets))
	for i := range targets {
		k := targets[i].Key
		if seen[k] {
			return fmt.Errorf("health checker update: target %s port %d of %s is given twice", k.ID, k.Port, k.Group)
		}
		seen[k] = true
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrClosed
	}
	now := c.clock.Now()
	var evs []Event
	for _, k := range slices.SortedFunc(maps.Keys(c.targets), compareKeys) {
		if e := c.targets[k]; !seen[k] {
			c.unschedule(e)
			c.drop(e)
			e.removed = true
			delete(c.targets, k)
			h, _ := HoldNotRegistered.Health()
			evs = c.change(evs, e, h, "removed", now)
		}
	}
	var fresh []*entry
	for _, t := range targets {
		e := c.targets[t.Key]
		if e == nil {
			e = &entry{t: t}
			c.targets[t.Key] = e
			switch h, detail := heldHealth(&t); {
			case detail != "":
				evs = c.change(evs, e, h, detail, now)
			case t.Recorded.State == control.TargetHealthHealthy || t.Recorded.State == control.TargetHealthUnhealthy:
				evs = c.change(evs, e, t.Recorded, "added, resuming the recorded health", now)
				fresh = append(fresh, e)
			default:
				evs = c.change(evs, e, Initial(), "added", now)
				fresh = append(fresh, e)
			}
			continue
		}
		wasChecked := e.checked()
		old := e.t
		e.t = t
		switch h, detail := heldHealth(&t); {
		case detail != "":
			c.unschedule(e)
			c.drop(e)
			evs = c.change(evs, e, h, detail, now)
		case !wasChecked:
			c.drop(e)
			evs = c.change(evs, e, Initial(), "checks start again", now)
			fresh = append(fresh, e)
		default:
			if old.Addr != t.Addr || probeChanged(&old.Settings, &t.Settings) {
				c.drop(e)
			}
			if old.Settings.Interval != t.Settings.Interval && e.timer != nil {
				at := e.due.Add(t.Settings.Interval - old.Settings.Interval)
				if at.Before(now) {
					at = now
				}
				c.unschedule(e)
				c.schedule(e, at, now)
			}
		}
	}
	for i, e := range fresh {
		c.schedule(e, now.Add(e.t.Settings.Interval*time.Duration(i)/time.Duration(len(fresh))), now)
	}
	c.mu.Unlock()
	c.log(evs)
	return nil
}

// heldHealth returns the health of a target that is not checked, and why;
// detail is "" for a checked target.
func heldHealth(t *Target) (h control.TargetHealth, detail string) {
	if h, ok := t.Hold.Health(); ok {
		return h, "held: " + t.Hold.String()
	}
	if err := t.problem(); err != nil {
		return Unavailable(), err.Error()
	}
	return control.TargetHealth{}, ""
}

// probeChanged reports whether a probe with b does something else than
// with a (thresholds and interval do not change a probe).
func probeChanged(a, b *Settings) bool {
	return a.Protocol != b.Protocol || a.Port != b.Port || a.Path != b.Path || a.Matcher != b.Matcher || a.Timeout != b.Timeout
}

func compareKeys(a, b TargetKey) int {
	return cmp.Or(cmp.Compare(a.Group, b.Group), cmp.Compare(a.ID, b.ID), cmp.Compare(a.Port, b.Port))
}

// change sets e's health with zeroed counts and appends the event, if the
// health changed, to evs. c.mu is held.
func (c *Checker) change(evs []Event, e *entry, h control.TargetHealth, detail string, now time.Time) []Event {
	from := e.m.health
	if !e.m.set(h, now) {
		return evs
	}
	return append(evs, c.events.Append(Event{Time: now, Target: e.t.Key, From: from, To: h, Detail: detail}))
}

// drop makes the result of e's probe in flight, if any, be ignored, and
// ends that probe. c.mu is held.
func (c *Checker) drop(e *entry) {
	e.gen++
	if e.abort != nil {
		e.abort()
		e.abort = nil
	}
}

// schedule arms e's next probe at at. c.mu is held.
func (c *Checker) schedule(e *entry, at, now time.Time) {
	e.sched++
	e.due = at
	sched := e.sched
	e.timer = c.clock.AfterFunc(at.Sub(now), func() { c.tick(e, sched) })
}

// unschedule stops e's timer. c.mu is held.
func (c *Checker) unschedule(e *entry) {
	e.sched++
	if e.timer != nil {
		e.timer.Stop()
		e.timer = nil
	}
	e.due = time.Time{}
}

// tick starts e's due probe and arms the next one, one interval after this
// one was due, so a target's probes keep their spacing.
func (c *Checker) tick(e *entry, sched uint64) {
	c.mu.Lock()
	if c.closed || e.removed || e.sched != sched {
		c.mu.Unlock()
		return
	}
	now := c.clock.Now()
	iv := e.t.Settings.Interval
	next := e.due.Add(iv)
	if !next.After(now) {
		// The process was stalled past whole intervals: those probes
		// are skipped, and counted.
		late := now.Sub(e.due) / iv
		e.skipped += uint64(late)
		next = e.due.Add((late + 1) * iv)
	}
	c.schedule(e, next, now)
	if e.inflight {
		e.skipped++
		c.mu.Unlock()
		return
	}
	e.inflight = true
	e.probes++
	s, addr, gen := e.t.Settings, e.t.Addr, e.gen
	ctx, stop := c.prober.arm(c.ctx, s.Timeout)
	e.abort = stop
	c.wg.Add(1)
	c.mu.Unlock()
	go func() {
		defer c.wg.Done()
		r := c.prober.run(ctx, addr, &s)
		stop() // before the result is out: no timer outlives its probe
		c.finish(e, gen, r)
	}()
}

// finish applies a probe's result to e, unless e changed since it started.
func (c *Checker) finish(e *entry, gen uint64, r Result) {
	c.mu.Lock()
	e.inflight = false
	key := e.t.Key
	if c.closed || e.removed || e.gen != gen {
		c.mu.Unlock()
		if c.onProbe != nil {
			c.onProbe(ProbeDone{Target: key, Result: r})
		}
		return
	}
	e.abort = nil
	e.last = r
	now := c.clock.Now()
	from := e.m.health
	var evs []Event
	if e.m.observe(&r, &e.t.Settings, now) {
		evs = append(evs, c.events.Append(Event{Time: now, Target: e.t.Key, From: from, To: e.m.health, Detail: r.Detail}))
	}
	c.mu.Unlock()
	c.log(evs)
	if c.onProbe != nil {
		c.onProbe(ProbeDone{Target: key, Result: r, Applied: true})
	}
}

func (c *Checker) log(evs []Event) {
	if c.logger == nil {
		return
	}
	for _, ev := range evs {
		c.logger.Info("target health changed",
			"seq", ev.Seq, "target_group", ev.Target.Group, "target", ev.Target.ID, "port", ev.Target.Port,
			"from", ev.From.State, "to", ev.To.State, "reason", ev.To.Reason, "detail", ev.Detail)
	}
}

// Snapshot returns every target's status, ordered by group, id and port.
func (c *Checker) Snapshot() []TargetStatus {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]TargetStatus, 0, len(c.targets))
	for _, e := range c.targets {
		out = append(out, e.status())
	}
	slices.SortFunc(out, func(a, b TargetStatus) int { return compareKeys(a.Target, b.Target) })
	return out
}

// Status returns one target's status.
func (c *Checker) Status(k TargetKey) (TargetStatus, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.targets[k]
	if e == nil {
		return TargetStatus{}, false
	}
	return e.status(), true
}

func (e *entry) status() TargetStatus {
	return TargetStatus{
		Target: e.t.Key, Addr: e.t.Addr, Hold: e.t.Hold, Settings: e.t.Settings,
		Health: e.m.health, Since: e.m.since, Checked: e.checked(),
		Successes: e.m.ok, Failures: e.m.fail,
		Probes: e.probes, Skipped: e.skipped, InFlight: e.inflight,
		LastProbe: e.last, NextProbe: e.due,
	}
}

// Events returns the events from cursor on (see EventLog.Since).
func (c *Checker) Events(cursor uint64) EventPage { return c.events.Since(cursor) }

// WaitEvents waits for events from cursor on (see EventLog.Wait).
func (c *Checker) WaitEvents(ctx context.Context, cursor uint64) (EventPage, error) {
	return c.events.Wait(ctx, cursor)
}

// Cursor returns the cursor of the next event (see EventLog.Cursor).
func (c *Checker) Cursor() uint64 { return c.events.Cursor() }

// Close stops all probing: no probe starts after it, probes in flight are
// canceled, and Close returns when they have ended. Health, Snapshot and
// the event log stay readable.
func (c *Checker) Close() {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		for _, e := range c.targets {
			c.unschedule(e)
		}
	}
	c.mu.Unlock()
	c.cancel()
	c.wg.Wait()
}
