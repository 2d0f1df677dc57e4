package appliance

import (
	"bytes"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/fastpath/packet"
)

// TestReturnPreservesPorts: as AWS's handler, the return goes from the
// appliance's address to GWLB's, from GWLB's source port to port 6081.
func TestReturnPreservesPorts(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("raw sockets need root")
	}
	// GWLB's Geneve port on 127.0.0.1, where the returns must arrive.
	geneve6081, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: packet.GenevePort})
	if err != nil {
		t.Skipf("port 6081 on 127.0.0.1 is busy: %v", err)
	}
	defer geneve6081.Close()
	// The appliance listens on 6081 too (another address), as on a target.
	a, err := New(Config{Listen: "127.0.0.2:6081"})
	if err != nil {
		t.Skipf("port 6081 on 127.0.0.2 is busy: %v", err)
	}
	defer a.Close()
	go a.Run(t.Context())

	gw := gwlbSocket(t, "127.0.0.1:0") // GWLB sends from an ephemeral port
	d := geneve(innerIPv4(packet.ProtoUDP, [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1000, 2000), 0xabc)
	if _, err := gw.WriteToUDPAddrPort(d, a.GeneveAddr()); err != nil {
		t.Fatal(err)
	}
	geneve6081.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 2048)
	n, from, err := geneve6081.ReadFromUDPAddrPort(buf)
	if err != nil {
		t.Fatalf("no return on port 6081: %v (appliance stats %+v)", err, a.Stats(0))
	}
	want := netip.AddrPortFrom(a.GeneveAddr().Addr(), gw.LocalAddr().(*net.UDPAddr).AddrPort().Port())
	if from != want {
		t.Errorf("return from %v, want %v (appliance address, GWLB's source port)", from, want)
	}
	if !bytes.Equal(buf[:n], d) {
		t.Errorf("return differs from the request")
	}
	// The counters are updated right after the send.
	for i := 0; a.Stats(0).Returned != 1 && i < 100; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if s := a.Stats(0); s.Returned != 1 {
		t.Errorf("returned = %d", s.Returned)
	}
}
