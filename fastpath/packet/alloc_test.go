package packet

import "testing"

// TestZeroAllocations holds every parser and builder to the fast path's
// rule, no allocation per packet, in `go test` as well as in benchmarks.
func TestZeroAllocations(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation allocates")
	}
	frame := geneveFrame(t, withIPv4Checksum(tcpv4Packet(t)), EtherTypeIPv4, 1)
	reordered := geneveWith(t, 0, EtherTypeIPv4, optCookie, optUnknown, optAttachment, optEndpoint)
	v6 := ipv6Packet(t, ProtoHopByHop, "2b00050200000100 3c02000100000000fd000000000000000000000000000009 1100010400000000"+udpHdr)
	arp := mustHex(t, "0001 0800 06 04 0001 02000000000a 0a090001 000000000000 0a090002")
	buf := make([]byte, 256)
	var (
		o   Outer
		in  Inner
		g   Geneve
		e   Ethernet
		a   ARP
		ip4 IPv4
		ip6 IPv6
		tcp TCP
		udp UDP
		m   ICMP
	)
	if err := ParseOuter(frame, &o); err != nil {
		t.Fatal(err)
	}
	inner := frame[o.InnerOffset:]
	var checked Outer
	_ = ParseOuter(frame, &checked)
	for name, fn := range map[string]func(){
		"ParseOuter":        func() { _ = ParseOuter(frame, &o) },
		"ParseOuter error":  func() { var x Outer; _ = ParseOuter(frame[:50], &x) },
		"ParseL3 v4":        func() { _ = ParseL3(inner, &in) },
		"ParseL3 v6 ext":    func() { _ = ParseL3(v6, &in) },
		"ParseL3 error":     func() { _ = ParseL3(v6[:30], &in) },
		"ParseGeneve":       func() { _ = ParseGeneve(reordered, &g) },
		"ParseEthernet":     func() { _ = ParseEthernet(frame, &e) },
		"ParseARP":          func() { _ = ParseARP(arp, &a) },
		"ParseIPv4":         func() { _ = ParseIPv4(frame[14:], &ip4) },
		"ParseIPv6":         func() { _ = ParseIPv6(v6, &ip6) },
		"ParseTCP":          func() { _ = ParseTCP(inner[20:], &tcp) },
		"ParseUDP":          func() { _ = ParseUDP(frame[34:], &udp) },
		"ParseICMPv6":       func() { _ = ParseICMPv6(v6[40:], &m) },
		"VerifyUDPChecksum": func() { _ = checked.VerifyUDPChecksum(frame) },
		"PutEthernet":       func() { _ = PutEthernet(buf, &e) },
		"PutARP":            func() { _ = PutARP(buf, &a) },
		"PutIPv4":           func() { _ = PutIPv4(buf, &ip4) },
		"PutIPv6":           func() { _ = PutIPv6(buf, &ip6) },
		"PutTCP":            func() { _ = PutTCP(buf, &tcp) },
		"PutUDP":            func() { _ = PutUDP(buf, &udp) },
		"PutICMP":           func() { _ = PutICMP(buf, &m) },
		"PutGeneve":         func() { _ = PutGeneve(buf, &g) },
		"PutGeneveAWS":      func() { _ = PutGeneveAWS(buf, EtherTypeIPv6, 1, 2, 3) },
		"PutOuterIPv4UDP":   func() { _ = PutOuterIPv4UDP(buf, [4]byte{1, 2, 3, 4}, [4]byte{5, 6, 7, 8}, 50000, 100) },
		"Checksum":          func() { _ = Checksum(frame) },
		"DecrementTTL":      func() { buf[8] = 9; _ = DecrementTTL(buf) },
	} {
		if n := testing.AllocsPerRun(100, fn); n != 0 {
			t.Errorf("%s: %.1f allocations per call", name, n)
		}
	}
}
