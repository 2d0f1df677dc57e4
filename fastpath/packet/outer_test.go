package packet

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// outerGolden is PutOuterIPv4UDP(10.0.1.10 -> 10.0.2.20, source port 50000,
// payload 100) worked out by hand: total length 128, id 0, DF, TTL 64, UDP;
// header checksum ~(4500+0080+4000+4011+0a00+010a+0a00+0214) = 2350;
// UDP 50000 -> 6081, length 108, checksum 0.
const outerGolden = `
45 00 00 80  00 00 40 00  40 11 23 50  0a 00 01 0a  0a 00 02 14
c3 50 17 c1  00 6c 00 00
`

func TestPutOuterIPv4UDPGolden(t *testing.T) {
	b := make([]byte, 40)
	if n := PutOuterIPv4UDP(b, ip4(10, 0, 1, 10), ip4(10, 0, 2, 20), 50000, 100); n != OuterIPv4UDPLen {
		t.Fatalf("PutOuterIPv4UDP = %d", n)
	}
	if want := mustHex(t, outerGolden); !bytes.Equal(b[:28], want) {
		t.Fatalf("wrote\n% x\nwant\n% x", b[:28], want)
	}
	if !bytes.Equal(b[28:], make([]byte, 12)) {
		t.Fatal("wrote past 28 bytes")
	}
	if PutOuterIPv4UDP(b[:27], ip4(1, 1, 1, 1), ip4(2, 2, 2, 2), 1, 0) != 0 ||
		PutOuterIPv4UDP(b, ip4(1, 1, 1, 1), ip4(2, 2, 2, 2), 1, 65535-27) != 0 ||
		PutOuterIPv4UDP(b, ip4(1, 1, 1, 1), ip4(2, 2, 2, 2), 1, -1) != 0 {
		t.Fatal("PutOuterIPv4UDP accepted a bad size")
	}
	// The fast checksum agrees with the general one for many addresses.
	for i := 0; i < 1000; i++ {
		s := ip4(byte(i), byte(i*7), 0xff, byte(i*13))
		d := ip4(0xff, byte(i*3), byte(i), 0xfe)
		PutOuterIPv4UDP(b, s, d, uint16(i), i*9)
		if !VerifyIPv4HeaderChecksum(b[:20]) {
			t.Fatalf("bad outer checksum for %v -> %v len %d", s, d, i*9)
		}
	}
}

func TestGeneveSourcePort(t *testing.T) {
	seen := map[uint16]bool{}
	for _, h := range []uint32{0, 1, 0x3ffff, 0x40000, 0x7fffffff, 0x80000000, 0xffffffff, 0xdeadbeef} {
		p := GeneveSourcePort(h)
		if p < 49152 {
			t.Fatalf("GeneveSourcePort(%#x) = %d, below 49152", h, p)
		}
		seen[p] = true
		if GeneveSourcePort(h) != p {
			t.Fatal("not deterministic")
		}
	}
	if GeneveSourcePort(0) != 49152 || GeneveSourcePort(0xffffffff) != 65535 {
		t.Fatal("range ends")
	}
	if len(seen) < 5 {
		t.Fatalf("only %d distinct ports", len(seen))
	}
}

// geneveFrame builds Ethernet + outer IPv4/UDP + the AWS Geneve header +
// inner, as GWLB sends it (and an appliance returns it, addresses swapped).
func geneveFrame(t testing.TB, inner []byte, proto uint16, cookie uint32) []byte {
	t.Helper()
	f := make([]byte, EthernetHeaderLen+OuterOverhead+len(inner))
	n := PutEthernet(f, &Ethernet{Dst: MAC{2, 0, 0, 0, 0, 1}, Src: MAC{2, 0, 0, 0, 0, 2}, EtherType: EtherTypeIPv4})
	n += PutOuterIPv4UDP(f[n:], ip4(10, 0, 2, 20), ip4(10, 0, 1, 10), 51000, AWSGeneveHeaderLen+len(inner))
	n += PutGeneveAWS(f[n:], proto, 0x0123456789abcdef, 0x42, cookie)
	copy(f[n:], inner)
	return f
}

func TestParseOuter(t *testing.T) {
	inner := tcpv4Packet(t)
	f := geneveFrame(t, inner, EtherTypeIPv4, 0xc0ffee)
	var o Outer
	if err := ParseOuter(f, &o); err != nil {
		t.Fatal(err)
	}
	if o.IPOffset != 14 || o.UDPOffset != 34 || o.GeneveOffset != 42 || o.InnerOffset != 82 || o.InnerLen != len(inner) {
		t.Fatalf("offsets %+v", o)
	}
	if o.IP.Src != ip4(10, 0, 2, 20) || o.IP.Dst != ip4(10, 0, 1, 10) || o.IP.TTL != OuterTTL || o.IP.Flags != IPv4DontFragment ||
		o.UDP.SrcPort != 51000 || o.UDP.DstPort != GenevePort || o.UDPChecksummed ||
		!o.Geneve.HasAWSOptions() || o.Geneve.FlowCookie != 0xc0ffee {
		t.Fatalf("fields %+v", o)
	}
	if !bytes.Equal(f[o.InnerOffset:o.InnerOffset+o.InnerLen], inner) {
		t.Fatal("inner packet differs")
	}
	if !o.VerifyUDPChecksum(f) {
		t.Fatal("zero UDP checksum must be accepted")
	}
	// The same packet starting at IPv4.
	var o2 Outer
	if err := ParseOuterIPv4(f[14:], &o2); err != nil || o2.InnerOffset != 68 || o2.Geneve.FlowCookie != 0xc0ffee {
		t.Fatalf("ParseOuterIPv4: %v %+v", err, o2)
	}
	// Ethernet padding after the datagram is not part of the inner packet.
	padded := append(append([]byte{}, f...), 0, 0, 0, 0)
	if err := ParseOuter(padded, &o); err != nil || o.InnerLen != len(inner) {
		t.Fatalf("padded: %v InnerLen %d", err, o.InnerLen)
	}
}

