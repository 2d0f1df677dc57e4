//go:build e2e

package main

// The three deployment patterns of a gateway load balancer endpoint in
// routed mode, end to end through `gwlbctl serve` and two appliances, on
// the routed topology (e2e_routed_test.go): one serve, one subtest per
// pattern.

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// routedPattern is one deployment pattern: traffic from a host in one
// namespace to one in another, which the VPC router sends through the
// endpoint.
type routedPattern struct {
	name           string
	from, to       string // namespaces
	fromIP, toIP   string
	fromIP6, toIP6 string
	port           int // first TCP/UDP port the pattern uses
	description    string
}

func TestRoutedPatterns(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	rt := newRoutedTopology()
	e := &e2e{t: t, dir: dir, state: filepath.Join(dir, "state.json"), tp: rt.tp}
	e.bin = buildBinary(t, dir)
	rt.up(t, 1500)
	e.provisionRouted()

	// Mistakes in a routed endpoint's config are refused before DPDK
	// starts, naming the key.
	t.Run("BadConfigRefusedAtStart", func(t *testing.T) { e.routedBadConfigs(t) })

	e.startAppliances()
	e.startServe(e.writeRoutedNodeConfig(""))

	// The endpoint's address answers on its subnet through its TAP (the
	// kernel answers ARP and ping).
	t.Run("EndpointAnswersOnItsSubnet", func(t *testing.T) {
		if err := e.ping(rt.vpc, false, routedEndpointIP, 2); err != nil {
			t.Fatalf("router -> endpoint %s: %v", routedEndpointIP, err)
		}
		if err := e.ping(rt.vpc, true, routedEndpointIP6, 2); err != nil {
			t.Fatalf("router -> endpoint %s: %v", routedEndpointIP6, err)
		}
	})

	for _, p := range []routedPattern{
		{name: "Inbound", from: rt.inet, to: rt.appA, fromIP: inetClientIP, toIP: appAIP, fromIP6: inetClientIP6, toIP6: appAIP6, port: 5100,
			description: "internet client -> internet gateway's ingress route -> endpoint -> appliance -> application server"},
		{name: "Outbound", from: rt.appA, to: rt.ext, fromIP: appAIP, toIP: extHostIP, fromIP6: appAIP6, toIP6: extHostIP6, port: 5200,
			description: "application host -> default route via the endpoint -> appliance -> NAT subnet -> internet host"},
		{name: "EastWest", from: rt.appA, to: rt.appB, fromIP: appAIP, toIP: appBIP, fromIP6: appAIP6, toIP6: appBIP6, port: 5300,
			description: "application subnet A -> endpoint -> appliance -> application subnet B"},
	} {
		t.Run(p.name, func(t *testing.T) {
			t.Log(p.description)
			e.routedPattern(t, p)
		})
	}

	// A route whose router never answers ARP: its packets are counted as
	// no_neighbor and dropped, the other traffic flows meanwhile.
	t.Run("NextHopNeverAnswers", func(t *testing.T) {
		runHelperIn(t, rt.appA, "udp-send", "0.0.0.0:0", "192.0.2.5:9", "6e6f206e65696768626f7572")
		e.waitFor(10*time.Second, "no_neighbor drops in serve's stats", func() bool {
			return e.serveStats().Totals.Drops["no_neighbor"] >= 3
		})
		if err := e.ping(rt.appA, false, appBIP, 3); err != nil {
			t.Errorf("east-west ping while a next hop stays unresolved: %v", err)
		}
		runHelperIn(t, rt.appA, "udp-send", "0.0.0.0:0", "192.0.2.5:9", "6e6f206e65696768626f7572")
		e.waitFor(10*time.Second, "more no_neighbor drops", func() bool {
			return e.serveStats().Totals.Drops["no_neighbor"] >= 6
		})
		if e.serve.ProcessState != nil {
			t.Fatal("serve exited")
		}
	})
}

