package engine

import (
	"context"
	"net/netip"
	"time"

	"github.com/gwlbctl/gwlbctl/fastpath/flow"
)

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

// flowsPerPass bounds the entries a worker examines for a listing per
// Process call, so a listing of a 1M-flow table never stalls forwarding.
const flowsPerPass = 4096

type flowRequest struct {
	max  int
	out  []FlowInfo
	next int
	now  int64
	done chan struct{}
}

// DefaultFlowListLimit is the listing size when Flows is given max <= 0.
const DefaultFlowListLimit = 10000

// Flows lists up to max live flows of the worker (max <= 0: 10000). It is
// safe from any goroutine: the request is served by the worker between
// bursts, a slice of the table per Process call, so the list is a
// near-consistent view taken over a few milliseconds. It needs the worker
// to keep calling Process; ctx bounds the wait.
func (w *Worker) Flows(ctx context.Context, max int) ([]FlowInfo, error) {
	if max <= 0 {
		max = DefaultFlowListLimit
	}
	req := &flowRequest{max: max, out: make([]FlowInfo, 0, min(max, 1<<16)), done: make(chan struct{})}
	select {
	case w.requests <- req:
		w.pending.Add(1)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case <-req.done:
		return req.out, nil
	case <-ctx.Done():
		// The worker still owns req and finishes it; nobody reads it.
		return nil, ctx.Err()
	}
}

// serveFlows advances the pending listing by one slice of the table.
func (w *Worker) serveFlows() {
	if w.cur == nil {
		select {
		case w.cur = <-w.requests:
		default:
			return
		}
	}
	req := w.cur
	cfg := w.cfg
	end := min(req.next+flowsPerPass, w.table.Cap())
	for ; req.next < end && len(req.out) < req.max; req.next++ {
		e := w.table.Entry(flow.Ref(req.next))
		if !e.Live() {
			continue
		}
		req.out = append(req.out, w.flowInfo(cfg, flow.Ref(req.next), e))
	}
	if req.next >= w.table.Cap() || len(req.out) >= req.max {
		w.finishRequest()
	}
}

func (w *Worker) finishRequest() {
	close(w.cur.done)
	w.cur = nil
	w.pending.Add(-1)
}

func (w *Worker) flowInfo(cfg *Config, r flow.Ref, e *flow.Entry) FlowInfo {
	k := &e.Key
	o := e.Initiator()
	src, sport := k.Src(o)
	dst, dport := k.Dst(o)
	fi := FlowInfo{
		Worker:   w.id,
		Endpoint: k.Endpoint,
		Proto:    k.Proto,
		Tuple:    k.Tuple,
		Src:      netip.AddrPortFrom(netip.AddrFrom16(src).Unmap(), sport),
		Dst:      netip.AddrPortFrom(netip.AddrFrom16(dst).Unmap(), dport),
		Target:   int(e.Target),
		Cookie:   w.table.Cookie(r),
		Packets:  e.Packets,
		Bytes:    e.Bytes,
	}
	if cfg != nil && int(e.Target) < len(cfg.targets) && cfg.targets[e.Target].known {
		fi.TargetIP = netip.AddrFrom4(cfg.targets[e.Target].ip)
	}
	now := flow.Seconds(w.lastNow)
	fi.Age = time.Duration(now-e.Created) * time.Second
	fi.Idle = time.Duration(now-e.LastSeen) * time.Second
	return fi
}
