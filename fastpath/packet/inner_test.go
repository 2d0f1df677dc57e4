package packet

import (
	"errors"
	"testing"
)

// tcpv4Packet is a TCP SYN from 10.1.0.1:40000 to 10.2.0.2:443 with an
// MSS option and 5 bytes of payload (a 49-byte IPv4 packet).
func tcpv4Packet(t testing.TB) []byte {
	t.Helper()
	return mustHex(t, `
45 00 00 31 12 34 40 00 40 06 00 00 0a 01 00 01 0a 02 00 02   # IPv4, checksum filled below
9c 40 01 bb 00 00 00 01 00 00 00 00 60 02 fa f0 00 00 00 00   # TCP SYN, data offset 6
02 04 05 b4                                                   # MSS 1460
68 65 6c 6c 6f`)
}

func withIPv4Checksum(b []byte) []byte {
	c := IPv4HeaderChecksum(b[:int(b[0]&0xf)*4])
	b[10], b[11] = byte(c>>8), byte(c)
	return b
}

// ipv6Packet builds an IPv6 packet fd00::1 -> fd00::2 with the given first
// next header and the bytes after the fixed header.
func ipv6Packet(t testing.TB, next uint8, rest string) []byte {
	t.Helper()
	r := mustHex(t, rest)
	b := make([]byte, 40+len(r))
	PutIPv6(b, &IPv6{PayloadLen: uint16(len(r)), NextHeader: next, HopLimit: 64,
		Src: [16]byte{0: 0xfd, 15: 1}, Dst: [16]byte{0: 0xfd, 15: 2}})
	copy(b[40:], r)
	return b
}

const (
	udpHdr   = "d4 31 00 35 00 0c 00 00 61 62 63 64"                // 54321 -> 53, 4 bytes
	tcpHdr   = "01 bb 9c 40 00000001 00000002 50 12 ffff 0000 0000" // 443 -> 40000 SYN|ACK
	echo6Hdr = "80 00 0000 1234 0001"                               // ICMPv6 echo request id 0x1234
)

