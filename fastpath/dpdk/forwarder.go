package dpdk

/*
#include <stdlib.h>
#include <rte_launch.h>
#include "gw.h"
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime/cgo"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gwlbctl/gwlbctl/fastpath/kernel"
	"github.com/gwlbctl/gwlbctl/fastpath/pcap"
)

// ForwarderConfig lists a node's ports in the engine's order (the index of
// a port here is engine.Packet.Port and engine.Packet.Out), each with its
// optional exception path (PortConfig.Exception).
type ForwarderConfig struct {
	// Name prefixes the pool's name (unique per process); "gw" when empty.
	Name  string
	Ports []PortConfig
	// Workers is the number of forwarding lcores (0: every EAL worker
	// lcore), at most MaxWorkers. Worker i polls rx queue i of each port
	// that has one and transmits on tx queue i of every port. With
	// several, each has an inbox the others hand packets to (the
	// engine's Handoff verdict: a packet whose flow another worker owns);
	// a worker with no rx queue of its own forwards what it is handed.
	Workers int
	// Mbufs sizes the pool (0: enough for every ring, the lcore caches,
	// the bursts in flight and any net_pcap infinite_rx file, plus 8192).
	Mbufs int
	// DataRoom is each mbuf's size (0: DataRoomForMTU of the largest
	// port or TAP MTU, more if a net_af_packet port's framesz needs it).
	DataRoom int
}

// ExceptionConfig is a port's exception path: a kernel TAP interface that
// stands for the port towards Linux, so the kernel answers ARP, neighbour
// solicitations and ping for the node's addresses on that port and
// resolves its neighbours. Packets the engine gives an Exception verdict
// with Out = the port go to the kernel through it; frames the kernel sends
// out of it leave unchanged on the port.
//
// The forwarder creates the TAP with its MAC and MTU (the DPDK side) and
// leaves it down; the rest of the kernel side, addresses and sysctls, is
// the caller's (fastpath/kernel.ConfigureTAP, which also brings it up),
// between NewForwarder and Start.
type ExceptionConfig struct {
	// Interface is the kernel interface name (1-15 bytes, no ',', '=',
	// ' ' or '/').
	Interface string
	// MAC of the TAP; the port's own MAC when nil.
	MAC net.HardwareAddr
	// MTU of the TAP; the port's MTU when 0 (1500 if that is unset). It
	// is set on the kernel interface, so jumbo MTUs work although net_tap
	// refuses them; the pool's mbufs are sized for it as for the ports'.
	MTU int
}

// ExceptionPath is an opened exception path: the port it belongs to and
// its TAP.
type ExceptionPath struct {
	Port      int // index in ForwarderConfig.Ports
	Interface string
	MAC       net.HardwareAddr
	MTU       int
	TAP       *Port
}

// Forwarder is a node's set of ports, one pool and the forwarding lcores.
type Forwarder struct {
	e       *EAL
	cfg     ForwarderConfig
	pool    *Mempool
	ports   []*Port
	excs    []ExceptionPath // in port order
	taps    []*Port         // by port index; nil for a port without a TAP
	workers []*worker

	mu       sync.Mutex // guards running, handlers and the workers' launch state
	running  bool
	handlers []BurstHandler
	closed   bool
	resets   chan *Port
	nresets  atomic.Uint64
	stopMon  chan struct{}
	monDone  chan struct{}
}

// NewForwarder creates the pool, opens and starts every port, and opens
// each port's exception TAP (started by Start, once the caller has
// configured its kernel side). On error everything opened so far is
// closed again.
func NewForwarder(e *EAL, cfg ForwarderConfig) (*Forwarder, error) {
	if len(cfg.Ports) == 0 {
		return nil, errors.New("dpdk: forwarder has no ports")
	}
	if len(cfg.Ports) > C.GW_MAX_PORTS {
		return nil, fmt.Errorf("dpdk: %d ports, at most %d", len(cfg.Ports), C.GW_MAX_PORTS)
	}
	lcores := e.WorkerLcores()
	if cfg.Workers == 0 {
		cfg.Workers = len(lcores)
	}
	if cfg.Workers < 1 || cfg.Workers > len(lcores) {
		return nil, fmt.Errorf("dpdk: %d workers asked, EAL has %d worker lcores (%v); list more CPUs in -l, e.g. -l 0,1", cfg.Workers, len(lcores), lcores)
	}
	if cfg.Workers > MaxWorkers {
		return nil, fmt.Errorf("dpdk: %d workers asked, at most %d", cfg.Workers, MaxWorkers)
	}
	if cfg.Name == "" {
		cfg.Name = "gw"
	}
	ntaps := 0
	seenTAP := map[string]int{}
	for i, pc := range cfg.Ports {
		x := pc.Exception
		if x == nil {
			continue
		}
		if x.Interface == "" || len(x.Interface) > 15 || strings.ContainsAny(x.Interface, ",= /") {
			return nil, fmt.Errorf("dpdk: port %d: exception TAP: interface name %q must be 1-15 characters without ',', '=', ' ' or '/'", i, x.Interface)
		}
		if j, dup := seenTAP[x.Interface]; dup {
			return nil, fmt.Errorf("dpdk: ports %d and %d: both give exception TAP %s; each port needs its own", j, i, x.Interface)
		}
		seenTAP[x.Interface] = i
		ntaps++
	}
	f := &Forwarder{e: e, cfg: cfg, resets: make(chan *Port, 8), taps: make([]*Port, len(cfg.Ports))}
	ok := false
	defer func() {
		if !ok {
			_ = f.closePorts()
		}
	}()

	maxMTU, mbufs, minRoom := 1500, 8192, 0
	for i := range cfg.Ports {
		pc := &cfg.Ports[i]
		if pc.RxQueues == 0 {
			pc.RxQueues = cfg.Workers
		}
		if pc.TxQueues == 0 {
			pc.TxQueues = cfg.Workers
		}
		if pc.TxQueues < cfg.Workers {
			return nil, fmt.Errorf("dpdk: port %s: %d tx queues for %d workers; each worker needs its own", pc.Device, pc.TxQueues, cfg.Workers)
		}
		maxMTU = max(maxMTU, pc.MTU)
		if pc.Exception != nil {
			maxMTU = max(maxMTU, pc.Exception.MTU)
		}
		if fs := afPacketFrameSize(pc.Device); fs > 0 {
			// net_af_packet refuses to start when its frames (framesz)
			// do not fit the mbufs ("will not fit in mbuf").
			minRoom = max(minRoom, Headroom+fs)
		}
		rxd, txd := max(pc.RxDesc, 1024), max(pc.TxDesc, 1024)
		mbufs += pc.RxQueues*rxd + pc.TxQueues*txd
		if file, ok := infinitePcap(pc.Device); ok {
			// net_pcap preloads the whole file into the pool.
			n, err := pcap.Count(file)
			if err != nil {
				return nil, fmt.Errorf("dpdk: port %s: rx_pcap: %w", pc.Device, err)
			}
			mbufs += n
		}
	}
	mbufs += (cfg.Workers+1)*(poolCache*3/2) + cfg.Workers*(len(cfg.Ports)+2)*Burst*2
	mbufs += ntaps * 2 * cfg.Workers * 1024 * 2
	if cfg.Mbufs != 0 {
		mbufs = cfg.Mbufs
	}
	dataRoom := cfg.DataRoom
	if dataRoom == 0 {
		dataRoom = max(DataRoomForMTU(maxMTU), (minRoom+127)&^127)
	}
	var err error
	f.pool, err = e.NewMempool(cfg.Name+"_mbufs", mbufs, dataRoom)
	if err != nil {
		return nil, err
	}
	for i, pc := range cfg.Ports {
		pc.Exception = nil // opened below
		p, err := e.OpenPort(pc, f.pool)
		if err != nil {
			return nil, fmt.Errorf("dpdk: port %d: %w", i, err)
		}
		f.ports = append(f.ports, p)
	}
	for _, p := range f.ports {
		if err := p.Start(); err != nil {
			return nil, err
		}
	}
	for i, pc := range cfg.Ports {
		if pc.Exception != nil {
			if err := f.openTAP(i, pc.Exception); err != nil {
				return nil, err
			}
		}
	}
	for i := 0; i < cfg.Workers; i++ {
		w := f.newWorker(i, lcores[i])
		f.workers = append(f.workers, w)
		if len(w.rxqs) == 0 && cfg.Workers == 1 {
			return nil, fmt.Errorf("dpdk: worker %d has no rx queue to poll: give a port at least %d rx queues (and not TxOnly), or use fewer workers", i, i+1)
		}
	}
	if err := f.openInboxes(); err != nil {
		return nil, err
	}
	f.stopMon, f.monDone = make(chan struct{}), make(chan struct{})
	go f.monitorResets()
	e.onTick(f.pollResets)
	ok = true
	return f, nil
}

// afPacketFrameSize returns the framesz of a net_af_packet device (0 when
// it is not one or does not set it).
func afPacketFrameSize(spec string) int {
	d, err := ParseDevice(spec)
	if err != nil || d.Driver != "net_af_packet" {
		return 0
	}
	v, _ := d.Arg("framesz")
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// infinitePcap returns the rx_pcap file of a net_pcap device that replays
// it forever (infinite_rx=1): the PMD preloads it into mbufs.
func infinitePcap(spec string) (string, bool) {
	d, err := ParseDevice(spec)
	if err != nil || d.Driver != "net_pcap" {
		return "", false
	}
	file, _ := d.Arg("rx_pcap")
	inf, _ := d.Arg("infinite_rx")
	return file, inf == "1" && file != ""
}

// openTAP opens port i's exception TAP: net_tap creates the kernel
// interface with the MAC, and the MTU is set on the kernel interface. The
// port is configured, not started: the kernel interface stays down until
// Start.
func (f *Forwarder) openTAP(i int, x *ExceptionConfig) error {
	mac := x.MAC
	if mac == nil {
		var err error
		if mac, err = f.ports[i].MAC(); err != nil {
			return err
		}
	}
	mtu := x.MTU
	if mtu == 0 {
		mtu = f.cfg.Ports[i].MTU
	}
	if mtu == 0 {
		mtu = 1500
	}
	err := f.e.quietLogType("pmd.net.tap", func() error {
		tap, err := f.e.OpenPort(PortConfig{
			Device:   fmt.Sprintf("net_tap_%s,iface=%s,mac=%s", x.Interface, x.Interface, mac),
			RxQueues: f.cfg.Workers, TxQueues: f.cfg.Workers, RxDesc: 1024, TxDesc: 1024,
		}, f.pool)
		if err != nil {
			return fmt.Errorf("dpdk: port %d: exception TAP %s: %w", i, x.Interface, err)
		}
		f.taps[i] = tap
		// On the kernel interface itself: net_tap refuses an MTU above
		// 1500 (its maximum frame is 1522 bytes in 22.11), but reads and
		// writes whatever fits the pool's mbufs, which are sized for it.
		if err := kernel.SetMTU(x.Interface, mtu); err != nil {
			return fmt.Errorf("dpdk: port %d: exception TAP %s: %w", i, x.Interface, err)
		}
		f.excs = append(f.excs, ExceptionPath{Port: i, Interface: x.Interface, MAC: mac, MTU: mtu, TAP: tap})
		return nil
	})
	return err
}

func (f *Forwarder) newWorker(i, lcore int) *worker {
	c := (*C.struct_gw_worker)(C.calloc(1, C.size_t(unsafe.Sizeof(C.struct_gw_worker{}))))
	w := &worker{index: i, lcore: lcore, c: c}
	c.nports = C.uint16_t(len(f.ports))
	for pi, p := range f.ports {
		c.tx[pi].port_id = C.uint16_t(p.id)
		c.tx[pi].queue_id = C.uint16_t(i)
		c.tx[pi].enabled = 1
		if i < p.nrxq && !p.cfg.TxOnly {
			w.rxqs = append(w.rxqs, rxQueue{portIndex: uint16(pi), port: p, queue: uint16(i)})
		}
	}
	c.nrxq = C.uint16_t(len(w.rxqs))
	for q, r := range w.rxqs {
		c.rxq[q].port_id = C.uint16_t(r.port.id)
		c.rxq[q].queue_id = C.uint16_t(r.queue)
	}
	c.nexc = C.uint16_t(len(f.excs))
	for k, x := range f.excs {
		c.exc[k].rx.port_id = C.uint16_t(x.TAP.id)
		c.exc[k].rx.queue_id = C.uint16_t(i)
		c.exc[k].port = C.uint16_t(x.Port)
		t := &c.exc_tx[x.Port]
		t.port_id = C.uint16_t(x.TAP.id)
		t.queue_id = C.uint16_t(i)
		t.enabled = 1
	}
	return w
}

// MaxWorkers is the most forwarding workers a forwarder runs (the flow
// cookie names its worker in 4 bits).
const MaxWorkers = C.GW_MAX_WORKERS

// openInboxes gives each worker of a forwarder of several its hand-off
// inbox and every worker the others' inboxes.
func (f *Forwarder) openInboxes() error {
	if len(f.workers) < 2 {
		return nil
	}
	for i, w := range f.workers {
		name := C.CString(fmt.Sprintf("%s_in%d", f.cfg.Name, i))
		err := f.e.Do(func() error {
			w.c.inbox = C.gw_inbox_create(name)
			if w.c.inbox == nil {
				return fmt.Errorf("dpdk: worker %d: creating its hand-off inbox: %s", i, rteStrerror(int(C.gw_errno()), 0))
			}
			return nil
		})
		C.free(unsafe.Pointer(name))
		if err != nil {
			return err
		}
	}
	for _, w := range f.workers {
		w.c.nworkers = C.uint16_t(len(f.workers))
		for k, peer := range f.workers {
			if peer != w {
				w.c.ho[k].inbox = peer.c.inbox
			}
		}
	}
	return nil
}

// Ports returns the ports in configuration order.
func (f *Forwarder) Ports() []*Port { return append([]*Port(nil), f.ports...) }

// Exceptions returns the exception paths in port order: what the caller
// configures on the kernel side before Start.
func (f *Forwarder) Exceptions() []ExceptionPath { return append([]ExceptionPath(nil), f.excs...) }

// ExceptionPort returns the TAP of port i, or nil when it has none.
func (f *Forwarder) ExceptionPort(i int) *Port {
	if i < 0 || i >= len(f.taps) {
		return nil
	}
	return f.taps[i]
}

// Pool returns the forwarder's mbuf pool.
func (f *Forwarder) Pool() *Mempool { return f.pool }

// Workers returns the number of forwarding lcores.
func (f *Forwarder) Workers() int { return len(f.workers) }

// Start starts the exception TAPs' ports (the first time; their kernel
// interfaces come up) and launches one worker per lcore, worker i running
// handlers[i] (e.g. one *engine.Worker each: handlers are not shared
// between lcores).
func (f *Forwarder) Start(handlers []BurstHandler) error {
	if len(handlers) != len(f.workers) {
		return fmt.Errorf("dpdk: %d handlers for %d workers; give one per worker", len(handlers), len(f.workers))
	}
	for i, h := range handlers {
		if h == nil {
			return fmt.Errorf("dpdk: handler %d is nil", i)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return errors.New("dpdk: forwarder is closed")
	}
	if f.running {
		return errors.New("dpdk: forwarder already running")
	}
	for _, x := range f.excs {
		// net_tap tells secondary processes of a start; there are none
		// (in-memory), and it warns that it could not.
		if err := f.e.quietLogType("pmd.net.tap", x.TAP.Start); err != nil {
			return fmt.Errorf("dpdk: port %d: exception TAP %s: %w", x.Port, x.Interface, err)
		}
	}
	f.handlers = append([]BurstHandler(nil), handlers...)
	return f.launch()
}

func (f *Forwarder) launch() error {
	for i, w := range f.workers {
		w.handler = f.handlers[i]
		w.stop.Store(false)
		w.done = make(chan struct{})
		h := cgo.NewHandle(w)
		err := f.e.Do(func() error {
			if rc := C.gw_launch(C.uint(w.lcore), C.uintptr_t(h)); rc != 0 {
				return fmt.Errorf("dpdk: launching worker %d on lcore %d: %s (is the lcore busy?)", i, w.lcore, rteStrerror(-int(rc), 0))
			}
			return nil
		})
		if err != nil {
			h.Delete()
			f.halt(f.workers[:i])
			return err
		}
		done := w.done
		go func() { <-done; h.Delete() }()
	}
	f.running = true
	return nil
}

// halt stops the given workers: each finishes its pass, drains its last
// burst and flushes its tx buffers, then its lcore returns to EAL.
func (f *Forwarder) halt(ws []*worker) {
	for _, w := range ws {
		w.stop.Store(true)
	}
	for _, w := range ws {
		<-w.done
		_ = f.e.Do(func() error { C.rte_eal_wait_lcore(C.uint(w.lcore)); return nil })
	}
}

// Stop stops the workers (drained: nothing is left in their tx buffers).
// The ports keep running; Start resumes.
func (f *Forwarder) Stop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.running {
		f.halt(f.workers)
		f.running = false
	}
}

// Run starts the workers and blocks until ctx is done (e.g. SIGINT or
// SIGTERM through signal.NotifyContext), then stops them. The caller
// closes the forwarder and then the EAL.
func (f *Forwarder) Run(ctx context.Context, handlers []BurstHandler) error {
	if err := f.Start(handlers); err != nil {
		return err
	}
	<-ctx.Done()
	f.Stop()
	return nil
}

// pollResets runs on the main lcore once a second: a reset request from a
// PMD (RTE_ETH_EVENT_INTR_RESET) is handed to monitorResets, which may
// stop workers (that needs the main lcore, so it cannot happen here).
func (f *Forwarder) pollResets() {
	for _, p := range append(f.Ports(), f.taps...) {
		if p != nil && !p.closed && p.resetRequested() {
			select {
			case f.resets <- p:
			default:
			}
		}
	}
}

// monitorResets performs port resets: stop the workers, reset and restart
// the port, resume the workers. ENA asks for this after a device or
// watchdog error; written to the 22.11 API, untested without ENA hardware
// (TestPortResetRecovery exercises it on a driver without reset support).
func (f *Forwarder) monitorResets() {
	defer close(f.monDone)
	for {
		select {
		case <-f.stopMon:
			return
		case p := <-f.resets:
			f.e.log.Warn("dpdk: driver requested a port reset", "port", p.name, "driver", p.driver)
			if err := f.resetPort(p); err != nil {
				f.e.log.Error("dpdk: port reset failed; the port stays down", "port", p.name, "err", err)
			}
		}
	}
}

func (f *Forwarder) resetPort(p *Port) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	wasRunning := f.running
	if wasRunning {
		f.halt(f.workers)
		f.running = false
	}
	err := p.Reset()
	f.nresets.Add(1)
	if wasRunning {
		if lerr := f.launch(); lerr != nil && err == nil {
			err = lerr
		}
	}
	return err
}

// Resets returns how many port resets the forwarder has performed.
func (f *Forwarder) Resets() uint64 { return f.nresets.Load() }

// Stats returns each worker's counters.
func (f *Forwarder) Stats() []WorkerStats {
	out := make([]WorkerStats, len(f.workers))
	for i, w := range f.workers {
		out[i] = w.stats()
	}
	return out
}

// Close stops the workers, stops and closes every port (the TAPs' kernel
// interfaces disappear) and frees the pool and the workers' C memory.
func (f *Forwarder) Close() error {
	f.Stop()
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil
	}
	f.closed = true
	f.mu.Unlock()
	if f.stopMon != nil {
		close(f.stopMon)
		<-f.monDone
	}
	return f.closePorts()
}

func (f *Forwarder) closePorts() error {
	for _, w := range f.workers {
		if w.c != nil {
			C.gw_inbox_free(w.c.inbox)
		}
	}
	for _, w := range f.workers {
		if w.c != nil {
			C.free(unsafe.Pointer(w.c))
			w.c = nil
		}
	}
	var errs []error
	for _, x := range f.excs {
		errs = append(errs, x.TAP.Close())
	}
	for _, p := range f.ports {
		errs = append(errs, p.Close())
	}
	if f.pool != nil {
		f.pool.Free()
	}
	return errors.Join(errs...)
}
