package engine

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/gwlbctl/gwlbctl/fastpath/flow"
)

// TestSymmetryThroughEngine: for random tuples under each stickiness mode,
// the packet A->B entering side A and the packet B->A entering side B get
// the same target, the same cookie and the same outer source port, and
// both appliance returns come out of the opposite side unchanged.
func TestSymmetryThroughEngine(t *testing.T) {
	modes := []flow.Stickiness{flow.FiveTuple, flow.ThreeTuple, flow.TwoTuple}
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			cfg := testConfig(t, 7, Attributes{Stickiness: mode})
			w, _ := newTestWorker(t, cfg, 1<<14)
			rng := rand.New(rand.NewPCG(uint64(mode)+1, 99))
			targets := map[byte]int{}
			for i := 0; i < 1000; i++ {
				var a, b netip.Addr
				if rng.IntN(2) == 0 {
					a = netip4(172, 16, byte(rng.IntN(256)), byte(rng.IntN(256)))
					b = netip4(172, 17, byte(rng.IntN(256)), byte(rng.IntN(256)))
				} else {
					var x, y [16]byte
					x[0], y[0] = 0xfd, 0xfd
					for j := 8; j < 16; j++ {
						x[j], y[j] = byte(rng.IntN(256)), byte(rng.IntN(256))
					}
					a, b = netip.AddrFrom16(x), netip.AddrFrom16(y)
				}
				sp, dp := uint16(1024+rng.IntN(60000)), uint16(1+rng.IntN(65535))
				var fwd, rev l4
				switch rng.IntN(4) {
				case 0:
					fwd = l4{proto: 6, sport: sp, dport: dp, flags: tcpSYN}
					rev = l4{proto: 6, sport: dp, dport: sp, flags: tcpSYN | tcpACK}
				case 1:
					fwd = l4{proto: 17, sport: sp, dport: dp}
					rev = l4{proto: 17, sport: dp, dport: sp}
				case 2:
					icmp := uint8(1)
					req, rep := uint8(8), uint8(0)
					if a.Is6() {
						icmp, req, rep = 58, 128, 129
					}
					fwd = l4{proto: icmp, icmpTyp: req, icmpID: sp}
					rev = l4{proto: icmp, icmpTyp: rep, icmpID: sp}
				default:
					fwd = l4{proto: 47, payload: []byte{0, 0, 8, 0}} // GRE
					rev = fwd
				}
				f1 := ipEther(serverMAC, clientMAC, 0, ipPacket(a, b, fwd))
				f2 := ipEther(clientMAC, serverMAC, 0, ipPacket(b, a, rev))
				p1 := process(w, f1, 1, 1e9)
				e1 := append([]byte(nil), frameOf(&p1)...)
				p2 := process(w, f2, 2, 1e9)
				e2 := append([]byte(nil), frameOf(&p2)...)
				if p1.Verdict != Forward || p2.Verdict != Forward {
					t.Fatalf("tuple %d: verdicts %v %v (drops %v)", i, p1.Verdict, p2.Verdict, w.c.totals.Drops)
				}
				if e1[33] != e2[33] || binary.BigEndian.Uint32(e1[78:]) != binary.BigEndian.Uint32(e2[78:]) ||
					binary.BigEndian.Uint16(e1[34:]) != binary.BigEndian.Uint16(e2[34:]) {
					t.Fatalf("tuple %d (%v -> %v %+v): target .%d/.%d cookie %x/%x sport %d/%d", i, a, b, fwd,
						e1[33], e2[33], e1[78:82], e2[78:82], binary.BigEndian.Uint16(e1[34:]), binary.BigEndian.Uint16(e2[34:]))
				}
				targets[e1[33]]++
				r1 := process(w, applianceReply(e1, false), 0, 1e9)
				r2 := process(w, applianceReply(e2, false), 0, 1e9)
				if r1.Out != 2 || r2.Out != 1 || string(frameOf(&r1)) != string(f1) || string(frameOf(&r2)) != string(f2) {
					t.Fatalf("tuple %d: returns out %d/%d", i, r1.Out, r2.Out)
				}
			}
			if w.table.Len() != 1000 {
				t.Fatalf("%d flows for 1000 two-way tuples: both directions must share one flow", w.table.Len())
			}
			if len(targets) < 7 {
				t.Fatalf("only %d of 7 targets used: %v", len(targets), targets)
			}
		})
	}
}
