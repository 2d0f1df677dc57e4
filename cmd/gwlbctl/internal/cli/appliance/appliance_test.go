package appliance

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	fpappliance "github.com/gwlbctl/gwlbctl/fastpath/appliance"
	"github.com/gwlbctl/gwlbctl/fastpath/packet"
)

func execAppliance(t *testing.T, args ...string) (*Options, error) {
	t.Helper()
	var got *Options
	opts := &Options{ErrOut: &strings.Builder{}}
	cmd := newCmdAppliance(opts, func(_ context.Context, o *Options) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SetOut(&strings.Builder{})
	cmd.SetErr(&strings.Builder{})
	return got, cmd.Execute()
}

func TestApplianceFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want Options
		err  string
	}{
		{name: "defaults", want: Options{Listen: "0.0.0.0:6081", HTTP: "0.0.0.0:80", Workers: 1,
			FlowTimeout: 350 * time.Second, MaxFlows: 1 << 20}},
		{name: "everything", args: []string{"--listen", "10.0.0.5:6081", "--drop", "tcp:5201", "--drop", "icmp",
			"--health-tcp", ":9000", "--http", "", "--workers", "2", "--flow-timeout", "1m", "--max-flows", "10", "--stats-file", "/tmp/s.json", "--socket-return"},
			want: Options{Listen: "10.0.0.5:6081", Drop: []string{"tcp:5201", "icmp"}, HealthTCP: ":9000", HTTP: "", Workers: 2,
				FlowTimeout: time.Minute, MaxFlows: 10, StatsFile: "/tmp/s.json", SocketReturn: true}},
		{name: "bad rule", args: []string{"--drop", "tcp:99999"}, err: "--drop: drop rule \"tcp:99999\": port must be"},
		{name: "bad workers", args: []string{"--workers", "0"}, err: "--workers must be at least 1"},
		{name: "argument", args: []string{"extra"}, err: "unknown command"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := execAppliance(t, tc.args...)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got.ErrOut, got.StopOnSignal = nil, nil
			if !reflect.DeepEqual(*got, tc.want) {
				t.Fatalf("got  %+v\nwant %+v", *got, tc.want)
			}
		})
	}
}

// TestApplianceRun runs the command's run function on loopback: a Geneve
// datagram comes back unchanged, a dropped one does not, the stats file
// holds the counters at exit, and cancelling stops it cleanly.
func TestApplianceRun(t *testing.T) {
	stats := filepath.Join(t.TempDir(), "stats.json")
	errOut := &bytes.Buffer{}
	ready := make(chan netip.AddrPort, 1)
	opts := &Options{Listen: "127.0.0.1:0", Drop: []string{"udp:53"}, HTTP: "127.0.0.1:0", Workers: 1,
		FlowTimeout: time.Minute, MaxFlows: 100, StatsFile: stats, ErrOut: &lockedWriter{w: errOut},
		SocketReturn: true, // the test reads returns on its ephemeral port
		Ready:        func(geneve netip.AddrPort) { ready <- geneve }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, opts) }()
	var to netip.AddrPort
	select {
	case to = <-ready:
	case err := <-done:
		t.Fatalf("Run: %v", err)
	}

	gw, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	datagram := func(dport uint16) []byte {
		inner := make([]byte, 28)
		packet.PutIPv4(inner, &packet.IPv4{TotalLen: 28, TTL: 64, Protocol: packet.ProtoUDP, Src: [4]byte{10, 0, 0, 1}, Dst: [4]byte{10, 0, 0, 2}})
		packet.PutUDP(inner[20:], &packet.UDP{SrcPort: 40000, DstPort: dport, Length: 8})
		d := make([]byte, 40+len(inner))
		packet.PutGeneveAWS(d, packet.EtherTypeIPv4, 0xabc, 0xdef, 77)
		copy(d[40:], inner)
		return d
	}
	good, dropped := datagram(123), datagram(53)
	// The socket is bound: the dropped datagram is read before the good
	// one (one worker, one sender), so the good one's reply means both
	// were counted.
	if _, err := gw.WriteToUDPAddrPort(dropped, to); err != nil {
		t.Fatal(err)
	}
	if _, err := gw.WriteToUDPAddrPort(good, to); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 2000)
	gw.SetReadDeadline(time.Now().Add(10 * time.Second)) // a bound for a broken appliance only
	n, _, err := gw.ReadFromUDPAddrPort(buf)
	if err != nil {
		t.Fatal(err)
	}
	if reply := buf[:n]; !bytes.Equal(reply, good) {
		t.Fatalf("reply % x, want % x", reply, good)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
	b, err := os.ReadFile(stats)
	if err != nil {
		t.Fatal(err)
	}
	var s fpappliance.Stats
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("stats file: %v", err)
	}
	if s.Returned != 1 || s.RuleHits["udp:53"] != 1 || s.Dropped != 1 || s.Received != 2 || len(s.Endpoints) != 1 ||
		s.Endpoints[0].EndpointID != "vpce-00000000000000abc" {
		t.Fatalf("stats %+v", s)
	}
	if log := errOut.String(); !strings.Contains(log, "appliance started") || !strings.Contains(log, "appliance stopped") {
		t.Fatalf("log: %s", log)
	}
}

// lockedWriter serialises writes from the appliance's goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
