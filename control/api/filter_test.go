package api

import (
	"net/netip"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestParseFlowFilter(t *testing.T) {
	p := netip.MustParsePrefix
	cases := []struct {
		in    string
		want  FlowFilter
		canon string
	}{
		{"", FlowFilter{}, ""},
		{"proto=tcp", FlowFilter{Protos: []uint8{6}}, "proto=tcp"},
		{"proto=6,UDP,200", FlowFilter{Protos: []uint8{6, 17, 200}}, "proto=tcp,udp,200"},
		{"port=443 port=8000-8999", FlowFilter{Ports: []PortRange{{443, 443}, {8000, 8999}}}, "port=443,8000-8999"},
		{"addr=10.1.2.3/8", FlowFilter{Addrs: []netip.Prefix{p("10.0.0.0/8")}}, "addr=10.0.0.0/8"},
		{"src=::ffff:10.0.0.1 dst=fd00::1", FlowFilter{Srcs: []netip.Prefix{p("10.0.0.1/32")}, Dsts: []netip.Prefix{p("fd00::1/128")}}, "src=10.0.0.1 dst=fd00::1"},
		{"target=10.0.1.5,i-0123456789abcdef0", FlowFilter{Targets: []TargetMatch{{ID: "10.0.1.5", IP: netip.MustParseAddr("10.0.1.5")}, {ID: "i-0123456789abcdef0"}}}, "target=10.0.1.5,i-0123456789abcdef0"},
		{"endpoint=vpce-0a1b2c3d4e5f60718", FlowFilter{Endpoints: []string{"vpce-0a1b2c3d4e5f60718"}}, "endpoint=vpce-0a1b2c3d4e5f60718"},
		// Bare terms are read by their shape.
		{"tcp 10.1.0.0/16 443 vpce-0a1b i-0abc fd00::/64 1000-2000 17",
			FlowFilter{Endpoints: []string{"vpce-0a1b"}, Targets: []TargetMatch{{ID: "i-0abc"}}, Addrs: []netip.Prefix{p("10.1.0.0/16"), p("fd00::/64")},
				Protos: []uint8{6}, Ports: []PortRange{{443, 443}, {1000, 2000}, {17, 17}}},
			"endpoint=vpce-0a1b target=i-0abc addr=10.1.0.0/16,fd00::/64 proto=tcp port=443,1000-2000,17"},
	}
	for _, tc := range cases {
		got, err := ParseFlowFilter(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q:\n got %+v\nwant %+v", tc.in, got, tc.want)
		}
		if s := got.String(); s != tc.canon {
			t.Errorf("%q: canonical %q, want %q", tc.in, s, tc.canon)
		}
		// Round trips: text and URL values.
		back, err := ParseFlowFilter(got.String())
		if err != nil || !reflect.DeepEqual(back, got) {
			t.Errorf("%q: text round trip gave %+v, %v", tc.in, back, err)
		}
		fromURL, err := FlowFilterFromValues(got.Values())
		if err != nil || !reflect.DeepEqual(fromURL, got) {
			t.Errorf("%q: URL round trip gave %+v, %v", tc.in, fromURL, err)
		}
	}
	// Repeated URL parameters add values, as commas do.
	v, _ := url.ParseQuery("port=80&port=443,8443&proto=tcp")
	f, err := FlowFilterFromValues(v)
	if err != nil || f.String() != "proto=tcp port=80,443,8443" {
		t.Errorf("repeated parameters: %v %v", f, err)
	}
}

func TestParseFlowFilterErrors(t *testing.T) {
	for in, msg := range map[string]string{
		"proto=tcpp":                       `filter proto="tcpp": want icmp, tcp, udp, gre, esp, ah, icmpv6, sctp or a protocol number 0-255`,
		"proto=256":                        `filter proto="256"`,
		"port=0":                           `filter port="0": want a port 1-65535 or a range LO-HI`,
		"port=1-2-3":                       `filter port="1-2-3"`,
		"port=80,,443":                     `filter port="": want a port`,
		"port=":                            `filter port="": empty value`,
		"addr=10.0.0.256":                  `filter addr="10.0.0.256": want an IP address or prefix`,
		"addr=::ffff:0:0/96":               `write an IPv4-mapped prefix as IPv4`,
		"endpoint=vpce-XYZ":                `filter endpoint="vpce-XYZ": want an endpoint id`,
		"endpoint=vpce-0123456789abcdef01": `want an endpoint id`,
		"target=host":                      `filter target="host": want a target id (i-0123456789abcdef0) or an IP address`,
		"colour=red":                       `filter term "colour=red": unknown key "colour"; keys: endpoint, target, addr, src, dst, proto, port`,
		"banana":                           `filter term "banana": not a protocol, address, prefix, port, vpce- endpoint or i- target; write key=value`,
	} {
		_, err := ParseFlowFilter(in)
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: %v, want %q", in, err, msg)
		}
	}
}

