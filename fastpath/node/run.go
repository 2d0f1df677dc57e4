package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/netip"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/store"
	"github.com/gwlbctl/gwlbctl/fastpath/dpdk"
	"github.com/gwlbctl/gwlbctl/fastpath/engine"
	"github.com/gwlbctl/gwlbctl/fastpath/kernel"
)

// storeSource reads the state through the control/store interface.
type storeSource struct{ s store.Store }

func (s storeSource) Load() (*control.State, uint64, error) {
	st, v, err := s.s.Snapshot()
	return st, v.Revision, err
}

// Node is a running load balancer node: its DPDK forwarder, engine
// workers, published snapshot and reloader.
type Node struct {
	cfg   Config
	log   *slog.Logger
	start time.Time
	lbArn string

	eal     *dpdk.EAL
	fw      *dpdk.Forwarder
	pub     engine.Publisher
	workers []*engine.Worker
	names   []string // port names in engine order
	neigh   *Neighbors
	snap    atomic.Pointer[Snapshot]
	rl      *Reloader

	opts     StartOptions
	passMpps atomic.Uint64 // float64 bits: first-pass rate (StartOptions.PassPackets)
}

// Run serves cfg until ctx is cancelled (SIGINT/SIGTERM in serve), then
// stops the workers, writes the final stats and releases DPDK.
func Run(ctx context.Context, cfg Config, log *slog.Logger, opts StartOptions) error {
	n, err := Start(cfg, log, opts)
	if err != nil {
		return err
	}
	return n.Wait(ctx)
}

// StartOptions are a node's start-up extras, for benchmarks.
type StartOptions struct {
	// Warm runs after the first snapshot is published and before the
	// ports forward (WarmFromPcap pre-populates the flow tables). It needs
	// appliance.mac in the config: the ports open after it, so that it may
	// write files a port replays (net_pcap rx_pcap).
	Warm func(*Node) error
	// PassPackets > 0 measures how long the worker takes to receive that
	// many packets after forwarding starts (one replay pass of a pcap) and
	// logs it, with the rate, as "node: first pass".
	PassPackets uint64
}

