package engine

import (
	"sync/atomic"
	"unsafe"
)

// The counters a worker keeps. Every field is described, named and
// explained once, in the metric tables of metrics.go; readers (the stats
// document, the log line, metrics) walk those tables instead of naming
// fields.

// Totals are the worker-wide counters.
type Totals struct {
	Drops         [NumReasons]uint64
	EncapPkts     uint64
	EncapBytes    uint64
	DecapPkts     uint64
	DecapBytes    uint64
	BridgedPkts   uint64
	BridgedNDPkts uint64
	ExceptionPkt  uint64
	NewFlows      uint64
	ExpiredFlows  uint64
	TCPResets     uint64
	PickedUpFlows uint64
	HandoffPkts   uint64
	ActiveFlows   uint64 // a gauge: flows in the table at the last flush
}

// EndpointCounters are per endpoint (index into Config.Endpoints).
type EndpointCounters struct {
	InPkts, InBytes   uint64
	OutPkts, OutBytes uint64
	Drops             uint64
	NewFlows          uint64
	NoNeighbor        uint64 // routed: next hop unresolved
}

// TargetCounters are per target (stable index into Config.Targets).
type TargetCounters struct {
	TxPkts, TxBytes uint64
	RxPkts, RxBytes uint64
	NewFlows        uint64
	NoNeighbor      uint64
	ActiveFlows     uint64 // a gauge: the target's flows in the table at the last flush
}

// counterStruct is a struct of uint64 fields only, viewable as words.
type counterStruct interface {
	Totals | EndpointCounters | TargetCounters
}

// words views a counter struct as its uint64 words: it holds only uint64
// fields, so it has no padding (a test checks it).
func words[T counterStruct](p *T) []uint64 {
	return unsafe.Slice((*uint64)(unsafe.Pointer(p)), unsafe.Sizeof(*p)/8)
}

// Word counts of the counter structs, as laid out in a counterBlock.
const (
	totalsWords   = int(unsafe.Sizeof(Totals{}) / 8)
	endpointWords = int(unsafe.Sizeof(EndpointCounters{}) / 8)
	targetWords   = int(unsafe.Sizeof(TargetCounters{}) / 8)
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

// Add sums o into s (for readers that total several workers): every
// counter, and the gauges too (the active flows of a node are its
// workers' sum).
func (s *Stats) Add(o *Stats) {
	addWords(words(&s.Totals), words(&o.Totals))
	for len(s.Endpoints) < len(o.Endpoints) {
		s.Endpoints = append(s.Endpoints, EndpointCounters{})
	}
	for i := range o.Endpoints {
		addWords(words(&s.Endpoints[i]), words(&o.Endpoints[i]))
	}
	for len(s.Targets) < len(o.Targets) {
		s.Targets = append(s.Targets, TargetCounters{})
	}
	for i := range o.Targets {
		addWords(words(&s.Targets[i]), words(&o.Targets[i]))
	}
}

func addWords(d, s []uint64) {
	for i, v := range s {
		d[i] += v
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
