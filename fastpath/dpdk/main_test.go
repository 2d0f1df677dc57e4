package dpdk

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/fastpath/engine"
)

// DPDK's EAL can be initialised once per process: TestMain initialises it
// for every test of the package (main lcore on CPU 0, one worker lcore on
// CPU 1, in-memory, hugepages) and cleans it up at the end. Tests that need
// a fresh process (signals, clean shutdown) re-run the test binary as a
// child (childEnv).
var (
	testEAL  *EAL
	skipEAL  string
	logLevel = flag.String("dpdk.loglevel", "", "DPDK log level for the tests (e.g. info, debug)")
)

const childEnv = "GWLBCTL_DPDK_TEST_CHILD"

func TestMain(m *testing.M) {
	flag.Parse()
	if mode := os.Getenv(childEnv); mode != "" {
		os.Exit(childMain(mode))
	}
	set := func(name string) bool {
		f := flag.Lookup(name)
		return f != nil && f.Value.String() != "" && f.Value.String() != "false"
	}
	switch {
	case set("test.list"):
		skipEAL = "listing tests only"
	case set("test.fuzz") || set("test.fuzzworker"):
		// The fuzz targets (device strings, lcore lists) need no DPDK.
		skipEAL = "fuzzing"
	case os.Geteuid() != 0:
		skipEAL = "needs root for DPDK (hugepages, vdevs, namespaces); run as root: sudo go test ./fastpath/dpdk/"
	default:
		e, err := InitEAL(EALConfig{LogLevel: *logLevel, Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
		if err != nil {
			fmt.Fprintln(os.Stderr, "dpdk tests: EAL init failed:", err)
			os.Exit(1)
		}
		testEAL = e
	}
	code := m.Run()
	// What EAL leaves in /var/run/dpdk is checked by
	// TestSignalShutdownLeavesNothing, in a child with its own prefix:
	// other DPDK processes on the machine share this one's.
	if testEAL != nil {
		_ = testEAL.Close()
	}
	os.Exit(code)
}

func needEAL(t testing.TB) *EAL {
	t.Helper()
	if testEAL == nil {
		t.Skip("dpdk: " + skipEAL)
	}
	return testEAL
}

func runtimeDirEntries() []string {
	var out []string
	_ = walkDir("/var/run/dpdk", &out)
	sort.Strings(out)
	return out
}

func walkDir(dir string, out *[]string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		p := dir + "/" + e.Name()
		*out = append(*out, p)
		if e.IsDir() {
			_ = walkDir(p, out)
		}
	}
	return nil
}

var nameSeq atomic.Uint32

// uniq returns a short name unique to this run: pid, a sequence and random bits.
func uniq(prefix string) string {
	var b [1]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s%d%s%d", prefix, os.Getpid()%100, hex.EncodeToString(b[:]), nameSeq.Add(1))
}

// --- handlers ---

// toPort forwards every packet to one port.
type toPort struct{ out uint16 }

func (h toPort) Process(pkts []engine.Packet, now int64) {
	for i := range pkts {
		pkts[i].Verdict = engine.Forward
		pkts[i].Out = h.out
	}
}

// wire forwards port 0 <-> port 1 unchanged (a bump in the wire).
type wire struct{}

func (wire) Process(pkts []engine.Packet, now int64) {
	for i := range pkts {
		pkts[i].Verdict = engine.Forward
		pkts[i].Out = pkts[i].Port ^ 1
	}
}

// --- frames ---

// udpFrame builds Ethernet/IPv4/UDP with a payload (checksums: IPv4 header
// computed, UDP 0).
func udpFrame(dst, src [6]byte, sip, dip [4]byte, sport, dport uint16, payload []byte) []byte {
	f := make([]byte, 14+20+8+len(payload))
	copy(f[0:6], dst[:])
	copy(f[6:12], src[:])
	binary.BigEndian.PutUint16(f[12:], 0x0800)
	ip := f[14:34]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(20+8+len(payload)))
	ip[8] = 64
	ip[9] = 17
	copy(ip[12:16], sip[:])
	copy(ip[16:20], dip[:])
	binary.BigEndian.PutUint16(ip[10:], ipChecksum(ip))
	u := f[34:42]
	binary.BigEndian.PutUint16(u[0:], sport)
	binary.BigEndian.PutUint16(u[2:], dport)
	binary.BigEndian.PutUint16(u[4:], uint16(8+len(payload)))
	copy(f[42:], payload)
	return f
}

func ipChecksum(h []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(h); i += 2 {
		s += uint32(binary.BigEndian.Uint16(h[i:]))
	}
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

// --- shell helpers for namespaces and veths ---

func sh(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func newNetns(t testing.TB) string {
	t.Helper()
	ns := uniq("gwdp")
	sh(t, "ip", "netns", "add", ns)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
	return ns
}

// vethInto creates a veth pair: host stays here (up), peer goes into ns
// (up) with the given address (if any).
func vethInto(t testing.TB, ns, addr string) (host, peer string) {
	t.Helper()
	host, peer = uniq("gwh"), uniq("gwp")
	sh(t, "ip", "link", "add", host, "type", "veth", "peer", "name", peer)
	t.Cleanup(func() { _ = exec.Command("ip", "link", "del", host).Run() })
	sh(t, "ip", "link", "set", peer, "netns", ns)
	sh(t, "ip", "link", "set", host, "up")
	sh(t, "ip", "-n", ns, "link", "set", peer, "up")
	sh(t, "ip", "-n", ns, "link", "set", "lo", "up")
	if addr != "" {
		sh(t, "ip", "-n", ns, "addr", "add", addr, "dev", peer)
	}
	return host, peer
}

func waitFor(t testing.TB, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
