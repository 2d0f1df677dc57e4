// Package dpdk is the fast path's only cgo package: it binds libdpdk
// (DPDK 22.11, `#cgo pkg-config: libdpdk`) and owns the Environment
// Abstraction Layer, mbuf pools, ports of any poll-mode driver (net_null,
// net_ring, net_pcap, net_af_packet, net_tap here; net_ena on EC2), rx/tx
// bursts, the forwarding lcores that run the engine, PMD counters (stats and
// xstats) and the exception path to the kernel through a TAP interface.
//
// Layout, by role:
//   - eal.go: EAL arguments and defaults, the main-lcore control thread
//     (every control call runs there), timers for ENA, clean-up.
//   - pool.go, port.go: mempools, port probing/configuration, counters.
//   - worker.go, gw.c: the per-core loop. One cgo call per burst (gw_step)
//     disposes of the previous burst, flushes the tx buffers once per pass
//     and receives the next burst into C memory; Go builds engine.Packet
//     views on the mbufs in place and calls the engine once per burst.
//   - forwarder.go: ports by role wired to workers, start/stop, resets.
//   - exception.go: the kernel TAP (address, MAC, neighbour table).
//
// The engine works on plain buffers, so all packet logic is tested without
// DPDK; this package adds only what needs a NIC. Its tests need root and
// hugepages (they run as root in CI) and skip otherwise.
package dpdk
