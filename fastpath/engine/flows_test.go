package engine

import (
	"context"
	"net/netip"
	"sync"
	"testing"
	"time"
)

// TestFlowsAndStatsFromAnotherGoroutine lists flows and reads counters
// while the worker forwards (run with -race).
func TestFlowsAndStatsFromAnotherGoroutine(t *testing.T) {
	cfg := testConfig(t, 3, Attributes{})
	w, _ := newTestWorker(t, cfg, 1<<13)
	const nflows = 5000
	frames := make([][]byte, nflows)
	for i := range frames {
		frames[i] = ipEther(serverMAC, clientMAC, 0, ipPacket(netip4(172, 16, byte(i>>8), byte(i)), serverIP, l4{proto: 17, sport: 7000, dport: 53}))
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the worker's goroutine
		defer wg.Done()
		now := int64(1e9)
		pkts := make([]Packet, 32)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			for j := range pkts {
				pkts[j] = mkPacket(frames[(i*32+j)%nflows], 1)
			}
			now += 1e6
			w.Process(pkts, now)
		}
	}()
	defer func() { close(stop); wg.Wait() }()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := w.Stats()
		if st.Totals.ActiveFlows == nflows && st.Totals.NewFlows == nflows {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stats never reached %d flows: %+v", nflows, st.Totals)
		}
		time.Sleep(10 * time.Millisecond)
	}
	fl, err := w.Flows(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(fl) != nflows {
		t.Fatalf("listed %d flows, want %d", len(fl), nflows)
	}
	seen := map[netip.Addr]bool{}
	for _, f := range fl {
		if f.Dst != netip.AddrPortFrom(serverIP, 53) || f.Src.Port() != 7000 || f.Proto != 17 || f.Tuple != 5 ||
			f.Endpoint != testEP || !f.TargetIP.IsValid() || f.Packets[0] == 0 || f.Bytes[0] == 0 {
			t.Fatalf("bad flow info %+v", f)
		}
		seen[f.Src.Addr()] = true
	}
	if len(seen) != nflows {
		t.Fatalf("%d distinct clients listed", len(seen))
	}
	small, err := w.Flows(ctx, 10)
	if err != nil || len(small) != 10 {
		t.Fatalf("Flows(10) = %d flows, %v", len(small), err)
	}
	// A listing that cannot be served in time reports the context error.
	close(stop)
	wg.Wait()
	stop = make(chan struct{})
	wg.Add(1)
	go func() { defer wg.Done(); <-stop }()
	short, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	if _, err := w.Flows(short, 5); err == nil {
		t.Fatal("Flows answered without the worker running")
	}
	// The worker resumes and finishes the abandoned request without harm.
	w.Process(nil, 10e9)
	w.Process(nil, 10e9)
}
