package engine

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/fastpath/pcap"
)

// Golden packets: each case feeds frames through a fresh worker and
// compares every output byte for byte with testdata/<case>.pcap, which
// holds the frames in order (input, output, input, output, ...), and the
// verdicts with testdata/golden.txt. Regenerate with
//
//	go test ./fastpath/engine/ -run TestGolden -update
//
// and check the result independently (TestGoldenTshark dissects the pcaps
// with tshark; TestGoldenSpecOffsets checks spec section 1's byte table).

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

type goldenStep struct {
	port  uint16
	frame func(outs [][]byte) []byte // built from the earlier outputs
}

// goldenCase is a named sequence of steps; a name starting with
// "routed_" runs on the routed test node (routedConfig, routed port 3)
// instead of testConfig.
type goldenCase struct {
	name  string
	steps []goldenStep
}

func fixed(port uint16, f []byte) goldenStep {
	return goldenStep{port, func([][]byte) []byte { return f }}
}

// ret is the appliance's return of output i (AWS handler style).
func ret(i int, udpCsum bool) goldenStep {
	return goldenStep{0, func(outs [][]byte) []byte { return applianceReply(outs[i], udpCsum) }}
}

// retOpts is the return of output i rebuilt with the options returned by
// opts(endpoint, attachment, cookie), in their order.
func retOpts(i int, opts func(ep, at uint64, cookie uint32) []geneveOpt) goldenStep {
	return goldenStep{0, func(outs [][]byte) []byte {
		enc := outs[i]
		g := enc[42:]
		src, _ := netip.AddrFromSlice(enc[30:34])
		var mac [6]byte
		copy(mac[:], enc[0:6])
		return applianceReturn(src, mac, binary.BigEndian.Uint16(enc[34:]),
			opts(binary.BigEndian.Uint64(g[12:]), binary.BigEndian.Uint64(g[24:]), binary.BigEndian.Uint32(g[36:])),
			enc[82:], false)
	}}
}

var payload = []byte("gwlbctl golden payload")

func goldenCases() []goldenCase {
	tcpSyn := ipEther(serverMAC, clientMAC, 0, ipPacket(clientIP, serverIP, l4{proto: 6, sport: 40000, dport: 443, flags: tcpSYN}))
	tcpSynAck := ipEther(clientMAC, serverMAC, 0, ipPacket(serverIP, clientIP, l4{proto: 6, sport: 443, dport: 40000, flags: tcpSYN | tcpACK}))
	udp4 := ipEther(serverMAC, clientMAC, 0, ipPacket(clientIP, serverIP, l4{proto: 17, sport: 45001, dport: 47001, payload: payload}))
	icmp4 := ipEther(serverMAC, clientMAC, 0, ipPacket(clientIP, serverIP, l4{proto: 1, icmpTyp: 8, icmpID: 0x77, payload: payload}))
	icmp4r := ipEther(clientMAC, serverMAC, 0, ipPacket(serverIP, clientIP, l4{proto: 1, icmpTyp: 0, icmpID: 0x77, payload: payload}))
	tcp6 := ipEther(serverMAC, clientMAC, 0, ipPacket(client6, server6, l4{proto: 6, sport: 45003, dport: 47003, flags: tcpSYN, payload: payload}))
	udp6 := ipEther(serverMAC, clientMAC, 0, ipPacket(client6, server6, l4{proto: 17, sport: 45002, dport: 47002, payload: payload}))
	icmp6 := ipEther(serverMAC, clientMAC, 0, ipPacket(client6, server6, l4{proto: 58, icmpTyp: 128, icmpID: 0x99, payload: payload}))
	vlan4 := ipEther(serverMAC, clientMAC, 0x0064, ipPacket(clientIP, serverIP, l4{proto: 6, sport: 45004, dport: 47004, flags: tcpSYN, payload: payload}))
	vlan6r := ipEther(clientMAC, serverMAC, 0x0064, ipPacket(server6, client6, l4{proto: 17, sport: 47001, dport: 45001, payload: payload}))
	vlan6 := ipEther(serverMAC, clientMAC, 0x0064, ipPacket(client6, server6, l4{proto: 17, sport: 45001, dport: 47001, payload: payload}))
	arp := arpRequest(clientMAC, clientIP, serverIP)
	nd := ndFrames()
	reorder := func(ep, at uint64, c uint32) []geneveOpt {
		o := awsOpts(ep, at, c)
		return []geneveOpt{o[2], o[0], o[1]}
	}
	unknown := func(ep, at uint64, c uint32) []geneveOpt {
		o := awsOpts(ep, at, c)
		return []geneveOpt{{0x0103, 0x10, []byte{0xde, 0xad, 0xbe, 0xef}}, o[1], o[2], {0xffff, 0x7f, nil}, o[0], {0x0108, 0x42, []byte{1, 2, 3, 4, 5, 6, 7, 8}}}
	}
	cases := []goldenCase{
		{"ipv4_tcp_both_directions", []goldenStep{fixed(1, tcpSyn), ret(0, false), fixed(2, tcpSynAck), ret(2, false)}},
		{"ipv4_udp", []goldenStep{fixed(1, udp4), ret(0, false)}},
		{"ipv4_icmp_echo", []goldenStep{fixed(1, icmp4), ret(0, false), fixed(2, icmp4r), ret(2, false)}},
		{"ipv6_tcp", []goldenStep{fixed(1, tcp6), ret(0, false)}},
		{"ipv6_udp", []goldenStep{fixed(1, udp6), ret(0, true)}},
		{"ipv6_icmpv6_echo", []goldenStep{fixed(1, icmp6), ret(0, false)}},
		{"vlan_ipv4_tcp", []goldenStep{fixed(1, vlan4), ret(0, false)}},
		{"vlan_ipv6_udp_reply", []goldenStep{fixed(2, vlan6), ret(0, false), fixed(1, vlan6r), ret(2, false)}},
		{"return_options_reordered", []goldenStep{fixed(1, udp4), retOpts(0, reorder)}},
		{"return_unknown_options", []goldenStep{fixed(1, udp4), retOpts(0, unknown)}},
		{"return_udp_checksum", []goldenStep{fixed(1, tcpSyn), ret(0, true)}},
		{"arp_bridged", []goldenStep{fixed(1, arp), fixed(2, arp)}},
		{"ipv6_nd_bridged", []goldenStep{fixed(1, nd["neighbour solicitation"]), fixed(2, nd["neighbour advertisement"]),
			fixed(1, nd["router solicitation"]), fixed(2, nd["router advertisement"])}},
	}
	return append(cases, routedGoldenCases()...)
}

