package appliance

import (
	"bytes"
	"testing"

	"github.com/gwlbctl/gwlbctl/fastpath/packet"
)

// inner6 builds an IPv6 packet src -> dst with the given hop limit and an
// ICMPv6 message of type typ (or UDP when typ is 0).
func inner6(src, dst [16]byte, hop, typ uint8) []byte {
	b := make([]byte, 40+24)
	next := packet.ProtoICMPv6
	if typ == 0 {
		next = packet.ProtoUDP
	}
	packet.PutIPv6(b, &packet.IPv6{PayloadLen: 24, NextHeader: next, HopLimit: hop, Src: src, Dst: dst})
	if typ == 0 {
		packet.PutUDP(b[40:], &packet.UDP{SrcPort: 1000, DstPort: 2000, Length: 24})
	} else {
		b[40] = typ
	}
	return b
}

func withTTL(b []byte, ttl uint8) []byte {
	b[packet.IPv4TTLOffset] = ttl
	b[packet.IPv4ChecksumOffset], b[packet.IPv4ChecksumOffset+1] = 0, 0
	c := packet.IPv4HeaderChecksum(b[:packet.IPv4MinHeaderLen])
	b[packet.IPv4ChecksumOffset], b[packet.IPv4ChecksumOffset+1] = byte(c>>8), byte(c)
	return b
}

// TestCheckRoute: a routing appliance returns what a router forwards and
// drops, by reason, what a router does not: link-local traffic,
// multicast and broadcast, neighbour discovery, and packets whose TTL or
// hop limit runs out.
func TestCheckRoute(t *testing.T) {
	router := &Appliance{cfg: Config{Route: true}}
	wire := &Appliance{cfg: Config{}}
	c, s := [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}
	g6a, g6b := [16]byte{0: 0xfd, 15: 1}, [16]byte{0: 0xfd, 15: 2}
	ll := [16]byte{0: 0xfe, 1: 0x80, 15: 9}
	sn := [16]byte{0: 0xff, 1: 0x02, 11: 1, 12: 0xff, 15: 2}
	for _, tc := range []struct {
		name, reason string
		d            []byte
	}{
		{"ipv4 unicast", "", geneve(innerIPv4(packet.ProtoUDP, c, s, 1, 2), 1)},
		{"ipv6 unicast", "", geneve(inner6(g6a, g6b, 64, 0), 1)},
		{"ipv6 echo", "", geneve(inner6(g6a, g6b, 64, packet.ICMPv6EchoRequest), 1)},
		{"ipv4 TTL 2", "", geneve(withTTL(innerIPv4(packet.ProtoUDP, c, s, 1, 2), 2), 1)},
		{"ipv4 TTL 1", DropTTLExpired, geneve(withTTL(innerIPv4(packet.ProtoUDP, c, s, 1, 2), 1), 1)},
		{"ipv4 TTL 0", DropTTLExpired, geneve(withTTL(innerIPv4(packet.ProtoUDP, c, s, 1, 2), 0), 1)},
		{"ipv6 hop limit 1", DropTTLExpired, geneve(inner6(g6a, g6b, 1, 0), 1)},
		{"ipv4 link-local destination", DropLinkLocal, geneve(innerIPv4(packet.ProtoUDP, c, [4]byte{169, 254, 1, 1}, 1, 2), 1)},
		{"ipv4 link-local source", DropLinkLocal, geneve(innerIPv4(packet.ProtoUDP, [4]byte{169, 254, 1, 1}, s, 1, 2), 1)},
		{"ipv4 unspecified source", DropLinkLocal, geneve(innerIPv4(packet.ProtoUDP, [4]byte{}, s, 68, 67), 1)},
		{"ipv4 multicast", DropMulticast, geneve(innerIPv4(packet.ProtoUDP, c, [4]byte{239, 1, 1, 1}, 1, 2), 1)},
		{"ipv4 broadcast", DropMulticast, geneve(innerIPv4(packet.ProtoUDP, c, [4]byte{255, 255, 255, 255}, 1, 2), 1)},
		{"ipv6 link-local source", DropLinkLocal, geneve(inner6(ll, g6b, 64, 0), 1)},
		{"ipv6 link-local destination", DropLinkLocal, geneve(inner6(g6a, ll, 64, 0), 1)},
		{"ipv6 multicast", DropMulticast, geneve(inner6(g6a, [16]byte{0: 0xff, 1: 0x0e, 15: 1}, 64, 0), 1)},
		{"neighbour solicitation", DropNeighborDiscovery, geneve(inner6(g6a, sn, 255, packet.ICMPv6NeighborSolicitation), 1)},
		{"unicast neighbour solicitation", DropNeighborDiscovery, geneve(inner6(g6a, g6b, 255, packet.ICMPv6NeighborSolicitation), 1)},
		{"neighbour advertisement", DropNeighborDiscovery, geneve(inner6(g6b, g6a, 255, packet.ICMPv6NeighborAdvertisement), 1)},
		{"router advertisement", DropNeighborDiscovery, geneve(inner6(ll, [16]byte{0: 0xff, 1: 0x02, 15: 1}, 255, packet.ICMPv6RouterAdvertisement), 1)},
	} {
		var g packet.Geneve
		var in packet.Inner
		if reason, _ := router.Check(tc.d, &g, &in); reason != tc.reason {
			t.Errorf("route, %s: Check = %q, want %q", tc.name, reason, tc.reason)
		}
		if reason, _ := wire.Check(tc.d, &g, &in); reason != "" {
			t.Errorf("reflect, %s: Check = %q, want it returned", tc.name, reason)
		}
	}
}

