package packet

import "testing"

func TestSmokeEncapParse(t *testing.T) {
	frame := make([]byte, 14+68+28)
	eth := Ethernet{Dst: MAC{1, 2, 3, 4, 5, 6}, Src: MAC{7, 8, 9, 10, 11, 12}, EtherType: EtherTypeIPv4}
	n := PutEthernet(frame, &eth)
	inner := frame[n+68:]
	PutIPv4(inner, &IPv4{TotalLen: 28, TTL: 64, Protocol: ProtoUDP, Src: [4]byte{10, 0, 0, 1}, Dst: [4]byte{10, 0, 0, 2}})
	PutUDP(inner[20:], &UDP{SrcPort: 1234, DstPort: 53, Length: 8})
	if PutOuterIPv4UDP(frame[n:], [4]byte{192, 168, 0, 1}, [4]byte{192, 168, 0, 2}, GeneveSourcePort(0xdeadbeef), 40+28) != 28 {
		t.Fatal("outer")
	}
	PutGeneveAWS(frame[n+28:], EtherTypeIPv4, 0x123456789abcdef, 0x1111, 0xc00c1e)
	var o Outer
	if err := ParseOuter(frame, &o); err != nil {
		t.Fatal(err)
	}
	if !o.Geneve.HasAWSOptions() || o.Geneve.FlowCookie != 0xc00c1e || o.InnerLen != 28 || o.InnerOffset != n+68 {
		t.Fatalf("%+v", o)
	}
	var in Inner
	if err := ParseL3(frame[o.InnerOffset:], &in); err != nil {
		t.Fatal(err)
	}
	if in.SrcPort != 1234 || in.DstPort != 53 || !in.HasPorts() || in.Src[15] != 1 {
		t.Fatalf("%+v", in)
	}
}
