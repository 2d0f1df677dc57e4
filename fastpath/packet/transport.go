package packet

import "encoding/binary"

// Transport header sizes.
const (
	TCPMinHeaderLen = 20
	TCPMaxHeaderLen = 60
	UDPHeaderLen    = 8
	ICMPHeaderLen   = 8 // type, code, checksum and the 4-byte rest of header
)

// TCP flag bits as found in byte 13 of the header.
const (
	TCPFin uint8 = 0x01
	TCPSyn uint8 = 0x02
	TCPRst uint8 = 0x04
	TCPPsh uint8 = 0x08
	TCPAck uint8 = 0x10
	TCPUrg uint8 = 0x20
	TCPEce uint8 = 0x40
	TCPCwr uint8 = 0x80
)

// TCP is a parsed TCP header.
type TCP struct {
	SrcPort, DstPort uint16
	Seq, Ack         uint32
	// HeaderLen is the data offset in bytes (20-60): the payload starts there.
	HeaderLen int
	// Reserved holds the low four bits of byte 12 (reserved bits and the
	// AE/NS bit), kept so that parse -> build gives the same bytes.
	Reserved uint8
	Flags    uint8
	Window   uint16
	Checksum uint16
	Urgent   uint16
	// Options aliases the option bytes of the parsed buffer (nil without
	// options). For PutTCP its length must be a multiple of 4, <= 40.
	Options []byte
}

// ParseTCP reads the TCP header at the start of b into t.
func ParseTCP(b []byte, t *TCP) error {
	if err := parseTCP(b, t); err != nil {
		*t = TCP{}
		return err
	}
	return nil
}

func parseTCP(b []byte, t *TCP) error {
	if len(b) < TCPMinHeaderLen {
		return ErrTruncated
	}
	hl := int(b[12]>>4) * 4
	if hl < TCPMinHeaderLen {
		return ErrHeaderLength
	}
	if len(b) < hl {
		return ErrTruncated
	}
	t.SrcPort = binary.BigEndian.Uint16(b[0:2])
	t.DstPort = binary.BigEndian.Uint16(b[2:4])
	t.Seq = binary.BigEndian.Uint32(b[4:8])
	t.Ack = binary.BigEndian.Uint32(b[8:12])
	t.HeaderLen = hl
	t.Reserved = b[12] & 0x0f
	t.Flags = b[13]
	t.Window = binary.BigEndian.Uint16(b[14:16])
	t.Checksum = binary.BigEndian.Uint16(b[16:18])
	t.Urgent = binary.BigEndian.Uint16(b[18:20])
	if hl > TCPMinHeaderLen {
		t.Options = b[TCPMinHeaderLen:hl]
	} else {
		t.Options = nil
	}
	return nil
}

// PutTCP writes t (with t.Options and t.Checksum as given) at the start of b
// and returns the header length, or 0 if b is too short or the options are
// not a multiple of 4 bytes or longer than 40. Compute the checksum with
// TransportChecksum over the whole segment after writing it.
func PutTCP(b []byte, t *TCP) int {
	hl := TCPMinHeaderLen + len(t.Options)
	if len(t.Options)%4 != 0 || hl > TCPMaxHeaderLen || len(b) < hl {
		return 0
	}
	binary.BigEndian.PutUint16(b[0:2], t.SrcPort)
	binary.BigEndian.PutUint16(b[2:4], t.DstPort)
	binary.BigEndian.PutUint32(b[4:8], t.Seq)
	binary.BigEndian.PutUint32(b[8:12], t.Ack)
	b[12] = uint8(hl/4)<<4 | t.Reserved&0x0f
	b[13] = t.Flags
	binary.BigEndian.PutUint16(b[14:16], t.Window)
	binary.BigEndian.PutUint16(b[16:18], t.Checksum)
	binary.BigEndian.PutUint16(b[18:20], t.Urgent)
	copy(b[20:hl], t.Options)
	return hl
}

// TCP header field offsets (RFC 9293 3.1).
const (
	TCPSrcPortOffset    = 0  // 16 bits
	TCPDstPortOffset    = 2  // 16 bits
	TCPSeqOffset        = 4  // 32 bits
	TCPAckOffset        = 8  // 32 bits
	TCPDataOffsetOffset = 12 // data offset (high 4 bits)
	TCPFlagsOffset      = 13 // 8 bits: TCPFin ... TCPCwr
	TCPWindowOffset     = 14 // 16 bits
	TCPChecksumOffset   = 16 // 16 bits
	TCPUrgentOffset     = 18 // 16 bits
)

// UDP header field offsets (RFC 768), each 16 bits.
const (
	UDPSrcPortOffset  = 0
	UDPDstPortOffset  = 2
	UDPLengthOffset   = 4
	UDPChecksumOffset = 6
)

// UDP is a parsed UDP header.
type UDP struct {
	SrcPort, DstPort uint16
	// Length covers header and payload.
	Length   uint16
	Checksum uint16
}

// ParseUDP reads the UDP header at the start of b into u. Length must be at
// least 8 and fit in b (b may be longer).
func ParseUDP(b []byte, u *UDP) error {
	if err := parseUDP(b, u); err != nil {
		*u = UDP{}
		return err
	}
	return nil
}

