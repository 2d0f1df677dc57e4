package packet

import (
	"bytes"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

// TestCapturedFrames checks every parser against real frames that Linux
// sent between two network namespaces (ARP, ICMP and ICMPv6 echo, IPv4 and
// IPv6 fragments, TCP and UDP over both families, MLD reports with a
// hop-by-hop header, ICMP errors) and against what an independent decoder,
// tshark, says about the same frames (testdata/captured.tsv; the command
// that made it is in captured.tsv.cmd). It also rebuilds every header from
// its parse and requires the captured bytes back.
func TestCapturedFrames(t *testing.T) {
	frames := readPcap(t, "testdata/captured.pcap")
	rows := readTSV(t, "testdata/captured.tsv")
	if len(frames) != len(rows) || len(frames) < 40 {
		t.Fatalf("%d frames, %d tshark rows", len(frames), len(rows))
	}
	kinds := map[string]int{}
	for i, f := range frames {
		row := rows[i]
		t.Run(fmt.Sprintf("frame%d", i+1), func(t *testing.T) {
			kinds[checkCapturedFrame(t, f, row)]++
		})
	}
	// The capture must keep covering what it was made for.
	for _, k := range []string{"arp", "icmp-echo", "icmpv6-echo", "ipv4-first-fragment", "ipv4-later-fragment",
		"ipv6-first-fragment", "ipv6-later-fragment", "tcp4", "tcp6", "udp4", "udp6", "ipv6-ext", "icmp-error"} {
		if kinds[k] == 0 {
			t.Errorf("capture has no %s frame (kinds %v)", k, kinds)
		}
	}
}

func num(t *testing.T, row map[string]string, col string) int {
	t.Helper()
	s := row[col]
	v, err := strconv.ParseInt(strings.TrimPrefix(s, "0x"), map[bool]int{true: 16, false: 10}[strings.HasPrefix(s, "0x")], 64)
	if err != nil {
		t.Fatalf("column %s: %q: %v", col, s, err)
	}
	return int(v)
}

func eq(t *testing.T, what string, got, want any) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s = %v, tshark says %v", what, got, want)
	}
}

