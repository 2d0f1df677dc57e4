package engine

import (
	"fmt"
	"net/netip"
	"testing"
)

// TestReloadKeepsFlows: registering a target changes the Maglev tables,
// yet established flows keep their target (flows store its stable index);
// deregistering one (no_rebalance) keeps its flows going to it, with its
// last known next-hop MAC, while new flows avoid it.
func TestReloadKeepsFlows(t *testing.T) {
	cfg := testConfig(t, 3, Attributes{})
	w, pub := newTestWorker(t, cfg, 4096)
	frames := make([][]byte, 300)
	first := make([]byte, len(frames))
	for i := range frames {
		frames[i] = ipEther(serverMAC, clientMAC, 0, ipPacket(clientIP, serverIP, l4{proto: 17, sport: uint16(3000 + i), dport: 4000}))
		p := process(w, frames[i], 1, 1e9)
		first[i] = frameOf(&p)[33]
	}
	// Register a fourth target.
	c := *cfg
	c.Targets = append(append([]Target(nil), cfg.Targets...), Target{ID: "i-00000000000000004:6081",
		IP: netip.MustParseAddr("10.0.1.103"), NextHopMAC: targetMAC(3), AZ: "us-east-1a"})
	cfg2, err := NewConfig(c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	pub.Store(cfg2)
	for i := range frames {
		if p := process(w, frames[i], 1, 2e9); frameOf(&p)[33] != first[i] {
			t.Fatalf("flow %d moved from .%d to .%d after a target was registered", i, first[i], frameOf(&p)[33])
		}
	}
	newOnFourth := 0
	for i := 0; i < 200; i++ {
		f := ipEther(serverMAC, clientMAC, 0, ipPacket(clientIP, serverIP, l4{proto: 17, sport: uint16(9000 + i), dport: 4000}))
		if p := process(w, f, 1, 2e9); frameOf(&p)[33] == 103 {
			newOnFourth++
		}
	}
	if newOnFourth == 0 {
		t.Fatal("no new flow went to the new target")
	}

	// Deregister target .100 (left out of the list).
	c3 := *cfg2
	c3.Targets = nil
	for _, tg := range cfg2.Targets {
		if tg.IP != netip.MustParseAddr("10.0.1.100") {
			c3.Targets = append(c3.Targets, tg)
		}
	}
	cfg3, err := NewConfig(c3, cfg2)
	if err != nil {
		t.Fatal(err)
	}
	pub.Store(cfg3)
	if i := cfg3.TargetIndex("i-00000000000000001:6081"); i < 0 {
		t.Fatal("deregistered target lost its index while flows may use it")
	} else if _, _, st, ok := cfg3.TargetAt(i); !ok || st != TargetUnused {
		t.Fatalf("deregistered target state %v %v", st, ok)
	}
	kept := 0
	for i := range frames {
		p := process(w, frames[i], 1, 3e9)
		if p.Verdict != Forward {
			t.Fatalf("flow %d dropped after deregistration: %v", i, w.c.totals.Drops)
		}
		if first[i] == 100 {
			if f := frameOf(&p); f[33] != 100 || f[5] != targetMAC(0)[5] {
				t.Fatalf("flow %d left the deregistered target (no_rebalance keeps it)", i)
			}
			kept++
		}
	}
	if kept == 0 {
		t.Fatal("no flow was on the deregistered target")
	}
	for i := 0; i < 200; i++ {
		f := ipEther(serverMAC, clientMAC, 0, ipPacket(clientIP, serverIP, l4{proto: 17, sport: uint16(20000 + i), dport: 4000}))
		if p := process(w, f, 1, 3e9); frameOf(&p)[33] == 100 {
			t.Fatal("a new flow went to a deregistered target")
		}
	}
}

func ExampleFormatEndpointID() {
	const id = 0xa1b2c3d4e5f60718 // the number GWLB carries in Geneve option type 1
	fmt.Println(uint64(id), FormatEndpointID(id))
	// Output: 11651590505119483672 vpce-0a1b2c3d4e5f60718
}
