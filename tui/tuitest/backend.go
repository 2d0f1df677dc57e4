// Package tuitest holds what the tests of `gwlbctl top` share: Backend, a
// small real implementation of control/api's Backend holding a node's data
// in memory (served by control/api's own handler on a real unix socket,
// Server), and Terminal, a program running in a detached tmux session of
// fixed size that a test types into and reads the screen of.
package tuitest

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/netip"
	"sync"
	"time"

	"github.com/gwlbctl/gwlbctl/control/api"
)

// Start is the fixed time a Backend's clock starts at, unless told
// otherwise: golden output depends on it.
var Start = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// DropReasons are the drop reasons the Backend counts (the engine's names).
var DropReasons = []string{
	"malformed", "unknown_cookie", "endpoint_mismatch", "wrong_source", "missing_option",
	"critical_option", "no_target", "table_full", "too_big", "not_for_us",
	"endpoint_not_available", "no_neighbor", "no_flow", "no_headroom", "no_config",
	"flow_mismatch", "bad_checksum",
}

// Config shapes a Backend's data.
type Config struct {
	// Flows is the number of live flows (0: none).
	Flows int
	// Workers is the number of flow tables (0: 2).
	Workers int
	// Seed makes the generated flows reproducible.
	Seed uint64
	// Start is the clock's start (zero: Start). The node started an hour
	// before it.
	Start time.Time
	// Hot adds a flow far ahead of the others by bytes that always sends
	// (Hot reads it): the top flow a live test can watch rise.
	Hot bool
}

// Backend is an api.Backend whose data lives in memory: targets with
// health, endpoints, drop counters, an event log and flow tables of compact
// slots walked in position order with an api.Listing, as a node walks its
// workers' tables. Its clock is its own: it moves only with Step, so every
// answer is a pure function of the Config and the steps taken. It is safe
// for concurrent use.
type Backend struct {
	mu        sync.RWMutex
	now       time.Time
	info      api.Info
	targets   []api.Target
	endpoints []api.Endpoint
	drops     map[string]uint64
	totals    api.Totals
	tables    [][]slot
	events    *api.EventLog
	steps     uint64
	load      float64
	hot       bool
}

// slot is one flow table entry: compact, as the node's are, and turned into
// an api.Flow when listed.
type slot struct {
	live         bool
	proto        uint8
	endpoint     uint8
	target       uint8
	src, dst     [4]byte
	sport, dport uint16
	cookie       uint32
	packets      [2]uint64
	bytes        [2]uint64
	start, last  int64 // unix seconds
	growth       uint32
	size         uint16
}

// The Backend's fixed identities.
const (
	NodeID       = "node-a"
	LoadBalancer = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/gwy/my-gwlb/0123456789abcdef"
	TargetGroup  = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/my-appliances/fedcba9876543210"
	Zone         = "us-east-1a"
)

