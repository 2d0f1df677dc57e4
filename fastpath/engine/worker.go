package engine

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/gwlbctl/gwlbctl/fastpath/flow"
	"github.com/gwlbctl/gwlbctl/fastpath/packet"
)

// DefaultFlowCapacity is the flow table size of a worker whose
// WorkerOptions.FlowCapacity is 0.
const DefaultFlowCapacity = 1 << 20

// chunk is the number of packets processed in one staged pass; longer
// bursts are cut into chunks.
const chunk = 64

// WorkerOptions configure a Worker.
type WorkerOptions struct {
	// ID names the worker (lcore/queue) in listings and logs; with
	// several workers it is the worker's index, 0..Workers-1, which its
	// cookies carry.
	ID int
	// Workers is the number of workers of the node (0 or 1: one). With
	// several, each packet is processed by the worker that owns its flow
	// and handed there when it arrives elsewhere (steer.go).
	Workers int
	// Config is where the worker loads its snapshot, once per Process.
	Config *Publisher
	// FlowCapacity is the fixed size of the worker's flow table,
	// 1..flow.MaxCapacity (0: DefaultFlowCapacity).
	FlowCapacity int
	// Seed keys the flow hash. Nodes serving the same load balancer must
	// use the same seed so they pick the same target for a flow. It is
	// fixed for the life of the worker (the flow table is indexed by it).
	Seed uint64
	// SourcePort picks the outer UDP source port of a packet of flow hash
	// flowHash to the target at stable index target. nil uses
	// packet.GeneveSourcePort(flowHash). With several RSS queues on the
	// appliance port, pass (*RSSPorts).Port: it returns only ports whose
	// return the NIC steers to this worker's queue. Both directions of a
	// flow share flowHash and target, hence one port.
	SourcePort func(cfg *Config, target uint16, flowHash uint64) uint16
	// ExpireBudget is the most flow entries one Process call examines for
	// idle expiry (default 64). Calls are paced by the engine clock so
	// that the whole table is examined about once per expireSweep: a
	// worker polling millions of times a second examines a few entries
	// per pass instead of ExpireBudget.
	ExpireBudget int
	// FlushInterval is how often the counters are published for readers
	// (default 100 ms of the engine clock).
	FlushInterval time.Duration
	// GoHeap puts the flow table on the Go heap instead of mmap.
	GoHeap bool
}

// Worker runs the pipeline for one forwarding core. Process, Flush and
// Close must be called from one goroutine (the worker's); Stats, Revision,
// ReadFlows, Lookup, NeighborMisses and EndpointNeighborMisses are safe from
// any goroutine.
type Worker struct {
	id           int
	pub          *Publisher
	cfg          *Config
	table        *flow.Table
	srcPort      func(*Config, uint16, uint64) uint16
	workers      int               // of the node (steer.go)
	layout       flow.CookieLayout // reads the owner out of a cookie
	expireBudget int
	flushEvery   int64
	lastFlush    int64
	lastNow      int64
	tcpTimeout   int64
	lastExpire   int64 // engine clock of the last expiry pacing step
	expireCredit int64 // entries x ns not yet spent on expiry (see expireQuota)

	c      counterBlock // private: written only by the worker, plainly
	mirror counterBlock // published: atomic stores by the worker, atomic loads by readers
	hiEp   atomic.Int32 // endpoint/target index bounds of the mirror
	hiTgt  atomic.Int32

	neighbor [MaxTargets / 64]atomic.Uint64 // targets seen without a next-hop MAC
	misses   endpointMisses                 // routed next hops seen without a MAC

	requests chan request // flow listings and lookups (flows.go)
	pending  atomic.Int32
	// nextRequest is the earliest nanotime the next request is answered
	// at (serveRequest, ListingShare).
	nextRequest int64
	clock       func() int64 // nanotime; tests set their own
	closed      atomic.Bool
	revision    atomic.Uint64 // Revision of the snapshot in use (Revision)

	// scratch for one chunk
	nEnc    int
	enc     [chunk]encapItem
	keys    [chunk]flow.Key
	hashes  [chunk]uint64
	refs    [chunk]flow.Ref
	results [chunk]flow.Result
	nDec    int
	dec     [chunk]decapItem
	cookies [chunk]uint32
	inner   packet.Inner
	sink    uint32 // keeps the touch loads alive
	arp     packet.ARP
	eth     packet.Ethernet
	ip4     packet.IPv4

	configured atomic.Bool // a snapshot has been adopted (Revision)
}

