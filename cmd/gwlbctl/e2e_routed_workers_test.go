//go:build e2e

package main

// Routed mode with two forwarding workers: the inbound pattern through a
// serve whose appliance port and routed endpoint port each have two queue
// pairs, one per worker. The kernel's fanout spreads each port's packets
// over both queues by its own hash, as RSS does on ENA: a flow's packets
// and its returns arrive on either worker's queue and must all reach the
// worker that owns the flow.

import (
	"context"
	"runtime"
	"testing"
	"time"
)

func TestRoutedTwoWorkers(t *testing.T) {
	cpu1 := "1"
	if runtime.NumCPU() < 2 {
		cpu1 = "0"
	}
	e, rt := routedRun(t, 1500,
		configEdit{`args: ["-l", "0,1", "--main-lcore", "0",`, `args: ["--lcores", "0@0,1@` + cpu1 + `,2@` + cpu1 + `", "--main-lcore", "0",`},
		configEdit{"device: net_af_packet0,iface=app\n", "device: net_af_packet0,iface=app,qpairs=2\n"},
		configEdit{"device: net_af_packet1,iface=rt0\n", "device: net_af_packet1,iface=rt0,qpairs=2\n"})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if info, err := e.api().Info(ctx); err != nil || len(info.Workers) != 2 {
		t.Fatalf("serve runs %+v (%v); want two workers", info, err)
	}
	// Ping both ways over IPv4 and IPv6, 10 MiB of TCP each way checksummed,
	// 16 UDP flows each through one appliance, the drop rule.
	e.routedPattern(t, routedPattern{name: "Inbound", from: rt.inet, to: rt.appA, fromIP: inetClientIP, toIP: appAIP,
		fromIP6: inetClientIP6, toIP6: appAIP6, port: 5100})
	_, count := e.oneTablePerFlow(t)
	e.handoffsAccounted(t, ctx, uint64(len(count)))
}
