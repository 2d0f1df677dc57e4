package appliance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/fastpath/packet"
)

const (
	testEndpoint   = 0x0123456789abcdef
	testAttachment = 0x42
)

// innerIPv4 builds an IPv4 packet with a TCP or UDP header (or ICMP echo).
func innerIPv4(proto uint8, src, dst [4]byte, sport, dport uint16) []byte {
	l4 := 20
	if proto != packet.ProtoTCP {
		l4 = 8
	}
	b := make([]byte, 20+l4+6)
	packet.PutIPv4(b, &packet.IPv4{TotalLen: uint16(len(b)), TTL: 64, Protocol: proto, Src: src, Dst: dst})
	switch proto {
	case packet.ProtoTCP:
		packet.PutTCP(b[20:], &packet.TCP{SrcPort: sport, DstPort: dport, Flags: packet.TCPAck, Window: 100})
	case packet.ProtoUDP:
		packet.PutUDP(b[20:], &packet.UDP{SrcPort: sport, DstPort: dport, Length: uint16(8 + 6)})
	case packet.ProtoICMP:
		packet.PutICMP(b[20:], &packet.ICMP{Type: packet.ICMPEchoRequest, Rest: uint32(sport) << 16})
	}
	copy(b[20+l4:], "gwlbct")
	return b
}

func innerIPv6(proto uint8, sport, dport uint16) []byte {
	b := make([]byte, 40+8)
	packet.PutIPv6(b, &packet.IPv6{PayloadLen: 8, NextHeader: proto, HopLimit: 64,
		Src: [16]byte{0: 0xfd, 15: 1}, Dst: [16]byte{0: 0xfd, 15: 2}})
	packet.PutUDP(b[40:], &packet.UDP{SrcPort: sport, DstPort: dport, Length: 8})
	return b
}

// geneve wraps inner in GWLB's 40-byte header.
func geneve(inner []byte, cookie uint32) []byte {
	proto := packet.EtherTypeIPv4
	if inner[0]>>4 == 6 {
		proto = packet.EtherTypeIPv6
	}
	d := make([]byte, packet.AWSGeneveHeaderLen+len(inner))
	packet.PutGeneveAWS(d, proto, testEndpoint, testAttachment, cookie)
	copy(d[packet.AWSGeneveHeaderLen:], inner)
	return d
}

func TestCheck(t *testing.T) {
	rules, err := ParseRules([]string{"tcp:5201", "icmp"})
	if err != nil {
		t.Fatal(err)
	}
	a := &Appliance{cfg: Config{Drop: rules}}
	c, s := [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}
	noCookie := geneve(innerIPv4(packet.ProtoTCP, c, s, 40000, 80), 1)
	noCookie[0] = 0x06 // 6 option words: endpoint and attachment only
	noCookie = append(noCookie[:8+24], noCookie[40:]...)
	critical := append([]byte{}, geneve(innerIPv4(packet.ProtoUDP, c, s, 1, 2), 1)...)
	critical = append(append(append([]byte{}, critical[:40]...), 0xab, 0xcd, 0x85, 0x00), critical[40:]...)
	critical[0]++
	wrongProto := geneve(innerIPv4(packet.ProtoUDP, c, s, 1, 2), 1)
	wrongProto[2], wrongProto[3] = 0x86, 0xdd
	for _, tc := range []struct {
		name, reason, rule string
		d                  []byte
	}{
		{"tcp 80 returned", "", "", geneve(innerIPv4(packet.ProtoTCP, c, s, 40000, 80), 1)},
		{"tcp to 5201 dropped", DropRule, "tcp:5201", geneve(innerIPv4(packet.ProtoTCP, c, s, 40000, 5201), 1)},
		{"tcp from 5201 dropped", DropRule, "tcp:5201", geneve(innerIPv4(packet.ProtoTCP, s, c, 5201, 40000), 1)},
		{"udp 5201 returned", "", "", geneve(innerIPv4(packet.ProtoUDP, c, s, 40000, 5201), 1)},
		{"icmp dropped", DropRule, "icmp", geneve(innerIPv4(packet.ProtoICMP, c, s, 7, 0), 1)},
		{"ipv6 udp returned", "", "", geneve(innerIPv6(packet.ProtoUDP, 1, 2), 1)},
		{"missing cookie", DropMissingOptions, "", noCookie},
		{"unknown critical option", DropUnknownCritical, "", critical},
		{"protocol type says IPv6, packet is IPv4", DropMalformedInner, "", wrongProto},
		{"not geneve", DropMalformedGeneve, "", []byte{0xc0, 0, 0}},
		{"inner cut", DropMalformedInner, "", geneve(innerIPv4(packet.ProtoTCP, c, s, 1, 2), 1)[:60]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var g packet.Geneve
			var in packet.Inner
			reason, rule := a.Check(tc.d, &g, &in)
			if reason != tc.reason || rule != tc.rule {
				t.Fatalf("Check = %q %q, want %q %q", reason, rule, tc.reason, tc.rule)
			}
		})
	}
}

