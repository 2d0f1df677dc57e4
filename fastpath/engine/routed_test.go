package engine

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// encapRouted sends frame into the routed port and returns the
// encapsulated packet (failing unless it went to the appliance port).
func encapRouted(t *testing.T, w *Worker, frame []byte, now int64) []byte {
	t.Helper()
	p := process(w, frame, routedPortIdx, now)
	if p.Verdict != Forward || p.Out != 0 {
		t.Fatalf("from the routed port: verdict %v out %d, want forward to the appliance (drops %v)", p.Verdict, p.Out, w.c.totals.Drops)
	}
	return append([]byte(nil), frameOf(&p)...)
}

// TestRoutedRoundTrip: traffic routed to the endpoint is encapsulated
// with the routed endpoint's options, returns go to the next hop the
// endpoint's routes give (router, second router, on-link host; IPv4 and
// IPv6), with the port's MAC as source; TTL and hop limit are untouched;
// both directions of a flow use one target and one cookie.
func TestRoutedRoundTrip(t *testing.T) {
	cfg := routedConfig(t, nil)
	w, _ := newTestWorker(t, cfg, 1024)
	now := int64(1e12)
	for _, c := range []struct {
		name     string
		src, dst netip.Addr
		fromMAC  [6]byte
		wantMAC  [6]byte // next hop of the forward direction
		backMAC  [6]byte // next hop of the reply
	}{
		{"internet to app via the router", internet4, app4, routerMAC, routerMAC, routerMAC},
		{"internet to an on-link host", internet4, host4, routerMAC, hostMAC, routerMAC},
		{"on-link host to the far network", host4, far4, hostMAC, router2MAC, hostMAC},
		{"ipv6 internet to an on-link host", internet6, host6, routerMAC, hostMAC, routerMAC},
		{"ipv6 on-link host to the internet", host6, internet6, hostMAC, routerMAC, hostMAC},
	} {
		t.Run(c.name, func(t *testing.T) {
			fwd := ipPacket(c.src, c.dst, l4{proto: 6, sport: 40000, dport: 443, flags: tcpSYN, payload: payload})
			in := ipEther(routedMAC, c.fromMAC, 0, fwd)
			enc := encapRouted(t, w, in, now)
			g := enc[42:]
			if binary.BigEndian.Uint64(g[12:]) != routedEP || binary.BigEndian.Uint64(g[24:]) != routedAttach {
				t.Fatalf("Geneve options %x: want the routed endpoint's ids", g[:40])
			}
			if !bytes.Equal(enc[82:], fwd) {
				t.Fatal("inner packet changed by encapsulation (TTL must stay)")
			}
			r := process(w, applianceReply(enc, false), 0, now)
			want := ipEther(c.wantMAC, routedMAC, 0, fwd)
			if r.Verdict != Forward || r.Out != routedPortIdx || !bytes.Equal(frameOf(&r), want) {
				t.Fatalf("return: verdict %v out %d\n got %x\nwant %x (drops %v)", r.Verdict, r.Out, frameOf(&r), want, w.c.totals.Drops)
			}
			back := ipPacket(c.dst, c.src, l4{proto: 6, sport: 443, dport: 40000, flags: tcpSYN | tcpACK, payload: payload})
			enc2 := encapRouted(t, w, ipEther(routedMAC, c.wantMAC, 0, back), now)
			if enc2[33] != enc[33] || !bytes.Equal(enc2[42+36:42+40], enc[42+36:42+40]) || !bytes.Equal(enc2[34:36], enc[34:36]) {
				t.Fatal("the reply must reach the same target with the same cookie and source port")
			}
			r2 := process(w, applianceReply(enc2, false), 0, now)
			if want := ipEther(c.backMAC, routedMAC, 0, back); r2.Verdict != Forward || r2.Out != routedPortIdx || !bytes.Equal(frameOf(&r2), want) {
				t.Fatalf("reply return: verdict %v out %d\n got %x\nwant %x", r2.Verdict, r2.Out, frameOf(&r2), want)
			}
		})
	}
	w.Flush(now)
	st := w.Stats()
	if st.TotalDrops() != 0 || st.Totals.NewFlows != 5 || st.Endpoints[1].InPkts != 10 || st.Endpoints[1].OutPkts != 10 {
		t.Fatalf("stats %+v endpoints %+v", st.Totals, st.Endpoints)
	}
}

