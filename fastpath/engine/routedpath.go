package engine

import (
	"encoding/binary"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/gwlbctl/gwlbctl/fastpath/packet"
)

// The data path of routed endpoints. A routed port is one end of a
// consumer subnet with the endpoint's own addresses, the next hop consumer
// route tables point at:
//
//   - classifyRouted (stage 1): ARP for the endpoint's address, neighbour
//     discovery, and IP packets for its own addresses, the subnet's
//     broadcast, multicast or IPv6 link-local destinations go to the
//     kernel through the port's exception TAP (it answers ARP, ND and
//     ping). Frames for another MAC, VLAN-tagged frames, other EtherTypes
//     and link-layer broadcasts carrying someone else's packet are not the
//     endpoint's (not_for_us). Every other IP packet is the endpoint's
//     traffic, keyed and encapsulated exactly as a bump side's.
//   - routeOut (after decap): the packet follows the longest route that
//     contains its destination (no_route without one) to its next hop,
//     the route's router or, on-link, the destination itself; the frame
//     gets the port's MAC as source and the next hop's MAC from the
//     snapshot's neighbours (no_neighbor without one: the next hop is
//     reported by EndpointNeighborMisses so the node can ask the kernel
//     to resolve it). A next hop equal to the packet's source address is
//     a loop (the sender routes the destination through the endpoint,
//     which routes it back through the sender) and is dropped
//     (route_loop). Sending a packet back to the router it came from is
//     not a loop in itself (the router may route by the link a packet
//     arrives on, as AWS's edge and per-subnet route tables do) and is
//     allowed; a router that sends it back again makes a loop that only
//     its own TTL decrement ends.
//
// TTL and hop limit are left unchanged in both directions: AWS describes
// GWLB as a transparent network gateway, and documents no decrement.