// Start brings the node up: state file, EAL, ports, workers, first
// snapshot, then the forwarding lcores. The caller must call Wait (which
// also releases everything) or Close.
func Start(cfg Config, log *slog.Logger, opts StartOptions) (_ *Node, err error) {
	if log == nil {
		log = slog.Default()
	}
	n := &Node{cfg: cfg, log: log, start: time.Now(), opts: opts}
	defer func() {
		if err != nil {
			n.Close()
		}
	}()
	if opts.Warm != nil && cfg.mac == nil {
		return nil, errors.New("warming the flow tables needs appliance.mac in the node config (the ports open after the warm-up)")
	}

	// The file backend: the reloader below watches its path (until it
	// consumes st.Watch).
	st, err := store.OpenFile(cfg.State)
	if err != nil {
		return nil, err
	}
	state, _, err := st.Snapshot()
	if err != nil {
		return nil, err
	}
	lb := state.LoadBalancerByArn(cfg.LoadBalancer)
	if lb == nil {
		lb = state.LoadBalancerByName(cfg.LoadBalancer)
	}
	if lb == nil {
		return nil, fmt.Errorf("load balancer %q is not in the state file %s: create it (gwlbctl elbv2 create-load-balancer --type gateway) or fix load-balancer in the node config", cfg.LoadBalancer, st.Describe())
	}
	n.lbArn = lb.LoadBalancer.LoadBalancerArn

	n.eal, err = dpdk.InitEAL(dpdk.EALConfig{Args: cfg.EAL.Args, Logger: log})
	if err != nil {
		return nil, err
	}
	ports := []dpdk.PortConfig{{Device: cfg.Appliance.Device, MTU: cfg.Appliance.MTU, Promiscuous: cfg.mac != nil}}
	n.names = []string{"appliance"}
	for _, ep := range cfg.Endpoints {
		// A bump port is a wire: it must take frames for any MAC.
		ports = append(ports,
			dpdk.PortConfig{Device: ep.SideA, Promiscuous: true},
			dpdk.PortConfig{Device: ep.SideB, Promiscuous: true})
		n.names = append(n.names, ep.ID+"/A", ep.ID+"/B")
	}
	workers := cfg.EAL.Workers
	if workers == 0 {
		workers = len(n.eal.WorkerLcores())
	}
	openPorts := func() error {
		for _, p := range ports {
			// The kernel must not answer for the node on an interface DPDK
			// reads with net_af_packet (it sees those frames too).
			if iface := afPacketInterface(p.Device); iface != "" {
				if err := kernel.QuietKernelSide(iface); err != nil {
					log.Warn("node: could not quiet the kernel side of a port", "iface", iface, "err", err)
				}
				// Frames read through net_af_packet must be complete
				// (checksums filled in, no GRO super-frames).
				if err := kernel.DisableOffloads("", iface); err != nil {
					log.Warn("node: could not disable offloads of a port", "iface", iface, "err", err)
				}
			}
		}
		if cfg.Appliance.TAP != "" {
			ports[AppliancePortIndex].Exception = &dpdk.ExceptionConfig{Interface: cfg.Appliance.TAP, MAC: cfg.mac}
		}
		fwc := dpdk.ForwarderConfig{Name: "gwlb", Ports: ports, Workers: workers, Mbufs: cfg.EAL.MbufCount}
		var err error
		if n.fw, err = dpdk.NewForwarder(n.eal, fwc); err != nil {
			return err
		}
		// The TAPs stay down until the forwarder starts: give the
		// appliance TAP the node's address first.
		for _, x := range n.fw.Exceptions() {
			var tc kernel.TAPConfig
			if x.Port == AppliancePortIndex && cfg.nodeIP.IsValid() {
				tc.Addresses = []netip.Prefix{cfg.nodeIP}
			}
			if err := kernel.ConfigureTAP(x.Interface, tc); err != nil {
				return err
			}
		}
		return nil
	}
	mac := cfg.mac
	if mac == nil {
		if err := openPorts(); err != nil {
			return nil, err
		}
		if mac, err = n.fw.Ports()[AppliancePortIndex].MAC(); err != nil {
			return nil, err
		}
	}
	for i := 0; i < workers; i++ {
		w, err := engine.NewWorker(engine.WorkerOptions{ID: i, Config: &n.pub, FlowCapacity: cfg.Flows.Capacity, Seed: FlowSeed(n.lbArn)})
		if err != nil {
			return nil, err
		}
		n.workers = append(n.workers, w)
	}

	n.neigh = NewNeighbors(cfg.statics, cfg.Appliance.TAP)
	n.neigh.Refresh()
	snapper := NewSnapshotter(&n.cfg, [6]byte(mac))
	n.rl = &Reloader{
		Path:   st.Path(),
		Source: storeSource{st},
		Build: func(s *control.State, rev uint64, now time.Time) (*Snapshot, error) {
			return snapper.Build(s, rev, now, n.neigh.Lookup)
		},
		Publish: func(s *Snapshot) {
			n.pub.Store(s.Config)
			n.snap.Store(s)
		},
		Resolve: n.neigh.Resolve,
		Refresh: n.neigh.Refresh,
		Log:     log,
	}
	if err := n.rl.Start(); err != nil {
		return nil, err
	}
	if opts.Warm != nil {
		if err := opts.Warm(n); err != nil {
			return nil, fmt.Errorf("warming the flow tables: %w", err)
		}
	}
	if n.fw == nil {
		if err := openPorts(); err != nil {
			return nil, err
		}
	}
	handlers := make([]dpdk.BurstHandler, len(n.workers))
	for i, w := range n.workers {
		handlers[i] = w
	}
	started := time.Now()
	if err := n.fw.Start(handlers); err != nil {
		return nil, err
	}
	if opts.PassPackets > 0 {
		go n.measurePass(started, opts.PassPackets)
	}
	log.Info("node: forwarding", "load_balancer", n.lbArn, "availability_zone", cfg.AvailabilityZone,
		"node_ip", cfg.nodeIP, "node_mac", mac.String(), "ports", len(ports), "workers", len(n.workers), "tap", cfg.Appliance.TAP)
	return n, nil
}

