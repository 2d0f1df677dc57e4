package packet

import "encoding/binary"

// Outer encapsulation sizes and the MTU they imply (spec section 1-2).
const (
	// OuterIPv4UDPLen is the outer IPv4 (no options) and UDP header.
	OuterIPv4UDPLen = IPv4MinHeaderLen + UDPHeaderLen
	// OuterOverhead is what GWLB adds to each inner packet: 20 + 8 + 40.
	OuterOverhead = OuterIPv4UDPLen + AWSGeneveHeaderLen
	// InnerMTU is the largest inner IP packet GWLB carries.
	InnerMTU = 8500
	// ApplianceMTU is the IP MTU an appliance network needs: 8568.
	ApplianceMTU = InnerMTU + OuterOverhead
	// OuterTTL is the TTL of outer packets (see the package doc).
	OuterTTL = 64
	// GeneveSourcePortMin is the lowest UDP source port GeneveSourcePort
	// returns: the IANA dynamic range 49152-65535.
	GeneveSourcePortMin = 49152
)

// Where each layer starts in a frame laid out as GWLB writes it and as the
// fast path expects it back: untagged Ethernet, IPv4 without options, UDP,
// the 40-byte Geneve header with the three AWS options, the inner packet.
const (
	OuterIPv4Offset   = EthernetHeaderLen                      // 14
	OuterUDPOffset    = OuterIPv4Offset + IPv4MinHeaderLen     // 34
	OuterGeneveOffset = OuterUDPOffset + UDPHeaderLen          // 42
	OuterInnerOffset  = OuterGeneveOffset + AWSGeneveHeaderLen // 82
)

// GeneveSourcePort maps a flow hash to the outer UDP source port: the top 14
// bits of hash select a port in 49152-65535. Pass a symmetric flow hash so
// both directions of a flow use one port; appliances that spread by RSS on
// the outer 5-tuple then keep a flow on one queue.
func GeneveSourcePort(hash uint32) uint16 {
	return GeneveSourcePortMin + uint16(hash>>18)
}

// PutOuterIPv4UDP writes the outer IPv4 and UDP headers at the start of b
// for a UDP payload (Geneve header + inner packet) of payloadLen bytes sent
// from src:srcPort to dst:6081: IPv4 without options, TOS 0, id 0, DF, TTL
// 64, protocol UDP, header checksum computed; UDP checksum 0. It returns 28,
// or 0 if b is too short or the datagram would exceed 65535 bytes.
func PutOuterIPv4UDP(b []byte, src, dst [4]byte, srcPort uint16, payloadLen int) int {
	if len(b) < OuterIPv4UDPLen || payloadLen < 0 || payloadLen > 0xffff-OuterIPv4UDPLen {
		return 0
	}
	_ = b[27]
	total := uint32(OuterIPv4UDPLen + payloadLen)
	// Words of the header as big-endian uint32s: version/IHL/TOS/length,
	// id/flags/offset, TTL/protocol/checksum.
	w0 := uint32(0x45)<<24 | total
	w1 := uint32(0x4000) // id 0, DF, offset 0
	w2 := uint32(OuterTTL)<<24 | uint32(ProtoUDP)<<16
	s := binary.BigEndian.Uint32(src[:])
	d := binary.BigEndian.Uint32(dst[:])
	// Header checksum over the five words, without a loop.
	sum := uint64(w0) + uint64(w1) + uint64(w2) + uint64(s) + uint64(d)
	sum = (sum >> 16) + (sum & 0xffff)
	sum = (sum >> 16) + (sum & 0xffff)
	sum = (sum >> 16) + (sum & 0xffff)
	w2 |= uint32(^uint16(sum))
	binary.BigEndian.PutUint32(b[0:4], w0)
	binary.BigEndian.PutUint32(b[4:8], w1)
	binary.BigEndian.PutUint32(b[8:12], w2)
	binary.BigEndian.PutUint32(b[12:16], s)
	binary.BigEndian.PutUint32(b[16:20], d)
	binary.BigEndian.PutUint32(b[20:24], uint32(srcPort)<<16|GenevePort)
	binary.BigEndian.PutUint32(b[24:28], uint32(UDPHeaderLen+payloadLen)<<16)
	return OuterIPv4UDPLen
}

