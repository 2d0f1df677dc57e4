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
	"encoding/hex"
	"encoding/json"
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

// provision creates, the way AWS's getting-started guide does with the AWS
// CLI: a provider VPC with the load balancer and the appliances, a target
// group with both appliances, a listener, an endpoint service that needs
// acceptance, and a consumer VPC with one Gateway Load Balancer endpoint
// (left pendingAcceptance).
func (e *e2e) provision() {
	name := "gwe-" + e.tp.suffix
	vpc := e.cli("ec2", "create-vpc", "--cidr-block", "198.19.0.0/16", "--query", "Vpc.VpcId", "--output", "text")
	subnet := e.cli("ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "198.19.0.0/24", "--availability-zone", "us-east-1a",
		"--query", "Subnet.SubnetId", "--output", "text")
	e.ids.lbArn = e.cli("elbv2", "create-load-balancer", "--name", name, "--type", "gateway", "--subnets", subnet,
		"--query", "LoadBalancers[0].LoadBalancerArn", "--output", "text")
	e.ids.tgArn = e.cli("elbv2", "create-target-group", "--name", name, "--protocol", "GENEVE", "--port", "6081",
		"--vpc-id", vpc, "--target-type", "ip", "--health-check-protocol", "TCP", "--health-check-port", "80",
		"--query", "TargetGroups[0].TargetGroupArn", "--output", "text")
	e.cli("elbv2", "modify-target-group-attributes", "--target-group-arn", e.ids.tgArn,
		"--attributes", "Key=deregistration_delay.timeout_seconds,Value=60")
	e.cli("elbv2", "register-targets", "--target-group-arn", e.ids.tgArn, "--targets", "Id="+appliance1, "Id="+appliance2)
	e.cli("elbv2", "create-listener", "--load-balancer-arn", e.ids.lbArn,
		"--default-actions", "Type=forward,TargetGroupArn="+e.ids.tgArn)
	e.ids.serviceID = e.cli("ec2", "create-vpc-endpoint-service-configuration", "--gateway-load-balancer-arns", e.ids.lbArn,
		"--acceptance-required", "--query", "ServiceConfiguration.ServiceId", "--output", "text")
	e.ids.serviceName = e.cli("ec2", "describe-vpc-endpoint-service-configurations", "--service-ids", e.ids.serviceID,
		"--query", "ServiceConfigurations[0].ServiceName", "--output", "text")
	cvpc := e.cli("ec2", "create-vpc", "--cidr-block", "198.18.0.0/16", "--query", "Vpc.VpcId", "--output", "text")
	csub := e.cli("ec2", "create-subnet", "--vpc-id", cvpc, "--cidr-block", "198.18.0.0/24", "--availability-zone", "us-east-1a",
		"--query", "Subnet.SubnetId", "--output", "text")
	e.ids.endpointID = e.cli("ec2", "create-vpc-endpoint", "--vpc-endpoint-type", "GatewayLoadBalancer",
		"--service-name", e.ids.serviceName, "--vpc-id", cvpc, "--subnet-ids", csub,
		"--query", "VpcEndpoint.VpcEndpointId", "--output", "text")
	if st := e.cli("ec2", "describe-vpc-endpoints", "--vpc-endpoint-ids", e.ids.endpointID,
		"--query", "VpcEndpoints[0].State", "--output", "text"); st != "pendingAcceptance" {
		e.t.Fatalf("new endpoint is %q, want pendingAcceptance", st)
	}
}

// startAppliances runs `gwlbctl appliance` in both appliance namespaces,
// each dropping UDP to port 7777 (the drop-rule check), with the extra
// flags given.
func (e *e2e) startAppliances(extra ...string) {
	for i, a := range []struct{ ns, ip string }{{e.tp.app1, appliance1}, {e.tp.app2, appliance2}} {
		logf := filepath.Join(e.dir, fmt.Sprintf("appliance%d%s.log", i+1, strings.Join(extra, "")))
		f, err := os.Create(logf)
		if err != nil {
			e.t.Fatal(err)
		}
		args := []string{"netns", "exec", a.ns, e.bin, "appliance",
			"--listen", a.ip + ":6081", "--health-tcp", a.ip + ":80", "--http", a.ip + ":8080", "--drop", "udp:7777"}
		cmd := exec.Command("ip", append(args, extra...)...)
		cmd.Stdout, cmd.Stderr = f, f
		if err := cmd.Start(); err != nil {
			e.t.Fatal(err)
		}
		e.apps[i] = cmd
		e.appStats[i] = "http://" + a.ip + ":8080/stats?flows=-1"
		e.t.Cleanup(func() {
			if cmd.ProcessState == nil {
				cmd.Process.Kill()
				cmd.Wait()
			}
			f.Close()
			if e.t.Failed() {
				b, _ := os.ReadFile(logf)
				e.t.Logf("appliance %d log:\n%s", i+1, tail(string(b), 30))
			}
		})
	}
	for _, ns := range []string{e.tp.app1, e.tp.app2} {
		e.waitFor(10*time.Second, "appliance listening in "+ns, func() bool {
			out, _ := inNS(ns, "ss", "-lun")
			return strings.Contains(out, ":6081")
		})
	}
}

