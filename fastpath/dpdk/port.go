package dpdk

/*
#define ALLOW_EXPERIMENTAL_API // rte_devargs_reset
#include <stdlib.h>
#include <string.h>
#include <rte_ethdev.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_devargs.h>
#include "gw.h"

// Whether a bus of this EAL (its drivers) recognises the device string:
// 0 if one does, -1 if none.
static int gw_devargs_ok(const char *dev)
{
	struct rte_devargs da;

	if (rte_devargs_parse(&da, dev) != 0)
		return -1;
	rte_devargs_reset(&da);
	return 0;
}
*/
import "C"

import (
	"fmt"
	"net"
	"unsafe"
)

// PortConfig describes one DPDK port.
type PortConfig struct {
	// Device is a virtual device with its arguments, probed on open
	// ("net_null0,no-rx=1", "net_af_packet0,iface=veth1",
	// "net_pcap0,rx_pcap=F,infinite_rx=1", "net_tap0,iface=gwlb0"), or the
	// name of a device EAL already probed (a PCI address allowed with -a,
	// e.g. "0000:00:06.0"; devargs after a comma are ignored here, give
	// them in EALConfig.PCI). A vdev name starts with its driver's name and
	// must be unique in the process.
	Device string
	// RxQueues and TxQueues default to 1. With several rx queues RSS
	// spreads packets over them, with a symmetric key when the device
	// takes one.
	RxQueues, TxQueues int
	// RxDesc and TxDesc are ring sizes (1024 by default; adjusted to the
	// device's limits).
	RxDesc, TxDesc int
	// MTU to set (0 keeps the device's). A PMD that cannot set it is
	// logged, not fatal (net_null, net_ring).
	MTU int
	// Promiscuous receives frames for any MAC (bump-in-the-wire ports).
	// ENA has no promiscuous mode: that is logged, not fatal.
	Promiscuous bool
	// TxOnly ports are never polled by the workers: sinks, or ports whose
	// rx queue is read elsewhere (ReceiveFrames).
	TxOnly bool
	// Exception is the port's exception path (nil: none; the port's
	// Exception verdicts are then dropped and counted). NewForwarder
	// opens it; OpenPort refuses a config that has one.
	Exception *ExceptionConfig
}

// Port is an opened, configured DPDK port.
type Port struct {
	e        *EAL
	cfg      PortConfig
	id       uint16
	name     string
	driver   string
	dev      *C.struct_rte_device
	hotplug  bool // probed by OpenPort: removed again by Close
	pool     *Mempool
	started  bool
	closed   bool
	nrxq     int
	ntxq     int
	resetArm bool
	noMTU    bool // the driver has no MTU to set (ENOTSUP)
}

