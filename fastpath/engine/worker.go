package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/gwlbctl/gwlbctl/fastpath/flow"
	"github.com/gwlbctl/gwlbctl/fastpath/packet"
)

// chunk is the number of packets processed in one staged pass; longer
// bursts are cut into chunks.
const chunk = 64

// WorkerOptions configure a Worker.
type WorkerOptions struct {
	// ID names the worker (lcore/queue) in listings and logs.
	ID int
	// Config is where the worker loads its snapshot, once per Process.
	Config *Publisher
	// FlowCapacity is the fixed size of the worker's flow table
	// (default 1<<20).
	FlowCapacity int
	// Seed keys the flow hash. Nodes serving the same load balancer must
	// use the same seed so they pick the same target for a flow. It is
	// fixed for the life of the worker (the flow table is indexed by it).
	Seed uint64
	// SourcePort picks the outer UDP source port of a packet of flow hash
	// flowHash to the target at stable index target. nil uses
	// packet.GeneveSourcePort(flowHash). With several RSS queues on the
	// appliance port, pass (*RSSPorts).Port: it returns only ports whose
	// return the NIC steers to this worker's queue. Both directions of a
	// flow share flowHash and target, hence one port.
	SourcePort func(cfg *Config, target uint16, flowHash uint64) uint16
	// ExpireBudget is the most flow entries one Process call examines for
	// idle expiry (default 64). Calls are paced by the engine clock so
	// that the whole table is examined about once per expireSweep: a
	// worker polling millions of times a second examines a few entries
	// per pass instead of ExpireBudget.
	ExpireBudget int
	// FlushInterval is how often the counters are published for readers
	// (default 100 ms of the engine clock).
	FlushInterval time.Duration
	// GoHeap puts the flow table on the Go heap instead of mmap.
	GoHeap bool
}

// Worker runs the pipeline for one forwarding core. Process, Flush and
// Close must be called from one goroutine (the worker's); Stats, Flows and
// NeighborMisses are safe from any goroutine.
type Worker struct {
	id           int
	pub          *Publisher
	cfg          *Config
	table        *flow.Table
	srcPort      func(*Config, uint16, uint64) uint16
	expireBudget int
	flushEvery   int64
	lastFlush    int64
	lastNow      int64
	tcpTimeout   int64
	lastExpire   int64 // engine clock of the last expiry pacing step
	expireCredit int64 // entries x ns not yet spent on expiry (see expireQuota)

	c      counterBlock // private: written only by the worker, plainly
	mirror counterBlock // published: atomic stores by the worker, atomic loads by readers
	hiEp   atomic.Int32 // endpoint/target index bounds of the mirror
	hiTgt  atomic.Int32

	neighbor [MaxTargets / 64]atomic.Uint64 // targets seen without a next-hop MAC

	requests chan *flowRequest
	pending  atomic.Int32
	cur      *flowRequest

	// scratch for one chunk
	nEnc    int
	enc     [chunk]encapItem
	keys    [chunk]flow.Key
	hashes  [chunk]uint64
	refs    [chunk]flow.Ref
	results [chunk]flow.Result
	nDec    int
	dec     [chunk]decapItem
	cookies [chunk]uint32
	inner   packet.Inner
	sink    uint32 // keeps the touch loads alive
	arp     packet.ARP
	eth     packet.Ethernet
	ip4     packet.IPv4
}

type encapItem struct {
	pkt    int
	ep     int
	orient flow.Orientation
	eth    packet.Ethernet
	inner  packet.Inner
}

type decapItem struct {
	pkt   int
	outer packet.Outer
}

