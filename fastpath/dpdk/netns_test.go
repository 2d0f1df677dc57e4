package dpdk

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/fastpath/engine"
	"github.com/gwlbctl/gwlbctl/fastpath/kernel"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// testSubnet picks a /24 in 198.18.0.0/15 (reserved for benchmarking) for
// one test, so concurrent runs rarely meet.
func testSubnet() (a, b, c byte) { return 198, 18 + byte(rand.IntN(2)), byte(rand.IntN(250) + 1) }

// Two namespaces on one subnet joined only by the forwarder: each veth's
// host end is a net_af_packet port and the handler wires port 0 to port 1.
// ARP and ping cross DPDK in both directions as real frames.
func TestAfPacketWire(t *testing.T) {
	e := needEAL(t)
	a, b, c := testSubnet()
	left, right := newNetns(t), newNetns(t)
	lh, lp := vethInto(t, left, fmt.Sprintf("%d.%d.%d.1/24", a, b, c))
	rh, rp := vethInto(t, right, fmt.Sprintf("%d.%d.%d.2/24", a, b, c))
	for _, h := range []string{lh, rh} {
		if err := kernel.QuietKernelSide(h); err != nil {
			t.Fatal(err)
		}
	}
	// Without this the senders' UDP checksums are left to "hardware".
	if err := kernel.DisableOffloads(left, lp); err != nil {
		t.Fatal(err)
	}
	if err := kernel.DisableOffloads(right, rp); err != nil {
		t.Fatal(err)
	}
	f, err := NewForwarder(e, ForwarderConfig{
		Name: uniq("wire"),
		Ports: []PortConfig{
			{Device: "net_af_packet" + lh + ",iface=" + lh, Promiscuous: true, MTU: 1500},
			{Device: "net_af_packet" + rh + ",iface=" + rh, Promiscuous: true, MTU: 1500},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Start([]BurstHandler{wire{}}); err != nil {
		t.Fatal(err)
	}
	out := sh(t, "ip", "netns", "exec", left, "ping", "-c", "3", "-i", "0.2", "-W", "2", fmt.Sprintf("%d.%d.%d.2", a, b, c))
	if !strings.Contains(out, " 0% packet loss") {
		t.Fatalf("ping across the wire: %s", out)
	}
	// UDP the other way (checksummed by the sender's kernel, verified by
	// the receiver's), checked byte for byte.
	payload := []byte(fmt.Sprintf("gwlbctl-%d", rand.Int64()))
	srv := udpSocketIn(t, left, func() (net.Conn, error) {
		return net.ListenUDP("udp4", &net.UDPAddr{Port: 7777})
	}).(*net.UDPConn)
	cli := udpSocketIn(t, right, func() (net.Conn, error) {
		return net.Dial("udp4", fmt.Sprintf("%d.%d.%d.1:7777", a, b, c))
	})
	if _, err := cli.Write(payload); err != nil {
		t.Fatal(err)
	}
	_ = srv.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 100)
	n, _, err := srv.ReadFromUDP(buf)
	if err != nil || !bytes.Equal(buf[:n], payload) {
		t.Fatalf("UDP across the wire: %q, %v; want %q", buf[:n], err, payload)
	}
	f.Stop()
	s := f.Stats()[0]
	if s.Tx[0].Sent == 0 || s.Tx[1].Sent == 0 {
		t.Fatalf("both directions must cross DPDK: %+v", s)
	}
	st, err := f.Ports()[0].Stats()
	if err != nil || st.RxPackets == 0 || st.TxPackets == 0 {
		t.Fatalf("af_packet port stats %+v %v", st, err)
	}
}

// udpSocketIn opens a socket inside network namespace ns: a socket keeps
// the namespace it was created in, whatever thread uses it later.
func udpSocketIn(t *testing.T, ns string, open func() (net.Conn, error)) net.Conn {
	t.Helper()
	type result struct {
		c   net.Conn
		err error
	}
	ch := make(chan result, 1)
	go func() {
		// Never unlocked: the thread ends with the goroutine, so no other
		// goroutine runs in the namespace.
		runtime.LockOSThread()
		h, err := netns.GetFromName(ns)
		if err != nil {
			ch <- result{nil, err}
			return
		}
		defer h.Close()
		if err := netns.Set(h); err != nil {
			ch <- result{nil, err}
			return
		}
		c, err := open()
		ch <- result{c, err}
	}()
	r := <-ch
	if r.err != nil {
		t.Fatalf("socket in %s: %v", ns, r.err)
	}
	t.Cleanup(func() { r.c.Close() })
	return r.c
}

// toKernel is the exception path's part of the engine: frames for the
// receiving port's MAC, broadcast or multicast (ARP, IPv6 neighbour
// discovery) go to that port's TAP, the rest is dropped.
type toKernel struct{ macs []net.HardwareAddr }

func (h toKernel) Process(pkts []engine.Packet, now int64) {
	for i := range pkts {
		p := &pkts[i]
		dst := p.Buf[p.Off : p.Off+6]
		if bytes.Equal(dst, h.macs[p.Port]) || dst[0]&1 != 0 {
			p.Verdict, p.Out = engine.Exception, p.Port
		} else {
			p.Verdict = engine.Drop
		}
	}
}

// Two ports, each with its own exception TAP, on two networks: a host on
// each pings the node's address on its network (IPv4 on the first, IPv4
// and IPv6 on the second). Requests enter the port (net_af_packet), go to
// that port's TAP, and the kernel's ARP, neighbour advertisements and echo
// replies leave through the same TAP and port; the kernel sides of the
// veths are quieted, so no other path exists. Each TAP's neighbour table
// then holds its own network's host and not the other's, and
// ResolveNeighbour makes the kernel learn a second one on the first.
func TestExceptionTAP(t *testing.T) {
	e := needEAL(t)
	type network struct {
		ns, host, peer string
		peerIP, second netip.Addr
		node           netip.Prefix
		node6, peer6   netip.Prefix
		tap            string
	}
	nets := make([]*network, 2)
	a, b, c := testSubnet()
	for i := range nets {
		n := &network{ns: newNetns(t), tap: uniq("gwx")}
		sub := fmt.Sprintf("%d.%d.%d", a, b, c+byte(i))
		n.host, n.peer = vethInto(t, n.ns, sub+".2/24")
		n.peerIP, n.second = netip.MustParseAddr(sub+".2"), netip.MustParseAddr(sub+".3")
		n.node = netip.MustParsePrefix(sub + ".1/24")
		sh(t, "ip", "-n", n.ns, "addr", "add", sub+".3/24", "dev", n.peer)
		if err := kernel.QuietKernelSide(n.host); err != nil {
			t.Fatal(err)
		}
		nets[i] = n
	}
	nets[1].node6 = netip.MustParsePrefix(fmt.Sprintf("2001:db8:%d:%d::1/64", b, c))
	nets[1].peer6 = netip.MustParsePrefix(fmt.Sprintf("2001:db8:%d:%d::2/64", b, c))
	sh(t, "ip", "-n", nets[1].ns, "addr", "add", nets[1].peer6.String(), "dev", nets[1].peer, "nodad")

	var ports []PortConfig
	for _, n := range nets {
		ports = append(ports, PortConfig{Device: "net_af_packet" + n.host + ",iface=" + n.host, Promiscuous: true, MTU: 1400,
			Exception: &ExceptionConfig{Interface: n.tap}})
	}
	f, err := NewForwarder(e, ForwarderConfig{Name: uniq("exc"), Ports: ports})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := f.Close(); err != nil {
			t.Error(err)
		}
		for _, n := range nets {
			if _, err := netlink.LinkByName(n.tap); err == nil {
				t.Errorf("TAP %s still exists after Close", n.tap)
			}
		}
	}()
	xs := f.Exceptions()
	if len(xs) != 2 || xs[0].Port != 0 || xs[1].Port != 1 || f.ExceptionPort(1) != xs[1].TAP || f.ExceptionPort(2) != nil {
		t.Fatalf("exception paths %+v", xs)
	}
	var macs []net.HardwareAddr
	for i, n := range nets {
		mac, err := f.Ports()[i].MAC()
		if err != nil {
			t.Fatal(err)
		}
		macs = append(macs, mac)
		link, err := netlink.LinkByName(n.tap)
		if err != nil {
			t.Fatalf("TAP %s: %v", n.tap, err)
		}
		// The forwarder sets what DPDK sets and leaves the TAP down for
		// the caller to configure.
		if link.Attrs().HardwareAddr.String() != mac.String() || xs[i].MAC.String() != mac.String() || link.Attrs().MTU != 1400 || xs[i].MTU != 1400 {
			t.Fatalf("TAP %s: MAC %s MTU %d; port %d's MAC %s, MTU 1400", n.tap, link.Attrs().HardwareAddr, link.Attrs().MTU, i, mac)
		}
		if link.Attrs().Flags&net.FlagUp != 0 {
			t.Fatalf("TAP %s is up before Start and before its configuration", n.tap)
		}
		addrs := []netip.Prefix{n.node}
		if n.node6.IsValid() {
			addrs = append(addrs, n.node6)
		}
		if err := kernel.ConfigureTAP(xs[i].Interface, kernel.TAPConfig{Addresses: addrs}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Start([]BurstHandler{toKernel{macs}}); err != nil {
		t.Fatal(err)
	}
	for i, n := range nets {
		out := sh(t, "ip", "netns", "exec", n.ns, "ping", "-c", "3", "-i", "0.2", "-W", "2", "-I", n.peerIP.String(), n.node.Addr().String())
		if !strings.Contains(out, " 0% packet loss") || strings.Contains(out, "DUP") {
			t.Fatalf("ping the node on port %d: %s", i, out)
		}
	}
	out := sh(t, "ip", "netns", "exec", nets[1].ns, "ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", nets[1].node6.Addr().String())
	if !strings.Contains(out, " 0% packet loss") || strings.Contains(out, "DUP") {
		t.Fatalf("ping6 the node on port 1: %s", out)
	}
	var sum WorkerStats
	sum.Exceptions = make([]ExceptionStats, 2)
	for _, s := range f.Stats() {
		sum.Exception += s.Exception
		sum.KernelOut += s.KernelOut
		for i := range sum.Exceptions {
			sum.Exceptions[i].ToKernel.Sent += s.Exceptions[i].ToKernel.Sent
			sum.Exceptions[i].FromKernel += s.Exceptions[i].FromKernel
		}
	}
	// ARP and 3 echoes each way on port 0; the same plus neighbour
	// discovery and 3 IPv6 echoes on port 1.
	x0, x1 := sum.Exceptions[0], sum.Exceptions[1]
	if x0.ToKernel.Sent < 4 || x0.FromKernel < 4 || x1.ToKernel.Sent < 8 || x1.FromKernel < 8 ||
		sum.Exception != x0.ToKernel.Sent+x1.ToKernel.Sent || sum.KernelOut != x0.FromKernel+x1.FromKernel {
		t.Fatalf("per-port exception paths: %+v (totals %d to, %d from the kernel)", sum.Exceptions, sum.Exception, sum.KernelOut)
	}

	find := func(tap string, ip netip.Addr) *kernel.Neighbour {
		ns, err := kernel.Neighbours(tap)
		if err != nil {
			t.Fatal(err)
		}
		for i := range ns {
			if ns[i].IP == ip {
				return &ns[i]
			}
		}
		return nil
	}
	for i, n := range nets {
		peerMAC := sh(t, "ip", "-n", n.ns, "-br", "link", "show", n.peer)
		waitFor(t, "the pinging host in the neighbour table of "+n.tap, 3*time.Second, func() bool { return find(n.tap, n.peerIP) != nil })
		if nb := find(n.tap, n.peerIP); !strings.Contains(peerMAC, nb.MAC.String()) {
			t.Fatalf("neighbour %s has MAC %s; the host's link is %s", n.peerIP, nb.MAC, peerMAC)
		}
		if other := nets[1-i]; find(n.tap, other.peerIP) != nil {
			t.Fatalf("TAP %s (port %d) knows %s of the other port's network", n.tap, i, other.peerIP)
		}
	}
	waitFor(t, "the IPv6 host in the neighbour table", 3*time.Second, func() bool { return find(nets[1].tap, nets[1].peer6.Addr()) != nil })
	if find(nets[0].tap, nets[0].second) != nil {
		t.Fatalf("%s resolved before anyone asked", nets[0].second)
	}
	if err := kernel.ResolveNeighbour(nets[0].tap, nets[0].second); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "ResolveNeighbour to fill the table", 3*time.Second, func() bool { return find(nets[0].tap, nets[0].second) != nil })
}

// The MTU reaches the kernel interface behind net_af_packet and Port.MTU
// reports what the port can send; a jumbo MTU is refused with the
// driver's limit (DPDK 22.11's net_af_packet refuses an MTU above 1500
// whatever its framesz, yet sends frames up to framesz - 32 bytes).
func TestAfPacketMTU(t *testing.T) {
	e := needEAL(t)
	ns := newNetns(t)
	host, _ := vethInto(t, ns, "")
	pool, err := e.NewMempool(uniq("mtu"), 4096, DataRoomForMTU(9000))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Free()
	p, err := e.OpenPort(PortConfig{Device: "net_af_packet" + host + ",iface=" + host, MTU: 1400}, pool)
	if err != nil {
		t.Fatal(err)
	}
	l, err := netlink.LinkByName(host)
	if err != nil || l.Attrs().MTU != 1400 {
		t.Fatalf("kernel MTU after MTU 1400: %v %v", l.Attrs().MTU, err)
	}
	if m, err := p.MTU(); err != nil || m != 1400 {
		t.Fatalf("Port.MTU after MTU 1400: %d %v", m, err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	// A jumbo kernel interface: the driver's frames are the limit (2016
	// bytes with the Ethernet header), whatever the driver reports.
	sh(t, "ip", "link", "set", host, "mtu", "9000")
	p, err = e.OpenPort(PortConfig{Device: "net_af_packetk" + host + ",iface=" + host}, pool)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := p.MTU(); err != nil || m != 2002 {
		t.Fatalf("Port.MTU on a 9000-byte interface: %d %v, want 2002 (framesz 2048)", m, err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = e.OpenPort(PortConfig{Device: "net_af_packetj" + host + ",iface=" + host, MTU: 9000}, pool)
	if err == nil || !strings.Contains(err.Error(), "allows MTU") {
		t.Fatalf("MTU 9000 on net_af_packet: %v; want a refusal naming the driver's limit", err)
	}
}

// A net_af_packet port with frames larger than the default mbuf
// (framesz=9216, blocksz=16384) starts: the forwarder sizes the pool for them instead of
// the driver refusing with "will not fit in mbuf".
func TestAfPacketFrameSizeSizesThePool(t *testing.T) {
	e := needEAL(t)
	ns := newNetns(t)
	host, _ := vethInto(t, ns, "")
	f, err := NewForwarder(e, ForwarderConfig{Name: uniq("fsz"), Ports: []PortConfig{
		{Device: "net_af_packet" + host + ",iface=" + host + ",framesz=9216,blocksz=16384"},
	}})
	if err != nil {
		t.Fatalf("framesz=9216: %v", err)
	}
	defer f.Close()
	if r := f.Pool().DataRoom(); r < Headroom+9216 {
		t.Fatalf("data room %d for frames of 9216 bytes", r)
	}
}
