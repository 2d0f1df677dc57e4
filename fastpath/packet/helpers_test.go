package packet

import (
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/gwlbctl/gwlbctl/fastpath/pcap"
)

// mustHex decodes hex text, ignoring whitespace and '#' comments to the end
// of a line, so golden packets can be laid out field by field.
func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	var clean strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		clean.WriteString(strings.Join(strings.Fields(line), ""))
	}
	b, err := hex.DecodeString(clean.String())
	if err != nil {
		t.Fatalf("bad hex: %v", err)
	}
	return b
}

// readPcap returns the frames of a classic pcap file.
func readPcap(t testing.TB, path string) [][]byte {
	t.Helper()
	frames, err := pcap.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return frames
}

// writePcap writes frames as a classic pcap file (for external tools).
func writePcap(t testing.TB, path string, frames [][]byte) {
	t.Helper()
	if err := pcap.WriteFile(path, frames); err != nil {
		t.Fatal(err)
	}
}

// readTSV reads a tab-separated file with a header line into one map per
// row (column name -> value).
func readTSV(t testing.TB, path string) []map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	header := strings.Split(lines[0], "\t")
	var rows []map[string]string
	for _, l := range lines[1:] {
		cols := strings.Split(l, "\t")
		row := make(map[string]string, len(header))
		for i, h := range header {
			if i < len(cols) {
				row[h] = cols[i]
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// ip4 and ip16 shorten address literals in tables.
func ip4(a, b, c, d byte) [4]byte { return [4]byte{a, b, c, d} }

func mapped(a [4]byte) [16]byte {
	return [16]byte{10: 0xff, 11: 0xff, 12: a[0], 13: a[1], 14: a[2], 15: a[3]}
}

// naiveSum is the RFC 1071 reference: big-endian 16-bit words added with
// end-around carry, one at a time.
func naiveSum(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return uint16(s)
}
