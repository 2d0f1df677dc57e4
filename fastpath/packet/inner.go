package packet

import "encoding/binary"

// Inner.Flags bits.
const (
	// InnerFragment: the packet is an IPv4 fragment (MF or offset set) or
	// carries an IPv6 fragment header.
	InnerFragment uint8 = 1 << 0
	// InnerFirstFragment: a fragment with offset 0; it carries the
	// transport header, so ports are filled.
	InnerFirstFragment uint8 = 1 << 1
	// InnerMoreFragments: the MF bit / M flag.
	InnerMoreFragments uint8 = 1 << 2
	// InnerHasPorts: SrcPort and DstPort are transport ports (TCP, UDP,
	// UDP-Lite, SCTP, DCCP).
	InnerHasPorts uint8 = 1 << 3
	// InnerEcho: an ICMP or ICMPv6 echo request or reply; SrcPort and
	// DstPort both hold the echo identifier.
	InnerEcho uint8 = 1 << 4
)

// Inner is the summary of an inner IP packet the fast path needs for flow
// lookup, filled by ParseL3 in one pass. See the package doc for how IPv4
// addresses and ICMP echo identifiers are stored.
type Inner struct {
	// Src and Dst are the IP addresses; IPv4 ones IPv4-mapped
	// (::ffff:a.b.c.d).
	Src, Dst [16]byte
	// SrcPort and DstPort: transport ports when Flags has InnerHasPorts,
	// the echo identifier (both) when it has InnerEcho, else 0.
	SrcPort, DstPort uint16
	// FragID is the IPv4 identification or the IPv6 fragment header's
	// identification; meaningful with InnerFragment.
	FragID uint32
	// FragOffset is the fragment offset in bytes.
	FragOffset uint16
	// L4Offset is where the transport header (or, for a non-first
	// fragment, the fragment data) starts, from the start of the packet.
	L4Offset uint16
	// TotalLen is the packet length announced by the IP header (IPv4 total
	// length, IPv6 40 + payload length); the buffer may be longer
	// (Ethernet padding), never shorter.
	TotalLen uint32
	// Version is 4 or 6.
	Version uint8
	// Protocol is the transport protocol (for IPv6 after the extension
	// headers).
	Protocol uint8
	// TCPFlags holds byte 13 of the TCP header (TCPSyn, TCPAck, ...).
	TCPFlags uint8
	// ICMPType and ICMPCode are set for ICMP and ICMPv6.
	ICMPType, ICMPCode uint8
	// Flags holds the Inner* bits.
	Flags uint8
}

// IsFragment reports whether the packet is a fragment.
func (in *Inner) IsFragment() bool { return in.Flags&InnerFragment != 0 }

// IsFirstFragment reports whether the packet is a fragment with offset 0.
func (in *Inner) IsFirstFragment() bool { return in.Flags&InnerFirstFragment != 0 }

// IsLaterFragment reports whether the packet is a fragment other than the
// first: it has no transport header, so no ports.
func (in *Inner) IsLaterFragment() bool {
	return in.Flags&(InnerFragment|InnerFirstFragment) == InnerFragment
}

// HasPorts reports whether SrcPort and DstPort are transport ports.
func (in *Inner) HasPorts() bool { return in.Flags&InnerHasPorts != 0 }

// IsEcho reports whether the packet is an ICMP/ICMPv6 echo request or reply
// (SrcPort = DstPort = identifier).
func (in *Inner) IsEcho() bool { return in.Flags&InnerEcho != 0 }

// v4MappedPrefix is ::ffff:0:0/96 as the first 12 bytes of an address, read
// as two little-endian words.
const (
	v4MappedLo uint64 = 0
	v4MappedHi uint32 = 0xffff0000 // bytes 8-11: 00 00 ff ff
)

// ParseL3 summarises the IPv4 or IPv6 packet at the start of b into in: the
// fast path's one call per inner packet. It checks the version, header and
// total lengths, and that the transport header holds what is read from it
// (TCP 20 bytes, UDP 8, ICMP 8, other port protocols 4); a first fragment
// too short for that gives ErrFragment. It does not verify checksums.
func ParseL3(b []byte, in *Inner) error {
	// IPv4 is handled here rather than in a helper: one call less on the
	// most common path.
	if len(b) < IPv4MinHeaderLen || b[0]>>4 != 4 {
		if len(b) > 0 && b[0]>>4 == 6 {
			return parseL3v6(b, in)
		}
		if len(b) == 0 || b[0]>>4 == 4 {
			return in.fail(ErrTruncated)
		}
		return in.fail(ErrVersion)
	}
	hl := int(b[0]&0x0f) * 4
	tl := int(binary.BigEndian.Uint16(b[2:4]))
	if hl < IPv4MinHeaderLen || tl < hl {
		return in.fail(ErrHeaderLength)
	}
	if tl > len(b) {
		return in.fail(ErrTruncated)
	}
	b = b[:tl]
	// One 8-byte store per address half: the flow key reads the
	// addresses right away in 8-byte words, and a load that spans two
	// narrower stores cannot be forwarded from the store buffer (it
	// stalls until they retire, ~15 cycles each on x86).
	binary.LittleEndian.PutUint64(in.Src[0:8], v4MappedLo)
	binary.LittleEndian.PutUint64(in.Src[8:16], uint64(v4MappedHi)|uint64(binary.LittleEndian.Uint32(b[12:16]))<<32)
	binary.LittleEndian.PutUint64(in.Dst[0:8], v4MappedLo)
	binary.LittleEndian.PutUint64(in.Dst[8:16], uint64(v4MappedHi)|uint64(binary.LittleEndian.Uint32(b[16:20]))<<32)
	in.Version = 4
	in.Protocol = b[9]
	in.TotalLen = uint32(tl)
	in.L4Offset = uint16(hl)
	in.FragID = uint32(binary.BigEndian.Uint16(b[4:6]))
	ff := binary.BigEndian.Uint16(b[6:8])
	in.FragOffset = (ff & 0x1fff) << 3
	var flags uint8
	if ff&0x3fff != 0 {
		flags = InnerFragment
		if ff&0x2000 != 0 {
			flags |= InnerMoreFragments
		}
		if ff&0x1fff != 0 {
			in.laterFragment(flags)
			return nil
		}
		flags |= InnerFirstFragment
	}
	return in.parseL4(b[hl:], flags, false)
}

