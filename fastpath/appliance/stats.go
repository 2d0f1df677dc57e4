package appliance

import (
	"fmt"
	"net/netip"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gwlbctl/gwlbctl/fastpath/engine"
	"github.com/gwlbctl/gwlbctl/fastpath/packet"
)

// Drop reasons, the keys of Stats.Drops.
const (
	DropMalformedGeneve = "malformed_geneve"
	DropMissingOptions  = "missing_aws_options"
	DropUnknownCritical = "unknown_critical_option"
	DropNotIP           = "inner_not_ip"
	DropMalformedInner  = "malformed_inner"
	DropRule            = "drop_rule"
	DropSendError       = "send_error"
	// With Config.Route, what a router does not forward:
	DropLinkLocal         = "link_local"
	DropMulticast         = "multicast"
	DropNeighborDiscovery = "neighbor_discovery"
	DropTTLExpired        = "ttl_expired"
)

// flowKey identifies a flow the way GWLB does: endpoint plus the symmetric
// tuple. Addresses and ports are stored in a canonical order (the lower
// address/port pair first) so both directions share one key.
type flowKey struct {
	endpoint uint64
	proto    uint8
	lo, hi   netip.AddrPort
}

type flowCounters struct {
	// initiator is the source of the first packet seen: direction "a to b".
	initiator           netip.AddrPort
	responder           netip.AddrPort
	proto               uint8
	endpoint            uint64
	cookie              uint32
	pktsAB, pktsBA      uint64
	bytesAB, bytesBA    uint64
	dropped             uint64
	firstSeen, lastSeen time.Time
	gwlb                netip.AddrPort
}

type endpointCounters struct {
	attachment uint64
	packets    uint64
	bytes      uint64
	returned   uint64
	dropped    uint64
	flows      int
}

// counters is the appliance's bookkeeping, behind one mutex: the appliance
// is a reference and test tool, not a fast path.
type counters struct {
	mu        sync.Mutex
	received  uint64
	bytesIn   uint64
	returned  uint64
	bytesOut  uint64
	drops     map[string]uint64
	ruleHits  map[string]uint64
	endpoints map[uint64]*endpointCounters
	flows     map[flowKey]*flowCounters
	maxFlows  int
	untracked uint64
	// socketDrops is the kernel's count of datagrams dropped for want of
	// receive buffer space (SO_RXQ_OVFL), as last reported.
	socketDrops atomic.Uint32
}

func newCounters(maxFlows int) *counters {
	return &counters{
		drops:     map[string]uint64{},
		ruleHits:  map[string]uint64{},
		endpoints: map[uint64]*endpointCounters{},
		flows:     map[flowKey]*flowCounters{},
		maxFlows:  maxFlows,
	}
}

// keyOf returns the flow key of an inner packet and whether the packet
// goes from the lower to the higher address/port.
func keyOf(endpoint uint64, in *packet.Inner) (flowKey, netip.AddrPort, netip.AddrPort) {
	src := netip.AddrPortFrom(netip.AddrFrom16(in.Src).Unmap(), in.SrcPort)
	dst := netip.AddrPortFrom(netip.AddrFrom16(in.Dst).Unmap(), in.DstPort)
	k := flowKey{endpoint: endpoint, proto: in.Protocol, lo: src, hi: dst}
	if src.Compare(dst) > 0 {
		k.lo, k.hi = dst, src
	}
	return k, src, dst
}

// count records one packet of a parsed Geneve datagram. reason is "" for a
// packet returned to GWLB, else the drop reason.
// rule names the drop rule that matched, if any.
func (c *counters) count(n int, g *packet.Geneve, in *packet.Inner, from netip.AddrPort, reason, rule string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.received++
	c.bytesIn += uint64(n)
	if reason == "" {
		c.returned++
		c.bytesOut += uint64(n)
	} else {
		c.drops[reason]++
	}
	if rule != "" {
		c.ruleHits[rule]++
	}
	if g == nil || g.Present&packet.AWSEndpointIDPresent == 0 {
		return
	}
	ep := c.endpoints[g.EndpointID]
	if ep == nil {
		ep = &endpointCounters{}
		c.endpoints[g.EndpointID] = ep
	}
	ep.attachment = g.AttachmentID
	ep.packets++
	ep.bytes += uint64(n)
	if reason == "" {
		ep.returned++
	} else {
		ep.dropped++
	}
	if in == nil {
		return
	}
	k, src, dst := keyOf(g.EndpointID, in)
	f := c.flows[k]
	if f == nil {
		if len(c.flows) >= c.maxFlows {
			c.untracked++
			return
		}
		f = &flowCounters{initiator: src, responder: dst, proto: in.Protocol, endpoint: g.EndpointID, firstSeen: now}
		c.flows[k] = f
		ep.flows++
	}
	f.lastSeen = now
	f.cookie = g.FlowCookie
	f.gwlb = from
	if src == f.initiator {
		f.pktsAB++
		f.bytesAB += uint64(in.TotalLen)
	} else {
		f.pktsBA++
		f.bytesBA += uint64(in.TotalLen)
	}
	if reason != "" {
		f.dropped++
	}
}

// sendFailed moves a datagram counted as returned to the send errors.
func (c *counters) sendFailed(n int, g *packet.Geneve) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.returned--
	c.bytesOut -= uint64(n)
	c.drops[DropSendError]++
	if g != nil {
		if ep := c.endpoints[g.EndpointID]; ep != nil {
			ep.returned--
			ep.dropped++
		}
	}
}

