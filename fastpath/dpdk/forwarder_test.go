package dpdk

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/fastpath/engine"
	"github.com/gwlbctl/gwlbctl/fastpath/pcap"
)

func TestEALArgs(t *testing.T) {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	args, noHuge, err := buildEALArgs(EALConfig{Hugepages: "on"}, log)
	if err != nil || noHuge {
		t.Fatalf("defaults: %v %v", err, noHuge)
	}
	want := append(defaultLcores(), "--in-memory", "--no-pci", "--no-telemetry", "--log-level=notice")
	if same, _, _ := buildEALArgs(EALConfig{Hugepages: "on", Args: DefaultEALArgs}, log); !slices.Equal(same, want) {
		t.Fatalf("DefaultEALArgs given explicitly: %q, want %q", same, want)
	}
	if tel, _, _ := buildEALArgs(EALConfig{Hugepages: "on", Telemetry: true}, log); slices.Contains(tel, "--no-telemetry") {
		t.Fatalf("telemetry on: %q", tel)
	}
	if !slices.Equal(args, want) {
		t.Fatalf("default args %q, want %q", args, want)
	}

	args, _, _ = buildEALArgs(EALConfig{Hugepages: "on", PCI: []string{"0000:00:06.0,large_llq_hdr=1"}}, log)
	if slices.Contains(args, "--no-pci") || !strings.Contains(strings.Join(args, " "), "-a 0000:00:06.0,large_llq_hdr=1") {
		t.Fatalf("PCI args %q: want -a and no --no-pci", args)
	}

	args, noHuge, _ = buildEALArgs(EALConfig{Hugepages: "off", NoHugeMB: 256}, log)
	if !noHuge || !slices.Contains(args, "--no-huge") || !strings.Contains(strings.Join(args, " "), "-m 256") {
		t.Fatalf("hugepages off: %q %v", args, noHuge)
	}
	if slices.Contains(args, "--in-memory") || !slices.Contains(args, "--no-shconf") {
		t.Fatalf("--no-huge cannot go with --in-memory (EAL refuses it); want --no-shconf: %q", args)
	}

	args, noHuge, _ = buildEALArgs(EALConfig{MinHugeMB: 1 << 30}, log)
	if !noHuge || !slices.Contains(args, "--no-huge") {
		t.Fatalf("auto with too few hugepages must fall back to --no-huge: %q", args)
	}

	args, _, _ = buildEALArgs(EALConfig{Hugepages: "on", Args: []string{"-l", "0-1", "--file-prefix", "x"}, LogLevel: "debug"}, log)
	if slices.Contains(args, "--in-memory") || !slices.Contains(args, "--log-level=debug") {
		t.Fatalf("file-prefix keeps runtime files by choice, log level passes: %q", args)
	}

	if _, _, err := buildEALArgs(EALConfig{Hugepages: "maybe"}, log); err == nil {
		t.Fatal("bad hugepages mode accepted")
	}
	if _, _, err := buildEALArgs(EALConfig{Hugepages: "on", Args: []string{"--no-huge"}}, log); err == nil {
		t.Fatal("on + --no-huge accepted")
	}
}

func TestDataRoomForMTU(t *testing.T) {
	if got := DataRoomForMTU(1500); got != DefaultDataRoom {
		t.Fatalf("1500: %d", got)
	}
	if got := DataRoomForMTU(9001); got < Headroom+9001+14 || got%128 != 0 {
		t.Fatalf("9001: %d", got)
	}
}

func writePcap(t testing.TB, path string, frames [][]byte) {
	t.Helper()
	if err := pcap.WriteFile(path, frames); err != nil {
		t.Fatal(err)
	}
}

// readPcap reads what net_pcap wrote (libpcap, nanosecond timestamps).
func readPcap(t testing.TB, path string) [][]byte {
	t.Helper()
	frames, err := pcap.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return frames
}

