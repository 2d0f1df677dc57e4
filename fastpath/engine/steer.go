package engine

import "github.com/gwlbctl/gwlbctl/fastpath/flow"

// Several workers, each owning the flows of its own table. A packet may
// arrive on any worker's queue (RSS hashes what the NIC sees, a driver
// without RSS fans out by its own hash or not at all), so each worker
// decides, before touching its table, which worker owns the packet's
// flow, and hands the packet to that worker when it is not itself
// (Verdict Handoff, Out = the owner; the DPDK layer moves the mbuf and
// the owner processes it with Packet.HandedOff set):
//
//   - a Geneve return belongs to the worker its cookie names (the cookie's
//     top bits, flow.CookieLayout): RSS steers it there when the outer
//     source port was chosen for it (RSSPorts), the hand-off otherwise;
//   - an endpoint-side IP packet belongs to OwnerOf(flow hash): the hash is
//     symmetric, so both directions of an inner flow have one owner
//     whatever queue each arrives on, and so do those of the 3-tuple
//     flows that ICMP (errors included) and fragments form (flow keys);
//   - everything else (ARP and other non-IP frames bridged or sent to the
//     kernel, neighbour discovery, packets for the node) keeps no flow
//     state and is handled where it arrives.
//
// The decision depends on the packet and the seed only, so the owner
// always agrees and a handed-off packet is never handed on again; it is
// processed where it lands even if a reload changed the key in between
// (HandedOff).

// OwnerOf returns the worker of n that owns the flow of hash h: bits 32-47
// of h scaled to n, bits no other use of the hash depends on alone (the
// table index takes the low bits, its tag the top 8, the source port bits
// 18-31).
func OwnerOf(h uint64, n int) int {
	return int((h >> 32 & 0xffff) * uint64(n) >> 16)
}

// SetSourcePort replaces WorkerOptions.SourcePort once the appliance
// port's RSS is known (after the ports are open, before the worker's
// first Process; not concurrently with Process).
func (w *Worker) SetSourcePort(fn func(cfg *Config, target uint16, flowHash uint64) uint16) {
	w.srcPort = fn
}

// handOff gives packet p to worker owner and counts it.
func (w *Worker) handOff(p *Packet, owner int) {
	p.Verdict, p.Out = Handoff, uint16(owner)
	w.c.totals.HandoffPkts++
}

// steerEndpoint reports whether endpoint-side packet p, whose flow key is
// k, was handed to another worker.
func (w *Worker) steerEndpoint(p *Packet, k *flow.Key) bool {
	if w.workers <= 1 || p.HandedOff {
		return false
	}
	if o := OwnerOf(w.table.Hash(k), w.workers); o != w.id {
		w.handOff(p, o)
		return true
	}
	return false
}

// steerReturn reports whether appliance return p with cookie c was
// handed to another worker. A cookie naming no worker of the node stays
// here, to be counted unknown_cookie.
func (w *Worker) steerReturn(p *Packet, c uint32) bool {
	if w.workers <= 1 || p.HandedOff {
		return false
	}
	if o := w.layout.Worker(c); o != w.id && o < w.workers {
		w.handOff(p, o)
		return true
	}
	return false
}
