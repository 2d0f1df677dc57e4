package pcap

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"time"
)

// Writer writes a little-endian, microsecond-timestamp pcap of Ethernet
// frames. It buffers: Flush (or Close) writes what is pending.
type Writer struct {
	w       *bufio.Writer
	file    *os.File // set by Create: Close closes it
	snapLen int
	rec     [RecordHeaderLen]byte
	n       int // records written
}

// NewWriter writes the file header to w. snapLen is the largest frame the
// file will hold (0: DefaultSnapLen; at most MaxSnapLen).
func NewWriter(w io.Writer, snapLen int) (*Writer, error) {
	if snapLen == 0 {
		snapLen = DefaultSnapLen
	}
	if snapLen < 0 || snapLen > MaxSnapLen {
		return nil, fmt.Errorf("pcap: snap length %d is outside 1-%d", snapLen, MaxSnapLen)
	}
	pw := &Writer{w: bufio.NewWriter(w), snapLen: snapLen}
	var h [HeaderLen]byte
	binary.LittleEndian.PutUint32(h[0:], magicMicro)
	binary.LittleEndian.PutUint16(h[4:], 2) // version 2.4
	binary.LittleEndian.PutUint16(h[6:], 4)
	// h[8:16]: time zone offset and timestamp accuracy, always 0.
	binary.LittleEndian.PutUint32(h[16:], uint32(snapLen))
	binary.LittleEndian.PutUint32(h[20:], LinkTypeEthernet)
	if _, err := pw.w.Write(h[:]); err != nil {
		return nil, err
	}
	return pw, nil
}

// Create creates (or truncates) the file at path and writes the header.
// Close flushes and closes the file.
func Create(path string) (*Writer, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	w, err := NewWriter(f, 0)
	if err != nil {
		f.Close()
		return nil, err
	}
	w.file = f
	return w, nil
}

// WritePacket appends one frame with timestamp ts (a zero ts writes 0;
// below a microsecond is dropped). A frame longer than the snap length is
// refused, not cut. It does not allocate.
func (w *Writer) WritePacket(ts time.Time, frame []byte) error {
	if len(frame) > w.snapLen {
		return fmt.Errorf("pcap: frame %d: %d bytes is above the snap length %d", w.n, len(frame), w.snapLen)
	}
	var sec, usec uint32
	if !ts.IsZero() {
		s := ts.Unix()
		if s < 0 || s > math.MaxUint32 {
			return fmt.Errorf("pcap: frame %d: timestamp %v is outside the format's range (1970 to 2106)", w.n, ts)
		}
		sec, usec = uint32(s), uint32(ts.Nanosecond()/1000)
	}
	binary.LittleEndian.PutUint32(w.rec[0:], sec)
	binary.LittleEndian.PutUint32(w.rec[4:], usec)
	binary.LittleEndian.PutUint32(w.rec[8:], uint32(len(frame)))
	binary.LittleEndian.PutUint32(w.rec[12:], uint32(len(frame)))
	if _, err := w.w.Write(w.rec[:]); err != nil {
		return err
	}
	if _, err := w.w.Write(frame); err != nil {
		return err
	}
	w.n++
	return nil
}

// Packets returns the number of frames written.
func (w *Writer) Packets() int { return w.n }

// Flush writes buffered data to the underlying writer.
func (w *Writer) Flush() error { return w.w.Flush() }

// Close flushes and, for a Writer from Create, closes the file.
func (w *Writer) Close() error {
	err := w.w.Flush()
	if w.file != nil {
		err = errors.Join(err, w.file.Close())
		w.file = nil
	}
	return err
}

// FrameTime is the timestamp WriteFile gives frame i: i microseconds
// after the epoch, so a file's records are in order and a given list of
// frames always makes the same file.
func FrameTime(i int) time.Time { return time.Unix(int64(i/1e6), int64(i%1e6)*1000) }

// WriteFile writes frames to a new file at path, frame i stamped
// FrameTime(i). On error no file is left at path.
func WriteFile(path string, frames [][]byte) error {
	w, err := Create(path)
	if err != nil {
		return err
	}
	for i, f := range frames {
		if err = w.WritePacket(FrameTime(i), f); err != nil {
			break
		}
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
