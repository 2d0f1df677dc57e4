//go:build e2e

package main

// The routed-mode topology: a consumer VPC whose router (one namespace,
// one route table per link it receives on, as AWS's subnet and edge route
// tables) sends traffic to the gateway load balancer endpoint's address,
// the way AWS route tables point at a vpce- id. serve's routed endpoint
// is one DPDK port on the endpoint subnet with its exception TAP.
//
// IPv6 too: each subnet's /64 is fd00:N::/64, N the IPv4 subnet's third
// byte (203 and 198 outside), with the same tables; the endpoint is
// fd00:1::10, its router fd00:1::1.
//
//   inet ns  c0 203.0.113.10 --- i0 203.0.113.1  (the internet gateway's side)
//   node ns  rt0 [routed port] - e0 10.0.1.1     (the endpoint subnet;
//            gwlbe0 TAP 10.0.1.10                  the endpoint is 10.0.1.10)
//   appa ns  s0 10.0.2.20 ------ a0 10.0.2.1     (application subnet A)
//   appb ns  s0 10.0.4.20 ------ b0 10.0.4.1     (application subnet B)
//   nat ns   n1 10.0.3.2 ------- n0 10.0.3.1     (the NAT subnet)
//            x0 198.51.100.1 --- x1 198.51.100.10 (ext ns: an internet host)
//            all in the vpc ns (the VPC router)
//
// The router's tables, by the link a packet arrives on:
//   i0 (edge association): 10.0.2.0/24 via 10.0.1.10   inbound
//   a0, b0 (app subnets):  0.0.0.0/0 via 10.0.1.10      outbound, east-west
//   n0 (from the NAT):     10.0.2.0/24 via 10.0.1.10    outbound's returns
//   e0 (endpoint subnet):  main: the connected subnets, 0.0.0.0/0 via the NAT
// The endpoint's own route: 0.0.0.0/0 via 10.0.1.1 (its subnet's router).
//
// The NAT namespace routes without translating (the machine has no
// netfilter tools); what the pattern tests, the path through the endpoint
// and the appliance in both directions, is the same.
//
// The appliance network (node ns app, the bridge, two appliances) is the
// bump topology's.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/fastpath/kernel"
)

const (
	routedEndpointIP  = "10.0.1.10"
	routedRouterIP    = "10.0.1.1"
	routedMAC         = "02:77:00:00:01:0a"
	inetClientIP      = "203.0.113.10"
	appAIP            = "10.0.2.20"
	appBIP            = "10.0.4.20"
	extHostIP         = "198.51.100.10"
	blackholeRouterIP = "10.0.1.99" // on the endpoint subnet, never answers ARP
	blackholeDst      = "192.0.2.0/24"
	// IPv6: each subnet's /64 is fd00:N::/64 (N the IPv4 subnet's third
	// byte, 203 and 198 for the outside ones), hosts keep their last byte.
	routedEndpointIP6 = "fd00:1::10"
	routedRouterIP6   = "fd00:1::1"
	inetClientIP6     = "fd00:203::10"
	appAIP6           = "fd00:2::20"
	appBIP6           = "fd00:4::20"
	extHostIP6        = "fd00:198::10"
)

// routedTopology names the routed run's namespaces beyond the appliance
// network's (node, net, app1, app2 in tp).
type routedTopology struct {
	tp                         *topology
	vpc, inet, appA, appB, nat string
	ext                        string
}

func newRoutedTopology() *routedTopology {
	s := fmt.Sprintf("r%d", os.Getpid())
	p := "gwe" + s + "-"
	return &routedTopology{
		tp:   &topology{suffix: s, client: p + "inet", server: p + "appa", node: p + "node", net: p + "appnet", app1: p + "app1", app2: p + "app2"},
		vpc:  p + "vpc",
		inet: p + "inet",
		appA: p + "appa",
		appB: p + "appb",
		nat:  p + "nat",
		ext:  p + "ext",
	}
}

func (r *routedTopology) namespaces() []string {
	return append(r.tp.namespaces(), r.vpc, r.appB, r.nat, r.ext)
}

func (r *routedTopology) down() {
	for _, ns := range r.namespaces() {
		exec.Command("ip", "netns", "del", ns).Run()
	}
}