// checkCapturedFrame compares one frame and returns its kind.
func checkCapturedFrame(t *testing.T, f []byte, row map[string]string) string {
	var e Ethernet
	if err := ParseEthernet(f, &e); err != nil {
		t.Fatal(err)
	}
	eq(t, "eth.dst", netMAC(e.Dst), row["eth.dst"])
	eq(t, "eth.src", netMAC(e.Src), row["eth.src"])
	eq(t, "eth.type", e.EtherType, num(t, row, "eth.type"))
	rebuilt := make([]byte, 18)
	if n := PutEthernet(rebuilt, &e); !bytes.Equal(rebuilt[:n], f[:n]) {
		t.Error("Ethernet round trip differs")
	}
	p := f[e.HeaderLen:]
	kind := ""
	switch e.EtherType {
	case EtherTypeARP:
		var a ARP
		if err := ParseARP(p, &a); err != nil {
			t.Fatal(err)
		}
		eq(t, "arp.opcode", a.Op, row["arp.opcode"])
		eq(t, "arp.src", netip.AddrFrom4(a.SenderIP), row["arp.src.proto_ipv4"])
		eq(t, "arp.dst", netip.AddrFrom4(a.TargetIP), row["arp.dst.proto_ipv4"])
		out := make([]byte, ARPLen)
		if PutARP(out, &a) != ARPLen || !bytes.Equal(out, p[:ARPLen]) {
			t.Error("ARP round trip differs")
		}
		return "arp"
	case EtherTypeIPv4:
		var ip IPv4
		if err := ParseIPv4(p, &ip); err != nil {
			t.Fatal(err)
		}
		eq(t, "ip.src", netip.AddrFrom4(ip.Src), row["ip.src"])
		eq(t, "ip.dst", netip.AddrFrom4(ip.Dst), row["ip.dst"])
		eq(t, "ip.proto", ip.Protocol, row["ip.proto"])
		eq(t, "ip.len", ip.TotalLen, row["ip.len"])
		eq(t, "ip.hdr_len", ip.HeaderLen, row["ip.hdr_len"])
		eq(t, "ip.id", ip.ID, num(t, row, "ip.id"))
		eq(t, "ip.flags.mf", ip.Flags&IPv4MoreFragments, row["ip.flags.mf"])
		eq(t, "ip.frag_offset", ip.FragOffset/8, row["ip.frag_offset"])
		// tshark checked the header checksum (status 1 = good): ours must agree.
		eq(t, "header checksum ok", VerifyIPv4HeaderChecksum(p[:ip.HeaderLen]), row["ip.checksum.status"] == "1")
		out := make([]byte, 60)
		if n := PutIPv4(out, &ip); !bytes.Equal(out[:n], p[:ip.HeaderLen]) {
			t.Errorf("IPv4 round trip differs:\n% x\n% x", out[:n], p[:ip.HeaderLen])
		}
		kind = checkCapturedL4(t, p, ip.HeaderLen, ip.Protocol, ip.IsFragment(), ip.FragOffset != 0, row, false, ip.Src, ip.Dst, [16]byte{}, [16]byte{})
		switch {
		case ip.IsFirstFragment():
			kind = "ipv4-first-fragment"
		case ip.IsFragment():
			kind = "ipv4-later-fragment"
		}
	case EtherTypeIPv6:
		var ip IPv6
		if err := ParseIPv6(p, &ip); err != nil {
			t.Fatal(err)
		}
		eq(t, "ipv6.src", netip.AddrFrom16(ip.Src), row["ipv6.src"])
		eq(t, "ipv6.dst", netip.AddrFrom16(ip.Dst), row["ipv6.dst"])
		eq(t, "ipv6.plen", ip.PayloadLen, row["ipv6.plen"])
		if row["ipv6.fraghdr.ident"] != "" {
			eq(t, "fragment", ip.Fragment, true)
			eq(t, "ipv6.fraghdr.ident", ip.FragID, num(t, row, "ipv6.fraghdr.ident"))
			eq(t, "ipv6.fraghdr.offset", ip.FragOffset/8, row["ipv6.fraghdr.offset"])
			eq(t, "ipv6.fraghdr.more", ip.MoreFragments, row["ipv6.fraghdr.more"] == "1")
		} else {
			eq(t, "fragment", ip.Fragment, false)
		}
		out := make([]byte, 40)
		if PutIPv6(out, &ip) != 40 || !bytes.Equal(out, p[:40]) {
			t.Error("IPv6 round trip differs")
		}
		kind = checkCapturedL4(t, p, ip.L4Offset, ip.Protocol, ip.Fragment, ip.FragOffset != 0, row, true, [4]byte{}, [4]byte{}, ip.Src, ip.Dst)
		switch {
		case ip.IsFirstFragment():
			kind = "ipv6-first-fragment"
		case ip.Fragment:
			kind = "ipv6-later-fragment"
		case ip.L4Offset > 40:
			kind = "ipv6-ext"
		}
	default:
		t.Fatalf("unexpected EtherType %#04x", e.EtherType)
	}
	return kind
}