// TestRoutedTTLUntouched: a packet with TTL (hop limit) 1 crosses the
// routed endpoint both ways unchanged: GWLB is transparent.
func TestRoutedTTLUntouched(t *testing.T) {
	w, _ := newTestWorker(t, routedConfig(t, nil), 256)
	for _, ip := range [][]byte{
		withTTL(ipPacket(internet4, app4, l4{proto: 17, sport: 1, dport: 2, payload: payload}), 1),
		withTTL(ipPacket(internet6, host6, l4{proto: 17, sport: 1, dport: 2, payload: payload}), 1),
	} {
		enc := encapRouted(t, w, fromRouter(ip), 1e9)
		r := process(w, applianceReply(enc, false), 0, 1e9)
		if r.Verdict != Forward || !bytes.Equal(frameOf(&r)[14:], ip) {
			t.Fatalf("TTL-1 packet: verdict %v, inner %x want %x", r.Verdict, frameOf(&r)[14:], ip)
		}
	}
}

// TestRoutedMixedWithBump: a bump endpoint and a routed endpoint on one
// node keep their flows apart and each leaves its own way.
func TestRoutedMixedWithBump(t *testing.T) {
	w, _ := newTestWorker(t, routedConfig(t, nil), 256)
	syn := ipEther(serverMAC, clientMAC, 0, ipPacket(clientIP, serverIP, l4{proto: 6, sport: 40000, dport: 443, flags: tcpSYN}))
	p := process(w, syn, 1, 1e9)
	if p.Verdict != Forward || p.Out != 0 {
		t.Fatalf("bump side A: %v %d", p.Verdict, p.Out)
	}
	r := process(w, applianceReply(frameOf(&p), false), 0, 1e9)
	if r.Verdict != Forward || r.Out != 2 || !bytes.Equal(frameOf(&r), syn) {
		t.Fatalf("bump return: %v out %d", r.Verdict, r.Out)
	}
	// The same tuple through the routed endpoint is another flow.
	rsyn := fromRouter(ipPacket(clientIP, serverIP, l4{proto: 6, sport: 40000, dport: 443, flags: tcpSYN}))
	enc := encapRouted(t, w, rsyn, 1e9)
	if binary.BigEndian.Uint64(enc[42+12:]) != routedEP {
		t.Fatal("routed packet carries the bump endpoint's id")
	}
	rr := process(w, applianceReply(enc, false), 0, 1e9)
	if rr.Verdict != Forward || rr.Out != routedPortIdx {
		t.Fatalf("routed return: %v out %d (drops %v)", rr.Verdict, rr.Out, w.c.totals.Drops)
	}
	if w.table.Len() != 2 {
		t.Fatalf("%d flows, want 2 (one per endpoint)", w.table.Len())
	}
}

