package packet

import "encoding/binary"

// EtherType values the fast path dispatches on.
const (
	EtherTypeIPv4 uint16 = 0x0800
	EtherTypeARP  uint16 = 0x0806
	EtherTypeVLAN uint16 = 0x8100 // IEEE 802.1Q customer tag
	EtherTypeIPv6 uint16 = 0x86DD
)

// Ethernet header sizes.
const (
	EthernetHeaderLen = 14 // destination, source, EtherType
	VLANTagLen        = 4  // 802.1Q TPID + TCI
	EthernetVLANLen   = EthernetHeaderLen + VLANTagLen
)

// Ethernet header field offsets, untagged (a tag moves the EtherType
// VLANTagLen bytes on).
const (
	EthernetDstOffset  = 0
	EthernetSrcOffset  = 6
	EthernetTypeOffset = 12
	// With an 802.1Q tag: the TPID at EthernetTypeOffset, then the TCI,
	// then the payload's EtherType.
	VLANTCIOffset       = EthernetTypeOffset + 2
	VLANEtherTypeOffset = EthernetTypeOffset + VLANTagLen
)

// MAC is an Ethernet (EUI-48) address.
type MAC [6]byte

// Ethernet is a parsed Ethernet II header with at most one 802.1Q tag.
type Ethernet struct {
	Dst, Src MAC
	// HasVLAN is true when an 802.1Q tag (TPID 0x8100) follows the source
	// address; TCI then holds its priority, DEI and VLAN id.
	HasVLAN bool
	TCI     uint16
	// EtherType is the type of the payload (after the tag, if any).
	EtherType uint16
	// HeaderLen is 14, or 18 with a tag: the payload starts there.
	HeaderLen int
}

// VLANID returns the 12-bit VLAN identifier of the tag (0 without a tag).
func (e *Ethernet) VLANID() uint16 { return e.TCI & 0x0fff }

// ParseEthernet reads the Ethernet header at the start of b into e. A second
// (stacked, QinQ) tag is not unwrapped: EtherType is then 0x8100 or 0x88A8
// and the caller treats the frame as non-IP.
func ParseEthernet(b []byte, e *Ethernet) error {
	if err := parseEthernet(b, e); err != nil {
		*e = Ethernet{}
		return err
	}
	return nil
}

func parseEthernet(b []byte, e *Ethernet) error {
	if len(b) < EthernetHeaderLen {
		return ErrTruncated
	}
	copy(e.Dst[:], b[0:6])
	copy(e.Src[:], b[6:12])
	et := binary.BigEndian.Uint16(b[12:14])
	if et != EtherTypeVLAN {
		e.HasVLAN, e.TCI, e.EtherType, e.HeaderLen = false, 0, et, EthernetHeaderLen
		return nil
	}
	if len(b) < EthernetVLANLen {
		return ErrTruncated
	}
	e.HasVLAN = true
	e.TCI = binary.BigEndian.Uint16(b[14:16])
	e.EtherType = binary.BigEndian.Uint16(b[16:18])
	e.HeaderLen = EthernetVLANLen
	return nil
}

// EthernetLen returns the header length PutEthernet writes for e.
func (e *Ethernet) EthernetLen() int {
	if e.HasVLAN {
		return EthernetVLANLen
	}
	return EthernetHeaderLen
}

// PutEthernet writes e at the start of b (with the 802.1Q tag when
// e.HasVLAN) and returns the bytes written (14 or 18), or 0 if b is too
// short. e.HeaderLen is ignored.
func PutEthernet(b []byte, e *Ethernet) int {
	n := e.EthernetLen()
	if len(b) < n {
		return 0
	}
	copy(b[0:6], e.Dst[:])
	copy(b[6:12], e.Src[:])
	if e.HasVLAN {
		binary.BigEndian.PutUint16(b[12:14], EtherTypeVLAN)
		binary.BigEndian.PutUint16(b[14:16], e.TCI)
		binary.BigEndian.PutUint16(b[16:18], e.EtherType)
		return n
	}
	binary.BigEndian.PutUint16(b[12:14], e.EtherType)
	return n
}