// measurePass polls the workers' receive counters until they reach want
// packets and logs the time and rate of that first pass.
func (n *Node) measurePass(started time.Time, want uint64) {
	for {
		fw := n.fw
		if fw == nil {
			return
		}
		var rx uint64
		for _, w := range fw.Stats() {
			rx += w.Rx
		}
		if rx >= want {
			d := time.Since(started)
			n.passMpps.Store(math.Float64bits(float64(rx) / d.Seconds() / 1e6))
			n.log.Info("node: first pass", "packets", rx, "seconds", d.Seconds(), "mpps", float64(rx)/d.Seconds()/1e6)
			return
		}
		if time.Since(started) > time.Minute {
			return
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// Wait runs the reloader, the stats writer and the API until ctx is done,
// then shuts the node down and writes the final stats.
func (n *Node) Wait(ctx context.Context) error {
	defer n.Close()
	var wg sync.WaitGroup
	errc := make(chan error, 3)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := n.rl.Run(runCtx); err != nil {
			errc <- err
		}
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		n.statsLoop(runCtx)
	}()
	if n.cfg.API.Socket != "" {
		srv, err := n.serveAPI(n.cfg.API.Socket)
		if err != nil {
			cancel()
			wg.Wait()
			return err
		}
		defer srv.Close()
	}
	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
	}
	cancel()
	wg.Wait()
	n.log.Info("node: stopping")
	n.fw.Stop()
	final := n.Stats()
	n.log.Info("node: final stats", final.LogLine()...)
	if n.cfg.Stats.File != "" {
		if err := writeJSONAtomic(n.cfg.Stats.File, final); err != nil {
			n.log.Error("node: final stats", "err", err)
		}
	}
	return runErr
}

// Close stops forwarding and releases ports, workers and the EAL; safe to
// call on a partly started node and more than once.
func (n *Node) Close() {
	if n.fw != nil {
		n.fw.Stop()
		if err := n.fw.Close(); err != nil {
			n.log.Warn("node: closing ports", "err", err)
		}
		n.fw = nil
	}
	for _, w := range n.workers {
		w.Close()
	}
	n.workers = nil
	if n.eal != nil {
		n.eal.Close()
		n.eal = nil
	}
}

// Stats returns the node's current stats document.
func (n *Node) Stats() *Stats {
	var cfg *engine.Config
	if s := n.snap.Load(); s != nil {
		cfg = s.Config
	}
	s := collectStats(n.start, n.lbArn, cfg, n.workers, n.fw, n.names)
	s.FirstPassMpps = math.Float64frombits(n.passMpps.Load())
	return s
}

// Workers returns the engine workers (one per forwarding lcore).
func (n *Node) Workers() []*engine.Worker { return n.workers }

// Snapshot returns the snapshot in force.
func (n *Node) Snapshot() *Snapshot { return n.snap.Load() }

// statsLoop writes the stats file every second and logs a line every
// stats interval.
func (n *Node) statsLoop(ctx context.Context) {
	file := time.NewTicker(time.Second)
	defer file.Stop()
	var logC <-chan time.Time
	if n.cfg.Stats.Interval > 0 {
		t := time.NewTicker(n.cfg.Stats.Interval)
		defer t.Stop()
		logC = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-file.C:
			if n.cfg.Stats.File != "" {
				if err := writeJSONAtomic(n.cfg.Stats.File, n.Stats()); err != nil {
					n.log.Warn("node: stats file", "err", err)
				}
			}
		case <-logC:
			n.log.Info("node: stats", n.Stats().LogLine()...)
		}
	}
}

// afPacketInterface returns the kernel interface of a net_af_packet device.
func afPacketInterface(dev string) string {
	if !strings.HasPrefix(dev, "net_af_packet") {
		return ""
	}
	for _, kv := range strings.Split(dev, ",")[1:] {
		if k, v, ok := strings.Cut(kv, "="); ok && k == "iface" {
			return v
		}
	}
	return ""
}

var errNotRoot = errors.New("serve needs root (DPDK, hugepages, the TAP and raw sockets); run it with sudo")

// CheckPrivileges fails early with a clear message when not root.
func CheckPrivileges() error {
	if os.Geteuid() != 0 {
		return errNotRoot
	}
	return nil
}
