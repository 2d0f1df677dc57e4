package engine

import (
	"sync"
	"testing"
	"time"
)

// BenchmarkSwapMix is the established encap/decap mix (bursts of encap and
// of decap alternating, as BenchmarkEncapEstablished and BenchmarkDecap
// present them) while another goroutine publishes a new snapshot at a fixed
// interval, as a health transition does in serve: the snapshot is built by
// NewConfig from the one in force, with target t15's health flipped between
// healthy and unhealthy (failover no_rebalance, so its flows stay and none
// is dropped). swap=none is the same loop with no publisher. The figures to
// compare are cpu-ns/pkt across the swap intervals; swaps is how many
// snapshots the worker adopted during the measured loop (at 1ms, fewer than
// one per millisecond when a build takes longer). B/op includes the
// publisher's builds, which run on another goroutine; allocs/op rounds
// them away per packet.
func BenchmarkSwapMix(b *testing.B) {
	swaps := []struct {
		name  string
		every time.Duration
	}{{"none", 0}, {"1s", time.Second}, {"1ms", time.Millisecond}}
	for _, sz := range benchSizes {
		for _, sw := range swaps {
			b.Run(sz.name+"/swap="+sw.name, func(b *testing.B) {
				benchSwapMix(b, sz.flows, sw.every)
			})
		}
	}
}

func benchSwapMix(b *testing.B, flows int, every time.Duration) {
	env := newBenchEnv(b, flows, 1024)
	pub := env.w.pub
	mask := flows - 1
	enc, dec := env.pkts, make([]Packet, benchBurst)
	for j := range enc {
		copy(enc[j].Buf[128:], env.encTmpl)
		dec[j] = Packet{Buf: make([]byte, 2048)}
		copy(dec[j].Buf[128:], env.retTmpl[100])
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var published int
	if every > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(every)
			defer tick.Stop()
			state := TargetUnhealthy
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
				}
				next, err := healthFlipped(pub.Load(), "t15", state)
				if err != nil {
					b.Error(err)
					return
				}
				pub.Store(next)
				published++
				state = TargetHealthy + TargetUnhealthy - state
			}
		}()
	}

	adopted := 0
	last := pub.Load()
	tm := startPktTimer(b)
	for i := 0; i < b.N; i += benchBurst {
		n := min(benchBurst, b.N-i)
		pkts := enc
		if (i/benchBurst)&1 == 0 {
			for j := 0; j < n; j++ {
				env.prepEncap(&enc[j], int(env.order[(i+j)&mask]))
			}
		} else {
			pkts = dec
			for j := 0; j < n; j++ {
				env.prepDecap(&dec[j], (i+j)&mask)
			}
		}
		env.w.Process(pkts[:n], env.now)
		if env.w.cfg != last {
			last = env.w.cfg
			adopted++
		}
	}
	tm.report(b)
	close(stop)
	wg.Wait()
	b.ReportMetric(float64(adopted), "swaps")
	env.checkNoDrops(b)
	if every > 0 && published == 0 && b.N >= 1<<20 {
		b.Logf("no snapshot published in %v: run with a longer -benchtime to see swaps every %v", b.Elapsed(), every)
	}
}

// healthFlipped is a new snapshot of cur with target id in state, built
// the way serve builds one (fresh slices, cur as the previous snapshot).
func healthFlipped(cur *Config, id string, state TargetState) (*Config, error) {
	c := Config{
		Revision:  cur.Revision + 1,
		Ports:     append([]Port(nil), cur.Ports...),
		Endpoints: append([]Endpoint(nil), cur.Endpoints...),
		Targets:   append([]Target(nil), cur.Targets...),
		Attr:      cur.Attr,
		Neighbors: append([]Neighbor(nil), cur.Neighbors...),
	}
	for i := range c.Targets {
		if c.Targets[i].ID == id {
			c.Targets[i].State = state
		}
	}
	return NewConfig(c, cur)
}
