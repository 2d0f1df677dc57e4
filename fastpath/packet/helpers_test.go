package packet

import (
	"encoding/binary"
	"encoding/hex"
	"os"
	"strings"
	"testing"
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

// readPcap returns the frames of a classic little-endian pcap file.
func readPcap(t testing.TB, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 24 {
		t.Fatalf("%s: short pcap", path)
	}
	switch binary.LittleEndian.Uint32(data[0:4]) {
	case 0xa1b2c3d4, 0xa1b23c4d:
	default:
		t.Fatalf("%s: not a little-endian pcap", path)
	}
	if lt := binary.LittleEndian.Uint32(data[20:24]); lt != 1 {
		t.Fatalf("%s: link type %d, want Ethernet", path, lt)
	}
	var frames [][]byte
	for off := 24; off < len(data); {
		if off+16 > len(data) {
			t.Fatalf("%s: truncated record header", path)
		}
		incl := int(binary.LittleEndian.Uint32(data[off+8 : off+12]))
		off += 16
		if off+incl > len(data) {
			t.Fatalf("%s: truncated record", path)
		}
		frames = append(frames, data[off:off+incl])
		off += incl
	}
	return frames
}

// writePcap writes frames as a classic pcap file (for external tools).
func writePcap(t testing.TB, path string, frames [][]byte) {
	t.Helper()
	out := make([]byte, 24)
	binary.LittleEndian.PutUint32(out[0:4], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(out[4:6], 2)
	binary.LittleEndian.PutUint16(out[6:8], 4)
	binary.LittleEndian.PutUint32(out[16:20], 65535)
	binary.LittleEndian.PutUint32(out[20:24], 1)
	for i, f := range frames {
		var rec [16]byte
		binary.LittleEndian.PutUint32(rec[0:4], uint32(i))
		binary.LittleEndian.PutUint32(rec[8:12], uint32(len(f)))
		binary.LittleEndian.PutUint32(rec[12:16], uint32(len(f)))
		out = append(out, rec[:]...)
		out = append(out, f...)
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
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