// OpenPort probes (virtual devices) or finds (already probed devices) the
// port, configures its queues with rx buffers from pool, sets MTU and
// promiscuous mode. The port is not started. The device string is checked
// first (ParseDevice, Device.Check, and whether this DPDK has the
// driver), so a mistake is named in the error rather than left to the
// driver's errno.
func (e *EAL) OpenPort(cfg PortConfig, pool *Mempool) (*Port, error) {
	dev, err := ParseDevice(cfg.Device)
	if err != nil {
		return nil, fmt.Errorf("dpdk: %w", err)
	}
	if err := dev.Check(); err != nil {
		return nil, fmt.Errorf("dpdk: %w", err)
	}
	if pool == nil {
		return nil, fmt.Errorf("dpdk: port %s: no mempool", cfg.Device)
	}
	if cfg.Exception != nil {
		return nil, fmt.Errorf("dpdk: port %s: exception TAPs are opened by NewForwarder, not OpenPort", cfg.Device)
	}
	if cfg.RxQueues == 0 {
		cfg.RxQueues = 1
	}
	if cfg.TxQueues == 0 {
		cfg.TxQueues = 1
	}
	if cfg.RxDesc == 0 {
		cfg.RxDesc = 1024
	}
	if cfg.TxDesc == 0 {
		cfg.TxDesc = 1024
	}
	p := &Port{e: e, cfg: cfg, name: dev.Name, pool: pool}
	err = e.Do(func() error {
		cname := C.CString(p.name)
		defer C.free(unsafe.Pointer(cname))
		var id C.uint16_t
		if C.rte_eth_dev_get_port_by_name(cname, &id) != 0 {
			if dev.PCI != "" {
				return fmt.Errorf("dpdk: PCI device %s is not among EAL's ports: give it to EAL with -a %s (and drop --no-pci), bound to vfio-pci or igb_uio", dev.PCI, dev.PCI)
			}
			cdev := C.CString(cfg.Device)
			defer C.free(unsafe.Pointer(cdev))
			if rc, _ := captureLog(func() C.int { return C.gw_devargs_ok(cdev) }); rc < 0 {
				return fmt.Errorf("dpdk: %q: this DPDK has no %s driver (its PMD library is not installed or not loaded)", cfg.Device, dev.Driver)
			}
			if rc, cause := captureLog(func() C.int { return C.rte_dev_probe(cdev) }); rc < 0 {
				if cause == "" {
					cause = rteStrerror(-int(rc), 0)
				}
				return fmt.Errorf("dpdk: %q: the %s driver refused the device: %s", cfg.Device, dev.Driver, cause)
			}
			p.hotplug = true
			if C.rte_eth_dev_get_port_by_name(cname, &id) != 0 {
				return fmt.Errorf("dpdk: %q was probed but no port is named %q", cfg.Device, p.name)
			}
		}
		p.id = uint16(id)
		var info C.struct_rte_eth_dev_info
		if rc := C.rte_eth_dev_info_get(id, &info); rc != 0 {
			return fmt.Errorf("dpdk: port %s: device info: %s", p.name, rteStrerror(-int(rc), 0))
		}
		p.dev = info.device
		p.driver = C.GoString(info.driver_name)
		return p.setup()
	})
	if err != nil {
		if p.dev != nil {
			_ = p.Close()
		}
		return nil, err
	}
	return p, nil
}

