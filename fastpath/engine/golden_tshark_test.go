package engine

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestGoldenTshark checks the golden pcaps with an independent dissector:
// tshark must find no malformed or warning-level frame, good IPv4, TCP and
// UDP checksums, and in every Geneve frame UDP port 6081, version 0, VNI 0,
// a protocol type matching the inner IP version and the three AWS options
// (class 0x0108, types 1, 2, 3) exactly once each. Skipped when tshark is
// not installed (make deps installs it); TestGoldenSpecOffsets checks the
// same bytes by hand.
func TestGoldenTshark(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed (apt-get install tshark)")
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "*.pcap"))
	if len(files) == 0 {
		t.Fatal("no golden pcaps")
	}
	fields := []string{"frame.number", "_ws.malformed", "_ws.expert.severity", "ip.checksum.status",
		"udp.checksum.status", "tcp.checksum.status", "udp.dstport", "geneve.version", "geneve.vni",
		"geneve.proto_type", "geneve.option.class", "geneve.option.type", "ip.version", "ipv6.version", "ip.src"}
	args := []string{"-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
		"-T", "fields", "-E", "separator=|", "-E", "occurrence=a"}
	for _, f := range fields {
		args = append(args, "-e", f)
	}
	geneveFrames := 0
	for _, file := range files {
		out, err := exec.Command(tshark, append([]string{"-r", file}, args...)...).Output()
		if err != nil {
			t.Fatalf("tshark -r %s: %v", file, err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			v := strings.Split(line, "|")
			if len(v) != len(fields) {
				t.Fatalf("%s: unexpected tshark line %q", file, line)
			}
			get := func(name string) string {
				for i, f := range fields {
					if f == name {
						return v[i]
					}
				}
				panic(name)
			}
			where := file + " frame " + get("frame.number")
			if get("_ws.malformed") != "" {
				t.Errorf("%s: malformed", where)
			}
			for _, sev := range splitNonEmpty(get("_ws.expert.severity")) {
				if n, err := strconv.Atoi(sev); err != nil || n >= 0x00600000 { // PI_WARN or worse
					t.Errorf("%s: expert severity %s", where, sev)
				}
			}
			for _, f := range []string{"ip.checksum.status", "udp.checksum.status", "tcp.checksum.status"} {
				for _, s := range splitNonEmpty(get(f)) {
					if s != "1" && s != "3" { // 1 good, 3 not present (UDP 0)
						t.Errorf("%s: %s = %s", where, f, s)
					}
				}
			}
			if get("geneve.version") == "" {
				continue
			}
			geneveFrames++
			if get("udp.dstport") == "" || !strings.HasPrefix(get("udp.dstport"), "6081") {
				t.Errorf("%s: outer UDP destination %q", where, get("udp.dstport"))
			}
			if get("geneve.version") != "0" || get("geneve.vni") != "0x000000" {
				t.Errorf("%s: version %s vni %s", where, get("geneve.version"), get("geneve.vni"))
			}
			pt := get("geneve.proto_type")
			innerV6 := get("ipv6.version") != ""
			if innerV6 && pt != "0x86dd" || !innerV6 && pt != "0x0800" {
				t.Errorf("%s: protocol type %s for inner IPv6=%v", where, pt, innerV6)
			}
			seen := map[string]int{}
			classes, types := strings.Split(get("geneve.option.class"), ","), strings.Split(get("geneve.option.type"), ",")
			for i := range classes {
				if classes[i] == "0x0108" && i < len(types) {
					seen[types[i]]++
				}
			}
			if seen["0x01"] != 1 || seen["0x02"] != 1 || seen["0x03"] != 1 {
				t.Errorf("%s: AWS options %v", where, seen)
			}
		}
	}
	if geneveFrames < 20 {
		t.Fatalf("only %d Geneve frames dissected", geneveFrames)
	}
}

func splitNonEmpty(s string) []string {
	var r []string
	for _, x := range strings.Split(s, ",") {
		if x != "" {
			r = append(r, x)
		}
	}
	return r
}
