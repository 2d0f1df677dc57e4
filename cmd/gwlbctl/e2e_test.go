//go:build e2e

package main

// End-to-end test of the product's main job: client and server namespaces
// on one subnet joined only through `gwlbctl serve`'s bump endpoint, two
// appliance namespaces running `gwlbctl appliance`, everything provisioned
// with gwlbctl's own CLI. Run as root:
//
//	go test -tags e2e ./cmd/gwlbctl/...

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control/api"
)

func TestMain(m *testing.M) {
	if h := os.Getenv(helperEnv); h != "" {
		os.Exit(runHelper(h, os.Args[1:]))
	}
	os.Exit(m.Run())
}

// e2e holds one run's binary, topology, state and processes.
type e2e struct {
	t        *testing.T
	bin      string
	dir      string
	state    string
	tp       *topology
	ids      provisioned
	serve    *exec.Cmd
	serveLog string
	stats    string
	apps     [2]*exec.Cmd
	appStats [2]string // appliance stats URLs (inside their namespaces)
	probes   int       // newFlowsOn calls so far: each probes a port of its own
}

type provisioned struct {
	lbArn, tgArn, serviceID, serviceName, endpointID string
}

func requireRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("end-to-end tests need root (network namespaces, DPDK, hugepages)")
	}
	for _, bin := range []string{"ip", "ping"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatalf("%s not found: run `make deps`", bin)
		}
	}
}