func TestParseL3(t *testing.T) {
	v4 := withIPv4Checksum(tcpv4Packet(t))
	icmp4 := withIPv4Checksum(mustHex(t, "45000020 abcd 0000 4001 0000 c0a80001 c0a80002  08 00 0000 beef 0001 00000000"))
	frag4first := withIPv4Checksum(mustHex(t, "45000024 0777 2000 4011 0000 0a000001 0a000002  1000 2000 0010 0000 01020304 05060708"))
	frag4later := withIPv4Checksum(mustHex(t, "45000018 0777 0003 4011 0000 0a000001 0a000002  1000 2000 0010 0000"))
	opts4 := withIPv4Checksum(mustHex(t, "46000020 0001 0000 4011 0000 0a000001 0a000002 94040000  0035 0035 000c 0000"))
	gre4 := withIPv4Checksum(mustHex(t, "45000018 0001 0000 402f 0000 0a000001 0a000002  00000800"))
	ip6src, ip6dst := [16]byte{0: 0xfd, 15: 1}, [16]byte{0: 0xfd, 15: 2}

	for _, tc := range []struct {
		name string
		b    []byte
		want Inner
	}{
		{"tcp ipv4 syn", v4, Inner{Src: mapped(ip4(10, 1, 0, 1)), Dst: mapped(ip4(10, 2, 0, 2)), SrcPort: 40000, DstPort: 443,
			FragID: 0x1234, L4Offset: 20, TotalLen: 49, Version: 4, Protocol: ProtoTCP, TCPFlags: TCPSyn, Flags: InnerHasPorts}},
		{"tcp ipv4 with ethernet padding", append(append([]byte{}, v4...), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), Inner{Src: mapped(ip4(10, 1, 0, 1)), Dst: mapped(ip4(10, 2, 0, 2)), SrcPort: 40000, DstPort: 443,
			FragID: 0x1234, L4Offset: 20, TotalLen: 49, Version: 4, Protocol: ProtoTCP, TCPFlags: TCPSyn, Flags: InnerHasPorts}},
		{"icmp echo", icmp4, Inner{Src: mapped(ip4(192, 168, 0, 1)), Dst: mapped(ip4(192, 168, 0, 2)), SrcPort: 0xbeef, DstPort: 0xbeef,
			FragID: 0xabcd, L4Offset: 20, TotalLen: 32, Version: 4, Protocol: ProtoICMP, ICMPType: ICMPEchoRequest, Flags: InnerEcho}},
		{"ipv4 first fragment", frag4first, Inner{Src: mapped(ip4(10, 0, 0, 1)), Dst: mapped(ip4(10, 0, 0, 2)), SrcPort: 0x1000, DstPort: 0x2000,
			FragID: 0x0777, L4Offset: 20, TotalLen: 36, Version: 4, Protocol: ProtoUDP,
			Flags: InnerFragment | InnerFirstFragment | InnerMoreFragments | InnerHasPorts}},
		{"ipv4 later fragment", frag4later, Inner{Src: mapped(ip4(10, 0, 0, 1)), Dst: mapped(ip4(10, 0, 0, 2)),
			FragID: 0x0777, FragOffset: 24, L4Offset: 20, TotalLen: 24, Version: 4, Protocol: ProtoUDP, Flags: InnerFragment}},
		{"ipv4 options", opts4, Inner{Src: mapped(ip4(10, 0, 0, 1)), Dst: mapped(ip4(10, 0, 0, 2)), SrcPort: 53, DstPort: 53,
			FragID: 1, L4Offset: 24, TotalLen: 32, Version: 4, Protocol: ProtoUDP, Flags: InnerHasPorts}},
		{"ipv4 gre", gre4, Inner{Src: mapped(ip4(10, 0, 0, 1)), Dst: mapped(ip4(10, 0, 0, 2)),
			FragID: 1, L4Offset: 20, TotalLen: 24, Version: 4, Protocol: 47}},
		{"ipv6 udp", ipv6Packet(t, ProtoUDP, udpHdr), Inner{Src: ip6src, Dst: ip6dst, SrcPort: 54321, DstPort: 53,
			L4Offset: 40, TotalLen: 52, Version: 6, Protocol: ProtoUDP, Flags: InnerHasPorts}},
		{"ipv6 tcp", ipv6Packet(t, ProtoTCP, tcpHdr), Inner{Src: ip6src, Dst: ip6dst, SrcPort: 443, DstPort: 40000,
			L4Offset: 40, TotalLen: 60, Version: 6, Protocol: ProtoTCP, TCPFlags: TCPSyn | TCPAck, Flags: InnerHasPorts}},
		{"ipv6 echo", ipv6Packet(t, ProtoICMPv6, echo6Hdr), Inner{Src: ip6src, Dst: ip6dst, SrcPort: 0x1234, DstPort: 0x1234,
			L4Offset: 40, TotalLen: 48, Version: 6, Protocol: ProtoICMPv6, ICMPType: ICMPv6EchoRequest, Flags: InnerEcho}},
		{"ipv6 hop-by-hop, routing, dstopts", ipv6Packet(t, ProtoHopByHop,
			"2b 00 05 02 00 00 01 00"+ // hop-by-hop -> routing; router alert + padN
				"3c 02 00 01 00000000 fd000000000000000000000000000009"+ // routing (24 bytes) -> dstopts
				"11 00 01 04 00000000"+ // dstopts -> UDP; padN 4
				udpHdr), Inner{Src: ip6src, Dst: ip6dst, SrcPort: 54321, DstPort: 53,
			L4Offset: 80, TotalLen: 92, Version: 6, Protocol: ProtoUDP, Flags: InnerHasPorts}},
		{"ipv6 ah", ipv6Packet(t, ProtoAH, "06 04 0000 00001000 00000001 0102030405060708090a0b0c"+tcpHdr), Inner{Src: ip6src, Dst: ip6dst, SrcPort: 443, DstPort: 40000,
			L4Offset: 64, TotalLen: 84, Version: 6, Protocol: ProtoTCP, TCPFlags: TCPSyn | TCPAck, Flags: InnerHasPorts}},
		{"ipv6 esp", ipv6Packet(t, ProtoESP, "00001000 00000001 cafebabe"), Inner{Src: ip6src, Dst: ip6dst,
			L4Offset: 40, TotalLen: 52, Version: 6, Protocol: ProtoESP}},
		{"ipv6 first fragment", ipv6Packet(t, ProtoFragment, "11 00 0001 89abcdef"+udpHdr), Inner{Src: ip6src, Dst: ip6dst, SrcPort: 54321, DstPort: 53,
			FragID: 0x89abcdef, L4Offset: 48, TotalLen: 60, Version: 6, Protocol: ProtoUDP,
			Flags: InnerFragment | InnerFirstFragment | InnerMoreFragments | InnerHasPorts}},
		{"ipv6 later fragment", ipv6Packet(t, ProtoFragment, "11 00 0588 89abcdef 00112233"), Inner{Src: ip6src, Dst: ip6dst,
			FragID: 0x89abcdef, FragOffset: 0x588, L4Offset: 48, TotalLen: 52, Version: 6, Protocol: ProtoUDP, Flags: InnerFragment}},
		{"ipv6 no next header", ipv6Packet(t, ProtoNoNext, ""), Inner{Src: ip6src, Dst: ip6dst,
			L4Offset: 40, TotalLen: 40, Version: 6, Protocol: ProtoNoNext}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var in Inner
			if err := ParseL3(tc.b, &in); err != nil {
				t.Fatal(err)
			}
			if in != tc.want {
				t.Fatalf("got  %+v\nwant %+v", in, tc.want)
			}
		})
	}
}

