//go:build e2e

package main

// Two routed-mode serve nodes of one load balancer behind a router that
// spreads flows over them by ECMP, sharing one control plane on a real
// etcd, both sending to the same two appliances:
//
//   inet ns  c0 203.0.113.10 --- i0 203.0.113.1   (the client's side)
//   srv ns   s0 10.0.2.20 ------ a0 10.0.2.1      (the application subnet)
//   node-a   rt0 [routed port] - ea -+- esub 10.0.1.1 (the endpoint subnet,
//            gwlbe0 TAP 10.0.1.10    |   a bridge in the vpc ns)
//   node-b   rt0 [routed port] - eb -+
//            gwlbe0 TAP 10.0.1.11         all in the vpc ns (the router)
//   node-a   app 198.19.0.10 -+- br0 (appnet ns) -+- app1 198.19.0.11
//   node-b   app 198.19.0.13 -+                   +- app2 198.19.0.12
//
// The router's tables, by the link a packet arrives on, hold one multipath
// route each, next hops both endpoint addresses, hashed on the 5-tuple:
//   i0: 10.0.2.0/24     nexthop via 10.0.1.10 nexthop via 10.0.1.11
//   a0: 203.0.113.0/24  nexthop via 10.0.1.10 nexthop via 10.0.1.11
// Linux's multipath hash of the header fields is symmetric (it orders the
// addresses and ports before hashing), so a flow's replies take the node
// its requests took. The hash is fib_multipath_hash_policy=3 with the five
// fields, not policy 1: policy 1 takes the packet's L4 hash when it carries
// one, and the client's and server's TCP sockets here (on the same kernel)
// set one from their random per-socket hash, which veth keeps across
// namespaces and which changes on retransmission; a router hashes headers.
// What a node sends back toward the router (the appliance's return) arrives
// on esub and leaves by the connected routes; rp_filter is off so the
// router accepts it from either node.
//
// Mid-flow pickup (an established TCP connection moving from a dead node
// to the other) is not in the engine and not tested: every flow here
// starts and ends on one node.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control/api"
	"github.com/gwlbctl/gwlbctl/control/store/etcdtest"
	"github.com/gwlbctl/gwlbctl/fastpath/kernel"
)

const (
	ecmpClientIP = "203.0.113.10"
	ecmpServerIP = "10.0.2.20"
	ecmpSubnet   = "10.0.1.0/24"
)

// ecmpNode is one routed-mode node: its scaleNode plus its endpoint's
// address and MAC on the endpoint subnet.
type ecmpNode struct {
	*scaleNode
	endpointIP, endpointMAC, peer string
}

// ecmpRun is the run's namespaces beyond the nodes'.
type ecmpRun struct {
	e                *e2e
	inet, srv, vpc   string
	nodes            []*ecmpNode
	udpPort, tcpPort int // the next free server ports
}