// checkCapturedL4 compares the transport header and ParseL3's summary.
func checkCapturedL4(t *testing.T, p []byte, l4off int, proto uint8, frag, later bool, row map[string]string, v6 bool,
	src4, dst4 [4]byte, src6, dst6 [16]byte) string {
	var in Inner
	if err := ParseL3(p, &in); err != nil {
		t.Fatal(err)
	}
	if v6 {
		eq(t, "Inner.Src", in.Src, src6)
		eq(t, "Inner.Dst", in.Dst, dst6)
	} else {
		eq(t, "Inner.Src", in.Src, mapped(src4))
		eq(t, "Inner.Dst", in.Dst, mapped(dst4))
		eq(t, "Inner.Src unmapped", netip.AddrFrom16(in.Src).Unmap(), netip.AddrFrom4(src4))
	}
	eq(t, "Inner.Protocol", in.Protocol, proto)
	eq(t, "Inner.L4Offset", in.L4Offset, l4off)
	eq(t, "Inner.IsFragment", in.IsFragment(), frag)
	eq(t, "Inner.IsLaterFragment", in.IsLaterFragment(), later)
	if later {
		eq(t, "ports of a later fragment", [2]uint16{in.SrcPort, in.DstPort}, [2]uint16{0, 0})
		return ""
	}
	l4 := p[l4off:in.TotalLen]
	switch proto {
	case ProtoTCP:
		var h TCP
		if err := ParseTCP(l4, &h); err != nil {
			t.Fatal(err)
		}
		eq(t, "tcp.srcport", h.SrcPort, row["tcp.srcport"])
		eq(t, "tcp.dstport", h.DstPort, row["tcp.dstport"])
		eq(t, "tcp.flags", h.Flags, num(t, row, "tcp.flags"))
		eq(t, "Inner ports", [2]uint16{in.SrcPort, in.DstPort}, [2]uint16{h.SrcPort, h.DstPort})
		eq(t, "Inner.TCPFlags", in.TCPFlags, h.Flags)
		out := make([]byte, 60)
		if n := PutTCP(out, &h); !bytes.Equal(out[:n], l4[:h.HeaderLen]) {
			t.Error("TCP round trip differs")
		}
		if v6 {
			return "tcp6"
		}
		return "tcp4"
	case ProtoUDP:
		var h UDP
		if err := ParseUDP(l4, &h); err != nil {
			t.Fatal(err)
		}
		eq(t, "udp.srcport", h.SrcPort, row["udp.srcport"])
		eq(t, "udp.dstport", h.DstPort, row["udp.dstport"])
		eq(t, "Inner ports", [2]uint16{in.SrcPort, in.DstPort}, [2]uint16{h.SrcPort, h.DstPort})
		out := make([]byte, 8)
		if PutUDP(out, &h) != 8 || !bytes.Equal(out, l4[:8]) {
			t.Error("UDP round trip differs")
		}
		if frag {
			return ""
		}
		if v6 {
			return "udp6"
		}
		return "udp4"
	case ProtoICMP, ProtoICMPv6:
		var m ICMP
		var err error
		pre := "icmp."
		if v6 {
			pre = "icmpv6."
			err = ParseICMPv6(l4, &m)
		} else {
			err = ParseICMP(l4, &m)
		}
		if err != nil {
			t.Fatal(err)
		}
		eq(t, pre+"type", m.Type, row[pre+"type"])
		eq(t, pre+"code", m.Code, row[pre+"code"])
		eq(t, "Inner ICMP type/code", [2]uint8{in.ICMPType, in.ICMPCode}, [2]uint8{m.Type, m.Code})
		out := make([]byte, 8)
		if PutICMP(out, &m) != 8 || !bytes.Equal(out, l4[:8]) {
			t.Error("ICMP round trip differs")
		}
		if !frag {
			// Linux computes ICMP checksums in software, so they can be
			// checked here (tshark agrees: status 1).
			var c uint16
			if v6 {
				c = TransportChecksum(PseudoHeaderSumIPv6(src6, dst6, ProtoICMPv6, len(l4)), l4)
			} else {
				c = Checksum(l4)
			}
			eq(t, "ICMP checksum verifies", c == 0, row[pre+"checksum.status"] == "1")
		}
		if m.IsEcho() {
			id := row["icmp.ident"]
			if v6 {
				id = row["icmpv6.echo.identifier"]
			}
			eq(t, "echo id", m.EchoID(), mustNum(id))
			eq(t, "Inner echo", [3]any{in.IsEcho(), in.SrcPort, in.DstPort}, [3]any{true, m.EchoID(), m.EchoID()})
			if frag {
				return ""
			}
			if v6 {
				return "icmpv6-echo"
			}
			return "icmp-echo"
		}
		eq(t, "Inner.IsEcho", in.IsEcho(), false)
		if !v6 && m.Type == ICMPUnreachable || v6 && m.Type == ICMPv6Unreachable {
			return "icmp-error"
		}
		return "icmp-other"
	}
	return ""
}

// mustNum reads a tshark number: hex with a 0x prefix, else decimal.
func mustNum(s string) int {
	v, err := strconv.ParseInt(s, 0, 64)
	if err != nil {
		return -1
	}
	return int(v)
}

func netMAC(m MAC) string {
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5])
}
