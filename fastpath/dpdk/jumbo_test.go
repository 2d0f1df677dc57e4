package dpdk

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netlink"

	"github.com/gwlbctl/gwlbctl/fastpath/engine"
	"github.com/gwlbctl/gwlbctl/fastpath/kernel"
	"github.com/gwlbctl/gwlbctl/fastpath/packet"
)

// Jumbo frames end to end through DPDK. net_tap and net_memif refuse an
// MTU above 1500 through rte_eth_dev_set_mtu, and net_af_packet needs its
// ring frames enlarged (framesz; the routed end-to-end test does that), so
// these tests use virtio-user ports
// (net_virtio_user, which takes MTUs up to 9710) whose other ends are
// vhost-user ports (net_vhost) of the same process, driven by the test
// from the control thread. vhost-user shares the mbuf memory with its
// peer through file descriptors, which EAL gives only with
// --single-file-segments: the tests run in a child process with their own
// EAL. Every mempool is created before the first virtio-user port: such a
// port sends each new memory segment to its peer while holding EAL's
// memory lock, and a vhost-user peer in the same process needs that lock
// to answer.

// jumboEALArgs are the child's EAL arguments.
var jumboEALArgs = []string{"-l", "0,1", "--main-lcore", "0", "--in-memory", "--single-file-segments", "--no-pci"}

