package packet

import (
	"encoding/binary"
	"testing"
)

// TestHeaderOffsets: each named field offset reads back, from a frame the
// builders wrote, the value the parser reports for that field.
func TestHeaderOffsets(t *testing.T) {
	inner := tcpv4Packet(t)
	f := geneveFrame(t, inner, EtherTypeIPv4, 0xc0ffee)
	var o Outer
	if err := ParseOuter(f, &o); err != nil {
		t.Fatal(err)
	}
	if o.IPOffset != OuterIPv4Offset || o.UDPOffset != OuterUDPOffset || o.GeneveOffset != OuterGeneveOffset || o.InnerOffset != OuterInnerOffset {
		t.Fatalf("layers at %d %d %d %d, constants say %d %d %d %d", o.IPOffset, o.UDPOffset, o.GeneveOffset, o.InnerOffset,
			OuterIPv4Offset, OuterUDPOffset, OuterGeneveOffset, OuterInnerOffset)
	}
	be16 := func(off int) uint64 { return uint64(binary.BigEndian.Uint16(f[off:])) }
	be32 := func(off int) uint64 { return uint64(binary.BigEndian.Uint32(f[off:])) }
	ip, udp, g := OuterIPv4Offset, OuterUDPOffset, OuterGeneveOffset
	for _, c := range []struct {
		name      string
		got, want uint64
	}{
		{"Ethernet destination", uint64(f[EthernetDstOffset+5]), uint64(o.Eth.Dst[5])},
		{"Ethernet source", uint64(f[EthernetSrcOffset+5]), uint64(o.Eth.Src[5])},
		{"EtherType", be16(EthernetTypeOffset), uint64(o.Eth.EtherType)},
		{"IPv4 total length", be16(ip + IPv4TotalLenOffset), uint64(o.IP.TotalLen)},
		{"IPv4 id", be16(ip + IPv4IDOffset), uint64(o.IP.ID)},
		{"IPv4 flags", uint64(f[ip+IPv4FlagsOffset] >> 5), uint64(o.IP.Flags)},
		{"IPv4 TTL", uint64(f[ip+IPv4TTLOffset]), uint64(o.IP.TTL)},
		{"IPv4 protocol", uint64(f[ip+IPv4ProtocolOffset]), uint64(o.IP.Protocol)},
		{"IPv4 checksum", be16(ip + IPv4ChecksumOffset), uint64(o.IP.Checksum)},
		{"IPv4 source", be32(ip + IPv4SrcOffset), uint64(binary.BigEndian.Uint32(o.IP.Src[:]))},
		{"IPv4 destination", be32(ip + IPv4DstOffset), uint64(binary.BigEndian.Uint32(o.IP.Dst[:]))},
		{"UDP source port", be16(udp + UDPSrcPortOffset), uint64(o.UDP.SrcPort)},
		{"UDP destination port", be16(udp + UDPDstPortOffset), uint64(o.UDP.DstPort)},
		{"UDP length", be16(udp + UDPLengthOffset), uint64(o.UDP.Length)},
		{"UDP checksum", be16(udp + UDPChecksumOffset), uint64(o.UDP.Checksum)},
		{"Geneve flags", uint64(f[g+GeneveFlagsOffset]), uint64(o.Geneve.Flags)},
		{"Geneve protocol type", be16(g + GeneveProtocolTypeOffset), uint64(o.Geneve.ProtocolType)},
		{"Geneve VNI", be32(g+GeneveVNIOffset) >> 8, uint64(o.Geneve.VNI)},
		{"endpoint id", binary.BigEndian.Uint64(f[g+AWSEndpointIDOffset:]), o.Geneve.EndpointID},
		{"attachment id", binary.BigEndian.Uint64(f[g+AWSAttachmentIDOffset:]), o.Geneve.AttachmentID},
		{"flow cookie", be32(g + AWSFlowCookieOffset), uint64(o.Geneve.FlowCookie)},
	} {
		if c.got != c.want {
			t.Errorf("%s at its offset: %#x, parser says %#x", c.name, c.got, c.want)
		}
	}

	v6 := make([]byte, IPv6HeaderLen)
	PutIPv6(v6, &IPv6{PayloadLen: 0, NextHeader: ProtoNoNext, HopLimit: 255,
		Src: [16]byte{0: 0xfe, 1: 0x80, 15: 1}, Dst: [16]byte{0: 0xff, 1: 0x02, 15: 1}})
	var p6 IPv6
	if err := ParseIPv6(v6, &p6); err != nil {
		t.Fatal(err)
	}
	if int(binary.BigEndian.Uint16(v6[IPv6PayloadLenOffset:])) != int(p6.PayloadLen) || v6[IPv6NextHeaderOffset] != p6.NextHeader ||
		v6[IPv6HopLimitOffset] != p6.HopLimit || v6[IPv6SrcOffset] != p6.Src[0] || v6[IPv6DstOffset] != p6.Dst[0] ||
		v6[IPv6SrcOffset+15] != p6.Src[15] || v6[IPv6DstOffset+15] != p6.Dst[15] {
		t.Fatalf("IPv6 offsets disagree with the parser: % x vs %+v", v6, p6)
	}
}

// TestTCPAndVLANOffsets: the TCP and 802.1Q offsets read back what the
// builders wrote.
func TestTCPAndVLANOffsets(t *testing.T) {
	seg := make([]byte, TCPMinHeaderLen)
	in := TCP{HeaderLen: TCPMinHeaderLen, SrcPort: 40000, DstPort: 443, Seq: 0x01020304, Ack: 0x05060708, Flags: TCPSyn | TCPAck, Window: 0x1234, Urgent: 0x55aa}
	if PutTCP(seg, &in) != TCPMinHeaderLen {
		t.Fatal("PutTCP")
	}
	if binary.BigEndian.Uint16(seg[TCPSrcPortOffset:]) != in.SrcPort || binary.BigEndian.Uint16(seg[TCPDstPortOffset:]) != in.DstPort ||
		binary.BigEndian.Uint32(seg[TCPSeqOffset:]) != in.Seq || binary.BigEndian.Uint32(seg[TCPAckOffset:]) != in.Ack ||
		int(seg[TCPDataOffsetOffset]>>4)*4 != TCPMinHeaderLen || seg[TCPFlagsOffset] != in.Flags ||
		binary.BigEndian.Uint16(seg[TCPWindowOffset:]) != in.Window || binary.BigEndian.Uint16(seg[TCPUrgentOffset:]) != in.Urgent {
		t.Fatalf("TCP offsets disagree with PutTCP: % x", seg)
	}
	var out TCP
	binary.BigEndian.PutUint16(seg[TCPChecksumOffset:], 0xbeef)
	if ParseTCP(seg, &out) != nil || out.Checksum != 0xbeef {
		t.Fatalf("checksum offset: parsed %#x", out.Checksum)
	}
	f := make([]byte, EthernetVLANLen)
	PutEthernet(f, &Ethernet{HasVLAN: true, TCI: 0x2064, EtherType: EtherTypeIPv6})
	if binary.BigEndian.Uint16(f[EthernetTypeOffset:]) != EtherTypeVLAN || binary.BigEndian.Uint16(f[VLANTCIOffset:]) != 0x2064 ||
		binary.BigEndian.Uint16(f[VLANEtherTypeOffset:]) != EtherTypeIPv6 {
		t.Fatalf("802.1Q offsets disagree with PutEthernet: % x", f)
	}
}