// up builds the topology, removed on cleanup.
func (r *ecmpRun) up(t *testing.T) {
	t.Helper()
	tp := r.e.tp
	spaces := []string{r.inet, r.srv, r.vpc, tp.net, tp.app1, tp.app2}
	for _, n := range r.nodes {
		spaces = append(spaces, n.ns)
	}
	t.Cleanup(func() {
		for _, ns := range spaces {
			exec.Command("ip", "netns", "del", ns).Run()
		}
	})
	for _, ns := range spaces {
		sh(t, "ip", "netns", "add", ns)
		ipn(t, ns, "link", "set", "lo", "up")
	}
	up := func(ns, dev string) {
		sh(t, "ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf."+dev+".disable_ipv6=1")
		ipn(t, ns, "link", "set", dev, "up")
		if err := kernel.DisableOffloads(ns, dev); err != nil {
			t.Fatalf("offloads of %s in %s: %v", dev, ns, err)
		}
	}
	// The client, the server and the endpoint subnet's bridge.
	ipn(t, r.inet, "link", "add", "c0", "type", "veth", "peer", "name", "i0", "netns", r.vpc)
	ipn(t, r.srv, "link", "add", "s0", "type", "veth", "peer", "name", "a0", "netns", r.vpc)
	ipn(t, r.inet, "addr", "add", ecmpClientIP+"/24", "dev", "c0")
	ipn(t, r.vpc, "addr", "add", "203.0.113.1/24", "dev", "i0")
	ipn(t, r.srv, "addr", "add", ecmpServerIP+"/24", "dev", "s0")
	ipn(t, r.vpc, "addr", "add", "10.0.2.1/24", "dev", "a0")
	ipn(t, r.vpc, "link", "add", "esub", "type", "bridge")
	ipn(t, r.vpc, "addr", "add", routedRouterIP+"/24", "dev", "esub")
	for _, d := range []struct{ ns, dev string }{{r.inet, "c0"}, {r.srv, "s0"}, {r.vpc, "i0"}, {r.vpc, "a0"}, {r.vpc, "esub"}} {
		up(d.ns, d.dev)
	}
	ipn(t, r.inet, "route", "add", "default", "via", "203.0.113.1")
	ipn(t, r.srv, "route", "add", "default", "via", "10.0.2.1")

	// The appliance network.
	ipn(t, tp.net, "link", "add", "br0", "type", "bridge")
	ipn(t, tp.net, "link", "set", "br0", "mtu", "9000", "up")
	for i, a := range []struct{ ns, ip string }{{tp.app1, appliance1}, {tp.app2, appliance2}} {
		p := fmt.Sprintf("q%d", i)
		ipn(t, a.ns, "link", "add", "e0", "type", "veth", "peer", "name", p, "netns", tp.net)
		ipn(t, a.ns, "link", "set", "e0", "mtu", "9000")
		ipn(t, a.ns, "addr", "add", a.ip+"/24", "dev", "e0")
		up(a.ns, "e0")
		ipn(t, tp.net, "link", "set", p, "mtu", "9000", "master", "br0", "up")
	}

	// Each node: its appliance port on br0, its routed port on esub.
	for i, n := range r.nodes {
		p := fmt.Sprintf("p%d", i)
		ipn(t, n.ns, "link", "add", "app", "type", "veth", "peer", "name", p, "netns", tp.net)
		ipn(t, n.ns, "link", "set", "app", "address", n.mac, "mtu", "9000")
		ipn(t, tp.net, "link", "set", p, "mtu", "9000", "master", "br0", "up")
		ipn(t, n.ns, "link", "add", "rt0", "type", "veth", "peer", "name", n.peer, "netns", r.vpc)
		ipn(t, n.ns, "link", "set", "rt0", "address", n.endpointMAC)
		ipn(t, r.vpc, "link", "set", n.peer, "master", "esub")
		up(n.ns, "app")
		up(n.ns, "rt0")
		up(r.vpc, n.peer)
	}

	// The router: forwarding, no reverse-path filter, the L4 hash.
	for _, k := range []string{"net.ipv4.ip_forward=1", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0",
		"net.ipv4.conf.esub.rp_filter=0", "net.ipv4.conf.i0.rp_filter=0", "net.ipv4.conf.a0.rp_filter=0",
		"net.ipv4.conf.all.send_redirects=0", "net.ipv4.fib_multipath_hash_policy=3", "net.ipv4.fib_multipath_hash_fields=0x0037"} {
		sh(t, "ip", "netns", "exec", r.vpc, "sysctl", "-qw", k)
	}
	for _, rt := range []struct{ iif, table string }{{"i0", "100"}, {"a0", "101"}} {
		ipn(t, r.vpc, "rule", "add", "iif", rt.iif, "lookup", rt.table)
	}
	r.route(t, r.nodes...)
}

