package engine

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"testing"

	"github.com/gwlbctl/gwlbctl/fastpath/flow"
)

// This file builds test frames byte by byte, independently of
// fastpath/packet, so engine tests check the packet package too.

const testHeadroom = 128

var (
	nodeMAC    = [6]byte{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}
	nodeIP     = netip.MustParsePrefix("10.0.1.10/24")
	clientMAC  = [6]byte{0x02, 0xcc, 0x00, 0x00, 0x00, 0x01}
	serverMAC  = [6]byte{0x02, 0x5e, 0x00, 0x00, 0x00, 0x02}
	testEP     = uint64(0x0123456789abcdef0) // vpce-0123456789abcdef0
	testAttach = uint64(0x1122334455667788)
)

func targetMAC(i int) [6]byte { return [6]byte{0x02, 0xaa, 0, 0, 0, byte(i + 1)} }

// testConfig: port 0 appliance, ports 1/2 endpoint 0 sides A/B, n healthy
// targets 10.0.1.(100+i) in us-east-1a.
func testConfig(t testing.TB, n int, attr Attributes) *Config {
	t.Helper()
	c := Config{
		Revision: 1,
		Ports: []Port{
			{Name: "appliance", Role: RoleAppliance, NodeIP: nodeIP, NodeMAC: nodeMAC},
			{Name: "ep-a", Role: RoleBump, Endpoint: 0, Side: SideA},
			{Name: "ep-b", Role: RoleBump, Endpoint: 0, Side: SideB},
		},
		Endpoints: []Endpoint{{ID: testEP, AttachmentID: testAttach, AZ: "us-east-1a", State: EndpointAvailable}},
		Attr:      attr,
	}
	for i := 0; i < n; i++ {
		c.Targets = append(c.Targets, Target{
			ID:         fmt.Sprintf("i-%017x:6081", i+1),
			IP:         netip.AddrFrom4([4]byte{10, 0, 1, byte(100 + i)}),
			NextHopMAC: targetMAC(i),
			AZ:         "us-east-1a",
			State:      TargetHealthy,
		})
	}
	cfg, err := NewConfig(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// l4 describes the transport part of a test packet.
type l4 struct {
	proto   uint8 // 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, other: raw payload
	sport   uint16
	dport   uint16
	flags   uint8 // TCP flags
	icmpTyp uint8
	icmpID  uint16
	payload []byte
}

const (
	tcpSYN = 0x02
	tcpACK = 0x10
	tcpPSH = 0x08
)

func csumAdd(b []byte, acc uint32) uint32 {
	for i := 0; i+1 < len(b); i += 2 {
		acc += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		acc += uint32(b[len(b)-1]) << 8
	}
	return acc
}

func csumFold(acc uint32) uint16 {
	for acc>>16 != 0 {
		acc = acc&0xffff + acc>>16
	}
	return ^uint16(acc)
}

// transport builds the L4 header+payload with its checksum over pseudo.
func transport(src, dst netip.Addr, x l4) []byte {
	var h []byte
	switch x.proto {
	case 6:
		h = make([]byte, 20)
		binary.BigEndian.PutUint16(h[0:], x.sport)
		binary.BigEndian.PutUint16(h[2:], x.dport)
		binary.BigEndian.PutUint32(h[4:], 1000)
		if x.flags&tcpACK != 0 {
			binary.BigEndian.PutUint32(h[8:], 1001)
		}
		h[12] = 5 << 4
		h[13] = x.flags
		binary.BigEndian.PutUint16(h[14:], 65535)
	case 17:
		h = make([]byte, 8)
		binary.BigEndian.PutUint16(h[0:], x.sport)
		binary.BigEndian.PutUint16(h[2:], x.dport)
		binary.BigEndian.PutUint16(h[4:], uint16(8+len(x.payload)))
	case 1, 58:
		h = make([]byte, 8)
		h[0] = x.icmpTyp
		binary.BigEndian.PutUint16(h[4:], x.icmpID)
		binary.BigEndian.PutUint16(h[6:], 1)
	}
	seg := append(h, x.payload...)
	var acc uint32
	if x.proto != 1 {
		acc = csumAdd(src.AsSlice(), acc)
		acc = csumAdd(dst.AsSlice(), acc)
		acc += uint32(x.proto) + uint32(len(seg))
	}
	switch x.proto {
	case 6:
		binary.BigEndian.PutUint16(seg[16:], csumFold(csumAdd(seg, acc)))
	case 17:
		c := csumFold(csumAdd(seg, acc))
		if c == 0 {
			c = 0xffff
		}
		binary.BigEndian.PutUint16(seg[6:], c)
	case 1, 58:
		binary.BigEndian.PutUint16(seg[2:], csumFold(csumAdd(seg, acc)))
	}
	return seg
}

// ipPacket builds an IPv4 or IPv6 packet (by the address family).
func ipPacket(src, dst netip.Addr, x l4) []byte {
	seg := transport(src, dst, x)
	if src.Is4() {
		h := make([]byte, 20)
		h[0] = 0x45
		binary.BigEndian.PutUint16(h[2:], uint16(20+len(seg)))
		binary.BigEndian.PutUint16(h[4:], 0x1234)
		h[6] = 0x40
		h[8] = 63
		h[9] = x.proto
		copy(h[12:], src.AsSlice())
		copy(h[16:], dst.AsSlice())
		binary.BigEndian.PutUint16(h[10:], csumFold(csumAdd(h, 0)))
		return append(h, seg...)
	}
	h := make([]byte, 40)
	h[0] = 0x60
	binary.BigEndian.PutUint16(h[4:], uint16(len(seg)))
	h[6] = x.proto
	h[7] = 63
	copy(h[8:], src.AsSlice())
	copy(h[24:], dst.AsSlice())
	return append(h, seg...)
}

// ether wraps an L3 payload in Ethernet, with an 802.1Q tag when vlan != 0.
func ether(dst, src [6]byte, vlan uint16, etype uint16, payload []byte) []byte {
	f := append(append([]byte{}, dst[:]...), src[:]...)
	if vlan != 0 {
		f = binary.BigEndian.AppendUint16(f, 0x8100)
		f = binary.BigEndian.AppendUint16(f, vlan)
	}
	f = binary.BigEndian.AppendUint16(f, etype)
	return append(f, payload...)
}

func ipEther(dst, src [6]byte, vlan uint16, ip []byte) []byte {
	et := uint16(0x0800)
	if ip[0]>>4 == 6 {
		et = 0x86dd
	}
	return ether(dst, src, vlan, et, ip)
}

// arpRequest builds a broadcast ARP who-has.
func arpRequest(srcMAC [6]byte, srcIP, dstIP netip.Addr) []byte {
	a := make([]byte, 28)
	binary.BigEndian.PutUint16(a[0:], 1)
	binary.BigEndian.PutUint16(a[2:], 0x0800)
	a[4], a[5] = 6, 4
	binary.BigEndian.PutUint16(a[6:], 1)
	copy(a[8:], srcMAC[:])
	copy(a[14:], srcIP.AsSlice())
	copy(a[24:], dstIP.AsSlice())
	return ether([6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, srcMAC, 0, 0x0806, a)
}

// geneveOpt is one raw Geneve option (class, type, data padded to 4 bytes).
type geneveOpt struct {
	class uint16
	typ   uint8
	data  []byte
}

func (o geneveOpt) bytes() []byte {
	b := make([]byte, 4, 4+len(o.data))
	binary.BigEndian.PutUint16(b, o.class)
	b[2] = o.typ
	b[3] = byte(len(o.data) / 4)
	return append(b, o.data...)
}

func awsOpts(ep, attach uint64, cookie uint32) []geneveOpt {
	return []geneveOpt{
		{0x0108, 1, binary.BigEndian.AppendUint64(nil, ep)},
		{0x0108, 2, binary.BigEndian.AppendUint64(nil, attach)},
		{0x0108, 3, binary.BigEndian.AppendUint32(nil, cookie)},
	}
}

// applianceReturn builds the frame an appliance sends back: Ethernet
// (target MAC -> node MAC), IPv4 target -> node, UDP sport -> 6081 with a
// real UDP checksum when udpCsum, Geneve with opts in the given order, inner.
func applianceReturn(src netip.Addr, srcMAC [6]byte, sport uint16, opts []geneveOpt, inner []byte, udpCsum bool) []byte {
	g := make([]byte, 8)
	var ob []byte
	for _, o := range opts {
		ob = append(ob, o.bytes()...)
	}
	g[0] = byte(len(ob) / 4)
	if inner[0]>>4 == 6 {
		binary.BigEndian.PutUint16(g[2:], 0x86dd)
	} else {
		binary.BigEndian.PutUint16(g[2:], 0x0800)
	}
	g = append(append(g, ob...), inner...)
	u := make([]byte, 8)
	binary.BigEndian.PutUint16(u[0:], sport)
	binary.BigEndian.PutUint16(u[2:], 6081)
	binary.BigEndian.PutUint16(u[4:], uint16(8+len(g)))
	seg := append(u, g...)
	dst := nodeIP.Addr()
	if udpCsum {
		acc := csumAdd(src.AsSlice(), 0)
		acc = csumAdd(dst.AsSlice(), acc)
		acc += 17 + uint32(len(seg))
		c := csumFold(csumAdd(seg, acc))
		if c == 0 {
			c = 0xffff
		}
		binary.BigEndian.PutUint16(seg[6:], c)
	}
	h := make([]byte, 20)
	h[0] = 0x45
	binary.BigEndian.PutUint16(h[2:], uint16(20+len(seg)))
	h[6] = 0x40
	h[8] = 64
	h[9] = 17
	copy(h[12:], src.AsSlice())
	copy(h[16:], dst.AsSlice())
	binary.BigEndian.PutUint16(h[10:], csumFold(csumAdd(h, 0)))
	return ether(nodeMAC, srcMAC, 0, 0x0800, append(h, seg...))
}

// mkPacket places frame in a fresh buffer with headroom and some tailroom.
func mkPacket(frame []byte, port uint16) Packet {
	buf := make([]byte, testHeadroom+len(frame)+64)
	copy(buf[testHeadroom:], frame)
	return Packet{Buf: buf, Off: testHeadroom, Len: len(frame), Port: port}
}

// frameOf returns the packet's current frame bytes.
func frameOf(p *Packet) []byte { return p.Buf[p.Off : p.Off+p.Len] }

// newTestWorker returns a worker with a small table reading cfg.
func newTestWorker(t testing.TB, cfg *Config, capacity int) (*Worker, *Publisher) {
	t.Helper()
	pub := &Publisher{}
	pub.Store(cfg)
	w, err := NewWorker(WorkerOptions{Config: pub, FlowCapacity: capacity, Seed: 42, GoHeap: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	return w, pub
}

// process runs one packet through w and returns it.
func process(w *Worker, frame []byte, port uint16, now int64) Packet {
	p := []Packet{mkPacket(frame, port)}
	w.Process(p, now)
	return p[0]
}

// applianceReply turns an encapsulated frame into what AWS's appliance
// handler sends back: MACs and outer IPs swapped, UDP ports kept, the
// Geneve header and inner packet untouched, IPv4 checksum recomputed and,
// when udpCsum, a real UDP checksum (as a Linux socket would send).
func applianceReply(enc []byte, udpCsum bool) []byte {
	f := append([]byte(nil), enc...)
	var m [6]byte
	copy(m[:], f[0:6])
	copy(f[0:6], f[6:12])
	copy(f[6:12], m[:])
	ip := f[14:34]
	var a [4]byte
	copy(a[:], ip[12:16])
	copy(ip[12:16], ip[16:20])
	copy(ip[16:20], a[:])
	ip[10], ip[11] = 0, 0
	binary.BigEndian.PutUint16(ip[10:], csumFold(csumAdd(ip, 0)))
	udp := f[34:]
	udp[6], udp[7] = 0, 0
	if udpCsum {
		acc := csumAdd(ip[12:20], 0) + 17 + uint32(len(udp))
		c := csumFold(csumAdd(udp, acc))
		if c == 0 {
			c = 0xffff
		}
		binary.BigEndian.PutUint16(udp[6:], c)
	}
	return f
}

var (
	clientIP = netip.MustParseAddr("192.168.10.1")
	serverIP = netip.MustParseAddr("192.168.20.2")
	client6  = netip.MustParseAddr("fd00:10::1")
	server6  = netip.MustParseAddr("fd00:20::2")
)

func flowRef(r int) flow.Ref { return flow.Ref(r) }

func flowRef0(r int) flow.Ref { return flow.Ref(r) }

func netip4(a, b, c, d byte) netip.Addr { return netip.AddrFrom4([4]byte{a, b, c, d}) }
