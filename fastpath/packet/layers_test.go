package packet

import (
	"bytes"
	"errors"
	"testing"
)

func TestEthernetRoundTrip(t *testing.T) {
	for _, e := range []Ethernet{
		{Dst: MAC{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, Src: MAC{2, 0, 0, 0, 0, 1}, EtherType: EtherTypeARP},
		{Dst: MAC{2, 0, 0, 0, 0, 2}, Src: MAC{2, 0, 0, 0, 0, 1}, HasVLAN: true, TCI: 0x2064, EtherType: EtherTypeIPv6},
	} {
		b := make([]byte, 32)
		n := PutEthernet(b, &e)
		if n != e.EthernetLen() {
			t.Fatalf("PutEthernet = %d", n)
		}
		var back Ethernet
		if err := ParseEthernet(b[:n], &back); err != nil {
			t.Fatal(err)
		}
		e.HeaderLen = n
		if back != e {
			t.Fatalf("got %+v want %+v", back, e)
		}
		if PutEthernet(b[:n-1], &e) != 0 {
			t.Fatal("PutEthernet into a short buffer")
		}
	}
	tagged := mustHex(t, "020000000002 020000000001 8100 2064 86dd")
	var e Ethernet
	if err := ParseEthernet(tagged, &e); err != nil || e.VLANID() != 0x064 || e.TCI>>13 != 1 || e.HeaderLen != 18 {
		t.Fatalf("%v %+v", err, e)
	}
	for _, b := range [][]byte{nil, tagged[:13], tagged[:17]} {
		e = Ethernet{HeaderLen: 3}
		if err := ParseEthernet(b, &e); !errors.Is(err, ErrTruncated) || e != (Ethernet{}) {
			t.Fatalf("len %d: %v %+v", len(b), err, e)
		}
	}
}

func TestARPRoundTripAndErrors(t *testing.T) {
	// An ARP request "who has 10.9.0.2? tell 10.9.0.1" as Linux sends it.
	req := mustHex(t, "0001 0800 06 04 0001 02000000000a 0a090001 000000000000 0a090002")
	var a ARP
	if err := ParseARP(req, &a); err != nil {
		t.Fatal(err)
	}
	if a.Op != ARPRequest || a.SenderIP != ip4(10, 9, 0, 1) || a.TargetIP != ip4(10, 9, 0, 2) || a.SenderMAC != (MAC{2, 0, 0, 0, 0, 0xa}) {
		t.Fatalf("%+v", a)
	}
	out := make([]byte, ARPLen)
	if PutARP(out, &a) != ARPLen || !bytes.Equal(out, req) {
		t.Fatalf("round trip % x", out)
	}
	if PutARP(out[:27], &a) != 0 {
		t.Fatal("PutARP short")
	}
	if err := ParseARP(req[:27], &a); !errors.Is(err, ErrTruncated) || a != (ARP{}) {
		t.Fatal("short ARP")
	}
	bad := append([]byte{}, req...)
	bad[1] = 6 // IEEE 802 hardware type
	if err := ParseARP(bad, &a); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("err = %v", err)
	}
}

