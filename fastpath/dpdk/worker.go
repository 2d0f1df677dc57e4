package dpdk

/*
#include <stdint.h>
#include <rte_mbuf.h>
#include <rte_cycles.h>
#include "gw.h"

static uint64_t gw_tsc_hz(void) { return rte_get_tsc_hz(); }
*/
import "C"

import (
	"runtime/cgo"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/gwlbctl/gwlbctl/fastpath/engine"
)

// BurstHandler processes one burst in place: for each packet it sets
// Verdict, Out, and possibly Off and Len. *engine.Worker implements it.
// Process is also called with an empty burst on idle passes. It runs on
// the worker's lcore inside a cgo callback: it must not block, and a panic
// there ends the process (it cannot unwind through EAL's C frames).
type BurstHandler interface {
	Process(pkts []engine.Packet, now int64)
}

// Burst is the rx burst size and the tx burst size per output port.
const Burst = C.GW_BURST

var monoBase = time.Now()

// Monotonic returns the clock the workers pass to Process as now:
// nanoseconds on the monotonic clock since the process started.
func Monotonic() int64 { return int64(time.Since(monoBase)) }

// rxQueue is one rx queue a worker polls and the port index its packets
// carry (engine.Packet.Port).
type rxQueue struct {
	portIndex uint16
	port      *Port
	queue     uint16
}

// worker is one forwarding lcore: its C state (burst arrays, tx buffers,
// counters) and the Go view of the burst handed to the handler.
type worker struct {
	index   int
	lcore   int
	c       *C.struct_gw_worker // C memory (calloc), freed by the forwarder
	rxqs    []rxQueue
	handler BurstHandler
	pkts    [Burst]engine.Packet
	stop    atomic.Bool
	done    chan struct{}

	// cpuNs is the lcore thread's CPU time spent in the loop, summed
	// over runs (updated when a run ends).
	cpuNs atomic.Uint64

	// badFrame counts packets whose Off/Len after Process do not fit the
	// mbuf (an engine bug): dropped instead of sent.
	badFrame atomic.Uint64
}

// steps is the number of gw_step calls of a pass: one per rx queue, and
// one for the hand-off inbox when the forwarder has several workers.
func (w *worker) steps() int {
	if w.c.inbox != nil {
		return len(w.rxqs) + 1
	}
	return len(w.rxqs)
}

//export gwLcoreMain
func gwLcoreMain(h C.uintptr_t) {
	w := cgo.Handle(h).Value().(*worker)
	defer close(w.done)
	t0 := C.gw_thread_cpu_ns()
	w.loop()
	w.cpuNs.Add(uint64(C.gw_thread_cpu_ns() - t0))
}

