package node

import (
	"bufio"
	"cmp"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/api"
	"github.com/gwlbctl/gwlbctl/fastpath/engine"
	"github.com/gwlbctl/gwlbctl/fastpath/packet"
)

// testNode is a node without DPDK: its real engine worker runs on a
// goroutine (as on a forwarding lcore), fed frames the test queues as if
// received on side A of the endpoint, and its snapshot is built from a
// state as serve builds it. The API is served on a real unix socket.
type testNode struct {
	*Node
	t      testing.TB
	feed   chan [][]byte
	client *api.Client
}

func newTestNode(t testing.TB, st *control.State, capacity int) *testNode {
	t.Helper()
	cfg := testNodeConfig(t)
	n := &Node{cfg: *cfg, log: slog.New(slog.NewTextHandler(io.Discard, nil)), start: time.Now(), events: api.NewEventLog(0, nil),
		version: "test", nodeID: "test-node", lcores: []int{1}, names: []string{"appliance", testEP + "/A", testEP + "/B"}}
	snap, err := NewSnapshotter(&n.cfg, nodeMAC, 0).Build(st, 1, time.Now(), neighbors)
	if err != nil {
		t.Fatal(err)
	}
	n.lbArn = snap.LoadBalancerArn
	w, err := engine.NewWorker(engine.WorkerOptions{Config: &n.pub, FlowCapacity: capacity, Seed: FlowSeed(n.lbArn), GoHeap: true})
	if err != nil {
		t.Fatal(err)
	}
	n.workers = []*engine.Worker{w}
	n.publish("start", nil, snap)
	tn := &testNode{Node: n, t: t, feed: make(chan [][]byte)}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the forwarding lcore
		defer wg.Done()
		var pkts []engine.Packet
		for {
			pkts = pkts[:0]
			select {
			case <-stop:
				return
			case frames := <-tn.feed:
				for _, f := range frames {
					buf := make([]byte, 128+len(f))
					copy(buf[128:], f)
					pkts = append(pkts, engine.Packet{Buf: buf, Off: 128, Len: len(f), Port: uint16(SideAPort(0))})
				}
			default:
			}
			for len(pkts) > 0 {
				k := min(len(pkts), 32)
				w.Process(pkts[:k], time.Now().UnixNano())
				pkts = pkts[k:]
			}
			w.Process(nil, time.Now().UnixNano())
		}
	}()
	sock := filepath.Join(t.TempDir(), "serve.sock")
	srv, err := api.StartServer(sock, api.SocketOptions{}, n, api.Options{Log: n.log}, api.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tn.client = api.NewClient(sock)
	t.Cleanup(func() {
		tn.client.Close()
		_ = srv.Shutdown(context.Background())
		close(stop)
		wg.Wait()
		w.Close()
	})
	return tn
}

