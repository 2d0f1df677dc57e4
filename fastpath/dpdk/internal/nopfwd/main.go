// Command nopfwd measures the forwarder's own cost: fastpath/dpdk's worker
// loop with a handler that only forwards each packet (no parsing), on the
// ports `make bench` gives dpdk-testpmd, so the two rates read as a ratio.
// It prints one `mpps=X.XX` line (the median of per-second samples after a
// warm-up second) and the per-packet time.
//
// Usage: go run ./fastpath/dpdk/internal/nopfwd -rx DEV -tx DEV [-seconds 5] [-eal "..."]
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/gwlbctl/gwlbctl/fastpath/dpdk"
	"github.com/gwlbctl/gwlbctl/fastpath/engine"
)

// forwardAll is the cheapest possible engine: every packet to port 1.
type forwardAll struct{}

func (forwardAll) Process(pkts []engine.Packet, now int64) {
	for i := range pkts {
		pkts[i].Verdict = engine.Forward
		pkts[i].Out = 1
	}
}

func main() {
	rx := flag.String("rx", "net_null0", "source device (e.g. net_pcap0,rx_pcap=F,infinite_rx=1)")
	tx := flag.String("tx", "net_null1,no-rx=1", "sink device")
	seconds := flag.Int("seconds", 5, "measured seconds (after one warm-up second)")
	ealArgs := flag.String("eal", "", "EAL arguments (space-separated; default: the package's defaults)")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg := dpdk.EALConfig{Logger: log}
	if *ealArgs != "" {
		cfg.Args = strings.Fields(*ealArgs)
	}
	e, err := dpdk.InitEAL(cfg)
	if err != nil {
		fail(err)
	}
	f, err := dpdk.NewForwarder(e, dpdk.ForwarderConfig{Name: "nopfwd", Ports: []dpdk.PortConfig{{Device: *rx}, {Device: *tx, TxOnly: true}}})
	if err != nil {
		fail(err)
	}
	if err := f.Start([]dpdk.BurstHandler{forwardAll{}}); err != nil {
		fail(err)
	}
	sent := func() uint64 { return f.Stats()[0].Tx[1].Sent }
	time.Sleep(time.Second)
	var samples []float64
	prev, t0 := sent(), time.Now()
	for i := 0; i < *seconds; i++ {
		time.Sleep(time.Second)
		cur, t1 := sent(), time.Now()
		samples = append(samples, float64(cur-prev)/t1.Sub(t0).Seconds()/1e6)
		prev, t0 = cur, t1
	}
	f.Stop()
	s := f.Stats()[0]
	if err := f.Close(); err != nil {
		fail(err)
	}
	_ = e.Close()
	slices.Sort(samples)
	med := samples[len(samples)/2]
	fmt.Printf("samples_mpps=%v\n", fmtSamples(samples))
	fmt.Printf("rx=%d multiseg=%d unsent=%d passes=%d\n", s.Rx, s.MultiSegment, s.Tx[1].Unsent, s.Passes)
	fmt.Printf("ns_per_packet=%.2f\n", 1e3/med)
	fmt.Printf("mpps=%.2f\n", med)
}

func fmtSamples(s []float64) string {
	var b strings.Builder
	for i, v := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%.2f", v)
	}
	return b.String()
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "nopfwd:", err)
	os.Exit(1)
}