func TestParseOuterUDPChecksum(t *testing.T) {
	f := geneveFrame(t, tcpv4Packet(t), EtherTypeIPv4, 1)
	var o Outer
	if err := ParseOuter(f, &o); err != nil {
		t.Fatal(err)
	}
	seg := f[o.UDPOffset : o.UDPOffset+int(o.UDP.Length)]
	c := UDPChecksumIPv4(o.IP.Src, o.IP.Dst, seg)
	f[o.UDPOffset+6], f[o.UDPOffset+7] = byte(c>>8), byte(c)
	if err := ParseOuter(f, &o); err != nil {
		t.Fatal(err)
	}
	if !o.UDPChecksummed || !o.VerifyUDPChecksum(f) {
		t.Fatalf("correct non-zero checksum %#04x rejected", c)
	}
	f[len(f)-1] ^= 0x40 // corrupt the inner payload
	if o.VerifyUDPChecksum(f) {
		t.Fatal("corrupted datagram passed the UDP checksum")
	}
	if o.VerifyUDPChecksum(f[:len(f)-1]) {
		t.Fatal("VerifyUDPChecksum on a short frame")
	}
}

func TestParseOuterClassifies(t *testing.T) {
	good := geneveFrame(t, tcpv4Packet(t), EtherTypeIPv4, 1)
	mod := func(f func(b []byte)) []byte {
		b := append([]byte{}, good...)
		f(b)
		return b
	}
	fixIP := func(b []byte) {
		b[24], b[25] = 0, 0
		c := IPv4HeaderChecksum(b[14:34])
		b[24], b[25] = byte(c>>8), byte(c)
	}
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"arp", mod(func(b []byte) { b[12], b[13] = 0x08, 0x06 }), ErrNotGeneve},
		{"ipv6 outer", mod(func(b []byte) { b[12], b[13] = 0x86, 0xdd }), ErrNotGeneve},
		{"tcp", mod(func(b []byte) { b[23] = ProtoTCP; fixIP(b) }), ErrNotGeneve},
		{"other udp port", mod(func(b []byte) { b[36], b[37] = 0x17, 0xc2 }), ErrNotGeneve},
		{"bad ip checksum", mod(func(b []byte) { b[24] ^= 1 }), ErrChecksum},
		{"fragment", mod(func(b []byte) { b[20] = 0x20; fixIP(b) }), ErrFragment},
		{"truncated frame", good[:60], ErrTruncated},
		{"udp length past ip", mod(func(b []byte) { b[38], b[39] = 0xff, 0x00 }), ErrTruncated},
		{"udp length short", mod(func(b []byte) { b[38], b[39] = 0, 7 }), ErrHeaderLength},
		{"geneve cut by udp length", mod(func(b []byte) { b[38], b[39] = 0, 8+20 }), ErrTruncated},
		{"geneve version", mod(func(b []byte) { b[42] |= 0x40 }), ErrVersion},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := Outer{InnerOffset: 5}
			err := ParseOuter(tc.b, &o)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if o.InnerOffset != 0 || o.Geneve.HeaderLen != 0 {
				t.Fatalf("failed parse left a result: %+v", o)
			}
		})
	}
}

func TestParseOuterFastPathTaken(t *testing.T) {
	aws := geneveFrame(t, tcpv4Packet(t), EtherTypeIPv4, 9)
	var fast, general Outer
	if !fast.parseAWSFrame(aws) || general.parseGeneral(aws) != nil || !reflect.DeepEqual(fast, general) {
		t.Fatalf("GWLB's layout must take the fast path with the general path's result")
	}
	// Other layouts fall back to the general path and still parse.
	tagged := append(append(append([]byte{}, aws[:12]...), 0x81, 0x00, 0x00, 0x05), aws[12:]...)
	withIPOptions := func() []byte {
		b := append(append(append([]byte{}, aws[:34]...), 1, 1, 1, 0), aws[34:]...) // NOP NOP NOP EOL
		b[14] = 0x46
		b[16], b[17] = byte((len(b)-14)>>8), byte(len(b)-14)
		b[24], b[25] = 0, 0
		c := IPv4HeaderChecksum(b[14:38])
		b[24], b[25] = byte(c>>8), byte(c)
		return b
	}()
	for name, f := range map[string][]byte{"vlan": tagged, "ip options": withIPOptions} {
		var o Outer
		if o.parseAWSFrame(f) {
			t.Fatalf("%s: fast path taken", name)
		}
		if err := ParseOuter(f, &o); err != nil || o.Geneve.FlowCookie != 9 {
			t.Fatalf("%s: %v %+v", name, err, o)
		}
	}
}
