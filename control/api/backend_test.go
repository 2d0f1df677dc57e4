package api

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// memBackend is a small real Backend holding its data in memory: flow
// tables of slots (with free slots, as a hash table has), walked in
// position order with a Listing, as a node walks its workers' tables.
type memBackend struct {
	mu        sync.Mutex
	info      Info
	totals    Totals
	endpoints []Endpoint
	targets   []Target
	ports     []Port
	workers   []Worker
	tables    [][]memFlow
	events    *EventLog

	// budget > 0 bounds the slots one Flows call examines (Listing.Stop).
	budget int
	// gate, when set, holds each Flows call (after a send on entered)
	// until it is closed.
	gate    chan struct{}
	entered chan struct{}
	// eventReads counts Events calls.
	eventReads atomic.Int64
	// flowCalls counts Flows calls.
	flowCalls atomic.Int64
}

// memFlow is one slot: compact, as a flow table entry is, and turned into
// a Flow when listed.
type memFlow struct {
	live            bool
	endpoint, proto uint8
	tuple           uint8
	target          uint16
	src, dst        [16]byte
	v4              bool
	sport, dport    uint16
	cookie          uint32
	packets, bytes  [2]uint64
	ageSec, idleSec uint32
}

func (m *memBackend) flow(w int, e *memFlow, f *Flow) {
	addr := func(b [16]byte) netip.Addr {
		if e.v4 {
			return netip.AddrFrom4([4]byte(b[:4]))
		}
		return netip.AddrFrom16(b)
	}
	t := &m.targets[e.target]
	*f = Flow{
		Worker: w, Endpoint: m.endpoints[e.endpoint].ID, Proto: e.proto, Tuple: e.tuple,
		Src: netip.AddrPortFrom(addr(e.src), e.sport), Dst: netip.AddrPortFrom(addr(e.dst), e.dport),
		Target: t.ID, TargetIndex: t.Index, TargetIP: t.IP, Cookie: e.cookie,
		Packets: e.packets, Bytes: e.bytes, AgeSeconds: float64(e.ageSec), IdleSeconds: float64(e.idleSec),
	}
}

func (m *memBackend) Info(ctx context.Context) (Info, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := m.info
	i.Workers = append([]WorkerInfo(nil), m.info.Workers...)
	i.UptimeSeconds = time.Since(i.StartedAt).Seconds()
	return i, nil
}

func (m *memBackend) Stats(ctx context.Context) (Stats, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := Stats{
		Time: time.Now().UTC(), UptimeSeconds: time.Since(m.info.StartedAt).Seconds(),
		LoadBalancer: m.info.LoadBalancer, AvailabilityZone: m.info.AvailabilityZone, Revision: m.info.Revision,
		Totals:    m.totals,
		Endpoints: append([]Endpoint(nil), m.endpoints...),
		Targets:   append([]Target(nil), m.targets...),
		Ports:     append([]Port(nil), m.ports...),
		Workers:   append([]Worker(nil), m.workers...),
	}
	return s, nil
}

func (m *memBackend) Flows(ctx context.Context, q FlowQuery) (FlowResult, error) {
	m.flowCalls.Add(1)
	if m.gate != nil {
		m.entered <- struct{}{}
		select {
		case <-m.gate:
		case <-ctx.Done():
			return FlowResult{}, ctx.Err()
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	l := NewListing(q)
	start := l.Start()
	examined := 0
	var f Flow
	for w := start.Worker; w < len(m.tables); w++ {
		s := uint64(0)
		if w == start.Worker {
			s = start.Slot
		}
		for t := m.tables[w]; s < uint64(len(t)); s++ {
			if m.budget > 0 && examined == m.budget {
				l.Stop(FlowCursor{Worker: w, Slot: s})
				return l.Result(), nil
			}
			examined++
			if !t[s].live {
				continue
			}
			m.flow(w, &t[s], &f)
			if !l.Offer(FlowCursor{Worker: w, Slot: s}, &f) {
				return l.Result(), nil
			}
		}
	}
	return l.Result(), nil
}

func (m *memBackend) Targets(ctx context.Context) ([]Target, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Target(nil), m.targets...), nil
}

func (m *memBackend) Endpoints(ctx context.Context) ([]Endpoint, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Endpoint(nil), m.endpoints...), nil
}

