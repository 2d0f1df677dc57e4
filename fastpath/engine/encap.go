package engine

import (
	"github.com/gwlbctl/gwlbctl/fastpath/flow"
	"github.com/gwlbctl/gwlbctl/fastpath/packet"
)

// The endpoint side of the pipeline: a frame from a bump side is bridged
// (non-IP) or parsed and keyed (stage 1, classifyEndpoint; a routed
// port's frames: classifyRouted), then, after the burst's flow lookups,
// matched to its flow or given a new one and encapsulated in place
// towards the flow's target (stage 2, encap).

type encapItem struct {
	pkt    int
	ep     int
	orient flow.Orientation
	eth    packet.Ethernet
	inner  packet.Inner
}

// classifyEndpoint handles stage 1 of a frame from a bump side: non-IP
// frames are bridged at once; IP packets are parsed and keyed for stage 2.
func (w *Worker) classifyEndpoint(cfg *Config, p *Packet, i int, port *Port) {
	epIdx := port.Endpoint
	ep := &cfg.Endpoints[epIdx]
	if ep.State != EndpointAvailable {
		w.dropEndpoint(p, ReasonEndpointNotAvailable, epIdx)
		return
	}
	frame := p.Buf[p.Off : p.Off+p.Len]
	it := &w.enc[w.nEnc]
	if packet.ParseEthernet(frame, &it.eth) != nil {
		w.dropEndpoint(p, ReasonMalformed, epIdx)
		return
	}
	var version uint8
	switch it.eth.EtherType {
	case packet.EtherTypeIPv4:
		version = 4
	case packet.EtherTypeIPv6:
		version = 6
	default:
		// ARP, LLDP, stacked VLANs...: the wire is transparent to them.
		p.Verdict, p.Out = Forward, port.peer
		w.c.totals.BridgedPkts++
		return
	}
	if packet.ParseL3(frame[it.eth.HeaderLen:], &it.inner) != nil || it.inner.Version != version {
		w.dropEndpoint(p, ReasonMalformed, epIdx)
		return
	}
	if version == 6 && it.inner.Protocol == packet.ProtoICMPv6 && packet.IsNeighborDiscovery(frame[it.eth.HeaderLen:], &it.inner) {
		// Neighbour discovery is link-local: it crosses the wire as ARP
		// does, since an appliance that routes never returns it.
		p.Verdict, p.Out = Forward, port.peer
		w.c.totals.BridgedNDPkts++
		return
	}
	w.queueEncap(cfg, p, i, epIdx, ep.ID)
}

// queueEncap ends stage 1 of an endpoint's IP packet (bump or routed),
// parsed into w.enc[w.nEnc]: the size check, then its flow key for the
// burst's lookups.
func (w *Worker) queueEncap(cfg *Config, p *Packet, i, epIdx int, epID uint64) {
	it := &w.enc[w.nEnc]
	if int(it.inner.TotalLen) > cfg.innerLimit {
		w.dropEndpoint(p, ReasonTooBig, epIdx)
		return
	}
	in := &it.inner
	it.orient = w.keys[w.nEnc].Set(epID, cfg.Attr.Stickiness, &in.Src, &in.Dst, in.SrcPort, in.DstPort, in.Protocol, in.IsFragment())
	if w.steerEndpoint(p, &w.keys[w.nEnc]) {
		return
	}
	it.pkt, it.ep = i, epIdx
	w.nEnc++
}

// startsTCPFlow: only a SYN without ACK may start a TCP flow, or, with
// pickUp and no entry at all (res flow.Miss), any packet but a RST.
func startsTCPFlow(k *flow.Key, flags uint8, res flow.Result, pickUp bool) bool {
	if k.Tuple != 5 || k.Proto != packet.ProtoTCP {
		return true
	}
	if pickUp && res == flow.Miss {
		return flags&packet.TCPRst == 0
	}
	return openingSYN(flags)
}

// openingSYN: a SYN without ACK or RST, the packet that opens a TCP flow.
func openingSYN(flags uint8) bool {
	return flags&(packet.TCPSyn|packet.TCPAck|packet.TCPRst) == packet.TCPSyn
}

// pickedUp reports whether a flow started by the packet with flags was
// picked up mid-flow (anything but an opening SYN).
func pickedUp(k *flow.Key, flags uint8) bool {
	return k.Tuple == 5 && k.Proto == packet.ProtoTCP && !openingSYN(flags)
}

