//go:build e2e

package main

// End-to-end test of several forwarding workers: the topology of
// TestEndToEnd, serve with two worker lcores (sharing a CPU where the
// machine has two) and two queue pairs on every net_af_packet port. The
// kernel's fanout spreads each port's packets over both queues by its own
// hash, which no worker can predict: every return and endpoint packet that
// lands on the queue of the worker not owning its flow must be handed to
// the owner (or, behind a full inbox, counted as refused), never given a
// second flow.

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control/api"
)

// writeWorkersConfig writes a node config with two workers.
func (e *e2e) writeWorkersConfig() string {
	e.stats = filepath.Join(e.dir, "serve-stats.json")
	cpu1 := "1"
	if runtime.NumCPU() < 2 {
		cpu1 = "0"
	}
	cfg := fmt.Sprintf(`# gwlbctl serve node config for the two-worker end-to-end test
load-balancer: %s
availability-zone: us-east-1a
state: %s
eal:
  args: ["--lcores", "0@0,1@%s,2@%s", "--main-lcore", "0", "--in-memory", "--no-pci"]
appliance:
  device: net_af_packet0,iface=app,qpairs=2
  address: %s/24
  tap: gwlb0
endpoints:
  - id: %s
    mode: bump
    side-a: net_af_packet1,iface=epa,qpairs=2
    side-b: net_af_packet2,iface=epb,qpairs=2
flows:
  capacity: 65536
stats:
  interval: 5s
  file: %s
api:
  socket: %s
`, e.ids.lbArn, e.state, cpu1, cpu1, nodeIP, e.ids.endpointID, e.stats, e.socket())
	p := filepath.Join(e.dir, "node.yaml")
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// flowKey names a flow whatever its orientation.
type flowKey struct {
	endpoint string
	proto    uint8
	lo, hi   netip.AddrPort
}

func keyOf(endpoint string, proto uint8, a, b netip.AddrPort) flowKey {
	if b.Addr().Less(a.Addr()) || (a.Addr() == b.Addr() && b.Port() < a.Port()) {
		a, b = b, a
	}
	return flowKey{endpoint, proto, a, b}
}

func TestEndToEndTwoWorkers(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	e := &e2e{t: t, dir: dir, state: filepath.Join(dir, "state.json"), tp: newTopology()}
	e.bin = buildBinary(t, dir)
	e.tp.up(t)
	e.provision()
	e.cli("ec2", "accept-vpc-endpoint-connections", "--service-id", e.ids.serviceID, "--vpc-endpoint-ids", e.ids.endpointID)
	e.startAppliances()
	e.startServe(e.writeWorkersConfig())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	info, err := e.api().Info(ctx)
	if err != nil || len(info.Workers) != 2 {
		t.Fatalf("serve runs %+v (%v); want two workers", info, err)
	}
	var perr error
	for i := 0; i < 10; i++ { // the first packets wait for ARP of the targets
		if perr = e.ping(e.tp.client, false, serverIP4, 1); perr == nil {
			break
		}
	}
	if perr != nil {
		t.Fatalf("ping: %v", perr)
	}
	before := e.applianceFlows()

	// Many UDP flows both ways, IPv4 and IPv6.
	srv := startHelper(t, e.tp.server, "udp-echo", serverIP4+":7000")
	defer srv.stop()
	udp4 := e.udpProbe(e.tp.client, serverIP4+":7000", 64, 3)
	cli := startHelper(t, e.tp.client, "udp-echo", "["+clientIP6+"]:7001")
	defer cli.stop()
	udp6 := e.udpProbe(e.tp.server, "["+clientIP6+"]:7001", 16, 3)
	for _, r := range append(append([]probeResult(nil), udp4...), udp6...) {
		if r.Echoed != r.Sent {
			t.Errorf("UDP flow %s: %d sent, %d echoed", r.Local, r.Sent, r.Echoed)
		}
	}

	// TCP: a 10 MiB transfer each way, checksummed at both ends, and a
	// dozen short connections.
	for _, d := range []struct{ from, to, addr string }{
		{e.tp.client, e.tp.server, serverIP4 + ":5001"},
		{e.tp.server, e.tp.client, "[" + clientIP6 + "]:5002"},
	} {
		echo := startHelper(t, d.to, "tcp-echo", d.addr)
		out := runHelperIn(t, d.from, "tcp-send", d.addr, fmt.Sprint(10<<20), "42")
		if err := echo.wait(60 * time.Second); err != nil {
			t.Fatalf("tcp-echo: %v", err)
		}
		r := parseEcho(out, echo.output())
		if !r.ok(10 << 20) {
			t.Fatalf("%s: %v", d.addr, r)
		}
		t.Logf("%s: 10 MiB each way through two workers, sha256 %s… verified at both ends", d.addr, r.sent[:16])
	}
	var tcpFlows []netip.AddrPort
	for i := 0; i < 12; i++ {
		addr := fmt.Sprintf("%s:%d", serverIP4, 5100+i)
		echo := startHelper(t, e.tp.server, "tcp-echo", addr)
		out := runHelperIn(t, e.tp.client, "tcp-send", addr, "65536", fmt.Sprint(i))
		if err := echo.wait(30 * time.Second); err != nil || !strings.Contains(out, "echoed 65536") {
			t.Fatalf("TCP connection %d: %v %s", i, err, out)
		}
		tcpFlows = append(tcpFlows, netip.MustParseAddrPort(addr))
	}

	// Every UDP flow's two directions crossed one appliance.
	after := e.applianceFlows()
	for _, r := range udp4 {
		src, dst := netip.MustParseAddrPort(r.Local), netip.MustParseAddrPort(serverIP4+":7000")
		seen := 0
		for i := range after {
			if f, ok := after[i].find(src, dst); ok {
				seen++
				fb, _ := before[i].find(src, dst)
				if f.forward-fb.forward < 3 || f.reverse-fb.reverse < 3 {
					t.Errorf("flow %s on appliance %d: %d forward, %d reverse; want 3 each", r.Local, i+1, f.forward-fb.forward, f.reverse-fb.reverse)
				}
			}
		}
		if seen != 1 {
			t.Errorf("UDP flow %s crossed %d appliances, want 1", r.Local, seen)
		}
	}

	// serve's flow listing: every flow once, in one worker's table, and
	// both workers own flows.
	flows, count := e.oneTablePerFlow(t)
	expect := func(proto uint8, a, b netip.AddrPort) {
		k := keyOf(e.ids.endpointID, proto, a, b)
		if count[k] == 0 {
			t.Errorf("flow %v missing from serve's listing", k)
		}
	}
	for _, r := range udp4 {
		expect(17, netip.MustParseAddrPort(r.Local), netip.MustParseAddrPort(serverIP4+":7000"))
	}
	for _, r := range udp6 {
		expect(17, netip.MustParseAddrPort(r.Local), netip.MustParseAddrPort("["+clientIP6+"]:7001"))
	}
	for _, addr := range tcpFlows {
		n := 0
		for _, f := range flows {
			if f.Proto == 6 && (f.Dst == addr || f.Src == addr) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("TCP connection to %s: %d flows listed, want 1", addr, n)
		}
	}

	e.handoffsAccounted(t, ctx, uint64(len(count)))
}

// oneTablePerFlow lists serve's flows and checks that each is in one
// worker's table and that both workers own flows; it returns the listing
// and how many times each flow is listed.
func (e *e2e) oneTablePerFlow(t *testing.T) ([]api.Flow, map[flowKey]int) {
	t.Helper()
	flows := e.serveFlows()
	count := map[flowKey]int{}
	perWorker := [2]int{}
	for _, f := range flows {
		k := keyOf(f.Endpoint, f.Proto, f.Src, f.Dst)
		count[k]++
		if f.Worker < 0 || f.Worker > 1 {
			t.Errorf("flow %+v on worker %d", f, f.Worker)
			continue
		}
		perWorker[f.Worker]++
	}
	for k, n := range count {
		if n != 1 {
			t.Errorf("flow %v listed %d times (workers: a flow must be in one table)", k, n)
		}
	}
	t.Logf("%d flows listed: %d on worker 0, %d on worker 1", len(flows), perWorker[0], perWorker[1])
	if perWorker[0] == 0 || perWorker[1] == 0 {
		t.Errorf("flows per worker %v: both workers must own flows", perWorker)
	}
	return flows, count
}

// handoffsAccounted checks serve's counters once they include newFlows
// flows: no return dropped, no packet without its flow; hand-offs
// happened, and every one is accounted for: taken from the peer's inbox,
// or refused by a full inbox and counted. Refusals are not failures: the
// two workers busy-poll one CPU here, so one runs while the other waits
// for the scheduler and its inbox (4096 mbufs) can fill during a bulk
// transfer, as a worker's does behind an overloaded peer; TCP retransmits
// what was refused, and the transfers verified every byte.
func (e *e2e) handoffsAccounted(t *testing.T, ctx context.Context, newFlows uint64) {
	t.Helper()
	var st *api.Stats
	var handed, taken, refused uint64
	settled := func() bool {
		var err error
		if st, err = e.api().Stats(ctx); err != nil || st.Totals.NewFlows < newFlows {
			return false
		}
		handed, taken, refused = st.Totals.HandedOffPackets, 0, 0
		for _, w := range st.Workers {
			taken += w.HandoffIn
			refused += w.HandoffOut.Unsent
		}
		return taken+refused == handed
	}
	e.waitFor(10*time.Second, "workers' counters to include the test's flows and settle", settled)
	if !settled() {
		t.Errorf("hand-offs: %d by the engine, %d taken from inboxes, %d refused by a full inbox: %d unaccounted for",
			handed, taken, refused, int64(handed)-int64(taken+refused))
	}
	for _, r := range []string{"unknown_cookie", "no_flow", "wrong_source", "flow_mismatch", "endpoint_mismatch", "table_full"} {
		if n := st.Totals.Drops[r]; n != 0 {
			t.Errorf("%d packets dropped as %s", n, r)
		}
	}
	if handed == 0 {
		t.Errorf("no packet handed off: the test did not exercise the hand-off")
	}
	for _, w := range st.Workers {
		if w.Rx == 0 {
			t.Errorf("worker %d received nothing from its queues", w.ID)
		}
	}
	t.Logf("handed off: %d packets (engine), %d taken from inboxes, %d refused by a full inbox; workers rx %d, %d",
		handed, taken, refused, st.Workers[0].Rx, st.Workers[1].Rx)
}