func (m *memBackend) Events(ctx context.Context, after uint64, limit int) (EventPage, error) {
	m.eventReads.Add(1)
	return m.events.Read(after, limit), nil
}

// Lookup hashes the tuple over the healthy targets (a stand-in for Maglev:
// a pure function of the target set and the tuple) and finds the live flow.
func (m *memBackend) Lookup(ctx context.Context, r LookupRequest) (LookupResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	res := LookupResult{Request: r, Tuple: 3, Revision: m.info.Revision}
	if hasPorts(r.Proto) {
		res.Tuple = 5
	}
	ep := -1
	for i, e := range m.endpoints {
		if e.ID == r.Endpoint {
			ep = i
		}
	}
	if ep < 0 {
		return res, &Error{Status: 404, Message: fmt.Sprintf("endpoint %s is not served by this node", r.Endpoint)}
	}
	if m.endpoints[ep].State != "available" {
		res.Reason = "endpoint_not_available"
		return res, nil
	}
	var healthy []int
	for i, t := range m.targets {
		if t.State == "healthy" {
			healthy = append(healthy, i)
		}
	}
	if len(healthy) == 0 {
		res.Reason = "no_target"
	} else {
		h := fnv.New64a()
		a, b := r.Src.String(), r.Dst.String()
		if a > b {
			a, b = b, a // symmetric
		}
		fmt.Fprintf(h, "%d|%s|%s", r.Proto, a, b)
		t := &m.targets[healthy[h.Sum64()%uint64(len(healthy))]]
		res.Target = &TargetRef{Index: t.Index, ID: t.ID, IP: t.IP}
	}
	var f Flow
	for w, tbl := range m.tables {
		for s := range tbl {
			if !tbl[s].live || int(tbl[s].endpoint) != ep || tbl[s].proto != r.Proto {
				continue
			}
			m.flow(w, &tbl[s], &f)
			if f.Src == r.Src && f.Dst == r.Dst || f.Src == r.Dst && f.Dst == r.Src {
				fc := f
				res.Flow = &fc
				return res, nil
			}
		}
	}
	return res, nil
}

// add puts e in worker w's first free slot (growing the table) and
// returns the slot.
func (m *memBackend) add(w int, e memFlow) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	e.live = true
	for len(m.tables) <= w {
		m.tables = append(m.tables, nil)
	}
	t := m.tables[w]
	for s := range t {
		if !t[s].live {
			t[s] = e
			return s
		}
	}
	m.tables[w] = append(t, e)
	return len(t)
}

func (m *memBackend) remove(w, slot int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tables[w][slot].live = false
}

// allFlows returns every live flow, in position order.
func (m *memBackend) allFlows() []Flow {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Flow
	var f Flow
	for w, t := range m.tables {
		for s := range t {
			if t[s].live {
				m.flow(w, &t[s], &f)
				out = append(out, f)
			}
		}
	}
	return out
}

const (
	testLB = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/gwy/my-gwlb/0123456789abcdef"
	testTG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/my-tg/fedcba9876543210"
	testEP = "vpce-0a1b2c3d4e5f60718"
	testE2 = "vpce-0b1b2c3d4e5f60719"
)

