package dpdk

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/fastpath/engine"
)

// Aggregate forwarding rate of one and of two workers: net_null (64-byte
// packets, two rx queues) to a net_null sink, the Go worker loop with a
// handler that only sets the verdict; and two workers handing every other
// packet to the other one (the hand-off's cost, inbox included). On a
// 2-vCPU machine the second worker shares CPU 0 with the main lcore (Go's
// control loop, idle here): the speedup is what this machine can measure.

// handHalf forwards even packets of a burst and hands odd ones to peer;
// handed-over packets are forwarded.
type handHalf struct{ peer uint16 }

func (h handHalf) Process(pkts []engine.Packet, now int64) {
	for i := range pkts {
		p := &pkts[i]
		if !p.HandedOff && i&1 == 1 {
			p.Verdict, p.Out = engine.Handoff, h.peer
			continue
		}
		p.Verdict, p.Out = engine.Forward, 1
	}
}

// workersRate runs a forwarder of n workers with handlers for d and
// returns the packets sent per second, all workers together.
func workersRate(e *EAL, name string, hs []BurstHandler, d time.Duration) (float64, error) {
	f, err := NewForwarder(e, ForwarderConfig{
		Name:    name,
		Workers: len(hs),
		Ports:   []PortConfig{{Device: "net_null_" + name + "i,size=64"}, {Device: "net_null_" + name + "o,no-rx=1", TxOnly: true}},
	})
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sent := func() uint64 {
		var n uint64
		for _, s := range f.Stats() {
			n += s.Tx[1].Sent
		}
		return n
	}
	if err := f.Start(hs); err != nil {
		return 0, err
	}
	time.Sleep(d / 4) // warm-up: caches, the pool's lcore caches
	n0, t0 := sent(), time.Now()
	time.Sleep(d)
	n1, t1 := sent(), time.Now()
	f.Stop()
	return float64(n1-n0) / t1.Sub(t0).Seconds(), nil
}

func childWorkersBench() int {
	fail := func(err error) int { fmt.Fprintln(os.Stderr, "child:", err); return 1 }
	second := "0"
	if runtime.NumCPU() > 2 {
		second = "2"
	}
	e, err := InitEAL(EALConfig{Args: []string{"--lcores", "0@0,1@1,2@" + second, "--main-lcore", "0", "--in-memory", "--no-pci", "--no-telemetry"}})
	if err != nil {
		return fail(err)
	}
	defer e.Close()
	secs, _ := strconv.ParseFloat(os.Getenv("GWLBCTL_DPDK_TEST_SECONDS"), 64)
	d := time.Duration(max(secs, 0.2) * float64(time.Second))
	one, err := workersRate(e, "w1", []BurstHandler{forwardAll{}}, d)
	if err != nil {
		return fail(err)
	}
	two, err := workersRate(e, "w2", []BurstHandler{forwardAll{}, forwardAll{}}, d)
	if err != nil {
		return fail(err)
	}
	half, err := workersRate(e, "wh", []BurstHandler{handHalf{1}, handHalf{0}}, d)
	if err != nil {
		return fail(err)
	}
	fmt.Printf("workers1_mpps=%.2f workers2_mpps=%.2f workers2_speedup=%.2f workers2_handoff_half_mpps=%.2f cpus=%d\n",
		one/1e6, two/1e6, two/one, half/1e6, runtime.NumCPU())
	return 0
}

// BenchmarkWorkers prints the aggregate Mpps of one and two workers and
// their ratio (make bench shows the line). b.N is ignored: one run of
// three timed phases, each GWLBCTL_BENCH_SECONDS long (default 2).
func BenchmarkWorkers(b *testing.B) {
	needEAL(b)
	secs := os.Getenv("GWLBCTL_BENCH_SECONDS")
	if secs == "" {
		secs = "2"
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=workersbench", "GWLBCTL_DPDK_TEST_SECONDS="+secs)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("workers bench: %v\n%s", err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if !strings.HasPrefix(l, "workers1_mpps=") {
			continue
		}
		fmt.Println(l)
		for _, kv := range strings.Fields(l) {
			k, v, _ := strings.Cut(kv, "=")
			if x, err := strconv.ParseFloat(v, 64); err == nil && k != "cpus" {
				b.ReportMetric(x, k)
			}
		}
		return
	}
	b.Fatalf("workers bench printed no figures:\n%s", out)
}