// stopAppliances stops both appliances (SIGTERM, then waits for each).
func (e *e2e) stopAppliances() {
	e.t.Helper()
	for i, cmd := range e.apps {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			e.t.Fatalf("appliance %d did not stop within 10 s of SIGTERM", i+1)
		}
	}
	for _, ns := range []string{e.tp.app1, e.tp.app2} {
		e.waitFor(10*time.Second, "appliance gone in "+ns, func() bool {
			out, _ := inNS(ns, "ss", "-lun")
			return !strings.Contains(out, ":6081")
		})
	}
}

// writeNodeConfig writes the node config serve reads.
func (e *e2e) writeNodeConfig() string {
	e.stats = filepath.Join(e.dir, "serve-stats.json")
	cfg := fmt.Sprintf(`# gwlbctl serve node config for the end-to-end test
load-balancer: %s
availability-zone: us-east-1a
state: %s
eal:
  args: ["-l", "0,1", "--main-lcore", "0", "--in-memory", "--no-pci"]
appliance:
  device: net_af_packet0,iface=app
  address: %s/24
  tap: gwlb0
endpoints:
  - id: %s
    mode: bump
    side-a: net_af_packet1,iface=epa
    side-b: net_af_packet2,iface=epb
flows:
  capacity: 65536
stats:
  interval: 5s
  file: %s
api:
  socket: %s
`, e.ids.lbArn, e.state, nodeIP, e.ids.endpointID, e.stats, e.socket())
	p := filepath.Join(e.dir, "node.yaml")
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// startServe runs gwlbctl serve in the node namespace and waits until it
// forwards.
func (e *e2e) startServe(nodeConfig string) {
	e.serveLog = filepath.Join(e.dir, "serve.log")
	if e.serve != nil { // a restart: keep the earlier log
		e.serveLog = filepath.Join(e.dir, fmt.Sprintf("serve-%d.log", time.Now().UnixNano()))
	}
	f, err := os.Create(e.serveLog)
	if err != nil {
		e.t.Fatal(err)
	}
	cmd := exec.Command("ip", "netns", "exec", e.tp.node, e.bin, "serve", "--node-config", nodeConfig)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.serve = cmd
	logPath := e.serveLog
	e.t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		f.Close()
		if e.t.Failed() {
			b, _ := os.ReadFile(logPath)
			e.t.Logf("serve log %s:\n%s", filepath.Base(logPath), tail(string(b), 60))
		}
	})
	e.waitFor(60*time.Second, "serve forwarding", func() bool {
		b, _ := os.ReadFile(e.serveLog)
		if cmd.ProcessState != nil {
			return true
		}
		return strings.Contains(string(b), "node: forwarding")
	})
	if !strings.Contains(readFile(e.serveLog), "node: forwarding") {
		e.t.Fatalf("serve did not start:\n%s", readFile(e.serveLog))
	}
}