// NewBackend builds a Backend: three targets (two healthy, one unhealthy
// after timeouts), two available endpoints and one pending, and
// c.Flows flows spread over the workers' tables (about half of the slots
// live, as in a hash table), a third of them active (their counters rise
// with each Step).
func NewBackend(c Config) *Backend {
	if c.Workers <= 0 {
		c.Workers = 2
	}
	if c.Start.IsZero() {
		c.Start = Start
	}
	b := &Backend{now: c.Start.UTC(), drops: map[string]uint64{}, load: 1}
	started := b.now.Add(-time.Hour)
	b.info = api.Info{
		Version: "test", NodeID: NodeID, PID: 4242, LoadBalancer: LoadBalancer, TargetGroup: TargetGroup,
		AvailabilityZone: Zone, StartedAt: started, Revision: 42,
	}
	for w := range c.Workers {
		b.info.Workers = append(b.info.Workers, api.WorkerInfo{ID: w, Lcore: w + 1, Revision: 42})
	}
	b.targets = []api.Target{
		{Index: 0, ID: "i-0aaaaaaaaaaaaaaa1", IP: netip.MustParseAddr("10.0.1.11"), AvailabilityZone: Zone,
			State: "healthy", Since: started.Add(30 * time.Second)},
		{Index: 1, ID: "i-0bbbbbbbbbbbbbbb2", IP: netip.MustParseAddr("10.0.1.12"), AvailabilityZone: Zone,
			State: "healthy", Since: started.Add(30 * time.Second)},
		{Index: 2, ID: "i-0ccccccccccccccc3", IP: netip.MustParseAddr("10.0.1.13"), AvailabilityZone: Zone,
			State: "unhealthy", Reason: "Target.Timeout", Description: "Request timed out",
			Since: b.now.Add(-5 * time.Minute)},
	}
	b.endpoints = []api.Endpoint{
		{ID: "vpce-0123456789abcdef0", State: "available", AvailabilityZone: Zone, Mode: "bump"},
		{ID: "vpce-0fedcba9876543210", State: "available", AvailabilityZone: Zone, Mode: "bump"},
		{ID: "vpce-0a1b2c3d4e5f60718", State: "pendingAcceptance", AvailabilityZone: Zone, Mode: "bump"},
	}
	for _, r := range DropReasons {
		b.drops[r] = 0
	}
	b.drops["no_target"] = 12
	b.drops["unknown_cookie"] = 3
	b.drops["endpoint_not_available"] = 1500
	b.events = api.NewEventLog(0, func() time.Time { return b.now })
	b.fill(c)
	if c.Hot {
		b.addHot()
	}
	b.initialEvents(started)
	b.recount()
	return b
}

func (b *Backend) fill(c Config) {
	r := rand.New(rand.NewPCG(c.Seed, c.Seed^0x9e3779b97f4a7c15))
	per := (c.Flows + c.Workers - 1) / c.Workers
	now := b.now.Unix()
	n := 0
	for range c.Workers {
		t := make([]slot, 2*per)
		want := min(per, c.Flows-n)
		placed := 0
		for s := range t {
			// Skip about half of the slots, keeping enough for the rest.
			if placed == want || len(t)-s > want-placed && r.IntN(2) == 0 {
				continue
			}
			placed++
			n++
			e := &t[s]
			e.live = true
			e.cookie = uint32(s + 1)
			e.endpoint = uint8(r.IntN(2))
			switch p := r.IntN(20); {
			case p < 14:
				e.proto, e.dport = 6, []uint16{443, 80, 8443, 22}[r.IntN(4)]
			case p < 19:
				e.proto, e.dport = 17, []uint16{53, 123, 4789}[r.IntN(3)]
			default:
				e.proto = 1
			}
			if e.proto != 1 {
				e.sport = uint16(32768 + r.IntN(28000))
			}
			e.src = [4]byte{10, 1, byte(r.IntN(256)), byte(1 + r.IntN(254))}
			e.dst = [4]byte{10, 2, byte(r.IntN(256)), byte(1 + r.IntN(254))}
			e.target = uint8(r.IntN(len(b.targets)))
			age := int64(1 + r.IntN(3600))
			e.start = now - age
			e.last = now - min(age, int64(r.IntN(120)))
			e.size = uint16(64 + r.IntN(1400))
			p0 := uint64(1 + r.ExpFloat64()*2000)
			e.packets = [2]uint64{p0, p0 * uint64(1+r.IntN(3)) / 2}
			e.bytes = [2]uint64{e.packets[0] * uint64(e.size), e.packets[1] * uint64(e.size/2+40)}
			if r.IntN(3) == 0 {
				e.growth = uint32(1 + r.IntN(500))
			}
		}
		b.tables = append(b.tables, t)
	}
}

// addHot adds the hot flow, in a slot after the first table's last.
func (b *Backend) addHot() {
	b.tables[0] = append(b.tables[0], slot{
		live: true, proto: 6, endpoint: 0, target: 0, cookie: uint32(len(b.tables[0]) + 1),
		src: [4]byte{10, 1, 0, 1}, dst: [4]byte{10, 2, 0, 1}, sport: 40001, dport: 443,
		packets: [2]uint64{1 << 20, 1 << 19}, bytes: [2]uint64{1 << 30, 1 << 28},
		start: b.now.Unix() - 600, last: b.now.Unix(), growth: 5000, size: 1400,
	})
	b.hot = true
}

