package packet

import (
	"encoding/binary"
	"math/bits"
)

// Sum adds b to the one's-complement running sum acc (RFC 1071) and returns
// the new running sum, folded to 16 bits. Chain calls to checksum data held
// in several pieces; every piece but the last must have an even length. The
// result is neither complemented nor final: pass it to Fold.
func Sum(b []byte, acc uint32) uint32 {
	// The one's-complement sum does not depend on byte order (RFC 1071
	// 2(B)), so add native little-endian 64-bit words with carry and swap
	// the 16-bit result once at the end.
	var s, c uint64
	for len(b) >= 64 {
		w := b[:64:64] // one bounds check for the eight loads
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(w[0:8]), c)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(w[8:16]), c)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(w[16:24]), c)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(w[24:32]), c)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(w[32:40]), c)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(w[40:48]), c)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(w[48:56]), c)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(w[56:64]), c)
		b = b[64:]
	}
	for len(b) >= 8 {
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b[0:8]), c)
		b = b[8:]
	}
	s, c = bits.Add64(s, c, 0)
	s += c
	var tail uint64
	if len(b) >= 4 {
		tail = uint64(binary.LittleEndian.Uint32(b))
		b = b[4:]
	}
	if len(b) >= 2 {
		tail += uint64(binary.LittleEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		tail += uint64(b[0]) // low byte in little-endian = high byte on the wire
	}
	s, c = bits.Add64(s, tail, 0)
	s += c
	// Fold 64 -> 16 bits.
	s = (s >> 32) + (s & 0xffffffff)
	s = (s >> 32) + (s & 0xffffffff)
	s = (s >> 16) + (s & 0xffff)
	s = (s >> 16) + (s & 0xffff)
	s = (s >> 16) + (s & 0xffff)
	le := uint16(s)
	return foldAdd(acc, uint32(bits.ReverseBytes16(le)))
}

// foldAdd adds two running sums and folds the result to 16 bits.
func foldAdd(a, b uint32) uint32 {
	s := uint64(a) + uint64(b)
	s = (s >> 16) + (s & 0xffff)
	s = (s >> 16) + (s & 0xffff)
	s = (s >> 16) + (s & 0xffff)
	return uint32(s)
}

// Fold returns the checksum field value for a running sum: the 16-bit
// one's complement of the folded sum.
func Fold(acc uint32) uint16 {
	return ^uint16(foldAdd(acc, 0))
}

// Checksum returns the Internet checksum (RFC 1071) of b.
func Checksum(b []byte) uint16 {
	return Fold(Sum(b, 0))
}

// IPv4HeaderChecksum returns the header checksum for the IPv4 header h
// (its length taken from len(h)), computed as if the checksum field at
// bytes 10-11 were zero, so it can be called on a header that already holds
// a checksum. It returns 0 when h is shorter than 20 bytes.
func IPv4HeaderChecksum(h []byte) uint16 {
	if len(h) < IPv4MinHeaderLen {
		return 0
	}
	if len(h) == IPv4MinHeaderLen {
		return ^fold20(h, false)
	}
	acc := Sum(h[:10], 0)
	acc = Sum(h[12:], acc)
	return Fold(acc)
}

// VerifyIPv4HeaderChecksum reports whether the IPv4 header h (its length
// taken from len(h)) carries a correct header checksum.
func VerifyIPv4HeaderChecksum(h []byte) bool {
	if len(h) < IPv4MinHeaderLen {
		return false
	}
	if len(h) == IPv4MinHeaderLen {
		return fold20(h, true) == 0xffff
	}
	return Fold(Sum(h, 0)) == 0
}

