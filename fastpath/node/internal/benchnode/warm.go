package main

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/gwlbctl/gwlbctl/fastpath/dpdk"
	"github.com/gwlbctl/gwlbctl/fastpath/engine"
	"github.com/gwlbctl/gwlbctl/fastpath/node"
	"github.com/gwlbctl/gwlbctl/fastpath/pcap"
)

// warm returns a warm-up (node.StartOptions.BeforeForwarding) that
// replays the endpoint traffic in the pcap file in once through worker 0,
// as if received on side A of the first configured endpoint, before the
// workers forward: the flows it opens
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
func warm(in, returnsOut string) func(*node.Node) error {
	return func(n *node.Node) error {
		if len(n.Workers()) == 0 {
			return errors.New("no engine worker to warm")
		}
		frames, err := pcap.ReadFile(in)
		if err != nil {
			return fmt.Errorf("warm-up pcap: %w", err)
		}
		var out *pcap.Writer
		if returnsOut != "" {
			if out, err = pcap.Create(returnsOut); err != nil {
				return fmt.Errorf("returns pcap: %w", err)
			}
			defer out.Close() // after an error; the normal end closes it below
		}
		w := n.Workers()[0]
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
				if p.Verdict != engine.Forward || int(p.Out) != node.AppliancePortIndex {
					continue
				}
				encapsulated++
				if fl := synFlags[i]; fl >= 0 {
					// Restore the pcap's TCP flags in the inner packet.
					restoreFlags(p.Buf[p.Off:p.Off+p.Len], uint8(fl))
				}
				if out != nil {
					if err := out.WritePacket(pcap.FrameTime(out.Packets()), applianceReturn(p.Buf[p.Off:p.Off+p.Len])); err != nil {
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
			batch = append(batch, engine.Packet{Buf: b, Off: headroom, Len: len(f), Port: uint16(node.SideAPort(0))})
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
			if err := out.Close(); err != nil {
				return fmt.Errorf("returns pcap: %w", err)
			}
		}
		w.Flush(dpdk.Monotonic()) // publish the counters read below
		st := w.Stats()
		opened = int(st.Totals.NewFlows)
		n.Log().Info("benchnode: flow table warmed", "pcap", in, "packets", len(frames), "encapsulated", encapsulated,
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
	if off, ok := tcpFlagsOffset(f, engine.OuterHeadroom); ok {
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