// send forwards frames through the worker and waits until its counters
// show want flows.
func (tn *testNode) send(frames [][]byte, want uint64) {
	tn.t.Helper()
	for len(frames) > 0 {
		k := min(len(frames), 4096)
		tn.feed <- frames[:k]
		frames = frames[k:]
	}
	deadline := time.Now().Add(30 * time.Second)
	for tn.workers[0].Stats().Totals.NewFlows < want {
		if time.Now().After(deadline) {
			tn.t.Fatalf("the worker opened %d flows, want %d", tn.workers[0].Stats().Totals.NewFlows, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// udpFrame is an Ethernet/IPv4/UDP frame from src to dst with size bytes
// of payload.
func udpFrame(src, dst netip.AddrPort, size int) []byte {
	f := make([]byte, 14+20+8+size)
	packet.PutEthernet(f, &packet.Ethernet{Dst: packet.MAC{2, 0, 0, 0, 0, 2}, Src: packet.MAC{2, 0, 0, 0, 0, 1}, EtherType: packet.EtherTypeIPv4})
	packet.PutIPv4(f[14:], &packet.IPv4{TotalLen: uint16(20 + 8 + size), TTL: 64, Protocol: 17, Src: src.Addr().As4(), Dst: dst.Addr().As4()})
	packet.PutUDP(f[34:], &packet.UDP{SrcPort: src.Port(), DstPort: dst.Port(), Length: uint16(8 + size)})
	return f
}

func clientEnd(i int) netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{172, 16, byte(i >> 8), byte(i)}), uint16(10000+i%50000))
}

var serverEnd = netip.MustParseAddrPort("10.64.0.9:53")

// TestAPIFlowsTopAcrossBatches: over more flows than one worker batch
// holds (engine.MaxFlowBatch), where the workers copy only the flows above
// the N-th count so far (FlowBatch.SetFloor), the top N by bytes and by
// packets are the reference top N of every flow, ties in table order.
func TestAPIFlowsTopAcrossBatches(t *testing.T) {
	tn := newTestNode(t, testState(), 1<<14)
	const nflows = 3*engine.MaxFlowBatch + 100
	var frames [][]byte
	for i := range nflows {
		frames = append(frames, udpFrame(clientEnd(i), serverEnd, i*7919%1400))
	}
	tn.send(frames, nflows)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var all []api.Flow // in table order
	for cursor := ""; ; {
		p, err := tn.client.Flows(ctx, api.FlowsRequest{Limit: api.MaxPageLimit, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, p.Flows...)
		if cursor = p.NextCursor; cursor == "" {
			break
		}
	}
	if len(all) != nflows {
		t.Fatalf("the walk listed %d flows, want %d", len(all), nflows)
	}
	for _, sort := range []api.FlowSort{api.SortBytes, api.SortPackets} {
		count := func(f *api.Flow) uint64 { return f.Bytes[0] + f.Bytes[1] }
		if sort == api.SortPackets {
			count = func(f *api.Flow) uint64 { return f.Packets[0] + f.Packets[1] } // 1 each: the first 10 in table order
		}
		ref := slices.Clone(all)
		slices.SortStableFunc(ref, func(a, b api.Flow) int { return cmp.Compare(count(&b), count(&a)) })
		top, err := tn.client.Flows(ctx, api.FlowsRequest{Sort: sort, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(top.Flows) != 10 || top.Partial {
			t.Fatalf("sort=%s: %d flows, partial %v", sort, len(top.Flows), top.Partial)
		}
		for i, f := range top.Flows {
			if f.Src != ref[i].Src || count(&f) != count(&ref[i]) {
				t.Errorf("sort=%s: flow %d is %v (%d), want %v (%d)", sort, i, f.Src, count(&f), ref[i].Src, count(&ref[i]))
			}
		}
	}
}

// TestAPIFlowsPagedTopAndFiltered: flows the worker opened are listed
// through the socket with their endpoint, target and counters; following
// the cursors visits each once; sort and filters select what they say.
func TestAPIFlowsPagedTopAndFiltered(t *testing.T) {
	tn := newTestNode(t, testState(), 1<<14)
	const nflows = 3000
	var frames [][]byte
	for i := range nflows {
		frames = append(frames, udpFrame(clientEnd(i), serverEnd, i%700))
	}
	tn.send(frames, nflows)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	seen := map[netip.AddrPort]api.Flow{}
	pages := 0
	for cursor := ""; ; pages++ {
		p, err := tn.client.Flows(ctx, api.FlowsRequest{Limit: 1000, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range p.Flows {
			if _, dup := seen[f.Src]; dup {
				t.Fatalf("flow %v listed twice", f.Src)
			}
			seen[f.Src] = f
		}
		if p.NextCursor == "" {
			break
		}
		cursor = p.NextCursor
	}
	if len(seen) != nflows || pages < 2 {
		t.Fatalf("%d flows in %d pages, want %d in several", len(seen), pages+1, nflows)
	}
	for i := range nflows {
		f, ok := seen[clientEnd(i)]
		if !ok {
			t.Fatalf("flow %v not listed", clientEnd(i))
		}
		if f.Endpoint != testEP || f.Dst != serverEnd || f.Proto != 17 || f.Tuple != 5 || f.Packets != [2]uint64{1, 0} ||
			f.Bytes[0] != uint64(28+i%700) || (f.Target != testTarget && f.Target != "10.9.1.12") || f.TargetIP.String() != f.Target {
			t.Fatalf("flow %d: %+v", i, f)
		}
	}

	// Top 5 by bytes, largest first: the four flows of 699-byte
	// datagrams, then one of 698.
	top, err := tn.client.Flows(ctx, api.FlowsRequest{Sort: api.SortBytes, Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(top.Flows) != 5 || top.Partial {
		t.Fatalf("top 5: %d flows, partial %v", len(top.Flows), top.Partial)
	}
	for i, f := range top.Flows {
		if want := uint64(28 + 699 - i/4); f.Bytes[0] != want {
			t.Errorf("top flow %d (%v) has %d bytes, want %d", i, f.Src, f.Bytes[0], want)
		}
	}

	// Filters: a client prefix and a target.
	filter, err := api.ParseFlowFilter("src=172.16.0.0/24 target=" + testTarget)
	if err != nil {
		t.Fatal(err)
	}
	fp, err := tn.client.Flows(ctx, api.FlowsRequest{Filter: filter, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for i := range 256 {
		if seen[clientEnd(i)].Target == testTarget {
			want++
		}
	}
	if len(fp.Flows) != want || want == 0 {
		t.Fatalf("filtered listing: %d flows, want %d", len(fp.Flows), want)
	}
	for _, f := range fp.Flows {
		if !netip.MustParsePrefix("172.16.0.0/24").Contains(f.Src.Addr()) || f.Target != testTarget {
			t.Errorf("filtered listing holds %+v", f)
		}
	}
}

// TestAPILookupInfoStatsEvents: lookup names the target a flow got (and
// the live flow); info reports the worker's revision; stats and targets
// count the traffic; the events name the reload.
func TestAPILookupInfoStatsEvents(t *testing.T) {
	tn := newTestNode(t, testState(), 4096)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Before the flow exists: the target it would get, no live flow.
	req := api.LookupRequest{Endpoint: testEP, Proto: 17, Src: clientEnd(7), Dst: serverEnd}
	before, err := tn.client.Lookup(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if before.Target == nil || before.Flow != nil || before.Tuple != 5 || before.Revision != 1 {
		t.Fatalf("lookup before the flow: %+v", before)
	}
	tn.send([][]byte{udpFrame(clientEnd(7), serverEnd, 10)}, 1)
	after, err := tn.client.Lookup(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if after.Flow == nil || after.Flow.Target != before.Target.ID || after.Flow.TargetIndex != before.Target.Index {
		t.Fatalf("lookup after the flow: %+v (before %+v)", after, before.Target)
	}
	if _, err := tn.client.Lookup(ctx, api.LookupRequest{Endpoint: "vpce-0fffffffffffffff0", Proto: 17, Src: clientEnd(7), Dst: serverEnd}); err == nil {
		t.Error("lookup of an endpoint the node does not serve answered")
	}

	info, err := tn.client.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Revision != 1 || len(info.Workers) != 1 || info.Workers[0].Revision != 1 || info.Workers[0].Lcore != 1 ||
		info.LoadBalancer != testLBArn || info.TargetGroup != testTGArn || info.AvailabilityZone != testZoneA {
		t.Errorf("info %+v", info)
	}
	deadline := time.Now().Add(10 * time.Second)
	var st *api.Stats
	for {
		if st, err = tn.client.Stats(ctx); err != nil {
			t.Fatal(err)
		}
		if st.Totals.EncapPackets == 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if st.Totals.EncapPackets != 1 || st.Totals.NewFlows != 1 || st.Totals.ActiveFlows != 1 || st.Endpoints[0].InPackets != 1 || st.Revision != 1 {
		t.Errorf("stats %+v endpoints %+v", st.Totals, st.Endpoints)
	}
	ts, err := tn.client.Targets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range ts {
		want := uint64(0)
		if tg.Index == before.Target.Index {
			want = 1
		}
		if tg.ActiveFlows != want || tg.NewFlows != want || tg.TxPackets != want {
			t.Errorf("target %s: active %d new %d tx %d, want %d", tg.ID, tg.ActiveFlows, tg.NewFlows, tg.TxPackets, want)
		}
	}
	evs, err := tn.client.Events(ctx, api.EventsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs.Events) == 0 || evs.Events[0].Kind != api.EventReload || evs.Events[0].Revision != 1 {
		t.Errorf("events %+v", evs.Events)
	}
}

// TestSnapshotEvents: a reload brings its endpoint changes (accepted,
// rejected) and its new warnings as events.
func TestSnapshotEvents(t *testing.T) {
	cfg := testNodeConfig(t)
	s := NewSnapshotter(cfg, nodeMAC, 0)
	st := testState()
	st.Endpoints[0].Endpoint.State = control.EndpointStatePendingAcceptance
	pending, err := s.Build(st, 1, time.Now(), neighbors)
	if err != nil {
		t.Fatal(err)
	}
	st.Endpoints[0].Endpoint.State = control.EndpointStateAvailable
	accepted, err := s.Build(st, 2, time.Now(), neighbors)
	if err != nil {
		t.Fatal(err)
	}
	evs := snapshotEvents("state changed", pending, accepted)
	if len(evs) != 2 || evs[0].Kind != api.EventReload || evs[0].Revision != 2 ||
		evs[1].Kind != api.EventEndpoint || evs[1].Endpoint != testEP || evs[1].From != "pendingAcceptance" || evs[1].To != "available" {
		t.Fatalf("accept: %+v", evs)
	}
	st.Listeners = nil
	st.Endpoints[0].Endpoint.State = control.EndpointStateRejected
	rejected, err := s.Build(st, 3, time.Now(), neighbors)
	if err != nil {
		t.Fatal(err)
	}
	evs = snapshotEvents("state changed", accepted, rejected)
	// Without a listener there is no target group: both targets leave.
	if len(evs) != 5 || evs[1].To != "rejected" || evs[2].Kind != api.EventHealth || evs[2].To != "unused" ||
		evs[3].Kind != api.EventHealth || evs[4].Kind != api.EventWarning {
		t.Fatalf("reject and a listener gone: %+v", evs)
	}

	// A deregistration: the target drains.
	st = testState()
	before, err := s.Build(st, 4, time.Now(), neighbors)
	if err != nil {
		t.Fatal(err)
	}
	until := control.Timestamp{Time: time.Now().Add(time.Minute)}
	st.TargetGroups[0].Targets[0].DrainUntil = &until
	draining, err := s.Build(st, 5, time.Now(), neighbors)
	if err != nil {
		t.Fatal(err)
	}
	evs = snapshotEvents("state changed", before, draining)
	if len(evs) != 2 || evs[1].Kind != api.EventHealth || evs[1].Target != testTarget || evs[1].From != "healthy" ||
		evs[1].To != "draining" || evs[1].Reason != control.ReasonDeregistrationInProgress {
		t.Fatalf("deregistration: %+v", evs)
	}
}

// TestAPIFlowsBoundedWalk: a listing that examines at most a budget of
// slots per call returns short pages (even empty ones) with a cursor, and
// following the cursors still visits every flow once; a top-N listing
// under the same bound says it is partial.
func TestAPIFlowsBoundedWalk(t *testing.T) {
	tn := newTestNode(t, testState(), 1<<14)
	tn.slotBudget = engine.MaxFlowBatch
	const nflows = 10000
	var frames [][]byte
	for i := range nflows {
		frames = append(frames, udpFrame(clientEnd(i), serverEnd, 1))
	}
	tn.send(frames, nflows)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	filter, err := api.ParseFlowFilter("src=172.16.39.0/24") // the last 16 flows (i >= 9984)
	if err != nil {
		t.Fatal(err)
	}
	got, pages := 0, 0
	for cursor := ""; ; pages++ {
		p, err := tn.client.Flows(ctx, api.FlowsRequest{Filter: filter, Limit: 1000, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		got += len(p.Flows)
		if p.NextCursor == "" {
			break
		}
		cursor = p.NextCursor
	}
	if got != 16 || pages < 2 {
		t.Fatalf("%d flows in %d pages; want 16 over several bounded pages", got, pages+1)
	}
	top, err := tn.client.Flows(ctx, api.FlowsRequest{Sort: api.SortAge, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if !top.Partial || len(top.Flows) != 10 {
		t.Fatalf("bounded top-N: %d flows, partial %v", len(top.Flows), top.Partial)
	}
}

// TestServeAPISocketAndIdleConnections: the node serves its API through
// control/api's server on a socket of mode 0660, with /metrics also on the
// optional TCP listener (loopback for a bare port), and that server closes
// an idle keep-alive connection; stopping removes the socket and releases
// its lock.
func TestServeAPISocketAndIdleConnections(t *testing.T) {
	tn := newTestNode(t, testState(), 1024)
	n := tn.Node
	n.cfg.API.Socket = filepath.Join(t.TempDir(), "node.sock")
	n.cfg.Metrics.Listen = "0"
	if err := n.cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	runDir := t.TempDir()
	var err error
	if n.locks, err = acquireLocks(runDir, &n.cfg); err != nil {
		t.Fatal(err)
	}
	n.serverOptions = api.ServerOptions{IdleTimeout: 100 * time.Millisecond}
	if err := n.serveAPI(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(n.cfg.API.Socket)
	if err != nil || fi.Mode().Perm() != api.SocketMode {
		t.Fatalf("socket %v %v, want mode %v", fi, err, api.SocketMode)
	}
	c, err := net.Dial("unix", n.cfg.API.Socket)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "GET /info HTTP/1.1\r\nHost: node\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /info: %v %v", resp, err)
	}
	io.Copy(io.Discard, resp.Body)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("idle keep-alive connection: read %d, %v; want the server to close it", n, err)
	}
	addr := n.metricsSrv.Addr().String()
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Errorf("metrics.listen %q listens on %s, want loopback", n.cfg.Metrics.Listen, addr)
	}
	mresp, err := http.Get("http://" + addr + api.PathMetrics)
	if err != nil || mresp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics on %s: %v %v", addr, mresp, err)
	}
	body, _ := io.ReadAll(mresp.Body)
	mresp.Body.Close()
	if !strings.Contains(string(body), "gwlb_active_flows{") {
		t.Errorf("/metrics lacks gwlb_active_flows:\n%s", body)
	}
	n.Stop() // the workers are the harness's: Close is for a node Start made
	if _, err := os.Lstat(n.cfg.API.Socket); err == nil {
		t.Error("the socket outlived the node")
	}
	n.locks.release() // what Close does after the ports are closed
	again, err := acquireLocks(runDir, &n.cfg)
	if err != nil {
		t.Fatalf("a lock outlived the node: %v", err)
	}
	again.release()
}