// NewWorker allocates a worker and its flow table.
func NewWorker(opt WorkerOptions) (*Worker, error) {
	if opt.Config == nil {
		return nil, errors.New("engine: WorkerOptions.Config is nil: pass the Publisher serve stores snapshots in")
	}
	if opt.FlowCapacity == 0 {
		opt.FlowCapacity = DefaultFlowCapacity
	}
	if opt.ExpireBudget == 0 {
		opt.ExpireBudget = 64
	}
	if opt.FlushInterval == 0 {
		opt.FlushInterval = 100 * time.Millisecond
	}
	fc := flow.Config{Capacity: opt.FlowCapacity, Seed: opt.Seed, GoHeap: opt.GoHeap}
	if opt.Workers > 1 {
		fc.Worker, fc.Workers = opt.ID, opt.Workers
	}
	t, err := flow.New(fc)
	if err != nil {
		return nil, fmt.Errorf("engine: worker %d: %w", opt.ID, err)
	}
	w := &Worker{
		id:           opt.ID,
		pub:          opt.Config,
		table:        t,
		srcPort:      opt.SourcePort,
		workers:      max(opt.Workers, 1),
		layout:       flow.NewCookieLayout(max(opt.Workers, 1)),
		expireBudget: opt.ExpireBudget,
		flushEvery:   int64(opt.FlushInterval),
		tcpTimeout:   DefaultTCPIdleTimeout,
		requests:     make(chan request, 16),
		clock:        nanotime,
	}
	return w, nil
}

// Close releases the flow table. Pending flow listings and lookups are
// answered with ErrWorkerClosed.
func (w *Worker) Close() {
	w.closed.Store(true)
	for w.pending.Load() > 0 {
		req := <-w.requests
		req.fail(ErrWorkerClosed)
		w.pending.Add(-1)
	}
	w.table.Close()
}

// Revision returns the Revision of the snapshot the worker used for its
// last Process call, and false before it adopted any. Safe from any
// goroutine.
func (w *Worker) Revision() (uint64, bool) {
	return w.revision.Load(), w.configured.Load()
}

// ID returns the worker's id.
func (w *Worker) ID() int { return w.id }

// Process runs the pipeline on a burst received at now (monotonic ns) and
// sets each packet's Verdict, Out, Off and Len. Call it once per poll
// pass, also with no packets when the ports are idle: it also reclaims
// idle flows, publishes counters and answers flow listings.
func (w *Worker) Process(pkts []Packet, now int64) {
	w.lastNow = now
	cfg := w.pub.Load()
	if cfg != w.cfg {
		w.setConfig(cfg)
	}
	for len(pkts) > 0 {
		n := min(len(pkts), chunk)
		w.burst(cfg, pkts[:n], now)
		pkts = pkts[n:]
	}
	if b := w.expireQuota(now); b > 0 {
		w.c.totals.ExpiredFlows += uint64(w.table.Expire(now, b))
	}
	if now-w.lastFlush >= w.flushEvery || now < w.lastFlush {
		w.Flush(now)
	}
	if w.pending.Load() > 0 {
		w.serveRequest(now)
	}
}

// expireSweep is how often, at most, the expiry sweep examines every entry
// of the flow table: far within the shortest idle timeout (60 s), so an
// idle flow is reclaimed (and leaves the active-flow gauge) at most about
// this long after its timeout. Lookups see a timed-out flow as expired at
// once, whether reclaimed or not.
const expireSweep = int64(time.Second)

// expireQuota returns how many entries this Process call examines for idle
// expiry: the table's capacity per expireSweep of engine time since the
// previous call, at most ExpireBudget. Examining a fixed budget on every
// call cost a few nanoseconds per packet at high packet rates (a burst of
// 32 packets examined 64 entries) for no earlier reclaim that matters.
func (w *Worker) expireQuota(now int64) int {
	dt := now - w.lastExpire
	w.lastExpire = now
	if dt <= 0 {
		return 0 // same instant, or the clock went back: wait for it
	}
	limit := int64(w.expireBudget) * expireSweep
	credit := w.expireCredit + min(dt, expireSweep)*int64(w.table.Cap())
	credit = min(credit, limit)
	n := credit / expireSweep
	w.expireCredit = credit - n*expireSweep
	return int(n)
}

