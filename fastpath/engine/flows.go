package engine

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/gwlbctl/gwlbctl/fastpath/flow"
)

// Reading a worker's flows from another goroutine: the worker owns its
// flow table and takes no lock, so a reader asks, and the worker answers
// between two bursts (at the end of a Process call) with one memory copy
// of a slice of the table (ReadFlows) or one table lookup (Lookup). The
// reader converts the copies to FlowInfo on its own goroutine. A request
// needs the worker to keep calling Process; ctx bounds the wait.

// FlowInfo describes one flow for the local API and the TUI.
type FlowInfo struct {
	Worker   int
	Endpoint uint64 // endpoint id (FormatEndpointID gives vpce-...)
	Proto    uint8  // IP protocol; 0 for 2-tuple flows
	Tuple    uint8  // 5, 3 or 2
	// Src and Dst are the initiator's and the responder's ends; ports are
	// zero when the tuple has none.
	Src, Dst netip.AddrPort
	Target   int // stable target index
	TargetIP netip.Addr
	Cookie   uint32
	// Packets and Bytes (inner IP bytes) per direction: [initiator ->
	// responder, responder -> initiator].
	Packets [2]uint64
	Bytes   [2]uint64
	Age     time.Duration // since the first packet
	Idle    time.Duration // since the last packet
}

// MaxFlowBatch is the most flow-table slots one ReadFlows copies: 4096
// entries of 112 bytes, a copy of a few tens of microseconds between two
// bursts, so a listing of a 1M-flow table never stalls forwarding.
const MaxFlowBatch = 4096

// ErrWorkerClosed answers requests to a closed worker.
var ErrWorkerClosed = errors.New("engine: the worker is closed")

// request is one question to the worker, answered in serveRequest.
type request interface {
	serve(w *Worker, now int64)
	fail(err error)
}

// FlowBatch is a buffer a worker fills with the live flows of a slice of
// its flow table (ReadFlows): their entries, cookies and slots, with the
// snapshot and the engine time they were copied at.
type FlowBatch struct {
	entries []flow.Entry
	cookies []uint32
	offs    []uint16   // each copy's distance from from
	floor   flow.Floor // the copy's, set from want by ReadFlows
	want    flow.Floor // SetFloor's, for the next ReadFlows
	size    int        // slots the copy examines at most, set from wantN
	wantN   int        // SetSize's, for the next ReadFlows (0: the batch's capacity)
	worker  int
	from, n int
	seen    int // slots examined, live or not
	slots   int // the table's Slots() at the copy
	now     int64
	cfg     *Config
	err     error
	done    chan struct{}
	busy    bool // handed to a worker that has not answered yet
}

// NewFlowBatch returns a batch of size slots (1..MaxFlowBatch).
func NewFlowBatch(size int) *FlowBatch {
	size = min(max(size, 1), MaxFlowBatch)
	return &FlowBatch{entries: make([]flow.Entry, size), cookies: make([]uint32, size), offs: make([]uint16, size)}
}

// SetFloor makes the next ReadFlows copy only the live flows whose bytes
// or packets (both directions) are above f.Min; the zero Floor copies
// every live flow. A top-N listing sets the N-th best count it
// holds: the worker then reads every entry but copies only the few that
// can still enter the top, which keeps the copy short and the worker's
// cache its own.
func (b *FlowBatch) SetFloor(f flow.Floor) { b.want = f }

// SetSize makes the next ReadFlows examine at most n slots (at most the
// batch's capacity; 0 is the capacity): a page that needs 100 more flows
// costs the worker a copy of about 100 entries, not of 4096.
func (b *FlowBatch) SetSize(n int) { b.wantN = n }

// ErrBatchBusy is ReadFlows' answer for a batch a worker still owns (an
// earlier ReadFlows gave up waiting on it): use a new batch.
var ErrBatchBusy = errors.New("engine: the flow batch is still being filled by a worker; use another")