// Hot is the hot flow (Config.Hot) as listed now.
func (b *Backend) Hot() (api.Flow, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	var f api.Flow
	if !b.hot {
		return f, false
	}
	t := b.tables[0]
	b.toFlow(0, &t[len(t)-1], &f)
	return f, true
}

func (b *Backend) initialEvents(started time.Time) {
	b.events.Append(api.Event{Time: started, Kind: api.EventReload, Message: "configuration revision 42 published", Revision: 42})
	b.events.Append(api.Event{Time: started.Add(time.Second), Kind: api.EventEndpoint, Endpoint: b.endpoints[0].ID,
		From: "pendingAcceptance", To: "available", Message: "endpoint " + b.endpoints[0].ID + " accepted"})
	b.events.Append(api.Event{Time: started.Add(time.Second), Kind: api.EventEndpoint, Endpoint: b.endpoints[1].ID,
		From: "pendingAcceptance", To: "available", Message: "endpoint " + b.endpoints[1].ID + " accepted"})
	for _, t := range b.targets {
		b.events.Append(api.Event{Time: started.Add(30 * time.Second), Kind: api.EventHealth, Target: t.ID,
			From: "initial", To: "healthy", Message: "target " + t.ID + " initial -> healthy"})
	}
	t := b.targets[2]
	b.events.Append(api.Event{Time: t.Since, Kind: api.EventHealth, Target: t.ID, From: "healthy", To: "unhealthy",
		Reason: t.Reason, Message: "target " + t.ID + " healthy -> unhealthy: " + t.Reason})
	b.events.Append(api.Event{Time: b.now.Add(-time.Minute), Kind: api.EventWarning,
		Message: "endpoint vpce-0a1b2c3d4e5f60718 is pendingAcceptance: its traffic is dropped"})
}

// recount derives every counter from the flows (called with b.mu held for
// writing).
func (b *Backend) recount() {
	tot := api.Totals{Drops: map[string]uint64{}}
	for i := range b.targets {
		t := &b.targets[i]
		t.ActiveFlows, t.TxPackets, t.TxBytes, t.RxPackets, t.RxBytes = 0, 0, 0, 0, 0
	}
	for i := range b.endpoints {
		e := &b.endpoints[i]
		e.InPackets, e.InBytes, e.OutPackets, e.OutBytes = 0, 0, 0, 0
	}
	for _, t := range b.tables {
		for s := range t {
			e := &t[s]
			if !e.live {
				continue
			}
			p, by := e.packets[0]+e.packets[1], e.bytes[0]+e.bytes[1]
			tot.ActiveFlows++
			tot.EncapPackets += p
			tot.EncapBytes += by
			tot.DecapPackets += p
			tot.DecapBytes += by
			tg := &b.targets[e.target]
			tg.ActiveFlows++
			tg.TxPackets += p
			tg.TxBytes += by
			tg.RxPackets += p
			tg.RxBytes += by
			ep := &b.endpoints[e.endpoint]
			ep.InPackets += p
			ep.InBytes += by
			ep.OutPackets += p
			ep.OutBytes += by
		}
	}
	for i := range b.targets {
		b.targets[i].NewFlows = b.targets[i].ActiveFlows + b.steps
	}
	for i := range b.endpoints {
		b.endpoints[i].NewFlows = b.endpoints[i].InPackets / 1000
	}
	b.endpoints[2].DroppedPackets = b.drops["endpoint_not_available"]
	for k, v := range b.drops {
		tot.Drops[k] = v
		tot.DroppedTotal += v
	}
	tot.NewFlows = tot.ActiveFlows + 100*b.steps
	tot.ExpiredFlows = 100 * b.steps
	tot.BridgedPackets = 20 + b.steps
	tot.ExceptionPackets = 300 + 3*b.steps
	b.totals = tot
}

