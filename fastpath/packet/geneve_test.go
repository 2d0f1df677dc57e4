package packet

import (
	"bytes"
	"errors"
	"testing"
)

// awsHeaderGolden is the Geneve header of spec section 1, written out by
// hand from its table: endpoint id 0x0123456789abcdef, attachment id
// 0xfedcba9876543210, cookie 0xc0ffee01, inner IPv4.
const awsHeaderGolden = `
08 00 08 00              # ver 0, 8 option words; no flags; protocol 0x0800
00 00 00 00              # VNI 0, reserved
01 08 01 02              # class 0x0108 type 1 (endpoint id), 2 words
01 23 45 67 89 ab cd ef
01 08 02 02              # class 0x0108 type 2 (attachment id), 2 words
fe dc ba 98 76 54 32 10
01 08 03 01              # class 0x0108 type 3 (flow cookie), 1 word
c0 ff ee 01
`

func TestPutGeneveAWSGolden(t *testing.T) {
	want := mustHex(t, awsHeaderGolden)
	b := make([]byte, 64)
	for i := range b {
		b[i] = 0xaa
	}
	if n := PutGeneveAWS(b, EtherTypeIPv4, 0x0123456789abcdef, 0xfedcba9876543210, 0xc0ffee01); n != AWSGeneveHeaderLen {
		t.Fatalf("PutGeneveAWS = %d, want 40", n)
	}
	if !bytes.Equal(b[:40], want) {
		t.Fatalf("PutGeneveAWS wrote\n% x\nwant\n% x", b[:40], want)
	}
	if b[40] != 0xaa {
		t.Fatal("PutGeneveAWS wrote past 40 bytes")
	}
	if PutGeneveAWS(b[:39], EtherTypeIPv4, 1, 2, 3) != 0 {
		t.Fatal("PutGeneveAWS into 39 bytes must return 0")
	}
}

func TestParseGeneveAWSGolden(t *testing.T) {
	b := append(mustHex(t, awsHeaderGolden), 0x45, 0, 0, 20) // start of an inner packet
	var g Geneve
	if err := ParseGeneve(b, &g); err != nil {
		t.Fatal(err)
	}
	if g.EndpointID != 0x0123456789abcdef || g.AttachmentID != 0xfedcba9876543210 || g.FlowCookie != 0xc0ffee01 ||
		!g.HasAWSOptions() || g.ProtocolType != EtherTypeIPv4 || g.VNI != 0 || g.HeaderLen != 40 ||
		g.UnknownOptions != 0 || g.UnknownCritical || len(g.Options) != 32 {
		t.Fatalf("parsed %+v", g)
	}
	// parse -> build gives the same bytes, through both builders.
	out := make([]byte, 40)
	if PutGeneve(out, &g) != 40 || !bytes.Equal(out, b[:40]) {
		t.Fatalf("PutGeneve(parsed) = % x", out)
	}
	if PutGeneveAWS(out, g.ProtocolType, g.EndpointID, g.AttachmentID, g.FlowCookie) != 40 || !bytes.Equal(out, b[:40]) {
		t.Fatalf("PutGeneveAWS(parsed) = % x", out)
	}
}

// geneveWith builds a Geneve header from option TLVs given as hex.
func geneveWith(t *testing.T, flags uint8, proto uint16, opts ...string) []byte {
	t.Helper()
	var o []byte
	for _, s := range opts {
		o = append(o, mustHex(t, s)...)
	}
	b := make([]byte, 8+len(o))
	if PutGeneve(b, &Geneve{Flags: flags, ProtocolType: proto, Options: o}) != len(b) {
		t.Fatalf("PutGeneve failed for %d option bytes", len(o))
	}
	return b
}

const (
	optEndpoint   = "0108 01 02 0000000000000011"
	optAttachment = "0108 02 02 0000000000000022"
	optCookie     = "0108 03 01 00000033"
	optUnknown    = "abcd 05 01 deadbeef"         // other class, not critical
	optUnknownC   = "abcd 85 00"                  // other class, critical, no data
	optAWSOther   = "0108 07 02 0102030405060708" // AWS class, unknown type
)