// setup configures the device, its queues, MTU and promiscuous mode; it
// runs on the main lcore at open and after a reset.
func (p *Port) setup() error {
	id := C.uint16_t(p.id)
	nrxq, ntxq := C.uint16_t(p.cfg.RxQueues), C.uint16_t(p.cfg.TxQueues)
	var rc C.int
	if p.cfg.RxQueues > 1 {
		// Several queues are only useful with RSS; the symmetric key is
		// preferred, the device's own accepted with a warning (the engine
		// then needs a hand-off for the reverse direction), no RSS at all
		// leaves every packet on queue 0.
		if rc = C.gw_port_configure(id, nrxq, ntxq, 2); rc != 0 {
			if rc = C.gw_port_configure(id, nrxq, ntxq, 1); rc == 0 {
				p.e.log.Warn("dpdk: the device refused the symmetric RSS key; both directions of a flow may land on different workers", "port", p.name, "driver", p.driver)
			} else if rc = C.gw_port_configure(id, nrxq, ntxq, 0); rc == 0 {
				p.e.log.Warn("dpdk: the device has no RSS: every packet arrives on rx queue 0", "port", p.name, "driver", p.driver, "rx_queues", p.cfg.RxQueues)
			}
		}
	} else {
		rc = C.gw_port_configure(id, nrxq, ntxq, 0)
	}
	if rc != 0 {
		return fmt.Errorf("dpdk: port %s (%s): configure %d rx / %d tx queues: %s", p.name, p.driver, p.cfg.RxQueues, p.cfg.TxQueues, rteStrerror(-int(rc), 0))
	}
	if p.cfg.RxQueues > 1 {
		// A device may accept a key and keep its own: say so when the
		// key read back is not the symmetric one.
		if r, err := p.rss(); err == nil && len(r.Key) > 0 && !r.Symmetric && r.HashFunctions != 0 {
			p.e.log.Warn("dpdk: the device keeps its own RSS key; both directions of a flow may land on different workers", "port", p.name, "driver", p.driver)
		}
	}
	nrxd, ntxd := C.uint16_t(p.cfg.RxDesc), C.uint16_t(p.cfg.TxDesc)
	if rc := C.rte_eth_dev_adjust_nb_rx_tx_desc(id, &nrxd, &ntxd); rc != 0 {
		return fmt.Errorf("dpdk: port %s: ring sizes: %s", p.name, rteStrerror(-int(rc), 0))
	}
	if p.cfg.MTU > 0 {
		rc := C.rte_eth_dev_set_mtu(id, C.uint16_t(p.cfg.MTU))
		switch {
		case rc == 0:
		case -rc == C.ENOTSUP:
			p.noMTU = true
			p.e.log.Info("dpdk: driver has no MTU to set; it sends frames of any size its mbufs hold", "port", p.name, "driver", p.driver, "mtu", p.cfg.MTU)
		default:
			var info C.struct_rte_eth_dev_info
			limits := ""
			if C.rte_eth_dev_info_get(id, &info) == 0 {
				limits = fmt.Sprintf("; the driver allows MTU %d to %d", info.min_mtu, info.max_mtu)
			}
			return fmt.Errorf("dpdk: port %s (%s): MTU %d: %s%s", p.name, p.driver, p.cfg.MTU, rteStrerror(-int(rc), 0), limits)
		}
		if max := p.pool.DataRoom() - Headroom - 22; p.cfg.MTU > max {
			return fmt.Errorf("dpdk: port %s: MTU %d needs mbufs of %d bytes, the pool has %d; size the pool with DataRoomForMTU", p.name, p.cfg.MTU, DataRoomForMTU(p.cfg.MTU), p.pool.DataRoom())
		}
	}
	sock := C.rte_eth_dev_socket_id(id)
	if sock < 0 {
		sock = 0
	}
	for q := 0; q < p.cfg.RxQueues; q++ {
		if rc := C.rte_eth_rx_queue_setup(id, C.uint16_t(q), nrxd, C.uint(sock), nil, p.pool.p); rc != 0 {
			return fmt.Errorf("dpdk: port %s: rx queue %d (%d descriptors, pool %s with %d free mbufs): %s",
				p.name, q, nrxd, p.pool.name, p.pool.Available(), rteStrerror(-int(rc), 0))
		}
	}
	for q := 0; q < p.cfg.TxQueues; q++ {
		if rc := C.rte_eth_tx_queue_setup(id, C.uint16_t(q), ntxd, C.uint(sock), nil); rc != 0 {
			return fmt.Errorf("dpdk: port %s: tx queue %d: %s", p.name, q, rteStrerror(-int(rc), 0))
		}
	}
	p.nrxq, p.ntxq = p.cfg.RxQueues, p.cfg.TxQueues
	if p.cfg.Promiscuous {
		if rc := C.rte_eth_promiscuous_enable(id); rc != 0 {
			p.e.log.Warn("dpdk: promiscuous mode unavailable (ENA has none); the port receives only frames for its own MAC",
				"port", p.name, "driver", p.driver, "err", rteStrerror(-int(rc), 0))
		}
	} else if C.rte_eth_promiscuous_get(id) == 1 {
		_ = C.rte_eth_promiscuous_disable(id)
	}
	if !p.resetArm {
		// Only drivers that raise the event (ENA) ever call it; others
		// accept or refuse the registration, both fine.
		if C.gw_watch_reset(id) == 0 {
			p.resetArm = true
		}
	}
	return nil
}

// RSSIPv4UDP is RSSConfig.HashFunctions' flag for UDP over unfragmented
// IPv4 hashed on its 4-tuple (RTE_ETH_RSS_NONFRAG_IPV4_UDP): with it, the
// outer source port of a Geneve return decides its rx queue.
const RSSIPv4UDP = uint64(C.RTE_ETH_RSS_NONFRAG_IPV4_UDP)

// RSSConfig is a port's receive-side scaling as the device reports it.
type RSSConfig struct {
	// Key is the Toeplitz key; empty when the device does not say its
	// key size (net_null).
	Key []byte
	// RETA is the redirection table: a packet whose hash is h goes to rx
	// queue RETA[h % len(RETA)]; empty when the device has none (net_tap).
	RETA []uint16
	// HashFunctions are the RTE_ETH_RSS_* flags in force (0: RSS off).
	HashFunctions uint64
	// Symmetric is true when Key is the repeated 0x6d5a key that
	// OpenPort asks for with several rx queues: A->B and B->A hash alike.
	Symmetric bool
}

// RSS reads the port's RSS key and redirection table: what a worker needs
// to pick outer source ports whose returns the NIC steers to its queue
// (engine.NewRSSPorts needs both). Fails on devices without RSS. Reading
// the key is written to DPDK 22.11's API and untested here: no virtual
// device reports its key (ENA does).
func (p *Port) RSS() (RSSConfig, error) {
	var r RSSConfig
	err := p.e.Do(func() error {
		var err error
		r, err = p.rss()
		return err
	})
	return r, err
}