// up builds the routed topology; mtu is every consumer link's MTU.
func (r *routedTopology) up(t *testing.T, mtu int) {
	t.Helper()
	t.Cleanup(r.down)
	seen := map[string]bool{}
	for _, ns := range r.namespaces() {
		if seen[ns] {
			continue
		}
		seen[ns] = true
		sh(t, "ip", "netns", "add", ns)
		ipn(t, ns, "link", "set", "lo", "up")
	}
	m := fmt.Sprint(mtu)
	type link struct {
		ns, dev, addr, addr6, peerNS, peer, peerAddr, peerAddr6 string
	}
	links := []link{
		{r.inet, "c0", inetClientIP + "/24", inetClientIP6 + "/64", r.vpc, "i0", "203.0.113.1/24", "fd00:203::1/64"},
		{r.tp.node, "rt0", "", "", r.vpc, "e0", routedRouterIP + "/24", routedRouterIP6 + "/64"},
		{r.appA, "s0", appAIP + "/24", appAIP6 + "/64", r.vpc, "a0", "10.0.2.1/24", "fd00:2::1/64"},
		{r.appB, "s0", appBIP + "/24", appBIP6 + "/64", r.vpc, "b0", "10.0.4.1/24", "fd00:4::1/64"},
		{r.nat, "n1", "10.0.3.2/24", "fd00:3::2/64", r.vpc, "n0", "10.0.3.1/24", "fd00:3::1/64"},
		{r.ext, "x1", extHostIP + "/24", extHostIP6 + "/64", r.nat, "x0", "198.51.100.1/24", "fd00:198::1/64"},
	}
	for _, l := range links {
		ipn(t, l.ns, "link", "add", l.dev, "type", "veth", "peer", "name", l.peer, "netns", l.peerNS)
		for _, side := range []struct{ ns, dev, addr, addr6 string }{{l.ns, l.dev, l.addr, l.addr6}, {l.peerNS, l.peer, l.peerAddr, l.peerAddr6}} {
			ipn(t, side.ns, "link", "set", side.dev, "mtu", m)
			if side.addr != "" {
				ipn(t, side.ns, "addr", "add", side.addr, "dev", side.dev)
			}
			if side.addr6 != "" {
				ipn(t, side.ns, "addr", "add", side.addr6, "dev", side.dev, "nodad")
			} else {
				// The routed port belongs to DPDK: no kernel IPv6 on it.
				sh(t, "ip", "netns", "exec", side.ns, "sysctl", "-qw", "net.ipv6.conf."+side.dev+".disable_ipv6=1")
			}
			ipn(t, side.ns, "link", "set", side.dev, "up")
			// Finished frames on every link, as real NICs deliver them
			// (see topology.up).
			if err := kernel.DisableOffloads(side.ns, side.dev); err != nil {
				t.Fatalf("offloads of %s in %s: %v", side.dev, side.ns, err)
			}
		}
	}
	ipn(t, r.tp.node, "link", "set", "rt0", "address", routedMAC)
	ipn(t, r.inet, "route", "add", "default", "via", "203.0.113.1")
	ipn(t, r.appA, "route", "add", "default", "via", "10.0.2.1")
	ipn(t, r.appB, "route", "add", "default", "via", "10.0.4.1")
	ipn(t, r.ext, "route", "add", "default", "via", "198.51.100.1")
	ipn(t, r.nat, "route", "add", "10.0.0.0/16", "via", "10.0.3.1")
	ipn(t, r.inet, "-6", "route", "add", "default", "via", "fd00:203::1")
	ipn(t, r.appA, "-6", "route", "add", "default", "via", "fd00:2::1")
	ipn(t, r.appB, "-6", "route", "add", "default", "via", "fd00:4::1")
	ipn(t, r.ext, "-6", "route", "add", "default", "via", "fd00:198::1")
	ipn(t, r.nat, "-6", "route", "add", "fd00:2::/64", "via", "fd00:3::1")
	for _, ns := range []string{r.vpc, r.nat} {
		for _, k := range []string{"net.ipv4.ip_forward=1", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0",
			"net.ipv4.conf.all.send_redirects=0", "net.ipv6.conf.all.forwarding=1"} {
			sh(t, "ip", "netns", "exec", ns, "sysctl", "-qw", k)
		}
	}
	for _, dev := range []string{"i0", "e0", "a0", "b0", "n0"} {
		sh(t, "ip", "netns", "exec", r.vpc, "sysctl", "-qw", "net.ipv4.conf."+dev+".rp_filter=0")
	}
	// The VPC router's route tables, by the link a packet arrives on.
	ipn(t, r.vpc, "route", "add", "default", "via", "10.0.3.2")
	ipn(t, r.vpc, "-6", "route", "add", "default", "via", "fd00:3::2")
	for _, rt := range []struct{ iif, table, dst, dst6 string }{
		{"i0", "100", "10.0.2.0/24", "fd00:2::/64"},
		{"a0", "101", "default", "default"},
		{"b0", "102", "default", "default"},
		{"n0", "103", "10.0.2.0/24", "fd00:2::/64"},
	} {
		ipn(t, r.vpc, "route", "add", rt.dst, "via", routedEndpointIP, "dev", "e0", "table", rt.table)
		ipn(t, r.vpc, "rule", "add", "iif", rt.iif, "lookup", rt.table)
		ipn(t, r.vpc, "-6", "route", "add", rt.dst6, "via", routedEndpointIP6, "dev", "e0", "table", rt.table)
		ipn(t, r.vpc, "-6", "rule", "add", "iif", rt.iif, "lookup", rt.table)
	}

	// The appliance network, as in the bump topology.
	tp := r.tp
	ipn(t, tp.net, "link", "add", "br0", "type", "bridge")
	ipn(t, tp.net, "link", "set", "br0", "mtu", "9000", "up")
	ipn(t, tp.node, "link", "add", "app", "type", "veth", "peer", "name", "p0", "netns", tp.net)
	ipn(t, tp.node, "link", "set", "app", "address", nodeMAC, "mtu", "9000")
	for i, a := range []struct{ ns, ip string }{{tp.app1, appliance1}, {tp.app2, appliance2}} {
		p := fmt.Sprintf("p%d", i+1)
		ipn(t, a.ns, "link", "add", "e0", "type", "veth", "peer", "name", p, "netns", tp.net)
		ipn(t, a.ns, "link", "set", "e0", "mtu", "9000")
		ipn(t, a.ns, "addr", "add", a.ip+"/24", "dev", "e0")
		ipn(t, a.ns, "link", "set", "e0", "up")
		if err := kernel.DisableOffloads(a.ns, "e0"); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"p0", "p1", "p2"} {
		ipn(t, tp.net, "link", "set", p, "mtu", "9000", "master", "br0", "up")
	}
	sh(t, "ip", "netns", "exec", tp.node, "sysctl", "-qw", "net.ipv6.conf.app.disable_ipv6=1")
	ipn(t, tp.node, "link", "set", "app", "up")
	if err := kernel.DisableOffloads(tp.node, "app"); err != nil {
		t.Fatal(err)
	}
}

