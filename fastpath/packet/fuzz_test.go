package packet

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// Property of every target: a parse returns an error if and only if the
// struct holds no result (its zero value), never panics, and a result
// rebuilds to the bytes it came from and parses again to the same result.

// capturedSeeds adds the captured frames (whole, and from each header on)
// to a fuzz corpus.
func capturedSeeds(f *testing.F, fromL3 bool) {
	for _, fr := range readPcap(f, "testdata/captured.pcap") {
		if fromL3 {
			f.Add(append([]byte{}, fr[EthernetHeaderLen:]...))
		} else {
			f.Add(append([]byte{}, fr...))
		}
	}
}

func FuzzParseGeneve(f *testing.F) {
	f.Add(mustHex(f, awsHeaderGolden))
	f.Add(mustHex(f, "0a00 86dd 00000000 0108 0302 00000000 00000033 0108 0102 0000000000000011 0108 0202 0000000000000022"))
	f.Add(mustHex(f, "0300 0800 00000000 abcd 8500 0108 0301 00000033"))
	f.Add(mustHex(f, "0100 0800 00000000 0108 0300"))
	f.Add([]byte{0x3f, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		var g Geneve
		err := ParseGeneve(b, &g)
		if err != nil {
			if g.HeaderLen != 0 || g.Options != nil || g.Present != 0 || g.EndpointID != 0 {
				t.Fatalf("error %v with a result %+v", err, g)
			}
			return
		}
		if g.HeaderLen < GeneveBaseLen || g.HeaderLen > len(b) || len(g.Options) != g.HeaderLen-GeneveBaseLen || g.Present&^AWSAllPresent != 0 {
			t.Fatalf("inconsistent result %+v for % x", g, b)
		}
		out := make([]byte, g.HeaderLen)
		if PutGeneve(out, &g) != g.HeaderLen || !bytes.Equal(out, b[:g.HeaderLen]) {
			t.Fatalf("parse -> build\n% x\nwant\n% x", out, b[:g.HeaderLen])
		}
		var again Geneve
		if err := ParseGeneve(out, &again); err != nil || again.Present != g.Present || again.EndpointID != g.EndpointID ||
			again.AttachmentID != g.AttachmentID || again.FlowCookie != g.FlowCookie || again.UnknownOptions != g.UnknownOptions ||
			again.UnknownCritical != g.UnknownCritical || again.ProtocolType != g.ProtocolType || again.VNI != g.VNI {
			t.Fatalf("reparse %v %+v != %+v", err, again, g)
		}
		if g.HasAWSOptions() {
			aws := make([]byte, AWSGeneveHeaderLen)
			PutGeneveAWS(aws, g.ProtocolType, g.EndpointID, g.AttachmentID, g.FlowCookie)
			var a Geneve
			if ParseGeneve(aws, &a) != nil || a.EndpointID != g.EndpointID || a.AttachmentID != g.AttachmentID || a.FlowCookie != g.FlowCookie {
				t.Fatalf("AWS rebuild %+v", a)
			}
		}
	})
}

func FuzzParseL3(f *testing.F) {
	capturedSeeds(f, true)
	f.Add(tcpv4Packet(f))
	f.Add(ipv6Packet(f, ProtoHopByHop, "2b00050200000100 3c02000100000000fd000000000000000000000000000009 1100010400000000"+udpHdr))
	f.Add(ipv6Packet(f, ProtoFragment, "11 00 0588 89abcdef 00112233"))
	f.Add(ipv6Packet(f, ProtoAH, "06 04 0000 00001000 00000001 0102030405060708090a0b0c"+tcpHdr))
	f.Fuzz(func(t *testing.T, b []byte) {
		var in Inner
		err := ParseL3(b, &in)
		if err != nil {
			if in != (Inner{}) {
				t.Fatalf("error %v with a result %+v", err, in)
			}
			// ParseL3 only adds transport checks to the IP parsers: when
			// it fails for another reason, they must fail too.
			if !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrFragment) {
				var v4 IPv4
				var v6 IPv6
				if ParseIPv4(b, &v4) == nil || ParseIPv6(b, &v6) == nil {
					t.Fatalf("ParseL3: %v but an IP parser succeeds", err)
				}
			}
			return
		}
		if in.Version != 4 && in.Version != 6 || int(in.L4Offset) > int(in.TotalLen) || int(in.TotalLen) > len(b) {
			t.Fatalf("inconsistent result %+v (len %d)", in, len(b))
		}
		if in.HasPorts() && in.IsEcho() || in.IsLaterFragment() && (in.SrcPort|in.DstPort) != 0 {
			t.Fatalf("inconsistent flags %+v", in)
		}
		var again Inner
		if ParseL3(b, &again) != nil || again != in {
			t.Fatal("ParseL3 not deterministic")
		}
		l4 := b[in.L4Offset:in.TotalLen]
		switch in.Version {
		case 4:
			var ip IPv4
			if err := ParseIPv4(b, &ip); err != nil || ip.Protocol != in.Protocol || ip.HeaderLen != int(in.L4Offset) ||
				int(ip.TotalLen) != int(in.TotalLen) || mapped(ip.Src) != in.Src || mapped(ip.Dst) != in.Dst {
				t.Fatalf("ParseIPv4 disagrees: %v %+v vs %+v", err, ip, in)
			}
		case 6:
			var ip IPv6
			if err := ParseIPv6(b, &ip); err != nil || ip.Protocol != in.Protocol || ip.L4Offset != int(in.L4Offset) ||
				ip.TotalLen() != int(in.TotalLen) || ip.Src != in.Src || ip.Fragment != in.IsFragment() || ip.FragID != in.FragID {
				t.Fatalf("ParseIPv6 disagrees: %v %+v vs %+v", err, ip, in)
			}
		}
		if in.HasPorts() && in.Protocol == ProtoTCP {
			var h TCP
			if ParseTCP(l4, &h) == nil && (h.SrcPort != in.SrcPort || h.DstPort != in.DstPort || h.Flags != in.TCPFlags) {
				t.Fatalf("ParseTCP disagrees %+v vs %+v", h, in)
			}
		}
		if in.HasPorts() && in.Protocol == ProtoUDP {
			var h UDP
			if ParseUDP(l4, &h) == nil && (h.SrcPort != in.SrcPort || h.DstPort != in.DstPort) {
				t.Fatalf("ParseUDP disagrees %+v vs %+v", h, in)
			}
		}
	})
}