// rss reads the RSS state; on the main lcore.
func (p *Port) rss() (RSSConfig, error) {
	var key [64]C.uint8_t
	var reta [C.GW_MAX_RETA]C.uint16_t
	klen, rsize := C.uint8_t(len(key)), C.uint16_t(len(reta))
	var hf C.uint64_t
	if rc := C.gw_rss_get(C.uint16_t(p.id), &key[0], &klen, &hf, &reta[0], &rsize); rc != 0 {
		return RSSConfig{}, fmt.Errorf("dpdk: port %s (%s): reading RSS key and redirection table: %s", p.name, p.driver, rteStrerror(-int(rc), 0))
	}
	r := RSSConfig{Key: C.GoBytes(unsafe.Pointer(&key[0]), C.int(klen)), HashFunctions: uint64(hf), RETA: make([]uint16, int(rsize))}
	for i := range r.RETA {
		r.RETA[i] = uint16(reta[i])
	}
	if len(r.Key) > 0 {
		sym := make([]byte, len(r.Key))
		C.gw_rss_symmetric_key((*C.uint8_t)(unsafe.Pointer(&sym[0])), C.size_t(len(sym)))
		r.Symmetric = string(sym) == string(r.Key)
	}
	return r, nil
}

// ID returns the DPDK port id.
func (p *Port) ID() uint16 { return p.id }

// Name returns the device name (the vdev name or PCI address).
func (p *Port) Name() string { return p.name }

// Driver returns the PMD's name, e.g. "net_af_packet".
func (p *Port) Driver() string { return p.driver }

// MTU returns the largest IP packet the port sends: the driver's MTU
// after configuration (rte_eth_dev_get_mtu: PortConfig.MTU when the driver
// took it, its own, 1500 for most, otherwise). A driver with no MTU to set
// (net_pcap, net_ring: no wire of their own) sends frames of any size its
// mbufs hold, so PortConfig.MTU, when given, is its MTU. net_af_packet
// reports 1500 whatever the kernel interface it sends through, which
// decides (its MTU), and its frames hold framesz - 32 bytes, Ethernet
// header included (framesz 2048 by default: an IP packet of at most 2002
// bytes); the smaller of the two is returned.
func (p *Port) MTU() (int, error) {
	if p.noMTU && p.cfg.MTU > 0 {
		return p.cfg.MTU, nil
	}
	var mtu C.uint16_t
	if err := p.e.Do(func() error {
		if rc := C.rte_eth_dev_get_mtu(C.uint16_t(p.id), &mtu); rc != 0 {
			return fmt.Errorf("dpdk: port %s (%s): reading the MTU: %s", p.name, p.driver, rteStrerror(-int(rc), 0))
		}
		return nil
	}); err != nil {
		return 0, err
	}
	if p.driver != "net_af_packet" {
		return int(mtu), nil
	}
	dev, err := ParseDevice(p.cfg.Device)
	if err != nil || len(dev.Ifaces) == 0 {
		return int(mtu), nil
	}
	ifi, err := net.InterfaceByName(dev.Ifaces[0])
	if err != nil {
		return 0, fmt.Errorf("dpdk: port %s (%s): the MTU of interface %s: %w", p.name, p.driver, dev.Ifaces[0], err)
	}
	framesz := afPacketDefaultFrameSize
	if n := afPacketFrameSize(p.cfg.Device); n > 0 {
		framesz = n
	}
	return min(ifi.MTU, framesz-afPacketFrameHeader-14), nil
}

// net_af_packet's frame buffers (DPDK 22.11): framesz bytes each by
// default, of which the TPACKET2 header takes 32; a longer frame is
// counted as a transmit error and dropped.
const (
	afPacketDefaultFrameSize = 2048
	afPacketFrameHeader      = 32
)

// Queues returns the configured rx and tx queue counts.
func (p *Port) Queues() (rx, tx int) { return p.nrxq, p.ntxq }

// Start starts the port.
func (p *Port) Start() error {
	return p.e.Do(func() error {
		if p.started {
			return nil
		}
		if rc := C.rte_eth_dev_start(C.uint16_t(p.id)); rc != 0 {
			return fmt.Errorf("dpdk: port %s: start: %s", p.name, rteStrerror(-int(rc), 0))
		}
		p.started = true
		return nil
	})
}

