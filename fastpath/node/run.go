package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/api"
	"github.com/gwlbctl/gwlbctl/control/store"
	"github.com/gwlbctl/gwlbctl/fastpath/dpdk"
	"github.com/gwlbctl/gwlbctl/fastpath/engine"
	"github.com/gwlbctl/gwlbctl/fastpath/kernel"
)

// Node is a running load balancer node: its DPDK forwarder, engine
// workers, published snapshot, reloader and local API.
type Node struct {
	cfg     Config
	log     *slog.Logger
	start   time.Time
	plan    *Plan
	lbArn   string
	nodeID  string
	version string

	locks   *nodeLocks
	eal     *dpdk.EAL
	fw      *dpdk.Forwarder
	pub     engine.Publisher
	workers []*engine.Worker
	lcores  []int    // worker i's lcore
	names   []string // port names in engine order
	neigh   *Neighbors
	health  *nodeHealth
	snap    atomic.Pointer[Snapshot]
	rl      *Reloader

	events  *api.EventLog
	rates   rates
	targets targetSince
	stats   statsFile
	reg     *registrar

	apiSrv, metricsSrv *api.Server
	// batches keeps the flow batches (about 470 KB each) of finished
	// listings for the next, as many as listings run at once; nil keeps
	// none.
	batches       chan *engine.FlowBatch
	slotBudget    int               // tests: the slots a flow listing examines per call (0: flowSlotsPerCall)
	serverOptions api.ServerOptions // tests: the API servers' connection limits (zero: api's defaults)

	mainSet unix.CPUSet // the main lcore's CPUs, Go's threads are confined to (affinity.go)

	stopOnce  sync.Once
	closeOnce sync.Once
}

