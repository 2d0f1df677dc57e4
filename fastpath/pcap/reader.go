package pcap

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Reader reads the records of a pcap stream one by one.
type Reader struct {
	r   io.Reader
	hdr Header
	rec [RecordHeaderLen]byte
	n   int   // records read
	off int64 // offset of the next record from the file's start

	// For skipping by seeking: the stream offset of the file's start and
	// the stream's end (-1 until the first skip).
	base, end int64
}

// NewReader reads and checks the file header.
func NewReader(r io.Reader) (*Reader, error) {
	var b [HeaderLen]byte
	n, err := io.ReadFull(r, b[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	h, err := parseHeader(b[:n])
	if err != nil {
		return nil, err
	}
	return &Reader{r: r, hdr: h, off: HeaderLen, end: -1}, nil
}

// Header returns the file header.
func (r *Reader) Header() Header { return r.hdr }

// ReadPacket reads the next record into buf and returns its header and
// data (buf[:CapLen]); it does not allocate. At the end of the file it
// returns io.EOF. A record longer than buf is skipped and reported with
// an error wrapping io.ErrShortBuffer; the next call reads the record
// after it. Any other error is final.
func (r *Reader) ReadPacket(buf []byte) (Record, []byte, error) {
	rec, err := r.next()
	if err != nil {
		return Record{}, nil, err
	}
	if rec.CapLen > len(buf) {
		if err := r.skip(rec.CapLen); err != nil {
			return Record{}, nil, err
		}
		return rec, nil, fmt.Errorf("pcap: record %d: %d bytes, the buffer holds %d: %w", r.n-1, rec.CapLen, len(buf), io.ErrShortBuffer)
	}
	data := buf[:rec.CapLen]
	if _, err := io.ReadFull(r.r, data); err != nil {
		return Record{}, nil, r.truncated("record", err)
	}
	r.off += int64(rec.CapLen)
	return rec, data, nil
}

// SkipPacket reads the next record's header and skips its data.
func (r *Reader) SkipPacket() (Record, error) {
	rec, err := r.next()
	if err != nil {
		return Record{}, err
	}
	return rec, r.skip(rec.CapLen)
}

func (r *Reader) next() (Record, error) {
	n, err := io.ReadFull(r.r, r.rec[:])
	if err != nil {
		if n == 0 && errors.Is(err, io.EOF) {
			return Record{}, io.EOF
		}
		return Record{}, r.truncated("record header", err)
	}
	rec, err := parseRecord(&r.hdr, r.rec[:])
	if err != nil {
		return Record{}, fmt.Errorf("pcap: record %d at byte %d: %w", r.n, r.off, err)
	}
	r.n++
	r.off += RecordHeaderLen
	return rec, nil
}

func (r *Reader) skip(n int) error {
	if s, ok := r.r.(io.Seeker); ok {
		// Seeking past the end succeeds: check that the data is there.
		// The stream's start is where NewReader found it.
		if r.end < 0 {
			cur, err := s.Seek(0, io.SeekCurrent)
			if err != nil {
				return fmt.Errorf("pcap: record %d: %w", r.n-1, err)
			}
			end, err := s.Seek(0, io.SeekEnd)
			if err != nil {
				return fmt.Errorf("pcap: record %d: %w", r.n-1, err)
			}
			r.base, r.end = cur-r.off, end
		}
		if r.base+r.off+int64(n) > r.end {
			_, _ = s.Seek(0, io.SeekEnd)
			return r.truncated("record", io.ErrUnexpectedEOF)
		}
		if _, err := s.Seek(r.base+r.off+int64(n), io.SeekStart); err != nil {
			return fmt.Errorf("pcap: record %d: %w", r.n-1, err)
		}
		r.off += int64(n)
		return nil
	}
	got, err := io.CopyN(io.Discard, r.r, int64(n))
	r.off += got
	if err != nil {
		return r.truncated("record", err)
	}
	return nil
}

func (r *Reader) truncated(what string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("pcap: record %d: %w: the file ends inside its %s (at byte %d)", r.n, ErrTruncated, what, r.off)
	}
	return fmt.Errorf("pcap: record %d: %w", r.n, err)
}

// Packet is one record of a parsed file: its header and its data.
type Packet struct {
	Record
	Data []byte
}

// Parse decodes a whole file held in memory. The packets' Data point into
// data. It returns an error, and no packets, for anything NewReader and
// ReadPacket would refuse.
func Parse(data []byte) (Header, []Packet, error) {
	h, err := parseHeader(data)
	if err != nil {
		return Header{}, nil, err
	}
	pkts := []Packet{}
	for off := HeaderLen; off < len(data); {
		if len(data)-off < RecordHeaderLen {
			return Header{}, nil, fmt.Errorf("pcap: record %d: %w: the file ends inside its record header (at byte %d)", len(pkts), ErrTruncated, off)
		}
		rec, err := parseRecord(&h, data[off:])
		if err != nil {
			return Header{}, nil, fmt.Errorf("pcap: record %d at byte %d: %w", len(pkts), off, err)
		}
		off += RecordHeaderLen
		if len(data)-off < rec.CapLen {
			return Header{}, nil, fmt.Errorf("pcap: record %d: %w: the file ends inside its record (at byte %d)", len(pkts), ErrTruncated, off)
		}
		pkts = append(pkts, Packet{Record: rec, Data: data[off : off+rec.CapLen : off+rec.CapLen]})
		off += rec.CapLen
	}
	return h, pkts, nil
}

// ReadFile returns the frames of the pcap file at path, in order.
func ReadFile(path string) ([][]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	_, pkts, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	frames := make([][]byte, len(pkts))
	for i := range pkts {
		frames[i] = pkts[i].Data
	}
	return frames, nil
}

// Count returns the number of records in the pcap file at path, reading
// only the headers (net_pcap's infinite_rx preloads every record into
// mbufs: a pool must be sized for them).
func Count(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	n, err := count(f, st.Size())
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return n, nil
}

// count walks the record headers of a file of size bytes.
func count(f io.ReaderAt, size int64) (int, error) {
	var b [HeaderLen]byte
	n, err := f.ReadAt(b[:], 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, err
	}
	h, err := parseHeader(b[:n])
	if err != nil {
		return 0, err
	}
	records := 0
	for off := int64(HeaderLen); off < size; records++ {
		if size-off < RecordHeaderLen {
			return 0, fmt.Errorf("pcap: record %d: %w: the file ends inside its record header (at byte %d)", records, ErrTruncated, off)
		}
		if _, err := f.ReadAt(b[:RecordHeaderLen], off); err != nil {
			return 0, fmt.Errorf("pcap: record %d: %w", records, err)
		}
		rec, err := parseRecord(&h, b[:RecordHeaderLen])
		if err != nil {
			return 0, fmt.Errorf("pcap: record %d at byte %d: %w", records, off, err)
		}
		off += RecordHeaderLen
		if size-off < int64(rec.CapLen) {
			return 0, fmt.Errorf("pcap: record %d: %w: the file ends inside its record (at byte %d)", records, ErrTruncated, off)
		}
		off += int64(rec.CapLen)
	}
	return records, nil
}
