package node

import (
	"strconv"
	"strings"

	"github.com/gwlbctl/gwlbctl/fastpath/dpdk"
	"github.com/gwlbctl/gwlbctl/fastpath/engine"
)

// Several forwarding workers. Each worker owns the flows of its own table
// and processes every packet of them: the engine tells each packet's
// owner (a return's cookie names it, an endpoint packet's symmetric flow
// hash picks it) and hands a packet that arrived on another worker's
// queue to its owner through the DPDK layer's inbox. Where the appliance
// port reports its RSS key and redirection table and hashes UDP over
// IPv4 (ENA), each worker also picks outer source ports whose returns
// the port's RSS brings back to the worker's own queue (steerReturns), so
// that returns need no hand-off; elsewhere (net_af_packet's fanout,
// net_tap, virtual devices) the hand-off alone makes it correct.

// validateWorkers checks eal.workers and eal.args, and fixes the number of
// workers the node runs.
func (c *Config) validateWorkers(add func(string, ...any)) {
	c.workers = 1
	if c.EAL.Workers < 0 || c.EAL.Workers > MaxWorkers {
		add("eal.workers: %d is out of range: set 1 to %d, or 0 for one per worker lcore of eal.args", c.EAL.Workers, MaxWorkers)
		return
	}
	lcores, err := dpdk.CheckEALArgs(c.EAL.Args)
	if err != nil {
		add("eal.args: %v", err)
		return
	}
	args := strings.Join(c.EAL.Args, " ")
	switch {
	case lcores == 0:
		add("eal.args: %q give EAL no worker lcore besides the main one; the node needs one to forward (e.g. -l 0,1 --main-lcore 0)", args)
	case c.EAL.Workers == 0 && lcores > MaxWorkers:
		add("eal.args: %q give %d worker lcores, and eal.workers 0 would run a worker on each; the node runs at most %d: list fewer or set eal.workers", args, lcores, MaxWorkers)
	case c.EAL.Workers > lcores:
		add("eal.workers: %d workers need as many worker lcores, and eal.args %q give %d: list more (two lcores may share a CPU: --lcores 0@0,1@1,2@1)", c.EAL.Workers, args, lcores)
	case c.EAL.Workers == 0:
		c.workers = lcores
	default:
		c.workers = c.EAL.Workers
	}
}

// validateQueues checks that every port has a queue pair per worker where
// the device's string decides it: each worker receives on its own rx queue
// and, above all, transmits on its own tx queue (two workers on one tx
// queue would corrupt it). keys name the devices.
func (c *Config) validateQueues(add func(string, ...any), keys []string) {
	if c.workers < 2 {
		return
	}
	for i, d := range c.devices {
		if d.Driver != "net_af_packet" {
			continue
		}
		q := 1
		if v, ok := d.Arg("qpairs"); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				continue // the driver reports it
			}
			q = n
		}
		if q < c.workers {
			add("%s: %s has %d queue pair(s) for %d workers; each worker needs its own: add qpairs=%d", keys[i], d.Spec, q, c.workers, c.workers)
		}
	}
}

// Workers is the number of forwarding workers the node runs (after
// Validate).
func (c *Config) Workers() int { return max(c.workers, 1) }

// workersNote says what limits the flow table with several workers.
func workersNote(n int) string {
	if n < 2 {
		return ""
	}
	return ", " + strconv.Itoa(n) + " workers: the cookie's worker id takes its bits"
}

// steerReturns gives each worker outer source ports whose Geneve returns
// the appliance port's RSS delivers to that worker's rx queue, when the
// port reports its key and redirection table and hashes UDP over IPv4.
// Otherwise returns reach their worker through the hand-off; the log says
// which.
func (n *Node) steerReturns(p *dpdk.Port) {
	if len(n.workers) < 2 {
		return
	}
	rss, err := p.RSS()
	rxq, _ := p.Queues()
	switch {
	case err != nil:
		n.log.Info("node: the appliance port's RSS is unknown; returns reach the worker owning their flow by hand-off", "err", err)
		return
	case len(rss.Key) == 0 || len(rss.RETA) == 0 || rss.HashFunctions&dpdk.RSSIPv4UDP == 0 || rxq < 2:
		n.log.Info("node: the appliance port's RSS does not hash the outer UDP ports with a key and redirection table it reports; returns reach the worker owning their flow by hand-off",
			"key_bytes", len(rss.Key), "reta", len(rss.RETA), "rx_queues", rxq)
		return
	}
	steered := 0
	for i, w := range n.workers {
		if i >= rxq {
			continue
		}
		rp, err := engine.NewRSSPorts(rss.Key, rss.RETA, uint16(i))
		if err != nil {
			n.log.Warn("node: no RSS source ports for a worker; its returns come by hand-off", "worker", i, "err", err)
			continue
		}
		w.SetSourcePort(rp.Port)
		steered++
	}
	n.log.Info("node: outer source ports chosen so the appliance port's RSS returns each flow to its worker", "workers", steered, "reta", len(rss.RETA))
}