func TestParseRule(t *testing.T) {
	for _, tc := range []struct {
		in     string
		protos []uint8
		lo, hi uint16
		err    string
	}{
		{in: "tcp:5201", protos: []uint8{6}, lo: 5201, hi: 5201},
		{in: "UDP", protos: []uint8{17}},
		{in: "icmp", protos: []uint8{1, 58}},
		{in: "icmpv6", protos: []uint8{58}},
		{in: "udp:5000-5100", protos: []uint8{17}, lo: 5000, hi: 5100},
		{in: "47", protos: []uint8{47}},
		{in: "tcpp", err: "unknown protocol"},
		{in: "icmp:7", err: "have ports"},
		{in: "tcp:0", err: "port must be"},
		{in: "tcp:70000", err: "port must be"},
		{in: "tcp:20-10", err: "port must be"},
		{in: "300", err: "unknown protocol"},
	} {
		r, err := ParseRule(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !bytes.Equal(r.Protocols, tc.protos) || r.PortLo != tc.lo || r.PortHi != tc.hi || r.String() != tc.in {
			t.Errorf("%q: %+v %v", tc.in, r, err)
		}
	}
}

// startAppliance runs an appliance on loopback for one test.
func startAppliance(t *testing.T, cfg Config) (*Appliance, func() error, context.CancelFunc) {
	t.Helper()
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	// These tests play GWLB from an ephemeral-port socket that reads the
	// replies; returns as AWS's handler sends them (ports preserved, to
	// port 6081) are tested in return_linux_test.go.
	cfg.SocketReturn = true
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var runErr error
	go func() { runErr = a.Run(ctx); close(done) }()
	wait := func() error {
		select {
		case <-done:
			return runErr
		case <-time.After(5 * time.Second):
			return errors.New("appliance did not stop within 5 s")
		}
	}
	t.Cleanup(func() {
		cancel()
		if err := wait(); err != nil {
			t.Error(err)
		}
	})
	return a, wait, cancel
}

// gwlbSocket plays the load balancer node: a UDP socket on loopback.
func gwlbSocket(t *testing.T, addr string) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.MustParseAddrPort(addr)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// exchange sends d to the appliance and returns the reply and its source.
func exchange(t *testing.T, c *net.UDPConn, to netip.AddrPort, d []byte) ([]byte, netip.AddrPort) {
	t.Helper()
	if _, err := c.WriteToUDPAddrPort(d, to); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 10000)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, from, err := c.ReadFromUDPAddrPort(buf)
	if err != nil {
		t.Fatalf("no reply: %v", err)
	}
	return buf[:n], from
}

