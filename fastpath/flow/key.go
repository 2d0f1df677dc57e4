package flow

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"unsafe"
)

// IP protocol numbers the key rules depend on.
const (
	ProtoTCP = 6
	ProtoUDP = 17
)

// Stickiness is the target group's flow-stickiness setting.
type Stickiness uint8

const (
	// FiveTuple is the default (stickiness.enabled=false): 5-tuple for TCP
	// and UDP, 3-tuple for other protocols.
	FiveTuple Stickiness = iota
	// ThreeTuple is stickiness.type=source_ip_dest_ip_proto.
	ThreeTuple
	// TwoTuple is stickiness.type=source_ip_dest_ip.
	TwoTuple
)

func (s Stickiness) String() string {
	switch s {
	case FiveTuple:
		return "5-tuple"
	case ThreeTuple:
		return "3-tuple"
	case TwoTuple:
		return "2-tuple"
	}
	return fmt.Sprintf("Stickiness(%d)", uint8(s))
}

// Orientation tells which end of a Key sent a packet.
type Orientation uint8

const (
	// LoToHi: the packet's source is the key's Lo end.
	LoToHi Orientation = 0
	// HiToLo: the packet's source is the key's Hi end.
	HiToLo Orientation = 1
)

// Key identifies a flow: endpoint id plus a normalised (symmetric) tuple.
// Lo is the smaller (address, port) end, Hi the larger. Fields that the
// tuple kind leaves out are zero. A Key is 48 bytes and comparable with ==.
type Key struct {
	Endpoint uint64
	Lo, Hi   [16]byte
	LoPort   uint16
	HiPort   uint16
	Proto    uint8
	Tuple    uint8 // 5, 3 or 2: which fields the key holds
	_        [2]byte
}

// KeySize is the size of a Key in bytes.
const KeySize = int(unsafe.Sizeof(Key{}))

// V4Mapped returns the IPv4-mapped IPv6 form of an IPv4 address, the form
// keys hold IPv4 addresses in.
func V4Mapped(a [4]byte) [16]byte {
	return [16]byte{10: 0xff, 11: 0xff, 12: a[0], 13: a[1], 14: a[2], 15: a[3]}
}

// NewKey builds the flow key of a packet from endpoint endpoint with the
// given addresses, ports (ignored unless the key is a 5-tuple), IP protocol
// and fragment flag (set for any fragment, first or not), and reports the
// packet's orientation relative to the key. Both directions of a flow get
// the same Key and opposite orientations.
func NewKey(endpoint uint64, mode Stickiness, src, dst [16]byte, srcPort, dstPort uint16, proto uint8, fragment bool) (Key, Orientation) {
	var k Key
	o := k.Set(endpoint, mode, &src, &dst, srcPort, dstPort, proto, fragment)
	return k, o
}

// Set is NewKey writing into k, with the addresses passed by pointer: the
// engine builds a burst's keys in place, which saves copying 80 bytes of
// arguments and result per packet. src and dst must not point into k.
func (k *Key) Set(endpoint uint64, mode Stickiness, src, dst *[16]byte, srcPort, dstPort uint16, proto uint8, fragment bool) Orientation {
	k.Endpoint = endpoint
	switch {
	case mode == TwoTuple:
		k.Tuple = 2
		srcPort, dstPort, proto = 0, 0, 0
	case mode == FiveTuple && !fragment && (proto == ProtoTCP || proto == ProtoUDP):
		k.Tuple = 5
	default:
		k.Tuple = 3
		srcPort, dstPort = 0, 0
	}
	k.Proto = proto
	if less(dst, dstPort, src, srcPort) {
		copyAddr(&k.Lo, dst)
		copyAddr(&k.Hi, src)
		k.LoPort, k.HiPort = dstPort, srcPort
		return HiToLo
	}
	copyAddr(&k.Lo, src)
	copyAddr(&k.Hi, dst)
	k.LoPort, k.HiPort = srcPort, dstPort
	return LoToHi
}

// copyAddr copies an address as two 8-byte words. The parser has just
// written src that way; a 16-byte copy would load across two pending
// stores, which the store buffer cannot forward (a stall of ~15 cycles
// per address on x86, measured as ~10% of an encapsulation).
func copyAddr(dst, src *[16]byte) {
	d, s := (*[2]uint64)(unsafe.Pointer(dst)), (*[2]uint64)(unsafe.Pointer(src))
	d[0], d[1] = s[0], s[1]
}

// less orders (address, port) ends: address first (as a big-endian number),
// then port.
func less(a *[16]byte, ap uint16, b *[16]byte, bp uint16) bool {
	a0, b0 := binary.BigEndian.Uint64(a[:8]), binary.BigEndian.Uint64(b[:8])
	if a0 != b0 {
		return a0 < b0
	}
	a1, b1 := binary.BigEndian.Uint64(a[8:]), binary.BigEndian.Uint64(b[8:])
	if a1 != b1 {
		return a1 < b1
	}
	return ap < bp
}

// Src returns the source address and port of a packet with orientation o.
func (k *Key) Src(o Orientation) ([16]byte, uint16) {
	if o == HiToLo {
		return k.Hi, k.HiPort
	}
	return k.Lo, k.LoPort
}

// Dst returns the destination address and port of a packet with orientation o.
func (k *Key) Dst(o Orientation) ([16]byte, uint16) {
	if o == HiToLo {
		return k.Lo, k.LoPort
	}
	return k.Hi, k.HiPort
}

func (k *Key) words() *[6]uint64 { return (*[6]uint64)(unsafe.Pointer(k)) }

// Hasher computes the seeded flow hash of a Key.
type Hasher struct {
	k [7]uint64
}

// NewHasher returns the hasher for seed. Nodes that must agree on targets
// must use the same seed.
func NewHasher(seed uint64) Hasher {
	var h Hasher
	s := seed
	for i := range h.k {
		s += 0x9e3779b97f4a7c15
		z := s
		z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
		z = (z ^ z>>27) * 0x94d049bb133111eb
		h.k[i] = z ^ z>>31
	}
	return h
}

func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// Hash returns the 64-bit flow hash of k. Because keys are normalised, both
// directions of a flow hash alike.
func (h *Hasher) Hash(k *Key) uint64 {
	w := k.words()
	a := mix(w[0]^h.k[0], w[1]^h.k[1])
	b := mix(w[2]^h.k[2], w[3]^h.k[3])
	c := mix(w[4]^h.k[4], w[5]^h.k[5])
	return mix(a^h.k[6], b^c^h.k[0])
}

// sameKey compares two keys word by word: inlined, where == on the arrays
// calls memequal (a few nanoseconds per lookup on the fast path).
func sameKey(a, b *[6]uint64) bool {
	return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3] && a[4] == b[4] && a[5] == b[5]
}
