package packet

import "testing"

// ndPacket builds an IPv6 packet with hop limit hop whose payload is the
// ICMPv6 message of type typ and code (checksum left 0: not checked)
// followed by body, behind the extension header bytes ext (next header
// given) when ext is not nil.
func ndPacket(hop, typ, code uint8, body []byte, next uint8, ext []byte) []byte {
	icmp := append([]byte{typ, code, 0, 0}, body...)
	payload := append(append([]byte(nil), ext...), icmp...)
	if ext == nil {
		next = ProtoICMPv6
	}
	b := make([]byte, IPv6HeaderLen+len(payload))
	PutIPv6(b, &IPv6{PayloadLen: uint16(len(payload)), NextHeader: next, HopLimit: hop,
		Src: [16]byte{0: 0xfe, 1: 0x80, 15: 1}, Dst: [16]byte{0: 0xff, 1: 0x02, 11: 1, 12: 0xff, 15: 2}})
	copy(b[IPv6HeaderLen:], payload)
	return b
}

func TestIsNeighborDiscovery(t *testing.T) {
	body := func(n int) []byte { return make([]byte, n-4) } // an n-byte ICMPv6 message
	hbh := []byte{ProtoICMPv6, 0, 1, 4, 0, 0, 0, 0}
	frag := []byte{ProtoICMPv6, 0, 0, 0, 0, 0, 0, 1} // offset 0, no M: an atomic fragment
	for _, c := range []struct {
		name string
		pkt  []byte
		want bool
	}{
		{"router solicitation", ndPacket(255, ICMPv6RouterSolicitation, 0, body(8), 0, nil), true},
		{"router advertisement", ndPacket(255, ICMPv6RouterAdvertisement, 0, body(16), 0, nil), true},
		{"neighbour solicitation", ndPacket(255, ICMPv6NeighborSolicitation, 0, body(32), 0, nil), true},
		{"neighbour advertisement", ndPacket(255, ICMPv6NeighborAdvertisement, 0, body(24), 0, nil), true},
		{"redirect", ndPacket(255, ICMPv6Redirect, 0, body(40), 0, nil), true},
		{"hop limit 254", ndPacket(254, ICMPv6NeighborSolicitation, 0, body(24), 0, nil), false},
		{"hop limit 1", ndPacket(1, ICMPv6RouterAdvertisement, 0, body(16), 0, nil), false},
		{"code 1", ndPacket(255, ICMPv6NeighborSolicitation, 1, body(24), 0, nil), false},
		{"type 132", ndPacket(255, 132, 0, body(24), 0, nil), false},
		{"type 138", ndPacket(255, 138, 0, body(40), 0, nil), false},
		{"echo request", ndPacket(255, ICMPv6EchoRequest, 0, body(8), 0, nil), false},
		{"short router advertisement", ndPacket(255, ICMPv6RouterAdvertisement, 0, body(12), 0, nil), false},
		{"short neighbour solicitation", ndPacket(255, ICMPv6NeighborSolicitation, 0, body(20), 0, nil), false},
		{"short redirect", ndPacket(255, ICMPv6Redirect, 0, body(36), 0, nil), false},
		{"behind a hop-by-hop header", ndPacket(255, ICMPv6NeighborSolicitation, 0, body(24), ProtoHopByHop, hbh), false},
		{"atomic fragment", ndPacket(255, ICMPv6NeighborAdvertisement, 0, body(24), ProtoFragment, frag), false},
	} {
		var in Inner
		if err := ParseL3(c.pkt, &in); err != nil {
			t.Fatalf("%s: ParseL3: %v", c.name, err)
		}
		if got := IsNeighborDiscovery(c.pkt, &in); got != c.want {
			t.Errorf("%s: IsNeighborDiscovery = %v, want %v", c.name, got, c.want)
		}
	}
	// ICMPv6 type numbers inside IPv4 are not neighbour discovery.
	v4 := withIPv4Checksum(mustHex(t, "45000020 abcd 0000 ff3a 0000 c0a80001 c0a80002  87 00 0000 00000000 00000000"))
	var in Inner
	if ParseL3(v4, &in) != nil || IsNeighborDiscovery(v4, &in) {
		t.Errorf("IPv4 packet with protocol 58 and type 135 taken for neighbour discovery: %+v", in)
	}
}

// FuzzIsNeighborDiscovery: never panics, and says yes only for what its
// contract names.
func FuzzIsNeighborDiscovery(f *testing.F) {
	f.Add(ndPacket(255, ICMPv6NeighborSolicitation, 0, make([]byte, 28), 0, nil))
	f.Add(ndPacket(255, ICMPv6RouterAdvertisement, 0, make([]byte, 12), 0, nil))
	f.Add(ndPacket(255, ICMPv6NeighborSolicitation, 0, make([]byte, 20), ProtoHopByHop, []byte{ProtoICMPv6, 0, 1, 4, 0, 0, 0, 0}))
	f.Fuzz(func(t *testing.T, b []byte) {
		var in Inner
		if ParseL3(b, &in) != nil {
			return
		}
		if !IsNeighborDiscovery(b, &in) {
			return
		}
		if in.Version != 6 || b[6] != ProtoICMPv6 || b[7] != NDHopLimit || in.ICMPType < 133 || in.ICMPType > 137 ||
			in.ICMPCode != 0 || in.IsFragment() || b[IPv6HeaderLen] != in.ICMPType {
			t.Fatalf("accepted %x (%+v)", b, in)
		}
	})
}

func BenchmarkIsNeighborDiscovery(b *testing.B) {
	ns := ndPacket(255, ICMPv6NeighborSolicitation, 0, make([]byte, 28), 0, nil)
	var in Inner
	if ParseL3(ns, &in) != nil {
		b.Fatal("ParseL3")
	}
	b.ReportAllocs()
	for b.Loop() {
		sinkBool = IsNeighborDiscovery(ns, &in)
	}
	if !sinkBool || testing.AllocsPerRun(10, func() { sinkBool = IsNeighborDiscovery(ns, &in) }) != 0 {
		b.Fatal("not neighbour discovery, or it allocates")
	}
}
