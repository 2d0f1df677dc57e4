package dpdk

import (
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/fastpath/engine"
)

// Per-packet cost of the Go<->C boundary: the same net_null -> net_null
// forwarding (64-byte packets, one lcore) by the Go worker loop with a
// handler that only sets the verdict, and by a loop written entirely in C.
// The difference is what the Go side costs per packet: building the
// engine.Packet views, the handler call, writing Off/Len back, and one cgo
// call per burst.

type forwardAll struct{}

func (forwardAll) Process(pkts []engine.Packet, now int64) {
	for i := range pkts {
		pkts[i].Verdict = engine.Forward
		pkts[i].Out = 1
	}
}

// reportRate reports wall-clock Mpps and ns/pkt, and cpu-ns/pkt: the
// forwarding thread's own CPU time per packet, which other processes on a
// shared machine cannot inflate.
func reportRate(b *testing.B, n uint64, d, cpu time.Duration) {
	b.ReportMetric(float64(n)/d.Seconds()/1e6, "Mpps")
	b.ReportMetric(float64(d.Nanoseconds())/float64(n), "ns/pkt")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(n), "cpu-ns/pkt")
}

func BenchmarkNullForwardGo(b *testing.B) {
	e := needEAL(b)
	b.ReportAllocs()
	f, err := NewForwarder(e, ForwarderConfig{
		Name:  uniq("bgo"),
		Ports: []PortConfig{{Device: uniq("net_null_bi") + ",size=64"}, {Device: uniq("net_null_bo") + ",no-rx=1", TxOnly: true}},
	})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	target := uint64(b.N)
	b.ResetTimer()
	start := time.Now()
	if err := f.Start([]BurstHandler{forwardAll{}}); err != nil {
		b.Fatal(err)
	}
	for f.Stats()[0].Tx[1].Sent < target {
		time.Sleep(200 * time.Microsecond)
	}
	f.Stop()
	d := time.Since(start)
	b.StopTimer()
	s := f.Stats()[0]
	reportRate(b, s.Tx[1].Sent, d, time.Duration(s.CPUTimeNs))
}

func BenchmarkNullForwardC(b *testing.B) {
	e := needEAL(b)
	pool, err := e.NewMempool(uniq("bc"), 16384, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Free()
	in, err := e.OpenPort(PortConfig{Device: uniq("net_null_ci") + ",size=64"}, pool)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := e.OpenPort(PortConfig{Device: uniq("net_null_co") + ",no-rx=1"}, pool)
	if err != nil {
		b.Fatal(err)
	}
	defer out.Close()
	if err := in.Start(); err != nil {
		b.Fatal(err)
	}
	if err := out.Start(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	n, d, cpu, err := e.cForward(e.WorkerLcores()[0], in, out, uint64(b.N))
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	reportRate(b, n, d, cpu)
}
