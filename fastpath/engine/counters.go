package engine

import (
	"strconv"
	"sync/atomic"
)

// Reason is why a packet was dropped.
type Reason uint8

const (
	// ReasonMalformed: a header could not be parsed, is truncated or
	// inconsistent (e.g. Geneve protocol type vs inner IP version).
	ReasonMalformed Reason = iota
	// ReasonUnknownCookie: a Geneve return whose cookie names no live flow
	// (stale, forged, or from before a restart).
	ReasonUnknownCookie
	// ReasonEndpointMismatch: the cookie names a live flow, but the
	// endpoint id (or attachment id) option is not that flow's.
	ReasonEndpointMismatch
	// ReasonWrongSource: the outer source address is not the flow's target.
	ReasonWrongSource
	// ReasonMissingOption: a Geneve return without all three AWS options.
	ReasonMissingOption
	// ReasonCriticalOption: a Geneve return with an unknown critical option.
	ReasonCriticalOption
	// ReasonNoTarget: a new flow found no target (empty target group or
	// none in the endpoint's zone with cross-zone off).
	ReasonNoTarget
	// ReasonTableFull: a new flow found the flow table full; live flows are
	// never evicted.
	ReasonTableFull
	// ReasonTooBig: the inner packet is larger than the snapshot carries
	// (Config.InnerLimit: 8500, or the appliance MTU - 68 when smaller);
	// GWLB neither fragments nor sends ICMP.
	ReasonTooBig
	// ReasonNotForUs: not addressed to the node, or received on a port with
	// no role.
	ReasonNotForUs
	// ReasonEndpointNotAvailable: the endpoint is not in state available.
	ReasonEndpointNotAvailable
	// ReasonNoNeighbor: the target's next-hop MAC is not resolved yet.
	ReasonNoNeighbor
	// ReasonNoFlow: a TCP packet other than a SYN for which no flow exists
	// (e.g. after the idle timeout); only a SYN starts a TCP flow.
	ReasonNoFlow
	// ReasonNoHeadroom: the buffer lacks the headroom to prepend the outer
	// headers (the DPDK layer must reserve >= 82 bytes).
	ReasonNoHeadroom
	// ReasonNoConfig: no config snapshot published yet.
	ReasonNoConfig
	// ReasonFlowMismatch: a Geneve return whose inner packet is not of the
	// flow its cookie names (an appliance must not rewrite the tuple).
	ReasonFlowMismatch
	// ReasonBadChecksum: a Geneve return with a wrong outer UDP checksum.
	ReasonBadChecksum
	// ReasonGeneveControl: a Geneve packet with the O (control) bit set.
	// RFC 8926 says its payload must not be forwarded; GWLB sends none.
	ReasonGeneveControl
	// ReasonNonzeroVNI: a Geneve return whose VNI is not 0 (GWLB's).
	ReasonNonzeroVNI
	// NumReasons is the number of reasons.
	NumReasons
)

var reasonNames = [NumReasons]string{
	"malformed", "unknown_cookie", "endpoint_mismatch", "wrong_source", "missing_option",
	"critical_option", "no_target", "table_full", "too_big", "not_for_us",
	"endpoint_not_available", "no_neighbor", "no_flow", "no_headroom", "no_config",
	"flow_mismatch", "bad_checksum", "geneve_control", "nonzero_vni",
}

func (r Reason) String() string {
	if r < NumReasons {
		return reasonNames[r]
	}
	return "reason(" + strconv.Itoa(int(r)) + ")"
}

// Totals are the worker-wide counters.
type Totals struct {
	Drops        [NumReasons]uint64
	EncapPkts    uint64 // endpoint -> appliance
	EncapBytes   uint64 // inner IP bytes
	DecapPkts    uint64 // appliance -> endpoint
	DecapBytes   uint64 // inner IP bytes
	BridgedPkts  uint64 // non-IP frames bridged between bump sides
	ExceptionPkt uint64 // handed to the kernel
	NewFlows     uint64
	ExpiredFlows uint64
	TCPResets    uint64 // RSTs sent for TCP packets without a flow (send_tcp_reset)
	ActiveFlows  uint64 // gauge: flows in the table at the last flush
}

// EndpointCounters are per endpoint (index into Config.Endpoints).
type EndpointCounters struct {
	InPkts, InBytes   uint64 // IP packets received from the endpoint's sides (inner bytes)
	OutPkts, OutBytes uint64 // IP packets sent back out of its sides after the appliance
	Drops             uint64 // dropped packets attributed to this endpoint
	NewFlows          uint64
}

// TargetCounters are per target (stable index into Config.Targets).
type TargetCounters struct {
	TxPkts, TxBytes uint64 // encapsulated to the target (inner bytes)
	RxPkts, RxBytes uint64 // accepted returns from the target (inner bytes)
	NewFlows        uint64
	NoNeighbor      uint64 // drops because the next-hop MAC was unknown
}