func FuzzParseEthernet(f *testing.F) {
	capturedSeeds(f, false)
	f.Add(mustHex(f, "020000000002 020000000001 8100 2064 86dd"))
	f.Add(mustHex(f, "020000000002 020000000001 8100 2064"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var e Ethernet
		err := ParseEthernet(b, &e)
		if err != nil {
			if e != (Ethernet{}) {
				t.Fatalf("error %v with a result %+v", err, e)
			}
			return
		}
		if e.HeaderLen != e.EthernetLen() || e.HeaderLen > len(b) {
			t.Fatalf("inconsistent %+v", e)
		}
		out := make([]byte, e.HeaderLen)
		if PutEthernet(out, &e) != e.HeaderLen || !bytes.Equal(out, b[:e.HeaderLen]) {
			t.Fatalf("parse -> build % x want % x", out, b[:e.HeaderLen])
		}
		if e.EtherType == EtherTypeARP {
			var a ARP
			if ParseARP(b[e.HeaderLen:], &a) == nil {
				out := make([]byte, ARPLen)
				if PutARP(out, &a) != ARPLen || !bytes.Equal(out, b[e.HeaderLen:e.HeaderLen+ARPLen]) {
					t.Fatal("ARP parse -> build differs")
				}
			}
		}
	})
}

func FuzzParseIPv4(f *testing.F) {
	capturedSeeds(f, true)
	f.Add(mustHex(f, "46000020 0001 0000 4011 0000 0a000001 0a000002 94040000  0035 0035 000c 0000"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var ip IPv4
		err := ParseIPv4(b, &ip)
		if err != nil {
			if ip.HeaderLen != 0 || ip.Options != nil || ip.TotalLen != 0 {
				t.Fatalf("error %v with a result %+v", err, ip)
			}
			return
		}
		if ip.HeaderLen < 20 || ip.HeaderLen > int(ip.TotalLen) || int(ip.TotalLen) > len(b) {
			t.Fatalf("inconsistent %+v", ip)
		}
		out := make([]byte, ip.HeaderLen)
		if PutIPv4(out, &ip) != ip.HeaderLen {
			t.Fatal("PutIPv4 refused a parsed header")
		}
		// Everything but the checksum comes back; the checksum is PutIPv4's.
		want := append([]byte{}, b[:ip.HeaderLen]...)
		c := IPv4HeaderChecksum(want)
		want[10], want[11] = byte(c>>8), byte(c)
		if !bytes.Equal(out, want) {
			t.Fatalf("parse -> build\n% x\nwant\n% x", out, want)
		}
		if VerifyIPv4HeaderChecksum(b[:ip.HeaderLen]) != (ip.Checksum == c || Fold(Sum(b[:ip.HeaderLen], 0)) == 0) {
			t.Fatal("checksum verification disagrees with recomputation")
		}
	})
}

