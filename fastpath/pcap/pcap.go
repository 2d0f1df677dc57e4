// Package pcap reads and writes classic pcap files of Ethernet frames: the
// golden packets of the packet and engine tests, the benchmark traffic
// replayed through DPDK's net_pcap, and the warm-up and returns files of
// the benchmarks. It is the project's only pcap codec (stdlib only).
//
// Reading accepts both byte orders and both timestamp resolutions
// (microsecond magic 0xa1b2c3d4, nanosecond magic 0xa1b23c4d), checks that
// the link type is Ethernet and that no record is longer than the file's
// snap length, and names what is wrong otherwise (pcapng, a truncated
// file, another link type). Writing produces what libpcap and net_pcap
// read everywhere: little-endian, microsecond timestamps, Ethernet.
//
// The reader copies records into a caller's buffer without allocating
// (Reader.ReadPacket); ReadFile and WriteFile are the one-call forms.
package pcap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// File format constants.
const (
	// HeaderLen is the size of the file header; RecordHeaderLen of the
	// header in front of each packet.
	HeaderLen       = 24
	RecordHeaderLen = 16

	// LinkTypeEthernet is LINKTYPE_ETHERNET, the only link type read and
	// written here.
	LinkTypeEthernet = 1

	// DefaultSnapLen is the snap length the writer declares (the largest
	// frame it accepts) unless told otherwise.
	DefaultSnapLen = 65535
	// MaxSnapLen is the largest snap length accepted (libpcap's limit for
	// Ethernet, 256 KiB): a larger record length means a damaged file.
	MaxSnapLen = 262144

	magicMicro  = 0xa1b2c3d4
	magicNano   = 0xa1b23c4d
	magicPcapNG = 0x0a0d0d0a // a pcapng Section Header Block, either order
)

// Errors a reader returns, wrapped with the file's name and the place.
var (
	// ErrNotPcap: the file does not start with a classic pcap magic.
	ErrNotPcap = errors.New("not a pcap file")
	// ErrPcapNG: the file is pcapng, which is not read here.
	ErrPcapNG = errors.New("pcapng is not supported; convert it to classic pcap first (editcap -F pcap in.pcapng out.pcap)")
	// ErrLinkType: the frames are not Ethernet.
	ErrLinkType = errors.New("link type is not Ethernet")
	// ErrTruncated: the file ends inside a header or a record.
	ErrTruncated = errors.New("truncated")
	// ErrBadRecord: a record is longer than the file's snap length.
	ErrBadRecord = errors.New("bad record")
)

// Header is what a file header says.
type Header struct {
	// BigEndian is the byte order the file was written in.
	BigEndian bool
	// Nanosecond is true for nanosecond timestamps (magic 0xa1b23c4d).
	Nanosecond bool
	// VersionMajor and VersionMinor are the format version (2.4).
	VersionMajor, VersionMinor uint16
	// SnapLen is the largest captured length of any record.
	SnapLen uint32
	// LinkType is LinkTypeEthernet in every file read here.
	LinkType uint32
}

// Record is a packet's record header.
type Record struct {
	// Sec and Nsec are the timestamp (Nsec below 1e9, whatever the file's
	// resolution).
	Sec  int64
	Nsec uint32
	// CapLen is the number of bytes stored; OrigLen the frame's length on
	// the wire (larger when the capture truncated it).
	CapLen, OrigLen int
}

// Time returns the record's timestamp.
func (r Record) Time() time.Time { return time.Unix(r.Sec, int64(r.Nsec)) }

// Truncated reports whether the capture kept less than the whole frame.
func (r Record) Truncated() bool { return r.CapLen < r.OrigLen }

// parseHeader decodes a file header.
func parseHeader(b []byte) (Header, error) {
	if len(b) < HeaderLen {
		if len(b) >= 4 && isPcapNG(b) {
			return Header{}, ErrPcapNG
		}
		return Header{}, fmt.Errorf("%w: %d bytes, a pcap file header has %d", ErrTruncated, len(b), HeaderLen)
	}
	var h Header
	var order binary.ByteOrder = binary.LittleEndian
	switch binary.LittleEndian.Uint32(b) {
	case magicMicro:
	case magicNano:
		h.Nanosecond = true
	default:
		order = binary.BigEndian
		h.BigEndian = true
		switch binary.BigEndian.Uint32(b) {
		case magicMicro:
		case magicNano:
			h.Nanosecond = true
		default:
			if isPcapNG(b) {
				return Header{}, ErrPcapNG
			}
			return Header{}, fmt.Errorf("%w (magic %x)", ErrNotPcap, b[:4])
		}
	}
	h.VersionMajor = order.Uint16(b[4:])
	h.VersionMinor = order.Uint16(b[6:])
	h.SnapLen = order.Uint32(b[16:])
	// The top 4 bits of the field may say how long a frame check
	// sequence each frame carries (libpcap's LT_FCS_LENGTH); the link
	// type is below them.
	h.LinkType = order.Uint32(b[20:]) & 0x0fffffff
	if h.LinkType != LinkTypeEthernet {
		return Header{}, fmt.Errorf("%w: link type %d, want Ethernet (%d)", ErrLinkType, h.LinkType, LinkTypeEthernet)
	}
	if h.SnapLen == 0 || h.SnapLen > MaxSnapLen {
		// Some writers leave 0 or write 0xffffffff: read with the
		// largest sane limit instead of refusing the file.
		h.SnapLen = MaxSnapLen
	}
	return h, nil
}

func isPcapNG(b []byte) bool { return binary.LittleEndian.Uint32(b) == magicPcapNG }

// parseRecord decodes a record header against the file header.
func parseRecord(h *Header, b []byte) (Record, error) {
	var sec, frac, caplen, origlen uint32
	if h.BigEndian {
		sec, frac = binary.BigEndian.Uint32(b[0:]), binary.BigEndian.Uint32(b[4:])
		caplen, origlen = binary.BigEndian.Uint32(b[8:]), binary.BigEndian.Uint32(b[12:])
	} else {
		sec, frac = binary.LittleEndian.Uint32(b[0:]), binary.LittleEndian.Uint32(b[4:])
		caplen, origlen = binary.LittleEndian.Uint32(b[8:]), binary.LittleEndian.Uint32(b[12:])
	}
	if caplen > h.SnapLen {
		return Record{}, fmt.Errorf("%w: captured length %d is above the file's snap length %d", ErrBadRecord, caplen, h.SnapLen)
	}
	r := Record{Sec: int64(sec), CapLen: int(caplen), OrigLen: int(origlen)}
	// A fraction of a second or more is carried into the seconds, as
	// libpcap's readers do.
	if h.Nanosecond {
		r.Sec += int64(frac / 1e9)
		r.Nsec = frac % 1e9
	} else {
		r.Sec += int64(frac / 1e6)
		r.Nsec = frac % 1e6 * 1000
	}
	return r, nil
}