func getStats(t *testing.T, a *Appliance) Stats {
	t.Helper()
	resp, err := http.Get("http://" + a.HTTPAddr() + "/stats?flows=-1")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /stats: %s", resp.Status)
	}
	var s Stats
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestApplianceReturnsAndDrops(t *testing.T) {
	rules, _ := ParseRules([]string{"tcp:5201"})
	a, _, _ := startAppliance(t, Config{Drop: rules, HTTP: "127.0.0.1:0"})
	app := a.GeneveAddr()
	gw := gwlbSocket(t, "127.0.0.1:0")
	c, s := [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}

	// Both directions of one flow, with GWLB's cookie for it.
	fwd := geneve(innerIPv4(packet.ProtoTCP, c, s, 40000, 80), 0xc0ffee)
	rev := geneve(innerIPv4(packet.ProtoTCP, s, c, 80, 40000), 0xc0ffee)
	for _, d := range [][]byte{fwd, fwd, rev} {
		got, from := exchange(t, gw, app, d)
		if !bytes.Equal(got, d) {
			t.Fatalf("reply differs from the request:\n% x\n% x", got, d)
		}
		if from != app {
			t.Fatalf("reply from %v, want %v (port 6081 side kept)", from, app)
		}
	}
	// A dropped packet is never returned: the next reply is the next good one.
	dropped := geneve(innerIPv4(packet.ProtoTCP, c, s, 40001, 5201), 7)
	noOpts := append([]byte{0, 0, 0x08, 0x00, 0, 0, 0, 0}, fwd[40:]...) // Geneve without options
	if _, err := gw.WriteToUDPAddrPort(dropped, app); err != nil {
		t.Fatal(err)
	}
	if _, err := gw.WriteToUDPAddrPort(noOpts, app); err != nil {
		t.Fatal(err)
	}
	udp := geneve(innerIPv4(packet.ProtoUDP, c, s, 40000, 5201), 9)
	if got, _ := exchange(t, gw, app, udp); !bytes.Equal(got, udp) {
		t.Fatal("expected the UDP packet's reply; a dropped packet came back")
	}

	st := getStats(t, a)
	if st.Received != 6 || st.Returned != 4 || st.Dropped != 2 || st.Drops[DropRule] != 1 || st.Drops[DropMissingOptions] != 1 ||
		st.RuleHits["tcp:5201"] != 1 || !st.Healthy {
		t.Fatalf("totals %+v", st)
	}
	if len(st.Endpoints) != 1 || st.Endpoints[0].EndpointID != "vpce-00123456789abcdef" || st.Endpoints[0].Packets != 5 ||
		st.Endpoints[0].Dropped != 1 || st.Endpoints[0].AttachmentID != "0x42" || st.Endpoints[0].ActiveFlows != 3 {
		t.Fatalf("endpoints %+v", st.Endpoints)
	}
	var flow *FlowStats
	for i := range st.Flows {
		if st.Flows[i].A == "10.0.0.1:40000" && st.Flows[i].B == "10.0.0.2:80" {
			flow = &st.Flows[i]
		}
	}
	if flow == nil || flow.PacketsAB != 2 || flow.PacketsBA != 1 || flow.FlowCookie != "0x00c0ffee" || flow.Protocol != 6 ||
		flow.BytesAB != 2*46 || flow.GWLB != gw.LocalAddr().String() {
		t.Fatalf("flow %+v in %+v", flow, st.Flows)
	}
}

func TestApplianceRepliesFromTheAddressAskedFor(t *testing.T) {
	// Bound to 0.0.0.0, the reply must leave from the address GWLB sent
	// to (127.0.0.2 here), not from the one routing would pick.
	a, _, _ := startAppliance(t, Config{Listen: "0.0.0.0:0"})
	port := a.GeneveAddr().Port()
	gw := gwlbSocket(t, "127.0.0.1:0")
	to := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.2"), port)
	d := geneve(innerIPv6(packet.ProtoUDP, 1, 2), 5)
	got, from := exchange(t, gw, to, d)
	if !bytes.Equal(got, d) || from != to {
		t.Fatalf("reply from %v, want %v", from, to)
	}
}