func TestIPv4RoundTripAndErrors(t *testing.T) {
	ip := IPv4{TOS: 0xb8, TotalLen: 44, ID: 0xbeef, Flags: IPv4MoreFragments, FragOffset: 1480, TTL: 3, Protocol: ProtoUDP,
		Src: ip4(192, 0, 2, 1), Dst: ip4(198, 51, 100, 7), Options: mustHex(t, "94040000 01010100")}
	b := make([]byte, 44)
	n := PutIPv4(b, &ip)
	if n != 28 || !VerifyIPv4HeaderChecksum(b[:n]) {
		t.Fatalf("PutIPv4 = %d", n)
	}
	var back IPv4
	if err := ParseIPv4(b, &back); err != nil {
		t.Fatal(err)
	}
	if !back.IsFragment() || back.IsFirstFragment() || back.HeaderLen != 28 || !bytes.Equal(back.Options, ip.Options) ||
		back.FragOffset != 1480 || back.Flags != IPv4MoreFragments || back.Src != ip.Src || back.Dst != ip.Dst ||
		back.TOS != ip.TOS || back.ID != ip.ID || back.TTL != 3 || back.TotalLen != 44 {
		t.Fatalf("%+v", back)
	}
	out := make([]byte, 28)
	if PutIPv4(out, &back) != 28 || !bytes.Equal(out, b[:28]) {
		t.Fatal("parse -> build differs")
	}
	for _, bad := range []IPv4{{Options: make([]byte, 3)}, {Options: make([]byte, 44)}, {FragOffset: 7}} {
		if PutIPv4(make([]byte, 80), &bad) != 0 {
			t.Fatalf("PutIPv4 accepted %+v", bad)
		}
	}
	if PutIPv4(make([]byte, 19), &IPv4{}) != 0 {
		t.Fatal("PutIPv4 short")
	}
	for _, tc := range []struct {
		b    []byte
		want error
	}{
		{b[:19], ErrTruncated},
		{mustHex(t, "65000014 0000 0000 4011 0000 01020304 05060708"), ErrVersion},
		{mustHex(t, "44000014 0000 0000 4011 0000 01020304 05060708"), ErrHeaderLength},
		{mustHex(t, "46000014 0000 0000 4011 0000 01020304 05060708"), ErrTruncated},
		{mustHex(t, "45000013 0000 0000 4011 0000 01020304 05060708"), ErrHeaderLength},
		{mustHex(t, "45000015 0000 0000 4011 0000 01020304 05060708"), ErrTruncated},
	} {
		back = IPv4{HeaderLen: 1}
		if err := ParseIPv4(tc.b, &back); !errors.Is(err, tc.want) || back.HeaderLen != 0 {
			t.Fatalf("% x: err %v want %v", tc.b, err, tc.want)
		}
	}
}

