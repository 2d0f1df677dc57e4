package engine

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"testing"

	"github.com/gwlbctl/gwlbctl/fastpath/flow"
	"github.com/gwlbctl/gwlbctl/fastpath/packet"
)

// twoWorkers returns the two workers of a node (ids 0 and 1) on one
// snapshot and seed, as serve makes them.
func twoWorkers(t testing.TB, cfg *Config) [2]*Worker {
	t.Helper()
	pub := &Publisher{}
	pub.Store(cfg)
	var ws [2]*Worker
	for i := range ws {
		w, err := NewWorker(WorkerOptions{ID: i, Workers: 2, Config: pub, FlowCapacity: 4096, Seed: 42, GoHeap: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(w.Close)
		ws[i] = w
	}
	return ws
}

// deliver runs frame through the worker whose queue it arrived on, and
// through the worker it is handed to if it is handed off, as the DPDK
// layer does; it returns the final packet and the worker that processed
// it last.
func deliver(t *testing.T, ws [2]*Worker, arrival int, frame []byte, port uint16) (Packet, int) {
	t.Helper()
	p := []Packet{mkPacket(frame, port)}
	ws[arrival].Process(p, 1e9)
	if p[0].Verdict != Handoff {
		return p[0], arrival
	}
	to := int(p[0].Out)
	if to == arrival || to > 1 {
		t.Fatalf("worker %d handed a packet to worker %d", arrival, to)
	}
	if p[0].Off != testHeadroom || p[0].Len != len(frame) {
		t.Fatalf("handed-off packet changed: off %d len %d", p[0].Off, p[0].Len)
	}
	p[0].HandedOff = true
	ws[to].Process(p, 1e9)
	if p[0].Verdict == Handoff {
		t.Fatalf("worker %d handed on a packet worker %d handed to it", to, arrival)
	}
	return p[0], to
}

// TestSteeringTwoWorkers: whatever queue each packet arrives on, both
// directions of every flow and its appliance returns are processed by one
// worker, the one OwnerOf its flow hash names, whose table alone holds the
// flow; the return's cookie names that worker.
func TestSteeringTwoWorkers(t *testing.T) {
	cfg := testConfig(t, 4, Attributes{})
	ws := twoWorkers(t, cfg)
	layout := flow.NewCookieLayout(2)
	owned := [2]int{}
	type dir struct {
		src, dst     netip.Addr
		sport, dport uint16
		fromMAC      [6]byte
		toMAC        [6]byte
		port         uint16
	}
	for i := 0; i < 256; i++ {
		var x l4
		a, b := netip4(172, 16, byte(i>>4), byte(i)), netip4(172, 17, byte(i), 9)
		if i%4 == 3 {
			a, b = netip.AddrFrom16([16]byte{0xfd, 0, 15: byte(i)}), netip.AddrFrom16([16]byte{0xfd, 1, 15: byte(i)})
		}
		switch i % 3 {
		case 0:
			x = l4{proto: 17, sport: uint16(1000 + i), dport: 53}
		case 1:
			x = l4{proto: 6, sport: uint16(2000 + i), dport: 80, flags: tcpSYN}
		case 2:
			x = l4{proto: 1, icmpTyp: 8, icmpID: uint16(i)}
			if a.Is6() {
				x = l4{proto: 58, icmpTyp: 128, icmpID: uint16(i)}
			}
		}
		fwd := ipEther(serverMAC, clientMAC, 0, ipPacket(a, b, x))
		y := x
		y.sport, y.dport = x.dport, x.sport
		if x.proto == 6 {
			y.flags = tcpSYN | tcpACK
		}
		if x.proto == 1 {
			y.icmpTyp = 0
		}
		if x.proto == 58 {
			y.icmpTyp = 129
		}
		rev := ipEther(clientMAC, serverMAC, 0, ipPacket(b, a, y))

		p1, w1 := deliver(t, ws, i%2, fwd, 1)
		p2, w2 := deliver(t, ws, (i+1)%2, rev, 2)
		name := fmt.Sprintf("flow %d (%v %v->%v)", i, x.proto, a, b)
		if p1.Verdict != Forward || p2.Verdict != Forward {
			t.Fatalf("%s: verdicts %v/%v", name, p1.Verdict, p2.Verdict)
		}
		if w1 != w2 {
			t.Fatalf("%s: directions processed by workers %d and %d", name, w1, w2)
		}
		var k flow.Key
		in := parseInnerForTest(t, fwd[14:])
		k.Set(testEP, cfg.Attr.Stickiness, &in.Src, &in.Dst, in.SrcPort, in.DstPort, in.Protocol, in.IsFragment())
		if want := OwnerOf(ws[0].table.Hash(&k), 2); w1 != want {
			t.Fatalf("%s: processed by worker %d, OwnerOf says %d", name, w1, want)
		}
		owned[w1]++
		for _, enc := range []Packet{p1, p2} {
			ret := applianceReply(frameOf(&enc), false)
			c := cookieOf(t, ret)
			if layout.Worker(c) != w1 {
				t.Fatalf("%s: cookie %#x names worker %d, owner %d", name, c, layout.Worker(c), w1)
			}
			// The return arrives on the other worker's queue first.
			r, wr := deliver(t, ws, 1-w1, ret, 0)
			if r.Verdict != Forward || wr != w1 {
				t.Fatalf("%s: return %v on worker %d (drops %v %v)", name, r.Verdict, wr, ws[0].c.totals.Drops, ws[1].c.totals.Drops)
			}
		}
	}
	if n := ws[0].table.Len() + ws[1].table.Len(); n != 256 {
		t.Fatalf("%d flows in the two tables, want 256 (each flow in one)", n)
	}
	for i, n := range owned {
		if ws[i].table.Len() != n {
			t.Fatalf("worker %d holds %d flows, owns %d", i, ws[i].table.Len(), n)
		}
		if n < 64 {
			t.Fatalf("worker %d owns %d of 256 flows: OwnerOf does not spread", i, n)
		}
	}
	for i, w := range ws {
		if d := w.c.totals.Drops; d != ([NumReasons]uint64{}) {
			t.Fatalf("worker %d dropped: %v", i, d)
		}
		if w.c.totals.HandoffPkts == 0 {
			t.Fatalf("worker %d handed nothing off", i)
		}
	}
}

// TestSteeringEdgeCases: what stays where it arrives.
func TestSteeringEdgeCases(t *testing.T) {
	cfg := testConfig(t, 2, Attributes{})
	ws := twoWorkers(t, cfg)
	// Non-IP frames bridge on the worker they reach.
	arp := arpRequest(clientMAC, clientIP, serverIP)
	for i := range ws {
		if p := process(ws[i], arp, 1, 1e9); p.Verdict != Forward || p.Out != 2 {
			t.Fatalf("ARP on worker %d: %v out %d", i, p.Verdict, p.Out)
		}
	}
	// A flow owned by the other worker, handed over: processed here.
	var frame []byte
	var owner int
	for sp := uint16(1); ; sp++ {
		frame = ipEther(serverMAC, clientMAC, 0, ipPacket(clientIP, serverIP, l4{proto: 17, sport: sp, dport: 9}))
		p := process(ws[0], frame, 1, 1e9)
		if p.Verdict == Handoff {
			owner = int(p.Out)
			break
		}
	}
	p := []Packet{mkPacket(frame, 1)}
	p[0].HandedOff = true
	ws[0].Process(p, 1e9)
	if p[0].Verdict != Forward || owner != 1 {
		t.Fatalf("handed-over packet: %v (owner %d)", p[0].Verdict, owner)
	}
	// A return whose cookie names no live flow is counted unknown_cookie
	// by the worker the cookie names.
	enc := applianceReply(frameOf(&p[0]), false)
	for _, c := range []uint32{0x7fffffff, 0xffffffff, 0} {
		ret := append([]byte(nil), enc...)
		setCookieForTest(t, ret, c)
		for arrival := range ws {
			before := ws[c>>31].c.totals.Drops[ReasonUnknownCookie]
			q, at := deliver(t, ws, arrival, ret, 0)
			if q.Verdict != Drop || at != int(c>>31) || ws[at].c.totals.Drops[ReasonUnknownCookie] != before+1 {
				t.Fatalf("cookie %#x arriving on worker %d: %v on worker %d", c, arrival, q.Verdict, at)
			}
		}
	}
	// With 3 workers, a cookie naming worker 3 stays where it arrives.
	pub := &Publisher{}
	pub.Store(cfg)
	w3, err := NewWorker(WorkerOptions{ID: 2, Workers: 3, Config: pub, FlowCapacity: 1024, Seed: 42, GoHeap: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w3.Close()
	ret := append([]byte(nil), enc...)
	setCookieForTest(t, ret, 0xc0000001)
	if q := process(w3, ret, 0, 1e9); q.Verdict != Drop || w3.c.totals.Drops[ReasonUnknownCookie] != 1 {
		t.Fatalf("cookie of worker 3 of 3: %v", q.Verdict)
	}
	// One worker: nothing is ever handed off.
	w, _ := newTestWorker(t, cfg, 1024)
	for sp := uint16(1); sp < 64; sp++ {
		f := ipEther(serverMAC, clientMAC, 0, ipPacket(clientIP, serverIP, l4{proto: 17, sport: sp, dport: 9}))
		if q := process(w, f, 1, 1e9); q.Verdict != Forward {
			t.Fatalf("one worker: %v", q.Verdict)
		}
	}
}

// TestSteeringZeroAllocations: handing off costs no allocation.
func TestSteeringZeroAllocations(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation allocates")
	}
	ws := twoWorkers(t, testConfig(t, 2, Attributes{}))
	buf := make([]byte, 2048)
	pkts := make([]Packet, 1)
	for sp := uint16(1); sp < 32; sp++ {
		f := ipEther(serverMAC, clientMAC, 0, ipPacket(clientIP, serverIP, l4{proto: 17, sport: sp, dport: 9}))
		fn := func() {
			copy(buf[testHeadroom:], f)
			pkts[0] = Packet{Buf: buf, Off: testHeadroom, Len: len(f), Port: 1}
			ws[0].Process(pkts, 1e9)
		}
		if n := testing.AllocsPerRun(100, fn); n != 0 {
			t.Fatalf("%v: %.1f allocations per packet", pkts[0].Verdict, n)
		}
	}
}

// BenchmarkSteering: the owner decision of the hot path, per packet: an
// endpoint packet's flow hash (computed once more for it) and a return's
// cookie.
func BenchmarkSteering(b *testing.B) {
	ws := twoWorkers(b, testConfig(b, 2, Attributes{}))
	w := ws[0]
	keys := make([]flow.Key, 1024)
	for i := range keys {
		a, c := clientIP.As16(), serverIP.As16()
		keys[i].Set(testEP, 0, &a, &c, uint16(i), 80, 6, false)
	}
	var p Packet
	b.Run("endpoint", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for i := 0; i < b.N; i++ {
			if w.steerEndpoint(&p, &keys[i&1023]) {
				n++
			}
		}
		if b.N > 1024 && (n == 0 || n == b.N) {
			b.Fatalf("%d of %d handed off", n, b.N)
		}
	})
	b.Run("return", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for i := 0; i < b.N; i++ {
			if w.steerReturn(&p, uint32(i)*0x9e3779b9) {
				n++
			}
		}
		if b.N > 1024 && (n == 0 || n == b.N) {
			b.Fatalf("%d of %d handed off", n, b.N)
		}
	})
}

// cookieOf reads the flow cookie of a Geneve frame as GWLB lays it out.
func cookieOf(t *testing.T, f []byte) uint32 {
	t.Helper()
	return binary.BigEndian.Uint32(f[packet.OuterGeneveOffset+packet.AWSFlowCookieOffset:])
}

func setCookieForTest(t *testing.T, f []byte, c uint32) {
	t.Helper()
	binary.BigEndian.PutUint32(f[packet.OuterGeneveOffset+packet.AWSFlowCookieOffset:], c)
}

func parseInnerForTest(t *testing.T, l3 []byte) *packet.Inner {
	t.Helper()
	in := &packet.Inner{}
	if err := packet.ParseL3(l3, in); err != nil {
		t.Fatal(err)
	}
	return in
}

// fragment turns an IPv4 frame built by ipEther into a fragment: more
// fragments set, offset off (8-byte units), header checksum redone.
func fragment(f []byte, off uint16) []byte {
	f = append([]byte(nil), f...)
	ip := f[14:34]
	binary.BigEndian.PutUint16(ip[6:], 0x2000|off)
	ip[10], ip[11] = 0, 0
	binary.BigEndian.PutUint16(ip[10:], csumFold(csumAdd(ip, 0)))
	return f
}

// TestSteeringFragments: a datagram's fragments, first or not, and the
// fragments coming back form one 3-tuple flow with one owner, whatever
// queue each arrives on.
func TestSteeringFragments(t *testing.T) {
	ws := twoWorkers(t, testConfig(t, 2, Attributes{}))
	for i := 0; i < 32; i++ {
		a, b := netip4(172, 16, 0, byte(i)), netip4(172, 17, 0, byte(i))
		x := l4{proto: 17, sport: uint16(4000 + i), dport: 53, payload: make([]byte, 64)}
		first := fragment(ipEther(serverMAC, clientMAC, 0, ipPacket(a, b, x)), 0)
		later := fragment(ipEther(serverMAC, clientMAC, 0, ipPacket(a, b, x)), 9)
		back := fragment(ipEther(clientMAC, serverMAC, 0, ipPacket(b, a, x)), 0)
		for _, f := range [][]byte{first, later, back} {
			if !parseInnerForTest(t, f[14:]).IsFragment() {
				t.Fatal("test frame is not a fragment")
			}
		}
		p1, w1 := deliver(t, ws, 0, first, 1)
		p2, w2 := deliver(t, ws, 1, later, 1)
		p3, w3 := deliver(t, ws, i%2, back, 2)
		if p1.Verdict != Forward || p2.Verdict != Forward || p3.Verdict != Forward {
			t.Fatalf("fragments %d: %v %v %v (drops %v %v)", i, p1.Verdict, p2.Verdict, p3.Verdict, ws[0].c.totals.Drops, ws[1].c.totals.Drops)
		}
		if w1 != w2 || w1 != w3 {
			t.Fatalf("fragments %d processed by workers %d, %d, %d", i, w1, w2, w3)
		}
	}
	if n := ws[0].table.Len() + ws[1].table.Len(); n != 32 {
		t.Fatalf("%d flows for 32 fragmented datagrams", n)
	}
}