// Step moves the clock on by d and makes the active flows send: each sends
// its growth in packets per second for d (at least one packet; the
// responder half as many) and is no longer idle; a few drops are counted.
// Counters only ever rise.
func (b *Backend) Step(d time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	secs := d.Seconds()
	b.now = b.now.Add(d)
	now := b.now.Unix()
	for _, t := range b.tables {
		for s := range t {
			e := &t[s]
			if !e.live || e.growth == 0 {
				continue
			}
			p := max(uint64(float64(e.growth)*secs*b.load), 1)
			e.packets[0] += p
			e.packets[1] += p / 2
			e.bytes[0] += p * uint64(e.size)
			e.bytes[1] += p / 2 * uint64(e.size/2+40)
			e.last = now
		}
	}
	b.steps++
	b.drops["no_target"] += max(uint64(2*secs), 1)
	b.drops["endpoint_not_available"] += max(uint64(5*secs), 1)
	b.recount()
}

// SetLoad scales the traffic of the next steps (1: each active flow's own
// rate), so rates vary over time as a node's do.
func (b *Backend) SetLoad(f float64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.load = max(f, 0)
}

// Now is the Backend's clock.
func (b *Backend) Now() time.Time {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.now
}

// SetHealth moves target id to state (with reason and description) and
// logs the transition as the health checker does.
func (b *Backend) SetHealth(id, state, reason, description string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := range b.targets {
		t := &b.targets[i]
		if t.ID != id {
			continue
		}
		from := t.State
		t.State, t.Reason, t.Description, t.Since = state, reason, description, b.now
		msg := fmt.Sprintf("target %s %s -> %s", id, from, state)
		if reason != "" {
			msg += ": " + reason
		}
		b.events.Append(api.Event{Time: b.now, Kind: api.EventHealth, Target: id, From: from, To: state, Reason: reason, Message: msg})
		return nil
	}
	return fmt.Errorf("no target %s", id)
}

// Restart makes the node look restarted: a new StartedAt and a new event
// log numbered from 1.
func (b *Backend) Restart() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.info.StartedAt = b.now
	b.events = api.NewEventLog(0, func() time.Time { return b.now })
	b.events.Append(api.Event{Time: b.now, Kind: api.EventReload, Message: "configuration revision 42 published", Revision: 42})
}

func (b *Backend) toFlow(w int, e *slot, f *api.Flow) {
	t := &b.targets[e.target]
	now := b.now.Unix()
	*f = api.Flow{
		Worker: w, Endpoint: b.endpoints[e.endpoint].ID, Proto: e.proto, Tuple: 5,
		Src: netip.AddrPortFrom(netip.AddrFrom4(e.src), e.sport), Dst: netip.AddrPortFrom(netip.AddrFrom4(e.dst), e.dport),
		Target: t.ID, TargetIndex: t.Index, TargetIP: t.IP, Cookie: e.cookie,
		Packets: e.packets, Bytes: e.bytes,
		AgeSeconds: float64(now - e.start), IdleSeconds: float64(now - e.last),
	}
	if e.proto == 1 {
		f.Tuple = 3
	}
}

// Info implements api.Backend.
func (b *Backend) Info(ctx context.Context) (api.Info, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	i := b.info
	i.Workers = append([]api.WorkerInfo(nil), b.info.Workers...)
	i.UptimeSeconds = b.now.Sub(i.StartedAt).Seconds()
	return i, nil
}

// Stats implements api.Backend.
func (b *Backend) Stats(ctx context.Context) (api.Stats, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	s := api.Stats{
		Time: b.now, UptimeSeconds: b.now.Sub(b.info.StartedAt).Seconds(),
		LoadBalancer: b.info.LoadBalancer, AvailabilityZone: b.info.AvailabilityZone, Revision: b.info.Revision,
		Totals:    b.totals,
		Endpoints: append([]api.Endpoint(nil), b.endpoints...),
		Targets:   append([]api.Target(nil), b.targets...),
		Ports: []api.Port{
			{Name: "appliance", Device: "net_af_packet0", Role: "appliance", RxPackets: b.totals.DecapPackets, TxPackets: b.totals.EncapPackets},
			{Name: "exception", Device: "gwlb0", Role: "exception", RxPackets: b.totals.ExceptionPackets},
		},
	}
	s.Totals.Drops = make(map[string]uint64, len(b.totals.Drops))
	for k, v := range b.totals.Drops {
		s.Totals.Drops[k] = v
	}
	for _, w := range b.info.Workers {
		s.Workers = append(s.Workers, api.Worker{ID: w.ID, Lcore: w.Lcore, Passes: 1000 * (b.steps + 1)})
	}
	return s, nil
}