// NewWorker allocates a worker and its flow table.
func NewWorker(opt WorkerOptions) (*Worker, error) {
	if opt.Config == nil {
		return nil, errors.New("engine: WorkerOptions.Config is nil: pass the Publisher serve stores snapshots in")
	}
	if opt.FlowCapacity == 0 {
		opt.FlowCapacity = 1 << 20
	}
	if opt.ExpireBudget == 0 {
		opt.ExpireBudget = 64
	}
	if opt.FlushInterval == 0 {
		opt.FlushInterval = 100 * time.Millisecond
	}
	t, err := flow.New(flow.Config{Capacity: opt.FlowCapacity, Seed: opt.Seed, GoHeap: opt.GoHeap})
	if err != nil {
		return nil, fmt.Errorf("engine: worker %d: %w", opt.ID, err)
	}
	w := &Worker{
		id:           opt.ID,
		pub:          opt.Config,
		table:        t,
		srcPort:      opt.SourcePort,
		expireBudget: opt.ExpireBudget,
		flushEvery:   int64(opt.FlushInterval),
		tcpTimeout:   DefaultTCPIdleTimeout,
		requests:     make(chan *flowRequest, 16),
	}
	return w, nil
}

// Close releases the flow table. Pending flow listings are answered empty.
func (w *Worker) Close() {
	w.table.Close()
	for w.pending.Load() > 0 {
		if w.cur == nil {
			w.cur = <-w.requests
		}
		w.finishRequest()
	}
}

// ID returns the worker's id.
func (w *Worker) ID() int { return w.id }

// Process runs the pipeline on a burst received at now (monotonic ns) and
// sets each packet's Verdict, Out, Off and Len. Call it once per poll
// pass, also with no packets when the ports are idle: it also reclaims
// idle flows, publishes counters and answers flow listings.
func (w *Worker) Process(pkts []Packet, now int64) {
	w.lastNow = now
	cfg := w.pub.Load()
	if cfg != w.cfg {
		w.setConfig(cfg)
	}
	for len(pkts) > 0 {
		n := min(len(pkts), chunk)
		w.burst(cfg, pkts[:n], now)
		pkts = pkts[n:]
	}
	if b := w.expireQuota(now); b > 0 {
		w.c.totals.ExpiredFlows += uint64(w.table.Expire(now, b))
	}
	if now-w.lastFlush >= w.flushEvery || now < w.lastFlush {
		w.Flush(now)
	}
	if w.pending.Load() > 0 {
		w.serveFlows()
	}
}

// expireSweep is how often, at most, the expiry sweep examines every entry
// of the flow table: far within the shortest idle timeout (60 s), so an
// idle flow is reclaimed (and leaves the active-flow gauge) at most about
// this long after its timeout. Lookups see a timed-out flow as expired at
// once, whether reclaimed or not.
const expireSweep = int64(time.Second)

// expireQuota returns how many entries this Process call examines for idle
// expiry: the table's capacity per expireSweep of engine time since the
// previous call, at most ExpireBudget. Examining a fixed budget on every
// call cost a few nanoseconds per packet at high packet rates (a burst of
// 32 packets examined 64 entries) for no earlier reclaim that matters.
func (w *Worker) expireQuota(now int64) int {
	dt := now - w.lastExpire
	w.lastExpire = now
	if dt <= 0 {
		return 0 // same instant, or the clock went back: wait for it
	}
	limit := int64(w.expireBudget) * expireSweep
	credit := w.expireCredit + min(dt, expireSweep)*int64(w.table.Cap())
	credit = min(credit, limit)
	n := credit / expireSweep
	w.expireCredit = credit - n*expireSweep
	return int(n)
}

// setConfig adopts a new snapshot between bursts.
func (w *Worker) setConfig(cfg *Config) {
	w.cfg = cfg
	if cfg == nil {
		return
	}
	if cfg.Attr.TCPIdleTimeout != w.tcpTimeout {
		// Validated by NewConfig; applies to existing flows too.
		if err := w.table.SetTCPIdleTimeout(time.Duration(cfg.Attr.TCPIdleTimeout)); err == nil {
			w.tcpTimeout = cfg.Attr.TCPIdleTimeout
		}
	}
	if n := int32(len(cfg.Endpoints)); n > w.hiEp.Load() {
		w.hiEp.Store(n)
	}
	if n := int32(len(cfg.targets)); n > w.hiTgt.Load() {
		w.hiTgt.Store(n)
	}
}

func (w *Worker) drop(p *Packet, r Reason) {
	p.Verdict = Drop
	w.c.totals.Drops[r]++
}