func testFrames(n int) [][]byte {
	var out [][]byte
	for i := 0; i < n; i++ {
		payload := bytes.Repeat([]byte{byte(i)}, 18+i%200)
		out = append(out, udpFrame([6]byte{2, 0, 0, 0, 0, 2}, [6]byte{2, 0, 0, 0, 0, 1},
			[4]byte{198, 18, 0, 1}, [4]byte{198, 18, 0, 2}, uint16(1000+i), 9, payload))
	}
	return out
}

func TestEALInitialisedOnce(t *testing.T) {
	e := needEAL(t)
	if _, err := InitEAL(EALConfig{}); !errors.Is(err, ErrEALUsed) {
		t.Fatalf("second InitEAL: %v, want ErrEALUsed", err)
	}
	if len(e.WorkerLcores()) < 1 || e.MainLcore() != 0 {
		t.Fatalf("lcores: main %d workers %v; want main 0 and a worker", e.MainLcore(), e.WorkerLcores())
	}
	if !slices.Contains(e.Args(), "--in-memory") {
		t.Fatalf("args %q lack --in-memory", e.Args())
	}
}

// loopN sends each packet back out of its own port (a net_ring loopback)
// n times, prepending a 4-byte counter in the headroom on every lap (Off
// moves back, Len grows), then hands it to port 1.
type loopN struct{ n int }

func (h loopN) Process(pkts []engine.Packet, now int64) {
	for i := range pkts {
		p := &pkts[i]
		tag := p.Buf[p.Off : p.Off+4]
		if string(tag[:3]) == "LAP" {
			if int(tag[3]) >= h.n {
				p.Verdict, p.Out = engine.Forward, 1
				continue
			}
			p.Off -= 4
			p.Len += 4
			copy(p.Buf[p.Off:], "LAP")
			p.Buf[p.Off+3] = tag[3] + 1
		} else {
			p.Off -= 4
			p.Len += 4
			copy(p.Buf[p.Off:], "LAP")
			p.Buf[p.Off+3] = 1
		}
		p.Verdict, p.Out = engine.Forward, 0
	}
}