// TestApplianceRouteDecrementsTTL: a routing appliance returns IPv4 with
// the TTL one lower and a correct header checksum, IPv6 with the hop
// limit one lower, the rest of the datagram unchanged; what a router does
// not forward is counted and not returned.
func TestApplianceRouteDecrementsTTL(t *testing.T) {
	a, _, _ := startAppliance(t, Config{Route: true, HTTP: "127.0.0.1:0"})
	app := a.GeneveAddr()
	gw := gwlbSocket(t, "127.0.0.1:0")
	c, s := [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}

	v4 := geneve(innerIPv4(packet.ProtoTCP, c, s, 40000, 80), 0xc0ffee)
	got, _ := exchange(t, gw, app, v4)
	ip := got[packet.AWSGeneveHeaderLen:]
	if len(got) != len(v4) || ip[packet.IPv4TTLOffset] != 63 || !packet.VerifyIPv4HeaderChecksum(ip[:packet.IPv4MinHeaderLen]) {
		t.Fatalf("IPv4 return: TTL %d, checksum ok %v", ip[packet.IPv4TTLOffset], packet.VerifyIPv4HeaderChecksum(ip[:20]))
	}
	want := append([]byte(nil), v4...)
	copy(want[packet.AWSGeneveHeaderLen:], ip[:packet.IPv4MinHeaderLen]) // TTL and checksum
	if !bytes.Equal(got, want) || bytes.Equal(got[packet.AWSGeneveHeaderLen:][:20], v4[packet.AWSGeneveHeaderLen:][:20]) {
		t.Fatal("IPv4 return changed more than TTL and checksum, or nothing")
	}

	// An expiring packet and a solicitation are not returned: the next
	// reply is the IPv6 packet's, hop limit 63.
	if _, err := gw.WriteToUDPAddrPort(geneve(withTTL(innerIPv4(packet.ProtoUDP, c, s, 1, 2), 1), 2), app); err != nil {
		t.Fatal(err)
	}
	sn := [16]byte{0: 0xff, 1: 0x02, 11: 1, 12: 0xff, 15: 2}
	if _, err := gw.WriteToUDPAddrPort(geneve(inner6([16]byte{0: 0xfd, 15: 1}, sn, 255, packet.ICMPv6NeighborSolicitation), 3), app); err != nil {
		t.Fatal(err)
	}
	v6 := geneve(innerIPv6(packet.ProtoUDP, 1, 2), 4)
	got, _ = exchange(t, gw, app, v6)
	want = append([]byte(nil), v6...)
	want[packet.AWSGeneveHeaderLen+packet.IPv6HopLimitOffset]--
	if !bytes.Equal(got, want) {
		t.Fatalf("IPv6 return:\n% x\nwant\n% x", got, want)
	}
	st := getStats(t, a)
	if st.Received != 4 || st.Returned != 2 || st.Drops[DropTTLExpired] != 1 || st.Drops[DropNeighborDiscovery] != 1 || !st.Route {
		t.Fatalf("stats %+v", st)
	}
}

// FuzzCheckRoute: a routing appliance classifies any datagram without a
// panic, and what it returns, once its TTL is decremented, is still a
// parsable unicast packet with a TTL of at least 1.
func FuzzCheckRoute(f *testing.F) {
	c, s := [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}
	f.Add(geneve(innerIPv4(packet.ProtoUDP, c, s, 1, 2), 1))
	f.Add(geneve(inner6([16]byte{0: 0xfd, 15: 1}, [16]byte{0: 0xfd, 15: 2}, 2, 0), 1))
	f.Add(geneve(inner6([16]byte{0: 0xfd, 15: 1}, [16]byte{0: 0xff, 1: 2, 15: 1}, 255, packet.ICMPv6NeighborSolicitation), 1))
	a := &Appliance{cfg: Config{Route: true}}
	f.Fuzz(func(t *testing.T, d []byte) {
		var g packet.Geneve
		var in packet.Inner
		if reason, _ := a.Check(d, &g, &in); reason != "" {
			return
		}
		ip := append([]byte(nil), d[g.HeaderLen:]...)
		decrementTTL(ip, in.Version)
		var out packet.Inner
		if packet.ParseL3(ip, &out) != nil {
			t.Fatal("returned packet does not parse after the TTL decrement")
		}
		ttl := ip[packet.IPv6HopLimitOffset]
		if out.Version == 4 {
			ttl = ip[packet.IPv4TTLOffset]
			if !packet.VerifyIPv4HeaderChecksum(ip[:int(ip[0]&0x0f)*4]) && packet.VerifyIPv4HeaderChecksum(d[g.HeaderLen:][:int(ip[0]&0x0f)*4]) {
				t.Fatal("the TTL decrement broke a good header checksum")
			}
		}
		if ttl < 1 || notRouted(ip, &out) == DropMulticast || notRouted(ip, &out) == DropLinkLocal || notRouted(ip, &out) == DropNeighborDiscovery {
			t.Fatalf("returned %x", ip)
		}
	})
}