// Outer is a parsed Geneve packet as it arrives on the appliance side:
// Ethernet, IPv4, UDP to port 6081, Geneve. Offsets are from the start of
// the frame passed to ParseOuter.
type Outer struct {
	Eth    Ethernet
	IP     IPv4
	UDP    UDP
	Geneve Geneve
	// IPOffset, UDPOffset, GeneveOffset and InnerOffset locate each layer.
	IPOffset     int
	UDPOffset    int
	GeneveOffset int
	InnerOffset  int
	// InnerLen is the length of the inner packet: what the UDP length
	// leaves after the Geneve header.
	InnerLen int
	// UDPChecksummed is true when the UDP checksum is not zero: call
	// VerifyUDPChecksum unless the NIC has verified it.
	UDPChecksummed bool
}

// ParseOuter reads a frame from the appliance side into o. A frame that is
// well formed but is not Geneve over IPv4/UDP to port 6081 (ARP, ICMP, other
// UDP or TCP, IPv6, ...) gives ErrNotGeneve, so the caller can hand it to
// the kernel; an IPv4 fragment gives ErrFragment (GWLB never fragments, so
// it is not reassembled). The outer IPv4 header checksum is verified
// (ErrChecksum); the UDP checksum is not (see Outer.UDPChecksummed).
func ParseOuter(frame []byte, o *Outer) error {
	if o.parseAWSFrame(frame) {
		return nil
	}
	return o.parseGeneral(frame)
}

// parseGeneral is ParseOuter without the fast path for GWLB's own layout.
func (o *Outer) parseGeneral(frame []byte) error {
	err := parseEthernet(frame, &o.Eth)
	if err == nil {
		if o.Eth.EtherType != EtherTypeIPv4 {
			err = ErrNotGeneve
		} else {
			err = o.parseIP(frame, o.Eth.HeaderLen)
		}
	}
	if err != nil {
		*o = Outer{}
	}
	return err
}

// parseAWSFrame reads, in one pass, a frame laid out exactly as GWLB and
// the appliances returning its packets write it: untagged Ethernet, IPv4
// without options and not fragmented, with a correct header checksum, UDP
// to 6081, and the 40-byte Geneve header with the three AWS options in
// GWLB's order. It reports false, leaving the general path to decide (and
// to name the error), for anything else. Its results are the general
// path's (FuzzParseOuterFastPath checks that).
func (o *Outer) parseAWSFrame(f []byte) bool {
	const (
		ipOff  = OuterIPv4Offset
		udpOff = OuterUDPOffset
		genOff = OuterGeneveOffset
		inOff  = OuterInnerOffset
	)
	if len(f) < inOff || binary.BigEndian.Uint16(f[12:14]) != EtherTypeIPv4 || f[ipOff] != 0x45 ||
		f[ipOff+9] != ProtoUDP || binary.BigEndian.Uint16(f[ipOff+6:ipOff+8])&0x3fff != 0 {
		return false
	}
	tl := int(binary.BigEndian.Uint16(f[ipOff+2 : ipOff+4]))
	ul := int(binary.BigEndian.Uint16(f[udpOff+4 : udpOff+6]))
	if tl > len(f)-ipOff || ul < UDPHeaderLen+AWSGeneveHeaderLen || ul > tl-IPv4MinHeaderLen ||
		binary.BigEndian.Uint16(f[udpOff+2:udpOff+4]) != GenevePort || f[genOff] != AWSOptionsLen/4 ||
		binary.BigEndian.Uint32(f[genOff+AWSEndpointIDOffset-4:]) != awsEndpointIDOptHdr ||
		binary.BigEndian.Uint32(f[genOff+AWSAttachmentIDOffset-4:]) != awsAttachmentIDOptHdr ||
		binary.BigEndian.Uint32(f[genOff+AWSFlowCookieOffset-4:]) != awsFlowCookieOptHdr ||
		fold20(f[ipOff:udpOff], true) != 0xffff {
		return false
	}
	copy(o.Eth.Dst[:], f[0:6])
	copy(o.Eth.Src[:], f[6:12])
	o.Eth.HasVLAN, o.Eth.TCI, o.Eth.EtherType, o.Eth.HeaderLen = false, 0, EtherTypeIPv4, EthernetHeaderLen

	ip := f[ipOff:udpOff]
	o.IP.TOS = ip[1]
	o.IP.TotalLen = uint16(tl)
	o.IP.ID = binary.BigEndian.Uint16(ip[4:6])
	o.IP.Flags = ip[6] >> 5
	o.IP.FragOffset = 0
	o.IP.TTL = ip[8]
	o.IP.Protocol = ProtoUDP
	o.IP.Checksum = binary.BigEndian.Uint16(ip[10:12])
	copy(o.IP.Src[:], ip[12:16])
	copy(o.IP.Dst[:], ip[16:20])
	o.IP.HeaderLen = IPv4MinHeaderLen
	o.IP.Options = nil

	u := f[udpOff:genOff]
	o.UDP.SrcPort = binary.BigEndian.Uint16(u[0:2])
	o.UDP.DstPort = GenevePort
	o.UDP.Length = uint16(ul)
	o.UDP.Checksum = binary.BigEndian.Uint16(u[6:8])

	g := f[genOff:inOff]
	o.Geneve.Flags = g[1]
	o.Geneve.ProtocolType = binary.BigEndian.Uint16(g[2:4])
	o.Geneve.VNI = binary.BigEndian.Uint32(g[4:8]) >> 8
	o.Geneve.Reserved = g[7]
	o.Geneve.HeaderLen = AWSGeneveHeaderLen
	o.Geneve.Options = g[GeneveBaseLen:AWSGeneveHeaderLen]
	o.Geneve.EndpointID = binary.BigEndian.Uint64(g[AWSEndpointIDOffset:])
	o.Geneve.AttachmentID = binary.BigEndian.Uint64(g[AWSAttachmentIDOffset:])
	o.Geneve.FlowCookie = binary.BigEndian.Uint32(g[AWSFlowCookieOffset:])
	o.Geneve.Present = AWSAllPresent
	o.Geneve.UnknownOptions = 0
	o.Geneve.UnknownCritical = false

	o.IPOffset, o.UDPOffset, o.GeneveOffset, o.InnerOffset = ipOff, udpOff, genOff, inOff
	o.InnerLen = ul - UDPHeaderLen - AWSGeneveHeaderLen
	o.UDPChecksummed = o.UDP.Checksum != 0
	return true
}

