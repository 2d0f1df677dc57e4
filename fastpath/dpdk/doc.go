// Package dpdk is the fast path's only cgo package: it binds libdpdk
// (DPDK 22.11, `#cgo pkg-config: libdpdk`) and owns the Environment
// Abstraction Layer, mbuf pools, ports of any poll-mode driver (net_null,
// net_ring, net_pcap, net_af_packet, net_tap here; net_ena on EC2), rx/tx
// bursts, the forwarding lcores that run the engine, PMD counters (stats and
// xstats) and each port's exception path to the kernel through its own TAP
// interface (net_tap). It configures DPDK only: the kernel side of the
// TAPs (addresses, sysctls), neighbour tables, offloads and locks are
// fastpath/kernel's, called by the node between NewForwarder and
// Forwarder.Start.
//
// Layout, by role:
//   - eal.go: EAL arguments and defaults, the main-lcore control thread
//     (every control call runs there through EAL.Do), timers, clean-up.
//   - pool.go, port.go: mempools, port probing/configuration, counters.
//   - worker.go, gw.c: the per-core loop. One cgo call per burst (gw_step)
//     disposes of the previous burst, flushes the tx buffers once per pass
//     and receives the next burst into C memory; Go builds engine.Packet
//     views on the mbufs in place and calls the engine once per burst.
//   - forwarder.go: ports in the engine's order wired to workers, their
//     exception TAPs, start/stop, port resets.
//
// Threads. InitEAL runs rte_eal_init on a dedicated, locked OS thread that
// becomes the main lcore; it stays there serving control calls and, once a
// second, rte_timer_manage. Forwarding lcores are EAL's own worker lcores
// (from -l): rte_eal_remote_launch starts a C function that calls into Go
// once (gwLcoreMain) and runs the whole poll loop there, so EAL's pinning
// and lcore ids (mempool caches) apply, the C-to-Go callback is paid once,
// and each burst is an ordinary Go-to-C call.
//
// Packets. Each received mbuf becomes an engine.Packet whose Buf is the
// whole mbuf buffer (buf_addr, buf_len), Off its data_off and Len its
// data_len. After Process, Off/Len are checked against the buffer and
// written back (data_off, data_len, pkt_len), then the packet goes to its
// output port's tx buffer (Forward), the TAP of port Out (Exception; the
// engine sets Out to the receiving port) or is freed (Drop, invalid
// output, a port without a TAP, Off/Len outside the buffer). Only
// single-segment mbufs reach the engine: the pool's data room is sized from
// the largest MTU, and a chained mbuf is dropped and counted
// (WorkerStats.MultiSegment). Frames the kernel sends out of a port's TAP
// leave unchanged on that port without entering the engine.
//
// Jumbo frames: a port with MTU 9001 (EC2) gets DataRoomForMTU(9001)
// mbufs (9216 bytes), so an 8500-byte inner packet and its 8582-byte
// encapsulation each fit one mbuf; an exception TAP's MTU is set on its
// kernel interface (net_tap refuses MTUs above 1500 through the PMD).
// Chained 2 KiB mbufs were measured against this (BenchmarkJumboSegments,
// virtio-user ports): no consistent difference at the ports, while the
// engine would need chain-aware parsing, checksums and resets, so the
// pool is sized for the MTU instead. TestJumboFramesVirtio carries an
// 8500-byte packet both ways through net_virtio_user ports (net_tap and
// net_memif refuse MTUs above 1500; net_af_packet sends frames up to its
// ring frame size, framesz - 32 bytes, 2048 by default, so jumbo frames
// need framesz=16384,blocksz=16384, as the routed end-to-end test uses)
// and checks that 8501 bytes is counted too_big.
//
// ENA (EC2), written against DPDK 22.11's net_ena and untested here (no
// ENA device): give the NIC to EAL with EALConfig.PCI
// ("0000:00:06.0,large_llq_hdr=1"); promiscuous mode is unsupported and
// only logged; the watchdog needs rte_timer_manage on the lcore that
// started the port (the main lcore does it once a second); a
// RTE_ETH_EVENT_INTR_RESET request stops the workers, runs
// rte_eth_dev_reset, configures and starts the port again and resumes
// (the orchestration is tested with Port.RequestReset on net_null, which
// has no reset operation); the allowance counters
// (bw_in_allowance_exceeded, pps_allowance_exceeded, ...) are among
// Port.XStats. Link speed reads 0 on ENA.
//
// The engine works on plain buffers, so all packet logic is tested without
// DPDK; this package adds only what needs a NIC. Its tests need root and
// hugepages (they run as root in CI) and skip otherwise.
package dpdk
