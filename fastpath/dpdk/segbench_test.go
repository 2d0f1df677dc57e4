package dpdk

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/fastpath/packet"
)

// Jumbo frames in one big mbuf or chained over 2 KiB mbufs: which is
// cheaper for the ports? Both modes move the same frames, 8514 bytes
// (GWLB's 8500-byte inner packets on a 9001-MTU link) through the same
// virtio-user port pair (vhost-user copies them in and out, as a NIC's
// DMA would): rx, tx out of the other port, on one lcore. "single" gives
// the pair a pool of DataRoomForMTU(9001) mbufs (what the forwarder does),
// "multi" DefaultDataRoom mbufs with scattered rx and multi-segment tx.
// Rounds alternate the modes so a busy machine slows both alike. The
// engine itself handles single segments only; this measures what a
// multi-segment design would save or cost at the ports.

// segBenchFrame is the jumbo frame measured; segBenchSmall a 1500-MTU
// frame, which fits one mbuf in both modes: the control that shows what
// the pools' sizes alone cost.
const (
	segBenchFrame = packet.InnerMTU + packet.EthernetHeaderLen
	segBenchSmall = 1514
)

// childSegBench runs the comparison and prints one line per mode.
func childSegBench() int {
	fail := func(err error) int { fmt.Fprintln(os.Stderr, "child:", err); return 1 }
	dir := os.Getenv("GWLBCTL_DPDK_TEST_DIR")
	n, _ := strconv.ParseUint(os.Getenv("GWLBCTL_DPDK_TEST_N"), 10, 64)
	e, err := InitEAL(EALConfig{Args: jumboEALArgs})
	if err != nil {
		return fail(err)
	}
	defer e.Close()
	edge, err := e.NewMempool("seg_edge", 8192, DataRoomForMTU(9001))
	if err != nil {
		return fail(err)
	}
	defer edge.Free()
	modes := []struct {
		name     string
		dataRoom int
		scatter  bool
	}{{"single", DataRoomForMTU(9001), false}, {"multi", DefaultDataRoom, true}}
	// Every pool before the first virtio-user port: a virtio-user port
	// sends each new memory segment to its vhost-user peer while holding
	// EAL's memory lock, and a peer in the same process needs that lock
	// to answer.
	pools := make([]*Mempool, len(modes))
	for i, m := range modes {
		if pools[i], err = e.NewMempool("seg_"+m.name, 16384, m.dataRoom); err != nil {
			return fail(err)
		}
		defer pools[i].Free()
	}
	chains := make([]*segBench, len(modes))
	for i, m := range modes {
		pool := pools[i]
		in, out := filepath.Join(dir, m.name+"-in.sock"), filepath.Join(dir, m.name+"-out.sock")
		s := &segBench{genPool: edge}
		if s.gen, err = vhostPair(e, "g"+m.name, in, edge); err != nil {
			return fail(err)
		}
		defer s.gen.Close()
		if s.sink, err = vhostPair(e, "s"+m.name, out, edge); err != nil {
			return fail(err)
		}
		defer s.sink.Close()
		for _, pp := range []struct {
			p    **Port
			name string
			sock string
			mac  string
		}{{&s.in, "i", in, "02:00:00:00:5e:01"}, {&s.out, "o", out, "02:00:00:00:5e:02"}} {
			p, err := e.OpenPort(PortConfig{Device: "net_virtio_user_" + pp.name + m.name + ",path=" + pp.sock + ",queues=1,mac=" + pp.mac}, pool)
			if err != nil {
				return fail(err)
			}
			defer p.Close()
			if err := p.setupSegBench(pool, 9001, m.scatter); err != nil {
				return fail(err)
			}
			*pp.p = p
		}
		if err := waitLinks(10*time.Second, s.gen, s.in, s.out, s.sink); err != nil {
			return fail(err)
		}
		chains[i] = s
	}
	lcore := e.WorkerLcores()[0]
	type total struct {
		done      uint64
		segs      float64
		wall, cpu time.Duration
	}
	for _, size := range []int{segBenchFrame, segBenchSmall} {
		totals := make([]total, len(modes))
		for round := 0; round < 3; round++ {
			for i, s := range chains {
				done, segs, wall, cpu, err := s.run(lcore, size, n)
				if err != nil {
					return fail(err)
				}
				if done < n {
					return fail(fmt.Errorf("%s, %d bytes: %d of %d frames came through", modes[i].name, size, done, n))
				}
				t := &totals[i]
				t.done += done
				t.segs += segs / 3
				t.wall += wall
				t.cpu += cpu
			}
		}
		for i, t := range totals {
			fmt.Printf("size %d mode %s ns/pkt %.1f cpu-ns/pkt %.1f segs/pkt %.2f\n", size, modes[i].name,
				float64(t.wall.Nanoseconds())/float64(t.done), float64(t.cpu.Nanoseconds())/float64(t.done), t.segs)
		}
	}
	return 0
}

var segBenchLine = regexp.MustCompile(`size (\d+) mode (\w+) ns/pkt ([0-9.]+) cpu-ns/pkt ([0-9.]+) segs/pkt ([0-9.]+)`)

// BenchmarkJumboSegments prints the port pair's cost per frame with
// single-segment mbufs and with chained 2 KiB mbufs (wall and lcore CPU
// time, segments per frame), for 8514-byte frames and, as the control,
// 1514-byte ones. GWLBCTL_SEGBENCH_N sets the frames per round (default
// 200000; three rounds per mode and size).
func BenchmarkJumboSegments(b *testing.B) {
	needEAL(b)
	n := os.Getenv("GWLBCTL_SEGBENCH_N")
	if n == "" {
		n = "200000"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), childEnv+"=segbench", "GWLBCTL_DPDK_TEST_DIR="+b.TempDir(), "GWLBCTL_DPDK_TEST_N="+n)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("segment benchmark child: %v\n%s", err, out)
	}
	found := map[string][]float64{}
	for _, m := range segBenchLine.FindAllStringSubmatch(string(out), -1) {
		var v []float64
		for _, s := range m[3:] {
			f, _ := strconv.ParseFloat(s, 64)
			v = append(v, f)
		}
		found[m[2]+"-"+m[1]] = v
	}
	jumbo, small := strconv.Itoa(segBenchFrame), strconv.Itoa(segBenchSmall)
	for _, k := range []string{"single-" + jumbo, "multi-" + jumbo, "single-" + small, "multi-" + small} {
		if found[k] == nil {
			b.Fatalf("child output lacks %s:\n%s", k, out)
		}
	}
	if found["single-"+jumbo][2] != 1 || found["multi-"+jumbo][2] < 4 || found["multi-"+small][2] != 1 {
		b.Fatalf("segments per frame do not match the modes:\n%s", out)
	}
	for k, v := range found {
		b.ReportMetric(v[1], k+"-cpu-ns/pkt")
		b.ReportMetric(v[0], k+"-ns/pkt")
	}
	b.ReportMetric(found["multi-"+jumbo][2], "multi-"+jumbo+"-segs/pkt")
}
