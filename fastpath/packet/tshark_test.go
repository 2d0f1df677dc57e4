package packet

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestTsharkDecodesBuiltFrames hands frames built by this package to an
// independent decoder, tshark, and checks that it reads the same outer
// header (checksum good, TTL 64, DF, UDP 6081 with checksum 0), the same
// Geneve options in the same order, and the inner packet. Skipped (not
// passed) when tshark is not installed: `make deps` installs it.
func TestTsharkDecodesBuiltFrames(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed; run make deps")
	}
	inner6 := ipv6Packet(t, ProtoUDP, "d431 1f90 000c 0000 61626364") // 54321 -> 8080
	reordered := func() []byte {
		// Cookie, unknown option, attachment, endpoint: built from parts.
		opts := make([]byte, 0, 64)
		opts = append(opts, mustHex(t, optCookie)...)
		opts = append(opts, mustHex(t, optUnknown)...)
		opts = append(opts, mustHex(t, optAttachment)...)
		opts = append(opts, mustHex(t, optEndpoint)...)
		inner := withIPv4Checksum(tcpv4Packet(t))
		g := Geneve{ProtocolType: EtherTypeIPv4, Options: opts}
		f := make([]byte, 14+28+8+len(opts)+len(inner))
		n := PutEthernet(f, &Ethernet{Dst: MAC{2, 0, 0, 0, 0, 1}, Src: MAC{2, 0, 0, 0, 0, 2}, EtherType: EtherTypeIPv4})
		n += PutOuterIPv4UDP(f[n:], ip4(10, 0, 2, 20), ip4(10, 0, 1, 10), GeneveSourcePort(0x9e3779b9), 8+len(opts)+len(inner))
		n += PutGeneve(f[n:], &g)
		copy(f[n:], inner)
		return f
	}()
	frames := [][]byte{
		geneveFrame(t, withIPv4Checksum(tcpv4Packet(t)), EtherTypeIPv4, 0xc0ffee01),
		geneveFrame(t, inner6, EtherTypeIPv6, 7),
		reordered,
	}
	// Our parser must read each frame too.
	for i, f := range frames {
		var o Outer
		if err := ParseOuter(f, &o); err != nil || !o.Geneve.HasAWSOptions() {
			t.Fatalf("frame %d: %v", i+1, err)
		}
	}
	path := filepath.Join(t.TempDir(), "built.pcap")
	writePcap(t, path, frames)
	fields := []string{"ip.checksum.status", "ip.ttl", "ip.flags.df", "udp.srcport", "udp.dstport", "udp.checksum",
		"geneve.version", "geneve.proto_type", "geneve.vni", "geneve.option.class", "geneve.option.type", "geneve.option.length",
		"ip.src", "ipv6.src", "tcp.srcport", "_ws.malformed"}
	args := []string{"-r", path, "-o", "ip.check_checksum:TRUE", "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,"}
	for _, f := range fields {
		args = append(args, "-e", f)
	}
	out, err := exec.Command(tshark, args...).Output()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(frames) {
		t.Fatalf("tshark printed %d lines:\n%s", len(lines), out)
	}
	want := []map[string]string{
		{"ip.checksum.status": "1,1", "ip.ttl": "64,64", "ip.flags.df": "1,1", "udp.srcport": "51000", "udp.dstport": "6081", "udp.checksum": "0x0000",
			"geneve.version": "0", "geneve.proto_type": "0x0800", "geneve.vni": "0x000000", "geneve.option.class": "0x0108,0x0108,0x0108",
			"geneve.option.type": "0x01,0x02,0x03", "geneve.option.length": "32,12,12,8", // option area, then each option
			"ip.src": "10.0.2.20,10.1.0.1", "ipv6.src": "", "tcp.srcport": "40000", "_ws.malformed": ""},
		{"udp.dstport": "6081,8080", "geneve.proto_type": "0x86dd", "geneve.option.type": "0x01,0x02,0x03",
			"ip.src": "10.0.2.20", "ipv6.src": "fd00::1", "_ws.malformed": ""},
		{"udp.srcport": "59277", // 49152 + 0x9e3779b9>>18 "geneve.option.class": "0x0108,0xabcd,0x0108,0x0108", "geneve.option.type": "0x03,0x05,0x02,0x01",
			"geneve.option.length": "40,8,8,12,12", "ip.src": "10.0.2.20,10.1.0.1", "tcp.srcport": "40000", "_ws.malformed": ""},
	}
	for i, l := range lines {
		got := strings.Split(l, "|")
		for j, f := range fields {
			w, ok := want[i][f]
			if ok && (j >= len(got) || got[j] != w) {
				t.Errorf("frame %d: tshark %s = %q, want %q (line %q)", i+1, f, got[j], w, l)
			}
		}
	}
}