// ParseOuterIPv4 is ParseOuter for a packet that starts at the IPv4 header
// (o.Eth is left unchanged and IPOffset is 0).
func ParseOuterIPv4(pkt []byte, o *Outer) error {
	o.Eth = Ethernet{}
	if err := o.parseIP(pkt, 0); err != nil {
		*o = Outer{}
		return err
	}
	return nil
}

func (o *Outer) parseIP(frame []byte, ipOff int) error {
	p := frame[ipOff:]
	if err := parseIPv4(p, &o.IP); err != nil {
		return err
	}
	if o.IP.Protocol != ProtoUDP {
		return ErrNotGeneve
	}
	if !VerifyIPv4HeaderChecksum(p[:o.IP.HeaderLen]) {
		return ErrChecksum
	}
	if o.IP.IsFragment() {
		return ErrFragment
	}
	p = p[o.IP.HeaderLen:o.IP.TotalLen]
	if err := parseUDP(p, &o.UDP); err != nil {
		return err
	}
	if o.UDP.DstPort != GenevePort {
		return ErrNotGeneve
	}
	if err := parseGeneve(p[UDPHeaderLen:o.UDP.Length], &o.Geneve); err != nil {
		return err
	}
	o.IPOffset = ipOff
	o.UDPOffset = ipOff + o.IP.HeaderLen
	o.GeneveOffset = o.UDPOffset + UDPHeaderLen
	o.InnerOffset = o.GeneveOffset + o.Geneve.HeaderLen
	o.InnerLen = int(o.UDP.Length) - UDPHeaderLen - o.Geneve.HeaderLen
	o.UDPChecksummed = o.UDP.Checksum != 0
	return nil
}

// VerifyUDPChecksum reports whether the UDP checksum of the datagram o was
// parsed from (frame is the same slice given to ParseOuter) is correct. A
// zero checksum (none sent) is accepted.
func (o *Outer) VerifyUDPChecksum(frame []byte) bool {
	if o.UDP.Checksum == 0 {
		return true
	}
	end := o.UDPOffset + int(o.UDP.Length)
	if o.UDPOffset < 0 || end > len(frame) || o.UDPOffset > end {
		return false
	}
	seg := frame[o.UDPOffset:end]
	return Fold(Sum(seg, PseudoHeaderSumIPv4(o.IP.Src, o.IP.Dst, ProtoUDP, len(seg)))) == 0
}