// StartOptions are hooks around a node's start, for tools that drive a
// node (benchmarks).
type StartOptions struct {
	// BeforeForwarding runs once the ports are open and the first snapshot
	// is published, just before the workers start forwarding; an error
	// stops the start. Benchmarks warm the flow tables here.
	BeforeForwarding func(*Node) error
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

// Start brings the node up in two halves. First what needs no DPDK, so
// every mistake of the config or the state surfaces before EAL starts: the
// config validated and checked against the host, the store read and the
// first snapshot built (Prepare), the workers and their flow tables
// allocated, the node's locks taken (a second serve on the same ports or
// socket is refused here, naming the pid of the first). Then, once: EAL,
// the ports and their TAPs, the first snapshot published with the
// appliance port's own MAC and MTU, the forwarding lcores, the API. The
// caller must call Wait (which also releases everything) or Close.
func Start(cfg Config, log *slog.Logger, opts StartOptions) (_ *Node, err error) {
	if log == nil {
		log = slog.Default()
	}
	n := &Node{cfg: cfg, log: log, start: time.Now(), version: control.BuildVersion(), events: api.NewEventLog(0, nil),
		batches: make(chan *engine.FlowBatch, api.DefaultMaxListings)}
	defer func() {
		if err != nil {
			n.Close()
		}
	}()

	// The pure half.
	if n.plan, err = Prepare(&n.cfg); err != nil {
		return nil, err
	}
	n.lbArn = n.plan.Snapshot.LoadBalancerArn
	n.nodeID = n.cfg.NodeID()
	for i := 0; i < n.cfg.Workers(); i++ {
		w, err := engine.NewWorker(engine.WorkerOptions{ID: i, Workers: n.cfg.Workers(), Config: &n.pub, FlowCapacity: n.cfg.Flows.Capacity, Seed: FlowSeed(n.lbArn)})
		if err != nil {
			return nil, fmt.Errorf("flows.capacity %d: %w", n.cfg.Flows.Capacity, err)
		}
		n.workers = append(n.workers, w)
	}
	// Lock files of nodes killed before they released them guard nothing
	// (the kernel dropped their locks) but would stay until reboot.
	if swept, err := kernel.SweepStaleLocks(""); err != nil {
		log.Warn("node: stale lock files not swept", "dir", kernel.DefaultRunDir, "error", err)
	} else if swept > 0 {
		log.Info("node: removed lock files no process held", "dir", kernel.DefaultRunDir, "files", swept)
	}
	if n.locks, err = acquireLocks("", &n.cfg); err != nil {
		return nil, err
	}

	// DPDK, once.
	if err := n.openPorts(); err != nil {
		return nil, err
	}
	port := n.fw.Ports()[AppliancePortIndex]
	n.steerReturns(port)
	mac := n.cfg.mac
	if mac == nil {
		if mac, err = port.MAC(); err != nil {
			return nil, err
		}
	}
	mtu, err := port.MTU()
	if err != nil {
		return nil, err
	}
	if mtu < engine.MinApplianceMTU {
		return nil, fmt.Errorf("appliance.device %s: its MTU is %d, and the appliance network must carry %d bytes (a 576-byte inner packet and 68 bytes of Geneve): set appliance.mtu (9001 on EC2)", n.cfg.Appliance.Device, mtu, engine.MinApplianceMTU)
	}
	n.neigh = NewNeighbors(n.cfg.statics, n.cfg.Appliance.TAP)
	n.neigh.Refresh()
	snapper := NewSnapshotter(&n.cfg, [6]byte(mac), mtu)
	if _, err := store.RegistryOf(n.plan.Store); err == nil {
		snapper.Shared = true
	}
	n.health = newNodeHealth(&n.cfg, n.plan.Store, n.nodeID, n.log, nil)
	snapper.Health, snapper.Detail = n.health.observed, n.health.detail
	if err := n.routedPortFacts(snapper); err != nil {
		return nil, err
	}
	routed := newEndpointNeighbors(&n.cfg, n.workers)
	if routed != nil {
		snapper.Neighbors = routed.List
		routed.Start()
	}
	n.rl = &Reloader{
		Store: n.plan.Store,
		Build: func(s *control.State, rev uint64, now time.Time) (*Snapshot, error) {
			snap, err := snapper.Build(s, rev, now, n.neigh.Lookup)
			if err == nil {
				n.health.update(s, snap, now)
			}
			return snap, err
		},
		Wake:    n.health.wake,
		Publish: n.publish,
		Problem: func(msg string, err error) {
			n.events.Append(api.Event{Kind: api.EventWarning, Message: msg + ": " + err.Error()})
		},
		Resolve: n.neigh.Resolve,
		Refresh: n.neigh.Refresh,
		Log:     n.log,
	}
	if routed != nil {
		n.rl.Endpoints = routed.Poll
	}
	if err := n.rl.Start(n.plan.State, n.plan.Version); err != nil {
		return nil, err
	}
	if opts.BeforeForwarding != nil {
		if err := opts.BeforeForwarding(n); err != nil {
			return nil, err
		}
	}
	handlers := make([]dpdk.BurstHandler, len(n.workers))
	for i, w := range n.workers {
		handlers[i] = w
	}
	if err := n.fw.Start(handlers); err != nil {
		return nil, err
	}
	n.resolveAtStart(routed)
	n.register()
	if err := n.serveAPI(); err != nil {
		return nil, err
	}
	n.health.start()
	n.confine(true)
	n.writeStats() // the stats file exists once serve says it forwards
	log.Info("node: forwarding", "load_balancer", n.lbArn, "availability_zone", n.cfg.AvailabilityZone,
		"node_ip", n.cfg.nodeIP, "node_mac", mac.String(), "appliance_mtu", mtu, "inner_mtu", n.snap.Load().Config.InnerLimit(),
		"ports", len(n.names), "workers", len(n.workers), "tap", n.cfg.Appliance.TAP, "routed", n.cfg.describeRouted(), "api", n.cfg.API.Socket, "metrics", n.cfg.metricsAddr)
	return n, nil
}

// openPorts starts EAL and opens every port, with the appliance port's
// exception TAP configured on the kernel side.
func (n *Node) openPorts() (err error) {
	cfg := &n.cfg
	if n.eal, err = dpdk.InitEAL(dpdk.EALConfig{Args: cfg.EAL.Args, Logger: n.log}); err != nil {
		return fmt.Errorf("eal.args: %w", err)
	}
	n.lcores = n.eal.WorkerLcores()
	ports := []dpdk.PortConfig{{Device: cfg.Appliance.Device, MTU: cfg.Appliance.MTU, Promiscuous: cfg.mac != nil}}
	n.names = []string{"appliance"}
	for i, ep := range cfg.Endpoints {
		if r := cfg.routed[i]; r != nil {
			// A routed port takes frames for its own MAC; a configured
			// one differs from the device's.
			ports = append(ports, dpdk.PortConfig{Device: ep.Device, MTU: ep.MTU, Promiscuous: r.mac != nil,
				Exception: &dpdk.ExceptionConfig{Interface: ep.TAP, MAC: r.mac, MTU: ep.MTU}})
			n.names = append(n.names, ep.ID)
			continue
		}
		// A bump port is a wire: it must take frames for any MAC.
		ports = append(ports,
			dpdk.PortConfig{Device: ep.SideA, Promiscuous: true},
			dpdk.PortConfig{Device: ep.SideB, Promiscuous: true})
		n.names = append(n.names, ep.ID+"/A", ep.ID+"/B")
	}
	for i, d := range cfg.devices {
		if d.Driver != "net_af_packet" {
			continue
		}
		for _, iface := range d.Ifaces {
			// The kernel must not answer for the node on an interface DPDK
			// reads with net_af_packet (it sees those frames too), and the
			// frames read there must be complete (checksums filled in, no
			// GRO super-frames).
			if err := kernel.QuietKernelSide(iface); err != nil {
				n.log.Warn("node: could not quiet the kernel side of a port", "port", cfg.deviceKey(i), "iface", iface, "err", err)
			}
			if err := kernel.DisableOffloads("", iface); err != nil {
				n.log.Warn("node: could not disable offloads of a port", "port", cfg.deviceKey(i), "iface", iface, "err", err)
			}
		}
	}
	if cfg.Appliance.TAP != "" {
		ports[AppliancePortIndex].Exception = &dpdk.ExceptionConfig{Interface: cfg.Appliance.TAP, MAC: cfg.mac}
	}
	fwc := dpdk.ForwarderConfig{Name: "gwlb", Ports: ports, Workers: len(n.workers), Mbufs: cfg.EAL.MbufCount, DataRoom: cfg.EAL.MbufDataRoom}
	if n.fw, err = dpdk.NewForwarder(n.eal, fwc); err != nil {
		return err
	}
	// The TAPs stay down until the forwarder starts: give the appliance
	// TAP the node's address first.
	for _, x := range n.fw.Exceptions() {
		var tc kernel.TAPConfig
		key := "appliance.tap"
		if x.Port == AppliancePortIndex && cfg.nodeIP.IsValid() {
			tc.Addresses = []netip.Prefix{cfg.nodeIP}
		} else if i, ok := cfg.routedEndpointOf(x.Port); ok {
			tc, key = cfg.routedTAP(i), fmt.Sprintf("endpoints[%d].tap", i)
		}
		if err := kernel.ConfigureTAP(x.Interface, tc); err != nil {
			return fmt.Errorf("%s %s: %w", key, x.Interface, err)
		}
	}
	return nil
}

// publish hands a snapshot to the workers and records its events.
func (n *Node) publish(why string, prev, cur *Snapshot) {
	n.pub.Store(cur.Config)
	n.snap.Store(cur)
	n.targets.note(cur)
	for _, e := range snapshotEvents(why, prev, cur) {
		n.events.Append(e)
	}
}

// serveAPI starts the API on its socket (with /metrics) and the optional
// metrics listener.
func (n *Node) serveAPI() error {
	o := api.Options{Log: n.log}
	if s := n.cfg.API.Socket; s != "" {
		srv, err := api.StartServer(s, api.SocketOptions{Group: n.cfg.API.Group, Lock: n.locks.socketCloser()}, n, o, n.serverOptions)
		if err != nil {
			return err // ListenUnix names api.socket
		}
		n.locks.handedOver()
		n.apiSrv = srv
		if fi, err := os.Stat(s); err == nil {
			n.stats.gid = fileGID(fi)
		}
	}
	if a := n.cfg.metricsAddr; a != "" {
		srv, err := api.StartMetrics(a, n, o, n.serverOptions)
		if err != nil {
			return err
		}
		n.metricsSrv = srv
	}
	return nil
}

// Wait runs the reloader and the stats loop until ctx is done, then stops
// the node (Stop) and releases it (Close).
func (n *Node) Wait(ctx context.Context) error {
	defer n.Close()
	var wg sync.WaitGroup
	errc := make(chan error, 1)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	wg.Add(3)
	go func() {
		defer wg.Done()
		n.health.run(runCtx)
	}()
	go func() {
		defer wg.Done()
		if err := n.rl.Run(runCtx); err != nil {
			errc <- err
		}
	}()
	go func() {
		defer wg.Done()
		n.statsLoop(runCtx)
	}()
	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
	}
	cancel()
	wg.Wait()
	n.Stop()
	return runErr
}