func FuzzParseIPv6(f *testing.F) {
	capturedSeeds(f, true)
	f.Add(ipv6Packet(f, ProtoHopByHop, "2b00050200000100 3c02000100000000fd000000000000000000000000000009 1100010400000000"+udpHdr))
	f.Add(ipv6Packet(f, ProtoFragment, "2c 00 0001 00000001 11 00 0001 00000001"+udpHdr))
	f.Add(ipv6Packet(f, ProtoAH, "06 04 0000 00001000 00000001 0102030405060708090a0b0c"+tcpHdr))
	f.Fuzz(func(t *testing.T, b []byte) {
		var ip IPv6
		err := ParseIPv6(b, &ip)
		if err != nil {
			if ip != (IPv6{}) {
				t.Fatalf("error %v with a result %+v", err, ip)
			}
			return
		}
		if ip.L4Offset < IPv6HeaderLen || ip.L4Offset > ip.TotalLen() || ip.TotalLen() > len(b) || ip.L4Offset%4 != 0 { // AH counts in 4-byte words
			t.Fatalf("inconsistent %+v", ip)
		}
		if ip.L4Offset == IPv6HeaderLen && ip.Protocol != ip.NextHeader {
			t.Fatalf("no extension header walked but protocol %d != next header %d", ip.Protocol, ip.NextHeader)
		}
		out := make([]byte, IPv6HeaderLen)
		if PutIPv6(out, &ip) != IPv6HeaderLen || !bytes.Equal(out, b[:IPv6HeaderLen]) {
			t.Fatal("parse -> build differs")
		}
	})
}

func FuzzParseOuter(f *testing.F) {
	f.Add(geneveFrame(f, tcpv4Packet(f), EtherTypeIPv4, 1))
	f.Add(geneveFrame(f, ipv6Packet(f, ProtoUDP, udpHdr), EtherTypeIPv6, 2))
	capturedSeeds(f, false)
	f.Fuzz(func(t *testing.T, b []byte) {
		var o Outer
		err := ParseOuter(b, &o)
		if err != nil {
			if o.InnerOffset != 0 || o.Geneve.HeaderLen != 0 || o.IP.HeaderLen != 0 {
				t.Fatalf("error %v with a result %+v", err, o)
			}
			return
		}
		if o.InnerOffset < o.GeneveOffset || o.InnerLen < 0 || o.InnerOffset+o.InnerLen > len(b) ||
			o.UDP.DstPort != GenevePort || o.IP.IsFragment() || !VerifyIPv4HeaderChecksum(b[o.IPOffset:o.UDPOffset]) {
			t.Fatalf("inconsistent %+v", o)
		}
		_ = o.VerifyUDPChecksum(b)
		var in Inner
		_ = ParseL3(b[o.InnerOffset:o.InnerOffset+o.InnerLen], &in)
	})
}

func FuzzParseTransport(f *testing.F) {
	f.Add(mustHex(f, tcpHdr))
	f.Add(mustHex(f, "9c40 01bb 00000001 00000000 7002 faf0 0000 0000 020405b4 01030307"))
	f.Add(mustHex(f, udpHdr))
	f.Add(mustHex(f, echo6Hdr))
	f.Fuzz(func(t *testing.T, b []byte) {
		var tcp TCP
		if err := ParseTCP(b, &tcp); err != nil {
			if tcp.HeaderLen != 0 || tcp.Options != nil {
				t.Fatalf("TCP error %v with a result", err)
			}
		} else {
			out := make([]byte, tcp.HeaderLen)
			if PutTCP(out, &tcp) != tcp.HeaderLen || !bytes.Equal(out, b[:tcp.HeaderLen]) {
				t.Fatalf("TCP parse -> build\n% x\n% x", out, b[:tcp.HeaderLen])
			}
		}
		var u UDP
		if err := ParseUDP(b, &u); err != nil {
			if u != (UDP{}) {
				t.Fatal("UDP error with a result")
			}
		} else {
			out := make([]byte, 8)
			if PutUDP(out, &u) != 8 || !bytes.Equal(out, b[:8]) {
				t.Fatal("UDP parse -> build differs")
			}
		}
		var m ICMP
		if err := ParseICMPv6(b, &m); (err == nil) != (len(b) >= ICMPHeaderLen) {
			t.Fatalf("ICMPv6 error %v for %d bytes", err, len(b))
		} else if err == nil {
			out := make([]byte, 8)
			if PutICMP(out, &m) != 8 || !bytes.Equal(out, b[:8]) {
				t.Fatal("ICMP parse -> build differs")
			}
		}
	})
}

// FuzzParseOuterFastPath: ParseOuter's fast path for GWLB's own layout
// gives exactly what the general path gives.
func FuzzParseOuterFastPath(f *testing.F) {
	f.Add(geneveFrame(f, tcpv4Packet(f), EtherTypeIPv4, 1))
	f.Add(geneveFrame(f, ipv6Packet(f, ProtoUDP, udpHdr), EtherTypeIPv6, 2))
	f.Add(append(geneveFrame(f, tcpv4Packet(f), EtherTypeIPv4, 3), 0, 0, 0, 0))
	f.Fuzz(func(t *testing.T, b []byte) {
		var fast, general Outer
		fastOK := fast.parseAWSFrame(b)
		err := general.parseGeneral(b)
		if fastOK && err != nil {
			t.Fatalf("fast path accepted what the general path rejects (%v)", err)
		}
		if fastOK && !reflect.DeepEqual(fast, general) {
			t.Fatalf("fast path\n%+v\ngeneral\n%+v", fast, general)
		}
	})
}
