package engine

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"slices"
)

// The snapshot side of routed endpoints: NewConfig validates each routed
// port and builds, per port, its route tables (connected prefixes and
// Routes, longest prefix first, one table per family) and a hash table of
// its link's neighbours (Config.Neighbors), so the per-packet lookups
// touch a few cache lines and allocate nothing.

// addr128 is an IPv6 address, or an IPv4-mapped one (::ffff:a.b.c.d, the
// form packet.Inner keeps IPv4 addresses in), as two big-endian words.
type addr128 struct{ hi, lo uint64 }

func load128(a *[16]byte) addr128 {
	return addr128{binary.BigEndian.Uint64(a[:8]), binary.BigEndian.Uint64(a[8:])}
}

func addrOf(a netip.Addr) addr128 {
	b := a.As16()
	return load128(&b)
}

func (a addr128) and(m addr128) addr128 { return addr128{a.hi & m.hi, a.lo & m.lo} }

func (a addr128) addr() netip.Addr {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], a.hi)
	binary.BigEndian.PutUint64(b[8:], a.lo)
	return netip.AddrFrom16(b).Unmap()
}

// mask128 is the mask of the first bits bits of a 128-bit address.
func mask128(bits int) addr128 {
	switch {
	case bits <= 0:
		return addr128{}
	case bits < 64:
		return addr128{^uint64(0) << (64 - bits), 0}
	case bits < 128:
		return addr128{^uint64(0), ^uint64(0) << (128 - bits)}
	}
	return addr128{^uint64(0), ^uint64(0)}
}

// prefixBits128 is p's length in the 128-bit space of addr128 (an IPv4
// prefix is IPv4-mapped: 96 bits more).
func prefixBits128(p netip.Prefix) int {
	if p.Addr().Is4() {
		return p.Bits() + 96
	}
	return p.Bits()
}

// route is one entry of a routed port's route table.
type route struct {
	pfx, mask addr128
	via       addr128 // next hop, unless onLink
	onLink    bool
	v4        bool
	bits      int // 128-bit prefix length (sorting only)
}

// lookupRoute returns the first (longest) route of rs containing dst.
func lookupRoute(rs []route, dst addr128) *route {
	for i := range rs {
		r := &rs[i]
		if dst.and(r.mask) == r.pfx {
			return r
		}
	}
	return nil
}

// neighborSlot is one entry of a neighbour table; a zero mac marks an
// empty slot (unresolved neighbours are not stored).
type neighborSlot struct {
	key addr128
	mac [6]byte
}

// neighborTable maps a link's addresses to MACs: open addressing, linear
// probing, at most half full.
type neighborTable struct {
	slots []neighborSlot
	shift uint8
}

func (t *neighborTable) home(k addr128) uint32 {
	return uint32(((k.lo ^ k.hi*0xff51afd7ed558ccd) * 0x9e3779b97f4a7c15) >> t.shift)
}

func newNeighborTable(n int) neighborTable {
	size, bits := 4, 2
	for size < 2*n {
		size, bits = size*2, bits+1
	}
	return neighborTable{slots: make([]neighborSlot, size), shift: uint8(64 - bits)}
}

// put adds or replaces k's MAC.
func (t *neighborTable) put(k addr128, mac [6]byte) {
	m := uint32(len(t.slots) - 1)
	for i := t.home(k); ; i = (i + 1) & m {
		s := &t.slots[i]
		if s.mac == ([6]byte{}) || s.key == k {
			s.key, s.mac = k, mac
			return
		}
	}
}

// lookup returns k's MAC.
func (t *neighborTable) lookup(k addr128) ([6]byte, bool) {
	if len(t.slots) == 0 {
		return [6]byte{}, false
	}
	m := uint32(len(t.slots) - 1)
	for i := t.home(k); ; i = (i + 1) & m {
		s := &t.slots[i]
		if s.mac == ([6]byte{}) {
			return [6]byte{}, false
		}
		if s.key == k {
			return s.mac, true
		}
	}
}

// routedPort is what the fast path needs of a routed port (Config.routed,
// by port index).
type routedPort struct {
	ok      bool // the port is routed
	ep      int
	mac     [6]byte
	ip4     [4]byte  // Address
	addr4   [16]byte // Address, IPv4-mapped
	bcast4  [16]byte // the prefix's directed broadcast (addr4 for /31)
	addr6   [16]byte // Address6 (zero without one)
	has6    bool
	mtu     int
	routes4 []route // longest prefix first, the connected prefix included
	routes6 []route
	neigh   neighborTable
}