var broadcastMAC = packet.MAC{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// classifyRouted handles stage 1 of a frame from a routed port.
func (w *Worker) classifyRouted(cfg *Config, p *Packet, i int, port *Port) {
	epIdx := port.Endpoint
	rp := &cfg.routed[p.Port]
	frame := p.Buf[p.Off : p.Off+p.Len]
	it := &w.enc[w.nEnc]
	if packet.ParseEthernet(frame, &it.eth) != nil {
		w.dropEndpoint(p, ReasonMalformed, epIdx)
		return
	}
	group := it.eth.Dst[0]&1 != 0
	if (!group && it.eth.Dst != rp.mac) || it.eth.HasVLAN {
		w.dropEndpoint(p, ReasonNotForUs, epIdx)
		return
	}
	var version uint8
	switch it.eth.EtherType {
	case packet.EtherTypeIPv4:
		version = 4
	case packet.EtherTypeIPv6:
		version = 6
	case packet.EtherTypeARP:
		// Requests for the endpoint's address, replies to it (the
		// kernel's own resolutions) and broadcasts (gratuitous ARP).
		if packet.ParseARP(frame[it.eth.HeaderLen:], &w.arp) == nil && (w.arp.TargetIP == rp.ip4 || it.eth.Dst == broadcastMAC) {
			w.exception(p)
			return
		}
		w.dropEndpoint(p, ReasonNotForUs, epIdx)
		return
	default:
		w.dropEndpoint(p, ReasonNotForUs, epIdx)
		return
	}
	ip := frame[it.eth.HeaderLen:]
	in := &it.inner
	if packet.ParseL3(ip, in) != nil || in.Version != version {
		w.dropEndpoint(p, ReasonMalformed, epIdx)
		return
	}
	if rp.forKernel(in, ip) {
		w.exception(p)
		return
	}
	if group {
		// A router forwards only frames sent to its own MAC.
		w.dropEndpoint(p, ReasonNotForUs, epIdx)
		return
	}
	ep := &cfg.Endpoints[epIdx]
	if ep.State != EndpointAvailable {
		w.dropEndpoint(p, ReasonEndpointNotAvailable, epIdx)
		return
	}
	w.queueEncap(cfg, p, i, epIdx, ep.ID)
}

// forKernel reports whether an IP packet received on the routed port is
// for the endpoint's host side rather than its traffic: addressed to one
// of its addresses, to the IPv4 subnet's or the limited broadcast, to a
// multicast group, to an IPv6 link-local address (never forwarded, RFC
// 4291), or neighbour discovery.
func (rp *routedPort) forKernel(in *packet.Inner, ip []byte) bool {
	d := &in.Dst
	if in.Version == 4 {
		return *d == rp.addr4 || *d == rp.bcast4 || d[12]&0xf0 == 0xe0 ||
			(d[12] == 0xff && d[13] == 0xff && d[14] == 0xff && d[15] == 0xff)
	}
	return (rp.has6 && *d == rp.addr6) || d[0] == 0xff || (d[0] == 0xfe && d[1]&0xc0 == 0x80) ||
		(in.Protocol == packet.ProtoICMPv6 && packet.IsNeighborDiscovery(ip, in))
}

// routeOut sends a decapsulated inner packet (in, parsed from
// Buf[innerStart:innerStart+innerLen]) of endpoint epIdx out of routed
// port out towards its next hop, or drops it; it reports whether it was
// sent.
func (w *Worker) routeOut(cfg *Config, p *Packet, epIdx int, out uint16, in *packet.Inner, innerStart, innerLen int, etype uint16) bool {
	rp := &cfg.routed[out]
	rs := rp.routes6
	if in.Version == 4 {
		rs = rp.routes4
	}
	dst := load128(&in.Dst)
	r := lookupRoute(rs, dst)
	if r == nil {
		w.dropEndpoint(p, ReasonNoRoute, epIdx)
		return false
	}
	hop := r.via
	if r.onLink {
		hop = dst
	}
	if hop == load128(&in.Src) {
		w.dropEndpoint(p, ReasonRouteLoop, epIdx)
		return false
	}
	mac, ok := rp.neigh.lookup(hop)
	if !ok {
		w.dropEndpoint(p, ReasonNoNeighbor, epIdx)
		w.c.endpoints[epIdx].NoNeighbor++
		w.misses.note(out, hop, w.lastNow)
		return false
	}
	off := innerStart - packet.EthernetHeaderLen
	b := p.Buf[off:innerStart:innerStart]
	copy(b[packet.EthernetDstOffset:packet.EthernetSrcOffset], mac[:])
	copy(b[packet.EthernetSrcOffset:packet.EthernetTypeOffset], rp.mac[:])
	binary.BigEndian.PutUint16(b[packet.EthernetTypeOffset:], etype)
	p.Off, p.Len = off, packet.EthernetHeaderLen+innerLen
	p.Verdict, p.Out = Forward, out
	return true
}

// NeighborMiss is a next hop on a routed port's link that a packet needed
// and the snapshot had no MAC for.
type NeighborMiss struct {
	Port int // index into Config.Ports
	IP   netip.Addr
}

// The miss ring: the worker writes, any goroutine reads (one at a time).
// A next hop is reported about once per missRepeat of the engine clock
// while it stays unresolved (a small direct-mapped cache of recent
// reports: with many unresolved next hops some are reported more often),
// so one unresolved next hop under load does not fill the ring. A miss
// that finds the ring full is not remembered: the next packet needing
// that next hop reports it once a reader has made room.
const (
	missRingLen = 64
	missSeenLen = 256
	missRepeat  = int64(1e9)
)

type missEntry struct {
	port uint16
	addr addr128
}

type endpointMisses struct {
	ring [missRingLen]missEntry
	head atomic.Uint32 // next slot the worker writes
	tail atomic.Uint32 // next slot a reader reads
	mu   sync.Mutex    // serialises readers
	// seen is the worker's own memory of recent reports (direct-mapped).
	seen [missSeenLen]struct {
		missEntry
		at    int64
		valid bool
	}
}

// note reports next hop a of port, unless it was reported within
// missRepeat. Worker only.
func (m *endpointMisses) note(port uint16, a addr128, now int64) {
	s := &m.seen[uint32((a.lo^a.hi)*0x9e3779b97f4a7c15>>56)&(missSeenLen-1)]
	if s.valid && s.port == port && s.addr == a && now-s.at < missRepeat && now >= s.at {
		return
	}
	h := m.head.Load()
	if h-m.tail.Load() >= missRingLen {
		return
	}
	m.ring[h%missRingLen] = missEntry{port: port, addr: a}
	m.head.Store(h + 1)
	s.missEntry, s.at, s.valid = missEntry{port: port, addr: a}, now, true
}

// EndpointNeighborMisses appends to dst the next hops of routed ports
// (routers and on-link destinations) that packets needed and the snapshot
// had no MAC for since the last call; each is reported again about once a
// second while it stays unresolved. Safe from any goroutine. The node then
// asks the kernel to resolve them through the port's exception TAP
// (ARP, neighbour solicitation) and publishes the MACs it learns as
// Config.Neighbors (Config.WithNeighbors).
func (w *Worker) EndpointNeighborMisses(dst []NeighborMiss) []NeighborMiss {
	m := &w.misses
	m.mu.Lock()
	defer m.mu.Unlock()
	t, h := m.tail.Load(), m.head.Load()
	for ; t != h; t++ {
		e := m.ring[t%missRingLen]
		dst = append(dst, NeighborMiss{Port: int(e.port), IP: e.addr.addr()})
	}
	m.tail.Store(h)
	return dst
}