// newMemBackend returns a backend with two workers, two endpoints, three
// targets and n flows spread over the workers with free slots between
// them, generated from seed.
func newMemBackend(n int, seed uint64) *memBackend {
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	m := &memBackend{
		info: Info{
			Version: "test", NodeID: "node-a", PID: 1, LoadBalancer: testLB, TargetGroup: testTG,
			AvailabilityZone: "us-east-1a", StartedAt: start, Revision: 7,
			Workers: []WorkerInfo{{ID: 0, Lcore: 1, Revision: 7}, {ID: 1, Lcore: 2, Revision: 7}},
		},
		endpoints: []Endpoint{
			{ID: testEP, State: "available", AvailabilityZone: "us-east-1a", Mode: "bump", InPackets: 100, InBytes: 15000, OutPackets: 90, OutBytes: 14000, DroppedPackets: 3, NewFlows: 12},
			{ID: testE2, State: "pendingAcceptance", AvailabilityZone: "us-east-1a", Mode: "bump"},
		},
		targets: []Target{
			{Index: 0, ID: "i-0123456789abcdef0", IP: netip.MustParseAddr("10.0.1.10"), AvailabilityZone: "us-east-1a", State: "healthy", Since: start, ActiveFlows: 5, NewFlows: 9, TxPackets: 50, TxBytes: 7000, RxPackets: 45, RxBytes: 6500},
			{Index: 1, ID: "10.0.1.11", IP: netip.MustParseAddr("10.0.1.11"), AvailabilityZone: "us-east-1a", State: "unhealthy", Reason: "Target.Timeout", Description: "Request timed out", Since: start.Add(time.Minute)},
			{Index: 2, ID: "i-0fedcba9876543210", IP: netip.MustParseAddr("10.0.1.12"), AvailabilityZone: "us-east-1a", State: "healthy", Since: start},
		},
		ports: []Port{
			{Name: "appliance", Device: "net_af_packet0", Role: "appliance", RxPackets: 10, TxPackets: 20, RxBytes: 1000, TxBytes: 2000, RxMissed: 1,
				XStats: map[string]uint64{"rx_good_packets": 10, "bw_in_allowance_exceeded": 4, "pps_allowance_exceeded": 2}},
			{Name: "exception", Device: "gwlb0", Role: "exception", Error: "port stats: not supported"},
		},
		workers: []Worker{{ID: 0, Lcore: 1, Passes: 1000, Rx: 30, CPUTimeNs: 2_500_000_000, Tx: []Tx{{Port: "appliance", Sent: 20, Unsent: 1}}}},
		totals: Totals{
			EncapPackets: 100, EncapBytes: 15000, DecapPackets: 90, DecapBytes: 14000, NewFlows: 12, ActiveFlows: uint64(n),
			Drops: map[string]uint64{"malformed": 1, "no_target": 2, "unknown_cookie": 0}, DroppedTotal: 3,
		},
		events: NewEventLog(64, nil),
	}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	m.tables = make([][]memFlow, 2)
	for w := range m.tables {
		// Tables twice as large as their share of flows: free slots
		// everywhere, as in a hash table.
		m.tables[w] = make([]memFlow, n)
	}
	for i := 0; i < n; i++ {
		w := i % 2
		var slot int
		for {
			slot = r.IntN(n)
			if !m.tables[w][slot].live {
				break
			}
		}
		e := memFlow{live: true, endpoint: uint8(i % 2), target: uint16(r.IntN(3)), cookie: uint32(i + 1),
			packets: [2]uint64{uint64(r.IntN(1000)), uint64(r.IntN(1000))},
			bytes:   [2]uint64{uint64(r.IntN(1 << 20)), uint64(r.IntN(1 << 20))},
			ageSec:  uint32(r.IntN(3600)), idleSec: uint32(r.IntN(60))}
		switch i % 5 {
		case 0, 1, 2:
			e.proto, e.tuple = 6, 5
		case 3:
			e.proto, e.tuple = 17, 5
		case 4:
			e.proto, e.tuple = 1, 3
		}
		if i%7 == 0 {
			e.src = netip.MustParseAddr(fmt.Sprintf("fd00::%x", 1+r.IntN(250))).As16()
			e.dst = netip.MustParseAddr(fmt.Sprintf("fd01::%x", 1+r.IntN(250))).As16()
		} else {
			e.v4 = true
			copy(e.src[:], []byte{10, 1, byte(r.IntN(4)), byte(1 + r.IntN(250))})
			copy(e.dst[:], []byte{10, 2, byte(r.IntN(4)), byte(1 + r.IntN(250))})
		}
		if e.tuple == 5 {
			e.sport, e.dport = uint16(1024+r.IntN(60000)), []uint16{80, 443, 53, 8443}[r.IntN(4)]
		}
		m.tables[w][slot] = e
	}
	return m
}