// Stop stops the port. Workers polling it must be stopped first.
func (p *Port) Stop() error {
	return p.e.Do(func() error { return p.stop() })
}

func (p *Port) stop() error {
	if !p.started {
		return nil
	}
	p.started = false
	if rc := C.rte_eth_dev_stop(C.uint16_t(p.id)); rc != 0 {
		return fmt.Errorf("dpdk: port %s: stop: %s", p.name, rteStrerror(-int(rc), 0))
	}
	return nil
}

// Close stops and closes the port and, for a device OpenPort probed,
// removes the device (a net_tap's kernel interface goes with it).
func (p *Port) Close() error {
	return p.e.Do(func() error {
		if p.closed {
			return nil
		}
		p.closed = true
		err := p.stop()
		if rc := C.rte_eth_dev_close(C.uint16_t(p.id)); rc != 0 && err == nil {
			err = fmt.Errorf("dpdk: port %s: close: %s", p.name, rteStrerror(-int(rc), 0))
		}
		if p.hotplug && p.dev != nil {
			if rc := C.rte_dev_remove(p.dev); rc != 0 && err == nil {
				err = fmt.Errorf("dpdk: port %s: removing the device: %s", p.name, rteStrerror(-int(rc), 0))
			}
		}
		return err
	})
}

// Reset recovers the port after the driver asked for it
// (RTE_ETH_EVENT_INTR_RESET, raised by ENA): stop, rte_eth_dev_reset, the
// same configuration again, start. Workers must not poll the port
// meanwhile. Drivers without a reset operation are stopped and restarted.
func (p *Port) Reset() error {
	return p.e.Do(func() error {
		wasStarted := p.started
		if err := p.stop(); err != nil {
			return err
		}
		rc := C.rte_eth_dev_reset(C.uint16_t(p.id))
		switch {
		case rc == 0:
			if err := p.setup(); err != nil {
				return fmt.Errorf("dpdk: port %s: after reset: %w", p.name, err)
			}
		case -rc == C.ENOTSUP:
			p.e.log.Info("dpdk: driver has no reset; restarting the port", "port", p.name, "driver", p.driver)
		default:
			return fmt.Errorf("dpdk: port %s: reset: %s", p.name, rteStrerror(-int(rc), 0))
		}
		if wasStarted {
			if rc := C.rte_eth_dev_start(C.uint16_t(p.id)); rc != 0 {
				return fmt.Errorf("dpdk: port %s: start after reset: %s", p.name, rteStrerror(-int(rc), 0))
			}
			p.started = true
		}
		return nil
	})
}

// resetRequested reports (and clears) a pending reset request from the PMD.
func (p *Port) resetRequested() bool { return C.gw_take_reset(C.uint16_t(p.id)) != 0 }

// MAC returns the port's MAC address.
func (p *Port) MAC() (net.HardwareAddr, error) {
	var mac net.HardwareAddr
	err := p.e.Do(func() error {
		var a C.struct_rte_ether_addr
		if rc := C.rte_eth_macaddr_get(C.uint16_t(p.id), &a); rc != 0 {
			return fmt.Errorf("dpdk: port %s: MAC: %s", p.name, rteStrerror(-int(rc), 0))
		}
		mac = C.GoBytes(unsafe.Pointer(&a.addr_bytes[0]), 6)
		return nil
	})
	return mac, err
}

// Link is a port's link state. Some drivers report speed 0 (ENA).
type Link struct {
	Up         bool
	SpeedMbps  uint32
	FullDuplex bool
}

// Link returns the link state without waiting.
func (p *Port) Link() (Link, error) {
	var l Link
	err := p.e.Do(func() error {
		var speed C.uint32_t
		var up, fd C.int
		if rc := C.gw_link(C.uint16_t(p.id), &speed, &up, &fd); rc != 0 {
			return fmt.Errorf("dpdk: port %s: link: %s", p.name, rteStrerror(-int(rc), 0))
		}
		l = Link{Up: up != 0, SpeedMbps: uint32(speed), FullDuplex: fd != 0}
		return nil
	})
	return l, err
}

