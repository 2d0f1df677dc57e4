package engine

import (
	"encoding/binary"

	"github.com/gwlbctl/gwlbctl/fastpath/flow"
	"github.com/gwlbctl/gwlbctl/fastpath/packet"
)

// The appliance side of the pipeline: a frame from the appliance port is
// parsed as a Geneve return and its cookie kept (stage 1,
// classifyAppliance) or sorted to the kernel or dropped; then, after the
// burst's cookie lookups, the return is checked against its flow,
// decapsulated in place and sent out of the right endpoint side (stage 2,
// decap).

type decapItem struct {
	pkt   int
	outer packet.Outer
}

// classifyAppliance handles stage 1 of a frame from the appliance port:
// Geneve returns are parsed for stage 2; the rest goes to the kernel when
// it is for the node, else it is dropped.
func (w *Worker) classifyAppliance(cfg *Config, p *Packet, i int) {
	frame := p.Buf[p.Off : p.Off+p.Len]
	it := &w.dec[w.nDec]
	o := &it.outer
	if err := packet.ParseOuter(frame, o); err != nil {
		if err == packet.ErrNotGeneve {
			w.notGeneve(cfg, p, frame)
			return
		}
		w.drop(p, ReasonMalformed)
		return
	}
	if o.IP.Dst != cfg.nodeIP {
		w.drop(p, ReasonNotForUs)
		return
	}
	g := &o.Geneve
	if g.Flags&packet.GeneveFlagOAM != 0 {
		w.drop(p, ReasonGeneveControl)
		return
	}
	if g.VNI != 0 {
		w.drop(p, ReasonNonzeroVNI)
		return
	}
	if !g.HasAWSOptions() {
		w.drop(p, ReasonMissingOption)
		return
	}
	if g.UnknownCritical {
		w.drop(p, ReasonCriticalOption)
		return
	}
	if w.steerReturn(p, g.FlowCookie) {
		return
	}
	it.pkt = i
	w.cookies[w.nDec] = g.FlowCookie
	w.nDec++
	if w.nDec%cookieGroup == 0 {
		// Request these entries now: their lines arrive while the rest
		// of the burst is classified.
		w.table.PrefetchCookies(w.cookies[w.nDec-cookieGroup : w.nDec])
	}
}

// cookieGroup is how many returns' entries classifyAppliance requests at
// once, as soon as it has their cookies (burst requests the rest): one
// call per return costs more than it saves when the entries are in
// cache, one per burst leaves the first returns waiting for their lines.
// BenchmarkDecap, cpu-ns/pkt with 4k and 1M flows, medians of four
// interleaved runs on a 2-vCPU VM: one request per burst 81 and 175, one
// per return 84 and 106, groups of 4 76 and 106, of 8 82 and 140.
const cookieGroup = 4

// notGeneve sorts appliance-side frames that are not Geneve: ARP and IPv4
// for the node go to the kernel (it answers ARP and ping, and owns the
// health checker's sockets); everything else is not ours. Rare, so the
// headers are parsed again here rather than kept from ParseOuter.
func (w *Worker) notGeneve(cfg *Config, p *Packet, frame []byte) {
	eth := &w.eth
	if packet.ParseEthernet(frame, eth) == nil {
		switch eth.EtherType {
		case packet.EtherTypeARP:
			if packet.ParseARP(frame[eth.HeaderLen:], &w.arp) == nil &&
				(w.arp.TargetIP == cfg.nodeIP || eth.Dst == packet.MAC{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}) {
				w.exception(p)
				return
			}
		case packet.EtherTypeIPv4:
			if packet.ParseIPv4(frame[eth.HeaderLen:], &w.ip4) == nil && w.ip4.Dst == cfg.nodeIP {
				w.exception(p)
				return
			}
		}
	}
	w.drop(p, ReasonNotForUs)
}

func (w *Worker) exception(p *Packet) {
	p.Verdict, p.Out = Exception, p.Port
	w.c.totals.ExceptionPkt++
}

// orientation reports whether inner packet in belongs to the flow of key
// k (the endpoint was checked by the caller) and which end sent it: the
// same answer as rebuilding the key with flow.NewKey and comparing, without
// building it (the return path's hottest step).
func orientation(k *flow.Key, in *packet.Inner) (flow.Orientation, bool) {
	switch k.Tuple {
	case 5:
		if in.IsFragment() || in.Protocol != k.Proto || (k.Proto != packet.ProtoTCP && k.Proto != packet.ProtoUDP) {
			return 0, false
		}
		if in.Src == k.Lo && in.Dst == k.Hi && in.SrcPort == k.LoPort && in.DstPort == k.HiPort {
			return flow.LoToHi, true
		}
		if in.Src == k.Hi && in.Dst == k.Lo && in.SrcPort == k.HiPort && in.DstPort == k.LoPort {
			return flow.HiToLo, true
		}
		return 0, false
	case 3:
		if in.Protocol != k.Proto {
			return 0, false
		}
	case 2:
	default:
		return 0, false
	}
	if in.Src == k.Lo && in.Dst == k.Hi {
		return flow.LoToHi, true
	}
	if in.Src == k.Hi && in.Dst == k.Lo {
		return flow.HiToLo, true
	}
	return 0, false
}