// TestRoutedClassifier: what a routed port hands to the kernel, drops or
// takes as the endpoint's traffic.
func TestRoutedClassifier(t *testing.T) {
	me4, me6 := routedAddr.Addr(), routedAddr6.Addr()
	sn, snMAC := solicitedNode(me6)
	tgt := me6.As16()
	ns := ndMessage(netip.MustParseAddr("fe80::1"), sn, 135, 255, append(append(make([]byte, 4), tgt[:]...), llOption(1, routerMAC)...), false)
	arpReply := arpRequest(routerMAC, router4, me4)
	arpReply[0], arpReply[1], arpReply[2], arpReply[3], arpReply[4], arpReply[5] = routedMAC[0], routedMAC[1], routedMAC[2], routedMAC[3], routedMAC[4], routedMAC[5]
	arpReply[14+7] = 2
	arpOther := arpRequest(routerMAC, router4, host4)
	arpOtherUnicast := append([]byte(nil), arpOther...)
	copy(arpOtherUnicast[0:6], routedMAC[:])
	ping := func(dst netip.Addr) []byte {
		if dst.Is4() {
			return ipPacket(host4, dst, l4{proto: 1, icmpTyp: 8, icmpID: 9, payload: payload})
		}
		return ipPacket(host6, dst, l4{proto: 58, icmpTyp: 128, icmpID: 9, payload: payload})
	}
	other := [6]byte{0x02, 0x77, 0, 0, 0, 1}
	exception, traffic := Verdict(Exception), Verdict(Forward)
	cases := []struct {
		name  string
		frame []byte
		want  Verdict
		why   Reason
	}{
		{"arp request for the endpoint", arpRequest(routerMAC, router4, me4), exception, 0},
		{"arp reply to the endpoint", arpReply, exception, 0},
		{"broadcast arp for another host", arpOther, exception, 0},
		{"unicast arp for another host", arpOtherUnicast, Drop, ReasonNotForUs},
		{"ping the endpoint", ipEther(routedMAC, hostMAC, 0, ping(me4)), exception, 0},
		{"ping6 the endpoint", ipEther(routedMAC, hostMAC, 0, ping(me6)), exception, 0},
		{"neighbour solicitation", ipEther(snMAC, routerMAC, 0, ns), exception, 0},
		{"ping6 a link-local address", ipEther(routedMAC, hostMAC, 0, ping(netip.MustParseAddr("fe80::e0:10"))), exception, 0},
		{"subnet broadcast", ipEther(broadcastMAC, hostMAC, 0, ipPacket(host4, netip.MustParseAddr("10.20.0.255"), l4{proto: 17, sport: 1, dport: 2})), exception, 0},
		{"limited broadcast", ipEther(broadcastMAC, hostMAC, 0, ipPacket(host4, netip.MustParseAddr("255.255.255.255"), l4{proto: 17, sport: 68, dport: 67})), exception, 0},
		{"multicast", ipEther([6]byte{1, 0, 0x5e, 0, 0, 0xfb}, hostMAC, 0, ipPacket(host4, netip.MustParseAddr("224.0.0.251"), l4{proto: 17, sport: 5353, dport: 5353})), exception, 0},
		{"traffic to another subnet", fromRouter(ping(app4)), traffic, 0},
		{"ipv6 traffic", fromRouter(ping(internet6)), traffic, 0},
		{"frame for another MAC", ipEther(other, routerMAC, 0, ping(app4)), Drop, ReasonNotForUs},
		{"vlan tagged", ipEther(routedMAC, routerMAC, 7, ping(app4)), Drop, ReasonNotForUs},
		{"broadcast frame with a unicast packet", ipEther(broadcastMAC, routerMAC, 0, ping(app4)), Drop, ReasonNotForUs},
		{"lldp", ether([6]byte{1, 0x80, 0xc2, 0, 0, 0x0e}, routerMAC, 0, 0x88cc, make([]byte, 46)), Drop, ReasonNotForUs},
		{"truncated ipv4", ether(routedMAC, routerMAC, 0, 0x0800, []byte{0x45, 0}), Drop, ReasonMalformed},
		{"ipv6 in an ipv4 ethertype", ether(routedMAC, routerMAC, 0, 0x0800, ping(internet6)), Drop, ReasonMalformed},
		{"runt", []byte{1, 2, 3}, Drop, ReasonMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w, _ := newTestWorker(t, routedConfig(t, nil), 64)
			p := process(w, c.frame, routedPortIdx, 1e9)
			switch {
			case p.Verdict != c.want:
				t.Fatalf("verdict %v, want %v (drops %v)", p.Verdict, c.want, w.c.totals.Drops)
			case c.want == Exception && (p.Out != routedPortIdx || !bytes.Equal(frameOf(&p), c.frame) || w.c.totals.ExceptionPkt != 1):
				t.Fatalf("exception out %d, frame changed %v, counted %d", p.Out, !bytes.Equal(frameOf(&p), c.frame), w.c.totals.ExceptionPkt)
			case c.want == Forward && p.Out != 0:
				t.Fatalf("traffic out %d, want the appliance port", p.Out)
			case c.want == Drop && (w.c.totals.Drops[c.why] != 1 || w.c.endpoints[1].Drops != 1):
				t.Fatalf("drops %v (endpoint %d), want one %v on the routed endpoint", w.c.totals.Drops, w.c.endpoints[1].Drops, c.why)
			}
		})
	}
}

