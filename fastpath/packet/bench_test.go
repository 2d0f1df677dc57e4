package packet

import (
	"fmt"
	"testing"
)

// Sinks keep the compiler from discarding benchmarked work.
var (
	sinkErr   error
	sinkInt   int
	sinkU16   uint16
	sinkU32   uint32
	sinkBool  bool
	sinkInner Inner
)

func BenchmarkParseL3(b *testing.B) {
	for _, tc := range []struct {
		name string
		pkt  []byte
	}{
		{"tcp4", withIPv4Checksum(tcpv4Packet(b))},
		{"icmp4-echo", withIPv4Checksum(mustHex(b, "45000020 abcd 0000 4001 0000 c0a80001 c0a80002  08 00 0000 beef 0001 00000000"))},
		{"udp6", ipv6Packet(b, ProtoUDP, udpHdr)},
		{"tcp6", ipv6Packet(b, ProtoTCP, tcpHdr)},
		{"udp6-3ext", ipv6Packet(b, ProtoHopByHop, "2b00050200000100 3c02000100000000fd000000000000000000000000000009 1100010400000000"+udpHdr)},
		{"ipv6-later-fragment", ipv6Packet(b, ProtoFragment, "11 00 0588 89abcdef 00112233")},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var in Inner
			b.ReportAllocs()
			for b.Loop() {
				sinkErr = ParseL3(tc.pkt, &in)
			}
			if sinkErr != nil {
				b.Fatal(sinkErr)
			}
			sinkInner = in
		})
	}
}

func BenchmarkParseGeneve(b *testing.B) {
	reordered := make([]byte, 0, 64)
	reordered = append(reordered, mustHex(b, "0a00 0800 00000000")...)
	for _, o := range []string{optCookie, optUnknown, optAttachment, optEndpoint} {
		reordered = append(reordered, mustHex(b, o)...)
	}
	for _, tc := range []struct {
		name string
		hdr  []byte
	}{
		{"aws-order", mustHex(b, awsHeaderGolden)},
		{"reordered+unknown", reordered},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var g Geneve
			b.ReportAllocs()
			for b.Loop() {
				sinkErr = ParseGeneve(tc.hdr, &g)
			}
			if sinkErr != nil || !g.HasAWSOptions() {
				b.Fatal(sinkErr)
			}
		})
	}
}

// BenchmarkParseOuter is the appliance-side parse of one returning packet:
// Ethernet, IPv4 with checksum verification, UDP, Geneve.
func BenchmarkParseOuter(b *testing.B) {
	f := geneveFrame(b, withIPv4Checksum(tcpv4Packet(b)), EtherTypeIPv4, 1)
	var o Outer
	b.ReportAllocs()
	for b.Loop() {
		sinkErr = ParseOuter(f, &o)
	}
	if sinkErr != nil {
		b.Fatal(sinkErr)
	}
}

// BenchmarkDecapSummary is the appliance-side parse plus the inner summary:
// what the engine reads from a returning packet.
func BenchmarkDecapSummary(b *testing.B) {
	f := geneveFrame(b, withIPv4Checksum(tcpv4Packet(b)), EtherTypeIPv4, 1)
	var o Outer
	var in Inner
	b.ReportAllocs()
	for b.Loop() {
		if err := ParseOuter(f, &o); err != nil {
			b.Fatal(err)
		}
		sinkErr = ParseL3(f[o.InnerOffset:o.InnerOffset+o.InnerLen], &in)
	}
}

// BenchmarkEncapHeaders writes everything GWLB puts in front of an inner
// packet: Ethernet, outer IPv4/UDP and the AWS Geneve header (82 bytes).
func BenchmarkEncapHeaders(b *testing.B) {
	buf := make([]byte, 128)
	eth := Ethernet{Dst: MAC{2, 0, 0, 0, 0, 1}, Src: MAC{2, 0, 0, 0, 0, 2}, EtherType: EtherTypeIPv4}
	src, dst := ip4(10, 0, 1, 10), ip4(10, 0, 2, 20)
	b.ReportAllocs()
	b.SetBytes(EthernetHeaderLen + OuterOverhead)
	var i uint32
	for b.Loop() {
		i++
		n := PutEthernet(buf, &eth)
		n += PutOuterIPv4UDP(buf[n:], src, dst, GeneveSourcePort(i*0x9e3779b9), AWSGeneveHeaderLen+1400)
		n += PutGeneveAWS(buf[n:], EtherTypeIPv4, 0x0123456789abcdef, 0x42, i)
		sinkInt = n
	}
}

func BenchmarkPutGeneveAWS(b *testing.B) {
	buf := make([]byte, 40)
	b.ReportAllocs()
	var i uint32
	for b.Loop() {
		i++
		sinkInt = PutGeneveAWS(buf, EtherTypeIPv4, 0x0123456789abcdef, 0x42, i)
	}
}