// setConfig adopts a new snapshot between bursts.
func (w *Worker) setConfig(cfg *Config) {
	w.cfg = cfg
	if cfg == nil {
		return
	}
	w.revision.Store(cfg.Revision)
	w.configured.Store(true)
	if cfg.Attr.TCPIdleTimeout != w.tcpTimeout {
		// Validated by NewConfig; applies to existing flows too.
		if err := w.table.SetTCPIdleTimeout(time.Duration(cfg.Attr.TCPIdleTimeout)); err == nil {
			w.tcpTimeout = cfg.Attr.TCPIdleTimeout
		}
	}
	if n := int32(len(cfg.Endpoints)); n > w.hiEp.Load() {
		w.hiEp.Store(n)
	}
	if n := int32(len(cfg.targets)); n > w.hiTgt.Load() {
		w.hiTgt.Store(n)
	}
}

func (w *Worker) drop(p *Packet, r Reason) {
	p.Verdict = Drop
	w.c.totals.Drops[r]++
}

func (w *Worker) dropEndpoint(p *Packet, r Reason, ep int) {
	p.Verdict = Drop
	w.c.totals.Drops[r]++
	w.c.endpoints[ep].Drops++
}

// burst processes up to chunk packets in stages: classify and parse every
// packet and compute its flow key, then look up all keys (and touch all
// cookie entries) together so the cache misses overlap, then finish each.
func (w *Worker) burst(cfg *Config, pkts []Packet, now int64) {
	w.nEnc, w.nDec = 0, 0
	for i := range pkts {
		p := &pkts[i]
		p.Verdict = Drop
		if cfg == nil {
			w.drop(p, ReasonNoConfig)
			continue
		}
		if p.Off < 0 || p.Len <= 0 || p.Off > len(p.Buf) || p.Len > len(p.Buf)-p.Off {
			w.drop(p, ReasonMalformed)
			continue
		}
		if int(p.Port) >= len(cfg.Ports) {
			w.drop(p, ReasonNotForUs)
			continue
		}
		switch port := &cfg.Ports[p.Port]; port.Role {
		case RoleBump:
			w.classifyEndpoint(cfg, p, i, port)
		case RoleRouted:
			w.classifyRouted(cfg, p, i, port)
		case RoleAppliance:
			w.classifyAppliance(cfg, p, i)
		default:
			w.drop(p, ReasonNotForUs)
		}
	}
	if w.nEnc > 0 {
		n := w.nEnc
		w.table.HashBatch(w.keys[:n], w.hashes[:n])
		w.table.LookupBatch(w.keys[:n], w.hashes[:n], now, w.refs[:n], w.results[:n])
		for j := 0; j < n; j++ {
			w.encap(cfg, pkts, j, now)
		}
	}
	if w.nDec > 0 {
		n := w.nDec
		// The entries of the last returns, fewer than cookieGroup, are
		// still to be requested (classifyAppliance did the others).
		w.table.PrefetchCookies(w.cookies[n-n%cookieGroup : n])
		for j := 0; j < n; j++ {
			r, ok := w.table.ByCookie(w.cookies[j])
			if !ok {
				r = flow.NoRef
			}
			w.refs[j] = r
		}
		for j := 0; j < n; j++ {
			w.decap(cfg, pkts, j)
		}
	}
}

// Flush publishes the worker's counters for Stats. Process calls it every
// FlushInterval; call it from the worker's goroutine to publish at once.
func (w *Worker) Flush(now int64) {
	w.lastFlush = now
	w.c.totals.ActiveFlows = uint64(w.table.Len())
	for i, n := 0, int(w.hiTgt.Load()); i < n; i++ {
		w.c.targets[i].ActiveFlows = uint64(w.table.TargetFlows(uint16(i)))
	}
	publish(&w.mirror, &w.c, int(w.hiEp.Load()), int(w.hiTgt.Load()))
}

// Stats returns the counters as last published (at most FlushInterval
// old). Safe from any goroutine; sum workers with Stats.Add.
func (w *Worker) Stats() *Stats {
	return w.mirror.read(int(w.hiEp.Load()), int(w.hiTgt.Load()))
}
