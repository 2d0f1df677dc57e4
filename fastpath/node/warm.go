package node

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"os"

	"github.com/gwlbctl/gwlbctl/fastpath/dpdk"
	"github.com/gwlbctl/gwlbctl/fastpath/engine"
)

// WarmFromPcap returns a warm-up that replays the endpoint traffic in the
// pcap file in once through worker 0, as if received on side A of the
// first configured endpoint, before the ports forward: the flows it opens
// are in the flow table when forwarding starts. When returnsOut is not
// empty, every packet the engine encapsulated is written there as its
// appliance would return it (outer Ethernet and IP addresses swapped, UDP
// ports kept, Geneve options unchanged): returns that carry the live
// flows' real cookies, which is what a decapsulation benchmark must replay.
// Only worker 0's table is warmed (benchmarks run one worker).
//
// The engine opens a TCP flow only on a SYN; the warm-up presents every
// TCP packet with SYN set (the pcap's own flags are restored in the
// returns), so a capture taken mid-connection still warms its flows.
func WarmFromPcap(in, returnsOut string) func(*Node) error {
	return func(n *Node) error {
		if len(n.workers) == 0 {
			return errors.New("no engine worker to warm")
		}
		frames, err := readPcap(in)
		if err != nil {
			return err
		}
		var out *pcapWriter
		if returnsOut != "" {
			if out, err = createPcap(returnsOut); err != nil {
				return err
			}
		}
		w := n.workers[0]
		const headroom = 128
		batch := make([]engine.Packet, 0, dpdk.Burst)
		bufs := make([][]byte, dpdk.Burst)
		for i := range bufs {
			bufs[i] = make([]byte, headroom+16384)
		}
		var encapsulated, opened int
		synFlags := make([]int, dpdk.Burst)
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			w.Process(batch, dpdk.Monotonic())
			for i := range batch {
				p := &batch[i]
				if p.Verdict != engine.Forward || int(p.Out) != AppliancePortIndex {
					continue
				}
				encapsulated++
				if fl := synFlags[i]; fl >= 0 {
					// Restore the pcap's TCP flags in the inner packet.
					restoreFlags(p.Buf[p.Off:p.Off+p.Len], uint8(fl))
				}
				if out != nil {
					if err := out.write(applianceReturn(p.Buf[p.Off : p.Off+p.Len])); err != nil {
						return err
					}
				}
			}
			batch = batch[:0]
			return nil
		}
		for _, f := range frames {
			if len(f) > len(bufs[0])-headroom {
				continue
			}
			b := bufs[len(batch)]
			copy(b[headroom:], f)
			synFlags[len(batch)] = markSYN(b[headroom : headroom+len(f)])
			batch = append(batch, engine.Packet{Buf: b, Off: headroom, Len: len(f), Port: uint16(SideAPort(0))})
			if len(batch) == cap(batch) {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		if out != nil {
			if err := out.close(); err != nil {
				return err
			}
		}
		w.Flush(dpdk.Monotonic()) // publish the counters read below
		st := w.Stats()
		opened = int(st.Totals.NewFlows)
		n.log.Info("node: flow table warmed", "pcap", in, "packets", len(frames), "encapsulated", encapsulated,
			"flows", opened, "returns", returnsOut)
		if encapsulated == 0 {
			return fmt.Errorf("warm-up: none of the %d packets of %s was encapsulated (drops: %v); is the endpoint available and a target resolved?", len(frames), in, st.Totals.Drops)
		}
		return nil
	}
}

// markSYN makes the TCP flags a bare SYN in an untagged Ethernet/IPv4 or IPv6 TCP frame and
// returns the original flags byte, or -1 when the frame is not such a
// packet. The TCP checksum is left stale: the engine does not verify inner
// checksums, and restoreFlags puts the original byte back.
func markSYN(f []byte) int {
	off, ok := tcpFlagsOffset(f, 14)
	if !ok {
		return -1
	}
	fl := int(f[off])
	f[off] = 0x02 // a bare SYN: what opens a TCP flow
	return fl
}

// restoreFlags puts flags back into the inner TCP header of an
// encapsulated frame (outer Ethernet 14 + IPv4 20 + UDP 8 + Geneve 40).
func restoreFlags(f []byte, flags uint8) {
	if off, ok := tcpFlagsOffset(f, 82); ok {
		f[off] = flags
	}
}

// tcpFlagsOffset finds the TCP flags byte of an IP packet at l3 in f; an
// Ethernet header in front (l3 = 14) must carry IPv4 or IPv6.
func tcpFlagsOffset(f []byte, l3 int) (int, bool) {
	if l3 == 14 {
		if len(f) < 14 {
			return 0, false
		}
		et := binary.BigEndian.Uint16(f[12:])
		if et != 0x0800 && et != 0x86dd {
			return 0, false
		}
	}
	if len(f) < l3+40 {
		return 0, false
	}
	switch f[l3] >> 4 {
	case 4:
		ihl := int(f[l3]&0x0f) * 4
		if f[l3+9] != 6 || ihl < 20 || len(f) < l3+ihl+20 || binary.BigEndian.Uint16(f[l3+6:])&0x1fff != 0 {
			return 0, false
		}
		return l3 + ihl + 13, true
	case 6:
		if f[l3+6] != 6 || len(f) < l3+40+20 {
			return 0, false
		}
		return l3 + 40 + 13, true
	}
	return 0, false
}

// applianceReturn turns an encapsulated frame (node -> target) into the
// frame its target returns (target -> node), in place.
func applianceReturn(f []byte) []byte {
	var mac [6]byte
	copy(mac[:], f[0:6])
	copy(f[0:6], f[6:12])
	copy(f[6:12], mac[:])
	// IPv4 source and destination swap: the header checksum is unchanged.
	var ip [4]byte
	copy(ip[:], f[26:30])
	copy(f[26:30], f[30:34])
	copy(f[30:34], ip[:])
	return f
}

// readPcap reads every frame of a classic pcap file (either byte order,
// micro- or nanosecond timestamps).
func readPcap(path string) ([][]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("warm-up pcap: %w", err)
	}
	if len(b) < 24 {
		return nil, fmt.Errorf("warm-up pcap %s: too short for a pcap header", path)
	}
	var order binary.ByteOrder
	switch binary.LittleEndian.Uint32(b) {
	case 0xa1b2c3d4, 0xa1b23c4d:
		order = binary.LittleEndian
	case 0xd4c3b2a1, 0x4d3cb2a1:
		order = binary.BigEndian
	default:
		return nil, fmt.Errorf("warm-up pcap %s: not a pcap file (pcapng is not read)", path)
	}
	if lt := order.Uint32(b[20:]); lt != 1 {
		return nil, fmt.Errorf("warm-up pcap %s: link type %d, want Ethernet (1)", path, lt)
	}
	var frames [][]byte
	for off := 24; off+16 <= len(b); {
		n := int(order.Uint32(b[off+8:]))
		off += 16
		if n > len(b)-off {
			return nil, fmt.Errorf("warm-up pcap %s: truncated record at byte %d", path, off)
		}
		frames = append(frames, b[off:off+n])
		off += n
	}
	return frames, nil
}