// serveStats reads serve's stats file (written every second).
func (e *e2e) serveStats() nodeStats {
	e.t.Helper()
	var s nodeStats
	b, err := os.ReadFile(e.stats)
	if err != nil {
		e.t.Fatalf("serve stats: %v", err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		e.t.Fatalf("serve stats: %v\n%s", err, b)
	}
	return s
}

// freshStats waits for a stats file written after now.
func (e *e2e) freshStats() nodeStats {
	e.t.Helper()
	after := time.Now()
	var s nodeStats
	e.waitFor(5*time.Second, "fresh serve stats", func() bool {
		s = e.serveStats()
		return s.Time.After(after)
	})
	return s
}

type nodeStats struct {
	Time     time.Time `json:"time"`
	Revision uint64    `json:"revision"`
	Totals   struct {
		EncapPackets uint64            `json:"encap_packets"`
		DecapPackets uint64            `json:"decap_packets"`
		Bridged      uint64            `json:"bridged_packets"`
		BridgedND    uint64            `json:"bridged_nd_packets"`
		NewFlows     uint64            `json:"new_flows"`
		Drops        map[string]uint64 `json:"drops"`
	} `json:"totals"`
	Endpoints []struct {
		ID    string `json:"id"`
		State string `json:"state"`
	} `json:"endpoints"`
	Targets []struct {
		IP       string `json:"ip"`
		State    string `json:"state"`
		NewFlows uint64 `json:"new_flows"`
	} `json:"targets"`
}

// published counts serve's "config published" log lines.
func (e *e2e) published() int {
	return strings.Count(readFile(e.serveLog), `msg="node: config published"`)
}

// changeState runs a control-plane command and returns how long serve
// took to publish a new config after the command returned (the state
// file is replaced when the command exits). Goal: within a second.
func (e *e2e) changeState(args ...string) time.Duration {
	e.t.Helper()
	n := e.published()
	e.cli(args...)
	written := time.Now()
	e.waitFor(3*time.Second, "serve to publish a new config", func() bool { return e.published() > n })
	d := time.Since(written)
	if d > time.Second {
		e.t.Errorf("serve applied %q after %v; goal: within a second", args[1], d)
	}
	return d
}

func (e *e2e) waitFor(d time.Duration, what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (e *e2e) ping(ns string, v6 bool, dst string, count int) error {
	args := []string{"-c", fmt.Sprint(count), "-i", "0.2", "-W", "1", dst}
	if v6 {
		args = append([]string{"-6"}, args...)
	}
	out, err := inNS(ns, "ping", args...)
	if err != nil {
		return fmt.Errorf("%v: %s", err, out)
	}
	return nil
}

func readFile(p string) string { b, _ := os.ReadFile(p); return string(b) }

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
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

// serveFlows lists every flow of serve through its API (the unix socket),
// following the cursors.
func (e *e2e) serveFlows() []api.Flow {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var flows []api.Flow
	for cursor := ""; ; {
		p, err := e.api().Flows(ctx, api.FlowsRequest{Limit: api.MaxPageLimit, Cursor: cursor})
		if err != nil {
			e.t.Fatalf("GET /flows: %v", err)
		}
		flows = append(flows, p.Flows...)
		if p.NextCursor == "" {
			return flows
		}
		cursor = p.NextCursor
	}
}

// api is a client of serve's API socket.
func (e *e2e) api() *api.Client {
	c := api.NewClient(e.socket())
	e.t.Cleanup(c.Close)
	return c
}

func (e *e2e) socket() string { return filepath.Join(e.dir, "serve.sock") }

func (e *e2e) udpProbe(ns, addr string, flows, per int) []probeResult {
	e.t.Helper()
	out := runHelperIn(e.t, ns, "udp-probe", addr, fmt.Sprint(flows), fmt.Sprint(per), "2s")
	var res []probeResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		e.t.Fatalf("udp-probe output: %v\n%s", err, out)
	}
	return res
}

// spoofedReturns sends Geneve returns that must be dropped: a valid flow's
// packet from the appliance that is not its target, and one with a
// forged cookie from its real target. The inner packet is a UDP datagram
// to the server marked FORGED, which the server reports if it arrives.
func (e *e2e) spoofedReturns(t *testing.T) {
	srv := startHelper(t, e.tp.server, "udp-echo", serverIP4+":7200")
	defer srv.stop()
	// Capture a real flow's Geneve packet on each appliance network port.
	var caps [2]*background
	for i, ns := range []string{e.tp.app1, e.tp.app2} {
		caps[i] = startHelper(t, ns, "geneve-sniff", "e0", "7200", "5s")
	}
	res := e.udpProbe(e.tp.client, serverIP4+":7200", 8, 1)
	if len(res) == 0 {
		t.Fatal("no probe flows")
	}
	var geneve []byte
	var target, other string
	for i, c := range caps {
		c.wait(6 * time.Second)
		f := strings.Fields(c.output())
		if len(f) == 3 {
			geneve, _ = hex.DecodeString(f[2])
			target = []string{appliance1, appliance2}[i]
			other = []string{appliance2, appliance1}[i]
			break
		}
	}
	if geneve == nil {
		t.Fatal("no Geneve packet captured on either appliance")
	}
	s0 := e.freshStats()

	forged := forgeInner(t, geneve, "FORGED wrong source")
	runHelperIn(t, e.nsOf(other), "udp-send", other+":0", nodeIP+":6081", hex.EncodeToString(forged))

	bad := forgeInner(t, geneve, "FORGED cookie")
	// The cookie is the last 4 bytes of the 32 option bytes (type 3 last,
	// as serve emits them); flip it.
	optEnd := 8 + int(bad[0]&0x3f)*4
	for i := optEnd - 4; i < optEnd; i++ {
		bad[i] ^= 0x5a
	}
	runHelperIn(t, e.nsOf(target), "udp-send", target+":0", nodeIP+":6081", hex.EncodeToString(bad))

	time.Sleep(300 * time.Millisecond)
	s1 := e.freshStats()
	if d := s1.Totals.Drops["wrong_source"] - s0.Totals.Drops["wrong_source"]; d == 0 {
		t.Errorf("return from %s (not the flow's target %s) not counted as wrong_source: %v", other, target, s1.Totals.Drops)
	}
	if d := s1.Totals.Drops["unknown_cookie"] - s0.Totals.Drops["unknown_cookie"]; d == 0 {
		t.Errorf("forged cookie not counted as unknown_cookie: %v", s1.Totals.Drops)
	}
	if out := srv.output(); strings.Contains(out, "forged") {
		t.Errorf("a spoofed return reached the server: %s", out)
	}
	t.Logf("wrong_source +%d, unknown_cookie +%d, server received none",
		s1.Totals.Drops["wrong_source"]-s0.Totals.Drops["wrong_source"], s1.Totals.Drops["unknown_cookie"]-s0.Totals.Drops["unknown_cookie"])
}

func (e *e2e) nsOf(appliance string) string {
	if appliance == appliance1 {
		return e.tp.app1
	}
	return e.tp.app2
}

// forgeInner replaces the inner UDP payload of a captured Geneve packet
// (header + options + inner IPv4/UDP) with msg, fixing the inner lengths
// and checksums (UDP checksum 0: none, valid for IPv4).
func forgeInner(t *testing.T, geneve []byte, msg string) []byte {
	t.Helper()
	optEnd := 8 + int(geneve[0]&0x3f)*4
	ip := append([]byte(nil), geneve[optEnd:]...)
	ihl := int(ip[0]&0x0f) * 4
	udp := append(append([]byte(nil), ip[ihl:ihl+8]...), msg...)
	ip = append(ip[:ihl], udp...)
	putBE16(ip[2:], uint16(len(ip)))
	putBE16(ip[ihl+4:], uint16(len(udp)))
	putBE16(ip[ihl+6:], 0)
	putBE16(ip[10:], 0)
	putBE16(ip[10:], ^csum(ip[:ihl]))
	return append(append([]byte(nil), geneve[:optEnd]...), ip...)
}

func putBE16(b []byte, v uint16) { b[0], b[1] = byte(v>>8), byte(v) }

func csum(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
	}
	for s > 0xffff {
		s = s&0xffff + s>>16
	}
	return uint16(s)
}

