package engine

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/fastpath/internal/cputime"
)

// BenchmarkWorkers: the established encapsulation mix (4k flows per
// worker, random order) on one and on two workers at once, each with its
// own flow table and its own packets (no shared writes), each on its own
// OS thread. b.N counts the packets of each worker; pkts/s is the
// aggregate rate over the wall time of the slowest worker, cpu-ns/pkt the
// workers' thread CPU time per packet (what a worker costs when it has a
// core to itself: the same figure for one and two workers means they do
// not slow each other down through shared memory). The engine
// alone, with no NIC: what the forwarder's second worker can add where the
// machine has a core for it (on a 2-vCPU machine the second worker shares
// the machine with the benchmark's own process and everything else).
func BenchmarkWorkers(b *testing.B) {
	for _, workers := range []int{1, 2} {
		b.Run(map[int]string{1: "1", 2: "2"}[workers], func(b *testing.B) {
			envs := make([]*benchEnv, workers)
			for w := range envs {
				envs[w] = newBenchEnv(b, 4096, 1024)
				for j := range envs[w].pkts {
					copy(envs[w].pkts[j].Buf[128:], envs[w].encTmpl)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			cpu := make([]time.Duration, workers)
			for w, env := range envs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					runtime.LockOSThread()
					defer runtime.UnlockOSThread()
					c0 := cputime.Thread()
					defer func() { cpu[w] = cputime.Thread() - c0 }()
					mask := env.flows - 1
					for i := 0; i < b.N; i += benchBurst {
						n := min(benchBurst, b.N-i)
						for j := 0; j < n; j++ {
							env.prepEncap(&env.pkts[j], int(env.order[(i+j)&mask]))
						}
						env.w.Process(env.pkts[:n], env.now)
					}
				}()
			}
			wg.Wait()
			wall := time.Since(start)
			b.StopTimer()
			var used time.Duration
			for _, c := range cpu {
				used += c
			}
			b.ReportMetric(float64(workers*b.N)/wall.Seconds(), "pkts/s")
			b.ReportMetric(float64(used.Nanoseconds())/float64(workers*b.N), "cpu-ns/pkt")
			for _, env := range envs {
				env.checkNoDrops(b)
			}
		})
	}
}
