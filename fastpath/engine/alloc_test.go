package engine

import (
	"net/netip"
	"testing"
)

// TestZeroAllocations holds the engine's per-packet paths to the fast
// path's rule, no allocation per packet, in `go test` as well as in the
// benchmarks: bump encapsulation and decapsulation, routed encapsulation,
// decapsulation (IPv4 via the router, IPv6 on-link), the routed port's
// exceptions and drops, and an unresolved routed next hop (its report
// included).
func TestZeroAllocations(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation allocates")
	}
	w, _ := newTestWorker(t, routedConfig(t, nil), 1024)
	const now = int64(1e12)
	// Each case is one frame and the port it enters by; returns are built
	// from the encapsulation of an earlier frame.
	type step struct {
		port  uint16
		frame []byte
		want  Verdict
	}
	encOf := func(port uint16, frame []byte) []byte {
		p := process(w, frame, port, now)
		if p.Verdict != Forward || p.Out != 0 {
			t.Fatalf("setup: %v out %d (drops %v)", p.Verdict, p.Out, w.c.totals.Drops)
		}
		return append([]byte(nil), frameOf(&p)...)
	}
	bump := ipEther(serverMAC, clientMAC, 0, ipPacket(clientIP, serverIP, l4{proto: 17, sport: 1, dport: 2, payload: payload}))
	routed4 := fromRouter(ipPacket(internet4, app4, l4{proto: 17, sport: 3, dport: 4, payload: payload}))
	routed6 := fromRouter(ipPacket(internet6, host6, l4{proto: 17, sport: 5, dport: 6, payload: payload}))
	unresolved := fromRouter(ipPacket(internet4, netip.MustParseAddr("10.20.0.99"), l4{proto: 17, sport: 7, dport: 8}))
	cases := map[string]step{
		"bump encap":            {1, bump, Forward},
		"bump decap":            {0, applianceReply(encOf(1, bump), false), Forward},
		"routed encap":          {routedPortIdx, routed4, Forward},
		"routed decap v4":       {0, applianceReply(encOf(routedPortIdx, routed4), false), Forward},
		"routed decap v6":       {0, applianceReply(encOf(routedPortIdx, routed6), true), Forward},
		"routed no_neighbor":    {0, applianceReply(encOf(routedPortIdx, unresolved), false), Drop},
		"routed arp exception":  {routedPortIdx, arpRequest(routerMAC, router4, routedAddr.Addr()), Exception},
		"routed ping exception": {routedPortIdx, fromRouter(ipPacket(internet4, routedAddr.Addr(), l4{proto: 1, icmpTyp: 8})), Exception},
		"routed not_for_us":     {routedPortIdx, ipEther([6]byte{2, 9, 9, 9, 9, 9}, routerMAC, 0, ipPacket(internet4, app4, l4{proto: 17})), Drop},
		"routed malformed":      {routedPortIdx, []byte{1, 2, 3}, Drop},
	}
	pkts := make([]Packet, 1)
	buf := make([]byte, 2048)
	var misses []NeighborMiss
	for name, c := range cases {
		fn := func() {
			copy(buf[testHeadroom:], c.frame)
			pkts[0] = Packet{Buf: buf, Off: testHeadroom, Len: len(c.frame), Port: c.port}
			w.Process(pkts, now)
			misses = w.EndpointNeighborMisses(misses[:0])
		}
		fn() // first call: the miss ring and the reader's slice
		if pkts[0].Verdict != c.want {
			t.Fatalf("%s: verdict %v, want %v (drops %v)", name, pkts[0].Verdict, c.want, w.c.totals.Drops)
		}
		if n := testing.AllocsPerRun(100, fn); n != 0 {
			t.Errorf("%s: %.1f allocations per packet", name, n)
		}
	}
}
