package main

import (
	"fmt"

	"github.com/gwlbctl/gwlbctl/fastpath/dpdk"
	"github.com/gwlbctl/gwlbctl/fastpath/engine"
	"github.com/gwlbctl/gwlbctl/fastpath/node"
	"github.com/gwlbctl/gwlbctl/fastpath/packet"
)

// warmFlows returns a warm-up that opens count UDP flows in worker 0's
// table before the workers forward: one 60-byte packet each, from
// 10.128.0.0/9 sources (port 1024-65535) to 10.64.0.1:53, presented on
// side A of the first endpoint. It fills the table a node API benchmark
// lists (make bench's forwarder mix under an API poller) without a pcap of
// a million packets.
func warmFlows(count int) func(*node.Node) error {
	return func(n *node.Node) error {
		if len(n.Workers()) == 0 {
			return fmt.Errorf("no engine worker to warm")
		}
		w := n.Workers()[0]
		const headroom, frameLen = 128, 60
		batch := make([]engine.Packet, 0, dpdk.Burst)
		bufs := make([][]byte, dpdk.Burst)
		for i := range bufs {
			bufs[i] = make([]byte, headroom+frameLen+engine.OuterHeadroom)
		}
		const ports = 65536 - 1024
		for i := range count {
			b := bufs[len(batch)]
			f := b[headroom : headroom+frameLen]
			clear(f)
			src := [4]byte{10, 128 | byte(i/ports>>16), byte(i / ports >> 8), byte(i / ports)}
			packet.PutEthernet(f, &packet.Ethernet{Dst: packet.MAC{2, 0, 0, 0, 0, 2}, Src: packet.MAC{2, 0, 0, 0, 0, 1}, EtherType: packet.EtherTypeIPv4})
			packet.PutIPv4(f[14:], &packet.IPv4{TotalLen: frameLen - 14, TTL: 64, Protocol: packet.ProtoUDP, Src: src, Dst: [4]byte{10, 64, 0, 1}})
			packet.PutUDP(f[34:], &packet.UDP{SrcPort: uint16(1024 + i%ports), DstPort: 53, Length: frameLen - 34})
			batch = append(batch, engine.Packet{Buf: b, Off: headroom, Len: frameLen, Port: uint16(node.SideAPort(0))})
			if len(batch) == cap(batch) || i == count-1 {
				w.Process(batch, dpdk.Monotonic())
				batch = batch[:0]
			}
		}
		w.Flush(dpdk.Monotonic())
		st := w.Stats()
		n.Log().Info("benchnode: flow table filled", "flows", st.Totals.NewFlows, "asked", count)
		if st.Totals.NewFlows < uint64(count) {
			return fmt.Errorf("warm-flows: %d of %d flows opened (drops: %v); is flows capacity (-capacity) large enough?", st.Totals.NewFlows, count, st.Totals.Drops)
		}
		return nil
	}
}