// TestRoutedEndpointNotAvailable: a pending endpoint's address still
// answers (the exception path works) but its traffic is dropped.
func TestRoutedEndpointNotAvailable(t *testing.T) {
	cfg := routedConfig(t, func(c *Config) { c.Endpoints[1].State = EndpointPendingAcceptance })
	w, _ := newTestWorker(t, cfg, 64)
	if p := process(w, arpRequest(routerMAC, router4, routedAddr.Addr()), routedPortIdx, 1e9); p.Verdict != Exception {
		t.Fatalf("ARP for a pending endpoint: %v", p.Verdict)
	}
	p := process(w, fromRouter(ipPacket(internet4, app4, l4{proto: 17, sport: 1, dport: 2})), routedPortIdx, 1e9)
	if p.Verdict != Drop || w.c.totals.Drops[ReasonEndpointNotAvailable] != 1 {
		t.Fatalf("traffic of a pending endpoint: %v (drops %v)", p.Verdict, w.c.totals.Drops)
	}
}

// TestRoutedDrops: after the appliance, a destination no route contains
// (no_route), a next hop that is the packet's own source (route_loop), a
// packet larger than the port's MTU (too_big).
func TestRoutedDrops(t *testing.T) {
	noV6Default := func(c *Config) { c.Ports[routedPortIdx].Routes = defaultRoutes()[:2] }
	mtu := func(c *Config) { c.Ports[routedPortIdx].MTU = 1280 }
	for _, c := range []struct {
		name string
		mod  func(*Config)
		ip   []byte
		want Reason
	}{
		{"ipv6 without a default route", noV6Default, ipPacket(host6, internet6, l4{proto: 17, sport: 1, dport: 2}), ReasonNoRoute},
		{"the router routes its own packet back", nil, ipPacket(router4, app4, l4{proto: 17, sport: 1, dport: 2}), ReasonRouteLoop},
		{"larger than the port MTU", mtu, ipPacket(internet4, app4, l4{proto: 17, sport: 1, dport: 2, payload: make([]byte, 1281-28)}), ReasonTooBig},
	} {
		t.Run(c.name, func(t *testing.T) {
			w, _ := newTestWorker(t, routedConfig(t, c.mod), 64)
			enc := encapRouted(t, w, fromRouter(c.ip), 1e9)
			p := process(w, applianceReply(enc, false), 0, 1e9)
			if p.Verdict != Drop || w.c.totals.Drops[c.want] != 1 || w.c.endpoints[1].Drops != 1 {
				t.Fatalf("verdict %v drops %v, want one %v on the routed endpoint", p.Verdict, w.c.totals.Drops, c.want)
			}
		})
	}
}