func parseUDP(b []byte, u *UDP) error {
	if len(b) < UDPHeaderLen {
		return ErrTruncated
	}
	l := binary.BigEndian.Uint16(b[4:6])
	if l < UDPHeaderLen {
		return ErrHeaderLength
	}
	if int(l) > len(b) {
		return ErrTruncated
	}
	u.SrcPort = binary.BigEndian.Uint16(b[0:2])
	u.DstPort = binary.BigEndian.Uint16(b[2:4])
	u.Length = l
	u.Checksum = binary.BigEndian.Uint16(b[6:8])
	return nil
}

// PutUDP writes u at the start of b and returns 8, or 0 if b is too short.
func PutUDP(b []byte, u *UDP) int {
	if len(b) < UDPHeaderLen {
		return 0
	}
	binary.BigEndian.PutUint16(b[0:2], u.SrcPort)
	binary.BigEndian.PutUint16(b[2:4], u.DstPort)
	binary.BigEndian.PutUint16(b[4:6], u.Length)
	binary.BigEndian.PutUint16(b[6:8], u.Checksum)
	return UDPHeaderLen
}

// UDPChecksumIPv4 returns the UDP checksum of segment (header with a zero
// checksum field, plus payload) sent from src to dst, with a computed 0
// sent as 0xffff (RFC 768: 0 means "no checksum").
func UDPChecksumIPv4(src, dst [4]byte, segment []byte) uint16 {
	c := TransportChecksum(PseudoHeaderSumIPv4(src, dst, ProtoUDP, len(segment)), segment)
	if c == 0 {
		return 0xffff
	}
	return c
}

// UDPChecksumIPv6 is UDPChecksumIPv4 for IPv6 (where the checksum is
// mandatory).
func UDPChecksumIPv6(src, dst [16]byte, segment []byte) uint16 {
	c := TransportChecksum(PseudoHeaderSumIPv6(src, dst, ProtoUDP, len(segment)), segment)
	if c == 0 {
		return 0xffff
	}
	return c
}

// ICMP and ICMPv6 message types the fast path distinguishes.
const (
	ICMPEchoReply               uint8 = 0
	ICMPUnreachable             uint8 = 3
	ICMPEchoRequest             uint8 = 8
	ICMPTimeExceeded            uint8 = 11
	ICMPv6Unreachable           uint8 = 1
	ICMPv6PacketTooBig          uint8 = 2
	ICMPv6TimeExceeded          uint8 = 3
	ICMPv6EchoRequest           uint8 = 128
	ICMPv6EchoReply             uint8 = 129
	ICMPv6RouterSolicitation    uint8 = 133
	ICMPv6RouterAdvertisement   uint8 = 134
	ICMPv6NeighborSolicitation  uint8 = 135
	ICMPv6NeighborAdvertisement uint8 = 136
	ICMPv6Redirect              uint8 = 137
)

// ICMP is a parsed ICMP (IPv4) or ICMPv6 header: the 8 bytes every message
// of either protocol starts with.
type ICMP struct {
	// V6 is true when parsed by ParseICMPv6.
	V6       bool
	Type     uint8
	Code     uint8
	Checksum uint16
	// Rest is bytes 4-7: identifier and sequence for echo messages, MTU
	// for "packet too big", unused for most errors.
	Rest uint32
}

// IsEcho reports whether the message is an echo request or reply.
func (m *ICMP) IsEcho() bool {
	if m.V6 {
		return m.Type == ICMPv6EchoRequest || m.Type == ICMPv6EchoReply
	}
	return m.Type == ICMPEchoRequest || m.Type == ICMPEchoReply
}

// EchoID returns the echo identifier (meaningful when IsEcho).
func (m *ICMP) EchoID() uint16 { return uint16(m.Rest >> 16) }

// EchoSeq returns the echo sequence number (meaningful when IsEcho).
func (m *ICMP) EchoSeq() uint16 { return uint16(m.Rest) }

// ParseICMP reads the ICMP (IPv4) header at the start of b into m.
func ParseICMP(b []byte, m *ICMP) error { return parseICMP(b, m, false) }

// ParseICMPv6 reads the ICMPv6 header at the start of b into m.
func ParseICMPv6(b []byte, m *ICMP) error { return parseICMP(b, m, true) }

func parseICMP(b []byte, m *ICMP, v6 bool) error {
	if len(b) < ICMPHeaderLen {
		*m = ICMP{}
		return ErrTruncated
	}
	m.V6 = v6
	m.Type = b[0]
	m.Code = b[1]
	m.Checksum = binary.BigEndian.Uint16(b[2:4])
	m.Rest = binary.BigEndian.Uint32(b[4:8])
	return nil
}

// PutICMP writes the 8-byte header of m (either family; m.Checksum as
// given) at the start of b and returns 8, or 0 if b is too short. Compute
// the checksum over the whole message afterwards: Checksum(msg) for ICMP,
// TransportChecksum(PseudoHeaderSumIPv6(src, dst, ProtoICMPv6, len(msg)),
// msg) for ICMPv6.
func PutICMP(b []byte, m *ICMP) int {
	if len(b) < ICMPHeaderLen {
		return 0
	}
	b[0] = m.Type
	b[1] = m.Code
	binary.BigEndian.PutUint16(b[2:4], m.Checksum)
	binary.BigEndian.PutUint32(b[4:8], m.Rest)
	return ICMPHeaderLen
}