func (w *Worker) dropEndpoint(p *Packet, r Reason, ep int) {
	p.Verdict = Drop
	w.c.totals.Drops[r]++
	w.c.endpoints[ep].Drops++
}

// burst processes up to chunk packets in stages: classify and parse every
// packet and compute its flow key, then look up all keys (and touch all
// cookie entries) together so the cache misses overlap, then finish each.
func (w *Worker) burst(cfg *Config, pkts []Packet, now int64) {
	w.nEnc, w.nDec = 0, 0
	for i := range pkts {
		p := &pkts[i]
		p.Verdict = Drop
		if cfg == nil {
			w.drop(p, ReasonNoConfig)
			continue
		}
		if p.Off < 0 || p.Len <= 0 || p.Off > len(p.Buf) || p.Len > len(p.Buf)-p.Off {
			w.drop(p, ReasonMalformed)
			continue
		}
		if int(p.Port) >= len(cfg.Ports) {
			w.drop(p, ReasonNotForUs)
			continue
		}
		switch port := &cfg.Ports[p.Port]; port.Role {
		case RoleBump:
			w.classifyEndpoint(cfg, p, i, port)
		case RoleAppliance:
			w.classifyAppliance(cfg, p, i)
		default:
			w.drop(p, ReasonNotForUs)
		}
	}
	if w.nEnc > 0 {
		n := w.nEnc
		w.table.HashBatch(w.keys[:n], w.hashes[:n])
		w.table.LookupBatch(w.keys[:n], w.hashes[:n], now, w.refs[:n], w.results[:n])
		for j := 0; j < n; j++ {
			w.encap(cfg, pkts, j, now)
		}
	}
	if w.nDec > 0 {
		n := w.nDec
		// Load every cache line of the entries the cookies name, so the
		// misses of the burst overlap; then resolve the cookies.
		w.table.PrefetchCookies(w.cookies[:n])
		for j := 0; j < n; j++ {
			r, ok := w.table.ByCookie(w.cookies[j])
			if !ok {
				r = flow.NoRef
			}
			w.refs[j] = r
		}
		for j := 0; j < n; j++ {
			w.decap(cfg, pkts, j)
		}
	}
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
	if int(it.inner.TotalLen) > cfg.Attr.InnerMTU {
		w.dropEndpoint(p, ReasonTooBig, epIdx)
		return
	}
	in := &it.inner
	it.orient = w.keys[w.nEnc].Set(ep.ID, cfg.Attr.Stickiness, &in.Src, &in.Dst, in.SrcPort, in.DstPort, in.Protocol, in.IsFragment())
	it.pkt, it.ep = i, epIdx
	w.nEnc++
}