// routedPattern checks one pattern: ping IPv4 and IPv6 both ways, 10 MiB of TCP
// checksummed at both ends (the receiver sees the sender's own address),
// UDP flows each crossing one appliance in both directions, and the
// appliances' drop rule blocking exactly UDP to port 7777.
func (e *e2e) routedPattern(t *testing.T, p routedPattern) {
	var err error
	for i := 0; i < 10; i++ { // the first packets may wait for ARP
		if err = e.ping(p.from, false, p.toIP, 1); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("first ping %s -> %s: %v", p.fromIP, p.toIP, err)
	}
	if err := e.ping(p.from, false, p.toIP, 3); err != nil {
		t.Errorf("ping %s -> %s: %v", p.fromIP, p.toIP, err)
	}
	if err := e.ping(p.to, false, p.fromIP, 3); err != nil {
		t.Errorf("ping %s -> %s: %v", p.toIP, p.fromIP, err)
	}
	for i := 0; i < 10; i++ { // the first packets may wait for neighbour discovery
		if err = e.ping(p.from, true, p.toIP6, 1); err == nil {
			break
		}
	}
	if err != nil {
		t.Errorf("first ping %s -> %s: %v", p.fromIP6, p.toIP6, err)
	}
	if err := e.ping(p.from, true, p.toIP6, 3); err != nil {
		t.Errorf("ping %s -> %s: %v", p.fromIP6, p.toIP6, err)
	}
	if err := e.ping(p.to, true, p.fromIP6, 3); err != nil {
		t.Errorf("ping %s -> %s: %v", p.toIP6, p.fromIP6, err)
	}

	addr := fmt.Sprintf("%s:%d", p.toIP, p.port)
	srv := startHelper(t, p.to, "tcp-echo", addr)
	out := runHelperIn(t, p.from, "tcp-send", addr, fmt.Sprint(10<<20), "42")
	if err := srv.wait(30 * time.Second); err != nil {
		t.Fatalf("tcp-echo: %v", err)
	}
	var sent, echoed, received, peer string
	var n1, n2, n3 int
	fmt.Sscanf(out, "sent %d %s\nechoed %d %s", &n1, &sent, &n2, &echoed)
	fmt.Sscanf(srv.output(), "received %d %s\npeer %s", &n3, &received, &peer)
	if n1 != 10<<20 || n2 != n1 || n3 != n1 || sent != echoed || sent != received || sent == "" {
		t.Fatalf("%s -> %s: sent %d %s, received %d %s, echoed back %d %s", p.fromIP, addr, n1, sent, n3, received, n2, echoed)
	}
	if ap, err := netip.ParseAddrPort(peer); err != nil || ap.Addr().String() != p.fromIP {
		t.Errorf("the receiver saw the connection from %q, want the sender's own address %s", peer, p.fromIP)
	}
	t.Logf("TCP %s -> %s: 10 MiB each way, sha256 %s… verified at both ends, receiver saw %s", p.fromIP, addr, sent[:16], peer)

	uaddr := fmt.Sprintf("%s:%d", p.toIP, p.port+1)
	before := e.applianceFlows()
	usrv := startHelper(t, p.to, "udp-echo", uaddr)
	res := e.udpProbe(p.from, uaddr, 16, 3)
	usrv.stop()
	after := e.applianceFlows()
	per := [2]int{}
	dst := netip.MustParseAddrPort(uaddr)
	for _, r := range res {
		if r.Echoed != r.Sent {
			t.Errorf("UDP flow %s -> %s: %d sent, %d echoed", r.Local, uaddr, r.Sent, r.Echoed)
		}
		src := netip.MustParseAddrPort(r.Local)
		seen := -1
		for i := range after {
			f, ok := after[i].find(src, dst)
			if !ok {
				continue
			}
			if seen >= 0 {
				t.Errorf("flow %s crossed both appliances", src)
			}
			seen = i
			fb, _ := before[i].find(src, dst)
			if f.forward-fb.forward < 3 || f.reverse-fb.reverse < 3 {
				t.Errorf("flow %s on appliance %d: %d forward, %d reverse packets; want both directions (3 each)", src, i+1, f.forward-fb.forward, f.reverse-fb.reverse)
			}
		}
		if seen < 0 {
			t.Errorf("flow %s crossed no appliance", src)
			continue
		}
		per[seen]++
	}
	t.Logf("16 UDP flows %s -> %s, both directions through one appliance each: %d on appliance 1, %d on appliance 2", p.fromIP, uaddr, per[0], per[1])

	// The appliances drop UDP to port 7777 (startAppliances): exactly that.
	blockedAt := fmt.Sprintf("%s:7777", p.toIP)
	b := startHelper(t, p.to, "udp-echo", blockedAt)
	for _, r := range e.udpProbe(p.from, blockedAt, 4, 3) {
		if r.Echoed != 0 {
			t.Errorf("UDP to port 7777 (dropped by the appliances' rule) came back: %+v", r)
		}
	}
	b.stop()
	hits := uint64(0)
	for _, a := range e.applianceFlows() {
		for _, v := range a.RuleHits {
			hits += v
		}
	}
	if hits == 0 {
		t.Errorf("the appliances counted no drop-rule hits")
	}
	tcp := startHelper(t, p.to, "tcp-echo", blockedAt)
	out = runHelperIn(t, p.from, "tcp-send", blockedAt, "100000", "7")
	if err := tcp.wait(10 * time.Second); err != nil || !strings.Contains(out, "echoed 100000") {
		t.Errorf("TCP to port 7777 (the rule is UDP only) failed: %v %s", err, out)
	}
}