func TestIPv6RoundTrip(t *testing.T) {
	ip := IPv6{TrafficClass: 0xb8, FlowLabel: 0xabcde, PayloadLen: 16, NextHeader: ProtoFragment, HopLimit: 255,
		Src: [16]byte{0: 0x20, 1: 0x01, 2: 0x0d, 3: 0xb8, 15: 1}, Dst: [16]byte{0: 0x20, 1: 0x01, 2: 0x0d, 3: 0xb8, 15: 2}}
	b := make([]byte, 56)
	if PutIPv6(b, &ip) != 40 {
		t.Fatal("PutIPv6")
	}
	copy(b[40:], mustHex(t, "11 00 0000 00000007  1234 5678 0008 0000")) // atomic fragment, then UDP
	var back IPv6
	if err := ParseIPv6(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.TrafficClass != ip.TrafficClass || back.FlowLabel != ip.FlowLabel || back.HopLimit != 255 || back.Src != ip.Src ||
		back.Dst != ip.Dst || back.Protocol != ProtoUDP || back.L4Offset != 48 || !back.Fragment || back.MoreFragments ||
		back.FragID != 7 || !back.IsFirstFragment() || back.TotalLen() != 56 {
		t.Fatalf("%+v", back)
	}
	out := make([]byte, 40)
	if PutIPv6(out, &back) != 40 || !bytes.Equal(out, b[:40]) {
		t.Fatal("parse -> build differs")
	}
	if PutIPv6(out[:39], &back) != 0 {
		t.Fatal("PutIPv6 short")
	}
	b[0] = 0x40
	if err := ParseIPv6(b, &back); !errors.Is(err, ErrVersion) || back.L4Offset != 0 {
		t.Fatalf("err %v", err)
	}
}

func TestTransportRoundTrips(t *testing.T) {
	tcp := TCP{SrcPort: 1, DstPort: 65535, Seq: 0xfffffffe, Ack: 7, Flags: TCPSyn | TCPAck | TCPEce | TCPCwr, Window: 512,
		Checksum: 0x1234, Urgent: 9, Options: mustHex(t, "020405b4 01030307")}
	b := make([]byte, 60)
	n := PutTCP(b, &tcp)
	var tb TCP
	if n != 28 || ParseTCP(b[:n], &tb) != nil || tb.HeaderLen != 28 || !bytes.Equal(tb.Options, tcp.Options) ||
		tb.SrcPort != 1 || tb.DstPort != 65535 || tb.Seq != tcp.Seq || tb.Ack != 7 || tb.Flags != tcp.Flags ||
		tb.Window != 512 || tb.Checksum != 0x1234 || tb.Urgent != 9 {
		t.Fatalf("TCP %d %+v", n, tb)
	}
	if PutTCP(b, &TCP{Options: make([]byte, 2)}) != 0 || PutTCP(b[:27], &tcp) != 0 {
		t.Fatal("PutTCP accepted bad input")
	}
	if err := ParseTCP(b[:27], &tb); !errors.Is(err, ErrTruncated) || tb.HeaderLen != 0 {
		t.Fatal("TCP cut options")
	}
	b[12] = 0x40
	if err := ParseTCP(b[:28], &tb); !errors.Is(err, ErrHeaderLength) {
		t.Fatal("TCP data offset 4")
	}

	u := UDP{SrcPort: 53, DstPort: 5353, Length: 12, Checksum: 0xffff}
	n = PutUDP(b, &u)
	var ub UDP
	if n != 8 || ParseUDP(b[:12], &ub) != nil || ub != u {
		t.Fatalf("UDP %+v", ub)
	}
	if err := ParseUDP(b[:11], &ub); !errors.Is(err, ErrTruncated) || ub != (UDP{}) {
		t.Fatal("UDP length past buffer")
	}
	b[5] = 7
	if err := ParseUDP(b[:12], &ub); !errors.Is(err, ErrHeaderLength) {
		t.Fatal("UDP length 7")
	}
	if PutUDP(b[:7], &u) != 0 {
		t.Fatal("PutUDP short")
	}

	m := ICMP{Type: ICMPv6EchoReply, Code: 0, Checksum: 0xabcd, Rest: 0x12340005}
	if PutICMP(b, &m) != 8 || PutICMP(b[:7], &m) != 0 {
		t.Fatal("PutICMP")
	}
	var mb ICMP
	if ParseICMPv6(b[:8], &mb) != nil || !mb.V6 || mb.Type != m.Type || mb.Rest != m.Rest || !mb.IsEcho() || mb.EchoID() != 0x1234 || mb.EchoSeq() != 5 {
		t.Fatalf("ICMPv6 %+v", mb)
	}
	if ParseICMP(b[:8], &mb) != nil || mb.V6 || mb.IsEcho() {
		t.Fatalf("type 129 is not an ICMPv4 echo: %+v", mb)
	}
	if err := ParseICMP(b[:7], &mb); !errors.Is(err, ErrTruncated) || mb != (ICMP{}) {
		t.Fatal("ICMP short")
	}
}

// TestUDPChecksumKnown checks the pseudo-header code on a datagram whose
// checksum was computed by hand: 10.0.0.1:1 -> 10.0.0.2:2, payload "ab".
func TestUDPChecksumKnown(t *testing.T) {
	// Sum: 0a00+0001+0a00+0002 (addresses) + 0011 (proto) + 000a (length)
	// + 0001+0002+000a+0000 (header) + 6162 = 758d; checksum ~758d = 8a72.
	seg := mustHex(t, "0001 0002 000a 0000 6162")
	if c := UDPChecksumIPv4(ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), seg); c != 0x8a72 {
		t.Fatalf("UDP checksum %#04x, want 0x8a72", c)
	}
	seg6 := mustHex(t, "0001 0002 000a 0000 6162")
	c := UDPChecksumIPv6([16]byte{15: 1}, [16]byte{15: 2}, seg6)
	seg6[6], seg6[7] = byte(c>>8), byte(c)
	if Fold(Sum(seg6, PseudoHeaderSumIPv6([16]byte{15: 1}, [16]byte{15: 2}, ProtoUDP, len(seg6)))) != 0 {
		t.Fatal("IPv6 UDP checksum does not verify")
	}
}
