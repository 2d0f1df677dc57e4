package engine

import (
	"testing"
)

// Benchmarks of the routed endpoint's two hot paths, as BenchmarkDecap
// and BenchmarkEncapEstablished measure the bump endpoint's: every flow
// enters the routed port from the router and goes to 10.30.0.5, so each
// return scans the connected prefix and the 10.99.0.0/16 route before the
// default route and looks the router's MAC up.

func newRoutedBenchEnv(b *testing.B, flows int) *benchEnv {
	cfg, err := NewConfig(routedBase(16), nil)
	if err != nil {
		b.Fatal(err)
	}
	return newBenchEnvOn(b, cfg, routedPortIdx, routedMAC, routerMAC, app4, flows, 1024)
}

func BenchmarkRoutedDecap(b *testing.B) {
	for _, sz := range benchSizes {
		b.Run(sz.name, func(b *testing.B) {
			env := newRoutedBenchEnv(b, sz.flows)
			for j := range env.pkts {
				copy(env.pkts[j].Buf[128:], env.retTmpl[100])
			}
			mask := sz.flows - 1
			tm := startPktTimer(b)
			for i := 0; i < b.N; i += benchBurst {
				n := min(benchBurst, b.N-i)
				for j := 0; j < n; j++ {
					env.prepDecap(&env.pkts[j], (i+j)&mask)
				}
				env.w.Process(env.pkts[:n], env.now)
			}
			tm.report(b)
			env.checkNoDrops(b)
			if env.w.c.totals.DecapPkts < uint64(b.N) {
				b.Fatalf("decapsulated %d of %d", env.w.c.totals.DecapPkts, b.N)
			}
			if p := &env.pkts[0]; p.Out != routedPortIdx || p.Buf[p.Off+5] != routerMAC[5] {
				b.Fatalf("return not routed to the router: out %d", p.Out)
			}
		})
	}
}

func BenchmarkRoutedEncapEstablished(b *testing.B) {
	for _, sz := range benchSizes {
		b.Run(sz.name, func(b *testing.B) {
			env := newRoutedBenchEnv(b, sz.flows)
			for j := range env.pkts {
				copy(env.pkts[j].Buf[128:], env.encTmpl)
			}
			mask := sz.flows - 1
			tm := startPktTimer(b)
			for i := 0; i < b.N; i += benchBurst {
				n := min(benchBurst, b.N-i)
				for j := 0; j < n; j++ {
					env.prepEncap(&env.pkts[j], int(env.order[(i+j)&mask]))
				}
				env.w.Process(env.pkts[:n], env.now)
			}
			tm.report(b)
			env.checkNoDrops(b)
		})
	}
}