func TestParseGeneveOptions(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     []string
		present  uint8
		unknown  int
		critical bool
	}{
		{"aws order", []string{optEndpoint, optAttachment, optCookie}, AWSAllPresent, 0, false},
		{"reversed", []string{optCookie, optAttachment, optEndpoint}, AWSAllPresent, 0, false},
		{"cookie first", []string{optCookie, optEndpoint, optAttachment}, AWSAllPresent, 0, false},
		{"unknown between", []string{optEndpoint, optUnknown, optAttachment, optAWSOther, optCookie}, AWSAllPresent, 2, false},
		{"unknown critical", []string{optUnknownC, optEndpoint, optAttachment, optCookie}, AWSAllPresent, 1, true},
		{"no cookie", []string{optEndpoint, optAttachment}, AWSEndpointIDPresent | AWSAttachmentIDPresent, 0, false},
		{"cookie only", []string{optCookie}, AWSFlowCookiePresent, 0, false},
		{"no options", nil, 0, 0, false},
		{"only unknown", []string{optUnknown}, 0, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := geneveWith(t, 0, EtherTypeIPv6, tc.opts...)
			var g Geneve
			if err := ParseGeneve(b, &g); err != nil {
				t.Fatal(err)
			}
			if g.Present != tc.present || g.UnknownOptions != tc.unknown || g.UnknownCritical != tc.critical {
				t.Fatalf("present %03b unknown %d critical %v; want %03b %d %v",
					g.Present, g.UnknownOptions, g.UnknownCritical, tc.present, tc.unknown, tc.critical)
			}
			if g.Present&AWSEndpointIDPresent != 0 && g.EndpointID != 0x11 ||
				g.Present&AWSAttachmentIDPresent != 0 && g.AttachmentID != 0x22 ||
				g.Present&AWSFlowCookiePresent != 0 && g.FlowCookie != 0x33 {
				t.Fatalf("values %+v", g)
			}
			if g.ProtocolType != EtherTypeIPv6 || g.HeaderLen != len(b) {
				t.Fatalf("base %+v", g)
			}
			// Unknown options are preserved: building from the parse
			// gives back the same bytes.
			out := make([]byte, len(b))
			if PutGeneve(out, &g) != len(b) || !bytes.Equal(out, b) {
				t.Fatalf("round trip\n% x\nwant\n% x", out, b)
			}
		})
	}
}

func TestParseGeneveErrors(t *testing.T) {
	aws := mustHex(t, awsHeaderGolden)
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"7 bytes", aws[:7], ErrTruncated},
		{"options cut", aws[:39], ErrTruncated},
		{"version 1", append([]byte{0x48}, aws[1:]...), ErrVersion},
		{"duplicate endpoint", geneveWith(t, 0, EtherTypeIPv4, optEndpoint, optEndpoint, optAttachment, optCookie), ErrGeneveOption},
		{"duplicate cookie", geneveWith(t, 0, EtherTypeIPv4, optCookie, optEndpoint, optAttachment, optCookie), ErrGeneveOption},
		{"short endpoint", geneveWith(t, 0, EtherTypeIPv4, "0108 01 01 00000011", optAttachment, optCookie), ErrGeneveOption},
		{"long cookie", geneveWith(t, 0, EtherTypeIPv4, optEndpoint, optAttachment, "0108 03 02 0000000000000033"), ErrGeneveOption},
		// Option length says 2 words but only 1 remains in the area.
		{"option past area", mustHex(t, "02 00 0800 000000 00   0108 03 02 00000033"), ErrGeneveOption},
		// Option area of 1 word that holds only part of an option header.
		{"half option header", mustHex(t, "01 00 0800 000000 00   0108 0300"), ErrGeneveOption},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := Geneve{HeaderLen: 99, FlowCookie: 7}
			err := ParseGeneve(tc.b, &g)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if g.HeaderLen != 0 || g.FlowCookie != 0 || g.Options != nil {
				t.Fatalf("failed parse left a result: %+v", g)
			}
		})
	}
}

func TestPutGeneveRejects(t *testing.T) {
	b := make([]byte, 300)
	if PutGeneve(b, &Geneve{Options: make([]byte, 6)}) != 0 {
		t.Fatal("options not a multiple of 4")
	}
	if PutGeneve(b, &Geneve{Options: make([]byte, 256)}) != 0 {
		t.Fatal("options longer than 252")
	}
	if PutGeneve(b[:11], &Geneve{Options: make([]byte, 4)}) != 0 {
		t.Fatal("short buffer")
	}
	if PutGeneveOption(b, 1, 1, make([]byte, 3)) != 0 || PutGeneveOption(b, 1, 1, make([]byte, 128)) != 0 ||
		PutGeneveOption(b[:7], 1, 1, make([]byte, 4)) != 0 {
		t.Fatal("PutGeneveOption accepted bad input")
	}
	g := Geneve{Flags: GeneveFlagOAM | GeneveFlagCritical, ProtocolType: EtherTypeIPv4, VNI: 0xabcdef, Reserved: 5, Options: make([]byte, 252)}
	if PutGeneve(b, &g) != 260 {
		t.Fatal("252 option bytes must fit")
	}
	var back Geneve
	if err := ParseGeneve(b[:260], &back); err != nil {
		t.Fatal(err)
	}
	// 63 words of zeros are 63 options of class 0 type 0 length 0.
	if back.VNI != 0xabcdef || back.Flags != g.Flags || back.Reserved != 5 || back.UnknownOptions != 63 {
		t.Fatalf("%+v", back)
	}
}