// pcapWriter writes a little-endian microsecond pcap of Ethernet frames.
type pcapWriter struct {
	f *os.File
	w *bufio.Writer
	n uint32
}

func createPcap(path string) (*pcapWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("returns pcap: %w", err)
	}
	p := &pcapWriter{f: f, w: bufio.NewWriter(f)}
	hdr := make([]byte, 24)
	binary.LittleEndian.PutUint32(hdr[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(hdr[4:], 2)
	binary.LittleEndian.PutUint16(hdr[6:], 4)
	binary.LittleEndian.PutUint32(hdr[16:], 65535)
	binary.LittleEndian.PutUint32(hdr[20:], 1)
	_, err = p.w.Write(hdr)
	return p, err
}

func (p *pcapWriter) write(frame []byte) error {
	var rec [16]byte
	binary.LittleEndian.PutUint32(rec[0:], p.n/1000000)
	binary.LittleEndian.PutUint32(rec[4:], p.n%1000000)
	binary.LittleEndian.PutUint32(rec[8:], uint32(len(frame)))
	binary.LittleEndian.PutUint32(rec[12:], uint32(len(frame)))
	p.n++
	if _, err := p.w.Write(rec[:]); err != nil {
		return err
	}
	_, err := p.w.Write(frame)
	return err
}

func (p *pcapWriter) close() error {
	if err := p.w.Flush(); err != nil {
		p.f.Close()
		return err
	}
	return p.f.Close()
}