// buildBinary compiles gwlbctl into the test's temporary directory.
func buildBinary(t testing.TB, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "gwlbctl")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = os.Environ()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// cli runs a gwlbctl control-plane command against the run's state file
// and returns its trimmed stdout.
func (e *e2e) cli(args ...string) string {
	e.t.Helper()
	cmd := exec.Command(e.bin, append([]string{"--state", e.state}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		e.t.Fatalf("gwlbctl %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

func TestEndToEnd(t *testing.T) {
	requireRoot(t)
	began := time.Now()
	dir := t.TempDir()
	e := &e2e{t: t, dir: dir, state: filepath.Join(dir, "state.json"), tp: newTopology()}
	e.bin = buildBinary(t, dir)
	before := dpdkRunDirs()
	e.tp.up(t)
	e.provision()
	e.startAppliances()
	e.startServe(e.writeNodeConfig())

	// 1. The endpoint waits for acceptance: nothing passes, drops counted.
	t.Run("PendingAcceptancePassesNothing", func(t *testing.T) {
		if err := e.ping(e.tp.client, false, serverIP4, 2); err == nil {
			t.Fatal("ping crossed an endpoint in pendingAcceptance")
		}
		s := e.freshStats()
		if s.Endpoints[0].State != "pendingAcceptance" || s.Totals.Drops["endpoint_not_available"] == 0 {
			t.Fatalf("endpoint %+v drops %v", s.Endpoints, s.Totals.Drops)
		}
		if s.Totals.EncapPackets != 0 {
			t.Fatalf("%d packets encapsulated for a pending endpoint", s.Totals.EncapPackets)
		}
	})

	// 2. Accepting it takes effect without restarting serve.
	t.Run("AcceptWithoutRestart", func(t *testing.T) {
		pid := e.serve.Process.Pid
		d := e.changeState("ec2", "accept-vpc-endpoint-connections", "--service-id", e.ids.serviceID, "--vpc-endpoint-ids", e.ids.endpointID)
		t.Logf("accept applied by serve %v after the state file changed", d.Round(time.Millisecond))
		e.waitFor(3*time.Second, "endpoint available in serve's stats", func() bool {
			s := e.serveStats()
			return len(s.Endpoints) == 1 && s.Endpoints[0].State == "available"
		})
		var err error
		for i := 0; i < 10; i++ { // the first packets wait for ARP of the targets
			if err = e.ping(e.tp.client, false, serverIP4, 1); err == nil {
				break
			}
		}
		if err != nil {
			t.Fatalf("ping after accept: %v", err)
		}
		if e.serve.Process.Pid != pid || e.serve.ProcessState != nil {
			t.Fatal("serve restarted")
		}
	})

	t.Run("PingIPv4AndIPv6", func(t *testing.T) {
		if err := e.ping(e.tp.client, false, serverIP4, 3); err != nil {
			t.Errorf("client -> server IPv4: %v", err)
		}
		if err := e.ping(e.tp.server, false, clientIP4, 3); err != nil {
			t.Errorf("server -> client IPv4: %v", err)
		}
		if err := e.ping(e.tp.client, true, serverIP6, 3); err != nil {
			t.Errorf("client -> server IPv6: %v", err)
		}
		if err := e.ping(e.tp.server, true, clientIP6, 3); err != nil {
			t.Errorf("server -> client IPv6: %v", err)
		}
		// The node itself answers on the appliance network through its
		// exception TAP (the kernel answers ARP and ping).
		if err := e.ping(e.tp.app1, false, nodeIP, 2); err != nil {
			t.Errorf("appliance -> node %s: %v", nodeIP, err)
		}
	})

	t.Run("TCPTransfer10MB", func(t *testing.T) {
		for _, dir := range []struct{ from, to, addr string }{
			{e.tp.client, e.tp.server, serverIP4 + ":5001"},
			{e.tp.server, e.tp.client, "[" + clientIP6 + "]:5002"},
		} {
			srv := startHelper(t, dir.to, "tcp-echo", dir.addr)
			out := runHelperIn(t, dir.from, "tcp-send", dir.addr, fmt.Sprint(10<<20), "42")
			if err := srv.wait(30 * time.Second); err != nil {
				t.Fatalf("tcp-echo: %v", err)
			}
			r := parseEcho(out, srv.output())
			if !r.ok(10 << 20) {
				t.Fatalf("%s -> %s: %v", dir.from, dir.to, r)
			}
			t.Logf("%s: 10 MiB each way, sha256 %s… verified at both ends", dir.addr, r.sent[:16])
		}
	})

	// UDP both ways over many flows; every flow's two directions crossed
	// one appliance, and the flows spread over both.
	t.Run("UDPFlowsSymmetricAndSpread", func(t *testing.T) {
		before := e.applianceFlows()
		srv := startHelper(t, e.tp.server, "udp-echo", serverIP4+":7000")
		defer srv.stop()
		res := e.udpProbe(e.tp.client, serverIP4+":7000", 32, 3)
		for _, r := range res {
			if r.Echoed != r.Sent {
				t.Errorf("flow %s: %d sent, %d echoed", r.Local, r.Sent, r.Echoed)
			}
		}
		cli := startHelper(t, e.tp.client, "udp-echo", "["+clientIP6+"]:7001")
		defer cli.stop()
		for _, r := range e.udpProbe(e.tp.server, "["+clientIP6+"]:7001", 8, 3) {
			if r.Echoed != r.Sent {
				t.Errorf("flow %s (server -> client, IPv6): %d sent, %d echoed", r.Local, r.Sent, r.Echoed)
			}
		}
		after := e.applianceFlows()
		per := [2]int{}
		for _, r := range res {
			src := netip.MustParseAddrPort(r.Local)
			seen := -1
			for i := range after {
				f, ok := after[i].since(before[i], src, netip.MustParseAddrPort(serverIP4+":7000"))
				if !ok {
					continue
				}
				if seen >= 0 {
					t.Errorf("flow %s crossed both appliances", r.Local)
				}
				seen = i
				if f.forward < 3 || f.reverse < 3 {
					t.Errorf("flow %s on appliance %d: %d forward, %d reverse packets; want both directions (3 each)", r.Local, i+1, f.forward, f.reverse)
				}
			}
			if seen < 0 {
				t.Errorf("flow %s crossed no appliance", r.Local)
				continue
			}
			per[seen]++
		}
		t.Logf("32 UDP flows: %d on appliance 1, %d on appliance 2", per[0], per[1])
		// serve's own flow table (local API) agrees with the appliances.
		flows := e.serveFlows()
		for _, r := range res {
			var target string
			for _, f := range flows {
				if f.Src.String() == r.Local && f.Dst.String() == serverIP4+":7000" {
					target = f.TargetIP.String()
					if f.Endpoint != e.ids.endpointID || f.Target != target || f.Packets != [2]uint64{3, 3} || f.Proto != 17 {
						t.Errorf("flow %s in serve's listing: %+v; want endpoint %s, its target's id and 3 packets each way", r.Local, f, e.ids.endpointID)
					}
				}
			}
			src := netip.MustParseAddrPort(r.Local)
			_, on1 := after[0].since(before[0], src, netip.MustParseAddrPort(serverIP4+":7000"))
			if want := map[bool]string{true: appliance1, false: appliance2}[on1]; target != want {
				t.Errorf("flow %s: serve's flow table says target %q, the appliances saw it on %s", r.Local, target, want)
			}
		}
		if per[0] == 0 || per[1] == 0 {
			t.Errorf("flows did not spread over both appliances: %v", per)
		}
	})

	// The API answers about the flows the test made: top-N, filters, the
	// target a flow gets, and Prometheus metrics that parse.
	t.Run("APIFlowsLookupMetrics", func(t *testing.T) { e.apiFlows(t) })

	t.Run("ApplianceDropRule", func(t *testing.T) {
		srv := startHelper(t, e.tp.server, "udp-echo", serverIP4+":7777")
		defer srv.stop()
		blocked := e.udpProbe(e.tp.client, serverIP4+":7777", 4, 3)
		for _, r := range blocked {
			if r.Echoed != 0 {
				t.Errorf("UDP to port 7777 (dropped by rule) came back: %+v", r)
			}
		}
		srv2 := startHelper(t, e.tp.server, "udp-echo", serverIP4+":7778")
		defer srv2.stop()
		for _, r := range e.udpProbe(e.tp.client, serverIP4+":7778", 4, 3) {
			if r.Echoed != r.Sent {
				t.Errorf("UDP to port 7778 (no rule) lost: %+v", r)
			}
		}
		tcp := startHelper(t, e.tp.server, "tcp-echo", serverIP4+":7777")
		out := runHelperIn(t, e.tp.client, "tcp-send", serverIP4+":7777", "100000", "7")
		if err := tcp.wait(10 * time.Second); err != nil || !strings.Contains(out, "echoed 100000") {
			t.Errorf("TCP to port 7777 (rule is udp only) failed: %v %s", err, out)
		}
	})

	t.Run("SpoofedReturnsDropped", func(t *testing.T) { e.spoofedReturns(t) })

	t.Run("RandomFramesDoNotCrash", func(t *testing.T) {
		for _, p := range []struct{ ns, dev string }{{e.tp.client, "c0"}, {e.tp.server, "s0"}, {e.tp.app1, "e0"}} {
			out := runHelperIn(t, p.ns, "raw-frames", p.dev, "3000", fmt.Sprint(rand.Uint64()))
			t.Logf("%s/%s: %s", p.ns, p.dev, strings.TrimSpace(out))
		}
		// Wait for the flood to be through: serve's counters and the
		// appliances' receive counters stand still (a busy machine may
		// take a while to drain the sockets and rings it filled).
		quiet := func() string {
			s := e.freshStats()
			a := e.applianceFlows()
			var drops uint64
			for _, v := range s.Totals.Drops {
				drops += v
			}
			return fmt.Sprint(s.Totals.EncapPackets, s.Totals.DecapPackets, drops, a[0].Received, a[1].Received)
		}
		last := quiet()
		e.waitFor(30*time.Second, "the random frames to be through serve and the appliances", func() bool {
			now := quiet()
			defer func() { last = now }()
			return now == last
		})
		if e.serve.ProcessState != nil {
			t.Fatal("serve exited after random frames")
		}
		s0 := e.freshStats()
		if err := e.ping(e.tp.client, false, serverIP4, 2); err != nil {
			// Say what became of the pings before failing.
			s1 := e.freshStats()
			d := map[string]uint64{}
			for k, v := range s1.Totals.Drops {
				if v > s0.Totals.Drops[k] {
					d[k] = v - s0.Totals.Drops[k]
				}
			}
			f, _ := api.ParseFlowFilter("proto=icmp dst=" + serverIP4)
			p, _ := e.api().Flows(context.Background(), api.FlowsRequest{Filter: f})
			later := e.ping(e.tp.client, false, serverIP4, 2)
			t.Fatalf("ping after random frames: %v\nduring the ping: encap +%d, decap +%d, drops +%v; ICMP flows %+v; a ping a second later: %v",
				err, s1.Totals.EncapPackets-s0.Totals.EncapPackets, s1.Totals.DecapPackets-s0.Totals.DecapPackets, d, p, later)
		}
		s := e.freshStats()
		t.Logf("drops after random frames: %v", s.Totals.Drops)
	})

	// An attribute change is applied live; established flows go on.
	t.Run("AttributeChangeKeepsFlows", func(t *testing.T) {
		udpSrv := startHelper(t, e.tp.server, "udp-echo", serverIP4+":7050")
		defer udpSrv.stop()
		hold := startHold(t, e.tp.client, serverIP4+":7050", 8)
		hold.round()
		d := e.changeState("elbv2", "modify-load-balancer-attributes", "--load-balancer-arn", e.ids.lbArn,
			"--attributes", "Key=load_balancing.cross_zone.enabled,Value=true")
		if !strings.Contains(readFile(e.serveLog), "cross_zone=true") {
			t.Fatal("serve's published config does not show cross-zone on")
		}
		t.Logf("cross-zone on applied by serve %v after the state file changed", d.Round(time.Millisecond))
		for _, r := range hold.round() {
			if r.Echoed != 2 {
				t.Errorf("flow %s across the attribute change: %+v", r.Local, r)
			}
		}
	})

	// Deregistering a target: serve reloads within a second, established
	// flows (on either appliance) keep flowing on their target (the
	// default no_rebalance keeps them on the draining one), and new flows
	// avoid it.
	t.Run("DeregisterKeepsFlowsNewFlowsAvoidTarget", func(t *testing.T) {
		udpSrv := startHelper(t, e.tp.server, "udp-echo", serverIP4+":7100")
		defer udpSrv.stop()
		dst := netip.MustParseAddrPort(serverIP4 + ":7100")
		hold := startHold(t, e.tp.client, dst.String(), 16)
		r0 := hold.round()
		apps0 := e.applianceFlows()
		onApp2 := 0
		for _, r := range r0 {
			if r.Echoed != 1 {
				t.Fatalf("held flow %s before the change: %+v", r.Local, r)
			}
			if _, ok := apps0[1].find(netip.MustParseAddrPort(r.Local), dst); ok {
				onApp2++
			}
		}
		if onApp2 == 0 {
			t.Fatalf("none of 16 held flows is on appliance 2; cannot show draining")
		}

		d := e.changeState("elbv2", "deregister-targets", "--target-group-arn", e.ids.tgArn, "--targets", "Id="+appliance2)
		t.Logf("deregistration applied by serve %v after the state file changed", d.Round(time.Millisecond))
		e.waitFor(3*time.Second, "target draining in serve's stats", func() bool {
			for _, tg := range e.serveStats().Targets {
				if tg.IP == appliance2 && tg.State == "draining" {
					return true
				}
			}
			return false
		})

		r1 := hold.round()
		apps1 := e.applianceFlows()
		for i, r := range r1 {
			if r.Echoed != 2 {
				t.Errorf("established flow %s lost a packet across the reload: %+v", r.Local, r)
			}
			src := netip.MustParseAddrPort(r.Local)
			f0, was2 := apps0[1].find(src, dst)
			f1, _ := apps1[1].find(src, dst)
			if was2 && f1.forward <= f0.forward {
				t.Errorf("established flow %s left its draining appliance (no_rebalance keeps it)", r0[i].Local)
			}
		}
		t.Logf("%d of 16 established flows on the draining appliance kept flowing", onApp2)

		res := e.udpProbe(e.tp.client, dst.String(), 24, 2)
		after := e.applianceFlows()
		for _, r := range res {
			src := netip.MustParseAddrPort(r.Local)
			if _, ok := after[1].find(src, dst); ok {
				t.Errorf("new flow %s went to the deregistered appliance", r.Local)
			}
			if _, ok := after[0].find(src, dst); !ok || r.Echoed != r.Sent {
				t.Errorf("new flow %s: on appliance 1 %v, %d/%d echoed", r.Local, ok, r.Echoed, r.Sent)
			}
		}
	})

	// Appliances that route, as firewalls do, return no neighbour
	// discovery: IPv6 works through them only because serve bridges it on
	// the wire. The neighbour caches are flushed first, so the pings need
	// fresh solicitations.
	// The event cursor delivers the endpoint's acceptance and the
	// deregistration.
	t.Run("APIEvents", func(t *testing.T) { e.apiEvents(t) })

	t.Run("IPv6ThroughRoutingAppliance", func(t *testing.T) {
		e.stopAppliances()
		e.startAppliances("--route")
		for _, h := range []struct{ ns, dev string }{{e.tp.client, "c0"}, {e.tp.server, "s0"}} {
			ipn(t, h.ns, "-6", "neigh", "flush", "dev", h.dev)
			ipn(t, h.ns, "-4", "neigh", "flush", "dev", h.dev)
		}
		s0 := e.freshStats()
		apps0 := e.applianceFlows()
		for _, p := range []struct {
			from, to, dst string
			v6            bool
		}{
			{e.tp.client, "server", serverIP6, true}, {e.tp.server, "client", clientIP6, true},
			{e.tp.client, "server", serverIP4, false}, {e.tp.server, "client", clientIP4, false},
		} {
			if err := e.ping(p.from, p.v6, p.dst, 3); err != nil {
				t.Errorf("ping %s (IPv6 %v) through routing appliances: %v", p.to, p.v6, err)
			}
		}
		s1 := e.freshStats()
		apps1 := e.applianceFlows()
		if d := s1.Totals.BridgedND - s0.Totals.BridgedND; d == 0 {
			t.Errorf("no neighbour discovery bridged after flushing the neighbour caches (bridged_nd_packets %d)", s1.Totals.BridgedND)
		}
		var returned, nd uint64
		for i := range apps1 {
			if !apps1[i].Route {
				t.Errorf("appliance %d does not report route mode", i+1)
			}
			returned += apps1[i].Returned - apps0[i].Returned
			nd += apps1[i].Drops["neighbor_discovery"]
		}
		if returned < 24 || nd != 0 {
			t.Errorf("routing appliances returned %d packets (want the 12 echo requests and 12 replies at least) and saw %d neighbour discovery packets (want 0: bridged)", returned, nd)
		}
		t.Logf("through routing appliances: %d packets returned, %d neighbour discovery messages bridged by serve",
			returned, s1.Totals.BridgedND-s0.Totals.BridgedND)
	})

	// A second serve on the same ports or the same API socket is refused,
	// naming the first one's pid, and the first goes on forwarding.
	t.Run("SecondServeRefused", func(t *testing.T) { e.secondServe(t) })

	t.Run("SIGTERMStopsCleanly", func(t *testing.T) {
		e.serve.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- e.serve.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("serve exit: %v\n%s", err, tail(readFile(e.serveLog), 20))
			}
		case <-time.After(15 * time.Second):
			t.Fatal("serve did not stop within 15 s of SIGTERM")
		}
		if !strings.Contains(readFile(e.serveLog), "node: final stats") {
			t.Error("no final stats line")
		}
		for d := range dpdkRunDirs() {
			if !before[d] {
				t.Errorf("/var/run/dpdk/%s left behind", d)
			}
		}
	})
	// An appliance network of 1500 bytes cannot carry a 1500-byte inner
	// packet and 68 bytes of Geneve: serve reads the port's MTU and drops
	// such packets as too_big, counted, instead of losing them on the wire.
	t.Run("ApplianceMTUCountsTooBig", func(t *testing.T) { e.applianceMTU(t) })
	t.Logf("end-to-end run took %v", time.Since(began).Round(time.Second))
}
