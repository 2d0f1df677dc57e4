// Command benchnode runs a load balancer node (fastpath/node, what
// `gwlbctl serve` runs) for `make bench`, with what a benchmark adds around
// it: the flow tables warmed from a pcap before forwarding starts (so the
// run measures established flows, as a replay of the same file does for
// dpdk-testpmd), the appliance returns of the warmed flows written to a
// pcap (returns that carry live cookies, for the decapsulation mix), and
// the time of the first pass over a replayed file (for the new-flow mix,
// whose second pass would find every flow established), and a table filled
// with synthetic flows under the node API (for the forwarder mix with and
// without an API poller). It stops on
// SIGINT or SIGTERM like serve.
//
// Usage (see cmd/scripts/bench.sh):
//
//	benchnode -state F -lb NAME -endpoint vpce-... -appliance DEV -side-a DEV -side-b DEV \
//	  [-neighbor IP=MAC] [-mac MAC] [-mtu N] [-mbuf-data-room N] [-eal "..."] [-stats-file F] \
//	  [-warm-pcap F [-warm-returns F]] [-warm-flows N] [-pass-packets N] [-api-socket F]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gwlbctl/gwlbctl/fastpath/node"
)

func main() {
	var cfg node.Config
	flag.StringVar(&cfg.State, "state", "", "the state file")
	flag.StringVar(&cfg.LoadBalancer, "lb", "", "the gateway load balancer (name or ARN)")
	flag.StringVar(&cfg.AvailabilityZone, "zone", "us-east-1a", "the node's availability zone")
	endpoint := flag.String("endpoint", "", "the endpoint id (vpce-...)")
	flag.StringVar(&cfg.Appliance.Device, "appliance", "", "DPDK device of the appliance port")
	flag.StringVar(&cfg.Appliance.Address, "address", "10.0.0.10/24", "the node's address on the appliance network")
	flag.StringVar(&cfg.Appliance.MAC, "mac", "02:00:00:00:00:10", "the appliance port's MAC")
	flag.IntVar(&cfg.Appliance.MTU, "mtu", 0, "the appliance port's MTU (0: the device's)")
	sideA := flag.String("side-a", "", "DPDK device of the endpoint's side A")
	sideB := flag.String("side-b", "", "DPDK device of the endpoint's side B")
	neighbor := flag.String("neighbor", "", "a static next hop, IP=MAC")
	eal := flag.String("eal", "", "EAL arguments, space separated")
	flag.IntVar(&cfg.Flows.Capacity, "capacity", 1<<20, "flows per worker")
	flag.IntVar(&cfg.EAL.MbufDataRoom, "mbuf-data-room", 0, "packet buffer size, headroom included (0: from the MTUs)")
	flag.StringVar(&cfg.Stats.File, "stats-file", "", "the stats document, written every second")
	warmPcap := flag.String("warm-pcap", "", "replay this pcap of endpoint traffic (side A) through the engine before forwarding")
	warmReturns := flag.String("warm-returns", "", "with -warm-pcap: write the appliance returns of the warmed flows to this pcap")
	passPackets := flag.Uint64("pass-packets", 0, "log the time the worker takes to receive this many packets (a first replay pass)")
	fillFlows := flag.Int("warm-flows", 0, "open this many UDP flows in the flow table before forwarding (after -warm-pcap)")
	flag.StringVar(&cfg.API.Socket, "api-socket", "", "serve the node API on this unix socket")
	flag.Parse()

	cfg.EAL.Args = strings.Fields(*eal)
	cfg.Endpoints = []node.EndpointPorts{{ID: *endpoint, Mode: node.ModeBump, SideA: *sideA, SideB: *sideB}}
	if ip, mac, ok := strings.Cut(*neighbor, "="); ok {
		cfg.Appliance.Neighbors = []node.Neighbor{{IP: ip, MAC: mac}}
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	var opts node.StartOptions
	if *warmPcap != "" {
		opts.BeforeForwarding = warm(*warmPcap, *warmReturns)
	} else if *warmReturns != "" {
		fail(errors.New("-warm-returns needs -warm-pcap (the returns are those of the warmed flows)"))
	}
	if *fillFlows > 0 {
		before, fill := opts.BeforeForwarding, warmFlows(*fillFlows)
		opts.BeforeForwarding = func(n *node.Node) error {
			if before != nil {
				if err := before(n); err != nil {
					return err
				}
			}
			return fill(n)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	n, err := node.Start(cfg, log, opts)
	if err != nil {
		fail(err)
	}
	if *passPackets > 0 {
		go firstPass(n, time.Now(), *passPackets)
	}
	if err := n.Wait(ctx); err != nil {
		fail(err)
	}
}

// firstPass polls the workers' receive counters until they reach want
// packets and logs the time and rate of that first pass.
func firstPass(n *node.Node, started time.Time, want uint64) {
	for time.Since(started) < time.Minute {
		var rx uint64
		for _, w := range n.Forwarder().Stats() {
			rx += w.Rx
		}
		if rx >= want {
			d := time.Since(started)
			n.Log().Info("benchnode: first pass", "packets", rx, "seconds", d.Seconds(), "mpps", float64(rx)/d.Seconds()/1e6)
			return
		}
		time.Sleep(100 * time.Microsecond)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "benchnode:", err)
	os.Exit(1)
}
