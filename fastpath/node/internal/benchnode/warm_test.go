package main

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// tcpFrame is an untagged Ethernet/IPv4/TCP frame with the given flags.
func tcpFrame(flags byte) []byte {
	f := make([]byte, 14+20+20+6)
	binary.BigEndian.PutUint16(f[12:], 0x0800)
	f[14] = 0x45
	f[14+9] = 6
	binary.BigEndian.PutUint16(f[14+6:], 0x4000) // DF, first fragment
	f[14+20+13] = flags
	return f
}

func TestMarkSYNAndRestore(t *testing.T) {
	f := tcpFrame(0x18)
	fl := markSYN(f)
	if fl != 0x18 || f[14+20+13] != 0x02 {
		t.Fatalf("markSYN: returned %#x, flags now %#x", fl, f[14+20+13])
	}
	// The same TCP header behind 68 bytes of Geneve encapsulation.
	enc := append(make([]byte, 82), f[14:]...)
	restoreFlags(enc, uint8(fl))
	if enc[82+20+13] != 0x18 {
		t.Fatalf("restoreFlags: flags %#x", enc[82+20+13])
	}
	udp := tcpFrame(0)
	udp[14+9] = 17
	if markSYN(udp) != -1 {
		t.Error("markSYN changed a UDP packet")
	}
	frag := tcpFrame(0x10)
	binary.BigEndian.PutUint16(frag[14+6:], 0x0010) // a later fragment
	if markSYN(frag) != -1 {
		t.Error("markSYN changed a non-first fragment")
	}
	if markSYN([]byte{1, 2, 3}) != -1 {
		t.Error("markSYN accepted a runt")
	}
}

func TestApplianceReturnSwapsAddressesKeepsPorts(t *testing.T) {
	f := make([]byte, 82)
	copy(f[0:6], []byte{2, 0, 0, 0, 0, 0x20})  // to the target
	copy(f[6:12], []byte{2, 0, 0, 0, 0, 0x10}) // from the node
	copy(f[26:30], []byte{10, 0, 0, 10})       // node
	copy(f[30:34], []byte{10, 0, 0, 20})       // target
	binary.BigEndian.PutUint16(f[34:], 40000)  // GWLB's source port
	binary.BigEndian.PutUint16(f[36:], 6081)
	r := applianceReturn(append([]byte(nil), f...))
	if !bytes.Equal(r[0:6], f[6:12]) || !bytes.Equal(r[6:12], f[0:6]) ||
		!bytes.Equal(r[26:30], f[30:34]) || !bytes.Equal(r[30:34], f[26:30]) ||
		!bytes.Equal(r[34:38], f[34:38]) {
		t.Fatalf("return % x\nfrom   % x", r[:38], f[:38])
	}
}