// loop is the per-core poll loop. Per pass: check the stop flag once, take
// the clock once (TSC-based, see gw_worker.now_ns; the same scale as
// Monotonic), then per rx queue one gw_step call that disposes of the
// previous burst (to its tx buffers, a port's TAP, or freed), flushes
// every tx buffer at the start of a pass, and receives the next burst.
// An Exception verdict goes to the TAP of port Out (the engine sets Out
// to the receiving port); a port without a TAP drops it (Dropped). The engine
// reads its config snapshot through its own atomic pointer per burst.
func (w *worker) loop() {
	c := w.c
	mbufs := (*[Burst]*C.struct_rte_mbuf)(unsafe.Pointer(&c.rx[0]))
	dest := (*[Burst]C.uint16_t)(unsafe.Pointer(&c.dest[0]))
	rxqs := w.rxqs
	steps := w.steps()
	nports := uint(c.nports)
	nworkers := uint(c.nworkers)
	pkts := w.pkts[:]
	h := w.handler
	ndone := 0
	c.tsc_mult = C.uint64_t((uint64(1e9) << 32) / uint64(C.gw_tsc_hz()))
	var now int64
	for pass := uint(0); !w.stop.Load(); pass++ {
		if pass%4096 == 0 {
			c.anchor_ns = C.uint64_t(Monotonic())
			c.reanchor = 1
		}
		idle := true
		for q := 0; q < steps; q++ {
			n := int(C.gw_step(c, C.uint16_t(ndone), C.uint16_t(q)))
			if q == 0 {
				now = int64(c.now_ns) // refreshed by the pass's first step
			}
			ndone = 0
			if n == 0 {
				continue
			}
			idle = false
			// Slices of one length so the compiler drops bounds checks.
			ms := mbufs[:min(n, Burst)]
			ps := pkts[:len(ms)]
			ds := dest[:len(ms)]
			if q < len(rxqs) {
				port := rxqs[q].portIndex
				for i, m := range ms {
					p := &ps[i]
					p.Buf = unsafe.Slice((*byte)(m.buf_addr), int(m.buf_len))
					p.Off = int(m.data_off)
					p.Len = int(m.data_len)
					p.Port = port
					p.Out = 0
					p.Verdict = engine.Drop
					p.HandedOff = false
				}
			} else {
				// The inbox: the handing worker wrote the port index
				// into the mbuf's port field.
				for i, m := range ms {
					p := &ps[i]
					p.Buf = unsafe.Slice((*byte)(m.buf_addr), int(m.buf_len))
					p.Off = int(m.data_off)
					p.Len = int(m.data_len)
					p.Port = uint16(m.port)
					p.Out = 0
					p.Verdict = engine.Drop
					p.HandedOff = true
				}
			}
			h.Process(ps, now)
			bad := 0
			for i, m := range ms {
				p := &ps[i]
				d := C.uint16_t(C.GW_DEST_DROP)
				if p.Verdict != engine.Drop {
					// The engine moves Off/Len within the buffer; anything
					// outside it would send foreign memory.
					if bl := uint(m.buf_len); uint(p.Off) < bl && p.Len > 0 && uint(p.Len) <= bl-uint(p.Off) {
						m.data_off = C.uint16_t(p.Off)
						m.data_len = C.uint16_t(p.Len)
						m.pkt_len = C.uint32_t(p.Len)
						if p.Verdict == engine.Forward {
							d = C.uint16_t(p.Out)
						} else if p.Verdict == engine.Exception && uint(p.Out) < nports {
							d = C.GW_DEST_EXCEPTION + C.uint16_t(p.Out)
						} else if p.Verdict == engine.Handoff && uint(p.Out) < nworkers {
							d = C.GW_DEST_HANDOFF + C.uint16_t(p.Out)
							m.port = C.uint16_t(p.Port)
						}
					} else {
						bad++
					}
				}
				ds[i] = d
			}
			if bad != 0 {
				w.badFrame.Add(uint64(bad))
			}
			n = len(ms)
			ndone = n
		}
		if idle {
			// The engine expires flows, publishes counters and answers
			// flow listings from Process: it needs a call on idle passes.
			h.Process(pkts[:0], now)
		}
	}
	C.gw_drain(c, C.uint16_t(ndone))
}

// WorkerStats are one forwarding lcore's counters.
type WorkerStats struct {
	Lcore  int
	Passes uint64 // poll passes over the worker's rx queues
	Rx     uint64 // packets handed to the engine
	// MultiSegment counts chained mbufs dropped before the engine (the
	// pool's data room is sized from the MTU, so a single segment fits
	// every frame the port accepts; a larger one is dropped here).
	MultiSegment uint64
	// Dropped counts freed packets: Drop verdicts, invalid output ports,
	// Exception verdicts for a port without a TAP, BadFrame.
	Dropped   uint64
	Exception uint64 // handed to the kernel TAPs (all ports)
	KernelOut uint64 // frames from the TAPs sent on their ports (all ports)
	// KernelMultiSegment counts TAP frames dropped as chained mbufs.
	KernelMultiSegment uint64
	// Handoff counts the mbufs this worker handed to other workers'
	// inboxes (engine.Handoff verdicts), by worker index (nil with one
	// worker): Sent were taken, Unsent refused by a full inbox and freed.
	Handoff []TxStats
	// HandoffIn counts the mbufs this worker took from its inbox.
	HandoffIn uint64
	BadFrame  uint64 // Off/Len outside the buffer after Process: dropped
	// CPUTimeNs is the worker thread's CPU time in completed runs (a
	// running worker's current run is not included): with Rx it gives the
	// CPU cost per packet on a machine shared with other processes.
	CPUTimeNs uint64
	// Tx is per output port index: packets the PMD accepted and refused
	// (refused ones are freed); a port's frames from its TAP included.
	Tx []TxStats
	// Exceptions is per port index: its exception path (zeros for a port
	// without a TAP).
	Exceptions []ExceptionStats
	// PassGaps counts the times between the ends of two poll passes, by
	// bucket (PassGapTop gives each one's bound); PassGapNs is their sum
	// and PassGapSq the sum of their squares, each gap in whole
	// PassGapUnit. A packet that arrives during a long gap waits for its
	// end: the gaps are what the worker adds to forwarding latency
	// (api.PassWait).
	PassGaps  [PassGapBuckets]uint64
	PassGapNs uint64
	PassGapSq uint64
}

