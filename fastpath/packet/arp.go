package packet

import "encoding/binary"

// ARP operations (RFC 826).
const (
	ARPRequest uint16 = 1
	ARPReply   uint16 = 2
)

// ARPLen is the length of an ARP packet for IPv4 over Ethernet.
const ARPLen = 28

// ARP is an ARP packet for IPv4 over Ethernet (hardware type 1, protocol
// type 0x0800, address lengths 6 and 4); other kinds are ErrUnsupported.
type ARP struct {
	Op        uint16
	SenderMAC MAC
	SenderIP  [4]byte
	TargetMAC MAC
	TargetIP  [4]byte
}

// ParseARP reads the ARP packet at the start of b (the Ethernet payload)
// into a.
func ParseARP(b []byte, a *ARP) error {
	if len(b) < ARPLen {
		*a = ARP{}
		return ErrTruncated
	}
	if binary.BigEndian.Uint16(b[0:2]) != 1 || binary.BigEndian.Uint16(b[2:4]) != EtherTypeIPv4 ||
		b[4] != 6 || b[5] != 4 {
		*a = ARP{}
		return ErrUnsupported
	}
	a.Op = binary.BigEndian.Uint16(b[6:8])
	copy(a.SenderMAC[:], b[8:14])
	copy(a.SenderIP[:], b[14:18])
	copy(a.TargetMAC[:], b[18:24])
	copy(a.TargetIP[:], b[24:28])
	return nil
}

// PutARP writes a as an IPv4-over-Ethernet ARP packet at the start of b and
// returns ARPLen, or 0 if b is too short.
func PutARP(b []byte, a *ARP) int {
	if len(b) < ARPLen {
		return 0
	}
	binary.BigEndian.PutUint16(b[0:2], 1)
	binary.BigEndian.PutUint16(b[2:4], EtherTypeIPv4)
	b[4], b[5] = 6, 4
	binary.BigEndian.PutUint16(b[6:8], a.Op)
	copy(b[8:14], a.SenderMAC[:])
	copy(b[14:18], a.SenderIP[:])
	copy(b[18:24], a.TargetMAC[:])
	copy(b[24:28], a.TargetIP[:])
	return ARPLen
}
