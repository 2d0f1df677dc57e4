package engine

import (
	"context"
	"errors"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/fastpath/flow"
)

// runWorker runs w's poll loop on its own goroutine (as a forwarding lcore
// does), presenting frames from port 1 in a cycle (none: idle passes),
// until the test ends.
func runWorker(t *testing.T, w *Worker, frames [][]byte) {
	t.Helper()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		now := int64(1e9)
		pkts := make([]Packet, 32)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			n := 0
			if len(frames) > 0 {
				n = len(pkts)
				for j := range pkts {
					pkts[j] = mkPacket(frames[(i*32+j)%len(frames)], 1)
				}
			}
			now += 1e6
			w.Process(pkts[:n], now)
		}
	}()
	t.Cleanup(func() { close(stop); wg.Wait() })
}

// waitFlows waits until w's published counters show n flows.
func waitFlows(t *testing.T, w *Worker, n uint64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := w.Stats()
		if st.Totals.ActiveFlows == n && st.Totals.NewFlows == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("stats never reached %d flows: %+v", n, st.Totals)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func udpFrames(n int) [][]byte {
	frames := make([][]byte, n)
	for i := range frames {
		frames[i] = ipEther(serverMAC, clientMAC, 0, ipPacket(netip4(172, 16, byte(i>>8), byte(i)), serverIP, l4{proto: 17, sport: 7000, dport: 53}))
	}
	return frames
}

// TestReadFlowsWalksTheTableWhileForwarding lists every flow in batches
// from another goroutine while the worker forwards (run with -race): each
// flow once, described right, in slot order.
func TestReadFlowsWalksTheTableWhileForwarding(t *testing.T) {
	cfg := testConfig(t, 3, Attributes{})
	w, _ := newTestWorker(t, cfg, 1<<13)
	const nflows = 5000
	runWorker(t, w, udpFrames(nflows))
	waitFlows(t, w, nflows)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	b := NewFlowBatch(700) // not a divisor of the table: the last batch is short
	seen := map[netip.Addr]bool{}
	lastSlot, batches := -1, 0
	var fi FlowInfo
	for from, more := 0, true; more; {
		if err := w.ReadFlows(ctx, from, b); err != nil {
			t.Fatal(err)
		}
		batches++
		for i := 0; i < b.Len(); i++ {
			if b.Slot(i) <= lastSlot {
				t.Fatalf("slot %d after %d", b.Slot(i), lastSlot)
			}
			lastSlot = b.Slot(i)
			b.Flow(i, &fi)
			if fi.Dst != netip.AddrPortFrom(serverIP, 53) || fi.Src.Port() != 7000 || fi.Proto != 17 || fi.Tuple != 5 ||
				fi.Endpoint != testEP || !fi.TargetIP.IsValid() || fi.Packets[0] == 0 || fi.Bytes[0] == 0 || fi.Worker != w.ID() {
				t.Fatalf("bad flow info %+v", fi)
			}
			if seen[fi.Src.Addr()] {
				t.Fatalf("flow from %v listed twice", fi.Src.Addr())
			}
			seen[fi.Src.Addr()] = true
		}
		from, more = b.Next()
	}
	if len(seen) != nflows {
		t.Fatalf("listed %d flows, want %d", len(seen), nflows)
	}
	if want := (nflows + 699) / 700; batches != want {
		t.Errorf("%d batches of 700 slots for %d flows, want %d", batches, nflows, want)
	}
}

// TestReadFlowsWithFloor: with a floor, a batch holds only the live flows
// above it, each at its own slot, and the walk still examines every slot
// once.
func TestReadFlowsWithFloor(t *testing.T) {
	cfg := testConfig(t, 3, Attributes{})
	w, _ := newTestWorker(t, cfg, 1<<13)
	const nflows = 2000
	frames := udpFrames(nflows)
	// Flow i gets i%40+1 packets, before the worker starts answering.
	now := int64(1e9)
	for rep := range 40 {
		var pkts []Packet
		for i, f := range frames {
			if i%40 >= rep {
				pkts = append(pkts, mkPacket(f, 1))
			}
		}
		for len(pkts) > 0 {
			n := min(len(pkts), 32)
			now += 1e6
			w.Process(pkts[:n], now)
			pkts = pkts[n:]
		}
	}
	// Idle passes at a clock that stands still: no flow idles out.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
				w.Process(nil, now)
			}
		}
	}()
	t.Cleanup(func() { close(stop); wg.Wait() })
	waitFlows(t, w, nflows)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	walk := func(b *FlowBatch) (map[int]FlowInfo, int) {
		flows, examined := map[int]FlowInfo{}, 0
		var fi FlowInfo
		for from, more := 0, true; more; {
			if err := w.ReadFlows(ctx, from, b); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < b.Len(); i++ {
				b.Flow(i, &fi)
				flows[b.Slot(i)] = fi
			}
			examined += b.Examined()
			from, more = b.Next()
		}
		return flows, examined
	}
	all, examined := walk(NewFlowBatch(300))
	if len(all) != nflows || examined != nflows {
		t.Fatalf("without a floor: %d flows of %d slots, want %d", len(all), examined, nflows)
	}
	// SetSize bounds the slots one copy examines; 0 is the capacity.
	sized := NewFlowBatch(300)
	for _, c := range []struct{ size, want int }{{50, 50}, {1000, 300}, {0, 300}} {
		sized.SetSize(c.size)
		if err := w.ReadFlows(ctx, 100, sized); err != nil {
			t.Fatal(err)
		}
		if next, _ := sized.Next(); sized.Len() != c.want || sized.Examined() != c.want || next != 100+c.want {
			t.Errorf("SetSize(%d): %d copied, %d examined, next %d; want %d from slot 100", c.size, sized.Len(), sized.Examined(), next, c.want)
		}
	}

	b := NewFlowBatch(300)
	b.SetFloor(flow.Floor{Of: flow.FloorPackets, Min: 30})
	above, examined := walk(b)
	if examined != nflows {
		t.Errorf("with a floor the walk examined %d slots, want %d", examined, nflows)
	}
	want := 0
	for slot, fi := range all {
		if fi.Packets[0] > 30 {
			want++
			if got, ok := above[slot]; !ok || got != fi {
				t.Errorf("slot %d: %+v above the floor, listed as %+v (%v)", slot, fi, got, ok)
			}
		}
	}
	if want != nflows/4 || len(above) != want {
		t.Errorf("with a floor of 30 packets: %d flows listed, %d above it, want %d", len(above), want, nflows/4)
	}
}