// Flows implements api.Backend with an api.Listing over the tables.
func (b *Backend) Flows(ctx context.Context, q api.FlowQuery) (api.FlowResult, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	l := api.NewListing(q)
	start := l.Start()
	var f api.Flow
	for w := start.Worker; w < len(b.tables); w++ {
		s := uint64(0)
		if w == start.Worker {
			s = start.Slot
		}
		for t := b.tables[w]; s < uint64(len(t)); s++ {
			if !t[s].live {
				continue
			}
			b.toFlow(w, &t[s], &f)
			if !l.Offer(api.FlowCursor{Worker: w, Slot: s}, &f) {
				return l.Result(), nil
			}
		}
		if ctx.Err() != nil {
			l.Stop(api.FlowCursor{Worker: w + 1})
			return l.Result(), nil
		}
	}
	return l.Result(), nil
}

// Targets implements api.Backend.
func (b *Backend) Targets(ctx context.Context) ([]api.Target, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return append([]api.Target(nil), b.targets...), nil
}

// Endpoints implements api.Backend.
func (b *Backend) Endpoints(ctx context.Context) ([]api.Endpoint, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return append([]api.Endpoint(nil), b.endpoints...), nil
}

// Events implements api.Backend.
func (b *Backend) Events(ctx context.Context, after uint64, limit int) (api.EventPage, error) {
	b.mu.RLock()
	log := b.events
	b.mu.RUnlock()
	return log.Read(after, limit), nil
}

// Lookup implements api.Backend: a new flow's target is a hash of the
// tuple (both directions alike) over the healthy targets, a pure function
// of the target set and the tuple as Maglev's is; the live flow of the
// tuple is found by a walk.
func (b *Backend) Lookup(ctx context.Context, r api.LookupRequest) (api.LookupResult, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	res := api.LookupResult{Request: r, Tuple: 5, Revision: b.info.Revision}
	if r.Proto != 6 && r.Proto != 17 {
		res.Tuple = 3
	}
	ep := -1
	for i, e := range b.endpoints {
		if e.ID == r.Endpoint {
			ep = i
		}
	}
	if ep < 0 {
		return res, &api.Error{Status: 404, Message: fmt.Sprintf("endpoint %s is not served by this node", r.Endpoint)}
	}
	if b.endpoints[ep].State != "available" {
		res.Reason = "endpoint_not_available"
		return res, nil
	}
	var healthy []int
	for i, t := range b.targets {
		if t.State == "healthy" {
			healthy = append(healthy, i)
		}
	}
	if len(healthy) == 0 {
		res.Reason = "no_target"
	} else {
		h := fnv.New64a()
		a, c := r.Src.String(), r.Dst.String()
		if a > c {
			a, c = c, a
		}
		fmt.Fprintf(h, "%d|%s|%s", r.Proto, a, c)
		t := &b.targets[healthy[h.Sum64()%uint64(len(healthy))]]
		res.Target = &api.TargetRef{Index: t.Index, ID: t.ID, IP: t.IP}
	}
	var f api.Flow
	for w, t := range b.tables {
		for s := range t {
			e := &t[s]
			if !e.live || int(e.endpoint) != ep || e.proto != r.Proto {
				continue
			}
			b.toFlow(w, e, &f)
			if f.Src == r.Src && f.Dst == r.Dst || f.Src == r.Dst && f.Dst == r.Src {
				fc := f
				res.Flow = &fc
				return res, nil
			}
		}
	}
	return res, nil
}

var _ api.Backend = (*Backend)(nil)