// route sets the router's two multipath routes to the endpoint addresses
// of the nodes given.
func (r *ecmpRun) route(t *testing.T, nodes ...*ecmpNode) {
	t.Helper()
	for _, rt := range []struct{ table, dst string }{{"100", "10.0.2.0/24"}, {"101", "203.0.113.0/24"}} {
		args := []string{"route", "replace", rt.dst, "table", rt.table}
		for _, n := range nodes {
			args = append(args, "nexthop", "via", n.endpointIP, "dev", "esub")
		}
		ipn(t, r.vpc, args...)
	}
}

// writeConfig writes node n's routed-mode config on the shared etcd state.
func (r *ecmpRun) writeConfig(t *testing.T, n *ecmpNode) {
	e := r.e
	n.config = filepath.Join(e.dir, n.id+".yaml")
	cfg := fmt.Sprintf(`load-balancer: %s
availability-zone: us-east-1a
state: %s
node: {id: %s, lease-ttl: %s}
eal:
  args: ["-l", "0,1", "--main-lcore", "0", "--in-memory", "--no-pci"]
appliance: {device: "net_af_packet0,iface=app", address: %s/24, tap: gwlb0}
endpoints:
  - id: %s
    mode: routed
    device: net_af_packet1,iface=rt0
    address: %s/24
    gateway: %s
    routes: []
    mac: "%s"
    tap: gwlbe0
flows: {capacity: 4096}
stats: {interval: 0s}
api: {socket: %s}
`, e.ids.lbArn, e.state, n.id, scaleLeaseTTL, n.ip, e.ids.endpointID, n.endpointIP, routedRouterIP, n.endpointMAC, n.socket)
	if err := os.WriteFile(n.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
}

// ecmpFlow is one flow the client opened: its tuple, and whether its
// packets all came back.
type ecmpFlow struct {
	proto    uint8
	src, dst netip.AddrPort // src's port is 0 for TCP: tcp-send does not print it
	ok       bool
}

// traffic opens udp UDP flows (one udp-probe, 3 datagrams each) and tcp
// TCP connections (64 KiB echoed each, checksummed) from the client to the
// server, each on server ports not used before.
func (r *ecmpRun) traffic(t *testing.T, udp, tcp int) []ecmpFlow {
	t.Helper()
	var flows []ecmpFlow
	uaddr := fmt.Sprintf("%s:%d", ecmpServerIP, r.udpPort)
	r.udpPort++
	usrv := startHelper(t, r.srv, "udp-echo", uaddr)
	for _, res := range r.e.udpProbe(r.inet, uaddr, udp, 3) {
		flows = append(flows, ecmpFlow{proto: 17, src: netip.MustParseAddrPort(res.Local), dst: netip.MustParseAddrPort(uaddr), ok: res.Echoed == res.Sent && res.Sent == 3})
	}
	usrv.stop()
	for range tcp {
		addr := fmt.Sprintf("%s:%d", ecmpServerIP, r.tcpPort)
		r.tcpPort++
		srv := startHelper(t, r.srv, "tcp-echo", addr)
		out := runHelperIn(t, r.inet, "tcp-send", addr, fmt.Sprint(64<<10), strconv.Itoa(r.tcpPort))
		err := srv.wait(30 * time.Second)
		ok := err == nil && parseEcho(out, srv.output()).ok(64<<10)
		flows = append(flows, ecmpFlow{proto: 6, src: netip.AddrPortFrom(netip.MustParseAddr(ecmpClientIP), 0), dst: netip.MustParseAddrPort(addr), ok: ok})
	}
	return flows
}

// nodeFlows lists node n's flows, following the cursors.
func nodeFlows(t *testing.T, n *ecmpNode) []api.Flow {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := n.api(t)
	var flows []api.Flow
	for cursor := ""; ; {
		p, err := c.Flows(ctx, api.FlowsRequest{Limit: api.MaxPageLimit, Cursor: cursor})
		if err != nil {
			t.Fatalf("%s's GET /flows: %v", n.id, err)
		}
		flows = append(flows, p.Flows...)
		if p.NextCursor == "" {
			return flows
		}
		cursor = p.NextCursor
	}
}

// carriers finds, for each flow, the nodes (among live) whose /flows list
// it, and checks: exactly one node holds it; every packet came back; the
// appliance at its target saw it in both directions while the other did
// not see it; every live node's /lookup gives that target. Returns the
// flows per node id.
func (r *ecmpRun) carriers(t *testing.T, flows []ecmpFlow, live ...*ecmpNode) map[string]int {
	t.Helper()
	ctx := context.Background()
	listed := map[string][]api.Flow{}
	for _, n := range live {
		listed[n.id] = nodeFlows(t, n)
	}
	apps := r.e.applianceFlows()
	per := map[string]int{}
	for _, f := range flows {
		var on []string
		var got api.Flow
		for _, n := range live {
			for _, l := range listed[n.id] {
				if l.Proto == f.proto && l.Dst == f.dst && (l.Src == f.src || f.src.Port() == 0 && l.Src.Addr() == f.src.Addr()) {
					on = append(on, n.id)
					got = l
				}
			}
		}
		if len(on) != 1 {
			t.Errorf("flow %d %s -> %s is on nodes %v, want exactly one", f.proto, f.src, f.dst, on)
			continue
		}
		per[on[0]]++
		if !f.ok {
			t.Errorf("flow %d %s -> %s through %s: not every packet came back", f.proto, got.Src, f.dst, on[0])
		}
		r.onItsAppliance(t, got, apps)
		for _, n := range live {
			res, err := n.api(t).Lookup(ctx, api.LookupRequest{Endpoint: r.e.ids.endpointID, Proto: f.proto, Src: got.Src, Dst: got.Dst})
			if err != nil || res.Target == nil || res.Target.IP != got.TargetIP {
				t.Errorf("flow %d %s -> %s on %s, target %s: %s's lookup says %+v, %v", f.proto, got.Src, got.Dst, on[0], got.TargetIP, n.id, res, err)
			}
		}
	}
	if t.Failed() {
		for _, n := range live {
			st, err := n.api(t).Stats(ctx)
			if err == nil {
				t.Logf("%s's counters: %+v %+v", n.id, st.Totals, st.Workers)
				for _, tg := range st.Targets {
					t.Logf("%s's target %s: %d no_neighbor drops", n.id, tg.IP, tg.NoNeighbor)
				}
				for _, ep := range st.Endpoints {
					t.Logf("%s's endpoint %s: %d no_neighbor drops", n.id, ep.ID, ep.NoNeighbor)
				}
			}
			out, _ := inNS(n.ns, "ip", "neigh")
			t.Logf("%s's kernel neighbours:\n%s", n.id, out)
		}
	}
	return per
}

// onItsAppliance checks that the appliance at flow f's target saw it in
// both directions and the other appliance did not see it.
func (r *ecmpRun) onItsAppliance(t *testing.T, f api.Flow, apps [2]applianceStats) {
	t.Helper()
	for i, ip := range []string{appliance1, appliance2} {
		c, seen := apps[i].find(f.Src, f.Dst)
		want := f.TargetIP.String() == ip
		if seen != want || want && (c.forward == 0 || c.reverse == 0) {
			t.Errorf("flow %d %s -> %s, target %s: appliance %s saw it %v (%d forward, %d reverse)", f.Proto, f.Src, f.Dst, f.TargetIP, ip, seen, c.forward, c.reverse)
		}
	}
}

func TestECMPTwoRoutedNodes(t *testing.T) {
	requireRoot(t)
	srv := etcdtest.Start(t)
	dir := t.TempDir()
	s := "c" + strconv.Itoa(os.Getpid())
	p := "gwc" + s + "-"
	tp := &topology{suffix: s, net: p + "appnet", app1: p + "app1", app2: p + "app2"}
	e := &e2e{t: t, dir: dir, state: srv.NewLocation(t), tp: tp}
	e.bin = buildBinary(t, dir)
	r := &ecmpRun{e: e, inet: p + "inet", srv: p + "srv", vpc: p + "vpc", udpPort: 5500, tcpPort: 6000,
		nodes: []*ecmpNode{
			{scaleNode: &scaleNode{id: "node-a", ns: p + "a", ip: nodeIP, mac: "02:79:00:00:00:0a", socket: filepath.Join(dir, "a.sock")},
				endpointIP: routedEndpointIP, endpointMAC: "02:79:00:00:01:0a", peer: "ea"},
			{scaleNode: &scaleNode{id: "node-b", ns: p + "b", ip: "198.19.0.13", mac: "02:79:00:00:00:0b", socket: filepath.Join(dir, "b.sock")},
				endpointIP: "10.0.1.11", endpointMAC: "02:79:00:00:01:0b", peer: "eb"},
		}}
	r.up(t)
	a, b := r.nodes[0], r.nodes[1]
	for _, n := range r.nodes {
		etcdInNamespace(t, n.ns, srv.Endpoint)
	}
	e.provisionRouted()
	e.fastHealthChecks()
	e.startAppliances()
	for _, n := range r.nodes {
		r.writeConfig(t, n)
		n.start(t, e)
	}
	warm := func(nodes ...*ecmpNode) {
		for _, n := range nodes {
			if err := e.ping(r.vpc, false, n.endpointIP, 1); err != nil {
				t.Fatalf("router -> %s's endpoint %s: %v", n.id, n.endpointIP, err)
			}
		}
		var err error
		for range 10 { // the first packets may wait for ARP
			if err = e.ping(r.inet, false, ecmpServerIP, 1); err == nil {
				break
			}
		}
		if err != nil {
			t.Fatalf("client -> server through the endpoint: %v", err)
		}
	}
	warm(a, b)
	// Both nodes must place new flows alike: until each has seen every
	// target healthy, one may still fail open over both targets while
	// the other sends everything to the one that passed its checks.
	allHealthy := func(t *testing.T) {
		t.Helper()
		for _, n := range r.nodes {
			c, state := n.api(t), ""
			for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
				ts, err := c.Targets(context.Background())
				state = fmt.Sprintf("%d targets, %v", len(ts), err)
				healthy := err == nil && len(ts) > 0
				for _, tg := range ts {
					if tg.State != "healthy" {
						healthy, state = false, fmt.Sprintf("target %s %s", tg.IP, tg.State)
					}
				}
				if healthy {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s does not see every target healthy after 60 s: %s", n.id, state)
				}
			}
		}
	}
	allHealthy(t)

	t.Run("BothListed", func(t *testing.T) {
		reg := registered(e)
		for _, n := range r.nodes {
			if reg[n.id].PID != n.cmd.Process.Pid {
				t.Errorf("%s's registration: %+v (all: %+v)", n.id, reg[n.id], reg)
			}
		}
	})

	t.Run("FlowsSpreadSameTarget", func(t *testing.T) {
		flows := r.traffic(t, 32, 32)
		per := r.carriers(t, flows, a, b)
		if per[a.id] == 0 || per[b.id] == 0 || per[a.id]+per[b.id] != 64 {
			t.Errorf("64 flows: %d on node-a, %d on node-b; want some on each, 64 in all", per[a.id], per[b.id])
		}
		t.Logf("64 flows (32 UDP, 32 TCP of 64 KiB checksummed): %d on node-a, %d on node-b", per[a.id], per[b.id])
	})

	t.Run("HealthByConsensus", func(t *testing.T) {
		e.waitRecorded(t, appliance1, "healthy", map[string]string{a.id: "healthy", b.id: "healthy"})
		// Appliance 1 stops answering node-a alone: its namespace drops
		// what it sends to node-a's address. One of two nodes is not a
		// majority: the target stays healthy.
		blackhole := func(verb string, n *ecmpNode) {
			if out, err := inNS(e.tp.app1, "ip", "route", verb, "blackhole", n.ip+"/32"); err != nil {
				t.Fatalf("ip route %s blackhole %s in %s: %v %s", verb, n.ip, e.tp.app1, err, out)
			}
		}
		blackhole("add", a)
		e.waitRecorded(t, appliance1, "healthy", map[string]string{a.id: "unhealthy", b.id: "healthy"})
		// Neither node reaches it: unhealthy on both, and combined.
		blackhole("add", b)
		e.waitRecorded(t, appliance1, "unhealthy", map[string]string{a.id: "unhealthy", b.id: "unhealthy"})
		blackhole("del", a)
		blackhole("del", b)
		e.waitRecorded(t, appliance1, "healthy", map[string]string{a.id: "healthy", b.id: "healthy"})
	})

	t.Run("KilledNodeLeavesFlowsGoToB", func(t *testing.T) {
		// A TCP transfer through node-a, held at half way: connections
		// are opened until the router's hash puts one on node-a.
		mid := r.transferThrough(t, a)
		if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-a.exited
		killed := time.Now()
		// Linux keeps hashing to a next hop whose neighbour entry is still
		// valid, and even a failed one counts only with
		// fib_multipath_use_neigh: the test removes the dead next hop, as a
		// router that health-checks its next hops would.
		r.route(t, b)
		mid.finish(t, r, b)
		e.waitFor(30*time.Second, "node-a's registration to expire", func() bool {
			_, ok := registered(e)[a.id]
			return !ok
		})
		t.Logf("node-a's registration gone %s after SIGKILL (lease %s)", time.Since(killed).Round(10*time.Millisecond), scaleLeaseTTL)
		flows := r.traffic(t, 16, 4)
		per := r.carriers(t, flows, b)
		if per[b.id] != len(flows) {
			t.Errorf("%d of %d new flows on node-b", per[b.id], len(flows))
		}
	})

	t.Run("RestartedNodeSpreadsAgain", func(t *testing.T) {
		a.start(t, e)
		if reg := registered(e); reg[a.id].PID != a.cmd.Process.Pid {
			t.Fatalf("restarted node-a's registration: %+v (pid %d)", reg[a.id], a.cmd.Process.Pid)
		}
		r.route(t, a, b)
		warm(a)
		allHealthy(t)
		flows := r.traffic(t, 32, 0)
		per := r.carriers(t, flows, a, b)
		if per[a.id] == 0 || per[b.id] == 0 || per[a.id]+per[b.id] != len(flows) {
			t.Errorf("%d new flows: %d on node-a, %d on node-b; want some on each, all in all", len(flows), per[a.id], per[b.id])
		}
		t.Logf("after node-a's restart, %d new UDP flows: %d on node-a, %d on node-b", len(flows), per[a.id], per[b.id])
	})

}

