package packet_test

import (
	"fmt"
	"net/netip"

	"github.com/gwlbctl/gwlbctl/fastpath/packet"
)

// Encapsulating an inner packet the way a GWLB node does, in the headroom
// in front of it, then reading it back as the node reads an appliance's
// return.
func Example() {
	inner := []byte{ // IPv4 UDP 10.0.0.1:40000 -> 10.0.0.2:53, no payload
		0x45, 0, 0, 28, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
		0x9c, 0x40, 0, 53, 0, 8, 0, 0,
	}
	const headroom = packet.EthernetHeaderLen + packet.OuterOverhead // 82 bytes
	frame := make([]byte, headroom+len(inner))
	copy(frame[headroom:], inner)

	eth := packet.Ethernet{Dst: packet.MAC{2, 0, 0, 0, 0, 2}, Src: packet.MAC{2, 0, 0, 0, 0, 1}, EtherType: packet.EtherTypeIPv4}
	n := packet.PutEthernet(frame, &eth)
	n += packet.PutOuterIPv4UDP(frame[n:], [4]byte{10, 9, 0, 10}, [4]byte{10, 9, 0, 21},
		packet.GeneveSourcePort(0x9e3779b9), packet.AWSGeneveHeaderLen+len(inner))
	n += packet.PutGeneveAWS(frame[n:], packet.EtherTypeIPv4, 0x0123456789abcdef, 0x42, 0xc0ffee)
	fmt.Println("headers:", n, "bytes")

	var o packet.Outer
	if err := packet.ParseOuter(frame, &o); err != nil {
		fmt.Println(err)
		return
	}
	var in packet.Inner
	if err := packet.ParseL3(frame[o.InnerOffset:o.InnerOffset+o.InnerLen], &in); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("outer %v:%d -> %v:%d ttl %d\n", netip.AddrFrom4(o.IP.Src), o.UDP.SrcPort,
		netip.AddrFrom4(o.IP.Dst), o.UDP.DstPort, o.IP.TTL)
	fmt.Printf("endpoint vpce-%017x cookie %#x\n", o.Geneve.EndpointID, o.Geneve.FlowCookie)
	fmt.Printf("inner %v:%d -> %v:%d proto %d\n", netip.AddrFrom16(in.Src).Unmap(), in.SrcPort,
		netip.AddrFrom16(in.Dst).Unmap(), in.DstPort, in.Protocol)
	// Output:
	// headers: 82 bytes
	// outer 10.9.0.10:59277 -> 10.9.0.21:6081 ttl 64
	// endpoint vpce-00123456789abcdef cookie 0xc0ffee
	// inner 10.0.0.1:40000 -> 10.0.0.2:53 proto 17
}