// routedBadConfigs runs serve --check on broken routed configs: each is
// refused, naming the key.
func (e *e2e) routedBadConfigs(t *testing.T) {
	good := readFile(e.writeRoutedNodeConfig(""))
	if out, ok := e.serveCheck(e.writeRoutedNodeConfig("")); !ok {
		t.Fatalf("serve --check refused the good routed config:\n%s", out)
	}
	for _, tc := range []struct {
		name, config, want string
	}{
		{"NoAddress", replaceIn(t, good, "    address: "+routedEndpointIP+"/24\n", ""), "endpoints[0].address: required in routed mode"},
		{"AddressOutsideTheSubnet", strings.ReplaceAll(good, "10.0.1.", "10.0.9."), "endpoints[0].address: 10.0.9.10 is outside the subnets of endpoint"},
		{"PortGivenTwice", replaceIn(t, good, "net_af_packet1,iface=rt0", "net_af_packet1,iface=app"), "endpoints[0].device: DPDK devices"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(e.dir, "bad-"+tc.name+".yaml")
			if err := os.WriteFile(p, []byte(tc.config), 0o600); err != nil {
				t.Fatal(err)
			}
			out, ok := e.serveCheck(p)
			if ok || !strings.Contains(out, tc.want) {
				t.Errorf("serve --check: ok=%v, want a refusal naming %q:\n%s", ok, tc.want, out)
			}
		})
	}
}

// jumboDevices are the routed run's ports with frames large enough for a
// jumbo frame: net_af_packet's ring frames hold framesz - 32 bytes.
var jumboDevices = []configEdit{
	{"net_af_packet0,iface=app", "net_af_packet0,iface=app,framesz=16384,blocksz=16384,framecnt=256"},
	{"net_af_packet1,iface=rt0", "net_af_packet1,iface=rt0,framesz=16384,blocksz=16384,framecnt=256"},
}

// TestRoutedJumbo: GWLB's largest inner packet, 8500 bytes, crosses the
// inbound pattern end to end (ping and TCP with MTU 8500 on the consumer
// side) on links and an appliance network of MTU 9000; 8501 bytes is
// dropped and counted too_big, never fragmented.
func TestRoutedJumbo(t *testing.T) {
	e, rt := routedRun(t, 9000, jumboDevices...)
	if !strings.Contains(readFile(e.serveLog), "inner_mtu=8500") {
		t.Fatalf("serve does not carry 8500-byte inner packets:\n%s", tail(readFile(e.serveLog), 20))
	}

	pingSize := func(size int) error {
		// -M do: the sender never fragments; size is the ICMP payload,
		// 28 bytes less than the IP packet.
		out, err := inNS(rt.inet, "ping", "-c", "1", "-W", "2", "-M", "do", "-s", fmt.Sprint(size-28), appAIP)
		if err != nil {
			return fmt.Errorf("%v: %s", err, out)
		}
		return nil
	}
	t.Run("Ping8500", func(t *testing.T) {
		var err error
		for i := 0; i < 10; i++ { // the first packets may wait for ARP
			if err = pingSize(8500); err == nil {
				break
			}
		}
		if err != nil {
			t.Fatalf("8500-byte ping %s -> %s: %v", inetClientIP, appAIP, err)
		}
	})
	t.Run("Ping8501TooBig", func(t *testing.T) {
		before := e.freshStats().Totals.Drops["too_big"]
		if err := pingSize(8501); err == nil {
			t.Fatal("an 8501-byte ping crossed the endpoint")
		}
		e.waitFor(5*time.Second, "too_big counted", func() bool { return e.serveStats().Totals.Drops["too_big"] > before })
		if err := pingSize(8500); err != nil {
			t.Errorf("8500 bytes after the 8501: %v", err)
		}
	})
	t.Run("TCPAtMTU8500", func(t *testing.T) {
		ipn(t, rt.inet, "link", "set", "c0", "mtu", "8500")
		ipn(t, rt.appA, "link", "set", "s0", "mtu", "8500")
		before := e.freshStats().Totals.Drops["too_big"]
		addr := appAIP + ":5400"
		srv := startHelper(t, rt.appA, "tcp-echo", addr)
		out := runHelperIn(t, rt.inet, "tcp-send", addr, fmt.Sprint(10<<20), "43")
		if err := srv.wait(30 * time.Second); err != nil {
			t.Fatalf("tcp-echo: %v", err)
		}
		r := parseEcho(out, srv.output())
		if !r.ok(10 << 20) {
			t.Fatalf("%v", r)
		}
		if after := e.freshStats().Totals.Drops["too_big"]; after != before {
			t.Errorf("%d packets counted too_big during a transfer at MTU 8500", after-before)
		}
		t.Logf("TCP at MTU 8500: 10 MiB each way, sha256 %s… verified at both ends", r.sent[:16])
	})
}