func TestApplianceHealth(t *testing.T) {
	a, _, _ := startAppliance(t, Config{HealthTCP: "127.0.0.1:0", HTTP: "127.0.0.1:0"})
	dial := func() error {
		c, err := net.DialTimeout("tcp", a.HealthTCPAddr(), 2*time.Second)
		if err == nil {
			c.Close()
		}
		return err
	}
	get := func(path string) int {
		resp, err := http.Get("http://" + a.HTTPAddr() + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	post := func(q string) int {
		resp, err := http.Post("http://"+a.HTTPAddr()+"/health?"+q, "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if err := dial(); err != nil {
		t.Fatalf("TCP health check: %v", err)
	}
	if get("/health") != 200 || get("/") != 200 || get("/nothing") != 404 {
		t.Fatal("HTTP health answers while healthy")
	}
	if post("healthy=false") != 503 {
		t.Fatal("POST healthy=false")
	}
	if err := dial(); err == nil {
		t.Fatal("TCP health port still accepts while unhealthy")
	}
	if get("/health") != 503 || getStats(t, a).Healthy {
		t.Fatal("/health while unhealthy")
	}
	if post("healthy=maybe") != 400 {
		t.Fatal("bad healthy value accepted")
	}
	if post("healthy=true") != 200 || dial() != nil || get("/health") != 200 {
		t.Fatal("back to healthy")
	}
	// Failing HTTP with a chosen status (ResponseCodeMismatch end to end).
	if post("healthy=false&status=404") != 404 || get("/health") != 404 || get("/") != 404 {
		t.Fatal("healthy=false&status=404")
	}
	for _, q := range []string{"healthy=false&status=99", "healthy=false&status=x", "healthy=false&blackhole=perhaps", "healthy=true&status=500"} {
		if post(q) != 400 {
			t.Fatalf("POST %s accepted", q)
		}
	}
	// Black-hole: the request is read and never answered.
	if post("healthy=false&blackhole=true") != 503 {
		t.Fatal("healthy=false&blackhole=true")
	}
	cl := &http.Client{Timeout: 300 * time.Millisecond}
	if resp, err := cl.Get("http://" + a.HTTPAddr() + "/health"); err == nil {
		resp.Body.Close()
		t.Fatalf("a black-holed /health answered %d", resp.StatusCode)
	} else if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
		t.Fatalf("a black-holed /health: %v, want a timeout", err)
	}
	if post("healthy=true") != 200 || get("/health") != 200 || dial() != nil {
		t.Fatal("back to healthy after the black-hole")
	}
}

func TestApplianceStopsCleanly(t *testing.T) {
	a, wait, cancel := startAppliance(t, Config{HealthTCP: "127.0.0.1:0", HTTP: "127.0.0.1:0"})
	geneveAddr, tcpAddr, httpAddr := a.GeneveAddr(), a.HealthTCPAddr(), a.HTTPAddr()
	cancel()
	if err := wait(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	// Every socket is released: the same addresses bind again.
	u, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(geneveAddr))
	if err != nil {
		t.Fatalf("Geneve port still bound: %v", err)
	}
	u.Close()
	for _, addr := range []string{tcpAddr, httpAddr} {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatalf("%s still bound: %v", addr, err)
		}
		l.Close()
	}
}

func TestNewErrors(t *testing.T) {
	if _, err := New(Config{Listen: "nonsense"}); err == nil || !strings.Contains(err.Error(), "listen address") {
		t.Fatalf("err = %v", err)
	}
	a, _, _ := startAppliance(t, Config{})
	_, err := New(Config{Listen: a.GeneveAddr().String()})
	if !errors.Is(err, syscall.EADDRINUSE) || !strings.Contains(err.Error(), a.GeneveAddr().String()) {
		t.Fatalf("second appliance on one port: %v", err)
	}
	var opErr *net.OpError
	if !errors.As(err, &opErr) {
		t.Fatalf("error does not wrap the socket error: %v", err)
	}
}

func TestFlowExpiry(t *testing.T) {
	c := newCounters(2)
	var g packet.Geneve
	d := geneve(innerIPv4(packet.ProtoUDP, [4]byte{1, 1, 1, 1}, [4]byte{2, 2, 2, 2}, 1, 2), 1)
	if err := packet.ParseGeneve(d, &g); err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1000, 0)
	for i := uint16(0); i < 3; i++ {
		inner := innerIPv4(packet.ProtoUDP, [4]byte{1, 1, 1, 1}, [4]byte{2, 2, 2, 2}, 100+i, 2)
		var in packet.Inner
		if err := packet.ParseL3(inner, &in); err != nil {
			t.Fatal(err)
		}
		c.count(len(d), &g, &in, netip.AddrPort{}, "", "", t0.Add(time.Duration(i)*time.Second))
	}
	if s := c.snapshot(-1); s.ActiveFlows != 2 || s.Untracked != 1 || s.Returned != 3 {
		t.Fatalf("cap of 2 flows: %+v", s)
	}
	if n := c.expire(t0.Add(500 * time.Millisecond)); n != 1 {
		t.Fatalf("expired %d, want 1", n)
	}
	if s := c.snapshot(-1); s.ActiveFlows != 1 || s.Endpoints[0].ActiveFlows != 1 {
		t.Fatalf("after expiry %+v", s)
	}
}