// ReadFlows asks the worker to copy the live flows from slot from on into
// b and waits for it. On success b holds those of the b.Examined() slots
// from from on (b.Slot says where each was); b.Next says where the next
// batch starts. When ctx ends
// first, ReadFlows returns its error and the worker still owns b: it fills
// it later and nobody reads it (further ReadFlows on b fail with
// ErrBatchBusy until then).
func (w *Worker) ReadFlows(ctx context.Context, from int, b *FlowBatch) error {
	if b.Busy() {
		return ErrBatchBusy
	}
	if from < 0 {
		return fmt.Errorf("engine: flow slot %d is negative", from)
	}
	b.from, b.n, b.seen, b.floor, b.err, b.done, b.busy = from, 0, 0, b.want, nil, make(chan struct{}), true
	b.size = len(b.entries)
	if b.wantN > 0 {
		b.size = min(b.wantN, b.size)
	}
	if err := w.send(ctx, b); err != nil {
		b.busy = false
		return err
	}
	select {
	case <-b.done:
		b.busy = false
		return b.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *Worker) send(ctx context.Context, r request) error {
	if w.closed.Load() {
		return ErrWorkerClosed
	}
	select {
	case w.requests <- r:
		w.pending.Add(1)
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *FlowBatch) serve(w *Worker, now int64) {
	b.worker, b.now, b.cfg = w.id, now, w.cfg
	b.slots = w.table.Slots()
	b.n, b.seen = w.table.CopyLive(flow.Ref(b.from), b.floor, b.entries[:b.size], b.cookies[:b.size], b.offs[:b.size])
	close(b.done)
}

func (b *FlowBatch) fail(err error) {
	b.err = err
	close(b.done)
}

// Busy reports whether a worker still owns b: a ReadFlows that returned
// early (its context ended) left it to the worker, which fills it later.
// A busy batch must not be handed to anyone else.
func (b *FlowBatch) Busy() bool {
	if !b.busy {
		return false
	}
	select {
	case <-b.done:
		b.busy = false
		return false
	default:
		return true
	}
}

// Len is the number of entries the batch holds.
func (b *FlowBatch) Len() int { return b.n }

// Examined is the number of slots the worker examined for the batch, live
// or not.
func (b *FlowBatch) Examined() int { return b.seen }

// Slot is the table slot of the i-th copied entry: the flow's position
// for paging (a live flow keeps its slot).
func (b *FlowBatch) Slot(i int) int { return b.from + int(b.offs[i]) }

// Next returns the slot the next batch starts at, and false when this
// batch reached the end of the table.
func (b *FlowBatch) Next() (int, bool) {
	next := b.from + b.seen
	return next, next < b.slots
}

// Flow describes the i-th copied flow in fi.
func (b *FlowBatch) Flow(i int, fi *FlowInfo) {
	flowInfo(fi, b.worker, b.cfg, b.now, &b.entries[i], b.cookies[i])
}

// flowInfo describes entry e (cookie c) of worker id at engine time now.
func flowInfo(fi *FlowInfo, worker int, cfg *Config, now int64, e *flow.Entry, c uint32) {
	k := &e.Key
	o := e.Initiator()
	src, sport := k.Src(o)
	dst, dport := k.Dst(o)
	*fi = FlowInfo{
		Worker:   worker,
		Endpoint: k.Endpoint,
		Proto:    k.Proto,
		Tuple:    k.Tuple,
		Src:      netip.AddrPortFrom(netip.AddrFrom16(src).Unmap(), sport),
		Dst:      netip.AddrPortFrom(netip.AddrFrom16(dst).Unmap(), dport),
		Target:   int(e.Target),
		Cookie:   c,
		Packets:  e.Packets,
		Bytes:    e.Bytes,
	}
	if cfg != nil && int(e.Target) < len(cfg.targets) && cfg.targets[e.Target].known {
		fi.TargetIP = netip.AddrFrom4(cfg.targets[e.Target].ip)
	}
	sec := flow.Seconds(now)
	fi.Age = time.Duration(sec-e.Created) * time.Second
	fi.Idle = time.Duration(sec-e.LastSeen) * time.Second
}

// ListingShare is the most of a worker's time that answering flow
// listings and lookups may take: after a request that took d, the worker
// answers the next one no sooner than d/ListingShare after the first
// began. A packet that arrives during a copy waits for it, so the smaller
// the share, the fewer packets do; the larger, the sooner a walk of a big
// table ends. Measured with make bench (1M flows, a reader asking for the
// top 25 by bytes every 100 ms, paused and resumed in turn in one run of
// the node): the forwarder ran at 0.96 to 0.98 of its rate with the reader
// paused, inside the paused phases' own spread (-17% to +12%), and a walk
// of the 1M flows took about 0.4 s with a floor (SetFloor), 0.66 s without.
const ListingShare = 0.02

// serveRequest answers one pending request; Process calls it at the end
// of a pass, so each pass pays for at most one copy, and no sooner than
// ListingShare allows after the last (the clock is the runtime's
// monotonic one, read only when a request is pending: now may be an
// engine clock that does not advance).
func (w *Worker) serveRequest(now int64) {
	began := w.clock()
	if began < w.nextRequest {
		return
	}
	select {
	case r := <-w.requests:
		w.pending.Add(-1)
		r.serve(w, now)
		// A worker descheduled during the copy measures the time it was
		// away too: the pause is capped.
		pause := int64(float64(w.clock()-began) / ListingShare)
		w.nextRequest = began + min(pause, int64(maxRequestPause))
	default:
	}
}

// maxRequestPause caps the wait between two requests.
const maxRequestPause = 50 * time.Millisecond

// clockBase anchors nanotime.
var clockBase = time.Now()

// nanotime is the runtime's monotonic clock in ns.
func nanotime() int64 { return int64(time.Since(clockBase)) }

// LookupQuery asks which target a flow gets: the endpoint it enters
// through and its two ends as the initiator sends it (ports zero for
// protocols without).
type LookupQuery struct {
	Endpoint uint64
	Proto    uint8
	Src, Dst netip.AddrPort
}

// LookupAnswer is the answer to a LookupQuery.
type LookupAnswer struct {
	// Revision is the snapshot's.
	Revision uint64
	// Tuple is how many fields the flow key holds (5, 3 or 2).
	Tuple uint8
	// Target is the stable index of the target a new flow with this tuple
	// gets now, -1 when none: NoTarget is then the reason a new flow would
	// be dropped for (ReasonEndpointNotAvailable, ReasonNoTarget).
	Target   int
	NoTarget Reason
	// Flow is the live flow of the tuple in the worker's table, if any
	// (its target was chosen when it started and may differ).
	Flow *FlowInfo
}

// ErrUnknownEndpoint is Lookup's answer for an endpoint the snapshot does
// not serve.
var ErrUnknownEndpoint = errors.New("engine: the endpoint is not served by this node")

// Lookup answers q from the published snapshot's balance tables, exactly
// as a new flow's first packet would be (the same key, hash and Maglev
// lookup), without creating a flow; the live flow of the tuple comes from
// the worker's table, read by the worker between two bursts.
func (w *Worker) Lookup(ctx context.Context, q LookupQuery) (LookupAnswer, error) {
	cfg := w.pub.Load()
	if cfg == nil {
		return LookupAnswer{}, errors.New("engine: no snapshot published yet")
	}
	ep := -1
	for i := range cfg.Endpoints {
		if cfg.Endpoints[i].ID == q.Endpoint {
			ep = i
			break
		}
	}
	if ep < 0 {
		return LookupAnswer{}, fmt.Errorf("%w: %s", ErrUnknownEndpoint, FormatEndpointID(q.Endpoint))
	}
	src, dst := q.Src.Addr().As16(), q.Dst.Addr().As16()
	k, _ := flow.NewKey(q.Endpoint, cfg.Attr.Stickiness, src, dst, q.Src.Port(), q.Dst.Port(), q.Proto, false)
	h := w.table.Hash(&k)
	a := LookupAnswer{Revision: cfg.Revision, Tuple: k.Tuple, Target: -1}
	switch {
	case cfg.Endpoints[ep].State != EndpointAvailable:
		a.NoTarget = ReasonEndpointNotAvailable
	default:
		if t, ok := cfg.Balance.Lookup(h, cfg.endpointZone[ep]); ok {
			a.Target = int(t)
		} else {
			a.NoTarget = ReasonNoTarget
		}
	}
	f := &flowFind{key: k, hash: h, done: make(chan struct{})}
	if err := w.send(ctx, f); err != nil {
		return a, err
	}
	select {
	case <-f.done:
		if f.err != nil {
			return a, f.err
		}
		if f.found {
			a.Flow = &f.info
		}
		return a, nil
	case <-ctx.Done():
		return a, ctx.Err()
	}
}

// flowFind looks one key up in the worker's table.
type flowFind struct {
	key   flow.Key
	hash  uint64
	found bool
	info  FlowInfo
	err   error
	done  chan struct{}
}

func (f *flowFind) serve(w *Worker, now int64) {
	if r, res := w.table.Lookup(&f.key, f.hash, now); res == flow.Hit {
		f.found = true
		flowInfo(&f.info, w.id, w.cfg, now, w.table.Entry(r), w.table.Cookie(r))
	}
	close(f.done)
}

func (f *flowFind) fail(err error) {
	f.err = err
	close(f.done)
}