// fail resets in (a failed parse holds no result) and returns err.
func (in *Inner) fail(err error) error {
	*in = Inner{}
	return err
}

// laterFragment finishes a fragment other than the first: no transport
// header, so no ports.
func (in *Inner) laterFragment(flags uint8) {
	in.SrcPort, in.DstPort, in.TCPFlags, in.ICMPType, in.ICMPCode = 0, 0, 0, 0, 0
	in.Flags = flags
}

func parseL3v6(b []byte, in *Inner) error {
	if len(b) < IPv6HeaderLen {
		return in.fail(ErrTruncated)
	}
	tl := IPv6HeaderLen + int(binary.BigEndian.Uint16(b[4:6]))
	if tl > len(b) {
		return in.fail(ErrTruncated)
	}
	b = b[:tl]
	var w ipv6Walk
	if next := b[6]; next == ProtoTCP || next == ProtoUDP || next == ProtoICMPv6 {
		w.proto, w.off = next, IPv6HeaderLen // no extension headers: skip the walk
	} else if err := w.walk(b, next); err != nil {
		return in.fail(err)
	}
	binary.LittleEndian.PutUint64(in.Src[0:8], binary.LittleEndian.Uint64(b[8:16]))
	binary.LittleEndian.PutUint64(in.Src[8:16], binary.LittleEndian.Uint64(b[16:24]))
	binary.LittleEndian.PutUint64(in.Dst[0:8], binary.LittleEndian.Uint64(b[24:32]))
	binary.LittleEndian.PutUint64(in.Dst[8:16], binary.LittleEndian.Uint64(b[32:40]))
	in.Version = 6
	in.Protocol = w.proto
	in.TotalLen = uint32(tl)
	in.L4Offset = uint16(w.off)
	in.FragID = w.fragID
	in.FragOffset = w.fragOff
	var flags uint8
	if w.fragment {
		flags = InnerFragment
		if w.more {
			flags |= InnerMoreFragments
		}
		if w.fragOff != 0 {
			in.laterFragment(flags)
			return nil
		}
		flags |= InnerFirstFragment
	}
	if w.off > len(b) {
		return in.fail(ErrTruncated) // not reached: the walk stays inside b
	}
	return in.parseL4(b[w.off:], flags, true)
}

// parseL4 fills the transport fields from l4 (cut at the IP total length).
func (in *Inner) parseL4(l4 []byte, flags uint8, v6 bool) error {
	var sp, dp uint16
	var tcpFlags, icmpType, icmpCode uint8
	switch p := in.Protocol; {
	case p == ProtoTCP:
		if len(l4) < TCPMinHeaderLen {
			return in.short(flags)
		}
		sp = binary.BigEndian.Uint16(l4[0:2])
		dp = binary.BigEndian.Uint16(l4[2:4])
		tcpFlags = l4[13]
		flags |= InnerHasPorts
	case p == ProtoUDP:
		if len(l4) < UDPHeaderLen {
			return in.short(flags)
		}
		sp = binary.BigEndian.Uint16(l4[0:2])
		dp = binary.BigEndian.Uint16(l4[2:4])
		flags |= InnerHasPorts
	case p == ProtoUDPLite, p == ProtoSCTP, p == ProtoDCCP:
		if len(l4) < 4 {
			return in.short(flags)
		}
		sp = binary.BigEndian.Uint16(l4[0:2])
		dp = binary.BigEndian.Uint16(l4[2:4])
		flags |= InnerHasPorts
	case p == ProtoICMP && !v6, p == ProtoICMPv6 && v6:
		// ICMP inside IPv6 or ICMPv6 inside IPv4 is just a protocol number.
		if len(l4) < ICMPHeaderLen {
			return in.short(flags)
		}
		icmpType, icmpCode = l4[0], l4[1]
		if (!v6 && (icmpType == ICMPEchoRequest || icmpType == ICMPEchoReply)) ||
			(v6 && (icmpType == ICMPv6EchoRequest || icmpType == ICMPv6EchoReply)) {
			sp = binary.BigEndian.Uint16(l4[4:6])
			dp = sp
			flags |= InnerEcho
		}
	}
	in.SrcPort, in.DstPort = sp, dp
	in.TCPFlags, in.ICMPType, in.ICMPCode = tcpFlags, icmpType, icmpCode
	in.Flags = flags
	return nil
}

// short fails a packet whose transport header is cut: ErrFragment for a
// first fragment (a tiny-fragment attack, RFC 1858), else ErrTruncated.
func (in *Inner) short(flags uint8) error {
	if flags&InnerFragment != 0 {
		return in.fail(ErrFragment)
	}
	return in.fail(ErrTruncated)
}