// applianceStats is the part of `gwlbctl appliance`'s GET /stats the test
// reads.
type applianceStats struct {
	Route    bool              `json:"route"`
	Received uint64            `json:"received_packets"`
	Returned uint64            `json:"returned_packets"`
	Drops    map[string]uint64 `json:"drops"`
	RuleHits map[string]uint64 `json:"rule_hits"`
	Flows    []struct {
		Protocol  uint8  `json:"protocol"`
		A         string `json:"a"`
		B         string `json:"b"`
		PacketsAB uint64 `json:"packets_a_to_b"`
		PacketsBA uint64 `json:"packets_b_to_a"`
	} `json:"flows"`
}

// flowCount is one flow's packets seen by an appliance, oriented from the
// asking side: forward is src -> dst.
type flowCount struct{ forward, reverse uint64 }

// find returns the counters of the flow src <-> dst, if the appliance saw it.
func (s applianceStats) find(src, dst netip.AddrPort) (flowCount, bool) {
	for _, f := range s.Flows {
		a, errA := netip.ParseAddrPort(f.A)
		b, errB := netip.ParseAddrPort(f.B)
		if errA != nil || errB != nil {
			continue
		}
		switch {
		case a == src && b == dst:
			return flowCount{f.PacketsAB, f.PacketsBA}, true
		case a == dst && b == src:
			return flowCount{f.PacketsBA, f.PacketsAB}, true
		}
	}
	return flowCount{}, false
}

// applianceFlows fetches both appliances' stats.
// since is what appliance stats after counted of flow src -> dst since
// before, and whether it counted any packet of it in that time. The
// client's ephemeral ports are reused, so a new flow's 5-tuple may be an
// earlier probe's, whose packets the appliance's counters still hold:
// which appliance a probe crossed is what rose during it, not what exists.
func (after applianceStats) since(before applianceStats, src, dst netip.AddrPort) (flowCount, bool) {
	a, _ := after.find(src, dst)
	b, _ := before.find(src, dst)
	d := flowCount{a.forward - b.forward, a.reverse - b.reverse}
	return d, d.forward+d.reverse > 0
}

func (e *e2e) applianceFlows() [2]applianceStats {
	e.t.Helper()
	var out [2]applianceStats
	for i, ns := range []string{e.tp.app1, e.tp.app2} {
		body := runHelperIn(e.t, ns, "http-get", e.appStats[i])
		if err := json.Unmarshal([]byte(body), &out[i]); err != nil {
			e.t.Fatalf("appliance %d stats: %v\n%s", i+1, err, body)
		}
	}
	return out
}