// midTransfer is a TCP transfer held at half way (tcp-send's gate) and
// the flow the node carrying it lists.
type midTransfer struct {
	addr       string
	gate       string
	size       int
	send, echo *background
	flow       api.Flow
}

// transferThrough opens gated 4 MiB transfers to the server, each on a
// port of its own, until node n's /flows lists one (the router's hash
// decides; 24 tries leave 2^-24 to chance), and returns it, the others
// finished.
func (r *ecmpRun) transferThrough(t *testing.T, n *ecmpNode) *midTransfer {
	t.Helper()
	const size = 4 << 20
	for try := 0; try < 24; try++ {
		m := &midTransfer{addr: fmt.Sprintf("%s:%d", ecmpServerIP, r.tcpPort), gate: filepath.Join(r.e.dir, fmt.Sprintf("gate-%d", r.tcpPort)), size: size}
		r.tcpPort++
		m.echo = startHelper(t, r.srv, "tcp-echo", m.addr)
		m.send = startHelper(t, r.inet, "tcp-send", m.addr, strconv.Itoa(size), strconv.Itoa(try), m.gate) // ready: half sent
		for _, f := range nodeFlows(t, n) {
			if f.Proto == 6 && f.Dst.String() == m.addr {
				m.flow = f
			}
		}
		if m.flow.TargetIP.IsValid() {
			t.Logf("transfer to %s through %s, target %s, held at half way", m.addr, n.id, m.flow.TargetIP)
			return m
		}
		if err := os.WriteFile(m.gate, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		m.send.wait(30 * time.Second)
		m.echo.wait(30 * time.Second)
	}
	t.Fatalf("24 transfers, none through %s", n.id)
	return nil
}

// finish lets the transfer go on, now through node to (which never saw
// it), and checks that it completes with every byte verified, that to
// picked it up on the same target, and that the other appliance never saw
// it.
func (m *midTransfer) finish(t *testing.T, r *ecmpRun, to *ecmpNode) {
	t.Helper()
	before, err := to.api(t).Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(m.gate, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	sendErr, echoErr := m.send.wait(30*time.Second), m.echo.wait(30*time.Second)
	res := parseEcho(m.send.output(), m.echo.output())
	if sendErr != nil || echoErr != nil || !res.ok(m.size) {
		t.Fatalf("transfer to %s after its node died: tcp-send %v, tcp-echo %v: %v", m.addr, sendErr, echoErr, res)
	}
	var picked api.Flow
	for _, f := range nodeFlows(t, to) {
		if f.Proto == 6 && (f.Dst.String() == m.addr || f.Src.String() == m.addr) {
			picked = f
		}
	}
	after, err := to.api(t).Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if picked.TargetIP != m.flow.TargetIP {
		t.Errorf("%s carried the rest of the transfer to %s on target %v; the dead node had it on %s", to.id, m.addr, picked.TargetIP, m.flow.TargetIP)
	}
	if n := after.Totals.PickedUpFlows - before.Totals.PickedUpFlows; n == 0 {
		t.Errorf("%s counted no flow picked up mid-flow", to.id)
	}
	r.onItsAppliance(t, m.flow, r.e.applianceFlows())
	t.Logf("%d MiB each way to %s, the second half through %s after the first node's SIGKILL (picked up on %s), sha256 %s… verified at both ends",
		m.size>>20, m.addr, to.id, picked.TargetIP, res.sent[:16])
}

// waitRecorded waits until describe-target-health --show-recorded gives
// target id the combined state and each node in views its view's state,
// and fails after healthDeadline with what it last printed.
func (e *e2e) waitRecorded(t *testing.T, id, state string, views map[string]string) {
	t.Helper()
	var out struct {
		RecordedHealth []struct {
			Target       struct{ Id string }
			TargetHealth struct{ State, Reason string }
			RecordedBy   []struct{ Node, State, Reason string }
		}
	}
	start := time.Now()
	var raw string
	for {
		raw = e.cli("elbv2", "describe-target-health", "--target-group-arn", e.ids.tgArn, "--show-recorded")
		if err := json.Unmarshal([]byte(raw), &out); err != nil {
			t.Fatalf("describe-target-health --show-recorded: %v\n%s", err, raw)
		}
		for _, r := range out.RecordedHealth {
			if r.Target.Id != id || r.TargetHealth.State != state {
				continue
			}
			got := map[string]string{}
			for _, v := range r.RecordedBy {
				got[v.Node] = v.State
			}
			match := true
			for n, st := range views {
				match = match && got[n] == st
			}
			if match {
				t.Logf("%s %s with views %v, after %v", id, state, got, time.Since(start).Round(100*time.Millisecond))
				return
			}
		}
		if time.Since(start) > healthDeadline {
			t.Fatalf("%s: want %s with views %v; after %v describe-target-health --show-recorded says:\n%s", id, state, views, healthDeadline, raw)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