func BenchmarkPutOuterIPv4UDP(b *testing.B) {
	buf := make([]byte, 28)
	b.ReportAllocs()
	var i int
	for b.Loop() {
		i++
		sinkInt = PutOuterIPv4UDP(buf, ip4(10, 0, 1, 10), ip4(10, 0, 2, 20), uint16(i), i&0xfff)
	}
}

func BenchmarkParseLayers(b *testing.B) {
	frames := readPcap(b, "testdata/captured.pcap")
	var tcp4, arp []byte
	for _, f := range frames {
		if len(f) == 74 && f[23] == ProtoTCP && tcp4 == nil {
			tcp4 = f
		}
		if f[12] == 0x08 && f[13] == 0x06 && arp == nil {
			arp = f
		}
	}
	v6 := ipv6Packet(b, ProtoHopByHop, "2b00050200000100 3c02000100000000fd000000000000000000000000000009 1100010400000000"+udpHdr)
	b.Run("ethernet", func(b *testing.B) {
		var e Ethernet
		b.ReportAllocs()
		for b.Loop() {
			sinkErr = ParseEthernet(tcp4, &e)
		}
	})
	b.Run("arp", func(b *testing.B) {
		var a ARP
		b.ReportAllocs()
		for b.Loop() {
			sinkErr = ParseARP(arp[14:], &a)
		}
	})
	b.Run("ipv4", func(b *testing.B) {
		var ip IPv4
		b.ReportAllocs()
		for b.Loop() {
			sinkErr = ParseIPv4(tcp4[14:], &ip)
		}
	})
	b.Run("ipv6-3ext", func(b *testing.B) {
		var ip IPv6
		b.ReportAllocs()
		for b.Loop() {
			sinkErr = ParseIPv6(v6, &ip)
		}
	})
	b.Run("tcp", func(b *testing.B) {
		var h TCP
		b.ReportAllocs()
		for b.Loop() {
			sinkErr = ParseTCP(tcp4[34:], &h)
		}
	})
	b.Run("udp", func(b *testing.B) {
		var h UDP
		u := mustHex(b, udpHdr)
		b.ReportAllocs()
		for b.Loop() {
			sinkErr = ParseUDP(u, &h)
		}
	})
	if sinkErr != nil {
		b.Fatal(sinkErr)
	}
}

// BenchmarkChecksum compares Sum with the word-at-a-time RFC 1071
// reference (naive) so the figures read as a ratio.
func BenchmarkChecksum(b *testing.B) {
	buf := make([]byte, 9000)
	for i := range buf {
		buf[i] = byte(i * 7)
	}
	for _, n := range []int{20, 64, 1500, 8500} {
		b.Run(fmt.Sprintf("sum-%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(n))
			for b.Loop() {
				sinkU32 = Sum(buf[:n], 0)
			}
		})
		b.Run(fmt.Sprintf("naive-%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(n))
			for b.Loop() {
				sinkU16 = naiveSum(buf[:n])
			}
		})
	}
	b.Run("ipv4-header", func(b *testing.B) {
		h := mustHex(b, "4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7")
		b.ReportAllocs()
		for b.Loop() {
			sinkBool = VerifyIPv4HeaderChecksum(h)
		}
	})
	b.Run("update16", func(b *testing.B) {
		b.ReportAllocs()
		var i uint16
		for b.Loop() {
			i++
			sinkU16 = UpdateChecksum16(0xb861, i, i+1)
		}
	})
	b.Run("decrement-ttl", func(b *testing.B) {
		h := mustHex(b, "4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7")
		b.ReportAllocs()
		for b.Loop() {
			h[8] = 64
			sinkBool = DecrementTTL(h)
		}
	})
}

// BenchmarkVerifyUDPChecksum is the software check of a returning Geneve
// datagram with a non-zero UDP checksum (1400-byte inner packet), the cost
// the engine avoids when the NIC verifies it.
func BenchmarkVerifyUDPChecksum(b *testing.B) {
	inner := make([]byte, 1400)
	copy(inner, withIPv4Checksum(tcpv4Packet(b)))
	f := geneveFrame(b, inner, EtherTypeIPv4, 1)
	var o Outer
	if err := ParseOuter(f, &o); err != nil {
		b.Fatal(err)
	}
	c := UDPChecksumIPv4(o.IP.Src, o.IP.Dst, f[o.UDPOffset:])
	f[o.UDPOffset+6], f[o.UDPOffset+7] = byte(c>>8), byte(c)
	if err := ParseOuter(f, &o); err != nil || !o.VerifyUDPChecksum(f) {
		b.Fatal("checksum setup")
	}
	b.ReportAllocs()
	b.SetBytes(int64(o.UDP.Length))
	for b.Loop() {
		sinkBool = o.VerifyUDPChecksum(f)
	}
}