// checkRouted validates routed port i and returns its run-time form;
// problems are reported through add.
func checkRouted(i int, p *Port, nEndpoints int, add func(string, ...any)) routedPort {
	name := fmt.Sprintf("port %d (%s)", i, p.Name)
	rp := routedPort{ok: true, ep: p.Endpoint, mac: p.MAC, mtu: p.MTU}
	if p.Endpoint < 0 || p.Endpoint >= nEndpoints {
		add("%s: endpoint index %d out of range (%d endpoints)", name, p.Endpoint, nEndpoints)
	}
	if p.MAC == [6]byte{} || p.MAC[0]&1 != 0 {
		add("%s: routed port needs its unicast MAC, got %x", name, p.MAC)
	}
	a := p.Address
	switch {
	case !a.IsValid() || !a.Addr().Is4():
		add("%s: routed port needs the endpoint's IPv4 address/prefix on its subnet, got %v", name, a)
		a = netip.Prefix{}
	case a.Bits() == 0 || a.Bits() == 32:
		add("%s: routed address %v: the prefix must be /1 to /31 (the endpoint's subnet, on-link)", name, a)
	case !unicastHost(a):
		add("%s: routed address %v is not a unicast host address of its prefix", name, a)
	}
	if a.IsValid() {
		rp.ip4 = a.Addr().As4()
		rp.addr4 = a.Addr().As16()
		rp.bcast4 = rp.addr4
		if a.Bits() <= 30 {
			b := addrOf(a.Addr())
			b.lo |= ^mask128(prefixBits128(a)).lo
			bc := b.addr().As16()
			rp.bcast4 = bc
		}
	}
	a6 := p.Address6
	if a6.IsValid() {
		switch {
		case !a6.Addr().Is6() || a6.Addr().Is4In6():
			add("%s: routed IPv6 address %v is not an IPv6 address/prefix", name, a6)
			a6 = netip.Prefix{}
		case a6.Bits() == 0 || a6.Bits() == 128:
			add("%s: routed IPv6 address %v: the prefix must be /1 to /127 (the endpoint's subnet, on-link)", name, a6)
		case a6.Addr().IsMulticast() || a6.Addr().IsLinkLocalUnicast() || a6.Addr().IsUnspecified() || a6.Addr().IsLoopback():
			add("%s: routed IPv6 address %v must be a global or unique-local unicast address (the link-local one is the TAP's own)", name, a6)
		}
	}
	if a6.IsValid() {
		rp.has6 = true
		rp.addr6 = a6.Addr().As16()
	}
	minMTU := MinEndpointMTU
	if rp.has6 {
		minMTU = minIPv6MTU
	}
	if p.MTU != 0 && (p.MTU < minMTU || p.MTU > maxApplianceMTU) {
		add("%s: MTU %d: must be %d-%d (0: no limit beyond the inner MTU)", name, p.MTU, minMTU, maxApplianceMTU)
	}
	if len(p.Routes) > MaxRoutes {
		add("%s: %d routes: at most %d are supported", name, len(p.Routes), MaxRoutes)
	}

	onLink := func(via netip.Addr) bool {
		if via.Is4() {
			return a.IsValid() && a.Contains(via)
		}
		return via.IsLinkLocalUnicast() || (a6.IsValid() && a6.Contains(via))
	}
	seen := map[netip.Prefix]bool{}
	var rs []route
	connected := func(pfx netip.Prefix) {
		seen[pfx.Masked()] = true
		rs = append(rs, newRoute(pfx.Masked(), netip.Addr{}))
	}
	if a.IsValid() {
		connected(a)
	}
	if a6.IsValid() {
		connected(a6)
	}
	for j, r := range p.Routes {
		rn := fmt.Sprintf("%s: route %d (%v via %v)", name, j, r.Dst, r.Via)
		switch {
		case !r.Dst.IsValid() || r.Dst.Addr().Is4In6():
			add("%s: the destination is not an IPv4 or IPv6 prefix", rn)
			continue
		case r.Dst != r.Dst.Masked():
			add("%s: the destination has host bits set; did you mean %v?", rn, r.Dst.Masked())
			continue
		case seen[r.Dst]:
			add("%s: the destination repeats another route or a connected prefix", rn)
			continue
		}
		seen[r.Dst] = true
		if r.Via.IsValid() {
			switch {
			case r.Via.Is4() != r.Dst.Addr().Is4() || r.Via.Is4In6():
				add("%s: the next hop is not of the destination's family", rn)
				continue
			case !onLink(r.Via):
				add("%s: the next hop is not on the port's link: it must be inside %v (IPv4), or inside the IPv6 prefix or link-local (IPv6)", rn, a)
				continue
			case r.Via == a.Addr() || (a6.IsValid() && r.Via == a6.Addr()):
				add("%s: the next hop is the endpoint's own address", rn)
				continue
			}
		}
		rs = append(rs, newRoute(r.Dst, r.Via))
	}
	// Longest prefix first: the first match is the longest.
	slices.SortStableFunc(rs, func(x, y route) int { return cmp.Compare(y.bits, x.bits) })
	for _, r := range rs {
		if r.v4 {
			rp.routes4 = append(rp.routes4, r)
		} else {
			rp.routes6 = append(rp.routes6, r)
		}
	}
	return rp
}