// TestRoutedNoNeighbor: a next hop without a MAC drops the packet as
// no_neighbor and is reported once (again only after a second while it
// stays unresolved); once the node publishes its MAC (WithNeighbors, no
// rebuild of the rest) packets flow.
func TestRoutedNoNeighbor(t *testing.T) {
	unknown := netip.MustParseAddr("10.20.0.77")
	cfg := routedConfig(t, nil)
	w, pub := newTestWorker(t, cfg, 64)
	ip := ipPacket(internet4, unknown, l4{proto: 17, sport: 5, dport: 6})
	enc := encapRouted(t, w, fromRouter(ip), 1e9)
	ret := applianceReply(enc, false)
	for i := 0; i < 3; i++ {
		if p := process(w, ret, 0, 1e9+int64(i)); p.Verdict != Drop {
			t.Fatalf("unresolved next hop: %v", p.Verdict)
		}
	}
	if d := w.c.totals.Drops[ReasonNoNeighbor]; d != 3 || w.c.endpoints[1].NoNeighbor != 3 {
		t.Fatalf("no_neighbor %d, endpoint counter %d; want 3", d, w.c.endpoints[1].NoNeighbor)
	}
	want := []NeighborMiss{{Port: routedPortIdx, IP: unknown}}
	if got := w.EndpointNeighborMisses(nil); !slices.Equal(got, want) {
		t.Fatalf("misses %v, want %v", got, want)
	}
	if got := w.EndpointNeighborMisses(nil); len(got) != 0 {
		t.Fatalf("misses reported twice: %v", got)
	}
	process(w, ret, 0, 1e9+missRepeat/2)
	if got := w.EndpointNeighborMisses(nil); len(got) != 0 {
		t.Fatalf("miss reported again within a second: %v", got)
	}
	process(w, ret, 0, 1e9+missRepeat+1)
	if got := w.EndpointNeighborMisses(nil); !slices.Equal(got, want) {
		t.Fatalf("miss not reported again after a second: %v", got)
	}
	next, err := cfg.WithNeighbors(append(defaultNeighbors(), Neighbor{Port: routedPortIdx, IP: unknown, MAC: hostMAC}))
	if err != nil {
		t.Fatal(err)
	}
	if next.Balance != cfg.Balance {
		t.Fatal("WithNeighbors rebuilt the balance tables")
	}
	pub.Store(next)
	p := process(w, ret, 0, 3e9)
	if p.Verdict != Forward || !bytes.Equal(frameOf(&p), ipEther(hostMAC, routedMAC, 0, ip)) {
		t.Fatalf("after the MAC is known: %v %x", p.Verdict, frameOf(&p))
	}
	if _, ok := cfg.routed[routedPortIdx].neigh.lookup(addrOf(unknown)); ok {
		t.Fatal("WithNeighbors changed the snapshot it was called on")
	}
}

// TestRoutedMissRingFull: more unresolved next hops than the ring holds
// are not lost: those that did not fit are reported by their next packet
// after the reader drained the ring.
func TestRoutedMissRingFull(t *testing.T) {
	cfg := routedConfig(t, nil)
	w, _ := newTestWorker(t, cfg, 1024)
	var rets [][]byte
	for i := 0; i < missRingLen+10; i++ {
		dst := netip.AddrFrom4([4]byte{10, 20, 0, byte(100 + i)})
		enc := encapRouted(t, w, fromRouter(ipPacket(internet4, dst, l4{proto: 17, sport: 5, dport: 6})), 1e9)
		rets = append(rets, applianceReply(enc, false))
	}
	seen := map[netip.Addr]bool{}
	for pass := int64(0); pass < 2; pass++ {
		for _, r := range rets {
			process(w, r, 0, 2e9+pass)
		}
		got := w.EndpointNeighborMisses(nil)
		if pass == 0 && len(got) != missRingLen {
			t.Fatalf("first pass: %d misses, want a full ring of %d", len(got), missRingLen)
		}
		for _, m := range got {
			seen[m.IP] = true
		}
	}
	if len(seen) != len(rets) {
		t.Fatalf("%d of %d unresolved next hops reported", len(seen), len(rets))
	}
}

