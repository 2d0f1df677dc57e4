package api

import (
	"container/heap"
	"fmt"
	"net/netip"
	"strings"
)

// Flow is one flow of GET /flows.
type Flow struct {
	// Worker is the worker whose table holds the flow.
	Worker int `json:"worker"`
	// Endpoint is the endpoint id the flow entered through (vpce-...).
	Endpoint string `json:"endpoint"`
	// Proto is the IP protocol; 0 for 2-tuple flows.
	Proto uint8 `json:"proto"`
	// Tuple is how many fields identify the flow: 5, 3 or 2.
	Tuple uint8 `json:"tuple"`
	// Src and Dst are the initiator's and the responder's ends
	// ("10.0.0.1:34567", "[fd00::1]:80"); ports are zero when the tuple
	// has none.
	Src netip.AddrPort `json:"src"`
	Dst netip.AddrPort `json:"dst"`
	// Target is the target's id, TargetIndex its stable index, TargetIP
	// the address Geneve goes to.
	Target      string     `json:"target"`
	TargetIndex int        `json:"target_index"`
	TargetIP    netip.Addr `json:"target_ip"`
	// Cookie is the flow cookie carried in the Geneve option (unique per
	// worker).
	Cookie uint32 `json:"cookie"`
	// Packets and Bytes (inner IP bytes) per direction: [initiator ->
	// responder, responder -> initiator].
	Packets [2]uint64 `json:"packets"`
	Bytes   [2]uint64 `json:"bytes"`
	// AgeSeconds is the time since the first packet, IdleSeconds since the
	// last one.
	AgeSeconds  float64 `json:"age_seconds"`
	IdleSeconds float64 `json:"idle_seconds"`
	// PPS and BPS are the flow's mean rates over its life: packets (bits)
	// of both directions divided by its age, counted as at least one
	// second. The node keeps no per-flow samples; a client that wants a
	// flow's current rate takes the difference of two readings.
	PPS float64 `json:"pps"`
	BPS float64 `json:"bps"`
}

// MeanRates returns the flow's mean packet and bit rates over its life
// (the PPS and BPS fields, which the handler fills in).
func (f *Flow) MeanRates() (pps, bps float64) {
	age := max(f.AgeSeconds, 1)
	return float64(f.Packets[0]+f.Packets[1]) / age, 8 * float64(f.Bytes[0]+f.Bytes[1]) / age
}

// Page sizes of flows and events listings.
const (
	// MaxPageLimit is the hard maximum of flows (or events) in one
	// response; the handler's Options.PageLimit may only lower it.
	MaxPageLimit = 1000
	// DefaultPageLimit is the page size when the request gives no limit.
	DefaultPageLimit = 100
)

// FlowSort orders a top-N listing.
type FlowSort uint8

const (
	// SortNone lists flows in the tables' order, paged by cursor.
	SortNone FlowSort = iota
	// SortBytes, SortPackets, SortRate and SortAge return the top N flows by
	// bytes (both directions), packets (both directions), mean bit rate
	// or age, largest first, over every flow that matches the filter.
	SortBytes
	SortPackets
	SortRate
	SortAge
	numSorts
)

var sortNames = [numSorts]string{"", "bytes", "packets", "rate", "age"}

// String returns the sort's name in the query syntax ("" for SortNone).
func (s FlowSort) String() string {
	if s < numSorts {
		return sortNames[s]
	}
	return fmt.Sprintf("sort(%d)", uint8(s))
}

// ParseFlowSort parses a sort name: bytes, packets, rate or age ("" is
// SortNone).
func ParseFlowSort(s string) (FlowSort, error) {
	for i, n := range sortNames {
		if s == n {
			return FlowSort(i), nil
		}
	}
	return 0, fmt.Errorf("sort=%q: want one of %s (largest first)", s, strings.Join(sortNames[1:], ", "))
}

// key is the flow's rank under s (larger first).
func (s FlowSort) key(f *Flow) float64 {
	switch s {
	case SortBytes:
		return float64(f.Bytes[0] + f.Bytes[1])
	case SortPackets:
		return float64(f.Packets[0] + f.Packets[1])
	case SortRate:
		_, bps := f.MeanRates()
		return bps
	case SortAge:
		return f.AgeSeconds
	}
	return 0
}