func TestParseL3Errors(t *testing.T) {
	v4 := withIPv4Checksum(tcpv4Packet(t))
	set := func(b []byte, i int, v byte) []byte {
		c := append([]byte{}, b...)
		c[i] = v
		return c
	}
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"version 5", set(v4, 0, 0x55), ErrVersion},
		{"ipv4 19 bytes", v4[:19], ErrTruncated},
		{"ihl 4", set(v4, 0, 0x44), ErrHeaderLength},
		{"total length below ihl", set(v4, 3, 0x10), ErrHeaderLength},
		{"total length past buffer", v4[:48], ErrTruncated},
		{"tcp header cut", withIPv4Checksum(set(set(v4[:39], 3, 39), 0, 0x45)), ErrTruncated},
		{"udp first fragment too short", withIPv4Checksum(mustHex(t, "4500001a 0777 2000 4011 0000 0a000001 0a000002  1000 2000 0010")), ErrFragment},
		{"ipv6 39 bytes", ipv6Packet(t, ProtoUDP, "")[:39], ErrTruncated},
		{"ipv6 payload past buffer", ipv6Packet(t, ProtoUDP, udpHdr)[:51], ErrTruncated},
		{"ipv6 udp cut", ipv6Packet(t, ProtoUDP, "d431 0035"), ErrTruncated},
		{"ipv6 ext header past payload", ipv6Packet(t, ProtoHopByHop, "11 01 000000000000"), ErrTruncated},
		{"ipv6 two fragment headers", ipv6Packet(t, ProtoFragment, "2c 00 0001 00000001 11 00 0001 00000001"+udpHdr), ErrExtensionHeaders},
		{"ipv6 nine extension headers", ipv6Packet(t, ProtoDstOpts,
			"3c00000000000000 3c00000000000000 3c00000000000000 3c00000000000000 "+
				"3c00000000000000 3c00000000000000 3c00000000000000 3c00000000000000 1100000000000000"+udpHdr), ErrExtensionHeaders},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := Inner{Version: 9, SrcPort: 1}
			err := ParseL3(tc.b, &in)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if in != (Inner{}) {
				t.Fatalf("failed parse left a result: %+v", in)
			}
		})
	}
	// Eight extension headers are allowed.
	var in Inner
	eight := ipv6Packet(t, ProtoDstOpts, "3c00000000000000 3c00000000000000 3c00000000000000 3c00000000000000 "+
		"3c00000000000000 3c00000000000000 3c00000000000000 1100000000000000"+udpHdr)
	if err := ParseL3(eight, &in); err != nil || in.L4Offset != 40+64 || in.DstPort != 53 {
		t.Fatalf("eight extension headers: %v %+v", err, in)
	}
}