// FuzzCheck: any datagram is classified, never a panic, and a datagram that
// is returned has all three AWS options and a parsable inner packet.
func FuzzCheck(f *testing.F) {
	c, s := [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}
	f.Add(geneve(innerIPv4(packet.ProtoTCP, c, s, 40000, 5201), 1))
	f.Add(geneve(innerIPv6(packet.ProtoUDP, 1, 2), 1))
	f.Add([]byte{0, 0, 0x08, 0, 0, 0, 0, 0})
	rules, _ := ParseRules([]string{"tcp:5201", "icmp", "udp:53"})
	a := &Appliance{cfg: Config{Drop: rules}}
	f.Fuzz(func(t *testing.T, d []byte) {
		var g packet.Geneve
		var in packet.Inner
		reason, rule := a.Check(d, &g, &in)
		if (rule != "") != (reason == DropRule) {
			t.Fatalf("reason %q rule %q", reason, rule)
		}
		if reason == "" {
			var g2 packet.Geneve
			var in2 packet.Inner
			if packet.ParseGeneve(d, &g2) != nil || !g2.HasAWSOptions() || packet.ParseL3(d[g2.HeaderLen:], &in2) != nil {
				t.Fatal("returned a datagram that does not parse")
			}
		}
	})
}

func TestWorkers(t *testing.T) {
	a, _, _ := startAppliance(t, Config{Workers: 3, HTTP: "127.0.0.1:0"})
	gw := gwlbSocket(t, "127.0.0.1:0")
	for i := 0; i < 50; i++ {
		d := geneve(innerIPv4(packet.ProtoUDP, [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, uint16(1000+i), 53), uint32(i))
		if got, _ := exchange(t, gw, a.GeneveAddr(), d); !bytes.Equal(got, d) {
			t.Fatal("reply differs")
		}
	}
	if st := getStats(t, a); st.Returned != 50 || st.ActiveFlows != 50 || len(st.Flows) != 50 {
		t.Fatalf("%+v", st)
	}
}

// TestSocketDropsCounted overflows the appliance's receive buffer before it
// reads anything and expects the kernel's drop count in the stats.
func TestSocketDropsCounted(t *testing.T) {
	a, err := New(Config{Listen: "127.0.0.1:0", HTTP: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	gw := gwlbSocket(t, "127.0.0.1:0")
	d := geneve(innerIPv4(packet.ProtoUDP, [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1, 2), 1)
	d = append(d, make([]byte, 1400)...) // padding after the inner packet
	for i := 0; i < 20000; i++ {
		if _, err := gw.WriteToUDPAddrPort(d, a.GeneveAddr()); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	// The kernel stamps its drop count on datagrams queued after the
	// drops, so keep sending one now and then.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if s := a.Stats(0); s.SocketReceiveDrops > 0 {
			if uint64(s.SocketReceiveDrops)+s.Received < 20000 {
				t.Fatalf("received %d of 20000 but only %d drops", s.Received, s.SocketReceiveDrops)
			}
			return
		}
		gw.WriteToUDPAddrPort(d, a.GeneveAddr())
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no socket drops counted: %+v", a.Stats(0))
}
