package packet

import "encoding/binary"

// IP protocol numbers the fast path looks at.
const (
	ProtoHopByHop uint8 = 0
	ProtoICMP     uint8 = 1
	ProtoTCP      uint8 = 6
	ProtoUDP      uint8 = 17
	ProtoDCCP     uint8 = 33
	ProtoRouting  uint8 = 43
	ProtoFragment uint8 = 44
	ProtoESP      uint8 = 50
	ProtoAH       uint8 = 51
	ProtoICMPv6   uint8 = 58
	ProtoNoNext   uint8 = 59
	ProtoDstOpts  uint8 = 60
	ProtoMobility uint8 = 135
	ProtoSCTP     uint8 = 132
	ProtoUDPLite  uint8 = 136
	ProtoHIP      uint8 = 139
	ProtoShim6    uint8 = 140
)

// IPv4 header sizes and flags.
const (
	IPv4MinHeaderLen = 20
	IPv4MaxHeaderLen = 60
	// IPv4DontFragment and IPv4MoreFragments are the flag bits as stored in
	// IPv4.Flags (the three high bits of byte 6, shifted down).
	IPv4DontFragment  uint8 = 0x2
	IPv4MoreFragments uint8 = 0x1
)

// IPv4 header field offsets (RFC 791 3.1).
const (
	IPv4TotalLenOffset = 2  // 16 bits
	IPv4IDOffset       = 4  // 16 bits
	IPv4FlagsOffset    = 6  // flags and fragment offset, 16 bits
	IPv4TTLOffset      = 8  // 8 bits, then the protocol
	IPv4ProtocolOffset = 9  // 8 bits
	IPv4ChecksumOffset = 10 // 16 bits
	IPv4SrcOffset      = 12 // 32 bits
	IPv4DstOffset      = 16 // 32 bits
)

// IPv4 is a parsed IPv4 header.
type IPv4 struct {
	TOS      uint8
	TotalLen uint16
	ID       uint16
	// Flags holds the three flag bits: IPv4DontFragment, IPv4MoreFragments.
	Flags uint8
	// FragOffset is the fragment offset in bytes (the field times 8).
	FragOffset uint16
	TTL        uint8
	Protocol   uint8
	Checksum   uint16
	Src, Dst   [4]byte
	// HeaderLen is IHL*4: the payload starts there.
	HeaderLen int
	// Options aliases the option bytes of the parsed buffer (nil without
	// options). For PutIPv4 its length must be a multiple of 4, <= 40.
	Options []byte
}

// IsFragment reports whether the packet is a fragment (MF set or a
// non-zero offset).
func (ip *IPv4) IsFragment() bool { return ip.Flags&IPv4MoreFragments != 0 || ip.FragOffset != 0 }

// IsFirstFragment reports whether the packet is the first fragment of a
// fragmented datagram (MF set, offset 0): it carries the transport header.
func (ip *IPv4) IsFirstFragment() bool {
	return ip.Flags&IPv4MoreFragments != 0 && ip.FragOffset == 0
}

// ParseIPv4 reads the IPv4 header at the start of b into ip. It checks the
// version, IHL and total length (which must fit in b; b may be longer, as an
// Ethernet frame padded to 60 bytes is), but not the header checksum: call
// VerifyIPv4HeaderChecksum(b[:ip.HeaderLen]) where that matters.
func ParseIPv4(b []byte, ip *IPv4) error {
	if err := parseIPv4(b, ip); err != nil {
		*ip = IPv4{}
		return err
	}
	return nil
}

func parseIPv4(b []byte, ip *IPv4) error {
	if len(b) < IPv4MinHeaderLen {
		return ErrTruncated
	}
	if b[0]>>4 != 4 {
		return ErrVersion
	}
	hl := int(b[0]&0x0f) * 4
	if hl < IPv4MinHeaderLen {
		return ErrHeaderLength
	}
	if len(b) < hl {
		return ErrTruncated
	}
	tl := binary.BigEndian.Uint16(b[2:4])
	if int(tl) < hl {
		return ErrHeaderLength
	}
	if int(tl) > len(b) {
		return ErrTruncated
	}
	ip.TOS = b[1]
	ip.TotalLen = tl
	ip.ID = binary.BigEndian.Uint16(b[4:6])
	ff := binary.BigEndian.Uint16(b[6:8])
	ip.Flags = uint8(ff >> 13)
	ip.FragOffset = (ff & 0x1fff) << 3
	ip.TTL = b[8]
	ip.Protocol = b[9]
	ip.Checksum = binary.BigEndian.Uint16(b[10:12])
	copy(ip.Src[:], b[12:16])
	copy(ip.Dst[:], b[16:20])
	ip.HeaderLen = hl
	if hl > IPv4MinHeaderLen {
		ip.Options = b[IPv4MinHeaderLen:hl]
	} else {
		ip.Options = nil
	}
	return nil
}

// PutIPv4 writes ip as an IPv4 header (with ip.Options) at the start of b,
// computes its header checksum (ip.Checksum is ignored) and returns the
// header length, or 0 if b is too short, the options are not a multiple of
// 4 bytes or longer than 40, or FragOffset is not a multiple of 8.
// ip.TotalLen is written as given; ip.HeaderLen is ignored.
func PutIPv4(b []byte, ip *IPv4) int {
	hl := IPv4MinHeaderLen + len(ip.Options)
	if len(ip.Options)%4 != 0 || hl > IPv4MaxHeaderLen || ip.FragOffset%8 != 0 || len(b) < hl {
		return 0
	}
	b[0] = 0x40 | uint8(hl/4)
	b[1] = ip.TOS
	binary.BigEndian.PutUint16(b[2:4], ip.TotalLen)
	binary.BigEndian.PutUint16(b[4:6], ip.ID)
	binary.BigEndian.PutUint16(b[6:8], uint16(ip.Flags&0x7)<<13|ip.FragOffset>>3)
	b[8] = ip.TTL
	b[9] = ip.Protocol
	b[10], b[11] = 0, 0
	copy(b[12:16], ip.Src[:])
	copy(b[16:20], ip.Dst[:])
	copy(b[20:hl], ip.Options)
	binary.BigEndian.PutUint16(b[10:12], IPv4HeaderChecksum(b[:hl]))
	return hl
}
