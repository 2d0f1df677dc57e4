package engine

import (
	"encoding/binary"

	"github.com/gwlbctl/gwlbctl/fastpath/packet"
)

// Encapsulation copies prebuilt headers instead of building them per
// packet: each target's outer Ethernet+IPv4+UDP header and each endpoint's
// Geneve header are built once per snapshot (NewConfig) with the builders
// of fastpath/packet; per packet putEncap copies both and fills in the few
// fields that vary. The result is byte for byte what packet.PutEthernet,
// packet.PutOuterIPv4UDP and packet.PutGeneveAWS write (the golden tests
// hold it so).

// outerHdrLen is the outer Ethernet, IPv4 and UDP header of an
// encapsulated packet: where the Geneve header starts.
const outerHdrLen = packet.OuterGeneveOffset

// Where putEncap writes the per-packet fields, from the start of the
// encapsulated frame.
const (
	tmplIPTotalLen = packet.OuterIPv4Offset + packet.IPv4TotalLenOffset
	tmplIPChecksum = packet.OuterIPv4Offset + packet.IPv4ChecksumOffset
	tmplUDPSrcPort = packet.OuterUDPOffset + packet.UDPSrcPortOffset
	tmplUDPLength  = packet.OuterUDPOffset + packet.UDPLengthOffset
	tmplProtoType  = packet.OuterGeneveOffset + packet.GeneveProtocolTypeOffset
	tmplFlowCookie = packet.OuterGeneveOffset + packet.AWSFlowCookieOffset
)

// outerTemplate is the outer Ethernet+IPv4+UDP header of packets to one
// target (next-hop MAC, node MAC, node and target addresses) with the IPv4
// total length and checksum, the UDP source port and length zero; sum is
// the one's complement sum of its IPv4 header words, so a packet's
// checksum is that sum plus its total length, folded. sum is folded to 16
// bits.
type outerTemplate struct {
	hdr [outerHdrLen]byte
	sum uint32
}

// build fills t for packets from the node (nodeMAC, nodeIP) to target
// address dstIP through next hop dstMAC.
func (t *outerTemplate) build(dstMAC, nodeMAC [6]byte, nodeIP, dstIP [4]byte) {
	h := &t.hdr
	packet.PutEthernet(h[:packet.OuterIPv4Offset], &packet.Ethernet{Dst: dstMAC, Src: nodeMAC, EtherType: packet.EtherTypeIPv4})
	ip := h[packet.OuterIPv4Offset:]
	packet.PutOuterIPv4UDP(ip, nodeIP, dstIP, 0, 0)
	ip[packet.IPv4TotalLenOffset], ip[packet.IPv4TotalLenOffset+1] = 0, 0
	ip[packet.IPv4ChecksumOffset], ip[packet.IPv4ChecksumOffset+1] = 0, 0
	udp := ip[packet.IPv4MinHeaderLen:]
	udp[packet.UDPLengthOffset], udp[packet.UDPLengthOffset+1] = 0, 0
	sum := uint32(0)
	for i := 0; i < packet.IPv4MinHeaderLen; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(ip[i:]))
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	t.sum = sum
}

// geneveTemplate is an endpoint's Geneve header with the AWS options, the
// protocol type and the flow cookie zero. (A struct, not a bare array: the
// compiler copies an array field inline, but calls memmove to copy one
// array pointer's target to another, which may overlap it.)
type geneveTemplate struct {
	hdr [packet.AWSGeneveHeaderLen]byte
}

func newGeneveTemplate(e *Endpoint) (g geneveTemplate) {
	packet.PutGeneveAWS(g.hdr[:], 0, e.ID, e.AttachmentID, 0)
	return g
}

// putEncap writes the outer headers of an encapsulated packet into b, the
// OuterHeadroom bytes in front of its inner IP packet of innerLen bytes:
// the target's and the endpoint's templates, then the IPv4 total length
// and checksum, the UDP source port and length, the Geneve protocol type
// (the inner packet's EtherType) and the flow cookie.
func putEncap(b *[OuterHeadroom]byte, t *outerTemplate, g *geneveTemplate, innerLen int, sport, etype uint16, cookie uint32) {
	*(*[outerHdrLen]byte)(b[:outerHdrLen]) = t.hdr
	*(*[packet.AWSGeneveHeaderLen]byte)(b[outerHdrLen:]) = g.hdr
	total := uint32(packet.OuterOverhead + innerLen)
	// t.sum is folded and total < 1<<16, so one end-around carry folds
	// their sum (at most 0x1fffe) into 16 bits.
	sum := t.sum + total
	sum += sum >> 16
	binary.BigEndian.PutUint16(b[tmplIPTotalLen:], uint16(total))
	binary.BigEndian.PutUint16(b[tmplIPChecksum:], ^uint16(sum))
	binary.BigEndian.PutUint16(b[tmplUDPSrcPort:], sport)
	binary.BigEndian.PutUint16(b[tmplUDPLength:], uint16(total-packet.IPv4MinHeaderLen))
	binary.BigEndian.PutUint16(b[tmplProtoType:], etype)
	binary.BigEndian.PutUint32(b[tmplFlowCookie:], cookie)
}
