package engine

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/gwlbctl/gwlbctl/fastpath/packet"
)

var fuzzRoutedShared *fuzzState

// fuzzRoutedWorker is fuzzWorker's counterpart on the routed test node:
// established flows through the routed endpoint (IPv4 via the router,
// IPv6 on-link) and their appliance returns.
func fuzzRoutedWorker(tb testing.TB) *fuzzState {
	if fuzzRoutedShared != nil {
		return fuzzRoutedShared
	}
	c := routedBase(3)
	c.Attr.SendTCPReset = true
	cfg, err := NewConfig(c, nil)
	if err != nil {
		tb.Fatal(err)
	}
	pub := &Publisher{}
	pub.Store(cfg)
	w, err := NewWorker(WorkerOptions{Config: pub, FlowCapacity: 64, Seed: 42, GoHeap: true})
	if err != nil {
		tb.Fatal(err)
	}
	st := &fuzzState{w: w, cfg: cfg}
	for _, f := range [][]byte{
		fromRouter(ipPacket(internet4, app4, l4{proto: 6, sport: 40000, dport: 443, flags: tcpSYN})),
		fromRouter(ipPacket(internet6, host6, l4{proto: 17, sport: 1000, dport: 2000, payload: payload})),
	} {
		p := process(w, f, routedPortIdx, 1e9)
		if p.Verdict != Forward {
			tb.Fatalf("setup flow not forwarded: %v", w.c.totals.Drops)
		}
		st.rets = append(st.rets, applianceReply(frameOf(&p), false))
	}
	fuzzRoutedShared = st
	return st
}

// FuzzRouted feeds any bytes to any port of a node with a bump and a
// routed endpoint. Properties (besides FuzzEngine's: no panic, Off/Len
// within Buf, exceptions to the receiving port): a frame from the routed
// port goes to the kernel only if it is ARP or an IP packet for the
// endpoint's host side, to the appliance only as Geneve to UDP 6081, back
// out of the routed port only as a TCP RST; a return forwarded to the
// routed port carries its inner packet unchanged, from the port's MAC to
// the MAC of the next hop the endpoint's routes give for its destination.
func FuzzRouted(f *testing.F) {
	st := fuzzRoutedWorker(f)
	for _, r := range st.rets {
		f.Add(r, uint8(0), uint8(128))
	}
	me6 := routedAddr6.Addr()
	sn, snMAC := solicitedNode(me6)
	tgt := me6.As16()
	f.Add(arpRequest(routerMAC, router4, routedAddr.Addr()), uint8(routedPortIdx), uint8(0))
	f.Add(ipEther(snMAC, routerMAC, 0, ndMessage(router6, sn, 135, 255, append(make([]byte, 4), tgt[:]...), false)), uint8(routedPortIdx), uint8(64))
	f.Add(fromRouter(ipPacket(internet4, routedAddr.Addr(), l4{proto: 1, icmpTyp: 8, icmpID: 1})), uint8(routedPortIdx), uint8(128))
	f.Add(fromRouter(ipPacket(internet4, app4, l4{proto: 6, sport: 40000, dport: 443, flags: tcpACK})), uint8(routedPortIdx), uint8(128))
	f.Add(fromRouter(ipPacket(internet6, host6, l4{proto: 17, sport: 1000, dport: 2000})), uint8(routedPortIdx), uint8(20))
	f.Add(ipEther(broadcastMAC, hostMAC, 0, ipPacket(host4, netip.MustParseAddr("10.20.0.255"), l4{proto: 17, sport: 1, dport: 2})), uint8(routedPortIdx), uint8(0))
	f.Fuzz(func(t *testing.T, frame []byte, port uint8, headroom uint8) {
		st := fuzzRoutedWorker(t)
		buf := make([]byte, int(headroom)+len(frame)+int(port%4)*8)
		copy(buf[headroom:], frame)
		pkts := []Packet{{Buf: buf, Off: int(headroom), Len: len(frame), Port: uint16(port % 5)}}
		st.w.Process(pkts, 2e9)
		checkRoutedVerdict(t, st, frame, &pkts[0])
	})
}

func checkRoutedVerdict(t *testing.T, st *fuzzState, in []byte, p *Packet) {
	t.Helper()
	if p.Off < 0 || p.Len < 0 || p.Off+p.Len > len(p.Buf) {
		t.Fatalf("Off %d Len %d outside buffer of %d", p.Off, p.Len, len(p.Buf))
	}
	if p.Verdict == Exception && p.Out != p.Port {
		t.Fatalf("exception to port %d, received on %d", p.Out, p.Port)
	}
	out := p.Buf[p.Off : p.Off+p.Len]
	var eth packet.Ethernet
	var inner packet.Inner
	parse := func(f []byte) bool {
		return packet.ParseEthernet(f, &eth) == nil && packet.ParseL3(f[eth.HeaderLen:], &inner) == nil
	}
	rp := &st.cfg.routed[routedPortIdx]
	switch {
	case p.Port == routedPortIdx && p.Verdict == Exception:
		if packet.ParseEthernet(in, &eth) != nil {
			t.Fatal("unparsable frame handed to the kernel")
		}
		if eth.EtherType == packet.EtherTypeARP {
			return
		}
		if !parse(in) || !rp.forKernel(&inner, in[eth.HeaderLen:]) {
			t.Fatalf("frame handed to the kernel is neither ARP nor for the endpoint's host side: %x", in)
		}
	case p.Port == routedPortIdx && p.Verdict == Forward && p.Out == 0:
		if len(out) < 42 || binary.BigEndian.Uint16(out[36:]) != packet.GenevePort || binary.BigEndian.Uint64(out[42+12:]) != routedEP {
			t.Fatalf("routed traffic to the appliance is not Geneve for the routed endpoint: %x", out)
		}
		if parse(in) && rp.forKernel(&inner, in[eth.HeaderLen:]) {
			t.Fatal("a packet for the endpoint's host side was encapsulated")
		}
	case p.Port == routedPortIdx && p.Verdict == Forward:
		if p.Out != routedPortIdx || !parse(out) || inner.Protocol != packet.ProtoTCP || inner.TCPFlags&packet.TCPRst == 0 {
			t.Fatalf("routed port frame forwarded to port %d, and it is not a TCP RST back", p.Out)
		}
	case p.Port == 0 && p.Verdict == Forward && p.Out == routedPortIdx:
		var o packet.Outer
		if packet.ParseOuter(in, &o) != nil || !parse(out) {
			t.Fatal("a non-Geneve frame or an unparsable packet reached the routed port")
		}
		if eth.Src != rp.mac || eth.HasVLAN {
			t.Fatalf("frame out of the routed port from %x (tagged %v)", eth.Src, eth.HasVLAN)
		}
		if !bytes.Equal(out[eth.HeaderLen:], in[o.InnerOffset:o.InnerOffset+int(inner.TotalLen)]) {
			t.Fatal("the inner packet changed on its way out")
		}
		hop, ok := st.cfg.RouteFor(routedPortIdx, netip.AddrFrom16(inner.Dst).Unmap())
		mac, known := rp.neigh.lookup(addrOf(hop))
		if !ok || !known || mac != eth.Dst {
			t.Fatalf("sent to %x; the route gives %v (%v), MAC %x (%v)", eth.Dst, hop, ok, mac, known)
		}
		if hop == netip.AddrFrom16(inner.Src).Unmap() {
			t.Fatal("a packet was sent back to its own source")
		}
	case p.Verdict == Forward && p.Out == routedPortIdx:
		t.Fatalf("port %d forwarded to the routed port", p.Port)
	}
}
