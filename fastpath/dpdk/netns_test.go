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
		if err := QuietKernelSide(h); err != nil {
			t.Fatal(err)
		}
	}
	// Without this the senders' UDP checksums are left to "hardware".
	if err := DisableOffloads(left, lp); err != nil {
		t.Fatal(err)
	}
	if err := DisableOffloads(right, rp); err != nil {
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
// node's MAC or broadcast go to the kernel, the rest is dropped.
type toKernel struct{ mac net.HardwareAddr }

func (h toKernel) Process(pkts []engine.Packet, now int64) {
	for i := range pkts {
		p := &pkts[i]
		dst := p.Buf[p.Off : p.Off+6]
		if bytes.Equal(dst, h.mac) || bytes.Equal(dst, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}) {
			p.Verdict = engine.Exception
		} else {
			p.Verdict = engine.Drop
		}
	}
}

// A host on the appliance network pings the node's address: the request
// enters the appliance port (net_af_packet), goes to the kernel through
// the exception TAP, and the kernel's ARP and echo replies leave through
// the TAP and the appliance port. The kernel side of the veth is quieted,
// so no other path exists. The neighbour table then holds the host, and
// ResolveNeighbour makes the kernel learn a second one.
func TestExceptionTAP(t *testing.T) {
	e := needEAL(t)
	a, b, c := testSubnet()
	ns := newNetns(t)
	host, peer := vethInto(t, ns, fmt.Sprintf("%d.%d.%d.2/24", a, b, c))
	sh(t, "ip", "-n", ns, "addr", "add", fmt.Sprintf("%d.%d.%d.3/24", a, b, c), "dev", peer)
	if err := QuietKernelSide(host); err != nil {
		t.Fatal(err)
	}
	tap := uniq("gwx")
	node := netip.MustParsePrefix(fmt.Sprintf("%d.%d.%d.1/24", a, b, c))
	f, err := NewForwarder(e, ForwarderConfig{
		Name:      uniq("exc"),
		Ports:     []PortConfig{{Device: "net_af_packet" + host + ",iface=" + host, Promiscuous: true}},
		Exception: &ExceptionConfig{Interface: tap, AppliancePort: 0, Address: node},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := f.Close(); err != nil {
			t.Error(err)
		}
		if _, err := netlink.LinkByName(tap); err == nil {
			t.Errorf("TAP %s still exists after Close", tap)
		}
	}()
	mac, err := f.Ports()[0].MAC()
	if err != nil {
		t.Fatal(err)
	}
	link, err := netlink.LinkByName(tap)
	if err != nil {
		t.Fatalf("TAP %s: %v", tap, err)
	}
	if link.Attrs().HardwareAddr.String() != mac.String() {
		t.Fatalf("TAP MAC %s, appliance port MAC %s", link.Attrs().HardwareAddr, mac)
	}
	if err := f.Start([]BurstHandler{toKernel{mac}}); err != nil {
		t.Fatal(err)
	}
	out := sh(t, "ip", "netns", "exec", ns, "ping", "-c", "3", "-i", "0.2", "-W", "2", "-I", fmt.Sprintf("%d.%d.%d.2", a, b, c), node.Addr().String())
	if !strings.Contains(out, " 0% packet loss") || strings.Contains(out, "DUP") {
		t.Fatalf("ping the node: %s", out)
	}
	s := f.Stats()[0]
	if s.Exception < 4 || s.KernelOut < 4 || s.ExceptionTx.Sent < 4 || s.Tx[0].Sent < 4 {
		t.Fatalf("ARP and 3 echoes must cross the exception path both ways: %+v", s)
	}

	peerMAC := sh(t, "ip", "-n", ns, "-br", "link", "show", peer)
	hostIP := netip.MustParseAddr(fmt.Sprintf("%d.%d.%d.2", a, b, c))
	second := netip.MustParseAddr(fmt.Sprintf("%d.%d.%d.3", a, b, c))
	find := func(ip netip.Addr) *Neighbour {
		ns, err := Neighbours(tap)
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
	waitFor(t, "the pinging host in the neighbour table", 3*time.Second, func() bool { return find(hostIP) != nil })
	if n := find(hostIP); !strings.Contains(peerMAC, n.MAC.String()) {
		t.Fatalf("neighbour %s has MAC %s; the host's link is %s", hostIP, n.MAC, peerMAC)
	}
	if find(second) != nil {
		t.Fatalf("%s resolved before anyone asked", second)
	}
	if err := ResolveNeighbour(tap, second); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "ResolveNeighbour to fill the table", 3*time.Second, func() bool { return find(second) != nil })
}

// The MTU reaches the kernel interface behind net_af_packet; a jumbo MTU
// is refused with the driver's limit (DPDK 22.11's net_af_packet caps
// frames at 1518 bytes whatever its framesz).
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
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = e.OpenPort(PortConfig{Device: "net_af_packetj" + host + ",iface=" + host, MTU: 9000}, pool)
	if err == nil || !strings.Contains(err.Error(), "allows MTU") {
		t.Fatalf("MTU 9000 on net_af_packet: %v; want a refusal naming the driver's limit", err)
	}
}