// TestReadFlowsAbandoned: a request the worker does not answer in time
// reports the context's error; its batch stays the worker's until it is
// filled, and the worker then serves new requests as before.
func TestReadFlowsAbandoned(t *testing.T) {
	cfg := testConfig(t, 1, Attributes{})
	w, _ := newTestWorker(t, cfg, 1024)
	process(w, udpFrames(1)[0], 1, 1e9)
	b := NewFlowBatch(16)
	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := w.ReadFlows(short, 0, b); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("no worker running: %v, want the deadline", err)
	}
	if err := w.ReadFlows(context.Background(), 0, b); !errors.Is(err, ErrBatchBusy) {
		t.Fatalf("reusing the abandoned batch: %v, want ErrBatchBusy", err)
	}
	if !b.Busy() {
		t.Fatal("the abandoned batch is not Busy before the worker answered")
	}
	w.Process(nil, 2e9) // the worker fills the abandoned batch
	if b.Busy() {
		t.Fatal("the batch is still Busy after the worker answered")
	}
	runWorker(t, w, nil)
	ctx, cancel2 := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel2()
	if err := w.ReadFlows(ctx, 0, b); err != nil {
		t.Fatalf("after the worker answered: %v", err)
	}
	if b.Len() != 1 {
		t.Fatalf("a batch of %d flows, want 1", b.Len())
	}
	var fi FlowInfo
	if b.Flow(0, &fi); fi.Src.Addr() != netip4(172, 16, 0, 0) {
		t.Fatalf("the batch's flow: %+v", fi)
	}
	if _, more := b.Next(); more {
		t.Error("one slot in the table, yet the batch says there are more")
	}
}