// FlowCursor is a position in a backend's flow tables: the next slot to
// examine. Positions are ordered by worker, then slot; the zero value is
// the beginning. Slots are the backend's own (the node's flow table
// indices): a flow that stays in the table keeps its slot, which is what
// makes a walk visit it exactly once.
type FlowCursor struct {
	Worker int
	Slot   uint64
}

// less reports whether c comes before o.
func (c FlowCursor) less(o FlowCursor) bool {
	return c.Worker < o.Worker || c.Worker == o.Worker && c.Slot < o.Slot
}

// FlowQuery is a flows listing as the handler hands it to the backend,
// validated and with its limit already clamped.
type FlowQuery struct {
	// Filter selects flows; the zero filter selects all.
	Filter FlowFilter
	// Sort, when not SortNone, asks for the top Limit flows over every
	// table (no paging); After is then the beginning.
	Sort FlowSort
	// Limit is the number of flows wanted, 1..MaxPageLimit.
	Limit int
	// After is where the walk starts.
	After FlowCursor
}

// FlowResult is a backend's answer to a FlowQuery.
type FlowResult struct {
	// Flows are the flows found, in table order (SortNone) or by rank.
	Flows []Flow
	// Next is where the next page starts; nil when the walk reached the
	// end of every table. A page may hold fewer than Limit flows (even
	// none) with a Next: the backend bounded its walk; follow Next.
	Next *FlowCursor
	// Partial is set on a top-N answer that does not cover every table
	// (the backend bounded its walk in time).
	Partial bool
}

// FlowPage is the body of GET /flows.
type FlowPage struct {
	// Flows are the page's flows.
	Flows []Flow `json:"flows"`
	// NextCursor continues the listing (pass it as cursor=); empty when the
	// listing is complete. It is opaque, valid for this node's run and this
	// filter only.
	NextCursor string `json:"next_cursor,omitempty"`
	// Sort is the top-N order, empty for a paged listing.
	Sort string `json:"sort,omitempty"`
	// Filter is the filter applied, in canonical text form.
	Filter string `json:"filter,omitempty"`
	// Limit is the page size used; LimitClamped says the request asked for
	// more than the node's maximum (RequestedLimit) and got Limit.
	Limit          int  `json:"limit"`
	LimitClamped   bool `json:"limit_clamped,omitempty"`
	RequestedLimit int  `json:"requested_limit,omitempty"`
	// Partial is set when a top-N listing did not cover every flow (the
	// node bounded the walk in time).
	Partial bool `json:"partial,omitempty"`
}

// Listing is the semantics of a FlowQuery for a backend that walks its
// tables in position order: filter, page limit, top-N and the next
// position, in one place. A backend calls Start, then Offer for each live
// flow from there on in position order, and ends with Result: when Offer
// returns false (the page is full), when it reached the end of its last
// table, or after Stop (it bounded its walk). It is not safe for
// concurrent use; the node's workers each walk their own table in turn.
type Listing struct {
	q       FlowQuery
	flows   []Flow
	top     topFlows
	next    *FlowCursor
	stopped bool
	full    bool
}

// NewListing starts the listing of q.
func NewListing(q FlowQuery) *Listing {
	l := &Listing{q: q}
	if q.Limit <= 0 {
		l.q.Limit = DefaultPageLimit
	}
	if q.Sort != SortNone {
		l.q.After = FlowCursor{}
		l.top = topFlows{sort: q.Sort, n: l.q.Limit}
	} else if l.q.Limit <= MaxPageLimit {
		select {
		case p := <-pages:
			l.flows = p[:0]
		default:
			l.flows = make([]Flow, 0, MaxPageLimit)
		}
	} else {
		l.flows = make([]Flow, 0, l.q.Limit)
	}
	return l
}

// pages keeps the pages of finished listings (MaxPageLimit flows, about
// 230 KB each) for the next, as many as listings run at once by default:
// the handler hands a page back once it has written it (releasePage), so
// that a client walking a big table does not make each page garbage for
// the collector, whose stops pause the workers too.
var pages = make(chan []Flow, DefaultMaxListings)

// releasePage hands back a page a listing filled, once nothing refers to
// it any more; other slices, and pages the list has no room for, are left
// to the collector.
func releasePage(p []Flow) {
	if cap(p) == MaxPageLimit {
		select {
		case pages <- p[:0]:
		default:
		}
	}
}

