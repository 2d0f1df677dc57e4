//go:build e2e

package main

// Two serve nodes of one load balancer sharing one control plane on a real
// etcd: each registers, both apply a CLI change, both pick the same target
// for every flow, and a node killed with SIGKILL leaves the registry when
// its lease expires, then registers again when restarted.
//
//   node-a ns: app (198.19.0.10) -- p0 -+- br0 (appliance-network ns)
//              epa <-> wa, epb <-> wb   |
//   node-b ns: app (198.19.0.13) -- p1 -+
//              epa <-> wa, epb <-> wb
//
// No traffic crosses: each node's wire ends in its own namespace; what is
// checked is what the nodes and the registry say.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/api"
	"github.com/gwlbctl/gwlbctl/control/store/etcdtest"
	"github.com/gwlbctl/gwlbctl/fastpath/kernel"
)

// scaleLeaseTTL is the nodes' lease in this test.
const scaleLeaseTTL = 2 * time.Second

// scaleNode is one serve of the two.
type scaleNode struct {
	id, ns, ip, mac, socket, config string
	cmd                             *exec.Cmd
	exited                          chan struct{} // closed when cmd ended, with its error in err
	err                             error
	log                             string
	runs                            int
}

// scaleTopology builds the appliance network and the two node namespaces,
// removed on cleanup.
func scaleTopology(t *testing.T, suffix string, nodes []*scaleNode) string {
	t.Helper()
	net := "gws" + suffix + "-appnet"
	spaces := []string{net}
	for _, n := range nodes {
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
	ipn(t, net, "link", "add", "br0", "type", "bridge")
	ipn(t, net, "link", "set", "br0", "up")
	for i, n := range nodes {
		p := fmt.Sprintf("p%d", i)
		ipn(t, n.ns, "link", "add", "app", "type", "veth", "peer", "name", p, "netns", net)
		ipn(t, n.ns, "link", "set", "app", "address", n.mac)
		ipn(t, net, "link", "set", p, "master", "br0", "up")
		ipn(t, n.ns, "link", "add", "epa", "type", "veth", "peer", "name", "wa")
		ipn(t, n.ns, "link", "add", "epb", "type", "veth", "peer", "name", "wb")
		for _, dev := range []string{"app", "epa", "epb", "wa", "wb"} {
			sh(t, "ip", "netns", "exec", n.ns, "sysctl", "-qw", "net.ipv6.conf."+dev+".disable_ipv6=1")
			ipn(t, n.ns, "link", "set", dev, "up")
			if err := kernel.DisableOffloads(n.ns, dev); err != nil {
				t.Fatalf("offloads of %s in %s: %v", dev, n.ns, err)
			}
		}
	}
	return net
}

// etcdInNamespace makes the etcd at addr (127.0.0.1:PORT of the host
// namespace) answer at the same address inside ns, where serve runs: a
// listener opened in ns (the test's thread enters ns for the listen(2)
// alone) whose connections the test relays to addr in its own namespace.
// Closed when t ends.
func etcdInNamespace(t *testing.T, ns, addr string) {
	t.Helper()
	l, err := listenIn(ns, addr)
	if err != nil {
		t.Fatalf("listening on %s in %s: %v", addr, ns, err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			in, err := l.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", addr)
			if err != nil {
				in.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, in, out)
			mu.Unlock()
			go func() { io.Copy(out, in); out.Close() }()
			go func() { io.Copy(in, out); in.Close() }()
		}
	}()
}

// listenIn opens a TCP listener on addr inside the named network namespace.
func listenIn(ns, addr string) (net.Listener, error) {
	runtime.LockOSThread()
	home, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		runtime.UnlockOSThread()
		return nil, err
	}
	defer unix.Close(home)
	target, err := unix.Open("/run/netns/"+ns, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		runtime.UnlockOSThread()
		return nil, err
	}
	defer unix.Close(target)
	if err := unix.Setns(target, unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return nil, err
	}
	l, lerr := net.Listen("tcp", addr)
	if err := unix.Setns(home, unix.CLONE_NEWNET); err != nil {
		// The thread stays locked, in ns: it ends with this goroutine.
		if l != nil {
			l.Close()
		}
		return nil, fmt.Errorf("returning to the test's namespace: %w", err)
	}
	runtime.UnlockOSThread()
	return l, lerr
}

