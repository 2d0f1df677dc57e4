// Package node owns one load balancer node's orchestration: the node
// configuration (which gateway load balancer and availability zone this
// node serves, its EAL arguments and its ports by role), the conversion of
// the control plane's state file into an engine.Config snapshot, the
// reloader that republishes that snapshot when the state file changes
// (without touching the flow table, so established flows survive), the
// resolution of targets' next-hop MAC addresses from the kernel neighbour
// table behind the exception TAP, and the run loop that wires the DPDK
// ports to the engine and stops cleanly on SIGINT/SIGTERM.
//
// The command line (gwlbctl serve) only loads the configuration and calls
// Run; everything a node does lives here so it can be tested without a
// process.
package node
