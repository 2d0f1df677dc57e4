//go:build e2e

package main

// The end-to-end topology: network namespaces, veths and a bridge, all
// named with this run's suffix and deleted on cleanup, even on failure.
//
//   client ns                node ns (gwlbctl serve)                server ns
//   c0 198.18.0.1  <-veth->  epa [net_af_packet, side A]
//   fd77::1                  epb [net_af_packet, side B]  <-veth->  s0 198.18.0.2, fd77::2
//                            app [net_af_packet, appliance port]
//                            gwlb0 (TAP, 198.19.0.10, app's MAC)
//                              |veth
//   appliance-network ns:   p0 -- br0 -- p1 <-veth-> e0 198.19.0.11 (appliance ns a1)
//                                      \- p2 <-veth-> e0 198.19.0.12 (appliance ns a2)
//
// Client and server share one IP subnet and reach each other only through
// serve's bump endpoint; every IP packet between them crosses an appliance.

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/gwlbctl/gwlbctl/fastpath/kernel"
)

const (
	clientIP4   = "198.18.0.1"
	serverIP4   = "198.18.0.2"
	clientIP6   = "fd77::1"
	serverIP6   = "fd77::2"
	nodeIP      = "198.19.0.10"
	appliance1  = "198.19.0.11"
	appliance2  = "198.19.0.12"
	roguePrefix = "198.19.0.66"
	nodeMAC     = "02:77:00:00:00:0a"
	clientMAC   = "02:77:00:00:00:01"
	serverMAC   = "02:77:00:00:00:02"
)

// topology names this run's namespaces.
type topology struct {
	suffix                    string
	client, server, node, net string
	app1, app2                string
}

func newTopology() *topology {
	s := fmt.Sprintf("%d", os.Getpid())
	return &topology{
		suffix: s,
		client: "gwe" + s + "-client",
		server: "gwe" + s + "-server",
		node:   "gwe" + s + "-node",
		net:    "gwe" + s + "-appnet",
		app1:   "gwe" + s + "-app1",
		app2:   "gwe" + s + "-app2",
	}
}

func (tp *topology) namespaces() []string {
	return []string{tp.client, tp.server, tp.node, tp.net, tp.app1, tp.app2}
}

// sh runs a command and fails the test with its output on error.
func sh(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// ipn runs `ip -n NS args...`.
func ipn(t testing.TB, ns string, args ...string) string {
	t.Helper()
	return sh(t, "ip", append([]string{"-n", ns}, args...)...)
}

// inNS runs a command in ns and returns its combined output and error.
func inNS(ns string, name string, args ...string) (string, error) {
	out, err := exec.Command("ip", append([]string{"netns", "exec", ns, name}, args...)...).CombinedOutput()
	return string(out), err
}

// up builds the whole topology and registers its removal.
func (tp *topology) up(t *testing.T) {
	t.Helper()
	t.Cleanup(tp.down)
	for _, ns := range tp.namespaces() {
		sh(t, "ip", "netns", "add", ns)
		ipn(t, ns, "link", "set", "lo", "up")
	}
	// Endpoint wire: client <-> node side A, node side B <-> server.
	ipn(t, tp.node, "link", "add", "epa", "type", "veth", "peer", "name", "c0", "netns", tp.client)
	ipn(t, tp.node, "link", "add", "epb", "type", "veth", "peer", "name", "s0", "netns", tp.server)
	ipn(t, tp.client, "link", "set", "c0", "address", clientMAC)
	ipn(t, tp.server, "link", "set", "s0", "address", serverMAC)
	ipn(t, tp.client, "addr", "add", clientIP4+"/24", "dev", "c0")
	ipn(t, tp.server, "addr", "add", serverIP4+"/24", "dev", "s0")
	ipn(t, tp.client, "addr", "add", clientIP6+"/64", "dev", "c0", "nodad")
	ipn(t, tp.server, "addr", "add", serverIP6+"/64", "dev", "s0", "nodad")

	// Appliance network: a bridge in its own namespace.
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
	}
	for _, p := range []string{"p0", "p1", "p2"} {
		ipn(t, tp.net, "link", "set", p, "mtu", "9000", "master", "br0", "up")
	}
	for _, d := range []struct{ ns, dev string }{{tp.node, "epa"}, {tp.node, "epb"}, {tp.node, "app"}} {
		// The node's ports belong to DPDK: no kernel IPv6 chatter on them.
		sh(t, "ip", "netns", "exec", d.ns, "sysctl", "-qw", "net.ipv6.conf."+d.dev+".disable_ipv6=1")
		ipn(t, d.ns, "link", "set", d.dev, "up")
	}
	ipn(t, tp.client, "link", "set", "c0", "up")
	ipn(t, tp.server, "link", "set", "s0", "up")

	// Veths hand packets over with checksums left to "hardware" and as
	// 64 KiB GSO super-packets; an AF_PACKET forwarder sees them like
	// that. Real NICs deliver finished frames, so make the senders finish
	// them in software.
	for _, d := range []struct{ ns, dev string }{
		{tp.client, "c0"}, {tp.server, "s0"}, {tp.app1, "e0"}, {tp.app2, "e0"},
		{tp.node, "epa"}, {tp.node, "epb"}, {tp.node, "app"},
	} {
		if err := kernel.DisableOffloads(d.ns, d.dev); err != nil {
			t.Fatalf("offloads of %s in %s: %v", d.dev, d.ns, err)
		}
	}
}

// down deletes every namespace of the run (their veths and bridge go
// with them). Errors are ignored: it also runs after partial set-ups.
func (tp *topology) down() {
	for _, ns := range tp.namespaces() {
		exec.Command("ip", "netns", "del", ns).Run()
	}
}

// linkMAC returns dev's MAC in ns.
func linkMAC(t testing.TB, ns, dev string) string {
	out := ipn(t, ns, "-br", "link", "show", dev)
	f := strings.Fields(out)
	if len(f) < 3 {
		t.Fatalf("ip link show %s: %q", dev, out)
	}
	return f[2]
}

// noLeftovers reports /var/run/dpdk entries that did not exist before.
func dpdkRunDirs() map[string]bool {
	m := map[string]bool{}
	ents, _ := os.ReadDir("/var/run/dpdk")
	for _, e := range ents {
		m[e.Name()] = true
	}
	return m
}