// Stop stops serving: the API first (requests in flight get a moment to
// finish), then the forwarding lcores, then it logs and writes the final
// stats. Safe to call more than once and from any goroutine; only the
// first call does it.
func (n *Node) Stop() {
	n.stopOnce.Do(func() {
		n.log.Info("node: stopping")
		if n.health != nil {
			n.health.close()
		}
		n.deregister()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		for _, s := range []*api.Server{n.apiSrv, n.metricsSrv} {
			if s != nil {
				if err := s.Shutdown(ctx); err != nil {
					n.log.Warn("node: stopping the API", "err", err)
				}
			}
		}
		if n.fw != nil {
			n.fw.Stop()
		}
		cs := n.readCounters()
		rev := uint64(0)
		if cs.snap != nil {
			rev = cs.snap.Config.Revision
		}
		n.log.Info("node: final stats", logLine(rev, &cs.engine)...)
		n.stats.write(n, n.statsDocument(cs))
	})
}

// Close releases ports, workers, the EAL and the node's locks; safe to
// call on a partly started node, more than once.
func (n *Node) Close() {
	n.closeOnce.Do(func() {
		if n.health != nil {
			n.health.close()
		}
		n.deregister()
		for _, s := range []*api.Server{n.apiSrv, n.metricsSrv} {
			if s != nil {
				_ = s.Shutdown(context.Background())
			}
		}
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
		if n.eal != nil {
			n.eal.Close()
			n.eal = nil
		}
		n.locks.release()
	})
}