// routedGoldenCases cross the routed endpoint (port 3): in from the
// router or an on-link host, encapsulated, returned, out to the next hop
// its routes give with the port's MAC as source, TTL and hop limit as
// they came (1 included).
func routedGoldenCases() []goldenCase {
	const rp = routedPortIdx
	synIn := ipPacket(internet4, app4, l4{proto: 6, sport: 40000, dport: 443, flags: tcpSYN, payload: payload})
	synAck := ipPacket(app4, internet4, l4{proto: 6, sport: 443, dport: 40000, flags: tcpSYN | tcpACK, payload: payload})
	udpHost := ipPacket(internet4, host4, l4{proto: 17, sport: 45001, dport: 47053, payload: payload})
	udpHostBack := ipPacket(host4, internet4, l4{proto: 17, sport: 47053, dport: 45001, payload: payload})
	tcp6Out := ipPacket(host6, internet6, l4{proto: 6, sport: 45003, dport: 443, flags: tcpSYN, payload: payload})
	tcp6Back := ipPacket(internet6, host6, l4{proto: 6, sport: 443, dport: 45003, flags: tcpSYN | tcpACK, payload: payload})
	icmp6In := ipPacket(internet6, host6, l4{proto: 58, icmpTyp: 128, icmpID: 0x99, payload: payload})
	ttl4 := withTTL(ipPacket(internet4, app4, l4{proto: 17, sport: 45005, dport: 33434, payload: payload}), 1)
	ttl6 := withTTL(ipPacket(internet6, host6, l4{proto: 17, sport: 45006, dport: 33435, payload: payload}), 1)
	return []goldenCase{
		{"routed_ipv4_via_router", []goldenStep{fixed(rp, fromRouter(synIn)), ret(0, false),
			fixed(rp, fromRouter(synAck)), ret(2, false)}},
		{"routed_ipv4_on_link", []goldenStep{fixed(rp, fromRouter(udpHost)), ret(0, false),
			fixed(rp, ipEther(routedMAC, hostMAC, 0, udpHostBack)), ret(2, true)}},
		{"routed_ipv6_via_router", []goldenStep{fixed(rp, ipEther(routedMAC, hostMAC, 0, tcp6Out)), ret(0, false),
			fixed(rp, fromRouter(tcp6Back)), ret(2, false)}},
		{"routed_ipv6_on_link", []goldenStep{fixed(rp, fromRouter(icmp6In)), ret(0, false)}},
		{"routed_ttl_1", []goldenStep{fixed(rp, fromRouter(ttl4)), ret(0, false), fixed(rp, fromRouter(ttl6)), ret(2, false)}},
	}
}