// writeConfig writes the node's config: its own ports and socket, the
// shared etcd state.
func (n *scaleNode) writeConfig(t *testing.T, dir string, e *e2e) {
	n.config = filepath.Join(dir, n.id+".yaml")
	cfg := fmt.Sprintf(`load-balancer: %s
availability-zone: us-east-1a
state: %s
node: {id: %s, lease-ttl: %s}
eal:
  args: ["-l", "0,1", "--main-lcore", "0", "--in-memory", "--no-pci"]
appliance: {device: "net_af_packet0,iface=app", address: %s/24, tap: gwlb0}
endpoints: [{id: %s, mode: bump, side-a: "net_af_packet1,iface=epa", side-b: "net_af_packet2,iface=epb"}]
flows: {capacity: 4096}
stats: {interval: 0s}
api: {socket: %s}
`, e.ids.lbArn, e.state, n.id, scaleLeaseTTL, n.ip, e.ids.endpointID, n.socket)
	if err := os.WriteFile(n.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
}

// start runs the node's serve and waits until it forwards.
func (n *scaleNode) start(t *testing.T, e *e2e) {
	t.Helper()
	n.runs++
	n.log = filepath.Join(e.dir, fmt.Sprintf("%s-%d.log", n.id, n.runs))
	f, err := os.Create(n.log)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ip", "netns", "exec", n.ns, e.bin, "serve", "--node-config", n.config)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	n.cmd, n.exited = cmd, exited
	go func() { n.err = cmd.Wait(); close(exited) }()
	logPath := n.log
	// The node outlives a subtest that restarts it: the whole test stops it.
	e.t.Cleanup(func() {
		select {
		case <-exited:
		default:
			endServe(e.t, cmd.Process, func() error { <-exited; return n.err })
		}
		f.Close()
		if e.t.Failed() {
			e.t.Logf("%s:\n%s", filepath.Base(logPath), tail(readFile(logPath), 40))
		}
	})
	e.waitFor(60*time.Second, n.id+" forwarding", func() bool {
		select {
		case <-exited:
			return true
		default:
		}
		return strings.Contains(readFile(n.log), "node: forwarding")
	})
	if !strings.Contains(readFile(n.log), "node: forwarding") {
		t.Fatalf("%s did not start:\n%s", n.id, readFile(n.log))
	}
}

func (n *scaleNode) api(t *testing.T) *api.Client {
	c := api.NewClient(n.socket)
	t.Cleanup(c.Close)
	return c
}

// registered is `gwlbctl nodes`: the registry, by node id.
func registered(e *e2e) map[string]control.NodeRegistration {
	e.t.Helper()
	var res struct {
		Registry string
		Nodes    []control.NodeRegistration
	}
	if err := json.Unmarshal([]byte(e.cli("nodes", "--load-balancer", e.ids.lbArn)), &res); err != nil {
		e.t.Fatal(err)
	}
	m := map[string]control.NodeRegistration{}
	for _, r := range res.Nodes {
		m[r.NodeID] = r
	}
	return m
}

func TestScaleOutTwoNodesOnEtcd(t *testing.T) {
	requireRoot(t)
	srv := etcdtest.Start(t)
	dir := t.TempDir()
	e := &e2e{t: t, dir: dir, state: srv.NewLocation(t), tp: &topology{suffix: strconv.Itoa(os.Getpid())}}
	e.bin = buildBinary(t, dir)
	nodes := []*scaleNode{
		{id: "node-a", ns: "gws" + e.tp.suffix + "-a", ip: nodeIP, mac: "02:78:00:00:00:0a", socket: filepath.Join(dir, "a.sock")},
		{id: "node-b", ns: "gws" + e.tp.suffix + "-b", ip: "198.19.0.13", mac: "02:78:00:00:00:0b", socket: filepath.Join(dir, "b.sock")},
	}
	scaleTopology(t, e.tp.suffix, nodes)
	for _, n := range nodes {
		etcdInNamespace(t, n.ns, srv.Endpoint)
	}
	e.provision()
	e.cli("ec2", "accept-vpc-endpoint-connections", "--service-id", e.ids.serviceID, "--vpc-endpoint-ids", e.ids.endpointID)
	for _, n := range nodes {
		n.writeConfig(t, dir, e)
		n.start(t, e)
	}
	ctx := context.Background()

	t.Run("BothRegister", func(t *testing.T) {
		reg := registered(e)
		for _, n := range nodes {
			r, ok := reg[n.id]
			if !ok || r.LoadBalancer != e.ids.lbArn || r.AvailabilityZone != "us-east-1a" || r.ApplianceAddress != n.ip ||
				r.APISocket != n.socket || r.PID != n.cmd.Process.Pid || r.LeaseTTLSeconds != int64(scaleLeaseTTL/time.Second) {
				t.Errorf("%s's registration: %+v (all: %+v)", n.id, r, reg)
			}
			l, err := n.api(t).Nodes(ctx)
			if err != nil || !l.Registered || l.Registry != strings.SplitN(e.state, "?", 2)[0] || len(l.Nodes) != 2 || l.Nodes[0].NodeID != "node-a" || l.Nodes[1].NodeID != "node-b" {
				t.Errorf("%s's GET /nodes: %+v, %v", n.id, l, err)
			}
			info, err := n.api(t).Info(ctx)
			if err != nil || info.NodeID != n.id {
				t.Errorf("%s's GET /info: %+v, %v", n.id, info, err)
			}
		}
	})

	t.Run("ChangeReachesBoth", func(t *testing.T) {
		e.cli("elbv2", "register-targets", "--target-group-arn", e.ids.tgArn, "--targets", "Id=198.19.0.14")
		rev, err := strconv.ParseUint(e.cli("state", "show", "--query", "Revision", "--output", "text"), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range nodes {
			c := n.api(t)
			e.waitFor(10*time.Second, n.id+" on revision "+fmt.Sprint(rev)+" on every worker", func() bool {
				info, err := c.Info(ctx)
				if err != nil || info.Revision != rev || len(info.Workers) == 0 {
					return false
				}
				for _, w := range info.Workers {
					if w.Revision != rev {
						return false
					}
				}
				return true
			})
			ts, err := c.Targets(ctx)
			if err != nil || len(ts) != 3 {
				t.Errorf("%s's targets after the change: %+v, %v", n.id, ts, err)
			}
		}
	})

	t.Run("SameTargetOnBothNodes", func(t *testing.T) {
		a, b := nodes[0].api(t), nodes[1].api(t)
		seen := map[string]int{}
		for i := range 64 {
			proto := uint8(6)
			if i%2 == 1 {
				proto = 17
			}
			req := api.LookupRequest{Endpoint: e.ids.endpointID, Proto: proto,
				Src: netip.AddrPortFrom(netip.AddrFrom4([4]byte{198, 18, 0, byte(1 + i%7)}), uint16(40000+i)),
				Dst: netip.AddrPortFrom(netip.AddrFrom4([4]byte{198, 18, 0, 200}), uint16(80+i%3))}
			ra, err := a.Lookup(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			rb, err := b.Lookup(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if ra.Target == nil || rb.Target == nil || ra.Target.IP != rb.Target.IP || ra.Revision != rb.Revision {
				t.Fatalf("flow %d %v: node-a %+v, node-b %+v", i, req, ra, rb)
			}
			seen[ra.Target.IP.String()]++
		}
		if len(seen) < 2 {
			t.Errorf("64 flows all went to %v: the check would not see two nodes disagree", seen)
		}
		t.Logf("64 flows, the same target on both nodes: %v", seen)
	})

	t.Run("KilledNodeLeavesAndComesBack", func(t *testing.T) {
		b := nodes[1]
		oldPID := b.cmd.Process.Pid
		if err := b.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-b.exited
		killed := time.Now()
		e.waitFor(30*time.Second, "node-b's registration to expire", func() bool {
			_, ok := registered(e)["node-b"]
			return !ok
		})
		t.Logf("node-b's registration gone %s after SIGKILL (lease %s)", time.Since(killed).Round(10*time.Millisecond), scaleLeaseTTL)
		if l, err := nodes[0].api(t).Nodes(ctx); err != nil || len(l.Nodes) != 1 || l.Nodes[0].NodeID != "node-a" {
			t.Errorf("node-a's GET /nodes after node-b died: %+v, %v", l, err)
		}
		b.start(t, e)
		r, ok := registered(e)["node-b"]
		if !ok || r.PID == oldPID || r.PID != b.cmd.Process.Pid {
			t.Fatalf("restarted node-b's registration: %+v (pid %d, the killed one %d)", r, b.cmd.Process.Pid, oldPID)
		}
	})

	t.Run("CleanStopDeregisters", func(t *testing.T) {
		for _, n := range nodes {
			n.cmd.Process.Signal(syscall.SIGTERM)
			<-n.exited
			if n.err != nil {
				t.Errorf("%s's exit: %v\n%s", n.id, n.err, tail(readFile(n.log), 10))
			}
		}
		// Revoked before the process exits: gone at once.
		if reg := registered(e); len(reg) != 0 {
			t.Errorf("after both stopped: %+v", reg)
		}
	})
}
