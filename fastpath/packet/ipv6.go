package packet

import "encoding/binary"

// IPv6HeaderLen is the length of the fixed IPv6 header.
const IPv6HeaderLen = 40

// IPv6 fixed header field offsets (RFC 8200 3).
const (
	IPv6PayloadLenOffset = 4  // 16 bits
	IPv6NextHeaderOffset = 6  // 8 bits
	IPv6HopLimitOffset   = 7  // 8 bits
	IPv6SrcOffset        = 8  // 128 bits
	IPv6DstOffset        = 24 // 128 bits
)

// MaxIPv6ExtensionHeaders bounds the extension header walk. RFC 8200 4.1
// recommends each header at most once (destination options twice); eight
// leaves room for that and keeps a hostile chain of tiny headers from
// costing more than a few nanoseconds per header.
const MaxIPv6ExtensionHeaders = 8

// IPv6 is a parsed IPv6 header with the result of walking its extension
// headers.
type IPv6 struct {
	TrafficClass uint8
	FlowLabel    uint32
	PayloadLen   uint16
	// NextHeader is the Next Header field of the fixed header.
	NextHeader uint8
	HopLimit   uint8
	Src, Dst   [16]byte

	// Protocol is the upper-layer protocol found after the extension
	// headers: TCP, UDP, ICMPv6, ..., ESP (not walked through) or No Next
	// Header (59).
	Protocol uint8
	// L4Offset is the offset from the start of the IPv6 header of the
	// upper-layer header (of the fragment data for a non-first fragment).
	L4Offset int
	// Fragment is true when a fragment header is present; FragOffset (in
	// bytes), MoreFragments and FragID come from it.
	Fragment      bool
	MoreFragments bool
	FragOffset    uint16
	FragID        uint32
}

// IsFirstFragment reports whether the packet is the first fragment of a
// fragmented datagram (offset 0): it carries the transport header.
func (ip *IPv6) IsFirstFragment() bool { return ip.Fragment && ip.FragOffset == 0 }

// TotalLen returns the packet length announced by the header (40 + payload).
func (ip *IPv6) TotalLen() int { return IPv6HeaderLen + int(ip.PayloadLen) }

// ParseIPv6 reads the IPv6 header at the start of b into ip and walks the
// extension headers (hop-by-hop, routing, fragment, destination options,
// AH, mobility, HIP, shim6) up to the upper-layer header. The walk stops at
// ESP, No Next Header, any other protocol, or after the fragment header of a
// non-first fragment. 40 + PayloadLen must fit in b (b may be longer).
// Jumbograms (payload length 0 with a hop-by-hop jumbo option) are not
// supported: the walk then fails with ErrTruncated.
func ParseIPv6(b []byte, ip *IPv6) error {
	if err := parseIPv6(b, ip); err != nil {
		*ip = IPv6{}
		return err
	}
	return nil
}

func parseIPv6(b []byte, ip *IPv6) error {
	if len(b) < IPv6HeaderLen {
		return ErrTruncated
	}
	if b[0]>>4 != 6 {
		return ErrVersion
	}
	pl := binary.BigEndian.Uint16(b[4:6])
	end := IPv6HeaderLen + int(pl)
	if end > len(b) {
		return ErrTruncated
	}
	var w ipv6Walk
	if err := w.walk(b[:end], b[6]); err != nil {
		return err
	}
	vtf := binary.BigEndian.Uint32(b[0:4])
	ip.TrafficClass = uint8(vtf >> 20)
	ip.FlowLabel = vtf & 0xfffff
	ip.PayloadLen = pl
	ip.NextHeader = b[6]
	ip.HopLimit = b[7]
	copy(ip.Src[:], b[8:24])
	copy(ip.Dst[:], b[24:40])
	ip.Protocol = w.proto
	ip.L4Offset = w.off
	ip.Fragment = w.fragment
	ip.MoreFragments = w.more
	ip.FragOffset = w.fragOff
	ip.FragID = w.fragID
	return nil
}

// ipv6Walk is the result of walking an extension header chain.
type ipv6Walk struct {
	proto    uint8
	off      int
	fragment bool
	more     bool
	fragOff  uint16
	fragID   uint32
}

// walk follows the chain starting with next at offset 40 of pkt, which is
// cut at the end announced by the payload length.
func (w *ipv6Walk) walk(pkt []byte, next uint8) error {
	off := IPv6HeaderLen
	for n := 0; ; n++ {
		switch next {
		case ProtoHopByHop, ProtoRouting, ProtoDstOpts, ProtoMobility, ProtoHIP, ProtoShim6, ProtoAH, ProtoFragment:
		default:
			w.proto, w.off = next, off
			return nil
		}
		if n == MaxIPv6ExtensionHeaders {
			return ErrExtensionHeaders
		}
		if off+8 > len(pkt) {
			return ErrTruncated
		}
		h := pkt[off:]
		var l int
		switch next {
		case ProtoFragment:
			if w.fragment {
				return ErrExtensionHeaders
			}
			fo := binary.BigEndian.Uint16(h[2:4])
			w.fragment = true
			w.fragOff = fo &^ 7 // offset in 8-byte units in the high 13 bits = bytes
			w.more = fo&1 != 0
			w.fragID = binary.BigEndian.Uint32(h[4:8])
			l = 8
			if w.fragOff != 0 {
				// A non-first fragment: what follows is the middle of
				// the original payload, not a header.
				w.proto, w.off = h[0], off+l
				return nil
			}
		case ProtoAH:
			l = (int(h[1]) + 2) * 4
		default:
			l = (int(h[1]) + 1) * 8
		}
		if off+l > len(pkt) {
			return ErrTruncated
		}
		next = h[0]
		off += l
	}
}

// PutIPv6 writes the fixed 40-byte IPv6 header of ip at the start of b and
// returns 40, or 0 if b is too short. Extension headers are the caller's:
// write them after the fixed header and set NextHeader accordingly.
func PutIPv6(b []byte, ip *IPv6) int {
	if len(b) < IPv6HeaderLen {
		return 0
	}
	binary.BigEndian.PutUint32(b[0:4], 6<<28|uint32(ip.TrafficClass)<<20|ip.FlowLabel&0xfffff)
	binary.BigEndian.PutUint16(b[4:6], ip.PayloadLen)
	b[6] = ip.NextHeader
	b[7] = ip.HopLimit
	copy(b[8:24], ip.Src[:])
	copy(b[24:40], ip.Dst[:])
	return IPv6HeaderLen
}