// A net_ring port is a loopback (what it transmits it receives): frames
// injected into it make laps through the worker, the handler moving Off
// and Len each time, and end on a second ring where they are read back.
func TestRingRoundTrip(t *testing.T) {
	e := needEAL(t)
	f, err := NewForwarder(e, ForwarderConfig{
		Name:  uniq("ring"),
		Ports: []PortConfig{{Device: uniq("net_ringa")}, {Device: uniq("net_ringb"), TxOnly: true}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	frames := testFrames(100)
	if n, err := f.Ports()[0].SendFrames(0, f.Pool(), frames); err != nil || n != len(frames) {
		t.Fatalf("inject: %d, %v", n, err)
	}
	const laps = 5
	if err := f.Start([]BurstHandler{loopN{laps}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "frames to finish their laps", 5*time.Second, func() bool { return f.Stats()[0].Tx[1].Sent == uint64(len(frames)) })
	f.Stop()
	var got [][]byte
	for tries := 0; len(got) < len(frames) && tries < 100; tries++ {
		b, err := f.Ports()[1].ReceiveFrames(0)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, b...)
	}
	if len(got) != len(frames) {
		t.Fatalf("read back %d frames, want %d", len(got), len(frames))
	}
	for i, g := range got {
		want := frames[i]
		// laps tags, newest first: LAP5 LAP4 ... LAP1 then the frame.
		if len(g) != len(want)+4*laps {
			t.Fatalf("frame %d: %d bytes, want %d", i, len(g), len(want)+4*laps)
		}
		for l := 0; l < laps; l++ {
			if string(g[4*l:4*l+3]) != "LAP" || int(g[4*l+3]) != laps-l {
				t.Fatalf("frame %d: tag %d is %q", i, l, g[4*l:4*l+4])
			}
		}
		if !bytes.Equal(g[4*laps:], want) {
			t.Fatalf("frame %d: payload changed", i)
		}
	}
	s := f.Stats()[0]
	if s.Rx != uint64(len(frames)*(laps+1)) || s.Dropped != 0 || s.BadFrame != 0 {
		t.Fatalf("worker stats %+v; want rx %d, nothing dropped", s, len(frames)*(laps+1))
	}
	if avail := f.Pool().InUse(); avail > 2*poolCache*2 {
		// Only rx ring refills and lcore caches hold mbufs now.
		t.Logf("pool in use after the run: %d", avail)
	}
}

// badOff returns a frame whose Off/Len point outside the buffer: the
// forwarder must drop it, not transmit foreign memory.
type badOff struct{}

func (badOff) Process(pkts []engine.Packet, now int64) {
	for i := range pkts {
		pkts[i].Verdict, pkts[i].Out = engine.Forward, 1
		switch i % 4 {
		case 0:
			pkts[i].Off = len(pkts[i].Buf)
		case 1:
			pkts[i].Len = len(pkts[i].Buf)
		case 2:
			pkts[i].Out = 7 // no such port
		case 3:
			pkts[i].Verdict = engine.Exception // no TAP configured
		}
	}
}

func TestInvalidVerdictsAreDropped(t *testing.T) {
	e := needEAL(t)
	f, err := NewForwarder(e, ForwarderConfig{
		Name:  uniq("bad"),
		Ports: []PortConfig{{Device: uniq("net_null_src") + ",size=64"}, {Device: uniq("net_null_dst") + ",no-rx=1"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Start([]BurstHandler{badOff{}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "traffic", 5*time.Second, func() bool { return f.Stats()[0].Rx > 10000 })
	f.Stop()
	s := f.Stats()[0]
	if s.Tx[1].Sent != 0 {
		t.Fatalf("%d invalid packets were transmitted", s.Tx[1].Sent)
	}
	// Dropped counts every freed packet, BadFrame those freed for Off/Len.
	if s.Dropped != s.Rx || s.BadFrame == 0 || s.BadFrame >= s.Rx {
		t.Fatalf("stats %+v: every packet must be dropped, half of them as bad frames", s)
	}
	st, err := f.Ports()[1].Stats()
	if err != nil || st.TxPackets != 0 {
		t.Fatalf("sink port sent %d (%v)", st.TxPackets, err)
	}
}

func TestNullForwardingAndStats(t *testing.T) {
	e := needEAL(t)
	f, err := NewForwarder(e, ForwarderConfig{
		Name:  uniq("null"),
		Ports: []PortConfig{{Device: uniq("net_null_in") + ",size=128"}, {Device: uniq("net_null_out") + ",no-rx=1"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Start([]BurstHandler{toPort{1}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a million packets", 10*time.Second, func() bool { return f.Stats()[0].Rx > 1_000_000 })
	f.Stop()
	w := f.Stats()[0]
	in, err := f.Ports()[0].Stats()
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.Ports()[1].Stats()
	if err != nil {
		t.Fatal(err)
	}
	if in.RxPackets != w.Rx || out.TxPackets != w.Tx[1].Sent || w.Tx[1].Sent+w.Tx[1].Unsent != w.Rx {
		t.Fatalf("port rx %d tx %d, worker %+v: counters disagree", in.RxPackets, out.TxPackets, w)
	}
	if len(in.Queues) != 1 || in.Queues[0].RxPackets != in.RxPackets {
		t.Fatalf("queue stats %+v", in.Queues)
	}
	xs, err := f.Ports()[1].XStats()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, x := range xs {
		if x.Name == "tx_good_packets" {
			found = true
			if x.Value != out.TxPackets {
				t.Fatalf("xstat tx_good_packets %d, stats %d", x.Value, out.TxPackets)
			}
		}
	}
	if !found {
		t.Fatalf("no tx_good_packets among %d xstats", len(xs))
	}
	if l, err := f.Ports()[0].Link(); err != nil || !l.Up {
		t.Fatalf("link %+v %v", l, err)
	}
	if w.Passes == 0 {
		t.Fatal("no passes counted")
	}
}

// stallEvery forwards to port out like toPort, and sleeps for stall on
// every n-th call, counting the stalls.
type stallEvery struct {
	out    uint16
	n      int
	stall  time.Duration
	calls  int
	stalls atomic.Int64
}

func (h *stallEvery) Process(pkts []engine.Packet, now int64) {
	toPort{h.out}.Process(pkts, now)
	if h.calls++; h.calls%h.n == 0 {
		time.Sleep(h.stall)
		h.stalls.Add(1)
	}
}

// TestPassGaps: the worker counts the time between two passes in log2
// buckets, and its sums: a handler that sleeps 3 ms on every 20,000th
// burst shows each stall in the buckets above 2 ms, the buckets
// count every pass but the first (and those a clock re-anchor steps
// back), and the sum of the gaps is the loop's running time.
func TestPassGaps(t *testing.T) {
	e := needEAL(t)
	f, err := NewForwarder(e, ForwarderConfig{
		Name:  uniq("gaps"),
		Ports: []PortConfig{{Device: uniq("net_null_in") + ",size=128"}, {Device: uniq("net_null_out") + ",no-rx=1"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := &stallEvery{out: 1, n: 20000, stall: 3 * time.Millisecond}
	began := time.Now()
	if err := f.Start([]BurstHandler{h}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "ten stalls", 30*time.Second, func() bool { return h.stalls.Load() >= 10 })
	f.Stop()
	ran := time.Since(began)
	w := f.Stats()[0]
	var counted, long uint64
	for b, n := range w.PassGaps {
		counted += n
		if top := PassGapTop(b); top == 0 || top > 2*time.Millisecond {
			long += n
		}
	}
	stalls := uint64(h.stalls.Load())
	if counted > w.Passes-1 || counted < w.Passes-1-w.Passes/4096-1 {
		t.Errorf("%d gaps counted for %d passes, want one per pass but the first (less re-anchors)", counted, w.Passes)
	}
	// Every stall is a long gap; other long ones are the machine's (the
	// thread descheduled), and few next to the passes.
	if long < stalls || long > counted/100 {
		t.Errorf("%d gaps of 2 ms or more for %d stalls of 3 ms and %d passes", long, stalls, counted)
	}
	if sum := time.Duration(w.PassGapNs); sum <= time.Duration(stalls)*h.stall || sum > ran {
		t.Errorf("the gaps sum to %v: want more than the %d stalls' %v and at most the %v the loop ran", sum, stalls, time.Duration(stalls)*h.stall, ran)
	}
	if w.PassGapSq == 0 {
		t.Error("no sum of squared gaps")
	}
	if PassGapTop(0) != 1024 || PassGapTop(1) != 2048 || PassGapTop(PassGapBuckets-1) != 0 {
		t.Errorf("bucket bounds %v %v %v", PassGapTop(0), PassGapTop(1), PassGapTop(PassGapBuckets-1))
	}
}

// net_pcap reads a file once (no infinite_rx) and writes what it transmits
// to another file: every frame arrives, in order, unchanged.
func TestPcapReplay(t *testing.T) {
	e := needEAL(t)
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.pcap"), filepath.Join(dir, "out.pcap")
	frames := testFrames(500)
	writePcap(t, in, frames)
	f, err := NewForwarder(e, ForwarderConfig{
		Name:  uniq("pcap"),
		Ports: []PortConfig{{Device: uniq("net_pcap_rx") + ",rx_pcap=" + in}, {Device: uniq("net_pcap_tx") + ",tx_pcap=" + out}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Start([]BurstHandler{toPort{1}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the file's frames", 5*time.Second, func() bool { return f.Stats()[0].Tx[1].Sent == uint64(len(frames)) })
	time.Sleep(50 * time.Millisecond)
	if s := f.Stats()[0]; s.Rx != uint64(len(frames)) {
		t.Fatalf("received %d, the file has %d", s.Rx, len(frames))
	}
	if err := f.Close(); err != nil { // flushes and closes the tx pcap
		t.Fatal(err)
	}
	got := readPcap(t, out)
	if len(got) != len(frames) {
		t.Fatalf("wrote %d frames, want %d", len(got), len(frames))
	}
	for i := range got {
		if !bytes.Equal(got[i], frames[i]) {
			t.Fatalf("frame %d differs", i)
		}
	}
}

// With infinite_rx=1 net_pcap preloads the file into the pool's mbufs and
// replays it forever: the forwarder sizes the pool for it.
func TestPcapInfiniteReplay(t *testing.T) {
	e := needEAL(t)
	in := filepath.Join(t.TempDir(), "in.pcap")
	frames := testFrames(3000)
	writePcap(t, in, frames)
	f, err := NewForwarder(e, ForwarderConfig{
		Name:  uniq("pinf"),
		Ports: []PortConfig{{Device: uniq("net_pcap_inf") + ",rx_pcap=" + in + ",infinite_rx=1"}, {Device: uniq("net_null_sink") + ",no-rx=1"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Start([]BurstHandler{toPort{1}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "ten replays of the file", 10*time.Second, func() bool { return f.Stats()[0].Tx[1].Sent > 10*uint64(len(frames)) })
	f.Stop()
	if s := f.Stats()[0]; s.MultiSegment != 0 || s.Dropped != 0 {
		t.Fatalf("stats %+v", s)
	}
}

// The reset path (ENA's RTE_ETH_EVENT_INTR_RESET) stops the workers, resets
// and restarts the port and resumes forwarding. net_null has no reset
// operation, so this covers the orchestration, not rte_eth_dev_reset.
func TestPortResetRecovery(t *testing.T) {
	e := needEAL(t)
	f, err := NewForwarder(e, ForwarderConfig{
		Name:  uniq("reset"),
		Ports: []PortConfig{{Device: uniq("net_null_r") + ",size=64"}, {Device: uniq("net_null_s") + ",no-rx=1"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Start([]BurstHandler{toPort{1}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "traffic", 5*time.Second, func() bool { return f.Stats()[0].Rx > 1000 })
	if f.Resets() != 0 {
		t.Fatal("reset counted before any request")
	}
	f.Ports()[0].RequestReset()
	waitFor(t, "the reset to be handled", 5*time.Second, func() bool { return f.Resets() == 1 })
	before := f.Stats()[0].Rx
	waitFor(t, "traffic after the reset", 5*time.Second, func() bool { return f.Stats()[0].Rx > before+1000 })
	if l, err := f.Ports()[0].Link(); err != nil || !l.Up {
		t.Fatalf("port after reset: %+v %v", l, err)
	}
}

// clockCheck records how far the now given to Process strays from
// Monotonic (the workers derive it from the TSC once per pass).
type clockCheck struct {
	worst *atomic.Int64
	calls *atomic.Int64
	late  *atomic.Int64 // calls more than 1 ms off
}

func (h clockCheck) Process(pkts []engine.Packet, now int64) {
	d := Monotonic() - now
	if d < 0 {
		d = -d
	}
	if d > int64(time.Millisecond) {
		h.late.Add(1)
	}
	if d > h.worst.Load() {
		h.worst.Store(d)
	}
	h.calls.Add(1)
	for i := range pkts {
		pkts[i].Verdict, pkts[i].Out = engine.Forward, 1
	}
}

func TestWorkerClockFollowsMonotonic(t *testing.T) {
	e := needEAL(t)
	f, err := NewForwarder(e, ForwarderConfig{
		Name:  uniq("clk"),
		Ports: []PortConfig{{Device: uniq("net_null_k") + ",size=64"}, {Device: uniq("net_null_l") + ",no-rx=1", TxOnly: true}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var worst, calls, late atomic.Int64
	if err := f.Start([]BurstHandler{clockCheck{&worst, &calls, &late}}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	f.Stop()
	// A pass is well under a millisecond: only a worker preempted
	// between its clock reading and Process (a busy machine) is late.
	if calls.Load() == 0 || late.Load() > calls.Load()/1000 {
		t.Fatalf("%d calls, %d more than 1 ms off Monotonic (worst %v)", calls.Load(), late.Load(), time.Duration(worst.Load()))
	}
	t.Logf("%d bursts, %d more than 1 ms off, worst clock offset %v", calls.Load(), late.Load(), time.Duration(worst.Load()))
}

func TestForwarderConfigErrors(t *testing.T) {
	e := needEAL(t)
	pcapng := filepath.Join(t.TempDir(), "capture.pcapng")
	if err := os.WriteFile(pcapng, []byte{0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a}, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		cfg  ForwarderConfig
		want string
	}{
		{"no ports", ForwarderConfig{}, "no ports"},
		{"too many workers", ForwarderConfig{Workers: 64, Ports: []PortConfig{{Device: uniq("net_null_w")}}}, "worker lcores"},
		{"nothing to poll", ForwarderConfig{Ports: []PortConfig{{Device: uniq("net_null_p"), TxOnly: true}}}, "no rx queue"},
		{"bad device", ForwarderConfig{Ports: []PortConfig{{Device: "net_nosuchdriver0"}}}, `port 0: dpdk: unknown DPDK driver in "net_nosuchdriver0"`},
		{"pcapng replay", ForwarderConfig{Ports: []PortConfig{{Device: uniq("net_pcap_ng") + ",rx_pcap=" + pcapng + ",infinite_rx=1"}}}, "rx_pcap: " + pcapng + ": pcapng is not supported"},
		{"bad TAP name", ForwarderConfig{Ports: []PortConfig{{Device: uniq("net_null_t"), Exception: &ExceptionConfig{Interface: "a,b"}}}}, "port 0: exception TAP: interface name"},
		{"one TAP for two ports", ForwarderConfig{Ports: []PortConfig{
			{Device: uniq("net_null_a"), Exception: &ExceptionConfig{Interface: "gwdup0"}},
			{Device: uniq("net_null_b"), Exception: &ExceptionConfig{Interface: "gwdup0"}},
		}}, "ports 0 and 1: both give exception TAP gwdup0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.cfg.Name = uniq("cfg")
			f, err := NewForwarder(e, c.cfg)
			if err == nil {
				f.Close()
				t.Fatalf("accepted; want an error containing %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q; want it to contain %q", err, c.want)
			}
		})
	}
	// The failed attempts released their devices: the names can be reused.
	f, err := NewForwarder(e, ForwarderConfig{Name: uniq("reuse"), Ports: []PortConfig{{Device: "net_null_reuse0"}}})
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	f, err = NewForwarder(e, ForwarderConfig{Name: uniq("reuse"), Ports: []PortConfig{{Device: "net_null_reuse0"}}})
	if err != nil {
		t.Fatalf("reopening a closed device: %v", err)
	}
	f.Close()
}

// Frames larger than one mbuf arrive chained (net_pcap splits them over
// segments): the worker drops and counts them before the engine, which
// only handles contiguous buffers; the rest pass.
func TestMultiSegmentDropped(t *testing.T) {
	e := needEAL(t)
	in := filepath.Join(t.TempDir(), "mixed.pcap")
	var frames [][]byte
	for i := 0; i < 20; i++ {
		size := 100
		if i%2 == 1 {
			size = 1400
		}
		frames = append(frames, udpFrame([6]byte{2, 0, 0, 0, 0, 2}, [6]byte{2, 0, 0, 0, 0, 1},
			[4]byte{198, 18, 0, 1}, [4]byte{198, 18, 0, 2}, uint16(i), 9, make([]byte, size-42)))
	}
	writePcap(t, in, frames)
	f, err := NewForwarder(e, ForwarderConfig{
		Name:     uniq("seg"),
		DataRoom: Headroom + 1024,
		Ports:    []PortConfig{{Device: uniq("net_pcap_seg") + ",rx_pcap=" + in}, {Device: uniq("net_null_seg") + ",no-rx=1", TxOnly: true}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Start([]BurstHandler{toPort{1}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the file's frames", 5*time.Second, func() bool { s := f.Stats()[0]; return s.Rx+s.MultiSegment == 20 })
	f.Stop()
	if s := f.Stats()[0]; s.Rx != 10 || s.MultiSegment != 10 || s.Tx[1].Sent != 10 {
		t.Fatalf("stats %+v: want 10 forwarded and 10 chained frames dropped", s)
	}
}

// A port that takes no more (a net_ring nobody drains) refuses bursts: the
// refused mbufs are freed and counted, so the pool does not drain away.
func TestUnsentAreFreed(t *testing.T) {
	e := needEAL(t)
	f, err := NewForwarder(e, ForwarderConfig{
		Name:  uniq("full"),
		Ports: []PortConfig{{Device: uniq("net_null_f") + ",size=64"}, {Device: uniq("net_ringf"), TxOnly: true}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Start([]BurstHandler{toPort{1}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "refused bursts", 5*time.Second, func() bool { return f.Stats()[0].Tx[1].Unsent > 100000 })
	f.Stop()
	s := f.Stats()[0]
	if s.Tx[1].Sent+s.Tx[1].Unsent != s.Rx {
		t.Fatalf("stats %+v: every packet is either sent or freed", s)
	}
	// What is still allocated sits in the ring (its 1024 slots at most).
	if inUse := f.Pool().InUse(); int(s.Tx[1].Sent) != inUse || inUse > 1024 {
		t.Fatalf("%d mbufs in use, %d sent into the ring: refused ones leaked", inUse, s.Tx[1].Sent)
	}
}

// Port.MTU is what the driver took, its own 1500 without PortConfig.MTU;
// a driver with no MTU to set (net_ring) takes any. (net_ring names its
// rings after the device, in 29 bytes at most: short names.)
func TestPortMTU(t *testing.T) {
	e := needEAL(t)
	pool, err := e.NewMempool(uniq("mtu"), 1024, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Free()
	for _, c := range []struct {
		dev       string
		set, want int
	}{{uniq("net_null_mtu") + ",no-rx=1", 0, 1500}, {uniq("net_null_mtu") + ",no-rx=1", 1900, 1900}, {uniq("net_ringm"), 0, 1500}, {uniq("net_ringm"), 1900, 1900}} {
		p, err := e.OpenPort(PortConfig{Device: c.dev, MTU: c.set}, pool)
		if err != nil {
			t.Fatal(err)
		}
		if m, err := p.MTU(); err != nil || m != c.want {
			t.Errorf("%s with MTU %d: Port.MTU %d %v, want %d", c.dev, c.set, m, err, c.want)
		}
		p.Close()
	}
}

// TestLcoreThreads: EAL's worker lcore threads are known by thread id, one
// per worker lcore, each named as EAL names them.
func TestLcoreThreads(t *testing.T) {
	e := needEAL(t)
	if len(e.WorkerLcores()) == 0 {
		t.Skip("the test EAL has no worker lcore")
	}
	tids := e.LcoreThreads()
	if len(tids) != len(e.WorkerLcores()) {
		t.Fatalf("%d lcore threads for worker lcores %v", len(tids), e.WorkerLcores())
	}
	for _, tid := range tids {
		comm, err := os.ReadFile("/proc/self/task/" + strconv.Itoa(tid) + "/comm")
		if err != nil {
			t.Fatal(err)
		}
		if name := strings.TrimSpace(string(comm)); !slices.ContainsFunc(workerThreadPrefixes, func(p string) bool { return strings.HasPrefix(name, p) }) {
			t.Errorf("lcore thread %d is named %q", tid, name)
		}
	}
}