func runGolden(t *testing.T, gc goldenCase) (frames [][]byte, summary []string) {
	cfg := testConfig(t, 4, Attributes{})
	if strings.HasPrefix(gc.name, "routed_") {
		cfg = routedConfig(t, nil)
	}
	w, _ := newTestWorker(t, cfg, 1024)
	var outs [][]byte
	for i, st := range gc.steps {
		in := st.frame(outs)
		p := process(w, in, st.port, 1e9)
		out := append([]byte(nil), frameOf(&p)...)
		outs = append(outs, out)
		frames = append(frames, in, out)
		summary = append(summary, fmt.Sprintf("%s step %d: port %d len %d -> %v out %d len %d", gc.name, i, st.port, len(in), p.Verdict, p.Out, p.Len))
		if p.Verdict != Forward {
			t.Errorf("%s step %d: %v (drops %v)", gc.name, i, p.Verdict, w.c.totals.Drops)
		}
	}
	return frames, summary
}

func TestGolden(t *testing.T) {
	var all []string
	for _, gc := range goldenCases() {
		frames, summary := runGolden(t, gc)
		all = append(all, summary...)
		path := filepath.Join("testdata", gc.name+".pcap")
		if *update {
			if err := writePcap(path, frames); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := readPcap(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if len(want) != len(frames) {
			t.Fatalf("%s: %d frames, golden has %d", gc.name, len(frames), len(want))
		}
		for i := range frames {
			if !bytes.Equal(frames[i], want[i]) {
				t.Errorf("%s frame %d differs from %s:\n got %x\nwant %x", gc.name, i, path, frames[i], want[i])
			}
		}
	}
	text := strings.Join(all, "\n") + "\n"
	path := filepath.Join("testdata", "golden.txt")
	if *update {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != text {
		t.Errorf("verdicts differ from %s:\n got:\n%s\nwant:\n%s", path, text, want)
	}
}

// writePcap writes frames as a classic pcap, frame i stamped 1700000000 s
// + i µs (the timestamps the golden files were made with).
func writePcap(path string, frames [][]byte) error {
	w, err := pcap.Create(path)
	if err != nil {
		return err
	}
	for i, f := range frames {
		if err := w.WritePacket(time.Unix(1700000000, int64(i)*1000), f); err != nil {
			w.Close()
			return err
		}
	}
	return w.Close()
}

func readPcap(path string) ([][]byte, error) { return pcap.ReadFile(path) }

// TestGoldenSpecOffsets hand-checks a golden encapsulation against the
// byte table of the spec (section 1), offset by offset.
func TestGoldenSpecOffsets(t *testing.T) {
	for _, name := range []string{"ipv4_udp", "ipv6_tcp", "vlan_ipv4_tcp"} {
		frames, err := readPcap(filepath.Join("testdata", name+".pcap"))
		if err != nil {
			t.Fatal(err)
		}
		in, enc, ret, dec := frames[0], frames[1], frames[2], frames[3]
		ethLen := 14
		if binary.BigEndian.Uint16(in[12:]) == 0x8100 {
			ethLen = 18
		}
		inner := in[ethLen:]
		// Outer Ethernet: node MAC -> target MAC, IPv4.
		if !bytes.Equal(enc[6:12], nodeMAC[:]) || enc[0] != 0x02 || enc[1] != 0xaa || binary.BigEndian.Uint16(enc[12:]) != 0x0800 {
			t.Errorf("%s: outer Ethernet %x", name, enc[:14])
		}
		ip := enc[14:34]
		check := func(what string, got, want uint64) {
			t.Helper()
			if got != want {
				t.Errorf("%s: %s = %#x, want %#x", name, what, got, want)
			}
		}
		check("IPv4 version/IHL", uint64(ip[0]), 0x45)
		check("IPv4 total length", uint64(binary.BigEndian.Uint16(ip[2:])), uint64(20+8+40+len(inner)))
		check("IPv4 flags (DF)", uint64(ip[6]), 0x40)
		check("IPv4 TTL", uint64(ip[8]), 64)
		check("IPv4 protocol", uint64(ip[9]), 17)
		check("IPv4 source", uint64(binary.BigEndian.Uint32(ip[12:])), 10<<24|1<<8|10)
		check("IPv4 destination /24", uint64(binary.BigEndian.Uint32(ip[16:])>>8), 10<<16|1)
		check("IPv4 header checksum folds to", uint64(csumFold(csumAdd(ip, 0))), 0)
		udp := enc[34:42]
		if sp := binary.BigEndian.Uint16(udp[0:]); sp < 49152 {
			t.Errorf("%s: UDP source port %d below 49152", name, sp)
		}
		check("UDP destination", uint64(binary.BigEndian.Uint16(udp[2:])), 6081)
		check("UDP length", uint64(binary.BigEndian.Uint16(udp[4:])), uint64(8+40+len(inner)))
		check("UDP checksum", uint64(binary.BigEndian.Uint16(udp[6:])), 0)
		g := enc[42:]
		check("Geneve byte 0 (version 0, 8 option words)", uint64(g[0]), 0x08)
		check("Geneve byte 1 (O, C)", uint64(g[1]), 0)
		wantProto := uint64(0x0800)
		if inner[0]>>4 == 6 {
			wantProto = 0x86dd
		}
		check("Geneve protocol type", uint64(binary.BigEndian.Uint16(g[2:])), wantProto)
		check("Geneve VNI+reserved", uint64(binary.BigEndian.Uint32(g[4:])), 0)
		for _, o := range []struct {
			at    int
			typ   byte
			words byte
		}{{8, 1, 2}, {20, 2, 2}, {32, 3, 1}} {
			check(fmt.Sprintf("option at %d class", o.at), uint64(binary.BigEndian.Uint16(g[o.at:])), 0x0108)
			check(fmt.Sprintf("option at %d type", o.at), uint64(g[o.at+2]), uint64(o.typ))
			check(fmt.Sprintf("option at %d length", o.at), uint64(g[o.at+3]), uint64(o.words))
		}
		check("endpoint id (bytes 12-19)", binary.BigEndian.Uint64(g[12:]), testEP)
		check("attachment id (bytes 24-31)", binary.BigEndian.Uint64(g[24:]), testAttach)
		if binary.BigEndian.Uint32(g[36:]) == 0 {
			t.Errorf("%s: flow cookie is 0", name)
		}
		if !bytes.Equal(g[40:], inner) {
			t.Errorf("%s: inner packet at Geneve offset 40 differs from the input's IP packet", name)
		}
		// The return carries the same Geneve bytes; its decapsulation is the input frame.
		if !bytes.Equal(ret[42:], enc[42:]) || !bytes.Equal(dec, in) {
			t.Errorf("%s: return/decapsulation mismatch", name)
		}
	}
}

// TestGoldenRoutedNextHops checks the routed golden files by hand: each
// decapsulated frame goes to the next hop its destination's route names
// (router, second router, on-link host) from the routed port's MAC, and
// carries the inner packet exactly as it entered (TTL and hop limit
// included).
func TestGoldenRoutedNextHops(t *testing.T) {
	for name, hops := range map[string][][6]byte{
		"routed_ipv4_via_router": {routerMAC, routerMAC},
		"routed_ipv4_on_link":    {hostMAC, routerMAC},
		"routed_ipv6_via_router": {routerMAC, hostMAC},
		"routed_ipv6_on_link":    {hostMAC},
		"routed_ttl_1":           {routerMAC, hostMAC},
	} {
		frames, err := readPcap(filepath.Join("testdata", name+".pcap"))
		if err != nil {
			t.Fatal(err)
		}
		if len(frames) != 4*len(hops) {
			t.Fatalf("%s: %d frames, want %d", name, len(frames), 4*len(hops))
		}
		for i, hop := range hops {
			in, dec := frames[4*i], frames[4*i+3]
			if !bytes.Equal(dec[0:6], hop[:]) || !bytes.Equal(dec[6:12], routedMAC[:]) {
				t.Errorf("%s exchange %d: decapsulated to %x from %x, want %x from %x", name, i, dec[0:6], dec[6:12], hop, routedMAC)
			}
			if !bytes.Equal(dec[12:], in[12:]) {
				t.Errorf("%s exchange %d: the inner packet changed on its way through", name, i)
			}
			if !bytes.Equal(in[0:6], routedMAC[:]) {
				t.Errorf("%s exchange %d: input not sent to the routed port's MAC", name, i)
			}
		}
	}
}