// Start is the first position to examine.
func (l *Listing) Start() FlowCursor { return l.q.After }

// Offer considers the live flow at position at (at or after Start, and
// after the previous Offer). It reports whether the walk should go on:
// false once the page is full. f is copied.
func (l *Listing) Offer(at FlowCursor, f *Flow) bool {
	if l.full || l.stopped || at.less(l.q.After) || !l.q.Filter.Match(f) {
		return !l.full && !l.stopped
	}
	if l.q.Sort != SortNone {
		l.top.offer(at, f)
		return true
	}
	l.flows = append(l.flows, *f)
	if len(l.flows) >= l.q.Limit {
		l.full = true
		l.next = &FlowCursor{Worker: at.Worker, Slot: at.Slot + 1}
		return false
	}
	return true
}

// Stop ends the walk before the end of the tables; at is the first
// position not examined. A paged listing continues there; a top-N listing
// is marked partial.
func (l *Listing) Stop(at FlowCursor) {
	if l.full || l.stopped {
		return
	}
	l.stopped = true
	if l.q.Sort == SortNone {
		l.next = &at
	}
}

// Wanted is, for a paged listing with no filter, how many more flows fill
// its page: a backend need examine no more slots than that, dead ones
// aside. It is 0 when any number may be needed (a filter, a top N) or
// none (the page is full or stopped).
func (l *Listing) Wanted() int {
	if l.q.Sort != SortNone || !l.q.Filter.IsZero() || l.full || l.stopped {
		return 0
	}
	return l.q.Limit - len(l.flows)
}

// Floor is, once a top-N listing by bytes or packets holds N flows, the
// count (both directions) a flow offered from now on must exceed to enter
// it: a backend may skip the flows at or below it without offering them.
// ok is false when every flow must be offered.
func (l *Listing) Floor() (sort FlowSort, min uint64, ok bool) {
	if (l.q.Sort != SortBytes && l.q.Sort != SortPackets) || len(l.top.items) < l.top.n {
		return SortNone, 0, false
	}
	// The key is a count made float64: converting it back can only round
	// a count above 2^53 up to the key, and a later flow whose key equals
	// the N-th's ranks below it anyway.
	k := l.top.items[0].key
	if k >= 1<<64 {
		return l.q.Sort, 1<<64 - 1, true
	}
	return l.q.Sort, uint64(k), true
}

// Result is the listing's answer.
func (l *Listing) Result() FlowResult {
	if l.q.Sort != SortNone {
		return FlowResult{Flows: l.top.sorted(), Partial: l.stopped}
	}
	return FlowResult{Flows: l.flows, Next: l.next}
}

// topFlows keeps the n largest flows under sort: a min-heap on rank, ties
// broken by position (earlier ranks higher), so the answer is
// deterministic.
type topFlows struct {
	sort  FlowSort
	n     int
	items []rankedFlow
}

type rankedFlow struct {
	key float64
	at  FlowCursor
	f   Flow
}

func (t *topFlows) Len() int      { return len(t.items) }
func (t *topFlows) Swap(i, j int) { t.items[i], t.items[j] = t.items[j], t.items[i] }
func (t *topFlows) Less(i, j int) bool {
	return t.items[i].worse(&t.items[j])
}
func (t *topFlows) Push(x any) { t.items = append(t.items, x.(rankedFlow)) }
func (t *topFlows) Pop() any {
	x := t.items[len(t.items)-1]
	t.items = t.items[:len(t.items)-1]
	return x
}

// worse reports whether a ranks below b.
func (a *rankedFlow) worse(b *rankedFlow) bool {
	if a.key != b.key {
		return a.key < b.key
	}
	return b.at.less(a.at)
}

func (t *topFlows) offer(at FlowCursor, f *Flow) {
	r := rankedFlow{key: t.sort.key(f), at: at}
	if len(t.items) < t.n {
		r.f = *f
		heap.Push(t, r)
		return
	}
	if !t.items[0].worse(&r) {
		return
	}
	r.f = *f
	t.items[0] = r
	heap.Fix(t, 0)
}

// sorted empties the heap, best first.
func (t *topFlows) sorted() []Flow {
	out := make([]Flow, len(t.items))
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(t).(rankedFlow).f
	}
	return out
}