// fold20 is the folded one's-complement sum of a 20-byte IPv4 header
// without options (the common case, and every outer header), without a
// loop; withChecksum says whether the checksum field is included.
func fold20(h []byte, withChecksum bool) uint16 {
	_ = h[19]
	w2 := binary.BigEndian.Uint32(h[8:12]) // TTL, protocol, checksum
	if !withChecksum {
		w2 &^= 0xffff
	}
	s := uint64(binary.BigEndian.Uint32(h[0:4])) + uint64(binary.BigEndian.Uint32(h[4:8])) + uint64(w2) +
		uint64(binary.BigEndian.Uint32(h[12:16])) + uint64(binary.BigEndian.Uint32(h[16:20]))
	s = (s >> 16) + (s & 0xffff)
	s = (s >> 16) + (s & 0xffff)
	s = (s >> 16) + (s & 0xffff)
	return uint16(s)
}

// PseudoHeaderSumIPv4 returns the running sum of the IPv4 pseudo header used
// by TCP, UDP and other transport checksums (RFC 768, RFC 9293).
func PseudoHeaderSumIPv4(src, dst [4]byte, protocol uint8, length int) uint32 {
	acc := Sum(src[:], 0)
	acc = Sum(dst[:], acc)
	return foldAdd(acc, uint32(protocol)+uint32(length&0xffff)+uint32(length>>16))
}

// PseudoHeaderSumIPv6 returns the running sum of the IPv6 pseudo header
// (RFC 8200 8.1) used by TCP, UDP and ICMPv6 checksums.
func PseudoHeaderSumIPv6(src, dst [16]byte, protocol uint8, length int) uint32 {
	acc := Sum(src[:], 0)
	acc = Sum(dst[:], acc)
	return foldAdd(acc, uint32(protocol)+uint32(length&0xffff)+uint32(length>>16))
}

// TransportChecksum returns the checksum field value for a transport
// segment (header with its checksum field zeroed, plus payload) given the
// pseudo-header sum. For UDP a computed 0 must be sent as 0xffff (RFC 768);
// UDPChecksum does that.
func TransportChecksum(pseudo uint32, segment []byte) uint16 {
	return Fold(Sum(segment, pseudo))
}

// UpdateChecksum16 returns the checksum hc after one 16-bit word of the
// covered data changed from old to new (RFC 1624 eqn. 3:
// HC' = ~(~HC + ~m + m')). Use it when rewriting a field in place instead
// of summing the whole header again.
func UpdateChecksum16(hc, old, new uint16) uint16 {
	s := uint32(^hc) + uint32(^old) + uint32(new)
	return ^uint16(foldAdd(s, 0))
}

// UpdateChecksum32 is UpdateChecksum16 for a 32-bit field (an IPv4
// address, for example) that changed from old to new.
func UpdateChecksum32(hc uint16, old, new uint32) uint16 {
	s := uint32(^hc) + uint32(^uint16(old>>16)) + uint32(^uint16(old)) +
		uint32(uint16(new>>16)) + uint32(uint16(new))
	return ^uint16(foldAdd(s, 0))
}

// DecrementTTL decrements the TTL of the IPv4 header at the start of h and
// updates its header checksum incrementally. It returns false, changing
// nothing, when h is too short or the TTL is already 0 or 1 (the packet must
// then be dropped rather than forwarded).
func DecrementTTL(h []byte) bool {
	if len(h) < IPv4MinHeaderLen || h[8] <= 1 {
		return false
	}
	old := binary.BigEndian.Uint16(h[8:10]) // TTL and protocol share a word
	h[8]--
	hc := binary.BigEndian.Uint16(h[10:12])
	binary.BigEndian.PutUint16(h[10:12], UpdateChecksum16(hc, old, binary.BigEndian.Uint16(h[8:10])))
	return true
}

// DecrementHopLimit decrements the hop limit of the IPv6 header at the start
// of h (IPv6 has no header checksum). It returns false, changing nothing,
// when h is too short or the hop limit is already 0 or 1.
func DecrementHopLimit(h []byte) bool {
	if len(h) < IPv6HeaderLen || h[7] <= 1 {
		return false
	}
	h[7]--
	return true
}
