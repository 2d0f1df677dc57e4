package engine

import (
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"testing"
)

var msRSSKey, _ = hex.DecodeString("6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa")

// Microsoft's RSS verification vectors (IPv4 with TCP/UDP ports).
func TestToeplitzVectors(t *testing.T) {
	for _, v := range []struct {
		src, dst     [4]byte
		sport, dport uint16
		want         uint32
	}{
		{[4]byte{66, 9, 149, 187}, [4]byte{161, 142, 100, 80}, 2794, 1766, 0x51ccc178},
		{[4]byte{199, 92, 111, 2}, [4]byte{65, 69, 140, 83}, 14230, 4739, 0xc626b0ea},
		{[4]byte{24, 19, 198, 95}, [4]byte{12, 22, 207, 184}, 12898, 38024, 0x5c2b394a},
	} {
		var b [12]byte
		copy(b[0:], v.src[:])
		copy(b[4:], v.dst[:])
		binary.BigEndian.PutUint16(b[8:], v.sport)
		binary.BigEndian.PutUint16(b[10:], v.dport)
		if got := Toeplitz(msRSSKey, b[:]); got != v.want {
			t.Errorf("Toeplitz(%v) = %#x, want %#x", v, got, v.want)
		}
	}
}

// TestRSSPortsSteerReturns: with 4 queues, every worker's encapsulated
// packets carry source ports whose return hashes to that worker's queue,
// and both directions of a flow use the same port.
func TestRSSPortsSteerReturns(t *testing.T) {
	reta := make([]uint16, 128)
	for i := range reta {
		reta[i] = uint16(i % 4)
	}
	cfg := testConfig(t, 6, Attributes{})
	rng := rand.New(rand.NewPCG(1, 2))
	for q := uint16(0); q < 4; q++ {
		rp, err := NewRSSPorts(msRSSKey, reta, q)
		if err != nil {
			t.Fatal(err)
		}
		pub := &Publisher{}
		pub.Store(cfg)
		w, err := NewWorker(WorkerOptions{Config: pub, FlowCapacity: 1024, Seed: 5, GoHeap: true, SourcePort: rp.Port})
		if err != nil {
			t.Fatal(err)
		}
		ports := map[uint16]bool{}
		for i := 0; i < 200; i++ {
			a, b := netip4(172, 16, byte(rng.IntN(256)), byte(i)), netip4(172, 17, 1, byte(rng.IntN(256)))
			sp, dp := uint16(1024+rng.IntN(60000)), uint16(1+rng.IntN(60000))
			p1 := process(w, ipEther(serverMAC, clientMAC, 0, ipPacket(a, b, l4{proto: 17, sport: sp, dport: dp})), 1, 1e9)
			p2 := process(w, ipEther(clientMAC, serverMAC, 0, ipPacket(b, a, l4{proto: 17, sport: dp, dport: sp})), 2, 1e9)
			e1, e2 := frameOf(&p1), frameOf(&p2)
			port := binary.BigEndian.Uint16(e1[34:])
			if port != binary.BigEndian.Uint16(e2[34:]) || port < 49152 {
				t.Fatalf("ports %d/%d", port, binary.BigEndian.Uint16(e2[34:]))
			}
			ports[port] = true
			// The return as the NIC hashes it: target -> node, port -> 6081.
			var tuple [12]byte
			copy(tuple[0:4], e1[30:34])
			copy(tuple[4:8], e1[26:30])
			binary.BigEndian.PutUint16(tuple[8:], port)
			binary.BigEndian.PutUint16(tuple[10:], 6081)
			if got := reta[Toeplitz(msRSSKey, tuple[:])&127]; got != q {
				t.Fatalf("worker %d: return of port %d lands on queue %d", q, port, got)
			}
		}
		if len(ports) < 150 {
			t.Fatalf("worker %d used only %d distinct source ports for 200 flows", q, len(ports))
		}
		w.Close()
	}
	if _, err := NewRSSPorts(msRSSKey, reta, 9); err == nil {
		t.Fatal("queue without RETA entries accepted")
	}
}