// vhostPair opens and starts a vhost-user server port at sock (the test's
// side: started first, so that the virtio-user port given path=sock finds
// its socket when it is probed).
func vhostPair(e *EAL, name, sock string, pool *Mempool) (*Port, error) {
	p, err := e.OpenPort(PortConfig{Device: "net_vhost_" + name + ",iface=" + sock + ",queues=1"}, pool)
	if err != nil {
		return nil, err
	}
	if err := p.Start(); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// receiveOne polls p until one frame arrives (or the deadline passes).
func receiveOne(p *Port, within time.Duration) ([]byte, error) {
	deadline := time.Now().Add(within)
	for {
		got, err := p.ReceiveFrames(0)
		if err != nil {
			return nil, err
		}
		switch {
		case len(got) == 1:
			return got[0], nil
		case len(got) > 1:
			return nil, fmt.Errorf("%d frames arrived, want 1", len(got))
		case time.Now().After(deadline):
			return nil, fmt.Errorf("no frame within %v", within)
		}
		time.Sleep(time.Millisecond)
	}
}

// waitLinks waits until every port reports its link up.
func waitLinks(within time.Duration, ports ...*Port) error {
	deadline := time.Now().Add(within)
	for _, p := range ports {
		for {
			l, err := p.Link()
			if err != nil {
				return err
			}
			if l.Up {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("port %s: link still down after %v", p.Name(), within)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	return nil
}

// The jumbo node: an appliance port (MTU 8568, GWLB's 8500 + 68) and a
// routed endpoint port (MTU 9001, EC2's) whose router is 10.20.0.1.
var (
	jumboNodeIP   = netip.MustParsePrefix("198.18.7.1/24")
	jumboTarget   = netip.MustParseAddr("198.18.7.2")
	jumboTgtMAC   = [6]byte{0x02, 0xaa, 0, 0, 0, 0x02}
	jumboRouterIP = netip.MustParseAddr("10.20.0.1")
	jumboRouter   = [6]byte{0x02, 0x10, 0, 0, 0, 0x01}
	jumboEP       = uint64(0x0123456789abcdef0)
)

func jumboConfig(appMAC, epMAC [6]byte) (*engine.Config, error) {
	return engine.NewConfig(engine.Config{
		Ports: []engine.Port{
			{Name: "appliance", Role: engine.RoleAppliance, NodeIP: jumboNodeIP, NodeMAC: appMAC, MTU: packet.ApplianceMTU},
			{Name: "endpoint", Role: engine.RoleRouted, Endpoint: 0, Address: netip.MustParsePrefix("10.20.0.10/24"), MAC: epMAC, MTU: 9001,
				Routes: []engine.Route{{Dst: netip.MustParsePrefix("0.0.0.0/0"), Via: jumboRouterIP}}},
		},
		Endpoints: []engine.Endpoint{{ID: jumboEP, AttachmentID: 7, AZ: "az1"}},
		Targets:   []engine.Target{{ID: "t1", IP: jumboTarget, NextHopMAC: jumboTgtMAC, AZ: "az1"}},
		Neighbors: []engine.Neighbor{{Port: 1, IP: jumboRouterIP, MAC: jumboRouter}},
	}, nil)
}

// applianceReturnOf is what an appliance sends back for an encapsulated
// frame (AWS's handler: MACs and outer addresses swapped, ports kept).
func applianceReturnOf(enc []byte) []byte {
	r := append([]byte(nil), enc...)
	var m [6]byte
	copy(m[:], r[0:6])
	copy(r[0:6], r[6:12])
	copy(r[6:12], m[:])
	ip := r[14:34]
	var a [4]byte
	copy(a[:], ip[12:16])
	copy(ip[12:16], ip[16:20])
	copy(ip[16:20], a[:])
	ip[10], ip[11] = 0, 0
	binary.BigEndian.PutUint16(ip[10:], ipChecksum(ip))
	return r
}

// childJumbo sends an 8500-byte inner packet from the routed endpoint's
// link through the engine to the appliance port (8582 bytes on the wire),
// returns it as an appliance would and checks it leaves towards the
// router unchanged; then an 8501-byte packet, which must be counted
// too_big and go nowhere. Every frame must arrive in one mbuf.
func childJumbo() int {
	fail := func(err error) int { fmt.Fprintln(os.Stderr, "child:", err); return 1 }
	dir, tap := os.Getenv("GWLBCTL_DPDK_TEST_DIR"), os.Getenv("GWLBCTL_DPDK_TEST_TAP")
	e, err := InitEAL(EALConfig{Args: jumboEALArgs})
	if err != nil {
		return fail(err)
	}
	defer e.Close()
	peerPool, err := e.NewMempool("jumbo_peer", 4096, DataRoomForMTU(9001))
	if err != nil {
		return fail(err)
	}
	defer peerPool.Free()
	appPeer, err := vhostPair(e, "app", filepath.Join(dir, "app.sock"), peerPool)
	if err != nil {
		return fail(err)
	}
	defer appPeer.Close()
	epPeer, err := vhostPair(e, "ep", filepath.Join(dir, "ep.sock"), peerPool)
	if err != nil {
		return fail(err)
	}
	defer epPeer.Close()
	f, err := NewForwarder(e, ForwarderConfig{Name: "jumbo", Ports: []PortConfig{
		{Device: "net_virtio_user_app,path=" + filepath.Join(dir, "app.sock") + ",queues=1,mac=02:00:00:00:07:01", MTU: packet.ApplianceMTU},
		{Device: "net_virtio_user_ep,path=" + filepath.Join(dir, "ep.sock") + ",queues=1,mac=02:00:00:00:07:02", MTU: 9001,
			Exception: &ExceptionConfig{Interface: tap}},
	}})
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	// The routed port's exception TAP gets the port's jumbo MTU on the
	// kernel side (net_tap itself refuses MTUs above 1500).
	if l, err := netlink.LinkByName(tap); err != nil || l.Attrs().MTU != 9001 || f.Exceptions()[0].MTU != 9001 {
		return fail(fmt.Errorf("exception TAP %s: MTU %v (%v), want 9001", tap, l, err))
	}
	if err := kernel.ConfigureTAP(tap, kernel.TAPConfig{}); err != nil { // IPv6 off: the kernel stays silent
		return fail(err)
	}
	if err := waitLinks(10*time.Second, append(f.Ports(), appPeer, epPeer)...); err != nil {
		return fail(err)
	}
	var macs [2][6]byte
	for i, p := range f.Ports() {
		m, err := p.MAC()
		if err != nil {
			return fail(err)
		}
		copy(macs[i][:], m)
	}
	cfg, err := jumboConfig(macs[0], macs[1])
	if err != nil {
		return fail(err)
	}
	var pub engine.Publisher
	pub.Store(cfg)
	w, err := engine.NewWorker(engine.WorkerOptions{Config: &pub, FlowCapacity: 1024, GoHeap: true})
	if err != nil {
		return fail(err)
	}
	defer w.Close()
	if err := f.Start([]BurstHandler{w}); err != nil {
		return fail(err)
	}
	defer f.Stop()

	client := [4]byte{203, 0, 113, 5}
	server := [4]byte{10, 30, 0, 5}
	big := udpFrame(macs[1], jumboRouter, client, server, 40000, 9000, bytes.Repeat([]byte{0xa5}, packet.InnerMTU-28))
	if _, err := epPeer.SendFrames(0, peerPool, [][]byte{big}); err != nil {
		return fail(err)
	}
	enc, err := receiveOne(appPeer, 5*time.Second)
	if err != nil {
		return fail(fmt.Errorf("the 8500-byte packet did not reach the appliance side: %w (engine drops %v)", err, w.Stats().Totals.Drops))
	}
	if len(enc) != packet.EthernetHeaderLen+packet.ApplianceMTU || binary.BigEndian.Uint16(enc[36:]) != packet.GenevePort ||
		!bytes.Equal(enc[6:12], macs[0][:]) || !bytes.Equal(enc[0:6], jumboTgtMAC[:]) || !bytes.Equal(enc[82:], big[14:]) {
		return fail(fmt.Errorf("encapsulated frame of %d bytes (want %d) is not the 8500-byte packet in Geneve to the target", len(enc), packet.EthernetHeaderLen+packet.ApplianceMTU))
	}
	if _, err := appPeer.SendFrames(0, peerPool, [][]byte{applianceReturnOf(enc)}); err != nil {
		return fail(err)
	}
	dec, err := receiveOne(epPeer, 5*time.Second)
	if err != nil {
		return fail(fmt.Errorf("the return did not come back: %w (engine drops %v)", err, w.Stats().Totals.Drops))
	}
	if len(dec) != len(big) || !bytes.Equal(dec[0:6], jumboRouter[:]) || !bytes.Equal(dec[6:12], macs[1][:]) || !bytes.Equal(dec[12:], big[12:]) {
		return fail(fmt.Errorf("the return (%d bytes) is not the 8500-byte packet to the router", len(dec)))
	}

	tooBig := udpFrame(macs[1], jumboRouter, client, server, 40001, 9000, bytes.Repeat([]byte{0x5a}, packet.InnerMTU+1-28))
	if _, err := epPeer.SendFrames(0, peerPool, [][]byte{tooBig}); err != nil {
		return fail(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for w.Stats().Drop(engine.ReasonTooBig) == 0 {
		if time.Now().After(deadline) {
			return fail(errors.New("the 8501-byte packet was not counted too_big"))
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got, err := appPeer.ReceiveFrames(0); err != nil || len(got) != 0 {
		return fail(fmt.Errorf("the 8501-byte packet reached the appliance side (%d frames, %v)", len(got), err))
	}
	f.Stop()
	s := f.Stats()[0]
	st := w.Stats()
	if s.MultiSegment != 0 || s.Rx != 3 || st.Totals.EncapPkts != 1 || st.Totals.DecapPkts != 1 || st.TotalDrops() != 1 {
		return fail(fmt.Errorf("worker %+v engine %+v: want 3 single-segment frames, one each way and one too_big", s, st.Totals))
	}
	fmt.Printf("ok jumbo inner %d wire %d too_big %d data room %d\n", len(big)-14, len(enc), st.Drop(engine.ReasonTooBig), f.Pool().DataRoom())
	return 0
}

// TestJumboFramesVirtio: an 8500-byte inner packet crosses the engine both
// ways through DPDK ports with MTU 8568 (appliance) and 9001 (routed
// endpoint, with an exception TAP of MTU 9001) in one mbuf each; 8501
// bytes is counted too_big and sent nowhere.
func TestJumboFramesVirtio(t *testing.T) {
	needEAL(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=jumbo", "GWLBCTL_DPDK_TEST_DIR="+t.TempDir(), "GWLBCTL_DPDK_TEST_TAP="+uniq("gwj"))
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ok jumbo inner 8500 wire 8582 too_big 1") {
		t.Fatalf("jumbo child: %v\n%s", err, out)
	}
	t.Logf("%s", bytes.TrimSpace(out))
}