// expire forgets flows idle since before cutoff.
func (c *counters) expire(cutoff time.Time) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for k, f := range c.flows {
		if f.lastSeen.Before(cutoff) {
			delete(c.flows, k)
			if ep := c.endpoints[k.endpoint]; ep != nil {
				ep.flows--
			}
			n++
		}
	}
	return n
}

// Stats is the JSON document served at GET /stats.
type Stats struct {
	Listen  string `json:"listen"`
	Healthy bool   `json:"healthy"`
	// Route is true when the appliance routes (Config.Route).
	Route         bool              `json:"route"`
	UptimeSeconds float64           `json:"uptime_seconds"`
	Rules         []string          `json:"drop_rules"`
	Received      uint64            `json:"received_packets"`
	ReceivedBytes uint64            `json:"received_bytes"`
	Returned      uint64            `json:"returned_packets"`
	ReturnedBytes uint64            `json:"returned_bytes"`
	Dropped       uint64            `json:"dropped_packets"`
	Drops         map[string]uint64 `json:"drops"`
	RuleHits      map[string]uint64 `json:"rule_hits"`
	ActiveFlows   int               `json:"active_flows"`
	Untracked     uint64            `json:"untracked_packets"`
	// SocketReceiveDrops counts datagrams the kernel dropped before the
	// appliance read them (receive buffer full); raise net.core.rmem_max
	// or --workers when it grows.
	SocketReceiveDrops uint32          `json:"socket_receive_drops"`
	Endpoints          []EndpointStats `json:"endpoints"`
	Flows              []FlowStats     `json:"flows"`
}

// EndpointStats counts the traffic of one gateway load balancer endpoint.
type EndpointStats struct {
	EndpointID   string `json:"endpoint_id"`
	AttachmentID string `json:"attachment_id"`
	Packets      uint64 `json:"packets"`
	Bytes        uint64 `json:"bytes"`
	Returned     uint64 `json:"returned_packets"`
	Dropped      uint64 `json:"dropped_packets"`
	ActiveFlows  int    `json:"active_flows"`
}

// FlowStats counts one flow in both directions. A is the source of the
// first packet seen (usually the client), B the other end; bytes are inner
// IP bytes.
type FlowStats struct {
	EndpointID string    `json:"endpoint_id"`
	Protocol   uint8     `json:"protocol"`
	A          string    `json:"a"`
	B          string    `json:"b"`
	PacketsAB  uint64    `json:"packets_a_to_b"`
	PacketsBA  uint64    `json:"packets_b_to_a"`
	BytesAB    uint64    `json:"bytes_a_to_b"`
	BytesBA    uint64    `json:"bytes_b_to_a"`
	Dropped    uint64    `json:"dropped_packets"`
	FlowCookie string    `json:"flow_cookie"`
	GWLB       string    `json:"gwlb"`
	FirstSeen  time.Time `json:"first_seen"`
	LastSeen   time.Time `json:"last_seen"`
}

// snapshot copies the counters; at most maxFlows flows, most recent first
// (negative: all).
func (c *counters) snapshot(maxFlows int) Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := Stats{
		Received: c.received, ReceivedBytes: c.bytesIn, Returned: c.returned, ReturnedBytes: c.bytesOut,
		Drops: map[string]uint64{}, RuleHits: map[string]uint64{}, ActiveFlows: len(c.flows), Untracked: c.untracked,
		Endpoints: []EndpointStats{}, Flows: []FlowStats{},
	}
	for k, v := range c.drops {
		s.Drops[k] = v
		s.Dropped += v
	}
	for k, v := range c.ruleHits {
		s.RuleHits[k] = v
	}
	for id, e := range c.endpoints {
		s.Endpoints = append(s.Endpoints, EndpointStats{EndpointID: engine.FormatEndpointID(id), AttachmentID: fmt.Sprintf("%#x", e.attachment),
			Packets: e.packets, Bytes: e.bytes, Returned: e.returned, Dropped: e.dropped, ActiveFlows: e.flows})
	}
	sort.Slice(s.Endpoints, func(i, j int) bool { return s.Endpoints[i].EndpointID < s.Endpoints[j].EndpointID })
	if maxFlows != 0 {
		for _, f := range c.flows {
			s.Flows = append(s.Flows, FlowStats{EndpointID: engine.FormatEndpointID(f.endpoint), Protocol: f.proto,
				A: f.initiator.String(), B: f.responder.String(), PacketsAB: f.pktsAB, PacketsBA: f.pktsBA,
				BytesAB: f.bytesAB, BytesBA: f.bytesBA, Dropped: f.dropped, FlowCookie: fmt.Sprintf("%#08x", f.cookie),
				GWLB: f.gwlb.String(), FirstSeen: f.firstSeen, LastSeen: f.lastSeen})
		}
		sort.Slice(s.Flows, func(i, j int) bool {
			if !s.Flows[i].LastSeen.Equal(s.Flows[j].LastSeen) {
				return s.Flows[i].LastSeen.After(s.Flows[j].LastSeen)
			}
			return s.Flows[i].A+s.Flows[i].B < s.Flows[j].A+s.Flows[j].B
		})
		if maxFlows > 0 && len(s.Flows) > maxFlows {
			s.Flows = s.Flows[:maxFlows]
		}
	}
	return s
}