// provisionRouted creates the provider side as provision does and a
// consumer VPC 10.0.0.0/16 whose endpoint subnet 10.0.1.0/24 holds the
// routed endpoint (the service needs no acceptance: it is available at
// once), with the pattern's route tables recorded in the state as AWS
// would hold them.
func (e *e2e) provisionRouted() {
	name := "gwe-" + e.tp.suffix
	vpc := e.cli("ec2", "create-vpc", "--cidr-block", "198.19.0.0/16", "--query", "Vpc.VpcId", "--output", "text")
	subnet := e.cli("ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "198.19.0.0/24", "--availability-zone", "us-east-1a",
		"--query", "Subnet.SubnetId", "--output", "text")
	e.ids.lbArn = e.cli("elbv2", "create-load-balancer", "--name", name, "--type", "gateway", "--subnets", subnet,
		"--query", "LoadBalancers[0].LoadBalancerArn", "--output", "text")
	e.ids.tgArn = e.cli("elbv2", "create-target-group", "--name", name, "--protocol", "GENEVE", "--port", "6081",
		"--vpc-id", vpc, "--target-type", "ip", "--health-check-protocol", "TCP", "--health-check-port", "80",
		"--query", "TargetGroups[0].TargetGroupArn", "--output", "text")
	e.cli("elbv2", "register-targets", "--target-group-arn", e.ids.tgArn, "--targets", "Id="+appliance1, "Id="+appliance2)
	e.cli("elbv2", "create-listener", "--load-balancer-arn", e.ids.lbArn,
		"--default-actions", "Type=forward,TargetGroupArn="+e.ids.tgArn)
	e.ids.serviceID = e.cli("ec2", "create-vpc-endpoint-service-configuration", "--gateway-load-balancer-arns", e.ids.lbArn,
		"--no-acceptance-required", "--query", "ServiceConfiguration.ServiceId", "--output", "text")
	e.ids.serviceName = e.cli("ec2", "describe-vpc-endpoint-service-configurations", "--service-ids", e.ids.serviceID,
		"--query", "ServiceConfigurations[0].ServiceName", "--output", "text")
	cvpc := e.cli("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16", "--query", "Vpc.VpcId", "--output", "text")
	esub := e.cli("ec2", "create-subnet", "--vpc-id", cvpc, "--cidr-block", "10.0.1.0/24", "--availability-zone", "us-east-1a",
		"--query", "Subnet.SubnetId", "--output", "text")
	e.ids.endpointID = e.cli("ec2", "create-vpc-endpoint", "--vpc-endpoint-type", "GatewayLoadBalancer",
		"--service-name", e.ids.serviceName, "--vpc-id", cvpc, "--subnet-ids", esub,
		"--query", "VpcEndpoint.VpcEndpointId", "--output", "text")
	if st := e.cli("ec2", "describe-vpc-endpoints", "--vpc-endpoint-ids", e.ids.endpointID,
		"--query", "VpcEndpoints[0].State", "--output", "text"); st != "available" {
		e.t.Fatalf("new endpoint is %q, want available", st)
	}
}