func TestFlowFilterMatch(t *testing.T) {
	f := Flow{Endpoint: "vpce-0a", Proto: 17, Src: netip.MustParseAddrPort("10.1.0.5:5353"), Dst: netip.MustParseAddrPort("10.2.0.9:53"),
		Target: "i-0abc", TargetIP: netip.MustParseAddr("10.0.1.1")}
	icmp := Flow{Endpoint: "vpce-0a", Proto: 1, Tuple: 3, Src: netip.MustParseAddrPort("10.1.0.5:0"), Dst: netip.MustParseAddrPort("10.2.0.9:0")}
	for in, want := range map[string]bool{
		"":                                true,
		"udp":                             true,
		"tcp":                             false,
		"tcp,udp":                         true,
		"port=53":                         true,
		"port=5353":                       true,
		"port=54-5000":                    false,
		"src=10.1.0.0/16":                 true,
		"dst=10.1.0.0/16":                 false,
		"addr=10.2.0.9":                   true,
		"addr=fd00::/8":                   false,
		"target=i-0abc":                   true,
		"target=10.0.1.1":                 true,
		"target=10.0.1.2":                 false,
		"endpoint=vpce-0b":                false,
		"endpoint=vpce-0b,vpce-0a udp 53": true,
	} {
		flt, err := ParseFlowFilter(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := flt.Match(&f); got != want {
			t.Errorf("%q matches %v, want %v", in, got, want)
		}
	}
	// Port 0 (a flow without ports) matches no port condition.
	if flt, _ := ParseFlowFilter("port=1-65535"); flt.Match(&icmp) {
		t.Error("a flow without ports matched port=1-65535")
	}
}

// FuzzParseFlowFilter: never a panic; a filter is returned exactly when
// there is no error; the canonical form reads back to the same filter.
func FuzzParseFlowFilter(f *testing.F) {
	for _, s := range []string{"", "proto=tcp port=443", "tcp 10.0.0.0/8 80-90", "addr=fd00::1,10.0.0.1/32", "target=i-0a,10.1.1.1",
		"endpoint=vpce-0a1b", "src=::ffff:1.2.3.4", "port=,", "x=y", "=", "proto=1,2,3 dst=0.0.0.0/0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := ParseFlowFilter(s)
		if err != nil {
			if !flt.IsZero() {
				t.Fatalf("%q: error %v with a filter %+v", s, err, flt)
			}
			return
		}
		back, err := ParseFlowFilter(flt.String())
		if err != nil || !reflect.DeepEqual(back, flt) {
			t.Fatalf("%q: canonical %q reads back as %+v, %v", s, flt.String(), back, err)
		}
		fromURL, err := FlowFilterFromValues(flt.Values())
		if err != nil || !reflect.DeepEqual(fromURL, flt) {
			t.Fatalf("%q: URL form reads back as %+v, %v", s, fromURL, err)
		}
		var fl Flow
		flt.Match(&fl)
	})
}

// BenchmarkFlowFilterMatch is the per-flow cost a listing adds; it must not
// allocate.
func BenchmarkFlowFilterMatch(b *testing.B) {
	flt, err := ParseFlowFilter("endpoint=vpce-0b,vpce-0a proto=tcp,udp addr=10.0.0.0/8,fd00::/8 port=53,443,8000-8999")
	if err != nil {
		b.Fatal(err)
	}
	f := Flow{Endpoint: "vpce-0a", Proto: 17, Src: netip.MustParseAddrPort("10.1.0.5:5353"), Dst: netip.MustParseAddrPort("10.2.0.9:8080")}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if flt.Match(&f) {
			n++
		}
	}
	if n != b.N {
		b.Fatal("no match")
	}
}