func newRoute(dst netip.Prefix, via netip.Addr) route {
	bits := prefixBits128(dst)
	r := route{pfx: addrOf(dst.Addr()), mask: mask128(bits), bits: bits, onLink: !via.IsValid(), v4: dst.Addr().Is4()}
	r.pfx = r.pfx.and(r.mask)
	if via.IsValid() {
		r.via = addrOf(via)
	}
	return r
}

// unicastHost reports whether p's address is a unicast host of an IPv4
// prefix: not zero, multicast, broadcast or loopback, and (below /31) not
// the prefix's network or broadcast address.
func unicastHost(p netip.Prefix) bool {
	ip := p.Addr()
	if ip.IsUnspecified() || ip.IsMulticast() || ip.IsLoopback() || ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return false
	}
	if p.Bits() <= 30 {
		a := addrOf(ip)
		host := a.lo &^ mask128(prefixBits128(p)).lo
		return host != 0 && host != ^mask128(prefixBits128(p)).lo
	}
	return true
}

// buildNeighbors fills each routed port's neighbour table from ns;
// problems are reported through add.
func buildNeighbors(routed []routedPort, ns []Neighbor, add func(string, ...any)) {
	if len(ns) > MaxNeighbors {
		add("%d neighbours: at most %d are supported", len(ns), MaxNeighbors)
		return
	}
	count := make([]int, len(routed))
	for i, n := range ns {
		if n.Port < 0 || n.Port >= len(routed) || !routed[n.Port].ok {
			add("neighbour %d (%v): port %d is not a routed port", i, n.IP, n.Port)
			continue
		}
		if !n.IP.IsValid() || n.IP.Is4In6() {
			add("neighbour %d: address %v is not an IPv4 or IPv6 address", i, n.IP)
			continue
		}
		if n.MAC != ([6]byte{}) && n.MAC[0]&1 != 0 {
			add("neighbour %d (%v): MAC %x is not unicast", i, n.IP, n.MAC)
			continue
		}
		count[n.Port]++
	}
	for i := range routed {
		if routed[i].ok {
			routed[i].neigh = newNeighborTable(count[i])
		}
	}
	for _, n := range ns {
		if n.Port < 0 || n.Port >= len(routed) || !routed[n.Port].ok || !n.IP.IsValid() || n.IP.Is4In6() ||
			n.MAC == ([6]byte{}) || n.MAC[0]&1 != 0 {
			continue // unresolved, or reported above
		}
		routed[n.Port].neigh.put(addrOf(n.IP), n.MAC)
	}
}

// WithNeighbors returns a copy of c whose routed ports' neighbour tables
// are built from ns instead of c.Neighbors: what serve publishes when only
// neighbours changed (the kernel resolved a next hop), without rebuilding
// the balance tables. c is not modified.
func (c *Config) WithNeighbors(ns []Neighbor) (*Config, error) {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	n := *c
	n.Neighbors = ns
	n.routed = slices.Clone(c.routed)
	buildNeighbors(n.routed, ns, add)
	if len(errs) > 0 {
		return nil, fmt.Errorf("invalid data-plane config: %w", errors.Join(errs...))
	}
	return &n, nil
}

// RouteFor returns the next hop a packet from a routed port's endpoint
// to dst takes after the appliance (dst itself when on-link), and false
// when no route contains dst or port is not routed: the lookup the fast
// path does, for tests, the node API and the command line.
func (c *Config) RouteFor(port int, dst netip.Addr) (netip.Addr, bool) {
	if port < 0 || port >= len(c.routed) || !c.routed[port].ok || !dst.IsValid() {
		return netip.Addr{}, false
	}
	rp := &c.routed[port]
	rs := rp.routes6
	if dst.Unmap().Is4() {
		rs = rp.routes4
	}
	d := addrOf(dst)
	r := lookupRoute(rs, d)
	if r == nil {
		return netip.Addr{}, false
	}
	if r.onLink {
		return d.addr(), true
	}
	return r.via.addr(), true
}