// TestLookupAgreesWithTheFirstPacket: Lookup names the target a new flow
// then really gets, creates no flow, and once the flow exists reports it.
func TestLookupAgreesWithTheFirstPacket(t *testing.T) {
	cfg := testConfig(t, 8, Attributes{})
	w, _ := newTestWorker(t, cfg, 1024)
	runWorker(t, w, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := range 64 {
		src := netip.AddrPortFrom(netip4(172, 16, 1, byte(i)), uint16(40000+i))
		dst := netip.AddrPortFrom(serverIP, 443)
		q := LookupQuery{Endpoint: testEP, Proto: 6, Src: src, Dst: dst}
		a, err := w.Lookup(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if a.Target < 0 || a.Flow != nil || a.Tuple != 5 || a.Revision != cfg.Revision {
			t.Fatalf("lookup %v: %+v", src, a)
		}
		// Another worker with the same seed and snapshot forwards the
		// flow's first packet: it must pick the same target.
		w2, _ := newTestWorker(t, cfg, 1024)
		p := process(w2, ipEther(serverMAC, clientMAC, 0, ipPacket(src.Addr(), dst.Addr(), l4{proto: 6, sport: src.Port(), dport: dst.Port(), flags: tcpSYN})), 1, 1e9)
		if p.Verdict != Forward {
			t.Fatalf("SYN not forwarded: %v", p.Verdict)
		}
		_, ip, _, _ := cfg.TargetAt(a.Target)
		if got := netip.AddrFrom4([4]byte(frameOf(&p)[30:34])); got != ip {
			t.Fatalf("flow %v went to %v, Lookup said %v (index %d)", src, got, ip, a.Target)
		}
	}
	if st := w.Stats(); st.Totals.NewFlows != 0 {
		t.Fatalf("Lookup created %d flows", st.Totals.NewFlows)
	}

	// A live flow is reported from the worker's table, from either end.
	src, dst := netip.AddrPortFrom(netip4(172, 16, 9, 9), 5555), netip.AddrPortFrom(serverIP, 53)
	w3, _ := newTestWorker(t, cfg, 1024)
	runWorker(t, w3, [][]byte{ipEther(serverMAC, clientMAC, 0, ipPacket(src.Addr(), dst.Addr(), l4{proto: 17, sport: 5555, dport: 53}))})
	waitFlows(t, w3, 1)
	a, err := w3.Lookup(ctx, LookupQuery{Endpoint: testEP, Proto: 17, Src: dst, Dst: src})
	if err != nil {
		t.Fatal(err)
	}
	if a.Flow == nil || a.Flow.Src != src || a.Flow.Dst != dst || a.Flow.Target != a.Target {
		t.Fatalf("live flow not reported: %+v (flow %+v)", a, a.Flow)
	}

	if _, err := w.Lookup(ctx, LookupQuery{Endpoint: testEP + 1, Proto: 17, Src: src, Dst: dst}); !errors.Is(err, ErrUnknownEndpoint) {
		t.Errorf("unknown endpoint: %v", err)
	}
}

// TestLookupReasons: without an available endpoint or a target, Lookup
// says which drop a new flow would get.
func TestLookupReasons(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	src, dst := netip.AddrPortFrom(netip4(172, 16, 9, 9), 5555), netip.AddrPortFrom(serverIP, 53)

	none := testConfig(t, 0, Attributes{})
	w, _ := newTestWorker(t, none, 1024)
	runWorker(t, w, nil)
	if a, err := w.Lookup(ctx, LookupQuery{Endpoint: testEP, Proto: 17, Src: src, Dst: dst}); err != nil || a.Target >= 0 || a.NoTarget != ReasonNoTarget {
		t.Errorf("no targets: %+v %v", a, err)
	}

	pending := testConfig(t, 2, Attributes{})
	c := *pending
	c.Endpoints = append([]Endpoint(nil), pending.Endpoints...)
	c.Endpoints[0].State = EndpointPendingAcceptance
	pend, err := NewConfig(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	w2, _ := newTestWorker(t, pend, 1024)
	runWorker(t, w2, nil)
	if a, err := w2.Lookup(ctx, LookupQuery{Endpoint: testEP, Proto: 17, Src: src, Dst: dst}); err != nil || a.Target >= 0 || a.NoTarget != ReasonEndpointNotAvailable {
		t.Errorf("pending endpoint: %+v %v", a, err)
	}
}

// TestWorkerRevisionAndTargetFlows: a worker reports the revision of the
// snapshot it last ran with, and each target's live flows.
func TestWorkerRevisionAndTargetFlows(t *testing.T) {
	cfg := testConfig(t, 3, Attributes{})
	w, pub := newTestWorker(t, cfg, 1<<13)
	if _, ok := w.Revision(); ok {
		t.Fatal("revision reported before the first Process")
	}
	const nflows = 600
	for i, f := range udpFrames(nflows) {
		process(w, f, 1, 1e9+int64(i))
	}
	w.Flush(2e9)
	if rev, ok := w.Revision(); !ok || rev != 1 {
		t.Fatalf("revision %d %v, want 1", rev, ok)
	}
	st := w.Stats()
	var sum uint64
	for i, tc := range st.Targets {
		if tc.ActiveFlows == 0 || tc.ActiveFlows != tc.NewFlows {
			t.Errorf("target %d: %d active flows, %d new", i, tc.ActiveFlows, tc.NewFlows)
		}
		sum += tc.ActiveFlows
	}
	if sum != nflows || len(st.Targets) != 3 {
		t.Fatalf("per-target active flows sum to %d over %d targets, want %d over 3", sum, len(st.Targets), nflows)
	}

	c := *cfg
	c.Revision = 9
	c.Targets = append([]Target(nil), cfg.Targets...)
	next, err := NewConfig(c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	pub.Store(next)
	w.Process(nil, 3e9)
	if rev, _ := w.Revision(); rev != 9 {
		t.Fatalf("after a reload the worker reports revision %d, want 9", rev)
	}
	// Idle past the 120 s UDP timeout: the sweep reclaims every flow and
	// the per-target gauges follow.
	for now := int64(130e9); w.Stats().Totals.ActiveFlows != 0; now += 1e9 {
		w.Process(nil, now)
		w.Flush(now)
		if now > 400e9 {
			t.Fatalf("flows never expired: %+v", w.Stats().Totals)
		}
	}
	for i, tc := range w.Stats().Targets {
		if tc.ActiveFlows != 0 {
			t.Errorf("target %d still has %d active flows after every flow expired", i, tc.ActiveFlows)
		}
	}
}

// TestRequestsArePaced: after a request that took d, the worker answers
// the next no sooner than d/ListingShare after the first began, and a
// request that took very long (a worker descheduled during the copy)
// pauses the next by maxRequestPause at most.
func TestRequestsArePaced(t *testing.T) {
	for _, c := range []struct {
		step  time.Duration // the clock's advance per reading
		calls int           // Process passes until the second is answered
	}{
		// began c, took 40 us: the next no sooner than c+2 ms, which the
		// 49th reading after the copy's end (c+40 us) gives.
		{40 * time.Microsecond, int(time.Duration(float64(40*time.Microsecond)/ListingShare)/(40*time.Microsecond)) - 1},
		// took 10 ms: capped at c+50 ms, the 4th reading after c+10 ms.
		{10 * time.Millisecond, int(maxRequestPause/(10*time.Millisecond)) - 1},
	} {
		cfg := testConfig(t, 1, Attributes{})
		w, _ := newTestWorker(t, cfg, 1024)
		process(w, udpFrames(1)[0], 1, 1e9)
		clk := int64(1e9)
		w.clock = func() int64 { clk += int64(c.step); return clk }
		ask := func() chan error {
			done := make(chan error, 1)
			before := w.pending.Load()
			go func() { done <- w.ReadFlows(context.Background(), 0, NewFlowBatch(16)) }()
			for w.pending.Load() == before {
				time.Sleep(time.Millisecond)
			}
			return done
		}
		first := ask()
		w.Process(nil, 2e9)
		if err := <-first; err != nil {
			t.Fatal(err)
		}
		second := ask()
		// Answered once the worker has taken it (pending back to 0);
		// ReadFlows' goroutine returns after that.
		passes := 0
		for w.pending.Load() > 0 && passes <= 10*c.calls {
			w.Process(nil, 2e9)
			passes++
		}
		if w.pending.Load() > 0 {
			t.Fatalf("step %v: not answered after %d passes", c.step, passes)
		}
		if err := <-second; err != nil {
			t.Fatal(err)
		}
		if passes != c.calls {
			t.Errorf("step %v: answered at pass %d, want %d", c.step, passes, c.calls)
		}
	}
}