func TestRouteFor(t *testing.T) {
	cfg := routedConfig(t, nil)
	for _, c := range []struct {
		dst, want string
	}{
		{"10.30.0.5", "10.20.0.1"},   // default
		{"10.20.0.77", "10.20.0.77"}, // connected: on-link
		{"10.99.255.1", "10.20.0.254"},
		{"10.98.0.1", "10.20.0.1"},
		{"fd00:20::1234", "fd00:20::1234"},
		{"2001:db8::1", "fe80::1"},
		{"::ffff:10.99.0.1", "10.20.0.254"}, // IPv4-mapped is IPv4
	} {
		got, ok := cfg.RouteFor(routedPortIdx, netip.MustParseAddr(c.dst))
		if !ok || got != netip.MustParseAddr(c.want) {
			t.Errorf("RouteFor(%s) = %v %v, want %s", c.dst, got, ok, c.want)
		}
	}
	noDefault := routedConfig(t, func(c *Config) { c.Ports[routedPortIdx].Routes = nil })
	if _, ok := noDefault.RouteFor(routedPortIdx, netip.MustParseAddr("10.30.0.5")); ok {
		t.Error("a destination outside the connected prefix routes without a default route")
	}
	if _, ok := cfg.RouteFor(1, netip.MustParseAddr("10.30.0.5")); ok {
		t.Error("a bump port routes")
	}
}

// TestRoutedConfigErrors: each mistake in a routed port is named.
func TestRoutedConfigErrors(t *testing.T) {
	cases := []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"no address", func(c *Config) { c.Ports[3].Address = netip.Prefix{} }, "needs the endpoint's IPv4 address"},
		{"ipv6 as the address", func(c *Config) { c.Ports[3].Address = routedAddr6 }, "needs the endpoint's IPv4 address"},
		{"host route", func(c *Config) { c.Ports[3].Address = netip.MustParsePrefix("10.20.0.10/32") }, "/1 to /31"},
		{"network address", func(c *Config) { c.Ports[3].Address = netip.MustParsePrefix("10.20.0.0/24") }, "not a unicast host"},
		{"broadcast address", func(c *Config) { c.Ports[3].Address = netip.MustParsePrefix("10.20.0.255/24") }, "not a unicast host"},
		{"link-local ipv6", func(c *Config) { c.Ports[3].Address6 = netip.MustParsePrefix("fe80::10/64") }, "global or unique-local"},
		{"ipv4 as ipv6", func(c *Config) { c.Ports[3].Address6 = routedAddr }, "not an IPv6"},
		{"no mac", func(c *Config) { c.Ports[3].MAC = [6]byte{} }, "unicast MAC"},
		{"endpoint out of range", func(c *Config) { c.Ports[3].Endpoint = 9 }, "out of range"},
		{"two routed ports", func(c *Config) { c.Ports = append(c.Ports, c.Ports[3]) }, "already has routed port"},
		{"routed and bump", func(c *Config) { c.Ports[3].Endpoint = 0 }, "one mode"},
		{"ipv6 mtu", func(c *Config) { c.Ports[3].MTU = 1000 }, "must be 1280"},
		{"bump mtu", func(c *Config) { c.Ports[1].MTU = 100 }, "must be 576"},
		{"router off-link", func(c *Config) { c.Ports[3].Routes[0].Via = netip.MustParseAddr("10.21.0.1") }, "not on the port's link"},
		{"router is the endpoint", func(c *Config) { c.Ports[3].Routes[0].Via = routedAddr.Addr() }, "own address"},
		{"family mismatch", func(c *Config) { c.Ports[3].Routes[2].Via = router4 }, "family"},
		{"host bits", func(c *Config) { c.Ports[3].Routes[1].Dst = netip.MustParsePrefix("10.99.1.0/16") }, "did you mean 10.99.0.0/16"},
		{"duplicate route", func(c *Config) { c.Ports[3].Routes = append(c.Ports[3].Routes, c.Ports[3].Routes[0]) }, "repeats"},
		{"connected route", func(c *Config) {
			c.Ports[3].Routes = append(c.Ports[3].Routes, Route{Dst: netip.MustParsePrefix("10.20.0.0/24")})
		}, "repeats"},
		{"too many routes", func(c *Config) {
			for i := 0; i <= MaxRoutes; i++ {
				c.Ports[3].Routes = append(c.Ports[3].Routes, Route{Dst: netip.PrefixFrom(netip.AddrFrom4([4]byte{172, 16, byte(i), 0}), 24), Via: router4})
			}
		}, "at most"},
		{"neighbour on a bump port", func(c *Config) { c.Neighbors[0].Port = 1 }, "not a routed port"},
		{"multicast neighbour mac", func(c *Config) { c.Neighbors[0].MAC[0] = 1 }, "not unicast"},
		{"invalid neighbour", func(c *Config) { c.Neighbors[0].IP = netip.Addr{} }, "not an IPv4 or IPv6"},
	}
	if _, err := NewConfig(routedBase(1), nil); err != nil {
		t.Fatalf("good config refused: %v", err)
	}
	for _, c := range cases {
		cfg := routedBase(1)
		cfg.Ports = routedPorts(defaultRoutes())
		cfg.Neighbors = defaultNeighbors()
		c.mod(&cfg)
		_, err := NewConfig(cfg, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", c.name, err, c.want)
		}
	}
	// A zero MAC is an unresolved neighbour: accepted, not used.
	c := routedBase(1)
	c.Neighbors[0].MAC = [6]byte{}
	cfg, err := NewConfig(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cfg.routed[routedPortIdx].neigh.lookup(addrOf(router4)); ok {
		t.Fatal("an unresolved neighbour is in the table")
	}
	if _, err := cfg.WithNeighbors([]Neighbor{{Port: 0, IP: router4, MAC: routerMAC}}); err == nil {
		t.Fatal("WithNeighbors accepted a neighbour on the appliance port")
	}
}

