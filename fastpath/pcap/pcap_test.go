package pcap

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// frames returns n frames of varied sizes and contents, the first empty
// and one as long as the default snap length.
func frames(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		size := (i * 97) % 1600
		if i == n-1 {
			size = DefaultSnapLen
		}
		f := make([]byte, size)
		for j := range f {
			f[j] = byte(i + j)
		}
		out[i] = f
	}
	return out
}

func TestWriteReadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.pcap")
	want := frames(50)
	if err := WriteFile(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("read %d frames, wrote %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("frame %d differs", i)
		}
	}
	if n, err := Count(path); err != nil || n != len(want) {
		t.Fatalf("Count = %d, %v; want %d", n, err, len(want))
	}

	// The streaming reader sees the same records, with the timestamps
	// WriteFile gave them.
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if h := r.Header(); h.BigEndian || h.Nanosecond || h.SnapLen != DefaultSnapLen || h.LinkType != LinkTypeEthernet || h.VersionMajor != 2 || h.VersionMinor != 4 {
		t.Fatalf("header %+v", h)
	}
	buf := make([]byte, MaxSnapLen)
	for i := 0; ; i++ {
		rec, data, err := r.ReadPacket(buf)
		if err == io.EOF {
			if i != len(want) {
				t.Fatalf("EOF after %d records, want %d", i, len(want))
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(data, want[i]) || rec.CapLen != len(want[i]) || rec.OrigLen != len(want[i]) || rec.Truncated() {
			t.Fatalf("record %d: %+v, %d bytes", i, rec, len(data))
		}
		if !rec.Time().Equal(FrameTime(i)) {
			t.Fatalf("record %d at %v, want %v", i, rec.Time(), FrameTime(i))
		}
	}
}

// A writer keeps timestamps to the microsecond and refuses what the
// format cannot hold.
func TestWriterTimestampsAndLimits(t *testing.T) {
	var b bytes.Buffer
	w, err := NewWriter(&b, 100)
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Date(2023, 11, 14, 22, 13, 20, 123456789, time.UTC)
	if err := w.WritePacket(ts, make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	if err := w.WritePacket(ts, make([]byte, 101)); err == nil || !strings.Contains(err.Error(), "snap length 100") {
		t.Fatalf("frame above the snap length: %v", err)
	}
	if err := w.WritePacket(time.Date(1969, 1, 1, 0, 0, 0, 0, time.UTC), nil); err == nil {
		t.Fatal("timestamp before 1970 accepted")
	}
	if err := w.WritePacket(time.Date(2107, 1, 1, 0, 0, 0, 0, time.UTC), nil); err == nil {
		t.Fatal("timestamp after 2106 accepted")
	}
	if err := w.WritePacket(time.Time{}, []byte{1}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if w.Packets() != 2 {
		t.Fatalf("%d packets counted, 2 written", w.Packets())
	}
	h, pkts, err := Parse(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if h.SnapLen != 100 || len(pkts) != 2 {
		t.Fatalf("header %+v, %d packets", h, len(pkts))
	}
	if !pkts[0].Time().Equal(ts.Truncate(time.Microsecond)) || pkts[1].Sec != 0 || pkts[1].Nsec != 0 {
		t.Fatalf("timestamps %v and %d.%d", pkts[0].Time(), pkts[1].Sec, pkts[1].Nsec)
	}
	for _, bad := range []int{-1, MaxSnapLen + 1} {
		if _, err := NewWriter(io.Discard, bad); err == nil {
			t.Errorf("snap length %d accepted", bad)
		}
	}
}

// build writes a classic pcap by hand in the given byte order and
// resolution: an independent encoder for the reader's other variants.
func build(order binary.ByteOrder, nano bool, snap, link uint32, recs []Packet) []byte {
	b := make([]byte, HeaderLen)
	magic := uint32(magicMicro)
	if nano {
		magic = magicNano
	}
	order.PutUint32(b[0:], magic)
	order.PutUint16(b[4:], 2)
	order.PutUint16(b[6:], 4)
	order.PutUint32(b[16:], snap)
	order.PutUint32(b[20:], link)
	for _, p := range recs {
		var rec [RecordHeaderLen]byte
		frac := p.Nsec / 1000
		if nano {
			frac = p.Nsec
		}
		order.PutUint32(rec[0:], uint32(p.Sec))
		order.PutUint32(rec[4:], frac)
		order.PutUint32(rec[8:], uint32(len(p.Data)))
		order.PutUint32(rec[12:], uint32(p.OrigLen))
		b = append(b, rec[:]...)
		b = append(b, p.Data...)
	}
	return b
}

func samplePackets() []Packet {
	return []Packet{
		{Record: Record{Sec: 1700000000, Nsec: 123456000, OrigLen: 60}, Data: bytes.Repeat([]byte{0xab}, 60)},
		{Record: Record{Sec: 1700000001, Nsec: 999999000, OrigLen: 1514}, Data: bytes.Repeat([]byte{0xcd}, 64)}, // truncated capture
		{Record: Record{Sec: 1700000002, Nsec: 0, OrigLen: 0}, Data: nil},
	}
}

func TestReadByteOrdersAndResolutions(t *testing.T) {
	for _, c := range []struct {
		name  string
		order binary.ByteOrder
		nano  bool
	}{
		{"little-micro", binary.LittleEndian, false},
		{"little-nano", binary.LittleEndian, true},
		{"big-micro", binary.BigEndian, false},
		{"big-nano", binary.BigEndian, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := samplePackets()
			if c.nano {
				want[0].Nsec = 123456789
			}
			data := build(c.order, c.nano, 65535, LinkTypeEthernet, want)
			h, got, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			if h.BigEndian != (c.order == binary.BigEndian) || h.Nanosecond != c.nano || h.SnapLen != 65535 {
				t.Fatalf("header %+v", h)
			}
			r, err := NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 2048)
			for i, w := range want {
				if got[i].Sec != w.Sec || got[i].Nsec != w.Nsec || got[i].OrigLen != w.OrigLen || !bytes.Equal(got[i].Data, w.Data) {
					t.Fatalf("Parse record %d: %+v", i, got[i].Record)
				}
				rec, d, err := r.ReadPacket(buf)
				if err != nil || rec != got[i].Record || !bytes.Equal(d, w.Data) {
					t.Fatalf("ReadPacket record %d: %+v %v", i, rec, err)
				}
			}
			if !got[1].Truncated() || got[0].Truncated() {
				t.Fatal("Truncated() wrong")
			}
			if _, _, err := r.ReadPacket(buf); err != io.EOF {
				t.Fatalf("after the last record: %v, want io.EOF", err)
			}
			if n, err := count(bytes.NewReader(data), int64(len(data))); err != nil || n != len(want) {
				t.Fatalf("count %d %v", n, err)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	good := build(binary.LittleEndian, false, 100, LinkTypeEthernet, samplePackets())
	pcapng := append([]byte{0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a}, make([]byte, 16)...)
	cases := []struct {
		name string
		data []byte
		want error
		text string
	}{
		{"empty", nil, ErrTruncated, "0 bytes"},
		{"short header", good[:10], ErrTruncated, "header has 24"},
		{"pcapng", pcapng, ErrPcapNG, "editcap"},
		{"pcapng stub", pcapng[:8], ErrPcapNG, "pcapng"},
		{"not pcap", []byte("GET / HTTP/1.1\r\nHost: example\r\n\r\n"), ErrNotPcap, "magic 47455420"},
		{"linux cooked", build(binary.LittleEndian, false, 100, 113, nil), ErrLinkType, "link type 113"},
		{"truncated record header", good[:HeaderLen+10], ErrTruncated, "record 0: truncated: the file ends inside its record header"},
		{"truncated record", good[:HeaderLen+16+30], ErrTruncated, "record 0: truncated: the file ends inside its record"},
		{"truncated second", good[:len(good)-16-1], ErrTruncated, "record 1"},
		{"above snap length", build(binary.LittleEndian, false, 50, LinkTypeEthernet, samplePackets()), ErrBadRecord, "snap length 50"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, pkts, err := Parse(c.data)
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.text) || pkts != nil {
				t.Fatalf("Parse: %v (%d packets); want %v containing %q", err, len(pkts), c.want, c.text)
			}
			// The streaming reader and the counter report the same.
			serr := func() error {
				r, err := NewReader(bytes.NewReader(c.data))
				if err != nil {
					return err
				}
				buf := make([]byte, MaxSnapLen)
				for {
					if _, _, err := r.ReadPacket(buf); err != nil {
						if err == io.EOF {
							return nil
						}
						return err
					}
				}
			}()
			if !errors.Is(serr, c.want) {
				t.Fatalf("Reader: %v; want %v", serr, c.want)
			}
			if _, err := count(bytes.NewReader(c.data), int64(len(c.data))); !errors.Is(err, c.want) {
				t.Fatalf("count: %v; want %v", err, c.want)
			}
		})
	}
	path := filepath.Join(t.TempDir(), "trunc.pcap")
	if err := os.WriteFile(path, good[:len(good)-1], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(path); err == nil || !strings.HasPrefix(err.Error(), path+": ") {
		t.Fatalf("ReadFile names the file: %v", err)
	}
	if _, err := Count(path); !errors.Is(err, ErrTruncated) {
		t.Fatalf("Count of a truncated file: %v", err)
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing.pcap")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}

// A record larger than the caller's buffer is skipped with
// io.ErrShortBuffer and reading goes on with the next one, on a seekable
// stream and on a plain one.
func TestReadPacketShortBuffer(t *testing.T) {
	data := build(binary.LittleEndian, false, 65535, LinkTypeEthernet, samplePackets())
	for name, src := range map[string]func() io.Reader{
		"seeker": func() io.Reader { return bytes.NewReader(data) },
		"stream": func() io.Reader { return io.MultiReader(bytes.NewReader(data)) },
	} {
		t.Run(name, func(t *testing.T) {
			r, err := NewReader(src())
			if err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 61)
			if _, d, err := r.ReadPacket(buf); err != nil || len(d) != 60 {
				t.Fatalf("record 0: %d bytes, %v", len(d), err)
			}
			if rec, _, err := r.ReadPacket(buf); !errors.Is(err, io.ErrShortBuffer) || rec.CapLen != 64 {
				t.Fatalf("record 1 (64 bytes into 61): %+v %v", rec, err)
			}
			if rec, d, err := r.ReadPacket(buf); err != nil || len(d) != 0 || rec.Sec != 1700000002 {
				t.Fatalf("record 2 after the skipped one: %+v %v", rec, err)
			}
			if _, _, err := r.ReadPacket(buf); err != io.EOF {
				t.Fatalf("end: %v", err)
			}
		})
	}
	// Skipping beyond the end of a seekable stream is a truncation.
	r, err := NewReader(bytes.NewReader(data[:len(data)-16-1]))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.SkipPacket(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.SkipPacket(); !errors.Is(err, ErrTruncated) {
		t.Fatalf("skipping a truncated record: %v", err)
	}
}

// tshark (Wireshark's reader, an independent implementation) reads what
// the writer writes and the reader's hand-built variants alike.
func TestTsharkReadsFiles(t *testing.T) {
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark not installed (make deps installs it)")
	}
	dir := t.TempDir()
	files := map[string][]int{}
	written := filepath.Join(dir, "written.pcap")
	fs := frames(20)
	if err := WriteFile(written, fs); err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		files[written] = append(files[written], len(f))
	}
	for _, v := range []struct {
		name  string
		order binary.ByteOrder
		nano  bool
	}{{"be-nano", binary.BigEndian, true}, {"le-nano", binary.LittleEndian, true}, {"be-micro", binary.BigEndian, false}} {
		p := filepath.Join(dir, v.name+".pcap")
		if err := os.WriteFile(p, build(v.order, v.nano, 65535, LinkTypeEthernet, samplePackets()), 0o644); err != nil {
			t.Fatal(err)
		}
		files[p] = []int{60, 1514, 0}
	}
	for path, lens := range files {
		var stderr bytes.Buffer
		cmd := exec.Command("tshark", "-n", "-r", path, "-T", "fields", "-e", "frame.len")
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("tshark -r %s: %v\n%s", path, err, stderr.String())
		}
		var got []int
		for _, l := range strings.Fields(string(out)) {
			n, err := strconv.Atoi(l)
			if err != nil {
				t.Fatalf("tshark output %q", out)
			}
			got = append(got, n)
		}
		if len(got) != len(lens) {
			t.Fatalf("%s: tshark read %d frames, want %d:\n%s", path, len(got), len(lens), out)
		}
		for i := range lens {
			if got[i] != lens[i] {
				t.Fatalf("%s frame %d: tshark says %d bytes, want %d", path, i, got[i], lens[i])
			}
		}
	}
}

// FuzzParse: an error if and only if there is no result, never a panic;
// the streaming reader and the counter agree with Parse; and what Parse
// accepts survives a write and a second read unchanged.
func FuzzParse(f *testing.F) {
	f.Add(build(binary.LittleEndian, false, 65535, LinkTypeEthernet, samplePackets()))
	f.Add(build(binary.BigEndian, true, 100, LinkTypeEthernet, samplePackets()))
	f.Add(build(binary.LittleEndian, false, 0, LinkTypeEthernet, nil))
	f.Add([]byte{0x0a, 0x0d, 0x0d, 0x0a})
	f.Fuzz(func(t *testing.T, data []byte) {
		h, pkts, err := Parse(data)
		if (err == nil) != (h.LinkType == LinkTypeEthernet) || (err != nil) != (pkts == nil) {
			t.Fatalf("err %v with header %+v and %d packets", err, h, len(pkts))
		}
		n, cerr := count(bytes.NewReader(data), int64(len(data)))
		if (cerr == nil) != (err == nil) || (err == nil && n != len(pkts)) {
			t.Fatalf("count %d, %v; Parse %d, %v", n, cerr, len(pkts), err)
		}
		r, rerr := NewReader(bytes.NewReader(data))
		var streamed int
		if rerr == nil {
			buf := make([]byte, MaxSnapLen)
			for {
				rec, d, e := r.ReadPacket(buf)
				if e == io.EOF {
					break
				}
				if e != nil {
					rerr = e
					break
				}
				if err == nil && (streamed >= len(pkts) || rec != pkts[streamed].Record || !bytes.Equal(d, pkts[streamed].Data)) {
					t.Fatalf("streamed record %d differs from Parse's", streamed)
				}
				streamed++
			}
		}
		if (rerr == nil) != (err == nil) || (err == nil && streamed != len(pkts)) {
			t.Fatalf("Reader: %d records, %v; Parse: %d, %v", streamed, rerr, len(pkts), err)
		}
		if err != nil {
			return
		}
		var b bytes.Buffer
		w, werr := NewWriter(&b, int(h.SnapLen))
		if werr != nil {
			t.Fatal(werr)
		}
		for _, p := range pkts {
			ts := p.Time()
			if p.Sec > 1<<32-1 {
				ts = time.Time{} // beyond the writer's range: not what this checks
			}
			if err := w.WritePacket(ts, p.Data); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		_, again, err := Parse(b.Bytes())
		if err != nil || len(again) != len(pkts) {
			t.Fatalf("re-reading what was written: %d packets, %v", len(again), err)
		}
		for i := range pkts {
			if !bytes.Equal(again[i].Data, pkts[i].Data) {
				t.Fatalf("packet %d changed in the round trip", i)
			}
		}
	})
}

// benchFile is 256 frames of the benchmark's size mix.
func benchFile(b *testing.B) []byte {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, 0)
	if err != nil {
		b.Fatal(err)
	}
	sizes := []int{60, 128, 256, 576, 1024, 1514}
	for i := 0; i < 256; i++ {
		if err := w.WritePacket(FrameTime(i), make([]byte, sizes[i%len(sizes)])); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkReadPacket reads records into one caller buffer: the reader's
// hot path, which must not allocate.
func BenchmarkReadPacket(b *testing.B) {
	data := benchFile(b)
	src := bytes.NewReader(data)
	r, err := NewReader(src)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 2048)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)) / 256)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := r.ReadPacket(buf); err != nil {
			if err != io.EOF {
				b.Fatal(err)
			}
			src.Reset(data)
			if _, err := src.Seek(HeaderLen, io.SeekStart); err != nil {
				b.Fatal(err)
			}
			r.off = HeaderLen
		}
	}
}

func BenchmarkWritePacket(b *testing.B) {
	w, err := NewWriter(io.Discard, 0)
	if err != nil {
		b.Fatal(err)
	}
	frame := make([]byte, 576)
	ts := FrameTime(1)
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := w.WritePacket(ts, frame); err != nil {
			b.Fatal(err)
		}
	}
}