const (
	totalsWords   = int(NumReasons) + 10
	endpointWords = 6
	targetWords   = 6
)

// counterBlock is the flat layout shared by a worker's private counters
// and their published mirror.
type counterBlock struct {
	totals    Totals
	endpoints [MaxEndpoints]EndpointCounters
	targets   [MaxTargets]TargetCounters
}

// Stats is a point-in-time copy of one or more workers' counters.
type Stats struct {
	Totals    Totals
	Endpoints []EndpointCounters // indexed like Config.Endpoints (trailing zero entries trimmed)
	Targets   []TargetCounters   // indexed like Config.Targets (trailing zero entries trimmed)
}

// Add sums o into s (for readers that total several workers).
func (s *Stats) Add(o *Stats) {
	for i := range s.Totals.Drops {
		s.Totals.Drops[i] += o.Totals.Drops[i]
	}
	t, u := &s.Totals, &o.Totals
	t.EncapPkts += u.EncapPkts
	t.EncapBytes += u.EncapBytes
	t.DecapPkts += u.DecapPkts
	t.DecapBytes += u.DecapBytes
	t.BridgedPkts += u.BridgedPkts
	t.ExceptionPkt += u.ExceptionPkt
	t.NewFlows += u.NewFlows
	t.ExpiredFlows += u.ExpiredFlows
	t.TCPResets += u.TCPResets
	t.ActiveFlows += u.ActiveFlows
	for len(s.Endpoints) < len(o.Endpoints) {
		s.Endpoints = append(s.Endpoints, EndpointCounters{})
	}
	for i, e := range o.Endpoints {
		d := &s.Endpoints[i]
		d.InPkts += e.InPkts
		d.InBytes += e.InBytes
		d.OutPkts += e.OutPkts
		d.OutBytes += e.OutBytes
		d.Drops += e.Drops
		d.NewFlows += e.NewFlows
	}
	for len(s.Targets) < len(o.Targets) {
		s.Targets = append(s.Targets, TargetCounters{})
	}
	for i, e := range o.Targets {
		d := &s.Targets[i]
		d.TxPkts += e.TxPkts
		d.TxBytes += e.TxBytes
		d.RxPkts += e.RxPkts
		d.RxBytes += e.RxBytes
		d.NewFlows += e.NewFlows
		d.NoNeighbor += e.NoNeighbor
	}
}

// Drop returns the drop count for r.
func (s *Stats) Drop(r Reason) uint64 { return s.Totals.Drops[r] }

// TotalDrops sums drops over all reasons.
func (s *Stats) TotalDrops() uint64 {
	var n uint64
	for _, d := range s.Totals.Drops {
		n += d
	}
	return n
}

// words views a counterBlock as uint64 words. The block is a struct of
// uint64 fields only, so this is layout-exact.
func (b *counterBlock) words() []uint64 {
	return wordsOf(b)
}

// publish copies the private counters into the mirror with atomic stores,
// touching only the words that changed since the last publish; the worker
// is the single writer of both blocks.
func publish(dst, src *counterBlock, hiEndpoint, hiTarget int) {
	d, s := dst.words(), src.words()
	n := totalsWords + hiEndpoint*endpointWords
	publishRange(d[:n], s[:n])
	off := totalsWords + MaxEndpoints*endpointWords
	publishRange(d[off:off+hiTarget*targetWords], s[off:off+hiTarget*targetWords])
}

func publishRange(d, s []uint64) {
	for i := range s {
		if v := s[i]; atomic.LoadUint64(&d[i]) != v {
			atomic.StoreUint64(&d[i], v)
		}
	}
}

// read copies the mirror with atomic loads.
func (b *counterBlock) read(hiEndpoint, hiTarget int) *Stats {
	var tmp counterBlock
	d, s := tmp.words(), b.words()
	n := totalsWords + hiEndpoint*endpointWords
	for i := 0; i < n; i++ {
		d[i] = atomic.LoadUint64(&s[i])
	}
	off := totalsWords + MaxEndpoints*endpointWords
	for i := off; i < off+hiTarget*targetWords; i++ {
		d[i] = atomic.LoadUint64(&s[i])
	}
	st := &Stats{Totals: tmp.totals}
	st.Endpoints = append([]EndpointCounters(nil), tmp.endpoints[:hiEndpoint]...)
	st.Targets = append([]TargetCounters(nil), tmp.targets[:hiTarget]...)
	for len(st.Endpoints) > 0 && st.Endpoints[len(st.Endpoints)-1] == (EndpointCounters{}) {
		st.Endpoints = st.Endpoints[:len(st.Endpoints)-1]
	}
	for len(st.Targets) > 0 && st.Targets[len(st.Targets)-1] == (TargetCounters{}) {
		st.Targets = st.Targets[:len(st.Targets)-1]
	}
	return st
}