// decap finishes appliance-side packet j: validate it against the flow its
// cookie names, decapsulate, restore Ethernet and pick the egress side
// (bump), or route it to its next hop (routed, routeOut).
func (w *Worker) decap(cfg *Config, pkts []Packet, j int) {
	it := &w.dec[j]
	p := &pkts[it.pkt]
	o := &it.outer
	g := &o.Geneve
	ref := w.refs[j]
	if ref == flow.NoRef {
		w.drop(p, ReasonUnknownCookie)
		return
	}
	e := w.table.Entry(ref)
	if e.Key.Endpoint != g.EndpointID {
		w.drop(p, ReasonEndpointMismatch)
		return
	}
	in0 := e.InPort[flow.Original]
	if int(in0) >= len(cfg.Ports) || (cfg.Ports[in0].Role != RoleBump && cfg.Ports[in0].Role != RoleRouted) {
		w.drop(p, ReasonEndpointNotAvailable)
		return
	}
	epIdx := cfg.Ports[in0].Endpoint
	ep := &cfg.Endpoints[epIdx]
	if ep.ID != g.EndpointID || ep.AttachmentID != g.AttachmentID {
		w.drop(p, ReasonEndpointMismatch)
		return
	}
	if ep.State != EndpointAvailable {
		w.dropEndpoint(p, ReasonEndpointNotAvailable, epIdx)
		return
	}
	if int(e.Target) >= len(cfg.targets) || cfg.targets[e.Target].ip != o.IP.Src {
		w.dropEndpoint(p, ReasonWrongSource, epIdx)
		return
	}
	frame := p.Buf[p.Off : p.Off+p.Len]
	if o.UDPChecksummed && !o.VerifyUDPChecksum(frame) {
		w.dropEndpoint(p, ReasonBadChecksum, epIdx)
		return
	}
	in := &w.inner
	if o.InnerLen <= 0 || packet.ParseL3(frame[o.InnerOffset:o.InnerOffset+o.InnerLen], in) != nil {
		w.dropEndpoint(p, ReasonMalformed, epIdx)
		return
	}
	var etype uint16
	switch {
	case in.Version == 4 && g.ProtocolType == packet.EtherTypeIPv4:
		etype = packet.EtherTypeIPv4
	case in.Version == 6 && g.ProtocolType == packet.EtherTypeIPv6:
		etype = packet.EtherTypeIPv6
	default:
		w.dropEndpoint(p, ReasonMalformed, epIdx)
		return
	}
	orient, ok := orientation(&e.Key, in)
	if !ok {
		w.dropEndpoint(p, ReasonFlowMismatch, epIdx)
		return
	}
	d := e.Dir(orient)
	// A bump packet leaves by the side opposite to where its direction
	// came in; a routed one by its one port (peer is the port itself).
	inPort := e.InPort[d]
	if int(inPort) >= len(cfg.Ports) || cfg.Ports[inPort].Role != cfg.Ports[in0].Role || cfg.Ports[inPort].Endpoint != epIdx {
		w.dropEndpoint(p, ReasonEndpointNotAvailable, epIdx)
		return
	}
	out := cfg.Ports[inPort].peer
	innerStart := p.Off + o.InnerOffset
	innerLen := int(in.TotalLen)
	if mtu := cfg.Ports[out].MTU; mtu != 0 && innerLen > mtu {
		w.dropEndpoint(p, ReasonTooBig, epIdx)
		return
	}

	if cfg.Ports[out].Role == RoleRouted {
		if !w.routeOut(cfg, p, epIdx, out, in, innerStart, innerLen, etype) {
			return
		}
	} else {
		tci, tagged := e.VLAN()
		hl := packet.EthernetHeaderLen
		if tagged {
			hl = packet.EthernetVLANLen
		}
		off := innerStart - hl
		b := p.Buf[off:innerStart:innerStart]
		dst, src := e.EthDst, e.EthSrc
		if d == flow.Reply {
			dst, src = src, dst
		}
		// Fixed-length copies: the compiler moves 6 bytes inline.
		copy(b[packet.EthernetDstOffset:packet.EthernetSrcOffset], dst[:])
		copy(b[packet.EthernetSrcOffset:packet.EthernetTypeOffset], src[:])
		if tagged {
			binary.BigEndian.PutUint16(b[packet.EthernetTypeOffset:], packet.EtherTypeVLAN)
			binary.BigEndian.PutUint16(b[packet.VLANTCIOffset:], tci)
			binary.BigEndian.PutUint16(b[packet.VLANEtherTypeOffset:], etype)
		} else {
			binary.BigEndian.PutUint16(b[packet.EthernetTypeOffset:], etype)
		}
		p.Off, p.Len = off, hl+innerLen
		p.Verdict, p.Out = Forward, out
	}

	w.c.totals.DecapPkts++
	w.c.totals.DecapBytes += uint64(innerLen)
	ec := &w.c.endpoints[epIdx]
	ec.OutPkts++
	ec.OutBytes += uint64(innerLen)
	tc := &w.c.targets[e.Target]
	tc.RxPkts++
	tc.RxBytes += uint64(innerLen)
}