// encap finishes endpoint-side packet j: flow lookup or creation, target
// choice, in-place Geneve encapsulation.
func (w *Worker) encap(cfg *Config, pkts []Packet, j int, now int64) {
	it := &w.enc[j]
	p := &pkts[it.pkt]
	k := &w.keys[j]
	h := w.hashes[j]
	ref, res := w.refs[j], w.results[j]
	if res == flow.Expired {
		// An earlier packet of this burst may have replaced the entry.
		ref, res = w.table.Lookup(k, h, now)
	}
	var e *flow.Entry
	switch res {
	case flow.Hit:
		e = w.table.Entry(ref)
		if cfg.Balance.Moved(e.Target) {
			// Failover rebalance, or a target the snapshot no longer knows.
			if t, ok := cfg.Balance.Lookup(h, cfg.endpointZone[it.ep]); ok {
				w.table.SetTarget(ref, t)
			}
		}
	default: // Miss or Expired
		if !startsTCPFlow(k, it.inner.TCPFlags, res, cfg.Attr.PickUpTCP) {
			// After the idle timeout only a SYN starts a TCP flow (AWS);
			// without a flow, neither does anything else.
			w.dropEndpoint(p, ReasonNoFlow, it.ep)
			if cfg.Attr.SendTCPReset && tcpReset(p, it) {
				w.c.totals.TCPResets++
			}
			return
		}
		t, ok := cfg.Balance.Lookup(h, cfg.endpointZone[it.ep])
		if !ok {
			w.dropEndpoint(p, ReasonNoTarget, it.ep)
			return
		}
		if res == flow.Expired {
			w.table.Delete(ref)
			w.c.totals.ExpiredFlows++
		}
		r, err := w.table.Insert(k, h, now)
		switch err {
		case nil:
			w.table.SetTarget(r, t)
			e = w.table.Entry(r)
			e.SetInitiator(it.orient)
			e.InPort[flow.Original] = p.Port
			e.InPort[flow.Reply] = cfg.Ports[p.Port].peer
			e.EthDst, e.EthSrc = it.eth.Dst, it.eth.Src
			e.SetVLAN(it.eth.TCI, it.eth.HasVLAN)
			w.c.totals.NewFlows++
			if pickedUp(k, it.inner.TCPFlags) {
				w.c.totals.PickedUpFlows++
			}
			w.c.endpoints[it.ep].NewFlows++
			w.c.targets[t].NewFlows++
		case flow.ErrExists: // created by an earlier packet of this burst
			e = w.table.Entry(r)
		default:
			w.dropEndpoint(p, ReasonTableFull, it.ep)
			return
		}
		ref = r
	}
	if int(e.Target) >= len(cfg.targets) {
		w.dropEndpoint(p, ReasonNoTarget, it.ep)
		return
	}
	tr := &cfg.targets[e.Target]
	if tr.mac == ([6]byte{}) {
		w.dropEndpoint(p, ReasonNoNeighbor, it.ep)
		w.c.targets[e.Target].NoNeighbor++
		w.noteNeighborMiss(e.Target)
		return
	}
	innerOff := p.Off + it.eth.HeaderLen
	innerLen := int(it.inner.TotalLen)
	off := innerOff - OuterHeadroom
	if off < 0 || cfg.appliancePort < 0 {
		w.dropEndpoint(p, ReasonNoHeadroom, it.ep)
		return
	}
	var sport uint16
	if w.srcPort != nil {
		sport = w.srcPort(cfg, e.Target, h)
	} else {
		sport = packet.GeneveSourcePort(uint32(h))
	}
	etype := packet.EtherTypeIPv4
	if it.inner.Version == 6 {
		etype = packet.EtherTypeIPv6
	}
	putEncap((*[OuterHeadroom]byte)(p.Buf[off:innerOff]), &tr.tmpl, &cfg.geneveHdr[it.ep], innerLen, sport, etype, w.table.Cookie(ref))
	p.Off, p.Len = off, OuterHeadroom+innerLen
	p.Verdict, p.Out = Forward, uint16(cfg.appliancePort)

	d := e.Dir(it.orient)
	e.InPort[d] = pkts[it.pkt].Port
	e.Touch(d, innerLen, now)
	w.c.totals.EncapPkts++
	w.c.totals.EncapBytes += uint64(innerLen)
	ec := &w.c.endpoints[it.ep]
	ec.InPkts++
	ec.InBytes += uint64(innerLen)
	tc := &w.c.targets[e.Target]
	tc.TxPkts++
	tc.TxBytes += uint64(innerLen)
}

func (w *Worker) noteNeighborMiss(t uint16) {
	bit := uint64(1) << (t & 63)
	if w.neighbor[t>>6].Load()&bit == 0 {
		w.neighbor[t>>6].Or(bit)
	}
}

// NeighborMisses appends to dst the stable indices of targets whose
// next-hop MAC was missing since the last call, and clears them. Serve
// then asks the kernel to resolve them and publishes a new snapshot.
func (w *Worker) NeighborMisses(dst []int) []int {
	for i := range w.neighbor {
		if w.neighbor[i].Load() == 0 {
			continue
		}
		m := w.neighbor[i].Swap(0)
		for b := 0; m != 0; b++ {
			if m&1 != 0 {
				dst = append(dst, i*64+b)
			}
			m >>= 1
		}
	}
	return dst
}