// startsTCPFlow: only a SYN without ACK may start a TCP flow.
func startsTCPFlow(k *flow.Key, flags uint8) bool {
	if k.Tuple != 5 || k.Proto != packet.ProtoTCP {
		return true
	}
	return flags&(packet.TCPSyn|packet.TCPAck|packet.TCPRst) == packet.TCPSyn
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
				e.Target = t
			}
		}
	default: // Miss or Expired
		if !startsTCPFlow(k, it.inner.TCPFlags) {
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
			e = w.table.Entry(r)
			e.Target = t
			e.SetInitiator(it.orient)
			e.InPort[flow.Original] = p.Port
			e.InPort[flow.Reply] = cfg.Ports[p.Port].peer
			e.EthDst, e.EthSrc = it.eth.Dst, it.eth.Src
			e.SetVLAN(it.eth.TCI, it.eth.HasVLAN)
			w.c.totals.NewFlows++
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
	// The target's outer header and the endpoint's Geneve header are
	// prebuilt in the snapshot: copy them, then fill in the lengths, the
	// IPv4 checksum (from the template's partial sum), the source port,
	// the protocol type and the cookie. Same bytes as
	// packet.PutOuterIPv4UDP and packet.PutGeneveAWS write.
	b := (*[OuterHeadroom]byte)(p.Buf[off:innerOff])
	*(*[outerHdrLen]byte)(b[:outerHdrLen]) = tr.hdr
	*(*[packet.AWSGeneveHeaderLen]byte)(b[outerHdrLen:]) = cfg.geneveHdr[it.ep]
	total := uint32(packet.OuterOverhead + innerLen)
	sum := tr.hdrSum + total
	sum = (sum >> 16) + (sum & 0xffff)
	sum += sum >> 16
	binary.BigEndian.PutUint16(b[16:18], uint16(total))
	binary.BigEndian.PutUint16(b[24:26], ^uint16(sum))
	binary.BigEndian.PutUint16(b[34:36], sport)
	binary.BigEndian.PutUint16(b[38:40], uint16(packet.UDPHeaderLen+packet.AWSGeneveHeaderLen+innerLen))
	proto := uint16(packet.EtherTypeIPv4)
	if it.inner.Version == 6 {
		proto = packet.EtherTypeIPv6
	}
	binary.BigEndian.PutUint16(b[44:46], proto)
	binary.BigEndian.PutUint32(b[78:82], w.table.Cookie(ref))
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
	if !g.HasAWSOptions() {
		w.drop(p, ReasonMissingOption)
		return
	}
	if g.UnknownCritical {
		w.drop(p, ReasonCriticalOption)
		return
	}
	it.pkt = i
	w.cookies[w.nDec] = g.FlowCookie
	w.nDec++
}

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
// cookie names, decapsulate, restore Ethernet, pick the egress side.
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
	if int(in0) >= len(cfg.Ports) || cfg.Ports[in0].Role != RoleBump {
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
	if o.UDPChecksummed && !p.L4ChecksumOK && !o.VerifyUDPChecksum(frame) {
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
	// The packet leaves by the side opposite to where its direction came in.
	inPort := e.InPort[d]
	if int(inPort) >= len(cfg.Ports) || cfg.Ports[inPort].Role != RoleBump || cfg.Ports[inPort].Endpoint != epIdx {
		w.dropEndpoint(p, ReasonEndpointNotAvailable, epIdx)
		return
	}
	out := cfg.Ports[inPort].peer

	tci, tagged := e.VLAN()
	hl := packet.EthernetHeaderLen
	if tagged {
		hl = packet.EthernetVLANLen
	}
	innerStart := p.Off + o.InnerOffset
	innerLen := int(in.TotalLen)
	off := innerStart - hl
	b := p.Buf[off:innerStart:innerStart]
	dst, src := e.EthDst, e.EthSrc
	if d == flow.Reply {
		dst, src = src, dst
	}
	copy(b[0:6], dst[:])
	copy(b[6:12], src[:])
	if tagged {
		b[12], b[13] = 0x81, 0x00
		b[14], b[15] = byte(tci>>8), byte(tci)
		b[16], b[17] = byte(etype>>8), byte(etype)
	} else {
		b[12], b[13] = byte(etype>>8), byte(etype)
	}
	p.Off, p.Len = off, hl+innerLen
	p.Verdict, p.Out = Forward, out

	w.c.totals.DecapPkts++
	w.c.totals.DecapBytes += uint64(innerLen)
	ec := &w.c.endpoints[epIdx]
	ec.OutPkts++
	ec.OutBytes += uint64(innerLen)
	tc := &w.c.targets[e.Target]
	tc.RxPkts++
	tc.RxBytes += uint64(innerLen)
}

// Flush publishes the worker's counters for Stats. Process calls it every
// FlushInterval; call it from the worker's goroutine to publish at once.
func (w *Worker) Flush(now int64) {
	w.lastFlush = now
	w.c.totals.ActiveFlows = uint64(w.table.Len())
	publish(&w.mirror, &w.c, int(w.hiEp.Load()), int(w.hiTgt.Load()))
}

// Stats returns the counters as last published (at most FlushInterval
// old). Safe from any goroutine; sum workers with Stats.Add.
func (w *Worker) Stats() *Stats {
	return w.mirror.read(int(w.hiEp.Load()), int(w.hiTgt.Load()))
}
