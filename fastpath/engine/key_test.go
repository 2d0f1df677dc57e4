package engine

import (
	"math/rand/v2"
	"testing"

	"github.com/gwlbctl/gwlbctl/fastpath/flow"
	"github.com/gwlbctl/gwlbctl/fastpath/packet"
)

// TestKeySetMatchesNewKey: the in-place key the engine builds is the key
// flow.NewKey builds, and orientation() (the return path's key check)
// agrees with rebuilding the key, for random packets in every mode.
func TestKeySetMatchesNewKey(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	var reuse flow.Key
	for i := 0; i < 20000; i++ {
		var in packet.Inner
		for j := range in.Src {
			in.Src[j], in.Dst[j] = byte(rng.IntN(3)), byte(rng.IntN(3)) // many equal addresses
		}
		in.SrcPort, in.DstPort = uint16(rng.IntN(3)), uint16(rng.IntN(3))
		in.Protocol = []uint8{6, 17, 1, 47}[rng.IntN(4)]
		if rng.IntN(5) == 0 {
			in.Flags = packet.InnerFragment
		}
		mode := flow.Stickiness(rng.IntN(3))
		k, o := flow.NewKey(9, mode, in.Src, in.Dst, in.SrcPort, in.DstPort, in.Protocol, in.IsFragment())
		if o2 := reuse.Set(9, mode, &in.Src, &in.Dst, in.SrcPort, in.DstPort, in.Protocol, in.IsFragment()); reuse != k || o2 != o {
			t.Fatalf("Set = %+v %v, NewKey = %+v %v", reuse, o2, k, o)
		}
		if got, ok := orientation(&k, &in); !ok || got != o {
			t.Fatalf("orientation(%+v, %+v) = %v %v, want %v", k, in, got, ok, o)
		}
		// A packet of another flow never matches.
		other := in
		other.SrcPort ^= 0x100
		other.Src[0] ^= 0x80
		if _, ok := orientation(&k, &other); ok {
			t.Fatalf("orientation matched a packet of another flow: key %+v packet %+v", k, other)
		}
	}
}