// Workers returns the engine workers (one per forwarding lcore).
func (n *Node) Workers() []*engine.Worker { return n.workers }

// Snapshot returns the snapshot in force.
func (n *Node) Snapshot() *Snapshot { return n.snap.Load() }

// Forwarder returns the node's DPDK forwarder.
func (n *Node) Forwarder() *dpdk.Forwarder { return n.fw }

// Log is the node's logger.
func (n *Node) Log() *slog.Logger { return n.log }

// since is when each target entered its state, by engine id.
func (n *Node) since() map[string]time.Time { return n.targets.snapshot() }

// writeStats samples the rates and writes the stats file.
func (n *Node) writeStats() {
	cs := n.readCounters()
	doc := n.statsDocument(cs)
	n.rates.sample(&doc)
	n.stats.write(n, doc)
}

// statsLoop samples the rates and writes the stats file every second,
// and logs a line every stats interval.
func (n *Node) statsLoop(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
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
		case <-tick.C:
			n.confine(false)
			n.writeStats()
		case <-logC:
			cs := n.readEngine()
			rev := uint64(0)
			if cs.snap != nil {
				rev = cs.snap.Config.Revision
			}
			n.log.Info("node: stats", logLine(rev, &cs.engine)...)
		}
	}
}

var errNotRoot = errors.New("serve needs root (DPDK, hugepages, the TAP and raw sockets); run it with sudo, or check the config without root: gwlbctl serve --check")

// CheckPrivileges fails early with a clear message when not root.
func CheckPrivileges() error {
	if os.Geteuid() != 0 {
		return errNotRoot
	}
	return nil
}
