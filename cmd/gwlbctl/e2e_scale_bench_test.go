//go:build e2e

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control/api"
	"github.com/gwlbctl/gwlbctl/control/store"
	"github.com/gwlbctl/gwlbctl/control/store/etcdtest"
)

// BenchmarkChangeToTwoNodes: the time from a CLI change (register-targets
// or deregister-targets, one gwlbctl process, against etcd) returning to
// both serve nodes sharing that etcd running its revision on every worker
// (each node's GET /info, polled every millisecond). The nodes use
// net_null ports: no traffic is needed to publish a snapshot. Reported:
// p50 and p99 over b.N changes. Root, DPDK and etcd (make bench runs it).
func BenchmarkChangeToTwoNodes(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("needs root (DPDK, hugepages)")
	}
	srv := etcdtest.Start(b)
	dir := b.TempDir()
	bin := buildBinary(b, dir)
	loc := srv.NewLocation(b)
	run := func(tb testing.TB, args ...string) string {
		out, err := exec.Command(bin, append([]string{"--state", loc}, args...)...).CombinedOutput()
		if err != nil {
			tb.Fatalf("gwlbctl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	gw := func(args ...string) string { return run(b, args...) }
	gw("apply", "-f", "../../configs/topology-minimal.yaml")
	ep := gw("ec2", "describe-vpc-endpoints", "--query", "VpcEndpoints[0].VpcEndpointId", "--output", "text")
	tg := gw("elbv2", "describe-target-groups", "--query", "TargetGroups[0].TargetGroupArn", "--output", "text")

	var clients []*api.Client
	for i, id := range []string{"bench-a", "bench-b"} {
		sock := filepath.Join(dir, id+".sock")
		cfg := filepath.Join(dir, id+".yaml")
		d := 3 * i // each node its own net_null devices (ports are locked by name)
		if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`load-balancer: gwlb
availability-zone: us-east-1a
state: %s
node: {id: %s}
appliance:
  device: "net_null%d,no-rx=1"
  address: 10.10.1.%d/24
  tap: ""
  neighbors: [{ip: 10.10.1.10, mac: "02:00:00:00:00:10"}, {ip: 10.10.1.11, mac: "02:00:00:00:00:11"}]
endpoints: [{id: %s, side-a: "net_null%d,no-rx=1", side-b: "net_null%d,no-rx=1"}]
flows: {capacity: 4096}
stats: {interval: 0s}
api: {socket: %s}
`, loc, id, d, 5+i, ep, d+1, d+2, sock)), 0o600); err != nil {
			b.Fatal(err)
		}
		logf := filepath.Join(dir, id+".log")
		f, err := os.Create(logf)
		if err != nil {
			b.Fatal(err)
		}
		cmd := exec.Command(bin, "serve", "--node-config", cfg)
		cmd.Stdout, cmd.Stderr = f, f
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		b.Cleanup(func() {
			cmd.Process.Signal(syscall.SIGTERM)
			<-exited
			f.Close()
		})
		for !strings.Contains(readFile(logf), "node: forwarding") {
			select {
			case <-exited:
				b.Fatalf("%s exited:\n%s", id, readFile(logf))
			case <-time.After(20 * time.Millisecond):
			}
		}
		c := api.NewClient(sock)
		b.Cleanup(c.Close)
		clients = append(clients, c)
	}
	st, err := store.OpenEtcd(loc)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })

	ctx := context.Background()
	// serving: both nodes run rev (or later) on every worker.
	serving := func(rev uint64) bool {
		for _, c := range clients {
			info, err := c.Info(ctx)
			if err != nil || info.Revision < rev || len(info.Workers) == 0 {
				return false
			}
			for _, w := range info.Workers {
				if w.Revision < rev {
					return false
				}
			}
		}
		return true
	}
	// The nodes start once; the sub-benchmark runs the changes (Go runs
	// it more than once to size b.N).
	made := 0 // changes so far, over every run of the sub-benchmark
	b.Run("changes", func(b *testing.B) {
		changes(b, func(args ...string) string { return run(b, args...) }, tg, st, serving, &made)
	})
}

// changes makes b.N changes, registering and deregistering one target in
// turn, and reports the p50 and p99 of their time to both nodes.
func changes(b *testing.B, gw func(...string) string, tg string, st *store.Etcd, serving func(uint64) bool, made *int) {
	var took []time.Duration
	_, last, err := st.Snapshot()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		verb := "register-targets"
		if *made%2 == 1 {
			verb = "deregister-targets"
		}
		*made++
		gw("elbv2", verb, "--target-group-arn", tg, "--targets", "Id=10.10.1.11")
		done := time.Now()
		_, v, err := st.Snapshot()
		if err != nil {
			b.Fatal(err)
		}
		if v.Revision <= last.Revision {
			b.Fatalf("%s made no new revision (still %d): nothing to time", verb, v.Revision)
		}
		last = v
		for !serving(v.Revision) {
			time.Sleep(time.Millisecond)
		}
		took = append(took, time.Since(done))
	}
	b.StopTimer()
	slices.Sort(took)
	q := func(p float64) float64 { return float64(took[int(p*float64(len(took)-1))].Microseconds()) / 1e3 }
	b.ReportMetric(q(0.5), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(0, "ns/op")
}