// TestRoutedTCPReset: a TCP packet without a flow on a routed port is
// answered (send_tcp_reset) back to the router it came from.
func TestRoutedTCPReset(t *testing.T) {
	cfg := routedConfig(t, func(c *Config) { c.Attr.SendTCPReset = true })
	w, _ := newTestWorker(t, cfg, 64)
	ack := fromRouter(ipPacket(internet4, app4, l4{proto: 6, sport: 40000, dport: 443, flags: tcpACK}))
	p := process(w, ack, routedPortIdx, 1e9)
	f := frameOf(&p)
	if p.Verdict != Forward || p.Out != routedPortIdx || !bytes.Equal(f[0:6], routerMAC[:]) || !bytes.Equal(f[6:12], routedMAC[:]) || f[14+20+13]&0x04 == 0 {
		t.Fatalf("RST: verdict %v out %d frame %x", p.Verdict, p.Out, f)
	}
}

// TestEndpointNeighborMissesConcurrent: a reader polling the misses while
// the worker forwards, and keeping up with it, sees every unresolved next
// hop (run with -race).
func TestEndpointNeighborMissesConcurrent(t *testing.T) {
	w, _ := newTestWorker(t, routedConfig(t, nil), 1024)
	const n = 200
	var rets [][]byte
	for i := 0; i < n; i++ {
		dst := netip.AddrFrom4([4]byte{10, 20, 0, byte(i + 51)}) // .51-.250, none resolved
		enc := encapRouted(t, w, fromRouter(ipPacket(internet4, dst, l4{proto: 17, sport: uint16(i), dport: 6})), 1e9)
		rets = append(rets, applianceReply(enc, false))
	}
	seen := make(chan map[netip.Addr]bool)
	stop := make(chan struct{})
	go func() {
		got := map[netip.Addr]bool{}
		var buf []NeighborMiss
		for {
			select {
			case <-stop:
				for _, m := range w.EndpointNeighborMisses(buf[:0]) {
					got[m.IP] = true
				}
				seen <- got
				return
			default:
			}
			buf = w.EndpointNeighborMisses(buf[:0])
			for _, m := range buf {
				if m.Port != routedPortIdx {
					t.Errorf("miss on port %d", m.Port)
				}
				got[m.IP] = true
			}
		}
	}()
	for i, r := range rets {
		process(w, r, 0, 2e9)
		if i%32 == 31 {
			// A reader that keeps up: wait for it to drain the ring.
			for w.misses.head.Load() != w.misses.tail.Load() {
				runtime.Gosched()
			}
		}
	}
	close(stop)
	if got := <-seen; len(got) != n {
		t.Fatalf("%d of %d unresolved next hops reported", len(got), n)
	}
}