// PortStats are the PMD's basic counters (rte_eth_stats).
type PortStats struct {
	RxPackets, TxPackets uint64
	RxBytes, TxBytes     uint64
	RxMissed             uint64 // dropped by the NIC: rx ring full
	RxErrors, TxErrors   uint64
	RxNoMbuf             uint64 // rx mbuf allocation failures
	// Queues holds per-queue counters for the first
	// RTE_ETHDEV_QUEUE_STAT_CNTRS (16) queues; drivers that do not keep
	// them report zeros.
	Queues []QueueStats
}

// QueueStats are one queue's counters.
type QueueStats struct {
	RxPackets, TxPackets uint64
	RxBytes, TxBytes     uint64
	RxErrors             uint64
}

// Stats reads the port's counters.
func (p *Port) Stats() (PortStats, error) {
	var s PortStats
	err := p.e.Do(func() error {
		var st C.struct_rte_eth_stats
		if rc := C.rte_eth_stats_get(C.uint16_t(p.id), &st); rc != 0 {
			return fmt.Errorf("dpdk: port %s: stats: %s", p.name, rteStrerror(-int(rc), 0))
		}
		s = PortStats{
			RxPackets: uint64(st.ipackets), TxPackets: uint64(st.opackets),
			RxBytes: uint64(st.ibytes), TxBytes: uint64(st.obytes),
			RxMissed: uint64(st.imissed), RxErrors: uint64(st.ierrors), TxErrors: uint64(st.oerrors),
			RxNoMbuf: uint64(st.rx_nombuf),
		}
		nq := max(p.nrxq, p.ntxq)
		nq = min(nq, C.RTE_ETHDEV_QUEUE_STAT_CNTRS)
		for q := 0; q < nq; q++ {
			s.Queues = append(s.Queues, QueueStats{
				RxPackets: uint64(st.q_ipackets[q]), TxPackets: uint64(st.q_opackets[q]),
				RxBytes: uint64(st.q_ibytes[q]), TxBytes: uint64(st.q_obytes[q]),
				RxErrors: uint64(st.q_errors[q]),
			})
		}
		return nil
	})
	return s, err
}

// XStat is one extended statistic of a driver, e.g. ENA's
// bw_in_allowance_exceeded or rx_q0_mbuf_alloc_fail.
type XStat struct {
	Name  string
	Value uint64
}

// XStats reads every extended statistic with its name.
func (p *Port) XStats() ([]XStat, error) {
	var out []XStat
	err := p.e.Do(func() error {
		id := C.uint16_t(p.id)
		n := C.rte_eth_xstats_get_names(id, nil, 0)
		if n < 0 {
			return fmt.Errorf("dpdk: port %s: xstats names: %s", p.name, rteStrerror(-int(n), 0))
		}
		if n == 0 {
			return nil
		}
		names := (*C.struct_rte_eth_xstat_name)(C.calloc(C.size_t(n), C.size_t(unsafe.Sizeof(C.struct_rte_eth_xstat_name{}))))
		vals := (*C.struct_rte_eth_xstat)(C.calloc(C.size_t(n), C.size_t(unsafe.Sizeof(C.struct_rte_eth_xstat{}))))
		defer C.free(unsafe.Pointer(names))
		defer C.free(unsafe.Pointer(vals))
		if got := C.rte_eth_xstats_get_names(id, names, C.uint(n)); got != n {
			return fmt.Errorf("dpdk: port %s: xstats names changed while reading (%d, then %d)", p.name, n, got)
		}
		got := C.rte_eth_xstats_get(id, vals, C.uint(n))
		if got < 0 || got > n {
			return fmt.Errorf("dpdk: port %s: xstats values: %d for %d names", p.name, got, n)
		}
		ns := unsafe.Slice(names, int(n))
		vs := unsafe.Slice(vals, int(got))
		out = make([]XStat, 0, int(got))
		for _, v := range vs {
			if v.id >= C.uint64_t(n) {
				continue
			}
			out = append(out, XStat{Name: C.GoString(&ns[v.id].name[0]), Value: uint64(v.value)})
		}
		return nil
	})
	return out, err
}

// RequestReset queues a reset of the port exactly as the driver's
// RTE_ETH_EVENT_INTR_RESET does; the forwarder performs it within about a
// second. For operators and tests (no ENA device is needed to exercise it).
func (p *Port) RequestReset() { C.gw_request_reset(C.uint16_t(p.id)) }