// writeRoutedNodeConfig writes serve's node config for the routed run:
// the routed endpoint on rt0, with a route through a router that never
// answers; extra is YAML inserted before flows.
func (e *e2e) writeRoutedNodeConfig(extra string) string {
	e.stats = filepath.Join(e.dir, "serve-stats.json")
	cfg := fmt.Sprintf(`# gwlbctl serve node config for the routed end-to-end test
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
    mode: routed
    device: net_af_packet1,iface=rt0
    address: %s/24
    gateway: %s
    address6: %s/64
    gateway6: %s
    routes:
      - {dst: %s, via: %s}
    mac: "%s"
    tap: gwlbe0
%sflows:
  capacity: 65536
stats:
  interval: 5s
  file: %s
api:
  socket: %s
`, e.ids.lbArn, e.state, nodeIP, e.ids.endpointID, routedEndpointIP, routedRouterIP, routedEndpointIP6, routedRouterIP6, blackholeDst, blackholeRouterIP, routedMAC, extra, e.stats, e.socket())
	p := filepath.Join(e.dir, fmt.Sprintf("node-%d.yaml", time.Now().UnixNano()))
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// configEdit is one change to a generated node config: old, replaced once
// by new.
type configEdit struct{ old, new string }

// routedRun builds the routed topology with consumer links of MTU mtu,
// provisions it, starts the appliances, and starts serve on the routed
// node config with edits applied.
func routedRun(t *testing.T, mtu int, edits ...configEdit) (*e2e, *routedTopology) {
	t.Helper()
	requireRoot(t)
	dir := t.TempDir()
	rt := newRoutedTopology()
	e := &e2e{t: t, dir: dir, state: filepath.Join(dir, "state.json"), tp: rt.tp}
	e.bin = buildBinary(t, dir)
	rt.up(t, mtu)
	e.provisionRouted()
	e.startAppliances()
	p := e.writeRoutedNodeConfig("")
	cfg := readFile(p)
	for _, c := range edits {
		cfg = replaceIn(t, cfg, c.old, c.new)
	}
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	e.startServe(p)
	return e, rt
}

// serveCheck runs `gwlbctl serve --check` on a node config and returns
// its output and whether it succeeded.
func (e *e2e) serveCheck(nodeConfig string) (string, bool) {
	out, err := exec.Command("ip", "netns", "exec", e.tp.node, e.bin, "serve", "--check", "--node-config", nodeConfig).CombinedOutput()
	return string(out), err == nil
}

// replaceIn returns s with old replaced by new once, failing when old is
// not there.
func replaceIn(t *testing.T, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("%q not in:\n%s", old, s)
	}
	return strings.Replace(s, old, new, 1)
}