// PassGapBuckets is the number of WorkerStats.PassGaps buckets.
const PassGapBuckets = int(C.GW_PASS_GAP_BUCKETS)

// PassGapUnit is the unit of PassGapSq's gaps and the bound of bucket 0
// (1024 ns).
const PassGapUnit = time.Duration(1) << C.GW_PASS_GAP_SHIFT

// PassGapTop is the exclusive upper bound of PassGaps bucket b:
// PassGapUnit for bucket 0, doubling with each bucket; 0 for the last,
// which has none.
func PassGapTop(b int) time.Duration {
	if b < 0 || b >= PassGapBuckets-1 {
		return 0
	}
	return PassGapUnit << b
}

// ExceptionStats count one port's exception path on one worker.
type ExceptionStats struct {
	// ToKernel is the TAP's transmit side: Exception verdicts written to
	// the kernel (refused ones are freed).
	ToKernel TxStats
	// FromKernel counts frames the kernel sent through the TAP, handed to
	// the port's transmit buffer (then counted in Tx).
	FromKernel uint64
}

// TxStats count one transmit buffer's bursts.
type TxStats struct {
	Sent, Unsent uint64
}

func (w *worker) stats() WorkerStats {
	c := w.c
	s := WorkerStats{
		Lcore:              w.lcore,
		Passes:             uint64(c.c.passes),
		Rx:                 uint64(c.c.rx),
		MultiSegment:       uint64(c.c.multiseg),
		Dropped:            uint64(c.c.dropped),
		Exception:          uint64(c.c.exception),
		KernelOut:          uint64(c.c.kernel_out),
		KernelMultiSegment: uint64(c.c.kernel_multiseg),
		HandoffIn:          uint64(c.c.handoff_in),
		BadFrame:           w.badFrame.Load(),
		CPUTimeNs:          w.cpuNs.Load(),
		PassGapNs:          uint64(c.c.pass_gap_ns),
		PassGapSq:          uint64(c.c.pass_gap_sq),
	}
	for b := range s.PassGaps {
		s.PassGaps[b] = uint64(c.c.pass_gaps[b])
	}
	s.Tx = make([]TxStats, int(c.nports))
	s.Exceptions = make([]ExceptionStats, int(c.nports))
	for i := range s.Tx {
		s.Tx[i] = TxStats{Sent: uint64(c.tx[i].sent), Unsent: uint64(c.tx[i].unsent)}
		s.Exceptions[i].ToKernel = TxStats{Sent: uint64(c.exc_tx[i].sent), Unsent: uint64(c.exc_tx[i].unsent)}
	}
	if c.nworkers > 1 {
		s.Handoff = make([]TxStats, int(c.nworkers))
		for k := range s.Handoff {
			s.Handoff[k] = TxStats{Sent: uint64(c.ho[k].sent), Unsent: uint64(c.ho[k].unsent)}
		}
	}
	for k := 0; k < int(c.nexc); k++ {
		s.Exceptions[c.exc[k].port].FromKernel = uint64(c.exc[k].kernel_out)
	}
	return s
}
